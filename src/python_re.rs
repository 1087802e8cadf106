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

    /// After `(`: a group, an extension, or flags.
    fn group(&mut self, depth: usize) -> Result<Width, String> {
        let open_at = self.i - 1;
        if self.peek() != Some('?') {
            self.groups += 1;
            let n = self.groups;
            self.open.push(n);
            let w = self.alternation(depth + 1)?;
            return self.close(open_at, Some(n), w);
        }
        self.i += 1;
        let at = self.i;
        match self.peek() {
            Some(':') | Some('>') => {
                self.i += 1;
                let w = self.alternation(depth + 1)?;
                self.close(open_at, None, w)
            }
            Some('#') => {
                while let Some(c) = self.peek() {
                    self.i += 1;
                    if c == ')' {
                        return Ok((0, Some(0)));
                    }
                }
                self.err("missing ), unterminated comment", at - 1)
            }
            Some('=') | Some('!') => {
                self.i += 1;
                self.alternation(depth + 1)?;
                self.close(open_at, None, (0, Some(0)))
            }
            Some('<') if matches!(self.s.get(at + 1), Some('=') | Some('!')) => {
                self.i += 2;
                let w = self.alternation(depth + 1)?;
                if w.1 != Some(w.0) {
                    return Err("look-behind requires fixed-width pattern".into());
                }
                self.close(open_at, None, (0, Some(0)))
            }
            Some('P') => {
                self.i += 1;
                match self.peek() {
                    Some('<') => {
                        self.i += 1;
                        let name = self.name_until('>', "missing >, unterminated name")?;
                        if !is_identifier(&name) {
                            return self
                                .err(format!("bad character in group name '{name}'"), at + 2);
                        }
                        if self.names.iter().any(|(n, _)| *n == name) {
                            return self.err(
                                format!(
                                    "redefinition of group name '{name}' as group {}; was group {}",
                                    self.groups + 1,
                                    self.names
                                        .iter()
                                        .find(|(n, _)| *n == name)
                                        .map_or(0, |x| x.1)
                                ),
                                at + 2,
                            );
                        }
                        self.groups += 1;
                        let n = self.groups;
                        self.names.push((name, n));
                        self.open.push(n);
                        let w = self.alternation(depth + 1)?;
                        self.close(open_at, Some(n), w)
                    }
                    Some('=') => {
                        self.i += 1;
                        let name = self.name_until(')', "missing ), unterminated name")?;
                        if !is_identifier(&name) {
                            return self
                                .err(format!("bad character in group name '{name}'"), at + 2);
                        }
                        match self.names.iter().find(|(n, _)| *n == name) {
                            None => self.err(format!("unknown group name '{name}'"), at + 2),
                            Some((_, g)) if self.open.contains(g) => {
                                self.err("cannot refer to an open group", at - 1)
                            }
                            Some(_) => Ok((0, None)),
                        }
                    }
                    Some(c) => self.err(format!("unknown extension ?P{c}"), at - 1),
                    None => self.err("unexpected end of pattern", self.i),
                }
            }
            Some('(') => {
                // Conditional: (?(id/name)yes|no)
                self.i += 1;
                let name = self.name_until(')', "missing ), unterminated name")?;
                let known = match name.parse::<usize>() {
                    Ok(n) => n >= 1 && n <= self.groups,
                    Err(_) => {
                        if !is_identifier(&name) {
                            return self
                                .err(format!("bad character in group name '{name}'"), at + 1);
                        }
                        self.names.iter().any(|(n, _)| *n == name)
                    }
                };
                if !known {
                    return if name.parse::<usize>().is_ok() {
                        self.err(format!("invalid group reference {name}"), at + 1)
                    } else {
                        self.err(format!("unknown group name '{name}'"), at + 1)
                    };
                }
                let yes = self.sequence(depth + 1)?;
                let mut w = yes;
                if self.peek() == Some('|') {
                    self.i += 1;
                    let no = self.sequence(depth + 1)?;
                    if self.peek() == Some('|') {
                        return self.err("conditional backref with more than two branches", self.i);
                    }
                    w = (yes.0.min(no.0), if yes == no { yes.1 } else { None });
                }
                self.close(open_at, None, w)
            }
            Some(c) if "aiLmsux-".contains(c) => self.flags(open_at, depth),
            Some(c) => self.err(format!("unknown extension ?{c}"), at - 1),
            None => self.err("unexpected end of pattern", self.i),
        }
    }

    /// `(?aiLmsux)` (global, only at the very start) or `(?aiLmsux-imsx:…)` (scoped).
    fn flags(&mut self, open_at: usize, depth: usize) -> Result<Width, String> {
        let mut on = String::new();
        while let Some(c) = self.peek().filter(|c| "aiLmsux".contains(*c)) {
            on.push(c);
            self.i += 1;
        }
        if on.contains('L') {
            return self.err(
                "bad inline flags: cannot use 'L' flag with a str pattern",
                self.i,
            );
        }
        if on.contains('a') && on.contains('u') {
            return self.err(
                "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                self.i,
            );
        }
        let mut off = false;
        if self.peek() == Some('-') {
            off = true;
            self.i += 1;
            let from = self.i;
            while self.peek().is_some_and(|c| "imsx".contains(c)) {
                self.i += 1;
            }
            if self.i == from {
                return match self.peek() {
                    Some(c) if c.is_ascii_alphabetic() => self.err("unknown flag", self.i),
                    _ => self.err("missing flag", self.i),
                };
            }
        }
        match self.peek() {
            Some(')') if !off => {
                self.i += 1;
                if open_at != 0 {
                    return self.err("global flags not at the start of the expression", open_at);
                }
                Ok((0, Some(0)))
            }
            Some(':') => {
                self.i += 1;
                let w = self.alternation(depth + 1)?;
                self.close(open_at, None, w)
            }
            Some(c) if c.is_ascii_alphabetic() => self.err("unknown flag", self.i),
            Some(_) if off => self.err("missing :", self.i),
            Some(_) => self.err("missing -, : or )", self.i),
            None => self.err(
                if off {
                    "missing :"
                } else {
                    "missing -, : or )"
                },
                self.i,
            ),
        }
    }

    fn close(&mut self, open_at: usize, group: Option<usize>, w: Width) -> Result<Width, String> {
        if self.peek() != Some(')') {
            return self.err("missing ), unterminated subpattern", open_at);
        }
        self.i += 1;
        if let Some(n) = group {
            self.open.retain(|&g| g != n);
        }
        Ok(w)
    }

    fn name_until(&mut self, end: char, missing: &str) -> Result<String, String> {
        let from = self.i;
        let mut name = String::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == end {
                if name.is_empty() {
                    return self.err("missing group name", from);
                }
                return Ok(name);
            }
            name.push(c);
        }
        self.err(missing, from)
    }

    /// `\…` outside a class.
    fn escape(&mut self) -> Result<Width, String> {
        let at = self.i;
        self.i += 1;
        let Some(c) = self.peek() else {
            return self.err("bad escape (end of pattern)", at);
        };
        self.i += 1;
        match c {
            'A' | 'Z' | 'b' | 'B' => Ok((0, Some(0))),
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => Ok((1, Some(1))),
            '1'..='9' => {
                // Octal when three octal digits; otherwise a group number of up to two digits.
                let mut digits = c.to_string();
                if let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    digits.push(d);
                    self.i += 1;
                    if let Some(e) = self.peek().filter(|x| ('0'..='7').contains(x)) {
                        if ('0'..='7').contains(&c) && ('0'..='7').contains(&d) {
                            self.i += 1;
                            let v = u32::from_str_radix(&format!("{digits}{e}"), 8).unwrap_or(0);
                            if v > 0o377 {
                                return self.err(
                                    format!(
                                        "octal escape value \\{digits}{e} outside of range 0-0o377"
                                    ),
                                    at,
                                );
                            }
                            return Ok((1, Some(1)));
                        }
                    }
                }
                let n: usize = digits.parse().unwrap_or(0);
                if n > self.groups || self.open.contains(&n) {
                    if self.open.contains(&n) {
                        return self.err("cannot refer to an open group", at);
                    }
                    return self.err(format!("invalid group reference {n}"), at + 1);
                }
                Ok((0, None))
            }
            _ => self.common_escape(c, at).map(|_| (1, Some(1))),
        }
    }

    /// Escapes valid both in and out of a class (after the backslash and `c`).
    fn common_escape(&mut self, c: char, at: usize) -> Result<(), String> {
        match c {
            'a' | 'f' | 'n' | 'r' | 't' | 'v' | '\\' => Ok(()),
            '0' => {
                for _ in 0..2 {
                    if self.peek().is_some_and(|x| ('0'..='7').contains(&x)) {
                        self.i += 1;
                    }
                }
                Ok(())
            }
            'x' => self.hex(2, "\\x", at),
            'u' => self.hex(4, "\\u", at),
            'U' => self.hex(8, "\\U", at),
            'N' => {
                if self.peek() != Some('{') {
                    return self.err("missing {", self.i);
                }
                self.i += 1;
                let from = self.i;
                while let Some(x) = self.peek() {
                    self.i += 1;
                    if x == '}' {
                        if self.i - 1 == from {
                            return self.err("missing character name", from);
                        }
                        return Ok(());
                    }
                }
                self.err("missing }, unterminated name", from)
            }
            c if c.is_ascii_alphanumeric() => self.err(format!("bad escape \\{c}"), at),
            _ => Ok(()),
        }
    }

    fn hex(&mut self, n: usize, what: &str, at: usize) -> Result<(), String> {
        let mut digits = String::new();
        for _ in 0..n {
            match self.peek().filter(char::is_ascii_hexdigit) {
                Some(d) => {
                    digits.push(d);
                    self.i += 1;
                }
                None => return self.err(format!("incomplete escape {what}{digits}"), at),
            }
        }
        if what == "\\U"
            && u32::from_str_radix(&digits, 16)
                .map_or(true, |v| char::from_u32(v).is_none() && v > 0x10FFFF)
        {
            return self.err(format!("bad escape {what}{digits}"), at);
        }
        Ok(())
    }

    /// After `[`: a character class up to its `]`.
    fn class(&mut self, open: usize) -> Result<(), String> {
        if self.peek() == Some('^') {
            self.i += 1;
        }
        let first = self.i;
        loop {
            let Some(c) = self.peek() else {
                return self.err("unterminated character set", open);
            };
            let at = self.i;
            if c == ']' && at != first {
                self.i += 1;
                return Ok(());
            }
            self.i += 1;
            let this: Option<u32> = if c == '\\' {
                let Some(e) = self.peek() else {
                    return self.err("unterminated character set", open);
                };
                self.i += 1;
                match e {
                    'd' | 'D' | 's' | 'S' | 'w' | 'W' => None,
                    'b' => Some(8),
                    '1'..='7' => {
                        // Octal only: at most three digits, at most 0o377.
                        let mut v = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            if let Some(d) = self.peek().and_then(|x| x.to_digit(8)) {
                                v = v * 8 + d;
                                self.i += 1;
                            }
                        }
                        if v > 0o377 {
                            let text: String = self.s[at..self.i].iter().collect();
                            return self.err(
                                format!("octal escape value {text} outside of range 0-0o377"),
                                at,
                            );
                        }
                        Some(v)
                    }
                    '8' | '9' => return self.err(format!("bad escape \\{e}"), at),
                    'A' | 'Z' | 'B' => return self.err(format!("bad escape \\{e}"), at),
                    _ => {
                        self.common_escape(e, at)?;
                        Some(class_char_value(&self.s[at..self.i]))
                    }
                }
            } else {
                Some(c as u32)
            };
            // A range `x-y`: not when `-` is last (`[a-]`).
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&n| n != ']') {
                self.i += 1;
                let lo = this;
                let hi_start = self.i;
                let hc = self.s[self.i];
                self.i += 1;
                let hi = if hc == '\\' {
                    let Some(e) = self.peek() else {
                        return self.err("unterminated character set", open);
                    };
                    self.i += 1;
                    match e {
                        'd' | 'D' | 's' | 'S' | 'w' | 'W' => None,
                        'b' => Some(8),
                        'A' | 'Z' | 'B' | '8' | '9' => {
                            return self.err(format!("bad escape \\{e}"), hi_start)
                        }
                        _ => {
                            self.common_escape(e, hi_start)?;
                            Some(class_char_value(&self.s[hi_start..self.i]))
                        }
                    }
                } else {
                    Some(hc as u32)
                };
                let text: String = self.s[at..self.i].iter().collect();
                match (lo, hi) {
                    (Some(a), Some(b)) if b < a => {
                        return self.err(format!("bad character range {text}"), at)
                    }
                    (None, _) | (_, None) => {
                        return self.err(format!("bad character range {text}"), at)
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The code point of an escape inside a class (`\x41`, `\n`), for range checks.
fn class_char_value(esc: &[char]) -> u32 {
    let s: String = esc.iter().collect();
    let body = &s[1..];
    match body.chars().next() {
        Some('x') | Some('u') | Some('U') => u32::from_str_radix(&body[1..], 16).unwrap_or(0),
        Some('n') => 10,
        Some('t') => 9,
        Some('r') => 13,
        Some('f') => 12,
        Some('v') => 11,
        Some('a') => 7,
        Some('0') => u32::from_str_radix(body, 8).unwrap_or(0),
        Some(c) => c as u32,
        None => 0,
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests;
