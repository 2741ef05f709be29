#!/usr/bin/env bash
# The hostile-input table: generates hostile files, workspaces and protocol sessions in a temp
# dir, runs the CLI and the language server on each (bounded by a timeout) and prints one
# Markdown row per case: what happened, wall time and peak RSS.
#
#   scripts/hostile.sh [BINARY]      (default: target/release/article-lsp, built if missing)
#
# Needs python3 (input generation and the JSON-RPC driver) and GNU time. Takes a few minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/article-lsp}
[[ -x $bin ]] || cargo build --release --quiet || exit 2
bin=$(realpath "$bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp" <<'PY'
import os, random, sys
d = sys.argv[1]
rnd = random.Random(9)
head = "---\ntitle: T\npublishedDateTime: 2024-01-01T00:00:00Z\nwebUrl: https://a.example.com/x\nprovider:\n  name: A\n  domain: a.example.com\n"
def w(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
w("binary.md", bytes(rnd.getrandbits(8) for _ in range(1 << 20)))
w("nul.md", head + "---\nBody\0with\0NULs\n" * 1000)
w("utf16.md", (head + "---\nBody é 中\n").encode("utf-16"))
w("bom.md", b"\xef\xbb\xbf")
w("empty.md", b"")
w("dashes.md", "---")
line = "A line of body text, fairly ordinary, with a date 2021-02-03 in it.\n"
w("100mb.md", head + "---\n" + line * (100_000_000 // len(line)))
w("1m-lines.md", head + "---\n" + "line\n" * 1_000_000)
w("10mb-line.md", head + "---\n" + "word " * 2_000_000)
w("100k-keys.md", "---\n" + "".join(f"key{i}: value\n" for i in range(100_000)) + "---\n")
w("nest-flow.md", head + "deep: " + "[" * 10_000 + "]" * 10_000 + "\n---\n")
w("nest-block.md", head + "deep:\n  " + "- " * 10_000 + "x\n---\n")
bomb = head + 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
for i in range(1, 12):
    bomb += f"{chr(97+i)}: &{chr(97+i)} [" + ",".join([f"*{chr(96+i)}"] * 9) + "]\n"
w("alias-bomb.md", bomb + "---\n")
w("1mb-scalar.md", head + "excerpt: \"" + "x" * 1_000_000 + "\"\n---\n")
w("cr-only.md", (head + "---\nBody\nmore\n").replace("\n", "\r") * 1000)
w("mixed-eol.md", "".join(rnd.choice(["a\n", "b\r\n", "c\r", "\r\n\r", "\n\r"]) for _ in range(100_000)))
w("u2028.md", head + "---\n" + "para\u2028graph\u0085next\u2029\n" * 10_000)
w("latin1-line.md", head + "---\n" + "".join(chr(rnd.randrange(0xa0, 0x100)) for _ in range(1_000_000)) + "\n")
os.mkfifo(os.path.join(d, "fifo.md"))
os.makedirs(os.path.join(d, "loop/a"))
os.symlink("..", os.path.join(d, "loop/a/up"))
os.symlink(os.path.join(d, "loop"), os.path.join(d, "loop/a/self"))
w("loop/a/x.md", head + "---\n")
for i in range(100):
    os.makedirs(os.path.join(d, f"many/d{i}"))
    for j in range(1000):
        w(f"many/d{i}/{j}.md", head + f"---\nBody {i} {j}.\n")
PY

# One row: case, what happened, seconds, peak RSS; the command runs with a 300 s limit.
row() {
    local case=$1 expect=$2
    shift 2
    /usr/bin/time -f '%e %M' -o "$tmp/time" timeout 300 "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$? secs kb what
    read -r secs kb < <(tail -1 "$tmp/time")
    case $rc in
        124) what="**timeout**" ;;
        134 | 137 | 139) what="**crashed ($rc)**" ;;
        *) what="exit $rc" ;;
    esac
    local note
    note=$(grep -o -m1 -E "$expect" "$tmp/out" "$tmp/err" 2>/dev/null | head -1 | cut -d: -f2- | cut -c1-70)
    printf '| %s | %s%s | %s s | %s MB |\n' "$case" "$what" "${note:+; $note}" "$secs" "$((kb / 1024))"
}

echo "| case (CLI \`check\`) | behaviour | time | peak RSS |"
echo "|---|---|---|---|"
cli_case() { row "$1" "$3" "$bin" check "$tmp/$2"; }
cli_case "binary (1 MB random)" binary.md 'error\[[a-z-]+\]|error: .*|found .*'
cli_case "NUL bytes" nul.md 'control-char|found .*'
cli_case "UTF-16 with BOM" utf16.md 'not-utf8|found .*|error: .*'
cli_case "lone BOM" bom.md 'missing-field|found .*|no problems'
cli_case "empty" empty.md 'found .*|no problems'
cli_case "only ---" dashes.md 'unterminated-front-matter|found .*'
cli_case "100 MB article" 100mb.md 'found .*|no problems'
cli_case "1,000,000 lines" 1m-lines.md 'found .*|no problems'
cli_case "10 MB single line" 10mb-line.md 'found .*|no problems'
cli_case "100,000 keys" 100k-keys.md 'found .*'
cli_case "10,000-level nesting, flow" nest-flow.md 'nested more than [0-9]+ levels'
cli_case "10,000-level nesting, block" nest-block.md 'nested more than [0-9]+ levels'
cli_case "alias bomb (9^12)" alias-bomb.md 'found .*|no problems'
cli_case "1 MB scalar" 1mb-scalar.md 'found .*|no problems'
cli_case "CR-only line endings" cr-only.md 'found .*|no problems'
cli_case "mixed line endings" mixed-eol.md 'found .*|no problems'
cli_case "U+2028 / U+0085" u2028.md 'control-char|found .*'
cli_case "1M random Latin-1 chars, one line" latin1-line.md 'found .*'
cli_case "FIFO named explicitly" fifo.md 'error: .*'
row "FIFO in a folder" 'found .*|error: .*|no problems' "$bin" check "$tmp/loop" "$tmp/fifo.md"
cli_case "symlink loop (folder)" loop 'found .*|no problems'
cli_case "100,000 files (folder)" many 'found .*|no problems'

echo
echo "| case (server, raw JSON-RPC over stdio) | behaviour | time | peak RSS |"
echo "|---|---|---|---|"
python3 - "$bin" "$tmp" <<'PY'
import json, os, random, subprocess, sys, threading, time, queue

BIN, TMP = sys.argv[1], sys.argv[2]

def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body

class Server:
    def __init__(self, root=None):
        self.p = subprocess.Popen([BIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.q = queue.Queue()
        self.all = []  # every message received, for counting after the fact
        self.peak = 0
        self.start = time.monotonic()
        threading.Thread(target=self.read, daemon=True).start()
        threading.Thread(target=self.watch, daemon=True).start()
        self.next_id = 1
        self.root = root

    def watch(self):
        while self.p.poll() is None:
            try:
                with open(f"/proc/{self.p.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.peak = max(self.peak, int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.05)

    def read(self):
        out = self.p.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.q.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length))
            if "id" in msg and "method" in msg:
                self.raw(frame({"jsonrpc": "2.0", "id": msg["id"], "result": None}))
            self.all.append(msg)
            self.q.put(msg)

    def raw(self, data):
        try:
            self.p.stdin.write(data)
            self.p.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def send(self, obj):
        self.raw(frame(obj))

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params, wait=True):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == i and "method" not in m) if wait else i

    def wait(self, pred, limit=120):
        deadline = time.monotonic() + limit
        while True:
            try:
                m = self.q.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return "timeout"
            if m is None:
                return "closed"
            if pred(m):
                return m

    def init(self, progress=False):
        uri = f"file://{self.root}" if self.root else None
        folders = [{"uri": uri, "name": "ws"}] if uri else None
        caps = {"window": {"workDoneProgress": progress}}
        self.request("initialize", {"processId": None, "rootUri": uri, "workspaceFolders": folders, "capabilities": caps})
        self.notify("initialized", {})

    def finish(self):
        r = self.request("shutdown", None)
        self.notify("exit", None)
        try:
            code = self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            code = "hung"
        return r, code

def report(case, what, server):
    secs = time.monotonic() - server.start
    print(f"| {case} | {what} | {secs:.2f} s | {server.peak // 1024} MB |", flush=True)

def alive(s):
    r = s.request("workspace/symbol", {"query": ""})
    return "answers after" if isinstance(r, dict) and "result" in r else f"**no answer ({r})**"

def parse_errors(s):
    time.sleep(0.3)
    return sum(1 for m in s.all if m.get("error", {}).get("code") == -32700 and m.get("id") is None)

def bad_frame(case, data):
    s = Server()
    s.init()
    s.raw(data)
    ok = alive(s)
    n = parse_errors(s)
    _, code = s.finish()
    report(case, f"{n} Parse error, {ok}, exit {code}", s)

valid = json.dumps({"jsonrpc": "2.0", "method": "initialized", "params": {}}).encode()
bad_frame("malformed JSON", b"Content-Length: 10\r\n\r\n{\"jsonrpc\"")
bad_frame("invalid UTF-8", b"Content-Length: 4\r\n\r\n\"\xff\xfe\"")
bad_frame("Content-Length too short", b"Content-Length: %d\r\n\r\n" % (len(valid) - 9) + valid)
bad_frame("Content-Length too long", b"Content-Length: %d\r\n\r\n" % (len(valid) + 50) + valid)
bad_frame("no Content-Length", b"Content-Type: x\r\n\r\n{}")

s = Server(); s.init()
r1 = s.request("$/unknownThing", {})
r2 = s.request("articleLsp/unknown", {})
s.notify("$/unknownNotification", {})
_, code = s.finish()
report("unknown methods (`$/x` request, `x/y` request, `$/x` notification)",
       f"{r1.get('error', {}).get('code')}, {r2.get('error', {}).get('code')}, ignored; exit {code}", s)

s = Server()
r = s.request("textDocument/hover", {"textDocument": {"uri": "file:///x.md"}, "position": {"line": 0, "character": 0}})
s.init()
_, code = s.finish()
report("request before initialize", f"error {r.get('error', {}).get('code')}; exit {code}", s)

s = Server(); s.init()
uri = "file:///tmp/h.md"
s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": "---\ntitle: a\n---\n"}})
far = {"start": {"line": 999, "character": 999}, "end": {"line": 5000, "character": 1 << 31}}
s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": far, "text": "tail"}]})
h = s.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 10**6, "character": 10**6}})
t = s.request("articleLsp/documentText", {"uri": uri})
_, code = s.finish()
report("ranges past the end (edit and hover)", f"clamped; hover {'ok' if 'result' in h else h}; text ends {json.dumps((t.get('result') or {}).get('text', '')[-12:])}; exit {code}", s)

s = Server(); s.init()
s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 10, "text": "x"}})
s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "cafÃ©\n"}]})
m = s.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == 3, limit=10)
_, code = s.finish()
report("version going backwards (10 → 3)", ("published v3" if isinstance(m, dict) else f"**v3 not published ({m})**") + f"; exit {code}", s)

s = Server(); s.init()
text = "---\ntitle: Storm\n---\n" + "Organizationâ€™s line\n" * 2000
s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}})
rnd = random.Random(3)
ids = []
for v in range(2, 10_002):
    lines = text.count("\n")
    line = rnd.randrange(lines)
    ins = rnd.choice(["x", "é", "\n", "â€™", "😀", ""])
    start = {"line": line, "character": 0}
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"range": {"start": start, "end": start}, "text": ins}]})
    parts = text.split("\n")
    parts[line] = ins + parts[line]
    text = "\n".join(parts)
    if v % 50 == 0:
        ids.append(s.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line, "character": 1}}, wait=False))
t = s.request("articleLsp/documentText", {"uri": uri})
m = s.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == 10_001, limit=60)
same = isinstance(t, dict) and t.get("result", {}).get("text") == text
_, code = s.finish()
report("10,000-edit storm, 200 interleaved hovers", f"final text {'equal' if same else '**differs**'}; last version {'published' if isinstance(m, dict) else m}; exit {code}", s)

s = Server(); s.init()
i = s.request("workspace/symbol", {"query": "zzz"}, wait=False)
s.notify("$/cancelRequest", {"id": i})
r = s.wait(lambda m: m.get("id") == i, limit=10)
_, code = s.finish()
report("`$/cancelRequest`", f"request answered ({'cancelled' if isinstance(r, dict) and 'error' in r else 'completed'}); exit {code}", s)

for name in ["nest-flow.md", "nest-block.md"]:
    s = Server(); s.init()
    body = open(os.path.join(TMP, name), encoding="utf-8").read()
    s.notify("textDocument/didOpen", {"textDocument": {"uri": f"file:///tmp/{name}", "languageId": "markdown", "version": 1, "text": body}})
    m = s.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    msg = next((d["message"] for d in m["params"]["diagnostics"] if d.get("code") == "yaml-syntax"), None) if isinstance(m, dict) else m
    _, code = s.finish()
    report(f"10,000-level nesting, {name[5:-3]}, didOpen", f"{msg}; exit {code}", s)

import shutil
nest = os.path.join(TMP, "nestws")
os.makedirs(nest)
for name in ["nest-flow.md", "nest-block.md"]:
    shutil.copy(os.path.join(TMP, name), nest)
for root, case in [(nest, "indexing a folder of 10,000-level files"), (os.path.join(TMP, "loop"), "indexing a symlink loop"), (os.path.join(TMP, "many"), "indexing 100,000 files")]:
    s = Server(root); s.init(progress=True)
    m = s.wait(lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == "end", limit=280)
    n = s.request("workspace/symbol", {"query": "T"})
    _, code = s.finish()
    report(case, f"indexed ({m['params']['value'].get('message', '') if isinstance(m, dict) else m}); exit {code}", s)

s = Server(os.path.join(TMP, "many")); s.init(progress=True)
s.wait(lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == "begin")
t0 = time.monotonic()
_, code = s.finish()
report("shutdown during indexing (100,000 files)", f"exit {code} {time.monotonic() - t0:.2f} s after shutdown", s)
PY
