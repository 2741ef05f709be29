-- article-lsp for Neovim 0.11+: put this directory on 'runtimepath' and call
-- `vim.lsp.enable('article_lsp')`. Override any field with `vim.lsp.config('article_lsp', {...})`.
-- Older Neovim (0.8-0.10): `require('article_lsp').setup()` starts the same configuration.

---@type vim.lsp.Config
return {
  -- `article-lsp` from PATH (`cargo install --path .` in the article-lsp repository).
  cmd = { 'article-lsp' },
  -- Front-matter articles are Markdown; scraped articles are often `.txt`.
  filetypes = { 'markdown', 'text' },
  -- A collection is the directory holding its `article-lsp.toml`, else the repository.
  root_markers = { 'article-lsp.toml', '.git' },
  -- Sent with `workspace/didChangeConfiguration` after start-up. None by default; for example
  --   vim.lsp.config('article_lsp', { settings = { articleLsp = {
  --     severity = { mojibake = 'error', ['future-date'] = 'off' },
  --     configPath = '/path/to/article-lsp.toml', indexWorkspace = true } } })
  settings = {},
}
