import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Every edition switch and policy window, tested on the day before, the day of and the day
/// after (with `--as-of` overriding the application's date).
final class DateBoundaryTests: XCTestCase {
    /// The verdict of `rule` for the example `file` evaluated as of `day`.
    func verdict(_ file: String, rule: String, on day: String) throws -> (Verdict?, [String]) {
        let data = try Data(contentsOf: TestPaths.examples.appendingPathComponent(file))
        let result = try makeSession(asOf: Day(day)).evaluate([UInt8](data), source: file)
        XCTAssertEqual(result.asOf, day)
        let finding = result.findings.first { $0.rule == rule }
        return (finding?.verdict, finding?.citations.map(\.id) ?? [])
    }

    func assertVerdicts(_ file: String, rule: String, _ expected: [(String, Verdict, String?)], line: UInt = #line) throws {
        for (day, verdict, citation) in expected {
            let (actual, citations) = try self.verdict(file, rule: rule, on: day)
            XCTAssertEqual(actual, verdict, "\(rule) on \(day)", line: line)
            if let citation { XCTAssertTrue(citations.contains(citation), "\(rule) on \(day) cites \(citations)", line: line) }
        }
    }

    func testEncouragedCatalogueEditions() throws {
        // A claim of the 2025 edition: not in force before 2026-02-01 (fail), in force from then
        // (its item texts are not loaded: review).
        try assertVerdicts("encouraged-catalogue/review--item-text-not-loaded.json", rule: "encouraged-catalogue/claim", [
            ("2026-01-31", .fail, nil), ("2026-02-01", .review, nil), ("2026-02-02", .review, nil),
        ])
        // A claim of the 2022 edition: in force from 2023-01-01; its end is inferred, so after it: review, not fail.
        try assertVerdicts("encouraged-catalogue/review--2022-edition-after-inferred-end.json", rule: "encouraged-catalogue/claim", [
            ("2022-12-31", .fail, nil), ("2023-01-01", .review, nil), ("2023-01-02", .review, nil),
            ("2026-01-31", .review, nil), ("2026-02-01", .review, nil),
        ])
    }

    func testEnergyReviewMeasures2023() throws {
        // 12,000 tce, review declared not approved: the 2023 measures (from 2023-06-01) fail it;
        // under the 2016 measures, whose exemption thresholds were not read, it is review.
        try assertVerdicts("high-energy/fail--energy-review-not-approved.json", rule: "high-energy/energy-review", [
            ("2023-05-31", .review, "high-energy/energy-review-2016-provincial"),
            ("2023-06-01", .fail, "high-energy/energy-review-2023-exemption"),
            ("2023-06-02", .fail, "high-energy/energy-review-2023-no-construction"),
        ])
    }

    func testIndustryStructureCatalogue2024() throws {
        try assertVerdicts("high-energy/fail--new-cement-line-below-baseline.json", rule: "high-energy/efficiency", [
            ("2024-01-31", .review, nil), ("2024-02-01", .fail, "high-energy/industry-structure-2024-efficiency"), ("2024-02-02", .fail, nil),
        ])
    }

    func testImportExemptionWindow() throws {
        let file = "rd-centre/pass--certified-centre-2025.json"
        try assertVerdicts(file, rule: "rd-centre/import-exemption", [
            ("2020-12-31", .review, nil),
            ("2021-01-01", .pass, "rd-centre/criteria-2021-import"), ("2021-01-02", .pass, nil),
            ("2025-12-30", .pass, nil), ("2025-12-31", .pass, nil),
            // From 2026 the successor 财关税〔2026〕7号 governs; its criteria were not read.
            ("2026-01-01", .review, "wuwai-19-rd-centre"), ("2026-01-02", .review, nil),
        ])
        try assertVerdicts("rd-centre/fail--too-few-researchers-2025.json", rule: "rd-centre/import-exemption", [
            ("2025-12-31", .fail, nil), ("2026-01-01", .review, nil),
        ])
    }

    func testVatRefundWindows() throws {
        let file = "rd-centre/pass--certified-centre-2025.json"
        try assertVerdicts(file, rule: "rd-centre/vat-refund", [
            ("2018-12-31", .review, nil),
            // 91号 (2019-2023): criteria depended on the founding date and were not all read.
            ("2019-01-01", .review, nil), ("2023-12-31", .review, nil),
            // 41号 (2024-2027).
            ("2024-01-01", .pass, "rd-centre/criteria-2023-vat"), ("2024-01-02", .pass, nil),
            ("2027-12-30", .pass, nil), ("2027-12-31", .pass, nil),
            ("2028-01-01", .review, nil),
        ])
    }
}
