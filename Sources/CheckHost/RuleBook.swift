import CHostSystem
import CCheckABI
import CheckAPI
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
    /// Those texts, loaded.
    public let texts: [String]

    init(id: String, title: String, number: String?, issuer: String?, date: Day?, sources: [String], textFiles: [String], texts: [String]) {
        self.id = id
        self.title = title
        self.number = number
        self.issuer = issuer
        self.date = date
        self.sources = sources
        self.textFiles = textFiles
        self.texts = texts
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
    /// The report's citation object, written once as compact JSON (reports quote the same
    /// clauses thousands of times; see `JSONReport`).
    let compactJSON: [UInt8]

    init(id: String, citation: Citation, document: PolicyDocument) {
        self.id = id
        self.citation = citation
        self.document = document
        var writer = JSONWriter()
        JSONReport.writeCitation(id: id, citation: citation, document: document, to: &writer)
        compactJSON = writer.bytes
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
    public let citations: [String: ResolvedCitation]
    /// Dataset files by dataset name, sorted by path.
    public let datasets: [String: [DatasetFile]]
    /// Every edition in every dataset, sorted by dataset, series and start date.
    public let editions: [Edition]

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
                guard let data = FileManager.default.contents(atPath: url.path), let document = try? JSONReader.parse([UInt8](data)) else { return nil }
                files.append(DatasetFile(dataset: name, path: displayPath(url, roots: roots), document: document))
            }
        }
        return files.isEmpty ? nil : files
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
    var rawCitations: [(citation: Citation, file: String, item: String)] = []
    var datasets: [String: [DatasetFile]] = [:]
    var editions: [Edition] = []
    var industries: IndustryTable?

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
        return RuleBook(roots: roots, industries: industries!, documents: documents, citations: citations,
                        datasets: datasets, editions: editions.sorted { ($0.dataset, $0.series, $0.effective.from!) < ($1.dataset, $1.series, $1.effective.from!) })
    }

    func display(_ url: URL) -> String { RuleBook.displayPath(url, roots: roots) }

    mutating func parse(_ url: URL) -> JSONDocument? {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            problems.append(RuleDataError(file: display(url), field: "$", problem: "cannot read the file"))
            return nil
        }
        do {
            let document = try JSONReader.parse([UInt8](data))
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
                    var texts: [String] = []
                    for (textFile, field) in textFiles {
                        let textURL = url.deletingLastPathComponent().appendingPathComponent(textFile)
                        if let text = try? String(contentsOf: textURL, encoding: .utf8) {
                            texts.append(text)
                        } else {
                            problems.append(RuleDataError(file: file, item: "document \(id)", field: field,
                                                          problem: "source text \(textFile) is missing or not UTF-8"))
                        }
                    }
                    guard documents[id] == nil else {
                        problems.append(RuleDataError(file: file, item: "document \(id)", field: node.path + ".id", problem: "duplicate document id"))
                        continue
                    }
                    documents[id] = PolicyDocument(
                        id: id, title: try node.required("title").asNonEmptyString(), number: try node.optional("number")?.asString(),
                        issuer: try node.optional("issuer")?.asString(), date: try node.optional("date").map { node throws(JSONFieldError) in try Day.decode(node) },
                        sources: try node.optional("sources")?.asStrings() ?? [], textFiles: textFiles.map(\.file), texts: texts)
                }
            } catch {
                problems.append(problem(from: error, file: file))
            }
        }
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
                    let edition = try Edition(root, dataset: dataset, file: file)
                    if let duplicate = editions.first(where: { $0.dataset == dataset && $0.id == edition.id }) {
                        problems.append(RuleDataError(file: file, field: "$.id", problem: "edition id \(edition.id) is also used by \(duplicate.file)"))
                    } else {
                        editions.append(edition)
                    }
                } catch {
                    problems.append(problem(from: error, file: file))
                }
            case "table":
                break
            default:
                problems.append(RuleDataError(file: file, field: "$.kind", problem: "expected \"edition\" or \"table\", found \(root["kind"]?.summary ?? "nothing")"))
            }
            checkCodes(in: root, file: file)
        }
    }

    /// Every string in an array named `codes`, anywhere in the file, must be a GB/T 4754-2017 code.
    mutating func checkCodes(in node: JSONNode, file: String) {
        guard let industries else { return }
        for child in node.children {
            if child.key == "codes" || child.key == "sectorCodes", child.kind == .array {
                for code in child.children {
                    guard let text = code.string, industries.contains(text) || (child.key == "sectorCodes" && industries.isSection(text)) else {
                        let suggestion = code.string.map { industries.nearest(to: $0) } ?? []
                        problems.append(RuleDataError(
                            file: file, item: Edition.itemName(at: code.path, in: JSONNode(document: node.document, index: 0)), field: code.path,
                            problem: "unknown GB/T 4754-2017 code \(code.summary)" + (suggestion.isEmpty ? "" : "; nearest valid codes: " + suggestion.joined(separator: ", "))))
                        continue
                    }
                }
            } else if child.kind == .object || child.kind == .array {
                checkCodes(in: child, file: file)
            }
        }
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
            for item in edition.items {
                rawCitations.append((Citation(id: item.citationID, documentID: edition.documentID, clause: edition.clause(of: item),
                                              quote: item.text, textStatus: item.textStatus, path: item.path + ".text"), edition.file, "item \(item.key)"))
            }
        }
    }

    /// Builds the registry, checking every quote verbatim against its document's text.
    mutating func resolveCitations() -> [String: ResolvedCitation] {
        var result: [String: ResolvedCitation] = [:]
        // Per document, the items of its imported texts (`sources/imported/….csv.txt`, one
        // `key<TAB>text` per line, as the import writes them): an item's quote is found by one
        // lookup, where a search of the text for each of a catalogue's thousands of items was
        // most of start-up. Other quotes, and any not found so, are searched for.
        // (Bytes and a hash of one's own, not `String.split` and `Set<[UInt8]>`: grapheme
        // breaking, and hashing byte by byte, cost more than the searches they replaced.)
        var lines: [String: ImportedLines] = [:]
        func wholeLines(of document: PolicyDocument) -> ImportedLines {
            if let known = lines[document.id] { return known }
            let made = ImportedLines(zip(document.textFiles, document.texts).filter { $0.0.hasSuffix(".csv.txt") }.map(\.1))
            lines[document.id] = made
            return made
        }
        for (citation, file, item) in rawCitations {
            guard result[citation.id] == nil else {
                problems.append(RuleDataError(file: file, item: item, field: citation.path, problem: "duplicate citation id"))
                continue
            }
            guard let document = documents[citation.documentID] else {
                problems.append(RuleDataError(file: file, item: item, field: citation.path + ".document", problem: "no document \(citation.documentID) in documents.json"))
                continue
            }
            if let quote = citation.quote {
                if !document.texts.isEmpty {
                    if wholeLines(of: document).contains(quote) {
                        result[citation.id] = ResolvedCitation(id: citation.id, citation: citation, document: document)
                        continue
                    }
                    // (Found in one text is enough: the others are searched only when it is not.)
                    var missing: String? = nil
                    for text in document.texts {
                        guard let miss = QuoteCheck.firstMissingFragment(of: quote, in: text) else { missing = nil; break }
                        if missing == nil { missing = miss }
                    }
                    if let missing {
                        problems.append(RuleDataError(
                            file: file, item: item, field: citation.path.hasSuffix(".text") ? citation.path : citation.path + ".quote",
                            problem: "quote is not verbatim in \(document.textFiles.joined(separator: " or ")): \(JSONWriter.quoted(missing)) not found"))
                        continue
                    }
                } else {
                    problems.append(RuleDataError(file: file, item: item, field: citation.path + ".document",
                                                  problem: "document \(document.id) has no source text to check the quote against"))
                    continue
                }
            }
            result[citation.id] = ResolvedCitation(id: citation.id, citation: citation, document: document)
        }
        return result
    }
}

/// The item texts of imported source texts (`key<TAB>text` per line), for finding a quote
/// that is a whole item by one lookup: FNV-1a hashes of the texts → where they are.
struct ImportedLines {
    let texts: [[UInt8]]
    let lines: [UInt64: [(text: Int, range: Range<Int>)]]

    init(_ texts: [String]) {
        self.texts = texts.map { Array($0.utf8) }
        var lines: [UInt64: [(text: Int, range: Range<Int>)]] = [:]
        for (number, bytes) in self.texts.enumerated() {
            bytes.withUnsafeBufferPointer { bytes in
                var start = 0
                while start < bytes.count {
                    var end = start
                    while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                    var tab = start
                    while tab < end && bytes[tab] != 0x09 { tab += 1 }
                    if tab < end {
                        let range = (tab + 1)..<end
                        lines[ImportedLines.hash(UnsafeBufferPointer(rebasing: bytes[range])), default: []].append((number, range))
                    }
                    start = end + 1
                }
            }
        }
        self.lines = lines
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// Whether `quote` is, byte for byte, the text of one of the lines.
    func contains(_ quote: String) -> Bool {
        var quote = quote
        return quote.withUTF8 { wanted in
            guard let candidates = lines[ImportedLines.hash(wanted)] else { return false }
            return candidates.contains { candidate in
                candidate.range.count == wanted.count && texts[candidate.text].withUnsafeBufferPointer { text in
                    memcmp(text.baseAddress! + candidate.range.lowerBound, wanted.baseAddress!, wanted.count) == 0
                }
            }
        }
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
        return text.withUTF8 { haystack -> String? in
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
        guard var fragment = fragments(of: quote).first else { return nil }
        var text = text
        return text.withUTF8 { bytes -> String? in
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
}
