//! Python's `re` syntax, as far as `re.compile` rejects a pattern: InvokeAI compiles every
//! `remote_api_tokens[].url_regex` at start-up and refuses the whole config when one fails
//! (`URLRegexTokenPair.validate_url_regex`, `config_default.py@v4.0.0` … `@v6.13.8`).
//!
//! A model of `sre_parse` (CPython 3.11, the `re._parser` module): escapes, groups and their
//! extensions, back-references, character classes and ranges, repeats, global flags, and
//! fixed-width look-behind. It answers "would this raise `re.error`, and why" with Python's own
//! wording; it does not match anything. Differences from Python 3.10: possessive repeats
//! (`a*+`) and atomic groups (`(?>…)`) are accepted, and global flags after the start are an
//! error (3.10 only warned).

/// Python's error message for `pattern`, or None when `re.compile` accepts it.
pub fn compile_error(pattern: &str) -> Option<String> {
    // The parser recurses per nested group, up to MAX_NESTING deep; a pattern that could
    // nest that deep is parsed on a thread whose stack surely holds it (a few KB a level
    // in a debug build), the rest on the caller's.
    if pattern.bytes().filter(|&b| b == b'(').count() > SHALLOW {
        return std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(DEEP_STACK)
                .spawn_scoped(scope, || parse(pattern))
                .ok()
                .and_then(|t| t.join().ok())
                .unwrap_or_else(|| Some("the pattern could not be checked".into()))
        });
    }
    parse(pattern)
}

/// Patterns with at most this many `(` are parsed on the caller's stack.
const SHALLOW: usize = 64;
/// The stack for deeper ones: MAX_NESTING levels with room to spare.
const DEEP_STACK: usize = 64 * 1024 * 1024;

fn parse(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut p = Parser {
        s: &chars,
        i: 0,
        groups: 0,
        open: Vec::new(),
        names: Vec::new(),
    };
    match p.alternation(0) {
        Err(e) => Some(e),
        Ok(_) if p.i < chars.len() => Some(format!("unbalanced parenthesis at position {}", p.i)),
        Ok(_) => None,
    }
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
    /// Groups opened so far (numbered as Python numbers them).
    groups: usize,
    /// Groups still open (a back-reference to one is an error).
    open: Vec<usize>,
    names: Vec<(String, usize)>,
}

/// Nested groups Python's `re` parses before its recursion limit: CPython 3.11 compiles
/// 495 nested groups and raises `RecursionError` at 496 from a shallow stack; InvokeAI
/// calls it from a few dozen frames deep (pydantic, settings loading), so the limit is
/// put a little lower. Between 481 and 495 the verdict depends on that depth.
const MAX_NESTING: usize = 480;

/// The width of what was parsed: fixed (min == max) or not; None for unbounded.
type Width = (usize, Option<usize>);

fn add(a: Width, b: Width) -> Width {
    (a.0 + b.0, a.1.zip(b.1).map(|(x, y)| x + y))
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn err<T>(&self, msg: impl Into<String>, at: usize) -> Result<T, String> {
        Err(format!("{} at position {at}", msg.into()))
    }

    /// Branches separated by `|`, up to a `)` or the end; depth > 0 inside a group.
    fn alternation(&mut self, depth: usize) -> Result<Width, String> {
        let mut width: Option<Width> = None;
        loop {
            let w = self.sequence(depth)?;
            width = Some(match width {
                None => w,
                Some(acc) => (
                    acc.0.min(w.0),
                    match (acc.1, w.1) {
                        (Some(a), Some(b)) if a == b && acc.0 == a && w.0 == b => Some(a),
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    },
                ),
            });
            // Branches of different widths are not fixed-width: mark min != max.
            if let Some((lo, Some(hi))) = width {
                if lo != hi {
                    width = Some((lo, Some(hi.max(lo + 1))));
                }
            }
            if self.peek() == Some('|') {
                self.i += 1;
                continue;
            }
            return Ok(width.unwrap_or((0, Some(0))));
        }
    }

    fn sequence(&mut self, depth: usize) -> Result<Width, String> {
        if depth > MAX_NESTING {
            // Python's parser recurses twice per nested group and stops at its recursion
            // limit (1000 frames): not an `re.error`, so InvokeAI's validator does not
            // turn it into a message, and start-up fails with the traceback. (It also
            // keeps this parser's own recursion, and so its stack, bounded.)
            return Err(format!(
                "maximum recursion depth exceeded (RecursionError: more than {MAX_NESTING} nested groups)"
            ));
        }
        let mut width: Width = (0, Some(0));
        // Can the last item take a repeat? (Nothing yet, or a repeat already, cannot.)
        let mut last: Option<(Width, bool)> = None;
        while let Some(c) = self.peek() {
            let at = self.i;
            match c {
                '|' => break,
                ')' => {
                    if depth == 0 {
                        return self.err("unbalanced parenthesis", at);
                    }
                    break;
                }
                '*' | '+' | '?' | '{' => {
                    let Some(rep) = self.repeat()? else {
                        // A `{` that is not a repeat is a literal.
                        self.i = at + 1;
                        width = add(width, (1, Some(1)));
                        last = Some(((1, Some(1)), false));
                        continue;
                    };
                    match last {
                        None => return self.err("nothing to repeat", at),
                        Some((_, true)) => return self.err("multiple repeat", at),
                        Some((item, false)) => {
                            // Replace the item's width by the repeated width.
                            let base = (width.0 - item.0, width.1.zip(item.1).map(|(w, x)| w - x));
                            let repeated = (
                                item.0 * rep.0,
                                match (item.1, rep.1) {
                                    (Some(0), _) => Some(0),
                                    (Some(x), Some(n)) => Some(x * n),
                                    _ => None,
                                },
                            );
                            width = add(base, repeated);
                            last = Some((repeated, true));
                        }
                    }
                    // Lazy `?` or (3.11+) possessive `+` after a repeat.
                    if matches!(self.peek(), Some('?') | Some('+')) {
                        self.i += 1;
                    }
                }
                '(' => {
                    self.i += 1;
                    let w = self.group(depth)?;
                    width = add(width, w);
                    let ext = (self.s.get(at + 1) == Some(&'?'))
                        .then(|| self.s.get(at + 2))
                        .flatten();
                    let global_flags = ext.is_some_and(|c| "aiLmsux".contains(*c))
                        && self.s[at + 2..self.i - 1]
                            .iter()
                            .all(|c| "aiLmsux".contains(*c));
                    if ext == Some(&'#') {
                        // A comment is skipped: a repeat after it applies to what came before.
                    } else if global_flags {
                        last = None;
                    } else {
                        last = Some((w, false));
                    }
                }
                '[' => {
                    self.i += 1;
                    self.class(at)?;
                    width = add(width, (1, Some(1)));
                    last = Some(((1, Some(1)), false));
                }
                '\\' => {
                    let w = self.escape()?;
                    width = add(width, w);
                    last = Some((w, false));
                }
                '^' | '$' => {
                    self.i += 1;
                    // Python lets an anchor be repeated (`^*` is "nothing to repeat" though).
                    last = None;
                }
                _ => {
                    self.i += 1;
                    width = add(width, (1, Some(1)));
                    last = Some(((1, Some(1)), false));
                }
            }
        }
        Ok(width)
    }

    /// After `*`, `+`, `?` or `{`: the repeat's (min, max), or None for a literal `{`.
    fn repeat(&mut self) -> Result<Option<Width>, String> {
        let at = self.i;
        let c = self.s[at];
        self.i += 1;
        match c {
            '*' => Ok(Some((0, None))),
            '+' => Ok(Some((1, None))),
            '?' => Ok(Some((0, Some(1)))),
            _ => {
                let mut lo = String::new();
                let mut hi = String::new();
                let mut comma = false;
                while let Some(d) = self.peek() {
                    if d.is_ascii_digit() {
                        if comma {
                            hi.push(d)
                        } else {
                            lo.push(d)
                        }
                    } else if d == ',' && !comma {
                        comma = true;
                    } else {
                        break;
                    }
                    self.i += 1;
                }
                if self.peek() != Some('}') || (lo.is_empty() && !comma) {
                    self.i = at;
                    return Ok(None);
                }
                self.i += 1;
                let min: usize = lo.parse().unwrap_or(0);
                let max: Option<usize> = if comma {
                    if hi.is_empty() {
                        None
                    } else {
                        hi.parse().ok()
                    }
                } else {
                    Some(min)
                };
                if min > 4_294_967_294 || max.is_some_and(|m| m > 4_294_967_294) {
                    return self.err("the repetition number is too large", at + 1);
                }
                if let Some(m) = max {
                    if m < min {
                        return self.err("min repeat greater than max repeat", at + 1);
                    }
                }
                Ok(Some((min, max)))
            }
        }
    }
}

mod escapes;
mod groups;

#[cfg(test)]
mod tests;
