import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Bad input is never a crash and never silently skipped: each malformed form gives an error
/// naming the file, line (where known), JSON path and expectation; the rest of the batch is
/// still evaluated, and the exit status is 2.
final class MalformedInputTests: XCTestCase {
    let folder = "Tests/Fixtures/malformed/"

    /// Runs `check --format json` and returns the results by source.
    func report(_ files: [String]) throws -> (status: Int32, results: [String: [String: Any]]) {
        let output = try check(["--format", "json", "--only", "negative-list"] + files)
        let json = try XCTUnwrap(try foundationJSON(output.stdoutBytes) as? [String: Any], output.stderr)
        let results = try XCTUnwrap(json["results"] as? [[String: Any]])
        return (output.status, Dictionary(uniqueKeysWithValues: results.map { ($0["source"] as! String, $0) }))
    }

    func errors(_ result: [String: Any]?) -> [[String: Any]] {
        (result?["inputErrors"] as? [[String: Any]]) ?? []
    }

    func testEachMalformedFormNamesPathAndExpectation() throws {
        let cases: [(file: String, path: String, expected: String, found: String, line: Int?)] = [
            ("truncated.json", "$.investors[0]", "a member name in double quotes", "end of input", 14),
            ("wrong-type.json", "$.investors[0].sharePercent", "a number from 0 to 100 (at most 18 digits after the point)", "string \"100\"", nil),
            ("missing-field.json", "$.project.location.province", "a provincial-level division of the mainland, e.g. \"广东省\"", "nothing (the field is missing)", nil),
            ("bad-date.json", "$.submittedOn", "a date YYYY-MM-DD", "string \"2026-02-30\"", nil),
            ("unknown-industry-code.json", "$.project.industries[0].code", "a GB/T 4754-2017 code (section letter and 2, 3 or 4 digits, e.g. \"C3973\")",
             "unknown code \"C3978\"; nearest valid codes: C3973, C3974, C3975, C3976, C3979", nil),
            ("empty.json", "$", "a JSON object (an application)", "an empty file", nil),
            ("not-an-object.json", "$", "an object", "an array", nil),
            ("duplicate-key.json", "$.investors[0].sharePercent", "each member name once", "\"sharePercent\" twice", nil),
            ("number-out-of-range.json", "$.investors[0].sharePercent", "a number from 0 to 100 (at most 18 digits after the point)", "number 1e400 (beyond what an exact decimal holds)", nil),
            ("invalid-utf8.json", "$.project.products[0].name", "valid UTF-8", "byte 0xFF in a sequence", 34),
        ]
        let good = "examples/negative-list/pass--semiconductor-packaging.json"
        let (status, results) = try report(cases.map { folder + $0.file } + [good])
        XCTAssertEqual(status, 2, "an application that could not be evaluated makes the exit status 2")
        for item in cases {
            let result = results[folder + item.file]
            XCTAssertEqual(result?["verdict"] as? String, "error", item.file)
            let problems = errors(result)
            XCTAssertEqual(problems.count, 1, "\(item.file): \(problems)")
            XCTAssertEqual(problems.first?["path"] as? String, item.path, item.file)
            XCTAssertEqual(problems.first?["expected"] as? String, item.expected, item.file)
            XCTAssertEqual(problems.first?["found"] as? String, item.found, item.file)
            XCTAssertEqual(problems.first?["line"] as? Int, item.line, item.file)
        }
        XCTAssertEqual(results[good]?["verdict"] as? String, "pass", "the good application in the same batch is still evaluated")
    }

    /// A name repeated among members the format does not define is found as a repeated defined
    /// name is: the first member whose name came before is reported, defined or not.
    func testRepeatedUnknownMembersAreFound() throws {
        let session = try makeSession()
        let application = try String(contentsOfFile: "examples/negative-list/pass--semiconductor-packaging.json", encoding: .utf8)
        let members = application.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst().dropLast()
        /// The problems of the application with `first` members before its own and `last` after.
        func problems(_ first: String, _ last: String = "") -> [String] {
            let text = "{" + first + members + last + "}"
            return session.evaluate(Array(text.utf8), source: first + last).inputProblems.map(\.problem.description)
        }
        XCTAssertEqual(problems(#""note": 1, "remark": 2, "note": 3, "#), [#"$.note: expected each member name once, found "note" twice"#])
        XCTAssertEqual(problems(#""note": 1, "remark": 2, "#), [], "two names outside the format, each once")
        XCTAssertEqual(problems(#""note": 1, "remark": 2, "schemaVersion": 1, "#),
                       [#"$.schemaVersion: expected each member name once, found "schemaVersion" twice"#])
        // The first member whose name came before: a defined one, or one outside the format.
        XCTAssertEqual(problems(#""note": 1, "schemaVersion": 1, "#, #", "note": 2"#),
                       [#"$.schemaVersion: expected each member name once, found "schemaVersion" twice"#])
        XCTAssertEqual(problems(#""note": 1, "note": 2, "schemaVersion": 1, "#),
                       [#"$.note: expected each member name once, found "note" twice"#])
    }

    /// A hostile megabyte-long value is shown as a 40-character excerpt, and a long unknown code
    /// gets the same suggestions as its first five characters. (The `application` fuzz target
    /// slowed to ~200 runs/s on long codes: the suggestion search was linear in the code's length
    /// times the table's size.)
    func testLongValuesAreExcerptedInMessages() throws {
        let fixture = try String(contentsOfFile: folder + "unknown-industry-code.json", encoding: .utf8)
        XCTAssertTrue(fixture.contains("\"C3978\""))
        let longCode = "C3978" + String(repeating: "9", count: 1_000_000)
        let file = try Fixtures.temporaryFolder().appendingPathComponent("long-code.json")
        try Data(fixture.replacingOccurrences(of: "\"C3978\"", with: "\"\(longCode)\"").utf8).write(to: file)
        let (status, results) = try report([file.path])
        XCTAssertEqual(status, 2)
        let problems = errors(results[file.path])
        XCTAssertEqual(problems.first?["path"] as? String, "$.project.industries[0].code")
        XCTAssertEqual(problems.first?["found"] as? String,
                       "unknown code \"\(longCode.prefix(40))…\"; nearest valid codes: C3973, C3974, C3975, C3976, C3979")
    }

    func testAllProblemsOfOneApplicationAreListedAtOnce() throws {
        let (_, results) = try report([folder + "several-problems.json"])
        let problems = errors(results[folder + "several-problems.json"])
        XCTAssertEqual(problems.map { $0["path"] as? String }, ["$.id", "$.investors"])
    }

    func testJSONLinesWithOneBadLineAmongGoodOnes() throws {
        let file = folder + "batch-with-one-bad-line.jsonl"
        let (status, results) = try report([file])
        XCTAssertEqual(status, 2)
        XCTAssertEqual(results["\(file):1"]?["verdict"] as? String, "pass")
        XCTAssertEqual(results["\(file):1"]?["application"] as? String, "GD-JSONL-1")
        XCTAssertEqual(results["\(file):3"]?["verdict"] as? String, "pass")
        XCTAssertEqual(results["\(file):3"]?["application"] as? String, "GD-JSONL-3")
        let bad = errors(results["\(file):2"])
        XCTAssertEqual(bad.count, 1)
        XCTAssertEqual(bad.first?["line"] as? Int, 2, "the line number is the line in the file")
        XCTAssertEqual(bad.first?["path"] as? String, "$.investors[0]")
        XCTAssertEqual(bad.first?["expected"] as? String, "a value")
        XCTAssertEqual(bad.first?["found"] as? String, "end of input")
    }

    func testTextReportNamesFileLineAndPath() throws {
        let output = try check([folder + "batch-with-one-bad-line.jsonl", folder + "truncated.json"])
        XCTAssertEqual(output.status, 2)
        XCTAssertTrue(output.stdout.contains("Tests/Fixtures/malformed/batch-with-one-bad-line.jsonl:2"), output.stdout)
        XCTAssertTrue(output.stdout.contains("✗ line 2, column "), output.stdout)
        XCTAssertTrue(output.stdout.contains("$.investors[0]: expected a value, found end of input"), output.stdout)
        XCTAssertTrue(output.stdout.contains("✗ line 14, column 7 $.investors[0]: expected a member name in double quotes, found end of input"), output.stdout)
    }

    func testMissingFileAndStandardInput() throws {
        let missing = try check(["no/such/file.json"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stdout.contains("no/such/file.json"), missing.stdout)
        XCTAssertTrue(missing.stdout.contains("no such file or folder"), missing.stdout)

        // A pretty-printed application on standard input is read as one document.
        let data = try Data(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/fail--rare-earth-mining.json"))
        let piped = try check(["--format", "json", "-"], input: data)
        XCTAssertEqual(piped.status, 1, piped.stderr)
        let json = try XCTUnwrap(try foundationJSON(piped.stdoutBytes) as? [String: Any])
        let first = try XCTUnwrap((json["results"] as? [[String: Any]])?.first)
        XCTAssertEqual(first["source"] as? String, "-")
        XCTAssertEqual(first["verdict"] as? String, "fail")
    }

    func testValidateListsProblemsWithoutEvaluating() throws {
        let output = try check(["validate", folder + "several-problems.json", "examples/negative-list/pass--semiconductor-packaging.json"])
        XCTAssertEqual(output.status, 2)
        XCTAssertTrue(output.stdout.contains("several-problems.json: $.id: expected a non-empty string, found an empty string"), output.stdout)
        XCTAssertTrue(output.stdout.contains("several-problems.json: $.investors: expected an array of at least 1 element"), output.stdout)
        XCTAssertTrue(output.stdout.contains("pass--semiconductor-packaging.json: valid"), output.stdout)
    }

    /// Issue 25: `validate` takes `--strict-input`, so a misspelt optional field (here the energy
    /// figure that decides the energy review) is named before the application is filed.
    func testValidateWithStrictInputNamesUnknownMembers() throws {
        var application = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.examples.appendingPathComponent("high-energy/pass--wind-farm-not-lianggao.json"))) as? [String: Any])
        var project = try XCTUnwrap(application["project"] as? [String: Any])
        var energy = try XCTUnwrap(project["energy"] as? [String: Any])
        energy["anualConsumptionTce"] = 5
        project["energy"] = energy
        application["project"] = project
        let file = try Fixtures.temporaryFolder().appendingPathComponent("typo.json")
        try JSONSerialization.data(withJSONObject: application).write(to: file)
        let strict = try check(["validate", "--strict-input", "--lang", "zh", file.path])
        XCTAssertEqual(strict.status, 0, strict.stderr)
        XCTAssertTrue(strict.stdout.contains("typo.json: $.project.energy.anualConsumptionTce: 注意：未知字段（申请格式中没有此项，可能拼写有误），已忽略"), strict.stdout)
        let plain = try check(["validate", file.path])
        XCTAssertFalse(plain.stdout.contains("anualConsumptionTce"), plain.stdout)
    }
}
