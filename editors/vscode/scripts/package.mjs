// Packages the extension. By default for this machine's platform, with the server bundled:
//   npm run package                 -> article-lsp-<target>.vsix (e.g. article-lsp-linux-x64.vsix)
//   npm run package -- --universal  -> article-lsp-universal.vsix, no server (found on PATH or
//                                      through articleLsp.server.path)
// The server is $ARTICLE_LSP_BIN, else the repository's target/dist/article-lsp (built with
// `cargo build --profile dist --locked` when missing: what users install). It is copied to server/ and stripped of its
// symbols (when `strip` exists), which makes it several times smaller.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(extensionDir, "../..");
const serverDir = path.join(extensionDir, "server");
const exe = process.platform === "win32" ? ".exe" : "";

// VS Code's platform names (`vsce package --target`) for Node's platform and architecture.
function vscodeTarget() {
  const arch = { x64: "x64", arm64: "arm64", arm: "armhf" }[process.arch];
  const platform = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform];
  if (!arch || !platform) {
    fail(`no VS Code target for ${process.platform}-${process.arch}; use --universal`);
  }
  const musl = platform === "linux" && !process.report?.getReport().header.glibcVersionRuntime;
  return `${musl ? "alpine" : platform}-${arch}`;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(2);
}

function run(command, args, options = {}) {
  const res = spawnSync(command, args, { stdio: "inherit", shell: process.platform === "win32", ...options });
  if (res.error) {
    fail(`${command}: ${res.error.message}`);
  }
  return res.status ?? 1;
}

function serverBinary() {
  if (process.env.ARTICLE_LSP_BIN) {
    return path.resolve(process.env.ARTICLE_LSP_BIN);
  }
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR)
    : path.join(repoRoot, "target");
  const built = path.join(targetDir, "dist", `article-lsp${exe}`);
  if (!fs.existsSync(built)) {
    console.log(`package: building the server (cargo build --profile dist --locked)`);
    if (run("cargo", ["build", "--profile", "dist", "--locked", "--bin", "article-lsp"], { cwd: repoRoot }) !== 0) {
      fail("cargo build --profile dist failed");
    }
  }
  return built;
}

function bundle(binary) {
  if (!fs.existsSync(binary)) {
    fail(`no server binary at ${binary}`);
  }
  fs.rmSync(serverDir, { recursive: true, force: true });
  fs.mkdirSync(serverDir);
  const copy = path.join(serverDir, `article-lsp${exe}`);
  fs.copyFileSync(binary, copy);
  fs.chmodSync(copy, 0o755);
  if (process.platform !== "win32" && run("strip", [copy], { stdio: "ignore" }) !== 0) {
    console.log("package: `strip` not available; bundling the binary as built");
  }
  console.log(`package: bundled ${binary} (${(fs.statSync(copy).size / 1e6).toFixed(1)} MB)`);
}

const universal = process.argv.includes("--universal");
const target = universal ? undefined : vscodeTarget();
const out = `article-lsp-${target ?? "universal"}.vsix`;
if (universal) {
  fs.rmSync(serverDir, { recursive: true, force: true });
} else {
  bundle(serverBinary());
}
const vsce = path.join(extensionDir, "node_modules", ".bin", `vsce${process.platform === "win32" ? ".cmd" : ""}`);
const args = ["package", "--no-dependencies", "--out", out, ...(target ? ["--target", target] : [])];
const status = run(vsce, args, { cwd: extensionDir });
// server/ exists only for packaging: a later universal package or a development host must not
// pick up a stale copy.
fs.rmSync(serverDir, { recursive: true, force: true });
if (status !== 0) {
  fail(`vsce ${args.join(" ")} failed`);
}
console.log(`package: ${path.join(extensionDir, out)}`);
