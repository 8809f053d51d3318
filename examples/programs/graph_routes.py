"""Route planning on a weighted grid-city graph: BFS, Dijkstra, connected
components, and a cached route query service.

Covers: a Graph class with __len__/__iter__/__contains__/__getitem__,
a Node class with __eq__/__hash__/__lt__/__repr__, heapq with tuples,
closures (a memoizing decorator with a hit counter via nonlocal),
generator expressions, set/dict comprehensions, exceptions (NoRoute),
a module counter with `global`.
"""

import heapq
from collections import deque

INF = float("inf")
GRID_W = 36
GRID_H = 28
BLOCKED_EVERY = 7

queries_answered = 0


class NoRoute(Exception):
    def __init__(self, src, dst):
        super().__init__(f"no route from {src} to {dst}")
        self.src = src
        self.dst = dst


class Node:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __eq__(self, other):
        return self.x == other.x and self.y == other.y

    def __hash__(self):
        return hash((self.x, self.y))

    def __lt__(self, other):
        return (self.y, self.x) < (other.y, other.x)

    def __repr__(self):
        return f"({self.x},{self.y})"

    def manhattan(self, other):
        return abs(self.x - other.x) + abs(self.y - other.y)


class Graph:
    def __init__(self, directed=False):
        self.directed = directed
        self.adj = {}
        self.edge_count = 0

    def add_node(self, node):
        self.adj.setdefault(node, {})

    def add_edge(self, a, b, weight=1):
        self.add_node(a)
        self.add_node(b)
        self.adj[a][b] = weight
        if not self.directed:
            self.adj[b][a] = weight
        self.edge_count += 1

    def __len__(self):
        return len(self.adj)

    def __iter__(self):
        return iter(self.adj)

    def __contains__(self, node):
        return node in self.adj

    def __getitem__(self, node):
        return self.adj[node]

    def neighbors(self, node):
        return sorted(self.adj[node])

    def bfs(self, start):
        dist = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt in self.adj[node]:
                if nxt not in dist:
                    dist[nxt] = dist[node] + 1
                    queue.append(nxt)
        return dist

    def dijkstra(self, start, goal=None):
        dist = {start: 0}
        prev = {}
        heap = [(0, start)]
        done = set()
        while heap:
            d, node = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            if node == goal:
                break
            for nxt, w in self.adj[node].items():
                nd = d + w
                if nd < dist.get(nxt, INF):
                    dist[nxt] = nd
                    prev[nxt] = node
                    heapq.heappush(heap, (nd, nxt))
        return dist, prev

    def path(self, start, goal):
        dist, prev = self.dijkstra(start, goal)
        if goal not in dist:
            raise NoRoute(start, goal)
        out = [goal]
        while out[-1] != start:
            out.append(prev[out[-1]])
        out.reverse()
        return dist[goal], out

    def components(self):
        seen = set()
        comps = []
        for node in sorted(self.adj):
            if node in seen:
                continue
            comp = set(self.bfs(node))
            seen |= comp
            comps.append(comp)
        return comps

    def degree_histogram(self):
        hist = {}
        for node in self:
            d = len(self[node])
            hist[d] = hist.get(d, 0) + 1
        return dict(sorted(hist.items()))


def memoize(fn):
    cache = {}
    hits = 0

    def wrapper(*args):
        nonlocal hits
        if args in cache:
            hits += 1
            return cache[args]
        result = cache[args] = fn(*args)
        return result

    wrapper.stats = lambda: (hits, len(cache))
    return wrapper


def build_city(w=GRID_W, h=GRID_H):
    g = Graph()
    for y in range(h):
        for x in range(w):
            here = Node(x, y)
            g.add_node(here)
            if (x * 3 + y * 5) % BLOCKED_EVERY == 0 and x % 4 != 0:
                continue  # a blocked intersection: no roads out east/south
            cost = 1 + (x * y) % 4
            if x + 1 < w:
                g.add_edge(here, Node(x + 1, y), cost)
            if y + 1 < h and x % 3 != 2:
                g.add_edge(here, Node(x, y + 1), 2 + (x + y) % 3)
    # A few isolated islands
    for k in range(3):
        a, b = Node(100 + k, 0), Node(100 + k, 1)
        g.add_edge(a, b, 1)
    return g


class RouteService:
    def __init__(self, graph):
        self.graph = graph
        self.failures = 0
        self.route = memoize(self._route)

    def _route(self, src, dst):
        return self.graph.path(src, dst)

    def query(self, src, dst):
        global queries_answered
        try:
            cost, path = self.route(src, dst)
        except NoRoute:
            self.failures += 1
            return None
        else:
            queries_answered += 1
            return cost, len(path)


def main():
    g = build_city()
    print(f"city: {len(g)} nodes, {g.edge_count} edges")
    print("degrees:", g.degree_histogram())
    comps = g.components()
    sizes = sorted((len(c) for c in comps), reverse=True)
    print("components:", len(comps), "largest:", sizes[:3])
    origin = Node(0, 0)
    hops = g.bfs(origin)
    far = max(hops, key=lambda n: (hops[n], n))
    print("bfs reach:", len(hops), "farthest:", far, hops[far])
    service = RouteService(g)
    pairs = []
    x = 17
    for i in range(260):
        x = (x * 69069 + 1) % (2 ** 32)
        a = Node(x % GRID_W, (x >> 8) % GRID_H)
        b = Node((x >> 16) % GRID_W, (x >> 24) % GRID_H)
        if i % 25 == 0:
            b = Node(101, 1)
        pairs.append((a, b))
    pairs += pairs[:60]
    results = [service.query(a, b) for a, b in pairs]
    found = [r for r in results if r is not None]
    print("routes: %d found, %d failed" % (len(found), service.failures))
    print("total cost:", sum(c for c, _ in found), "mean hops: %.3f"
          % (sum(n for _, n in found) / len(found)))
    print("cache hits/size:", service.route.stats())
    print("queries answered:", queries_answered)
    cost, path = g.path(Node(0, 0), Node(GRID_W - 1, GRID_H - 1))
    print("corner to corner:", cost, len(path), path[:4], "...", path[-2:])
    stretch = [c / max(1, a.manhattan(b)) for (a, b), r in zip(pairs, results)
               if r is not None for c in (r[0],)]
    print("max stretch: %.3f" % max(stretch))
    assert Node(1, 2) in g and Node(500, 500) not in g
    assert {n for n in g.neighbors(Node(1, 1))} <= set(g)
    try:
        g.path(Node(0, 0), Node(102, 0))
    except NoRoute as e:
        print("error:", e)


if __name__ == "__main__":
    main()
