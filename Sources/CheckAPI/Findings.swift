import CCheckABI

/// A piece of evidence: the application value or field a finding rests on.
public enum Evidence {
    /// A value of the application; the host reports its JSON path and value.
    case value(JSONNode)
    /// A field the rule looked for and did not find, by JSON path (e.g. `$.rdCentre`).
    case absent(String)
    /// A value the rule computed from the application (e.g. the total foreign share).
    case derived(label: String, value: String)
}

/// One finding of a rule about an application (SPEC §4).
public struct Finding {
    /// The rule id, declared in the plugin's description.
    public let rule: String
    /// The verdict.
    public let verdict: Verdict
    /// What was found, why it matters and what would change the verdict.
    public let message: Localized
    /// The application fields it used.
    public var evidence: [Evidence]
    /// Ids of the clauses it rests on (see `check rules`).
    public var citations: [String]

    /// A finding.
    public init(rule: String, verdict: Verdict, message: Localized, evidence: [Evidence] = [], citations: [String] = []) {
        self.rule = rule
        self.verdict = verdict
        self.message = message
        self.evidence = evidence
        self.citations = citations
    }
}

/// Where a plugin reports findings: a thin wrapper over the host's `check_sink`.
public struct Findings {
    let sink: UnsafePointer<check_sink>
    /// The message languages the host asked for; the others are passed as NULL.
    let languages: MessageLanguages
    /// How many findings were reported so far.
    public private(set) var count = 0

    /// A wrapper over `sink`, for a request that wants `languages`.
    public init(sink: UnsafePointer<check_sink>, languages: MessageLanguages) {
        self.sink = sink
        self.languages = languages
    }

    /// Reports `finding` to the host.
    public mutating func report(_ finding: Finding) {
        let sink = self.sink.pointee
        let context = sink.context
        finding.rule.withCString { rule in
            withOptionalCString(languages.contains(.zh) ? finding.message.zhText : nil) { zh in
                withOptionalCString(languages.contains(.en) ? finding.message.enText : nil) { en in
                    sink.finding(context, rule, finding.verdict.cValue, zh, en)
                }
            }
        }
        for item in finding.evidence {
            switch item {
            case .value(let node): sink.evidence(context, node.index)
            case .absent(let path): path.withCString { sink.evidence_absent(context, $0) }
            case .derived(let label, let value):
                label.withCString { label in value.withCString { sink.evidence_derived(context, label, $0) } }
            }
        }
        for citation in finding.citations {
            citation.withCString { sink.cite(context, $0) }
        }
        count += 1
    }
}

/// Calls `body` with `text` as a C string, or with NULL when `text` is nil.
private func withOptionalCString<Result>(_ text: MessageText?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let text else { return body(nil) }
    return text.withCString(body)
}
