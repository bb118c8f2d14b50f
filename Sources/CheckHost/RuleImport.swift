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
    /// The CSV columns, in the order documented.
    public static let columns = ["number", "text", "textStatus", "codes", "keywords", "notes"]

    /// Imports `csv` into edition `editionID` of `dataset` under the rules root `root`, if
    /// `validate` accepts the staged copy of the root with the change applied (`check` loads the
    /// rule book from it and has every plugin open it: ``CheckSession/verifyingRuleData(_:)``).
    public static func run(csv: URL, editionID: String?, dataset: String, root: URL, validate: (URL) throws -> Void) throws -> ImportSummary {
        guard let text = try? String(contentsOf: csv, encoding: .utf8) else { throw HostError("cannot read \(csv.path) as UTF-8 text") }
        // (Lines end in LF or CRLF: a Character "\r\n" is a newline, not a "\n".)
        let comments = text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("#") }.map { $0.dropFirst().trimmingCharacters(in: .whitespaces) }
        func directive(_ name: String) -> String? {
            comments.first { $0.hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
        guard let source = directive("source"), !source.isEmpty else {
            throw HostError("\(csv.lastPathComponent): a `# source: …` line is required: where the item texts were typed from")
        }
        guard let editionID = editionID ?? directive("edition") else {
            throw HostError("\(csv.lastPathComponent): name the edition with --edition ID or a `# edition: ID` line")
        }
        let rows = try parseRows(text, file: csv.lastPathComponent)

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
        let fields: [String: String]
    }

    static func parseRows(_ text: String, file: String) throws -> [Row] {
        let records = CSV.records(text).filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
        guard let header = records.first else { throw HostError("\(file): no header line") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
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
        var seen: [Int: Int] = [:]
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                throw HostError("\(file):\(record.line): \(record.fields.count) fields, the header has \(names.count)")
            }
            let fields = Dictionary(uniqueKeysWithValues: zip(names, record.fields.map { $0.trimmingCharacters(in: .whitespaces) }))
            guard let number = Int(fields["number"]!), number > 0 else {
                throw HostError("\(file):\(record.line): number: expected a positive integer, found \(JSONWriter.quoted(fields["number"]!))")
            }
            if let previous = seen[number] { throw HostError("\(file):\(record.line): number \(number) is also on line \(previous)") }
            seen[number] = record.line
            guard !(fields["text"] ?? "").isEmpty else { throw HostError("\(file):\(record.line): text: expected the item's wording, found nothing") }
            // Control characters (NUL, ESC, …) are never part of a catalogue's wording.
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                if let control = value.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value) }) {
                    throw HostError("\(file):\(record.line): \(name): control character U+\(String(format: "%04X", control.value)) in the text")
                }
            }
            rows.append(Row(line: record.line, number: number, fields: fields))
        }
        guard !rows.isEmpty else { throw HostError("\(file): no items") }
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
        for row in rows { itemText += "\(row.number)\t\(row.fields["text"]!)\n" }
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

        // Items: imported rows replace items with the same number; the rest are kept.
        var items: [JSONValue] = []
        if case .array(let existing)? = edition["items"] { items = existing }
        for row in rows {
            var item: [(String, JSONValue)] = [("number", .integer(row.number)), ("text", .string(row.fields["text"]!)),
                                               ("textStatus", .string(row.fields["textStatus"].flatMap { $0.isEmpty ? nil : $0 } ?? "verbatim")),
                                               ("textRead", .string("imported from \(csv.lastPathComponent) (line \(row.line)); typed from: \(source)")),
                                               ("codes", .array(splitList(row.fields["codes"]).map(JSONValue.string))),
                                               ("keywords", .array(splitList(row.fields["keywords"]).map(JSONValue.string)))]
            if let notes = row.fields["notes"], !notes.isEmpty { item.append(("notes", .string(notes))) }
            items.removeAll { $0["number"] == .integer(row.number) }
            items.append(.object(item))
        }
        items.sort { (Int($0.numberText ?? "") ?? 0) < (Int($1.numberText ?? "") ?? 0) }
        edition["items"] = .array(items)
        try Data(edition.prettyText.utf8).write(to: editionURL)
        return ImportSummary(edition: editionID, file: "\(dataset)/\(editionURL.lastPathComponent)", items: rows.map(\.number), sourceCopy: copyName,
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
