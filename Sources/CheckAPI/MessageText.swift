/// The text of a message in one language, kept as the NUL-terminated UTF-8 the sink takes.
///
/// Write it as a string literal, interpolations included (`"行业 \(code) 属于…"`): literal
/// segments are copied as bytes and a `String` interpolated is appended as its UTF-8, so no
/// `String` is built. (Building one by interpolation costs several times as much, and a
/// plugin builds a message or two for every finding.) A literal without interpolations is
/// not copied at all.
public struct MessageText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    private enum Storage: Sendable {
        /// A string literal (NUL-terminated, like every `StaticString` literal).
        case literal(StaticString)
        /// UTF-8 with a NUL after the last byte.
        case built([UInt8])
    }

    private let storage: Storage

    /// The text of `literal`, uncopied.
    public init(stringLiteral literal: StaticString) {
        storage = .literal(literal)
    }

    /// The text a string literal with interpolations built.
    public init(stringInterpolation: StringInterpolation) {
        var bytes = stringInterpolation.bytes
        bytes.append(0)
        storage = .built(bytes)
    }

    /// The text of `text` (cut at its first NUL, if it has one, like any C string).
    public init(_ text: String) {
        var bytes = Array(text.utf8.prefix { $0 != 0 })
        bytes.append(0)
        storage = .built(bytes)
    }

    /// Calls `body` with its UTF-8 bytes, the NUL not included.
    public func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        switch storage {
        case .literal(let literal):
            return try body(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        case .built(let bytes):
            return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0.dropLast())) }
        }
    }

    /// Calls `body` with it as a NUL-terminated C string.
    public func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        switch storage {
        case .literal(let literal):
            return try literal.utf8Start.withMemoryRebound(to: CChar.self, capacity: literal.utf8CodeUnitCount + 1, body)
        case .built(let bytes):
            return try bytes.withUnsafeBufferPointer { bytes in
                try bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count, body)
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
        fileprivate var bytes: [UInt8] = []

        /// Room for the literal's bytes and a short text per interpolation.
        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + 64 * interpolationCount + 1)
        }

        /// Appends a literal segment.
        public mutating func appendLiteral(_ literal: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }

        /// Appends `text`'s UTF-8.
        public mutating func appendInterpolation(_ text: String) {
            bytes.append(contentsOf: text.utf8)
        }

        /// Appends another message text (a part built separately).
        public mutating func appendInterpolation(_ text: MessageText) {
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }

        /// Appends `value.description` (numbers, days, industry codes).
        public mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            appendInterpolation(value.description)
        }
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
