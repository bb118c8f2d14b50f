import CheckAPI

/// The tool's name and version as reports show them.
public enum Tool {
    /// The tool's name.
    public static let name = "check"
    /// The tool's version.
    public static let version = "0.1.0"
}

/// The report languages.
public enum Language: String, Sendable, CaseIterable {
    /// Chinese.
    case zh
    /// English.
    case en

    /// `text` in this language.
    public func pick(_ text: Localized) -> String { self == .zh ? text.zh : text.en }
    /// `zh` or `en` by this language.
    public func pick(zh: String, en: String) -> String { self == .zh ? zh : en }
}

/// Counts of application verdicts.
public struct ReportSummary: Sendable, Equatable {
    /// Applications (inputs) reported.
    public var applications = 0
    /// Per verdict.
    public var pass = 0, fail = 0, review = 0, error = 0, notApplicable = 0

    /// An empty summary.
    public init() {}

    /// Counts `verdict`.
    public mutating func add(_ verdict: Verdict) {
        applications += 1
        switch verdict {
        case .pass: pass += 1
        case .fail: fail += 1
        case .review: review += 1
        case .error: error += 1
        case .notApplicable: notApplicable += 1
        }
    }
}

/// The exit status (SPEC §6): 2 when any application or plugin could not be evaluated, else 1
/// when any application failed (or met `failOn`), else 0.
public func exitStatus(summary: ReportSummary, refusals: Int, failOn: Verdict = .fail) -> Int32 {
    if summary.error > 0 || refusals > 0 { return 2 }
    let failing = summary.fail + (failOn <= .review ? summary.review : 0)
    return failing > 0 ? 1 : 0
}

/// What every report renderer receives.
public struct ReportContext: Sendable {
    /// The plugins evaluated.
    public let plugins: [PluginDescription]
    /// ABI versions by plugin id.
    public let abi: [String: UInt32]
    /// The language of messages.
    public let language: Language
    /// Refused plugin files (reported, never silently dropped).
    public let refusals: [PluginRefusal]
    /// Whether to show unknown members as warnings.
    public let strictInput: Bool

    /// A context.
    public init(plugins: [PluginDescription], abi: [String: UInt32], language: Language, refusals: [PluginRefusal], strictInput: Bool) {
        self.plugins = plugins
        self.abi = abi
        self.language = language
        self.refusals = refusals
        self.strictInput = strictInput
    }
}

/// Renders the JSON report (SPEC §6).
public enum JSONReport {
    /// The whole report as one JSON document.
    public static func render(_ results: [ApplicationResult], summary: ReportSummary, context: ReportContext) -> [UInt8] {
        var writer = JSONWriter(indent: 2)
        writer.beginObject()
        writer.key("tool")
        writer.beginObject()
        writer.field("name", Tool.name)
        writer.field("version", Tool.version)
        writer.endObject()
        writer.key("plugins")
        writer.beginArray()
        for plugin in context.plugins {
            writer.beginObject()
            writer.field("id", plugin.id)
            writer.field("version", plugin.version)
            writer.field("abi", Int(context.abi[plugin.id] ?? 0))
            writer.endObject()
        }
        writer.endArray()
        if !context.refusals.isEmpty {
            writer.key("refusedPlugins")
            writer.beginArray()
            for refusal in context.refusals {
                writer.beginObject()
                writer.field("file", refusal.file)
                writer.field("reason", refusal.reason)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.key("results")
        writer.beginArray()
        for result in results { write(result, to: &writer, context: context) }
        writer.endArray()
        writer.key("summary")
        writeSummary(summary, to: &writer)
        writer.endObject()
        writer.bytes.append(0x0A)
        return writer.bytes
    }

    static func writeSummary(_ summary: ReportSummary, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("applications", summary.applications)
        writer.field("pass", summary.pass)
        writer.field("fail", summary.fail)
        writer.field("review", summary.review)
        writer.field("error", summary.error)
        writer.field("notApplicable", summary.notApplicable)
        writer.endObject()
    }

    /// Writes one application's result object.
    static func write(_ result: ApplicationResult, to writer: inout JSONWriter, context: ReportContext) {
        writer.beginObject()
        writer.field("application", result.application)
        writer.field("source", result.source)
        writer.field("asOf", result.asOf)
        writer.field("verdict", result.verdict.name)
        writer.key("plugins")
        writer.beginArray()
        for plugin in result.plugins {
            writer.beginObject()
            writer.field("id", plugin.id)
            writer.field("verdict", plugin.verdict.name)
            writer.endObject()
        }
        writer.endArray()
        writer.key("findings")
        writer.beginArray()
        for finding in result.findings { write(finding, to: &writer, language: context.language) }
        writer.endArray()
        if !result.inputProblems.isEmpty {
            writer.key("inputErrors")
            writer.beginArray()
            for located in result.inputProblems {
                writer.beginObject()
                if let line = located.line { writer.field("line", line) }
                if let column = located.column { writer.field("column", column) }
                writer.field("path", located.problem.path)
                writer.field("expected", located.problem.expected)
                writer.field("found", located.problem.found)
                writer.endObject()
            }
            writer.endArray()
        }
        if context.strictInput && !result.unknownMembers.isEmpty {
            writer.key("unknownMembers")
            writer.beginArray()
            for path in result.unknownMembers { writer.string(path) }
            writer.endArray()
        }
        writer.endObject()
    }

    static func write(_ finding: FindingReport, to writer: inout JSONWriter, language: Language) {
        writer.beginObject()
        writer.field("plugin", finding.plugin)
        writer.field("rule", finding.rule)
        writer.field("verdict", finding.verdict.name)
        writer.field("message", language.pick(finding.message))
        writer.key("messages")
        writer.beginObject()
        writer.field("zh", finding.message.zh)
        writer.field("en", finding.message.en)
        writer.endObject()
        writer.key("evidence")
        writer.beginArray()
        for evidence in finding.evidence {
            writer.beginObject()
            writer.field("path", evidence.path)
            writer.key("value")
            if let value = evidence.value { writer.raw(value) } else { writer.null() }
            if evidence.kind != .value { writer.field("kind", evidence.kind.rawValue) }
            writer.endObject()
        }
        writer.endArray()
        writer.key("citations")
        writer.beginArray()
        for citation in finding.citations {
            writer.beginObject()
            writer.field("id", citation.id)
            writer.field("document", citation.document.title)
            writer.field("number", citation.document.number)
            writer.field("clause", citation.citation.clause)
            writer.field("quote", citation.citation.quote)
            if citation.citation.textStatus != .verbatim { writer.field("textStatus", citation.citation.textStatus.rawValue) }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}

/// Renders the human-readable report: grouped by application, each finding with its evidence
/// and clauses. Colour only when asked (a terminal without `NO_COLOR`).
public struct TextReport {
    let context: ReportContext
    let colour: Bool

    /// A renderer.
    public init(context: ReportContext, colour: Bool) {
        self.context = context
        self.colour = colour
    }

    var language: Language { context.language }

    func paint(_ text: String, _ verdict: Verdict) -> String {
        guard colour else { return text }
        let code = switch verdict {
        case .pass: "32"
        case .fail: "31;1"
        case .review: "33"
        case .error: "35;1"
        case .notApplicable: "2"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    func label(_ verdict: Verdict) -> String {
        switch (language, verdict) {
        case (.zh, .pass): "通过"
        case (.zh, .fail): "不通过"
        case (.zh, .review): "需人工审核"
        case (.zh, .error): "错误"
        case (.zh, .notApplicable): "不适用"
        case (.en, _): verdict.name.uppercased()
        }
    }

    /// The whole report.
    public func render(_ results: [ApplicationResult], summary: ReportSummary) -> String {
        var output = ""
        for refusal in context.refusals { output += paint("! \(refusal)", .error) + "\n" }
        if !context.refusals.isEmpty { output += "\n" }
        for result in results { output += render(result) + "\n" }
        output += renderSummary(summary)
        return output
    }

    /// One application's block.
    public func render(_ result: ApplicationResult) -> String {
        var lines: [String] = []
        let name = result.application ?? language.pick(zh: "（无法读取申请编号）", en: "(application id unreadable)")
        let asOf = result.asOf.map { language.pick(zh: "  截至 \($0)", en: "  as of \($0)") } ?? ""
        lines.append(paint("\(name)  \(label(result.verdict))", result.verdict) + "  \(result.source)\(asOf)")
        for located in result.inputProblems {
            var position = ""
            if let line = located.line { position = language.pick(zh: "第\(line)行", en: "line \(line)") + (located.column.map { language.pick(zh: "第\($0)列", en: ", column \($0)") } ?? "") + " " }
            let problem = located.problem
            lines.append("  " + paint("✗", .error) + " \(position)\(problem.path): " + language.pick(zh: "应为 \(problem.expected)，实为 \(problem.found)", en: "expected \(problem.expected), found \(problem.found)"))
        }
        if context.strictInput {
            for path in result.unknownMembers { lines.append("  " + language.pick(zh: "警告：未知字段 \(path)（已忽略）", en: "warning: unknown member \(path) (ignored)")) }
        }
        for plugin in result.plugins {
            lines.append("  " + paint("\(plugin.id)  \(label(plugin.verdict))", plugin.verdict))
            for finding in result.findings where finding.plugin == plugin.id {
                lines.append("    " + paint(symbol(finding.verdict), finding.verdict) + " \(finding.rule)  \(label(finding.verdict))")
                lines.append(contentsOf: wrap(language.pick(finding.message), indent: "      "))
                if !finding.evidence.isEmpty {
                    let items = finding.evidence.map { evidence -> String in
                        switch evidence.kind {
                        case .value: "\(evidence.path) = \(evidence.value ?? "null")"
                        case .absent: "\(evidence.path) " + language.pick(zh: "（缺失）", en: "(missing)")
                        case .derived: "\(evidence.path): \(evidence.value ?? "")"
                        }
                    }
                    lines.append("      " + language.pick(zh: "依据字段：", en: "evidence: ") + items.joined(separator: "; "))
                }
                for citation in finding.citations {
                    lines.append("      " + language.pick(zh: "条款：", en: "clause: ") + format(citation))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func symbol(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: "✓"
        case .fail: "✗"
        case .review: "?"
        case .error: "!"
        case .notApplicable: "–"
        }
    }

    /// 《title》（number）clause：“quote”.
    func format(_ citation: ResolvedCitation) -> String {
        var text = "《\(citation.document.title)》"
        if let number = citation.document.number { text += "（\(number)）" }
        text += citation.citation.clause
        if let quote = citation.citation.quote {
            text += "：“\(quote)”"
        } else {
            text += language.pick(zh: "（条文未取得）", en: " (wording not obtained)")
        }
        if citation.citation.textStatus != .verbatim {
            text += " [textStatus: \(citation.citation.textStatus.rawValue)]"
        }
        return text
    }

    func wrap(_ text: String, indent: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { indent + $0 }
    }

    func renderSummary(_ summary: ReportSummary) -> String {
        language.pick(
            zh: "合计 \(summary.applications) 份申请：通过 \(summary.pass)，不通过 \(summary.fail)，需人工审核 \(summary.review)，错误 \(summary.error)，不适用 \(summary.notApplicable)\n",
            en: "\(summary.applications) application\(summary.applications == 1 ? "" : "s"): \(summary.pass) pass, \(summary.fail) fail, \(summary.review) review, \(summary.error) error, \(summary.notApplicable) not applicable\n")
    }
}
