//! Escapes (outside a class, and the ones a class shares) and character classes (`[…]`
//! with their ranges), as `sre_parse` reads them.

use super::{Parser, Width};

impl Parser<'_> {
    /// `\…` outside a class.
    pub(super) fn escape(&mut self) -> Result<Width, String> {
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
    pub(super) fn class(&mut self, open: usize) -> Result<(), String> {
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
