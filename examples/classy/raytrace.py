"""A small ray tracer with a vector class (operator dunders, many short-
lived objects, method calls)."""

import math


class Vec:
    __slots__ = ("x", "y", "z")

    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y, self.z + o.z)

    def __sub__(self, o):
        return Vec(self.x - o.x, self.y - o.y, self.z - o.z)

    def scale(self, k):
        return Vec(self.x * k, self.y * k, self.z * k)

    def dot(self, o):
        return self.x * o.x + self.y * o.y + self.z * o.z

    def norm(self):
        n = math.sqrt(self.dot(self))
        return self.scale(1.0 / n) if n else self


class Sphere:
    def __init__(self, center, radius, shade):
        self.center = center
        self.radius = radius
        self.shade = shade

    def hit(self, origin, direction):
        oc = origin - self.center
        b = oc.dot(direction)
        c = oc.dot(oc) - self.radius * self.radius
        disc = b * b - c
        if disc < 0:
            return None
        t = -b - math.sqrt(disc)
        return t if t > 1e-6 else None


class Scene:
    def __init__(self, spheres, light):
        self.spheres = spheres
        self.light = light.norm()

    def trace(self, origin, direction):
        best, best_t = None, math.inf
        for s in self.spheres:
            t = s.hit(origin, direction)
            if t is not None and t < best_t:
                best, best_t = s, t
        if best is None:
            return 0.0
        p = origin + direction.scale(best_t)
        n = (p - best.center).norm()
        lit = max(0.0, n.dot(self.light))
        return best.shade * (0.2 + 0.8 * lit)


def render(scene, w, h):
    rows = []
    eye = Vec(0.0, 0.0, -4.0)
    for j in range(h):
        row = []
        for i in range(w):
            d = Vec((i - w / 2) / w, (j - h / 2) / h, 1.0).norm()
            row.append(scene.trace(eye, d))
        rows.append(row)
    return rows


if __name__ == "__main__":
    scene = Scene([Sphere(Vec(0.0, 0.0, 3.0), 1.0, 0.9),
                   Sphere(Vec(1.5, 0.5, 4.0), 0.7, 0.6),
                   Sphere(Vec(-1.2, -0.4, 2.5), 0.5, 0.8),
                   Sphere(Vec(0.0, -101.0, 3.0), 100.0, 0.5)],
                  Vec(-1.0, 1.0, -1.0))
    img = render(scene, 480, 360)
    total = sum(sum(r) for r in img)
    chars = " .:-=+*#%@"
    for r in img[::36]:
        print("".join(chars[min(9, int(v * 10))] for v in r[::12]))
    print("total %.6f" % total)
