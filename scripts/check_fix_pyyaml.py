#!/usr/bin/env python3
"""Check `lint --fix --unsafe-fixes` against PyYAML itself: for every fixture and corpus
config at several releases (facts: 8 GB VRAM, 8 GB RAM, CUDA), the fixed text must still
load with yaml.safe_load when the original did, with the same top-level keys and values
except the keys a fixable finding names (and keys a rename adds).

Usage: python3 scripts/check_fix_pyyaml.py BINARY [CORPUS_DIR]
"""
import glob
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSIONS = ["4.0.2", "5.9.1", "6.10.0", "6.13.8"]


def load(text):
    try:
        return True, yaml.safe_load(text)
    except yaml.YAMLError as e:
        return False, type(e).__name__


def main():
    binary = sys.argv[1]
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "..", "shared", "corpus", "configs")
    files = sorted(set(glob.glob(os.path.join(ROOT, "fixtures", "**", "*.yaml"), recursive=True)
                       + glob.glob(os.path.join(corpus, "*.yaml"))))
    stats = {"pairs": 0, "changed": 0, "compared": 0, "differ": 0, "broke": 0}
    for f in files:
        raw = open(f, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        for v in VERSIONS:
            args = [binary, "lint", "--isolated", "--invokeai-version", v, "--vram-gb", "8", "--ram-gb", "8",
                    "--device", "cuda", "--stdin-filename", "invokeai.yaml", "-"]
            report = json.loads(subprocess.run(args + ["--format", "json"], input=raw, capture_output=True).stdout)
            fixed = subprocess.run(args + ["--fix", "--unsafe-fixes"], input=raw, capture_output=True).stdout
            fixed = fixed.decode("utf-8")
            stats["pairs"] += 1
            if fixed == text:
                continue
            stats["changed"] += 1
            (ok_a, a), (ok_b, b) = load(text), load(fixed)
            if ok_a and not ok_b:
                stats["broke"] += 1
                print(f"BROKE {f} @ {v}: {b}")
                continue
            if not (ok_a and isinstance(a, dict) and isinstance(b, dict)):
                continue
            stats["compared"] += 1
            named = {d.get("key") for d in report["diagnostics"] if d.get("fix")}
            allowed = named | {k.split(".")[-1] for k in named if k} | (set(b) - set(a)) | {"InvokeAI"}
            differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k not in allowed)
            if differ:
                stats["differ"] += 1
                print(f"DIFF {f} @ {v}: {differ}")
    print(stats)
    sys.exit(1 if stats["differ"] or stats["broke"] else 0)


if __name__ == "__main__":
    main()
