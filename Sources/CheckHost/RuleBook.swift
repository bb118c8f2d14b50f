import CHostSystem
import CCheckABI
@_spi(CheckHost) import CheckAPI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A policy document: the law, order or notice clauses are quoted from (`rules/documents.json`).
/// A class: findings on many threads refer to the same immutable record.
public final class PolicyDocument: Sendable {
    /// The id citations use.
    public let id: String
    /// The full title.
    public let title: String
    /// The document number (文号), e.g. `国办发〔2012〕32号`, if known.
    public let number: String?
    /// The issuing bodies, if known.
    public let issuer: String?
    /// The date of the document, if known.
    public let date: Day?
    /// Where it was read.
    public let sources: [String]
    /// The source texts quotes are checked against (relative to the rules root): `text`, or `texts`.
    public let textFiles: [String]
    /// Those texts, loaded: well-formed UTF-8, kept as bytes (quotes are checked byte for byte,
    /// and an imported catalogue's text is hundreds of kilobytes a `String` would check again).
    public let textBytes: [[UInt8]]
    /// Those texts as strings (made on each call).
    public var texts: [String] { textBytes.map { String(decoding: $0, as: UTF8.self) } }

    init(id: String, title: String, number: String?, issuer: String?, date: Day?, sources: [String], textFiles: [String], textBytes: [[UInt8]]) {
        self.id = id
        self.title = title
        self.number = number
        self.issuer = issuer
        self.date = date
        self.sources = sources
        self.textFiles = textFiles
        self.textBytes = textBytes
    }
}

/// A citation ready for a report: the clause with its document's title and number. A class:
/// findings on many threads refer to the same immutable record.
public final class ResolvedCitation: Sendable {
    /// The citation's id.
    public let id: String
    /// The citation as held in the rule data.
    public let citation: Citation
    /// Its document.
    public let document: PolicyDocument

    init(id: String, citation: Citation, document: PolicyDocument) {
        self.id = id
        self.citation = citation
        self.document = document
    }

    /// The report's citation object as compact JSON (``CitationIndex`` keeps it: reports quote
    /// the same clauses thousands of times; see `JSONReport`).
    func writeCompactJSON() -> [UInt8] {
        var writer = JSONWriter()
        JSONReport.writeCitation(id: id, citation: citation, document: document, to: &writer)
        return writer.bytes
    }
}

/// One rule-data file of a dataset, parsed, as handed to plugins.
public struct DatasetFile: Sendable {
    /// The dataset (folder under the rules root).
    public let dataset: String
    /// The file, as shown in messages.
    public let path: String
    /// Its parsed content.
    public let document: JSONDocument
}

/// Everything under the rules root(s), loaded and validated: the GB/T table, the documents and
/// their texts, the citations (every quote verbatim in its source), the datasets plugins need.
public struct RuleBook: Sendable {
    /// The folders it was loaded from, in order.
    public let roots: [URL]
    /// GB/T 4754-2017.
    public let industries: IndustryTable
    /// Documents by id.
    public let documents: [String: PolicyDocument]
    /// Every citable clause by id: seed clauses, dataset citations and catalogue items.
    public let citations: CitationIndex
    /// Dataset files by dataset name, sorted by path.
    public let datasets: [String: [DatasetFile]]
    /// Every edition in every dataset, sorted by dataset, series and start date. Their items
    /// are checked, not decoded (`items` is empty): plugins decode what they use.
    public let editions: [Edition]
    /// Per edition (`dataset/id`), how many items it holds in each text status.
    let itemCounts: [String: [TextStatus: Int]]

    /// How many items `edition` holds, in all and in each text status.
    public func itemCounts(of edition: Edition) -> (held: Int, byStatus: [TextStatus: Int]) {
        let counts = itemCounts["\(edition.dataset)/\(edition.id)"] ?? [:]
        return (counts.values.reduce(0, +), counts)
    }

    /// Folder names under a rules root that are not datasets.
    static let reservedFolders: Set<String> = ["sources", "gbt4754-2017"]

    /// Loads and validates the rule data in `roots` (the first holds the GB/T table). Throws
    /// ``RuleBookErrors`` listing every problem found, each naming file, item and field.
    public static func load(roots: [URL]) throws -> RuleBook {
        var loader = RuleBookLoader(roots: roots)
        return try loader.load()
    }

    /// The files of dataset `name` as ``load(roots:)`` gives them, read without its checks (nor
    /// the GB/T table, the documents or the other datasets): for a worker process, whose host
    /// has loaded and checked the same rule data. Nil where ``load(roots:)`` has no such dataset.
    static func uncheckedFiles(of name: String, roots: [URL]) -> [DatasetFile]? {
        guard isDatasetFolder(name), !name.contains("/") else { return nil }
        var files: [DatasetFile] = []
        for root in roots {
            for url in jsonFiles(in: root.appendingPathComponent(name)) {
                guard let bytes = RuleBook.fileBytes(url.path), let document = try? JSONReader.parse(bytes) else { return nil }
                files.append(DatasetFile(dataset: name, path: displayPath(url, roots: roots), document: document))
            }
        }
        return files.isEmpty ? nil : files
    }

    /// The bytes of the regular file at `path`, read straight into an array (rule data and its
    /// source texts are megabytes read at every start: through `Data`, they were copied twice);
    /// nil if it cannot be read.
    static func fileBytes(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: 0)
        var size = Int(status.st_size)
        while true {
            // (Read to the end, whatever the size said: a file may grow while it is read.)
            var failed = false
            bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
                count = 0
                while count < buffer.count {
                    let read = Glibc.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
                    if read < 0 { if errno == EINTR { continue }; failed = true; break }
                    if read == 0 { break }
                    count += read
                }
            }
            guard !failed else { return nil }
            guard bytes.count == size + 1 else { return bytes }
            size *= 2
            guard lseek(descriptor, 0, SEEK_SET) == 0 else { return nil }
        }
    }

    /// Whether a folder of that name under a rules root holds a dataset.
    static func isDatasetFolder(_ name: String) -> Bool { !reservedFolders.contains(name) && !name.hasPrefix(".") }

    /// The `.json` files directly in `folder`, in name order (none if it is not a folder).
    static func jsonFiles(in folder: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    /// How rule data files are named in messages: relative to the folder holding their root.
    static func displayPath(_ url: URL, roots: [URL]) -> String {
        let path = url.path
        for root in roots {
            let parent = root.deletingLastPathComponent().path
            if path.hasPrefix(parent + "/") { return String(path.dropFirst(parent.count + 1)) }
        }
        return path
    }
}

/// All problems found in rule data, one per line.
public struct RuleBookErrors: Error, Sendable, CustomStringConvertible {
    /// The problems.
    public let problems: [RuleDataError]

    /// One problem per line.
    public var description: String {
        "rule data is invalid (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n" + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}

private struct RuleBookLoader {
    let roots: [URL]
    var problems: [RuleDataError] = []
    var documents: [String: PolicyDocument] = [:]
    /// Source texts read so far, by path (several documents may quote one file).
    var sourceTexts: [String: [UInt8]?] = [:]
    /// Every citation of `citations` lists found, with where (items' are in `editionItems`).
    var rawCitations: [(citation: Citation, file: String, item: String)] = []
    var datasets: [String: [DatasetFile]] = [:]
    var editions: [Edition] = []
    /// Per edition (same order): its parsed file, and what its items' citations are made from.
    var editionItems: [(file: JSONDocument, items: [ItemRecord])] = []
    var industries: IndustryTable?

    /// A checked item of an edition, for its citation.
    struct ItemRecord {
        let position: Int
        /// The item's object in the edition's file.
        let node: UInt32
        let key: [UInt8]
        let textStatus: TextStatus
        /// Its wording's string value, if held.
        let text: UInt32?
    }

    init(roots: [URL]) {
        self.roots = roots
    }

    mutating func load() throws -> RuleBook {
        guard let first = roots.first else { throw HostError("no rules folder given") }
        for root in roots where !FileManager.default.fileExists(atPath: root.path) {
            throw HostError("rules folder \(root.path) does not exist")
        }
        do {
            industries = try IndustryTable(folder: first.appendingPathComponent("gbt4754-2017"))
        } catch {
            throw HostError("\(error)")
        }
        for root in roots {
            loadDocuments(root)
            loadCitationFile(root.appendingPathComponent("citations.json"), root: root, required: root == first)
            loadDatasets(root)
        }
        checkEditions()
        let citations = resolveCitations()
        if !problems.isEmpty { throw RuleBookErrors(problems: problems) }
        var itemCounts: [String: [TextStatus: Int]] = [:]
        for (edition, source) in zip(editions, editionItems) {
            itemCounts["\(edition.dataset)/\(edition.id)"] = source.items.reduce(into: [:]) { $0[$1.textStatus, default: 0] += 1 }
        }
        return RuleBook(roots: roots, industries: industries!, documents: documents, citations: citations,
                        datasets: datasets, editions: editions.sorted { ($0.dataset, $0.series, $0.effective.from!) < ($1.dataset, $1.series, $1.effective.from!) },
                        itemCounts: itemCounts)
    }

    func display(_ url: URL) -> String { RuleBook.displayPath(url, roots: roots) }

    mutating func parse(_ url: URL) -> JSONDocument? {
        guard let bytes = RuleBook.fileBytes(url.path) else {
            problems.append(RuleDataError(file: display(url), field: "$", problem: "cannot read the file"))
            return nil
        }
        do {
            let document = try JSONReader.parse(bytes)
            // A repeated member would be read once and the other copy silently ignored.
            if let duplicate = RuleBookLoader.firstDuplicateMember(in: document) {
                problems.append(RuleDataError(file: display(url), field: duplicate.path,
                                              problem: "member \(JSONWriter.quoted(duplicate.name)) appears twice in one object"))
                return nil
            }
            return document
        } catch {
            problems.append(RuleDataError(file: display(url), field: error.path, problem: "not valid JSON: line \(error.line), column \(error.column): expected \(error.expected), found \(error.found)"))
            return nil
        }
    }

    /// The first member, in document order, whose name occurs earlier in the same object.
    static func firstDuplicateMember(in document: JSONDocument) -> (name: String, path: String)? {
        document.withCDocument { pointer in
            for index in document.nodes.indices where document.nodes[index].kind == CHECK_OBJECT.rawValue {
                if let duplicate = JSONNode(document: pointer, index: UInt32(index)).duplicateMember { return duplicate }
            }
            return nil
        }
    }

    func problem(from error: any Error, file: String) -> RuleDataError {
        switch error {
        case let error as RuleDataError: error
        case let error as JSONFieldError: RuleDataError(file: file, error)
        default: RuleDataError(file: file, field: "$", problem: "\(error)")
        }
    }

    mutating func loadDocuments(_ root: URL) {
        let url = root.appendingPathComponent("documents.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            if root == roots.first { problems.append(RuleDataError(file: display(url), field: "$", problem: "missing: every rules root needs its documents")) }
            return
        }
        guard let parsed = parse(url) else { return }
        let file = display(url)
        parsed.withRoot { root in
            do {
                for node in try root.required("documents").asArray() {
                    let id = try node.required("id").asNonEmptyString()
                    var textFiles: [(file: String, field: String)] = []
                    if let single = node.optional("text") { textFiles.append((try single.asNonEmptyString(), single.path)) }
                    for entry in try node.optional("texts")?.asArray() ?? [] { textFiles.append((try entry.asNonEmptyString(), entry.path)) }
                    var texts: [[UInt8]] = []
                    for (textFile, field) in textFiles {
                        let textURL = url.deletingLastPathComponent().appendingPathComponent(textFile)
                        if let bytes = sourceText(textURL.path) {
                            texts.append(bytes)
                        } else {
                            problems.append(RuleDataError(file: file, item: "document \(id)", field: field,
                                                          problem: "source text \(textFile) is missing or not UTF-8 (or holds a NUL byte)"))
                        }
                    }
                    guard documents[id] == nil else {
                        problems.append(RuleDataError(file: file, item: "document \(id)", field: node.path + ".id", problem: "duplicate document id"))
                        continue
                    }
                    documents[id] = PolicyDocument(
                        id: id, title: try node.required("title").asNonEmptyString(), number: try node.optional("number")?.asString(),
                        issuer: try node.optional("issuer")?.asString(), date: try node.optional("date").map { node throws(JSONFieldError) in try Day.decode(node) },
                        sources: try node.optional("sources")?.asStrings() ?? [], textFiles: textFiles.map(\.file), textBytes: texts)
                }
            } catch {
                problems.append(problem(from: error, file: file))
            }
        }
    }

    /// The source text at `path`, read and checked once however many documents name it;
    /// nil if it cannot be read or is not well-formed UTF-8 (or holds a NUL).
    mutating func sourceText(_ path: String) -> [UInt8]? {
        if let known = sourceTexts[path] { return known }
        var text: [UInt8]? = nil
        if let bytes = RuleBook.fileBytes(path), bytes.withUnsafeBufferPointer({ checkText($0) }) != .invalid {
            text = bytes
        }
        sourceTexts[path] = .some(text)
        return text
    }

    mutating func loadCitationFile(_ url: URL, root: URL, required: Bool) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            if required { problems.append(RuleDataError(file: display(url), field: "$", problem: "missing: the seed clauses must be present")) }
            return
        }
        guard let parsed = parse(url) else { return }
        collectCitations(in: parsed, file: display(url))
    }

    mutating func collectCitations(in document: JSONDocument, file: String) {
        document.withRoot { root in
            guard let list = root.optional("citations") else { return }
            do {
                for node in try list.asArray() {
                    let citation = try Citation(node)
                    rawCitations.append((citation, file, "citation \(citation.id)"))
                }
            } catch {
                problems.append(problem(from: error, file: file))
            }
        }
    }

    mutating func loadDatasets(_ root: URL) {
        let manager = FileManager.default
        let folders = ((try? manager.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
        for folder in folders where RuleBook.isDatasetFolder(folder) {
            let folderURL = root.appendingPathComponent(folder)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: folderURL.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for url in RuleBook.jsonFiles(in: folderURL) {
                guard let parsed = parse(url) else { continue }
                let file = display(url)
                loadDatasetFile(parsed, dataset: folder, file: file)
                datasets[folder, default: []].append(DatasetFile(dataset: folder, path: file, document: parsed))
            }
        }
    }

    mutating func loadDatasetFile(_ parsed: JSONDocument, dataset: String, file: String) {
        collectCitations(in: parsed, file: file)
        parsed.withRoot { root in
            let kind = root["kind"]?.string
            switch kind {
            case "edition":
                do {
                    // (Checked, not decoded: the host keeps what an item's citation is made from.)
                    var items: [ItemRecord] = []
                    let edition = try Edition(checking: root, dataset: dataset, file: file) { item in
                        items.append(ItemRecord(position: item.position, node: item.node.index, key: item.key,
                                                textStatus: item.textStatus, text: item.text?.index))
                    }
                    if let duplicate = editions.first(where: { $0.dataset == dataset && $0.id == edition.id }) {
                        problems.append(RuleDataError(file: file, field: "$.id", problem: "edition id \(edition.id) is also used by \(duplicate.file)"))
                    } else {
                        editions.append(edition)
                        editionItems.append((parsed, items))
                    }
                } catch {
                    problems.append(problem(from: error, file: file))
                }
            case "table":
                break
            default:
                problems.append(RuleDataError(file: file, field: "$.kind", problem: "expected \"edition\" or \"table\", found \(root["kind"]?.summary ?? "nothing")"))
            }
        }
        checkCodes(in: parsed, file: file)
    }

    /// Every string in an array named `codes` (or `sectorCodes`, which may also name a 门类),
    /// anywhere in the file, must be a GB/T 4754-2017 code. One pass over the document's nodes,
    /// comparing member names as bytes: a catalogue holds tens of thousands of values, and
    /// walking them as `JSONNode`s with `String` keys cost more than parsing the file.
    mutating func checkCodes(in document: JSONDocument, file: String) {
        guard let industries else { return }
        var found: [RuleDataError] = []
        document.withCDocument { pointer in
            for index in document.nodes.indices where document.nodes[index].kind == CHECK_ARRAY.rawValue {
                let node = JSONNode(document: pointer, index: UInt32(index))
                let key = node.keyBytes
                let isSector = JSONNode.bytes(key, are: "sectorCodes")
                guard isSector || JSONNode.bytes(key, are: "codes") else { continue }
                for code in node.children {
                    if let text = code.string, industries.contains(text) || (isSector && industries.isSection(text)) { continue }
                    let suggestion = code.string.map { industries.nearest(to: $0) } ?? []
                    found.append(RuleDataError(
                        file: file, item: Edition.itemName(at: code.path, in: JSONNode(document: pointer, index: 0)), field: code.path,
                        problem: "unknown GB/T 4754-2017 code \(code.summary)" + (suggestion.isEmpty ? "" : "; nearest valid codes: " + suggestion.joined(separator: ", "))))
                }
            }
        }
        problems += found
    }

    /// Editions of one series must be ordered and must not overlap; references must resolve.
    mutating func checkEditions() {
        let groups = Dictionary(grouping: editions) { "\($0.dataset)/\($0.series)" }
        for key in groups.keys.sorted() {
            let series = groups[key]!.sorted { $0.effective.from! < $1.effective.from! }
            for (earlier, later) in zip(series, series.dropFirst()) {
                guard let end = earlier.effective.through, end < later.effective.from! else {
                    problems.append(RuleDataError(
                        file: later.file, item: "edition \(later.id)", field: "$.effectiveFrom",
                        problem: "overlaps edition \(earlier.id) (\(earlier.effective)) of series \(later.series); end \(earlier.id) before \(later.effective.from!)"))
                    continue
                }
            }
        }
        for edition in editions {
            for (field, reference) in [("supersedes", edition.supersedes), ("supersededBy", edition.supersededBy)] {
                guard let reference else { continue }
                if !editions.contains(where: { $0.dataset == edition.dataset && $0.id == reference }) {
                    problems.append(RuleDataError(file: edition.file, item: "edition \(edition.id)", field: "$.\(field)",
                                                  problem: "no edition \(reference) in dataset \(edition.dataset)"))
                }
            }
            if documents[edition.documentID] == nil {
                problems.append(RuleDataError(file: edition.file, item: "edition \(edition.id)", field: "$.document",
                                              problem: "no document \(edition.documentID) in documents.json"))
            }
        }
    }

    /// Builds the registry, checking every quote verbatim against its document's text.
    mutating func resolveCitations() -> CitationIndex {
        var entries: [(id: [UInt8], entry: CitationIndex.Entry)] = []
        /// Per entry, where it came from: a position in `rawCitations`, or an edition's and an
        /// item's (read for a duplicate id's message only).
        var origins: [(citation: Int, edition: Int, item: Int)] = []
        // Per document, the items of its imported texts (`sources/imported/….csv.txt`, one
        // `key<TAB>text` per line, as the import writes them): an item's quote is found by one
        // lookup, where a search of the text for each of a catalogue's thousands of items was
        // most of start-up. Other quotes, and any not found so, are searched for.
        var lines: [String: ImportedLines] = [:]
        func wholeLines(of document: PolicyDocument) -> ImportedLines {
            if let known = lines[document.id] { return known }
            let made = ImportedLines(zip(document.textFiles, document.textBytes).filter { $0.0.hasSuffix(".csv.txt") }.map(\.1))
            lines[document.id] = made
            return made
        }
        /// Whether `quote` is verbatim in `document`'s texts; if not, a problem is added.
        /// (The names are made only for a message: a catalogue's thousands of items have none.)
        func verbatim(_ quote: UnsafeBufferPointer<UInt8>, in document: PolicyDocument, file: String, item: @autoclosure () -> String,
                      field: @autoclosure () -> String, documentField: @autoclosure () -> String) -> Bool {
            guard !document.textBytes.isEmpty else {
                problems.append(RuleDataError(file: file, item: item(), field: documentField(), problem: "document \(document.id) has no source text to check the quote against"))
                return false
            }
            if wholeLines(of: document).contains(quote) { return true }
            // (Found in one text is enough: the others are searched only when it is not.)
            let quote = String(decoding: quote, as: UTF8.self)
            var missing: String? = nil
            for text in document.textBytes {
                guard let miss = text.withUnsafeBufferPointer({ QuoteCheck.firstMissingFragment(of: quote, in: $0) }) else { return true }
                if missing == nil { missing = miss }
            }
            problems.append(RuleDataError(
                file: file, item: item(), field: field(),
                problem: "quote is not verbatim in \(document.textFiles.joined(separator: " or ")): \(JSONWriter.quoted(missing ?? quote)) not found"))
            return false
        }
        for (position, (citation, file, item)) in rawCitations.enumerated() {
            guard let document = documents[citation.documentID] else {
                problems.append(RuleDataError(file: file, item: item, field: citation.path + ".document", problem: "no document \(citation.documentID) in documents.json"))
                continue
            }
            if var quote = citation.quote {
                guard quote.withUTF8({ verbatim($0, in: document, file: file, item: item, field: citation.path + ".quote",
                                                       documentField: citation.path + ".document") }) else { continue }
            }
            entries.append((Array(citation.id.utf8), .resolved(ResolvedCitation(id: citation.id, citation: citation, document: document))))
            origins.append((position, -1, -1))
        }
        // Catalogue items: checked from their file's bytes; their citations are made when wanted.
        func itemName(_ record: ItemRecord) -> String { "item " + String(decoding: record.key, as: UTF8.self) }
        for (editionPosition, (edition, source)) in zip(editions, editionItems).enumerated() {
            guard let document = documents[edition.documentID] else { continue }   // (said by `checkEditions`)
            let prefix = Array("\(edition.dataset)/\(edition.id)#".utf8)
            let shared = ItemCitations(edition: edition, document: document, file: source.file)
            source.file.withCDocument { pointer in
                for (recordPosition, record) in source.items.enumerated() {
                    if let text = record.text {
                        guard verbatim(JSONNode(document: pointer, index: text).stringBytes, in: document, file: edition.file, item: itemName(record),
                                       field: "$.items[\(record.position)].text", documentField: "$.items[\(record.position)].text.document") else { continue }
                    }
                    let id = [UInt8](unsafeUninitializedCapacity: prefix.count + record.key.count) { buffer, count in
                        // (Two block copies: `prefix + key` appended byte by byte.)
                        prefix.withUnsafeBufferPointer { buffer.baseAddress!.initialize(from: $0.baseAddress!, count: prefix.count) }
                        record.key.withUnsafeBufferPointer { key in
                            if let base = key.baseAddress { (buffer.baseAddress! + prefix.count).initialize(from: base, count: key.count) }
                        }
                        count = prefix.count + record.key.count
                    }
                    entries.append((id, .item(ItemCitationSource(items: shared, node: record.node, position: record.position))))
                    origins.append((-1, editionPosition, recordPosition))
                }
            }
        }
        let (index, repeated) = CitationIndex.make(entries)
        for position in repeated {
            let origin = origins[position]
            if origin.citation >= 0 {
                let (citation, file, item) = rawCitations[origin.citation]
                problems.append(RuleDataError(file: file, item: item, field: citation.path, problem: "duplicate citation id"))
            } else {
                let record = editionItems[origin.edition].items[origin.item]
                problems.append(RuleDataError(file: editions[origin.edition].file, item: itemName(record), field: "$.items[\(record.position)]",
                                              problem: "duplicate citation id"))
            }
        }
        return index
    }
}

/// The item texts of imported source texts (`key<TAB>text` per line), for finding a quote
/// that is a whole item by one lookup: an open-addressed table of the texts' hashes.
struct ImportedLines {
    /// The source texts.
    private let texts: [[UInt8]]
    /// Per line with a tab: which text, and where its item text starts and ends.
    private let lines: [(text: Int32, start: Int32, end: Int32)]
    /// Positions in `lines` + 1 (0: empty), chosen by the top bits of a line's hash.
    private let slots: [Int32]
    private let shift: UInt64

    init(_ texts: [[UInt8]]) {
        self.texts = texts
        var lines: [(text: Int32, start: Int32, end: Int32)] = []
        var hashes: [UInt64] = []
        for (number, text) in texts.enumerated() {
            text.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                var start = 0
                while start < bytes.count {
                    let end = memchr(base + start, 0x0A, bytes.count - start).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
                    if let tab = memchr(base + start, 0x09, end - start).map({ base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }) {
                        lines.append((Int32(number), Int32(tab + 1), Int32(end)))
                        hashes.append(bytesHash(UnsafeBufferPointer(rebasing: bytes[(tab + 1)..<end])))
                    }
                    start = end + 1
                }
            }
        }
        var size = 16, shift: UInt64 = 60
        while size < lines.count * 2 { size *= 2; shift -= 1 }
        var slots = [Int32](repeating: 0, count: size)
        for (position, hash) in hashes.enumerated() {
            var slot = Int(hash >> shift)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(position + 1)
        }
        self.lines = lines
        self.slots = slots
        self.shift = shift
    }

    /// Whether `wanted` is, byte for byte, the text of one of the lines.
    func contains(_ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        var slot = Int(bytesHash(wanted) >> shift)
        while slots[slot] != 0 {
            let line = lines[Int(slots[slot]) - 1]
            if texts[Int(line.text)].withUnsafeBufferPointer({ bytesEqual(UnsafeBufferPointer(rebasing: $0[Int(line.start)..<Int(line.end)]), wanted) }) {
                return true
            }
            slot = (slot + 1) & (slots.count - 1)
        }
        return false
    }
}

/// Checks quotes against source texts. A quote may join fragments with `……`; each fragment
/// must occur in the text, in order.
public enum QuoteCheck {
    /// The separator between quoted fragments.
    public static let ellipsis = "……"

    /// The fragments of `quote` between `……` separators, empty ones dropped. (A byte search:
    /// Foundation's `components(separatedBy:)` was a visible share of start-up.)
    static func fragments(of quote: String) -> [String] {
        let separator = Array(ellipsis.utf8)
        var fragments: [String] = []
        var quote = quote
        quote.withUTF8 { bytes in
            var start = 0
            func take(_ end: Int) {
                if end > start { fragments.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)) }
            }
            separator.withUnsafeBufferPointer { separator in
                while let hit = QuoteCheck.find(separator, in: bytes, from: start) {
                    take(hit)
                    start = hit + separator.count
                }
            }
            take(bytes.count)
        }
        return fragments
    }

    /// The first fragment of `quote` not found (in order) in `text`, or nil if all are. The
    /// comparison is byte for byte on UTF-8: verbatim means the same bytes, no Unicode folding.
    public static func firstMissingFragment(of quote: String, in text: String) -> String? {
        var text = text
        return text.withUTF8 { firstMissingFragment(of: quote, in: $0) }
    }

    /// ``firstMissingFragment(of:in:)`` in UTF-8 `haystack`.
    static func firstMissingFragment(of quote: String, in haystack: UnsafeBufferPointer<UInt8>) -> String? {
        var offset = 0
        for fragment in fragments(of: quote) {
            var needle = fragment
            let found: Int? = needle.withUTF8 { needle in
                guard let hit = QuoteCheck.find(needle, in: haystack, from: offset) else { return nil }
                return hit + needle.count
            }
            guard let end = found else { return fragment }
            offset = end
        }
        return nil
    }

    /// The offset of the first occurrence of `needle` in `haystack` at or after `start`.
    /// (glibc's `memmem`: a search by first byte is slow on Chinese text, where every third
    /// byte is a lead byte of the same few values, and imported catalogues quote thousands of
    /// items against one source text at every start.)
    static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = haystack.baseAddress, let pattern = needle.baseAddress, needle.count > 0 else { return needle.isEmpty ? start : nil }
        guard start <= haystack.count - needle.count,
              let hit = check_find_bytes(base + start, haystack.count - start, pattern, needle.count) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// The sentence of `text` containing the first fragment of `quote` (from the previous `。`,
    /// `；` or line break to the next), for showing a clause in full. Works on UTF-8 bytes, so
    /// a match inside a grapheme cluster (`\n` of `\r\n`) cannot produce an invalid index.
    public static func sentence(containing quote: String, in text: String) -> String? {
        var text = text
        return text.withUTF8 { sentence(containing: quote, in: $0) }
    }

    /// ``sentence(containing:in:)`` in UTF-8 `bytes`.
    static func sentence(containing quote: String, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard var fragment = fragments(of: quote).first else { return nil }
        guard let hit = fragment.withUTF8({ needle in QuoteCheck.find(needle, in: bytes, from: 0).map { ($0, $0 + needle.count) } }) else { return nil }
        let stops: [[UInt8]] = [Array("。".utf8), [0x0A], Array("；".utf8)]
        func stop(endingAt end: Int) -> Bool { stops.contains { end >= $0.count && bytes[(end - $0.count)..<end].elementsEqual($0) } }
        func stop(startingAt start: Int) -> Int? {
            stops.first { start + $0.count <= bytes.count && bytes[start..<(start + $0.count)].elementsEqual($0) }?.count
        }
        var start = hit.0
        while start > 0, !stop(endingAt: start) { start -= 1 }
        var end = hit.1
        while end < bytes.count {
            if let length = stop(startingAt: end) { end += length; break }
            end += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
