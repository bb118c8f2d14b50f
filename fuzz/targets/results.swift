// Fuzz target: the plugin-result boundary — everything that crosses from a plugin (through an
// isolated worker) into the host: response frames, sink events replayed into the collector
// against a real application, and the hello frame's metadata.
import Foundation

private let application: JSONDocument = {
    let text = #"{"schemaVersion": 1, "id": "F-1", "submittedOn": "2026-03-15", "investors": [{"foreign": true, "sharePercent": 100}], "project": {"name": "x", "type": "new", "location": {"province": "广东省"}, "industries": [{"code": "C3973"}]}}"#
    return try! JSONReader.parse(Array(text.utf8))
}()

private let rules = RuleIndex(PluginDescription(
    id: "fuzz", version: "1", title: Localized(zh: "z", en: "e"), datasets: [],
    rules: [RuleDescription(id: "fuzz/rule", title: Localized(zh: "z", en: "e"), description: Localized(zh: "z", en: "e"), citations: [])]))

func fuzzResults(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    _ = try? PluginMetadata.decode(bytes)
    var offset = 0
    var expected: UInt32 = 0
    // Every response is one application of a batch, collected as a batch is: into one collector.
    var collector = FindingCollector(plugin: rules, citations: .empty, languages: .both, capacity: 4)
    while offset < bytes.count {
        guard let response = try? WorkerProtocol.nextResponse(bytes[offset...], expected: expected) else { break }
        precondition(response.length >= 16 && offset + response.length <= bytes.count, "a response claims bytes it does not have")
        offset += response.length
        expected += 1
        collector.start(application)
        WorkerEvent.replay(response.events, into: &collector)
        collector.end(status: response.status)
    }
    // The events alone, as a payload (also when they do not all decode: those before the
    // malformed one are replayed, then a violation).
    collector.start(application)
    WorkerEvent.replay(bytes[...], into: &collector)
    collector.end(status: 0)
    let results = collector.finish()
    precondition(results.ranges.count == Int(expected) + 1, "one result per application collected")
    for application in results.ranges.indices {
        let findings = results[application]
        precondition(!findings.isEmpty, "a response produced no finding and no error")
        // Every finding's parts are read back from the storage they share (a wrong range traps),
        // and its report JSON, messages copied unscanned where the sink found them verbatim, parses.
        for finding in findings {
            _ = (finding.message, Array(finding.evidence), Array(finding.citations))
            for language in [Language.zh, .en] {
                var writer = JSONWriter()
                JSONReport.write(finding, to: &writer, language: language)
                precondition((try? JSONReader.parse(writer.bytes)) != nil, "a finding's report JSON does not parse")
            }
        }
    }
    return 0
}
