"""Recursion: native frames count against the recursion limit as Python
frames do (RecursionError at the same depth), deep recursion past the
native stack budget goes on in Python, and MemoryError and
KeyboardInterrupt keep their Python behaviour."""
import sys

# a probe of the recursion budget that Python itself runs
EXPECT_PYTHON = {"py_budget": "_getframe"}


def depth(n):
    if n == 0:
        return 0
    return depth(n - 1) + 1


def runaway(n):
    return runaway(n + 1)


class Tree:
    def __init__(self, kids=()):
        self.kids = list(kids)

    def size(self):
        return 1 + sum(k.size() for k in self.kids)

    def height(self):
        return 1 + max([k.height() for k in self.kids], default=0)


def chain(n):
    t = Tree()
    for _ in range(n):
        t = Tree([t])
    return t


def scenario_depths():
    return depth(10), depth(500), chain(300).height(), chain(50).size()


def scenario_runaway():
    try:
        runaway(0)
    except RecursionError as e:
        return "RecursionError", str(e)


def scenario_limit_exact():
    # the deepest depth() that fits under a lowered limit is the same
    # (a range wide enough that the answer falls inside it whatever the
    # frames this scenario runs under: pytest's or a script's)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    try:
        best = 0
        for n in range(0, 400):
            try:
                depth(n)
                best = n
            except RecursionError:
                break
        return best
    finally:
        sys.setrecursionlimit(old)


def scenario_deep_beyond_budget():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(5000)
    try:
        return depth(3000)
    finally:
        sys.setrecursionlimit(old)


def py_budget(n=0):
    sys._getframe()
    try:
        return py_budget(n + 1)
    except RecursionError:
        return n


def scenario_no_drift():
    # native calls give back exactly what they take from the thread's
    # recursion budget: returning, raising, and running away into
    # RecursionError (Python's own probe reaches the same depth after)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(300)
    try:
        before = py_budget()
        for _ in range(50):
            depth(100)
        try:
            runaway(0)
        except RecursionError:
            pass
        chain(40).height()
        after = py_budget()
        return before == after, after - before
    finally:
        sys.setrecursionlimit(old)
