import CCheckABI
import CHostSystem
import CheckJSON
import Glibc

/// The applications of a batch as in-process plugins see them: copied into pages of their own
/// (the `check_document`s, then every document's nodes and text) and made read-only while
/// plugin code runs, so that a plugin casting away `const` cannot change what the next plugin,
/// or the host, reads (SPEC §9). A write faults, and the crash notice names the plugin. One per
/// evaluator (one thread); the pages are reused batch after batch, two `mprotect`s per batch.
final class ReadOnlyApplications {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0

    deinit {
        if let base { munmap(base, capacity) }
    }

    /// Copies `documents` into the pages, makes them read-only and returns the first of their
    /// `check_document`s (document `i` is at `+ i`), valid until the next `seal`.
    func seal(_ documents: [JSONDocument]) -> UnsafePointer<check_document> {
        let headerBytes = align(MemoryLayout<check_document>.stride * max(documents.count, 1))
        var needed = headerBytes
        for document in documents {
            needed += align(MemoryLayout<check_node>.stride * document.nodes.count) + align(document.text.count)
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        needed = (needed + page - 1) / page * page
        if needed > capacity {
            if let base { munmap(base, capacity) }
            let size = max(needed, capacity * 2, 64 * 1024)
            guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED else {
                fatalError("ReadOnlyApplications: mmap of \(size) bytes failed")
            }
            base = mapped
            capacity = size
        } else {
            mprotect(base, capacity, PROT_READ | PROT_WRITE)
        }
        let base = base!
        let headers = base.bindMemory(to: check_document.self, capacity: max(documents.count, 1))
        var offset = headerBytes
        for (index, document) in documents.enumerated() {
            let nodes = (base + offset).bindMemory(to: check_node.self, capacity: max(document.nodes.count, 1))
            document.nodes.withUnsafeBufferPointer { source in
                if let address = source.baseAddress { nodes.initialize(from: address, count: source.count) }
            }
            offset += align(MemoryLayout<check_node>.stride * document.nodes.count)
            let text = (base + offset).bindMemory(to: UInt8.self, capacity: max(document.text.count, 1))
            document.text.withUnsafeBufferPointer { source in
                if let address = source.baseAddress { text.initialize(from: address, count: source.count) }
            }
            offset += align(document.text.count)
            (headers + index).initialize(to: check_document(nodes: nodes, node_count: UInt32(document.nodes.count), reserved: 0,
                                                          text: text, text_length: UInt64(document.text.count)))
        }
        guard mprotect(base, capacity, PROT_READ) == 0 else { fatalError("ReadOnlyApplications: mprotect failed (errno \(errno))") }
        check_crash_scene_read_only(base, capacity)
        return UnsafePointer(headers)
    }

    private func align(_ bytes: Int) -> Int { (bytes + 15) & ~15 }
}
