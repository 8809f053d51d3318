"""Functions that types.c accepts and the printer has no Rust for, one
or two per refusal (some have two, to pin which one is reported first).
Input for check.sh; never run. SIGNATURES gives types annotations cannot.
"""
import math

SIGNATURES = {
    "never_arg": {"args": {"xs": "list[Never]"}, "return": "int"},
    "opt_param": {"args": {"x": "int | None"}, "return": "int"},
}


def in_float_list(x: float, xs: list[int]) -> bool:
    return x in xs


def list_plus_empty(xs: list[int]) -> list[int]:
    return xs + []


def cmp_empty(xs: list[int]) -> bool:
    return xs == []


def math_asinh(x: float) -> float:
    return math.asinh(x)


def two_maths(x: float) -> bool:
    return math.asinh(x) < math.acosh(x)


def three_maths(x: float) -> bool:
    return math.asinh(x) < math.acosh(x) < math.atanh(x)


def binop_two(x: float) -> float:
    return math.asinh(x) + math.acosh(x)


def call_two(x: float) -> float:
    return max(math.asinh(x), math.acosh(x))


def list_enumerate(xs: list[int]) -> list[tuple[int, int]]:
    return list(enumerate(xs))


def sorted_zip(xs: list[int], ys: list[int]) -> list[tuple[int, int]]:
    return sorted(zip(xs, ys))


def sum_reversed_range(n: int) -> int:
    return sum(reversed(range(n)))


def take(xs: list[int]) -> int:
    return len(xs)


def never_arg(xs):
    return take(xs)


def tuple_item_aug(t: tuple[int, int]) -> int:
    t[0] += 1
    return t[0]


def zip_dict(d: dict[str, int], xs: list[int]) -> int:
    s = 0
    for k, x in zip(d, xs):
        s += x
    return s


def loop_changed_item(rows: list[list[int]]) -> int:
    s = 0
    for x in rows[0]:
        rows[0].append(x)
        s += x
    return s


def store_empty(d: dict[str, list[int]]) -> int:
    d["a"] = []
    return len(d)


def bool_item_or(bs: list[bool]) -> bool:
    bs[0] |= True
    return bs[0]


def str_item_mul(ss: list[str]) -> str:
    ss[0] *= 2
    return ss[0]


def opt_param(x):
    return 1


def never_var(n: int) -> int:
    c = 0
    for x in []:
        c += 1
    return c


def tuple_never(n: int) -> int:
    t = (n, [])
    return n


def two_statements(x: float, xs: list[int]) -> float:
    y = math.asinh(x)
    z = x in xs
    return y


def and_value_in_cond(a: int, b: str) -> int:
    if a and b:
        return 1
    return 0


def and_value(a: int, b: str) -> bool:
    c = a or b
    return bool(c)


def ifexp_branches(c: bool, x: float) -> float:
    return math.asinh(x) if c else math.acosh(x)


def dict_key_as(d: dict[float, int], k: int) -> int:
    return d[k]


def comp_in_place(xs: list[float], c: bool) -> bool:
    return c and [math.asinh(x) for x in xs] == [math.acosh(x) for x in xs]


def comp_hoisted(xs: list[float]) -> list[float]:
    return [math.asinh(x) for x in xs] + [math.acosh(x) for x in xs]


def fstring_math(x: float) -> str:
    return f"{math.asinh(x)} {math.acosh(x)}"


def pct_math(x: float) -> str:
    return "%s %s" % (math.asinh(x), math.acosh(x))


def method_args(xs: list[float], x: float) -> None:
    xs.insert(math.floor(math.asinh(x)), math.acosh(x))


def del_key(d: dict[float, int], k: int) -> int:
    del d[k]
    return len(d)


def while_comp(xs: list[float]) -> int:
    n = 0
    while [math.asinh(x) for x in xs] and n < 3:
        n += 1
    return n


def num_shift(xs: list[float]) -> int:
    t = 0
    for x in xs:
        t += x
    t <<= 1
    return 0


def num_bool(b: bool, xs: list[float]) -> int:
    t = 0
    for x in xs:
        t += x
    t = t + b
    return 0


def aug_float_bits(x: float) -> float:
    y = 1.5
    y |= 2
    return y


def local_loop_changed_item(n: int) -> int:
    rows = [[1, 2], [3]]
    s = 0
    for x in rows[0]:
        rows.append([x])
        s += x
    return s


def local_tuple_item_aug(n: int) -> int:
    t = (n, n)
    t[0] += 1
    return t[0]


def local_store_empty(n: int) -> int:
    d = {"a": [n]}
    d["b"] = []
    return len(d)


def local_list_store_empty(n: int) -> int:
    rows = [[n]]
    rows[0] = []
    return len(rows)


def empty_where_tuple(n: int) -> tuple[int, int]:
    t = (n, n)
    return t


def nested_none(n: int) -> list[int | None]:
    return [n]


def ret_num(xs: list[float]):
    t = 0
    for x in xs:
        t += x
    return t


def num_param_call(xs: list[float]) -> int:
    t = 0
    for x in xs:
        t += x
    return take_num(t)


def take_num(t: int) -> int:
    return t


def num_div_bool(xs: list[float], b: bool) -> float:
    t = 0
    for x in xs:
        t += x
    return b / t


def mixed_cmp_tuple(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a < b


def sum_bool_float(bs: list[bool]) -> float:
    return sum(bs, 0.5)


def sum_never_float(n: int) -> float:
    return sum([], 0.5)


def ifexp_empty(c: bool, xs: list[int]) -> list[int]:
    return xs if c else []


def in_never(x: int) -> bool:
    return x in []


def dict_in_never(x: int, d: dict[int, int]) -> bool:
    return x in {}


def str_in_list_int(s: str, xs: list[int]) -> bool:
    return len(s) in xs and s in ["a"]


def get_num(d: dict[str, float], k: str) -> float:
    return d.get(k, 1)


def setdefault_list(d: dict[str, list[int]], k: str) -> int:
    return len(d.setdefault(k, []))


def append_int_to_floats(xs: list[float], n: int) -> None:
    xs.append(n)


def call_with_int_for_float(n: int) -> float:
    return half(n)


def half(x: float) -> float:
    return x / 2


def opt_local(xs: list[int]) -> int:
    best = None
    for x in xs:
        if best is None or x < best:
            best = x
    return best if best is not None else -1


def opt_to_list(xs: list[int]) -> list[int]:
    best = None
    for x in xs:
        best = x
    return [best]


def fmt_bool_spec(b: bool, x: float, s: str) -> str:
    return f"{b:>5}{x:+.2e}{s!r:>6}{b!r}{s:^4}"


def pct_many(b: bool, x: float, s: str, n: int) -> str:
    return "%r %s %d %5.1f %x" % (s, b, x, n, n)


def chain_middle(a: int, b: float, c: int) -> bool:
    return a < b <= c != a


def del_list(xs: list[int], i: int) -> int:
    del xs[i]
    return len(xs)


def del_dict_name(d: dict[str, int], k: str) -> int:
    del d[k]
    return len(d)


def nested_mut(rows: list[list[float]], i: int, j: int) -> None:
    rows[i][j] += 1.0


def dict_mut_key(d: dict[str, list[int]], k: str) -> None:
    d[k + "x"].append(1)


def dict_mut_name(d: dict[str, list[int]], k: str) -> None:
    d[k].append(len(d[k]))


def while_else(n: int) -> int:
    i = 0
    while i < n:
        i += 1
        if i > 5:
            break
    else:
        i = -1
    return i


def for_enumerate_zip(xs: list[int], ys: list[str]) -> int:
    s = 0
    for i, (x, y) in enumerate(zip(xs, ys), 1):
        s += i * x + len(y)
    return s


def items_loop(d: dict[str, int]) -> int:
    s = 0
    for k, v in d.items():
        s += v + len(k)
    for v in d.values():
        s += v
    return s


def for_tuple(t: tuple[int, int, int]) -> int:
    s = 0
    for x in t:
        s += x
    return s


def for_str_copy(ss: list[str]) -> str:
    out = ""
    for s in ss[0]:
        out += s
    return out


def cmp_tmps(a: int, b: int) -> bool:
    return (a and b) == (b or a)


def cmp_chain_tmps(a: int, b: int) -> bool:
    return (a and b) < (b or a) <= (a or b)
