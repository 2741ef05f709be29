//! The server's mutable state. It lives behind one `std::sync::Mutex` that is never held across
//! an `.await`, so every mutation happens in the order the client sent it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::document::Document;
use super::settings::Settings;
use crate::config::{self, Config, ConfigError};
use crate::line_index::PositionEncoding;

/// What the client said it can do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientCaps {
    /// The client pulls diagnostics (`textDocument/diagnostic`); then we never push them, or
    /// they would show twice.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub snippets: bool,
    pub work_done_progress: bool,
    pub watched_files_registration: bool,
    pub document_changes: bool,
    /// Workspace edits may create (and so overwrite) files: how `fixWorkspace` transcodes.
    pub create_files: bool,
    /// The client re-requests what it shows when asked to (`workspace/…/refresh`): code lenses,
    /// inlay hints, semantic tokens. Their content follows the index and the settings.
    pub code_lens_refresh: bool,
    pub inlay_hint_refresh: bool,
    pub semantic_tokens_refresh: bool,
}

#[derive(Debug, Default)]
pub struct State {
    pub documents: HashMap<Uri, Document>,
    pub encoding: PositionEncoding,
    pub caps: ClientCaps,
    pub settings: Settings,
    /// Workspace folders.
    pub roots: Vec<PathBuf>,
    /// Loaded configuration files (by path) and directory -> nearest configuration file.
    configs: HashMap<PathBuf, Result<Arc<Config>, ConfigError>>,
    nearest: HashMap<PathBuf, Option<PathBuf>>,
    pub shutting_down: bool,
    /// Bumped whenever configuration or settings change (workspace diagnostics' result ids).
    pub config_generation: u64,
    /// What was last published for each configuration file (`None`: no error).
    pub config_reported: HashMap<PathBuf, Option<String>>,
    /// Progress tokens the client asked to cancel (`window/workDoneProgress/cancel`).
    pub cancelled_progress: std::collections::HashSet<tower_lsp_server::ls_types::ProgressToken>,
}

impl State {
    /// The configuration for a file: the settings' file, else the nearest `article-lsp.toml`,
    /// else defaults; with the settings' severity overrides. A broken configuration file falls
    /// back to defaults (its errors are reported on the file itself).
    pub fn config_for(&mut self, path: Option<&Path>) -> Arc<Config> {
        let file = match &self.settings.config_path {
            Some(explicit) => Some(explicit.clone()),
            None => path.and_then(Path::parent).and_then(|dir| self.nearest_config(dir)),
        };
        let base = match file.map(|f| self.load(&f)) {
            Some(Ok(config)) => config,
            _ => default_config(),
        };
        if self.settings.severity.is_empty() {
            return base;
        }
        match base.with_severity_overrides(&self.settings.severity) {
            Ok(config) => Arc::new(config),
            Err(_) => base,
        }
    }

    fn nearest_config(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(found) = self.nearest.get(dir) {
            return found.clone();
        }
        let found = config::find_config_file(dir);
        self.nearest.insert(dir.to_path_buf(), found.clone());
        found
    }

    fn load(&mut self, file: &Path) -> Result<Arc<Config>, ConfigError> {
        self.configs.entry(file.to_path_buf()).or_insert_with(|| Config::load(file).map(Arc::new)).clone()
    }

    /// Forgets every loaded configuration (a configuration file changed).
    pub fn reload_configs(&mut self) {
        self.config_generation += 1;
        self.configs.clear();
        self.nearest.clear();
    }

    /// Errors of the configuration files loaded so far, and of `extra` files, by path.
    pub fn config_errors(&mut self, extra: &[PathBuf]) -> Vec<(PathBuf, Option<ConfigError>)> {
        for file in extra {
            let _ = self.load(file);
        }
        self.configs.iter().map(|(path, loaded)| (path.clone(), loaded.clone().err())).collect()
    }
}

/// The built-in configuration, built once: building its globs cost a fifth of a keystroke
/// (it is asked for twice per keystroke in a folder without `article-lsp.toml`).
fn default_config() -> Arc<Config> {
    static DEFAULT: std::sync::OnceLock<Arc<Config>> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(|| Arc::new(Config::default())).clone()
}
