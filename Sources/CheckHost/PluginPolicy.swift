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
    /// The allowlist passes the checks a plugin file does (SPEC §9: a list others can edit pins
    /// nothing): a regular file, not writable by others, owned by the user or root, in folders
    /// likewise; at most 1 MiB.
    public init(allowlistAt path: String) throws {
        let opened: OpenedPluginFile
        switch OpenedPluginFile.open(path, what: "the plugin allowlist \(path)") {
        case .success(let file): opened = file
        case .failure(let reason): throw HostError(reason.text)
        }
        guard opened.info.st_size <= 1 << 20 else { throw HostError("the plugin allowlist \(path) is larger than 1 MiB") }
        var bytes = [UInt8](repeating: 0, count: Int(opened.info.st_size))
        let count = bytes.withUnsafeMutableBytes { pread(opened.descriptor, $0.baseAddress, $0.count, 0) }
        guard count == bytes.count, let text = String(validating: bytes, as: UTF8.self) else { throw HostError("cannot read the plugin allowlist \(path)") }
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

    /// The largest plugin file digested for the allowlist (a shared library is far smaller).
    static let largestDigested = 512 << 20

    /// Why `file` may not load, or nil if it may (opened and checked, then released).
    public func refusal(for file: URL) -> String? {
        switch OpenedPluginFile.open(file.path) {
        case .failure(let reason): reason.text
        case .success(let opened): refusal(for: opened, name: file.lastPathComponent)
        }
    }

    /// Why the opened `file`, found under the name `name`, may not load: the allowlist, checked
    /// by name before a byte is read, then by the digest of the bytes through the descriptor.
    func refusal(for file: OpenedPluginFile, name: String) -> String? {
        guard let allowlist else { return nil }
        guard let allowed = allowlist[name] else { return "not in the allowlist \(allowlistFile ?? "") (to allow it, add the line `sha256sum` prints for it)" }
        guard let digest = file.sha256(limit: PluginPolicy.largestDigested) else {
            return "larger than \(PluginPolicy.largestDigested >> 20) MiB or unreadable: not digested for the allowlist \(allowlistFile ?? "")"
        }
        guard allowed.contains(digest) else {
            return "sha256 \(digest) does not match the allowlist \(allowlistFile ?? "") for \(name) (expected \(allowed.sorted().joined(separator: " or ")))"
        }
        return nil
    }
}
