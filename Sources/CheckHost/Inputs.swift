import CheckJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

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
    /// The `.json` and `.jsonl` files under `folder`, recursively, sorted by path; hidden entries
    /// skipped. Symbolic links are followed, but a folder already visited (a symlink loop) is
    /// reported as a problem instead of walked again; entries that cannot be examined too.
    static func applicationFiles(in folder: String) -> (files: [String], problems: [(String, String)]) {
        var files: [String] = []
        var problems: [(String, String)] = []
        var visited = Set<[UInt64]>()
        func walk(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else {
                problems.append((path, String(cString: strerror(errno))))
                return
            }
            guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else {
                problems.append((path, "a symbolic link back to a folder already read (a loop); not followed"))
                return
            }
            guard let listing = FolderListing(path) else {
                problems.append((path, "a folder that cannot be read"))
                return
            }
            for name in listing.undecodable where name.hasSuffix(".json") || name.hasSuffix(".jsonl") {
                problems.append(((path as NSString).appendingPathComponent(name), FolderListing.undecodableProblem))
            }
            for name in listing.names where !name.hasPrefix(".") {
                let child = (path as NSString).appendingPathComponent(name)
                var entry = stat()
                if stat(child, &entry) != 0 {
                    if name.hasSuffix(".json") || name.hasSuffix(".jsonl") { problems.append((child, String(cString: strerror(errno)))) }
                    continue
                }
                if (entry.st_mode & S_IFMT) == S_IFDIR {
                    walk(child)
                } else if name.hasSuffix(".json") || name.hasSuffix(".jsonl") {
                    files.append(child)
                }
            }
        }
        walk(folder)
        return (files.sorted(), problems)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
