// The VS Code client of article-lsp: it finds the server, starts it for article files and
// passes the settings through. Every feature (checks, repairs, completion, hovers, the fix-all
// and re-index commands) lives in the server, so other editors get the same behaviour.

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

const SECTION = "articleLsp";
const CONFIG_FILE = "article-lsp.toml";
const SERVER_NAME = process.platform === "win32" ? "article-lsp.exe" : "article-lsp";

// Settings whose change needs a new server process or a new document selector.
const RESTART_SETTINGS = ["server.path", "files.patterns", "files.scope"];
// Settings the server accepts in `initializationOptions` and `workspace/didChangeConfiguration`.
const SERVER_SETTINGS = ["configPath", "severity", "indexWorkspace"];

// A document filter by glob (and scheme): articles are found by where they are, not by language.
type ArticleFilter = { scheme?: string; pattern: string };

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
// Restarts run one after another, so that two triggers at once never start two servers.
let restarting: Promise<void> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Article LSP");
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand(`${SECTION}.restartServer`, restart),
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

  const selector = await documentSelector();
  if (selector.length === 0) {
    output.appendLine(
      `No folder of this workspace contains an ${CONFIG_FILE}; not starting the server ` +
        `(set "${SECTION}.files.scope" to "everywhere" to check article files anywhere).`,
    );
    return;
  }

  const command = findServer();
  if (command === undefined) {
    return;
  }
  output.appendLine(`Starting ${command} for ${selector.map((filter) => filter.pattern).join(", ")}`);

  const serverOptions: ServerOptions = { command, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    initializationOptions: serverSettings(),
    outputChannel: output,
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

  client = new LanguageClient(SECTION, "Article LSP", serverOptions, clientOptions);
  try {
    await client.start();
    await vscode.commands.executeCommand("setContext", `${SECTION}.running`, true);
  } catch (err) {
    output.appendLine(`The server failed to start: ${String(err)}`);
    void vscode.window.showErrorMessage(
      `Article LSP: the server \`${command}\` failed to start. See the "Article LSP" output for details.`,
    );
    client = undefined;
  }
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

// The server: `articleLsp.server.path` if set, else `article-lsp` on `PATH`. Tells the user
// what to do when neither exists.
function findServer(): string | undefined {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>("server.path", "").trim();
  if (configured !== "") {
    const resolved = resolveInWorkspace(configured);
    if (isExecutable(resolved)) {
      return resolved;
    }
    report(
      `The article-lsp server configured in "${SECTION}.server.path" was not found or is not executable: ${resolved}`,
    );
    return undefined;
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, SERVER_NAME);
    if (dir !== "" && isExecutable(candidate)) {
      return candidate;
    }
  }
  report(
    `The article-lsp server was not found on PATH. Install it with \`cargo install --path .\` ` +
      `in the article-lsp repository, or set "${SECTION}.server.path".`,
  );
  return undefined;
}

function report(message: string): void {
  output.appendLine(message);
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
