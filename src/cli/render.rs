//! Output formats: human (rustc-like, with a code frame), JSON Lines, and unified diffs.

use std::io::{self, Write};

use serde_json::json;

use crate::analysis::{Diagnostic, Severity};
use crate::line_index::{LineIndex, PositionEncoding};

/// A diagnostic located for people: 1-based lines, columns in characters, end exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<'a> {
    pub diagnostic: &'a Diagnostic,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn locate<'a>(text: &str, index: &LineIndex, diagnostic: &'a Diagnostic) -> Located<'a> {
    let start = index.line_col(text, diagnostic.range.start, PositionEncoding::Utf32);
    let end = index.line_col(text, diagnostic.range.end, PositionEncoding::Utf32);
    Located {
        diagnostic,
        line: start.line as usize + 1,
        column: start.col as usize + 1,
        end_line: end.line as usize + 1,
        end_column: end.col as usize + 1,
    }
}

/// Terminal styling, off unless writing to a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }

    fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info | Severity::Hint => "1;36",
        };
        self.paint(code, severity.as_str())
    }
}

/// `path:line:col: severity[code]: message`, then the source line with a caret underline.
pub fn human(
    out: &mut dyn Write,
    path: &str,
    text: &str,
    index: &LineIndex,
    d: &Diagnostic,
    style: Style,
) -> io::Result<()> {
    let at = locate(text, index, d);
    let location = style.paint("1", &format!("{path}:{}:{}:", at.line, at.column));
    writeln!(out, "{location} {}[{}]: {}", style.severity(d.severity), d.code, d.message)?;
    let line_range = index.line_content(text, at.line - 1);
    let line = &text[line_range.clone()];
    let caret_start = at.column - 1;
    let caret_len = if at.end_line == at.line {
        (at.end_column - at.column).max(1)
    } else {
        line.chars().count().saturating_sub(caret_start).max(1)
    };
    let (shown, caret_at) = window(line, caret_start, caret_len);
    let gutter = at.line.to_string();
    let pad = " ".repeat(gutter.len());
    let bar = style.paint("1;34", "|");
    writeln!(out, "{pad} {bar}")?;
    writeln!(out, "{} {bar} {shown}", style.paint("1;34", &gutter))?;
    let carets =
        style.paint(if d.severity == Severity::Error { "1;31" } else { "1;33" }, &"^".repeat(caret_len.min(80)));
    writeln!(out, "{pad} {bar} {}{carets}", " ".repeat(caret_at))?;
    for related in &d.related {
        let r = index.line_col(text, related.range.start, PositionEncoding::Utf32);
        writeln!(out, "{pad} = note: {path}:{}:{}: {}", r.line + 1, r.col + 1, related.message)?;
    }
    Ok(())
}

/// At most this many characters of a source line are shown.
const MAX_SHOWN: usize = 100;

/// The part of a long line around the range, with control characters made visible, and the
/// caret's column within it.
fn window(line: &str, start: usize, len: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().map(visible).collect();
    if chars.len() <= MAX_SHOWN {
        return (chars.into_iter().collect(), start);
    }
    let from = start.saturating_sub(40).min(chars.len().saturating_sub(MAX_SHOWN));
    let to = (from + MAX_SHOWN).max(start + len.min(60)).min(chars.len());
    let mut shown = String::new();
    let mut caret_at = start - from;
    if from > 0 {
        shown.push('…');
        caret_at += 1;
    }
    shown.extend(&chars[from..to]);
    if to < chars.len() {
        shown.push('…');
    }
    (shown, caret_at)
}

/// Tabs become one space and control characters their Unicode pictures, so carets line up
/// and the terminal is not driven by the file's bytes.
fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        '\u{7f}' => '\u{2421}',
        c if c.is_control() => '\u{fffd}',
        c => c,
    }
}

/// One JSON object per line.
pub fn json_line(out: &mut dyn Write, path: &str, text: &str, index: &LineIndex, d: &Diagnostic) -> io::Result<()> {
    let at = locate(text, index, d);
    let mut value = json!({
        "path": path,
        "line": at.line,
        "column": at.column,
        "end_line": at.end_line,
        "end_column": at.end_column,
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
    });
    if let Some(fix) = &d.fix {
        value["fix"] = json!({ "title": fix.title, "safe": fix.safe });
    }
    writeln!(out, "{value}")
}

/// A unified diff of one file's repair.
pub fn diff(out: &mut dyn Write, path: &str, before: &str, after: &str) -> io::Result<()> {
    let diff = similar::TextDiff::from_lines(before, after);
    let a = format!("a/{path}");
    let b = format!("b/{path}");
    write!(out, "{}", diff.unified_diff().context_radius(2).header(&a, &b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_windowed_around_the_range() {
        let line = format!("{}XYZ{}", "a".repeat(200), "b".repeat(200));
        let (shown, at) = window(&line, 200, 3);
        assert!(shown.chars().count() <= MAX_SHOWN + 2);
        assert_eq!(shown.chars().skip(at).take(3).collect::<String>(), "XYZ");
    }
}
