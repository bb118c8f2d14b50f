import CheckAPI
import Foundation

/// Runs a plugin's example applications — files named `<expected-verdict>--<what>.json` — and
/// checks each gives its verdict, cites a clause, and (for fail and review) names its evidence;
/// and that the examples include one that triggers the plugin and one that does not, as
/// SwiftLint's rule examples do. Used by `check test-plugin` and by the test suite.
public enum PluginTester {
    /// One example's outcome.
    public struct Outcome: Sendable {
        /// The example file name.
        public let name: String
        /// The verdict its name declares.
        public let expected: Verdict?
        /// The plugin's verdict.
        public let actual: Verdict?
        /// What is wrong with it, if anything.
        public let problems: [String]
    }

    /// The outcome of a run.
    public struct Report: Sendable {
        /// Per example.
        public let outcomes: [Outcome]
        /// Problems with the set of examples as a whole.
        public let problems: [String]
        /// Whether everything held.
        public var passed: Bool { problems.isEmpty && outcomes.allSatisfy(\.problems.isEmpty) }

        /// The report as text.
        public var text: String {
            var lines = outcomes.map { outcome -> String in
                let mark = outcome.problems.isEmpty ? "✓" : "✗"
                let got = outcome.actual?.name ?? "—"
                return "\(mark) \(outcome.name)  \(got)" + (outcome.problems.isEmpty ? "" : "\n    " + outcome.problems.joined(separator: "\n    "))
            }
            lines += problems.map { "✗ \($0)" }
            let failed = outcomes.filter { !$0.problems.isEmpty }.count
            lines.append(passed ? "\(outcomes.count) example(s), all as declared" : "\(failed) of \(outcomes.count) example(s) wrong" + (problems.isEmpty ? "" : ", \(problems.count) other problem(s)"))
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// Runs the examples in `folder` for `plugin` through `session`.
    public static func run(plugin: String, examples folder: URL, session: CheckSession) throws -> Report {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { throw HostError("no example applications (*.json) in \(folder.path)") }
        let evaluator = session.makeEvaluator()
        var outcomes: [Outcome] = []
        var declared = Set<Verdict>()
        let records = names.map { name -> InputRecord in
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                return .unreadable(source: name, problem: InputProblem(path: "$", expected: "a readable file", found: "a file that cannot be read"))
            }
            return .application(bytes: [UInt8](data), source: name, line: nil)
        }
        for (name, result) in zip(names, evaluator.evaluate(records)) {
            var problems: [String] = []
            let expected = name.range(of: "--").flatMap { Verdict(name: String(name[..<$0.lowerBound])) }
            if expected == nil { problems.append("name it <verdict>--<what>.json (verdict: pass, fail, review, not-applicable, error)") }
            for problem in result.inputProblems { problems.append("input: \(problem.problem)") }
            let actual = result.plugins.first { $0.id == plugin }?.verdict
            if let expected {
                declared.insert(expected)
                if actual != expected { problems.append("expected \(expected.name), got \(actual?.name ?? "no verdict")" + firstMessage(result, plugin)) }
            }
            for finding in result.findings where finding.plugin == plugin {
                if finding.citations.isEmpty && finding.verdict != .error { problems.append("finding \(finding.rule) cites no clause") }
                if (finding.verdict == .fail || finding.verdict == .review) && finding.evidence.isEmpty {
                    problems.append("\(finding.verdict.name) finding \(finding.rule) names no evidence")
                }
            }
            outcomes.append(Outcome(name: name, expected: expected, actual: actual, problems: problems))
        }
        var problems: [String] = []
        if declared.isDisjoint(with: [.fail, .review]) { problems.append("no example triggers the plugin (fail--… or review--…)") }
        if declared.isDisjoint(with: [.pass, .notApplicable]) { problems.append("no example leaves it untriggered (pass--… or not-applicable--…)") }
        return Report(outcomes: outcomes, problems: problems)
    }

    static func firstMessage(_ result: ApplicationResult, _ plugin: String) -> String {
        guard let finding = result.findings.filter({ $0.plugin == plugin }).max(by: { $0.verdict < $1.verdict }) else { return "" }
        return " (\(finding.rule): \(finding.message(in: .en)))"
    }
}
