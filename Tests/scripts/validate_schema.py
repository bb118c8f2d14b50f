#!/usr/bin/env python3
"""Validates JSON files against a JSON Schema with Python's jsonschema (draft 2020-12, with
format checking), independently of check's own validator.

Usage: validate_schema.py SCHEMA FILE...   Prints one JSON object per file:
{"file": ..., "valid": true|false, "errors": [...]}. A file that is not JSON (or has a
duplicated member name) is reported invalid.
"""
import json
import sys

from jsonschema import Draft202012Validator


def no_duplicates(pairs):
    names = [name for name, _ in pairs]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError("duplicate member names: " + ", ".join(duplicated))
    return dict(pairs)


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as handle:
                instance = json.loads(handle.read().decode("utf-8"), object_pairs_hook=no_duplicates)
            errors = ["%s: %s" % ("/".join(str(p) for p in error.absolute_path), error.message)
                      for error in validator.iter_errors(instance)]
        except (ValueError, UnicodeDecodeError) as error:
            errors = ["not JSON: %s" % error]
        print(json.dumps({"file": path, "valid": not errors, "errors": errors}, ensure_ascii=False))


if __name__ == "__main__":
    main()
