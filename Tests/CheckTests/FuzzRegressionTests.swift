import CheckHost
import Foundation
import XCTest

/// Inputs the fuzzers (fuzz/README.md) once crashed on, kept under Tests/Fixtures/fuzz-crashes
/// and replayed here so a fixed crash stays fixed.
final class FuzzRegressionTests: XCTestCase {
    /// `QuoteCheck.sentence` used Foundation's `range(of:)`, whose bounds can fall inside a
    /// grapheme cluster (`\n` of `\r\n`); stepping back with `index(before:)` from there trapped.
    /// Found by the `ruledata` target after 106,554 runs.
    func testSentenceAroundCarriageReturnLineFeed() throws {
        let bytes = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("fuzz-crashes/ruledata-sentence-crlf"))
        let text = String(decoding: bytes, as: UTF8.self)
        // The fuzz target's call: the first 8 characters of the second half, searched in the whole.
        let half = text.index(text.startIndex, offsetBy: text.count / 2)
        let quote = String(text[half...].prefix(8))
        let sentence = QuoteCheck.sentence(containing: quote, in: text)
        XCTAssertNotNil(sentence, "the quote is taken from the text, so its sentence must be found")

        // The reduced case: a quote starting with a line feed that, in the text, follows a carriage return.
        XCTAssertEqual(QuoteCheck.sentence(containing: "\nabc", in: "x。\r\nabc def。y"), "abc def。")
        XCTAssertEqual(QuoteCheck.sentence(containing: "第二句", in: "第一句。第二句，续；第三句"), "第二句，续；")
        XCTAssertNil(QuoteCheck.sentence(containing: "不在", in: "第一句。"))
    }

    /// A CSV import whose header names a column twice (`number,text,text,…`) trapped in
    /// `Dictionary(uniqueKeysWithValues:)`; staff now get a clear refusal naming the column.
    /// Found by the `ruledata` target after 119,987 runs.
    func testImportHeaderWithRepeatedColumnIsRefused() throws {
        let crashing = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("fuzz-crashes/ruledata-import-repeated-column.csv"))
        // The fuzz target decodes leniently; the command needs UTF-8 and a source line, so give it both.
        let folder = try Fixtures.temporaryFolder()
        let csv = folder.appendingPathComponent("repeated.csv")
        try Data(("# source: fuzz regression input\n" + String(decoding: crashing, as: UTF8.self)).utf8).write(to: csv)
        let copy = folder.appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestPaths.rules, to: copy)
        let output = try check(["rules", "import", csv.path, "--edition", "2025-national", "--rules", copy.path])
        XCTAssertEqual(output.status, 2, output.stderr)
        XCTAssertTrue(output.stderr.contains("repeated.csv:3: column `text` appears twice in the header"), output.stderr)
    }
}
