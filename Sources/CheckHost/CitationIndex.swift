@_spi(CheckHost) import CheckAPI
import CheckJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Every citable clause of the rule data, by id: seed clauses, dataset citations and catalogue
/// items. Looked up by the bytes of an id as a plugin passes it (no string is made and no
/// SipHash computed for each of the dozen citations a finding carries), and built without one:
/// hashing a `String` that holds Chinese (`…#山西省/13`) normalises it first, and an imported
/// catalogue brings thousands of such ids to every start.
public final class CitationIndex: Sendable {
    private let slots: [Int32]
    /// 64 − log2(slots): a hash's top bits choose its slot.
    private let shift: Int
    private let ids: PackedBytes
    private let entries: [Entry]
    /// The compact report JSON of the resolved entries (empty for catalogue items).
    private let compactJSON: PackedBytes
    /// Catalogue items' citations and report JSON made so far, by position.
    private let madeItems = Mutex<[Int32: (citation: ResolvedCitation, json: [UInt8])]>([:])

    /// A citation as held: resolved, or a catalogue item's, made when first wanted (a catalogue
    /// has thousands of items, checked at start; a report quotes a few).
    enum Entry: Sendable {
        case resolved(ResolvedCitation)
        case item(ItemCitationSource)
    }

    /// An index of no citations (what an error finding, which cites none, refers to).
    static let empty = CitationIndex.make([]).index

    /// An index of `citations` (ids as UTF-8), in the order given, and the positions (in
    /// `citations`, ascending) of those left out because an earlier one has the same id.
    static func make(_ citations: [(id: [UInt8], entry: Entry)]) -> (index: CitationIndex, repeated: [Int]) {
        var size = 16, shift = 60
        while size < citations.count * 2 { size *= 2; shift -= 1 }
        var slots = [Int32](repeating: -1, count: size)
        // (The ids apart: reading a whole element copies its entry, a few reference counts each.)
        let ids = citations.map(\.id)
        var kept: [Int] = [], repeated: [Int] = []
        kept.reserveCapacity(ids.count)
        for position in ids.indices {
            let found: Bool = ids[position].withUnsafeBufferPointer { id in
                var slot = CitationIndex.slot(of: id, shift: shift)
                while slots[slot] >= 0 {
                    if ids[kept[Int(slots[slot])]].withUnsafeBufferPointer({ bytesEqual($0, id) }) { return true }
                    slot = (slot + 1) & (size - 1)
                }
                slots[slot] = Int32(kept.count)
                return false
            }
            if found { repeated.append(position) } else { kept.append(position) }
        }
        let index = CitationIndex(ids: PackedBytes(kept.lazy.map { ids[$0] }), entries: kept.map { citations[$0].entry }, slots: slots, shift: shift)
        return (index, repeated)
    }

    private init(ids: PackedBytes, entries: [Entry], slots: [Int32], shift: Int) {
        self.ids = ids
        self.entries = entries
        compactJSON = PackedBytes(entries.lazy.map { entry in
            guard case .resolved(let citation) = entry else { return [] }
            return citation.writeCompactJSON()
        })
        self.slots = slots
        self.shift = shift
    }

    /// The number of citations.
    public var count: Int { entries.count }

    /// Every citation, in the order the rule data gives them (each catalogue item's made now).
    public var all: [ResolvedCitation] { entries.indices.map { entry(Int32($0)) } }

    /// The citation whose id is `id`, if any.
    public subscript(id: String) -> ResolvedCitation? {
        var id = id
        return id.withUTF8 { position(of: $0) }.map(entry)
    }

    /// The slot of `bytes`: the top bits of their hash.
    @inline(__always) private static func slot(of bytes: UnsafeBufferPointer<UInt8>, shift: Int) -> Int {
        Int(truncatingIfNeeded: bytesHash(bytes) >> UInt64(shift))
    }

    /// The position of the citation whose id is `id` (UTF-8 bytes), or nil.
    func position(of id: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slots.count - 1
        var slot = CitationIndex.slot(of: id, shift: shift)
        while case let position = slots[slot], position >= 0 {
            if ids.item(Int(position), is: id) { return position }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The citation at `position`.
    func entry(_ position: Int32) -> ResolvedCitation {
        switch entries[Int(position)] {
        case .resolved(let citation): citation
        case .item(let source): madeItem(position, source).citation
        }
    }

    /// Writes the report JSON of the citation at `position` into a compact writer.
    func writeCompact(_ position: Int32, to writer: inout JSONWriter) {
        switch entries[Int(position)] {
        case .resolved: compactJSON.withItem(Int(position)) { writer.raw($0) }
        case .item(let source): madeItem(position, source).json.withUnsafeBufferPointer { writer.raw($0) }
        }
    }

    private func madeItem(_ position: Int32, _ source: ItemCitationSource) -> (citation: ResolvedCitation, json: [UInt8]) {
        madeItems.withLock { made in
            if let known = made[position] { return known }
            let citation = source.resolve()
            let entry = (citation, citation.writeCompactJSON())
            made[position] = entry
            return entry
        }
    }
}

/// An edition whose items' citations are made when first wanted: the edition, its document,
/// and its parsed file (its storage shared with the rule book's, not copied).
final class ItemCitations: Sendable {
    let edition: Edition
    let document: PolicyDocument
    let file: JSONDocument

    init(edition: Edition, document: PolicyDocument, file: JSONDocument) {
        self.edition = edition
        self.document = document
        self.file = file
    }
}

/// Where a catalogue item's citation is made from when first wanted: the item's object in its
/// parsed edition file, checked at load (``RuleBook``).
struct ItemCitationSource: Sendable {
    let items: ItemCitations
    let node: UInt32
    let position: Int

    /// The item's citation, as `RuleBook` would have made it at load.
    func resolve() -> ResolvedCitation {
        let edition = items.edition
        return items.file.withCDocument { pointer in
            // (The same decoder checked this node at load, and the document cannot change.)
            guard let item = try? CatalogueItem(JSONNode(document: pointer, index: node), at: position, of: edition) else {
                preconditionFailure("item \(position) of \(edition.file) was checked at load and no longer decodes")
            }
            let citation = Citation(id: item.citationID, documentID: edition.documentID, clause: edition.clause(of: item),
                                    quote: item.text, textStatus: item.textStatus, path: item.path + ".text")
            return ResolvedCitation(id: citation.id, citation: citation, document: items.document)
        }
    }
}
