#!/usr/bin/env bash
# The install channels, tested on a clean environment through the real installers:
#   - the wheel, `pip install dist/*.whl` into a fresh venv, offline (--no-index);
#   - the packaged crate, unpacked, its own `cargo test`, then
#     `cargo install --path <unpacked crate> --root <tmp> --offline --locked`;
# each then runs `article-lsp check` on a copy of examples/ in a temporary folder, which must give
# exactly what the cargo-built binary gives (same findings, same exit status 1). The bundled
# .vsix is tested in VS Code by editors/test.sh (a fresh profile, no server on PATH, no
# server.path).
#
# Usage: scripts/install-test.sh        (run by `scripts/test.sh install`)
#   ARTICLE_LSP_BIN   the cargo-built binary to compare with (default target/release/article-lsp)
# It first builds dist/ with scripts/release.sh --allow-dirty. The packaged crate's tests build
# in the repository's target directory (its dependencies are the ones `cargo test` built; the
# tests recompile because CARGO_MANIFEST_DIR differs); `cargo install` builds in
# target/packaged-crate/, kept between runs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
reference=${ARTICLE_LSP_BIN:-$target_dir/release/article-lsp}
# A fixed "now", so that the three binaries judge future dates alike whenever they run.
NOW=2026-01-01T00:00:00Z
failed=()

step() { printf '\n=== install test: %s\n' "$*"; }
fail() {
  echo "FAIL [install] $*"
  failed+=("$1")
}

python3 -c 'import venv, ensurepip' 2>/dev/null ||
  { echo "install-test.sh: python3 with venv is needed (Debian: apt-get install python3-venv)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/article-lsp-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs `check` with the article-lsp found on PATH=$1 in a fresh copy of examples/, and writes
# its output and exit status to $2.
check_examples() {
  local path=$1 result=$2 dir
  dir=$(mktemp -d "$work/examples.XXXXXX")
  cp -R "$ROOT/examples/." "$dir"
  local status=0
  (cd "$dir" && env PATH="$path" article-lsp check --now "$NOW" .) >"$result" 2>&1 || status=$?
  echo "exit status $status" >>"$result"
}

# Compares a channel's check output with the reference's.
same_as_reference() {
  local channel=$1 result=$2
  if diff -u "$work/reference.out" "$result" >"$work/$channel.diff"; then
    echo "ok: same findings as the cargo-built binary ($(grep -E '^(found|checked) ' "$result"))"
  else
    cat "$work/$channel.diff"
    fail "$channel" "check on examples/ differs from the cargo-built binary"
  fi
}

step "build dist/ (scripts/release.sh)"
bash scripts/release.sh --allow-dirty
version=$(ls dist/article-lsp-*.crate | sed 's/.*article-lsp-\(.*\)\.crate/\1/')

step "reference: the cargo-built binary $reference"
mkdir -p "$work/reference-bin"
ln -s "$reference" "$work/reference-bin/article-lsp"
check_examples "$work/reference-bin:/usr/bin:/bin" "$work/reference.out"
grep -q '^exit status 1$' "$work/reference.out" || fail reference "check examples should exit 1"
grep -E "^(found|checked) " "$work/reference.out"

step "wheel: pip install dist/*.whl into a fresh venv (no network)"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index dist/*.whl
found=$(env PATH="$work/venv/bin:/usr/bin:/bin" sh -c 'command -v article-lsp' || true)
if [ "$found" != "$work/venv/bin/article-lsp" ]; then
  fail wheel "article-lsp is not on the venv's PATH (found: '${found}')"
else
  echo "installed: $found ($("$found" --version))"
  check_examples "$work/venv/bin:/usr/bin:/bin" "$work/wheel.out"
  same_as_reference wheel "$work/wheel.out"
fi

step "crate: unpack dist/article-lsp-$version.crate, cargo test, cargo install --offline"
tar -xzf "dist/article-lsp-$version.crate" -C "$work"
crate=$work/article-lsp-$version
export CARGO_TARGET_DIR=$target_dir
if ! (cd "$crate" && cargo test --offline --locked); then
  fail crate "cargo test fails in the packaged crate (a file the tests need is missing from Cargo.toml's include?)"
# Its own target directory: sharing the repository's would let cargo reuse the repository's
# release build (the root package's hash does not depend on its path), so nothing would prove
# that the packaged sources build. One release build of everything.
elif ! (cd "$crate" && CARGO_TARGET_DIR=$target_dir/packaged-crate cargo install --path . --root "$work/cargo-root" --offline --locked); then
  fail crate "cargo install of the packaged crate failed"
else
  echo "installed: $work/cargo-root/bin/article-lsp ($("$work/cargo-root/bin/article-lsp" --version))"
  check_examples "$work/cargo-root/bin:/usr/bin:/bin" "$work/crate.out"
  same_as_reference crate "$work/crate.out"
fi

step "done"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "install tests passed (wheel, packaged crate; the .vsix: editors/test.sh)"
