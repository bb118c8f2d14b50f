import CCheckABI
import CheckAPI
import CheckJSON

#if canImport(Glibc)
import Glibc
#endif

/// The byte protocol between the host and a plugin worker process (`check __worker FILE`).
/// Integers are little-endian; strings are a `u32` length and UTF-8 bytes.
///
/// - worker → host, once: `hello` (`"CKHI"`, u32 length, the plugin's metadata as JSON) or
///   `refused` (`"CKNO"`, u32 length, the reason).
/// - host → worker, per batch: `"CKRQ"`, u32 count, then per application: u32 index,
///   12 bytes as-of date (space-padded), u32 node count, u32 text length, the nodes
///   (`check_node` as laid out in memory), the text, zero bytes up to a multiple of 8. The
///   application crosses as the tape the host already parsed; every part starts 8-aligned in
///   the stream, so the worker hands the plugin its nodes where they were read.
/// - worker → host, per application, in order: `"CKRS"`, u32 index, i32 status, u32 length,
///   then the plugin's sink calls as events (see ``WorkerEvent``).
enum WorkerProtocol {
    static let hello: UInt32 = 0x4948_4B43      // "CKHI"
    static let refused: UInt32 = 0x4F4E_4B43    // "CKNO"
    static let request: UInt32 = 0x5152_4B43    // "CKRQ"
    static let response: UInt32 = 0x5352_4B43   // "CKRS"
    /// The largest frame either side accepts.
    static let maximumFrame = 64 << 20

    /// One response read from a worker's output.
    struct Response {
        /// What the plugin's `evaluate` returned.
        let status: Int32
        /// Its sink calls, encoded as ``WorkerEvent``s (checked to decode).
        let events: ArraySlice<UInt8>
        /// How many bytes the response took.
        let length: Int
    }

    /// The response at the start of `bytes`, nil if it is not complete yet. Throws on anything
    /// that is not a response for application `expected` (applications carry their index in
    /// the whole batch, also after a restart) — the plugin-result boundary, fuzzed by fuzz/run.
    static func nextResponse(_ bytes: ArraySlice<UInt8>, expected: UInt32) throws(WorkerProtocolError) -> Response? {
        guard bytes.count >= 16 else { return nil }
        let (magic, index, status, length) = try bytes.withUnsafeBufferPointer { bytes throws(WorkerProtocolError) in
            var reader = ByteReader(bytes)
            return (try reader.uint32(), try reader.uint32(), Int32(bitPattern: try reader.uint32()), Int(try reader.uint32()))
        }
        guard magic == response, index == expected, length <= maximumFrame else {
            let shown = bytes.prefix(16).map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
            throw WorkerProtocolError("expected response \(expected), found \(shown)")
        }
        guard bytes.count >= 16 + length else { return nil }
        let payload = bytes[(bytes.startIndex + 16)..<(bytes.startIndex + 16 + length)]
        try WorkerEvent.forEach(in: payload) { _ in }
        return Response(status: status, events: payload, length: 16 + length)
    }

    /// The bytes of one application in a request.
    static func appendApplication(index: UInt32, asOf: String, document: JSONDocument, to bytes: inout [UInt8]) {
        bytes.appendUInt32(index)
        let day = Array(asOf.utf8)
        bytes.append(contentsOf: day.prefix(dayLength) + Array(repeating: 0x20, count: max(0, dayLength - day.count)))
        bytes.appendUInt32(UInt32(document.nodes.count))
        bytes.appendUInt32(UInt32(document.text.count))
        document.nodes.withUnsafeBytes { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: document.text)
        bytes.append(contentsOf: repeatElement(0, count: padding(document.text.count)))
    }

    /// The bytes of an application's header in a request: index, as-of date, node count, text length.
    static let applicationHeader = 24
    /// The bytes the as-of date takes in that header.
    static let dayLength = 12

    /// The zero bytes that follow `length` bytes of text, up to a multiple of 8.
    static func padding(_ length: Int) -> Int { (8 - length % 8) % 8 }
}

/// A batch of applications encoded once for all the workers that evaluate it: the whole
/// request, and where each application starts in it (a restarted worker is sent the rest).
struct EncodedBatch {
    /// The request for every application (indices 0…count-1).
    private let whole: [UInt8]
    /// The offset of each application in `whole`.
    private let starts: [Int]

    /// The batch of `applications`: each one's as-of date and parsed document.
    init(_ applications: [(asOf: String, document: JSONDocument)]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + applications.reduce(0) { total, item in
            total + WorkerProtocol.applicationHeader + item.document.nodes.count * MemoryLayout<check_node>.stride + item.document.text.count + 7
        })
        bytes.appendUInt32(WorkerProtocol.request)
        bytes.appendUInt32(UInt32(applications.count))
        var starts: [Int] = []
        starts.reserveCapacity(applications.count)
        for (index, item) in applications.enumerated() {
            starts.append(bytes.count)
            WorkerProtocol.appendApplication(index: UInt32(index), asOf: item.asOf, document: item.document, to: &bytes)
        }
        whole = bytes
        self.starts = starts
    }

    /// How many applications.
    var count: Int { starts.count }

    /// The request for applications `first…` (the whole batch for 0: shared, not copied).
    func request(from first: Int) -> [UInt8] {
        guard first > 0 else { return whole }
        var partial: [UInt8] = []
        partial.reserveCapacity(8 + whole.count - starts[first])
        partial.appendUInt32(WorkerProtocol.request)
        partial.appendUInt32(UInt32(count - first))
        partial += whole[starts[first]...]
        return partial
    }
}

/// One sink call a plugin made, as recorded by the worker: texts are the bytes the plugin
/// passed (nil for NULL), checked when the collector reads them, as a C string would be.
enum WorkerEvent {
    case finding(rule: UnsafeBufferPointer<UInt8>?, verdict: UInt32, zh: UnsafeBufferPointer<UInt8>?, en: UnsafeBufferPointer<UInt8>?)
    case evidence(node: UInt32)
    case absent(path: UnsafeBufferPointer<UInt8>?)
    case derived(label: UnsafeBufferPointer<UInt8>?, value: UnsafeBufferPointer<UInt8>?)
    case cite(id: UnsafeBufferPointer<UInt8>?)

    static let findingTag: UInt8 = 1, evidenceTag: UInt8 = 2, absentTag: UInt8 = 3, derivedTag: UInt8 = 4, citeTag: UInt8 = 5

    /// Replays the event into `collector`, exactly as the call would have arrived in process.
    func replay(into collector: inout FindingCollector) {
        switch self {
        case .finding(let rule, let verdict, let zh, let en): collector.begin(rule: rule, verdict: verdict, zh: zh, en: en)
        case .evidence(let node): collector.evidence(node: node)
        case .absent(let path): collector.evidence(absent: path?.text)
        case .derived(let label, let value): collector.evidence(label: label?.text, value: value?.text)
        case .cite(let id): collector.cite(id)
        }
    }

    /// Replays the events `bytes` encode into `collector`; bytes that do not decode (which a
    /// response read by ``WorkerProtocol/nextResponse(_:expected:)`` cannot hold) are a violation.
    static func replay(_ bytes: ArraySlice<UInt8>, into collector: inout FindingCollector) {
        do {
            try forEach(in: bytes) { $0.replay(into: &collector) }
        } catch {
            collector.violation("malformed events: \(error)")
        }
    }

    /// Decodes the events of one response, one at a time, into `body` (their texts point into
    /// `bytes`, valid only during the call: nothing is copied or kept). Never traps: malformed
    /// bytes throw a description, after `body` has seen the events before them.
    static func forEach(in bytes: ArraySlice<UInt8>, _ body: (WorkerEvent) -> Void) throws(WorkerProtocolError) {
        try bytes.withUnsafeBufferPointer { bytes throws(WorkerProtocolError) in
            var reader = ByteReader(bytes)
            var count = 0
            while !reader.isAtEnd {
                count += 1
                guard count <= 100_000 else { throw WorkerProtocolError("more than 100000 events for one application") }
                let tag = try reader.byte()
                switch tag {
                case findingTag:
                    let verdict = try reader.uint32()
                    body(.finding(rule: try reader.text(), verdict: verdict, zh: try reader.text(), en: try reader.text()))
                case evidenceTag: body(.evidence(node: try reader.uint32()))
                case absentTag: body(.absent(path: try reader.text()))
                case derivedTag: body(.derived(label: try reader.text(), value: try reader.text()))
                case citeTag: body(.cite(id: try reader.text()))
                default: throw WorkerProtocolError("unknown event tag \(tag) at byte \(reader.offset - 1)")
                }
            }
        }
    }
}

/// Output from a worker that does not follow the protocol.
struct WorkerProtocolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads protocol values from bytes, with every length checked.
struct ByteReader {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var offset = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset >= bytes.count }
    var remaining: Int { bytes.count - offset }

    // (Inlined: the host reads every event of every response through these, twice.)
    @inline(__always) mutating func byte() throws(WorkerProtocolError) -> UInt8 {
        guard offset < bytes.count else { throw WorkerProtocolError("output ends inside an event") }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always) mutating func uint32() throws(WorkerProtocolError) -> UInt32 {
        guard remaining >= 4, let base = bytes.baseAddress else { throw WorkerProtocolError("output ends inside a number") }
        defer { offset += 4 }
        return UInt32(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt32.self))
    }

    @inline(__always) mutating func slice(_ count: Int) throws(WorkerProtocolError) -> UnsafeBufferPointer<UInt8> {
        guard count >= 0, remaining >= count else { throw WorkerProtocolError("a length of \(count) bytes runs past the end of the output") }
        defer { offset += count }
        return UnsafeBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    /// A string's bytes: nil for a NULL pointer (length 0xFFFFFFFF).
    @inline(__always) mutating func text() throws(WorkerProtocolError) -> UnsafeBufferPointer<UInt8>? {
        let length = try uint32()
        return length == UInt32.max ? nil : try slice(Int(length))
    }
}

extension UnsafeBufferPointer: SinkText where Element == UInt8 {
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result { body(self) }

    /// Nil also for a NUL byte: the bytes could not have come from a C string.
    var text: String? {
        guard let base = baseAddress else { return "" }
        guard memchr(base, 0, count) == nil else { return nil }
        // Decoding repairs invalid UTF-8 (with U+FFFD), so the bytes were valid exactly when
        // the text is the same bytes: one validation (the standard library's) and a memcmp.
        var text = String(decoding: self, as: UTF8.self)
        return text.withUTF8 { bytesEqual($0, self) } ? text : nil
    }
}

extension Array where Element == UInt8 {
    mutating func appendUInt32(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }

    /// A C string from a plugin; NULL is written as the length 0xFFFFFFFF. One longer than
    /// `limit` bytes is written as `limit + 1` bytes of "x": the host refuses it for its
    /// length, as it would in process, without the worker sending it whole.
    mutating func appendText(_ pointer: UnsafePointer<CChar>?, limit: Int = 1 << 10) {
        guard let pointer else {
            appendUInt32(UInt32.max)
            return
        }
        let length = strlen(pointer)
        guard length <= limit else {
            appendUInt32(UInt32(limit + 1))
            append(contentsOf: repeatElement(UInt8(ascii: "x"), count: limit + 1))
            return
        }
        appendUInt32(UInt32(length))
        pointer.withMemoryRebound(to: UInt8.self, capacity: length) { append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    }
}

/// Records what a plugin reports through the sink, in the worker, for one application at a
/// time. Beyond ``ReportLimits`` (one past each count, so that the host sees the limit passed
/// and refuses it as it would in process) nothing more of that kind is recorded: a plugin
/// cannot make a response outgrow ``WorkerProtocol/maximumFrame``.
final class EventRecorder {
    var bytes: [UInt8] = []
    var findings = 0, evidence = 0, citations = 0

    /// Starts the next application.
    func reset() {
        bytes.removeAll(keepingCapacity: true)
        findings = 0
        evidence = 0
        citations = 0
    }
}

private func recorder(_ context: UnsafeMutableRawPointer?) -> EventRecorder {
    Unmanaged<EventRecorder>.fromOpaque(context!).takeUnretainedValue()
}

/// The sink a worker gives its plugin: every call becomes an event.
nonisolated(unsafe) let recordingSink = check_sink(
    abi_version: CHECK_ABI_VERSION,
    struct_size: UInt32(MemoryLayout<check_sink>.size),
    context: nil,
    finding: { context, rule, verdict, zh, en in
        let events = recorder(context)
        events.findings += 1
        guard events.findings <= ReportLimits.findings + 1 else { return }
        events.bytes.append(WorkerEvent.findingTag)
        events.bytes.appendUInt32(verdict)
        events.bytes.appendText(rule)
        events.bytes.appendText(zh, limit: ReportLimits.messageBytes)
        events.bytes.appendText(en, limit: ReportLimits.messageBytes)
    },
    evidence: { context, node in
        let events = recorder(context)
        events.evidence += 1
        guard events.evidence <= ReportLimits.evidence + 1 else { return }
        events.bytes.append(WorkerEvent.evidenceTag)
        events.bytes.appendUInt32(node)
    },
    evidence_absent: { context, path in
        let events = recorder(context)
        events.evidence += 1
        guard events.evidence <= ReportLimits.evidence + 1 else { return }
        events.bytes.append(WorkerEvent.absentTag)
        events.bytes.appendText(path, limit: ReportLimits.evidenceTextBytes)
    },
    evidence_derived: { context, label, value in
        let events = recorder(context)
        events.evidence += 1
        guard events.evidence <= ReportLimits.evidence + 1 else { return }
        events.bytes.append(WorkerEvent.derivedTag)
        events.bytes.appendText(label, limit: ReportLimits.evidenceTextBytes)
        events.bytes.appendText(value, limit: ReportLimits.evidenceTextBytes)
    },
    cite: { context, id in
        let events = recorder(context)
        events.citations += 1
        guard events.citations <= ReportLimits.citations + 1 else { return }
        events.bytes.append(WorkerEvent.citeTag)
        events.bytes.appendText(id)
    })
