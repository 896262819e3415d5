-- Neovim 0.11 headless end-to-end test of `blueprint lsp`.
-- Run by run.sh: nvim --headless -u NONE -l test.lua BLUEPRINT_BIN FILE
-- Prints one line per check (PASS/SKIP/FAIL); exits non-zero on failure.
-- Features a server does not implement yet (null result) print SKIP.

local bin, file = arg[1], arg[2]
assert(bin and file, 'usage: nvim -l test.lua BLUEPRINT_BIN FILE')

local TIMEOUT = 10000
local harness = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/harness.lua')
local say, pass, skip, fail, finish = harness.say, harness.pass, harness.skip, harness.fail, harness.finish
local check = harness.check

vim.cmd.edit(vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = 'yaml'
local uri = vim.uri_from_bufnr(buf)

local client_id = vim.lsp.start({
  name = 'blueprint',
  cmd = { bin, 'lsp' },
  root_dir = vim.fs.dirname(file),
}, { bufnr = buf })
if not client_id then
  fail('start', 'vim.lsp.start returned nil')
  finish()
end
local client = assert(vim.lsp.get_client_by_id(client_id))
if not vim.wait(TIMEOUT, function() return client.initialized end, 20) then
  fail('initialize', 'not initialized within ' .. TIMEOUT .. ' ms')
  finish()
end
pass('initialize (positionEncoding ' .. tostring(client.offset_encoding) .. ')')

local function line(n) return vim.api.nvim_buf_get_lines(buf, n, n + 1, true)[1] end

-- Neovim 0.11 both receives pushed diagnostics and pulls them
-- (textDocument/diagnostic), each in its own namespace: the same diagnostic
-- shows up once per namespace. Deduplicate, and record how many agreed.
local namespaces_seen = {}
local function bp_diagnostics()
  local unique, seen = {}, {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code ~= nil then
      namespaces_seen[d.namespace] = true
      local key = table.concat({ d.code, d.lnum, d.col, d.end_lnum, d.end_col, d.message }, '|')
      if not seen[key] then
        seen[key] = true
        table.insert(unique, d)
      end
    end
  end
  return unique
end

local function wait_diagnostics(pred)
  return vim.wait(TIMEOUT, function() return pred(bp_diagnostics()) end, 20)
end

local function request(method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  if not responses then error(method .. ': ' .. tostring(err)) end
  local response = responses[client_id]
  if not response then error(method .. ': no response') end
  if response.err then error(method .. ': ' .. vim.inspect(response.err)) end
  return response.result
end

local function at(l, c)
  return { textDocument = { uri = uri }, position = { line = l, character = c } }
end

-- Line 15 is "      to: [task_sink.inptu]"; the port name starts at column 21.
local PORT_LINE, PORT_COL = 15, 21

-- 1. Diagnostics on open.
check('diagnostics on open', function()
  if not wait_diagnostics(function(ds) return #ds > 0 end) then
    error('no diagnostics within ' .. TIMEOUT .. ' ms')
  end
  local ds = bp_diagnostics()
  assert(#ds == 1, 'expected one diagnostic, got ' .. vim.inspect(ds))
  local d = ds[1]
  assert(d.code == 'BP301', 'code ' .. tostring(d.code))
  assert(d.lnum == PORT_LINE and d.col == PORT_COL and d.end_lnum == PORT_LINE
    and d.end_col == PORT_COL + 5, 'range ' .. vim.inspect(d))
  assert(d.severity == vim.diagnostic.severity.ERROR, 'severity ' .. tostring(d.severity))
  assert(d.message:find('has no input `inptu`', 1, true), d.message)
  pass('diagnostics on open: BP301 at 16:22-27 (' .. #vim.tbl_keys(namespaces_seen) .. ' namespace(s): push/pull)')
end)

-- 2. An edit that fixes it; the diagnostic disappears.
check('edit fixes diagnostic', function()
  vim.api.nvim_buf_set_text(buf, PORT_LINE, PORT_COL + 2, PORT_LINE, PORT_COL + 5, { 'put' })
  assert(line(PORT_LINE) == '      to: [task_sink.input]', line(PORT_LINE))
  if not wait_diagnostics(function(ds) return #ds == 0 end) then
    error('diagnostics still ' .. vim.inspect(bp_diagnostics()))
  end
  pass('edit fixes diagnostic: BP301 gone')
end)

-- 3. Hover on a component type.
check('hover', function()
  local result = request('textDocument/hover', at(7, 15)) -- "      type: APIEndpoint"
  if result == nil or result == vim.NIL then
    return skip('hover', 'server returned null (feature not landed)')
  end
  local contents = result.contents
  local text = type(contents) == 'table' and (contents.value or vim.inspect(contents)) or tostring(contents)
  assert(text:find('APIEndpoint', 1, true), 'hover text: ' .. text)
  pass('hover on APIEndpoint')
end)

-- 4. Completion of component types after "type: ".
check('completion', function()
  vim.api.nvim_buf_set_text(buf, 11, 12, 11, 16, { '' }) -- "      type: Sink" -> "      type: "
  local ok, result = pcall(request, 'textDocument/completion', at(11, 12))
  vim.api.nvim_buf_set_text(buf, 11, 12, 11, 12, { 'Sink' })
  if not ok then error(result) end
  if result == nil or result == vim.NIL then
    return skip('completion', 'server returned null (feature not landed)')
  end
  local items = result.items or result
  local labels = {}
  for _, item in ipairs(items) do labels[item.label] = true end
  assert(labels.APIEndpoint and labels.Store,
    'labels: ' .. table.concat(vim.tbl_keys(labels), ', '))
  pass('completion offers APIEndpoint, Store')
end)

-- 5. Rename a component: the binding follows.
check('rename', function()
  local result = request('textDocument/rename',
    vim.tbl_extend('force', at(10, 14), { newName = 'task_out' })) -- "    - name: task_sink"
  if result == nil or result == vim.NIL then
    return skip('rename', 'server returned null (feature not landed)')
  end
  vim.lsp.util.apply_workspace_edit(result, client.offset_encoding)
  assert(line(10) == '    - name: task_out', line(10))
  assert(line(PORT_LINE) == '      to: [task_out.input]', line(PORT_LINE))
  assert(wait_diagnostics(function(ds) return #ds == 0 end),
    'diagnostics after rename: ' .. vim.inspect(bp_diagnostics()))
  pass('rename task_sink -> task_out updates the binding')
end)

-- 6. A quick fix: break the port again, apply "Replace with `input`".
check('code action', function()
  local l = line(PORT_LINE)
  local s = assert(l:find('input', 1, true)) - 1
  vim.api.nvim_buf_set_text(buf, PORT_LINE, s, PORT_LINE, s + 5, { 'inptu' })
  if not wait_diagnostics(function(ds) return #ds == 1 and ds[1].code == 'BP301' end) then
    error('BP301 did not come back: ' .. vim.inspect(bp_diagnostics()))
  end
  local lsp_diagnostics = vim.tbl_map(function(d) return d.user_data.lsp end, bp_diagnostics())
  local result = request('textDocument/codeAction', {
    textDocument = { uri = uri },
    range = { start = { line = PORT_LINE, character = s + 1 }, ['end'] = { line = PORT_LINE, character = s + 1 } },
    context = { diagnostics = lsp_diagnostics, only = { 'quickfix' } },
  })
  if result == nil or result == vim.NIL or #result == 0 then
    return skip('code action', 'server returned no actions (feature not landed)')
  end
  local action
  for _, a in ipairs(result) do
    if a.title == 'Replace with `input`' then action = a end
  end
  assert(action, 'titles: ' .. vim.inspect(vim.tbl_map(function(a) return a.title end, result)))
  if not action.edit and action.data then
    action = request('codeAction/resolve', action)
  end
  assert(action.edit, 'action without edit: ' .. vim.inspect(action))
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  assert(line(PORT_LINE):find('%.input%]$'), line(PORT_LINE))
  assert(wait_diagnostics(function(ds) return #ds == 0 end),
    'diagnostics after the quick fix: ' .. vim.inspect(bp_diagnostics()))
  pass('code action "Replace with `input`" applied')
end)

finish()
