"""with: __enter__/__exit__ in CPython's order, suppression, exits that
raise, several items, return/break/continue inside, contextlib."""
import contextlib
import io

EXPECT_PYTHON = {"tag": "decorated functions stay in Python"}


class Recorder:
    def __init__(self, name, log, suppress=False, fail_exit=False):
        self.name = name
        self.log = log
        self.suppress = suppress
        self.fail_exit = fail_exit

    def __enter__(self):
        self.log.append("enter " + self.name)
        return self

    def __exit__(self, t, v, tb):
        self.log.append("exit %s %s" % (self.name, t.__name__ if t else None))
        if self.fail_exit:
            raise RuntimeError("exit failed")
        return self.suppress


@contextlib.contextmanager
def tag(log, name):
    log.append("<" + name)
    try:
        yield name.upper()
    finally:
        log.append(name + ">")


def simple(log):
    with Recorder("a", log) as r:
        log.append("body " + r.name)
    return log


def suppressed(log):
    with Recorder("s", log, suppress=True):
        raise KeyError("gone")
    log.append("after")
    return log


def two_items(log):
    with Recorder("x", log) as x, tag(log, "y") as y:
        log.append(y)
        if x:
            return log, "early"
    return log, "late"


def loop_exits(log):
    for i in range(4):
        with Recorder(str(i), log):
            if i == 1:
                continue
            if i == 3:
                break
            log.append("work %d" % i)
    return log


def exit_raises(log):
    try:
        with Recorder("f", log, fail_exit=True):
            raise ValueError("body")
    except RuntimeError as e:
        return log, str(e), type(e.__context__).__name__


def not_a_manager():
    with 42:
        pass


def stringio():
    with io.StringIO() as f:
        print("hello", 1, file=f)
        f.write("x")
        return f.getvalue()


def scenario_with():
    return (simple([]), suppressed([]), two_items([]), loop_exits([]),
            exit_raises([]), stringio())


def scenario_not_manager():
    return not_a_manager()
