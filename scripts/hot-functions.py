#!/usr/bin/env python3
"""The functions a build runs, in the order scripts/release.sh links them first.

    python3 scripts/hot-functions.py BINARY OUT

BINARY is an unstripped build (the `dist` profile keeps its symbols); OUT receives its
functions, one symbol per line, for lld's --symbol-ordering-file. Needs valgrind.

Why: the kernel maps an executable's cached pages 64 KiB around each page a process touches,
so code that runs spread over the whole `.text` keeps nearly all of it resident in every
server process. Linked first, the functions a session runs sit in a few hundred KiB.

The functions come from three profiles under callgrind, in the order of what every process
runs most: (1) the edit loop, which every editor session repeats on each keystroke: a server
with no workspace, documents opened and edited in the front matter (a top-level value and an
entry of a long `related` list), in the body and in a plain-text page; (2) a workspace session
on the repository's examples: indexing and every request an editor sends; (3) the command line.
Within a profile, functions keep the order they first ran; a function appears once, at its
first profile. The list is made from the very build it orders (scripts/release.sh profiles
then relinks), so no name is stale.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


class Server:
    """A server under callgrind, spoken to over stdio."""

    def __init__(self, binary, profile):
        command = ["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={profile}", binary]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.next_id = 100

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                sys.exit("hot-functions.py: the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def wait(self, predicate):
        while True:
            message = self.receive()
            if predicate(message):
                return message
            if message.get("id") is not None and "method" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    def request(self, method, params):
        self.next_id += 1
        ident = self.next_id
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == ident and "method" not in m)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def initialize(self, workspace):
        root_uri = "file://" + workspace if workspace else None
        # What VS Code and Neovim announce that changes what the server runs: every function a
        # real client's session runs must be in the list, or each one left out keeps another
        # 64 KiB of code resident.
        capabilities = {"general": {"positionEncodings": ["utf-16"]},
                        "window": {"workDoneProgress": True},
                        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True},
                                      "workspaceEdit": {"documentChanges": True}, "applyEdit": True,
                                      "configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                        "textDocument": {"hover": {"contentFormat": ["markdown"]},
                                         "completion": {"completionItem": {"snippetSupport": True}},
                                         "semanticTokens": {"requests": {"full": {"delta": True}}, "tokenTypes": [],
                                                            "tokenModifiers": [], "formats": ["relative"]},
                                         "publishDiagnostics": {"versionSupport": True}}}
        # Settings as the editor clients send them (editors/): a map to deserialize.
        options = {"severity": {"title-case": "hint"}, "indexWorkspace": True, "inlayHints": {}}
        params = {"processId": None, "rootUri": root_uri, "capabilities": capabilities,
                  "initializationOptions": options}
        if workspace:
            params["workspaceFolders"] = [{"uri": root_uri, "name": "examples"}]
        if "error" in self.request("initialize", params):
            sys.exit("hot-functions.py: the server refused the initialize request")
        self.notify("initialized", {})
        if workspace:
            self.wait(lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end")

    def open(self, uri, text):
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}})
        self.published(uri, 1)

    def published(self, uri, version):
        self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                  and m["params"]["uri"] == uri and m["params"].get("version") == version)

    def type_at(self, uri, version, line, character, count):
        """`count` keystrokes at one place, inserting and deleting a letter in turn; returns
        the last version."""
        for n in range(count):
            version += 1
            at = {"line": line, "character": character}
            end = at if n % 2 == 0 else {"line": line, "character": character + 1}
            change = {"range": {"start": at, "end": end}, "text": "x" if n % 2 == 0 else ""}
            self.notify("textDocument/didChange",
                        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            self.published(uri, version)
        return version

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.process.wait()


def long_article(entries):
    lines = ["---", 'title: "A long list of related articles"', "publishedDateTime: 2021-03-02T10:00:00Z",
             'webUrl: "https://news.example.com/a/long-list.html"',
             "provider:", "  name: Example News", "  domain: news.example.com", "topics:", "  - Science",
             "related:"]
    for n in range(entries):
        date = "2021-02-01T08:00:00Z" if n % 2 else "2021-02-01T08:00:00+02:00"
        lines += [f'  - title: "Related article {n}"', f'    excerpt: "What happened next, part {n}."',
                  f"    publishedDateTime: {date}", f'    webUrl: "https://other.example.org/{n}.html"',
                  "    provider:", "      name: Other Paper", "      domain: other.example.org"]
    return "\n".join(lines + ["---", "The body.", ""])


def example_documents():
    documents = []
    for folder, _, names in sorted(os.walk(EXAMPLES)):
        for name in sorted(names):
            if name.endswith((".md", ".txt")):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as file:
                    documents.append(("file://" + path, file.read()))
    return documents


def edit_loop(binary, profile):
    """Profile 1: documents opened and typed into, with no workspace."""
    server = Server(binary, profile)
    server.initialize(None)
    long_uri = "file:///hot-functions/long-list.md"
    text = long_article(300)
    server.open(long_uri, text)
    lines = text.split("\n")
    entry = next(i for i, line in enumerate(lines) if line.startswith('  - title: "Related article 150"'))
    version = server.type_at(long_uri, 1, entry + 1, 14, 8)  # inside one related entry
    version = server.type_at(long_uri, version, 1, 10, 4)  # a top-level value
    server.type_at(long_uri, version, len(lines) - 2, 4, 4)  # the body
    for uri, text in example_documents():
        server.open(uri, text)
        lines = text.split("\n")
        version = 1
        if len(lines) > 1:  # the front matter's first entry, then the last line
            version = server.type_at(uri, version, 1, min(len(lines[1]), 2), 4)
        server.type_at(uri, version, len(lines) - 1, 0, 4)
    server.close()


def workspace_session(binary, profile):
    """Profile 2: the examples as a workspace, and what an editor asks of each document."""
    server = Server(binary, profile)
    server.initialize(EXAMPLES)
    for uri, text in example_documents():
        server.open(uri, text)
        doc = {"uri": uri}
        lines = text.split("\n")
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": len(lines) - 1, "character": 0}}
        for line in range(0, min(len(lines), 40), 3):
            position = {"line": line, "character": min(len(lines[line]), 6)}
            for method in ("hover", "completion", "definition"):
                server.request("textDocument/" + method, {"textDocument": doc, "position": position})
        server.request("textDocument/codeAction", {"textDocument": doc, "range": whole, "context": {"diagnostics": []}})
        for method in ("semanticTokens/full", "documentSymbol", "foldingRange", "documentLink", "codeLens"):
            server.request("textDocument/" + method, {"textDocument": doc})
        server.request("textDocument/inlayHint", {"textDocument": doc, "range": whole})
        server.request("textDocument/selectionRange", {"textDocument": doc, "positions": [{"line": 1, "character": 3}]})
        server.request("textDocument/diagnostic", {"textDocument": doc})
        server.type_at(uri, 1, 1, 2 if len(lines) > 1 and len(lines[1]) >= 3 else 0, 2)
        server.request("textDocument/semanticTokens/full/delta", {"textDocument": doc, "previousResultId": "0"})
    server.request("workspace/symbol", {"query": "vacc"})
    server.close()


def command_line(binary, profile_dir):
    """Profile 3: the CLI's checks and the mojibake fix."""
    def run(name, args, stdin=None):
        command = ["valgrind", "--tool=callgrind", "--demangle=no",
                   f"--callgrind-out-file={profile_dir}/3-{name}.cg", binary] + args
        subprocess.run(command, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    run("check", ["check", EXAMPLES])
    run("json", ["check", "--format", "json", EXAMPLES])
    run("fix", ["fix", "--only", "mojibake", "-"],
        "Organizationâ€™s caf\u00e9 \u201cquoted\u201d\n".encode())


def functions_in_order(profile):
    """Function names of a callgrind profile, in order of first appearance (`fn=(id) name`
    names a function at its first mention; later mentions give the id alone)."""
    names, seen = [], set()
    pattern = re.compile(r"^c?fn=\(\d+\) (.+)$")
    with open(profile, errors="replace") as file:
        for line in file:
            match = pattern.match(line.rstrip("\n"))
            if match and match.group(1) not in seen:
                seen.add(match.group(1))
                names.append(match.group(1))
    return names


def defined_functions(binary):
    listing = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    return {parts[2] for parts in (line.split() for line in listing.splitlines())
            if len(parts) == 3 and parts[1] in "tTwW"}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: hot-functions.py BINARY OUT")
    binary, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    defined = defined_functions(binary)
    if not defined:
        sys.exit(f"hot-functions.py: {binary} has no symbols (build it unstripped)")
    with tempfile.TemporaryDirectory() as profiles:
        edit_loop(binary, f"{profiles}/1-edit.cg")
        workspace_session(binary, f"{profiles}/2-workspace.cg")
        command_line(binary, profiles)
        ordered, seen = [], set()
        for profile in sorted(os.listdir(profiles)):
            for name in functions_in_order(os.path.join(profiles, profile)):
                if name in defined and name not in seen:
                    seen.add(name)
                    ordered.append(name)
    with open(out, "w") as file:
        file.write("".join(name + "\n" for name in ordered))
    print(f"hot-functions.py: {len(ordered)} functions written to {out}")


if __name__ == "__main__":
    main()
