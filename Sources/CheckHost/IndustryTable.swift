import Foundation

/// The GB/T 4754-2017 industry classification as shipped in `rules/gbt4754-2017/`: every valid
/// code (section letter plus 2, 3 or 4 digits) with its name where the table has one.
public struct IndustryTable: Sendable {
    /// Valid codes → name (nil for a 中类 known only from the 小类 under it).
    public let names: [String: String?]

    /// Loads `gbt4754-2017_all_levels.csv` from `folder`.
    public init(folder: URL) throws {
        let file = folder.appendingPathComponent("gbt4754-2017_all_levels.csv")
        // Bytes, not a String: the table is 200 KB, read on every start.
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw HostError("cannot read the GB/T 4754-2017 table \(file.path)")
        }
        var names: [String: String?] = [:]
        names.reserveCapacity(2048)
        let records = data.withUnsafeBytes { CSV.records(bytes: $0.bindMemory(to: UInt8.self), maximumFields: 6) }
        for (line, fields) in records.dropFirst() where fields.count >= 6 {
            let (level, section, division, group, classCode, name) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
            guard section.count == 1 else { throw HostError("\(file.path):\(line): bad section letter \(section)") }
            switch level {
            case "大类": names[section + division] = name
            case "中类": names[section + group] = name
            case "小类":
                names[section + classCode] = name
                let implied = section + String(classCode.prefix(3))
                if names[implied] == nil { names[implied] = .some(nil) }
            default: continue
            }
        }
        guard names.count > 1000 else { throw HostError("\(file.path): only \(names.count) codes read; the table looks damaged") }
        self.names = names
    }

    /// Whether `code` is a valid division, group or class code.
    public func contains(_ code: String) -> Bool { names[code] != nil }

    /// The name of `code`, if the table has one.
    public func name(of code: String) -> String? { names[code] ?? nil }

    /// Up to `limit` valid codes near `code`: those under its longest valid prefix, of the same
    /// length where possible, numerically closest first. Only the first five characters (the
    /// longest code) matter, so a hostile multi-kilobyte "code" costs no more than a typo.
    public func nearest(to code: String, limit: Int = 5) -> [String] {
        let wanted = String(code.uppercased().prefix(5))
        var prefix = wanted
        var candidates: [String] = []
        while !prefix.isEmpty && candidates.isEmpty {
            candidates = names.keys.filter { $0.hasPrefix(prefix) && $0 != wanted }
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
