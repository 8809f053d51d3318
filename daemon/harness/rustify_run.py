"""rustify_run: run a script with its accelerated functions swapped in.

This file owns the drop-in runner that rustifyd delivers into an output
folder DIR next to the built packages and the manifest DIR/rustify.json::

    PYTHONPATH=DIR python -m rustify_run script.py [ARGS...]

script.py runs as __main__ with sys.argv = ["script.py", ARGS...] and
sys.path[0] = the script's folder, as "python script.py ARGS" would run it.
Its output, exit status and exceptions are its own (an uncaught exception
prints the usual traceback, without this runner's frames, and exits 1).
Standard library only; CPython 3.8-3.13.

Manifest (DIR/rustify.json, or the file named by $RUSTIFY_MANIFEST)::

    {"version": 1,
     "modules": [
       {"module": "euclidean_rs",          accelerated package (import name)
        "source": "/abs/path/euclidean.py", the original source file
        "source_name": "euclidean",         its module name when imported
        "functions": [
          {"qualname": "euclidean",         function's __qualname__
           "hash": "<64 hex digits>",       SHA-256 of its source text
           "accelerated": true}]}]}         false: always stays Python

Which functions are swapped: for every manifest source file that runs as
the script or is imported (matched by real path, whatever the module
name), each top-level, undecorated function with "accelerated": true whose
current source hash equals the manifest's.  The hash is SHA-256 (lower-case
hex) of the file's bytes from the start of the definition (the "@" of the
first decorator, else the "def" or "async" keyword) to its end (ast's
end_lineno/end_col_offset: the end of the last statement of the body).  A
function edited since the build hashes differently and runs as Python.
A top-level class is followed by `Cls = <swap>("Cls", Cls, allowed)`: its
accelerated methods whose every def hashes as built (allowed) get native
versions on the class itself (through the package's _rustify_bind), so the
script's own class object is patched. Nested and decorated top-level
functions are not swapped.

How: the module's code is compiled from a syntax tree in which each such
`def name` is followed by `name = <swap>("name", name)`, so the name is
rebound as soon as it is defined (the script's own main block sees the
fast version).  <swap> is `<constant>.swap`: the syntax tree holds a
placeholder string that is replaced, in the compiled code's co_consts, by
an object whose swap method does the work, so the module's globals get no
name of the runner's (sorted(globals()) is what `python script.py` shows).
swap imports the package and returns package._rustify_bind(qualname,
original_function), so that fallbacks run the very function the module
defined; the originals are kept by the runner (Runner.originals), not in
the module.  If the package cannot be imported or lacks _rustify_bind,
the original stays.  While a package is being imported, manifest sources
it imports are loaded unchanged (so a shim that imports the original module
gets originals).  Transformed modules are never written to __pycache__.

Cost: when the manifest marks no function accelerated (or there is none),
the runner neither parses it as JSON nor installs an import hook nor
imports a package: it runs the script.  Only modules that hold accelerated
functions are parsed and transformed.

Stack depth: the script's code runs a few frames above the bottom of the
stack (runpy's, this module's), which would make a recursion that fits
under `python script.py` raise RecursionError.  Before the script runs,
the runner measures what they cost toward the recursion limit (the depth
a probe cannot reach from the point where the script's code is exec'd,
keep_stack_depth) and raises the limit by exactly that much
(sys.getrecursionlimit() then reads that much higher than under python).
Set RUSTIFY_RUN_DEBUG=1 to get one stderr line per swap decision.
"""

# Only what the interpreter has loaded already: the rest (ast, hashlib,
# json, importlib's finders) is imported when something is accelerated.
import os
import sys

USAGE = "usage: python -m rustify_run SCRIPT.py [ARGS...]\n"


def _debug(message):
    if os.environ.get("RUSTIFY_RUN_DEBUG"):
        sys.stderr.write("rustify_run: %s\n" % message)


def line_starts(data):
    """Byte offset of the start of each line (index 0 is line 1)."""
    starts = [0]
    for i, byte in enumerate(data):
        if byte == 0x0A:
            starts.append(i + 1)
    return starts


def definition_span(data, starts, node):
    """(start, end) byte offsets of a function definition's text."""
    if node.decorator_list:
        first = min(node.decorator_list, key=lambda d: (d.lineno,
                                                        d.col_offset))
        line_start = starts[first.lineno - 1]
        line = data[line_start:starts[first.lineno]
                    if first.lineno < len(starts) else len(data)]
        start = line_start + line.index(b"@")
    else:
        start = starts[node.lineno - 1] + node.col_offset
    end = starts[node.end_lineno - 1] + node.end_col_offset
    return start, end


def function_hash(data, starts, node):
    """SHA-256 hex digest of a function definition's source bytes."""
    import hashlib
    start, end = definition_span(data, starts, node)
    return hashlib.sha256(data[start:end]).hexdigest()


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


def load_manifest(path):
    """Read the manifest; returns {realpath(source): module entry} of the
    modules with an accelerated function."""
    import json
    with open(path, "rb") as f:
        manifest = json.loads(f.read().decode("utf-8"))
    by_source = {}
    for entry in manifest.get("modules", []):
        source = entry.get("source")
        if not isinstance(source, str) or not isinstance(
                entry.get("module"), str):
            continue
        wanted = {}
        for func in entry.get("functions", []):
            if func.get("accelerated") and isinstance(func.get("hash"), str):
                # a qualname may name several defs (a property's getter
                # and setter): each must hash to one of its hashes
                wanted.setdefault(func.get("qualname"), set()).add(
                    func["hash"].lower())
        if wanted:
            by_source[os.path.realpath(source)] = {
                "module": entry["module"], "functions": wanted}
    return by_source


class _Swap:
    """What a transformed module's code calls: <constant>.swap(...)."""

    __slots__ = ("swap",)

    def __init__(self, swap):
        self.swap = swap


def _replace_const(code, placeholder, value):
    """code with every co_consts entry equal to placeholder (and in
    nested code objects) replaced by value."""
    consts = []
    for c in code.co_consts:
        if type(c) is str and c == placeholder:
            c = value
        elif type(c) is type(code):
            c = _replace_const(c, placeholder, value)
        consts.append(c)
    return code.replace(co_consts=tuple(consts))


class Runner:
    """Holds the manifest and performs the source transformation."""

    def __init__(self, by_source):
        self.by_source = by_source
        self.importing_packages = 0
        self.packages = {}
        # (module name, qualname) -> the function or class the module
        # defined, before the swap
        self.originals = {}
        # a string no source holds: the swap's placeholder in co_consts
        self.placeholder = "rustify_run swap %s" % os.urandom(16).hex()

    def entry_for(self, path):
        """The manifest entry of a file, or None."""
        if not path or self.importing_packages:
            return None
        return self.by_source.get(os.path.realpath(path))

    def transform(self, data, path, entry, swap):
        """Compile source bytes, adding swaps for unchanged functions;
        swap is the function they call."""
        import ast
        tree = ast.parse(data, filename=path)
        starts = line_starts(data)
        swaps = []

        def visit(body):
            out = []
            for node in body:
                out.append(node)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    want = entry["functions"].get(node.name)
                    if want is None:
                        continue
                    if node.decorator_list:
                        _debug("%s: %s is decorated, stays Python"
                               % (path, node.name))
                        continue
                    if function_hash(data, starts, node) not in want:
                        _debug("%s: %s changed since the build, stays Python"
                               % (path, node.name))
                        continue
                    swaps.append(node.name)
                    out.append(self._swap_stmt(node))
                elif isinstance(node, ast.ClassDef):
                    allowed = self._methods(data, starts, node, node.name,
                                            entry["functions"], path)
                    if allowed:
                        swaps.append(node.name)
                        out.append(self._swap_stmt(node, allowed))
                else:
                    for field in ("body", "orelse", "finalbody"):
                        inner = getattr(node, field, None)
                        if isinstance(inner, list) and inner and \
                                isinstance(inner[0], ast.stmt):
                            setattr(node, field, visit(inner))
                    for handler in getattr(node, "handlers", []) or []:
                        handler.body = visit(handler.body)
                    for case in getattr(node, "cases", []) or []:
                        case.body = visit(case.body)
            return out

        tree.body = visit(tree.body)
        ast.fix_missing_locations(tree)
        code = compile(tree, path, "exec", dont_inherit=True)
        if swaps:
            code = _replace_const(code, self.placeholder, _Swap(swap))
        return code, swaps

    @staticmethod
    def _methods(data, starts, cls, prefix, wanted, path):
        """Qualnames of the methods of a class (and of the classes nested
        in it) that are accelerated and unchanged since the build: every
        def of such a qualname must hash as built."""
        import ast
        defs = {}

        def walk(node, prefix):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defs.setdefault(prefix + "." + item.name, []).append(
                        function_hash(data, starts, item))
                elif isinstance(item, ast.ClassDef):
                    walk(item, prefix + "." + item.name)

        walk(cls, prefix)
        allowed = set()
        for qualname, hashes in defs.items():
            want = wanted.get(qualname)
            if want is None:
                continue
            if all(h in want for h in hashes):
                allowed.add(qualname)
            else:
                _debug("%s: %s changed since the build, stays Python"
                       % (path, qualname))
        return frozenset(allowed)

    def _swap_stmt(self, node, allowed=None):
        """`name = <placeholder>.swap("name", name[, allowed])` placed
        after node (allowed: the method qualnames a class may get)."""
        import ast
        loc = {"lineno": node.end_lineno, "col_offset": node.col_offset,
               "end_lineno": node.end_lineno,
               "end_col_offset": node.end_col_offset}
        args = [ast.Constant(value=node.name, **loc),
                ast.Name(id=node.name, ctx=ast.Load(), **loc)]
        if allowed is not None:
            args.append(ast.Constant(value=tuple(sorted(allowed)), **loc))
        func = ast.Attribute(
            value=ast.Constant(value=self.placeholder, **loc), attr="swap",
            ctx=ast.Load(), **loc)
        call = ast.Call(func=func, args=args, keywords=[], **loc)
        return ast.Assign(targets=[ast.Name(id=node.name, ctx=ast.Store(),
                                            **loc)],
                          value=call, **loc)

    def package(self, name):
        """Import an accelerated package once; None when it fails."""
        if name in self.packages:
            return self.packages[name]
        self.importing_packages += 1
        try:
            import importlib
            module = importlib.import_module(name)
        except Exception as exc:
            _debug("cannot import %s: %s: %s"
                   % (name, type(exc).__name__, exc))
            module = None
        finally:
            self.importing_packages -= 1
        self.packages[name] = module
        return module

    def swapper(self, entry, module_name):
        """The swap function of one module's code."""
        originals = self.originals

        def swap(qualname, original, allowed=None):
            originals[(module_name, qualname)] = original
            package = self.package(entry["module"])
            bind = getattr(package, "_rustify_bind", None) if package \
                else None
            if bind is None:
                _debug("%s.%s not available, stays Python"
                       % (entry["module"], qualname))
                return original
            try:
                fast = bind(qualname, original,
                            None if allowed is None else set(allowed))
            except Exception as exc:
                _debug("%s._rustify_bind failed: %s"
                       % (entry["module"], exc))
                return original
            if fast is not original or allowed:
                _debug("%s: using %s.%s" % (module_name, entry["module"],
                                            qualname))
            else:
                _debug("%s: %s stays Python" % (module_name, qualname))
            return fast

        return swap


def install_finder(runner):
    """Puts a meta path finder first that loads manifest sources with
    their swaps (importlib's machinery is imported only now)."""
    import importlib.abc
    import importlib.machinery

    class SwapLoader(importlib.machinery.SourceFileLoader):
        """Loads a manifest source with swaps; never writes bytecode."""

        def __init__(self, fullname, path, entry):
            super().__init__(fullname, path)
            self.entry = entry

        def get_code(self, fullname):
            data = self.get_data(self.path)
            code, _swaps = runner.transform(
                data, self.path, self.entry,
                runner.swapper(self.entry, fullname))
            return code

    class SwapFinder(importlib.abc.MetaPathFinder):
        """Finds manifest sources first and gives them a SwapLoader."""

        def find_spec(self, fullname, path, target=None):
            if runner.importing_packages:
                return None
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is None or not isinstance(
                    spec.loader, importlib.machinery.SourceFileLoader):
                return None
            entry = runner.entry_for(spec.origin)
            if entry is None:
                return None
            spec.loader = SwapLoader(fullname, spec.origin, entry)
            return spec

    sys.meta_path.insert(0, SwapFinder())


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
    by_source = {}
    try:
        with open(manifest, "rb") as f:
            data = f.read()
    except OSError:
        data = b""
    if may_accelerate(data):
        try:
            by_source = load_manifest(manifest)
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            sys.stderr.write("rustify_run: ignoring bad manifest %s: %s\n"
                             % (manifest, exc))
    runner = Runner(by_source) if by_source else None
    here = os.path.dirname(os.path.realpath(__file__))
    script_dir = os.path.dirname(os.path.realpath(script))
    if sys.path and os.path.realpath(sys.path[0] or os.curdir) != here:
        sys.path[0] = script_dir
    else:
        sys.path.insert(0, script_dir)
    if runner is not None:
        install_finder(runner)
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
