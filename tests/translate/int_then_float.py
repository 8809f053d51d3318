"""Variables that start as an int and may become a float (total = 0 then
total += x): Python's result is the int while no float was added."""


def total_of(xs: list[float]):
    total = 0
    for x in xs:
        total += x
    return total


def annotated_float(xs: list[float]) -> float:
    # the annotation is not enforced: Python returns the int 0 for []
    total = 0
    for x in xs:
        total += x
    return total


def mean_or_zero(xs: list[float]):
    total = 0
    n = 0
    for x in xs:
        total = total + x
        n += 1
    if n == 0:
        return total
    return total / n


def mixed(xs: list[float], k: int):
    acc = k
    for x in xs:
        acc += 1
        acc = acc * 2
        acc -= x
    return acc


def int_steps(flag: bool, k: int):
    v = 2 ** 53
    v += k
    if flag:
        v += 0.5
    return v


def truthy_acc(xs: list[float]) -> bool:
    t = 0
    for x in xs:
        t += x
    if t:
        return True
    return False


def scaled(xs: list[float]):
    t = 0
    for x in xs:
        t += x
    return t * 2.0 + 1


def num_compare(xs: list[float]) -> bool:
    t = 0
    for x in xs:
        t += x
    return t > 1


def num_in_list(xs: list[float]) -> list:
    t = 0
    for x in xs:
        t += x
    return [t]


def num_param(t: int, xs: list[float]):
    for x in xs:
        t += x
    return t


def num_floordiv(xs: list[float]):
    t = 0
    for x in xs:
        t += x
    return t // 2


def num_div(xs: list[float], k: int):
    t = 2 ** 55 + 1
    for x in xs:
        t += x
    return t / k


def b_float(xs: list[float]):
    t = 0
    for x in xs:
        t += x
    return float(t)


def b_abs(xs: list[float]):
    t = 0
    for x in xs:
        t += x
    return abs(t)


def b_max(xs: list[float]):
    t = 0
    for x in xs:
        t += x
    return max(t, 1.0)


def b_neg(xs: list[float]):
    t = 0
    for x in xs:
        t += x
    return -t


def b_sum(xs: list[float]):
    t = 0
    for x in xs:
        t += x
    return sum([1.0], t)


NAN = float("nan")
INF = float("inf")

INPUTS = {
    "total_of": [([],), ([1.5, 2.5],), ([-0.0],), ([NAN],), ([INF, -INF],),
                 ([1e308, 1e308],), ([1.0, 2],), ([1],)],
    "annotated_float": [([],), ([0.5, 0.25],), ([2],)],
    "mean_or_zero": [([],), ([1.0, 2.0, 4.0],), ([-0.0, -0.0],)],
    "mixed": [([], 3), ([0.5], 3), ([0.5, 0.25], -7), ([], 2 ** 62),
              ([1.5], 2 ** 62), ([1.5], 2 ** 63 - 1)],
    "int_steps": [(False, 1), (True, 1), (True, 3), (False, 2 ** 62),
                  (True, -(2 ** 53))],
    "truthy_acc": [([],), ([0.0],), ([-0.0],), ([1.0, -1.0],), ([NAN],)],
    "scaled": [([],), ([0.25],)],
    "num_compare": [([],), ([0.5, 0.75],), ([1],), ([2],), ([NAN],)],
    "num_div": [([], 2), ([], 0), ([1.0], 0), ([1.0], 4), ([], 2 ** 60),
                ([0.5], -3)],
}

FALLBACK = {
    "num_in_list": "int | float inside",
    "num_param": "would hold both",
    "num_floordiv": "operator //",
    "b_float": "float() of int | float",
    "b_abs": "abs() of int | float",
    "b_max": "returns either type",
    "b_neg": "unary - on int | float",
    "b_sum": "sum() of float starting from int | float",
}

SIGNATURES = {
    "mean_or_zero": {"args": {"xs": "list[float]"}, "return": "int | float"},
}
