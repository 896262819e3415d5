-- What the headless Neovim tests share (tests/nvim/test.lua, live.lua and
-- editors/nvim/test/plugin_test.lua): one line per check on stdout
-- (PASS/SKIP/FAIL), a count of failures, and the exit status.
-- Load it with dofile(); it returns the functions.
local M = { failures = 0 }

-- io.stdout, not print(): in -l mode print() ends lines lazily.
function M.say(line) io.stdout:write(line, '\n') end
function M.pass(what) M.say('PASS ' .. what) end
function M.skip(what, why) M.say('SKIP ' .. what .. ': ' .. why) end
function M.fail(what, why)
  M.failures = M.failures + 1
  M.say('FAIL ' .. what .. ': ' .. why)
end

-- A check that raises is a failure, not a crash of the whole run.
-- Returns whether it passed.
function M.check(what, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if not ok then M.fail(what, tostring(err)) end
  return ok
end

-- Stops the language servers, prints the verdict and exits with it.
function M.finish()
  for _, client in ipairs(vim.lsp.get_clients()) do
    client:stop(true)
  end
  M.say(M.failures == 0 and 'OK' or (M.failures .. ' FAILED'))
  io.stdout:flush()
  os.exit(M.failures == 0 and 0 or 1)
end

return M
