/// Where JSON text is appended: a byte array, or a writer's own ``ByteBuffer``.
public protocol JSONOutput: ~Copyable {
    /// Appends one byte.
    mutating func append(_ byte: UInt8)
    /// Appends `bytes`.
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
}

extension JSONOutput where Self: ~Copyable {
    /// Appends the UTF-8 of a literal.
    @inline(__always) public mutating func append(literal: StaticString) {
        literal.withUTF8Buffer { append(bytes: $0) }
    }
}

extension Array: JSONOutput where Element == UInt8 {
    /// Appends `bytes`.
    public mutating func append(bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// A growable byte buffer written through a raw pointer: each append is a capacity check and a
/// copy (an `Array` append also checks uniqueness and goes through generic sequence code, which
/// costs ten times as much for the short pieces a report is made of).
struct ByteBuffer: ~Copyable, JSONOutput {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The number of bytes written.
    private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes before it grows.
    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes.
    @inline(__always) private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends one byte.
    @inline(__always) mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends `bytes`.
    @inline(__always) mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        copyBytes(from: source, to: base + count, count: bytes.count)
        count += bytes.count
    }

    /// Copies `count` bytes: the short pieces a report is mostly made of (member names, codes,
    /// path components) as two overlapping words, where a call to `memcpy` cost more than the
    /// copy; longer ones with `memcpy`.
    @inline(__always) private func copyBytes(from source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        switch count {
        case 8...16:
            // Two words, overlapping in the middle.
            to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self), toByteOffset: count &- 8, as: UInt64.self)
        case 4...7:
            to.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self), toByteOffset: count &- 4, as: UInt32.self)
        case 1...3:
            target[0] = source[0]
            target[count >> 1] = source[count >> 1]
            target[count &- 1] = source[count &- 1]
        case 0:
            break
        default:
            target.initialize(from: source, count: count)
        }
    }

    /// Appends `"name":`, after `separator` if there is one.
    mutating func appendMemberName(_ name: StaticString, after separator: UInt8?) {
        let length = name.utf8CodeUnitCount
        reserve(length + 4)
        var at = base + count
        if let separator {
            at.pointee = separator
            at += 1
        }
        at.pointee = UInt8(ascii: "\"")
        copyBytes(from: name.utf8Start, to: at + 1, count: length)
        at[length + 1] = UInt8(ascii: "\"")
        at[length + 2] = UInt8(ascii: ":")
        count = at - base + length + 3
    }

    /// Appends `count` spaces.
    mutating func appendSpaces(_ spaces: Int) {
        reserve(spaces)
        (base + count).initialize(repeating: 0x20, count: spaces)
        count += spaces
    }

    /// Calls `body` with the bytes written from `position` on.
    func withBytes<Result>(from position: Int = 0, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        precondition(position >= 0 && position <= count)
        return try body(UnsafeBufferPointer(start: base + position, count: count - position))
    }

    /// Appends a copy of the bytes at `range` of this buffer.
    mutating func appendCopy(of range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        reserve(range.count)
        copyBytes(from: base + range.lowerBound, to: base + count, count: range.count)
        count += range.count
    }

    /// Drops the bytes from `position` on.
    mutating func truncate(to position: Int) {
        precondition(position >= 0 && position <= count)
        count = position
    }

    /// The bytes written, as an array.
    var array: [UInt8] { withBytes { Array($0) } }
}

/// Writes JSON text: string quoting, and a small streaming writer with deterministic output
/// (keys in the order written, no locale, no timestamps).
public struct JSONWriter: ~Copyable {
    private var buffer: ByteBuffer
    /// Whether the innermost open array or object (or the top level) has a value yet. Every
    /// enclosing one has: a container is opened as one of its parent's values.
    private var hasContent = false
    private var pendingValueAfterKey = false
    private var indentUnit: Int
    private var depth = 0
    /// Where the current piece began: no line break is written before its first value.
    private var pieceStart = 0
    /// The paths written in the current piece, by document and node: a path written again is
    /// copied from where it was written (an application's findings cite the same values, its
    /// industry code above all, again and again; a path takes ~800 instructions to make).
    private var writtenPaths: [WrittenPath] = []
    private struct WrittenPath {
        /// The document's node table, standing for the document.
        let nodes: UnsafeRawPointer?
        let index: UInt32
        /// The quoted path in `buffer`.
        let range: Range<Int>
    }

    /// A writer; `indent` > 0 pretty-prints with that many spaces per level, starting at
    /// nesting `depth` (for a piece of a larger document written elsewhere); `capacity` bytes
    /// are reserved before the buffer has to grow.
    public init(indent: Int = 0, depth: Int = 0, capacity: Int = 256) {
        indentUnit = indent
        self.depth = depth
        buffer = ByteBuffer(capacity: capacity)
    }

    /// The bytes written so far, as an array.
    public var bytes: [UInt8] { buffer.array }

    /// Calls `body` with the bytes written so far, uncopied.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try buffer.withBytes(body)
    }

    /// Appends `text` as it is, outside any value (between pieces of ``JSONPieces``).
    mutating func appendBetweenValues(_ text: StaticString) {
        buffer.append(literal: text)
    }

    /// Starts over as a new writer at `indent` and `depth` would, keeping what was written.
    mutating func restart(indent: Int, depth: Int) {
        indentUnit = indent
        self.depth = depth
        hasContent = false
        pendingValueAfterKey = false
        pieceStart = buffer.count
        writtenPaths.removeAll(keepingCapacity: true)
    }

    /// Appends `value` as a quoted, escaped JSON string. Only `"`, `\` and control characters
    /// are escaped; other characters (Chinese included) are written as UTF-8.
    public static func appendQuoted<Output: JSONOutput & ~Copyable>(_ value: UnsafeBufferPointer<UInt8>, to output: inout Output) {
        // Fast path: nothing to escape (the usual case), one copy.
        guard let firstEscape = firstByteToEscape(in: value) else { return appendVerbatimQuoted(value, to: &output) }
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        for position in firstEscape..<value.count {
            let byte = value[position]
            guard StringBytes.needsEscape(byte) else { continue }
            output.append(bytes: UnsafeBufferPointer(rebasing: value[runStart..<position]))
            output.append(0x5C)
            switch byte {
            case 0x22: output.append(0x22)
            case 0x5C: output.append(0x5C)
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            case 0x09: output.append(UInt8(ascii: "t"))
            default:
                let hex: StaticString = "0123456789abcdef"
                output.append(literal: "u00")
                output.append(hex.utf8Start[Int(byte >> 4)])
                output.append(hex.utf8Start[Int(byte & 0xF)])
            }
            runStart = position + 1
        }
        output.append(bytes: UnsafeBufferPointer(rebasing: value[runStart..<value.count]))
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `value`, which holds nothing a JSON string must escape, between quotes.
    static func appendVerbatimQuoted<Output: JSONOutput & ~Copyable>(_ value: UnsafeBufferPointer<UInt8>, to output: inout Output) {
        output.append(UInt8(ascii: "\""))
        output.append(bytes: value)
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `value` as a quoted, escaped JSON string.
    public static func appendQuoted<Output: JSONOutput & ~Copyable>(_ value: String, to output: inout Output) {
        withUTF8Bytes(of: value) { appendQuoted($0, to: &output) }
    }

    /// The position of the first byte that must be escaped (a control character, `"` or `\`),
    /// or nil. Eight bytes at a time: this scan runs over every string of every report.
    static func firstByteToEscape(in value: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = value.baseAddress else { return nil }
        let count = value.count
        var position = 0
        while position + 8 <= count, !StringBytes.mayNeedEscape(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)) {
            position += 8
        }
        while position < count {
            let byte = base[position]
            if StringBytes.needsEscape(byte) { return position }
            position += 1
        }
        return nil
    }

    /// `value` as a quoted, escaped JSON string.
    public static func quoted(_ value: String) -> String {
        var output: [UInt8] = []
        appendQuoted(value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: Streaming structure

    private mutating func separate() {
        if hasContent { buffer.append(UInt8(ascii: ",")) }
        hasContent = true
        newline()
    }

    private mutating func newline() {
        guard indentUnit > 0, buffer.count > pieceStart else { return }
        buffer.append(0x0A)
        buffer.appendSpaces(depth * indentUnit)
    }

    private mutating func open(_ bracket: UInt8) {
        buffer.append(bracket)
        depth += 1
        hasContent = false
    }

    private mutating func close(_ bracket: UInt8) {
        let hadContent = hasContent
        hasContent = true
        depth -= 1
        if hadContent { newline() }
        buffer.append(bracket)
    }

    /// Writes `"name":` inside an object (a literal name: written without a scan for escapes).
    public mutating func key(_ name: StaticString) {
        if indentUnit == 0 {
            // Compact (every JSON Lines result): the separator, quoted name and colon in one go.
            buffer.appendMemberName(name, after: hasContent ? UInt8(ascii: ",") : nil)
            hasContent = true
            pendingValueAfterKey = true
            return
        }
        separate()
        buffer.append(UInt8(ascii: "\""))
        buffer.append(literal: name)
        buffer.append(UInt8(ascii: "\""))
        afterKey()
    }

    /// Writes `"name":` inside an object, for a name known only at run time.
    public mutating func key(named name: String) {
        separate()
        JSONWriter.appendQuoted(name, to: &buffer)
        afterKey()
    }

    private mutating func afterKey() {
        buffer.append(UInt8(ascii: ":"))
        if indentUnit > 0 { buffer.append(0x20) }
        hasContent = true
        pendingValueAfterKey = true
    }

    private mutating func beginValue() {
        if pendingValueAfterKey {
            pendingValueAfterKey = false
        } else {
            separate()
        }
    }

    /// Starts an object (as a value, or after `key`).
    public mutating func beginObject() { beginValue(); open(UInt8(ascii: "{")) }
    /// Ends the current object.
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    /// Starts an array (as a value, or after `key`).
    public mutating func beginArray() { beginValue(); open(UInt8(ascii: "[")) }
    /// Ends the current array.
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes a string value.
    public mutating func string(_ value: String) { beginValue(); JSONWriter.appendQuoted(value, to: &buffer) }
    /// Writes a string value, or null.
    public mutating func string(_ value: String?) { if let value { string(value) } else { null() } }
    /// Writes text given as UTF-8 bytes as a string value.
    public mutating func string(utf8 value: UnsafeBufferPointer<UInt8>) { beginValue(); JSONWriter.appendQuoted(value, to: &buffer) }
    /// Writes a string value from UTF-8 that ``checkText(_:)`` found ``CheckedText/verbatimInJSON``:
    /// copied between quotes, not scanned again.
    public mutating func string(verbatimUTF8 value: UnsafeBufferPointer<UInt8>) { beginValue(); JSONWriter.appendVerbatimQuoted(value, to: &buffer) }
    /// Writes an integer value.
    public mutating func integer(_ value: Int) {
        beginValue()
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude, to: &buffer)
    }
    /// Writes a Boolean value.
    public mutating func bool(_ value: Bool) { beginValue(); buffer.append(literal: value ? "true" : "false") }
    /// Writes null.
    public mutating func null() { beginValue(); buffer.append(literal: "null") }
    /// Writes already-serialised JSON text as a value (e.g. a value copied from the input).
    public mutating func raw(_ json: String) {
        beginValue()
        withUTF8Bytes(of: json) { buffer.append(bytes: $0) }
    }
    /// Writes already-serialised JSON bytes as a value.
    public mutating func raw(_ json: UnsafeBufferPointer<UInt8>) {
        beginValue()
        buffer.append(bytes: json)
    }
    /// Writes `node`'s value as compact JSON (numbers as in the source).
    public mutating func value(_ node: JSONNode) { beginValue(); node.writeJSON(into: &buffer) }
    /// Writes the JSON path of `node` (e.g. `$.project.industries[0].code`) as a string value.
    public mutating func path(of node: JSONNode) {
        beginValue()
        let nodes = UnsafeRawPointer(node.document.pointee.nodes)
        if let written = writtenPaths.first(where: { $0.nodes == nodes && $0.index == node.index }) {
            return buffer.appendCopy(of: written.range)
        }
        let start = buffer.count
        defer {
            // A few per piece: more would make looking them up cost more than writing them.
            if writtenPaths.count < 16 { writtenPaths.append(WrittenPath(nodes: nodes, index: node.index, range: start..<buffer.count)) }
        }
        buffer.append(UInt8(ascii: "\""))
        node.appendPath(to: &buffer)
        // A path quotes odd member names (`$["a b"]`); those quotes need escaping in turn.
        if buffer.withBytes(from: start + 1, { JSONWriter.firstByteToEscape(in: $0) }) == nil {
            buffer.append(UInt8(ascii: "\""))
        } else {
            let text = buffer.withBytes(from: start + 1) { Array($0) }
            buffer.truncate(to: start)
            text.withUnsafeBufferPointer { JSONWriter.appendQuoted($0, to: &buffer) }
        }
    }
    /// Writes already-serialised compact members (`"a":1,"b":2`) into the current object; only
    /// for a compact writer.
    public mutating func members(_ json: UnsafeBufferPointer<UInt8>) {
        precondition(isCompact && !pendingValueAfterKey, "pre-written members go into a compact writer's object")
        separate()
        buffer.append(bytes: json)
    }
    /// Whether the writer writes compact JSON (no indentation), so pre-written compact values fit.
    public var isCompact: Bool { indentUnit == 0 }

    /// Writes `"name": "value"`.
    public mutating func field(_ name: StaticString, _ value: String?) { key(name); string(value) }
    /// Writes `"name": integer`.
    public mutating func field(_ name: StaticString, _ value: Int) { key(name); integer(value) }
    /// Writes `"name": bool`.
    public mutating func field(_ name: StaticString, _ value: Bool) { key(name); bool(value) }
}

/// A test on eight bytes of a JSON string at once (SWAR) for the writer's scan: exact in
/// saying "none"; a "maybe" is settled byte by byte.
enum StringBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether a JSON string must escape `byte`: a control character, `"` or `\`.
    @inline(__always) static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C
    }

    /// Whether any of the eight bytes of `word` is a control character, `"` or `\`.
    @inline(__always) static func mayNeedEscape(_ word: UInt64) -> Bool {
        escapeBits(word) != 0
    }

    /// Nonzero if any of the eight bytes of `word` is a control character, `"` or `\` (to be
    /// or-ed over many words and tested once).
    @inline(__always) static func escapeBits(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
        // "Has a byte below n" and "has a zero byte" (after the XORs); bytes ≥ 0x80 are
        // excluded by `& ~x`.
        let control = (word &- ones &* 0x20) & ~word
        let zeroQuote = (quote &- ones) & ~quote, zeroBackslash = (backslash &- ones) & ~backslash
        return (control | zeroQuote | zeroBackslash) & highs
    }
}

/// JSON text written piece by piece (one piece per application of a streaming report), each
/// piece by a writer that starts afresh, into one buffer: no buffer made per piece.
public struct JSONPieces: ~Copyable {
    private var writer: JSONWriter

    /// An empty text with room for `capacity` bytes before it grows.
    public init(capacity: Int) {
        writer = JSONWriter(capacity: capacity)
    }

    /// Appends `text` as it is (separators and line breaks between pieces).
    public mutating func append(_ text: StaticString) {
        writer.appendBetweenValues(text)
    }

    /// Appends what `body` writes with a new writer's state at `indent` and `depth` (no
    /// separator or line break is written before its first value).
    public mutating func write(indent: Int = 0, depth: Int = 0, _ body: (inout JSONWriter) -> Void) {
        writer.restart(indent: indent, depth: depth)
        body(&writer)
    }

    /// Calls `body` with the text written, uncopied.
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try writer.withBytes(body)
    }
}
