"""Arithmetic results stored into attributes (obj.rs setattr_v): a float
the instance alone holds may take the new value in place; every other
holder of the old float (a local, a list, another attribute, a constant
of the function, a caller's argument) must still see the old value, and
the types (float subclasses, ints, bools) must be CPython's."""


class FloatSub(float):
    pass


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def step(self, dx, dy):
        self.x = (self.x + dx) % 1000.0
        self.y = self.y * 0.5 + dy

    def push(self, dx):
        self.x += dx * 2.0
        self.y -= dx
        return self.x


class Slotted:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def step(self, dx, dy):
        self.x = self.x + dx * 1.0
        self.y -= dy * 2.0


def reset(p):
    p.x = 0.0
    p.x += 1.5
    return p.x


def scenario_values_and_types():
    p = Point(1.0, 2.0)
    out = []
    for i in range(5):
        p.step(0.25 * i, -1.0)
        out.append((p.x, p.y, type(p.x).__name__, type(p.y).__name__))
    p.push(3.0)
    return out, p.x, p.y


def scenario_old_value_kept_by_holders():
    p = Point(1.0, 2.0)
    a = Point(0.0, 0.0)
    p.step(0.5, 0.5)
    held = p.x
    held_list = [p.y]
    p.step(1.0, 1.0)
    a.x = p.x
    p.push(2.0)
    return held, held_list, p.x, p.y, a.x, held is not p.x


def scenario_shared_between_instances():
    a = Point(2.5, 1.0)
    b = Point(0.0, 0.0)
    b.x = a.x
    a.step(1.0, 0.0)
    b.push(1.0)
    return a.x, b.x, a.y, b.y


def scenario_constant_not_changed():
    p = Point(5.0, 5.0)
    r1 = reset(p)
    p.step(2.0, 2.0)
    r2 = reset(p)
    q = Point(1.0, 1.0)
    return r1, r2, reset(q), p.x, q.x


def scenario_argument_of_caller():
    p = Point(1.0, 1.0)
    p.step(0.5, 0.5)
    v = p.x
    w = p.push(v)
    return v, w, p.x, p.y


def scenario_subclass_int_bool():
    p = Point(FloatSub(1.5), True)
    p.step(1.0, 1)
    r1 = (p.x, type(p.x).__name__, p.y, type(p.y).__name__)
    q = Point(3, 4)
    q.push(1)
    r2 = (q.x, type(q.x).__name__, q.y, type(q.y).__name__)
    q.push(0.5)
    r3 = (q.x, type(q.x).__name__, q.y, type(q.y).__name__)
    return r1, r2, r3


def scenario_special_values():
    p = Point(float("inf"), -0.0)
    p.step(float("-inf"), -0.0)
    r = (repr(p.x), repr(p.y))
    p.y = -0.0
    p.push(-0.0)
    return r, repr(p.x), repr(p.y)


def scenario_slots_and_dict():
    s = Slotted(1.0, 2.0)
    kept = s.y
    s.step(0.5, 0.25)
    s.step(0.5, 0.25)
    p = Point(1.0, 2.0)
    d = vars(p)
    p.step(1.0, 1.0)
    before = dict(d)
    p.push(1.0)
    return s.x, s.y, kept, before, d, vars(p) is d


def scenario_errors():
    p = Point(1.0, "s")
    try:
        p.step(1.0, 1.0)
    except TypeError as e:
        err = str(e)
    return err, p.x, p.y
