//! Value types of InvokeAI settings, parsed from the annotation text (`Optional[float]`, `Literal[...]`).

use std::cmp::Ordering;

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum ValueType {
    Bool,
    Int,
    Float,
    Str,
    Path,
    Optional(Box<ValueType>),
    List(Box<ValueType>),
    Literal(Vec<Value>),
    Union(Vec<ValueType>),
    /// `URLRegexTokenPair`: a mapping with `url_regex` and `token`.
    UrlRegexTokenPair,
    /// Anything the table writes that this project does not model; accepted as is.
    Any(String),
}

/// pydantic numeric constraints.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub gt: Option<f64>,
    pub ge: Option<f64>,
    pub lt: Option<f64>,
    pub le: Option<f64>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self.gt.is_none() && self.ge.is_none() && self.lt.is_none() && self.le.is_none()
    }

    /// The first bound `x` breaks, as pydantic words it ("greater than 0"); None when `x` is in range.
    /// A bound holds only when the comparison is true, so NaN fails every bound, as in pydantic.
    pub fn violated_by(&self, x: f64) -> Option<String> {
        let holds = |b: f64, ok: &[Ordering]| x.partial_cmp(&b).is_some_and(|o| ok.contains(&o));
        let checks = [
            (self.gt, &[Ordering::Greater][..], "greater than"),
            (
                self.ge,
                &[Ordering::Greater, Ordering::Equal][..],
                "greater than or equal to",
            ),
            (self.lt, &[Ordering::Less][..], "less than"),
            (
                self.le,
                &[Ordering::Less, Ordering::Equal][..],
                "less than or equal to",
            ),
        ];
        checks.into_iter().find_map(|(bound, ok, words)| {
            let b = bound?;
            (!holds(b, ok)).then(|| format!("{words} {}", fmt_number(b)))
        })
    }

    /// Short form for tables and explain pages: `> 0`, `>= 0, <= 9`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (op, b) in [
            (">", self.gt),
            (">=", self.ge),
            ("<", self.lt),
            ("<=", self.le),
        ] {
            if let Some(b) = b {
                parts.push(format!("{op} {}", fmt_number(b)));
            }
        }
        parts.join(", ")
    }
}

/// `0` rather than `0.0` for whole numbers; messages read like the fact base.
pub fn fmt_number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A Literal choice the way pydantic prints it in "Input should be 'auto', 'cpu' or 1":
/// strings quoted, numbers bare.
pub fn choice_repr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

impl ValueType {
    /// Parse an annotation as the fact base writes it. Unknown names become [`ValueType::Any`]
    /// (accepted without checks) rather than an error: a new type in the table must not make
    /// the linter reject valid files.
    pub fn parse(text: &str) -> ValueType {
        let t = text.trim();
        match t {
            "bool" => return ValueType::Bool,
            "int" => return ValueType::Int,
            "float" => return ValueType::Float,
            "str" => return ValueType::Str,
            "Path" => return ValueType::Path,
            "URLRegexTokenPair" => return ValueType::UrlRegexTokenPair,
            _ => {}
        }
        let Some((head, args)) = generic(t) else {
            return ValueType::Any(t.to_string());
        };
        let parts = split_top_level(args);
        match head {
            "Optional" if parts.len() == 1 => {
                ValueType::Optional(Box::new(ValueType::parse(parts[0])))
            }
            "list" | "List" if parts.len() == 1 => {
                ValueType::List(Box::new(ValueType::parse(parts[0])))
            }
            "Union" => {
                // `Union[X, None]` is how typing spells Optional[X].
                let has_none = parts.contains(&"None");
                let mut members: Vec<ValueType> = parts
                    .iter()
                    .filter(|p| **p != "None")
                    .map(|p| ValueType::parse(p))
                    .collect();
                let inner = match members.len() {
                    0 => return ValueType::Any(t.to_string()),
                    1 => members.remove(0),
                    _ => ValueType::Union(members),
                };
                if has_none {
                    ValueType::Optional(Box::new(inner))
                } else {
                    inner
                }
            }
            "Literal" if !parts.is_empty() => {
                let mut values = Vec::with_capacity(parts.len());
                for p in parts {
                    match literal_value(p) {
                        Some(v) => values.push(v),
                        None => return ValueType::Any(t.to_string()),
                    }
                }
                ValueType::Literal(values)
            }
            _ => ValueType::Any(t.to_string()),
        }
    }

    /// The choices when the type is (or wraps, through Optional) a Literal.
    pub fn choices(&self) -> Option<&[Value]> {
        match self {
            ValueType::Literal(v) => Some(v),
            ValueType::Optional(inner) => inner.choices(),
            _ => None,
        }
    }

    /// Whether pydantic would turn a valid value into a number (int or float somewhere in it).
    pub fn is_numeric(&self) -> bool {
        match self {
            ValueType::Int | ValueType::Float => true,
            ValueType::Optional(inner) => inner.is_numeric(),
            ValueType::Union(members) => members.iter().any(ValueType::is_numeric),
            _ => false,
        }
    }

    /// A phrase for messages: "a number", "true or false", "one of 'auto', 'cpu'".
    pub fn describe(&self) -> String {
        match self {
            ValueType::Bool => "true or false".into(),
            ValueType::Int => "a whole number".into(),
            ValueType::Float => "a number".into(),
            ValueType::Str => "a string".into(),
            ValueType::Path => "a path".into(),
            ValueType::Optional(inner) => format!("{} or null (empty)", inner.describe()),
            ValueType::List(inner) => format!("a list of {}", inner.describe_plural()),
            ValueType::Literal(values) => match values.as_slice() {
                [only] => choice_repr(only),
                _ => format!(
                    "one of {}",
                    values
                        .iter()
                        .map(choice_repr)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            ValueType::Union(members) => {
                let parts: Vec<String> = members.iter().map(ValueType::describe).collect();
                parts.join(" or ")
            }
            ValueType::UrlRegexTokenPair => "a mapping with url_regex and token".into(),
            ValueType::Any(text) => format!("a value of type {text}"),
        }
    }

    fn describe_plural(&self) -> String {
        match self {
            ValueType::Bool => "true/false values".into(),
            ValueType::Int => "whole numbers".into(),
            ValueType::Float => "numbers".into(),
            ValueType::Str => "strings".into(),
            ValueType::Path => "paths".into(),
            ValueType::UrlRegexTokenPair => "mappings with url_regex and token".into(),
            other => format!("items that are each {}", other.describe()),
        }
    }
}

/// `Head[args]` → (Head, args) when the brackets close at the very end.
fn generic(t: &str) -> Option<(&str, &str)> {
    let open = t.find('[')?;
    let inner = t.strip_suffix(']')?.get(open + 1..)?;
    let head = t.get(..open)?.trim();
    if head.is_empty()
        || !head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return None;
    }
    // `typing.Optional` and `Optional` are the same thing.
    let head = head.rsplit('.').next().unwrap_or(head);
    Some((head, inner))
}

/// Split `a, Literal["x", "y"], list[str]` at the commas that are not inside brackets or quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = s[start..].trim();
    if !last.is_empty() || !parts.is_empty() {
        parts.push(last);
    }
    parts
}

/// One Literal member: a quoted string, an integer, a float, True/False/None.
fn literal_value(p: &str) -> Option<Value> {
    let p = p.trim();
    for q in ['"', '\''] {
        if let Some(body) = p.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            if p.len() >= 2 {
                return Some(Value::String(unescape(body)));
            }
        }
    }
    match p {
        "True" => return Some(Value::Bool(true)),
        "False" => return Some(Value::Bool(false)),
        "None" => return Some(Value::Null),
        _ => {}
    }
    if let Ok(i) = p.parse::<i64>() {
        return Some(Value::from(i));
    }
    p.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
}

fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}
