//! Mojibake repair: no panic, idempotent, local. (Clean-text identity needs text known to be
//! clean, so it is a property over generated text in `tests/properties.rs` only.)
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::mojibake_repair(&String::from_utf8_lossy(data)));
