import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Loading security: world-writable or foreign-owned plugin files and folders are refused, and
/// an allowlist of SHA-256 digests pins exactly which files may load — all before `dlopen`.
final class PluginSecurityTests: XCTestCase {
    func refusal(_ folder: URL, policy: PluginPolicy = .default) throws -> String? {
        var configuration = SessionConfiguration(pluginDirectories: [folder], rulesRoots: [TestPaths.rules])
        configuration.policy = policy
        let session = try CheckSession(configuration)
        return session.refusals.first?.reason
    }

    func testWorldWritableFileAndFolderAreRefused() throws {
        let folder = try Fixtures.exampleCPlugin()
        let file = folder.appendingPathComponent("libcheck-plugin-investor-shares.so")
        XCTAssertNil(try refusal(folder))

        chmod(file.path, 0o666)
        XCTAssertEqual(try refusal(folder), "the file is world-writable (mode 666); remove write permission for others (chmod o-w)")
        chmod(file.path, 0o755)
        chmod(folder.path, 0o777)
        XCTAssertEqual(try refusal(folder), "its folder \(folder.path) is world-writable (mode 777); remove write permission for others (chmod o-w)")
        chmod(folder.path, 0o755)
        XCTAssertNil(try refusal(folder))
    }

    func testFileOwnedByAnotherUserIsRefused() throws {
        guard getuid() == 0 else { throw XCTSkip("changing a file's owner needs root; the check itself is exercised by the permission tests") }
        let folder = try Fixtures.exampleCPlugin()
        let file = folder.appendingPathComponent("libcheck-plugin-investor-shares.so")
        XCTAssertEqual(chown(file.path, 4242, 4242), 0)
        XCTAssertEqual(try refusal(folder), "the file is owned by uid 4242, not by the user running check (uid 0) or root")
    }

    func testSHA256() {
        XCTAssertEqual(SHA256.hex(of: Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(of: [UInt8](repeating: 0x61, count: 1_000_000)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testAllowlistPinsExactFiles() throws {
        let folder = try Fixtures.exampleCPlugin()
        let file = folder.appendingPathComponent("libcheck-plugin-investor-shares.so")
        let listing = try runProcess("/usr/bin/env", ["sha256sum", file.path])
        XCTAssertEqual(listing.status, 0)
        let digest = String(listing.stdout.prefix(64))
        XCTAssertEqual(SHA256.hex(of: try Data(contentsOf: file)), digest, "matches sha256sum")

        let allowlist = folder.deletingLastPathComponent().appendingPathComponent("allowlist-\(UUID().uuidString).txt")
        try Data(listing.stdout.utf8).write(to: allowlist)
        XCTAssertNil(try refusal(folder, policy: try PluginPolicy(allowlistAt: allowlist.path)))

        // A file changed after it was pinned is refused, naming both digests.
        try Data("# same name, other bytes\n".utf8).write(to: allowlist, options: .atomic)
        try Data("\(String(repeating: "0", count: 64))  libcheck-plugin-investor-shares.so\n".utf8).write(to: allowlist)
        let mismatch = try XCTUnwrap(try refusal(folder, policy: try PluginPolicy(allowlistAt: allowlist.path)))
        XCTAssertEqual(mismatch, "sha256 \(digest) does not match the allowlist \(allowlist.path) for libcheck-plugin-investor-shares.so (expected \(String(repeating: "0", count: 64)))")

        // A file not in the allowlist at all is refused.
        try Data("# nothing pinned\n".utf8).write(to: allowlist)
        XCTAssertEqual(try refusal(folder, policy: try PluginPolicy(allowlistAt: allowlist.path)), "not in the allowlist \(allowlist.path) (to allow it, add the line `sha256sum` prints for it)")

        // On the command line, the built-in plugins are refused too unless pinned.
        let output = try check(["plugins", "--plugin-allowlist", allowlist.path])
        XCTAssertEqual(output.status, 2)
        XCTAssertEqual(output.stdout.components(separatedBy: "\n").filter { $0.contains(": not in the allowlist ") }.count, 4, output.stdout)
    }
}
