import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Valid but extreme values reach every plugin in this process, where a trap (an overflowing
/// conversion, an index out of range) would end the whole batch: every number of every example
/// application is set, one at a time, to the extremes its field allows, and every plugin must
/// still give a verdict other than `error`; a number beyond them is an input error, never a
/// rounded value.
final class ExtremeValueTests: XCTestCase {
    /// The extremes a number at `path` may take (the format's bounds, SPEC §3), as JSON text:
    /// exact decimals of at most 18 digits before the point and 18 after it.
    func extremes(at path: [String]) -> [String] {
        switch path.last {
        case "sharePercent": ["0", "100", "1e-18", "99.999999999999999999", "100.000000000000000000"]
        case "fullTimeRdStaff": ["0", "999999999999999999"]
        case "item": ["1", "999999999999999999"]
        default: ["0", "0.000000000000000001", "0.1", "1E17", "999999999999999999.999999999999999999"]
        }
    }

    /// Numbers beyond what an exact decimal holds, with the field they were put in: each an
    /// input error naming the path, never a rounded value.
    let beyondExact = ["1e-300", "0.0000000000000000001", "1000000000000000000", "9.3e18", "1.7976931348623157e308", "1e999"]

    /// The paths of every number in `value` (object members and array positions as strings).
    func numberPaths(in value: Any, at path: [String] = []) -> [[String]] {
        switch value {
        case let object as [String: Any]: object.keys.sorted().flatMap { numberPaths(in: object[$0]!, at: path + [$0]) }
        case let array as [Any]: array.indices.flatMap { numberPaths(in: array[$0], at: path + [String($0)]) }
        // Booleans come as NSNumber too, of Objective-C type "c".
        case let number as NSNumber where String(cString: number.objCType) != "c": path == ["schemaVersion"] ? [] : [path]
        default: []
        }
    }

    /// `value` with the value at `path` replaced by `replacement`.
    func replacing(_ path: ArraySlice<String>, in value: Any, with replacement: Any) -> Any {
        guard let key = path.first else { return replacement }
        if var object = value as? [String: Any] {
            object[key] = replacing(path.dropFirst(), in: object[key]!, with: replacement)
            return object
        }
        var array = value as! [Any]
        array[Int(key)!] = replacing(path.dropFirst(), in: array[Int(key)!], with: replacement)
        return array
    }

    /// Amounts in messages: thousands separated by commas, the digits after the point as
    /// written (none added, none rounded away), the sign kept even when the whole part is 0.
    func testAmountsAreFormattedForMessages() throws {
        let expected: [(String, String)] = [
            ("0", "0"), ("7", "7"), ("999", "999"), ("1000", "1,000"), ("-1000", "-1,000"), ("12000000", "12,000,000"),
            ("123456", "123,456"), ("1234567.25", "1,234,567.25"), ("12.5", "12.5"), ("-0.5", "-0.5"), ("33.90", "33.90"),
            ("1e3", "1,000"), ("1.5E-2", "0.015"), ("999999999999999999.999999999999999999", "999,999,999,999,999,999.999999999999999999"),
        ]
        for (text, shown) in expected {
            let value = try XCTUnwrap(DecimalNumber(text), text)
            XCTAssertEqual(value.grouped, shown, text)
        }
        let sum = try XCTUnwrap(DecimalNumber.sum([DecimalNumber("0.1")!, DecimalNumber("0.2")!]))
        XCTAssertEqual(sum.description, "0.3", "0.1 + 0.2 is 0.3, not 0.30000000000000004")
    }

    /// A number beyond an exact decimal's limits is an input error naming the field, in every
    /// numeric field of every example.
    func testNumbersBeyondAnExactDecimalAreInputErrors() throws {
        let session = try makeSession()
        let file = "rd-centre/pass--certified-centre-2025.json"
        let application = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.examples.appendingPathComponent(file)))
        var checked = 0
        for path in numberPaths(in: application) where path.last != "item" {
            for text in beyondExact {
                let bytes = try replacingNumber(at: path, in: application, with: text)
                let result = session.evaluate(bytes, source: "\(file) $.\(path.joined(separator: ".")) = \(text)")
                XCTAssertEqual(result.verdict, .error, result.source)
                XCTAssertEqual(result.inputProblems.count, 1, result.source)
                XCTAssertTrue(result.inputProblems.first?.problem.found.contains("beyond what an exact decimal holds") == true, "\(result.source): \(result.inputProblems)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 4 * beyondExact.count)
    }

    /// The application `value` as JSON with the number at `path` written as `text`, exactly.
    func replacingNumber(at path: [String], in value: Any, with text: String) throws -> [UInt8] {
        let marker = "@@number@@"
        let json = String(decoding: try JSONSerialization.data(withJSONObject: replacing(path[...], in: value, with: marker)), as: UTF8.self)
        return Array(json.replacingOccurrences(of: "\"\(marker)\"", with: text).utf8)
    }

    func testExtremeNumbersNeverStopAPlugin() throws {
        let session = try makeSession()
        let files = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.examples.path).filter { $0.hasSuffix(".json") }.sorted()
        var evaluated = 0
        for file in files {
            let application = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.examples.appendingPathComponent(file)))
            for path in numberPaths(in: application) {
                for extreme in extremes(at: path) {
                    let mutated = try replacingNumber(at: path, in: application, with: extreme)
                    let result = session.evaluate(mutated, source: "\(file) $.\(path.joined(separator: ".")) = \(extreme)")
                    XCTAssertEqual(result.inputProblems.map(\.problem), [], result.source)
                    XCTAssertEqual(result.plugins.count, 4, result.source)
                    let errors = result.findings.filter { $0.verdict == .error }.map(\.message.en)
                    XCTAssertEqual(errors, [], result.source)
                    evaluated += 1
                }
            }
        }
        XCTAssertGreaterThan(evaluated, 300)
    }
}
