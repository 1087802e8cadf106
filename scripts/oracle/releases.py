"""Which InvokeAI releases the oracle runs, and the library versions each one shipped with.

A release runs under the pydantic / pydantic-settings / PyYAML / omegaconf versions its own tag asked for:
exact pins from the tag's pyproject.toml where it has them, the tag's uv.lock where pyproject.toml leaves them
open (5.10.0 on), and the release current at the tag's date where the pin is a range. InvokeAI never pins PyYAML
or omegaconf before uv.lock; we use PyYAML 6.0.1 (safe_load unchanged across 6.0.x) and omegaconf 2.3.0.
"""

from typing import NamedTuple


class Release(NamedTuple):
    tag: str  # git tag in invoke-ai/InvokeAI
    version: str  # what the linter is told (--invokeai-version)
    family: str  # loader shim: "v3" (OmegaConf + argparse, 3.x) or "v4" (get_config, 4.0.0+)
    env: str  # key of ENVS
    quick: bool = False  # part of --quick


# env name -> (pip requirements, where the pins come from)
ENVS = {
    "pd1_10_10": (["pydantic==1.10.10", "omegaconf==2.3.0", "PyYAML==6.0.1"],
                  "3.0.1 pins pydantic==1.10.10; 3.0.0 pins fastapi==0.88.0 (pydantic<2), 1.10.10 was current"),
    "pd1_10_13": (["pydantic==1.10.13", "omegaconf==2.3.0", "PyYAML==6.0.1"],
                  "3.0.2-3.3.x pin pydantic==1.*; 1.10.13 is the last 1.10 before 3.4.0"),
    "pd2_5_1": (["pydantic==2.5.1", "pydantic-settings==2.0.3", "omegaconf==2.3.0", "PyYAML==6.0.1"],
                "3.4.0: pydantic~=2.5.0, pydantic-settings~=2.0.3 (2.5.1 / 2.0.3 current on 2023-11-17)"),
    "pd2_5_3": (["pydantic==2.5.3", "pydantic-settings==2.1.0", "omegaconf==2.3.0", "PyYAML==6.0.1"],
                "3.5.1: ~=2.5.2 (2.5.3 current on 2023-12-29); 3.6.0-3.6.2 pin 2.5.3 / 2.1.0"),
    "pd2_6_1": (["pydantic==2.6.1", "pydantic-settings==2.1.0", "omegaconf==2.3.0", "PyYAML==6.0.1"],
                "3.6.3, 3.7.0 pin pydantic==2.6.1, pydantic-settings==2.1.0"),
    # 4.0.0-5.5.0 import psutil for the default `ram` (its value changes defaults, never a verdict)
    "pd2_6_3": (["pydantic==2.6.3", "pydantic-settings==2.2.1", "PyYAML==6.0.1", "psutil"],
                "4.0.0-4.2.3 pin pydantic==2.6.3, pydantic-settings==2.2.1"),
    "pd2_7_2": (["pydantic==2.7.2", "pydantic-settings==2.2.1", "PyYAML==6.0.1", "psutil"],
                "4.2.4-5.9.1 pin pydantic==2.7.2, pydantic-settings==2.2.1"),
    "pd2_11_1": (["pydantic==2.11.1", "pydantic-settings==2.8.1", "PyYAML==6.0.2"],
                 "5.10.0-5.15.0: no pin in pyproject.toml; uv.lock has 2.11.1 / 2.8.1 / PyYAML 6.0.2"),
    "pd2_11_7": (["pydantic==2.11.7", "pydantic-settings==2.10.1", "PyYAML==6.0.2"],
                 "6.0.0-6.13.0: uv.lock has 2.11.7 / 2.10.1 / PyYAML 6.0.2"),
    "pd2_13_4": (["pydantic==2.13.4", "pydantic-settings==2.14.2", "PyYAML==6.0.3"],
                 "6.13.5-6.13.8: uv.lock has 2.13.4 / 2.14.2 / PyYAML 6.0.3"),
}

RELEASES = [
    Release("v3.0.0", "3.0.0", "v3", "pd1_10_10"),
    Release("v3.0.1", "3.0.1", "v3", "pd1_10_10"),
    Release("v3.0.2", "3.0.2", "v3", "pd1_10_13"),
    Release("v3.1.0", "3.1.0", "v3", "pd1_10_13"),
    Release("v3.2.0", "3.2.0", "v3", "pd1_10_13"),
    Release("v3.3.0", "3.3.0", "v3", "pd1_10_13", quick=True),
    Release("v3.4.0", "3.4.0", "v3", "pd2_5_1"),
    Release("v3.5.1", "3.5.1", "v3", "pd2_5_3"),
    Release("v3.6.2", "3.6.2", "v3", "pd2_5_3", quick=True),
    Release("3.6.3", "3.6.3", "v3", "pd2_6_1"),
    Release("3.7.0", "3.7.0", "v3", "pd2_6_1"),
    Release("v4.0.0", "4.0.0", "v4", "pd2_6_3", quick=True),
    Release("v4.1.0", "4.1.0", "v4", "pd2_6_3"),
    Release("v4.2.0", "4.2.0", "v4", "pd2_6_3"),
    Release("v4.2.9", "4.2.9", "v4", "pd2_7_2"),
    Release("v5.0.0", "5.0.0", "v4", "pd2_7_2"),
    Release("v5.5.0", "5.5.0", "v4", "pd2_7_2"),
    Release("v5.6.0", "5.6.0", "v4", "pd2_7_2"),
    Release("v5.9.1", "5.9.1", "v4", "pd2_7_2", quick=True),
    Release("v5.10.0", "5.10.0", "v4", "pd2_11_1"),
    Release("v5.15.0", "5.15.0", "v4", "pd2_11_1"),
    Release("v6.0.0", "6.0.0", "v4", "pd2_11_7"),
    Release("v6.13.0", "6.13.0", "v4", "pd2_11_7"),
    Release("v6.13.8", "6.13.8", "v4", "pd2_13_4", quick=True),
]

# where a v3 file's migration result is dumped (issue #14 compares its `migrate` command against these)
MIGRATION_DUMP_VERSIONS = {"4.0.0", "5.9.1", "6.13.8"}

# 3.x reads the file as UTF-8 in every locale; this one 3.x release is run in the other locales as a control
LOCALE_CONTROL_3X = "3.7.0"

# locale name -> (LC_ALL value, localedef input, charmap); "utf-8" needs no generated locale
LOCALES = {
    "utf-8": ("C.UTF-8", None, None),
    "cp1252": ("en_US.CP1252", "en_US", "CP1252"),
    "gbk": ("zh_CN.GBK", "zh_CN", "GBK"),
}
