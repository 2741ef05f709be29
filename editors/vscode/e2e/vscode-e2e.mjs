// End-to-end test of the packaged extension in a real VS Code (code-server in headless Chromium),
// against the real server, on a fresh copy of the repository's examples/. It does what a person
// would do and checks what they would see; every step has a timeout, a screenshot, and a clear
// failure message naming the step.
//
// The extension is the platform-specific package with the server bundled, installed into a fresh
// profile: no `article-lsp` on PATH, and in the end no `articleLsp.server.path`, so the server
// that runs is the bundled one. The workspace starts without its `article-lsp.toml`, to see the
// status item's "not active here" state and its one-click fix.
//
// Run by editors/test.sh, which provides (environment):
//   CODE_SERVER       the code-server executable
//   PLAYWRIGHT_CORE   the directory of the playwright-core package
//   VSIX              the packaged extension, with the server bundled
//   EXAMPLES          the repository's examples/ directory
//   ARTIFACTS         where screenshots and, on failure, logs go
//   CHROMIUM          the browser (default /usr/bin/chromium)

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const STEP_TIMEOUT_MS = Number(process.env.ARTICLE_LSP_STEP_TIMEOUT_MS || 30000);
// Generated articles beside the examples, so that indexing lasts long enough (a few progress
// reports, 100 ms apart) for the status item's "indexing N/M" state to be seen.
const BULK_ARTICLES = Number(process.env.ARTICLE_LSP_E2E_BULK || 20000);
const ARTICLE = "world/2021-09-26-vaccine-passports.md";
// The article that cites ARTICLE (one of two), and whose topics share `Vaccines` with it.
const CITING = "world/2021-11-28-certificate-talks.md";
const OTHER_CITING = "science/2022-03-14-protein-folding.md";
const TOPIC = "Vaccines";
const RENAMED_TOPIC = "Immunisation";
const MOJIBAKE = "Organizationâ€™s";
const REPAIRED = "Organization’s";

const env = (name, fallback) => {
  const value = process.env[name] || fallback;
  if (!value) {
    throw new Error(`vscode-e2e: the environment variable ${name} is not set (run editors/test.sh)`);
  }
  return value;
};
const codeServer = env("CODE_SERVER");
const vsix = path.resolve(env("VSIX"));
const examples = path.resolve(env("EXAMPLES"));
const artifacts = path.resolve(env("ARTIFACTS"));
const chromiumPath = env("CHROMIUM", "/usr/bin/chromium");
const { chromium } = createRequire(import.meta.url)(path.resolve(env("PLAYWRIGHT_CORE")));

class StepFailure extends Error {}

let currentStep = "setup";
let page;
let shot = 0;

function log(message) {
  console.log(message);
}

async function step(name, body) {
  currentStep = name;
  const started = Date.now();
  log(`-- ${name}`);
  await body();
  log(`   ok (${Date.now() - started} ms)`);
}

// Waits for `what` (a locator to be visible, or a predicate to hold) within the step timeout.
async function waitFor(what, description, timeout = STEP_TIMEOUT_MS) {
  try {
    if (typeof what === "function") {
      const deadline = Date.now() + timeout;
      for (;;) {
        const value = await what();
        if (value) {
          return value;
        }
        if (Date.now() > deadline) {
          throw new Error("timeout");
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    await what.first().waitFor({ state: "visible", timeout });
    return what.first();
  } catch (err) {
    const detail = err instanceof Error && err.message !== "timeout" ? ` (${err.message.split("\n")[0]})` : "";
    throw new StepFailure(`timed out after ${timeout} ms waiting for ${description}${detail}`);
  }
}

async function screenshot(name) {
  shot += 1;
  const file = path.join(artifacts, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  log(`   screenshot ${path.relative(process.cwd(), file)}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function editor() {
  return page.locator(".editor-instance .monaco-editor").first();
}

// Puts the keyboard focus in the editor without clicking its text: a click could land on a
// code lens (the server shows them above the title and the topics) and run it.
async function focusEditor() {
  const input = editor().locator(".native-edit-context, textarea.inputarea").first();
  if ((await input.count()) > 0) {
    await input.focus();
    return;
  }
  await page.keyboard.press("Control+1");
}

async function goToLine(line) {
  await focusEditor();
  await page.keyboard.press("Control+G");
  const input = await waitFor(page.locator(".quick-input-widget input"), "the Go to Line box (Ctrl+G)");
  await input.fill(`:${line}`);
  await page.keyboard.press("Enter");
  await waitFor(async () => !(await page.locator(".quick-input-widget").isVisible()), "the Go to Line box to close");
}

// Runs a command from the Command Palette (F1), by its title.
async function runCommand(title) {
  await page.locator(".statusbar").click({ position: { x: 700, y: 5 } });
  await page.keyboard.press("F1");
  const input = await waitFor(page.locator(".quick-input-widget input"), "the Command Palette (F1)");
  await input.fill(`>${title}`);
  await waitFor(
    page.locator(".quick-input-list .monaco-list-row.focused").filter({ hasText: title }),
    `the command "${title}" in the Command Palette`,
  );
  await page.keyboard.press("Enter");
  await waitFor(async () => !(await page.locator(".quick-input-widget").isVisible()), "the Command Palette to close");
}

// Moves the mouse onto the middle of an element, as a person pointing at it (decorations such as
// squiggles sit under the text, so a plain locator hover is refused).
async function hoverOver(locator) {
  const box = await locator.boundingBox();
  if (!box) {
    throw new StepFailure("the element to hover is not on screen");
  }
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
}

function lineOf(text, needle) {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  if (index < 0) {
    throw new StepFailure(`no line containing ${JSON.stringify(needle)} in the saved ${ARTICLE}`);
  }
  return index + 1;
}

// Small articles without a single finding (the server reports on every indexed file), without
// topics and with a provider examples/ already has, so completion lists stay as in examples/.
async function writeBulkArticles(dir, count) {
  fs.mkdirSync(dir, { recursive: true });
  // Many writes in flight: one at a time takes several times longer on a busy disk.
  const pending = [];
  for (let i = 0; i < count; i++) {
    if (pending.length >= 256) {
      await Promise.all(pending.splice(0));
    }
    const write = fs.promises.writeFile(
      path.join(dir, `${String(i).padStart(6, "0")}.md`),
      `---\ntitle: "Generated article ${i}"\npublishedDateTime: 2021-01-01T00:00:00Z\n` +
        `webUrl: "https://sciencewire.example.org/bulk/${i}"\n` +
        `provider:\n  name: Science Daily Wire\n  domain: sciencewire.example.org\n---\nBody ${i}.\n`,
    );
    pending.push(write);
  }
  await Promise.all(pending);
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  for (const old of fs.readdirSync(artifacts)) {
    fs.rmSync(path.join(artifacts, old), { recursive: true, force: true });
  }
  const run = fs.mkdtempSync(path.join(os.tmpdir(), "article-lsp-vscode-e2e-"));
  const workspace = path.join(run, "articles");
  const userData = path.join(run, "user-data");
  const extensions = path.join(run, "extensions");
  fs.cpSync(examples, workspace, { recursive: true });
  // The collection's configuration, set aside: the test enables the folder as a user would.
  const configFile = path.join(workspace, "article-lsp.toml");
  const collectionConfig = fs.readFileSync(configFile, "utf8");
  fs.rmSync(configFile);
  // The articles of examples/ (its article-lsp.toml includes *.md and *.txt).
  const exampleArticles = fs
    .readdirSync(examples, { recursive: true })
    .filter((name) => /\.(md|txt)$/.test(String(name))).length;
  await writeBulkArticles(path.join(workspace, "bulk"), BULK_ARTICLES);
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  // A user's settings, kept to what keeps the screen quiet; nothing that changes how the
  // extension or completion behaves (quick suggestions in Markdown stay off, as by default).
  fs.writeFileSync(
    path.join(userData, "User", "settings.json"),
    JSON.stringify(
      {
        "security.workspace.trust.enabled": false,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.enableExperiments": false,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "chat.disableAIFeatures": true,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "extensions.ignoreRecommendations": true,
        "files.hotExit": "off",
        "editor.minimap.enabled": false,
        "editor.stickyScroll.enabled": false,
        "window.commandCenter": false,
        // The names of the messages between VS Code and the server, in the "Article LSP Trace" output
        // (kept with the VS Code logs when a step fails).
        "articleLsp.trace.server": "messages",
      },
      null,
      2,
    ),
  );
  // The server path starts out wrong, to see the notification a user gets; the test then removes
  // the setting, as the user would, which restarts the client with the bundled server.
  // `articleLsp.server.path` is a machine setting: with code-server (a remote VS Code) it lives
  // in the Remote (Machine) settings.
  fs.mkdirSync(path.join(userData, "Machine"), { recursive: true });
  const writeMachineSettings = (settings) =>
    fs.writeFileSync(path.join(userData, "Machine", "settings.json"), JSON.stringify(settings, null, 2));
  writeMachineSettings({ "articleLsp.server.path": path.join(run, "not-installed", "article-lsp") });
  // No article-lsp on PATH: only the bundled server can be found.
  const pathWithoutServer = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "" && !fs.existsSync(path.join(dir, "article-lsp")))
    .join(path.delimiter);
  const childEnv = {
    ...process.env,
    PATH: pathWithoutServer,
    XDG_CONFIG_HOME: path.join(run, "config"),
    XDG_DATA_HOME: path.join(run, "data"),
  };
  const savedArticle = () => fs.readFileSync(path.join(workspace, ARTICLE), "utf8");
  const common = ["--user-data-dir", userData, "--extensions-dir", extensions];

  await step("install the packaged extension (.vsix)", async () => {
    const res = spawnSync(codeServer, [...common, "--install-extension", vsix], { env: childEnv, encoding: "utf8" });
    if (res.status !== 0 || !/article-lsp/.test(fs.readdirSync(extensions).join(" "))) {
      throw new StepFailure(`code-server --install-extension failed:\n${res.stdout}\n${res.stderr}`);
    }
  });

  const port = await freePort();
  const serverLog = fs.openSync(path.join(artifacts, "code-server.log"), "w");
  // Its own process group, so that the extension hosts and language servers it starts go with it.
  const cs = spawn(
    codeServer,
    [
      ...common,
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      workspace,
    ],
    { env: childEnv, detached: true, stdio: ["ignore", serverLog, serverLog] },
  );
  // editors/test.sh kills the groups listed here if this script itself is killed.
  if (process.env.ARTICLE_LSP_TEST_PGIDS) {
    fs.appendFileSync(process.env.ARTICLE_LSP_TEST_PGIDS, `${cs.pid}\n`);
  }
  const killServer = () => {
    try {
      process.kill(-cs.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  process.on("exit", killServer);

  let browser;
  let failed;
  try {
    await step("start code-server", async () => {
      await waitFor(async () => {
        if (cs.exitCode !== null) {
          throw new StepFailure(`code-server exited with status ${cs.exitCode}; see code-server.log`);
        }
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
        } catch {
          return false;
        }
      }, `code-server to answer on 127.0.0.1:${port}`);
    });

    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    const consoleLog = [];
    page.on("console", (message) => consoleLog.push(`[${message.type()}] ${message.text()}`));
    process.on("exit", () => {
      try {
        fs.writeFileSync(path.join(artifacts, "browser-console.log"), consoleLog.join("\n") + "\n");
      } catch {
        // Best effort.
      }
    });

    await step("open the workspace in VS Code", async () => {
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
      await waitFor(page.locator(".monaco-workbench .part.editor"), "the VS Code workbench to load");
      await waitFor(page.locator(".explorer-folders-view, .pane-header").first(), "the Explorer");
      // Every text the status bar shows, recorded as it changes: indexing can pass faster than
      // a poll sees it.
      // (These functions run in the page: globalThis is its window.)
      await page.evaluate(() => {
        const texts = (globalThis.statusTexts = []);
        const record = () => {
          for (const item of globalThis.document.querySelectorAll(".statusbar-item")) {
            texts.push(item.textContent ?? "");
          }
        };
        const observer = new globalThis.MutationObserver(record);
        observer.observe(globalThis.document.body, { subtree: true, childList: true, characterData: true });
      });
    });

    const statusItem = (text) => page.locator(".statusbar-item").filter({ hasText: text });

    await step("open an article with Quick Open (Ctrl+P)", async () => {
      await page.locator(".monaco-workbench").click({ position: { x: 700, y: 500 } });
      await page.keyboard.press("Control+P");
      const input = await waitFor(page.locator(".quick-input-widget input"), "the Quick Open box (Ctrl+P)");
      await input.fill(path.basename(ARTICLE));
      await waitFor(page.locator(".quick-input-list .monaco-list-row"), "the article in Quick Open");
      await page.keyboard.press("Enter");
      await waitFor(
        page.locator(".tabs-container .tab.active").filter({ hasText: path.basename(ARTICLE) }),
        "the article's editor tab",
      );
      await waitFor(editor().locator(".view-line").filter({ hasText: "Moscow Backs" }), "the article's text");
    });

    await step(
      'the status bar says "not active here" (no article-lsp.toml; the extension starts with the first Markdown file)',
      async () => {
        await waitFor(statusItem("article-lsp: not active here"), 'the status item "article-lsp: not active here"');
        await hoverOver(statusItem("article-lsp: not active here"));
        await waitFor(
          page.locator(".monaco-hover, .workbench-hover").filter({ hasText: "Enable article-lsp in this folder" }),
          'the status item\'s tooltip offering "Enable article-lsp in this folder"',
        );
        await screenshot("status-not-active");
        await page.mouse.move(700, 500);
      },
    );

    await step("one click on the status item enables the folder (creates article-lsp.toml)", async () => {
      await statusItem("article-lsp: not active here").click();
      await waitFor(
        () => fs.existsSync(configFile) && fs.readFileSync(configFile, "utf8").startsWith("# article-lsp"),
        `a minimal ${configFile} created by the click`,
      );
    });

    await step("a server that cannot be found is reported", async () => {
      const toast = await waitFor(
        page.locator(".notification-toast").filter({ hasText: "was not found" }),
        'the notification "Article LSP: The article-lsp server configured in ... was not found"',
      );
      await waitFor(statusItem("article-lsp: server not found"), 'the status item "article-lsp: server not found"');
      await screenshot("server-not-found");
      // The collection's own settings (its providers), as the user would write them; then the
      // wrong setting goes, and the extension falls back to the server it bundles.
      fs.writeFileSync(configFile, collectionConfig);
      writeMachineSettings({});
      await toast.hover();
      await toast.locator(".codicon-notifications-clear").click();
    });

    await step("the bundled server starts and indexes the workspace: the status item shows the progress", async () => {
      const indexing = /article-lsp: indexing [\d,]+\/[\d,]+/;
      await waitFor(
        async () => (await page.evaluate(() => globalThis.statusTexts)).some((text) => indexing.test(text)),
        'the status item "article-lsp: indexing N/M" (from the server\'s $/progress)',
      );
      if (await statusItem(indexing).isVisible()) {
        await screenshot("status-indexing");
      } else {
        log("   (indexing was over before a screenshot; the status bar showed it)");
      }
    });

    await step("the bundled server runs: the status item says so, after indexing", async () => {
      // Running: the check mark (starting shows a spinner, the warnings an icon and a reason).
      const running = page.locator(".statusbar-item").filter({ has: page.locator(".codicon-check") });
      await waitFor(running, 'the status item "article-lsp" (running)');
      await hoverOver(running);
      await waitFor(
        page
          .locator(".monaco-hover, .workbench-hover")
          .filter({ hasText: "bundled with the extension" })
          .filter({ hasText: `${BULK_ARTICLES + exampleArticles} articles indexed` }),
        'the tooltip "The server is running: ... (bundled with the extension)" with "N articles indexed" (from $/progress)',
      );
      await screenshot("status-running-bundled");
      await page.mouse.move(700, 500);
    });

    await step("clicking the status item shows the output: the bundled server was started", async () => {
      await page
        .locator(".statusbar-item")
        .filter({ has: page.locator(".codicon-check") })
        .click();
      await waitFor(
        page.locator(".part.panel .view-line").filter({ hasText: "server/article-lsp (bundled with" }),
        'the "Article LSP" output with "Starting .../server/article-lsp (bundled with the extension)"',
      );
      await screenshot("output-channel");
    });

    await step("the mojibake is underlined (the server's diagnostic)", async () => {
      await waitFor(
        editor().locator(".squiggly-warning"),
        `the warning squiggle under ${MOJIBAKE} (did the extension start the server? see the Output logs)`,
      );
      await screenshot("diagnostic-squiggle");
    });

    await step("the Problems panel lists the mojibake", async () => {
      await page.keyboard.press("Control+Shift+M");
      await waitFor(
        page.locator(".markers-panel .monaco-list-row").filter({ hasText: "UTF-8 decoded as Windows-1252" }),
        'the mojibake entry ("UTF-8 decoded as Windows-1252") in the Problems panel',
      );
      await waitFor(
        page.locator(".markers-panel .monaco-list-row").filter({ hasText: "mojibake" }),
        "the code mojibake",
      );
      await screenshot("problems-panel");
    });

    await step("Quick Fix offers the encoding repair", async () => {
      await hoverOver(editor().locator(".squiggly-warning").first());
      const quickFix = await waitFor(
        page.locator(".monaco-hover a, .monaco-hover .action").filter({ hasText: "Quick Fix" }),
        'the "Quick Fix..." link in the hover over the squiggle',
      );
      await quickFix.click();
      const repair = await waitFor(
        page.locator(".action-widget .monaco-list-row").filter({ hasText: `Repair encoding` }),
        'the "Repair encoding: `â€™` → `’`" quick fix in the menu',
      );
      await screenshot("quick-fix-menu");
      await repair.click();
    });

    await step("the repair clears the diagnostic and saving writes it to disk", async () => {
      await waitFor(
        editor().locator(".view-line").filter({ hasText: REPAIRED }),
        `the repaired text ${REPAIRED} in the editor`,
      );
      await waitFor(
        async () => (await editor().locator(".squiggly-warning").count()) === 0,
        "the squiggle to disappear after the repair",
      );
      await waitFor(
        async () =>
          (await page.locator(".markers-panel .monaco-list-row").filter({ hasText: "Windows-1252" }).count()) === 0,
        "the mojibake entry to leave the Problems panel",
      );
      await focusEditor();
      await page.keyboard.press("Control+S");
      await waitFor(() => {
        const text = savedArticle();
        return text.includes(`${REPAIRED} members`) && !text.includes(MOJIBAKE);
      }, `${ARTICLE} on disk to contain ${REPAIRED} after Ctrl+S`);
      await screenshot("repaired-and-saved");
    });

    await step("typing under topics: offers the workspace's topics", async () => {
      // The blank line after the last topic: type a new list item there, as a person would.
      await goToLine(lineOf(savedArticle(), "  - Diplomacy") + 1);
      await page.keyboard.type("  - ", { delay: 60 });
      const widget = page.locator(".editor-widget.suggest-widget.visible");
      await waitFor(
        widget.locator(".monaco-list-row").filter({ hasText: "Europe" }),
        'the topic "Europe" (from another article) in the suggestions',
      );
      await waitFor(
        widget.locator(".monaco-list-row").filter({ hasText: "AI" }),
        'the topic "AI" (from another article) in the suggestions',
      );
      await screenshot("topic-completion");
      await page.keyboard.type("Eur", { delay: 60 });
      await waitFor(
        widget.locator(".monaco-list-row.focused").filter({ hasText: "Europe" }),
        'the suggestion "Europe" to be selected',
      );
      await page.keyboard.press("Enter");
      await waitFor(
        editor().locator(".view-line").filter({ hasText: "- Europe" }),
        "the line `  - Europe` after accepting",
      );
    });

    await step("choosing a provider fills its domain", async () => {
      await page.keyboard.press("Control+S");
      const text = await waitFor(() => {
        const saved = savedArticle();
        return saved.includes("  - Europe\n") && saved;
      }, "the topic Europe to be saved (Ctrl+S)");
      const nameLine = lineOf(text, "  name: Radio Free Europe/Radio Liberty");
      if (!text.split("\n")[nameLine].includes("domain: rferl.org")) {
        throw new StepFailure("expected `  domain: rferl.org` right after the provider name");
      }
      // Replace the provider's two lines with a fresh `  name: `, as when writing a new article.
      await goToLine(nameLine);
      await page.keyboard.press("Home");
      await page.keyboard.press("Home");
      await page.keyboard.press("Shift+ArrowDown");
      await page.keyboard.press("Shift+End");
      await page.keyboard.press("Delete");
      await page.keyboard.type("  name: ", { delay: 60 });
      const widget = page.locator(".editor-widget.suggest-widget.visible");
      await waitFor(
        widget.locator(".monaco-list-row").filter({ hasText: "Trend News Agency" }),
        'the provider "Trend News Agency" in the suggestions',
      );
      await page.keyboard.type("Trend", { delay: 60 });
      await waitFor(
        widget.locator(".monaco-list-row.focused").filter({ hasText: "Trend News Agency" }),
        'the suggestion "Trend News Agency" to be selected',
      );
      await screenshot("provider-completion");
      await page.keyboard.press("Enter");
      await waitFor(
        editor().locator(".view-line").filter({ hasText: "domain: trend.az" }),
        "the line `  domain: trend.az` added by the completion",
      );
      await page.keyboard.press("Control+S");
      await waitFor(() => {
        const saved = savedArticle();
        return (
          /provider:\n {2}name: Trend News Agency\n {2}domain: trend\.az\n\ntopics:/.test(saved) &&
          /\n {2}- Europe\n/.test(saved)
        );
      }, "the saved file to hold `name: Trend News Agency` + `domain: trend.az` and the topic Europe");
      await screenshot("provider-domain-filled");
    });

    await step("hovering a related entry shows its card", async () => {
      await goToLine(lineOf(savedArticle(), 'title: "EU and Moscow hold talks'));
      await page.mouse.move(5, 5);
      const title = editor().locator(".view-line span").filter({ hasText: "EU and Moscow hold talks" }).last();
      await waitFor(title, "the related entry's title in the editor");
      await hoverOver(title);
      await waitFor(
        page.locator(".monaco-hover").filter({ hasText: "Trend News Agency (trend.az)" }),
        "the hover card of the related article (Trend News Agency (trend.az), its date and excerpt)",
      );
      await waitFor(
        page.locator(".monaco-hover").filter({ hasText: "The Kremlin" }),
        "the related article's excerpt in the hover",
      );
      await screenshot("related-hover");
    });

    await step('a code lens on the title says "cited by 2 articles"', async () => {
      await page.keyboard.press("Escape");
      await goToLine(1);
      await page.mouse.move(5, 5);
      await waitFor(
        editor().locator(".codelens-decoration a").filter({ hasText: "cited by 2 articles" }),
        'the code lens "cited by 2 articles" above the title (the server\'s codeLens)',
      );
      await waitFor(
        editor().locator(".codelens-decoration a").filter({ hasText: "2 related" }),
        'the code lens "2 related" beside it',
      );
      await waitFor(
        editor()
          .locator(".codelens-decoration a")
          .filter({ hasText: /^\s*2 articles\s*$/ }),
        `the code lens "2 articles" above the topic ${TOPIC}`,
      );
      await screenshot("code-lens");
    });

    await step("clicking the lens opens the references peek with both citing articles", async () => {
      await editor().locator(".codelens-decoration a").filter({ hasText: "cited by 2 articles" }).first().click();
      const peek = await waitFor(
        page.locator(".peekview-widget").filter({ hasText: /Locations \(2\)|2 references/ }),
        "the references peek with 2 locations (articleLsp.showReferences -> editor.action.showReferences)",
      );
      for (const citing of [CITING, OTHER_CITING]) {
        await waitFor(
          peek.locator(".monaco-list-row").filter({ hasText: path.basename(citing) }),
          `${path.basename(citing)} among the references`,
        );
      }
      await screenshot("code-lens-references");
      await page.keyboard.press("Escape");
      await waitFor(async () => (await page.locator(".peekview-widget").count()) === 0, "the peek to close");
    });

    await step(`F2 on the topic ${TOPIC} renames it in this article and in a closed one`, async () => {
      const before = savedArticle();
      const citingPath = path.join(workspace, CITING);
      const citingBefore = fs.readFileSync(citingPath, "utf8");
      const untouched = path.join(workspace, OTHER_CITING);
      const untouchedBefore = fs.readFileSync(untouched, "utf8");
      const renamed = (text) => text.replace(`\n  - ${TOPIC}\n`, `\n  - ${RENAMED_TOPIC}\n`);
      if (renamed(before) === before || renamed(citingBefore) === citingBefore) {
        throw new StepFailure(`both articles should list the topic ${TOPIC}`);
      }
      await goToLine(lineOf(before, `  - ${TOPIC}`));
      await page.keyboard.press("End");
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("F2");
      const input = await waitFor(
        page.locator(".rename-box input, .rename-box .rename-input"),
        "the rename box (F2; the server's prepareRename)",
      );
      await waitFor(async () => (await input.inputValue()) === TOPIC, `the rename box to hold ${TOPIC}`);
      // The box can show before it takes the focus, and can still reset its text once shown
      // (keystrokes were lost on a busy machine): click into it and type, until it holds the name.
      await waitFor(async () => {
        await input.click();
        await page.keyboard.press("Control+A");
        await page.keyboard.type(RENAMED_TOPIC, { delay: 30 });
        await page.waitForTimeout(300);
        return (await input.inputValue()) === RENAMED_TOPIC;
      }, `the rename box to hold ${RENAMED_TOPIC}`);
      await screenshot("rename-box");
      await page.keyboard.press("Enter");
      await waitFor(
        editor()
          .locator(".view-line")
          .filter({ hasText: `- ${RENAMED_TOPIC}` }),
        `the line \`  - ${RENAMED_TOPIC}\` in the open article`,
      );
      // VS Code saves the files a refactoring changed that were not open
      // (files.refactoring.autoSave, on by default).
      await waitFor(
        () => fs.readFileSync(citingPath, "utf8") === renamed(citingBefore),
        `${CITING} (not open) on disk with exactly ${TOPIC} -> ${RENAMED_TOPIC}`,
      );
      await focusEditor();
      await page.keyboard.press("Control+S");
      await waitFor(
        () => savedArticle() === renamed(before),
        `${ARTICLE} on disk after Ctrl+S with exactly ${TOPIC} -> ${RENAMED_TOPIC}`,
      );
      if (fs.readFileSync(untouched, "utf8") !== untouchedBefore) {
        throw new StepFailure(`${OTHER_CITING} has no topic ${TOPIC} and must not change`);
      }
      await screenshot("renamed-in-open-article");
    });

    await step(`the closed article now lists ${RENAMED_TOPIC}`, async () => {
      const entry = await waitFor(
        page.locator(".explorer-folders-view .monaco-list-row").filter({ hasText: path.basename(CITING) }),
        `${path.basename(CITING)} in the Explorer`,
      );
      await entry.click();
      await waitFor(
        page.locator(".tabs-container .tab.active").filter({ hasText: path.basename(CITING) }),
        "the citing article's editor tab",
      );
      await waitFor(
        editor()
          .locator(".view-line")
          .filter({ hasText: `- ${RENAMED_TOPIC}` }),
        `the line \`  - ${RENAMED_TOPIC}\` in ${CITING}`,
      );
      // The index follows the rename: both articles now use the topic.
      await waitFor(
        editor()
          .locator(".codelens-decoration a")
          .filter({ hasText: /^\s*2 articles\s*$/ }),
        `the code lens "2 articles" above ${RENAMED_TOPIC}`,
      );
      await waitFor(
        editor().locator(".codelens-decoration a").filter({ hasText: "cited by 1 article" }),
        'the code lens "cited by 1 article" above its title',
      );
      await screenshot("renamed-in-closed-article");
    });

    const relativeDateHint = editor()
      .locator(".view-line")
      .filter({ hasText: /\d+\s+years\s+ago/ });

    await step("an inlay hint after a date says how long ago it was", async () => {
      await waitFor(relativeDateHint, 'the inlay hint "N years ago" after publishedDateTime');
    });

    // The hint's setting in the Settings editor, as a user switches it (code-server did not
    // notice an edit of the user's settings.json made outside VS Code; the Settings editor writes
    // it through VS Code). Returns once VS Code shows the new value.
    const switchRelativeDates = async (on) => {
      await runCommand("Preferences: Open User Settings");
      await waitFor(page.locator(".settings-editor"), "the Settings editor");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("articleLsp.inlayHints.relativeDates", { delay: 20 });
      const checkbox = page
        .locator(".settings-editor .setting-item-bool")
        .filter({ hasText: "how long ago" })
        .locator(".setting-value-checkbox");
      await waitFor(checkbox, 'the setting "Article Lsp › Inlay Hints: Relative Dates"');
      if ((await checkbox.first().getAttribute("aria-checked")) !== String(!on)) {
        throw new StepFailure(`the setting should be ${!on} before it is switched`);
      }
      // A click that lands while the Settings editor re-renders its filtered list (a busy
      // machine) is lost: click again while the checkbox still shows the old value.
      const hasNewValue = async () => (await checkbox.first().getAttribute("aria-checked")) === String(on);
      for (let attempt = 1; ; attempt += 1) {
        await checkbox.first().click();
        const last = attempt === 3;
        const switched = await waitFor(
          hasNewValue,
          `the checkbox to turn ${on ? "on" : "off"} (${attempt} clicks)`,
          last ? STEP_TIMEOUT_MS : 5000,
        ).then(
          () => true,
          (err) => {
            if (last) throw err;
            return false;
          },
        );
        // A late click may have switched it meanwhile: never click it back.
        if (switched || (await hasNewValue())) break;
      }
      // The Settings editor writes settings.json a moment later; closing it first can lose that.
      await waitFor(() => {
        const written = fs.readFileSync(path.join(userData, "User", "settings.json"), "utf8");
        return /"articleLsp\.inlayHints\.relativeDates":\s*false/.test(written) !== on;
      }, `the user's settings.json to hold articleLsp.inlayHints.relativeDates: ${on}`);
      await screenshot(`settings-relative-dates-${on ? "on" : "off"}`);
      // Escape closes the setting's hover first, if one shows, then the Settings editor.
      await page.mouse.move(5, 5);
      await waitFor(async () => {
        if ((await page.locator(".settings-editor").count()) === 0) {
          return true;
        }
        await page.keyboard.press("Escape");
        return false;
      }, "the Settings editor to close (Escape)");
    };

    await step(
      "turning the relative-date hints off in the Settings editor removes them from the open editor",
      async () => {
        const tab = page.locator(".tabs-container .tab.active").filter({ hasText: path.basename(CITING) });
        // VS Code passes the change to the extension, which sends it to the server
        // (didChangeConfiguration); the server asks VS Code to fetch the hints again
        // (workspace/inlayHint/refresh). The article's editor stays open throughout.
        await switchRelativeDates(false);
        await waitFor(
          async () => (await relativeDateHint.count()) === 0,
          'the "N years ago" hints to leave the open editor (inlayHints.relativeDates: false)',
        );
        await waitFor(tab, `the same editor tab of ${path.basename(CITING)}, never closed`);
        await screenshot("inlay-hints-off");
        await switchRelativeDates(true);
        await waitFor(relativeDateHint, 'the "N years ago" hints back after the setting is turned on again');
        await screenshot("inlay-hints-on-again");
      },
    );

    await step(
      "articles written on disk reach the server by themselves, and Fix All in the Workspace repairs them",
      async () => {
        // Written now, as a scraper would drop them in, with no editor involved: one into a new
        // directory (VS Code reports the directory alone: the file is written before its watcher
        // watches the directory), one beside the existing articles (reported as a file). The
        // server learns both from workspace/didChangeWatchedFiles, with no re-index: their
        // problems show, and Fix All in the Workspace (which repairs the indexed articles) reaches
        // both.
        const article = (title) =>
          `---\ntitle: "Café owners ${title}"\ntype: article\n---\nThe owners’ association met on Monday.\n`;
        const dropped = [
          { file: path.join(workspace, "inbox", "2021-12-01-cafe-owners.md"), clean: article("meet") },
          { file: path.join(workspace, "world", "2021-12-02-cafe-owners.md"), clean: article("vote") },
        ];
        for (const { file, clean } of dropped) {
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, clean.replace("é", "Ã©").replace("’", "â€™"));
        }
        // The Problems panel lists only what fits on screen: all of it, maximised.
        await runCommand("View: Toggle Maximized Panel");
        for (const { file } of dropped) {
          await waitFor(
            page.locator(".markers-panel .monaco-list-row").filter({ hasText: path.basename(file) }),
            `the problems of ${path.relative(workspace, file)} in the Problems panel (the server learnt of the file)`,
          );
        }
        await screenshot("new-articles-problems");
        await runCommand("View: Toggle Maximized Panel");
        await runCommand("Article LSP: Fix All Safe Problems in the Workspace");
        // The server's edit reaches the closed files and VS Code saves them (files.refactoring.autoSave).
        for (const { file, clean } of dropped) {
          await waitFor(
            () => fs.readFileSync(file, "utf8") === clean,
            `${path.relative(workspace, file)} on disk repaired exactly (Café, owners’) by articleLsp.fixWorkspace`,
          );
        }
        await screenshot("fix-workspace");
      },
    );
  } catch (err) {
    failed = err;
  } finally {
    if (failed) {
      const message =
        failed instanceof StepFailure
          ? failed.message
          : String(failed.message || failed)
              .split("\n")
              .slice(0, 2)
              .join(" ");
      console.error(`FAIL [vscode] step "${currentStep}": ${message}`);
      try {
        if (page) {
          await page.screenshot({ path: path.join(artifacts, "FAILED.png") });
          console.error(`   screenshot ${path.join(artifacts, "FAILED.png")}`);
        }
        const logs = path.join(userData, "logs");
        if (fs.existsSync(logs)) {
          fs.cpSync(logs, path.join(artifacts, "vscode-logs"), { recursive: true });
          console.error(
            `   VS Code logs (the extension's output channel among them) in ${path.join(artifacts, "vscode-logs")}`,
          );
        }
      } catch {
        // Best effort.
      }
    }
    await browser?.close().catch(() => {});
    killServer();
    fs.rmSync(run, { recursive: true, force: true });
  }
  if (failed) {
    process.exit(1);
  }
  log("PASS [vscode] all steps");
}

await main();
