"""A discrete-event simulation of a coffee shop: customers arrive, queue,
are served by baristas whose behaviour is a state machine, and sometimes
give up. A fixed seed makes it deterministic.

Covers: a state machine with a transition table filled by a decorator,
an Event class with __lt__/__eq__/__repr__ in a heap, closures as
scheduled callbacks, lambdas, a context manager that suppresses one
exception type, custom exceptions, try/except/else/finally, a global
event counter, class attributes and classmethods, **kwargs, defaults.
"""

import heapq
import random

OPEN_MINUTES = 8 * 60
BREAK_EVERY = 25
MAX_QUEUE = 14
MENU = {"espresso": (1.5, 2.2), "latte": (3.0, 3.4), "mocha": (3.5, 3.9),
        "tea": (1.0, 1.8), "cold brew": (0.5, 4.1)}

events_fired = 0


class IllegalTransition(Exception):
    def __init__(self, machine, event):
        super().__init__(f"{machine.name}: no transition from {machine.state!r} on {event!r}")
        self.state = machine.state
        self.event = event


class ShopClosed(Exception):
    pass


class Event:
    _seq = 0

    def __init__(self, time, action, label=""):
        Event._seq += 1
        self.seq = Event._seq
        self.time = time
        self.action = action
        self.label = label

    def __lt__(self, other):
        return (self.time, self.seq) < (other.time, other.seq)

    def __eq__(self, other):
        return self.time == other.time and self.seq == other.seq

    def __repr__(self):
        return "Event(%.2f, %s)" % (self.time, self.label or "?")


class Simulator:
    def __init__(self, seed=0):
        self.now = 0.0
        self.queue = []
        self.rng = random.Random(seed)
        self.log = []

    def at(self, delay, action, label=""):
        heapq.heappush(self.queue, Event(self.now + delay, action, label))

    def run(self, until):
        global events_fired
        while self.queue and self.queue[0].time <= until:
            ev = heapq.heappop(self.queue)
            self.now = ev.time
            events_fired += 1
            ev.action()
        return len(self.queue)


class StateMachine:
    transitions = {}

    @classmethod
    def on(cls, state, event):
        def register(handler):
            cls.transitions[(state, event)] = handler
            return handler
        return register

    def __init__(self, name, state="idle"):
        self.name = name
        self.state = state
        self.history = []

    def fire(self, event, **data):
        handler = self.transitions.get((self.state, event))
        if handler is None:
            raise IllegalTransition(self, event)
        new_state = handler(self, **data)
        self.history.append((self.state, event, new_state))
        self.state = new_state
        return new_state


class Barista(StateMachine):
    transitions = {}

    def __init__(self, name, shop, skill=1.0):
        super().__init__(name)
        self.shop = shop
        self.skill = skill
        self.served = 0
        self.current = None
        self.busy_time = 0.0


@Barista.on("idle", "customer")
def start_order(b, customer):
    b.current = customer
    lo, hi = MENU[customer.drink]
    duration = b.shop.sim.rng.uniform(lo, hi) / b.skill
    b.busy_time += duration
    b.shop.sim.at(duration, lambda: b.shop.finished(b), f"done:{b.name}")
    return "brewing"


@Barista.on("brewing", "done")
def finish_order(b):
    b.served += 1
    b.current = None
    if b.served % BREAK_EVERY == 0:
        b.shop.sim.at(10, lambda: b.shop.back(b), f"break:{b.name}")
        return "break"
    return "idle"


@Barista.on("break", "back")
def end_break(b):
    return "idle"


class Customer:
    count = 0

    def __init__(self, arrived, drink, patience):
        Customer.count += 1
        self.id = Customer.count
        self.arrived = arrived
        self.drink = drink
        self.patience = patience
        self.served_at = None
        self.gave_up = False

    def __repr__(self):
        return f"Customer#{self.id}({self.drink})"


class Trace:
    """Counts blocks and swallows IllegalTransition (logged instead)."""

    def __init__(self, shop, what):
        self.shop = shop
        self.what = what

    def __enter__(self):
        self.shop.blocks += 1
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, IllegalTransition):
            self.shop.illegal.append((self.what, exc.state, exc.event))
            return True
        return False


class Shop:
    def __init__(self, seed, baristas=3):
        self.sim = Simulator(seed)
        self.baristas = [Barista(f"b{i}", self, skill=1.0 + 0.15 * i) for i in range(baristas)]
        self.waiting = []
        self.done = []
        self.lost = []
        self.turned_away = 0
        self.blocks = 0
        self.illegal = []
        self.revenue = 0.0
        self.open = True

    def arrive(self):
        if not self.open:
            raise ShopClosed("closed at %d" % OPEN_MINUTES)
        rng = self.sim.rng
        drink = rng.choice(sorted(MENU))
        c = Customer(self.sim.now, drink, patience=rng.uniform(3, 15))
        if len(self.waiting) >= MAX_QUEUE:
            self.turned_away += 1
        else:
            self.waiting.append(c)
            self.sim.at(c.patience, lambda: self.give_up(c), f"patience:{c.id}")
            self.dispatch()
        rate = 1.6 if 120 <= self.sim.now <= 200 else 0.9
        self.sim.at(rng.expovariate(rate), self.try_arrive, "arrive")

    def try_arrive(self):
        try:
            self.arrive()
        except ShopClosed:
            pass

    def give_up(self, c):
        if c in self.waiting:
            self.waiting.remove(c)
            c.gave_up = True
            self.lost.append(c)

    def dispatch(self):
        for b in self.baristas:
            if not self.waiting:
                break
            if b.state == "idle":
                c = self.waiting.pop(0)
                c.served_at = self.sim.now
                b.fire("customer", customer=c)

    def finished(self, b):
        c = b.current
        with Trace(self, "finish"):
            b.fire("done")
            self.done.append(c)
            self.revenue += 2.5 + len(c.drink) * 0.25
        self.dispatch()

    def back(self, b):
        with Trace(self, "back"):
            b.fire("back")
        with Trace(self, "poke"):
            b.fire("back")  # illegal on purpose: already idle
        self.dispatch()

    def close(self):
        self.open = False


def summarize(shop):
    waits = sorted(c.served_at - c.arrived for c in shop.done)
    pct = lambda p: waits[min(len(waits) - 1, int(p * len(waits)))]
    drinks = {}
    for c in shop.done:
        drinks[c.drink] = drinks.get(c.drink, 0) + 1
    return {
        "served": len(shop.done),
        "lost": len(shop.lost),
        "turned_away": shop.turned_away,
        "p50": round(pct(0.5), 3),
        "p90": round(pct(0.9), 3),
        "revenue": round(shop.revenue, 2),
        "drinks": dict(sorted(drinks.items(), key=lambda kv: -kv[1])),
    }


def main():
    results = []
    for seed in range(1, 13):
        shop = Shop(seed)
        shop.sim.at(0, shop.try_arrive, "open")
        shop.sim.at(OPEN_MINUTES, shop.close, "close")
        left = shop.sim.run(OPEN_MINUTES + 60)
        s = summarize(shop)
        results.append(s)
        print(f"seed {seed}: served {s['served']:4d} lost {s['lost']:3d} away {s['turned_away']:3d}"
              f" wait p50 {s['p50']:6.3f} p90 {s['p90']:6.3f} revenue ${s['revenue']:,.2f} left {left}")
        for b in shop.baristas if seed <= 2 else ():
            util = 100 * b.busy_time / OPEN_MINUTES
            print("   %-3s skill %.2f served %4d util %5.1f%% state %s transitions %d"
                  % (b.name, b.skill, b.served, util, b.state, len(b.history)))
        print("   drinks:", s["drinks"])
        print("   illegal transitions swallowed:", len(shop.illegal), shop.illegal[:1],
              "blocks:", shop.blocks)
    print("events fired:", events_fired, "customers:", Customer.count)
    best = max(range(len(results)), key=lambda i: results[i]["revenue"])
    print("best seed index:", best, "total served:", sum(r["served"] for r in results))
    m = StateMachine("plain")
    try:
        m.fire("go")
    except IllegalTransition as e:
        print("error:", e)
    assert Event(1, None) < Event(2, None)
    print(sorted([Event(3, None, "c"), Event(1, None, "a"), Event(1, None, "b")]))


if __name__ == "__main__":
    main()
