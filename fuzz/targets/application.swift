// Fuzz target: application decoding — the JSON reader, JSON Lines splitting, the application
// validator (SPEC §3), paths and re-serialisation of every node.
import Foundation

private let validator: ApplicationValidator = {
    let rules = ProcessInfo.processInfo.environment["CHECK_RULES"] ?? "rules"
    return ApplicationValidator(industries: try! IndustryTable(folder: URL(fileURLWithPath: rules).appendingPathComponent("gbt4754-2017")))
}()

private func exercise(_ bytes: [UInt8]) {
    guard let document = try? JSONReader.parse(bytes, limits: JSONLimits(maxDepth: 512)) else { return }
    document.withCDocument { pointer in
        let root = JSONNode(document: pointer, index: 0)
        _ = validator.problems(of: root, collectUnknown: true)
        // Every node's path and text must be computable; the text must parse again to the same value.
        for index in 0..<min(document.nodes.count, 2000) { _ = JSONNode(document: pointer, index: UInt32(index)).path }
        let text = Array(root.jsonText.utf8)
        guard let again = try? JSONReader.parse(text) else { fatalError("re-serialised JSON does not parse: \(root.jsonText.prefix(200))") }
        let first = JSONValue(root)
        let second = again.withRoot { JSONValue($0) }
        precondition(first == second, "re-serialised JSON differs")
        let pretty = first.prettyText
        guard let third = try? JSONReader.parse(Array(pretty.utf8)), third.withRoot({ JSONValue($0) }) == first else {
            fatalError("pretty-printed JSON does not round-trip")
        }
    }
}

func fuzzApplication(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    exercise(bytes)
    if bytes.contains(0x0A) {
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) { exercise(Array(line)) }
    }
    return 0
}
