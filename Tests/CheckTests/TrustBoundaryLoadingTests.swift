import CheckAPI
import CheckJSON
@testable import CheckHost
import Foundation
import XCTest

/// The trust boundary at plugin loading (issue 22, findings 1, 2 and 14; SPEC §9): the bytes
/// checked are the bytes loaded, what a plugin needs is checked like it, and nothing in a plugin
/// folder can hang `check` or make it read a huge file. Each test fails on the main of e437be8.
final class TrustBoundaryLoadingTests: XCTestCase {
    /// The SHA-256 of `file`, by the system's `sha256sum` (independent of check's own).
    func sha256sum(_ file: URL) throws -> String {
        String(try runProcess("/usr/bin/env", ["sha256sum", file.path]).stdout.prefix(64))
    }

    /// Compiles `marker.c` as `name` in `folder`: a library whose constructor writes `marker`.
    @discardableResult
    func markerLibrary(_ name: String, in folder: URL, marker: URL, arguments: [String] = []) throws -> URL {
        try Fixtures.compileC(TestPaths.fixtures.appendingPathComponent("plugins/marker.c"), into: folder, name: name,
                              arguments: ["-DMARKER=\"\(marker.path)\""] + arguments)
    }

    /// 1. A file swapped between the checks and the load. A thread replaces the plugin file
    /// with `rename()` in a loop, alternating the allowlisted plugin and a library whose
    /// constructor leaves a marker; of 1,000 loads, each is either the allowlisted plugin or a
    /// refusal, and the other library's code never runs. Then: a symlink into a folder another
    /// user owns is refused, whatever bytes are there.
    func testCheckedBytesAreTheLoadedBytes() throws {
        let folder = try Fixtures.temporaryFolder()
        let marker = folder.appendingPathComponent("wrong-bytes-ran")
        let good = try Fixtures.compileC(TestPaths.examples.appendingPathComponent("c-plugin/investor_shares.c"), into: folder, name: "good.so")
        let wrong = try markerLibrary("wrong.so", in: folder, marker: marker)
        let target = folder.appendingPathComponent("libcheck-plugin-investor-shares.so")
        let allowlist = folder.appendingPathComponent("allowlist.txt")
        try Data("\(try sha256sum(good))  libcheck-plugin-investor-shares.so\n".utf8).write(to: allowlist)
        let policy = try PluginPolicy(allowlistAt: allowlist.path)
        XCTAssertEqual(link(good.path, target.path), 0)

        let stop = StopFlag()
        let swaps = Counter()
        let swapper = Thread {
            let temporary = folder.appendingPathComponent("swap.tmp").path
            var next = 0
            while !stop.isSet {
                unlink(temporary)
                _ = link(next % 2 == 0 ? wrong.path : good.path, temporary)
                _ = rename(temporary, target.path)
                next += 1
                swaps.add()
            }
        }
        swapper.start()
        var loaded = 0
        var refusals: [String: Int] = [:]
        for _ in 0..<1000 {
            do {
                let plugin = try PluginLoader.load(target, policy: policy, hasCitation: { _ in true }, datasetFiles: { _ in [] })
                XCTAssertEqual(plugin.id, "investor-shares")
                loaded += 1
            } catch {
                refusals[error.reason.hasPrefix("sha256 ") ? "digest" : error.reason, default: 0] += 1
            }
        }
        stop.set()
        while !swapper.isFinished { usleep(1000) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "the swapped-in library's constructor ran")
        XCTAssertEqual(loaded + refusals.values.reduce(0, +), 1000)
        XCTAssertGreaterThan(loaded, 0, "the allowlisted plugin loads")
        XCTAssertEqual(Set(refusals.keys).subtracting(["digest"]), [], "every refusal is the digest's: \(refusals)")
        XCTAssertGreaterThan(swaps.value, 1000, "the swapper ran throughout")
        print("1,000 loads with \(swaps.value) swaps: \(loaded) loaded the allowlisted plugin, \(refusals["digest", default: 0]) refused by digest; the other library's code ran: \(FileManager.default.fileExists(atPath: marker.path))")

        // A symlink into a folder another user owns: refused, naming the folder (its owner may
        // replace what is in it at any time), and nothing of it runs.
        guard getuid() == 0 else { throw XCTSkip("chown needs root") }
        let foreign = try Fixtures.temporaryFolder("foreign")
        let foreignMarker = folder.appendingPathComponent("foreign-ran")
        try markerLibrary("lib.so", in: foreign, marker: foreignMarker)
        XCTAssertEqual(chown(foreign.path, 65534, 65534), 0)
        let plugins = try Fixtures.temporaryFolder("plugins")
        try FileManager.default.createSymbolicLink(atPath: plugins.appendingPathComponent("libcheck-plugin-linked.so").path,
                                                   withDestinationPath: foreign.appendingPathComponent("lib.so").path)
        let listing = try check(["plugins", "--plugins", plugins.path])
        XCTAssertEqual(listing.status, 2)
        XCTAssertTrue(listing.stdout.contains("its folder \(foreign.resolvingSymlinksInPath().path) is owned by uid 65534, not by the user running check"), listing.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: foreignMarker.path))
    }

    /// 2. A library the plugin needs (DT_NEEDED, found through its `$ORIGIN` run path) is
    /// checked like the plugin: trusted, it loads and the plugin works; made world-writable and
    /// replaced, the plugin is refused naming it, and the replacement's code never runs.
    func testLibrariesAPluginNeedsAreCheckedLikeIt() throws {
        let scratch = try Fixtures.temporaryFolder()
        let dependencyRan = scratch.appendingPathComponent("dependency-ran")
        let replacementRan = scratch.appendingPathComponent("replacement-ran")
        let dependency = "libcheck-test-dependency.so"
        func plugins(_ name: String) throws -> URL {
            let folder = try Fixtures.temporaryFolder(name)
            try markerLibrary(dependency, in: folder, marker: dependencyRan, arguments: ["-Wl,-soname,\(dependency)"])
            try Fixtures.compileC(TestPaths.fixtures.appendingPathComponent("plugins/uses_dependency.c"), into: folder,
                                  name: "libcheck-plugin-uses-dependency.so",
                                  arguments: ["-L", folder.path, "-lcheck-test-dependency", "-Wl,-rpath,$ORIGIN"])
            return folder
        }

        let trusted = try plugins("trusted")
        let run = try check(["--no-default-plugins", "--plugins", trusted.path, "examples/negative-list/fail--rare-earth-mining.json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("uses-dependency"), run.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dependencyRan.path), "the trusted dependency was loaded")

        let exposed = try plugins("exposed")
        let library = exposed.appendingPathComponent(dependency)
        XCTAssertEqual(chmod(library.path, 0o666), 0)
        let replacement = try markerLibrary(dependency, in: scratch, marker: replacementRan, arguments: ["-Wl,-soname,\(dependency)"])
        try Data(contentsOf: replacement).write(to: library)  // in place: the mode stays 0666
        let listing = try check(["plugins", "--no-default-plugins", "--plugins", exposed.path])
        XCTAssertEqual(listing.status, 2)
        XCTAssertTrue(listing.stdout.contains("libcheck-plugin-uses-dependency.so: depends on \(dependency): the library it needs, \(library.path), is world-writable"), listing.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: replacementRan.path), "the replaced dependency's constructor ran")
    }

    /// 14. Plugin folder hazards: a FIFO named like a plugin is refused at once (it hung check
    /// for ever); an unlisted 2 GB file is refused by name without being read; a
    /// world-writable allowlist is refused.
    func testPluginFolderHazardsAreRefusedQuickly() throws {
        let folder = try Fixtures.temporaryFolder()
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("libcheck-plugin-fifo.so").path, 0o644), 0)
        // `timeout` turns a hang into a failure (status 124) instead of a test that never ends.
        let fifo = try runProcess("/usr/bin/env", ["timeout", "60", TestPaths.checkExecutable.path, "plugins", "--plugins", folder.path])
        XCTAssertEqual(fifo.status, 2, fifo.stderr)
        XCTAssertTrue(fifo.stdout.contains("libcheck-plugin-fifo.so: the file is not a regular file (a FIFO); only regular files load"), fifo.stdout)

        // A 2 GB sparse file: check's peak memory stays far below the file's size.
        let huge = try Fixtures.temporaryFolder("huge")
        let file = huge.appendingPathComponent("libcheck-plugin-huge.so")
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: nil))
        XCTAssertEqual(truncate(file.path, 2 << 30), 0)
        let allowlist = huge.appendingPathComponent("allowlist.txt")
        try Data("# only the built-in plugins\n".utf8).write(to: allowlist)
        let measured = try measuredCheck(["plugins", "--plugins", huge.path, "--plugin-allowlist", allowlist.path])
        XCTAssertEqual(measured.status, 2, measured.stdout)
        XCTAssertTrue(measured.stdout.contains("libcheck-plugin-huge.so: not in the allowlist"), measured.stdout)
        XCTAssertLessThan(measured.peakKiB, 512 << 10, "peak RSS \(measured.peakKiB) KiB: the 2 GB file was read")

        // Listed by name, a file too large to be a plugin is refused without being digested.
        try Data("\(String(repeating: "0", count: 64))  libcheck-plugin-huge.so\n".utf8).write(to: allowlist)
        XCTAssertEqual(try PluginPolicy(allowlistAt: allowlist.path).refusal(for: file),
                       "larger than 512 MiB or unreadable: not digested for the allowlist \(allowlist.path)")

        // The allowlist itself: others may not be able to edit it.
        XCTAssertEqual(chmod(allowlist.path, 0o666), 0)
        let open = try check(["plugins", "--plugin-allowlist", allowlist.path])
        XCTAssertEqual(open.status, 2)
        XCTAssertTrue(open.stderr.contains("the plugin allowlist \(allowlist.path) is world-writable"), open.stderr)
    }

    /// The check behind finding 8: which absent-field paths the application has. Walking down
    /// gives what comparing every value's path would (null counts as absent).
    func testAbsentPathsAreResolvedAsPathsAreWritten() throws {
        let text = #"{"a": {"b": [1, {"c": null, "d": "x"}], "e f": true}, "g": null}"#
        let document = try JSONReader.parse(Array(text.utf8))
        let cases: [(String, Bool)] = [
            ("$.a", true), ("$.a.b", true), ("$.a.b[0]", true), ("$.a.b[1].d", true), ("$.a.b[1].c", false),
            ("$.a.b[2]", false), ("$.g", false), ("$.nope", false), ("$.a[\"e f\"]", true), ("$.a[\"e g\"]", false),
            ("$", true), ("a", false), ("$.a.b[x]", false), ("$.a.b[]", false), ("$.a.b[99999999999999999999]", false),
        ]
        for (path, has) in cases { XCTAssertEqual(document.hasValue(at: path), has, path) }
    }
}

/// A flag one thread sets and another polls.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.lock(); flag = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}

/// A count one thread raises and another reads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
