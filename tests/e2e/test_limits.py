"""Input limits and their messages (issue 15): --max-source for sent
text, null sources, keyword module names, a client turned away at
--max-connections, and `rustifyctl retry` following its job.
"""

import json
import os
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT

CTL = os.path.join(ROOT, BUILD, "rustifyctl")
QUICK = ("def f(x):\n    return x + 1\n\n\n"
         'if __name__ == "__main__":\n'
         "    print('quick ran', f(1))\n")


def ctl(*args, timeout=120):
    env = dict(os.environ)
    env.pop("RUSTIFY_SOCKET", None)
    return subprocess.run([CTL] + list(args), capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_max_source_applies_to_text(daemons):
    d = daemons.new(["--max-source", "1000"])
    with d.connect() as c:
        before = len(c.call("job/list")["jobs"])
        big = "x = 1\n" * 200
        err = c.call_error("job/submit", {"text": big, "name": "big"})
        assert err.code == -32005, err
        assert "params.text" in err.message and "--max-source" in err.message
        err = c.call_error("source/index", {"text": big})
        assert err.code == -32005 and "--max-source" in err.message, err
        assert len(c.call("job/list")["jobs"]) == before
        # at the limit is fine
        fits = (QUICK + "# pad\n" * 200)[:1000]
        job = c.call("job/submit", {"text": fits, "name": "fits",
                                    "list_targets": True})["job"]
        assert c.job_events(job, timeout=120)[-1]["params"]["state"] == \
            "done"


@pytest.mark.parametrize("key", ["file", "text", "git"])
def test_a_null_source_is_invalid_params(conn, key):
    before = len(conn.call("job/list")["jobs"])
    err = conn.call_error("job/submit", {key: None})
    assert err.code == -32602, err
    assert "params.%s" % key in err.message and "null" in err.message
    assert len(conn.call("job/list")["jobs"]) == before


@pytest.mark.parametrize("params", [
    {"text": QUICK, "module": "class"},
    {"text": QUICK, "module": "None"},
    {"text": QUICK, "name": "def"},
    {"text": QUICK, "name": "import"},
])
def test_a_keyword_module_name_is_invalid_params(conn, params):
    err = conn.call_error("job/submit", params)
    assert err.code == -32602, err
    assert "keyword" in err.message, err.message


def test_soft_keywords_are_module_names(conn):
    job = conn.call("job/submit", {"text": QUICK, "name": "match",
                                   "module": "type", "list_targets": True})
    assert job["job"]


@pytest.mark.parametrize("slow", [False, True], ids=["fast", "slow"])
def test_busy_daemon_says_so_to_the_client(daemons, slow):
    """A slow client (strace holds it 0.3 s after connect) writes only
    after the daemon turned it away and hung up: it must still show the
    daemon's reason, not "Broken pipe"."""
    if slow and not shutil.which("strace"):
        pytest.skip("strace is not installed")
    d = daemons.new(["--max-connections", "1"])
    wrap = ["strace", "-f", "-o", os.devnull, "-e",
            "inject=connect:delay_exit=300000"] if slow else []
    env = dict(os.environ)
    env.pop("RUSTIFY_SOCKET", None)
    with d.connect() as c:
        assert c.call("ping")["pong"]
        for _ in range(3):
            r = subprocess.run(wrap + [CTL, "--socket", d.socket,
                                       "--no-autostart", "ping"],
                               capture_output=True, text=True, env=env,
                               timeout=120)
            assert r.returncode != 0
            assert "too many connections" in r.stderr, r.stderr
            assert "Broken pipe" not in r.stderr, r.stderr


def test_retry_waits_and_reports_like_submit(daemons):
    d = daemons.new()
    with d.connect() as c:
        job = c.call("job/submit", {"text": QUICK, "name": "quick",
                                    "list_targets": True})["job"]
        c.job_events(job, timeout=120)
    r = ctl("--socket", d.socket, "--no-autostart", "retry", job)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "function" in r.stdout and "f" in r.stdout, r.stdout
    r = ctl("--socket", d.socket, "--no-autostart", "retry", job, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["state"] == "done" and doc["retry_of"] == job, doc
    r = ctl("--socket", d.socket, "--no-autostart", "retry", job,
            "--no-wait")
    assert r.returncode == 0 and r.stdout.strip().isdigit(), r.stdout
    r = ctl("--socket", d.socket, "--no-autostart", "retry", "999")
    assert r.returncode == 1 and "999" in r.stderr, r.stderr
