import CCheckABI
import CHostSystem
import CheckAPI

#if canImport(Glibc)
import Glibc
#endif

/// One piece of evidence in a report.
public struct EvidenceReport: Sendable, Equatable {
    /// How the evidence was given.
    public enum Kind: String, Sendable {
        /// A value of the application (path and value derived by the host).
        case value
        /// A field the rule needed and did not find.
        case absent
        /// A value the plugin computed; `path` holds its label.
        case derived
    }

    /// Where path and value come from: text, or a value of the application, written out only
    /// when a report asks (most evidence goes straight into a JSON report, no string between).
    private enum Origin: Sendable {
        case text(path: String, value: String?)
        case node(JSONDocument, UInt32)
    }

    /// How it was given.
    public let kind: Kind
    private let origin: Origin

    /// Evidence of `kind` at `path` with `value`.
    public init(kind: Kind, path: String, value: String?) {
        self.kind = kind
        origin = .text(path: path, value: value)
    }

    /// The value at `node` of `application`.
    init(node: UInt32, of application: JSONDocument) {
        kind = .value
        origin = .node(application, node)
    }

    /// Writes its `path`, `value` and `kind` members, given as text, into the writer's current
    /// object (read in place: a copy of the evidence retains its strings).
    fileprivate func writeGivenMembers(to writer: inout JSONWriter) {
        guard case .text(let path, let value) = origin else { preconditionFailure("evidence of a node is not given as text") }
        // A derived value's label is the plugin's words, never a path into the application.
        writer.field(kind == .derived ? "label" : "path", path)
        writer.key("value")
        if let value { writer.raw(value) } else { writer.null() }
        writer.field("kind", kind.rawValue)
    }

    /// The JSON path (or, for derived values, the label).
    public var path: String {
        switch origin {
        case .text(let path, _): path
        case .node(let document, let index): document.withCDocument { JSONNode(document: $0, index: index).path }
        }
    }

    /// The value as JSON text (`"B0932"`, `100`), or nil for an absent field.
    public var value: String? {
        switch origin {
        case .text(_, let value): value
        case .node(let document, let index): document.withCDocument { JSONNode(document: $0, index: index).jsonText }
        }
    }

    public static func == (lhs: EvidenceReport, rhs: EvidenceReport) -> Bool {
        lhs.kind == rhs.kind && lhs.path == rhs.path && lhs.value == rhs.value
    }
}

extension JSONDocument {
    /// Whether a value other than null is at JSON path `path` (as ``JSONNode/path`` writes
    /// paths: `$`, then `.name` or `["name"]` per member and `[N]` per element). Walks down
    /// from the root; only a quoted member (rare) makes it compare every value's path.
    func hasValue(at path: String) -> Bool {
        var utf8 = path
        return utf8.withUTF8 { bytes in
            withCDocument { document -> Bool in
                guard bytes.first == UInt8(ascii: "$") else { return false }
                var node = JSONNode(document: document, index: 0)
                var at = 1
                while at < bytes.count {
                    if bytes[at] == UInt8(ascii: ".") {
                        var end = at + 1
                        while end < bytes.count && bytes[end] != UInt8(ascii: ".") && bytes[end] != UInt8(ascii: "[") { end += 1 }
                        guard let child = node.member(named: UnsafeBufferPointer(rebasing: bytes[(at + 1)..<end])) else { return false }
                        node = child
                        at = end
                    } else if bytes[at] == UInt8(ascii: "["), at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: "\"") {
                        return (1..<max(document.pointee.node_count, 1)).contains { index in
                            let node = JSONNode(document: document, index: index)
                            return node.kind != .null && node.path == path
                        }
                    } else if bytes[at] == UInt8(ascii: "[") {
                        var end = at + 1
                        var position = 0
                        while end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x39, position < 1 << 40 {
                            position = position * 10 + Int(bytes[end] - 0x30)
                            end += 1
                        }
                        guard end < bytes.count, bytes[end] == UInt8(ascii: "]"), end > at + 1,
                              node.kind == .array, let child = node[position] else { return false }
                        node = child
                        at = end + 1
                    } else {
                        return false
                    }
                }
                return node.kind != .null
            }
        }
    }
}

/// What one plugin may report about one application (SPEC §9: the same in process and
/// isolated, so that both modes give the same verdicts). Past a limit the plugin's findings on
/// that application become an `error` naming the limit. The worker applies the same counts
/// before sending (``EventRecorder``), which keeps a response under
/// ``WorkerProtocol/maximumFrame``: 1,001 findings of two 16 KiB messages, 10,001 pieces of
/// evidence of two 1 KiB texts and 10,001 citations come to about 55 MB.
enum ReportLimits {
    /// Findings per application.
    static let findings = 1_000
    /// Bytes in one message (per language).
    static let messageBytes = 16 << 10
    /// Pieces of evidence per application.
    static let evidence = 10_000
    /// Bytes in an absent field's path, a derived value's label or its value.
    static let evidenceTextBytes = 1 << 10
    /// Citations per application.
    static let citations = 10_000
}

/// One finding as reported: the plugin's words, checked by the host.
/// (Its message, evidence and citations live in storage shared by every finding one plugin
/// reported on one batch of applications: a finding is positions in that storage, so making
/// one allocates nothing and copying one is one retain, and a batch costs one storage per
/// plugin.)
public struct FindingReport: Sendable {
    /// The verdict.
    public let verdict: Verdict
    private let storage: FindingStorage
    /// The application it is about: its position in `storage.applications`.
    private let application: Int
    /// The declared position of its rule in `storage.rules`; nil for the host's error finding.
    private let position: Int?
    /// Where its message (per language), evidence and citations are in `storage`.
    private let zh: Range<Int>, en: Range<Int>, evidenceRange: Range<Int>, citationRange: Range<Int>
    /// The languages whose message a JSON string holds as it is (checked when reported).
    private let verbatimInJSON: MessageLanguages

    fileprivate init(verdict: Verdict, storage: FindingStorage, application: Int, position: Int?,
                     zh: Range<Int>, en: Range<Int>, verbatimInJSON: MessageLanguages, evidence: Range<Int>, citations: Range<Int>) {
        self.verdict = verdict
        self.storage = storage
        self.application = application
        self.position = position
        self.zh = zh
        self.en = en
        self.verbatimInJSON = verbatimInJSON
        evidenceRange = evidence
        citationRange = citations
    }

    /// The plugin id.
    public var plugin: String { storage.rules.pluginID }
    /// The rule id.
    public var rule: String {
        guard let position else { return "\(storage.rules.pluginID)/error" }
        return storage.rules.ids[position]
    }

    /// Writes its `plugin`, `rule` and `verdict` members into a compact writer's current object
    /// as ``RuleIndex`` keeps them pre-written; false (nothing written) for an error finding.
    func writeCompactHead(to writer: inout JSONWriter) -> Bool {
        guard let position else { return false }
        storage.rules.writeCompactHead(position, verdict, to: &writer)
        return true
    }

    /// The message in both languages (a language the plugin was not asked for is empty).
    public var message: Localized {
        // Both texts as stored: `Localized` otherwise keeps only the languages a plugin
        // evaluation in progress on this thread asked for.
        MessageLanguages.withCurrent(.both) { Localized(zh: MessageText(message(in: .zh)), en: MessageText(message(in: .en))) }
    }

    /// The message in `language` (empty if the plugin was not asked for it).
    public func message(in language: Language) -> String {
        withMessage(in: language) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the message in `language` as UTF-8 bytes (checked when reported).
    func withMessage<Result>(in language: Language, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        storage.text.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[language == .zh ? zh : en])) }
    }

    /// Writes the message in `language` as a JSON string value, escaped only if it needs it.
    func writeMessage(in language: Language, to writer: inout JSONWriter) {
        let verbatim = verbatimInJSON.contains(language.messageLanguages)
        withMessage(in: language) { verbatim ? writer.string(verbatimUTF8: $0) : writer.string(utf8: $0) }
    }

    /// The application fields it used.
    public var evidence: FindingEvidence { FindingEvidence(storage: storage, application: application, range: evidenceRange) }

    /// Writes its evidence as a JSON array of `{"path": …, "value": …}` objects (with `kind`
    /// unless it is a value of the application): the application's values straight from its
    /// document, no evidence object made.
    func writeEvidence(to writer: inout JSONWriter) {
        writer.beginArray()
        storage.applications[application].withCDocument { document in
            for position in evidenceRange {
                writer.beginObject()
                switch storage.evidence[position] {
                case .node(let index):
                    let node = JSONNode(document: document, index: index)
                    writer.key("path")
                    writer.path(of: node)
                    writer.key("value")
                    writer.value(node)
                case .given(let given):
                    storage.evidence.writeGiven(given, to: &writer)
                }
                writer.endObject()
            }
        }
        writer.endArray()
    }

    /// The clauses it rests on.
    public var citations: FindingCitations { FindingCitations(storage: storage, range: citationRange) }

    /// Calls `body` with the position of each clause it rests on in the session's citations
    /// (for the JSON report, which copies their pre-written text).
    func forEachCitation(_ body: (CitationIndex, Int32) -> Void) {
        for index in citationRange { body(storage.citationIndex, storage.citations[index]) }
    }
}

/// The clauses a finding rests on: its part of the storage its plugin's findings share,
/// indexed from 0.
public struct FindingCitations: RandomAccessCollection, Sendable {
    fileprivate let storage: FindingStorage
    fileprivate let range: Range<Int>

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of clauses.
    public var endIndex: Int { range.count }
    /// The clause at `position` (0-based).
    public subscript(position: Int) -> ResolvedCitation {
        storage.citationIndex.entry(storage.citations[range.lowerBound + position])
    }
}

/// A finding's evidence: its part of the storage its plugin's findings share, indexed from 0.
public struct FindingEvidence: RandomAccessCollection, Sendable, Equatable {
    fileprivate let storage: FindingStorage
    fileprivate let application: Int
    fileprivate let range: Range<Int>

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of pieces of evidence.
    public var endIndex: Int { range.count }
    /// The piece at `position` (0-based).
    public subscript(position: Int) -> EvidenceReport {
        switch storage.evidence[range.lowerBound + position] {
        case .node(let index): EvidenceReport(node: index, of: storage.applications[application])
        case .given(let given): storage.evidence.given(given)
        }
    }

    /// The same evidence in the same order.
    public static func == (lhs: FindingEvidence, rhs: FindingEvidence) -> Bool { lhs.elementsEqual(rhs) }
}

/// The messages (UTF-8), evidence and citations of all findings one plugin reported on a batch
/// of applications, each kind in one buffer, with the rules, the applications and the
/// citations their positions refer to.
private final class FindingStorage: Sendable {
    /// The plugin's declared rules.
    let rules: RuleIndex
    let text: [UInt8]
    /// The applications of the batch (evidence nodes are read from their documents).
    let applications: [JSONDocument]
    let evidence: StoredEvidence
    /// Positions in `citationIndex` (no reference to a shared citation per clause cited).
    let citations: [Int32]
    let citationIndex: CitationIndex

    init(rules: RuleIndex, text: [UInt8], applications: [JSONDocument], evidence: StoredEvidence, citations: [Int32],
         citationIndex: CitationIndex) {
        self.rules = rules
        self.text = text
        self.applications = applications
        self.evidence = evidence
        self.citations = citations
        self.citationIndex = citationIndex
    }
}

/// The evidence of a batch's findings, in order: values of the application, by node (their
/// paths and values are read from the document when reported), and evidence given as text,
/// kept apart, so that reading a node's entry copies no evidence object.
private struct StoredEvidence: Sendable {
    /// A node's index, or the complement of a position in `givenReports`.
    private var entries: [Int64] = []
    private var givenReports: [EvidenceReport] = []

    /// One entry.
    enum Entry {
        /// A value of the application: its node.
        case node(UInt32)
        /// Evidence given as text: its position for ``given(_:)``.
        case given(Int)
    }

    /// The number of entries.
    var count: Int { entries.count }

    /// The entry at `position`.
    subscript(position: Int) -> Entry {
        let entry = entries[position]
        return entry >= 0 ? .node(UInt32(truncatingIfNeeded: entry)) : .given(Int(~entry))
    }

    /// The evidence given as text that an entry `.given(position)` stands for.
    func given(_ position: Int) -> EvidenceReport { givenReports[position] }

    /// Writes the members of the evidence `.given(position)` stands for, uncopied.
    func writeGiven(_ position: Int, to writer: inout JSONWriter) {
        givenReports.withUnsafeBufferPointer { $0[position].writeGivenMembers(to: &writer) }
    }

    /// Appends a value of the application.
    mutating func append(node: UInt32) { entries.append(Int64(node)) }

    /// Appends evidence given as text.
    mutating func append(_ report: EvidenceReport) {
        entries.append(~Int64(givenReports.count))
        givenReports.append(report)
    }

    /// Keeps room for `count` entries.
    mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }
}

/// One plugin's verdict for one application: the worst of its findings.
public struct PluginVerdict: Sendable {
    /// The plugin id.
    public let id: String
    /// The verdict.
    public let verdict: Verdict
}

/// A problem with the input, located: the line and column in the file where known.
public struct LocatedInputProblem: Sendable {
    /// The problem.
    public let problem: InputProblem
    /// 1-based line in the file, if known.
    public let line: Int?
    /// 1-based column, if known.
    public let column: Int?
}

/// Everything reported about one application (or one input that could not be read as one).
public struct ApplicationResult: Sendable {
    /// The application id, if it could be read.
    public let application: String?
    /// The project's name, if it could be read.
    public let projectName: String?
    /// Where it came from: `path`, or `path:line` for JSON Lines.
    public let source: String
    /// The as-of date used, if evaluated.
    public let asOf: String?
    /// The overall verdict: the worst plugin verdict, or `error` for unreadable input.
    public let verdict: Verdict
    /// Per-plugin verdicts.
    public let plugins: [PluginVerdict]
    /// All findings, in plugin order.
    public let findings: [FindingReport]
    /// Why the input could not be evaluated (empty if it was).
    public let inputProblems: [LocatedInputProblem]
    /// Unknown members (reported as warnings with `--strict-input`).
    public let unknownMembers: [String]
}

/// Byte strings packed into one buffer, found by position or by content: the read-only tables
/// the collector and the JSON report consult for every finding (one buffer, so reading one
/// retains no object of its own; both evaluating threads read them).
struct PackedBytes: Sendable {
    private let bytes: [UInt8]
    private let ranges: [Range<Int>]

    /// `items`, in order.
    init<Items: Sequence>(_ items: Items) where Items.Element == [UInt8] {
        var bytes: [UInt8] = []
        ranges = items.map { item in
            bytes += item
            return bytes.count - item.count..<bytes.count
        }
        self.bytes = bytes
    }

    /// Calls `body` with the item at `position`.
    func withItem<Result>(_ position: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[ranges[position]])) }
    }

    /// Whether the item at `position` is `wanted`.
    func item(_ position: Int, is wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        withItem(position) { bytesEqual($0, wanted) }
    }

    /// The position of the first item that is `wanted`, or nil.
    func firstPosition(of wanted: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { all in
            ranges.firstIndex { bytesEqual(UnsafeBufferPointer(rebasing: all[$0]), wanted) }
        }
    }
}

/// A plugin's declared rules, by id, in declaration order: what the collector checks findings
/// against and sorts them by. Built once per plugin and shared read-only.
final class RuleIndex: Sendable {
    let pluginID: String
    /// The declared rule ids, in declaration order, as text and as UTF-8 bytes.
    let ids: [String]
    private let idBytes: PackedBytes
    /// For each rule and verdict (rule by rule), a finding's `plugin`, `rule` and `verdict`
    /// members as compact JSON: written once here, copied into every JSON report line.
    private let compactHeads: PackedBytes

    init(_ description: PluginDescription) {
        pluginID = description.id
        var ids: [String] = []
        for rule in description.rules where !ids.contains(rule.id) { ids.append(rule.id) }
        self.ids = ids
        idBytes = PackedBytes(ids.lazy.map { Array($0.utf8) })
        compactHeads = PackedBytes(ids.lazy.flatMap { rule in
            Verdict.allCases.lazy.map { verdict in JSONReport.compactHead(plugin: description.id, rule: rule, verdict: verdict) }
        })
    }

    /// The number of verdicts (`Verdict.allCases` makes an array each time it is read).
    private static let verdictCount = Verdict.allCases.count

    /// Writes the compact `plugin`, `rule` and `verdict` members of a finding of rule `position`.
    func writeCompactHead(_ position: Int, _ verdict: Verdict, to writer: inout JSONWriter) {
        compactHeads.withItem(position * RuleIndex.verdictCount + Int(verdict.rawValue)) { writer.members($0) }
    }

    /// The position of the rule whose id is `id` (UTF-8 bytes), or nil if it is not declared.
    func position(of id: UnsafeBufferPointer<UInt8>) -> Int? {
        idBytes.firstPosition(of: id)
    }
}

/// Collects what one plugin reports through the sink for a batch of applications, one after
/// another, checking each call; ``finish()`` makes the findings of every application, all
/// sharing one storage (a batch costs one storage and its buffers per plugin, not one each per
/// application). What a plugin may report per application is bounded by ``ReportLimits``, here
/// for both modes: an isolated plugin's sink calls arrive through this collector too. A value:
/// it lives on the stack of the evaluation, and the sink reaches it through a pointer (no
/// reference counting, no run-time exclusivity checks on every call).
struct FindingCollector {
    let plugin: RuleIndex
    let citations: CitationIndex
    /// The message languages the plugin was asked for (only these must be present).
    let languages: MessageLanguages
    /// The nodes of the application being collected for (evidence must name one of them).
    private var nodeCount: UInt32 = 0
    /// The applications so far (evidence keeps their documents, not strings made from them).
    private var applications: [JSONDocument] = []
    /// A finding as reported: its rule's declared position, its verdict, its messages' places
    /// in `text`, and where its evidence and citations start (each ends where the next
    /// finding's start).
    private struct Reported {
        let position: Int
        let verdict: Verdict
        let zh: Range<Int>, en: Range<Int>
        /// The languages whose message needs no escaping in JSON.
        let verbatimInJSON: MessageLanguages
        let evidence: Int, citations: Int
    }
    private var reported: [Reported] = []
    /// Per application: its findings in `reported`, and the messages of its error finding in
    /// `text` if it has one.
    private struct Collected {
        let findings: Range<Int>
        let error: (zh: Range<Int>, en: Range<Int>)?
    }
    private var collected: [Collected] = []
    /// Where the current application's findings start in `reported`.
    private var firstFinding = 0
    /// Whether the last `reported` finding is still being reported (a refused one is not added,
    /// and what follows it until the next finding is refused too).
    private var reporting = false
    private var text: [UInt8] = []
    private var evidence = StoredEvidence()
    private var cited: [Int32] = []
    /// What the plugin did wrong on the current application.
    var violations: [String] = []
    /// Where the current application's evidence and citations start.
    private var firstEvidence = 0, firstCitation = 0
    /// The ``ReportLimits`` the current application has gone past (each reported once).
    private var limitsPassed: Set<String> = []

    /// A collector for up to `capacity` applications (room for what a plugin usually reports on
    /// each: one allocation per buffer).
    init(plugin: RuleIndex, citations: CitationIndex, languages: MessageLanguages, capacity: Int) {
        self.plugin = plugin
        self.citations = citations
        self.languages = languages
        applications.reserveCapacity(capacity)
        collected.reserveCapacity(capacity)
        reported.reserveCapacity(4 * capacity)
        text.reserveCapacity(1024 * capacity)
        evidence.reserveCapacity(8 * capacity)
        cited.reserveCapacity(8 * capacity)
    }

    /// Starts the next application: the sink calls until ``end(status:)`` are about it.
    mutating func start(_ application: JSONDocument) {
        applications.append(application)
        nodeCount = UInt32(application.nodes.count)
        firstFinding = reported.count
        firstEvidence = evidence.count
        firstCitation = cited.count
        reporting = false
        violations.removeAll(keepingCapacity: true)
        if !limitsPassed.isEmpty { limitsPassed.removeAll() }
    }

    /// Ends the current application after the plugin returned `status`. Anything that broke the
    /// contract becomes an `error` finding (nothing reported correctly is dropped).
    mutating func end(status: Int32) {
        var problems = violations
        if status != 0 { problems.append("evaluate returned \(status) (the plugin could not evaluate this application)") }
        if reported.count == firstFinding && problems.isEmpty { problems.append("the plugin reported no finding") }
        close(problems)
    }

    /// Adds `application`, on which the plugin could not be run (`reason`): its one finding is an `error`.
    mutating func fail(_ application: JSONDocument, _ reason: String) {
        applications.append(application)
        firstFinding = reported.count
        close([reason])
    }

    /// Records the current application: its findings, and an `error` finding for `problems`.
    private mutating func close(_ problems: [String]) {
        reporting = false
        guard !problems.isEmpty else { return collected.append(Collected(findings: firstFinding..<reported.count, error: nil)) }
        let list = problems.joined(separator: "; ")
        let zhStart = text.count
        text += "插件未能完成评估：\(list)。此项不能视为通过，请人工审核或联系插件作者。".utf8
        let enStart = text.count
        text += "The plugin could not be evaluated: \(list). This is not a pass; review by hand or contact the plugin's author.".utf8
        collected.append(Collected(findings: firstFinding..<reported.count, error: (zhStart..<enStart, enStart..<text.count)))
    }

    mutating func violation(_ text: String) {
        if violations.count < 20 { violations.append(text) }
    }

    /// Refuses what goes past limit `what` (said once per application; what follows is refused
    /// silently, so a flood costs no more than the count).
    private mutating func limitPassed(_ what: String) {
        reporting = false
        if limitsPassed.insert(what).inserted { violation("more than \(what) (the limit per application, in process and isolated alike)") }
    }

    /// Starts a finding from a sink call's arguments (nil for NULL): the rule is looked up by
    /// its bytes; the messages in the languages the plugin was asked for are checked (UTF-8, not
    /// empty) and kept as bytes.
    mutating func begin<Text: SinkText>(rule: Text?, verdict: UInt32, zh: Text?, en: Text?) {
        reporting = false
        guard reported.count - firstFinding < ReportLimits.findings else { return limitPassed("\(ReportLimits.findings) findings") }
        guard let position = rule?.withBytes({ plugin.position(of: $0) }) else {
            guard let name = rule?.text else { return violation("finding with a NULL or non-UTF-8 rule id") }
            return violation("finding for undeclared rule \(JSONWriter.quoted(name))")
        }
        // (The id as text only for a violation: reading it retains the shared string.)
        guard let value = Verdict(rawValue: verdict) else { return violation("finding of \(plugin.ids[position]) with verdict \(verdict), expected 0-4") }
        let start = text.count
        var verbatim: MessageLanguages = []
        let zhOutcome = message(zh, .zh, verbatim: &verbatim)
        let enOutcome = zhOutcome == .tooLong ? .tooLong : message(en, .en, verbatim: &verbatim)
        guard case .kept(let messageZh) = zhOutcome, case .kept(let messageEn) = enOutcome else {
            text.removeSubrange(start...)
            if zhOutcome == .tooLong || enOutcome == .tooLong { return limitPassed("\(ReportLimits.messageBytes) bytes in a message") }
            return violation("finding of \(plugin.ids[position]) without a valid \(languages == .both ? "zh and en message" : languages == .zh ? "zh message" : "en message")")
        }
        reported.append(Reported(position: position, verdict: value, zh: messageZh, en: messageEn, verbatimInJSON: verbatim,
                                 evidence: evidence.count, citations: cited.count))
        reporting = true
    }

    /// Keeps the message in `language`, returning where it is in `text`: empty if the plugin
    /// was not asked for it; `.invalid` if it was and the message is missing, empty or not
    /// text; `.tooLong` past the limit, in either case.
    /// Adds `language` to `verbatim` if a JSON string holds the message as it is.
    private mutating func message<Text: SinkText>(_ message: Text?, _ language: MessageLanguages,
                                                  verbatim: inout MessageLanguages) -> MessageOutcome {
        // A message in a language not asked for is not kept, but is held to the same limit.
        guard languages.contains(language) else {
            return message?.withBytes({ $0.count > ReportLimits.messageBytes }) == true ? .tooLong : .kept(text.count..<text.count)
        }
        // Copied first, then checked: the plugin's memory can change under the check (another
        // thread of it writing the same buffer), and what was checked must be what is reported
        // (checked in place, a control byte written after the check reached a JSON report raw).
        guard let message else { return .invalid }
        let start = text.count
        message.withBytes { text.append(contentsOf: $0) }
        guard text.count - start <= ReportLimits.messageBytes else { return .tooLong }
        guard text.count > start else { return .invalid }
        switch text.withUnsafeBufferPointer({ checkText(UnsafeBufferPointer(rebasing: $0[start...])) }) {
        case .invalid: return .invalid
        case .verbatimInJSON: verbatim.insert(language)
        case .escapedInJSON: break
        }
        return .kept(start..<text.count)
    }

    /// What became of a message: kept (where in `text`), not valid (NULL, empty, not UTF-8),
    /// or past ``ReportLimits/messageBytes``. (The caller removes what a refused one added.)
    private enum MessageOutcome: Equatable {
        case kept(Range<Int>)
        case invalid
        case tooLong
    }

    /// Whether the current application may have another piece of evidence (if not, the limit
    /// is reported).
    private mutating func evidenceFits() -> Bool {
        guard evidence.count - firstEvidence < ReportLimits.evidence else {
            limitPassed("\(ReportLimits.evidence) pieces of evidence")
            return false
        }
        return true
    }

    mutating func evidence(node: UInt32) {
        guard reporting else { return violation("evidence before any finding") }
        guard evidenceFits() else { return }
        guard node < nodeCount else {
            return violation("evidence node \(node) out of range (the application has \(nodeCount))")
        }
        evidence.append(node: node)
    }

    mutating func evidence(absent path: String?) {
        guard reporting else { return violation("evidence before any finding") }
        guard evidenceFits() else { return }
        if let path, path.utf8.count > ReportLimits.evidenceTextBytes { return limitPassed("\(ReportLimits.evidenceTextBytes) bytes in an evidence path, label or value") }
        guard let path, path.hasPrefix("$") else { return violation("absent-field evidence without a JSON path starting with $") }
        // "Missing" must be true: a field the application has (other than null) is not absent.
        if let application = applications.last, application.hasValue(at: path) {
            return violation("absent-field evidence for \(path), which the application has")
        }
        evidence.append(EvidenceReport(kind: .absent, path: path, value: nil))
    }

    mutating func evidence(label: String?, value: String?) {
        guard reporting else { return violation("evidence before any finding") }
        guard evidenceFits() else { return }
        if (label?.utf8.count ?? 0) > ReportLimits.evidenceTextBytes || (value?.utf8.count ?? 0) > ReportLimits.evidenceTextBytes {
            return limitPassed("\(ReportLimits.evidenceTextBytes) bytes in an evidence path, label or value")
        }
        guard let label, !label.isEmpty, let value else { return violation("derived evidence without a valid label and value") }
        evidence.append(EvidenceReport(kind: .derived, path: label, value: JSONWriter.quoted(value)))
    }

    /// Cites the clause whose id a sink call passed (nil for NULL), looked up by its bytes.
    mutating func cite<Text: SinkText>(_ id: Text?) {
        guard reporting, let finding = reported.last else { return violation("citation before any finding") }
        guard cited.count - firstCitation < ReportLimits.citations else { return limitPassed("\(ReportLimits.citations) citations") }
        guard let citation = id?.withBytes({ citations.position(of: $0) }) else {
            guard let name = id?.text else { return violation("citation id NULL or not UTF-8") }
            return violation("citation \(JSONWriter.quoted(name)) is not in the rule data")
        }
        // (Positions, not a slice: a slice of `cited` would retain its buffer.)
        if !(finding.citations..<cited.count).contains(where: { cited[$0] == citation }) { cited.append(citation) }
    }

    /// The findings of every application, in the order they came, each application's in
    /// declared rule order with its `error` finding last.
    /// (`consuming`: the buffers move into the storage, uncopied.)
    consuming func finish() -> CollectedFindings {
        let storage = FindingStorage(rules: plugin, text: text, applications: applications, evidence: evidence, citations: cited,
                                     citationIndex: citations)
        var findings: [FindingReport] = []
        findings.reserveCapacity(reported.count + collected.count)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(collected.count)
        for application in collected.indices {
            let entry = collected[application]
            let first = findings.count
            for index in entry.findings {
                let finding = reported[index]
                // A finding's evidence and citations end where the next one's (maybe the next
                // application's first) start: nothing is added between applications.
                let next = index + 1 < reported.count ? reported[index + 1] : nil
                findings.append(FindingReport(verdict: finding.verdict, storage: storage, application: application, position: finding.position,
                                              zh: finding.zh, en: finding.en, verbatimInJSON: finding.verbatimInJSON,
                                              evidence: finding.evidence..<(next?.evidence ?? evidence.count),
                                              citations: finding.citations..<(next?.citations ?? cited.count)))
            }
            let order = reported[entry.findings]
            if zip(order, order.dropFirst()).contains(where: { $0.position > $1.position }) {
                let sorted = zip(order, findings[first...]).enumerated()
                    .sorted { ($0.element.0.position, $0.offset) < ($1.element.0.position, $1.offset) }
                    .map(\.element.1)
                findings.replaceSubrange(first..., with: sorted)
            }
            if let error = entry.error {
                findings.append(FindingReport(verdict: .error, storage: storage, application: application, position: nil,
                                              zh: error.zh, en: error.en, verbatimInJSON: [], evidence: 0..<0, citations: 0..<0))
            }
            ranges.append(first..<findings.count)
        }
        return CollectedFindings(findings: findings, ranges: ranges)
    }
}

/// The findings a ``FindingCollector`` made of a batch: every application's, one after another
/// (one array for the batch, not one per application).
struct CollectedFindings {
    let findings: [FindingReport]
    /// Where each application's findings are in `findings`, in the order they were collected.
    let ranges: [Range<Int>]

    /// None (a plugin evaluated elsewhere).
    static let none = CollectedFindings(findings: [], ranges: [])

    /// The findings of application `position`.
    subscript(position: Int) -> ArraySlice<FindingReport> { findings[ranges[position]] }
}

/// A text argument of a sink call as the collector receives it: a plugin's C string (in
/// process) or the bytes a worker recorded of one. Ids are looked up by their bytes; only
/// messages, and names quoted in a violation, become Swift text.
protocol SinkText {
    /// Calls `body` with the UTF-8 bytes.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result
    /// The text, or nil if the bytes are not UTF-8 (or hold a NUL, which no C string can).
    var text: String? { get }
}

extension UnsafePointer: SinkText where Pointee == CChar {
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result { body(cStringBytes(self)) }
    var text: String? { String(validatingCString: self) }
}

/// The collector a sink call's context points to.
private func collector(_ context: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<FindingCollector> {
    context!.assumingMemoryBound(to: FindingCollector.self)
}

/// The host services every evaluation receives (SQLite style: passed in, never linked).
/// Immutable after initialisation; each call copies it and sets its own context.
nonisolated(unsafe) private let sinkFunctions = check_sink(
    abi_version: CHECK_ABI_VERSION,
    struct_size: UInt32(MemoryLayout<check_sink>.size),
    context: nil,
    finding: { context, rule, verdict, zh, en in collector(context).pointee.begin(rule: rule, verdict: verdict, zh: zh, en: en) },
    evidence: { context, node in collector(context).pointee.evidence(node: node) },
    evidence_absent: { context, path in collector(context).pointee.evidence(absent: path?.text) },
    evidence_derived: { context, label, value in collector(context).pointee.evidence(label: label?.text, value: value?.text) },
    cite: { context, id in collector(context).pointee.cite(id) })

extension LoadedPlugin {
    /// Runs the plugin on one application in this process, collecting into `collector`; the
    /// crash notice names the plugin and `id` while its code runs.
    func evaluate(_ application: JSONDocument, _ document: UnsafePointer<check_document>, application id: String?, asOf: String,
                  into collector: inout FindingCollector) {
        collector.start(application)
        var id = id ?? ""
        id.withUTF8 { check_crash_scene_enter(crashName, $0.baseAddress, $0.count) }
        defer { check_crash_scene_leave() }
        let languages = collector.languages
        let status: Int32 = withUnsafeMutablePointer(to: &collector) { collector in
            var sink = sinkFunctions
            sink.context = UnsafeMutableRawPointer(collector)
            return asOf.withCString { asOfText in
                var request = check_request(struct_size: UInt32(MemoryLayout<check_request>.size), message_languages: languages.rawValue,
                                            application: document, as_of: asOfText)
                if let evaluationLock {
                    evaluationLock.lock()
                    defer { evaluationLock.unlock() }
                    return descriptor.pointee.evaluate(state, &request, &sink)
                }
                return descriptor.pointee.evaluate(state, &request, &sink)
            }
        }
        collector.end(status: status)
    }
}
