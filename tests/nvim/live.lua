-- Live metrics in a real Neovim (0.11, headless), against a generated system
-- that runs under a saturating load (server/tests/live_system.rs starts both).
-- Run: nvim --headless --clean -u NONE -i NONE -n -l live.lua BIN FILE PID
--   BIN   the blueprint binary      FILE  the system's blueprint
--   PID   the running system's process id: this script stops it (SIGTERM)
--         once the live figures have been seen, then checks everything goes.
-- Prints one line per check (PASS/FAIL); exits non-zero on failure.

local bin, file, pid = arg[1], arg[2], tonumber(arg[3])
assert(bin and file and pid, 'usage: nvim -l live.lua BLUEPRINT_BIN FILE PID')

local TIMEOUT = 30000
local harness = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/harness.lua')
local say, pass, fail, finish = harness.say, harness.pass, harness.fail, harness.finish

-- Each check here passes by not raising.
local function check(what, fn)
  if harness.check(what, fn) then pass(what) end
end

vim.cmd.edit(vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = 'yaml'
local uri = vim.uri_from_bufnr(buf)

local client_id = vim.lsp.start({
  name = 'blueprint',
  cmd = { bin, 'lsp' },
  root_dir = vim.fs.dirname(file),
  init_options = { liveMetrics = { intervalMs = 500 } },
}, { bufnr = buf })
if not client_id then
  fail('start', 'vim.lsp.start returned nil')
  finish()
end
local client = assert(vim.lsp.get_client_by_id(client_id))
if not vim.wait(TIMEOUT, function() return client.initialized end, 20) then
  fail('initialize', 'not initialized')
  finish()
end
vim.lsp.inlay_hint.enable(true, { bufnr = buf })

-- The line of `- name: NAME` and the column just past it.
local function name_end(name)
  local needle = '- name: ' .. name
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, true)) do
    local s = l:find(needle, 1, true)
    if s then return i - 1, s - 1 + #needle end
  end
  error(name .. ' not in the blueprint')
end
local STORE_LINE, STORE_END = name_end('task_store')

local function request(method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  if not responses then error(method .. ': ' .. tostring(err)) end
  local response = responses[client_id]
  if not response or response.err then
    error(method .. ': ' .. vim.inspect(response and response.err))
  end
  return response.result
end

-- What Neovim shows after task_store's name: its own inlay-hint state,
-- fed by the server's refreshes.
local function store_hint()
  for _, h in ipairs(vim.lsp.inlay_hint.get({ bufnr = buf })) do
    local hint = h.inlay_hint
    if hint.position.line == STORE_LINE and hint.position.character == STORE_END then
      local label = hint.label
      if type(label) == 'table' then
        label = table.concat(vim.tbl_map(function(p) return p.value end, label))
      end
      return label
    end
  end
end

-- Live warnings, once each (Neovim keeps pushed and pulled diagnostics in
-- separate namespaces).
local function live_warnings()
  local out, seen = {}, {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'blueprint-live' then
      local key = d.code .. '|' .. d.lnum
      if not seen[key] then
        seen[key] = true
        table.insert(out, d)
      end
    end
  end
  return out
end

local function saturation()
  for _, d in ipairs(live_warnings()) do
    if d.code == 'pool-saturated' and d.lnum == STORE_LINE then return d end
  end
end

local function lens_title()
  local lenses = request('textDocument/codeLens', { textDocument = { uri = uri } }) or {}
  return lenses[1] and lenses[1].command and lenses[1].command.title
end

-- 1. The hint after task_store: a full pool and real latency.
check('inlay hint with pool and latency figures', function()
  local label
  local ok = vim.wait(TIMEOUT, function()
    label = store_hint()
    return label ~= nil and label:find('p95', 1, true) ~= nil
  end, 50)
  assert(ok, 'no hint with p95 after task_store; last: ' .. tostring(label))
  local used, max = label:match('^pool (%d+)/(%d+)')
  assert(used and max == '2', 'pool figures in ' .. label)
  assert(tonumber(used) >= 1, 'no connection in use under load: ' .. label)
  local p95 = tonumber(label:match('p95 ([%d.]+)'))
  assert(p95 and p95 > 0, 'p95 in ' .. label)
  local rate = tonumber(label:match('([%d.]+)/s$'))
  assert(rate and rate > 0, 'throughput in ' .. label)
  say('  hint: ' .. label)
end)

-- 2. The hover's live table.
check('hover shows the live table', function()
  local hover = request('textDocument/hover', {
    textDocument = { uri = uri },
    position = { line = STORE_LINE, character = STORE_END - 2 },
  })
  local value = hover and hover.contents and hover.contents.value or ''
  assert(value:find('**Live**', 1, true), 'no live table: ' .. value)
  assert(value:find('| pool max | 2 |', 1, true), 'pool max: ' .. value)
  local ops = value:match('| operations/s | ([%d.k]+)/s |')
  assert(ops and ops ~= '0', 'operations/s: ' .. value)
end)

-- 3. The saturation warning on task_store.
check('pool-saturated warning', function()
  local ok = vim.wait(TIMEOUT, function() return saturation() ~= nil end, 50)
  assert(ok, 'no saturation warning; live warnings: ' .. vim.inspect(live_warnings()))
  local d = saturation()
  assert(d.severity == vim.diagnostic.severity.WARN, 'severity ' .. tostring(d.severity))
  assert(d.message:find('2/2 connections in use', 1, true), d.message)
  say('  warning: ' .. d.message)
end)

check('lens says live', function()
  local title = lens_title()
  assert(title and title:find('^● live: '), 'lens: ' .. tostring(title))
end)

-- 4. Stop the system: hints, warnings and the live lens go.
vim.uv.kill(pid, 'sigterm')
check('stopping the system clears everything', function()
  local ok = vim.wait(TIMEOUT, function()
    return store_hint() == nil and #live_warnings() == 0
  end, 50)
  assert(ok, 'still shown: hint ' .. tostring((store_hint())) .. ', warnings '
    .. vim.inspect(live_warnings()))
  local title
  ok = vim.wait(TIMEOUT, function()
    title = lens_title()
    return title ~= nil and title:find('not connected', 1, true) ~= nil
  end, 100)
  assert(ok, 'lens: ' .. tostring(title))
end)

finish()
