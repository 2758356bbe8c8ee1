//! The report model: what a command's report says, as data. The views (`report::view`) build
//! a [`Doc`] from analysed results; the terminal prints it as text ([`Doc::text`]) and
//! `report.html` as HTML with real tables ([`Doc::html`]). Neither printer computes anything.

use std::fmt::Write as _;

/// One piece of a report, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The report's first line (the HTML page shows it as its subtitle).
    Title(String),
    /// A section heading, as the terminal shows it (often ending with `:`, which the HTML
    /// drops).
    Heading(String),
    /// A line of text, indented `indent` levels under its heading (1: the usual).
    Line {
        /// Indent level.
        indent: usize,
        /// The text.
        text: String,
    },
    /// A bullet.
    Item(String),
    /// A table: the first row is the header; `right` marks numeric (right-aligned) columns.
    Table {
        /// Header, then rows.
        rows: Vec<Vec<String>>,
        /// Per column: right-aligned.
        right: Vec<bool>,
    },
}

/// A report: blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    /// The blocks.
    pub blocks: Vec<Block>,
}

impl Doc {
    /// A report starting with `title`.
    pub fn titled(title: impl Into<String>) -> Doc {
        Doc {
            blocks: vec![Block::Title(title.into())],
        }
    }

    /// Starts a section.
    pub fn heading(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Heading(text.into()));
    }

    /// A line under the current heading.
    pub fn line(&mut self, text: impl Into<String>) {
        self.indented(1, text);
    }

    /// A line `indent` levels in.
    pub fn indented(&mut self, indent: usize, text: impl Into<String>) {
        self.blocks.push(Block::Line {
            indent,
            text: text.into(),
        });
    }

    /// A bullet.
    pub fn item(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Item(text.into()));
    }

    /// A table: `header` then `rows`; `right` marks numeric columns.
    pub fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>, right: &[bool]) {
        let mut all = vec![header.iter().map(|h| h.to_string()).collect()];
        all.extend(rows);
        self.blocks.push(Block::Table {
            rows: all,
            right: right.to_vec(),
        });
    }

    /// A table without a header row (a listing).
    pub fn listing(&mut self, rows: Vec<Vec<String>>, right: &[bool]) {
        self.blocks.push(Block::Table {
            rows,
            right: right.to_vec(),
        });
    }

    /// Appends another report's blocks.
    pub fn extend(&mut self, other: Doc) {
        self.blocks.extend(other.blocks);
    }

    /// The report as terminal text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Title(t) => {
                    let _ = writeln!(out, "{t}");
                }
                Block::Heading(h) => {
                    let _ = writeln!(out, "\n{h}");
                }
                Block::Line { indent, text } => {
                    let _ = writeln!(out, "{}{text}", "  ".repeat(*indent));
                }
                Block::Item(text) => {
                    let _ = writeln!(out, "  - {text}");
                }
                Block::Table { rows, right } => text_table(&mut out, rows, right),
            }
        }
        out
    }

    /// The report as an HTML fragment: headings, paragraphs, lists and tables (the title is
    /// left to the page).
    pub fn html(&self) -> String {
        let mut out = String::new();
        let mut in_list = false;
        for block in &self.blocks {
            let is_item = matches!(block, Block::Item(_));
            if in_list && !is_item {
                out.push_str("</ul>\n");
            }
            if is_item && !in_list {
                out.push_str("<ul>\n");
            }
            in_list = is_item;
            match block {
                Block::Title(_) => {}
                Block::Heading(h) => {
                    let _ = writeln!(out, "<h3>{}</h3>", esc(h.trim_end_matches(':')));
                }
                Block::Line { indent, text } => {
                    let _ = writeln!(
                        out,
                        "<p class=\"l{}\">{}</p>",
                        indent.min(&3),
                        esc(text.trim())
                    );
                }
                Block::Item(text) => {
                    let _ = writeln!(out, "<li>{}</li>", esc(text));
                }
                Block::Table { rows, right } => html_table(&mut out, rows, right),
            }
        }
        if in_list {
            out.push_str("</ul>\n");
        }
        out
    }
}

/// Lays out rows in columns; `right` marks right-aligned (numeric) columns.
fn text_table(out: &mut String, rows: &[Vec<String>], right: &[bool]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|x| x.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from(" ");
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            line.push(' ');
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn html_table(out: &mut String, rows: &[Vec<String>], right: &[bool]) {
    out.push_str("<table>\n");
    for (i, row) in rows.iter().enumerate() {
        out.push_str("<tr>");
        for (c, cell) in row.iter().enumerate() {
            let tag = if i == 0 { "th" } else { "td" };
            let class = if right.get(c).copied().unwrap_or(false) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(out, "<{tag}{class}>{}</{tag}>", esc(cell.trim()));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// Escapes text for HTML; control characters (but newline and tab) become U+FFFD.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_model_printed_as_text_and_as_html() {
        let mut doc = Doc::titled("g: 12 months");
        doc.heading("Cost:");
        doc.table(
            &["region", "total"],
            vec![vec!["eastus".into(), "$1.00".into()]],
            &[false, true],
        );
        doc.line("about $0.08 per month");
        doc.item("a <warning>");
        assert_eq!(
            doc.text(),
            "g: 12 months\n\nCost:\n  region total\n  eastus $1.00\n  about $0.08 per month\n  - a <warning>\n"
        );
        let html = doc.html();
        assert!(html.contains("<h3>Cost</h3>"));
        assert!(html.contains("<tr><th>region</th><th class=\"n\">total</th></tr>"));
        assert!(html.contains("<tr><td>eastus</td><td class=\"n\">$1.00</td></tr>"));
        assert!(html.contains("<ul>\n<li>a &lt;warning&gt;</li>\n</ul>"));
        assert!(
            !html.contains("12 months"),
            "the page shows the title itself"
        );
    }
}
