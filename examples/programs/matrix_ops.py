# A small exact-rational matrix library with operator overloading, used to
# solve linear systems, invert matrices, and iterate a Markov chain.
# Plain top-level code.
#
# Covers: dunder methods (__add__, __sub__, __mul__, __rmul__, __matmul__,
# __neg__, __eq__, __hash__, __getitem__, __setitem__, __iter__, __len__,
# __repr__, __str__, __pow__), classmethods/staticmethods, properties,
# a Vector subclass using super(), exceptions with raise from, fractions,
# comprehensions, zip/enumerate, f-strings and %-formatting.

from fractions import Fraction

EPSILON = 1e-12
PRECISION = 4


class MatrixError(ArithmeticError):
    pass


class SingularMatrix(MatrixError):
    pass


class ShapeMismatch(MatrixError):
    def __init__(self, op, a, b):
        super().__init__("%s: shapes %s and %s" % (op, a.shape, b.shape))


class Matrix:
    def __init__(self, rows):
        rows = [list(r) for r in rows]
        if not rows or any(len(r) != len(rows[0]) for r in rows):
            raise ValueError("ragged or empty matrix")
        self.rows = rows

    @classmethod
    def identity(cls, n):
        return cls([[1 if i == j else 0 for j in range(n)] for i in range(n)])

    @classmethod
    def zeros(cls, n, m=None):
        return cls([[0] * (n if m is None else m) for _ in range(n)])

    @staticmethod
    def _fmt(v):
        if isinstance(v, Fraction):
            return str(v) if v.denominator != 1 else str(v.numerator)
        if isinstance(v, float):
            return f"{v:.{PRECISION}f}"
        return str(v)

    @property
    def shape(self):
        return (len(self.rows), len(self.rows[0]))

    @property
    def T(self):
        return Matrix(zip(*self.rows))

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, idx):
        if isinstance(idx, tuple):
            i, j = idx
            return self.rows[i][j]
        return self.rows[idx]

    def __setitem__(self, idx, value):
        i, j = idx
        self.rows[i][j] = value

    def __eq__(self, other):
        if not isinstance(other, Matrix):
            return NotImplemented
        return self.rows == other.rows

    def __hash__(self):
        return hash(tuple(tuple(r) for r in self.rows))

    def _elementwise(self, other, op, name):
        if self.shape != other.shape:
            raise ShapeMismatch(name, self, other)
        return Matrix([[op(a, b) for a, b in zip(r, s)] for r, s in zip(self.rows, other.rows)])

    def __add__(self, other):
        return self._elementwise(other, lambda a, b: a + b, "add")

    def __sub__(self, other):
        return self._elementwise(other, lambda a, b: a - b, "sub")

    def __neg__(self):
        return Matrix([[-v for v in r] for r in self.rows])

    def __mul__(self, k):
        if isinstance(k, Matrix):
            return self._elementwise(k, lambda a, b: a * b, "mul")
        return Matrix([[v * k for v in r] for r in self.rows])

    __rmul__ = __mul__

    def __matmul__(self, other):
        n, m = self.shape
        m2, p = other.shape
        if m != m2:
            raise ShapeMismatch("matmul", self, other)
        cols = list(zip(*other.rows))
        return Matrix([[sum(a * b for a, b in zip(row, col)) for col in cols]
                       for row in self.rows])

    def __pow__(self, k):
        if k < 0:
            return self.inverse() ** -k
        result = Matrix.identity(len(self))
        base = self
        while k:
            if k & 1:
                result = result @ base
            base = base @ base
            k >>= 1
        return result

    def __repr__(self):
        return f"Matrix({self.rows!r})"

    def __str__(self):
        cells = [[Matrix._fmt(v) for v in r] for r in self.rows]
        width = max(len(c) for r in cells for c in r)
        return "\n".join("[" + " ".join(c.rjust(width) for c in r) + "]" for r in cells)

    def trace(self):
        return sum(self[i, i] for i in range(min(self.shape)))

    def lu_solve(self, b):
        """Gaussian elimination with partial pivoting on a copy."""
        n = len(self)
        a = [list(r) + [bv] for r, bv in zip(self.rows, b)]
        for col in range(n):
            pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
            if abs(a[pivot][col]) <= EPSILON:
                raise SingularMatrix(f"singular at column {col}")
            a[col], a[pivot] = a[pivot], a[col]
            for r in range(col + 1, n):
                f = a[r][col] / a[col][col]
                if f:
                    a[r] = [x - f * y for x, y in zip(a[r], a[col])]
        x = [0] * n
        for i in range(n - 1, -1, -1):
            s = a[i][n] - sum(a[i][j] * x[j] for j in range(i + 1, n))
            x[i] = s / a[i][i]
        return Vector(x)

    def determinant(self):
        n = len(self)
        a = [[Fraction(v) for v in r] for r in self.rows]
        det = Fraction(1)
        for col in range(n):
            pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
            if pivot is None:
                return Fraction(0)
            if pivot != col:
                a[col], a[pivot] = a[pivot], a[col]
                det = -det
            det *= a[col][col]
            for r in range(col + 1, n):
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
        return det

    def inverse(self):
        n = len(self)
        cols = []
        frac = Matrix([[Fraction(v) for v in r] for r in self.rows])
        for j in range(n):
            e = [Fraction(int(i == j)) for i in range(n)]
            try:
                cols.append(list(frac.lu_solve(e)))
            except SingularMatrix as err:
                raise SingularMatrix("matrix has no inverse") from err
        return Matrix(cols).T


class Vector(Matrix):
    def __init__(self, values):
        super().__init__([[v] for v in values])

    def __iter__(self):
        return (r[0] for r in self.rows)

    def dot(self, other):
        return sum(a * b for a, b in zip(self, other))

    def norm1(self):
        return sum(abs(v) for v in self)

    def __repr__(self):
        return "Vector(%s)" % ", ".join(Matrix._fmt(v) for v in self)


def hilbert(n):
    return Matrix([[Fraction(1, i + j + 1) for j in range(n)] for i in range(n)])


def lehmer(n):
    return Matrix([[min(i, j) / max(i, j) for j in range(1, n + 1)] for i in range(1, n + 1)])


h = hilbert(6)
hi = h.inverse()
print("hilbert(6) inverse trace:", hi.trace())
assert h @ hi == Matrix.identity(6)
print("det hilbert(5) = %s" % hilbert(5).determinant())
print(str(hilbert(3)))

l = lehmer(24)
b = [float(i % 5) - 2 for i in range(24)]
x = l.lu_solve(b)
residual = (l @ x) - Vector(b)
print(f"lehmer(24) solve: |x|_1 = {x.norm1():.6f}, max residual {max(abs(v) for v in residual.T[0]):.2e}")

traces = []
for n in range(2, 11):
    hn = hilbert(n)
    inv = hn.inverse()
    assert hn @ inv == Matrix.identity(n), n
    traces.append(inv.trace())
print("hilbert inverse traces:", traces)
big = lehmer(60)
norms = []
for k in range(6):
    rhs = [((i * (k + 3)) % 7) - 3.0 for i in range(60)]
    norms.append(round(big.lu_solve(rhs).norm1(), 6))
print("lehmer(60) norms:", norms)

fib = Matrix([[1, 1], [1, 0]])
print("fib(90) =", (fib ** 90)[0, 1])
assert (fib ** 30) @ (fib ** -30) == Matrix.identity(2)

# A Markov chain: a 5-state weather model, iterated to its steady state.
P = Matrix([
    [Fraction(5, 10), Fraction(3, 10), Fraction(2, 10), 0, 0],
    [Fraction(2, 10), Fraction(5, 10), Fraction(2, 10), Fraction(1, 10), 0],
    [0, Fraction(3, 10), Fraction(4, 10), Fraction(2, 10), Fraction(1, 10)],
    [0, 0, Fraction(3, 10), Fraction(5, 10), Fraction(2, 10)],
    [Fraction(1, 10), 0, 0, Fraction(3, 10), Fraction(6, 10)],
])
state = Matrix([[1, 0, 0, 0, 0]])
for step in range(40):
    state = state @ P
print("after 40 steps:", [f"{float(v):.5f}" for v in state[0]])
floats = Matrix([[float(v) for v in r] for r in P])
print(floats ** 64)

seen = {Matrix.identity(3), Matrix.identity(3) * 1, Matrix.zeros(3), -Matrix.zeros(3)}
print("distinct matrices:", len(seen))
print(repr(Vector([1, Fraction(1, 2), 2.5])), Vector([3, 4]).dot(Vector([1, 2])))
m = Matrix.zeros(2, 3)
m[1, 2] = 7
print(m.shape, m.T.shape, list(m.T[2]), 2 * m == m + m)
for bad in (lambda: m @ m, lambda: m + Matrix.identity(2),
            lambda: Matrix([[1, 2], [2, 4]]).inverse(), lambda: Matrix([[1], [2, 3]])):
    try:
        bad()
    except MatrixError as e:
        print(type(e).__name__, "-", e, "| cause:", type(e.__cause__).__name__)
    except ValueError as e:
        print("ValueError -", e)
