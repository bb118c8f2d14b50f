#!/usr/bin/env python3
"""Reads a JUnit XML report with xml.etree, as JUnit consumers do, and prints its counts as JSON:
the <testsuites> attributes, the sums over <testsuite> elements, and the <testcase> outcomes
counted from their child elements (<failure>, <error>, <skipped>).
"""
import json
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
cases = root.findall("./testsuite/testcase")
outcome = {"passed": 0, "failure": 0, "error": 0, "skipped": 0}
names = []
for case in cases:
    kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
    assert len(kinds) <= 1, kinds
    outcome[{"failure": "failure", "error": "error", "skipped": "skipped"}[kinds[0]] if kinds else "passed"] += 1
    names.append([case.get("classname"), case.get("name")])
suites = root.findall("./testsuite")
print(json.dumps({
    "declared": {key: int(root.get(key)) for key in ("tests", "failures", "errors", "skipped")},
    "suites": {key: sum(int(suite.get(key)) for suite in suites) for key in ("tests", "failures", "errors", "skipped")},
    "counted": outcome,
    "suiteCount": len(suites),
    "cases": names,
}, ensure_ascii=False))
