//! Semantic tokens assembled from the front matter's units (`front_matter::Units`): each
//! unit's tokens are encoded once relative to the unit and kept by the hash of its text, so the
//! tokens of a version after an edit cost the edited unit plus a concatenation, not a walk and
//! an encoding of the whole front matter. Units start at line starts and never share a token,
//! so only the first token of each unit changes when it is placed after the one before.

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::SemanticToken;

use super::ide_features::{encode, line_breaks};
use crate::analysis::front_matter::{UnitRef, Units};
use crate::config::Config;
use crate::ide;
use crate::line_index::PositionEncoding;

/// The encoded tokens of units by the hash of their text (and the list they are items of),
/// under the configuration and encoding they were made with. Holds the units of the last
/// assembly only, so it stays about one front matter's worth of tokens.
#[derive(Debug)]
pub struct TokenUnits {
    extra_fields: Vec<String>,
    encoding: PositionEncoding,
    by_text: HashMap<(u64, Option<&'static str>), Arc<UnitTokens>>,
}

/// A document's tokens, with the units they were assembled from (none when they were made by
/// a walk of the whole parse): a delta skips the units two versions share without comparing.
#[derive(Debug, Default)]
pub struct Encoded {
    pub data: Vec<SemanticToken>,
    spans: Vec<UnitSpan>,
}

/// A unit's tokens as placed in a document: its first token's deltas count from the token
/// before it, in the unit before.
#[derive(Debug)]
struct UnitSpan {
    tokens: Arc<UnitTokens>,
    first: SemanticToken,
}

/// One unit's tokens in the protocol's relative encoding; the first token's line delta counts
/// from the unit's first line (its column is absolute: the unit starts a line).
#[derive(Debug)]
struct UnitTokens {
    data: Vec<SemanticToken>,
    /// The last token's line within the unit and its column.
    last: (u32, u32),
    /// How many line breaks the unit's text holds (where the next unit starts, if adjacent).
    breaks: u32,
}

/// The document's tokens from its units, reusing the encoded units of `previous` that are
/// still there; with the units' cache to carry to the next version.
pub fn assemble(
    units: &Units,
    rope: &Rope,
    (config, encoding): (&Config, PositionEncoding),
    previous: Option<&TokenUnits>,
) -> (Encoded, TokenUnits) {
    let reusable = previous.filter(|p| p.extra_fields == config.extra_fields && p.encoding == encoding);
    let refs = units.unit_refs();
    let mut by_text = HashMap::with_capacity(refs.len());
    let mut data = Vec::with_capacity(reusable.map_or(0, |p| p.by_text.len() * 8));
    let mut spans = Vec::with_capacity(refs.len());
    let (mut line, mut col) = (0u32, 0u32);
    // Where the last unit ended, and on which line: adjacent units need no line lookup.
    let mut ended: Option<(usize, u32)> = None;
    for unit in &refs {
        let key = unit.hash.map(|hash| (hash, unit.list));
        let tokens = match key.and_then(|k| reusable?.by_text.get(&k)) {
            Some(found) => found.clone(),
            None => Arc::new(encode_unit(unit, rope, config, encoding)),
        };
        if let Some(key) = key {
            by_text.insert(key, tokens.clone());
        }
        let base = match ended {
            Some((end, end_line)) if end == unit.bounds.start => end_line,
            _ => rope.try_byte_to_line(unit.bounds.start).map_or(line, |l| l as u32),
        };
        ended = Some((unit.bounds.end, base + tokens.breaks));
        let Some(first) = tokens.data.first() else { continue };
        let first_line = base + first.delta_line;
        let delta_line = first_line.saturating_sub(line);
        let delta_start = if delta_line == 0 { first.delta_start.saturating_sub(col) } else { first.delta_start };
        let first = SemanticToken { delta_line, delta_start, ..*first };
        data.push(first);
        data.extend_from_slice(&tokens.data[1..]);
        (line, col) = (base + tokens.last.0, tokens.last.1);
        spans.push(UnitSpan { tokens, first });
    }
    let extra_fields = config.extra_fields.clone();
    (Encoded { data, spans }, TokenUnits { extra_fields, encoding, by_text })
}

/// How many tokens at the start and at the end of `old` and `new` are known to be equal
/// because they come from the same units, placed the same way: a delta compares only the
/// tokens between them (those of the units an edit touched).
pub fn shared_ends(old: &Encoded, new: &Encoded) -> (usize, usize) {
    let same = |(a, b): &(&UnitSpan, &UnitSpan)| Arc::ptr_eq(&a.tokens, &b.tokens) && a.first == b.first;
    let prefix = old.spans.iter().zip(&new.spans).take_while(same).count();
    let rest = old.spans.len().min(new.spans.len()) - prefix;
    let suffix = old.spans.iter().rev().zip(new.spans.iter().rev()).take(rest).take_while(same).count();
    let count = |spans: &[UnitSpan]| spans.iter().map(|s| s.tokens.data.len()).sum::<usize>();
    let (start, end) = (count(&old.spans[..prefix]), count(&old.spans[old.spans.len() - suffix..]));
    // The spans describe the data exactly; anything else compares every token.
    let fits = |e: &Encoded| start + end <= e.data.len();
    if fits(old) && fits(new) { (start, end) } else { (0, 0) }
}

impl Encoded {
    /// Tokens made without units (a walk of the whole parse).
    pub fn whole(data: Vec<SemanticToken>) -> Encoded {
        Encoded { data, spans: Vec::new() }
    }
}

/// One unit's tokens, encoded against its own text.
fn encode_unit(unit: &UnitRef<'_>, rope: &Rope, config: &Config, encoding: PositionEncoding) -> UnitTokens {
    let text = rope.get_byte_slice(unit.bounds.clone()).map(|s| s.to_string()).unwrap_or_default();
    let tokens = ide::unit_semantic_tokens(&text, unit.node, unit.list, config);
    let data = encode(&text, &tokens, encoding);
    let (mut line, mut col) = (0, 0);
    for token in &data {
        line += token.delta_line;
        col = if token.delta_line == 0 { col + token.delta_start } else { token.delta_start };
    }
    let (breaks, _) = line_breaks(text.as_bytes());
    UnitTokens { data, last: (line, col), breaks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::incremental::{Analysis, ParseSource};

    const BASE: &str = "---\ntitle: \"Zürich 🚀 talks\"\nprovider:\n  name: 'Hub'\n  domain: hub.example.com\n# note\nrelated:\n  - title: \"R0 ü\"\n    webUrl: \"https://r0.example.com/a\"\n    provider:\n      name: P\n\n  - title: R1\n    publishedDateTime: 2021-09-26T10:00:00Z\n  -\n  - webUrl: x # c\n    custom: 1\ntopics:\n- AI\n- \"Public Health\"\nimages:\n  - url: https://img.example.com/a.png\nexcerpt: >\n  folded\n  text\nextra: yes\npublishedDateTime: 2021-09-26\n---\nBody 26.09.2021 text\n";

    /// The tokens a walk of the whole document gives.
    fn whole(text: &str, config: &Config, encoding: PositionEncoding) -> Vec<SemanticToken> {
        let parsed = ide::Parsed::new(text);
        encode(text, &ide::semantic_tokens(text, &parsed, config), encoding)
    }

    /// The text's units, when the analysis parses its front matter as units.
    fn units_of(rope: &Rope, config: &Config) -> Option<Arc<Units>> {
        let now = "2026-12-01T00:00:00Z".parse().ok()?;
        let (analysis, _) = Analysis::full(rope, config, now);
        match analysis.parsed() {
            Some(ParseSource::Units(_, units)) => Some(units.clone()),
            _ => None,
        }
    }

    /// Assembled from units (reusing the units of earlier texts) equals a whole walk, in every
    /// encoding and with an extra field configured, over random edits that add and remove
    /// units, change line counts and line endings, and write non-ASCII text.
    #[test]
    fn assembled_tokens_equal_a_whole_encode_under_random_edits() {
        let inserts = [
            "x",
            "\n",
            " ",
            "  - title: \"new ü\"\n",
            "- ",
            ":",
            "\"",
            "#",
            "\r\n",
            "é",
            "🚀",
            "  - ",
            "topics:\n- B\n",
            "webUrl: https://x.example.com/\n",
            "2021-01-02",
            "\r",
        ];
        let mut extra = Config::default();
        extra.extra_fields = vec!["extra".to_string(), "related.custom".to_string()];
        let configs = [Config::default(), extra];
        let encodings = [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];
        let mut caches: Vec<Option<(Encoded, TokenUnits)>> =
            (0..configs.len() * encodings.len()).map(|_| None).collect();
        assert!(units_of(&Rope::from_str(BASE), &configs[0]).is_some());
        let (mut text, mut last_good) = (BASE.to_string(), BASE.to_string());
        let (mut seed, mut by_units, mut reused, mut skipped) = (99u64, 0, 0, 0);
        for step in 0..600 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let a = boundaries[(seed >> 33) as usize % boundaries.len()];
            let b = *boundaries.iter().find(|&&x| x >= a + ((seed >> 20) as usize % 6)).unwrap_or(&text.len());
            let mut edited = text.clone();
            edited.replace_range(a..b, inserts[(seed >> 45) as usize % inserts.len()]);
            text = edited;
            if text.len() > 3_000 || step % 50 == 0 {
                text = BASE.to_string();
            }
            let rope = Rope::from_str(&text);
            if units_of(&rope, &configs[0]).is_none() {
                // Seen once (the whole walk serves it); edit the last text with units next.
                text = last_good.clone();
                continue;
            }
            last_good = text.clone();
            for (c, config) in configs.iter().enumerate() {
                let Some(units) = units_of(&rope, config) else { continue };
                by_units += 1;
                for (e, &encoding) in encodings.iter().enumerate() {
                    let cache = &mut caches[c * encodings.len() + e];
                    let (data, next) = assemble(&units, &rope, (config, encoding), cache.as_ref().map(|c| &c.1));
                    assert_eq!(data.data, whole(&text, config, encoding), "{encoding:?} {text:?}");
                    if let Some((before, units)) = cache.as_ref() {
                        reused += usize::from(units.by_text.len() > 2);
                        // What a delta skips is equal indeed.
                        let (start, end) = shared_ends(before, &data);
                        assert_eq!(before.data[..start], data.data[..start]);
                        assert_eq!(before.data[before.data.len() - end..], data.data[data.data.len() - end..]);
                        skipped += start + end;
                    }
                    *cache = Some((data, next));
                }
            }
        }
        // Most texts keep a front matter that parses as units, so the comparison is exercised.
        assert!(by_units > 500, "{by_units}");
        assert!(reused > 1_000, "{reused}");
        assert!(skipped > 10_000, "{skipped}");
    }

    /// A unit seen before is not encoded again: its tokens are shared with the earlier assembly.
    #[test]
    fn an_edit_reencodes_only_the_units_it_changed() {
        let config = Config::default();
        let before = Rope::from_str(BASE);
        let units = units_of(&before, &config).unwrap();
        let (_, first) = assemble(&units, &before, (&config, PositionEncoding::Utf16), None);
        let edited = BASE.replace("title: R1", "title: R1x");
        let after = Rope::from_str(&edited);
        let units = units_of(&after, &config).unwrap();
        let (_, second) = assemble(&units, &after, (&config, PositionEncoding::Utf16), Some(&first));
        let shared = second.by_text.iter().filter(|(k, v)| first.by_text.get(k).is_some_and(|f| Arc::ptr_eq(f, v)));
        assert_eq!(shared.count(), second.by_text.len() - 1);
    }
}
