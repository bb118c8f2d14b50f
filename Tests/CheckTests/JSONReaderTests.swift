import CCheckABI
import CheckJSON
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
}
