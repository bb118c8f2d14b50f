import CheckJSON
import Foundation

/// One unit of input: the bytes of one application (a `.json` file or one JSON Lines line), or
/// a reason the input could not be read.
public enum InputRecord: Sendable {
    /// An application's bytes, where they came from, and the JSON Lines line number if any.
    case application(bytes: [UInt8], source: String, line: Int?)
    /// An input that could not be read at all (missing file, empty file, unreadable folder).
    case unreadable(source: String, problem: InputProblem)
}

/// Expands command-line inputs (files, folders, `-`) into records, in a stable order: folders
/// are walked recursively for `.json` and `.jsonl` files sorted by path; hidden entries skipped.
public enum Inputs {
    /// The records of `arguments`, in order. `standardInput` supplies `-` (JSON Lines, or one
    /// JSON document spread over several lines).
    public static func records(_ arguments: [String], standardInput: () -> [UInt8] = { [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }) -> [InputRecord] {
        var records: [InputRecord] = []
        for argument in arguments {
            if argument == "-" {
                records += Inputs.records(ofStream: standardInput(), name: "-")
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                records.append(.unreadable(source: argument, problem: InputProblem(path: "$", expected: "a readable .json or .jsonl file, a folder, or -", found: "no such file or folder")))
                continue
            }
            let files = isDirectory.boolValue ? applicationFiles(in: argument) : [argument]
            if isDirectory.boolValue && files.isEmpty {
                records.append(.unreadable(source: argument, problem: InputProblem(path: "$", expected: "a folder holding .json or .jsonl files", found: "none")))
            }
            for file in files { records += self.records(ofFile: file) }
        }
        return records
    }

    /// The `.json` and `.jsonl` files under `folder`, recursively, sorted by path.
    static func applicationFiles(in folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") { walker.skipDescendants(); continue }
            if name.hasSuffix(".json") || name.hasSuffix(".jsonl") {
                files.append((folder as NSString).appendingPathComponent(relative))
            }
        }
        return files.sorted()
    }

    static func records(ofFile path: String) -> [InputRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            return [.unreadable(source: path, problem: InputProblem(path: "$", expected: "a readable file", found: "a file that cannot be read"))]
        }
        let bytes = [UInt8](data)
        if path.hasSuffix(".jsonl") { return jsonLines(bytes, name: path) }
        guard bytes.contains(where: { !isWhitespace($0) }) else {
            return [.unreadable(source: path, problem: InputProblem(path: "$", expected: "a JSON object (an application)", found: "an empty file"))]
        }
        return [.application(bytes: bytes, source: path, line: nil)]
    }

    /// A stream is JSON Lines, unless its first line is an incomplete JSON value: then it is
    /// one JSON document over several lines.
    static func records(ofStream bytes: [UInt8], name: String) -> [InputRecord] {
        if let firstLine = bytes.split(separator: 0x0A, omittingEmptySubsequences: true).first(where: { $0.contains { !isWhitespace($0) } }) {
            do throws(JSONSyntaxError) {
                _ = try JSONReader.parse(Array(firstLine))
            } catch {
                if error.found == "end of input" { return [.application(bytes: bytes, source: name, line: nil)] }
            }
        }
        return jsonLines(bytes, name: name)
    }

    static func jsonLines(_ bytes: [UInt8], name: String) -> [InputRecord] {
        var records: [InputRecord] = []
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var content = line
            if content.last == 0x0D { content = content.dropLast() }
            guard content.contains(where: { !isWhitespace($0) }) else { continue }
            records.append(.application(bytes: Array(content), source: "\(name):\(lineNumber)", line: lineNumber))
        }
        if records.isEmpty {
            records.append(.unreadable(source: name, problem: InputProblem(path: "$", expected: "JSON Lines: one application per line", found: "no lines")))
        }
        return records
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
