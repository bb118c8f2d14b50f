import CheckAPI

/// A shareholding condition of a restricted item (SPEC §5.1).
struct ShareCondition: Sendable {
    enum Kind: String, Sendable {
        /// 中方控股: the Chinese side holds more than 50 % (or controls on other grounds).
        case chineseControlled = "chinese-controlled"
        /// 中方股比不低于 N%.
        case chineseShareAtLeast = "chinese-share-at-least"
        /// 外资股比不超过 N%.
        case foreignShareAtMost = "foreign-share-at-most"
        /// 限于合资: foreign and Chinese investors both hold shares.
        case jointVenture = "joint-venture"
        /// 一家外商及其关联企业投资比例不得超过 N%.
        case singleForeignShareAtMost = "single-foreign-share-at-most"
        /// 法定代表人须由中国籍公民担任: not declared in applications; always needs a person.
        case chineseLegalRepresentative = "chinese-legal-representative"
    }

    let kind: Kind
    let percent: DecimalNumber?
    /// The condition applies only when one of these words occurs in the project's texts.
    let when: KeywordMatcher?

    init(_ node: JSONNode) throws(JSONFieldError) {
        let typeNode = try node.required("type")
        guard let kind = Kind(rawValue: try typeNode.asString()) else {
            throw JSONFieldError(path: typeNode.path, expected: "a known condition type", found: typeNode.summary)
        }
        self.kind = kind
        percent = try node.optional("percent")?.asDecimal()
        let needsPercent = [.chineseShareAtLeast, .foreignShareAtMost, .singleForeignShareAtMost].contains(kind)
        if needsPercent && percent == nil {
            throw JSONFieldError(path: node.path + ".percent", expected: "a percentage for \(kind.rawValue)", found: "nothing")
        }
        when = try node.optional("when").map { node throws(JSONFieldError) in KeywordMatcher(try node.asStrings()) }
    }

    /// What the condition requires, in words.
    var requirement: Localized {
        let value = percent?.description ?? ""
        return switch kind {
        case .chineseControlled: Localized(zh: "须由中方控股", en: "must be controlled by the Chinese side")
        case .chineseShareAtLeast: Localized(zh: "中方股比不低于\(value)%", en: "Chinese share at least \(value)%")
        case .foreignShareAtMost: Localized(zh: "外资股比不超过\(value)%", en: "foreign share at most \(value)%")
        case .jointVenture: Localized(zh: "限于合资", en: "joint ventures only")
        case .singleForeignShareAtMost: Localized(zh: "一家外商及其关联企业投资比例不超过\(value)%", en: "one foreign investor with affiliates at most \(value)%")
        case .chineseLegalRepresentative: Localized(zh: "法定代表人须由中国籍公民担任", en: "the legal representative must be a Chinese citizen")
        }
    }

    /// Whether `shares` meets the condition; nil if the application does not say.
    func isMet(by shares: Shareholding) -> Bool? {
        // `percent` is present for the kinds that compare with it (checked when decoded).
        switch (kind, percent) {
        case (.chineseControlled, _): shares.isChineseControlled
        case (.chineseShareAtLeast, let limit?): shares.chinesePercent.map { $0 >= limit }
        case (.foreignShareAtMost, let limit?): shares.foreignPercent.map { $0 <= limit }
        case (.jointVenture, _): shares.isJointVenture
        case (.singleForeignShareAtMost, let limit?): shares.largestForeignPercent.map { $0 <= limit }
        case (.chineseLegalRepresentative, _), (.chineseShareAtLeast, nil), (.foreignShareAtMost, nil), (.singleForeignShareAtMost, nil): nil
        }
    }
}

/// One measure of a negative-list edition, with the fields this plugin adds to a catalogue item.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
final class NegativeListItem: Sendable {
    enum Kind: String, Sendable {
        case prohibited, restricted, unknown
    }

    let item: CatalogueItem
    let kind: Kind
    /// Stable across editions: the same measure has the same topic in 2021, 2024 and the FTZ list.
    let topic: String
    /// The field the item concerns, from the rule data's `subject` ("中文 / English", or one text for both).
    let subject: Localized
    let conditions: [ShareCondition]
    /// Whether `kind` was read in a source (`verified`) or inferred from the list's layout.
    let kindInferred: Bool
    /// Phrases holding a keyword that say the opposite (`非转基因`), which do not match.
    let negations: [String]

    init(_ item: CatalogueItem, node: JSONNode) throws(JSONFieldError) {
        self.item = item
        let kindNode = try node.required("kind")
        guard let kind = Kind(rawValue: try kindNode.asString()) else {
            throw JSONFieldError(path: kindNode.path, expected: "prohibited, restricted or unknown", found: kindNode.summary)
        }
        self.kind = kind
        topic = try node.required("topic").asNonEmptyString()
        let parts = try node.required("subject").asNonEmptyString().split(separator: " / ", maxSplits: 1).map(String.init)
        subject = Localized(zh: MessageText(parts[0]), en: MessageText(parts.count > 1 ? parts[1] : parts[0]))
        conditions = try (node.optional("conditions")?.asArray() ?? []).map { node throws(JSONFieldError) in try ShareCondition(node) }
        switch try node.optional("kindStatus")?.asString() {
        case nil, "verified"?: kindInferred = false
        case "inferred"?: kindInferred = true
        case let other?: throw JSONFieldError(path: node.path + ".kindStatus", expected: "verified or inferred", found: JSONWriter.quoted(other))
        }
        negations = try node.optional("negations")?.asStrings() ?? []
        if kindInferred && item.textStatus.isDecisive {
            throw JSONFieldError(path: node.path + ".kindStatus", expected: "a kind read in the item's verbatim text", found: "inferred")
        }
        if kind == .restricted && conditions.isEmpty && item.textStatus == .verbatim {
            throw JSONFieldError(path: node.path + ".conditions", expected: "the shareholding conditions of a restricted item with verbatim text", found: "none")
        }
    }
}

/// A national item known not to be in an FTZ edition, and why.
struct KnownAbsence: Sendable {
    let topic: String
    let basis: String
    let citations: [String]
}

/// A negative-list edition: the catalogue edition plus this plugin's item fields.
/// (A class, as rule data looked up in `evaluate` should be: docs/WRITING-PLUGINS.md § 2.)
final class NegativeListEdition: Sendable {
    let edition: Edition
    let items: [NegativeListItem]
    let knownAbsent: [KnownAbsence]
    /// Matches all items at once.
    let matcher: CatalogueMatcher

    init(edition: Edition, items: [NegativeListItem], knownAbsent: [KnownAbsence]) {
        self.edition = edition
        self.items = items
        self.knownAbsent = knownAbsent
        matcher = CatalogueMatcher(items.map { CatalogueMatcher.Item(codes: $0.item.codes, keywords: $0.item.keywords, negations: $0.negations) })
    }

    /// Decodes every edition file of the `negative-list` dataset.
    static func load(_ files: RuleDataFiles) throws(RuleDataError) -> [NegativeListEdition] {
        var result: [NegativeListEdition] = []
        for file in files.files(in: "negative-list", kind: "edition") {
            let edition = try Edition(file.root, dataset: "negative-list", file: file.path)
            do {
                let nodes = Array(file.root["items"]?.children ?? JSONChildren.empty)
                var items: [NegativeListItem] = []
                for (item, node) in zip(edition.items, nodes) { items.append(try NegativeListItem(item, node: node)) }
                var absences: [KnownAbsence] = []
                for node in try file.root.optional("knownAbsent")?.asArray() ?? [] {
                    absences.append(KnownAbsence(topic: try node.required("topic").asNonEmptyString(),
                                                 basis: try node.required("basis").asNonEmptyString(),
                                                 citations: try node.required("citations").asStrings()))
                }
                result.append(NegativeListEdition(edition: edition, items: items, knownAbsent: absences))
            } catch {
                throw RuleDataError(file: file.path, item: Edition.itemName(at: error.path, in: file.root), error)
            }
        }
        return result
    }
}
