//! Completion: field names from the schema for the mapping under the cursor, and values from
//! the workspace (topics, providers and their domains, `type`/`category` values), the
//! configuration (topic vocabulary, provider catalog), booleans and the current date.

use std::collections::HashSet;

use jiff::Timestamp;

use super::context::{CursorContext, Slot, context_at, field_at, fields_at};
use super::lines::{Shape, line_start};
use super::mapping::{DomainSlot, domain_slot, mapping_lines};
use super::{Completion, CompletionKind, CompletionList, Insert};
use crate::analysis::format_rfc3339;
use crate::analysis::layout::line_text;
use crate::analysis::schema::{Field, Kind};
use crate::config::Config;
use crate::workspace::Index;
use crate::workspace::normal::{double_quoted, is_plain_safe};

/// Completions at `offset`, at most `limit` of them. A longer list is narrowed to the items
/// whose label contains the typed word (any case) and marked incomplete, so the client asks
/// again as the user types. Narrowing happens before items are built: with thousands of
/// providers, building each (and its `provider.domain` edit) cost more than the lookup.
pub(crate) fn completions(
    text: &str,
    offset: usize,
    index: &Index,
    config: &Config,
    now: Timestamp,
    limit: usize,
) -> CompletionList {
    let ctx = context_at(text, offset);
    let narrow = Narrow::new(text, &ctx, limit);
    match &ctx.slot {
        Slot::Body => CompletionList::default(),
        Slot::Key => {
            let mut items = key_completions(text, &ctx, config);
            items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
            let (items, is_incomplete) = narrow.apply(items, |c| &c.label);
            CompletionList { items, is_incomplete }
        }
        Slot::Value { key } | Slot::Item { key } => {
            let values = Values { text, ctx: &ctx, index, config, narrow: &narrow };
            values.complete(key, now)
        }
    }
}

/// How a long list is cut down: the typed word (lowercase, without an opening quote) and the
/// most items to send.
struct Narrow {
    typed: String,
    limit: usize,
}

impl Narrow {
    fn new(text: &str, ctx: &CursorContext, limit: usize) -> Narrow {
        let typed = text.get(ctx.word.clone()).unwrap_or("").to_lowercase();
        Narrow { typed: typed.trim_matches(['"', '\'']).to_string(), limit }
    }

    /// The items to send, in the order given (best first), and whether some were left out.
    fn apply<T>(&self, items: Vec<T>, label: impl Fn(&T) -> &str) -> (Vec<T>, bool) {
        let total = items.len();
        self.apply_lazily(total, items.into_iter(), label)
    }

    /// [`Narrow::apply`] on `total` items read only as far as needed.
    fn apply_lazily<T>(
        &self,
        total: usize,
        items: impl Iterator<Item = T>,
        label: impl Fn(&T) -> &str,
    ) -> (Vec<T>, bool) {
        if total <= self.limit {
            return (items.collect(), false);
        }
        (items.filter(|item| self.matches(label(item))).take(self.limit).collect(), true)
    }

    /// Whether `label` contains the typed word in any case (`to_lowercase`, without
    /// allocating when both are ASCII, which almost every label is).
    fn matches(&self, label: &str) -> bool {
        let typed = self.typed.as_bytes();
        if !(label.is_ascii() && self.typed.is_ascii()) {
            return label.to_lowercase().contains(&self.typed);
        }
        typed.is_empty() || label.as_bytes().windows(typed.len()).any(|w| w.eq_ignore_ascii_case(typed))
    }
}

/// Field names of the mapping at the cursor that it does not have yet.
fn key_completions(text: &str, ctx: &CursorContext, config: &Config) -> Vec<Completion> {
    let Some(fields) = fields_at(&ctx.path) else {
        return Vec::new();
    };
    let start = line_start(text, ctx.word.start);
    let col = text[start..ctx.word.start].chars().count();
    let present: HashSet<String> = mapping_lines(text, start, col)
        .into_iter()
        .filter(|(at, _)| *at != start)
        .filter_map(|(_, shape)| shape.key.map(|k| k.name))
        .collect();
    let dotted = ctx.path.join(".");
    let renaming = existing_key_end(text, start, ctx.word.end);
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !present.contains(f.name))
        .map(|(i, f)| {
            let required = is_required(config, &join(&dotted, f.name));
            let snippet = field_snippet(f, &join(&dotted, f.name), col, config);
            let (insert, replace) = match renaming {
                Some(end) => (Insert::Plain(f.name.to_string()), ctx.word.start..end),
                None => (Insert::Snippet { plain: plain_of(&snippet), snippet }, ctx.word.clone()),
            };
            Completion {
                label: f.name.to_string(),
                detail: Some(describe(f.kind).to_string()),
                documentation: Some(f.doc.to_string()),
                kind: CompletionKind::Field,
                insert,
                replace,
                additional_edits: Vec::new(),
                sort_text: format!("{}{i:03}", if required { 0 } else { 1 }),
            }
        })
        .collect()
}

/// When the cursor is inside the key of an existing `key: value` line, the end of that key:
/// completing then renames the key and keeps the value.
fn existing_key_end(text: &str, start: usize, cursor: usize) -> Option<usize> {
    let line = line_text(text, start);
    let key = Shape::read(line).key?;
    let colon = start + key.colon_end - 1;
    let end = start + text[start..colon].trim_end().len();
    (cursor <= end).then_some(end)
}

/// Whether a field is required, or holds required fields. A nested object's fields count as
/// required when they are at the top level (`related.provider.name` like `provider.name`).
fn is_required(config: &Config, dotted: &str) -> bool {
    let mut suffixes = dotted.match_indices('.').map(|(i, _)| &dotted[i + 1..]);
    let nested = |p: &str| p.contains('.') && (config.is_required(p) || config.requires_within(p));
    config.is_required(dotted) || config.requires_within(dotted) || suffixes.any(nested)
}

fn join(dotted: &str, name: &str) -> String {
    if dotted.is_empty() { name.to_string() } else { format!("{dotted}.{name}") }
}

/// `key: $1`, or a block with the required fields of an object (indented from column `col`).
fn field_snippet(field: &Field, dotted: &str, col: usize, config: &Config) -> String {
    let ind = " ".repeat(col);
    match field.kind {
        Kind::Object(inner) => {
            let body = sub_fields(inner, dotted, config, &format!("{ind}  "), "");
            format!("{}:\n{body}", field.name)
        }
        Kind::List(Kind::Object(inner)) => {
            let body = sub_fields(inner, dotted, config, &format!("{ind}    "), &format!("{ind}  - "));
            format!("{}:\n{body}", field.name)
        }
        Kind::List(_) => format!("{}:\n{ind}  - $1", field.name),
        Kind::Boolean => format!("{}: ${{1|true,false|}}", field.name),
        _ => format!("{}: ${{1}}", field.name),
    }
}

/// Lines `name: $n` for the required fields of an object (its first field when none is), the
/// first line starting with `first` (a list item's `- `) instead of `ind`.
fn sub_fields(fields: &[Field], dotted: &str, config: &Config, ind: &str, first: &str) -> String {
    let mut chosen: Vec<&Field> = fields.iter().filter(|f| is_required(config, &join(dotted, f.name))).collect();
    if chosen.is_empty() {
        chosen.extend(fields.first());
    }
    chosen
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let lead = if i == 0 && !first.is_empty() { first } else { ind };
            format!("{lead}{}: ${}", f.name, i + 1)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The snippet without its tab stops, for clients without snippet support.
fn plain_of(snippet: &str) -> String {
    let mut out = String::new();
    let mut rest = snippet;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    out.push_str(rest);
    out
}

fn describe(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "text",
        Kind::Date => "date-time (RFC 3339)",
        Kind::Url => "URL",
        Kind::Integer => "integer",
        Kind::Boolean => "true or false",
        Kind::Object(_) => "mapping",
        Kind::List(Kind::Object(_)) => "list of mappings",
        Kind::List(_) => "list",
    }
}

/// Everything value completion reads.
struct Values<'a> {
    text: &'a str,
    ctx: &'a CursorContext,
    index: &'a Index,
    config: &'a Config,
    narrow: &'a Narrow,
}

/// A value to offer before it becomes a `Completion`.
struct Candidate {
    label: String,
    detail: Option<String>,
    kind: CompletionKind,
    /// Workspace values (0) before configured ones (1).
    group: u8,
}

/// A provider name to offer: its domain (configured or most used) and how many articles use it.
struct ProviderCandidate<'a> {
    name: &'a str,
    domain: Option<&'a str>,
    count: Option<usize>,
    group: u8,
}

impl Values<'_> {
    fn complete(&self, key: &str, now: Timestamp) -> CompletionList {
        let in_provider = self.ctx.path.last().is_some_and(|k| k == "provider");
        if in_provider && key == "name" {
            return self.providers();
        }
        let candidates = match key {
            "domain" if in_provider => self.domains(),
            "topics" if self.ctx.path.is_empty() => return self.topics(),
            "type" => self.field_values("type", &["article"]),
            "category" if self.ctx.path.is_empty() => self.field_values("category", &[]),
            _ => match field_at(&self.ctx.path, key).map(|f| f.kind) {
                Some(Kind::Boolean) => plain_values(&["true", "false"], CompletionKind::Value),
                Some(Kind::Date) => vec![Candidate {
                    label: format_rfc3339(now),
                    detail: Some("now".into()),
                    kind: CompletionKind::Date,
                    group: 0,
                }],
                _ => Vec::new(),
            },
        };
        self.finish(candidates)
    }

    /// Topics in use, most used first, then the configured vocabulary (a topic in both is
    /// offered once, with its count). Only the candidates up to the `limit`th match are built:
    /// a workspace of long articles uses thousands of topics, and building every candidate
    /// (its label, its count as text) cost ten times the lookup.
    fn topics(&self) -> CompletionList {
        // Topics the list already has (other than the one being typed) are not offered again.
        let word = &self.ctx.word;
        let listed: HashSet<crate::workspace::Text> = crate::workspace::summarize(self.text)
            .topics
            .into_iter()
            .filter(|t| t.span.end() < word.start || t.span.start() > word.end)
            .map(|t| t.value)
            .collect();
        let used: Vec<(&str, Option<usize>)> = self
            .index
            .topic_ranking()
            .into_iter()
            .filter(|(topic, _)| !listed.contains(*topic))
            .map(|(topic, n)| (topic, Some(n)))
            .collect();
        let mut seen = HashSet::new();
        let vocabulary: Vec<(&str, Option<usize>)> = self
            .config
            .topics
            .iter()
            .flatten()
            .map(String::as_str)
            .filter(|t| !listed.contains(*t) && !self.index.has_topic(t) && seen.insert(*t))
            .map(|t| (t, None))
            .collect();
        let total = used.len() + vocabulary.len();
        // Topics in use (group 0) come first, so ranks already follow the groups.
        let ranked = used.into_iter().chain(vocabulary).enumerate();
        let (kept, is_incomplete) =
            self.narrow.apply_lazily(total, ranked, |item: &(usize, (&str, Option<usize>))| item.1.0);
        let items = kept
            .into_iter()
            .map(|(rank, (topic, uses))| {
                let (detail, group) = match uses {
                    Some(n) => (articles(n), 0),
                    None => ("vocabulary".to_string(), 1),
                };
                let candidate =
                    Candidate { label: topic.to_string(), detail: Some(detail), kind: CompletionKind::Topic, group };
                self.completion(candidate, rank)
            })
            .collect();
        CompletionList { items, is_incomplete }
    }

    fn domains(&self) -> Vec<Candidate> {
        let used = self.index.provider_ranking().filter_map(|p| {
            Some(Candidate {
                label: p.domain?.to_string(),
                detail: Some(p.name.to_string()),
                kind: CompletionKind::Value,
                group: 0,
            })
        });
        let catalog = self.config.providers.iter().map(|(name, domain)| Candidate {
            label: domain.clone(),
            detail: Some(name.clone()),
            kind: CompletionKind::Value,
            group: 1,
        });
        used.chain(catalog).collect()
    }

    fn field_values(&self, field: &str, defaults: &[&str]) -> Vec<Candidate> {
        let used = self.index.values_of(field).into_iter().map(|(v, n)| Candidate {
            label: v,
            detail: Some(articles(n)),
            kind: CompletionKind::Value,
            group: 0,
        });
        used.chain(plain_values(defaults, CompletionKind::Value)).collect()
    }

    /// Provider names; picking one also fills in its domain. The index keeps its providers
    /// ranked, so only the candidates up to the `limit`th match are read and built; where the
    /// domain goes is found once for all of them.
    fn providers(&self) -> CompletionList {
        let used = self.index.provider_ranking().map(|p| {
            let domain = self.config.providers.get(p.name).map(String::as_str).or(p.domain);
            ProviderCandidate { name: p.name, domain, count: Some(p.count), group: 0 }
        });
        // A catalog name the workspace uses is offered once, with the workspace's count.
        let catalog = self.config.providers.iter().filter(|(name, _)| !self.index.has_provider(name));
        let total = self.index.provider_count() + catalog.clone().count();
        let catalog =
            catalog.map(|(name, domain)| ProviderCandidate { name, domain: Some(domain), count: None, group: 1 });
        // Workspace names (group 0) come first, so ranks already follow the groups.
        let ranked = used.chain(catalog).enumerate();
        let (kept, is_incomplete) = self.narrow.apply_lazily(total, ranked, |(_, p)| p.name);
        let slot = domain_slot(self.text, self.ctx.word.start);
        let items = kept.into_iter().map(|(rank, p)| self.provider(rank, p, slot.as_ref())).collect();
        CompletionList { items, is_incomplete }
    }

    fn provider(&self, rank: usize, p: ProviderCandidate, slot: Option<&DomainSlot>) -> Completion {
        let detail = match (p.domain, p.count) {
            (Some(d), Some(n)) => format!("{d} · {}", articles(n)),
            (Some(d), None) => d.to_string(),
            (None, Some(n)) => articles(n),
            (None, None) => String::new(),
        };
        let edits = p.domain.zip(slot).and_then(|(d, slot)| slot.edit(d)).into_iter().collect();
        let candidate = Candidate {
            label: p.name.to_string(),
            detail: (!detail.is_empty()).then_some(detail),
            kind: CompletionKind::Provider,
            group: p.group,
        };
        let mut completion = self.completion(candidate, rank);
        completion.additional_edits = edits;
        completion
    }

    /// De-duplicates by label (first wins: the workspace's count beats the configuration),
    /// orders by group then rank, narrows, and only then builds the items.
    fn finish(&self, candidates: Vec<Candidate>) -> CompletionList {
        let mut seen = HashSet::new();
        let ranked: Vec<(usize, Candidate)> =
            candidates.into_iter().filter(|c| seen.insert(c.label.clone())).enumerate().collect();
        let ranked = by_group(ranked, |(_, c)| c.group);
        let (kept, is_incomplete) = self.narrow.apply(ranked, |(_, c)| &c.label);
        let items = kept.into_iter().map(|(rank, c)| self.completion(c, rank)).collect();
        CompletionList { items, is_incomplete }
    }

    fn completion(&self, c: Candidate, rank: usize) -> Completion {
        let insert = Insert::Plain(self.quoted(&c.label));
        Completion {
            sort_text: sort_text(c.group, rank),
            label: c.label,
            detail: c.detail,
            documentation: None,
            kind: c.kind,
            insert,
            replace: self.ctx.word.clone(),
            additional_edits: Vec::new(),
        }
    }

    /// The value as YAML: as typed after an opening quote, else quoted only when it must be.
    fn quoted(&self, value: &str) -> String {
        let before = self.text[..self.ctx.word.start].chars().next_back();
        let after_quote = matches!(before, Some('"' | '\''));
        let flow_special = value.contains([',', '[', ']', '{', '}']);
        if after_quote || (is_plain_safe(value) && !flow_special) { value.to_string() } else { double_quoted(value) }
    }
}

/// The order of the items' `sort_text` (group, then rank): a stable sort by group, as ranks
/// already ascend.
fn by_group<T>(mut ranked: Vec<T>, group: impl Fn(&T) -> u8) -> Vec<T> {
    ranked.sort_by_key(|item| group(item));
    ranked
}

fn sort_text(group: u8, rank: usize) -> String {
    format!("{group}{rank:06}")
}

fn plain_values(values: &[&str], kind: CompletionKind) -> Vec<Candidate> {
    values.iter().map(|v| Candidate { label: v.to_string(), detail: None, kind, group: 1 }).collect()
}

fn articles(n: usize) -> String {
    if n == 1 { "1 article".to_string() } else { format!("{n} articles") }
}
