"""for loops and comprehension clauses over exact lists and tuples walk
them by index (obj.rs It): every item, its identity, mutation of the
list during the loop, exhaustion, and every other iterable through its
own iterator, as CPython does."""


class MyList(list):
    def __iter__(self):
        LOG.append("iter")
        return iter([0, 1])


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n == 0:
            raise StopIteration
        self.n -= 1
        return self.n


class Broken:
    def __iter__(self):
        return self

    def __next__(self):
        raise ValueError("broken iterator")


LOG = []


def walk(xs):
    out = []
    for x in xs:
        out.append(x)
    return out


def grow_while_walking(xs):
    seen = []
    for x in xs:
        seen.append(x)
        if x < 3:
            xs.append(x + 10)
    return seen, xs


def clear_while_walking(xs):
    seen = []
    for x in xs:
        seen.append(x)
        xs.clear()
    return seen


def shrink_while_walking(xs):
    seen = []
    for x in xs:
        seen.append(x)
        if xs:
            xs.pop(0)
    return seen


def rebind_while_walking(xs):
    seen = []
    for x in xs:
        seen.append(x)
        xs = [99, 98, 97]
    return seen, xs


def comp(xs, ys):
    return [(x, y) for x in xs for y in ys if x != y]


def gen_sum(xs):
    return sum(x * 2 for x in xs)


def scenario_lists_and_tuples():
    a = [1, [2], "three", None]
    t = (1.5, [2], a)
    got_a, got_t = walk(a), walk(t)
    return (got_a, got_t, got_a[1] is a[1], got_t[2] is a, walk([]),
            walk(()), comp([1, 2], (2, 3)), gen_sum((1, 2, 3)),
            gen_sum([0.5]), comp((), [1]))


def scenario_mutation_during_the_loop():
    return (grow_while_walking([1, 2, 5]), clear_while_walking([1, 2, 3]),
            shrink_while_walking([1, 2, 3, 4]),
            rebind_while_walking([1, 2, 3]))


def scenario_other_iterables():
    del LOG[:]
    return (walk(MyList([5, 6])), list(LOG), walk(Countdown(3)),
            walk("ab"), walk(range(3)), walk({"k": 1, "j": 2}),
            walk(x for x in (1, 2)), comp(Countdown(2), "ab"))


def scenario_errors():
    out = []
    for bad in (None, 5, Broken()):
        try:
            walk(bad)
        except (TypeError, ValueError) as e:
            out.append((type(e).__name__, str(e)))
    try:
        comp([1], None)
    except TypeError as e:
        out.append(str(e))
    return out


def scenario_ranges():
    big = 2 ** 62
    return (walk(range(5)), walk(range(10, 0, -3)), walk(range(0)),
            walk(range(5, 5)), walk(range(0, 10, 20)), walk(range(-5, 5, 2)),
            walk(range(big, big + 3)), walk(range(-big, -big - 7, -3)),
            walk(range(2 ** 59, 2 ** 59 + 2)), walk(range(3, -4, -1)),
            comp(range(3), range(1, 3)), gen_sum(range(1000)),
            walk(range(True, 3)), walk(range(1000, 1003))[0] == 1000)
