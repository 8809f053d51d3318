"""Differential tests of the translator: every corpus file in this folder
is translated with build/tool-translate, built with maturin (one crate per
file, once per session), and each function is run on its INPUTS both as
the original Python and as the built extension. Values must be equal with
the same types (floats bit-exact, NaN equal to NaN), exceptions of the same
type, and mutated arguments equal afterwards. Expected answers always come
from running CPython here, never from stored files.

Corpus files may define:
  INPUTS = {"f": [(args...), ...]}          inputs per function
  FALLBACK = {"f": "words in the reason"}    functions the typed tier refuses
                                             (they run on the object tier;
                                             the words are in typed_reason)
  SIGNATURES = {"f": {"args": {...}, "return": "..."}}  observed types
"""
import copy
import importlib.util
import json
import math
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import zipfile

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = os.environ.get("RUSTIFY_BUILD", "build")  # build/asan for make asan
TOOL = ROOT / BUILD / "tool-translate"
CORPUS = sorted(p for p in HERE.glob("*.py")
                if not p.name.startswith(("test_", "conftest", "objtest",
                                           "randprog")))


def load_source(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_tool_built = False


def build_tool():
    """Brings the tool up to date once per run."""
    global _tool_built
    if _tool_built:
        return
    subprocess.run(["make", "-s", "B=" + BUILD, BUILD + "/tool-translate"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    _tool_built = True


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("translate")


_built = {}


def build_module(path, workdir):
    """Translates and builds one corpus file; returns (report, package)."""
    if path in _built:
        return _built[path]
    build_tool()
    orig = load_source(path, "orig_" + path.stem)
    module = path.stem + "_rs"
    out = workdir / path.stem
    if out.exists():
        shutil.rmtree(out)
    cmd = [str(TOOL), "--source", str(path), "--module", module,
           "--out", str(out), "--python-version",
           "%d.%d.%d" % sys.version_info[:3]]
    sigs = getattr(orig, "SIGNATURES", None)
    if sigs:
        sigfile = workdir / (path.stem + ".sig.json")
        sigfile.write_text(json.dumps(sigs))
        cmd += ["--signatures", str(sigfile)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    report = json.loads(res.stdout)
    env = dict(os.environ, CARGO_BUILD_JOBS="2",
               CARGO_TARGET_DIR=str(ROOT / "build" / "cargo-target"))
    wheels = out / "wheels"
    b = subprocess.run(["maturin", "build", "--release", "-i", sys.executable,
                        "--out", str(wheels)], cwd=out / "crate", env=env,
                       capture_output=True, text=True)
    assert b.returncode == 0, b.stdout + b.stderr
    warnings = [ln for ln in (b.stdout + b.stderr).splitlines()
                if ln.startswith("warning") and "maturin" not in ln]
    site = out / "site"
    for whl in wheels.glob("*.whl"):
        with zipfile.ZipFile(whl) as z:
            z.extractall(site)
    sys.path.insert(0, str(site))
    pkg = importlib.import_module(module)
    _built[path] = (report, pkg, orig, warnings)
    return _built[path]


def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return (list(a.keys()) == list(b.keys()) and
                all(same(a[k], b[k]) for k in a))
    return a == b


def run(fn, args):
    args = copy.deepcopy(args)
    try:
        return ("ok", fn(*args), args)
    except Exception as exc:  # the type is what must match
        return ("raise", type(exc), args)


def cases():
    for path in CORPUS:
        mod = load_source(path, "scan_" + path.stem)
        for name, inputs in getattr(mod, "INPUTS", {}).items():
            for i, args in enumerate(inputs):
                yield pytest.param(path, name, i, id=f"{path.stem}:{name}:{i}")


@pytest.mark.parametrize("path,name,index", list(cases()))
def test_same_as_python(path, name, index, workdir):
    report, pkg, orig, _ = build_module(path, workdir)
    args = orig.INPUTS[name][index]
    want = run(getattr(orig, name), args)
    got = run(getattr(pkg, name), args)
    assert want[0] == got[0], f"{name}{args!r}: python {want[:2]}, rust {got[:2]}"
    if want[0] == "raise":
        assert want[1] is got[1], f"{name}{args!r}: {want[1]} vs {got[1]}"
    else:
        assert same(want[1], got[1]), f"{name}{args!r}: {want[1]!r} vs {got[1]!r}"
    assert same(want[2], got[2]), f"{name}{args!r}: arguments after the call differ"


def _strs(x, out):
    """The strs in x, depth first."""
    if isinstance(x, str):
        out.append(x)
    elif isinstance(x, (list, tuple)):
        for y in x:
            _strs(y, out)
    return out


def sharing_cases():
    for path in CORPUS:
        mod = load_source(path, "scan_" + path.stem)
        for name in getattr(mod, "SHARING", []):
            for i in range(len(mod.INPUTS[name])):
                yield pytest.param(path, name, i, id=f"{path.stem}:{name}:{i}")


@pytest.mark.parametrize("path,name,index", list(sharing_cases()))
def test_str_items_shared_as_python(path, name, index, workdir):
    """The strs of two calls' results: which are one object must be as in
    Python, and a str CPython interns (a name-like literal, a one-character
    str, the empty str) must be that very object."""
    _, pkg, orig, _ = build_module(path, workdir)
    args = orig.INPUTS[name][index]
    sides = []
    for fn in (getattr(orig, name), getattr(pkg, name)):
        try:
            sides.append(_strs([fn(*args), fn(*args)], []))
        except Exception as exc:
            sides.append(type(exc))
    want, got = sides
    if not isinstance(want, list):
        assert want is got
        return
    assert want == got
    n = len(want)
    half = n // 2  # where the second call's strs begin
    # A str of the arguments handed back (s[0:len(s)] is s) is not
    # compared: strs are values to verify.py (identity_relevant), and the
    # typed tier makes a new str.
    mine = {id(x) for x in _strs(list(args), [])}
    for i in range(n):
        if id(want[i]) in mine:
            continue
        for j in [i + half] + list(range(i + 1, i + 40)):
            if j < n and id(want[j]) not in mine:
                assert (want[i] is want[j]) == (got[i] is got[j]), \
                    f"{name}: items {i} and {j} ({want[i]!r}, {want[j]!r})"
        # the same object from both calls: a constant; CPython's compiler
        # interns those made of ASCII letters, digits and underscores
        const = i < half and want[i] is want[i + half]
        if const and (len(want[i]) <= 1 or re.fullmatch(r"\w+", want[i],
                                                          re.A)):
            assert got[i] is want[i], f"{name}: item {i} {want[i]!r}"


def test_result_numbers_are_plain_objects(workdir):
    """The ints and floats of a result list are made in place (prelude.rs
    int_new, float_new): each must be what CPython makes, to the size,
    the reference count and the hash, and traced by tracemalloc."""
    import gc
    import tracemalloc
    _, pkg, orig, _ = build_module(HERE / "result_building.py", workdir)
    xs = [1000, -7, 2 ** 29, -(2 ** 31), 5, 2 ** 40, -300, 250]
    fs = [0.5, -0.0, 1e300, float("inf"), 3.0]
    tracemalloc.start()
    try:
        for name, args in (("cumsum", (xs,)),
                           ("diff", (fs,)), ("scale", (fs, 2.0))):
            want = getattr(orig, name)(*args)
            got = getattr(pkg, name)(*args)
            assert same(want, got), name
            for w, g in zip(want, got):
                assert sys.getsizeof(g) == sys.getsizeof(w), (name, g)
                assert sys.getrefcount(g) == sys.getrefcount(w), (name, g)
                assert hash(g) == hash(w)
                assert not gc.is_tracked(g)
                # made from PyObject_Malloc, which tracemalloc traces (a
                # float CPython takes from its free list may predate the
                # tracing; the cached small ints always do)
                if not (type(g) is int and -5 <= g <= 256):
                    assert tracemalloc.get_object_traceback(g) is not None, \
                        (name, g)
            del want, got
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_report(path, workdir):
    report, pkg, orig, warnings = build_module(path, workdir)
    assert not warnings, warnings
    fallback = getattr(orig, "FALLBACK", {})
    for f in report["functions"]:
        if f["name"] in fallback and not f["translated"]:
            # stays in Python altogether (generators)
            assert re.match(r"^line \d+:\d+ ", f["reason"]), f
            assert fallback[f["name"]] in f["reason"], f
        elif f["name"] in fallback:
            assert f["tier"] == "object", f
            assert re.match(r"^line \d+:\d+ ", f["typed_reason"]), f
            assert fallback[f["name"]] in f["typed_reason"], f
        elif f["name"] in getattr(orig, "INPUTS", {}):
            assert f["translated"], f
            assert f["tier"] == "typed", f
            assert f["reason"] is None
    names = {f["name"] for f in report["functions"]}
    assert set(fallback) <= names


def test_dict_read_in_place(workdir):
    """A dict[str, list[...]] argument is read where it is: values the
    function never reads may be anything (a conversion of the whole dict
    would give up on them), values it reads are checked when read, keys
    must all be exact strs (checked once per state of the dict), and a
    list changed in place between calls (the dict's version unchanged)
    is read afresh."""
    _, pkg, orig, _ = build_module(HERE / "dicts_in_place.py", workdir)
    counts = pkg._native._rustify_call_counts
    reruns = pkg._native._rustify_typed_reruns

    def check(tokens, macros, typed):
        before = counts()["expand"], reruns()["expand"]
        assert pkg.expand(tokens, macros) == orig.expand(tokens, macros)
        after = counts()["expand"], reruns()["expand"]
        assert after[0][0] == before[0][0] + 1, (before, after)  # native
        assert after[1] == before[1] + (0 if typed else 1), (before, after)

    big = {"w%d" % i: ["v%d" % i] for i in range(20000)}
    big["odd"] = ("never", "read")
    big["num"] = [1, 2]
    check(["w1", "w19999", "zz", "w1"], big, True)
    check(["num"], big, False)  # a value read of another type
    big[7] = ["x"]
    check(["w1"], big, False)  # a key that is not a str
    del big[7]
    check(["w1"], big, True)
    big[orig.S("w2")] = ["s"]  # the value replaced, the key kept
    check(["w2"], big, True)
    big[orig.S("new")] = ["s"]  # a key that is not an exact str
    check(["new", "w2"], big, False)
    del big["new"]
    check(["w2"], big, True)
    big["w3"].append("more")  # the dict's version does not change
    check(["w3", "w3"], big, True)
    big["w3"][0] = 5
    check(["w3"], big, False)
    big["w3"][0] = "back"
    check(["w3"], big, True)
    # the lists' own items, as Python's append of them gives
    table = {"a": ["x" * 3, "é" * 2], "b": ["y" * 4]}
    before = reruns()["synonyms_of"]
    r = pkg.synonyms_of(["a", "b", "a"], table)
    assert r == orig.synonyms_of(["a", "b", "a"], table)
    assert r[0] is table["a"][0] and r[2] is table["b"][0] and \
        r[3] is table["a"][0], r
    assert reruns()["synonyms_of"] == before
    # expand is also called natively, by caller, which takes its result
    # as a native list: its entry point still has its own form (plan.c
    # plan_py_form), whose result holds the argument's own objects
    toks = ["a", "z" * 3]
    before = counts()["expand"], reruns()["expand"]
    r = pkg.expand(toks, table)
    assert r == orig.expand(toks, table)
    assert r[0] is table["a"][0] and r[1] is table["a"][1] and \
        r[2] is toks[1], r
    assert counts()["expand"][0] == before[0][0] + 1
    assert reruns()["expand"] == before[1]
    assert pkg.caller(7) == orig.caller(7)


def test_dict_argument_converted_once_per_state(workdir):
    """A dict argument of immutable items is converted once per state of
    the dict (its version tag): every change between calls, a dict freed
    and another made (perhaps at the same address), a value turned into
    one the typed code cannot hold, must still give Python's answer."""
    _, pkg, orig, _ = build_module(HERE / "strings_in_place.py", workdir)
    words = ["a", "b", "c", "a"]
    table = {"a": 1, "b": 2}

    def check():
        assert pkg.lookup_total(words, table) == \
            orig.lookup_total(words, table)

    check()
    check()
    table["a"] = 10
    check()
    table["c"] = 5
    check()
    del table["b"]
    check()
    table.pop("a")
    table["a"] = 10
    check()
    table.clear()
    check()
    for i in range(50):
        table = {"a": i, "c": -i}
        check()
        del table
        table = {"a": 2 * i}
        check()
    table = {"a": 1}
    check()
    table["a"] = 2 ** 70
    check()
    table["a"] = 3
    check()
    table.update({"b": 7})
    check()
    table |= {"a": 0}
    check()
    table.setdefault("z", 9)
    check()
    counts = pkg._native._rustify_call_counts()["lookup_total"]
    assert counts[0] > 0, counts  # most calls ran natively


def test_list_items_kept_where_they_are(workdir):
    """Items of a list[str] argument appended to the result are the very
    objects of the list, as Python appends them (rt::SRef)."""
    _, pkg, orig, _ = build_module(HERE / "strings_in_place.py", workdir)
    words = ["always", "".join(["x"]), "long" + "er", "\u00e9" * 3, "zz"]
    table = {"longer": -1}
    want = orig.pick_known(words, table)
    got = pkg.pick_known(words, table)
    assert got == want
    ids = [id(w) for w in words]
    assert [ids.index(id(g)) for g in got] == \
        [ids.index(id(w)) for w in want]
    counts = pkg._native._rustify_call_counts()["pick_known"]
    assert counts[0] > 0, counts


ALPHABET = (list("aZ_09 .+-*/=<>!\"\t\n") +
            ["\u00e9", "\u00df", "\u00b7", "\u0130", "\u01c5", "\u0101",
             "\u2264", "\u20ac", "\u0660", "\u2160", "\U0001f600",
             "\U0001d400", "\udc80", "if", "fn", "\u00e9l", "ab", "xyz",
             "\u03a3", "\u01c6", "\u0149", "_", ";", "=",
             "**", "==", "->", "\u2264=", "\U0001f600!"])


def test_strings_in_place_random_texts(workdir):
    """The str functions of strings_in_place.py on 400 random texts mixing
    every storage width (ASCII, Latin-1, 2 and 4 bytes, a lone
    surrogate): each must give Python's value, type or exception."""
    import random
    _, pkg, orig, _ = build_module(HERE / "strings_in_place.py", workdir)
    rng = random.Random(2026)
    calls = [("scan", ()), ("char_tests", ()), ("ends", ()),
             ("count_ops", ()), ("words", ()), ("classes", ()),
             ("upper_runs", ()), ("stepped", ()), ("spans", (2,)),
             ("spans", (0,)), ("slice_tests", (1,)), ("slice_tests", (-2,)),
             ("positions", ("ab", 1)), ("marks", (" \u00e9",)),
             ("caller", ()), ("cap_words", ()), ("split_kv", ("=",)),
             ("split_kv", ("ab",))]
    for _ in range(400):
        text = "".join(rng.choice(ALPHABET)
                       for _ in range(rng.choice([0, 1, 3, 12, 40])))
        for name, extra in calls:
            args = (text,) + extra
            want = run(getattr(orig, name), args)
            got = run(getattr(pkg, name), args)
            assert want[0] == got[0] and same(want[1], got[1]), \
                f"{name}{args!r}: python {want[:2]}, rust {got[:2]}"


GOLDEN = HERE / "golden"


def native_fn_text(lib_rs, name):
    """The emitted native function `name` (from its `// line` header to
    its closing brace)."""
    m = re.search(r"^// line \d+: def %s\n.*?^}\n" % re.escape(name), lib_rs,
                  re.S | re.M)
    return m.group(0) if m else None


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.rs")),
                         ids=lambda p: p.stem)
def test_golden_rust(golden, tmp_path):
    """Emitted Rust for a few functions, compared with reviewed text.
    RUSTIFY_UPDATE_GOLDEN=1 rewrites the files."""
    build_tool()
    source, name = golden.stem.split("__")
    subprocess.run([str(TOOL), "--source", str(HERE / (source + ".py")),
                    "--module", "golden_rs", "--out", str(tmp_path)],
                   check=True, capture_output=True)
    lib = (tmp_path / "crate" / "src" / "lib.rs").read_text()
    text = native_fn_text(lib, name)
    assert text is not None, f"{name} not emitted"
    if os.environ.get("RUSTIFY_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()
