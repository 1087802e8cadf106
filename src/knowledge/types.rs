//! Value types of InvokeAI settings, parsed from the annotation text (`Optional[float]`, `Literal[...]`).

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

impl ValueType {
    /// Parse an annotation as the fact base writes it.
    pub fn parse(_text: &str) -> ValueType {
        todo!()
    }
}
