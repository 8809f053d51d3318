"""Tests of examples/*.py: each runs as a script, quickly, and has the
shape rustify expects (one hot function, plain loops, a __main__ block)."""

import ast
import glob
import os
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "*.py")))
HOT = {"parse_row_fallback": "parse_row"}
EXPECTED = {"euclidean", "dot_product", "matmul", "convolve1d",
            "moving_average", "running_mean", "cumsum", "diff", "normalize",
            "zscore", "count_pairs", "bpe_encode", "parse_csv_row",
            "parse_row_fallback"}


def stem(path):
    """The file name without .py."""
    return os.path.splitext(os.path.basename(path))[0]


def test_all_examples_present():
    assert EXPECTED <= {stem(p) for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=stem)
def test_example_runs_as_script(path):
    start = time.monotonic()
    proc = subprocess.run([sys.executable, path], cwd=os.path.dirname(path),
                          capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), "the workload prints its results"
    assert elapsed < 5.0


def hot_function(path):
    """The syntax tree and the hot function's node of an example."""
    with open(path) as f:
        tree = ast.parse(f.read())
    name = HOT.get(stem(path), stem(path))
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)
             and n.name == name]
    assert len(funcs) == 1, name
    return tree, funcs[0]


@pytest.mark.parametrize("path", EXAMPLES, ids=stem)
def test_example_shape(path):
    tree, func = hot_function(path)
    assert ast.get_docstring(tree), "module docstring"
    mains = [n for n in tree.body if isinstance(n, ast.If)
             and "__main__" in ast.dump(n.test)]
    assert len(mains) == 1
    nodes = list(ast.walk(func))
    has_try = any(isinstance(n, ast.Try) for n in nodes)
    assert has_try == (stem(path) == "parse_row_fallback")
    generators = (ast.GeneratorExp, ast.Yield, ast.YieldFrom, ast.Global)
    assert not any(isinstance(n, generators) for n in nodes)


def test_about_half_are_annotated():
    annotated = 0
    for path in EXAMPLES:
        _, func = hot_function(path)
        if func.returns is not None or any(a.annotation for a in
                                           func.args.args):
            annotated += 1
    assert 0.3 * len(EXAMPLES) <= annotated <= 0.7 * len(EXAMPLES)
