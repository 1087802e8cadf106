//! Groups: `(…)`, the `(?…)` extensions (named groups, look-arounds, conditionals, atomic
//! groups, comments), inline flags, and the group names they carry.

use super::{Parser, Width};

impl Parser<'_> {
    /// After `(`: a group, an extension, or flags.
    pub(super) fn group(&mut self, depth: usize) -> Result<Width, String> {
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
                        let name =
                            self.identifier_until('>', "missing >, unterminated name", at + 2)?;
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
                        let name =
                            self.identifier_until(')', "missing ), unterminated name", at + 2)?;
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

    /// A group name up to `end` that must be an identifier (`(?P<name>…)`, `(?P=name)`);
    /// `at` is the position Python reports a bad one at.
    fn identifier_until(&mut self, end: char, missing: &str, at: usize) -> Result<String, String> {
        let name = self.name_until(end, missing)?;
        if !is_identifier(&name) {
            return self.err(format!("bad character in group name '{name}'"), at);
        }
        Ok(name)
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
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}
