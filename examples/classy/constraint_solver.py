"""A finite-domain constraint solver: Variable and Domain objects, binary
constraint classes (not-equal, queen attacks, ordering with a gap),
AC-3 arc consistency and backtracking search that keeps arcs consistent
(MAC) with a minimum-remaining-values choice, on n-queens, seeded graph
colouring and seeded job-shop problems (shortest makespan) (object graph, methods,
dunders, lists and dicts of objects)."""

import random

QUEEN_SIZES = (8, 9, 10)
COLOURING_GRAPHS = 10
COLOURING_NODES = 36
COLOURING_DEGREE = 5
COLOURS = 4
COLOURINGS_WANTED = 300
JOB_PROBLEMS = 10
JOBS = 10
MACHINES = 2
MAX_HORIZON = 40


class Domain:
    """The values a variable may still take (kept sorted)."""

    def __init__(self, values):
        self.values = sorted(values)

    def __len__(self):
        return len(self.values)

    def __iter__(self):
        return iter(self.values)

    def __contains__(self, value):
        return value in self.values

    def __repr__(self):
        return "Domain(%r)" % (self.values,)

    @property
    def empty(self):
        return not self.values

    @property
    def single(self):
        return len(self.values) == 1

    def remove(self, value):
        self.values.remove(value)

    def keep_only(self, value):
        self.values = [value]

    def copy(self):
        d = Domain.__new__(Domain)
        d.values = list(self.values)
        return d


class Variable:
    def __init__(self, name, values):
        self.name = name
        self.domain = Domain(values)
        self.constraints = []

    def __repr__(self):
        return "Variable(%s, %r)" % (self.name, self.domain.values)

    def __eq__(self, other):
        return isinstance(other, Variable) and self.name == other.name

    def __hash__(self):
        return hash(self.name)

    def __lt__(self, other):
        return self.name < other.name

    @property
    def value(self):
        if self.domain.single:
            return self.domain.values[0]
        return None

    def degree(self):
        return len(self.constraints)


class Constraint:
    """A binary constraint between variables a and b."""

    def __init__(self, a, b):
        self.a = a
        self.b = b
        a.constraints.append(self)
        b.constraints.append(self)

    def __repr__(self):
        return "%s(%s, %s)" % (type(self).__name__, self.a.name, self.b.name)

    def other(self, var):
        return self.b if var is self.a else self.a

    def allows(self, x, y):
        raise NotImplementedError

    def check(self, var, value, other_value):
        if var is self.a:
            return self.allows(value, other_value)
        return self.allows(other_value, value)

    def supported(self, var, value):
        for w in self.other(var).domain:
            if self.check(var, value, w):
                return True
        return False

    def revise(self, var):
        """Drop the values of var that have no support; True if any went."""
        removed = False
        for value in list(var.domain):
            if not self.supported(var, value):
                var.domain.remove(value)
                removed = True
        return removed


class NotEqual(Constraint):
    def allows(self, x, y):
        return x != y


class QueensAttack(Constraint):
    def __init__(self, a, b, distance):
        Constraint.__init__(self, a, b)
        self.distance = distance

    def allows(self, x, y):
        return x != y and abs(x - y) != self.distance


class Precedes(Constraint):
    """a + gap <= b, or, when either_way, the two jobs do not overlap."""

    def __init__(self, a, b, gap, either_way=False, back_gap=0):
        Constraint.__init__(self, a, b)
        self.gap = gap
        self.either_way = either_way
        self.back_gap = back_gap

    def allows(self, x, y):
        if x + self.gap <= y:
            return True
        return self.either_way and y + self.back_gap <= x


class Stats:
    def __init__(self):
        self.nodes = 0
        self.revisions = 0
        self.backtracks = 0

    def __iadd__(self, other):
        self.nodes += other.nodes
        self.revisions += other.revisions
        self.backtracks += other.backtracks
        return self

    def __repr__(self):
        return "nodes=%d revisions=%d backtracks=%d" % (
            self.nodes, self.revisions, self.backtracks)


class Problem:
    def __init__(self, name):
        self.name = name
        self.variables = []
        self.by_name = {}
        self.constraints = []
        self.stats = Stats()

    def variable(self, name, values):
        var = Variable(name, values)
        self.variables.append(var)
        self.by_name[name] = var
        return var

    def add(self, constraint):
        self.constraints.append(constraint)
        return constraint

    def arcs(self):
        out = []
        for c in self.constraints:
            out.append((c.a, c))
            out.append((c.b, c))
        return out

    def propagate(self, queue):
        """AC-3 over the arcs in queue; False when some domain empties."""
        pending = set(queue)
        while queue:
            var, c = queue.pop()
            pending.discard((var, c))
            self.stats.revisions += 1
            if c.revise(var):
                if var.domain.empty:
                    return False
                for c2 in var.constraints:
                    if c2 is c:
                        continue
                    arc = (c2.other(var), c2)
                    if arc not in pending:
                        pending.add(arc)
                        queue.append(arc)
        return True

    def choose(self):
        best = None
        best_key = None
        for var in self.variables:
            n = len(var.domain)
            if n == 1:
                continue
            key = (n, -var.degree(), var.name)
            if best is None or key < best_key:
                best, best_key = var, key
        return best

    def save(self):
        return [var.domain.copy() for var in self.variables]

    def restore(self, saved):
        for var, dom in zip(self.variables, saved):
            var.domain = dom

    def assignment(self):
        return {var.name: var.value for var in self.variables}

    def consistent(self):
        for c in self.constraints:
            if not c.allows(c.a.value, c.b.value):
                return False
        return True

    def search(self, limit):
        """All solutions up to limit, each a dict name -> value."""
        solutions = []
        if not self.propagate(self.arcs()):
            return solutions
        self._search(solutions, limit)
        return solutions

    def _search(self, solutions, limit):
        self.stats.nodes += 1
        var = self.choose()
        if var is None:
            if self.consistent():
                solutions.append(self.assignment())
            return
        for value in list(var.domain):
            saved = self.save()
            var.domain.keep_only(value)
            queue = [(c.other(var), c) for c in var.constraints]
            if self.propagate(queue):
                self._search(solutions, limit)
            else:
                self.stats.backtracks += 1
            self.restore(saved)
            if len(solutions) >= limit:
                return


def queens(n):
    p = Problem("queens-%d" % n)
    cols = [p.variable("q%02d" % i, range(n)) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            p.add(QueensAttack(cols[i], cols[j], j - i))
    return p


def colouring(seed, nodes, degree, colours):
    rng = random.Random(seed)
    p = Problem("colour-%d" % seed)
    vs = [p.variable("n%03d" % i, range(colours)) for i in range(nodes)]
    edges = set()
    for i in range(nodes):
        # near neighbours mostly, so the graph stays colourable
        for _ in range(degree // 2):
            j = (i + rng.randint(1, 6)) % nodes
            if i != j:
                edges.add((min(i, j), max(i, j)))
    for i, j in sorted(edges):
        p.add(NotEqual(vs[i], vs[j]))
    # fix the first node's colour to break symmetry
    vs[0].domain.keep_only(0)
    return p


def sequencing(seed, jobs, horizon):
    """Jobs on MACHINES machines: some must precede others, jobs that share
    a machine may not overlap; every job ends by horizon."""
    rng = random.Random(seed)
    p = Problem("jobs-%d" % seed)
    lengths = [rng.randint(1, 4) for _ in range(jobs)]
    machine = [rng.randrange(MACHINES) for _ in range(jobs)]
    starts = [p.variable("j%02d" % i, range(horizon - lengths[i] + 1))
              for i in range(jobs)]
    for i in range(jobs):
        for j in range(i + 1, jobs):
            if rng.random() < 0.2:
                p.add(Precedes(starts[i], starts[j], lengths[i]))
            elif machine[i] == machine[j]:
                p.add(Precedes(starts[i], starts[j], lengths[i], True,
                               lengths[j]))
    return p


def shortest_schedule(seed, jobs):
    """Shrink the horizon until no schedule fits; the last that fitted."""
    horizon = MAX_HORIZON
    best = None
    stats = Stats()
    while horizon > 0:
        p = sequencing(seed, jobs, horizon)
        sols = p.search(1)
        stats += p.stats
        if not sols:
            break
        best = (horizon, sols[0])
        horizon -= 1
    return best, stats


def checksum(solutions):
    h = 0
    for sol in solutions:
        for name in sorted(sol):
            h = (h * 31 + sol[name] + len(name)) % 1000000007
    return h


def main():
    total = Stats()
    for n in QUEEN_SIZES:
        p = queens(n)
        sols = p.search(10 ** 6)
        total += p.stats
        print("%s: %d solutions, checksum %d" % (p.name, len(sols),
                                                checksum(sols)))
    coloured = 0
    for seed in range(COLOURING_GRAPHS):
        p = colouring(seed, COLOURING_NODES, COLOURING_DEGREE, COLOURS)
        sols = p.search(COLOURINGS_WANTED)
        total += p.stats
        coloured += len(sols)
        print("%s: %d edges, %d colourings, checksum %d" % (
            p.name, len(p.constraints), len(sols), checksum(sols)))
    for seed in range(JOB_PROBLEMS):
        (horizon, sol), stats = shortest_schedule(seed, JOBS)
        total += stats
        print("jobs-%d: makespan %d, schedule checksum %d, %r" % (
            seed, horizon, checksum([sol]), stats))
    print("colourings %d; %r" % (coloured, total))


if __name__ == "__main__":
    main()
