"""Exceptions: try/except/else/finally with every way out, raise, raise
from, bare re-raise, chaining (__context__, __cause__), handlers that
raise, asserts, and the traceback lines of native frames."""
import sys
import traceback


class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code


def parse(text):
    try:
        value = int(text)
    except ValueError as e:
        raise AppError(2, "bad number: %r" % text) from e
    else:
        if value < 0:
            raise AppError(3, "negative")
    finally:
        print("parsed", text)
    return value


def first_ok(items):
    log = []
    for item in items:
        try:
            if item is None:
                continue
            if item == "stop":
                break
            log.append(parse(item))
        except AppError as e:
            log.append(("err", e.code, str(e), type(e.__cause__).__name__))
            if e.code == 3:
                return log, "returned"
        finally:
            log.append("fin")
    else:
        log.append("else")
    return log, "end"


def reraise(kind):
    try:
        try:
            if kind == 0:
                {}["k"]
            elif kind == 1:
                [][1]
            else:
                raise OSError("io")
        except KeyError:
            raise
        except (IndexError, TypeError) as e:
            raise RuntimeError("wrapped") from None
    except Exception as outer:
        return (type(outer).__name__, str(outer), outer.__suppress_context__,
                type(outer.__context__).__name__)


def context_chain():
    try:
        try:
            1 / 0
        finally:
            print("cleanup sees", sys.exc_info()[0].__name__)
    except ZeroDivisionError as e:
        try:
            raise ValueError("while handling")
        except ValueError as v:
            return type(v.__context__).__name__, v.__context__ is e


def finally_overrides():
    try:
        return "try"
    finally:
        print("in finally")


def finally_swallows():
    for i in range(3):
        try:
            raise KeyError(i)
        finally:
            if i < 2:
                continue
            return "swallowed", i


def handler_raises():
    try:
        try:
            raise KeyError("a")
        except KeyError as e:
            raise ValueError("b")
    except ValueError as v:
        return repr(v.__context__), "e" in dir()


def bad_except():
    try:
        raise KeyError("x")
    except 42:
        return "no"


def checks(n):
    assert n > 0, f"n must be positive, got {n}"
    assert n != 3
    return n


def exc_info_inside():
    try:
        raise IndexError("i")
    except IndexError:
        t, v, tb = sys.exc_info()
        return t.__name__, str(v), tb.tb_lineno, sys.exc_info()[0] is t
    finally:
        pass


def deep_raise(n):
    if n == 0:
        raise LookupError("bottom")
    return deep_raise(n - 1) + 1


def scenario_parse():
    return first_ok(["1", None, "x", "2", "stop", "3"]), \
        first_ok(["5", "-1", "6"]), first_ok(["7"])


def scenario_reraise():
    out = []
    for k in range(3):
        try:
            out.append(reraise(k))
        except KeyError as e:
            out.append(("key", str(e)))
    return out


def scenario_chain():
    return context_chain(), finally_overrides(), finally_swallows(), \
        handler_raises(), exc_info_inside()


def scenario_bad_except():
    return bad_except()


def scenario_asserts():
    out = []
    for n in (1, -2, 3):
        try:
            out.append(checks(n))
        except AssertionError as e:
            out.append(("assert", str(e), e.args))
    return out


def scenario_traceback_text():
    try:
        deep_raise(3)
    except LookupError as e:
        text = traceback.format_exc()
        frames = [(f.name, f.lineno, f.line) for f in traceback.extract_tb(
            e.__traceback__)]
        # the text without file names
        return frames, [ln for ln in text.splitlines() if "File" not in ln]


def scenario_uncaught():
    parse("zz")


def in_comprehension(xs):
    return [1 / x for x in xs if x is not None]


def nested_comprehension(rows):
    return {k: [v // 0 for v in row] for k, row in rows.items()}


def scenario_traceback_comprehension():
    out = []
    for f, arg in ((in_comprehension, [1, 0]), (nested_comprehension, {"a": [1]})):
        try:
            f(arg)
        except ZeroDivisionError as e:
            out.append([(fr.name, fr.lineno, fr.line)
                        for fr in traceback.extract_tb(e.__traceback__)])
            out.append([ln for ln in traceback.format_exc().splitlines()
                        if "File" not in ln])
    return out
