import CCheckABI

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
        let text = try node.asString()
        guard let status = TextStatus(rawValue: text) else {
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
    /// Id of the citation of this item, `<dataset>/<edition>#<key>`.
    public let citationID: String
    /// The JSON path of the item in its file.
    public let path: String
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
    public init(_ root: JSONNode, dataset: String, file: String) throws(RuleDataError) {
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
            itemClauseSegments = itemClause.split(separator: "{n}", omittingEmptySubsequences: false)
            var items: [CatalogueItem] = []
            // Keys as bytes: hashing a `String` of Chinese (`山西省/13`) costs several times more,
            // and an imported catalogue has a thousand items.
            var seen = Set<[UInt8]>()
            let itemNodes = try root.optional("items")?.asArray() ?? []
            items.reserveCapacity(itemNodes.count)
            seen.reserveCapacity(itemNodes.count)
            for (position, node) in itemNodes.enumerated() {
                // (`node.path`, walked up from the node, is the same words at several times the cost.)
                let path = "$.items[\(position)]"
                let number = try node.optional("number")?.asInteger()
                // A `ref` is the key where numbers restart under each heading (`山西省/5`).
                guard let key = try node.optional("ref")?.asNonEmptyString() ?? number.map(String.init) else {
                    throw JSONFieldError(path: path, expected: "a `number` or a `ref`", found: "neither")
                }
                guard seen.insert(Array(key.utf8)).inserted else {
                    throw RuleDataError(file: file, item: "item \(key)", field: path + (node["ref"] != nil ? ".ref" : ".number"),
                                        problem: "duplicate item number \(key) in edition \(id)")
                }
                if let number, let declared = declaredItemCount, number > declared {
                    throw RuleDataError(file: file, item: "item \(key)", field: path + ".number",
                                        problem: "item number \(number) exceeds the edition's \(declared) items")
                }
                let status = try TextStatus.decode(try node.required("textStatus"))
                let text = try node.optional("text")?.asNonEmptyString()
                if text == nil && status != .missing {
                    throw JSONFieldError(path: path + ".text", expected: "the item's wording (textStatus is \(status.rawValue))", found: "nothing")
                }
                items.append(CatalogueItem(
                    number: number, key: key, text: text, textStatus: status,
                    codes: try node.optional("codes")?.asStrings() ?? [],
                    keywords: try node.optional("keywords")?.asStrings() ?? [],
                    clause: try node.optional("clause")?.asNonEmptyString(),
                    section: try node.optional("section")?.asNonEmptyString(),
                    subsection: try node.optional("subsection")?.asNonEmptyString(),
                    category: try node.optional("category")?.asNonEmptyString(),
                    sectorCodes: try node.optional("sectorCodes")?.asStrings() ?? [],
                    phrases: try node.optional("phrases")?.asStrings() ?? [],
                    citationID: "\(dataset)/\(id)#\(key)", path: path))
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

    /// The clause of `item`, e.g. `第5项`.
    public func clause(of item: CatalogueItem) -> String {
        item.clause ?? itemClauseSegments.joined(separator: item.key)
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
