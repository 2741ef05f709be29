//! `article-lsp.toml`: severities, schema adjustments, vocabularies and which files are articles.
//!
//! `Config::from_toml` is pure; `Config::load` and `find_config_file` are the only IO here.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Candidate, Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::codes::{Code, Severity};

/// The file name looked up from an article's directory upwards.
pub const FILE_NAME: &str = "article-lsp.toml";

/// Required fields when the configuration names none (dotted paths; `related.` is per item).
pub const DEFAULT_REQUIRED: &[&str] =
    &["title", "publishedDateTime", "webUrl", "provider.name", "provider.domain", "related.title", "related.webUrl"];

/// Article files when the configuration names none.
pub const DEFAULT_INCLUDE: &[&str] = &["*.md", "*.markdown", "*.txt"];

/// Effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    severities: HashMap<Code, Option<Severity>>,
    /// Dotted paths of required fields (`provider.name`, `related.webUrl`).
    pub required: Vec<String>,
    /// Dotted paths of extra fields that are allowed besides the schema's.
    pub extra_fields: Vec<String>,
    /// A closed vocabulary of topics; `None` allows any topic.
    pub topics: Option<Vec<String>>,
    /// Known providers: name -> domain.
    pub providers: BTreeMap<String, String>,
    include: GlobSet,
    exclude: GlobSet,
    /// Where this configuration came from, if from a file.
    pub source: Option<PathBuf>,
}

/// A configuration file that cannot be used, with a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    /// 1-based line and column, when known.
    pub line_col: Option<(usize, usize)>,
    /// Byte range in the file, when known.
    pub span: Option<std::ops::Range<usize>>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.as_deref().unwrap_or(Path::new(FILE_NAME));
        match self.line_col {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", path.display(), self.message),
            None => write!(f, "{}: {}", path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    schema: RawSchema,
    #[serde(default)]
    providers: BTreeMap<String, String>,
    #[serde(default)]
    files: RawFiles,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSchema {
    required: Option<Vec<String>>,
    #[serde(default)]
    extra_fields: Vec<String>,
    topics: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFiles {
    include: Option<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        // The built-in defaults are constants known to be valid.
        Config::from_raw(RawConfig::default(), None).expect("built-in configuration is valid")
    }
}

impl Config {
    /// Parses a configuration file's text. `path` is only used in error messages.
    pub fn from_toml(text: &str, path: Option<&Path>) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|err| {
            let span = err.span();
            let line_col = span.as_ref().map(|s| line_col(text, s.start));
            ConfigError { path: path.map(Path::to_path_buf), line_col, span, message: err.message().trim().to_string() }
        })?;
        Config::from_raw(raw, path)
            .map_err(|message| ConfigError { path: path.map(Path::to_path_buf), line_col: None, span: None, message })
            .map_err(|mut err| {
                locate_in_text(&mut err, text);
                err
            })
    }

    /// Reads and parses a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let unreadable =
            |message: String| ConfigError { path: Some(path.to_path_buf()), line_col: None, span: None, message };
        // Never blocks on a FIFO or device that happens to carry the name.
        let bytes = crate::files::read(path).map_err(unreadable)?;
        let text = String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8".to_string()))?;
        Config::from_toml(&text, Some(path))
    }

    fn from_raw(raw: RawConfig, path: Option<&Path>) -> Result<Config, String> {
        let mut severities = HashMap::new();
        for (name, level) in &raw.severity {
            let code = Code::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                format!("unknown diagnostic code `{name}` in [severity]; known codes: {}", known.join(", "))
            })?;
            severities.insert(code, parse_severity(level)?);
        }
        let include = raw.files.include.unwrap_or_else(|| DEFAULT_INCLUDE.iter().map(|s| s.to_string()).collect());
        Ok(Config {
            severities,
            required: raw.schema.required.unwrap_or_else(|| DEFAULT_REQUIRED.iter().map(|s| s.to_string()).collect()),
            extra_fields: raw.schema.extra_fields,
            topics: raw.schema.topics,
            providers: raw.providers,
            include: glob_set(&include, "files.include")?,
            exclude: glob_set(&raw.files.exclude, "files.exclude")?,
            source: path.map(Path::to_path_buf),
        })
    }

    /// This configuration with severities overridden (editor settings take precedence over the
    /// file). Unknown codes or levels are errors.
    pub fn with_severity_overrides(&self, overrides: &BTreeMap<String, String>) -> Result<Config, String> {
        let mut config = self.clone();
        for (name, level) in overrides {
            let code = Code::from_name(name).ok_or_else(|| format!("unknown diagnostic code `{name}`"))?;
            config.severities.insert(code, parse_severity(level)?);
        }
        Ok(config)
    }

    /// The severity of `code` under this configuration; `None` when it is turned off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.severities.get(&code) {
            Some(level) => *level,
            None => Some(code.default_severity()),
        }
    }

    pub fn is_required<'a>(&self, path: impl Into<FieldPath<'a>>) -> bool {
        let path = path.into();
        self.required.iter().any(|r| path.is(r))
    }

    /// Some field inside `path` is required (so `path` itself must be present).
    pub fn requires_within<'a>(&self, path: impl Into<FieldPath<'a>>) -> bool {
        let path = path.into();
        self.required.iter().any(|r| path.is_within(r))
    }

    pub fn is_extra_field<'a>(&self, path: impl Into<FieldPath<'a>>) -> bool {
        let path = path.into();
        self.extra_fields.iter().any(|r| path.is(r))
    }

    /// Whether a file (path relative to the walked root, or a file name) is an article.
    pub fn is_article_path(&self, path: &Path) -> bool {
        let name = path.file_name().map(Path::new).unwrap_or(path);
        // Each candidate prepared once for both sets (discovery asks of every file).
        let (path, name) = (Candidate::new(path), Candidate::new(name));
        let included = self.include.is_match_candidate(&path) || self.include.is_match_candidate(&name);
        let excluded = self.exclude.is_match_candidate(&path) || self.exclude.is_match_candidate(&name);
        included && !excluded
    }
}

/// A field's dotted path (`provider.domain`) as its parent's path and its key, compared with
/// the configured paths without being built: the checks ask about every field of the schema
/// in every `related` entry.
#[derive(Debug, Clone, Copy)]
pub struct FieldPath<'a> {
    /// The parent's dotted path (empty at the top level).
    pub parent: &'a str,
    pub key: &'a str,
}

impl FieldPath<'_> {
    /// The dotted `path` names this field.
    pub fn is(&self, path: &str) -> bool {
        self.strip_from(path) == Some("")
    }

    /// The dotted `path` names a field inside this one.
    fn is_within(&self, path: &str) -> bool {
        self.strip_from(path).is_some_and(|rest| rest.starts_with('.'))
    }

    /// What follows this field's path at the start of `path`.
    fn strip_from<'p>(&self, path: &'p str) -> Option<&'p str> {
        let rest = match self.parent {
            "" => path,
            parent => path.strip_prefix(parent)?.strip_prefix('.')?,
        };
        rest.strip_prefix(self.key)
    }
}

impl std::fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.parent {
            "" => f.write_str(self.key),
            parent => write!(f, "{parent}.{}", self.key),
        }
    }
}

impl<'a> From<&'a str> for FieldPath<'a> {
    fn from(path: &'a str) -> FieldPath<'a> {
        FieldPath { parent: "", key: path }
    }
}

impl<'a> From<&'a String> for FieldPath<'a> {
    fn from(path: &'a String) -> FieldPath<'a> {
        FieldPath::from(path.as_str())
    }
}

impl Config {
    /// Whether `path`, found while walking `root`, is an article. Globs are written from the
    /// configuration file's directory, so they match the path relative to it when there is one
    /// (else relative to the walked root). The CLI's walk and the server's discovery share this.
    pub fn is_article_in(&self, root: &Path, path: &Path) -> bool {
        let base = self.source.as_deref().and_then(Path::parent);
        if let Some(base) = base {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            if let Ok(relative) = absolute.strip_prefix(base) {
                return self.is_article_path(relative);
            }
        }
        self.is_article_path(relative_to(path, root).unwrap_or(path))
    }
}

/// `path.strip_prefix(root)`, read off the bytes when `path` is `root`, a separator and a
/// rest that the component-wise strip would return as it is (discovery asks for every file,
/// and splitting both paths into components was half the cost of judging a file).
#[cfg(unix)]
fn relative_to<'a>(path: &'a Path, root: &Path) -> Option<&'a Path> {
    use std::os::unix::ffi::OsStrExt;
    let (bytes, prefix) = (path.as_os_str().as_bytes(), root.as_os_str().as_bytes());
    let rest = bytes.strip_prefix(prefix).and_then(|r| r.strip_prefix(b"/"));
    // The strip trims separators and `.` at either end of what it returns.
    let plain = |rest: &[u8]| {
        !rest.is_empty()
            && !rest.starts_with(b"/")
            && !rest.starts_with(b"./")
            && rest != b"."
            && !rest.ends_with(b"/")
            && !rest.ends_with(b"/.")
    };
    match rest {
        Some(rest) if !prefix.is_empty() && plain(rest) => Some(Path::new(std::ffi::OsStr::from_bytes(rest))),
        _ => path.strip_prefix(root).ok(),
    }
}

/// `path.strip_prefix(root)` (Windows paths have prefixes of their own).
#[cfg(not(unix))]
fn relative_to<'a>(path: &'a Path, root: &Path) -> Option<&'a Path> {
    path.strip_prefix(root).ok()
}

/// Walks up from `dir` to the nearest `article-lsp.toml`.
pub fn find_config_file(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

fn parse_severity(level: &str) -> Result<Option<Severity>, String> {
    match level {
        "error" => Ok(Some(Severity::Error)),
        "warning" | "warn" => Ok(Some(Severity::Warning)),
        "info" => Ok(Some(Severity::Info)),
        "hint" => Ok(Some(Severity::Hint)),
        "off" | "none" => Ok(None),
        other => Err(format!("invalid severity `{other}`; use error, warning, info, hint or off")),
    }
}

fn glob_set(patterns: &[String], key: &str) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|err| format!("invalid glob `{pattern}` in {key}: {err}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|err| format!("invalid globs in {key}: {err}"))
}

/// Semantic errors name a value; point at its first occurrence in the file.
fn locate_in_text(err: &mut ConfigError, text: &str) {
    let quoted = err.message.split('`').nth(1).map(str::to_string);
    let Some(needle) = quoted else { return };
    if let Some(at) = text.find(&needle) {
        err.line_col = Some(line_col(text, at));
        err.span = Some(at..at + needle.len());
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_read_off_the_bytes_equal_the_strip() {
        let roots = ["/w", "/w/", "/w//", "/w/.", "/w/..", "w", "./w", ".", "", "/", "/w/a b", "/wx"];
        let rests = [
            "",
            "a",
            "a.md",
            "/a",
            "//a",
            "./a",
            ".",
            "..",
            "a/",
            "a/.",
            "a//b",
            "a/./b",
            "a/../b",
            ".a",
            "a.",
            "d000/a0000001.md",
            "x/",
            "/",
            "./",
            "../a",
        ];
        for root in roots {
            for rest in rests {
                for joint in ["", "/", "//"] {
                    let path = format!("{root}{joint}{rest}");
                    let (path, root) = (Path::new(&path), Path::new(root));
                    assert_eq!(relative_to(path, root), path.strip_prefix(root).ok(), "{path:?} in {root:?}");
                }
            }
        }
    }

    #[test]
    fn defaults() {
        let config = Config::default();
        assert_eq!(config.severity(Code::Mojibake), Some(Severity::Warning));
        assert!(config.is_required("provider.domain"));
        assert!(config.is_article_path(Path::new("a/b.md")));
        assert!(!config.is_article_path(Path::new("a/b.json")));
    }

    /// A field path given as parent and key answers as its joined string does.
    #[test]
    fn field_paths_match_as_their_dotted_strings() {
        let paths = [
            "provider.domain",
            "provider",
            "provider.domainx",
            "providers.domain",
            "a.provider.domain",
            "provider.domain.x",
        ];
        for (parent, key) in
            [("", "provider"), ("provider", "domain"), ("", "domain"), ("provider", "domai"), ("a.provider", "domain")]
        {
            let joined = if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") };
            for path in paths {
                let split = FieldPath { parent, key };
                let whole = FieldPath::from(joined.as_str());
                assert_eq!(split.is(path), path == joined, "{joined} is {path}");
                assert_eq!(whole.is(path), path == joined, "{joined} is {path}");
                let within = path.strip_prefix(joined.as_str()).is_some_and(|rest| rest.starts_with('.'));
                assert_eq!(split.is_within(path), within, "{joined} within {path}");
            }
        }
    }

    #[test]
    fn severities_and_globs() {
        let text = "[severity]\nmojibake = \"error\"\nfuture-date = \"off\"\n[files]\ninclude = [\"news/**/*.txt\"]\nexclude = [\"draft-*\"]\n";
        let config = Config::from_toml(text, None).unwrap();
        assert_eq!(config.severity(Code::Mojibake), Some(Severity::Error));
        assert_eq!(config.severity(Code::FutureDate), None);
        assert!(config.is_article_path(Path::new("news/x/a.txt")));
        assert!(!config.is_article_path(Path::new("news/x/draft-a.txt")));
    }

    #[test]
    fn errors_are_located() {
        let err = Config::from_toml("[schema]\nrequird = []\n", Some(Path::new("c.toml"))).unwrap_err();
        assert_eq!(err.line_col, Some((2, 1)));
        assert!(err.to_string().starts_with("c.toml:2:1: unknown field `requird`"), "{err}");
        let err = Config::from_toml("[severity]\n\nmojibak = \"error\"\n", None).unwrap_err();
        assert_eq!(err.line_col, Some((3, 1)), "{err}");
        let err = Config::from_toml("[severity]\nmojibake = \"loud\"\n", None).unwrap_err();
        assert!(err.message.contains("invalid severity `loud`"), "{err}");
        assert_eq!(err.line_col, Some((2, 13)), "{err}");
    }
}
