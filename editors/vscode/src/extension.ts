// The VS Code client of article-lsp: it finds the server (the configured one, the one bundled
// in a platform-specific package, or the one on PATH), starts it for article files, passes the
// settings through and shows its state in the status bar. Every feature (checks, repairs,
// completion, hovers, rename, code lenses, links, hints, the fix-all, fix-workspace and re-index
// commands) lives in the server, so other editors get the same behaviour; the client only maps
// the code lenses' `articleLsp.showReferences` to VS Code's references peek.

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  ReferencesRequest,
  State,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from "vscode-languageclient/node";
// The client's own progress notification (what it shows for every token by default); not
// re-exported by the package's entry point.
import { ProgressPart } from "vscode-languageclient/lib/common/progressPart";
import { StatusItem, progressText } from "./status";

const SECTION = "articleLsp";
const CONFIG_FILE = "article-lsp.toml";
const SERVER_NAME = process.platform === "win32" ? "article-lsp.exe" : "article-lsp";

// What a new `article-lsp.toml` holds: every setting has a default, the file marks the folder.
const MINIMAL_CONFIG =
  "# article-lsp checks the articles under this folder. Every setting has a default; see\n" +
  "# https://github.com/article-lsp/article-lsp#configuration for what can go here.\n";

// Settings whose change needs a new server process or a new document selector.
const RESTART_SETTINGS = ["server.path", "files.patterns", "files.scope"];
// Settings the server accepts in `initializationOptions` and `workspace/didChangeConfiguration`.
const SERVER_SETTINGS = ["configPath", "severity", "indexWorkspace", "inlayHints"];

// A document filter by glob (and scheme): articles are found by where they are, not by language.
type ArticleFilter = { scheme?: string; pattern: string };

// The server to start, and which rule of the lookup found it.
type Server = { command: string; source: string };

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
// The messages with the server, when `articleLsp.trace.server` asks for them: a channel of their
// own, so that the extension's own lines stay readable.
let traceOutput: vscode.OutputChannel;
let status: StatusItem;
// Where a platform-specific package carries the server (nothing there in the universal package).
let bundledServer: string;
// The last problem shown in a notification, until the server starts.
let lastReport: string | undefined;
// Restarts run one after another, so that two triggers at once never start two servers.
let restarting: Promise<void> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Article LSP");
  traceOutput = vscode.window.createOutputChannel("Article LSP Trace");
  status = new StatusItem(SECTION);
  bundledServer = context.asAbsolutePath(path.join("server", SERVER_NAME));
  context.subscriptions.push(output, traceOutput, status);

  context.subscriptions.push(
    vscode.commands.registerCommand(`${SECTION}.restartServer`, restart),
    vscode.commands.registerCommand(`${SECTION}.showOutput`, () => output.show(true)),
    vscode.commands.registerCommand(`${SECTION}.showReferences`, showReferences),
    vscode.commands.registerCommand(`${SECTION}.enableInFolder`, enableInFolder),
    vscode.commands.registerCommand(`${SECTION}.enableEverywhere`, () =>
      vscode.workspace.getConfiguration(SECTION).update("files.scope", "everywhere", vscode.ConfigurationTarget.Global),
    ),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        await restart();
      } else if (SERVER_SETTINGS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        await client?.sendNotification("workspace/didChangeConfiguration", {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
  );

  // A configuration file that appears or disappears changes which folders hold articles. Edits
  // of an existing one are the server's business (it watches them itself).
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`, false, true, false);
  context.subscriptions.push(watcher, watcher.onDidCreate(restart), watcher.onDidDelete(restart));

  await restart();
}

export async function deactivate(): Promise<void> {
  await stop();
}

// The only way the server is started: the first time, after a setting that needs it, when a
// configuration file appears or disappears, and on the "Restart Server" command.
function restart(): Promise<void> {
  restarting = restarting.then(startAfresh, startAfresh);
  return restarting;
}

async function startAfresh(): Promise<void> {
  await stop();
  status.show({ kind: "starting" });

  const selector = await documentSelector();
  if (selector.length === 0) {
    output.appendLine(
      `No folder of this workspace contains an ${CONFIG_FILE}; not starting the server ` +
        `(run "Article LSP: Enable in This Folder", or set "${SECTION}.files.scope" to "everywhere" ` +
        `to check article files anywhere).`,
    );
    status.show({ kind: "inactive" });
    return;
  }

  const server = findServer();
  if (server === undefined) {
    return;
  }
  const { command, source } = server;
  output.appendLine(`Starting ${command} (${source}) for ${selector.map((filter) => filter.pattern).join(", ")}`);

  const serverOptions: ServerOptions = { command, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    initializationOptions: serverSettings(),
    outputChannel: output,
    traceOutputChannel: traceOutput,
    middleware: {
      // From the command palette, `articleLsp.fixAll` has no argument: fix the active editor.
      executeCommand: async (name, args, next) => {
        const uri = vscode.window.activeTextEditor?.document.uri.toString();
        if (name === `${SECTION}.fixAll` && args.length === 0 && uri !== undefined) {
          return next(name, [uri]);
        }
        return next(name, args);
      },
    },
  };

  const started = new LanguageClient(SECTION, "Article LSP", serverOptions, clientOptions);
  client = started;
  started.onDidChangeState(({ newState }) => {
    if (client === started && newState === State.Stopped) {
      status.show({ kind: "stopped" });
    }
  });
  try {
    await started.start();
    showProgressInStatus(started, server);
    lastReport = undefined;
    status.show({ kind: "running", ...server });
    await vscode.commands.executeCommand("setContext", `${SECTION}.running`, true);
  } catch (err) {
    output.appendLine(`The server failed to start: ${String(err)}`);
    status.show({ kind: "failed", detail: `The server \`${command}\` failed to start: ${String(err)}` });
    void vscode.window.showErrorMessage(
      `Article LSP: the server \`${command}\` failed to start. See the "Article LSP" output for details.`,
    );
    client = undefined;
  }
}

// The server's indexing progress goes to the status item instead of a progress notification:
// this handler replaces the client's default one. Other runs (`articleLsp.fixWorkspace`) keep the
// default: a notification with a Cancel button.
function showProgressInStatus(started: LanguageClient, server: Server): void {
  started.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    if (!String(token).startsWith("article-lsp/indexing")) {
      new ProgressPart(started, token);
      return;
    }
    const handler = started.onProgress(WorkDoneProgress.type, token, (value) => {
      if (client !== started) {
        handler.dispose();
        return;
      }
      if (value.kind === "end") {
        handler.dispose();
        status.show({ kind: "running", ...server, indexed: value.message });
        output.appendLine(`Indexing done: ${value.message ?? ""}`);
        return;
      }
      status.show({ kind: "indexing", ...server, message: progressText(value.message, value.percentage) });
    });
  });
}

// The command of the server's code lenses ("cited by N articles", "N related", "N articles"),
// with the arguments `[uri, position]` as the server sends them: the references at that position
// in VS Code's references peek, as Shift+F12 shows them.
async function showReferences(uri: unknown, position: unknown): Promise<void> {
  const running = client;
  if (running === undefined || typeof uri !== "string" || !isPosition(position)) {
    output.appendLine(`${SECTION}.showReferences: expected [uri, position], got ${JSON.stringify([uri, position])}`);
    return;
  }
  const found = await running.sendRequest(ReferencesRequest.type, {
    textDocument: { uri },
    position,
    context: { includeDeclaration: true },
  });
  const locations = await running.protocol2CodeConverter.asReferences(found);
  await vscode.commands.executeCommand(
    "editor.action.showReferences",
    running.protocol2CodeConverter.asUri(uri),
    running.protocol2CodeConverter.asPosition(position),
    locations,
  );
}

function isPosition(value: unknown): value is { line: number; character: number } {
  const candidate = value as { line?: unknown; character?: unknown } | null;
  return typeof candidate?.line === "number" && typeof candidate.character === "number";
}

async function stop(): Promise<void> {
  await vscode.commands.executeCommand("setContext", `${SECTION}.running`, false);
  const old = client;
  client = undefined;
  if (old === undefined) {
    return;
  }
  try {
    await old.dispose();
  } catch (err) {
    output.appendLine(`Stopping the server: ${String(err)}`);
  }
}

// The server, in this order: `articleLsp.server.path` if set, else the binary bundled in a
// platform-specific package, else `article-lsp` on `PATH`. Tells the user what to do when none
// exists.
function findServer(): Server | undefined {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>("server.path", "").trim();
  if (configured !== "") {
    const resolved = resolveInWorkspace(configured);
    if (isExecutable(resolved)) {
      return { command: resolved, source: `${SECTION}.server.path` };
    }
    report(
      `The article-lsp server configured in "${SECTION}.server.path" was not found or is not executable: ${resolved}`,
    );
    return undefined;
  }
  if (fs.existsSync(bundledServer)) {
    // An unpacker that drops the executable bit would otherwise hide the bundled server.
    if (!isExecutable(bundledServer)) {
      fs.chmodSync(bundledServer, 0o755);
    }
    return { command: bundledServer, source: "bundled with the extension" };
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, SERVER_NAME);
    if (dir !== "" && isExecutable(candidate)) {
      return { command: candidate, source: "found on PATH" };
    }
  }
  report(
    `The article-lsp server was not found: this package of the extension does not bundle it and ` +
      `it is not on PATH. Install it (\`pip install article-lsp\` or \`cargo install article-lsp\`), ` +
      `or set "${SECTION}.server.path".`,
  );
  return undefined;
}

function report(message: string): void {
  output.appendLine(message);
  status.show({ kind: "notFound", detail: message });
  // Two restarts in a row (a new configuration file is also a file event) say it once.
  if (message === lastReport) {
    return;
  }
  lastReport = message;
  void vscode.window.showErrorMessage(`Article LSP: ${message}`, "Open Settings").then((choice) => {
    if (choice !== undefined) {
      void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.server.path`);
    }
  });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// Creates a minimal `article-lsp.toml` in a workspace folder (the only one, or the one the user
// picks).
async function enableInFolder(): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder =
    folders.length === 1
      ? folders[0]
      : await vscode.window.showWorkspaceFolderPick({ placeHolder: `The folder to hold ${CONFIG_FILE}` });
  if (folder === undefined) {
    if (folders.length === 0) {
      void vscode.window.showInformationMessage(`Article LSP: open a folder first; ${CONFIG_FILE} goes into it.`);
    }
    return;
  }
  const file = vscode.Uri.joinPath(folder.uri, CONFIG_FILE);
  try {
    await vscode.workspace.fs.stat(file);
    output.appendLine(`${file.fsPath} already exists.`);
  } catch {
    // The configuration watcher (see `activate`) restarts the server for the new folder.
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(MINIMAL_CONFIG));
    output.appendLine(`Created ${file.fsPath}.`);
  }
}

// The files the server handles: the patterns under every folder holding an `article-lsp.toml`,
// or the patterns anywhere when the user asked for that.
async function documentSelector(): Promise<ArticleFilter[]> {
  const settings = vscode.workspace.getConfiguration(SECTION);
  const patterns = settings.get<string[]>("files.patterns", ["**/*.md", "**/*.markdown", "**/*.txt"]);
  if (settings.get<string>("files.scope") === "everywhere") {
    return patterns.map((pattern) => ({ pattern }));
  }
  const configs = await vscode.workspace.findFiles(`**/${CONFIG_FILE}`, "**/{node_modules,.git,target}/**", 100);
  const dirs = configs.filter((uri) => uri.scheme === "file").map((uri) => path.dirname(uri.fsPath));
  return dirs.flatMap((dir) => patterns.map((pattern) => ({ scheme: "file", pattern: globUnder(dir, pattern) })));
}

// `dir/pattern` as a glob, with `/` separators and glob characters of the directory escaped.
function globUnder(dir: string, pattern: string): string {
  const base = dir
    .split(path.sep)
    .join("/")
    .replace(/[[\]{}*?]/g, "[$&]");
  return `${base}/${pattern.replace(/^\.?\//, "")}`;
}

// The settings the server understands, without empty values (an empty `configPath` means the
// nearest `article-lsp.toml`, not a file named "").
function serverSettings(): Record<string, unknown> {
  const settings = vscode.workspace.getConfiguration(SECTION);
  const result: Record<string, unknown> = {
    severity: settings.get<Record<string, string>>("severity", {}),
    indexWorkspace: settings.get<boolean>("indexWorkspace", true),
    inlayHints: {
      relativeDates: settings.get<boolean>("inlayHints.relativeDates", true),
      zonedTimes: settings.get<boolean>("inlayHints.zonedTimes", true),
      relatedProvider: settings.get<boolean>("inlayHints.relatedProvider", true),
      timeZone: settings.get<string>("inlayHints.timeZone", "UTC"),
    },
  };
  const configPath = settings.get<string>("configPath", "").trim();
  if (configPath !== "") {
    result.configPath = resolveInWorkspace(configPath);
  }
  return result;
}

function resolveInWorkspace(file: string): string {
  const expanded = file.replace(/^~(?=$|[\\/])/, process.env.HOME ?? "~");
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (path.isAbsolute(expanded) || folder === undefined) {
    return expanded;
  }
  return path.join(folder.uri.fsPath, expanded);
}
