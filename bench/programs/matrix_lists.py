"""Matrix code on lists of lists: multiply, transpose, Gaussian
elimination (solve), and power iteration."""


def make_matrix(n, seed):
    state = seed
    rows = []
    for i in range(n):
        row = []
        for j in range(n):
            state = (state * 1103515245 + 12345) & 0x7FFFFFFF
            row.append((state % 1000) / 100.0 + (n if i == j else 0.0))
        rows.append(row)
    return rows


def transpose(a):
    return [list(col) for col in zip(*a)]


def matmul(a, b):
    bt = transpose(b)
    return [[sum(x * y for x, y in zip(row, col)) for col in bt]
            for row in a]


def solve(a, b):
    n = len(a)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(m[i][k]))
        m[k], m[p] = m[p], m[k]
        pivot = m[k][k]
        for i in range(k + 1, n):
            f = m[i][k] / pivot
            row_i, row_k = m[i], m[k]
            for j in range(k, n + 1):
                row_i[j] -= f * row_k[j]
    x = [0.0] * n
    for i in range(n - 1, -1, -1):
        s = m[i][n]
        for j in range(i + 1, n):
            s -= m[i][j] * x[j]
        x[i] = s / m[i][i]
    return x


def power_iteration(a, steps):
    n = len(a)
    v = [1.0] * n
    lam = 0.0
    for _ in range(steps):
        w = [sum(a[i][j] * v[j] for j in range(n)) for i in range(n)]
        lam = max(abs(t) for t in w)
        v = [t / lam for t in w]
    return lam


if __name__ == "__main__":
    a = make_matrix(140, 1)
    b = make_matrix(140, 2)
    c = matmul(a, b)
    x = solve(a, [row[0] for row in b])
    print(round(sum(map(sum, c)), 6), round(sum(x), 9),
          round(power_iteration(a, 30), 6))
