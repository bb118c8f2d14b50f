import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Hostile input: every case gets a clear error or a correct verdict, never a crash or a hang,
/// within bounded memory — the peak RSS of the `check` process is measured (wait4) and asserted.
final class HostileInputTests: XCTestCase {
    /// What a measured run of `check` printed, how it ended, and its peak resident memory.
    struct Measured {
        let status: Int32
        let stdout: Data
        let stderr: String
        let peakMB: Double
    }

    /// Runs `check` with `arguments`; `feed`, if given, writes standard input on another thread.
    static func measure(_ arguments: [String], feed: (@Sendable (FileHandle) -> Void)? = nil) throws -> Measured {
        let folder = try Fixtures.temporaryFolder("measure")
        let outFile = folder.appendingPathComponent("out"), errFile = folder.appendingPathComponent("err")
        var input: [Int32] = [0, 0]
        guard pipe(&input) == 0 else { throw HostError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_addclose(&actions, input[1])
        posix_spawn_file_actions_addopen(&actions, 1, outFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([TestPaths.checkExecutable.path, "--no-color"] + arguments).map { strdup($0) } + [nil]
        let env = ProcessInfo.processInfo.environment.merging(["LANG": "C", "NO_COLOR": "1"]) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; env.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, TestPaths.checkExecutable.path, &actions, nil, argv, env) == 0 else { throw HostError("cannot run check") }
        close(input[0])
        let writer = FileHandle(fileDescriptor: input[1], closeOnDealloc: true)
        let done = DispatchSemaphore(value: 0)
        Thread {
            feed?(writer)
            try? writer.close()
            done.signal()
        }.start()
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        done.wait()
        return Measured(status: (status >> 8) & 0xFF, stdout: try Data(contentsOf: outFile),
                        stderr: try String(contentsOf: errFile, encoding: .utf8), peakMB: Double(usage.ru_maxrss) / 1024)
    }

    /// The peak RSS of an ordinary run (one small application) of the same build: memory bounds
    /// are asserted relative to it, so they hold for instrumented builds (ASan) too.
    static let baselineMB: Double = {
        return try! measure(["--format", "json", "--only", "negative-list",
                                  TestPaths.examples.appendingPathComponent("negative-list/pass--semiconductor-packaging.json").path]).peakMB
    }()

    /// Asserts `run` stayed within `margin` MB of an ordinary run, whatever the input size.
    func assertBounded(_ run: Measured, margin: Double = 64, _ what: String, line: UInt = #line) {
        XCTAssertLessThan(run.peakMB, Self.baselineMB + margin,
                          "peak RSS \(run.peakMB) MB for \(what); an ordinary run peaks at \(Self.baselineMB) MB", line: line)
    }

    func results(_ measured: Measured) throws -> [[String: Any]] {
        let report = try XCTUnwrap(try foundationJSON(measured.stdout) as? [String: Any], "the report is valid JSON")
        return try XCTUnwrap(report["results"] as? [[String: Any]])
    }

    func firstError(_ result: [String: Any]) -> [String: Any]? { (result["inputErrors"] as? [[String: Any]])?.first }

    var application: String {
        get throws { try String(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/pass--semiconductor-packaging.json"), encoding: .utf8) }
    }

    func testHundredMegabyteApplicationIsRefusedWithoutReadingIt() throws {
        let file = try Fixtures.temporaryFolder().appendingPathComponent("huge.json")
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        handle.write(Data(#"{"schemaVersion": 1, "id": "HUGE", "businessScope": ""#.utf8))
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<100 { handle.write(chunk) }
        handle.write(Data("\"}\n".utf8))
        try handle.close()
        let run = try Self.measure(["--format", "json", file.path])
        XCTAssertEqual(run.status, 2)
        let error = try XCTUnwrap(firstError(try results(run)[0]))
        XCTAssertEqual(error["expected"] as? String, "an application of at most 16 MB")
        XCTAssertEqual(error["found"] as? String, "a file of 100 MB")
        assertBounded(run, margin: 32, "a 100 MB file")
    }

    func testDeepNestingInvalidUTF8NULAndNumbers() throws {
        let base = try application
        let deep = base.replacingOccurrences(of: #""claims": null"#, with: "\"claims\": null, \"x\": " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        let lines: [(String, [UInt8])] = [
            ("deep", Array(deep.utf8)),
            ("invalid-utf8", Array(base.utf8)),
            ("raw-nul", Array(base.replacingOccurrences(of: "集成电路封装测试", with: "集成电路\u{0}封装测试").utf8)),
            ("escaped-nul", Array(base.replacingOccurrences(of: "集成电路封装测试", with: "集成电路\\u0000封装测试").utf8)),
            ("huge-number", Array(base.replacingOccurrences(of: #""sharePercent": 100"#, with: #""sharePercent": 1e400"#).utf8)),
            ("negative-zero", Array(base.replacingOccurrences(of: #""sharePercent": 100"#, with: #""sharePercent": -0"#).utf8)),
            ("huge-number-ignored", Array(base.replacingOccurrences(of: #""claims": null"#, with: #""claims": null, "note": 1e400"#).utf8)),
            ("duplicate-key", Array(base.replacingOccurrences(of: #""id": "GD-2026-000123""#, with: #""id": "A", "id": "B""#).utf8)),
            // 200,000 unknown members, the first repeated last: found by hashing, not by comparing every pair.
            ("wide-object", Array(base.replacingOccurrences(of: #""claims": null"#, with: #""claims": null, "#
                + (0..<200_000).map { "\"u\($0)\": 0" }.joined(separator: ", ") + #", "u0": 1"#).utf8)),
        ]
        var batch: [UInt8] = []
        for (name, bytes) in lines {
            var line = bytes.filter { $0 != 0x0A && $0 != 0x0D }
            if name != "raw-nul" {
                // Unique ids (except where the line tests ids); before any byte-level damage.
                if let range = String(decoding: line, as: UTF8.self).range(of: "GD-2026-000123") {
                    line = Array(String(decoding: line, as: UTF8.self).replacingCharacters(in: range, with: "GD-\(name)").utf8)
                }
            }
            if name == "invalid-utf8" {
                // Inside the project's name: a lead byte followed by a non-continuation byte.
                let marker = Array("12英寸".utf8)
                let at = (0...(line.count - marker.count)).first { Array(line[$0..<$0 + marker.count]) == marker }!
                line.insert(contentsOf: [0xC3, 0x28], at: at)
            }
            batch += line + [0x0A]
        }
        let file = try Fixtures.temporaryFolder().appendingPathComponent("hostile.jsonl")
        try Data(batch).write(to: file)
        let run = try Self.measure(["--format", "json", "--only", "negative-list", file.path])
        XCTAssertEqual(run.status, 2)
        assertBounded(run, "nine hostile lines")
        let byLine = Dictionary(uniqueKeysWithValues: try results(run).map { (Int(($0["source"] as! String).split(separator: ":").last!)!, $0) })
        XCTAssertEqual(byLine.count, lines.count)
        XCTAssertEqual(firstError(byLine[1]!)?["expected"] as? String, "nesting at most 512 deep")
        XCTAssertEqual(firstError(byLine[2]!)?["expected"] as? String, "valid UTF-8")
        XCTAssertEqual(firstError(byLine[3]!)?["expected"] as? String, "a character (control characters must be escaped)")
        XCTAssertEqual(byLine[4]!["verdict"] as? String, "pass", "an escaped NUL is valid JSON")
        XCTAssertEqual(firstError(byLine[5]!)?["found"] as? String, "number 1e400 (beyond what an exact decimal holds)")
        XCTAssertEqual(byLine[6]!["verdict"] as? String, "pass", "-0 is a valid share (the negative list does not depend on it here)")
        XCTAssertEqual(byLine[7]!["verdict"] as? String, "pass", "an out-of-range number in an unknown member is ignored")
        XCTAssertEqual(firstError(byLine[8]!)?["expected"] as? String, "each member name once")
        XCTAssertEqual(firstError(byLine[9]!)?["path"] as? String, "$.u0")
        XCTAssertEqual(firstError(byLine[9]!)?["expected"] as? String, "each member name once")
    }

    /// The largest numbers the format allows (an exact decimal of 18 digits before the point and
    /// 18 after it), in every amount a plugin formats into a message: each plugin gives a verdict
    /// and writes the amount in full; the largest finite double is an input error naming its
    /// path, never a rounded value or a trap. (Found by differential testing: formatting 1.7e308
    /// tce as a double trapped converting to Int64, in process, and took the whole batch down.)
    func testLargestAmountsGiveVerdictsNotATrap() throws {
        let folder = try Fixtures.temporaryFolder()
        func write(_ value: String, _ name: String) throws {
            let energy = try String(contentsOf: TestPaths.examples.appendingPathComponent("high-energy/fail--energy-review-not-approved.json"), encoding: .utf8)
                .replacingOccurrences(of: #""annualConsumptionTce": 12000"#, with: #""annualConsumptionTce": \#(value)"#)
                .replacingOccurrences(of: #""annualElectricityKwh": 95000000"#, with: #""annualElectricityKwh": \#(value)"#)
            let centre = try String(contentsOf: TestPaths.examples.appendingPathComponent("rd-centre/pass--certified-centre-2025.json"), encoding: .utf8)
                .replacingOccurrences(of: #""amount": 12000000"#, with: #""amount": \#(value)"#)
                .replacingOccurrences(of: #""amount": 35000000"#, with: #""amount": \#(value)"#)
            XCTAssertEqual([energy, centre].map { $0.components(separatedBy: value).count - 1 }, [2, 2])
            try energy.write(to: folder.appendingPathComponent("energy-\(name).json"), atomically: true, encoding: .utf8)
            try centre.write(to: folder.appendingPathComponent("centre-\(name).json"), atomically: true, encoding: .utf8)
        }
        try write("999999999999999999.999999999999999999", "largest")
        try write("1.7976931348623157e308", "double")
        let run = try Self.measure(["--format", "json", folder.path])
        XCTAssertEqual(run.status, 2, "two applications with numbers beyond the format are input errors: \(run.stderr)")
        let results = try results(run)
        XCTAssertEqual(results.count, 4)
        for result in results {
            let source = result["source"] as? String ?? ""
            if source.contains("-double") {
                let problems = try XCTUnwrap(result["inputErrors"] as? [[String: Any]], source)
                XCTAssertEqual(problems.count, 2, source)
                XCTAssertTrue(problems.allSatisfy { ($0["found"] as? String)?.contains("beyond what an exact decimal holds") == true }, "\(problems)")
                continue
            }
            let plugins = try XCTUnwrap(result["plugins"] as? [[String: Any]])
            XCTAssertEqual(plugins.count, 4, source)
            XCTAssertFalse(plugins.contains { $0["verdict"] as? String == "error" }, "\(plugins)")
        }
        let findings = results.flatMap { $0["findings"] as? [[String: Any]] ?? [] }
        XCTAssertTrue(findings.contains { ($0["message"] as? String)?.contains("999,999,999,999,999,999.999999999999999999 tce") == true },
                      "the amount is written in full in the message")
    }

    /// A gigabyte through standard input: lines longer than the record limit are reported and
    /// skipped without being held; the good lines between them are evaluated; memory stays flat.
    func testGigabyteStreamOnStandardInput() throws {
        let good = Data(Array(try application.filter { $0 != "\n" }.utf8) + [0x0A])
        let longLine = Data(repeating: UInt8(ascii: " "), count: 1 << 20)
        let run = try Self.measure(["--format", "jsonl", "--only", "negative-list", "-"]) { handle in
            for index in 0..<61 {
                handle.write(good)
                // A 16.5 MiB line: a string that never ends within the limit.
                handle.write(Data(#"{"id": "long-\#(index)", "x": ""#.utf8))
                for _ in 0..<16 { handle.write(longLine) }
                handle.write(Data(repeating: UInt8(ascii: "b"), count: 1 << 19))
                handle.write(Data("\"}\n".utf8))
            }
            handle.write(good)
        }
        XCTAssertEqual(run.status, 2)
        let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").compactMap { try? foundationJSON(Data($0.utf8)) as? [String: Any] }
        let results = lines.filter { $0["source"] != nil }
        XCTAssertEqual(results.count, 123, "62 good lines and 61 long ones")
        XCTAssertEqual(results.filter { $0["verdict"] as? String == "pass" }.count, 62)
        let errors = results.filter { $0["verdict"] as? String == "error" }
        XCTAssertEqual(errors.count, 61)
        XCTAssertEqual(firstError(errors[0])?["expected"] as? String, "a line of at most 16 MB")
        XCTAssertEqual(errors[0]["source"] as? String, "-:2")
        assertBounded(run, "about 1 GB of input")
    }

    func testFolderWithLoopsDanglingLinksFIFOsAndUnreadableFiles() throws {
        let folder = try Fixtures.temporaryFolder().appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data(try application.utf8).write(to: folder.appendingPathComponent("good.json"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("sub/loop").path, withDestinationPath: folder.path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("self.json").path, withDestinationPath: folder.appendingPathComponent("self.json").path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("dangling.json").path, withDestinationPath: "/nonexistent/x.json")
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("fifo.json").path, 0o644), 0)
        let unreadable = folder.appendingPathComponent("secret.json")
        try Data(try application.utf8).write(to: unreadable)
        chmod(unreadable.path, 0o000)  // unreadable unless running as root

        let run = try Self.measure(["--format", "json", "--only", "negative-list", folder.path])
        XCTAssertEqual(run.status, 2, "problems make the status 2; nothing hangs")
        let bySource = Dictionary(uniqueKeysWithValues: try results(run).map { (($0["source"] as! String), $0) })
        func found(_ name: String) -> String? { firstError(bySource[folder.appendingPathComponent(name).path] ?? [:])?["found"] as? String }
        XCTAssertEqual(found("fifo.json"), "a FIFO, socket or device")
        XCTAssertEqual(found("dangling.json"), "No such file or directory")
        XCTAssertEqual(found("self.json"), "Too many levels of symbolic links")
        XCTAssertEqual(found("sub/loop"), "a symbolic link back to a folder already read (a loop); not followed")
        XCTAssertEqual(bySource[folder.appendingPathComponent("good.json").path]?["verdict"] as? String, "pass")
        if getuid() != 0 {
            XCTAssertEqual(found("secret.json"), "a file that cannot be read (Permission denied)")
        }
        assertBounded(run, "a folder of hostile entries")
    }
}
