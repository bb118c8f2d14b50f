import CheckAPI

/// `check explain`: a rule's description, the clauses it rests on with their full sentence from
/// the source text, and the rule-data editions in force on a day (today by default).
public enum RuleExplanation {
    /// The explanation of `id` (a rule id, or a plugin id for all its rules), or nil if unknown.
    public static func render(_ id: String, session: CheckSession, on day: Day, language: Language) -> String? {
        guard let plugin = session.plugins.first(where: { $0.id == id || id.hasPrefix($0.id + "/") }) else { return nil }
        let rules = plugin.description.rules.filter { $0.id == id || plugin.id == id }
        guard !rules.isEmpty else { return nil }
        let book = session.ruleBook
        var text = ""
        for rule in rules {
            text += "\(rule.id) — \(rule.title.zh) / \(rule.title.en)\n"
            text += language.pick(zh: "插件：", en: "Plugin: ") + "\(plugin.id) \(plugin.description.version) (\(language.pick(plugin.description.title)))\n\n"
            text += language.pick(rule.description) + "\n\n"
            text += language.pick(zh: "所依据的条款：\n", en: "Clauses it rests on:\n")
            for citationID in rule.citations {
                guard let citation = book.citations[citationID] else { continue }
                text += "  [\(citationID)] 《\(citation.document.title)》" + (citation.document.number.map { "（\($0)）" } ?? "") + citation.citation.clause + "\n"
                if let quote = citation.citation.quote {
                    text += "    " + language.pick(zh: "引文：", en: "quote: ") + "“\(quote)”\n"
                    if let sentence = citation.document.textBytes.lazy.compactMap({ $0.withUnsafeBufferPointer { QuoteCheck.sentence(containing: quote, in: $0) } }).first, sentence != quote {
                        text += "    " + language.pick(zh: "原句：", en: "sentence: ") + "“\(sentence)”\n"
                    }
                }
                if citation.citation.textStatus != .verbatim {
                    text += "    " + language.pick(zh: "条文状况：\(citation.citation.textStatus.noteZh)", en: "wording: \(citation.citation.textStatus.noteEn)") + "\n"
                }
                if let source = citation.document.sources.first { text += "    " + language.pick(zh: "来源：", en: "source: ") + source + "\n" }
            }
            text += "\n"
        }
        text += language.pick(zh: "规则数据（\(day) 有效的版本）：\n", en: "Rule data (editions in force on \(day)):\n")
        for dataset in plugin.description.datasets {
            let editions = book.editions.filter { $0.dataset == dataset }
            for series in Array(Set(editions.map(\.series))).sorted() {
                let inSeries = editions.filter { $0.series == series }
                if let current = inSeries.first(where: { $0.effective.contains(day) }) {
                    text += "  \(dataset)/\(current.id)  \(current.title)  (\(current.effective))  \(RuleListing.completeness(current, in: book, language: language))\n"
                } else {
                    text += "  \(dataset) [\(series)]: " + language.pick(zh: "无已载入的版本生效", en: "no loaded edition in force") + "\n"
                }
            }
        }
        text += language.pick(zh: "条目引文按命中情况引用（如 negative-list/national-2024#5）；全部版本见 `check rules`。\n",
                              en: "Items are cited as they match (e.g. negative-list/national-2024#5); every edition is listed by `check rules`.\n")
        return text
    }
}
