// Generates synthetic applications as JSON Lines, deterministically from a seed, with a
// realistic spread: industry codes across the GB/T table (including negative-list, energy-
// intensive and R&D codes), joint ventures and wholly foreign projects, FTZ locations, energy
// figures either side of the review thresholds, encouraged-item claims, R&D centres.
//
// Usage: generate COUNT [SEED] > file.jsonl      (about 1.8 KB per line)
import Foundation

struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
var random = SplitMix64(state: arguments.count > 2 ? UInt64(arguments[2]) ?? 42 : 42)

let industries: [(String, String, String, String)] = [
    ("C3973", "集成电路制造", "12英寸晶圆级封装生产线", "集成电路封装测试、晶圆级封装"),
    ("C3974", "显示器件制造", "新型显示模组生产基地", "OLED显示模组研发、生产"),
    ("C3841", "锂离子电池制造", "动力电池电芯生产线", "锂离子动力电池研发、生产、销售"),
    ("C3670", "汽车零部件及配件制造", "新能源汽车电驱系统工厂", "电驱动系统、电机控制器生产"),
    ("C2710", "化学药品原料药制造", "创新药原料药项目", "化学原料药研发与生产"),
    ("C3011", "水泥制造", "新型干法水泥熟料生产线", "水泥熟料、水泥生产"),
    ("C3120", "炼钢", "短流程电炉炼钢项目", "电炉炼钢、连铸"),
    ("C2614", "有机化学原料制造", "乙烯下游新材料项目", "有机化学原料生产"),
    ("D4411", "火力发电", "燃气热电联产项目", "电力、热力生产供应"),
    ("D4415", "风力发电", "海上风电场", "海上风力发电场建设运营"),
    ("B0932", "稀土金属矿采选", "稀土矿开采及选矿项目", "稀土金属矿开采、选矿"),
    ("L7242", "市场调查", "消费品市场调查服务", "市场调查、消费者行为研究"),
    ("F5227", "烟草制品零售", "免税卷烟零售门店", "卷烟、雪茄零售"),
    ("G5522", "沿海货物运输", "沿海集装箱运输航线", "国内沿海货物运输"),
    ("I6450", "互联网数据服务", "大型数据中心", "数据中心建设运营"),
    ("M7320", "工程和技术研究和试验发展", "新能源汽车电驱系统研发中心", "研究与试验发展"),
    ("F5211", "百货零售", "连锁便利店", "日用百货零售"),
    ("R8730", "影视节目制作", "动画内容制作中心", "动画片、影视节目制作"),
    ("C2311", "书、报刊印刷", "出版物印刷生产线", "出版物印刷、包装装潢印刷"),
    ("E4851", "架线及设备工程建筑", "输变电工程项目", "架线工程建筑"),
]
let cities = ["深圳市", "广州市", "东莞市", "佛山市", "珠海市", "惠州市", "中山市", "江门市", "湛江市", "韶关市"]
let zones = ["前海蛇口片区", "南沙片区", "横琴片区"]
let foreignNames = ["Galaxy Semi GmbH", "Pacific Holdings Ltd", "Nordic Minerals AB", "Insight Research Pte Ltd", "Atom Energie SA",
                    "Motorwerk GmbH", "CloudGrid Pte Ltd", "SensiTech AG", "Offshore Wind A/S", "Lumen Optics Ltd"]
let countries = ["DE", "HK", "SE", "SG", "FR", "JP", "US", "KR", "DK", "MO", "TW"]
let chineseNames = ["粤电投资有限公司", "南方产业集团有限公司", "东莞制造投资有限公司", "广州科技发展有限公司", "深圳创新投资集团有限公司"]

func quoted(_ text: String) -> String {
    String(data: try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]), encoding: .utf8)!
}

var output = Data()
output.reserveCapacity(count * 1900)
for index in 0..<count {
    let (code, codeName, projectName, scope) = random.pick(industries)
    let year = random.pick([2022, 2023, 2024, 2025, 2026])
    let date = String(format: "%04d-%02d-%02d", year, random.below(12) + 1, random.below(28) + 1)
    let jointVenture = random.chance(40)
    let foreignShare = jointVenture ? [25, 34, 49, 51, 60, 70][random.below(6)] : 100
    var investors = "{\"name\": \(quoted(random.pick(foreignNames))), \"country\": \"\(random.pick(countries))\", \"foreign\": true, \"sharePercent\": \(foreignShare)}"
    if jointVenture {
        investors += ", {\"name\": \(quoted(random.pick(chineseNames))), \"country\": \"CN\", \"foreign\": false, \"sharePercent\": \(100 - foreignShare)}"
    }
    let zone = random.chance(15) ? quoted(random.pick(zones)) : "null"
    let tce = [300, 800, 950, 3200, 8000, 12000, 60000, 150000][random.below(8)]
    let kwh = tce * [2000, 4000, 8000][random.below(3)]
    let approved = random.pick(["true", "false", "null", "true", "true"])
    let efficiency = random.pick(["\"benchmark\"", "\"baseline\"", "\"below-baseline\"", "null"])
    let claim = random.chance(25)
        ? "{\"edition\": \"\(random.pick(["2022", "2025"]))\", \"catalogue\": \"\(random.pick(["national", "national", "regional"]))\", \"item\": \(random.below(700) + 1)}"
        : "null"
    let isCentre = code == "M7320" || random.chance(5)
    let centre = isCentre
        ? "{\"legalForm\": \"\(random.pick(["independent", "non-independent"]))\", \"totalInvestment\": {\"amount\": \(random.pick([5_000_000, 8_000_000, 12_000_000])), \"currency\": \"USD\"}, \"totalRdInput\": {\"amount\": \(random.pick([6_000_000, 9_000_000])), \"currency\": \"USD\"}, \"fullTimeRdStaff\": \(random.pick([40, 80, 120, 200])), \"equipmentOriginalValue\": {\"amount\": \(random.pick([15_000_000, 20_000_000, 35_000_000])), \"currency\": \"\(random.pick(["CNY", "CNY", "USD"]))\"}, \"establishedOn\": \"2019-05-20\", \"certified\": \(random.pick(["true", "false"]))}"
        : "null"
    let line = """
    {"schemaVersion": 1, "id": "GD-BENCH-\(String(format: "%07d", index))", "submittedOn": "\(date)", \
    "applicant": {"name": \(quoted(projectName + "有限公司")), "enterpriseType": "\(jointVenture ? "jv" : "wfoe")", "address": \(quoted("广东省" + random.pick(cities) + "高新技术产业开发区科技大道\(random.below(900) + 100)号创新中心\(random.below(30) + 1)楼")), "creditCode": "91440300MA5\(String(format: "%07d", random.below(10_000_000)))X"}, \
    "investors": [\(investors)], \
    "project": {"name": \(quoted(projectName)), "type": "\(random.pick(["new", "new", "expansion", "merger-acquisition"]))", \
    "location": {"province": "广东省", "city": \(quoted(random.pick(cities))), "freeTradeZone": \(zone)}, \
    "industries": [{"code": "\(code)", "name": \(quoted(codeName))}], \
    "businessScope": \(quoted(scope + "；相关技术咨询、技术服务；货物进出口、技术进出口（依法须经批准的项目，经相关部门批准后方可开展经营活动）")), \
    "products": [{"name": \(quoted(projectName.replacingOccurrences(of: "项目", with: "") + "产品")), "hsCode": "\(random.below(9000) + 1000)"}, {"name": \(quoted(codeName + "配套零部件")), "hsCode": "\(random.below(9000) + 1000)"}, {"name": \(quoted(codeName + "技术服务")), "hsCode": "\(random.below(9000) + 1000)"}], \
    "totalInvestment": {"amount": \(random.pick([5_000_000, 20_000_000, 120_000_000, 600_000_000])), "currency": "\(random.pick(["USD", "CNY"]))"}, \
    "energy": {"annualConsumptionTce": \(tce), "annualElectricityKwh": \(kwh), "energyReviewApproved": \(approved), "efficiencyLevel": \(efficiency)}, \
    "environment": {"eiaApproved": \(random.pick(["true", "false", "null"])), "eiaDocument": \(quoted("粤环审〔\(year)〕\(random.below(900) + 10)号"))}, "capacityReplacement": \(random.pick(["true", "false", "null"]))}, \
    "claims": {"encouragedItem": \(claim), "rdCentreImportExemption": \(isCentre ? "true" : "false"), "rdCentreVatRefund": \(isCentre && random.chance(50) ? "true" : "false")}, \
    "rdCentre": \(centre), \
    "notes": {"filedBy": "bench", "attachments": ["feasibility-study.pdf", "eia-report.pdf", "energy-review-opinion.pdf"], "contact": {"name": "王经理", "phone": "+86-20-0000-0000", "email": "contact@example.invalid"}}}
    """
    output.append(contentsOf: line.utf8)
    output.append(0x0A)
    if output.count > 1 << 22 {
        FileHandle.standardOutput.write(output)
        output.removeAll(keepingCapacity: true)
    }
}
FileHandle.standardOutput.write(output)
