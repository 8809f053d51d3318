"""Random typed Python modules for differential runs of the translator.

    python3 tests/translate/gen_programs.py SEED COUNT OUTDIR

writes OUTDIR/p<SEED>_<i>.py: small modules of annotated functions built
from the constructs the typed tier knows (and some it refuses: wrong
types, unsupported builtins and methods), so that two builds of
tool-translate can be compared on many inputs (check_reshape.sh takes
them as EXTRA files). Reproducible: the same seed gives the same files.
Not run by make test; nothing here checks that a program makes sense.
"""
import os
import random
import sys

SCALARS = ["int", "float", "bool", "str"]
CONTAINERS = ["list[int]", "list[float]", "list[str]", "list[bool]",
              "dict[str, int]", "dict[int, float]", "tuple[int, str]",
              "tuple[int, int]", "set[int]", "list[list[float]]",
              "list[list[int]]", "dict[str, list[int]]",
              "tuple[float, float]", "list[tuple[int, int]]"]
ALL = SCALARS + CONTAINERS


def elem(t):
    if t.startswith("list[") or t.startswith("set["):
        return t[t.index("[") + 1:-1]
    if t == "str":
        return "str"
    return None


def key_val(t):
    inner = t[5:-1]
    depth = 0
    for i, ch in enumerate(inner):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            return inner[:i], inner[i + 1:].strip()
    return None


def tuple_items(t):
    inner = t[6:-1]
    out, depth, cur = [], 0, ""
    for ch in inner:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


class Gen:
    def __init__(self, rng, fns):
        self.r = rng
        self.fns = fns  # earlier functions: (name, [param types], ret)
        self.scope = {}
        self.depth = 0
        self.loops = 0
        self.counter = 0

    def pick(self, seq):
        return self.r.choice(seq)

    def fresh(self, stem="v"):
        self.counter += 1
        return "%s%d" % (stem, self.counter)

    def vars_of(self, t):
        return [n for n, vt in self.scope.items() if vt == t]

    def any_var(self):
        return self.pick(list(self.scope)) if self.scope else None

    # ---- expressions of a wanted type (sometimes of another) ----
    def ex(self, t, d=0):
        r = self.r
        if r.random() < 0.02:
            t = self.pick(ALL)  # an ill-typed expression now and then
        vs = self.vars_of(t)
        if vs and (d > 1 or r.random() < 0.5):
            return self.pick(vs)
        if d > 2 or (d > 1 and r.random() < 0.5):
            return self.lit(t)
        f = getattr(self, "ex_" + t.replace("[", "_").replace("]", "_")
                    .replace(", ", "_"), None)
        if f is not None and r.random() < 0.8:
            try:
                return f(d + 1)
            except LookupError:
                pass
        return self.generic(t, d + 1)

    def lit(self, t):
        r = self.r
        if t == "int":
            return str(r.choice([0, 1, 2, 3, -1, 7, 10, 2 ** 40, -5]))
        if t == "float":
            return r.choice(["0.0", "1.5", "-2.25", "1e300", "0.1", "3.0"])
        if t == "bool":
            return r.choice(["True", "False"])
        if t == "str":
            return r.choice(["''", "'a'", "'ab,c'", "' x '", "'\u00e9t\u00e9'",
                             "'12'"])
        if t.startswith("list["):
            e = elem(t)
            n = r.randint(0 if r.random() < 0.1 else 1, 3)
            return "[" + ", ".join(self.lit(e) for _ in range(n)) + "]"
        if t.startswith("set["):
            return r.choice(["set()", "{1, 2}", "{3}"])
        if t.startswith("dict["):
            k, v = key_val(t)
            if r.random() < 0.1:
                return "{}"
            return "{%s: %s}" % (self.lit(k), self.lit(v))
        if t.startswith("tuple["):
            return "(" + ", ".join(self.lit(x) for x in tuple_items(t)) + \
                (",)" if len(tuple_items(t)) == 1 else ")")
        return "None"

    def place(self, t, d):
        """A variable of type t when there is one (receivers of methods
        that change them), else any expression."""
        vs = self.vars_of(t)
        if vs and self.r.random() < 0.97:
            return self.pick(vs)
        if vs:
            return self.ex(t, d)
        raise LookupError(t)

    def field(self):
        specs = {"int": ["", ":>5", ":+d", ":,", ":x", ":_d", ":08d", "!r"],
                 "float": ["", ":.2f", ":e", ":08.3f", ":,", ":+.1e", ":>9",
                           ":g", ":%"],
                 "str": ["", ":^7s", "!r", ":<3", ":>4", "!s:>3"],
                 "bool": ["", "!r", ":>6", ":d"]}
        t = self.pick(SCALARS)
        sp = specs[t] if self.r.random() < 0.9 else specs[self.pick(SCALARS)]
        return self.simple(t) + self.pick(sp)

    def simple(self, t):
        vs = self.vars_of(t)
        if vs and self.r.random() < 0.8:
            return self.pick(vs)
        return {"int": "3", "float": "2.5", "bool": "True"}.get(t, "len(%s)"
                                                                % self.pick(
                                                                    list(self.scope) or ["[]"]))

    def generic(self, t, d):
        r = self.r
        c = r.random()
        if c < 0.15:
            return "(%s if %s else %s)" % (self.ex(t, d), self.ex("bool", d),
                                           self.ex(t, d))
        if c < 0.35:
            # an item of a container holding t
            holders = [n for n, vt in self.scope.items()
                       if elem(vt) == t and vt != "str"]
            if holders:
                return "%s[%s]" % (self.pick(holders), self.ex("int", d))
            dicts = [n for n, vt in self.scope.items()
                     if vt.startswith("dict[") and key_val(vt)[1] == t]
            if dicts:
                n = self.pick(dicts)
                return "%s[%s]" % (n, self.ex(key_val(self.scope[n])[0], d))
        if c < 0.45:
            calls = [f for f in self.fns if f[2] == t]
            if calls:
                name, ps, _ = self.pick(calls)
                return "%s(%s)" % (name, ", ".join(self.ex(p, d) for p in ps))
        if c < 0.55 and t.startswith("list["):
            e = elem(t)
            src = self.pick(["range(%s)" % self.ex("int", d)] +
                            [n for n, vt in self.scope.items()
                             if vt.startswith("list[")] or ["[1, 2]"])
            v = self.fresh("c")
            et = "int" if src.startswith("range") else \
                elem(self.scope.get(src, "list[int]"))
            self.scope[v] = et
            body = self.ex(e, d)
            cond = " if %s" % self.ex("bool", d) if r.random() < 0.4 else ""
            del self.scope[v]
            return "[%s for %s in %s%s]" % (body, v, src, cond)
        return self.lit(t)

    def ex_int(self, d):
        r = self.r
        opts = [
            lambda: "%s %s %s" % (self.ex("int", d), self.pick(
                ["+", "-", "*", "//", "%", "<<", ">>", "&", "|", "^", "**"]),
                self.ex("int", d)),
            lambda: "len(%s)" % self.ex(self.pick(
                ["str", "list[int]", "dict[str, int]", "tuple[int, str]",
                 "set[int]", "list[float]"]), d),
            lambda: "-%s" % self.ex("int", d),
            lambda: "abs(%s)" % self.ex("int", d),
            lambda: "int(%s)" % self.ex(self.pick(["float", "str", "bool"]), d),
            lambda: "round(%s)" % self.ex("float", d),
            lambda: "round(%s, %s)" % (self.ex("int", d), self.ex("int", d)),
            lambda: "min(%s, %s)" % (self.ex("int", d), self.ex("int", d)),
            lambda: "max(%s)" % self.ex("list[int]", d),
            lambda: "sum(%s)" % self.ex(self.pick(
                ["list[int]", "list[bool]"]), d),
            lambda: "sum(%s, %s)" % (self.ex("list[int]", d),
                                     self.ex("int", d)),
            lambda: "%s.index(%s)" % (self.ex("list[int]", d),
                                      self.ex("int", d)),
            lambda: "%s.count(%s)" % (self.ex("list[int]", d),
                                      self.ex("int", d)),
            lambda: "%s.find(%s)" % (self.ex("str", d), self.ex("str", d)),
            lambda: "%s.count(%s)" % (self.ex("str", d), self.ex("str", d)),
            lambda: "%s.pop()" % self.place("list[int]", d),
            lambda: "%s.pop(%s)" % (self.place("list[int]", d),
                                    self.ex("int", d)),
            lambda: "%s[0]" % self.ex("tuple[int, str]", d),
            lambda: "%s[-1]" % self.ex("tuple[int, int]", d),
            lambda: "math.floor(%s)" % self.ex("float", d),
            lambda: "math.trunc(%s)" % self.ex("int", d),
            lambda: "divmod(%s, %s)[0]" % (self.ex("int", d),
                                           self.ex("int", d)),
            lambda: "%s.get(%s, %s)" % (self.ex("dict[str, int]", d),
                                        self.ex("str", d), self.ex("int", d)),
            lambda: "%s.pop(%s, 0)" % (self.place("dict[str, int]", d),
                                       self.ex("str", d)),
            lambda: "%s.setdefault(%s, %s)" % (self.place("dict[str, int]", d),
                                               self.ex("str", d),
                                               self.ex("int", d)),
            lambda: "%s + %s" % (self.ex("bool", d), self.ex("int", d)),
            lambda: "~%s" % self.ex("int", d),
            lambda: "(%s and %s)" % (self.ex("int", d), self.ex("int", d)),
            lambda: "int()",
        ]
        return "(" + self.pick(opts)() + ")"

    def ex_float(self, d):
        opts = [
            lambda: "%s %s %s" % (self.ex(self.pick(["float", "int"]), d),
                                  self.pick(["+", "-", "*", "/", "//", "%",
                                             "**"]),
                                  self.ex("float", d)),
            lambda: "%s / %s" % (self.ex("int", d), self.ex("int", d)),
            lambda: "math.%s(%s)" % (self.pick(
                ["sqrt", "exp", "log", "sin", "cos", "atan", "fabs",
                 "log1p", "asinh", "degrees", "tanh", "log10"]),
                self.ex(self.pick(["float", "int"]), d)),
            lambda: "math.%s(%s, %s)" % (self.pick(
                ["atan2", "fmod", "copysign", "log"]),
                self.ex("float", d), self.ex("float", d)),
            lambda: "float(%s)" % self.ex(self.pick(["int", "str", "bool"]),
                                          d),
            lambda: "sum(%s)" % self.ex("list[float]", d),
            lambda: "sum(%s, %s)" % (self.ex("list[float]", d),
                                     self.ex("float", d)),
            lambda: "sum(%s, 0.0)" % self.ex("list[int]", d),
            lambda: "abs(%s)" % self.ex("float", d),
            lambda: "-%s" % self.ex("float", d),
            lambda: "min(%s)" % self.ex("list[float]", d),
            lambda: "max(%s, %s, %s)" % (self.ex("float", d),
                                         self.ex("float", d),
                                         self.ex("float", d)),
            lambda: "round(%s, 2)" % self.ex("float", d),
            lambda: "%s ** %s" % (self.ex("int", d), self.pick(["-1", "2"])),
            lambda: "%s[0]" % self.ex("tuple[float, float]", d),
            lambda: "divmod(%s, %s)[1]" % (self.ex("float", d),
                                           self.ex("int", d)),
            lambda: "%s[%s][%s]" % (self.ex("list[list[float]]", d),
                                    self.ex("int", d), self.ex("int", d)),
            lambda: "%s.get(%s, 0.0)" % (self.ex("dict[int, float]", d),
                                         self.ex("int", d)),
        ]
        return "(" + self.pick(opts)() + ")"

    def ex_bool(self, d):
        cmp = ["<", "<=", ">", ">=", "==", "!="]
        opts = [
            lambda: "%s %s %s" % (self.ex("int", d), self.pick(cmp),
                                  self.ex(self.pick(["int", "float"]), d)),
            lambda: "%s %s %s" % (self.ex("float", d), self.pick(cmp),
                                  self.ex("float", d)),
            lambda: "%s %s %s %s %s" % (self.ex("int", d), self.pick(cmp),
                                        self.ex("int", d), self.pick(cmp),
                                        self.ex("int", d)),
            lambda: "%s %s %s" % (self.ex("str", d), self.pick(cmp),
                                  self.ex("str", d)),
            lambda: "%s %s %s" % (self.ex(self.pick(
                ["list[int]", "tuple[int, str]", "bool"]), d),
                self.pick(cmp), self.ex(self.pick(
                    ["list[int]", "tuple[int, str]", "bool"]), d)),
            lambda: "%s %s %s" % (self.ex("int", d),
                                  self.pick(["in", "not in"]),
                                  self.ex(self.pick(
                                      ["list[int]", "set[int]",
                                       "list[float]", "tuple[int, int]",
                                       "dict[int, float]"]), d)),
            lambda: "%s in %s" % (self.ex("str", d), self.ex(self.pick(
                ["str", "dict[str, int]", "list[str]"]), d)),
            lambda: "not %s" % self.ex(self.pick(["bool", "int", "list[int]",
                                                  "str"]), d),
            lambda: "%s and %s" % (self.ex("bool", d), self.ex(self.pick(
                ["bool", "int"]), d)),
            lambda: "%s or %s" % (self.ex(self.pick(["bool", "str"]), d),
                                  self.ex("bool", d)),
            lambda: "%s.%s(%s)" % (self.ex("str", d),
                                   self.pick(["startswith", "endswith"]),
                                   self.ex("str", d)),
            lambda: "%s.%s()" % (self.ex("str", d), self.pick(
                ["isdigit", "isalpha", "isspace", "isalnum"])),
            lambda: "%s(%s)" % (self.pick(["any", "all"]), self.ex(self.pick(
                ["list[bool]", "list[int]", "str"]), d)),
            lambda: "bool(%s)" % self.ex(self.pick(ALL), d),
            lambda: "math.isnan(%s)" % self.ex("float", d),
            lambda: "%s & %s" % (self.ex("bool", d), self.ex("bool", d)),
        ]
        return "(" + self.pick(opts)() + ")"

    def ex_str(self, d):
        opts = [
            lambda: "%s + %s" % (self.ex("str", d), self.ex("str", d)),
            lambda: "%s * %s" % (self.ex("str", d), self.ex("int", d)),
            lambda: "%s[%s]" % (self.ex("str", d), self.ex("int", d)),
            lambda: "%s[%s:%s]" % (self.ex("str", d), self.ex("int", d),
                                   self.ex("int", d)),
            lambda: "%s[::-1]" % self.ex("str", d),
            lambda: "f'<{%s}|{%s}>'" % (self.field(), self.field()),
            lambda: "'%s' %% (%s, %s)" % (
                self.pick(["%d-%s", "%5.2f %r", "%x %s", "%-4d|%s",
                           "%s %s", "%e %d"]),
                self.ex(self.pick(["int", "float", "bool"]), d),
                self.ex(self.pick(SCALARS), d)),
            lambda: "'%%s!' %% %s" % self.ex(self.pick(SCALARS), d),
            lambda: "str(%s)" % self.ex(self.pick(SCALARS), d),
            lambda: "%s.%s()" % (self.ex("str", d), self.pick(
                ["lower", "upper", "strip", "lstrip", "rstrip"])),
            lambda: "%s.strip(%s)" % (self.ex("str", d), self.ex("str", d)),
            lambda: "%s.replace(%s, %s)" % (self.ex("str", d),
                                            self.ex("str", d),
                                            self.ex("str", d)),
            lambda: "%s.join(%s)" % (self.ex("str", d),
                                     self.ex("list[str]", d)),
            lambda: "%s[1]" % self.ex("tuple[int, str]", d),
            lambda: "min(%s, %s)" % (self.ex("str", d), self.ex("str", d)),
        ]
        return "(" + self.pick(opts)() + ")"

    def ex_list_int_(self, d):
        opts = [
            lambda: "[%s, %s]" % (self.ex("int", d), self.ex("int", d)),
            lambda: "[]",
            lambda: "list(range(%s))" % self.ex("int", d),
            lambda: "sorted(%s)" % self.ex(self.pick(["list[int]",
                                                      "set[int]"]), d),
            lambda: "sorted(%s, reverse=True)" % self.ex("list[int]", d),
            lambda: "%s[%s:]" % (self.ex("list[int]", d), self.ex("int", d)),
            lambda: "%s + %s" % (self.ex("list[int]", d),
                                 self.ex(self.pick(["list[int]",
                                                    "list[float]"]), d)),
            lambda: "%s * 2" % self.ex("list[int]", d),
            lambda: "list(%s)" % self.ex(self.pick(
                ["list[int]", "dict[int, float]", "tuple[int, int]"]), d),
            lambda: "%s.copy()" % self.ex("list[int]", d),
            lambda: "list(%s.keys())" % self.ex("dict[int, float]", d),
            lambda: "list(reversed(%s))" % self.ex("list[int]", d),
            lambda: "[x * 2 for x in %s]" % self.ex("list[int]", d),
            lambda: "[i for i, x in enumerate(%s) if x]" % self.ex(
                "list[int]", d),
            lambda: "[a + b for a, b in zip(%s, %s)]" % (
                self.ex("list[int]", d), self.ex("list[int]", d)),
            lambda: "[a for a in %s for b in %s]" % (
                self.ex("list[int]", d), self.ex("str", d)),
            lambda: "%s.split()" % self.ex("str", d),
            lambda: "[len(w) for w in %s.split(',')]" % self.ex("str", d),
            lambda: "%s[%s]" % (self.ex("dict[str, list[int]]", d),
                                self.ex("str", d)),
            lambda: "list(%s)" % self.ex("str", d),
        ]
        return self.pick(opts)()

    def ex_list_float_(self, d):
        opts = [
            lambda: "[%s]" % self.ex("float", d),
            lambda: "[x / 2 for x in %s]" % self.ex("list[float]", d),
            lambda: "[%s for _ in range(%s)]" % (self.ex("float", d),
                                                  self.ex("int", d)),
            lambda: "%s[%s]" % (self.ex("list[list[float]]", d),
                                self.ex("int", d)),
            lambda: "sorted(%s)" % self.ex("list[float]", d),
            lambda: "list(%s.values())" % self.ex("dict[int, float]", d),
        ]
        return self.pick(opts)()

    def ex_list_str_(self, d):
        opts = [
            lambda: "%s.split(%s)" % (self.ex("str", d), self.ex("str", d)),
            lambda: "[s.upper() for s in %s]" % self.ex("list[str]", d),
            lambda: "sorted(%s)" % self.ex("dict[str, int]", d),
            lambda: "list(%s)" % self.ex("str", d),
            lambda: "[%s, %s]" % (self.ex("str", d), self.ex("str", d)),
        ]
        return self.pick(opts)()

    def ex_dict_str_int_(self, d):
        opts = [
            lambda: "{%s: %s}" % (self.ex("str", d), self.ex("int", d)),
            lambda: "dict()",
            lambda: "%s.copy()" % self.ex("dict[str, int]", d),
        ]
        return self.pick(opts)()

    def ex_tuple_int_str_(self, d):
        return "(%s, %s)" % (self.ex("int", d), self.ex("str", d))

    def ex_tuple_int_int_(self, d):
        opts = [
            lambda: "(%s, %s)" % (self.ex("int", d), self.ex("int", d)),
            lambda: "divmod(%s, %s)" % (self.ex("int", d), self.ex("int", d)),
            lambda: "%s + %s" % (self.ex("tuple[int, int]", d)[:-1] + ",)"
                                 if False else "(%s,)" % self.ex("int", d),
                                 "(%s,)" % self.ex("int", d)),
        ]
        return self.pick(opts)()

    def ex_set_int_(self, d):
        opts = [
            lambda: "{%s, %s}" % (self.ex("int", d), self.ex("int", d)),
            lambda: "set(%s)" % self.ex("list[int]", d),
            lambda: "set()",
        ]
        return self.pick(opts)()

    # ---- statements ----
    def block(self, n, indent):
        """Names first bound inside a nested block are not used after it
        (they may be unbound there)."""
        out = []
        saved = dict(self.scope)
        for _ in range(n):
            out.extend(self.stmt(indent))
        if indent != "    ":
            self.scope = saved
        return out or [indent + "pass"]

    def stmt(self, ind):
        r = self.r
        c = r.random()
        self.depth += 1
        try:
            if self.depth > 3:
                c = r.random() * 0.45
            if c < 0.18:
                v = self.any_var()
                if v is None or r.random() < 0.3:
                    t = self.pick(ALL)
                    v = self.fresh()
                    line = "%s%s = %s" % (ind, v, self.ex(t))
                    self.scope[v] = t
                    return [line]
                return ["%s%s = %s" % (ind, v, self.ex(self.scope[v]))]
            if c < 0.28:
                v = self.any_var()
                if v is None:
                    return [ind + "pass"]
                t = self.scope[v]
                op = self.pick(["+=", "-=", "*=", "//=", "%=", "/=", "|="])
                if t.startswith("list[") and elem(t) in SCALARS and \
                        r.random() < 0.6:
                    return ["%s%s[%s] %s %s" % (ind, v, self.ex("int"), op,
                                                self.ex(elem(t)))]
                if t.startswith("dict[") and r.random() < 0.6:
                    k, vt = key_val(t)
                    return ["%s%s[%s] %s %s" % (ind, v, self.ex(k), op,
                                                self.ex(vt))]
                if t not in SCALARS or t == "bool":
                    return [ind + "pass"]
                if t == "str":
                    op = "+="
                elif t == "float" and op == "|=":
                    op = "-="
                return ["%s%s %s %s" % (ind, v, op, self.ex(t))]
            if c < 0.36:
                v = self.any_var()
                if v is None:
                    return [ind + "pass"]
                t = self.scope[v]
                if t.startswith("list["):
                    m = self.pick(["append", "append", "insert", "extend",
                                   "sort", "reverse", "clear", "pop"])
                    e = elem(t)
                    args = {"append": [self.ex(e)],
                            "insert": [self.ex("int"), self.ex(e)],
                            "extend": [self.ex(t)], "pop": []}.get(m, [])
                    return ["%s%s.%s(%s)" % (ind, v, m, ", ".join(args))]
                if t.startswith("dict["):
                    k, vt = key_val(t)
                    if r.random() < 0.5:
                        return ["%s%s[%s] = %s" % (ind, v, self.ex(k),
                                                   self.ex(vt))]
                    return ["%sdel %s[%s]" % (ind, v, self.ex(k))]
                if t.startswith("set["):
                    return ["%s%s.%s(%s)" % (ind, v, self.pick(
                        ["add", "discard"]), self.ex("int"))]
                if t == "str" and r.random() < 0.5:
                    return ["%s%s = %s + %s" % (ind, v, v, self.ex("str"))]
                return ["%s%s = %s" % (ind, v, self.ex(t))]
            if c < 0.45:
                return ["%sif %s:" % (ind, self.ex("bool"))] + \
                    self.block(r.randint(1, 2), ind + "    ") + \
                    (["%selse:" % ind] + self.block(1, ind + "    ")
                     if r.random() < 0.4 else [])
            if c < 0.62:
                return self.for_stmt(ind)
            if c < 0.68:
                v = self.fresh("n")
                self.scope[v] = "int"
                self.loops += 1
                body = self.block(r.randint(1, 2), ind + "    ")
                self.loops -= 1
                return ["%s%s = 0" % (ind, v),
                        "%swhile %s < %s:" % (ind, v, self.ex("int")),
                        "%s    %s += 1" % (ind, v)] + body + \
                    (["%selse:" % ind, ind + "    pass"]
                     if r.random() < 0.2 else [])
            if c < 0.72 and self.loops:
                return [ind + self.pick(["break", "continue"])]
            if c < 0.76:
                return ["%sassert %s" % (ind, self.ex("bool"))]
            if c < 0.80:
                return self.jam(ind)
            if c < 0.84:
                return self.result_list(ind)
            if c < 0.88:
                ss = self.vars_of("str") or ["'abc'"]
                s = self.pick(ss)
                v = self.fresh("ch")
                self.scope[v] = "str"
                out = ["%s%s = ''" % (ind, v),
                       "%sfor i in range(len(%s)):" % (ind, s),
                       "%s    %s = %s[i]" % (ind, v, s)]
                return out
            if c < 0.90:
                v = self.fresh("tp")
                self.scope[v] = "tuple[str, str]"
                ls = self.vars_of("list[str]") or ["['a', 'b']"]
                lst = self.pick(ls)
                return ["%s%s = ('', '')" % (ind, v),
                        "%sfor i in range(len(%s) - 1):" % (ind, lst),
                        "%s    %s = (%s[i], %s[i + 1])" % (ind, v, lst, lst)]
            if c < 0.93:
                return ["%sreturn %s" % (ind, self.ex(self.ret))]
            if c < 0.95:
                return ["%sraise ValueError('x')" % ind]
            return ["%s%s" % (ind, self.ex(self.pick(ALL)))]
        finally:
            self.depth -= 1

    def for_stmt(self, ind):
        r = self.r
        c = r.random()
        saved = dict(self.scope)
        try:
            return self.for_inner(ind)
        finally:
            self.scope = saved

    def for_inner(self, ind):
        r = self.r
        c = r.random()
        lists = [n for n, t in self.scope.items() if t.startswith("list[")]
        v = self.fresh("x")
        if c < 0.3 or not lists:
            src, et = "range(%s)" % self.ex("int"), "int"
            if r.random() < 0.3:
                src = "range(%s, %s, %s)" % (self.ex("int"), self.ex("int"),
                                             self.pick(["2", "-1"]))
            elif r.random() < 0.2:
                src = "reversed(range(%s))" % self.ex("int")
            head = v
        elif c < 0.5:
            src = self.pick(lists)
            et = elem(self.scope[src])
            head = v
            if r.random() < 0.2:
                src = "reversed(%s)" % src
        elif c < 0.6:
            src = self.pick(lists)
            et = elem(self.scope[src])
            i = self.fresh("i")
            self.scope[i] = "int"
            head = "%s, %s" % (i, v)
            src = "enumerate(%s%s)" % (src, self.pick(["", ", 1"]))
        elif c < 0.7:
            a, b = self.pick(lists), self.pick(lists)
            et = elem(self.scope[a])
            w = self.fresh("y")
            self.scope[w] = elem(self.scope[b])
            head = "%s, %s" % (v, w)
            src = "zip(%s, %s)" % (a, b)
        elif c < 0.8:
            dicts = [n for n, t in self.scope.items() if t.startswith("dict[")]
            if not dicts:
                return [ind + "pass"]
            dn = self.pick(dicts)
            k, vt = key_val(self.scope[dn])
            m = self.pick(["items", "keys", "values", ""])
            if m == "items":
                w = self.fresh("y")
                self.scope[w] = vt
                head, et = "%s, %s" % (v, w), k
            else:
                head, et = v, vt if m == "values" else k
            src = "%s.%s()" % (dn, m) if m else dn
        elif c < 0.9:
            src, et, head = self.ex("str"), "str", v
        else:
            src = self.ex(self.pick(["tuple[int, int]", "list[list[int]]",
                                     "set[int]" if r.random() < 0.1 else
                                     "tuple[int, int]"]))
            et, head = "int", v
        self.scope[v] = et
        self.loops += 1
        body = self.block(r.randint(1, 3), ind + "    ")
        self.loops -= 1
        out = ["%sfor %s in %s:" % (ind, head, src)] + body
        if r.random() < 0.15:
            out += ["%selse:" % ind] + self.block(1, ind + "    ")
        return out

    def jam(self, ind):
        lf = self.vars_of("list[float]") or self.vars_of("list[int]")
        if not lf:
            return [ind + "pass"]
        a = self.pick(lf)
        out = self.fresh("out")
        acc = self.fresh("acc")
        self.scope[out] = "list[float]"
        return ["%s%s = []" % (ind, out),
                "%sfor i in range(len(%s) - 1):" % (ind, a),
                "%s    %s = 0.0" % (ind, acc),
                "%s    for j in range(2):" % ind,
                "%s        %s += %s[i + j] * 0.5" % (ind, acc, a),
                "%s    %s.append(%s / 2)" % (ind, out, acc)]

    def result_list(self, ind):
        out = self.fresh("res")
        t = self.pick(["list[float]", "list[int]", "list[bool]"])
        self.scope[out] = t
        return ["%s%s = []" % (ind, out),
                "%sfor k in range(%s):" % (ind, self.ex("int")),
                "%s    %s.append(%s)" % (ind, out, self.ex(elem(t)))]

    def function(self, name):
        r = self.r
        ps = [self.pick(ALL) for _ in range(r.randint(1, 3))]
        self.ret = self.pick(ALL + ["None"])
        params = []
        for i, t in enumerate(ps):
            p = "p%d" % i
            self.scope[p] = t
            params.append("%s: %s" % (p, t))
        body = self.block(r.randint(2, 6), "    ")
        tail = []
        outs = [n for n in self.scope if n.startswith("res")]
        if outs and r.random() < 0.5:
            self.ret = self.scope[outs[-1]]
            tail = ["    return %s" % outs[-1]]
        elif self.ret != "None":
            tail = ["    return %s" % self.ex(self.ret)]
        ann = "" if r.random() < 0.15 else " -> %s" % self.ret
        return (["def %s(%s)%s:" % (name, ", ".join(params), ann)] + body +
                tail, ps, self.ret)


def module(seed):
    rng = random.Random(seed)
    fns = []
    lines = ["import math", ""]
    for k in range(rng.randint(1, 4)):
        g = Gen(rng, fns)
        name = "f%d" % k
        text, ps, ret = g.function(name)
        fns.append((name, ps, ret))
        lines += text + ["", ""]
    return "\n".join(lines)


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, "p%d_%d.py" % (seed, i)), "w") as f:
            f.write(module(seed * 100003 + i))


if __name__ == "__main__":
    main()
