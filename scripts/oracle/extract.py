"""Materialise one release's config-loading code from its git tag as a small importable tree.

Only the settings code is taken from the tag, verbatim: `invokeai/app/services/config.py` (3.0.x) or every module
of the `invokeai/app/services/config/` package (3.1.0 on), plus `invokeai/frontend/cli/arg_parser.py` where the
tag has it (4.0.0 on: get_config reads the parsed command line from it). Everything else the loader imports is a
stand-in with nothing in it that could change a verdict:

* every package `__init__` on the way: empty, so importing the config code pulls in nothing else of InvokeAI;
* `invokeai.version`: just `__version__`;
* `invokeai.configs`: an empty package (the real one holds legacy model configs that get_config copies around);
* `invokeai.backend.model_hash.model_hash`: just the tag's own `HASHING_ALGORITHMS` assignment, cut out with `ast`
  (the real module imports torch).
"""
import ast
import subprocess
from pathlib import Path

PACKAGES = ["", "app", "app/services", "frontend", "frontend/cli", "backend", "backend/model_hash", "configs",
            "version"]


def _git(git_dir: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True)


def _show(git_dir: str, tag: str, path: str) -> str | None:
    r = _git(git_dir, "show", f"{tag}:{path}")
    return r.stdout if r.returncode == 0 else None


def _hashing_algorithms_only(source: str) -> str:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "HASHING_ALGORITHMS" for t in node.targets):
            return "from typing import Literal\n\n" + ast.get_source_segment(source, node) + "\n"
    raise RuntimeError("HASHING_ALGORITHMS not found in model_hash.py")


def config_sources(git_dir: str, tag: str) -> list[str]:
    """Paths of the tag's settings code: the config package's modules, or the 3.0.x single module."""
    r = _git(git_dir, "ls-tree", "--name-only", tag, "invokeai/app/services/config/")
    files = [p for p in r.stdout.splitlines() if p.endswith(".py")]
    if files:
        return files
    if _show(git_dir, tag, "invokeai/app/services/config.py") is not None:
        return ["invokeai/app/services/config.py"]
    raise RuntimeError(f"{tag}: no settings code found (neither config/ nor config.py)")


def extract(git_dir: str | None, tag: str, trees: Path) -> Path:
    """Return HOME/trees/<tag>, building it on first use (a `.complete` marker makes reruns free)."""
    root = trees / tag
    if (root / ".complete").exists():
        return root
    if not git_dir:
        raise SystemExit(f"{tag} is not extracted yet: set INVOKEAI_GIT_DIR (or --git-dir) to an InvokeAI clone")
    for pkg in PACKAGES:
        d = root / "invokeai" / pkg
        d.mkdir(parents=True, exist_ok=True)
        (d / "__init__.py").write_text("")
    (root / "invokeai/version/__init__.py").write_text(f"__version__ = {tag.lstrip('v')!r}\n")
    for path in config_sources(git_dir, tag):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(_show(git_dir, tag, path))
    arg_parser = _show(git_dir, tag, "invokeai/frontend/cli/arg_parser.py")
    if arg_parser is not None:
        (root / "invokeai/frontend/cli/arg_parser.py").write_text(arg_parser)
    model_hash = _show(git_dir, tag, "invokeai/backend/model_hash/model_hash.py")
    if model_hash is not None:
        (root / "invokeai/backend/model_hash/model_hash.py").write_text(_hashing_algorithms_only(model_hash))
    (root / ".complete").write_text(tag + "\n")
    return root
