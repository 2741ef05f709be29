//! The front matter as units that parse on their own: its top-level entries, and the items of
//! the block lists `related`, `images` and `topics`. Each unit's parse is cached by a hash of
//! its text with unit-relative spans (the per-line cache, one level up), so an edit inside one
//! related entry re-parses that entry only; assembling the tree shifts the cached spans.
//!
//! The unit parse is used only when every unit parses cleanly on its own; it then equals the
//! parse of the whole block (a unit test keeps it so). Anything else (a syntax error, an alias
//! of an anchor in another entry, a root that is not a block mapping) takes the whole-block
//! path, which reports errors per entry.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use super::super::layout::{line_text, next_line, segments};
use super::super::yaml::{Entry, Node, SyntaxError, Value};

/// Keys whose block lists are split into one unit per item.
const SPLIT_LISTS: [&str; 3] = ["related", "images", "topics"];

/// Parses of units by the hash of their text. Entries not used by the latest parse are
/// dropped, so the cache holds about one front matter's worth of trees.
#[derive(Debug, Default, Clone)]
pub struct UnitCache {
    pub(super) parses: HashMap<u64, Arc<UnitParse>>,
    /// Findings of list items, reused the same way.
    pub findings: super::FindingsMemo,
    /// The block lists split into items by the last complete unit parse (none after a parse of
    /// the whole block): where an edit inside one item can be applied in place (`patch.rs`).
    pub(super) lists: Vec<ListUnits>,
    /// The other top-level entries as units, from the same parse (`patch.rs`).
    pub(super) entries: Vec<EntryUnit>,
}

/// A top-level entry that is not a split list, as one unit.
#[derive(Debug, Clone)]
pub(super) struct EntryUnit {
    /// The entry's index in the root mapping.
    pub entry: usize,
    /// The unit (its segment) in the text.
    pub bounds: Range<usize>,
    /// The hash of its text (its parse's key in the cache).
    pub key: u64,
}

/// How a top-level entry is held as units: a split list's items, or the entry whole.
enum Units {
    List(ListUnits),
    Entry(Range<usize>, u64),
}

/// One block list of the top-level mapping, as units.
#[derive(Debug, Clone)]
pub(super) struct ListUnits {
    /// The list's key (one of `SPLIT_LISTS`) and its entry's index in the root mapping.
    pub key: &'static str,
    pub entry: usize,
    /// The indentation of the items' dashes.
    pub indent: usize,
    /// Where each item's unit starts, then where the last one ends.
    pub bounds: Vec<usize>,
    /// The hash of each item's text (its parse's key in the cache).
    pub keys: Vec<u64>,
}

/// One unit parsed alone: spans relative to the unit's start.
#[derive(Debug)]
pub(super) struct UnitParse {
    pub node: Option<Node>,
    pub errors: Vec<SyntaxError>,
    /// Parsed, but its spans may differ from the whole parse's (an empty block scalar, whose
    /// span depends on what follows it).
    context_dependent: bool,
}

impl UnitParse {
    pub(super) fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.node.is_some() && !self.context_dependent
    }
}

impl UnitCache {
    /// The parse of `text[range]`, from the cache or freshly made; `used` collects what the
    /// current parse needs.
    fn get(&self, text: &str, range: Range<usize>, used: &mut HashMap<u64, Arc<UnitParse>>) -> Arc<UnitParse> {
        let (key, parse) = self.lookup(&text[range], used);
        used.insert(key, parse.clone());
        parse
    }

    /// The hash of `unit` and its parse, from the cache (or `used`) or freshly made.
    pub(super) fn lookup(&self, unit: &str, used: &HashMap<u64, Arc<UnitParse>>) -> (u64, Arc<UnitParse>) {
        let key = hash(unit);
        let parse = match self.parses.get(&key).or_else(|| used.get(&key)) {
            Some(found) => found.clone(),
            None => Arc::new(parse_unit(unit)),
        };
        (key, parse)
    }
}

/// The top-level mapping assembled from clean unit parses, or `None` when a unit is not clean
/// on its own (the caller then parses the whole block).
pub(super) fn parse_by_units(text: &str, yaml: Range<usize>, cache: &mut UnitCache) -> Option<Node> {
    let mut used = HashMap::new();
    let mut entries = Vec::new();
    let mut lists = Vec::new();
    let mut singles = Vec::new();
    let mut ok = true;
    for segment in segments(text, yaml.clone()) {
        match entry_of_segment(text, segment, cache, &mut used) {
            Some(Some((entry, units))) => {
                match units {
                    Units::List(list) => lists.push(ListUnits { entry: entries.len(), ..list }),
                    Units::Entry(bounds, key) => singles.push(EntryUnit { entry: entries.len(), bounds, key }),
                }
                entries.push(entry);
            }
            Some(None) => {}
            None => {
                ok = false;
                break;
            }
        }
    }
    if ok {
        // Only a complete parse replaces the cache: a failed one keeps what the next
        // keystroke (likely fixing the error) can reuse.
        cache.parses = used;
        cache.lists = lists;
        cache.entries = singles;
    } else {
        cache.parses.extend(used);
        cache.lists.clear();
        cache.entries.clear();
    }
    if !ok {
        return None;
    }
    let span = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => first.key.span.start..last.value.span.end.max(first.key.span.start),
        _ => yaml.start..yaml.start,
    };
    Some(Node { span, value: Value::Mapping(entries) })
}

/// One top-level entry (with its items' units when it is a split list): `Some(None)` for a
/// segment with no entry, `None` when it does not parse cleanly on its own.
fn entry_of_segment(
    text: &str,
    segment: Range<usize>,
    cache: &UnitCache,
    used: &mut HashMap<u64, Arc<UnitParse>>,
) -> Option<Option<(Entry, Units)>> {
    if let Some((header, items, indent)) = split_list(text, segment.clone()) {
        return list_entry(text, (header, items, indent), cache, used).map(|(e, l)| Some((e, Units::List(l))));
    }
    let (key, parse) = cache.lookup(&text[segment.clone()], used);
    used.insert(key, parse.clone());
    if !parse.is_clean() {
        return None;
    }
    let node = parse.node.as_ref()?;
    match &node.value {
        Value::Mapping(found) if found.len() == 1 => {
            Some(Some((shift_entry(&found[0], segment.start), Units::Entry(segment, key))))
        }
        Value::Mapping(found) if found.is_empty() => Some(None),
        _ => None,
    }
}

/// A `key:` line followed by a block list: the header and each item as units.
fn list_entry(
    text: &str,
    (header, items, indent): (Range<usize>, Vec<Range<usize>>, usize),
    cache: &UnitCache,
    used: &mut HashMap<u64, Arc<UnitParse>>,
) -> Option<(Entry, ListUnits)> {
    let head = cache.get(text, header.clone(), used);
    if !head.is_clean() {
        return None;
    }
    let key = match &head.node.as_ref()?.value {
        Value::Mapping(found) if found.len() == 1 && found[0].value.is_null() => shift(&found[0].key, header.start),
        _ => return None,
    };
    let mut nodes = Vec::with_capacity(items.len());
    let mut start = None;
    let mut bounds = Vec::with_capacity(items.len() + 1);
    let mut keys = Vec::with_capacity(items.len());
    let end_of_last = items.last()?.end;
    for item in items {
        let (hash, parse) = cache.lookup(&text[item.clone()], used);
        used.insert(hash, parse.clone());
        let (sequence, only) = single_item(&parse)?;
        start.get_or_insert(sequence_start(&text[item.clone()], indent, sequence) + item.start);
        nodes.push(shift(only, item.start));
        bounds.push(item.start);
        keys.push(hash);
    }
    bounds.push(end_of_last);
    let start = start?;
    let end = nodes.last().map_or(start, |n| n.span.end.max(start));
    let list_key = SPLIT_LISTS.into_iter().find(|k| key.as_scalar().is_some_and(|s| s.text == *k))?;
    let entry = Entry { key, value: Node { span: start..end, value: Value::Sequence(nodes) } };
    Some((entry, ListUnits { key: list_key, entry: 0, indent, bounds, keys }))
}

/// The one item of a clean unit parse of a list item, and the sequence around it (spans
/// relative to the unit).
pub(super) fn single_item(parse: &UnitParse) -> Option<(&Node, &Node)> {
    if !parse.is_clean() {
        return None;
    }
    let sequence = parse.node.as_ref()?;
    let Value::Sequence(found) = &sequence.value else { return None };
    let [only] = found.as_slice() else { return None };
    Some((sequence, only))
}

/// Where the whole parse starts a block list whose first item's unit is `unit` (relative).
pub(super) fn sequence_start(unit: &str, indent: usize, sequence: &Node) -> usize {
    if indent == 0 { indentless_start(unit, 0) } else { sequence.span.start }
}

/// A list indented like its key ("indentless") starts, in the whole parse, after its first
/// dash and the blanks (and comment) that follow it on that line, not at the dash.
fn indentless_start(text: &str, dash: usize) -> usize {
    let line = line_text(text, dash);
    let rest = line.get(1..).unwrap_or("");
    let content = rest.trim_start_matches([' ', '\t']);
    if content.starts_with('#') {
        return dash + line.len();
    }
    dash + 1 + rest.len() - content.len()
}

/// Splits `related:` (or `images:`, `topics:`) followed by a block list into the header and
/// one range per item. `None` when the segment has another shape.
pub(super) fn split_list(text: &str, segment: Range<usize>) -> Option<(Range<usize>, Vec<Range<usize>>, usize)> {
    let first = line_text(text, segment.start);
    let key = first.trim_end().strip_suffix(':')?;
    if !SPLIT_LISTS.contains(&key) {
        return None;
    }
    let mut items: Vec<Range<usize>> = Vec::new();
    let mut indent = None;
    let mut line = next_line(text, segment.start);
    while line < segment.end {
        match list_line(line_text(text, line), indent) {
            ListLine::Inside => {}
            ListLine::Item(depth) => {
                indent = Some(depth);
                if let Some(last) = items.last_mut() {
                    last.end = line;
                }
                items.push(line..segment.end);
            }
            ListLine::Other => return None,
        }
        line = next_line(text, line);
    }
    let header_end = items.first()?.start;
    Some((segment.start..header_end, items, indent?))
}

/// What a line is to a block list whose items' dashes are indented by `indent` (`None`: no item
/// seen yet).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ListLine {
    /// Blank, a comment, or inside the current item.
    Inside,
    /// The first line of an item, at this indentation.
    Item(usize),
    /// Anything else: the segment is not a block list.
    Other,
}

pub(super) fn list_line(content: &str, indent: Option<usize>) -> ListLine {
    let trimmed = content.trim_start_matches(' ');
    let depth = content.len() - trimmed.len();
    let is_item = trimmed == "-" || trimmed.starts_with("- ");
    if trimmed.is_empty() || trimmed.starts_with('#') || indent.is_some_and(|i| depth > i) {
        ListLine::Inside
    } else if is_item && indent.is_none_or(|i| i == depth) && !trimmed.starts_with('\t') {
        ListLine::Item(depth)
    } else {
        ListLine::Other
    }
}

/// Parses a unit alone, blanking broken lines to recover (see `parse_masking_errors`).
fn parse_unit(unit: &str) -> UnitParse {
    let mut masked = unit.to_string();
    let mut errors = Vec::new();
    let node = super::parse_masking_errors(&mut masked, 0..unit.len(), &mut errors);
    let context_dependent = node.as_ref().is_some_and(|n| has_empty_block_scalar(unit, n));
    UnitParse { node, errors, context_dependent }
}

fn has_empty_block_scalar(unit: &str, node: &Node) -> bool {
    match &node.value {
        Value::Scalar(s) => !s.plain && s.text.is_empty() && unit[node.span.clone()].starts_with(['|', '>']),
        Value::Alias => false,
        Value::Sequence(items) => items.iter().any(|n| has_empty_block_scalar(unit, n)),
        Value::Mapping(entries) => {
            entries.iter().any(|e| has_empty_block_scalar(unit, &e.key) || has_empty_block_scalar(unit, &e.value))
        }
    }
}

fn hash(unit: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    unit.hash(&mut hasher);
    hasher.finish()
}

pub(super) fn shift_entry(entry: &Entry, by: usize) -> Entry {
    Entry { key: shift(&entry.key, by), value: shift(&entry.value, by) }
}

/// A copy of `node` with every span moved by `by` bytes.
pub(super) fn shift(node: &Node, by: usize) -> Node {
    let span = node.span.start + by..node.span.end + by;
    let value = match &node.value {
        Value::Scalar(s) => Value::Scalar(s.clone()),
        Value::Alias => Value::Alias,
        Value::Sequence(items) => Value::Sequence(items.iter().map(|n| shift(n, by)).collect()),
        Value::Mapping(entries) => Value::Mapping(entries.iter().map(|e| shift_entry(e, by)).collect()),
    };
    Node { span, value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::yaml;

    /// Whenever the unit parse succeeds, it equals the whole parse (fresh and cached).
    /// Returns whether it succeeded.
    fn same_as_whole(text: &str, cache: &mut UnitCache) -> bool {
        let Some(units) = parse_by_units(text, 0..text.len(), cache) else {
            return false;
        };
        assert_eq!(Ok(&units), yaml::parse(text, 0..text.len()).as_ref(), "{text:?}");
        assert_eq!(parse_by_units(text, 0..text.len(), &mut UnitCache::default()).as_ref(), Some(&units));
        true
    }

    const BASE: &str = "title: \"Hub\"\nprovider:\n  name: Hub\n  domain: hub.example.com\n# note\nrelated:\n  - title: \"R0\"\n    webUrl: \"https://r0.example.com/a\"\n\n  - title: R1\n    provider:\n      name: P\n  -\n  - webUrl: x # c\ntopics:\n- AI\n- \"Public Health\"\nimages: []\nexcerpt: >\n  folded\n  text\n";

    #[test]
    fn unit_parse_equals_the_whole_parse_under_random_edits() {
        let inserts =
            ["x", "\n", " ", "  - ", "- ", ":", "\"", "#", "related:\n", "  - a: b\n", "é", "\r\n", "topics:"];
        let mut text = BASE.to_string();
        let mut cache = UnitCache::default();
        let mut seed = 1234u64;
        let mut by_units = 0;
        for step in 0..3_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let a = boundaries[(seed >> 33) as usize % boundaries.len()];
            let b = *boundaries.iter().find(|&&x| x >= a + ((seed >> 20) as usize % 4)).unwrap_or(&text.len());
            let insert = inserts[(seed >> 45) as usize % inserts.len()];
            let mut edited = text.clone();
            edited.replace_range(a..b, insert);
            // Keep most texts valid YAML (an invalid one survives one edit in eight), so both the
            // unit path and the fallback are exercised.
            let valid = yaml::parse(&edited, 0..edited.len()).is_ok();
            if valid || (seed >> 60) == 0 {
                text = edited;
            }
            // Start again now and then: a quoted scalar that runs over lines is valid YAML the
            // unit path declines, and random edits rarely undo it.
            if text.len() > 2_000 || step % 40 == 0 {
                text = BASE.to_string();
            }
            by_units += usize::from(same_as_whole(&text, &mut cache));
        }
        // Most edited texts stay valid YAML, so the comparison above is exercised.
        assert!(by_units > 1_000, "{by_units}");
    }

    #[test]
    fn list_items_are_units() {
        let text = "related:\n  - title: a\n  - title: b\n    webUrl: c\ntitle: t\n";
        let (header, items, _) = split_list(text, 0..text.find("title: t").unwrap()).unwrap();
        assert_eq!(&text[header], "related:\n");
        let items: Vec<&str> = items.into_iter().map(|r| &text[r]).collect();
        assert_eq!(items, ["  - title: a\n", "  - title: b\n    webUrl: c\n"]);
    }
}
