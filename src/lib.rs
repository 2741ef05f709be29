//! article-lsp: checks and repairs news-article files.
//!
//! Modules in reading order: `analysis` is the pure core (text in, diagnostics out);
//! `line_index` maps byte offsets to lines and columns; `config` and `fix` sit beside the core;
//! `cli` is one edge that calls them.

pub mod analysis;
pub mod cli;
pub mod codes;
pub mod config;
pub mod files;
pub mod fix;
pub mod ide;
pub mod line_index;
pub mod server;
#[cfg(test)]
mod test_corpus;
pub mod workspace;
