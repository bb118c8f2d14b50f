import CheckAPI

/// The human-readable report: grouped by application, in input order (as every format), each
/// finding with its evidence and clauses. Colour only when asked (a terminal without `NO_COLOR`).
public struct TextReport: DocumentReportRenderer {
    let context: ReportContext
    let colour: Bool
    public var results: [ApplicationResult] = []

    /// A renderer.
    public init(context: ReportContext, colour: Bool) {
        self.context = context
        self.colour = colour
    }

    var language: Language { context.language }

    public mutating func begin() -> [UInt8] {
        var output = ""
        for refusal in context.refusals { output += paint("! " + displaySafe(refusal.description), .error) + "\n" }
        if !context.refusals.isEmpty { output += "\n" }
        return Array(output.utf8)
    }

    public mutating func finish(_ summary: ReportSummary) -> [UInt8] {
        var output = ""
        for result in results { output += render(result) + "\n" }
        output += summaryText(summary, language) + "\n"
        return Array(output.utf8)
    }

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

    func symbol(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: "✓"
        case .fail: "✗"
        case .review: "?"
        case .error: "!"
        case .notApplicable: "–"
        }
    }

    /// One application's block.
    func render(_ result: ApplicationResult) -> String {
        var lines: [String] = []
        let asOf = result.asOf.map { language.pick(zh: "  截至 \($0)", en: "  as of \($0)") } ?? ""
        lines.append(paint("\(displaySafe(result.displayName(language)))  \(verdictLabel(result.verdict, language))", result.verdict) + "  \(displaySafe(result.source))\(asOf)")
        for located in result.inputProblems {
            lines.append("  " + paint("✗", .error) + " " + displaySafe(inputProblemText(located, language)))
        }
        if context.strictInput {
            for path in result.unknownMembers.map({ displaySafe($0) }) { lines.append("  " + language.pick(zh: "警告：未知字段 \(path)（已忽略）", en: "warning: unknown member \(path) (ignored)")) }
        }
        for plugin in result.plugins {
            lines.append("  " + paint("\(plugin.id)  \(verdictLabel(plugin.verdict, language))", plugin.verdict))
            for finding in result.findings where finding.plugin == plugin.id {
                lines.append("    " + paint(symbol(finding.verdict), finding.verdict) + " \(finding.rule)  \(verdictLabel(finding.verdict, language))")
                // One line: a newline in a plugin's message is shown, not followed, so no
                // message can pass for a finding or an application of its own.
                lines.append("      " + displaySafe(finding.message(in: language)))
                if !finding.evidence.isEmpty {
                    lines.append("      " + language.pick(zh: "依据字段：", en: "evidence: ") + displaySafe(finding.evidence.map { evidenceText($0, language) }.joined(separator: "; ")))
                }
                for citation in finding.citations {
                    lines.append("      " + language.pick(zh: "条款：", en: "clause: ") + displaySafe(citationText(citation, language)))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
