import CheckAPI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What an import changed.
public struct ImportSummary: Sendable {
    /// The edition the items went into.
    public let edition: String
    /// Its file.
    public let file: String
    /// Item numbers added or replaced.
    public let items: [Int]
    /// The headings the numbers restart under (provinces, industries), in CSV order; empty
    /// when the numbers run through the catalogue.
    public let headings: [String]
    /// Where the CSV was copied, for audit.
    public let sourceCopy: String
    /// The source text the item texts are checked against: the CSV's items as read, one per
    /// line (a CSV doubles the quotes inside a quoted field, so it cannot be that text itself).
    public let sourceText: String
}

/// Imports catalogue items typed in by staff (a CSV, format in rules/README.md) into an
/// edition's rule data. The whole rule book is validated with the change applied — in a staged
/// copy — before anything is written; on any problem nothing changes.
public enum RuleImport {
    /// How a shipped edition's notes begin when its item texts were not obtained (the import
    /// drops that note).
    static let textsNotObtained = "Item texts of this edition were not obtained"

    /// The CSV columns, in the order documented.
    public static let columns = ["number", "text", "textStatus", "codes", "keywords", "notes", "section", "subsection", "category"]
    /// Other names a column may have: the layout of the catalogue transcriptions in
    /// `../shared/reference-data/third-pass/` (read as they are, without conversion).
    public static let columnAliases = ["item_no": "number", "item_text": "text", "region": "section", "industry": "section",
                                       "elimination_part": "subsection"]
    /// The classes of a catalogue with several, and how a clause names them.
    public static let categories = ["encouraged": "鼓励类", "restricted": "限制类", "eliminated": "淘汰类"]

    /// How the wording was read, and where from, when the CSV does not say it on its lines.
    public struct Provenance: Sendable {
        /// Where the item texts were typed or transcribed from (else a `# source:` line).
        public var source: String?
        /// The `textStatus` of rows that leave it empty (else a `# textStatus:` line).
        public var textStatus: TextStatus?

        /// Nothing given on the command line.
        public init(source: String? = nil, textStatus: TextStatus? = nil) {
            self.source = source
            self.textStatus = textStatus
        }
    }

    /// Imports `csv` into edition `editionID` of `dataset` under the rules root `root`, if
    /// `validate` accepts the staged copy of the root with the change applied (`check` loads the
    /// rule book from it and has every plugin open it: ``CheckSession/verifyingRuleData(_:)``).
    public static func run(csv: URL, editionID: String?, dataset: String, root: URL, provenance: Provenance = Provenance(),
                           validate: (URL) throws -> Void) throws -> ImportSummary {
        guard let text = try? String(contentsOf: csv, encoding: .utf8) else { throw HostError("cannot read \(csv.path) as UTF-8 text") }
        // (Lines end in LF or CRLF: a Character "\r\n" is a newline, not a "\n".)
        let comments = text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("#") }.map { $0.dropFirst().trimmingCharacters(in: .whitespaces) }
        // `# name: value`, the name in any letter case, perhaps with a remark in brackets
        // (`# SOURCE (what was actually read): …`).
        func directive(_ name: String) -> String? {
            for comment in comments {
                guard let colon = comment.firstIndex(of: ":") else { continue }
                var label = comment[..<colon].trimmingCharacters(in: .whitespaces)
                if let bracket = label.firstIndex(of: "(") { label = label[..<bracket].trimmingCharacters(in: .whitespaces) }
                if label.lowercased() == name.lowercased() { return comment[comment.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
            }
            return nil
        }
        guard let source = provenance.source ?? directive("source"), !source.isEmpty else {
            throw HostError("\(csv.lastPathComponent): say where the item texts come from: a `# source: …` line or --source TEXT")
        }
        guard let editionID = editionID ?? directive("edition") else {
            throw HostError("\(csv.lastPathComponent): name the edition with --edition ID or a `# edition: ID` line")
        }
        var defaultStatus = provenance.textStatus
        if defaultStatus == nil, let stated = directive("textStatus") {
            guard let status = TextStatus(rawValue: stated) else {
                throw HostError("\(csv.lastPathComponent): `# textStatus: \(stated)`: expected one of \(TextStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            defaultStatus = status
        }
        let rows = try parseRows(text, file: csv.lastPathComponent, defaultStatus: defaultStatus)

        // Stage: copy the root, apply the change, validate the whole rule book.
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("check-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: staging) }
        let staged = staging.appendingPathComponent(root.lastPathComponent)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root, to: staged)
        let summary = try apply(rows: rows, csv: csv, source: source, editionID: editionID, dataset: dataset, root: staged)
        do {
            try validate(staged)
        } catch {
            throw HostError("import refused, nothing was changed:\n\(error)")
        }
        try install([summary.sourceCopy, summary.sourceText, "documents.json", summary.file], from: staged, into: root)
        return summary
    }

    /// Copies the validated files `paths` (relative) from the staged root into `root` so that
    /// the rules folder is valid at every moment (SPEC §7): every file is first written whole
    /// and synced beside its target; only when all are, each is renamed over its target —
    /// the source texts first, then `documents.json` naming them, then the edition quoting
    /// them. A full disk, a write error or a kill before the renames leaves `root` exactly as
    /// it was (the temporary files are removed on an error).
    static func install(_ paths: [String], from staged: URL, into root: URL) throws {
        var written: [(temporary: String, target: String)] = []
        func removeWritten() { for file in written { unlink(file.temporary) } }
        for path in paths {
            let source = staged.appendingPathComponent(path), target = root.appendingPathComponent(path)
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                let bytes = [UInt8](try Data(contentsOf: source))
                var template = Array(target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).import-XXXXXX").path.utf8CString)
                let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
                guard descriptor >= 0 else { throw HostError("cannot create a file beside \(target.path): \(String(cString: strerror(errno)))") }
                let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                written.append((temporary, target.path))
                fchmod(descriptor, 0o644)
                var offset = 0
                var failure: Int32 = 0
                bytes.withUnsafeBytes { raw in
                    while offset < raw.count {
                        let count = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                        if count < 0 {
                            if errno == EINTR { continue }
                            failure = errno
                            return
                        }
                        offset += count
                    }
                }
                if failure == 0 && fsync(descriptor) != 0 { failure = errno }
                Glibc.close(descriptor)
                if failure != 0 { throw HostError("cannot write \(target.path): \(String(cString: strerror(failure)))") }
            } catch {
                removeWritten()
                throw HostError("import refused, nothing was changed: \(error)")
            }
        }
        for file in written where rename(file.temporary, file.target) != 0 {
            let reason = String(cString: strerror(errno))
            removeWritten()
            throw HostError("cannot replace \(file.target): \(reason)")
        }
    }

    /// One CSV row.
    struct Row {
        let line: Int
        let number: Int
        /// The item's key in the edition: its number, or (where numbers restart under each
        /// heading, as in the regional catalogue) category, headings and number.
        var key: String
        /// Whether `key` is a `ref` (headings and number) rather than the number.
        var keyIsRef = false
        let fields: [String: String]

        /// The value of column `name`, if the row has one (not empty).
        func value(_ name: String) -> String? { fields[name].flatMap { $0.isEmpty ? nil : $0 } }

        /// Category and headings, the part of a `ref` key before the number (`restricted/钢铁`).
        var headingPath: [String] { ["category", "section", "subsection"].compactMap(value) }
    }

    static func parseRows(_ text: String, file: String, defaultStatus: TextStatus? = nil) throws -> [Row] {
        let records = CSV.records(text).filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
        guard let header = records.first else { throw HostError("\(file): no header line") }
        let names = header.fields.map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            return columnAliases[trimmed] ?? trimmed
        }
        for required in ["number", "text"] where !names.contains(required) {
            throw HostError("\(file):\(header.line): the header must have a `\(required)` column (columns: \(columns.joined(separator: ",")))")
        }
        if let unknown = names.first(where: { !columns.contains($0) }) {
            throw HostError("\(file):\(header.line): unknown column `\(unknown)` (columns: \(columns.joined(separator: ",")))")
        }
        if let repeated = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) })?.element {
            throw HostError("\(file):\(header.line): column `\(repeated)` appears twice in the header")
        }
        var rows: [Row] = []
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                throw HostError("\(file):\(record.line): \(record.fields.count) fields, the header has \(names.count)")
            }
            var fields = Dictionary(uniqueKeysWithValues: zip(names, record.fields.map { $0.trimmingCharacters(in: .whitespaces) }))
            guard let number = Int(fields["number"]!), number > 0 else {
                throw HostError("\(file):\(record.line): number: expected a positive integer, found \(JSONWriter.quoted(fields["number"]!))")
            }
            guard !(fields["text"] ?? "").isEmpty else { throw HostError("\(file):\(record.line): text: expected the item's wording, found nothing") }
            // Control characters (NUL, ESC, …) are never part of a catalogue's wording.
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                if let control = value.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value) }) {
                    throw HostError("\(file):\(record.line): \(name): control character U+\(String(format: "%04X", control.value)) in the text")
                }
            }
            // How the wording was read is never assumed: a transcription taken for the
            // official words could decide a `fail` (SPEC §7).
            if (fields["textStatus"] ?? "").isEmpty {
                guard let defaultStatus else {
                    throw HostError("\(file):\(record.line): textStatus: say how the wording was read (verbatim: typed from the official text; transcribed: a third party's transcription …) in a column, a `# textStatus:` line or --text-status")
                }
                fields["textStatus"] = defaultStatus.rawValue
            }
            if let category = fields["category"], !category.isEmpty, categories[category] == nil {
                throw HostError("\(file):\(record.line): category: expected one of \(categories.keys.sorted().joined(separator: ", ")), found \(JSONWriter.quoted(category))")
            }
            rows.append(Row(line: record.line, number: number, key: String(number), fields: fields))
        }
        guard !rows.isEmpty else { throw HostError("\(file): no items") }
        // Numbers unique: they are the keys. Else they restart under each heading (a province,
        // an industry): category, headings and number are, and must be unique.
        if Set(rows.map(\.number)).count != rows.count {
            for index in rows.indices {
                rows[index].key = (rows[index].headingPath + [String(rows[index].number)]).joined(separator: "/")
                rows[index].keyIsRef = true
            }
        }
        var seen: [String: Int] = [:]
        for row in rows {
            if let previous = seen[row.key] {
                throw HostError("\(file):\(row.line): number \(row.number)" + (row.keyIsRef ? " under \(row.key.split(separator: "/").dropLast().joined(separator: " / "))" : "")
                                + " is also on line \(previous)")
            }
            seen[row.key] = row.line
        }
        return rows
    }

    static func splitList(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == ";" || $0 == "|" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Writes the items into the edition file and registers the CSV copy as a source text.
    static func apply(rows: [Row], csv: URL, source: String, editionID: String, dataset: String, root: URL) throws -> ImportSummary {
        let folder = root.appendingPathComponent(dataset)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var target: (URL, JSONValue)? = nil
        for name in files {
            let url = folder.appendingPathComponent(name)
            let document = try JSONReader.parse([UInt8](try Data(contentsOf: url)))
            let value = document.withRoot { JSONValue($0) }
            if value["kind"] == .string("edition"), value["id"] == .string(editionID) { target = (url, value) }
        }
        guard let (editionURL, found) = target else {
            throw HostError("no edition \(editionID) in \(dataset)/ (see `check rules`)")
        }
        var edition = found
        guard case .string(let documentID)? = edition["document"] else { throw HostError("edition \(editionID) names no document") }

        // The CSV is kept, and its items as read become a source text of the edition's document.
        let copyName = "sources/imported/\(editionID)--\(csv.lastPathComponent)"
        let textName = copyName + ".txt"
        let copyURL = root.appendingPathComponent(copyName)
        try FileManager.default.createDirectory(at: copyURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: copyURL.path) { try FileManager.default.removeItem(at: copyURL) }
        try FileManager.default.copyItem(at: csv, to: copyURL)
        var itemText = "# items of \(csv.lastPathComponent) as read (the quoted fields unquoted), for checking the item texts\n# source: \(source)\n"
        for row in rows { itemText += "\(row.key)\t\(row.fields["text"]!)\n" }
        try Data(itemText.utf8).write(to: root.appendingPathComponent(textName))
        let documentsURL = root.appendingPathComponent("documents.json")
        var documents = try JSONReader.parse([UInt8](try Data(contentsOf: documentsURL))).withRoot { JSONValue($0) }
        guard case .array(var list)? = documents["documents"],
              let index = list.firstIndex(where: { $0["id"] == .string(documentID) }) else {
            throw HostError("no document \(documentID) in documents.json")
        }
        var texts: [JSONValue] = []
        if let single = list[index]["text"] { texts.append(single) }
        if case .array(let more)? = list[index]["texts"] { texts += more }
        texts.removeAll { $0 == .string(copyName) }  // (earlier imports registered the CSV itself)
        if !texts.contains(.string(textName)) { texts.append(.string(textName)) }
        list[index]["text"] = nil
        list[index]["texts"] = .array(texts)
        documents["documents"] = .array(list)
        try Data(documents.prettyText.utf8).write(to: documentsURL)

        // Items: imported rows replace items with the same key; the rest are kept.
        let industries = try? IndustryTable(folder: root.appendingPathComponent("gbt4754-2017"))
        var items: [JSONValue] = []
        if case .array(let existing)? = edition["items"] { items = existing }
        let replaced = Set(rows.map(\.key))
        items.removeAll { item in
            if case .string(let ref)? = item["ref"] { return replaced.contains(ref) }
            return item.numberText.map { replaced.contains($0) } ?? false
        }
        for row in rows {
            var item: [(String, JSONValue)] = [("number", .integer(row.number))]
            if row.keyIsRef { item.append(("ref", .string(row.key))) }
            // Where the text was read is said once for the import (the edition's `imports`); the
            // item names its line of the CSV. (Said per item, it was a third of a thousand-item
            // file, parsed at every start.)
            item += [("text", .string(row.fields["text"]!)),
                     ("textStatus", .string(row.fields["textStatus"]!)),
                     ("importLine", .integer(row.line))]
            let codes = splitList(row.fields["codes"]), keywords = splitList(row.fields["keywords"])
            if !codes.isEmpty { item.append(("codes", .array(codes.map(JSONValue.string)))) }
            if !keywords.isEmpty { item.append(("keywords", .array(keywords.map(JSONValue.string)))) }
            let (category, section, subsection) = (row.value("category"), row.value("section"), row.value("subsection"))
            if let category { item.append(("category", .string(category))) }
            if let section { item.append(("section", .string(section))) }
            if let subsection { item.append(("subsection", .string(subsection))) }
            if row.keyIsRef {
                // 山西省第5条; 限制类·石化化工第4条.
                let heading = [category.flatMap { categories[$0] }, section, subsection].compactMap { $0 }.joined(separator: "·")
                item.append(("clause", .string("\(heading)第\(row.number)条")))
            }
            // The sector the heading names (a 门类, or a 制造业 大类), for claims and suggestions.
            if let section, let industries, let sector = industries.sector(heading: section, subheading: subsection) {
                item.append(("sectorCodes", .array([.string(sector.code)])))
                if !sector.exact { item.append(("sectorBasis", .string("heading “\(subsection ?? section)” read as GB/T 4754-2017 \(sector.code) “\(sector.name)”"))) }
            }
            // What a project naming one of the item's products is found by (computed here, once,
            // not at every start; staff may correct it like any rule data).
            // Only for the classes a project is compared with (限制类, 淘汰类): a 鼓励类 item's
            // products are no ground for a finding.
            if category == "restricted" || category == "eliminated" {
                item.append(("phrases", .array(ItemPhrases.phrases(of: row.fields["text"]!).map(JSONValue.string))))
            }
            if let notes = row.fields["notes"], !notes.isEmpty { item.append(("notes", .string(notes))) }
            items.append(.object(item))
        }
        if !rows.contains(where: \.keyIsRef) {
            items.sort { (Int($0.numberText ?? "") ?? 0) < (Int($1.numberText ?? "") ?? 0) }
        }
        edition["items"] = .array(items)
        // The shipped editions say their item texts were not obtained; once imported, they are.
        if case .array(let notes)? = edition["notes"] {
            let kept = notes.filter { note in
                guard case .string(let text) = note else { return true }
                return !text.hasPrefix(RuleImport.textsNotObtained)
            }
            edition["notes"] = kept.isEmpty ? nil : .array(kept)
        }
        // The imports, each once: which CSV (kept in sources/imported/), typed from what.
        var imports: [JSONValue] = []
        if case .array(let earlier)? = edition["imports"] { imports = earlier.filter { $0["csv"] != .string(copyName) } }
        imports.append(.object([("csv", .string(copyName)), ("source", .string(source)), ("items", .integer(rows.count))]))
        edition["imports"] = .array(imports)
        try Data(edition.prettyText(oneLineEach: "items").utf8).write(to: editionURL)
        return ImportSummary(edition: editionID, file: "\(dataset)/\(editionURL.lastPathComponent)", items: rows.map(\.number),
                             headings: rows.contains(where: \.keyIsRef) ? rows.reduce(into: [String]()) { list, row in
                                 let heading = row.headingPath.joined(separator: " / ")
                                 if !list.contains(heading) { list.append(heading) }
                             } : [],
                             sourceCopy: copyName,
                             sourceText: textName)
    }
}

extension JSONValue {
    /// The JSON text of member `number`, if it is a number.
    var numberText: String? {
        if case .number(let text)? = self["number"] { return text }
        return nil
    }
}
