#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What interleavings cost: exec/s of one pair per family under libFuzzer
# (fuzz flavor) with the machine's task ops on (the default) and off
# (MMDIFF_TASKS=off: start/step/finish/settle do nothing), REPEAT
# alternating runs of SECS seconds from an empty corpus each, so that both
# arms see the same load.  Prints the medians and the ratio on/off, and how
# many inputs of the final corpus of an "on" run start a task.
# Usage: bench/interleave.sh [SECS] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-20}
REPEAT=${2:-3}
BIN=build/bin
[ -x $BIN/mmdiff ] && [ -x $BIN/mmdiff-libfuzzer-percpu ] || ./build.sh build plain fuzz
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=detect_leaks=0

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

one() {	# fam pair seed tasks -> exec/s
	rm -rf "$TMP/c" && mkdir -p "$TMP/c"
	MMDIFF_VARIANTS=$2 MMDIFF_TASKS=$4 MMDIFF_KNOWN_SIGS=/dev/null \
		$BIN/mmdiff-libfuzzer-$1 -seed="$3" -max_total_time="$SECS" \
		-print_final_stats=1 "$TMP/c" >"$TMP/log" 2>&1 || true
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/log" | tail -1)
	echo $(( ${n:-0} / SECS ))
}

printf '%-10s %-22s %8s %8s %6s   %s\n' family pair "on" "off" "on/off" "corpus inputs with a task (on)"
for fp in "percpu v5.12,v5.14" "percpu v3.18-fix2016,v3.18-fix2016" "pagealloc v5.9,lockless" \
	  "drain v5.17,v5.17" "kmemcg v5.1,v5.3-fixes"; do
	set -- $fp
	on=() off=() withtask=0 total=0
	for i in $(seq "$REPEAT"); do
		on+=("$(one "$1" "$2" "$i" on)")
		total=$(ls "$TMP/c" | wc -l)
		withtask=0
		for f in "$TMP"/c/*; do
			$BIN/mmdiff convert "$f" -o "$TMP/t.ops" --family "$1" >/dev/null 2>&1 || continue
			grep -q '^start ' "$TMP/t.ops" && withtask=$((withtask + 1))
		done
		off+=("$(one "$1" "$2" "$i" off)")
	done
	mon=$(printf '%s\n' "${on[@]}" | median)
	moff=$(printf '%s\n' "${off[@]}" | median)
	printf '%-10s %-22s %8s %8s %6s   %s of %s\n' "$1" "$2" "$mon" "$moff" \
		"$(awk -v a="$mon" -v b="$moff" 'BEGIN {printf "%.2f", b ? a / b : 0}')" "$withtask" "$total"
done
