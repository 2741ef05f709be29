//! Code lenses: on the title, how many workspace articles cite this one and how many related
//! entries it has; on each topic, how many articles use it. Each lens names the offset whose
//! references it opens, so the client asks for them only when the lens is clicked.

use std::path::Path;

use super::format::articles;
use super::{Lens, Parsed};
use crate::workspace::{Index, summary::summarize_parsed};

pub(crate) fn code_lenses(text: &str, parsed: &Parsed, this: &Path, index: &Index) -> Vec<Lens> {
    let Some(front) = &parsed.front else {
        return Vec::new();
    };
    let summary = summarize_parsed(text, &parsed.layout, Some(front));
    let mut acc = Vec::new();
    if let Some(title) = &summary.title {
        let citing = summary
            .web_url
            .as_ref()
            .map_or(0, |url| index.articles_linking_to(&url.value).into_iter().filter(|(p, _)| *p != this).count());
        let range = title.span.range();
        acc.push(Lens {
            range: range.clone(),
            title: format!("cited by {}", articles(citing)),
            references_at: range.start,
        });
        let entries = front.root.as_ref().and_then(|r| r.as_mapping()).unwrap_or_default();
        if let Some(related) = entries.iter().find(|e| e.key_text() == Some("related")) {
            let title = format!("{} related", summary.related.len());
            acc.push(Lens { range, title, references_at: related.key.span().start });
        }
    }
    for topic in &summary.topics {
        let users = index.articles_with_topic(&topic.value).len();
        acc.push(Lens { range: topic.span.range(), title: articles(users), references_at: topic.span.start() });
    }
    acc
}
