import CCheckABI
import CheckAPI
import CheckJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The worker side of isolation: `check __worker PLUGIN-FILE --rules DIR... [--plugin-allowlist FILE]
/// [--message-languages BITS]`.
/// Loads one plugin, announces it (hello) or its refusal, then evaluates the applications it is
/// sent until its input ends. Anything the plugin prints goes to standard error: the protocol
/// uses a private copy of standard output.
public enum WorkerMain {
    /// Runs the worker; returns its exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        // Keep the protocol channel away from the plugin: fd 1 becomes stderr.
        let channel = dup(1)
        dup2(2, 1)
        var output = FileDescriptorWriter(channel)

        var rules: [URL] = []
        var allowlist: String? = nil
        var file: String? = nil
        var languages = MessageLanguages.both
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--rules" where index + 1 < arguments.count: rules.append(URL(fileURLWithPath: arguments[index + 1])); index += 1
            case "--plugin-allowlist" where index + 1 < arguments.count: allowlist = arguments[index + 1]; index += 1
            case "--message-languages" where index + 1 < arguments.count:
                guard let bits = UInt32(arguments[index + 1]) else { return 64 }
                languages = MessageLanguages(requested: bits); index += 1
            default: file = arguments[index]
            }
            index += 1
        }
        guard let file else { return 64 }

        let plugin: LoadedPlugin
        let book: RuleBook
        do {
            book = try RuleBook.load(roots: rules)
            let policy = try allowlist.map { try PluginPolicy(allowlistAt: $0) } ?? .default
            plugin = try PluginLoader.load(URL(fileURLWithPath: file), ruleBook: book, policy: policy)
        } catch let refusal as PluginRefusal {
            output.frame(WorkerProtocol.refused, Array(refusal.reason.utf8))
            return 0
        } catch {
            output.frame(WorkerProtocol.refused, Array("\(error)".utf8))
            return 0
        }
        output.frame(WorkerProtocol.hello, Array(PluginMetadata.encode(plugin.description, abi: plugin.abiVersion).utf8))
        guard output.flush() else { return 0 }

        var input = FileDescriptorReader(0)
        let recorder = EventRecorder()
        var sink = recordingSink
        sink.context = Unmanaged.passUnretained(recorder).toOpaque()
        // Reused for every application: its nodes, its text, and its as-of date as a C string
        // (sent as ten bytes, space-padded).
        var nodes: [check_node] = []
        var text: [UInt8] = []
        var day = [UInt8](repeating: 0, count: 11)
        while let magic = input.uint32() {
            guard magic == WorkerProtocol.request, let count = input.uint32() else { return 65 }
            for _ in 0..<count {
                guard let index = input.uint32(), day.withUnsafeMutableBytes({ input.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<10])) }),
                      let nodeCount = input.uint32(), let textLength = input.uint32(),
                      Int(nodeCount) * MemoryLayout<check_node>.stride + Int(textLength) < WorkerProtocol.maximumFrame else { return 65 }
                nodes.removeAll(keepingCapacity: true)
                nodes.append(contentsOf: repeatElement(check_node(), count: Int(nodeCount)))
                text.removeAll(keepingCapacity: true)
                text.append(contentsOf: repeatElement(0, count: Int(textLength)))
                guard nodes.withUnsafeMutableBytes({ input.read(into: $0) }), text.withUnsafeMutableBytes({ input.read(into: $0) }) else { return 65 }
                var dayLength = 10
                while dayLength > 0 && day[dayLength - 1] == 0x20 { dayLength -= 1 }
                day[dayLength] = 0
                recorder.bytes.removeAll(keepingCapacity: true)
                let status: Int32 = nodes.withUnsafeBufferPointer { nodeBuffer in
                    text.withUnsafeBufferPointer { textBuffer in
                        var document = check_document(nodes: nodeBuffer.baseAddress, node_count: nodeCount, reserved: 0,
                                                      text: textBuffer.baseAddress, text_length: UInt64(textLength))
                        return withUnsafePointer(to: &document) { documentPointer in
                            day.withUnsafeBufferPointer { dayText in
                                var request = check_request(struct_size: UInt32(MemoryLayout<check_request>.size),
                                                            message_languages: languages.rawValue, application: documentPointer,
                                                            as_of: UnsafeRawPointer(dayText.baseAddress!).assumingMemoryBound(to: CChar.self))
                                return plugin.descriptor.pointee.evaluate(plugin.state, &request, &sink)
                            }
                        }
                    }
                }
                output.write(WorkerProtocol.response)
                output.write(index)
                output.write(UInt32(bitPattern: status))
                output.write(UInt32(recorder.bytes.count))
                output.write(recorder.bytes)
                // One response per application, at once: the host's deadline is per application.
                guard output.flush() else { return 0 }
            }
        }
        return 0
    }
}

/// A plugin's metadata as JSON, for the hello frame.
enum PluginMetadata {
    static func encode(_ description: PluginDescription, abi: UInt32) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("id", description.id)
        writer.field("version", description.version)
        writer.field("abi", Int(abi))
        writer.field("titleZh", description.title.zh)
        writer.field("titleEn", description.title.en)
        writer.key("datasets")
        writer.beginArray()
        description.datasets.forEach { writer.string($0) }
        writer.endArray()
        writer.key("rules")
        writer.beginArray()
        for rule in description.rules {
            writer.beginObject()
            writer.field("id", rule.id)
            writer.field("titleZh", rule.title.zh)
            writer.field("titleEn", rule.title.en)
            writer.field("descriptionZh", rule.description.zh)
            writer.field("descriptionEn", rule.description.en)
            writer.key("citations")
            writer.beginArray()
            rule.citations.forEach { writer.string($0) }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func decode(_ bytes: [UInt8]) throws -> (PluginDescription, UInt32) {
        let document = try JSONReader.parse(bytes)
        return try document.withRoot { root throws -> (PluginDescription, UInt32) in
            var rules: [RuleDescription] = []
            for rule in try root.required("rules").asArray() {
                rules.append(RuleDescription(
                    id: try rule.required("id").asString(),
                    title: try Localized(zh: MessageText(try rule.required("titleZh").asString()), en: MessageText(try rule.required("titleEn").asString())),
                    description: try Localized(zh: MessageText(try rule.required("descriptionZh").asString()), en: MessageText(try rule.required("descriptionEn").asString())),
                    citations: try rule.required("citations").asStrings()))
            }
            let description = PluginDescription(
                id: try root.required("id").asString(), version: try root.required("version").asString(),
                title: try Localized(zh: MessageText(try root.required("titleZh").asString()), en: MessageText(try root.required("titleEn").asString())),
                datasets: try root.required("datasets").asStrings(), rules: rules)
            return (description, UInt32(try root.required("abi").asInteger()))
        }
    }
}

/// Buffered blocking writes to a file descriptor.
struct FileDescriptorWriter {
    let descriptor: Int32
    var buffer: [UInt8] = []

    init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    mutating func write(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    mutating func write(_ value: UInt32) { buffer.appendUInt32(value) }

    mutating func frame(_ magic: UInt32, _ payload: [UInt8]) {
        buffer.appendUInt32(magic)
        buffer.appendUInt32(UInt32(payload.count))
        buffer.append(contentsOf: payload)
        _ = flush()
    }

    /// Writes everything; false if the reader went away.
    mutating func flush() -> Bool {
        var offset = 0
        let ok = buffer.withUnsafeBytes { raw -> Bool in
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        buffer.removeAll(keepingCapacity: true)
        return ok
    }
}

/// Buffered blocking reads from a file descriptor.
struct FileDescriptorReader {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    /// The buffer every read goes through (allocated once, not zeroed per read).
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Copies the next `target.count` bytes into `target`; false at end of input.
    mutating func read(into target: UnsafeMutableRawBufferPointer) -> Bool {
        let count = target.count
        while buffer.count - start < count {
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let got = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<got])
        }
        buffer.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<start + count])) }
        start += count
        return true
    }

    /// The next little-endian 32-bit number, or nil at end of input.
    mutating func uint32() -> UInt32? {
        var value: UInt32 = 0
        guard withUnsafeMutableBytes(of: &value, { read(into: $0) }) else { return nil }
        return UInt32(littleEndian: value)
    }
}
