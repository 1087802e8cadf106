#!/usr/bin/env python3
"""Print verdicts of a run: the config, InvokeAI's verdict and exception, the linter's findings.

    show.py [--outcome false-error|missed-error|agree|recorded] [--release 3.6.2] [--locale gbk] [--kind bom]
            [--id c00123] [--invokeai refuse|ignored|accept] [--differs] [--group] [--limit 20]

--group prints one example per (pin set, InvokeAI verdict and exception type, linter load-time rules) with the
number of pairs and releases it stands for; --differs keeps cp1252/GBK verdicts that differ from UTF-8.
"""
import argparse
import collections
import json
import os
from pathlib import Path

from releases import RELEASES

ENV_OF = {r.version: r.env for r in RELEASES}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, default=Path(os.environ.get("ORACLE_HOME", "/tmp/invokeai-lint-oracle")))
    ap.add_argument("--run-name", default="run")
    for name in ("outcome", "release", "locale", "kind", "id", "invokeai"):
        ap.add_argument(f"--{name}")
    ap.add_argument("--differs", action="store_true")
    ap.add_argument("--group", action="store_true")
    ap.add_argument("--limit", type=int, default=20)
    a = ap.parse_args()
    pairs = [json.loads(line) for line in open(a.home / a.run_name / "pairs.jsonl")]
    sel = [p for p in pairs if all(getattr(a, k) is None or p[k] == getattr(a, k)
                                   for k in ("outcome", "release", "locale", "kind", "id", "invokeai"))
           and (not a.differs or p["differs_from_utf8"])]
    if a.group:
        groups = collections.OrderedDict()
        for p in sel:
            rules = tuple(sorted({e[0] for e in p["linter_errors"] or []}))
            groups.setdefault((ENV_OF.get(p["release"]), p["invokeai"], p["reason"], p["exc_type"], rules), []).append(p)
        print(f"{len(sel)} pairs in {len(groups)} groups")
        sel = [g[0] | {"group": f"{len(g)} pairs; releases {', '.join(sorted({q['release'] for q in g}))}"}
               for g in groups.values()]
    for p in sel[: a.limit]:
        print("=" * 100)
        print(f"{p['id']}  {p['release']}  {p['locale']}  {p['origin']}  {p['kind']}: {p['detail']!r}")
        if "group" in p:
            print(f"group: {p['group']}")
        print(f"InvokeAI: {p['invokeai']}{' (' + p['reason'] + ')' if p['reason'] else ''}   outcome: {p['outcome']}")
        text = Path(p["file"]).read_bytes().decode("utf-8", "replace")
        print("--- config ---\n" + (text if len(text) < 1200 else text[:1200] + "\n[...]"))
        if p["message"]:
            print("--- InvokeAI ---\n" + p["message"])
        print("--- linter ---")
        for rule, key, msg in p["linter_errors"] or []:
            print(f"  {rule} error [{key}] {msg}")
        for rule, sev, key, msg in p["linter_other"] or []:
            print(f"  ({rule} {sev}) [{key}] {msg}")


if __name__ == "__main__":
    main()
