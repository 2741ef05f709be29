#!/usr/bin/env bash
# Every test of the project, the single entry point the README names and CI runs:
#   1. the Rust suite (`cargo test`): unit tests, fixture tests, the CLI as a process, the
#      language server over JSON-RPC (in-process and the binary over stdio), the mojibake
#      round-trip tables, robustness and tidy checks;
#   2. the editor clients end to end in real editors, headless (editors/test.sh): the VS Code
#      extension in code-server driven through Chromium, and the Neovim configuration in
#      Neovim 0.11. The first run installs what they need from the package registries into a
#      cache (see editors/test.sh); later runs reuse it.
# `scripts/test.sh rust` runs only the first part, `scripts/test.sh editors` only the second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

parts=${1:-all}
if [ "$parts" = all ] || [ "$parts" = rust ]; then
  cargo test --locked
fi
if [ "$parts" = all ] || [ "$parts" = editors ]; then
  cargo build --release --locked
  ARTICLE_LSP_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/article-lsp" bash editors/test.sh
fi
