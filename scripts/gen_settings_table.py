#!/usr/bin/env python3
"""Build data/invokeai-settings.json, the settings table invokeai-lint embeds.

Input: the fact base's config-keys.json (104 keys x 83 InvokeAI releases). Output: a smaller
file of this project's own shape holding only what the linter reads. The script checks the
input for the invariants the Rust side relies on (release order, contiguous key presence,
history sorted, patterns in the subset src/knowledge/validate.rs understands) and refuses to
write a table that breaks them.

Usage: scripts/gen_settings_table.py [PATH/config-keys.json] [-o data/invokeai-settings.json]
"""

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = Path("/work/shared/invokeai/config-keys.json")
DEFAULT_OUTPUT = REPO / "data" / "invokeai-settings.json"


def version_key(text):
    """Order InvokeAI versions as PEP 440 does, for the forms the fact base uses
    (X.Y.Z and X.Y.Z-rcN / -alpha / aN / bN)."""
    m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:-?(a|alpha|b|beta|rc)(\d*))?", text)
    if not m:
        raise SystemExit(f"unexpected version text {text!r}")
    major, minor, patch, pre, pre_n = m.groups()
    if pre is None:
        pre_rank = (3, 0)  # a final release sorts after its pre-releases
    else:
        rank = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "rc": 2}[pre]
        pre_rank = (rank, int(pre_n or 0))
    return (int(major), int(minor), int(patch), pre_rank)


def fail(msg):
    raise SystemExit(f"gen_settings_table: {msg}")


# `device`'s regexes are alternations of words, each optionally followed by `(:\d+)?`;
# validate.rs only promises to understand that shape (it uses the regex crate, but the
# messages and tests assume it), so anything else must be looked at by a person first.
PATTERN_SHAPE = re.compile(r"\^\((?:[a-z]+(?:\(:\\d\+\)\?)?)(?:\|[a-z]+(?:\(:\\d\+\)\?)?)*\)\$")


def add_3_6_3_and_3_7_0(src):
    """The fact base stops its 3.x releases at 3.6.2; InvokeAI 3.6.3 and 3.7.0 (tags `3.6.3`,
    `3.7.0`, without the `v`) changed the settings, so a file 3.7.0 wrote itself drew four
    unknown-key warnings (fixtures/written/3.7.0). Facts read from
    invokeai/app/services/config/config_default.py@3.6.3 (identical @3.7.0 for these fields):
    `profile_graphs`, `profile_prefix`, `profiles_dir` arrive under `Development` (4.0.0 had
    been their first release), `civitai_api_key` under `Other` (gone again in 4.0.0), and
    `png_compress_level`'s default falls from 6 to 1."""
    names = [v["version"] for v in src["versions"]]
    if "3.6.3" in names:
        fail("the fact base now lists 3.6.3: drop add_3_6_3_and_3_7_0")
    at = names.index("4.0.0")
    last_3x = src["versions"][at - 1]
    added = [
        {**last_3x, "version": "3.6.3", "tag": "3.6.3", "date": "2024-02-11", "key_count": last_3x["key_count"] + 4},
        {**last_3x, "version": "3.7.0", "tag": "3.7.0", "date": "2024-02-15", "key_count": last_3x["key_count"] + 4},
    ]
    src["versions"][at:at] = added
    keys = {k["name"]: k for k in src["keys"]}
    for name in ("profile_graphs", "profile_prefix", "profiles_dir"):
        k = keys[name]
        first = k["history"][0]
        k["added_in"] = "3.6.3"
        k["history"].insert(0, {**first, "version": "3.6.3", "v3_section": "Development"})
    png = keys["png_compress_level"]
    png["history"].append({**png["history"][-1], "version": "3.6.3", "default": 1})
    src["keys"].append({
        "name": "civitai_api_key", "type": "Optional[str]", "default": None, "constraints": None,
        "description": "API key for CivitAI (3.6.3 - 3.7.0; the default is the CIVITAI_API_KEY environment variable).",
        "v3_section": "Other", "internal": False, "added_in": "3.6.3", "removed_in": "4.0.0",
        "deprecated_in": None, "replaced_by": None, "env_var": "INVOKEAI_CIVITAI_API_KEY",
        "source": "invokeai/app/services/config/config_default.py@3.7.0",
        "history": [{"version": "3.6.3", "type": "Optional[str]", "default": None, "v3_section": "Other"}],
    })
    layout = json.loads(json.dumps(src["v3_sections"][-1]))
    layout["from_version"] = "3.6.3"
    layout["sections"]["Development"] += ["profile_graphs", "profile_prefix", "profiles_dir"]
    layout["sections"]["Other"].append("civitai_api_key")
    src["v3_sections"].append(layout)


def revision(entry):
    out = {
        "since": entry["version"],
        "type": entry["type"],
        "default": entry.get("default"),
        "default_note": entry.get("default_note"),
        "choices": entry.get("allowed"),
        "constraints": entry.get("constraints") or None,
        "pattern": entry.get("pattern"),
        "v3_section": entry.get("v3_section"),
    }
    if out["pattern"] is not None and not PATTERN_SHAPE.fullmatch(out["pattern"]):
        fail(f"pattern {out['pattern']!r} is not of the shape validate.rs was written for")
    for bound in (out["constraints"] or {}):
        if bound not in ("gt", "ge", "lt", "le"):
            fail(f"unknown constraint {bound!r} at {entry['version']}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", nargs="?", type=Path, default=DEFAULT_INPUT)
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = ap.parse_args()

    src = json.loads(args.input.read_text(encoding="utf-8"))
    add_3_6_3_and_3_7_0(src)

    versions = src["versions"]
    order = [version_key(v["version"]) for v in versions]
    if order != sorted(order) or len(set(order)) != len(order):
        fail("releases are not in ascending order")
    names = [v["version"] for v in versions]
    index = {name: i for i, name in enumerate(names)}

    releases = [
        {
            "version": v["version"],
            "date": v["date"],
            "prerelease": bool(v["prerelease"]),
            "schema_version": v["schema_version"],
        }
        for v in versions
    ]

    keys = []
    present_count = [0] * len(versions)
    for k in src["keys"]:
        name = k["name"]
        added, removed = k["added_in"], k["removed_in"]
        if added not in index or (removed is not None and removed not in index):
            fail(f"{name}: added_in/removed_in is not a listed release")
        history = [revision(h) for h in k["history"]]
        since = [version_key(h["since"]) for h in history]
        if since != sorted(since) or since[0] != version_key(added):
            fail(f"{name}: history does not start at added_in or is out of order")
        end = index[removed] if removed else len(versions)
        for i in range(index[added], end):
            present_count[i] += 1
        keys.append(
            {
                "name": name,
                "description": k["description"],
                "added_in": added,
                "removed_in": removed,
                "deprecated_in": k.get("deprecated_in"),
                "replaced_by": k.get("replaced_by"),
                "deprecation_note": k.get("deprecation_note"),
                "internal": bool(k.get("internal")),
                "env_var": k.get("env_var"),
                "source": k["source"],
                "notes": k.get("notes") or [],
                "history": history,
            }
        )

    # Presence is stored as one range per key; the per-release counts in the fact base
    # confirm no key ever left and came back.
    for v, count in zip(versions, present_count):
        if v["key_count"] != count:
            fail(f"{v['version']}: {count} keys from added_in/removed_in, fact base says {v['key_count']}")

    v3_layouts = [{"since": s["from_version"], "sections": s["sections"]} for s in src["v3_sections"]]

    migrations = [
        {
            "from": m.get("from_schema") or m.get("from"),
            "to_schema": m["to_schema"],
            "available_in": m["available_in"],
            "changes": m["changes"],
        }
        for m in src["migrations"]
    ]

    table = {
        "about": "InvokeAI invokeai.yaml settings by release. Generated by scripts/gen_settings_table.py; "
        "do not edit by hand.",
        "releases": releases,
        "keys": keys,
        "v3_layouts": v3_layouts,
        "migrations": migrations,
        "migration_notes": src.get("migration_notes") or [],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(releases)} releases, {len(keys)} keys", file=sys.stderr)


if __name__ == "__main__":
    main()
