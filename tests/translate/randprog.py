"""Seeded random Python modules for the object tier's differential test.

generate(seed, size) returns the source of a module: constants, an
exception class, a context manager, classes (properties with setters,
static and class methods, dunders, subclasses calling super()),
top-level functions (some annotated, for the typed tier) and
scenario_N() functions that call everything with generated data and
return what happened (values, exceptions caught as objects, the
arguments after the calls).

The code is typed while it is generated, so most of it runs; errors
are injected on purpose (zero divisors, bad indices and keys, wrong
types, failing asserts, raise) and are part of what is compared.
Termination is by construction: loops run over range(k), slices [:k]
or counters below k; a loop over a whole list has a body that cannot
change lists or call user code; calls only go down a fixed order
(methods call lower methods, functions call lower functions and
methods, scenarios call anything) under a cost budget; values cannot
grow fast (repetition only of literals, ** only of small bases).
Output has no addresses, hashes or set orders in it.

    python3 randprog.py SEED [SIZE]    prints one module
"""
import random
import sys

ANN = {"int": "int", "float": "float", "str": "str", "bool": "bool",
       "li": "list[int]", "lf": "list[float]", "ls": "list[str]",
       "rows": "list[list[int]]", "dsi": "dict[str, int]",
       "set": "set[int]", "none": "None", "tup": "tuple"}
ELEM = {"li": "int", "lf": "float", "ls": "str", "rows": "li"}
VALUE = ["int", "float", "str", "bool", "li", "lf", "ls", "rows", "dsi",
         "set"]
# what functions meant for the typed tier use
TYPED = ["int", "float", "str", "bool", "li", "lf", "ls"]
SMALL = [0, 1, 2, 3, -1, -2, 4, 5, 7, -7, 10]
BIG = ["2 ** 31", "2 ** 63 - 1", "-2 ** 63", "2 ** 64 + 1", "10 ** 20",
       "-(10 ** 18)", "4611686018427387904", "9007199254740993",
       "10 ** 400"]
FLOATS = ["0.0", "-0.0", "0.5", "1.5", "-2.25", "3.0", "0.1", "1e16",
          "1e308", "-1e-300", "2.5", "NAN", "float('inf')", "-7.0"]
SAFE_STRS = ["", "a", "abc", "Hello", "x y", "\u00e9t\u00e9", "42", "-7",
             "3.5", "a,b,c", "ABC", "z", "bb", "q-q", "nan", "stra\u00dfe",
             "\u0130x", "\u01c5a", "\U0001f600!", "1_000", "\u0661\u0662",
             "\u00b2"]
STRS = SAFE_STRS + ["it's", "a\nb", "\t", "  pad  ", '"q"', "\u20ac1",
                    " 12 ", "\u3000x\u3000"]
KEYS = ["a", "b", "c", "k", "zz"]
EXC = ["ZeroDivisionError", "IndexError", "KeyError", "ValueError",
       "TypeError", "AttributeError", "ArithmeticError", "LookupError",
       "OverflowError", "AppError", "RuntimeError", "AssertionError",
       "NameError", "UnboundLocalError"]
BUDGET = 400


class Sig:
    """A callable: parameters [(name, type, default source or None)],
    *args of ints, keyword-only parameters, **kwargs of ints."""

    def __init__(self, name, params, rt, star=False, kwonly=(), kw=False,
                 cost=1, kind="func", cls=None, index=0):
        self.name, self.params, self.rt = name, list(params), rt
        self.star, self.kwonly, self.kw = star, list(kwonly), kw
        self.cost, self.kind, self.cls, self.index = cost, kind, cls, index
        self.typed = False
        self.calls = set()


class Cls:
    def __init__(self, name, index, base=None):
        self.name, self.index, self.base = name, index, base
        self.attrs = []          # own (name, type)
        self.methods = {}        # name -> Sig, own
        self.props = {}          # name -> type
        self.statics = {}
        self.classms = {}
        self.init = None
        self.eq = self.lt = self.len = self.iter = False
        self.subs = []

    def all_attrs(self):
        return (self.base.all_attrs() if self.base else []) + self.attrs

    def all_methods(self):
        out = dict(self.base.all_methods()) if self.base else {}
        out.update(self.methods)
        return out

    def all_props(self):
        out = dict(self.base.all_props()) if self.base else {}
        out.update(self.props)
        return out

    def has(self, what):
        c = self
        while c:
            if getattr(c, what):
                return True
            c = c.base
        return False

    def family(self):
        out = [self]
        for s in self.subs:
            out += s.family()
        return out


class Ctx:
    """Where code is being generated: the variables in scope and what
    may be done there."""

    def __init__(self, kind, rt, level, cls=None, method_index=None):
        self.kind = kind            # func, method, inner, scenario, lambda
        self.rt = rt
        self.level = level          # callables strictly below this order
        self.cls = cls              # class of self, for methods
        self.method_index = method_index
        self.vars = {}              # name -> type, in scope
        self.writable = set()       # names that may be assigned
        self.block = set()          # assigned in the current block
        self.loops = 0
        self.in_except = []         # names of caught exceptions
        self.mult = 1
        self.cost = 0
        self.pure = False
        self.fstr = False
        self.globals = {}           # declared global: name -> type
        self.inner = []             # nested functions: Sig
        self.calls = set()          # names of what the code calls
        self.depth = 0
        self.cls_limit = None       # classes below this index only
        self.typed = False          # meant for the typed tier


class Gen:
    def __init__(self, seed, size, avoid=()):
        self.avoid = set(avoid)
        self.r = random.Random(seed)
        self.size = max(1, size)
        self.n = 0
        self.classes = {}           # name -> Cls
        self.funcs = []             # Sig of top-level functions, in order
        self.consts = {}            # module constants: name -> type
        self.gvars = {}             # globals functions may write
        self.p_err = 0.03
        self.unbound_e = None
        self.max_depth = 3

    # ---------------------------------------------------------------
    # helpers
    def name(self, prefix="v"):
        self.n += 1
        return "%s%d" % (prefix, self.n)

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(list(seq))

    def choose(self, table, c, d, t=None):
        """Try weighted productions until one applies."""
        opts = list(table)
        for _ in range(12):
            total = sum(w for w, _ in opts)
            x = self.r.random() * total
            for w, f in opts:
                x -= w
                if x <= 0:
                    break
            s = f(c, d)
            if s is not None:
                return s
        return None

    def vt(self, c):
        return TYPED if c.typed else VALUE

    def is_obj(self, t):
        return t in self.classes

    def obj_types_ok(self, c):
        """Classes whose instances code in c may make and use."""
        if c.typed:
            return []
        if c.cls_limit is not None:
            return [k for k, v in self.classes.items()
                    if v.index < c.cls_limit and not k == "Ctx"]
        return [k for k in self.classes if k != "Ctx"]

    def readable(self, c, t):
        out = []
        for n, vt in c.vars.items():
            if n == "self" and c.cls_limit is not None:
                continue    # self is called only down the method order
            if vt == t or (self.is_obj(t) and self.is_obj(vt) and
                           self.subclass(vt, t)):
                out.append(n)
        for n, vt in self.consts.items():
            if vt == t and (n[0] == "T" or not c.typed):
                out.append(n)
        return out

    def subclass(self, a, b):
        k = self.classes.get(a)
        while k:
            if k.name == b:
                return True
            k = k.base
        return False

    # ---------------------------------------------------------------
    # literals
    def lit(self, t, c=None):
        r = self.r
        if t == "int":
            return str(r.choice(SMALL)) if r.random() < 0.9 else \
                "(%s)" % r.choice(BIG)
        if t == "float":
            f = r.choice(FLOATS)
            if f == "NAN" and c is not None and c.typed:
                return "float('nan')"
            return f
        if t == "str":
            pool = SAFE_STRS if (c is not None and c.fstr) else STRS
            return repr(r.choice(pool))
        if t == "bool":
            return r.choice(["True", "False"])
        if t == "none":
            return "None"
        if t in ("li", "lf", "ls"):
            n = r.randint(1, 4) if r.random() < 0.9 or (c and c.typed) else 0
            return "[%s]" % ", ".join(self.lit(ELEM[t], c) for _ in range(n))
        if t == "rows":
            n = r.randint(1, 3) if r.random() < 0.9 else 0
            return "[%s]" % ", ".join(self.lit("li", c) for _ in range(n))
        if t == "dsi":
            ks = r.sample(KEYS, r.randint(0, 3))
            return "{%s}" % ", ".join("%r: %s" % (k, self.lit("int"))
                                      for k in ks)
        if t == "set":
            n = r.randint(0, 3)
            if n == 0:
                return "set()"
            return "{%s}" % ", ".join(self.lit("int") for _ in range(n))
        if t == "tup":
            return "(%s, %s)" % (self.lit("int"), self.lit("str", c))
        if self.is_obj(t):
            return self.ctor(t, c, 0, exact=True)
        raise ValueError(t)

    def atom(self, t, c):
        vs = self.readable(c, t)
        if vs and self.chance(0.7):
            return self.pick(vs)
        if self.is_obj(t):
            return self.ctor(t, c, 0)
        return self.lit(t, c)

    def small(self, c):
        """A small int expression: indices, counts, shifts."""
        r = self.r
        x = r.random()
        if x < 0.75:
            return str(r.choice([0, 0, 0, 0, -1, -1, -1, 1, 2, -2, 5]))
        ints = self.readable(c, "int")
        if x < 0.92 and ints:
            return "(%s %% %d)" % (self.pick(ints), r.choice([2, 3]))
        lists = [n for t in ("li", "ls", "lf", "rows")
                 for n in self.readable(c, t)]
        if lists:
            return "(len(%s) - %d)" % (self.pick(lists), r.choice([1, 2]))
        return "1"

    # ---------------------------------------------------------------
    # expressions
    def ex(self, t, c, d=None):
        """An expression of type t; a number literal comes in parentheses
        so that a subscript, attribute or call can follow it."""
        e = self.ex1(t, c, d)
        if e[0] in "-.0123456789":
            return "(%s)" % e
        return e

    def ex1(self, t, c, d):
        if d is None:
            d = self.max_depth
        if d <= 0:
            return self.atom(t, c)
        if (self.chance(self.p_err) and not c.fstr and not c.typed and
                t in VALUE and not self.is_obj(t)):
            wrong = self.pick(["int", "str", "none", "li", "float"])
            if wrong != t:
                # not a bare constant: the compiler would warn about
                # subscripting one
                return "[%s][0]" % self.ex(wrong, c, d - 1)
        if self.is_obj(t):
            return self.ex_obj(t, c, d)
        s = self.choose(self.ttable(t) if c.typed else self.table(t), c, d,
                        t)
        return s if s is not None else self.atom(t, c)

    def ttable(self, t):
        """Productions for functions meant for the typed tier: the
        subset it translates."""
        A = lambda c, d: self.atom(t, c)  # noqa: E731
        e = lambda t, c, d: self.ex(t, c, d - 1)  # noqa: E731
        common = [(4, A), (1, lambda c, d: self.ifexp(t, c, d)),
                  (2, lambda c, d: self.call(t, c, d))]
        if t == "int":
            return common + [
                (3, self.int_arith), (1, self.int_muldiv),
                (1, self.int_pow), (1, self.int_unary),
                (2, self.int_len),
                (2, lambda c, d: self.subscript("int", c, d)),
                (1, lambda c, d: "abs(%s)" % e("int", c, d)),
                (1, lambda c, d: "%s(%s, %s)" % (
                    self.pick(["min", "max"]), e("int", c, d),
                    e("int", c, d))),
                (1, lambda c, d: "sum(%s)" % e("li", c, d)),
                (1, lambda c, d: "%s(%s)" % (self.pick(["min", "max"]),
                                             e("li", c, d))),
                (1, lambda c, d: "int(%s)" % e("float", c, d)),
                (1, lambda c, d: "round(%s)" % e("float", c, d)),
                (1, lambda c, d: "divmod(%s, %s)[%d]" % (
                    e("int", c, d), self.divisor(c), self.r.randint(0, 1))),
                (1, self.int_gen_typed)]
        if t == "float":
            return common + [
                (3, self.float_arith),
                (1, lambda c, d: "float(%s)" % e("int", c, d)),
                (1, lambda c, d: "abs(%s)" % e("float", c, d)),
                (1, lambda c, d: "sum(%s)" % e("lf", c, d)),
                (1, lambda c, d: "%s(%s, %s)" % (
                    self.pick(["min", "max"]), e("float", c, d),
                    e("float", c, d))),
                (1, lambda c, d: "(%s / %s)" % (e("int", c, d),
                                                e("int", c, d))),
                (1, lambda c, d: "math.sqrt(%s)" % e("float", c, d)),
                (1, lambda c, d: "%s(%s)" % (self.pick(["min", "max"]),
                                             e("lf", c, d))),
                (1, lambda c, d: "(%s ** %s)" % (e("int", c, d), self.pick(
                    ["-1", "-2"]))),
                (1, lambda c, d: self.subscript("float", c, d))]
        if t == "str":
            return common + [
                (2, self.str_concat), (1, self.str_repeat),
                (2, self.str_slice),
                (2, lambda c, d: "%s.%s()" % (e("str", c, d), self.pick(
                    ["upper", "lower", "strip"]))),
                (1, lambda c, d: "%s.replace(%s, %s)" % (
                    e("str", c, d), self.lit("str", c), e("str", c, d))),
                (1, lambda c, d: "str(%s)" % e(self.pick(["int", "float",
                                                          "bool"]), c, d)),
                (1, lambda c, d: self.subscript("str", c, d)),
                (1, lambda c, d: "%s.join(%s)" % (self.lit("str", c),
                                                  e("ls", c, d)))]
        if t == "bool":
            return common + [(4, self.compare), (1, self.chained),
                             (2, self.membership), (1, self.bool_not),
                             (1, lambda c, d: "(%s %s %s)" % (
                                 e("bool", c, d), self.pick(["and", "or"]),
                                 e("bool", c, d))),
                             (1, self.anyall)]
        if t in ("li", "lf", "ls"):
            return common + [
                (3, lambda c, d: "[%s]" % ", ".join(
                    e(ELEM[t], c, d) for _ in range(self.r.randint(1, 3)))),
                (3, lambda c, d: self.list_comp(t, c, d)),
                (1, lambda c, d: "sorted(%s)" % e(t, c, d)),
                (1, lambda c, d: "(%s + %s)" % (e(t, c, d), e(t, c, d))),
                (1, lambda c, d: "%s[%s:%s]" % (e(t, c, d), self.small(c),
                                                self.small(c))),
                (1, lambda c, d: "(%s * %s)" % (self.lit(t, c), self.pick(
                    ["0", "2", "-1"]))),
                (1, lambda c, d: "list(range(%s, %s))" % (
                    self.small(c), self.small(c)) if t == "li" else None)]
        return self.table(t)

    def int_gen_typed(self, c, d):
        it, var, et, bounded = self.iterable(c, d)
        saved = self.enter_comp(c, var, et, bounded)
        body = self.ex("int", c, d - 1)
        self.leave_comp(c, var, saved)
        return "%s(%s for %s in %s)" % (self.pick(["sum", "sum", "max"]), body,
                                        var, it)

    def anyall(self, c, d):
        it, var, et, bounded = self.iterable(c, d)
        saved = self.enter_comp(c, var, et, bounded)
        body = self.ex("bool", c, d - 1)
        self.leave_comp(c, var, saved)
        return "%s(%s for %s in %s)" % (self.pick(["any", "all"]), body, var,
                                       it)

    def table(self, t):
        A = lambda c, d: self.atom(t, c)  # noqa: E731
        common = [(4, A), (1, lambda c, d: self.ifexp(t, c, d)),
                  (2, lambda c, d: self.call(t, c, d)),
                  (1, lambda c, d: self.attr(t, c, d)),
                  (1, lambda c, d: self.lambda_call(t, c, d))]
        if t == "int":
            return common + [
                (3, self.int_arith), (1, self.int_muldiv),
                (1, self.int_pow), (1, self.int_unary),
                (1, lambda c, d: self.side("int", c, d)),
                (1, self.int_bits), (2, self.int_len),
                (2, lambda c, d: self.subscript("int", c, d)),
                (3, self.int_builtin), (1, lambda c, d: self.andor(t, c, d)),
                (1, self.int_gen)]
        if t == "float":
            return common + [
                (3, self.float_arith), (2, self.float_builtin),
                (1, lambda c, d: self.subscript("float", c, d)),
                (1, lambda c, d: self.andor(t, c, d))]
        if t == "str":
            return common + [
                (2, self.str_concat), (1, self.str_repeat),
                (2, self.str_slice), (3, self.str_method),
                (1, lambda c, d: self.side("str", c, d)),
                (2, self.str_conv), (3, self.fstring), (2, self.percent),
                (1, lambda c, d: self.subscript("str", c, d)),
                (1, lambda c, d: self.andor(t, c, d)), (1, self.str_join)]
        if t == "bool":
            return common + [(4, self.compare), (1, self.chained),
                             (2, self.membership), (1, self.bool_not),
                             (1, lambda c, d: self.andor(t, c, d)),
                             (2, self.bool_builtin)]
        if t == "none":
            return [(5, lambda c, d: "None"), (1, self.print_expr)]
        if t in ("li", "lf", "ls"):
            return common + [
                (3, lambda c, d: self.list_display(t, c, d)),
                (3, lambda c, d: self.list_comp(t, c, d)),
                (2, lambda c, d: self.list_builtin(t, c, d)),
                (1, lambda c, d: self.list_ops(t, c, d)),
                (1, lambda c, d: self.subscript(t, c, d))]
        if t == "rows":
            return common + [(2, lambda c, d: self.list_display(t, c, d)),
                             (3, self.rows_ops)]
        if t == "dsi":
            return common + [(3, self.dict_display), (2, self.dict_comp),
                             (2, self.dict_ops)]
        if t == "set":
            return common + [(3, self.set_display), (2, self.set_comp),
                             (2, self.set_ops)]
        if t == "tup":
            return [(1, self.tup)]
        raise ValueError(t)

    def tup(self, c, d):
        ts = [self.pick(self.vt(c)) for _ in range(self.r.randint(2, 3))]
        return "(%s)" % ", ".join(self.ex(x, c, d - 1) for x in ts)

    def side(self, t, c, d):
        """A side effect in the middle of an expression: the order of
        evaluation shows in LOG or in the output."""
        if c.pure or c.fstr:
            return None
        if self.chance(0.5):
            return "(LOG.append(%r) or %s)" % (self.name("s"),
                                               self.ex(t, c, d - 1))
        return "(print(%r, end=' ') or %s)" % (self.name("s"),
                                               self.ex(t, c, d - 1))

    def star(self, e):
        """*e in a call after other arguments, or in a set display."""
        if "star-message" in self.avoid:
            return "*list(%s)" % e
        return "*" + e

    def ifexp(self, t, c, d):
        return "(%s if %s else %s)" % (self.ex(t, c, d - 1),
                                       self.ex("bool", c, d - 1),
                                       self.ex(t, c, d - 1))

    def andor(self, t, c, d):
        return "(%s %s %s)" % (self.ex(t, c, d - 1), self.pick(["and", "or"]),
                               self.ex(t, c, d - 1))

    def print_expr(self, c, d):
        if c.fstr:
            return None
        return "print(%s)" % self.ex(self.printable(c), c, d - 1)

    def printable(self, c=None):
        if c is not None and c.typed:
            return self.pick(TYPED)
        return self.pick(["int", "float", "str", "bool", "li", "lf", "ls",
                          "rows", "dsi"])

    # ints
    def int_arith(self, c, d):
        a, b = self.ex("int", c, d - 1), self.ex("int", c, d - 1)
        if self.chance(0.1):
            b = self.pick(["True", "False"])
        return "(%s %s %s)" % (a, self.pick(["+", "-", "+", "-", "+", "-",
                                             "//", "%"]), b)

    def int_muldiv(self, c, d):
        a = self.ex("int", c, d - 1)
        op = self.pick(["*", "//", "%"])
        if op == "*":
            return "(%s * %s)" % (a, self.small(c)) if self.chance(0.5) \
                else "(%s * %s)" % (self.small(c), a)
        return "(%s %s %s)" % (a, op, self.divisor(c))

    def divisor(self, c):
        if self.chance(0.8):
            return self.pick(["2", "3", "(-3)", "7", "10", "(-1)"])
        return self.small(c)

    def int_pow(self, c, d):
        base = self.pick([self.small(c), self.lit("int"), "(%s %% 10)" %
                          self.ex("int", c, d - 1)])
        return "(%s ** %s)" % (base, self.pick(["0", "1", "2", "3"]))

    def int_unary(self, c, d):
        return "(%s%s)" % (self.pick(["-", "~", "+", "-"]),
                           self.ex("int", c, d - 1))

    def int_bits(self, c, d):
        if self.chance(0.4):
            return "(%s %s %s)" % (self.ex("int", c, d - 1),
                                   self.pick(["<<", ">>"]),
                                   self.pick(["0", "1", "3", "5", "-1", "63",
                                              "64", "100"]))
        return "(%s %s %s)" % (self.ex("int", c, d - 1),
                               self.pick(["&", "|", "^"]),
                               self.ex("int", c, d - 1))

    def int_len(self, c, d):
        t = self.pick(["li", "ls", "str", "lf"] +
                      ([] if c.typed else ["dsi", "set", "rows"]) +
                      [k for k in self.obj_types_ok(c)
                       if self.classes[k].has("len")])
        return "len(%s)" % self.ex(t, c, d - 1)

    def int_builtin(self, c, d):
        r = self.r
        x = r.randint(0, 16)
        e = lambda t: self.ex(t, c, d - 1)  # noqa: E731
        if x == 0:
            return "abs(%s)" % e("int")
        if x == 1:
            return "min(%s, %s)" % (e("int"), e("int"))
        if x == 2:
            return "max(%s, %s, %s)" % (e("int"), e("int"), e("int"))
        if x == 3:
            return "sum(%s)" % e("li")
        if x == 4:
            if self.chance(0.6):
                return "%s(%s, default=%s)" % (self.pick(["min", "max"]),
                                               e("li"), self.lit("int"))
            return "%s(%s)" % (self.pick(["min", "max"]), e("li"))
        if x == 5:
            return "max(%s, default=%s)" % (e("li"), e("int"))
        if x == 6:
            return "round(%s)" % e("float")
        if x == 7:
            return "int(%s)" % self.pick([e("float"), e("str"), e("bool")])
        if x == 8:
            return "divmod(%s, %s)[%d]" % (e("int"), self.small(c),
                                           r.randint(0, 1))
        if x == 9:
            return "pow(%s, %s, %s)" % (e("int"), self.pick("0123"),
                                        self.small(c))
        if x == 10:
            return "%s.count(%s)" % (e("li"), e("int"))
        if x == 11:
            return "%s.index(%s)" % (e("li"), e("int"))
        if x == 12:
            return "%s.%s(%s)" % (e("str"), self.pick(["find", "count",
                                                       "rfind"]), e("str"))
        if x == 13:
            return "%s.get(%s, %s)" % (e("dsi"), e("str"), e("int"))
        if x == 14:
            return "math.floor(%s)" % e("float")
        if x == 15:
            return "math.gcd(%s, %s)" % (e("int"), e("int"))
        return "len([%s for %s in %s if %s])" % self.comp_parts("int", c, d)

    def int_gen(self, c, d):
        it, var, et, bounded = self.iterable(c, d)
        saved = self.enter_comp(c, var, et, bounded)
        body = self.ex("int", c, d - 1)
        cond = self.ex("bool", c, d - 1) if self.chance(0.4) else None
        self.leave_comp(c, var, saved)
        g = "%s for %s in %s%s" % (body, var, it,
                                   " if %s" % cond if cond else "")
        f = self.pick(["sum", "min", "max", "sum"])
        if f != "sum" and self.chance(0.5):
            return "%s((%s), default=%s)" % (f, g, self.lit("int"))
        return "%s(%s)" % (f, g)

    # floats
    def float_arith(self, c, d):
        ta, tb = self.pick(["float", "float", "int"]), self.pick(["float",
                                                                  "int"])
        a, b = self.ex(ta, c, d - 1), self.ex(tb, c, d - 1)
        op = self.pick(["+", "-", "*", "/", "/", "//", "%", "**"])
        if op == "**":
            b = self.pick(["2", "0.5", "-1", "3", "2.0"])
        elif op == "/" and ta == "int" and tb == "int":
            pass
        return "(%s %s %s)" % (a, op, b)

    def float_builtin(self, c, d):
        x = self.r.randint(0, 11)
        e = lambda t: self.ex(t, c, d - 1)  # noqa: E731
        if x == 0:
            return "float(%s)" % e("int")
        if x == 1:
            return "float(%s)" % self.pick(["'1.5'", "'nan'", "'x'",
                                            "'-inf'", "'1e400'", e("str")])
        if x == 2:
            return "math.sqrt(%s)" % e("float")
        if x == 3:
            return "abs(%s)" % e("float")
        if x == 4:
            return "round(%s, %s)" % (e("float"), self.pick("0123"))
        if x == 5:
            return "sum(%s)" % e("lf")
        if x == 6:
            return "%s(%s, %s)" % (self.pick(["min", "max"]), e("float"),
                                   e("float"))
        if x == 7:
            return "sum(%s, %s)" % (e("lf"), e("float"))
        if x == 8:
            return "(%s / %s)" % (e("int"), e("int"))
        if x == 10:
            return "%s(%s)" % (self.pick(["min", "max"]), e("lf"))
        if x == 11:
            return "(%s ** %s)" % (e("int"), self.pick(["-1", "-2"]))
        return "math.fabs(%s)" % e("float")

    # strings
    def str_concat(self, c, d):
        return "(%s + %s)" % (self.ex("str", c, d - 1), self.ex("str", c,
                                                                 d - 1))

    def str_repeat(self, c, d):
        return "(%s * %s)" % (self.lit("str", c), self.pick(["0", "1", "2",
                                                              "3", "-1"]))

    def str_slice(self, c, d):
        s = self.ex("str", c, d - 1)
        x = self.r.randint(0, 4)
        if x == 0:
            return "%s[%s]" % (s, self.small(c))
        if x == 1:
            return "%s[%s:%s]" % (s, self.small(c), self.small(c))
        if x == 2:
            return "%s[::-1]" % s
        if x == 3:
            return "%s[%s::%s]" % (s, self.small(c),
                                   self.pick(["2", "-1", "-2", "0", "3"]))
        return "%s[:%s]" % (s, self.small(c))

    def str_method(self, c, d):
        s = self.ex("str", c, d - 1)
        x = self.r.randint(0, 9)
        if x < 3:
            return "%s.%s()" % (s, self.pick(["upper", "lower", "strip",
                                              "title", "swapcase",
                                              "capitalize", "lstrip"]))
        if x == 3:
            return "%s.replace(%s, %s)" % (s, self.lit("str", c),
                                           self.ex("str", c, d - 1))
        if x == 4:
            return "%s.%s(%s)" % (s, self.pick(["zfill", "ljust", "rjust"]),
                                  self.pick(["0", "3", "6", "-2"]))
        if x == 5:
            return "%s.center(%s, %r)" % (s, self.pick(["5", "8", "0"]),
                                          self.pick(["*", "-", " "]))
        if x == 6:
            return "%s.split(%s)[%s]" % (s, self.pick(["", "','", "' '",
                                                       "'a'"]),
                                         self.small(c))
        if x == 7:
            return "%s.strip(%r)" % (s, self.pick(["a", " -", "xz"]))
        if x == 8:
            return "'{}-{!r}'.format(%s, %s)" % (self.ex(self.printable(c), c,
                                                          d - 1),
                                                  self.ex("str", c, d - 1))
        return "%s.removeprefix(%s)" % (s, self.lit("str", c))

    def str_conv(self, c, d):
        t = self.printable(c)
        objs = self.obj_types_ok(c)
        if objs and self.chance(0.25):
            t = self.pick(objs)
        f = self.pick(["str", "repr", "str", "ascii"])
        if self.chance(0.2):
            return "format(%s, %r)" % (self.ex(t, c, d - 1),
                                       self.pick(self.specs(t)))
        if self.chance(0.1):
            return "type(%s).__name__" % self.ex(t, c, d - 1)
        if self.chance(0.1):
            return "chr(%s)" % self.pick(["65", "233", "-1", "1114112",
                                          self.ex("int", c, d - 1)])
        return "%s(%s)" % (f, self.ex(t, c, d - 1))

    def str_join(self, c, d):
        sep = self.lit("str", c)
        if self.chance(0.5):
            return "%s.join(%s)" % (sep, self.ex("ls", c, d - 1))
        it, var, et, bounded = self.iterable(c, d)
        saved = self.enter_comp(c, var, et, bounded)
        if et == "str":
            body = self.ex("str", c, d - 1)
        else:
            body = "str(%s)" % self.ex(et if self.chance(0.6) else "int", c,
                                       d - 1)
        self.leave_comp(c, var, saved)
        return "%s.join(%s for %s in %s)" % (sep, body, var, it)

    def specs(self, t):
        if t in ("int", "bool"):
            return ["", ">5", "<4", "^7", "05d", "+d", ",", "x", "X", "o",
                    "b", "#x", ".2f", "e", "_", "=+8", "c", "08.3f", "s"]
        if t == "float":
            return ["", ".2f", ".3e", "g", ".1%", ">10.3f", "+.1f", ",.2f",
                    "e", "08.3f", "d", ".0f", "n", "^9.2g"]
        if t == "str":
            return ["", ">6", "<6", "^6", "*^9", ".2", "s", "d", "=5"]
        return ["", ">5", "s"]

    def fstring(self, c, d):
        parts = []
        old = c.fstr
        c.fstr = True
        for _ in range(self.r.randint(1, 3)):
            if self.chance(0.5):
                parts.append(self.pick(["v=", " ", "|", "x:", "(", ")",
                                        "\u00b7", "{{", "}}", "%"]))
            t = self.pick(["int", "float", "str", "bool", "li", "dsi"] +
                          self.obj_types_ok(c)[:2])
            e = self.fexpr(t, c)
            conv = self.pick(["", "", "", "!r", "!s", "!a"])
            spec = ""
            if self.chance(0.5):
                specs = self.specs("str" if conv else t)
                if "fstring-eq" in self.avoid:
                    specs = [x for x in specs if not x.startswith("=")]
                spec = ":" + self.pick(specs)
            parts.append("{%s%s%s}" % (e, conv, spec))
        c.fstr = old
        return 'f"%s"' % "".join(parts)

    def fexpr(self, t, c):
        """A short expression that can sit inside an f-string."""
        e = self.fexpr1(t, c)
        return "(%s)" % e if e.startswith("{") else e

    def fexpr1(self, t, c):
        vs = self.readable(c, t)
        x = self.r.random()
        if vs and x < 0.6:
            v = self.pick(vs)
            if t in ("li", "ls") and self.chance(0.3):
                return "len(%s)" % v
            return v
        if x < 0.75:
            a = self.attr(t, c, 1)
            if a:
                return a
        if t in ("int", "float") and x < 0.9:
            return "%s + %s" % (self.atom(t, c), self.atom("int", c))
        return self.atom(t, c)

    def percent(self, c, d):
        codes = {"int": ["%d", "%i", "%5d", "%-3d", "%x", "%o", "%+d",
                         "%s", "%r", "%05d", "%c", "%.2f"],
                 "float": ["%.2f", "%e", "%g", "%5.1f", "%d", "%s", "%r",
                           "%.0f"],
                 "str": ["%s", "%r", "%.2s", "%-6s", "%5s", "%d"],
                 "li": ["%s", "%r"], "bool": ["%s", "%d", "%r"]}
        if self.chance(0.2):
            ks = self.r.sample(KEYS, 2)
            ts = [self.pick(["int", "str", "float"]) for _ in ks]
            fmt = " ".join("%%(%s)%s" % (k, self.pick(codes[t])[1:])
                           for k, t in zip(ks, ts))
            return "(%r %% {%s})" % (fmt, ", ".join(
                "%r: %s" % (k, self.ex(t, c, d - 1)) for k, t in zip(ks, ts)))
        ts = [self.pick(list(codes)) for _ in range(self.r.randint(1, 3))]
        fmt = self.pick(["", "<", "%% "]).join(self.pick(codes[t]) for t in ts)
        if self.chance(0.05):
            ts.append("int")
        args = [self.ex(t, c, d - 1) for t in ts]
        if len(args) == 1 and ts[0] not in ("li",) and self.chance(0.5):
            return "(%r %% %s)" % (fmt, args[0])
        return "(%r %% (%s,))" % (fmt, ", ".join(args))

    # bools
    def compare(self, c, d):
        t = self.pick(["int", "int", "float", "str", "li", "bool"] +
                      (["dsi", "set", "rows"] if not c.typed else ["lf"]) +
                      self.obj_types_ok(c))
        ops = ["==", "!="]
        if t in ("int", "float", "str", "li", "bool", "set", "rows"):
            ops += ["<", "<=", ">", ">="]
        if self.is_obj(t) and self.classes[t].has("lt"):
            ops += ["<", ">"]
        t2 = t
        if t in ("int", "float") and self.chance(0.3):
            t2 = self.pick(["int", "float"] + ([] if c.typed else ["bool"]))
        if self.chance(0.05) and not c.typed:
            t2 = self.pick(self.vt(c))
        if c.typed and t in ("bool", "li", "lf"):
            ops = ["==", "!="] if t == "bool" else ops
        op = self.pick(ops)
        if self.chance(0.1) and not c.typed:
            vs = [n for n in c.vars]
            if vs:
                return "(%s %s None)" % (self.pick(vs),
                                         self.pick(["is", "is not"]))
        return "(%s %s %s)" % (self.ex(t, c, d - 1), op, self.ex(t2, c, d - 1))

    def chained(self, c, d):
        t = self.pick(["int", "float", "str", "int"])
        n = self.r.randint(3, 4)
        items = [self.ex(t, c, d - 1) for _ in range(n)]
        out = items[0]
        for x in items[1:]:
            out += " %s %s" % (self.pick(["<", "<=", "==", "!=", ">", ">="]),
                               x)
        return "(%s)" % out

    def membership(self, c, d):
        x = self.r.randint(0, 4)
        if c.typed and x in (2, 3):
            x = 0
        op = self.pick(["in", "not in"])
        if x == 0:
            return "(%s %s %s)" % (self.ex("int", c, d - 1), op,
                                   self.ex("li", c, d - 1))
        if x == 1:
            return "(%s %s %s)" % (self.ex("str", c, d - 1), op,
                                   self.ex("str", c, d - 1))
        if x == 2:
            return "(%s %s %s)" % (self.ex("str", c, d - 1), op,
                                   self.ex("dsi", c, d - 1))
        if x == 3:
            return "(%s %s %s)" % (self.ex("int", c, d - 1), op,
                                   self.ex("set", c, d - 1))
        objs = [k for k in self.obj_types_ok(c)
                if self.classes[k].has("iter")]
        if objs and self.chance(0.3):
            return "(%s %s %s)" % (self.ex("int", c, d - 1), op,
                                   self.ex(self.pick(objs), c, d - 1))
        return "(%s %s %s)" % (self.ex("float", c, d - 1), op,
                               self.ex("lf", c, d - 1))

    def bool_not(self, c, d):
        return "(not %s)" % self.ex(self.pick(self.vt(c)), c, d - 1)

    def bool_builtin(self, c, d):
        x = self.r.randint(0, 9)
        e = lambda t: self.ex(t, c, d - 1)  # noqa: E731
        if x == 0:
            objs = self.obj_types_ok(c)
            t = self.pick(self.vt(c) + objs)
            return "bool(%s)" % e(t)
        if x == 1:
            objs = self.obj_types_ok(c)
            if objs:
                return "isinstance(%s, %s)" % (e(self.pick(objs)),
                                               self.pick(objs))
            return "isinstance(%s, (int, float))" % e(self.pick(self.vt(c)))
        if x in (2, 3):
            it, var, et, bounded = self.iterable(c, d)
            saved = self.enter_comp(c, var, et, bounded)
            body = self.ex("bool", c, d - 1) if self.chance(0.7) else \
                self.ex(et, c, d - 1)
            self.leave_comp(c, var, saved)
            return "%s(%s for %s in %s)" % (self.pick(["any", "all"]), body,
                                           var, it)
        if x == 4:
            return "%s.%s(%s)" % (e("str"), self.pick(["startswith",
                                                       "endswith"]), e("str"))
        if x == 5:
            return "%s.%s()" % (e("str"), self.pick(["isdigit", "isalpha",
                                                     "isupper", "isspace"]))
        if x == 6:
            return "math.isnan(%s)" % e("float")
        if x == 7:
            objs = self.obj_types_ok(c)
            if not objs:
                return None
            k = self.pick(objs)
            return "hasattr(%s, %r)" % (e(k), self.pick(
                [a for a, _ in self.classes[k].all_attrs()] + ["nope"]))
        if x == 8:
            return "math.isfinite(%s)" % e("float")
        return "callable(%s)" % e(self.pick(self.vt(c)))

    # lists
    def list_display(self, t, c, d):
        el = ELEM[t]
        items = []
        for _ in range(self.r.randint(0, 4)):
            if self.chance(0.15):
                items.append("*" + self.ex(t, c, d - 1))
            else:
                items.append(self.ex(el, c, d - 1))
        return "[%s]" % ", ".join(items)

    def list_comp(self, t, c, d):
        el = ELEM[t]
        body, var, it, cond = self.comp_parts(el, c, d)
        s = "[%s for %s in %s%s]" % (body, var, it,
                                     " if %s" % cond if cond != "True" else "")
        return s

    def comp_parts(self, el, c, d):
        it, var, et, bounded = self.iterable(c, d)
        saved = self.enter_comp(c, var, et, bounded)
        if self.chance(0.4) and et == el:
            body = var
        else:
            body = self.ex(el, c, d - 1)
        cond = self.ex("bool", c, d - 1) if self.chance(0.5) else "True"
        self.leave_comp(c, var, saved)
        return body, var, it, cond

    def iterable(self, c, d):
        """(source, variable, element type, bounded)."""
        r = self.r
        x = r.randint(0, 7)
        if c.typed and x in (4, 5):
            x = 2
        var = self.name("x")
        if x == 0:
            return "range(%s)" % self.pick(["3", "4", "5", "0", "-1"]), var, \
                "int", True
        if x == 1:
            return "range(%s, %s)" % (self.small(c), self.small(c)), var, \
                "int", True
        if x == 2:
            t = self.pick(["li", "lf", "ls"] + ([] if c.typed else ["rows"]))
            return "%s[:%d]" % (self.ex(t, c, d - 1), r.randint(2, 5)), var, \
                ELEM[t], True
        if x == 3:
            return self.ex("str", c, 0), var, "str", False
        if x == 4:
            return "sorted(%s)" % self.ex("set", c, d - 1), var, "int", False
        if x == 5:
            return self.ex("dsi", c, 1), var, "str", False
        t = self.pick(["li", "lf", "ls", "li"] + ([] if c.typed else
                                                  ["rows"]))
        return self.ex(t, c, 1), var, ELEM[t], False

    def enter_comp(self, c, var, et, bounded):
        saved = (c.mult, c.pure, c.vars.get(var))
        c.vars[var] = et
        c.mult *= 5
        if not bounded:
            c.pure = True
        return saved

    def leave_comp(self, c, var, saved):
        c.mult, c.pure, old = saved
        if old is None:
            c.vars.pop(var, None)
        else:
            c.vars[var] = old

    def list_builtin(self, t, c, d):
        x = self.r.randint(0, 11)
        e = lambda t: self.ex(t, c, d - 1)  # noqa: E731
        if x == 9:
            key = {"li": ["abs", "str", "float", "lambda q: -q"],
                   "lf": ["abs", "str", "int", "math.floor"],
                   "ls": ["str.lower", "len", "str.strip"]}[t]
            return "sorted(%s, key=%s)" % (e(t), self.pick(key))
        if x == 10:
            v = self.name("x")
            fn = {"li": "str", "lf": "str", "ls": "str.upper"}[t]
            if t != "ls":
                return "[%s for %s in map(%s, %s) if %s]" % (
                    "int(%s)" % v if t == "li" else "float(%s)" % v, v,
                    fn, e(t), self.ex("bool", c, 0))
            return "list(map(%s, %s))" % (fn, e(t))
        if x == 11 and t == "li":
            v = self.name("x")
            return "[f() for f in [lambda %s=%s: %s * 2 for %s in %s]]" % (
                v, v, v, v, self.pick(["range(3)", "%s[:3]" % e(t)]))
        if x == 11:
            v, w = self.name("x"), self.name("x")
            return "[%s for %s, %s in zip(%s, %s%s)]" % (
                v, v, w, e(t), e(t), self.pick(["", ", strict=True"]))
        if x == 0:
            return "sorted(%s, reverse=%s)" % (e(t), self.pick(["True",
                                                                "False"]))
        if x == 1:
            lam = self.lam(ELEM[t], self.pick(["int", "str", "float"]), c, d)
            return "sorted(%s, key=%s)" % (e(t), lam)
        if x == 2:
            return "list(reversed(%s))" % e(t)
        if x == 3 and t == "li":
            return "list(range(%s, %s, %s))" % (self.small(c), self.small(c),
                                                self.pick(["1", "2", "-1",
                                                           "0", "3"]))
        if x == 4:
            lam = self.lam(ELEM[t], ELEM[t], c, d)
            return "list(map(%s, %s))" % (lam, e(t))
        if x == 5:
            lam = self.lam(ELEM[t], "bool", c, d)
            return "list(filter(%s, %s))" % (lam, e(t))
        if x == 6 and t == "ls":
            return "%s.split(%s)" % (e("str"), self.pick(["", "','", "' '"]))
        if x == 6 and t == "li":
            objs = [k for k in self.obj_types_ok(c)
                    if self.classes[k].has("iter")]
            if objs:
                return "list(%s)" % e(self.pick(objs))
        if x == 7 and t == "ls":
            return self.pick(["list(%s)", "sorted(%s)"]) % e("dsi")
        if x == 7 and t == "li":
            return "list(%s.values())" % e("dsi")
        if x == 8 and t == "li":
            return "[f() for f in [lambda: %s for %s in range(3)]]" % (
                self.late_var(c), self.late_name)
        if x == 8:
            body, var, it, cond = self.comp_parts(ELEM[t], c, d)
            return "sorted((%s for %s in %s if %s), reverse=%s)" % (
                body, var, it, cond, self.pick(["True", "False"]))
        return "%s.copy()" % e(t)

    def late_var(self, c):
        self.late_name = self.name("x")
        return "%s * %s" % (self.late_name, self.small(c))

    def list_ops(self, t, c, d):
        x = self.r.randint(0, 4)
        if x == 0:
            return "(%s + %s)" % (self.ex(t, c, d - 1), self.ex(t, c, d - 1))
        if x == 1:
            return "%s[%s:%s]" % (self.ex(t, c, d - 1), self.small(c),
                                  self.small(c))
        if x == 2:
            return "%s[::%s]" % (self.ex(t, c, d - 1), self.pick(["-1", "2",
                                                                  "-2"]))
        if x == 3:
            return "(%s * %s)" % (self.lit(t, c), self.pick(["0", "2", "3",
                                                             "-1"]))
        return "[*%s, *%s]" % (self.ex(t, c, d - 1), self.ex(t, c, d - 1))

    def rows_ops(self, c, d):
        x = self.r.randint(0, 7)
        rows = self.ex("rows", c, d - 1)
        if x == 0:
            v = self.name("r")
            return "[%s for %s in %s if sum(%s) > %s]" % (
                v, v, rows, v, self.lit("int"))
        if x == 1:
            return "%s[:]" % rows
        if x == 2:
            return "sorted(%s)" % rows
        if x == 3:
            return "(%s + %s)" % (rows, self.ex("rows", c, d - 1))
        if x == 4:
            v = self.name("r")
            return "[%s for %s in %s]" % (v, v, rows)
        if x == 5:
            v, w = self.name("r"), self.name("x")
            return "[[%s * 2 for %s in %s] for %s in %s]" % (w, w, v, v, rows)
        if x == 6:
            li = self.ex("li", c, d - 1)
            return "[%s, %s]" % (li, li) if li.isidentifier() else \
                "list(%s)" % rows
        return "sorted(%s, key=len)" % rows

    # dicts and sets
    def dict_display(self, c, d):
        items = []
        for _ in range(self.r.randint(0, 3)):
            if self.chance(0.2):
                items.append("**" + self.ex("dsi", c, d - 1))
            else:
                k = repr(self.pick(KEYS)) if self.chance(0.7) else \
                    self.ex("str", c, d - 1)
                items.append("%s: %s" % (k, self.ex("int", c, d - 1)))
        return "{%s}" % ", ".join(items)

    def dict_comp(self, c, d):
        if self.chance(0.5):
            k, v = self.name("k"), self.name("x")
            src = self.ex("dsi", c, 1)
            saved = (dict(c.vars), c.pure)
            c.vars[k], c.vars[v] = "str", "int"
            c.pure = True
            val = self.ex("int", c, d - 1)
            cond = self.ex("bool", c, d - 1)
            c.vars, c.pure = saved
            return "{%s: %s for %s, %s in %s.items() if %s}" % (
                k, val, k, v, src, cond)
        it, var, et, bounded = self.iterable(c, d)
        saved = self.enter_comp(c, var, et, bounded)
        key = var if et == "str" else "str(%s)" % var
        val = self.ex("int", c, d - 1)
        self.leave_comp(c, var, saved)
        return "{%s: %s for %s in %s}" % (key, val, var, it)

    def dict_ops(self, c, d):
        x = self.r.randint(0, 4)
        e = lambda t: self.ex(t, c, d - 1)  # noqa: E731
        if x == 0:
            return "dict(zip(%s, %s))" % (e("ls"), e("li"))
        if x == 1:
            return "dict(%s)" % e("dsi")
        if x == 2:
            return "(%s | %s)" % (e("dsi"), e("dsi"))
        if x == 3:
            return "dict.fromkeys(%s, %s)" % (e("ls"), e("int"))
        return "%s.copy()" % e("dsi")

    def set_display(self, c, d):
        items = []
        for _ in range(self.r.randint(1, 4)):
            if self.chance(0.2):
                items.append(self.star(self.ex("li", c, d - 1)))
            else:
                items.append(self.ex("int", c, d - 1))
        return "{%s}" % ", ".join(items)

    def set_comp(self, c, d):
        body, var, it, cond = self.comp_parts("int", c, d)
        return "{%s for %s in %s if %s}" % (body, var, it, cond)

    def set_ops(self, c, d):
        if self.chance(0.3):
            return "set(%s)" % self.ex("li", c, d - 1)
        return "(%s %s %s)" % (self.ex("set", c, d - 1),
                               self.pick(["|", "&", "-", "^"]),
                               self.ex("set", c, d - 1))

    # subscripts, attributes, calls, lambdas
    def subscript(self, t, c, d):
        e = lambda t: self.ex(t, c, d - 1)  # noqa: E731
        if t == "int":
            x = self.r.randint(0, 3)
            if c.typed and x in (1, 2):
                x = 0
            if x == 0:
                return "%s[%s]" % (e("li"), self.small(c))
            if x == 1:
                return "%s[%s][%s]" % (e("rows"), self.small(c),
                                       self.small(c))
            if x == 2:
                k = repr(self.pick(KEYS)) if self.chance(0.7) else e("str")
                return "%s[%s]" % (e("dsi"), k)
            return "sorted(%s)[%s]" % (e("li"), self.small(c))
        if t == "float":
            return "%s[%s]" % (e("lf"), self.small(c))
        if t == "str":
            if self.chance(0.5):
                return "%s[%s]" % (e("ls"), self.small(c))
            return "list(%s)[%s]" % (e("dsi"), self.small(c))
        if t == "li":
            return "%s[%s]" % (e("rows"), self.small(c))
        return None

    def attr(self, t, c, d):
        cands = []
        for n, vt in c.vars.items():
            k = self.classes.get(vt)
            if not k:
                continue
            for a, at in k.all_attrs():
                if at == t:
                    cands.append("%s.%s" % (n, a))
            for p, pt in k.all_props().items():
                if pt == t:
                    cands.append("%s.%s" % (n, p))
            if t == "str" and k.name != "Ctx":
                cands.append("%s.TAG" % n)
        if not cands:
            return None
        return self.pick(cands)

    def lam(self, pt, rt, c, d):
        """A lambda of one parameter; its body may read the enclosing
        variables (a closure) but calls no user code."""
        p = self.name("q")
        saved = (dict(c.vars), c.pure, c.fstr)
        c.vars[p] = pt
        c.pure = True
        body = self.ex(rt, c, max(1, d - 1))
        c.vars, c.pure, c.fstr = saved
        return "lambda %s: %s" % (p, body)

    def lambda_call(self, t, c, d):
        if c.fstr or d < 2:
            return None
        p, q = self.name("q"), self.name("q")
        pt = self.pick(["int", "str", "float", "li"])
        saved = (dict(c.vars), c.pure)
        c.vars[p] = pt
        c.vars[q] = "int"
        c.pure = True
        body = self.ex(t, c, d - 1)
        c.vars, c.pure = saved
        args = self.ex(pt, c, d - 1)
        if self.chance(0.5):
            args += ", %s=%s" % (q, self.ex("int", c, d - 1))
        return "(lambda %s, %s=%s: %s)(%s)" % (p, q, self.lit("int"), body,
                                               args)

    def callables(self, t, c):
        """(expression prefix, Sig) of what code in c may call, returning
        t."""
        out = []
        if c.pure or c.fstr:
            return out
        for f in self.funcs:
            if f.index < c.level and f.rt == t and (f.typed or
                                                    not c.typed):
                out.append((f.name, f))
        for f in c.inner:
            if f.rt == t:
                out.append((f.name, f))
        for k in self.obj_types_ok(c):
            kl = self.classes[k]
            for m, s in kl.all_methods().items():
                if s.rt == t:
                    out.append((None, s, k))
            for m, s in list(kl.statics.items()) + list(kl.classms.items()):
                if s.rt == t:
                    out.append(("%s.%s" % (k, m), s))
        if c.cls is not None and "self" in c.vars:
            for m, s in c.cls.all_methods().items():
                if s.rt == t and s.index < c.method_index:
                    out.append(("self.%s" % m, s))
        return [o if len(o) == 3 else (o[0], o[1], None) for o in out]

    def call(self, t, c, d):
        cands = self.callables(t, c)
        cands = [x for x in cands
                 if c.cost + c.mult * self.cost_of(x[1]) <= BUDGET]
        if not cands:
            return None
        prefix, sig, k = self.pick(cands)
        c.cost += c.mult * self.cost_of(sig)
        c.calls.add(sig.name.split(".")[-1] if sig.kind == "method" else
                    sig.name)
        if prefix is None:
            m = [n for n, s in self.classes[k].all_methods().items()
                 if s is sig][0]
            prefix = "%s.%s" % (self.ex(k, c, d - 1), m)
        return "%s(%s)" % (prefix, self.args(sig, c, d))

    def cost_of(self, sig):
        if sig.kind == "method":
            # the dearest override a subclass may have
            m = sig.name.split(".")[-1]
            return max([sig.cost] + [kl.methods[m].cost
                                     for kl in self.classes.values()
                                     if m in kl.methods])
        return sig.cost

    def args(self, sig, c, d):
        r = self.r
        if c.typed:
            return ", ".join(self.ex(p[1], c, d - 1) for p in sig.params
                             if p[2] is None)
        pos = [p for p in sig.params]
        nreq = sum(1 for p in pos if p[2] is None)
        k = r.randint(nreq, len(pos))
        missing = None
        if nreq and self.chance(0.03):
            k = nreq - 1
            missing = pos[k][0]         # a missing argument
        out = []
        given = [self.ex(p[1], c, d - 1) for p in pos[:k]]
        if given and self.chance(0.12):
            cut = r.randint(0, len(given) - 1)
            out += given[:cut] + ["*[%s]" % ", ".join(given[cut:])]
        else:
            out += given
        if sig.star and k == len(pos):
            for _ in range(r.randint(0, 2)):
                out.append(self.ex("int", c, d - 1))
            if self.chance(0.2):
                out.append(self.star(self.ex("li", c, d - 1)))
        kws = []
        for p in pos[k:]:
            if p[0] == missing:
                continue
            if p[2] is None or self.chance(0.5):
                kws.append("%s=%s" % (p[0], self.ex(p[1], c, d - 1)))
        for p in sig.kwonly:
            if p[2] is None or self.chance(0.5):
                kws.append("%s=%s" % (p[0], self.ex(p[1], c, d - 1)))
        r.shuffle(kws)
        if sig.kw:
            for _ in range(r.randint(0, 2)):
                kws.append("%s=%s" % (self.pick(["z1", "zeta", "w"]),
                                      self.ex("int", c, d - 1)))
            if self.chance(0.3):
                kws.append("**%s" % self.ex("dsi", c, d - 1))
        elif self.chance(0.02):
            kws.append("bogus=1")
        # binding errors, each with its exact message
        if k and self.chance(0.02):
            kws.append("%s=%s" % (pos[0][0], self.ex(pos[0][1], c, 0)))
        if not sig.star and self.chance(0.02):
            out.append(self.lit("int"))
        if kws and self.chance(0.1) and not sig.kw:
            kws = ["**{%s}" % ", ".join("%r: %s" % tuple(kw.split("=", 1))
                                        for kw in kws
                                        if not kw.startswith("*"))]
            if kws == ["**{}"]:
                kws = []
        # duplicate keyword names would be a SyntaxError
        seen, uniq = set(), []
        for kw in kws:
            n = kw.split("=", 1)[0]
            if n in seen and not n.startswith("*"):
                continue
            seen.add(n)
            uniq.append(kw)
        return ", ".join(out + uniq)

    # objects
    def ctor(self, t, c, d, exact=False):
        fam = [k for k in self.classes[t].family()
               if c is None or k.name in self.obj_types_ok(c)] or \
            [self.classes[t]]
        k = fam[0] if exact else self.pick(fam)
        if d > 0 and k.classms and self.chance(0.2):
            m, s = self.pick(k.classms.items())
            return "%s.%s(%s)" % (k.name, m, self.args(s, c, d))
        if c is None or d <= 0:
            args = ", ".join(self.lit(p[1], c) for p in k.init.params
                             if p[2] is None)
            return "%s(%s)" % (k.name, args)
        return "%s(%s)" % (k.name, self.args(k.init, c, d))

    def ex_obj(self, t, c, d):
        vs = self.readable(c, t)
        if vs and self.chance(0.6):
            return self.pick(vs)
        if c.fstr:
            return self.ctor(t, c, 0)
        return self.ctor(t, c, d - 1)

    # ---------------------------------------------------------------
    # statements
    def block(self, c, ind, n, last=None):
        saved_vars, saved_block, saved_inner = dict(c.vars), c.block, \
            list(c.inner)
        c.block = set()
        c.depth += 1
        lines = []
        for i in range(n):
            lines += self.stmt(c, ind)
        if last:
            lines += last(c, ind)
        c.depth -= 1
        c.vars, c.block, c.inner = saved_vars, saved_block, saved_inner
        return lines or [ind + "pass"]

    def stmt(self, c, ind):
        deep = c.depth >= 3
        if c.typed:
            table = [(6, self.s_assign), (3, self.s_reassign),
                     (3, self.s_aug), (3, self.s_mutate)]
            if not deep:
                table += [(3, self.s_if), (3, self.s_for), (1, self.s_while)]
            return self.choose_stmt(table, c, ind)
        table = [(6, self.s_assign), (3, self.s_reassign),
                 (3, self.s_aug), (3, self.s_print), (2, self.s_expr_call),
                 (1, self.s_chain), (1, self.s_swap)]
        if not c.pure:
            table += [(4, self.s_mutate), (2, self.s_attr),
                      (1, self.s_unpack), (1, self.s_walrus_comp),
                      (1, self.s_del)]
            if c.globals:
                table.append((2, self.s_global))
        if not deep:
            table += [(3, self.s_if), (2, self.s_for), (1, self.s_while),
                      (2, self.s_try), (1, self.s_walrus_if)]
            if not c.pure and not c.typed:
                table += [(1, self.s_with)]
                if c.kind in ("func", "method", "scenario"):
                    table.append((1, self.s_inner))
        table += [(1, self.s_raise), (1, self.s_assert)]
        return self.choose_stmt(table, c, ind)

    def choose_stmt(self, table, c, ind):
        for _ in range(10):
            total = sum(w for w, _ in table)
            x = self.r.random() * total
            for w, f in table:
                x -= w
                if x <= 0:
                    break
            out = f(c, ind)
            if out is not None:
                return out
        return [ind + "pass"]

    def gen_type(self, c):
        objs = self.obj_types_ok(c)
        return self.pick(self.vt(c) + VALUE[:4] + objs)

    def define(self, c, name, t):
        c.vars[name] = t
        c.writable.add(name)
        c.block.add(name)

    def s_assign(self, c, ind):
        t = self.gen_type(c)
        v = self.name()
        e = self.ex(t, c)
        self.define(c, v, t)
        ann = ": %s" % ANN[t] if t in ANN and self.chance(0.1) else ""
        return [ind + "%s%s = %s" % (v, ann, e)]

    def s_chain(self, c, ind):
        """a = b = value, or a target that is a subscript."""
        t = self.gen_type(c)
        a, b = self.name(), self.name()
        e = self.ex(t, c, 2)
        lists = self.readable(c, "li") if t == "int" and not c.pure else []
        self.define(c, a, t)
        if lists and self.chance(0.4):
            return [ind + "%s = %s[%s] = %s" % (a, self.pick(lists),
                                                self.small(c), e)]
        self.define(c, b, t)
        return [ind + "%s = %s = %s" % (a, b, e)]

    def s_swap(self, c, ind):
        vs = self.writable(c)
        pairs = [(x, y) for x in vs for y in vs if x < y and
                 c.vars[x] == c.vars[y]]
        if not pairs:
            return None
        x, y = self.pick(pairs)
        return [ind + "%s, %s = %s, %s" % (x, y, y, x)]

    def read_unbound(self, c, ind, name):
        """Read a name that del or the end of an except clause unbound."""
        e = self.name("e")
        return [ind + "try:",
                ind + "    print(%s)" % name,
                ind + "except NameError as %s:" % e,
                ind + "    print(type(%s).__name__, %s)" % (e, e)]

    def writable(self, c, types=None):
        return [n for n, t in c.vars.items() if n in c.writable and
                (types is None or t in types)]

    def s_reassign(self, c, ind):
        vs = self.writable(c)
        if not vs:
            return None
        v = self.pick(vs)
        return [ind + "%s = %s" % (v, self.ex(c.vars[v], c))]

    def s_aug(self, c, ind):
        vs = self.writable(c, ["int", "float", "str", "li", "set", "dsi",
                               "lf", "ls"])
        if not vs:
            return None
        v = self.pick(vs)
        t = c.vars[v]
        if t == "int":
            op = self.pick(["+=", "-=", "//=", "%=", "|=", "^="])
            return [ind + "%s %s %s" % (v, op, self.ex("int", c, 2)),
                    ] if op in ("+=", "-=", "|=", "^=") else \
                [ind + "%s %s %s" % (v, op, self.small(c))]
        if t == "float":
            return [ind + "%s %s %s" % (v, self.pick(["+=", "-=", "*=", "/="]),
                                        self.ex(self.pick(["float", "int"]),
                                                c, 2))]
        if t == "str":
            return [ind + "%s += %s" % (v, self.ex("str", c, 2))]
        if t == "set":
            return [ind + "%s %s %s" % (v, self.pick(["|=", "&=", "-="]),
                                        self.ex("set", c, 2))]
        if t == "dsi":
            return [ind + "%s |= %s" % (v, self.ex("dsi", c, 2))]
        if c.pure or c.typed:
            return None
        return [ind + "%s += %s" % (v, self.ex(t, c, 2))]

    def s_print(self, c, ind):
        args = [self.ex(self.printable(c), c, 2)
                for _ in range(self.r.randint(0, 3))]
        kw = []
        if self.chance(0.2):
            kw.append("sep=%r" % self.pick(["", ", ", "|"]))
        if self.chance(0.2):
            kw.append("end=%r" % self.pick(["", "!\n", " "]))
        if self.chance(0.05):
            kw.append("file=sys.stderr")
        if self.chance(0.15):
            star = self.star(self.ex(self.pick(["li", "ls", "lf"]), c, 2))
            if "star-message" in self.avoid:
                args.insert(0, star)    # print(a, *f()) is not translated
            else:
                args.append(star)
        return [ind + "print(%s)" % ", ".join(args + kw)]

    def s_expr_call(self, c, ind):
        t = self.pick(self.vt(c) + ["none"])
        e = self.call(t, c, 2)
        if e is None:
            return None
        return [ind + e]

    def mutable_targets(self, c, t):
        """Names of containers of type t that may be changed: locals,
        parameters, globals (changing a global list needs no global)."""
        return self.readable(c, t)

    def s_mutate(self, c, ind):
        t = self.pick(["li", "li", "lf", "ls"] +
                      ([] if c.typed else ["rows", "dsi", "set"]))
        vs = self.mutable_targets(c, t)
        if not vs:
            return None
        v = self.pick(vs)
        r = self.r
        e = lambda t: self.ex(t, c, 2)  # noqa: E731
        if t == "dsi":
            x = r.randint(0, 6)
            k = repr(self.pick(KEYS)) if self.chance(0.7) else e("str")
            if x == 0:
                return [ind + "%s[%s] = %s" % (v, k, e("int"))]
            if x == 1:
                return [ind + "%s[%s] += %s" % (v, k, e("int"))]
            if x == 2:
                return [ind + "%s.setdefault(%s, %s)" % (v, k, e("int"))]
            if x == 3:
                return [ind + "%s.update(%s)" % (v, e("dsi"))]
            if x == 4:
                return [ind + "%s.pop(%s%s)" % (
                    v, k, ", %s" % e("int") if self.chance(0.5) else "")]
            if x == 5:
                return [ind + "del %s[%s]" % (v, k)]
            return [ind + "%s.update(%s=%s)" % (v, self.pick(KEYS),
                                                e("int"))]
        if t == "set":
            return [ind + "%s.%s(%s)" % (v, self.pick(["add", "discard",
                                                       "remove"]),
                                         e("int"))]
        el = ELEM[t]
        x = r.randint(0, 12)
        if c.typed and x in (8, 9, 11):
            x = 0
        if x <= 2:
            return [ind + "%s.append(%s)" % (v, e(el))]
        if x == 3:
            return [ind + "%s.extend(%s)" % (v, e(t))]
        if x == 4:
            return [ind + "%s.insert(%s, %s)" % (v, self.small(c), e(el))]
        if x == 5:
            return [ind + "if %s:" % v,
                    ind + "    %s.pop(%s)" % (v, self.small(c) if
                                              self.chance(0.5) else "")]
        if x == 6:
            return [ind + "%s[%s] = %s" % (v, self.small(c), e(el))]
        if x == 7 and el in ("int", "float", "str"):
            return [ind + "%s[%s] += %s" % (v, self.small(c), e(el))]
        if x == 8:
            return [ind + "%s[%s:%s] %s %s" % (v, self.small(c), self.small(c),
                                               self.pick(["=", "=", "+="]),
                                               e(t))]
        if x == 9:
            return [ind + "del %s[%s]" % (v, self.pick(
                [self.small(c), "%s:%s" % (self.small(c), self.small(c)),
                 "::2"]))]
        if x == 10:
            if self.chance(0.5) and not c.typed:
                return [ind + "%s.sort(key=%s, reverse=%s)" % (
                    v, self.lam(el, self.pick(["int", "str"]), c, 2),
                    self.pick(["True", "False"]))]
            return [ind + "%s.sort()" % v]
        if x == 11:
            return [ind + "%s.remove(%s)" % (v, e(el))]
        return [ind + "%s.reverse()" % v]

    def s_attr(self, c, ind):
        objs = [(n, self.classes[t]) for n, t in c.vars.items()
                if t in self.classes and t != "Ctx"]
        if not objs:
            return None
        n, k = self.pick(objs)
        props = k.all_props()
        if props and self.chance(0.3):
            p = self.pick(props)
            return [ind + "%s.%s = %s" % (n, p, self.ex(props[p], c, 2))]
        a, at = self.pick(k.all_attrs())
        if at in ("int", "float", "str") and self.chance(0.4):
            return [ind + "%s.%s += %s" % (n, a, self.ex(at, c, 2))]
        if self.chance(0.1):
            return [ind + "%s.note = %s" % (n, self.ex("int", c, 2))]
        return [ind + "%s.%s = %s" % (n, a, self.ex(at, c, 2))]

    def s_unpack(self, c, ind):
        x = self.r.randint(0, 3)
        if x == 0:
            t = self.pick(["li", "ls", "lf"])
            a, b = self.name(), self.name()
            e = self.ex(t, c, 2)
            self.define(c, a, ELEM[t])
            self.define(c, b, t)
            if self.chance(0.8):
                e = "[%s, *%s]" % (self.lit(ELEM[t]), e)
            if self.chance(0.5):
                return [ind + "%s, *%s = %s" % (a, b, e)]
            return [ind + "*%s, %s = %s" % (b, a, e)]
        if x == 1:
            t1, t2 = self.gen_type(c), self.gen_type(c)
            a, b = self.name(), self.name()
            line = ind + "%s, %s = %s, %s" % (a, b, self.ex(t1, c, 2),
                                              self.ex(t2, c, 2))
            self.define(c, a, t1)
            self.define(c, b, t2)
            return [line]
        if x == 2:
            a, b, e2 = self.name(), self.name(), self.name()
            line = ind + "%s, (%s, %s) = %s, (%s, %s)" % (
                a, b, e2, self.ex("int", c, 2), self.ex("str", c, 2),
                self.ex("float", c, 2))
            self.define(c, a, "int")
            self.define(c, b, "str")
            self.define(c, e2, "float")
            return [line]
        a, b = self.name(), self.name()
        src = self.ex("li", c, 2)
        if self.chance(0.8):
            src = "(%s + [0, 0])[:2]" % src
        line = ind + "%s, %s = %s" % (a, b, src)
        self.define(c, a, "int")
        self.define(c, b, "int")
        return [line]

    def s_walrus_comp(self, c, ind):
        v, y = self.name(), self.name("y")
        it, var, et, bounded = self.iterable(c, 2)
        saved = self.enter_comp(c, var, et, bounded)
        inner = self.ex("int", c, 1)
        self.leave_comp(c, var, saved)
        self.define(c, v, "li")
        return [ind + "%s = [%s for %s in %s if (%s := %s) %s %s]" % (
            v, y, var, it, y, inner, self.pick(["<", ">", "!="]),
            self.lit("int"))]

    def s_walrus_if(self, c, ind):
        v = self.name()
        t = self.pick(["int", "str", "li"])
        e = self.ex(t, c, 2)
        cond = "(%s := %s)" % (v, e)
        if t == "int":
            cond = "%s %s %s" % (cond, self.pick(["<", ">", "=="]),
                                 self.lit("int"))
        elif self.chance(0.5):
            cond = "len(%s) > %s" % (cond, self.pick("0123"))
        self.define(c, v, t)
        lines = [ind + "if %s:" % cond]
        lines += self.block(c, ind + "    ", self.r.randint(1, 2))
        return lines

    def s_del(self, c, ind):
        vs = [v for v in sorted(c.block) if v in c.vars and v in c.writable]
        if vs and self.chance(0.4):
            v = self.pick(vs)
            del c.vars[v]
            c.block.discard(v)
            if self.chance(0.3):
                return [ind + "del %s" % v] + self.read_unbound(c, ind, v)
            return [ind + "del %s" % v]
        objs = [n for n, t in c.vars.items() if t in self.classes and
                t != "Ctx"]
        if objs and self.chance(0.5):
            return [ind + "del %s.note" % self.pick(objs)]
        return None

    def s_global(self, c, ind):
        g = self.pick(c.globals)
        t = c.globals[g]
        if t == "int" and self.chance(0.5):
            return [ind + "%s += %s" % (g, self.ex("int", c, 2))]
        if t == "li" and self.chance(0.3):
            return [ind + "%s = %s + [%s]" % (g, g, self.ex("int", c, 2))]
        return [ind + "%s = %s" % (g, self.ex(t, c, 2))]

    def s_if(self, c, ind):
        lines = [ind + "if %s:" % self.ex("bool", c, 2)]
        lines += self.block(c, ind + "    ", self.r.randint(1, 3),
                            self.maybe_exit)
        for _ in range(self.r.randint(0, 2)):
            lines += [ind + "elif %s:" % self.ex("bool", c, 2)]
            lines += self.block(c, ind + "    ", self.r.randint(1, 2),
                                self.maybe_exit)
        if self.chance(0.5):
            lines += [ind + "else:"]
            lines += self.block(c, ind + "    ", self.r.randint(1, 2),
                                self.maybe_exit)
        return lines

    def maybe_exit(self, c, ind):
        """Maybe end a block with return, break, continue or raise."""
        x = self.r.random()
        if x < 0.15 and c.rt is not None:
            return [ind + "return %s" % self.ex(c.rt, c, 2)]
        if x < 0.3 and c.loops:
            return [ind + self.pick(["break", "continue"])]
        if x < 0.36 and c.typed:
            return [ind + "raise ValueError(%s)" % self.ex("str", c, 1)]
        if x < 0.36:
            return self.raise_stmt(c, ind)
        return []

    def raise_stmt(self, c, ind):
        x = self.r.randint(0, 5)
        if x == 0 and c.in_except:
            return [ind + "raise"]
        exc = self.new_exc(c)
        if x == 1 and c.in_except and c.in_except[-1] != "_":
            return [ind + "raise %s from %s" % (exc, c.in_except[-1])]
        if x == 2:
            return [ind + "raise %s from %s" % (exc, self.pick(
                ["None", "ValueError('cause')", "KeyError(3)"]))]
        return [ind + "raise " + exc]

    def new_exc(self, c):
        x = self.r.randint(0, 4)
        if x == 0:
            return "AppError(%s, %s)" % (self.ex("int", c, 1),
                                         self.ex("str", c, 1))
        if x == 1:
            return "KeyError(%s)" % self.ex("str", c, 1)
        if x == 2:
            return "%s" % self.pick(["ValueError", "IndexError",
                                     "RuntimeError"])
        return "%s(%s)" % (self.pick(["ValueError", "TypeError",
                                      "ZeroDivisionError", "LookupError"]),
                           self.ex(self.pick(["str", "int"]), c, 1))

    def s_raise(self, c, ind):
        if c.depth == 0 and not c.in_except:
            return None        # a raise at the top would end everything
        return [ind + "if %s:" % self.ex("bool", c, 2)] + \
            self.raise_stmt(c, ind + "    ")

    def s_assert(self, c, ind):
        if self.chance(0.5):
            return [ind + "assert %s" % self.ex("bool", c, 2)]
        return [ind + "assert %s, %s" % (self.ex("bool", c, 2),
                                         self.ex(self.printable(c), c, 1))]

    def loop_body(self, c, ind, bound, body_n, pure, pre=()):
        saved = (c.loops, c.mult, c.pure)
        c.loops += 1
        c.mult *= bound
        c.pure = c.pure or pure
        lines = list(pre)
        lines += self.block(c, ind, body_n, self.maybe_exit)
        c.loops, c.mult, c.pure = saved
        return lines

    def s_for(self, c, ind):
        r = self.r
        x = r.randint(0, 7)
        if c.typed and x in (5, 6):
            x = 0
        v = self.name("i")
        bound, pure = 5, False
        targets = [(v, "int")]
        if x == 0:
            head = "for %s in range(%s):" % (v, self.pick(["3", "4", "0",
                                                           "5"]))
        elif x == 1:
            t = self.pick(["li", "lf", "ls", "rows"])
            head = "for %s in %s[:%d]:" % (v, self.ex(t, c, 2),
                                           r.randint(2, 5))
            targets = [(v, ELEM[t])]
        elif x == 2:
            t = self.pick(["li", "ls", "lf", "rows"])
            vs = self.readable(c, t)
            if not vs:
                return None
            head = "for %s in %s:" % (v, self.pick(vs))
            targets = [(v, ELEM[t])]
            pure, bound = True, 8
        elif x == 3:
            w = self.name("x")
            t = self.pick(["li", "ls", "lf"])
            head = "for %s, %s in enumerate(%s[:4]%s):" % (
                v, w, self.ex(t, c, 2), self.pick(["", ", 1", ", -2"]))
            targets = [(v, "int"), (w, ELEM[t])]
        elif x == 4:
            w = self.name("x")
            head = "for %s, %s in zip(%s[:4], %s):" % (
                v, w, self.ex("ls", c, 2), self.ex("li", c, 2))
            targets = [(v, "str"), (w, "int")]
        elif x == 5:
            w = self.name("x")
            head = "for %s, %s in %s.items():" % (v, w, self.ex("dsi", c, 2))
            targets = [(v, "str"), (w, "int")]
            pure = True
        elif x == 6:
            head = "for %s in sorted(%s):" % (v, self.ex("set", c, 2))
        else:
            head = "for %s in %s:" % (v, self.ex("str", c, 1))
            targets = [(v, "str")]
            pure = True
        saved = dict(c.vars)
        for n, t in targets:
            self.define(c, n, t)
        lines = [ind + head]
        lines += self.loop_body(c, ind + "    ", bound, r.randint(1, 3), pure)
        c.vars = saved
        for n, _ in targets:
            c.block.discard(n)
        if self.chance(0.3):
            lines += [ind + "else:"]
            lines += self.block(c, ind + "    ", 1)
        return lines

    def s_while(self, c, ind):
        w = self.name("w")
        k = self.r.randint(0, 4)
        lines = [ind + "%s = 0" % w]
        lines.append(ind + "while %s < %d%s:" % (
            w, k, "" if self.chance(0.6) else " and %s" % self.ex("bool", c,
                                                                  1)))
        pre = [ind + "    %s += 1" % w]
        c.vars[w] = "int"          # readable, not writable: the counter
        lines += self.loop_body(c, ind + "    ", max(k, 1),
                                self.r.randint(1, 3), False, pre)
        del c.vars[w]
        if self.chance(0.3):
            lines += [ind + "else:"]
            lines += self.block(c, ind + "    ", 1)
        return lines

    def s_try(self, c, ind):
        r = self.r
        lines = [ind + "try:"]
        lines += self.block(c, ind + "    ", r.randint(1, 3), self.maybe_exit)
        nh = r.randint(0, 2)
        handlers = 0
        for i in range(nh):
            types = r.sample(EXC, r.randint(1, 2))
            head = types[0] if len(types) == 1 else "(%s)" % ", ".join(types)
            if self.chance(0.6):
                e = self.name("e")
                self.unbound_e = e
                lines.append(ind + "except %s as %s:" % (head, e))
                c.in_except.append(e)
                saved = dict(c.vars)
                c.vars[e] = "exc"
                lines += self.block(c, ind + "    ", r.randint(1, 2),
                                    self.handler_tail)
                c.vars = saved
                c.in_except.pop()
            else:
                lines.append(ind + "except %s:" % head)
                c.in_except.append("_")
                lines += self.block(c, ind + "    ", r.randint(1, 2),
                                    self.maybe_exit)
                c.in_except.pop()
            handlers += 1
        if self.chance(0.2) or (handlers == 0 and self.chance(0.5)):
            lines.append(ind + "except:")
            c.in_except.append("_")
            lines += self.block(c, ind + "    ", 1, self.maybe_exit)
            c.in_except.pop()
            handlers += 1
        if handlers and self.chance(0.3):
            lines.append(ind + "else:")
            lines += self.block(c, ind + "    ", r.randint(1, 2),
                                self.maybe_exit)
        if not handlers or self.chance(0.4):
            lines.append(ind + "finally:")
            lines += self.block(c, ind + "    ", r.randint(1, 2),
                                self.finally_tail)
        if self.unbound_e and self.chance(0.3):
            lines += self.read_unbound(c, ind, self.unbound_e)
        self.unbound_e = None
        return lines

    def handler_tail(self, c, ind):
        e = c.in_except[-1]
        x = self.r.random()
        if x < 0.3:
            return [ind + "print(%s, type(%s).__name__, %s)" % (
                self.lit("str"), e, self.pick(["str(%s)" % e, "%s.args" % e,
                                               "repr(%s)" % e]))]
        if x < 0.4 and c.rt is not None:
            return [ind + "return str(%s)" % e] if \
                c.rt in ("str",) else [ind + "return %s" % self.ex(c.rt, c,
                                                                    1)]
        return self.maybe_exit(c, ind)

    def finally_tail(self, c, ind):
        x = self.r.random()
        if x < 0.05 and c.rt is not None:
            return [ind + "return %s" % self.ex(c.rt, c, 1)]
        if x < 0.1 and c.loops:
            return [ind + self.pick(["break", "continue"])]
        return []

    def s_with(self, c, ind):
        cm = self.name("cm")
        items = ["Ctx(%s%s) as %s" % (self.ex("str", c, 1),
                                      self.pick(["", ", True", ", False",
                                                 ", suppress=True",
                                                 ", fail=True"]), cm)]
        if self.chance(0.3):
            items.append("Ctx(%r%s)" % (self.pick(KEYS),
                                        self.pick(["", ", True"])))
        lines = [ind + "with %s:" % ", ".join(items)]
        saved = dict(c.vars)
        c.vars[cm] = "Ctx"
        lines += self.block(c, ind + "    ", self.r.randint(1, 3),
                            self.maybe_exit)
        c.vars = saved
        return lines

    def s_inner(self, c, ind):
        """A nested function: a closure over the enclosing variables,
        with nonlocal writes, called right here."""
        r = self.r
        name = self.name("inner")
        rt = self.pick(["int", "str", "li", "float", "none"])
        params = []
        for i in range(r.randint(0, 2)):
            pt = self.pick(["int", "str", "li", "float"])
            params.append((self.name("a"), pt,
                           self.lit(pt) if self.chance(0.3) else None))
        while any(p[2] for p in params) and params[-1][2] is None:
            params.pop()
        ic = Ctx("inner", None if rt == "none" else rt, c.level, c.cls,
                 c.method_index)
        ic.cls_limit = c.cls_limit
        ic.cls = None           # no super() in a nested function
        ic.vars = dict(c.vars)
        ic.inner = list(c.inner)
        ic.globals = {}
        ic.mult = 1
        nl = [n for n in sorted(c.writable) if n in c.vars and c.vars[n] in
              ("int", "str", "li", "float") and n != "self" and
              n not in c.globals]
        lines = [ind + "def %s(%s):" % (name, ", ".join(
            p[0] + ("=%s" % p[2] if p[2] else "") for p in params))]
        body_ind = ind + "    "
        if nl and self.chance(0.6):
            v = self.pick(nl)
            lines.append(body_ind + "nonlocal %s" % v)
            ic.writable.add(v)
        for p in params:
            ic.vars[p[0]] = p[1]
            ic.writable.add(p[0])
        body = self.block(ic, body_ind, r.randint(1, 3))
        lines += body
        if rt != "none":
            lines.append(body_ind + "return %s" % self.ex(rt, ic, 2))
        sig = Sig(name, params, rt, cost=ic.cost + 1, kind="inner")
        c.calls |= ic.calls
        c.inner.append(sig)
        # call it once or twice right away
        for _ in range(r.randint(1, 2)):
            if c.cost + c.mult * sig.cost > BUDGET:
                break
            c.cost += c.mult * sig.cost
            call = "%s(%s)" % (name, self.args(sig, c, 2))
            if rt != "none" and self.chance(0.7):
                v = self.name()
                self.define(c, v, rt)
                lines.append(ind + "%s = %s" % (v, call))
            else:
                lines.append(ind + call)
        return lines

    # ---------------------------------------------------------------
    # module
    def module(self):
        r = self.r
        out = ['"""Generated by randprog.py."""', "import math", "import sys",
               ""]
        consts = [("NAN", "float", "float('nan')"),
                  ("K0", "int", self.lit("int")), ("K1", "int", "(2 ** 62)"),
                  ("F0", "float", self.lit("float")),
                  ("S0", "str", self.lit("str")),
                  ("L0", "li", "[3, 1, 2]"),
                  ("LF", "lf", "[1.5, NAN, -0.0]"),
                  ("WORDS", "ls", "['pear', 'fig', '', 'Apple']"),
                  ("ROWS", "rows", "[[1, 2], [3, 4, 5], []]"),
                  ("DK", "dsi", "{'a': 1, 'b': -2}"),
                  ("LOG", "ls", "[]"), ("G0", "int", "0"),
                  ("T0", "int", str(self.pick(SMALL))),
                  ("T1", "float", "2.5"),
                  ("T2", "str", self.lit("str")),
                  ("G1", "li", "[]"), ("G2", "str", "''")]
        for n, t, v in consts:
            out.append("%s = %s" % (n, v))
            self.consts[n] = t
        self.gvars = {"G0": "int", "G1": "li", "G2": "str", "K0": "int",
                      "S0": "str"}
        out += ["", "",
                "class AppError(%s):" % self.pick(["Exception",
                                                   "ValueError"]),
                "    def __init__(self, code, msg):",
                "        super().__init__(msg)",
                "        self.code = code", "", "",
                "class Ctx:",
                "    def __init__(self, tag, suppress=False, fail=False):",
                "        self.tag = tag",
                "        self.suppress = suppress",
                "        self.fail = fail", "",
                "    def __enter__(self):",
                "        LOG.append('enter ' + str(self.tag))",
                "        return self", "",
                "    def __exit__(self, et, ev, tb):",
                "        LOG.append('exit %s %s' % (self.tag, et.__name__ if "
                "et else None))",
                "        if self.fail:",
                "            raise RuntimeError('exit failed')",
                "        return self.suppress", ""]
        ctx = Cls("Ctx", -1)
        ctx.attrs = [("tag", "str"), ("suppress", "bool")]
        ctx.init = Sig("Ctx", [("tag", "str", None)], "Ctx")
        self.classes["Ctx"] = ctx
        nbase = max(1, (self.size + 2) // 3)
        idx = 0
        bases = []
        for i in range(nbase):
            out += ["", ""] + self.gen_class("C%d" % i, idx, None)
            bases.append(self.classes["C%d" % i])
            idx += 1
        for i in range(max(1, nbase // 2 + (1 if self.size > 4 else 0))):
            b = self.pick(bases)
            out += ["", ""] + self.gen_class("D%d" % i, idx, b)
            idx += 1
        nfun = self.size + 1
        for i in range(nfun):
            out += ["", ""] + self.gen_func(i)
        nscen = max(2, self.size)
        calls = list(self.funcs)
        r.shuffle(calls)
        per = [calls[i::nscen] for i in range(nscen)]
        for i in range(nscen):
            out += ["", ""] + self.gen_scenario(i, per[i])
        return "\n".join(out) + "\n"

    def gen_class(self, name, index, base):
        r = self.r
        k = Cls(name, index, base)
        self.classes[name] = k
        if base:
            base.subs.append(k)
        lines = ["class %s%s:" % (name, "(%s)" % base.name if base else "")]
        lines.append("    TAG = %r" % name.lower())
        mctx = lambda rt, mi: self.method_ctx(k, rt, mi)  # noqa: E731
        if base is None:
            bt = self.pick(["str", "float", "int"])
            k.attrs = [("a", "int"), ("b", bt), ("items", "li")]
            if self.chance(0.5):
                k.attrs.append(("tags", "ls"))
            params = [("a", "int", None), ("b", bt, self.lit(bt)),
                      ("items", "li", "None")]
            k.init = Sig(name, params, name, kind="ctor")
            lines += ["", "    def __init__(self, a, b=%s, items=None):"
                      % params[1][2],
                      "        self.a = a", "        self.b = b",
                      "        self.items = %s" % self.pick(
                          ["[] if items is None else items",
                           "[] if items is None else list(items)",
                           "items or []"])]
            if ("tags", "ls") in k.attrs:
                lines.append("        self.tags = [str(a)]")
            lines += ["", "    def __repr__(self):",
                      "        return " + self.pick([
                          'f"%s({self.a!r}, {self.b!r}, {self.items})"'
                          % name,
                          '"%s(%%r, %%r)" %% (self.a, self.b)' % name,
                          "'%s(' + repr(self.a) + ', ' + repr(self.b) + ')'"
                          % name])]
            k.eq = self.chance(0.7)
            if k.eq:
                lines += ["", "    def __eq__(self, other):",
                          "        if not isinstance(other, %s):" % name,
                          "            return NotImplemented",
                          "        return self.a == other.a and "
                          "self.b == other.b"]
            k.lt = self.chance(0.7)
            if k.lt:
                lines += ["", "    def __lt__(self, other):",
                          "        return (self.a, self.b) < "
                          "(other.a, other.b)"]
            k.len = self.chance(0.7)
            if k.len:
                lines += ["", "    def __len__(self):",
                          "        return len(self.items)"]
            k.iter = self.chance(0.7)
            if k.iter:
                lines += ["", "    def __iter__(self):",
                          "        return iter(self.items)"]
            # a property with a setter
            pc = mctx("int", 0)
            pc.pure = True
            getter = self.ex("int", pc, 2)
            k.props["total"] = "int"
            lines += ["", "    @property", "    def total(self):",
                      '        """The total."""',
                      "        return %s" % getter,
                      "", "    @total.setter",
                      "    def total(self, value):",
                      "        if value < 0:",
                      "            raise ValueError('negative total: %r' % "
                      "value)",
                      "        self.a = value - len(self.items)"]
            # a static method and a class method
            sc = Ctx("method", "int", -1)
            sc.cls_limit = index
            sc.vars = {"x": "int", "y": "int"}
            sc.pure = True
            k.statics["norm"] = Sig("%s.norm" % name, [("x", "int", None),
                                                        ("y", "int", "2")],
                                    "int", kind="static")
            lines += ["", "    @staticmethod", "    def norm(x, y=2):",
                      "        return %s" % self.ex("int", sc, 2)]
            k.classms["make"] = Sig("%s.make" % name, [("a", "int", None)],
                                    name, kind="classm")
            lines += ["", "    @classmethod", "    def make(cls, a):",
                      "        return cls(a, %s)" % self.lit(bt)]
        else:
            et = self.pick(["int", "str", "li"])
            k.attrs = [("extra", et)]
            bp = base.init.params
            params = bp + [("extra", et, self.lit(et))]
            k.init = Sig(name, params, name, kind="ctor")
            lines += ["", "    def __init__(self, %s):" % ", ".join(
                p[0] + ("=%s" % p[2] if p[2] else "") for p in params),
                "        %s" % self.pick([
                    "super().__init__(%s)" % ", ".join(p[0] for p in bp),
                    "super(%s, self).__init__(%s)" % (
                        name, ", ".join(p[0] for p in bp)),
                    "%s.__init__(self, %s)" % (base.name, ", ".join(
                        p[0] for p in bp))]),
                "        self.extra = extra",
                "", "    def __repr__(self):",
                "        return super().__repr__() + %s" % self.pick(
                    ['f"+{self.extra!r}"', "'+' + repr(self.extra)"])]
        # methods
        inherited = base.all_methods() if base else {}
        nmeth = r.randint(1, 2 + self.size // 3)
        mi = max([s.index for s in inherited.values()] + [-1]) + 1
        todo = []
        if inherited:
            for m in r.sample(sorted(inherited), r.randint(
                    1, len(inherited))):
                todo.append((m, inherited[m]))
        for j in range(nmeth):
            todo.append(("m%d" % (mi + j), None))
        for m, over in todo:
            if over is not None:
                sig = Sig("%s.%s" % (name, m), over.params, over.rt,
                          kind="method", cls=name, index=over.index)
            else:
                params = []
                for pi in range(r.randint(0, 3)):
                    pt = self.pick(["int", "str", "float", "li", "bool",
                                    "ls"])
                    params.append(("p%d" % pi, pt, None))
                if params and self.chance(0.4):
                    pt = params[-1][1]
                    params[-1] = (params[-1][0], pt, self.lit(pt))
                rt = self.pick(VALUE + ["none", "tup"])
                sig = Sig("%s.%s" % (name, m), params, rt, kind="method",
                          cls=name, index=int(m[1:]))
            c = mctx(None if sig.rt == "none" else sig.rt, sig.index)
            for p in sig.params:
                c.vars[p[0]] = p[1]
                c.writable.add(p[0])
            lines += ["", "    def %s(self%s):" % (m, "".join(
                ", %s%s" % (p[0], "=%s" % p[2] if p[2] else "")
                for p in sig.params))]
            if self.chance(0.3):
                lines.append('        """Method %s."""' % m)
            if over is not None:
                v = self.name("base")
                lines.append("        %s = super().%s(%s)" % (
                    v, m, ", ".join(p[0] for p in sig.params)))
                c.cost += self.cost_of(over)
                if over.rt != "none":
                    self.define(c, v, over.rt)
            body = self.block(c, "        ", r.randint(1, 2 + self.size // 3))
            lines += body
            if sig.rt != "none":
                lines.append("        return %s" % self.ex(sig.rt, c))
            sig.cost = c.cost + 1
            sig.calls = c.calls
            k.methods[m] = sig
        return lines

    def method_ctx(self, k, rt, mi):
        c = Ctx("method", rt, -1, k, mi)
        c.cls_limit = k.index
        c.vars = {"self": k.name}
        return c

    def gen_func(self, i):
        r = self.r
        name = "f%d" % i
        typed = self.chance(0.3)
        params = []
        for pi in range(r.randint(0, 3) if not typed else r.randint(1, 3)):
            objs = [k for k in self.classes if k != "Ctx"]
            pt = self.pick(VALUE + VALUE[:4] + objs) if not typed else \
                self.pick(TYPED + ["int", "float", "li", "lf"])
            params.append(["p%d" % pi, pt, None])
        ndef = r.randint(0, len(params)) if not typed else 0
        for p in params[len(params) - ndef:]:
            if p[1] == "li" and self.chance(0.5):
                p[2] = "[]"           # a mutable default, shared
            elif p[1] == "int" and self.chance(0.3) and not typed:
                p[2] = "K0 * 2"
            elif p[1] == "str" and self.chance(0.3) and not typed:
                p[2] = "S0"
            elif self.is_obj(p[1]):
                p[1], p[2] = "none", "None"
            else:
                p[2] = self.lit(p[1])
        params = [tuple(p) for p in params]
        star = self.chance(0.15) and not typed
        kwonly = []
        if self.chance(0.2) and not typed:
            kwonly.append(("flag", "bool", self.pick(["False", "True",
                                                      None])))
        kw = self.chance(0.15) and not typed
        rt = self.pick(VALUE + ["none", "tup"] + [
            k for k in self.classes if k != "Ctx"][:2]) if not typed else \
            self.pick(TYPED + ["int", "float", "li", "lf", "none"])
        annotate = typed or self.chance(0.2) and all(
            p[1] in ANN for p in params) and rt in ANN and not star and \
            not kw
        c = Ctx("func", None if rt == "none" else rt, i)
        c.cls_limit = None
        c.typed = typed
        sig_parts = []
        for p in params:
            c.vars[p[0]] = p[1]
            c.writable.add(p[0])
            s = p[0]
            if annotate:
                s += ": %s" % ANN[p[1]]
            if p[2] is not None:
                s += " = %s" % p[2] if annotate else "=%s" % p[2]
            sig_parts.append(s)
        if star:
            sig_parts.append("*args")
            c.vars["args"] = "tup_i"
        elif kwonly:
            sig_parts.append("*")
        for p in kwonly:
            c.vars[p[0]] = p[1]
            sig_parts.append(p[0] + ("=%s" % p[2] if p[2] else ""))
        if kw:
            sig_parts.append("**kw")
            c.vars["kw"] = "dsi"
        head = "def %s(%s)%s:" % (name, ", ".join(sig_parts),
                                  " -> %s" % ANN[rt] if annotate else "")
        lines = [head]
        if typed:
            lines.append("    # meant for the typed tier")
        elif self.chance(0.3):
            lines.append('    """Function %s."""' % name)
        gl = r.sample(sorted(self.gvars), r.randint(0, 2)) if \
            self.chance(0.4) and not typed else []
        if gl:
            lines.append("    global " + ", ".join(gl))
            c.globals = {g: self.gvars[g] for g in gl}
            for g in gl:
                c.writable.add(g)
        for p in params:
            if p[2] == "[]":
                lines.append("    %s.append(%s)" % (p[0], self.ex("int", c,
                                                                  1)))
        if star:
            lines.append("    %s = sum(args) + len(args)" % self.name())
            c.vars["args_list"] = "li"
            lines.append("    args_list = list(args)")
            c.writable.add("args_list")
        body = self.block(c, "    ", r.randint(2, 3 + self.size // 2))
        if not c.pure:
            pass
        lines += body
        if rt != "none":
            lines.append("    return %s" % self.ex(rt, c))
        sig = Sig(name, params, rt, star=star, kwonly=kwonly, kw=kw,
                  cost=c.cost + 1, index=i)
        sig.calls = c.calls
        sig.typed = typed
        self.funcs.append(sig)
        return lines

    def gen_scenario(self, i, targets):
        r = self.r
        c = Ctx("scenario", None, len(self.funcs) + 1)
        c.cls_limit = None
        c.mult = 1
        name = "scenario_%d" % i
        lines = ["def %s():" % name]
        if self.chance(0.2):
            g = self.pick(["K0", "S0", "G0"])
            lines.append("    global %s" % g)
            c.globals = {g: self.gvars[g]}
            c.writable.add(g)
        lines.append("    out = []")
        ind = "    "
        # the arguments
        for _ in range(r.randint(1, 3)):
            t = self.gen_type(c)
            v = self.name()
            e = self.ex(t, c, 1) if self.chance(0.3) else self.atom(t, c)
            lines.append(ind + "%s = %s" % (v, e))
            self.define(c, v, t)
        if c.globals:
            lines += self.s_global(c, ind)
        if self.chance(0.2):
            # the typed functions read T0 and T1: their guards must see it
            g = self.pick(["K0", "T0", "T0", "T1"])
            t = self.pick({"K0": ["int"], "T0": ["int", "int", "float"],
                           "T1": ["float", "int"]}[g])
            lines.append(ind + "globals()[%r] = %s" % (g, self.atom(t, c)))
        probes = [("func", f) for f in targets]
        objs = [k for k in self.classes if k != "Ctx"]
        for _ in range(r.randint(1, 3)):
            probes.append(("obj", self.pick(objs)))
        for _ in range(r.randint(0, 2)):
            probes.append(("stmt", None))
        if self.chance(0.3):
            probes.append(("patch", None))
        r.shuffle(probes)
        final = None
        if self.chance(0.3) and probes and probes[-1][0] == "func":
            final = probes.pop()
        for kind, what in probes:
            if kind == "stmt":
                lines += self.stmt(c, ind)
                continue
            if kind == "patch":
                lines += self.patch_probe(c, ind)
                continue
            if kind == "func":
                calls = [self.call_of(what, c)]
                if self.chance(0.3):
                    calls.append(self.call_of(what, c))
            else:
                self.pending = []
                calls = self.obj_probes(what, c)
                lines += [ind + "%s = None" % v for v in self.pending]
            for call in calls:
                e = self.name("e")
                lines += [ind + "try:",
                          ind + "    out.append(%s)" % call,
                          ind + "except Exception as %s:" % e,
                          ind + "    out.append(%s)" % e]
        args = [n for n, t in c.vars.items() if t != "Ctx"]
        lines.append(ind + "out.append([%s])" % ", ".join(args))
        if final:
            lines.append(ind + "return out, %s" % self.call_of(final[1], c))
        else:
            lines.append(ind + "return out")
        return lines

    def patch_probe(self, c, ind):
        """Rebind a helper function, or replace a method on its class,
        call what uses it, and put it back."""
        old, e = self.name("old"), self.name("e")
        users = [f for f in self.funcs if f.calls & {g.name for g in
                                                     self.funcs}]
        meths = [(k, m, s) for k in self.classes.values() if k.name != "Ctx"
                 for m, s in k.methods.items()]
        if users and (not meths or self.chance(0.5)):
            user = self.pick(users)
            f = self.pick(sorted(user.calls & {g.name for g in self.funcs}))
            rt = [g for g in self.funcs if g.name == f][0].rt
            lines = [ind + "%s = globals()[%r]" % (old, f),
                     ind + "globals()[%r] = lambda *a, **k: %s" % (
                         f, self.lit(rt, c) if rt not in ("none",) else
                         "None"),
                     ind + "try:",
                     ind + "    out.append(%s)" % self.call_of(user, c)]
            restore = "globals()[%r] = %s" % (f, old)
        elif meths:
            k, m, sig = self.pick(meths)
            users = [s for s in k.all_methods().values() if m in s.calls]
            lines = [ind + "%s = %s.%s" % (old, k.name, m),
                     ind + "%s.%s = lambda self, *a, **k: %s" % (
                         k.name, m, self.lit(sig.rt, c) if sig.rt not in
                         ("none", "tup") else "None"),
                     ind + "try:"]
            obj = self.ctor(k.name, c, 1, exact=True)
            lines.append(ind + "    out.append(%s.%s(%s))" % (
                obj, m, self.args(sig, c, 1)))
            if users:
                u = self.pick(users)
                mu = u.name.split(".")[-1]
                lines.append(ind + "    out.append(%s.%s(%s))" % (
                    obj, mu, self.args(u, c, 1)))
            restore = "%s.%s = %s" % (k.name, m, old)
        else:
            return []
        lines += [ind + "except Exception as %s:" % e,
                  ind + "    out.append(%s)" % e,
                  ind + "finally:",
                  ind + "    " + restore]
        return lines

    def call_of(self, sig, c):
        if sig.typed and self.chance(0.5):
            return "%s(%s)" % (sig.name, ", ".join(
                self.edge(p[1]) for p in sig.params))
        return "%s(%s)" % (sig.name, self.args(sig, c, 2))

    def edge(self, t):
        """A value at an edge of what the typed tier handles natively."""
        r = self.r
        ints = ["2 ** 63 - 1", "-2 ** 63", "2 ** 62", "2 ** 64", "-1", "0",
                "True", "3", "-(2 ** 53) - 1", "10 ** 30"]
        floats = ["float('nan')", "-0.0", "float('inf')", "1e308", "5e-324",
                  "0.1", "3", "2 ** 63", "-1.5", "True"]
        strs = ["''", "'\u00e9\u00e9'", "'\U0001f600x'", "'abc'", "'a' * 40",
                r"'\x00'", "'12'"]
        if t == "int":
            return r.choice(ints)
        if t == "float":
            return r.choice(floats)
        if t == "str":
            return r.choice(strs)
        if t == "bool":
            return r.choice(["True", "False", "0", "1", "None"])
        if t in ("li", "lf", "ls"):
            pool = {"li": ints, "lf": floats, "ls": strs}[t]
            if r.random() < 0.1:
                return r.choice(["[]", "(1, 2)", "[1.5]", "None"])
            return "[%s]" % ", ".join(r.choice(pool)
                                      for _ in range(r.randint(1, 4)))
        return self.lit(t)

    def obj_probes(self, kname, c):
        k = self.classes[kname]
        v = self.name("o")
        self.define(c, v, kname)
        self.pending.append(v)
        out = ["(%s := %s)" % (v, self.ctor(kname, c, 1, exact=True))]
        for m, s in k.all_methods().items():
            if self.chance(0.7):
                out.append("%s.%s(%s)" % (v, m, self.args(s, c, 2)))
        x = self.r.randint(0, 6)
        w = self.name("o")
        if x == 0:
            out.append("sorted([%s, %s, %s])" % (v, self.ctor(kname, c, 2),
                                                 self.ctor(kname, c, 2)))
        elif x == 1:
            out.append("(%s == %s, %s != %s)" % (v, self.ctor(kname, c, 2),
                                                 v, v))
        elif x == 2:
            out.append("(len(%s), list(%s), repr(%s), str(%s))" % (v, v, v,
                                                                   v))
        elif x == 3:
            out.append("(%s.total, setattr(%s, 'total', %s), %s.total)" % (
                v, v, self.ex("int", c, 1), v))
        elif x == 4:
            out.append("(%s.norm(%s), %s.make(%s), %s.norm(%s, y=%s))" % (
                kname, self.ex("int", c, 1), kname, self.ex("int", c, 1), v,
                self.ex("int", c, 1), self.ex("int", c, 1)))
        elif x == 5:
            out.append("[%s for %s in %s]" % (w, w, v))
        else:
            out.append("(%s < %s, max(%s, %s), %s in [%s])" % (
                v, self.ctor(kname, c, 2), v, self.ctor(kname, c, 2), v,
                self.ctor(kname, c, 2)))
        return out


# known translator bugs the generator can stay clear of (RANDOM.md), so
# that a large run shows the others
AVOIDABLE = {"fstring-eq": "f-string format specs with '=' alignment",
             "star-message": "*x in calls and set displays, x not iterable"}


def generate(seed, size=4, avoid=()):
    """The source of a random module; the same for the same arguments."""
    assert set(avoid) <= set(AVOIDABLE), avoid
    src = Gen(seed, size, avoid).module()
    compile(src, "<randprog %d>" % seed, "exec")
    return src


if __name__ == "__main__":
    sys.stdout.write(generate(int(sys.argv[1]),
                              int(sys.argv[2]) if len(sys.argv) > 2 else 4))
