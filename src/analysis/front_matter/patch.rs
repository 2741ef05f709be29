//! An edit inside one item of a block list (`related`, `images`, `topics`), or inside the value
//! of a top-level scalar field (`title`, `excerpt`, a date), applied to a checked front matter in
//! place: the unit is re-parsed and re-checked alone, and everything after it
//! moves by the edit's length (integer adds on the later units' starts and the findings'
//! offsets; the trees keep unit-relative spans, so no node is touched, and no other unit is
//! hashed, parsed, copied or dropped). That is what makes a keystroke in a front
//! matter of 2,000 related entries cost about what one in a small article costs.
//!
//! The result equals a check of the whole new text; every condition under which it might not
//! declines the patch (the caller then checks the whole front matter): the edit stays inside
//! one item's unit, which is still exactly one item at the list's indentation and parses cleanly
//! on its own (for a top-level entry: not the last one, still one segment holding one entry with
//! the same key, a known scalar field that no cross-field check reads and that stays filled
//! in); the last check parsed every unit cleanly (no syntax errors, so no cascades are
//! filtered) in the same configuration and at the same `now`.

use std::ops::Range;
use std::sync::Arc;

use jiff::Timestamp;

use super::units::{ListLine, ListUnits, UnitCache, Units, list_line, sequence_start, shift, single_item};
use super::{Checker, is_blank};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::layout::{line_text, next_line};
use crate::analysis::schema::{self, Kind};
use crate::analysis::yaml::Node;
use crate::config::{Config, FieldPath};

/// A replacement of `range` (offsets before the edit) by `new_len` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEdit {
    pub range: Range<usize>,
    pub new_len: usize,
}

impl ItemEdit {
    fn delta(&self) -> isize {
        self.new_len as isize - self.range.len() as isize
    }

    /// Where an offset of the old text that the edit did not touch is now.
    pub fn moved(&self, offset: usize) -> usize {
        if offset >= self.range.end { offset.saturating_add_signed(self.delta()) } else { offset }
    }
}

/// What a patch changed: the list or the top-level field (its key), the unit in the new text,
/// that unit's text and the new node (the item, or the entry's value; spans relative to the
/// unit).
#[derive(Debug)]
pub struct ItemPatch {
    pub key: &'static str,
    pub unit: Range<usize>,
    pub unit_text: String,
    pub node: Node,
    /// For a top-level entry, its value before the edit (spans in the old text); `None` for a
    /// list item.
    pub replaced: Option<Node>,
}

/// Applies `edit` in place when it falls inside one list item ([`patch_list_item`]) or inside
/// one top-level scalar entry; `None`, having changed nothing, otherwise. The tree is not
/// touched: it is assembled from the cache's units when asked for ([`UnitCache::units`]).
pub fn patch_unit(
    cache: &mut UnitCache,
    findings: &mut Vec<Diagnostic>,
    edit: &ItemEdit,
    read: impl Fn(Range<usize>) -> String,
    context: (&Config, Timestamp),
) -> Option<ItemPatch> {
    patch_list_item(cache, findings, edit, &read, context)
        .or_else(|| patch_entry(cache, findings, edit, &read, context))
}

/// Applies `edit` to the front matter whose units `cache` holds and whose findings (absolute
/// offsets, default severities) are `findings`, reading the item's new text with `read` (a
/// range of the new text). Returns `None`, having changed nothing, when the edit is not one
/// this can absorb.
pub fn patch_list_item(
    cache: &mut UnitCache,
    findings: &mut Vec<Diagnostic>,
    edit: &ItemEdit,
    read: impl FnOnce(Range<usize>) -> String,
    (config, now): (&Config, Timestamp),
) -> Option<ItemPatch> {
    let newline = cache.findings.newline_if_same(config, now)?;
    let units = cache.units.as_ref()?;
    let (list, index) = find_item(&units.lists, &edit.range)?;
    let list_units = &units.lists[list];
    let old_unit = list_units.bounds[index]..list_units.bounds[index + 1];
    let unit = old_unit.start..edit.moved(old_unit.end);
    let text = read(unit.clone());
    if !list_units.first_of_key || text.len() != unit.len() || !is_one_item(&text, list_units.indent) {
        return None;
    }
    let (hash, parse) = cache.lookup(&text, &Default::default());
    let (sequence, only) = single_item(&parse)?;
    let key = list_units.key;
    let first_start = (index == 0).then(|| sequence_start(&text, list_units.indent, sequence) + unit.start);
    let mut fresh = Vec::new();
    Checker::new(&text, config, now, &mut fresh, None).check_list_item(only, key, newline);
    let node = only.clone();
    // Everything is known: from here on, change things.
    move_findings(findings, &old_unit, edit);
    findings.extend(fresh.iter().map(|d| d.shifted(unit.start as isize)));
    let units = Arc::make_mut(cache.units.as_mut()?);
    let list_units = &mut units.lists[list];
    for bound in &mut list_units.bounds[index + 1..] {
        *bound = edit.moved(*bound);
    }
    if let Some(start) = first_start {
        list_units.start = start;
    }
    list_units.items[index] = parse.clone();
    let old_hash = std::mem::replace(&mut list_units.keys[index], hash);
    move_units_after(units, old_unit.end, edit);
    cache.parses.remove(&old_hash);
    cache.parses.insert(hash, parse);
    Some(ItemPatch { key, unit, unit_text: text, node, replaced: None })
}

/// Applies `edit` inside the value of one top-level entry (a scalar field) in place; see the
/// module comment for when it declines.
fn patch_entry(
    cache: &mut UnitCache,
    findings: &mut Vec<Diagnostic>,
    edit: &ItemEdit,
    read: impl FnOnce(Range<usize>) -> String,
    (config, now): (&Config, Timestamp),
) -> Option<ItemPatch> {
    let newline = cache.findings.newline_if_same(config, now)?;
    let units = cache.units.as_ref()?;
    let at = units.entries.iter().position(|u| u.bounds.start < edit.range.start && edit.range.end < u.bounds.end)?;
    let old = &units.entries[at];
    let old_unit = old.bounds.clone();
    let unit = old_unit.start..edit.moved(old_unit.end);
    // The last entry's end decides where missing fields are inserted, and an edit can move the
    // end of its value across lines.
    if !old.unique || old.entry + 1 >= units.len() {
        return None;
    }
    let old_entry = old.parse.only_entry()?;
    let key_text = old_entry.key_text()?;
    let field = schema::lookup(schema::ARTICLE, key_text)?;
    let scalar = matches!(field.kind, Kind::Text | Kind::Date | Kind::Url | Kind::Integer | Kind::Boolean);
    // `webUrl` and `originalUrl` are read by the provider-domain check of another entry.
    if !scalar || matches!(field.name, "webUrl" | "originalUrl") {
        return None;
    }
    let text = read(unit.clone());
    if text.len() != unit.len() || !is_one_segment(&text) {
        return None;
    }
    let (hash, parse) = cache.lookup(&text, &Default::default());
    let fresh_entry = match parse.only_entry() {
        Some(entry) if parse.is_clean() => entry,
        _ => return None,
    };
    if fresh_entry.key_text() != Some(key_text) || is_blank(&fresh_entry.value) {
        return None;
    }
    let mut fresh = Vec::new();
    let mut checker = Checker::new(&text, config, now, &mut fresh, None);
    checker.newline = newline;
    checker.value(&fresh_entry.value, field, FieldPath::from(field.name), fresh_entry.key.span());
    let replaced = shift(&old_entry.value, old_unit.start);
    let node = fresh_entry.value.clone();
    // Everything is known: from here on, change things.
    move_findings(findings, &old_unit, edit);
    findings.extend(fresh.iter().map(|d| d.shifted(unit.start as isize)));
    let units = Arc::make_mut(cache.units.as_mut()?);
    let old_hash = std::mem::replace(&mut units.entries[at].key, hash);
    units.entries[at].bounds = unit.clone();
    units.entries[at].parse = parse.clone();
    move_units_after(units, old_unit.end, edit);
    cache.parses.remove(&old_hash);
    cache.parses.insert(hash, parse);
    Some(ItemPatch { key: field.name, unit, unit_text: text, node, replaced: Some(replaced) })
}

/// Whether `unit` is one top-level segment: every line after its first is indented, blank or a
/// comment (a line starting with `-` could close the front matter), and it ends with a line
/// break.
fn is_one_segment(unit: &str) -> bool {
    if !unit.ends_with(['\n', '\r']) {
        return false;
    }
    let mut line = next_line(unit, 0);
    while line < unit.len() {
        if !matches!(line_text(unit, line).chars().next(), None | Some(' ' | '\t' | '#')) {
            return false;
        }
        line = next_line(unit, line);
    }
    true
}

/// Moves the units that start at or after `old_end` (an offset before the edit).
fn move_units_after(units: &mut Units, old_end: usize, edit: &ItemEdit) {
    for other in units.lists.iter_mut().filter(|l| l.header.0 >= old_end) {
        other.header.0 = edit.moved(other.header.0);
        other.start = edit.moved(other.start);
        for bound in &mut other.bounds {
            *bound = edit.moved(*bound);
        }
    }
    for other in units.entries.iter_mut().filter(|u| u.bounds.start >= old_end) {
        other.bounds = edit.moved(other.bounds.start)..edit.moved(other.bounds.end);
    }
}

/// The list and item whose unit holds the edit, past the unit's first byte (an edit there
/// could change the dash line) and before its last (its line break).
fn find_item(lists: &[ListUnits], range: &Range<usize>) -> Option<(usize, usize)> {
    lists.iter().enumerate().find_map(|(l, list)| {
        let after = list.bounds.partition_point(|&b| b < range.start);
        let index = after.checked_sub(1)?;
        let end = *list.bounds.get(index + 1)?;
        (range.end < end).then_some((l, index))
    })
}

/// Whether `unit` is exactly one item of a block list indented by `indent`: its first line an
/// item at that indentation, every other line inside it, and a line break at its end.
fn is_one_item(unit: &str, indent: usize) -> bool {
    if !unit.ends_with(['\n', '\r']) || list_line(line_text(unit, 0), Some(indent)) != ListLine::Item(indent) {
        return false;
    }
    let mut line = next_line(unit, 0);
    while line < unit.len() {
        if list_line(line_text(unit, line), Some(indent)) != ListLine::Inside {
            return false;
        }
        line = next_line(unit, line);
    }
    true
}

/// Drops the findings of the edited item's old unit and moves those after it.
fn move_findings(findings: &mut Vec<Diagnostic>, old_unit: &Range<usize>, edit: &ItemEdit) {
    findings.retain(|d| !old_unit.contains(&d.range.start));
    if edit.delta() == 0 {
        return;
    }
    let at = |r: &mut Range<usize>| *r = edit.moved(r.start)..edit.moved(r.end);
    for d in findings.iter_mut() {
        at(&mut d.range);
        for fix in d.fix.iter_mut().chain(d.guesses.iter_mut()) {
            fix.edits.iter_mut().for_each(|e| at(&mut e.range));
        }
        d.related.iter_mut().for_each(|r| at(&mut r.range));
    }
}
