/// One command-line option, declared once: its names, value, help and whether it repeats.
/// Parsing and `--help` both come from these declarations, so help cannot drift from behaviour.
struct OptionSpec: Sendable {
    /// `--plugins`; the first name is the canonical one.
    let names: [String]
    /// The placeholder of its value (`DIR`), or nil for a flag.
    let value: String?
    /// One line of help.
    let help: String
    /// Whether it may be given more than once.
    let repeatable: Bool

    static func flag(_ names: String..., help: String) -> OptionSpec {
        OptionSpec(names: names, value: nil, help: help, repeatable: false)
    }

    static func value(_ names: String..., value: String, help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(names: names, value: value, help: help, repeatable: repeatable)
    }
}

/// A (sub)command: its usage, options and examples.
struct CommandSpec: Sendable {
    /// `check plugins`.
    let usage: String
    /// What it does.
    let abstract: String
    /// Its options.
    let options: [OptionSpec]
    /// Example invocations with a word on each.
    let examples: [(String, String)]

    /// The `--help` text.
    var help: String {
        var text = "USAGE: \(usage)\n\n\(abstract)\n"
        if !options.isEmpty {
            text += "\nOPTIONS:\n"
            let rows = options.map { option -> (String, String) in
                let names = option.names.joined(separator: ", ") + (option.value.map { " <\($0)>" } ?? "")
                return (names, option.help + (option.repeatable ? " (repeatable)" : ""))
            } + [("-h, --help", "Show this help.")]
            let width = rows.map(\.0.count).max() ?? 0
            for (names, help) in rows {
                text += "  " + names + String(repeating: " ", count: width - names.count + 2) + help + "\n"
            }
        }
        if !examples.isEmpty {
            text += "\nEXAMPLES:\n"
            for (command, note) in examples { text += "  \(command)\n      \(note)\n" }
        }
        return text
    }
}

/// What parsing found.
struct ParsedArguments {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    var wantsHelp = false

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func has(_ name: String) -> Bool { flags.contains(name) }
}

/// A usage error: printed with a pointer to `--help`, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension CommandSpec {
    /// Parses `arguments` against the declared options. `--name=value` and `--name value` both work.
    func parse(_ arguments: [String]) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" { onlyPositionals = true; continue }
            if argument == "-h" || argument == "--help" { parsed.wantsHelp = true; continue }
            var name = argument
            var inline: String? = nil
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.names.contains(name) }) else {
                throw UsageError("unknown option \(name) for `\(usage.split(separator: " ").prefix(2).joined(separator: " "))`")
            }
            let key = option.names[0]
            if option.value == nil {
                guard inline == nil else { throw UsageError("\(name) takes no value") }
                parsed.flags.insert(key)
                continue
            }
            let value: String
            if let inline { value = inline } else {
                guard index < arguments.count else { throw UsageError("\(name) needs a value <\(option.value!)>") }
                value = arguments[index]
                index += 1
            }
            if !option.repeatable, parsed.values[key] != nil { throw UsageError("\(name) given more than once") }
            parsed.values[key, default: []].append(value)
        }
        return parsed
    }
}
