//! Position conversions: round trips in UTF-8/16/32 and clamping of any (line, column).
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

use libfuzzer_sys::arbitrary::{Arbitrary, Unstructured};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let probes = Vec::<(u32, u32)>::arbitrary(&mut input).unwrap_or_default();
    let text = String::from_utf8_lossy(input.take_rest());
    invariants::positions(&text, &probes);
});
