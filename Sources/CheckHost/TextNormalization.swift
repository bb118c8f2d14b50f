import CCheckABI
import CheckAPI
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Text fields are compared after trimming surrounding white space and Unicode normalisation
/// (NFKC, which turns full-width forms into their ASCII counterparts) — SPEC §3. The host
/// normalises every string value of an application once, right after reading it, so the
/// validator, every plugin (Swift or C, in this process or a worker) and the reports see the
/// same text: `"广东省 "` is `广东省`, `（不含文物）` is `(不含文物)`, `Ｃ３９７３` is `C3973`.
public enum TextNormalization {
    /// Normalises every string value of `document` in place: a string that changes gets its
    /// normalised copy appended to the text buffer (like an unescaped string) and its node
    /// pointed at it; the source bytes are not touched. Member names are left as they are.
    /// Only the strings the reader marked are looked at (``JSONDocument/stringsToNormalize``:
    /// ASCII and CJK ideographs without white space at the ends cannot change).
    public static func normalize(_ document: inout JSONDocument) {
        let marked = document.takeStringsToNormalize()
        guard marked?.isEmpty != true else { return }
        // Most changes shorten a string (full-width forms become ASCII, white space goes), so
        // they are made where the string is; a longer result (rare: `½` is `1⁄2`) is appended.
        var longer: [(node: Int, bytes: [UInt8])] = []
        let count = marked?.count ?? document.nodes.count
        for position in 0..<count {
            let index = marked.map { Int($0[position]) } ?? position
            guard document.nodes[index].kind == CHECK_STRING.rawValue else { continue }
            document.shortenString(ofNode: index) { bytes in
                let text = UnsafeBufferPointer(bytes)
                switch scan(text) {
                case .unchanged:
                    return nil
                case .simple(let start, let end, let width):
                    return compact(bytes, from: start, to: end, width: width)
                case .full:
                    let result = fullForm(text)
                    guard !result.elementsEqual(text) else { return nil }
                    guard result.count <= bytes.count else {
                        longer.append((index, result))
                        return nil
                    }
                    _ = UnsafeMutableRawBufferPointer(bytes).initializeMemory(as: UInt8.self, from: result)
                    return result.count
                }
            }
        }
        if !longer.isEmpty {
            document.reserveText(longer.reduce(0) { $0 + $1.bytes.count })
            for (index, bytes) in longer { document.replaceString(ofNode: index, with: bytes) }
        }
    }

    /// The normalised form of `text`, or nil when it is already normalised (most values: ASCII
    /// and CJK ideographs without surrounding white space are checked byte by byte, without
    /// building a `String`).
    public static func normalized(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        switch scan(text) {
        case .unchanged:
            return nil
        case .simple(let start, let end, let width):
            var copy = Array(text)
            let length = copy.withUnsafeMutableBufferPointer { compact($0, from: start, to: end, width: width) }
            return Array(copy.prefix(length))
        case .full:
            let result = fullForm(text)
            return result.elementsEqual(text) ? nil : result
        }
    }

    /// What normalising a text takes.
    enum Change {
        /// Nothing: it is normalised.
        case unchanged
        /// Trimming to `start..<end` (ASCII white space) and, with `width`, mapping full-width
        /// ASCII forms to ASCII.
        case simple(start: Int, end: Int, width: Bool)
        /// Full NFKC (Foundation), then trimming.
        case full
    }

    /// Looks at `text` once, byte by byte, without building a `String`.
    static func scan(_ text: UnsafeBufferPointer<UInt8>) -> Change {
        var needsWidth = false
        var index = 0
        let count = text.count
        guard let base = text.baseAddress, count > 0 else { return .unchanged }
        scan: while index < count {
            // Eight ASCII bytes at a time (most of an application's text is ASCII or CJK).
            if index + 8 <= count, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
            var byte = base[index]
            if byte < 0x80 {
                index += 1
                continue
            }
            // A run of CJK ideographs, U+4000…U+9FFF (lead E4-E9): no decomposition.
            while byte >= 0xE4 && byte <= 0xE9 {
                index += 3
                guard index < count else { break scan }
                byte = base[index]
            }
            if byte < 0x80 { continue }
            if index + 2 < count {
                let second = base[index + 1], third = base[index + 2]
                if byte == 0xE3 && ((second == 0x80 && third >= 0x81 && third <= 0xA9) || second >= 0x90) {
                    // U+3001…U+3029 (、。〃〄々〆〇〈〉《》「」『』【】〒〓〔〕〖〗〘〙〚〛〜〝〞〟〠 and Hangzhou
                    // numerals) and U+3400…U+3FFF (ideographs, extension A): no decomposition.
                    index += 3
                    continue
                }
                if byte == 0xE2 && second == 0x80 && (third == 0x94 || third == 0x98 || third == 0x99 || third == 0x9C || third == 0x9D) {
                    index += 3  // — ‘ ’ “ ”
                    continue
                }
                if byte == 0xEF && ((second == 0xBC && third >= 0x81) || (second == 0xBD && third <= 0x9E)) {
                    needsWidth = true  // U+FF01…U+FF5E: full-width ASCII
                    index += 3
                    continue
                }
            }
            if byte == 0xC2 && index + 1 < count && base[index + 1] == 0xB7 {
                index += 2  // ·
                continue
            }
            return .full
        }
        // ASCII white space at either end (other white space took the full path).
        var start = 0, end = count
        while start < end && isASCIISpace(base[start]) { start += 1 }
        while end > start && isASCIISpace(base[end - 1]) { end -= 1 }
        return needsWidth || start > 0 || end < count ? .simple(start: start, end: end, width: needsWidth) : .unchanged
    }

    /// Rewrites `bytes` in place as their `start..<end`, full-width ASCII forms mapped when
    /// `width`; returns the new length (never more than the old: the output runs behind the
    /// input). (U+3000, the full-width space, takes the full path: no form mapped here becomes
    /// white space, so the ends trimmed before stay the ends.)
    static func compact(_ bytes: UnsafeMutableBufferPointer<UInt8>, from start: Int, to end: Int, width: Bool) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var written = 0, position = start
        // Runs up to the next full-width form move whole (a form's lead byte EF is never a
        // continuation byte, so memchr finds only leads); each form becomes its ASCII byte.
        while position < end {
            let next = width ? memchr(base + position, 0xEF, end - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? end : end
            if next > position {
                if written != position { memmove(base + written, base + position, next - position) }
                written += next - position
                position = next
            }
            guard position + 2 < end else {
                if position < end {
                    if written != position { memmove(base + written, base + position, end - position) }
                    written += end - position
                }
                break
            }
            let second = base[position + 1], third = base[position + 2]
            if second == 0xBC && third >= 0x81 {
                base[written] = third &- 0x80 &+ 0x20  // U+FF01…U+FF3F → '!'…'_'
            } else if second == 0xBD && third <= 0x9E {
                base[written] = third &- 0x80 &+ 0x60  // U+FF40…U+FF5E → '`'…'~'
            } else {
                // Another character led by EF: kept as it is.
                if written != position { memmove(base + written, base + position, 3) }
                written += 3
                position += 3
                continue
            }
            written += 1
            position += 3
        }
        return written
    }

    /// Full NFKC, then trimming (Foundation): for the rare text the scan cannot vouch for.
    static func fullForm(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let string = String(decoding: text, as: UTF8.self)
        return Array(string.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
    }

    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}
