import CheckHost
import Foundation
import XCTest

/// The JSON report carries at least the keys of SPEC §6, and the exit status follows SPEC §6.
final class ReportTests: XCTestCase {
    func testJSONReportHasTheRequiredKeys() throws {
        let output = try check(["--format", "json", "--only", "negative-list", "examples/negative-list/fail--rare-earth-mining.json", "examples/negative-list/pass--semiconductor-packaging.json"])
        XCTAssertEqual(output.status, 1, "an application failed: exit status 1")
        let report = try XCTUnwrap(try foundationJSON(output.stdoutBytes) as? [String: Any])
        let tool = try XCTUnwrap(report["tool"] as? [String: Any])
        XCTAssertEqual(tool["name"] as? String, "check")
        XCTAssertNotNil(tool["version"] as? String)
        let plugins = try XCTUnwrap(report["plugins"] as? [[String: Any]])
        let negative = try XCTUnwrap(plugins.first { $0["id"] as? String == "negative-list" })
        XCTAssertNotNil(negative["version"] as? String)
        XCTAssertEqual(negative["abi"] as? Int, 1)

        let results = try XCTUnwrap(report["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 2)
        let result = results[0]
        XCTAssertEqual(result["application"] as? String, "GD-2026-000201")
        XCTAssertEqual(result["source"] as? String, "examples/negative-list/fail--rare-earth-mining.json")
        XCTAssertEqual(result["asOf"] as? String, "2026-03-15")
        XCTAssertEqual(result["verdict"] as? String, "fail")
        let pluginVerdicts = try XCTUnwrap(result["plugins"] as? [[String: Any]])
        XCTAssertEqual(pluginVerdicts.first { $0["id"] as? String == "negative-list" }?["verdict"] as? String, "fail")
        let finding = try XCTUnwrap((result["findings"] as? [[String: Any]])?.first { $0["plugin"] as? String == "negative-list" })
        XCTAssertEqual(finding["plugin"] as? String, "negative-list")
        XCTAssertEqual(finding["rule"] as? String, "negative-list/prohibited")
        XCTAssertEqual(finding["verdict"] as? String, "fail")
        XCTAssertFalse((finding["message"] as? String ?? "").isEmpty)
        let evidence = try XCTUnwrap((finding["evidence"] as? [[String: Any]])?.first)
        XCTAssertEqual(evidence["path"] as? String, "$.project.industries[0].code")
        XCTAssertEqual(evidence["value"] as? String, "B0932")
        let citation = try XCTUnwrap((finding["citations"] as? [[String: Any]])?.first)
        XCTAssertEqual(citation["document"] as? String, "外商投资准入特别管理措施（负面清单）（2024年版）")
        XCTAssertEqual(citation["number"] as? String, "国家发展和改革委员会 商务部令第23号")
        XCTAssertEqual(citation["clause"] as? String, "第5项")
        XCTAssertEqual(citation["quote"] as? String, "禁止投资稀土、放射性矿产、钨勘查、开采及选矿。")

        let summary = try XCTUnwrap(report["summary"] as? [String: Any])
        XCTAssertEqual(summary["applications"] as? Int, 2)
        XCTAssertEqual(summary["pass"] as? Int, 1)
        XCTAssertEqual(summary["fail"] as? Int, 1)
        XCTAssertEqual(summary["review"] as? Int, 0)
        XCTAssertEqual(summary["error"] as? Int, 0)
    }

    func testExitStatus() throws {
        XCTAssertEqual(try check(["--only", "negative-list", "examples/negative-list/pass--semiconductor-packaging.json"]).status, 0)
        XCTAssertEqual(try check(["--only", "negative-list", "examples/negative-list/review--keyword-only-film-distribution.json"]).status, 0)
        XCTAssertEqual(try check(["--only", "negative-list", "--fail-on", "review", "examples/negative-list/review--keyword-only-film-distribution.json"]).status, 1)
        XCTAssertEqual(try check(["examples/negative-list/fail--rare-earth-mining.json"]).status, 1)
        let usage = try check(["--format", "yaml", "examples/"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("--format must be"), usage.stderr)
        XCTAssertEqual(try check(["--no-such-option", "examples/"]).status, 2)
    }

    func testSameInputGivesIdenticalBytes() throws {
        let first = try check(["--format", "json", "examples/"])
        let second = try check(["--format", "json", "examples/"])
        XCTAssertEqual(first.stdoutBytes, second.stdoutBytes)
        XCTAssertFalse(first.stdoutBytes.isEmpty)
    }

    /// `--jobs N` writes, byte for byte, what one job writes: results in input order over many
    /// batches (the writing thread evaluates batches too, between writes).
    func testParallelRunsWriteWhatOneJobWrites() throws {
        // Every example as one line, repeated to 20 batches of `BatchRun.batchSize`.
        let files = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.examples.path).filter { $0.hasSuffix(".json") }.sorted()
        let lines = try files.map { file -> String in
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.examples.appendingPathComponent(file)))
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        XCTAssertGreaterThan(lines.count, 10)
        let count = 20 * BatchRun.batchSize
        let batch = try Fixtures.temporaryFolder("parallel").appendingPathComponent("batch.jsonl")
        try (0..<count).map { lines[$0 % lines.count] }.joined(separator: "\n").write(to: batch, atomically: true, encoding: .utf8)

        let one = try check(["--format", "jsonl", "--jobs", "1", batch.path])
        XCTAssertEqual(String(decoding: one.stdoutBytes, as: UTF8.self).split(separator: "\n").count, count + 2, "a header, a line per application, a summary")
        for jobs in [2, 3, 7] {
            let many = try check(["--format", "jsonl", "--jobs", String(jobs), batch.path])
            XCTAssertEqual(many.status, one.status, "--jobs \(jobs)")
            XCTAssertEqual(many.stdoutBytes, one.stdoutBytes, "--jobs \(jobs)")
        }
    }

    /// A reader that stops early (`check … | head`) ends the run quietly, never with a crash.
    func testClosedPipeEndsQuietly() throws {
        let result = try runProcess("/bin/sh", ["-c", "\(TestPaths.checkExecutable.path) --format jsonl examples/ | head -c 100 > /dev/null; echo \"${PIPESTATUS:-}\""],
                                    directory: TestPaths.root)
        XCTAssertEqual(result.stderr, "", "no crash report on a closed pipe")
        let rules = try runProcess("/bin/sh", ["-c", "\(TestPaths.checkExecutable.path) rules | head -n 1"], directory: TestPaths.root)
        XCTAssertEqual(rules.stderr, "")
        XCTAssertEqual(rules.stdout, "Rule data: \(TestPaths.rules.path)\n")
    }
}
