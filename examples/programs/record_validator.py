"""A JSON-like record validator: schemas built from field classes, nested
objects and lists, error collection with paths, normalisation, and a
report of the most common problems.

Covers: an inheritance tree of Field classes with super() and overridden
validate(), __repr__/__eq__/__hash__, exceptions carrying paths with
`raise ... from`, a context manager that collects errors, closures as
custom checks, keyword-only and default arguments, **kwargs, recursion,
isinstance dispatch, dict/set comprehensions, str formatting.
"""

import re

EMAIL_RE = re.compile(r"^[a-z0-9._]+@[a-z0-9-]+(\.[a-z]{2,})+$")
MAX_ERRORS = 50
COUNTRIES = frozenset({"DE", "FR", "IT", "ES", "NL", "SE", "PL"})

validations_run = 0


class ValidationError(Exception):
    def __init__(self, path, message, code="invalid"):
        super().__init__(f"{path or '<root>'}: {message}")
        self.path = path
        self.message = message
        self.code = code

    def __eq__(self, other):
        return isinstance(other, ValidationError) and \
            (self.path, self.code) == (other.path, other.code)

    def __hash__(self):
        return hash((self.path, self.code))


class SchemaError(Exception):
    pass


def join(path, key):
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Field:
    type_name = "any"

    def __init__(self, *, required=True, default=None, checks=(), **meta):
        self.required = required
        self.default = default
        self.checks = list(checks)
        self.meta = meta

    def __repr__(self):
        extra = ", ".join(f"{k}={v!r}" for k, v in sorted(self.meta.items()))
        return f"{type(self).__name__}({extra})"

    def coerce(self, value, path):
        return value

    def validate(self, value, path=""):
        global validations_run
        validations_run += 1
        value = self.coerce(value, path)
        for check in self.checks:
            problem = check(value)
            if problem:
                raise ValidationError(path, problem, "check")
        return value


class Str(Field):
    type_name = "string"

    def __init__(self, *, min_len=0, max_len=None, pattern=None, **kw):
        super().__init__(**kw)
        self.min_len = min_len
        self.max_len = max_len
        self.pattern = pattern

    def coerce(self, value, path):
        if not isinstance(value, str):
            raise ValidationError(path, "expected string, got %s" % type(value).__name__, "type")
        value = value.strip()
        if len(value) < self.min_len:
            raise ValidationError(path, f"shorter than {self.min_len}", "length")
        if self.max_len is not None and len(value) > self.max_len:
            raise ValidationError(path, f"longer than {self.max_len}", "length")
        if self.pattern is not None and not self.pattern.match(value):
            raise ValidationError(path, f"does not match {self.pattern.pattern!r}", "pattern")
        return value


class Email(Str):
    type_name = "email"

    def __init__(self, **kw):
        super().__init__(pattern=EMAIL_RE, max_len=64, **kw)

    def coerce(self, value, path):
        if isinstance(value, str):
            value = value.lower()
        return super().coerce(value, path)


class Number(Field):
    type_name = "number"

    def __init__(self, *, lo=None, hi=None, integer=False, **kw):
        super().__init__(**kw)
        self.lo = lo
        self.hi = hi
        self.integer = integer

    def coerce(self, value, path):
        if isinstance(value, bool):
            raise ValidationError(path, "booleans are not numbers", "type")
        if isinstance(value, str):
            try:
                value = float(value) if "." in value or "e" in value else int(value)
            except ValueError as e:
                raise ValidationError(path, f"not a number: {value!r}", "type") from e
        if not isinstance(value, (int, float)):
            raise ValidationError(path, "expected number", "type")
        if self.integer and value != int(value):
            raise ValidationError(path, f"{value} is not an integer", "integer")
        if self.lo is not None and value < self.lo:
            raise ValidationError(path, "%s < minimum %s" % (value, self.lo), "range")
        if self.hi is not None and value > self.hi:
            raise ValidationError(path, "%s > maximum %s" % (value, self.hi), "range")
        return int(value) if self.integer else value


class Choice(Field):
    def __init__(self, options, **kw):
        super().__init__(**kw)
        self.options = options

    def coerce(self, value, path):
        if value not in self.options:
            raise ValidationError(path, f"{value!r} not one of {len(self.options)} options", "choice")
        return value


class ListOf(Field):
    type_name = "list"

    def __init__(self, item, *, max_items=None, unique=False, **kw):
        super().__init__(**kw)
        self.item = item
        self.max_items = max_items
        self.unique = unique

    def coerce(self, value, path):
        if not isinstance(value, (list, tuple)):
            raise ValidationError(path, "expected list", "type")
        if self.max_items is not None and len(value) > self.max_items:
            raise ValidationError(path, f"more than {self.max_items} items", "length")
        out = [self.item.validate(v, join(path, i)) for i, v in enumerate(value)]
        if self.unique and len(set(map(repr, out))) != len(out):
            raise ValidationError(path, "duplicate items", "unique")
        return out


class Obj(Field):
    type_name = "object"

    def __init__(self, fields, *, strict=False, **kw):
        super().__init__(**kw)
        if not fields:
            raise SchemaError("an object needs fields")
        self.fields = fields
        self.strict = strict

    def coerce(self, value, path):
        if not isinstance(value, dict):
            raise ValidationError(path, "expected object", "type")
        out = {}
        collector = Collector.current
        for name, field in self.fields.items():
            sub = join(path, name)
            if name not in value:
                if field.required:
                    err = ValidationError(sub, "missing", "required")
                    if collector is None:
                        raise err
                    collector.add(err)
                else:
                    out[name] = field.default
                continue
            if collector is None:
                out[name] = field.validate(value[name], sub)
            else:
                with collector.scope():
                    out[name] = field.validate(value[name], sub)
        if self.strict:
            extra = sorted(set(value) - set(self.fields))
            if extra:
                raise ValidationError(path, "unknown keys " + ", ".join(extra), "extra")
        return out


class Collector:
    """Collects ValidationErrors raised inside `with c.scope():` blocks."""
    current = None

    def __init__(self, limit=MAX_ERRORS):
        self.errors = []
        self.limit = limit

    def add(self, err):
        if len(self.errors) < self.limit:
            self.errors.append(err)

    def scope(self):
        return _Scope(self)

    def __enter__(self):
        self.previous = Collector.current
        Collector.current = self
        return self

    def __exit__(self, *exc):
        Collector.current = self.previous
        return False


class _Scope:
    def __init__(self, collector):
        self.collector = collector

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, ValidationError):
            self.collector.add(exc)
            return True
        return False


def not_in(*banned):
    banned = {b.lower() for b in banned}
    return lambda v: f"{v!r} is not allowed" if v.lower() in banned else None


def sums_to(total, key):
    def check(items):
        got = sum(i[key] for i in items)
        return None if abs(got - total) < 1e-9 else "%s sums to %g, not %g" % (key, got, total)
    return check


ADDRESS = Obj({
    "street": Str(min_len=3),
    "city": Str(min_len=2, checks=[not_in("nowhere", "test")]),
    "zip": Str(pattern=re.compile(r"^\d{5}$")),
    "country": Choice(COUNTRIES, required=False, default="DE"),
})

USER = Obj({
    "id": Number(integer=True, lo=1),
    "name": Str(min_len=2, max_len=40, checks=[not_in("admin", "root")]),
    "email": Email(),
    "age": Number(lo=0, hi=130, integer=True, required=False),
    "tags": ListOf(Str(min_len=1, max_len=12), max_items=5, unique=True, required=False, default=[]),
    "address": ADDRESS,
    "shares": ListOf(Obj({"asset": Str(), "weight": Number(lo=0, hi=1)}),
                     checks=[sums_to(1.0, "weight")], required=False, default=[]),
}, strict=True)


def make_record(i):
    names = ["Ada", "bo", "Cyd Lee", "admin", "X", "Dee", "Eve Moreau", "Fay"]
    cities = ["Berlin", "Paris", "test", "Rome", "N", "Madrid"]
    rec = {
        "id": i if i % 17 else str(i) if i % 34 else -i,
        "name": names[i % len(names)],
        "email": ("%s.%d@Example.COM" % (names[i % 8].split()[0], i)) if i % 11 else "broken@",
        "address": {"street": "%d Main St" % (i % 300), "city": cities[i % len(cities)],
                    "zip": str(10000 + i * 7 % 90000) if i % 13 else "1234"},
    }
    if i % 3 == 0:
        rec["age"] = (i * 7) % 150 if i % 9 else "4%d.5" % (i % 10)
    if i % 4 == 0:
        rec["tags"] = ["t%d" % (i % k) for k in range(1, 2 + i % 6)]
    if i % 5 == 0:
        rec["shares"] = [{"asset": "A", "weight": 0.25}, {"asset": "B", "weight": 0.75 if i % 10 else 0.5}]
    if i % 29 == 0:
        rec["nickname"] = "zz"
    if i % 6 == 0:
        rec["address"]["country"] = ["DE", "FR", "US"][i // 6 % 3]
    return rec


def validate_all(records):
    good = []
    failures = {}
    all_errors = []
    for rec in records:
        with Collector() as c:
            try:
                clean = USER.validate(rec)
            except ValidationError as e:
                c.add(e)
        if c.errors:
            all_errors.extend(c.errors)
            failures[rec.get("id")] = [str(e) for e in c.errors]
        else:
            good.append(clean)
    return good, failures, all_errors


def main():
    records = [make_record(i) for i in range(1, 3001)]
    good, failures, errors = validate_all(records)
    print(f"{len(records)} records: {len(good)} valid, {len(failures)} invalid, "
          f"{len(errors)} errors, {validations_run} field validations")
    codes = {}
    for e in errors:
        codes[e.code] = codes.get(e.code, 0) + 1
    for code, n in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0])):
        print("  %-9s %5d" % (code, n))
    paths = {e.path.split("[")[0] for e in errors}
    print("paths with errors:", sorted(paths))
    print("distinct (path, code):", len(set(errors)))
    for rid in sorted(failures, key=str)[:3]:
        print(f"  {rid!r:>6}: {'; '.join(failures[rid])}")
    ages = [g["age"] for g in good if g["age"] is not None]
    print("mean age: %.2f" % (sum(ages) / len(ages)))
    print("countries:", {c: sum(1 for g in good if g["address"]["country"] == c)
                         for c in sorted(COUNTRIES) if any(g["address"]["country"] == c for g in good)})
    print("sample:", good[0])
    print(repr(USER.fields["tags"]), repr(Str(min_len=1, hint="x")))
    try:
        Obj({})
    except SchemaError as e:
        print("schema error:", e)
    try:
        USER.validate({"id": "x1"})
    except ValidationError as e:
        print("outside a collector:", e, "| cause:", repr(e.__cause__))


if __name__ == "__main__":
    main()
