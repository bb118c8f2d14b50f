import CheckAPI
import CheckJSON
import Foundation
import Synchronization

/// Runs a plugin's example applications — files named `<expected-verdict>--<what>.json` — and
/// checks each gives its verdict, cites a clause, and (for fail and review) names its evidence;
/// and that the examples include one that triggers the plugin and one that does not, as
/// SwiftLint's rule examples do. It also checks the plugin's conduct (SPEC §9): that it prints
/// nothing to standard output, and, if it declares CHECK_PLUGIN_THREAD_SAFE, that evaluating
/// the examples from several threads at once gives the same findings. (A write to the
/// application it reads faults at once: the crash notice names it.) Used by `check test-plugin`
/// and by the test suite.
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
        /// Problems with the set of examples as a whole, and with the plugin's conduct.
        public let problems: [String]
        /// What is worth knowing and is not wrong (e.g. that the plugin is serialised).
        public let notes: [String]
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
            lines += notes.map { "· \($0)" }
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
        let handle = session.plugins.first { $0.id == plugin }
        var outcomes: [Outcome] = []
        var declared = Set<Verdict>()
        let records = names.map { name -> InputRecord in
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                return .unreadable(source: name, problem: InputProblem(path: "$", expected: "a readable file", found: "a file that cannot be read"))
            }
            return .application(bytes: [UInt8](data), source: name, line: nil)
        }
        let (sequential, printed) = capturingStandardOutput { evaluator.evaluate(records) }
        for (name, result) in zip(names, sequential) {
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
        var notes: [String] = []
        if declared.isDisjoint(with: [.fail, .review]) { problems.append("no example triggers the plugin (fail--… or review--…)") }
        if declared.isDisjoint(with: [.pass, .notApplicable]) { problems.append("no example leaves it untriggered (pass--… or not-applicable--…)") }
        if !printed.isEmpty {
            let first = String(decoding: printed.prefix { $0 != 0x0A }.prefix(120), as: UTF8.self)
            problems.append("it printed \(printed.count) byte(s) to standard output while evaluating (first line: \(JSONWriter.quoted(first))): "
                            + "a plugin must not print; check sends it to standard error, where it mixes with the run's messages")
        }
        if let handle, handle.isSerialised {
            notes.append("not declared thread-safe (CHECK_PLUGIN_THREAD_SAFE): check evaluates it one application at a time, whatever --jobs says")
        } else if handle?.isIsolated == false {
            let differing = concurrentDifferences(plugin: plugin, names: names, records: records, expected: sequential, session: session)
            if !differing.isEmpty {
                problems.append("it declares CHECK_PLUGIN_THREAD_SAFE, but evaluated from \(concurrentThreads) threads at once it gave other findings for "
                                + differing.prefix(3).joined(separator: ", ") + (differing.count > 3 ? " and \(differing.count - 3) more" : "")
                                + ": keep what evaluate works on in its own call (not in static or shared memory), or do not set the flag")
            }
        }
        return Report(outcomes: outcomes, problems: problems, notes: notes)
    }

    /// How many threads the concurrency check evaluates on, and how often each runs the examples.
    static let concurrentThreads = 4, concurrentRounds = 50

    /// The examples whose findings differ from `expected` when `concurrentThreads` threads
    /// evaluate them at once, `concurrentRounds` times each.
    static func concurrentDifferences(plugin: String, names: [String], records: [InputRecord], expected: [ApplicationResult],
                                      session: CheckSession) -> [String] {
        let wanted = expected.map { fingerprint($0, plugin) }
        // One evaluator per thread (an evaluator is not thread-safe; the plugin is what is tested).
        let evaluators = EvaluatorsPerThread((0..<concurrentThreads).map { _ in session.makeEvaluator() })
        let differing = DifferingNames()
        DispatchQueue.concurrentPerform(iterations: concurrentThreads) { thread in
            for _ in 0..<concurrentRounds {
                // One application per call, so that the threads' calls interleave.
                for (position, record) in records.enumerated() {
                    let result = evaluators.all[thread].evaluate([record])[0]
                    if fingerprint(result, plugin) != wanted[position] { differing.insert(names[position]) }
                }
            }
        }
        return differing.sorted
    }

    /// A plugin's findings on one application, as text to compare.
    static func fingerprint(_ result: ApplicationResult, _ plugin: String) -> String {
        result.findings.filter { $0.plugin == plugin }.map { finding in
            "\(finding.rule) \(finding.verdict.name) \(finding.message(in: .zh)) \(finding.message(in: .en)) "
                + finding.evidence.map { "\($0.path)=\($0.value ?? "")" }.joined(separator: ";")
        }.joined(separator: "\n")
    }

    /// Runs `body` with file descriptor 1 pointing at a temporary file; returns its result and
    /// what was written there (a plugin's printf or print, which `check` otherwise sends to
    /// standard error).
    static func capturingStandardOutput<Result>(_ body: () -> Result) -> (Result, [UInt8]) {
        fflush(nil)
        guard let capture = tmpfile() else { return (body(), []) }
        defer { fclose(capture) }
        let saved = dup(1)
        guard saved >= 0, dup2(fileno(capture), 1) >= 0 else { return (body(), []) }
        let result = body()
        fflush(nil)
        dup2(saved, 1)
        close(saved)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        lseek(fileno(capture), 0, SEEK_SET)
        while case let count = read(fileno(capture), &chunk, chunk.count), count > 0 { bytes += chunk.prefix(count) }
        return (result, bytes)
    }

    /// Evaluators handed to threads.
    /// (Unchecked `Sendable`: thread `i` uses `all[i]` and no other.)
    private final class EvaluatorsPerThread: @unchecked Sendable {
        let all: [Evaluator]
        init(_ all: [Evaluator]) { self.all = all }
    }

    /// The names of the examples that differed, from several threads.
    private final class DifferingNames: Sendable {
        private let names = Mutex<Set<String>>([])
        func insert(_ name: String) { names.withLock { _ = $0.insert(name) } }
        var sorted: [String] { names.withLock { $0.sorted() } }
    }

    static func firstMessage(_ result: ApplicationResult, _ plugin: String) -> String {
        guard let finding = result.findings.filter({ $0.plugin == plugin }).max(by: { $0.verdict < $1.verdict }) else { return "" }
        return " (\(finding.rule): \(finding.message(in: .en)))"
    }
}
