import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A folder's entries as the system gives them (`readdir`). Names that are not valid UTF-8
/// cannot be held as a Swift string without changing them (Foundation substitutes characters,
/// and the changed name then does not exist: "No such file or directory"), so they are kept
/// apart, shown with `\xNN` escapes, for a message that says what is wrong with them.
struct FolderListing {
    /// The names that are UTF-8, sorted, "." and ".." left out.
    let names: [String]
    /// The others, each shown with its invalid bytes escaped as `\xNN`, sorted.
    let undecodable: [String]

    /// The entries of `path`, or nil if it cannot be read as a folder.
    init?(_ path: String) {
        guard let folder = opendir(path) else { return nil }
        defer { closedir(folder) }
        var names: [String] = []
        var undecodable: [String] = []
        while let entry = readdir(folder) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                names.append(name)
            } else {
                undecodable.append(FolderListing.shown(bytes))
            }
        }
        self.names = names.sorted()
        self.undecodable = undecodable.sorted()
    }

    /// `bytes` as text: printable ASCII as it is, every other byte as `\xNN` (so the message
    /// can be read, copied into a terminal and matched with `ls -b`).
    static func shown(_ bytes: [UInt8]) -> String {
        bytes.map { $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
    }

    /// The problem with an undecodable name, for messages.
    static let undecodableProblem = "a file name that is not valid UTF-8; check cannot name it exactly (rename it, e.g. with `mv` after `ls -b`)"
}
