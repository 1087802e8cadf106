//! Which rules run and at what severity, layer by layer: the linter config's top level,
//! each matching `[[overrides]]` entry in order, then the command line. Later layers win.
//!
//! Rules are named by code (`IL101`), name (`unknown-key`), category (`schema`), code
//! prefix (`IL1`) or `ALL`. Selection is applied to findings after the rules ran, so a
//! finding of a rule that is off can still use up an inline suppression.

use crate::diagnostic::Severity;
use crate::facts::Origin;
use crate::rules::{self, RuleMeta};

/// A rule selector as written, and the rule codes it stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    pub text: String,
    pub codes: Vec<&'static str>,
}

impl Selector {
    /// Resolve a selector; an unknown one is an error with a suggestion.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let t = text.trim();
        let metas = rules::metas();
        let codes: Vec<&'static str> = if t.eq_ignore_ascii_case("all") {
            metas.iter().map(|m| m.code).collect()
        } else if let Some(m) = metas
            .iter()
            .find(|m| m.code.eq_ignore_ascii_case(t) || m.name == t)
        {
            vec![m.code]
        } else if metas.iter().any(|m| m.category.as_str() == t) {
            metas
                .iter()
                .filter(|m| m.category.as_str() == t)
                .map(|m| m.code)
                .collect()
        } else if is_code_prefix(t) {
            let upper = t.to_ascii_uppercase();
            metas
                .iter()
                .filter(|m| m.code.starts_with(&upper))
                .map(|m| m.code)
                .collect()
        } else {
            Vec::new()
        };
        if codes.is_empty() {
            return Err(unknown_rule_message(t));
        }
        Ok(Selector {
            text: t.to_string(),
            codes,
        })
    }

    pub fn contains(&self, code: &str) -> bool {
        self.codes.contains(&code)
    }
}

/// `IL`, `IL1`, `IL10`: a prefix of rule codes.
fn is_code_prefix(t: &str) -> bool {
    let Some(digits) = t.get(2..) else {
        return false;
    };
    t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("IL"))
        && digits.len() < 3
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// "unknown rule `unkown-key` (did you mean `unknown-key`?)".
pub fn unknown_rule_message(t: &str) -> String {
    let metas = rules::metas();
    let mut words: Vec<&str> = metas.iter().map(|m| m.name).collect();
    words.extend(metas.iter().map(|m| m.code));
    match did_you_mean(t, &words) {
        Some(s) => format!("unknown rule `{t}` (did you mean `{s}`?)"),
        None => format!("unknown rule `{t}`; `invokeai-lint rules` lists them"),
    }
}

/// The rule a suppression comment names: a code or a name only (no categories: a
/// suppression should say exactly what it silences).
pub fn find_rule(id: &str) -> Option<&'static RuleMeta> {
    rules::find(id.trim())
}

/// The candidate closest to `word`, if it is close enough to be what was meant.
/// `-` and `_` count as the same, since TOML users write both.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let w = norm(word);
    if let Some(exact) = candidates.iter().find(|c| norm(c) == w) {
        return Some(exact);
    }
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&w, &norm(c)), *c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A per-rule severity setting: a level, or `off` to turn the rule off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        if s.eq_ignore_ascii_case("off") {
            return Some(Level::Off);
        }
        // Only the spellings we document: `hint`/`note`/`warn` would be accepted by
        // Severity::parse but would not round-trip through print-config.
        match s {
            "error" | "warning" | "info" => Severity::parse(s).map(Level::On),
            _ => None,
        }
    }
}

/// One layer of rule settings and where it came from.
#[derive(Clone, Debug)]
pub struct Layer {
    /// Replaces the enabled set when present.
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub severity: Vec<(Selector, Level)>,
    /// Where this layer is written: a flag or a table of the linter config. For flags
    /// each setting names its own flag, so this is only used for config layers.
    pub origin: LayerOrigin,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LayerOrigin {
    /// `invokeai-lint.toml`, and the table (`""` for the top level, `[[overrides]] #2 (fleet/**)`).
    Config {
        file: String,
        table: String,
    },
    Flags,
}

impl Layer {
    pub fn new(origin: LayerOrigin) -> Self {
        Layer {
            select: None,
            extend_select: Vec::new(),
            ignore: Vec::new(),
            severity: Vec::new(),
            origin,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.select.is_none()
            && self.extend_select.is_empty()
            && self.ignore.is_empty()
            && self.severity.is_empty()
    }

    fn origin_of(&self, setting: &str) -> Origin {
        match &self.origin {
            LayerOrigin::Flags => Origin::Flag(format!("--{setting}")),
            LayerOrigin::Config { file, table } => Origin::LinterConfig {
                file: file.clone(),
                detail: if table.is_empty() {
                    setting.to_string()
                } else {
                    format!("{table} {setting}")
                },
            },
        }
    }

    /// A layer from `--select`, `--extend-select` and `--ignore`.
    pub fn from_flags(
        select: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<Layer, String> {
        let parse_all = |flag: &str, list: &[String]| -> Result<Vec<Selector>, String> {
            list.iter()
                .flat_map(|s| s.split(','))
                .filter(|s| !s.trim().is_empty())
                .map(|s| Selector::parse(s).map_err(|e| format!("--{flag}: {e}")))
                .collect()
        };
        let mut layer = Layer::new(LayerOrigin::Flags);
        layer.select = select.map(|s| parse_all("select", s)).transpose()?;
        layer.extend_select = parse_all("extend-select", extend_select)?;
        layer.ignore = parse_all("ignore", ignore)?;
        Ok(layer)
    }
}

/// A rule's state for one file.
#[derive(Clone, Debug)]
pub struct RuleState {
    pub meta: &'static RuleMeta,
    pub enabled: bool,
    pub severity: Severity,
    /// None: the default (every rule on, at its own severity).
    pub enabled_from: Option<Origin>,
    pub severity_from: Option<Origin>,
}

/// Every rule's state for one file.
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub rules: Vec<RuleState>,
}

impl RuleSet {
    /// Every rule on at its default severity.
    pub fn defaults() -> Self {
        RuleSet {
            rules: rules::metas()
                .into_iter()
                .map(|meta| RuleState {
                    meta,
                    enabled: true,
                    severity: meta.default_severity,
                    enabled_from: None,
                    severity_from: None,
                })
                .collect(),
        }
    }

    /// Apply layers in order; later ones win.
    pub fn with_layers<'a>(mut self, layers: impl IntoIterator<Item = &'a Layer>) -> Self {
        for layer in layers {
            self.apply(layer);
        }
        self
    }

    fn apply(&mut self, layer: &Layer) {
        if let Some(select) = &layer.select {
            let from = layer.origin_of("select");
            for r in &mut self.rules {
                r.enabled = select.iter().any(|s| s.contains(r.meta.code));
                r.enabled_from = Some(from.clone());
            }
        }
        for (list, on, name) in [
            (&layer.extend_select, true, "extend-select"),
            (&layer.ignore, false, "ignore"),
        ] {
            for r in &mut self.rules {
                if list.iter().any(|s| s.contains(r.meta.code)) {
                    r.enabled = on;
                    r.enabled_from = Some(layer.origin_of(name));
                }
            }
        }
        for (sel, level) in &layer.severity {
            let from = layer.origin_of(&format!("severity.{}", sel.text));
            for r in &mut self.rules {
                if !sel.contains(r.meta.code) {
                    continue;
                }
                match level {
                    Level::Off => {
                        r.enabled = false;
                        r.enabled_from = Some(from.clone());
                    }
                    Level::On(s) => {
                        r.severity = *s;
                        r.severity_from = Some(from.clone());
                    }
                }
            }
        }
    }

    pub fn get(&self, code: &str) -> Option<&RuleState> {
        // Asked for every finding of every file, nearly always with the code text of the
        // rule's own `META`: the same pointer, so compare that before the bytes.
        self.rules
            .iter()
            .find(|r| std::ptr::eq(r.meta.code, code))
            .or_else(|| self.rules.iter().find(|r| r.meta.code == code))
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        self.get(code).is_some_and(|r| r.enabled)
    }

    /// Is the rule with this name (as `Context::need` records it) on?
    pub fn is_enabled_name(&self, name: &str) -> bool {
        // Unknown names (a rule not in the registry) are kept: better an extra
        // missing-fact note than a silently dropped one.
        self.rules
            .iter()
            .find(|r| r.meta.name == name)
            .is_none_or(|r| r.enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    #[test]
    fn selectors_take_codes_names_categories_prefixes_and_all() {
        assert_eq!(sel("IL101").codes, vec!["IL101"]);
        assert_eq!(sel("il101").codes, vec!["IL101"]);
        assert_eq!(sel("unknown-key").codes, vec!["IL101"]);
        assert!(sel("syntax").codes.contains(&"IL001"));
        assert!(sel("IL0").codes.iter().all(|c| c.starts_with("IL0")));
        assert_eq!(sel("ALL").codes.len(), rules::metas().len());
    }

    #[test]
    fn unknown_selectors_suggest_the_closest_rule() {
        let e = Selector::parse("unknwn-key").unwrap_err();
        assert_eq!(e, "unknown rule `unknwn-key` (did you mean `unknown-key`?)");
        let e = Selector::parse("IL999").unwrap_err();
        assert!(e.starts_with("unknown rule `IL999`"), "{e}");
        assert!(Selector::parse("zzzzzz")
            .unwrap_err()
            .contains("invokeai-lint rules"));
    }

    #[test]
    fn did_you_mean_treats_dash_and_underscore_alike() {
        assert_eq!(
            did_you_mean("fail_on", &["fail-on", "select"]),
            Some("fail-on")
        );
        assert_eq!(
            did_you_mean("selct", &["fail-on", "select"]),
            Some("select")
        );
        assert_eq!(did_you_mean("qqq", &["fail-on", "select"]), None);
    }

    fn config_layer(table: &str) -> Layer {
        Layer::new(LayerOrigin::Config {
            file: "invokeai-lint.toml".into(),
            table: table.into(),
        })
    }

    #[test]
    fn later_layers_win_and_remember_where_they_came_from() {
        let mut base = config_layer("");
        base.ignore = vec![sel("unknown-key")];
        base.severity = vec![(sel("deprecated-key"), Level::On(Severity::Error))];
        let mut over = config_layer("[[overrides]] #1 (a/**)");
        over.extend_select = vec![sel("unknown-key")];
        let flags = Layer::from_flags(None, &[], &["IL101".into()]).unwrap();

        let only_base = RuleSet::defaults().with_layers([&base]);
        assert!(!only_base.is_enabled("IL101"));
        let dk = only_base
            .rules
            .iter()
            .find(|r| r.meta.name == "deprecated-key")
            .unwrap();
        assert_eq!(dk.severity, Severity::Error);
        assert_eq!(
            dk.severity_from,
            Some(Origin::LinterConfig {
                file: "invokeai-lint.toml".into(),
                detail: "severity.deprecated-key".into()
            })
        );

        let with_override = RuleSet::defaults().with_layers([&base, &over]);
        let uk = with_override.get("IL101").unwrap();
        assert!(uk.enabled);
        assert_eq!(
            uk.enabled_from,
            Some(Origin::LinterConfig {
                file: "invokeai-lint.toml".into(),
                detail: "[[overrides]] #1 (a/**) extend-select".into()
            })
        );

        let all = RuleSet::defaults().with_layers([&base, &over, &flags]);
        let uk = all.get("IL101").unwrap();
        assert!(!uk.enabled);
        assert_eq!(uk.enabled_from, Some(Origin::Flag("--ignore".into())));
    }

    #[test]
    fn select_replaces_the_set_and_severity_off_turns_a_rule_off() {
        let mut l = config_layer("");
        l.select = Some(vec![sel("schema")]);
        l.severity = vec![(sel("unknown-key"), Level::Off)];
        let set = RuleSet::defaults().with_layers([&l]);
        assert!(!set.is_enabled("IL001"));
        assert!(!set.is_enabled("IL101"));
        assert!(set
            .rules
            .iter()
            .filter(|r| r.meta.category == rules::Category::Schema && r.meta.code != "IL101")
            .all(|r| r.enabled));
        assert!(!set.is_enabled_name("yaml-syntax"));
        assert!(set.is_enabled_name("no-such-rule"));
    }

    #[test]
    fn flags_split_on_commas() {
        let l = Layer::from_flags(Some(&["IL001,unknown-key".into()]), &[], &[]).unwrap();
        let s = l.select.unwrap();
        assert_eq!(s.len(), 2);
        let e = Layer::from_flags(None, &["nope".into()], &[]).unwrap_err();
        assert!(e.starts_with("--extend-select: unknown rule `nope`"), "{e}");
    }

    #[test]
    fn levels_parse_only_documented_words() {
        assert_eq!(Level::parse("off"), Some(Level::Off));
        assert_eq!(Level::parse("warning"), Some(Level::On(Severity::Warning)));
        assert_eq!(Level::parse("warn"), None);
    }
}
