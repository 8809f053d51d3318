"""Apply byte-pair-encoding merges to a token list (hot: bpe_encode)."""

import random


def bpe_encode(tokens, merges):
    """Merge adjacent tokens by rank until no pair in `merges` is left.

    `merges` maps a pair (left, right) to its rank; the lowest rank is merged
    first, every occurrence at once, left to right.
    """
    tokens = list(tokens)
    while len(tokens) > 1:
        best = None
        best_rank = -1
        for i in range(len(tokens) - 1):
            pair = (tokens[i], tokens[i + 1])
            if pair in merges:
                rank = merges[pair]
                if best is None or rank < best_rank:
                    best = pair
                    best_rank = rank
        if best is None:
            break
        merged = []
        i = 0
        while i < len(tokens):
            if (i < len(tokens) - 1 and tokens[i] == best[0]
                    and tokens[i + 1] == best[1]):
                merged.append(best[0] + best[1])
                i += 2
            else:
                merged.append(tokens[i])
                i += 1
        tokens = merged
    return tokens


if __name__ == "__main__":
    rng = random.Random(12)
    words = ["the", "then", "there", "other", "rather", "heat", "theatre"]
    merges = {}
    for word in words:
        parts = list(word)
        while len(parts) > 1:
            pair = (parts[0], parts[1])
            if pair not in merges:
                merges[pair] = len(merges)
            parts = [parts[0] + parts[1]] + parts[2:]
    for _ in range(3):
        text = " ".join(rng.choice(words) for _ in range(600))
        encoded = bpe_encode(list(text), merges)
        print("chars: %d, tokens: %d" % (len(text), len(encoded)))
