-- Neovim 0.11 headless test of the blueprint plugin (editors/nvim).
-- Run by run.sh: nvim --headless -u NONE -l plugin_test.lua BIN FILE PLUGIN_DIR [YAML_PARSER]
-- Prints one line per check (PASS/SKIP/FAIL); exits non-zero on failure.

local bin, file, plugin, parser = arg[1], arg[2], arg[3], arg[4]
assert(bin and file and plugin, 'usage: nvim -l plugin_test.lua BIN FILE PLUGIN_DIR [YAML_PARSER]')
if parser == '' then
  parser = nil
end

local TIMEOUT = 10000
-- The harness the repository's Neovim tests share.
local harness = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/../../../tests/nvim/harness.lua')
local say, pass, skip, fail, finish, check =
  harness.say, harness.pass, harness.skip, harness.fail, harness.finish, harness.check

-- Every vim.notify, recorded (and shown, to read a failing run).
local notes = {}
vim.notify = function(message, level)
  table.insert(notes, { message = message, level = level })
  say('  notify[' .. tostring(level) .. '] ' .. message)
end

vim.opt.runtimepath:prepend(plugin)
vim.cmd('filetype on')
if parser then
  -- Where nvim-treesitter installs parsers: the plugin looks there.
  vim.opt.runtimepath:prepend(vim.fs.dirname(vim.fs.dirname(parser)))
  assert(vim.treesitter.language.add('yaml', { path = parser }))
end

local blueprint = require('blueprint')
blueprint.setup({ cmd = { bin, 'lsp' } })

-- 0. A missing server: one clear message, no error, no client.
check('missing server', function()
  local scratch = vim.api.nvim_create_buf(false, true)
  local opts = vim.tbl_extend('force', blueprint.options, { cmd = { '/nonexistent/blueprint', 'lsp' } })
  assert(blueprint.start_lsp(scratch, opts) == nil, 'a client for a missing binary')
  assert(blueprint.start_lsp(scratch, opts) == nil, 'a client for a missing binary')
  local shown = vim.tbl_filter(function(n) return n.message:find('cargo install --path server', 1, true) end, notes)
  assert(#shown == 1, 'expected one install hint, got ' .. vim.inspect(notes))
  assert(shown[1].level == vim.log.levels.ERROR, 'level ' .. tostring(shown[1].level))
  vim.api.nvim_buf_delete(scratch, { force = true })
  pass('missing server: one error saying how to install it')
end)

vim.cmd.edit(vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_bufnr(buf)

-- 1. Filetype.
check('filetype', function()
  assert(vim.bo[buf].filetype == 'blueprint', 'filetype ' .. vim.bo[buf].filetype)
  for name, want in pairs({
    ['a.blueprint.yml'] = 'blueprint',
    ['blueprint.yaml'] = 'blueprint',
    ['dir/x.blueprint.yaml'] = 'blueprint',
    ['other.yaml'] = 'yaml',
  }) do
    local got = vim.filetype.match({ filename = name })
    assert(got == want, name .. ': ' .. tostring(got))
  end
  pass('filetype blueprint for *.blueprint.yaml, *.blueprint.yml, blueprint.yaml')
end)

-- 2. The client.
local client
check('client attached', function()
  local ok = vim.wait(TIMEOUT, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'blueprint' })[1]
    return client ~= nil and client.initialized
  end, 20)
  assert(ok, 'no initialized blueprint client within ' .. TIMEOUT .. ' ms')
  assert(client.config.settings.blueprint.preflight.onSave == true, vim.inspect(client.config.settings))
  assert(client.config.init_options.liveMetrics.intervalMs == 5000, vim.inspect(client.config.init_options))
  pass('client "blueprint" attached, root ' .. tostring(client.config.root_dir))
end)
if not client then finish() end

-- 3. Diagnostics for the broken line ("to: [order_sink.inptu]", line 16).
local BROKEN = 15
local function diagnostics_on(row)
  return vim.tbl_filter(function(d) return d.lnum == row end, vim.diagnostic.get(buf))
end
check('diagnostics', function()
  local ok = vim.wait(TIMEOUT, function() return #diagnostics_on(BROKEN) > 0 end, 20)
  assert(ok, 'no diagnostic on line ' .. (BROKEN + 1) .. ': ' .. vim.inspect(vim.diagnostic.get(buf)))
  local d = diagnostics_on(BROKEN)[1]
  assert(d.code == 'BP301', vim.inspect(d))
  pass('diagnostics: ' .. d.code .. ' on line ' .. (BROKEN + 1))
end)

-- 4. Inlay hints.
check('inlay hints', function()
  assert(vim.lsp.inlay_hint.is_enabled({ bufnr = buf }), 'inlay hints not enabled')
  pass('inlay hints enabled for the buffer')
end)

-- 5. Tree-sitter highlighting with the blueprint queries.
check('tree-sitter', function()
  if not parser then
    assert(vim.bo[buf].syntax == 'yaml', 'fallback syntax ' .. vim.bo[buf].syntax)
    return skip('tree-sitter', 'no YAML parser built; fell back to syntax=yaml')
  end
  assert(vim.treesitter.highlighter.active[buf], 'highlighter not active')
  local tsparser = vim.treesitter.get_parser(buf)
  local lang = tsparser:lang()
  -- The highlighter parses on redraw, which a headless run never does.
  tsparser:parse(true)
  assert(lang == 'blueprint', 'language ' .. lang)
  -- "      type: APIEndpoint" (line 8): the type starts at column 12.
  local line = vim.api.nvim_buf_get_lines(buf, 7, 8, true)[1]
  assert(line == '      type: APIEndpoint', line)
  local names = vim.tbl_map(function(c) return c.capture end, vim.treesitter.get_captures_at_pos(buf, 7, 14))
  assert(vim.tbl_contains(names, 'type'), 'captures at APIEndpoint: ' .. vim.inspect(names))
  -- A port reference and a schema name.
  local port = vim.tbl_map(function(c) return c.capture end, vim.treesitter.get_captures_at_pos(buf, 14, 14))
  assert(vim.tbl_contains(port, 'variable.member'), 'captures at order_api.commands: ' .. vim.inspect(port))
  -- The queries on 'runtimepath' (queries/blueprint, a symlink) are the
  -- repository's grammars/queries/blueprint, which the plugin also finds
  -- from its own path.
  local dir = assert(require('blueprint.treesitter').queries_dir(), 'queries_dir() found nothing')
  local on_rtp = vim.api.nvim_get_runtime_file('queries/blueprint/highlights.scm', false)[1]
  assert(vim.uv.fs_realpath(on_rtp) == vim.uv.fs_realpath(dir .. '/highlights.scm'), on_rtp .. ' vs ' .. dir)
  assert(vim.treesitter.query.get('blueprint', 'folds'), 'no folds query')
  assert(vim.treesitter.query.get('blueprint', 'injections'), 'no injections query')
  -- Plain YAML is left alone: no blueprint captures leak into language yaml.
  local yaml = vim.treesitter.query.get('yaml', 'highlights')
  assert(yaml == nil or not vim.tbl_contains(yaml.captures, 'type.definition'), 'yaml queries changed')
  pass('tree-sitter: language blueprint, @type at the component type, @variable.member at a port')
end)

-- 5b. The SQL injection, as Neovim evaluates it (#any-of?, #offset!):
-- no SQL parser is needed to see which text would be handed to one.
check('sql injection', function()
  if not parser then
    return skip('sql injection', 'no YAML parser built')
  end
  local text = 'routes:\n  - when: "amount > 1000"\n    output: large\n'
  local tree = vim.treesitter.get_string_parser(text, 'blueprint'):parse()[1]
  local query = assert(vim.treesitter.query.get('blueprint', 'injections'))
  local found
  for _, match, metadata in query:iter_matches(tree:root(), text, 0, -1) do
    for id, nodes in pairs(match) do
      if query.captures[id] == 'injection.content' and metadata['injection.language'] == 'sql' then
        -- The range after #offset! (get_node_text ignores it for strings).
        local node = nodes[1] or nodes
        local r = metadata[id] and metadata[id].range or { node:range() }
        assert(r[1] == r[3], 'one-line range expected: ' .. vim.inspect(r))
        found = vim.split(text, '\n')[r[1] + 1]:sub(r[2] + 1, r[4])
      end
    end
  end
  assert(found == 'amount > 1000', 'injected: ' .. vim.inspect(found))
  pass('sql injection: `when:` hands "amount > 1000" (quotes trimmed) to sql')
end)

-- 6. User commands reach the server. Record each executeCommand request
-- and its answer (a result or a JSON-RPC error).
local calls = {}
local request = client.request
client.request = function(self, method, params, handler, bufnr)
  if method == 'workspace/executeCommand' then
    local call = { command = params.command, arguments = params.arguments }
    table.insert(calls, call)
    local inner = handler
    handler = function(err, result, ctx, cfg)
      call.answered, call.err, call.result = true, err, result
      if inner then return inner(err, result, ctx, cfg) end
    end
  end
  return request(self, method, params, handler, bufnr)
end

local function run(cmdline, command)
  local before = #calls
  vim.cmd(cmdline)
  local call = calls[before + 1]
  assert(call, cmdline .. ': no workspace/executeCommand sent')
  assert(call.command == command, cmdline .. ': sent ' .. tostring(call.command))
  assert(vim.wait(TIMEOUT * 3, function() return call.answered end, 20), cmdline .. ': no answer')
  return call
end

local function outcome(call)
  if call.err then return 'error ' .. tostring(call.err.code) .. ' ' .. tostring(call.err.message) end
  return 'result ' .. vim.inspect(call.result, { newline = ' ', indent = '' })
end

check(':BlueprintPreflight', function()
  local call = run('BlueprintPreflight', 'blueprint.preflight')
  assert(vim.deep_equal(call.arguments, { uri }), vim.inspect(call.arguments))
  assert(not call.err, outcome(call))
  pass(':BlueprintPreflight -> ' .. outcome(call))
end)

-- The lens titles Neovim shows for the buffer (the plugin asked for them).
local function lens_titles()
  return vim.tbl_map(function(l) return l.command and l.command.title or '' end,
    vim.lsp.codelens.get(buf))
end

local function wait_lens(prefix)
  local ok = vim.wait(TIMEOUT, function()
    return vim.iter(lens_titles()):any(function(t) return vim.startswith(t, prefix) end)
  end, 50)
  assert(ok, 'no lens "' .. prefix .. '…"; lenses: ' .. vim.inspect(lens_titles()))
end

-- Nothing listens on port 9 (discard): connected, but not connected.
check(':BlueprintConnect', function()
  local call = run('BlueprintConnect 127.0.0.1:9', 'blueprint.live.connect')
  assert(vim.deep_equal(call.arguments, { '127.0.0.1:9' }), vim.inspect(call.arguments))
  wait_lens('○ live metrics: not connected (127.0.0.1:9)')
  pass(':BlueprintConnect 127.0.0.1:9 -> ' .. outcome(call) .. '; the lens says not connected')
end)

check(':BlueprintDisconnect', function()
  local call = run('BlueprintDisconnect', 'blueprint.live.disconnect')
  assert(not call.err, outcome(call))
  wait_lens('○ live metrics: disconnected')
  pass(':BlueprintDisconnect -> ' .. outcome(call) .. '; the lens offers to connect')
end)

check(':BlueprintRegenerate', function()
  local completions = vim.fn.getcompletion('BlueprintRegenerate order_', 'cmdline')
  assert(vim.deep_equal(completions, { 'order_api', 'order_sink' }), 'completion ' .. vim.inspect(completions))
  local call = run('BlueprintRegenerate order_sink', 'blueprint.regenerateComponent')
  assert(vim.deep_equal(call.arguments, { uri, 'order_sink' }), vim.inspect(call.arguments))
  -- The blueprint still has an error: the server refuses, and says why.
  assert(call.err and call.err.message:find('errors', 1, true), outcome(call))
  local shown = vim.tbl_filter(function(n) return n.level == vim.log.levels.ERROR and n.message:find('regenerateComponent', 1, true) end, notes)
  assert(#shown > 0, 'server error not shown with vim.notify')
  pass(':BlueprintRegenerate order_sink (completes component names) -> ' .. outcome(call))
end)

-- Generation needs a blueprint without errors: fix the port first.
check(':BlueprintGenerate', function()
  local line = vim.api.nvim_buf_get_lines(buf, BROKEN, BROKEN + 1, true)[1]
  local s = assert(line:find('inptu', 1, true)) - 1
  vim.api.nvim_buf_set_text(buf, BROKEN, s, BROKEN, s + 5, { 'input' })
  vim.cmd('silent write')
  assert(vim.wait(TIMEOUT, function() return #diagnostics_on(BROKEN) == 0 end, 20),
    'diagnostic still there: ' .. vim.inspect(diagnostics_on(BROKEN)))
  local call = run('BlueprintGenerate', 'blueprint.generate')
  assert(not call.err, outcome(call))
  assert(type(call.result) == 'table' and call.result.applied == true, outcome(call))
  -- The edit created the generated project's files (as buffers, unsaved).
  local created = 0
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b):find('%.rs$') then created = created + 1 end
  end
  assert(created > 0, 'no generated .rs buffers')
  pass(':BlueprintGenerate -> applied, ' .. created .. ' .rs files in the edit')
end)

-- With the blueprint fixed, one component's modules come back on request.
check(':BlueprintRegenerate after the fix', function()
  local call = run('BlueprintRegenerate order_sink', 'blueprint.regenerateComponent')
  assert(not call.err, outcome(call))
  assert(type(call.result) == 'table' and call.result.applied ~= nil, outcome(call))
  pass(':BlueprintRegenerate order_sink -> ' .. outcome(call))
end)

finish()
