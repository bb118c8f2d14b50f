import CCheckABI

#if canImport(Glibc)
import Glibc
#endif

/// The kind of a JSON value (mirrors `check_kind`).
public enum JSONKind: UInt32, Sendable {
    case null = 0, `false` = 1, `true` = 2, number = 3, string = 4, array = 5, object = 6

    /// How a JSON Schema or an error message names this kind.
    public var name: String {
        switch self {
        case .null: "null"
        case .false, .true: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A read-only view of one value in a parsed document (`check_document`). It does not own the
/// document: it is valid only while the document it points into is alive and unchanged.
public struct JSONNode {
    /// The document this value belongs to.
    public let document: UnsafePointer<check_document>
    /// The index of this value among the document's nodes (the root is 0).
    public let index: UInt32

    /// A view of node `index` of `document`.
    @inlinable public init(document: UnsafePointer<check_document>, index: UInt32) {
        self.document = document
        self.index = index
    }

    // The accessors below are inlinable: each is a load or two from the tape, called for
    // every value the validator, the plugins and the reports look at (a call cost more).
    @inlinable @inline(__always) var raw: check_node { document.pointee.nodes[Int(index)] }

    /// The kind of this value.
    @inlinable public var kind: JSONKind { JSONKind(rawValue: raw.kind) ?? .null }
    /// Whether this value is JSON `null`.
    @inlinable public var isNull: Bool { raw.kind == CHECK_NULL.rawValue }

    /// The string value, or nil if this is not a string.
    public var string: String? {
        guard raw.kind == CHECK_STRING.rawValue else { return nil }
        return String(decoding: stringBytes, as: UTF8.self)
    }

    /// The UTF-8 bytes of a string value (empty for other kinds), without copying.
    @inlinable public var stringBytes: UnsafeBufferPointer<UInt8> {
        let node = raw
        guard node.kind == CHECK_STRING.rawValue else { return UnsafeBufferPointer(start: nil, count: 0) }
        return textBytes(offset: node.text_offset, length: node.text_length)
    }

    /// The number value as the nearest `Double` (the tape's `number`, for C plugins), or nil if
    /// this is not a number. Approximate: compare and show numbers with ``decimal``.
    @inlinable public var number: Double? {
        let node = raw
        return node.kind == CHECK_NUMBER.rawValue ? node.number : nil
    }

    /// The value as an integer, if it is a number with no fractional part that fits in `Int`
    /// (read exactly from its text: `9007199254740993` is not rounded).
    public var integer: Int? {
        let node = raw
        guard node.kind == CHECK_NUMBER.rawValue else { return nil }
        // Plain digits, at most 18 (no sign, point or exponent; JSON has no leading zeros): read
        // here. A catalogue's thousands of item numbers are all such.
        let text = textBytes(offset: node.text_offset, length: node.text_length)
        if text.count <= 18 {
            var value = 0
            for byte in text {
                let digit = byte &- 0x30
                guard digit < 10 else { return decimal?.integerValue }
                value = value &* 10 &+ Int(digit)
            }
            if !text.isEmpty { return value }
        }
        return decimal?.integerValue
    }

    /// The Boolean value, or nil if this is not `true` or `false`.
    @inlinable public var bool: Bool? {
        switch raw.kind {
        case CHECK_TRUE.rawValue: true
        case CHECK_FALSE.rawValue: false
        default: nil
        }
    }

    /// The number of elements or members (0 for scalars).
    @inlinable public var count: Int { Int(raw.count) }

    /// The UTF-8 bytes of the member name (empty if this is not an object member), without copying.
    @inlinable public var keyBytes: UnsafeBufferPointer<UInt8> {
        let node = raw
        guard node.key_offset != CHECK_NONE else { return UnsafeBufferPointer(start: nil, count: 0) }
        return textBytes(offset: node.key_offset, length: node.key_length)
    }

    /// Whether `bytes` are the UTF-8 of `literal` (a member name compared without a `String`).
    @inlinable public static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, are literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount
            && bytesEqual(bytes, UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// The member name under which this value sits in its parent object, if any.
    public var key: String? {
        let node = raw
        guard node.key_offset != CHECK_NONE else { return nil }
        return String(decoding: textBytes(offset: node.key_offset, length: node.key_length), as: UTF8.self)
    }

    /// The enclosing array or object, if any.
    public var parent: JSONNode? {
        let parentIndex = raw.parent
        return parentIndex == CHECK_NONE ? nil : JSONNode(document: document, index: parentIndex)
    }

    /// The elements of an array or the member values of an object, in order (empty for scalars).
    @inlinable public var children: JSONChildren { JSONChildren(parent: self) }

    /// The first member of an object named `name`, or nil.
    @inlinable public subscript(name: String) -> JSONNode? {
        withUTF8Bytes(of: name) { wanted in member(named: wanted) }
    }

    /// The first member of an object whose name is the given UTF-8 bytes, or nil.
    @inlinable public func member(named wanted: UnsafeBufferPointer<UInt8>) -> JSONNode? {
        let node = raw
        guard node.kind == CHECK_OBJECT.rawValue else { return nil }
        let nodes = document.pointee.nodes!
        var child = index + 1
        for _ in 0..<node.count {
            let candidate = nodes[Int(child)]
            if Int(candidate.key_length) == wanted.count,
               bytesEqual(textBytes(offset: candidate.key_offset, length: candidate.key_length), wanted) {
                return JSONNode(document: document, index: child)
            }
            child = candidate.end
        }
        return nil
    }

    /// Element `position` of an array, or nil if out of range or not an array.
    public subscript(position: Int) -> JSONNode? {
        guard raw.kind == CHECK_ARRAY.rawValue, position >= 0, position < count else { return nil }
        var child = index + 1
        for _ in 0..<position { child = document.pointee.nodes[Int(child)].end }
        return JSONNode(document: document, index: child)
    }

    /// The JSON path of this value from the root, e.g. `$.project.industries[0].code`.
    public var path: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        appendPath(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the JSON path of this value (UTF-8) to `bytes`.
    public func appendPath<Output: JSONOutput & ~Copyable>(to bytes: inout Output) {
        let nodes = document.pointee.nodes!
        var depth = 0
        var current = index
        while nodes[Int(current)].parent != CHECK_NONE {
            depth += 1
            current = nodes[Int(current)].parent
        }
        bytes.append(UInt8(ascii: "$"))
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(depth, 1)) { chain in
            // The chain from the root down, then one component per step.
            var current = index
            for slot in stride(from: depth - 1, through: 0, by: -1) {
                chain[slot] = current
                current = nodes[Int(current)].parent
            }
            for node in chain.prefix(depth) {
                let raw = nodes[Int(node)]
                if nodes[Int(raw.parent)].kind == CHECK_OBJECT.rawValue {
                    JSONPath.appendMember(textBytes(offset: raw.key_offset, length: raw.key_length), to: &bytes)
                } else {
                    var position = 0
                    var sibling = raw.parent + 1
                    while sibling != node {
                        sibling = nodes[Int(sibling)].end
                        position += 1
                    }
                    bytes.append(UInt8(ascii: "["))
                    appendDecimal(UInt(position), to: &bytes)
                    bytes.append(UInt8(ascii: "]"))
                }
            }
        }
    }

    /// This value written as compact JSON: numbers as in the source, strings re-escaped.
    public var jsonText: String {
        var output: [UInt8] = []
        writeJSON(into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends this value as compact JSON to `output`.
    public func writeJSON<Output: JSONOutput & ~Copyable>(into output: inout Output) {
        let node = raw
        switch JSONKind(rawValue: node.kind) ?? .null {
        case .null: output.append(literal: "null")
        case .true: output.append(literal: "true")
        case .false: output.append(literal: "false")
        case .number: output.append(bytes: textBytes(offset: node.text_offset, length: node.text_length))
        case .string: JSONWriter.appendQuoted(stringBytes, to: &output)
        case .array:
            output.append(UInt8(ascii: "["))
            for (position, child) in children.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                child.writeJSON(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object:
            output.append(UInt8(ascii: "{"))
            for (position, child) in children.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                let childNode = child.raw
                JSONWriter.appendQuoted(textBytes(offset: childNode.key_offset, length: childNode.key_length), to: &output)
                output.append(UInt8(ascii: ":"))
                child.writeJSON(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    @inlinable @inline(__always) func textBytes(offset: UInt32, length: UInt32) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: document.pointee.text! + Int(offset), count: Int(length))
    }
}

/// The children of an array or object, walked without allocation.
public struct JSONChildren: Sequence {
    @usableFromInline let parent: JSONNode?

    @inlinable init(parent: JSONNode?) {
        self.parent = parent
    }

    /// No children.
    public static var empty: JSONChildren { JSONChildren(parent: nil) }

    /// Iterates the children in document order.
    public struct Iterator: IteratorProtocol {
        @usableFromInline let document: UnsafePointer<check_document>?
        @usableFromInline var upcoming: UInt32
        @usableFromInline var remaining: UInt32

        @inlinable init(document: UnsafePointer<check_document>?, upcoming: UInt32, remaining: UInt32) {
            self.document = document
            self.upcoming = upcoming
            self.remaining = remaining
        }

        /// The next child, or nil after the last.
        @inlinable public mutating func next() -> JSONNode? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let current = upcoming
            upcoming = document!.pointee.nodes[Int(current)].end
            return JSONNode(document: document!, index: current)
        }
    }

    /// An iterator over the children.
    @inlinable public func makeIterator() -> Iterator {
        guard let parent else { return Iterator(document: nil, upcoming: 0, remaining: 0) }
        let node = parent.raw
        let isContainer = node.kind == CHECK_ARRAY.rawValue || node.kind == CHECK_OBJECT.rawValue
        return Iterator(document: parent.document, upcoming: parent.index + 1, remaining: isContainer ? node.count : 0)
    }
}

/// Builds JSON path strings (`$.a.b[0]`, `$["odd key"]`).
public enum JSONPath {
    /// The path component for member `name`: `.name` for identifier-like names, else `["name"]`.
    public static func member(_ name: String) -> String {
        var bytes: [UInt8] = []
        withUTF8Bytes(of: name) { appendMember($0, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the path component for the member named by `name` (UTF-8).
    public static func appendMember<Output: JSONOutput & ~Copyable>(_ name: UnsafeBufferPointer<UInt8>, to bytes: inout Output) {
        let simple = !name.isEmpty && !(name[0] >= 0x30 && name[0] <= 0x39) && name.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
        }
        if simple {
            bytes.append(UInt8(ascii: "."))
            bytes.append(bytes: name)
        } else {
            bytes.append(UInt8(ascii: "["))
            JSONWriter.appendQuoted(name, to: &bytes)
            bytes.append(UInt8(ascii: "]"))
        }
    }
}

/// Decimal digits written in place, into text being made (a day, a line number: made for most
/// applications, where interpolating the numbers into a `String` cost many times as much).
public enum DecimalDigits {
    /// How many digits `value` (≥ 0) has.
    @inlinable public static func count(_ value: Int) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            rest /= 10
            digits += 1
        }
        return digits
    }

    /// Writes `value` (≥ 0) as `width` digits, padded with zeros, at `position` of `text`.
    @inlinable public static func write(_ value: Int, width: Int, into text: UnsafeMutableBufferPointer<UInt8>, at position: Int) {
        var rest = value
        for offset in (0..<width).reversed() {
            text[position + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}

/// Appends the decimal digits of `value`.
func appendDecimal<Output: JSONOutput & ~Copyable>(_ value: UInt, to bytes: inout Output) {
    if value >= 10 { appendDecimal(value / 10, to: &bytes) }
    bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
}

/// Calls `body` with the UTF-8 bytes of `text`: its own storage where it has one (no copy of the
/// string, no reference counting), else a contiguous copy.
@inlinable @inline(__always) func withUTF8Bytes<Result>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    var text = text
    return text.withUTF8(body)
}

/// The bytes of the NUL-terminated C string `text`, uncopied.
public func cStringBytes(_ text: UnsafePointer<CChar>) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))
}

/// Whether two byte buffers hold the same bytes. Compared in place, word by word (the last
/// word overlapping the one before): these are member names and codes of a few bytes, looked
/// up by the hundred per application, for which a call to `memcmp` cost more than comparing.
@inlinable @inline(__always) public func bytesEqual(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
    let count = lhs.count
    guard count == rhs.count else { return false }
    guard count > 0, let left = lhs.baseAddress.map(UnsafeRawPointer.init), let right = rhs.baseAddress.map(UnsafeRawPointer.init) else { return true }
    if count >= 8 {
        var offset = 0
        while offset < count &- 8 {
            guard left.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == right.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset &+= 8
        }
        return left.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self) == right.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
    }
    if count >= 4 {
        return left.loadUnaligned(as: UInt32.self) == right.loadUnaligned(as: UInt32.self)
            && left.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self) == right.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
    }
    // One to three bytes: the first, the middle and the last cover them.
    return lhs[0] == rhs[0] && lhs[count >> 1] == rhs[count >> 1] && lhs[count &- 1] == rhs[count &- 1]
}

/// A 64-bit hash of the bytes for open-addressed tables, whose top bits are well mixed (use
/// them, `hash >> shift`, to choose a slot): a multiplicative hash, eight bytes at a time (the
/// last eight overlapping the word before) — FNV-1a, byte by byte, is a chain of dependent
/// multiplications as long as the text.
@inlinable @inline(__always) public func bytesHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    let count = bytes.count
    var hash = UInt64(truncatingIfNeeded: count) &* multiplier
    if let base = bytes.baseAddress, count >= 8 {
        var offset = 0
        while offset < count &- 8 {
            hash = (hash ^ UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)) &* multiplier
            hash ^= hash >> 32
            offset &+= 8
        }
        hash = (hash ^ UnsafeRawPointer(base + (count &- 8)).loadUnaligned(as: UInt64.self)) &* multiplier
        hash ^= hash >> 32
    } else {
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* multiplier }
    }
    // The top bits, where the last multiplication mixed every bit below them.
    return hash &* multiplier
}
