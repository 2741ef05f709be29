//! The pure analysis core: text (plus configuration and the current time) in, diagnostics out.
//! No IO, no clock, no protocol types.

mod diagnostic;
pub mod mojibake;

pub use diagnostic::{Code, Diagnostic, Edit, Fix, Related, Severity};
