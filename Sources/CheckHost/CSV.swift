/// A small RFC 4180 CSV reader over UTF-8 bytes: quoted fields, doubled quotes, CRLF. Lines
/// starting with `#` (at the start of a record) are comments, as in the reference data.
enum CSV {
    /// The records of `text`, each with the 1-based line it starts on; with `maximumFields`,
    /// fields after that many are skipped (not turned into strings).
    static func records(_ text: String, maximumFields: Int = .max) -> [(line: Int, fields: [String])] {
        var text = text
        return text.withUTF8 { records(bytes: $0, maximumFields: maximumFields) }
    }

    /// The records of `bytes`, as ``records(_:maximumFields:)``.
    static func records(bytes: UnsafeBufferPointer<UInt8>, maximumFields: Int = .max) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        forEachRecord(bytes, maximumFields: maximumFields) { line, fields in
            records.append((line, fields.map { String(decoding: $0, as: UTF8.self) }))
        }
        return records
    }

    /// Calls `body` with each record's first line and its first `maximumFields` fields as UTF-8
    /// bytes (quotes removed, valid only during the call): no string is made for a field the
    /// caller does not keep.
    static func forEachRecord(_ bytes: UnsafeBufferPointer<UInt8>, maximumFields: Int = .max,
                              _ body: (Int, [UnsafeBufferPointer<UInt8>]) throws -> Void) rethrows {
        var text: [UInt8] = []   // the kept fields of the current record, one after another
        var ends: [Int] = []     // where each kept field ends in `text`
        var fieldCount = 0       // fields ended so far in the current record (kept or not)
        var fieldOpen = false    // whether the current field has any content yet
        var line = 1
        var recordLine = 1
        var index = 0
        let count = bytes.count
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(0x0A), carriage = UInt8(0x0D)
        func endField() {
            if fieldCount < maximumFields { ends.append(text.count) }
            fieldCount += 1
            fieldOpen = false
        }
        func endRecord() throws {
            endField()
            try text.withUnsafeBufferPointer { buffer in
                var fields: [UnsafeBufferPointer<UInt8>] = []
                fields.reserveCapacity(ends.count)
                var start = 0
                for end in ends {
                    fields.append(UnsafeBufferPointer(rebasing: buffer[start..<end]))
                    start = end
                }
                try body(recordLine, fields)
            }
            text.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            fieldCount = 0
        }
        while index < count {
            // A comment line at the start of a record.
            if fieldCount == 0 && !fieldOpen && bytes[index] == UInt8(ascii: "#") {
                while index < count && bytes[index] != newline { index += 1 }
                index += 1
                line += 1
                recordLine = line
                continue
            }
            let byte = bytes[index]
            index += 1
            let keep = fieldCount < maximumFields
            switch byte {
            case quote:
                // A quoted field: until the closing quote; "" is a quote.
                fieldOpen = true
                while index < count {
                    let inner = bytes[index]
                    index += 1
                    if inner == quote {
                        if index < count && bytes[index] == quote {
                            if keep { text.append(quote) }
                            index += 1
                        } else {
                            break
                        }
                    } else {
                        if inner == newline { line += 1 }
                        if keep { text.append(inner) }
                    }
                }
            case comma:
                endField()
            case carriage:
                continue
            case newline:
                try endRecord()
                line += 1
                recordLine = line
            default:
                // The run up to the next special byte at once (not copied for a skipped field).
                fieldOpen = true
                let start = index - 1
                while index < count {
                    let next = bytes[index]
                    if next == comma || next == newline || next == carriage || next == quote { break }
                    index += 1
                }
                if keep { text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
            }
        }
        if fieldOpen || fieldCount > 0 { try endRecord() }
    }
}
