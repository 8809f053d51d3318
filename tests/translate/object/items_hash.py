"""list[i] = v with an int index (obj.rs setitem's in-place store) and
hash(x) answered without the call (builtin_hash's body): negative and
out-of-range indexes, bools and int subclasses as indexes, list
subclasses, the old item released after the store (its __del__ sees the
new item in place), and hash of strs, ints, floats, tuples, unhashables,
__hash__ returning what CPython must convert or reject."""


class Noisy:
    log = []

    def __init__(self, name, home):
        self.name = name
        self.home = home

    def __del__(self):
        Noisy.log.append((self.name, list(self.home)))


class IntSub(int):
    pass


class MyList(list):
    def __setitem__(self, i, v):
        super().__setitem__(i, ("wrapped", v))


class H:
    def __init__(self, h):
        self.h = h

    def __hash__(self):
        return self.h


class Key:
    def __init__(self, name):
        self.name = name

    def __hash__(self):
        return hash(self.name)

    def __eq__(self, other):
        return isinstance(other, Key) and self.name == other.name


def put(xs, i, v):
    xs[i] = v
    return xs


def catch(f, *args):
    try:
        return ("ok", f(*args))
    except Exception as e:
        return (type(e).__name__, str(e))


def scenario_store():
    out = []
    for i in [0, 2, -1, -3, 3, -4, True, IntSub(1), 10 ** 30, "1", 1.0]:
        out.append(catch(put, [1, 2, 3], i, "v"))
    out.append(catch(put, MyList([1, 2]), 0, 9))
    out.append(catch(put, (1, 2), 0, 9))
    d = {}
    out.append(catch(put, d, 5, 6))
    grid = [[0] * 3 for _ in range(3)]
    for r in range(3):
        for c in range(3):
            grid[r][c] = r * 3 + c
    grid[1][-1] = grid[-1][1]
    out.append(grid)
    return out


def scenario_release_after_store():
    Noisy.log.clear()
    home = [None, None]
    home[0] = Noisy("a", home)
    home[0] = "new"
    home[1] = Noisy("b", home)
    home[1] = home[0]
    return list(Noisy.log), home


def digest(x):
    return hash(x)


def scenario_hash():
    out = []
    for x in ["", "abc", "\u00e9t\u00e9", 0, 1, -1, -2, 2 ** 61 - 1, 2 ** 61,
              10 ** 40, 1.5, -0.0, float("inf"), (1, "a"), frozenset({1}),
              None, True, H(5), H(-1), H(2 ** 70), IntSub(7)]:
        out.append(catch(digest, x))
    for x in [[1], {}, set(), H("nope"), H(1.5), (1, [2])]:
        out.append(catch(digest, x))
    keys = {Key("k%d" % i): i for i in range(20)}
    out.append(sum(keys[Key("k%d" % i)] for i in range(20)))
    out.append(digest(Key("same")) == digest(Key("same")))
    return out
