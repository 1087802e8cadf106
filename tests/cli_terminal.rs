//! Output on a terminal fits its width (issue 13, item 8), and no line, however long,
//! breaks the human report (issue 12: miette's padding panicked past 65 535 columns).
//! Each test runs the binary in a real pseudo-terminal at 80 and 120 columns.

#![cfg(unix)]

mod common;

use common::{lines_over, root, run, run_in_terminal};

const WIDTHS: [u16; 2] = [80, 120];

#[test]
fn the_readme_example_fits_the_terminal_with_underlines_under_their_text() {
    for cols in WIDTHS {
        let out = run_in_terminal(
            &root(),
            &[
                "lint",
                "fixtures/examples/invokeai.yaml",
                "--log",
                "fixtures/examples/invokeai.log",
            ],
            cols,
        );
        assert!(out.contains("out of memory"), "{out}");
        assert_eq!(
            lines_over(&out, cols.into()),
            Vec::<String>::new(),
            "{cols}:\n{out}"
        );
        // The OOM log line is cut around its label, and the underline is still under
        // `CUDA out of memory. Tried to allocate 1.50 GiB`.
        let lines: Vec<&str> = out.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.starts_with(" 15 │") && l.contains("CUDA out of memory"))
            .unwrap_or_else(|| panic!("no OOM line at {cols}:\n{out}"));
        assert!(lines[i].contains('…'), "cut with an ellipsis: {}", lines[i]);
        let text_col = lines[i].chars().position(|c| c == 'C').unwrap();
        let line: Vec<char> = lines[i].chars().collect();
        let at = (0..line.len())
            .find(|&k| line[k..].iter().collect::<String>().starts_with("CUDA out"))
            .unwrap();
        assert!(text_col <= at);
        let under: Vec<char> = lines[i + 1].chars().collect();
        let first = under.iter().position(|&c| c == '─').unwrap();
        assert_eq!(
            first,
            at,
            "underline under its text:\n{}\n{}",
            lines[i],
            lines[i + 1]
        );
    }
}

#[test]
fn piped_output_keeps_long_lines_whole() {
    let out = run(
        &root(),
        &[
            "lint",
            "fixtures/examples/invokeai.yaml",
            "--log",
            "fixtures/examples/invokeai.log",
        ],
    );
    assert!(
        out.stdout.lines().any(|l| l.chars().count() > 200),
        "{}",
        out.stdout
    );
}

#[test]
fn rules_help_and_keys_fit_the_terminal() {
    for args in [
        &["rules"][..],
        &["lint", "--help"],
        &["--help"],
        &["keys"],
        &["keys", "--invokeai-version", "3.0.0"],
        &["keys", "--invokeai-version", "5.9.1"],
    ] {
        for cols in WIDTHS {
            let out = run_in_terminal(&root(), args, cols);
            assert!(out.lines().count() > 5, "{args:?}: {out}");
            assert_eq!(
                lines_over(&out, cols.into()),
                Vec::<String>::new(),
                "{args:?} at {cols}:\n{out}"
            );
        }
    }
    // Every rule is still listed by code and whole name.
    let out = run_in_terminal(&root(), &["rules"], 80);
    let piped = run(&root(), &["rules"]).stdout;
    for line in piped.lines() {
        let mut words = line.split_whitespace();
        let (code, name) = (words.next().unwrap(), words.next().unwrap());
        assert!(
            out.contains(&format!("{code}  {name}")),
            "{code} {name}:\n{out}"
        );
    }
}

/// Labels at or past column 65 536, and longer than 65 535 characters, in a config and
/// in a log, on a terminal and in a pipe.
#[test]
fn labels_far_out_on_long_lines_do_not_break_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let far_key = format!("{}: 1\n", "k".repeat(65_536));
    let long_key = format!("{}: 1\nb: 2\n", "k".repeat(70_000));
    let long_value = format!("device: cuda\nlog_level: {}\n", "x".repeat(70_000));
    let tabs = format!("a: 1\n{}unknown_key: 1\n", "\t".repeat(20_000));
    for (name, text) in [
        ("far.yaml", far_key),
        ("long.yaml", long_key),
        ("value.yaml", long_value),
        ("tabs.yaml", tabs),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
        let args = ["lint", "--invokeai-version", "5.9.1", name];
        let piped = run(dir.path(), &args);
        assert_eq!(piped.code, 1, "{name}: {}", piped.all());
        // Bounded: source lines are cut (a message may still quote a long value whole).
        assert!(
            piped.stdout.len() < 256 * 1024,
            "{name}: {} bytes",
            piped.stdout.len()
        );
        let shown = run_in_terminal(dir.path(), &args, 80);
        assert_eq!(
            lines_over(&shown, 80),
            Vec::<String>::new(),
            "{name}:\n{shown}"
        );
    }
    // A log whose cited line is very long.
    let log = format!(
        "[2025-01-09 21:14:07,031]::[InvokeAI]::INFO --> InvokeAI version 5.5.0 {}\n",
        "z".repeat(70_000)
    );
    std::fs::write(dir.path().join("invokeai.log"), log).unwrap();
    std::fs::write(
        dir.path().join("c.yaml"),
        "schema_version: 4.0.2\nmax_cache_vram_gb: 4\n",
    )
    .unwrap();
    let args = ["lint", "c.yaml", "--log", "invokeai.log"];
    let piped = run(dir.path(), &args);
    assert!(piped.stdout.len() < 64 * 1024, "{}", piped.stdout.len());
    let shown = run_in_terminal(dir.path(), &args, 80);
    assert_eq!(lines_over(&shown, 80), Vec::<String>::new(), "{shown}");
}
