"""Generator expressions consumed where they are made: sum, any, all,
min, max, sorted, list, tuple, set and str.join run them inline while the
name is still the builtin. Everything Python shows must stay: values and
their types, float sums in order, which object min/max keep, short
circuits and the side effects before them, errors in the body (the
generator's traceback entry, StopIteration turned into RuntimeError)
and errors of the consumer's own step, walrus targets in the enclosing
function, closures over the generator's variables, and the call Python
makes when the name is rebound in the module or in builtins."""
import builtins

BIG = 2**70
LOG = []


class Loud:
    def __init__(self, v):
        self.v = v

    def __bool__(self):
        LOG.append(self.v)
        print("bool", self.v)
        return bool(self.v)

    def __lt__(self, other):
        return self.v < other.v

    def __gt__(self, other):
        return self.v > other.v

    def __repr__(self):
        return f"Loud({self.v})"


class Key:
    """Equal for the comparison, different objects: min/max keep the
    first of equals."""

    def __init__(self, k, tag):
        self.k = k
        self.tag = tag

    def __lt__(self, other):
        return self.k < other.k

    def __gt__(self, other):
        return self.k > other.k


def totals(rows, k):
    return (sum(r[0] * k for r in rows),
            sum(x for r in rows for x in r if x > k),
            sum(float(x) / 3 for r in rows for x in r),
            sum(x for x in (1, BIG, -BIG, 2)),
            sum(x for x in ()),
            sum(r for r in rows if False))


def mixed_sum(values):
    return sum(v for v in values)


def flags(items):
    return (any(Loud(x) for x in items), all(Loud(x) for x in items),
            any(x > 2 for x in items), all(x > 0 for x in items),
            any(x for x in []), all(x for x in []))


def extremes(keys):
    lo = min(k for k in keys)
    hi = max(k for k in keys)
    return lo, hi, min(k.k for k in keys), max(-k.k for k in keys)


def collections(words):
    return (sorted(w.lower() for w in words),
            list(len(w) for w in words), tuple(w[0] for w in words if w),
            set(w.upper() for w in words), ", ".join(w for w in words),
            "".join(w[::-1] for w in words if len(w) > 2))


def walrus(xs):
    found = any((last := x) > 10 for x in xs)
    return found, last


def closures(xs):
    fs = list((lambda y, x=x: x + y) for x in xs)
    late = list((lambda: x) for x in xs)
    return [f(1) for f in fs], [g() for g in late]


def nested(rows):
    return sum(sum(x for x in r) for r in rows), max(
        min(x for x in r) for r in rows)


def outer_read(xs):
    k = 3
    total = sum(x * k for x in xs)
    k = 10
    return total, sum(x * k for x in xs)


def scenario_sums():
    return totals([[1, 2], [3, 4], [5, 6]], 2)


def scenario_sum_types():
    return (mixed_sum([1, 2.5, True]), mixed_sum([0.1] * 10),
            mixed_sum([1, 2**63, 2**63]), mixed_sum([-0.0]),
            mixed_sum([1.5, 2]), mixed_sum([True, True]))


def scenario_sum_of_lists_fails():
    return mixed_sum([[1], [2]])


def scenario_sum_of_strings_fails():
    return mixed_sum(["a", "b"])


def scenario_flags_short_circuit():
    del LOG[:]
    r1 = flags([1, 2, 3])
    r2 = flags([0, 0, 5])
    return r1, r2, list(LOG)


def scenario_extremes_keep_the_first():
    keys = [Key(2, "a"), Key(1, "b"), Key(2, "c"), Key(1, "d")]
    lo, hi, a, b = extremes(keys)
    return lo.tag, hi.tag, a, b


def scenario_min_of_nothing():
    return min(x for x in [])


def scenario_max_of_nothing():
    return extremes([])


def scenario_extremes_incomparable():
    return mixed_min([1, "a"])


def mixed_min(values):
    return min(v for v in values)


def scenario_collections():
    return collections(["Pear", "apple", "Fig", "", "kiwi"])


def scenario_join_needs_strings():
    return ", ".join(x for x in [1, 2])


def join_items(sep, items):
    return sep.join(x for x in items)


def scenario_join_of_other_separators():
    class Sep(str):
        def join(self, it):
            return "custom:" + str.join(self, it)

    return (join_items(b"-", [b"a", b"b"]), join_items(Sep("+"), "xyz"),
            join_items("", []))


def scenario_set_of_unhashable():
    return set([x] for x in range(3))


def scenario_walrus_binds_outside():
    return walrus([3, 12, 5]), walrus([1, 2])


def scenario_walrus_unbound():
    return walrus([])


def scenario_closures_over_generator_variables():
    return closures([1, 2, 3])


def scenario_nested():
    return nested([[3, 1, 2], [9, 7], [4]])


def scenario_outer_variable():
    return outer_read([1, 2, 3])


def first_of_each(iters):
    return list(next(it) for it in iters)


def scenario_stop_iteration_becomes_runtime_error():
    return first_of_each([iter([1]), iter([])])


def scenario_error_in_body():
    return sum(1 / x for x in [1, 0])


def scenario_error_in_inner_iterable():
    return sum(x for r in [[1], None] for x in r)


def scenario_error_in_first_iterable():
    return sum(x for x in None)


def scenario_bool_raises_stop_iteration():
    class Bad:
        def __bool__(self):
            raise StopIteration("from bool")

    # raised by any()'s own step: not the generator's, not converted
    return any(Bad() for _ in range(2))


def sum_rebound(xs):
    return sum(x for x in xs)


def scenario_module_global_rebound():
    global sum
    try:
        sum = lambda g: ("mine", type(g).__name__, list(g))
        return sum_rebound([1, 2])
    finally:
        del sum


def scenario_builtins_patched():
    real = builtins.max
    try:
        builtins.max = lambda g: ("patched", type(g).__name__)
        r = extremes([Key(1, "a")])
        return r[0].tag, r[1:]
    except Exception as e:
        return type(e).__name__, str(e)
    finally:
        builtins.max = real


def scenario_generator_escapes_through_rebound_name():
    global list
    try:
        list = lambda g: g
        g = first_of_each([iter([1]), iter([2])])
        return type(g).__name__, next(g), next(g)
    finally:
        del list
