@_exported import CheckJSON

/// Text in the two report languages.
public struct Localized: Sendable, Hashable {
    /// Chinese.
    public let zh: String
    /// English.
    public let en: String

    /// Text in Chinese and English.
    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }
}

/// Describes one rule, for documentation (`check explain`) and for the host's checks:
/// the role SwiftLint's `RuleDescription` plays for lint rules.
public struct RuleDescription: Sendable {
    /// `<plugin-id>/<name>`, e.g. `negative-list/prohibited`.
    public let id: String
    /// A short title.
    public let title: Localized
    /// One or two sentences: what the rule checks and when it gives each verdict.
    public let description: Localized
    /// Ids of the clauses (in the rule data) the rule always rests on.
    public let citations: [String]

    /// A rule description.
    public init(id: String, title: Localized, description: Localized, citations: [String]) {
        self.id = id
        self.title = title
        self.description = description
        self.citations = citations
    }
}

/// Describes a plugin: what the host shows in `check plugins` and checks at load.
public struct PluginDescription: Sendable {
    /// The unique plugin id, e.g. `negative-list`.
    public let id: String
    /// The plugin's own version.
    public let version: String
    /// A short title.
    public let title: Localized
    /// The rule-data folders under `rules/` the plugin needs (handed to it at load).
    public let datasets: [String]
    /// The rules it provides.
    public let rules: [RuleDescription]

    /// A plugin description.
    public init(id: String, version: String, title: Localized, datasets: [String], rules: [RuleDescription]) {
        self.id = id
        self.version = version
        self.title = title
        self.datasets = datasets
        self.rules = rules
    }
}

/// One evaluation: the application (already validated by the host) and the as-of date.
public struct Request {
    /// The application.
    public let application: Application
    /// The date rule editions are chosen by (`submittedOn`, or `--as-of`).
    public let asOf: Day
}

/// A rule plugin written in Swift. Conform a type, then export it with one line:
///
/// ```swift
/// @_cdecl("check_plugin_entry") public func entry() -> UnsafeRawPointer { exportPlugin(MyPlugin.self) }
/// ```
///
/// The host may call `evaluate` from several threads at once: keep the plugin immutable.
public protocol RulePlugin: Sendable {
    /// The plugin's metadata.
    static var description: PluginDescription { get }
    /// Prepares the plugin from the rule-data files of its datasets; throw ``RuleDataError``
    /// (or any error) to refuse loading with a message naming the file, item and field.
    init(ruleData: RuleDataFiles) throws
    /// Evaluates one application, reporting every finding into `findings`.
    func evaluate(_ request: Request, into findings: inout Findings) throws
}
