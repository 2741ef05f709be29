-- Starts article-lsp for article buffers. On Neovim 0.11+ this is `vim.lsp.config` +
-- `vim.lsp.enable`; on 0.8-0.10 a FileType autocmd calls `vim.lsp.start`. Both use the one
-- configuration in `lsp/article_lsp.lua`.
local M = {}

local NAME = 'article_lsp'
M.NAME = NAME
local SERVER = 'article-lsp'

--- Where Mason installs executables (`:MasonInstall`, or a custom Mason registry).
function M.mason_bin()
  return vim.fn.stdpath('data') .. '/mason/bin/' .. SERVER
end

--- The server to start: `article-lsp` on PATH, else Mason's; the bare name when neither exists
--- (starting then fails with Neovim's usual message, and `:checkhealth article_lsp` says why).
--- Returns the command and where it was found (`PATH`, `Mason` or nil).
function M.server()
  local on_path = vim.fn.exepath(SERVER)
  if on_path ~= '' then
    return on_path, 'PATH'
  end
  if vim.fn.executable(M.mason_bin()) == 1 then
    return M.mason_bin(), 'Mason'
  end
  return SERVER, nil
end

--- The shipped configuration (`lsp/article_lsp.lua` beside this plugin), merged with `opts`.
function M.config(opts)
  local files = vim.api.nvim_get_runtime_file('lsp/' .. NAME .. '.lua', false)
  assert(#files > 0, 'article_lsp: lsp/article_lsp.lua is not on runtimepath')
  return vim.tbl_deep_extend('force', dofile(files[1]), opts or {})
end

--- The root directory of the buffer: the nearest directory holding a root marker, else the
--- file's own directory.
function M.root_dir(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = vim.fs.dirname(name)
  local found = vim.fs.find(markers, { path = dir, upward = true })[1]
  return found and vim.fs.dirname(found) or dir
end

--- Starts (or reuses) the server for `bufnr` with `config`; for Neovim without `vim.lsp.enable`.
function M.start(bufnr, config)
  if vim.bo[bufnr].buftype ~= '' or vim.api.nvim_buf_get_name(bufnr) == '' then
    return nil
  end
  local start = vim.tbl_extend('force', config, {
    name = NAME,
    root_dir = M.root_dir(bufnr, config.root_markers),
    -- The server reads the same settings at initialisation.
    init_options = config.init_options or (config.settings or {}).articleLsp,
  })
  start.filetypes = nil
  start.root_markers = nil
  return vim.lsp.start(start, { bufnr = bufnr })
end

--- Sends `method` through `client`: `client:request` on 0.11+, `client.request` before.
local function client_request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- The client-side command `articleLsp.showReferences` that the server's code lenses run, with
--- the arguments `[uri, position]`: the references at that position in the quickfix list, as
--- `vim.lsp.buf.references()` shows them (the lens's position, not the cursor's).
function M.show_references(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local args = command.arguments or {}
  local uri, position = args[1], args[2]
  if client == nil or type(uri) ~= 'string' or type(position) ~= 'table' then
    vim.notify('article_lsp: articleLsp.showReferences expects [uri, position]', vim.log.levels.WARN)
    return
  end
  local params = {
    textDocument = { uri = uri },
    position = position,
    context = { includeDeclaration = true },
  }
  client_request(client, 'textDocument/references', params, function(err, result)
    if err then
      vim.notify('article_lsp: references: ' .. tostring(err.message), vim.log.levels.WARN)
      return
    end
    if result == nil or vim.tbl_isempty(result) then
      vim.notify('No references found')
      return
    end
    local items = vim.lsp.util.locations_to_items(result, client.offset_encoding)
    vim.fn.setqflist({}, ' ', { title = 'References', items = items })
    vim.cmd('botright copen')
  end, ctx.bufnr)
end

--- Keeps the code lenses of `bufnr` up to date: when the buffer is entered, after insert mode,
--- after a save and when the cursor rests (Neovim 0.11 does not refresh lenses by itself).
function M.on_attach(client, bufnr)
  local supports = client.server_capabilities and client.server_capabilities.codeLensProvider
  if not supports then
    return
  end
  local function refresh()
    -- 0.10+ takes the buffer; older versions refresh the current one.
    pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost', 'CursorHold' }, {
    group = vim.api.nvim_create_augroup(NAME .. '_codelens_' .. bufnr, { clear = true }),
    buffer = bufnr,
    callback = refresh,
  })
  refresh()
end

--- `opts`: fields that override the shipped configuration (cmd, filetypes, settings, ...).
--- `opts.autocmd = true` forces the 0.8-0.10 way on any version.
function M.setup(opts)
  opts = opts or {}
  local use_autocmd = opts.autocmd or vim.lsp.enable == nil
  opts.autocmd = nil
  if not use_autocmd then
    if next(opts) ~= nil then
      vim.lsp.config(NAME, opts)
    end
    vim.lsp.enable(NAME)
    return
  end
  local config = M.config(opts)
  local group = vim.api.nvim_create_augroup(NAME, { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      M.start(args.buf, config)
    end,
  })
  -- Buffers that were already open when setup ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr, config)
    end
  end
end

return M
