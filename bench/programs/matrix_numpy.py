"""Matrix code on numpy arrays with explicit loops: multiply, Gaussian
elimination (solve) and a banded smoothing, element by element."""

import numpy as np


def make_matrix(n, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, n)) * 10.0 + np.eye(n) * n


def matmul(a, b):
    n, k = a.shape
    m = b.shape[1]
    out = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            s = 0.0
            for t in range(k):
                s += a[i, t] * b[t, j]
            out[i, j] = s
    return out


def solve(a, b):
    n = a.shape[0]
    m = a.copy()
    v = b.copy()
    for k in range(n):
        for i in range(k + 1, n):
            f = m[i, k] / m[k, k]
            for j in range(k, n):
                m[i, j] -= f * m[k, j]
            v[i] -= f * v[k]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        s = v[i]
        for j in range(i + 1, n):
            s -= m[i, j] * x[j]
        x[i] = s / m[i, i]
    return x


if __name__ == "__main__":
    a = make_matrix(70, 1)
    b = make_matrix(70, 2)
    c = matmul(a, b)
    x = solve(a, b[:, 0].copy())
    print(round(float(c.sum()), 6), round(float(x.sum()), 9))
