// Fuzz target: rule-data loading — edition, citation and threshold decoding, the CSV reader
// used for the GB/T table and staff imports, the import's row checks, and quote checking.
import Foundation

func fuzzRuleData(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    _ = CSV.records(text)
    _ = CSV.records(text, maximumFields: 3)
    _ = try? RuleImport.parseRows(text, file: "fuzz.csv")
    if let half = text.index(text.startIndex, offsetBy: text.count / 2, limitedBy: text.endIndex) {
        // A short quote (with …… fragments, if the input has them) against the first half.
        let quote = String(text[half...].prefix(64))
        _ = QuoteCheck.firstMissingFragment(of: quote, in: String(text[..<half]))
        if bytes.count < 4096 { _ = QuoteCheck.sentence(containing: String(quote.prefix(8)), in: text) }
    }
    guard let document = try? JSONReader.parse(bytes) else { return 0 }
    document.withRoot { root in
        _ = try? Edition(root, dataset: "fuzz", file: "fuzz.json")
        for node in root["citations"]?.children ?? JSONChildren.empty { _ = try? Citation(node) }
        for node in root.children where node.kind == .object { _ = try? Threshold(node) }
        _ = root.duplicateMember
        let value = JSONValue(root)
        guard let again = try? JSONReader.parse(Array(value.prettyText.utf8)), again.withRoot({ JSONValue($0) }) == value else {
            fatalError("rule data does not round-trip through JSONValue")
        }
    }
    return 0
}
