//! Front matter segmentation and the YAML layer on arbitrary text.
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    invariants::yaml_layer(&text);
    // The same text inside delimiters, so every input reaches the YAML parser.
    invariants::yaml_layer(&format!("---\n{text}\n---\n"));
});
