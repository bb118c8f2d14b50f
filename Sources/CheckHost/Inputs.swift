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

/// Helpers for finding and reading application files.
public enum Inputs {
    /// The `.json` and `.jsonl` files under `folder`, recursively, sorted by path; hidden entries skipped.
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

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
