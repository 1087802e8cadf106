#!/usr/bin/env python3
"""Record what InvokeAI's own migration makes of v3 (and old flat) config files, and check
`invokeai-lint migrate` against it.

For each release, the release's config code (extracted from its git tag, e.g. by
../shared/oracle/extract.py) runs in a venv with the pydantic it pinned:

  record: copy each input to a scratch root as invokeai.yaml, call the release's
          `load_and_migrate_config(path)` and write, per input and release, a JSON file with
          either {"error": "..."} or {"written": <the settings InvokeAI wrote back, as
          yaml.safe_load reads them>, "settings": <model_dump(mode="json") of the result>}.
  check:  load `invokeai-lint migrate`'s output for each input with the same release
          (`InvokeAIAppConfig.model_validate(yaml.safe_load(...))`) and compare its full
          model_dump with InvokeAI's; report every difference.

Usage:
  python3 scripts/migrate_oracle.py record --trees T --venvs V --out fixtures/migrate INPUT...
  python3 scripts/migrate_oracle.py check  --trees T --venvs V --out fixtures/migrate \
      --linter target/debug/invokeai-lint INPUT...
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# (tag, version given to the linter, venv): pins as in ../shared/oracle/releases.py.
RELEASES = [
    ("v4.0.0", "4.0.0", "pd2_6_3"),
    ("v4.1.0", "4.1.0", "pd2_6_3"),
    ("v4.2.0", "4.2.0", "pd2_6_3"),
    ("v5.9.1", "5.9.1", "pd2_7_2"),
    ("v6.13.8", "6.13.8", "pd2_13_4"),
]

WORKER = r'''
import json, sys, shutil, tempfile, os
from pathlib import Path
import yaml
from invokeai.app.services.config import config_default as cd

def dump(c):
    return json.loads(json.dumps(c.model_dump(mode="json"), default=str))

mode, items = sys.argv[1], json.loads(sys.stdin.read())
out = {}
for name, text in items.items():
    root = Path(tempfile.mkdtemp())
    p = root / "invokeai.yaml"
    p.write_text(text, encoding="utf-8")
    try:
        if mode == "record":
            c = cd.load_and_migrate_config(p)
            written = yaml.safe_load(p.read_text(encoding="utf-8"))
            out[name] = {"written": written, "settings": dump(c)}
        else:
            d = yaml.safe_load(text)
            c = cd.InvokeAIAppConfig.model_validate(d)
            out[name] = {"settings": dump(c)}
    except BaseException as e:  # noqa: BLE001 - any failure is the answer
        out[name] = {"error": f"{type(e).__name__}: {e}"}
    shutil.rmtree(root, ignore_errors=True)
print(json.dumps(out))
'''


def run_worker(trees, venvs, tag, venv, mode, items):
    # STUBS: a folder with a psutil stand-in, for venvs without it (only the RAM total is read).
    path = os.pathsep.join(p for p in [str(Path(trees) / tag), os.environ.get("STUBS", "")] if p)
    env = dict(os.environ, PYTHONPATH=path, LC_ALL="C.UTF-8", PYTHONUTF8="1")
    for k in list(env):
        if k.startswith("INVOKEAI_"):
            del env[k]
    py = Path(venvs) / venv / "bin" / "python"
    r = subprocess.run([str(py), "-c", WORKER, mode], input=json.dumps(items), env=env,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"{tag}: worker failed: {r.stderr[-2000:]}")
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["record", "check"])
    ap.add_argument("--trees", required=True)
    ap.add_argument("--venvs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--linter")
    ap.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    items = {Path(p).stem: Path(p).read_text(encoding="utf-8") for p in a.inputs}
    bad = 0
    for tag, version, venv in RELEASES:
        if a.mode == "record":
            for name, res in run_worker(a.trees, a.venvs, tag, venv, "record", items).items():
                (out / f"{name}@{version}.json").write_text(
                    json.dumps(res, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
            continue
        ours = {}
        for name in items:
            src = next(p for p in a.inputs if Path(p).stem == name)
            r = subprocess.run([a.linter, "migrate", src, "--to", version], capture_output=True, text=True)
            ours[name] = (r.returncode, r.stdout, r.stderr)
        ok = {n: t for n, (code, t, _) in ours.items() if code == 0}
        loaded = run_worker(a.trees, a.venvs, tag, venv, "check", ok)
        for name in sorted(items):
            want = json.loads((out / f"{name}@{version}.json").read_text(encoding="utf-8"))
            code, _, err = ours[name]
            if "error" in want and "Invalid schema version" in want["error"] and code == 0:
                # A downgrade: InvokeAI refuses a newer schema; ours must load there.
                got = loaded[name]
                if "error" in got:
                    bad += 1
                    print(f"DIFF {name}@{version}: our downgrade does not load: {got['error'][:200]}")
                else:
                    print(f"same {name}@{version}: downgrade (InvokeAI refuses the schema; ours loads)")
                continue
            if "error" in want:
                if code == 0:
                    bad += 1
                    print(f"DIFF {name}@{version}: InvokeAI fails ({want['error'][:120]}), we migrate")
                else:
                    print(f"same {name}@{version}: both fail")
                continue
            if code != 0:
                bad += 1
                print(f"DIFF {name}@{version}: InvokeAI migrates, we fail: {err.strip()[:200]}")
                continue
            got = loaded[name]
            if "error" in got:
                bad += 1
                print(f"DIFF {name}@{version}: our output does not load: {got['error'][:200]}")
                continue
            diff = {k: (want["settings"].get(k), got["settings"].get(k))
                    for k in set(want["settings"]) | set(got["settings"])
                    if want["settings"].get(k) != got["settings"].get(k)}
            if diff:
                bad += 1
                print(f"DIFF {name}@{version}: {diff}")
            else:
                print(f"same {name}@{version}: {len(want['settings'])} settings equal")
    if a.mode == "check":
        print(f"{bad} differences")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
