import CheckAPI

/// One catalogue (全国目录 or 地区目录) of one edition of the encouraged catalogue.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
final class CatalogueEdition: Sendable {
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
    let keywords: [String: KeywordMatcher]

    init(_ edition: Edition, root: JSONNode) throws(JSONFieldError) {
        self.edition = edition
        name = try root.required("editionName").asNonEmptyString()
        catalogue = try root.required("catalogue").asNonEmptyString()
        let coverage = root.optional("coverage")
        coversGuangdong = try coverage?.required("guangdong").asBool()
        coverageBasis = try coverage?.required("basis").asString()
        coverageRegions = try coverage?.optional("regions")?.asString()
        coverageCitations = try root.optional("coverageCitations")?.asStrings() ?? []
        let statuses = try (root.optional("citations")?.asArray() ?? []).map { node throws(JSONFieldError) in try Citation(node) }
        coverageVerified = !coverageCitations.isEmpty && coverageCitations.allSatisfy { id in statuses.contains { $0.id == id && $0.textStatus.isDecisive } }
        keywords = Dictionary(uniqueKeysWithValues: edition.items.map { ($0.key, KeywordMatcher($0.keywords)) })
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
struct EncouragedCataloguePlugin: RulePlugin {
    static let landPriority = "guobanfa-2012-32-3-12-land"
    static let guangdongPolicy = "yuefuban-2013-31-1-1-2"
    static let seedEncourage = "guobanfa-2012-32-2-4-encourage"

    static let description = PluginDescription(
        id: "encouraged-catalogue", version: "1.0.0",
        title: Localized(zh: "鼓励外商投资产业目录", en: "Catalogue of industries for encouraged foreign investment"),
        datasets: ["encouraged-catalogue"],
        rules: [
            RuleDescription(
                id: "encouraged-catalogue/claim",
                title: Localized(zh: "鼓励类条目申报", en: "Claimed encouraged item"),
                description: Localized(
                    zh: "申报鼓励类条目时：所称版本在申请日期未生效、条目序号超过该目录条目数为不通过；广东项目申报地区目录条目，适用地区经目录原文核实的为不通过，仅据报道的为需人工审核；条目原文已载入时按行业代码和关键词核对（通过或不通过）；未载入时需人工审核。未申报条目为不适用，所属行业为国办发〔2012〕32号鼓励方向的给出提示。",
                    en: "For a claimed item: fail if the edition was not in force on the as-of date or the item number exceeds the catalogue's count; a Guangdong project claiming a regional item fails where the catalogue's own words show Guangdong is not covered, and is review where only reports say so; with the item's text loaded, check the project's industry codes and keywords against it (pass or fail); without it, review. No claim: not applicable, with a hint when the sector is one 国办发〔2012〕32号 encourages."),
                citations: [landPriority, guangdongPolicy]),
        ])

    let catalogues: [CatalogueEdition]
    let seedSectors: IndustryCodeGroups<SeedSector>

    init(ruleData: RuleDataFiles) throws {
        var catalogues: [CatalogueEdition] = []
        for file in ruleData.files(in: "encouraged-catalogue", kind: "edition") {
            let edition = try Edition(file.root, dataset: "encouraged-catalogue", file: file.path)
            do {
                catalogues.append(try CatalogueEdition(edition, root: file.root))
            } catch {
                throw RuleDataError(file: file.path, error)
            }
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

    func evaluate(_ request: Request, into findings: inout Findings) throws {
        guard let claim = request.application.claims?.optional("encouragedItem") else {
            findings.report(noClaim(request.application))
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
        guard let item = edition.item(String(number)), let text = item.text else {
            return finding(.review, zh: "《鼓励外商投资产业目录（\(editionName)年版）》\(catalogueLabel.zhText)第 \(number) 条的条文未载入规则数据，无法核对项目是否属于该条。请对照官方目录人工核对（或由工作人员按 rules/README.md 导入该目录条目）。",
                           en: "The text of item \(number) of the \(editionName) \(catalogueLabel.enText) is not loaded (item text not loaded; verify against the official catalogue), so whether the project falls under it cannot be checked. Verify by hand, or have staff import the catalogue (rules/README.md).",
                           evidence: claimEvidence)
        }
        let clause = edition.clause(of: item)
        let quoted = Localized(zh: "《\(edition.title)》\(clause)“\(text)”", en: "\(clause) of 《\(edition.title)》 (“\(text)”)")
        guard let match = CatalogueMatch.match(application, codes: item.codes, keywords: target.keywords[item.key] ?? KeywordMatcher(item.keywords)),
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
        guard match.isDecisive, item.textStatus.isDecisive else {
            return finding(.review, zh: "项目与申报的\(quoted.zhText)部分相符：\(match.explanation.zhText)。请人工确认。",
                           en: "The project partly matches the claimed \(quoted.enText): \(match.explanation.enText). Confirm by hand.",
                           evidence: claimEvidence + match.evidence, citations: [item.citationID])
        }
        return finding(.pass, zh: "项目符合申报的\(quoted.zhText)：\(match.explanation.zhText)。属鼓励类外商投资项目，可按规定享受鼓励类项目优惠政策（如用地集约的优先供地）。",
                       en: "The project matches the claimed \(quoted.enText): \(match.explanation.enText). It is an encouraged foreign-investment project and may receive the benefits of encouraged projects (e.g. priority land supply where land use is intensive).",
                       evidence: claimEvidence + match.evidence, citations: [item.citationID])
    }

    func noClaim(_ application: Application) -> Finding {
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

@_cdecl("check_plugin_entry") public func entry() -> UnsafeRawPointer { exportPlugin(EncouragedCataloguePlugin.self) }
