/// Writes JSON text into byte buffers: string quoting, and a small streaming writer with
/// deterministic output (keys in the order written, no locale, no timestamps).
public struct JSONWriter {
    /// The bytes written so far.
    public var bytes: [UInt8] = []
    /// Whether the innermost open array or object (or the top level) has a value yet. Every
    /// enclosing one has: a container is opened as one of its parent's values.
    private var hasContent = false
    private let indentUnit: Int
    private var depth = 0

    /// A writer; `indent` > 0 pretty-prints with that many spaces per level, starting at
    /// nesting `depth` (for a piece of a larger document written elsewhere).
    public init(indent: Int = 0, depth: Int = 0) {
        self.init(indent: indent, depth: depth, startCount: 0)
    }

    private init(indent: Int, depth: Int, startCount: Int) {
        indentUnit = indent
        self.depth = depth
        self.startCount = startCount
    }

    /// Runs `body` with a writer that appends to `output` in place (the text already there is
    /// not its concern: no separator or line break is written before its first value).
    public static func append(to output: inout [UInt8], indent: Int = 0, depth: Int = 0, _ body: (inout JSONWriter) -> Void) {
        var writer = JSONWriter(indent: indent, depth: depth, startCount: output.count)
        swap(&writer.bytes, &output)
        body(&writer)
        swap(&writer.bytes, &output)
    }

    /// `bytes.count` when the writer started.
    private let startCount: Int

    /// Appends `value` as a quoted, escaped JSON string. Only `"`, `\` and control characters
    /// are escaped; other characters (Chinese included) are written as UTF-8.
    public static func appendQuoted(_ value: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Fast path: nothing to escape (the usual case), one copy.
        guard let firstEscape = firstByteToEscape(in: value) else {
            output.append(contentsOf: value)
            output.append(UInt8(ascii: "\""))
            return
        }
        var runStart = 0
        for position in firstEscape..<value.count {
            let byte = value[position]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: value[runStart..<position]))
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
            runStart = position + 1
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: value[runStart..<value.count]))
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `value` as a quoted, escaped JSON string.
    public static func appendQuoted(_ value: String, to output: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendQuoted($0, to: &output) }
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
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return position }
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
        if hasContent { bytes.append(UInt8(ascii: ",")) }
        hasContent = true
        newline()
    }

    private mutating func newline() {
        guard indentUnit > 0, bytes.count > startCount else { return }
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: depth * indentUnit))
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        hasContent = false
    }

    private mutating func close(_ bracket: UInt8) {
        let hadContent = hasContent
        hasContent = true
        depth -= 1
        if hadContent { newline() }
        bytes.append(bracket)
    }

    /// Writes `"name":` inside an object (a literal name: written without a scan for escapes).
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        afterKey()
    }

    /// Writes `"name":` inside an object, for a name known only at run time.
    public mutating func key(named name: String) {
        separate()
        JSONWriter.appendQuoted(name, to: &bytes)
        afterKey()
    }

    private mutating func afterKey() {
        bytes.append(UInt8(ascii: ":"))
        if indentUnit > 0 { bytes.append(0x20) }
        hasContent = true
        pendingValueAfterKey = true
    }

    private var pendingValueAfterKey = false

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
    public mutating func string(_ value: String) { beginValue(); JSONWriter.appendQuoted(value, to: &bytes) }
    /// Writes a string value, or null.
    public mutating func string(_ value: String?) { if let value { string(value) } else { null() } }
    /// Writes an integer value.
    public mutating func integer(_ value: Int) { beginValue(); bytes.append(contentsOf: String(value).utf8) }
    /// Writes a Boolean value.
    public mutating func bool(_ value: Bool) { beginValue(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    /// Writes null.
    public mutating func null() { beginValue(); bytes.append(contentsOf: "null".utf8) }
    /// Writes already-serialised JSON text as a value (e.g. a value copied from the input).
    public mutating func raw(_ json: String) { beginValue(); bytes.append(contentsOf: json.utf8) }
    /// Writes a value that `body` appends, already serialised, to the output.
    public mutating func raw(_ body: (inout [UInt8]) -> Void) { beginValue(); body(&bytes) }
    /// Writes a string value that `body` appends as UTF-8 (escaped here if it needs it).
    public mutating func string(_ body: (inout [UInt8]) -> Void) {
        beginValue()
        let start = bytes.count
        bytes.append(UInt8(ascii: "\""))
        body(&bytes)
        let written = bytes.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[(start + 1)...]) }
        if JSONWriter.firstByteToEscape(in: written) == nil {
            bytes.append(UInt8(ascii: "\""))
        } else {
            let text = Array(bytes[(start + 1)...])
            bytes.removeSubrange(start...)
            text.withUnsafeBufferPointer { JSONWriter.appendQuoted($0, to: &bytes) }
        }
    }
    /// Writes already-serialised JSON bytes as a value.
    public mutating func raw(_ json: [UInt8]) { beginValue(); bytes.append(contentsOf: json) }
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

    /// Whether any of the eight bytes of `word` is a control character, `"` or `\`.
    @inline(__always) static func mayNeedEscape(_ word: UInt64) -> Bool {
        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
        // "Has a byte below n" and "has a zero byte" (after the XORs); bytes ≥ 0x80 are
        // excluded by `& ~x`.
        let control = (word &- ones &* 0x20) & ~word
        let zeroQuote = (quote &- ones) & ~quote, zeroBackslash = (backslash &- ones) & ~backslash
        return (control | zeroQuote | zeroBackslash) & highs != 0
    }
}
