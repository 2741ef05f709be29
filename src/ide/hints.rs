//! Inlay hints: after a date, how long ago it was and (when it is written with an offset) the
//! time in the display time zone; after a related entry's title, the provider of the workspace
//! article it links to. Each kind can be switched off.

use std::ops::Range;

use jiff::Timestamp;

use super::format::relative;
use super::walk::{each_entry_within, touches};
use super::{Hint, HintKind, HintSettings, Parsed};
use crate::analysis::parse_datetime;
use crate::analysis::schema::Kind;
use crate::analysis::yaml::Entry;
use crate::workspace::Index;

/// The hints whose offset lies in `within` (editors ask for the visible lines: the entries
/// outside them are not visited, so a viewport costs its own entries, not the document's).
pub(crate) fn inlay_hints(
    parsed: &Parsed,
    index: &Index,
    settings: &HintSettings,
    now: Timestamp,
    within: Range<usize>,
) -> Vec<Hint> {
    let Some(root) = parsed.root() else {
        return Vec::new();
    };
    let mut acc = Vec::new();
    each_entry_within(root, &within, &mut |at| {
        if at.field.is_some_and(|f| f.kind == Kind::Date) {
            date_hints(&mut acc, at.entry, settings, now);
        }
    });
    if settings.related_provider {
        related_providers(&mut acc, root, index, &within);
    }
    acc.retain(|h| within.contains(&h.offset) || within.end == h.offset);
    acc.sort_by_key(|h| h.offset);
    acc
}

fn date_hints(acc: &mut Vec<Hint>, entry: &Entry, settings: &HintSettings, now: Timestamp) {
    let Some(raw) = entry.value.as_scalar().map(|s| s.text.trim()) else { return };
    let Ok(ts) = parse_datetime(raw) else { return };
    let offset = entry.value.span().end;
    if settings.relative_dates {
        let label = relative(ts, now, "{} ago", "in {}");
        acc.push(Hint { offset, label, kind: HintKind::RelativeDate });
    }
    let Some(zone) = &settings.time_zone else { return };
    let Some(written) = written_offset(raw) else { return };
    let zoned = ts.to_zoned(zone.clone());
    if written != zoned.offset().seconds() {
        let label = zoned.strftime("%-d %b %Y, %H:%M %Z").to_string();
        acc.push(Hint { offset, label, kind: HintKind::ZonedTime });
    }
}

/// The numeric offset a date-time is written with (`+01:00` -> 3600), `None` for `Z`.
fn written_offset(raw: &str) -> Option<i32> {
    let tail = raw.get(raw.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = tail.get(1..3)?.parse().ok()?;
    let minutes: i32 = tail.get(4..6)?.parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

/// After each related entry's title: the provider of the workspace article it links to.
fn related_providers(acc: &mut Vec<Hint>, root: &crate::analysis::yaml::Node, index: &Index, within: &Range<usize>) {
    let Some(items) = root.get("related").and_then(|r| match &r.value {
        crate::analysis::yaml::Value::Sequence(items) => Some(items),
        _ => None,
    }) else {
        return;
    };
    for item in items.iter().filter(|item| touches(item.span(), within)) {
        let (Some(title), Some(url)) = (item.get("title"), item.get("webUrl").and_then(|u| u.as_scalar())) else {
            continue;
        };
        let found = index.articles_with_url(url.text.trim());
        let Some(provider) = found.first().and_then(|(_, s)| s.provider_name()) else { continue };
        acc.push(Hint { offset: title.span().end, label: provider.value.to_string(), kind: HintKind::RelatedProvider });
    }
}
