-- `:checkhealth article_lsp`: is the server found (and where from), which version, which root
-- directory and configuration file the current article gets, and whether a client is running.
local M = {}

local article_lsp = require('article_lsp')
-- Neovim 0.10+ names; 0.8-0.9 have the report_* ones.
local health = {
  start = vim.health.start or vim.health.report_start,
  ok = vim.health.ok or vim.health.report_ok,
  info = vim.health.info or vim.health.report_info,
  warn = vim.health.warn or vim.health.report_warn,
  error = vim.health.error or vim.health.report_error,
}

local INSTALL = {
  'pip install article-lsp',
  'cargo install article-lsp',
  "or set the path: vim.lsp.config('article_lsp', { cmd = { '/path/to/article-lsp' } })",
}

--- The configuration the client starts with (the user's overrides included on 0.11+).
local function resolved_config()
  if vim.lsp.config ~= nil then
    local ok, config = pcall(function()
      return vim.lsp.config[article_lsp.NAME]
    end)
    if ok and config then
      return config
    end
  end
  return article_lsp.config()
end

local function check_server(config)
  health.start('article-lsp: server')
  local cmd = config.cmd
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    health.info('cmd is a function; not checked')
    return
  end
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    health.error(('server not found: %s (not on PATH, not in %s)'):format(cmd[1], article_lsp.mason_bin()), INSTALL)
    return
  end
  local auto, source = article_lsp.server()
  if exe ~= auto then
    source = 'configured cmd'
  end
  health.ok(('server found: %s (%s)'):format(exe, source or 'configured cmd'))
  local out = vim.fn.system({ exe, '--version' })
  if vim.v.shell_error == 0 then
    health.ok('version: ' .. vim.trim(out))
  else
    health.error(('`%s --version` failed: %s'):format(exe, vim.trim(out)))
  end
end

--- The article to report on: the current buffer when it is one, else the most recent one.
local function article_buffer(filetypes)
  local candidates = { vim.fn.bufnr('#'), vim.api.nvim_get_current_buf() }
  vim.list_extend(candidates, vim.api.nvim_list_bufs())
  for _, bufnr in ipairs(candidates) do
    if
      bufnr > 0
      and vim.api.nvim_buf_is_loaded(bufnr)
      and vim.api.nvim_buf_get_name(bufnr) ~= ''
      and vim.tbl_contains(filetypes, vim.bo[bufnr].filetype)
    then
      return bufnr
    end
  end
end

local function check_root(config)
  health.start('article-lsp: root and configuration')
  local bufnr = article_buffer(config.filetypes or {})
  if bufnr == nil then
    health.info('no article buffer open (filetypes: ' .. table.concat(config.filetypes or {}, ', ') .. ')')
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = article_lsp.root_dir(bufnr, config.root_markers or {})
  health.ok(('root directory of %s: %s'):format(vim.fn.fnamemodify(name, ':~:.'), root))
  local found = vim.fs.find('article-lsp.toml', { path = vim.fs.dirname(name), upward = true, stop = vim.fs.dirname(root) })[1]
  if found then
    health.ok('configuration: ' .. found)
  else
    health.warn('no article-lsp.toml at or above ' .. vim.fs.dirname(name) .. ': the defaults apply', {
      'create one (it may be empty) at the root of the collection',
    })
  end
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = article_lsp.NAME, bufnr = bufnr })
  if #clients > 0 then
    health.ok(('client running for this buffer (id %d, root %s)'):format(clients[1].id, clients[1].root_dir or '?'))
  else
    health.warn('no article_lsp client attached to this buffer', {
      "Neovim 0.11+: vim.lsp.enable('article_lsp'); 0.8-0.10: require('article_lsp').setup()",
    })
  end
end

function M.check()
  local config = resolved_config()
  check_server(config)
  check_root(config)
end

return M
