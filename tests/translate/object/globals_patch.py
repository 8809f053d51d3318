"""Module globals and builtins are looked up when Python looks them up:
rebinding through global, globals(), setattr on the module, del, import
as, a helper rebound, builtins monkeypatched, all seen at once."""
import builtins
import math
import sys

LIMIT = 10
TABLE = [1, 2, 3]
counter = 0


def helper(x):
    return x + 1


def use_limit(x):
    return min(x, LIMIT) + helper(x) + len(TABLE)


def bump(k=1):
    global counter
    counter += k
    return counter


def rebinding():
    global LIMIT
    old = LIMIT
    LIMIT = 3
    a = use_limit(5)
    globals()["LIMIT"] = 4
    b = use_limit(5)
    setattr(sys.modules[__name__], "LIMIT", 5)
    c = use_limit(5)
    LIMIT = old
    return a, b, c, use_limit(5)


def helper_rebound():
    global helper
    old = helper
    helper = lambda x: x * 100
    try:
        return use_limit(2)
    finally:
        helper = old


def builtins_patched(xs):
    old = builtins.len
    builtins.len = lambda v: 1000
    try:
        patched = use_limit(1), len(xs)
    finally:
        builtins.len = old
    return patched, len(xs)


def shadow_builtin():
    global len
    len = lambda v: -1
    try:
        return use_limit(0)
    finally:
        del len


def imports_inside():
    import collections
    from math import sqrt as root, pi
    import os.path as osp
    import email.mime
    from math import nothing_here_either  # noqa
    return root(16), pi, collections.Counter("aab").most_common(1), osp.sep


def imports_ok():
    import collections
    from math import sqrt as root, pi
    import os.path as osp
    import xml.dom
    return root(16), pi, collections.Counter("aab").most_common(1), \
        osp.sep, xml.dom.__name__, "xml" in dir()


def missing_global():
    return undefined_thing + 1  # noqa: F821


def del_global():
    global TEMP
    TEMP = 1
    del TEMP
    try:
        del TEMP
    except NameError as e:
        return str(e), e.name


def scenario_rebinding():
    return rebinding(), bump(), bump(5), counter


def scenario_helper():
    return helper_rebound(), use_limit(2)


def scenario_builtins():
    return builtins_patched([1, 2]), shadow_builtin(), use_limit(0)


def scenario_imports():
    return imports_ok()


def scenario_import_error():
    return imports_inside()


def scenario_missing():
    return missing_global()


def scenario_del_global():
    return del_global(), math.floor(2.5)
