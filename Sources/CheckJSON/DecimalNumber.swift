import CCheckABI

/// An exact decimal number: `units × 10^-scale`. A JSON number's decimal text is its value
/// (SPEC §3): shares, amounts, tonnes and kilowatt-hours are read, summed, compared and shown
/// with this type, never as binary floating point (8.3 + 24.1 + 17.6 is exactly 50).
///
/// Values hold at most ``maxIntegerDigits`` digits before the point and ``maxScale`` after it
/// when read; sums may grow past that as long as `units` fits in `Int128`. Equality and order
/// are by value (`34.0 == 34`); ``description`` keeps the digits after the point that were
/// written or that a sum carried (`34.0` stays `34.0`), ``normalized`` drops trailing zeros.
public struct DecimalNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in units of `10^-scale`.
    public let units: Int128
    /// The number of digits after the decimal point, 0 … ``maxScale``.
    public let scale: Int

    /// The most digits after the point a value read or computed may have.
    public static let maxScale = 18
    /// The most digits before the point a value read may have.
    public static let maxIntegerDigits = 18

    /// Zero.
    public static let zero = DecimalNumber(0)
    /// One hundred (per cent of a whole).
    public static let hundred = DecimalNumber(100)

    /// `integer`, exactly.
    public init(_ integer: Int) {
        units = Int128(integer)
        scale = 0
    }

    /// `units × 10^-scale`; nil if `scale` is outside 0 … ``maxScale``.
    public init?(units: Int128, scale: Int) {
        guard scale >= 0 && scale <= DecimalNumber.maxScale else { return nil }
        self.units = units
        self.scale = scale
    }

    /// The value of a JSON number's text (`-12.50`, `1e3`, `3.4E-1`); nil if the text is not a
    /// JSON number, or needs more than ``maxIntegerDigits`` digits before the point or
    /// ``maxScale`` after it (trailing zeros after the point do not count).
    public init?(_ text: String) {
        var text = text
        guard let value = text.withUTF8({ DecimalNumber(utf8: $0) }) else { return nil }
        self = value
    }

    /// The value of a JSON number's text, given as UTF-8 (see ``init(_:)-(String)``).
    public init?(utf8 text: UnsafeBufferPointer<UInt8>) {
        let count = text.count
        // Most numbers in an application are whole and short (`100`, `8000000`): read those in
        // one tight loop; anything else takes the general path below.
        if count > 0 && count <= 18, let base = text.baseAddress, base[0] != UInt8(ascii: "0") || count == 1 {
            var value: UInt64 = 0
            var index = 0
            while index < count {
                let digit = base[index] &- UInt8(ascii: "0")
                guard digit <= 9 else { break }
                value = value &* 10 &+ UInt64(digit)
                index += 1
            }
            if index == count {
                self.init(units: Int128(value), scale: 0)!
                return
            }
        }
        var position = 0
        @inline(__always) func digit(_ at: Int) -> UInt8? {
            guard at < count, text[at] >= 0x30, text[at] <= 0x39 else { return nil }
            return text[at] - 0x30
        }
        let negative = count > 0 && text[0] == UInt8(ascii: "-")
        if negative { position += 1 }
        // The significant digits, at most 37 of them (a value within the limits has at most
        // 36): fewer than 39 cannot overflow `Int128`, so the arithmetic wraps unchecked.
        var significand: Int128 = 0
        var digits = 0
        @inline(__always) func push(_ value: UInt8) -> Bool {
            if significand != 0 || value != 0 { digits += 1 }
            significand = significand &* 10 &+ Int128(value)
            return digits <= 37
        }
        // The integer part (JSON: no leading zeros).
        guard let first = digit(position) else { return nil }
        position += 1
        if first == 0 {
            if digit(position) != nil { return nil }
        } else {
            _ = push(first)
            while let next = digit(position) {
                guard push(next) else { return nil }
                position += 1
            }
        }
        // The fraction: zeros are held back until a digit other than zero follows them, so
        // that trailing zeros never make a value too long to read.
        var fractionDigits = 0, pendingZeros = 0
        if position < count && text[position] == UInt8(ascii: ".") {
            position += 1
            guard digit(position) != nil else { return nil }
            while let next = digit(position) {
                position += 1
                if next == 0 {
                    pendingZeros += 1
                    continue
                }
                for _ in 0..<pendingZeros { guard push(0) else { return nil } }
                fractionDigits += pendingZeros + 1
                pendingZeros = 0
                guard push(next) else { return nil }
            }
        }
        var exponent = 0
        if position < count && (text[position] == UInt8(ascii: "e") || text[position] == UInt8(ascii: "E")) {
            position += 1
            var exponentNegative = false
            if position < count && (text[position] == UInt8(ascii: "+") || text[position] == UInt8(ascii: "-")) {
                exponentNegative = text[position] == UInt8(ascii: "-")
                position += 1
            }
            guard digit(position) != nil else { return nil }
            while let next = digit(position) {
                // Beyond any exponent a value can have: only zero survives it.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(next) }
                position += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        guard position == count else { return nil }
        if significand == 0 {
            self.init(units: 0, scale: 0)!
            return
        }
        // value = significand × 10^-(fractionDigits - exponent); the zeros held back are kept
        // where they fit (`34.0` stays `34.0`, as written).
        var scale = fractionDigits - exponent
        while pendingZeros > 0 && scale < DecimalNumber.maxScale && scale >= 0 && digits < 37 {
            significand = significand &* 10
            digits += 1
            scale += 1
            pendingZeros -= 1
        }
        // Trailing zeros of the significand can absorb a scale beyond the limit.
        while scale > DecimalNumber.maxScale && significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        guard scale <= DecimalNumber.maxScale else { return nil }
        if scale < 0 {
            guard -scale <= 38 else { return nil }
            let (scaled, overflow) = significand.multipliedReportingOverflow(by: DecimalNumber.powerOfTen(-scale))
            guard !overflow else { return nil }
            significand = scaled
            scale = 0
        }
        guard significand < DecimalNumber.powerOfTen(DecimalNumber.maxIntegerDigits + scale) else { return nil }
        self.init(units: negative ? -significand : significand, scale: scale)!
    }

    /// 10^0 … 10^38.
    private static let powersOfTen: [Int128] = {
        var powers: [Int128] = [1]
        for _ in 1...38 { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()

    /// 10^`exponent` (0 … 38).
    @inline(__always) static func powerOfTen(_ exponent: Int) -> Int128 { powersOfTen[exponent] }

    /// `units` written at `scale` (≥ this one's), or nil if that does not fit.
    func units(atScale target: Int) -> Int128? {
        if target == scale { return units }
        let (scaled, overflow) = units.multipliedReportingOverflow(by: DecimalNumber.powerOfTen(target - scale))
        return overflow ? nil : scaled
    }

    /// The exact sum, or nil if it does not fit.
    public func adding(_ other: DecimalNumber) -> DecimalNumber? {
        if scale == other.scale {
            let (sum, overflow) = units.addingReportingOverflow(other.units)
            return overflow ? nil : DecimalNumber(units: sum, scale: scale)
        }
        let target = max(scale, other.scale)
        guard let left = units(atScale: target), let right = other.units(atScale: target) else { return nil }
        let (sum, overflow) = left.addingReportingOverflow(right)
        return overflow ? nil : DecimalNumber(units: sum, scale: target)
    }

    /// The exact difference, or nil if it does not fit.
    public func subtracting(_ other: DecimalNumber) -> DecimalNumber? {
        adding(DecimalNumber(units: -other.units, scale: other.scale)!)
    }

    /// The exact product, or nil if it does not fit or needs more than ``maxScale`` digits
    /// after the point.
    public func multiplied(by other: DecimalNumber) -> DecimalNumber? {
        let (product, overflow) = units.multipliedReportingOverflow(by: other.units)
        guard !overflow else { return nil }
        var value = product, target = scale + other.scale
        while target > DecimalNumber.maxScale && value % 10 == 0 {
            value /= 10
            target -= 1
        }
        return DecimalNumber(units: value, scale: target)
    }

    /// The sum of `values`, or nil if it does not fit.
    public static func sum(_ values: some Sequence<DecimalNumber>) -> DecimalNumber? {
        var total = DecimalNumber.zero
        for value in values {
            guard let next = total.adding(value) else { return nil }
            total = next
        }
        return total
    }

    /// The same value without trailing zeros after the point (`34.0` → `34`).
    public var normalized: DecimalNumber {
        var value = units, target = scale
        while target > 0 && value % 10 == 0 {
            value /= 10
            target -= 1
        }
        return DecimalNumber(units: value, scale: target)!
    }

    /// Whether the value has no fractional part.
    public var isInteger: Bool { normalized.scale == 0 }

    /// The value as an `Int`, if it is an integer that fits.
    public var integerValue: Int? {
        let whole = normalized
        guard whole.scale == 0, whole.units >= Int128(Int.min), whole.units <= Int128(Int.max) else { return nil }
        return Int(whole.units)
    }

    /// Whether the value is below zero.
    public var isNegative: Bool { units < 0 }

    /// The value as written: digits, a point and the digits after it when `scale` > 0
    /// (`33.9`, `-0.5`, `34.0`, `100`). No exponent, no grouping.
    public var description: String { text(grouped: false) }

    /// The value with a comma between groups of three digits before the point
    /// (`6,000,000`, `1,234.5`), for amounts in messages.
    public var grouped: String { text(grouped: true) }

    private func text(grouped: Bool) -> String {
        let negative = units < 0
        let magnitude = negative ? -units : units
        // Digits, least significant first, into a buffer on the stack (39 digits at most),
        // by UInt64 division while the value fits one (Int128 division is a library call).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var count = 0
            if magnitude <= Int128(UInt64.max) {
                var rest = UInt64(magnitude)
                repeat {
                    digits[count] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                    rest /= 10
                    count += 1
                } while rest > 0
            } else {
                var rest = magnitude
                repeat {
                    digits[count] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                    rest /= 10
                    count += 1
                } while rest > 0
            }
            while count <= scale {
                digits[count] = UInt8(ascii: "0")
                count += 1
            }
            let wholeCount = count - scale
            let commas = grouped ? (wholeCount - 1) / 3 : 0
            let length = (negative ? 1 : 0) + wholeCount + commas + (scale > 0 ? 1 + scale : 0)
            return String(unsafeUninitializedCapacity: length) { text in
                var position = 0
                if negative {
                    text[0] = UInt8(ascii: "-")
                    position = 1
                }
                for index in 0..<wholeCount {
                    if grouped && index > 0 && (wholeCount - index) % 3 == 0 {
                        text[position] = UInt8(ascii: ",")
                        position += 1
                    }
                    text[position] = digits[count - 1 - index]
                    position += 1
                }
                if scale > 0 {
                    text[position] = UInt8(ascii: ".")
                    position += 1
                    for index in stride(from: scale - 1, through: 0, by: -1) {
                        text[position] = digits[index]
                        position += 1
                    }
                }
                return position
            }
        }
    }

    /// Equal by value: `34.0 == 34`.
    public static func == (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        compare(lhs, rhs) == 0
    }

    /// Hashes the value (so equal values hash alike whatever their scale).
    public func hash(into hasher: inout Hasher) {
        let value = normalized
        hasher.combine(value.units)
        hasher.combine(value.scale)
    }

    /// Ordered by value.
    public static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// −1, 0 or 1 as `lhs` is below, equal to or above `rhs`, exactly, whatever the scales.
    @inline(__always) static func compare(_ lhs: DecimalNumber, _ rhs: DecimalNumber) -> Int {
        if lhs.scale == rhs.scale { return lhs.units < rhs.units ? -1 : (lhs.units == rhs.units ? 0 : 1) }
        return compareScaled(lhs, rhs)
    }

    /// ``compare(_:_:)`` for different scales.
    static func compareScaled(_ lhs: DecimalNumber, _ rhs: DecimalNumber) -> Int {
        if (lhs.units < 0) != (rhs.units < 0) { return lhs.units < 0 ? -1 : 1 }
        let target = max(lhs.scale, rhs.scale)
        let left = lhs.units(atScale: target), right = rhs.units(atScale: target)
        switch (left, right) {
        case let (left?, right?): return left < right ? -1 : (left == right ? 0 : 1)
        // One side does not fit at the finer scale: its magnitude is the larger.
        case (nil, _): return lhs.units < 0 ? -1 : 1
        case (_, nil): return rhs.units < 0 ? 1 : -1
        }
    }
}

extension JSONNode {
    /// The exact value of a number, read from its source text (not the `Double` in the tape);
    /// nil if this is not a number or the number is beyond ``DecimalNumber``'s limits.
    public var decimal: DecimalNumber? {
        let node = raw
        guard node.kind == CHECK_NUMBER.rawValue else { return nil }
        return DecimalNumber(utf8: textBytes(offset: node.text_offset, length: node.text_length))
    }
}
