import CheckAPI
import Synchronization

/// One catalogue (全国目录 or 地区目录) of one edition of the encouraged catalogue.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
final class CatalogueEdition: Sendable {
    /// The edition's own fields (its items are in ``items``).
    let edition: Edition
    /// The edition's name as applications claim it, e.g. "2025".
    let name: String
    /// `national` or `regional`.
    let catalogue: String
    /// For regional catalogues: whether Guangdong is covered, and on what basis.
    let coversGuangdong: Bool?
    let coverageBasis: String?
    /// The regions the catalogue covers, in words (`中西部地区、东北地区和海南省`).
    let coverageRegions: String?
    let coverageCitations: [String]
    /// Whether the coverage rests on verbatim words of the catalogue: only then can a claim
    /// outside it fail (a news quote or a secondary summary gives review).
    let coverageVerified: Bool
    /// The items, and what is made of them: at load for a national catalogue (every application
    /// without a claim is compared with it), when first wanted for a regional one (only a
    /// regional claim reads it, and a whole one is a thousand items).
    var items: CatalogueItems {
        // (A national catalogue's, made at load, without the lock: every application reads it.)
        if let loadedItems { return loadedItems }
        return madeItems.withLock { made in
            if let made { return made }
            let items = CatalogueItems(deferred!.items, catalogue: catalogue)
            made = items
            return items
        }
    }
    private let loadedItems: CatalogueItems?
    private let madeItems = Mutex<CatalogueItems?>(nil)
    /// A regional catalogue's items, decoded when first wanted.
    private let deferred: DeferredEdition?

    init(root: JSONNode, file: String) throws(RuleDataError) {
        do {
            name = try root.required("editionName").asNonEmptyString()
            catalogue = try root.required("catalogue").asNonEmptyString()
            let coverage = root.optional("coverage")
            coversGuangdong = try coverage?.required("guangdong").asBool()
            coverageBasis = try coverage?.required("basis").asString()
            coverageRegions = try coverage?.optional("regions")?.asString()
            coverageCitations = try root.optional("coverageCitations")?.asStrings() ?? []
            let statuses = try (root.optional("citations")?.asArray() ?? []).map { node throws(JSONFieldError) in try Citation(node) }
            coverageVerified = !coverageCitations.isEmpty && coverageCitations.allSatisfy { id in statuses.contains { $0.id == id && $0.textStatus.isDecisive } }
        } catch {
            throw RuleDataError(file: file, error)
        }
        if catalogue == "national" {
            edition = try Edition(root, dataset: "encouraged-catalogue", file: file)
            loadedItems = CatalogueItems(edition.items, catalogue: catalogue)
            deferred = nil
        } else {
            let deferred = try DeferredEdition(root, dataset: "encouraged-catalogue", file: file)
            edition = deferred.edition
            loadedItems = nil
            self.deferred = deferred
        }
    }
}

/// An edition's items, and what the plugin makes of them.
final class CatalogueItems: Sendable {
    /// The items, in order.
    let all: [CatalogueItem]
    let keywords: [String: KeywordMatcher]
    /// The items whose text is held, indexed by their terms (claims and suggestions compare
    /// the project's words with them); positions are those of `textItems`. Made on first use:
    /// a regional catalogue's index is wanted only by a regional claim.
    var terms: ItemTermIndex {
        termIndex.withLock { index in
            if let index { return index }
            let made = ItemTermIndex(textItems.map { $0.item.text! })
            index = made
            return made
        }
    }
    private let termIndex = Mutex<ItemTermIndex?>(nil)
    /// The items whose text is held, in item order, each with the sector its heading names.
    let textItems: [(item: CatalogueItem, sector: ItemSector?)]
    /// Their texts as a suggestion quotes them: cut after 80 characters (made once: counting
    /// the characters of a Chinese text is a walk through it).
    let shortTexts: [String]
    /// Item number → position in the edition's items, for the items keyed by their number (a
    /// claim's item is looked up so: a scan of a thousand items, comparing keys, per claim was
    /// not; nor is a table keyed by Chinese refs, whose hashing normalises each).
    let numberedPositions: [Int: Int]
    /// Per item of the edition, its position in `textItems` (nil: no text held).
    let textPositions: [Int?]
    /// Regional catalogues, numbered by province: province full name → item number → position
    /// in the edition's items.
    let provinceItems: [String: [Int: Int]]

    /// Whether any item's text is held (only then can a claim be compared, or items suggested).
    var holdsTexts: Bool { !textItems.isEmpty }

    init(_ items: [CatalogueItem], catalogue: String) {
        all = items
        // (Only items with keywords typed in by staff have a matcher: a thousand empty ones for a
        // transcription cost more than the rest of loading it.)
        keywords = Dictionary(uniqueKeysWithValues: items.filter { !$0.keywords.isEmpty }.map { ($0.key, KeywordMatcher($0.keywords)) })
        let textItems = items.filter { $0.text != nil }.map { item in (item: item, sector: item.sectorCodes.first.flatMap(ItemSector.init(code:))) }
        self.textItems = textItems
        // (Only national items are suggested. Scalars, not characters, are counted — the
        // catalogue's text has no combining marks — by their UTF-8 lead bytes: a character
        // count, or a walk of the scalar view, is several times slower.)
        shortTexts = catalogue != "national" ? [] : textItems.map { entry in
            var text = entry.item.text!
            let cut: String? = text.withUTF8 { bytes in
                var scalars = 0
                for offset in bytes.indices where bytes[offset] & 0xC0 != 0x80 {
                    scalars += 1
                    if scalars > 80 { return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<offset]), as: UTF8.self) + "…" }
                }
                return nil
            }
            return cut ?? text
        }
        var numberedPositions: [Int: Int] = [:]
        numberedPositions.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            if let number = Int(item.key), String(number) == item.key { numberedPositions[number] = position }
        }
        self.numberedPositions = numberedPositions
        var next = 0
        textPositions = items.map { item in
            guard item.text != nil else { return nil }
            defer { next += 1 }
            return next
        }
        var provinceItems: [String: [Int: Int]] = [:]
        // (Items of a section follow each other: its province is looked up once per run of them,
        // the section compared as bytes.)
        var section: (name: String, province: String?)?
        for (position, item) in items.enumerated() where catalogue == "regional" {
            guard let name = item.section, let number = item.number else { continue }
            if section == nil || !section!.name.utf8.elementsEqual(name.utf8) {
                section = (name, Location.provinces.first { name.hasPrefix($0.shortName) }?.name)
            }
            guard let province = section?.province else { continue }
            provinceItems[province, default: [:]][number] = position
        }
        self.provinceItems = provinceItems
        // The national index is wanted by every application without a claim: made now, not
        // by the first of them.
        if catalogue == "national" && !textItems.isEmpty { _ = terms }
    }
}

/// A sector the seed policy encourages, for the informational hint.
struct SeedSector: Sendable {
    /// The name in Chinese and in English (the table's `name` is "中文 / English").
    let name: Localized
    let codes: [String]

    init(name: String, codes: [String]) {
        let parts = name.split(separator: " / ", maxSplits: 1).map(String.init)
        self.name = Localized(zh: MessageText(parts[0]), en: MessageText(parts.last!))
        self.codes = codes
    }
}

/// `encouraged-catalogue` — 鼓励外商投资产业目录 (SPEC §5.2).
public struct EncouragedCataloguePlugin: RulePlugin {
    static let landPriority = "guobanfa-2012-32-3-12-land"
    static let guangdongPolicy = "yuefuban-2013-31-1-1-2"
    static let seedEncourage = "guobanfa-2012-32-2-4-encourage"

    public static let description = PluginDescription(
        id: "encouraged-catalogue", version: "1.0.0",
        title: Localized(zh: "鼓励外商投资产业目录", en: "Catalogue of industries for encouraged foreign investment"),
        datasets: ["encouraged-catalogue"],
        rules: [
            RuleDescription(
                id: "encouraged-catalogue/claim",
                title: Localized(zh: "鼓励类条目申报", en: "Claimed encouraged item"),
                description: Localized(
                    zh: """
                    申报鼓励类条目时：所称版本在申请日期未生效、条目序号超过该目录条目数为不通过；广东项目申报地区目录条目，适用地区经目录原文核实的为不通过，仅据报道的为需人工审核；其他省份的项目按其省份的地区目录条目核对，所在省份没有条目的为需人工审核。条文未载入时需人工审核，并说明工作人员如何导入目录。
                    条文已载入时，如何比对：（1）行业——条目所在的门类或制造业大类（导入时按目录的标题对应到 GB/T 4754-2017，如“医药制造业”即 C27），项目的行业代码是否在其中；（2）用语——把条目文字和项目名称、经营范围、产品都切成相邻两字的词（“核磁共振”→核磁、磁共、共振），只看条目里少见的词（在全部条目中出现不超过六十分之一的，“生产”“开发”“设备”这类词不计），项目文字中“不含……”“……除外”部分的词不计；项目用到条目除外部分的词时需人工审核。行业相符且共有两个以上少见词为通过（条文据转录本的，在结论中说明）；只有一方面相符为需人工审核；两方面都不相符为明显不符——条文逐字核实的为不通过，据转录本的为需人工审核。条目若带有工作人员录入的行业代码和关键词，则按代码加关键词核对。
                    未申报条目为不适用；所属行业为国办发〔2012〕32号鼓励方向的给出提示；已载入现行全国目录条文的，按同样的用语和行业给出最接近的至多五个条目，并以文字说明相符程度（行业和产品均相符／产品相符，行业不同／仅行业相符）。
                    """,
                    en: """
                    For a claimed item: fail if the edition was not in force on the as-of date or the item number exceeds the catalogue's count; a Guangdong project claiming a regional item fails where the catalogue's own words show Guangdong is not covered, and is review where only reports say so; a project elsewhere is checked against its own province's regional items (review if its province has none). Without the item's text loaded: review, saying how staff load the catalogue.
                    With the text loaded, how a claim is compared: (1) sector — the 门类 or 制造业 大类 the item is listed under (read at import as a GB/T 4754-2017 code from the catalogue's heading, e.g. 医药制造业 = C27) against the project's industry codes; (2) words — the item's text and the project's name, business scope and products cut into two-character terms (核磁共振 → 核磁, 磁共, 共振), counting only terms rare among the items (in at most one item in sixty: 生产, 开发, 设备 do not count) and none inside the project's 不含… / …除外 parts; a project using words of the item's own exclusion is review. Sector and two or more rare terms shared: pass (saying so when the text is only transcribed); one of the two: review; neither: clearly unrelated — fail on verbatim text, review on transcribed text. Items with industry codes and keywords typed in by staff are matched by code and keyword instead.
                    No claim: not applicable, with a hint when the sector is one 国办发〔2012〕32号 encourages, and, with the current national items loaded, the at most five items whose words and sector fit the project best, each with how well in words (sector and product / product, other sector / sector only).
                    """),
                citations: [landPriority, guangdongPolicy]),
        ])

    let catalogues: [CatalogueEdition]
    let seedSectors: IndustryCodeGroups<SeedSector>

    public init(ruleData: RuleDataFiles) throws {
        var catalogues: [CatalogueEdition] = []
        for file in ruleData.files(in: "encouraged-catalogue", kind: "edition") {
            catalogues.append(try CatalogueEdition(root: file.root, file: file.path))
        }
        self.catalogues = catalogues
        var sectors: [SeedSector] = []
        for file in ruleData.files(in: "encouraged-catalogue", kind: "table") where file.root["id"]?.string == "seed-sectors" {
            do {
                for node in try file.root.required("sectors").asArray() {
                    sectors.append(SeedSector(name: try node.required("name").asString(), codes: try node.required("codes").asStrings()))
                }
            } catch {
                throw RuleDataError(file: file.path, error)
            }
        }
        seedSectors = IndustryCodeGroups(sectors, codes: \.codes)
    }

    public func evaluate(_ request: Request, into findings: inout Findings) throws {
        guard let claim = request.application.claims?.optional("encouragedItem") else {
            findings.report(noClaim(request.application, on: request.asOf))
            return
        }
        findings.report(assess(claim: claim, request: request))
    }

    func finding(_ verdict: Verdict, zh: @autoclosure () -> MessageText, en: @autoclosure () -> MessageText, evidence: [Evidence], citations: [String] = []) -> Finding {
        Finding(rule: "encouraged-catalogue/claim", verdict: verdict, message: Localized(zh: zh(), en: en()),
                evidence: evidence, citations: citations + [Self.landPriority, Self.guangdongPolicy])
    }

    func assess(claim: JSONNode, request: Request) -> Finding {
        let application = request.application
        let editionNode = claim["edition"]!, catalogueNode = claim["catalogue"]!, itemNode = claim["item"]!
        let editionName = editionNode.string ?? "", catalogueName = catalogueNode.string ?? ""
        let number = itemNode.integer ?? 0
        let claimEvidence: [Evidence] = [.value(editionNode), .value(catalogueNode), .value(itemNode)]
        let catalogueLabel = catalogueName == "regional" ? Localized(zh: "地区目录", en: "regional catalogue") : Localized(zh: "全国目录", en: "national catalogue")

        guard let target = catalogues.first(where: { $0.name == editionName && $0.catalogue == catalogueName }) else {
            let loaded = Set(catalogues.map(\.name)).sorted().joined(separator: ", ")
            return finding(.review, zh: "申报的《鼓励外商投资产业目录（\(editionName)年版）》\(catalogueLabel.zhText)不在已载入的规则数据中（已载入版本：\(loaded)），请人工核对。",
                           en: "The claimed \(editionName) edition (\(catalogueLabel.enText)) of the encouraged catalogue is not in the rule data (loaded: \(loaded)); check by hand.",
                           evidence: claimEvidence)
        }
        let edition = target.edition
        let inForce = catalogues.first { $0.catalogue == catalogueName && $0.edition.effective.contains(request.asOf) }
        if !edition.effective.contains(request.asOf) {
            let current = inForce.map { Localized(zh: "当日有效的是\($0.name)年版", en: "the \($0.name) edition was in force that day") }
                ?? Localized(zh: "当日没有已载入的版本生效", en: "no loaded edition was in force that day")
            let evidence = claimEvidence + [.value(application.root["submittedOn"]!)]
            if let through = edition.effective.through, request.asOf > through, edition.effectiveToStatus == .inferred {
                return finding(.review, zh: "申报的是\(editionName)年版，其失效日期 \(through) 系根据下一版施行日期推定（废止条款未取得）；申请日期为 \(request.asOf)，\(current.zhText)。请改按现行版本申报，或人工核对。",
                               en: "The claim names the \(editionName) edition, whose end (\(through)) is inferred from the next edition's start (its repeal clause was not read); the as-of date is \(request.asOf) and \(current.enText). Claim the current edition, or check by hand.",
                               evidence: evidence)
            }
            return finding(.fail, zh: "申报的《鼓励外商投资产业目录（\(editionName)年版）》在申请日期 \(request.asOf) 未生效（有效期 \(edition.effective)），\(current.zhText)。请按当日有效的版本申报。",
                           en: "The claimed \(editionName) edition of the encouraged catalogue was not in force on \(request.asOf) (in force \(edition.effective)); \(current.enText). Claim the edition in force on that day.",
                           evidence: evidence)
        }
        if let count = edition.declaredItemCount, number > count {
            return finding(.fail, zh: "《鼓励外商投资产业目录（\(editionName)年版）》\(catalogueLabel.zhText)共 \(count) 条，申报的第 \(number) 条不存在。请核对条目序号。",
                           en: "The \(editionName) \(catalogueLabel.enText) has \(count) items; item \(number) does not exist. Check the item number.",
                           evidence: claimEvidence)
        }
        if catalogueName == "regional", application.isInGuangdong {
            let evidence = claimEvidence + (application.province.map { [.value($0)] } ?? [])
            switch target.coversGuangdong {
            case false? where target.coverageVerified:
                return finding(.fail, zh: "项目位于广东省，而\(editionName)年版地区目录不适用于广东（\(target.coverageBasis ?? "")）。广东项目只能申报全国目录条目。",
                               en: "The project is in Guangdong, which the \(editionName) regional catalogue does not cover (\(target.coverageBasis ?? "")). A Guangdong project can only claim items of the national catalogue.",
                               evidence: evidence, citations: target.coverageCitations)
            case false?:
                // Not covered, on the strength of reports of the catalogue rather than its own words.
                return finding(.review, zh: "项目位于广东省，申报的是\(editionName)年版地区目录条目。据有关报道，该版地区目录面向\(target.coverageRegions ?? "中西部等地区")，不含广东，但目录原文的适用地区尚未核对；广东项目一般只能申报全国目录条目，请人工核对。",
                               en: "The project is in Guangdong and claims an item of the \(editionName) regional catalogue. Reports of that catalogue say it covers \(target.coverageRegions ?? "the central and western regions") and not Guangdong, but the catalogue's own list of regions has not been checked; a Guangdong project can normally claim only national items, so check by hand.",
                               evidence: evidence, citations: target.coverageCitations)
            default:
                return finding(.review, zh: "项目位于广东省，申报的是\(editionName)年版地区目录条目，但该版地区目录的适用地区未载入，请人工核对。",
                               en: "The project is in Guangdong and claims an item of the \(editionName) regional catalogue, whose regions are not in the rule data; check by hand.",
                               evidence: evidence)
            }
        }
        let items = target.items
        var itemPosition = items.numberedPositions[number]
        if catalogueName == "regional", !items.provinceItems.isEmpty {
            // Numbered by province: item N of the project's province.
            let province = application.provinceName
            let evidence = claimEvidence + (application.province.map { [.value($0)] } ?? [])
            guard let province, let numbers = items.provinceItems[province.name] else {
                let name = province?.name ?? application.province?.string ?? "（未填）"
                return finding(.review, zh: "项目位于\(name)，申报的是\(editionName)年版地区目录第 \(number) 条，但载入的地区目录（\(target.coverageRegions ?? "所列省份")）没有\(name)的条目，地区目录只适用于所列省份。请改按全国目录申报，或人工核对（所载地区目录条文据转录本，尚未与官方文本核对）。",
                               en: "The project is in \(name) and claims item \(number) of the \(editionName) regional catalogue, but the loaded regional catalogue (\(target.coverageRegions ?? "the listed provinces")) has no items for \(name): it applies only to the provinces it lists. Claim a national item instead, or check by hand (the regional items are from a transcription, not yet compared with the official text).",
                               evidence: evidence)
            }
            guard let found = numbers[number] else {
                return finding(.review, zh: "\(editionName)年版地区目录中\(province.name)的条目共 \(numbers.count) 条，申报的第 \(number) 条不在其中。请核对条目序号（所载条文据转录本，尚未与官方文本核对）。",
                               en: "The \(editionName) regional catalogue lists \(numbers.count) items for \(province.name); item \(number) is not among them. Check the item number (the items are from a transcription, not yet compared with the official text).",
                               evidence: evidence)
            }
            itemPosition = found
        }
        guard let position = itemPosition, case let item = items.all[position], let text = item.text else {
            return finding(.review, zh: "《鼓励外商投资产业目录（\(editionName)年版）》\(catalogueLabel.zhText)第 \(number) 条的条文未载入规则数据，无法核对项目是否属于该条。请对照官方目录人工核对（或由工作人员按 rules/README.md 导入该目录条目）。",
                           en: "The text of item \(number) of the \(editionName) \(catalogueLabel.enText) is not loaded (item text not loaded; verify against the official catalogue), so whether the project falls under it cannot be checked. Verify by hand, or have staff import the catalogue (rules/README.md).",
                           evidence: claimEvidence)
        }
        let clause = edition.clause(of: item)
        let quoted = Localized(zh: "《\(edition.title)》\(clause)“\(text)”", en: "\(clause) of 《\(edition.title)》 (“\(text)”)")
        if item.codes.isEmpty, item.keywords.isEmpty, let textPosition = items.textPositions[position] {
            return compare(claimed: item, at: textPosition, in: target, quoted: quoted, claimEvidence: claimEvidence, request: request)
        }
        guard let match = CatalogueMatch.match(application, codes: item.codes, keywords: items.keywords[item.key] ?? KeywordMatcher(item.keywords)),
              match.isMatch else {
            guard item.textStatus.isDecisive else {
                let unmatchable = item.codes.isEmpty && item.keywords.isEmpty
                return finding(.review, zh: unmatchable
                                   ? "申报的是\(quoted.zhText)（\(item.textStatus.noteZh)）。该条目尚无可供比对的行业代码或关键词，请人工核对项目是否属于该条。"
                                   : "项目的行业代码和名称、经营范围、产品均不符合\(quoted.zhText)，但\(item.textStatus.noteZh)，请人工核对。",
                               en: unmatchable
                                   ? "The claimed item is \(quoted.enText) (\(item.textStatus.noteEn)). It has no industry codes or keywords to compare with yet; check by hand whether the project falls under it."
                                   : "Neither the project's industry codes nor its name, business scope or products match \(quoted.enText), but \(item.textStatus.noteEn); check by hand.",
                               evidence: claimEvidence + application.industryCodes.map { .value($0) }, citations: [item.citationID])
            }
            return finding(.fail, zh: "项目的行业代码和名称、经营范围、产品均不符合申报的\(quoted.zhText)，不能享受鼓励类项目政策。请核对申报的条目，或更正行业代码和经营范围。",
                           en: "Neither the project's industry codes nor its name, business scope or products match the claimed \(quoted.enText); the encouraged-project benefits do not apply. Check the claimed item, or correct the industry code and business scope.",
                           evidence: claimEvidence + application.industryCodes.map { .value($0) }, citations: [item.citationID])
        }
        guard match.isDecisive else {
            return finding(.review, zh: "项目与申报的\(quoted.zhText)部分相符：\(match.explanation.zhText)。请人工确认。",
                           en: "The project partly matches the claimed \(quoted.enText): \(match.explanation.enText). Confirm by hand.",
                           evidence: claimEvidence + match.evidence, citations: [item.citationID])
        }
        let status = Self.statusSentence(item.textStatus)
        return finding(.pass, zh: "项目符合申报的\(quoted.zhText)：\(match.explanation.zhText)。\(status.zhText)属鼓励类外商投资项目，可按规定享受鼓励类项目优惠政策（如用地集约的优先供地）。",
                       en: "The project matches the claimed \(quoted.enText): \(match.explanation.enText). \(status.enText)It is an encouraged foreign-investment project and may receive the benefits of encouraged projects (e.g. priority land supply where land use is intensive).",
                       evidence: claimEvidence + match.evidence, citations: [item.citationID])
    }

    /// A sentence saying the matched wording is not verified, or nothing when it is.
    static func statusSentence(_ status: TextStatus) -> Localized {
        status.isDecisive ? Localized(zh: "", en: "")
            : Localized(zh: "（该条目\(status.noteZh)，如有出入以官方目录为准。）", en: "(For this item \(status.noteEn); the official catalogue prevails.) ")
    }

    /// A claimed item with text but no codes or keywords of its own (a transcription): the
    /// project's industry against the sector the item's heading names, and the project's words
    /// against the item's (``ItemTermIndex``). Both → pass; one → review; neither → the claim is
    /// unrelated: fail on verbatim text, review on any other.
    func compare(claimed item: CatalogueItem, at position: Int, in target: CatalogueEdition, quoted: Localized,
                 claimEvidence: [Evidence], request: Request) -> Finding {
        let application = request.application
        let texts = application.describingTexts
        let keys = ItemTermIndex.keys(of: texts)
        let shared = target.items.terms.shared(item: position, text: item.text!, with: keys)
        let sector = target.items.textItems[position].sector
        let sectorCode = sector.flatMap { sector in application.industryCodes.first { sector.contains($0) } }
        let sectorName = (item.subsection ?? item.section).map { "“\($0)”" } ?? ""
        let sectorLabel = Localized(zh: "该条目所在的\(sectorName)（\(sector?.code ?? "行业未知")）", en: "the item's sector \(sectorName) (\(sector?.code ?? "unknown"))")
        let words = shared.words.map { "“\($0)”" }.joined(separator: "")
        let codes = application.industryCodes.compactMap(\.string).joined(separator: ", ")
        var evidence = claimEvidence
        if let sectorCode { evidence.append(.value(sectorCode)) } else { evidence += application.industryCodes.map { .value($0) } }
        evidence += texts.filter { node in shared.words.contains { node.string?.contains($0) == true } }.map { .value($0) }
        let status = Self.statusSentence(item.textStatus)

        if let excluded = shared.excludedWords.first {
            return finding(.review, zh: "项目用语“\(excluded.word)”见于申报的\(quoted.zhText)的除外部分“\(excluded.exclusion)”，项目可能正属该条目不包括的情形。请人工核对。",
                           en: "The project's words “\(excluded.word)” occur in the exclusion “\(excluded.exclusion)” of the claimed \(quoted.enText): the project may be just what the item leaves out. Check by hand.",
                           evidence: evidence + texts.filter { $0.string?.contains(excluded.word) == true }.map { .value($0) }, citations: [item.citationID])
        }
        if sector == nil {
            // No heading names the item's sector (a regional catalogue lists items by province):
            // the words alone decide, by the same measure.
            if shared.sharesThings {
                return finding(.pass, zh: "项目符合申报的\(quoted.zhText)：项目名称、经营范围或产品与条目共有\(words)（该条目未标明所属行业，仅按用语比对）。\(status.zhText)属鼓励类外商投资项目，可按规定享受鼓励类项目优惠政策。",
                               en: "The project matches the claimed \(quoted.enText): its name, business scope or products share \(words) with the item (the item names no sector, so only the words were compared). \(status.enText)It is an encouraged foreign-investment project and may receive the benefits of encouraged projects.",
                               evidence: evidence, citations: [item.citationID])
            }
            if shared.sharesThing {
                return finding(.review, zh: "项目与申报的\(quoted.zhText)部分相符：项目名称、经营范围和产品与条目只共有\(words)，不足以认定（该条目未标明所属行业）。请人工核对项目是否属于该条。",
                               en: "The project partly matches the claimed \(quoted.enText): its name, business scope and products share only \(words) with the item, too little to decide (the item names no sector). Check by hand whether the project falls under it.",
                               evidence: evidence, citations: [item.citationID])
            }
            return unrelated(item, quoted: quoted, evidence: evidence, hint: nil, mismatch: Localized(
                zh: "项目名称、经营范围和产品中未见该条目所列的产品或技术（该条目未标明所属行业）",
                en: "its name, business scope and products name none of the item's products or techniques (the item names no sector)"))
        }
        switch (sectorCode, shared.sharesThings) {
        case let (code?, true):
            return finding(.pass, zh: "项目符合申报的\(quoted.zhText)：行业代码 \(code.string ?? "") 属于\(sectorLabel.zhText)，项目名称、经营范围或产品与条目共有\(words)。\(status.zhText)属鼓励类外商投资项目，可按规定享受鼓励类项目优惠政策（如用地集约的优先供地）。",
                           en: "The project matches the claimed \(quoted.enText): industry code \(code.string ?? "") lies in \(sectorLabel.enText), and the project's name, business scope or products share \(words) with the item. \(status.enText)It is an encouraged foreign-investment project and may receive the benefits of encouraged projects (e.g. priority land supply where land use is intensive).",
                           evidence: evidence, citations: [item.citationID])
        case let (code?, false):
            let found = shared.sharesThing
                ? Localized(zh: "但项目名称、经营范围和产品与条目只共有\(words)，不足以认定", en: "but the project's name, business scope and products share only \(words) with the item, too little to decide")
                : Localized(zh: "但项目名称、经营范围和产品中未见该条目所列的产品或技术", en: "but the project's name, business scope and products name none of the item's products or techniques")
            return finding(.review, zh: "项目与申报的\(quoted.zhText)部分相符：行业代码 \(code.string ?? "") 属于\(sectorLabel.zhText)，\(found.zhText)。请人工核对项目是否属于该条。",
                           en: "The project partly matches the claimed \(quoted.enText): industry code \(code.string ?? "") lies in \(sectorLabel.enText), \(found.enText). Check by hand whether the project falls under it.",
                           evidence: evidence, citations: [item.citationID])
        case (nil, _) where shared.sharesThing:
            return finding(.review, zh: "项目与申报的\(quoted.zhText)部分相符：项目名称、经营范围或产品与条目共有\(words)，但行业代码（\(codes)）不在\(sectorLabel.zhText)。请人工核对项目是否属于该条，或更正行业代码。",
                           en: "The project partly matches the claimed \(quoted.enText): its name, business scope or products share \(words) with the item, but its industry codes (\(codes)) are outside \(sectorLabel.enText). Check by hand whether the project falls under it, or correct the industry code.",
                           evidence: evidence, citations: [item.citationID])
        case (nil, _):
            return unrelated(item, quoted: quoted, evidence: evidence,
                             hint: suggestions(for: application, keys: keys, on: request.asOf) ?? Localized(zh: "", en: ""), mismatch: Localized(
                zh: "行业代码（\(codes)）不在\(sectorLabel.zhText)，项目名称、经营范围和产品中也未见该条目所列的产品或技术",
                en: "its industry codes (\(codes)) are outside \(sectorLabel.enText), and its name, business scope and products name none of the item's products or techniques"))
        }
    }

    /// A claim clearly unrelated to its item (`mismatch` says how): fail on verbatim text,
    /// review on any other; `hint` (the closest items) ends the message when given.
    func unrelated(_ item: CatalogueItem, quoted: Localized, evidence: [Evidence], hint: Localized?, mismatch: Localized) -> Finding {
        let hintZh = hint?.zhText ?? "", hintEn = hint.map { " \($0.enText)" } ?? ""
        guard item.textStatus.isDecisive else {
            return finding(.review, zh: "项目与申报的\(quoted.zhText)明显不符：\(mismatch.zhText)。但该条目\(item.textStatus.noteZh)，不能据此认定不符，请人工核对，或改报相符的条目。\(hintZh)",
                           en: "The project does not match the claimed \(quoted.enText): \(mismatch.enText). But for this item \(item.textStatus.noteEn), which cannot ground a failure: check by hand, or claim an item that fits.\(hintEn)",
                           evidence: evidence, citations: [item.citationID])
        }
        return finding(.fail, zh: "项目与申报的\(quoted.zhText)不符：\(mismatch.zhText)，不能享受鼓励类项目政策。请核对申报的条目。\(hintZh)",
                       en: "The project does not match the claimed \(quoted.enText): \(mismatch.enText); the encouraged-project benefits do not apply. Check the claimed item.\(hintEn)",
                       evidence: evidence, citations: [item.citationID])
    }

    /// How a suggested item fits, in words.
    static func fit(_ ranked: ItemTermIndex.Ranked) -> Localized {
        switch (ranked.sameSector, ranked.sharesThing) {
        case (true, true): Localized(zh: "行业和产品均相符", en: "sector and product match")
        case (false, true): Localized(zh: "产品相符，行业不同", en: "product matches, other sector")
        default: Localized(zh: "仅行业相符", en: "sector only")
        }
    }

    /// The (at most five) national items of the edition in force on `day` whose text best fits
    /// the project (SPEC §5.2: so an applicant learns which item to claim), as a sentence; empty
    /// when no item text is loaded or none fits.
    func suggestions(for application: Application, keys known: [ItemTerms.Key]? = nil, on day: Day) -> Localized? {
        // (The project's terms are made only when there are items to compare them with.)
        guard let national = catalogues.first(where: { $0.catalogue == "national" && $0.edition.effective.contains(day) }),
              case let items = national.items, items.holdsTexts else { return nil }
        let keys = known ?? ItemTermIndex.keys(of: application.describingTexts)
        guard !keys.isEmpty else { return nil }
        // (The project's sectors once, not its codes read again for each item ranked.)
        let projectSectors = application.industryCodes.compactMap(ItemSector.init(industryCode:))
        let ranked = items.terms.rank(keys, limit: 5) { position in
            guard let sector = items.textItems[position].sector else { return false }
            return projectSectors.contains { sector.contains($0) }
        }
        guard !ranked.isEmpty else { return nil }
        // (Each language's words are made only if it is asked for: the `Localized` autoclosures.)
        var entries: [(clause: String, text: String, fit: Localized)] = []
        var statuses: [TextStatus] = []
        for entry in ranked {
            let item = items.textItems[entry.item].item
            entries.append((national.edition.clause(of: item), items.shortTexts[entry.item], Self.fit(entry)))
            if !statuses.contains(item.textStatus) { statuses.append(item.textStatus) }
        }
        let notes = statuses.filter { !$0.isDecisive }
        return Localized(
            zh: "按项目名称、经营范围、产品和行业，现行\(national.name)年版全国目录中较接近的条目有：\(entries.map { "\($0.clause)“\($0.text)”（\($0.fit.zhText)）" }.joined(separator: "；"))。\(notes.isEmpty ? "" : "（以上条目\(notes.map(\.noteZh).joined(separator: "；"))。）")",
            en: "By the project's name, business scope, products and industry, the closest items of the \(national.name) national catalogue in force are \(entries.map { "\($0.clause) “\($0.text)” (\($0.fit.enText))" }.joined(separator: "; ")).\(notes.isEmpty ? "" : " (For these items \(notes.map(\.noteEn).joined(separator: "; ")).)")")
    }

    func noClaim(_ application: Application, on day: Day) -> Finding {
        let base = noClaimWithoutSuggestions(application)
        let hint = suggestions(for: application, on: day)
        guard let hint else { return base }
        return Finding(rule: base.rule, verdict: base.verdict,
                       message: Localized(zh: "\(base.message.zhText)\(hint.zhText)", en: "\(base.message.enText) \(hint.enText)"),
                       evidence: base.evidence, citations: base.citations)
    }

    func noClaimWithoutSuggestions(_ application: Application) -> Finding {
        let claimed = application.claims?["encouragedItem"]
        var evidence: [Evidence] = []
        evidence.reserveCapacity(2)
        evidence.append(claimed.map { .value($0) } ?? .absent("$.claims.encouragedItem"))
        for code in application.industryCodes {
            guard let sector = seedSectors.first(of: code, overlapping: true), let text = code.string else { continue }
            evidence.append(.value(code))
            return Finding(rule: "encouraged-catalogue/claim", verdict: .notApplicable, message: Localized(
                zh: "未申报鼓励类条目。提示：项目行业 \(text) 属于国办发〔2012〕32号鼓励外资投向的“\(sector.name.zhText)”领域，可对照现行《鼓励外商投资产业目录》的全国目录核对是否有适用条目。",
                en: "No encouraged-catalogue item is claimed. Hint: the project's industry \(text) is in a sector 国办发〔2012〕32号 encourages foreign investment in (\(sector.name.enText)); check the current national catalogue for an item that applies."),
                evidence: evidence, citations: [Self.seedEncourage])
        }
        return Finding(rule: "encouraged-catalogue/claim", verdict: .notApplicable, message: Localized(
            zh: "未申报鼓励类条目，本规则不适用。", en: "No encouraged-catalogue item is claimed; the rule does not apply."),
            evidence: evidence, citations: [Self.guangdongPolicy])
    }
}
