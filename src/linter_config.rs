//! The linter's own config, `invokeai-lint.toml`: rule selection and severities, the exit
//! threshold, discovery globs, and facts per path (the fleet manifest).
//!
//! Parsed by hand from toml's spanned tree rather than with serde, so every mistake is
//! reported at its line and column, all of them at once, and unknown keys get a
//! did-you-mean.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::facts::{DeviceKind, Fact, Origin};
use crate::knowledge::Version;
use crate::selection::{did_you_mean, Layer, LayerOrigin, Level, RuleSet, Selector};
use crate::source::SourceFile;

pub const FILE_NAME: &str = "invokeai-lint.toml";

/// Largest linter config read; a fleet manifest is a few KB.
const MAX_BYTES: u64 = 1024 * 1024;

pub const TOP_KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "severity",
    "fail-on",
    "max-warnings",
    "include",
    "exclude",
    "facts",
    "overrides",
];
const OVERRIDE_KEYS: &[&str] = &[
    "paths",
    "facts",
    "select",
    "extend-select",
    "ignore",
    "severity",
];
pub const FACT_KEYS: &[&str] = &["invokeai_version", "vram_gb", "ram_gb", "device", "os"];
pub const OS_NAMES: &[&str] = &["linux", "windows", "macos"];

/// Facts a table of the linter config gives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FactValues {
    pub invokeai_version: Option<String>,
    pub vram_gb: Option<f64>,
    pub ram_gb: Option<f64>,
    pub device: Option<String>,
    pub os: Option<String>,
}

/// One `[[overrides]]` entry.
#[derive(Clone, Debug)]
pub struct Override {
    /// 1-based, as people count them in the file.
    pub number: usize,
    pub paths: Vec<String>,
    matcher: GlobSet,
    pub facts: FactValues,
    pub rules: Layer,
}

impl Override {
    /// How messages and print-config name this entry: `[[overrides]] #2 (fleet/12gb/**)`.
    pub fn table_name(&self) -> String {
        format!("[[overrides]] #{} ({})", self.number, self.paths.join(", "))
    }
}

#[derive(Clone, Debug)]
pub struct LinterConfig {
    /// How the file is named in messages and origins (as found or given).
    pub display: String,
    /// Absolute directory the file is in: paths in it are relative to this.
    pub dir: PathBuf,
    pub rules: Layer,
    pub facts: FactValues,
    pub overrides: Vec<Override>,
    pub include: Vec<String>,
    include_set: GlobSet,
    pub exclude: Vec<String>,
    exclude_set: GlobSet,
    pub fail_on: Option<Severity>,
    pub max_warnings: Option<usize>,
}

/// Facts from the linter config for one file, each with the table that gave it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigFacts {
    pub invokeai_version: Option<Fact<String>>,
    pub vram_gb: Option<Fact<f64>>,
    pub ram_gb: Option<Fact<f64>>,
    pub device: Option<Fact<String>>,
    pub os: Option<Fact<String>>,
}

/// What the linter config says about one file.
#[derive(Clone, Debug)]
pub struct FileSettings {
    pub rules: RuleSet,
    pub facts: ConfigFacts,
    /// Numbers of the `[[overrides]]` entries that matched, in order.
    pub overrides: Vec<usize>,
}

impl LinterConfig {
    /// Find `invokeai-lint.toml` in `start` or the nearest directory above it.
    pub fn find_upward(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// Read and check a linter config. `display` names it in messages.
    pub fn load(path: &Path, display: &str) -> Result<LinterConfig, String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {display}: {e}"))?;
        if meta.len() > MAX_BYTES {
            return Err(format!(
                "{display} is {} bytes; a linter config is a few KB (limit {MAX_BYTES})",
                meta.len()
            ));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {display}: {e}"))?;
        let cwd = std::env::current_dir().map_err(|e| format!("no working directory: {e}"))?;
        let absolute = absolute(&cwd, path);
        let dir = absolute
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.clone());
        Self::parse(&text, display, dir)
    }

    /// Parse the text of a linter config whose directory is `dir`.
    pub fn parse(text: &str, display: &str, dir: PathBuf) -> Result<LinterConfig, String> {
        let src = SourceFile::new(display, text);
        let mut p = Parser {
            src: &src,
            display,
            errors: Vec::new(),
        };
        let table = match DeTable::parse(text) {
            Ok(t) => t,
            Err(e) => {
                let at = e.span().map(|r| r.start).unwrap_or(0);
                return Err(p.at(at, e.message().trim()));
            }
        };
        let config = p.top(table.get_ref(), dir);
        if p.errors.is_empty() {
            Ok(config)
        } else {
            p.errors.sort();
            Err(p
                .errors
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("\n"))
        }
    }

    /// The path of `file` relative to this config's directory, `/`-separated, or None when
    /// the file is outside it (then no glob of the config can match it).
    pub fn relative(&self, cwd: &Path, file: &Path) -> Option<String> {
        relative_to(&self.dir, cwd, file)
    }

    /// The `include` globs, when there are any.
    pub fn include_set(&self) -> Option<&GlobSet> {
        (!self.include.is_empty()).then_some(&self.include_set)
    }

    /// The `exclude` globs, when there are any.
    pub fn exclude_set(&self) -> Option<&GlobSet> {
        (!self.exclude.is_empty()).then_some(&self.exclude_set)
    }

    pub fn is_included(&self, rel: &str) -> bool {
        self.include_set.is_match(rel)
    }

    pub fn is_excluded(&self, rel: &str) -> bool {
        self.exclude_set.is_match(rel)
    }

    /// Numbers of the overrides whose paths match `rel`, in file order.
    pub fn matching_overrides(&self, rel: Option<&str>) -> Vec<usize> {
        let Some(rel) = rel else { return Vec::new() };
        self.overrides
            .iter()
            .filter(|o| o.matcher.is_match(rel))
            .map(|o| o.number)
            .collect()
    }

    /// Rules and facts for a file matched by these overrides (see [`matching_overrides`]),
    /// with `flags` applied last.
    ///
    /// [`matching_overrides`]: LinterConfig::matching_overrides
    pub fn settings_for(&self, overrides: &[usize], flags: &Layer) -> FileSettings {
        let chosen: Vec<&Override> = self
            .overrides
            .iter()
            .filter(|o| overrides.contains(&o.number))
            .collect();
        let mut layers: Vec<&Layer> = vec![&self.rules];
        layers.extend(chosen.iter().map(|o| &o.rules));
        layers.push(flags);
        let mut facts = ConfigFacts::default();
        facts.merge(&self.facts, &self.display, "[facts]");
        for o in &chosen {
            facts.merge(&o.facts, &self.display, &o.table_name());
        }
        FileSettings {
            rules: RuleSet::defaults().with_layers(layers),
            facts,
            overrides: overrides.to_vec(),
        }
    }
}

/// Settings when there is no linter config: defaults and flags.
pub fn settings_without_config(flags: &Layer) -> FileSettings {
    FileSettings {
        rules: RuleSet::defaults().with_layers([flags]),
        facts: ConfigFacts::default(),
        overrides: Vec::new(),
    }
}

impl ConfigFacts {
    fn merge(&mut self, v: &FactValues, file: &str, table: &str) {
        let origin = |key: &str| Origin::LinterConfig {
            file: file.to_string(),
            detail: format!("{table} {key}"),
        };
        if let Some(x) = &v.invokeai_version {
            self.invokeai_version = Some(Fact::new(x.clone(), origin("invokeai_version")));
        }
        if let Some(x) = v.vram_gb {
            self.vram_gb = Some(Fact::new(x, origin("vram_gb")));
        }
        if let Some(x) = v.ram_gb {
            self.ram_gb = Some(Fact::new(x, origin("ram_gb")));
        }
        if let Some(x) = &v.device {
            self.device = Some(Fact::new(x.clone(), origin("device")));
        }
        if let Some(x) = &v.os {
            self.os = Some(Fact::new(x.clone(), origin("os")));
        }
    }
}

/// `cwd.join(path)` with `.` and `..` removed lexically (no symlinks resolved, so a
/// path in a symlinked checkout still matches the globs written for it).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Build a matcher for globs written relative to the config's directory. A glob without
/// a `/` matches at any depth (like .gitignore); a trailing `/` means everything below.
pub fn glob_set(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(build_glob(g)?);
    }
    b.build().map_err(|e| e.to_string())
}

fn build_glob(g: &str) -> Result<globset::Glob, String> {
    let mut pat = g.trim().trim_start_matches("./").to_string();
    if let Some(stripped) = pat.strip_prefix('/') {
        pat = stripped.to_string();
    } else if !pat.contains('/') {
        pat = format!("**/{pat}");
    }
    if pat.ends_with('/') {
        pat.push_str("**");
    }
    GlobBuilder::new(&pat)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("`{g}` is not a valid glob: {}", e.kind()))
}

struct Parser<'a> {
    src: &'a SourceFile,
    display: &'a str,
    /// (byte offset, message) so errors print in file order.
    errors: Vec<(usize, String)>,
}

type Entry<'i> = (
    &'i Spanned<std::borrow::Cow<'i, str>>,
    &'i Spanned<DeValue<'i>>,
);

impl Parser<'_> {
    fn at(&self, offset: usize, msg: &str) -> String {
        let lc = self.src.line_col(offset);
        format!("{}:{}:{}: {msg}", self.display, lc.line, lc.column)
    }

    fn error(&mut self, offset: usize, msg: impl AsRef<str>) {
        let m = self.at(offset, msg.as_ref());
        self.errors.push((offset, m));
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        known: &[&str],
        table: &str,
    ) {
        let name = key.get_ref().as_ref();
        let hint = if table != "[facts]" && FACT_KEYS.contains(&name) {
            format!(" (facts go under [facts] or an override's `facts = {{ {name} = ... }}`)")
        } else if table.is_empty() && name == "paths" {
            " (`paths` belongs in an [[overrides]] entry)".to_string()
        } else {
            match did_you_mean(name, known) {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None => format!("; expected one of: {}", known.join(", ")),
            }
        };
        let place = if table.is_empty() {
            String::new()
        } else {
            format!(" in {table}")
        };
        self.error(
            key.span().start,
            format!("unknown key `{name}`{place}{hint}"),
        );
    }

    fn top(&mut self, t: &DeTable<'_>, dir: PathBuf) -> LinterConfig {
        let mut rules = Layer::new(LayerOrigin::Config {
            file: self.display.to_string(),
            table: String::new(),
        });
        let mut facts = FactValues::default();
        let mut overrides = Vec::new();
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        let mut fail_on = None;
        let mut max_warnings = None;
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "facts" => facts = self.facts(v, "[facts]"),
                "overrides" => overrides = self.overrides(v),
                "include" => include = self.globs(v, "include"),
                "exclude" => exclude = self.globs(v, "exclude"),
                "fail-on" => {
                    fail_on = self.string(v, "fail-on").and_then(|s| {
                        let level = Level::parse(&s);
                        match level {
                            Some(Level::On(sev)) => Some(sev),
                            _ => {
                                self.error(
                                    v.span().start,
                                    format!("fail-on: `{s}` is not one of error, warning, info"),
                                );
                                None
                            }
                        }
                    })
                }
                "max-warnings" => match v.get_ref().as_integer().map(|i| i.as_str().parse::<u64>())
                {
                    Some(Ok(n)) => max_warnings = usize::try_from(n).ok(),
                    _ => self.error(v.span().start, "max-warnings: expected a whole number ≥ 0"),
                },
                _ => {
                    if !self.rule_key((k, v), &mut rules, "") {
                        self.unknown_key(k, TOP_KEYS, "");
                    }
                }
            }
        }
        let include_set = self.glob_set_at(&include, t, "include");
        let exclude_set = self.glob_set_at(&exclude, t, "exclude");
        LinterConfig {
            display: self.display.to_string(),
            dir,
            rules,
            facts,
            overrides,
            include,
            include_set,
            exclude,
            exclude_set,
            fail_on,
            max_warnings,
        }
    }

    /// `select`, `extend-select`, `ignore`, `severity`: shared by the top level and overrides.
    /// Returns false when the key is none of these.
    fn rule_key(&mut self, (k, v): Entry<'_>, layer: &mut Layer, table: &str) -> bool {
        let name = k.get_ref().as_ref();
        let label = if table.is_empty() {
            name.to_string()
        } else {
            format!("{table} {name}")
        };
        match name {
            "select" => layer.select = Some(self.selectors(v, &label)),
            "extend-select" => layer.extend_select = self.selectors(v, &label),
            "ignore" => layer.ignore = self.selectors(v, &label),
            "severity" => {
                let Some(tbl) = v.get_ref().as_table() else {
                    self.error(
                        v.span().start,
                        format!("{label}: expected a table of rule = \"error\" | \"warning\" | \"info\" | \"off\""),
                    );
                    return true;
                };
                for (rk, rv) in tbl.iter() {
                    let rule = rk.get_ref().as_ref();
                    let sel = match Selector::parse(rule) {
                        Ok(s) => s,
                        Err(e) => {
                            self.error(rk.span().start, format!("{label}: {e}"));
                            continue;
                        }
                    };
                    let level = rv.get_ref().as_str().and_then(Level::parse);
                    match level {
                        Some(l) => layer.severity.push((sel, l)),
                        None => self.error(
                            rv.span().start,
                            format!("{label}.{rule}: expected \"error\", \"warning\", \"info\" or \"off\""),
                        ),
                    }
                }
            }
            _ => return false,
        }
        true
    }

    fn selectors(&mut self, v: &Spanned<DeValue<'_>>, label: &str) -> Vec<Selector> {
        let mut out = Vec::new();
        for (text, at) in self.strings(v, label) {
            match Selector::parse(&text) {
                Ok(s) => out.push(s),
                Err(e) => self.error(at, format!("{label}: {e}")),
            }
        }
        out
    }

    fn string(&mut self, v: &Spanned<DeValue<'_>>, label: &str) -> Option<String> {
        match v.get_ref().as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.error(
                    v.span().start,
                    format!(
                        "{label}: expected a string, found {}",
                        v.get_ref().type_str()
                    ),
                );
                None
            }
        }
    }

    /// A list of strings with the offset of each.
    fn strings(&mut self, v: &Spanned<DeValue<'_>>, label: &str) -> Vec<(String, usize)> {
        let Some(items) = v.get_ref().as_array() else {
            self.error(
                v.span().start,
                format!("{label}: expected a list of strings, e.g. [\"a\", \"b\"]"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.get_ref().as_str() {
                Some(s) => out.push((s.to_string(), item.span().start)),
                None => self.error(
                    item.span().start,
                    format!(
                        "{label}: expected a string, found {}",
                        item.get_ref().type_str()
                    ),
                ),
            }
        }
        out
    }

    fn globs(&mut self, v: &Spanned<DeValue<'_>>, label: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (g, at) in self.strings(v, label) {
            match build_glob(&g) {
                Ok(_) => out.push(g),
                Err(e) => self.error(at, format!("{label}: {e}")),
            }
        }
        out
    }

    /// The set for already-checked globs (they built one by one, so the set builds too).
    fn glob_set_at(&mut self, globs: &[String], t: &DeTable<'_>, key: &str) -> GlobSet {
        match glob_set(globs) {
            Ok(s) => s,
            Err(e) => {
                let at = t
                    .iter()
                    .find(|(k, _)| k.get_ref().as_ref() == key)
                    .map_or(0, |(k, _)| k.span().start);
                self.error(at, format!("{key}: {e}"));
                GlobSet::empty()
            }
        }
    }

    fn number(&mut self, v: &Spanned<DeValue<'_>>, label: &str) -> Option<f64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => i.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(x) if x.is_finite() && x > 0.0 && x < 1_000_000.0 => Some(x),
            _ => {
                self.error(
                    v.span().start,
                    format!("{label}: expected a number of GB greater than 0, e.g. 12 or 7.5"),
                );
                None
            }
        }
    }

    fn facts(&mut self, v: &Spanned<DeValue<'_>>, table: &str) -> FactValues {
        let mut f = FactValues::default();
        let Some(t) = v.get_ref().as_table() else {
            self.error(
                v.span().start,
                format!("{table}: expected a table, e.g. {{ vram_gb = 12 }}"),
            );
            return f;
        };
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let label = format!("{table} {key}");
            match key {
                "invokeai_version" => {
                    // TOML users write `5.9` as a float by accident; take the text.
                    let text = match v.get_ref() {
                        DeValue::Float(x) => Some(x.as_str().to_string()),
                        _ => self.string(v, &label),
                    };
                    if let Some(text) = text {
                        match Version::parse(&text) {
                            Ok(_) => f.invokeai_version = Some(text),
                            Err(e) => self.error(v.span().start, format!("{label}: {e}")),
                        }
                    }
                }
                "vram_gb" => f.vram_gb = self.number(v, &label),
                "ram_gb" => f.ram_gb = self.number(v, &label),
                "device" => {
                    if let Some(s) = self.string(v, &label) {
                        if DeviceKind::parse(&s).is_some() {
                            f.device = Some(s);
                        } else {
                            self.error(
                                v.span().start,
                                format!("{label}: `{s}` is not one of cuda, mps, cpu, xpu"),
                            );
                        }
                    }
                }
                "os" => {
                    if let Some(s) = self.string(v, &label) {
                        if OS_NAMES.contains(&s.as_str()) {
                            f.os = Some(s);
                        } else {
                            self.error(
                                v.span().start,
                                format!("{label}: `{s}` is not one of {}", OS_NAMES.join(", ")),
                            );
                        }
                    }
                }
                _ => self.unknown_key(k, FACT_KEYS, table),
            }
        }
        f
    }

    fn overrides(&mut self, v: &Spanned<DeValue<'_>>) -> Vec<Override> {
        let Some(items) = v.get_ref().as_array() else {
            self.error(
                v.span().start,
                "overrides: expected [[overrides]] tables, each with `paths = [...]`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let number = i + 1;
            let table = format!("[[overrides]] #{number}");
            let Some(t) = item.get_ref().as_table() else {
                self.error(item.span().start, format!("{table}: expected a table"));
                continue;
            };
            let mut paths = None;
            let mut facts = FactValues::default();
            let mut rules = Layer::new(LayerOrigin::Config {
                file: self.display.to_string(),
                table: String::new(),
            });
            for (k, v) in t.iter() {
                match k.get_ref().as_ref() {
                    "paths" => paths = Some(self.globs(v, &format!("{table} paths"))),
                    "facts" => facts = self.facts(v, &format!("{table} facts")),
                    _ => {
                        if !self.rule_key((k, v), &mut rules, &table) {
                            self.unknown_key(k, OVERRIDE_KEYS, &table);
                        }
                    }
                }
            }
            let Some(paths) = paths.filter(|p| !p.is_empty()) else {
                self.error(
                    item.span().start,
                    format!(
                        "{table}: needs `paths = [\"glob\", ...]` saying which files it applies to"
                    ),
                );
                continue;
            };
            let matcher = glob_set(&paths).unwrap_or_else(|_| GlobSet::empty());
            let mut o = Override {
                number,
                paths,
                matcher,
                facts,
                rules,
            };
            o.rules.origin = LayerOrigin::Config {
                file: self.display.to_string(),
                table: o.table_name(),
            };
            out.push(o);
        }
        out
    }
}

/// A readable list of what print-config shows, shared by its human and JSON forms.
#[derive(Debug, serde::Serialize)]
pub struct Shown {
    pub value: String,
    /// `default`, a flag, or `invokeai-lint.toml <table> <key>`.
    pub from: String,
}

/// Facts as print-config shows them, keyed by their config-file name.
pub fn facts_table(f: &ConfigFacts) -> BTreeMap<&'static str, Option<Shown>> {
    let show = |v: String, o: &Origin| Shown {
        value: v,
        from: o.describe(),
    };
    let mut m = BTreeMap::new();
    m.insert(
        "invokeai_version",
        f.invokeai_version
            .as_ref()
            .map(|x| show(x.value.clone(), &x.origin)),
    );
    m.insert(
        "vram_gb",
        f.vram_gb
            .as_ref()
            .map(|x| show(x.value.to_string(), &x.origin)),
    );
    m.insert(
        "ram_gb",
        f.ram_gb
            .as_ref()
            .map(|x| show(x.value.to_string(), &x.origin)),
    );
    m.insert(
        "device",
        f.device.as_ref().map(|x| show(x.value.clone(), &x.origin)),
    );
    m.insert(
        "os",
        f.os.as_ref().map(|x| show(x.value.clone(), &x.origin)),
    );
    m
}

/// `file` (relative to `cwd` when not absolute) relative to `dir`, `/`-separated, or None
/// when it is outside `dir`.
pub fn relative_to(dir: &Path, cwd: &Path, file: &Path) -> Option<String> {
    let abs = absolute(cwd, file);
    let rel = abs.strip_prefix(dir).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<LinterConfig, String> {
        LinterConfig::parse(text, "invokeai-lint.toml", PathBuf::from("/repo"))
    }

    const FLEET: &str = r#"
select = ["ALL"]
ignore = ["deprecated-key"]
fail-on = "warning"
max-warnings = 3
exclude = ["vendor/"]

[severity]
unknown-key = "warning"

[facts]
invokeai_version = "5.9.1"

[[overrides]]
paths = ["fleet/12gb/**"]
facts = { vram_gb = 12, ram_gb = 32 }
ignore = ["IL106"]

[[overrides]]
paths = ["fleet/old/**"]
facts = { invokeai_version = "5.5.0" }
severity = { unknown-key = "error" }
"#;

    #[test]
    fn a_fleet_manifest_parses() {
        let c = parse(FLEET).unwrap();
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(c.max_warnings, Some(3));
        assert_eq!(c.facts.invokeai_version.as_deref(), Some("5.9.1"));
        assert_eq!(c.overrides.len(), 2);
        assert_eq!(c.overrides[0].facts.vram_gb, Some(12.0));
        assert!(c.is_excluded("vendor/x/invokeai.yaml"));
        assert!(!c.is_excluded("fleet/12gb/invokeai.yaml"));
    }

    #[test]
    fn overrides_match_relative_paths_and_later_ones_win() {
        let c = parse(FLEET).unwrap();
        let flags = Layer::new(LayerOrigin::Flags);
        assert_eq!(
            c.matching_overrides(Some("fleet/12gb/invokeai.yaml")),
            vec![1]
        );
        assert_eq!(
            c.matching_overrides(Some("fleet/12gbx/invokeai.yaml")),
            Vec::<usize>::new()
        );
        assert_eq!(c.matching_overrides(None), Vec::<usize>::new());

        let s = c.settings_for(&[1], &flags);
        assert_eq!(s.facts.vram_gb.as_ref().unwrap().value, 12.0);
        assert_eq!(
            s.facts.vram_gb.as_ref().unwrap().origin.describe(),
            "invokeai-lint.toml [[overrides]] #1 (fleet/12gb/**) vram_gb"
        );
        assert_eq!(
            s.facts.invokeai_version.as_ref().unwrap().origin.describe(),
            "invokeai-lint.toml [facts] invokeai_version"
        );
        assert!(!s.rules.is_enabled("IL106"));
        assert!(!s.rules.is_enabled("IL105"));
        assert_eq!(s.rules.get("IL101").unwrap().severity, Severity::Warning);

        let both = c.settings_for(&[1, 2], &flags);
        assert_eq!(both.facts.invokeai_version.unwrap().value, "5.5.0");
        assert_eq!(both.rules.get("IL101").unwrap().severity, Severity::Error);
    }

    #[test]
    fn flags_beat_the_file() {
        let c = parse(FLEET).unwrap();
        let flags = Layer::from_flags(None, &["deprecated-key".into()], &["IL101".into()]).unwrap();
        let s = c.settings_for(&[2], &flags);
        assert!(s.rules.is_enabled("IL105"));
        assert!(!s.rules.is_enabled("IL101"));
    }

    #[test]
    fn unknown_keys_are_errors_with_positions_and_suggestions() {
        let e = parse(
            "selct = [\"IL101\"]\nvram_gb = 12\n[facts]\nvram = 3\n[[overrides]]\npath = [\"a\"]\n",
        )
        .unwrap_err();
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines.len(), 5, "{e}");
        assert_eq!(
            lines[0],
            "invokeai-lint.toml:1:1: unknown key `selct` (did you mean `select`?)"
        );
        assert!(
            lines[1].starts_with(
                "invokeai-lint.toml:2:1: unknown key `vram_gb` (facts go under [facts]"
            ),
            "{e}"
        );
        assert_eq!(
            lines[2],
            "invokeai-lint.toml:4:1: unknown key `vram` in [facts] (did you mean `vram_gb`?)"
        );
        assert!(
            lines[3].starts_with("invokeai-lint.toml:5:1: [[overrides]] #1: needs `paths"),
            "{e}"
        );
        assert_eq!(lines[4], "invokeai-lint.toml:6:1: unknown key `path` in [[overrides]] #1 (did you mean `paths`?)");
    }

    #[test]
    fn bad_values_are_errors_at_the_value() {
        let e = parse("fail-on = \"sometimes\"\nselect = [\"unknwn-key\"]\n[facts]\nvram_gb = -1\ndevice = \"gpu\"\nos = \"beos\"\ninvokeai_version = \"five\"\n").unwrap_err();
        assert!(
            e.contains(":1:11: fail-on: `sometimes` is not one of"),
            "{e}"
        );
        assert!(
            e.contains(":2:11: select: unknown rule `unknwn-key` (did you mean `unknown-key`?)"),
            "{e}"
        );
        assert!(
            e.contains(":4:11: [facts] vram_gb: expected a number"),
            "{e}"
        );
        assert!(e.contains("device: `gpu` is not one of cuda"), "{e}");
        assert!(e.contains("os: `beos` is not one of"), "{e}");
        assert!(
            e.contains("invokeai_version: `five` is not a version"),
            "{e}"
        );
    }

    #[test]
    fn toml_syntax_errors_have_a_position() {
        let e = parse("select = [\n").unwrap_err();
        assert!(e.starts_with("invokeai-lint.toml:"), "{e}");
    }

    #[test]
    fn a_version_written_as_a_float_is_taken_as_text() {
        let c = parse("[facts]\ninvokeai_version = 5.9\n").unwrap();
        assert_eq!(c.facts.invokeai_version.as_deref(), Some("5.9"));
    }

    #[test]
    fn globs_without_a_slash_match_at_any_depth() {
        let s = glob_set(&["*.yml".into(), "/top.yaml".into(), "lab/".into()]).unwrap();
        assert!(s.is_match("a/b/c.yml"));
        assert!(s.is_match("top.yaml"));
        assert!(!s.is_match("a/top.yaml"));
        assert!(s.is_match("lab/x/invokeai.yaml"));
        assert!(glob_set(&["a/[".into()]).is_err());
    }

    #[test]
    fn absolute_paths_are_lexically_normalised() {
        let cwd = Path::new("/repo/sub");
        assert_eq!(
            absolute(cwd, Path::new("../a/./b.yaml")),
            PathBuf::from("/repo/a/b.yaml")
        );
        let c = parse("").unwrap();
        assert_eq!(
            c.relative(cwd, Path::new("x/invokeai.yaml")).as_deref(),
            Some("sub/x/invokeai.yaml")
        );
        assert_eq!(c.relative(cwd, Path::new("/elsewhere/invokeai.yaml")), None);
    }
}
