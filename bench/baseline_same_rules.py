#!/usr/bin/env python3
"""The script staff would otherwise write, on the same rule data as check: json.loads each line,
then plain dict and string code over the shipped rules/ files — the negative-list edition in
force (and the FTZ edition inside a zone), every item matched by industry-code prefix and by
keyword (`in` on the project's name, scope and product names), its shareholding conditions;
the encouraged-catalogue claim looked up in its edition; the 高耗能 divisions and 两高
categories by code prefix, the energy-review thresholds and the efficiency level of the edition
in force; the R&D-centre criteria of each claimed benefit's window. One JSON line per
application: each rule's verdict and the ids of the clauses it rests on.

For scale only, like baseline_rules.py, but closer to what check does. It still does less:
no input validation, no messages (check writes each in the requested language), no evidence
paths, no clause texts in the output, no currency conversion (amounts in another currency than
the threshold's are sent to review), no day arithmetic beyond ISO-date comparison, no text
normalisation and no exclusions (不含…, …除外) or negations in the texts (the benchmark's
applications have none). Numbers are read as Decimal, shares by country as check reads them.

Usage: baseline_same_rules.py RULES_DIR FILE.jsonl
"""
import glob
import json
import os
import sys
from decimal import Decimal

RULES = sys.argv[1]


def load(pattern):
    return [json.load(open(path, encoding="utf-8"), parse_float=Decimal) for path in sorted(glob.glob(os.path.join(RULES, pattern)))]


def in_force(editions, day):
    for edition in editions:
        if edition["effectiveFrom"] <= day and (edition["effectiveTo"] is None or day <= edition["effectiveTo"]):
            return edition
    return None


def overlaps(code, item_codes):
    return any(code.startswith(c) or c.startswith(code) for c in item_codes)


negative = [e for e in load("negative-list/*.json") if e.get("kind") == "edition"]
national = [e for e in negative if e["series"] == "national"]
ftz = [e for e in negative if e["series"] == "ftz"]
encouraged = [e for e in load("encouraged-catalogue/*.json") if e.get("kind") == "edition"]
seed_sectors = json.load(open(os.path.join(RULES, "encouraged-catalogue/seed-sectors.json"), encoding="utf-8"))["sectors"]
sectors = json.load(open(os.path.join(RULES, "high-energy/sectors.json"), encoding="utf-8"))
divisions = sectors["energyIntensiveDivisions"]["divisions"]
categories = sectors["lianggaoCategories"]["categories"]
energy_editions = [e for e in load("high-energy/energy-review-*.json")]
structure = load("high-energy/industry-structure-*.json")
windows = [e for e in load("rd-centre/*.json") if e.get("kind") == "edition"]


def is_foreign(investor):
    country = investor.get("country")
    return country != "CN" if country is not None else investor.get("foreign")


def shares(app):
    """(foreign, chinese, largest foreign, total, contradiction), the first four None unless declared."""
    investors = app["investors"]
    contradiction = any(i.get("country") is not None and i.get("foreign") is not None and i["foreign"] != (i["country"] != "CN")
                        for i in investors)
    if any(i.get("sharePercent") is None or is_foreign(i) is None for i in investors):
        return None, None, None, None, contradiction
    foreign = sum((i["sharePercent"] for i in investors if is_foreign(i)), Decimal(0))
    chinese = sum((i["sharePercent"] for i in investors if not is_foreign(i)), Decimal(0))
    largest = max((i["sharePercent"] for i in investors if is_foreign(i)), default=Decimal(0))
    return foreign, chinese, largest, foreign + chinese, contradiction


def condition_met(condition, held, texts):
    foreign, chinese, largest = held
    kind = condition["type"]
    if kind == "chinese-controlled":
        return chinese > 50
    if kind == "chinese-share-at-least":
        return chinese >= condition["percent"]
    if kind == "foreign-share-at-most":
        return foreign <= condition["percent"]
    if kind == "single-foreign-share-at-most":
        return largest <= condition["percent"]
    if kind == "joint-venture":
        return foreign > 0 and chinese > 0
    return None


def assess_item(item, edition, code_hit, word_hit, held, texts):
    cited = [f"negative-list/{edition['id']}#{item.get('ref') or item['number']}"]
    if not (code_hit and word_hit) or item["kind"] == "unknown" or item.get("textStatus") != "verbatim":
        return "review", cited
    if item["kind"] == "prohibited":
        return "fail", cited
    conditions = [c for c in item.get("conditions", []) if not c.get("when") or any(word in texts for word in c["when"])]
    foreign, chinese, largest, total, contradiction = held
    if not conditions or foreign is None or contradiction or total != 100:
        return "review", cited
    results = [condition_met(c, (foreign, chinese, largest), texts) for c in conditions]
    return ("fail" if False in results else "review" if None in results else "pass"), cited


def negative_list(app, day, codes, texts, findings):
    edition = in_force(national, day)
    if edition is None:
        findings.append(("negative-list/edition", "review", []))
        return
    zone_edition = None
    if app["project"]["location"].get("freeTradeZone"):
        zone_edition = in_force(ftz, day)
        if zone_edition is None:
            findings.append(("negative-list/edition", "review", []))
            return
    held = shares(app)
    seen = set()
    for item in edition["items"]:
        code_hit = any(overlaps(code, item.get("codes", [])) for code in codes)
        word_hit = any(word in texts for word in item.get("keywords", []))
        if not (code_hit or word_hit):
            continue
        rule = "negative-list/prohibited" if item["kind"] == "prohibited" else "negative-list/restricted"
        seen.add(rule)
        if zone_edition is None:
            verdict, cited = assess_item(item, edition, code_hit, word_hit, held, texts)
        else:
            zone_item = next((z for z in zone_edition["items"] if z["topic"] == item["topic"]), None)
            if zone_item is not None:
                verdict, cited = assess_item(zone_item, zone_edition, code_hit, word_hit, held, texts)
            else:
                absent = any(a["topic"] == item["topic"] for a in zone_edition.get("knownAbsent", []))
                verdict, cited = ("pass" if absent else "review"), [zone_edition["id"]]
        findings.append((rule, verdict, cited))
    for rule in ("negative-list/prohibited", "negative-list/restricted"):
        if rule not in seen:
            findings.append((rule, "pass", [edition["id"]]))


def encouraged_catalogue(app, day, codes, texts, findings):
    claim = (app.get("claims") or {}).get("encouragedItem")
    rule = "encouraged-catalogue/claim"
    if not claim:
        hint = any(overlaps(code, sector["codes"]) for code in codes for sector in seed_sectors)
        findings.append((rule, "not-applicable", ["guobanfa-2012-32-2-4-encourage" if hint else "yuefuban-2013-31-1-1-2"]))
        return
    edition = next((e for e in encouraged if e["editionName"] == claim["edition"] and e["catalogue"] == claim["catalogue"]), None)
    if edition is None:
        findings.append((rule, "review", []))
        return
    if not (edition["effectiveFrom"] <= day and (edition["effectiveTo"] is None or day <= edition["effectiveTo"])):
        inferred = edition.get("effectiveToStatus") == "inferred" and edition["effectiveTo"] is not None and day > edition["effectiveTo"]
        findings.append((rule, "review" if inferred else "fail", []))
        return
    if edition.get("itemCount") and claim["item"] > edition["itemCount"]:
        findings.append((rule, "fail", []))
        return
    if claim["catalogue"] == "regional" and app["project"]["location"].get("province") in ("广东省", "广东", "Guangdong"):
        covers = (edition.get("coverage") or {}).get("guangdong")
        ids = edition.get("coverageCitations", [])
        verified = bool(ids) and all(any(c["id"] == i and c.get("textStatus", "verbatim") == "verbatim" for c in edition.get("citations", [])) for i in ids)
        findings.append((rule, "fail" if covers is False and verified else "review", ids))
        return
    item = next((i for i in edition.get("items", []) if i.get("number") == claim["item"]), None)
    if item is None or not item.get("text"):
        findings.append((rule, "review", []))
        return
    code_hit = any(overlaps(code, item.get("codes", [])) for code in codes)
    word_hit = any(word in texts for word in item.get("keywords", []))
    cited = [f"encouraged-catalogue/{edition['id']}#{item['number']}"]
    verified = item.get("textStatus") == "verbatim"
    if not (code_hit or word_hit):
        findings.append((rule, "fail" if verified else "review", cited))
    else:
        findings.append((rule, "pass" if code_hit and word_hit and verified else "review", cited))


def inside(code, codes):
    return any(code.startswith(c) for c in codes)


def high_energy(app, day, codes, findings):
    division = next((d for code in codes for d in divisions if inside(code, d["codes"])), None)
    category = next((c for code in codes for c in categories if inside(code, c["codes"])), None)
    energy = app["project"].get("energy") or {}
    assessed = energy.get("lianggaoAssessmentApproved")
    if category is not None:
        if category.get("partOf"):
            sector = "pass" if assessed is True else "review"
        else:
            sector = "pass" if assessed is True else "fail" if assessed is False else "review"
    else:
        sector = "pass" if division else "not-applicable"
    findings.append(("high-energy/sector", sector, []))
    tce, kwh, approved = energy.get("annualConsumptionTce"), energy.get("annualElectricityKwh"), energy.get("energyReviewApproved")
    edition = in_force(energy_editions, day)
    thresholds = (edition or {}).get("thresholds") or {}
    exempt = thresholds.get("noSeparateReview")
    if edition is not None and exempt is None:
        verdict = "pass" if approved is True else "review"
    elif edition is None:
        verdict = "review"
    else:
        tce_requires = None if tce is None else tce >= exempt["annualConsumptionTce"]["value"]
        kwh_requires = None if kwh is None else kwh >= exempt["annualElectricityKwh"]["value"]
        if tce_requires is False and kwh_requires is False:
            verdict = "pass"
        elif tce_requires or kwh_requires:
            verdict = "pass" if approved is True else "fail" if approved is False else "review"
        else:
            verdict = "review"
    findings.append(("high-energy/energy-review", verdict, [c["id"] for c in (edition or {}).get("citations", [])]))
    if category is None:
        findings.append(("high-energy/efficiency", "not-applicable", []))
        return
    level = energy.get("efficiencyLevel")
    new = app["project"].get("type") == "new"
    rules = in_force(structure, day)
    verdict = ("review" if rules is None else "review" if category.get("partOf") and level in ("below-baseline", "baseline")
               else "fail" if level == "below-baseline" and new else "pass" if level == "benchmark" else "review")
    findings.append(("high-energy/efficiency", verdict, [c["id"] for c in (rules or {}).get("citations", [])]))


def rd_centre(app, day, findings):
    claims = app.get("claims") or {}
    centre = app.get("rdCentre")
    for benefit, flag in (("import-exemption", "rdCentreImportExemption"), ("vat-refund", "rdCentreVatRefund")):
        rule = "rd-centre/" + benefit
        if claims.get(flag) is not True:
            findings.append((rule, "not-applicable", []))
            continue
        window = in_force([w for w in windows if w["benefit"] == benefit], day)
        if window is None or not centre or window.get("criteriaStatus") == "not-held":
            findings.append((rule, "review", []))
            continue
        criteria = window["criteria"]
        money = centre.get("totalInvestment") if centre.get("legalForm") == "independent" else centre.get("totalRdInput")
        limit = criteria["independentTotalInvestment"] if centre.get("legalForm") == "independent" else criteria["nonIndependentTotalRdInput"]
        results = []
        if money is None or money.get("currency") != limit["unit"]:
            results.append(None)
        else:
            results.append(money["amount"] >= limit["value"])
        staff = centre.get("fullTimeRdStaff")
        results.append(None if staff is None else staff >= criteria["fullTimeRdStaff"]["value"])
        equipment = centre.get("equipmentOriginalValue")
        floor = criteria.get("equipmentOriginalValue")
        if floor:
            results.append(None if equipment is None or equipment.get("currency") != floor["unit"] else equipment["amount"] >= floor["value"])
        if window.get("criteriaStatus") != "verified" or None in results and False not in results:
            verdict = "review"
        elif False in results:
            verdict = "fail"
        else:
            verdict = "pass" if centre.get("certified") is True else "review"
        findings.append((rule, verdict, [window["criteriaCitation"]]))


def check(app):
    project = app["project"]
    day = app["submittedOn"]
    codes = [industry["code"] for industry in project.get("industries", [])]
    texts = " ".join([project.get("name", ""), project.get("businessScope", "")] + [p.get("name", "") for p in project.get("products", [])])
    findings = []
    encouraged_catalogue(app, day, codes, texts, findings)
    high_energy(app, day, codes, findings)
    negative_list(app, day, codes, texts, findings)
    rd_centre(app, day, findings)
    order = {"not-applicable": 0, "pass": 1, "review": 2, "fail": 3}
    verdict = max((f[1] for f in findings), key=order.get, default="not-applicable")
    return {"application": app["id"], "verdict": verdict, "findings": findings}


out = sys.stdout
for line in open(sys.argv[2], encoding="utf-8"):
    if line.strip():
        out.write(json.dumps(check(json.loads(line, parse_float=Decimal)), ensure_ascii=False, default=str) + "\n")
