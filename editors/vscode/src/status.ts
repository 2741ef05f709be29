// The status bar item: what the extension and the server are doing, in one place, with the
// one action that helps in each state (see `show`).

import * as vscode from "vscode";

export type Status =
  | { kind: "starting" }
  | { kind: "running"; command: string; source: string; indexed?: string }
  | { kind: "indexing"; command: string; source: string; message: string }
  | { kind: "inactive" }
  | { kind: "notFound"; detail: string }
  | { kind: "failed"; detail: string }
  | { kind: "stopped" };

const NAME = "article-lsp";

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly section: string) {
    this.item = vscode.window.createStatusBarItem(`${section}.status`, vscode.StatusBarAlignment.Left, 0);
    this.item.name = "Article LSP";
    this.show({ kind: "starting" });
    this.item.show();
  }

  show(status: Status): void {
    const { text, tooltip, command, warning } = this.describe(status);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.backgroundColor = warning ? new vscode.ThemeColor(`statusBarItem.${warning}Background`) : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }

  private describe(status: Status): {
    text: string;
    tooltip: vscode.MarkdownString;
    command: string;
    warning?: "warning" | "error";
  } {
    const s = this.section;
    const output = `[Show output](command:${s}.showOutput)`;
    const restart = `[Restart the server](command:${s}.restartServer)`;
    switch (status.kind) {
      case "starting":
        return { text: `$(sync~spin) ${NAME}`, tooltip: md(`Starting the server…`), command: `${s}.showOutput` };
      case "running":
        return {
          text: `$(check) ${NAME}`,
          tooltip: md(
            `The server is running: \`${status.command}\` (${status.source}).` +
              (status.indexed ? `\n\nWorkspace: ${status.indexed}.` : "") +
              `\n\n${output} · ${restart}`,
          ),
          command: `${s}.showOutput`,
        };
      case "indexing":
        return {
          text: `$(sync~spin) ${NAME}: indexing ${status.message}`,
          tooltip: md(`Indexing the workspace's articles: ${status.message}.\n\n${output}`),
          command: `${s}.showOutput`,
        };
      case "inactive":
        return {
          text: `$(warning) ${NAME}: not active here`,
          tooltip: md(
            `No folder of this workspace contains an \`article-lsp.toml\`, so no file is checked.\n\n` +
              `[Enable article-lsp in this folder](command:${s}.enableInFolder) (creates a minimal ` +
              `\`article-lsp.toml\`) · [Check article files everywhere](command:${s}.enableEverywhere)` +
              ` · ${output}`,
          ),
          command: `${s}.enableInFolder`,
          warning: "warning",
        };
      case "notFound":
        return {
          text: `$(error) ${NAME}: server not found`,
          tooltip: md(`${escape(status.detail)}\n\n${output}`),
          command: `${s}.showOutput`,
          warning: "error",
        };
      case "failed":
        return {
          text: `$(error) ${NAME}: failed`,
          tooltip: md(`${escape(status.detail)}\n\n${output} · ${restart}`),
          command: `${s}.showOutput`,
          warning: "error",
        };
      case "stopped":
        return {
          text: `$(debug-stop) ${NAME}: stopped`,
          tooltip: md(`The server has stopped.\n\n${restart} · ${output}`),
          command: `${s}.restartServer`,
          warning: "error",
        };
    }
  }
}

// "3000/100000 files" (the server's progress message) as "3,000/100,000".
export function progressText(message: string | undefined, percentage: number | undefined): string {
  const counts = /(\d+)\s*\/\s*(\d+)/.exec(message ?? "");
  if (counts) {
    return `${Number(counts[1]).toLocaleString("en-US")}/${Number(counts[2]).toLocaleString("en-US")}`;
  }
  if (message) {
    return `(${message})`;
  }
  return percentage === undefined ? "…" : `${percentage}%`;
}

function md(text: string): vscode.MarkdownString {
  const result = new vscode.MarkdownString(text);
  // Links may run exactly the commands this text names, nothing else.
  result.isTrusted = { enabledCommands: [...text.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]) };
  return result;
}

function escape(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, "\\$&");
}
