//! The language server: a thin protocol layer over `analysis`, `ide` and `workspace`.

pub mod convert;
pub mod incremental;
