/// The text of a message in one language, kept as the NUL-terminated UTF-8 the sink takes.
///
/// Write it as a string literal, interpolations included (`"行业 \(code) 属于…"`): literal
/// segments are copied as bytes and a `String` interpolated is appended as its UTF-8, so no
/// `String` is built. (Building one by interpolation costs several times as much, and a
/// plugin builds a message or two for every finding.) A literal without interpolations is
/// not copied at all.
public struct MessageText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// (Unchecked: a built text's buffer is written only while it is built, never after.)
    private enum Storage: @unchecked Sendable {
        /// A string literal (NUL-terminated, like every `StaticString` literal).
        case literal(StaticString)
        /// UTF-8 with a NUL after the last byte.
        case built(TextBuffer)
    }

    private let storage: Storage

    /// The text of `literal`, uncopied.
    public init(stringLiteral literal: StaticString) {
        storage = .literal(literal)
    }

    /// The text a string literal with interpolations built.
    public init(stringInterpolation: StringInterpolation) {
        storage = .built(stringInterpolation.finished())
    }

    /// The text of `text` (cut at its first NUL, if it has one, like any C string).
    public init(_ text: String) {
        var text = text
        var built = StringInterpolation(literalCapacity: text.utf8.count, interpolationCount: 0)
        text.withUTF8 { bytes in built.append(UnsafeBufferPointer(rebasing: bytes.prefix { $0 != 0 })) }
        storage = .built(built.finished())
    }

    /// Calls `body` with its UTF-8 bytes, the NUL not included.
    public func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        switch storage {
        case .literal(let literal):
            return try body(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        case .built(let text):
            return try text.withUnsafeMutablePointers { count, bytes in try body(UnsafeBufferPointer(start: bytes, count: count.pointee.count)) }
        }
    }

    /// Calls `body` with it as a NUL-terminated C string.
    public func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        switch storage {
        case .literal(let literal):
            return try literal.utf8Start.withMemoryRebound(to: CChar.self, capacity: literal.utf8CodeUnitCount + 1, body)
        case .built(let text):
            return try text.withUnsafeMutablePointers { count, bytes in
                try UnsafePointer(bytes).withMemoryRebound(to: CChar.self, capacity: count.pointee.count + 1, body)
            }
        }
    }

    /// Whether it has no text.
    public var isEmpty: Bool { withUTF8 { $0.isEmpty } }

    /// The text as a `String`.
    public var description: String { withUTF8 { String(decoding: $0, as: UTF8.self) } }

    /// Whether two texts have the same bytes (a literal and a built text may be equal).
    public static func == (lhs: MessageText, rhs: MessageText) -> Bool {
        lhs.withUTF8 { lhs in rhs.withUTF8 { rhs in bytesEqual(lhs, rhs) } }
    }

    /// Hashes the bytes (as `==` compares them).
    public func hash(into hasher: inout Hasher) {
        withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Builds a ``MessageText`` from a string literal's segments and interpolations, as UTF-8.
    public struct StringInterpolation: StringInterpolationProtocol {
        /// The bytes so far, with room for more and for the NUL that ends them.
        private var text: TextBuffer

        /// Room for the literal's bytes and a short text per interpolation. (128 bytes each: with
        /// 64, two messages an application outgrew their buffer and were copied; with 256, the
        /// larger blocks cost more than the copies saved.)
        public init(literalCapacity: Int, interpolationCount: Int) {
            text = TextBuffer.make(capacity: literalCapacity + 128 * interpolationCount + 1)
        }

        /// Appends a literal segment.
        public mutating func appendLiteral(_ literal: StaticString) {
            append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }

        /// Appends `text`'s UTF-8.
        public mutating func appendInterpolation(_ text: String) {
            // In place when the string is contiguous UTF-8 (a native or literal string always
            // is); `withUTF8` needs a `var`, and the copy for it retains the string.
            if text.utf8.withContiguousStorageIfAvailable({ append($0) }) == nil {
                var text = text
                text.withUTF8 { append($0) }
            }
        }

        /// Appends another message text (a part built separately).
        public mutating func appendInterpolation(_ text: MessageText) {
            text.withUTF8 { append($0) }
        }

        /// Appends the text of a string value of the application (industry codes, names), as
        /// its bytes, no `String` made; a value of another kind as its JSON text.
        public mutating func appendInterpolation(_ node: JSONNode) {
            if node.kind == .string {
                append(node.stringBytes)
            } else {
                appendInterpolation(node.jsonText)
            }
        }

        /// Appends the texts of the string values among `nodes`, with `separator` between each
        /// two (e.g. the project's industry codes: `\(application.industryCodes, separator: ", ")`).
        public mutating func appendInterpolation(_ nodes: [JSONNode], separator: StaticString) {
            var first = true
            for node in nodes where node.kind == .string {
                if !first { appendLiteral(separator) }
                append(node.stringBytes)
                first = false
            }
        }

        /// Appends `value.description` (numbers, days, industry codes).
        public mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            appendInterpolation(value.description)
        }

        /// Appends `bytes`: a capacity check and a copy (an `Array` append of a short piece cost
        /// several times as much). A buffer shared with a copy of this value, or with a text
        /// already built from it, is copied first: the texts never change.
        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            // (Through the pointers: `header` is a class property, checked for exclusive access.)
            let (count, capacity) = text.withUnsafeMutablePointerToHeader { ($0.pointee.count, $0.pointee.capacity) }
            if count + bytes.count + 1 > capacity || !isKnownUniquelyReferenced(&text) { text = text.copy(capacity: count + bytes.count + 1) }
            guard let source = bytes.baseAddress else { return }
            text.withUnsafeMutablePointers { header, start in
                (start + count).initialize(from: source, count: bytes.count)
                header.pointee.count = count + bytes.count
            }
        }

        /// The bytes, NUL-terminated.
        fileprivate func finished() -> TextBuffer {
            text.withUnsafeMutablePointers { header, start in start[header.pointee.count] = 0 }
            return text
        }
    }
}

/// The bytes of a built ``MessageText`` and its NUL, in one allocation (the header keeps the
/// count and the capacity). Written only while the text is built; shared read-only after.
final class TextBuffer: ManagedBuffer<TextBuffer.Header, UInt8> {
    struct Header {
        /// The bytes written, the NUL not included.
        var count: Int
        /// The bytes there is room for, the NUL included.
        let capacity: Int
    }

    /// An empty buffer with room for `capacity` bytes (at least 16).
    static func make(capacity: Int) -> TextBuffer {
        let capacity = max(capacity, 16)
        return unsafeDowncast(create(minimumCapacity: capacity) { _ in Header(count: 0, capacity: capacity) }, to: TextBuffer.self)
    }

    /// A buffer with this one's bytes and room for `capacity` bytes (doubling, so appends stay linear).
    func copy(capacity needed: Int) -> TextBuffer {
        let copy = TextBuffer.make(capacity: max(needed, withUnsafeMutablePointerToHeader { $0.pointee.capacity } * 2))
        withUnsafeMutablePointers { header, start in
            copy.withUnsafeMutablePointers { copyHeader, copyStart in
                copyStart.initialize(from: start, count: header.pointee.count)
                copyHeader.pointee.count = header.pointee.count
            }
        }
        return copy
    }
}

extension Array<MessageText> {
    /// The texts one after another, with `separator` between each two.
    public func joined(separator: StaticString) -> MessageText {
        var text = MessageText.StringInterpolation(literalCapacity: separator.utf8CodeUnitCount * count, interpolationCount: count)
        for index in indices {
            if index > 0 { text.appendLiteral(separator) }
            text.appendInterpolation(self[index])
        }
        return MessageText(stringInterpolation: text)
    }
}
