//! Checks of the YAML front matter: syntax (with per-entry recovery), duplicate keys and the
//! schema (unknown and missing fields, types, dates, URLs, provider domains, topics).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use jiff::Timestamp;

mod memo;
mod patch;
mod units;
mod values;

pub use memo::FindingsMemo;
pub use patch::{ItemEdit, ItemPatch, patch_list_item, patch_unit};
pub use units::{UnitCache, UnitRef, Units};

use super::dates::format_rfc3339;
use super::diagnostic::{Code, Diagnostic, Fix};
use super::layout::{FrontMatter, line_text, segments};
use super::schema::{self, Field, Kind};
use super::yaml::{self, Entry, Node, SyntaxError, Value};
use crate::config::{Config, FieldPath};

/// The front matter as far as it could be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The top-level mapping (possibly partial when some entries did not parse).
    pub root: Option<Node>,
    pub errors: Vec<SyntaxError>,
}

/// Parses the block; when it is not valid YAML, parses each top-level entry on its own so that
/// one broken entry costs one diagnostic and the others are still checked.
pub fn parse(text: &str, fm: &FrontMatter) -> Parsed {
    parse_cached(text, fm, &mut UnitCache::default())
}

/// Like [`parse`], reusing the parses of units (top-level entries, list items) whose text did
/// not change since the cache was last used.
pub fn parse_cached(text: &str, fm: &FrontMatter, cache: &mut UnitCache) -> Parsed {
    if fm.yaml.end > yaml::MAX_OFFSET {
        // No tree holds offsets this far (its spans take 32 bits): the refusal is the finding.
        return Parsed { root: None, errors: yaml::parse(text, fm.yaml.clone()).err().into_iter().collect() };
    }
    if let Some(root) = units::parse_by_units(text, fm.yaml.clone(), cache) {
        return Parsed { root: Some(root), errors: Vec::new() };
    }
    match yaml::parse(text, fm.yaml.clone()) {
        Ok(root) => Parsed { root: Some(root), errors: Vec::new() },
        Err(_) => parse_entries(text, fm.yaml.clone()),
    }
}

fn parse_entries(text: &str, range: Range<usize>) -> Parsed {
    let mut entries: Vec<Entry> = Vec::new();
    let mut errors = Vec::new();
    // Broken lines are blanked out in a copy, made at the first one; byte offsets stay those
    // of `text`.
    let mut masked = Cow::Borrowed(&text[..range.end]);
    for segment in segments(text, range.clone()) {
        match parse_masking_errors(&mut masked, segment, &mut errors) {
            Some(Node { value: Value::Mapping(found), .. }) => entries.extend(found),
            Some(node) if node.is_null() => {}
            Some(node) => {
                errors.push(SyntaxError { offset: node.span().start, message: "expected `key: value`".into() })
            }
            None => {}
        }
    }
    let root = Node::new(range, Value::Mapping(entries.into()));
    Parsed { root: Some(root), errors }
}

/// At most this many broken lines are blanked out in one entry before giving it up.
const MAX_MASKED_LINES: usize = 8;

/// Parses one top-level entry; on an error, records it, blanks the offending line and tries
/// again, so that one bad line inside `related` does not hide the other related entries.
fn parse_masking_errors(
    masked: &mut Cow<'_, str>,
    segment: Range<usize>,
    errors: &mut Vec<SyntaxError>,
) -> Option<Node> {
    let reported_before = errors.len();
    for _ in 0..MAX_MASKED_LINES {
        let err = match yaml::parse(masked, segment.clone()) {
            Ok(node) => return Some(node),
            Err(err) => locate_in_segment(masked, err, segment.clone()),
        };
        let line = line_start(masked, err.offset).max(segment.start);
        if line_text(masked, line).bytes().all(|b| b == b' ') {
            // The parser blames a line of spaces, such as one blanked before (saphyr does after
            // a NUL): the position means nothing in the text, and blanking cannot make progress.
            if errors.len() == reported_before {
                errors.push(SyntaxError { offset: segment.start, ..err });
            }
            return None;
        }
        errors.push(err);
        if line == segment.start {
            return None;
        }
        blank_line(masked.to_mut(), line);
    }
    None
}

/// The start of the character at byte `offset` (the parser's offsets are meant to be starts).
fn char_start(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Replaces the line at `start` with spaces of the same byte length.
fn blank_line(text: &mut String, start: usize) {
    let len = line_text(text, start).len();
    text.replace_range(start..start + len, &" ".repeat(len));
}

/// Errors reported at the very end of an entry (an unclosed quote) are shown on its first line.
fn locate_in_segment(text: &str, mut err: SyntaxError, segment: Range<usize>) -> SyntaxError {
    let content_end = segment.start + text[segment.clone()].trim_end().len();
    if err.offset >= content_end {
        err.offset = segment.start;
    }
    err
}

/// Everything the schema walk needs.
pub struct Checker<'a> {
    pub text: &'a str,
    pub config: &'a Config,
    pub now: Timestamp,
    pub acc: &'a mut Vec<Diagnostic>,
    /// Findings of list items from an earlier version of the text, reused when an item's text
    /// is unchanged (`None`: check everything).
    memo: Option<&'a mut FindingsMemo>,
    /// The line break of inserted lines: the one that ends the opening `---`.
    newline: &'static str,
    /// Units with a syntax error, whose schema findings would only repeat it.
    broken: Broken,
}

/// The units (top-level entries, or items of a block list) that hold a `yaml-syntax` finding.
/// Their schema findings are cascades of the syntax error (a half-parsed entry looks missing or
/// mistyped), so they are dropped, as rustc drops errors that follow from an earlier one.
#[derive(Debug, Default)]
struct Broken {
    ranges: Vec<Range<usize>>,
    /// The keys of the broken top-level entries: not reported missing, whatever survived.
    keys: Vec<String>,
}

impl Broken {
    fn find(text: &str, fm: &FrontMatter, errors: &[SyntaxError]) -> Broken {
        let mut broken = Broken::default();
        if errors.is_empty() {
            return broken;
        }
        for segment in segments(text, fm.yaml.clone()) {
            let inside = |r: &Range<usize>| errors.iter().any(|e| r.contains(&e.offset));
            if !inside(&segment) {
                continue;
            }
            let items = units::split_list(text, segment.clone()).map(|(header, items, _)| (header, items));
            match items {
                Some((header, items)) if !inside(&header) => {
                    broken.ranges.extend(items.into_iter().filter(|item| inside(item)));
                }
                _ => {
                    broken.keys.extend(key_of_line(line_text(text, segment.start)));
                    broken.ranges.push(segment);
                }
            }
        }
        broken
    }

    /// Whether `diagnostic` follows from a syntax error rather than from the article.
    fn is_cascade(&self, diagnostic: &Diagnostic) -> bool {
        matches!(diagnostic.code, Code::MissingField | Code::WrongType | Code::UnknownField)
            && self.ranges.iter().any(|r| r.contains(&diagnostic.range.start))
    }
}

/// The key of a `key: value` line (`None` when the line has no colon).
fn key_of_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once(':')?;
    Some(key.trim().trim_matches(['"', '\'']).to_string())
}

impl<'a> Checker<'a> {
    pub fn new(
        text: &'a str,
        config: &'a Config,
        now: Timestamp,
        acc: &'a mut Vec<Diagnostic>,
        memo: Option<&'a mut FindingsMemo>,
    ) -> Checker<'a> {
        Checker { text, config, now, acc, memo, newline: "\n", broken: Broken::default() }
    }

    /// Checks one item of the block list `key` alone, as [`Checker::check`] checks it within
    /// the whole front matter (`self.text` is the item's unit, `node` its parse).
    fn check_list_item(&mut self, node: &Node, key: &str, newline: &'static str) {
        self.newline = newline;
        let Some(Kind::List(item)) = schema::lookup(schema::ARTICLE, key).map(|f| &f.kind) else {
            return;
        };
        self.list_items(std::slice::from_ref(node), item, key);
    }

    pub fn check(&mut self, fm: &FrontMatter, parsed: &Parsed) {
        // Decided by the front matter itself, so checking a prefix of the text (the editor
        // does) or the whole of it gives the same repairs.
        let after_opener = self.text.get(fm.opener.end..).unwrap_or("");
        self.newline = if after_opener.starts_with("\r\n") { "\r\n" } else { "\n" };
        if let Some(memo) = self.memo.as_deref_mut() {
            memo.begin(self.config, self.now, self.newline);
        }
        self.broken = Broken::find(self.text, fm, &parsed.errors);
        let before = self.acc.len();
        self.check_tree(fm, parsed);
        let mut findings = self.acc.split_off(before);
        findings.retain(|d| !self.broken.is_cascade(d));
        self.acc.extend(findings);
        if let Some(memo) = self.memo.as_deref_mut() {
            memo.finish();
        }
    }

    fn check_tree(&mut self, fm: &FrontMatter, parsed: &Parsed) {
        for err in &parsed.errors {
            self.syntax_error(err);
        }
        let Some(root) = &parsed.root else { return };
        if root.as_mapping().is_none() {
            let msg = "the front matter must be a mapping of `field: value` lines";
            self.acc.push(Diagnostic::new(Code::WrongType, root.span(), msg));
            return;
        }
        self.object(root, schema::ARTICLE, "", fm.opener.clone());
    }

    fn syntax_error(&mut self, err: &SyntaxError) {
        let offset = char_start(self.text, err.offset);
        let line = line_text(self.text, line_start(self.text, offset));
        let start = line_start(self.text, offset);
        let end = start + line.len();
        let range = if offset < end { offset..end } else { start..end };
        let hint = if err.message.contains("mapping values are not allowed") {
            "; a value that contains `: ` must be quoted"
        } else {
            ""
        };
        self.acc.push(Diagnostic::new(Code::YamlSyntax, range, format!("invalid YAML: {}{hint}", err.message)));
    }

    /// Checks a mapping against `fields`. `path` is the dotted schema path (`provider`,
    /// `related`); `anchor` is where a missing field is reported.
    fn object(&mut self, node: &Node, fields: &'static [Field], path: &str, anchor: Range<usize>) {
        let Some(entries) = node.as_mapping() else {
            let msg = format!("`{}` must be a mapping of fields, found {}", path, describe(node));
            self.acc.push(Diagnostic::new(Code::WrongType, node.span(), msg));
            return;
        };
        let mut seen: HashMap<&str, &Entry> = HashMap::new();
        let mut misspelt: HashMap<&str, &str> = HashMap::new();
        for entry in entries {
            let Some(key) = entry.key_text() else {
                let msg = "a key must be plain text";
                self.acc.push(Diagnostic::new(Code::WrongType, entry.key.span(), msg));
                continue;
            };
            if let Some(first) = seen.get(key) {
                self.duplicate(key, entry, first);
                continue;
            }
            seen.insert(key, entry);
            match schema::lookup(fields, key) {
                Some(field) => self.value(&entry.value, field, FieldPath { parent: path, key }, entry.key.span()),
                None if self.config.is_extra_field(FieldPath { parent: path, key }) => {}
                None => {
                    if let Some(suggestion) = self.unknown_field(key, entry, fields) {
                        misspelt.insert(suggestion, key);
                    }
                }
            }
        }
        let insert_at = self.insertion_point(node);
        self.missing(fields, path, &seen, &misspelt, anchor, insert_at);
        if path.is_empty() || path == "related" {
            self.domains(node);
        }
    }

    fn duplicate(&mut self, key: &str, entry: &Entry, first: &Entry) {
        let msg = format!("duplicate key `{key}`: YAML keys must be unique; the first `{key}` is used");
        let diagnostic = Diagnostic::new(Code::DuplicateKey, entry.key.span(), msg)
            .with_related(first.key.span(), format!("first `{key}` is here"));
        self.acc.push(diagnostic);
    }

    fn unknown_field(&mut self, key: &str, entry: &Entry, fields: &'static [Field]) -> Option<&'static str> {
        let suggestion = schema::did_you_mean(key, fields.iter().map(|f| f.name));
        let range = entry.key.span();
        let diagnostic = match suggestion {
            Some(name) => Diagnostic::new(
                Code::UnknownField,
                range.clone(),
                format!("unknown field `{key}`; did you mean `{name}`?"),
            )
            .with_fix(Fix::replace(format!("Rename to `{name}`"), range, name, false)),
            None => Diagnostic::new(Code::UnknownField, range, format!("unknown field `{key}`")),
        };
        self.acc.push(diagnostic);
        suggestion
    }

    fn missing(
        &mut self,
        fields: &'static [Field],
        path: &str,
        seen: &HashMap<&str, &Entry>,
        misspelt: &HashMap<&str, &str>,
        anchor: Range<usize>,
        insert_at: (usize, usize),
    ) {
        for field in fields {
            let field_path = FieldPath { parent: path, key: field.name };
            // A mapping whose own fields are required must itself be present (a list of
            // mappings, like `related`, may be absent).
            let implied = matches!(field.kind, Kind::Object(_)) && self.config.requires_within(field_path);
            if !self.config.is_required(field_path) && !implied {
                continue;
            }
            // Top level only: list items' findings are memoized by their own text.
            if path.is_empty() && self.broken.keys.iter().any(|k| k == field.name) {
                continue;
            }
            let where_ = if path.is_empty() { String::new() } else { format!(" in `{}`", path) };
            match seen.get(field.name) {
                Some(entry) if is_blank(&entry.value) => {
                    let msg = format!("required field `{}`{where_} has no value", field.name);
                    self.acc.push(Diagnostic::new(Code::MissingField, entry.key.span(), msg));
                }
                Some(_) => {}
                None => {
                    let hint = misspelt
                        .get(field.name)
                        .map(|k| format!(" (is `{k}` a misspelling of it?)"))
                        .unwrap_or_default();
                    let msg = format!("missing required field `{}`{where_}{hint}", field.name);
                    let (offset, indent) = insert_at;
                    let skeleton = self.skeleton(field, indent);
                    let fix = Fix::replace(format!("Insert `{}`", field.name), offset..offset, skeleton, false);
                    self.acc.push(Diagnostic::new(Code::MissingField, anchor.clone(), msg).with_fix(fix));
                }
            }
        }
    }

    /// Where a missing field of the mapping `node` is inserted: the start of the line after its
    /// last entry (the closing `---` for the top level), and the indentation of its keys.
    fn insertion_point(&self, node: &Node) -> (usize, usize) {
        let entries = node.as_mapping().unwrap_or_default();
        let Some(first) = entries.first() else {
            let at = next_line_start(self.text, node.span().end.saturating_sub(1).max(node.span().start));
            return (if node.span().is_empty() { node.span().start } else { at }, 0);
        };
        let indent = first.key.span().start - line_start(self.text, first.key.span().start);
        let end = entries.iter().map(|e| e.value.span().end.max(e.key.span().end)).max().unwrap_or(node.span().end);
        (next_line_start(self.text, end.saturating_sub(1).max(first.key.span().start)), indent)
    }

    /// The text inserted for a missing field: the key and a value to fill in.
    fn skeleton(&self, field: &Field, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let newline = self.newline;
        let value = match field.kind {
            Kind::Date => format_rfc3339(self.now),
            Kind::Url => "\"https://\"".to_string(),
            Kind::Integer => "0".to_string(),
            Kind::Boolean => "false".to_string(),
            Kind::Object(fields) => {
                let inner: String = fields
                    .iter()
                    .filter(|f| self.config.is_required(FieldPath { parent: field.name, key: f.name }))
                    .map(|f| format!("{pad}  {}: \"\"{newline}", f.name))
                    .collect();
                return format!("{pad}{}:{newline}{inner}", field.name);
            }
            Kind::List(_) => "[]".to_string(),
            Kind::Text => "\"\"".to_string(),
        };
        format!("{pad}{}: {value}{newline}", field.name)
    }

    fn value(&mut self, node: &Node, field: &'static Field, path: FieldPath<'_>, key: Range<usize>) {
        if matches!(node.value, Value::Alias) {
            return;
        }
        match field.kind {
            Kind::Text => self.text_value(node, path),
            Kind::Date => self.date(node, path),
            Kind::Url => self.url(node, path),
            Kind::Integer => self.integer(node, path),
            Kind::Boolean => self.boolean(node, path),
            Kind::Object(fields) => self.object(node, fields, &path.to_string(), key),
            Kind::List(item) => self.list(node, item, &path.to_string()),
        }
    }
}

fn describe(node: &Node) -> &'static str {
    match node.value {
        Value::Scalar(_) => "text",
        Value::Mapping(_) => "a mapping",
        Value::Sequence(_) => "a list",
        Value::Alias => "an alias",
    }
}

/// No value, or only blanks (`title:`, `title: ""`): a required field that is not filled in.
fn is_blank(node: &Node) -> bool {
    node.as_scalar().is_some_and(|s| s.is_null() || s.text.trim().is_empty())
}

/// The start of the line after the one containing `offset` (the end of the text if none).
pub(super) fn next_line_start(text: &str, offset: usize) -> usize {
    // The layout's rule (LF, CRLF and a lone CR end a line), so an insertion never skips a
    // CR-only line into the body; it scans bytes, so `offset` may fall inside a character.
    crate::analysis::layout::next_line(text, offset)
}

fn line_start(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The first line of a span (where a related entry's missing fields are reported).
pub(super) fn first_line(text: &str, span: &Range<usize>) -> Range<usize> {
    let line = line_text(text, span.start);
    span.start..span.start + line.len().min(span.end - span.start).max(line.len().min(1))
}
