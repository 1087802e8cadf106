-- Headless Neovim as a real LSP client of `invokeai-lint server` (scripts/editor_smoke.sh).
-- Opens the file given in INVOKEAI_LINT_FILE, waits for the server's diagnostics and prints
-- one line per diagnostic: "LINE:COL CODE SEVERITY MESSAGE" (1-based line, 0-based column),
-- then quits (exit 1 if none arrived in time). Works with Neovim 0.7 and later.
local bin = os.getenv("INVOKEAI_LINT_BIN") or "invokeai-lint"
local file = assert(os.getenv("INVOKEAI_LINT_FILE"), "set INVOKEAI_LINT_FILE")
local root = vim.fn.fnamemodify(file, ":p:h")

vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = "invokeai-lint",
  cmd = { bin, "server" },
  root_dir = root,
  init_options = { log = "auto" },
})
vim.lsp.buf_attach_client(buf, client)

local got = vim.wait(20000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)
if not got then
  io.stdout:write("no diagnostics received\n")
  vim.cmd("cquit 1")
end
local names = { "error", "warning", "info", "hint" }
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local msg = d.message:gsub("\n.*", "")
  io.stdout:write(string.format("%d:%d %s %s %s\n", d.lnum + 1, d.col, d.code or "?", names[d.severity], msg))
end
vim.lsp.stop_client(client)
vim.cmd("qall!")
