import CCheckABI

/// Why a text is not valid JSON, and where: byte offset, line, column and the JSON path of
/// the value being read when the error was found.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the error in the input.
    public let offset: Int
    /// 1-based line of the error.
    public let line: Int
    /// 1-based column (in characters) of the error.
    public let column: Int
    /// JSON path of the value being read, e.g. `$.project.industries[0]`.
    public let path: String
    /// What the reader expected at that point.
    public let expected: String
    /// What it found instead.
    public let found: String

    /// "line 3, column 17, at $.investors[0]: expected ',' or '}', found '\"'".
    public var description: String {
        "line \(line), column \(column), at \(path): expected \(expected), found \(found)"
    }
}

/// Limits that keep hostile input from exhausting memory or time.
public struct JSONLimits: Sendable {
    /// The deepest nesting of arrays and objects accepted.
    public var maxDepth: Int
    /// The largest input accepted, in bytes (offsets in the tape are 32-bit).
    public var maxBytes: Int

    /// Limits: `maxDepth` 512, `maxBytes` 2 GiB.
    public init(maxDepth: Int = 512, maxBytes: Int = 1 << 31) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}

/// A strict RFC 8259 JSON reader producing the tape of the plugin ABI. It never recurses (deep
/// nesting is an error, not a stack overflow), validates UTF-8, rejects lone surrogates, and
/// accepts a leading UTF-8 byte-order mark. Numbers are read as doubles; their source text is
/// kept in the tape.
public enum JSONReader {
    /// Parses `bytes` into a new document.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONSyntaxError) -> JSONDocument {
        var document = JSONDocument()
        document.text = bytes
        try parseText(of: &document, limits: limits)
        return document
    }

    /// Parses `bytes` into `document`, reusing its text's storage.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, into document: inout JSONDocument,
                             limits: JSONLimits = JSONLimits()) throws(JSONSyntaxError) {
        document.text.removeAll(keepingCapacity: true)
        document.text.append(contentsOf: bytes)
        try parseText(of: &document, limits: limits)
    }

    static func parseText(of document: inout JSONDocument, limits: JSONLimits) throws(JSONSyntaxError) {
        document.sourceLength = document.text.count
        var nodes: [check_node] = []
        var escaped: [UInt8] = []
        var candidates: [UInt32] = []
        let result: Result<Void, JSONSyntaxError> = document.text.withUnsafeBufferPointer { input in
            var parser = Parser(input: input, escaped: escaped, maxDepth: limits.maxDepth)
            defer {
                nodes = parser.nodes.array
                escaped = parser.escaped
                candidates = parser.stringsToNormalize
            }
            if input.count > limits.maxBytes || input.count >= Int(UInt32.max) {
                return .failure(parser.error(expected: "at most \(limits.maxBytes) bytes", found: "\(input.count) bytes", expectingValue: true))
            }
            do throws(JSONSyntaxError) {
                try parser.run()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        document.nodes = nodes
        document.stringsToNormalize = candidates
        if !escaped.isEmpty { document.text.append(contentsOf: escaped) }
        if case .failure(let error) = result { throw error }
    }
}

/// A growable buffer of plain values written through a pointer, for the parser's tape and
/// stack: appending to an `Array` and updating its elements checked the array's uniqueness
/// each time (some 200 runtime calls an application). The tape is copied into the document's
/// array once, at the end.
private struct TapeBuffer<Element: BitwiseCopyable>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    /// The number of elements.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// The element at `index` (< `count`; checked: this is the reader of hostile input).
    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count)
            return base[index]
        }
        set {
            precondition(index >= 0 && index < count)
            base[index] = newValue
        }
    }

    /// The last element, if any.
    var last: Element? { count > 0 ? base[count - 1] : nil }

    @inline(__always) mutating func append(_ element: Element) {
        if count == capacity {
            capacity *= 2
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
            grown.initialize(from: base, count: count)
            base.deallocate()
            base = grown
        }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Removes and returns the last element (there must be one).
    @inline(__always) mutating func removeLast() -> Element {
        precondition(count > 0)
        count -= 1
        return base[count]
    }

    /// The elements, as an array.
    var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

private let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

private struct Parser: ~Copyable {
    let input: UnsafeBufferPointer<UInt8>
    /// The tape as it is written: an application's ~70 nodes fit the first allocation; a
    /// rule-data file of a megabyte is given room for its nodes (about one per 30 bytes) at
    /// once, not grown and copied ten times.
    var nodes: TapeBuffer<check_node>
    var escaped: [UInt8]
    let maxDepth: Int
    var position = 0
    /// The open arrays and objects, innermost last.
    var stack = TapeBuffer<UInt32>(capacity: 16)
    var pendingKeyOffset: UInt32 = CHECK_NONE
    var pendingKeyLength: UInt32 = 0
    /// ``StringByteClass/table``, read once per document (the global's lazy initialisation is
    /// checked at every access, and strings are read by the hundred).
    let byteClasses = StringByteClass.table
    /// Whether the last string read could change when trimmed and NFKC-normalised: it holds
    /// a character outside ASCII and U+4000…U+9FFF, an escape, or white space at an end.
    var mayChangeWhenNormalized = false
    /// The string values for which that was so, by node index.
    var stringsToNormalize: [UInt32] = []

    init(input: UnsafeBufferPointer<UInt8>, escaped: [UInt8], maxDepth: Int) {
        self.input = input
        nodes = TapeBuffer<check_node>(capacity: max(128, input.count / 24))
        self.escaped = escaped
        self.maxDepth = maxDepth
    }

    // MARK: Structure

    mutating func run() throws(JSONSyntaxError) {
        let end = input.count
        if end >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { position = 3 }
        valueLoop: while true {
            skipWhitespace()
            guard position < end else { throw error(expected: "a value", expectingValue: true) }
            switch input[position] {
            case UInt8(ascii: "{"):
                try open(CHECK_OBJECT)
                skipWhitespace()
                if position < end, input[position] == UInt8(ascii: "}") {
                    position += 1
                    close()
                } else {
                    try readKey()
                    continue valueLoop
                }
            case UInt8(ascii: "["):
                try open(CHECK_ARRAY)
                skipWhitespace()
                if position < end, input[position] == UInt8(ascii: "]") {
                    position += 1
                    close()
                } else {
                    continue valueLoop
                }
            case UInt8(ascii: "\""):
                let (offset, length) = try readString()
                let node = append(kind: CHECK_STRING, textOffset: offset, textLength: length, number: 0)
                if mayChangeWhenNormalized { stringsToNormalize.append(node) }
            case UInt8(ascii: "t"):
                try literal("true", kind: CHECK_TRUE)
            case UInt8(ascii: "f"):
                try literal("false", kind: CHECK_FALSE)
            case UInt8(ascii: "n"):
                try literal("null", kind: CHECK_NULL)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try readNumber()
            default:
                throw error(expected: "a value", expectingValue: true)
            }
            // After a complete value: close containers or move to the next element.
            while true {
                skipWhitespace()
                guard let top = stack.last else {
                    guard position == end else { throw error(expected: "end of input", expectingValue: false) }
                    return
                }
                guard position < end else {
                    let expected = nodes[Int(top)].kind == CHECK_ARRAY.rawValue ? "',' or ']'" : "',' or '}'"
                    throw error(expected: expected, expectingValue: false)
                }
                let byte = input[position]
                if nodes[Int(top)].kind == CHECK_ARRAY.rawValue {
                    if byte == UInt8(ascii: ",") {
                        position += 1
                        continue valueLoop
                    }
                    guard byte == UInt8(ascii: "]") else { throw error(expected: "',' or ']'", expectingValue: false) }
                } else {
                    if byte == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        try readKey()
                        continue valueLoop
                    }
                    guard byte == UInt8(ascii: "}") else { throw error(expected: "',' or '}'", expectingValue: false) }
                }
                position += 1
                close()
            }
        }
    }

    @inline(__always) mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    @inline(__always) @discardableResult
    mutating func append(kind: check_kind, textOffset: UInt32, textLength: UInt32, number: Double) -> UInt32 {
        let index = UInt32(nodes.count)
        let parent = stack.last ?? CHECK_NONE
        if parent != CHECK_NONE { nodes[Int(parent)].count += 1 }
        nodes.append(check_node(
            kind: kind.rawValue, parent: parent, key_offset: pendingKeyOffset, key_length: pendingKeyLength,
            text_offset: textOffset, text_length: textLength, count: 0, end: index + 1, number: number))
        pendingKeyOffset = CHECK_NONE
        pendingKeyLength = 0
        return index
    }

    mutating func open(_ kind: check_kind) throws(JSONSyntaxError) {
        guard stack.count < maxDepth else {
            throw error(expected: "nesting at most \(maxDepth) deep", found: "deeper nesting", expectingValue: true)
        }
        guard nodes.count < Int(UInt32.max) - 1 else { throw error(expected: "fewer values", expectingValue: true) }
        let index = append(kind: kind, textOffset: UInt32(position), textLength: 0, number: 0)
        stack.append(index)
        position += 1
    }

    @inline(__always) mutating func close() {
        let index = stack.removeLast()
        nodes[Int(index)].end = UInt32(nodes.count)
    }

    mutating func readKey() throws(JSONSyntaxError) {
        guard position < input.count, input[position] == UInt8(ascii: "\"") else {
            throw error(expected: "a member name in double quotes", expectingValue: false)
        }
        let (offset, length) = try readString(isValue: false)
        skipWhitespace()
        guard position < input.count, input[position] == UInt8(ascii: ":") else {
            pendingKeyOffset = offset
            pendingKeyLength = length
            throw error(expected: "':'", expectingValue: true)
        }
        position += 1
        pendingKeyOffset = offset
        pendingKeyLength = length
    }

    mutating func literal(_ word: StaticString, kind: check_kind) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        let expected = word.utf8Start
        for offset in 0..<count {
            guard position + offset < input.count, input[position + offset] == expected[offset] else {
                position += offset
                throw error(expected: "'\(word)'", expectingValue: true)
            }
        }
        append(kind: kind, textOffset: UInt32(position), textLength: UInt32(count), number: 0)
        position += count
    }

    // MARK: Strings

    /// Reads a string starting at the opening quote; returns its text slice (source or escaped).
    /// Reads a string; for a value (`isValue`), also notes in `mayChangeWhenNormalized` whether
    /// trimming or NFKC could change it (member names are not normalised).
    @inline(__always) mutating func readString(isValue: Bool = true) throws(JSONSyntaxError) -> (UInt32, UInt32) {
        position += 1
        let start = position
        var chunkStart = start
        var escapedStart = -1
        let end = input.count
        // Whether trimming or NFKC could change the string (see `mayChangeWhenNormalized`).
        var mayChange = false
        while true {
            // The common bytes in a local cursor (see ``StringByteClass``): printable ASCII other
            // than '"' and '\\', and three-byte sequences whose lead byte allows any continuation
            // bytes (most CJK text; E0 and ED have narrower second bytes: the general path).
            var cursor = position
            let base = input.baseAddress!
            let changing = byteClasses.withUnsafeBufferPointer { classes -> Bool in
                var changing = false
                while cursor < end {
                    switch classes[Int(base[cursor])] {
                    case StringByteClass.plain:
                        // ASCII (member names, codes, dates): the next eight bytes at a time
                        // while none of them needs a look, then up to the first that does.
                        cursor &+= 1
                        while cursor &+ 8 <= end {
                            let word = UnsafeRawPointer(base + cursor).loadUnaligned(as: UInt64.self)
                            let stop = StringBytes.escapeBits(word) | word & 0x8080_8080_8080_8080
                            guard stop == 0 else {
                                cursor &+= stop.trailingZeroBitCount &>> 3
                                break
                            }
                            cursor &+= 8
                        }
                    case StringByteClass.ideographLead where cursor + 2 < end && base[cursor + 1] & 0xC0 == 0x80 && base[cursor + 2] & 0xC0 == 0x80:
                        cursor += 3
                    case let other where other >= StringByteClass.threeByteLead && cursor + 2 < end && base[cursor + 1] & 0xC0 == 0x80 && base[cursor + 2] & 0xC0 == 0x80:
                        // Stable: U+3001…U+3029 and U+3400 on (TextNormalization's scan agrees).
                        if other == StringByteClass.threeByteLead {
                            changing = true
                        } else {
                            let second = base[cursor + 1], third = base[cursor + 2]
                            changing = changing || !((second == 0x80 && third >= 0x81 && third <= 0xA9) || second >= 0x90)
                        }
                        cursor += 3
                    default: return changing
                    }
                }
                return changing
            }
            if changing { mayChange = true }
            position = cursor
            guard position < end else { throw error(expected: "'\"' to end the string", expectingValue: true) }
            let byte = input[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                if escapedStart < 0 { escapedStart = escaped.count }
                escaped.append(contentsOf: UnsafeBufferPointer(rebasing: input[chunkStart..<position]))
                try readEscape()
                chunkStart = position
                continue
            }
            if byte < 0x20 {
                throw error(expected: "a character (control characters must be escaped)", expectingValue: true)
            }
            // A byte ≥ 0x80 the fast path did not take: checked in full (or refused) here.
            mayChange = true
            try skipUTF8Sequence()
        }
        defer { position += 1 }
        // White space at either end is trimmed; an escape may stand for anything.
        if isValue {
            mayChangeWhenNormalized = mayChange || escapedStart >= 0
                || (position > start && (Parser.isSpace(input[start]) || Parser.isSpace(input[position - 1])))
        }
        if escapedStart < 0 { return (UInt32(start), UInt32(position - start)) }
        escaped.append(contentsOf: UnsafeBufferPointer(rebasing: input[chunkStart..<position]))
        return (UInt32(input.count + escapedStart), UInt32(escaped.count - escapedStart))
    }

    /// ASCII white space (a string's ends are trimmed of it).
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    mutating func readEscape() throws(JSONSyntaxError) {
        position += 1
        guard position < input.count else { throw error(expected: "an escape character", expectingValue: true) }
        let byte = input[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escaped.append(byte)
        case UInt8(ascii: "b"): escaped.append(0x08)
        case UInt8(ascii: "f"): escaped.append(0x0C)
        case UInt8(ascii: "n"): escaped.append(0x0A)
        case UInt8(ascii: "r"): escaped.append(0x0D)
        case UInt8(ascii: "t"): escaped.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard position + 1 < input.count, input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u") else {
                    throw error(expected: "a low surrogate \\uDC00-\\uDFFF after a high surrogate", expectingValue: true)
                }
                position += 2
                let low = try readHex4()
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw error(expected: "a low surrogate \\uDC00-\\uDFFF after a high surrogate", expectingValue: true)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw error(expected: "a Unicode scalar (lone low surrogate)", expectingValue: true)
            }
            appendUTF8(scalar)
        default:
            position -= 1
            throw error(expected: "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u", expectingValue: true)
        }
    }

    mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < input.count else { throw error(expected: "four hex digits after \\u", expectingValue: true) }
            let byte = input[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error(expected: "four hex digits after \\u", expectingValue: true)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            escaped.append(UInt8(scalar))
        case 0x80..<0x800:
            escaped.append(UInt8(0xC0 | (scalar >> 6)))
            escaped.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            escaped.append(UInt8(0xE0 | (scalar >> 12)))
            escaped.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            escaped.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            escaped.append(UInt8(0xF0 | (scalar >> 18)))
            escaped.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            escaped.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            escaped.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Validates one UTF-8 sequence at `position` (first byte >= 0x80) and moves past it.
    @inline(__always) mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
        let first = input[position]
        guard let (length, low, high) = UTF8Sequence.shape(lead: first) else {
            throw error(expected: "valid UTF-8", found: "byte 0x\(hex(first))", expectingValue: true)
        }
        guard position + length <= input.count else {
            throw error(expected: "valid UTF-8", found: "a truncated sequence", expectingValue: true)
        }
        let second = input[position + 1]
        guard second >= low && second <= high else {
            throw error(expected: "valid UTF-8", found: "byte 0x\(hex(second)) after 0x\(hex(first))", expectingValue: true)
        }
        for offset in 2..<max(2, length) {
            let byte = input[position + offset]
            guard byte & 0xC0 == 0x80 else {
                throw error(expected: "valid UTF-8", found: "byte 0x\(hex(byte)) in a sequence", expectingValue: true)
            }
        }
        position += length
    }

    // MARK: Numbers

    mutating func readNumber() throws(JSONSyntaxError) {
        let start = position
        let end = input.count
        var negative = false
        if input[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < end, isDigit(input[position]) else { throw error(expected: "a digit", expectingValue: true) }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var exact = true
        if input[position] == UInt8(ascii: "0") {
            position += 1
            if position < end, isDigit(input[position]) {
                throw error(expected: "'.', 'e' or the end of the number (no leading zeros)", expectingValue: true)
            }
        } else {
            while position < end, isDigit(input[position]) {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(input[position] - 0x30)
                    significant += 1
                } else {
                    exponent += 1
                    exact = false
                }
                position += 1
            }
        }
        if position < end, input[position] == UInt8(ascii: ".") {
            position += 1
            guard position < end, isDigit(input[position]) else { throw error(expected: "a digit after '.'", expectingValue: true) }
            while position < end, isDigit(input[position]) {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(input[position] - 0x30)
                    if mantissa > 0 { significant += 1 }
                    exponent -= 1
                } else {
                    exact = false
                }
                position += 1
            }
        }
        if position < end, input[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            var exponentNegative = false
            if position < end, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                exponentNegative = input[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < end, isDigit(input[position]) else { throw error(expected: "a digit in the exponent", expectingValue: true) }
            var value = 0
            while position < end, isDigit(input[position]) {
                if value < 1_000_000 { value = value * 10 + Int(input[position] - 0x30) }
                position += 1
            }
            exponent += exponentNegative ? -value : value
        }
        var value: Double
        if exact, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            value = Double(mantissa)
            if exponent < 0 { value /= powersOfTen[-exponent] } else if exponent > 0 { value *= powersOfTen[exponent] }
            if negative { value = -value }
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
            value = Double(text) ?? (negative ? -Double.infinity : Double.infinity)
        }
        append(kind: CHECK_NUMBER, textOffset: UInt32(start), textLength: UInt32(position - start), number: value)
    }

    @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    // MARK: Errors

    func error(expected: String, found: String? = nil, expectingValue: Bool) -> JSONSyntaxError {
        let at = min(position, input.count)
        var line = 1
        var lineStart = 0
        for index in 0..<at where input[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        var column = 1
        for index in lineStart..<at where input[index] & 0xC0 != 0x80 { column += 1 }
        return JSONSyntaxError(offset: at, line: line, column: column, path: currentPath(expectingValue: expectingValue),
                               expected: expected, found: found ?? describe(at: at))
    }

    func describe(at offset: Int) -> String {
        guard offset < input.count else { return "end of input" }
        let byte = input[offset]
        switch byte {
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x20: return "a space"
        case 0x0A: return "a line break"
        case 0x00: return "a NUL byte"
        default:
            if byte >= 0x80 {
                let slice = UnsafeBufferPointer(rebasing: input[offset..<min(input.count, offset + 4)])
                if let scalar = String(validating: slice, as: UTF8.self)?.unicodeScalars.first ?? String(decoding: slice, as: UTF8.self).unicodeScalars.first,
                   scalar != "\u{FFFD}" {
                    return "'\(scalar)' (U+\(String(scalar.value, radix: 16, uppercase: true)))"
                }
            }
            return "byte 0x\(hex(byte))"
        }
    }

    func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])"
    }

    func keyText(offset: UInt32, length: UInt32) -> String {
        let start = Int(offset)
        if start >= input.count {
            let local = start - input.count
            return String(decoding: escaped[local..<local + Int(length)], as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: input[start..<start + Int(length)]), as: UTF8.self)
    }

    /// The path of the value being read (`expectingValue`) or of the innermost open container.
    func currentPath(expectingValue: Bool) -> String {
        guard let top = stack.last else { return "$" }
        var components: [String] = []
        var node = top
        while true {
            let raw = nodes[Int(node)]
            guard raw.parent != CHECK_NONE else { break }
            components.append(component(of: node))
            node = raw.parent
        }
        var path = "$" + components.reversed().joined()
        if expectingValue {
            if nodes[Int(top)].kind == CHECK_ARRAY.rawValue {
                path += "[\(nodes[Int(top)].count)]"
            } else if pendingKeyOffset != CHECK_NONE {
                path += JSONPath.member(keyText(offset: pendingKeyOffset, length: pendingKeyLength))
            }
        }
        return path
    }

    func component(of node: UInt32) -> String {
        let raw = nodes[Int(node)]
        let parent = nodes[Int(raw.parent)]
        if parent.kind == CHECK_OBJECT.rawValue {
            return JSONPath.member(keyText(offset: raw.key_offset, length: raw.key_length))
        }
        var sibling = raw.parent + 1
        var index = 0
        while sibling != node {
            sibling = nodes[Int(sibling)].end
            index += 1
        }
        return "[\(index)]"
    }
}

/// What a byte is to the string scanner's fast path.
enum StringByteClass {
    /// Printable ASCII other than `"` and `\`: stands for itself.
    static let plain: UInt8 = 1
    /// Leads a three-byte sequence of U+4000…U+9FFF (E4-E9: CJK ideographs), whose continuation
    /// bytes may be any of 80-BF and which Unicode normalisation (NFKC) leaves as they are.
    static let ideographLead: UInt8 = 2
    /// Leads another three-byte sequence whose continuation bytes may be any of 80-BF (E1-E2,
    /// EA-EC, EE-EF): full-width forms among them, which NFKC may change.
    static let threeByteLead: UInt8 = 3
    /// E3: CJK punctuation (U+3001…U+3029: 、。《》【】〔〕 …) and ideographs from U+3400, which NFKC
    /// leaves alone, beside the ideographic space and kana, which it may change.
    static let punctuationLead: UInt8 = 4
    /// Every byte's class; 0 for the bytes the general path handles.
    static let table: [UInt8] = (0...255).map { (byte: UInt8) in
        if byte >= 0x20 && byte < 0x80 { return byte == 0x22 || byte == 0x5C ? 0 : plain }
        guard byte >= 0x80, let shape = UTF8Sequence.shape(lead: byte) else { return 0 }
        guard shape == (3, 0x80, 0xBF) else { return 0 }
        return byte >= 0xE4 && byte <= 0xE9 ? ideographLead : byte == 0xE3 ? punctuationLead : threeByteLead
    }
}

/// The rules of well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
/// U+10FFFF): the string scanner's table and its general path both read them here.
enum UTF8Sequence {
    /// For a lead byte ≥ 0x80: the sequence's length and the range its second byte must be in
    /// (the others are 0x80-0xBF); nil if the byte cannot start a sequence.
    @inline(__always) static func shape(lead: UInt8) -> (length: Int, low: UInt8, high: UInt8)? {
        switch lead {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        default: nil
        }
    }
}

/// What ``checkText(_:)`` found.
public enum CheckedText: Sendable {
    /// Not well-formed UTF-8, or it holds a NUL.
    case invalid
    /// Valid, and a JSON string can hold every byte as it is.
    case verbatimInJSON
    /// Valid, with a control character, `"` or `\` a JSON string must escape.
    case escapedInJSON
}

/// Checks that `bytes` are text a C string can carry (well-formed UTF-8 without a NUL) and,
/// in the same pass, whether a JSON string must escape any of them: the host checks every
/// message a plugin reports, and a report copies it then without a second scan. Eight ASCII
/// bytes at a time.
public func checkText(_ bytes: UnsafeBufferPointer<UInt8>) -> CheckedText {
    guard let base = bytes.baseAddress else { return .verbatimInJSON }
    let end = bytes.count
    var position = 0
    var escapes: UInt64 = 0
    while position < end {
        if position + 8 <= end {
            let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
            // The bytes ≥ 0x80 and the zero bytes (exact up to the first of either: the zero
            // test's borrow only marks bytes above a real zero).
            let stop = (word | (word &- 0x0101_0101_0101_0101) & ~word) & 0x8080_8080_8080_8080
            if stop == 0 {
                escapes |= StringBytes.escapeBits(word)
                position += 8
                continue
            }
            // The ASCII bytes before the first that is not, at once (the escape test is exact
            // below its own first mark in the same way).
            let ascii = stop.trailingZeroBitCount >> 3
            if ascii > 0 {
                escapes |= StringBytes.escapeBits(word) & (1 << UInt64(ascii << 3) &- 1)
                position += ascii
                continue
            }
        }
        let lead = base[position]
        if lead < 0x80 {
            guard lead != 0 else { return .invalid }
            escapes |= StringBytes.needsEscape(lead) ? 1 : 0
            position += 1
            continue
        }
        // Most of the Chinese text: a lead E1-EC or EE-EF, whose continuations may be any of 80-BF
        // (the leads `StringByteClass.threeByteLead` marks; tested here directly, which is cheaper
        // than reading its table for every one). A run of them is taken in one loop, without
        // the eight-byte ASCII test between characters.
        if lead >= 0xE1 && lead != 0xED && lead <= 0xEF && position + 3 <= end
            && base[position + 1] & 0xC0 == 0x80 && base[position + 2] & 0xC0 == 0x80 {
            position += 3
            // Two characters per eight-byte load while both are such sequences: the
            // continuations (bytes 1, 2, 4, 5) 10xxxxxx, the leads (0, 3) E1-EC or EE-EF.
            func isLead(_ byte: UInt64) -> Bool { byte &- 0xE1 < 0x0F && byte != 0xED }
            while position + 8 <= end {
                let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                guard word & 0x0000_C0C0_00C0_C000 == 0x0000_8080_0080_8000,
                      isLead(word & 0xFF), isLead((word >> 24) & 0xFF) else { break }
                position += 6
            }
            while position + 3 <= end, case let next = base[position], next >= 0xE1 && next != 0xED && next <= 0xEF,
                  base[position + 1] & 0xC0 == 0x80 && base[position + 2] & 0xC0 == 0x80 {
                position += 3
            }
            continue
        }
        guard let (length, low, high) = UTF8Sequence.shape(lead: lead), position + length <= end,
              base[position + 1] >= low && base[position + 1] <= high else { return .invalid }
        for offset in 2..<length where base[position + offset] & 0xC0 != 0x80 { return .invalid }
        position += length
    }
    return escapes != 0 ? .escapedInJSON : .verbatimInJSON
}
