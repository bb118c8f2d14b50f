import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Shares, amounts and thresholds are exact decimals (SPEC §3).
final class DecimalTests: XCTestCase {
    /// A seeded generator (the same cases every run).
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// `thousandths` written with `places` decimals (1–3), trailing zeros kept: 12200, 1 → "12.2".
    func text(_ thousandths: Int, places: Int) -> String {
        let whole = thousandths / 1000, fraction = thousandths % 1000
        let digits = String(format: "%03d", fraction).prefix(places)
        return "\(whole).\(digits)"
    }

    /// Random splits of a shareholding, each share written with 1–3 decimals: the decimal sums
    /// decide 100 %, more than 50 % and at least 34 % exactly as integer arithmetic on the
    /// values scaled by 1000 does — 10,000 cases, a third of them at the boundaries.
    func testDecimalSumsDecideAsScaledIntegersDo() throws {
        var random = Random(state: 0x5EED_0021)
        var boundaries = 0
        for _ in 0..<10_000 {
            let count = 2 + random.next(5)
            let places = 1 + random.next(3)
            let unit = [100, 10, 1][places - 1]  // thousandths per last digit
            // Shares summing to 100 exactly, or off by one unit, or anything.
            var shares = (0..<count).map { _ in random.next(100_000 / count / unit + 1) * unit }
            switch random.next(3) {
            case 0: shares[count - 1] = 100_000 - shares.dropLast().reduce(0, +)
            case 1: shares[count - 1] = 100_000 - shares.dropLast().reduce(0, +) + (random.next(2) == 0 ? unit : -unit)
            default: break
            }
            guard shares.allSatisfy({ $0 >= 0 && $0 <= 100_000 }) else { continue }
            let chineseCount = 1 + random.next(count - 1)
            // Put the Chinese side on a boundary now and then: exactly 50 or 34.
            if random.next(3) == 0, chineseCount < count {
                let target = random.next(2) == 0 ? 50_000 : 34_000
                let rest = shares.prefix(chineseCount - 1).reduce(0, +)
                if target - rest >= 0 && (target - rest) % unit == 0 {
                    shares[chineseCount - 1] = target - rest
                    boundaries += 1
                }
            }
            let written = shares.map { text($0, places: places) }
            let decimals = try written.map { try XCTUnwrap(DecimalNumber($0), $0) }
            let total = try XCTUnwrap(DecimalNumber.sum(decimals))
            let chinese = try XCTUnwrap(DecimalNumber.sum(decimals.prefix(chineseCount)))
            let integerTotal = shares.reduce(0, +), integerChinese = shares.prefix(chineseCount).reduce(0, +)
            XCTAssertEqual(total == .hundred, integerTotal == 100_000, "\(written)")
            XCTAssertEqual(chinese > DecimalNumber(50), integerChinese > 50_000, "\(written)")
            XCTAssertEqual(chinese >= DecimalNumber(34), integerChinese >= 34_000, "\(written)")
            XCTAssertEqual(total.normalized.description, DecimalNumber(units: Int128(integerTotal), scale: 3)!.normalized.description)
        }
        XCTAssertGreaterThan(boundaries, 1_000)
    }

    /// The same splits through the negative list: a nuclear plant's restricted finding is
    /// review when the shares do not total exactly 100, else pass exactly when the Chinese side
    /// holds more than 50 (1,000 cases).
    func testTheNegativeListDecidesSharesExactly() throws {
        let session = try makeSession()
        let template = try String(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/fail--nuclear-power-foreign-control.json"), encoding: .utf8)
        let start = try XCTUnwrap(template.range(of: "\"investors\": [")), end = try XCTUnwrap(template.range(of: "],\n  \"project\""))
        var random = Random(state: 0xC0FF_EE21)
        for _ in 0..<1_000 {
            let places = 1 + random.next(3), unit = [100, 10, 1][places - 1]
            let foreign = random.next(100_000 / unit + 1) * unit
            var chinese = [random.next((100_000 - foreign) / unit + 1) * unit]
            chinese.append(100_000 - foreign - chinese[0] + [0, 0, unit, -unit][random.next(4)])
            guard chinese[1] >= 0 else { continue }
            var investors = [#"{"name": "F", "country": "FR", "foreign": true, "sharePercent": \#(text(foreign, places: places))}"#]
            investors += chinese.map { #"{"name": "C", "country": "CN", "foreign": false, "sharePercent": \#(text($0, places: places))}"# }
            let application = template.replacingCharacters(in: start.upperBound..<end.lowerBound, with: investors.joined(separator: ", "))
            let result = session.evaluate(Array(application.utf8), source: "split")
            let verdict = result.findings.filter { $0.rule == "negative-list/restricted" }.map(\.verdict).worst
            let total = foreign + chinese.reduce(0, +), held = chinese.reduce(0, +)
            let expected: Verdict = total != 100_000 ? .review : (held > 50_000 ? .pass : .fail)
            XCTAssertEqual(verdict, expected, investors.joined(separator: ", "))
        }
    }

    func testParsingAndWriting() throws {
        let cases: [(String, String?)] = [
            ("0", "0"), ("-0", "0"), ("33.9", "33.9"), ("33.90", "33.90"), ("1e3", "1000"), ("1E+3", "1000"), ("1.5e-2", "0.015"),
            ("0.000000000000000001", "0.000000000000000001"), ("1.0000000000000000000000000000000000000000", "1.000000000000000000"),
            ("999999999999999999", "999999999999999999"), ("1000000000000000000", nil), ("1e-19", nil), ("1e400", nil),
            ("01", nil), ("1.", nil), (".5", nil), ("+1", nil), ("1e", nil), ("", nil), ("abc", nil),
        ]
        for (text, written) in cases { XCTAssertEqual(DecimalNumber(text)?.description, written, text) }
        XCTAssertEqual(DecimalNumber("34.0"), DecimalNumber(34))
        XCTAssertEqual(Set([DecimalNumber("34.0")!, DecimalNumber(34)]).count, 1, "equal values hash alike")
        XCTAssertTrue(DecimalNumber("33.999999999999999999")! < DecimalNumber(34))
        XCTAssertTrue(DecimalNumber("-0.5")! < .zero)
        XCTAssertEqual(DecimalNumber("8000000")!.multiplied(by: DecimalNumber("0.1389")!)?.normalized.description, "1111200")
        XCTAssertEqual(DecimalNumber("100")!.subtracting(DecimalNumber("99.99")!)?.description, "0.01")
    }

    /// No report shows a number the input did not contain: a decimal with four or more digits
    /// after the point, or a run of seven or more digits, must be in the applications or the
    /// rule data (`50.105427` or `33.999999` from binary floating point would not be). Every
    /// format, both languages, the examples and the edge cases (8.3 + 24.1 + 17.6 among them).
    func testReportsShowOnlyNumbersTheInputHolds() throws {
        var corpus = ""
        let edgeCases = TestPaths.fixtures.appendingPathComponent("edge-cases")
        for folder in [TestPaths.examples, TestPaths.rules, edgeCases] {
            for file in try FileManager.default.subpathsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") || file.hasSuffix(".txt") || file.hasSuffix(".md") || file.hasSuffix(".csv") {
                corpus += (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) ?? ""
            }
        }
        let pattern = try NSRegularExpression(pattern: #"[0-9]+\.[0-9]{4,}|[0-9]{7,}"#)
        var checked = 0
        for format in ["text", "json", "jsonl", "junit", "markdown", "html"] {
            for language in ["zh", "en"] {
                let output = try check(["--format", format, "--lang", language, "examples/", edgeCases.path])
                XCTAssertEqual(output.status, 1, "\(format) \(language): \(output.stderr)")
                let text = output.stdout as NSString
                for match in pattern.matches(in: output.stdout, range: NSRange(location: 0, length: text.length)) {
                    let number = text.substring(with: match.range)
                    XCTAssertTrue(corpus.contains(number), "\(format) \(language) shows \(number), which no input holds")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 50, "the reports do show long numbers (amounts, kWh): the check has something to look at")
    }
}

