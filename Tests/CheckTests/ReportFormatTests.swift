import CheckAPI
import Foundation
import XCTest

/// Every report format: determinism, and the machine formats checked by independent readers
/// (Python's jsonschema for the schema, xml.etree for JUnit — run by scripts in Tests/scripts).
final class ReportFormatTests: XCTestCase {
    func python(_ script: String, _ arguments: [String]) throws -> ProcessResult {
        let result = try runProcess("/usr/bin/env", ["python3", TestPaths.root.appendingPathComponent("Tests/scripts/\(script)").path] + arguments)
        XCTAssertEqual(result.status, 0, "\(script) failed (is python3 with jsonschema installed? .ci/run installs it): \(result.stderr)")
        return result
    }

    func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try XCTUnwrap(try foundationJSON(Data($0.utf8)) as? [String: Any]) }
    }

    /// Every example application is valid against the published schema, and every malformed
    /// fixture is not, according to an independent validator.
    func testSchemaAcceptsExamplesAndRejectsMalformedInput() throws {
        let schema = try check(["schema"])
        XCTAssertEqual(schema.status, 0, schema.stderr)
        let schemaFile = try Fixtures.temporaryFolder().appendingPathComponent("application.schema.json")
        try schema.stdoutBytes.write(to: schemaFile)

        let examples = FileManager.default.enumerator(atPath: TestPaths.examples.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json") }.map { TestPaths.examples.appendingPathComponent($0).path }
        XCTAssertGreaterThanOrEqual(examples.count, 35)
        for result in try lines(try python("validate_schema.py", [schemaFile.path] + examples).stdout) {
            XCTAssertEqual(result["valid"] as? Bool, true, "\(result["file"]!): \(result["errors"]!)")
        }

        let malformedFolder = TestPaths.fixtures.appendingPathComponent("malformed")
        let malformed = try FileManager.default.contentsOfDirectory(atPath: malformedFolder.path).filter { $0.hasSuffix(".json") }
            .map { malformedFolder.appendingPathComponent($0).path }
        XCTAssertGreaterThanOrEqual(malformed.count, 11)
        for result in try lines(try python("validate_schema.py", [schemaFile.path] + malformed).stdout) {
            XCTAssertEqual(result["valid"] as? Bool, false, "\(result["file"]!) should be invalid")
        }
    }

    /// The JUnit report read as JUnit consumers read it: one test case per application × plugin,
    /// and counts that agree everywhere.
    /// A report that cannot be written ends the run with a clear error, never a quiet success:
    /// a full device gives exit 2 and the reason; a reader that closes the pipe (`| head`)
    /// gives 141, as a SIGPIPE would, and nothing on standard error.
    func testAReportThatCannotBeWrittenEndsTheRun() throws {
        let full = try check(["--format", "jsonl", "--output", "/dev/full", "examples/"])
        XCTAssertEqual(full.status, 2, full.stderr)
        XCTAssertTrue(full.stderr.contains("cannot write the report: No space left on device"), full.stderr)

        let folder = try Fixtures.temporaryFolder()
        let example = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.root.appendingPathComponent("examples/negative-list/fail--ftz-tobacco-retail.json")))
        let line = try JSONSerialization.data(withJSONObject: example) + Data("\n".utf8)
        let batch = folder.appendingPathComponent("batch.jsonl")
        try Data((0..<3000).flatMap { _ in line }).write(to: batch)
        let script = """
            import subprocess, sys
            run = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            run.stdout.read(100)
            run.stdout.close()
            print(run.wait(), len(run.stderr.read()))
            """
        let piped = try runProcess("/usr/bin/env", ["python3", "-c", script, TestPaths.checkExecutable.path, "--format", "jsonl", "--jobs", "2", batch.path],
                                   directory: TestPaths.root)
        XCTAssertEqual(piped.stdout.split(separator: " ").map(String.init), ["141", "0\n"], piped.stdout + piped.stderr)
    }

    func testJUnitCountsAgree() throws {
        let files = ["examples/negative-list/fail--rare-earth-mining.json", "examples/rd-centre/pass--certified-centre-2025.json",
                     "examples/high-energy/review--energy-data-missing.json", "Tests/Fixtures/malformed/truncated.json"]
        for failOn in ["fail", "review"] {
            let output = try check(["--format", "junit", "--fail-on", failOn] + files)
            XCTAssertEqual(output.status, 2)
            let file = try Fixtures.temporaryFolder().appendingPathComponent("report.xml")
            try output.stdoutBytes.write(to: file)
            let counts = try XCTUnwrap(try foundationJSON(Data(try python("junit_counts.py", [file.path]).stdout.utf8)) as? [String: Any])
            let declared = counts["declared"] as! [String: Int]
            let suites = counts["suites"] as! [String: Int]
            let counted = counts["counted"] as! [String: Int]
            XCTAssertEqual(counts["suiteCount"] as? Int, 4)
            // 3 evaluated applications × 4 plugins, plus one `input` case for the unreadable file.
            XCTAssertEqual(declared["tests"], 13)
            XCTAssertEqual(declared, suites)
            XCTAssertEqual(declared["failures"], counted["failure"])
            XCTAssertEqual(declared["errors"], counted["error"])
            XCTAssertEqual(declared["skipped"], counted["skipped"])
            XCTAssertEqual(declared["errors"], 1, "the truncated file")
            let cases = counts["cases"] as! [[String]]
            XCTAssertTrue(cases.contains(["GD-2026-000201", "negative-list"]))
            XCTAssertTrue(cases.contains(["(application id unreadable)", "input"]))
            if failOn == "fail" {
                // Only the rare-earth application's negative-list case fails; reviews are skipped.
                XCTAssertEqual(declared["failures"], 1, "\(counts)")
            } else {
                XCTAssertGreaterThan(declared["failures"]!, 1, "with --fail-on review, review is a failure")
            }
        }
    }

    /// Same input, same plugins, same rule data: identical bytes, in every format.
    func testEveryFormatIsDeterministic() throws {
        for format in ["text", "json", "jsonl", "junit", "markdown", "html"] {
            let first = try check(["--format", format, "examples/", "Tests/Fixtures/malformed/"])
            let second = try check(["--format", format, "examples/", "Tests/Fixtures/malformed/"])
            XCTAssertEqual(first.status, 2, format)
            XCTAssertGreaterThan(first.stdoutBytes.count, 10_000, format)
            XCTAssertEqual(first.stdoutBytes, second.stdoutBytes, "\(format) output differs between runs")
        }
    }

    func testJSONLinesStreamsOneResultPerLine() throws {
        let output = try check(["--format", "jsonl", "--only", "negative-list", "examples/negative-list/"])
        let records = try lines(output.stdout)
        XCTAssertEqual(records.first?["tool"].flatMap { ($0 as? [String: Any])?["name"] as? String }, "check")
        XCTAssertNotNil(records.last?["summary"])
        let results = records.dropFirst().dropLast()
        XCTAssertEqual(results.count, 16)
        XCTAssertTrue(results.allSatisfy { $0["verdict"] != nil && $0["findings"] != nil })
    }

    /// SPEC §6 / issue 25: one order for every format, the input's (text, markdown and html
    /// sorted by verdict while JSON kept input order, so staff and a script read different
    /// lists); and no colour when piped.
    func testEveryFormatKeepsInputOrderAndTextIsPlainWhenPiped() throws {
        let json = try check(["--format", "json", "--only", "negative-list", "examples/negative-list/"])
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])
        let inputOrder = try XCTUnwrap(report["results"] as? [[String: Any]]).compactMap { $0["application"] as? String }
        XCTAssertEqual(inputOrder.count, 16)
        XCTAssertNotEqual(Set(try XCTUnwrap(report["results"] as? [[String: Any]]).compactMap { $0["verdict"] as? String }).count, 1)

        let text = try check(["--only", "negative-list", "examples/negative-list/"])
        XCTAssertFalse(text.stdout.contains("\u{1B}["), "no colour codes when piped")
        XCTAssertEqual(text.stdout.split(separator: "\n").filter { $0.hasPrefix("GD-") }.map { String($0.split(separator: " ")[0]) }, inputOrder)
        let markdown = try check(["--format", "markdown", "--only", "negative-list", "examples/negative-list/"])
        XCTAssertEqual(markdown.stdout.split(separator: "\n").filter { $0.hasPrefix("## GD-") }.map { String($0.dropFirst(3).split(separator: " ")[0]) }, inputOrder)
        let html = try check(["--format", "html", "--only", "negative-list", "examples/negative-list/"])
        let headings = html.stdout.components(separatedBy: "<section id=\"").dropFirst().map { section in
            String(section.components(separatedBy: "<h2>")[1].prefix { $0 != " " && $0 != "<" })
        }
        XCTAssertEqual(headings, inputOrder)
    }

    func testHTMLAndMarkdownCarryEveryCitation() throws {
        for format in ["html", "markdown"] {
            let output = try check(["--format", format, "--lang", "zh", "examples/negative-list/fail--rare-earth-mining.json"])
            XCTAssertTrue(output.stdout.contains("禁止投资稀土、放射性矿产、钨勘查、开采及选矿。"), format)
            XCTAssertTrue(output.stdout.contains("落实外商投资准入负面清单"), format)
            XCTAssertTrue(output.stdout.contains("严格限制高耗能、高污染和低水平、产能过剩项目"), format)
        }
        let html = try check(["--format", "html", "examples/"]).stdout
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertFalse(html.contains("<script"), "self-contained, no scripts")
        XCTAssertFalse(html.contains("http://") || html.contains("src="), "no external resources")
    }

    func testExplainAndHelp() throws {
        let explain = try check(["explain", "negative-list/prohibited", "--as-of", "2024-10-31"])
        XCTAssertEqual(explain.status, 0, explain.stderr)
        XCTAssertTrue(explain.stdout.contains("sentence: “落实外商投资准入负面清单，全面清理歧视、排除外商投资企业产品或服务的市场准入、消费补贴等政策。”"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("negative-list/national-2021  外商投资准入特别管理措施（负面清单）（2021年版）"), explain.stdout)
        XCTAssertEqual(try check(["explain", "no-such/rule"]).status, 2)
        // A usage error points to the help of the command that was run.
        XCTAssertTrue(try check(["explain", "a", "b"]).stderr.hasSuffix("Run `check explain --help` for usage.\n"))
        XCTAssertTrue(try check(["--no-such-option"]).stderr.hasSuffix("Run `check --help` for usage.\n"))
        for command in [["--help"], ["plugins", "--help"], ["rules", "--help"], ["explain", "--help"], ["validate", "--help"], ["schema", "--help"]] {
            let help = try check(command)
            XCTAssertEqual(help.status, 0, "\(command)")
            XCTAssertTrue(help.stdout.hasPrefix("USAGE: check"), "\(command)")
            XCTAssertTrue(help.stdout.contains("EXAMPLES:"), "\(command)")
        }
    }
}

/// The progress line: on standard error for batches of more than 300 applications when it is a
/// terminal, silent otherwise.
final class ProgressLineTests: XCTestCase {
    func testProgressOnlyOnATerminal() throws {
        let folder = try Fixtures.temporaryFolder()
        let batch = folder.appendingPathComponent("batch.jsonl")
        let example = try String(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/pass--semiconductor-packaging.json"), encoding: .utf8)
        let line = try XCTUnwrap(String(data: try JSONSerialization.data(withJSONObject: try foundationJSON(Data(example.utf8))), encoding: .utf8))
        try Data(String(repeating: line + "\n", count: 400).utf8).write(to: batch)

        let piped = try check(["--format", "jsonl", batch.path])
        XCTAssertEqual(piped.stderr, "", "no progress when standard error is not a terminal")

        // `script` gives the process a pseudo-terminal; standard output goes to a file.
        let report = folder.appendingPathComponent("report.jsonl")
        let command = "NO_COLOR=1 \(TestPaths.checkExecutable.path) --format jsonl --output \(report.path) \(batch.path)"
        let terminal = try runProcess("/usr/bin/env", ["script", "-qec", command, "/dev/null"], directory: TestPaths.root)
        let progress = terminal.stdout
        XCTAssertNotNil(progress.range(of: #"\r[0-9]{3} \([0-9]+%\)  [0-9]+/s  ETA [0-9]+s"#, options: .regularExpression),
                        "progress shows count, share of the input read, rate and ETA: \(progress.debugDescription)")
        XCTAssertEqual(try String(contentsOf: report, encoding: .utf8).split(separator: "\n").count, 402)
    }
}
