"""for x in obj, len(obj) and x in obj on instances of the module's
classes whose __iter__, __len__ or __contains__ is native (obj.rs
dunder, iter_native, len_native, contains): the dunder is entered
directly, and Python's answer must hold for what it returns (a
non-iterator, a negative, huge or non-int length, an int subclass, an
__index__ object, a result whose truth raises), when it raises, when the
class rebinds, deletes or sets the dunder to None, for subclasses, for
a generator __iter__, and for a class without __contains__ (iteration
decides)."""

# a generator __iter__ is Python's own (the loops over it are native)
EXPECT_PYTHON = {"Gen.__iter__": "generator"}


class Bag:
    def __init__(self, items):
        self.items = list(items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __contains__(self, x):
        return x in self.items


class Gen:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            yield i * i


class Odd:
    """Dunders that return what Python must check."""

    def __init__(self, length, it=None, has=None):
        self.length = length
        self.it = it
        self.has = has

    def __len__(self):
        return self.length

    def __iter__(self):
        return self.it

    def __contains__(self, x):
        if isinstance(self.has, Exception):
            raise self.has
        return self.has


class IntSub(int):
    pass


class Index:
    def __index__(self):
        return 7


class BadBool:
    def __bool__(self):
        raise ZeroDivisionError("truth of BadBool")


class OnlyIter:
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)


class SubBag(Bag):
    def __len__(self):
        return 100 + len(self.items)


def total(obj):
    t = 0
    for x in obj:
        t += x
    return t


def size(obj):
    return len(obj)


def has(obj, x):
    return x in obj, x not in obj


def catch(f, *args):
    try:
        r = f(*args)
        return ("ok", r, type(r).__name__)
    except Exception as e:
        return (type(e).__name__, str(e))


def scenario_values():
    b = Bag([3, 1, 4, 1, 5])
    out = [total(b), size(b), has(b, 4), has(b, 9), total(Gen(5)),
           [x for x in Gen(4)], size(Bag([])), has(Bag([]), 1)]
    s = SubBag([1, 2])
    out += [size(s), total(s), has(s, 2), size(b)]
    out += [has(OnlyIter([1, 2, 3]), 2), has(OnlyIter([1, 2, 3]), 5)]
    return out


def scenario_odd_lengths():
    return [catch(size, Odd(n)) for n in
            [0, 5, -1, 2 ** 63, True, IntSub(9), Index(), 2.5, "3", None]]


def scenario_odd_iters():
    out = [catch(total, Odd(0, it=x)) for x in
           [[1, 2], iter([1, 2]), None, 5, Gen(3)]]
    out.append(catch(total, Odd(0, it=iter(Gen(3)))))
    return out


def scenario_odd_contains():
    return [catch(has, Odd(0, has=h), 1) for h in
            [1, 0, "", "x", [], [0], None, BadBool(), KeyError("k"),
             StopIteration()]]


def scenario_rebinding():
    b = Bag([1, 2, 3])
    out = [size(b), total(b), has(b, 2)]
    saved = (Bag.__len__, Bag.__iter__, Bag.__contains__)
    try:
        Bag.__len__ = lambda self: 42
        Bag.__iter__ = lambda self: iter([10, 20])
        Bag.__contains__ = lambda self, x: x == "only"
        out += [size(b), total(b), has(b, 2), has(b, "only")]
        del Bag.__len__, Bag.__contains__
        Bag.__iter__ = None
        out += [catch(size, b), catch(total, b), catch(has, b, 2)]
    finally:
        Bag.__len__, Bag.__iter__, Bag.__contains__ = saved
    out += [size(b), total(b), has(b, 2)]
    return out


def scenario_raises():
    class Boom(Bag):
        def __iter__(self):
            raise ValueError("no iteration")

        def __len__(self):
            raise KeyError("no length")

    return catch(total, Boom([1])), catch(size, Boom([1])), \
        catch(has, Boom([1]), 1)


def scenario_uncaught():
    return total(Odd(0, it=3))


def scenario_alternating():
    out = []
    for i in range(8):
        obj = [Bag([i, 1]), Gen(i), OnlyIter([i]), SubBag([i])][i % 4]
        out.append((total(obj), catch(size, obj), catch(has, obj, i)))
    return out
