//! Document links: every URL field (`webUrl`, `originalUrl`, `ampWebUrl`, `cdnAmpWebUrl`,
//! `images[].url`, a related entry's `webUrl`), to the workspace article with that URL when
//! there is one, else to the URL itself.

use std::path::Path;

use super::walk::{each_entry, unquoted};
use super::{Link, LinkTarget, Parsed};
use crate::analysis::schema::Kind;
use crate::workspace::Index;

pub(crate) fn document_links(text: &str, parsed: &Parsed, this: &Path, index: &Index) -> Vec<Link> {
    let Some(root) = parsed.root() else {
        return Vec::new();
    };
    let mut acc = Vec::new();
    each_entry(root, &mut |at| {
        if at.field.is_none_or(|f| f.kind != Kind::Url) {
            return;
        }
        let entry = at.entry;
        let Some(scalar) = entry.value.as_scalar() else { return };
        let url = scalar.text.trim();
        if !is_web_url(url) {
            return;
        }
        let article = index.articles_with_url(url).into_iter().map(|(p, _)| p).find(|p| *p != this);
        let target = match article {
            Some(path) => LinkTarget::Article(path.to_path_buf()),
            None => LinkTarget::Url(url.to_string()),
        };
        acc.push(Link { range: unquoted(text, &entry.value), target });
    });
    acc
}

/// An absolute http(s) URL (anything else is a finding, not a link).
fn is_web_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}
