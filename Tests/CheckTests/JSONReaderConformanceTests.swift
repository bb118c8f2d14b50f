import CheckJSON
import Foundation
import XCTest

/// The reader against JSONTestSuite: every `y_` file accepted, every `n_` file rejected, and no
/// crash or hang on any file (the `i_` files may go either way).
final class JSONReaderConformanceTests: XCTestCase {
    func testJSONTestSuite() throws {
        let folder = TestPaths.fixtures.appendingPathComponent("JSONTestSuite/test_parsing")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertGreaterThan(names.count, 300)
        var accepted = 0, rejected = 0
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            let result = Result { () throws(JSONSyntaxError) in try JSONReader.parse(bytes) }
            switch (name.prefix(2), result) {
            case ("y_", .failure(let error)): XCTFail("\(name) should parse: \(error)")
            case ("n_", .success): XCTFail("\(name) should be rejected")
            case (_, .success): accepted += 1
            case (_, .failure): rejected += 1
            }
        }
        XCTAssertGreaterThanOrEqual(accepted, 95)
        XCTAssertGreaterThanOrEqual(rejected, 188)
    }
}
