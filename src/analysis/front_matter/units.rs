//! The front matter as units that parse on their own: its top-level entries, and the items of
//! the block lists `related`, `images` and `topics`. Each unit's parse is cached by a hash of
//! its text with unit-relative spans (the per-line cache, one level up), so an edit inside one
//! related entry re-parses that entry only; assembling the tree shifts the cached spans.
//!
//! The tree a parse returns is made of the list items' own nodes, moved out of the cache and
//! shifted in place, not of copies: a front matter of 2,000 related entries holds one tree, not
//! two, while it is checked. The caller gives the tree back ([`UnitCache::give_back`]) and the
//! items return to the cache.
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

const _: () = assert!(std::mem::size_of::<UnitParse>() == 56);

/// Keys whose block lists are split into one unit per item.
const SPLIT_LISTS: [&str; 3] = ["related", "images", "topics"];

/// Parses of units by the hash of their text. Entries not used by the latest parse are
/// dropped, so the cache holds about one front matter's worth of trees.
#[derive(Debug, Default, Clone)]
pub struct UnitCache {
    pub(super) parses: HashMap<u64, Arc<UnitParse>>,
    /// Findings of list items, reused the same way.
    pub findings: super::FindingsMemo,
    /// The front matter as units, from the last complete unit parse (`None` after a parse of
    /// the whole block): what an edit inside one unit is applied to in place (`patch.rs`).
    pub(super) units: Option<Arc<Units>>,
    /// The units of the last parse while their list items are lent to the tree it returned
    /// (each lent item's place holds a stand-in): out of reach until given back.
    lent: Option<Lent>,
}

/// Units whose list items are lent to a tree.
#[derive(Debug)]
struct Lent(Units);

/// A clone of a cache never carries lent units: only the cache that lent them takes them back.
impl Clone for Lent {
    fn clone(&self) -> Lent {
        Lent(Units { start: self.0.start, lists: Vec::new(), entries: Vec::new() })
    }
}

/// The top-level mapping held as its units, in order, each unit's tree with spans relative to
/// the unit: the tree with absolute spans is assembled from it on demand ([`Units::root`]), so
/// an edit inside one unit moves a few integers per later unit instead of every later node's
/// span, and requests share the unit cache's trees instead of a second copy.
#[derive(Debug, Default, Clone)]
pub struct Units {
    /// Where the YAML starts (the span of an empty mapping).
    start: usize,
    /// The split block lists.
    pub(super) lists: Vec<ListUnits>,
    /// The other top-level entries.
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
    /// Its parse: a mapping of one entry.
    pub parse: Arc<UnitParse>,
    /// No other top-level entry has its key.
    pub unique: bool,
}

/// How a top-level entry is held as units: a split list's items, or the entry whole.
enum Part {
    List(ListUnits),
    Entry(Range<usize>, u64, Arc<UnitParse>),
}

/// One block list of the top-level mapping, as units.
#[derive(Debug, Clone)]
pub(super) struct ListUnits {
    /// The list's key (one of `SPLIT_LISTS`) and its entry's index in the root mapping.
    pub key: &'static str,
    pub entry: usize,
    /// No earlier top-level entry has its key.
    pub first_of_key: bool,
    /// The `key:` line's unit: where it starts and its parse.
    pub header: (usize, Arc<UnitParse>),
    /// Where the whole parse starts the sequence (decided by the first item's text).
    pub start: usize,
    /// The indentation of the items' dashes.
    pub indent: usize,
    /// Where each item's unit starts, then where the last one ends.
    pub bounds: Vec<usize>,
    /// The hash of each item's text (its parse's key in the cache).
    pub keys: Vec<u64>,
    /// Each item's parse: a sequence of one item.
    pub items: Vec<Arc<UnitParse>>,
}

/// One unit parsed alone: spans relative to the unit's start.
#[derive(Debug)]
pub(super) struct UnitParse {
    pub node: Option<Node>,
    /// Boxed, not a `Vec`: one `UnitParse` a unit, and without the spare word it takes
    /// 72 bytes with its reference counts (an 80-byte block, not 96).
    pub errors: Box<[SyntaxError]>,
    /// Parsed, but its spans may differ from the whole parse's (an empty block scalar, whose
    /// span depends on what follows it).
    context_dependent: bool,
}

impl UnitParse {
    pub(super) fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.node.is_some() && !self.context_dependent
    }

    /// The one entry of a top-level entry's unit (relative spans).
    pub(super) fn only_entry(&self) -> Option<&Entry> {
        match &self.node.as_ref()?.value {
            Value::Mapping(found) if found.len() == 1 => found.first(),
            _ => None,
        }
    }
}

impl UnitCache {
    /// The front matter as units, when the last parse was made of them.
    pub fn units(&self) -> Option<Arc<Units>> {
        self.units.clone()
    }

    /// Drops the units of an earlier text (the current one has no front matter).
    pub fn forget_units(&mut self) {
        self.units = None;
        self.lent = None;
    }

    /// The last parse returned a tree made of the cache's list items ([`UnitCache::give_back`]).
    pub fn is_lending(&self) -> bool {
        self.lent.is_some()
    }

    /// Takes back the tree the last parse returned: its list items return to the cache (spans
    /// relative to their units again), so the next parse and in-place edits reuse them, and the
    /// units are held again. `Err` with the tree when it is not the one lent. A tree not given
    /// back only costs the next parse those items.
    pub fn give_back(&mut self, root: Node) -> Result<(), Node> {
        let Some(Lent(mut units)) = self.lent.take() else { return Err(root) };
        if !units.fits(&root) {
            return Err(root);
        }
        units.take_back(root);
        for list in &units.lists {
            self.parses.extend(list.keys.iter().copied().zip(list.items.iter().cloned()));
        }
        self.units = Some(Arc::new(units));
        Ok(())
    }

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

impl Units {
    /// The top-level mapping with absolute spans, like [`Units::root`], but made of the list
    /// items' own nodes where no one else holds them (moved out, shifted in place; a stand-in
    /// takes each one's place until [`Units::take_back`]), copies elsewhere.
    fn lend_root(&mut self) -> Node {
        let mut slots: Vec<Option<Entry>> = vec![None; self.len()];
        for list in &mut self.lists {
            if let Some(slot) = slots.get_mut(list.entry) {
                *slot = list.lend();
            }
        }
        self.fill_entries(&mut slots);
        self.mapping(slots)
    }

    /// `root` has the shape of the trees [`Units::lend_root`] makes of these units.
    fn fits(&self, root: &Node) -> bool {
        let entries = root.as_mapping().unwrap_or_default();
        let items = |list: &ListUnits| match entries.get(list.entry).map(|e| &e.value.value) {
            Some(Value::Sequence(nodes)) => nodes.len() == list.items.len(),
            _ => false,
        };
        root.as_mapping().is_some() && entries.len() == self.len() && self.lists.iter().all(items)
    }

    /// Puts the items of a tree made by [`Units::lend_root`] back in place (spans relative
    /// again); `root` [`fits`](Units::fits).
    fn take_back(&mut self, root: Node) {
        let Value::Mapping(entries) = root.value else { return };
        let mut slots: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
        for list in &mut self.lists {
            if let Some(entry) = slots.get_mut(list.entry).and_then(Option::take) {
                list.take_back(entry.value);
            }
        }
    }

    /// How many entries the root mapping has.
    pub(super) fn len(&self) -> usize {
        self.lists.len() + self.entries.len()
    }

    /// The top-level mapping with absolute spans, as a parse of the whole block makes it.
    pub fn root(&self) -> Node {
        let mut slots: Vec<Option<Entry>> = vec![None; self.len()];
        for list in &self.lists {
            if let Some(slot) = slots.get_mut(list.entry) {
                *slot = list.assemble();
            }
        }
        self.fill_entries(&mut slots);
        self.mapping(slots)
    }

    /// The entries that are not split lists, shifted into their slots.
    fn fill_entries(&self, slots: &mut [Option<Entry>]) {
        for unit in &self.entries {
            if let (Some(slot), Some(entry)) = (slots.get_mut(unit.entry), unit.parse.only_entry()) {
                *slot = Some(shift_entry(entry, unit.bounds.start));
            }
        }
    }

    fn mapping(&self, slots: Vec<Option<Entry>>) -> Node {
        let entries: Vec<Entry> = slots.into_iter().flatten().collect();
        let span = match (entries.first(), entries.last()) {
            (Some(first), Some(last)) => first.key.span().start..last.value.span().end.max(first.key.span().start),
            _ => self.start..self.start,
        };
        Node::new(span, Value::Mapping(entries.into()))
    }
}

/// One unit as the editor features read it (semantic tokens are cached per unit): where it
/// is in the text, the hash of its text (`None` for a list's `key:` line, which the unit cache
/// does not key), the split list it is an item of, and its tree with spans relative to its
/// start (a mapping of one entry, or a sequence of one item).
#[derive(Debug, Clone)]
pub struct UnitRef<'a> {
    pub bounds: Range<usize>,
    pub hash: Option<u64>,
    pub list: Option<&'static str>,
    pub node: &'a Node,
}

impl Units {
    /// The units [`Units::root`] assembles the tree from, in text order.
    pub fn unit_refs(&self) -> Vec<UnitRef<'_>> {
        let mut slots: Vec<Vec<UnitRef<'_>>> = vec![Vec::new(); self.len()];
        for list in &self.lists {
            if let Some(slot) = slots.get_mut(list.entry) {
                *slot = list.unit_refs();
            }
        }
        for unit in &self.entries {
            if let (Some(slot), Some(node), Some(_)) =
                (slots.get_mut(unit.entry), unit.parse.node.as_ref(), unit.parse.only_entry())
            {
                slot.push(UnitRef { bounds: unit.bounds.clone(), hash: Some(unit.key), list: None, node });
            }
        }
        slots.into_iter().flatten().collect()
    }
}

impl ListUnits {
    /// The list's entry with absolute spans.
    fn assemble(&self) -> Option<Entry> {
        let (at, header) = &self.header;
        let key = shift(&header.only_entry()?.key, *at);
        let nodes: Vec<Node> = self
            .bounds
            .iter()
            .zip(&self.items)
            .filter_map(|(&at, parse)| single_item(parse).map(|(_, only)| shift(only, at)))
            .collect();
        let end = nodes.last().map_or(self.start, |n| n.span().end.max(self.start));
        Some(Entry { key, value: Node::new(self.start..end, Value::Sequence(nodes.into())) })
    }

    /// The `key:` line and the items as units (none when [`ListUnits::assemble`] drops the list).
    fn unit_refs(&self) -> Vec<UnitRef<'_>> {
        let (at, header) = &self.header;
        let (Some(node), Some(_), Some(&first)) = (header.node.as_ref(), header.only_entry(), self.bounds.first())
        else {
            return Vec::new();
        };
        let mut refs = vec![UnitRef { bounds: *at..first, hash: None, list: None, node }];
        let items = self.items.iter().zip(&self.keys).zip(self.bounds.windows(2));
        for ((parse, &hash), bounds) in items {
            if let (Some((sequence, _)), [start, end]) = (single_item(parse), bounds) {
                refs.push(UnitRef { bounds: *start..*end, hash: Some(hash), list: Some(self.key), node: sequence });
            }
        }
        refs
    }
}

impl ListUnits {
    /// The list's entry with absolute spans, its items moved out of their parses where no one
    /// else holds them.
    fn lend(&mut self) -> Option<Entry> {
        let (at, header) = &self.header;
        let key = shift(&header.only_entry()?.key, *at);
        let mut nodes = Vec::with_capacity(self.items.len());
        for (&at, parse) in self.bounds.iter().zip(&mut self.items) {
            let lent = Arc::get_mut(parse).and_then(only_item_mut).map(|only| std::mem::replace(only, stand_in()));
            let node = match lent {
                Some(mut node) => {
                    shift_in_place(&mut node, at as isize);
                    node
                }
                None => shift(single_item(parse)?.1, at),
            };
            nodes.push(node);
        }
        let end = nodes.last().map_or(self.start, |n| n.span().end.max(self.start));
        Some(Entry { key, value: Node::new(self.start..end, Value::Sequence(nodes.into())) })
    }

    /// Puts the items of `value` (made by [`ListUnits::lend`]) back.
    fn take_back(&mut self, value: Node) {
        let Value::Sequence(nodes) = value.value else { return };
        for ((&at, parse), mut node) in self.bounds.iter().zip(&mut self.items).zip(nodes) {
            shift_in_place(&mut node, -(at as isize));
            // A shared parse kept its own node (this one is an equal copy).
            if let Some(only) = Arc::get_mut(parse).and_then(only_item_mut) {
                *only = node;
            }
        }
    }
}

/// The only item of a list item's parse, to move out or back.
fn only_item_mut(parse: &mut UnitParse) -> Option<&mut Node> {
    match &mut parse.node.as_mut()?.value {
        Value::Sequence(found) if found.len() == 1 => found.first_mut(),
        _ => None,
    }
}

/// What stands in a parse for an item lent to a tree (never seen: lent units are out of reach).
fn stand_in() -> Node {
    Node::new(0..0, Value::Alias)
}

/// The top-level mapping assembled from clean unit parses, or `None` when a unit is not clean
/// on its own (the caller then parses the whole block).
pub(super) fn parse_by_units(text: &str, yaml: Range<usize>, cache: &mut UnitCache) -> Option<Node> {
    let mut used = HashMap::new();
    cache.lent = None;
    let mut units = Units { start: yaml.start, ..Units::default() };
    let mut keys: Vec<Option<String>> = Vec::new();
    let mut ok = true;
    for segment in segments(text, yaml.clone()) {
        match entry_of_segment(text, segment, cache, &mut used) {
            Some(Some(part)) => {
                let entry = keys.len();
                match part {
                    Part::List(list) => {
                        keys.push(Some(list.key.to_string()));
                        units.lists.push(ListUnits { entry, ..list });
                    }
                    Part::Entry(bounds, key, parse) => {
                        keys.push(parse.only_entry().and_then(Entry::key_text).map(str::to_string));
                        units.entries.push(EntryUnit { entry, bounds, key, parse, unique: true });
                    }
                }
            }
            Some(None) => {}
            None => {
                ok = false;
                break;
            }
        }
    }
    if !ok {
        // A failed parse keeps what the next keystroke (likely fixing the error) can reuse.
        cache.parses.extend(used);
        cache.units = None;
        return None;
    }
    let first_of = |index: usize| keys.iter().position(|k| *k == keys[index]) == Some(index);
    let count = |index: usize| keys.iter().filter(|k| **k == keys[index]).count();
    for list in &mut units.lists {
        list.first_of_key = first_of(list.entry);
    }
    for unit in &mut units.entries {
        unit.unique = keys[unit.entry].is_some() && count(unit.entry) == 1;
    }
    // The list items are lent to the tree until it is given back: no one else may hold them,
    // so they leave the cache meanwhile (and the earlier parse's hold on them goes first).
    for list in &units.lists {
        list.keys.iter().for_each(|key| drop(used.remove(key)));
    }
    cache.parses = used;
    cache.units = None;
    let root = units.lend_root();
    cache.lent = Some(Lent(units));
    Some(root)
}

/// One top-level entry (with its items' units when it is a split list): `Some(None)` for a
/// segment with no entry, `None` when it does not parse cleanly on its own.
fn entry_of_segment(
    text: &str,
    segment: Range<usize>,
    cache: &UnitCache,
    used: &mut HashMap<u64, Arc<UnitParse>>,
) -> Option<Option<Part>> {
    if let Some((header, items, indent)) = split_list(text, segment.clone()) {
        return list_units(text, (header, items, indent), cache, used).map(|l| Some(Part::List(l)));
    }
    let (key, parse) = cache.lookup(&text[segment.clone()], used);
    used.insert(key, parse.clone());
    if !parse.is_clean() {
        return None;
    }
    match &parse.node.as_ref()?.value {
        Value::Mapping(found) if found.len() == 1 => Some(Some(Part::Entry(segment, key, parse.clone()))),
        Value::Mapping(found) if found.is_empty() => Some(None),
        _ => None,
    }
}

/// A `key:` line followed by a block list: the header and each item as units.
fn list_units(
    text: &str,
    (header, items, indent): (Range<usize>, Vec<Range<usize>>, usize),
    cache: &UnitCache,
    used: &mut HashMap<u64, Arc<UnitParse>>,
) -> Option<ListUnits> {
    let head = cache.get(text, header.clone(), used);
    if !head.is_clean() {
        return None;
    }
    let key_text = match head.only_entry() {
        Some(entry) if entry.value.is_null() => entry.key_text()?,
        _ => return None,
    };
    let list_key = SPLIT_LISTS.into_iter().find(|k| key_text == *k)?;
    let first = items.first()?.clone();
    let mut bounds = Vec::with_capacity(items.len() + 1);
    let mut keys = Vec::with_capacity(items.len());
    let mut parses = Vec::with_capacity(items.len());
    let end_of_last = items.last()?.end;
    for item in items {
        let (hash, parse) = cache.lookup(&text[item.clone()], used);
        used.insert(hash, parse.clone());
        single_item(&parse)?;
        bounds.push(item.start);
        keys.push(hash);
        parses.push(parse);
    }
    bounds.push(end_of_last);
    let (sequence, _) = single_item(parses.first()?)?;
    let start = sequence_start(&text[first.clone()], indent, sequence) + first.start;
    Some(ListUnits {
        key: list_key,
        entry: 0,
        first_of_key: true,
        header: (header.start, head),
        start,
        indent,
        bounds,
        keys,
        items: parses,
    })
}

/// The one item of a clean unit parse of a list item, and the sequence around it (spans
/// relative to the unit).
pub(super) fn single_item(parse: &UnitParse) -> Option<(&Node, &Node)> {
    if !parse.is_clean() {
        return None;
    }
    let sequence = parse.node.as_ref()?;
    let Value::Sequence(found) = &sequence.value else { return None };
    let [only] = &found[..] else { return None };
    Some((sequence, only))
}

/// Where the whole parse starts a block list whose first item's unit is `unit` (relative).
pub(super) fn sequence_start(unit: &str, indent: usize, sequence: &Node) -> usize {
    if indent == 0 { indentless_start(unit, 0) } else { sequence.span().start }
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
    let mut masked = std::borrow::Cow::Borrowed(unit);
    let mut errors = Vec::new();
    let node = super::parse_masking_errors(&mut masked, 0..unit.len(), &mut errors);
    let context_dependent = node.as_ref().is_some_and(|n| has_empty_block_scalar(unit, n));
    UnitParse { node, errors: errors.into_boxed_slice(), context_dependent }
}

fn has_empty_block_scalar(unit: &str, node: &Node) -> bool {
    match &node.value {
        Value::Scalar(s) => !s.plain && s.text.is_empty() && unit[node.span()].starts_with(['|', '>']),
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

/// Moves every span of `node` by `by` bytes.
fn shift_in_place(node: &mut Node, by: isize) {
    let moved = |at: usize| at.saturating_add_signed(by);
    let span = node.span();
    node.set_span(moved(span.start)..moved(span.end));
    match &mut node.value {
        Value::Scalar(_) | Value::Alias => {}
        Value::Sequence(items) => items.iter_mut().for_each(|n| shift_in_place(n, by)),
        Value::Mapping(entries) => entries.iter_mut().for_each(|e| {
            shift_in_place(&mut e.key, by);
            shift_in_place(&mut e.value, by);
        }),
    }
}

/// A copy of `node` with every span moved by `by` bytes.
pub(super) fn shift(node: &Node, by: usize) -> Node {
    let span = node.span();
    let span = span.start + by..span.end + by;
    let value = match &node.value {
        Value::Scalar(s) => Value::Scalar(s.clone()),
        Value::Alias => Value::Alias,
        Value::Sequence(items) => Value::Sequence(items.iter().map(|n| shift(n, by)).collect()),
        Value::Mapping(entries) => Value::Mapping(entries.iter().map(|e| shift_entry(e, by)).collect()),
    };
    Node::new(span, value)
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
        // Given back, the items are the cache's again, as the tree had them.
        assert!(cache.give_back(units.clone()).is_ok());
        assert_eq!(cache.units().map(|u| u.root()).as_ref(), Some(&units), "{text:?}");
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
