#!/usr/bin/env bash
# check.sh - the translator's output is unchanged by a refactoring.
#
#   tests/translate/reshape/check.sh [REV] [--random N] [EXTRA.py ...]
#
# Builds tool-translate at git revision REV (default HEAD) in a scratch
# copy of the tree (git archive: no worktree, no change to .git), runs it
# and the working tree's build/tool-translate on every Python file of
# tests/translate (not test_*), reshape/refusals.py (what only the
# printer used to refuse), examples/ and any EXTRA files, for Python 3.11
# and 3.12 semantics, with the signatures the tests and the profiler give
# (SIGNATURES of a corpus file; the profile harness's first observed
# signature for an example) and without any, plus N random modules of
# gen_programs.py (seeds 1..N, Python 3.11 only), then diffs:
#   - the report and every file written (lib.rs, Cargo.toml, shim): must
#     be byte-identical, or the script fails;
#   - tool-translate --dump-ir: shown, never fatal (a pass may annotate it).
# Run `make build/tool-translate` first. Needs python3 and tar.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"
REV=HEAD
NRANDOM=0
if [[ $# -gt 0 && $1 != *.py && $1 != --random ]]; then
	REV=$1
	shift
fi
if [[ $# -gt 1 && $1 == --random ]]; then
	NRANDOM=$2
	shift 2
fi
EXTRA=("$@")
SHA=$(git rev-parse --verify "$REV^{commit}")
WORK=${RESHAPE_WORK:-$ROOT/build/reshape}
BASE=$WORK/base-$SHA
NEW_TOOL=$ROOT/build/tool-translate

if [[ ! -x $NEW_TOOL ]]; then
	echo "check.sh: build $NEW_TOOL first (make build/tool-translate)" >&2
	exit 2
fi
if [[ ! -x $BASE/build/tool-translate ]]; then
	echo "check.sh: building tool-translate at ${SHA:0:12}" >&2
	rm -rf "$BASE"
	mkdir -p "$BASE"
	git archive "$SHA" | tar -x -C "$BASE"
	mkdir -p "$BASE/deps"
	ln -s "$ROOT/deps/tree-sitter-python" "$BASE/deps/tree-sitter-python"
	make -C "$BASE" -j2 -s build/tool-translate >/dev/null
fi

# Inputs and their signature files (written once per input).
mkdir -p "$WORK/sigs"
INPUTS=()
for f in tests/translate/*.py tests/translate/reshape/refusals.py examples/*.py \
	"${EXTRA[@]}"; do
	case $(basename "$f") in test_* | conftest.py) continue ;; esac
	INPUTS+=("$f")
done
for f in "${INPUTS[@]}"; do
	sig=$WORK/sigs/$(echo "$f" | tr / _).json
	[[ -s $sig ]] && continue
	python3 - "$f" "$sig" "$WORK/sigs" <<'EOF'
import importlib.util, json, os, subprocess, sys
src, out, tmp = sys.argv[1:4]
sigs = {}
if src.startswith("examples/"):
    prof = os.path.join(tmp, "profile.json")
    subprocess.run([sys.executable,
                    os.path.abspath("daemon/harness/profile.py"),
                    "--source", os.path.abspath(src), "--name", "m",
                    "--out", prof, "--samples", prof + ".pkl",
                    "--iterations", "1"],
                   cwd=os.path.dirname(os.path.abspath(src)),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.path.exists(prof):
        for fn in json.load(open(prof))["functions"]:
            if fn["signatures"]:
                s = fn["signatures"][0]
                sigs[fn["qualname"]] = {"args": s["args"],
                                        "return": s["return"]}
        os.remove(prof)
else:
    spec = importlib.util.spec_from_file_location("m", src)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
        sigs = getattr(mod, "SIGNATURES", {})
    except Exception:
        pass
json.dump(sigs, open(out, "w"))
EOF
done

RANDOM_INPUTS=()
if [[ $NRANDOM -gt 0 ]]; then
	rm -rf "$WORK/random"
	python3 tests/translate/reshape/gen_programs.py 1 "$NRANDOM" \
		"$WORK/random"
	RANDOM_INPUTS=("$WORK"/random/*.py)
fi

# run TOOL DIR: every input, both Python versions, with and without
# signatures, into DIR.
run() {
	local tool=$1 dir=$2 f sig ver tag out
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in "${INPUTS[@]}"; do
		sig=$WORK/sigs/$(echo "$f" | tr / _).json
		for ver in 3.11.7 3.12.1; do
			for mode in sig nosig; do
				tag=$(echo "$f" | tr / _)-$ver-$mode
				out=$dir/$tag
				args=(--source "$f" --module m_rs --out "$out"
					--python-version "$ver")
				[[ $mode == sig ]] && args+=(--signatures "$sig")
				"$tool" "${args[@]}" >"$out.report" 2>&1 || true
				sed -i "s|$out|OUT|g" "$out.report"
				"$tool" "${args[@]}" --dump-ir >"$out.ir" 2>&1 || true
			done
		done
	done
	for f in "${RANDOM_INPUTS[@]}"; do
		out=$dir/$(basename "$f" .py)
		args=(--source "$f" --module m_rs --out "$out")
		"$tool" "${args[@]}" >"$out.report" 2>&1 || true
		sed -i "s|$out|OUT|g" "$out.report"
		"$tool" "${args[@]}" --dump-ir >"$out.ir" 2>&1 || true
	done
}

run "$BASE/build/tool-translate" "$WORK/old"
run "$NEW_TOOL" "$WORK/new"

status=0
if ! diff -r -x '*.ir' "$WORK/old" "$WORK/new" >"$WORK/diff.txt"; then
	echo "check.sh: OUTPUT DIFFERS from ${SHA:0:12}:" >&2
	head -100 "$WORK/diff.txt" >&2
	status=1
fi
nir=0
for ir in "$WORK"/old/*.ir; do
	cmp -s "$ir" "$WORK/new/$(basename "$ir")" || nir=$((nir + 1))
done
nlib=$(find "$WORK/new" -name lib.rs | wc -l)
echo "check.sh: ${#INPUTS[@]} + ${#RANDOM_INPUTS[@]} inputs, $nlib crates: reports and" \
	"files $([[ $status == 0 ]] && echo identical || echo DIFFER) to" \
	"${SHA:0:12}; --dump-ir differs for $nir runs" \
	"(diff -r $WORK/old $WORK/new)"
exit $status
