//! Error types, and the exit code each maps to (2 for bad input or usage, 1 otherwise).

use std::fmt;
use std::path::PathBuf;

/// Anything that stops gallerysim.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scenario file (or a command-line value) is invalid: exit code 2.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Reading or writing a file failed: exit code 1.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Writing the rows of an output CSV file failed (a value the format cannot hold, or
    /// its buffer): exit code 1, as for any output that cannot be written.
    #[error("{file}: {source}")]
    Csv {
        /// The CSV file's name.
        file: String,
        /// What the CSV writer said.
        source: csv::Error,
    },
    /// Rendering a chart failed: exit code 1.
    #[error("chart {name}: {message}")]
    Chart {
        /// The chart's file stem.
        name: String,
        /// What the renderer said.
        message: String,
    },
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Io { .. } | Error::Csv { .. } | Error::Chart { .. } => 1,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Largest input file read (scenario, price catalog, price page): 64 MiB.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Why an input file could not be read (its message names the file and the limit).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file is missing or unreadable.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A folder, a device or anything else but a regular file.
    #[error("{} is not a regular file", .0.display())]
    NotAFile(PathBuf),
    /// Larger than [`MAX_INPUT_BYTES`].
    #[error("{} has {bytes} bytes, more than the {} MiB an input file may have", path.display(), MAX_INPUT_BYTES >> 20)]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// It grew past the limit while being read.
    #[error("{} grew past {} MiB while being read", .0.display(), MAX_INPUT_BYTES >> 20)]
    Grew(PathBuf),
    /// Not UTF-8 text.
    #[error("{} is not a UTF-8 text file (invalid byte at offset {offset})", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Offset of the first invalid byte.
        offset: usize,
    },
}

/// [`read_input`], its failure as an input error naming the file: `cannot {doing}: ...`
/// (exit 2).
pub fn read_input_named(path: &std::path::Path, doing: &str) -> Result<String, InputError> {
    read_input(path).map_err(|message| InputError {
        file: path.display().to_string(),
        line: None,
        column: None,
        key: None,
        message: format!("cannot {doing}: {message}"),
    })
}

/// Reads an input file: a regular file of at most [`MAX_INPUT_BYTES`], as UTF-8 text
/// without a leading byte-order mark. A device, a folder, a missing file or an oversized one
/// is an error naming the limit, found before reading (`/dev/zero` fails at once).
pub fn read_input(path: &std::path::Path) -> Result<String, ReadError> {
    use std::io::Read as _;
    let unreadable = |source| ReadError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(path.to_path_buf()));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            bytes: meta.len(),
        });
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ReadError::Grew(path.to_path_buf()));
    }
    // A UTF-8 byte-order mark (as Windows editors save files) is not part of the text: one
    // rule for every input, so TOML, CSV and JSON parsers never see it.
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    if bom {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_path_buf(),
        // An offset in the file as it is on disk, mark included.
        offset: e.utf8_error().valid_up_to() + if bom { 3 } else { 0 },
    })
}

/// Invalid input, located as precisely as we can: file, line, column and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file as the user named it (or the bundled scenario's name).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The offending key as a dotted path, e.g. `image.cs101.used_gb`.
    pub key: Option<String>,
    /// What is wrong, and where possible how to fix it.
    pub message: String,
}

impl std::error::Error for InputError {}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The first `n` of `names` for a message, `a, b, c and 4 more` beyond them.
pub fn first_of(names: &[String], n: usize) -> String {
    let shown = names.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(n) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// A name (of a scenario, gallery, image, lab, deployment or variant) shown safely in
/// terminals, CSV, SVG and HTML: refused, with the reason, when it holds a hidden character.
pub fn check_name(name: &str) -> Result<(), HiddenCharacter> {
    match name.chars().any(is_hidden_char) {
        true => Err(HiddenCharacter(name.to_string())),
        false => Ok(()),
    }
}

/// A name holding a hidden character (see [`is_hidden_char`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must not contain control characters or invisible formatting characters such as bidi overrides (got {0:?})")]
pub struct HiddenCharacter(pub String);

/// Whether `c` must not appear in a name: a control character (ANSI escapes, newlines) or an
/// invisible Unicode format character that changes how the text around it is shown (bidi
/// overrides such as U+202E and U+061C, zero-width characters, line and paragraph separators,
/// the soft hyphen, the byte-order mark). Names reach terminals, CSV files, SVG charts and
/// HTML, where either can disguise or break the text.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}
