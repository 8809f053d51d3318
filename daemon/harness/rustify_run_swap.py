"""rustify_run_swap: the swaps of the drop-in runner (rustify_run.py).

rustify_run imports this module only when the manifest marks a function
accelerated; it reads the manifest and loads the modules that hold
accelerated functions (the script, and the manifest sources it imports)
with those functions swapped in.  Standard library only; CPython 3.8-3.13.

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
the script or is imported (matched by real path, whatever the module's
package; only modules named like a source file, or like the file its path
resolves to, are looked up, so that other imports cost nothing more),
each top-level, undecorated function with "accelerated": true whose
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
Set RUSTIFY_RUN_DEBUG=1 to get one stderr line per swap decision.

Cache: rustifyd (at delivery, and the measure stage for each manifest it
times) runs `python rustify_run_swap.py --write-cache MANIFEST`, which
writes DIR/__pycache__/rustify.json.<cache tag>.swaps (marshal): the
parsed manifest and each manifest source compiled with its swaps, with
the source's bytes. A run then reads that instead of importing json and
ast and parsing the script, when the cache was made for the manifest's
exact bytes, this interpreter's magic number and optimization level,
and, per module, the source's exact bytes under the same file name;
anything else (an edited script, a script run through another path, a
cache of another Python, a missing or damaged cache) falls back to
parsing as above, with the same result. RUSTIFY_RUN_DEBUG=1 ignores the
cache. Nothing is written at run time.
"""

# Imported at start-up: only what the interpreter has loaded already and
# marshal (builtin). ast, json and sha256 are imported where they are
# needed: a run whose modules come from the cache needs none of them.
import importlib
import importlib.machinery
import marshal
import os
import sys

# The compiled-swaps cache (see "Cache" above): its layout's version.
CACHE_VERSION = 1


def _sha256(data):
    try:
        # the builtin module: hashlib would load OpenSSL first (3 ms of
        # every run of a program with something accelerated)
        from _sha256 import sha256
    except ImportError:
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256
    return sha256(data)


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
    start, end = definition_span(data, starts, node)
    return _sha256(data[start:end]).hexdigest()


def _module_name(path):
    """The last part of the module name a source file is imported by."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem == "__init__":
        return os.path.basename(os.path.dirname(path))
    return stem


def load_manifest(path, data=None):
    """Read the manifest (data: its bytes, when read already); returns
    {realpath(source): module entry} of the modules with an accelerated
    function."""
    import json
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    manifest = json.loads(data.decode("utf-8"))
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
                "module": entry["module"], "functions": wanted,
                "names": {_module_name(source),
                          _module_name(os.path.realpath(source))}}
    return by_source


def cache_path(manifest):
    """Where the compiled-swaps cache of a manifest lives (None when this
    interpreter has no bytecode tag): __pycache__ beside the manifest,
    named after it and the interpreter, like a .pyc."""
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    manifest = os.path.abspath(manifest)
    return os.path.join(os.path.dirname(manifest), "__pycache__",
                        "%s.%s.swaps" % (os.path.basename(manifest), tag))


def _cache_key(manifest_data):
    """What a cache must have been made for: its layout, this
    interpreter's bytecode (magic number, optimization level) and the
    manifest's exact bytes."""
    magic = getattr(sys.modules.get("_frozen_importlib_external"),
                    "MAGIC_NUMBER", None)
    return (CACHE_VERSION, magic, sys.flags.optimize, manifest_data)


def load_cache(manifest, manifest_data):
    """(by_source, codes) from the manifest's cache when it was made for
    these manifest bytes and this interpreter, else None. codes:
    {realpath(source): (source bytes, placeholder, swaps, code)}."""
    if os.environ.get("RUSTIFY_RUN_DEBUG"):
        return None     # the swap decisions are printed as they are made
    path = cache_path(manifest)
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            blob = f.read()
        key, by_source, codes = marshal.loads(blob)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if key != _cache_key(manifest_data):
        return None
    return by_source, codes


def write_cache(manifest):
    """Compile each manifest source with its swaps as the runner would,
    and write them with the parsed manifest to the manifest's cache (the
    runner then imports neither json nor ast, and parses no source that
    is unchanged). Written to a temporary file renamed into place: a
    reader sees the old cache or the new one. Returns the cache's path,
    or None when this interpreter has no bytecode tag."""
    path = cache_path(manifest)
    if path is None:
        return None
    with open(manifest, "rb") as f:
        data = f.read()
    by_source = load_manifest(manifest, data)
    runner = Runner(by_source)
    codes = {}
    for source, entry in by_source.items():
        try:
            with open(source, "rb") as f:
                text = f.read()
            code, swaps = runner.compile_swaps(text, source, entry)
        except (OSError, SyntaxError, ValueError):
            continue    # the runner will say so, if it runs it
        codes[source] = (text, runner.placeholder, tuple(swaps), code)
    blob = marshal.dumps((_cache_key(data), by_source, codes))
    folder = os.path.dirname(path)
    # nothing in the output dir is followed through a symlink (README
    # "Output"): a linked __pycache__ gets no cache; a link where the
    # cache goes is replaced by the rename, not written through
    if os.path.islink(folder):
        raise OSError("%s is a symlink" % folder)
    os.makedirs(folder, exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


class _Swap:
    """What a transformed module's code calls: <constant>.swap(...)."""

    __slots__ = ("swap",)

    def __init__(self, swap):
        self.swap = swap


def _replace_const(code, placeholder, value):
    """code with every co_consts entry equal to placeholder (and in
    nested code objects) replaced by value; code objects that hold none
    are kept as they are."""
    consts = []
    changed = False
    for c in code.co_consts:
        if type(c) is str and c == placeholder:
            c = value
            changed = True
        elif type(c) is type(code):
            new = _replace_const(c, placeholder, value)
            changed = changed or new is not c
            c = new
        consts.append(c)
    return code.replace(co_consts=tuple(consts)) if changed else code


class Runner:
    """Holds the manifest and performs the source transformation."""

    def __init__(self, by_source, codes=None):
        self.by_source = by_source
        # realpath(source) -> (source bytes, placeholder, swaps, code):
        # the cache's compiled modules (load_cache)
        self.codes = codes or {}
        self.importing_packages = 0
        self.packages = {}
        # (module name, qualname) -> the function or class the module
        # defined, before the swap
        self.originals = {}
        # the last parts of the module names manifest sources can have:
        # other imports are not looked up twice
        self.names = set()
        for entry in by_source.values():
            self.names |= entry["names"]
        # a string no source holds: the swap's placeholder in co_consts
        self.placeholder = "rustify_run swap %s" % os.urandom(16).hex()

    def entry_for(self, path):
        """The manifest entry of a file, or None."""
        if not path or self.importing_packages:
            return None
        return self.by_source.get(os.path.realpath(path))

    def transform(self, data, path, entry, swap):
        """Compile source bytes, adding swaps for unchanged functions;
        swap is the function they call. The cache's code when it was
        compiled from these very bytes under this very file name."""
        cached = self.codes.get(path)
        if cached is not None and cached[0] == data:
            _, placeholder, swaps, code = cached
            swaps = list(swaps)
        else:
            placeholder = self.placeholder
            code, swaps = self.compile_swaps(data, path, entry)
        if swaps:
            code = _replace_const(code, placeholder, _Swap(swap))
        return code, swaps

    def compile_swaps(self, data, path, entry):
        """(code, swaps) of source bytes with the swap statements added,
        each calling self.placeholder's swap (transform replaces it)."""
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
        # the swaps carry their locations (_swap_stmt): no walk of the
        # whole tree (ast.fix_missing_locations took 2 ms of a run)
        return compile(tree, path, "exec", dont_inherit=True), swaps

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


class SwapLoader(importlib.machinery.SourceFileLoader):
    """Loads a manifest source with swaps; never writes bytecode."""

    def __init__(self, fullname, path, runner, entry):
        super().__init__(fullname, path)
        self.runner = runner
        self.entry = entry

    def get_code(self, fullname):
        data = self.get_data(self.path)
        code, _swaps = self.runner.transform(
            data, self.path, self.entry,
            self.runner.swapper(self.entry, fullname))
        return code


class SwapFinder:
    """Finds manifest sources first and gives them a SwapLoader (a meta
    path finder needs only find_spec: importlib.abc's base class would
    cost an import on every run)."""

    def __init__(self, runner):
        self.runner = runner

    def find_spec(self, fullname, path, target=None):
        if self.runner.importing_packages or \
                fullname.rpartition(".")[2] not in self.runner.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(
                spec.loader, importlib.machinery.SourceFileLoader):
            return None
        entry = self.runner.entry_for(spec.origin)
        if entry is None:
            return None
        spec.loader = SwapLoader(fullname, spec.origin, self.runner, entry)
        return spec


def install_finder(runner):
    """Puts a meta path finder first that loads manifest sources with
    their swaps."""
    sys.meta_path.insert(0, SwapFinder(runner))


def main(argv):
    """python rustify_run_swap.py --write-cache MANIFEST: write the
    manifest's cache; exit status 0, or 2 with a message."""
    if len(argv) != 2 or argv[0] != "--write-cache":
        sys.stderr.write("usage: python rustify_run_swap.py "
                         "--write-cache MANIFEST\n")
        return 2
    try:
        write_cache(argv[1])
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        # (as the runner takes a bad manifest: a message, no traceback)
        sys.stderr.write("rustify_run_swap: no cache for %s: %s\n"
                         % (argv[1], exc))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
