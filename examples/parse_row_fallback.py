"""Parse numeric CSV rows with try/except (stays in Python: parse_row).

rustify does not translate try/except, so parse_row is reported as not
translated with a reason and keeps running as Python.
"""

import random


def parse_row(line, sep=","):
    """Return the fields of line as floats; unparsable fields become None."""
    out = []
    for field in line.split(sep):
        try:
            out.append(float(field))
        except ValueError:
            out.append(None)
    return out


if __name__ == "__main__":
    rng = random.Random(14)
    fields = []
    for _ in range(40_000):
        if rng.random() < 0.05:
            fields.append("n/a")
        else:
            fields.append(str(round(rng.random() * 2000.0 - 1000.0, 3)))
    line = ",".join(fields)
    for k in range(4):
        values = parse_row(line[k:])
        print("missing: %d" % values.count(None))
