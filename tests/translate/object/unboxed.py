"""Arithmetic expressions whose intermediate results stay unboxed
(oemit ex_v, obj.rs V), and attributes of instances whose dict exists
(obj.rs getattr_c / setattr_c through the dict): every result, type,
exception and side effect must be CPython's."""

import pickle

LOG = []


class Loud:
    """A number that logs its operations (order of side effects)."""

    def __init__(self, v):
        self.v = v

    def __add__(self, o):
        LOG.append(("add", self.v, o))
        return self.v + o

    def __radd__(self, o):
        LOG.append(("radd", o, self.v))
        return o + self.v

    def __mul__(self, o):
        LOG.append(("mul", self.v, o))
        return Loud(self.v * o)

    def __repr__(self):
        return "Loud(%r)" % (self.v,)


def poly(x, y, z):
    return x * x + y * y - z * z / 2 + 1


def scenario_floats():
    return [poly(1.5, 2.25, -3.0), poly(1e308, 1e308, 1.0),
            poly(float("nan"), 1.0, 2.0), poly(-0.0, -0.0, 0.0)]


def scenario_ints_and_overflow():
    big = 2 ** 62
    return [poly(3, 4, 2), poly(big, big, 1), poly(-big, 5, big),
            poly(2 ** 80, 1, 1), poly(True, False, True)]


def scenario_mixed_int_float():
    return [poly(2 ** 53 + 1, 0.5, 1), poly(3, 0.25, 2 ** 60),
            (2 ** 53 + 1) * 1 + 0.0, 7 / 2 * 2 + 1, (10 ** 20) / 3 - 1.5]


def scenario_division_by_zero():
    a, b = 1.0, 0.0
    return (a + 1) / (b * 2) + 1


def scenario_int_division_by_zero():
    a, b = 3, 2
    return a * b / (b - 2) - 1


def scenario_other_types():
    s = "ab"
    xs = [1]
    return [s * 2 + "c" * 3, xs * 2 + [2] * 2, (1, 2) + (3,) * 2,
            s + s + s]


def scenario_order_of_side_effects():
    del LOG[:]
    a = Loud(2)
    r = a * 3 + 4 * 5 - 1
    t = 1.5 + a * 2 + 0.5
    return r, t, list(LOG)


def scenario_type_error_position():
    x = 1.5
    return x * 2 + "s" * 2


class Body:
    def __init__(self, x, v):
        self.x = x
        self.v = v

    def step(self, dt):
        self.x += self.v * dt + 0.5 * dt * dt
        self.v -= self.x * dt / 10
        return self.x + self.v * 2


def scenario_aug_on_attributes():
    b = Body(1.0, 2)
    out = [b.step(0.1) for _ in range(5)]
    b.v = 2 ** 62
    out.append(b.step(3))
    return out, b.x, b.v


def scenario_dict_backed_instances():
    b = pickle.loads(pickle.dumps(Body(1.0, 0.5)))
    c = Body(2.0, 1.0)
    c.__dict__["extra"] = 1       # c's dict exists from here on
    out = []
    for o in (b, c, b, c):
        out.append(o.step(0.25))
    vars(b)["x"] = 100.0
    out.append(b.step(1.0))
    return out, vars(b), vars(c)


class Fallback:
    def __init__(self):
        self.a = 1

    def __getattr__(self, name):
        return ("dyn", name)

    def total(self):
        return self.a + self.a * 2


def scenario_dict_backed_missing_attribute():
    f = Fallback()
    f.__dict__
    r1 = f.total()
    del f.a
    r2 = f.total() if False else f.a
    f.a = 5
    return r1, r2, f.total()


def scenario_class_attribute_added_later():
    b = Body(1.0, 1.0)
    b.__dict__
    first = b.step(1.0)
    Body.x = property(lambda self: 42.0, lambda self, v: LOG.append(v))
    try:
        second = b.step(1.0)
    finally:
        del Body.x
    return first, second, b.step(1.0)
