//! The workspace: a summary of every article file and an index over them (URLs, topics,
//! providers, related links) that powers completion, hover, navigation and the checks that need
//! more than one file (`duplicate-url`, `topic-variant`).
//!
//! Pure except `discover`, which walks directories and reads files.

mod checks;
mod compact;
pub mod discover;
pub mod index;
pub(crate) mod normal;
pub mod search;
mod skim;
pub mod summary;

pub use compact::{Article, RelatedLink};
pub use index::{Index, ProviderRank, ProviderStat};
pub use skim::summarize;
pub use summary::{ArticleSummary, RelatedAbout, RelatedProvider, RelatedSummary, Span, Spanned, Text};
