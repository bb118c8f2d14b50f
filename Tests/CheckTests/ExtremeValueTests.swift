import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Valid but extreme values reach every plugin in this process, where a trap (an overflowing
/// conversion, an index out of range) would end the whole batch: every number of every example
/// application is set, one at a time, to the extremes its field allows, and every plugin must
/// still give a verdict other than `error`. (A run like this found `formatAmount` trapping on
/// 1.7e308 tce.)
final class ExtremeValueTests: XCTestCase {
    /// The extremes a number at `path` may take (the format's bounds, SPEC §3).
    func extremes(at path: [String]) -> [Any] {
        switch path.last {
        case "sharePercent": [0, 100, 1e-300, 99.99999999999999]
        case "fullTimeRdStaff": [0, 8_999_999_999_999_999]
        case "item": [1, 8_999_999_999_999_999]
        default: [0, Double.leastNonzeroMagnitude, 0.1, 9.3e18, Double.greatestFiniteMagnitude]
        }
    }

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

    /// Amounts in messages: thousands separated by commas, a fraction as written (at most six
    /// places), the sign kept even when the whole part is 0; past UInt64 as Swift prints it.
    func testAmountsAreFormattedForMessages() {
        let expected: [(Double, String)] = [
            (0, "0"), (7, "7"), (999, "999"), (1000, "1,000"), (-1000, "-1,000"), (12_000_000, "12,000,000"),
            (123_456, "123,456"), (1_234_567.25, "1,234,567.25"), (12.5, "12.5"), (-0.5, "-0.5"), (0.1 + 0.2, "0.300000"),
            (1e18, "1,000,000,000,000,000,000"), (-9.1e18, "-9,100,000,000,000,000,000"), (1e19, "1e+19"), (.infinity, "inf"),
        ]
        for (value, text) in expected { XCTAssertEqual(formatAmount(value), text, "\(value)") }
    }

    func testExtremeNumbersNeverStopAPlugin() throws {
        let session = try makeSession()
        let files = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.examples.path).filter { $0.hasSuffix(".json") }.sorted()
        var evaluated = 0
        for file in files {
            let application = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.examples.appendingPathComponent(file)))
            for path in numberPaths(in: application) {
                for extreme in extremes(at: path) {
                    let mutated = try JSONSerialization.data(withJSONObject: replacing(path[...], in: application, with: extreme))
                    let result = session.evaluate([UInt8](mutated), source: "\(file) $.\(path.joined(separator: ".")) = \(extreme)")
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
