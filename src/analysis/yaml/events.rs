//! Where YAML events come from, each with the byte range of its node in the analysed text:
//! saphyr-parser, or the line scanner of [`super::simple`]. The tree and the workspace skim
//! read them alike.

use std::ops::Range;

use saphyr_parser::{Parser, ScanError, Span, StrInput};

use super::{SyntaxError, simple, too_deep};

/// A source of events.
pub(crate) trait Events<'a> {
    fn next_event(&mut self) -> Result<simple::Located<'a>, SyntaxError>;
}

/// saphyr-parser's events, their character positions turned into byte offsets.
pub(crate) struct ParserEvents<'a> {
    parser: Parser<'a, StrInput<'a>>,
    positions: Positions<'a>,
}

impl<'a> ParserEvents<'a> {
    /// The events of `src`, which starts at byte `base` of the analysed text.
    pub(crate) fn new(src: &'a str, base: usize) -> ParserEvents<'a> {
        ParserEvents { parser: Parser::new_from_str(src), positions: Positions::new(src, base) }
    }

    fn error(&mut self, err: &ScanError) -> SyntaxError {
        let offset = self.positions.byte(err.marker().index());
        // The scanner has its own, higher limit on flow nesting; say the same thing as ours.
        match err.info() {
            "recursion limit exceeded" => SyntaxError { offset, message: too_deep() },
            info => SyntaxError { offset, message: info.to_string() },
        }
    }
}

impl<'a> Events<'a> for ParserEvents<'a> {
    fn next_event(&mut self) -> Result<simple::Located<'a>, SyntaxError> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => Ok((event, self.positions.span(span))),
            Some(Err(err)) => Err(self.error(&err)),
            None => Err(unexpected_end(self.positions.base)),
        }
    }
}

/// A source of events as [`simple::Token`]s, for a reader that needs to know only whether the
/// text is valid, not why not (the workspace skim): `None` after an error or the end.
pub(crate) trait Tokens<'a> {
    fn next_token(&mut self) -> Option<simple::LocatedToken<'a>>;
}

impl<'a> Tokens<'a> for ParserEvents<'a> {
    fn next_token(&mut self) -> Option<simple::LocatedToken<'a>> {
        let (event, span) = self.next_event().ok()?;
        Some((simple::Token::of_event(event), span))
    }
}

/// A [`simple::Stream`]'s tokens. Its `None` before the end says only that the scanner gave
/// up (on text outside its subset): the reader must then ask saphyr-parser, never report it.
impl<'a> Tokens<'a> for simple::Stream<'a> {
    fn next_token(&mut self) -> Option<simple::LocatedToken<'a>> {
        simple::Stream::next_event(self).ok()
    }
}

/// The tokens [`simple::events`] read.
impl<'a> Tokens<'a> for std::vec::IntoIter<simple::LocatedToken<'a>> {
    fn next_token(&mut self) -> Option<simple::LocatedToken<'a>> {
        self.next()
    }
}

/// The tokens [`simple::events_into`] read, drained from a vector kept for the next text.
impl<'a> Tokens<'a> for std::vec::Drain<'_, simple::LocatedToken<'a>> {
    fn next_token(&mut self) -> Option<simple::LocatedToken<'a>> {
        self.next()
    }
}

/// The events [`simple::events`] read (it never fails once it has answered).
pub(crate) struct Scanned<'a> {
    events: std::vec::IntoIter<simple::LocatedToken<'a>>,
    base: usize,
}

impl<'a> Scanned<'a> {
    pub(crate) fn new(events: Vec<simple::LocatedToken<'a>>, base: usize) -> Scanned<'a> {
        Scanned { events: events.into_iter(), base }
    }
}

impl<'a> Events<'a> for Scanned<'a> {
    fn next_event(&mut self) -> Result<simple::Located<'a>, SyntaxError> {
        let (token, span) = self.events.next().ok_or_else(|| unexpected_end(self.base))?;
        Ok((token.into_event(), span))
    }
}

fn unexpected_end(offset: usize) -> SyntaxError {
    SyntaxError { offset, message: "unexpected end".into() }
}

/// Turns saphyr's character indices into byte offsets with a cursor that walks the text from
/// the last answer: events come nearly in order, so this costs a pass over the text, where a
/// table would hold a word per character.
struct Positions<'a> {
    src: &'a str,
    base: usize,
    ascii: bool,
    /// The cursor: a character index and its byte offset in `src`.
    char: usize,
    byte: usize,
}

impl<'a> Positions<'a> {
    fn new(src: &'a str, base: usize) -> Positions<'a> {
        Positions { src, base, ascii: src.is_ascii(), char: 0, byte: 0 }
    }

    fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return self.base + index;
        }
        while self.char > index {
            let Some(c) = self.src.get(..self.byte).and_then(|s| s.chars().next_back()) else { break };
            self.byte -= c.len_utf8();
            self.char -= 1;
        }
        while self.char < index {
            // Past the last character, every index is the end of the text.
            let Some(c) = self.src.get(self.byte..).and_then(|s| s.chars().next()) else { break };
            self.byte += c.len_utf8();
            self.char += 1;
        }
        self.base + self.byte
    }

    fn span(&mut self, span: Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}
