//! `--set PATH=VALUE`: edits a scenario document before validation, so every override goes
//! through the same checks as the file itself.
//!
//! Paths name tables and keys with dots; an element of an array of tables (`[[gallery]]`,
//! `[[account]]`, `[[image]]`, `[[lab]]`) is named by its `name`:
//! `gallery.campus.keep_versions=2`, `image.cs101.used_gb=60`, `scenario.runs=2000`,
//! `prices.snapshot_gb_month.eastus=0.06`. Values are TOML (`60`, `"text"`,
//! `{ dist = "pert", min = 1, mode = 2, max = 4 }`, `["eastus", "westus2"]`); a value that is
//! not valid TOML is taken as a string. An empty value (`PATH=`) removes the key, so the
//! scenario's default applies; the key must exist (`PATH='""'` sets an empty string).

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// One `PATH=VALUE` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Dotted key path.
    pub path: String,
    /// The value as written.
    pub value: String,
}

impl Override {
    /// Parses `PATH=VALUE`.
    pub fn parse(text: &str) -> Result<Override, OverrideError> {
        const MAX_SEGMENTS: usize = 8;
        const MAX_VALUE_BYTES: usize = 64 * 1024;
        let (path, value) = text
            .split_once('=')
            .ok_or_else(|| OverrideError::NoEquals(text.to_string()))?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(OverrideError::NotDotted(text.to_string()));
        }
        // The deepest scenario key has five segments (image.NAME.used_gb.min, prices...).
        if path.split('.').count() > MAX_SEGMENTS {
            return Err(OverrideError::TooDeep(MAX_SEGMENTS));
        }
        if value.len() > MAX_VALUE_BYTES {
            return Err(OverrideError::TooLarge(MAX_VALUE_BYTES));
        }
        Ok(Override {
            path: path.to_string(),
            value: value.trim().to_string(),
        })
    }
}

/// Why a `--set` (or `--variant`) override cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// No `=`.
    #[error("`{0}`: expected PATH=VALUE, e.g. gallery.campus.keep_versions=2")]
    NoEquals(String),
    /// An empty path or an empty segment.
    #[error("`{0}`: the path must be dotted keys, e.g. image.cs101.used_gb")]
    NotDotted(String),
    /// More segments than any scenario key has.
    #[error("the path has more than {0} dotted keys; no scenario key is that deep")]
    TooDeep(usize),
    /// A value too large for the command line.
    #[error("the value has more than {0} bytes; put large edits in the scenario file")]
    TooLarge(usize),
    /// The same key twice in one list.
    #[error("`{path}` is given twice ({first} and {second}); give each key once")]
    Twice {
        /// The key.
        path: String,
        /// Its first value.
        first: String,
        /// Its second value.
        second: String,
    },
    /// The path ends at a table.
    #[error("`{0}` is a table: name a key inside it, e.g. {0}.KEY=VALUE")]
    IsTable(String),
    /// The path goes through a value.
    #[error("`{0}` is a value, not a table")]
    IsValue(String),
    /// No `[[table]]` of that name.
    #[error("no [[{table}]] named `{name}`; defined: {defined}")]
    NoEntry {
        /// The array of tables.
        table: String,
        /// The name asked for.
        name: String,
        /// The names defined.
        defined: String,
    },
    /// `PATH=` names a key the document does not have.
    #[error("`{0}=` removes a key, but the scenario has no `{0}`")]
    NoKey(String),
    /// The path ends at a `[[table]]` entry.
    #[error("name a key of [[{table}]] `{name}`, e.g. {table}.{name}.KEY=VALUE")]
    EntryWithoutKey {
        /// The array of tables.
        table: String,
        /// The entry.
        name: String,
    },
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

/// What a command changes in a scenario before it is validated: `--set` edits of its text,
/// and `--runs` and `--seed`, which replace `scenario.runs` and `scenario.seed` and are
/// checked as those keys are (an error names the flag).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--set PATH=VALUE` (and a variant's or a swept value's), applied to the text in order.
    pub set: Vec<Override>,
    /// `--runs`.
    pub runs: Option<u32>,
    /// `--seed`.
    pub seed: Option<u64>,
}

impl Overrides {
    /// These overrides with `scenario.runs` and `scenario.seed` replaced by `runs` and `seed`
    /// (a comparison's or a sweep's common random numbers, a partial's header).
    pub fn with_runs_seed(&self, runs: u32, seed: u64) -> Overrides {
        Overrides {
            set: self.set.clone(),
            runs: Some(runs),
            seed: Some(seed),
        }
    }

    /// These overrides and `more` `--set` edits after them.
    pub fn and_set(&self, more: impl IntoIterator<Item = Override>) -> Overrides {
        let mut all = self.clone();
        all.set.extend(more);
        all
    }
}

/// Refuses a key given twice in one list of overrides (`--set`, one `--variant`): the last
/// value would silently win. Returns the key and its two values.
pub fn distinct(overrides: &[Override]) -> Result<(), OverrideError> {
    let mut seen = std::collections::HashMap::new();
    for o in overrides {
        if let Some(first) = seen.insert(o.path.as_str(), o.value.as_str()) {
            return Err(OverrideError::Twice {
                path: o.path.clone(),
                first: first.to_string(),
                second: o.value.clone(),
            });
        }
    }
    Ok(())
}

/// Applies `overrides` in order to the document `text`. A document that does not parse is
/// returned unchanged, so that validation reports its syntax error with a line.
pub fn apply(text: &str, overrides: &[Override]) -> Result<String, (usize, OverrideError)> {
    if overrides.is_empty() {
        return Ok(text.to_string());
    }
    let Ok(mut doc) = text.parse::<DocumentMut>() else {
        return Ok(text.to_string());
    };
    for (i, o) in overrides.iter().enumerate() {
        let segs: Vec<&str> = o.path.split('.').collect();
        let edit = match o.value.is_empty() {
            true => Edit::Remove(&o.path),
            false => Edit::Set(parse_value(&o.value)),
        };
        set(&mut doc, &segs, edit).map_err(|message| (i, message))?;
    }
    Ok(doc.to_string())
}

fn parse_value(text: &str) -> Value {
    text.parse::<Value>().unwrap_or_else(|_| Value::from(text))
}

/// What an override does to its key.
enum Edit<'a> {
    /// Sets the key (adding it and the tables on its path when missing).
    Set(Value),
    /// Removes the key, which must exist; holds the whole path, for the error.
    Remove(&'a str),
}

impl Edit<'_> {
    /// The error when a table on the path is missing: removing never creates one.
    fn missing(&self) -> Result<(), OverrideError> {
        match self {
            Edit::Set(_) => Ok(()),
            Edit::Remove(path) => Err(OverrideError::NoKey(path.to_string())),
        }
    }
}

fn set(doc: &mut DocumentMut, segs: &[&str], value: Edit) -> Result<(), OverrideError> {
    let (first, rest) = segs.split_first().expect("non-empty path");
    if rest.is_empty() {
        return Err(OverrideError::IsTable(first.to_string()));
    }
    let root = doc.as_table_mut();
    if !root.contains_key(first) {
        value.missing()?;
        root.insert(first, Item::Table(Table::new()));
    }
    match root.get_mut(first).expect("just ensured") {
        Item::ArrayOfTables(array) => {
            let (name, rest) = rest.split_first().expect("checked non-empty");
            let names: Vec<String> = array
                .iter()
                .filter_map(|t| t.get("name").and_then(Item::as_str).map(str::to_string))
                .collect();
            let table = array
                .iter_mut()
                .find(|t| t.get("name").and_then(Item::as_str) == Some(name))
                .ok_or_else(|| OverrideError::NoEntry {
                    table: first.to_string(),
                    name: name.to_string(),
                    defined: names.join(", "),
                })?;
            if rest.is_empty() {
                return Err(OverrideError::EntryWithoutKey {
                    table: first.to_string(),
                    name: name.to_string(),
                });
            }
            set_in_table(table, rest, value)
        }
        Item::Table(table) => set_in_table(table, rest, value),
        _ => Err(OverrideError::IsValue(first.to_string())),
    }
}

fn set_in_table(table: &mut Table, segs: &[&str], value: Edit) -> Result<(), OverrideError> {
    let (key, rest) = segs.split_first().expect("non-empty");
    if rest.is_empty() {
        let value = match value {
            Edit::Set(value) => value,
            Edit::Remove(path) => return remove_from_table(table, key, path),
        };
        match table.get_mut(key) {
            Some(Item::Value(old)) => replace(old, value),
            Some(Item::Table(_)) | Some(Item::ArrayOfTables(_)) => {
                return Err(OverrideError::IsTable(key.to_string()))
            }
            _ => {
                table.insert(key, Item::Value(value));
            }
        }
        return Ok(());
    }
    if !table.contains_key(key) {
        value.missing()?;
        table.insert(key, Item::Value(Value::InlineTable(InlineTable::new())));
    }
    match table.get_mut(key).expect("just ensured") {
        Item::Table(inner) => set_in_table(inner, rest, value),
        Item::Value(Value::InlineTable(inner)) => set_in_inline(inner, rest, value),
        _ => Err(OverrideError::IsValue(key.to_string())),
    }
}

fn set_in_inline(table: &mut InlineTable, segs: &[&str], value: Edit) -> Result<(), OverrideError> {
    let (key, rest) = segs.split_first().expect("non-empty");
    if rest.is_empty() {
        let value = match value {
            Edit::Set(value) => value,
            Edit::Remove(path) => {
                return match table.remove(key) {
                    Some(_) => Ok(()),
                    None => Err(OverrideError::NoKey(path.to_string())),
                }
            }
        };
        match table.get_mut(key) {
            Some(old) => replace(old, value),
            None => {
                table.insert(*key, value);
            }
        }
        return Ok(());
    }
    if !table.contains_key(key) {
        value.missing()?;
        table.insert(*key, Value::InlineTable(InlineTable::new()));
    }
    match table.get_mut(key).expect("just ensured") {
        Value::InlineTable(inner) => set_in_inline(inner, rest, value),
        _ => Err(OverrideError::IsValue(key.to_string())),
    }
}

/// Removes `key = value` from a table, leaving a comment with as many lines in its place (after
/// the previous key's value, or the table's header), so that validation errors still name the
/// file's own lines.
fn remove_from_table(table: &mut Table, key: &str, path: &str) -> Result<(), OverrideError> {
    let Some(position) = table.iter().position(|(k, _)| k == key) else {
        return Err(OverrideError::NoKey(path.to_string()));
    };
    let (removed_key, removed) = table.remove_entry(key).expect("just found");
    if !removed.is_value() {
        // A sub-table has its own header lines: put it back and refuse.
        table.insert_formatted(&removed_key, removed);
        return Err(OverrideError::IsTable(key.to_string()));
    }
    let prefix = removed_key
        .leaf_decor()
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .to_string();
    let value_lines = removed.to_string().matches('\n').count();
    let note = format!(
        "\n{prefix}# {key}: removed by --set {path}={}",
        "\n#".repeat(value_lines)
    );
    let previous = match position {
        0 => None,
        i => table.iter_mut().nth(i - 1).map(|(_, item)| item),
    };
    match previous.and_then(Item::as_value_mut) {
        Some(value) => {
            let suffix = value
                .decor()
                .suffix()
                .and_then(|s| s.as_str())
                .unwrap_or("");
            let suffix = format!("{suffix}{note}");
            value.decor_mut().set_suffix(suffix);
        }
        None => {
            let decor = table.decor_mut();
            let suffix = decor.suffix().and_then(|s| s.as_str()).unwrap_or("");
            let suffix = format!("{suffix}{note}");
            decor.set_suffix(suffix);
        }
    }
    Ok(())
}

/// Replaces a value, keeping the comments and spacing around it.
fn replace(old: &mut Value, value: Value) {
    let decor = old.decor().clone();
    *old = value;
    *old.decor_mut() = decor;
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[scenario]\nname = \"x\" # comment\nruns = 1\n\n[[gallery]]\nname = \"campus\"\nkeep_versions = 0\n\n[[image]]\nname = \"cs101\"\nused_gb = 40\n";

    fn set_all(pairs: &[&str]) -> Result<String, (String, OverrideError)> {
        let overrides: Vec<Override> = pairs.iter().map(|p| Override::parse(p).unwrap()).collect();
        apply(DOC, &overrides).map_err(|(i, e)| (overrides[i].path.clone(), e))
    }

    #[test]
    fn edits_keep_lines_and_comments() {
        let out = set_all(&[
            "scenario.runs=2000",
            "gallery.campus.keep_versions=2",
            "scenario.name=Other",
        ])
        .unwrap();
        assert!(out.contains("runs = 2000\n"));
        assert!(out.contains("keep_versions = 2\n"));
        assert!(out.contains("name = \"Other\" # comment"), "{out}");
        assert_eq!(out.lines().count(), DOC.lines().count(), "same lines");
    }

    #[test]
    fn inline_tables_and_new_keys() {
        let out = set_all(&[
            "image.cs101.used_gb={ dist = \"pert\", min = 30, mode = 40, max = 60 }",
            "prices.snapshot_gb_month.eastus=0.06",
        ])
        .unwrap();
        let parsed: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(parsed["image"][0]["used_gb"]["mode"].as_integer(), Some(40));
        assert_eq!(
            parsed["prices"]["snapshot_gb_month"]["eastus"].as_float(),
            Some(0.06)
        );
    }

    #[test]
    fn an_empty_value_removes_the_key_and_keeps_the_lines() {
        let out = set_all(&["scenario.runs=", "gallery.campus.keep_versions="]).unwrap();
        let parsed: toml::Table = toml::from_str(&out).unwrap();
        assert!(!parsed["scenario"].as_table().unwrap().contains_key("runs"));
        assert_eq!(parsed["scenario"]["name"].as_str(), Some("x"));
        assert!(!parsed["gallery"][0]
            .as_table()
            .unwrap()
            .contains_key("keep_versions"));
        assert_eq!(
            out.lines().count(),
            DOC.lines().count(),
            "same lines:\n{out}"
        );
        // The next line is where it was.
        let line = |text: &str, what: &str| text.lines().position(|l| l.contains(what));
        assert_eq!(line(&out, "[[image]]"), line(DOC, "[[image]]"), "{out}");
        assert!(
            out.contains("# runs: removed by --set scenario.runs="),
            "{out}"
        );
        // In an inline table, and an explicit empty string still sets one.
        let out = set_all(&[
            "image.cs101.used_gb={ dist = \"pert\", min = 30, mode = 40, max = 60 }",
            "image.cs101.used_gb.mode=",
            "scenario.name=\"\"",
        ])
        .unwrap();
        let parsed: toml::Table = toml::from_str(&out).unwrap();
        assert!(!parsed["image"][0]["used_gb"]
            .as_table()
            .unwrap()
            .contains_key("mode"));
        assert_eq!(parsed["scenario"]["name"].as_str(), Some(""));
    }

    #[test]
    fn removing_a_missing_key_is_refused() {
        for path in [
            "scenario.seed",
            "gallery.campus.delete_on",
            "prices.snapshot_gb_month.eastus",
            "image.cs101.export_hours",
        ] {
            let (named, message) = set_all(&[&format!("{path}=")]).unwrap_err();
            assert_eq!(named, path);
            assert_eq!(
                message.to_string(),
                format!("`{path}=` removes a key, but the scenario has no `{path}`")
            );
        }
        assert!(matches!(
            set_all(&["image.nope.used_gb="]).unwrap_err().1,
            OverrideError::NoEntry { .. }
        ));
    }

    #[test]
    fn bad_paths_are_named() {
        let (path, message) = set_all(&["image.nope.used_gb=3"]).unwrap_err();
        assert_eq!(path, "image.nope.used_gb");
        assert!(
            message
                .to_string()
                .contains("no [[image]] named `nope`; defined: cs101"),
            "{message}"
        );
        assert!(set_all(&["scenario.runs.x=1"])
            .unwrap_err()
            .1
            .to_string()
            .contains("not a table"));
        assert!(Override::parse("scenario.runs").is_err());
        assert!(Override::parse("a..b=1").is_err());
    }
}
