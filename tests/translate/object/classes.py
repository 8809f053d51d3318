"""Classes: methods, properties, static and class methods, dunders,
inheritance with super(), and the introspection of swapped-in methods."""
import copy
import inspect
import pickle


class Vec:
    """A 2-d vector."""

    count = 0

    def __init__(self, x, y=0.0):
        self.x = x
        self.y = y
        Vec.count += 1

    def __repr__(self):
        return f"Vec({self.x!r}, {self.y!r})"

    def __eq__(self, other):
        if not isinstance(other, Vec):
            return NotImplemented
        return self.x == other.x and self.y == other.y

    def __hash__(self):
        return hash((self.x, self.y))

    def __lt__(self, other):
        return (self.x, self.y) < (other.x, other.y)

    def __add__(self, other):
        return type(self)(self.x + other.x, self.y + other.y)

    def __mul__(self, k):
        return type(self)(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __iter__(self):
        yield_free = [self.x, self.y]
        return iter(yield_free)

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return (self.x, self.y)[i]

    def __bool__(self):
        return bool(self.x or self.y)

    def dot(self, other, *, scale=1):
        """The dot product, scaled."""
        return (self.x * other.x + self.y * other.y) * scale

    @property
    def norm2(self):
        """Squared length."""
        return self.dot(self)

    @property
    def first(self):
        return self.x

    @first.setter
    def first(self, value):
        if value < 0:
            raise ValueError("negative")
        self.x = value

    @staticmethod
    def origin():
        return Vec(0, 0)

    @classmethod
    def unit(cls, axis=0):
        return cls(1, 0) if axis == 0 else cls(0, 1)


class Vec3(Vec):
    def __init__(self, x, y=0.0, z=0.0):
        super().__init__(x, y)
        self.z = z

    def __repr__(self):
        return super().__repr__()[:-1] + f", {self.z!r})"

    def dot(self, other, *, scale=1):
        base = super(Vec3, self).dot(other, scale=scale)
        return base + self.z * getattr(other, "z", 0) * scale


class Counter:
    __slots__ = ("n", "step")

    def __init__(self, step=1):
        self.n = 0
        self.step = step

    def __call__(self):
        self.n += self.step
        return self.n

    def __next__(self):
        if self.n >= 5:
            raise StopIteration
        return self()

    def __iter__(self):
        return self


class Node:
    def __init__(self, value, children=()):
        self.value = value
        self.children = list(children)
        self.parent = None
        for c in self.children:
            c.parent = self

    def walk(self):
        out = [self.value]
        for c in self.children:
            out.extend(c.walk())
        return out

    def depth(self):
        d = 0
        node = self
        while node.parent is not None:
            node = node.parent
            d += 1
        return d

    def find(self, value):
        if self.value == value:
            return self
        for c in self.children:
            hit = c.find(value)
            if hit is not None:
                return hit
        return None


def scenario_vectors():
    a, b = Vec(1, 2), Vec(3.5, -1)
    c = a + b
    s = sorted([b, a, c, Vec.origin()])
    return (c, 2 * a, a * 3, s, a == Vec(1, 2), a != b, a == 5,
            hash(a) == hash(Vec(1, 2)), list(a), len(a), a[1], bool(Vec(0)),
            a.dot(b, scale=2), a.norm2, Vec.unit(1), Vec3.unit())


def scenario_properties():
    v = Vec(1, 2)
    v.first = 10
    out = [v.first, v.x]
    try:
        v.first = -1
    except ValueError as e:
        out.append(str(e))
    out.append(Vec.norm2.__doc__)
    out.append(type(Vec.__dict__["origin"]).__name__)
    return out


def scenario_inheritance():
    p = Vec3(1, 2, 3)
    q = Vec3(4, 5, 6)
    return (repr(p), p.dot(q), p.dot(Vec(1, 1), scale=10), isinstance(p, Vec),
            p + q, Vec3.count - Vec.count)


def scenario_slots_and_call():
    c = Counter(2)
    seen = [c(), c(), list(Counter())]
    try:
        c.other = 1
    except AttributeError as e:
        seen.append(type(e).__name__)
    return seen, c.n


def scenario_tree():
    t = Node(1, [Node(2, [Node(4)]), Node(3)])
    hit = t.find(4)
    return t.walk(), hit.depth(), hit.parent.value, t.find(9)


def scenario_introspection():
    f = Vec.dot
    sig = str(inspect.signature(f))
    bound = Vec(1, 2).dot
    out = [f.__name__, f.__qualname__, f.__doc__, f.__module__ == __name__,
           f.__kwdefaults__, f.__defaults__, Vec.__init__.__defaults__,
           sig, str(inspect.signature(bound)), bound.__name__,
           inspect.unwrap(f).__name__, callable(f)]
    f.tag = "set"
    out.append(Vec.dot.tag)
    out.append(Vec.dot.__dict__.get("tag"))
    del f.tag
    out.append(hasattr(Vec.dot, "tag"))
    return out


def scenario_pickle_copy():
    v = Vec3(1, 2, 3)
    w = pickle.loads(pickle.dumps(v))
    f = pickle.loads(pickle.dumps(Vec.dot))
    return (w, w == v, f is Vec.dot, copy.deepcopy(v), copy.copy(Vec.dot) is
            Vec.dot)


def scenario_subclass_and_patch():
    class Mine(Vec):
        def dot(self, other, *, scale=1):
            return -super().dot(other, scale=scale)

    m = Mine(1, 2)
    r1 = m.dot(Vec(1, 1))
    old = Vec.dot
    Vec.dot = lambda self, other, *, scale=1: 42
    try:
        r2 = (Vec(1, 1).dot(Vec(2, 2)), m.dot(Vec(0, 0)))
    finally:
        Vec.dot = old
    return r1, r2, Vec(1, 1).dot(Vec(2, 2))


class Interned:
    _cache = {}

    def __new__(cls, name):
        if name in cls._cache:
            return cls._cache[name]
        self = super().__new__(cls)
        self.name = name
        cls._cache[name] = self
        return self

    def __eq__(self, other):
        return isinstance(other, Interned) and self.name == other.name


class Plugin:
    registry = []

    def __init_subclass__(cls, kind="plain", **kw):
        super().__init_subclass__(**kw)
        Plugin.registry.append((cls.__name__, kind))


class Loud(Plugin, kind="loud"):
    pass


def scenario_new_and_hash():
    a, b = Interned("x"), Interned("x")
    try:
        hash(a)
        hashable = True
    except TypeError as e:
        hashable = str(e)
    return (a is b, a == b, Interned.__hash__, hashable,
            type(Interned.__dict__["__new__"]).__name__,
            type(Plugin.__dict__["__init_subclass__"]).__name__,
            Plugin.registry)


class Bad:
    def __init__(self, v):
        self.v = v
        return v


class Shape:
    __slots__ = ("w", "h")

    def __init__(self, w, h=1):
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h


class Meta(type):
    def __call__(cls, *args, **kw):
        obj = super().__call__(*args, **kw)
        obj.via_meta = True
        return obj


class Made(metaclass=Meta):
    def __init__(self, v):
        self.v = v


def build_shapes(n):
    # C(...) from native code: the class's own __init__, native, called
    # without the argument tuple
    return [Shape(i, h=2).area() + Shape(i).area() for i in range(n)]


def make_bad(v):
    return Bad(v)


def make_made(v):
    m = Made(v)
    return m.v, getattr(m, "via_meta", False)


def scenario_construction():
    out = [build_shapes(4)]
    for v in (None, 3, "s"):
        try:
            out.append(type(make_bad(v)).__name__)
        except TypeError as e:
            out.append(str(e))
    try:
        Shape()
    except TypeError as e:
        out.append(str(e))
    try:
        build_shapes_wrong()
    except TypeError as e:
        out.append(str(e))
    out.append(make_made(5))
    old = Shape.__init__

    def init2(self, w, h=1):
        self.w = -w
        self.h = h
    Shape.__init__ = init2
    try:
        out.append(build_shapes(3))
    finally:
        Shape.__init__ = old
    out.append(build_shapes(3))

    class Tall(Shape):
        __slots__ = ()

        def __init__(self, w):
            super().__init__(w, 10)
    out.append(Tall(3).area())

    class Fresh(Shape):
        __slots__ = ()

        def __new__(cls, w, h=1):
            obj = super().__new__(cls)
            obj.w = 100
            return obj
    out.append(Fresh(2).area())
    return out


def build_shapes_wrong():
    return Shape(1, 2, 3)
