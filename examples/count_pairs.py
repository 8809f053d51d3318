"""Count adjacent token pairs, as in BPE training (hot: count_pairs)."""

import random


def count_pairs(tokens: list[str]) -> dict[tuple[str, str], int]:
    """Return how often each adjacent pair (tokens[i], tokens[i+1]) occurs."""
    counts = {}
    for i in range(len(tokens) - 1):
        pair = (tokens[i], tokens[i + 1])
        if pair in counts:
            counts[pair] += 1
        else:
            counts[pair] = 1
    return counts


if __name__ == "__main__":
    rng = random.Random(11)
    alphabet = "etaoinshrdlu "
    tokens = [alphabet[int(rng.random() * len(alphabet))]
              for _ in range(150_000)]
    for k in range(4):
        counts = count_pairs(tokens[k:])
        best = max(counts, key=counts.get)
        print("pairs: %d, most common: %r" % (len(counts), best))
