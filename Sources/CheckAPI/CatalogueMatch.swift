/// How an application matches a catalogue item (SPEC §5.1): by industry code and a confirming
/// keyword (decisive), or by only one of the two (a person must decide).
public enum CatalogueMatch {
    /// An industry code overlaps the item's codes and a keyword occurs in the project's texts.
    case decisive(code: JSONNode, itemCode: String, keyword: String, text: JSONNode)
    /// Only an industry code overlaps.
    case codeOnly(code: JSONNode, itemCode: String)
    /// Only a keyword occurs.
    case keywordOnly(keyword: String, text: JSONNode)

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
        return combine(codeHit, keywords.firstMatch(in: application.describingTexts))
    }

    /// The match given what the code and the keyword search found.
    static func combine(_ codeHit: (code: JSONNode, itemCode: String)?, _ keywordHit: (keyword: String, text: JSONNode)?) -> CatalogueMatch? {
        switch (codeHit, keywordHit) {
        case let ((code, itemCode)?, (keyword, text)?): .decisive(code: code, itemCode: itemCode, keyword: keyword, text: text)
        case let ((code, itemCode)?, nil): .codeOnly(code: code, itemCode: itemCode)
        case let (nil, (keyword, text)?): .keywordOnly(keyword: keyword, text: text)
        case (nil, nil): nil
        }
    }

    /// Whether both code and keyword matched.
    public var isDecisive: Bool {
        if case .decisive = self { return true }
        return false
    }

    /// The application values that decided the match.
    public var evidence: [Evidence] {
        switch self {
        case .decisive(let code, _, _, let text): [.value(code), .value(text)]
        case .codeOnly(let code, _): [.value(code)]
        case .keywordOnly(_, let text): [.value(text)]
        }
    }

    /// How the match was made, in words.
    public var explanation: Localized {
        switch self {
        case .decisive(let code, let itemCode, let keyword, _):
            Localized(zh: "行业代码 \(code.string ?? "") 属于该项覆盖的 \(itemCode)，且项目名称、经营范围或产品中含“\(keyword)”",
                      en: "industry code \(code.string ?? "") falls under the item's \(itemCode) and the project's name, business scope or products mention “\(keyword)”")
        case .codeOnly(let code, let itemCode):
            Localized(zh: "仅行业代码 \(code.string ?? "") 属于该项覆盖的 \(itemCode)，项目名称、经营范围和产品中未见该项的关键词",
                      en: "only the industry code \(code.string ?? "") falls under the item's \(itemCode); no keyword of the item occurs in the project's name, business scope or products")
        case .keywordOnly(let keyword, _):
            Localized(zh: "仅项目名称、经营范围或产品中含“\(keyword)”，行业代码不在该项覆盖范围内",
                      en: "only the project's name, business scope or products mention “\(keyword)”; no industry code falls under the item")
        }
    }
}
