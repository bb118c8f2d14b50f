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
    /// The hidden command a worker process is started with (`check __worker …`).
    public static let command = "__worker"

    /// Runs the worker; returns its exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        CrashNotice.dieBySignalInWorker()
        // Keep the protocol channel away from the plugin: fd 1 becomes stderr. (Close-on-exec:
        // a program the plugin runs does not inherit it.)
        let channel = fcntl(1, F_DUPFD_CLOEXEC, 3)
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
        do {
            // The host has loaded and checked the rule data, and checks the plugin's citations
            // against it when this worker says hello: the worker reads only its plugin's datasets.
            let policy = try allowlist.map { try PluginPolicy(allowlistAt: $0) } ?? .default
            plugin = try PluginLoader.load(URL(fileURLWithPath: file), policy: policy, hasCitation: { _ in true },
                                           datasetFiles: { RuleBook.uncheckedFiles(of: $0, roots: rules) })
        } catch let refusal as PluginRefusal {
            output.frame(WorkerProtocol.refused, Array(refusal.reason.utf8))
            return 0
        } catch {
            output.frame(WorkerProtocol.refused, Array("\(error)".utf8))
            return 0
        }
        output.frame(WorkerProtocol.hello, Array(PluginMetadata.encode(plugin.description, abi: plugin.abiVersion).utf8))
        guard output.flush() else { return 0 }

        let input = FileDescriptorReader(0)
        let recorder = EventRecorder()
        var sink = recordingSink
        sink.context = Unmanaged.passUnretained(recorder).toOpaque()
        // The as-of date as a C string (sent space-padded), reused for every application.
        var day = [UInt8](repeating: 0, count: WorkerProtocol.dayLength + 1)
        while let magic = input.uint32() {
            guard magic == WorkerProtocol.request, let count = input.uint32() else { return 65 }
            for _ in 0..<count {
                // The application's parts are used where they were read: valid until the next read.
                // Its header: u32 index at 0, the date at 4, u32 node count and u32 text length after it.
                guard let header = input.next(WorkerProtocol.applicationHeader) else { return 65 }
                let index = header.loadUnaligned(as: UInt32.self).littleEndian
                let nodeCount = header.loadUnaligned(fromByteOffset: 4 + WorkerProtocol.dayLength, as: UInt32.self).littleEndian
                let textLength = Int(header.loadUnaligned(fromByteOffset: 8 + WorkerProtocol.dayLength, as: UInt32.self).littleEndian)
                var dayLength = WorkerProtocol.dayLength
                while dayLength > 0 && header[3 + dayLength] == 0x20 { dayLength -= 1 }
                day.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: header[4..<4 + dayLength])) }
                day[dayLength] = 0
                let nodeBytes = Int(nodeCount) * MemoryLayout<check_node>.stride
                guard nodeBytes + textLength < WorkerProtocol.maximumFrame,
                      let tape = input.next(nodeBytes + textLength + WorkerProtocol.padding(textLength)),
                      Int(bitPattern: tape.baseAddress) % MemoryLayout<check_node>.alignment == 0 else { return 65 }
                recorder.reset()
                var document = check_document(nodes: tape.baseAddress!.bindMemory(to: check_node.self, capacity: Int(nodeCount)), node_count: nodeCount,
                                              reserved: 0, text: tape.baseAddress!.advanced(by: nodeBytes).bindMemory(to: UInt8.self, capacity: textLength),
                                              text_length: UInt64(textLength))
                let status: Int32 = withUnsafePointer(to: &document) { documentPointer in
                    day.withUnsafeBufferPointer { dayText in
                        var request = check_request(struct_size: UInt32(MemoryLayout<check_request>.size),
                                                    message_languages: languages.rawValue, application: documentPointer,
                                                    as_of: UnsafeRawPointer(dayText.baseAddress!).assumingMemoryBound(to: CChar.self))
                        return plugin.descriptor.pointee.evaluate(plugin.state, &request, &sink)
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

/// Blocking reads from a file descriptor into one buffer, handed out in place: the bytes
/// asked for are read straight into it (no copy through a chunk), and a part that starts at a
/// multiple of 8 in the stream starts at a multiple of 8 in memory.
final class FileDescriptorReader {
    let descriptor: Int32
    private var storage: UnsafeMutableRawBufferPointer
    /// The unread bytes are `storage[start..<end]`.
    private var start = 0
    private var end = 0

    init(_ descriptor: Int32) {
        self.descriptor = descriptor
        storage = .allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// The next `count` bytes, valid until the next call; nil at end of input.
    func next(_ count: Int) -> UnsafeRawBufferPointer? {
        if end - start < count && storage.count - start < count {
            // Move the unread bytes to the front (keeping their offset modulo 16), growing the buffer if they would not fit.
            let keep = end - start, shift = start % 16
            let target = shift + count > storage.count ? .allocate(byteCount: max(storage.count * 2, shift + count), alignment: 16) : storage
            memmove(target.baseAddress! + shift, storage.baseAddress! + start, keep)
            if target.baseAddress != storage.baseAddress {
                storage.deallocate()
                storage = target
            }
            start = shift
            end = shift + keep
        }
        while end - start < count {
            let got = Glibc.read(descriptor, storage.baseAddress! + end, storage.count - end)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            end += got
        }
        defer { start += count }
        return UnsafeRawBufferPointer(rebasing: storage[start..<start + count])
    }

    /// The next little-endian 32-bit number, or nil at end of input.
    func uint32() -> UInt32? {
        next(4).map { $0.loadUnaligned(as: UInt32.self).littleEndian }
    }
}
