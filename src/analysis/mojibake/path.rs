//! The cheapest path through a stretch's lattice in one table (a Viterbi search), and the
//! exact local test that usually makes the search unnecessary.
//!
//! The cost of a path is a sum over its output characters of a class weight and a class-pair
//! weight with the previous character, plus each step's penalty. A sequence whose neighbours
//! are both kept characters therefore changes the cost by an amount that depends on nothing
//! else (its *delta*). When no sequence starts where another ends, every path costs the
//! all-keep path plus the deltas of the sequences it reads; if every delta is positive,
//! keeping every character is the one cheapest path, and the search would find nothing.
//! That test costs a few table look-ups per possible sequence, which is what keeps clean
//! text (where a few sequences are possible but none pays) out of the search.

use std::cell::RefCell;

use super::Origin;
use super::classes::{ALL_CLASSES, CLASS_COUNT, Class, class_of};
use super::lattice::Reading;
use super::stretch::{Stretch, single_byte};
use super::tables::{Table, masks};
use super::weights::{MIXED_CASE, PENALTIES, char_cost, link};

/// One step of a path through the lattice: characters `from..to` become `out`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    pub from: usize,
    pub to: usize,
    pub out: char,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Keep,
    Utf8 { wildcards: u8, nbsp: u8, cesu: bool },
    SingleByte,
}

impl Step {
    /// What the step costs in `table` (see [`Kind::penalty`]), with the extra a lost byte pays
    /// in a table that loses none.
    pub(super) fn penalty(self, table: Table, eager: bool) -> i32 {
        let lost = match self.kind {
            Kind::Utf8 { wildcards, .. } if wildcards > 0 && !table.has_holes() => {
                PENALTIES.wildcard_without_hole * i32::from(wildcards)
            }
            _ => 0,
        };
        self.kind.penalty(eager) + lost
    }
}

impl Kind {
    /// What the step costs; in an eager search a sequence earns a bonus instead.
    pub(super) fn penalty(self, eager: bool) -> i32 {
        let p = PENALTIES;
        let sequence = if eager { -p.eager_bonus } else { p.sequence };
        match self {
            Kind::Keep => 0,
            Kind::SingleByte => p.single_byte,
            Kind::Utf8 { wildcards, nbsp, cesu } => {
                sequence + p.wildcard * i32::from(wildcards) + p.nbsp * i32::from(nbsp) + if cesu { p.cesu } else { 0 }
            }
        }
    }

    pub(super) fn origin(self) -> Origin {
        match self {
            Kind::Utf8 { cesu: true, .. } => Origin::Cesu8,
            Kind::SingleByte => Origin::Windows1252,
            _ => Origin::Utf8,
        }
    }
}

/// How eagerly a search reads sequences, and which U+FFFD it may not read as a lost byte.
#[derive(Debug, Clone, Copy)]
pub(super) struct Eagerness<'a> {
    /// Sequences earn a bonus instead of paying a penalty.
    pub eager: bool,
    /// Every decoded character that could itself be mangled is judged only after peeling.
    pub optimistic: bool,
    /// Indices of the characters that stand for no lost byte (a U+FFFD an earlier repair made).
    /// Leaving their sequences out only removes paths, so every proof below stays sound.
    pub not_wild: &'a [usize],
}

impl Eagerness<'_> {
    /// May the search read the sequence `r`, which starts at character `at`?
    fn allows(&self, at: usize, r: &Reading) -> bool {
        r.wildcards == 0 || !self.not_wild.iter().any(|i| (at..r.end).contains(i))
    }
}

/// The class of the character at a stretch's edge (a space at the edge of the text).
pub(super) fn edge(c: Option<char>) -> Class {
    c.map_or(Class::Space, class_of)
}

/// A node of the search: the cheapest way found to reach a position with an output of a
/// given class last.
#[derive(Debug, Clone, Copy)]
struct Node {
    class: Class,
    cost: i32,
    /// Index of the step (in the arena) that reached this node.
    step: Option<usize>,
}

/// The search's buffers, kept between searches so that a search allocates nothing but its
/// result.
#[derive(Default)]
struct Scratch {
    nodes: Vec<Vec<Node>>,
    arena: Vec<(Step, Option<usize>)>,
    /// For the local tests: the steps other than keeping, and positions where one ends.
    steps: Vec<Step>,
    ends: Vec<bool>,
    /// For [`least_change`]: per position, the best change of a path whose last step keeps a
    /// character, of one whose last step decodes, and the classes such steps output.
    kept: Vec<Option<i32>>,
    decoded: Vec<Option<i32>>,
    classes: Vec<u64>,
    /// Per position, the tables where a decoded character ending there is a lead byte.
    leads: Vec<u16>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with the thread's scratch buffers (fresh ones if they are somehow in use).
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

#[cfg(test)]
thread_local! {
    static SHORTCUTS_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every proof that skips work switched off, for tests that compare the two.
#[cfg(test)]
pub(super) fn without_shortcuts<T>(f: impl FnOnce() -> T) -> T {
    SHORTCUTS_OFF.set(true);
    let out = f();
    SHORTCUTS_OFF.set(false);
    out
}

/// Whether the proofs that skip a search may be used (always, outside tests that compare).
pub(super) fn shortcuts() -> bool {
    #[cfg(test)]
    if SHORTCUTS_OFF.get() {
        return false;
    }
    true
}

/// The steps of the cheapest path through the lattice of `stretch` in `table`; empty when
/// keeping every character is cheapest.
pub(super) fn cheapest_path(stretch: &Stretch, table: Table, how: Eagerness<'_>) -> Vec<Step> {
    with_scratch(|scratch| {
        if shortcuts() && keeping_is_cheapest(scratch, stretch, table, how) {
            return Vec::new();
        }
        let path = search(scratch, stretch, table, how);
        if path.iter().all(|s| s.kind == Kind::Keep) { Vec::new() } else { path }
    })
}

/// Viterbi search over the lattice: every character is either kept or the start of a
/// sequence; the state is the class of the last output character, which is all the pair
/// weights look at. Decoded C1 controls cost nothing here: they are the middle layer of
/// double mangling, judged after peeling.
fn search(scratch: &mut Scratch, stretch: &Stretch, table: Table, how: Eagerness<'_>) -> Vec<Step> {
    let n = stretch.chars.len();
    let Scratch { nodes, arena, .. } = scratch;
    arena.clear();
    if nodes.len() < n + 1 {
        nodes.resize_with(n + 1, Vec::new);
    }
    nodes.iter_mut().take(n + 1).for_each(Vec::clear);
    nodes[0].push(Node { class: edge(stretch.around.prev), cost: 0, step: None });
    let mut here: Vec<Node> = Vec::new();
    let mut rest = stretch.readings(table);
    for at in 0..n {
        let c = stretch.chars[at];
        let starting = rest.iter().take_while(|(from, _)| *from == at).count();
        let (options, later) = rest.split_at(starting);
        rest = later;
        std::mem::swap(&mut here, &mut nodes[at]);
        let mut graph = Graph { nodes: &mut nodes[..=n], arena: &mut *arena, table, stretch, how };
        for node in &here {
            let keep = Step { from: at, to: at + 1, out: c, kind: Kind::Keep };
            graph.relax(node, keep, table.rarity(c));
            if table.is_western() {
                if let Some(out) = single_byte(c) {
                    graph.relax(node, Step { from: at, to: at + 1, out, kind: Kind::SingleByte }, 0);
                }
            }
            for (_, r) in options.iter().filter(|(_, r)| how.allows(at, r)) {
                graph.relax(node, utf8_step(at, r), 0);
            }
        }
        std::mem::swap(&mut here, &mut nodes[at]);
    }
    let next = edge(stretch.around.next);
    let best = nodes[n].iter().min_by_key(|node| node.cost + link(node.class, next, stretch.script));
    let mut path = Vec::new();
    let mut cursor = best.and_then(|b| b.step);
    while let Some(i) = cursor {
        let (step, prev) = arena[i];
        path.push(step);
        cursor = prev;
    }
    path.reverse();
    path
}

/// What [`Graph::relax`] works on.
struct Graph<'a> {
    nodes: &'a mut [Vec<Node>],
    arena: &'a mut Vec<(Step, Option<usize>)>,
    table: Table,
    stretch: &'a Stretch,
    how: Eagerness<'a>,
}

impl Graph<'_> {
    /// Offers `node` extended by `step` to the node list at the step's end.
    fn relax(&mut self, node: &Node, step: Step, extra: i32) {
        let class = step_class(step, self.stretch, self.table, self.how.optimistic);
        let cost = node.cost
            + char_cost(class, self.stretch.script)
            + link(node.class, class, self.stretch.script)
            + step.penalty(self.table, self.how.eager)
            + extra;
        let Some(slot) = self.nodes.get_mut(step.to) else {
            return;
        };
        match slot.iter_mut().find(|n| n.class == class) {
            Some(existing) if existing.cost <= cost => {}
            Some(existing) => {
                self.arena.push((step, node.step));
                *existing = Node { class, cost, step: Some(self.arena.len() - 1) };
            }
            None => {
                self.arena.push((step, node.step));
                slot.push(Node { class, cost, step: Some(self.arena.len() - 1) });
            }
        }
    }
}

/// The class a step's output counts as in the search: a decoded character that a further
/// layer of mangling would have produced is [`Class::Pending`].
fn step_class(step: Step, stretch: &Stretch, table: Table, optimistic: bool) -> Class {
    let decoded = step.kind != Kind::Keep;
    match output_class(step, stretch) {
        c if decoded && pending(c) && table.encode(step.out).is_some() => Class::Pending,
        _ if decoded && optimistic && may_be_mangled(step.out) => Class::Pending,
        c => c,
    }
}

/// The class of what a step outputs: a kept character keeps the class the stretch gives it,
/// and a U+FFFD a sequence decodes to (a lost byte, as a rule) is [`Class::Lost`].
pub(super) fn output_class(step: Step, stretch: &Stretch) -> Class {
    match step.kind {
        Kind::Keep => stretch.classes.get(step.from).copied().unwrap_or_else(|| class_of(step.out)),
        _ => decoded_class(step.out),
    }
}

/// The class of a character a repair wrote.
pub(super) fn decoded_class(c: char) -> Class {
    if c == '\u{FFFD}' { Class::Lost } else { class_of(c) }
}

/// The step that reads the sequence `r`, which starts at character `at`.
fn utf8_step(at: usize, r: &Reading) -> Step {
    Step {
        from: at,
        to: r.end,
        out: r.decoded,
        kind: Kind::Utf8 { wildcards: r.wildcards, nbsp: r.nbsp, cesu: r.cesu },
    }
}

/// Fills `steps` with every step other than keeping that the lattice offers (a sequence, or a
/// C1 control read as Windows-1252), in order of where they start.
fn collect_steps(steps: &mut Vec<Step>, stretch: &Stretch, table: Table) {
    steps.clear();
    let mut readings = stretch.readings(table).iter().peekable();
    for (at, &c) in stretch.chars.iter().enumerate() {
        while let Some((_, r)) = readings.next_if(|(from, _)| *from == at) {
            steps.push(utf8_step(at, r));
        }
        if table.is_western() {
            steps.extend(single_byte(c).map(|out| Step { from: at, to: at + 1, out, kind: Kind::SingleByte }));
        }
    }
}

/// Fills `scratch.steps` with every step other than keeping, and says whether they stand
/// apart: no step starts where another ends. Then every path costs the all-keep path plus the
/// deltas of its steps, and the searches that follow can be decided step by step.
fn isolated_steps(scratch: &mut Scratch, stretch: &Stretch, table: Table) -> bool {
    let Scratch { ends, steps, .. } = scratch;
    collect_steps(steps, stretch, table);
    ends.clear();
    ends.resize(stretch.chars.len() + 1, false);
    for step in steps.iter() {
        if ends[step.from] {
            return false;
        }
        if let Some(end) = ends.get_mut(step.to) {
            *end = true;
        }
    }
    true
}

/// Is keeping every character provably the only cheapest path? True when the steps stand
/// apart and each one, between its kept neighbours, costs more than what it replaces.
fn keeping_is_cheapest(scratch: &mut Scratch, stretch: &Stretch, table: Table, how: Eagerness<'_>) -> bool {
    isolated_steps(scratch, stretch, table)
        && scratch.steps.iter().all(|&step| {
            let class = step_class(step, stretch, table, how.optimistic);
            delta(stretch, step, class, Some(table)) + step.penalty(table, how.eager) > 0
        })
}

// The bound of `never_gains` counts a repair's word shape as at least zero, and
// `least_change` keeps a set of classes in a `u64`.
const _: () = assert!(MIXED_CASE >= 0 && CLASS_COUNT <= 64);

/// Can no path through the stretch gain anything, whichever one a search picks? A search's
/// gain is the original's badness (`K` plus the stretch's word shape) less the table's prior,
/// the badness of the repair and its penalties (`P`) and the repair's word shape (never
/// negative): at most `shape - prior - (P - K)`. When no run of decoded characters can hold a
/// further layer, a run is repaired as decoded, `P` is the cost of a path through the
/// lattice, and [`least_change`] bounds `P - K` from below over every path that decodes
/// anything (keeping everything gains nothing by definition). `line_penalties`: the
/// penalties of [`Kind::penalty`] with `eager` as the gain of the search counts them.
pub(super) fn never_gains(stretch: &Stretch, table: Table, line_penalties: bool) -> bool {
    if !shortcuts() {
        return false;
    }
    with_scratch(|scratch| {
        collect_steps(&mut scratch.steps, stretch, table);
        if may_peel_further(scratch, stretch.chars.len()) {
            return false;
        }
        least_change(scratch, stretch, table, line_penalties)
            .is_none_or(|change| stretch.shape - table.prior() - change <= 0)
    })
}

/// Could peeling change a run of decoded characters (`scratch.steps`) on some path? Peeling
/// searches the run again; that finds nothing unless the run holds a C1 control (which may
/// stand for a Windows-1252 character) or a character that is a lead byte right before one
/// that is a continuation byte in the same table (the only way a sequence starts).
fn may_peel_further(scratch: &mut Scratch, n: usize) -> bool {
    let Scratch { steps, leads, .. } = scratch;
    leads.clear();
    leads.resize(n + 1, 0);
    for step in steps.iter() {
        if step.kind != Kind::SingleByte && matches!(step.out, '\u{80}'..='\u{9F}') {
            return true;
        }
        let m = masks(step.out);
        // Steps are in order of their start, so every step ending here is already counted.
        if leads[step.from] & m.cont != 0 {
            return true;
        }
        if let Some(slot) = leads.get_mut(step.to) {
            *slot |= m.lead();
        }
    }
    false
}

/// A lower bound on `P - K` over the paths through the lattice that decode something: the
/// cost of the path (as [`super::search`] counts a repair: classes of the decoded characters,
/// penalties, kept characters paying their rarity) less the cost of keeping every character.
/// `None` when nothing can be decoded. A dynamic programme over positions whose state is only
/// whether the last step decoded; the class that step output, which the next pair weight
/// depends on, is relaxed to the cheapest of the classes decoded steps ending there output,
/// so the bound is exact when steps stand apart and never above the truth when they touch.
fn least_change(scratch: &mut Scratch, stretch: &Stretch, table: Table, line_penalties: bool) -> Option<i32> {
    let Scratch { steps, kept, decoded, classes, .. } = scratch;
    let n = stretch.chars.len();
    let script = stretch.script;
    let class = |i: usize| stretch.classes[i];
    let left = |i: usize| if i == 0 { edge(stretch.around.prev) } else { class(i - 1) };
    // What keeping character `i` costs in the all-keep path, its pair with the left one included.
    let keep =
        |i: usize| char_cost(class(i), script) + table.rarity(stretch.chars[i]) + link(left(i), class(i), script);
    let cheapest_link = |from: u64, to: Class| {
        (0..CLASS_COUNT).filter(|&k| from & (1 << k) != 0).map(|k| link(ALL_CLASSES[k], to, script)).min()
    };
    let lower = |a: Option<i32>, b: Option<i32>| match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    kept.clear();
    kept.resize(n + 1, None);
    decoded.clear();
    decoded.resize(n + 1, None);
    classes.clear();
    classes.resize(n + 1, 0);
    let mut next = 0;
    for at in 0..n {
        // Steps end after they start, so what ends here is final.
        let (here, here_classes, kept_here) = (decoded[at], classes[at], kept[at]);
        let after_decoded = |right: Class| Some(here? + cheapest_link(here_classes, right)?);
        // Keeping character `at`: only the pair with its left neighbour can differ.
        kept[at + 1] = lower(kept_here, after_decoded(class(at)).map(|c| c - link(left(at), class(at), script)));
        while let Some(&step) = steps.get(next).filter(|s| s.from == at) {
            next += 1;
            let out = output_class(step, stretch);
            let replaced: i32 = (step.from..step.to).map(keep).sum();
            let own = char_cost(out, script) + step.penalty(table, line_penalties) - replaced;
            // After a kept character (or none decoded yet, a change of zero).
            let after_kept = kept_here.unwrap_or(0).min(0) + link(left(at), out, script);
            let change = lower(Some(after_kept), after_decoded(out)).map(|c| c + own);
            let Some(slot) = decoded.get_mut(step.to) else {
                continue;
            };
            *slot = lower(*slot, change);
            classes[step.to] |= 1 << (out as usize);
        }
    }
    let end = edge(stretch.around.next);
    let last_kept = n.checked_sub(1).map_or(edge(stretch.around.prev), class);
    let ending = decoded[n].zip(cheapest_link(classes[n], end)).map(|(c, l)| c + l - link(last_kept, end, script));
    lower(kept[n], ending)
}

/// What reading `step` as `class` instead of keeping its characters adds to the badness of a
/// path whose neighbours of the step are kept; with the kept characters' rarity in `rarity`.
fn delta(stretch: &Stretch, step: Step, class: Class, rarity: Option<Table>) -> i32 {
    let classes = &stretch.classes;
    let before = match step.from.checked_sub(1) {
        Some(i) => classes[i],
        None => edge(stretch.around.prev),
    };
    let after = classes.get(step.to).copied().unwrap_or_else(|| edge(stretch.around.next));
    let mut kept = link(before, classes[step.from], stretch.script);
    for i in step.from..step.to {
        let next = classes.get(i + 1).filter(|_| i + 1 < step.to).copied().unwrap_or(after);
        let rare = rarity.map_or(0, |t| t.rarity(stretch.chars[i]));
        kept += char_cost(classes[i], stretch.script) + rare + link(classes[i], next, stretch.script);
    }
    let read =
        char_cost(class, stretch.script) + link(before, class, stretch.script) + link(class, after, stretch.script);
    read - kept
}

/// Could `c` be part of a further layer of mangling (a character of some table's upper half)?
pub(super) fn may_be_mangled(c: char) -> bool {
    let m = masks(c);
    !c.is_ascii() && (m.lead() | m.cont) != 0
}

/// Classes of decoded characters that are judged only after peeling: symbols and controls
/// that a further layer of mangling would have produced.
fn pending(class: Class) -> bool {
    use Class::*;
    matches!(
        class,
        C1 | Symbol
            | Mark
            | Currency
            | Quote
            | CloseQuote
            | LowQuote
            | Punct
            | Guillemet
            | Inverted
            | Math
            | Box
            | BoxShade
            | Nbsp
    )
}
