import Foundation

/// ISO 3166-1 alpha-2: the codes `investors[].country` must be (SPEC §3), with their English
/// short names, and the nearest codes for a value that is not one (`Korea` → KR, KP;
/// `Hongkong` → HK; `de` → DE; `德国` → DE).
enum CountryCodes {
    /// Every officially assigned code with its short name, in code order (249).
    static let all: [(code: String, name: String)] = table.split(separator: "|").map { entry in
        (String(entry.prefix(2)), String(entry.dropFirst(3)))
    }

    private static let table = "AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|AM Armenia|AO Angola|AQ Antarctica|AR Argentina|AS American Samoa|AT Austria|AU Australia|AW Aruba|AX Aland Islands|AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|BE Belgium|BF Burkina Faso|BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthelemy|BM Bermuda|BN Brunei Darussalam|BO Bolivia|BQ Bonaire, Sint Eustatius and Saba|BR Brazil|BS Bahamas|BT Bhutan|BV Bouvet Island|BW Botswana|BY Belarus|BZ Belize|CA Canada|CC Cocos (Keeling) Islands|CD Congo, Democratic Republic of the|CF Central African Republic|CG Congo|CH Switzerland|CI Cote d'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China|CO Colombia|CR Costa Rica|CU Cuba|CV Cabo Verde|CW Curacao|CX Christmas Island|CY Cyprus|CZ Czechia|DE Germany|DJ Djibouti|DK Denmark|DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara|ER Eritrea|ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands (Malvinas)|FM Micronesia|FO Faroe Islands|FR France|GA Gabon|GB United Kingdom|GD Grenada|GE Georgia|GF French Guiana|GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland|GM Gambia|GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|GR Greece|GS South Georgia and the South Sandwich Islands|GT Guatemala|GU Guam|GW Guinea-Bissau|GY Guyana|HK Hong Kong (China)|HM Heard Island and McDonald Islands|HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|IL Israel|IM Isle of Man|IN India|IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland|IT Italy|JE Jersey|JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|KM Comoros|KN Saint Kitts and Nevis|KP Korea, Democratic People's Republic of|KR Korea, Republic of|KW Kuwait|KY Cayman Islands|KZ Kazakhstan|LA Lao People's Democratic Republic|LB Lebanon|LC Saint Lucia|LI Liechtenstein|LK Sri Lanka|LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|MA Morocco|MC Monaco|MD Moldova|ME Montenegro|MF Saint Martin (French part)|MG Madagascar|MH Marshall Islands|MK North Macedonia|ML Mali|MM Myanmar|MN Mongolia|MO Macao (China)|MP Northern Mariana Islands|MQ Martinique|MR Mauritania|MS Montserrat|MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|MZ Mozambique|NA Namibia|NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands|NO Norway|NP Nepal|NR Nauru|NU Niue|NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia|PG Papua New Guinea|PH Philippines|PK Pakistan|PL Poland|PM Saint Pierre and Miquelon|PN Pitcairn|PR Puerto Rico|PS Palestine, State of|PT Portugal|PW Palau|PY Paraguay|QA Qatar|RE Reunion|RO Romania|RS Serbia|RU Russian Federation|RW Rwanda|SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden|SG Singapore|SH Saint Helena, Ascension and Tristan da Cunha|SI Slovenia|SJ Svalbard and Jan Mayen|SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname|SS South Sudan|ST Sao Tome and Principe|SV El Salvador|SX Sint Maarten (Dutch part)|SY Syrian Arab Republic|SZ Eswatini|TC Turks and Caicos Islands|TD Chad|TF French Southern Territories|TG Togo|TH Thailand|TJ Tajikistan|TK Tokelau|TL Timor-Leste|TM Turkmenistan|TN Tunisia|TO Tonga|TR Turkiye|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan (China)|TZ Tanzania|UA Ukraine|UG Uganda|UM United States Minor Outlying Islands|US United States of America|UY Uruguay|UZ Uzbekistan|VA Holy See|VC Saint Vincent and the Grenadines|VE Venezuela|VG Virgin Islands (British)|VI Virgin Islands (U.S.)|VN Viet Nam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|YE Yemen|YT Mayotte|ZA South Africa|ZM Zambia|ZW Zimbabwe"

    /// Other names people write, Chinese and English, for the codes most applications use.
    private static let aliases: [(name: String, codes: [String])] = [
        ("中国", ["CN"]), ("中国大陆", ["CN"]), ("内地", ["CN"]), ("大陆", ["CN"]), ("PRC", ["CN"]), ("Mainland China", ["CN"]),
        ("香港", ["HK"]), ("中国香港", ["HK"]), ("Hongkong", ["HK"]), ("HKSAR", ["HK"]),
        ("澳门", ["MO"]), ("中国澳门", ["MO"]), ("Macau", ["MO"]),
        ("台湾", ["TW"]), ("中国台湾", ["TW"]),
        ("Korea", ["KR", "KP"]), ("South Korea", ["KR"]), ("韩国", ["KR"]), ("朝鲜", ["KP"]),
        ("UK", ["GB"]), ("Britain", ["GB"]), ("Great Britain", ["GB"]), ("England", ["GB"]), ("英国", ["GB"]),
        ("USA", ["US"]), ("America", ["US"]), ("United States", ["US"]), ("美国", ["US"]),
        ("Holland", ["NL"]), ("荷兰", ["NL"]), ("德国", ["DE"]), ("法国", ["FR"]), ("日本", ["JP"]), ("新加坡", ["SG"]),
        ("瑞士", ["CH"]), ("瑞典", ["SE"]), ("丹麦", ["DK"]), ("西班牙", ["ES"]), ("意大利", ["IT"]), ("比利时", ["BE"]),
        ("卢森堡", ["LU"]), ("爱尔兰", ["IE"]), ("芬兰", ["FI"]), ("挪威", ["NO"]), ("奥地利", ["AT"]), ("加拿大", ["CA"]),
        ("澳大利亚", ["AU"]), ("新西兰", ["NZ"]), ("马来西亚", ["MY"]), ("泰国", ["TH"]), ("印度尼西亚", ["ID"]), ("越南", ["VN"]),
        ("菲律宾", ["PH"]), ("印度", ["IN"]), ("俄罗斯", ["RU"]), ("Russia", ["RU"]), ("巴西", ["BR"]), ("墨西哥", ["MX"]),
        ("开曼群岛", ["KY"]), ("Cayman", ["KY"]), ("英属维尔京群岛", ["VG"]), ("BVI", ["VG"]), ("British Virgin Islands", ["VG"]),
        ("百慕大", ["BM"]), ("萨摩亚", ["WS"]), ("阿联酋", ["AE"]), ("UAE", ["AE"]), ("沙特阿拉伯", ["SA"]), ("以色列", ["IL"]),
        ("Vietnam", ["VN"]), ("Czech Republic", ["CZ"]), ("Turkey", ["TR"]), ("Swiss", ["CH"]),
    ]

    private static let codes = Set(all.map(\.code))

    /// Per pair of capital letters (26 × first + second), whether it is a code: read from the
    /// table's text directly (splitting it into names is left to the rare suggestion).
    private static let assigned: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26)
        var utf8 = Array(CountryCodes.table.utf8)
        utf8.insert(UInt8(ascii: "|"), at: 0)
        for index in utf8.indices where utf8[index] == UInt8(ascii: "|") && index + 2 < utf8.count {
            table[Int(utf8[index + 1] - 0x41) * 26 + Int(utf8[index + 2] - 0x41)] = true
        }
        return table
    }()

    /// Whether `text` is an ISO 3166-1 alpha-2 code (upper case).
    static func contains(_ text: String) -> Bool { codes.contains(text) }

    /// Whether the UTF-8 `text` is an ISO 3166-1 alpha-2 code (upper case), without a `String`.
    static func contains(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == 2, text[0] >= 0x41, text[0] <= 0x5A, text[1] >= 0x41, text[1] <= 0x5A else { return false }
        return assigned[Int(text[0] - 0x41) * 26 + Int(text[1] - 0x41)]
    }

    /// Up to five codes `text` most likely meant: the code in upper case, a known name or
    /// alias, names containing the text, or codes one letter away.
    static func nearest(to text: String) -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let upper = trimmed.uppercased()
        if codes.contains(upper) { return [upper] }
        let folded = trimmed.lowercased()
        var result: [String] = []
        func add(_ candidates: [String]) {
            for code in candidates where !result.contains(code) && result.count < 5 { result.append(code) }
        }
        add(aliases.filter { $0.name.lowercased() == folded }.flatMap(\.codes))
        add(all.filter { $0.name.lowercased() == folded }.map(\.code))
        if folded.count >= 3 {
            add(aliases.filter { $0.name.lowercased().contains(folded) || folded.contains($0.name.lowercased()) }.flatMap(\.codes))
            add(all.filter { $0.name.lowercased().contains(folded) }.map(\.code))
        }
        if result.isEmpty && upper.count == 2 {
            // One letter away, the same first letter first.
            let letters = Array(upper)
            let close = all.map(\.code).filter { code in zip(Array(code), letters).filter { $0 != $1 }.count == 1 }
            add(close.filter { $0.first == letters.first } + close.filter { $0.first != letters.first })
        }
        return result
    }
}
