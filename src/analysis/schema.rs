//! The front matter schema: one table that the checks, completion, hover and the JSON Schema
//! export all read, so they cannot disagree.

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any scalar, read as text.
    Text,
    /// An RFC 3339 date-time.
    Date,
    /// An absolute http(s) URL.
    Url,
    /// A plain integer.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A mapping with known fields.
    Object(&'static [Field]),
    /// A sequence of one kind.
    List(&'static Kind),
}

/// One known key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// One sentence for hovers, completion documentation and the JSON Schema.
    pub doc: &'static str,
}

const fn field(name: &'static str, kind: Kind, doc: &'static str) -> Field {
    Field { name, kind, doc }
}

pub const PROVIDER: &[Field] = &[
    field("name", Kind::Text, "The publisher's display name, e.g. `Radio Free Europe/Radio Liberty`."),
    field("domain", Kind::Text, "The publisher's registrable domain, e.g. `rferl.org`; must match the article's URLs."),
];

pub const IMAGE: &[Field] = &[
    field("url", Kind::Url, "Absolute http(s) URL of the image."),
    field("width", Kind::Integer, "Width in pixels."),
    field("height", Kind::Integer, "Height in pixels."),
    field("isCached", Kind::Boolean, "Whether the image is stored in the cache."),
];

const IMAGE_ITEM: Kind = Kind::Object(IMAGE);
const TEXT_ITEM: Kind = Kind::Text;

pub const RELATED: &[Field] = &[
    field("title", Kind::Text, "Headline of the related article."),
    field("excerpt", Kind::Text, "Short summary of the related article."),
    field("publishedDateTime", Kind::Date, "When the related article was published (RFC 3339)."),
    field("webUrl", Kind::Url, "Canonical URL of the related article."),
    field("type", Kind::Text, "Kind of content, e.g. `article` or `video`."),
    field("provider", Kind::Object(PROVIDER), "Who published the related article."),
    field("quality", Kind::Integer, "Quality score (integer)."),
    field("images", Kind::List(&IMAGE_ITEM), "Images of the related article."),
];

const RELATED_ITEM: Kind = Kind::Object(RELATED);

pub const ARTICLE: &[Field] = &[
    field("category", Kind::Text, "Section of the collection, e.g. `news`."),
    field("title", Kind::Text, "Headline of the article."),
    field("excerpt", Kind::Text, "Short summary shown in lists."),
    field("publishedDateTime", Kind::Date, "When the article was published (RFC 3339, e.g. `2021-09-26T06:17:00Z`)."),
    field("updatedDateTime", Kind::Date, "When the article was last updated (RFC 3339)."),
    field("originalUrl", Kind::Url, "URL where the article was first found."),
    field("webUrl", Kind::Url, "Canonical URL of the article."),
    field("ampWebUrl", Kind::Url, "AMP version of the article."),
    field("cdnAmpWebUrl", Kind::Url, "AMP cache URL of the article."),
    field("type", Kind::Text, "Kind of content, e.g. `article` or `video`."),
    field("quality", Kind::Integer, "Quality score (integer)."),
    field("heat", Kind::Integer, "Popularity score (integer, -1 when unknown)."),
    field("published", Kind::Boolean, "Whether the article is published (`true` or `false`)."),
    field("provider", Kind::Object(PROVIDER), "Who published the article."),
    field("topics", Kind::List(&TEXT_ITEM), "Topics of the article, e.g. `AI`."),
    field("tags", Kind::List(&TEXT_ITEM), "Free-form tags."),
    field("categories", Kind::List(&TEXT_ITEM), "Categories of the article."),
    field("locale", Kind::Text, "Language and region, e.g. `en-US`."),
    field("related", Kind::List(&RELATED_ITEM), "Related articles."),
    field("images", Kind::List(&IMAGE_ITEM), "Images of the article."),
    field("secured", Kind::Text, "Opaque signature of the record."),
];

/// Looks up `name` among `fields`.
pub fn lookup(fields: &'static [Field], name: &str) -> Option<&'static Field> {
    fields.iter().find(|f| f.name == name)
}

/// The closest known name to a misspelt key, if any is close enough to suggest.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate.to_lowercase() == lower {
            return Some(candidate);
        }
        let distance = strsim::damerau_levenshtein(&lower, &candidate.to_lowercase());
        let allowed = (candidate.chars().count() / 3).clamp(1, 4);
        let score = strsim::normalized_damerau_levenshtein(&lower, &candidate.to_lowercase());
        let prefix = candidate.len() >= 4 && lower.starts_with(&candidate.to_lowercase());
        if (distance <= allowed || prefix) && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let names = || ARTICLE.iter().map(|f| f.name);
        assert_eq!(did_you_mean("publishDateTime", names()), Some("publishedDateTime"));
        assert_eq!(did_you_mean("Title", names()), Some("title"));
        assert_eq!(did_you_mean("webURL", names()), Some("webUrl"));
        assert_eq!(did_you_mean("topic", names()), Some("topics"));
        assert_eq!(did_you_mean("author", names()), None);
    }
}
