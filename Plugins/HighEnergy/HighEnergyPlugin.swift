import CheckAPI

/// A group of GB/T codes with a name: a 高耗能 division or a 两高 category.
final class SectorGroup: Sendable {
    let name: String
    let codes: [String]
    /// For a 两高 category whose codes cover more than the category (化工 is 25 products within
    /// C26): what the category really is, "中文 / English". A code match then means "may be
    /// 两高", never more than `review` (SPEC §5.3).
    let partOf: Localized?

    init(name: String, codes: [String], partOf: String? = nil) {
        self.name = name
        self.codes = codes
        self.partOf = partOf.map { text in
            let parts = text.split(separator: " / ", maxSplits: 1).map(String.init)
            return Localized(zh: MessageText(parts[0]), en: MessageText(parts.count > 1 ? parts[1] : parts[0]))
        }
    }
}

/// The thresholds of one edition of the energy-review measures.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
final class EnergyReviewEdition: Sendable {
    let edition: Edition
    /// At or above: provincial review (nil if the edition's thresholds were not read).
    let provincialTce: DecimalNumber?
    let provincialCitation: String?
    /// Below both: no separate review; either at or above it: a review is required.
    let exemptTce: DecimalNumber?
    let exemptKwh: DecimalNumber?
    let exemptCitation: String?
    let approvalCitation: String?
    let citations: [String]

    init(_ edition: Edition, root: JSONNode) throws(JSONFieldError) {
        self.edition = edition
        let thresholds = root.optional("thresholds")
        let provincial = thresholds?.optional("provincialReview")
        provincialTce = try provincial.map { node throws(JSONFieldError) in try Threshold(try node.required("annualConsumptionTce")).value }
        provincialCitation = try provincial?.required("citation").asString()
        let exempt = thresholds?.optional("noSeparateReview")
        exemptTce = try exempt.map { node throws(JSONFieldError) in try Threshold(try node.required("annualConsumptionTce")).value }
        exemptKwh = try exempt.map { node throws(JSONFieldError) in try Threshold(try node.required("annualElectricityKwh")).value }
        exemptCitation = try exempt?.required("citation").asString()
        approvalCitation = try root.optional("approvalCitation")?.asString()
        citations = try (root.optional("citations")?.asArray() ?? []).map { node throws(JSONFieldError) in try node.required("id").asString() }
    }
}

/// `high-energy` — 高耗能、高污染项目限制 (SPEC §5.3).
/// An edition of the 产业结构调整指导目录, with what the plugin looks up in it.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
final class StructureEdition: Sendable {
    /// The edition's own fields (its items are decoded when first wanted: ``item(_:)``).
    let edition: Edition
    /// The ids of the clauses the edition's file holds.
    let citations: [String]
    /// Its 限制类 and 淘汰类 items with text: their positions in the edition's items, whether
    /// each is restricted (else eliminated), and the phrases each lists in one matcher (one scan
    /// of the project's texts).
    let listed: [(position: Int, restricted: Bool)]
    let matcher: PhraseMatcher
    /// What a project naming none of the listed items is cleared under.
    let clearance: [String]
    /// The items, decoded when an application first names one: every application is searched
    /// for the phrases, few name one, and the catalogue has a thousand items.
    private let deferred: DeferredEdition

    /// The edition in `root`: its header decoded, its items read for the matcher's phrases.
    init(root: JSONNode, file: String, seed: String) throws(RuleDataError) {
        deferred = try DeferredEdition(root, dataset: "high-energy", file: file)
        edition = deferred.edition
        do {
            citations = try (root.optional("citations")?.asArray() ?? []).map { node throws(JSONFieldError) in try node.required("id").asString() }
        } catch {
            throw RuleDataError(file: file, error)
        }
        // Only the fields the matcher needs, read from the item objects (`category`, `text`,
        // `keywords` or else `phrases`), as `CatalogueItem` holds them.
        var listed: [(position: Int, restricted: Bool)] = [], phrases: [[String]] = []
        for (position, item) in (root["items"]?.children ?? JSONChildren.empty).enumerated() {
            let category = item["category"]?.stringBytes ?? UnsafeBufferPointer(start: nil, count: 0)
            let restricted = JSONNode.bytes(category, are: "restricted")
            guard restricted || JSONNode.bytes(category, are: "eliminated"), item["text"]?.kind == .string else { continue }
            let keywords = item["keywords"]?.children.compactMap(\.string) ?? []
            listed.append((position, restricted))
            phrases.append(keywords.isEmpty ? item["phrases"]?.children.compactMap(\.string) ?? [] : keywords)
        }
        self.listed = listed
        matcher = PhraseMatcher(phrases)
        clearance = citations.filter { $0.hasSuffix("-restricted") } + [seed]
    }

    /// Item `position` of the edition.
    func item(_ position: Int) -> CatalogueItem { deferred.items[position] }
}

public struct HighEnergyPlugin: RulePlugin {
    static let seedRestrict = "guobanfa-2012-32-2-4-restrict"
    static let seedProducts = "guobanfa-2006-42-4"

    public static let description = PluginDescription(
        id: "high-energy", version: "1.0.0",
        title: Localized(zh: "高耗能、高污染项目限制", en: "Restriction of energy-intensive and polluting projects"),
        datasets: ["high-energy"],
        rules: [
            RuleDescription(
                id: "high-energy/sector",
                title: Localized(zh: "高耗能行业与“两高”项目", en: "Energy-intensive sectors and 两高 projects"),
                description: Localized(
                    zh: "项目行业属于六个高耗能行业（C25、C26、C30、C31、C32、D44）或六类“两高”项目（煤电、石化、化工、钢铁、有色金属冶炼、建材）时需人工审核（严格限制，须经省级论证）；否则不适用。",
                    en: "Review (strictly restricted: provincial assessment needed) when the project is in one of the six energy-intensive divisions (C25, C26, C30, C31, C32, D44) or the six 两高 categories (coal power, petrochemicals, chemicals, steel, non-ferrous smelting, building materials); otherwise not applicable."),
                citations: [seedRestrict, seedProducts]),
            RuleDescription(
                id: "high-energy/energy-review",
                title: Localized(zh: "节能审查", en: "Energy-conservation review"),
                description: Localized(
                    zh: "年综合能源消费量不满1000吨标准煤且年用电量不满500万千瓦时的项目不再单独节能审查（通过）；其他项目须经节能审查（10000吨标准煤及以上由省级审查）：已通过为通过，未通过为不通过（未经审查不得开工），未申报为需人工审核。",
                    en: "Projects under 1,000 tce and 5,000,000 kWh a year need no separate energy review (pass); others need one (provincial from 10,000 tce): approved passes, not approved fails (no construction before approval), not declared is review."),
                citations: [seedRestrict]),
            RuleDescription(
                id: "high-energy/efficiency",
                title: Localized(zh: "“两高”项目能效水平", en: "Energy efficiency of 两高 projects"),
                description: Localized(
                    zh: "新建“两高”项目能效低于基准水平为不通过（参照限制类管理，禁止投资）；达到基准但未达标杆水平、改扩建项目或未申报能效为需人工审核；达到标杆水平为通过；非“两高”项目不适用。",
                    en: "A new 两高 project below the efficiency baseline fails (managed as restricted: no new investment); between baseline and benchmark, expansions, or undeclared efficiency is review; at benchmark passes; not applicable outside 两高."),
                citations: [seedRestrict]),
            RuleDescription(
                id: "high-energy/industry-structure",
                title: Localized(zh: "产业结构调整指导目录限制类、淘汰类条目", en: "Restricted and eliminated items of the industry-structure catalogue"),
                description: Localized(
                    zh: "载入《产业结构调整指导目录》条文时，项目名称、经营范围或产品含限制类条目（新建项目）或淘汰类条目所列的产品、工艺时需人工审核，并引述该条目（条目据转录本时不作不通过结论；规模、工艺参数须人工核对）；未见或未载入条文时不适用。",
                    en: "With the industry-structure catalogue's items loaded: review, quoting the item, when the project's name, business scope or products contain a product or process listed in a restricted item (new projects) or an eliminated item (never fail on transcribed text; capacities and process details are checked by hand); otherwise, or with no items loaded, not applicable."),
                citations: [seedRestrict]),
        ])

    let divisions: IndustryCodeGroups<SectorGroup>
    let divisionCitations: [String]
    let categories: IndustryCodeGroups<SectorGroup>
    let categoryCitations: [String]
    /// The clauses a project outside every division and category is cleared under (made once:
    /// most applications get this finding).
    let outsideCitations: [String]
    let energyReview: [EnergyReviewEdition]
    /// Editions of the industry-structure catalogue.
    let structure: [StructureEdition]

    public init(ruleData: RuleDataFiles) throws {
        var divisions: [SectorGroup] = [], categories: [SectorGroup] = []
        var divisionCitations: [String] = [], categoryCitations: [String] = []
        var energyReview: [EnergyReviewEdition] = []
        var structure: [StructureEdition] = []
        for file in ruleData.files.filter({ $0.dataset == "high-energy" }) {
            do {
                if file.root["kind"]?.string == "table", file.root["id"]?.string == "sectors" {
                    let divisionNode = try file.root.required("energyIntensiveDivisions")
                    divisionCitations = try divisionNode.required("citations").asStrings()
                    for node in try divisionNode.required("divisions").asArray() {
                        divisions.append(SectorGroup(name: try node.required("name").asString(), codes: try node.required("codes").asStrings()))
                    }
                    let categoryNode = try file.root.required("lianggaoCategories")
                    categoryCitations = try categoryNode.required("citations").asStrings()
                    for node in try categoryNode.required("categories").asArray() {
                        categories.append(SectorGroup(name: try node.required("name").asString(), codes: try node.required("codes").asStrings(),
                                                      partOf: try node.optional("partOf")?.asNonEmptyString()))
                    }
                } else if file.root["kind"]?.string == "edition" {
                    switch file.root["series"]?.string {
                    case "energy-review":
                        let edition = try Edition(file.root, dataset: "high-energy", file: file.path)
                        energyReview.append(try EnergyReviewEdition(edition, root: file.root))
                    case "industry-structure":
                        structure.append(try StructureEdition(root: file.root, file: file.path, seed: Self.seedRestrict))
                    default:
                        _ = try Edition(file.root, dataset: "high-energy", file: file.path)
                    }
                }
            } catch let error as JSONFieldError {
                throw RuleDataError(file: file.path, error)
            }
        }
        guard !divisions.isEmpty, !categories.isEmpty else {
            throw RuleDataError(file: "high-energy/sectors.json", field: "$", problem: "the 高耗能 divisions and 两高 categories are required")
        }
        self.divisions = IndustryCodeGroups(divisions, codes: \.codes)
        self.categories = IndustryCodeGroups(categories, codes: \.codes)
        (self.divisionCitations, self.categoryCitations) = (divisionCitations, categoryCitations)
        outsideCitations = [Self.seedRestrict] + divisionCitations + categoryCitations
        self.energyReview = energyReview
        self.structure = structure
    }

    public func evaluate(_ request: Request, into findings: inout Findings) throws {
        let application = request.application
        let division = firstMatch(application, in: divisions)
        let category = firstMatch(application, in: categories)
        findings.report(sectorFinding(division: division, category: category, application: application))
        findings.report(energyReviewFinding(request))
        findings.report(efficiencyFinding(category: category, request: request))
        findings.report(structureFinding(request))
    }

    /// SPEC §5.3: a project naming a product or process of a 限制类 item (new projects) or a
    /// 淘汰类 item → review quoting the item; fail only on verbatim text (and even then review:
    /// a phrase found says nothing of capacity or process, which decide most of these items).
    func structureFinding(_ request: Request) -> Finding {
        let application = request.application
        let withItems = structure.filter { !$0.listed.isEmpty }
        guard let catalogue = withItems.first(where: { $0.edition.effective.contains(request.asOf) }) else {
            // Loaded, but no edition in force that day (an application from before the 2024
            // edition): said so, not "not loaded".
            if let loaded = withItems.first {
                return Finding(rule: "high-energy/industry-structure", verdict: .notApplicable, message: Localized(
                    zh: "\(request.asOf) 没有生效的已载入《产业结构调整指导目录》版本（已载入的《\(loaded.edition.title)》\(loaded.edition.effective.from.map { "自 \($0) 起施行" } ?? "")），限制类、淘汰类条目未作比对，请按当日有效的版本人工核对。",
                    en: "No loaded edition of the industry-structure catalogue was in force on \(request.asOf) (the loaded 《\(loaded.edition.title)》\(loaded.edition.effective.from.map { " applies from \($0)" } ?? "")), so its restricted and eliminated items were not compared; check against the edition in force that day by hand."),
                    evidence: [.value(application.root["submittedOn"]!)], citations: [Self.seedRestrict])
            }
            return Finding(rule: "high-energy/industry-structure", verdict: .notApplicable, message: Localized(
                zh: "《产业结构调整指导目录》的限制类、淘汰类条目未载入规则数据，未作比对（工作人员可按 rules/README.md 导入）。",
                en: "The restricted and eliminated items of the industry-structure catalogue are not in the rule data, so they were not compared (staff can import them: rules/README.md)."),
                evidence: [], citations: [Self.seedRestrict])
        }
        let edition = catalogue.edition
        let isNew = application.project?["type"]?.string == "new"
        var hits: [(item: Int, phrase: String, text: JSONNode)] = []
        for hit in catalogue.matcher.hits(in: application.describingTexts) {
            let listed = catalogue.listed[hit.item]
            if listed.restricted && !isNew { continue }
            hits.append((listed.position, hit.phrase, hit.text))
        }
        guard !hits.isEmpty else {
            return Finding(rule: "high-energy/industry-structure", verdict: .notApplicable, message: Localized(
                zh: "项目名称、经营范围和产品中未见《\(edition.title)》限制类\(isNew ? "" : "（仅适用于新建项目）")、淘汰类条目所列的产品或工艺。",
                en: "The project's name, business scope and products name no product or process of a restricted\(isNew ? "" : " (new projects only)") or eliminated item of 《\(edition.title)》."),
                evidence: [], citations: catalogue.clearance)
        }
        // The words found and where, shortly (the items' full text is in the citations below).
        let shown = hits.prefix(3).map { (item: catalogue.item($0.item), phrase: $0.phrase) }
        func clause(_ item: CatalogueItem) -> String { edition.clause(of: item) }
        // (Each language's words are made only if it is asked for: the `Localized` autoclosures.)
        func zhItems() -> String {
            shown.enumerated().map { index, hit in "“\(hit.phrase)”见于" + (index == 0 ? "《\(edition.title)》" : "") + clause(hit.item) }.joined(separator: "；")
        }
        func enItems() -> String {
            shown.enumerated().map { index, hit in "“\(hit.phrase)” is listed in " + clause(hit.item) + (index == 0 ? " of 《\(edition.title)》" : "") }.joined(separator: "; ")
        }
        let more = hits.count > shown.count ? Localized(zh: "，另有 \(hits.count - shown.count) 条", en: ", and \(hits.count - shown.count) more items") : Localized(zh: "", en: "")
        let statuses = shown.map(\.item.textStatus).filter { !$0.isDecisive }
        let status = statuses.first.map { Localized(zh: "（条文见下，\($0.noteZh)）", en: " (the items' text is below; \($0.noteEn))") } ?? Localized(zh: "（条文见下）", en: " (the items' text is below)")
        var evidence: [Evidence] = []
        var paths: [String] = []
        for hit in hits where !paths.contains(hit.text.path) {
            paths.append(hit.text.path)
            evidence.append(.value(hit.text))
        }
        if let type = application.project?["type"] { evidence.append(.value(type)) }
        return Finding(rule: "high-energy/industry-structure", verdict: .review, message: Localized(
            zh: "项目名称、经营范围或产品中的\(zhItems())\(more.zhText)\(status.zhText)。限制类条目的新建项目禁止投资，淘汰类条目所列落后工艺装备、产品禁止投资；条目多以规模、工艺参数划线，请人工核对项目是否属于该条目（含条目中的除外情形）。",
            en: "In the project's name, business scope or products, \(enItems())\(more.enText)\(status.enText). New projects of a restricted item, and the outdated processes, equipment and products of an eliminated item, may not be invested in; most items draw the line at a capacity or process parameter, so check by hand whether the project falls under the item (including the item's exceptions)."),
            evidence: evidence, citations: shown.map(\.item.citationID) + [Self.seedRestrict])
    }

    /// The first of the project's industry codes inside one of `groups`, with that group.
    func firstMatch(_ application: Application, in groups: IndustryCodeGroups<SectorGroup>) -> (code: JSONNode, group: SectorGroup)? {
        for node in application.industryCodes {
            if let group = groups.first(of: node) { return (node, group) }
        }
        return nil
    }

    func sectorFinding(division: (code: JSONNode, group: SectorGroup)?, category: (code: JSONNode, group: SectorGroup)?, application: Application) -> Finding {
        guard division != nil || category != nil else {
            return Finding(rule: "high-energy/sector", verdict: .notApplicable, message: Localized(
                zh: "项目行业（\(application.industryCodes, separator: ", ")）不属于高耗能行业或“两高”项目类别。",
                en: "The project's industries (\(application.industryCodes, separator: ", ")) are neither an energy-intensive division nor a 两高 category."),
                evidence: application.industryCodes.map { .value($0) }, citations: outsideCitations)
        }
        var evidence: [Evidence] = []
        var citations = [Self.seedRestrict, Self.seedProducts]
        var head: [Localized] = []
        if let division {
            head.append(Localized(zh: "行业 \(division.code) 属于高耗能行业“\(division.group.name)”", en: "industry \(division.code) is in the energy-intensive division “\(division.group.name)”"))
            evidence.append(.value(division.code))
            citations += divisionCitations
        }
        guard let category else {
            // An energy-intensive division, outside every 两高 category (wind, solar, hydro,
            // nuclear and biomass power; rolling of non-ferrous metals …): not restricted.
            let power = division?.group.codes.contains("D44") == true
                ? Localized(zh: "（电力行业中仅火力发电、热电联产属“两高”的煤电；水电、核电、风电、太阳能发电、生物质能发电不属“两高”）", en: " (in power generation only thermal power and CHP are coal power, a 两高 category; hydro, nuclear, wind, solar and biomass power are not)")
                : Localized(zh: "", en: "")
            return Finding(rule: "high-energy/sector", verdict: .pass, message: Localized(
                zh: "\(head.map(\.zhText).joined(separator: "，"))，但不属于“两高”项目类别\(power.zhText)，不按“两高”项目严格限制；项目能耗按节能审查的规定核对。",
                en: "\(head.map(\.enText).joined(separator: ", ")), but not in a 两高 category\(power.enText), so it is not restricted as a 两高 project; its energy use is checked under the energy-review rules."),
                evidence: evidence, citations: citations)
        }
        citations += categoryCitations
        if category.code.index == division?.code.index {
            head.append(Localized(zh: "也属于“两高”项目类别“\(category.group.name)”", en: "and in the 两高 category “\(category.group.name)”"))
        } else {
            head.append(Localized(zh: "行业 \(category.code) 属于“两高”项目类别“\(category.group.name)”", en: "industry \(category.code) is in the 两高 category “\(category.group.name)”"))
            evidence.append(.value(category.code))
        }
        let assessment = application.project?.optional("energy")?.optional("lianggaoAssessmentApproved")
        evidence.append(assessment.map { .value($0) } ?? .absent("$.project.energy.lianggaoAssessmentApproved"))
        let facts = Localized(zh: head.map(\.zhText).joined(separator: "，"), en: head.map(\.enText).joined(separator: ", "))
        if let partOf = category.group.partOf {
            // The category is only part of the code: the project may not be 两高 at all.
            if assessment?.bool == true {
                return Finding(rule: "high-energy/sector", verdict: .pass, message: Localized(
                    zh: "\(facts.zhText)（\(partOf.zhText)）；申报已完成省级论证。",
                    en: "\(facts.enText) (\(partOf.enText)); the provincial assessment is declared done."),
                    evidence: evidence, citations: citations)
            }
            return Finding(rule: "high-energy/sector", verdict: .review, message: Localized(
                zh: "\(facts.zhText)，但\(partOf.zhText)，仅凭行业代码不能认定为“两高”项目。请人工核对项目产品是否属于“两高”范围；属于的，须经省级有关部门论证后方可推进。",
                en: "\(facts.enText), but \(partOf.enText), so the industry code alone does not make it a 两高 project. Check by hand whether its products are within 两高; if they are, a provincial assessment is needed before it proceeds."),
                evidence: evidence, citations: citations)
        }
        switch assessment?.bool {
        case true?:
            return Finding(rule: "high-energy/sector", verdict: .pass, message: Localized(
                zh: "\(facts.zhText)。此类项目属严格限制的范围，须经省级有关部门论证；申报已完成论证。",
                en: "\(facts.enText). Such projects are strictly restricted and need a provincial assessment; it is declared done."),
                evidence: evidence, citations: citations)
        case false?:
            return Finding(rule: "high-energy/sector", verdict: .fail, message: Localized(
                zh: "\(facts.zhText)。此类项目属严格限制的范围，须经省级有关部门论证后方可推进；申报论证未通过。",
                en: "\(facts.enText). Such projects are strictly restricted and may proceed only after a provincial assessment; it is declared not passed."),
                evidence: evidence, citations: citations)
        case nil:
            return Finding(rule: "high-energy/sector", verdict: .review, message: Localized(
                zh: "\(facts.zhText)。此类项目属严格限制的范围，须经省级有关部门论证后方可推进；申请未申报论证结果，请附论证意见供人工审核。",
                en: "\(facts.enText). Such projects are strictly restricted and need a provincial assessment before they proceed; the application does not say whether it was done, so attach it for review."),
                evidence: evidence, citations: citations)
        }
    }

    func energyReviewFinding(_ request: Request) -> Finding {
        let application = request.application
        let energy = application.project?.optional("energy")
        let consumption = energy?.optional("annualConsumptionTce")
        let electricity = energy?.optional("annualElectricityKwh")
        let approved = energy?.optional("energyReviewApproved")
        // (Each array built in one allocation: this finding is made for every application.)
        let evidence: [Evidence] = [consumption.map { .value($0) } ?? .absent("$.project.energy.annualConsumptionTce"),
                                    electricity.map { .value($0) } ?? .absent("$.project.energy.annualElectricityKwh"),
                                    approved.map { .value($0) } ?? .absent("$.project.energy.energyReviewApproved")]
        func result(_ verdict: Verdict, _ zh: @autoclosure () -> MessageText, _ en: @autoclosure () -> MessageText, _ citations: [String?]) -> Finding {
            var ids: [String] = []
            ids.reserveCapacity(citations.count + 1)
            for case let id? in citations { ids.append(id) }
            ids.append(Self.seedRestrict)
            return Finding(rule: "high-energy/energy-review", verdict: verdict, message: Localized(zh: zh(), en: en()), evidence: evidence, citations: ids)
        }
        guard let edition = energyReview.first(where: { $0.edition.effective.contains(request.asOf) }) else {
            return result(.review, "\(request.asOf) 没有已载入的节能审查办法版本生效，请人工核对当时的节能审查要求。",
                          "No loaded edition of the energy-review measures was in force on \(request.asOf); check the requirements then in force by hand.", [])
        }
        let title = edition.edition.title
        guard let exemptTce = edition.exemptTce, let exemptKwh = edition.exemptKwh else {
            if approved?.bool == true {
                return result(.pass, "申报节能审查已通过（适用《\(title)》）。", "The energy review is declared approved (under 《\(title)》).", edition.citations)
            }
            return result(.review, "申请日期适用《\(title)》，其免于单独审查的门槛未载入规则数据；请人工核对本项目是否须经节能审查。",
                          "《\(title)》 applies on the as-of date, but its thresholds for exemption are not in the rule data; check by hand whether the project needs an energy review.",
                          edition.citations)
        }
        let tce = consumption?.decimal, kwh = electricity?.decimal
        // Either figure at or above its threshold requires a review by itself; both below
        // exempt the project; a figure that is missing decides only when the other one already
        // requires the review (SPEC §5.3).
        let tceRequires = tce.map { $0 >= exemptTce }, kwhRequires = kwh.map { $0 >= exemptKwh }
        if let tce, let kwh, tceRequires == false, kwhRequires == false {
            return result(.pass, "年综合能源消费量 \(tce.grouped) 吨标准煤（不满 \(exemptTce.grouped)）且年用电量 \(kwh.grouped) 千瓦时（不满 \(exemptKwh.grouped)），不再单独进行节能审查，按相关节能标准、规范建设即可。",
                          "Annual consumption \(tce.grouped) tce (under \(exemptTce.grouped)) and electricity \(kwh.grouped) kWh (under \(exemptKwh.grouped)): no separate energy review is needed; build to the relevant energy standards.",
                          [edition.exemptCitation])
        }
        guard tceRequires == true || kwhRequires == true else {
            // Nothing requires a review yet, and a figure is missing.
            switch (tce, kwh) {
            case (let tce?, nil):
                return result(.review, "年综合能源消费量 \(tce.grouped) 吨标准煤不满 \(exemptTce.grouped)，但未申报年用电量（$.project.energy.annualElectricityKwh）；用电量不满 \(exemptKwh.grouped) 千瓦时才免于单独节能审查，请补充。",
                              "Annual consumption \(tce.grouped) tce is under \(exemptTce.grouped), but the annual electricity use ($.project.energy.annualElectricityKwh) is not declared; the exemption also needs it under \(exemptKwh.grouped) kWh. Add it.",
                              [edition.exemptCitation])
            case (nil, let kwh?):
                return result(.review, "年用电量 \(kwh.grouped) 千瓦时不满 \(exemptKwh.grouped)，但未申报年综合能源消费量（$.project.energy.annualConsumptionTce）；能源消费量不满 \(exemptTce.grouped) 吨标准煤才免于单独节能审查，请补充。",
                              "Annual electricity \(kwh.grouped) kWh is under \(exemptKwh.grouped), but the annual energy consumption ($.project.energy.annualConsumptionTce) is not declared; the exemption also needs it under \(exemptTce.grouped) tce. Add it.",
                              [edition.exemptCitation])
            default:
                return result(.review, "申请未申报年综合能源消费量（$.project.energy.annualConsumptionTce）和年用电量（$.project.energy.annualElectricityKwh），无法判断是否须经节能审查；请补充。",
                              "The application declares neither its annual energy consumption ($.project.energy.annualConsumptionTce) nor its electricity use ($.project.energy.annualElectricityKwh), so whether an energy review is needed cannot be decided; add them.",
                              [edition.exemptCitation])
            }
        }
        var level = Localized(zh: "由省级节能审查机关确定的审查机关", en: "the authority the province designates")
        var levelCitation: String? = nil
        if let provincial = edition.provincialTce, let tce, tce >= provincial {
            level = Localized(zh: "省级节能审查机关（年综合能源消费量 \(provincial.grouped) 吨标准煤及以上；该门槛取自转载文本，有一处转载为5000吨）",
                              en: "the provincial energy-review authority (from \(provincial.grouped) tce a year; this threshold is from reprints, one of which says 5,000)")
            levelCitation = edition.provincialCitation
        }
        var usageParts: [Localized] = []
        if let tce { usageParts.append(Localized(zh: "年综合能源消费量 \(tce.grouped) 吨标准煤", en: "annual consumption \(tce.grouped) tce")) }
        if let kwh { usageParts.append(Localized(zh: "年用电量 \(kwh.grouped) 千瓦时", en: "electricity \(kwh.grouped) kWh")) }
        let usage = Localized(zh: usageParts.map(\.zhText).joined(separator: "、"), en: usageParts.map(\.enText).joined(separator: " and "))
        switch approved?.bool {
        case true?:
            return result(.pass, "\(usage.zhText)，须经节能审查（\(level.zhText)）；申报已通过。", "With \(usage.enText), an energy review is required (\(level.enText)); it is declared approved.",
                          [edition.exemptCitation, levelCitation])
        case false?:
            return result(.fail, "\(usage.zhText)，须经节能审查（\(level.zhText)）；申报未通过。未经节能审查或审查未通过的项目不得开工建设，已建成的不得投入生产、使用。取得节能审查意见后重新提交。",
                          "With \(usage.enText), an energy review is required (\(level.enText)); it is declared not approved. A project without an approved energy review may not start construction, nor, if built, operate. Resubmit once the review is approved.",
                          [edition.exemptCitation, levelCitation, edition.approvalCitation])
        case nil:
            return result(.review, "\(usage.zhText)，须经节能审查（\(level.zhText)）；申请未申报审查结果（$.project.energy.energyReviewApproved），请补充节能审查意见。",
                          "With \(usage.enText), an energy review is required (\(level.enText)); the application does not say whether it was approved ($.project.energy.energyReviewApproved). Add the review opinion.",
                          [edition.exemptCitation, levelCitation])
        }
    }

    func efficiencyFinding(category: (code: JSONNode, group: SectorGroup)?, request: Request) -> Finding {
        let application = request.application
        guard let category else {
            return Finding(rule: "high-energy/efficiency", verdict: .notApplicable, message: Localized(
                zh: "项目不属于“两高”项目类别，能效水平要求不适用。", en: "The project is not in a 两高 category; the efficiency requirement does not apply."),
                evidence: application.industryCodes.map { .value($0) }, citations: categoryCitations)
        }
        let level = application.project?.optional("energy")?.optional("efficiencyLevel")
        let type = application.project?["type"]
        var evidence: [Evidence] = [.value(category.code), level.map { .value($0) } ?? .absent("$.project.energy.efficiencyLevel")]
        if let type { evidence.append(.value(type)) }
        let head = Localized(zh: "项目属于“两高”项目类别“\(category.group.name)”", en: "The project is in the 两高 category “\(category.group.name)”")
        guard let catalogue = structure.first(where: { $0.edition.effective.contains(request.asOf) }) else {
            return Finding(rule: "high-energy/efficiency", verdict: .review, message: Localized(
                zh: "\(head.zhText)；\(request.asOf) 没有已载入的产业结构调整指导目录版本生效，请人工核对能效要求。",
                en: "\(head.enText); no loaded edition of the industry-structure catalogue was in force on \(request.asOf); check the efficiency requirement by hand."),
                evidence: evidence, citations: [Self.seedRestrict])
        }
        let (edition, citations) = (catalogue.edition, catalogue.citations + [Self.seedRestrict])
        let isNew = type?.string == "new"
        if let partOf = category.group.partOf, level?.string == "below-baseline" || level?.string == "baseline" {
            // Only part of the code is 两高: the efficiency rule of 两高 projects may not apply.
            return Finding(rule: "high-energy/efficiency", verdict: .review, message: Localized(
                zh: "\(head.zhText)，但\(partOf.zhText)；申报能效未达标杆水平。如项目产品属于“两高”范围，能效未达标杆水平的新建项目参照限制类管理，请人工核对。",
                en: "\(head.enText), but \(partOf.enText); its efficiency is declared below the benchmark. If its products are within 两高, a new project below the benchmark is managed as restricted; check by hand."),
                evidence: evidence, citations: citations)
        }
        switch level?.string {
        case "below-baseline"? where isNew:
            return Finding(rule: "high-energy/efficiency", verdict: .fail, message: Localized(
                zh: "\(head.zhText)，为新建项目，申报能效低于基准水平。按《\(edition.title)》，能效未达标杆水平的新建项目参照限制类管理，限制类新建项目禁止投资。须提高能效设计后重新申报。",
                en: "\(head.enText), a new project, with efficiency declared below the baseline. Under 《\(edition.title)》 new projects below the benchmark are managed as restricted, and new restricted projects may not be invested in. Raise the design efficiency and resubmit."),
                evidence: evidence, citations: citations)
        case "below-baseline"?, "baseline"?:
            let why = isNew
                ? Localized(zh: "申报能效达到基准水平但未达标杆水平；所读条文称能效未达标杆水平的新建项目参照限制类管理，请人工核对", en: "efficiency is declared at the baseline but not the benchmark; the wording read says new projects below the benchmark are managed as restricted, so check by hand")
                : Localized(zh: "非新建项目（\(type?.string ?? "")）能效未达标杆水平；现有产能允许限期改造升级，请人工核对改造要求", en: "a project that is not new (\(type?.string ?? "")) is below the benchmark; existing capacity may be upgraded within a period, so check the upgrade requirements by hand")
            return Finding(rule: "high-energy/efficiency", verdict: .review, message: Localized(zh: "\(head.zhText)：\(why.zhText)。", en: "\(head.enText): \(why.enText)."),
                           evidence: evidence, citations: citations)
        case "benchmark"?:
            return Finding(rule: "high-energy/efficiency", verdict: .pass, message: Localized(
                zh: "\(head.zhText)，申报能效达到标杆水平。", en: "\(head.enText), with efficiency declared at the benchmark level."),
                evidence: evidence, citations: citations)
        default:
            return Finding(rule: "high-energy/efficiency", verdict: .review, message: Localized(
                zh: "\(head.zhText)，未申报能效水平（$.project.energy.efficiencyLevel：benchmark / baseline / below-baseline），请补充。",
                en: "\(head.enText) and declares no efficiency level ($.project.energy.efficiencyLevel: benchmark / baseline / below-baseline); add it."),
                evidence: evidence, citations: citations)
        }
    }
}
