import CheckJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What may load: no plugin file or folder that others can write to or that belongs to another
/// (non-root) user, and, with an allowlist, only files whose SHA-256 digest it pins. Checked
/// before `dlopen`, so a refused file's code never runs.
public struct PluginPolicy: Sendable {
    /// Allowed digests by file name (a `sha256sum` listing), if an allowlist is in force.
    public let allowlist: [String: Set<String>]?
    /// The allowlist file, for messages.
    public let allowlistFile: String?

    /// No allowlist: only the ownership and permission checks.
    public static let `default` = PluginPolicy(allowlist: nil, allowlistFile: nil)

    init(allowlist: [String: Set<String>]?, allowlistFile: String?) {
        self.allowlist = allowlist
        self.allowlistFile = allowlistFile
    }

    /// Reads an allowlist in `sha256sum` format: `<64 hex digits>  <file>` per line; `#` comments.
    public init(allowlistAt path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw HostError("cannot read the plugin allowlist \(path)") }
        var entries: [String: Set<String>] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let digest = parts[0].lowercased()
            guard parts.count == 2, digest.count == 64, digest.allSatisfy(\.isHexDigit) else {
                throw HostError("\(path):\(index + 1): expected `<sha256 hex>  <file>`, found \(JSONWriter.quoted(line))")
            }
            let name = URL(fileURLWithPath: parts[1].hasPrefix("*") ? String(parts[1].dropFirst()) : parts[1]).lastPathComponent
            entries[name, default: []].insert(digest)
        }
        allowlist = entries
        allowlistFile = path
    }

    /// Why `file` may not load, or nil if it may.
    public func refusal(for file: URL) -> String? {
        let path = file.path
        var info = stat()
        guard stat(path, &info) == 0 else { return "cannot stat the file: \(String(cString: strerror(errno)))" }
        if let problem = ownershipProblem(info, what: "the file") { return problem }
        let folder = file.deletingLastPathComponent().path
        var folderInfo = stat()
        guard stat(folder, &folderInfo) == 0 else { return "cannot stat its folder \(folder)" }
        if let problem = ownershipProblem(folderInfo, what: "its folder \(folder)") { return problem }
        guard let allowlist else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { return "cannot read the file to check its digest" }
        let digest = SHA256.hex(of: data)
        let name = file.lastPathComponent
        guard let allowed = allowlist[name] else {
            return "not in the allowlist \(allowlistFile ?? "") (sha256 \(digest))"
        }
        guard allowed.contains(digest) else {
            return "sha256 \(digest) does not match the allowlist \(allowlistFile ?? "") for \(name) (expected \(allowed.sorted().joined(separator: " or ")))"
        }
        return nil
    }

    private func ownershipProblem(_ info: stat, what: String) -> String? {
        let mode = info.st_mode & 0o7777
        if mode & UInt32(S_IWOTH) != 0 {
            return "\(what) is world-writable (mode \(String(mode, radix: 8))); remove write permission for others (chmod o-w)"
        }
        let user = getuid()
        if info.st_uid != user && info.st_uid != 0 {
            return "\(what) is owned by uid \(info.st_uid), not by the user running check (uid \(user)) or root"
        }
        return nil
    }
}
