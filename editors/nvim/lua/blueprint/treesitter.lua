-- Tree-sitter highlighting for blueprint buffers.
--
-- A blueprint is YAML, but highlighting it with YAML's queries would lose
-- what the plugin is for, and changing YAML's queries (`;extends` in
-- queries/yaml/) would change every YAML file. So the YAML parser library is
-- loaded a second time under the language name `blueprint` (its C symbol is
-- still `tree_sitter_yaml`): blueprint buffers get queries/blueprint/*.scm,
-- plain YAML files keep theirs.
local M = {}

local QUERIES = { 'highlights', 'folds', 'injections' }

-- editors/nvim, from this file's own path (lua/blueprint/treesitter.lua).
local plugin_root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h')

--- Where the queries' source of truth lives when the plugin is used from
--- the repository: grammars/queries/blueprint. editors/nvim/queries/blueprint
--- is a symlink to it, which puts them on 'runtimepath'; this lookup covers a
--- checkout where the symlink did not survive (a file instead of a link).
function M.queries_dir()
  local dir = vim.fs.normalize(plugin_root .. '/../../grammars/queries/blueprint')
  if vim.uv.fs_stat(dir .. '/highlights.scm') then
    return dir
  end
  return nil
end

local function yaml_parser(opts)
  if opts.parser then
    return opts.parser
  end
  return vim.api.nvim_get_runtime_file('parser/yaml.*', false)[1]
end

local registered, reason

--- Makes language `blueprint` available, once. Returns true, or false and
--- why not.
function M.register(opts)
  if registered ~= nil then
    return registered, reason
  end
  registered = false
  if not pcall(vim.treesitter.language.inspect, 'blueprint') then
    local path = yaml_parser(opts or {})
    if not path then
      reason = 'no tree-sitter YAML parser (parser/yaml.* on runtimepath)'
      return false, reason
    end
    local ok, added, err = pcall(vim.treesitter.language.add, 'blueprint', {
      path = path,
      symbol_name = 'yaml',
    })
    if not ok or not added then
      reason = 'cannot load ' .. path .. ': ' .. tostring(ok and err or added)
      return false, reason
    end
  end
  -- Queries on 'runtimepath' win; otherwise read them from the repository.
  local dir = M.queries_dir()
  for _, name in ipairs(QUERIES) do
    local on_rtp = #vim.api.nvim_get_runtime_file('queries/blueprint/' .. name .. '.scm', false) > 0
    if not on_rtp and dir then
      local file = io.open(dir .. '/' .. name .. '.scm')
      if file then
        vim.treesitter.query.set('blueprint', name, file:read('*a'))
        file:close()
      end
    end
  end
  registered = true
  return true
end

--- Starts tree-sitter highlighting of `buf`, falling back to Vim's YAML
--- syntax. Returns whether tree-sitter is highlighting.
function M.start(buf, opts)
  opts = opts or {}
  if opts.enabled ~= false and M.register(opts) then
    if pcall(vim.treesitter.start, buf, 'blueprint') then
      return true
    end
  end
  vim.bo[buf].syntax = 'yaml'
  return false
end

return M
