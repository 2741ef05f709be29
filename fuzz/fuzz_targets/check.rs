//! The whole `check` (and `fix`) on arbitrary bytes.
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::check_bytes(data));
