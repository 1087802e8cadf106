//! Judge a value the way InvokeAI 3.x reads it: OmegaConf → argparse → pydantic.
//!
//! 3.x never hands its file to pydantic directly (`config_base.py@v3.3.0`, `@v3.6.2`):
//! 1. OmegaConf loads the YAML with a SafeLoader that keeps dates as strings and reads `1e3` as a
//!    float (omegaconf 2.3 `_utils.get_yaml_loader`).
//! 2. Each field's value becomes the default of an argparse option. argparse converts a *string*
//!    default with the option's `type` (any other value is left alone): `int(s)`, `float(s)`,
//!    `bool(s)` (so any non-empty string is True), `Path(s)`, the Literal's choice type, or
//!    InvokeAI's `int_or_float_or_str` for a Union or Optional field. A conversion that fails
//!    stops InvokeAI with argparse's "invalid … value" (exit code 2). argparse does not check
//!    `choices` for defaults.
//! 3. The result is assigned to the settings object, which validates it (`validate_assignment`,
//!    from 3.0.2) with the pydantic the release ships: pydantic 1 up to 3.3.x, whose lax mode
//!    differs from pydantic 2's (a field declared `Path = Field(default=None)` is Optional; a
//!    number given to a `str` field becomes a string; `int(9090.5)` is 9090; a Literal choice
//!    matches any equal value, so `True` matches 1).

use super::{check_value, Invalid, Py};
use crate::knowledge::pydantic::Pydantic;
use crate::knowledge::{KeyRevision, ValueType};
use crate::yaml::{Node, NodeKind, Resolved, ScalarStyle};

/// Check `node`, the value of a setting read from its own section, as InvokeAI 3.x would.
/// `validates`: the release validates assignments (3.0.2 and later).
pub fn check(
    rev: &KeyRevision,
    node: &Node,
    pyd: Pydantic,
    validates: bool,
) -> Result<(), Invalid> {
    let read = omegaconf_value(node);
    let value = match read {
        Py::Str(s) => argparse(&rev.ty, s, pyd)?,
        other => other,
    };
    if !validates {
        return Ok(());
    }
    if !pyd.is_v1() {
        return check_value(rev, &value, pyd);
    }
    if matches!(value, Py::None) && rev.default.is_null() {
        // pydantic 1 makes a field whose default is None Optional, whatever its annotation.
        return Ok(());
    }
    let number = validate_v1(&rev.ty, &value)?;
    if let Some(x) = number {
        if let Some(bound) = rev.constraints.violated_by(x) {
            return Err(Invalid::Range { bound });
        }
    }
    Ok(())
}

/// What a string value becomes in InvokeAI 3.x when the setting is a bool: argparse's
/// `type=bool` makes any non-empty string True (`'false'` included). None when the setting is
/// not a bool or the value not a string.
pub fn bool_from_string<'a>(rev: &KeyRevision, node: &'a Node) -> Option<(&'a str, bool)> {
    if rev.ty != ValueType::Bool {
        return None;
    }
    match omegaconf_value(node) {
        Py::Str(s) => Some((s, !s.is_empty())),
        _ => None,
    }
}

/// The value as OmegaConf's loader builds it: PyYAML's SafeLoader without the timestamp
/// resolver (dates stay strings) and with a wider float resolver (`1e3`, `1.0e3`).
fn omegaconf_value(node: &Node) -> Py<'_> {
    match &node.kind {
        NodeKind::Scalar(s) if s.resolved == Resolved::Timestamp => Py::Str(&s.value),
        NodeKind::Scalar(s)
            if s.resolved == Resolved::Str
                && s.style == ScalarStyle::Plain
                && node.tag().is_none() =>
        {
            match omegaconf_float(&s.value) {
                Some(f) => Py::Float(f),
                None => Py::Str(&s.value),
            }
        }
        _ => Py::of(node),
    }
}

/// The plain scalars OmegaConf's extra float resolver reads as floats that PyYAML's own does
/// not: an exponent without a dot (`1e3`) or without a sign (`1.5e3`).
fn omegaconf_float(text: &str) -> Option<f64> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = body.split_once(['e', 'E'])?;
    let exp_digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
    if exp_digits.is_empty() || !exp_digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |t: &str| t.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if !whole.as_bytes().first().is_some_and(u8::is_ascii_digit)
        || !digits_ok(whole)
        || !digits_ok(frac)
    {
        return None;
    }
    text.replace('_', "").parse().ok()
}

/// argparse's conversion of a string default with the option's `type`.
fn argparse<'a>(ty: &ValueType, s: &'a str, pyd: Pydantic) -> Result<Py<'a>, Invalid> {
    let fail = |kind: &str| Invalid::Type {
        expected: ty.describe(),
        found: format!("the string '{s}' (argparse: invalid {kind} value)"),
    };
    match ty {
        ValueType::Bool => Ok(Py::Bool(!s.is_empty())),
        ValueType::Int => python_int(s).map(Py::Int).ok_or_else(|| fail("int")),
        ValueType::Float => python_float(s).map(Py::Float).ok_or_else(|| fail("float")),
        ValueType::Optional(_) | ValueType::Union(_) => Ok(int_or_float_or_str(s)),
        ValueType::Literal(choices) => {
            let all_str = choices.iter().all(|c| c.is_string());
            let all_int = choices.iter().all(|c| c.is_i64());
            if all_str {
                Ok(Py::Str(s))
            } else if all_int {
                python_int(s).map(Py::Int).ok_or_else(|| fail("int"))
            } else {
                Ok(int_or_float_or_str(s))
            }
        }
        // pydantic 1: the item type (str) turns the whole string into one str, which the list
        // then rejects; pydantic 2: `List[str](s)` raises and argparse reports it.
        ValueType::List(_) if !pyd.is_v1() => Err(fail("list")),
        _ => Ok(Py::Str(s)),
    }
}

/// InvokeAI 3.x's `int_or_float_or_str` (config_common.py): int, else float, else the string.
fn int_or_float_or_str(s: &str) -> Py<'_> {
    if let Some(i) = python_int(s) {
        Py::Int(i)
    } else if let Some(f) = python_float(s) {
        Py::Float(f)
    } else {
        Py::Str(s)
    }
}

/// Python's `int(s)`: surrounding whitespace, one sign, ASCII digits with single underscores
/// between them.
fn python_int(s: &str) -> Option<i128> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    t.replace('_', "").parse().ok()
}

/// Python's `float(s)`: trimmed; decimal or exponent forms with single underscores between
/// digits; `inf`, `infinity`, `nan` in any case, with a sign.
fn python_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let negative = t.starts_with('-');
    match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => {
            return Some(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'e' | b'E' | b'-' | b'+'))
    {
        return None;
    }
    // Underscores only between digits.
    let bytes = body.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let before = i.checked_sub(1).and_then(|j| bytes.get(j));
            let after = bytes.get(i + 1);
            if !before.is_some_and(u8::is_ascii_digit) || !after.is_some_and(u8::is_ascii_digit) {
                return None;
            }
        }
    }
    t.replace('_', "").parse().ok()
}

/// pydantic 1's lax validators (pydantic/validators.py@v1.10.13).
fn validate_v1(ty: &ValueType, value: &Py) -> Result<Option<f64>, Invalid> {
    let type_error = || Invalid::Type {
        expected: ty.describe(),
        found: value.describe(),
    };
    if let Py::Alias = value {
        return Ok(None);
    }
    match ty {
        ValueType::Any(_) | ValueType::UrlRegexTokenPair => Ok(None),
        ValueType::Optional(inner) => match value {
            Py::None => Ok(None),
            _ => validate_v1(inner, value),
        },
        // bool_validator: True/False, then (lower-cased strings) membership in
        // {0, '0', 'off', 'f', 'false', 'n', 'no'} / {1, '1', 'on', 't', 'true', 'y', 'yes'};
        // 1.0 == 1 in a set, so whole floats 0.0/1.0 count.
        ValueType::Bool => {
            let ok = match value {
                Py::Bool(_) => true,
                Py::Int(i) => *i == 0 || *i == 1,
                Py::Float(f) => *f == 0.0 || *f == 1.0,
                Py::Str(s) => matches!(
                    s.to_lowercase().as_str(),
                    "0" | "off"
                        | "f"
                        | "false"
                        | "n"
                        | "no"
                        | "1"
                        | "on"
                        | "t"
                        | "true"
                        | "y"
                        | "yes"
                ),
                _ => false,
            };
            ok.then_some(None).ok_or_else(type_error)
        }
        // int_validator: `int(v)`, so a float is truncated and a bool is 0/1.
        ValueType::Int => match value {
            Py::Int(i) => Ok(Some(*i as f64)),
            Py::BigInt(t) => Ok(Some(t.parse::<f64>().unwrap_or(f64::INFINITY))),
            Py::Bool(b) => Ok(Some(f64::from(u8::from(*b)))),
            Py::Float(f) if f.is_finite() => Ok(Some(f.trunc())),
            Py::Str(s) => python_int(s).map(|i| Some(i as f64)).ok_or_else(type_error),
            _ => Err(type_error()),
        },
        // float_validator: `float(v)`.
        ValueType::Float => match value {
            Py::Float(f) => Ok(Some(*f)),
            Py::Int(i) => Ok(Some(*i as f64)),
            Py::BigInt(t) => t.parse::<f64>().ok().map(Some).ok_or_else(type_error),
            Py::Bool(b) => Ok(Some(f64::from(u8::from(*b)))),
            Py::Str(s) => python_float(s).map(Some).ok_or_else(type_error),
            _ => Err(type_error()),
        },
        // str_validator: a str, or an int/float/Decimal turned into one (bool is an int).
        ValueType::Str => match value {
            Py::Str(_) | Py::Int(_) | Py::BigInt(_) | Py::Float(_) | Py::Bool(_) => Ok(None),
            _ => Err(type_error()),
        },
        // path_validator: `Path(v)`, which takes only str (or a path).
        ValueType::Path => match value {
            Py::Str(_) => Ok(None),
            _ => Err(type_error()),
        },
        // A dict lookup: equal values match whatever their type (True == 1 == 1.0).
        ValueType::Literal(choices) => {
            use serde_json::Value as J;
            let hit = choices.iter().any(|c| match (c, value) {
                (J::String(want), Py::Str(got)) => want == got,
                (J::Number(n), Py::Int(got)) => n.as_i64().is_some_and(|w| i128::from(w) == *got),
                (J::Number(n), Py::Bool(got)) => n.as_i64() == Some(i64::from(*got)),
                (J::Number(n), Py::Float(got)) => n.as_f64() == Some(*got),
                (J::Bool(want), Py::Bool(got)) => want == got,
                (J::Null, Py::None) => true,
                _ => false,
            });
            if hit {
                Ok(None)
            } else {
                Err(Invalid::Choice {
                    choices: choices
                        .iter()
                        .map(crate::knowledge::types::choice_repr)
                        .collect(),
                })
            }
        }
        // Members tried left to right; the first that accepts wins.
        ValueType::Union(members) => {
            let mut first_err = None;
            for m in members {
                match validate_v1(m, value) {
                    Ok(n) => return Ok(n),
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            match (members.len(), first_err) {
                (1, Some(e)) => Err(e),
                _ => Err(type_error()),
            }
        }
        ValueType::List(item_ty) => match value {
            Py::List(items) => {
                for item in items.iter() {
                    validate_v1(item_ty, &omegaconf_value(item))?;
                }
                Ok(None)
            }
            _ => Err(type_error()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_number_parsing() {
        assert_eq!(python_int(" 9090 "), Some(9090));
        assert_eq!(python_int("1_000"), Some(1000));
        assert_eq!(python_int("1__0"), None);
        assert_eq!(python_int("1.5"), None);
        assert_eq!(python_int("0x10"), None);
        assert_eq!(python_float("1e3"), Some(1000.0));
        assert_eq!(python_float(" .5 "), Some(0.5));
        assert_eq!(python_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(python_float("nan").is_some_and(f64::is_nan));
        assert_eq!(python_float("auto"), None);
        assert_eq!(python_float("1_0.5"), Some(10.5));
        assert_eq!(python_float("_1"), None);
    }

    #[test]
    fn omegaconf_reads_more_floats_than_pyyaml() {
        assert_eq!(omegaconf_float("1e3"), Some(1000.0));
        assert_eq!(omegaconf_float("1.5e3"), Some(1500.0));
        assert_eq!(omegaconf_float("-2E-2"), Some(-0.02));
        assert_eq!(omegaconf_float("e3"), None);
        assert_eq!(omegaconf_float("1e"), None);
        assert_eq!(omegaconf_float("abc"), None);
    }
}
