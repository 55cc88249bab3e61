#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The CI files a project copies (docs/ci.md):
# - .github/workflows/*.yml parse (PyYAML when present, else a structural
#   check) and have the promised steps;
# - .github/workflows/mmdiff-ci.sh: its pairs are `mmdiff list`'s, its
#   verdict fails on a finding in a variant expected clean only, and it
#   fuzzes a known-buggy pair to a pass with the finding kept;
# - ClusterFuzzLite: the Dockerfile's steps run as a script (its packages
#   present, the COPY steps into a temporary $SRC, then its build.sh) with
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer and clang 14 into a temporary
#   $OUT; every fuzzer there runs its seed corpus with its dictionary.
. "$(dirname "$0")/lib.sh"
CI="$ROOT/.github/workflows/mmdiff-ci.sh"

# -- the workflow files ------------------------------------------------------
for y in "$ROOT"/.github/workflows/*.yml "$ROOT"/.clusterfuzzlite/project.yaml; do
	name=${y#"$ROOT"/}
	if grep -q "$(printf '\t')" "$y"; then fail "$name: a tab (YAML forbids them)"; continue; fi
	if python3 -c 'import yaml' 2>/dev/null; then
		python3 - "$y" >"$TMP/py" 2>&1 <<'PY' && ok "$name: parses ($(cat "$TMP/py"))" || fail "$name: $(tail -2 "$TMP/py")"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
if sys.argv[1].endswith("project.yaml"):
    assert doc["language"] == "c"; print("language c"); sys.exit(0)
on = doc.get("on", doc.get(True))		# YAML 1.1 reads "on" as true
jobs = doc["jobs"]
assert "pull_request" in on, "no pull_request trigger"
steps = [s for j in jobs.values() for s in j["steps"]]
uses = [s.get("uses", "").split("@")[0] for s in steps]
if "mmdiff.yml" in sys.argv[1]:
    assert "push" in on, "no push trigger"
    assert any("./build.sh test" in s.get("run", "") for s in steps), "no ./build.sh test"
    for u in ("actions/cache/restore", "actions/cache/save", "actions/upload-artifact"):
        assert u in uses, "no " + u
    assert "matrix" in jobs["fuzz"]["strategy"], "fuzz has no matrix"
    assert any("mmdiff-ci.sh fuzz" in s.get("run", "") for s in steps), "fuzz step"
print("%d jobs, %d steps" % (len(jobs), len(steps)))
PY
	else
		grep -q '^jobs:' "$y" || grep -q '^language:' "$y" && ok "$name: has its top-level keys (no PyYAML here)" ||
			fail "$name: no jobs:/language:"
	fi
done

# -- mmdiff-ci.sh ------------------------------------------------------------
MMDIFF="$MMDIFF" "$CI" pairs >"$TMP/pairs" 2>"$TMP/err" || fail "mmdiff-ci.sh pairs: $(cat "$TMP/err")"
want=$("$MMDIFF" list | awk 'NR > 1 && $3 != "-" {print $3 "," $2}' | sort | tr '\n' ' ')
got=$(grep -o '"[^"]*"' "$TMP/pairs" | tr -d '"' | sort | tr '\n' ' ')
[ -n "$got" ] && [ "$got" = "$want" ] && ok "mmdiff-ci.sh pairs: $got" || fail "pairs '$got', want '$want'"
if command -v python3 >/dev/null; then
	python3 -m json.tool "$TMP/pairs" >/dev/null && ok "the pairs are a JSON array" || fail "pairs: not JSON: $(cat "$TMP/pairs")"
fi
doc() { printf '{"schema":"mmdiff-json/1","command":"fuzz","exit":%s,"campaign":{"stats":{"harness_crashes":0},"findings":[%s]}}\n' "$1" "$2"; }
doc 0 '' >"$TMP/none.json"
doc 1 '{"signature":"f/a/X@g","expect":"buggy: \"quoted\" text","file":"x"}' >"$TMP/buggy.json"
doc 1 '{"signature":"f/a/X@g","expect":"buggy: y","file":"x"},{"signature":"f/b~a/R@op","expect":"clean","file":"y"}' >"$TMP/clean.json"
"$CI" verdict "$TMP/none.json" >/dev/null && ok "verdict: no finding passes" || fail "verdict: no finding fails"
"$CI" verdict "$TMP/buggy.json" >/dev/null && ok "verdict: a finding in a buggy variant passes" || fail "verdict: buggy finding fails"
"$CI" verdict "$TMP/clean.json" >"$TMP/out"; rc=$?
[ "$rc" = 1 ] && grep -q '::error::.*f/b~a/R@op' "$TMP/out" && ok "verdict: a finding in a clean variant fails, with an annotation" ||
	fail "verdict on a clean finding: exit $rc: $(cat "$TMP/out")"
# a known-buggy pair for a few seconds: passes, the reproducer is kept
bpair=$("$MMDIFF" list | awk 'NR > 1 && $3 != "-" && $4 ~ /^buggy/ && !r {r = $3 "," $2} END {print r}')
bfam=$("$MMDIFF" list | awk 'NR > 1 && $3 != "-" && $4 ~ /^buggy/ && !r {r = $1} END {print r}')
if [ -n "$bpair" ] && [ -x "$BIN/mmdiff-libfuzzer-$bfam" ]; then
	MMDIFF="$MMDIFF" nice -n 10 "$CI" fuzz "$bpair" 4 "$TMP/ci" >"$TMP/out" 2>&1; rc=$?
	safe=$(echo "$bpair" | tr ',' '_')
	n=$(ls "$TMP/ci/findings/$safe"/*.ops 2>/dev/null | wc -l)
	[ "$rc" = 0 ] && [ "$n" -gt 0 ] && ok "mmdiff-ci.sh fuzz $bpair: passes with $n reproducer(s) kept" ||
		fail "mmdiff-ci.sh fuzz $bpair: exit $rc, $n reproducers: $(tail -3 "$TMP/out")"
	[ "$(ls "$TMP/ci/corpus/$safe" | wc -l)" -gt 0 ] && ok "its lasting corpus holds $(ls "$TMP/ci/corpus/$safe" | wc -l) inputs" ||
		fail "no lasting corpus in $TMP/ci/corpus/$safe"
fi

# -- ClusterFuzzLite: the Dockerfile's steps, then every fuzzer ---------------
CC14=$(command -v clang-14 || true)
CXX14=$(command -v clang++-14 || true)
if [ -z "$CC14" ] || [ -z "$CXX14" ] || ! command -v zip >/dev/null || ! command -v unzip >/dev/null; then
	echo "skip: the contract build needs clang-14, clang++-14, zip and unzip"
	finish
fi
df="$ROOT/.clusterfuzzlite/Dockerfile"
grep -q '^FROM gcr.io/oss-fuzz-base/base-builder' "$df" && ok "Dockerfile: FROM base-builder" || fail "Dockerfile: FROM"
for p in $(sed -n 's/^RUN apt-get update && apt-get install -y --no-install-recommends //p' "$df"); do
	dpkg -s "$p" >/dev/null 2>&1 && ok "Dockerfile package $p: present here" || fail "Dockerfile package $p: not installed here"
done
SRC=$TMP/src
mkdir -p "$SRC/mmdiff"
# COPY . $SRC/mmdiff (the sources: what git tracks or would track)
(cd "$ROOT" && { git ls-files -co --exclude-standard 2>/dev/null || find . -path ./build -prune -o -type f -print; } |
	grep -v '^build/' | tar -cf - -T -) | tar -xf - -C "$SRC/mmdiff"
grep -q "^COPY .clusterfuzzlite/build.sh \$SRC/" "$df" && cp "$SRC/mmdiff/.clusterfuzzlite/build.sh" "$SRC/build.sh"
OUT=$TMP/out-fuzzers
mkdir -p "$OUT"
(cd "$SRC/mmdiff" && SRC=$SRC OUT=$OUT CC=$CC14 CXX=$CXX14 LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
	CFLAGS="-O1 -g -fsanitize=address,fuzzer-no-link" CXXFLAGS="-O1 -g -fsanitize=address,fuzzer-no-link" \
	nice -n 10 bash "$SRC/build.sh") >"$TMP/build.log" 2>&1 && ok "the contract build into \$OUT" ||
	{ fail "the contract build: $(tail -5 "$TMP/build.log")"; finish; }
nf=0
for opt in "$OUT"/*.options; do
	fz=${opt%.options}
	b=$(basename "$fz")
	nf=$((nf + 1))
	[ -x "$fz" ] || { fail "$b: no fuzzer beside its options"; continue; }
	[ -f "${fz}_seed_corpus.zip" ] || { fail "$b: no seed corpus zip"; continue; }
	dict=$(sed -n 's/^dict = //p' "$opt")
	[ -n "$dict" ] && [ -f "$OUT/$dict" ] || { fail "$b: options name no dictionary in \$OUT"; continue; }
	mkdir -p "$TMP/seeds-$b"
	(cd "$TMP/seeds-$b" && unzip -q "${fz}_seed_corpus.zip")
	ns=$(ls "$TMP/seeds-$b" | wc -l)
	(cd "$OUT" && "$fz" -dict="$OUT/$dict" -runs=100 -seed=1 "$TMP/seeds-$b") >"$TMP/run-$b.log" 2>&1; rc=$?
	sig=$(sed -n 's/^MMDIFF-VIOLATION: //p' "$TMP/run-$b.log" | head -1)
	v=$(echo "$sig" | cut -d/ -f2 | cut -d~ -f1)
	if [ "$rc" = 0 ] && grep -q 'INITED cov' "$TMP/run-$b.log"; then
		ok "$b: ran its $ns seeds and 100 mutations ($(grep -o 'Dictionary: [0-9]* entries' "$TMP/run-$b.log"), $(grep -m1 -o 'INITED cov: [0-9]* ft: [0-9]*' "$TMP/run-$b.log"))"
	elif [ -n "$sig" ] && "$MMDIFF" list | awk -v f="${sig%%/*}" -v v="$v" \
		'$1 == f && $2 == v && $4 ~ /^buggy/ {found = 1} END {exit !found}'; then
		# mutations may reach another bug of a variant expected buggy
		ok "$b: ran its seeds; found $sig ($v is expected buggy)"
	else
		fail "$b: exit $rc: $(grep -m3 'MMDIFF-VIOLATION\|ERROR\|error' "$TMP/run-$b.log")"
	fi
done
# the contract build has no kernel tree: its own mmdiff lists its pairs
npairs=$("$SRC/mmdiff/build/ossfuzz-host/mmdiff" list | awk 'NR > 1 && $3 != "-"' | wc -l)
[ "$nf" = "$npairs" ] && ok "one fuzzer per pair: $nf" || fail "$nf fuzzers, $npairs pairs"
finish
