//! Bad input never panics, never grows memory with the input, and always says what it
//! skipped.

use std::io::Read;

use invokeai_lint::log::{parse_bytes, parse_reader};

/// `len` bytes of `fill`, then `tail`, without holding them in memory.
struct Generated {
    left: u64,
    fill: u8,
    tail: Vec<u8>,
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.left > 0 {
            let n = out
                .len()
                .min(usize::try_from(self.left).unwrap_or(usize::MAX));
            out[..n].fill(self.fill);
            self.left -= n as u64;
            return Ok(n);
        }
        let n = out.len().min(self.tail.len());
        out[..n].copy_from_slice(&self.tail[..n]);
        self.tail.drain(..n);
        Ok(n)
    }
}

#[test]
fn a_200_mb_line_without_newline_is_skipped_with_a_note() {
    let r = Generated {
        left: 200 << 20,
        fill: b'x',
        tail: Vec::new(),
    };
    let f = parse_reader(r, "huge").unwrap();
    assert_eq!(f.lines, 1);
    assert!(
        f.notes.iter().any(|n| n.contains("longer than 64 KiB")),
        "{:?}",
        f.notes
    );
    // Reading stopped after 64 MiB without a line break (issue 12: `/dev/zero` ends).
    assert!(
        f.notes
            .iter()
            .any(|n| n.contains("stopped reading after 64 MiB: no line break")),
        "{:?}",
        f.notes
    );
}

#[test]
fn reading_resumes_after_an_overlong_line() {
    let r = Generated {
        left: 3 << 20,
        fill: b'y',
        tail: b"\n[2025-01-25 10:15:42,123]::[InvokeAI]::INFO --> InvokeAI version 5.6.0\n"
            .to_vec(),
    };
    let f = parse_reader(r, "t").unwrap();
    assert_eq!(f.newest_version().unwrap().line, 2);
    assert_eq!(f.lines, 2);
    assert!(f.notes.iter().any(|n| n.contains("(first: line 1)")));
}

#[test]
fn a_huge_tqdm_line_still_shows_its_last_frame() {
    let mut tail = b"\r 99%|#########9| 99/100".to_vec();
    tail.extend(b"[2025-01-25 10:15:42,123]::[InvokeAI]::INFO --> InvokeAI version 5.6.0\n");
    // 5 MB of frames: each `\r` lets the reader drop what came before.
    let mut frames = Vec::new();
    while frames.len() < 5 << 20 {
        frames.extend_from_slice(b"\r 50%|#####     | 50/100 [00:10<00:10,  4.90it/s]");
    }
    frames.extend(tail);
    let f = parse_bytes(&frames, "t");
    assert_eq!(f.newest_version().unwrap().value, "5.6.0");
    assert!(f.notes.is_empty(), "{:?}", f.notes);
}

#[test]
fn empty_input() {
    let f = parse_bytes(b"", "empty");
    assert_eq!(f.lines, 0);
    assert!(f.sessions.is_empty());
    assert!(f.notes.iter().any(|n| n.contains("empty")), "{:?}", f.notes);
}

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_binary_bytes() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let bytes: Vec<u8> = (0..(2 << 20)).map(|_| rng.next() as u8).collect();
    let f = parse_bytes(&bytes, "random.bin");
    assert!(
        f.notes.iter().any(|n| n.contains("binary")),
        "{:?}",
        f.notes
    );
    assert!(f.lines > 0);
}

#[test]
fn random_lines_built_from_fact_fragments() {
    // Pieces of real fact lines in random order and cut at random places: the grammars
    // must reject or accept them without panicking.
    const PIECES: &[&str] = &[
        "[2025-01-25 10:15:42,123]::[InvokeAI]::INFO --> ",
        "InvokeAI [41873] <INFO> ",
        ">> ",
        "\x1b[38;20m",
        "\x1b[0m",
        "\x1b[",
        "\r",
        "InvokeAI version ",
        "Root directory = ",
        "Using torch device: [",
        "GPU device = ",
        "[MODEL CACHE] Calculated model RAM cache size: ",
        "MB. Heuristics applied: [1, 2",
        "].",
        "Invoke running on http://",
        "Loaded 3 node packs from ",
        ": a, b",
        "Port 9090 in use, using port ",
        "CUDA out of memory. Tried to allocate ",
        " (GPU 0; ",
        " GiB total capacity;",
        "GPU 0 has a total capacity of ",
        " of which ",
        "MPS backend out of memory (",
        "Loaded model '",
        "' (Flux) onto cuda device in 1s. Total model size: ",
        "MB, VRAM: ",
        "MB (",
        "%)",
        "Loading ",
        " MB into VRAM, but only ",
        " MB were requested",
        "-4991.0",
        "99999999999999999999",
        "1e308",
        "nan",
        "\u{fffd}",
        "\u{0}",
        "\u{ff}",
        " ",
        "  ",
        "\n",
    ];
    let mut rng = XorShift(42);
    let mut text = Vec::new();
    for _ in 0..40_000 {
        let piece = PIECES[(rng.next() % PIECES.len() as u64) as usize].as_bytes();
        let cut = (rng.next() % (piece.len() as u64 + 1)) as usize;
        text.extend_from_slice(if rng.next().is_multiple_of(4) {
            &piece[..cut]
        } else {
            piece
        });
        if rng.next().is_multiple_of(3) {
            text.push(rng.next() as u8);
        }
    }
    let f = parse_bytes(&text, "fragments");
    // Something in there parses; the point is that nothing panicked and lines add up.
    let newlines = text.iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(f.lines >= newlines && f.lines <= newlines + 1);
}
