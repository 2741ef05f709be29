#!/usr/bin/env bash
# article-lsp and yaml-language-server side by side, in one run (BENCHMARKS.md, "Side by side
# with yaml-language-server"):
#
#   bash scripts/bench-yls.sh [SAMPLES]
#
# Installs yaml-language-server 1.25 from npm into target/bench-yls/ (a scratch directory,
# never a dependency of the project), generates the corpus (100,000 and 10,000 articles and the
# special files) with `examples/gen-corpus.rs`, the JSON Schema of the front matter with
# `article-lsp schema`, and the front-matter-only equivalents of the special files for
# yaml-language-server (a `$schema` modeline first); then runs `benches/servers.rs`, which
# drives both servers over stdio and alternates them sample by sample.
#
# Environment: BENCH_DIR (scratch directory, default target/bench-yls), NODE (default: `node`
# on PATH), SEED (corpus seed, default 1). The corpus is generated once per seed and reused.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SAMPLES=${1:-100}
SEED=${SEED:-1}
DIR=${BENCH_DIR:-$ROOT/target/bench-yls}
YLS_VERSION=1.25
NODE=${NODE:-node}

die() { echo "bench-yls: $*" >&2; exit 1; }
command -v "$NODE" >/dev/null || die "node is needed (set NODE=/path/to/node)"
command -v npm >/dev/null || die "npm is needed to install yaml-language-server"
mkdir -p "$DIR"

# yaml-language-server, installed once into the scratch directory.
YLS=$DIR/yls-$YLS_VERSION
if [ ! -e "$YLS/.complete" ]; then
  echo "installing yaml-language-server@~$YLS_VERSION.0 into $YLS"
  rm -rf "$YLS.partial" && mkdir -p "$YLS.partial"
  (cd "$YLS.partial" && echo '{"private":true}' >package.json &&
    npm install --no-audit --no-fund --loglevel=error "yaml-language-server@~$YLS_VERSION.0")
  rm -rf "$YLS" && mv "$YLS.partial" "$YLS" && touch "$YLS/.complete"
fi
YLS_SERVER=$YLS/node_modules/yaml-language-server/bin/yaml-language-server
[ -e "$YLS_SERVER" ] || die "no server script at $YLS_SERVER"

cd "$ROOT"
cargo build --release --bin article-lsp --example gen-corpus
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release
CORPUS=$DIR/corpus-seed$SEED
if [ ! -e "$CORPUS/.complete" ]; then
  rm -rf "$CORPUS" && mkdir -p "$CORPUS"
  "$BIN/examples/gen-corpus" --articles 100000 --seed "$SEED" --special "$CORPUS/100k"
  mv "$CORPUS/100k/special" "$CORPUS/special"
  "$BIN/examples/gen-corpus" --articles 10000 --seed "$SEED" "$CORPUS/10k"
  touch "$CORPUS/.complete"
fi

# The schema and, for yaml-language-server, each special file's front matter alone.
"$BIN/article-lsp" schema >"$CORPUS/front-matter.schema.json"
mkdir -p "$CORPUS/yls"
for file in "$CORPUS"/special/*.md; do
  name=$(basename "$file" .md)
  {
    echo "# yaml-language-server: \$schema=file://$CORPUS/front-matter.schema.json"
    # The lines between the opening `---` and the closing one.
    awk 'NR == 1 { next } /^---[ \t]*$/ { exit } { print }' "$file"
  } >"$CORPUS/yls/$name.yaml"
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_CORPUS=$CORPUS YLS_SERVER=$YLS_SERVER NODE=$NODE BENCH_SAMPLES=$SAMPLES cargo bench --bench servers
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
