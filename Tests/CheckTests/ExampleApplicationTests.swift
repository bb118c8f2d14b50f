import CheckAPI
import CheckHost
import Foundation
import Synchronization
import XCTest

/// Every plugin ships example applications in `examples/<plugin-id>/`, each named
/// `<expected-verdict>--<what>.json`; like SwiftLint's triggering and non-triggering examples,
/// they are the plugin's specification, and this test runs them all through the real plugins.
final class ExampleApplicationTests: XCTestCase {
    func testEveryExampleGivesItsDeclaredVerdict() throws {
        let session = try makeSession()
        XCTAssertTrue(session.refusals.isEmpty, "\(session.refusals)")
        XCTAssertEqual(session.plugins.map(\.id), ["encouraged-catalogue", "high-energy", "negative-list", "rd-centre"])
        var checked = 0
        for plugin in session.plugins {
            let report = try PluginTester.run(plugin: plugin.id, examples: TestPaths.examples.appendingPathComponent(plugin.id), session: session)
            XCTAssertTrue(report.passed, "examples/\(plugin.id):\n\(report.text)")
            checked += report.outcomes.count
        }
        XCTAssertGreaterThanOrEqual(checked, 38)
    }

    /// A session for one report language asks plugins (Swift and C) for that language only:
    /// every message in it is the one a session asking for both gives, the other language is
    /// not built, and verdicts, evidence and citations do not change. Also through workers.
    func testPluginsBuildMessagesOnlyInTheReportLanguage() throws {
        let plugins = [try Fixtures.exampleCPlugin(), TestPaths.build]
        func session(_ languages: MessageLanguages, isolated: Bool = false) throws -> CheckSession {
            var configuration = SessionConfiguration(pluginDirectories: plugins, rulesRoots: [TestPaths.rules])
            configuration.messageLanguages = languages
            configuration.isolateAll = isolated
            configuration.workerExecutable = TestPaths.checkExecutable
            return try CheckSession(configuration)
        }
        let both = try session(.both)
        XCTAssertEqual(both.plugins.count, 5, "\(both.refusals)")
        let sessions: [(MessageLanguages, CheckSession)] = [(.zh, try session(.zh)), (.en, try session(.en)), (.en, try session(.en, isolated: true))]
        let files = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.examples.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 38)
        var messages = 0
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: TestPaths.examples.appendingPathComponent(file)))
            let reference = both.evaluate(bytes, source: file)
            for (languages, session) in sessions {
                let result = session.evaluate(bytes, source: file)
                XCTAssertEqual(result.plugins.map(\.verdict), reference.plugins.map(\.verdict), file)
                XCTAssertEqual(result.findings.count, reference.findings.count, file)
                for (finding, expected) in zip(result.findings, reference.findings) {
                    XCTAssertEqual(finding.rule, expected.rule, file)
                    XCTAssertEqual(finding.verdict, expected.verdict, "\(file) \(finding.rule)")
                    XCTAssertEqual(finding.evidence, expected.evidence, "\(file) \(finding.rule)")
                    XCTAssertEqual(finding.citations.map(\.id), expected.citations.map(\.id), "\(file) \(finding.rule)")
                    XCTAssertFalse(expected.message.zh.isEmpty || expected.message.en.isEmpty, "\(file) \(finding.rule)")
                    XCTAssertEqual(finding.message.zh, languages.contains(.zh) ? expected.message.zh : "", "\(file) \(finding.rule)")
                    XCTAssertEqual(finding.message.en, languages.contains(.en) ? expected.message.en : "", "\(file) \(finding.rule)")
                    messages += 1
                }
            }
        }
        XCTAssertGreaterThan(messages, 3 * 5 * files.count)
    }

    /// `MessageText` builds the same UTF-8 a `String` interpolation would, and hands the sink a
    /// NUL-terminated copy of it, whether it was a literal, an interpolation or a joined list.
    func testMessageTextBuildsWhatAStringWould() {
        let code = "C2614", share = 0.495, day = Day("2025-03-01")!
        let part: MessageText = "“两高”项目类别“\(code)”"
        let built: MessageText = "行业 \(code) 属于\(part)；外方 \(share)，\(day)，\(7) 项 — é\("")"
        XCTAssertEqual(built.description, "行业 \(code) 属于“两高”项目类别“\(code)”；外方 \(share)，\(day)，\(7) 项 — é")
        // (`MessageText("…")` would be the literal itself: these texts are `String`s first.)
        let same = "不属于高耗能行业", longer = same + "。", withNUL = "ab\u{0}cd", empty = ""
        let literal: MessageText = "不属于高耗能行业"
        XCTAssertEqual(literal, MessageText(same), "a literal equals the same text built")
        XCTAssertEqual(Set([literal, MessageText(same)]).count, 1, "and hashes alike")
        XCTAssertNotEqual(literal, MessageText(longer))
        XCTAssertEqual(MessageText(withNUL).description, "ab", "cut at a NUL, as the C string would be")
        XCTAssertTrue(MessageText(empty).isEmpty)
        XCTAssertEqual(([] as [MessageText]).joined(separator: "；"), "")
        XCTAssertEqual(([literal, part, built] as [MessageText]).joined(separator: "；").description,
                       [literal, part, built].map(\.description).joined(separator: "；"))
        for text in [literal, part, built, MessageText(empty), "", MessageText(String(repeating: "长", count: 500))] {
            let fromC = text.withCString { String(cString: $0) }
            XCTAssertEqual(fromC, text.description, "NUL-terminated right after the text")
            XCTAssertEqual(text.withUTF8 { Array($0) }, Array(text.description.utf8))
        }
        // A text keeps its bytes when the interpolation it was built from, or a copy of that,
        // goes on growing (they share a buffer until one of them writes).
        var growing = MessageText.StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        growing.appendLiteral("一")
        let first = MessageText(stringInterpolation: growing)
        var copy = growing
        growing.appendInterpolation(String(repeating: "长", count: 40))
        copy.appendLiteral("二")
        XCTAssertEqual([first, MessageText(stringInterpolation: growing), MessageText(stringInterpolation: copy)].map(\.description),
                       ["一", "一" + String(repeating: "长", count: 40), "一二"])
        XCTAssertEqual(first.withCString { String(cString: $0) }, "一")
    }

    /// `IndustryCodeList` decides as the `String` helpers do: `contains` as `hasPrefix`,
    /// `firstOverlap` as `IndustryCode.firstOverlap`, for codes, prefixes, strangers and non-strings.
    func testIndustryCodeListAgreesWithTheStringHelpers() throws {
        let ruleCodes = ["C30", "C3011", "D4411", "B06"]
        let list = IndustryCodeList(ruleCodes)
        let document = try JSONReader.parse(Array(#"["C30", "C3011", "C301", "C3", "C", "C31", "D4411", "D44", "B0610", "A01", "", 3011, null]"#.utf8))
        var checked = 0
        document.withRoot { root in
            for node in root.children {
                let text = node.string
                XCTAssertEqual(list.contains(node), text.map { code in ruleCodes.contains { code.hasPrefix($0) } } ?? false, "\(node.summary)")
                XCTAssertEqual(list.firstOverlap(with: node), text.flatMap { IndustryCode.firstOverlap(of: $0, in: ruleCodes) }, "\(node.summary)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 13)
        // Groups: the first group, in group order, with a code as the list decides.
        let groups = IndustryCodeGroups([("steel", ["C31"]), ("metals", ["C32", "C3011"]), ("building", ["C30"])], codes: \.1)
        let codes = try JSONReader.parse(Array(#"["C3011", "C301", "C3", "C3120", "A01", 7]"#.utf8))
        codes.withRoot { root in
            XCTAssertEqual(root.children.map { groups.first(of: $0)?.0 }, ["metals", "building", nil, "steel", nil, nil])
            XCTAssertEqual(root.children.map { groups.first(of: $0, overlapping: true)?.0 }, ["metals", "metals", "steel", "steel", nil, nil])
        }
    }

    /// `CatalogueMatcher` (one automaton over every item's keywords) finds, item by item, what
    /// `CatalogueMatch.match` finds for that item alone: keywords inside others, shared between
    /// items, ending where another ends, found in a later text only; codes overlapping either way.
    /// (Codes as the host and the rule data allow them: a section letter and 2 to 4 digits.)
    func testCatalogueMatcherAgreesWithMatchingOneItemAtATime() throws {
        let items = [
            CatalogueMatcher.Item(codes: ["C32"], keywords: ["稀土冶炼", "稀土"]),
            CatalogueMatcher.Item(codes: ["C3212", "B09"], keywords: ["冶炼", "分离"]),
            CatalogueMatcher.Item(codes: ["I64"], keywords: ["新闻网站", "网站", "news"]),
            CatalogueMatcher.Item(codes: ["R86"], keywords: ["新闻"]),
            CatalogueMatcher.Item(codes: [], keywords: ["s", ""]),
            CatalogueMatcher.Item(codes: ["C321"], keywords: []),
        ]
        let matcher = CatalogueMatcher(items)
        func summary(_ match: CatalogueMatch?) -> String {
            switch match {
            case .decisive(let code, let itemCode, let keyword, let text)?: "decisive \(code.path) \(itemCode) \(keyword) \(text.path)"
            case .codeOnly(let code, let itemCode, let excluded)?: "code \(code.path) \(itemCode) \(excluded.map { "\($0.keyword) \($0.text.path) \($0.phrase)" } ?? "-")"
            case .keywordOnly(let keyword, let text)?: "keyword \(keyword) \(text.path)"
            case .excludedOnly(let excluded)?: "excluded \(excluded.keyword) \(excluded.text.path) \(excluded.phrase)"
            case nil: "none"
            }
        }
        let projects = [
            #"{"name": "稀土冶炼分离", "businessScope": "新闻网站", "industries": [{"code": "C3212"}], "products": [{"name": "news"}]}"#,
            #"{"name": "冶炼", "businessScope": "其他", "industries": [{"code": "C32"}, {"code": "I6432"}], "products": [{"name": "稀土"}]}"#,
            #"{"name": "网站新闻", "businessScope": "", "industries": [{"code": "R8610"}], "products": []}"#,
            #"{"name": "无关", "businessScope": "无关", "industries": [{"code": "A01"}], "products": [{"name": "无"}, {"name": "分离器"}]}"#,
        ]
        // Long texts too (the automaton scans those as two halves side by side): keywords and
        // filler in a seeded random order, keywords falling on and around the middle.
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func random(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        // (Exclusion words and brackets among them: an occurrence inside 不含…, …除外 or 除…外
        // does not count, for both matchers alike.)
        let pieces = ["稀土", "冶炼", "新闻", "网站", "news", "分", "离", "的", "和", "x", "稀", "土冶", "闻网",
                      "不含", "（", "）", "(", ")", "除外", "除", "外", "，", ",", "、", "；"]
        let longProjects = (0..<300).map { _ in
            let scope = (0..<(10 + random(120))).map { _ in pieces[random(pieces.count)] }.joined()
            return #"{"name": "项目", "businessScope": "\#(scope)", "industries": [{"code": "A01"}], "products": []}"#
        }
        var compared = 0
        for project in projects + longProjects {
            let document = try JSONReader.parse(Array(#"{"project": \#(project)}"#.utf8))
            document.withRoot { root in
                let application = Application(root)
                let found = Dictionary(uniqueKeysWithValues: matcher.matches(application).map { ($0.item, summary($0.match)) })
                for (number, item) in items.enumerated() {
                    let alone = CatalogueMatch.match(application, codes: item.codes, keywords: KeywordMatcher(item.keywords))
                    XCTAssertEqual(found[number] ?? "none", summary(alone), "item \(number) of \(project)")
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, (projects.count + longProjects.count) * items.count)
    }

    /// A message interpolates the application's values as their text: a string's bytes, another
    /// value's JSON text, and a list's strings with the separator between them (as
    /// `compactMap(\.string).joined(separator:)` would make them).
    func testMessageTextInterpolatesApplicationValues() throws {
        let document = try JSONReader.parse(Array(#"{"codes": ["C3011", 7, "G5522", "负面"], "none": [], "n": 12.50, "b": true}"#.utf8))
        try document.withRoot { root in
            let codes = Array(try XCTUnwrap(root["codes"]).children)
            let none = Array(try XCTUnwrap(root["none"]).children)
            let text: MessageText = "行业（\(codes, separator: ", ")）\(codes[0]) \(codes[3]) \(try XCTUnwrap(root["n"])) \(try XCTUnwrap(root["b"]))[\(none, separator: ", ")]"
            XCTAssertEqual(text.description, "行业（C3011, G5522, 负面）C3011 负面 12.50 true[]")
            XCTAssertEqual(text.description, "行业（\(codes.compactMap(\.string).joined(separator: ", "))）C3011 负面 12.50 true[]")
        }
    }

    /// `Localized` computes only the languages of the evaluation under way (both elsewhere).
    func testLocalizedComputesOnlyTheLanguagesAskedFor() {
        var computed: [String] = []
        func text(_ language: String) -> MessageText { computed.append(language); return "text in \(language)" }
        let outside = Localized(zh: text("zh"), en: text("en"))
        XCTAssertEqual([outside.zh, outside.en], ["text in zh", "text in en"])
        let english = MessageLanguages.withCurrent(.en) { Localized(zh: text("zh"), en: text("en")) }
        XCTAssertEqual([english.zh, english.en], ["", "text in en"])
        let chinese = MessageLanguages.withCurrent(.zh) { Localized(zh: text("zh"), en: text("en")) }
        XCTAssertEqual([chinese.zh, chinese.en], ["text in zh", ""])
        XCTAssertEqual(computed, ["zh", "en", "en", "zh"])
        // Nested settings restore the outer one; another thread meanwhile sees both.
        MessageLanguages.withCurrent(.en) {
            MessageLanguages.withCurrent(.zh) { XCTAssertEqual(MessageLanguages.current, .zh) }
            XCTAssertEqual(MessageLanguages.current, .en)
            let elsewhere = Mutex<MessageLanguages>([])
            let done = DispatchSemaphore(value: 0)
            Thread {
                elsewhere.withLock { $0 = MessageLanguages.current }
                done.signal()
            }.start()
            done.wait()
            XCTAssertEqual(elsewhere.withLock { $0 }, .both)
        }
        XCTAssertEqual(MessageLanguages.current, .both)
        XCTAssertEqual(MessageLanguages(requested: 0), .both, "0 is what hosts built before the field write")
        XCTAssertEqual(MessageLanguages(requested: MessageLanguages.en.rawValue | 0x80), .en, "unknown bits are ignored")
        XCTAssertTrue(MessageLanguages(rawValue: 0).isEmpty, "an ordinary option set otherwise")
        XCTAssertEqual(MessageLanguages.both.intersection(.zh), .zh)
        XCTAssertTrue(MessageLanguages.zh.intersection(.en).isEmpty)
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
