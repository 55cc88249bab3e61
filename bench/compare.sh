#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Exec/s of two builds of mmdiff side by side, in one run: for each pair
# both list, REPEAT alternating runs (A, B, A, B ...) of SECS seconds from an
# empty corpus under libFuzzer, the median of each and the ratio B/A.
# Alternating keeps the machine's load the same for both on a shared box.
# Usage: bench/compare.sh TREE_A TREE_B [SECS] [REPEAT]   (trees with build/bin)
# PAIRS="percpu:v5.12,v5.14 pagealloc:v5.9,lockless" runs only those pairs;
# NICE=N runs the fuzzers under nice -n N (a shared machine).
set -euo pipefail
A=${1:?usage: compare.sh TREE_A TREE_B [SECS] [REPEAT]}
B=${2:?usage: compare.sh TREE_A TREE_B [SECS] [REPEAT]}
SECS=${3:-10}
REPEAT=${4:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=detect_leaks=0

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
pairs() { "$1/build/bin/mmdiff" list | awk 'NR>1 && NF>=3 {print $1, ($3=="-" ? $2 "," $2 : $3 "," $2)}'; }

# one run of @tree on @fam @pair with seed @i: exec/s (known signatures keep a buggy pair going)
run() {
	local tree=$1 fam=$2 pair=$3 i=$4 n
	rm -rf "$TMP/c" && mkdir -p "$TMP/c"
	MMDIFF_VARIANTS=$pair MMDIFF_KNOWN_SIGS="$TMP/known-$fam" \
		nice -n "${NICE:-0}" "$tree/build/bin/mmdiff-libfuzzer-$fam" -seed="$i" -max_total_time="$SECS" \
		-print_final_stats=1 "$TMP/c" >"$TMP/log" 2>&1 || true
	grep -o 'MMDIFF-VIOLATION: [^ ]*' "$TMP/log" | cut -d' ' -f2 >>"$TMP/known-$fam" || true
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/log" | tail -1)
	echo $(( ${n:-0} / SECS ))
}

printf '%-10s %-22s %8s %8s %7s\n' family pair A B B/A
comm -12 <(pairs "$A" | sort) <(pairs "$B" | sort) | while read -r fam pair; do
	if [ -n "${PAIRS:-}" ] && [[ " $PAIRS " != *" $fam:$pair "* ]]; then
		continue
	fi
	ra=() rb=()
	for i in $(seq "$REPEAT"); do
		ra+=("$(run "$A" "$fam" "$pair" "$i")")
		rb+=("$(run "$B" "$fam" "$pair" "$i")")
	done
	ma=$(printf '%s\n' "${ra[@]}" | median)
	mb=$(printf '%s\n' "${rb[@]}" | median)
	printf '%-10s %-22s %8s %8s %7s\n' "$fam" "$pair" "$ma" "$mb" \
		"$(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.2f", a ? b / a : 0}')"
	printf '%-10s runs A: %s   B: %s\n' "" "${ra[*]}" "${rb[*]}"
done
