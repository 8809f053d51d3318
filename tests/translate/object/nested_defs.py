"""Functions defined inside a function that only calls them: translated
too, and native where the def runs (the function object the def makes is
seen by no one else). Closures over the enclosing function's variables,
nonlocal writes, recursion, defaults evaluated at each def, defs inside
defs, errors with tracebacks through both. A def whose name escapes
(returned, stored, passed on, read by locals()) stays the Python
function."""

SCALE = 3


def lcg_words(count, seed=11):
    state = seed

    def rnd(n):
        nonlocal state
        state = (state * 1103515245 + 12345) % 2147483648
        return state % n

    letters = "abcdefgh"

    def word(depth):
        if depth == 0 or rnd(3) == 0:
            return letters[rnd(len(letters))]
        return word(depth - 1) + letters[rnd(len(letters))] + word(
            depth - 1)

    return [word(3) for _ in range(count)], state


def scaled(xs, k=2):
    out = []
    for x in xs:
        def times(v, f=x * k):
            return v * f * SCALE
        out.append(times(10))
    return out


def nested_twice(n):
    total = 0

    def outer_step(i):
        def inner(j):
            return i * j + n
        return inner(i + 1)

    for i in range(n):
        total += outer_step(i)
    return total


def failing(xs):
    def check(x):
        if x < 0:
            raise ValueError("negative: %r" % (x,))
        return x

    return [check(x) for x in xs]


def keyword_calls(a, b):
    def combine(x, y=10, *rest, scale=1, **kw):
        return (x + y) * scale, rest, sorted(kw)

    return (combine(a), combine(a, b), combine(a, b, 1, 2, scale=3),
            combine(y=a, x=b, extra=1))


def escapes(n):
    def add(x):
        return x + n

    return add


def passed_on(xs):
    def key(x):
        return -x

    return sorted(xs, key=key)


def reads_locals(n):
    def twice(x):
        return 2 * x

    return twice(n), sorted(locals())


def scenario_lcg():
    return lcg_words(6)


def scenario_defaults_per_def():
    return scaled([1, 2, 3])


def scenario_nested_twice():
    return nested_twice(5)


def scenario_error_traceback():
    return failing([1, -2])


def scenario_keywords():
    return keyword_calls(1, 2)


def scenario_bad_call():
    def f(x):
        return x

    return f(1, 2)


def scenario_escaping_stays_python():
    f = escapes(2)
    return type(f).__name__, f(1), passed_on([1, 3, 2]), reads_locals(4)
