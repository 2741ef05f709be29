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
use super::classes::{Class, class_of};
use super::lattice::{Reading, readings};
use super::stretch::{Stretch, single_byte};
use super::tables::{Table, masks};
use super::weights::{PENALTIES, char_cost, link};

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

/// How eagerly a search reads sequences.
#[derive(Debug, Clone, Copy)]
pub(super) struct Eagerness {
    /// Sequences earn a bonus instead of paying a penalty.
    pub eager: bool,
    /// Every decoded character that could itself be mangled is judged only after peeling.
    pub optimistic: bool,
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
    options: Vec<Reading>,
    /// For the local tests: the steps other than keeping, and positions where one ends.
    steps: Vec<Step>,
    ends: Vec<bool>,
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
fn shortcuts() -> bool {
    #[cfg(test)]
    if SHORTCUTS_OFF.get() {
        return false;
    }
    true
}

/// The steps of the cheapest path through the lattice of `stretch` in `table`; empty when
/// keeping every character is cheapest.
pub(super) fn cheapest_path(stretch: &Stretch, table: Table, how: Eagerness) -> Vec<Step> {
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
fn search(scratch: &mut Scratch, stretch: &Stretch, table: Table, how: Eagerness) -> Vec<Step> {
    let n = stretch.chars.len();
    let Scratch { nodes, arena, options, .. } = scratch;
    arena.clear();
    if nodes.len() < n + 1 {
        nodes.resize_with(n + 1, Vec::new);
    }
    nodes.iter_mut().take(n + 1).for_each(Vec::clear);
    nodes[0].push(Node { class: edge(stretch.around.prev), cost: 0, step: None });
    let mut here: Vec<Node> = Vec::new();
    for at in 0..n {
        let c = stretch.chars[at];
        options.clear();
        readings(options, &stretch.chars, at, table);
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
            for r in options.iter() {
                let kind = Kind::Utf8 { wildcards: r.wildcards, nbsp: r.nbsp, cesu: r.cesu };
                graph.relax(node, Step { from: at, to: r.end, out: r.decoded, kind }, 0);
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
    how: Eagerness,
}

impl Graph<'_> {
    /// Offers `node` extended by `step` to the node list at the step's end.
    fn relax(&mut self, node: &Node, step: Step, extra: i32) {
        let class = step_class(step, self.table, self.how.optimistic);
        let cost = node.cost
            + char_cost(class, self.stretch.script)
            + link(node.class, class, self.stretch.script)
            + step.kind.penalty(self.how.eager)
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
fn step_class(step: Step, table: Table, optimistic: bool) -> Class {
    let decoded = step.kind != Kind::Keep;
    match class_of(step.out) {
        c if decoded && pending(c) && table.encode(step.out).is_some() => Class::Pending,
        _ if decoded && optimistic && may_be_mangled(step.out) => Class::Pending,
        c => c,
    }
}

/// Fills `scratch.steps` with every step other than keeping that the lattice offers (a
/// sequence, or a C1 control read as Windows-1252), and says whether they stand apart: no step
/// starts where another ends. Then every path costs the all-keep path plus the deltas of its
/// steps, and the searches that follow can be decided step by step.
fn isolated_steps(scratch: &mut Scratch, stretch: &Stretch, table: Table) -> bool {
    let n = stretch.chars.len();
    let Scratch { options, ends, steps, .. } = scratch;
    steps.clear();
    ends.clear();
    ends.resize(n + 1, false);
    for at in 0..n {
        let c = stretch.chars[at];
        options.clear();
        readings(options, &stretch.chars, at, table);
        let single = table.is_western().then(|| single_byte(c)).flatten();
        if options.is_empty() && single.is_none() {
            continue;
        }
        if ends[at] {
            return false;
        }
        for r in options.iter() {
            let kind = Kind::Utf8 { wildcards: r.wildcards, nbsp: r.nbsp, cesu: r.cesu };
            steps.push(Step { from: at, to: r.end, out: r.decoded, kind });
        }
        steps.extend(single.map(|out| Step { from: at, to: at + 1, out, kind: Kind::SingleByte }));
        for step in steps.iter().filter(|s| s.from == at) {
            if let Some(end) = ends.get_mut(step.to) {
                *end = true;
            }
        }
    }
    true
}

/// Is keeping every character provably the only cheapest path? True when the steps stand
/// apart and each one, between its kept neighbours, costs more than what it replaces.
fn keeping_is_cheapest(scratch: &mut Scratch, stretch: &Stretch, table: Table, how: Eagerness) -> bool {
    isolated_steps(scratch, stretch, table)
        && scratch.steps.iter().all(|&step| {
            let class = step_class(step, table, how.optimistic);
            delta(stretch, step, class, Some(table)) + step.kind.penalty(how.eager) > 0
        })
}

/// Can no path through the stretch gain anything, whichever one a search picks? When the
/// steps stand apart, each run of a path is one step, which decodes to one character that no
/// further layer can change (unless it is a C1 control); the gain of a path is then the
/// stretch's rarity and word-shape badness, less the table's prior, less the real deltas of
/// its steps with their penalties, less the new word-shape badness (never negative). If even
/// taking every step that lowers the cost leaves that at or below zero, no reading of the
/// stretch in `table` is worth anything. `line_penalties`: the penalties of [`Kind::penalty`]
/// with `eager` as the gain of the search counts them.
pub(super) fn never_gains(stretch: &Stretch, table: Table, line_penalties: bool) -> bool {
    with_scratch(|scratch| {
        if !shortcuts() || !isolated_steps(scratch, stretch, table) {
            return false;
        }
        let rarity: i32 = stretch.chars.iter().map(|&c| table.rarity(c)).sum();
        let mut bound = rarity + stretch.shape - table.prior();
        for &step in &scratch.steps {
            if step.kind != Kind::SingleByte && matches!(step.out, '\u{80}'..='\u{9F}') {
                return false;
            }
            let change = delta(stretch, step, class_of(step.out), None) + step.kind.penalty(line_penalties);
            bound -= change.min(0);
        }
        bound <= 0
    })
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
