import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Applications at the law's edges (issue 21): shares at 50 and 34 summed from decimals, totals
/// of 99.99 and 100.01, every country–flag contradiction, exclusions in both bracket widths,
/// codes broader than their item, kWh deciding the energy review alone, 两高 and not, unclaimed
/// benefits. Each file is `Tests/Fixtures/edge-cases/<plugin>/<rule>/<verdict>--<why>.json`:
/// the verdict the law gives for that one rule (the worst of its findings), and why.
final class EdgeCaseTests: XCTestCase {
    static let folder = TestPaths.fixtures.appendingPathComponent("edge-cases")

    func testEveryEdgeCaseGivesTheVerdictTheLawGives() throws {
        let session = try makeSession()
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".json") }.sorted()
        var wrong: [String] = []
        for file in files {
            let parts = file.split(separator: "/").map(String.init)
            XCTAssertEqual(parts.count, 3, file)
            let rule = parts[0] + "/" + parts[1]
            let expected = try XCTUnwrap(parts[2].range(of: "--").flatMap { Verdict(name: String(parts[2][..<$0.lowerBound])) }, file)
            let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
            let result = session.evaluate(bytes, source: file)
            XCTAssertEqual(result.inputProblems.map(\.problem.description), [], file)
            let findings = result.findings.filter { $0.rule == rule }
            XCTAssertFalse(findings.isEmpty, "\(file): no finding of \(rule)")
            let actual = findings.map(\.verdict).worst
            for finding in findings where finding.verdict != .notApplicable {
                XCTAssertFalse(finding.citations.isEmpty, "\(file): \(rule) cites nothing")
            }
            if actual != expected {
                let worst = findings.max { $0.verdict < $1.verdict }
                wrong.append("\(file): expected \(expected.name), got \(actual.name): \(worst?.message(in: .en) ?? "")")
            }
        }
        XCTAssertEqual(wrong, [], wrong.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(files.count, 40)
    }
}

/// Input that must be refused with a message naming the field and the known values (SPEC §3),
/// and free text that must be read as what it means once trimmed and normalised.
final class InputVocabularyTests: XCTestCase {
    /// The rare-earth example with `change` applied to its JSON text.
    func rareEarth(_ change: (String) -> String) throws -> [UInt8] {
        let text = try String(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/fail--rare-earth-mining.json"), encoding: .utf8)
        return Array(change(text).utf8)
    }

    func testCountryCodesAreISOWithTheNearestCodesSuggested() throws {
        let session = try makeSession()
        let cases: [(country: String, found: String)] = [
            ("Korea", #""Korea"; nearest codes: KR, KP"#), ("Hongkong", #""Hongkong"; nearest codes: HK"#), ("de", #""de"; nearest codes: DE"#),
            ("德国", #""德国"; nearest codes: DE"#), ("香港", #""香港"; nearest codes: HK"#), ("UK", #""UK"; nearest codes: GB"#),
            ("XX", #""XX"; nearest codes: AX, CX, MX, SX"#), ("", #""""#),
        ]
        for (country, found) in cases {
            let bytes = try rareEarth { $0.replacingOccurrences(of: #""country": "SE""#, with: #""country": "\#(country)""#) }
            let result = session.evaluate(bytes, source: country)
            XCTAssertEqual(result.verdict, .error, country)
            let problem = try XCTUnwrap(result.inputProblems.first?.problem, country)
            XCTAssertEqual(problem.path, "$.investors[0].country", country)
            XCTAssertTrue(problem.expected.hasPrefix("an ISO 3166-1 alpha-2"), problem.expected)
            XCTAssertEqual(problem.found, found, country)
        }
        XCTAssertEqual(try rareEarthVerdict(session, { $0.replacingOccurrences(of: #""country": "SE""#, with: #""country": "HK""#) }), .fail)
    }

    func rareEarthVerdict(_ session: CheckSession, _ change: (String) -> String) throws -> Verdict {
        session.evaluate(try rareEarth(change), source: "changed").verdict
    }

    func testProvinceAndFreeTradeZoneAreClosedVocabularies() throws {
        let session = try makeSession()
        let province = #""province": "广东省""#, zone = #""freeTradeZone": null"#
        let refused: [(change: (String) -> String, path: String, found: String)] = [
            ({ $0.replacingOccurrences(of: zone, with: #""freeTradeZone": "无""#) }, "$.project.location.freeTradeZone", #""无", not an area of the Guangdong pilot FTZ"#),
            ({ $0.replacingOccurrences(of: zone, with: #""freeTradeZone": "None""#) }, "$.project.location.freeTradeZone", #""None", not an area of the Guangdong pilot FTZ"#),
            ({ $0.replacingOccurrences(of: zone, with: #""freeTradeZone": "临港新片区""#) }, "$.project.location.freeTradeZone", #""临港新片区", not an area of the Guangdong pilot FTZ"#),
            ({ $0.replacingOccurrences(of: province, with: #""province": "上海市""#).replacingOccurrences(of: zone, with: #""freeTradeZone": "前海蛇口片区""#) },
             "$.project.location.freeTradeZone", #""前海蛇口片区", an area of the Guangdong pilot FTZ (深圳市), but the project is in 上海市"#),
            ({ $0.replacingOccurrences(of: province, with: #""province": "粤""#) }, "$.project.location.province", #""粤"; known values: "#),
            ({ $0.replacingOccurrences(of: province, with: #""province": "香港""#) }, "$.project.location.province", #""香港"; known values: "#),
        ]
        for (change, path, found) in refused {
            let result = session.evaluate(try rareEarth(change), source: path)
            let problem = try XCTUnwrap(result.inputProblems.first?.problem, found)
            XCTAssertEqual(problem.path, path, found)
            XCTAssertTrue(problem.found.hasPrefix(found), "\(problem.found) / \(found)")
            if path.hasSuffix("province") { XCTAssertTrue(problem.found.contains("广东省、广西壮族自治区"), problem.found) }
        }
        // Known values, however written: the same verdict as the plain example.
        let accepted: [(String) -> String] = [
            { $0.replacingOccurrences(of: province, with: #""province": " 广东省 ""#) },
            { $0.replacingOccurrences(of: province, with: #""province": "广东""#) },
            { $0.replacingOccurrences(of: province, with: #""province": "Guangdong""#) },
            { $0.replacingOccurrences(of: province, with: #""province": "\u3000广东省\t""#) },
            { $0.replacingOccurrences(of: #""B0932""#, with: #""Ｂ０９３２""#) },
        ]
        for change in accepted { XCTAssertEqual(try rareEarthVerdict(session, change), .fail) }
        // Guangdong's areas by their names and aliases; elsewhere any name of an area (片区).
        for name in ["前海蛇口片区", "南沙片区", "中国（广东）自由贸易试验区横琴新区片区", "珠海横琴新区片区"] {
            let result = session.evaluate(try rareEarth { $0.replacingOccurrences(of: zone, with: #""freeTradeZone": "\#(name)""#) }, source: name)
            XCTAssertEqual(result.inputProblems.map(\.problem.description), [], name)
        }
        let shanghai = session.evaluate(try rareEarth {
            $0.replacingOccurrences(of: province, with: #""province": "上海市""#).replacingOccurrences(of: zone, with: #""freeTradeZone": "临港新片区""#)
        }, source: "shanghai")
        XCTAssertEqual(shanghai.inputProblems.map(\.problem.description), [])
    }

    /// `check validate` warns, without refusing, about shares that do not total 100 and flags
    /// against countries (SPEC §3): the rules that read them will give review.
    func testValidateWarnsAboutShares() throws {
        let restricted = "Tests/Fixtures/edge-cases/negative-list/restricted/"
        let output = try check(["validate", "--lang", "en", restricted + "review--nuclear-shares-total-99.99.json",
                                restricted + "review--nuclear-hk-investor-flagged-not-foreign.json", restricted + "pass--nuclear-chinese-50.1-over-half.json"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("review--nuclear-shares-total-99.99.json: $.investors: warning: the investors' shares total 99.99%, not 100%"), output.stdout)
        XCTAssertTrue(output.stdout.contains("review--nuclear-hk-investor-flagged-not-foreign.json: $.investors[0]: warning: investor 1 (Pacific Holdings Ltd) is from HK but is declared not foreign"), output.stdout)
        XCTAssertFalse(output.stdout.contains("pass--nuclear-chinese-50.1-over-half.json: $"), output.stdout)
    }

    /// Trimming and NFKC, as the host applies them to every string value.
    func testTextIsTrimmedAndNormalised() {
        func normalised(_ text: String) -> String {
            var copy = text
            return copy.withUTF8 { TextNormalization.normalized($0).map { String(decoding: $0, as: UTF8.self) } ?? text }
        }
        XCTAssertEqual(normalised("广东省 "), "广东省")
        XCTAssertEqual(normalised("\u{3000}广东省\u{3000}"), "广东省")
        XCTAssertEqual(normalised("法律咨询（不含中国法律事务）"), "法律咨询(不含中国法律事务)")
        XCTAssertEqual(normalised("Ｃ３９７３"), "C3973")
        XCTAssertEqual(normalised("ｅ"), "e")
        XCTAssertEqual(normalised("２０２６－０３－１５"), "2026-03-15")
        XCTAssertEqual(normalised("集成电路封装测试、晶圆级封装；“两高”《目录》"), "集成电路封装测试、晶圆级封装;“两高”《目录》")
        XCTAssertEqual(normalised("①号线 ℃"), "1号线 °C")
        XCTAssertEqual(normalised("Cafe\u{301}"), "Café")
        XCTAssertNil(TextNormalization.normalized(UnsafeBufferPointer(start: nil, count: 0)))
        var plain = "稀土金属矿开采、选矿 ok"
        XCTAssertNil(plain.withUTF8 { TextNormalization.normalized($0) }, "nothing to change: no copy")
    }
}

/// Where a text says what a project does not do (SPEC §5.1).
final class ExclusionTests: XCTestCase {
    func phrases(_ text: String) -> [String] {
        var copy = text
        return copy.withUTF8 { bytes in
            Exclusions(in: bytes).spans.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0.phrase]), as: UTF8.self) }
        }
    }

    func testExclusionsAreFoundAsTheyAreWritten() {
        XCTAssertEqual(phrases("法律咨询（不含中国法律事务）"), ["不含中国法律事务"])
        XCTAssertEqual(phrases("艺术品拍卖(不含文物)"), ["不含文物"])
        XCTAssertEqual(phrases("艺术品拍卖( 不包括文物、古籍 )"), [" 不包括文物、古籍 "])
        XCTAssertEqual(phrases("货物进出口，国家禁止的除外"), ["国家禁止的除外"])
        XCTAssertEqual(phrases("货物进出口（国家限定公司经营或禁止进出口的商品除外）"), ["国家限定公司经营或禁止进出口的商品除外"])
        XCTAssertEqual(phrases("除文物外的艺术品拍卖"), ["除文物外"])
        XCTAssertEqual(phrases("艺术品拍卖，除文物外"), ["除文物外"])
        XCTAssertEqual(phrases("企业管理咨询，不含中国法律事务、社会调查；技术服务"), ["不含中国法律事务、社会调查"])
        XCTAssertEqual(phrases("稀土开采，不含税"), ["不含税"])
        XCTAssertEqual(phrases("工艺品、文物除外"), ["文物除外"], "A、B除外 excludes only B: less, never more")
        XCTAssertEqual(phrases("法律咨询不含中国法律事务"), ["不含中国法律事务"])
        XCTAssertEqual(phrases("艺术品拍卖(不含文物"), ["不含文物"], "an unclosed bracket that opens an exclusion runs to the end")
        // Not exclusions.
        XCTAssertEqual(phrases("除尘设备外销"), [])
        XCTAssertEqual(phrases("排除故障、清除积雪"), [])
        XCTAssertEqual(phrases("广播电视节目制作经营（含引进业务）"), [])
        XCTAssertEqual(phrases("稀土开采（依法须经批准的项目，经相关部门批准后方可开展经营活动）"), [])
        XCTAssertEqual(phrases(""), [])
    }

    /// A keyword outside the exclusion still matches: an exclusion cannot hide the rest.
    func testAnExclusionHidesOnlyWhatItHolds() throws {
        let matcher = KeywordMatcher(["文物拍卖", "文物"], negations: ["非文物"])
        let cases: [(scope: String, found: String?, excluded: String?)] = [
            ("艺术品拍卖（不含文物）", nil, "不含文物"),
            ("文物拍卖（不含文物）", "文物拍卖", nil),
            ("艺术品拍卖（不含文物），文物商店", "文物", nil),
            ("非文物类艺术品拍卖", nil, "非文物"),
            ("艺术品拍卖", nil, nil),
        ]
        for (scope, found, excluded) in cases {
            let document = try JSONReader.parse(Array(#"{"project": {"businessScope": "\#(scope)"}}"#.utf8))
            document.withRoot { root in
                let result = matcher.search(in: Application(root).describingTexts)
                XCTAssertEqual(result.found?.keyword, found, scope)
                XCTAssertEqual(result.excluded?.phrase, excluded, scope)
            }
        }
    }
}
