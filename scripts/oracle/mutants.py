"""Seeded mutants of invokeai.yaml files, made at the text level.

Working on text (not a parsed tree) lets a mutant be what no YAML writer would produce: duplicate keys, tabs,
broken quoting, byte-order marks, CRLF, bytes in cp1252 or GBK. Every mutant is a pure function of
(the run's seed, the seed file's name), so a run is reproducible.

Non-ASCII text comes from the Chinese low-VRAM guide (`--guide`): its sentences become comments and values, its
YAML snippets become seed files, so files in UTF-8, GBK and cp1252 show how each locale decodes them.
"""
import random
import re
from pathlib import Path

LEAF = re.compile(r"^(?P<ind>[ \t]*)(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?P<sep>[ \t]*:[ \t]+)(?P<val>[^#\n]*?)"
                  r"(?P<rest>[ \t]+#.*)?$")
SECTION = re.compile(r"^(?P<ind>[ \t]+)(?P<name>[A-Z][A-Za-z /]*):[ \t]*$")

YAML_CORNERS = ["yes", "no", "on", "off", "012", "0x1F", "1e3", "~", '""', "[]", "{}", "'4'", "2.5", "true", "abc",
                "-0", "0o17", "1_000", ".inf", ".nan", "null", "'9090'", "[1, 2]", "{a: 1}", "2024-01-01", "1:30"]
BAD_NUMBERS = ["-1", "0", "-0.5", "1e12", "99999999999999999999", "0.0", "-3", "1000000", "9090.5"]
CHOICES = {
    "device": ["CUDA", "cuda:0", "cuda:7", "gpu", "cuda:", "xpu", "mps:0", "cpu "],
    "precision": ["autocast", "fp16", "FLOAT16", "half", "bfloat16", "float64"],
    "log_level": ["INFO", "warn", "trace"],
    "attention_type": ["xFormers", "sdp", "flash", "sliced"],
    "attention_slice_size": ["'4'", "9", "0", "Auto", "4", "true"],
    "hashing_algorithm": ["blake3", "sha-256", "sha256"],
    "log_format": ["colour", "json"],
}
FOREIGN_KEYS = ["foo_bar: 1", "outdir: outputs", "root: /invokeai", "autoimport_dir: autoimport", "ram_gb: 8",
                "xformers_enabled: true", "free_gpu_mem: true", "nsfw_checker: true", "Host: 0.0.0.0",
                "max_cache_size: 6", "convert_cache: 10", "enable_partial_loading: true", "max_cache_ram_gb: 16",
                "device_working_mem_gb: 3", "keep_ram_copy_of_weights: false", "hashing_algorithm: blake3_multi",
                "clear_queue_on_startup: true", "style_presets_dir: style_presets", "multiuser: false",
                "image_subfolder_strategy: date", "pil_compress_level: 1", "ram: 8", "vram: 0.5", "lazy_offload: true",
                "log_memory_usage: true", "node_cache_size: 512", "allow_unknown_models: false"]
V3_SECTION_NAMES = ["Web Server", "Features", "Memory/Performance", "Paths", "Logging", "Development", "Other",
                    "Model Cache", "Device", "Generation", "Nodes", "Model Install", "Queue"]
SCHEMA_VERSIONS = [None, "4.0.9", "5.0.0", "abc", "4.0", "4.0.0", "4.0.1", "4.0.2", "4.0.3", "3.0.0", "'4.0.2 '",
                   "~", "[4, 0, 2]"]
CP1252_COMMENTS = ["# Réglages pour la carte – 12 Go", "# “quoted” settings ™", "# Größe: ½ der Karte"]


def guide_sentences(guide: Path | None) -> list[str]:
    """Short Chinese lines of the guide's prose (outside code blocks)."""
    if guide is None or not guide.exists():
        return ["配置推理的显存大小", "启用低显存模式"]
    out, in_code = [], False
    for line in guide.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and re.search("[\u4e00-\u9fff]", line) and len(line) < 70:
            out.append(line.lstrip("# ").strip())
    return out


def guide_snippets(guide: Path | None) -> list[str]:
    """The guide's YAML code blocks, each a small flat config (some with Chinese comments)."""
    if guide is None or not guide.exists():
        return []
    return [m.group(1) for m in re.finditer(r"```yaml\n(.*?)```", guide.read_text(encoding="utf-8"), re.S)]


def _leaves(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if LEAF.match(line) and not line.lstrip().startswith("#")]


def _with_value(line: str, value: str) -> str:
    m = LEAF.match(line)
    return f"{m['ind']}{m['key']}{m['sep']}{value}{m['rest'] or ''}"


class Mutator:
    def __init__(self, text: str, rng: random.Random, sentences: list[str]):
        self.text, self.rng, self.sentences = text, rng, sentences
        self.lines = text.split("\n")
        self.leaves = _leaves(self.lines)
        self.nested = re.search(r"(?m)^InvokeAI[ \t]*:", text) is not None

    def _replace(self, i: int, new: str | list[str]) -> str:
        lines = self.lines[:]
        lines[i: i + 1] = [new] if isinstance(new, str) else new
        return "\n".join(lines)

    def _add_setting(self, line: str) -> str:
        """Add a line where the file keeps its settings: next to a random setting, else at the end."""
        if self.nested and self.leaves:
            i = self.rng.choice(self.leaves)
            return self._replace(i, [self.lines[i], LEAF.match(self.lines[i])["ind"] + line])
        return self.text.rstrip("\n") + ("\n" if self.text.strip() else "") + line + "\n"

    def _key(self, i: int) -> str:
        return LEAF.match(self.lines[i])["key"]

    def all(self) -> list[tuple[str, str, bytes]]:
        out: list[tuple[str, str, str | bytes]] = []
        rng = self.rng
        if self.leaves:
            i = rng.choice(self.leaves)
            key = self._key(i)
            new = rng.choice([key[:-1], key.upper(), key.replace("_", "-", 1), key + "s", key[0].upper() + key[1:]])
            out.append(("rename-key", f"{key} -> {new}", self._replace(i, self.lines[i].replace(key, new, 1))))
            for _ in range(2):
                i, v = rng.choice(self.leaves), rng.choice(YAML_CORNERS)
                out.append(("type-swap", f"{self._key(i)}: {v}", self._replace(i, _with_value(self.lines[i], v))))
            numeric = [j for j in self.leaves if re.fullmatch(r"-?[0-9.]+", LEAF.match(self.lines[j])["val"].strip())]
            if numeric:
                i, v = rng.choice(numeric), rng.choice(BAD_NUMBERS)
                out.append(("out-of-range", f"{self._key(i)}: {v}", self._replace(i, _with_value(self.lines[i], v))))
            i = rng.choice(self.leaves)
            dup = _with_value(self.lines[i], rng.choice(["0", "true", "x", LEAF.match(self.lines[i])["val"]]))
            out.append(("duplicate-key", self._key(i), self._replace(i, [self.lines[i], dup])))
            i = rng.choice(self.leaves)
            m = LEAF.match(self.lines[i])
            if m["ind"]:
                out.append(("tab-indent", m["key"], self._replace(i, "\t" + self.lines[i].lstrip(" "))))
            else:
                out.append(("tab-separator", m["key"],
                            self._replace(i, f"{m['key']}:\t{m['val']}{m['rest'] or ''}")))
            i = rng.choice(self.leaves)
            out.append(("nonascii-value", self._key(i),
                        self._replace(i, _with_value(self.lines[i], f"'{rng.choice(self.sentences)[:12]}'"))))
        present = sorted({self._key(j) for j in self.leaves} & set(CHOICES))
        key = rng.choice(present or sorted(CHOICES))
        v = rng.choice(CHOICES[key])
        hits = [j for j in self.leaves if self._key(j) == key]
        if hits:
            out.append(("wrong-choice", f"{key}: {v}", self._replace(hits[0], _with_value(self.lines[hits[0]], v))))
        else:
            out.append(("wrong-choice-added", f"{key}: {v}", self._add_setting(f"{key}: {v}")))
        line = rng.choice(FOREIGN_KEYS)
        out.append(("foreign-key", line, self._add_setting(line)))
        out += self._layout_mutants()
        out += self._encoding_mutants()
        return [(k, d, t if isinstance(t, bytes) else t.encode("utf-8")) for k, d, t in out]

    def _layout_mutants(self) -> list[tuple[str, str, str]]:
        rng, out = self.rng, []
        if self.nested:
            out.append(("flat-key-in-v3", "", rng.choice(["schema_version: 4.0.2", "host: 0.0.0.0"]) + "\n" + self.text))
            sections = [i for i, line in enumerate(self.lines) if SECTION.match(line)]
            if sections:
                i = rng.choice(sections)
                name = SECTION.match(self.lines[i])["name"]
                other = rng.choice([s for s in V3_SECTION_NAMES if s != name])
                out.append(("v3-section-renamed", f"{name} -> {other}",
                            self._replace(i, self.lines[i].replace(name, other, 1))))
                out.append(("v3-section-emptied", name, self._replace(i, [self.lines[i], SECTION.match(
                    self.lines[i])["ind"] + rng.choice(V3_SECTION_NAMES) + ":"])))
            if self.leaves:
                i = rng.choice(self.leaves)
                value = rng.choice(["${oc.env:INVOKEAI_NOPE}", "${oc.env:HOME}", "'nope'", "'false'"])
                out.append(("v3-value", f"{self._key(i)}: {value}", self._replace(i, _with_value(self.lines[i], value))))
        else:
            name = rng.choice(V3_SECTION_NAMES[:6])
            out.append(("v3-section-in-flat", name, self.text.rstrip("\n") + f"\n{name}:\n  port: 9090\n"))
            sv = [i for i, line in enumerate(self.lines) if line.startswith("schema_version")]
            v = rng.choice(SCHEMA_VERSIONS)
            if sv:
                text = self._replace(sv[0], []) if v is None else self._replace(sv[0], f"schema_version: {v}")
            else:
                text = self.text if v is None else f"schema_version: {v}\n{self.text}"
            out.append(("schema-version", "removed" if v is None else v, text))
        r = rng.random()
        if r < 0.4:
            out.append(("unclosed-quote", "", self.text.rstrip("\n") + '\nhost: "0.0.0.0\n'))
        elif r < 0.7:
            out.append(("truncated", "", self.text[: max(1, len(self.text) * 2 // 3)]))
        else:
            out.append(("crlf", "", self.text.replace("\n", "\r\n")))
        return out

    def _encoding_mutants(self) -> list[tuple[str, str, str | bytes]]:
        """Non-ASCII bytes: the same Chinese comment in UTF-8 and GBK, cp1252 punctuation, a BOM."""
        rng, out = self.rng, []
        sentence = rng.choice(self.sentences)
        at = rng.randrange(len(self.lines) + 1)
        with_comment = "\n".join(self.lines[:at] + ["# " + sentence] + self.lines[at:])
        out.append(("zh-comment-utf8", sentence[:20], with_comment))
        try:
            out.append(("zh-comment-gbk", sentence[:20], with_comment.encode("gbk")))
        except UnicodeEncodeError:
            pass
        comment = rng.choice(CP1252_COMMENTS)
        try:
            out.append(("cp1252-comment", comment, ("\n".join(self.lines[:at] + [comment] + self.lines[at:]))
                        .encode("cp1252")))
        except UnicodeEncodeError:  # the seed itself has text cp1252 cannot hold
            pass
        out.append(("bom", "", "\ufeff" + self.text))
        return out


def mutants(text: str, rng: random.Random, sentences: list[str], keep: int) -> list[tuple[str, str, bytes]]:
    """Up to `keep` mutants of one seed, always including one encoding mutant so every seed is seen in all locales."""
    found = Mutator(text, rng, sentences).all()
    rng.shuffle(found)
    encoding = [m for m in found if m[0] in ("zh-comment-utf8", "zh-comment-gbk", "cp1252-comment", "bom")]
    others = [m for m in found if m not in encoding]
    return encoding[:2] + others[: max(0, keep - 2)]
