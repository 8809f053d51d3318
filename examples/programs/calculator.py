"""A tokenizer and recursive-descent calculator with variables and
functions, run over a batch of generated expressions.

Covers: classes with __repr__/__eq__/__iter__/__len__, a Token class with
__slots__, custom exceptions with positions and `raise ... from`,
closures (the builtin function table), lambdas, string methods, module
constants, default arguments.
"""

import math

DIGITS = "0123456789"
IDENT_START = "abcdefghijklmnopqrstuvwxyz_"
IDENT_CHARS = IDENT_START + DIGITS
OPERATORS = "+-*/%^(),="
MAX_DEPTH = 64


class CalcError(Exception):
    def __init__(self, message, pos=None):
        super().__init__(message)
        self.pos = pos

    def __str__(self):
        base = self.args[0]
        return base if self.pos is None else f"{base} at column {self.pos}"


class LexError(CalcError):
    pass


class ParseError(CalcError):
    pass


class EvalError(CalcError):
    pass


class Token:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind = kind
        self.text = text
        self.pos = pos

    def __repr__(self):
        return "Token(%s, %r)" % (self.kind, self.text)

    def __eq__(self, other):
        return (isinstance(other, Token) and self.kind == other.kind
                and self.text == other.text)


class Lexer:
    def __init__(self, source):
        self.source = source
        self.tokens = self._scan()

    def _scan(self):
        src = self.source
        out = []
        i = 0
        n = len(src)
        while i < n:
            c = src[i]
            if c.isspace():
                i += 1
            elif c in DIGITS or (c == "." and i + 1 < n and src[i + 1] in DIGITS):
                j = i
                seen_dot = False
                while j < n and (src[j] in DIGITS or (src[j] == "." and not seen_dot)):
                    seen_dot = seen_dot or src[j] == "."
                    j += 1
                out.append(Token("num", src[i:j], i))
                i = j
            elif c in IDENT_START:
                j = i + 1
                while j < n and src[j] in IDENT_CHARS:
                    j += 1
                out.append(Token("name", src[i:j], i))
                i = j
            elif c in OPERATORS:
                out.append(Token("op", c, i))
                i += 1
            else:
                raise LexError(f"unexpected character {c!r}", i)
        out.append(Token("end", "", n))
        return out

    def __iter__(self):
        return iter(self.tokens)

    def __len__(self):
        return len(self.tokens)


class Num:
    def __init__(self, value):
        self.value = value

    def eval(self, env):
        return self.value

    def __repr__(self):
        return f"Num({self.value:g})"


class Var:
    def __init__(self, name, pos):
        self.name = name
        self.pos = pos

    def eval(self, env):
        try:
            return env.lookup(self.name)
        except KeyError as e:
            raise EvalError(f"unknown variable {self.name}", self.pos) from e

    def __repr__(self):
        return f"Var({self.name})"


class BinOp:
    def __init__(self, op, left, right):
        self.op = op
        self.left = left
        self.right = right

    def eval(self, env):
        a = self.left.eval(env)
        b = self.right.eval(env)
        try:
            return BINARY[self.op](a, b)
        except ZeroDivisionError as e:
            raise EvalError("division by zero") from e
        except OverflowError as e:
            raise EvalError("overflow in %s" % self.op) from e

    def __repr__(self):
        return f"({self.left!r} {self.op} {self.right!r})"


class Neg:
    def __init__(self, operand):
        self.operand = operand

    def eval(self, env):
        return -self.operand.eval(env)

    def __repr__(self):
        return f"-{self.operand!r}"


class Call:
    def __init__(self, name, args, pos):
        self.name = name
        self.args = args
        self.pos = pos

    def eval(self, env):
        fn = env.function(self.name, self.pos)
        values = [a.eval(env) for a in self.args]
        try:
            return fn(*values)
        except TypeError as e:
            raise EvalError(f"bad call of {self.name}()", self.pos) from e
        except ValueError as e:
            raise EvalError(f"math domain error in {self.name}()", self.pos) from e

    def __repr__(self):
        return "%s(%s)" % (self.name, ", ".join(map(repr, self.args)))


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
    "^": lambda a, b: a ** b,
}


class Parser:
    def __init__(self, tokens):
        self.tokens = list(tokens)
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.i]

    def advance(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, kind, text=None):
        tok = self.advance()
        if tok.kind != kind or (text is not None and tok.text != text):
            want = text or kind
            raise ParseError(f"expected {want!r}, found {tok.text or 'end'!r}", tok.pos)
        return tok

    def statement(self):
        tok = self.peek()
        if tok.kind == "name" and self.tokens[self.i + 1].text == "=":
            self.i += 2
            value = self.expression()
            self.expect("end")
            return ("assign", tok.text, value)
        value = self.expression()
        self.expect("end")
        return ("expr", None, value)

    def expression(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError("expression too deep", self.peek().pos)
        node = self.term()
        while self.peek().text in ("+", "-"):
            op = self.advance().text
            node = BinOp(op, node, self.term())
        self.depth -= 1
        return node

    def term(self):
        node = self.power()
        while self.peek().text in ("*", "/", "%"):
            op = self.advance().text
            node = BinOp(op, node, self.power())
        return node

    def power(self):
        base = self.unary()
        if self.peek().text == "^":
            self.advance()
            return BinOp("^", base, self.power())
        return base

    def unary(self):
        if self.peek().text == "-":
            self.advance()
            return Neg(self.unary())
        return self.atom()

    def atom(self):
        tok = self.advance()
        if tok.kind == "num":
            return Num(float(tok.text) if "." in tok.text else int(tok.text))
        if tok.kind == "name":
            if self.peek().text == "(":
                self.advance()
                args = []
                if self.peek().text != ")":
                    args.append(self.expression())
                    while self.peek().text == ",":
                        self.advance()
                        args.append(self.expression())
                self.expect("op", ")")
                return Call(tok.text, args, tok.pos)
            return Var(tok.text, tok.pos)
        if tok.text == "(":
            node = self.expression()
            self.expect("op", ")")
            return node
        raise ParseError(f"unexpected {tok.text or 'end'!r}", tok.pos)


def make_functions(scale=1):
    calls = {"n": 0}

    def counted(fn):
        def wrapper(*args):
            calls["n"] += 1
            return fn(*args)
        return wrapper

    table = {
        "sqrt": counted(math.sqrt),
        "abs": counted(abs),
        "max": counted(lambda *xs: max(xs)),
        "min": counted(lambda *xs: min(xs)),
        "hyp": counted(lambda a, b: math.sqrt(a * a + b * b) * scale),
        "clamp": counted(lambda x, lo=0, hi=100: lo if x < lo else hi if x > hi else x),
    }
    return table, calls


class Environment:
    def __init__(self, functions, **variables):
        self.functions = functions
        self.variables = dict(variables)

    def lookup(self, name):
        return self.variables[name]

    def function(self, name, pos):
        if name not in self.functions:
            raise EvalError(f"unknown function {name}()", pos)
        return self.functions[name]

    def run(self, line):
        kind, name, node = Parser(Lexer(line)).statement()
        value = node.eval(self)
        if kind == "assign":
            self.variables[name] = value
        return value


def generate(count, seed=11):
    # A small linear congruential generator: reproducible everywhere.
    state = seed
    def rnd(n):
        nonlocal state
        state = (state * 1103515245 + 12345) % 2147483648
        return state % n

    atoms = ["x", "y", "z", "3", "7", "2.5", "0", "sqrt(16)", "hyp(x, 4)",
             "max(1, y, 3)", "clamp(z * 9)", "abs(-x)", "w"]
    ops = ["+", "-", "*", "/", "%", "^"]

    def expr(depth):
        if depth == 0 or rnd(4) == 0:
            return atoms[rnd(len(atoms))]
        left = expr(depth - 1)
        right = expr(depth - 1)
        op = ops[rnd(len(ops))]
        if op == "^":
            right = str(rnd(3))
        text = f"{left} {op} {right}"
        return f"({text})" if rnd(3) == 0 else text

    lines = []
    for i in range(count):
        if i % 5 == 0:
            lines.append(f"{'xyz'[rnd(3)]} = {expr(2)}")
        elif i % 41 == 0:
            lines.append(expr(2) + " $ 1")
        elif i % 43 == 0:
            lines.append("(" + expr(2))
        else:
            lines.append(expr(4))
    return lines


def main():
    functions, calls = make_functions()
    env = Environment(functions, x=3, y=4.0, z=-2)
    results = []
    errors = {}
    for line in generate(6000):
        try:
            value = env.run(line)
        except CalcError as e:
            key = type(e).__name__
            if e.__cause__ is not None:
                key += "<-" + type(e.__cause__).__name__
            errors[key] = errors.get(key, 0) + 1
        else:
            results.append(value)
    finite = [v for v in results if not (isinstance(v, float) and (math.isinf(v) or math.isnan(v)))]
    ints = sum(1 for v in finite if isinstance(v, int))
    print(f"evaluated {len(results)} lines, {ints} int results, {calls['n']} function calls")
    print("sum of finite results: %.6g" % sum(v for v in finite if abs(v) < 1e12))
    for key in sorted(errors):
        print(f"  {key:<40}{errors[key]:>5}")
    print("variables:", {k: round(v, 4) for k, v in sorted(env.variables.items())})
    tree = Parser(Lexer("a = 1 + 2 * -x ^ 2 - hyp(3, 4)")).statement()
    print(tree[0], tree[1], repr(tree[2]))
    lexer = Lexer("foo(1.5, bar) % 2")
    print(len(lexer), [t.text for t in lexer if t.kind != "end"])
    assert Token("num", "1", 0) == Token("num", "1", 5)
    for bad in ("1 +", "2 ** 3", "q(1)", "1 / 0", "sqrt(-1)", "clamp()"):
        try:
            env.run(bad)
        except CalcError as e:
            print(f"{bad!r:>12} -> {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
