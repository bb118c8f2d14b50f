import CCheckABI
import CheckAPI

/// One piece of evidence in a report.
public struct EvidenceReport: Sendable, Equatable {
    /// How the evidence was given.
    public enum Kind: String, Sendable {
        /// A value of the application (path and value derived by the host).
        case value
        /// A field the rule needed and did not find.
        case absent
        /// A value the plugin computed; `path` holds its label.
        case derived
    }

    /// How it was given.
    public let kind: Kind
    /// The JSON path (or, for derived values, the label).
    public let path: String
    /// The value as JSON text (`"B0932"`, `100`), or nil for an absent field.
    public let value: String?

    /// Evidence of `kind` at `path` with `value`.
    public init(kind: Kind, path: String, value: String?) {
        self.kind = kind
        self.path = path
        self.value = value
    }
}

/// One finding as reported: the plugin's words, checked by the host.
/// (A class: results pass between threads and through renderers; copying one is one retain.)
public final class FindingReport: Sendable {
    /// The plugin id.
    public let plugin: String
    /// The rule id.
    public let rule: String
    /// The verdict.
    public let verdict: Verdict
    /// The message in both languages.
    public let message: Localized
    /// The application fields it used.
    public let evidence: [EvidenceReport]
    /// The clauses it rests on.
    public let citations: [ResolvedCitation]

    init(plugin: String, rule: String, verdict: Verdict, message: Localized, evidence: [EvidenceReport], citations: [ResolvedCitation]) {
        self.plugin = plugin
        self.rule = rule
        self.verdict = verdict
        self.message = message
        self.evidence = evidence
        self.citations = citations
    }
}

/// One plugin's verdict for one application: the worst of its findings.
public struct PluginVerdict: Sendable {
    /// The plugin id.
    public let id: String
    /// The verdict.
    public let verdict: Verdict
}

/// A problem with the input, located: the line and column in the file where known.
public struct LocatedInputProblem: Sendable {
    /// The problem.
    public let problem: InputProblem
    /// 1-based line in the file, if known.
    public let line: Int?
    /// 1-based column, if known.
    public let column: Int?
}

/// Everything reported about one application (or one input that could not be read as one).
public struct ApplicationResult: Sendable {
    /// The application id, if it could be read.
    public let application: String?
    /// The project's name, if it could be read.
    public let projectName: String?
    /// Where it came from: `path`, or `path:line` for JSON Lines.
    public let source: String
    /// The as-of date used, if evaluated.
    public let asOf: String?
    /// The overall verdict: the worst plugin verdict, or `error` for unreadable input.
    public let verdict: Verdict
    /// Per-plugin verdicts.
    public let plugins: [PluginVerdict]
    /// All findings, in plugin order.
    public let findings: [FindingReport]
    /// Why the input could not be evaluated (empty if it was).
    public let inputProblems: [LocatedInputProblem]
    /// Unknown members (reported as warnings with `--strict-input`).
    public let unknownMembers: [String]
}

/// Collects what one plugin reports through the sink for one application, checking each call.
/// A plugin's declared rules, by id, in declaration order: what the collector checks findings
/// against and sorts them by. Built once per plugin and shared read-only.
final class RuleIndex: Sendable {
    let pluginID: String
    let order: [String: Int]

    init(_ description: PluginDescription) {
        pluginID = description.id
        order = Dictionary(description.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

final class FindingCollector {
    let plugin: RuleIndex
    let citations: [String: ResolvedCitation]
    let document: UnsafePointer<check_document>
    var findings: [FindingReport] = []
    var violations: [String] = []
    private var current: (rule: String, verdict: Verdict, message: Localized, evidence: [EvidenceReport], citations: [ResolvedCitation])?

    init(plugin: RuleIndex, citations: [String: ResolvedCitation], document: UnsafePointer<check_document>) {
        self.plugin = plugin
        self.citations = citations
        self.document = document
    }

    func flush() {
        guard let current else { return }
        findings.append(FindingReport(plugin: plugin.pluginID, rule: current.rule, verdict: current.verdict, message: current.message,
                                      evidence: current.evidence, citations: current.citations))
        self.current = nil
    }

    func violation(_ text: String) {
        if violations.count < 20 { violations.append(text) }
    }

    /// Starts a finding. Strings are nil when the plugin passed NULL or invalid UTF-8.
    func begin(rule: String?, verdict: UInt32, zh: String?, en: String?) {
        flush()
        guard let ruleID = rule else { return violation("finding with a NULL or non-UTF-8 rule id") }
        guard plugin.order[ruleID] != nil else { return violation("finding for undeclared rule \(JSONWriter.quoted(ruleID))") }
        guard let value = Verdict(rawValue: verdict) else { return violation("finding of \(ruleID) with verdict \(verdict), expected 0-4") }
        guard let messageZh = zh, let messageEn = en, !messageZh.isEmpty, !messageEn.isEmpty else {
            return violation("finding of \(ruleID) without a valid zh and en message")
        }
        current = (ruleID, value, Localized(zh: messageZh, en: messageEn), [], [])
    }

    func evidence(node: UInt32) {
        guard current != nil else { return violation("evidence before any finding") }
        guard node < document.pointee.node_count else {
            return violation("evidence node \(node) out of range (the application has \(document.pointee.node_count))")
        }
        let value = JSONNode(document: document, index: node)
        current!.evidence.append(EvidenceReport(kind: .value, path: value.path, value: value.jsonText))
    }

    func evidence(absent path: String?) {
        guard current != nil else { return violation("evidence before any finding") }
        guard let path, path.hasPrefix("$") else { return violation("absent-field evidence without a JSON path starting with $") }
        current!.evidence.append(EvidenceReport(kind: .absent, path: path, value: nil))
    }

    func evidence(label: String?, value: String?) {
        guard current != nil else { return violation("evidence before any finding") }
        guard let label, !label.isEmpty, let value else { return violation("derived evidence without a valid label and value") }
        current!.evidence.append(EvidenceReport(kind: .derived, path: label, value: JSONWriter.quoted(value)))
    }

    func cite(_ id: String?) {
        guard current != nil else { return violation("citation before any finding") }
        guard let id else { return violation("citation id NULL or not UTF-8") }
        guard let citation = citations[id] else { return violation("citation \(JSONWriter.quoted(id)) is not in the rule data") }
        if !current!.citations.contains(where: { $0.id == id }) { current!.citations.append(citation) }
    }

    /// The findings after the plugin returned `status`, with an `error` finding for anything
    /// that broke the contract (nothing reported correctly is dropped), in declared rule order.
    func finish(status: Int32, extraProblems: [String] = []) -> [FindingReport] {
        flush()
        let order = plugin.order
        var findings = findings.enumerated()
            .sorted { (order[$0.element.rule] ?? 0, $0.offset) < (order[$1.element.rule] ?? 0, $1.offset) }
            .map(\.element)
        var problems = violations + extraProblems
        if status != 0 && extraProblems.isEmpty { problems.append("evaluate returned \(status) (the plugin could not evaluate this application)") }
        if findings.isEmpty && problems.isEmpty { problems.append("the plugin reported no finding") }
        if !problems.isEmpty { findings.append(FindingReport.pluginError(plugin: plugin.pluginID, problems: problems)) }
        return findings
    }
}

/// A C string from a plugin as Swift text: nil for NULL or invalid UTF-8.
func pluginText(_ pointer: UnsafePointer<CChar>?) -> String? {
    pointer.flatMap(String.init(validatingCString:))
}

private func collector(_ context: UnsafeMutableRawPointer?) -> FindingCollector {
    Unmanaged<FindingCollector>.fromOpaque(context!).takeUnretainedValue()
}

/// The host services every evaluation receives (SQLite style: passed in, never linked).
/// Immutable after initialisation; each call copies it and sets its own context.
nonisolated(unsafe) private let sinkFunctions = check_sink(
    abi_version: CHECK_ABI_VERSION,
    struct_size: UInt32(MemoryLayout<check_sink>.size),
    context: nil,
    finding: { context, rule, verdict, zh, en in
        collector(context).begin(rule: pluginText(rule), verdict: verdict, zh: pluginText(zh), en: pluginText(en))
    },
    evidence: { context, node in collector(context).evidence(node: node) },
    evidence_absent: { context, path in collector(context).evidence(absent: pluginText(path)) },
    evidence_derived: { context, label, value in collector(context).evidence(label: pluginText(label), value: pluginText(value)) },
    cite: { context, id in collector(context).cite(pluginText(id)) })

extension LoadedPlugin {
    /// Runs the plugin on one application in this process.
    func evaluate(_ document: UnsafePointer<check_document>, asOf: String, rules: RuleIndex, citations: [String: ResolvedCitation]) -> [FindingReport] {
        let collector = FindingCollector(plugin: rules, citations: citations, document: document)
        var sink = sinkFunctions
        sink.context = Unmanaged.passUnretained(collector).toOpaque()
        let status: Int32 = withExtendedLifetime(collector) {
            asOf.withCString { asOfText in
                var request = check_request(struct_size: UInt32(MemoryLayout<check_request>.size), reserved: 0,
                                            application: document, as_of: asOfText)
                return descriptor.pointee.evaluate(state, &request, &sink)
            }
        }
        return collector.finish(status: status)
    }
}

extension FindingReport {
    /// An `error` finding for a plugin that could not be evaluated or broke the contract.
    static func pluginError(plugin: String, problems: [String]) -> FindingReport {
        let list = problems.joined(separator: "; ")
        return FindingReport(
            plugin: plugin, rule: "\(plugin)/error", verdict: .error,
            message: Localized(zh: "插件未能完成评估：\(list)。此项不能视为通过，请人工审核或联系插件作者。",
                               en: "The plugin could not be evaluated: \(list). This is not a pass; review by hand or contact the plugin's author."),
            evidence: [], citations: [])
    }
}
