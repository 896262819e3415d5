-- User commands of blueprint buffers, sent to the server as
-- workspace/executeCommand.
local M = {}

local EXECUTE = 'workspace/executeCommand'

local function notify(message, level)
  vim.notify('Blueprint: ' .. message, level or vim.log.levels.INFO)
end

local function client_for(buf)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ bufnr = buf, name = 'blueprint' })[1]
end

local DONE = {
  ['blueprint.preflight'] = 'database pre-flight finished',
  ['blueprint.live.disconnect'] = 'live metrics stopped',
  ['blueprint.regenerateComponent'] = 'component regenerated',
}

--- What a command's result means to the user.
local function describe(command, result)
  if command == 'blueprint.generate' and type(result) == 'table' then
    if result.applied then
      return 'generated the system'
    end
    return 'nothing generated' .. (result.reason and (' (' .. result.reason .. ')') or '')
  end
  if command == 'blueprint.live.connect' and type(result) == 'table' and result.address then
    return 'live metrics from ' .. tostring(result.address)
  end
  if type(result) == 'table' and type(result.message) == 'string' then
    return result.message
  end
  return DONE[command] or (command .. ' done')
end

--- Sends `command` with `arguments` to the buffer's blueprint server.
--- `on_done(err, result)`, if given, runs after the answer is shown.
---
--- A plain request rather than client:exec_cmd(): exec_cmd refuses, on the
--- client side, any command the server did not list at initialisation, and
--- the server's own answer says more than that.
function M.execute(buf, command, arguments, on_done)
  local client = client_for(buf)
  if not client then
    notify('no blueprint language server is attached to this buffer', vim.log.levels.ERROR)
    return
  end
  local params = { command = command, arguments = arguments }
  local function handler(err, result)
    if err then
      notify(command .. ' failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    else
      notify(describe(command, result))
    end
    if on_done then
      on_done(err, result)
    end
  end
  if vim.fn.has('nvim-0.11') == 1 then
    client:request(EXECUTE, params, handler, buf)
  else
    client.request(EXECUTE, params, handler, buf)
  end
end

--- Names of the components declared in the buffer, for completion: the
--- `name:` of each item of a `components:` list. A line scan, so that it
--- works without a tree-sitter parser.
function M.component_names(buf)
  local names = {}
  local section -- indentation of `components:` while inside it
  local item -- indentation of its items' dashes
  for _, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local indent = #line:match('^%s*')
    local blank = line:match('^%s*$') or line:match('^%s*#')
    if line:match('^%s*components:%s*$') then
      section, item = indent, nil
    elseif section and not blank then
      local dash = line:match('^%s*%-')
      if item == nil and dash and indent >= section then
        item = indent
      end
      if indent < (item or section + 1) or (indent == item and not dash) then
        section, item = nil, nil
      else
        local name = line:match('^%s*%-%s+name:%s*["\']?([%w_%-]+)')
        if not name and item and indent == item + 2 then
          name = line:match('^%s*name:%s*["\']?([%w_%-]+)')
        end
        if name and (indent == item or indent == item + 2) then
          table.insert(names, name)
        end
      end
    end
  end
  return names
end

--- Defines the commands for blueprint buffer `buf`.
function M.define(buf)
  local function uri()
    return vim.uri_from_bufnr(buf)
  end
  local function define(name, fn, opts)
    vim.api.nvim_buf_create_user_command(buf, name, fn, opts)
  end
  define('BlueprintGenerate', function()
    M.execute(buf, 'blueprint.generate', { uri() })
  end, { desc = 'Generate the system this blueprint describes' })
  define('BlueprintRegenerate', function(args)
    M.execute(buf, 'blueprint.regenerateComponent', { uri(), args.args })
  end, {
    nargs = 1,
    desc = 'Regenerate one component in place',
    complete = function(lead)
      return vim.tbl_filter(function(n)
        return vim.startswith(n, lead)
      end, M.component_names(buf))
    end,
  })
  define('BlueprintPreflight', function()
    M.execute(buf, 'blueprint.preflight', { uri() })
  end, { desc = "Check the blueprint's databases now" })
  define('BlueprintConnect', function(args)
    M.execute(buf, 'blueprint.live.connect', args.args ~= '' and { args.args } or {})
  end, { nargs = '?', desc = 'Show live metrics from the running system [host:port]' })
  define('BlueprintDisconnect', function()
    M.execute(buf, 'blueprint.live.disconnect', {})
  end, { desc = 'Stop showing live metrics' })
end

return M
