import CheckAPI
@testable import CheckHost
import Foundation
import XCTest

/// Worker isolation: plugins that segfault, abort, call fatalError, hang or report garbage
/// become `error` for the application they fail on; every other application and plugin in the
/// same run keeps its correct verdict, and the run ends with exit status 2 and a summary.
final class IsolationTests: XCTestCase {
    /// Real shared libraries built for this test: four C fixtures and one Swift fixture.
    static let fixtures: URL = {
        let folder = try! Fixtures.temporaryFolder("isolation")
        for (source, id) in [("segfault.c", "segfault"), ("abort.c", "abort"), ("hang.c", "hang"), ("garbage.c", "garbage")] {
            try! Fixtures.plugin(source, as: id, into: folder)
        }
        let swift = TestPaths.fixtures.appendingPathComponent("plugins/swift")
        let result = try! runProcess("/usr/bin/env", ["swiftc", "-emit-library", "-module-name", "FatalFixture", "-I", swift.path,
                                                      swift.appendingPathComponent("fatal.swift").path,
                                                      "-o", folder.appendingPathComponent("libcheck-plugin-fatal.so").path])
        precondition(result.status == 0, "swiftc failed: \(result.stderr)")
        return folder
    }()

    /// A batch where each misbehaving plugin has one application it fails on.
    func batch() throws -> [(id: String, bytes: [UInt8])] {
        let fail = try String(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/fail--rare-earth-mining.json"), encoding: .utf8)
        let pass = try String(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/pass--semiconductor-packaging.json"), encoding: .utf8)
        return ["GD-OK-1", "GD-CRASH-1", "GD-OK-2", "GD-ABORT-1", "GD-HANG-1", "GD-FATAL-1", "GD-GARBAGE-1", "GD-OK-3"].enumerated().map { index, id in
            let text = (index % 2 == 1 ? fail : pass).replacingOccurrences(of: #""id": "GD-2026-000201""#, with: "\"id\": \"\(id)\"")
                .replacingOccurrences(of: #""id": "GD-2026-000123""#, with: "\"id\": \"\(id)\"")
            return (id, Array(text.utf8))
        }
    }

    func testMisbehavingPluginsBecomeErrorsAndTheRestStands() throws {
        var configuration = SessionConfiguration(pluginDirectories: [Self.fixtures, TestPaths.build], rulesRoots: [TestPaths.rules],
                                                 only: ["segfault", "aborts", "hangs", "fatal", "garbage", "negative-list"])
        configuration.isolateAll = true
        configuration.pluginTimeout = 1
        configuration.workerExecutable = TestPaths.checkExecutable
        let session = try CheckSession(configuration)
        XCTAssertEqual(session.refusals.map(\.description), [])
        XCTAssertTrue(session.plugins.allSatisfy(\.isIsolated))
        XCTAssertEqual(session.plugins.map(\.id), ["aborts", "fatal", "garbage", "hangs", "negative-list", "segfault"])

        let applications = try batch()
        let evaluator = session.makeEvaluator()
        let results = evaluator.evaluate(applications.map { .application(bytes: $0.bytes, source: $0.id, line: nil) })
        let culprit = ["GD-CRASH-1": "segfault", "GD-ABORT-1": "aborts", "GD-HANG-1": "hangs", "GD-FATAL-1": "fatal", "GD-GARBAGE-1": "garbage"]
        let reasons = ["segfault": "crashed with signal 11 (SIGSEGV)", "aborts": "crashed with signal 6 (SIGABRT) while evaluating this application (stderr: fixture: aborting on purpose)",
                       "hangs": "timed out after 1 s (--plugin-timeout)", "fatal": "Fatal error: fixture: fatalError on purpose",
                       "garbage": "finding of garbage/rule with verdict 99, expected 0-4"]
        for (index, result) in results.enumerated() {
            let id = applications[index].id
            XCTAssertEqual(result.application, id)
            // The built-in plugin's verdict is right for every application, whatever the others did.
            XCTAssertEqual(result.verdict(of: "negative-list"), index % 2 == 1 ? .fail : .pass, id)
            for plugin in ["segfault", "aborts", "hangs", "fatal", "garbage"] {
                if culprit[id] == plugin {
                    XCTAssertEqual(result.verdict(of: plugin), .error, "\(plugin) on \(id)")
                    let message = result.findings.first { $0.plugin == plugin && $0.verdict == .error }?.message.en ?? ""
                    XCTAssertTrue(message.contains(reasons[plugin]!), "\(plugin) on \(id): \(message)")
                } else {
                    XCTAssertEqual(result.verdict(of: plugin), .pass, "\(plugin) on \(id) after restarts")
                }
            }
            XCTAssertEqual(result.verdict, culprit[id] == nil ? result.verdict(of: "negative-list") : .error, id)
        }
    }

    func testCommandLineRunCompletesWithStatus2AndASummary() throws {
        let file = try Fixtures.temporaryFolder().appendingPathComponent("batch.jsonl")
        let lines = try batch().map { String(decoding: try JSONSerialization.data(withJSONObject: try foundationJSON(Data($0.bytes))), as: UTF8.self) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        let output = try check(["--isolate", "--plugin-timeout", "1", "--plugins", Self.fixtures.path, "--format", "json", file.path])
        XCTAssertEqual(output.status, 2)
        XCTAssertTrue(output.stderr.contains("check: 5 problem(s) kept 5 application(s) from a full evaluation"), output.stderr)
        for marker in ["GD-CRASH-1", "GD-ABORT-1", "GD-HANG-1", "GD-FATAL-1", "GD-GARBAGE-1"] {
            XCTAssertTrue(output.stderr.contains(marker), "\(marker) in the summary: \(output.stderr)")
        }
        let report = try XCTUnwrap(try foundationJSON(output.stdoutBytes) as? [String: Any])
        XCTAssertEqual((report["results"] as? [Any])?.count, 8, "every application is reported")
        XCTAssertEqual((report["summary"] as? [String: Any])?["error"] as? Int, 5)
    }

    /// Evaluators on two threads share one set of workers (one worker per isolated plugin, not
    /// one per thread), and each gets the verdicts and findings evaluation in process gives.
    func testEvaluatorsShareOneSetOfWorkers() throws {
        var configuration = SessionConfiguration(pluginDirectories: [TestPaths.build], rulesRoots: [TestPaths.rules])
        configuration.isolateAll = true
        configuration.workerExecutable = TestPaths.checkExecutable
        let isolated = try CheckSession(configuration)
        XCTAssertEqual(isolated.plugins.count, 4)
        let files = FileManager.default.enumerator(at: TestPaths.examples, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        let once = try files.map { InputRecord.application(bytes: [UInt8](try Data(contentsOf: $0)), source: $0.lastPathComponent, line: nil) }
        let records = Array(repeating: once, count: 8).flatMap { $0 }
        // Batches as a batch run makes them: each one borrows the workers and gives them back.
        let batches = stride(from: 0, to: records.count, by: BatchRun.batchSize).map { Array(records[$0..<min($0 + BatchRun.batchSize, records.count)]) }
        XCTAssertGreaterThan(batches.count, 2)
        @Sendable func summary(_ results: [ApplicationResult]) -> [String] {
            results.map { result in
                "\(result.source) \(result.verdict) " + result.findings.map { "\($0.plugin) \($0.verdict) \($0.message(in: .en))" }.joined(separator: "; ")
            }
        }
        let expected = summary(try makeSession().makeEvaluator().evaluate(records))

        final class Outcomes: @unchecked Sendable {
            let lock = NSLock()
            var summaries: [[String]] = []
        }
        let outcomes = Outcomes()
        nonisolated(unsafe) let evaluators = [isolated.makeEvaluator(), isolated.makeEvaluator()]
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let results = summary(batches.flatMap { evaluators[index].evaluate($0) })
            outcomes.lock.lock()
            outcomes.summaries.append(results)
            outcomes.lock.unlock()
        }
        XCTAssertEqual(outcomes.summaries.count, 2)
        for results in outcomes.summaries { XCTAssertEqual(results, expected) }
        XCTAssertEqual(isolated.workers.workerStarts, 4, "one worker per isolated plugin, started once")
    }

    /// Isolated and in-process evaluation of the shipped examples give identical reports.
    func testIsolatedReportEqualsInProcessReport() throws {
        let inProcess = try check(["--format", "json", "examples/"])
        let isolated = try check(["--format", "json", "--isolate", "examples/"])
        XCTAssertEqual(isolated.status, inProcess.status)
        XCTAssertEqual(isolated.stdoutBytes, inProcess.stdoutBytes)
        let one = try check(["--format", "json", "--isolate-plugin", "negative-list", "examples/"])
        XCTAssertEqual(one.stdoutBytes, inProcess.stdoutBytes)
    }
}
