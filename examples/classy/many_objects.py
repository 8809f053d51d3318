"""A million small objects: particles in a list, cells of a grid that
hold them, and methods run over all of them (class-heavy: allocation,
attribute reads and writes, an object graph the profile's samples
reach)."""


class Particle:
    def __init__(self, i, x, y):
        self.i = i
        self.x = x
        self.y = y
        self.cell = None

    def step(self, dx, dy):
        self.x = (self.x + dx) % 1000.0
        self.y = (self.y + dy) % 1000.0

    def energy(self):
        return 0.5 * (self.x * self.x + self.y * self.y) * 1e-6


class Cell:
    def __init__(self, cx, cy):
        self.cx = cx
        self.cy = cy
        self.members = []

    def add(self, p):
        self.members.append(p)
        p.cell = self


class World:
    def __init__(self, n, side):
        self.side = side
        self.cells = [Cell(i % side, i // side) for i in range(side * side)]
        self.particles = []
        x = 12345
        for i in range(n):
            x = (x * 1103515245 + 12345) % 2147483648
            p = Particle(i, (x % 100000) / 100.0, (x // 100000 % 1000) * 1.0)
            self.particles.append(p)
            self.cell_of(p).add(p)

    def cell_of(self, p):
        side = self.side
        cx = int(p.x * side / 1000.0) % side
        cy = int(p.y * side / 1000.0) % side
        return self.cells[cy * side + cx]

    def move(self, dx, dy):
        for p in self.particles:
            p.step(dx, dy)

    def total_energy(self):
        e = 0.0
        for p in self.particles:
            e += p.energy()
        return e

    def crowded(self):
        best = self.cells[0]
        for c in self.cells:
            if len(c.members) > len(best.members):
                best = c
        return best


def main(n):
    world = World(n, 100)
    for k in range(2):
        world.move(1.5 + k, 2.5)
    c = world.crowded()
    print("energy %.6f, crowded cell (%d, %d) with %d" % (
        world.total_energy(), c.cx, c.cy, len(c.members)))


if __name__ == "__main__":
    main(1000000)
