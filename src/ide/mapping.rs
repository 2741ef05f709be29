//! The lines of one block mapping, found by indentation (so it works on half-typed YAML): which
//! keys a mapping already has, and the edit that fills in `provider.domain` beside a name.

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

/// The edit that makes the provider mapping whose `name:` line contains `at` say
/// `domain: <domain>`: replacing the existing value, or inserting a line after the name.
pub(crate) fn provider_domain_edit(text: &str, at: usize, domain: &str) -> Option<Edit> {
    let start = line_start(text, at);
    let name_line = Shape::read(line_text(text, start));
    let col = name_line.key_col()?;
    let value = if is_plain_safe(domain) { domain.to_string() } else { double_quoted(domain) };
    let existing =
        mapping_lines(text, start, col).into_iter().find(|(_, s)| s.key.as_ref().is_some_and(|k| k.name == "domain"));
    if let Some((line, shape)) = existing {
        let key = shape.key?;
        let current = &text[line + key.value.start..line + key.value.end];
        if current.trim_matches(['"', '\'']) == domain {
            return None;
        }
        let lead = if key.value.start == key.colon_end { " " } else { "" };
        return Some(Edit {
            range: line + key.value.start..line + key.value.end,
            replacement: format!("{lead}{value}"),
        });
    }
    let indent = " ".repeat(col);
    let eol = terminator(text, start);
    let line_end = start + line_text(text, start).len();
    Some(if eol.is_empty() {
        Edit { range: line_end..line_end, replacement: format!("\n{indent}domain: {value}") }
    } else {
        let at = line_end + eol.len();
        Edit { range: at..at, replacement: format!("{indent}domain: {value}{eol}") }
    })
}
