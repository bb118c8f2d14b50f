// A Swift plugin (against the C header only) that calls fatalError on applications whose id
// contains FATAL. Compiled by the tests with swiftc; never part of the package build.
import CCheckABI

private let ruleID = strdupPermanent("fatal/rule")
private let citations: [UnsafePointer<CChar>?] = [strdupPermanent("wuwai-11-negative-list"), nil]

private func strdupPermanent(_ text: String) -> UnsafePointer<CChar> {
    let bytes = Array(text.utf8CString)
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    storage.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(storage)
}

private func idContains(_ document: UnsafePointer<check_document>, _ marker: String) -> Bool {
    let doc = document.pointee
    var child: UInt32 = 1
    for _ in 0..<doc.nodes[0].count {
        let node = doc.nodes[Int(child)]
        let key = String(decoding: UnsafeBufferPointer(start: doc.text + Int(node.key_offset), count: Int(node.key_length)), as: UTF8.self)
        if key == "id" {
            let value = String(decoding: UnsafeBufferPointer(start: doc.text + Int(node.text_offset), count: Int(node.text_length)), as: UTF8.self)
            return value.contains(marker)
        }
        child = node.end
    }
    return false
}

nonisolated(unsafe) private var rules: [check_rule_info] = []
nonisolated(unsafe) private var descriptor = check_plugin()

@_cdecl("check_plugin_entry")
public func entry() -> UnsafeRawPointer {
    rules = [check_rule_info(id: ruleID, title_zh: strdupPermanent("致命错误"), title_en: strdupPermanent("Fatal"),
                             description_zh: strdupPermanent("测试用"), description_en: strdupPermanent("For tests"),
                             citations: citations.withUnsafeBufferPointer { UnsafePointer($0.baseAddress!) })]
    descriptor = check_plugin(
        abi_version: CHECK_ABI_VERSION, struct_size: UInt32(MemoryLayout<check_plugin>.size),
        id: strdupPermanent("fatal"), version: strdupPermanent("1.0.0"), title_zh: strdupPermanent("致命错误"), title_en: strdupPermanent("Fatal"),
        datasets: nil, rule_count: 1, flags: 0, rules: rules.withUnsafeBufferPointer { UnsafePointer($0.baseAddress!) }, context: nil,
        open: { _, _, state in state?.pointee = nil; return 0 },
        evaluate: { _, request, sink in
            guard let request, let sink, let document = request.pointee.application else { return 1 }
            if idContains(document, "FATAL") { fatalError("fixture: fatalError on purpose") }
            sink.pointee.finding(sink.pointee.context, ruleID, CHECK_PASS.rawValue, "通过", "pass")
            sink.pointee.cite(sink.pointee.context, citations[0])
            return 0
        })
    return withUnsafePointer(to: &descriptor) { UnsafeRawPointer($0) }
}
