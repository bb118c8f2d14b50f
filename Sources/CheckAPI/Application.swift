/// A read-only, typed view of an application (SPEC §3) over the document the host parsed.
/// The host has validated required fields and types before a plugin sees it; optional fields
/// may be absent or null, and rules that need them report `review` naming the field.
public struct Application {
    /// The application's root object.
    public let root: JSONNode
    /// The node lists below, made the first time a plugin asks (one plugin in four needs none);
    /// like the document it views, an application belongs to the one evaluation using it.
    private let lists: NodeLists

    /// `$.project.industries[*].code`, with the nodes for evidence.
    public var industryCodes: [JSONNode] { lists.industryCodes }
    /// The free-text fields keywords are searched in: project name, business scope, product names.
    public var describingTexts: [JSONNode] { lists.describingTexts }

    /// A view of the application whose root object is `root`.
    public init(_ root: JSONNode) {
        self.root = root
        lists = NodeLists(project: root.optional("project"))
    }

    /// The lists of nodes an application view hands out, each made once, on first use.
    private final class NodeLists {
        let project: JSONNode?
        init(project: JSONNode?) { self.project = project }

        lazy var industryCodes: [JSONNode] = {
            // Sized up front: grown one append at a time, these small arrays cost more than the lookups.
            let industries = project?.optional("industries")
            var codes: [JSONNode] = []
            codes.reserveCapacity(industries?.count ?? 0)
            for industry in industries?.children ?? .empty {
                if let code = industry.optional("code") { codes.append(code) }
            }
            return codes
        }()

        lazy var describingTexts: [JSONNode] = {
            let products = project?.optional("products")
            var texts: [JSONNode] = []
            texts.reserveCapacity(2 + (products?.count ?? 0))
            func addText(_ node: JSONNode?) {
                if let node, node.kind == .string { texts.append(node) }
            }
            addText(project?.optional("name"))
            addText(project?.optional("businessScope"))
            for product in products?.children ?? .empty { addText(product.optional("name")) }
            return texts
        }()
    }

    /// `$.id`.
    public var id: String { root["id"]?.string ?? "" }
    /// `$.project`.
    public var project: JSONNode? { root.optional("project") }
    /// `$.claims`.
    public var claims: JSONNode? { root.optional("claims") }

    /// `$.project.location.province`.
    public var province: JSONNode? { project?.optional("location")?.optional("province") }

    /// `$.project.location.freeTradeZone` when it names a zone (not null, not empty).
    public var freeTradeZone: JSONNode? {
        guard let zone = project?.optional("location")?.optional("freeTradeZone"), zone.string?.isEmpty == false else { return nil }
        return zone
    }

    /// The province the project is in (validated by the host: one of ``Location/provinces``).
    public var provinceName: Location.Province? { province.flatMap { $0.kind == .string ? Location.province(utf8: $0.stringBytes) : nil } }

    /// Whether the project is in Guangdong province (`广东省`, `广东` or `Guangdong`).
    public var isInGuangdong: Bool { provinceName == Location.guangdong }

    /// The shareholding declared by `$.investors`.
    public var shareholding: Shareholding { Shareholding(investors: root["investors"], chineseControl: project?.optional("chineseControl")) }
}

/// The shares of a project as declared by its investors (SPEC §3). An investor is foreign by its
/// country when it gives one (Hong Kong, Macao, Taiwan and abroad are foreign whatever the
/// `foreign` flag says), else by its flag; the foreign share is the sum over foreign investors;
/// Chinese control means the Chinese side holds more than 50 %, or `project.chineseControl` is
/// true. Shares are exact decimals: 8.3 + 24.1 + 17.6 is 50, not 中方控股.
public struct Shareholding {
    /// One investor as the shareholding reads it.
    public struct Investor {
        /// The investor object.
        public let node: JSONNode
        /// `sharePercent`, if it is a number.
        public let shareNode: JSONNode?
        /// Its exact value.
        public let share: DecimalNumber?
        /// `country`, if given.
        public let country: JSONNode?
        /// `foreign`, if given.
        public let flag: JSONNode?
        /// Whether the investor counts as foreign: by its country when given (anything but
        /// `CN`), else by its flag; nil when neither says.
        public let isForeign: Bool?
        /// Its position among the investors, from 1 (for messages: "第1个投资方").
        public let number: Int

        /// The contradiction between flag and country in words, if there is one: "第1个投资方
        /// （Pacific Holdings Ltd）的国家或地区为 HK，却申报为非外方".
        public var contradiction: Localized? {
            guard flagContradictsCountry, let country = country?.string else { return nil }
            let name = node.optional("name")?.string.map { "（\($0)）" } ?? ""
            let nameEn = node.optional("name")?.string.map { " (\($0))" } ?? ""
            return country == "CN"
                ? Localized(zh: "第\(number)个投资方\(name)的国家或地区为 CN（中国境内），却申报为外方", en: "investor \(number)\(nameEn) is from CN (the mainland) but is declared foreign")
                : Localized(zh: "第\(number)个投资方\(name)的国家或地区为 \(country)，却申报为非外方（港澳台及境外投资者一律按外资计）",
                            en: "investor \(number)\(nameEn) is from \(country) but is declared not foreign (investors from Hong Kong, Macao, Taiwan and abroad are foreign)")
        }

        /// Whether the flag says the opposite of the country (`HK` with `foreign: false`,
        /// `CN` with `foreign: true`).
        public var flagContradictsCountry: Bool {
            guard let fromAbroad = isFromAbroad, let flag = flag?.bool else { return false }
            return flag != fromAbroad
        }

        /// Whether `country` is anything but `CN`, if given (compared as bytes: this is read
        /// for every investor of every application with a restricted item).
        var isFromAbroad: Bool? {
            guard let country else { return nil }
            let code = country.stringBytes
            return !(code.count == 2 && code[0] == UInt8(ascii: "C") && code[1] == UInt8(ascii: "N"))
        }

        init(_ node: JSONNode, number: Int) {
            self.node = node
            self.number = number
            shareNode = node.optional("sharePercent").flatMap { $0.kind == .number ? $0 : nil }
            share = shareNode?.decimal
            country = node.optional("country").flatMap { $0.kind == .string ? $0 : nil }
            flag = node.optional("foreign").flatMap { $0.bool != nil ? $0 : nil }
            let country = self.country
            if let country {
                let code = country.stringBytes
                isForeign = !(code.count == 2 && code[0] == UInt8(ascii: "C") && code[1] == UInt8(ascii: "N"))
            } else {
                isForeign = flag?.bool
            }
        }
    }

    /// The investors, in order.
    public let investors: [Investor]
    /// Total share of foreign investors, if every investor declared a share and foreignness.
    public let foreignPercent: DecimalNumber?
    /// Total share of Chinese investors, if every investor declared a share and foreignness.
    public let chinesePercent: DecimalNumber?
    /// Total of all declared shares, if every investor declared one.
    public let totalPercent: DecimalNumber?
    /// The largest share of a single foreign investor, if declared.
    public let largestForeignPercent: DecimalNumber?
    /// Paths of what is missing: `$.investors[i].sharePercent`, and `$.investors[i].foreign`
    /// where neither the country nor the flag says whether the investor is foreign.
    public let undeclared: [String]
    /// `$.project.chineseControl`, if given.
    public let chineseControlFlag: JSONNode?

    init(investors: JSONNode?, chineseControl: JSONNode?) {
        let list = (investors?.children).map { $0.enumerated().map { Investor($1, number: $0 + 1) } } ?? []
        self.investors = list
        chineseControlFlag = chineseControl
        var foreign = DecimalNumber.zero, chinese = DecimalNumber.zero, total = DecimalNumber.zero
        var largest: DecimalNumber? = nil
        var missing: [String] = []
        var fits = true
        for investor in list {
            if investor.share == nil { missing.append(investor.node.path + ".sharePercent") }
            if investor.isForeign == nil { missing.append(investor.node.path + ".foreign") }
            if let share = investor.share {
                if let sum = total.adding(share) { total = sum } else { fits = false }
            }
            guard let share = investor.share, let isForeign = investor.isForeign else { continue }
            if isForeign {
                if let sum = foreign.adding(share) { foreign = sum } else { fits = false }
                if largest.map({ share > $0 }) ?? true { largest = share }
            } else {
                if let sum = chinese.adding(share) { chinese = sum } else { fits = false }
            }
        }
        undeclared = missing
        let complete = missing.isEmpty && !list.isEmpty && fits
        foreignPercent = complete ? foreign.normalized : nil
        chinesePercent = complete ? chinese.normalized : nil
        largestForeignPercent = complete ? (largest ?? .zero).normalized : nil
        totalPercent = !list.isEmpty && fits && list.allSatisfy({ $0.share != nil }) ? total.normalized : nil
    }

    /// Whether every investor's share and foreignness are declared.
    public var isDeclared: Bool { foreignPercent != nil }

    /// Investors whose `foreign` flag contradicts their country.
    public var contradictions: [Investor] { investors.filter(\.flagContradictsCountry) }

    /// Whether the shares total exactly 100 (nil if not every share is declared).
    public var addsUp: Bool? { totalPercent.map { $0 == .hundred } }

    /// Whether the Chinese side controls the project (more than 50 %, or the declared flag).
    public var isChineseControlled: Bool? {
        if chineseControlFlag?.bool == true { return true }
        guard let chinesePercent else { return nil }
        return chinesePercent > DecimalNumber(50)
    }

    /// Whether foreign and Chinese investors both hold a share (an equity joint venture).
    public var isJointVenture: Bool? {
        guard let foreignPercent, let chinesePercent else { return nil }
        return foreignPercent > .zero && chinesePercent > .zero
    }

    /// The evidence of these shares: every investor's `country`, `foreign` flag and
    /// `sharePercent`, what is missing, and `project.chineseControl`.
    public var evidence: [Evidence] {
        var result: [Evidence] = []
        for investor in investors {
            if let country = investor.country { result.append(.value(country)) }
            if let flag = investor.flag { result.append(.value(flag)) }
            if let share = investor.shareNode { result.append(.value(share)) }
        }
        result += undeclared.map { .absent($0) }
        if let chineseControlFlag { result.append(.value(chineseControlFlag)) }
        return result
    }
}

/// An amount of money as written in an application: `{ "amount": number, "currency": "USD" }`.
public struct Money: Sendable, Equatable, CustomStringConvertible {
    /// The amount, exactly as declared.
    public let amount: DecimalNumber
    /// The ISO 4217 currency code, e.g. `USD`, `CNY`.
    public let currency: String

    /// A money value.
    public init(amount: DecimalNumber, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// Reads a money object; nil if the node is missing either part.
    public init?(_ node: JSONNode?) {
        guard let node, let amount = node["amount"]?.decimal, let currency = node["currency"]?.string else { return nil }
        self.init(amount: amount, currency: currency)
    }

    /// "8,000,000 USD".
    public var description: String { "\(amount.grouped) \(currency)" }
}

/// GB/T 4754-2017 code arithmetic.
public enum IndustryCode {
    /// Whether two codes overlap: one is the other or contains it (`C39` and `C3973`).
    public static func overlaps(_ lhs: String, _ rhs: String) -> Bool {
        lhs.hasPrefix(rhs) || rhs.hasPrefix(lhs)
    }

    /// The first of `codes` that overlaps `code`, if any.
    public static func firstOverlap(of code: String, in codes: [String]) -> String? {
        codes.first { overlaps(code, $0) }
    }
}

/// A list of GB/T 4754-2017 codes from rule data, also kept as UTF-8 in one buffer: an
/// application's code nodes are tested against it without making a `String` of either, and
/// without touching an array per code.
public struct IndustryCodeList: Sendable {
    /// The codes, in the order given.
    public let codes: [String]
    /// The codes' UTF-8, one after another.
    @usableFromInline let bytes: [UInt8]
    /// Where each code's bytes end in `bytes` (the next one's start).
    @usableFromInline let ends: [Int]

    /// The list of `codes`.
    public init(_ codes: [String]) {
        self.codes = codes
        bytes = codes.flatMap { Array($0.utf8) }
        var end = 0
        ends = codes.map { end += $0.utf8.count; return end }
    }

    /// The position of the first code that the code `node` holds is or is inside (`C3011` in
    /// `C30`); with `overlapping`, also of the first code inside it (`C3011` for `C30`).
    /// (Inlinable: plugins test codes against lists for every application.)
    @inlinable public func firstIndex(of node: JSONNode, overlapping: Bool = false) -> Int? {
        guard node.kind == .string else { return nil }
        let code = node.stringBytes
        return bytes.withUnsafeBufferPointer { bytes in
            ends.withUnsafeBufferPointer { ends in
                var start = 0
                for (position, end) in ends.enumerated() {
                    let length = end - start
                    let shared = min(length, code.count)
                    if (length <= code.count || overlapping)
                        && bytesEqual(UnsafeBufferPointer(rebasing: bytes[start..<start + shared]), UnsafeBufferPointer(rebasing: code[..<shared])) {
                        return position
                    }
                    start = end
                }
                return nil
            }
        }
    }

    /// Whether the code `node` holds is one of the codes or inside one (`C3011` in `C30`).
    @inlinable public func contains(_ node: JSONNode) -> Bool {
        firstIndex(of: node) != nil
    }

    /// The first of the codes that overlaps the code `node` holds (one is the other or contains
    /// it, as ``IndustryCode/overlaps(_:_:)``), if any.
    public func firstOverlap(with node: JSONNode) -> String? {
        firstIndex(of: node, overlapping: true).map { codes[$0] }
    }
}

/// Groups of industry codes from rule data (the 高耗能 divisions, the sectors a policy
/// encourages), their codes in one ``IndustryCodeList``, group after group: the first group
/// an application's code falls in is found in one scan, no group touched on the way.
public struct IndustryCodeGroups<Group: Sendable>: Sendable {
    /// The groups, in the order given.
    public let groups: [Group]
    @usableFromInline let list: IndustryCodeList
    /// Per code of `list`, the position of its group.
    @usableFromInline let groupOfCode: [Int]

    /// `groups`, each with the codes `codes` gives it.
    public init(_ groups: [Group], codes: (Group) -> [String]) {
        self.groups = groups
        let perGroup = groups.map(codes)
        list = IndustryCodeList(perGroup.flatMap { $0 })
        groupOfCode = perGroup.indices.flatMap { group in Array(repeating: group, count: perGroup[group].count) }
    }

    /// The first group with a code that the code `node` holds is or is inside (`C3011` in
    /// `C30`); with `overlapping`, also one with a code inside it (`C3011` for `C30`).
    @inlinable public func first(of node: JSONNode, overlapping: Bool = false) -> Group? {
        list.firstIndex(of: node, overlapping: overlapping).map { groups[groupOfCode[$0]] }
    }
}

/// Finds keywords in UTF-8 text without allocating: for matching catalogue items against an
/// application's name, business scope and products. An occurrence inside an exclusion of the
/// text (``Exclusions``: `不含…`, `…除外`), or inside one of the matcher's negations (`非转基因`
/// for `转基因`), does not count.
public struct KeywordMatcher: Sendable {
    /// The keywords, in the order given (the first found is reported).
    public let keywords: [String]
    /// Phrases that contain a keyword and say the opposite (`非转基因`).
    public let negations: [String]
    private let encoded: [[UInt8]]
    /// Per keyword: each negation holding it, with the offsets of the keyword inside it.
    private let negationsOf: [[(phrase: [UInt8], offsets: [Int])]]

    /// A matcher for `keywords` (empty ones are ignored), with `negations`.
    public init(_ keywords: [String], negations: [String] = []) {
        self.keywords = keywords.filter { !$0.isEmpty }
        self.negations = negations.filter { !$0.isEmpty }
        encoded = self.keywords.map { Array($0.utf8) }
        let phrases = self.negations.map { Array($0.utf8) }
        negationsOf = encoded.map { keyword in
            phrases.compactMap { phrase in
                guard phrase.count > keyword.count else { return nil }
                let offsets = (0...(phrase.count - keyword.count)).filter { Array(phrase[$0..<$0 + keyword.count]) == keyword }
                return offsets.isEmpty ? nil : (phrase, offsets)
            }
        }
    }

    /// Whether there are no keywords.
    public var isEmpty: Bool { keywords.isEmpty }

    /// The first keyword (in keyword order) that occurs in `text` outside its exclusions.
    public func firstMatch(in text: UnsafeBufferPointer<UInt8>) -> String? {
        var exclusions: Exclusions? = nil
        for index in encoded.indices where occurrence(of: index, in: text, exclusions: {
            if exclusions == nil { exclusions = Exclusions(in: text) }
            return exclusions!
        }).found != nil { return keywords[index] }
        return nil
    }

    /// The first keyword (in keyword order) found in any of `texts` (string nodes) outside an
    /// exclusion, with the first text holding it.
    public func firstMatch(in texts: [JSONNode]) -> (keyword: String, text: JSONNode)? {
        search(in: texts).found
    }

    /// What `texts` hold: the first keyword (in keyword order) found outside every exclusion
    /// and negation, with the first text holding it; and, for a report, the first keyword that
    /// occurs only inside exclusions or negations.
    public func search(in texts: [JSONNode]) -> (found: (keyword: String, text: JSONNode)?, excluded: ExcludedKeyword?) {
        guard !encoded.isEmpty else { return (nil, nil) }
        // Each text's exclusions, found the first time a keyword occurs in it.
        var exclusions = [Exclusions?](repeating: nil, count: texts.count)
        var excluded: ExcludedKeyword? = nil
        for index in encoded.indices {
            for (position, node) in texts.enumerated() {
                let result = occurrence(of: index, in: node.stringBytes) {
                    if let known = exclusions[position] { return known }
                    let found = Exclusions(in: node.stringBytes)
                    exclusions[position] = found
                    return found
                }
                if result.found != nil { return ((keywords[index], node), excluded) }
                if excluded == nil, let phrase = result.excludedBy {
                    excluded = ExcludedKeyword(keyword: keywords[index], text: node, phrase: phrase)
                }
            }
        }
        return (nil, excluded)
    }

    /// The offset of the first occurrence of keyword `index` in `text` outside its exclusions
    /// (asked for only once an occurrence is found) and the negations; else the phrase that
    /// held the first occurrence, if any.
    func occurrence(of index: Int, in text: UnsafeBufferPointer<UInt8>, exclusions: () -> Exclusions) -> (found: Int?, excludedBy: String?) {
        let needle = encoded[index]
        let count = needle.count
        guard count <= text.count, let base = text.baseAddress else { return (nil, nil) }
        var excludedBy: String? = nil
        let first = needle[0]
        var start = 0
        let last = text.count - count
        while start <= last {
            if base[start] == first {
                var matched = 1
                while matched < count && base[start + matched] == needle[matched] { matched += 1 }
                if matched == count {
                    if let span = exclusions().span(containing: start..<start + count) {
                        if excludedBy == nil { excludedBy = String(decoding: UnsafeBufferPointer(rebasing: text[span.phrase]), as: UTF8.self) }
                    } else if let phrase = negation(around: start, of: index, in: text) {
                        if excludedBy == nil { excludedBy = phrase }
                    } else {
                        return (start, nil)
                    }
                }
            }
            start += 1
        }
        return (nil, excludedBy)
    }

    /// The negation holding the occurrence of keyword `index` at `start`, if any.
    private func negation(around start: Int, of index: Int, in text: UnsafeBufferPointer<UInt8>) -> String? {
        for (phrase, offsets) in negationsOf[index] {
            for offset in offsets where start >= offset && start - offset + phrase.count <= text.count {
                if text[(start - offset)..<(start - offset + phrase.count)].elementsEqual(phrase) { return String(decoding: phrase, as: UTF8.self) }
            }
        }
        return nil
    }
}
