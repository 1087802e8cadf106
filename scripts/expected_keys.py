#!/usr/bin/env python3
"""What `invokeai-lint keys --invokeai-version V --format json` must print, computed straight
from the fact base's config-keys.json.

Deliberately independent of scripts/gen_settings_table.py and of the Rust code: it reads the
fact base's own fields (versions order, added_in/removed_in, history, allowed, constraints) so
that a mistake in the generator or the table shows up as a difference.

Usage:
  scripts/expected_keys.py CONFIG_KEYS_JSON --write-fixtures DIR VERSION...
  scripts/expected_keys.py CONFIG_KEYS_JSON VERSION        (prints the JSON)
"""

import argparse
import json
from pathlib import Path

FIXTURE_VERSIONS = [
    "3.0.0", "3.6.2", "4.0.0", "4.2.6", "5.5.0", "5.6.0", "5.15.0", "6.13.0", "6.14.0-rc2",
]


def expected_rows(facts, version):
    """Rows for a release listed in facts['versions'] (the fact base's order is release order)."""
    order = [v["version"] for v in facts["versions"]]
    pos = {name: i for i, name in enumerate(order)}
    if version not in pos:
        raise KeyError(f"{version} is not a release in config-keys.json")
    at = pos[version]
    rows = []
    for key in facts["keys"]:
        first = pos[key["added_in"]]
        end = pos[key["removed_in"]] if key["removed_in"] else len(order)
        if not first <= at < end:
            continue
        in_force = [h for h in key["history"] if pos[h["version"]] <= at]
        rev = in_force[-1]
        constraints = rev.get("constraints") or {}
        deprecated = key.get("deprecated_in") is not None and pos[key["deprecated_in"]] <= at
        rows.append(
            {
                "name": key["name"],
                "type": rev["type"],
                "default": rev.get("default"),
                "choices": rev.get("allowed"),
                "ge": constraints.get("ge"),
                "gt": constraints.get("gt"),
                "le": constraints.get("le"),
                "lt": constraints.get("lt"),
                "deprecated": deprecated,
                "replaced_by": key.get("replaced_by") if deprecated else None,
            }
        )
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config_keys", type=Path)
    ap.add_argument("versions", nargs="*")
    ap.add_argument("--write-fixtures", type=Path, metavar="DIR")
    args = ap.parse_args()
    facts = json.loads(args.config_keys.read_text(encoding="utf-8"))
    if args.write_fixtures:
        args.write_fixtures.mkdir(parents=True, exist_ok=True)
        for v in args.versions or FIXTURE_VERSIONS:
            out = args.write_fixtures / f"{v}.json"
            out.write_text(json.dumps(expected_rows(facts, v), indent=2, ensure_ascii=False) + "\n")
            print(f"wrote {out}")
    else:
        for v in args.versions:
            print(json.dumps(expected_rows(facts, v), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
