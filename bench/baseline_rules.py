#!/usr/bin/env python3
"""The script staff would otherwise write: json.loads each line, check a few rules on dicts
(a negative-list code lookup with keywords, the energy-review thresholds, the R&D criteria),
print one JSON result per line. For scale only: it does far less than check (no validation,
no editions, no citations, one language)."""
import json
import sys

PROHIBITED = {"B0932": "稀土", "B0931": "钨", "F5227": "烟草", "F5128": "烟草", "R8610": "新闻"}
RESTRICTED = {"D4414": ("核电", 50), "L7242": ("市场调查", None), "G5522": ("运输", 50)}


def check(app):
    project = app["project"]
    texts = project.get("name", "") + project.get("businessScope", "")
    findings = []
    foreign = sum(i.get("sharePercent", 0) for i in app["investors"] if i.get("foreign"))
    for industry in project["industries"]:
        code = industry["code"]
        if code in PROHIBITED:
            findings.append(("negative-list", "fail" if PROHIBITED[code] in texts else "review"))
        elif code in RESTRICTED:
            word, limit = RESTRICTED[code]
            findings.append(("negative-list", "fail" if limit is not None and foreign > limit else "pass"))
    energy = project.get("energy") or {}
    tce = energy.get("annualConsumptionTce")
    if tce is None:
        findings.append(("high-energy", "review"))
    elif tce < 1000 and (energy.get("annualElectricityKwh") or 0) < 5_000_000:
        findings.append(("high-energy", "pass"))
    else:
        approved = energy.get("energyReviewApproved")
        findings.append(("high-energy", "pass" if approved else "fail" if approved is False else "review"))
    centre = app.get("rdCentre")
    if centre:
        ok = centre.get("fullTimeRdStaff", 0) >= 80 and (centre.get("totalInvestment") or {}).get("amount", 0) >= 8_000_000
        findings.append(("rd-centre", "pass" if ok else "fail"))
    return {"application": app["id"], "findings": findings}


out = sys.stdout
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        out.write(json.dumps(check(json.loads(line)), ensure_ascii=False) + "\n")
