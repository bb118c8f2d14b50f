/// A calendar date (proleptic Gregorian), as written in applications and rule data:
/// `YYYY-MM-DD`. Editions and policy windows are chosen by comparing days.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, 1...9999.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...31.
    public let day: Int

    /// A day, if the components form a valid date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= Day.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`; nil for anything else, including impossible dates.
    public init?(_ text: String) {
        var text = text
        guard let day = text.withUTF8({ Day(utf8: $0) }) else { return nil }
        self = day
    }

    /// Parses exactly `YYYY-MM-DD` from UTF-8 bytes (e.g. a string value on the tape, uncopied).
    /// Not generic: the generic version, called from another module, ran unspecialised through
    /// protocol witnesses at ~14,000 instructions a date (callgrind); this takes tens.
    public init?(utf8 text: UnsafeBufferPointer<UInt8>) {
        guard text.count == 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        // Ten bytes written in place (a report prints days for most applications).
        String(unsafeUninitializedCapacity: 10) { text in
            DecimalDigits.write(year, width: 4, into: text, at: 0)
            text[4] = UInt8(ascii: "-")
            DecimalDigits.write(month, width: 2, into: text, at: 5)
            text[7] = UInt8(ascii: "-")
            DecimalDigits.write(day, width: 2, into: text, at: 8)
            return 10
        }
    }

    /// Chronological order.
    public static func < (lhs: Day, rhs: Day) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The day before this one.
    public var previous: Day {
        if day > 1 { return Day(year: year, month: month, day: day - 1)! }
        if month > 1 { return Day(year: year, month: month - 1, day: Day.daysIn(month: month - 1, year: year))! }
        return Day(year: year - 1, month: 12, day: 31)!
    }

    /// The day after this one.
    public var next: Day {
        if day < Day.daysIn(month: month, year: year) { return Day(year: year, month: month, day: day + 1)! }
        if month < 12 { return Day(year: year, month: month + 1, day: 1)! }
        return Day(year: year + 1, month: 1, day: 1)!
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A span of days, both ends inclusive; an open end is nil.
public struct DayRange: Sendable, Hashable, CustomStringConvertible {
    /// The first day, or nil if open.
    public let from: Day?
    /// The last day (inclusive), or nil if open.
    public let through: Day?

    /// A range from `from` through `through`.
    public init(from: Day?, through: Day?) {
        self.from = from
        self.through = through
    }

    /// Whether `day` lies in the range.
    public func contains(_ day: Day) -> Bool {
        if let from, day < from { return false }
        if let through, day > through { return false }
        return true
    }

    /// "2021-01-01 … 2025-12-31", "2024-11-01 …".
    public var description: String {
        let start = from?.description ?? "…"
        guard let through else { return start + " …" }
        return start + " … " + through.description
    }
}
