#!/usr/bin/env bash
# Seeds each target's corpus from examples/ and tests/fixtures/, then fuzzes each target for
# SECONDS (default 300) and prints executions and crashes. Needs cargo-fuzz and a nightly
# toolchain (libFuzzer's instrumentation); `cargo +nightly fuzz build` builds the targets.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_PER_TARGET:-300}
# Smaller inputs run many more executions per second (the edits target re-checks the whole
# text after every edit); 65536 lets the seeds from examples/ in whole.
max_len=${MAX_LEN:-65536}
# The crate has no `unsafe` code, so AddressSanitizer mostly costs speed (2-3x fewer
# executions); SANITIZER=address turns it back on.
sanitizer=${SANITIZER:-none}
targets=${*:-check yaml mojibake positions edits}
cargo +nightly fuzz build -O -s "$sanitizer"
for target in $targets; do
    mkdir -p "corpus/$target"
    find ../examples ../tests/fixtures -type f \( -name '*.md' -o -name '*.txt' \) -exec cp -n {} "corpus/$target/" \; 2>/dev/null || true
    log="artifacts/$target.log"
    mkdir -p artifacts
    cargo +nightly fuzz run -O -s "$sanitizer" "$target" -- -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || true
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    crashes=$(find "artifacts/$target" -type f 2>/dev/null | wc -l)
    echo "$target: ${seconds}s, $runs executions, $crashes crash inputs (log: fuzz/$log)"
done
