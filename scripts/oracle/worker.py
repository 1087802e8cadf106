#!/usr/bin/env python3
"""Run one release's own config loader on many files; runs inside that release's virtualenv.

    python worker.py --tree HOME/trees/<tag> --family v3|v4 [--dump-migrations] < jobs.jsonl > verdicts.jsonl

Each job line is {"id", "path"}. The file is copied as `invokeai.yaml` into a fresh temporary root, and loaded the
way the release's web server does it at start-up:

* v3 (3.0.0-3.7.0): INVOKEAI_ROOT=<root>, no command-line arguments, `InvokeAIAppConfig.get_config()` then
  `.parse_args()`. That is OmegaConf.load inside InvokeAI's own try/except, the file's values handed to argparse as
  defaults (converted with each field's type), and setattr of every field (validated from 3.0.2, which turned on
  validate_assignment).
* v4 (4.0.0 on): the parsed command line is set as `invokeai-web --root <root>` would leave it, then the tag's
  `get_config()` runs: yaml.safe_load in the locale's encoding, the dict check, the v3 and 4.0.x migrations with
  their write-back, and pydantic validation.

Verdicts (one JSON line per job, same order):
  refuse   the loader raised: InvokeAI stops at start-up (message: the exception, with its causes)
  ignored  3.x only: InvokeAI caught the problem itself and starts on defaults, reading nothing from the file
           (reason: "unreadable" = OmegaConf.load raised; "not-a-mapping" = it loaded a list or scalar;
           "no-invokeai-section" = a mapping without the top-level `InvokeAI:` key 3.x reads everything from)
  accept   loaded
With --dump-migrations, a v3 file (top-level `InvokeAI:`) that a 4.x+ release accepts also gets "migration": the
settings InvokeAI's own migration produced (`settings`, the validated model's fields set by the file) and the
file it wrote back (`written`, parsed).
"""
import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path


def describe(e: BaseException, root: Path) -> tuple[str, str]:
    """Exception type and text (with up to three causes), the temporary root replaced by <root>."""
    parts = [f"{type(e).__name__}: {e}"]
    if isinstance(e, AssertionError) and not str(e):
        frame = traceback.extract_tb(e.__traceback__)[-1]
        parts = [f"AssertionError (bare) at {Path(frame.filename).name}:{frame.lineno}: {frame.line}"]
    cause = e.__cause__ or e.__context__
    while cause is not None and len(parts) < 4:
        parts.append(f"caused by {type(cause).__name__}: {cause}")
        cause = cause.__cause__ or cause.__context__
    text = "\n".join(parts).replace(str(root.resolve()), "<root>").replace(str(root), "<root>")
    return type(e).__name__, text


class LoadSpy:
    """Records what OmegaConf.load returned or raised for the config file (3.x swallows its errors)."""

    def __init__(self) -> None:
        from omegaconf import OmegaConf

        self.real = OmegaConf.load
        self.outcome = None
        spy = self

        def load(file_, *args, **kwargs):
            try:
                result = spy.real(file_, *args, **kwargs)
            except BaseException as e:
                spy.outcome = ("raised", e)
                raise
            spy.outcome = ("returned", result)
            return result

        OmegaConf.load = load


def memoize_class_type_hints() -> None:
    """Cache typing.get_type_hints for classes (3.x calls it once per field per parse, ~90 % of its run time).

    The hints of a class are a pure function of its annotations, which nothing changes while the worker runs, so
    the cache changes no verdict; each call still gets its own copy of the dict.
    """
    import typing

    real = typing.get_type_hints
    cache: dict = {}

    def get_type_hints(obj, globalns=None, localns=None, include_extras=False):
        if not isinstance(obj, type) or globalns is not None or localns is not None:
            return real(obj, globalns, localns, include_extras)
        key = (obj, include_extras)
        if key not in cache:
            cache[key] = real(obj, include_extras=include_extras)
        return dict(cache[key])

    typing.get_type_hints = get_type_hints


def run_v3(path: Path, spy: LoadSpy, dump: bool) -> dict:
    from omegaconf import DictConfig

    import invokeai.app.services.config as config_module

    app_config = config_module.InvokeAIAppConfig
    root = Path(tempfile.mkdtemp(prefix="ia-oracle-"))
    try:
        shutil.copyfile(path, root / "invokeai.yaml")
        os.environ["INVOKEAI_ROOT"] = str(root)
        for cls in app_config.__mro__:
            if "initconf" in cls.__dict__:
                cls.initconf = None
        app_config.singleton_config = None
        app_config.singleton_init = None
        spy.outcome = None
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                app_config.get_config().parse_args()
        except SystemExit as e:
            lines = stderr.getvalue().strip().splitlines()
            return {"verdict": "refuse", "exc_type": "SystemExit",
                    "message": f"argparse exit {e.code}: {lines[-1] if lines else ''}"}
        except BaseException as e:  # noqa: BLE001 - any exception here stops InvokeAI's start-up
            exc_type, message = describe(e, root)
            return {"verdict": "refuse", "exc_type": exc_type, "message": message}
        if spy.outcome is None:
            return {"verdict": "harness-error", "exc_type": None, "message": "OmegaConf.load was never called"}
        kind, value = spy.outcome
        if kind == "raised":
            exc_type, message = describe(value, root)
            return {"verdict": "ignored", "reason": "unreadable", "exc_type": exc_type, "message": message}
        if not isinstance(value, DictConfig):
            return {"verdict": "ignored", "reason": "not-a-mapping", "exc_type": None,
                    "message": f"OmegaConf.load gave a {type(value).__name__}"}
        if len(value) and "InvokeAI" not in value:
            return {"verdict": "ignored", "reason": "no-invokeai-section", "exc_type": None,
                    "message": "no top-level InvokeAI: key; top-level keys: " + ", ".join(map(str, list(value)[:5]))}
        return {"verdict": "accept", "exc_type": None, "message": ""}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_v4(path: Path, spy: None, dump: bool) -> dict:
    from argparse import Namespace

    import yaml

    from invokeai.app.services.config import config_default
    from invokeai.frontend.cli.arg_parser import InvokeAIArgs

    root = Path(tempfile.mkdtemp(prefix="ia-oracle-"))
    try:
        shutil.copyfile(path, root / "invokeai.yaml")
        InvokeAIArgs.args = Namespace(root=str(root), config_file=None)
        InvokeAIArgs.did_parse = True
        config_default.get_config.cache_clear()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                config = config_default.get_config()
        except BaseException as e:  # noqa: BLE001
            exc_type, message = describe(e, root)
            return {"verdict": "refuse", "exc_type": exc_type, "message": message}
        result = {"verdict": "accept", "exc_type": None, "message": ""}
        if dump and is_v3_file(path):
            written = (root / "invokeai.yaml").read_bytes().decode("utf-8", "replace")
            result["migration"] = {
                "settings": config.model_dump(mode="json", exclude_unset=True),
                "written": yaml.safe_load(written),
            }
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


def is_v3_file(path: Path) -> bool:
    import yaml

    try:
        data = yaml.safe_load(path.read_bytes())
    except Exception:  # noqa: BLE001 - not a loadable v3 file, nothing to dump
        return False
    return isinstance(data, dict) and "InvokeAI" in data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", required=True)
    ap.add_argument("--family", choices=["v3", "v4"], required=True)
    ap.add_argument("--dump-migrations", action="store_true")
    a = ap.parse_args()
    for k in list(os.environ):
        if k.upper().startswith("INVOKEAI_") or k in ("VIRTUAL_ENV", "HF_TOKEN"):
            del os.environ[k]
    sys.argv = ["invokeai-web"]
    sys.path.insert(0, a.tree)
    if a.family == "v3":
        if not os.environ.get("ORACLE_NO_HINT_CACHE"):  # set it to check that the cache changes no verdict
            memoize_class_type_hints()
        run, spy = run_v3, LoadSpy()
    else:
        run, spy = run_v4, None
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            res = run(Path(job["path"]), spy, a.dump_migrations)
        except BaseException as e:  # noqa: BLE001 - the harness failed, not InvokeAI
            res = {"verdict": "harness-error", "exc_type": type(e).__name__, "message": repr(e)}
        res["id"] = job["id"]
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
