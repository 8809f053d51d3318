"""Profile every example with the real harness: the example's hot function
is ranked first, with the signature its workload really used."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HARNESS = os.path.join(ROOT, "daemon", "harness", "profile.py")
EXAMPLES = os.path.join(ROOT, "examples")

LF = "list[float]"
EXPECTED = {
    "bpe_encode": ("bpe_encode", {"tokens": "list[str]",
                                  "merges": "dict[tuple[str, str], int]"},
                   "list[str]"),
    "convolve1d": ("convolve1d", {"signal": LF, "kernel": LF}, LF),
    "count_pairs": ("count_pairs", {"tokens": "list[str]"},
                    "dict[tuple[str, str], int]"),
    "cumsum": ("cumsum", {"values": "list[int]"}, "list[int]"),
    "diff": ("diff", {"values": LF}, LF),
    "dot_product": ("dot_product", {"a": LF, "b": LF}, "float"),
    "euclidean": ("euclidean", {"a": LF, "b": LF}, "float"),
    "matmul": ("matmul", {"a": "list[list[float]]",
                          "b": "list[list[float]]"}, "list[list[float]]"),
    "moving_average": ("moving_average", {"values": LF, "window": "int"},
                       LF),
    "normalize": ("normalize", {"values": LF}, LF),
    "parse_csv_row": ("parse_csv_row", {"line": "str", "sep": "str"},
                      "list[str]"),
    "running_mean": ("running_mean", {"values": LF}, LF),
    "zscore": ("zscore", {"values": LF}, LF),
}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_hot_function_ranked_first(stem, tmp_path):
    src = os.path.join(EXAMPLES, stem + ".py")
    out = tmp_path / "p.json"
    r = subprocess.run(
        [sys.executable, HARNESS, "--source", src, "--name", stem,
         "--out", str(out), "--samples", str(tmp_path / "s.pkl")],
        cwd=EXAMPLES, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    prof = json.loads(out.read_text())
    name, args, ret = EXPECTED[stem]
    first = prof["functions"][0]
    assert first["qualname"] == name
    assert first["ncalls"] > 0 and 0 < first["share"] <= 1
    sig = first["signatures"][0]
    assert sig["args"] == args
    assert sig["return"] == ret
