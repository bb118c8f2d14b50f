import Foundation

/// The GB/T 4754-2017 industry classification as shipped in `rules/gbt4754-2017/`: every valid
/// code (section letter plus 2, 3 or 4 digits) with its name where the table has one.
public struct IndustryTable: Sendable {
    /// Valid codes, packed into integers (``packed(_:)``) → name (nil for a 中类 known only from
    /// the 小类 under it). Integer keys: the table is built on every start and looked up for
    /// every code of every application.
    private let names: [UInt64: String?]
    /// The 门类 (section letter, name) and 大类 (code, name) rows, in table order: the headings
    /// catalogues list their items under.
    private let headings: (sections: [(code: String, name: String)], divisions: [(code: String, name: String)])

    /// Loads `gbt4754-2017_all_levels.csv` from `folder`.
    public init(folder: URL) throws {
        let file = folder.appendingPathComponent("gbt4754-2017_all_levels.csv")
        // Bytes, not a String: the table is 200 KB, read on every start.
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw HostError("cannot read the GB/T 4754-2017 table \(file.path)")
        }
        var names: [UInt64: String?] = [:]
        names.reserveCapacity(2048)
        let levels = (section: Array("门类".utf8), division: Array("大类".utf8), group: Array("中类".utf8), smallClass: Array("小类".utf8))
        var sections: [(code: String, name: String)] = [], divisions: [(code: String, name: String)] = []
        try data.withUnsafeBytes { raw in
            var header = true
            try CSV.forEachRecord(raw.bindMemory(to: UInt8.self), maximumFields: 6) { line, fields in
                guard !header else { return header = false }
                guard fields.count >= 6 else { return }
                let (level, section, name) = (fields[0], fields[1], fields[5])
                guard section.count == 1 else {
                    throw HostError("\(file.path):\(line): bad section letter \(String(decoding: section, as: UTF8.self))")
                }
                func code(_ digits: UnsafeBufferPointer<UInt8>) -> UInt64? { IndustryTable.packed(section[0], digits) }
                let text = String(decoding: name, as: UTF8.self)
                if level.elementsEqual(levels.section) {
                    sections.append((String(decoding: section, as: UTF8.self), text))
                } else if level.elementsEqual(levels.division) {
                    if let key = code(fields[2]) { names[key] = text }
                    divisions.append((String(decoding: section, as: UTF8.self) + String(decoding: fields[2], as: UTF8.self), text))
                } else if level.elementsEqual(levels.group) {
                    if let key = code(fields[3]) { names[key] = text }
                } else if level.elementsEqual(levels.smallClass) {
                    guard let key = code(fields[4]) else { return }
                    names[key] = text
                    if let implied = code(UnsafeBufferPointer(rebasing: fields[4].prefix(3))), names[implied] == nil { names[implied] = .some(nil) }
                }
            }
        }
        guard names.count > 1000 else { throw HostError("\(file.path): only \(names.count) codes read; the table looks damaged") }
        self.names = names
        headings = (sections, divisions)
    }

    /// The 门类 (or, with `subheading`, the 大类) a catalogue heading names: by its exact name,
    /// else the one whose name shares most two-character terms with it (Dice coefficient of at
    /// least 0.4, ignoring 、和及与其他业制造), which reads a catalogue's `信息传输、软件和技术服务业`
    /// as GB/T's I `信息传输、软件和信息技术服务业`; nil when nothing is that close (`钢铁`).
    public func sector(heading: String, subheading: String?) -> (code: String, name: String, exact: Bool)? {
        let name = subheading ?? heading
        let candidates = subheading == nil ? headings.sections : headings.divisions
        if let exact = candidates.first(where: { $0.name == name }) { return (exact.code, exact.name, true) }
        func terms(_ text: String) -> Set<String> {
            let kept = Array(text.filter { !"、，,和及与其他业制造".contains($0) })
            return Set(zip(kept, kept.dropFirst()).map { String([$0, $1]) })
        }
        let wanted = terms(name)
        guard !wanted.isEmpty else { return nil }
        var best: (score: Double, code: String, name: String)? = nil
        for candidate in candidates {
            let theirs = terms(candidate.name)
            let score = 2 * Double(wanted.intersection(theirs).count) / Double(wanted.count + theirs.count)
            if score > (best?.score ?? 0) { best = (score, candidate.code, candidate.name) }
        }
        guard let best, best.score >= 0.4 else { return nil }
        return (best.code, best.name, false)
    }

    /// Whether `code` is a 门类 letter.
    public func isSection(_ code: String) -> Bool { headings.sections.contains { $0.code == code } }

    /// A code of at most eight ASCII bytes as an integer (nil for anything longer or non-ASCII).
    static func packed(_ code: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard code.count <= 8 else { return nil }
        var value: UInt64 = 0
        for byte in code {
            guard byte > 0 && byte < 0x80 else { return nil }
            value = value << 8 | UInt64(byte)
        }
        return value
    }

    /// A section letter followed by `digits`, packed.
    private static func packed(_ section: UInt8, _ digits: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard digits.count <= 7, let rest = packed(digits) else { return nil }
        return UInt64(section) << (8 * UInt64(digits.count)) | rest
    }

    private static func key(_ code: String) -> UInt64? {
        var code = code
        return code.withUTF8 { packed($0) }
    }

    /// How many codes the table holds.
    public var count: Int { names.count }

    /// Every valid code, sorted.
    public var codes: [String] {
        names.keys.map { key in
            withUnsafeBytes(of: key.bigEndian) { String(decoding: $0.drop { $0 == 0 }, as: UTF8.self) }
        }.sorted()
    }

    /// Whether `code` is a valid division, group or class code.
    public func contains(_ code: String) -> Bool { IndustryTable.key(code).map { names[$0] != nil } ?? false }

    /// Whether the code spelled by the UTF-8 bytes `code` is valid (no string made).
    public func contains(utf8 code: UnsafeBufferPointer<UInt8>) -> Bool { IndustryTable.packed(code).map { names[$0] != nil } ?? false }

    /// The name of `code`, if the table has one.
    public func name(of code: String) -> String? { IndustryTable.key(code).flatMap { names[$0] ?? nil } }

    /// Up to `limit` valid codes near `code`: those under its longest valid prefix, of the same
    /// length where possible, numerically closest first. Only the first five characters (the
    /// longest code) matter, so a hostile multi-kilobyte "code" costs no more than a typo.
    public func nearest(to code: String, limit: Int = 5) -> [String] {
        let wanted = String(code.uppercased().prefix(5))
        let all = codes
        var prefix = wanted
        var candidates: [String] = []
        while !prefix.isEmpty && candidates.isEmpty {
            candidates = all.filter { $0.hasPrefix(prefix) && $0 != wanted }
            prefix.removeLast()
        }
        let sameLength = candidates.filter { $0.count == wanted.count }
        if !sameLength.isEmpty { candidates = sameLength }
        func digits(_ text: Substring) -> Int { Int(text) ?? 0 }
        let ranked = candidates.map { candidate in
            (distance: abs(digits(candidate.dropFirst()) - digits(wanted.dropFirst().prefix(candidate.count - 1))), code: candidate)
        }
        return ranked.sorted { ($0.distance, $0.code) < ($1.distance, $1.code) }.prefix(limit).map(\.code).sorted()
    }
}
