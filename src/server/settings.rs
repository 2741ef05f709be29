//! Editor settings: `initializationOptions` and `workspace/didChangeConfiguration`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;
use serde::Deserialize;

/// Settings an editor may pass. Every key is optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// A configuration file to use instead of the nearest `article-lsp.toml`.
    pub config_path: Option<PathBuf>,
    /// Severity overrides per code (`"mojibake": "error"`), on top of the configuration file.
    pub severity: BTreeMap<String, String>,
    /// Pretend the current time is this instant (reproducible tests and demos).
    pub now: Option<Timestamp>,
    /// Index the workspace folders (default true).
    pub index_workspace: Option<bool>,
    /// At most this many diagnostics are shown per document (default
    /// [`DEFAULT_MAX_DIAGNOSTICS`]), then one that says how many more there are.
    pub max_diagnostics: Option<usize>,
    /// Which inlay hints to show, and the display time zone.
    pub inlay_hints: super::ide_features::InlayHintOptions,
}

/// Enough for any article a person would fix by hand, while a file of random bytes (hundreds of
/// thousands of findings) still costs a bounded message per keystroke.
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 5_000;

impl Settings {
    /// Reads settings from a JSON value; an `articleLsp` or `article-lsp` section is unwrapped
    /// (VS Code sends settings by section). Unknown keys are ignored; a malformed value yields
    /// the defaults and an error message for the log.
    pub fn from_json(value: Option<serde_json::Value>) -> (Settings, Option<String>) {
        let Some(mut value) = value else {
            return (Settings::default(), None);
        };
        for section in ["articleLsp", "article-lsp"] {
            if let Some(inner) = value.get(section) {
                value = inner.clone();
            }
        }
        if value.is_null() {
            return (Settings::default(), None);
        }
        match serde_json::from_value(value) {
            Ok(settings) => (settings, None),
            Err(err) => (Settings::default(), Some(format!("invalid article-lsp settings: {err}"))),
        }
    }

    pub fn max_diagnostics(&self) -> usize {
        self.max_diagnostics.unwrap_or(DEFAULT_MAX_DIAGNOSTICS)
    }

    /// The time checks compare dates with: the setting, else the current minute. Whole minutes
    /// let cached front matter findings (which name the time in `future-date` messages) be
    /// reused for a minute instead of redone on every keystroke.
    pub fn now(&self) -> Timestamp {
        self.now.unwrap_or_else(current_minute)
    }
}

fn current_minute() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_second(now.as_second() - now.as_second().rem_euclid(60)).unwrap_or(now)
}
