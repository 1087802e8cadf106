//! PyYAML 1.1 implicit resolution of plain scalars (`yaml.SafeLoader`).
//!
//! PyYAML picks the candidate resolvers by the scalar's first character and tries them in
//! registration order (bool, float, int, merge, null, timestamp, value), each a regex matched
//! against the whole text. The matchers below are those regexes written out by hand; the
//! constructors follow `SafeConstructor` (underscores dropped, `012` octal, base 60).

use super::ScalarStyle;

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
///
/// Where the resolver picks int but Python's `int()` then fails (`0b_`, `0x_`: PyYAML raises a
/// ValueError), the text is reported as `Str`: the value is unusable as a number either way.
pub fn resolve_plain(text: &str) -> Resolved {
    let b = text.as_bytes();
    let Some(&first) = b.first() else {
        return Resolved::Null;
    };
    match first {
        b'~' if text == "~" => Resolved::Null,
        b'n' | b'N' => match text {
            "no" | "No" | "NO" => Resolved::Bool(false),
            "null" | "Null" | "NULL" => Resolved::Null,
            _ => Resolved::Str,
        },
        b'y' | b'Y' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' => match bool_word(text) {
            Some(v) => Resolved::Bool(v),
            None => Resolved::Str,
        },
        b'-' | b'+' | b'.' | b'0'..=b'9' => {
            if is_float(b) {
                construct_float(text)
            } else if first != b'.' && is_int(b) {
                construct_int(text).unwrap_or(Resolved::Str)
            } else if first.is_ascii_digit() && is_timestamp(b) {
                Resolved::Timestamp
            } else {
                Resolved::Str
            }
        }
        b'<' if text == "<<" => Resolved::Special,
        b'=' if text == "=" => Resolved::Special,
        _ => Resolved::Str,
    }
}

/// Resolve a scalar of any style with its explicit tag, if any (`!!int`, `!!str`, ...), written
/// the way `tree` renders tags. Quoted and block scalars without a tag are strings; a plain
/// scalar with the non-specific tag `!` is a string too. Tags PyYAML's SafeLoader has no
/// constructor for (`!foo`, `!!python/object`) leave the value a string: rules look at the tag.
pub fn resolve_scalar(tag: Option<&str>, style: ScalarStyle, text: &str) -> Resolved {
    match tag {
        None if style == ScalarStyle::Plain => resolve_plain(text),
        None => Resolved::Str,
        Some("!!null") => Resolved::Null,
        Some("!!bool") => bool_word(&text.to_lowercase()).map_or(Resolved::Str, Resolved::Bool),
        Some("!!int") if is_int(text.as_bytes()) => construct_int(text).unwrap_or(Resolved::Str),
        Some("!!float") if is_float(text.as_bytes()) => construct_float(text),
        // Python's float() also takes integers and exponents without a dot: `!!float 1e3`.
        Some("!!float") => py_float(&text.replace('_', "")).map_or(Resolved::Str, Resolved::Float),
        Some("!!timestamp") if is_timestamp(text.as_bytes()) => Resolved::Timestamp,
        Some(_) => Resolved::Str,
    }
}

fn bool_word(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// A cursor over ASCII bytes for the hand-written regexes.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cur { b, i: 0 }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        self.eat_if(|x| x == c)
    }
    fn eat_if(&mut self, f: impl Fn(u8) -> bool) -> bool {
        match self.peek() {
            Some(c) if f(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }
    fn eat_while(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.eat_if(&f) {}
        self.i - start
    }
    fn eat_str(&mut self, s: &str) -> bool {
        if self.b[self.i..].starts_with(s.as_bytes()) {
            self.i += s.len();
            true
        } else {
            false
        }
    }
    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }
    fn sign(&mut self) {
        let _ = self.eat(b'+') || self.eat(b'-');
    }
}

fn digit_(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}

/// `(?::[0-5]?[0-9])+`: one or more base-60 groups. The next character after a group is never a
/// digit, so a group takes its whole run of digits: one digit, or two with the first 0-5.
fn sexagesimal_groups(c: &mut Cur) -> bool {
    let mut groups = 0;
    while c.peek() == Some(b':') {
        let save = c.i;
        c.i += 1;
        let start = c.i;
        let n = c.eat_while(|x| x.is_ascii_digit());
        let ok = n == 1 || (n == 2 && matches!(c.b[start], b'0'..=b'5'));
        if !ok {
            c.i = save;
            break;
        }
        groups += 1;
    }
    groups > 0
}

/// `(?:[eE][-+][0-9]+)?` then the end of the text.
fn opt_exponent_then_end(c: &mut Cur) -> bool {
    if c.at_end() {
        return true;
    }
    c.eat_if(|x| x == b'e' || x == b'E')
        && c.eat_if(|x| x == b'-' || x == b'+')
        && c.eat_while(|x| x.is_ascii_digit()) > 0
        && c.at_end()
}

/// PyYAML's float regex (the exponent needs a sign and the mantissa a dot: `1e3` is a string).
fn is_float(b: &[u8]) -> bool {
    // [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    let mut c = Cur::new(b);
    c.sign();
    if c.eat_if(|x| x.is_ascii_digit()) {
        c.eat_while(digit_);
        if c.eat(b'.') {
            c.eat_while(digit_);
            if opt_exponent_then_end(&mut c) {
                return true;
            }
        }
    }
    // \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    let mut c = Cur::new(b);
    if c.eat(b'.') && c.eat_if(|x| x.is_ascii_digit()) {
        c.eat_while(digit_);
        if opt_exponent_then_end(&mut c) {
            return true;
        }
    }
    // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    let mut c = Cur::new(b);
    c.sign();
    if c.eat_if(|x| x.is_ascii_digit()) {
        c.eat_while(digit_);
        if sexagesimal_groups(&mut c) && c.eat(b'.') {
            c.eat_while(digit_);
            if c.at_end() {
                return true;
            }
        }
    }
    // [-+]?\.(?:inf|Inf|INF)  and  \.(?:nan|NaN|NAN)
    matches!(
        b,
        b".inf"
            | b".Inf"
            | b".INF"
            | b"+.inf"
            | b"+.Inf"
            | b"+.INF"
            | b"-.inf"
            | b"-.Inf"
            | b"-.INF"
    ) || matches!(b, b".nan" | b".NaN" | b".NAN")
}

/// PyYAML's int regex.
fn is_int(b: &[u8]) -> bool {
    let after_sign = |c: &mut Cur| c.sign();
    // [-+]?0b[0-1_]+
    let mut c = Cur::new(b);
    after_sign(&mut c);
    if c.eat_str("0b") && c.eat_while(|x| matches!(x, b'0' | b'1' | b'_')) > 0 && c.at_end() {
        return true;
    }
    // [-+]?0[0-7_]+
    let mut c = Cur::new(b);
    after_sign(&mut c);
    if c.eat(b'0') && c.eat_while(|x| matches!(x, b'0'..=b'7' | b'_')) > 0 && c.at_end() {
        return true;
    }
    // [-+]?(?:0|[1-9][0-9_]*)
    let mut c = Cur::new(b);
    after_sign(&mut c);
    if c.eat(b'0') && c.at_end() {
        return true;
    }
    let mut c = Cur::new(b);
    after_sign(&mut c);
    if c.eat_if(|x| matches!(x, b'1'..=b'9')) {
        c.eat_while(digit_);
        if c.at_end() {
            return true;
        }
        // [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
        if sexagesimal_groups(&mut c) && c.at_end() {
            return true;
        }
    }
    // [-+]?0x[0-9a-fA-F_]+
    let mut c = Cur::new(b);
    after_sign(&mut c);
    c.eat_str("0x") && c.eat_while(|x| x.is_ascii_hexdigit() || x == b'_') > 0 && c.at_end()
}

/// PyYAML's timestamp regex: a date, or a date and time with an optional fraction and zone.
fn is_timestamp(b: &[u8]) -> bool {
    let d = |x: u8| x.is_ascii_digit();
    let one_or_two = |c: &mut Cur| matches!(c.eat_while(d), 1 | 2);
    let exactly = |c: &mut Cur, n: usize| c.eat_while(d) == n;
    // [0-9]{4}-[0-9]{2}-[0-9]{2}
    let mut c = Cur::new(b);
    if exactly(&mut c, 4)
        && c.eat(b'-')
        && exactly(&mut c, 2)
        && c.eat(b'-')
        && exactly(&mut c, 2)
        && c.at_end()
    {
        return true;
    }
    let mut c = Cur::new(b);
    if !(exactly(&mut c, 4)
        && c.eat(b'-')
        && one_or_two(&mut c)
        && c.eat(b'-')
        && one_or_two(&mut c))
    {
        return false;
    }
    // (?:[Tt]|[ \t]+)
    if !(c.eat_if(|x| x == b'T' || x == b't') || c.eat_while(|x| x == b' ' || x == b'\t') > 0) {
        return false;
    }
    if !(one_or_two(&mut c)
        && c.eat(b':')
        && exactly(&mut c, 2)
        && c.eat(b':')
        && exactly(&mut c, 2))
    {
        return false;
    }
    if c.eat(b'.') {
        c.eat_while(d);
    }
    if c.at_end() {
        return true;
    }
    // (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
    c.eat_while(|x| x == b' ' || x == b'\t');
    if c.eat(b'Z') {
        return c.at_end();
    }
    if !(c.eat_if(|x| x == b'-' || x == b'+') && one_or_two(&mut c)) {
        return false;
    }
    if c.eat(b':') && !exactly(&mut c, 2) {
        return false;
    }
    c.at_end()
}

/// `construct_yaml_int`. None where Python's `int()` raises (`0b_` leaves no digits).
fn construct_int(text: &str) -> Option<Resolved> {
    let v: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match v.as_bytes().first() {
        Some(b'-') => (true, &v[1..]),
        Some(b'+') => (false, &v[1..]),
        _ => (false, v.as_str()),
    };
    let magnitude = if body == "0" {
        BigUint::default()
    } else if let Some(bits) = body.strip_prefix("0b") {
        BigUint::from_radix(bits, 2)?
    } else if let Some(hex) = body.strip_prefix("0x") {
        BigUint::from_radix(hex, 16)?
    } else if body.starts_with('0') {
        BigUint::from_radix(body, 8)?
    } else if body.contains(':') {
        let mut acc = BigUint::default();
        for part in body.split(':') {
            acc.mul_add(60, 0);
            acc.add(&BigUint::from_radix(part, 10)?);
        }
        acc
    } else {
        BigUint::from_radix(body, 10)?
    };
    let digits = magnitude.to_decimal();
    let signed = if neg && digits != "0" {
        format!("-{digits}")
    } else {
        digits
    };
    Some(match signed.parse::<i128>() {
        Ok(i) => Resolved::Int(i),
        Err(_) => Resolved::BigInt(signed),
    })
}

/// `construct_yaml_float`.
fn construct_float(text: &str) -> Resolved {
    let v = text.replace('_', "").to_lowercase();
    let (sign, body) = match v.as_bytes().first() {
        Some(b'-') => (-1.0, &v[1..]),
        Some(b'+') => (1.0, &v[1..]),
        _ => (1.0, v.as_str()),
    };
    let value = if body == ".inf" {
        f64::INFINITY
    } else if body == ".nan" {
        return Resolved::Float(f64::NAN);
    } else if body.contains(':') {
        let mut value = 0.0;
        let mut base = 1.0;
        for part in body.rsplit(':') {
            value += py_float(part).unwrap_or(0.0) * base;
            base *= 60.0;
        }
        value
    } else {
        py_float(body).unwrap_or(f64::NAN)
    };
    Resolved::Float(sign * value)
}

/// Python's `float()` for the texts the float regex lets through: Rust's parser wants digits on
/// both sides of the dot, so `1.`, `.5` and `1.e+3` get a zero added.
fn py_float(s: &str) -> Option<f64> {
    let s = s.trim();
    let fixed = match s.split_once('.') {
        Some((int, rest)) => {
            let int = if int.is_empty() || int == "-" || int == "+" {
                format!("{int}0")
            } else {
                int.to_string()
            };
            let rest = if rest.is_empty() || rest.starts_with(['e', 'E']) {
                format!("0{rest}")
            } else {
                rest.to_string()
            };
            format!("{int}.{rest}")
        }
        None => s.to_string(),
    };
    fixed.parse::<f64>().ok()
}

/// Just enough of an unsigned big integer for PyYAML's unbounded ints: little-endian limbs of
/// 10^9, so that the decimal text falls out directly.
#[derive(Default)]
struct BigUint {
    limbs: Vec<u32>,
}

const LIMB: u64 = 1_000_000_000;

impl BigUint {
    /// Digits in `radix` (2, 8, 10 or 16); None if empty or a digit is out of range.
    fn from_radix(digits: &str, radix: u32) -> Option<Self> {
        if digits.is_empty() {
            return None;
        }
        let mut n = BigUint::default();
        for ch in digits.chars() {
            n.mul_add(radix, ch.to_digit(radix)?);
        }
        Some(n)
    }

    /// self = self * m + a
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = (v % LIMB) as u32;
            carry = v / LIMB;
        }
        while carry > 0 {
            self.limbs.push((carry % LIMB) as u32);
            carry /= LIMB;
        }
    }

    fn add(&mut self, other: &BigUint) {
        let mut carry = 0u64;
        let n = self.limbs.len().max(other.limbs.len());
        self.limbs.resize(n, 0);
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let v = u64::from(*limb) + u64::from(other.limbs.get(i).copied().unwrap_or(0)) + carry;
            *limb = (v % LIMB) as u32;
            carry = v / LIMB;
        }
        if carry > 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn to_decimal(&self) -> String {
        let mut limbs = self.limbs.iter().rev().skip_while(|&&l| l == 0);
        let Some(top) = limbs.next() else {
            return "0".into();
        };
        let mut s = top.to_string();
        for l in limbs {
            s.push_str(&format!("{l:09}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_integers_keep_their_digits() {
        assert_eq!(
            resolve_plain("0x1_0000_0000_0000_0000_0000_0000_0000_0000"),
            Resolved::BigInt("340282366920938463463374607431768211456".into())
        );
        assert_eq!(
            resolve_plain("-170141183460469231731687303715884105728"),
            Resolved::Int(i128::MIN)
        );
        assert_eq!(
            resolve_plain("170141183460469231731687303715884105728"),
            Resolved::BigInt("170141183460469231731687303715884105728".into())
        );
    }

    #[test]
    fn tags_override_the_resolver() {
        use ScalarStyle::*;
        assert_eq!(
            resolve_scalar(Some("!!int"), DoubleQuoted, "012"),
            Resolved::Int(10)
        );
        assert_eq!(resolve_scalar(Some("!!str"), Plain, "12"), Resolved::Str);
        assert_eq!(
            resolve_scalar(Some("!!float"), Plain, "1"),
            Resolved::Float(1.0)
        );
        assert_eq!(
            resolve_scalar(Some("!!float"), Plain, "1e3"),
            Resolved::Float(1000.0)
        );
        assert_eq!(
            resolve_scalar(Some("!!bool"), SingleQuoted, "YeS"),
            Resolved::Bool(true)
        );
        assert_eq!(resolve_scalar(Some("!!null"), Plain, "x"), Resolved::Null);
        assert_eq!(resolve_scalar(Some("!"), Plain, "12"), Resolved::Str);
        assert_eq!(resolve_scalar(None, Literal, "12"), Resolved::Str);
        assert_eq!(resolve_scalar(Some("!foo"), Plain, "12"), Resolved::Str);
    }

    #[test]
    fn python_float_forms() {
        assert_eq!(py_float("1."), Some(1.0));
        assert_eq!(py_float(".5"), Some(0.5));
        assert_eq!(py_float("1.e+3"), Some(1000.0));
        assert_eq!(py_float("-.5"), Some(-0.5));
    }
}
