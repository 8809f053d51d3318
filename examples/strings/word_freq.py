"""Word frequencies over non-ASCII text (hot: word_freq)."""

import random


def word_freq(text: str) -> dict[str, int]:
    """Lower-cased words (runs of letters) and how often each occurs."""
    counts = {}
    word = ""
    for ch in text:
        if ch.isalpha():
            word += ch.lower()
        elif word:
            counts[word] = counts.get(word, 0) + 1
            word = ""
    if word:
        counts[word] = counts.get(word, 0) + 1
    return counts


if __name__ == "__main__":
    rng = random.Random(5)
    words = ["Straße", "naïve", "café", "Ærø", "smörgåsbord", "déjà", "vu",
             "Zürich", "el", "niño", "the", "and", "Ελλάδα", "Москва"]
    text = " ".join(rng.choice(words) + rng.choice(["", ",", ".", "!"])
                    for _ in range(60_000))
    for _ in range(3):
        counts = word_freq(text)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    print(len(counts), top)
