"""d.get(k) and d.get(k, default) answered by the dict's own look-up
(obj.rs call_method_x: dict's get, PyDict_GetItemWithError) instead of a
call of the method: values and their identity, defaults, subclasses
(with and without their own get, with __missing__), keys that cannot be
hashed or whose __eq__ or __hash__ raise, wrong argument counts and
keywords must all be CPython's."""


class Counting(dict):
    pass


class OwnGet(dict):
    def get(self, k, default=None):
        return ("own", k, default)


class Missing(dict):
    def __missing__(self, k):
        return "missing"


class BadHash:
    def __hash__(self):
        raise ValueError("no hash")


class BadEq:
    def __init__(self, h):
        self.h = h

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        raise RuntimeError("no eq")


def lookups(d, keys, default):
    out = []
    for k in keys:
        out.append(d.get(k))
        out.append(d.get(k, default))
    return out


def count_words(words):
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


def odd_calls(d, k):
    out = []
    for f in (lambda: d.get(), lambda: d.get(k, 1, 2),
              lambda: d.get(k, default=3), lambda: d.get(key=k)):
        try:
            out.append(f())
        except Exception as exc:
            out.append((type(exc).__name__, str(exc)))
    return out


def guarded(d, k):
    try:
        return d.get(k, "dflt")
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def scenario_values_and_identity():
    shared = [1, 2]
    d = {"a": shared, 1: None, (1, 2): "t", 2.5: 0}
    default = ["default"]
    out = lookups(d, ["a", 1, (1, 2), 2.5, "z", 99, True], default)
    return [out, out[0] is shared, out[1] is shared, out[9] is default,
            lookups({}, [1], default)[1] is default]


def scenario_subclasses():
    c = Counting(a=1)
    o = OwnGet(a=1)
    m = Missing(a=1)
    return [lookups(c, ["a", "b"], 0), lookups(o, ["a", "b"], 0),
            lookups(m, ["a", "b"], 0)]


def scenario_bad_keys():
    d = {1: "one", BadEq(7): "x"}
    return [guarded(d, [1]), guarded(d, {}), guarded(d, BadHash()),
            guarded(d, BadEq(7)), guarded(d, BadEq(8)), guarded(d, 1)]


def scenario_counts():
    words = ("the cat and the hat and the bat " * 50).split()
    return sorted(count_words(words).items())


def scenario_odd_calls():
    return [odd_calls({"k": 1}, "k"), odd_calls({}, "k")]


def scenario_not_a_dict():
    class HasGet:
        def get(self, k, default=None):
            return (k, default)
    out = []
    for obj in (HasGet(), [1, 2]):
        try:
            out.append(lookups(obj, [0], "d"))
        except Exception as exc:
            out.append((type(exc).__name__, str(exc)))
    return out
