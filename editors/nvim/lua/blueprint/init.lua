-- Neovim support for system blueprints (*.blueprint.yaml): the filetype,
-- the `blueprint lsp` language server, tree-sitter highlighting and user
-- commands. Nothing happens until require("blueprint").setup(opts).
local config = require('blueprint.config')

local M = {}

--- The options setup() resolved (defaults merged with the user's).
M.options = nil

--- Registers filetype `blueprint`. setup() calls it; users of
--- vim.lsp.enable('blueprint') without setup() can call it alone.
function M.filetype()
  vim.filetype.add({
    filename = { ['blueprint.yaml'] = 'blueprint' },
    -- Above the `yaml` extension rule, which would otherwise win.
    pattern = {
      ['.*%.blueprint%.ya?ml'] = { 'blueprint', { priority = 10 } },
    },
  })
end

-- The missing-server message is shown once per session, not per buffer.
local warned_missing = false

local function executable(cmd)
  if type(cmd) ~= 'table' then
    return true -- a function (Neovim 0.11 RPC client factory): trust it
  end
  if vim.fn.executable(cmd[1]) == 1 then
    return true
  end
  if not warned_missing then
    warned_missing = true
    vim.notify(
      ('Blueprint: language server `%s` not found or not executable. Install it from the '
        .. 'Blueprint repository with `cargo install --path server`, or set `cmd` in '
        .. 'require("blueprint").setup({ cmd = { "/path/to/blueprint", "lsp" } }).'):format(cmd[1]),
      vim.log.levels.ERROR
    )
  end
  return false
end

local function root_dir(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  local root = vim.fs.root(buf, { '.git' })
  if root then
    return root
  end
  return name ~= '' and vim.fs.dirname(name) or vim.fn.getcwd()
end

-- Neovim 0.11 made supports_method a method; 0.10 has a plain function.
local function supports(client, method)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:supports_method(method)
  end
  return client.supports_method(method)
end

--- Starts (or reuses) the language server for `buf`; the client id or nil.
function M.start_lsp(buf, opts)
  opts = opts or M.options or config.resolve()
  if not executable(opts.cmd) then
    return nil
  end
  local capabilities = opts.capabilities
  local handlers = nil
  if opts.codelens then
    -- Neovim neither advertises nor handles workspace/codeLens/refresh;
    -- the live-metrics lens changes with the running system, not with
    -- edits, so take the server's refreshes.
    capabilities = vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(),
      capabilities or {}, { workspace = { codeLens = { refreshSupport = true } } })
    handlers = {
      ['workspace/codeLens/refresh'] = function(_, _, ctx)
        for bufnr in pairs(vim.lsp.get_client_by_id(ctx.client_id).attached_buffers) do
          vim.lsp.codelens.refresh({ bufnr = bufnr })
        end
        return vim.NIL
      end,
    }
  end
  return vim.lsp.start({
    name = 'blueprint',
    cmd = opts.cmd,
    root_dir = root_dir(buf),
    settings = { blueprint = opts.settings },
    init_options = config.init_options(opts.settings),
    capabilities = capabilities,
    handlers = handlers,
    on_attach = function(client, bufnr)
      if opts.inlay_hints and vim.lsp.inlay_hint then
        vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
      end
      if opts.codelens and supports(client, 'textDocument/codeLens') then
        -- Neovim shows lenses only for buffers it was asked to refresh;
        -- the server's workspace/codeLens/refresh then keeps them current.
        vim.lsp.codelens.refresh({ bufnr = bufnr })
        vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave' }, {
          group = vim.api.nvim_create_augroup('blueprint_codelens_' .. bufnr, { clear = true }),
          buffer = bufnr,
          callback = function()
            vim.lsp.codelens.refresh({ bufnr = bufnr })
          end,
        })
      end
      if opts.on_attach then
        opts.on_attach(client, bufnr)
      end
    end,
  }, { bufnr = buf })
end

-- Filetype `blueprint` gets none of YAML's ftplugin; set what editing YAML
-- needs.
local function buffer_options(buf)
  vim.bo[buf].commentstring = '# %s'
  vim.bo[buf].comments = ':#'
  vim.bo[buf].expandtab = true
  vim.bo[buf].shiftwidth = 2
  vim.bo[buf].softtabstop = 2
end

--- Everything a blueprint buffer gets; run on FileType blueprint.
function M.attach(buf)
  local opts = M.options or config.resolve()
  buffer_options(buf)
  require('blueprint.treesitter').start(buf, opts.treesitter)
  require('blueprint.commands').define(buf)
  M.start_lsp(buf, opts)
end

function M.setup(opts)
  M.options = config.resolve(opts)
  M.filetype()
  local group = vim.api.nvim_create_augroup('blueprint', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'blueprint',
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers already open when setup() runs late (lazy loading).
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      local name = vim.api.nvim_buf_get_name(buf)
      if name ~= '' and vim.filetype.match({ buf = buf, filename = name }) == 'blueprint' then
        vim.bo[buf].filetype = 'blueprint'
      end
    end
  end
end

return M
