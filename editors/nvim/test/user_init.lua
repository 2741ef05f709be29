-- What a user's init.lua holds (see editors/nvim/README.md), for the end-to-end test.
local nvim_dir = vim.fs.dirname(vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, 'S').source:sub(2))))
vim.opt.runtimepath:append(nvim_dir)
if vim.env.ARTICLE_LSP_NVIM_MODE == 'autocmd' then
  -- The Neovim 0.8-0.10 way (FileType autocmd + vim.lsp.start), forced on this version.
  require('article_lsp').setup({ autocmd = true })
else
  vim.lsp.enable('article_lsp')
end
