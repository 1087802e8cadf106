//! torch's out-of-memory messages (LOG_FACTS.md §3.3). They are torch's text, relayed
//! by InvokeAI inside an error record and again as a traceback's last line, so they are
//! searched for anywhere in a line.
//!
//! - torch 2.0: `CUDA out of memory. Tried to allocate 36.00 MiB (GPU 0; 7.93 GiB total
//!   capacity; 130.35 MiB already allocated; 47.06 MiB free; …)`
//! - torch 2.1: `… Tried to allocate X. GPU 1 has a total capacty of 7.79 GiB of which
//!   20.69 MiB is free. …` (sic, `capacty`)
//! - torch 2.2+: the same with `capacity`.
//! - ROCm says `HIP out of memory.`, Intel `XPU out of memory.`
//! - MPS: `MPS backend out of memory (MPS allocated: 9.57 GiB, other allocations: 17.35
//!   GiB, max allowed: 27.20 GiB). Tried to allocate 292.50 MiB on private pool. …`
//!
//! Sizes are torch's `format_size`: binary units, written `GiB`/`MiB`/`KiB`/`bytes`
//! (older MPS builds write `GB`/`MB`/`KB` for the same binary units).

use memchr::memmem;
use nom::branch::alt;
use nom::character::complete::{char, digit1, space0};
use nom::combinator::value;
use nom::number::complete::double;
use nom::{IResult, Parser};

use super::message::tag;

type PResult<'a, O> = IResult<&'a [u8], O>;

#[derive(Clone, Debug, PartialEq)]
pub struct Oom {
    pub backend: &'static str,
    pub wording: &'static str,
    pub tried_gib: Option<f64>,
    pub capacity_gib: Option<f64>,
    pub free_gib: Option<f64>,
    pub max_allowed_gib: Option<f64>,
    /// All numbers this wording carries were found (false: the line may have been cut).
    pub complete: bool,
}

fn out_of_memory() -> &'static memmem::Finder<'static> {
    static F: std::sync::OnceLock<memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memmem::Finder::new(b"out of memory"))
}

/// Find an out-of-memory message in a line.
pub fn find(line: &[u8]) -> Option<Oom> {
    let at = out_of_memory().find(line)?;
    let before = &line[..at];
    let after = &line[at + b"out of memory".len()..];
    if before.ends_with(b"MPS backend ") {
        return Some(mps(after));
    }
    // `CUDA error: out of memory` (cudaErrorMemoryAllocation): no sizes.
    if before.ends_with(b"CUDA error: ") {
        return Some(Oom {
            backend: "CUDA",
            wording: "cuda-error",
            tried_gib: None,
            capacity_gib: None,
            free_gib: None,
            max_allowed_gib: None,
            complete: true,
        });
    }
    let backend = if before.ends_with(b"CUDA ") {
        "CUDA"
    } else if before.ends_with(b"HIP ") {
        "HIP"
    } else if before.ends_with(b"XPU ") {
        "XPU"
    } else {
        return None;
    };
    Some(allocator_message(backend, after))
}

/// A size such as `4.50 GiB`, `36.00 MiB`, `0 bytes`, in GiB.
pub fn size_gib(i: &[u8]) -> PResult<'_, f64> {
    let (i, (n, _, unit)) = (
        double,
        space0,
        alt((
            value(1.0, alt((tag("GiB"), tag("GB")))),
            value(1.0 / 1024.0, alt((tag("MiB"), tag("MB")))),
            value(1.0 / (1024.0 * 1024.0), alt((tag("KiB"), tag("KB")))),
            value(
                1.0 / (1024.0 * 1024.0 * 1024.0),
                alt((tag("bytes"), tag("B"))),
            ),
        )),
    )
        .parse(i)?;
    Ok((i, n * unit))
}

/// Anchors searched in every OOM message, built once.
const ANCHORS: [&[u8]; 5] = [
    b"Tried to allocate ",
    b"has a total capacity of ",
    b"has a total capacty of ",
    b" of which ",
    b"max allowed: ",
];

fn anchor(i: usize) -> Option<&'static memmem::Finder<'static>> {
    static F: std::sync::OnceLock<Vec<memmem::Finder<'static>>> = std::sync::OnceLock::new();
    F.get_or_init(|| ANCHORS.iter().map(memmem::Finder::new).collect())
        .get(i)
}

/// The size that follows anchor `i` (of [`ANCHORS`]) somewhere in `hay`.
fn size_after(hay: &[u8], i: usize) -> Option<f64> {
    let finder = anchor(i)?;
    let at = finder.find(hay)?;
    size_gib(&hay[at + finder.needle().len()..])
        .ok()
        .map(|(_, v)| v)
}

fn allocator_message(backend: &'static str, after: &[u8]) -> Oom {
    let tried_at = anchor(0).and_then(|f| f.find(after));
    let (tried_gib, rest) = match tried_at {
        Some(t) => {
            let from = &after[t + b"Tried to allocate ".len()..];
            match size_gib(from) {
                Ok((rest, v)) => (Some(v), rest),
                Err(_) => (None, from),
            }
        }
        None => (None, after),
    };
    // torch 2.0: `(GPU 0; 7.93 GiB total capacity; … ; 47.06 MiB free; …)`.
    if let Ok((_, (capacity, free))) = torch20_tail(rest) {
        return Oom {
            backend,
            wording: "torch-2.0",
            tried_gib,
            capacity_gib: Some(capacity),
            free_gib: free,
            max_allowed_gib: None,
            complete: tried_gib.is_some() && free.is_some(),
        };
    }
    let (capacity_gib, wording) = match size_after(rest, 1) {
        Some(c) => (Some(c), "torch-2.2+"),
        None => match size_after(rest, 2) {
            Some(c) => (Some(c), "torch-2.1"),
            None => (None, "torch-2.2+"),
        },
    };
    let free_gib = size_after(rest, 3);
    Oom {
        backend,
        wording,
        tried_gib,
        capacity_gib,
        free_gib,
        max_allowed_gib: None,
        complete: tried_gib.is_some() && capacity_gib.is_some() && free_gib.is_some(),
    }
}

/// ` (GPU 0; 7.93 GiB total capacity; 130.35 MiB already allocated; 47.06 MiB free; …`
fn torch20_tail(i: &[u8]) -> PResult<'_, (f64, Option<f64>)> {
    let (i, (_, _, _, capacity, _)) = (
        tag(" (GPU "),
        digit1,
        tag("; "),
        size_gib,
        tag(" total capacity;"),
    )
        .parse(i)?;
    let free = (
        char(' '),
        size_gib,
        tag(" already allocated; "),
        size_gib,
        tag(" free"),
    )
        .parse(i)
        .ok()
        .map(|(_, (_, _, _, f, _))| f);
    Ok((i, (capacity, free)))
}

fn mps(after: &[u8]) -> Oom {
    let max_allowed_gib = size_after(after, 4);
    let tried_gib = size_after(after, 0);
    Oom {
        backend: "MPS",
        wording: "mps",
        tried_gib,
        capacity_gib: None,
        free_gib: None,
        max_allowed_gib,
        complete: tried_gib.is_some() && max_allowed_gib.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn torch_2_0_wording() {
        let o = find(b"torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 36.00 MiB (GPU 0; 7.93 GiB total capacity; 130.35 MiB already allocated; 47.06 MiB free; 188.00 MiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb").unwrap();
        assert_eq!(o.backend, "CUDA");
        assert_eq!(o.wording, "torch-2.0");
        assert!(close(o.tried_gib, 36.0 / 1024.0));
        assert!(close(o.capacity_gib, 7.93));
        assert!(close(o.free_gib, 47.06 / 1024.0));
        assert!(o.complete);
    }

    #[test]
    fn torch_2_0_zero_bytes_free() {
        let o = find(b"RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 4.00 GiB total capacity; 3.39 GiB already allocated; 0 bytes free; 3.45 GiB reserved in total by PyTorch)").unwrap();
        assert!(close(o.free_gib, 0.0));
    }

    #[test]
    fn torch_2_1_wording() {
        let o = find(b"CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacty of 5.79 GiB of which 3.56 MiB is free. Including non-PyTorch memory").unwrap();
        assert_eq!(o.wording, "torch-2.1");
        assert!(close(o.capacity_gib, 5.79));
        assert!(close(o.free_gib, 3.56 / 1024.0));
        assert!(o.complete);
    }

    #[test]
    fn torch_2_2_wording_cuda_and_hip() {
        let o = find(b"Error while invoking session a, invocation b (flux_vae_decode): CUDA out of memory. Tried to allocate 9.00 GiB. GPU 0 has a total capacity of 23.99 GiB of which 2.10 GiB is free.").unwrap();
        assert_eq!((o.backend, o.wording), ("CUDA", "torch-2.2+"));
        assert!(close(o.tried_gib, 9.0));
        assert!(close(o.capacity_gib, 23.99));
        assert!(close(o.free_gib, 2.10));
        let o = find(b"torch.OutOfMemoryError: HIP out of memory. Tried to allocate 4.50 GiB. GPU 0 has a total capacity of 15.98 GiB of which 1.40 GiB is free.").unwrap();
        assert_eq!(o.backend, "HIP");
        assert!(close(o.capacity_gib, 15.98));
    }

    #[test]
    fn mps_wording() {
        let o = find(b"RuntimeError: MPS backend out of memory (MPS allocated: 9.57 GiB, other allocations: 17.35 GiB, max allowed: 27.20 GiB). Tried to allocate 292.50 MiB on private pool.").unwrap();
        assert_eq!(o.backend, "MPS");
        assert!(close(o.max_allowed_gib, 27.2));
        assert!(close(o.tried_gib, 292.5 / 1024.0));
        assert_eq!(o.capacity_gib, None);
        let o = find(b"MPS backend out of memory (MPS allocated: 5.56 GB, other allocations: 1.10 GB, max allowed: 6.80 GB). Tried to allocate 768.00 MB on private pool.").unwrap();
        assert!(close(o.max_allowed_gib, 6.8));
    }

    #[test]
    fn cut_messages_are_incomplete() {
        let o = find(b"CUDA out of memory. Tried to allocate 9.00 GiB. GPU 0 has a total capa")
            .unwrap();
        assert!(!o.complete);
        assert!(close(o.tried_gib, 9.0));
        assert_eq!(o.capacity_gib, None);
    }

    #[test]
    fn not_an_oom() {
        assert_eq!(find(b"The system is out of memory, says numpy"), None);
        assert_eq!(find(b"Insufficient GPU memory to load model"), None);
        assert_eq!(find(b"out of memory"), None);
    }
}
