//! Plain-text tables (`rules`, `keys`) that fit a terminal: columns padded to their
//! widest cell when the table fits, and otherwise some columns dropped and the rest
//! wrapped within their share of the width. Piped output keeps the natural layout, so
//! scripts that read it see the same lines whoever runs them.

use std::io::IsTerminal;

const GAP: usize = 2;
/// A wrapped column narrower than this is unreadable; drop columns before that.
const MIN_COLUMN: usize = 30;

/// One column: its heading, whether it may be wrapped (a name must stay whole to be
/// copied), and whether it may be dropped when the terminal is narrow.
pub struct Column {
    pub heading: &'static str,
    pub wrap: bool,
    pub droppable: bool,
}

/// The width to fit: the terminal's when stdout is one, else none.
pub fn stdout_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_width()
}

/// The terminal's width from the terminal itself, else from `COLUMNS`.
pub fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size()
        .map(|(w, _)| usize::from(w.0))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|&w| w > 0)
}

/// Render `rows` under `columns` (a heading row is printed when any heading is set).
pub fn render(columns: &[Column], rows: &[Vec<String>], width: Option<usize>) -> String {
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    let natural = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .chain(std::iter::once(columns[i].heading.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let naturals: Vec<usize> = (0..columns.len()).map(natural).collect();
    let mut widths = naturals.clone();
    if let Some(max) = width {
        loop {
            widths = allot(columns, &naturals, &shown, max);
            let cramped = shown
                .iter()
                .any(|&i| columns[i].wrap && widths[i] < MIN_COLUMN.min(naturals[i]));
            match shown.iter().position(|&i| columns[i].droppable) {
                Some(p) if cramped => {
                    shown.remove(p);
                }
                _ => break,
            }
        }
    }
    let mut out = String::new();
    if columns.iter().any(|c| !c.heading.is_empty()) {
        let heading: Vec<String> = columns.iter().map(|c| c.heading.to_string()).collect();
        push_row(&mut out, &heading, &shown, &widths);
    }
    for r in rows {
        push_row(&mut out, r, &shown, &widths);
    }
    out
}

/// Widths for the shown columns within `max`: columns that may not wrap keep their
/// natural width; the others share what is left, the narrow ones first.
fn allot(columns: &[Column], naturals: &[usize], shown: &[usize], max: usize) -> Vec<usize> {
    let mut widths = naturals.to_vec();
    let gaps = GAP * shown.len().saturating_sub(1);
    let fixed: usize = shown
        .iter()
        .filter(|&&i| !columns[i].wrap)
        .map(|&i| naturals[i])
        .sum();
    let mut left = max.saturating_sub(gaps + fixed);
    let mut flexible: Vec<usize> = shown.iter().copied().filter(|&i| columns[i].wrap).collect();
    flexible.sort_by_key(|&i| naturals[i]);
    let mut count = flexible.len();
    for i in flexible {
        let share = left / count.max(1);
        widths[i] = naturals[i].min(share).max(1);
        left = left.saturating_sub(widths[i]);
        count -= 1;
    }
    widths
}

fn push_row(out: &mut String, row: &[String], shown: &[usize], widths: &[usize]) {
    let cells: Vec<Vec<String>> = shown
        .iter()
        .map(|&i| wrap(row.get(i).map_or("", String::as_str), widths[i]))
        .collect();
    let height = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    for line in 0..height {
        let mut text = String::new();
        for (n, (cell, &i)) in cells.iter().zip(shown).enumerate() {
            let part = cell.get(line).map_or("", String::as_str);
            text.push_str(part);
            if n + 1 < shown.len() {
                let pad = widths[i].saturating_sub(part.chars().count()) + GAP;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
}

/// A sentence for the terminal: wrapped to `width` when there is one.
pub fn fit_text(text: &str, width: Option<usize>) -> String {
    match width {
        Some(w) => wrap(text, w).join("\n"),
        None => text.to_string(),
    }
}

/// `text` in lines of at most `width` characters, broken between words when it can be
/// and inside a word when one is longer than the line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    if text.chars().count() <= width {
        return vec![text.to_string()];
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        if len > 0 && len + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        while word.len() > width - len {
            let rest = word.split_off(width - len);
            line.extend(word);
            lines.push(std::mem::take(&mut line));
            len = 0;
            word = rest;
        }
        len += word.len();
        line.extend(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<Column> {
        vec![
            Column {
                heading: "NAME",
                wrap: false,
                droppable: false,
            },
            Column {
                heading: "KIND",
                wrap: false,
                droppable: true,
            },
            Column {
                heading: "TEXT",
                wrap: true,
                droppable: false,
            },
        ]
    }

    fn rows() -> Vec<Vec<String>> {
        vec![vec![
            "a_rather_long_name".into(),
            "category".into(),
            "some words that go on for quite a while and then some more".into(),
        ]]
    }

    #[test]
    fn a_table_that_fits_is_left_alone() {
        let t = render(&cols(), &rows(), Some(200));
        assert_eq!(t, render(&cols(), &rows(), None));
        assert_eq!(t.lines().count(), 2);
    }

    #[test]
    fn a_narrow_terminal_wraps_and_drops_columns() {
        for width in [30, 40, 60] {
            let t = render(&cols(), &rows(), Some(width));
            assert!(
                t.lines().all(|l| l.chars().count() <= width),
                "{width}:\n{t}"
            );
            assert!(t.contains("a_rather_long_name"), "names stay whole: {t}");
        }
        assert!(!render(&cols(), &rows(), Some(40)).contains("KIND"));
    }

    #[test]
    fn long_words_are_broken() {
        assert_eq!(wrap("abcdefgh ij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("ab cd ef", 5), ["ab cd", "ef"]);
    }
}
