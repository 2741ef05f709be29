-- article-lsp for Neovim 0.11+: put this directory on 'runtimepath' and call
-- `vim.lsp.enable('article_lsp')`. Override any field with `vim.lsp.config('article_lsp', {...})`.
-- Older Neovim (0.8-0.10): `require('article_lsp').setup()` starts the same configuration.

-- The server: `article-lsp` on PATH (`pip install article-lsp`, `cargo install article-lsp`),
-- else Mason's install (stdpath('data')/mason/bin). A configured path wins over both:
--   vim.lsp.config('article_lsp', { cmd = { '/path/to/article-lsp' } })
-- This file also works copied alone into ~/.config/nvim/lsp/ (then PATH only).
local found, article_lsp = pcall(require, 'article_lsp')

---@type vim.lsp.Config
return {
  cmd = { found and article_lsp.server() or 'article-lsp' },
  -- Front-matter articles are Markdown; scraped articles are often `.txt`.
  filetypes = { 'markdown', 'text' },
  -- A collection is the directory holding its `article-lsp.toml`, else the repository.
  root_markers = { 'article-lsp.toml', '.git' },
  -- Sent as initializationOptions (0.8-0.10 path) and with `workspace/didChangeConfiguration`.
  -- Every key is optional; the server's defaults apply to what is left out:
  --   articleLsp = {
  --     -- Severity per diagnostic code, on top of article-lsp.toml:
  --     -- 'error' | 'warning' | 'info' | 'hint' | 'off'.
  --     severity = { mojibake = 'error', ['future-date'] = 'off' },
  --     -- One article-lsp.toml for every file instead of the nearest one.
  --     configPath = '/path/to/article-lsp.toml',
  --     -- Index the workspace (topic and provider completion, related-article hovers,
  --     -- go to definition, duplicate-url and topic-variant checks). Default true.
  --     indexWorkspace = true,
  --     -- An RFC 3339 instant used as "now" for future-date checks (demos, tests).
  --     now = '2026-01-01T00:00:00Z',
  --     -- Inlay hints (shown with `vim.lsp.inlay_hint.enable()`): each kind can be switched off.
  --     inlayHints = {
  --       relativeDates = true,   -- "4 years ago" after a date
  --       zonedTimes = true,      -- the date in `timeZone` when it carries an offset
  --       relatedProvider = true, -- the provider after a related entry's title (workspace article)
  --       timeZone = 'UTC',       -- an IANA name, e.g. 'Europe/Berlin'
  --     },
  --   }
  -- for example: vim.lsp.config('article_lsp', { settings = { articleLsp = { severity = {...} } } })
  settings = {},
  -- Code lenses ("cited by N articles", "N related", "N articles") run the client-side command
  -- `articleLsp.showReferences`: it lists the references in the quickfix window. on_attach keeps
  -- the lenses refreshed (`:lua vim.lsp.codelens.run()` on a lens's line runs it); a user
  -- on_attach replaces it: call require('article_lsp').on_attach(client, bufnr) from yours.
  commands = found and { ['articleLsp.showReferences'] = article_lsp.show_references } or nil,
  on_attach = found and article_lsp.on_attach or nil,
}
