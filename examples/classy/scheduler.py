"""A discrete-event scheduler simulation: tasks with dependencies, a
priority queue of events, workers (an object graph with methods)."""

import heapq


class Task:
    def __init__(self, tid, cost, deps):
        self.tid = tid
        self.cost = cost
        self.deps = deps
        self.waiting = len(deps)
        self.children = []
        self.done_at = None

    def __lt__(self, other):
        return (self.cost, self.tid) < (other.cost, other.tid)

    def __repr__(self):
        return "Task(%d)" % self.tid


class Worker:
    def __init__(self, wid, speed):
        self.wid = wid
        self.speed = speed
        self.busy_until = 0.0
        self.log = []

    def run(self, task, now):
        start = max(now, self.busy_until)
        self.busy_until = start + task.cost / self.speed
        self.log.append(task.tid)
        return self.busy_until


class Simulation:
    def __init__(self, tasks, workers):
        self.tasks = tasks
        self.workers = workers
        self.ready = []
        self.events = []
        for t in tasks:
            for d in t.deps:
                tasks[d].children.append(t)
            if not t.deps:
                heapq.heappush(self.ready, t)

    def idle_worker(self, now):
        best = None
        for w in self.workers:
            if best is None or w.busy_until < best.busy_until:
                best = w
        return best

    def step(self, now):
        while self.ready:
            task = heapq.heappop(self.ready)
            w = self.idle_worker(now)
            end = w.run(task, now)
            heapq.heappush(self.events, (end, task.tid))
        if not self.events:
            return None
        end, tid = heapq.heappop(self.events)
        task = self.tasks[tid]
        task.done_at = end
        for c in task.children:
            c.waiting -= 1
            if c.waiting == 0:
                heapq.heappush(self.ready, c)
        return end

    def run(self):
        now = 0.0
        while True:
            t = self.step(now)
            if t is None:
                return now
            now = t


def make_tasks(n, seed):
    tasks = []
    x = seed
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        k = x % 3 if i > 3 else 0
        deps = sorted({(x >> (4 + j)) % i for j in range(k)}) if i else []
        tasks.append(Task(i, 1.0 + (x % 97) / 10.0, deps))
    return tasks


if __name__ == "__main__":
    total = 0.0
    for seed in range(24):
        sim = Simulation(make_tasks(4000, seed),
                         [Worker(w, 1.0 + w * 0.5) for w in range(4)])
        end = sim.run()
        total += end
        print("seed %d: makespan %.3f, first %s" % (
            seed, end, sim.workers[0].log[:3]))
    print("total %.3f" % total)
