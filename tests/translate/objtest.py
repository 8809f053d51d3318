"""Shared by the object-tier tests: translate and build one Python file,
load the original and the accelerated package side by side, run code on
both and describe outcomes exactly (values, types, identity inside the
outcome, exceptions with their causes, output)."""
import contextlib
import importlib
import importlib.util
import io
import json
import math
import os
import re
import pathlib
import shutil
import struct
import subprocess
import sys
import traceback
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = os.environ.get("RUSTIFY_BUILD", "build")
TOOL = ROOT / BUILD / "tool-translate"


_tool_built = False


def build_tool():
    """Brings the tool up to date once per run (a stale tool would test
    yesterday's translator)."""
    global _tool_built
    if _tool_built:
        return
    subprocess.run(["make", "-s", "B=" + BUILD, BUILD + "/tool-translate"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    _tool_built = True


def load_source(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def translate_and_build(path, workdir, module, functions=None):
    """tool-translate + maturin build; returns (report, package, warnings).
    The package is imported from a site folder of its own."""
    build_tool()
    out = pathlib.Path(workdir) / module
    if out.exists():
        shutil.rmtree(out)
    cmd = [str(TOOL), "--source", str(path), "--module", module,
           "--out", str(out), "--python-version",
           "%d.%d.%d" % sys.version_info[:3]]
    for f in functions or []:
        cmd += ["--function", f]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    report = json.loads(res.stdout)
    env = dict(os.environ, CARGO_BUILD_JOBS="2",
               CARGO_TARGET_DIR=str(ROOT / "build" / "cargo-target"))
    wheels = out / "wheels"
    b = subprocess.run(["maturin", "build", "--release", "-i", sys.executable,
                        "--out", str(wheels)], cwd=out / "crate", env=env,
                       capture_output=True, text=True)
    if b.returncode != 0:
        raise AssertionError("maturin failed:\n" + b.stdout[-6000:] +
                             b.stderr[-6000:])
    warnings = [ln for ln in (b.stdout + b.stderr).splitlines()
                if ln.startswith("warning") and "maturin" not in ln]
    site = out / "site"
    for whl in wheels.glob("*.whl"):
        with zipfile.ZipFile(whl) as z:
            z.extractall(site)
    sys.path.insert(0, str(site))
    try:
        pkg = importlib.import_module(module)
    finally:
        sys.path.remove(str(site))
    return report, pkg, warnings


def _float(x):
    if math.isnan(x):
        return ("nan", struct.pack("<d", x).hex())
    return ("float", struct.pack("<d", x).hex())


def describe(v, memo=None, depth=0):
    """A comparable description of v: types by qualified name, floats by
    their bits, containers recursively, instances by their attributes,
    exceptions with args, message, cause and context; an object met a
    second time is ("@", n), so identity inside the outcome is compared."""
    if memo is None:
        memo = {}
    if depth > 40:
        return ("deep",)
    t = type(v)
    if v is None or t in (bool, int, str, bytes):
        return (t.__name__, v)
    if t is float:
        return _float(v)
    if id(v) in memo:
        return ("@", memo[id(v)])
    memo[id(v)] = len(memo)
    name = t.__module__.split(".")[-1] + "." + t.__qualname__
    if t.__module__.endswith("_original") or t.__module__.startswith(
            "orig_"):
        name = "<module>." + t.__qualname__
    d = lambda x: describe(x, memo, depth + 1)  # noqa: E731
    if t in (list, tuple):
        return (name, [d(x) for x in v])
    if t is dict:
        return (name, [(d(k), d(x)) for k, x in v.items()])
    if t in (set, frozenset):
        return (name, sorted(repr(d(x)) for x in v))
    if isinstance(v, BaseException):
        return ("exc", name, d(v.args), str(v), d(v.__cause__),
                d(v.__context__), v.__suppress_context__)
    if isinstance(v, type):
        return ("type", v.__qualname__)
    if callable(v) and hasattr(v, "__qualname__"):
        return ("callable", getattr(v, "__qualname__", "?"))
    if hasattr(v, "__dict__"):
        return (name, d(sorted(vars(v).items())))
    if hasattr(type(v), "__slots__"):
        return (name, [d(getattr(v, s, "<unset>"))
                       for s in type(v).__slots__])
    return (name, repr(v))


def normalize_tb(text, paths):
    for p in paths:
        text = text.replace(str(p), "<source>")
    text = re.sub(r"\b(orig_\w+|\w+_rs\._original)\.", "<module>.", text)
    lines = [ln for ln in text.splitlines()
             if ln.strip() and set(ln.strip()) - set("^~")]
    return "\n".join(lines)


def run(fn, *args, **kwargs):
    """Outcome of fn(*args, **kwargs): ("ok", value) or ("raise", exc),
    with everything written to stdout and stderr, in order."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            return ("ok", fn(*args, **kwargs)), out.getvalue()
        except Exception as exc:  # the exception is the outcome
            return ("raise", exc), out.getvalue()


def data_globals(mod):
    """The module's data: globals that are not modules, functions,
    classes or dunders."""
    out = {}
    for k, v in vars(mod).items():
        if k.startswith("__") or isinstance(v, type) or callable(v) or \
                type(v).__name__ == "module":
            continue
        out[k] = v
    return out


def traceback_of(exc):
    return "".join(traceback.format_exception(type(exc), exc,
                                              exc.__traceback__))
