//! Output of `invokeai-lint facts`.
//!
//! JSON is a contract: one object per log (`file`, `sessions[]` with `{value, line}`
//! facts, `oom[]`, `partial_loads[]`, `negative_vram[]`, `vram_total_gib`,
//! `ram_total_gib`, `notes[]`); a fact the log does not have is `null`. Several logs give
//! an array of such objects. The human form is a short table per log.

use std::fmt::Write;

use super::{Located, LogFacts, Session};

/// Events listed per kind in the human table; the JSON has them all.
const HUMAN_EVENTS: usize = 20;

/// JSON (one object per log, in an array when several) or a human table.
pub fn render_facts(logs: &[LogFacts], json: bool) -> String {
    if json {
        let text = match logs {
            [one] => serde_json::to_string_pretty(one),
            many => serde_json::to_string_pretty(many),
        };
        // Our types serialize infallibly (no maps with non-string keys, no NaN keys).
        let mut text = text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        return text;
    }
    let mut out = String::new();
    for (i, log) in logs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        human(log, &mut out);
    }
    out
}

fn human(log: &LogFacts, out: &mut String) {
    let _ = writeln!(out, "{} ({} lines)", log.file, log.lines);
    for (i, s) in log.sessions.iter().enumerate() {
        let _ = writeln!(
            out,
            "  start-up {} from line {}{}",
            i + 1,
            s.start_line,
            s.log_format
                .map(|f| format!(" ({f} format)"))
                .unwrap_or_default()
        );
        session_rows(s, out);
    }
    if !log.oom.is_empty() {
        // Only the newest events are kept: the heading gives the log's own count.
        let kept = log.oom.len() as u64;
        if log.oom_total > kept {
            let _ = writeln!(
                out,
                "  out-of-memory events ({} in the log; the last {kept} kept)",
                log.oom_total
            );
        } else {
            let _ = writeln!(out, "  out-of-memory events");
        }
        for e in log.oom.iter().rev().take(HUMAN_EVENTS).rev() {
            let mut sizes = Vec::new();
            if let Some(t) = e.tried_gib {
                sizes.push(format!("tried {}", gib(t)));
            }
            if let Some(c) = e.capacity_gib {
                sizes.push(format!("capacity {}", gib(c)));
            }
            if let Some(f) = e.free_gib {
                sizes.push(format!("free {}", gib(f)));
            }
            if let Some(m) = e.max_allowed_gib {
                sizes.push(format!("max allowed {}", gib(m)));
            }
            let _ = writeln!(
                out,
                "    line {:<7} {:<8} {} ({})",
                e.line,
                e.backend,
                if sizes.is_empty() {
                    "no sizes".to_string()
                } else {
                    sizes.join(", ")
                },
                e.wording
            );
        }
        more(out, log.oom.len());
    }
    if !log.partial_loads.is_empty() {
        let _ = writeln!(out, "  partial loads (model partly in VRAM)");
        for p in log.partial_loads.iter().rev().take(HUMAN_EVENTS).rev() {
            let v = &p.value;
            let _ = writeln!(
                out,
                "    line {:<7} {} ({}): {:.2} of {:.2} MB in VRAM ({:.1}%)",
                p.line, v.model, v.class, v.vram_mb, v.total_mb, v.percent
            );
        }
        more(out, log.partial_loads.len());
    }
    if !log.negative_vram.is_empty() {
        let _ = writeln!(out, "  negative VRAM requests");
        for n in log.negative_vram.iter().rev().take(HUMAN_EVENTS).rev() {
            let _ = writeln!(
                out,
                "    line {:<7} loading {} MB, but only {} MB requested",
                n.line, n.value.loading_mb, n.value.requested_mb
            );
        }
        more(out, log.negative_vram.len());
    }
    let derived: Vec<_> = [
        ("VRAM total", &log.vram_total_gib),
        ("RAM total", &log.ram_total_gib),
    ]
    .into_iter()
    .filter_map(|(l, d)| d.as_ref().map(|d| (l, d)))
    .collect();
    if !derived.is_empty() {
        let _ = writeln!(out, "  derived");
        for (label, d) in derived {
            let _ = writeln!(
                out,
                "    {label:<16} {:<40} line {} (from {}: {})",
                gib(d.value),
                d.line,
                d.derived_from,
                d.reasoning
            );
        }
    }
    if !log.notes.is_empty() {
        let _ = writeln!(out, "  notes");
        for n in &log.notes {
            let _ = writeln!(out, "    - {n}");
        }
    }
}

/// The events kept but not shown: `kept` is what `--format json` lists (not the log's
/// count, which may be larger).
fn more(out: &mut String, kept: usize) {
    if kept > HUMAN_EVENTS {
        let _ = writeln!(
            out,
            "    … {} earlier ones listed by --format json",
            kept - HUMAN_EVENTS
        );
    }
}

fn gib(v: f64) -> String {
    if v >= 0.1 || v == 0.0 {
        format!("{v:.2} GiB")
    } else {
        format!("{:.2} MiB", v * 1024.0)
    }
}

fn row<T>(out: &mut String, label: &str, fact: &Option<Located<T>>, show: impl Fn(&T) -> String) {
    if let Some(f) = fact {
        let _ = writeln!(
            out,
            "    {label:<16} {:<40} line {}",
            show(&f.value),
            f.line
        );
    }
}

fn session_rows(s: &Session, out: &mut String) {
    let text = |v: &String| v.clone();
    row(out, "version", &s.version, text);
    row(out, "root", &s.root, text);
    row(out, "torch device", &s.torch_device, text);
    row(out, "devices", &s.generation_devices, |v| v.join(", "));
    row(out, "cuDNN", &s.cudnn, text);
    row(out, "CUDA allocator", &s.cuda_allocator, text);
    row(out, "RAM cache", &s.ram_cache, |c| {
        if c.user_defined {
            format!("{:.1} GB (user-defined)", c.mb / 1024.0)
        } else {
            let h: Vec<String> = c.heuristics.iter().map(u8::to_string).collect();
            format!("{:.2} MB, heuristics [{}]", c.mb, h.join(", "))
        }
    });
    row(out, "URL", &s.url, text);
    row(out, "database", &s.database, text);
    row(out, "node packs", &s.node_packs, |v| {
        if v.is_empty() {
            "none".into()
        } else {
            v.join(", ")
        }
    });
    row(out, "node packs dir", &s.node_packs_dir, text);
    row(out, "port moved", &s.port_moved, |(a, b)| {
        format!("{a} → {b}")
    });
    row(out, "patchmatch", &s.patchmatch, text);
}
