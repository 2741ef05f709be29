//! The lines of one block mapping, found by indentation (so it works on half-typed YAML): which
//! keys a mapping already has, and where `provider.domain` goes beside a name.

use super::lines::{Shape, line_start, prev_line_start, terminator};
use crate::analysis::Edit;
use crate::analysis::layout::{self, line_text, next_line};
use crate::workspace::normal::{double_quoted, is_plain_safe};

/// The lines (start, shape) of the mapping whose keys are at column `col`, around the line
/// starting at `start`: siblings above up to the mapping's start (or its list item's `- `)
/// and below until a less indented line.
pub(crate) fn mapping_lines(text: &str, start: usize, col: usize) -> Vec<(usize, Shape)> {
    let (first, end) = yaml_bounds(text);
    let mut out = Vec::new();
    let current = Shape::read(line_text(text, start));
    let starts_item = !current.dashes.is_empty() && current.content_col == col;
    if current.key_col() == Some(col) {
        out.push((start, current));
    }
    if !starts_item {
        out.extend(siblings_above(text, start, col, first));
    }
    let mut line = next_line(text, start);
    while line < end {
        if let Some(shape) = Shape::of(line_text(text, line)) {
            if shape.indent < col {
                break;
            }
            if shape.dashes.is_empty() && shape.key_col() == Some(col) {
                out.push((line, shape));
            }
        }
        line = next_line(text, line);
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// Keys at column `col` above the line at `start`, up to the mapping's first line.
fn siblings_above(text: &str, start: usize, col: usize, first: usize) -> Vec<(usize, Shape)> {
    let mut out = Vec::new();
    let mut line = start;
    while let Some(prev) = prev_line_start(text, line).filter(|p| *p >= first) {
        line = prev;
        let Some(shape) = Shape::of(line_text(text, line)) else {
            continue;
        };
        if shape.indent >= col {
            if shape.dashes.is_empty() && shape.key_col() == Some(col) {
                out.push((line, shape));
            }
            continue;
        }
        // Less indented: the mapping's first line when it is its list item's `- key:` line.
        if !shape.dashes.is_empty() && shape.key_col() == Some(col) {
            out.push((line, shape));
        }
        break;
    }
    out
}

/// The YAML block's start and end (the closer, or the end of the YAML-looking lines).
fn yaml_bounds(text: &str) -> (usize, usize) {
    match layout::split(text).front_matter {
        Some(fm) => (fm.yaml.start, fm.closer.map_or(fm.yaml.end, |closer| closer.start)),
        None => (0, 0),
    }
}

/// Where `provider.domain` goes for the provider mapping whose `name:` line contains a given
/// offset: found once per completion request, then turned into an edit per offered provider.
#[derive(Debug, Clone)]
pub(crate) enum DomainSlot {
    /// The mapping has a `domain:` line: its value (`range`, currently `current`) is replaced;
    /// `lead` is the blank to put after a colon with nothing behind it.
    Existing { range: std::ops::Range<usize>, current: String, lead: &'static str },
    /// No `domain:` line: one is inserted at `at` (after the name line), indented by `indent`.
    Missing { at: usize, indent: String, eol: String, before: bool },
}

/// The `domain` slot of the provider mapping whose `name:` line contains `at`.
pub(crate) fn domain_slot(text: &str, at: usize) -> Option<DomainSlot> {
    let start = line_start(text, at);
    let name_line = Shape::read(line_text(text, start));
    let col = name_line.key_col()?;
    let existing =
        mapping_lines(text, start, col).into_iter().find(|(_, s)| s.key.as_ref().is_some_and(|k| k.name == "domain"));
    if let Some((line, shape)) = existing {
        let key = shape.key?;
        let range = line + key.value.start..line + key.value.end;
        let current = text[range.clone()].trim_matches(['"', '\'']).to_string();
        let lead = if key.value.start == key.colon_end { " " } else { "" };
        return Some(DomainSlot::Existing { range, current, lead });
    }
    let indent = " ".repeat(col);
    let eol = terminator(text, start);
    let line_end = start + line_text(text, start).len();
    Some(match eol.is_empty() {
        // The name is on the last line: the new line goes after it, with its own break first.
        true => DomainSlot::Missing { at: line_end, indent, eol: "\n".into(), before: true },
        false => DomainSlot::Missing { at: line_end + eol.len(), indent, eol: eol.to_string(), before: false },
    })
}

impl DomainSlot {
    /// The edit that writes `domain` into this slot (`None` when it already says so).
    pub(crate) fn edit(&self, domain: &str) -> Option<Edit> {
        let value = if is_plain_safe(domain) { domain.to_string() } else { double_quoted(domain) };
        Some(match self {
            DomainSlot::Existing { current, .. } if current == domain => return None,
            DomainSlot::Existing { range, lead, .. } => {
                Edit { range: range.clone(), replacement: format!("{lead}{value}") }
            }
            DomainSlot::Missing { at, indent, eol, before: true } => {
                Edit { range: *at..*at, replacement: format!("{eol}{indent}domain: {value}") }
            }
            DomainSlot::Missing { at, indent, eol, before: false } => {
                Edit { range: *at..*at, replacement: format!("{indent}domain: {value}{eol}") }
            }
        })
    }
}
