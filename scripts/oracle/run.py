#!/usr/bin/env python3
"""invokeai-lint against InvokeAI's own config loader, release by release and locale by locale.

    python3 scripts/oracle/run.py --all [--linter PATH] [--record]     # the default run (about 15 min on 2 cores)
    python3 scripts/oracle/run.py --quick                               # 5 releases, fewer mutants

Needs INVOKEAI_GIT_DIR (a clone or bare mirror of invoke-ai/InvokeAI with its tags) the first time a release is
extracted, and `setup_env.py` run once. Everything is written under ORACLE_HOME (default
/tmp/invokeai-lint-oracle): trees/<tag>, venvs/<env>, locale/, and <run-name>/ with configs/, oracle-*.jsonl,
lint-*.json, pairs.jsonl, summary.json, table.txt and migrations/<version>/<config>.json.

The contract checked (docs/oracle.md): the linter reports an error-severity finding of a load-time rule (IL0xx,
IL1xx) if and only if InvokeAI refuses to start with the file or ignores the file whole.
"""
import argparse
import collections
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
from extract import extract  # noqa: E402
from mutants import guide_sentences, guide_snippets, mutants  # noqa: E402
from record import record  # noqa: E402
from releases import LOCALE_CONTROL_3X, LOCALES, MIGRATION_DUMP_VERSIONS, RELEASES  # noqa: E402
from synthetic import SYNTHETIC  # noqa: E402

DEFAULT_SEEDS = [REPO.parent.parent / "shared/corpus/configs", REPO / "fixtures/rules", REPO / "fixtures/examples"]
DEFAULT_GUIDE = REPO.parent.parent / "shared/guide/low-vram-guide.zh.md"


def make_configs(run: Path, seeds: list[Path], guide: Path, seed: int, per_seed: int) -> list[dict]:
    """Write every config of the run to run/configs and return the manifest (id, file, origin, kind, detail)."""
    (run / "configs").mkdir(parents=True, exist_ok=True)
    manifest = []

    def emit(origin: str, kind: str, detail: str, data: bytes) -> None:
        cid = f"c{len(manifest):05d}"
        path = run / "configs" / f"{cid}.yaml"
        path.write_bytes(data)
        manifest.append({"id": cid, "file": str(path), "origin": origin, "kind": kind, "detail": detail,
                         "ascii": data.isascii()})

    for name, data in SYNTHETIC.items():
        emit(f"synthetic/{name}", "synthetic", name, data)
    sentences = guide_sentences(guide)
    sources = [(f"guide/snippet-{i}", s.encode("utf-8")) for i, s in enumerate(guide_snippets(guide))]
    for d in seeds:
        files = sorted(p for p in d.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")) if d.is_dir() else [d]
        sources += [(f"{d.name}/{p.relative_to(d) if d.is_dir() else p.name}", p.read_bytes()) for p in files]
    for origin, raw in sources:
        emit(origin, "seed", "", raw)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        rng = random.Random(f"{seed}:{origin}")
        for kind, detail, data in mutants(text, rng, sentences, per_seed):
            emit(origin, kind, detail, data)
    return manifest


def run_oracle(home: Path, run: Path, rel, locale: str, jobs: list[dict], dump: bool) -> list[dict]:
    out = run / f"oracle-{rel.tag}-{locale}.jsonl"
    if out.exists():
        got = [json.loads(line) for line in out.read_text().splitlines()]
        if len(got) == len(jobs):
            return got
    py = home / "venvs" / rel.env / "bin" / "python"
    if not py.exists():
        raise SystemExit(f"no venv {py}: run scripts/oracle/setup_env.py first")
    lc_all = LOCALES[locale][0]
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("INVOKEAI_", "LC_", "PYTHON")) and k not in ("LANG", "LANGUAGE")}
    env.update(LC_ALL=lc_all, LANG=lc_all, LOCPATH=str(home / "locale"), PYTHONDONTWRITEBYTECODE="1",
               PYTHONIOENCODING="utf-8")
    if locale == "utf-8":
        env.pop("LOCPATH")
    # every load makes and removes a temporary root; on a tmpfs that costs nothing, on a busy disk it was 60 % of
    # the wall time
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        scratch = shm / f"invokeai-lint-oracle-{os.getpid()}"
        scratch.mkdir(exist_ok=True)
        env["TMPDIR"] = str(scratch)
    args = [str(py), str(HERE / "worker.py"), "--tree", str(home / "trees" / rel.tag), "--family", rel.family]
    if dump:
        args.append("--dump-migrations")
    stdin = "".join(json.dumps({"id": j["id"], "path": j["file"]}) + "\n" for j in jobs)
    r = subprocess.run(args, input=stdin, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"worker failed for {rel.tag} {locale}: {r.stderr[-2000:]}")
    tmp = out.with_suffix(".tmp")
    tmp.write_text(r.stdout)
    tmp.rename(out)
    return [json.loads(line) for line in r.stdout.splitlines()]


def run_linter(linter: str, run: Path, version: str, manifest: list[dict]) -> dict:
    """Per config id: (the linter's load-time errors, its other findings), or None when it skipped the file."""
    out = run / f"lint-{version}.json"
    if not out.exists():
        r = subprocess.run([linter, "lint", *[m["file"] for m in manifest], "--invokeai-version", version,
                            "--isolated", "--no-inline-suppressions", "--format", "json", "--color", "never"],
                           capture_output=True, text=True)
        if r.returncode not in (0, 1):
            raise SystemExit(f"linter failed (exit {r.returncode}) for {version}: {r.stderr[:2000]}")
        out.write_text(r.stdout)
    report = json.loads(out.read_text())
    by_file = collections.defaultdict(list)
    for d in report["diagnostics"]:
        by_file[d["file"]].append(d)
    skipped = {s.get("file") if isinstance(s, dict) else s for s in report.get("skipped", [])}
    res = {}
    for m in manifest:
        if m["file"] in skipped:
            res[m["id"]] = None
            continue
        ds = by_file.get(m["file"], [])
        load = [d for d in ds if is_load_error(d)]
        res[m["id"]] = ([[d["rule"], d.get("key"), d["message"]] for d in load],
                        [[d["rule"], d["severity"], d.get("key"), d["message"]] for d in ds if d not in load])
    return res


def is_load_error(d: dict) -> bool:
    return d["severity"] == "error" and d["rule"][:3] in ("IL0", "IL1")


def outcome(invokeai: str, linter_errors: list | None) -> str:
    if invokeai not in ("accept", "refuse", "ignored") or linter_errors is None:
        return "excluded"
    ia_error, lint_error = invokeai != "accept", bool(linter_errors)
    if ia_error == lint_error:
        return "agree"
    return "false-error" if lint_error else "missed-error"


def print_table(pairs: list[dict], rels, out: list[str]) -> dict:
    head = (f"{'release':>8} {'pairs':>6} {'agree%':>7} {'false-err':>9} {'missed':>6} {'excl':>4} "
            f"{'IA-refuse':>9} {'IA-ignored':>10} {'L-error':>7}   {'non-ascii':>9} {'cp1252-diff':>11} {'gbk-diff':>8}")
    out.append(head)
    summary, total = {}, collections.Counter()
    for rel in rels:
        ps = [p for p in pairs if p["release"] == rel.version]
        utf = [p for p in ps if p["locale"] == "utf-8"]
        c = collections.Counter(p["outcome"] for p in utf)
        n = len(utf) - c["excluded"]
        row = {"pairs": n, "agree": c["agree"], "false_error": c["false-error"], "missed_error": c["missed-error"],
               "excluded": c["excluded"], "invokeai_refuse": sum(p["invokeai"] == "refuse" for p in utf),
               "invokeai_ignored": sum(p["invokeai"] == "ignored" for p in utf),
               "linter_error": sum(bool(p["linter_errors"]) for p in utf),
               "non_ascii": sum(1 for p in utf if not p["ascii"])}
        for loc in LOCALES:
            if loc != "utf-8":
                row[f"{loc}_differs"] = sum(1 for p in ps if p["locale"] == loc and p["differs_from_utf8"])
        row["agreement_pct"] = round(100 * c["agree"] / n, 2) if n else None
        summary[rel.version] = row
        total.update({k: v for k, v in row.items() if k != "agreement_pct"})
        out.append(fmt_row(rel.version, row))
    total_row = dict(total, agreement_pct=round(100 * total["agree"] / total["pairs"], 2) if total["pairs"] else None)
    summary["ALL"] = total_row
    out.append(fmt_row("ALL", total_row))
    return summary


def fmt_row(name: str, r: dict) -> str:
    return (f"{name:>8} {r['pairs']:>6} {r['agreement_pct']!s:>7} {r['false_error']:>9} {r['missed_error']:>6}"
            f" {r['excluded']:>4} {r['invokeai_refuse']:>9} {r['invokeai_ignored']:>10} {r['linter_error']:>7}"
            f"   {r['non_ascii']:>9} {r.get('cp1252_differs', 0):>11} {r.get('gbk_differs', 0):>8}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="every release in releases.py (the default)")
    ap.add_argument("--quick", action="store_true", help="the releases marked quick, 3 mutants per seed")
    ap.add_argument("--releases", help="comma-separated versions or tags, e.g. 3.0.0,v6.13.8")
    ap.add_argument("--locales", default=",".join(LOCALES), help="comma-separated subset of " + ",".join(LOCALES))
    ap.add_argument("--home", type=Path, default=Path(os.environ.get("ORACLE_HOME", "/tmp/invokeai-lint-oracle")))
    ap.add_argument("--git-dir", default=os.environ.get("INVOKEAI_GIT_DIR"))
    ap.add_argument("--linter", default=os.environ.get("INVOKEAI_LINT", str(REPO / "target/debug/invokeai-lint")))
    ap.add_argument("--seeds", nargs="+", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--guide", type=Path, default=DEFAULT_GUIDE)
    ap.add_argument("--seed", type=int, default=20240611, help="random seed of the mutants")
    ap.add_argument("--per-seed", type=int, default=None, help="mutants per seed file (default 5, quick 3)")
    ap.add_argument("--run-name", default=None, help="output folder under ORACLE_HOME (default: run or quick)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--force", action="store_true", help="redo the linter and oracle outputs of this run")
    ap.add_argument("--record", action="store_true", help="write the regression set into fixtures/oracle/")
    a = ap.parse_args()

    started = time.monotonic()
    rels = [r for r in RELEASES if (not a.quick or r.quick)]
    if a.releases:
        wanted = set(a.releases.split(","))
        rels = [r for r in RELEASES if r.tag in wanted or r.version in wanted]
    locales = [loc for loc in LOCALES if loc in a.locales.split(",")]
    if "utf-8" not in locales:
        locales.insert(0, "utf-8")
    per_seed = a.per_seed or (3 if a.quick else 5)
    run = a.home / (a.run_name or ("quick" if a.quick else "run"))
    run.mkdir(parents=True, exist_ok=True)
    for r in rels:
        extract(a.git_dir, r.tag, a.home / "trees")

    manifest = make_configs(run, [Path(s) for s in a.seeds], a.guide, a.seed, per_seed)
    # oracle verdicts depend on the configs only; the linter's findings also on the binary
    configs_digest = hashlib.sha256(json.dumps([(m["id"], m["origin"], m["kind"], m["detail"]) for m in manifest])
                                    .encode()).hexdigest()
    linter_stat = Path(a.linter).stat()
    linter_digest = f"{configs_digest}:{Path(a.linter).resolve()}:{linter_stat.st_size}:{linter_stat.st_mtime_ns}"
    for stamp, digest, outputs in ((run / ".configs-digest", configs_digest, "oracle-*.jsonl"),
                                   (run / ".linter-digest", linter_digest, "lint-*.json")):
        if a.force or not stamp.exists() or stamp.read_text() != digest:
            for p in run.glob(outputs):
                p.unlink()
            stamp.write_text(digest)
    by_id = {m["id"]: m for m in manifest}
    non_ascii = [m for m in manifest if not m["ascii"]]
    print(f"{len(manifest)} configs ({len(non_ascii)} non-ASCII) x {len(rels)} releases; locales {', '.join(locales)}",
          flush=True)

    # ASCII files decode the same in all three locales (each is an ASCII superset), so only non-ASCII files are
    # rerun under cp1252 and GBK.
    # 3.x reads the file as UTF-8 whatever the locale (OmegaConf opens it so); one 3.x release is run in the other
    # locales as a control
    tasks = [(r, loc, manifest if loc == "utf-8" else non_ascii) for r in rels for loc in locales
             if loc == "utf-8" or r.family == "v4" or r.version == LOCALE_CONTROL_3X]
    with ThreadPoolExecutor(a.jobs) as ex:
        futures = {(r.version, loc): ex.submit(run_oracle, a.home, run, r, loc, jobs,
                                               loc == "utf-8" and r.version in MIGRATION_DUMP_VERSIONS)
                   for r, loc, jobs in tasks}
        oracle = {k: {o["id"]: o for o in f.result()} for k, f in futures.items()}
    shutil.rmtree(f"/dev/shm/invokeai-lint-oracle-{os.getpid()}", ignore_errors=True)
    print(f"oracle done in {time.monotonic() - started:.0f}s", flush=True)
    linter = {r.version: run_linter(a.linter, run, r.version, manifest) for r in rels}

    pairs = []
    for r in rels:
        for loc in locales:
            for cid, o in oracle.get((r.version, loc), {}).items():
                m = by_id[cid]
                lint = linter[r.version][cid]
                base = oracle[(r.version, "utf-8")][cid]
                p = {"release": r.version, "locale": loc, "id": cid, "origin": m["origin"], "kind": m["kind"],
                     "detail": m["detail"], "file": m["file"], "ascii": m["ascii"], "invokeai": o["verdict"],
                     "reason": o.get("reason"), "exc_type": o.get("exc_type"), "message": o.get("message", "")[:1500],
                     "differs_from_utf8": (o["verdict"], o.get("exc_type")) != (base["verdict"], base.get("exc_type")),
                     "linter_errors": None if lint is None else lint[0],
                     "linter_other": None if lint is None else lint[1]}
                # the linter has no locale option: it is compared under UTF-8 only
                p["outcome"] = outcome(o["verdict"], p["linter_errors"]) if loc == "utf-8" else "recorded"
                pairs.append(p)
                if "migration" in o:
                    d = run / "migrations" / r.version
                    d.mkdir(parents=True, exist_ok=True)
                    (d / f"{cid}.json").write_text(json.dumps(o["migration"], indent=1, sort_keys=True))
    with open(run / "pairs.jsonl", "w") as fh:
        for p in pairs:
            fh.write(json.dumps(p) + "\n")

    broken = collections.Counter((p["release"], p["locale"], p["message"][:120]) for p in pairs
                                 if p["invokeai"] == "harness-error")
    lines: list[str] = [f"HARNESS ERRORS (not verdicts): {n} x {r} {loc}: {m}" for (r, loc, m), n in broken.items()]
    summary = print_table(pairs, rels, lines)
    kinds = collections.defaultdict(collections.Counter)
    for p in pairs:
        if p["locale"] == "utf-8":
            kinds[p["kind"]][p["outcome"]] += 1
    lines.append("\ndisagreements by mutation kind (false-error / missed-error / pairs):")
    for k, c in sorted(kinds.items()):
        if c["false-error"] or c["missed-error"]:
            lines.append(f"  {k:<22} {c['false-error']:>5} / {c['missed-error']:>5} / {sum(c.values()):>5}")
    lines.append(f"\nagree% is strict on the contract (error <=> InvokeAI refuses or ignores the file), UTF-8 locale;"
                 f" cp1252-diff / gbk-diff: non-ASCII configs whose InvokeAI verdict or exception type differs from UTF-8."
                 f"\n{len(pairs)} verdicts in {time.monotonic() - started:.0f}s; pairs: {run / 'pairs.jsonl'}")
    classes = collections.Counter((p["outcome"], p["invokeai"], p["reason"] or p["exc_type"] or "-",
                                   ",".join(sorted({e[0] for e in p["linter_errors"] or []})) or "-")
                                  for p in pairs if p["outcome"] in ("false-error", "missed-error"))
    lines.append("\ndisagreements by class (outcome, InvokeAI verdict, reason or exception, linter rules): pairs")
    for (o, v, why, rules), n in classes.most_common(25):
        lines.append(f"  {o:<12} {v:<8} {why:<28} {rules:<18} {n:>6}")
    text = "\n".join(lines)
    print(text)
    (run / "table.txt").write_text(text + "\n")
    summary["by_kind"] = {k: dict(v) for k, v in sorted(kinds.items())}
    (run / "summary.json").write_text(json.dumps(summary, indent=1))
    if broken:
        raise SystemExit("the harness failed on some loads (see HARNESS ERRORS above); nothing recorded")
    if a.record:
        record(pairs, run, REPO / "fixtures/oracle", REPO / "tests/oracle_verdicts.rs")


if __name__ == "__main__":
    main()
