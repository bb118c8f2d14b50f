#if canImport(Glibc)
import Glibc
#endif

/// The two-character terms of a Chinese text, the unit in which a project's own words are
/// compared with a catalogue item's wording (SPEC §5.2): Chinese has no spaces between words,
/// and two characters is the length of most of its words, so `核磁共振波谱仪` and
/// `高场超导核磁共振波谱仪研发` share `核磁`, `磁共`, `共振`, `振波`, `波谱`, `谱仪`.
///
/// What must stay true, for every caller (items at load time, applications per evaluation):
/// - a *unit* is a CJK character or a run of ASCII letters and digits (lower-cased; full-width
///   forms count as ASCII), so `400G` and `ECMO` are one unit each;
/// - a *term* is two units next to each other, or one ASCII run of two or more characters;
/// - punctuation, brackets and the joining characters 的、和、及、与、或、等 separate phrases
///   (no term spans them); spaces do not (the transcriptions print `线宽 28 纳米`);
/// - text inside an exclusion (``Exclusions``: `不含…`, `…除外`) gives no terms.
public enum ItemTerms {
    /// A term's key: two units, high then low 32 bits (`lone` in the low half for a lone ASCII run).
    public typealias Key = UInt64
    /// The low half of the key of a term that is a single ASCII run.
    static let lone: UInt64 = 0xFFFF_FFFF

    /// The terms of UTF-8 `text` outside `exclusions`, each with the byte range it covers,
    /// in text order (repeats kept).
    public static func terms(of text: UnsafeBufferPointer<UInt8>, exclusions: Exclusions = .none) -> [(key: Key, bytes: Range<Int>)] {
        var terms: [(key: Key, bytes: Range<Int>)] = []
        forEachTerm(in: text, exclusions: exclusions) { terms.append(($0, $1)) }
        return terms
    }

    /// Appends the keys of the terms of UTF-8 `text` outside its exclusions to `keys`.
    public static func appendKeys(of text: UnsafeBufferPointer<UInt8>, to keys: inout [Key]) {
        forEachTerm(in: text, exclusions: Exclusions(in: text)) { key, _ in keys.append(key) }
    }

    /// Calls `body` with each term of `text` (outside `exclusions`) and the bytes it covers.
    public static func forEachTerm(in text: UnsafeBufferPointer<UInt8>, exclusions: Exclusions, _ body: (Key, Range<Int>) -> Void) {
        var previous: UInt32? = nil      // the unit before, in the same phrase
        var previousStart = 0
        var run: UInt32 = 0x811C_9DC5    // FNV-1a of the ASCII run being read
        var runStart = -1, runLength = 0
        let checkExclusions = !exclusions.spans.isEmpty

        func endRun(at end: Int) {
            guard runStart >= 0 else { return }
            let unit = 0x8000_0000 | (run & 0x7FFF_FFFF)
            if runLength >= 2 { body(UInt64(unit) << 32 | lone, runStart..<end) }
            if let previous { body(UInt64(previous) << 32 | UInt64(unit), previousStart..<end) }
            previous = unit
            previousStart = runStart
            runStart = -1
        }
        var index = 0
        let count = text.count
        while index < count {
            let byte = text[index]
            var scalar: UInt32
            var length = 1
            if byte < 0x80 {
                scalar = UInt32(byte)
            } else if byte & 0xE0 == 0xC0, index + 1 < count {
                scalar = UInt32(byte & 0x1F) << 6 | UInt32(text[index + 1] & 0x3F)
                length = 2
            } else if byte & 0xF0 == 0xE0, index + 2 < count {
                scalar = UInt32(byte & 0x0F) << 12 | UInt32(text[index + 1] & 0x3F) << 6 | UInt32(text[index + 2] & 0x3F)
                length = 3
            } else if byte & 0xF8 == 0xF0, index + 3 < count {
                scalar = UInt32(byte & 0x07) << 18 | UInt32(text[index + 1] & 0x3F) << 12 | UInt32(text[index + 2] & 0x3F) << 6 | UInt32(text[index + 3] & 0x3F)
                length = 4
            } else {
                scalar = 0xFFFD
            }
            // Full-width ASCII letters and digits are their ASCII selves.
            if scalar >= 0xFF10 && scalar <= 0xFF5A, let ascii = fullWidthASCII(scalar) { scalar = ascii }
            let excluded = checkExclusions && exclusions.contains(index..<index + length)
            if excluded {
                endRun(at: index)
                previous = nil
            } else if scalar < 0x80 {
                var lower = scalar
                if lower >= 0x41 && lower <= 0x5A { lower |= 0x20 }
                if (lower >= 0x30 && lower <= 0x39) || (lower >= 0x61 && lower <= 0x7A) {
                    if runStart < 0 { runStart = index; run = 0x811C_9DC5; runLength = 0 }
                    run = (run ^ lower) &* 0x0100_0193
                    runLength += 1
                } else if lower == 0x20 || lower == 0x09 {
                    endRun(at: index)
                } else {
                    endRun(at: index)
                    previous = nil
                }
            } else if scalar == 0x3000 {
                endRun(at: index)
            } else if (scalar >= 0x4E00 && scalar <= 0x9FFF) || (scalar >= 0x3400 && scalar <= 0x4DBF), !isJoining(scalar) {
                endRun(at: index)
                if let previous { body(UInt64(previous) << 32 | UInt64(scalar), previousStart..<index + length) }
                previous = scalar
                previousStart = index
            } else {
                endRun(at: index)
                previous = nil
            }
            index += length
        }
        endRun(at: count)
    }

    /// 的 和 及 与 或 等: words that join the parts of a list, never part of a term here.
    static func isJoining(_ scalar: UInt32) -> Bool {
        scalar == 0x7684 || scalar == 0x548C || scalar == 0x53CA || scalar == 0x4E0E || scalar == 0x6216 || scalar == 0x7B49
    }

    static func fullWidthASCII(_ scalar: UInt32) -> UInt32? {
        switch scalar {
        case 0xFF10...0xFF19, 0xFF21...0xFF3A, 0xFF41...0xFF5A: scalar - 0xFF10 + 0x30
        default: nil
        }
    }
}

/// The sector a catalogue item belongs to by its heading: a GB/T 4754-2017 门类 letter, with a
/// 大类 division where the heading names one (制造业 items are listed under their 大类).
public struct ItemSector: Sendable, Equatable {
    /// The 门类 letter, e.g. `C`.
    public let section: UInt8
    /// The 大类 division (two digits as a number), or nil for the whole 门类.
    public let division: UInt8?

    /// The sector a code such as `C27` or `A` names, if it is one.
    public init?(code: String) {
        self.init(bytes: Array(code.utf8))
    }

    /// The 大类 (or 门类) an industry code such as `C2710` lies in, if it is a code.
    public init?(industryCode node: JSONNode) {
        self.init(bytes: node.stringBytes)
    }

    private init?<Bytes: RandomAccessCollection>(bytes: Bytes) where Bytes.Element == UInt8, Bytes.Index == Int {
        guard let first = bytes.first, first >= 0x41, first <= 0x5A else { return nil }
        section = first
        let start = bytes.startIndex
        if bytes.count >= 3, bytes[start + 1] >= 0x30, bytes[start + 1] <= 0x39, bytes[start + 2] >= 0x30, bytes[start + 2] <= 0x39 {
            division = (bytes[start + 1] - 0x30) * 10 + (bytes[start + 2] - 0x30)
        } else if bytes.count == 1 {
            division = nil
        } else {
            return nil
        }
    }

    /// Whether `sector` (a project's, from its industry code) lies in this sector.
    public func contains(_ sector: ItemSector) -> Bool {
        section == sector.section && (division == nil || division == sector.division)
    }

    /// Whether the industry code `node` (e.g. `C2710`) lies in this sector.
    public func contains(_ node: JSONNode) -> Bool {
        let code = node.stringBytes
        guard code.count >= 1, code[0] == section else { return false }
        guard let division else { return true }
        return code.count >= 3 && code[1] >= 0x30 && code[1] <= 0x39 && code[2] >= 0x30 && code[2] <= 0x39
            && (code[1] - 0x30) * 10 + (code[2] - 0x30) == division
    }

    /// `C27`, `A`.
    public var code: String {
        String(UnicodeScalar(section)) + (division.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "")
    }
}

/// Distinct term keys, numbered in the order inserted, found by key in an open-addressing table:
/// a `Dictionary` lookup costs several times more, and an application's texts are looked up
/// term by term. (Shared by ``ItemTermIndex`` and ``PhraseMatcher``.)
struct TermTable: Sendable {
    /// The key in each slot, and its number (-1: the slot is empty).
    private var keys: [ItemTerms.Key], numbers: [Int32]
    /// How many keys it holds; their numbers are 0..<count, in the order they were inserted.
    private(set) var count = 0

    /// An empty table with room for about `expected` keys (it grows past that).
    init(expected: Int = 8) {
        var capacity = 16
        while capacity < expected * 2 { capacity <<= 1 }
        keys = [ItemTerms.Key](repeating: 0, count: capacity)
        numbers = [Int32](repeating: -1, count: capacity)
    }

    /// The slot of `key` in a table of `capacity` slots (a power of two).
    @inline(__always) static func slot(of key: ItemTerms.Key, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & (capacity - 1)
    }

    /// The number of `key`: its own if it is held, else the next, given to it now (`isNew`).
    /// The table doubles at half full: a probe must always reach an empty slot.
    @inline(__always) mutating func insert(_ key: ItemTerms.Key) -> (number: Int32, isNew: Bool) {
        let mask = keys.count - 1
        var slot = TermTable.slot(of: key, capacity: keys.count)
        while numbers[slot] >= 0 {
            if keys[slot] == key { return (numbers[slot], false) }
            slot = (slot + 1) & mask
        }
        let number = Int32(count)
        (keys[slot], numbers[slot]) = (key, number)
        count += 1
        if count * 2 > keys.count { grow() }
        return (number, true)
    }

    /// Twice the slots, every key placed again with its number.
    private mutating func grow() {
        let (oldKeys, oldNumbers) = (keys, numbers)
        let capacity = keys.count * 2
        keys = [ItemTerms.Key](repeating: 0, count: capacity)
        numbers = [Int32](repeating: -1, count: capacity)
        for (key, number) in zip(oldKeys, oldNumbers) where number >= 0 {
            var slot = TermTable.slot(of: key, capacity: capacity)
            while numbers[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            (keys[slot], numbers[slot]) = (key, number)
        }
    }

    /// The number of `key`, or nil if it is not in the table.
    @inline(__always) func number(of key: ItemTerms.Key) -> Int32? {
        keys.withUnsafeBufferPointer { keys in
            numbers.withUnsafeBufferPointer { numbers in
                let mask = keys.count - 1
                var slot = TermTable.slot(of: key, capacity: keys.count)
                while true {
                    let number = numbers[slot]
                    if number < 0 { return nil }
                    if keys[slot] == key { return number }
                    slot = (slot + 1) & mask
                }
            }
        }
    }
}

/// A list of members per group, all in one array (`members[start(g)..<start(g + 1)]`), each
/// group's members in the order they were given. (The term index's items per term; the phrase
/// matcher's phrases per first term.)
struct GroupedIndices: Sendable {
    private let starts: [Int32], members: [Int32]

    /// `groupCount` groups holding the members of `pairs`.
    init(groupCount: Int, _ pairs: [(group: Int32, member: Int32)]) {
        var starts = [Int32](repeating: 0, count: groupCount + 1)
        for pair in pairs { starts[Int(pair.group) + 1] += 1 }
        for group in 0..<groupCount { starts[group + 1] += starts[group] }
        var fill = starts
        var members = [Int32](repeating: 0, count: pairs.count)
        for pair in pairs {
            members[Int(fill[Int(pair.group)])] = pair.member
            fill[Int(pair.group)] += 1
        }
        (self.starts, self.members) = (starts, members)
    }

    /// Calls `body` with each member of `group`, in order.
    @inline(__always) func forEach(in group: Int32, _ body: (Int32) -> Void) {
        members.withUnsafeBufferPointer { members in
            for position in Int(starts[Int(group)])..<Int(starts[Int(group) + 1]) { body(members[position]) }
        }
    }
}

/// The texts of a catalogue's items, indexed by their terms (``ItemTerms``): which items a
/// project's words fit best (suggestions), and which of one item's words a project shares (a
/// claim). A term's weight is its rarity among the items (inverse document frequency), so the
/// words every item uses (`生产`, `制造`, `开发`, `设备`) count for almost nothing and no list
/// of common words has to be kept.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
public final class ItemTermIndex: Sendable {
    /// How many item texts are indexed.
    public let count: Int
    /// The terms, numbered.
    let terms: TermTable
    /// Per term: its weight, whether it is common enough to leave out of ranking (in more than
    /// one item in ten: 生产, 制造, 开发 — a long list of items each, for a small weight), whether
    /// it is rare enough to decide a match, and its items.
    let weights: [Float], common: [Bool], informative: [Bool], postings: GroupedIndices
    /// Per item, 1 / √(sum of its terms' weights): a long item does not win by length alone.
    let norms: [Float]

    /// Words that say how a project is organised, not what it makes or does (`…生产项目`,
    /// `…有限公司`, `…研发基地`): never rare enough to decide, however few items use them.
    static let organisational: [String] = ["项目", "公司", "有限", "基地", "中心", "园区", "产业"]

    /// An index of `texts` (each with its exclusions, whose words give no terms).
    public init(_ texts: [String]) {
        count = texts.count
        // One pass over the items' terms: each term numbered on first sight in the term table,
        // counted once per item that uses it (sorting every item's terms, then all of them, to
        // count was most of building the index). Sized for the terms Chinese text can hold, a
        // third of its bytes (about twice the distinct ones).
        var table = TermTable(expected: texts.reduce(0) { $0 + $1.utf8.count } / 6)
        var termKeys: [ItemTerms.Key] = [], used: [Int32] = [], lastItem: [Int32] = []
        var pairs: [(group: Int32, member: Int32)] = []   // (term, item), in item order
        var keys: [ItemTerms.Key] = []
        keys.reserveCapacity(256)
        for (item, text) in texts.enumerated() {
            keys.removeAll(keepingCapacity: true)
            var copy = text
            copy.withUTF8 { ItemTerms.appendKeys(of: $0, to: &keys) }
            for key in keys {
                let (number, isNew) = table.insert(key)
                if isNew {
                    termKeys.append(key)
                    used.append(0)
                    lastItem.append(-1)
                }
                guard lastItem[Int(number)] != Int32(item) else { continue }
                lastItem[Int(number)] = Int32(item)
                used[Int(number)] += 1
                pairs.append((number, Int32(item)))
            }
        }
        let items = Float(max(texts.count, 1))
        // A term names a thing, rather than an activity every item has, if few items use it:
        // at most one item in sixty (ten of the 619 national items), and never fewer than two.
        let rare = max(2, texts.count / 60)
        var ignored: [ItemTerms.Key] = []
        for word in Self.organisational {
            var copy = word
            copy.withUTF8 { ItemTerms.forEachTerm(in: $0, exclusions: .none) { key, _ in ignored.append(key) } }
        }
        let weights = used.map { logf(items / Float($0)) }
        informative = zip(termKeys, used).map { key, used in Int(used) <= rare && !ignored.contains(key) }
        common = used.map { Int($0) * 10 > texts.count }
        postings = GroupedIndices(groupCount: termKeys.count, pairs)
        // (Summed in double precision: the sum does not depend on the order of an item's terms.)
        var totals = [Double](repeating: 0, count: texts.count)
        for pair in pairs { totals[Int(pair.member)] += Double(weights[Int(pair.group)]) }
        norms = totals.map { $0 > 0 ? Float(1 / $0.squareRoot()) : 0 }
        (self.terms, self.weights) = (table, weights)
    }

    /// The distinct term keys of an application's texts (name, business scope, products),
    /// outside their exclusions, sorted: computed once per application, for ``rank(_:limit:sector:)``
    /// and ``shared(item:with:texts:)``.
    public static func keys(of texts: [JSONNode]) -> [ItemTerms.Key] {
        var keys: [ItemTerms.Key] = []
        keys.reserveCapacity(64)
        for text in texts { ItemTerms.appendKeys(of: text.stringBytes, to: &keys) }
        return sortedUnique(keys)
    }

    /// `keys` sorted, each once. The repeats (a third of a project's terms) are dropped first,
    /// through a table on the stack, so that fewer are sorted. (0 is never a key: a unit is never 0.)
    static func sortedUnique(_ keys: [ItemTerms.Key]) -> [ItemTerms.Key] {
        var capacity = 64
        while capacity < keys.count * 2 { capacity <<= 1 }
        var unique: [ItemTerms.Key] = []
        unique.reserveCapacity(keys.count)
        withUnsafeTemporaryAllocation(of: ItemTerms.Key.self, capacity: capacity) { table in
            table.initialize(repeating: 0)
            for key in keys {
                var slot = TermTable.slot(of: key, capacity: capacity)
                while table[slot] != 0 && table[slot] != key { slot = (slot + 1) & (capacity - 1) }
                guard table[slot] == 0 else { continue }
                table[slot] = key
                unique.append(key)
            }
        }
        unique.sort()
        return unique
    }

    /// One ranked item.
    public struct Ranked: Sendable, Equatable {
        /// The item's position in the indexed texts.
        public let item: Int
        /// Whether the project's industry lies in the item's sector.
        public let sameSector: Bool
        /// Whether a rare term of the item (a thing, not an activity) is among the project's.
        public let sharesThing: Bool
    }

    /// The at most `limit` items whose terms best fit `keys` (see ``keys(of:)``), best first:
    /// the shared terms' weights summed, over the item's size; doubled where `sameSector` says
    /// the project's industry lies in the item's sector. Only items within the project's sector,
    /// or sharing two rare terms with it, are ranked. Ties go to the earlier item.
    public func rank(_ keys: [ItemTerms.Key], limit: Int, sameSector: (Int) -> Bool) -> [Ranked] {
        guard count > 0, !keys.isEmpty else { return [] }
        var scores = [Float](repeating: 0, count: count)
        var things = [UInt8](repeating: 0, count: count)   // rare terms shared, up to 2
        var touched: [Int32] = []
        touched.reserveCapacity(128)
        for key in keys {
            guard let term = terms.number(of: key), !common[Int(term)] else { continue }
            let weight = weights[Int(term)], rare = informative[Int(term)]
            postings.forEach(in: term) { member in
                let item = Int(member)
                if scores[item] == 0 { touched.append(member) }
                scores[item] += weight
                if rare && things[item] < 2 { things[item] += 1 }
            }
        }
        var best: [(score: Float, ranked: Ranked)] = []
        for item32 in touched {
            let item = Int(item32)
            let same = sameSector(item)
            // Outside the project's sector, two rare terms (as for a claim): one alone is often a
            // word like 民用 that names no product.
            guard things[item] >= 2 || same else { continue }
            let score = scores[item] * norms[item] * (same ? 2 : 1)
            guard score > 0 else { continue }
            let ranked = Ranked(item: item, sameSector: same, sharesThing: things[item] > 0)
            if best.count < limit {
                best.append((score, ranked))
            } else if let last = best.last, score > last.score || (score == last.score && item < last.ranked.item) {
                best[best.count - 1] = (score, ranked)
            } else {
                continue
            }
            best.sort { $0.score > $1.score || ($0.score == $1.score && $0.ranked.item < $1.ranked.item) }
        }
        return best.map(\.ranked)
    }

    /// What one item's wording and a project's texts have in common.
    public struct Shared: Sendable, Equatable {
        /// The item's words the project also uses: the longest runs of the item's text whose
        /// terms all occur in the project's texts, each holding a rare term, in item order.
        public let words: [String]
        /// Words of the item's own exclusions (`…除外`, `不含…`) that the project uses, with the
        /// exclusion they come from: the project may be just what the item leaves out.
        public let excludedWords: [ExcludedWord]
        /// How many distinct rare terms of the item (outside its exclusions) the project uses.
        /// One can be chance — `药制` is in both `抗菌药制剂` and `医药制造业` — two seldom are.
        public let rareTerms: Int

        /// Whether a rare term of the item is among the project's.
        public var sharesThing: Bool { !words.isEmpty }

        /// Whether the item and the project share enough rare terms (two) to say the project
        /// is what the item names.
        public var sharesThings: Bool { rareTerms >= 2 }

        /// A word of an item's exclusion that a project uses.
        public struct ExcludedWord: Sendable, Equatable {
            /// The word.
            public let word: String
            /// The exclusion it is in, as the item words it.
            public let exclusion: String
        }
    }

    /// The words item `item` (whose text is `text`, as indexed) shares with a project whose term
    /// keys are `keys` (see ``keys(of:)``).
    public func shared(item: Int, text: String, with keys: [ItemTerms.Key]) -> Shared {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let exclusions = Exclusions(in: buffer)
            func isShared(_ key: ItemTerms.Key) -> Bool { Self.contains(keys, key) }
            func isRare(_ key: ItemTerms.Key) -> Bool { self.terms.number(of: key).map { informative[Int($0)] } ?? true }
            // Runs of consecutive shared terms (a term overlaps the next by one unit).
            func runs(_ terms: [(key: ItemTerms.Key, bytes: Range<Int>)]) -> [String] {
                var words: [String] = []
                var run: Range<Int>? = nil, rare = false
                func close() {
                    if let current = run, rare {
                        let word = String(decoding: buffer[current], as: UTF8.self)
                        if !words.contains(word) { words.append(word) }
                    }
                    run = nil
                    rare = false
                }
                for term in terms {
                    guard isShared(term.key) else { close(); continue }
                    if let current = run, term.bytes.lowerBound < current.upperBound {
                        run = current.lowerBound..<max(current.upperBound, term.bytes.upperBound)
                    } else {
                        close()
                        run = term.bytes
                    }
                    if isRare(term.key) { rare = true }
                }
                close()
                return words
            }
            let terms = ItemTerms.terms(of: buffer, exclusions: exclusions)
            let words = runs(terms)
            let rareTerms = Set(terms.map(\.key).filter { isShared($0) && isRare($0) }).count
            var excludedWords: [Shared.ExcludedWord] = []
            for span in exclusions.spans {
                let phrase = UnsafeBufferPointer(rebasing: buffer[span.excluded])
                let inside = ItemTerms.terms(of: phrase).map { (key: $0.key, bytes: $0.bytes.lowerBound + span.excluded.lowerBound..<$0.bytes.upperBound + span.excluded.lowerBound) }
                let exclusion = String(decoding: buffer[span.phrase], as: UTF8.self)
                for word in runs(inside) where !excludedWords.contains(where: { $0.word == word }) { excludedWords.append(Shared.ExcludedWord(word: word, exclusion: exclusion)) }
            }
            return Shared(words: words, excludedWords: excludedWords, rareTerms: rareTerms)
        }
    }

    /// Whether sorted `keys` holds `key`.
    static func contains(_ keys: [ItemTerms.Key], _ key: ItemTerms.Key) -> Bool {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < keys.count && keys[low] == key
    }
}

/// The products and processes a catalogue item lists, as phrases a project's name, scope or
/// products would contain word for word (the 限制类 and 淘汰类 items of the industry-structure
/// catalogue: `7 万吨/年以下聚丙烯、20 万吨/年以下聚乙烯…生产装置` lists `聚丙烯`, `聚乙烯`).
/// The item's exclusions and bracketed remarks are left out, the list is cut at its
/// punctuation and joining words, capacity limits (`20 万吨/年以下`) and the generic ends
/// `生产装置`, `生产线`, `装置`, `项目`, `生产` are taken off; what is left and is two to twelve
/// Chinese characters long is a phrase. Capacities are not compared (applications do not declare
/// them): a phrase found means a person must check the item.
public enum ItemPhrases {
    static let separators: Set<Character> = ["、", "，", ",", "；", ";", "：", ":", "。", "及", "和", "与", "或", "等"]
    static let endings = ["生产装置", "生产线", "装置", "项目", "生产"]
    static let generic: Set<String> = ["新建", "建设", "开发", "使用", "产品", "技术", "设备", "工艺", "生产", "利用", "加工"]

    /// The phrases of item text `text`, in text order, each once.
    public static func phrases(of text: String) -> [String] {
        // Exclusions and bracketed remarks out.
        var kept = ""
        let bytes = Array(text.utf8)
        let exclusions = bytes.withUnsafeBufferPointer { Exclusions(in: $0) }
        var offset = 0
        var depth = 0
        for character in text {
            let length = character.utf8.count
            defer { offset += length }
            if exclusions.contains(offset..<offset + length) { continue }
            if character == "（" || character == "(" || character == "〔" { depth += 1; continue }
            if character == "）" || character == ")" || character == "〕" { depth = max(0, depth - 1); continue }
            if depth == 0 { kept.append(character) }
        }
        var phrases: [String] = []
        for segment in kept.split(whereSeparator: { separators.contains($0) }) {
            var phrase = String(segment.filter { $0 != " " })
            // A capacity: cut through its unit (`万吨/年`) and `以下`/`以上`/`的` after it.
            if let lastDigit = phrase.lastIndex(where: { $0.isASCII && $0.isNumber }) {
                var rest = phrase[phrase.index(after: lastDigit)...]
                if let cut = rest.firstIndex(where: { "年下上的时".contains($0) }) { rest = rest[rest.index(after: cut)...] }
                // (A capacity at the segment's end leaves only its unit: `5 万吨`.)
                while let first = rest.first, "以下上及的万千百吨米立方瓦时克台套座标张".contains(first) || first.isASCII { rest = rest.dropFirst() }
                phrase = String(rest)
            }
            var trimmed = true
            while trimmed {
                trimmed = false
                for ending in endings where phrase.hasSuffix(ending) && phrase.count > ending.count {
                    phrase.removeLast(ending.count)
                    trimmed = true
                }
            }
            let chinese = phrase.unicodeScalars.filter { (0x4E00...0x9FFF).contains($0.value) }.count
            guard chinese >= 2, phrase.count <= 12, !generic.contains(phrase), !endings.contains(phrase), !phrases.contains(phrase) else { continue }
            phrases.append(phrase)
        }
        return phrases
    }
}

/// Finds items' phrases (``ItemPhrases``) word for word in a project's texts, outside the
/// texts' exclusions. Each phrase is filed under its first term (``ItemTerms``); a text's terms
/// are looked up as they are read, and a phrase filed under one is compared byte for byte
/// where that term starts. So a text is read once, and building costs a table entry per phrase:
/// ``CatalogueMatcher``'s complete automaton, states × byte classes, is what a few hundred
/// keywords want, but took 90 million instructions at every start for the 1,700 phrases of the
/// industry-structure catalogue.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
public final class PhraseMatcher: Sendable {
    /// Per phrase: its item, its bytes.
    let phrases: [(item: Int, text: String, bytes: [UInt8])]
    /// The phrases' first terms, numbered, and the phrases filed under each.
    let firstTerms: TermTable, filed: GroupedIndices

    /// A matcher of the phrases of `items` (position in the array = the item).
    public init(_ items: [[String]]) {
        var phrases: [(item: Int, text: String, bytes: [UInt8])] = []
        var firstTerms: [ItemTerms.Key] = []
        for (item, list) in items.enumerated() {
            for phrase in list {
                let bytes = Array(phrase.utf8)
                var first: ItemTerms.Key? = nil
                bytes.withUnsafeBufferPointer { buffer in
                    ItemTerms.forEachTerm(in: buffer, exclusions: .none) { key, range in
                        if first == nil, range.lowerBound == 0 { first = key }
                    }
                }
                guard let first else { continue }   // (no term: a single character, never a phrase)
                phrases.append((item, phrase, bytes))
                firstTerms.append(first)
            }
        }
        var table = TermTable(expected: firstTerms.count)
        let groups = firstTerms.enumerated().map { (table.insert($0.element).number, Int32($0.offset)) }
        filed = GroupedIndices(groupCount: table.count, groups)
        (self.phrases, self.firstTerms) = (phrases, table)
    }

    /// One phrase found.
    public struct Hit {
        /// The item whose phrase it is.
        public let item: Int
        /// The phrase.
        public let phrase: String
        /// The text it was found in.
        public let text: JSONNode
    }

    /// The phrases found in `texts` outside their exclusions, the first found per item, in
    /// item order.
    public func hits(in texts: [JSONNode]) -> [Hit] {
        var hits: [Hit] = []
        for text in texts {
            let bytes = text.stringBytes
            guard bytes.count >= 2 else { continue }
            var exclusions: Exclusions? = nil
            ItemTerms.forEachTerm(in: bytes, exclusions: .none) { key, range in
                guard let number = firstTerms.number(of: key) else { return }
                filed.forEach(in: number) { filedPhrase in
                    let phrase = phrases[Int(filedPhrase)]
                    guard !hits.contains(where: { $0.item == phrase.item }),
                          range.lowerBound + phrase.bytes.count <= bytes.count,
                          phrase.bytes.withUnsafeBufferPointer({ wanted in
                              memcmp(bytes.baseAddress! + range.lowerBound, wanted.baseAddress!, wanted.count) == 0
                          }) else { return }
                    if exclusions == nil { exclusions = Exclusions(in: bytes) }
                    if exclusions!.contains(range.lowerBound..<range.lowerBound + phrase.bytes.count) { return }
                    hits.append(Hit(item: phrase.item, phrase: phrase.text, text: text))
                }
            }
        }
        hits.sort { $0.item < $1.item }
        return hits
    }
}
