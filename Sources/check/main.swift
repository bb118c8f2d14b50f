import CheckAPI
import CheckHost
import Foundation

// The command line: argument parsing and exit codes only; the work is in CheckHost.

let sharedOptions: [OptionSpec] = [
    .value("--plugins", value: "DIR", help: "Also load plugins (libcheck-plugin-*.so) from DIR; CHECK_PLUGIN_PATH adds more (colon-separated).", repeatable: true),
    .flag("--no-default-plugins", help: "Do not load the built-in plugins next to the executable."),
    .value("--replace-plugin", value: "ID", help: "Let a plugin file from --plugins take the reserved id ID (negative-list, encouraged-catalogue, high-energy, rd-centre) in place of the built-in plugin.", repeatable: true),
    .value("--rules", value: "DIR", help: "Use the rules root DIR instead of the shipped rules/ (first one holds the GB/T table); CHECK_RULES_PATH likewise.", repeatable: true),
    .value("--plugin-allowlist", value: "FILE", help: "Load only plugin files whose SHA-256 is listed in FILE (sha256sum format)."),
    .value("--lang", value: "zh|en", help: "Language of messages (default: zh if LANG starts with zh, else en)."),
]

let evaluateCommand = CommandSpec(
    usage: "check [options] <file|dir|->...",
    abstract: """
    Evaluates foreign-investment project applications (.json: one per file; .jsonl: one per line; -: standard input)
    against every loaded rule plugin and reports, per rule, pass / fail / review / not-applicable with the clauses quoted.
    Other commands: plugins, rules, explain, validate, schema, new-plugin, test-plugin (run `check <command> --help`).
    """,
    options: sharedOptions + [
        .value("--format", value: "FORMAT", help: "Report format: text (default), json, jsonl (streamed), junit, markdown, html."),
        .value("--output", value: "FILE", help: "Write the report to FILE instead of standard output."),
        .value("--as-of", value: "DATE", help: "Choose rule editions in force on DATE (YYYY-MM-DD) instead of each application's submittedOn."),
        .value("--only", value: "PLUGIN", help: "Evaluate only this plugin.", repeatable: true),
        .value("--skip", value: "PLUGIN", help: "Do not evaluate this plugin.", repeatable: true),
        .value("--fail-on", value: "fail|review", help: "Exit 1 on any fail (default), or on any fail or review."),
        .flag("--strict-input", help: "Warn about members the application format does not define."),
        .flag("--no-color", help: "Never colour the text report (NO_COLOR does the same)."),
        .flag("--isolate", help: "Run every plugin in its own worker process: a crash, hang or bad output becomes an error for that application only."),
        .value("--isolate-plugin", value: "ID", help: "Run the plugin in libcheck-plugin-ID.so in a worker process.", repeatable: true),
        .value("--plugin-timeout", value: "SECONDS", help: "Time limit per application for an isolated plugin (default 10)."),
        .value("--jobs", value: "N", help: "Evaluate on N threads (default: the number of cores); results stay in input order."),
        .flag("--reference-reader", help: "Parse with Foundation's JSONSerialization instead of the fast reader (slow; for checking the fast path)."),
    ],
    examples: [
        ("check examples/", "Evaluate every application under examples/ and print a report."),
        ("check --format json --lang zh batch.jsonl > report.json", "A JSON report of a JSON Lines batch, messages in Chinese."),
        ("check --as-of 2024-10-31 examples/negative-list/", "Apply the editions in force on 2024-10-31."),
    ])

let pluginsCommand = CommandSpec(
    usage: "check plugins [options]",
    abstract: "Lists the plugins that load (id, version, ABI, file, rules) and every plugin file refused, with the reason.",
    options: sharedOptions,
    examples: [("check plugins --plugins examples/c-plugin/build", "Include the example plugin written in C.")])

let validateCommand = CommandSpec(
    usage: "check validate [options] <file|dir|->...",
    abstract: "Checks applications against the input format (SPEC §3) without evaluating them; every problem is listed at once.",
    options: sharedOptions + [.flag("--strict-input", help: "Warn about members the application format does not define (a misspelt optional field would otherwise go unnoticed).")],
    examples: [("check validate submission.json", "Exit 0 if the application is well formed, 2 otherwise."),
               ("check validate --strict-input submission.json", "Also warn about members the format does not define.")])

let rulesCommand = CommandSpec(
    usage: "check rules [list | verify [DIR] | import FILE.csv] [options]",
    abstract: """
    list (default): the rule data's editions with their dates and completeness, citations and documents.
    verify [DIR]: validates a rules root (default: the shipped rules/), has every plugin open it, and lists every problem; exit 0 if valid, 2 if not.
    import FILE.csv: adds catalogue items typed in by staff to an edition (CSV format in rules/README.md), after
    validating the whole rule data with them; on any problem nothing is written.
    """,
    options: sharedOptions + [
        .value("--edition", value: "ID", help: "import: the edition the items belong to (e.g. 2025-national); or a `# edition:` line in the CSV."),
        .value("--dataset", value: "NAME", help: "import: the rule-data folder (default: encouraged-catalogue; high-energy for the industry-structure catalogue)."),
        .value("--text-status", value: "STATUS", help: "import: how the wording was read, for rows that do not say: verbatim (typed from the official text) or transcribed (a third party's transcription); or a `# textStatus:` line."),
        .value("--source", value: "TEXT", help: "import: where the item texts come from; or a `# source:` line in the CSV."),
    ],
    examples: [
        ("check rules", "Editions, dates, how much of each was read."),
        ("check rules verify /path/to/edited/rules", "Check an edited copy of the rule data before deploying it."),
        ("check rules import catalogue-2025-national.csv --edition 2025-national", "Load official catalogue items typed into a CSV."),
        ("check rules import ../shared/reference-data/third-pass/encouraged_catalogue_2025_regional_1060.csv --edition 2025-regional --text-status transcribed",
         "Load the transcribed regional catalogue (numbered by province)."),
    ])

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("check: error: \(message)\n".utf8))
    exit(status)
}

func write(_ text: String, to file: String?) {
    do {
        let sink = try OutputSink(path: file)
        sink.write(Array(text.utf8))
        close(sink)
    } catch {
        fail("\(error)")
    }
}

/// Closes a report; a report that could not be written ends the process: with 141 (as a
/// SIGPIPE would) when its reader closed the pipe, else with the reason and 2.
func close(_ sink: OutputSink) {
    do {
        try sink.close()
    } catch .closedPipe {
        exit(141)
    } catch {
        fail("\(error)")
    }
}

/// The running executable.
func executablePath() -> URL {
    URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
}

/// The directory of the running executable (where the built-in plugins are built).
func executableDirectory() -> URL {
    executablePath().deletingLastPathComponent()
}

/// The shipped rules root: `rules/` in an ancestor of the executable's folder (a source
/// checkout), or `../share/check/rules` next to an installed executable.
func defaultRulesRoot() -> URL? {
    let start = executableDirectory()
    let installed = start.deletingLastPathComponent().appendingPathComponent("share/check/rules")
    if FileManager.default.fileExists(atPath: installed.appendingPathComponent("documents.json").path) { return installed }
    var folder = start
    for _ in 0..<8 {
        let candidate = folder.appendingPathComponent("rules")
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("documents.json").path) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    return nil
}

/// The environment variable `name`, if set. (Read with `getenv`: `ProcessInfo`'s `environment`
/// copies every variable into a new dictionary on each use.)
func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

func environmentList(_ name: String) -> [String] {
    (environment(name) ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
}

func language(_ parsed: ParsedArguments) throws -> Language {
    if let value = parsed.value("--lang") {
        guard let language = Language(rawValue: value) else { throw UsageError("--lang must be zh or en, not \(value)") }
        return language
    }
    let locale = environment("LC_ALL") ?? environment("LANG") ?? ""
    return locale.hasPrefix("zh") ? .zh : .en
}

func configuration(_ parsed: ParsedArguments) throws -> SessionConfiguration {
    // A folder that does not exist is a typo, not an empty folder (SPEC §8: fail closed).
    for (folder, origin) in parsed.all("--plugins").map({ ($0, "--plugins") }) + environmentList("CHECK_PLUGIN_PATH").map({ ($0, "CHECK_PLUGIN_PATH") }) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError("\(origin) folder \(folder) does not exist")
        }
    }
    var pluginDirectories = (parsed.all("--plugins") + environmentList("CHECK_PLUGIN_PATH")).map { URL(fileURLWithPath: $0) }
    if !parsed.has("--no-default-plugins") { pluginDirectories.append(executableDirectory()) }
    var rulesRoots = (parsed.all("--rules").isEmpty ? environmentList("CHECK_RULES_PATH") : parsed.all("--rules")).map { URL(fileURLWithPath: $0) }
    if rulesRoots.isEmpty {
        guard let root = defaultRulesRoot() else { throw UsageError("cannot find the rules folder; give it with --rules DIR") }
        rulesRoots = [root]
    }
    var configuration = SessionConfiguration(pluginDirectories: pluginDirectories, rulesRoots: rulesRoots,
                                             only: Set(parsed.all("--only")), skip: Set(parsed.all("--skip")))
    if let allowlist = parsed.value("--plugin-allowlist") {
        configuration.policy = try PluginPolicy(allowlistAt: allowlist)
        configuration.allowlistFile = URL(fileURLWithPath: allowlist).path
    }
    configuration.builtInDirectory = executableDirectory()
    configuration.replacePlugins = Set(parsed.all("--replace-plugin"))
    for id in configuration.replacePlugins where !CheckSession.reservedIDs.contains(id) {
        throw UsageError("--replace-plugin \(id): only the built-in ids can be replaced (\(CheckSession.reservedIDs.sorted().joined(separator: ", ")))")
    }
    configuration.isolateAll = parsed.has("--isolate")
    configuration.strictInput = parsed.has("--strict-input")
    configuration.referenceReader = parsed.has("--reference-reader")
    configuration.isolatedPlugins = Set(parsed.all("--isolate-plugin"))
    configuration.workerExecutable = executablePath()
    if let text = parsed.value("--plugin-timeout") {
        guard let seconds = Double(text), seconds > 0, seconds < 86_400 else { throw UsageError("--plugin-timeout must be a number of seconds, not \(text)") }
        configuration.pluginTimeout = seconds
    }
    if let text = parsed.value("--as-of") {
        guard let day = Day(text) else { throw UsageError("--as-of must be a date YYYY-MM-DD, not \(text)") }
        configuration.asOf = day
    }
    return configuration
}

func openSession(_ parsed: ParsedArguments, messageLanguages: MessageLanguages = .both) throws -> CheckSession {
    var configuration = try configuration(parsed)
    configuration.messageLanguages = messageLanguages
    do {
        return try CheckSession(configuration)
    } catch {
        fail("\(error)")
    }
}

func reportContext(_ session: CheckSession, language: Language, strictInput: Bool) -> ReportContext {
    ReportContext(plugins: session.plugins.map(\.description),
                  abi: Dictionary(uniqueKeysWithValues: session.plugins.map { ($0.id, $0.abiVersion) }),
                  language: language, refusals: session.refusals, strictInput: strictInput)
}

func runEvaluate(_ arguments: [String]) throws -> Int32 {
    let parsed = try evaluateCommand.parse(arguments)
    if parsed.wantsHelp { write(evaluateCommand.help, to: nil); return 0 }
    guard !parsed.positionals.isEmpty else { throw UsageError("no input given: name .json or .jsonl files, folders, or -") }
    let formatName = parsed.value("--format") ?? "text"
    guard let format = ReportFormat(rawValue: formatName) else {
        throw UsageError("--format must be one of \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")), not \(formatName)")
    }
    let failOnText = parsed.value("--fail-on") ?? "fail"
    guard let failOn = Verdict(name: failOnText), failOn == .fail || failOn == .review else { throw UsageError("--fail-on must be fail or review") }
    let language = try language(parsed)
    // Plugins build their messages only in the report's language.
    let session = try openSession(parsed, messageLanguages: language.messageLanguages)
    try checkPluginsNamed(parsed, session: session)

    let context = reportContext(session, language: language, strictInput: parsed.has("--strict-input"))
    let outputPath = parsed.value("--output")
    if let outputPath { try checkOutputIsNotAnInput(outputPath, inputs: parsed.positionals) }
    let colour = outputPath == nil && isatty(OutputSink.standardOutput) == 1 && environment("NO_COLOR") == nil && !parsed.has("--no-color")
    var renderer = format.renderer(context: context, colour: colour, failOn: failOn)
    let output = try OutputSink(path: outputPath)
    let summary = BatchRun.run(session, reader: RecordReader(parsed.positionals), renderer: &renderer, output: output,
                               progress: ProgressLine(), jobs: try jobs(parsed))
    close(output)
    if summary.problemCount > 0 {
        var text = "check: \(summary.problemCount) problem(s) kept \(summary.error) application(s) from a full evaluation (error verdicts in the report):\n"
        text += summary.problems.map { "  " + displaySafe($0) + "\n" }.joined()
        if summary.problemCount > summary.problems.count { text += "  … and \(summary.problemCount - summary.problems.count) more\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }
    return exitStatus(summary: summary, refusals: session.refusals.count, failOn: failOn)
}

/// An output path that is one of the inputs (the file itself, or an application file inside an
/// input folder) is a usage error (SPEC §6): the report would replace what it was made from.
func checkOutputIsNotAnInput(_ output: String, inputs: [String]) throws {
    let target = URL(fileURLWithPath: output).resolvingSymlinksInPath().standardizedFileURL.path
    for input in inputs where input != "-" {
        let source = URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else { continue }
        let isApplicationFile = [".json", ".jsonl", ".csv"].contains { target.hasSuffix($0) }
        if target == source || (isDirectory.boolValue && isApplicationFile && target.hasPrefix(source.hasSuffix("/") ? source : source + "/")) {
            throw UsageError("--output \(output) is one of the inputs (\(input)); write the report elsewhere")
        }
    }
}

/// Fails closed (SPEC §8): a plugin named by `--only`, `--skip`, `--isolate-plugin` or
/// `--replace-plugin` that did not load is a usage error, and so is a run in which no plugin
/// would evaluate — never a report of not-applicable with exit 0.
func checkPluginsNamed(_ parsed: ParsedArguments, session: CheckSession) throws {
    let loaded = session.loadedIDs
    let known = loaded.isEmpty ? "no plugin loaded" : "loaded: " + loaded.joined(separator: ", ")
    for option in ["--only", "--skip", "--isolate-plugin", "--replace-plugin"] {
        for id in parsed.all(option) where !loaded.contains(id) {
            if session.refusals.contains(where: { URL(fileURLWithPath: $0.file).lastPathComponent == "libcheck-plugin-\(id).so" }) {
                throw UsageError("\(option) \(id): the plugin was refused, so it is not loaded (\(known))" + refusalNote(session))
            }
            throw UsageError("\(option) \(id): no such plugin is loaded (\(known))" + refusalNote(session))
        }
    }
    guard !session.plugins.isEmpty else {
        throw UsageError("no plugin would evaluate (\(known)" + (parsed.all("--only").isEmpty && parsed.all("--skip").isEmpty ? "" : " before --only and --skip") + ")" + refusalNote(session))
    }
}

/// Item numbers as runs: "1–619", "3, 5–7, 12".
func numberRanges(_ numbers: [Int]) -> String {
    var runs: [String] = []
    var index = 0
    let sorted = numbers.sorted()
    while index < sorted.count {
        var end = index
        while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
        runs.append(end > index + 1 ? "\(sorted[index])–\(sorted[end])" : (index...end).map { String(sorted[$0]) }.joined(separator: ", "))
        index = end + 1
    }
    return runs.joined(separator: ", ")
}

/// The refusals, as lines to add to a usage error.
func refusalNote(_ session: CheckSession) -> String {
    session.refusals.isEmpty ? "" : "\n" + session.refusals.map { "  \($0)" }.joined(separator: "\n")
}

func jobs(_ parsed: ParsedArguments) throws -> Int {
    guard let text = parsed.value("--jobs") else { return ProcessInfo.processInfo.activeProcessorCount }
    guard let count = Int(text), count >= 1, count <= 256 else { throw UsageError("--jobs must be a number from 1 to 256, not \(text)") }
    return count
}

func runPlugins(_ arguments: [String]) throws -> Int32 {
    let parsed = try pluginsCommand.parse(arguments)
    if parsed.wantsHelp { write(pluginsCommand.help, to: nil); return 0 }
    let language = try language(parsed)
    let session = try openSession(parsed)
    write(PluginListing.render(session, language: language), to: nil)
    return session.refusals.isEmpty ? 0 : 2
}

func runRules(_ arguments: [String]) throws -> Int32 {
    let parsed = try rulesCommand.parse(arguments)
    if parsed.wantsHelp { write(rulesCommand.help, to: nil); return 0 }
    let language = try language(parsed)
    let action = parsed.positionals.first ?? "list"
    switch action {
    case "list":
        let book = try RuleBook.load(roots: try configuration(parsed).rulesRoots)
        write(RuleListing.render(book, language: language), to: nil)
        return 0
    case "verify":
        var configuration = try configuration(parsed)
        if parsed.positionals.count > 1 { configuration.rulesRoots = parsed.positionals.dropFirst().map { URL(fileURLWithPath: $0) } }
        let session: CheckSession
        do {
            session = try CheckSession.verifyingRuleData(configuration)
        } catch {
            write("\(error)\n", to: nil)
            return 2
        }
        let (book, plugins) = (session.ruleBook, session.plugins.count)
        write(language.pick(zh: "规则数据有效：\(book.documents.count) 份文件，\(book.editions.count) 个版本，\(book.citations.count) 条引文均已核对；\(plugins) 个插件已载入\n",
                            en: "rule data valid: \(book.documents.count) documents, \(book.editions.count) editions, \(book.citations.count) citations checked; opened by \(plugins) plugin\(plugins == 1 ? "" : "s")\n"), to: nil)
        return 0
    case "import":
        guard parsed.positionals.count == 2 else { throw UsageError("rules import takes one CSV file") }
        let configuration = try configuration(parsed)
        var provenance = RuleImport.Provenance(source: parsed.value("--source"))
        if let status = parsed.value("--text-status") {
            guard let known = TextStatus(rawValue: status) else {
                throw UsageError("--text-status must be one of " + TextStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
            provenance.textStatus = known
        }
        let summary = try RuleImport.run(csv: URL(fileURLWithPath: parsed.positionals[1]), editionID: parsed.value("--edition"),
                                         dataset: parsed.value("--dataset") ?? "encouraged-catalogue", root: configuration.rulesRoots[0],
                                         provenance: provenance) { staged in
            var staging = configuration
            staging.rulesRoots = [staged]
            _ = try CheckSession.verifyingRuleData(staging)
        }
        let numbering = summary.headings.isEmpty ? numberRanges(summary.items)
            : "numbered under \(summary.headings.count) heading(s): " + summary.headings.prefix(6).joined(separator: ", ") + (summary.headings.count > 6 ? ", …" : "")
        write("imported \(summary.items.count) item(s) into \(summary.file) (edition \(summary.edition)): \(numbering)\n"
              + "source text kept as \(summary.sourceCopy); rule data validated and opened by every plugin\n", to: nil)
        return 0
    default:
        throw UsageError("unknown rules action \(action): list, verify or import")
    }
}

let explainCommand = CommandSpec(
    usage: "check explain <rule-id|plugin-id> [options]",
    abstract: "Shows a rule's description, the clauses it rests on (quote and full sentence from the source text), and the rule-data editions in force today.",
    options: sharedOptions + [.value("--as-of", value: "DATE", help: "Show the editions in force on DATE instead of today.")],
    examples: [("check explain negative-list/prohibited", "One rule."), ("check explain rd-centre --lang zh", "Every rule of a plugin, in Chinese.")])

let schemaCommand = CommandSpec(
    usage: "check schema [options]",
    abstract: "Prints the JSON Schema (draft 2020-12) of the application format (SPEC §3), generated from the same declaration the validator uses.",
    options: sharedOptions,
    examples: [("check schema > application.schema.json", "Save it for an editor or another validator.")])

func runExplain(_ arguments: [String]) throws -> Int32 {
    let parsed = try explainCommand.parse(arguments)
    if parsed.wantsHelp { write(explainCommand.help, to: nil); return 0 }
    guard parsed.positionals.count == 1 else { throw UsageError("explain takes one rule id (see `check plugins`)") }
    let language = try language(parsed)
    let session = try openSession(parsed)
    // (`--as-of` was read, and checked, with the rest of the configuration.)
    let day = session.configuration.asOf ?? today()
    guard let text = RuleExplanation.render(parsed.positionals[0], session: session, on: day, language: language) else {
        throw UsageError("no rule or plugin \(parsed.positionals[0]); `check plugins` lists them")
    }
    write(text, to: nil)
    return 0
}

/// Today's date (UTC).
func today() -> Day {
    let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
    return Day(year: parts.year!, month: parts.month!, day: parts.day!)!
}

func runSchema(_ arguments: [String]) throws -> Int32 {
    let parsed = try schemaCommand.parse(arguments)
    if parsed.wantsHelp { write(schemaCommand.help, to: nil); return 0 }
    let book = try RuleBook.load(roots: try configuration(parsed).rulesRoots)
    write(ApplicationJSONSchema.render(industries: book.industries), to: nil)
    return 0
}

let newPluginCommand = CommandSpec(
    usage: "check new-plugin <name> [options]",
    abstract: "Creates a Swift package for a new rule plugin: it builds against CheckAPI into libcheck-plugin-<name>.so, with one example rule and example applications for `check test-plugin`.",
    options: [
        .value("--output", value: "DIR", help: "Create the package folder in DIR (default: the current folder)."),
        .value("--check-package", value: "DIR", help: "The check package to build against (default: the one this executable was built from)."),
    ],
    examples: [("check new-plugin land-use && cd land-use && swift build && check test-plugin .", "From nothing to a tested plugin.")])

let testPluginCommand = CommandSpec(
    usage: "check test-plugin <plugin.so | package-folder> [options]",
    abstract: """
    Loads one plugin and runs its example applications (<expected-verdict>--<what>.json): each must give its verdict,
    cite a clause, and name evidence for fail and review; the examples must include one that triggers and one that does not.
    A package folder means its .build/debug/libcheck-plugin-*.so and its examples/ folder.
    """,
    options: [
        .value("--examples", value: "DIR", help: "The example applications (default: the package's examples/, or examples/<plugin-id>)."),
        .value("--rules", value: "DIR", help: "Rules roots, as for check.", repeatable: true),
        .flag("--isolate", help: "Run the plugin in a worker process."),
    ],
    examples: [("check test-plugin .build/debug/libcheck-plugin-negative-list.so", "A built-in plugin against examples/negative-list/.")])

/// The check package this executable was built from: an ancestor with Sources/CheckAPI.
func checkPackageRoot() -> URL? {
    var folder = executableDirectory()
    for _ in 0..<8 {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Sources/CheckAPI").path) { return folder }
        folder = folder.deletingLastPathComponent()
    }
    return nil
}

func runNewPlugin(_ arguments: [String]) throws -> Int32 {
    let parsed = try newPluginCommand.parse(arguments)
    if parsed.wantsHelp { write(newPluginCommand.help, to: nil); return 0 }
    guard parsed.positionals.count == 1 else { throw UsageError("new-plugin takes one name, e.g. land-use") }
    guard let package = parsed.value("--check-package").map({ URL(fileURLWithPath: $0) }) ?? checkPackageRoot() else {
        throw UsageError("cannot find the check package; give it with --check-package DIR")
    }
    let parent = URL(fileURLWithPath: parsed.value("--output") ?? FileManager.default.currentDirectoryPath)
    let created = try PluginScaffold.create(name: parsed.positionals[0], in: parent, checkPackage: package)
    write("created \(created.folder.path)\n" + created.files.map { "  \($0)\n" }.joined()
          + "next: cd \(created.folder.path) && swift build && check test-plugin .\n", to: nil)
    return 0
}

func runTestPlugin(_ arguments: [String]) throws -> Int32 {
    let parsed = try testPluginCommand.parse(arguments)
    if parsed.wantsHelp { write(testPluginCommand.help, to: nil); return 0 }
    guard parsed.positionals.count == 1 else { throw UsageError("test-plugin takes one plugin file or package folder") }
    let target = URL(fileURLWithPath: parsed.positionals[0]).standardizedFileURL
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isFolder) else { throw UsageError("no such file or folder: \(target.path)") }
    var file = target
    var examples = parsed.value("--examples").map { URL(fileURLWithPath: $0) }
    if isFolder.boolValue {
        let built = PluginLoader.discover(in: [target.appendingPathComponent(".build/debug"), target])
        guard let first = built.first else { throw UsageError("no libcheck-plugin-*.so in \(target.path)/.build/debug: run swift build first") }
        file = first
        examples = examples ?? target.appendingPathComponent("examples")
    }
    var configuration = try configuration(parsed)
    configuration.pluginDirectories = []
    configuration.pluginFiles = [file]
    configuration.builtInDirectory = executableDirectory()
    configuration.replacePlugins = Set(parsed.all("--replace-plugin"))
    for id in configuration.replacePlugins where !CheckSession.reservedIDs.contains(id) {
        throw UsageError("--replace-plugin \(id): only the built-in ids can be replaced (\(CheckSession.reservedIDs.sorted().joined(separator: ", ")))")
    }
    configuration.isolateAll = parsed.has("--isolate")
    let session = try CheckSession(configuration)
    if let refusal = session.refusals.first { fail(refusal.description) }
    guard let plugin = session.plugins.first else { fail("\(file.path) did not load") }
    let folder = examples ?? URL(fileURLWithPath: "examples/\(plugin.id)")
    let report = try PluginTester.run(plugin: plugin.id, examples: folder, session: session)
    write("\(plugin.id) \(plugin.description.version) — examples in \(folder.path)\n" + report.text, to: nil)
    return report.passed ? 0 : 1
}

func runValidate(_ arguments: [String]) throws -> Int32 {
    let parsed = try validateCommand.parse(arguments)
    if parsed.wantsHelp { write(validateCommand.help, to: nil); return 0 }
    guard !parsed.positionals.isEmpty else { throw UsageError("no input given") }
    let language = try language(parsed)
    let session = try openSession(parsed)
    var invalid = 0
    var count = 0
    var output = ""
    let reader = RecordReader(parsed.positionals)
    while case let batch = reader.next(64), !batch.isEmpty {
        for record in batch {
            count += 1
            let (source, problems, warnings) = session.validate(record)
            if problems.isEmpty {
                output += "\(source): " + language.pick(zh: "格式正确", en: "valid") + "\n"
                for warning in warnings { output += "\(source): \(warning.path): " + language.pick(zh: "注意：" + warning.zh, en: "warning: " + warning.en) + "\n" }
                continue
            }
            invalid += 1
            for located in problems {
                let position = located.line.map { ":\($0)" + (located.column.map { ":\($0)" } ?? "") } ?? ""
                output += "\(source)\(position): \(located.problem.path): "
                    + language.pick(zh: "应为 \(located.problem.expected)，实为 \(located.problem.found)", en: "expected \(located.problem.expected), found \(located.problem.found)") + "\n"
            }
        }
    }
    output += language.pick(zh: "\(count) 份中 \(invalid) 份有误\n", en: "\(invalid) of \(count) invalid\n")
    write(output, to: nil)
    return invalid == 0 ? 0 : 2
}

let arguments = Array(CommandLine.arguments.dropFirst())
// A worker that dies must not take the host down with SIGPIPE; writes then fail with EPIPE.
signal(SIGPIPE, SIG_IGN)
if arguments.first == WorkerMain.command { exit(WorkerMain.run(Array(arguments.dropFirst()))) }
// A crash in this process ends the run with a short notice (naming the plugin and the
// application when plugin code crashed) and exit 2 (SPEC §9); see CrashNotice.
CrashNotice.install()
// Reports go to a duplicate of standard output; fd 1 itself becomes standard error before any
// plugin loads, so whatever a plugin prints (C printf, Swift print) lands on standard error,
// never in a report (SPEC §9).
let reportOutput = fcntl(1, F_DUPFD_CLOEXEC, 3)
if reportOutput >= 0 {
    OutputSink.standardOutput = reportOutput
    dup2(2, 1)
}
do {
    let status: Int32
    switch arguments.first {
    case "plugins": status = try runPlugins(Array(arguments.dropFirst()))
    case "validate": status = try runValidate(Array(arguments.dropFirst()))
    case "rules": status = try runRules(Array(arguments.dropFirst()))
    case "explain": status = try runExplain(Array(arguments.dropFirst()))
    case "schema": status = try runSchema(Array(arguments.dropFirst()))
    case "new-plugin": status = try runNewPlugin(Array(arguments.dropFirst()))
    case "test-plugin": status = try runTestPlugin(Array(arguments.dropFirst()))
    case "--version": write("\(Tool.name) \(Tool.version)\n", to: nil); status = 0
    case nil: write(evaluateCommand.help, to: nil); status = 2
    default: status = try runEvaluate(arguments)
    }
    exit(status)
} catch let error as UsageError {
    // (The help of the command that was run: `check explain --help`, not the evaluation's.)
    let commands: Set<String> = ["plugins", "validate", "rules", "explain", "schema", "new-plugin", "test-plugin"]
    let command = arguments.first.flatMap { commands.contains($0) ? "check \($0)" : nil } ?? "check"
    fail("\(error)\nRun `\(command) --help` for usage.")
} catch {
    fail("\(error)")
}
