-- Defaults and option merging for require("blueprint").setup(opts).
local M = {}

--- Settings the server reads, as `blueprint.*` (workspace/configuration,
--- didChangeConfiguration) and as initializationOptions.
M.settings = {
  preflight = { onSave = true },
  -- `address` (host:port of the running system's /metrics) is absent by
  -- default: the server then uses the blueprint's observability.metrics.
  liveMetrics = { intervalMs = 5000, enabled = true, saturationWaitMs = 10, errorRatePercent = 5 },
  log = { level = 'info' },
  envFile = '.env',
}

M.defaults = {
  cmd = { 'blueprint', 'lsp' },
  settings = M.settings,
  -- Show the server's inlay hints (live pool and latency figures) at once.
  inlay_hints = true,
  -- Show the server's code lenses (the live-metrics connection on
  -- `system:`), refreshed on entering the buffer and leaving insert mode.
  codelens = true,
  treesitter = {
    enabled = true,
    -- Path of a tree-sitter YAML parser library; default: the first
    -- parser/yaml.* on 'runtimepath' (nvim-treesitter installs one there).
    parser = nil,
  },
  capabilities = nil,
  on_attach = nil,
}

--- The initializationOptions: the `blueprint` settings object, plus
--- `logLevel`, the spelling the server reads at start-up.
function M.init_options(settings)
  local options = vim.deepcopy(settings)
  options.logLevel = settings.log and settings.log.level or nil
  return options
end

function M.resolve(opts)
  return vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
end

return M
