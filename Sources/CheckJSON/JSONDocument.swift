import CCheckABI

#if canImport(Glibc)
import Glibc
#endif

/// A parsed JSON document in the tape layout of the plugin ABI (`check_document`): one
/// ``check_node`` per value in document order, and a text buffer holding the source bytes
/// followed by any string that needed unescaping.
///
/// The host parses each application once into a `JSONDocument` and hands plugins a
/// `check_document` pointing into it, so no plugin parses JSON.
public struct JSONDocument: Sendable {
    /// The values, root first; see `check_node` for the layout.
    public internal(set) var nodes: [check_node]
    /// The source bytes, then the unescaped copies of strings that contained escapes.
    public internal(set) var text: [UInt8]
    /// How many bytes at the start of `text` are the source.
    public internal(set) var sourceLength: Int
    /// The string values (node indices) that trimming and NFKC could change, as the reader
    /// found them; every other string value is already normalised. Nil when not known (a
    /// document built by other means, or one already normalised): then every string must be
    /// looked at. (Taken, not kept: every copy of a document retains each array it holds, and
    /// documents are copied per finding.)
    public internal(set) var stringsToNormalize: [UInt32]? = nil

    /// ``stringsToNormalize``, leaving nil in its place.
    public mutating func takeStringsToNormalize() -> [UInt32]? {
        defer { stringsToNormalize = nil }
        return stringsToNormalize
    }

    /// An empty document, ready for ``JSONReader/parse(_:into:limits:)``.
    public init() {
        nodes = []
        text = []
        sourceLength = 0
    }

    /// A document built by other means (e.g. from another parser): `nodes` in tape order,
    /// `text` holding every string and number text they point to.
    public init(nodes: [check_node], text: [UInt8]) {
        self.nodes = nodes
        self.text = text
        sourceLength = 0
    }

    /// A copy of `document` (a plugin keeping rule data it was handed for `open` only).
    public init(copying document: UnsafePointer<check_document>) {
        let source = document.pointee
        // (Copied whole, not element by element: a catalogue is tens of thousands of nodes.)
        func copy<Element>(_ start: UnsafePointer<Element>?, _ count: Int) -> [Element] {
            guard let start, count > 0 else { return [] }
            return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
                memcpy(buffer.baseAddress!, start, count * MemoryLayout<Element>.stride)
                initialized = count
            }
        }
        nodes = copy(source.nodes, Int(source.node_count))
        text = copy(source.text, Int(source.text_length))
        sourceLength = text.count
    }

    /// Makes room for `count` more bytes of text (before several ``replaceString(ofNode:with:)``).
    public mutating func reserveText(_ count: Int) {
        text.reserveCapacity(text.count + count)
    }

    /// Rewrites string node `index` where it is: `body` gets the string's bytes (its own, no
    /// other node's) and returns the new length, at most the old, the new value being the bytes
    /// before it; or nil to leave the string as it was.
    public mutating func shortenString(ofNode index: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int?) {
        let node = nodes[index]
        precondition(node.kind == CHECK_STRING.rawValue)
        let length: Int? = text.withUnsafeMutableBufferPointer { text in
            body(UnsafeMutableBufferPointer(rebasing: text[Int(node.text_offset)..<Int(node.text_offset) + Int(node.text_length)]))
        }
        if let length {
            precondition(length <= Int(node.text_length))
            nodes[index].text_length = UInt32(length)
        }
    }

    /// Points string node `index` at a copy of `bytes` appended to the text buffer (the source
    /// bytes are not touched), as the reader does for a string that needed unescaping.
    public mutating func replaceString(ofNode index: Int, with bytes: some Collection<UInt8>) {
        precondition(nodes[index].kind == CHECK_STRING.rawValue && text.count + bytes.count < Int(UInt32.max))
        nodes[index].text_offset = UInt32(text.count)
        nodes[index].text_length = UInt32(bytes.count)
        text.append(contentsOf: bytes)
    }

    /// Calls `body` with a `check_document` describing this document, valid for the call.
    /// (Inlinable: called from another module unspecialized, it had the caller retain and
    /// release both buffers around every call.)
    @inlinable public func withCDocument<R>(_ body: (UnsafePointer<check_document>) throws -> R) rethrows -> R {
        try nodes.withUnsafeBufferPointer { nodeBuffer in
            try text.withUnsafeBufferPointer { textBuffer in
                var document = check_document(
                    nodes: nodeBuffer.baseAddress, node_count: UInt32(nodeBuffer.count), reserved: 0,
                    text: textBuffer.baseAddress, text_length: UInt64(textBuffer.count))
                return try withUnsafePointer(to: &document) { try body($0) }
            }
        }
    }

    /// Calls `body` with a view of the root value, valid for the call.
    public func withRoot<R>(_ body: (JSONNode) throws -> R) rethrows -> R {
        try withCDocument { try body(JSONNode(document: $0, index: 0)) }
    }
}
