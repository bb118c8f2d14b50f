/// How an application matches a catalogue item (SPEC §5.1): by industry code and a confirming
/// keyword (decisive), or by only one of the two (a person must decide). A keyword that occurs
/// only inside an exclusion of the project's texts (``Exclusions``: `不含…`, `…除外`) does not
/// match; the match says so, to be quoted.
public enum CatalogueMatch {
    /// An industry code overlaps the item's codes and a keyword occurs in the project's texts.
    case decisive(code: JSONNode, itemCode: String, keyword: String, text: JSONNode)
    /// Only an industry code overlaps (a keyword of the item may occur, excluded).
    case codeOnly(code: JSONNode, itemCode: String, excluded: ExcludedKeyword?)
    /// Only a keyword occurs.
    case keywordOnly(keyword: String, text: JSONNode)
    /// No code overlaps, and a keyword of the item occurs only inside an exclusion.
    case excludedOnly(ExcludedKeyword)

    /// Matches `application` against one item's `codes` and `keywords`; nil if neither matches.
    /// (For many items at once, ``CatalogueMatcher`` scans the texts only once.)
    public static func match(_ application: Application, codes: [String], keywords: KeywordMatcher) -> CatalogueMatch? {
        var codeHit: (code: JSONNode, itemCode: String)?
        for node in application.industryCodes {
            if let code = node.string, let itemCode = IndustryCode.firstOverlap(of: code, in: codes) {
                codeHit = (node, itemCode)
                break
            }
        }
        let search = keywords.search(in: application.describingTexts)
        return combine(codeHit, search.found, search.excluded)
    }

    /// The match given what the code and the keyword search found.
    static func combine(_ codeHit: (code: JSONNode, itemCode: String)?, _ keywordHit: (keyword: String, text: JSONNode)?,
                        _ excluded: ExcludedKeyword?) -> CatalogueMatch? {
        switch (codeHit, keywordHit) {
        case let ((code, itemCode)?, (keyword, text)?): .decisive(code: code, itemCode: itemCode, keyword: keyword, text: text)
        case let ((code, itemCode)?, nil): .codeOnly(code: code, itemCode: itemCode, excluded: excluded)
        case let (nil, (keyword, text)?): .keywordOnly(keyword: keyword, text: text)
        case (nil, nil): excluded.map { .excludedOnly($0) }
        }
    }

    /// Whether both code and keyword matched.
    public var isDecisive: Bool {
        if case .decisive = self { return true }
        return false
    }

    /// Whether the application falls under the item at all (not: only an excluded keyword).
    public var isMatch: Bool {
        if case .excludedOnly = self { return false }
        return true
    }

    /// The application values that decided the match.
    public var evidence: [Evidence] {
        switch self {
        case .decisive(let code, _, _, let text): [.value(code), .value(text)]
        case .codeOnly(let code, _, let excluded): [.value(code)] + (excluded.map { [.value($0.text)] } ?? [])
        case .keywordOnly(_, let text): [.value(text)]
        case .excludedOnly(let excluded): [.value(excluded.text)]
        }
    }

    /// How the match was made, in words.
    public var explanation: Localized {
        switch self {
        case .decisive(let code, let itemCode, let keyword, _):
            Localized(zh: "行业代码 \(code.string ?? "") 属于该项覆盖的 \(itemCode)，且项目名称、经营范围或产品中含“\(keyword)”",
                      en: "industry code \(code.string ?? "") falls under the item's \(itemCode) and the project's name, business scope or products mention “\(keyword)”")
        case .codeOnly(let code, let itemCode, let excluded?):
            Localized(zh: "仅行业代码 \(code.string ?? "") 属于该项覆盖的 \(itemCode)；“\(excluded.keyword)”只出现在除外或否定的表述“\(excluded.phrase)”中，不计为命中",
                      en: "only the industry code \(code.string ?? "") falls under the item's \(itemCode); “\(excluded.keyword)” occurs only in the exclusion or negation “\(excluded.phrase)”, which does not count")
        case .codeOnly(let code, let itemCode, nil):
            Localized(zh: "仅行业代码 \(code.string ?? "") 属于该项覆盖的 \(itemCode)，项目名称、经营范围和产品中未见该项的关键词",
                      en: "only the industry code \(code.string ?? "") falls under the item's \(itemCode); no keyword of the item occurs in the project's name, business scope or products")
        case .keywordOnly(let keyword, _):
            Localized(zh: "仅项目名称、经营范围或产品中含“\(keyword)”，行业代码不在该项覆盖范围内",
                      en: "only the project's name, business scope or products mention “\(keyword)”; no industry code falls under the item")
        case .excludedOnly(let excluded):
            Localized(zh: "“\(excluded.keyword)”只出现在除外或否定的表述“\(excluded.phrase)”中，不计为命中，行业代码也不在该项覆盖范围内",
                      en: "“\(excluded.keyword)” occurs only in the exclusion or negation “\(excluded.phrase)”, which does not count, and no industry code falls under the item")
        }
    }
}
