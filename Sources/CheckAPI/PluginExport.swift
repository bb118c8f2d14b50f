import CCheckABI
import Synchronization

/// Builds the C descriptor (`check_plugin`) for a Swift plugin. A plugin's only boilerplate:
///
/// ```swift
/// @_cdecl("check_plugin_entry") public func entry() -> UnsafeRawPointer { exportPlugin(MyPlugin.self) }
/// ```
///
/// The descriptor is built once per plugin type and never freed (the host never unloads a
/// Swift plugin).
public func exportPlugin<Plugin: RulePlugin>(_ plugin: Plugin.Type) -> UnsafeRawPointer {
    exportedDescriptors.withLock { exported in
        let key = ObjectIdentifier(plugin)
        if let existing = exported.first(where: { $0.type == key }) { return UnsafeRawPointer(bitPattern: existing.descriptor)! }
        let descriptor = makeDescriptor(plugin)
        exported.append((key, UInt(bitPattern: descriptor)))
        return descriptor
    }
}

/// The descriptors built so far, by plugin type: a list, as a library exports one plugin or
/// a few (a dictionary cost each plugin library a search of every loaded library's protocol
/// conformances on first use: 1.4 million instructions of start-up for four plugins).
private let exportedDescriptors = Mutex<[(type: ObjectIdentifier, descriptor: UInt)]>([])

private final class PluginTypeBox {
    let type: any RulePlugin.Type
    init(_ type: any RulePlugin.Type) { self.type = type }
}

/// An opened plugin, behind the descriptor's `state` pointer. Evaluation goes through a
/// method of its generic subclass, so each call reaches the plugin as its own type (getting it
/// out as `any RulePlugin` copied the existential, a retain and a value-witness call per call).
private class PluginInstanceBox {
    func evaluate(_ request: Request, into findings: inout Findings) throws {
        preconditionFailure("PluginInstanceBox is abstract")
    }

    /// Opens a plugin of `type` on `ruleData`.
    static func open<Plugin: RulePlugin>(_ type: Plugin.Type, ruleData: RuleDataFiles) throws -> PluginInstanceBox {
        TypedPluginInstanceBox(try Plugin(ruleData: ruleData))
    }
}

private final class TypedPluginInstanceBox<Plugin: RulePlugin>: PluginInstanceBox {
    let plugin: Plugin
    init(_ plugin: Plugin) { self.plugin = plugin }

    override func evaluate(_ request: Request, into findings: inout Findings) throws {
        try plugin.evaluate(request, into: &findings)
    }
}

/// A NUL-terminated copy of `text` that lives for the rest of the process.
private func permanentCString(_ text: String) -> UnsafePointer<CChar> {
    let bytes = Array(text.utf8CString)
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    storage.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(storage)
}

/// A NULL-terminated array of permanent C strings.
private func permanentCStringList(_ items: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
    let storage = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: items.count + 1)
    for (index, item) in items.enumerated() { storage[index] = permanentCString(item) }
    storage[items.count] = nil
    return UnsafePointer(storage)
}

private func makeDescriptor(_ plugin: any RulePlugin.Type) -> UnsafeRawPointer {
    let description = plugin.description
    let rules = UnsafeMutablePointer<check_rule_info>.allocate(capacity: max(1, description.rules.count))
    for (index, rule) in description.rules.enumerated() {
        rules[index] = check_rule_info(
            id: permanentCString(rule.id),
            title_zh: permanentCString(rule.title.zh), title_en: permanentCString(rule.title.en),
            description_zh: permanentCString(rule.description.zh), description_en: permanentCString(rule.description.en),
            citations: permanentCStringList(rule.citations))
    }
    let descriptor = UnsafeMutablePointer<check_plugin>.allocate(capacity: 1)
    descriptor.initialize(to: check_plugin(
        abi_version: CHECK_ABI_VERSION,
        struct_size: UInt32(MemoryLayout<check_plugin>.size),
        id: permanentCString(description.id),
        version: permanentCString(description.version),
        title_zh: permanentCString(description.title.zh),
        title_en: permanentCString(description.title.en),
        datasets: permanentCStringList(description.datasets),
        rule_count: UInt32(description.rules.count),
        // A RulePlugin is Sendable: the compiler has checked that `evaluate` may run on
        // several threads at once.
        flags: CHECK_PLUGIN_THREAD_SAFE,
        rules: UnsafePointer(rules),
        context: Unmanaged.passRetained(PluginTypeBox(plugin)).toOpaque(),
        open: { context, arguments, state in
            guard let context, let arguments, let state else { return 1 }
            let type = Unmanaged<PluginTypeBox>.fromOpaque(context).takeUnretainedValue().type
            do {
                let box = try PluginInstanceBox.open(type, ruleData: RuleDataFiles(arguments.pointee))
                state.pointee = Unmanaged.passRetained(box).toOpaque()
                return 0
            } catch {
                writeMessage(String(describing: error), into: arguments.pointee)
                return 1
            }
        },
        evaluate: { state, request, sink in
            guard let state, let request, let sink, let document = request.pointee.application,
                  let asOfText = request.pointee.as_of,
                  let asOf = Day(utf8: cStringBytes(asOfText))
            else { return 1 }
            let languages = MessageLanguages(requested: request.pointee.message_languages)
            var findings = Findings(sink: sink, languages: languages)
            let application = Application(JSONNode(document: document, index: 0))
            // The box is borrowed, not retained: `open` retained it for good (a retain and a
            // release per call, on one count that every evaluating thread writes, saved).
            return Unmanaged<PluginInstanceBox>.fromOpaque(state)._withUnsafeGuaranteedRef { plugin in
                do {
                    try MessageLanguages.withCurrent(languages) {
                        try plugin.evaluate(Request(application: application, asOf: asOf, messageLanguages: languages), into: &findings)
                    }
                    return 0
                } catch {
                    return 1
                }
            }
        }))
    return UnsafeRawPointer(descriptor)
}

private func writeMessage(_ message: String, into arguments: check_open_args) {
    guard let buffer = arguments.error, arguments.error_capacity > 0 else { return }
    // Cut at a scalar boundary so the C string stays valid UTF-8.
    var bytes: [UInt8] = []
    for scalar in message.unicodeScalars {
        let encoded = Array(String(scalar).utf8)
        guard bytes.count + encoded.count < arguments.error_capacity else { break }
        bytes.append(contentsOf: encoded)
    }
    bytes.append(0)
    buffer.withMemoryRebound(to: UInt8.self, capacity: bytes.count) { target in
        for (index, byte) in bytes.enumerated() { target[index] = byte }
    }
}
