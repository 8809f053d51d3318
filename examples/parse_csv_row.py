"""Split one CSV line with quoted fields (hot function: parse_csv_row)."""

import random


def parse_csv_row(line: str, sep: str = ",") -> list[str]:
    """Return the fields of a CSV line.

    Fields may be quoted with double quotes; inside quotes the separator is
    literal and a doubled quote stands for one quote character.
    """
    fields = []
    field = ""
    in_quotes = False
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if in_quotes:
            if c == '"':
                if i + 1 < n and line[i + 1] == '"':
                    field += '"'
                    i += 1
                else:
                    in_quotes = False
            else:
                field += c
        elif c == '"':
            in_quotes = True
        elif c == sep:
            fields.append(field)
            field = ""
        else:
            field += c
        i += 1
    fields.append(field)
    return fields


def make_line(rng, n_fields):
    """Build a CSV line of n_fields random fields, some of them quoted."""
    vocabulary = []
    for _ in range(200):
        word = ""
        for _ in range(rng.randint(1, 12)):
            word += rng.choice('abcdefgh ,"')
        if "," in word or '"' in word or rng.random() < 0.2:
            word = '"' + word.replace('"', '""') + '"'
        vocabulary.append(word)
    parts = []
    for _ in range(n_fields):
        parts.append(vocabulary[int(rng.random() * len(vocabulary))])
    return ",".join(parts)


if __name__ == "__main__":
    rng = random.Random(13)
    for n_fields in (6000, 8000, 10000):
        line = make_line(rng, n_fields)
        for _ in range(4):
            fields = parse_csv_row(line)
        print("fields: %d" % len(fields))
