"""Calls: positional, keyword, *args, **kwargs on both sides, defaults
(the original's own __defaults__, mutable defaults shared), keyword-only
and positional-only parameters, and binding errors exactly as Python's."""


def f(a, b=2, *rest, c, d=4, **kw):
    return a, b, rest, c, d, sorted(kw.items())


def g(x, y, /, z=0, *, w=1):
    return x, y, z, w


def acc(item, into=[]):
    into.append(item)
    return into


def fwd(*args, **kwargs):
    return f(*args, **kwargs)


def spread(xs, opts):
    return f(*xs, c=0, **opts), g(*xs[:2], **{"z": 3})


def scenario_calls():
    return (f(1, c=3), f(1, 2, 3, 4, c=5, e=6), g(1, 2), g(1, 2, 3, w=4),
            fwd(9, c=8, zz=7), spread([1, 2, 3], {"q": 1}))


def scenario_defaults():
    a = acc(1)
    b = acc(2)
    acc.__defaults__ = ([],)
    c = acc(3)
    return a is b, a, c, acc.__defaults__, f.__kwdefaults__


def scenario_binding_errors():
    out = []
    for call in (lambda: f(), lambda: f(1), lambda: f(1, c=1, a=2),
                 lambda: g(1, 2, x=3), lambda: g(1), lambda: g(1, 2, 3, 4),
                 lambda: f(*5), lambda: f(1, c=2, **{"c": 3}),
                 lambda: f(1, c=2, **[])):
        try:
            out.append(call())
        except TypeError as e:
            # messages name the function by module: this one's
            out.append(str(e).replace(__name__ + ".", ""))
    return out
