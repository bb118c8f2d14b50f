import CheckAPI

/// The shape of a value in an application. One declaration drives both input validation (with
/// JSON paths) and the published JSON Schema (`check schema`), so they cannot drift apart.
indirect enum ValueShape: Sendable {
    case string(nonEmpty: Bool)
    case integer(minimum: Int?)
    case number(minimum: Double?, maximum: Double?)
    case boolean
    case date
    case oneOf([String])
    case constant(Int)
    case currency
    /// `{ "amount": number ≥ 0, "currency": "USD" }` (``ApplicationSchema/moneyObject``).
    case money
    case industryCode
    case object([Field])
    case array(of: ValueShape, minimumCount: Int)
    case nullable(ValueShape)

    /// What an error message says was expected.
    var expectation: String {
        switch self {
        case .string(let nonEmpty): nonEmpty ? "a non-empty string" : "a string"
        case .integer(let minimum): minimum.map { "an integer ≥ \($0)" } ?? "an integer"
        case .number(let minimum, let maximum):
            switch (minimum, maximum) {
            case let (low?, high?): "a number from \(formatAmount(low)) to \(formatAmount(high))"
            case let (low?, nil): "a number ≥ \(formatAmount(low))"
            default: "a number"
            }
        case .boolean: "true or false"
        case .date: "a date YYYY-MM-DD"
        case .oneOf(let values): "one of " + values.map { JSONWriter.quoted($0) }.joined(separator: ", ")
        case .constant(let value): "the number \(value)"
        case .currency: "a currency code of three capital letters (e.g. \"USD\", \"CNY\")"
        case .money: "an amount {\"amount\": number, \"currency\": \"USD\"}"
        case .industryCode: "a GB/T 4754-2017 code (section letter and 2, 3 or 4 digits, e.g. \"C3973\")"
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
        .required("amount", .number(minimum: 0, maximum: nil), "The amount."),
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
            .optional("country", .string(nonEmpty: false), "ISO country or region code."),
            .optional("foreign", .boolean, "Whether the investor is foreign (Hong Kong, Macao and Taiwan investors count as foreign)."),
            .optional("sharePercent", .number(minimum: 0, maximum: 100), "The investor's share of the project, 0-100."),
        ]), minimumCount: 1), "The investors (at least one)."),
        .required("project", .object([
            .required("name", .string(nonEmpty: true), "The project's name."),
            .required("type", .oneOf(["new", "expansion", "merger-acquisition", "rd-centre"]), "The kind of project."),
            .required("location", .object([
                .required("province", .string(nonEmpty: true), "Province, e.g. 广东省."),
                .optional("city", .nullable(.string(nonEmpty: false)), "City, e.g. 深圳市."),
                .optional("freeTradeZone", .nullable(.string(nonEmpty: false)), "The pilot FTZ area, e.g. 前海蛇口片区, or null."),
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
                .optional("annualConsumptionTce", .nullable(.number(minimum: 0, maximum: nil)), "Annual comprehensive energy consumption, tonnes of standard coal."),
                .optional("annualElectricityKwh", .nullable(.number(minimum: 0, maximum: nil)), "Annual electricity consumption, kWh."),
                .optional("energyReviewApproved", .nullable(.boolean), "Whether the energy-conservation review (节能审查) was approved."),
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

/// Validates applications against ``ApplicationSchema``.
struct ApplicationValidator: Sendable {
    let industries: IndustryTable

    /// Every problem of the application at `root` (empty if valid), and, if asked, the paths of
    /// members the format does not define.
    func problems(of root: JSONNode, collectUnknown: Bool = true) -> (errors: [InputProblem], unknownMembers: [String]) {
        var errors: [InputProblem] = []
        var unknown: [String]? = collectUnknown ? [] : nil
        check(root, against: ApplicationSchema.root, errors: &errors, unknown: &unknown)
        return (errors, unknown ?? [])
    }

    private func check(_ node: JSONNode, against shape: ValueShape, errors: inout [InputProblem], unknown: inout [String]?) {
        func fail(_ found: String? = nil) {
            errors.append(InputProblem(path: node.path, expected: shape.expectation, found: found ?? node.summary))
        }
        switch shape {
        case .nullable(let inner):
            if !node.isNull { check(node, against: inner, errors: &errors, unknown: &unknown) }
        case .string(let nonEmpty):
            guard node.kind == .string, !nonEmpty || !node.stringBytes.isEmpty else { return fail(node.kind == .string ? "an empty string" : nil) }
        case .integer(let minimum):
            guard let value = node.integer, value >= (minimum ?? Int.min) else { return fail(numberFound(node)) }
        case .number(let minimum, let maximum):
            guard let value = node.number, value.isFinite, value >= (minimum ?? -.infinity), value <= (maximum ?? .infinity) else {
                return fail(numberFound(node))
            }
        case .boolean:
            guard node.bool != nil else { return fail() }
        case .date:
            guard node.kind == .string, Day(utf8: node.stringBytes) != nil else { return fail() }
        case .oneOf(let values):
            let text = node.stringBytes
            guard node.kind == .string, values.contains(where: { $0.utf8.elementsEqual(text) }) else { return fail() }
        case .constant(let value):
            guard node.integer == value else { return fail() }
        case .currency:
            let text = node.stringBytes
            guard node.kind == .string, text.count == 3, text.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return fail() }
        case .money:
            check(node, against: ApplicationSchema.moneyObject, errors: &errors, unknown: &unknown)
        case .industryCode:
            guard node.kind == .string else { return fail() }
            guard industries.contains(utf8: node.stringBytes) else {
                let code = node.string!
                let nearest = industries.nearest(to: code)
                return fail("unknown code \(JSONWriter.quoted(JSONFieldError.excerpt(code)))" + (nearest.isEmpty ? "" : "; nearest valid codes: " + nearest.joined(separator: ", ")))
            }
        case .array(let element, let minimumCount):
            guard node.kind == .array, node.count >= minimumCount else {
                return fail(node.kind == .array ? "an array of \(node.count)" : nil)
            }
            for child in node.children { check(child, against: element, errors: &errors, unknown: &unknown) }
        case .object(let fields):
            guard node.kind == .object else { return fail() }
            // One pass over the members: check each against its field, note unknown ones and
            // the first member whose name came before (reported ahead of the members' errors).
            let firstError = errors.count
            var duplicate: JSONNode? = nil
            var present: UInt64 = 0  // bit per field (an object shape has fewer than 64)
            var unknownNames: Set<String> = []  // hashed: a hostile object may have a million members
            for child in node.children {
                let name = child.keyBytes
                guard let position = fields.firstIndex(where: { $0.nameBytes.withUnsafeBufferPointer { bytesEqual($0, name) } }) else {
                    if !unknownNames.insert(String(decoding: name, as: UTF8.self)).inserted && duplicate == nil { duplicate = child }
                    unknown?.append(child.path)
                    continue
                }
                if present & (1 << position) != 0 {
                    if duplicate == nil { duplicate = child }
                    continue
                }
                present |= 1 << position
                check(child, against: fields[position].shape, errors: &errors, unknown: &unknown)
            }
            if let duplicate {
                errors.insert(InputProblem(path: duplicate.path, expected: "each member name once",
                                           found: "\(JSONWriter.quoted(JSONFieldError.excerpt(duplicate.key ?? ""))) twice"), at: firstError)
            }
            for (position, field) in fields.enumerated() where field.required && present & (1 << position) == 0 {
                errors.append(InputProblem(path: node.path + JSONPath.member(field.name), expected: field.shape.expectation,
                                           found: "nothing (the field is missing)"))
            }
        }
    }

    private func numberFound(_ node: JSONNode) -> String? {
        guard let value = node.number else { return nil }
        return value.isFinite ? "number \(node.jsonText)" : "number \(node.jsonText) (out of range)"
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
        writer.bytes.append(0x0A)
        return String(decoding: writer.bytes, as: UTF8.self)
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
            if let minimum { writer.key("minimum"); writer.raw(formatNumber(minimum)) }
            if let maximum { writer.key("maximum"); writer.raw(formatNumber(maximum)) }
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

    static func formatNumber(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
