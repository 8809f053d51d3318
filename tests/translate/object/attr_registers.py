"""Loops that keep float attributes of one object in registers (oemit.c
hoist_plan / hoist_loop, obj.rs hoist_slot): for i in range(n) with
self.x += self.vx * dt and the like. Whatever the loop meets (no
iterations, an exception half way, ints, float subclasses, Fractions,
properties, __setattr__, __slots__, an instance dict, a shared float,
more iterations than one signal check), the attributes, locals, results,
exceptions and identities must be CPython's."""

import math
import signal
import types
from fractions import Fraction

LOG = []


class Body:
    def __init__(self, x, vx, ax):
        self.x = x
        self.vx = vx
        self.ax = ax

    def run(self, n, dt):
        for _ in range(n):
            self.vx += self.ax * dt
            self.x += self.vx * dt
        return self.x

    def damp(self, n, k):
        e = 0.0
        for i in range(n):
            s = self.vx * k
            self.vx = self.vx - s / (i + 1)
            e = e + s * s
        return e, s, i

    def ramp(self, n):
        for i in range(n):
            self.x = self.x + i * 0.5
            self.vx -= -self.x / (i + 1)
        return self.x, self.vx

    def blow(self, n, k):
        for i in range(n):
            self.x += 1.0 / (k - i)
        return self.x

    def grow(self, n):
        g = 3
        for i in range(n):
            g = g * 3
            self.x += g * 1.0
        return g

    def to_int(self, n):
        for i in range(n):
            self.x = i + 1
        return self.x

    def pair(self, other, n):
        for i in range(n):
            self.x += other.x * 0.5
        return self.x


class Sat:
    def __init__(self, x, y, vx, vy):
        self.x, self.y, self.vx, self.vy = x, y, vx, vy

    def orbit(self, steps, dt, gm):
        for _ in range(steps):
            r = math.sqrt(self.x * self.x + self.y * self.y)
            a = -gm / (r * r * r)
            self.vx += a * self.x * dt
            self.vy += a * self.y * dt
            self.x += self.vx * dt
            self.y += self.vy * dt
        return self.x, self.y

    def count_up(self, n):
        for _ in range(n):
            self.x += 1.0
            self.vx += 2.0
        return self.x

    def until(self, t_end, dt):
        t = 0.0
        while t < t_end:
            self.vx -= self.x * dt
            self.x += self.vx * dt
            t += dt
        return t

    def until_int(self, n):
        i = 0
        while i != n:
            self.x = self.x * 0.5 + 1.0
            i += 1
        return i

    def fall(self, n):
        for _ in range(n):
            self.y -= 1.0
            self.x += math.sqrt(self.y)
        return self.x

    def roots(self, n, shift):
        for i in range(n):
            self.x += math.sqrt(i - shift) + math.sqrt(self.y)
        return self.x


class FakeMath:
    def sqrt(self, v):
        LOG.append(("sqrt", v))
        return 2.0


def fake_sqrt(v):
    LOG.append(("fake", v))
    return 3.0


class Slotted:
    __slots__ = ("x", "vx", "ax")

    def __init__(self, x, vx, ax):
        self.x = x
        self.vx = vx
        self.ax = ax

    def run(self, n, dt):
        for _ in range(n):
            self.vx += self.ax * dt
            self.x += self.vx * dt
        return self.x


class WithProperty(Body):
    @property
    def ax(self):
        LOG.append("ax read")
        return -0.25

    @ax.setter
    def ax(self, v):
        LOG.append(("ax set", v))


class Logged(Body):
    def __setattr__(self, name, v):
        LOG.append((name, v))
        object.__setattr__(self, name, v)


class Loud:
    def __init__(self, v):
        self.v = v

    def __rmul__(self, o):
        LOG.append(("rmul", o))
        return o * self.v


def scenario_values():
    b = Body(0.0, 1.0, -0.5)
    r = b.run(50000, 0.001)
    d = b.damp(3000, 0.01)
    q = Body(1.5, -2.0, 0.0)
    return r, b.x, b.vx, b.ax, d, q.ramp(40), q.x, q.vx


def scenario_no_iterations_keeps_objects():
    b = Body(1.25, 2.5, 3.75)
    x, vx, ax = b.x, b.vx, b.ax
    b.run(0, 0.1)
    same = (x is b.x, vx is b.vx, ax is b.ax)
    b.run(3, 0.1)
    return same, ax is b.ax, x is b.x, b.x, b.vx


def scenario_holders_keep_old_values():
    b = Body(1.0, 2.0, 0.5)
    held = [b.x, b.vx]
    other = Body(b.x, 0.0, 0.0)
    b.run(10, 0.5)
    return held, other.x, b.x, b.vx, other.x is held[0]


def scenario_exception_half_way():
    b = Body(0.0, 0.0, 0.0)
    try:
        b.blow(10, 4)
    except ZeroDivisionError as e:
        err = repr(e)
    return err, b.x


def scenario_int_overflowing_float():
    b = Body(0.5, 0.0, 0.0)
    try:
        b.grow(1000)
    except OverflowError as e:
        err = str(e)
    g = Body(0.5, 0.0, 0.0).grow(20)
    return err, b.x, g


def scenario_int_attributes_and_stores():
    b = Body(1, 2, 3)
    r1 = (b.run(5, 2), type(b.x).__name__, type(b.vx).__name__)
    c = Body(1.0, 2.0, 3.0)
    r2 = (c.to_int(4), type(c.x).__name__)
    d = Body(1.0, 2, 3.0)
    r3 = (d.run(5, 0.5), type(d.vx).__name__)
    return r1, r2, r3


def scenario_other_operand_types():
    del LOG[:]
    b = Body(1.0, 1.0, 0.5)
    r1 = b.run(4, Fraction(1, 4))
    c = Body(1.0, 1.0, 0.5)
    r2 = c.run(3, Loud(2.0))
    d = Body(True, 1.0, 0.5)
    r3 = d.run(3, 1)
    return r1, type(r1).__name__, r2, type(b.vx).__name__, r3, list(LOG)


class F(float):
    pass


def scenario_float_subclass():
    b = Body(F(1.0), F(2.0), 0.5)
    r = b.run(3, 1.0)
    return r, type(b.x).__name__, type(b.vx).__name__


def scenario_property_and_setattr():
    del LOG[:]
    p = WithProperty(0.0, 1.0, None)
    r1 = p.run(3, 1.0)
    q = Logged(0.0, 1.0, 2.0)
    r2 = q.run(3, 0.5)
    return r1, r2, list(LOG)


def scenario_slots_and_instance_dict():
    s = Slotted(0.0, 1.0, -1.0)
    r1 = s.run(100, 0.01)
    b = Body(0.0, 1.0, -1.0)
    d = vars(b)
    r2 = b.run(100, 0.01)
    return r1, s.x, s.vx, r2, d, vars(b) is d


def scenario_special_floats():
    b = Body(float("inf"), -0.0, -0.0)
    b.run(3, 1.0)
    c = Body(0.0, float("nan"), 1.0)
    c.run(2, 1.0)
    return repr(b.x), repr(b.vx), repr(c.x), repr(c.vx)


def scenario_past_signal_checks():
    b = Body(0.0, 0.0, 1e-9)
    r = b.run(70000, 0.5)
    e = b.damp(40000, 1e-3)
    return r, b.vx, e


def scenario_two_objects_and_aliases():
    a = Body(1.0, 0.0, 0.0)
    r1 = a.pair(a, 5)
    b = Body(1.0, 0.0, 0.0)
    c = Body(2.0, 0.0, 0.0)
    r2 = b.pair(c, 5)
    return r1, r2, a.x, b.x, c.x


def scenario_unbound_and_reused_locals():
    b = Body(1.0, 2.0, 3.0)
    e, s, i = b.damp(5, 0.5)
    try:
        Body(1.0, 2.0, 3.0).damp(0, 0.5)
    except UnboundLocalError as ex:
        err = str(ex)
    return e, s, i, err


def scenario_exception_traceback():
    b = Body(1.0, 0.0, 0.0)
    b.blow(6, 3)
    return b.x


def scenario_sqrt_in_the_loop():
    s = Sat(1.0, 0.0, 0.0, 1.0)
    r1 = s.orbit(30000, 0.001, 1.0)
    q = Sat(0.0, 4.0, 0.0, 0.0)
    r2 = q.roots(5, 0)
    w = Sat(0.0, -0.0, 0.0, 0.0)
    r3 = w.roots(3, 0)
    return r1, s.vx, s.vy, r2, repr(r3)


def scenario_sqrt_domain_error_half_way():
    q = Sat(0.0, 1.0, 0.0, 0.0)
    try:
        q.roots(10, 4 - 10)
        q.roots(10, 3)
    except ValueError as e:
        err = str(e)
    f = Sat(0.0, 3.0, 0.0, 0.0)
    try:
        f.fall(10)
    except ValueError as e:
        err3 = (str(e), f.x, f.y)
    big = Sat(0.0, 1.0, 0.0, 0.0)
    try:
        big.roots(3, -(10 ** 400))
    except OverflowError as e:
        err2 = str(e)
    return err, q.x, err2, big.x, err3, Sat(0.0, 3.0, 0.0, 0.0).fall(3)


def scenario_sqrt_rebound():
    global math
    del LOG[:]
    saved = math
    out = []
    mod = types.ModuleType("math")
    mod.sqrt = fake_sqrt
    try:
        for m in (FakeMath(), mod):
            math = m
            out.append(Sat(0.0, 9.0, 0.0, 0.0).roots(3, 0))
    finally:
        math = saved
    real = math.sqrt
    math.sqrt = fake_sqrt
    try:
        out.append(Sat(0.0, 4.0, 0.0, 0.0).roots(2, 0))
    finally:
        math.sqrt = real
    out.append(Sat(0.0, 4.0, 0.0, 0.0).roots(2, 0))
    return out, list(LOG)


def scenario_while_loops():
    s = Sat(1.0, 0.0, 0.0, 0.0)
    t = s.until(30.0, 0.001)
    r1 = (t, s.x, s.vx)
    q = Sat(2.0, 0.0, 0.0, 0.0)
    r2 = (q.until(0.0, 0.5), q.x, q.vx, q.until_int(0), q.until_int(50000), q.x)
    w = Sat(1, 0.0, 0.0, 0.0)
    r3 = (w.until_int(3), w.x, type(w.x).__name__)
    z = Sat(0.0, 0.0, 0.0, 0.0)
    r4 = z.until(float("nan"), 0.5), z.until(2, 1), z.x
    try:
        Sat(0.0, 0.0, 0.0, 0.0).until(1.0, "x")
    except TypeError as e:
        r5 = str(e)
    return r1, r2, r3, r4, r5


class Stop(Exception):
    pass


def _stop(signum, frame):
    raise Stop()


def scenario_interrupted_by_a_signal():
    """A signal handler raising in the middle of a loop holding registers:
    what was stored before the signal check is in the attributes."""
    s = Sat(0.0, 0.0, 0.0, 0.0)
    old = signal.signal(signal.SIGALRM, _stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        try:
            s.count_up(10 ** 12)
            stopped = False
        except Stop:
            stopped = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return stopped, s.x > 0, s.vx == 2 * s.x, s.x == int(s.x)
