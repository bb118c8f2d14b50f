import CheckAPI
@testable import CheckHost
import Foundation
import XCTest

/// The rule data: every quote verbatim in its source text, and corrupt data refused with the
/// file, item and field named.
final class RuleDataTests: XCTestCase {
    /// An independent check (plain Foundation, not the loader's code): every `quote` of every
    /// citation and every item `text` is a verbatim substring of its document's source text.
    func testEveryQuoteIsVerbatimInItsSource() throws {
        let documentsJSON = try XCTUnwrap(try foundationJSON(Data(contentsOf: TestPaths.rules.appendingPathComponent("documents.json"))) as? [String: Any])
        var texts: [String: [String]] = [:]
        for document in documentsJSON["documents"] as! [[String: Any]] {
            let files = ((document["text"] as? String).map { [$0] } ?? []) + ((document["texts"] as? [String]) ?? [])
            texts[document["id"] as! String] = try files.map { try String(contentsOf: TestPaths.rules.appendingPathComponent($0), encoding: .utf8) }
        }
        func isVerbatim(_ quote: String, in text: String) -> Bool {
            var rest = Substring(text)
            for fragment in quote.components(separatedBy: "……") where !fragment.isEmpty {
                guard let range = rest.range(of: fragment) else { return false }
                rest = rest[range.upperBound...]
            }
            return true
        }
        func assertVerbatim(_ quote: String, document: String, _ where_: String) {
            guard let sources = texts[document], !sources.isEmpty else { return XCTFail("\(where_): document \(document) has no source text") }
            XCTAssertTrue(sources.contains { isVerbatim(quote, in: $0) }, "\(where_): \"\(quote)\" is not verbatim in the source of \(document)")
        }
        var checked = 0
        let files = FileManager.default.enumerator(atPath: TestPaths.rules.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        for file in files.sorted() {
            let json = try XCTUnwrap(try foundationJSON(Data(contentsOf: TestPaths.rules.appendingPathComponent(file))) as? [String: Any], file)
            for citation in (json["citations"] as? [[String: Any]]) ?? [] {
                if let quote = citation["quote"] as? String {
                    assertVerbatim(quote, document: citation["document"] as! String, "\(file) citation \(citation["id"]!)")
                    checked += 1
                }
            }
            if json["kind"] as? String == "edition" {
                for item in (json["items"] as? [[String: Any]]) ?? [] {
                    if let text = item["text"] as? String {
                        assertVerbatim(text, document: json["document"] as! String, "\(file) item \(item["number"] ?? item["ref"]!)")
                        checked += 1
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 60)
    }

    /// A catalogue item's citation, made when first wanted from the item as the host checked
    /// it, says what the item says: the same clause, wording and text status as the item
    /// decoded in full (what a plugin reads), for every item of every edition.
    func testItemCitationsAreTheItemsAsDecoded() throws {
        XCTAssertGreaterThan(try Self.assertItemCitationsAreTheItems(in: TestPaths.rules), 60)
    }

    /// Checks every item citation of the rules at `root` against its item decoded in full;
    /// returns how many were checked. (Also run on the imported catalogues: CatalogueTextTests.)
    static func assertItemCitationsAreTheItems(in root: URL) throws -> Int {
        let book = try RuleBook.load(roots: [root])
        var checked = 0
        for files in book.datasets.values {
            for file in files {
                guard let edition = try file.document.withRoot({ root -> Edition? in
                    root["kind"]?.string == "edition" ? try Edition(root, dataset: file.dataset, file: file.path) : nil
                }) else { continue }
                for item in edition.items {
                    let citation = try XCTUnwrap(book.citations[item.citationID], item.citationID)
                    XCTAssertEqual(citation.id, item.citationID)
                    XCTAssertEqual(citation.citation.clause, edition.clause(of: item), item.citationID)
                    XCTAssertEqual(citation.citation.quote, item.text, item.citationID)
                    XCTAssertEqual(citation.citation.textStatus, item.textStatus, item.citationID)
                    XCTAssertEqual(citation.document.id, edition.documentID, item.citationID)
                    checked += 1
                }
                XCTAssertTrue(book.editions.contains { $0.dataset == edition.dataset && $0.id == edition.id && $0.items.isEmpty })
                XCTAssertEqual(book.itemCounts(of: edition).held, edition.items.count, edition.id)
            }
        }
        return checked
    }

    /// The citation index the sink looks ids up in finds every id of the rule data as itself,
    /// and no near miss (a prefix, an extension, one byte changed, the empty id).
    func testCitationIndexFindsEveryIdAndNothingElse() throws {
        let book = try RuleBook.load(roots: [TestPaths.rules])
        let index = book.citations
        XCTAssertGreaterThan(index.count, 50)
        func position(_ id: String) -> Int32? {
            var id = id
            return id.withUTF8 { index.position(of: $0) }
        }
        for id in index.all.map(\.id) {
            let found = try XCTUnwrap(position(id), id)
            XCTAssertEqual(index.entry(found).id, id)
            for miss in [String(id.dropLast()), id + "x", String(id.dropFirst()), "x" + id.dropFirst()] where book.citations[miss] == nil {
                XCTAssertNil(position(miss), miss)
            }
        }
        XCTAssertNil(position(""))
    }

    /// The seed clauses of SPEC §2 are all in the rule data, verbatim.
    func testSeedClausesOfTheSpecArePresent() throws {
        let book = try RuleBook.load(roots: [TestPaths.rules])
        let seeds: [(String, String, String)] = [
            ("guobanfa-2012-32-3-12-land", "三（十二）", "加大对鼓励类项目的支持力度，对用地集约的鼓励类外商投资项目优先供地"),
            ("guobanfa-2012-32-2-4-encourage", "二（四）", "积极引导外资投向现代农业、高新技术、先进制造、节能环保、新能源和新材料等产业"),
            ("yuefuban-2013-31-1-1-2", "一（一）2", "落实国家发展改革委、商务部《外商投资产业指导目录（2011年修订）》有关鼓励类项目优惠政策"),
            ("guobanfa-2012-32-2-4-restrict", "二（四）", "严格限制高耗能、高污染和低水平、产能过剩项目"),
            ("guobanfa-2006-42-4", "（四）", "依法限制高耗能、高污染产品的生产和出口"),
            ("wuwai-11-negative-list", "（十一）", "落实外商投资准入负面清单"),
            ("wuwai-11-ftz-manufacturing", "（十一）", "落实自贸试验区外资准入负面清单制造业条目清零政策"),
            ("wuwai-19-rd-centre", "（十九）", "经认定的外资研发中心，按照国家政策，对其符合条件的科技开发用品免征进口关税和进口环节增值税、消费税，采购国产设备全额退还增值税"),
        ]
        for (id, clause, quote) in seeds {
            let citation = try XCTUnwrap(book.citations[id], id)
            XCTAssertEqual(citation.citation.clause, clause, id)
            XCTAssertEqual(citation.citation.quote, quote, id)
        }
    }

    /// A copy of the shipped rules in a temporary folder, edited by `edit` (path → new text).
    func corruptedRules(_ edits: [String: (String) -> String]) throws -> URL {
        let folder = try Fixtures.temporaryFolder("rules")
        let copy = folder.appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: copy)
        for (path, edit) in edits {
            let url = copy.appendingPathComponent(path)
            let text = try String(contentsOf: url, encoding: .utf8)
            let edited = edit(text)
            XCTAssertNotEqual(edited, text, "the edit of \(path) changed nothing")
            try Data(edited.utf8).write(to: url)
        }
        return copy
    }

    func problems(loading root: URL) -> [String] {
        do {
            _ = try RuleBook.load(roots: [root])
            return []
        } catch let errors as RuleBookErrors {
            return errors.problems.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func testCorruptedQuoteIsRefusedNamingFileAndItem() throws {
        let root = try corruptedRules([
            "negative-list/national-2024.json": { $0.replacingOccurrences(of: "禁止投资稀土、放射性矿产、钨勘查", with: "禁止投资稀土、放射性矿产、铝勘查") },
            "citations.json": { $0.replacingOccurrences(of: "\"落实外商投资准入负面清单\"", with: "\"落实外商投资准入正面清单\"") },
        ])
        let problems = problems(loading: root)
        XCTAssertTrue(problems.contains(
            "rules/negative-list/national-2024.json: item 5: $.items[4].text: quote is not verbatim in sources/reference/negative_list_national_2024_vs_2021.csv: \"禁止投资稀土、放射性矿产、铝勘查、开采及选矿。\" not found"), "\(problems)")
        XCTAssertTrue(problems.contains(
            "rules/citations.json: citation wuwai-11-negative-list: $.citations[0].quote: quote is not verbatim in sources/guangdong-wuwai-liandong.txt: \"落实外商投资准入正面清单\" not found"), "\(problems)")

        // The CLI refuses to run on such data, with the same message, exit status 2.
        let output = try check(["--rules", root.path, "examples/negative-list/"])
        XCTAssertEqual(output.status, 2)
        XCTAssertTrue(output.stderr.contains("item 5: $.items[4].text: quote is not verbatim"), output.stderr)
    }

    func testStructuralProblemsAreNamed() throws {
        // An unknown GB/T code in item 1, a duplicate item number, a missing source text.
        let root = try corruptedRules([
            "negative-list/national-2021.json": { text in
                text.replacingOccurrences(of: "\"codes\": [\"A0511\", \"M7330\"]", with: "\"codes\": [\"A0511\", \"A0119x\"]")
                    .replacingOccurrences(of: "\"number\": 2,", with: "\"number\": 1,")
            },
            "documents.json": { $0.replacingOccurrences(of: "sources/guobanfa-2020-40.txt", with: "sources/no-such-text.txt") },
        ])
        var problems = problems(loading: root)
        XCTAssertTrue(problems.contains("rules/negative-list/national-2021.json: item 1: $.items[1].number: duplicate item number 1 in edition national-2021"), "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("rules/negative-list/national-2021.json: item 1: $.items[0].codes[1]: unknown GB/T 4754-2017 code string \"A0119x\"") }, "\(problems)")
        XCTAssertTrue(problems.contains("rules/documents.json: document guobanfa-2020-40: $.documents[4].text: source text sources/no-such-text.txt is missing or not UTF-8 (or holds a NUL byte)"), "\(problems)")

        // Overlapping editions of one series.
        problems = self.problems(loading: try corruptedRules([
            "negative-list/national-2021.json": { $0.replacingOccurrences(of: "\"effectiveTo\": \"2024-10-31\"", with: "\"effectiveTo\": \"2024-11-01\"") },
        ]))
        XCTAssertEqual(problems, [
            "rules/negative-list/national-2024.json: edition national-2024: $.effectiveFrom: overlaps edition national-2021 (2022-01-01 … 2024-11-01) of series national; end national-2021 before 2024-11-01",
        ])

        // A clause whose id is a catalogue item's: the item's citation is made when wanted, and
        // the id is still one clause's only.
        problems = self.problems(loading: try corruptedRules([
            "citations.json": { $0.replacingOccurrences(of: "\"id\": \"wuwai-11-negative-list\"", with: "\"id\": \"negative-list/national-2024#5\"") },
        ]))
        XCTAssertEqual(problems, ["rules/negative-list/national-2024.json: item 5: $.items[4]: duplicate citation id"], "\(problems)")

        // A repeated member: JSON readers keep one copy, so the file is refused instead.
        problems = self.problems(loading: try corruptedRules([
            "negative-list/national-2021.json": { $0.replacingOccurrences(of: "\"effectiveTo\": \"2024-10-31\"", with: "\"effectiveTo\": \"2024-10-31\", \"effectiveTo\": \"2099-12-31\"") },
        ]))
        XCTAssertEqual(problems.first, "rules/negative-list/national-2021.json: $.effectiveTo: member \"effectiveTo\" appears twice in one object", "\(problems)")
    }
}
