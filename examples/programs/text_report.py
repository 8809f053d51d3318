# Text report formatter: parses a generated sales log (CSV-like lines),
# aggregates it, and renders fixed-width tables, a histogram and a word
# summary. Plain top-level code.
#
# Covers: str methods (split, strip, ljust/rjust/center, join, upper,
# title, startswith, replace, partition, zfill, count), f-strings with
# format specs, % formatting, str.format, module constants, a Column
# class with a formatter callback, closures, sorted keys, comprehensions,
# *args/**kwargs, default arguments, exceptions for bad lines.

WIDTH = 72
REGIONS = ["north", "south", "east", "west", "central"]
PRODUCTS = ["widget", "gadget", "doohickey", "gizmo", "thingamajig", "sprocket"]
SEPARATOR = "-"
BAR = "#"

lines_rejected = 0


class BadRecord(ValueError):
    def __init__(self, lineno, text, why):
        super().__init__(f"line {lineno}: {why}: {text[:20]!r}")
        self.lineno = lineno


class Record:
    __slots__ = ("day", "region", "product", "units", "price", "rep")

    def __init__(self, day, region, product, units, price, rep):
        self.day = day
        self.region = region
        self.product = product
        self.units = units
        self.price = price
        self.rep = rep

    @property
    def revenue(self):
        return self.units * self.price

    def __repr__(self):
        return "Record(%d, %s, %s, %d @ %.2f)" % (self.day, self.region, self.product,
                                                  self.units, self.price)


def generate_log(n, seed=5):
    s = seed
    out = ["# day,region,product,units,price,rep"]
    for i in range(n):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        day = 1 + s % 28
        region = REGIONS[(s >> 5) % len(REGIONS)]
        product = PRODUCTS[(s >> 9) % len(PRODUCTS)]
        units = 1 + (s >> 13) % 40
        price = 5 + ((s >> 19) % 1000) / 20
        rep = "rep_%s" % "abcdefgh"[(s >> 27) % 8]
        line = f"{day}, {region.upper() if i % 3 == 0 else region} ,{product},{units},{price:.2f},{rep}"
        if i % 97 == 0:
            line = line.replace(",", ";", 1)
        elif i % 131 == 0:
            line = line.rsplit(",", 3)[0] + ",-3,1.00,rep_z"
        elif i % 151 == 0:
            line = line.rsplit(",", 2)[0] + ",x.y,rep_z"
        out.append(line)
    return out


def parse_line(lineno, text):
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 6:
        raise BadRecord(lineno, text, "expected 6 fields, got %d" % len(parts))
    day, region, product, units, price, rep = parts
    try:
        rec = Record(int(day), region.lower(), product, int(units), float(price), rep)
    except ValueError as e:
        raise BadRecord(lineno, text, "bad number") from e
    if rec.units <= 0:
        raise BadRecord(lineno, text, "units must be positive")
    return rec


def parse_log(lines):
    global lines_rejected
    records = []
    errors = []
    for lineno, text in enumerate(lines, 1):
        if not text or text.startswith("#"):
            continue
        try:
            records.append(parse_line(lineno, text))
        except BadRecord as e:
            lines_rejected += 1
            errors.append(str(e))
    return records, errors


class Column:
    def __init__(self, title, width, align="<", fmt=None):
        self.title = title
        self.width = width
        self.align = align
        self.fmt = fmt or (lambda v: str(v))

    def cell(self, value):
        text = self.fmt(value)
        if len(text) > self.width:
            text = text[: self.width - 1] + "~"
        return f"{text:{self.align}{self.width}}"

    def header(self):
        return self.title.center(self.width) if self.align == "^" else \
            (self.title.ljust(self.width) if self.align == "<" else self.title.rjust(self.width))


class Table:
    def __init__(self, *columns, sep=" | "):
        self.columns = columns
        self.sep = sep
        self.rows = []

    def add(self, *values):
        self.rows.append(values)

    def render(self, title=None):
        inner = self.sep.join(c.header() for c in self.columns)
        rule = SEPARATOR * len(inner)
        out = []
        if title:
            out.append(title.title().center(len(inner), "="))
        out += [inner, rule]
        for row in self.rows:
            out.append(self.sep.join(c.cell(v) for c, v in zip(self.columns, row)).rstrip())
        out.append(rule)
        return "\n".join(out)


def money(v):
    return f"{v:,.2f}"


def percent(total):
    return lambda v: "%5.1f%%" % (100.0 * v / total) if total else "-"


def group(records, key, value=lambda r: r.revenue):
    totals = {}
    for r in records:
        k = key(r)
        totals[k] = totals.get(k, 0) + value(r)
    return totals


def histogram(counts, width=40, **opts):
    mark = opts.get("mark", BAR)
    biggest = max(counts.values())
    rows = []
    for label, n in sorted(counts.items()):
        bar = mark * max(1, round(width * n / biggest))
        rows.append("{:>3} {:<{w}} {}".format(label, bar, n, w=width))
    return rows


lines = generate_log(15000)
records, errors = parse_log(lines)
grand = sum(r.revenue for r in records)
print(f"{len(records)} records, {len(errors)} rejected ({lines_rejected}), revenue {grand:,.2f}")
for e in errors[:4]:
    print("  !", e)

by_region = group(records, lambda r: r.region)
t = Table(Column("region", 10), Column("revenue", 14, ">", money),
          Column("share", 7, ">", percent(grand)), Column("units", 6, ">"))
units_by_region = group(records, lambda r: r.region, lambda r: r.units)
for region in sorted(by_region, key=lambda k: -by_region[k]):
    t.add(region, by_region[region], by_region[region], units_by_region[region])
print(t.render("revenue by region"))

by_product = group(records, lambda r: r.product)
best = sorted(by_product.items(), key=lambda kv: (-kv[1], kv[0]))
t2 = Table(Column("#", 2, ">"), Column("product", 9), Column("revenue", 14, ">", money),
           Column("avg price", 9, ">", lambda v: "%.3f" % v), sep="  ")
for rank, (product, rev) in enumerate(best, 1):
    prices = [r.price for r in records if r.product == product]
    t2.add(rank, product, rev, sum(prices) / len(prices))
print(t2.render("products"))

weekly = group(records, lambda r: "w%d" % ((r.day - 1) // 7 + 1), lambda r: 1)
print("\n".join(histogram(weekly, width=30)))
daily = group(records, lambda r: str(r.day).zfill(2), lambda r: r.units)
print("\n".join(histogram({k: v for k, v in daily.items() if k.startswith("1")}, 20, mark="*")))

reps = group(records, lambda r: r.rep)
top_rep, top_rev = max(reps.items(), key=lambda kv: kv[1])
name, _, letter = top_rep.partition("_")
print("top %s: %s with %s" % (name, letter.upper(), money(top_rev)))
big = [r for r in records if r.units >= 39 and r.price > 54]
print("big orders:", len(big), big[:2])
mixed = sum(1 for line in lines if any(c.isupper() for c in line))
print("upper-case regions in log: %d (%.1f%%)" % (mixed, 100.0 * mixed / len(lines)))
words = " ".join(r.product for r in records[:500])
print("letters:", {c: words.count(c) for c in "aeiou"})
assert abs(sum(by_region.values()) - grand) < 1e-6 * grand
assert set(by_region) == set(REGIONS)
