/// The closed vocabularies of `project.location` (SPEC §3): the provincial-level divisions of
/// the Chinese mainland, and the areas of the Guangdong pilot free trade zone. The host
/// validates applications against them (a value that is not known is an input error naming
/// the known ones), so a plugin can rely on ``Application/province`` naming one of them.
///
/// Values are compared after the host's normalisation (surrounding white space trimmed, NFKC:
/// full-width brackets become ASCII ones).
public enum Location {
    /// A provincial-level division: its full name (`广东省`), short name (`广东`) and pinyin.
    public struct Province: Sendable, Equatable {
        /// The full name, e.g. `广东省`, `广西壮族自治区`, `上海市`.
        public let name: String
        /// The short name, e.g. `广东`.
        public let shortName: String
        /// The pinyin name, e.g. `Guangdong`.
        public let pinyin: String
    }

    /// The 31 provincial-level divisions of the mainland, in the order of the national
    /// administrative-division codes. (Hong Kong, Macao and Taiwan are not project locations
    /// of these lists.)
    public static let provinces: [Province] = [
        ("北京市", "北京", "Beijing"), ("天津市", "天津", "Tianjin"), ("河北省", "河北", "Hebei"), ("山西省", "山西", "Shanxi"),
        ("内蒙古自治区", "内蒙古", "Inner Mongolia"), ("辽宁省", "辽宁", "Liaoning"), ("吉林省", "吉林", "Jilin"),
        ("黑龙江省", "黑龙江", "Heilongjiang"), ("上海市", "上海", "Shanghai"), ("江苏省", "江苏", "Jiangsu"), ("浙江省", "浙江", "Zhejiang"),
        ("安徽省", "安徽", "Anhui"), ("福建省", "福建", "Fujian"), ("江西省", "江西", "Jiangxi"), ("山东省", "山东", "Shandong"),
        ("河南省", "河南", "Henan"), ("湖北省", "湖北", "Hubei"), ("湖南省", "湖南", "Hunan"), ("广东省", "广东", "Guangdong"),
        ("广西壮族自治区", "广西", "Guangxi"), ("海南省", "海南", "Hainan"), ("重庆市", "重庆", "Chongqing"), ("四川省", "四川", "Sichuan"),
        ("贵州省", "贵州", "Guizhou"), ("云南省", "云南", "Yunnan"), ("西藏自治区", "西藏", "Xizang"), ("陕西省", "陕西", "Shaanxi"),
        ("甘肃省", "甘肃", "Gansu"), ("青海省", "青海", "Qinghai"), ("宁夏回族自治区", "宁夏", "Ningxia"), ("新疆维吾尔自治区", "新疆", "Xinjiang"),
    ].map { Province(name: $0.0, shortName: $0.1, pinyin: $0.2) }

    /// Guangdong, whose projects these rules were written for first.
    public static let guangdong = provinces.first { $0.name == "广东省" }!

    /// The province `text` names: its full name, short name or pinyin (any letter case).
    public static func province(named text: String) -> Province? {
        var text = text
        return text.withUTF8 { province(utf8: $0) }
    }

    /// The province the UTF-8 `text` names (see ``province(named:)``), compared byte for byte:
    /// the host looks one up for every application, where comparing `String`s (Unicode
    /// equivalence on Chinese text) cost more than the rest of the validation.
    public static func province(utf8 text: UnsafeBufferPointer<UInt8>) -> Province? {
        // Guangdong first: the province most applications name.
        if guangdongNames.contains(where: { name in name.withUnsafeBufferPointer { bytesEqual($0, text) } }) { return guangdong }
        // The names in one buffer, compared where the lengths agree (two loads per name).
        let found: Int? = nameBytes.withUnsafeBufferPointer { bytes in
            for entry in nameEntries where entry.length == text.count {
                if bytesEqual(UnsafeBufferPointer(rebasing: bytes[entry.start..<entry.start + entry.length]), text) { return entry.province }
            }
            return nil
        }
        if let found { return provinces[found] }
        // Pinyin in any letter case.
        for (index, province) in provinces.enumerated() where province.pinyin.utf8.count == text.count {
            if zip(province.pinyin.utf8, text).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) { return provinces[index] }
        }
        return nil
    }

    /// Guangdong's full and short name as UTF-8.
    private static let guangdongNames: [[UInt8]] = [Array("广东省".utf8), Array("广东".utf8)]

    /// Every province's full and short name as UTF-8, one after another.
    private static let nameBytes: [UInt8] = provinces.flatMap { Array($0.name.utf8) + Array($0.shortName.utf8) }
    /// Where each name is in ``nameBytes``, and whose it is.
    private static let nameEntries: [(start: Int, length: Int, province: Int)] = {
        var entries: [(start: Int, length: Int, province: Int)] = []
        var start = 0
        for (index, province) in provinces.enumerated() {
            for name in [province.name, province.shortName] {
                entries.append((start, name.utf8.count, index))
                start += name.utf8.count
            }
        }
        return entries
    }()

    /// An area of a pilot free trade zone (自由贸易试验区片区).
    public struct FreeTradeZoneArea: Sendable, Equatable {
        /// The area's name, e.g. `前海蛇口片区`.
        public let name: String
        /// The city it is in.
        public let city: String
        /// Other ways applications write it (after normalisation), e.g. `南沙片区`.
        public let aliases: [String]
    }

    /// The three areas of 中国（广东）自由贸易试验区.
    public static let guangdongFreeTradeZoneAreas: [FreeTradeZoneArea] = [
        FreeTradeZoneArea(name: "南沙新区片区", city: "广州市", aliases: ["南沙片区", "广州南沙新区片区"]),
        FreeTradeZoneArea(name: "前海蛇口片区", city: "深圳市", aliases: ["深圳前海蛇口片区"]),
        FreeTradeZoneArea(name: "横琴新区片区", city: "珠海市", aliases: ["横琴片区", "珠海横琴新区片区"]),
    ]

    /// The prefixes a Guangdong area's name may carry (normalised: ASCII brackets).
    static let guangdongZonePrefixes = ["中国(广东)自由贸易试验区", "广东自由贸易试验区", "广东自贸试验区", "广东自贸区"]

    /// The Guangdong FTZ area `text` names (its name or an alias, with or without the zone's
    /// name before it), if any.
    public static func guangdongFreeTradeZoneArea(named text: String) -> FreeTradeZoneArea? {
        var text = text
        return text.withUTF8 { guangdongFreeTradeZoneArea(utf8: $0) }
    }

    /// ``guangdongFreeTradeZoneArea(named:)`` on UTF-8, byte for byte.
    public static func guangdongFreeTradeZoneArea(utf8 text: UnsafeBufferPointer<UInt8>) -> FreeTradeZoneArea? {
        var name = text
        for prefix in zonePrefixBytes where name.count > prefix.count && name.prefix(prefix.count).elementsEqual(prefix) {
            name = UnsafeBufferPointer(rebasing: name[prefix.count...])
            break
        }
        for (index, names) in areaNameBytes.enumerated() where names.contains(where: { $0.count == name.count && $0.elementsEqual(name) }) {
            return guangdongFreeTradeZoneAreas[index]
        }
        return nil
    }

    /// Each Guangdong area's name and aliases as UTF-8.
    private static let areaNameBytes: [[[UInt8]]] = guangdongFreeTradeZoneAreas.map { [Array($0.name.utf8)] + $0.aliases.map { Array($0.utf8) } }
    /// ``guangdongZonePrefixes`` as UTF-8.
    private static let zonePrefixBytes: [[UInt8]] = guangdongZonePrefixes.map { Array($0.utf8) }

    /// Whether `text` reads as the name of an FTZ area (片区) outside Guangdong, whose areas
    /// the rule data does not list: it must end in `片区`.
    public static func looksLikeFreeTradeZoneArea(_ text: String) -> Bool {
        text.hasSuffix("片区") && text.count > 2
    }
}
