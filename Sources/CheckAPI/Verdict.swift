import CCheckABI

/// The outcome of a rule for one application (SPEC §4), ordered by severity:
/// `notApplicable < pass < review < fail < error`.
public enum Verdict: UInt32, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// The rule does not concern this application.
    case notApplicable = 0
    /// The rule is satisfied, or the claimed benefit is confirmed.
    case pass = 1
    /// A person must decide; the message says what is missing.
    case review = 2
    /// The rule is violated, on verified clause text.
    case fail = 3
    /// The rule could not be evaluated (crash, timeout, bad output). Never a pass.
    case error = 4

    /// The report spelling: `not-applicable`, `pass`, `review`, `fail`, `error`.
    public var name: String {
        switch self {
        case .notApplicable: "not-applicable"
        case .pass: "pass"
        case .review: "review"
        case .fail: "fail"
        case .error: "error"
        }
    }

    /// The verdict spelled `name`, if any.
    public init?(name: String) {
        guard let match = Verdict.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// The report spelling.
    public var description: String { name }

    /// Severity order.
    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The C value (`check_verdict`).
    public var cValue: UInt32 { rawValue }
}

extension Sequence where Element == Verdict {
    /// The worst verdict (SPEC §4), or `notApplicable` for none.
    @inlinable public var worst: Verdict { self.max() ?? .notApplicable }
}
