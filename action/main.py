"""The steps of the invokeai-lint GitHub Action (action.yml), in Python so that they run
the same on Linux, macOS and Windows runners.

    python main.py install   # a virtual environment with invokeai-lint from PyPI
    python main.py run       # SARIF report, then annotations; records the exit status

Inputs come as environment variables (INPUT_*), set by action.yml; results go to the files
GitHub names in GITHUB_OUTPUT and GITHUB_PATH. tests/action.rs runs `run` against the
built binary.
"""

import json
import os
import re
import shlex
import subprocess
import sys
import venv

# What invokeai-lint prints (exit 2) when a run finds no InvokeAI config to lint. Only then is
# an empty SARIF report written: it clears the alerts of configs that were removed. Any other
# exit 2 (a typo in the arguments, an unreadable file) must not clear them.
NO_CONFIGS = "no InvokeAI configs found"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/invokeai-lint/invokeai-lint"


def env(name, default=""):
    return os.environ.get(name, default).strip()


def set_output(name, value):
    path = os.environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{name}={value}\n")


def requirement():
    """What pip installs: INPUT_PACKAGE as given (a path or requirement, for testing a
    checkout), else invokeai-lint at INPUT_VERSION, else at the version of the action's own
    tag (`uses: invokeai-lint/invokeai-lint@v0.2.0` installs 0.2.0), else the newest."""
    package = env("INPUT_PACKAGE")
    if package:
        return package, False
    version = env("INPUT_VERSION").lstrip("v")
    if not version:
        ref = env("ACTION_REF") or env("GITHUB_ACTION_REF")
        m = re.fullmatch(r"v?(\d+\.\d+\.\d+(?:[-.]?(?:a|b|rc)\d+)?)", ref)
        version = m.group(1) if m else ""
    if version in ("", "latest"):
        return "invokeai-lint", True
    return f"invokeai-lint=={version}", True


def install():
    prefix = os.path.join(env("RUNNER_TEMP") or os.getcwd(), "invokeai-lint-venv")
    venv.create(prefix, with_pip=True, clear=True)
    bindir = os.path.join(prefix, "Scripts" if os.name == "nt" else "bin")
    python = os.path.join(bindir, "python")
    spec, from_index = requirement()
    cmd = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if from_index:
        # A wheel holds the built binary; never fall back to compiling the source.
        cmd += ["--only-binary", "invokeai-lint"]
    print(f"installing {spec}", flush=True)
    subprocess.run(cmd + [spec], check=True)
    exe = os.path.join(bindir, "invokeai-lint" + (".exe" if os.name == "nt" else ""))
    subprocess.run([exe, "--version"], check=True)
    set_output("bin", exe)
    path_file = os.environ.get("GITHUB_PATH")
    if path_file:
        with open(path_file, "a", encoding="utf-8") as f:
            f.write(bindir + "\n")
    return 0


def lint(exe, args, extra):
    cmd = [exe, "lint", *extra, *args]
    print("$ " + " ".join(shlex.quote(a) for a in cmd), flush=True)
    return subprocess.run(cmd, stderr=subprocess.PIPE, text=True, errors="replace")


def empty_sarif(exe):
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    version = version.strip().rsplit(" ", 1)[-1] or "unknown"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "invokeai-lint",
                        "version": version,
                        "informationUri": INFO_URI,
                        "rules": [],
                    }
                },
                "results": [],
            }
        ],
    }


def run():
    exe = env("INVOKEAI_LINT_BIN") or "invokeai-lint"
    args = shlex.split(env("INPUT_ARGS"))
    sarif = env("INPUT_SARIF_FILE") or "invokeai-lint.sarif"
    if os.path.exists(sarif):
        os.remove(sarif)

    # 1. The SARIF report for code scanning; findings do not fail this run.
    report = lint(exe, args, ["--format", "sarif", "--output-file", sarif, "--exit-zero"])
    sys.stderr.write(report.stderr)
    if not os.path.exists(sarif):
        if report.returncode == 2 and NO_CONFIGS in report.stderr:
            with open(sarif, "w", encoding="utf-8") as f:
                json.dump(empty_sarif(exe), f, indent=2)
            print(f"wrote {sarif} with no results (no InvokeAI configs found)", flush=True)
        else:
            print(f"::error::invokeai-lint wrote no SARIF report (exit {report.returncode})")
            set_output("sarif-file", "")
            set_output("exit-code", report.returncode or 2)
            return 0
    set_output("sarif-file", sarif)

    # 2. Annotations on the changed lines; this run's exit status is the action's.
    annotations = lint(exe, args, ["--format", "github"])
    sys.stderr.write(annotations.stderr)
    set_output("exit-code", annotations.returncode)
    return 0


def main(argv):
    if argv[1:] == ["install"]:
        return install()
    if argv[1:] == ["run"]:
        return run()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
