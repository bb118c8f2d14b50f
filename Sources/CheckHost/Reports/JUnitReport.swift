import CheckAPI

/// JUnit XML, as CI systems read it: one `<testsuite>` per application, one `<testcase>` per
/// application × plugin (or one `input` test case for an input that could not be evaluated).
/// `fail` is a `<failure>`, `error` an `<error>`; `review` is a `<failure type="review">` with
/// `--fail-on review` and otherwise `<skipped>` (a person must decide), like `not-applicable`.
public struct JUnitReport: DocumentReportRenderer {
    let context: ReportContext
    let failOn: Verdict
    public var results: [ApplicationResult] = []

    /// A renderer.
    public init(context: ReportContext, failOn: Verdict) {
        self.context = context
        self.failOn = failOn
    }

    var language: Language { context.language }

    enum Outcome { case passed, failure, error, skipped }

    func outcome(_ verdict: Verdict) -> Outcome {
        switch verdict {
        case .pass: .passed
        case .fail: .failure
        case .error: .error
        case .review: failOn == .review ? .failure : .skipped
        case .notApplicable: .skipped
        }
    }

    public mutating func finish(_ summary: ReportSummary) -> [UInt8] {
        var suites = ""
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        for result in results {
            var cases = ""
            var counts = (tests: 0, failures: 0, errors: 0, skipped: 0)
            func add(_ name: String, _ verdict: Verdict, _ detail: String) {
                counts.tests += 1
                let head = "    <testcase classname=\"\(xml(result.displayName(language)))\" name=\"\(xml(name))\">\n"
                var body = ""
                let firstLine = String(detail.split(separator: "\n").first ?? "")
                switch outcome(verdict) {
                case .passed: break
                case .failure:
                    counts.failures += 1
                    body += "      <failure type=\"\(verdict.name)\" message=\"\(xml(firstLine))\">\(xml(detail))</failure>\n"
                case .error:
                    counts.errors += 1
                    body += "      <error type=\"error\" message=\"\(xml(firstLine))\">\(xml(detail))</error>\n"
                case .skipped:
                    counts.skipped += 1
                    body += "      <skipped message=\"\(xml(verdict.name + ": " + firstLine))\"/>\n"
                }
                body += "      <system-out>\(xml(detail))</system-out>\n"
                cases += head + body + "    </testcase>\n"
            }
            if !result.inputProblems.isEmpty {
                add("input", .error, result.inputProblems.map { inputProblemText($0, language) }.joined(separator: "\n"))
            }
            for plugin in result.plugins {
                let lines = result.findings.filter { $0.plugin == plugin.id }.map { finding -> String in
                    var text = "\(finding.rule) [\(finding.verdict.name)]: \(finding.message(in: language))"
                    for evidence in finding.evidence { text += "\n  " + evidenceText(evidence, language) }
                    for citation in finding.citations { text += "\n  " + citationText(citation, language) }
                    return text
                }
                add(plugin.id, plugin.verdict, lines.joined(separator: "\n"))
            }
            totals.tests += counts.tests
            totals.failures += counts.failures
            totals.errors += counts.errors
            totals.skipped += counts.skipped
            suites += "  <testsuite name=\"\(xml(result.displayName(language)))\" tests=\"\(counts.tests)\" failures=\"\(counts.failures)\" errors=\"\(counts.errors)\" skipped=\"\(counts.skipped)\">\n"
            suites += "    <properties>\n      <property name=\"source\" value=\"\(xml(result.source))\"/>\n"
            if let asOf = result.asOf { suites += "      <property name=\"asOf\" value=\"\(asOf)\"/>\n" }
            suites += "      <property name=\"verdict\" value=\"\(result.verdict.name)\"/>\n    </properties>\n"
            suites += cases + "  </testsuite>\n"
        }
        let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"\(Tool.name) \(Tool.version)\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\">\n"
        return Array((head + suites + "</testsuites>\n").utf8)
    }
}

/// `text` escaped for XML and HTML text and attribute values; characters XML 1.0 forbids are dropped.
func xml(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.utf8.count)
    for scalar in displaySafe(text, keepNewlines: true).unicodeScalars {
        switch scalar {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&#39;"
        case "\n", "\t", "\r": output.unicodeScalars.append(scalar)
        default:
            if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
            output.unicodeScalars.append(scalar)
        }
    }
    return output
}
