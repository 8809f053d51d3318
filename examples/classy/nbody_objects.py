"""N-body simulation with one object per body (class-heavy: attribute
reads and writes of floats in a loop over object pairs)."""

import math


class Body:
    def __init__(self, x, y, z, vx, vy, vz, mass):
        self.x, self.y, self.z = x, y, z
        self.vx, self.vy, self.vz = vx, vy, vz
        self.mass = mass

    def kinetic(self):
        return 0.5 * self.mass * (self.vx * self.vx + self.vy * self.vy
                                  + self.vz * self.vz)


class System:
    def __init__(self, bodies):
        self.bodies = bodies
        self.pairs = [(a, b) for i, a in enumerate(bodies)
                      for b in bodies[i + 1:]]

    def advance(self, dt):
        for a, b in self.pairs:
            dx = a.x - b.x
            dy = a.y - b.y
            dz = a.z - b.z
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * math.sqrt(d2))
            bm = b.mass * mag
            am = a.mass * mag
            a.vx -= dx * bm
            a.vy -= dy * bm
            a.vz -= dz * bm
            b.vx += dx * am
            b.vy += dy * am
            b.vz += dz * am
        for body in self.bodies:
            body.x += dt * body.vx
            body.y += dt * body.vy
            body.z += dt * body.vz

    def energy(self):
        e = 0.0
        for body in self.bodies:
            e += body.kinetic()
        for a, b in self.pairs:
            dx = a.x - b.x
            dy = a.y - b.y
            dz = a.z - b.z
            e -= a.mass * b.mass / math.sqrt(dx * dx + dy * dy + dz * dz)
        return e


def make_system(n):
    bodies = []
    for i in range(n):
        t = i * 0.7
        bodies.append(Body(math.cos(t) * (i + 1), math.sin(t) * (i + 1),
                           0.1 * i, -math.sin(t) * 0.3, math.cos(t) * 0.3,
                           0.01 * i, 1.0 / (i + 1)))
    return System(bodies)


def main(steps):
    system = make_system(6)
    print("energy before: %.9f" % system.energy())
    for _ in range(steps):
        system.advance(0.01)
    print("energy after: %.9f" % system.energy())


if __name__ == "__main__":
    main(120000)
