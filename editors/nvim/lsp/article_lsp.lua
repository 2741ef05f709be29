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
  --   }
  -- for example: vim.lsp.config('article_lsp', { settings = { articleLsp = { severity = {...} } } })
  settings = {},
}
