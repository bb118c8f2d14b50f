import CCheckABI
import CheckJSON
import Foundation
import XCTest

/// The reader's tape and its error messages.
final class JSONReaderTests: XCTestCase {
    func parseError(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try JSONReader.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    func testTapeLayout() throws {
        let document = try JSONReader.parse(Array(#"{"a":[1,"x\u00e9",{"b":null}],"c":true}"#.utf8))
        XCTAssertEqual(document.nodes.count, 7)
        document.withRoot { root in
            XCTAssertEqual(root.kind, .object)
            XCTAssertEqual(root.count, 2)
            XCTAssertEqual(root["a"]?.count, 3)
            XCTAssertEqual(root["a"]?[1]?.string, "xé")
            XCTAssertEqual(root["a"]?[2]?["b"]?.isNull, true)
            XCTAssertEqual(root["a"]?[2]?["b"]?.path, "$.a[2].b")
            XCTAssertEqual(root["c"]?.bool, true)
            XCTAssertEqual(root["a"]?[0]?.number, 1)
            XCTAssertEqual(root["a"]?.jsonText, #"[1,"xé",{"b":null}]"#)
            XCTAssertEqual(root.jsonText, #"{"a":[1,"xé",{"b":null}],"c":true}"#)
        }
        // `end` jumps over a whole subtree.
        XCTAssertEqual(document.nodes[1].end, 6)
        XCTAssertEqual(document.nodes[0].parent, CHECK_NONE)
    }

    func testNumbers() throws {
        let cases: [(String, Double)] = [("0", 0), ("-0", -0.0), ("12.5", 12.5), ("1e3", 1000), ("123456789012345678901234", 1.2345678901234568e23),
                                         ("0.1", 0.1), ("2.2250738585072014e-308", 2.2250738585072014e-308), ("1e400", .infinity), ("-1e400", -.infinity)]
        for (text, value) in cases {
            let document = try JSONReader.parse(Array(text.utf8))
            XCTAssertEqual(document.nodes[0].number, value, text)
        }
        XCTAssertEqual(try JSONReader.parse(Array("-0".utf8)).nodes[0].number.sign, .minus)
    }

    func testErrorsNamePathLineAndColumn() {
        let error = parseError("{\n  \"investors\": [\n    {\"name\": \"A\" \"x\"}\n  ]\n}")
        XCTAssertEqual(error?.path, "$.investors[0]")
        XCTAssertEqual(error?.line, 3)
        XCTAssertEqual(error?.column, 18)
        XCTAssertEqual(error?.expected, "',' or '}'")
        XCTAssertEqual(error?.found, "'\"'")

        XCTAssertEqual(parseError(#"{"a": [1, 2, }"#)?.path, "$.a[2]")
        XCTAssertEqual(parseError(#"{"a": {"b": tru}}"#)?.path, "$.a.b")
        XCTAssertEqual(parseError(#"{"项目": 01}"#)?.path, "$[\"项目\"]")
        XCTAssertEqual(parseError("[\"\u{1}\"]")?.expected, "a character (control characters must be escaped)")
        XCTAssertEqual(parseError(#"["\ud800"]"#)?.expected, "a low surrogate \\uDC00-\\uDFFF after a high surrogate")
        XCTAssertEqual(parseError("{} x")?.expected, "end of input")
        XCTAssertEqual(parseError("")?.found, "end of input")
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = parseError(deep)
        XCTAssertEqual(error?.expected, "nesting at most 512 deep")
        XCTAssertNotNil(try? JSONReader.parse(Array((String(repeating: "[", count: 500) + String(repeating: "]", count: 500)).utf8)))
    }

    func testByteOrderMarkIsAccepted() throws {
        XCTAssertEqual(try JSONReader.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)).nodes.count, 1)
    }

    /// A path written again in the same piece is copied from where it was first written: the
    /// same text as written afresh, for each document and node, odd member names included, and
    /// nothing carried into the next piece (where another document may sit at the same address).
    func testRepeatedPathsAreWrittenAsAfresh() throws {
        let first = try JSONReader.parse(Array(#"{"a": {"b\"c": [1, {"d": 2}]}, "e": 3}"#.utf8))
        let second = try JSONReader.parse(Array(#"{"e": 3, "a": {"b\"c": [1, {"d": 2}]}}"#.utf8))
        var pieces = JSONPieces(capacity: 16)
        var expected = ""
        for round in 0..<3 {
            pieces.write { writer in
                writer.beginArray()
                first.withRoot { one in
                    second.withRoot { two in
                        // (one's "e" and two's "d" are both node 6: the document tells them apart.)
                        let nodes = [one["a"]!["b\"c"]![1]!["d"]!, two["e"]!, one["e"]!, two["a"]!["b\"c"]![0]!, two["a"]!["b\"c"]![1]!["d"]!]
                        XCTAssertEqual(one["e"]!.index, two["a"]!["b\"c"]![1]!["d"]!.index)
                        for node in nodes + nodes.reversed() + nodes {
                            writer.path(of: node)
                            if round == 0 { expected += (expected.isEmpty ? "" : ",") + JSONWriter.quoted(node.path) }
                        }
                    }
                }
                writer.endArray()
            }
            pieces.append("\n")
        }
        let text = pieces.withBytes { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(text, String(repeating: "[\(expected)]\n", count: 3))
        XCTAssertTrue(expected.contains(#""$.a[\"b\\\"c\"][1].d""#), expected)
    }

    /// The writer escapes exactly `"`, `\` and control characters, wherever they fall in the
    /// eight-byte words its scan reads (every byte value at every position of a 19-byte string,
    /// in ASCII and in Chinese text).
    func testWriterEscapesEveryByteThatNeedsIt() {
        func expected(_ bytes: [UInt8]) -> [UInt8] {
            var output: [UInt8] = [0x22]
            for byte in bytes {
                switch byte {
                case 0x22: output += [0x5C, 0x22]
                case 0x5C: output += [0x5C, 0x5C]
                case 0x0A: output += Array("\\n".utf8)
                case 0x0D: output += Array("\\r".utf8)
                case 0x09: output += Array("\\t".utf8)
                case 0..<0x20: output += Array(String(format: "\\u%04x", Int(byte)).utf8)
                default: output.append(byte)
                }
            }
            return output + [0x22]
        }
        for filler in [Array("abcdefghijklmnopqrs".utf8), Array("星河半导体（深圳）".utf8).prefix(19).map { $0 }] {
            for position in 0..<filler.count {
                for byte in UInt8(0)...UInt8(0x7F) {
                    var bytes = filler
                    bytes[position] = byte
                    var output: [UInt8] = []
                    bytes.withUnsafeBufferPointer { JSONWriter.appendQuoted($0, to: &output) }
                    XCTAssertEqual(output, expected(bytes), "byte \(byte) at \(position)")
                }
            }
        }
    }

    /// The writer's own buffer starts small and grows; whatever it writes (escapes, text far
    /// beyond its first capacity, negative numbers, paths with odd member names, values copied
    /// from a document) must read back as what was written.
    func testWriterBufferGrowsAndWritesWhatReadsBack() throws {
        let texts = ["plain", "quote \" and \\ backslash", "control \u{01}\u{1F}\n\t\r", "两高 “quoted”",
                     String(repeating: "星河半导体 abc\u{0B}", count: 2_000)]
        let document = try JSONReader.parse(Array(#"{"a b":{"c\"d":[1,{"e":-2.50}]},"f":"x\u0001y"}"#.utf8))
        var writer = JSONWriter(indent: 2, capacity: 16)
        writer.beginObject()
        writer.key("texts")
        writer.beginArray()
        for text in texts { writer.string(text) }
        writer.endArray()
        writer.field("negative", -42)
        writer.field("minimum", Int.min)
        document.withRoot { root in
            let deep = root["a b"]!["c\"d"]![1]!["e"]!
            writer.key("path")
            writer.path(of: deep)
            writer.key("value")
            writer.value(deep)
            writer.key("document")
            writer.value(root)
        }
        writer.endObject()
        let bytes = writer.bytes
        XCTAssertGreaterThan(bytes.count, 40_000)
        let read = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        XCTAssertEqual(read["texts"] as? [String], texts)
        XCTAssertEqual(read["negative"] as? Int, -42)
        XCTAssertEqual(read["minimum"] as? Int, Int.min)
        XCTAssertEqual(read["path"] as? String, #"$["a b"]["c\"d"][1].e"#)
        XCTAssertEqual(read["value"] as? Double, -2.5)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self).contains(#""value": -2.50"#), true, "numbers are copied as written")
        let copied = try XCTUnwrap(read["document"] as? [String: Any])
        XCTAssertEqual(copied["f"] as? String, "x\u{01}y")
        // Each string is written exactly as the array-based quoting writes it.
        for text in texts {
            var compact = JSONWriter()
            compact.string(text)
            var expected: [UInt8] = []
            JSONWriter.appendQuoted(text, to: &expected)
            XCTAssertEqual(compact.bytes, expected)
        }
    }

    /// The string scanner, which takes ASCII eight bytes at a time, stops at every byte that
    /// needs a look wherever it falls in the word: an escape, a control character, UTF-8 of
    /// two, three and four bytes, and a byte that cannot be UTF-8, at every position of strings
    /// up to 24 bytes, as a member name and as a value, with more JSON after them or none.
    func testStringScannerStopsAtEveryByteThatNeedsALook() throws {
        let specials: [(bytes: [UInt8], decoded: String?)] = [
            (Array(#"\n"#.utf8), "\n"), (Array(#"\""#.utf8), "\""), (Array(#"\u00e9"#.utf8), "é"),
            ([0x01], nil), ([0x1F], nil), (Array("é".utf8), "é"), (Array("负".utf8), "负"), (Array("𝄞".utf8), "𝄞"),
            ([0xFF], nil), ([0xE9, 0x80], nil), ([0x7F], "\u{7F}"),
        ]
        var checked = 0
        for length in 0...24 {
            for position in 0...length {
                for special in specials {
                    let before = String(repeating: "a", count: position), after = String(repeating: "b", count: length - position)
                    let text = Array(before.utf8) + special.bytes + Array(after.utf8)
                    for (prefix, suffix) in [(#"{""#, #"": 1, "z": [true]}"#), (#"[""#, #""]"#), (#"{"k": ""#, #""}"#)] {
                        let json = Array(prefix.utf8) + text + Array(suffix.utf8)
                        let document = try? JSONReader.parse(json)
                        guard let decoded = special.decoded else {
                            XCTAssertNil(document, "\(String(decoding: json, as: UTF8.self))")
                            continue
                        }
                        let expected = before + decoded + after
                        let found = try XCTUnwrap(document, String(decoding: json, as: UTF8.self)).withRoot { root in
                            let first = Array(root.children).first
                            return prefix == #"{""# ? first?.key : first?.string
                        }
                        XCTAssertEqual(found, expected)
                        checked += 1
                    }
                }
            }
        }
        XCTAssertEqual(checked, 325 * 7 * 3)
    }

    /// `DecimalDigits` (days, `path:line` sources) writes what `String(value)` does, padded with
    /// zeros to the width asked for.
    func testDecimalDigitsWriteWhatStringDoes() {
        for value in [0, 7, 9, 10, 99, 100, 2024, 65_535, 1_000_000, 123_456_789] {
            let digits = DecimalDigits.count(value)
            XCTAssertEqual(digits, String(value).count, "\(value)")
            for width in [digits, digits + 2] {
                let text = String(unsafeUninitializedCapacity: width + 2) { buffer in
                    buffer[0] = UInt8(ascii: "<")
                    DecimalDigits.write(value, width: width, into: buffer, at: 1)
                    buffer[width + 1] = UInt8(ascii: ">")
                    return width + 2
                }
                XCTAssertEqual(text, "<" + String(repeating: "0", count: width - digits) + String(value) + ">")
            }
        }
    }

    /// `bytesEqual` (member lookup, code matching) is `==` on the bytes: equal buffers of every
    /// length up to 40, and the same with one byte changed at every position, or one shorter.
    func testBytesEqualComparesEveryByte() {
        var compared = 0
        for count in 0...40 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            bytes.withUnsafeBufferPointer { lhs in
                Array(bytes).withUnsafeBufferPointer { XCTAssertTrue(bytesEqual(lhs, $0), "\(count)") }
                Array(bytes.dropLast()).withUnsafeBufferPointer { XCTAssertEqual(bytesEqual(lhs, $0), count == 0, "\(count) against one shorter") }
                for position in 0..<count {
                    var changed = bytes
                    changed[position] ^= 0x40
                    changed.withUnsafeBufferPointer { XCTAssertFalse(bytesEqual(lhs, $0), "\(count), byte \(position)") }
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, 820)
    }

    /// `checkText` (the host's check of every message a plugin reports) agrees with the
    /// standard library's UTF-8 validation, NUL refused, and finds a byte JSON must escape
    /// exactly when there is one: every sequence of up to two bytes, every three-byte sequence
    /// led by E0-EF or F0-F4 with interesting continuations, and random mixes that cross the
    /// eight-byte fast path's boundaries.
    func testValidTextAgreesWithTheStandardLibrary() {
        func expected(_ bytes: [UInt8]) -> CheckedText {
            guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil else { return .invalid }
            return bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } ? .escapedInJSON : .verbatimInJSON
        }
        func check(_ bytes: [UInt8]) {
            let verdict = bytes.withUnsafeBufferPointer(checkText)
            if verdict != expected(bytes) { XCTFail("checkText(\(bytes.map { String($0, radix: 16) })) = \(verdict)") }
        }
        check([])
        for first in 0...255 {
            check([UInt8(first)])
            for second in 0...255 { check([UInt8(first), UInt8(second)]) }
        }
        let continuations: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        for lead in 0xE0...0xF4 {
            for second in continuations {
                for third in continuations {
                    check([UInt8(lead), second, third])
                    check([UInt8(lead), second, third, 0x80])
                }
            }
        }
        let valid: [[UInt8]] = [Array("a".utf8), Array("负面清单".utf8), Array("é".utf8), Array("𝄞".utf8), Array("abcdefgh".utf8)]
        let escaped: [[UInt8]] = [Array("abc\"defg".utf8), Array("\\".utf8), Array("\n".utf8), [0x1F]]
        let invalid: [[UInt8]] = [[0x00], [0xFF], [0xE9, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                // Mostly valid text, so that the rare bad or escaped piece lands at every offset.
                let piece = Int.random(in: 0..<30, using: &generator)
                bytes += piece < 2 ? invalid.randomElement(using: &generator)! : piece < 5 ? escaped.randomElement(using: &generator)! : valid[piece % valid.count]
            }
            check(bytes)
        }
    }
}
