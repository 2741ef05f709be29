#!/usr/bin/env bash
# Regenerates scripts/hot-functions.txt: the functions the `dist` build runs in a typical
# editor session and a CLI check, in the order they first run. scripts/release.sh links them
# first (lld's --symbol-ordering-file), so the code a session runs sits in a few hundred KiB
# of the executable instead of being spread over all of it. The kernel maps an executable's
# pages around each one touched, so spread-out code kept ~5.5 MiB of the ~7 MiB of code
# resident in every server process; grouped, 1.4 MiB in the release build (BENCHMARKS.md,
# "Language server").
#
# The names are those of the `dist` profile with its symbols kept (Cargo.toml): they stay
# valid while a function keeps its path and signature, the toolchain and Cargo.lock. A stale
# name only leaves its function where the linker would have put it; rerun this after large
# changes or a toolchain update and commit the result.
#
# Usage: scripts/hot-functions.sh        (needs valgrind and python3; builds dist: 20-45 min)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=scripts/hot-functions.txt
command -v valgrind >/dev/null || { echo "hot-functions.sh: valgrind is needed" >&2; exit 2; }

cargo build --profile dist --locked --bin article-lsp
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target_dir/dist/article-lsp
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
profile() { valgrind --tool=callgrind --demangle=no --callgrind-out-file="$tmp/$1.cg" "${@:2}"; }

# 1. The server: a workspace (the examples), every document opened, edited in the front matter
# and the body, and asked what an editor asks; then a long `related` list edited in an entry.
python3 - "$bin" "$root/examples" "$tmp" <<'PY'
import json, os, subprocess, sys
binary, workspace, tmp = sys.argv[1:4]
server = subprocess.Popen(["valgrind", "--tool=callgrind", "--demangle=no",
                           f"--callgrind-out-file={tmp}/1-server.cg", binary],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
next_id = 100

def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()

def receive():
    length = None
    while True:
        line = server.stdout.readline()
        if not line:
            sys.exit("hot-functions.sh: the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length"):
            length = int(line.split(b":")[1])
    return json.loads(server.stdout.read(length))

def wait(predicate):
    while True:
        message = receive()
        if predicate(message):
            return message
        if message.get("id") is not None and "method" in message:
            send({"jsonrpc": "2.0", "id": message["id"], "result": None})

def request(method, params):
    global next_id
    next_id += 1
    send({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params})
    return wait(lambda m: m.get("id") == next_id and "method" not in m)

def published(uri, version):
    wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
         and m["params"]["uri"] == uri and m["params"].get("version") == version)

root_uri = "file://" + workspace
capabilities = {"window": {"workDoneProgress": True},
                "textDocument": {"hover": {"contentFormat": ["markdown"]},
                                 "semanticTokens": {"requests": {"full": {"delta": True}}, "tokenTypes": [],
                                                    "tokenModifiers": [], "formats": ["relative"]},
                                 "publishDiagnostics": {"versionSupport": True}}}
send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": root_uri, "capabilities": capabilities,
                 "workspaceFolders": [{"uri": root_uri, "name": "examples"}]}})
if "error" in wait(lambda m: m.get("id") == 1):
    sys.exit("hot-functions.sh: the server refused the initialize request")
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
wait(lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end")

def long_article(entries):
    lines = ["---", 'title: "A long list of related articles"', "publishedDateTime: 2021-03-02T10:00:00Z",
             'webUrl: "https://news.example.com/a/long-list.html"',
             "provider:", "  name: Example News", "  domain: news.example.com", "topics:", "  - Science", "related:"]
    for n in range(entries):
        lines += [f'  - title: "Related article {n}"', f'    excerpt: "What happened next, part {n}."',
                  "    publishedDateTime: 2021-02-01T08:00:00Z", f'    webUrl: "https://other.example.org/{n}.html"',
                  "    provider:", "      name: Other Paper", "      domain: other.example.org"]
    return "\n".join(lines + ["---", "The body.", ""])

documents = []
for folder, _, names in sorted(os.walk(workspace)):
    for name in sorted(names):
        if name.endswith((".md", ".txt")):
            path = os.path.join(folder, name)
            documents.append(("file://" + path, open(path, encoding="utf-8", errors="replace").read()))
documents.append(("file://" + workspace + "/long-list.md", long_article(300)))

for uri, text in documents:
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}})
    published(uri, 1)
    doc = {"uri": uri}
    lines = text.split("\n")
    last = len(lines) - 1
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": last, "character": 0}}
    for line in range(0, min(len(lines), 40), 3):
        position = {"line": line, "character": min(len(lines[line]), 6)}
        request("textDocument/hover", {"textDocument": doc, "position": position})
        request("textDocument/completion", {"textDocument": doc, "position": position})
        request("textDocument/definition", {"textDocument": doc, "position": position})
    request("textDocument/codeAction", {"textDocument": doc, "range": whole, "context": {"diagnostics": []}})
    for method in ("semanticTokens/full", "documentSymbol", "foldingRange", "documentLink", "codeLens"):
        request("textDocument/" + method, {"textDocument": doc})
    request("textDocument/inlayHint", {"textDocument": doc, "range": whole})
    request("textDocument/selectionRange", {"textDocument": doc, "positions": [{"line": 1, "character": 3}]})
    request("textDocument/diagnostic", {"textDocument": doc})
    # Keystrokes: in the second line (the front matter's first entry), then in the body.
    version = 1
    for line in (1, last):
        for insert in (True, False, True, False):
            version += 1
            at = {"line": line, "character": 2 if line < len(lines) and len(lines[line]) >= 3 else 0}
            end = at if insert else {"line": at["line"], "character": at["character"] + 1}
            change = {"range": {"start": at, "end": end}, "text": "x" if insert else ""}
            send({"jsonrpc": "2.0", "method": "textDocument/didChange",
                  "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})
            published(uri, version)
    request("textDocument/semanticTokens/full/delta", {"textDocument": doc, "previousResultId": "0"})
request("workspace/symbol", {"query": "vacc"})
request("shutdown", None)
send({"jsonrpc": "2.0", "method": "exit"})
server.wait()
PY

# 2. The command line, after the server: its own code goes behind the server's.
profile 2-check "$bin" check examples >/dev/null || true
profile 3-json "$bin" check --format json examples >/dev/null || true
printf 'Organizationâ€™s caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d\n' | profile 4-fix "$bin" fix --only mojibake - >/dev/null || true

# Every function named in the profiles, in the order of first appearance, that the binary defines.
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ {print $3}' | sort -u >"$tmp/defined"
for file in "$tmp"/*.cg; do
  sed -n -E 's/^c?fn=\([0-9]+\) (.+)$/\1/p' "$file"
done | awk '!seen[$0]++' >"$tmp/run"
awk 'NR == FNR {defined[$0] = 1; next} defined[$0]' "$tmp/defined" "$tmp/run" >"$out"
echo "hot-functions.sh: $(wc -l <"$out") functions written to $out"
