import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Issue 23: the full catalogue texts (third-party transcriptions in `../shared`, imported into
/// a temporary copy of the rules, never into `rules/`) used to match claims, suggest items and
/// flag restricted and eliminated products. The projects are written for these tests
/// (`Tests/Fixtures/suggestions/projects.tsv`), in an applicant's words, not the items'.
final class CatalogueTextTests: XCTestCase {
    /// The rules root with the 2025 national and regional catalogues and the 2024
    /// industry-structure catalogue imported, made once for the class.
    nonisolated(unsafe) static var importedRoot: URL?

    static func rules() throws -> URL {
        if let root = importedRoot { return root }
        let thirdPass = try TranscribedCatalogueTests.thirdPass()
        let rules = try Fixtures.temporaryFolder("catalogue-texts").appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: rules)
        for (file, edition, dataset) in [("encouraged_catalogue_2025_national_619.csv", "2025-national", "encouraged-catalogue"),
                                         ("encouraged_catalogue_2025_regional_1060.csv", "2025-regional", "encouraged-catalogue"),
                                         ("industry_structure_catalogue_2024_full_1005.csv", "industry-structure-2024", "high-energy")] {
            let result = try check(["rules", "import", thirdPass.appendingPathComponent(file).path, "--edition", edition, "--dataset", dataset,
                                    "--text-status", "transcribed", "--rules", rules.path])
            guard result.status == 0 else { throw HostError("import of \(file) failed: \(result.stderr)") }
        }
        importedRoot = rules
        return rules
    }

    /// One written project: the item it belongs to, its industry and its own words.
    struct Project {
        let item: Int, code: String, name: String, scope: String, products: [String]
    }

    static let projects: [Project] = {
        let text = try! String(contentsOf: TestPaths.fixtures.appendingPathComponent("suggestions/projects.tsv"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Project(item: Int(fields[0])!, code: fields[1], name: fields[2], scope: fields[3], products: fields[4].split(separator: ";").map(String.init))
        }
    }()

    static func project(_ item: Int) -> Project { projects.first { $0.item == item }! }

    /// An application for `project` (in `province`), claiming `claim` if given.
    static func application(_ id: String, _ project: Project, claim: (catalogue: String, item: Int)? = nil, province: String = "广东省",
                             type: String = "new") -> [String: Any] {
        var claims: [String: Any] = ["rdCentreImportExemption": false, "rdCentreVatRefund": false]
        if let claim { claims["encouragedItem"] = ["edition": "2025", "catalogue": claim.catalogue, "item": claim.item] }
        return ["schemaVersion": 1, "id": id, "submittedOn": "2026-03-15",
                "applicant": ["name": project.name + "有限公司", "enterpriseType": "wfoe"],
                "investors": [["name": "Example Holdings GmbH", "country": "DE", "foreign": true, "sharePercent": 100]],
                "project": ["name": project.name, "type": type, "location": ["province": province, "city": NSNull(), "freeTradeZone": NSNull()],
                            "industries": [["code": project.code, "name": "—"]], "businessScope": project.scope,
                            "products": project.products.map { ["name": $0] }],
                "claims": claims, "rdCentre": NSNull()]
    }

    /// Evaluates `applications` with plugin `plugin` over `rules`; the finding of `rule` per id.
    static func findings(_ applications: [[String: Any]], plugin: String, rule: String, rules: URL, language: String = "zh") throws -> [String: (verdict: String, message: String)] {
        let lines = try applications.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        let run = try check(["--only", plugin, "--rules", rules.path, "--format", "jsonl", "--lang", language, "-"], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        var found: [String: (verdict: String, message: String)] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let id = result["application"] as? String else { continue }
            guard let finding = (result["findings"] as? [[String: Any]])?.first(where: { $0["rule"] as? String == rule }) else {
                throw HostError("\(id): no finding of \(rule): \(line)")
            }
            found[id] = (finding["verdict"] as! String, finding["message"] as! String)
        }
        XCTAssertEqual(found.count, applications.count, run.stderr)
        return found
    }

    func testRulesListsTheImportedItemsAsTranscribed() throws {
        let listing = try check(["rules", "--rules", try Self.rules().path])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        XCTAssertTrue(listing.stdout.contains("619 items, 619 held: 619 transcribed"), listing.stdout)
        XCTAssertTrue(listing.stdout.contains("1060 items, 1060 held: 1060 transcribed"), listing.stdout)
        XCTAssertTrue(listing.stdout.contains("1005 items held (the official count is not in the rule data): 1005 transcribed"), listing.stdout)
        let zh = try check(["rules", "--rules", try Self.rules().path, "--lang", "zh"])
        XCTAssertTrue(zh.stdout.contains("619 条，载入 619 条：据转录本 619 条"), zh.stdout)
        // Each national item carries the sector its heading names, read from GB/T 4754-2017.
        let national = try String(contentsOf: try Self.rules().appendingPathComponent("encouraged-catalogue/2025-national.json"), encoding: .utf8)
        // (One item to a line.)
        XCTAssertTrue(national.contains("\"section\": \"制造业\", \"subsection\": \"医药制造业\", \"sectorCodes\": [\"C27\"]}"), String(national.prefix(2000)))
        XCTAssertTrue(national.contains("\n    {\"number\": 101, \"text\": \"药品制剂生产"), String(national.prefix(2000)))
        XCTAssertTrue(national.contains("heading “科学研究、开发和产品、技术服务业” read as GB/T 4754-2017 M “科学研究和技术服务业”"))
        // The shipped note that the edition's item texts were not obtained goes with the import.
        XCTAssertFalse(national.contains("Item texts of this edition were not obtained"))
                // Products are listed for the classes a project is compared with, not for 鼓励类 items.
        let structure = try String(contentsOf: try Self.rules().appendingPathComponent("high-energy/industry-structure-2024.json"), encoding: .utf8)
            .split(separator: "\n")
        XCTAssertFalse(structure.contains { $0.contains("\"category\": \"encouraged\"") && $0.contains("\"phrases\"") })
        XCTAssertEqual(structure.filter { ($0.contains("\"category\": \"restricted\"") || $0.contains("\"category\": \"eliminated\"")) && $0.contains("\"phrases\"") }.count, 231 + 422)
    }

    /// Ten claims consistent with their item (pass, saying the text is transcribed) and ten
    /// clearly unrelated (review on transcribed text, fail on the same text taken as verbatim),
    /// across 门类 A, C, D, G, H, M.
    func testClaimsAreComparedWithTheItemText() throws {
        let consistent = [37, 49, 71, 104, 148, 170, 247, 379, 467, 500, 544]
        // (project's right item, claimed item): a plant-based-meat factory claiming ocean
        // shipping, a PET recycler claiming a hydrogen station, …
        let unrelated = [(37, 500), (49, 541), (104, 610), (148, 13), (170, 113), (247, 467), (379, 520), (467, 60), (500, 258), (544, 236)]
        var applications: [[String: Any]] = []
        for item in consistent { applications.append(Self.application("OK-\(item)", Self.project(item), claim: ("national", item))) }
        for (right, claimed) in unrelated { applications.append(Self.application("NO-\(right)-\(claimed)", Self.project(right), claim: ("national", claimed))) }
        let results = try Self.findings(applications, plugin: "encouraged-catalogue", rule: "encouraged-catalogue/claim", rules: try Self.rules())
        for item in consistent {
            let result = try XCTUnwrap(results["OK-\(item)"])
            XCTAssertEqual(result.verdict, "pass", "\(item): \(result.message)")
            XCTAssertTrue(result.message.contains("条文据转录本，尚未与官方文本核对"), result.message)
            XCTAssertTrue(result.message.contains("项目名称、经营范围或产品与条目共有“"), result.message)
        }
        for (right, claimed) in unrelated {
            let result = try XCTUnwrap(results["NO-\(right)-\(claimed)"])
            XCTAssertEqual(result.verdict, "review", "\(right)→\(claimed): \(result.message)")
            XCTAssertTrue(result.message.contains("明显不符"), result.message)
            XCTAssertTrue(result.message.contains("不能据此认定不符"), result.message)
        }
        let pass = results["OK-148"]!.message
        XCTAssertTrue(pass.contains("第148条“超高功率石墨电极生产”：行业代码 C3091 属于该条目所在的“非金属矿物制品业”（C30），项目名称、经营范围或产品与条目共有“超高功率石墨电极生产”"), pass)

        // The same words taken as verbatim: an unrelated claim fails, a consistent one passes
        // without the transcription note.
        let verbatim = try Fixtures.temporaryFolder("verbatim").appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: verbatim)
        let imported = try check(["rules", "import", try TranscribedCatalogueTests.thirdPass().appendingPathComponent("encouraged_catalogue_2025_national_619.csv").path,
                                  "--edition", "2025-national", "--text-status", "verbatim", "--source", "test only: the transcription taken as verbatim", "--rules", verbatim.path])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let strict = try Self.findings([applications[0], applications[consistent.count]], plugin: "encouraged-catalogue", rule: "encouraged-catalogue/claim", rules: verbatim)
        XCTAssertEqual(strict["OK-37"]?.verdict, "pass")
        XCTAssertFalse(strict["OK-37"]!.message.contains("转录本"))
        XCTAssertEqual(strict["NO-37-500"]?.verdict, "fail", strict["NO-37-500"]!.message)
    }

    /// Every written project claiming its own item, and claiming an item chosen without regard
    /// to it: no unrelated claim passes.
    func testNoUnrelatedClaimPasses() throws {
        var applications: [[String: Any]] = []
        for project in Self.projects {
            applications.append(Self.application("RIGHT-\(project.item)", project, claim: ("national", project.item)))
            applications.append(Self.application("OTHER-\(project.item)", project, claim: ("national", project.item * 7 % 619 + 1)))
        }
        let results = try Self.findings(applications, plugin: "encouraged-catalogue", rule: "encouraged-catalogue/claim", rules: try Self.rules())
        let right = Self.projects.filter { results["RIGHT-\($0.item)"]?.verdict == "pass" }.count
        let wrong = Self.projects.filter { results["OTHER-\($0.item)"]?.verdict == "pass" }
        print("claims of the right item that pass: \(right) of \(Self.projects.count) (the rest review); claims of an unrelated item that pass: \(wrong.count)")
        XCTAssertEqual(wrong.map(\.item), [], "an unrelated claim passed")
        XCTAssertGreaterThanOrEqual(right, 30)
        XCTAssertTrue(Self.projects.allSatisfy { ["pass", "review"].contains(results["RIGHT-\($0.item)"]?.verdict) })
    }

    /// SPEC §5.2's suggestions: for the 50 written projects without a claim, the right item is
    /// among the five suggested for at least 40.
    func testSuggestionsPutTheRightItemInTheTopFive() throws {
        let applications = Self.projects.map { Self.application("S-\($0.item)", $0) }
        let results = try Self.findings(applications, plugin: "encouraged-catalogue", rule: "encouraged-catalogue/claim", rules: try Self.rules())
        let pattern = try NSRegularExpression(pattern: "第(\\d+)条“")
        var hits = 0
        var misses: [String] = []
        for project in Self.projects {
            let result = try XCTUnwrap(results["S-\(project.item)"])
            XCTAssertEqual(result.verdict, "not-applicable")
            let message = result.message as NSString
            let suggested = pattern.matches(in: result.message, range: NSRange(location: 0, length: message.length)).map { Int(message.substring(with: $0.range(at: 1)))! }
            XCTAssertLessThanOrEqual(suggested.count, 5)
            if suggested.contains(project.item) { hits += 1 } else { misses.append("\(project.item) \(project.name): \(suggested)") }
        }
        print("suggestion quality: the right item is in the top 5 for \(hits) of \(Self.projects.count) projects; missed: \(misses)")
        XCTAssertGreaterThanOrEqual(hits, 40, "\(misses)")
        let example = results["S-456"]!.message
        XCTAssertTrue(example.contains("较接近的条目有：第456条“高场核磁共振波谱仪研发”（行业和产品均相符）"), example)
        XCTAssertTrue(example.contains("（以上条目条文据转录本，尚未与官方文本核对。）"), example)
    }

    /// Five regional claims: a Guangdong project (review: coverage rests on news), projects in
    /// provinces with their own sections (pass, review), a province without a section, and a
    /// number beyond the province's items.
    func testRegionalClaimsFollowTheProvinceSections() throws {
        let shanxiGlass = Project(item: 0, code: "C3051", name: "高硼硅玻璃器皿生产线", scope: "高硼硅耐热玻璃制品、工业陶瓷制品生产", products: ["高硼硅玻璃器皿", "工业陶瓷"])
        let sichuanSoftware = Project(item: 0, code: "I6513", name: "企业管理软件研发中心", scope: "企业资源计划软件开发", products: ["ERP软件"])
        let applications = [
            Self.application("R-GD", shanxiGlass, claim: ("regional", 13), province: "广东省"),
            Self.application("R-SX", shanxiGlass, claim: ("regional", 13), province: "山西省"),
            Self.application("R-SC", sichuanSoftware, claim: ("regional", 10), province: "四川省"),
            Self.application("R-ZJ", shanxiGlass, claim: ("regional", 13), province: "浙江省"),
            Self.application("R-HN", shanxiGlass, claim: ("regional", 150), province: "海南省"),
        ]
        let results = try Self.findings(applications, plugin: "encouraged-catalogue", rule: "encouraged-catalogue/claim", rules: try Self.rules())
        XCTAssertEqual(results["R-GD"]?.verdict, "review")
        XCTAssertTrue(results["R-GD"]!.message.contains("不含广东"), results["R-GD"]!.message)
        XCTAssertEqual(results["R-SX"]?.verdict, "pass", results["R-SX"]!.message)
        XCTAssertTrue(results["R-SX"]!.message.contains("山西省第13条“高档玻璃制品、高技术陶瓷"), results["R-SX"]!.message)
        XCTAssertEqual(results["R-SC"]?.verdict, "review", results["R-SC"]!.message)
        XCTAssertTrue(results["R-SC"]!.message.contains("四川省第10条“啤酒制造产业”明显不符"), results["R-SC"]!.message)
        XCTAssertEqual(results["R-ZJ"]?.verdict, "review")
        XCTAssertTrue(results["R-ZJ"]!.message.contains("没有浙江省的条目"), results["R-ZJ"]!.message)
        XCTAssertEqual(results["R-HN"]?.verdict, "review")
        XCTAssertTrue(results["R-HN"]!.message.contains("海南省的条目共 102 条，申报的第 150 条不在其中"), results["R-HN"]!.message)
    }

    /// SPEC §5.3: ten projects naming a product of a 限制类 (new projects) or 淘汰类 item →
    /// review quoting the item; ten near-misses in the same sectors (a product the items do not
    /// list, an item's own exception, a restricted product in an expansion) → not applicable.
    func testRestrictedAndEliminatedProductsAreFlagged() throws {
        func project(_ code: String, _ name: String, _ scope: String, _ product: String) -> Project {
            Project(item: 0, code: code, name: name, scope: scope, products: [product])
        }
        let matches: [(String, Project, String, String)] = [
            ("M-polypropylene", project("C2651", "年产5万吨聚丙烯项目", "聚丙烯树脂的生产和销售", "均聚聚丙烯"), "new", "限制类·石化化工第3条"),
            ("M-soda-ash", project("C2612", "纯碱生产项目", "纯碱、氯化铵的生产", "重质纯碱"), "new", "限制类·石化化工第5条"),
            ("M-carbide", project("C2619", "电石生产项目", "电石及其副产品生产", "电石"), "new", "限制类·石化化工第4条"),
            ("M-rosin", project("C2669", "松香深加工项目", "以松脂为原料生产松香、松节油", "松香"), "new", "限制类·农林牧渔业第3条"),
            ("M-plywood", project("C2021", "胶合板生产线", "胶合板、细木工板生产", "胶合板"), "new", "限制类·农林牧渔业第7条"),
            ("M-lithium-carbonate", project("C2613", "碳酸锂项目", "锂辉石提锂，碳酸锂生产", "电池级碳酸锂"), "new", "限制类·石化化工第6条"),
            ("M-nicd", project("C3849", "民用镉镍电池生产线", "民用镉镍电池的生产", "AA镉镍电池"), "expansion", "淘汰类·轻工·落后产品第7条"),
            ("M-moped", project("C3770", "燃油助力车整车项目", "燃油助力车及零部件生产", "燃油助力车"), "new", "淘汰类·机械·落后产品第60条"),
            ("M-stopper", project("C2915", "药用天然胶塞项目", "药用天然胶塞、瓶塞生产", "药用天然胶塞"), "expansion", "淘汰类·医药·落后产品第3条"),
            ("M-lathe", project("C3421", "普通车床生产线", "普通车床及配件生产", "普通车床"), "new", "淘汰类·机械·落后产品第32条"),
        ]
        let nearMisses: [(String, Project, String)] = [
            ("N-adiponitrile", project("C2614", "己二腈项目", "己二腈及尼龙66盐生产", "己二腈"), "new"),
            ("N-electronic-acid", project("C2611", "电子级硫酸项目", "半导体用超纯电子级硫酸生产", "电子级硫酸"), "new"),
            ("N-lfp", project("C2613", "磷酸铁锂正极材料项目", "锂电池正极材料磷酸铁锂生产", "磷酸铁锂"), "new"),
            ("N-osb", project("C2022", "定向结构刨花板项目", "定向结构刨花板（OSB）生产", "OSB板"), "new"),
            ("N-cnc-lathe", project("C3421", "五轴数控车床项目", "数控车床、车铣复合加工中心生产", "数控车床"), "new"),
            ("N-li-ion", project("C3841", "动力锂离子电池项目", "锂离子动力电池生产", "锂离子电池"), "new"),
            ("N-e-bike", project("C3761", "电动自行车项目", "电动自行车整车生产", "电动自行车"), "new"),
            ("N-butyl-stopper", project("C2915", "医用丁基胶塞项目", "药用卤化丁基橡胶塞生产", "卤化丁基胶塞"), "new"),
            ("N-polycarbonate", project("C2651", "聚碳酸酯项目", "非光气法聚碳酸酯生产", "聚碳酸酯"), "new"),
            ("N-polypropylene-expansion", project("C2651", "聚丙烯扩建项目", "现有聚丙烯装置扩建", "聚丙烯"), "expansion"),
        ]
        var early = Self.application("E-before-2024", matches[0].1)
        early["submittedOn"] = "2023-07-17"
        let applications = matches.map { Self.application($0.0, $0.1, type: $0.2) } + nearMisses.map { Self.application($0.0, $0.1, type: $0.2) } + [early]
        let results = try Self.findings(applications, plugin: "high-energy", rule: "high-energy/industry-structure", rules: try Self.rules())
        // Before the 2024 edition: loaded, not in force that day — said so, not "not loaded".
        XCTAssertEqual(results["E-before-2024"]?.verdict, "not-applicable")
        XCTAssertTrue(results["E-before-2024"]?.message.hasPrefix("2023-07-17 没有生效的已载入《产业结构调整指导目录》版本") == true, results["E-before-2024"]?.message ?? "")
        for (id, _, _, clause) in matches {
            let result = try XCTUnwrap(results[id])
            XCTAssertEqual(result.verdict, "review", "\(id): \(result.message)")
            XCTAssertTrue(result.message.contains("》\(clause)（条文见下") || result.message.contains("》\(clause)；"), "\(id): \(result.message)")
            XCTAssertTrue(result.message.contains("条文据转录本，尚未与官方文本核对"), result.message)
        }
        for (id, _, _) in nearMisses {
            XCTAssertEqual(results[id]?.verdict, "not-applicable", "\(id): \(results[id]?.message ?? "")")
        }
        XCTAssertTrue(results["M-polypropylene"]!.message.hasPrefix("项目名称、经营范围或产品中的“聚丙烯”见于《产业结构调整指导目录（2024年本）》限制类·石化化工第3条（条文见下，条文据转录本，尚未与官方文本核对）。"),
                      results["M-polypropylene"]!.message)

        // Without the items (the shipped rules): not applicable, saying they are not loaded.
        let shipped = try Self.findings([applications[0]], plugin: "high-energy", rule: "high-energy/industry-structure", rules: TestPaths.rules)
        XCTAssertEqual(shipped["M-polypropylene"]?.verdict, "not-applicable")
        XCTAssertTrue(shipped["M-polypropylene"]!.message.contains("未载入规则数据"))
    }

    /// The item phrases a project is compared with: capacities and generic ends taken off,
    /// exceptions and bracketed remarks left out.
    /// The imported items' citations (keys such as `山西省/13`, clauses written at import) are
    /// made when first wanted, and say what the items say.
    func testImportedItemCitationsAreTheItems() throws {
        XCTAssertGreaterThanOrEqual(try RuleDataTests.assertItemCitationsAreTheItems(in: try Self.rules()), 619 + 1060 + 1005)
    }

    func testItemPhrasesAreTheListedProducts() {
        XCTAssertEqual(ItemPhrases.phrases(of: "7 万吨/年以下聚丙烯、20 万吨/年以下聚乙烯、乙炔法（聚）氯乙烯生产装置"), ["聚丙烯", "聚乙烯", "乙炔法氯乙烯"])
        XCTAssertEqual(ItemPhrases.phrases(of: "30 万吨/年以下硫磺制酸（单项金属离子≤100ppb 的电子级硫酸除外）、电石"), ["硫磺制酸", "电石"])
        XCTAssertEqual(ItemPhrases.phrases(of: "1000 吨/年以下的松香生产项目，松脂初加工项目"), ["松香", "松脂初加工"])
        XCTAssertEqual(ItemPhrases.phrases(of: "原糖加工项目及日处理甘蔗 5000 吨（云南地区 3000 吨）、日处理甜菜 3000 吨以下的项目"), ["原糖加工"])
    }

    /// The two-character terms: units, joining words, spaces, exclusions.
    func testTermsOfATextAreItsAdjacentCharacterPairs() {
        func words(_ text: String) -> [String] {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { buffer in
                ItemTerms.terms(of: buffer, exclusions: Exclusions(in: buffer)).map { String(decoding: buffer[$0.bytes], as: UTF8.self) }
            }
        }
        XCTAssertEqual(words("核磁共振"), ["核磁", "磁共", "共振"])
        XCTAssertEqual(words("海洋药物的开发、生产"), ["海洋", "洋药", "药物", "开发", "生产"])
        XCTAssertEqual(words("线宽 28 纳米"), ["线宽", "28", "宽 28", "28 纳", "纳米"])
        XCTAssertEqual(words("ECMO设备"), ["ECMO", "ECMO设", "设备"])
        XCTAssertEqual(words("艺术培训（面向中小学生的除外）"), ["艺术", "术培", "培训"])
    }
}
