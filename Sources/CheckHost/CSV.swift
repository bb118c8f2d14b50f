/// A small RFC 4180 CSV reader over UTF-8 bytes: quoted fields, doubled quotes, CRLF. Lines
/// starting with `#` (at the start of a record) are comments, as in the reference data.
enum CSV {
    /// The records of `text`, each with the 1-based line it starts on; with `maximumFields`,
    /// fields after that many are skipped (not turned into strings).
    static func records(_ text: String, maximumFields: Int = .max) -> [(line: Int, fields: [String])] {
        var text = text
        return text.withUTF8 { records(bytes: $0, maximumFields: maximumFields) }
    }

    static func records(bytes: UnsafeBufferPointer<UInt8>, maximumFields: Int = .max) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var index = 0
        let count = bytes.count
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(0x0A), carriage = UInt8(0x0D)
        func endField() {
            if fields.count < maximumFields { fields.append(String(decoding: field, as: UTF8.self)) }
            field.removeAll(keepingCapacity: true)
        }
        while index < count {
            // A comment line at the start of a record.
            if fields.isEmpty && field.isEmpty && bytes[index] == UInt8(ascii: "#") {
                while index < count && bytes[index] != newline { index += 1 }
                index += 1
                line += 1
                recordLine = line
                continue
            }
            let byte = bytes[index]
            index += 1
            switch byte {
            case quote:
                // A quoted field: until the closing quote; "" is a quote.
                while index < count {
                    let inner = bytes[index]
                    index += 1
                    if inner == quote {
                        if index < count && bytes[index] == quote {
                            field.append(quote)
                            index += 1
                        } else {
                            break
                        }
                    } else {
                        if inner == newline { line += 1 }
                        field.append(inner)
                    }
                }
            case comma:
                endField()
            case carriage:
                continue
            case newline:
                endField()
                records.append((recordLine, fields))
                fields = []
                line += 1
                recordLine = line
            default:
                // The run up to the next special byte at once (not copied for a skipped field).
                let start = index - 1
                while index < count {
                    let next = bytes[index]
                    if next == comma || next == newline || next == carriage || next == quote { break }
                    index += 1
                }
                if fields.count < maximumFields { field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            records.append((recordLine, fields))
        }
        return records
    }
}
