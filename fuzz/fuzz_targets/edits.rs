//! Incremental edits: the rope equals a `String` after the same edits, and incremental
//! findings equal a full check after every edit.
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

use invariants::CharEdit;
use libfuzzer_sys::arbitrary::{Arbitrary, Unstructured};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let initial = String::arbitrary(&mut input).unwrap_or_default();
    let mut edits = Vec::new();
    while edits.len() < 16 && !input.is_empty() {
        let (Ok(start), Ok(len), Ok(insert)) = (u16::arbitrary(&mut input), u8::arbitrary(&mut input), String::arbitrary(&mut input))
        else {
            break;
        };
        let start = usize::from(start);
        edits.push(CharEdit { start, end: start + usize::from(len % 32), insert });
    }
    invariants::incremental_edits(&initial, &edits);
});
