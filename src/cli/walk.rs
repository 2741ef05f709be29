//! Finding article files: explicit files, directories walked recursively (honouring
//! `.gitignore` and the configuration's globs), or `-` for standard input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Config, ConfigError};

/// One thing to check.
#[derive(Debug, Clone)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// An input and the configuration that applies to it.
pub type Job = (Input, Arc<Config>);

/// A path (or configuration) that cannot be checked, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    /// The path named on the command line or found in a walk, when there is one.
    pub path: Option<String>,
    pub message: String,
}

impl Trouble {
    fn general(message: impl ToString) -> Trouble {
        Trouble { path: None, message: message.to_string() }
    }
}

/// Configuration per directory: the nearest `article-lsp.toml`, loaded once.
pub struct Configs {
    explicit: Option<Arc<Config>>,
    by_file: HashMap<PathBuf, Arc<Config>>,
    default: Arc<Config>,
}

impl Configs {
    /// `explicit` (from `--config`) overrides discovery.
    pub fn new(explicit: Option<&Path>) -> Result<Configs, ConfigError> {
        let explicit = explicit.map(Config::load).transpose()?.map(Arc::new);
        Ok(Configs { explicit, by_file: HashMap::new(), default: Arc::new(Config::default()) })
    }

    /// The configuration that applies to files in `dir`.
    pub fn for_dir(&mut self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(config) = &self.explicit {
            return Ok(config.clone());
        }
        let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let Some(file) = config::find_config_file(&absolute) else {
            return Ok(self.default.clone());
        };
        if let Some(config) = self.by_file.get(&file) {
            return Ok(config.clone());
        }
        let config = Arc::new(Config::load(&file)?);
        self.by_file.insert(file, config.clone());
        Ok(config)
    }
}

/// Expands the command line's paths into inputs, each with its configuration. Directory
/// entries are sorted so output is stable. Errors (missing paths, bad configuration) are
/// collected, not fatal, so one bad path does not hide the others' findings.
pub fn collect(paths: &[PathBuf], configs: &mut Configs) -> (Vec<Job>, Vec<Trouble>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            match configs.for_dir(Path::new(".")) {
                Ok(config) => inputs.push((Input::Stdin, config)),
                Err(err) => errors.push(Trouble::general(err)),
            }
        } else if path.is_dir() {
            walk_dir(path, configs, &mut inputs, &mut errors);
        } else if path.exists() {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            match configs.for_dir(dir) {
                Ok(config) => inputs.push((Input::File(path.clone()), config)),
                Err(err) => errors.push(Trouble::general(err)),
            }
        } else {
            let path = Some(path.display().to_string());
            errors.push(Trouble { path, message: "no such file or directory".to_string() });
        }
    }
    (inputs, errors)
}

fn walk_dir(root: &Path, configs: &mut Configs, inputs: &mut Vec<Job>, errors: &mut Vec<Trouble>) {
    let walker = ignore::WalkBuilder::new(root).require_git(false).sort_by_file_name(|a, b| a.cmp(b)).build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                errors.push(Trouble::general(err));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let dir = path.parent().unwrap_or(root);
        let config = match configs.for_dir(dir) {
            Ok(config) => config,
            Err(err) => {
                let trouble = Trouble::general(err);
                if !errors.contains(&trouble) {
                    errors.push(trouble);
                }
                continue;
            }
        };
        if config.is_article_in(root, path) {
            inputs.push((Input::File(path.to_path_buf()), config));
        }
    }
}
