#if canImport(Glibc)
import Glibc
#endif

/// The parts of a business scope, name or product that say what the project does *not* do
/// (SPEC §5.1): `法律咨询（不含中国法律事务）`, `艺术品拍卖(不含文物)`, `货物进出口，国家禁止的除外`,
/// `除文物外的艺术品拍卖`. A keyword that occurs only inside one of them does not match; the
/// finding quotes the exclusion instead. Every matcher of `CheckAPI` applies it.
///
/// What counts as an exclusion, in a text cut into clauses at `，,；;。` and brackets `（）()`:
/// - a bracket whose content begins with `不含`, `不包括` or `除`, or ends with `除外`: the
///   whole content;
/// - a clause that begins with `不含` or `不包括`: the whole clause (`不含文物、古董`);
///   `不含`/`不包括` later in a clause: from there to the clause's end;
/// - `X除外`: from the clause's start, or the last `、` before it, to `除外` (so `A、B除外`
///   excludes only B: where the words are unclear, less is excluded, never more);
/// - a clause beginning with `除` that reaches `外` before the clause ends or before `的`:
///   `除` to `外` (`除尘设备外销` is not one: its `外` is followed by `销`).
public struct Exclusions: Sendable {
    /// One exclusion: the bytes it excludes, and the words to quote.
    public struct Span: Sendable, Equatable {
        /// The excluded bytes of the text (keyword occurrences inside do not match).
        public let excluded: Range<Int>
        /// The phrase to quote (the bracket's content, or the clause part), as bytes of the text.
        public let phrase: Range<Int>
    }

    /// The exclusions of a text, in text order.
    public let spans: [Span]

    /// Whether bytes `range` lie inside an exclusion.
    @inlinable public func contains(_ range: Range<Int>) -> Bool {
        for span in spans where span.excluded.lowerBound <= range.lowerBound && range.upperBound <= span.excluded.upperBound { return true }
        return false
    }

    /// The span holding bytes `range`, if any.
    public func span(containing range: Range<Int>) -> Span? {
        spans.first { $0.excluded.lowerBound <= range.lowerBound && range.upperBound <= $0.excluded.upperBound }
    }

    // UTF-8 of the words the rules look for.
    private static let bu: [UInt8] = [0xE4, 0xB8, 0x8D]       // 不
    private static let han: [UInt8] = [0xE5, 0x90, 0xAB]      // 含
    private static let bao: [UInt8] = [0xE5, 0x8C, 0x85]      // 包
    private static let kuo: [UInt8] = [0xE6, 0x8B, 0xAC]      // 括
    private static let chu: [UInt8] = [0xE9, 0x99, 0xA4]      // 除
    private static let wai: [UInt8] = [0xE5, 0xA4, 0x96]      // 外
    private static let de: [UInt8] = [0xE7, 0x9A, 0x84]       // 的
    private static let dun: [UInt8] = [0xE3, 0x80, 0x81]      // 、
    // The two- and three-character words, joined once (joined at each byte looked at, they were
    // an allocation per byte of every text holding 不 or 除).
    private static let buHan = bu + han                       // 不含
    private static let buBaoKuo = bu + bao + kuo              // 不包括
    private static let chuWai = chu + wai                     // 除外

    /// No exclusions.
    public static let none = Exclusions(spans: [])

    init(spans: [Span]) { self.spans = spans }

    /// Whether `text` could hold an exclusion at all (it has `不` or `除`): two `memchr`-speed
    /// searches.
    public static func mayHold(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.count >= 6 && (find(bu, in: text) || find(chu, in: text))
    }

    /// The exclusions of UTF-8 `text`. Texts without `不` or `除` (most) cost two `memchr`-speed
    /// searches.
    public init(in text: UnsafeBufferPointer<UInt8>) {
        guard Exclusions.mayHold(text) else {
            spans = []
            return
        }
        var spans: [Span] = []
        // Clauses: runs between delimiters; brackets are delimiters too, and a bracket's whole
        // content is one unit for the bracket rule.
        var position = 0
        var clauseStart = 0
        var bracketStart: Int? = nil  // content start of the bracket we are in
        func at(_ offset: Int, _ word: [UInt8]) -> Bool {
            guard offset >= 0, offset + word.count <= text.count else { return false }
            for index in word.indices where text[offset + index] != word[index] { return false }
            return true
        }
        /// The length of a delimiter at `offset` and whether it opens (1), closes (-1) a bracket or neither (0).
        func delimiter(at offset: Int) -> (length: Int, bracket: Int)? {
            let byte = text[offset]
            switch byte {
            case 0x2C, 0x3B, 0x0A: return (1, 0)
            case 0x28: return (1, 1)
            case 0x29: return (1, -1)
            case 0xEF where offset + 2 < text.count && text[offset + 1] == 0xBC:
                switch text[offset + 2] {
                case 0x8C, 0x9B: return (3, 0)   // ， ；
                case 0x88: return (3, 1)         // （
                case 0x89: return (3, -1)        // ）
                default: return nil
                }
            case 0xE3 where at(offset, [0xE3, 0x80, 0x82]): return (3, 0)  // 。
            default: return nil
            }
        }
        func beginsExclusion(_ start: Int) -> Bool {
            at(start, Exclusions.buHan) || at(start, Exclusions.buBaoKuo)
        }
        func clause(_ start: Int, _ end: Int) {
            var first = start
            while first < end && (text[first] == 0x20 || text[first] == 0x09) { first += 1 }
            guard first < end else { return }
            if beginsExclusion(first) {
                spans.append(Span(excluded: first..<end, phrase: first..<end))
                return
            }
            if at(first, Exclusions.chu) {
                // 除X外, 外 at the clause's end or before 的.
                var scan = first + 3
                while scan + 3 <= end {
                    if at(scan, Exclusions.wai) && (scan + 3 == end || at(scan + 3, Exclusions.de)) {
                        spans.append(Span(excluded: first..<scan + 3, phrase: first..<scan + 3))
                        return
                    }
                    scan += 1
                }
            }
            var scan = first
            while scan + 6 <= end {
                if beginsExclusion(scan) {
                    spans.append(Span(excluded: scan..<end, phrase: scan..<end))
                    return
                }
                if at(scan, Exclusions.chuWai) {
                    // X除外: back to the clause's start or the last 、.
                    var from = first
                    var back = scan - 3
                    while back >= first {
                        if at(back, Exclusions.dun) { from = back + 3; break }
                        back -= 1
                    }
                    spans.append(Span(excluded: from..<scan + 6, phrase: from..<scan + 6))
                    return
                }
                scan += 1
            }
        }
        while position < text.count {
            guard let (length, bracket) = delimiter(at: position) else {
                position += 1
                continue
            }
            if bracket == 1 && bracketStart == nil {
                clause(clauseStart, position)
                bracketStart = position + length
                clauseStart = position + length
            } else if bracket == -1, let contentStart = bracketStart {
                var first = contentStart
                while first < position && text[first] == 0x20 { first += 1 }
                if beginsExclusion(first) || at(first, Exclusions.chu) || (position - first >= 6 && at(position - 6, Exclusions.chuWai)) {
                    // The whole bracket (the clauses found inside it so far are inside this one).
                    spans.removeAll { $0.excluded.lowerBound >= contentStart }
                    spans.append(Span(excluded: contentStart..<position, phrase: contentStart..<position))
                } else {
                    clause(clauseStart, position)
                }
                bracketStart = nil
                clauseStart = position + length
            } else {
                clause(clauseStart, position)
                clauseStart = position + length
            }
            position += length
        }
        if let contentStart = bracketStart, beginsExclusion(contentStart) {
            // An unclosed bracket that opens an exclusion: to the end.
            spans.removeAll { $0.excluded.lowerBound >= contentStart }
            spans.append(Span(excluded: contentStart..<text.count, phrase: contentStart..<text.count))
        } else {
            clause(clauseStart, text.count)
        }
        self.spans = spans
    }

    /// Whether the three-byte `word` (one CJK character) occurs in `text`.
    private static func find(_ word: [UInt8], in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress, word.count <= text.count else { return false }
        var position = 0
        let last = text.count - word.count
        // The second byte of a three-byte character is rarer than its lead byte in CJK text.
        while position <= last {
            guard let hit = memchr(base + position + 1, Int32(word[1]), last - position + 1) else { return false }
            let candidate = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) - 1
            if text[candidate] == word[0] && text[candidate + 2] == word[2] { return true }
            position = candidate + 1
        }
        return false
    }
}

/// A keyword that occurs in a text only inside an exclusion: what a finding quotes.
public struct ExcludedKeyword {
    /// The keyword.
    public let keyword: String
    /// The text it occurs in (a string node of the application).
    public let text: JSONNode
    /// The exclusion's words, e.g. `不含中国法律事务`, or the negation holding the keyword
    /// (`非转基因`).
    public let phrase: String

    /// `keyword` in `text`, held by `phrase`.
    init(keyword: String, text: JSONNode, phrase: String) {
        self.keyword = keyword
        self.text = text
        self.phrase = phrase
    }

    /// The excluded occurrence of `keyword` at bytes `range` of `text`, if `exclusions` hold it.
    init?(keyword: String, text: JSONNode, range: Range<Int>, exclusions: Exclusions) {
        guard let span = exclusions.span(containing: range) else { return nil }
        self.keyword = keyword
        self.text = text
        let bytes = text.stringBytes
        phrase = String(decoding: UnsafeBufferPointer(rebasing: bytes[span.phrase]), as: UTF8.self)
    }
}
