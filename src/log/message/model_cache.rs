//! The model cache's lines: the RAM cache size (calculated or user-defined), each model
//! load with its VRAM share, and the out-of-memory and negative-VRAM warnings.

use nom::bytes::complete::take_until;
use nom::character::complete::{char, digit1, space0};
use nom::combinator::map_res;
use nom::multi::separated_list0;
use nom::number::complete::double;
use nom::sequence::preceded;
use nom::Parser;

use super::{done, tag, Check, Fact, PResult, Parsed};
use crate::log::text::trim;
use crate::log::RamCache;

/// `Calculated model RAM cache size: 7163.50 MB. Heuristics applied: [1, 2].`
pub(super) fn calculated_ram_cache(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, mb) = preceded(tag("Calculated model RAM cache size: "), double).parse(i)?;
    let list: PResult<'_, (&[u8], Vec<u8>, &[u8])> = (
        tag(" MB. Heuristics applied: ["),
        separated_list0((char(','), space0), map_res(digit1, small_number)),
        tag("]"),
    )
        .parse(i);
    match list {
        Ok((rest, (_, heuristics, _))) => {
            let cache = RamCache {
                mb,
                heuristics,
                user_defined: false,
            };
            Ok((rest, done(Fact::RamCache(cache))))
        }
        // The size is there but the list was cut off.
        Err(_) => {
            let cache = RamCache {
                mb,
                heuristics: Vec::new(),
                user_defined: false,
            };
            Ok((i, Parsed::Fact(Fact::RamCache(cache), Check::Cut)))
        }
    }
}

fn small_number(d: &[u8]) -> Result<u8, std::num::ParseIntError> {
    String::from_utf8_lossy(d).parse::<u8>()
}

/// `Using user-defined RAM cache size: 28.0 GB.`
pub(super) fn user_ram_cache(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, gb) = preceded(tag("Using user-defined RAM cache size: "), double).parse(i)?;
    let check = if i.starts_with(b" GB") {
        Check::Done
    } else {
        Check::Cut
    };
    let cache = RamCache {
        mb: gb * 1024.0,
        heuristics: Vec::new(),
        user_defined: true,
    };
    Ok((i, Parsed::Fact(Fact::RamCache(cache), check)))
}

/// `Insufficient GPU memory to load model. Aborting`, and (same first letter)
/// `InvokeAI shutting down...`.
pub(super) fn insufficient(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    if let Ok((i, _)) = tag("InvokeAI shutting down")(i) {
        return Ok((i, done(Fact::Shutdown)));
    }
    let (i, _) = tag("Insufficient GPU memory to load model").parse(i)?;
    Ok((i, done(Fact::InsufficientMemory)))
}

/// 5.6+ `Loaded model 'KEY' (CLASS) onto cuda device in 0.20s. Total model size:
/// 469.44MB, VRAM: 0.15MB (0.0%)`.
pub(super) fn loaded_model(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (_, _) = tag("Loaded model '").parse(i)?;
    // Most loads are whole: skip reading their numbers (this line repeats for every
    // model lock in a session).
    if i.ends_with(b"(100.0%)") {
        let whole = Fact::LoadedModel {
            key: b"",
            class: b"",
            total_mb: 0.0,
            vram_mb: 0.0,
            percent: 100.0,
        };
        return Ok((&i[i.len()..], done(whole)));
    }
    let (i, (key, _, class, _)) = preceded(
        tag("Loaded model '"),
        (
            take_until("' ("),
            tag("' ("),
            take_until(") onto "),
            take_until("Total model size: "),
        ),
    )
    .parse(i)?;
    let (i, (_, total_mb, _, vram_mb, _, percent, _)) = (
        tag("Total model size: "),
        double,
        tag("MB, VRAM: "),
        double,
        tag("MB ("),
        double,
        tag("%)"),
    )
        .parse(i)?;
    Ok((
        i,
        done(Fact::LoadedModel {
            key: trim(key),
            class: trim(class),
            total_mb,
            vram_mb,
            percent,
        }),
    ))
}

/// `Loading 0.146484375 MB into VRAM, but only -4991.0 MB were requested. …`
pub(super) fn negative_vram(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, (_, loading_mb, _, requested_mb, _)) = (
        tag("Loading "),
        double,
        tag(" MB into VRAM, but only "),
        double,
        tag(" MB were requested"),
    )
        .parse(i)?;
    Ok((
        i,
        done(Fact::NegativeVram {
            loading_mb,
            requested_mb,
        }),
    ))
}
