-- End-to-end test of the workspace features in Neovim, against the real server: code lenses
-- (shown as virtual text and run with `vim.lsp.codelens.run()`, which maps the server's
-- `articleLsp.showReferences` to the quickfix list), document links on related entries, and
-- renaming a topic and a provider across the workspace with `vim.lsp.buf.rename`: one file
-- open with unsaved changes, the other closed on disk, both written with `:wall`; and inlay
-- hints that follow a settings change in the open buffer.
--
-- Run by editors/test.sh as
--   nvim --headless --clean -u editors/nvim/test/user_init.lua -c 'luafile editors/nvim/test/workspace_e2e.lua'
-- in an empty temporary directory, which this test fills with a small workspace.

local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/harness.lua')
local log, fail, step, wait_for, find_line, request = H.log, H.fail, H.step, H.wait_for, H.find_line, H.request

local OPEN = 'world/recognition.md'
local CLOSED = 'world/talks.md'
local UNTOUCHED = 'science/policy.md'

local FILES = {
  ['article-lsp.toml'] = '# The collection of this test.\n',
  [OPEN] = [[
---
title: "Moscow backs mutual recognition of certificates"
publishedDateTime: 2021-09-26T06:17:00Z
webUrl: "https://old.example.com/2021/09/recognition"
type: article
provider:
  name: Old Wire
  domain: old.example.com
topics:
  - Vaccines
  - Diplomacy
related:
  - title: "EU and Moscow hold talks"
    webUrl: "https://news.example.org/2021/11/talks"
  - title: "A story outside the workspace"
    webUrl: "https://elsewhere.example.net/story"
---
Body.
]],
  [CLOSED] = [[
---
title: "EU and Moscow hold talks"
publishedDateTime: 2021-11-28T20:45:00Z
webUrl: "https://news.example.org/2021/11/talks"
type: article
provider:
  name: News Org
  domain: news.example.org
topics: [Vaccines, Europe]
related:
  - title: "Moscow backs mutual recognition of certificates"
    webUrl: "https://old.example.com/2021/09/recognition"
    provider:
      name: Old Wire
      domain: old.example.com
    topics:
      - Vaccines
---
Body.
]],
  -- `New Wire` is known with its domain (the rename into it updates provider.domain), and
  -- `Vaccine policy` is another topic that a rename of `Vaccines` must leave alone.
  [UNTOUCHED] = [[
---
title: "Vaccine policy review"
publishedDateTime: 2022-01-10T08:00:00Z
webUrl: "https://new.example.com/2022/01/policy"
type: article
provider:
  name: New Wire
  domain: new.example.com
topics:
  - Vaccine policy
---
Body.
]],
}

--- `text` with every occurrence of `from` replaced by `to` (plain text, no patterns).
local function replace(text, from, to)
  local out, at = {}, 1
  while true do
    local s, e = text:find(from, at, true)
    if not s then
      break
    end
    table.insert(out, text:sub(at, s - 1) .. to)
    at = e + 1
  end
  table.insert(out, text:sub(at))
  return table.concat(out)
end

local function read(path)
  local file = assert(io.open(path, 'rb'))
  local text = file:read('a')
  file:close()
  return text
end

local function write(path, text)
  vim.fn.mkdir(vim.fs.dirname(path), 'p')
  local file = assert(io.open(path, 'wb'))
  file:write(text)
  file:close()
end

--- A buffer's text as it would be written (lines joined, final newline).
local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

local function expect_equal(what, actual, expected)
  if actual ~= expected then
    fail(('%s:\n--- expected\n%s--- actual\n%s'):format(what, expected, actual))
  end
end

for path, text in pairs(FILES) do
  write(path, text)
end

step('open an article; the server attaches and indexes the workspace')
vim.cmd.edit(OPEN)
local buf = vim.api.nvim_get_current_buf()
local client = wait_for('the article_lsp client to attach', function()
  return H.client_for(buf)
end)
wait_for('the server to initialise', function()
  return client.initialized
end)
wait_for('the workspace symbol of the closed article (indexing done)', function()
  local symbols = request(buf, 'workspace/symbol', { query = 'EU and Moscow' }) or {}
  return #symbols > 0
end)

-- 1. Code lenses: fetched by the configuration's on_attach, shown as virtual text.
step('code lenses are displayed')
local title_line = find_line(buf, 'title: "Moscow backs')
local topic_line = find_line(buf, '  - Vaccines')
local function lens_titles()
  local titles = {}
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    if lens.command then
      titles[lens.range.start.line .. ':' .. lens.command.title] = true
    end
  end
  return titles
end
wait_for('the lenses "cited by 1 article", "2 related" and "2 articles"', function()
  -- Refreshed as a user's cursor resting would do (CursorHold), until the index is complete.
  vim.api.nvim_exec_autocmds('CursorHold', { buffer = buf })
  local titles = lens_titles()
  return titles[title_line .. ':cited by 1 article']
    and titles[title_line .. ':2 related']
    and titles[topic_line .. ':2 articles']
end)
local namespace = vim.lsp.codelens.__namespaces[client.id]
local shown = wait_for('the lenses drawn as virtual text on the title line', function()
  local marks = vim.api.nvim_buf_get_extmarks(buf, namespace, { title_line, 0 }, { title_line, -1 }, { details = true })
  local text = {}
  for _, mark in ipairs(marks) do
    for _, chunk in ipairs(mark[4].virt_text or {}) do
      table.insert(text, chunk[1])
    end
  end
  local joined = table.concat(text)
  return joined:find('cited by 1 article', 1, true) and joined:find('2 related', 1, true) and joined
end)
log('   title line shows: ' .. shown)

-- 2. Running the "cited by" lens lists the citing article in the quickfix window, through the
-- client-side command articleLsp.showReferences (the server does not offer it as a command).
step('running the "cited by" lens lists the citing article')
vim.fn.setqflist({}, 'r', { title = 'empty', items = {} })
local warnings = {}
local notify = vim.notify
vim.notify = function(msg, level, ...)
  table.insert(warnings, tostring(msg))
  return notify(msg, level, ...)
end
local select = vim.ui.select
vim.ui.select = function(options, opts, on_choice)
  for _, option in ipairs(options) do
    if opts.format_item(option):find('^cited by') then
      return on_choice(option)
    end
  end
  fail('no "cited by" lens among the choices')
end
vim.api.nvim_win_set_cursor(0, { title_line + 1, 0 })
vim.lsp.codelens.run()
local qf = wait_for('a "References" quickfix list', function()
  local list = vim.fn.getqflist({ title = 1, items = 1 })
  return list.title == 'References' and #list.items > 0 and list
end)
vim.ui.select, vim.notify = select, notify
local item = qf.items[1]
local cited_at = vim.fn.readfile(CLOSED)
local expected_line
for i, line in ipairs(cited_at) do
  if line:find('  - title: "Moscow backs', 1, true) then
    expected_line = i
  end
end
local item_file = vim.api.nvim_buf_get_name(item.bufnr)
if #qf.items ~= 1 or not vim.endswith(item_file, CLOSED) or item.lnum ~= expected_line then
  fail(('expected one reference at %s:%d, got %s'):format(CLOSED, expected_line, vim.inspect(qf.items)))
end
if #warnings > 0 then
  fail('running the lens warned: ' .. table.concat(warnings, ' | '))
end
log(('   quickfix: %s:%d: %s'):format(CLOSED, item.lnum, vim.trim(item.text)))
vim.cmd('cclose')
vim.cmd.buffer(buf)
-- The quickfix list loaded the closed article into a buffer; unload it again, so the rename
-- below edits a file that is not open.
local listed = vim.fn.bufnr(CLOSED)
if listed > 0 then
  vim.api.nvim_buf_delete(listed, {})
end

-- 3. Document links on related entries: the workspace article's file when one has that URL,
-- else the URL.
step('document links of related entries')
local links = request(buf, 'textDocument/documentLink', { textDocument = { uri = vim.uri_from_bufnr(buf) } }) or {}
local function link_on(line)
  for _, link in ipairs(links) do
    if link.range.start.line == line then
      return link.target
    end
  end
end
local in_workspace = link_on(find_line(buf, 'webUrl: "https://news.example.org/2021/11/talks"'))
local expected_target = vim.uri_from_fname(vim.fn.fnamemodify(CLOSED, ':p'))
if in_workspace ~= expected_target then
  fail(('the related entry in the workspace links to %s, expected %s'):format(tostring(in_workspace), expected_target))
end
local outside = link_on(find_line(buf, 'webUrl: "https://elsewhere.example.net/story"'))
if outside ~= 'https://elsewhere.example.net/story' then
  fail('the related entry outside the workspace links to ' .. tostring(outside))
end
log('   ' .. in_workspace .. ' | ' .. outside)

-- 4. Rename a topic across the workspace: the open buffer has unsaved changes, the other file
-- is closed. Neovim applies the edit to both buffers (loading the closed one); :wall writes.
step('rename a topic across two files (one open and unsaved, one closed)')
local excerpt = 'excerpt: "Typed, not saved yet."'
vim.api.nvim_buf_set_lines(buf, title_line + 1, title_line + 1, false, { excerpt })
local edited = replace(FILES[OPEN], 'certificates"\n', 'certificates"\n' .. excerpt .. '\n')
expect_equal('the buffer before the rename', buffer_text(buf), edited)
if vim.fn.bufloaded(CLOSED) == 1 then
  fail(CLOSED .. ' is loaded before the rename')
end
local vaccines = find_line(buf, '  - Vaccines')
vim.api.nvim_win_set_cursor(0, { vaccines + 1, 6 })
vim.lsp.buf.rename('Immunisation', { name = 'article_lsp' })
wait_for('the topic renamed in the open buffer', function()
  return vim.api.nvim_buf_get_lines(buf, vaccines, vaccines + 1, false)[1] == '  - Immunisation'
end)
local open_renamed = replace(edited, '  - Vaccines\n', '  - Immunisation\n')
local closed_renamed = replace(FILES[CLOSED], 'Vaccines', 'Immunisation')
expect_equal('the open buffer after the rename', buffer_text(buf), open_renamed)
local closed_buf = vim.fn.bufnr(CLOSED)
if closed_buf < 0 then
  fail('the rename did not reach ' .. CLOSED)
end
expect_equal('the closed file, as Neovim loaded and edited it', buffer_text(closed_buf), closed_renamed)
expect_equal('the closed file on disk before :wall', read(CLOSED), FILES[CLOSED])
vim.cmd('silent wall')
expect_equal(OPEN .. ' on disk after :wall', read(OPEN), open_renamed)
expect_equal(CLOSED .. ' on disk after :wall', read(CLOSED), closed_renamed)
expect_equal(UNTOUCHED .. ' (topic "Vaccine policy")', read(UNTOUCHED), FILES[UNTOUCHED])
log('   ' .. OPEN .. ' and ' .. CLOSED .. ': Vaccines -> Immunisation')

-- 5. Rename a provider into a known one: provider.domain follows, in both files (Neovim does
-- not send documentChanges, so the server sends the domain as a plain edit).
step('rename a provider across two files; provider.domain follows')
local provider = find_line(buf, '  name: Old Wire')
vim.api.nvim_win_set_cursor(0, { provider + 1, 9 })
vim.lsp.buf.rename('New Wire', { name = 'article_lsp' })
wait_for('the provider renamed in the open buffer', function()
  return vim.api.nvim_buf_get_lines(buf, provider, provider + 1, false)[1] == '  name: New Wire'
end)
-- Both edits of the closed file arrive in the same workspace edit as the open buffer's.
local function provider_renamed(text)
  return replace(replace(text, 'name: Old Wire', 'name: New Wire'), 'domain: old.example.com', 'domain: new.example.com')
end
expect_equal('the open buffer after the provider rename', buffer_text(buf), provider_renamed(open_renamed))
expect_equal('the other file after the provider rename', buffer_text(closed_buf), provider_renamed(closed_renamed))
vim.cmd('silent wall')
expect_equal(OPEN .. ' on disk', read(OPEN), provider_renamed(open_renamed))
expect_equal(CLOSED .. ' on disk', read(CLOSED), provider_renamed(closed_renamed))
expect_equal(UNTOUCHED .. ' on disk', read(UNTOUCHED), FILES[UNTOUCHED])

-- 6. Inlay hints follow the settings: switching a kind off reaches the server with
-- workspace/didChangeConfiguration, and the server's workspace/inlayHint/refresh makes Neovim
-- fetch the hints of the open buffer again, without reopening it.
step('turning the relative-date hints off in the settings removes them from the buffer')
vim.lsp.inlay_hint.enable(true, { bufnr = buf })
local function relative_date_hints()
  local found = {}
  for _, item in ipairs(vim.lsp.inlay_hint.get({ bufnr = buf })) do
    local label = item.inlay_hint.label
    if type(label) == 'table' then
      label = table.concat(vim.tbl_map(function(part)
        return part.value
      end, label))
    end
    if label:find('%d+ years? ago') then
      table.insert(found, label)
    end
  end
  return found
end
local function set_relative_dates(on)
  client.settings = { articleLsp = { inlayHints = { relativeDates = on } } }
  client:notify('workspace/didChangeConfiguration', { settings = client.settings })
end
local shown_hints = wait_for('the "N years ago" hint after publishedDateTime', function()
  local found = relative_date_hints()
  return #found > 0 and found
end)
log('   hints: ' .. table.concat(shown_hints, ' | '))
set_relative_dates(false)
wait_for('the "N years ago" hints to leave the buffer (inlayHints.relativeDates = false)', function()
  return #relative_date_hints() == 0
end)
set_relative_dates(true)
wait_for('the "N years ago" hints back (inlayHints.relativeDates = true)', function()
  return #relative_date_hints() > 0
end)
if vim.api.nvim_get_current_buf() ~= buf then
  fail('the article is no longer the current buffer')
end

log('PASS [nvim] all steps (workspace)')
H.finish(0)
