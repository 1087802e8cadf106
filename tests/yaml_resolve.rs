//! PyYAML 6 SafeLoader resolution of plain scalars, value by value.
//!
//! The expected column was produced with PyYAML 6.0.3 (`Resolver().resolve(ScalarNode, text,
//! (True, False))` for the tag, then `SafeLoader.construct_object` for the value: what
//! `yaml.safe_load` does with a plain scalar). The trailing comment of each row is what Python
//! said. Where the resolver says int but Python's `int()` raises (`0b_`), we expect `Str`.

use invokeai_lint::yaml::resolve::resolve_plain;
use invokeai_lint::yaml::Resolved::{self, *};

/// Stands for NaN, which never equals itself.
const NAN: Resolved = Resolved::Float(f64::NAN);

#[rustfmt::skip]
fn table() -> Vec<(&'static str, Resolved)> {
    vec![
        ("~", Null), // null None
        ("null", Null), // null None
        ("Null", Null), // null None
        ("NULL", Null), // null None
        ("nULL", Str), // str 'nULL'
        ("null ", Str), // str 'null '
        ("NuLL", Str), // str 'NuLL'
        ("", Null), // null None
        ("yes", Bool(true)), // bool True
        ("Yes", Bool(true)), // bool True
        ("YES", Bool(true)), // bool True
        ("yEs", Str), // str 'yEs'
        ("no", Bool(false)), // bool False
        ("No", Bool(false)), // bool False
        ("NO", Bool(false)), // bool False
        ("nO", Str), // str 'nO'
        ("true", Bool(true)), // bool True
        ("True", Bool(true)), // bool True
        ("TRUE", Bool(true)), // bool True
        ("tRUE", Str), // str 'tRUE'
        ("false", Bool(false)), // bool False
        ("False", Bool(false)), // bool False
        ("FALSE", Bool(false)), // bool False
        ("on", Bool(true)), // bool True
        ("On", Bool(true)), // bool True
        ("ON", Bool(true)), // bool True
        ("oN", Str), // str 'oN'
        ("off", Bool(false)), // bool False
        ("Off", Bool(false)), // bool False
        ("OFF", Bool(false)), // bool False
        ("y", Str), // str 'y'
        ("Y", Str), // str 'Y'
        ("n", Str), // str 'n'
        ("N", Str), // str 'N'
        ("0", Int(0)), // int 0
        ("-0", Int(0)), // int 0
        ("+0", Int(0)), // int 0
        ("12", Int(12)), // int 12
        ("+12", Int(12)), // int 12
        ("-3", Int(-3)), // int -3
        ("012", Int(10)), // int 10
        ("0o12", Str), // str '0o12'
        ("08", Str), // str '08'
        ("09", Str), // str '09'
        ("0_7", Int(7)), // int 7
        ("00", Int(0)), // int 0
        ("0b1010", Int(10)), // int 10
        ("-0b1010", Int(-10)), // int -10
        ("0b", Str), // str '0b'
        ("0b_", Str), // int ValueError
        ("0b2", Str), // str '0b2'
        ("0x1F", Int(31)), // int 31
        ("0x1f", Int(31)), // int 31
        ("-0x1F", Int(-31)), // int -31
        ("0x", Str), // str '0x'
        ("0x_", Str), // int ValueError
        ("0xG", Str), // str '0xG'
        ("1_000", Int(1000)), // int 1000
        ("1__0", Int(10)), // int 10
        ("12_", Int(12)), // int 12
        ("_12", Str), // str '_12'
        ("1,000", Str), // str '1,000'
        ("1:30", Int(90)), // int 90
        ("190:20:30", Int(685230)), // int 685230
        ("1:60", Str), // str '1:60'
        ("1:5", Int(65)), // int 65
        ("1:05", Int(65)), // int 65
        ("-1:30", Int(-90)), // int -90
        ("0:30", Str), // str '0:30'
        ("1:30:", Str), // str '1:30:'
        ("1::30", Str), // str '1::30'
        ("1:300", Str), // str '1:300'
        ("1.5", Float(1.5)), // float 1.5
        (".5", Float(0.5)), // float 0.5
        ("1.", Float(1.0)), // float 1.0
        ("-1.", Float(-1.0)), // float -1.0
        ("+1.5", Float(1.5)), // float 1.5
        ("+.5", Str), // str '+.5'
        ("-.5", Str), // str '-.5'
        ("3.0", Float(3.0)), // float 3.0
        ("1_000.5", Float(1000.5)), // float 1000.5
        ("1._5", Float(1.5)), // float 1.5
        ("1e3", Str), // str '1e3'
        ("1E3", Str), // str '1E3'
        ("1.5e3", Str), // str '1.5e3'
        ("1.0e+3", Float(1000.0)), // float 1000.0
        ("1.0e-3", Float(0.001)), // float 0.001
        ("1.0E+3", Float(1000.0)), // float 1000.0
        (".5e+3", Float(500.0)), // float 500.0
        ("1.e+3", Float(1000.0)), // float 1000.0
        ("-1.0e+3", Float(-1000.0)), // float -1000.0
        ("1.0e3", Str), // str '1.0e3'
        (".inf", Float(f64::INFINITY)), // float inf
        (".Inf", Float(f64::INFINITY)), // float inf
        (".INF", Float(f64::INFINITY)), // float inf
        (".iNf", Str), // str '.iNf'
        ("-.inf", Float(f64::NEG_INFINITY)), // float -inf
        ("+.inf", Float(f64::INFINITY)), // float inf
        ("-.Inf", Float(f64::NEG_INFINITY)), // float -inf
        (".nan", NAN), // float nan
        (".NaN", NAN), // float nan
        (".NAN", NAN), // float nan
        (".nAn", Str), // str '.nAn'
        ("-.nan", Str), // str '-.nan'
        ("inf", Str), // str 'inf'
        ("nan", Str), // str 'nan'
        ("NaN", Str), // str 'NaN'
        ("1:30.5", Float(90.5)), // float 90.5
        ("1:30.", Float(90.0)), // float 90.0
        ("-1:30.5", Float(-90.5)), // float -90.5
        ("1:60.5", Str), // str '1:60.5'
        ("1:30.5.5", Str), // str '1:30.5.5'
        ("2001-12-14", Timestamp), // timestamp datetime.date(2001, 12, 14)
        ("2001-12-14t21:59:43.10-05:00", Timestamp), // timestamp datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))
        ("2001-12-14 21:59:43.10 -5", Timestamp), // timestamp datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))
        ("2001-12-14T21:59:43Z", Timestamp), // timestamp datetime.datetime(2001, 12, 14, 21, 59, 43, tzinfo=datetime.timezone.utc)
        ("2001-12-14 21:59:43", Timestamp), // timestamp datetime.datetime(2001, 12, 14, 21, 59, 43)
        ("2001-1-1 1:00:00", Timestamp), // timestamp datetime.datetime(2001, 1, 1, 1, 0)
        ("2001-12-14T21:59", Str), // str '2001-12-14T21:59'
        ("20011-12-14", Str), // str '20011-12-14'
        ("2001-12-14 ", Str), // str '2001-12-14 '
        ("2001-12-14 21:59:43.10 Z", Timestamp), // timestamp datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone.utc)
        ("2001-12-14 21:59:43 +05:30", Timestamp), // timestamp datetime.datetime(2001, 12, 14, 21, 59, 43, tzinfo=datetime.timezone(datetime.timedelta(seconds=19800)))
        ("2001-12-1", Str), // str '2001-12-1'
        ("<<", Special), // merge None
        ("=", Special), // value None
        ("<", Str), // str '<'
        ("==", Str), // str '=='
        ("<<<", Str), // str '<<<'
        ("4GB", Str), // str '4GB'
        ("1 000", Str), // str '1 000'
        ("0.5GB", Str), // str '0.5GB'
        ("v1.0", Str), // str 'v1.0'
        ("1.0.0", Str), // str '1.0.0'
        ("-", Str), // str '-'
        ("+", Str), // str '+'
        (".", Str), // str '.'
        ("..", Str), // str '..'
        ("1-2", Str), // str '1-2'
        ("-1-2", Str), // str '-1-2'
        ("e3", Str), // str 'e3'
        ("0.0.0.0", Str), // str '0.0.0.0'
        ("127.0.0.1", Str), // str '127.0.0.1'
        ("cuda", Str), // str 'cuda'
        ("auto", Str), // str 'auto'
        ("float16", Str), // str 'float16'
        ("bfloat16", Str), // str 'bfloat16'
        ("1e-3", Str), // str '1e-3'
        ("1.0e-10", Float(1e-10)), // float 1e-10
        ("5e-1", Str), // str '5e-1'
        ("-1e3", Str), // str '-1e3'
        ("+1", Int(1)), // int 1
        ("+-1", Str), // str '+-1'
        ("0.", Float(0.0)), // float 0.0
        ("-0.0", Float(-0.0)), // float -0.0
        ("00.5", Float(0.5)), // float 0.5
        ("0_0.5", Float(0.5)), // float 0.5
        ("1_2:30", Int(750)), // int 750
        ("123456789012345678901234567890123456789012", BigInt("123456789012345678901234567890123456789012".into())), // int 123456789012345678901234567890123456789012
        ("-0x1_0000_0000_0000_0000_0000_0000_0000_0000", BigInt("-340282366920938463463374607431768211456".into())), // int -340282366920938463463374607431768211456
        ("1:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59:59", BigInt("568605760598594027519999999999999999999999999".into())), // int 568605760598594027519999999999999999999999999
    ]
}

fn same(a: &Resolved, b: &Resolved) -> bool {
    match (a, b) {
        (Float(x), Float(y)) if x.is_nan() && y.is_nan() => true,
        _ => a == b,
    }
}

#[test]
fn plain_scalars_resolve_as_pyyaml_does() {
    let table = table();
    assert!(table.len() >= 80);
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(text, want)| {
            let got = resolve_plain(text);
            (!same(&got, want)).then(|| format!("{text:?}: got {got:?}, PyYAML {want:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn huge_floats_overflow_to_infinity_like_python_float() {
    // float('1' + '0' * 400 + '.5') is inf in Python.
    let text = format!("1{}.5", "0".repeat(400));
    assert_eq!(resolve_plain(&text), Float(f64::INFINITY));
}

#[test]
fn negative_zero_float_keeps_its_sign() {
    match resolve_plain("-0.0") {
        Float(f) => assert!(f == 0.0 && f.is_sign_negative()),
        other => panic!("{other:?}"),
    }
}
