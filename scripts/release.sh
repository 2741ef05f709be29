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
# with LLD (its default for x86_64 Linux since 1.90) and valgrind is here, places the functions
# a session runs first: less code resident in every server process (BENCHMARKS.md, "Language
# server"). scripts/hot-functions.py names them by profiling this very build, then the wheel's
# build links it again in that order: the list can never be stale.
link_flags=(-C strip=symbols)
link_map=$target_dir/dist-link.map
hot_list=$target_dir/hot-functions.txt
rm -f "$link_map" "$hot_list"
# rustc's answer is read whole first: `rustc -vV | grep -q` under pipefail fails at random when
# grep stops reading before rustc has written its last line.
rustc_info=$(rustc -vV)
rustc_release=$(sed -n 's/^release: 1\.\([0-9]*\)\..*/\1/p' <<<"$rustc_info")
if ! grep -qx 'host: x86_64-unknown-linux-gnu' <<<"$rustc_info" || [ "${rustc_release:-0}" -lt 90 ]; then
  echo "release.sh: not linking with LLD here; the hot functions are not grouped" >&2
elif ! command -v valgrind >/dev/null; then
  echo "release.sh: valgrind is not installed; the hot functions are not grouped" >&2
else
  step "the functions a session runs (scripts/hot-functions.py, on the dist build)"
  cargo build --profile dist --locked --bin article-lsp
  if python3 scripts/hot-functions.py "$target_dir/dist/article-lsp" "$hot_list"; then
    link_flags+=(-C "link-arg=-Wl,--symbol-ordering-file=$hot_list"
      -C link-arg=-Wl,--no-warn-symbol-ordering -C "link-arg=-Wl,-Map=$link_map")
  else
    echo "release.sh: WARNING: profiling the build failed; the hot functions are not grouped" >&2
  fi
fi
"$maturin" build --profile dist --locked --out "$out" -- "${link_flags[@]}"
# The same build profiled and linked: every listed function must be in the link map (a name
# missing would mean the two links named functions differently, and the grouping is lost).
if [ -e "$link_map" ]; then
  python3 - "$hot_list" "$link_map" <<'PY'
import sys
listed = [line.strip() for line in open(sys.argv[1]) if line.strip()]
with open(sys.argv[2], errors="replace") as link_map:
    sections = {line.rsplit("(.text.", 1)[1].rstrip().rstrip(")").removeprefix("unlikely.")
                for line in link_map if "(.text." in line}
found = sum(name in sections for name in listed)
print(f"release.sh: {found} of {len(listed)} hot functions linked first")
if found < len(listed) * 95 // 100:
    sys.exit("release.sh: the profiled build and the wheel's build name their functions differently")
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
