#!/usr/bin/env bash
# Builds every install channel's artifact into dist/ (or --out DIR), with SHA-256 checksums:
#   article-lsp-VERSION.crate                  `cargo install article-lsp` (cargo package)
#   article_lsp-VERSION-py3-none-PLATFORM.whl  `pip install article-lsp` (maturin, bindings = "bin")
#   article-lsp-TARGET.vsix                    the VS Code extension with the server bundled
#   SHA256SUMS
# and prints what it built. `--universal` also builds article-lsp-universal.vsix (no server: for
# platforms without a bundled build). `--allow-dirty` packages a working tree with uncommitted
# changes (the install tests do; a real release should not).
#
# Needs: cargo; Node 20+ and npm (the extension); Python 3 with venv. maturin comes from
# $MATURIN, else `maturin` on PATH, else PyPI into a venv under $ARTICLE_LSP_TEST_CACHE
# (default ~/.cache/article-lsp-editor-tests), the cache the editor tests use.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

MATURIN_VERSION=1.16.0
out=$ROOT/dist
universal=0
allow_dirty=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
    --universal) universal=1 ;;
    --allow-dirty) allow_dirty=(--allow-dirty) ;;
    *) echo "release.sh: unknown argument '$1' (expected --out DIR, --universal, --allow-dirty)" >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n=== release: %s\n' "$*"; }
version=$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "article-lsp"))')
target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
rm -rf "$out"
mkdir -p "$out"

step "crate article-lsp $version (cargo package)"
# Not verified here by a build: the install tests build, test and install the unpacked crate.
cargo package --locked --no-verify "${allow_dirty[@]}"
cp "$target_dir/package/article-lsp-$version.crate" "$out/"

# The wheel and the extension bundle the `dist` profile's binary (Cargo.toml: whole-program
# LTO, less code resident in the server); `cargo run --release` keeps the faster-building one.
step "wheel (maturin build --profile dist)"
maturin=${MATURIN:-$(command -v maturin || true)}
if [ -z "$maturin" ]; then
  venv=${ARTICLE_LSP_TEST_CACHE:-$HOME/.cache/article-lsp-editor-tests}/maturin-$MATURIN_VERSION
  if [ ! -e "$venv/.complete" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION"
    touch "$venv/.complete"
  fi
  maturin=$venv/bin/maturin
fi
# The final link strips the symbols (the profile keeps them: Cargo.toml) and, where rustc links
# with LLD (its default for x86_64 Linux since 1.90), places the functions a session runs first
# (scripts/hot-functions.sh): less code resident in every server process (BENCHMARKS.md).
link_flags=(-C strip=symbols)
link_map=$target_dir/dist-link.map
rustc_release=$(rustc -vV | sed -n 's/^release: 1\.\([0-9]*\)\..*/\1/p')
if rustc -vV | grep -qx 'host: x86_64-unknown-linux-gnu' && [ "${rustc_release:-0}" -ge 90 ]; then
  rm -f "$link_map"
  link_flags+=(-C "link-arg=-Wl,--symbol-ordering-file=$ROOT/scripts/hot-functions.txt"
    -C link-arg=-Wl,--no-warn-symbol-ordering -C "link-arg=-Wl,-Map=$link_map")
else
  echo "release.sh: not linking with LLD here; the hot functions are not grouped" >&2
fi
"$maturin" build --profile dist --locked --out "$out" -- "${link_flags[@]}"
# A list gone stale (renamed functions, another toolchain or Cargo.lock) would silently bring
# the spread-out code back: the link map says how many of its functions the binary has.
if [ -e "$link_map" ]; then
  python3 - "$ROOT/scripts/hot-functions.txt" "$link_map" <<'PY'
import sys
listed = [line.strip() for line in open(sys.argv[1]) if line.strip()]
with open(sys.argv[2], errors="replace") as link_map:
    sections = {line.rsplit("(.text.", 1)[1].rstrip().rstrip(")") for line in link_map if "(.text." in line}
found = sum(name in sections for name in listed)
print(f"release.sh: {found} of {len(listed)} hot functions linked first (scripts/hot-functions.txt)")
if found < len(listed) // 2:
    sys.exit("release.sh: scripts/hot-functions.txt is stale: regenerate it with scripts/hot-functions.sh")
PY
fi

step "VS Code extension with the server bundled (npm run package)"
# The executable inside the wheel, so both channels ship the same bytes and the whole-program
# LTO build runs once.
wheel=$(ls "$out"/article_lsp-"$version"-*.whl)
server=$target_dir/dist-from-wheel/article-lsp
rm -rf "$(dirname "$server")" && mkdir -p "$(dirname "$server")"
python3 - "$wheel" "$server" <<'PY'
import os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(".data/scripts/article-lsp")]
    if len(names) != 1:
        sys.exit(f"release.sh: expected one article-lsp executable in {wheel}, found {names}")
    with z.open(names[0]) as src, open(dest, "wb") as out:
        out.write(src.read())
os.chmod(dest, 0o755)
PY
(
  cd editors/vscode
  if ! cmp -s package-lock.json node_modules/.article-lsp-package-lock.json; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.article-lsp-package-lock.json
  fi
  rm -f article-lsp-*.vsix
  ARTICLE_LSP_BIN=$server npm run --silent package
  mv article-lsp-*.vsix "$out/"
  if [ "$universal" = 1 ]; then
    npm run --silent package:universal
    mv article-lsp-universal.vsix "$out/"
  fi
)

step "checksums"
(cd "$out" && sha256sum -- * >SHA256SUMS)

step "built into $out"
(cd "$out" && for file in *; do
  printf '%10s  %s\n' "$(du -h --apparent-size -- "$file" | cut -f1)" "$file"
done && echo && cat SHA256SUMS)
