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
