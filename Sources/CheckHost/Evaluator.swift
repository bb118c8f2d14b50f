import CCheckABI
import CheckAPI
import Foundation

/// Evaluates batches of input records: parse and validate each once, run every plugin (in this
/// process, or in its worker), assemble the results in input order. Not thread-safe: use one
/// per thread (``CheckSession/makeEvaluator()``); the isolated plugins' workers are borrowed
/// from the session's pool for each batch.
public final class Evaluator {
    /// What all evaluators of a session share (immutable).
    struct Shared: Sendable {
        let plugins: [PluginHandle]
        let citations: CitationIndex
        let validator: ApplicationValidator
        let asOf: Day?
        let strictInput: Bool
        let referenceReader: Bool
        let messageLanguages: MessageLanguages
    }

    let shared: Shared
    private let workers: WorkerPool
    /// Where the in-process plugins read each batch's applications.
    private let readOnly = ReadOnlyApplications()

    init(shared: Shared, workers: WorkerPool) {
        self.shared = shared
        self.workers = workers
    }

    /// An application that passed validation, waiting for the plugins. (A class: it is passed
    /// to every plugin, and copying a reference is one retain, not one per field.)
    private final class Pending {
        let position: Int
        let document: JSONDocument
        let asOf: String
        let application: String?
        let projectName: String?
        let source: String
        let unknown: [String]

        init(position: Int, document: JSONDocument, asOf: String, application: String?, projectName: String?, source: String, unknown: [String]) {
            self.position = position
            self.document = document
            self.asOf = asOf
            self.application = application
            self.projectName = projectName
            self.source = source
            self.unknown = unknown
        }
    }

    /// Evaluates `records`, returning one result per record, in order.
    public func evaluate(_ records: [InputRecord]) -> [ApplicationResult] {
        var results = [ApplicationResult?](repeating: nil, count: records.count)
        var pending: [Pending] = []
        for (position, record) in records.enumerated() {
            switch record {
            case .unreadable(let source, let problem):
                results[position] = .unreadable(source: source, problems: [LocatedInputProblem(problem: problem, line: nil, column: nil)], application: nil)
            case .application(let bytes, let source, let line):
                var document: JSONDocument
                do {
                    document = shared.referenceReader ? try ReferenceReader.parse(bytes) : try JSONReader.parse(bytes)
                    TextNormalization.normalize(&document)
                } catch let error as JSONSyntaxError {
                    let problem = InputProblem(path: error.path, expected: error.expected, found: error.found)
                    results[position] = .unreadable(source: source, problems: [LocatedInputProblem(problem: problem, line: line ?? error.line, column: error.column)],
                                                    application: nil)
                    continue
                } catch {
                    let problem = InputProblem(path: "$", expected: "JSON (reference reader)", found: "\(error)")
                    results[position] = .unreadable(source: source, problems: [LocatedInputProblem(problem: problem, line: line, column: nil)], application: nil)
                    continue
                }
                let outcome: ApplicationResult? = document.withRoot { root in
                    let application = root.kind == .object ? root["id"]?.string.flatMap { $0.isEmpty ? nil : $0 } : nil
                    let projectName = root.kind == .object ? root["project"]?["name"]?.string : nil
                    let (errors, unknown) = shared.validator.problems(of: root, collectUnknown: shared.strictInput)
                    guard errors.isEmpty else {
                        return .unreadable(source: source, problems: errors.map { LocatedInputProblem(problem: $0, line: line, column: nil) },
                                           application: application, projectName: projectName, unknownMembers: unknown)
                    }
                    let asOf = shared.asOf?.description ?? root["submittedOn"]!.string!
                    pending.append(Pending(position: position, document: document, asOf: asOf, application: application,
                                           projectName: projectName, source: source, unknown: unknown))
                    return nil
                }
                if let outcome { results[position] = outcome }
            }
        }

        // Findings per plugin, per pending application: the isolated plugins all at once, on
        // their workers side by side, then the rest in this process.
        var reports = evaluateIsolated(pending)
        // Plugins other than check's own read the batch's read-only copy, made once per batch
        // if one of them runs here; check's own read the documents where they were parsed.
        var readOnlyDocuments: UnsafePointer<check_document>? = nil
        for (index, plugin) in shared.plugins.enumerated() {
            guard let inProcess = plugin.inProcess, !pending.isEmpty else { continue }
            var collector = makeCollector(plugin, count: pending.count)
            if plugin.isBuiltIn {
                for item in pending {
                    item.document.withCDocument { inProcess.evaluate(item.document, $0, application: item.application, asOf: item.asOf, into: &collector) }
                }
            } else {
                let documents = readOnlyDocuments ?? readOnly.seal(pending.map(\.document))
                readOnlyDocuments = documents
                for (position, item) in pending.enumerated() {
                    inProcess.evaluate(item.document, documents + position, application: item.application, asOf: item.asOf, into: &collector)
                }
            }
            reports[index] = collector.finish()
        }
        // Each application's findings in plugin order, in arrays sized once. (By position
        // throughout: iterating the plugins and their reports copied each, a retain apiece.)
        for (index, item) in pending.enumerated() {
            var verdicts: [PluginVerdict] = []
            verdicts.reserveCapacity(reports.count)
            var findings: [FindingReport] = []
            findings.reserveCapacity(reports.indices.reduce(0) { $0 + reports[$1].ranges[index].count })
            var worst = Verdict.notApplicable
            for plugin in reports.indices {
                let first = findings.count
                findings += reports[plugin][index]
                let verdict = (first..<findings.count).lazy.map { findings[$0].verdict }.worst
                verdicts.append(PluginVerdict(id: shared.plugins[plugin].id, verdict: verdict))
                worst = max(worst, verdict)
            }
            results[item.position] = ApplicationResult(
                application: item.application, projectName: item.projectName, source: item.source, asOf: item.asOf,
                verdict: worst, plugins: verdicts, findings: findings, inputProblems: [], unknownMembers: item.unknown)
        }
        // Moved out, not copied (a copy retains every field, and freeing `results` releases them).
        return results.indices.map { results[$0].take()! }
    }

    /// Runs the isolated plugins on `pending`, their workers side by side (the applications
    /// encoded once for all of them). Findings per plugin of the session, per application; none
    /// for the plugins evaluated in this process.
    private func evaluateIsolated(_ pending: [Pending]) -> [CollectedFindings] {
        var reports = [CollectedFindings](repeating: .none, count: shared.plugins.count)
        let isolated = shared.plugins.indices.filter { shared.plugins[$0].inProcess == nil }
        guard !pending.isEmpty, !isolated.isEmpty else { return reports }
        let batch = EncodedBatch(pending.map { ($0.asOf, $0.document) })
        var set = workers.borrow()
        let running = isolated.map { index in
            let plugin = shared.plugins[index]
            let worker = set[plugin.file] ?? WorkerProcess(plugin.launch!)
            set[plugin.file] = worker
            return worker
        }
        let outcomes = WorkerProcess.evaluate(batch, on: running)
        workers.giveBack(set)
        for (index, outcomes) in zip(isolated, outcomes) {
            var collector = makeCollector(shared.plugins[index], count: pending.count)
            for (item, outcome) in zip(pending, outcomes) {
                switch outcome {
                case .failed(let reason):
                    collector.fail(item.document, reason)
                case .events(let status, let events):
                    collector.start(item.document)
                    WorkerEvent.replay(events, into: &collector)
                    collector.end(status: status)
                }
            }
            reports[index] = collector.finish()
        }
        return reports
    }

    /// A collector for `plugin`'s findings on `count` applications.
    private func makeCollector(_ plugin: PluginHandle, count: Int) -> FindingCollector {
        FindingCollector(plugin: plugin.rules, citations: shared.citations, languages: shared.messageLanguages, capacity: count)
    }
}
