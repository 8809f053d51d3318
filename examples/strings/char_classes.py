"""Count characters by class in mixed-script text (hot: char_classes)."""

import random

VOWELS = "aeiouyàáâäæéèêëíìîïóòôöøúùûüαεηιουωаеёиоуыэюя"


def char_classes(text: str) -> list[int]:
    """[vowels, consonants, digits, spaces, other] of text."""
    vowels = consonants = digits = spaces = other = 0
    for ch in text:
        low = ch.lower()
        if low in VOWELS:
            vowels += 1
        elif ch.isalpha():
            consonants += 1
        elif ch.isdigit():
            digits += 1
        elif ch.isspace():
            spaces += 1
        else:
            other += 1
    return [vowels, consonants, digits, spaces, other]


if __name__ == "__main__":
    rng = random.Random(6)
    pieces = ["Größe 42", "naïveté", "Ωmega-7", "résumé\t", "Привет, мир",
              "x = y + 3;", "日本語", "ÆØÅ 2024\n"]
    text = "".join(rng.choice(pieces) for _ in range(40_000))
    for _ in range(3):
        counts = char_classes(text)
    print(counts)
