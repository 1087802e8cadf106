#!/usr/bin/env python3
"""Prepare $ORACLE_HOME: one virtualenv per pin set of releases.ENVS, and the cp1252 / GBK locales.

    python3 scripts/oracle/setup_env.py [--home DIR] [--python python3.11]

Idempotent. Venvs go to HOME/venvs/<env>, compiled locales to HOME/locale (used through LOCPATH, so nothing
outside HOME changes). Needs PyPI access for pip and glibc's localedef with its locale sources
(/usr/share/i18n; on Debian/Ubuntu `apt-get install locales` provides them).
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from releases import ENVS, LOCALES, RELEASES  # noqa: E402


def make_locales(home: Path) -> Path:
    out = home / "locale"
    out.mkdir(parents=True, exist_ok=True)
    for name, (lc_all, source, charmap) in LOCALES.items():
        if source is None or (out / lc_all / "LC_CTYPE").exists():
            continue
        # localedef exits 1 on harmless warnings (e.g. characters missing from the charmap), so judge by the output
        subprocess.run(["localedef", "-i", source, "-f", charmap, str(out / lc_all)], capture_output=True)
        if not (out / lc_all / "LC_CTYPE").exists():
            raise SystemExit(f"localedef could not build {lc_all}; install glibc's locale sources "
                             "(apt-get install locales) and rerun")
        print(f"locale {name}: {out / lc_all}")
    return out


def make_envs(home: Path, python: str, only: set[str]) -> None:
    for name, (reqs, _source) in ENVS.items():
        if name not in only:
            continue
        d = home / "venvs" / name
        py = d / "bin" / "python"
        stamp = d / ".pins"
        if stamp.exists() and stamp.read_text() == " ".join(reqs):
            continue
        if not py.exists():
            subprocess.run([python, "-m", "venv", str(d)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *reqs], check=True)
        stamp.write_text(" ".join(reqs))
        print(f"venv {name}: {' '.join(reqs)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=os.environ.get("ORACLE_HOME", "/tmp/invokeai-lint-oracle"))
    ap.add_argument("--python", default=os.environ.get("ORACLE_PYTHON", "python3.11"))
    a = ap.parse_args()
    home = Path(a.home)
    make_locales(home)
    make_envs(home, a.python, {r.env for r in RELEASES})


if __name__ == "__main__":
    main()
