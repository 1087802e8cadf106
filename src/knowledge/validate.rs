//! Judge a YAML value as pydantic's lax mode would for a setting's type.
//!
//! InvokeAI 4.0.0+ validates the loaded YAML with pydantic v2 (2.7 – 2.13 across releases) in
//! its default lax mode. The rules below were checked against pydantic's "Conversion Table"
//! (docs.pydantic.dev/2.7/concepts/conversion_table, unchanged in /latest) and, where the table
//! is vague, pydantic-core's `src/input/shared.rs` (string → bool/int/float) and
//! `src/validators/literal.rs` (Literal matching). The values reach pydantic as PyYAML's
//! SafeLoader made them, so a node is first read as the Python object PyYAML would build
//! ([`Py`]). 3.x read its file through OmegaConf and argparse instead; rules that judge 3.x
//! files should treat these answers as an approximation.

use std::borrow::Cow;

use crate::knowledge::pydantic::Pydantic;
use crate::knowledge::types::choice_repr;
use crate::knowledge::{KeyRevision, ValueType};
use crate::yaml::{Node, NodeKind, Resolved};

pub mod v3;

/// Why pydantic would reject a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Invalid {
    /// Wrong type: `expected` is a human phrase ("a number", "true or false").
    Type { expected: String, found: String },
    /// Breaks a gt/ge/lt/le constraint: e.g. "greater than 0".
    Range { bound: String },
    /// Not one of the Literal choices.
    Choice { choices: Vec<String> },
    /// Does not match the field's regex.
    Pattern { pattern: String },
}

/// Check `node` against the revision of a key with pydantic 2 (`pyd`, the version the release
/// ships); Ok when InvokeAI would accept it.
pub fn check(rev: &KeyRevision, node: &Node, pyd: Pydantic) -> Result<(), Invalid> {
    check_value(rev, &Py::of(node), pyd)
}

/// [`check`] for a value already read as Python (3.x hands argparse's result to pydantic).
fn check_value(rev: &KeyRevision, value: &Py, pyd: Pydantic) -> Result<(), Invalid> {
    let number = validate(&rev.ty, value, pyd)?;
    if let Some(x) = number {
        if let Some(bound) = rev.constraints.violated_by(x) {
            return Err(Invalid::Range { bound });
        }
    }
    if let (Some(pattern), Py::Str(s)) = (&rev.pattern, value) {
        // pydantic v2 compiles `pattern=` with Rust's regex crate (its default regex engine), so
        // the same crate gives the same answer: `$` is the very end, `\d` any Unicode digit.
        match regex::Regex::new(pattern) {
            Ok(re) if !re.is_match(s) => {
                return Err(Invalid::Pattern {
                    pattern: pattern.clone(),
                })
            }
            // A pattern the crate cannot compile would have broken InvokeAI itself; accept.
            _ => {}
        }
    }
    Ok(())
}

/// The value pydantic would end up with, as a float, when the type is numeric and the value valid
/// (`'4'` → 4.0 for a float field, `1e3` → 1000.0, `yes` → 1.0 for a float field; None for
/// bool, string and Literal fields, null, and anything invalid).
pub fn as_number(ty: &ValueType, node: &Node, pyd: Pydantic) -> Option<f64> {
    validate(ty, &Py::of(node), pyd).ok().flatten()
}

/// A YAML node as the Python object PyYAML's SafeLoader builds from it.
enum Py<'a> {
    None,
    Bool(bool),
    Int(i128),
    /// Beyond i128; kept as decimal text.
    BigInt(&'a str),
    Float(f64),
    Str(&'a str),
    /// datetime.date / datetime.datetime
    Timestamp(&'a str),
    List(&'a [Node]),
    Map(&'a Node),
    /// `*name`: the linter does not expand aliases, so it cannot say what the value is.
    Alias,
}

impl<'a> Py<'a> {
    fn of(node: &'a Node) -> Py<'a> {
        match &node.kind {
            NodeKind::Alias(_) => Py::Alias,
            NodeKind::Sequence { items, .. } => Py::List(items),
            NodeKind::Mapping { .. } => Py::Map(node),
            NodeKind::Scalar(s) => match &s.resolved {
                Resolved::Null => Py::None,
                Resolved::Bool(b) => Py::Bool(*b),
                Resolved::Int(i) => Py::Int(*i),
                Resolved::BigInt(text) => Py::BigInt(text),
                Resolved::Float(f) => Py::Float(*f),
                Resolved::Timestamp => Py::Timestamp(&s.value),
                Resolved::Special | Resolved::Str => Py::Str(&s.value),
            },
        }
    }

    fn describe(&self) -> String {
        match self {
            Py::None => "null (an empty value)".into(),
            Py::Bool(b) => format!("the boolean {b}"),
            Py::Int(i) => format!("the integer {i}"),
            Py::BigInt(t) => format!("the integer {t}"),
            Py::Float(f) => format!("the number {}", fmt_float(*f)),
            Py::Str(s) => format!("the string '{s}'"),
            Py::Timestamp(t) => format!("the date {t}"),
            Py::List(_) => "a list".into(),
            Py::Map(_) => "a mapping".into(),
            Py::Alias => "an alias".into(),
        }
    }
}

fn fmt_float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf" } else { "-.inf" }.into()
    } else {
        format!("{f:?}")
    }
}

fn type_error(ty: &ValueType, value: &Py) -> Invalid {
    Invalid::Type {
        expected: ty.describe(),
        found: value.describe(),
    }
}

/// Validate `value` against `ty`; Ok(Some(x)) when the result is a number (for constraints).
fn validate(ty: &ValueType, value: &Py, pyd: Pydantic) -> Result<Option<f64>, Invalid> {
    if let Py::Alias = value {
        return Ok(None);
    }
    match ty {
        ValueType::Any(_) => Ok(None),
        // Optional[X]: None is valid; anything else must be a valid X.
        ValueType::Optional(inner) => match value {
            Py::None => Ok(None),
            _ => validate(inner, value, pyd).map_err(|e| match e {
                // Say null would have done too.
                Invalid::Type { expected, found } if expected == inner.describe() => {
                    Invalid::Type {
                        expected: ty.describe(),
                        found,
                    }
                }
                other => other,
            }),
        },
        ValueType::Bool => to_bool(value)
            .map(|_| None)
            .ok_or_else(|| type_error(ty, value)),
        ValueType::Int => to_int(value, pyd).map(Some).map_err(|why| Invalid::Type {
            expected: ty.describe(),
            found: why.unwrap_or_else(|| value.describe()),
        }),
        ValueType::Float => to_float(value, pyd)
            .map(Some)
            .ok_or_else(|| type_error(ty, value)),
        // str fields take str only: pydantic v2 no longer turns numbers into strings
        // ("Input should be a valid string"; conversion table: str ← str/bytes/bytearray).
        // A date is a datetime object for pydantic, so it is not a string either.
        ValueType::Str => match value {
            Py::Str(_) => Ok(None),
            _ => Err(type_error(ty, value)),
        },
        // Path ← Path or str (conversion table); anything else "Input is not a valid path".
        ValueType::Path => match value {
            Py::Str(_) => Ok(None),
            _ => Err(type_error(ty, value)),
        },
        ValueType::Literal(choices) => {
            if literal_matches(choices, value, pyd) {
                Ok(None)
            } else {
                Err(Invalid::Choice {
                    choices: choices.iter().map(choice_repr).collect(),
                })
            }
        }
        // Smart-mode union: valid when any member accepts the value. Only a numeric result
        // is reported upwards, for the constraints.
        ValueType::Union(members) => {
            let mut first_err = None;
            for m in members {
                match validate(m, value, pyd) {
                    Ok(n) => return Ok(n),
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            match (members.len(), first_err) {
                (1, Some(e)) => Err(e),
                _ => Err(type_error(ty, value)),
            }
        }
        // list[X] ← list/tuple/set in Python; from YAML only a sequence. A bare string is
        // explicitly not a list in pydantic v2 ("Input should be a valid list").
        ValueType::List(item_ty) => match value {
            Py::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_value = Py::of(item);
                    if let Err(e) = validate(item_ty, &item_value, pyd) {
                        return Err(in_item(ty, item_ty, i, e));
                    }
                }
                Ok(None)
            }
            _ => Err(type_error(ty, value)),
        },
        ValueType::UrlRegexTokenPair => check_token_pair(value).map(|_| None),
    }
}

/// An error inside a list, reworded to say which item.
fn in_item(list_ty: &ValueType, item_ty: &ValueType, index: usize, inner: Invalid) -> Invalid {
    let item_no = index + 1;
    match inner {
        Invalid::Type { expected, found } if expected == item_ty.describe() => Invalid::Type {
            expected: list_ty.describe(),
            found: format!("a list whose item {item_no} is {found}"),
        },
        Invalid::Type { expected, found } => Invalid::Type {
            expected,
            found: format!("{found} in item {item_no}"),
        },
        other => other,
    }
}

/// bool ← bool; int 0/1; float 0.0/1.0; str '0'/'1' exactly, or (any case) f/n/no/off/false
/// and t/y/on/yes/true (conversion table rows bool←int/float/str; pydantic-core
/// `str_as_bool`, which does not trim spaces).
fn to_bool(value: &Py) -> Option<bool> {
    match value {
        Py::Bool(b) => Some(*b),
        Py::Int(0) => Some(false),
        Py::Int(1) => Some(true),
        Py::Float(f) if *f == 0.0 => Some(false),
        Py::Float(f) if *f == 1.0 => Some(true),
        Py::Str(s) => {
            let lower = s.to_ascii_lowercase();
            match lower.as_str() {
                "0" | "f" | "n" | "no" | "off" | "false" => Some(false),
                "1" | "t" | "y" | "on" | "yes" | "true" => Some(true),
                _ => None,
            }
        }
        _ => None,
    }
}

/// int ← int; bool (lax: True is 1 — the conversion table lists int←bool as valid outside strict
/// mode); float only when whole and finite ("Input should be a valid integer, got a number with
/// a fractional part"); str per pydantic-core `str_as_int`: surrounding spaces, one sign,
/// leading zeros, a `.000` tail and single underscores between digits are allowed; `1e3` and
/// `2.5` are not. Err(Some(found)) gives a more precise "found" than the value's description.
fn to_int(value: &Py, pyd: Pydantic) -> Result<f64, Option<String>> {
    match value {
        Py::Int(i) => Ok(*i as f64),
        Py::BigInt(t) => Ok(t.parse::<f64>().unwrap_or(f64::INFINITY)),
        Py::Bool(b) => Ok(f64::from(u8::from(*b))),
        Py::Float(f) if !f.is_finite() => {
            Err(Some(format!("the number {} (not finite)", fmt_float(*f))))
        }
        Py::Float(f) if f.fract() != 0.0 => Err(Some(format!(
            "the number {} (a number with a fractional part)",
            fmt_float(*f)
        ))),
        Py::Float(f) => Ok(*f),
        Py::Str(s) if !pyd.strips_number_strings() && s.trim() != *s => Err(None),
        Py::Str(s) => str_as_int(s).ok_or(None),
        _ => Err(None),
    }
}

fn str_as_int(s: &str) -> Option<f64> {
    let mut t = s.trim();
    let negative = if let Some(rest) = t.strip_prefix('-') {
        t = rest;
        true
    } else {
        if let Some(rest) = t.strip_prefix('+') {
            t = rest;
        }
        false
    };
    // `12.000` is a whole number written as a decimal; pydantic strips the zeros.
    if let Some((whole, frac)) = t.split_once('.') {
        if frac.is_empty() || !frac.chars().all(|c| c == '0') {
            return None;
        }
        t = whole;
    }
    let digits = strip_underscores(t)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude: f64 = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// `1_000` → `1000`; underscores only between digits, as in Python literals.
fn strip_underscores(t: &str) -> Option<Cow<'_, str>> {
    if !t.contains('_') {
        return Some(Cow::Borrowed(t));
    }
    if t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    Some(Cow::Owned(t.replace('_', "")))
}

/// float ← float; int; bool (lax, as 1.0/0.0 per the conversion table); str per pydantic-core
/// `str_as_float`: trimmed, then any float Rust's parser reads — `1e3`, `.5`, `inf`, `nan` —
/// with single underscores between digits allowed. `max_cache_ram_gb: 1e3` is such a string,
/// because PyYAML 1.1 wants a dot in a float.
fn to_float(value: &Py, pyd: Pydantic) -> Option<f64> {
    match value {
        Py::Float(f) => Some(*f),
        Py::Int(i) => Some(*i as f64),
        Py::BigInt(t) => t.parse::<f64>().ok().filter(|f| f.is_finite()),
        Py::Bool(b) => Some(f64::from(u8::from(*b))),
        Py::Str(s) if !pyd.strips_number_strings() && s.trim() != *s => None,
        Py::Str(s) => {
            let t = s.trim();
            t.parse::<f64>().ok().or_else(|| {
                strip_underscores(t)
                    .filter(|c| matches!(c, Cow::Owned(_)))
                    .and_then(|c| c.parse::<f64>().ok())
            })
        }
        _ => None,
    }
}

/// Literal[...] as pydantic-core's `LiteralLookup` matches Python input: an int choice
/// matches only an exact int (not a bool, not 4.0, not the string '4'); a str choice matches
/// only a str. So `attention_slice_size: '4'` is an error while `4` is fine.
fn literal_matches(choices: &[serde_json::Value], value: &Py, pyd: Pydantic) -> bool {
    use serde_json::Value as J;
    let loose = pyd.literal_matches_equal_numbers();
    choices.iter().any(|c| match (c, value) {
        (J::String(want), Py::Str(got)) => want == got,
        (J::Number(n), Py::Int(got)) => n.as_i64().is_some_and(|w| i128::from(w) == *got),
        // From pydantic 2.11 (and in pydantic 1) an int choice matches any equal number:
        // `True` is 1, `4.0` is 4.
        (J::Number(n), Py::Bool(got)) if loose => n.as_i64() == Some(i64::from(*got)),
        (J::Number(n), Py::Float(got)) if loose => n.as_f64() == Some(*got),
        (J::Bool(want), Py::Bool(got)) => want == got,
        (J::Null, Py::None) => true,
        _ => false,
    })
}

/// One `remote_api_tokens` entry: a mapping (a pydantic model) with str `url_regex` and
/// `token`; extra fields are ignored (BaseModel default). InvokeAI compiles `url_regex` with
/// Python's `re`; [`crate::python_re`] models its grammar.
fn check_token_pair(value: &Py) -> Result<(), Invalid> {
    let expected = ValueType::UrlRegexTokenPair.describe();
    let Py::Map(node) = value else {
        return Err(Invalid::Type {
            expected,
            found: value.describe(),
        });
    };
    let mut url_regex = None;
    for field in ["url_regex", "token"] {
        let Some(entry) = node.get(field) else {
            return Err(Invalid::Type {
                expected,
                found: format!("a mapping without {field}"),
            });
        };
        match Py::of(&entry.value) {
            Py::Str(s) => {
                if field == "url_regex" {
                    url_regex = Some(s);
                }
            }
            Py::Alias => {}
            other => {
                return Err(Invalid::Type {
                    expected,
                    found: format!("a mapping whose {field} is {}", other.describe()),
                })
            }
        }
    }
    if let Some(re) = url_regex {
        if let Some(why) = crate::python_re::compile_error(re) {
            return Err(Invalid::Type {
                expected: "a valid regular expression in url_regex".into(),
                found: format!("'{re}' ({why})"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
