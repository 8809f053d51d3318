"""Code after a statement that always leaves its block (return, raise,
an assert of a false constant, a try whose body and handlers all raise,
an if/else that returns on every branch): CPython's compiler drops the
code objects it would make, and the function still translates, native,
with the same outcomes."""


def after_raise(xs):
    try:
        xs.append(1)
        raise LookupError(len(xs))
    except (IndexError, KeyError):
        raise RuntimeError("handled")
    key = lambda v: -v  # noqa: E731  (never runs)
    return sorted(xs, key=key)


def after_assert(x):
    out = [x]
    assert False, "always"
    out.append([y for y in range(x)])
    return out


def after_branches(x):
    if x > 0:
        return "pos"
    elif x < 0:
        return "neg"
    else:
        return "zero"
    return (lambda: x)()


def scenario_after_raise():
    xs = []
    try:
        after_raise(xs)
    except LookupError as e:
        return "lookup", e.args, xs


def scenario_after_assert():
    return after_assert(3)


def scenario_after_branches():
    return after_branches(1), after_branches(-1), after_branches(0)
