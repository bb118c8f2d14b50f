import CheckAPI

/// The `check rules` listing: documents, editions with their dates and completeness, citations.
public enum RuleListing {
    /// "29 items (29 held: 20 verbatim, 2 older-edition, 1 unverified, 6 missing)".
    public static func completeness(_ edition: Edition, in book: RuleBook, language: Language) -> String {
        let (held, byStatus) = book.itemCounts(of: edition)
        let counts = TextStatus.allCases.compactMap { status -> String? in
            let count = byStatus[status] ?? 0
            return count == 0 ? nil : language.pick(zh: "\(status.labelZh) \(count) 条", en: "\(count) \(status.rawValue)")
        }.joined(separator: language.pick(zh: "，", en: ", "))
        guard let count = edition.declaredItemCount else {
            return held == 0 ? language.pick(zh: "无条目（阈值与条款）", en: "no items (thresholds and clauses)")
                : language.pick(zh: "载入 \(held) 条（规则数据未载明官方条目数）：", en: "\(held) items held (the official count is not in the rule data): ") + counts
        }
        let declared = String(count)
        guard held > 0 else {
            return language.pick(zh: "\(declared) 条，均未载入条文", en: "\(declared) items, no item text held")
        }
        return language.pick(zh: "\(declared) 条，载入 \(held) 条：", en: "\(declared) items, \(held) held: ") + counts
    }

    /// The whole listing.
    public static func render(_ book: RuleBook, language: Language) -> String {
        var text = language.pick(zh: "规则数据：", en: "Rule data: ") + book.roots.map(\.path).joined(separator: ", ") + "\n"
        text += language.pick(zh: "GB/T 4754-2017：\(book.industries.count) 个代码\n", en: "GB/T 4754-2017: \(book.industries.count) codes\n")
        text += "\n" + language.pick(zh: "版本：\n", en: "Editions:\n")
        var dataset = ""
        for edition in book.editions {
            if edition.dataset != dataset {
                dataset = edition.dataset
                text += "  \(dataset)/\n"
            }
            let from = (edition.effective.from?.description ?? "…") + (edition.effectiveFromStatus == .inferred ? "*" : "")
            let through = (edition.effective.through?.description ?? "") + (edition.effectiveToStatus == .inferred ? "*" : "")
            text += "    \(edition.id)  \(edition.title)\n"
            text += "      " + language.pick(zh: "有效期 \(from) … \(through)", en: "in force \(from) … \(through)")
            if let document = book.documents[edition.documentID] {
                text += "  " + (document.number ?? language.pick(zh: "文号未核实", en: "number not verified"))
            }
            text += "\n      \(completeness(edition, in: book, language: language))\n"
        }
        if book.editions.contains(where: { $0.effectiveFromStatus == .inferred || $0.effectiveToStatus == .inferred }) {
            text += language.pick(zh: "  * 推定日期（未在来源中读到；见该版本的 notes）\n", en: "  * inferred date (not read in a source; see the edition's notes)\n")
        }
        let quoted = book.citations.all.filter { $0.citation.quote != nil }
        let notRead = book.citations.count - quoted.count
        let unverified = quoted.filter { $0.citation.textStatus != .verbatim }.count
        text += "\n" + language.pick(
            zh: "条款引文：\(book.citations.count) 条（\(quoted.count) 条有引文，均已逐字核对来源文本，其中 \(unverified) 条标为非逐字核实的措辞；\(notRead) 条原文未取得）\n",
            en: "Citations: \(book.citations.count) (\(quoted.count) with a quote, every quote checked verbatim against its source text, \(unverified) of them marked as not verified wording; \(notRead) without wording)\n")
        text += language.pick(zh: "文件：\(book.documents.count) 份\n", en: "Documents: \(book.documents.count)\n")
        for document in book.documents.values.sorted(by: { $0.id < $1.id }) {
            let sources = document.textFiles.isEmpty ? language.pick(zh: "无来源文本", en: "no source text") : document.textFiles.joined(separator: ", ")
            text += "  \(document.id)  \(document.title)" + (document.number.map { "（\($0)）" } ?? "") + "\n    \(sources)\n"
        }
        return text
    }
}
