//! Checks of one line's text, independent of every other line: encoding damage everywhere and
//! dated lines in the body. Being per-line, their results can be cached line by line.

use std::ops::Range;

use jiff::civil::Date;

use super::dates::dated_line;
use super::diagnostic::{Code, Diagnostic, Fix};
use super::mojibake;

/// Where a line sits, which decides the checks that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    FrontMatter,
    Body,
}

/// Appends the diagnostics of `line` (without its terminator), which starts at byte `offset`.
pub fn check_line(acc: &mut Vec<Diagnostic>, line: &str, offset: usize, kind: LineKind, today: Date) {
    let mangled = if line.is_ascii() { Vec::new() } else { mojibake::find(line) };
    for run in &mangled {
        acc.push(mojibake_diagnostic(line, offset, run));
    }
    if needs_char_scan(line) {
        check_chars(acc, line, offset, &mangled);
    }
    if kind == LineKind::Body {
        check_dated_line(acc, line, offset, today);
    }
}

/// The mojibake findings of `line` alone: all that `fix --only mojibake` needs of
/// [`check_line`], which reports the same findings among the others.
pub fn check_mojibake(acc: &mut Vec<Diagnostic>, line: &str, offset: usize) {
    if line.is_ascii() {
        return;
    }
    for run in &mojibake::find(line) {
        acc.push(mojibake_diagnostic(line, offset, run));
    }
}

fn mojibake_diagnostic(line: &str, offset: usize, run: &mojibake::Mangled) -> Diagnostic {
    let bad = visible(&line[run.range.clone()]);
    let good = visible(&run.repaired);
    let times = match run.layers {
        0 | 1 => String::new(),
        2 => ", twice".to_string(),
        n => format!(", {n} times"),
    };
    let source = match run.origin {
        mojibake::Origin::Utf8 => "UTF-8",
        mojibake::Origin::Cesu8 => "CESU-8",
        mojibake::Origin::Windows1252 => "Windows-1252",
    };
    let message = format!("`{bad}` is `{good}` ({source} decoded as {}{times})", run.encoding.name());
    let range = offset + run.range.start..offset + run.range.end;
    let fix = Fix::replace(format!("Repair encoding: {bad} → {good}"), range.clone(), run.repaired.clone(), true);
    let diagnostic = Diagnostic::new(Code::Mojibake, range.clone(), message).with_fix(fix);
    match &run.guess {
        // A lost character restored from context: offered, never applied by `fix`.
        Some(guess) => {
            let title = format!("Repair encoding (guess): {bad} → {}", visible(guess));
            diagnostic.with_guess(Fix::replace(title, range, guess.clone(), false))
        }
        None => diagnostic,
    }
}

/// Text for a message: characters that cannot be shown (controls) are written as `U+009D`,
/// the notation people search for, not as a programming language's escape.
fn visible(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { format!("U+{:04X}", c as u32) } else { c.to_string() }).collect()
}

/// Cheap pre-check: could the line hold a control or replacement character?
fn needs_char_scan(line: &str) -> bool {
    line.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f || b == 0xc2 || b == 0xef)
}

fn check_chars(acc: &mut Vec<Diagnostic>, line: &str, offset: usize, mangled: &[mojibake::Mangled]) {
    let inside_mojibake = |at: usize| mangled.iter().any(|m| m.range.contains(&at));
    let mut replacement_run: Option<Range<usize>> = None;
    for (at, ch) in line.char_indices() {
        if ch == '\u{fffd}' {
            let run = replacement_run.get_or_insert(at..at);
            run.end = at + ch.len_utf8();
            continue;
        }
        if let Some(run) = replacement_run.take() {
            acc.push(replacement_diagnostic(offset, run));
        }
        if is_reported_control(ch) && !inside_mojibake(at) {
            acc.push(control_diagnostic(offset + at, ch));
        }
    }
    if let Some(run) = replacement_run {
        acc.push(replacement_diagnostic(offset, run));
    }
}

fn is_reported_control(ch: char) -> bool {
    ch.is_control() && !matches!(ch, '\t' | '\n' | '\r')
}

fn replacement_diagnostic(offset: usize, run: Range<usize>) -> Diagnostic {
    let count = (run.end - run.start) / '\u{fffd}'.len_utf8();
    let what = if count == 1 {
        "a U+FFFD replacement character".to_string()
    } else {
        format!("{count} U+FFFD replacement characters")
    };
    let message = format!("{what}: the original text was lost when it was decoded; restore it from the source");
    Diagnostic::new(Code::ReplacementChar, offset + run.start..offset + run.end, message)
}

fn control_diagnostic(at: usize, ch: char) -> Diagnostic {
    let code = ch as u32;
    let name = control_name(code).map(|n| format!(" ({n})")).unwrap_or_default();
    let message = format!("control character U+{code:04X}{name} in text");
    let range = at..at + ch.len_utf8();
    let fix = Fix::replace(format!("Remove U+{code:04X}"), range.clone(), "", false);
    Diagnostic::new(Code::ControlChar, range, message).with_fix(fix)
}

fn control_name(code: u32) -> Option<&'static str> {
    const C0: [&str; 32] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI", "DLE",
        "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
    ];
    match code {
        0..=31 => C0.get(code as usize).copied(),
        0x7f => Some("DEL"),
        0x85 => Some("NEL"),
        0x80..=0x9f => Some("C1 control"),
        _ => None,
    }
}

fn check_dated_line(acc: &mut Vec<Diagnostic>, line: &str, offset: usize, today: Date) {
    let first = line.trim_start().chars().next();
    if !first.is_some_and(|c| c.is_ascii_alphanumeric()) {
        return;
    }
    let Some(dated) = dated_line(line) else {
        return;
    };
    let range = offset + dated.range.start..offset + dated.range.end;
    let written = &line[dated.range.clone()];
    if let Some(reason) = dated.impossibility() {
        let hint = if written.contains('.') && dated.numeric_month { "; dotted dates are day.month.year" } else { "" };
        acc.push(Diagnostic::new(Code::InvalidDate, range, format!("`{written}` cannot exist: {reason}{hint}")));
        return;
    }
    if let Some(date) = dated.date() {
        if date > today {
            let message = format!("`{written}` is in the future (today is {today})");
            acc.push(Diagnostic::new(Code::FutureDate, range, message));
        }
    }
}
