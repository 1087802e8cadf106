"""Record mode: turn a run's verdicts into the regression set replayed by `cargo test --test oracle_verdicts`.

Picks one configuration per class of verdict (class = the release's pin set, the locale, InvokeAI's verdict and
exception type, the linter's load-time rules, the outcome, the kind of mutation), plus every real v3 config at the
releases that dump migrations. Writes, under fixtures/oracle/:

  configs/<kind>-<hash>.yaml     the file, byte for byte (its name is stable: a hash of its content)
  cases.json                     one entry per (file, release, locale): InvokeAI's verdict, why, its exception
  migrations/<name>@<ver>.json   for v3 files at 4.0.0 / 5.9.1 / 6.13.8: the settings InvokeAI's migration produced

and rewrites the known-differences list in tests/oracle_verdicts.rs (between its two marker comments) with the
cases the linter gets wrong today, each with a one-line reason.
"""
import collections
import hashlib
import json
import re
import shutil
from pathlib import Path

from releases import MIGRATION_DUMP_VERSIONS, RELEASES

MAX_CASES = 400
MAX_LOCALE_CASES = 100
ENV_OF = {r.version: r.env for r in RELEASES}
BEGIN, END = "// oracle:known-differences:begin", "// oracle:known-differences:end"


def first_line(message: str) -> str:
    return (message or "").strip().splitlines()[0][:240] if (message or "").strip() else ""


def exception_text(p: dict) -> str:
    """First line, plus the first field line of a pydantic error (its first line only counts the errors)."""
    lines = (p["message"] or "").strip().splitlines()
    if not lines:
        return ""
    if re.search(r"validation errors? for", lines[0]) and len(lines) > 2:
        return f"{lines[0]} / {lines[1].strip()}: {lines[2].strip()}"[:240]
    return lines[0][:240]


def class_key(p: dict) -> tuple:
    rules = tuple(sorted({e[0] for e in p["linter_errors"] or []}))
    return (ENV_OF[p["release"]], p["locale"], p["invokeai"], p["reason"], p["exc_type"], p["outcome"], rules,
            p["kind"] if p["kind"] != "synthetic" else p["detail"])


def priority(p: dict) -> int:
    if p["outcome"] in ("false-error", "missed-error"):
        return 0
    if p["locale"] != "utf-8":
        return 1 if p["differs_from_utf8"] else 4
    return 2 if p["invokeai"] != "accept" else 3


def reason_line(p: dict) -> str:
    lint = ", ".join(sorted({e[0] for e in p["linter_errors"] or []})) or "no load-time error"
    verdict = p["invokeai"] + (f" ({p['reason']})" if p["reason"] else "")
    exc = exception_text(p)
    return f"{p['outcome']}: InvokeAI {p['release']} {verdict}{': ' + exc if exc else ''}; linter: {lint}"[:300]


def is_v3(path: str) -> bool:
    return re.search(rb"(?m)^\s*InvokeAI[ \t]*:", Path(path).read_bytes()) is not None


def take_in_turns(ranked: list[dict], limit: int, bucket) -> list[dict]:
    """Disagreements first, then one from each bucket in turn (each bucket in rank order), up to `limit`."""
    out = [q for q in ranked if q["outcome"] in ("false-error", "missed-error")][:limit]
    queues = collections.defaultdict(list)
    for q in ranked:
        if q not in out:
            queues[bucket(q)].append(q)
    while len(out) < limit and any(queues.values()):
        for key in sorted(queues, key=str):
            if queues[key] and len(out) < limit:
                out.append(queues[key].pop(0))
    return out


def record(pairs: list[dict], run: Path, fixtures: Path, test_file: Path) -> None:
    picked: dict[tuple, dict] = {}
    for p in sorted(pairs, key=lambda q: (priority(q), Path(q["file"]).stat().st_size, q["id"], q["release"])):
        if p["outcome"] == "excluded":
            continue
        picked.setdefault(class_key(p), p)
    # the UTF-8 cases are what the test compares; the cp1252 / GBK ones get a smaller share of the budget. Within
    # each, every disagreement first, then turns between InvokeAI's verdicts so that none crowds the others out
    ranked = sorted(picked.values(), key=lambda q: (priority(q), q["id"]))
    utf8 = take_in_turns([q for q in ranked if q["locale"] == "utf-8"], MAX_CASES - MAX_LOCALE_CASES,
                         lambda q: q["invokeai"])
    chosen = utf8 + take_in_turns([q for q in ranked if q["locale"] != "utf-8"], MAX_CASES - len(utf8),
                                  lambda q: (q["locale"], q["differs_from_utf8"]))
    # real v3 configs at the migration releases: what InvokeAI's own migration makes of them
    chosen += [p for p in pairs if p["kind"] == "seed" and p["locale"] == "utf-8"
               and p["release"] in MIGRATION_DUMP_VERSIONS and is_v3(p["file"]) and p not in chosen]

    if fixtures.exists():
        shutil.rmtree(fixtures)
    (fixtures / "configs").mkdir(parents=True)
    (fixtures / "migrations").mkdir()
    names, cases = {}, []
    for p in chosen:
        data = Path(p["file"]).read_bytes()
        name = f"{p['kind'] if p['kind'] != 'synthetic' else p['detail']}-{hashlib.sha1(data).hexdigest()[:8]}"
        names[p["id"]] = name
        (fixtures / "configs" / f"{name}.yaml").write_bytes(data)
        cases.append({"name": name, "release": p["release"], "locale": p["locale"], "invokeai": p["invokeai"],
                      "reason": p["reason"], "exception": exception_text(p), "kind": p["kind"],
                      "origin": p["origin"], "detail": p["detail"]})
    for cid, name in sorted(names.items()):
        if not is_v3(next(p["file"] for p in chosen if p["id"] == cid)):
            continue
        for ver in sorted(MIGRATION_DUMP_VERSIONS):
            dump = run / "migrations" / ver / f"{cid}.json"
            verdict = next((p for p in pairs if p["id"] == cid and p["release"] == ver and p["locale"] == "utf-8"), None)
            if dump.exists():
                shutil.copyfile(dump, fixtures / "migrations" / f"{name}@{ver}.json")
            elif verdict is not None and verdict["invokeai"] == "refuse":
                (fixtures / "migrations" / f"{name}@{ver}.json").write_text(
                    json.dumps({"refused": exception_text(verdict)}, indent=1) + "\n")
    cases.sort(key=lambda c: (c["name"], [int(x) for x in c["release"].split(".")], c["locale"]))
    body = ",\n".join("  " + json.dumps(c, ensure_ascii=False, sort_keys=True) for c in cases)
    (fixtures / "cases.json").write_text("[\n" + body + "\n]\n", encoding="utf-8")

    known = sorted({(names[p["id"]], p["release"], reason_line(p)) for p in chosen
                    if p["locale"] == "utf-8" and p["outcome"] in ("false-error", "missed-error")},
                   key=lambda k: (k[0], [int(x) for x in k[1].split(".")]))
    rewrite_known(test_file, known)
    by = collections.Counter(c["invokeai"] for c in cases)
    print(f"recorded {len(cases)} cases ({dict(by)}) of {len(names)} files into {fixtures};"
          f" {len(known)} known differences written to {test_file.name}")


def rewrite_known(test_file: Path, known: list[tuple[str, str, str]]) -> None:
    text = test_file.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    indent = text[text.rindex("\n", 0, end) + 1: end]
    lines = "".join(f"\n{indent}({json.dumps(n)}, {json.dumps(v)}, {json.dumps(r, ensure_ascii=False)}),"
                    for n, v, r in known)
    test_file.write_text(text[:start] + lines + "\n" + indent + text[end:])


def refresh_known(linter: str, fixtures: Path, test_file: Path) -> None:
    """Re-lint the recorded UTF-8 cases with `linter` and rewrite the known differences (no Python venvs needed)."""
    import subprocess

    cases = json.loads((fixtures / "cases.json").read_text(encoding="utf-8"))
    by_release = collections.defaultdict(list)
    for c in cases:
        if c["locale"] == "utf-8":
            by_release[c["release"]].append(c)
    known = []
    for release, cs in sorted(by_release.items()):
        files = sorted({str(fixtures / "configs" / f"{c['name']}.yaml") for c in cs})
        r = subprocess.run([linter, "lint", *files, "--invokeai-version", release, "--isolated",
                            "--no-inline-suppressions", "--format", "json", "--color", "never"],
                           capture_output=True, text=True)
        if r.returncode not in (0, 1):
            raise SystemExit(f"linter failed (exit {r.returncode}) for {release}: {r.stderr[:2000]}")
        errors = collections.defaultdict(set)
        for d in json.loads(r.stdout)["diagnostics"]:
            if d["severity"] == "error" and d["rule"][:3] in ("IL0", "IL1"):
                errors[Path(d["file"]).stem].add(d["rule"])
        for c in cs:
            lint = sorted(errors.get(c["name"], ()))
            if (c["invokeai"] != "accept") != bool(lint):
                p = {"outcome": "false-error" if lint else "missed-error", "release": release,
                     "invokeai": c["invokeai"], "reason": c["reason"], "message": c["exception"],
                     "linter_errors": [[rule] for rule in lint]}
                known.append((c["name"], release, reason_line(p)))
    known.sort(key=lambda k: (k[0], [int(x) for x in k[1].split(".")]))
    rewrite_known(test_file, known)
    print(f"{len(known)} known differences written to {test_file}")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Rewrite the known differences of tests/oracle_verdicts.rs by "
                                             "linting the recorded cases again (after a linter fix).")
    repo = Path(__file__).resolve().parent.parent.parent
    ap.add_argument("--linter", default=str(repo / "target/debug/invokeai-lint"))
    a = ap.parse_args()
    refresh_known(a.linter, repo / "fixtures/oracle", repo / "tests/oracle_verdicts.rs")
