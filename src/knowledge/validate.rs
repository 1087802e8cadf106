//! Judge a YAML value as pydantic's lax mode would for a setting's type.

use crate::knowledge::{KeyRevision, ValueType};
use crate::yaml::Node;

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

/// Check `node` against the revision of a key; Ok when InvokeAI would accept it.
pub fn check(_rev: &KeyRevision, _node: &Node) -> Result<(), Invalid> {
    todo!()
}

/// The value pydantic would end up with, as a float, when the type is numeric and the value valid
/// (`'4'` → 4.0, `1e3` → 1000.0, `yes` → 1.0 for bool is not numeric: None).
pub fn as_number(_ty: &ValueType, _node: &Node) -> Option<f64> {
    todo!()
}
