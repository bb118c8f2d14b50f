import CheckAPI

/// `negative-list` — 外商投资准入负面清单 (SPEC §5.1): the national editions by as-of date, the
/// FTZ edition inside pilot free trade zones, code + keyword matching, shareholding conditions.
public struct NegativeListPlugin: RulePlugin {
    static let seedNational = "wuwai-11-negative-list"

    public static let description = PluginDescription(
        id: "negative-list", version: "1.0.0",
        title: Localized(zh: "外商投资准入负面清单", en: "Negative list for foreign investment access"),
        datasets: ["negative-list"],
        rules: [
            RuleDescription(
                id: "negative-list/prohibited",
                title: Localized(zh: "禁止投资领域", en: "Prohibited fields"),
                description: Localized(
                    zh: "项目的行业代码与关键词同时命中负面清单禁止类条目且条文已逐字核实时为不通过；只命中其一、条文未核实或自贸试验区条目未读到时需人工审核；未命中任何条目时通过（适用国民待遇）。",
                    en: "Fails when a project's industry code and a keyword both match a prohibited item whose wording is verified; review when only one matches, the wording is unverified, or the FTZ item was not read; passes when no item matches (national treatment)."),
                citations: [seedNational]),
            RuleDescription(
                id: "negative-list/restricted",
                title: Localized(zh: "限制投资领域的股权要求", en: "Shareholding conditions of restricted fields"),
                description: Localized(
                    zh: "命中限制类条目时，按申报的股权核对条件（中方控股、中方股比不低于34%、外资股比不超过50%、限于合资等）：满足为通过，不满足为不通过，未申报股权或条文未核实为需人工审核。",
                    en: "When a restricted item matches, checks the declared shareholding against its condition (Chinese control, Chinese share ≥ 34 %, foreign share ≤ 50 %, joint venture only, ...): pass if met, fail if not, review if shares are not declared or the wording is unverified."),
                citations: [seedNational]),
            RuleDescription(
                id: "negative-list/edition",
                title: Localized(zh: "适用的清单版本", en: "Edition in force"),
                description: Localized(
                    zh: "申请日期（或 --as-of）没有已载入的清单版本生效时需人工审核。",
                    en: "Review when no loaded edition of the list was in force on the as-of date."),
                citations: [seedNational]),
        ])

    let national: [NegativeListEdition]
    let freeTradeZone: [NegativeListEdition]

    public init(ruleData: RuleDataFiles) throws {
        let editions = try NegativeListEdition.load(ruleData)
        national = editions.filter { $0.edition.series == "national" }
        freeTradeZone = editions.filter { $0.edition.series == "ftz" }
        guard !national.isEmpty else {
            throw RuleDataError(file: "negative-list/", field: "$", problem: "no edition of series \"national\"")
        }
    }

    public func evaluate(_ request: Request, into findings: inout Findings) throws {
        let application = request.application
        let submittedOn = application.root["submittedOn"]
        guard let edition = national.first(where: { $0.edition.effective.contains(request.asOf) }) else {
            findings.report(noEdition(series: national, asOf: request.asOf, evidence: submittedOn))
            return
        }
        var zoneEdition: NegativeListEdition? = nil
        if application.freeTradeZone != nil {
            guard let inForce = freeTradeZone.first(where: { $0.edition.effective.contains(request.asOf) }) else {
                findings.report(noEdition(series: freeTradeZone, asOf: request.asOf, evidence: application.freeTradeZone))
                return
            }
            zoneEdition = inForce
        }

        // Which of the two rules a matched item was reported under (two flags, not a set of
        // ids: this runs for every application).
        var reportedProhibited = false, reportedRestricted = false
        for (position, match) in edition.matcher.matches(application) {
            let item = edition.items[position]
            let finding = if case .excludedOnly = match {
                excludedOnly(item, in: zoneEdition ?? edition, match: match)
            } else if let zoneEdition, let zone = application.freeTradeZone {
                assessInZone(item, national: edition, zone: zone, zoneEdition: zoneEdition, match: match, application: application)
            } else {
                assess(item, in: edition, match: match, application: application)
            }
            if finding.rule == "negative-list/prohibited" { reportedProhibited = true }
            if finding.rule == "negative-list/restricted" { reportedRestricted = true }
            findings.report(finding)
        }
        if !reportedProhibited {
            findings.report(noMatch(rule: "negative-list/prohibited", edition: edition, zoneEdition: zoneEdition, application: application))
        }
        if !reportedRestricted {
            findings.report(noMatch(rule: "negative-list/restricted", edition: edition, zoneEdition: zoneEdition, application: application))
        }
    }

    // MARK: Findings

    func rule(for item: NegativeListItem) -> String {
        item.kind == .prohibited ? "negative-list/prohibited" : "negative-list/restricted"
    }

    /// "（限制类）" / "a restricted field", said as inferred when the kind was not read.
    func kindLabel(_ item: NegativeListItem) -> Localized {
        let label = item.kind == .prohibited ? Localized(zh: "禁止类", en: "a prohibited field") : Localized(zh: "限制类", en: "a restricted field")
        return item.kindInferred ? Localized(zh: "据推断为\(label.zhText)，未经核实", en: "presumed \(label.enText), not verified") : label
    }

    func reference(_ item: NegativeListItem, in edition: NegativeListEdition) -> Localized {
        let clause = edition.edition.clause(of: item.item)
        return Localized(zh: "《\(edition.edition.title)》\(clause)（\(item.subject.zhText)）",
                         en: "\(clause) of 《\(edition.edition.title)》 (\(item.subject.enText))")
    }

    func statusNote(_ status: TextStatus) -> Localized {
        Localized(zh: "\(status.noteZh)", en: "\(status.noteEn)")
    }

    /// An item whose keyword occurs only inside an exclusion of the project's texts, and whose
    /// codes the project's do not overlap: the project is outside it, and the finding says why.
    func excludedOnly(_ item: NegativeListItem, in edition: NegativeListEdition, match: CatalogueMatch) -> Finding {
        let reference = reference(item, in: edition)
        return Finding(rule: rule(for: item), verdict: .pass, message: Localized(
            zh: "项目不属于\(reference.zhText)：\(match.explanation.zhText)。",
            en: "The project is outside \(reference.enText): \(match.explanation.enText)."),
            evidence: match.evidence, citations: [item.item.citationID, Self.seedNational])
    }

    /// A matched item of the edition that applies (national, or the FTZ edition's own item).
    func assess(_ item: NegativeListItem, in edition: NegativeListEdition, match: CatalogueMatch, application: Application,
                extraCitations: [String] = []) -> Finding {
        let reference = reference(item, in: edition)
        let citations = [item.item.citationID, Self.seedNational] + extraCitations
        let explanation = match.explanation
        guard match.isDecisive else {
            return Finding(rule: rule(for: item), verdict: .review, message: Localized(
                zh: "项目可能属于\(reference.zhText)：\(explanation.zhText)。请人工确认项目是否属于该项；行业代码与关键词须同时命中才能自动判定。",
                en: "The project may fall under \(reference.enText): \(explanation.enText). Confirm by hand whether it does; an automatic verdict needs both the industry code and a keyword to match."),
                evidence: match.evidence, citations: citations)
        }
        switch item.kind {
        case .prohibited:
            guard item.item.textStatus.isDecisive else {
                return Finding(rule: rule(for: item), verdict: .review, message: Localized(
                    zh: "项目属于\(reference.zhText)（\(kindLabel(item).zhText)）：\(explanation.zhText)。但\(statusNote(item.item.textStatus).zhText)，须对照官方清单原文后人工判定。",
                    en: "The project falls under \(reference.enText), \(kindLabel(item).enText): \(explanation.enText). But \(statusNote(item.item.textStatus).enText); decide by hand against the official list."),
                    evidence: match.evidence, citations: citations)
            }
            return Finding(rule: rule(for: item), verdict: .fail, message: Localized(
                zh: "项目属于\(reference.zhText)，为禁止外商投资的领域：\(explanation.zhText)。负面清单禁止投资的领域不得以外商投资方式进入。如项目实际不属于该项，请更正行业代码或经营范围后重新提交审核。",
                en: "The project falls under \(reference.enText), a field closed to foreign investment: \(explanation.enText). Foreign investors may not invest in it. If the project is in fact outside the item, correct the industry code or business scope and resubmit for review."),
                evidence: match.evidence, citations: citations)
        case .unknown:
            return Finding(rule: rule(for: item), verdict: .review, message: Localized(
                zh: "项目属于\(reference.zhText)：\(explanation.zhText)。\(statusNote(item.item.textStatus).zhText)，该项是禁止类还是限制类也未确认，须对照官方清单人工判定。",
                en: "The project falls under \(reference.enText): \(explanation.enText). \(statusNote(item.item.textStatus).enText), and whether it prohibits or restricts is not confirmed; decide by hand against the official list."),
                evidence: match.evidence, citations: citations)
        case .restricted:
            return assessShares(item, reference: reference, match: match, application: application, citations: citations)
        }
    }

    func assessShares(_ item: NegativeListItem, reference: Localized, match: CatalogueMatch, application: Application, citations: [String]) -> Finding {
        let shares = application.shareholding
        var evidence = match.evidence + shares.evidence
        if let foreign = shares.foreignPercent, let chinese = shares.chinesePercent {
            evidence.append(.derived(label: "外资股比合计 / foreign share, total", value: "\(foreign)%"))
            evidence.append(.derived(label: "中方股比合计 / Chinese share, total", value: "\(chinese)%"))
        }
        if let total = shares.totalPercent, total != .hundred {
            evidence.append(.derived(label: "各方持股比例合计 / all shares, total", value: "\(total)%"))
        }
        let rule = rule(for: item)
        func review(_ why: Localized) -> Finding {
            Finding(rule: rule, verdict: .review, message: Localized(
                zh: "项目属于\(reference.zhText)（\(kindLabel(item).zhText)）：\(match.explanation.zhText)。\(why.zhText)",
                en: "The project falls under \(reference.enText), \(kindLabel(item).enText): \(match.explanation.enText). \(why.enText)"),
                evidence: evidence, citations: citations)
        }
        guard item.item.textStatus.isDecisive else {
            return review(Localized(zh: "但\(statusNote(item.item.textStatus).zhText)，股权条件须对照官方清单人工核对。",
                                    en: "But \(statusNote(item.item.textStatus).enText); check the shareholding condition against the official list by hand."))
        }
        let texts = application.describingTexts
        let applicable = item.conditions.filter { condition in condition.when.map { $0.firstMatch(in: texts) != nil } ?? true }
        guard !applicable.isEmpty else {
            return review(Localized(zh: "该项对不同对象设有不同条件，无法从申请中判断适用哪一项，请人工核对。",
                                    en: "The item sets different conditions for different activities and the application does not show which applies; check by hand."))
        }
        let requirements = applicable.map(\.requirement)
        let required = Localized(zh: requirements.map(\.zhText).joined(separator: "；"), en: requirements.map(\.enText).joined(separator: "; "))
        guard let chinese = shares.chinesePercent, let foreign = shares.foreignPercent else {
            return review(Localized(
                zh: "该项要求：\(required.zhText)。申请未完整申报各投资方的持股比例或是否外方（缺：\(shares.undeclared.joined(separator: "、"))），请补充后重新核对。",
                en: "The item requires: \(required.enText). The application does not declare every investor's share and whether it is foreign (missing: \(shares.undeclared.joined(separator: ", "))); add them and check again."))
        }
        // Shares that contradict themselves decide nothing (SPEC §3): a flag against the
        // country, or a total other than 100.
        var problems: [Localized] = []
        problems += shares.contradictions.compactMap(\.contradiction)
        if let total = shares.totalPercent, total != .hundred {
            let gap = DecimalNumber.hundred.subtracting(total)?.normalized
            let part = gap.map { $0 > .zero ? Localized(zh: "缺 \($0)%", en: "\($0)% missing") : Localized(zh: "超出 \(DecimalNumber.zero.subtracting($0)?.description ?? "")%", en: "\(DecimalNumber.zero.subtracting($0)?.description ?? "")% too much") }
            problems.append(Localized(zh: "各投资方持股比例合计 \(total)%，不是100%（\(part?.zhText ?? "")）", en: "the investors' shares total \(total)%, not 100% (\(part?.enText ?? ""))"))
        }
        let declared = Localized(zh: "申报的中方股比 \(chinese)%，外资股比 \(foreign)%", en: "declared Chinese share \(chinese)%, foreign share \(foreign)%")
        guard problems.isEmpty else {
            return review(Localized(
                zh: "该项要求\(required.zhText)；\(declared.zhText)，但\(problems.map(\.zhText).joined(separator: "；"))。股权条件须在更正申报后核对，请人工确认。",
                en: "The item requires: \(required.enText); \(declared.enText), but \(problems.map(\.enText).joined(separator: "; ")). The condition can be checked only once the declaration is corrected; confirm by hand."))
        }
        let outcomes = applicable.map { ($0, $0.isMet(by: shares)) }
        let unmet = outcomes.filter { $0.1 == false }.map(\.0.requirement)
        if !unmet.isEmpty {
            return Finding(rule: rule, verdict: .fail, message: Localized(
                zh: "项目属于\(reference.zhText)（限制类）：\(match.explanation.zhText)。该项要求\(required.zhText)；\(declared.zhText)，不满足：\(unmet.map(\.zhText).joined(separator: "；"))。须调整股权结构使其满足上述条件后方可投资。",
                en: "The project falls under \(reference.enText), a restricted field: \(match.explanation.enText). The item requires: \(required.enText); \(declared.enText), which does not meet: \(unmet.map(\.enText).joined(separator: "; ")). The shareholding must change to meet it before the investment can proceed."),
                evidence: evidence, citations: citations)
        }
        let unknown = outcomes.filter { $0.1 == nil }.map(\.0.requirement)
        if !unknown.isEmpty {
            return review(Localized(
                zh: "该项要求\(required.zhText)；\(declared.zhText)。其中“\(unknown.map(\.zhText).joined(separator: "；"))”无法从申请中核对，请人工确认。",
                en: "The item requires: \(required.enText); \(declared.enText). “\(unknown.map(\.enText).joined(separator: "; "))” cannot be checked from the application; confirm by hand."))
        }
        return Finding(rule: rule, verdict: .pass, message: Localized(
            zh: "项目属于\(reference.zhText)（限制类）：\(match.explanation.zhText)。该项要求\(required.zhText)；\(declared.zhText)，满足条件。",
            en: "The project falls under \(reference.enText), a restricted field: \(match.explanation.enText). The item requires: \(required.enText); \(declared.enText), which meets it."),
            evidence: evidence, citations: citations)
    }

    /// A project in a pilot FTZ: the FTZ edition applies, of which only a few items were read.
    func assessInZone(_ item: NegativeListItem, national: NegativeListEdition, zone: JSONNode, zoneEdition: NegativeListEdition,
                      match: CatalogueMatch, application: Application) -> Finding {
        if let zoneItem = zoneEdition.items.first(where: { $0.topic == item.topic }) {
            var finding = assess(zoneItem, in: zoneEdition, match: match, application: application)
            finding.evidence.insert(.value(zone), at: 0)
            return finding
        }
        let nationalReference = reference(item, in: national)
        if let absence = zoneEdition.knownAbsent.first(where: { $0.topic == item.topic }) {
            return Finding(rule: rule(for: item), verdict: .pass, message: Localized(
                zh: "项目位于自由贸易试验区（\(zone.string ?? "")），适用《\(zoneEdition.edition.title)》。项目与全国清单\(nationalReference.zhText)相符（\(match.explanation.zhText)），但自贸试验区清单没有该项：\(absence.basis)。",
                en: "The project is in a pilot free trade zone (\(zone.string ?? "")), where 《\(zoneEdition.edition.title)》 applies. It matches \(nationalReference.enText) of the national list (\(match.explanation.enText)), but the FTZ list has no such item: \(absence.basis)."),
                evidence: [.value(zone)] + match.evidence, citations: absence.citations + [item.item.citationID, Self.seedNational])
        }
        let read = zoneEdition.items.filter { $0.item.textStatus != .missing }.count
        let total = zoneEdition.edition.declaredItemCount.map(String.init) ?? "?"
        return Finding(rule: rule(for: item), verdict: .review, message: Localized(
            zh: "项目位于自由贸易试验区（\(zone.string ?? "")），适用《\(zoneEdition.edition.title)》而非全国清单。项目与全国清单\(nationalReference.zhText)相符（\(match.explanation.zhText)），但自贸试验区清单 \(total) 项中只读到 \(read) 项的原文，无法确定其是否保留该项措施，请对照自贸试验区清单人工判定。",
            en: "The project is in a pilot free trade zone (\(zone.string ?? "")), where 《\(zoneEdition.edition.title)》 applies instead of the national list. It matches \(nationalReference.enText) of the national list (\(match.explanation.enText)), but only \(read) of the FTZ list's \(total) items were read, so whether it keeps this measure is unknown; decide by hand against the FTZ list."),
            evidence: [.value(zone)] + match.evidence, citations: [item.item.citationID, Self.seedNational])
    }

    func noMatch(rule: String, edition: NegativeListEdition, zoneEdition: NegativeListEdition?, application: Application) -> Finding {
        let kind = rule == "negative-list/prohibited" ? Localized(zh: "禁止类", en: "prohibited") : Localized(zh: "限制类", en: "restricted")
        var zoneNote = Localized(zh: "", en: "")
        if let zoneEdition {
            zoneNote = Localized(zh: "项目位于自由贸易试验区，适用《\(zoneEdition.edition.title)》；该清单是在全国清单基础上删减、放宽而成，全国清单未命中即自贸试验区清单也不涉及。",
                                 en: " The project is in a pilot FTZ, where 《\(zoneEdition.edition.title)》 applies; that list removes and relaxes national measures, so no national match means no FTZ match.")
        }
        return Finding(rule: rule, verdict: .pass, message: Localized(
            zh: "项目的行业代码（\(application.industryCodes, separator: ", ")）和名称、经营范围、产品均未命中《\(edition.edition.title)》的\(kind.zhText)条目，负面清单之外按内外资一致原则管理。\(zoneNote.zhText)",
            en: "No \(kind.enText) item of 《\(edition.edition.title)》 matches the project's industry codes (\(application.industryCodes, separator: ", ")) or its name, business scope and products; outside the negative list, foreign and domestic investment are treated alike.\(zoneNote.enText)"),
            evidence: application.industryCodes.map { .value($0) }, citations: [Self.seedNational])
    }

    func noEdition(series: [NegativeListEdition], asOf: Day, evidence: JSONNode?) -> Finding {
        let loaded = series.map { "\($0.edition.title) (\($0.edition.effective))" }.joined(separator: "; ")
        return Finding(rule: "negative-list/edition", verdict: .review, message: Localized(
            zh: "\(asOf) 没有已载入的负面清单版本生效（已载入：\(loaded)）。请对照当时有效的清单人工审核，或载入该版本的规则数据。",
            en: "No loaded edition of the negative list was in force on \(asOf) (loaded: \(loaded)). Review by hand against the list then in force, or load that edition's rule data."),
            evidence: evidence.map { [.value($0)] } ?? [], citations: [Self.seedNational])
    }
}
