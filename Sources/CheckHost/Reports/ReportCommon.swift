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
    /// The message languages a report in this language needs from plugins.
    public var messageLanguages: MessageLanguages { self == .zh ? .zh : .en }
}

/// Counts of application verdicts.
public struct ReportSummary: Sendable, Equatable {
    /// Applications (inputs) reported.
    public var applications = 0
    /// Per verdict.
    public var pass = 0, fail = 0, review = 0, error = 0, notApplicable = 0
    /// What could not be evaluated, one line each (the first 20), for the end-of-run summary.
    public var problems: [String] = []
    /// How many problems there were in all.
    public var problemCount = 0

    /// An empty summary.
    public init() {}

    /// Counts `result`, noting plugin errors and unreadable inputs.
    public mutating func add(_ result: ApplicationResult) {
        add(contentsOf: [result])
    }

    /// Counts each of `results`, in order, noting plugin errors and unreadable inputs. (Read by
    /// position, and only errors are read further: passing a result on copies it, a retain per
    /// field.)
    public mutating func add(contentsOf results: [ApplicationResult]) {
        for index in results.indices {
            add(results[index].verdict)
            guard results[index].verdict == .error else { continue }  // (only errors are listed)
            let result = results[index]
            var lines = result.findings.filter { $0.verdict == .error }.map { "\(result.displayName(.en)) (\(result.source)) \($0.plugin): \($0.message(in: .en))" }
            if !result.inputProblems.isEmpty { lines.append("\(result.source): input could not be evaluated (\(result.inputProblems.count) problem(s))") }
            problemCount += lines.count
            problems += lines.prefix(max(0, 20 - problems.count))
        }
    }

    /// Adds the counts and problems of `other`, a summary of later results.
    public mutating func add(_ other: ReportSummary) {
        applications += other.applications
        pass += other.pass
        fail += other.fail
        review += other.review
        error += other.error
        notApplicable += other.notApplicable
        problemCount += other.problemCount
        problems += other.problems.prefix(max(0, 20 - problems.count))
    }

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

/// A report format: streaming (each result written as it comes, ``StreamingReportRenderer``)
/// or a document (every result kept and written from `finish`, ``DocumentReportRenderer``; use
/// json or jsonl for huge batches).
public protocol ReportRenderer: Sendable {
    /// Bytes to write before any result.
    mutating func begin() -> [UInt8]
    /// Bytes to write after the last result.
    mutating func finish(_ summary: ReportSummary) -> [UInt8]
    /// This renderer if it streams, nil for a document format (no dynamic cast at run time).
    var streaming: (any StreamingReportRenderer)? { get }
    /// Hands a document format all results, in input order, before `finish`.
    mutating func keep(_ results: [ApplicationResult])
}

/// A format that writes each result on its own, in input order, as soon as it is known.
public protocol StreamingReportRenderer: ReportRenderer {
    /// Appends `result` to `output`; `first` says whether it is the report's first result.
    /// Must not depend on other results: it is called from several threads.
    func write(_ result: ApplicationResult, first: Bool, to output: inout JSONPieces)
}

extension StreamingReportRenderer {
    /// Itself.
    public var streaming: (any StreamingReportRenderer)? { self }
    /// Nothing to keep: every result was written as it came.
    public mutating func keep(_ results: [ApplicationResult]) {}
}

/// A format that needs every result before it can write (tables, counts):
/// it keeps them and writes everything from `finish`.
public protocol DocumentReportRenderer: ReportRenderer {
    /// The results so far, in input order.
    var results: [ApplicationResult] { get set }
}

extension DocumentReportRenderer {
    /// Nothing comes before the document.
    public mutating func begin() -> [UInt8] { [] }
    /// Not streaming.
    public var streaming: (any StreamingReportRenderer)? { nil }
    /// Keeps `results` for `finish`.
    public mutating func keep(_ results: [ApplicationResult]) { self.results = results }
}

/// The report formats.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, jsonl, junit, markdown, html

    /// A renderer for this format.
    public func renderer(context: ReportContext, colour: Bool, failOn: Verdict) -> any ReportRenderer {
        switch self {
        case .text: TextReport(context: context, colour: colour)
        case .json: JSONReport(context: context)
        case .jsonl: JSONLinesReport(context: context)
        case .junit: JUnitReport(context: context, failOn: failOn)
        case .markdown: MarkdownReport(context: context)
        case .html: HTMLReport(context: context)
        }
    }
}

extension ApplicationResult {
    /// The application's name for headings: its id, or a note that it could not be read.
    func displayName(_ language: Language) -> String {
        application ?? language.pick(zh: "（无法读取申请编号）", en: "(application id unreadable)")
    }
}

/// Labels of verdicts in the report languages.
func verdictLabel(_ verdict: Verdict, _ language: Language) -> String {
    switch (language, verdict) {
    case (.zh, .pass): "通过"
    case (.zh, .fail): "不通过"
    case (.zh, .review): "需人工审核"
    case (.zh, .error): "错误"
    case (.zh, .notApplicable): "不适用"
    case (.en, _): verdict.name.uppercased()
    }
}

/// 《title》（number）clause：“quote”, with the status when the wording is not verbatim.
func citationText(_ citation: ResolvedCitation, _ language: Language) -> String {
    var text = "《\(citation.document.title)》"
    if let number = citation.document.number { text += "（\(number)）" }
    text += citation.citation.clause
    if let quote = citation.citation.quote {
        text += "：“\(quote)”"
    } else {
        text += language.pick(zh: "（条文未取得）", en: " (wording not obtained)")
    }
    if citation.citation.textStatus != .verbatim {
        text += language.pick(zh: "（\(citation.citation.textStatus.noteZh)）", en: " (\(citation.citation.textStatus.noteEn))")
    }
    return text
}

/// One line per piece of evidence: `$.path = value`, `$.path (missing)`, `(computed) label: value`
/// (marked, so that a label can never pass for a path into the application).
func evidenceText(_ evidence: EvidenceReport, _ language: Language) -> String {
    switch evidence.kind {
    case .value: "\(evidence.path) = \(evidence.value ?? "null")"
    case .absent: "\(evidence.path) " + language.pick(zh: "（缺失）", en: "(missing)")
    case .derived: language.pick(zh: "（插件计算）", en: "(computed) ") + "\(evidence.path): \(evidence.value ?? "")"
    }
}

/// "line 3, column 7 $.path: expected …, found …".
func inputProblemText(_ located: LocatedInputProblem, _ language: Language) -> String {
    var position = ""
    if let line = located.line {
        position = language.pick(zh: "第\(line)行", en: "line \(line)") + (located.column.map { language.pick(zh: "第\($0)列", en: ", column \($0)") } ?? "") + " "
    }
    let problem = located.problem
    return position + "\(problem.path): " + language.pick(zh: "应为 \(problem.expected)，实为 \(problem.found)", en: "expected \(problem.expected), found \(problem.found)")
}

/// "3 applications: 1 pass, …".
func summaryText(_ summary: ReportSummary, _ language: Language) -> String {
    language.pick(
        zh: "合计 \(summary.applications) 份申请：通过 \(summary.pass)，不通过 \(summary.fail)，需人工审核 \(summary.review)，错误 \(summary.error)，不适用 \(summary.notApplicable)",
        en: "\(summary.applications) application\(summary.applications == 1 ? "" : "s"): \(summary.pass) pass, \(summary.fail) fail, \(summary.review) review, \(summary.error) error, \(summary.notApplicable) not applicable")
}

/// `text` made safe to show (SPEC §6: nothing in an application or a plugin message can forge
/// a line, a row or a verdict): control characters (C0 but `\n` where `keepNewlines`, DEL, C1),
/// ANSI escapes (ESC is a control character), carriage returns and the Unicode bidirectional
/// controls (LRM, RLM, ALM, LRE…RLO, LRI…PDI) and BOM are written out as `\u{…}`, visible and
/// inert. Text without any of them (nearly all) is returned as it is, after one byte scan.
public func displaySafe(_ text: String, keepNewlines: Bool = false) -> String {
    var needs = false
    var copy = text
    copy.withUTF8 { bytes in
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F {
                if !(keepNewlines && byte == 0x0A) && byte != 0x09 { needs = true; return }
            } else if byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] >= 0x80 && bytes[index + 1] <= 0x9F {
                needs = true; return  // C1 controls
            } else if byte == 0xD8 && index + 1 < bytes.count && bytes[index + 1] == 0x9C {
                needs = true; return  // U+061C ALM
            } else if byte == 0xE2 && index + 2 < bytes.count {
                let second = bytes[index + 1], third = bytes[index + 2]
                if (second == 0x80 && (third == 0x8E || third == 0x8F || (third >= 0xAA && third <= 0xAE))) || (second == 0x81 && third >= 0xA6 && third <= 0xA9) {
                    needs = true; return  // LRM RLM, LRE…RLO, LRI…PDI
                }
            } else if byte == 0xEF && index + 2 < bytes.count && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF {
                needs = true; return  // BOM / zero-width no-break space
            }
            index += 1
        }
    }
    guard needs else { return text }
    var output = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        let value = scalar.value
        let unsafe = (value < 0x20 && !(keepNewlines && value == 0x0A) && value != 0x09) || (value >= 0x7F && value <= 0x9F)
            || value == 0x061C || value == 0x200E || value == 0x200F || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0xFEFF
        if unsafe {
            output.append(contentsOf: "\\u{\(String(value, radix: 16, uppercase: true))}".unicodeScalars)
        } else {
            output.append(scalar)
        }
    }
    return String(output)
}
