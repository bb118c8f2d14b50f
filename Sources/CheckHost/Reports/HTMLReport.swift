import CheckAPI

/// A self-contained, printable HTML report: a summary, a table of applications and plugin
/// verdicts, then every application (in input order, as every format) with its findings, evidence and the clauses
/// quoted in full. No scripts, no external resources.
public struct HTMLReport: DocumentReportRenderer {
    let context: ReportContext
    public var results: [ApplicationResult] = []

    /// A renderer.
    public init(context: ReportContext) {
        self.context = context
    }

    var language: Language { context.language }

    static let style = """
    :root { --pass: #1b7a3a; --fail: #b3261e; --review: #9a6700; --error: #7b2ea0; --na: #6b7280; --rule: #d0d7de; }
    * { box-sizing: border-box; }
    body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif;
           margin: 2rem auto; max-width: 60rem; padding: 0 1.5rem; color: #1f2328; line-height: 1.55; font-size: 15px; }
    h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
    h2 { font-size: 1.2rem; margin: 2.2rem 0 .4rem; padding-top: .8rem; border-top: 2px solid var(--rule); }
    h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
    .meta { color: #57606a; font-size: .9rem; margin: .2rem 0 1rem; }
    .counts { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
    .count { border: 1px solid var(--rule); border-radius: 6px; padding: .4rem .8rem; min-width: 6.5rem; }
    .count b { display: block; font-size: 1.4rem; }
    table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .9rem; }
    th, td { border: 1px solid var(--rule); padding: .35rem .5rem; text-align: left; vertical-align: top; }
    th { background: #f6f8fa; }
    td a { color: inherit; }
    .badge { display: inline-block; padding: .05rem .45rem; border-radius: 4px; color: #fff; font-size: .8rem; font-weight: 600; white-space: nowrap; }
    .pass { background: var(--pass); } .fail { background: var(--fail); } .review { background: var(--review); }
    .error { background: var(--error); } .not-applicable { background: var(--na); }
    .finding { border-left: 4px solid var(--rule); padding: .3rem 0 .3rem .8rem; margin: .6rem 0; break-inside: avoid; }
    .finding.fail { border-left-color: var(--fail); background: none; } .finding.review { border-left-color: var(--review); background: none; }
    .finding.pass { border-left-color: var(--pass); background: none; } .finding.error { border-left-color: var(--error); background: none; }
    .finding.not-applicable { border-left-color: var(--na); background: none; }
    .rule { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85rem; }
    .evidence { font-size: .85rem; color: #424a53; margin: .3rem 0; }
    .evidence ul { margin: .1rem 0 .2rem; padding-left: 1.2rem; }
    .evidence code { background: #f6f8fa; padding: 0 .2rem; border-radius: 3px; word-break: break-all; }
    blockquote { margin: .35rem 0; padding: .3rem .7rem; border-left: 3px solid #8c959f; background: #f6f8fa; font-size: .9rem; }
    .status { color: var(--review); font-size: .8rem; }
    .problems li { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85rem; }
    footer { margin-top: 3rem; color: #57606a; font-size: .8rem; border-top: 1px solid var(--rule); padding-top: .6rem; }
    @media print {
      body { margin: 0; max-width: none; font-size: 11pt; }
      h2 { break-before: page; }
      a { text-decoration: none; }
      .badge, .count, th, blockquote { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }
    """

    func badge(_ verdict: Verdict) -> String {
        "<span class=\"badge \(verdict.name)\">\(xml(verdictLabel(verdict, language)))</span>"
    }

    public mutating func finish(_ summary: ReportSummary) -> [UInt8] {
        let ordered = results
        let plugins = context.plugins.map(\.id)
        var html = "<!DOCTYPE html>\n<html lang=\"\(language == .zh ? "zh-CN" : "en")\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(xml(language.pick(zh: "合规检查报告", en: "Compliance check report")))</title>\n<style>\n\(Self.style)\n</style>\n</head>\n<body>\n"
        html += "<h1>\(xml(language.pick(zh: "外商投资项目合规检查报告", en: "Foreign-investment project compliance report")))</h1>\n"
        html += "<p class=\"meta\">\(xml(Tool.name)) \(xml(Tool.version)) · " + context.plugins.map { xml("\($0.id) \($0.version)") }.joined(separator: " · ") + "</p>\n"
        for refusal in context.refusals { html += "<p class=\"finding error\">⚠ \(xml(refusal.description))</p>\n" }
        html += "<div class=\"counts\">\n"
        for (label, value, verdict) in [(language.pick(zh: "申请", en: "Applications"), summary.applications, nil),
                                        (verdictLabel(.fail, language), summary.fail, Verdict.fail),
                                        (verdictLabel(.review, language), summary.review, .review),
                                        (verdictLabel(.error, language), summary.error, .error),
                                        (verdictLabel(.pass, language), summary.pass, .pass),
                                        (verdictLabel(.notApplicable, language), summary.notApplicable, .notApplicable)] as [(String, Int, Verdict?)] {
            let colour = verdict.map { " style=\"border-color: var(--\($0 == .notApplicable ? "na" : $0.name))\"" } ?? ""
            html += "  <div class=\"count\"\(colour)><b>\(value)</b>\(xml(label))</div>\n"
        }
        html += "</div>\n<table>\n<thead><tr><th>\(xml(language.pick(zh: "申请", en: "Application")))</th><th>\(xml(language.pick(zh: "项目", en: "Project")))</th><th>\(xml(language.pick(zh: "结论", en: "Verdict")))</th>"
        html += plugins.map { "<th>\(xml($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (index, result) in ordered.enumerated() {
            html += "<tr><td><a href=\"#a\(index)\">\(xml(result.displayName(language)))</a></td><td>\(xml(result.projectName ?? "—"))</td><td>\(badge(result.verdict))</td>"
            html += plugins.map { id in "<td>" + (result.plugins.first { $0.id == id }.map { badge($0.verdict) } ?? "—") + "</td>" }.joined()
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n"
        for (index, result) in ordered.enumerated() {
            html += "<section id=\"a\(index)\">\n<h2>\(xml(result.displayName(language)))" + (result.projectName.map { " · \(xml($0))" } ?? "") + " \(badge(result.verdict))</h2>\n"
            html += "<p class=\"meta\">\(xml(language.pick(zh: "来源", en: "Source"))): <code>\(xml(result.source))</code>"
            if let asOf = result.asOf { html += " · \(xml(language.pick(zh: "截至", en: "as of"))) \(asOf)" }
            html += "</p>\n"
            if !result.inputProblems.isEmpty {
                html += "<p>\(xml(language.pick(zh: "无法评估的输入：", en: "The input could not be evaluated:")))</p>\n<ul class=\"problems\">\n"
                html += result.inputProblems.map { "<li>\(xml(inputProblemText($0, language)))</li>\n" }.joined() + "</ul>\n"
            }
            for plugin in result.plugins {
                html += "<h3>\(xml(plugin.id)) \(badge(plugin.verdict))</h3>\n"
                for finding in result.findings where finding.plugin == plugin.id {
                    html += "<div class=\"finding \(finding.verdict.name)\">\n<div><span class=\"rule\">\(xml(finding.rule))</span> \(badge(finding.verdict))</div>\n"
                    html += "<p>\(xml(finding.message(in: language)))</p>\n"
                    if !finding.evidence.isEmpty {
                        html += "<div class=\"evidence\">\(xml(language.pick(zh: "依据字段：", en: "Evidence:")))<ul>"
                        html += finding.evidence.map { "<li><code>\(xml(evidenceText($0, language)))</code></li>" }.joined() + "</ul></div>\n"
                    }
                    for citation in finding.citations {
                        html += "<blockquote>《\(xml(citation.document.title))》" + (citation.document.number.map { "（\(xml($0))）" } ?? "") + xml(citation.citation.clause)
                        if let quote = citation.citation.quote { html += "：“\(xml(quote))”" } else { html += xml(language.pick(zh: "（条文未取得）", en: " (wording not obtained)")) }
                        if citation.citation.textStatus != .verbatim {
                            let note = language.pick(zh: "（\(citation.citation.textStatus.noteZh)）", en: " (\(citation.citation.textStatus.noteEn))")
                            html += " <span class=\"status\">\(xml(note))</span>"
                        }
                        html += "</blockquote>\n"
                    }
                    html += "</div>\n"
                }
            }
            html += "</section>\n"
        }
        html += "<footer>\(xml(summaryText(summary, language)))</footer>\n</body>\n</html>\n"
        return Array(html.utf8)
    }
}
