"""Dense matrix product on lists of lists of floats (hot function: matmul)."""

import random


def matmul(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    """Return the matrix product a @ b (a is n x m, b is m x p)."""
    n = len(a)
    m = len(b)
    p = len(b[0])
    result = []
    for i in range(n):
        row = []
        for j in range(p):
            total = 0.0
            for k in range(m):
                total += a[i][k] * b[k][j]
            row.append(total)
        result.append(row)
    return result


if __name__ == "__main__":
    rng = random.Random(3)
    size = 60
    a = [[rng.random() for _ in range(size)] for _ in range(size)]
    b = [[rng.random() for _ in range(size)] for _ in range(size)]
    for _ in range(4):
        c = matmul(a, b)
        print("trace: %.6f" % sum(c[i][i] for i in range(size)))
        a = c
