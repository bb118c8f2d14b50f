import CCheckABI
import CheckAPI
import Foundation

/// How a session is set up: where plugins and rule data come from, and evaluation choices.
public struct SessionConfiguration: Sendable {
    /// Directories searched for `libcheck-plugin-*.so`, in order.
    public var pluginDirectories: [URL]
    /// Rules roots; the first holds the GB/T table and the seed clauses.
    public var rulesRoots: [URL]
    /// Only these plugin ids, if not empty.
    public var only: Set<String> = []
    /// Not these plugin ids.
    public var skip: Set<String> = []
    /// Overrides every application's `submittedOn` as the as-of date.
    public var asOf: Day?

    /// A configuration.
    public init(pluginDirectories: [URL], rulesRoots: [URL], only: Set<String> = [], skip: Set<String> = [], asOf: Day? = nil) {
        self.pluginDirectories = pluginDirectories
        self.rulesRoots = rulesRoots
        self.only = only
        self.skip = skip
        self.asOf = asOf
    }
}

/// A loaded host: rule data validated, plugins loaded, ready to evaluate applications.
public final class CheckSession: Sendable {
    /// The rule data.
    public let ruleBook: RuleBook
    /// The plugins evaluated, in id order.
    public let plugins: [LoadedPlugin]
    /// Plugin files that were refused, each with its reason.
    public let refusals: [PluginRefusal]
    /// The configuration.
    public let configuration: SessionConfiguration
    let validator: ApplicationValidator

    /// Loads the rule data (throws if it is invalid) and every plugin (refusals are kept, not thrown).
    public init(_ configuration: SessionConfiguration) throws {
        self.configuration = configuration
        ruleBook = try RuleBook.load(roots: configuration.rulesRoots)
        validator = ApplicationValidator(industries: ruleBook.industries)
        var loaded: [LoadedPlugin] = []
        var refusals: [PluginRefusal] = []
        for file in PluginLoader.discover(in: configuration.pluginDirectories) {
            do {
                let plugin = try PluginLoader.load(file, ruleBook: ruleBook)
                if let first = loaded.first(where: { $0.id == plugin.id }) {
                    refusals.append(PluginRefusal(file: file.path, reason: "plugin id \(plugin.id) is already loaded from \(first.file)"))
                    continue
                }
                loaded.append(plugin)
            } catch {
                refusals.append(error)
            }
        }
        plugins = loaded
            .filter { (configuration.only.isEmpty || configuration.only.contains($0.id)) && !configuration.skip.contains($0.id) }
            .sorted { $0.id < $1.id }
        self.refusals = refusals
    }

    /// Evaluates one input record; an unreadable record becomes an `error` result.
    public func evaluate(_ record: InputRecord) -> ApplicationResult {
        switch record {
        case .application(let bytes, let source, let line): evaluate(bytes, source: source, line: line)
        case .unreadable(let source, let problem):
            .unreadable(source: source, problems: [LocatedInputProblem(problem: problem, line: nil, column: nil)], application: nil)
        }
    }

    /// Validates one input record without evaluating it: its source and every problem found.
    public func validate(_ record: InputRecord) -> (source: String, problems: [LocatedInputProblem]) {
        switch record {
        case .application(let bytes, let source, let line): (source, validate(bytes, source: source, line: line))
        case .unreadable(let source, let problem): (source, [LocatedInputProblem(problem: problem, line: nil, column: nil)])
        }
    }

    /// Evaluates one input: parse, validate, then every plugin. `line` is the JSON Lines line.
    public func evaluate(_ bytes: [UInt8], source: String, line: Int? = nil) -> ApplicationResult {
        let document: JSONDocument
        do {
            document = try JSONReader.parse(bytes)
        } catch {
            let problem = InputProblem(path: error.path, expected: error.expected, found: error.found)
            let located = LocatedInputProblem(problem: problem, line: line ?? error.line, column: error.column)
            return ApplicationResult.unreadable(source: source, problems: [located], application: nil)
        }
        return evaluate(document, source: source, line: line)
    }

    /// Evaluates one parsed input.
    public func evaluate(_ document: JSONDocument, source: String, line: Int? = nil) -> ApplicationResult {
        document.withCDocument { cDocument in
            let root = JSONNode(document: cDocument, index: 0)
            let application = root.kind == .object ? root["id"]?.string.flatMap { $0.isEmpty ? nil : $0 } : nil
            let projectName = root.kind == .object ? root["project"]?["name"]?.string : nil
            let (errors, unknown) = validator.problems(of: root)
            guard errors.isEmpty else {
                return ApplicationResult.unreadable(source: source, problems: errors.map { LocatedInputProblem(problem: $0, line: line, column: nil) },
                                                    application: application, projectName: projectName, unknownMembers: unknown)
            }
            let asOf = configuration.asOf?.description ?? root["submittedOn"]!.string!
            var findings: [FindingReport] = []
            var verdicts: [PluginVerdict] = []
            for plugin in plugins {
                let reported = plugin.evaluate(cDocument, asOf: asOf, citations: ruleBook.citations)
                verdicts.append(PluginVerdict(id: plugin.id, verdict: reported.map(\.verdict).worst))
                findings += reported
            }
            return ApplicationResult(application: application, projectName: projectName, source: source, asOf: asOf, verdict: verdicts.map(\.verdict).worst,
                                     plugins: verdicts, findings: findings, inputProblems: [], unknownMembers: unknown)
        }
    }

    /// Only validates one input (SPEC §3), without evaluating: every problem at once.
    public func validate(_ bytes: [UInt8], source: String, line: Int? = nil) -> [LocatedInputProblem] {
        do {
            let document = try JSONReader.parse(bytes)
            return document.withRoot { root in validator.problems(of: root).errors.map { LocatedInputProblem(problem: $0, line: line, column: nil) } }
        } catch {
            return [LocatedInputProblem(problem: InputProblem(path: error.path, expected: error.expected, found: error.found),
                                        line: line ?? error.line, column: error.column)]
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
