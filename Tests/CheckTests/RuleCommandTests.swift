import CheckAPI
import CheckHost
import CheckJSON
import Foundation
import XCTest

/// `check rules` (listing, verify, import): the staff-facing side of the rule data.
final class RuleCommandTests: XCTestCase {
    func testListingShowsEditionsWithDatesAndCompleteness() throws {
        let output = try check(["rules"])
        XCTAssertEqual(output.status, 0, output.stderr)
        let text = output.stdout
        for expected in [
            "    national-2024  外商投资准入特别管理措施（负面清单）（2024年版）\n      in force 2024-11-01 …   国家发展和改革委员会 商务部令第23号\n      29 items, 29 held: 19 verbatim, 3 older-edition, 1 unverified, 6 missing",
            "    national-2021  外商投资准入特别管理措施（负面清单）（2021年版）\n      in force 2022-01-01 … 2024-10-31  国家发展改革委、商务部令第47号\n      31 items, 31 held: 21 verbatim, 3 older-edition, 1 unverified, 6 missing",
            "    ftz-2021  自由贸易试验区外商投资准入特别管理措施（负面清单）（2021年版）\n      in force 2022-01-01 …   国家发展改革委、商务部令第48号\n      27 items, 7 held: 3 verbatim, 1 unverified, 3 missing",
            "    2025-regional  鼓励外商投资产业目录（2025年版）·地区外商投资优势产业目录\n      in force 2026-02-01 …   number not verified\n      1060 items, no item text held",
            "    2022-national  鼓励外商投资产业目录（2022年版）·全国鼓励外商投资产业目录\n      in force 2023-01-01 … 2026-01-31*",
            "    import-2021  “十四五”期间支持科技创新进口税收政策（外资研发中心）\n      in force 2021-01-01 … 2025-12-31  财关税〔2021〕23号",
            "  * inferred date (not read in a source; see the edition's notes)",
        ] {
            XCTAssertTrue(text.contains(expected), "missing:\n\(expected)\n--- in ---\n\(text)")
        }
    }

    func testVerify() throws {
        let ok = try check(["rules", "verify"])
        XCTAssertEqual(ok.status, 0)
        XCTAssertTrue(ok.stdout.hasPrefix("rule data valid: "), ok.stdout)

        let copy = try Fixtures.temporaryFolder().appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: copy)
        let file = copy.appendingPathComponent("rd-centre/import-2021.json")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "\"effectiveTo\": \"2025-12-31\"", with: "\"effectiveTo\": \"2020-12-31\"")
        try Data(text.utf8).write(to: file)
        let bad = try check(["rules", "verify", copy.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stdout.contains("rules/rd-centre/import-2021.json: $.effectiveTo: expected a day on or after effectiveFrom 2021-01-01, found 2020-12-31"), bad.stdout)
    }

    /// Data the host accepts but a plugin's `open` rejects (here a threshold's unit, which only
    /// the high-energy plugin reads) fails `verify` too: `check` would run without that plugin.
    func testVerifyHasThePluginsOpenTheRuleData() throws {
        let ok = try check(["rules", "verify"])
        XCTAssertTrue(ok.stdout.hasSuffix("citations checked; opened by 4 plugins\n"), ok.stdout)

        let copy = try Fixtures.temporaryFolder().appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: copy)
        let file = copy.appendingPathComponent("high-energy/energy-review-2023.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "\"unit\": \"tce\"", with: "\"unit\": \"kg\"")
        XCTAssertNotEqual(edited, text)
        try Data(edited.utf8).write(to: file)
        let bad = try check(["rules", "verify", copy.path])
        XCTAssertEqual(bad.status, 2, bad.stdout)
        XCTAssertTrue(bad.stdout.hasPrefix("rule data is invalid for 1 plugin:\n  refused plugin "), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("plugin high-energy could not open its rule data: rules/high-energy/energy-review-2023.json: $.thresholds."), bad.stdout)
        XCTAssertTrue(bad.stdout.contains(".unit: expected a unit among CNY, USD, kWh, percent, persons, tce, found string \"kg\""), bad.stdout)

        // An import checks its staged copy the same way, and changes nothing.
        let edition = copy.appendingPathComponent("encouraged-catalogue/2025-national.json")
        let before = try Data(contentsOf: edition)
        let csv = TestPaths.fixtures.appendingPathComponent("import/FIXTURE-encouraged-2025-national.csv")
        let imported = try check(["rules", "import", csv.path, "--rules", copy.path])
        XCTAssertEqual(imported.status, 2, imported.stdout)
        XCTAssertTrue(imported.stderr.contains("import refused, nothing was changed:\nrule data is invalid for 1 plugin:\n  refused plugin "), imported.stderr)
        XCTAssertEqual(try Data(contentsOf: edition), before)
    }

    /// Importing the (clearly marked, invented) fixture CSV makes the encouraged-catalogue plugin
    /// verify claims against it: pass for a matching item, fail for one the project does not fit.
    func testImportedItemsAreUsedToVerifyClaims() throws {
        let copy = try Fixtures.temporaryFolder().appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: copy)
        let csv = TestPaths.fixtures.appendingPathComponent("import/FIXTURE-encouraged-2025-national.csv")
        let imported = try check(["rules", "import", csv.path, "--rules", copy.path])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("imported 2 item(s) into encouraged-catalogue/2025-national.json (edition 2025-national): 213, 214"), imported.stdout)

        let example = TestPaths.examples.appendingPathComponent("encouraged-catalogue/review--item-text-not-loaded.json")
        let data = try Data(contentsOf: example)
        let session = try makeSession(rules: [copy])
        let matching = session.evaluate([UInt8](data), source: "213")
        let finding = try XCTUnwrap(matching.findings.first { $0.plugin == "encouraged-catalogue" })
        XCTAssertEqual(finding.verdict, .pass, finding.message.en)
        XCTAssertEqual(finding.citations.first?.id, "encouraged-catalogue/2025-national#213")
        XCTAssertEqual(finding.citations.first?.citation.quote, "（测试夹具，非真实条文）集成电路封装、测试")

        // The same project claiming item 214 (a fixture row about aquaculture) fails.
        let other = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"item\": 213", with: "\"item\": 214")
        let mismatch = session.evaluate(Array(other.utf8), source: "214").findings.first { $0.plugin == "encouraged-catalogue" }
        XCTAssertEqual(mismatch?.verdict, .fail, mismatch?.message.en ?? "")

        // Without the import, the shipped data gives review for the same claim.
        XCTAssertEqual(try makeSession().evaluate([UInt8](data), source: "213").findings.first { $0.plugin == "encouraged-catalogue" }?.verdict, .review)
    }

    func testImportIsRefusedAtomically() throws {
        let copy = try Fixtures.temporaryFolder().appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: copy)
        let before = try Data(contentsOf: copy.appendingPathComponent("encouraged-catalogue/2025-national.json"))
        let folder = try Fixtures.temporaryFolder()
        let csv = folder.appendingPathComponent("bad.csv")
        try Data("""
        # source: test fixture (not catalogue text)
        # textStatus: verbatim
        number,text,codes
        5,（测试夹具）不存在的行业代码,C9999
        700,（测试夹具）超出条目数,C3973

        """.utf8).write(to: csv)
        let output = try check(["rules", "import", csv.path, "--edition", "2025-national", "--rules", copy.path])
        XCTAssertEqual(output.status, 2)
        XCTAssertTrue(output.stderr.contains("import refused, nothing was changed"), output.stderr)
        XCTAssertTrue(output.stderr.contains("item 5: $.items[0].codes[0]: unknown GB/T 4754-2017 code string \"C9999\""), output.stderr)
        XCTAssertTrue(output.stderr.contains("item number 700 exceeds the edition's 619 items"), output.stderr)
        XCTAssertEqual(try Data(contentsOf: copy.appendingPathComponent("encouraged-catalogue/2025-national.json")), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: copy.appendingPathComponent("sources/imported").path))

        let noSource = folder.appendingPathComponent("nosource.csv")
        try Data("number,text\n1,x\n".utf8).write(to: noSource)
        let refused = try check(["rules", "import", noSource.path, "--edition", "2025-national", "--rules", copy.path])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("nosource.csv: say where the item texts come from: a `# source: …` line or --source TEXT"), refused.stderr)

        // How the wording was read is never assumed.
        let noStatus = folder.appendingPathComponent("nostatus.csv")
        try Data("# source: test fixture (not catalogue text)\nnumber,text\n1,（测试夹具）x\n".utf8).write(to: noStatus)
        let unstated = try check(["rules", "import", noStatus.path, "--edition", "2025-national", "--rules", copy.path])
        XCTAssertEqual(unstated.status, 2)
        XCTAssertTrue(unstated.stderr.contains("nostatus.csv:3: textStatus: say how the wording was read"), unstated.stderr)
        XCTAssertEqual(try Data(contentsOf: copy.appendingPathComponent("encouraged-catalogue/2025-national.json")), before)
    }

    /// Rewriting a rule-data file without changes gives the same bytes, so imports touch only
    /// what they change.
    func testRuleDataLayoutRoundTrips() throws {
        let files = FileManager.default.enumerator(atPath: TestPaths.rules.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        XCTAssertGreaterThan(files.count, 15)
        for file in files {
            let data = try Data(contentsOf: TestPaths.rules.appendingPathComponent(file))
            let value = try JSONReader.parse([UInt8](data)).withRoot { JSONValue($0) }
            XCTAssertEqual(value.prettyText, String(decoding: data, as: UTF8.self), file)
        }
    }
}
