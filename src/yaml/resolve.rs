//! PyYAML 1.1 implicit resolution of plain scalars (`yaml.SafeLoader`).

#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    /// Integers beyond i128 are kept as their decimal text.
    Int(i128),
    BigInt(String),
    Float(f64),
    /// `2001-12-14`, `2001-12-14 21:59:43.10 -5`: a datetime.date/datetime in Python.
    Timestamp,
    /// `<<` (merge key) or `=` (value key) in key position.
    Special,
    Str,
}

impl Resolved {
    pub fn describe(&self, text: &str) -> String {
        match self {
            Resolved::Null => "null".into(),
            Resolved::Bool(b) => format!("the boolean {b}"),
            Resolved::Int(i) => format!("the integer {i}"),
            Resolved::BigInt(s) => format!("the integer {s}"),
            Resolved::Float(f) => format!("the number {f}"),
            Resolved::Timestamp => format!("the date {text}"),
            Resolved::Special | Resolved::Str => format!("the string '{text}'"),
        }
    }
}

/// Resolve a plain scalar's text as PyYAML's SafeLoader does.
pub fn resolve_plain(_text: &str) -> Resolved {
    todo!()
}
