//! Hover cards: a related entry as a card (with a link to the workspace file it points at), the
//! title with the article's links in both directions, topic and provider usage, dates readably and
//! exactly with their distance to now, mojibake with its repair, and field documentation.

use std::ops::Range;
use std::path::Path;

use jiff::Timestamp;

use super::Hover;
use super::context::field_at;
use super::format::{articles, day, file_uri, md, readable, relative};
use super::lines::{floor_boundary, line_start};
use super::locate::{Located, locate};
use crate::analysis::layout::{self, line_text};
use crate::analysis::schema::Kind;
use crate::analysis::{format_rfc3339, mojibake, parse_datetime};
use crate::workspace::{Article, ArticleSummary, Index, RelatedSummary, summarize};

/// At most this many articles are listed in a usage card.
const LATEST: usize = 5;

/// Everything a card may read.
struct Cards<'a> {
    this: &'a Path,
    index: &'a Index,
    now: Timestamp,
    summary: ArticleSummary,
}

pub(crate) fn hover(text: &str, offset: usize, this: &Path, index: &Index, now: Timestamp) -> Option<Hover> {
    let offset = floor_boundary(text, offset);
    if let Some(card) = mojibake_card(text, offset) {
        return Some(card);
    }
    let layout = layout::split(text);
    let cards = Cards { this, index, now, summary: summarize(text) };
    if layout.front_matter.is_none() || offset >= layout.body.start {
        return cards.dated_line(offset);
    }
    if let Some(related) = cards.summary.related.iter().find(|r| touches(&r.span.range(), offset)) {
        return Some(cards.related(related));
    }
    cards.entry(&locate(text, offset)?)
}

fn touches(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

impl Cards<'_> {
    fn entry(&self, at: &Located) -> Option<Hover> {
        let top = at.path.is_empty();
        let in_provider = at.path.last().is_some_and(|k| k == "provider");
        match at.key.as_str() {
            "title" if top => return self.title(at),
            "topics" if top && at.item.is_some() => return self.topic(at),
            "name" if in_provider && !at.on_key => return self.provider(at),
            _ => {}
        }
        let field = field_at(&at.path, &at.key)?;
        if at.on_key {
            let markdown = format!("**{}**\n\n{}", at.key, field.doc);
            return Some(Hover { markdown, range: at.key_span.clone() });
        }
        (field.kind == Kind::Date).then(|| self.date(at)).flatten()
    }

    fn related(&self, r: &RelatedSummary) -> Hover {
        let mut lines = vec![format!("**{}**", md(r.title().unwrap_or("(untitled)")))];
        let mut about = Vec::new();
        if let Some(name) = r.provider_name() {
            let domain = r.provider_domain().map(|d| format!(" ({})", md(d)));
            about.push(format!("{}{}", md(name), domain.unwrap_or_default()));
        }
        if let Some(published) = r.published() {
            about.push(self.dated(published));
        }
        if !about.is_empty() {
            lines.push(about.join(" · "));
        }
        if let Some(excerpt) = r.excerpt() {
            lines.push(md(excerpt));
        }
        if let Some(url) = &r.web_url {
            lines.push(format!("<{}>", url.value));
            for uri in self.index.articles_with_url(&url.value).into_iter().filter_map(|(path, _)| file_uri(path)) {
                lines.push(format!("[Open in workspace]({uri})"));
            }
        }
        Hover { markdown: lines.join("\n\n"), range: r.span.range() }
    }

    /// A date and how far it is from this article's publication.
    fn dated(&self, ts: Timestamp) -> String {
        let when = format!("{} — {}", readable(ts), format_rfc3339(ts));
        match self.summary.published {
            Some(mine) => format!("{when} ({})", relative(ts, mine, "{} before this article", "{} after this article")),
            None => when,
        }
    }

    fn title(&self, at: &Located) -> Option<Hover> {
        let title = self.summary.title.as_ref()?;
        let mut out = format!("**{}**", md(&title.value));
        if !self.summary.related.is_empty() {
            out.push_str(&format!("\n\nRelated ({}):", self.summary.related.len()));
            for r in &self.summary.related {
                let url = r.web_url.as_ref().map(|u| &*u.value);
                let in_workspace = url.and_then(|u| self.index.articles_with_url(u).first().map(|(p, _)| *p));
                out.push_str(&list_entry(r.published(), r.title(), in_workspace));
            }
        }
        let backlinks: Vec<_> = self
            .summary
            .web_url
            .as_ref()
            .map(|u| self.index.articles_linking_to(&u.value))
            .unwrap_or_default()
            .into_iter()
            .filter(|(p, _)| *p != self.this)
            .collect();
        if !backlinks.is_empty() {
            out.push_str(&format!("\n\nLinked from ({}):", backlinks.len()));
            out.push_str(&list(&backlinks));
        }
        Some(Hover { markdown: out, range: at.key_span.start..title.span.end().max(at.key_span.end) })
    }

    fn topic(&self, at: &Located) -> Option<Hover> {
        let (topic, span) = at.scalar()?;
        let users = self.index.articles_with_topic(topic);
        Some(usage_card("Topic", topic, &users, span))
    }

    fn provider(&self, at: &Located) -> Option<Hover> {
        let (name, span) = at.scalar()?;
        let users = self.index.articles_with_provider(name);
        Some(usage_card("Provider", name, &users, span))
    }

    fn date(&self, at: &Located) -> Option<Hover> {
        let (raw, span) = at.scalar()?;
        let ts = parse_datetime(raw).ok()?;
        let markdown = format!("{} — {} ({})", readable(ts), md(raw.trim()), relative(ts, self.now, "{} ago", "in {}"));
        Some(Hover { markdown, range: span })
    }

    /// A dated line of a plain-text article.
    fn dated_line(&self, offset: usize) -> Option<Hover> {
        let line = self.summary.dated_lines.iter().find(|l| touches(&l.span.range(), offset))?;
        Some(Hover { markdown: format!("Dated line: `{}`", line.value), range: line.span.range() })
    }
}

/// `**Topic** \`AI\`: 12 articles` and the latest few of them.
fn usage_card(what: &str, name: &str, users: &[(&Path, Article<'_>)], range: Range<usize>) -> Hover {
    let count = articles(users.len());
    let mut markdown = format!("**{what}** `{name}`: {count} in the workspace");
    if !users.is_empty() {
        markdown.push_str("\n\nLatest:");
        markdown.push_str(&list(&users[..users.len().min(LATEST)]));
    }
    Hover { markdown, range }
}

/// `- 2021-09-26 [Title](file:///...)` lines.
fn list(items: &[(&Path, Article<'_>)]) -> String {
    items.iter().map(|(path, s)| list_entry(s.published(), s.title().map(|t| t.value), Some(path))).collect()
}

/// One line of an article list, the same in every card: `- 2021-09-26 Title`, the title a link
/// when the article is in the workspace.
fn list_entry(published: Option<Timestamp>, title: Option<&str>, path: Option<&Path>) -> String {
    let when = published.map(|p| format!("{} ", day(p))).unwrap_or_default();
    let title = md(title.unwrap_or("(untitled)"));
    match path.and_then(file_uri) {
        Some(uri) => format!("\n- {when}[{title}]({uri})"),
        None => format!("\n- {when}{title}"),
    }
}

/// Mojibake under the cursor, with the repaired word.
fn mojibake_card(text: &str, offset: usize) -> Option<Hover> {
    let start = line_start(text, offset);
    let line = line_text(text, start);
    if line.is_ascii() {
        return None;
    }
    let at = offset - start;
    let run = mojibake::find(line).into_iter().find(|m| m.range.start <= at && at <= m.range.end)?;
    let piece = |r: Range<usize>| line.get(r).unwrap_or("");
    let word_start = piece(0..run.range.start)
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word_end = piece(run.range.end..line.len()).find(char::is_whitespace).map_or(line.len(), |i| run.range.end + i);
    let repaired = format!("{}{}{}", piece(word_start..run.range.start), run.repaired, piece(run.range.end..word_end));
    let markdown = format!(
        "**Mojibake**: `{}` is `{repaired}` (UTF-8 decoded as {})",
        piece(word_start..word_end),
        run.encoding.name()
    );
    Some(Hover { markdown, range: start + run.range.start..start + run.range.end })
}
