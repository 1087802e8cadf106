use super::Parsed;

/// Parse YAML text into located documents. Never panics; a syntax error ends the
/// parse and is reported in `Parsed::error` next to the documents read before it.
pub fn parse(_text: &str) -> Parsed {
    todo!()
}
