//! Verdicts of CPython 3.11's `re.compile` on each pattern (generated with python3 and
//! kept here as data: the table is the test).

use super::compile_error;

/// (pattern, accepted, Python's message).
const PYTHON: &[(&str, bool, &str)] = &[
    ("huggingface.co", true, ""),
    ("^https://huggingface\\.co/.*$", true, ""),
    ("civitai\\.com", true, ""),
    ("(?i)civitai\\.com", true, ""),
    (".*\\.example\\.(com|org)", true, ""),
    ("a{,3}", true, ""),
    (
        "a{3,2}",
        false,
        "min repeat greater than max repeat at position 2",
    ),
    ("a**", false, "multiple repeat at position 2"),
    ("a*+", true, ""),
    ("a++", true, ""),
    ("a?+", true, ""),
    ("(?i)abc", true, ""),
    (
        "a(?i)b",
        false,
        "global flags not at the start of the expression at position 1",
    ),
    ("\\q", false, "bad escape \\q at position 0"),
    ("[z-a]", false, "bad character range z-a at position 1"),
    ("[a-z]", true, ""),
    ("(?P<n>a)(?P=n)", true, ""),
    (
        "(?P<1a>x)",
        false,
        "bad character in group name '1a' at position 4",
    ),
    ("\\1(a)", false, "invalid group reference 1 at position 1"),
    ("(a)\\1", true, ""),
    ("(a)\\2", false, "invalid group reference 2 at position 4"),
    (
        "(?<=a+)b",
        false,
        "look-behind requires fixed-width pattern",
    ),
    (
        "(?<=ab|c)d",
        false,
        "look-behind requires fixed-width pattern",
    ),
    ("(?<=ab|cd)e", true, ""),
    ("(?<!x)y", true, ""),
    ("(?<=a{2})b", true, ""),
    (
        "(?<=a{1,2})b",
        false,
        "look-behind requires fixed-width pattern",
    ),
    ("\\z", false, "bad escape \\z at position 0"),
    ("\\Z", true, ""),
    ("[\\A]", false, "bad escape \\A at position 1"),
    ("(?x", false, "missing -, : or ) at position 3"),
    ("x{2}{3}", false, "multiple repeat at position 4"),
    ("\\x4", false, "incomplete escape \\x4 at position 0"),
    ("\\x41", true, ""),
    ("\\u12", false, "incomplete escape \\u12 at position 0"),
    ("\\u0041", true, ""),
    ("a{1,2}?", true, ""),
    ("(?#c)a", true, ""),
    (
        "(?(1)a|b)",
        false,
        "invalid group reference 1 at position 3",
    ),
    ("(a)(?(1)a|b)", true, ""),
    ("[]a]", true, ""),
    ("[^]a]", true, ""),
    ("\\N{DIGIT ONE}", true, ""),
    ("\\8", false, "invalid group reference 8 at position 1"),
    ("\\0", true, ""),
    ("{", true, ""),
    ("a{", true, ""),
    ("a{x}", true, ""),
    ("(?<n>x)", false, "unknown extension ?<n at position 1"),
    ("*a", false, "nothing to repeat at position 0"),
    ("+a", false, "nothing to repeat at position 0"),
    ("?a", false, "nothing to repeat at position 0"),
    ("(*a)", false, "nothing to repeat at position 1"),
    ("a|*b", false, "nothing to repeat at position 2"),
    ("(?:a)*", true, ""),
    ("(a)*", true, ""),
    ("(?=a)*", true, ""),
    ("^*", false, "nothing to repeat at position 1"),
    ("$*", false, "nothing to repeat at position 1"),
    ("a)", false, "unbalanced parenthesis at position 1"),
    (
        "(a",
        false,
        "missing ), unterminated subpattern at position 0",
    ),
    (
        "((a)",
        false,
        "missing ), unterminated subpattern at position 0",
    ),
    ("[a", false, "unterminated character set at position 0"),
    ("[", false, "unterminated character set at position 0"),
    ("\\", false, "bad escape (end of pattern) at position 0"),
    ("a\\", false, "bad escape (end of pattern) at position 1"),
    ("[\\d-z]", false, "bad character range \\d-z at position 1"),
    ("[a-\\d]", false, "bad character range a-\\d at position 1"),
    ("[\\w]", true, ""),
    ("a{2,}", true, ""),
    ("a{,}", true, ""),
    ("x{1,2}{3}", false, "multiple repeat at position 6"),
    ("(?i:a)b", true, ""),
    ("(?-i:a)", true, ""),
    ("(?i-s:a)", true, ""),
    ("(?-:a)", false, "missing flag at position 3"),
    ("(?a)", true, ""),
    (
        "(?L)",
        false,
        "bad inline flags: cannot use 'L' flag with a str pattern at position 3",
    ),
    ("(?u)x", true, ""),
    (
        "(?P<a>x)(?P<a>y)",
        false,
        "redefinition of group name 'a' as group 2; was group 1 at position 12",
    ),
    ("(?P=b)", false, "unknown group name 'b' at position 4"),
    (
        "(?P<a>(?P=a))",
        false,
        "cannot refer to an open group at position 10",
    ),
    ("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10", true, ""),
    ("\\11", false, "invalid group reference 11 at position 1"),
    ("\\012", true, ""),
    (
        "\\400",
        false,
        "octal escape value \\400 outside of range 0-0o377 at position 0",
    ),
    (
        "[\\400]",
        false,
        "octal escape value \\400 outside of range 0-0o377 at position 1",
    ),
    ("\\s+\\S*", true, ""),
    ("[\\s\\S]", true, ""),
    ("\\b\\B\\A", true, ""),
    ("[\\b]", true, ""),
    ("\\.", true, ""),
    ("\\-", true, ""),
    ("\\/", true, ""),
    ("https?://(www\\.)?hf\\.co/", true, ""),
    ("(?>ab)", true, ""),
    ("(?P>x)", false, "unknown extension ?P> at position 1"),
    ("(?", false, "unexpected end of pattern at position 2"),
    ("(?)", false, "unknown extension ?) at position 1"),
    ("()", true, ""),
    ("a||b", true, ""),
    ("|", true, ""),
    ("[\\x4]", false, "incomplete escape \\x4 at position 1"),
    ("[\\u00e9-\\u00ff]", true, ""),
    (
        "[z-\\x61]",
        false,
        "bad character range z-\\x at position 3",
    ),
    ("\\U0010FFFF", true, ""),
    ("\\U00110000", false, "bad escape \\U00110000 at position 0"),
    ("(?s).*", true, ""),
    (
        "(?#unterminated",
        false,
        "missing ), unterminated comment at position 0",
    ),
];

#[test]
fn agrees_with_python_on_every_pattern() {
    let mut wrong = Vec::new();
    for (p, ok, msg) in PYTHON {
        let ours = compile_error(p);
        if ours.is_none() != *ok {
            wrong.push(format!(
                "{p:?}: python {} ({msg}), ours {ours:?}",
                if *ok { "accepts" } else { "rejects" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn messages_read_like_pythons() {
    assert_eq!(
        compile_error("a**").as_deref(),
        Some("multiple repeat at position 2")
    );
    assert_eq!(
        compile_error("[z-a]").as_deref(),
        Some("bad character range z-a at position 1")
    );
    assert_eq!(
        compile_error("\\q").as_deref(),
        Some("bad escape \\q at position 0")
    );
}

/// Nesting is bounded as Python's recursion bounds it (found by the python_re fuzz
/// target's replay: 100,000 `(` overflowed this parser's stack).
#[test]
fn deep_nesting_is_pythons_recursion_error_not_a_stack_overflow() {
    let nested = |n: usize, open: &str| format!("{}a{}", open.repeat(n), ")".repeat(n));
    for open in ["(", "(?:", "(?=", "(?<="] {
        assert_eq!(compile_error(&nested(400, open)), None, "{open}");
        let e = compile_error(&nested(600, open)).unwrap_or_default();
        assert!(e.contains("RecursionError"), "{open}: {e}");
    }
    let e = compile_error(&"(".repeat(100_000)).unwrap_or_default();
    assert!(e.contains("RecursionError"), "{e}");
    let e = compile_error(&"(?(1)".repeat(100_000)).unwrap_or_default();
    assert!(
        e.contains("RecursionError") || e.contains("position"),
        "{e}"
    );
}
