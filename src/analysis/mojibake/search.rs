//! The search: stretches of a line, the cheapest reading of each stretch in each table, the
//! line's hypothesis, and the peeling of further layers.

use std::ops::Range;

use super::classes::{Class, Script, class_of, script_of};
use super::compose::compose;
use super::lattice::{Lost, lost_candidates};
use super::pairs::{Pairing, pairings};
use super::path::{Eagerness, Kind, Step, cheapest_path, decoded_class, edge, never_gains, output_class};
use super::stretch::{Stretch, next_non_ascii, single_byte, stretches, suspicious};
use super::tables::Table;
use super::weights::{
    AGREEING_BONUS, MARGIN, MARGIN_AGREEING, MIN_IMPROVEMENT, PENALTIES, STRONG_LINE, char_cost, link, shape_cost,
};
use super::{Legacy, Mangled, Origin};

/// Layers of mangling undone at most; more than three is vanishingly rare.
pub(super) const MAX_LAYERS: u8 = 3;

/// How deep a search is: the layers peeled so far, and the line hypotheses of the layers
/// under the outer one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Depth {
    /// 1 for the outer layer, 2 inside its repair, and so on.
    pub layer: u8,
    /// Per layer (index: layer - 1), the hypothesis found on the whole line's text at that
    /// layer: a run peeled alone has too little text to choose between tables that read it
    /// alike (Windows-1250 and ISO-8859-2), while its line usually holds a word that decides.
    hints: [Option<Table>; MAX_LAYERS as usize],
}

impl Default for Depth {
    fn default() -> Depth {
        Depth { layer: 1, hints: [None; MAX_LAYERS as usize] }
    }
}

impl Depth {
    fn hint(self) -> Option<Table> {
        self.hints.get(usize::from(self.layer).wrapping_sub(1)).copied().flatten()
    }

    fn deeper(self) -> Depth {
        Depth { layer: self.layer + 1, ..self }
    }
}

/// The characters just outside the searched text (`None` at the edge of the text).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Around {
    pub prev: Option<char>,
    pub next: Option<char>,
}

/// Every mangled run of `text`, one line at a time. ASCII lines are skipped in blocks, without
/// looking for their ends.
pub(super) fn find_all(text: &str, around: Around, depth: Depth) -> Vec<Mangled> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = next_non_ascii(bytes, from) {
        let start = bytes.get(from..at).and_then(|b| memchr::memrchr(b'\n', b)).map_or(from, |i| from + i + 1);
        let end = bytes.get(at..).and_then(|b| memchr::memchr(b'\n', b)).map_or(text.len(), |i| at + i + 1);
        let prev = if start == 0 { around.prev } else { None };
        let next = if end == text.len() { around.next } else { None };
        let line = text.get(start..end).unwrap_or_default();
        out.extend(find_layers(line, Around { prev, next }, depth).into_iter().map(|mut m| {
            m.range = m.range.start + start..m.range.end + start;
            m
        }));
        from = end;
    }
    out
}

/// Passes over a repaired line at most; each pass that finds anything shortens the line's
/// non-ASCII text, so this bound is only met by pathological input.
const MAX_PASSES: usize = 4;

/// The runs of one line, searched again on the repaired line until nothing more is found:
/// repairs change the neighbours of the characters they leave (and the line's hypothesis), so
/// a second look can find what the first could not, and `repair` must be idempotent. The
/// runs of every pass are composed into runs over the original line.
fn find_layers(line: &str, around: Around, depth: Depth) -> Vec<Mangled> {
    let mut runs = find_layers_once(line, around, depth, &[]);
    if depth.layer > 1 {
        return runs;
    }
    for _ in 0..MAX_PASSES {
        if runs.is_empty() {
            break;
        }
        // A U+FFFD that a repair put there is a lost character, no longer a lost byte.
        let again = find_layers_once(&super::apply(line, &runs), around, depth, &repaired_ranges(&runs));
        if again.is_empty() {
            break;
        }
        runs = compose(line, runs, again);
    }
    runs
}

/// The runs of one line, with the layers that only a search of the repaired line reveals:
/// a pass over the whole repaired line has a line hypothesis that a single run lacks.
/// `repaired`: where earlier passes' repairs sit in `line`.
fn find_layers_once(line: &str, around: Around, depth: Depth, repaired: &[Range<usize>]) -> Vec<Mangled> {
    let layer = depth.layer;
    let mut found = Vec::new();
    // Inside the repair of an outer layer, everything was already found mangled once.
    let everything = [EVERYTHING];
    let inner: &[Range<usize>] = if layer > 1 { &everything } else { &[] };
    let outer = Outer { nested: inner, decoded: if layer > 1 { &everything } else { repaired } };
    find_in_line(&mut found, line, 0..line.len(), around, depth, outer);
    if layer == 1 && found.iter().any(|f| f.mangled.layers > 1) {
        let hinted = Depth { hints: line_hints(line, around, &found), ..depth };
        if hinted != depth {
            found.clear();
            find_in_line(&mut found, line, 0..line.len(), around, hinted, outer);
        }
    }
    let mut runs: Vec<Mangled> = found.into_iter().map(|f| f.mangled).collect();
    for _ in layer..MAX_LAYERS {
        if runs.is_empty() || layer > 1 {
            break;
        }
        let repaired = super::apply(line, &runs);
        let mut again = Vec::new();
        let repairs = repaired_ranges(&runs);
        let outer = Outer { nested: &repairs, decoded: &repairs };
        find_in_line(&mut again, &repaired, 0..repaired.len(), around, depth.deeper(), outer);
        if again.is_empty() {
            break;
        }
        runs = compose(line, runs, again.into_iter().map(|f| f.mangled).collect());
    }
    runs
}

/// The range that covers any text: inside the repair of an outer layer, everything was already
/// found mangled once.
const EVERYTHING: Range<usize> = 0..usize::MAX;

/// The hypotheses of the layers under the outer one, each found on the whole line at that
/// layer (the outer runs' decodings in place, not peeled further), as the outer layer's is.
fn line_hints(line: &str, around: Around, outer: &[Found]) -> [Option<Table>; MAX_LAYERS as usize] {
    let mut depth = Depth::default();
    let mut text = decoded_line(line, outer);
    for layer in 2..=MAX_LAYERS {
        depth.layer = layer;
        let mut found = Vec::new();
        let everything = [EVERYTHING];
        let outer = Outer { nested: &everything, decoded: &everything };
        let winner = find_in_line(&mut found, &text, 0..text.len(), around, depth, outer);
        depth.hints[usize::from(layer - 1)] = winner;
        if found.is_empty() {
            break;
        }
        text = decoded_line(&text, &found);
    }
    depth.hints
}

/// `text` with each run replaced by the decoding of its outer layer only.
fn decoded_line(text: &str, runs: &[Found]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for f in runs {
        out.push_str(text.get(last..f.mangled.range.start).unwrap_or_default());
        out.push_str(f.decoded.as_deref().unwrap_or(&f.mangled.repaired));
        last = f.mangled.range.end;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// Where the repairs of `runs` sit in the repaired text.
fn repaired_ranges(runs: &[Mangled]) -> Vec<Range<usize>> {
    let mut shift: isize = 0;
    runs.iter()
        .map(|r| {
            let start = r.range.start.saturating_add_signed(shift);
            shift += r.repaired.len() as isize - r.range.len() as isize;
            start..start + r.repaired.len()
        })
        .collect()
}

/// The ASCII letters of the word a stretch sits in, on either side of it, summarised for the case
/// pattern: `IRMÃ»` read as `IRMû` is a broken capitalisation only when `IR` is seen too.
struct Word {
    before: Letters,
    after: Letters,
    /// The paired marks of the line around the stretch.
    pairing: Pairing,
    /// Indices of the stretch's U+FFFD characters that are no lost byte (see [`Outer`]).
    not_wild: Vec<usize>,
}

impl Word {
    /// How far the word is followed from a stretch (a bound on the work per stretch).
    const REACH: usize = 64;

    fn around(text: &str, stretch: &Stretch, pairing: Pairing, decoded: &[Range<usize>]) -> Word {
        // Most searches follow no repair: nothing to look for.
        let not_wild = if decoded.is_empty() {
            Vec::new()
        } else {
            (stretch.chars.iter().zip(&stretch.offsets).enumerate())
                .filter(|&(_, (&c, &at))| c == '\u{FFFD}' && decoded.iter().any(|r| r.contains(&at)))
                .map(|(i, _)| i)
                .collect()
        };
        let start = stretch.offsets.first().copied().unwrap_or(0);
        let end = stretch.offsets.last().copied().unwrap_or(0);
        let before = text.get(..start).unwrap_or_default().as_bytes();
        let after = text.get(end..).unwrap_or_default().as_bytes();
        // Only ASCII letters: a neighbouring stretch may itself be mangled capitals (`ĂŠtĂŠ`).
        let letters_before = before.iter().rev().take(Word::REACH).take_while(|b| b.is_ascii_alphabetic()).count();
        let before = &before[before.len() - letters_before..];
        let after = after.iter().take(Word::REACH).take_while(|b| b.is_ascii_alphabetic());
        Word { before: Letters::summary(before.iter()), after: Letters::summary(after), pairing, not_wild }
    }

    /// Badness of the case patterns of the words `chars` touch, this word's letters included,
    /// and of the pairs of marks `chars` leave open.
    fn shape(&self, chars: impl Iterator<Item = char> + Clone) -> i32 {
        shape_cost(self.before.chars().chain(chars.clone()).chain(self.after.chars())) + self.pairing.cost(chars)
    }
}

/// At most three ASCII letters with the case pattern of a run of letters (the first letter, then
/// whether a lowercase and an uppercase letter follow), which is all the word shape looks at.
#[derive(Debug, Clone, Copy, Default)]
struct Letters {
    chars: [char; 3],
    len: usize,
}

impl Letters {
    fn summary<'a>(mut letters: impl Iterator<Item = &'a u8>) -> Letters {
        let Some(first) = letters.next() else {
            return Letters::default();
        };
        let (mut lower, mut upper) = (false, false);
        for b in letters {
            lower |= b.is_ascii_lowercase();
            upper |= b.is_ascii_uppercase();
        }
        let mut out = Letters { chars: [if first.is_ascii_uppercase() { 'A' } else { 'a' }, 'a', 'A'], len: 1 };
        match (lower, upper) {
            (true, true) => out.len = 3,
            (true, false) => out.len = 2,
            (false, true) => {
                out.chars[1] = 'A';
                out.len = 2;
            }
            (false, false) => {}
        }
        out
    }

    fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.chars.iter().copied().take(self.len)
    }
}

/// The cheapest reading of a stretch in one table.
struct Candidate {
    /// Index of the stretch in its line.
    stretch: usize,
    table: Table,
    mode: Mode,
    gain: i32,
    /// The penalties a stretch known to be mangled forgives (see [`forgivable`]).
    forgivable: i32,
    runs: Vec<Found>,
}

/// A run with what the guess needs (the characters a lost byte could have been) and what the
/// line hypotheses of inner layers need (the decoding of the outer layer alone).
struct Found {
    mangled: Mangled,
    lost: Lost,
    /// The outer layer's decoding, when inner layers were peeled from it.
    decoded: Option<String>,
}

/// What earlier layers and passes left in a text: ranges of `text` that they produced.
#[derive(Debug, Clone, Copy)]
struct Outer<'a> {
    /// Repairs of an outer layer: a stretch that touches one needs only a small margin.
    nested: &'a [Range<usize>],
    /// Repairs of an outer layer or an earlier pass: a U+FFFD there is a character that a
    /// lost byte cost, not itself a lost byte (`Ñ�Ñ€` is `�р`, whose `р�` is no KOI8-R
    /// sequence).
    decoded: &'a [Range<usize>],
}

/// Finds the runs of `text[line]` and returns the line's hypothesis; `depth` counts the layers
/// peeled so far.
fn find_in_line(
    acc: &mut Vec<Found>,
    text: &str,
    line: Range<usize>,
    around: Around,
    depth: Depth,
    outer: Outer,
) -> Option<Table> {
    let inner = outer.nested;
    let mut stretches = stretches(text, line.clone(), around);
    if stretches.is_empty() {
        return None;
    }
    let script = dominant_script(text.get(line.clone()).unwrap_or_default());
    for s in &mut stretches {
        s.script = script;
    }
    let pairings = pairings(text, line.clone(), &stretches);
    let words: Vec<Word> =
        stretches.iter().zip(pairings).map(|(s, p)| Word::around(text, s, p, outer.decoded)).collect();
    for (s, word) in stretches.iter_mut().zip(&words) {
        for &i in &word.not_wild {
            if let Some(class) = s.classes.get_mut(i) {
                *class = Class::Lost;
            }
        }
    }
    for (s, word) in stretches.iter_mut().zip(&words) {
        s.shape = word.shape(s.chars.iter().copied());
    }
    let mut candidates: Vec<Vec<Candidate>> =
        stretches.iter().zip(&words).map(|(s, word)| candidates(s, word, depth)).collect();
    // The hint of an inner layer applies only where some reading gains something: a text where
    // none does was proven so before its stretches were built (see `bound`).
    let hinted = depth.hint().filter(|_| candidates.iter().any(|c| !c.is_empty()));
    let hypothesis = hinted.or_else(|| line_winner(&candidates));
    if let Some(winner) = hypothesis {
        for ((s, word), options) in stretches.iter().zip(&words).zip(&mut candidates) {
            follow_hypothesis(s, word, options, winner, depth);
        }
    }
    let mut found: Vec<Found> = Vec::new();
    for options in candidates {
        let nested = stretch_touches(&stretches, &options, inner);
        if let Some(best) = choose(options, hypothesis, nested) {
            found.extend(best.runs);
        }
    }
    add_guesses(&mut found, text, line.start);
    acc.extend(found);
    hypothesis
}

/// The line's hypothesis: the table with the largest total gain over the line's stretches,
/// if the stretches that are mojibake on their own merits give it enough gain. Weak gains
/// choose between tables (Windows-1250 or ISO-8859-2) but never vouch for each other.
fn line_winner(candidates: &[Vec<Candidate>]) -> Option<Table> {
    let mut totals = [(0, 0); super::tables::TABLE_COUNT];
    for c in candidates.iter().flatten() {
        let total = &mut totals[usize::from(c.table.0)];
        // The table's prior is a belief about the line: paid once, not once per stretch.
        total.0 += c.gain + c.table.prior();
        if c.gain >= MARGIN {
            total.1 += c.gain;
        }
    }
    let line_gain = |i: usize, total: i32| total - Table(i as u8).prior();
    let (best, &(_, strong)) =
        totals.iter().enumerate().max_by_key(|&(i, t)| (line_gain(i, t.0), std::cmp::Reverse(i)))?;
    (strong >= STRONG_LINE).then_some(Table(u8::try_from(best).ok()?))
}

/// Reads a stretch eagerly in the line's winning table when it has no strong reading of its
/// own there: a lone short sequence among mangled words.
fn follow_hypothesis(stretch: &Stretch, word: &Word, options: &mut Vec<Candidate>, winner: Table, depth: Depth) {
    if stretch.tables & (1 << winner.0) == 0 {
        return;
    }
    let at = options.iter().position(|c| c.table == winner);
    if at.is_some_and(|i| options[i].mode == Mode::Line) {
        return;
    }
    if never_gains(stretch, winner, true) {
        return;
    }
    let Some(eager) = evaluate(stretch, word, winner, depth, Mode::Line).filter(|c| c.gain > 0) else {
        return;
    };
    match at {
        Some(i) if options[i].gain >= MARGIN || options[i].gain >= eager.gain => {}
        Some(i) => options[i] = eager,
        None => options.push(eager),
    }
}

/// The script most letters of the line outside the stretches are written in, when one
/// clearly dominates: a letter of another script in a stretch is then suspicious.
pub(super) fn dominant_script(line: &str) -> Option<Script> {
    let mut counts = [0_u32; 4];
    let mut next = suspicious(line).peekable();
    for (at, c) in line.char_indices() {
        while next.peek().is_some_and(|s| s.end <= at) {
            next.next();
        }
        if next.peek().is_some_and(|s| s.start <= at) {
            continue;
        }
        if let Some(script) = script_of(class_of(c)) {
            counts[script as usize] += 1;
        }
    }
    dominant(counts)
}

/// The script that holds at least nine in ten of the letters counted per [`Script`], if there
/// are at least three of them.
pub(super) fn dominant(counts: [u32; 4]) -> Option<Script> {
    let total: u32 = counts.iter().sum();
    let (best, &count) = counts.iter().enumerate().max_by_key(|&(_, n)| *n)?;
    (count >= 3 && count * 10 >= total * 9)
        .then(|| [Script::Latin, Script::Greek, Script::Cyrillic, Script::Other][best])
}

/// The reading of a stretch to keep: the best gain, helped when it agrees with the line's
/// hypothesis, which also lowers the margin it needs.
fn choose(options: Vec<Candidate>, hypothesis: Option<Table>, nested: bool) -> Option<Candidate> {
    let agrees = |c: &Candidate| hypothesis == Some(c.table);
    let margin = |c: &Candidate| if agrees(c) || nested { MARGIN_AGREEING } else { MARGIN };
    let score = |c: &Candidate| c.gain + if agrees(c) { AGREEING_BONUS } else { 0 };
    let best = options.iter().enumerate().max_by_key(|(i, c)| (score(c), std::cmp::Reverse(*i)))?.0;
    let chosen = options.into_iter().nth(best)?;
    (chosen.gain >= margin(&chosen)).then_some(chosen)
}

/// Does the stretch these options read touch a repair of an outer layer?
fn stretch_touches(stretches: &[Stretch], options: &[Candidate], inner: &[Range<usize>]) -> bool {
    let Some(index) = options.first().map(|c| c.stretch) else {
        return false;
    };
    let Some(s) = stretches.get(index) else {
        return false;
    };
    let (start, end) = (s.offsets.first().copied().unwrap_or(0), s.offsets.last().copied().unwrap_or(0));
    inner.iter().any(|r| r.start < end && start < r.end)
}

/// The readings of a stretch with a positive gain, one per table. A table whose reading is
/// strong on its own reads the stretch again eagerly: once a stretch is known to be mangled
/// in a table, its other sequences most likely are too.
fn candidates(stretch: &Stretch, word: &Word, depth: Depth) -> Vec<Candidate> {
    Table::all()
        .filter(|t| stretch.tables & (1 << t.0) != 0)
        .filter_map(|t| best_reading(stretch, word, t, depth))
        .filter(|c| c.gain > 0)
        .collect()
}

/// The best of the normal, eager and optimistic readings of a stretch in one table.
fn best_reading(stretch: &Stretch, word: &Word, table: Table, depth: Depth) -> Option<Candidate> {
    // Decided once for the modes below, which all count penalties as a normal search does.
    if never_gains(stretch, table, false) {
        return None;
    }
    let normal = evaluate(stretch, word, table, depth, Mode::Normal);
    let optimistic =
        (depth.layer < MAX_LAYERS).then(|| evaluate(stretch, word, table, depth, Mode::Optimistic)).flatten();
    let best = match (normal, optimistic) {
        (Some(n), Some(o)) if o.gain > n.gain => o,
        (Some(n), _) => n,
        (None, o) => o?,
    };
    if best.gain < MARGIN || best.mode == Mode::Optimistic {
        return Some(best);
    }
    // The eager reading decodes more sequences; it wins when the text it leaves is no worse
    // once the penalties a mangled stretch forgives are forgiven.
    match evaluate(stretch, word, table, depth, Mode::Stretch) {
        Some(eager) if eager.gain > 0 && eager.gain + eager.forgivable - best.forgivable >= best.gain => Some(eager),
        _ => Some(best),
    }
}

/// How a stretch is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every decoded sequence must pay for itself.
    Normal,
    /// As eager as [`Mode::Stretch`], and every decoded character that could itself be
    /// mangled is judged only after peeling: finds the outer layer of double mangling when
    /// the middle layer looks bad (`Î“Ã‡Ã–` → `ΓÇÖ` → `’`).
    Optimistic,
    /// The stretch is known to be mangled in the table: sequences earn a bonus in the search.
    Stretch,
    /// The line is known to be mangled in the table: sequences earn a bonus in the gain too.
    Line,
}

/// Badness of the original characters of a stretch, read as text of `table`'s languages.
fn original_cost(stretch: &Stretch, table: Table) -> i32 {
    let mut cost = 0;
    let mut prev = edge(stretch.around.prev);
    for (&c, &class) in stretch.chars.iter().zip(&stretch.classes) {
        cost += char_cost(class, stretch.script) + link(prev, class, stretch.script) + table.rarity(c);
        prev = class;
    }
    cost + link(prev, edge(stretch.around.next), stretch.script) + stretch.shape
}

/// The cheapest path through the lattice of `stretch` in `table`, with its runs peeled and
/// its gain over the original. Callers first ask [`never_gains`] (once for all modes).
fn evaluate(stretch: &Stretch, word: &Word, table: Table, depth: Depth, mode: Mode) -> Option<Candidate> {
    let eager = mode != Mode::Normal;
    let how = Eagerness { eager, optimistic: mode == Mode::Optimistic, not_wild: &word.not_wild };
    let path = cheapest_path(stretch, table, how);
    if path.is_empty() {
        return None;
    }
    let mut output = String::new();
    let mut runs: Vec<Found> = Vec::new();
    let mut penalties = table.prior();
    let mut cost = table.prior();
    let mut prev = edge(stretch.around.prev);
    let mut i = 0;
    while let Some(step) = path.get(i) {
        if step.kind == Kind::Keep {
            // A kept character pays what it paid in the original (rarity included), so keeping
            // it is never a gain in itself.
            let class = output_class(*step, stretch);
            cost += char_cost(class, stretch.script) + link(prev, class, stretch.script) + table.rarity(step.out);
            prev = class;
            output.push(step.out);
            i += 1;
            continue;
        }
        let origin = step.kind.origin();
        let run_end = path[i..]
            .iter()
            .position(|s| s.kind == Kind::Keep || s.kind.origin() != origin)
            .map_or(path.len(), |n| i + n);
        let steps = &path[i..run_end];
        let next = path.get(run_end).map(|s| s.out).or(stretch.around.next);
        let prev_char = i.checked_sub(1).and_then(|p| path.get(p)).map(|s| s.out).or(stretch.around.prev);
        let found = peel(stretch, table, steps, Around { prev: prev_char, next }, depth);
        for c in found.mangled.repaired.chars() {
            let class = decoded_class(c);
            cost += char_cost(class, stretch.script) + link(prev, class, stretch.script);
            prev = class;
        }
        output.push_str(&found.mangled.repaired);
        let paid = steps.iter().map(|s| s.penalty(table, mode == Mode::Line)).sum::<i32>()
            + PENALTIES.layer * i32::from(found.mangled.layers - 1);
        cost += paid;
        penalties += paid;
        runs.push(found);
        i = run_end;
    }
    cost += link(prev, edge(stretch.around.next), stretch.script) + word.shape(output.chars());
    let original = original_cost(stretch, table);
    let badness_left = cost - penalties;
    if badness_left * 100 > original * (100 - MIN_IMPROVEMENT) {
        return None;
    }
    let gain = original - cost;
    Some(Candidate { stretch: stretch.index, table, mode, gain, forgivable: forgivable(&path), runs })
}

/// The penalties of a path that a stretch known to be mangled in its table forgives: once some
/// of it is mangled, its other sequences (a lost byte too) most likely are. A no-break space
/// restored at the end of a word still pays: a one-letter word before a space (`с первого` in
/// KOI8-R) reads as a letter and a no-break space, one inside a mangled word (`Î Î­` for `Πέ`,
/// glued to the next sequence) does not.
fn forgivable(path: &[Step]) -> i32 {
    let mut out = 0;
    for (i, step) in path.iter().enumerate() {
        let glued = path.get(i + 1).is_some_and(|next| next.kind != Kind::Keep);
        out += match step.kind {
            Kind::Keep => 0,
            Kind::Utf8 { nbsp, .. } if !glued => step.kind.penalty(false) - PENALTIES.nbsp * i32::from(nbsp),
            kind => kind.penalty(false),
        };
    }
    out
}

/// Repairs one run of decoded steps, then undoes further layers inside the repair.
fn peel(stretch: &Stretch, table: Table, steps: &[Step], around: Around, depth: Depth) -> Found {
    let first = steps.first().map_or(0, |s| s.from);
    let last = steps.last().map_or(0, |s| s.to);
    let range = stretch.offsets[first]..stretch.offsets[last];
    let decoded: String = steps.iter().map(|s| s.out).collect();
    let lost = match steps {
        [only] if matches!(only.kind, Kind::Utf8 { wildcards: 1, .. }) => {
            lost_candidates(&stretch.chars, only.from, only.to, table)
        }
        _ => Lost::default(),
    };
    let latin1 = table.is_western()
        && steps.iter().any(|s| {
            s.kind != Kind::SingleByte && stretch.chars[s.from..s.to].iter().any(|&c| single_byte(c).is_some())
        });
    let encoding = if latin1 || steps.iter().all(|s| s.kind == Kind::SingleByte) && table.is_western() {
        Legacy::Latin1
    } else {
        table.legacy()
    };
    let origin = steps.first().map_or(Origin::Utf8, |s| s.kind.origin());
    let inner = if depth.layer < MAX_LAYERS && origin != Origin::Windows1252 {
        find_all(&decoded, around, depth.deeper())
    } else {
        Vec::new()
    };
    let layers = 1 + inner.iter().map(|m| m.layers).max().unwrap_or(0);
    let (repaired, decoded, lost) = if inner.is_empty() {
        (decoded, None, lost)
    } else {
        (super::apply(&decoded, &inner), Some(decoded), Lost::default())
    };
    Found { mangled: Mangled { range, repaired, encoding, layers, origin, guess: None }, lost, decoded }
}

/// Offers a second repair where one lost byte is restored from context: the only character it
/// could have been, or the one its surroundings call for (see [`restore`]).
fn add_guesses(found: &mut [Found], text: &str, line_start: usize) {
    let mut quotes = Quotes::default();
    let mut last = line_start;
    for f in found.iter_mut() {
        let range = f.mangled.range.clone();
        quotes.read(text.get(last..range.start).unwrap_or_default());
        last = range.end;
        let around = Around {
            prev: text.get(..range.start).and_then(|s| s.chars().next_back()),
            next: text.get(range.end..).and_then(|s| s.chars().next()),
        };
        if let Some(c) = restore(&f.lost, &quotes, around) {
            f.mangled.guess = Some(f.mangled.repaired.replacen('\u{FFFD}', c.encode_utf8(&mut [0; 4]), 1));
        }
        quotes.read(f.mangled.guess.as_deref().unwrap_or(&f.mangled.repaired));
    }
}

/// The character a lost byte most likely was. The table's undefined bytes come first: when
/// only one of them completes the sequence, that is the answer. Otherwise the context decides
/// among every completion, in this order: a closing quote after an opening one still open on
/// the line (`“…”`, `‘…’`), an en dash between digits (`1990–2000`), a dash between spaces.
fn restore(lost: &Lost, quotes: &Quotes, around: Around) -> Option<char> {
    if let [only] = lost.likely.as_slice() {
        return Some(*only);
    }
    let is = |c: Option<char>, test: fn(char) -> bool| c.is_some_and(test);
    let digits = is(around.prev, |c| c.is_ascii_digit()) && is(around.next, |c| c.is_ascii_digit());
    let spaces = is(around.prev, |c| c == ' ') && is(around.next, |c| c == ' ');
    let wanted = [(quotes.double > 0, '”'), (quotes.single, '’'), (digits, '–'), (spaces, '—')];
    wanted.into_iter().find(|&(context, c)| context && lost.possible.contains(&c)).map(|(_, c)| c)
}

/// The curly quotes still open on a line, read left to right.
#[derive(Debug, Default)]
struct Quotes {
    /// Opening double quotes not yet closed.
    double: i32,
    /// An opening single quote since the last closing one (a `’` inside a word is an
    /// apostrophe and closes nothing).
    single: bool,
}

impl Quotes {
    fn read(&mut self, s: &str) {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '“' => self.double += 1,
                '”' => self.double -= 1,
                '‘' => self.single = true,
                '’' if !chars.peek().is_some_and(|n| n.is_alphabetic()) => self.single = false,
                _ => {}
            }
        }
    }
}
