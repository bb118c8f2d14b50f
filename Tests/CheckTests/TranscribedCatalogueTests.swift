import CheckAPI
import CheckHost
import Foundation
import XCTest

/// The `transcribed` text status (SPEC §7, issue 23's first part): the third-party transcription
/// of the 2025 national catalogue, imported from `../shared` into a temporary copy of the rules
/// (never committed into `rules/`), is counted, cited and labelled as transcribed in every
/// language and format, and never decides a `fail`.
final class TranscribedCatalogueTests: XCTestCase {
    /// `../shared/reference-data/third-pass`: beside the checkout, beside the repository a clone
    /// was made from, or where `CHECK_SHARED_DIR` says.
    static func thirdPass() throws -> URL {
        var candidates: [URL] = []
        if let shared = ProcessInfo.processInfo.environment["CHECK_SHARED_DIR"] { candidates.append(URL(fileURLWithPath: shared)) }
        candidates.append(TestPaths.root.deletingLastPathComponent().appendingPathComponent("shared"))
        if let origin = try? runProcess("/usr/bin/env", ["git", "-C", TestPaths.root.path, "config", "remote.origin.url"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines), origin.hasPrefix("/") {
            // (`git clone .` records the origin as "/path/to/repo/.": standardised first.)
            candidates.append(URL(fileURLWithPath: origin).standardizedFileURL.deletingLastPathComponent().appendingPathComponent("shared"))
        }
        for shared in candidates {
            let folder = shared.appendingPathComponent("reference-data/third-pass")
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("encouraged-2025-national.import.csv").path) { return folder }
        }
        throw XCTSkip("../shared/reference-data/third-pass is not beside this checkout (set CHECK_SHARED_DIR): the transcriptions are not committed here")
    }

    func testTranscribedNationalCatalogueIsImportedCountedAndLabelled() throws {
        let csv = try Self.thirdPass().appendingPathComponent("encouraged-2025-national.import.csv")
        let rules = try Fixtures.temporaryFolder().appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: rules)
        let imported = try check(["rules", "import", csv.path, "--rules", rules.path])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("imported 619 item(s) into encouraged-catalogue/2025-national.json (edition 2025-national): 1–619"), imported.stdout)

        let listing = try check(["rules", "--rules", rules.path])
        XCTAssertTrue(listing.stdout.contains("2025-national  鼓励外商投资产业目录（2025年版）·全国鼓励外商投资产业目录\n      in force 2026-02-01 …   number not verified\n      619 items, 619 held: 619 transcribed"),
                      listing.stdout)

        // A claim of item 213 (a mineral-processing plant) by a wafer-level packaging line: clearly
        // unrelated, but review, saying the wording is transcribed, in the message and beside the
        // quoted item (this CSV has no headings, so the words alone are compared).
        let example = TestPaths.examples.appendingPathComponent("encouraged-catalogue/review--item-text-not-loaded.json").path
        let zh = try check(["--only", "encouraged-catalogue", "--rules", rules.path, "--lang", "zh", example])
        XCTAssertTrue(zh.stdout.contains("? encouraged-catalogue/claim  需人工审核"), zh.stdout)
        XCTAssertTrue(zh.stdout.contains("第213条“多元素、细颗粒、难选冶金属矿产的选矿装置制造”明显不符：项目名称、经营范围和产品中未见该条目所列的产品或技术（该条目未标明所属行业）。但该条目条文据转录本，尚未与官方文本核对，不能据此认定不符"), zh.stdout)
        XCTAssertTrue(zh.stdout.contains("条款：《鼓励外商投资产业目录（2025年版）》第213条：“多元素、细颗粒、难选冶金属矿产的选矿装置制造”（条文据转录本，尚未与官方文本核对）"), zh.stdout)
        XCTAssertFalse(zh.stdout.contains("transcribed"), "no status jargon in the Chinese report")
        XCTAssertFalse(zh.stdout.contains("textStatus"), "no field names in the Chinese report")

        let en = try check(["--only", "encouraged-catalogue", "--rules", rules.path, "--lang", "en", example])
        XCTAssertTrue(en.stdout.contains("(the wording is from a transcription, not yet compared with the official text)"), en.stdout)

        let json = try check(["--format", "json", "--only", "encouraged-catalogue", "--rules", rules.path, example])
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])
        let finding = try XCTUnwrap(((report["results"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]])?.first)
        XCTAssertEqual(finding["verdict"] as? String, "review")
        let citation = try XCTUnwrap((finding["citations"] as? [[String: Any]])?.first)
        XCTAssertEqual(citation["textStatus"] as? String, "transcribed")

        let html = try check(["--format", "html", "--only", "encouraged-catalogue", "--rules", rules.path, "--lang", "zh", example])
        XCTAssertTrue(html.stdout.contains("<span class=\"status\">（条文据转录本，尚未与官方文本核对）</span>"), String(html.stdout.prefix(3000)))
    }
}
