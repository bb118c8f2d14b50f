import CCheckABI
import CheckJSON
import Foundation

/// The reference path for the benchmark's verdict check: parses with Foundation's
/// `JSONSerialization` (an independent parser) and builds the same document tape, so the fast
/// reader's verdicts can be compared with a reader it shares no code with. Object members come
/// out in sorted order (Foundation does not keep member order); verdicts do not depend on it.
enum ReferenceReader {
    static func parse(_ bytes: [UInt8]) throws -> JSONDocument {
        let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        var builder = Builder()
        builder.append(object, key: nil, parent: CHECK_NONE)
        return JSONDocument(nodes: builder.nodes, text: builder.text)
    }

    private struct Builder {
        var nodes: [check_node] = []
        var text: [UInt8] = []

        mutating func text(_ string: String) -> (UInt32, UInt32) {
            let offset = UInt32(text.count)
            text.append(contentsOf: string.utf8)
            return (offset, UInt32(text.count) - offset)
        }

        mutating func append(_ value: Any, key: String?, parent: UInt32) {
            let index = UInt32(nodes.count)
            let (keyOffset, keyLength) = key.map { text($0) } ?? (CHECK_NONE, 0)
            var node = check_node(kind: CHECK_NULL.rawValue, parent: parent, key_offset: keyOffset, key_length: keyLength,
                                  text_offset: 0, text_length: 0, count: 0, end: index + 1, number: 0)
            if parent != CHECK_NONE { nodes[Int(parent)].count += 1 }
            switch value {
            case let string as String:
                node.kind = CHECK_STRING.rawValue
                (node.text_offset, node.text_length) = text(string)
            case let number as NSNumber:
                if String(cString: number.objCType) == "c" {
                    node.kind = number.boolValue ? CHECK_TRUE.rawValue : CHECK_FALSE.rawValue
                } else {
                    node.kind = CHECK_NUMBER.rawValue
                    node.number = number.doubleValue
                    (node.text_offset, node.text_length) = text(number.stringValue)
                }
            case let array as [Any]:
                node.kind = CHECK_ARRAY.rawValue
                nodes.append(node)
                for element in array { append(element, key: nil, parent: index) }
                nodes[Int(index)].end = UInt32(nodes.count)
                return
            case let object as [String: Any]:
                node.kind = CHECK_OBJECT.rawValue
                nodes.append(node)
                for name in object.keys.sorted() { append(object[name]!, key: name, parent: index) }
                nodes[Int(index)].end = UInt32(nodes.count)
                return
            default:
                break
            }
            nodes.append(node)
        }
    }
}
