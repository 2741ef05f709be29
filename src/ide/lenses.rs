//! Code lenses: on the title, how many workspace articles cite this one and how many related
//! entries it has; on each topic, how many articles use it. Each lens names the offset whose
//! references it opens, so the client asks for them only when the lens is clicked.

use std::path::Path;

use super::Lens;
use super::format::articles;
use crate::analysis::{front_matter, layout};
use crate::workspace::{Index, summary::summarize_parsed};

pub(crate) fn code_lenses(text: &str, this: &Path, index: &Index) -> Vec<Lens> {
    let layout = layout::split(text);
    let Some(fm) = &layout.front_matter else {
        return Vec::new();
    };
    let parsed = front_matter::parse(text, fm);
    let summary = summarize_parsed(text, &layout, Some(&parsed));
    let mut acc = Vec::new();
    if let Some(title) = &summary.title {
        let citing = summary
            .web_url
            .as_ref()
            .map_or(0, |url| index.articles_linking_to(&url.value).into_iter().filter(|(p, _)| *p != this).count());
        let at = title.span.start;
        acc.push(Lens {
            range: title.span.clone(),
            title: format!("cited by {}", articles(citing)),
            references_at: at,
        });
        if let Some(related) = parsed
            .root
            .as_ref()
            .and_then(|r| r.as_mapping())
            .and_then(|entries| entries.iter().find(|e| e.key_text() == Some("related")))
        {
            let title = format!("{} related", summary.related.len());
            acc.push(Lens { range: title_range(&summary), title, references_at: related.key.span.start });
        }
    }
    for topic in &summary.topics {
        let users = index.articles_with_topic(&topic.value).len();
        acc.push(Lens { range: topic.span.clone(), title: articles(users), references_at: topic.span.start });
    }
    acc
}

fn title_range(summary: &crate::workspace::ArticleSummary) -> std::ops::Range<usize> {
    summary.title.as_ref().map_or(0..0, |t| t.span.clone())
}
