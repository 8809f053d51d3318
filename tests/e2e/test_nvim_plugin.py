"""The Neovim plugin (examples/nvim/rustify) in a headless nvim against a
real daemon: saving a Python file submits it, the status line follows the
job, and per-function results arrive as diagnostics on the def lines
(INFO "accelerated ...x, verified n/n", WARN "not translated: ...").
Without a daemon or rustifyctl it stays quiet; with rustifyctl it starts
a daemon itself.

The plugin is loaded the way a user installs it: its folder added to the
runtimepath. Skipped when nvim is not installed.
"""

import json
import os
import shutil
import subprocess

import pytest

from conftest import BUILD, EXAMPLES, ROOT, pids_with_cmdline, wait_until

NVIM = shutil.which("nvim")
PLUGIN = os.path.join(ROOT, "examples", "nvim", "rustify")
CTL = os.path.join(ROOT, BUILD, "rustifyctl")

pytestmark = pytest.mark.skipif(
    NVIM is None, reason="nvim is not installed (apt-get install -y neovim)")

# Opens the file, writes it, waits for the plugin's diagnostics (or for
# the wait to run out), and writes what it saw as JSON.
DRIVER = r'''
local env = os.getenv
local rustify = require("rustify")
rustify.setup({
  rustifyctl = env("T_CTL"),
  options = vim.json.decode(env("T_OPTIONS")),
})
local wait_ms = tonumber(env("T_WAIT_MS"))
local want_done = env("T_WANT") == "done"
vim.cmd("edit " .. vim.fn.fnameescape(env("T_FILE")))
vim.cmd("write")
local statuses = {}
local function diags()
  return vim.diagnostic.get(0, { namespace = rustify.namespace })
end
local ok = vim.wait(wait_ms, function()
  local s = rustify.statusline()
  if statuses[#statuses] ~= s then
    table.insert(statuses, s)
  end
  if want_done then
    return s:match("accelerated$") ~= nil
  end
  return #diags() > 0
end, 20)
local out = {}
for _, d in ipairs(diags()) do
  table.insert(out, { lnum = d.lnum, severity = d.severity,
    message = d.message, source = d.source })
end
local st = rustify.status()
local f = io.open(env("T_OUT"), "w")
f:write(vim.json.encode({
  ok = ok, diagnostics = out, statuses = statuses,
  connected = st.connected, last_error = tostring(st.last_error),
  errmsg = vim.v.errmsg,
}))
f:close()
vim.cmd("qa!")
'''


def run_nvim(tmp, file, socket, options=None, ctl=CTL, wait_ms=120000,
             want="diagnostics", env=None):
    driver = os.path.join(tmp, "driver.lua")
    out = os.path.join(tmp, "out.json")
    with open(driver, "w") as f:
        f.write(DRIVER)
    e = dict(os.environ)
    e.update({"RUSTIFY_SOCKET": socket, "T_CTL": ctl, "T_FILE": file,
              "T_OUT": out, "T_WAIT_MS": str(wait_ms), "T_WANT": want,
              "T_OPTIONS": json.dumps(options or {}),
              "XDG_STATE_HOME": os.path.join(tmp, "nvim-state"),
              "XDG_DATA_HOME": os.path.join(tmp, "nvim-data")})
    e.update(env or {})
    r = subprocess.run(
        [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n",
         "--cmd", "set rtp^=" + PLUGIN,
         "-c", "runtime! plugin/rustify.lua",
         "-c", "luafile " + driver],
        capture_output=True, text=True, timeout=wait_ms / 1000 + 60,
        env=e, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r
    assert "Error" not in r.stderr, r.stderr
    with open(out) as f:
        return json.load(f)


def copy_example(tmp, name):
    dst = os.path.join(tmp, name)
    shutil.copy(os.path.join(EXAMPLES, name), dst)
    return dst


def def_line(path, func):
    with open(path) as f:
        for i, line in enumerate(f):
            if line.startswith("def %s(" % func):
                return i
    raise AssertionError("no def %s in %s" % (func, path))


def test_save_shows_accelerated(daemon, tmpdir_short):
    file = copy_example(tmpdir_short, "euclidean.py")
    res = run_nvim(tmpdir_short, file, daemon.socket)
    assert res["ok"] and res["connected"], res
    assert res["errmsg"] == ""
    [d] = res["diagnostics"]
    assert d["lnum"] == def_line(file, "euclidean")
    assert d["severity"] == 3 and d["source"] == "rustify"  # INFO
    words = d["message"].split()
    assert words[0] == "accelerated" and words[1].endswith("x,"), d
    assert float(words[1][:-2]) > 0
    assert words[2] == "verified"
    n, m = words[3].split("/")
    assert n == m and int(n) > 0, d
    # the status line followed the job's stages to its summary
    progress = [s for s in res["statuses"] if s.endswith("%")]
    assert progress and all(s.startswith("rustify: ") for s in progress)
    wait_until(lambda: os.path.isdir(
        os.path.join(tmpdir_short, "rustify-out", "euclidean_rs")), 5,
        "the delivered package")


GENERATOR = '''\
def squares(n):
    for i in range(n):
        yield i * i


if __name__ == "__main__":
    print(sum(squares(100000)))
'''


def test_save_shows_not_translated(daemon, tmpdir_short):
    # (try/except, once this test's example, is translated since the
    # object tier: a generator stays in Python)
    file = os.path.join(tmpdir_short, "gen.py")
    with open(file, "w") as f:
        f.write(GENERATOR)
    res = run_nvim(tmpdir_short, file, daemon.socket,
                   options={"functions": ["squares"]})
    assert res["ok"], res
    [d] = res["diagnostics"]
    assert d["lnum"] == def_line(file, "squares")
    assert d["severity"] == 2  # WARN
    assert d["message"].startswith("not translated: line "), d
    assert "generator" in d["message"]
    assert res["statuses"][-1] == "rustify: 0/1 accelerated"


def test_quiet_without_daemon_or_client(tmpdir_short):
    file = copy_example(tmpdir_short, "euclidean.py")
    res = run_nvim(tmpdir_short, file,
                   os.path.join(tmpdir_short, "none.sock"),
                   ctl=os.path.join(tmpdir_short, "no-rustifyctl"),
                   wait_ms=1500)
    assert not res["ok"] and res["diagnostics"] == []
    assert res["connected"] is False and res["errmsg"] == ""
    assert set(res["statuses"]) == {""}
    assert "rustifyctl not found" in res["last_error"]


def test_starts_daemon_with_rustifyctl(tmpdir_short):
    sock = os.path.join(tmpdir_short, "auto.sock")
    state = os.path.join(tmpdir_short, "auto-state")
    file = copy_example(tmpdir_short, "euclidean.py")
    try:
        # list_targets: no build (this daemon has its own cargo dir)
        res = run_nvim(tmpdir_short, file, sock, want="done",
                       options={"list_targets": True}, wait_ms=60000,
                       env={"RUSTIFY_HOME": state})
        assert res["ok"] and res["connected"], res
        assert res["statuses"][-1].endswith("accelerated")
        r = subprocess.run([CTL, "--socket", sock, "--no-autostart",
                            "ping"], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 0, r
    finally:
        subprocess.run([CTL, "--socket", sock, "--no-autostart",
                        "shutdown"], capture_output=True, timeout=60)
        wait_until(lambda: not pids_with_cmdline(sock), 30,
                   "the started daemon to exit")


RAISES = '''\
def f(x):
    return x + 1


if __name__ == "__main__":
    print(f(1))
    raise ValueError("bad thing")
'''

DOES_NOT_COMPILE = '''\
def f(x):
    return x + 1


if __name__ == "__main__":
    print(f(1)
'''


def test_workload_error_is_a_diagnostic_on_its_line(daemon, tmpdir_short):
    file = os.path.join(tmpdir_short, "raises.py")
    with open(file, "w") as f:
        f.write(RAISES)
    res = run_nvim(tmpdir_short, file, daemon.socket,
                   options={"list_targets": True})
    assert res["ok"], res
    errors = [d for d in res["diagnostics"] if d["severity"] == 1]
    assert len(errors) == 1, res["diagnostics"]
    [d] = errors
    assert d["lnum"] == 6 and d["source"] == "rustify", d  # line 7
    assert d["message"] == "the workload raised ValueError: bad thing", d


def test_program_that_does_not_compile_is_a_diagnostic(daemon,
                                                        tmpdir_short):
    file = os.path.join(tmpdir_short, "broken.py")
    with open(file, "w") as f:
        f.write(DOES_NOT_COMPILE)
    res = run_nvim(tmpdir_short, file, daemon.socket)
    assert res["ok"], res
    [d] = res["diagnostics"]
    assert d["severity"] == 1 and d["lnum"] == 5, d  # line 6
    assert d["message"].startswith(
        "the program does not compile: SyntaxError: "), d
    assert "never closed" in d["message"], d
    assert "failed" in res["statuses"][-1], res["statuses"]
