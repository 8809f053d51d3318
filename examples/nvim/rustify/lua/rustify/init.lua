-- rustify.nvim: accelerate the Python file you save with rustifyd.
--
-- On BufWritePost of a *.py file the plugin submits the file to the daemon
-- (job/submit over the daemon's Unix socket, LSP-style Content-Length
-- framing, JSON-RPC 2.0; see proto/PROTOCOL.md), shows the job's progress
-- in the status line (require'rustify'.statusline()) and, when the job
-- ends, one diagnostic per selected function on its `def` line:
-- "accelerated 14.1x, verified 12/12" (INFO) or "not translated: line 24:5:
-- try/except is not supported" (WARN).
--
-- Runs on Neovim 0.7.2 (vim.loop; vim.uv and vim.system are newer) and
-- later. When no daemon answers it runs `rustifyctl daemon start` once;
-- when that is not possible it stays quiet: nothing is shown, and
-- :RustifyStatus tells why.

local M = {}

local uv = vim.uv or vim.loop

M.version = "0.1.0"

local defaults = {
  -- the client used to start a daemon (a name on PATH or a path)
  rustifyctl = "rustifyctl",
  -- nil: $RUSTIFY_SOCKET, else $XDG_RUNTIME_DIR/rustify/rustifyd.sock,
  -- else /tmp/rustify-$UID/rustifyd.sock
  socket = nil,
  -- submit *.py files on save
  on_save = true,
  -- start a daemon when none answers
  autostart = true,
  -- extra job/submit params: threshold, functions, python, entry, ...
  options = {},
  -- also show functions that were not selected (as HINTs)
  show_unselected = false,
  -- how long to wait for a started daemon to answer
  connect_timeout_ms = 10000,
}

M.config = vim.deepcopy(defaults)

local ns = vim.api.nvim_create_namespace("rustify")

local state = {
  pipe = nil,
  connected = false,
  connecting = false,
  waiters = {},   -- callbacks(ok, why) waiting for the connection
  buf = "",       -- bytes read, not yet a whole message
  next_id = 1,
  pending = {},   -- request id -> callback(err, result)
  jobs = {},      -- job id -> {bufnr, file, stage, percent, done, summary}
  by_file = {},   -- file -> its latest job id
  early = {},     -- job id -> notifications that beat the submit reply
  last_error = nil,
  daemon = nil,   -- initialize's result
}

-- JSON null decodes to vim.NIL.
local function val(x)
  if x == vim.NIL then
    return nil
  end
  return x
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
end

function M.socket_path()
  if M.config.socket and M.config.socket ~= "" then
    return M.config.socket
  end
  local e = os.getenv("RUSTIFY_SOCKET")
  if e and e ~= "" then
    return e
  end
  e = os.getenv("XDG_RUNTIME_DIR")
  if e and e ~= "" then
    return e .. "/rustify/rustifyd.sock"
  end
  return "/tmp/rustify-" .. tostring(uv.getuid()) .. "/rustifyd.sock"
end

local function redraw()
  pcall(vim.cmd, "redrawstatus!")
end

-- ---- connection -----------------------------------------------------------

local function fail_pending(why)
  local pending = state.pending
  state.pending = {}
  for _, cb in pairs(pending) do
    cb({ code = -32603, message = why }, nil)
  end
end

local function disconnect(why)
  if state.pipe then
    local pipe = state.pipe
    state.pipe = nil
    if not pipe:is_closing() then
      pipe:close()
    end
  end
  state.connected = false
  state.buf = ""
  state.last_error = why
  for _, job in pairs(state.jobs) do
    if not job.done then
      job.done = true
      job.summary = ""
    end
  end
  fail_pending(why or "disconnected")
  redraw()
end

local function send(msg)
  if not state.pipe then
    return false
  end
  local body = vim.json.encode(msg)
  state.pipe:write("Content-Length: " .. #body .. "\r\n\r\n" .. body)
  return true
end

-- Sends a request; cb(err, result) runs on the main loop.
local function request(method, params, cb)
  local id = state.next_id
  state.next_id = id + 1
  state.pending[id] = cb or function() end
  if not send({ jsonrpc = "2.0", id = id, method = method, params = params }) then
    state.pending[id] = nil
    if cb then
      cb({ code = -32603, message = "not connected" }, nil)
    end
  end
end

local on_notification

local function dispatch(msg)
  if type(msg) ~= "table" then
    return
  end
  if msg.method == nil and msg.id ~= nil then
    local cb = state.pending[msg.id]
    state.pending[msg.id] = nil
    if cb then
      local err = val(msg.error)
      cb(err, err == nil and val(msg.result) or nil)
    end
  elseif type(msg.method) == "string" then
    on_notification(msg.method, val(msg.params) or {})
  end
end

-- Splits the bytes read into messages ("Content-Length: N\r\n\r\n" body).
local function on_bytes(chunk)
  state.buf = state.buf .. chunk
  while true do
    local head_end = state.buf:find("\r\n\r\n", 1, true)
    if not head_end then
      return
    end
    local len
    for line in state.buf:sub(1, head_end - 1):gmatch("[^\r\n]+") do
      local k, v = line:match("^([^:]+):%s*(%d+)%s*$")
      if k and k:lower() == "content-length" then
        len = tonumber(v)
      end
    end
    if not len then
      disconnect("bad framing from the daemon")
      return
    end
    local start = head_end + 4
    if #state.buf < start + len - 1 then
      return
    end
    local body = state.buf:sub(start, start + len - 1)
    state.buf = state.buf:sub(start + len)
    local ok, msg = pcall(vim.json.decode, body)
    if ok then
      dispatch(msg)
    end
  end
end

local function finish_connect(ok, why)
  state.connecting = false
  if not ok then
    state.last_error = why
  end
  local waiters = state.waiters
  state.waiters = {}
  for _, cb in ipairs(waiters) do
    cb(ok, why)
  end
end

-- `rustifyctl --socket PATH daemon start`: cb(true) once it says started.
local function start_daemon(cb)
  local exe = M.config.rustifyctl
  if not exe or exe == "" or vim.fn.executable(exe) ~= 1 then
    return cb(false, "rustifyctl not found (" .. tostring(exe) .. ")")
  end
  local handle
  local ok, spawned = pcall(uv.spawn, vim.fn.exepath(exe), {
    args = { "--socket", M.socket_path(), "daemon", "start" },
    stdio = { nil, nil, nil },
  }, function(code)
    if handle and not handle:is_closing() then
      handle:close()
    end
    vim.schedule(function()
      cb(code == 0, "rustifyctl daemon start exited with " .. code)
    end)
  end)
  handle = ok and spawned or nil
  if not handle then
    cb(false, "could not run " .. exe)
  end
end

-- Connects (starting a daemon when none answers and autostart is on),
-- then initialize; cb(ok, why) on the main loop.
local function connect(cb)
  if state.connected then
    return cb(true)
  end
  table.insert(state.waiters, cb)
  if state.connecting then
    return
  end
  state.connecting = true
  local path = M.socket_path()
  local tried_start = false
  local deadline

  local attempt
  local function retry_or_fail(why)
    if M.config.autostart and not tried_start then
      tried_start = true
      start_daemon(function(started, swhy)
        if not started then
          return finish_connect(false, swhy)
        end
        deadline = uv.now() + M.config.connect_timeout_ms
        attempt()
      end)
    elseif deadline and uv.now() < deadline then
      vim.defer_fn(attempt, 100)
    else
      finish_connect(false, "no daemon at " .. path .. ": " .. tostring(why))
    end
  end

  attempt = function()
    local pipe = uv.new_pipe(false)
    pipe:connect(path, function(err)
      if err then
        pipe:close()
        vim.schedule(function()
          retry_or_fail(err)
        end)
        return
      end
      state.pipe = pipe
      state.buf = ""
      pipe:read_start(function(rerr, chunk)
        if rerr or not chunk then
          vim.schedule(function()
            if state.pipe == pipe then
              disconnect(rerr or "the daemon closed the connection")
            end
          end)
          return
        end
        vim.schedule(function()
          if state.pipe == pipe then
            on_bytes(chunk)
          end
        end)
      end)
      vim.schedule(function()
        request("initialize", {
          client_name = "rustify.nvim",
          client_version = M.version,
          protocol_version = 1,
        }, function(ierr, res)
          if ierr then
            disconnect(ierr.message)
            return finish_connect(false, ierr.message)
          end
          state.daemon = res
          state.connected = true
          state.last_error = nil
          finish_connect(true)
        end)
      end)
    end)
  end
  attempt()
end

-- ---- results ----------------------------------------------------------------

local function fmt_speedup(s)
  s = val(s)
  if type(s) ~= "number" then
    return "?"
  end
  return string.format("%.1f", s)
end

-- Whether two paths name the same file (file names as the daemon and
-- the buffer spell them).
local function same_file(a, b)
  if type(a) ~= "string" or type(b) ~= "string" or a == "" or b == "" then
    return false
  end
  local ra = vim.loop.fs_realpath(a) or a
  local rb = vim.loop.fs_realpath(b) or b
  return ra == rb
end

-- One diagnostic per function of a job result (see PROTOCOL.md, "The job
-- result"), and one ERROR on the line a workload failure points at when
-- it is in this buffer's file (bufname; every line 1 of the buffer
-- otherwise gets nothing).
function M.diagnostics_of(result, bufname)
  local diags = {}
  local sev = vim.diagnostic.severity
  local werr = val(result.workload_error)
  if type(werr) == "table" and type(val(werr.line)) == "number"
      and (bufname == nil or same_file(val(werr.file), bufname)) then
    local failed = val(result.state) == "failed"
    table.insert(diags, {
      lnum = math.max(val(werr.line) - 1, 0),
      col = 0,
      severity = sev.ERROR,
      source = "rustify",
      code = "workload",
      message = string.format("%s %s: %s",
        failed and "the program does not compile:" or "the workload raised",
        val(werr.type) or "?", val(werr.message) or ""),
    })
  end
  for _, f in ipairs(val(result.functions) or {}) do
    local line = val(f.line)
    local reason = val(f.reason)
    local checked = val(f.checked_inputs) or 0
    local d
    if f.translated == true and f.verified == true then
      d = {
        severity = sev.INFO,
        message = string.format("accelerated %sx, verified %d/%d",
          fmt_speedup(f.speedup), checked, checked),
      }
    elseif f.translated == true then
      d = {
        severity = sev.WARN,
        message = "not verified (stays in Python): "
          .. (reason or string.format("verified 0/%d", checked)),
      }
    elseif f.selected == true then
      d = {
        severity = sev.WARN,
        message = "not translated: " .. (reason or "no reason given"),
      }
    elseif M.config.show_unselected then
      d = {
        severity = sev.HINT,
        message = "not selected: " .. (reason or "below the threshold"),
      }
    end
    if d and type(line) == "number" and line >= 1 then
      d.lnum = line - 1
      d.col = 0
      d.source = "rustify"
      d.code = val(f.name)
      table.insert(diags, d)
    end
  end
  return diags
end

local function summarize(result)
  local selected, fast = 0, 0
  for _, f in ipairs(val(result.functions) or {}) do
    if f.selected == true then
      selected = selected + 1
      if f.translated == true and f.verified == true then
        fast = fast + 1
      end
    end
  end
  return string.format("rustify: %d/%d accelerated", fast, selected)
end

local function show_result(id, job)
  request("job/result", { job = id }, function(err, res)
    if err or not res then
      job.summary = "rustify: " .. (err and err.message or "no result")
      return redraw()
    end
    if val(res.state) == "done" then
      job.summary = summarize(res)
    else
      local why = val(res.error) or val(res.state) or "failed"
      job.summary = "rustify: " .. val(res.state) .. ": " .. why:sub(1, 60)
    end
    if vim.api.nvim_buf_is_valid(job.bufnr) then
      vim.diagnostic.set(ns, job.bufnr, M.diagnostics_of(res,
        vim.api.nvim_buf_get_name(job.bufnr)))
    end
    job.result = res
    redraw()
  end)
end

on_notification = function(method, p)
  local id = val(p.job)
  if not id then
    return
  end
  local job = state.jobs[id]
  if not job then
    -- may beat the job/submit reply: kept until the id is known
    state.early[id] = state.early[id] or {}
    table.insert(state.early[id], { method, p })
    return
  end
  if method == "job/progress" then
    job.stage = val(p.stage) or job.stage
    job.percent = val(p.percent) or job.percent
    redraw()
  elseif method == "job/done" then
    job.done = true
    job.state = val(p.state)
    if job.state == "cancelled" then
      job.summary = ""
      redraw()
    else
      job.summary = "rustify: " .. tostring(job.state)
      show_result(id, job)
    end
  end
end

-- ---- public -------------------------------------------------------------------

-- Submits buffer bufnr's file (default: the current buffer).
function M.submit(bufnr)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return
  end
  local file = uv.fs_realpath(name) or vim.fn.fnamemodify(name, ":p")
  connect(function(ok)
    if not ok then
      return redraw()
    end
    local old = state.by_file[file]
    if old and state.jobs[old] and not state.jobs[old].done then
      -- a newer save replaces the job still running for this file
      request("job/cancel", { job = old })
    end
    local params = vim.tbl_extend("force", vim.deepcopy(M.config.options),
      { file = file })
    request("job/submit", params, function(err, res)
      if err or not res then
        state.last_error = err and err.message or "no reply"
        return redraw()
      end
      local id = res.job
      state.jobs[id] = { bufnr = bufnr, file = file, stage = "queued",
        percent = 0, done = false, summary = "" }
      state.by_file[file] = id
      local early = state.early[id]
      state.early[id] = nil
      for _, n in ipairs(early or {}) do
        on_notification(n[1], n[2])
      end
      redraw()
    end)
  end)
end

function M.on_save(bufnr)
  if M.config.on_save then
    M.submit(bufnr)
  end
end

-- The status line piece for the current buffer: "rustify: build 40%",
-- "rustify: 1/1 accelerated", or "" (nothing known, daemon missing).
function M.statusline()
  local name = vim.api.nvim_buf_get_name(0)
  if name == "" then
    return ""
  end
  local file = uv.fs_realpath(name) or vim.fn.fnamemodify(name, ":p")
  local job = state.jobs[state.by_file[file] or ""]
  if not job then
    return ""
  end
  if not job.done then
    return string.format("rustify: %s %d%%", job.stage or "queued",
      job.percent or 0)
  end
  return job.summary or ""
end

-- What the plugin knows: for :RustifyStatus and tests.
function M.status()
  return {
    socket = M.socket_path(),
    connected = state.connected,
    last_error = state.last_error,
    daemon_version = state.daemon and val(state.daemon.daemon_version),
    jobs = state.jobs,
  }
end

function M.clear(bufnr)
  vim.diagnostic.reset(ns, bufnr or vim.api.nvim_get_current_buf())
end

function M.close()
  if state.pipe then
    disconnect("closed")
  end
end

M.namespace = ns

return M
