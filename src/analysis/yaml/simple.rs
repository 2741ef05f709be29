//! saphyr-parser's events for the simple YAML nearly every front matter is written in, read
//! line by line at a fraction of the parser's cost; anything else is left to the parser. The
//! tree (`yaml::parse`, so every check and the editor features) and the workspace skim both
//! read their events from here first.
//!
//! The subset: block mappings whose keys are plain words (ASCII letters, digits, `_`, `-`) each
//! followed by `:` and a space, block sequences (`- ` items, at the parent key's column or
//! deeper; a document may also be one list, as a front matter's list-item unit is), and
//! scalars written on one line — plain (no indicator first, no `: `, a ` #` starts a comment),
//! single-quoted or double-quoted (with no escape but `\"` and `\\`, and nothing after the
//! closing quote); blank lines and whole-line comments anywhere. Each collection's lines sit at
//! exactly its column.
//!
//! Why it is sound: every construct is recognised by what it must look like, and anything that
//! does not look exactly so — a tab, a CR, a NUL or special character anywhere, a flow
//! collection, an anchor, alias or tag, a block scalar, a key with no value, a scalar
//! continued on the next line, a line at a column no open collection has — makes [`events`]
//! answer [`Unsupported`] before any event is used, and the caller asks saphyr-parser instead.
//! Within the subset the events and their byte spans are the parser's: the tests in
//! `yaml/mod.rs` compare the trees both give, and those in `workspace/skim.rs` the summaries,
//! on every prefix of the examples, odd shapes and thousands of random edits.

use std::borrow::Cow;
use std::ops::Range;

use saphyr_parser::{Event, ScalarStyle};

/// The text is outside the subset: ask saphyr-parser.
#[derive(Debug)]
pub(crate) struct Unsupported;

type Scanned<T> = Result<T, Unsupported>;

/// An event and the byte range of its node in the article's text.
pub(crate) type Located<'a> = (Event<'a>, Range<usize>);

/// A saphyr-parser event in the few bytes the scanner's subset needs: its `Event` carries an
/// anchor and a tag that the subset never has (88 bytes where this takes 32), and each event
/// is moved several times between the scanner and its reader. `Alias` and `Other` (the
/// stream's and documents' starts and ends, `Nothing`) come only from the parser, for the
/// workspace skim, which reads both sources as tokens.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token<'a> {
    Scalar(Cow<'a, str>, ScalarStyle),
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    StreamEnd,
    Alias,
    Other,
}

/// A token and the byte range of its node in the article's text.
pub(crate) type LocatedToken<'a> = (Token<'a>, Range<usize>);

impl<'a> Token<'a> {
    /// The parser's event (with no anchor or tag: the scanner's subset has none).
    pub(crate) fn into_event(self) -> Event<'a> {
        match self {
            Token::Scalar(text, style) => Event::Scalar(text, style, 0, None),
            Token::MappingStart => Event::MappingStart(0, None),
            Token::MappingEnd => Event::MappingEnd,
            Token::SequenceStart => Event::SequenceStart(0, None),
            Token::SequenceEnd => Event::SequenceEnd,
            Token::StreamEnd => Event::StreamEnd,
            Token::Alias => Event::Alias(0),
            Token::Other => Event::Nothing,
        }
    }

    /// The token of a parser's event (what the skim reads of it).
    pub(crate) fn of_event(event: Event<'a>) -> Token<'a> {
        match event {
            Event::Scalar(text, style, _, _) => Token::Scalar(text, style),
            Event::MappingStart(..) => Token::MappingStart,
            Event::MappingEnd => Token::MappingEnd,
            Event::SequenceStart(..) => Token::SequenceStart,
            Event::SequenceEnd => Token::SequenceEnd,
            Event::StreamEnd => Token::StreamEnd,
            Event::Alias(_) => Token::Alias,
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd => Token::Other,
        }
    }
}

/// The events of the YAML `src` (which starts at byte `base` of the article), as saphyr-parser
/// gives them to the summary (as tokens), or [`Unsupported`].
pub(crate) fn events(src: &str, base: usize) -> Scanned<Vec<LocatedToken<'_>>> {
    events_into(src, base, Vec::new())
}

/// [`events`] written into `out` (emptied first): a caller that scans many texts keeps one
/// vector's room for all of them.
pub(crate) fn events_into<'a>(
    src: &'a str,
    base: usize,
    mut out: Vec<LocatedToken<'a>>,
) -> Scanned<Vec<LocatedToken<'a>>> {
    if !only_plain_characters(src) {
        return Err(Unsupported);
    }
    // About two tokens a line, so room for nearly every front matter at once (but a huge one,
    // which grows as it needs).
    out.clear();
    out.reserve((src.len() / 16 + 8).min(MAX_RESERVED));
    let mut scan = Scan::new(out);
    let mut at = 0;
    for end in memchr::memchr_iter(b'\n', src.as_bytes()).chain(std::iter::once(src.len())) {
        scan.line(&src[at..end], base + at)?;
        at = end + 1;
    }
    scan.finish(base + src.len())?;
    Ok(scan.out)
}

/// The most tokens [`events`] makes room for before it has read any.
const MAX_RESERVED: usize = 4096;

/// The same events read a line at a time as they are asked for, for a reader that can drop
/// what it read when the text turns out to be outside the subset (the workspace skim, which
/// then asks saphyr-parser) and must not hold a token per node of a long text at once (the
/// skim streams a front matter longer than it scans whole).
pub(crate) struct Stream<'a> {
    src: &'a str,
    base: usize,
    /// `scan.out` holds the events of the last line scanned not yet given, last first.
    scan: Scan<'a>,
    /// Where the next line starts in `src`; past its end once the stream has ended.
    at: usize,
}

impl<'a> Stream<'a> {
    pub(crate) fn new(src: &'a str, base: usize) -> Scanned<Stream<'a>> {
        if !only_plain_characters(src) {
            return Err(Unsupported);
        }
        Ok(Stream { src, base, scan: Scan::new(Vec::with_capacity(8)), at: 0 })
    }

    /// The next event, [`Unsupported`] once a line is outside the subset or after the end.
    pub(crate) fn next_event(&mut self) -> Scanned<LocatedToken<'a>> {
        loop {
            if let Some(event) = self.scan.out.pop() {
                return Ok(event);
            }
            self.scan_line()?;
            // Taken from the end, each event is moved out once, with nothing written back.
            self.scan.out.reverse();
        }
    }

    /// Scans the next line (and, after the last one, ends the stream).
    fn scan_line(&mut self) -> Scanned<()> {
        let rest = self.src.get(self.at..).ok_or(Unsupported)?;
        let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(self.src.len(), |n| self.at + n);
        self.scan.line(&self.src[self.at..end], self.base + self.at)?;
        self.at = end + 1;
        if end == self.src.len() {
            self.scan.finish(self.base + end)?;
        }
        Ok(())
    }
}

/// No NUL, tab, CR, byte-order mark or line or paragraph separator: the characters whose YAML
/// meaning the scanner does not model (saphyr-parser reads NUL as the end of the input, a tab
/// as a blank, CR as a break). Other control characters are content to the parser, as any
/// letter: scraped text holds them (a stray backspace, a C1 control left by mojibake), and
/// sending each such file to the parser cost it several times more. One pass over the bytes:
/// the non-ASCII ones are U+2028 and U+2029 (`E2 80 A8`, `E2 80 A9`) and U+FEFF, U+FFFE,
/// U+FFFF (`EF BB BF`, `EF BF BE`, `EF BF BF`).
fn only_plain_characters(src: &str) -> bool {
    let bytes = src.as_bytes();
    if memchr::memchr3(0, b'\t', b'\r', bytes).is_some() {
        return false;
    }
    let special = |at: usize| match bytes[at] {
        0xE2 => bytes.get(at + 1) == Some(&0x80) && matches!(bytes.get(at + 2), Some(0xA8 | 0xA9)),
        _ => matches!(bytes.get(at + 1..at + 3), Some([0xBB, 0xBF] | [0xBF, 0xBE | 0xBF])),
    };
    !memchr::memchr2_iter(0xE2, 0xEF, bytes).any(special)
}

/// An open block collection and the column of its keys or dashes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Mapping(usize),
    Sequence(usize),
}

impl Open {
    fn column(self) -> usize {
        match self {
            Open::Mapping(column) | Open::Sequence(column) => column,
        }
    }

    fn end(self) -> Token<'static> {
        match self {
            Open::Mapping(_) => Token::MappingEnd,
            Open::Sequence(_) => Token::SequenceEnd,
        }
    }
}

/// Longest key the scanner reads (YAML caps an implicit key at 1,024 characters).
const MAX_KEY: usize = 256;

struct Scan<'a> {
    /// The events scanned (and not yet taken, when read as a [`Stream`]).
    out: Vec<LocatedToken<'a>>,
    open: Vec<Open>,
    /// The last line was `key:` with nothing after it: the next line must open its value.
    pending: bool,
    /// Whether the root collection has been opened.
    started: bool,
    /// Where the last event ended (the span given to end events, which the summary never reads).
    last_end: usize,
}

impl<'a> Scan<'a> {
    fn new(out: Vec<LocatedToken<'a>>) -> Scan<'a> {
        Scan { out, open: Vec::new(), pending: false, started: false, last_end: 0 }
    }

    fn emit(&mut self, event: Token<'a>, span: Range<usize>) {
        self.last_end = span.end;
        self.started = true;
        self.out.push((event, span));
    }

    /// One line (without its `\n`) starting at byte `at` of the article.
    fn line(&mut self, line: &'a str, at: usize) -> Scanned<()> {
        let content = skip_spaces(line);
        if content.is_empty() || content.starts_with('#') {
            return Ok(());
        }
        let column = line.len() - content.len();
        let at = at + column;
        let dash = content == "-" || content.starts_with("- ");
        if std::mem::take(&mut self.pending) {
            return self.open_value(content, column, at, dash);
        }
        if !self.started {
            // The root: a mapping, or a list (a front matter's unit that is one list item).
            return match dash {
                true => self.open_sequence(content, column, at, at),
                false => self.open_mapping(content, column, at),
            };
        }
        self.close_to(column, dash);
        match self.open.last() {
            Some(&Open::Mapping(c)) if c == column && !dash => self.entry(content, at),
            Some(&Open::Sequence(c)) if c == column && dash => self.item(content, column, at),
            _ => Err(Unsupported),
        }
    }

    /// Closes the collections a line at `column` ends: the deeper ones, and a sequence at that
    /// very column (one written at its key's column) when the line is not one of its items.
    fn close_to(&mut self, column: usize, dash: bool) {
        while let Some(&open) = self.open.last() {
            let ends = open.column() > column || (open == Open::Sequence(column) && !dash);
            if !ends {
                break;
            }
            self.open.pop();
            self.emit(open.end(), self.last_end..self.last_end);
        }
    }

    /// The first line of the value of a `key:` line: a nested mapping (deeper) or sequence
    /// (at the key's column or deeper). Anything else — an empty value — is left to saphyr.
    fn open_value(&mut self, content: &'a str, column: usize, at: usize, dash: bool) -> Scanned<()> {
        let parent = self.open.last().map_or(0, |open| open.column());
        if dash && column >= parent {
            // saphyr-parser starts a list written at its key's column ("indentless") after its
            // first dash and the spaces that follow, and any other list at its first dash.
            let start = if column == parent { at + 1 + spaces_after_dash(content) } else { at };
            return self.open_sequence(content, column, at, start);
        }
        if !dash && column > parent {
            return self.open_mapping(content, column, at);
        }
        Err(Unsupported)
    }

    /// A list whose first item is the line `content` at `column` (byte `at`); its node starts
    /// at `start`.
    fn open_sequence(&mut self, content: &'a str, column: usize, at: usize, start: usize) -> Scanned<()> {
        self.open.push(Open::Sequence(column));
        self.emit(Token::SequenceStart, start..start);
        self.item(content, column, at)
    }

    fn open_mapping(&mut self, content: &'a str, column: usize, at: usize) -> Scanned<()> {
        let key = key_length(content).ok_or(Unsupported)?;
        self.open_mapping_at_key(content, key, column, at)
    }

    /// [`Self::open_mapping`] of a line whose key (`key` bytes long) is already measured.
    fn open_mapping_at_key(&mut self, content: &'a str, key: usize, column: usize, at: usize) -> Scanned<()> {
        self.open.push(Open::Mapping(column));
        self.emit(Token::MappingStart, at..at);
        self.entry_at_key(content, key, at)
    }

    /// `key: value` or `key:` (the value on the next lines).
    fn entry(&mut self, content: &'a str, at: usize) -> Scanned<()> {
        let key = key_length(content).ok_or(Unsupported)?;
        self.entry_at_key(content, key, at)
    }

    fn entry_at_key(&mut self, content: &'a str, key: usize, at: usize) -> Scanned<()> {
        self.emit(plain(&content[..key]), at..at + key);
        let after = &content[key + 1..];
        let value = skip_spaces(after);
        if value.is_empty() {
            self.pending = true;
            return Ok(());
        }
        if value.len() == after.len() {
            return Err(Unsupported);
        }
        self.scalar(value, at + content.len() - value.len())
    }

    /// `- scalar` or `- key: ...` (a mapping whose keys sit at the column after the dash).
    fn item(&mut self, content: &'a str, column: usize, at: usize) -> Scanned<()> {
        let value = skip_spaces(content.get(1..).unwrap_or(""));
        if value.is_empty() {
            return Err(Unsupported);
        }
        let skipped = content.len() - value.len();
        if let Some(key) = key_length(value) {
            return self.open_mapping_at_key(value, key, column + skipped, at + skipped);
        }
        self.scalar(value, at + skipped)
    }

    /// A scalar that starts at byte `at` and must end its line (but for a comment).
    fn scalar(&mut self, value: &'a str, at: usize) -> Scanned<()> {
        let (text, style, length) = match value.as_bytes().first() {
            Some(b'"') => double_quoted(value)?,
            Some(b'\'') => single_quoted(value)?,
            _ => plain_scalar(value)?,
        };
        // saphyr's span of a quoted scalar takes in the spaces after it: the scanner takes
        // only a quoted scalar that ends its line.
        let rest = &value[length..];
        let after = skip_spaces(rest);
        let comment = after.starts_with('#') && after.len() < rest.len();
        let ends_line = rest.is_empty() || (style == ScalarStyle::Plain && (after.is_empty() || comment));
        if !ends_line {
            return Err(Unsupported);
        }
        self.emit(Token::Scalar(text, style), at..at + length);
        Ok(())
    }

    /// Closes what is open at the end of the text (byte `end`).
    fn finish(&mut self, end: usize) -> Scanned<()> {
        if self.pending {
            return Err(Unsupported);
        }
        while let Some(open) = self.open.pop() {
            self.emit(open.end(), end..end);
        }
        self.emit(Token::StreamEnd, end..end);
        Ok(())
    }
}

/// The spaces after the dash that starts `content` (an item line).
fn spaces_after_dash(content: &str) -> usize {
    let rest = content.get(1..).unwrap_or("");
    rest.len() - skip_spaces(rest).len()
}

/// `text` without its leading spaces (a byte loop: `trim_start_matches(' ')` decodes characters).
fn skip_spaces(text: &str) -> &str {
    let spaces = text.bytes().take_while(|&b| b == b' ').count();
    &text[spaces..]
}

/// `text` without its trailing spaces (a byte loop, as [`skip_spaces`]).
fn without_trailing_spaces(text: &str) -> &str {
    let spaces = text.bytes().rev().take_while(|&b| b == b' ').count();
    &text[..text.len() - spaces]
}

fn plain(text: &str) -> Token<'_> {
    Token::Scalar(Cow::Borrowed(text), ScalarStyle::Plain)
}

/// The length of the key of a `key:` line (followed by a space or the end of the line).
fn key_length(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    let key = bytes.iter().position(|&b| !KEY_BYTES[usize::from(b)]).unwrap_or(bytes.len());
    let starts_well = bytes.first().is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
    let colon = bytes.get(key) == Some(&b':') && matches!(bytes.get(key + 1), None | Some(b' '));
    (starts_well && colon && key <= MAX_KEY).then_some(key)
}

/// The bytes of a key: ASCII letters, digits, `_` and `-` (a table: every key of every front
/// matter is measured, a byte at a time).
const KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-';
        b += 1;
    }
    table
};

type Scalar<'a> = (Cow<'a, str>, ScalarStyle, usize);

/// A plain scalar up to a comment or the end of the line, without trailing spaces.
fn plain_scalar(value: &str) -> Scanned<Scalar<'_>> {
    let first = *value.as_bytes().first().ok_or(Unsupported)?;
    // A match, not a search of the list: this runs for every plain scalar.
    if matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    ) {
        return Err(Unsupported);
    }
    let bytes = value.as_bytes();
    // One pass over the `:` and `#` of the value: a ` #` starts a comment, a `: ` or a final
    // `:` would make it a key.
    let mut end = value.len();
    for at in memchr::memchr2_iter(b':', b'#', bytes) {
        if bytes[at] == b'#' && at > 0 && bytes[at - 1] == b' ' {
            end = at;
            break;
        }
        if bytes[at] == b':' && matches!(bytes.get(at + 1), None | Some(b' ')) {
            return Err(Unsupported);
        }
    }
    let text = without_trailing_spaces(&value[..end]);
    if text.ends_with(':') {
        return Err(Unsupported);
    }
    Ok((Cow::Borrowed(text), ScalarStyle::Plain, text.len()))
}

/// `"..."` closed on the same line; `\"` and `\\` are the only escapes read.
fn double_quoted(value: &str) -> Scanned<Scalar<'_>> {
    let body = &value[1..];
    let bytes = body.as_bytes();
    let mut owned: Option<String> = None;
    let mut from = 0;
    let mut i = 0;
    while let Some(found) = memchr::memchr2(b'"', b'\\', &bytes[i..]) {
        let at = i + found;
        if bytes[at] == b'"' {
            return Ok((unescaped(body, owned, from, at), ScalarStyle::DoubleQuoted, at + 2));
        }
        let Some(&escaped @ (b'"' | b'\\')) = bytes.get(at + 1) else { return Err(Unsupported) };
        let text = owned.get_or_insert_with(String::new);
        text.push_str(&body[from..at]);
        text.push(char::from(escaped));
        from = at + 2;
        i = at + 2;
    }
    Err(Unsupported)
}

/// `'...'` closed on the same line; `''` is a quote.
fn single_quoted(value: &str) -> Scanned<Scalar<'_>> {
    let body = &value[1..];
    let mut owned: Option<String> = None;
    let mut from = 0;
    let mut i = 0;
    while let Some(q) = memchr::memchr(b'\'', &body.as_bytes()[i..]) {
        let at = i + q;
        if body.as_bytes().get(at + 1) == Some(&b'\'') {
            let text = owned.get_or_insert_with(String::new);
            text.push_str(&body[from..=at]);
            from = at + 2;
            i = at + 2;
            continue;
        }
        return Ok((unescaped(body, owned, from, at), ScalarStyle::SingleQuoted, at + 2));
    }
    Err(Unsupported)
}

/// A quoted scalar's text up to its closing quote at `end`: `body` itself when it had no
/// escape, else the text unescaped so far (up to `from`) and the rest.
fn unescaped(body: &str, owned: Option<String>, from: usize, end: usize) -> Cow<'_, str> {
    match owned {
        Some(mut text) => {
            text.push_str(&body[from..end]);
            Cow::Owned(text)
        }
        None => Cow::Borrowed(&body[..end]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The match on a plain scalar's first byte refuses exactly the indicators of the list it
    /// replaced, for every byte.
    #[test]
    fn plain_scalars_refuse_exactly_the_indicators() {
        let indicators = b"-?:,[]{}#&*!|>'\"%@`";
        for first in (0..=0x7Fu8).filter(|b| b.is_ascii_graphic()) {
            let value = [first, b'x'];
            let text = std::str::from_utf8(&value).unwrap_or("");
            assert_eq!(plain_scalar(text).is_err(), indicators.contains(&first), "{:?}", char::from(first));
        }
    }

    /// A scanned token is the parser's event it stands for, and back, without loss.
    #[test]
    fn tokens_convert_to_events_and_back() {
        let src = "title: \"A \\\"b\\\"\"\nexcerpt: 'x''y'\ntopics:\n- AI\nprovider:\n  name: P # c\nrelated:\n  - webUrl: u\n";
        let tokens = events(src, 0).unwrap_or_default();
        assert!(tokens.len() > 15, "{tokens:?}");
        for (token, _) in tokens {
            assert_eq!(Token::of_event(token.clone().into_event()), token);
        }
    }

    /// The byte test says what the character test it replaced said, for every character.
    #[test]
    fn plain_characters_are_judged_as_by_their_characters() {
        let by_chars = |src: &str| {
            let special = |c: char| {
                matches!(c, '\0' | '\t' | '\r' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}')
            };
            !src.chars().any(special)
        };
        let mut judged = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let src = format!("a: {c}b\n");
            assert_eq!(only_plain_characters(&src), by_chars(&src), "{:?}", c);
            judged += 1;
        }
        assert!(judged > 1_000_000);
    }
}
