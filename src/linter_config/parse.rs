//! Reading one `invokeai-lint.toml`: by hand from toml's spanned tree rather than with
//! serde, so every mistake is reported at its line and column, all of them at once, and
//! unknown keys get a did-you-mean.

use std::path::PathBuf;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::model::{
    FactValues, LinterConfig, Override, FACT_KEYS, OS_NAMES, OVERRIDE_KEYS, TOP_KEYS,
};
use crate::facts::DeviceKind;
use crate::knowledge::Version;
use crate::selection::{did_you_mean, Layer, LayerOrigin, Level, Selector};
use crate::source::SourceFile;

impl LinterConfig {
    /// Parse the text of a linter config whose directory is `dir`; `display` names it in
    /// messages. All mistakes come back at once, one per line, in file order.
    pub fn parse(text: &str, display: &str, dir: PathBuf) -> Result<LinterConfig, String> {
        parse(text, display, dir)
    }
}

fn parse(text: &str, display: &str, dir: PathBuf) -> Result<LinterConfig, String> {
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
        let mut extend = None;
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "extend" => {
                    extend = self.string(v, "extend").and_then(|path| {
                        if path.trim().is_empty() {
                            self.error(v.span().start, "extend: expected the path of another linter config, e.g. \"../invokeai-lint.toml\"");
                            None
                        } else {
                            Some((path, self.at(v.span().start, "extend")))
                        }
                    })
                }
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
            extend,
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
