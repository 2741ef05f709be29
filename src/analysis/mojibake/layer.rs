//! One layer of mojibake search, and the peeling of further layers inside each repair.

use std::collections::HashMap;
use std::ops::Range;

use super::chars::{is_c1, script};
use super::evidence::{self, Around, Verdict};
use super::scan::{Run, grow_run, next_non_ascii};
use super::tables::{self, TABLES, Table, latin1_only};
use super::{Legacy, Mangled};

/// Layers of mangling undone at most; more than two is already vanishingly rare.
const MAX_LAYERS: u8 = 3;

/// A run found in one layer, with what the association step needs to know about it.
struct Hit {
    found: Mangled,
    table: Table,
    verdict: Verdict,
}

/// Every mangled run of `text` (repairs fully peeled); `outside` holds the characters
/// around `text` when it is itself the repair of an outer layer, and `vouched` says that
/// this outer run was strong evidence, which then vouches for deferred runs inside it.
pub(super) fn find_layer(text: &str, outside: Around, layer: u8, vouched: bool) -> Vec<Mangled> {
    let hits = scan_layer(text, outside, layer, Table::Windows1250);
    if latin2_vote(text, &hits) > 0 {
        let hits = scan_layer(text, outside, layer, Table::Iso8859_2);
        return associate(text, hits, vouched);
    }
    associate(text, hits, vouched)
}

/// Windows-1250 and ISO-8859-2 often both read a run validly (`ĂŠ` is `Ê` in one, `é` in
/// the other). The mangled characters only one of them has (`™` vs. most C1 controls) tell
/// which one the text went through: positive means ISO-8859-2.
fn latin2_vote(text: &str, hits: &[Hit]) -> isize {
    let mut vote = 0;
    for hit in hits.iter().filter(|h| matches!(h.table, Table::Windows1250 | Table::Iso8859_2)) {
        for c in text.get(hit.found.range.clone()).unwrap_or_default().chars() {
            match (Table::Windows1250.encode(c), Table::Iso8859_2.encode(c)) {
                (None, Some(_)) => vote += 1,
                (Some(_), None) => vote -= 1,
                _ => {}
            }
        }
    }
    vote
}

fn scan_layer(text: &str, outside: Around, layer: u8, prefer: Table) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut pos = 0;
    while let Some(at) = next_non_ascii(text.as_bytes(), pos) {
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        pos = at + c.len_utf8();
        if let Some(hit) = best_at(text, at, c, outside, layer, prefer) {
            if matches!(hit.verdict, Verdict::Accept { .. }) {
                pos = hit.found.range.end;
            }
            hits.push(hit);
        }
    }
    hits
}

/// Keeps accepted hits, plus deferred ones vouched for by a strong hit on the same line in
/// the same table (and, for word-like ones, decoding to the same script), that do not
/// overlap an accepted one. Linear in the text: lines are counted once, strong hits are
/// grouped by line and table.
fn associate(text: &str, hits: Vec<Hit>, vouched: bool) -> Vec<Mangled> {
    let accepted = |h: &Hit| matches!(h.verdict, Verdict::Accept { .. });
    if !hits.iter().any(|h| matches!(h.verdict, Verdict::Defer { .. })) {
        return hits.into_iter().filter(accepted).map(|h| h.found).collect();
    }
    let lines = line_numbers(text, &hits);
    let mut strong: HashMap<(usize, Table), Vec<&str>> = HashMap::new();
    for (h, &line) in hits.iter().zip(&lines) {
        if h.verdict == (Verdict::Accept { strong: true }) {
            strong.entry((line, h.table)).or_default().push(&h.found.repaired);
        }
    }
    let taken: Vec<Range<usize>> = hits.iter().filter(|h| accepted(h)).map(|h| h.found.range.clone()).collect();
    let overlaps = |r: &Range<usize>| {
        let after = taken.partition_point(|t| t.start < r.end);
        after > 0 && taken[after - 1].end > r.start
    };
    let keep: Vec<bool> = hits
        .iter()
        .zip(&lines)
        .map(|(h, &line)| match h.verdict {
            Verdict::Reject => false,
            Verdict::Accept { .. } => true,
            Verdict::Defer { word } => {
                let by = strong.get(&(line, h.table)).map_or(&[][..], Vec::as_slice);
                let vouching = by.iter().any(|r| !word || same_script(r, &h.found.repaired));
                (vouching || (vouched && !word)) && !overlaps(&h.found.range)
            }
        })
        .collect();
    hits.into_iter().zip(keep).filter(|(_, k)| *k).map(|(h, _)| h.found).collect()
}

/// The line (counted from 0) each hit starts on; hits are in text order.
fn line_numbers(text: &str, hits: &[Hit]) -> Vec<usize> {
    let (mut line, mut pos) = (0, 0);
    hits.iter()
        .map(|h| {
            let start = h.found.range.start.max(pos);
            line += text.as_bytes().get(pos..start).map_or(0, |gap| memchr::memchr_iter(b'\n', gap).count());
            pos = start;
            line
        })
        .collect()
}

/// `one`'s letters include one in the script of `other`'s first letter.
fn same_script(one: &str, other: &str) -> bool {
    other
        .chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|o| one.chars().any(|c| c.is_alphabetic() && script(c) == script(o)))
}

/// The best run starting at `at`: the longest candidate wins, then the one whose repair
/// reads most like real text, then table order (`prefer` first). Accepted beats deferred.
fn best_at(text: &str, at: usize, first: char, outside: Around, layer: u8, prefer: Table) -> Option<Hit> {
    if !tables::may_lead(first) {
        return None;
    }
    let mut runs: Vec<Run> = TABLES.iter().filter_map(|&t| grow_run(text, at, t)).collect();
    let prev = text.get(..at).and_then(|t| t.chars().next_back()).or(outside.prev);
    runs.sort_by_cached_key(|run| {
        let next = text.get(run.end()..).and_then(|t| t.chars().next()).or(outside.next);
        (std::cmp::Reverse(run.end()), oddness(prev, &run.decoded(), next), rank(run.table, prefer))
    });
    let mut deferred = None;
    for run in runs {
        match settle(text, run, outside, layer) {
            Some(hit) if matches!(hit.verdict, Verdict::Defer { .. }) => {
                deferred = deferred.or(Some(hit));
            }
            Some(hit) => return Some(hit),
            None => {}
        }
    }
    deferred
}

/// Position in table order, with ISO-8859-2 moved before Windows-1250 if `prefer`red.
fn rank(table: Table, prefer: Table) -> usize {
    let swap = prefer == Table::Iso8859_2;
    let table = match table {
        Table::Iso8859_2 if swap => Table::Windows1250,
        Table::Windows1250 if swap => Table::Iso8859_2,
        other => other,
    };
    TABLES.iter().position(|&t| t == table).unwrap_or(TABLES.len())
}

/// How unlike real text a repair is, in context: a capital after a lowercase letter or two
/// capitals before a lowercase one, and script changes between letters (Windows-1250 and
/// ISO-8859-2 often both decode, one to `РусскиК` or `ПОва`).
fn oddness(prev: Option<char>, text: &str, next: Option<char>) -> usize {
    let chars: Vec<char> = prev.into_iter().chain(text.chars()).chain(next).collect();
    let letters = |p: &[char]| p.iter().all(|c| c.is_alphabetic());
    let pairs = chars
        .windows(2)
        .filter(|p| letters(p) && ((p[0].is_lowercase() && p[1].is_uppercase()) || script(p[0]) != script(p[1])))
        .count();
    let triples = chars
        .windows(3)
        .filter(|p| letters(p) && p[0].is_uppercase() && p[1].is_uppercase() && p[2].is_lowercase())
        .count();
    pairs + triples
}

/// Judges `run` and repairs it. A run whose repair still holds C1 controls (no inner layer
/// explained them) is cut before the first one and judged again.
fn settle(text: &str, mut run: Run, outside: Around, layer: u8) -> Option<Hit> {
    loop {
        let range = run.start()..run.end();
        let mangled: Vec<char> = text.get(range.clone())?.chars().collect();
        let around = Around {
            prev: text.get(..range.start)?.chars().next_back().or(outside.prev),
            next: text.get(range.end..)?.chars().next().or(outside.next),
        };
        let verdict = evidence::judge(&run, &mangled, around);
        if verdict == Verdict::Reject {
            return None;
        }
        let strong = verdict == Verdict::Accept { strong: true };
        let (repaired, layers) = peel(run.decoded(), around, layer, strong);
        let first_c1 = run.seqs.iter().position(|s| is_c1(s.decoded));
        match first_c1 {
            Some(cut) if repaired.chars().any(is_c1) => {
                run.seqs.truncate(cut);
                if run.seqs.is_empty() {
                    return None;
                }
            }
            _ => {
                let encoding = legacy(run.table, &mangled);
                let found = Mangled { range, repaired, encoding, layers };
                return Some(Hit { found, table: run.table, verdict });
            }
        }
    }
}

/// Undoes further layers: the repair of a run counts as mangled again only if it is mojibake
/// through and through (a partly mangled repair is more likely real text).
fn peel(decoded: String, around: Around, layer: u8, vouched: bool) -> (String, u8) {
    if layer >= MAX_LAYERS {
        return (decoded, 1);
    }
    let inner = find_layer(&decoded, around, layer + 1, vouched);
    if !covers(&inner, decoded.len()) {
        return (decoded, 1);
    }
    let layers = 1 + inner.iter().map(|m| m.layers).max().unwrap_or(0);
    (inner.into_iter().map(|m| m.repaired).collect(), layers)
}

fn covers(runs: &[Mangled], len: usize) -> bool {
    let mut pos = 0;
    for run in runs {
        if run.range.start != pos {
            return false;
        }
        pos = run.range.end;
    }
    len > 0 && pos == len
}

fn legacy(table: Table, mangled: &[char]) -> Legacy {
    match table {
        Table::Western if mangled.iter().any(|&c| latin1_only(c)) => Legacy::Latin1,
        Table::Western => Legacy::Windows1252,
        Table::Windows1250 => Legacy::Windows1250,
        Table::Iso8859_2 => Legacy::Iso8859_2,
        Table::Windows1251 => Legacy::Windows1251,
        Table::MacRoman => Legacy::MacRoman,
        Table::Cp437 => Legacy::Cp437,
    }
}
