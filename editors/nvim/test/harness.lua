-- What the Neovim end-to-end specs share: logging, steps that fail the run with the step's
-- name, waiting with a timeout, and requests to the article_lsp client. Every failure exits
-- non-zero after stopping the clients, so no server process outlives the test.
local H = {}

H.STEP_TIMEOUT_MS = tonumber(vim.env.ARTICLE_LSP_STEP_TIMEOUT_MS or '') or 15000

local current = 'start-up'

function H.log(msg)
  io.stdout:write(msg .. '\n')
end

--- Stops the clients once their pending requests are answered (a code lens refresh after the
--- last :wall, say: a request answered after `shutdown` is an error) and exits with `code`.
function H.finish(code)
  vim.wait(3000, function()
    for _, client in ipairs(vim.lsp.get_clients()) do
      for _, request in pairs(client.requests or {}) do
        if request.type == 'pending' then
          return false
        end
      end
    end
    return true
  end, 20)
  for _, client in ipairs(vim.lsp.get_clients()) do
    client:stop()
  end
  vim.wait(3000, function()
    return #vim.lsp.get_clients() == 0
  end, 50)
  io.stdout:flush()
  os.exit(code)
end

function H.fail(msg)
  H.log(('FAIL [nvim] step "%s": %s'):format(current, msg))
  H.finish(1)
end

function H.step(name)
  current = name
  H.log(('-- %s'):format(name))
end

--- Waits until `cond()` returns a truthy value and returns it, or fails the step with `what`.
function H.wait_for(what, cond)
  local value
  local ok = vim.wait(H.STEP_TIMEOUT_MS, function()
    value = cond()
    return value ~= nil and value ~= false
  end, 50)
  if not ok then
    H.fail(('timed out after %d ms waiting for %s'):format(H.STEP_TIMEOUT_MS, what))
  end
  return value
end

function H.client_for(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'article_lsp' })[1]
end

--- The 0-based number and text of the first line of `bufnr` containing `pattern` (plain).
function H.find_line(bufnr, pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if line:find(pattern, 1, true) then
      return i - 1, line
    end
  end
  H.fail(('no line containing %q in %s'):format(pattern, vim.api.nvim_buf_get_name(bufnr)))
end

--- One request to the article_lsp client, with the step's timeout; fails the step on an error.
function H.request(bufnr, method, params)
  local client = H.client_for(bufnr)
  local res, err = client:request_sync(method, params, H.STEP_TIMEOUT_MS, bufnr)
  if res == nil then
    H.fail(('%s: no response (%s)'):format(method, tostring(err)))
  end
  if res.err then
    H.fail(('%s failed: %s'):format(method, vim.inspect(res.err)))
  end
  return res.result
end

function H.position_params(bufnr, line, character)
  return {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = character },
  }
end

return H
