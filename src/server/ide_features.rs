//! Requests for the per-document features of `ide` that only need converting: code lenses,
//! document links, inlay hints, semantic tokens, selection ranges and document highlights.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use ropey::Rope;
use serde::Deserialize;
use tower_lsp_server::ls_types::*;

use super::convert;
use super::document::Version;
use super::incremental::ParseSource;
use super::shared::Shared;
use super::to_lsp;
use super::transport::DirectOutput;
use super::unit_tokens::{self, Encoded, TokenUnits};
use crate::config::Config;
use crate::ide::{self, HintKind, HintSettings, LinkTarget, TokenKind};
use crate::line_index::{PositionEncoding, column_width};

/// The client-side command a code lens runs: show the references at `[uri, position]`. It is
/// deliberately not advertised in `executeCommandProvider`, so an editor extension can bind it
/// to its own references view; a client that sends it back gets the locations as the result.
pub const COMMAND_SHOW_REFERENCES: &str = "articleLsp.showReferences";

/// Inlay hint settings (`inlayHints` in the editor settings); every kind is on by default.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct InlayHintOptions {
    /// `4 years ago` after dates.
    pub relative_dates: bool,
    /// A date written with an offset, shown in `timeZone` as well.
    pub zoned_times: bool,
    /// The display time zone (an IANA name such as `Europe/Berlin`); UTC when unset.
    pub time_zone: Option<String>,
    /// After a related entry's title, the provider of the workspace article it links to.
    pub related_provider: bool,
}

impl Default for InlayHintOptions {
    fn default() -> InlayHintOptions {
        InlayHintOptions { relative_dates: true, zoned_times: true, time_zone: None, related_provider: true }
    }
}

impl InlayHintOptions {
    /// The pure layer's settings; an unknown time zone name falls back to UTC.
    fn resolve(&self) -> HintSettings {
        let zone = || {
            let name = self.time_zone.as_deref().unwrap_or("UTC");
            jiff::tz::TimeZone::get(name).unwrap_or(jiff::tz::TimeZone::UTC)
        };
        HintSettings {
            relative_dates: self.relative_dates,
            time_zone: self.zoned_times.then(zone),
            related_provider: self.related_provider,
        }
    }
}

/// The semantic token types, in legend order; all standard, so themes colour them as they are.
const TOKEN_TYPES: [SemanticTokenType; 6] = [
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::CLASS,
];

pub fn semantic_tokens_legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TOKEN_TYPES.to_vec(), token_modifiers: Vec::new() }
}

/// The legend index of each kind: keys are properties (unknown keys, variables), dates numbers,
/// URLs strings, topics enum members and providers classes.
fn token_type(kind: TokenKind) -> u32 {
    match kind {
        TokenKind::Key => 0,
        TokenKind::UnknownKey => 1,
        TokenKind::Date | TokenKind::DatedLine => 2,
        TokenKind::Url => 3,
        TokenKind::Topic => 4,
        TokenKind::Provider => 5,
    }
}

/// What these requests need of one document, taken under the lock.
struct Snap {
    uri: Uri,
    /// The version asked about: its text, and its parse (shared with the analysis).
    current: Arc<Version>,
    rope: Rope,
    path: PathBuf,
    encoding: PositionEncoding,
    config: Arc<Config>,
    now: Timestamp,
    hints: HintSettings,
    /// Where large results are serialised to, past the framework.
    direct: DirectOutput,
}

fn snap(shared: &Shared, uri: &Uri) -> Option<Snap> {
    let mut state = shared.lock();
    let doc = state.documents.get(uri)?;
    let (current, path) = (doc.current.clone(), doc.path.clone());
    let config = state.config_for(path.as_deref());
    Some(Snap {
        uri: uri.clone(),
        rope: current.rope.clone(),
        current,
        path: path.unwrap_or_default(),
        encoding: state.encoding,
        config,
        now: state.settings.now(),
        hints: state.settings.inlay_hints.resolve(),
        direct: shared.direct.clone(),
    })
}

impl Snap {
    /// The text and its parse, each made at most once per version (lenses, tokens and hints
    /// arrive together after each edit; the parse is normally the analysis' own).
    fn parse(&self) -> (Arc<str>, Arc<ide::Parsed>) {
        (self.current.text(), self.current.parsed())
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(work).await.ok()
}

pub async fn code_lenses(shared: &Shared, params: CodeLensParams) -> Option<Vec<CodeLens>> {
    let snap = snap(shared, &params.text_document.uri)?;
    let shared = shared.clone();
    blocking(move || {
        let (text, parsed) = snap.parse();
        let lenses = ide::code_lenses(&text, &parsed, &snap.path, &shared.index());
        let lens = |l: ide::Lens| {
            let at = convert::position(&snap.rope, l.references_at, snap.encoding);
            let arguments = vec![serde_json::json!(snap.uri.as_str()), serde_json::json!(at)];
            CodeLens {
                range: convert::range(&snap.rope, &l.range, snap.encoding),
                command: Some(Command {
                    title: l.title,
                    command: COMMAND_SHOW_REFERENCES.to_string(),
                    arguments: Some(arguments),
                }),
                data: None,
            }
        };
        lenses.into_iter().map(lens).collect()
    })
    .await
}

pub async fn document_links(shared: &Shared, params: DocumentLinkParams) -> Option<Vec<DocumentLink>> {
    let snap = snap(shared, &params.text_document.uri)?;
    let shared = shared.clone();
    blocking(move || {
        let (text, parsed) = snap.parse();
        let links = ide::document_links(&text, &parsed, &snap.path, &shared.index());
        let link = |l: ide::Link| {
            let (target, tooltip) = match &l.target {
                LinkTarget::Article(path) => (to_lsp::uri_of(path)?, "Open the workspace article"),
                LinkTarget::Url(url) => (url.parse::<Uri>().ok()?, "Open in the browser"),
            };
            Some(DocumentLink {
                range: convert::range(&snap.rope, &l.range, snap.encoding),
                target: Some(target),
                tooltip: Some(tooltip.to_string()),
                data: None,
            })
        };
        links.into_iter().filter_map(link).collect()
    })
    .await
}

pub async fn inlay_hints(shared: &Shared, params: InlayHintParams) -> Option<Vec<InlayHint>> {
    let snap = snap(shared, &params.text_document.uri)?;
    let shared = shared.clone();
    blocking(move || {
        let start = convert::offset(&snap.rope, params.range.start, snap.encoding);
        let end = convert::offset(&snap.rope, params.range.end, snap.encoding);
        let (text, parsed) = snap.parse();
        let hints = ide::inlay_hints_within(&parsed, &shared.index(), &snap.hints, snap.now, start..end);
        // Hints come sorted by offset: positions in one pass from the range's start, as for
        // tokens (a viewport far down a long document costs its own lines).
        let line = params.range.start.line;
        let line_start = convert::offset(&snap.rope, Position::new(line, 0), snap.encoding);
        let mut walker = Walker { text: &text, at: line_start.min(start), line, col: 0, encoding: snap.encoding };
        let mut out = Vec::new();
        for h in hints {
            let Some((line, character)) = walker.advance(h.offset) else { continue };
            out.push(InlayHint {
                position: Position::new(line, character),
                label: InlayHintLabel::String(match h.kind {
                    HintKind::RelatedProvider => format!("· {}", h.label),
                    HintKind::RelativeDate | HintKind::ZonedTime => h.label,
                }),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            });
        }
        spliced_hints(&snap.direct, out)
    })
    .await
}

/// The hints serialised straight to bytes and spliced into the framework's response (see
/// `transport::DirectOutput::splice`): a hint per related entry makes a long list.
fn spliced_hints(direct: &DirectOutput, hints: Vec<InlayHint>) -> Vec<InlayHint> {
    let Some(ticket) = direct.splice(&hints) else { return hints };
    let label = InlayHintLabel::String(ticket);
    vec![InlayHint {
        position: Position::new(0, 0),
        label,
        kind: None,
        text_edits: None,
        tooltip: None,
        padding_left: None,
        padding_right: None,
        data: None,
    }]
}

/// Results of one version that depend on nothing but it and the configuration, computed at
/// most once: a client asks again for the same version (another view of the document, a
/// refresh after a settings change, a delta request) and a long front matter costs
/// milliseconds to walk and encode.
#[derive(Debug, Default)]
pub struct Views {
    /// The full semantic tokens, with the configuration and encoding they were computed under
    /// (unknown keys depend on the configuration; a reload replaces it).
    tokens: std::sync::Mutex<Option<CachedTokens>>,
    /// The last full tokens sent for the document (of this version or carried from an earlier
    /// one by `Document::change`): a delta request names them by their result id.
    sent: std::sync::Mutex<Option<Arc<SentTokens>>>,
    /// The front matter's units' tokens of the last assembly (carried like `sent`): the next
    /// version re-encodes only the units an edit changed.
    units: std::sync::Mutex<Option<Arc<TokenUnits>>>,
}

/// What a new version of a document takes over from the one before: the tokens the client
/// holds, and the encoded units they were made of.
#[derive(Debug, Default)]
pub struct CarriedTokens {
    sent: Option<Arc<SentTokens>>,
    units: Option<Arc<TokenUnits>>,
}

#[derive(Debug)]
pub struct SentTokens {
    result_id: String,
    data: Arc<Encoded>,
}

/// Result ids: unique in the process, so an id from another document or server never matches.
static RESULT_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[derive(Debug)]
struct CachedTokens {
    /// What of the configuration the tokens depend on (compared by value: the state hands
    /// out a fresh `Config` per request when no file configures the folder).
    extra_fields: Vec<String>,
    encoding: PositionEncoding,
    data: Arc<Encoded>,
}

impl Views {
    fn tokens(&self, snap: &Snap) -> Arc<Encoded> {
        let mut cached = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let same = |c: &&CachedTokens| c.extra_fields == snap.config.extra_fields && c.encoding == snap.encoding;
        if let Some(c) = cached.as_ref().filter(same) {
            return c.data.clone();
        }
        let data = Arc::new(self.encode(snap));
        let extra_fields = snap.config.extra_fields.clone();
        *cached = Some(CachedTokens { extra_fields, encoding: snap.encoding, data: data.clone() });
        data
    }

    /// From the front matter's units when the analysis made them (re-encoding only the units
    /// not encoded for an earlier version), else by a walk of the whole parse.
    fn encode(&self, snap: &Snap) -> Encoded {
        let Some(ParseSource::Units(_, units)) = snap.current.parse_source() else {
            return Encoded::whole(encode_tokens(snap));
        };
        let mut cache = self.units.lock().unwrap_or_else(|p| p.into_inner());
        let (data, next) = unit_tokens::assemble(units, &snap.rope, (&snap.config, snap.encoding), cache.as_deref());
        *cache = Some(Arc::new(next));
        data
    }

    /// The last tokens sent for the document and their units, to carry over to its next version.
    pub fn carry_tokens(&self) -> CarriedTokens {
        let sent = self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let units = self.units.lock().unwrap_or_else(|p| p.into_inner()).clone();
        CarriedTokens { sent, units }
    }

    pub fn keep_carried_tokens(&self, carried: CarriedTokens) {
        *self.sent.lock().unwrap_or_else(|p| p.into_inner()) = carried.sent;
        *self.units.lock().unwrap_or_else(|p| p.into_inner()) = carried.units;
    }

    /// Records `data` as sent (under a fresh result id unless it is what was sent last) and
    /// returns what was sent before.
    fn send(&self, data: Arc<Encoded>) -> (Arc<SentTokens>, Option<Arc<SentTokens>>) {
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        let before = sent.clone();
        if let Some(same) = before.as_ref().filter(|s| Arc::ptr_eq(&s.data, &data)) {
            return (same.clone(), before);
        }
        let result_id = RESULT_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed).to_string();
        let now = Arc::new(SentTokens { result_id, data });
        *sent = Some(now.clone());
        (now, before)
    }
}

pub async fn semantic_tokens_full(shared: &Shared, params: SemanticTokensParams) -> Option<SemanticTokensResult> {
    let snap = snap(shared, &params.text_document.uri)?;
    blocking(move || {
        let (sent, _) = snap.current.views.send(snap.current.views.tokens(&snap));
        SemanticTokensResult::Tokens(spliced_tokens(&snap.direct, Some(&sent.result_id), &sent.data.data))
    })
    .await
}

/// The change from the tokens the client names (`previousResultId`) to this version's, as one
/// edit of the integer array: after a keystroke that is a token or two, not the 100,000
/// integers of a long front matter. An unknown id gets the full tokens.
pub async fn semantic_tokens_delta(
    shared: &Shared,
    params: SemanticTokensDeltaParams,
) -> Option<SemanticTokensFullDeltaResult> {
    let snap = snap(shared, &params.text_document.uri)?;
    blocking(move || {
        let (now, before) = snap.current.views.send(snap.current.views.tokens(&snap));
        let result_id = Some(now.result_id.clone());
        match before.filter(|b| b.result_id == params.previous_result_id) {
            Some(before) => SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                result_id,
                edits: unit_edits(&before.data, &now.data).into_iter().collect(),
            }),
            None => SemanticTokensFullDeltaResult::Tokens(spliced_tokens(
                &snap.direct,
                Some(&now.result_id),
                &now.data.data,
            )),
        }
    })
    .await
}

/// [`token_edits`] between the tokens of the units that differ: the units both share at the
/// start and the end are skipped whole.
fn unit_edits(old: &Encoded, new: &Encoded) -> Option<SemanticTokensEdit> {
    let (prefix, suffix) = unit_tokens::shared_ends(old, new);
    let mut edit = token_edits(&old.data[prefix..old.data.len() - suffix], &new.data[prefix..new.data.len() - suffix])?;
    edit.start += (prefix * 5) as u32;
    Some(edit)
}

/// The one edit that turns `old` into `new` (none when equal): everything between their
/// common first and last tokens. Offsets count integers, five per token.
fn token_edits(old: &[SemanticToken], new: &[SemanticToken]) -> Option<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let rest = (old.len() - prefix).min(new.len() - prefix);
    let suffix = old.iter().rev().zip(new.iter().rev()).take(rest).take_while(|(a, b)| a == b).count();
    let (deleted, inserted) = (old.len() - prefix - suffix, &new[prefix..new.len() - suffix]);
    (deleted > 0 || !inserted.is_empty()).then(|| SemanticTokensEdit {
        start: (prefix * 5) as u32,
        delete_count: (deleted * 5) as u32,
        data: Some(inserted.to_vec()),
    })
}

/// The tokens touching a range, cut from the version's full tokens (computed once per
/// version) and re-encoded relative to the first of them.
pub async fn semantic_tokens_range(
    shared: &Shared,
    params: SemanticTokensRangeParams,
) -> Option<SemanticTokensRangeResult> {
    let snap = snap(shared, &params.text_document.uri)?;
    blocking(move || {
        let all = snap.current.views.tokens(&snap);
        let data = tokens_in(&all.data, params.range);
        SemanticTokensRangeResult::Tokens(spliced_tokens(&snap.direct, None, &data))
    })
    .await
}

/// Semantic tokens as the protocol writes them, borrowed: the data array flat, five integers
/// per token.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TokensJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    result_id: Option<&'a str>,
    #[serde(serialize_with = "flat_tokens")]
    data: &'a [SemanticToken],
}

fn flat_tokens<S: serde::Serializer>(tokens: &&[SemanticToken], serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = serializer.serialize_seq(Some(tokens.len() * 5))?;
    for t in tokens.iter() {
        for n in [t.delta_line, t.delta_start, t.length, t.token_type, t.token_modifiers_bitset] {
            seq.serialize_element(&n)?;
        }
    }
    seq.end()
}

/// The tokens serialised straight to bytes and spliced into the framework's response (see
/// `transport::DirectOutput::splice`): a long front matter has 100,000 integers, which the
/// framework would first turn into a JSON tree.
fn spliced_tokens(direct: &DirectOutput, result_id: Option<&str>, data: &[SemanticToken]) -> SemanticTokens {
    match direct.splice(&TokensJson { result_id, data }) {
        Some(ticket) => SemanticTokens { result_id: Some(ticket), data: Vec::new() },
        None => SemanticTokens { result_id: result_id.map(str::to_owned), data: data.to_vec() },
    }
}

fn tokens_in(all: &[SemanticToken], range: Range) -> Vec<SemanticToken> {
    let (mut line, mut col) = (0, 0);
    let (mut last_line, mut last_col) = (0, 0);
    let mut out = Vec::new();
    for token in all {
        line += token.delta_line;
        col = if token.delta_line == 0 { col + token.delta_start } else { token.delta_start };
        let (start, end) = (Position::new(line, col), Position::new(line, col + token.length));
        if start >= range.end {
            break;
        }
        if end > range.start {
            let delta_line = line - last_line;
            let delta_start = if delta_line == 0 { col - last_col } else { col };
            out.push(SemanticToken { delta_line, delta_start, ..*token });
            (last_line, last_col) = (line, col);
        }
    }
    out
}

/// The whole document's tokens by a walk of its parse.
fn encode_tokens(snap: &Snap) -> Vec<SemanticToken> {
    let (text, parsed) = snap.parse();
    encode(&text, &ide::semantic_tokens(&text, &parsed, &snap.config), snap.encoding)
}

/// Tokens of `text` (sorted, on single lines) in the protocol's relative encoding (line delta,
/// start delta, length, type, modifiers).
pub(super) fn encode(text: &str, tokens: &[ide::Token], encoding: PositionEncoding) -> Vec<SemanticToken> {
    let mut data = Vec::with_capacity(tokens.len());
    let mut walker = Walker { text, at: 0, line: 0, col: 0, encoding };
    let (mut line, mut character) = (0, 0);
    for token in tokens.iter() {
        let Some(piece) = text.get(token.range.clone()) else { continue };
        let Some((start_line, start_col)) = walker.advance(token.range.start) else { continue };
        let delta_line = start_line - line;
        data.push(SemanticToken {
            delta_line,
            delta_start: if delta_line == 0 { start_col - character } else { start_col },
            length: column_width(piece, encoding) as u32,
            token_type: token_type(token.kind),
            token_modifiers_bitset: 0,
        });
        (line, character) = (start_line, start_col);
    }
    data
}

/// Line and column of ascending offsets in one pass over the text: converting each of tens of
/// thousands of tokens through the rope separately would cost more than computing them.
struct Walker<'a> {
    text: &'a str,
    at: usize,
    line: u32,
    col: u32,
    encoding: PositionEncoding,
}

impl Walker<'_> {
    /// The position of `to` (not before the last one asked for, on a char boundary). Asking
    /// for the same offset again is free.
    fn advance(&mut self, to: usize) -> Option<(u32, u32)> {
        let piece = self.text.get(self.at..to)?;
        let (breaks, line_start) = line_breaks(piece.as_bytes());
        self.line += breaks;
        self.col = match line_start {
            Some(start) => column_width(&piece[start..], self.encoding) as u32,
            None => self.col + column_width(piece, self.encoding) as u32,
        };
        self.at = to;
        Some((self.line, self.col))
    }
}

/// How many line breaks (LF, CRLF, lone CR) `bytes` holds, and where its last line starts.
/// Without a CR (nearly always) both are simple byte scans the compiler vectorises: the whole
/// text passes through here once per request.
pub(super) fn line_breaks(bytes: &[u8]) -> (u32, Option<usize>) {
    if !bytes.contains(&b'\r') {
        let count = bytes.iter().filter(|b| **b == b'\n').count() as u32;
        return (count, bytes.iter().rposition(|b| *b == b'\n').map(|i| i + 1));
    }
    let mut count = 0;
    let mut line_start = None;
    for (i, b) in bytes.iter().enumerate() {
        let ends_line = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends_line {
            count += 1;
            line_start = Some(i + 1);
        }
    }
    (count, line_start)
}

pub async fn selection_ranges(shared: &Shared, params: SelectionRangeParams) -> Option<Vec<SelectionRange>> {
    let snap = snap(shared, &params.text_document.uri)?;
    blocking(move || {
        let text = snap.current.text();
        let chain = |at: Position| {
            let offset = convert::offset(&snap.rope, at, snap.encoding);
            let ranges = ide::selection_ranges(&text, offset);
            let mut outer: Option<SelectionRange> = None;
            for range in ranges.iter().rev() {
                let range = convert::range(&snap.rope, range, snap.encoding);
                outer = Some(SelectionRange { range, parent: outer.map(Box::new) });
            }
            outer.unwrap_or(SelectionRange { range: Range::new(at, at), parent: None })
        };
        params.positions.into_iter().map(chain).collect()
    })
    .await
}

pub async fn document_highlights(shared: &Shared, params: DocumentHighlightParams) -> Option<Vec<DocumentHighlight>> {
    let at = params.text_document_position_params;
    let snap = snap(shared, &at.text_document.uri)?;
    blocking(move || {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let ranges = ide::highlights(&snap.current.text(), offset);
        let highlight = |r: std::ops::Range<usize>| DocumentHighlight {
            range: convert::range(&snap.rope, &r, snap.encoding),
            kind: Some(DocumentHighlightKind::TEXT),
        };
        ranges.into_iter().map(highlight).collect()
    })
    .await
}
