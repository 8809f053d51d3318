"""rustify_run: run a script with its accelerated functions swapped in.

This file owns the drop-in runner that rustifyd delivers into an output
folder DIR next to the built packages and the manifest DIR/rustify.json::

    PYTHONPATH=DIR python -m rustify_run script.py [ARGS...]

script.py runs as __main__ with sys.argv = ["script.py", ARGS...] and
sys.path[0] = the script's folder, as "python script.py ARGS" would run it.
Its output, exit status and exceptions are its own (an uncaught exception
prints the usual traceback, without this runner's frames, and exits 1).
Its globals are what `python script.py` gives it, nothing more.
Standard library only; CPython 3.8-3.13.

Which functions are swapped in, and how: rustify_run_swap.py (delivered
beside this file).  This file stays small, so that a run where nothing
applies costs nothing measurable even where no bytecode is cached: when
the manifest (DIR/rustify.json, or $RUSTIFY_MANIFEST) marks no function
"accelerated": true, or there is none, the runner neither parses it as
JSON nor imports rustify_run_swap, installs an import hook or imports a
package: it runs the script.  Only modules that hold accelerated functions
are parsed and transformed.

Stack depth: the script's code runs a few frames above the bottom of the
stack (runpy's, this module's), which would make a recursion that fits
under `python script.py` raise RecursionError.  Before the script runs,
the runner measures what they cost toward the recursion limit (the depth
a probe cannot reach from the point where the script's code is exec'd,
keep_stack_depth) and raises the limit by exactly that much
(sys.getrecursionlimit() then reads that much higher than under python).
"""

# Only what the interpreter has loaded already: the swaps (and through
# them, ast and json when the manifest's cache does not apply) are
# imported when something is accelerated.
import os
import sys

USAGE = "usage: python -m rustify_run SCRIPT.py [ARGS...]\n"


def may_accelerate(data):
    """False when manifest bytes mark no function "accelerated": true
    (then nothing is parsed); True when they may."""
    key = b'"accelerated"'
    at = data.find(key)
    while at >= 0:
        rest = data[at + len(key):].lstrip()
        if rest[:1] == b":" and rest[1:].lstrip()[:4] == b"true":
            return True
        at = data.find(key, at + 1)
    return False


def _strip_own_frames(tb):
    here = os.path.realpath(__file__)
    while tb is not None and os.path.realpath(
            tb.tb_frame.f_code.co_filename) == here:
        tb = tb.tb_next
    return tb


def _probe(n):
    """How many calls deeper than this one fit under the limit."""
    try:
        return _probe(n + 1)
    except RecursionError:
        return n


def keep_stack_depth():
    """Raise the recursion limit by what the stack below the script
    costs, measured; the caller execs the script right after.

    The limit counts Python frames and, on some versions (3.11), each
    entry into the interpreter from C as well.  Under python the script's
    frame is the first on the stack; here it comes on top of the caller's
    frame (and those below it: runpy's, this module's, main()), entered
    by exec the way python enters it.  What they cost is what a probe
    called from here cannot reach: the limit minus its depth, minus this
    frame."""
    below = sys.getrecursionlimit() - _probe(0) - 1
    if below > 0:
        sys.setrecursionlimit(sys.getrecursionlimit() + below)


def run_script(runner, script, args):
    """Run script as __main__ (with the swaps when runner is not None);
    returns nothing. The script's code is exec'd from here, at the depth
    keep_stack_depth() measured from."""
    path = os.path.abspath(script)
    with open(path, "rb") as f:
        data = f.read()
    import builtins
    import importlib.machinery
    module = type(sys)("__main__")
    # what `python script.py` puts in __main__'s globals, no more
    module.__dict__.update({
        "__file__": path, "__cached__": None, "__package__": None,
        "__spec__": None, "__builtins__": builtins,
        "__loader__": importlib.machinery.SourceFileLoader("__main__",
                                                           path)})
    if "__annotations__" in sys.modules["__main__"].__dict__:
        module.__dict__["__annotations__"] = {}
    entry = runner.entry_for(path) if runner is not None else None
    if entry is not None:
        code, _swaps = runner.transform(data, path, entry,
                                        runner.swapper(entry, "__main__"))
    else:
        code = compile(data, path, "exec", dont_inherit=True)
    sys.modules["__main__"] = module
    sys.argv[:] = [script] + list(args)
    keep_stack_depth()
    exec(code, module.__dict__)


def _import_swaps(here):
    """rustify_run_swap from this file's folder (not a module of that
    name where the script is)."""
    sys.path.insert(0, here)
    try:
        import rustify_run_swap
    finally:
        del sys.path[0]
    return rustify_run_swap


def main(argv=None):
    """Entry point of `python -m rustify_run`."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        sys.stderr.write(USAGE)
        return 0 if argv else 2
    script, args = argv[0], argv[1:]
    if not os.path.isfile(script):
        sys.stderr.write("rustify_run: can't open file %r\n" % script)
        return 2
    manifest = os.environ.get("RUSTIFY_MANIFEST") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "rustify.json")
    try:
        with open(manifest, "rb") as f:
            data = f.read()
    except OSError:
        data = b""
    here = os.path.dirname(os.path.realpath(__file__))
    runner = None
    if may_accelerate(data):
        swaps = _import_swaps(here)
        cached = swaps.load_cache(manifest, data)
        if cached is not None:
            by_source, codes = cached
        else:
            codes = None
            try:
                by_source = swaps.load_manifest(manifest, data)
            except (OSError, ValueError, AttributeError, TypeError) as exc:
                sys.stderr.write("rustify_run: ignoring bad manifest "
                                 "%s: %s\n" % (manifest, exc))
                by_source = {}
        if by_source:
            runner = swaps.Runner(by_source, codes)
            swaps.install_finder(runner)
    script_dir = os.path.dirname(os.path.realpath(script))
    if sys.path and os.path.realpath(sys.path[0] or os.curdir) != here:
        sys.path[0] = script_dir
    else:
        sys.path.insert(0, script_dir)
    try:
        run_script(runner, script, args)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        tb = _strip_own_frames(exc.__traceback__)
        exc.__traceback__ = tb
        sys.excepthook(type(exc), exc, tb)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
