import CCheckABI
import Synchronization

/// A problem in the rule data, named precisely: file, item and field.
public struct RuleDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule-data file.
    public let file: String
    /// The item (or other entry) concerned, e.g. `item 5`, `citation wuwai-11`, if any.
    public let item: String?
    /// The JSON path of the field concerned.
    public let field: String
    /// What is wrong.
    public let problem: String

    /// An error in `file`, at `field` of `item`.
    public init(file: String, item: String? = nil, field: String, problem: String) {
        self.file = file
        self.item = item
        self.field = field
        self.problem = problem
    }

    /// Wraps a shape error from the JSON helpers.
    public init(file: String, item: String? = nil, _ error: JSONFieldError) {
        self.init(file: file, item: item, field: error.path, problem: "expected \(error.expected), found \(error.found)")
    }

    /// "rules/negative-list/national-2024.json: item 5: $.items[4].codes[0]: unknown GB/T 4754-2017 code B0999".
    public var description: String {
        [file, item, field, problem].compactMap { $0 }.joined(separator: ": ")
    }
}

/// The rule-data files handed to a plugin when it is loaded (valid only during `init`).
public struct RuleDataFiles {
    /// One file: its dataset (folder), path, and parsed root value.
    public struct File {
        /// The dataset (folder under `rules/`), e.g. `negative-list`.
        public let dataset: String
        /// The file's path, for messages.
        public let path: String
        /// The parsed content.
        public let root: JSONNode
    }

    /// All files, in the order the host found them (sorted by path).
    public let files: [File]

    init(_ arguments: check_open_args) {
        var files: [File] = []
        for index in 0..<Int(arguments.file_count) {
            let file = arguments.files[index]
            guard let document = file.document else { continue }
            files.append(File(dataset: String(cString: file.dataset), path: String(cString: file.path),
                              root: JSONNode(document: document, index: 0)))
        }
        self.files = files
    }

    /// The files of `dataset` whose root `kind` is `kind`.
    public func files(in dataset: String, kind: String) -> [File] {
        files.filter { $0.dataset == dataset && $0.root["kind"]?.string == kind }
    }

    /// Decodes every edition file of `dataset`, with each edition's item objects (in item
    /// order) for the plugin's own fields.
    public func editions(in dataset: String) throws(RuleDataError) -> [(edition: Edition, itemNodes: [JSONNode])] {
        var result: [(Edition, [JSONNode])] = []
        for file in files(in: dataset, kind: "edition") {
            let edition = try Edition(file.root, dataset: dataset, file: file.path)
            result.append((edition, Array(file.root["items"]?.children ?? JSONChildren.empty)))
        }
        return result
    }
}

/// How much of a text was read from its source (SPEC §7).
public enum TextStatus: String, Sendable, CaseIterable {
    /// Read word for word in this edition (or an unchanged carry-over, with where it was read).
    case verbatim
    /// A complete third-party transcription of the official text, checked for completeness
    /// (counts, numbering) and against independent quotations but not against the original:
    /// may be shown and matched against, labelled as such; never the ground of a `fail`.
    case transcribed
    /// Only an older edition's wording was read.
    case olderEdition = "older-edition"
    /// Wording read only in a secondary summary that may have shortened it.
    case unverified
    /// Not read; only its subject is known.
    case missing

    /// Whether a verdict of `fail` may rest on text with this status (only verbatim text).
    public var isDecisive: Bool { self == .verbatim }

    /// How the wording was obtained, as a clause a Chinese message or report can carry
    /// (one wording for every plugin and format).
    public var noteZh: String {
        switch self {
        case .verbatim: "条文已逐字核实"
        case .transcribed: "条文据转录本，尚未与官方文本核对"
        case .olderEdition: "所存条文只是旧版本的措辞，现行版本的原文未取得"
        case .unverified: "所存条文只见于二手转述，未能逐字核实"
        case .missing: "该项原文未取得，只知其涉及领域"
        }
    }

    /// A short Chinese name of the status, for counts (`转录本 619 条`).
    public var labelZh: String {
        switch self {
        case .verbatim: "逐字核实"
        case .transcribed: "据转录本"
        case .olderEdition: "仅有旧版措辞"
        case .unverified: "仅见二手转述"
        case .missing: "原文未取得"
        }
    }

    /// ``noteZh`` in English.
    public var noteEn: String {
        switch self {
        case .verbatim: "the wording is verified"
        case .transcribed: "the wording is from a transcription, not yet compared with the official text"
        case .olderEdition: "the wording held is an older edition's; the current wording was not obtained"
        case .unverified: "the wording was read only in a secondary source and is not verified"
        case .missing: "the item's wording was not obtained; only its subject is known"
        }
    }
}

/// A policy clause quoted verbatim from a source text.
public struct Citation: Sendable, Equatable {
    /// The id rules cite it by.
    public let id: String
    /// The id of its document (see `rules/documents.json`).
    public let documentID: String
    /// The clause, e.g. `（十一）`, `第5项`.
    public let clause: String
    /// The quoted words, a verbatim substring of the document's source text; nil if the text was not read.
    public let quote: String?
    /// How much of the wording was read.
    public let textStatus: TextStatus
    /// Where the quoted words were read when not in the document itself (a reprint, a summary,
    /// a news report, another authority's notice), for audit (SPEC §7); nil for the document's
    /// own text.
    public let source: String?
    /// Where the JSON value of this citation sits, for messages.
    public let path: String

    /// A citation.
    public init(id: String, documentID: String, clause: String, quote: String?, textStatus: TextStatus, source: String? = nil, path: String) {
        self.id = id
        self.documentID = documentID
        self.clause = clause
        self.quote = quote
        self.textStatus = textStatus
        self.source = source
        self.path = path
    }

    /// Decodes a citation object `{id, document, clause, quote, textStatus?, source?}`. Words
    /// read anywhere but in the document itself must say where (`source`) and cannot be
    /// `verbatim` unless that source is a faithful official reprint.
    public init(_ node: JSONNode) throws(JSONFieldError) {
        let status = try node.optional("textStatus").map { node throws(JSONFieldError) in try TextStatus.decode(node) } ?? .verbatim
        let source = try node.optional("source")?.asNonEmptyString()
        if status == .unverified && source == nil {
            throw JSONFieldError(path: node.path + ".source", expected: "where the unverified wording was read", found: "nothing")
        }
        self.init(id: try node.required("id").asNonEmptyString(),
                  documentID: try node.required("document").asNonEmptyString(),
                  clause: try node.required("clause").asNonEmptyString(),
                  quote: try node.optional("quote")?.asNonEmptyString(),
                  textStatus: status, source: source, path: node.path)
    }
}

extension TextStatus {
    /// Decodes a `textStatus` value.
    public static func decode(_ node: JSONNode) throws(JSONFieldError) -> TextStatus {
        // (Compared as bytes: the enum's `init(rawValue:)` is a string switch, several times
        // slower, and every item of a catalogue has a status.)
        guard node.kind == .string else { throw JSONFieldError(path: node.path, expected: "a string", found: node.summary) }
        let bytes = node.stringBytes
        let known: TextStatus? = JSONNode.bytes(bytes, are: "verbatim") ? .verbatim : JSONNode.bytes(bytes, are: "transcribed") ? .transcribed
            : JSONNode.bytes(bytes, are: "older-edition") ? .olderEdition : JSONNode.bytes(bytes, are: "unverified") ? .unverified
            : JSONNode.bytes(bytes, are: "missing") ? .missing : nil
        guard let status = known else {
            throw JSONFieldError(path: node.path, expected: "one of " + TextStatus.allCases.map(\.rawValue).joined(separator: ", "), found: node.summary)
        }
        return status
    }
}

/// One item of a catalogue edition (a negative-list measure, an encouraged-catalogue entry...).
public struct CatalogueItem: Sendable {
    /// The item's number in the edition, if known.
    public let number: Int?
    /// The key it is cited by within the edition: its number, or an explicit `ref`.
    public let key: String
    /// The item's wording as read (see `textStatus`), or nil.
    public let text: String?
    /// How much of the wording was read.
    public let textStatus: TextStatus
    /// GB/T 4754-2017 codes the item covers (a code covers its sub-codes).
    public let codes: [String]
    /// Keywords that confirm a match in a project's name, business scope or products.
    public let keywords: [String]
    /// The item's clause if it cannot be written from its number (e.g. number not read).
    public let clause: String?
    /// The heading the item is listed under: a 门类 (national encouraged catalogue), a province
    /// (regional catalogue), an industry (industry-structure catalogue); nil if not held.
    public let section: String?
    /// The heading below `section`, if any: a 制造业 大类, a 淘汰类 part (落后产品 …).
    public let subsection: String?
    /// The item's class in a catalogue with several (`encouraged`, `restricted`, `eliminated`).
    public let category: String?
    /// The GB/T 4754-2017 门类 or 大类 its heading names (written at import from the heading),
    /// the sector a project claiming it is expected to be in.
    public let sectorCodes: [String]
    /// The products and processes the item lists (``ItemPhrases``), written at import for the
    /// items of a catalogue with classes (限制类, 淘汰类 …): what a project's texts are searched for.
    public let phrases: [String]
    /// The dataset and edition it belongs to (for its citation id).
    let dataset: String, editionID: String
    /// Its position in the edition's `items`.
    public let position: Int

    /// Id of the citation of this item, `<dataset>/<edition>#<key>`. (Written when asked for,
    /// as `path` is: a catalogue has thousands of items, and a report names few.)
    public var citationID: String { "\(dataset)/\(editionID)#\(key)" }
    /// The JSON path of the item in its file.
    public var path: String { "$.items[\(position)]" }
}

/// One catalogue item's members, found in one pass over its object and checked for kind, none
/// yet made into a `String`: what a full decode (``CatalogueItem``) and the host's check of a
/// whole catalogue (``CheckedItem``) both start from. A catalogue has thousands of items, each
/// checked by the host and decoded by its plugin; a lookup by name per field, and a `String`
/// per value the host does not use, cost several times more.
struct ItemMembers {
    var number: Int?
    var ref: JSONNode?, text: JSONNode?, clause: JSONNode?, section: JSONNode?, subsection: JSONNode?, category: JSONNode?
    var codes: JSONNode?, keywords: JSONNode?, sectorCodes: JSONNode?, phrases: JSONNode?
    var textStatus: TextStatus
    /// The key's UTF-8: the `ref`, or the number's digits.
    var key: [UInt8]

    /// The members of item `position` (`node`), checked as the decode reads them: each field
    /// from its first member, null as absent.
    init(_ node: JSONNode, at position: Int) throws(JSONFieldError) {
        // (Made only for a message; `node.path`, walked up from the node, costs more still.)
        func path() -> String { "$.items[\(position)]" }
        guard node.kind == .object else { throw JSONFieldError(path: path(), expected: "an object", found: node.summary) }
        var status: TextStatus?
        var found: UInt16 = 0
        func first(_ bit: UInt16) -> Bool {
            defer { found |= bit }
            return found & bit == 0
        }
        func string(_ member: JSONNode) throws(JSONFieldError) -> JSONNode {
            guard member.kind == .string else { throw JSONFieldError(path: member.path, expected: "a string", found: member.summary) }
            guard member.stringBytes.count > 0 else { throw JSONFieldError(path: member.path, expected: "a non-empty string", found: "an empty string") }
            return member
        }
        func strings(_ member: JSONNode) throws(JSONFieldError) -> JSONNode {
            guard member.kind == .array else { throw JSONFieldError(path: member.path, expected: "an array", found: member.summary) }
            for element in member.children where element.kind != .string {
                throw JSONFieldError(path: element.path, expected: "a string", found: element.summary)
            }
            return member
        }
        for member in node.children where !member.isNull {
            // (By length first: most members are compared with one name, not twelve.)
            let name = member.keyBytes
            switch name.count {
            case 3: if JSONNode.bytes(name, are: "ref"), first(8) { ref = try string(member) }
            case 4: if JSONNode.bytes(name, are: "text"), first(1) { text = try string(member) }
            case 5: if JSONNode.bytes(name, are: "codes"), first(256) { codes = try strings(member) }
            case 6:
                if JSONNode.bytes(name, are: "number") { if first(4) { number = try member.asInteger() } }
                else if JSONNode.bytes(name, are: "clause"), first(16) { clause = try string(member) }
            case 7:
                if JSONNode.bytes(name, are: "section") { if first(32) { section = try string(member) } }
                else if JSONNode.bytes(name, are: "phrases"), first(2048) { phrases = try strings(member) }
            case 8:
                if JSONNode.bytes(name, are: "category") { if first(128) { category = try string(member) } }
                else if JSONNode.bytes(name, are: "keywords"), first(512) { keywords = try strings(member) }
            case 10:
                if JSONNode.bytes(name, are: "textStatus") { if first(2) { status = try TextStatus.decode(member) } }
                else if JSONNode.bytes(name, are: "subsection"), first(64) { subsection = try string(member) }
            case 11: if JSONNode.bytes(name, are: "sectorCodes"), first(1024) { sectorCodes = try strings(member) }
            default: break
            }
        }
        // A `ref` is the key where numbers restart under each heading (`山西省/5`).
        guard let key = ref.map({ ItemMembers.bytes($0.stringBytes) }) ?? number.map(ItemMembers.digits) else {
            throw JSONFieldError(path: path(), expected: "a `number` or a `ref`", found: "neither")
        }
        guard let status else {
            throw JSONFieldError(path: path() + ".textStatus", expected: "a value", found: "nothing (the field is missing)")
        }
        if text == nil && status != .missing {
            throw JSONFieldError(path: path() + ".text", expected: "the item's wording (textStatus is \(status.rawValue))", found: "nothing")
        }
        self.key = key
        self.textStatus = status
    }

    /// A copy of `bytes` (one allocation and a copy: the generic array initialiser copied them
    /// one by one).
    static func bytes(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            if let source = bytes.baseAddress, !bytes.isEmpty { buffer.baseAddress!.initialize(from: source, count: bytes.count) }
            count = bytes.count
        }
    }

    /// The decimal digits of `number`, as `String(number)` writes them.
    static func digits(_ number: Int) -> [UInt8] {
        guard number > 0 else { return Array(String(number).utf8) }
        var digits: [UInt8] = []
        var rest = number
        while rest > 0 {
            digits.append(UInt8(0x30 + rest % 10))
            rest /= 10
        }
        return digits.reversed()
    }

    /// Checks the edition-wide rules on this item (`seen`: the keys so far).
    func checkInEdition(at position: Int, edition: String, declaredItemCount: Int?, file: String, seen: inout ItemKeySet) throws(RuleDataError) {
        func keyText() -> String { String(decoding: key, as: UTF8.self) }
        guard seen.insert(key) else {
            throw RuleDataError(file: file, item: "item \(keyText())", field: "$.items[\(position)]" + (ref != nil ? ".ref" : ".number"),
                                problem: "duplicate item number \(keyText()) in edition \(edition)")
        }
        if let number, let declaredItemCount, number > declaredItemCount {
            throw RuleDataError(file: file, item: "item \(keyText())", field: "$.items[\(position)].number",
                                problem: "item number \(number) exceeds the edition's \(declaredItemCount) items")
        }
    }
}

/// The item keys of an edition seen so far (UTF-8): an open-addressed table on ``bytesHash``.
/// (`Set<[UInt8]>` hashes an array element by element, and `Set<String>` normalises a key
/// that holds Chinese, `山西省/13`, before hashing it: several times the cost, per item.)
struct ItemKeySet {
    private var keys: [[UInt8]] = []
    private var slots: [Int32]
    private var shift: UInt64

    /// A set for about `capacity` keys.
    init(capacity: Int) {
        var size = 16, shift: UInt64 = 60
        while size < capacity * 2 { size *= 2; shift -= 1 }
        slots = [Int32](repeating: -1, count: size)
        self.shift = shift
        keys.reserveCapacity(capacity)
    }

    /// Adds `key`; false if it was already there.
    mutating func insert(_ key: [UInt8]) -> Bool {
        if keys.count * 2 >= slots.count { grow() }
        var slot = key.withUnsafeBufferPointer { Int(bytesHash($0) >> shift) }
        while slots[slot] >= 0 {
            if keys[Int(slots[slot])] == key { return false }
            slot = (slot + 1) & (slots.count - 1)
        }
        slots[slot] = Int32(keys.count)
        keys.append(key)
        return true
    }

    private mutating func grow() {
        let held = keys
        self = ItemKeySet(capacity: slots.count)
        for key in held { _ = insert(key) }
    }
}

extension CatalogueItem {
    /// Item `position` of edition `edition` of `dataset`, its members made into values.
    init(_ members: ItemMembers, at position: Int, dataset: String, edition: String) {
        // (Kinds were checked by `ItemMembers`: these reads cannot fail.)
        func strings(_ node: JSONNode?) -> [String] { node.map { $0.children.map { $0.string ?? "" } } ?? [] }
        self.init(number: members.number, key: String(decoding: members.key, as: UTF8.self), text: members.text?.string,
                  textStatus: members.textStatus, codes: strings(members.codes), keywords: strings(members.keywords),
                  clause: members.clause?.string, section: members.section?.string, subsection: members.subsection?.string,
                  category: members.category?.string, sectorCodes: strings(members.sectorCodes), phrases: strings(members.phrases),
                  dataset: dataset, editionID: edition, position: position)
    }

    /// Decodes item `position` of `edition` (what a host that checked the edition with
    /// ``Edition/init(checking:dataset:file:eachItem:)`` reads an item's facts by, when it needs them).
    @_spi(CheckHost) public init(_ node: JSONNode, at position: Int, of edition: Edition) throws(JSONFieldError) {
        self.init(try ItemMembers(node, at: position), at: position, dataset: edition.dataset, edition: edition.id)
    }
}

/// What a host keeps of an item when it checks an edition without decoding its items
/// (``Edition/init(checking:dataset:file:eachItem:)``): valid only during that call.
@_spi(CheckHost) public struct CheckedItem {
    /// The item's position in `items`.
    public let position: Int
    /// Its object.
    public let node: JSONNode
    /// Its key (UTF-8).
    public let key: [UInt8]
    /// Its wording, a string value, if held.
    public let text: JSONNode?
    /// How much of the wording was read.
    public let textStatus: TextStatus
}

/// Whether a date was read in a source or inferred (e.g. the day before the next edition).
public enum DateStatus: String, Sendable {
    /// Read in a source.
    case verified
    /// Inferred, not read; the edition's notes say from what.
    case inferred

    static func decode(_ node: JSONNode?) throws(JSONFieldError) -> DateStatus {
        guard let node else { return .verified }
        guard let status = DateStatus(rawValue: try node.asString()) else {
            throw JSONFieldError(path: node.path, expected: "verified or inferred", found: node.summary)
        }
        return status
    }
}

/// A dated edition of a catalogue or list: one rule-data file of kind `edition`.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
public final class Edition: Sendable {
    /// The dataset (folder under `rules/`).
    public let dataset: String
    /// Unique within the dataset, e.g. `national-2024`.
    public let id: String
    /// Editions of one series replace each other and must not overlap in time.
    public let series: String
    /// The edition's title, e.g. `外商投资准入特别管理措施（负面清单）（2024年版）`.
    public let title: String
    /// The id of the document that enacted it (see `rules/documents.json`).
    public let documentID: String
    /// When it is in force.
    public let effective: DayRange
    /// Whether the start date was read (`verified`) or inferred from a neighbouring edition.
    public let effectiveFromStatus: DateStatus
    /// Whether the end date was read (`verified`) or inferred from a neighbouring edition.
    public let effectiveToStatus: DateStatus
    /// The edition it replaced, if any.
    public let supersedes: String?
    /// The edition that replaced it, if any.
    public let supersededBy: String?
    /// How many items the official text has, if known.
    public let declaredItemCount: Int?
    /// How an item's clause is written, `{n}` standing for its key, e.g. `第{n}项`.
    public let itemClause: String
    /// `itemClause` cut at each `{n}` (done once: evaluations name clauses often).
    private let itemClauseSegments: [Substring]
    /// The items whose facts are held (may be fewer than `declaredItemCount`).
    public let items: [CatalogueItem]
    /// The file it came from.
    public let file: String

    /// Decodes an edition file, checking the generic rules: dates, unique item keys, statuses.
    public convenience init(_ root: JSONNode, dataset: String, file: String) throws(RuleDataError) {
        try self.init(root, dataset: dataset, file: file, items: .decode, eachItem: { _ in })
    }

    /// Decodes an edition file's own fields (dates, title, clause form …) but not its items:
    /// `items` is empty (``DeferredEdition`` decodes them later).
    convenience init(headerOf root: JSONNode, dataset: String, file: String) throws(RuleDataError) {
        try self.init(root, dataset: dataset, file: file, items: .skip, eachItem: { _ in })
    }

    /// Checks an edition file as ``init(_:dataset:file:)`` does, without decoding its items:
    /// `items` is empty, and `eachItem` is given each checked item instead (for a host, which
    /// checks every catalogue at start and reads few of its items again).
    @_spi(CheckHost) public convenience init(checking root: JSONNode, dataset: String, file: String,
                                             eachItem: (CheckedItem) -> Void) throws(RuleDataError) {
        try self.init(root, dataset: dataset, file: file, items: .check, eachItem: eachItem)
    }

    /// What an edition's decoding does with its items: decodes them into `items`, checks them
    /// (giving each to `eachItem`), or leaves them.
    private enum ItemHandling {
        case decode, check, skip
    }

    private init(_ root: JSONNode, dataset: String, file: String, items handling: ItemHandling, eachItem: (CheckedItem) -> Void) throws(RuleDataError) {
        do {
            self.dataset = dataset
            self.file = file
            id = try root.required("id").asNonEmptyString()
            series = try root.required("series").asNonEmptyString()
            title = try root.required("title").asNonEmptyString()
            documentID = try root.required("document").asNonEmptyString()
            let from = try Day.decode(try root.required("effectiveFrom"))
            let through = try root.optional("effectiveTo").map { node throws(JSONFieldError) in try Day.decode(node) }
            if let through, through < from {
                throw JSONFieldError(path: root.path + ".effectiveTo", expected: "a day on or after effectiveFrom \(from)", found: through.description)
            }
            effective = DayRange(from: from, through: through)
            effectiveFromStatus = try DateStatus.decode(root.optional("effectiveFromStatus"))
            effectiveToStatus = try DateStatus.decode(root.optional("effectiveToStatus"))
            supersedes = try root.optional("supersedes")?.asNonEmptyString()
            supersededBy = try root.optional("supersededBy")?.asNonEmptyString()
            declaredItemCount = try root.optional("itemCount")?.asInteger()
            itemClause = try root.optional("itemClause")?.asNonEmptyString() ?? "第{n}项"
            itemClauseSegments = Edition.segments(of: itemClause)
            var items: [CatalogueItem] = []
            let itemList = root.optional("items")
            if let itemList, itemList.kind != .array { throw JSONFieldError(path: "$.items", expected: "an array", found: itemList.summary) }
            let count = itemList?.count ?? 0
            var seen = ItemKeySet(capacity: count)
            if handling == .decode { items.reserveCapacity(count) }
            for (position, node) in (itemList?.children ?? JSONChildren.empty).enumerated() where handling != .skip {
                let members = try ItemMembers(node, at: position)
                try members.checkInEdition(at: position, edition: id, declaredItemCount: declaredItemCount, file: file, seen: &seen)
                switch handling {
                case .decode: items.append(CatalogueItem(members, at: position, dataset: dataset, edition: id))
                case .check: eachItem(CheckedItem(position: position, node: node, key: members.key, text: members.text, textStatus: members.textStatus))
                case .skip: break
                }
            }
            self.items = items
        } catch let error as RuleDataError {
            throw error
        } catch let error as JSONFieldError {
            throw RuleDataError(file: file, item: Edition.itemName(at: error.path, in: root), error)
        } catch {
            throw RuleDataError(file: file, field: "$", problem: String(describing: error))
        }
    }

    /// `clause` cut at each `{n}`, empty segments kept (`String.split` with a string separator
    /// is a generic search costing more than the rest of reading a small edition).
    static func segments(of clause: String) -> [Substring] {
        var segments: [Substring] = []
        var start = clause.startIndex, index = clause.startIndex
        while index < clause.endIndex {
            if clause[index...].hasPrefix("{n}") {
                segments.append(clause[start..<index])
                index = clause.index(index, offsetBy: 3)
                start = index
            } else {
                index = clause.index(after: index)
            }
        }
        segments.append(clause[start...])
        return segments
    }

    /// The clause of item `key` when it has no clause of its own, e.g. `第5项`.
    public func clause(ofKey key: String) -> String {
        itemClauseSegments.joined(separator: key)
    }

    /// The clause of `item`, e.g. `第5项`.
    public func clause(of item: CatalogueItem) -> String {
        item.clause ?? clause(ofKey: item.key)
    }

    /// The item with `key`, if held.
    public func item(_ key: String) -> CatalogueItem? { items.first { $0.key == key } }

    /// "item 5" for a path inside `$.items[4]`, if the path is inside an item.
    public static func itemName(at path: String, in root: JSONNode) -> String? {
        guard path.hasPrefix("$.items["), let close = path.firstIndex(of: "]"),
              let position = Int(path[path.index(path.startIndex, offsetBy: 8)..<close]),
              let item = root["items"]?[position] else { return nil }
        if let ref = item["ref"]?.string { return "item \(ref)" }
        if let number = item["number"]?.integer { return "item \(number)" }
        return "item at index \(position)"
    }
}

/// An edition whose items a plugin decodes only when first wanted (a catalogue of a thousand
/// items that few applications need): its own fields decoded at once, its file copied (rule
/// data is handed to a plugin's `init` only for its duration), its items decoded from the copy
/// on first use, once. The host checked those items at load with the same decoder.
public final class DeferredEdition: Sendable {
    /// The edition's own fields; its `items` are empty (see ``items``).
    public let edition: Edition
    private let source: JSONDocument
    private let decoded = Mutex<[CatalogueItem]?>(nil)

    /// The edition file `root` of `dataset`, named `file` in messages.
    public init(_ root: JSONNode, dataset: String, file: String) throws(RuleDataError) {
        edition = try Edition(headerOf: root, dataset: dataset, file: file)
        source = JSONDocument(copying: root.document)
    }

    /// The edition's items, decoded on first use.
    public var items: [CatalogueItem] {
        decoded.withLock { decoded in
            if let decoded { return decoded }
            // (Checked at load by the same decoder, on a copy that cannot change: cannot fail.)
            guard let full = try? source.withRoot({ root in try Edition(root, dataset: edition.dataset, file: edition.file) }) else {
                preconditionFailure("the items of \(edition.file) were checked at load and no longer decode")
            }
            decoded = full.items
            return full.items
        }
    }
}

extension [Edition] {
    /// The edition of `series` in force on `day`, if any.
    public func inForce(series: String, on day: Day) -> Edition? {
        first { $0.series == series && $0.effective.contains(day) }
    }
}

extension Day {
    /// Decodes a `YYYY-MM-DD` string value.
    public static func decode(_ node: JSONNode) throws(JSONFieldError) -> Day {
        guard let text = node.string, let day = Day(text) else {
            throw JSONFieldError(path: node.path, expected: "a date YYYY-MM-DD", found: node.summary)
        }
        return day
    }
}

/// A number with its unit, as rule data holds thresholds: `{ "value": 10000, "unit": "tce" }`.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    /// The units thresholds may use, sorted. (An array: a `Set` cost each plugin using it a
    /// search of every loaded library's protocol conformances on first use, at start-up.)
    public static let units = ["CNY", "USD", "kWh", "percent", "persons", "tce"]

    /// The value, exactly.
    public let value: DecimalNumber
    /// The unit: one of ``units``.
    public let unit: String

    /// Decodes `{value, unit}`, checking the unit.
    public init(_ node: JSONNode) throws(JSONFieldError) {
        value = try node.required("value").asDecimal()
        let unitNode = try node.required("unit")
        unit = try unitNode.asString()
        guard Threshold.units.contains(unit) else {
            throw JSONFieldError(path: unitNode.path, expected: "a unit among " + Threshold.units.joined(separator: ", "), found: unitNode.summary)
        }
    }

    /// "10,000 tce".
    public var description: String { "\(value.grouped) \(unit)" }
}
