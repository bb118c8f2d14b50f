import CCheckABI
import CHostSystem
import CheckJSON
import Glibc

/// The applications of a batch as in-process plugins other than check's own see them (see
/// ``PluginHandle/isBuiltIn``): copied (the `check_document`s,
/// then every document's nodes and text) into shared memory mapped twice, once writable for
/// the host and once read-only, and handed to plugins through the read-only view only; so a
/// plugin casting away `const` cannot change what the next plugin, or the host, reads (SPEC
/// §9). A write faults, and the crash notice names the plugin. The pointers in the documents
/// point into the read-only view. One per evaluator (one thread); the mapping is kept batch
/// after batch and grows when a batch needs more. (Toggling one mapping with `mprotect` cost
/// two system calls per batch and, with several threads, a TLB shootdown on every core each
/// time: 7 % of a two-thread run.)
final class ReadOnlyApplications {
    private var writable: UnsafeMutableRawPointer?
    private var readable: UnsafeRawPointer?
    private var capacity = 0

    deinit { unmap() }

    /// Copies `documents` in and returns the first of their `check_document`s in the read-only
    /// view (document `i` is at `+ i`), valid until the next `seal`.
    func seal(_ documents: [JSONDocument]) -> UnsafePointer<check_document> {
        let headerBytes = align(MemoryLayout<check_document>.stride * max(documents.count, 1))
        var needed = headerBytes
        for document in documents {
            needed += align(MemoryLayout<check_node>.stride * document.nodes.count) + align(document.text.count)
        }
        if needed > capacity { map(atLeast: needed) }
        let writable = writable!, readable = readable!
        let headers = writable.bindMemory(to: check_document.self, capacity: max(documents.count, 1))
        var offset = headerBytes
        for (index, document) in documents.enumerated() {
            let nodesOffset = offset
            document.nodes.withUnsafeBytes { source in
                if let address = source.baseAddress { (writable + nodesOffset).copyMemory(from: address, byteCount: source.count) }
            }
            offset += align(MemoryLayout<check_node>.stride * document.nodes.count)
            let textOffset = offset
            document.text.withUnsafeBytes { source in
                if let address = source.baseAddress { (writable + textOffset).copyMemory(from: address, byteCount: source.count) }
            }
            offset += align(document.text.count)
            (headers + index).initialize(to: check_document(
                nodes: (readable + nodesOffset).assumingMemoryBound(to: check_node.self), node_count: UInt32(document.nodes.count), reserved: 0,
                text: (readable + textOffset).assumingMemoryBound(to: UInt8.self), text_length: UInt64(document.text.count)))
        }
        return readable.assumingMemoryBound(to: check_document.self)
    }

    /// Replaces the mapping with one of at least `bytes` (whole pages, at least 1 MiB, doubling).
    private func map(atLeast bytes: Int) {
        unmap()
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = (max(bytes, capacity * 2, 1 << 20) + page - 1) / page * page
        var write: UnsafeMutableRawPointer?
        var read: UnsafeRawPointer?
        guard check_map_twice(size, &write, &read) == 0 else {
            fatalError("ReadOnlyApplications: cannot map \(size) bytes of shared memory (errno \(errno))")
        }
        writable = write
        readable = read
        capacity = size
        check_crash_scene_read_only(read, size)
    }

    private func unmap() {
        if let writable { munmap(writable, capacity) }
        if let readable { munmap(UnsafeMutableRawPointer(mutating: readable), capacity) }
        writable = nil
        readable = nil
    }

    private func align(_ bytes: Int) -> Int { (bytes + 15) & ~15 }
}
