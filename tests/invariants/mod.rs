//! The robustness invariants, written once and driven twice: by `proptest` in
//! `tests/properties.rs` (stable, part of `cargo test`) and by the libFuzzer targets in `fuzz/`
//! (which include this file by path). Each function panics when its invariant breaks.

#![allow(dead_code, clippy::unwrap_used)]

use std::ops::Range;

use article_lsp::analysis::front_matter::ItemEdit;
use article_lsp::analysis::{self, Diagnostic, layout, mojibake, yaml};
use article_lsp::config::Config;
use article_lsp::fix::{self, Selection};
use article_lsp::line_index::{LineCol, LineIndex, PositionEncoding};
use article_lsp::server::incremental::{Analysis, InPlace, check_front, first_changed_line};
use jiff::Timestamp;
use ropey::Rope;

pub fn now() -> Timestamp {
    Timestamp::from_second(1_780_000_000).unwrap()
}

const ENCODINGS: [PositionEncoding; 3] = [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];

fn assert_on_boundaries(text: &str, range: &Range<usize>, what: &str) {
    assert!(range.start <= range.end && range.end <= text.len(), "{what}: {range:?} outside 0..{}", text.len());
    assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end), "{what}: {range:?} splits a char");
}

fn assert_diagnostics_well_formed(text: &str, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        assert_on_boundaries(text, &d.range, d.code.as_str());
        if let Some(fix) = &d.fix {
            for edit in &fix.edits {
                assert_on_boundaries(text, &edit.range, "fix edit");
            }
            assert!(fix.edits.windows(2).all(|w| w[0].range.end <= w[1].range.start), "overlapping fix edits");
        }
    }
}

/// The whole `check` on arbitrary bytes: no panic, every range on char boundaries of the
/// analysed text; safe fixes leave the text outside their edits untouched and converge.
pub fn check_bytes(bytes: &[u8]) {
    let config = Config::default();
    let (decoded, diagnostics) = analysis::check_bytes(bytes, &config, now());
    let text: &str = &decoded.text;
    assert_diagnostics_well_formed(text, &diagnostics);
    let edits = fix::safe_edits(&diagnostics, &Selection::default());
    let fixed = fix::apply(text, &edits);
    assert_untouched_outside(text, &fixed, &edits);
    let once = fix::fix_text(text, &config, now(), &Selection::default()).text;
    let twice = fix::fix_text(&once, &config, now(), &Selection::default()).text;
    assert_eq!(once, twice, "fixing twice changed the text again");
}

/// `fixed` equals `text` outside the edited ranges: same prefix, suffix and gaps.
fn assert_untouched_outside(text: &str, fixed: &str, edits: &[analysis::Edit]) {
    let mut last = 0;
    let mut out = String::new();
    for edit in edits {
        if edit.range.start < last {
            continue;
        }
        out.push_str(&text[last..edit.range.start]);
        out.push_str(&edit.replacement);
        last = edit.range.end;
    }
    out.push_str(&text[last..]);
    assert_eq!(out, fixed, "text outside the edits changed");
}

/// Front matter segmentation and the YAML layer: no panic; every range inside its parent and on
/// char boundaries; nesting never overflows the stack.
pub fn yaml_layer(text: &str) {
    let layout = layout::split(text);
    assert_on_boundaries(text, &layout.body, "body");
    let Some(front) = layout.front_matter else { return };
    assert_on_boundaries(text, &front.yaml, "yaml");
    for segment in layout::segments(text, front.yaml.clone()) {
        assert_on_boundaries(text, &segment, "segment");
        assert!(front.yaml.start <= segment.start && segment.end <= front.yaml.end, "segment outside the YAML");
    }
    match yaml::parse(text, front.yaml.clone()) {
        Ok(node) => assert_node(text, &node, &front.yaml, 0),
        Err(err) => assert!(err.offset <= text.len() && text.is_char_boundary(err.offset), "{err:?}"),
    }
}

fn assert_node(text: &str, node: &yaml::Node, within: &Range<usize>, depth: usize) {
    assert!(depth <= yaml::MAX_DEPTH + 1, "nesting past the limit");
    let span = node.span();
    assert_on_boundaries(text, &span, "node");
    let inside = within.start <= span.start && span.end <= within.end;
    assert!(inside || span.is_empty(), "node {span:?} outside {within:?}");
    match &node.value {
        yaml::Value::Mapping(entries) => {
            for entry in entries {
                assert_node(text, &entry.key, within, depth + 1);
                assert_node(text, &entry.value, within, depth + 1);
            }
        }
        yaml::Value::Sequence(items) => items.iter().for_each(|item| assert_node(text, item, within, depth + 1)),
        yaml::Value::Scalar(_) | yaml::Value::Alias => {}
    }
}

/// Mojibake repair: no panic; runs sorted, disjoint, on boundaries; repairing twice equals
/// repairing once; text outside the runs is kept byte for byte.
pub fn mojibake_repair(text: &str) {
    let runs = mojibake::find(text);
    for run in &runs {
        assert_on_boundaries(text, &run.range, "mojibake run");
    }
    assert!(runs.windows(2).all(|w| w[0].range.end <= w[1].range.start), "overlapping runs");
    let once = mojibake::repair(text);
    let edits: Vec<analysis::Edit> =
        runs.iter().map(|r| analysis::Edit { range: r.range.clone(), replacement: r.repaired.clone() }).collect();
    assert_untouched_outside(text, &once, &edits);
    assert_eq!(mojibake::repair(&once), once, "repairing twice differs from once");
}

/// Clean text (never mangled) is left exactly as it is.
pub fn clean_is_identity(text: &str) {
    let runs = mojibake::find(text);
    assert!(
        runs.is_empty(),
        "clean text reported as mojibake: {:?}",
        runs.iter().map(|r| &text[r.range.clone()]).collect::<Vec<_>>()
    );
    assert_eq!(mojibake::repair(text), text);
}

/// Position conversions: every char boundary round-trips through (line, column) in UTF-8, -16
/// and -32; any (line, column), however far out, clamps to a char boundary; the rope-based
/// server conversions agree with `line_index`.
pub fn positions(text: &str, probes: &[(u32, u32)]) {
    let index = LineIndex::new(text);
    let rope = Rope::from_str(text);
    assert_eq!(index.line_count(), rope.len_lines(), "line counts differ for {text:?}");
    for encoding in ENCODINGS {
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue; // Inside a CRLF pair: not a position a client can name.
            }
            let at = index.line_col(text, offset, encoding);
            assert_eq!(index.offset(text, at, encoding), offset, "{encoding:?} round trip of {offset} in {text:?}");
            let lsp = article_lsp::server::convert::position(&rope, offset, encoding);
            assert_eq!((lsp.line, lsp.character), (at.line, at.col), "rope and line index disagree at {offset}");
        }
        for &(line, col) in probes {
            let offset = index.offset(text, LineCol { line, col }, encoding);
            assert!(offset <= text.len() && text.is_char_boundary(offset), "{encoding:?} ({line}, {col}) -> {offset}");
            let position = tower_lsp_server::ls_types::Position::new(line, col);
            let rope_offset = article_lsp::server::convert::offset(&rope, position, encoding);
            assert!(rope_offset <= text.len() && text.is_char_boundary(rope_offset));
        }
    }
}

/// One edit: replace the chars `start..end` (clamped, in char indices) by `insert`.
#[derive(Debug, Clone)]
pub struct CharEdit {
    pub start: usize,
    pub end: usize,
    pub insert: String,
}

/// Random edits on a rope equal the same edits on a `String`, and the incremental findings
/// after every edit equal a full check of the text.
pub fn incremental_edits(initial: &str, edits: &[CharEdit]) {
    let config = Config::default();
    let mut rope = Rope::from_str(initial);
    let mut string = initial.to_string();
    let (mut analysis, _) = Analysis::full(&rope, &config, now());
    for (step, edit) in edits.iter().enumerate() {
        let chars = rope.len_chars();
        let (start, end) = (edit.start.min(chars), edit.end.min(chars));
        let (start, end) = (start.min(end), start.max(end));
        let first = rope.char_to_line(start);
        let old_last = rope.char_to_line(end);
        rope.remove(start..end);
        rope.insert(start, &edit.insert);
        let new_last = rope.char_to_line(start + edit.insert.chars().count());

        let byte = |s: &str, c: usize| s.char_indices().nth(c).map_or(s.len(), |(i, _)| i);
        let (from, to) = (byte(&string, start), byte(&string, end));
        string.replace_range(from..to, &edit.insert);
        assert_eq!(rope.to_string(), string, "step {step}: rope and String differ");

        let from_line = first_changed_line(&rope, first, from);
        let item_edit = ItemEdit { range: from..to, new_len: edit.insert.len() };
        let in_place = InPlace { config: &config, now: now() };
        let lines = (from_line..old_last + 1, from_line..new_last + 1);
        if analysis.edited(&rope, lines, &item_edit, Some(in_place)) {
            let units = analysis.units();
            analysis.install_front(&rope, check_front(&rope, &config, now(), units));
        }
        let expected = analysis::check(&string, &config, now());
        assert_eq!(analysis.diagnostics(&rope, &config), expected, "step {step}: incremental != full for {string:?}");
    }
}
