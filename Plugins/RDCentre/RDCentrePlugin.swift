import CheckAPI

/// The three criteria of a foreign-funded R&D centre (SPEC §5.4), as rule data holds them.
struct RDCriteria: Sendable {
    let independentTotalInvestment: Threshold
    let nonIndependentTotalRdInput: Threshold
    let fullTimeRdStaff: Threshold
    let equipmentOriginalValue: Threshold

    init(_ node: JSONNode) throws(JSONFieldError) {
        independentTotalInvestment = try Threshold(try node.required("independentTotalInvestment"))
        nonIndependentTotalRdInput = try Threshold(try node.required("nonIndependentTotalRdInput"))
        fullTimeRdStaff = try Threshold(try node.required("fullTimeRdStaff"))
        equipmentOriginalValue = try Threshold(try node.required("equipmentOriginalValue"))
    }
}

/// One policy window of one benefit, with the criteria that apply in it.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
final class BenefitWindow: Sendable {
    enum CriteriaStatus: String, Sendable {
        /// Read for this window.
        case verified
        /// Not read for this window; the last verified criteria are applied as guidance.
        case lastVerified = "last-verified"
        /// This window's criteria are known to differ from the ones held and were not read:
        /// none are applied.
        case notHeld = "not-held"
    }

    let edition: Edition
    let benefit: String
    /// The criteria applied in the window (nil when `criteriaStatus` is `not-held`).
    let criteria: RDCriteria?
    let criteriaCitation: String?
    let criteriaStatus: CriteriaStatus
    /// Why the criteria are not held (for `not-held`), as the rule data says it.
    let criteriaGap: Localized?

    init(_ edition: Edition, root: JSONNode) throws(JSONFieldError) {
        self.edition = edition
        benefit = try root.required("benefit").asString()
        let statusNode = try root.required("criteriaStatus")
        guard let status = CriteriaStatus(rawValue: try statusNode.asString()) else {
            throw JSONFieldError(path: statusNode.path, expected: "verified, last-verified or not-held", found: statusNode.summary)
        }
        criteriaStatus = status
        if status == .notHeld {
            criteria = nil
            criteriaCitation = try root.optional("criteriaCitation")?.asString()
            let gap = try root.required("criteriaGap").asNonEmptyString().split(separator: " / ", maxSplits: 1).map(String.init)
            criteriaGap = Localized(zh: MessageText(gap[0]), en: MessageText(gap.count > 1 ? gap[1] : gap[0]))
        } else {
            criteria = try RDCriteria(try root.required("criteria"))
            criteriaCitation = try root.required("criteriaCitation").asString()
            criteriaGap = nil
        }
    }
}

/// A sourced exchange rate, valid over a span of days.
struct ExchangeRate: Sendable {
    let from: String
    let to: String
    let rate: DecimalNumber
    let valid: DayRange
    let source: String

    init(_ node: JSONNode) throws(JSONFieldError) {
        from = try node.required("from").asString()
        to = try node.required("to").asString()
        rate = try node.required("rate").asDecimal()
        valid = DayRange(from: try Day.decode(try node.required("validFrom")), through: try Day.decode(try node.required("validThrough")))
        source = try node.required("source").asNonEmptyString()
    }
}

/// How one criterion came out.
struct CriterionOutcome {
    let label: Localized
    let required: String
    let declared: String
    /// true met, false not met, nil unknown (see `why`).
    let met: Bool?
    let why: Localized?

    var line: Localized {
        let state: Localized = switch met {
        case true?: Localized(zh: "满足", en: "met")
        case false?: Localized(zh: "不满足", en: "not met")
        case nil: why ?? Localized(zh: "无法判断", en: "cannot be decided")
        }
        return Localized(zh: "\(label.zhText)：要求 ≥ \(required)，申报 \(declared)（\(state.zhText)）",
                         en: "\(label.enText): required ≥ \(required), declared \(declared) (\(state.enText))")
    }
}

/// `rd-centre` — 外资研发中心税收优惠资格 (SPEC §5.4).
public struct RDCentrePlugin: RulePlugin {
    static let seed = "wuwai-19-rd-centre"

    public static let description = PluginDescription(
        id: "rd-centre", version: "1.0.0",
        title: Localized(zh: "外资研发中心税收优惠资格", en: "Tax benefits of foreign-funded R&D centres"),
        datasets: ["rd-centre"],
        rules: [
            RuleDescription(
                id: "rd-centre/import-exemption",
                title: Localized(zh: "科技开发用品免征进口税收", en: "Import-tax exemption for R&D goods"),
                description: Localized(
                    zh: "仅在申报该项优惠时判定（未申报为不适用，研发中心看来符合条件时给出提示）。财关税〔2021〕23号期间（2021-01-01至2025-12-31）三项条件全部满足且已认定为通过，任一不满足为不通过（逐项列明要求与申报值）；2026年起适用财关税〔2026〕7号，其条件未取得，按最近核实的条件提示并需人工审核。",
                    en: "Judged only when the benefit is claimed (otherwise not applicable, with a hint when the centre looks eligible). In the window of 财关税〔2021〕23号 (2021-01-01 … 2025-12-31): pass when all three criteria are met and the centre is certified, fail when any is not (each with required and declared values); from 2026 财关税〔2026〕7号 governs, whose criteria were not read: review, with the last verified criteria as guidance."),
                citations: [seed]),
            RuleDescription(
                id: "rd-centre/vat-refund",
                title: Localized(zh: "采购国产设备全额退还增值税", en: "VAT refund on domestic equipment"),
                description: Localized(
                    zh: "仅在申报该项优惠时判定（未申报为不适用）。公告2023年第41号期间（至2027-12-31）按三项条件判定（条件据川经合发〔2024〕17号）；公告2019年第91号期间（延续至2023-12-31）条件随研发中心设立时间而定、未取得，需人工审核。",
                    en: "Judged only when the benefit is claimed (otherwise not applicable). Within 公告2023年第41号 (to 2027-12-31): the three criteria, as worded in 川经合发〔2024〕17号; within 公告2019年第91号 (extended to 2023-12-31) the criteria depended on the founding date and were not obtained: review."),
                citations: [seed]),
        ])

    let windows: [BenefitWindow]
    let rates: [ExchangeRate]
    /// The two benefits, each with its rule and its claim (made once, at load: both languages).
    let benefits = [
        Benefit(rule: "rd-centre/import-exemption", benefit: "import-exemption", claimKey: "rdCentreImportExemption",
                name: Localized(zh: "科技开发用品免征进口关税和进口环节增值税、消费税", en: "exemption from import duty, import VAT and consumption tax on R&D goods")),
        Benefit(rule: "rd-centre/vat-refund", benefit: "vat-refund", claimKey: "rdCentreVatRefund",
                name: Localized(zh: "采购国产设备全额退还增值税", en: "full VAT refund on domestic equipment")),
    ]

    /// A benefit an R&D centre may claim, and the rule that assesses the claim. (A class: a
    /// reference, not six, is copied for each application.)
    final class Benefit: Sendable {
        let rule: String
        /// The `benefit` of its policy windows.
        let benefit: String
        /// Its member of `claims`, and that member's path.
        let claimKey: String, claimPath: String
        let name: Localized
        /// The not-applicable messages, made once: most applications get one of them.
        let notACentre: Localized, notClaimed: Localized

        init(rule: String, benefit: String, claimKey: String, name: Localized) {
            (self.rule, self.benefit, self.claimKey, self.name) = (rule, benefit, claimKey, name)
            claimPath = "$.claims.\(claimKey)"
            notACentre = Localized(zh: "申请中没有外资研发中心的信息，也未申报\(name.zhText)，本规则不适用。",
                                   en: "The application gives no R&D-centre details and does not claim the \(name.enText); the rule does not apply.")
            notClaimed = Localized(zh: "申请未申报\(name.zhText)，本规则不适用。", en: "The application does not claim the \(name.enText); the rule does not apply.")
        }
    }

    /// Per benefit (in `benefits` order), its policy windows.
    let windowsOfBenefit: [[BenefitWindow]]

    public init(ruleData: RuleDataFiles) throws {
        var windows: [BenefitWindow] = []
        var rates: [ExchangeRate] = []
        for file in ruleData.files.filter({ $0.dataset == "rd-centre" }) {
            do {
                if file.root["kind"]?.string == "edition" {
                    windows.append(try BenefitWindow(try Edition(file.root, dataset: "rd-centre", file: file.path), root: file.root))
                } else if file.root["id"]?.string == "exchange-rates" {
                    rates = try (try file.root.required("rates").asArray()).map { node throws(JSONFieldError) in try ExchangeRate(node) }
                }
            } catch let error as JSONFieldError {
                throw RuleDataError(file: file.path, error)
            }
        }
        self.windows = windows
        self.rates = rates
        windowsOfBenefit = benefits.map { benefit in windows.filter { $0.benefit == benefit.benefit } }
    }

    public func evaluate(_ request: Request, into findings: inout Findings) throws {
        for index in benefits.indices { findings.report(assess(benefits[index], windows: windowsOfBenefit[index], request: request)) }
    }

    func assess(_ target: Benefit, windows: [BenefitWindow], request: Request) -> Finding {
        let (rule, name) = (target.rule, target.name)
        let application = request.application
        let centre = application.root.optional("rdCentre").flatMap { $0.kind == .object ? $0 : nil }
        let claim = application.claims?.optional(target.claimKey)
        let claimEvidence: Evidence = claim.map { .value($0) } ?? .absent(target.claimPath)
        // A benefit not claimed is never pass, fail or review (SPEC §4): not applicable, with a
        // hint when the centre's declared facts meet the criteria in force.
        guard claim?.bool == true else {
            if let centre, let window = windows.first(where: { $0.edition.effective.contains(request.asOf) }),
               window.criteriaStatus == .verified, let criteria = window.criteria {
                let (outcomes, used) = self.criteria(criteria, centre: centre, asOf: request.asOf)
                if outcomes.allSatisfy({ $0.met == true }) {
                    return Finding(rule: rule, verdict: .notApplicable, message: Localized(
                        zh: "申请未申报\(name.zhText)，本规则不适用。提示：按申报的研发中心情况，《\(window.edition.title)》的三项条件均满足（\(outcomes.map(\.line.zhText).joined(separator: "；"))），经认定后可申报该项优惠。",
                        en: "The application does not claim the \(name.enText); the rule does not apply. Hint: by the R&D-centre facts declared, the three criteria of 《\(window.edition.title)》 are met (\(outcomes.map(\.line.enText).joined(separator: "; "))); once certified, the centre may claim it."),
                        evidence: [claimEvidence] + used, citations: [window.criteriaCitation, Self.seed].compactMap { $0 })
                }
            }
            return Finding(rule: rule, verdict: .notApplicable, message: centre == nil ? target.notACentre : target.notClaimed,
                           evidence: [claimEvidence, centre.map { .value($0) } ?? .absent("$.rdCentre")], citations: [Self.seed])
        }
        guard let centre else {
            return Finding(rule: rule, verdict: .review, message: Localized(
                zh: "申报了\(name.zhText)，但未提供外资研发中心的情况（$.rdCentre），无法核对条件；请补充。",
                en: "The application claims the \(name.enText) but gives no R&D-centre facts ($.rdCentre), so the criteria cannot be checked; add them."),
                evidence: [claimEvidence, .absent("$.rdCentre")], citations: [Self.seed])
        }
        guard let window = windows.first(where: { $0.edition.effective.contains(request.asOf) }) else {
            let loaded = windows.map { "\($0.edition.title) \($0.edition.effective)" }.joined(separator: "; ")
            let submittedOn: [Evidence] = application.root["submittedOn"].map { [.value($0)] } ?? []
            return Finding(rule: rule, verdict: .review, message: Localized(
                zh: "\(request.asOf) 不在已载入的\(name.zhText)政策期内（已载入：\(loaded)），请人工核对当时适用的政策。",
                en: "\(request.asOf) is outside every loaded window of the \(name.enText) (loaded: \(loaded)); check the policy then in force by hand."),
                evidence: [claimEvidence] + submittedOn, citations: [Self.seed])
        }
        let policy = "《\(window.edition.title)》（\(window.edition.effective)）"
        guard let criteria = window.criteria else {
            // The window's criteria are not held: nothing to evaluate them by.
            let gap = window.criteriaGap ?? Localized(zh: "该期间的条件未取得", en: "this window's criteria were not obtained")
            let established = centre.optional("establishedOn")
            return Finding(rule: rule, verdict: .review, message: Localized(
                zh: "申请日期 \(request.asOf) 适用\(policy)；\(gap.zhText)。请对照该文件的条件人工核对。",
                en: "On \(request.asOf) \(policy) applies; \(gap.enText). Check the criteria of that document by hand."),
                evidence: [claimEvidence, established.map { .value($0) } ?? .absent("$.rdCentre.establishedOn")],
                citations: [window.criteriaCitation, Self.seed].compactMap { $0 })
        }
        let (outcomes, used) = self.criteria(criteria, centre: centre, asOf: request.asOf)
        var evidence: [Evidence] = []
        evidence.reserveCapacity(used.count + 2)
        evidence.append(claimEvidence)
        evidence += used
        let list = Localized(zh: outcomes.map(\.line.zhText).joined(separator: "；"), en: outcomes.map(\.line.enText).joined(separator: "; "))
        let citations = [window.criteriaCitation, Self.seed].compactMap { $0 }
        func finding(_ verdict: Verdict, zh: @autoclosure () -> MessageText, en: @autoclosure () -> MessageText) -> Finding {
            Finding(rule: rule, verdict: verdict, message: Localized(zh: zh(), en: en()), evidence: evidence, citations: citations)
        }
        if window.criteriaStatus == .lastVerified {
            return finding(.review, zh: "申请日期 \(request.asOf) 适用\(policy)；该期间文件中外资研发中心的条件未取得，以下按最近核实的（2021—2025年）条件评估，仅供参考，须对照\(window.edition.title)核实：\(list.zhText)。",
                           en: "On \(request.asOf) \(policy) applies; this window's criteria for foreign-funded R&D centres were not read; the last verified (2021-2025) criteria are applied below as guidance only and must be confirmed against \(window.edition.title): \(list.enText).")
        }
        let unmet = outcomes.filter { $0.met == false }
        if !unmet.isEmpty {
            return finding(.fail, zh: "按\(policy)，外资研发中心须同时满足三项条件，申报不满足 \(unmet.count) 项：\(unmet.map(\.line.zhText).joined(separator: "；"))。不能享受\(name.zhText)。全部条件：\(list.zhText)。",
                           en: "Under \(policy) a foreign-funded R&D centre must meet all three criteria; \(unmet.count) not met: \(unmet.map(\.line.enText).joined(separator: "; ")). The \(name.enText) is not available. All criteria: \(list.enText).")
        }
        let unknown = outcomes.filter { $0.met == nil }
        if !unknown.isEmpty {
            return finding(.review, zh: "按\(policy)核对三项条件，其中 \(unknown.count) 项无法判断：\(unknown.map(\.line.zhText).joined(separator: "；"))。全部条件：\(list.zhText)。",
                           en: "Under \(policy), \(unknown.count) of the three criteria cannot be decided: \(unknown.map(\.line.enText).joined(separator: "; ")). All criteria: \(list.enText).")
        }
        let certified = centre.optional("certified")
        evidence.append(certified.map { .value($0) } ?? .absent("$.rdCentre.certified"))
        switch certified?.bool {
        case true?:
            return finding(.pass, zh: "按\(policy)三项条件均满足（\(list.zhText)），且已经认定，可享受\(name.zhText)。",
                           en: "Under \(policy) all three criteria are met (\(list.enText)) and the centre is certified: the \(name.enText) applies.")
        case false?:
            return finding(.review, zh: "按\(policy)三项条件均满足（\(list.zhText)），但研发中心尚未认定；须经省级商务主管部门会同财政、海关、税务部门认定后方可享受\(name.zhText)。",
                           en: "Under \(policy) all three criteria are met (\(list.enText)), but the centre is not yet certified; it must be certified by the provincial commerce department (with finance, customs and tax) before the \(name.enText) applies.")
        case nil:
            return finding(.review, zh: "按\(policy)三项条件均满足（\(list.zhText)），但未申报是否已经认定（$.rdCentre.certified）；优惠只适用于经认定的外资研发中心。",
                           en: "Under \(policy) all three criteria are met (\(list.enText)), but the application does not say whether the centre is certified ($.rdCentre.certified); the benefit applies only to certified centres.")
        }
    }

    /// Evaluates the three criteria; returns the outcomes and the evidence they used.
    func criteria(_ criteria: RDCriteria, centre: JSONNode, asOf: Day) -> ([CriterionOutcome], [Evidence]) {
        var evidence: [Evidence] = []
        var outcomes: [CriterionOutcome] = []
        let form = centre.optional("legalForm")
        evidence.append(form.map { .value($0) } ?? .absent("$.rdCentre.legalForm"))
        switch form?.string {
        case "independent"?:
            outcomes.append(money(centre, field: "totalInvestment", threshold: criteria.independentTotalInvestment,
                                  label: Localized(zh: "（1）投资总额（独立法人）", en: "(1) total investment (independent legal person)"), asOf: asOf, evidence: &evidence))
        case "non-independent"?:
            outcomes.append(money(centre, field: "totalRdInput", threshold: criteria.nonIndependentTotalRdInput,
                                  label: Localized(zh: "（1）研发总投入（非独立法人）", en: "(1) total R&D input (non-independent)"), asOf: asOf, evidence: &evidence))
        default:
            outcomes.append(CriterionOutcome(label: Localized(zh: "（1）研发费用标准", en: "(1) R&D spending"), required: criteria.independentTotalInvestment.description,
                                             declared: "—", met: nil, why: Localized(zh: "未申报是否独立法人（$.rdCentre.legalForm）", en: "legal form not declared ($.rdCentre.legalForm)")))
        }
        let staff = centre.optional("fullTimeRdStaff")
        evidence.append(staff.map { .value($0) } ?? .absent("$.rdCentre.fullTimeRdStaff"))
        let staffLabel = Localized(zh: "（2）专职研究与试验发展人员", en: "(2) full-time R&D staff")
        if let count = staff?.decimal {
            outcomes.append(CriterionOutcome(label: staffLabel, required: criteria.fullTimeRdStaff.value.grouped, declared: count.grouped,
                                             met: count >= criteria.fullTimeRdStaff.value, why: nil))
        } else {
            outcomes.append(CriterionOutcome(label: staffLabel, required: criteria.fullTimeRdStaff.value.grouped, declared: "—", met: nil,
                                             why: Localized(zh: "未申报", en: "not declared")))
        }
        outcomes.append(money(centre, field: "equipmentOriginalValue", threshold: criteria.equipmentOriginalValue,
                              label: Localized(zh: "（3）设立以来累计购置设备原值", en: "(3) original value of equipment bought since founding"), asOf: asOf, evidence: &evidence))
        return (outcomes, evidence)
    }

    /// Compares a money field with a threshold: same currency, or via a sourced rate.
    func money(_ centre: JSONNode, field: String, threshold: Threshold, label: Localized, asOf: Day, evidence: inout [Evidence]) -> CriterionOutcome {
        let node = centre.optional(field)
        evidence.append(node.map { .value($0) } ?? .absent("$.rdCentre.\(field)"))
        guard let amount = Money(node) else {
            return CriterionOutcome(label: label, required: threshold.description, declared: "—", met: nil,
                                    why: Localized(zh: "未申报（$.rdCentre.\(field)）", en: "not declared ($.rdCentre.\(field))"))
        }
        if amount.currency == threshold.unit {
            return CriterionOutcome(label: label, required: threshold.description, declared: amount.description, met: amount.amount >= threshold.value, why: nil)
        }
        if let rate = rates.first(where: { $0.from == amount.currency && $0.to == threshold.unit && $0.valid.contains(asOf) }) {
            // Exact: a product needing more digits than a decimal holds is not rounded into a verdict.
            guard let converted = amount.amount.multiplied(by: rate.rate) else {
                return CriterionOutcome(label: label, required: threshold.description, declared: amount.description, met: nil, why: Localized(
                    zh: "按汇率 \(rate.rate) 换算的结果超出精确计算范围", en: "the conversion at rate \(rate.rate) cannot be computed exactly"))
            }
            return CriterionOutcome(label: label, required: threshold.description,
                                    declared: "\(amount) = \(converted.normalized.grouped) \(threshold.unit) (rate \(rate.rate), \(rate.source))",
                                    met: converted >= threshold.value, why: nil)
        }
        return CriterionOutcome(label: label, required: threshold.description, declared: amount.description, met: nil, why: Localized(
            zh: "需将 \(amount.currency) 换算为 \(threshold.unit)，规则数据中没有 \(asOf) 适用的有来源汇率",
            en: "needs a conversion \(amount.currency)→\(threshold.unit); the rule data holds no sourced rate for \(asOf)"))
    }
}
