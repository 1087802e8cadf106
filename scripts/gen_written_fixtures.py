#!/usr/bin/env python3
"""Write fixtures/written/: the invokeai.yaml files InvokeAI itself writes, made by each release's own code.

    ORACLE_HOME=/path/with/venvs INVOKEAI_GIT_DIR=/path/to/InvokeAI.git python3 scripts/gen_written_fixtures.py

It reuses the oracle harness (docs/oracle.md): the per-release virtualenvs from `scripts/oracle/setup_env.py`
(`$ORACLE_HOME/venvs/<env>`, the release's own pydantic / pydantic-settings / PyYAML pins) and the release's
settings code extracted verbatim from its tag (`scripts/oracle/extract.py`, into `$WRITTEN_TREES`, default
`/tmp/invokeai-lint-written/trees`). For every release it writes, into an empty temporary root:

* `first-start.yaml`: what the release writes when it starts without a config file. 4.0.0 on: the tag's
  `get_config()` as `invokeai-web --root ROOT` runs it. 3.x: what `invokeai-configure --yes` writes, i.e. the
  tag's own `default_startup_options` and `write_opts` (cut out of
  `invokeai/backend/install/invokeai_configure.py` with `ast` and run as they are) over the tag's
  `InvokeAIAppConfig` after `parse_args(["--root", ROOT])`.
* `user-settings.yaml`: settings a user changed, written back by InvokeAI: 4.0.0 on, the running config
  (`get_config()` over the first-start file) gets `update_config(settings)` then `write_file(config_file_path)`,
  as the cache-size route (4.2–5.x) and the runtime-config route (6.x) do; 3.x, the configure tool's
  `write_opts` with the settings as its options. The settings are the low-VRAM guide's where the release has
  them (`SETTINGS`), filtered to the release's own fields.
* `user-vram-cap.yaml` (5.6.0 on): the same with the guide's `max_cache_vram_gb` cap alone (`VRAM_CAP`).
* `migrated-from-<release>-<file>.yaml`: an older file (3.x, or 4.x with an older `schema_version`) loaded by
  this release's `get_config()`, which migrates it and writes it back (kept only when it did write: a
  `invokeai.yaml.bak` appeared).

Each release's folder gets a README.md saying which code at which tag wrote each file. The test
`tests/written_files.rs` needs none of this: it lints the checked-in files.
"""
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE / "oracle"))

# release tag -> (version, family, env); envs are scripts/oracle/releases.py's (6.12.0's uv.lock pins the
# same pydantic 2.11.7 / pydantic-settings 2.10.1 / PyYAML 6.0.2 as 6.0.0-6.13.0)
RELEASES = [
    ("v3.0.0", "3.0.0", "v3", "pd1_10_10"),
    ("v3.1.0", "3.1.0", "v3", "pd1_10_13"),
    ("v3.3.0", "3.3.0", "v3", "pd1_10_13"),
    ("v3.4.0", "3.4.0", "v3", "pd2_5_1"),
    ("v3.6.2", "3.6.2", "v3", "pd2_5_3"),
    ("3.7.0", "3.7.0", "v3", "pd2_6_1"),
    ("v4.0.0", "4.0.0", "v4", "pd2_6_3"),
    ("v4.1.0", "4.1.0", "v4", "pd2_6_3"),
    ("v4.2.9", "4.2.9", "v4", "pd2_7_2"),
    ("v5.0.0", "5.0.0", "v4", "pd2_7_2"),
    ("v5.5.0", "5.5.0", "v4", "pd2_7_2"),
    ("v5.6.0", "5.6.0", "v4", "pd2_7_2"),
    ("v5.9.1", "5.9.1", "v4", "pd2_7_2"),
    ("v5.10.0", "5.10.0", "v4", "pd2_11_1"),
    ("v5.15.0", "5.15.0", "v4", "pd2_11_1"),
    ("v6.0.0", "6.0.0", "v4", "pd2_11_7"),
    ("v6.12.0", "6.12.0", "v4", "pd2_11_7"),
    ("v6.13.0", "6.13.0", "v4", "pd2_11_7"),
    ("v6.13.8", "6.13.8", "v4", "pd2_13_4"),
]

# What a user sets (the low-VRAM guide's keys, and the older cache keys); each release keeps those it has.
SETTINGS = {
    "v4": {
        "enable_partial_loading": True,
        "device_working_mem_gb": 4,
        "keep_ram_copy_of_weights": False,
        "pytorch_cuda_alloc_conf": "backend:cudaMallocAsync",
        "max_cache_ram_gb": 28,
        "ram": 12.0,  # the cache sizes before 5.6.0 (the model manager's cache-size route writes these)
        "vram": 2.0,
        "precision": "float16",
    },
    "v3": {"ram": 12.0, "vram": 2.0, "precision": "float16"},
}
# the guide's VRAM cap, written in a file of its own (5.6.0 on)
VRAM_CAP = {"enable_partial_loading": True, "max_cache_vram_gb": 8, "keep_ram_copy_of_weights": False}

# older files each v4 release is given to migrate: (release that wrote it, file)
MIGRATION_INPUTS = [
    ("3.0.0", "first-start.yaml"),
    ("3.6.2", "first-start.yaml"),
    ("3.6.2", "user-settings.yaml"),
    ("3.7.0", "first-start.yaml"),
    ("4.0.0", "first-start.yaml"),
    ("4.0.0", "user-settings.yaml"),
    ("4.2.9", "user-settings.yaml"),
]

INNER = r'''
import ast, json, os, shutil, sys, tempfile
from argparse import Namespace
from pathlib import Path

job = json.loads(sys.argv[1])
sys.path.insert(0, job["tree"])
for k in list(os.environ):
    if k.upper().startswith("INVOKEAI_"):
        del os.environ[k]
sys.argv = ["invokeai-web"]
out = {}


def fresh_root(seed):
    root = Path(tempfile.mkdtemp(prefix="ia-written-"))
    if seed is not None:
        (root / "invokeai.yaml").write_text(seed, encoding="utf-8")
    return root


if job["family"] == "v4":
    from invokeai.app.services.config import config_default
    from invokeai.frontend.cli.arg_parser import InvokeAIArgs

    def start(root):
        InvokeAIArgs.args = Namespace(root=str(root), config_file=None)
        InvokeAIArgs.did_parse = True
        config_default.get_config.cache_clear()
        return config_default.get_config()

    root = fresh_root(None)
    start(root)
    out["first-start.yaml"] = (root / "invokeai.yaml").read_text(encoding="utf-8")
    shutil.rmtree(root)

    fields = config_default.InvokeAIAppConfig.model_fields
    settings = {k: v for k, v in job["settings"].items() if k in fields}
    if "max_cache_ram_gb" in fields:  # 5.6.0 on: ram/vram are deprecated, nobody sets them any more
        settings = {k: v for k, v in settings.items() if k not in ("ram", "vram")}
    root = fresh_root(out["first-start.yaml"])
    config = start(root)
    config.update_config(settings)
    config.write_file(config.config_file_path)
    out["user-settings.yaml"] = (root / "invokeai.yaml").read_text(encoding="utf-8")
    out["settings"] = settings
    shutil.rmtree(root)

    # the VRAM cap goes alone: with it set, device_working_mem_gb does nothing (a real finding)
    cap = {k: v for k, v in job["vram_cap"].items() if k in fields}
    if cap:
        root = fresh_root(out["first-start.yaml"])
        config = start(root)
        config.update_config(cap)
        config.write_file(config.config_file_path)
        out["user-vram-cap.yaml"] = (root / "invokeai.yaml").read_text(encoding="utf-8")
        out["vram_cap"] = cap
        shutil.rmtree(root)

    for name, text in job["migrate"].items():
        root = fresh_root(text)
        start(root)
        if (root / "invokeai.yaml.bak").exists():
            out[name] = (root / "invokeai.yaml").read_text(encoding="utf-8")
        shutil.rmtree(root)
else:
    import invokeai.app.services.config as config_module

    app_config = config_module.InvokeAIAppConfig
    # invokeai-configure's own functions, cut out of the tag's module (it imports torch, npyscreen, ...)
    source = job["configure_source"]
    tree = ast.parse(source)
    wanted = {"default_startup_options", "write_opts", "write_default_options", "default_ramcache"}
    code = [ast.get_source_segment(source, n) for n in tree.body
            if isinstance(n, ast.FunctionDef) and n.name in wanted]

    def configure(root, opts):
        os.environ["INVOKEAI_ROOT"] = str(root)
        for cls in app_config.__mro__:
            if "initconf" in cls.__dict__:
                cls.initconf = None
        app_config.singleton_config = None
        app_config.singleton_init = None
        config = app_config.get_config()
        config.parse_args(["--root", str(root)])
        ns = {"InvokeAIAppConfig": app_config, "config": config, "Path": Path, "Namespace": Namespace,
              "HfLogin": lambda token: None, "MAX_RAM": 32.0, "GB": 2 ** 30}
        for c in code:
            exec(c, ns)
        init_file = root / "invokeai.yaml"
        if opts is None:
            ns["write_default_options"](Namespace(), init_file)
        else:
            ns["write_opts"](Namespace(**opts), init_file)
        return init_file.read_text(encoding="utf-8")

    root = fresh_root(None)
    out["first-start.yaml"] = configure(root, None)
    shutil.rmtree(root)
    root = fresh_root(out["first-start.yaml"])
    out["user-settings.yaml"] = configure(root, job["settings"])
    out["settings"] = job["settings"]
    shutil.rmtree(root)
print(json.dumps(out))
'''


def git_show(git_dir: str, tag: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"{tag}:{path}"], capture_output=True, text=True,
                          check=True).stdout


def main() -> None:
    from extract import extract

    home = Path(os.environ.get("ORACLE_HOME", "/tmp/invokeai-lint-oracle"))
    git_dir = os.environ.get("INVOKEAI_GIT_DIR")
    trees = Path(os.environ.get("WRITTEN_TREES", "/tmp/invokeai-lint-written/trees"))
    dest = REPO / "fixtures" / "written"
    written: dict[str, dict[str, str]] = {}
    for tag, version, family, env in RELEASES:
        python = home / "venvs" / env / "bin" / "python"
        if not python.exists():
            raise SystemExit(f"{python} missing: run scripts/oracle/setup_env.py with ORACLE_HOME={home}")
        tree = extract(git_dir, tag, trees)
        job = {"tree": str(tree), "family": family, "settings": SETTINGS[family], "vram_cap": VRAM_CAP,
               "migrate": {}}
        if family == "v3":
            job["configure_source"] = git_show(git_dir, tag, "invokeai/backend/install/invokeai_configure.py")
        else:
            for src_version, name in MIGRATION_INPUTS:
                if src_version in written and src_version != version:
                    stem = name.removesuffix(".yaml")
                    job["migrate"][f"migrated-from-{src_version}-{stem}.yaml"] = written[src_version][name]
        with tempfile.TemporaryDirectory() as cwd:
            r = subprocess.run([str(python), "-c", INNER, json.dumps(job)], capture_output=True, text=True,
                               cwd=cwd, env={"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", "HOME": cwd})
        if r.returncode != 0:
            raise SystemExit(f"{tag}: {r.stderr}")
        out = json.loads(r.stdout.strip().splitlines()[-1])
        settings = out.pop("settings")
        vram_cap = out.pop("vram_cap", {})
        written[version] = out
        folder = dest / version
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        lines = [f"# Files InvokeAI {version} wrote itself", "",
                 f"Made by `scripts/gen_written_fixtures.py` running the settings code of tag `{tag}` of",
                 "invoke-ai/InvokeAI under that release's pins (venv `" + env + "`). Do not edit them by hand.", ""]
        for name, text in sorted(out.items()):
            (folder / name).write_text(text, encoding="utf-8")
            lines.append(f"- `{name}`: " + describe(name, tag, family, vram_cap if "vram-cap" in name else settings))
        (folder / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{version}: {', '.join(sorted(out))}")


def describe(name: str, tag: str, family: str, settings: dict) -> str:
    if name == "first-start.yaml":
        if family == "v3":
            return (f"`invokeai-configure --yes` into an empty root: `{tag}:invokeai/backend/install/"
                    "invokeai_configure.py` `write_default_options` → `write_opts` → `InvokeAIAppConfig.to_yaml()`.")
        return f"first start without a config file: `{tag}:invokeai/app/services/config/config_default.py` `get_config()`."
    if name.startswith("user-"):
        keys = ", ".join(f"`{k}: {json.dumps(v)}`" for k, v in settings.items())
        if family == "v3":
            return f"`{tag}` `invokeai_configure.write_opts` with the options {keys} over the first-start file."
        return (f"`get_config()` over the first-start file, `update_config` with {keys}, then `write_file` "
                f"(`{tag}:invokeai/app/services/config/config_default.py`).")
    src = name.removeprefix("migrated-from-").removesuffix(".yaml")
    return (f"`{src}` (fixtures/written/{src.split('-', 1)[0]}/) loaded by `get_config()` at `{tag}`: "
            "`load_and_migrate_config` migrated it and wrote it back.")


if __name__ == "__main__":
    main()
