-- Configuration for Neovim 0.11's built-in LSP client:
--   vim.lsp.enable('blueprint')
-- with this directory on 'runtimepath'. Filetype `blueprint` must be known:
-- call require('blueprint').filetype() (or setup(), which also does the
-- rest: highlighting, commands, inlay hints).
local config = require('blueprint.config')

---@type vim.lsp.Config
return {
  cmd = { 'blueprint', 'lsp' },
  filetypes = { 'blueprint' },
  root_markers = { '.git' },
  settings = { blueprint = config.settings },
  init_options = config.init_options(config.settings),
}
