//! Every input a scenario is built from, as one value. [`Inputs::read`] is the edge: it reads
//! the scenario file, then the files it names (its `[prices] catalog`, relative to its
//! folder), once. [`Scenario::build`](super::Scenario::build) is then a pure function of the
//! inputs and the [`Overrides`](super::Overrides): validation reads no file, so a merge
//! rebuilds a shard's scenario from the texts the partial recorded.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{CatalogInput, CatalogText, Override, DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};
use crate::error::{InputError, ReadError};

/// A scenario's inputs, read: its text, the catalog given beside it and the files it names.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// How the scenario is named in messages and outputs (its path as given, or the bundled
    /// scenario's name).
    pub label: String,
    /// The scenario text as read (`--set` overrides are applied when it is built).
    pub text: String,
    /// Where its price catalog comes from.
    pub catalog: CatalogInput,
    /// The files the scenario names (today its `[prices] catalog`), read relative to its
    /// folder; a file that could not be read is an error at the key that names it.
    pub files: Vec<InputFile>,
}

/// A file a scenario names, as read at the edge.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Where it was read: the scenario's folder joined with the name the scenario gives.
    pub path: PathBuf,
    /// Its text (and the name its contents are shown by), or why it could not be read.
    pub read: Result<Arc<CatalogText>, Arc<ReadError>>,
}

impl Inputs {
    /// Scenario text held in memory, naming no file beside it: `label` names it in messages.
    pub fn text(label: &str, text: &str) -> Inputs {
        Inputs {
            label: label.to_string(),
            text: text.to_string(),
            catalog: CatalogInput::Named,
            files: Vec::new(),
        }
    }

    /// The bundled default scenario.
    pub fn bundled() -> Inputs {
        Inputs::text(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO)
    }

    /// Reads every input file, once: the price catalog `prices` (`--prices`, whatever the
    /// scenario names), the scenario (the bundled default when `scenario` is None), then the
    /// catalog the scenario names after `set` when none was given, relative to the scenario's
    /// folder. A missing `--prices` or scenario file is an error here; a catalog the scenario
    /// names but that cannot be read is one when the scenario is built, at its key.
    pub fn read(
        scenario: Option<&Path>,
        prices: Option<&Path>,
        set: &[Override],
    ) -> Result<Inputs, InputError> {
        let given = prices.map(read_prices).transpose()?;
        let mut inputs = match scenario {
            Some(path) => Inputs {
                label: path.display().to_string(),
                text: crate::error::read_input_named(path, "use the scenario file")?,
                catalog: CatalogInput::Named,
                files: Vec::new(),
            },
            None => Inputs::bundled(),
        };
        match given {
            Some(catalog) => inputs.catalog = CatalogInput::Given(Some(catalog)),
            None => inputs.read_named(set),
        }
        Ok(inputs)
    }

    /// These inputs for the scenario built with `set` (a variant's or a swept value's
    /// overrides): with the catalog read that `set` names instead, if it names one through
    /// `prices.catalog`; else these.
    pub fn with_named(&self, set: &[Override]) -> Cow<'_, Inputs> {
        let renamed = set
            .iter()
            .any(|o| o.path == "prices" || o.path == "prices.catalog");
        if !renamed || !matches!(self.catalog, CatalogInput::Named) {
            return Cow::Borrowed(self);
        }
        let mut inputs = self.clone();
        inputs.read_named(set);
        Cow::Owned(inputs)
    }

    /// Reads the catalog the scenario names once `set` is applied, unless read already
    /// (none when the text or the overrides do not parse: building the scenario says why).
    fn read_named(&mut self, set: &[Override]) {
        let Ok(text) = super::overrides::apply(&self.text, set) else {
            return;
        };
        let Some(named) = named_catalog(&text) else {
            return;
        };
        let path = folder(&self.label).join(named);
        if self.file(&path).is_some() {
            return;
        }
        let read = read_catalog(&path).map_err(Arc::new);
        self.files.push(InputFile { path, read });
    }

    /// The file read at `path`, if any.
    pub(super) fn file(&self, path: &Path) -> Option<&InputFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// `--prices`: a missing or unreadable file is named as that argument, and its prices are
/// shown by the name given. The catalog is its text: the same text at another path is the
/// same catalog, and no path enters the scenario text.
fn read_prices(path: &Path) -> Result<Arc<CatalogText>, InputError> {
    read_catalog(path).map_err(|e| InputError {
        file: "command line".to_string(),
        line: None,
        column: None,
        key: Some("--prices".to_string()),
        message: e.to_string(),
    })
}

/// A price catalog's text, shown by its path.
fn read_catalog(path: &Path) -> Result<Arc<CatalogText>, ReadError> {
    Ok(Arc::new(CatalogText {
        label: path.display().to_string(),
        text: crate::error::read_input(path)?,
    }))
}

/// The folder of the scenario named `label`: files it names are relative to it.
pub(super) fn folder(label: &str) -> PathBuf {
    Path::new(label)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The file `[prices] catalog` names in scenario `text`, if the text parses that far. Only
/// that key is read (the text is parsed in full when the scenario is built); a text without
/// the word is not parsed here.
fn named_catalog(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Document {
        #[serde(default)]
        prices: Prices,
    }
    #[derive(serde::Deserialize, Default)]
    struct Prices {
        catalog: Option<String>,
    }
    if !text.contains("catalog") {
        return None;
    }
    toml::from_str::<Document>(text).ok()?.prices.catalog
}
