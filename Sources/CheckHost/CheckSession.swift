import CCheckABI
import CheckAPI
import Foundation

/// How a session is set up: where plugins and rule data come from, and evaluation choices.
public struct SessionConfiguration: Sendable {
    /// Directories searched for `libcheck-plugin-*.so`, in order.
    public var pluginDirectories: [URL]
    /// Plugin files loaded whatever their name, before the directories.
    public var pluginFiles: [URL] = []
    /// Rules roots; the first holds the GB/T table and the seed clauses.
    public var rulesRoots: [URL]
    /// Only these plugin ids, if not empty.
    public var only: Set<String> = []
    /// Not these plugin ids.
    public var skip: Set<String> = []
    /// Overrides every application's `submittedOn` as the as-of date.
    public var asOf: Day?
    /// What may load.
    public var policy: PluginPolicy = .default
    /// The allowlist file behind `policy`, passed on to workers.
    public var allowlistFile: String?
    /// Run every plugin in a worker process.
    public var isolateAll = false
    /// Run these plugins (by file name `libcheck-plugin-<id>.so`) in worker processes.
    public var isolatedPlugins: Set<String> = []
    /// Per-application time limit for isolated plugins, seconds.
    public var pluginTimeout: Double = 10
    /// The `check` executable that provides the worker mode (needed for isolation).
    public var workerExecutable: URL?
    /// Collect the paths of members the format does not define (for `--strict-input`).
    public var strictInput = false
    /// Parse with Foundation's JSONSerialization instead of the fast reader (the benchmark's
    /// reference path for comparing verdicts).
    public var referenceReader = false
    /// The message languages plugins are asked for: the report's language, or both (the
    /// default) where both are needed (`check test-plugin`, tests).
    public var messageLanguages: MessageLanguages = .both
    /// Plugins linked into this program rather than loaded from files (a plugin's own tests,
    /// without a library): each goes through the checks and the `open` a file's plugin does.
    public var inProcessPlugins: [InProcessPlugin] = []
    /// The folder the built-in plugins ship in: only a file there may declare a reserved id
    /// (``CheckSession/reservedIDs``). `check` always sets it (to its own folder); nil leaves
    /// the ids unreserved, for embedding hosts and tests that assemble their own plugin sets.
    public var builtInDirectory: URL?
    /// Reserved ids a plugin file outside ``builtInDirectory`` may take over, by name
    /// (`--replace-plugin ID`): the built-in plugin of that id is then not loaded.
    public var replacePlugins: Set<String> = []

    /// A configuration.
    public init(pluginDirectories: [URL], rulesRoots: [URL], only: Set<String> = [], skip: Set<String> = [], asOf: Day? = nil) {
        self.pluginDirectories = pluginDirectories
        self.rulesRoots = rulesRoots
        self.only = only
        self.skip = skip
        self.asOf = asOf
    }

    func isIsolated(_ file: URL) -> Bool {
        guard !isolateAll else { return true }
        let name = file.lastPathComponent
        return isolatedPlugins.contains { name == "libcheck-plugin-\($0).so" }
    }
}

/// A plugin the session evaluates: its metadata, and either the plugin loaded in this process
/// or the launch details of its isolated worker.
public final class PluginHandle: Sendable {
    /// The shared library.
    public let file: String
    /// Its metadata.
    public let description: PluginDescription
    /// The ABI version it was built for.
    public let abiVersion: UInt32
    /// Whether it runs in a worker process.
    public var isIsolated: Bool { inProcess == nil }
    /// The plugin id.
    public var id: String { description.id }
    /// Whether the host calls its `evaluate` from one thread at a time: an in-process plugin
    /// that does not declare `CHECK_PLUGIN_THREAD_SAFE`. (A worker process evaluates one
    /// application at a time anyway.)
    public var isSerialised: Bool { inProcess.map { !$0.isThreadSafe } ?? false }
    /// Whether it is one of check's own plugins, from the built-in folder under its reserved id:
    /// code of this repository, trusted as the host is, so it reads each application where the
    /// host parsed it. Every other in-process plugin reads a read-only copy
    /// (``ReadOnlyApplications``): the guarantee is for code check does not control.
    let isBuiltIn: Bool
    let inProcess: LoadedPlugin?
    let launch: WorkerProcess.Launch?
    let rules: RuleIndex

    init(file: String, description: PluginDescription, abiVersion: UInt32, inProcess: LoadedPlugin?, launch: WorkerProcess.Launch?,
         isBuiltIn: Bool = false) {
        self.file = file
        self.isBuiltIn = isBuiltIn
        self.description = description
        rules = RuleIndex(description)
        self.abiVersion = abiVersion
        self.inProcess = inProcess
        self.launch = launch
    }
}

/// Plugins that refused the rule data (see ``CheckSession/verifyingRuleData(_:)``), one per line.
public struct PluginRuleDataErrors: Error, Sendable, CustomStringConvertible {
    /// The refusals, each naming the plugin file and, in its reason, the rule data's file and field.
    public let refusals: [PluginRefusal]

    /// "rule data is invalid for N plugin(s):" and a line per refusal.
    public var description: String {
        "rule data is invalid for \(refusals.count) plugin\(refusals.count == 1 ? "" : "s"):\n" + refusals.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// A plugin linked into the running program: its entry point, as a library would export it
/// (`{ exportPlugin(MyPlugin.self) }`), and the name messages give it in place of a file.
public struct InProcessPlugin: Sendable {
    /// Shown where a file's path would be (refusals, `check plugins`).
    public let name: String
    /// Returns the plugin's `check_plugin` descriptor.
    public let entry: @Sendable () -> UnsafeRawPointer

    /// A plugin named `name` whose descriptor `entry` returns.
    public init(name: String, entry: @escaping @Sendable () -> UnsafeRawPointer) {
        self.name = name
        self.entry = entry
    }
}

/// A loaded host: rule data validated, plugins loaded (or their workers started), ready to
/// evaluate applications.
/// (Unchecked `Sendable`: everything is set in `init` and never changed, but for the evaluator
/// `evaluate(_:)` keeps, which it makes and uses only under `lock`; the worker
/// pool synchronises itself.)
public final class CheckSession: @unchecked Sendable {
    /// The ids of the built-in plugins (SPEC §5): no other file may declare one unless
    /// `--replace-plugin` names it, so no folder on a search path can silently replace the
    /// negative list.
    public static let reservedIDs: Set<String> = ["negative-list", "encouraged-catalogue", "high-energy", "rd-centre"]
    /// The ids of every plugin that loaded, before `--only` and `--skip` chose among them.
    public let loadedIDs: [String]
    /// The rule data.
    public let ruleBook: RuleBook
    /// The plugins evaluated, in id order.
    public let plugins: [PluginHandle]
    /// Plugin files that were refused, each with its reason.
    public let refusals: [PluginRefusal]
    /// The configuration.
    public let configuration: SessionConfiguration
    let validator: ApplicationValidator
    private let shared: Evaluator.Shared
    /// The isolated plugins' workers.
    let workers: WorkerPool
    private let lock = NSLock()
    private var defaultEvaluator: Evaluator?

    /// Loads the rule data (throws if it is invalid) and every plugin (refusals are kept, not thrown).
    public init(_ configuration: SessionConfiguration) throws {
        self.configuration = configuration
        var loaded: [PluginHandle] = []
        var refusals: [PluginRefusal] = []
        var workers: [String: WorkerProcess] = [:]
        let files = configuration.pluginFiles + PluginLoader.discover(in: configuration.pluginDirectories)
        for name in PluginLoader.undecodableCandidates(in: configuration.pluginDirectories) {
            refusals.append(PluginRefusal(file: name, reason: FolderListing.undecodableProblem))
        }
        func spawnWorker(_ file: URL, _ executable: URL) -> Result<WorkerProcess, WorkerProtocolError> {
            let worker = WorkerProcess(WorkerProcess.Launch(
                executable: executable.path, plugin: file.path, rulesRoots: configuration.rulesRoots, allowlist: configuration.allowlistFile,
                timeout: configuration.pluginTimeout, messageLanguages: configuration.messageLanguages))
            return Result { () throws(WorkerProtocolError) in try worker.spawn(); return worker }
        }
        // Every isolated plugin's worker is spawned first: they load side by side, and while
        // this process loads the rule data.
        // (The host checks an isolated plugin once, here, before its worker checks it again.)
        var spawned: [URL: Result<WorkerProcess, WorkerProtocolError>] = [:]
        var isolatedRefusals: [URL: String] = [:]
        for file in files where configuration.isIsolated(file) && isolatedRefusals[file] == nil && spawned[file] == nil {
            if let reason = configuration.policy.refusal(for: file) {
                isolatedRefusals[file] = reason
            } else if let executable = configuration.workerExecutable {
                spawned[file] = spawnWorker(file, executable)
            }
        }
        // The rule data and the plugins load on this thread, one after another. Loading the
        // GB/T table beside the other rule data and the plugins side by side, on threads started
        // before anything else, was measured twice and gained nothing: the ~5 ms are mostly page
        // faults, file reads and the Swift runtime's first type lookups, which do not overlap.
        let ruleBook = try RuleBook.load(roots: configuration.rulesRoots)
        self.ruleBook = ruleBook
        validator = ApplicationValidator(industries: ruleBook.industries)
        for file in files {
            let handle: PluginHandle
            let inBuiltInDirectory = configuration.builtInDirectory.map {
                file.deletingLastPathComponent().resolvingSymlinksInPath().path == $0.resolvingSymlinksInPath().path
            } == true
            if configuration.isIsolated(file) {
                guard let executable = configuration.workerExecutable else {
                    refusals.append(PluginRefusal(file: file.path, reason: "isolation needs the check executable (no worker executable configured)"))
                    continue
                }
                if let reason = isolatedRefusals[file] {
                    refusals.append(PluginRefusal(file: file.path, reason: reason))
                    continue
                }
                do {
                    let worker = try (spawned.removeValue(forKey: file) ?? spawnWorker(file, executable)).get()
                    switch try worker.hello() {
                    case .refused(let reason):
                        refusals.append(PluginRefusal(file: file.path, reason: reason))
                        continue
                    case .plugin(let description, let abi):
                        // The worker does not know the rule data's citations; the host does.
                        let unknown = description.rules.lazy.flatMap { rule in rule.citations.lazy.map { (rule.id, $0) } }
                            .first { ruleBook.citations[$0.1] == nil }
                        if let (rule, citation) = unknown {
                            refusals.append(PluginRefusal(file: file.path, reason: PluginLoader.unknownCitation(citation, rule: rule), concernsRuleData: true))
                            worker.stop()
                            continue
                        }
                        handle = PluginHandle(file: file.path, description: description, abiVersion: abi, inProcess: nil, launch: worker.launch)
                        workers[file.path] = worker
                    }
                } catch {
                    refusals.append(PluginRefusal(file: file.path, reason: "its worker failed to start: \(error)"))
                    continue
                }
            } else {
                do {
                    let plugin = try PluginLoader.load(file, ruleBook: ruleBook, policy: configuration.policy)
                    handle = PluginHandle(file: file.path, description: plugin.description, abiVersion: plugin.abiVersion, inProcess: plugin, launch: nil,
                                          isBuiltIn: inBuiltInDirectory && CheckSession.reservedIDs.contains(plugin.id))
                } catch {
                    refusals.append(error)
                    continue
                }
            }
            if let builtInDirectory = configuration.builtInDirectory, CheckSession.reservedIDs.contains(handle.id) {
                let builtIn = inBuiltInDirectory
                if builtIn && configuration.replacePlugins.contains(handle.id) {
                    // Replaced, as asked: the other file of this id loads instead.
                    workers[file.path]?.stop()
                    continue
                }
                if !builtIn && !configuration.replacePlugins.contains(handle.id) {
                    refusals.append(PluginRefusal(file: file.path, reason: "plugin id \(handle.id) is reserved for the built-in plugin in \(builtInDirectory.path); to load this file instead, name it with --replace-plugin \(handle.id)"))
                    workers[file.path]?.stop()
                    continue
                }
            }
            if let first = loaded.first(where: { $0.id == handle.id }) {
                refusals.append(PluginRefusal(file: file.path, reason: "plugin id \(handle.id) is already loaded from \(first.file)"))
                workers[file.path]?.stop()
                continue
            }
            loaded.append(handle)
        }
        for plugin in configuration.inProcessPlugins {
            do {
                let descriptor = plugin.entry().assumingMemoryBound(to: check_plugin.self)
                let loadedPlugin = try PluginLoader.load(descriptor: descriptor, path: plugin.name,
                                                         hasCitation: { ruleBook.citations[$0] != nil }, datasetFiles: { ruleBook.datasets[$0] })
                if let first = loaded.first(where: { $0.id == loadedPlugin.id }) {
                    refusals.append(PluginRefusal(file: plugin.name, reason: "plugin id \(loadedPlugin.id) is already loaded from \(first.file)"))
                    continue
                }
                loaded.append(PluginHandle(file: plugin.name, description: loadedPlugin.description, abiVersion: loadedPlugin.abiVersion,
                                           inProcess: loadedPlugin, launch: nil))
            } catch {
                refusals.append(error)
            }
        }
        loadedIDs = loaded.map(\.id).sorted()
        plugins = loaded
            .filter { (configuration.only.isEmpty || configuration.only.contains($0.id)) && !configuration.skip.contains($0.id) }
            .sorted { $0.id < $1.id }
        self.refusals = refusals
        self.workers = WorkerPool(first: workers)
        shared = Evaluator.Shared(plugins: plugins, citations: ruleBook.citations, validator: validator, asOf: configuration.asOf,
                                  strictInput: configuration.strictInput, referenceReader: configuration.referenceReader,
                                  messageLanguages: configuration.messageLanguages)
    }

    /// Loads the rule data of `configuration` and has every plugin open it, for checking rule
    /// data before it is used: data the host accepts may still hold what a plugin's `open`
    /// rejects (a threshold's unit, say), and `check` would then run without that plugin.
    /// Throws the rule book's problems, or ``PluginRuleDataErrors``.
    public static func verifyingRuleData(_ configuration: SessionConfiguration) throws -> CheckSession {
        let session = try CheckSession(configuration)
        let refused = session.refusals.filter(\.concernsRuleData)
        guard refused.isEmpty else { throw PluginRuleDataErrors(refusals: refused) }
        return session
    }

    /// A new evaluator: one per thread. Evaluators share the isolated plugins' workers.
    public func makeEvaluator() -> Evaluator {
        workers.addEvaluator()
        return Evaluator(shared: shared, workers: workers)
    }

    /// Evaluates one input record (a convenience over one shared evaluator: calls from several
    /// threads take turns; for parallel work, an evaluator per thread: ``makeEvaluator()``).
    public func evaluate(_ record: InputRecord) -> ApplicationResult {
        lock.lock()
        defer { lock.unlock() }
        if defaultEvaluator == nil { defaultEvaluator = makeEvaluator() }
        return defaultEvaluator!.evaluate([record])[0]
    }

    /// Evaluates one application's bytes; `line` is its JSON Lines line.
    public func evaluate(_ bytes: [UInt8], source: String, line: Int? = nil) -> ApplicationResult {
        evaluate(.application(bytes: bytes, source: source, line: line))
    }

    /// Validates one input record without evaluating it: its source, every problem found, and,
    /// for a valid application, what will make rules give `review` (SPEC §3: shares that do not
    /// total 100, a `foreign` flag against the country).
    public func validate(_ record: InputRecord) -> (source: String, problems: [LocatedInputProblem], warnings: [InputWarning]) {
        switch record {
        case .application(let bytes, let source, let line):
            do {
                var document = try JSONReader.parse(bytes)
                TextNormalization.normalize(&document)
                return document.withRoot { root in
                    let (errors, unknown) = validator.problems(of: root, collectUnknown: shared.strictInput)
                    let problems = errors.map { LocatedInputProblem(problem: $0, line: line, column: nil) }
                    // (With --strict-input, a member the format does not define: a misspelt
                    // optional field would otherwise be ignored without a word.)
                    let unknownWarnings = unknown.map { InputWarning(path: $0, zh: "未知字段（申请格式中没有此项，可能拼写有误），已忽略",
                                                                     en: "unknown member (not in the application format; perhaps misspelt), ignored") }
                    return (source, problems, (problems.isEmpty ? InputWarning.warnings(for: Application(root)) : []) + unknownWarnings)
                }
            } catch {
                return (source, [LocatedInputProblem(problem: InputProblem(path: error.path, expected: error.expected, found: error.found),
                                                     line: line ?? error.line, column: error.column)], [])
            }
        case .unreadable(let source, let problem): return (source, [LocatedInputProblem(problem: problem, line: nil, column: nil)], [])
        }
    }
}

extension ApplicationResult {
    static func unreadable(source: String, problems: [LocatedInputProblem], application: String?, projectName: String? = nil,
                           unknownMembers: [String] = []) -> ApplicationResult {
        ApplicationResult(application: application, projectName: projectName, source: source, asOf: nil, verdict: .error, plugins: [], findings: [],
                          inputProblems: problems, unknownMembers: unknownMembers)
    }
}

/// Something in a valid application that will make rules give `review`, in both languages.
public struct InputWarning: Sendable, Equatable {
    /// The JSON path concerned.
    public let path: String
    /// The warning in Chinese.
    public let zh: String
    /// The warning in English.
    public let en: String

    /// The warnings for `application`: its shares (SPEC §3).
    static func warnings(for application: Application) -> [InputWarning] {
        let shares = application.shareholding
        var warnings: [InputWarning] = []
        for investor in shares.contradictions {
            guard let contradiction = investor.contradiction else { continue }
            warnings.append(InputWarning(path: investor.node.path, zh: contradiction.zh + "；涉及股权条件的规则将需人工审核",
                                         en: contradiction.en + "; rules that depend on shareholding will give review"))
        }
        if let total = shares.totalPercent, total != .hundred {
            warnings.append(InputWarning(
                path: "$.investors",
                zh: "各投资方持股比例合计 \(total)%，不是100%；涉及股权条件的规则将需人工审核",
                en: "the investors' shares total \(total)%, not 100%; rules that depend on shareholding will give review"))
        }
        return warnings
    }
}
