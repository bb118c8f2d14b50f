import CheckAPI

/// The shape of a value in an application. One declaration drives both input validation (with
/// JSON paths) and the published JSON Schema (`check schema`), so they cannot drift apart.
indirect enum ValueShape: Sendable {
    case string(nonEmpty: Bool)
    case integer(minimum: Int?)
    /// An exact decimal (see ``DecimalNumber``) within the bounds.
    case number(minimum: DecimalNumber?, maximum: DecimalNumber?)
    case boolean
    case date
    case oneOf([String])
    case constant(Int)
    case currency
    /// `{ "amount": number ≥ 0, "currency": "USD" }` (``ApplicationSchema/moneyObject``).
    case money
    case industryCode
    /// ISO 3166-1 alpha-2 (``CountryCodes``).
    case countryCode
    /// A provincial-level division of the mainland (``Location/provinces``).
    case province
    /// null, or a pilot FTZ area: one of Guangdong's three for a Guangdong project, any name
    /// ending in 片区 elsewhere (``Location``).
    case freeTradeZone
    case object([Field])
    case array(of: ValueShape, minimumCount: Int)
    case nullable(ValueShape)

    /// What an error message says was expected.
    var expectation: String {
        switch self {
        case .string(let nonEmpty): nonEmpty ? "a non-empty string" : "a string"
        case .integer(let minimum): minimum.map { "an integer ≥ \($0)" } ?? "an integer"
        case .number(let minimum, let maximum):
            "a number" + (minimum.map { low in maximum.map { " from \(low.grouped) to \($0.grouped)" } ?? " ≥ \(low.grouped)" } ?? "")
                + " (at most \(DecimalNumber.maxScale) digits after the point)"
        case .boolean: "true or false"
        case .date: "a date YYYY-MM-DD"
        case .oneOf(let values): "one of " + values.map { JSONWriter.quoted($0) }.joined(separator: ", ")
        case .constant(let value): "the number \(value)"
        case .currency: "a currency code of three capital letters (e.g. \"USD\", \"CNY\")"
        case .money: "an amount {\"amount\": number, \"currency\": \"USD\"}"
        case .industryCode: "a GB/T 4754-2017 code (section letter and 2, 3 or 4 digits, e.g. \"C3973\")"
        case .countryCode: "an ISO 3166-1 alpha-2 country or region code in capitals (e.g. \"DE\", \"HK\", \"CN\")"
        case .province: "a provincial-level division of the mainland, e.g. \"广东省\""
        case .freeTradeZone: "null (not in a pilot free trade zone), or a pilot FTZ area: for Guangdong " + Location.guangdongFreeTradeZoneAreas.map { JSONWriter.quoted($0.name) }.joined(separator: ", ") + "; elsewhere the area's name ending in 片区"
        case .object: "an object"
        case .array(let element, let minimumCount):
            minimumCount > 0 ? "an array of at least \(minimumCount) element\(minimumCount == 1 ? "" : "s"), each \(element.expectation)" : "an array, each element \(element.expectation)"
        case .nullable(let shape): shape.expectation + " or null"
        }
    }
}

/// A member of an object shape.
struct Field: Sendable {
    /// The member name.
    let name: String
    /// Its UTF-8 bytes, for matching member names without building strings.
    let nameBytes: [UInt8]
    /// Its shape.
    let shape: ValueShape
    /// Whether a missing member is an input error.
    let required: Bool
    /// What it means (for the JSON Schema).
    let about: String

    static func required(_ name: String, _ shape: ValueShape, _ about: String) -> Field {
        Field(name: name, nameBytes: Array(name.utf8), shape: shape, required: true, about: about)
    }

    static func optional(_ name: String, _ shape: ValueShape, _ about: String) -> Field {
        Field(name: name, nameBytes: Array(name.utf8), shape: shape, required: false, about: about)
    }
}

/// The application format v1 (SPEC §3).
enum ApplicationSchema {
    static let moneyObject: ValueShape = .object([
        .required("amount", .number(minimum: .zero, maximum: nil), "The amount, exactly as a decimal."),
        .required("currency", .currency, "ISO 4217 currency code, e.g. USD, CNY."),
    ])

    static let root: ValueShape = .object([
        .required("schemaVersion", .constant(1), "The format version: 1."),
        .required("id", .string(nonEmpty: true), "The application's identifier, e.g. GD-2026-000123."),
        .required("submittedOn", .date, "Submission date; the default as-of date for choosing rule editions."),
        .optional("applicant", .nullable(.object([
            .optional("name", .string(nonEmpty: false), "The applicant's name."),
            .optional("enterpriseType", .string(nonEmpty: false), "e.g. wfoe, jv."),
        ])), "The applicant."),
        .required("investors", .array(of: .object([
            .optional("name", .string(nonEmpty: false), "The investor's name."),
            .optional("country", .countryCode, "ISO 3166-1 alpha-2 country or region code (CN, HK, MO, TW, DE ...). Hong Kong, Macao, Taiwan and abroad count as foreign whatever `foreign` says."),
            .optional("foreign", .boolean, "Whether the investor is foreign (Hong Kong, Macao and Taiwan investors count as foreign)."),
            .optional("sharePercent", .number(minimum: .zero, maximum: .hundred), "The investor's share of the project, 0-100, an exact decimal; the shares of all investors total 100."),
        ]), minimumCount: 1), "The investors (at least one)."),
        .required("project", .object([
            .required("name", .string(nonEmpty: true), "The project's name."),
            .required("type", .oneOf(["new", "expansion", "merger-acquisition", "rd-centre"]), "The kind of project."),
            .required("location", .object([
                .required("province", .province, "Province, e.g. 广东省 (full or short name)."),
                .optional("city", .nullable(.string(nonEmpty: false)), "City, e.g. 深圳市."),
                .optional("freeTradeZone", .nullable(.freeTradeZone), "The pilot FTZ area, e.g. 前海蛇口片区, or null."),
            ]), "Where the project is."),
            .required("industries", .array(of: .object([
                .required("code", .industryCode, "GB/T 4754-2017 code, e.g. C3973."),
                .optional("name", .string(nonEmpty: false), "The industry's name."),
            ]), minimumCount: 1), "The project's industries (at least one)."),
            .optional("businessScope", .nullable(.string(nonEmpty: false)), "The business scope (经营范围)."),
            .optional("products", .nullable(.array(of: .object([
                .optional("name", .string(nonEmpty: false), "The product's name."),
                .optional("hsCode", .string(nonEmpty: false), "HS code."),
            ]), minimumCount: 0)), "Products."),
            .optional("totalInvestment", .nullable(.money), "Total investment."),
            .optional("chineseControl", .nullable(.boolean), "True where Chinese control rests on grounds other than shares."),
            .optional("capacityReplacement", .nullable(.boolean), "Whether capacity replacement (产能置换) applies."),
            .optional("energy", .nullable(.object([
                .optional("annualConsumptionTce", .nullable(.number(minimum: .zero, maximum: nil)), "Annual comprehensive energy consumption, tonnes of standard coal."),
                .optional("annualElectricityKwh", .nullable(.number(minimum: .zero, maximum: nil)), "Annual electricity consumption, kWh."),
                .optional("energyReviewApproved", .nullable(.boolean), "Whether the energy-conservation review (节能审查) was approved."),
                .optional("lianggaoAssessmentApproved", .nullable(.boolean), "For a 两高 project: whether the provincial assessment (论证) was passed."),
                .optional("efficiencyLevel", .nullable(.oneOf(["benchmark", "baseline", "below-baseline"])), "Energy efficiency against the 能效标杆/基准水平."),
            ])), "Energy use."),
            .optional("environment", .nullable(.object([
                .optional("eiaApproved", .nullable(.boolean), "Whether the environmental impact assessment was approved."),
            ])), "Environmental approvals."),
        ]), "The project."),
        .optional("claims", .nullable(.object([
            .optional("encouragedItem", .nullable(.object([
                .required("edition", .string(nonEmpty: true), "The catalogue edition, e.g. \"2025\"."),
                .required("catalogue", .oneOf(["national", "regional"]), "national (全国目录) or regional (地区目录)."),
                .required("item", .integer(minimum: 1), "The item number."),
            ])), "An item of the encouraged catalogue the project claims."),
            .optional("rdCentreImportExemption", .nullable(.boolean), "Claims the R&D-centre import-tax exemption."),
            .optional("rdCentreVatRefund", .nullable(.boolean), "Claims the domestic-equipment VAT refund."),
        ])), "Benefits claimed."),
        .optional("rdCentre", .nullable(.object([
            .optional("legalForm", .nullable(.oneOf(["independent", "non-independent"])), "Independent legal person or not."),
            .optional("totalInvestment", .nullable(.money), "Total investment (independent legal person)."),
            .optional("totalRdInput", .nullable(.money), "Total R&D input (non-independent)."),
            .optional("fullTimeRdStaff", .nullable(.integer(minimum: 0)), "Full-time R&D staff."),
            .optional("equipmentOriginalValue", .nullable(.money), "Original value of equipment purchased since establishment."),
            .optional("establishedOn", .nullable(.date), "Date of establishment."),
            .optional("certified", .nullable(.boolean), "Whether certified by the provincial commerce department."),
        ])), "R&D-centre facts, for R&D centres."),
    ])
}

/// A problem with one application, named precisely (SPEC §3).
public struct InputProblem: Sendable, Equatable, CustomStringConvertible {
    /// The JSON path.
    public let path: String
    /// What was expected.
    public let expected: String
    /// What was found.
    public let found: String

    /// "$.project.industries[0].code: expected …, found …".
    public var description: String { "\(path): expected \(expected), found \(found)" }
}

/// Validates applications against ``ApplicationSchema``. (A class: one is shared by the
/// threads evaluating side by side, and a validation borrows it, retaining nothing.)
final class ApplicationValidator: Sendable {
    let industries: IndustryTable
    /// ``ApplicationSchema/root`` as flat tables (see ``CompiledSchema``).
    private let schema = CompiledSchema(ApplicationSchema.root)

    init(industries: IndustryTable) {
        self.industries = industries
    }

    /// Every problem of the application at `root` (empty if valid), and, if asked, the paths of
    /// members the format does not define.
    func problems(of root: JSONNode, collectUnknown: Bool = true) -> (errors: [InputProblem], unknownMembers: [String]) {
        var errors: [InputProblem] = []
        var unknown: [String]? = collectUnknown ? [] : nil
        schema.checks.withUnsafeBufferPointer { checks in
            schema.fields.withUnsafeBufferPointer { fields in
                schema.names.withUnsafeBufferPointer { names in
                    schema.bounds.withUnsafeBufferPointer { bounds in
                        var walk = Walk(validator: self, checks: checks, fields: fields, names: names, bounds: bounds, errors: errors, unknown: unknown)
                        walk.check(root, against: 0)
                        errors = walk.errors
                        unknown = walk.unknown
                    }
                }
            }
        }
        return (errors, unknown ?? [])
    }

    /// One validation: the schema's tables, borrowed for its duration, and what it found.
    private struct Walk {
        /// (Unretained: the walk lives inside a call on the validator.)
        unowned(unsafe) let validator: ApplicationValidator
        let checks: UnsafeBufferPointer<CompiledSchema.Check>
        let fields: UnsafeBufferPointer<CompiledSchema.Field>
        let names: UnsafeBufferPointer<UInt8>
        let bounds: UnsafeBufferPointer<(minimum: DecimalNumber?, maximum: DecimalNumber?)>
        var errors: [InputProblem]
        var unknown: [String]?

        mutating func check(_ node: JSONNode, against index: Int) {
            let check = checks[index]
            func fail(_ found: String? = nil) {
                errors.append(InputProblem(path: node.path, expected: validator.schema.shapes[index].expectation, found: found ?? node.summary))
            }
            switch check.kind {
            case .nullable:
                if !node.isNull { self.check(node, against: check.child) }
            case .string:
                guard node.kind == .string, check.count == 0 || !node.stringBytes.isEmpty else { return fail(node.kind == .string ? "an empty string" : nil) }
            case .integer:
                let bound = bounds[index]
                guard let value = node.integer, bound.minimum.map({ DecimalNumber(value) >= $0 }) ?? true else { return fail(validator.numberFound(node)) }
            case .number:
                let bound = bounds[index]
                guard let value = node.decimal, bound.minimum.map({ value >= $0 }) ?? true, bound.maximum.map({ value <= $0 }) ?? true else {
                    return fail(validator.numberFound(node))
                }
            case .boolean:
                guard node.bool != nil else { return fail() }
            case .date:
                guard node.kind == .string, Day(utf8: node.stringBytes) != nil else { return fail() }
            case .oneOf:
                let text = node.stringBytes
                guard node.kind == .string, (check.child..<check.child + check.count).contains(where: { name($0, equals: text) }) else { return fail() }
            case .constant:
                guard node.integer == check.count else { return fail() }
            case .currency:
                let text = node.stringBytes
                guard node.kind == .string, text.count == 3, text.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return fail() }
            case .industryCode:
                guard node.kind == .string else { return fail() }
                guard validator.industries.contains(utf8: node.stringBytes) else {
                    let code = node.string!
                    let nearest = validator.industries.nearest(to: code)
                    return fail("unknown code \(JSONWriter.quoted(JSONFieldError.excerpt(code)))" + (nearest.isEmpty ? "" : "; nearest valid codes: " + nearest.joined(separator: ", ")))
                }
            case .countryCode:
                guard node.kind == .string else { return fail() }
                guard CountryCodes.contains(utf8: node.stringBytes) else {
                    let text = node.string ?? ""
                    let nearest = CountryCodes.nearest(to: text)
                    return fail("\(JSONWriter.quoted(JSONFieldError.excerpt(text)))" + (nearest.isEmpty ? "" : "; nearest codes: " + nearest.joined(separator: ", ")))
                }
            case .province:
                guard node.kind == .string else { return fail() }
                guard Location.province(utf8: node.stringBytes) != nil else {
                    return fail("\(JSONWriter.quoted(JSONFieldError.excerpt(node.string ?? "")))" + "; known values: " + Location.provinces.map(\.name).joined(separator: "、"))
                }
            case .freeTradeZone:
                guard node.kind == .string else { return fail() }
                let province = node.parent?["province"].flatMap { $0.kind == .string ? Location.province(utf8: $0.stringBytes) : nil }
                let area = Location.guangdongFreeTradeZoneArea(utf8: node.stringBytes)
                if province == Location.guangdong || (province == nil && area != nil) {
                    guard area != nil else { return fail("\(JSONWriter.quoted(JSONFieldError.excerpt(node.string ?? ""))), not an area of the Guangdong pilot FTZ") }
                } else if let area {
                    return fail("\(JSONWriter.quoted(node.string ?? "")), an area of the Guangdong pilot FTZ (\(area.city)), but the project is in \(province?.name ?? "another province")")
                } else if let name = node.string, !Location.looksLikeFreeTradeZoneArea(name) {
                    return fail("\(JSONWriter.quoted(JSONFieldError.excerpt(name))), not the name of an FTZ area (片区)")
                }
            case .array:
                guard node.kind == .array, node.count >= check.count else {
                    return fail(node.kind == .array ? "an array of \(node.count)" : nil)
                }
                for child in node.children { self.check(child, against: check.child) }
            case .object:
                guard node.kind == .object else { return fail() }
                checkMembers(of: node, fields: check.child..<check.child + check.count)
            }
        }

        /// Whether two of the members of `node` whose ordinals are the bits of `ordinals` have the
        /// same name.
        private static func namesRepeat(among ordinals: UInt64, of node: JSONNode) -> Bool {
            for (later, member) in node.children.enumerated() where later < 64 && ordinals & (1 &<< later) != 0 {
                for (earlier, other) in node.children.prefix(later).enumerated()
                where ordinals & (1 &<< earlier) != 0 && bytesEqual(other.keyBytes, member.keyBytes) {
                    return true
                }
            }
            return false
        }

        /// Whether value name `position` (an oneOf value or a field name) is `text`.
        private func name(_ position: Int, equals text: UnsafeBufferPointer<UInt8>) -> Bool {
            let field = fields[position]
            return field.nameLength == text.count
                && bytesEqual(UnsafeBufferPointer(rebasing: names[field.nameOffset..<field.nameOffset + field.nameLength]), text)
        }

        /// The field of `range` named `name`, looked for from `next` on and then from the start
        /// (members usually come in the schema's order, so the first comparison tends to match);
        /// `next` moves past a field found.
        private func field(named name: UnsafeBufferPointer<UInt8>, in range: Range<Int>, next: inout Int) -> Int? {
            let found = (next..<range.upperBound).first { self.name($0, equals: name) }
                ?? (range.lowerBound..<next).first { self.name($0, equals: name) }
            if let found { next = found + 1 }
            return found
        }

        /// One pass over the members: check each against its field, note unknown ones and the
        /// first member whose name came before (reported ahead of the members' errors).
        private mutating func checkMembers(of node: JSONNode, fields range: Range<Int>) {
            let firstError = errors.count
            var duplicate: (name: String, path: String)? = nil
            var present: UInt64 = 0  // bit per field (an object shape has fewer than 64)
            var unknownCount = 0
            var unknownOrdinals: UInt64 = 0  // bit per member (of the first 64) outside the schema
            var next = range.lowerBound
            for (ordinal, child) in node.children.enumerated() {
                guard let position = field(named: child.keyBytes, in: range, next: &next) else {
                    unknownCount += 1
                    unknown?.append(child.path)
                    if ordinal < 64 { unknownOrdinals |= 1 &<< ordinal }
                    continue
                }
                let bit: UInt64 = 1 &<< (position - range.lowerBound)
                if present & bit != 0 {
                    if duplicate == nil { duplicate = (child.key ?? "", child.path) }
                    continue
                }
                present |= bit
                check(child, against: fields[position].shape)
            }
            // Names outside the schema have no bit: when two of them are the same, the whole
            // object is searched for its first repeated name.
            if unknownCount > 1 && (node.count > 64 || Walk.namesRepeat(among: unknownOrdinals, of: node)) { duplicate = node.duplicateMember }
            if let duplicate {
                errors.insert(InputProblem(path: duplicate.path, expected: "each member name once",
                                           found: "\(JSONWriter.quoted(JSONFieldError.excerpt(duplicate.name))) twice"), at: firstError)
            }
            for position in range where fields[position].required && present & (1 << (position - range.lowerBound)) == 0 {
                let field = fields[position]
                let name = String(decoding: names[field.nameOffset..<field.nameOffset + field.nameLength], as: UTF8.self)
                errors.append(InputProblem(path: node.path + JSONPath.member(name), expected: validator.schema.shapes[field.shape].expectation,
                                           found: "nothing (the field is missing)"))
            }
        }
    }

    fileprivate func numberFound(_ node: JSONNode) -> String? {
        guard node.kind == .number else { return nil }
        return node.decimal != nil ? "number \(node.jsonText)" : "number \(JSONFieldError.excerpt(node.jsonText)) (beyond what an exact decimal holds)"
    }
}

/// A ``ValueShape`` tree flattened for validation: plain values in arrays, read through buffers
/// that are borrowed once per application, so checking a value costs no reference counting
/// (walking the enum tree retained and released its payloads at every node).
struct CompiledSchema: Sendable {
    /// What a ``Check`` checks.
    enum Kind: UInt8, Sendable {
        case string, integer, number, boolean, date, oneOf, constant, currency, industryCode, countryCode, province, freeTradeZone, object, array, nullable
    }

    /// One shape. `child` and `count` mean: object — its fields `fields[child..<child+count]`;
    /// oneOf — its values, also in `fields` (names only); array — the element shape and the
    /// minimum count; nullable — the inner shape; string — `count` 1 if it must not be empty;
    /// constant — `count` is the value.
    struct Check: Sendable {
        var kind: Kind
        var child = 0
        var count = 0
    }

    /// An object member (or an allowed oneOf value): its name in `names`, its shape.
    struct Field: Sendable {
        var nameOffset: Int
        var nameLength: Int
        var shape = 0
        var required = false
    }

    private(set) var checks: [Check] = []
    /// Per check, the bounds of an integer or number (kept apart: read for numbers only, they
    /// would have made every check several times larger to copy).
    private(set) var bounds: [(minimum: DecimalNumber?, maximum: DecimalNumber?)] = []
    private(set) var fields: [Field] = []
    private(set) var names: [UInt8] = []
    /// The shape each check came from, for error messages (parallel to `checks`).
    private(set) var shapes: [ValueShape] = []

    init(_ root: ValueShape) {
        _ = add(root)
    }

    private mutating func name(_ text: String) -> Field {
        let field = Field(nameOffset: names.count, nameLength: text.utf8.count)
        names.append(contentsOf: text.utf8)
        return field
    }

    /// Adds `shape` and what it contains; returns its index in `checks`.
    private mutating func add(_ shape: ValueShape) -> Int {
        if case .money = shape { return add(ApplicationSchema.moneyObject) }
        let index = checks.count
        checks.append(Check(kind: .boolean))
        bounds.append((nil, nil))
        shapes.append(shape)
        var check: Check
        switch shape {
        case .string(let nonEmpty): check = Check(kind: .string, count: nonEmpty ? 1 : 0)
        case .integer(let minimum):
            check = Check(kind: .integer)
            bounds[index] = (minimum.map(DecimalNumber.init), nil)
        case .number(let minimum, let maximum):
            check = Check(kind: .number)
            bounds[index] = (minimum, maximum)
        case .boolean: check = Check(kind: .boolean)
        case .date: check = Check(kind: .date)
        case .oneOf(let values):
            check = Check(kind: .oneOf, child: fields.count, count: values.count)
            for value in values { fields.append(name(value)) }
        case .constant(let value): check = Check(kind: .constant, count: value)
        case .currency: check = Check(kind: .currency)
        case .industryCode: check = Check(kind: .industryCode)
        case .countryCode: check = Check(kind: .countryCode)
        case .province: check = Check(kind: .province)
        case .freeTradeZone: check = Check(kind: .freeTradeZone)
        case .money: preconditionFailure("replaced by its object above")
        case .object(let members):
            precondition(members.count < 64, "an object shape has fewer than 64 fields")
            check = Check(kind: .object, child: fields.count, count: members.count)
            for member in members { fields.append(name(member.name)) }
            for (offset, member) in members.enumerated() {
                fields[check.child + offset].shape = add(member.shape)
                fields[check.child + offset].required = member.required
            }
        case .array(let element, let minimumCount): check = Check(kind: .array, child: add(element), count: minimumCount)
        case .nullable(let inner): check = Check(kind: .nullable, child: add(inner))
        }
        checks[index] = check
        return index
    }
}

/// The JSON Schema (draft 2020-12) of the application format, generated from
/// ``ApplicationSchema`` so it says exactly what the validator checks.
public enum ApplicationJSONSchema {
    /// The schema as pretty-printed JSON, with the valid GB/T 4754-2017 codes of `industries`.
    public static func render(industries: IndustryTable) -> String {
        var writer = JSONWriter(indent: 2)
        writer.beginObject()
        writer.field("$schema", "https://json-schema.org/draft/2020-12/schema")
        writer.field("$id", "urn:check:schema:application:v1")
        writer.field("title", "Foreign-investment project application, format v1")
        writer.field("description", "One application (SPEC §3). Members not listed are allowed and ignored. Dates use the 'date' format (YYYY-MM-DD, a real calendar day). Member names must be unique (JSON Schema cannot say so; check validate does).")
        write(ApplicationSchema.root, about: nil, to: &writer, inline: true)
        writer.key("$defs")
        writer.beginObject()
        writer.key("industryCode")
        writer.beginObject()
        writer.field("description", "A GB/T 4754-2017 code: section letter and 2, 3 or 4 digits (division, group or class).")
        writer.field("type", "string")
        writer.key("enum")
        writer.beginArray()
        for code in industries.codes { writer.string(code) }
        writer.endArray()
        writer.endObject()
        writer.key("money")
        write(ApplicationSchema.moneyObject, about: "An amount with its ISO 4217 currency.", to: &writer)
        writer.endObject()
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self) + "\n"
    }

    /// Writes the keywords of `shape`; `inline` writes them into the object already open.
    static func write(_ shape: ValueShape, about: String?, to writer: inout JSONWriter, inline: Bool = false) {
        if !inline { writer.beginObject() }
        if let about { writer.field("description", about) }
        switch shape {
        case .string(let nonEmpty):
            writer.field("type", "string")
            if nonEmpty { writer.field("minLength", 1) }
        case .integer(let minimum):
            writer.field("type", "integer")
            if let minimum { writer.field("minimum", minimum) }
        case .number(let minimum, let maximum):
            writer.field("type", "number")
            if let minimum { writer.key("minimum"); writer.raw(minimum.description) }
            if let maximum { writer.key("maximum"); writer.raw(maximum.description) }
        case .boolean:
            writer.field("type", "boolean")
        case .date:
            writer.field("type", "string")
            writer.field("format", "date")
            writer.field("pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
        case .oneOf(let values):
            writer.key("enum")
            writer.beginArray()
            values.forEach { writer.string($0) }
            writer.endArray()
        case .constant(let value):
            writer.field("const", value)
        case .currency:
            writer.field("type", "string")
            writer.field("pattern", "^[A-Z]{3}$")
        case .industryCode:
            writer.field("$ref", "#/$defs/industryCode")
        case .countryCode:
            writer.field("type", "string")
            writer.key("enum")
            writer.beginArray()
            CountryCodes.all.forEach { writer.string($0.code) }
            writer.endArray()
        case .province:
            writer.field("type", "string")
            writer.key("enum")
            writer.beginArray()
            for province in Location.provinces {
                writer.string(province.name)
                writer.string(province.shortName)
                writer.string(province.pinyin)
            }
            writer.endArray()
        case .freeTradeZone:
            writer.field("type", "string")
            writer.field("pattern", "片区$")
        case .money:
            writer.field("$ref", "#/$defs/money")
        case .object(let fields):
            writer.field("type", "object")
            writer.key("properties")
            writer.beginObject()
            for field in fields {
                writer.key(named: field.name)
                write(field.shape, about: field.about, to: &writer)
            }
            writer.endObject()
            let required = fields.filter(\.required).map(\.name)
            if !required.isEmpty {
                writer.key("required")
                writer.beginArray()
                required.forEach { writer.string($0) }
                writer.endArray()
            }
        case .array(let element, let minimumCount):
            writer.field("type", "array")
            writer.key("items")
            write(element, about: nil, to: &writer)
            if minimumCount > 0 { writer.field("minItems", minimumCount) }
        case .nullable(let inner):
            writer.key("anyOf")
            writer.beginArray()
            write(inner, about: nil, to: &writer)
            writer.beginObject()
            writer.field("type", "null")
            writer.endObject()
            writer.endArray()
        }
        if !inline { writer.endObject() }
    }

}
