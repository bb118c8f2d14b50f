/// An owned JSON value, for the few places that edit JSON (importing rule data). Members keep
/// their order; numbers keep their source text.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number as its JSON text (e.g. `8000000`, `0.14`).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in order.
    case object([(String, JSONValue)])

    /// Copies `node` and everything under it.
    public init(_ node: JSONNode) {
        switch node.kind {
        case .null: self = .null
        case .true: self = .bool(true)
        case .false: self = .bool(false)
        case .number: self = .number(node.jsonText)
        case .string: self = .string(node.string ?? "")
        case .array: self = .array(node.children.map(JSONValue.init))
        case .object: self = .object(node.children.map { ($0.key ?? "", JSONValue($0)) })
        }
    }

    /// An integer value.
    public static func integer(_ value: Int) -> JSONValue { .number(String(value)) }

    /// Member `name` of an object.
    public subscript(name: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members.first { $0.0 == name }?.1
        }
        set {
            guard case .object(var members) = self else { return }
            if let index = members.firstIndex(where: { $0.0 == name }) {
                if let newValue { members[index].1 = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((name, newValue))
            }
            self = .object(members)
        }
    }

    /// Equality, member order included.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }

    /// The value in the layout the rule data is kept in: two-space indentation, arrays of
    /// scalars on one line, small objects of scalars on one line, a final newline.
    public var prettyText: String { prettyText(oneLineEach: nil) }

    /// ``prettyText``, but each element of the array in top-level member `member` on one line
    /// of its own (a catalogue's items: a line an item reads and compares well, and a file of
    /// a thousand items is a third smaller to parse at every start).
    public func prettyText(oneLineEach member: String?) -> String {
        var output: [UInt8] = []
        write(into: &output, indent: 0, oneLineEach: member)
        output.append(0x0A)
        return String(decoding: output, as: UTF8.self)
    }

    /// The value on one line, with `", "` and `": "` separators.
    public var inlineText: String {
        var output: [UInt8] = []
        writeInline(into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private func writeInline(into output: inout [UInt8]) {
        switch self {
        case .null: output += Array("null".utf8)
        case .bool(let value): output += Array((value ? "true" : "false").utf8)
        case .number(let text): output += Array(text.utf8)
        case .string(let text): JSONWriter.appendQuoted(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output += Array(", ".utf8) }
                element.writeInline(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, (name, value)) in members.enumerated() {
                if index > 0 { output += Array(", ".utf8) }
                JSONWriter.appendQuoted(name, to: &output)
                output += Array(": ".utf8)
                value.writeInline(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private func write(into output: inout [UInt8], indent: Int, oneLineEach: String? = nil, inline: Bool = false) {
        let pad = Array(repeating: UInt8(0x20), count: indent * 2)
        switch self {
        case .array(let elements) where !elements.isEmpty && (inline || elements.contains(where: \.isContainer)):
            output += Array("[\n".utf8)
            for (index, element) in elements.enumerated() {
                output += pad + [0x20, 0x20]
                if inline { element.writeInline(into: &output) } else { element.write(into: &output, indent: indent + 1) }
                output += Array((index == elements.count - 1 ? "\n" : ",\n").utf8)
            }
            output += pad + [UInt8(ascii: "]")]
        case .object(let members) where !members.isEmpty
            && (members.contains(where: { $0.1.isContainer }) || inlineText.unicodeScalars.count >= 100):
            output += Array("{\n".utf8)
            for (index, (name, value)) in members.enumerated() {
                output += pad + [0x20, 0x20]
                JSONWriter.appendQuoted(name, to: &output)
                output += Array(": ".utf8)
                value.write(into: &output, indent: indent + 1, inline: indent == 0 && name == oneLineEach)
                output += Array((index == members.count - 1 ? "\n" : ",\n").utf8)
            }
            output += pad + [UInt8(ascii: "}")]
        default:
            writeInline(into: &output)
        }
    }
}
