#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Short fuzz smoke runs per family, and the same-verdict-on-every-engine check.
#  1. each family's reference against itself under libFuzzer: no violation;
#  2. every regression reproducer gives its recorded signature under mmdiff
#     run, the libFuzzer binary and the AFL++ binary alike;
#  3. the percpu rfc3 bug is found from an empty corpus within the budget.
set -euo pipefail
BIN=${1:?usage: test_fuzz_smoke.sh BIN_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0

for fam in $(sed -n 's/^MM_FAMILY(\([a-z0-9_]*\)).*/\1/p' "$ROOT/fuzz/families.def"); do
	lf="$BIN/mmdiff-libfuzzer-$fam"
	[ -x "$lf" ] || { echo "missing $lf"; fail=1; continue; }
	ref=$("$BIN/mmdiff" list | awk -v f="$fam" '$1==f && $3=="-" && !r {r = $2} END {print r}')
	[ -n "$ref" ] || { echo "family $fam: no reference listed"; fail=1; continue; }
	mkdir -p "$TMP/c-$fam"
	if ! MMDIFF_VARIANTS="$ref,$ref" "$lf" -seed=1 -max_total_time=20 \
		-print_final_stats=1 "$TMP/c-$fam" >"$TMP/self-$fam.log" 2>&1; then
		echo "FAIL: $fam $ref against itself reported:"
		# no violation line: the engine itself stopped (a crash, a limit);
		# print its own last lines (|| true: under pipefail a grep without
		# a match would end the script before it says anything)
		if grep -q MMDIFF-VIOLATION "$TMP/self-$fam.log"; then
			grep -A4 MMDIFF-VIOLATION "$TMP/self-$fam.log" | head -20 || true
		else
			grep -v '^#[0-9]' "$TMP/self-$fam.log" | tail -n 25 || true
		fi
		cp "$TMP/self-$fam.log" "${TMPDIR:-/tmp}/mmdiff-smoke-self-$fam.log" 2>/dev/null || true
		fail=1
	else
		echo "ok: $fam $ref self-differential, $(grep -o 'stat::number_of_executed_units: [0-9]*' "$TMP/self-$fam.log" | awk '{print $2}') execs"
	fi
done

# same verdict on every engine
for f in "$ROOT"/corpus/regress/*.ops; do
	[ -e "$f" ] || continue
	sig=$(sed -n 's/^# signature: *//p' "$f" | head -1)
	vars=$(sed -n 's/^# variants: *//p' "$f" | head -1)
	fam=${sig%%/*}
	bad=0
	got=$({ "$BIN/mmdiff" run "$f" || true; } | tail -1 | sed 's/^MMDIFF-VERDICT: //')
	[ "$got" = "$sig" ] || { echo "FAIL: mmdiff run $f: $got, want $sig"; bad=1; }
	"$BIN/mmdiff" convert "$f" -o "$TMP/bin" >/dev/null
	got=$({ MMDIFF_VARIANTS="$vars" "$BIN/mmdiff-libfuzzer-$fam" "$TMP/bin" 2>&1 || true; } |
		sed -n 's/^MMDIFF-VIOLATION: //p' | head -1)
	[ "$got" = "$sig" ] || { echo "FAIL: libFuzzer on $f: '$got', want $sig"; bad=1; }
	got=$({ MMDIFF_VARIANTS="$vars" "$BIN/mmdiff-afl-$fam" <"$TMP/bin" 2>&1 || true; } |
		sed -n 's/^MMDIFF-VIOLATION: //p' | head -1)
	case "$sig" in
	*/MEMORY_SAFETY@*)
		# the AFL++ flavor has no ASan: the access to freed memory is caught
		# later if at all (the machine's pool at the next free); a violation
		# of the same variant, whatever its rule, is what it can promise
		case "$got" in
		"${sig%/MEMORY_SAFETY@*}"/*) ;;
		*) echo "FAIL: AFL++ binary on $f: '$got', want a violation of ${sig%/MEMORY_SAFETY@*}"; bad=1 ;;
		esac ;;
	*)
		[ "$got" = "$sig" ] || { echo "FAIL: AFL++ binary on $f: '$got', want $sig"; bad=1; } ;;
	esac
	if [ "$bad" = 0 ]; then
		echo "ok: $(basename "$f"): $sig on mmdiff run, libFuzzer and AFL++"
	else
		fail=1
	fi
done

# the rfc3 finding from an empty corpus (a run count, not a time: deterministic)
mkdir -p "$TMP/rfc3"
if MMDIFF_VARIANTS=v5.12,rfc3 "$BIN/mmdiff-libfuzzer-percpu" -seed=7 -runs=200000 \
	-artifact_prefix="$TMP/" "$TMP/rfc3" >"$TMP/rfc3.log" 2>&1; then
	echo "FAIL: v5.12,rfc3: nothing found in 200000 runs"
	fail=1
else
	echo "ok: v5.12,rfc3: $(grep -m1 MMDIFF-VIOLATION "$TMP/rfc3.log")"
fi
exit $fail
