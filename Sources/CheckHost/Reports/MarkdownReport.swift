import CheckAPI
import Foundation

/// A Markdown report: a summary table, then each application (in input order, as every format) with its findings,
/// evidence and every clause quoted.
public struct MarkdownReport: DocumentReportRenderer {
    let context: ReportContext
    public var results: [ApplicationResult] = []

    /// A renderer.
    public init(context: ReportContext) {
        self.context = context
    }

    var language: Language { context.language }

    /// Text for a table cell or a heading: made safe to show, HTML escaped (Markdown passes
    /// HTML through: `<img onerror>` would run), `|` escaped, one line.
    func cell(_ text: String) -> String {
        inline(text).replacingOccurrences(of: "|", with: "\\|")
    }

    /// Text anywhere else: safe to show, HTML escaped, one line (a newline or a carriage
    /// return could start a row or a heading of its own).
    func inline(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in displaySafe(text) {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "`": escaped += "&#96;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    public mutating func finish(_ summary: ReportSummary) -> [UInt8] {
        let ordered = results
        var text = "# " + language.pick(zh: "合规检查报告", en: "Compliance check report") + "\n\n"
        text += "\(Tool.name) \(Tool.version) · " + context.plugins.map { "\($0.id) \($0.version)" }.joined(separator: " · ") + "\n\n"
        text += "**\(summaryText(summary, language))**\n\n"
        for refusal in context.refusals { text += "> ⚠ \(inline(refusal.description))\n\n" }
        let plugins = context.plugins.map(\.id)
        text += "| " + ([language.pick(zh: "申请", en: "Application"), language.pick(zh: "项目", en: "Project"), language.pick(zh: "结论", en: "Verdict")] + plugins).joined(separator: " | ") + " |\n"
        text += "|" + Array(repeating: "---|", count: plugins.count + 3).joined() + "\n"
        for result in ordered {
            let verdicts = plugins.map { id in result.plugins.first { $0.id == id }.map { verdictLabel($0.verdict, language) } ?? "—" }
            text += "| " + ([cell(result.displayName(language)), cell(result.projectName ?? "—"), "**\(verdictLabel(result.verdict, language))**"] + verdicts).joined(separator: " | ") + " |\n"
        }
        for result in ordered {
            text += "\n## \(cell(result.displayName(language)))" + (result.projectName.map { " · \(cell($0))" } ?? "") + " — \(verdictLabel(result.verdict, language))\n\n"
            text += language.pick(zh: "来源", en: "Source") + ": \(inline(result.source))"
            if let asOf = result.asOf { text += " · " + language.pick(zh: "截至", en: "as of") + " \(asOf)" }
            text += "\n"
            if !result.inputProblems.isEmpty {
                text += "\n" + language.pick(zh: "无法评估的输入：", en: "The input could not be evaluated:") + "\n\n"
                for located in result.inputProblems { text += "- \(inline(inputProblemText(located, language)))\n" }
            }
            for plugin in result.plugins {
                text += "\n### \(plugin.id) — \(verdictLabel(plugin.verdict, language))\n\n"
                for finding in result.findings where finding.plugin == plugin.id {
                    text += "- **\(finding.rule)** — \(verdictLabel(finding.verdict, language)): \(inline(finding.message(in: language)))\n"
                    if !finding.evidence.isEmpty {
                        text += "  - " + language.pick(zh: "依据字段", en: "Evidence") + ": " + finding.evidence.map { inline(evidenceText($0, language)) }.joined(separator: "; ") + "\n"
                    }
                    for citation in finding.citations { text += "  - > \(inline(citationText(citation, language)))\n" }
                }
            }
        }
        return Array(text.utf8)
    }
}
