-- End-to-end test of the shipped Neovim configuration against the real server.
--
-- Run by editors/test.sh as
--   nvim --headless --clean -u editors/nvim/test/user_init.lua -c 'luafile editors/nvim/test/e2e.lua'
-- in a fresh copy of the repository's examples/, with `article-lsp` on PATH. Every step waits for
-- its result with a timeout and the test exits non-zero, naming the step, on the first failure.

local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/harness.lua')
local log, fail, step, wait_for = H.log, H.fail, H.step, H.wait_for
local client_for, find_line, request, position_params = H.client_for, H.find_line, H.request, H.position_params
local finish = H.finish

local ARTICLE = 'world/2021-09-26-vaccine-passports.md'
local RELATED_TARGET_TITLE = 'EU and Moscow hold talks on vaccination certificates'

local function completion_labels(items)
  local labels = {}
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
  end
  return labels
end

local function complete(bufnr, line, character)
  local result = request(bufnr, 'textDocument/completion', position_params(bufnr, line, character))
  if result == nil then
    return {}
  end
  return result.items or result
end

-- 1. The shipped configuration starts the server for an article.
step('open an article; the server attaches')
vim.cmd.edit(ARTICLE)
local buf = vim.api.nvim_get_current_buf()
if vim.bo[buf].filetype ~= 'markdown' then
  fail('expected filetype markdown, got ' .. vim.bo[buf].filetype)
end
local client = wait_for('the article_lsp client to attach (is article-lsp on PATH?)', function()
  return client_for(buf)
end)
wait_for('the server to initialise', function()
  return client.initialized
end)
local root = client.root_dir or client.config.root_dir
local cwd = vim.fn.getcwd()
if vim.fs.normalize(root or '') ~= vim.fs.normalize(cwd) then
  fail(('root directory %s, expected the folder of article-lsp.toml %s'):format(root, cwd))
end
log('   attached; root ' .. root)

-- 1b. `:checkhealth article_lsp`: the binary (from PATH, or from Mason's directory in the
-- "mason" mode), its version, the root directory and configuration file of this article.
step(':checkhealth article_lsp')
local source = vim.env.ARTICLE_LSP_NVIM_MODE == 'mason' and 'Mason' or 'PATH'
local server_cmd = client.config.cmd[1]
if source == 'Mason' and server_cmd ~= vim.fn.stdpath('data') .. '/mason/bin/article-lsp' then
  fail('expected the server from Mason\'s bin directory, got ' .. tostring(server_cmd))
end
vim.cmd('checkhealth article_lsp')
local health_buf = vim.api.nvim_get_current_buf()
local report = table.concat(vim.api.nvim_buf_get_lines(health_buf, 0, -1, false), '\n')
log((report:gsub('\n+', '\n   ')))
local health_expectations = {
  { 'OK server found: ' .. server_cmd .. ' (' .. source .. ')', 'the server and where it was found' },
  { 'OK version: article-lsp ', 'the server version' },
  { 'OK root directory of ' .. ARTICLE .. ': ' .. vim.fn.getcwd(), 'the root directory' },
  { 'OK configuration: ' .. vim.fn.getcwd() .. '/article-lsp.toml', 'the configuration file' },
  { 'OK client running for this buffer', 'the running client' },
}
for _, expected in ipairs(health_expectations) do
  if not report:find(expected[1], 1, true) then
    fail(('checkhealth does not report %s (%q)'):format(expected[2], expected[1]))
  end
end
if report:find('ERROR', 1, true) then
  fail('checkhealth reports an error')
end
vim.cmd('silent! tabclose')
vim.cmd.buffer(buf)

-- 2. The mojibake diagnostic, published by the server.
step('mojibake diagnostic')
local mojibake = wait_for('a diagnostic with code "mojibake"', function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'mojibake' then
      return d
    end
  end
end)
local excerpt_line = find_line(buf, 'Organizationâ€™s')
if mojibake.lnum ~= excerpt_line then
  fail(('mojibake reported on line %d, expected %d'):format(mojibake.lnum + 1, excerpt_line + 1))
end
log(('   %d:%d %s'):format(mojibake.lnum + 1, mojibake.col + 1, mojibake.message))

-- 3. The encoding repair, as a code action, applied to the buffer.
step('encoding repair code action')
local lsp_diag = mojibake.user_data and mojibake.user_data.lsp
local actions = request(buf, 'textDocument/codeAction', {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = lsp_diag and lsp_diag.range or {
    start = { line = mojibake.lnum, character = mojibake.col },
    ['end'] = { line = mojibake.end_lnum, character = mojibake.end_col },
  },
  context = { diagnostics = { lsp_diag }, only = { 'quickfix' } },
}) or {}
local repair
for _, action in ipairs(actions) do
  if action.title:find('Repair encoding', 1, true) then
    repair = action
  end
end
if repair == nil then
  local titles = {}
  for _, action in ipairs(actions) do
    table.insert(titles, action.title)
  end
  fail('no "Repair encoding" action among: ' .. table.concat(titles, ' | '))
end
log('   ' .. repair.title .. (repair.isPreferred and ' (preferred)' or ''))
vim.lsp.util.apply_workspace_edit(repair.edit, client.offset_encoding)
local _, repaired = find_line(buf, 'Organization’s members')
log('   buffer: ' .. vim.trim(repaired):sub(1, 60) .. '...')
wait_for('the mojibake diagnostic to go away after the repair', function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'mojibake' then
      return false
    end
  end
  return true
end)
vim.cmd("silent write")
local on_disk = table.concat(vim.fn.readfile(ARTICLE), '\n')
if not on_disk:find('Organization’s members', 1, true) or on_disk:find('â€™', 1, true) then
  fail('the saved file does not contain the repaired text')
end

-- 4. Completion of the workspace's topics under `topics:`.
step('topic completion under topics:')
local last_topic = find_line(buf, '  - Diplomacy')
vim.api.nvim_buf_set_lines(buf, last_topic + 1, last_topic + 1, false, { '  - ' })
local labels = wait_for('topics from other articles of the workspace (AI, Europe)', function()
  local found = completion_labels(complete(buf, last_topic + 1, 4))
  if vim.tbl_contains(found, 'AI') and vim.tbl_contains(found, 'Europe') then
    return found
  end
end)
log('   offered: ' .. table.concat(labels, ', '))
vim.api.nvim_buf_set_lines(buf, last_topic + 1, last_topic + 2, false, {})

-- 5. Completion of a provider fills in its domain.
step('provider completion fills provider.domain')
local name_line = find_line(buf, '  name: Radio Free Europe/Radio Liberty')
local domain_line = find_line(buf, '  domain: rferl.org')
vim.api.nvim_buf_set_lines(buf, domain_line, domain_line + 1, false, {})
vim.api.nvim_buf_set_lines(buf, name_line, name_line + 1, false, { '  name: ' })
local provider = wait_for('the provider "Trend News Agency" among the completions', function()
  for _, item in ipairs(complete(buf, name_line, 8)) do
    if item.label == 'Trend News Agency' then
      return item
    end
  end
end)
local inserts = {}
for _, edit in ipairs(provider.additionalTextEdits or {}) do
  table.insert(inserts, edit.newText)
end
if not table.concat(inserts):find('domain: trend.az', 1, true) then
  fail('choosing "Trend News Agency" does not fill provider.domain: ' .. vim.inspect(provider))
end
log('   additional edit: ' .. vim.trim(table.concat(inserts)))
vim.cmd('silent edit!')

-- 6. Hover on a related entry shows the related article's card.
step('hover on a related entry')
local title_line, title_text = find_line(buf, 'title: "' .. RELATED_TARGET_TITLE)
local hover = request(buf, 'textDocument/hover', position_params(buf, title_line, #title_text - 5))
local value = hover and hover.contents and (hover.contents.value or hover.contents) or ''
if type(value) ~= 'string' or not value:find('2021-11-28-certificate-talks.md', 1, true) then
  fail('the hover does not show the related article (2021-11-28-certificate-talks.md): ' .. vim.inspect(hover))
end
log('   ' .. value:gsub('\n', ' | '):sub(1, 160))

-- 7. Go to definition jumps to the related article.
step('definition of a related entry')
local def = request(buf, 'textDocument/definition', position_params(buf, title_line, #title_text - 5))
local target = def and (def.uri or def.targetUri or (def[1] and (def[1].uri or def[1].targetUri)))
if not target or not target:find('2021%-11%-28%-certificate%-talks%.md$') then
  fail('definition does not point at 2021-11-28-certificate-talks.md: ' .. vim.inspect(def))
end

-- 8. A scraped plain-text article (filetype text) is checked too.
step('plain-text article')
vim.cmd.edit('scraped/2021-09-embassy-page.txt')
local txt = vim.api.nvim_get_current_buf()
if vim.bo[txt].filetype ~= 'text' then
  fail('expected filetype text, got ' .. vim.bo[txt].filetype)
end
local dated = wait_for('the invalid-date diagnostic on `31.09.2021`', function()
  for _, d in ipairs(vim.diagnostic.get(txt)) do
    if d.code == 'invalid-date' then
      return d
    end
  end
end)
if client_for(txt) ~= client then
  fail('the text article got a second server instead of sharing the workspace one')
end
log(('   %d:%d %s'):format(dated.lnum + 1, dated.col + 1, dated.message))

log('PASS [nvim] all steps (' .. (vim.env.ARTICLE_LSP_NVIM_MODE or 'enable') .. ')')
finish(0)
