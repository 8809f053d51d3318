-- rustify.nvim: submit saved Python files to rustifyd (see
-- lua/rustify/init.lua). Configure with require("rustify").setup({...})
-- from your init.lua; this file only wires the autocommands and commands.
if vim.g.loaded_rustify then
  return
end
vim.g.loaded_rustify = 1

local group = vim.api.nvim_create_augroup("rustify", { clear = true })

vim.api.nvim_create_autocmd("BufWritePost", {
  group = group,
  pattern = "*.py",
  callback = function(args)
    require("rustify").on_save(args.buf)
  end,
})

vim.api.nvim_create_autocmd("VimLeavePre", {
  group = group,
  callback = function()
    require("rustify").close()
  end,
})

vim.api.nvim_create_user_command("RustifySubmit", function()
  require("rustify").submit(0)
end, { desc = "Submit this file to rustifyd" })

vim.api.nvim_create_user_command("RustifyClear", function()
  require("rustify").clear()
end, { desc = "Clear rustify's diagnostics in this buffer" })

vim.api.nvim_create_user_command("RustifyStatus", function()
  local s = require("rustify").status()
  print(string.format("rustify: socket %s, %s%s", s.socket,
    s.connected and ("connected to rustifyd " .. tostring(s.daemon_version))
      or "not connected",
    s.last_error and (" (" .. tostring(s.last_error) .. ")") or ""))
end, { desc = "Show rustify's connection state" })
