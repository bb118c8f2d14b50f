import CCheckABI
@_exported import CheckJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text in the two report languages.
///
/// Inside ``RulePlugin/evaluate(_:into:)`` only the languages the host asked for are built
/// (``MessageLanguages/current``); the other is left empty, and its text is never computed.
public struct Localized: Sendable, Hashable {
    /// Chinese (empty when built inside an evaluation that does not want it).
    public let zhText: MessageText
    /// English (empty when built inside an evaluation that does not want it).
    public let enText: MessageText

    /// Text in Chinese and English; each is computed only if ``MessageLanguages/current`` wants it.
    public init(zh: @autoclosure () throws -> MessageText, en: @autoclosure () throws -> MessageText) rethrows {
        let languages = MessageLanguages.current
        zhText = languages.contains(.zh) ? try zh() : ""
        enText = languages.contains(.en) ? try en() : ""
    }

    /// The Chinese text as a `String`.
    public var zh: String { zhText.description }
    /// The English text as a `String`.
    public var en: String { enText.description }
}

/// The message languages a host will report (`check_request.message_languages`).
public struct MessageLanguages: OptionSet, Sendable, Hashable {
    /// The `CHECK_MESSAGE_*` bits.
    public let rawValue: UInt32

    /// The languages of `rawValue`'s bits (0: none).
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The languages a request's `message_languages` asks for: its `CHECK_MESSAGE_*` bits, and
    /// both when it has none (0 is what hosts built before the field write).
    public init(requested bits: UInt32) {
        let known = bits & (CHECK_MESSAGE_ZH | CHECK_MESSAGE_EN)
        self.init(rawValue: known == 0 ? CHECK_MESSAGE_ZH | CHECK_MESSAGE_EN : known)
    }

    /// Chinese.
    public static let zh = MessageLanguages(rawValue: CHECK_MESSAGE_ZH)
    /// English.
    public static let en = MessageLanguages(rawValue: CHECK_MESSAGE_EN)
    /// Both languages.
    public static let both: MessageLanguages = [.zh, .en]

    /// The languages of the evaluation under way on this thread: set by the plugin export
    /// around each `evaluate` call (``withCurrent(_:_:)``), ``both`` anywhere else
    /// (descriptions, rule data, the host).
    ///
    /// A thread-specific value, not a `@TaskLocal`: binding a task-local allocated, and reading
    /// one walked the bindings, for every plugin call and every message (2 % of a batch's
    /// instructions). Evaluation is synchronous; a task a plugin starts sees ``both``.
    public static var current: MessageLanguages {
        let stored = UInt(bitPattern: pthread_getspecific(currentLanguagesKey))
        return stored == 0 ? .both : MessageLanguages(rawValue: UInt32(truncatingIfNeeded: stored))
    }

    /// Runs `body` with ``current`` set to `languages` on this thread, then restores it.
    public static func withCurrent<Result>(_ languages: MessageLanguages, _ body: () throws -> Result) rethrows -> Result {
        let previous = pthread_getspecific(currentLanguagesKey)
        // Stored with a bit above the 32 of the raw value, so that no set of languages is 0 (unset).
        pthread_setspecific(currentLanguagesKey, UnsafeRawPointer(bitPattern: UInt(languages.rawValue) | 1 << 32))
        defer { pthread_setspecific(currentLanguagesKey, previous) }
        return try body()
    }
}

/// The key of ``MessageLanguages/current``'s thread-specific value (each copy of this module,
/// one per plugin library and one in the host, has its own).
private let currentLanguagesKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left for MessageLanguages.current")
    return key
}()

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

/// One evaluation: the application (already validated by the host), the as-of date, and
/// the message languages the host will report.
public struct Request {
    /// The application.
    public let application: Application
    /// The date rule editions are chosen by (`submittedOn`, or `--as-of`).
    public let asOf: Day
    /// The languages the host will report; ``Localized`` builds only these during `evaluate`.
    public let messageLanguages: MessageLanguages
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
