#if canImport(Glibc)
import Glibc
#endif

/// A value of the wrong shape: its JSON path, what was expected and what was found.
public struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// JSON path of the offending (or missing) value, e.g. `$.project.industries[0].code`.
    public let path: String
    /// What was expected, e.g. "a string", "an ISO date YYYY-MM-DD".
    public let expected: String
    /// What was found, e.g. "number 12", "nothing (the field is missing)".
    public let found: String

    /// An error at `path`.
    public init(path: String, expected: String, found: String) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    /// "$.id: expected a string, found number 12".
    public var description: String { "\(path): expected \(expected), found \(found)" }

    /// `text` as shown in a message: its first 40 characters, then `…` if there is more, so a
    /// hostile megabyte-long value cannot make a megabyte-long error line.
    public static func excerpt(_ text: String) -> String {
        text.utf8.count > 40 && text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}

extension JSONNode {
    /// A short description of this value for error messages: `number 12`, `string "abc"`, `an object`.
    public var summary: String {
        switch kind {
        case .null: return "null"
        case .true: return "true"
        case .false: return "false"
        case .number: return "number \(JSONFieldError.excerpt(jsonText))"
        case .string: return "string \(JSONWriter.quoted(JSONFieldError.excerpt(string ?? "")))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The member `name`, or an error naming its path if it is missing.
    public func required(_ name: String) throws(JSONFieldError) -> JSONNode {
        guard kind == .object else { throw JSONFieldError(path: path, expected: "an object", found: summary) }
        guard let value = self[name] else {
            throw JSONFieldError(path: path + JSONPath.member(name), expected: "a value", found: "nothing (the field is missing)")
        }
        return value
    }

    /// The member `name` unless it is missing or null.
    @inlinable public func optional(_ name: String) -> JSONNode? {
        guard let value = self[name], !value.isNull else { return nil }
        return value
    }

    /// This value as a string, or an error naming its path.
    public func asString() throws(JSONFieldError) -> String {
        guard let value = string else { throw JSONFieldError(path: path, expected: "a string", found: summary) }
        return value
    }

    /// This value as a non-empty string, or an error naming its path.
    public func asNonEmptyString() throws(JSONFieldError) -> String {
        let value = try asString()
        guard !value.isEmpty else { throw JSONFieldError(path: path, expected: "a non-empty string", found: "an empty string") }
        return value
    }

    /// This value as an exact decimal, or an error naming its path.
    public func asDecimal() throws(JSONFieldError) -> DecimalNumber {
        guard kind == .number else { throw JSONFieldError(path: path, expected: "a number", found: summary) }
        guard let value = decimal else {
            throw JSONFieldError(path: path, expected: "an exact decimal (at most \(DecimalNumber.maxIntegerDigits) digits before the point and \(DecimalNumber.maxScale) after it)",
                                 found: "number \(JSONFieldError.excerpt(jsonText))")
        }
        return value
    }

    /// This value as an integer, or an error naming its path.
    public func asInteger() throws(JSONFieldError) -> Int {
        guard let value = integer else { throw JSONFieldError(path: path, expected: "an integer", found: summary) }
        return value
    }

    /// This value as a Boolean, or an error naming its path.
    public func asBool() throws(JSONFieldError) -> Bool {
        guard let value = bool else { throw JSONFieldError(path: path, expected: "true or false", found: summary) }
        return value
    }

    /// This value as an array's elements, or an error naming its path.
    public func asArray() throws(JSONFieldError) -> [JSONNode] {
        guard kind == .array else { throw JSONFieldError(path: path, expected: "an array", found: summary) }
        return Array(children)
    }

    /// This value as an array of strings, or an error naming the first bad element.
    public func asStrings() throws(JSONFieldError) -> [String] {
        if kind == .array && count == 0 { return [] }   // (most lists of a catalogue's items are empty)
        var result: [String] = []
        for element in try asArray() { result.append(try element.asString()) }
        return result
    }

    /// The first member name that occurs twice in this object, with its path, if any. Compares
    /// name bytes without building strings for small objects, hashes names for large ones.
    public var duplicateMember: (name: String, path: String)? {
        guard kind == .object, count > 1 else { return nil }
        if count > 32 {
            // Hashed for large objects: a hostile one may have a million members.
            var seen: Set<String> = []
            for member in children where !seen.insert(String(decoding: member.keyBytes, as: UTF8.self)).inserted {
                return (member.key ?? "", member.path)
            }
            return nil
        }
        // Names as (offset, length) in the document's text, on the stack: objects of rule data
        // and applications are small, and a catalogue has thousands of them.
        return withUnsafeTemporaryAllocation(of: (offset: UInt32, length: UInt32).self, capacity: count) { names in
            let text = document.pointee.text!
            var held = 0
            for member in children {
                let node = member.raw
                let name = UnsafeBufferPointer(start: text + Int(node.key_offset), count: Int(node.key_length))
                for earlier in names[0..<held] where earlier.length == node.key_length
                    && bytesEqual(UnsafeBufferPointer(start: text + Int(earlier.offset), count: Int(earlier.length)), name) {
                    return (member.key ?? "", member.path)
                }
                names[held] = (node.key_offset, node.key_length)
                held += 1
            }
            return nil
        }
    }
}
