//! Peeling layers a whole line at a time: the repaired line is searched again (with its own
//! line hypothesis), and the repairs of both passes are composed into runs over the original
//! text, each covering exactly the characters that changed.

use std::ops::Range;

use super::search::MAX_LAYERS;
use super::{Mangled, apply};

/// Runs over `text` that turn it into `apply(apply(text, first), second)`, where `second`'s
/// ranges are in `apply(text, first)`.
pub(super) fn compose(text: &str, first: Vec<Mangled>, second: Vec<Mangled>) -> Vec<Mangled> {
    if second.is_empty() {
        return first;
    }
    let middle = apply(text, &first);
    let last = apply(&middle, &second);
    let mut spans: Vec<(Range<usize>, Option<usize>, Vec<usize>)> = Vec::new();
    for (i, run) in first.iter().enumerate() {
        spans.push((run.range.clone(), Some(i), Vec::new()));
    }
    for (j, run) in second.iter().enumerate() {
        let range = back(&first, run.range.start, true)..back(&first, run.range.end, false);
        spans.push((range, None, vec![j]));
    }
    spans.sort_by_key(|s| (s.0.start, s.0.end));
    let mut merged: Vec<(Range<usize>, Vec<usize>, Vec<usize>)> = Vec::new();
    for (range, outer, inner) in spans {
        match merged.last_mut() {
            Some(last) if range.start < last.0.end || (range.start == last.0.start && range.end == last.0.end) => {
                last.0.end = last.0.end.max(range.end);
                last.1.extend(outer);
                last.2.extend(inner);
            }
            _ => merged.push((range, outer.into_iter().collect(), inner)),
        }
    }
    let composed: Vec<Mangled> = merged
        .into_iter()
        .map(|(range, outer, inner)| {
            let start = forward(&second, forward(&first, range.start));
            let end = forward(&second, forward(&first, range.end));
            let repaired = last.get(start..end).unwrap_or_default().to_string();
            let outer_layers = outer.iter().map(|&i| first[i].layers).max().unwrap_or(0);
            let inner_layers = inner.iter().map(|&j| second[j].layers).max().unwrap_or(0);
            let template = outer.first().map(|&i| &first[i]).or_else(|| inner.first().map(|&j| &second[j]));
            let (encoding, origin) =
                template.map(|t| (t.encoding, t.origin)).unwrap_or((super::Legacy::Windows1252, super::Origin::Utf8));
            let guess = if inner.is_empty() && outer.len() == 1 {
                outer.first().and_then(|&i| first[i].guess.clone())
            } else {
                None
            };
            let layers = (outer_layers + inner_layers).min(MAX_LAYERS);
            Mangled { range, repaired, encoding, layers, origin, guess }
        })
        .collect();
    // Defensive: composition must give sorted, non-empty, non-overlapping runs; if it cannot,
    // the first pass alone is still exact.
    let ordered = composed.windows(2).all(|w| w[0].range.end <= w[1].range.start);
    if ordered && composed.iter().all(|m| m.range.start < m.range.end) { composed } else { first }
}

/// Where position `p` of the text before `runs` were applied lands after, for a `p` that is
/// not strictly inside a run.
fn forward(runs: &[Mangled], p: usize) -> usize {
    let mut shift: isize = 0;
    for run in runs.iter().take_while(|r| r.range.end <= p) {
        shift += run.repaired.len() as isize - run.range.len() as isize;
    }
    p.saturating_add_signed(shift)
}

/// The position of the text before `runs` were applied that `q` (a position after) comes
/// from; a position strictly inside a repair widens to the repair's start (or end).
fn back(runs: &[Mangled], q: usize, start: bool) -> usize {
    let mut shift: isize = 0;
    for run in runs {
        let begin = run.range.start.saturating_add_signed(shift);
        let end = begin + run.repaired.len();
        if q <= begin {
            break;
        }
        if q < end {
            return if start { run.range.start } else { run.range.end };
        }
        shift += run.repaired.len() as isize - run.range.len() as isize;
    }
    q.saturating_add_signed(-shift)
}
