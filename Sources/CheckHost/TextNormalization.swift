import CCheckABI
import CheckAPI
import Foundation

/// Text fields are compared after trimming surrounding white space and Unicode normalisation
/// (NFKC, which turns full-width forms into their ASCII counterparts) — SPEC §3. The host
/// normalises every string value of an application once, right after reading it, so the
/// validator, every plugin (Swift or C, in this process or a worker) and the reports see the
/// same text: `"广东省 "` is `广东省`, `（不含文物）` is `(不含文物)`, `Ｃ３９７３` is `C3973`.
public enum TextNormalization {
    /// Normalises every string value of `document` in place: a string that changes gets its
    /// normalised copy appended to the text buffer (like an unescaped string) and its node
    /// pointed at it; the source bytes are not touched. Member names are left as they are.
    public static func normalize(_ document: inout JSONDocument) {
        var changed: [(node: Int, bytes: [UInt8])] = []
        document.text.withUnsafeBufferPointer { text in
            for index in document.nodes.indices where document.nodes[index].kind == CHECK_STRING.rawValue {
                let node = document.nodes[index]
                let bytes = UnsafeBufferPointer(rebasing: text[Int(node.text_offset)..<Int(node.text_offset) + Int(node.text_length)])
                if let normalized = normalized(bytes) { changed.append((index, normalized)) }
            }
        }
        guard !changed.isEmpty else { return }
        for (index, bytes) in changed { document.replaceString(ofNode: index, with: bytes) }
    }

    /// The normalised form of `text`, or nil when it is already normalised (most values: ASCII
    /// and CJK ideographs without surrounding white space are checked byte by byte, without
    /// building a `String`).
    public static func normalized(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var needsFullForm = false, needsWidth = false
        var index = 0
        let count = text.count
        while index < count {
            let byte = text[index]
            if byte < 0x80 {
                index += 1
                continue
            }
            // Three-byte sequences that NFKC leaves alone, or maps by width only.
            if byte >= 0xE4 && byte <= 0xE9 {
                index += 3  // U+4000…U+9FFF: CJK ideographs (and the hexagram symbols): no decomposition
                continue
            }
            if index + 2 < count {
                let second = text[index + 1], third = text[index + 2]
                if byte == 0xE3 && second == 0x80 && third >= 0x81 && third <= 0xA9 {
                    index += 3  // U+3001…U+3029: 、。〃〄々〆〇〈〉《》「」『』【】〒〓〔〕〖〗〘〙〚〛〜〝〞〟〠 and Hangzhou numerals
                    continue
                }
                if byte == 0xE3 && second >= 0x90 {
                    index += 3  // U+3400…U+3FFF: CJK ideographs (extension A)
                    continue
                }
                if byte == 0xE2 && second == 0x80 && [0x94, 0x98, 0x99, 0x9C, 0x9D].contains(third) {
                    index += 3  // — ‘ ’ “ ”
                    continue
                }
                if byte == 0xEF && ((second == 0xBC && third >= 0x81) || (second == 0xBD && third <= 0x9E)) {
                    needsWidth = true  // U+FF01…U+FF5E: full-width ASCII
                    index += 3
                    continue
                }
            }
            if byte == 0xC2 && index + 1 < count && text[index + 1] == 0xB7 {
                index += 2  // ·
                continue
            }
            needsFullForm = true
            break
        }
        if needsFullForm {
            let string = String(decoding: text, as: UTF8.self)
            let result = Array(string.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            return result.elementsEqual(text) ? nil : result
        }
        // ASCII white space at either end (other white space took the full path).
        var start = 0, end = count
        while start < end && isASCIISpace(text[start]) { start += 1 }
        while end > start && isASCIISpace(text[end - 1]) { end -= 1 }
        guard needsWidth || start > 0 || end < count else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(end - start)
        var position = start
        while position < end {
            let byte = text[position]
            if needsWidth && byte == 0xEF && position + 2 < end {
                let second = text[position + 1], third = text[position + 2]
                if second == 0xBC && third >= 0x81 {
                    result.append(third - 0x80 + 0x20)  // U+FF01…U+FF3F → '!'…'_'
                    position += 3
                    continue
                }
                if second == 0xBD && third <= 0x9E {
                    result.append(third - 0x80 + 0x60)  // U+FF40…U+FF5E → '`'…'~'
                    position += 3
                    continue
                }
            }
            result.append(byte)
            position += 1
        }
        // (U+3000, the full-width space, takes the full path: no full-width form mapped here
        // becomes white space, so the ends trimmed above stay the ends.)
        return result
    }

    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}
