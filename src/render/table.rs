//! Tables as `gh` prints them at a terminal: the header once, one line per row, no rules,
//! columns two spaces apart. A row never wraps at 80 columns or more: when the columns do
//! not fit, a cell's short form is used (a status without its link), optional columns are
//! left out, and free text (names, details) is cut with `…`; ids and times never are.
//!
//! To a pipe or a file the same rows are comfy-table's plain aligned columns.

use unicode_width::UnicodeWidthChar;

use crate::domain::key::Status;

use super::{plain_table, status_cell, status_color};

/// Columns between two cells.
const GAP: usize = 2;
/// A cut column keeps this many columns (or its whole text, if shorter) before an
/// optional column is left out for it.
const COMFORT: usize = 12;

/// How a column gives way when a row is wider than the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Never cut or left out: ids, times, statuses, labels.
    Whole,
    /// Cut with `…`: names and other free text.
    Cut,
    /// Whole, or left out altogether; the lowest number goes first.
    Optional(u8),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub(crate) header: &'static str,
    pub(crate) fit: Fit,
}

pub(crate) const fn col(header: &'static str, fit: Fit) -> Column {
    Column { header, fit }
}

/// One cell: its text, a shorter form for a narrow terminal, and the status it is
/// coloured as (with colours on).
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) short: Option<String>,
    pub(crate) status: Option<Status>,
}

impl Cell {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            short: None,
            status: None,
        }
    }

    /// A cell coloured as `status` is, shortened to `short` when space runs out.
    pub(crate) fn status(text: String, short: Option<String>, status: Status) -> Self {
        Self {
            text,
            short,
            status: Some(status),
        }
    }

    fn text(&self, short: bool) -> &str {
        match (&self.short, short) {
            (Some(s), true) => s,
            _ => &self.text,
        }
    }
}

/// Rows under a header, rendered for a terminal of some width or for a pipe.
pub(crate) struct Grid<'a> {
    columns: &'a [Column],
    rows: Vec<Vec<Cell>>,
}

impl<'a> Grid<'a> {
    pub(crate) fn new(columns: &'a [Column]) -> Self {
        Self {
            columns,
            rows: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// At a terminal (`width` its columns) the `gh` form; otherwise comfy-table's plain
    /// columns. Without a trailing newline.
    pub(crate) fn render(&self, width: Option<usize>, color: bool) -> String {
        match width {
            Some(width) => self.for_terminal(width, color),
            None => self.plain(color),
        }
    }

    fn plain(&self, color: bool) -> String {
        let headers: Vec<&str> = self.columns.iter().map(|c| c.header).collect();
        let mut table = plain_table(&headers);
        if color {
            table.enforce_styling();
        }
        for row in &self.rows {
            table.add_row(row.iter().map(|cell| match cell.status {
                Some(status) => status_cell(cell.text.clone(), status, color),
                None => comfy_table::Cell::new(&cell.text),
            }));
        }
        table.to_string()
    }

    fn for_terminal(&self, width: usize, color: bool) -> String {
        let layout = self.layout(width);
        let mut out = String::new();
        let header: Vec<Cell> = self.columns.iter().map(|c| Cell::new(c.header)).collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, &(column, width)) in layout.columns.iter().enumerate() {
                let Some(cell) = row.get(column) else {
                    continue;
                };
                if i > 0 {
                    line.push_str(&" ".repeat(GAP));
                }
                let text = cut(cell.text(layout.short), width);
                let start = cell.status.filter(|_| color).map(|s| status_color(s).1);
                if let Some(start) = start {
                    line.push_str(start);
                }
                line.push_str(&text);
                if start.is_some() {
                    line.push_str("\x1b[39m");
                }
                let pad = width.saturating_sub(display_width(&text));
                line.push_str(&" ".repeat(pad));
            }
            out.push_str(line.trim_end_matches(' '));
            out.push('\n');
        }
        out.pop();
        out
    }

    /// The widest text of each column, header included, in full or short form.
    fn natural(&self, short: bool) -> Vec<usize> {
        (0..self.columns.len())
            .map(|i| {
                let cells = self.rows.iter().filter_map(|row| row.get(i));
                cells
                    .map(|cell| display_width(cell.text(short)))
                    .chain([display_width(self.columns[i].header)])
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Which columns to show, how wide, and whether in short form, for `width` columns:
    /// the first of (full, short, short without the first optional column, …) whose cut
    /// columns keep [`COMFORT`]; when none does, the last, its cut columns cut further.
    fn layout(&self, width: usize) -> Layout {
        let mut optional: Vec<(u8, usize)> = (self.columns.iter().enumerate())
            .filter_map(|(i, c)| match c.fit {
                Fit::Optional(order) => Some((order, i)),
                _ => None,
            })
            .collect();
        optional.sort_unstable();
        let tries = std::iter::once((false, 0)).chain((0..=optional.len()).map(|n| (true, n)));
        let mut last = None;
        for (short, dropped) in tries {
            let natural = self.natural(short);
            let shown: Vec<usize> = (0..self.columns.len())
                .filter(|i| !optional[..dropped].iter().any(|&(_, o)| o == *i))
                .collect();
            let fixed: usize = shown
                .iter()
                .filter(|&&i| self.columns[i].fit != Fit::Cut)
                .map(|&i| natural[i])
                .sum::<usize>()
                + GAP * shown.len().saturating_sub(1);
            let cut: Vec<usize> = (shown.iter().copied())
                .filter(|&i| self.columns[i].fit == Fit::Cut)
                .collect();
            let room = width.saturating_sub(fixed);
            let wanted: usize = cut.iter().map(|&i| natural[i].min(COMFORT)).sum();
            let widths = share(room, &cut.iter().map(|&i| natural[i]).collect::<Vec<_>>());
            let layout = Layout {
                short,
                columns: shown
                    .iter()
                    .map(|&i| match cut.iter().position(|&c| c == i) {
                        Some(at) => (i, widths[at]),
                        None => (i, natural[i]),
                    })
                    .collect(),
            };
            if fixed + wanted <= width {
                return layout;
            }
            last = Some(layout);
        }
        last.unwrap_or(Layout {
            short: false,
            columns: Vec::new(),
        })
    }
}

struct Layout {
    short: bool,
    /// The columns shown, in order, each with its width.
    columns: Vec<(usize, usize)>,
}

/// `room` columns shared among columns that want `natural` each: the narrow ones get
/// what they want, the rest an equal share of what is left (at least one column each).
fn share(room: usize, natural: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&i| natural[i]);
    let mut widths = vec![0; natural.len()];
    let mut left = room;
    for (n, &i) in order.iter().enumerate() {
        let fair = left / (natural.len() - n);
        widths[i] = natural[i].min(fair).max(1);
        left = left.saturating_sub(widths[i]);
    }
    widths
}

/// Columns `text` takes on a terminal, character by character as a terminal advances
/// (cells hold escaped text: one line, no control characters).
pub(crate) fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// `text` in at most `width` columns: whole, or cut with `…` (a wide character that
/// would straddle the edge goes too).
pub(crate) fn cut(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if display_width(text) <= width {
        return text.into();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [Column; 4] = [
        col("ID", Fit::Whole),
        col("Name", Fit::Cut),
        col("Created", Fit::Optional(0)),
        col("Status", Fit::Whole),
    ];

    fn grid(name: &str, status: &str) -> Grid<'static> {
        let mut grid = Grid::new(&COLUMNS);
        grid.push(vec![
            Cell::new("key_0123456789abcdef"),
            Cell::new(name),
            Cell::new("2026-12-01 13:39"),
            Cell::status(status.to_owned(), Some("Active".into()), Status::Active),
        ]);
        grid
    }

    fn lines(grid: &Grid<'_>, width: usize) -> Vec<String> {
        grid.render(Some(width), false)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn fits_whole_when_there_is_room() {
        assert_eq!(
            lines(&grid("CI", "Active"), 80),
            [
                "ID                    Name  Created           Status",
                "key_0123456789abcdef  CI    2026-12-01 13:39  Active",
            ]
        );
    }

    #[test]
    fn cuts_names_then_shortens_then_leaves_columns_out() {
        let long = "n".repeat(100);
        for width in [40, 60, 80, 120] {
            for line in lines(&grid(&long, "Active → key_zyxwvutsrqponmlk"), width) {
                assert!(display_width(&line) <= width, "{width}: {line}");
            }
        }
        let rows = lines(&grid(&long, "Active"), 60);
        assert!(rows[1].contains("2026-12-01 13:39") && rows[1].contains('…'));
        let rows = lines(&grid(&long, "Active → key_zyxwvutsrqponmlk"), 60);
        assert!(rows[1].ends_with("  Active"), "{rows:?}");
        let rows = lines(&grid(&long, "Active"), 40);
        assert!(!rows[0].contains("Created"), "{rows:?}");
        assert!(
            rows[1].starts_with("key_0123456789abcdef  nnnn"),
            "{rows:?}"
        );
    }

    #[test]
    fn cuts_wide_characters_whole() {
        assert_eq!(cut("東京東京", 5), "東京…");
        assert_eq!(cut("東京東京", 4), "東…");
        assert_eq!(cut("東京", 4), "東京");
        assert_eq!(cut("abcdef", 3), "ab…");
    }

    #[test]
    fn shares_room_fairly() {
        assert_eq!(share(30, &[5, 40, 40]), [5, 12, 13]);
        assert_eq!(share(100, &[5, 40]), [5, 40]);
        assert_eq!(share(1, &[5, 40]), [1, 1]);
    }
}
