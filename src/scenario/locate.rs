//! Finding where a key is in the scenario text, and naming the key a byte offset falls in.
//! Validation works on values and reports a key path; this module turns that path into a
//! line and column, with array-of-table elements named by their `name` key.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A key of a table.
    Key(String),
    /// An element of an array (`[[image]]` tables are elements of the `image` array).
    Index(usize),
}

/// Builds a path from `"image", 2usize, "used_gb"`-style segments.
#[macro_export]
#[doc(hidden)]
macro_rules! key_path {
    ($($seg:expr),* $(,)?) => { vec![$($crate::scenario::locate::Seg::from($seg)),*] };
}

impl From<&str> for Seg {
    fn from(key: &str) -> Seg {
        Seg::Key(key.to_string())
    }
}

impl From<String> for Seg {
    fn from(key: String) -> Seg {
        Seg::Key(key)
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Seg {
        Seg::Index(index)
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// The span of the deepest part of `path` present in the document (the key itself when it
/// exists, else its closest enclosing table), and the path rendered for people.
pub fn locate(root: &Spanned<DeTable<'_>>, path: &[Seg]) -> (Option<Range<usize>>, String) {
    let mut span = None;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    let mut value: Option<&Spanned<DeValue<'_>>> = None;
    let mut shown = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(key);
                let found = table.and_then(|t| t.get_key_value(key.as_str()));
                match found {
                    Some((k, v)) => {
                        span = Some(k.span());
                        value = Some(v);
                        table = as_table(v);
                    }
                    None => {
                        table = None;
                        value = None;
                    }
                }
            }
            Seg::Index(i) => {
                let element = value.and_then(|v| match v.get_ref() {
                    DeValue::Array(items) => items.get(*i),
                    _ => None,
                });
                match element.and_then(|e| as_table(e).and_then(name_of)) {
                    Some(name) => {
                        shown.push('.');
                        shown.push_str(&name);
                    }
                    None => shown.push_str(&format!("[{}]", i + 1)),
                }
                if let Some(e) = element {
                    span = Some(e.span());
                }
                value = element;
                table = element.and_then(as_table);
            }
        }
    }
    (span, shown)
}

/// The innermost key path whose key, value or array element contains `offset`. Table and
/// array spans cover only their headers, so every entry is searched, not just containers.
pub fn path_at(root: &Spanned<DeTable<'_>>, offset: usize) -> Vec<Seg> {
    let mut best: Option<(usize, Vec<Seg>)> = None;
    let mut path = Vec::new();
    search_table(root.get_ref(), offset, &mut path, &mut best);
    best.map(|(_, p)| p).unwrap_or_default()
}

fn consider(span: Range<usize>, offset: usize, path: &[Seg], best: &mut Option<(usize, Vec<Seg>)>) {
    let hit = span.contains(&offset) || (span.end == offset && span.start < span.end);
    if hit && best.as_ref().is_none_or(|(len, _)| span.len() <= *len) {
        *best = Some((span.len(), path.to_vec()));
    }
}

fn search_table(
    table: &DeTable<'_>,
    offset: usize,
    path: &mut Vec<Seg>,
    best: &mut Option<(usize, Vec<Seg>)>,
) {
    for (k, v) in table.iter() {
        path.push(Seg::Key(k.get_ref().to_string()));
        consider(k.span(), offset, path, best);
        search_value(v, offset, path, best);
        path.pop();
    }
}

fn search_value(
    value: &Spanned<DeValue<'_>>,
    offset: usize,
    path: &mut Vec<Seg>,
    best: &mut Option<(usize, Vec<Seg>)>,
) {
    consider(value.span(), offset, path, best);
    match value.get_ref() {
        DeValue::Table(t) => search_table(t, offset, path, best),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                search_value(item, offset, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

fn as_table<'a, 'i>(value: &'a Spanned<DeValue<'i>>) -> Option<&'a DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

fn name_of(table: &DeTable<'_>) -> Option<String> {
    match table.get("name").map(|v| v.get_ref()) {
        Some(DeValue::String(s)) => Some(s.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[scenario]\nname = \"x\"\n\n[[image]]\nname = \"a\"\nused_gb = 1\n\n[[image]]\nused_gb = { dist = \"pert\", min = 1 }\n";

    #[test]
    fn locates_keys_in_arrays_of_tables() {
        let root = DeTable::parse(DOC).unwrap();
        let path = crate::key_path!["image", 0usize, "used_gb"];
        let (span, shown) = locate(&root, &path);
        assert_eq!(shown, "image.a.used_gb");
        assert_eq!(line_col(DOC, span.unwrap().start), (6, 1));
        let path = crate::key_path!["image", 1usize, "used_gb", "max"];
        let (span, shown) = locate(&root, &path);
        assert_eq!(shown, "image[2].used_gb.max");
        assert_eq!(
            line_col(DOC, span.unwrap().start).0,
            9,
            "falls back to the enclosing key"
        );
    }

    #[test]
    fn names_the_key_under_an_offset() {
        let root = DeTable::parse(DOC).unwrap();
        let offset = DOC.find("pert").unwrap();
        let path = path_at(&root, offset);
        assert_eq!(path, crate::key_path!["image", 1usize, "used_gb", "dist"]);
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é=1", 2), (1, 2), "é is two bytes, one column");
    }
}
