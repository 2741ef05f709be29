//! Locating findings for people and rendering them: the human code frame (drawn by
//! `annotate-snippets`, the renderer rustc uses), one-line forms (concise, JSON Lines, GitHub
//! workflow commands) and unified diffs.
//!
//! A file's diagnostics are located in one pass: [`Locator`] keeps a cursor per kind of offset
//! and counts only the characters between consecutive positions, and a frame shows a bounded
//! window of its line, so the cost is linear in the text plus the findings, however many fall
//! on one long line.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::json;

use crate::analysis::{Code, Diagnostic, Severity};
use crate::line_index::LineIndex;

/// A 1-based line and a 1-based column counted in characters (Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A diagnostic with its text no longer needed: located, with its code frame already drawn
/// when the output wants one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub start: Position,
    /// Just past the range (exclusive), like LSP ranges.
    pub end: Position,
    /// The repair's title and whether `article-lsp fix` applies it.
    pub fix: Option<(String, bool)>,
    /// Titles of the repairs a person may choose instead (never applied by `fix`).
    pub guesses: Vec<String>,
    pub related: Vec<(Position, String)>,
    /// The source line with carets and notes (human output only).
    pub frame: Option<String>,
}

impl Finding {
    pub fn fixable(&self) -> bool {
        self.fix.as_ref().is_some_and(|(_, safe)| *safe)
    }
}

/// Terminal styling, off unless writing to a terminal (or `--color always`). Only the header
/// line is painted here (three SGR codes need no library); frames are styled by
/// `annotate-snippets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn paint(&self, sgr: &str, s: &str) -> String {
        if self.color { format!("\x1b[{sgr}m{s}\x1b[0m") } else { s.to_string() }
    }

    fn severity(&self, severity: Severity) -> String {
        let sgr = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info | Severity::Hint => "1;36",
        };
        self.paint(sgr, severity.as_str())
    }
}

/// Turns byte offsets into positions, reusing the distance already counted: starts arrive
/// sorted, and so (nearly always) do ends, so each cursor only moves forward a little.
pub struct Locator<'a> {
    text: &'a str,
    index: &'a LineIndex,
    starts: Cursor,
    ends: Cursor,
}

#[derive(Debug, Clone, Copy)]
struct Cursor {
    offset: usize,
    line: usize,
    /// 0-based character column of `offset`.
    column: usize,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str, index: &'a LineIndex) -> Locator<'a> {
        let origin = Cursor { offset: 0, line: 0, column: 0 };
        Locator { text, index, starts: origin, ends: origin }
    }

    /// Locates a diagnostic; draws its code frame when `frame` (the file's name and the style)
    /// asks for it.
    pub fn finding(&mut self, d: &Diagnostic, frame: Option<(&str, Style)>) -> Finding {
        let start = move_to(self.text, self.index, &mut self.starts, d.range.start);
        let end = move_to(self.text, self.index, &mut self.ends, d.range.end);
        let related: Vec<(Position, String)> =
            d.related.iter().map(|r| (self.position(r.range.start), r.message.clone())).collect();
        let frame = frame.map(|(path, style)| self.frame(d, start, path, &related, style));
        Finding {
            code: d.code,
            severity: d.severity,
            message: d.message.clone(),
            start,
            end,
            fix: d.fix.as_ref().map(|f| (f.title.clone(), f.safe)),
            guesses: d.guesses.iter().map(|g| g.title.clone()).collect(),
            related,
            frame,
        }
    }

    /// An out-of-order position (related information) counted from its line's start.
    fn position(&self, offset: usize) -> Position {
        let mut cursor = Cursor { offset: usize::MAX, line: usize::MAX, column: 0 };
        move_to(self.text, self.index, &mut cursor, offset)
    }

    fn frame(
        &self,
        d: &Diagnostic,
        start: Position,
        path: &str,
        related: &[(Position, String)],
        style: Style,
    ) -> String {
        let line = self.index.line_content(self.text, start.line - 1);
        let line_text = &self.text[line.clone()];
        let from = floor_boundary(line_text, d.range.start.clamp(line.start, line.end) - line.start);
        let to = floor_boundary(line_text, d.range.end.clamp(line.start, line.end) - line.start);
        let (shown, span) = window(line_text, from, to);
        let mut group = Group::with_level(level(d.severity)).element(
            Snippet::source(&shown).line_start(start.line).fold(false).annotation(AnnotationKind::Primary.span(span)),
        );
        let notes: Vec<String> =
            related.iter().map(|(at, message)| format!("{path}:{}:{}: {message}", at.line, at.column)).collect();
        for note in &notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        let renderer = if style.color { Renderer::styled() } else { Renderer::plain() };
        renderer.render(&[group])
    }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
        Severity::Hint => Level::HELP,
    }
}

/// Moves `cursor` to `offset` (rounded down to a char boundary) and returns its position,
/// counting only the characters between the old and the new offset when both are on one line.
fn move_to(text: &str, index: &LineIndex, cursor: &mut Cursor, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = index.line_of(offset);
    cursor.column = if line != cursor.line {
        char_count(&text[index.line_range(line).start.min(offset)..offset])
    } else if offset >= cursor.offset {
        cursor.column + char_count(&text[cursor.offset..offset])
    } else {
        cursor.column - char_count(&text[offset..cursor.offset])
    };
    cursor.offset = offset;
    cursor.line = line;
    Position { line: line + 1, column: cursor.column + 1 }
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn char_count(s: &str) -> usize {
    s.chars().count()
}

/// At most this many characters of a source line are shown.
const MAX_SHOWN: usize = 100;
/// Characters kept before the range on a long line.
const LEAD: usize = 40;
/// At most this many characters of a long range are underlined.
const MAX_UNDERLINED: usize = 60;

/// The part of `line` around the byte range `from..to` (at most [`MAX_SHOWN`] characters, with
/// `…` where it was cut), control characters made visible, and the range's byte span in it.
/// Only characters near the range are visited, so a frame costs the same on any line length.
fn window(line: &str, from: usize, to: usize) -> (String, std::ops::Range<usize>) {
    let to = advance(line, from, MAX_UNDERLINED).min(to.max(from));
    let short = line.chars().nth(MAX_SHOWN).is_none();
    let (mut begin, mut end) = if short { (0, line.len()) } else { (retreat(line, from, LEAD), 0) };
    if !short {
        let shown_before_end = char_count(&line[begin..to]);
        end = advance(line, to, MAX_SHOWN.saturating_sub(shown_before_end));
        // Near the end of the line, show more of what precedes instead.
        let spare = MAX_SHOWN.saturating_sub(char_count(&line[begin..end]));
        begin = retreat(line, begin, spare);
    }
    let mut shown = String::new();
    if begin > 0 {
        shown.push('…');
    }
    let mut span = 0..0;
    for (at, c) in line[begin..end].char_indices() {
        if begin + at == from {
            span.start = shown.len();
        }
        if begin + at == to {
            span.end = shown.len();
        }
        shown.push(visible(c));
    }
    if to == end {
        span.end = shown.len();
    }
    if from == end {
        span.start = shown.len();
    }
    if end < line.len() {
        shown.push('…');
    }
    (shown, span)
}

/// The byte offset `n` characters after `at` (or the end).
fn advance(s: &str, at: usize, n: usize) -> usize {
    s[at..].char_indices().nth(n).map_or(s.len(), |(i, _)| at + i)
}

/// The byte offset `n` characters before `at` (or the start).
fn retreat(s: &str, at: usize, n: usize) -> usize {
    if n == 0 {
        return at;
    }
    s[..at].char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i)
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

/// `path:line:col: severity[code]: message`: the first line of the human output and the whole
/// of the concise one. Hand-written because it is one `format!`; the layout engine is for
/// frames.
pub fn header(out: &mut dyn Write, path: &str, f: &Finding, style: Style) -> io::Result<()> {
    let location = style.paint("1", &format!("{path}:{}:{}:", f.start.line, f.start.column));
    writeln!(out, "{location} {}[{}]: {}", style.severity(f.severity), f.code, f.message)
}

/// The header, then the frame.
pub fn human_finding(out: &mut dyn Write, path: &str, f: &Finding, style: Style) -> io::Result<()> {
    header(out, path, f, style)?;
    if let Some(frame) = &f.frame {
        writeln!(out, "{frame}")?;
    }
    Ok(())
}

/// One diagnostic in the human format (the fixture tests render through this).
pub fn human(
    out: &mut dyn Write,
    path: &str,
    text: &str,
    index: &LineIndex,
    d: &Diagnostic,
    style: Style,
) -> io::Result<()> {
    let finding = Locator::new(text, index).finding(d, Some((path, style)));
    human_finding(out, path, &finding, style)
}

/// One JSON object per line.
pub fn json_line(out: &mut dyn Write, path: &str, f: &Finding) -> io::Result<()> {
    let mut value = json!({
        "path": path,
        "line": f.start.line,
        "column": f.start.column,
        "end_line": f.end.line,
        "end_column": f.end.column,
        "severity": f.severity.as_str(),
        "code": f.code.as_str(),
        "message": f.message,
    });
    if let Some((title, safe)) = &f.fix {
        value["fix"] = json!({ "title": title, "safe": safe });
    }
    if !f.guesses.is_empty() {
        value["guesses"] = f.guesses.iter().map(|title| json!({ "title": title, "safe": false })).collect();
    }
    writeln!(out, "{value}")
}

/// A file that could not be checked, as a JSON Lines record.
pub fn json_trouble(out: &mut dyn Write, path: Option<&str>, message: &str) -> io::Result<()> {
    let value = json!({ "path": path, "severity": "error", "code": "io-error", "message": message });
    writeln!(out, "{value}")
}

/// A GitHub Actions workflow command, which the runner turns into an annotation on the line.
pub fn github(out: &mut dyn Write, path: &str, f: &Finding) -> io::Result<()> {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "notice",
    };
    writeln!(
        out,
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        github_property(path),
        f.start.line,
        f.start.column,
        f.end.line,
        f.end.column,
        github_property(&format!("article-lsp ({})", f.code)),
        github_data(&f.message)
    )
}

/// A file that could not be checked, as a workflow error.
pub fn github_trouble(out: &mut dyn Write, path: Option<&str>, message: &str) -> io::Result<()> {
    match path {
        Some(path) => writeln!(
            out,
            "::error file={},title=article-lsp (io-error)::{}",
            github_property(path),
            github_data(message)
        ),
        None => writeln!(out, "::error title=article-lsp (io-error)::{}", github_data(message)),
    }
}

/// Escapes a workflow command's message (the runner's own rules: `%`, CR and LF).
fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value: also `:` and `,`, which delimit properties.
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
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
        let (shown, span) = window(&line, 200, 203);
        assert!(shown.chars().count() <= MAX_SHOWN + 2, "{shown}");
        assert_eq!(&shown[span], "XYZ");
    }

    #[test]
    fn a_range_near_the_end_of_a_long_line_still_shows_a_full_window() {
        let line = format!("{}XYZ", "é".repeat(300));
        let (shown, span) = window(&line, 600, 603);
        assert_eq!(shown.chars().count(), MAX_SHOWN + 1, "{shown}");
        assert_eq!(&shown[span], "XYZ");
    }

    #[test]
    fn control_characters_are_shown_as_pictures_and_the_span_follows() {
        let (shown, span) = window("a\u{1}\tb", 3, 4);
        assert_eq!(shown, "a\u{2401} b");
        assert_eq!(&shown[span], "b");
    }

    #[test]
    fn the_locator_agrees_with_the_line_index_in_any_order() {
        use crate::line_index::PositionEncoding;
        let text = "ab\ncé😀d\r\nxyz\n";
        let index = LineIndex::new(text);
        let mut locator = Locator::new(text, &index);
        let offsets = [0, 1, 3, 4, 6, 10, 5, 13, 3, 16, 2, 9, text.len()];
        for offset in offsets {
            let expected = index.line_col(text, offset, PositionEncoding::Utf32);
            let got = move_to(text, &index, &mut locator.starts, offset);
            assert_eq!((got.line - 1, got.column - 1), (expected.line as usize, expected.col as usize), "{offset}");
        }
    }

    #[test]
    fn github_escapes_properties_and_data() {
        assert_eq!(github_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(github_data("a,b:c%\r\n"), "a,b:c%25%0D%0A");
    }
}
