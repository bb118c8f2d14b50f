/// Matches an application against many catalogue items at once (SPEC §5.1's code + keyword
/// matching): all items' keywords in one Aho–Corasick automaton, so the project's texts are
/// scanned once per application whatever the number of items, and item codes indexed by their
/// first three characters (two GB/T codes can only overlap if those agree).
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
public final class CatalogueMatcher: Sendable {
    /// One item to match: its codes and keywords.
    public struct Item: Sendable {
        /// GB/T 4754-2017 codes (a code covers its sub-codes).
        public let codes: [String]
        /// Keywords, in the order the item lists them (the first found is reported).
        public let keywords: [String]
        /// Phrases holding a keyword that say the opposite (`非转基因`): see ``KeywordMatcher``.
        public let negations: [String]

        /// An item.
        public init(codes: [String], keywords: [String], negations: [String] = []) {
            self.codes = codes
            self.keywords = keywords
            self.negations = negations
        }
    }

    private let items: [Item]
    /// For the items with negations, their own matcher: a keyword the automaton finds for such
    /// an item is checked again with it (rare, and only for an item hit).
    private let negatingMatchers: [KeywordMatcher?]
    /// Per item, whether it has negations (read first: taking a matcher out of the array
    /// retains its arrays).
    private let hasNegations: [Bool]
    /// Per keyword of the automaton, the items that list it, with its rank in each item's list.
    private let keywordItems: [[(item: Int32, rank: Int32)]]
    private let keywords: KeywordAutomaton
    /// First three bytes of a code → (item, which of its codes, the code's bytes).
    private let codeIndex: [UInt32: [(item: Int, code: Int, bytes: [UInt8])]]

    /// A matcher over `items`.
    public init(_ items: [Item]) {
        self.items = items
        negatingMatchers = items.map { $0.negations.isEmpty ? nil : KeywordMatcher($0.keywords, negations: $0.negations) }
        hasNegations = items.map { !$0.negations.isEmpty }
        var numbers: [String: Int32] = [:]
        var all: [String] = []
        var keywordItems: [[(item: Int32, rank: Int32)]] = []
        for (position, item) in items.enumerated() {
            for (rank, keyword) in item.keywords.filter({ !$0.isEmpty }).enumerated() {
                let number: Int32
                if let known = numbers[keyword] {
                    number = known
                } else {
                    number = Int32(all.count)
                    numbers[keyword] = number
                    all.append(keyword)
                    keywordItems.append([])
                }
                keywordItems[Int(number)].append((Int32(position), Int32(rank)))
            }
        }
        self.keywordItems = keywordItems
        keywords = KeywordAutomaton(all)
        var index: [UInt32: [(item: Int, code: Int, bytes: [UInt8])]] = [:]
        for (position, item) in items.enumerated() {
            for (number, code) in item.codes.enumerated() {
                let bytes = Array(code.utf8)
                guard bytes.count >= 3 else { continue }
                index[CatalogueMatcher.key(bytes[0], bytes[1], bytes[2]), default: []].append((position, number, bytes))
            }
        }
        codeIndex = index
    }

    @inline(__always) static func key(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt32 {
        UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
    }

    /// The items that match by code, keyword or both (by position in `items`), in item order.
    ///
    /// Only what the application hits is looked at (a few items, against hundreds in a list):
    /// per item, the first of the application's codes overlapping one of the item's (in code
    /// order), and the first of the item's keywords found (in the item's order), with the first
    /// text that holds it.
    public func matches(_ application: Application) -> [(item: Int, match: CatalogueMatch)] {
        // Codes: (item, application code, item code), the first per item.
        let codes = application.industryCodes
        var codeHits: [(item: Int, code: Int, number: Int)] = []
        for (position, node) in codes.enumerated() {
            let bytes = node.stringBytes
            guard bytes.count >= 3, let candidates = codeIndex[CatalogueMatcher.key(bytes[0], bytes[1], bytes[2])] else { continue }
            for (item, number, code) in candidates where !codeHits.contains(where: { $0.item == item }) {
                let length = min(code.count, bytes.count)
                if code.withUnsafeBufferPointer({ bytesEqual(UnsafeBufferPointer(rebasing: $0[..<length]), UnsafeBufferPointer(rebasing: bytes[..<length])) }) {
                    codeHits.append((item, position, number))
                }
            }
        }
        codeHits.sort { $0.item < $1.item }
        // Keywords: one scan of the texts; per item, its best-ranked keyword found (outside the
        // texts' exclusions), or else its best-ranked keyword found only inside one.
        let texts = application.describingTexts
        let scan = keywords.occurrences(in: texts)
        var keywordHits: [(item: Int32, rank: Int32, keyword: Int32, text: Int32)] = []
        for hit in scan.found {
            for (item, rank) in keywordItems[Int(hit.keyword)] { keywordHits.append((item, rank, hit.keyword, hit.text)) }
        }
        keywordHits.sort { ($0.item, $0.rank) < ($1.item, $1.rank) }
        var excludedHits: [(item: Int32, rank: Int32, hit: Int)] = []
        for (number, hit) in scan.excluded.enumerated() where !scan.excluded.isEmpty {
            for (item, rank) in keywordItems[Int(hit.keyword)] { excludedHits.append((item, rank, number)) }
        }
        excludedHits.sort { ($0.item, $0.rank) < ($1.item, $1.rank) }
        func excluded(for item: Int) -> ExcludedKeyword? {
            guard let first = excludedHits.first(where: { Int($0.item) == item }) else { return nil }
            let hit = scan.excluded[first.hit]
            let text = texts[Int(hit.text)]
            let length = keywords.keywords[Int(hit.keyword)].utf8.count
            return ExcludedKeyword(keyword: keywords.keywords[Int(hit.keyword)], text: text, range: Int(hit.start)..<Int(hit.start) + length,
                                   exclusions: Exclusions(in: text.stringBytes))
        }
        // Both lists in item order, merged (the items with only an excluded keyword too).
        var matches: [(item: Int, match: CatalogueMatch)] = []
        var nextCode = 0, nextKeyword = 0, nextExcluded = 0
        while nextCode < codeHits.count || nextKeyword < keywordHits.count || nextExcluded < excludedHits.count {
            let item = min(nextCode < codeHits.count ? codeHits[nextCode].item : Int.max,
                           nextKeyword < keywordHits.count ? Int(keywordHits[nextKeyword].item) : Int.max,
                           nextExcluded < excludedHits.count ? Int(excludedHits[nextExcluded].item) : Int.max)
            var codeHit: (code: JSONNode, itemCode: String)? = nil
            if nextCode < codeHits.count, codeHits[nextCode].item == item {
                codeHit = (codes[codeHits[nextCode].code], items[item].codes[codeHits[nextCode].number])
                nextCode += 1
            }
            var keywordHit: (keyword: String, text: JSONNode)? = nil
            if nextKeyword < keywordHits.count, Int(keywordHits[nextKeyword].item) == item {
                let best = keywordHits[nextKeyword]
                keywordHit = (keywords.keywords[Int(best.keyword)], texts[Int(best.text)])
                while nextKeyword < keywordHits.count, Int(keywordHits[nextKeyword].item) == item { nextKeyword += 1 }
            }
            var excludedHit: ExcludedKeyword? = nil
            if nextExcluded < excludedHits.count, Int(excludedHits[nextExcluded].item) == item {
                if keywordHit == nil { excludedHit = excluded(for: item) }
                while nextExcluded < excludedHits.count, Int(excludedHits[nextExcluded].item) == item { nextExcluded += 1 }
            }
            if keywordHit != nil, hasNegations[item], let negating = negatingMatchers[item] {
                (keywordHit, excludedHit) = negating.search(in: texts)
            }
            if let match = CatalogueMatch.combine(codeHit, keywordHit, excludedHit) { matches.append((item, match)) }
        }
        return matches
    }
}

/// An Aho–Corasick automaton over UTF-8 bytes: finds, in one pass over each text, which of a
/// set of keywords occur.
struct KeywordAutomaton: Sendable {
    let keywords: [String]
    /// Each keyword's length in bytes.
    private let lengths: [Int]
    /// The longest keyword's length in bytes.
    private let longest: Int
    /// Byte → class (0 for bytes no keyword contains).
    private let classes: [UInt8]
    private let classCount: Int
    /// row + class → the next state's row (a complete DFA; a state's row is state × classCount, so
    /// the scan adds and loads, with no multiplication in the chain that each byte waits on); a
    /// state where keywords end is stored complemented (`~row`, negative), so the scan looks at
    /// `outputs` only there.
    private let transitions: [Int32]
    /// Per state, the keywords that end there (through failure links too).
    private let outputs: [[Int32]]

    init(_ keywords: [String]) {
        self.keywords = keywords
        let encoded = keywords.map { Array($0.utf8) }
        lengths = encoded.map(\.count)
        longest = lengths.max() ?? 0
        var classes = [UInt8](repeating: 0, count: 256)
        var count = 1
        for bytes in encoded {
            for byte in bytes where classes[Int(byte)] == 0 {
                classes[Int(byte)] = UInt8(count)
                count += 1
            }
        }
        precondition(count < 256, "too many distinct keyword bytes")
        self.classes = classes
        classCount = count
        // The trie, in one flat table (state * count + class), allocated once for the most
        // states the keywords could need and cut to the states used.
        let most = encoded.reduce(1) { $0 + $1.count }
        var goto = [Int32](repeating: -1, count: most * count)
        var outputs: [[Int32]] = Array(repeating: [], count: most)
        var states = 1
        goto.withUnsafeMutableBufferPointer { goto in
            for (number, bytes) in encoded.enumerated() where !bytes.isEmpty {
                var state = 0
                for byte in bytes {
                    let slot = state * count + Int(classes[Int(byte)])
                    if goto[slot] < 0 {
                        goto[slot] = Int32(states)
                        states += 1
                    }
                    state = Int(goto[slot])
                }
                outputs[state].append(Int32(number))
            }
        }
        goto.removeSubrange((states * count)...)
        outputs.removeSubrange(states...)
        // Failure links, breadth first, completing the DFA.
        // Every state but the root enters the queue once, so it is sized up front; all three
        // buffers are unchecked (and none is a variable the loop captures, which Swift checks
        // for exclusive access on every use): this loop runs states × classes times on every start.
        var failure = [Int32](repeating: 0, count: states)
        var queue = [Int32](repeating: 0, count: states)
        var queued = 0
        goto.withUnsafeMutableBufferPointer { goto in
            failure.withUnsafeMutableBufferPointer { failure in
                queue.withUnsafeMutableBufferPointer { queue in
                    for symbol in 0..<count {
                        if goto[symbol] < 0 { goto[symbol] = 0 } else { queue[queued] = goto[symbol]; queued += 1 }
                    }
                    var head = 0
                    while head < queued {
                        let state = Int(queue[head])
                        head += 1
                        let fallback = Int(failure[state])
                        if !outputs[fallback].isEmpty { outputs[state] += outputs[fallback] }
                        let row = state * count, fallbackRow = fallback * count
                        for symbol in 0..<count {
                            let next = goto[row + symbol]
                            if next < 0 {
                                goto[row + symbol] = goto[fallbackRow + symbol]
                            } else {
                                failure[Int(next)] = goto[fallbackRow + symbol]
                                queue[queued] = next
                                queued += 1
                            }
                        }
                    }
                }
            }
        }
        queue.removeSubrange(queued...)
        // States renumbered breadth first: the shallow states, where a scan spends most of its
        // bytes, come first and share cache lines.
        let order = [0] + queue.map(Int.init)
        // Each old state's entry in the new table: its new row, complemented where keywords end.
        var entry = [Int32](repeating: 0, count: states)
        for (new, old) in order.enumerated() {
            let row = Int32(new * count)
            entry[old] = outputs[old].isEmpty ? row : ~row
        }
        var table = [Int32](repeating: 0, count: states * count)
        table.withUnsafeMutableBufferPointer { table in
            goto.withUnsafeBufferPointer { goto in
                entry.withUnsafeBufferPointer { entry in
                    // Unchecked buffers: states × classes again.
                    for (new, old) in order.enumerated() {
                        for symbol in 0..<count { table[new * count + symbol] = entry[Int(goto[old * count + symbol])] }
                    }
                }
            }
        }
        self.outputs = order.map { outputs[$0] }
        transitions = table
    }

    /// The keywords found in `texts` outside the texts' exclusions (``Exclusions``), each once,
    /// with the index of the first text holding it, in the order they were found; and the
    /// keywords found inside exclusions, each once, with the first text and the first offset in
    /// it of such an occurrence (a keyword in both lists was also found outside one).
    ///
    /// Each byte's step waits for the one before (a load whose address is the previous state),
    /// so a long text is scanned as two halves side by side, two independent chains in one
    /// loop: the second half starts `longest − 1` bytes early, from the root, so that it finds
    /// every keyword ending in it; one ending in the overlap may be found twice, harmlessly.
    func occurrences(in texts: [JSONNode]) -> (found: [(keyword: Int32, text: Int32)], excluded: [(keyword: Int32, text: Int32, start: Int32)]) {
        var found: [(keyword: Int32, text: Int32)] = []
        var excluded: [(keyword: Int32, text: Int32, start: Int32)] = []
        guard !keywords.isEmpty else { return (found, excluded) }
        transitions.withUnsafeBufferPointer { table in
            classes.withUnsafeBufferPointer { classes in
                // Two bits per keyword: found already, found excluded already (on the stack;
                // most applications find few).
                let words = (keywords.count + 63) / 64
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * words) { seen in
                    seen.initialize(repeating: 0)
                    for (position, text) in texts.enumerated() {
                        let bytes = text.stringBytes
                        // The text's exclusions, found when a keyword first ends in it (most
                        // texts hold no keyword at all), and only if it could hold one.
                        var exclusions: Exclusions? = nil
                        var mayExclude: Bool? = nil
                        // Keywords end at the state's row reached, before byte `end`: note the new ones.
                        func ended(_ row: Int, _ end: Int) {
                            for number in outputs[row / classCount] {
                                let word = Int(number) >> 6, bit: UInt64 = 1 << UInt64(number & 63)
                                guard seen[word] & bit == 0 else { continue }
                                if mayExclude == nil {
                                    mayExclude = Exclusions.mayHold(bytes)
                                    if mayExclude == true { exclusions = Exclusions(in: bytes) }
                                }
                                if mayExclude == true, let exclusions, !exclusions.spans.isEmpty {
                                    let start = end - lengths[Int(number)]
                                    if exclusions.contains(start..<end) {
                                        // The first excluded occurrence in text order (the
                                        // second cursor may reach a later one first).
                                        if seen[words + word] & bit == 0 {
                                            seen[words + word] |= bit
                                            excluded.append((number, Int32(position), Int32(start)))
                                        } else if let entry = excluded.firstIndex(where: { $0.keyword == number }),
                                                  excluded[entry].text == Int32(position), excluded[entry].start > Int32(start) {
                                            excluded[entry].start = Int32(start)
                                        }
                                        continue
                                    }
                                }
                                seen[word] |= bit
                                found.append((number, Int32(position)))
                            }
                        }
                        // The second cursor scans a short text whole; a long one from its middle.
                        var second = 0, secondRow = 0
                        let middle = bytes.count / 2
                        if middle >= 2 * longest {
                            var first = 0, firstRow = 0
                            second = middle - (longest - 1)
                            // Both halves a step at a time, while the first lasts (it is the shorter).
                            while first < middle {
                                let nextFirst = table[firstRow &+ Int(classes[Int(bytes[first])])]
                                let nextSecond = table[secondRow &+ Int(classes[Int(bytes[second])])]
                                first &+= 1
                                second &+= 1
                                firstRow = Int(nextFirst < 0 ? ~nextFirst : nextFirst)
                                secondRow = Int(nextSecond < 0 ? ~nextSecond : nextSecond)
                                if nextFirst < 0 { ended(firstRow, first) }
                                if nextSecond < 0 { ended(secondRow, second) }
                            }
                        }
                        // The rest: the second half's last bytes, or a short text whole.
                        while second < bytes.count {
                            let next = table[secondRow &+ Int(classes[Int(bytes[second])])]
                            second &+= 1
                            secondRow = Int(next < 0 ? ~next : next)
                            if next < 0 { ended(secondRow, second) }
                        }
                    }
                }
            }
        }
        return (found, excluded)
    }
}
