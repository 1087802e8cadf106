//! Start-up lines that say which InvokeAI runs where: its version and root directory,
//! the torch device (every version's spelling, 2.x to 6.14's device lists), cuDNN and
//! the CUDA allocator.

use nom::bytes::complete::{take_till, take_while1};
use nom::character::complete::{char, digit1, space0};
use nom::combinator::{opt, rest};
use nom::sequence::{delimited, preceded};
use nom::Parser;

use super::{done, err, fail, non_empty, tag, Check, Fact, PResult, Parsed};
use crate::log::text::trim;

pub(super) fn version(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, v) = preceded(tag("InvokeAI version "), rest).parse(i)?;
    let v = trim(v);
    // A version starts with a digit and holds no spaces.
    if !v.first().is_some_and(u8::is_ascii_digit) || v.contains(&b' ') {
        return fail(i);
    }
    Ok((i, Parsed::Fact(Fact::Version(v), Check::Unsure)))
}

/// 2.x `InvokeAI, version 2.3.5.post2` and `InvokeAI runtime directory is "J:\AI\invokeAI"`.
pub(super) fn legacy_2x(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let v2: PResult<'_, &[u8]> =
        preceded(tag("InvokeAI, version "), take_while1(|b| b != b' ')).parse(i);
    if let Ok((i, v)) = v2 {
        return Ok((i, Parsed::Fact(Fact::V2Version(v), Check::Unsure)));
    }
    let (i, v) = preceded(
        tag("InvokeAI runtime directory is "),
        delimited(char('"'), take_till(|b| b == b'"'), opt(char('"'))),
    )
    .parse(i)?;
    let v = non_empty(v).ok_or_else(|| err(i))?;
    Ok((i, Parsed::Fact(Fact::V2Root(v), Check::Done)))
}

pub(super) fn root(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, v) = preceded(tag("Root directory = "), rest).parse(i)?;
    let v = non_empty(v).ok_or_else(|| err(i))?;
    Ok((i, Parsed::Fact(Fact::Root(v), Check::Unsure)))
}

/// `Using torch device: NAME` or, in 6.14, `[LABEL (dev), LABEL (dev)]`.
pub(super) fn torch_device(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, v) = preceded(tag("Using torch device: "), rest).parse(i)?;
    let v = trim(v);
    if v.is_empty() {
        return fail(i);
    }
    if v.first() == Some(&b'[') {
        let Some(inner) = v.strip_prefix(b"[").and_then(|x| x.strip_suffix(b"]")) else {
            // The list's closing bracket is missing: cut by wrapping.
            let partial = &v[1..];
            let name = first_label(partial).unwrap_or(partial);
            let list = Some(vec![partial]);
            return Ok((
                i,
                Parsed::Fact(Fact::TorchDevice { name, list }, Check::Cut),
            ));
        };
        let list = Some(device_entries(inner));
        let name = first_label(inner).unwrap_or(inner);
        return Ok((i, done(Fact::TorchDevice { name, list })));
    }
    let device = Fact::TorchDevice {
        name: v,
        list: None,
    };
    Ok((i, Parsed::Fact(device, Check::Unsure)))
}

/// The entries of a 6.14 device list: `A (cuda:0), B (cuda:1)`. Split on `), ` so that
/// commas inside a name survive.
fn device_entries(inner: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() && out.len() < 64 {
        match memchr::memmem::find(rest, b"), ") {
            Some(at) => {
                out.push(trim(&rest[..=at]));
                rest = &rest[at + 3..];
            }
            None => {
                out.push(trim(rest));
                break;
            }
        }
    }
    out
}

/// The first entry's label without its ` (device)` and ` #N` suffixes.
fn first_label(inner: &[u8]) -> Option<&[u8]> {
    let entry_end = memchr::memmem::find(inner, b" (")?;
    let label = &inner[..entry_end];
    let label = match memchr::memrchr(b'#', label) {
        Some(h)
            if h > 0 && label[h - 1] == b' ' && label[h + 1..].iter().all(u8::is_ascii_digit) =>
        {
            &label[..h - 1]
        }
        _ => label,
    };
    non_empty(label)
}

/// 3.x `GPU device = cuda NVIDIA GeForce RTX 3060` / `GPU device = cpu ` (trailing space).
pub(super) fn gpu_device(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, (kind, _, name)) = preceded(
        tag("GPU device = "),
        (take_till(|b| b == b' '), space0, rest),
    )
    .parse(i)?;
    let name = trim(name);
    let v = if name.is_empty() {
        device_kind_name(kind)
    } else {
        name
    };
    if v.is_empty() {
        return fail(i);
    }
    Ok((i, Parsed::Fact(Fact::LegacyDevice(v), Check::Unsure)))
}

/// 2.x `Using device_type cuda`.
pub(super) fn device_type_2x(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, kind) = preceded(tag("Using device_type "), take_till(|b| b == b' ')).parse(i)?;
    let v = device_kind_name(kind);
    if v.is_empty() {
        return fail(i);
    }
    Ok((i, done(Fact::V2Device(v))))
}

/// `cpu` → `CPU`, as 4.x+ spell it, so every version reads the same.
fn device_kind_name(kind: &[u8]) -> &[u8] {
    let kind = trim(kind);
    [&b"CPU"[..], b"MPS", b"CUDA", b"XPU"]
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
        .unwrap_or(kind)
}

pub(super) fn cudnn(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, d) = preceded(tag("cuDNN version: "), digit1).parse(i)?;
    Ok((i, Parsed::Fact(Fact::Cudnn(d), Check::Unsure)))
}

pub(super) fn allocator(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, b) = preceded(
        tag("PyTorch CUDA memory allocator: "),
        take_while1(|b: u8| !b.is_ascii_whitespace()),
    )
    .parse(i)?;
    Ok((i, Parsed::Fact(Fact::Allocator(b), Check::Unsure)))
}
