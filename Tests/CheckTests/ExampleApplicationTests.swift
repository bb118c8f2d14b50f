import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Every plugin ships example applications in `examples/<plugin-id>/`, each named
/// `<expected-verdict>--<what>.json`; like SwiftLint's triggering and non-triggering examples,
/// they are the plugin's specification, and this test runs them all through the real plugins.
final class ExampleApplicationTests: XCTestCase {
    func testEveryExampleGivesItsDeclaredVerdict() throws {
        let session = try makeSession()
        XCTAssertTrue(session.refusals.isEmpty, "\(session.refusals)")
        var checked = 0
        for plugin in session.plugins {
            let folder = TestPaths.examples.appendingPathComponent(plugin.id)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
            XCTAssertFalse(names.isEmpty, "plugin \(plugin.id) ships no examples in examples/\(plugin.id)/")
            var verdicts = Set<Verdict>()
            for name in names {
                guard let separator = name.range(of: "--"), let expected = Verdict(name: String(name[..<separator.lowerBound])) else {
                    XCTFail("examples/\(plugin.id)/\(name) must be named <verdict>--<what>.json")
                    continue
                }
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                let result = session.evaluate([UInt8](data), source: name)
                XCTAssertTrue(result.inputProblems.isEmpty, "\(name): \(result.inputProblems.map(\.problem))")
                XCTAssertEqual(result.verdict(of: plugin.id), expected, "examples/\(plugin.id)/\(name)")
                for finding in result.findings where finding.plugin == plugin.id {
                    XCTAssertFalse(finding.citations.isEmpty, "\(name): finding \(finding.rule) cites nothing")
                    if finding.verdict == .fail || finding.verdict == .review {
                        XCTAssertFalse(finding.evidence.isEmpty, "\(name): \(finding.verdict) finding \(finding.rule) names no evidence")
                    }
                }
                verdicts.insert(expected)
                checked += 1
            }
            XCTAssertTrue(verdicts.contains(.pass) || verdicts.contains(.notApplicable), "\(plugin.id) needs an example that does not trigger")
            XCTAssertTrue(verdicts.contains(.fail) || verdicts.contains(.review), "\(plugin.id) needs an example that triggers")
        }
        XCTAssertGreaterThanOrEqual(checked, 15)
    }

    /// The negative list switches editions on 2024-11-01: the printing item (2021 item 6) is gone.
    func testNegativeListEditionSwitchAtBoundary() throws {
        let data = try Data(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/fail--printing-before-2024-11.json"))
        let expectations: [(String, Verdict, String?)] = [
            ("2024-10-31", .fail, "negative-list/national-2021#6"),
            ("2024-11-01", .pass, nil),
            ("2024-11-02", .pass, nil),
        ]
        for (day, verdict, citation) in expectations {
            let session = try makeSession(asOf: Day(day))
            let result = session.evaluate([UInt8](data), source: "printing")
            XCTAssertEqual(result.asOf, day)
            XCTAssertEqual(result.verdict(of: "negative-list"), verdict, day)
            let cited = result.findings.flatMap(\.citations).map(\.id)
            if let citation { XCTAssertTrue(cited.contains(citation), "\(day): \(cited)") }
            XCTAssertTrue(cited.contains("wuwai-11-negative-list"), "\(day): the seed clause (十一) is cited")
        }
        // The day before the 2021 edition took effect no edition is loaded: review, never pass.
        let before = try makeSession(asOf: Day("2021-12-31")).evaluate([UInt8](data), source: "printing")
        XCTAssertEqual(before.verdict(of: "negative-list"), .review)
        XCTAssertEqual(before.findings.first { $0.plugin == "negative-list" }?.rule, "negative-list/edition")
    }

    /// The prohibited finding quotes item 5 of the 2024 edition verbatim, as SPEC §6's example.
    func testProhibitedFindingQuotesTheItem() throws {
        let data = try Data(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/fail--rare-earth-mining.json"))
        let result = try makeSession().evaluate([UInt8](data), source: "rare-earth")
        let finding = try XCTUnwrap(result.findings.first { $0.rule == "negative-list/prohibited" })
        XCTAssertEqual(finding.verdict, .fail)
        XCTAssertEqual(finding.evidence.first, EvidenceReport(kind: .value, path: "$.project.industries[0].code", value: "\"B0932\""))
        let item = try XCTUnwrap(finding.citations.first)
        XCTAssertEqual(item.document.title, "外商投资准入特别管理措施（负面清单）（2024年版）")
        XCTAssertEqual(item.document.number, "国家发展和改革委员会 商务部令第23号")
        XCTAssertEqual(item.citation.clause, "第5项")
        XCTAssertEqual(item.citation.quote, "禁止投资稀土、放射性矿产、钨勘查、开采及选矿。")
        XCTAssertEqual(finding.citations.last?.citation.clause, "（十一）")
    }
}
