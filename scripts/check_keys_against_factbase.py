#!/usr/bin/env python3
"""Run `invokeai-lint keys --format json` for every release in config-keys.json and compare
with what scripts/expected_keys.py derives from the fact base, and the key count with
versions[].key_count.

Usage: scripts/check_keys_against_factbase.py CONFIG_KEYS_JSON [--bin PATH]
Exit status 0 when every release agrees.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from expected_keys import expected_rows  # noqa: E402


def same(a, b):
    """Equality that, unlike ==, tells True from 1 and 6.0 from 6."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def default_bin():
    target = os.environ.get("CARGO_TARGET_DIR") or str(Path(__file__).resolve().parent.parent / "target")
    return str(Path(target) / "debug" / "invokeai-lint")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config_keys", type=Path)
    ap.add_argument("--bin", default=default_bin())
    args = ap.parse_args()
    facts = json.loads(args.config_keys.read_text(encoding="utf-8"))

    failures = 0
    for v in facts["versions"]:
        version = v["version"]
        run = subprocess.run(
            [args.bin, "keys", "--invokeai-version", version, "--format", "json"],
            capture_output=True,
            text=True,
        )
        problems = []
        if run.returncode != 0:
            problems.append(f"exit {run.returncode}: {run.stderr.strip()}")
        if run.stderr.strip():
            problems.append(f"unexpected stderr: {run.stderr.strip()}")
        try:
            got = json.loads(run.stdout)
        except json.JSONDecodeError as e:
            got = None
            problems.append(f"not JSON: {e}")
        if got is not None:
            want = expected_rows(facts, version)
            if len(got) != v["key_count"]:
                problems.append(f"{len(got)} keys, versions[].key_count says {v['key_count']}")
            if not same(got, want):
                names_got = [r.get("name") for r in got]
                names_want = [r["name"] for r in want]
                if names_got != names_want:
                    problems.append(f"names differ: {sorted(set(names_got) ^ set(names_want))}")
                for g, w in zip(got, want):
                    if not same(g, w):
                        problems.append(f"{w['name']}: got {json.dumps(g)} want {json.dumps(w)}")
        if problems:
            failures += 1
            print(f"FAIL {version}")
            for p in problems[:10]:
                print(f"  {p}")
        else:
            print(f"ok   {version} ({len(got)} keys)")
    total = len(facts["versions"])
    print(f"\n{total - failures}/{total} releases agree with config-keys.json")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
