#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Execs per second of each family's pairs under libFuzzer (the fuzz flavor:
# ASan + UBSan + coverage instrumentation, as campaigns run it).
# Each pair: REPEAT runs of SECS seconds from an empty corpus with a fixed
# seed; prints the median exec/s.  Usage: bench/execs.sh [SECS] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
REPEAT=${2:-5}
BIN=build/bin
[ -x $BIN/mmdiff ] && [ -x $BIN/mmdiff-libfuzzer-percpu ] || ./build.sh build plain fuzz
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=detect_leaks=0

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

printf '%-10s %-24s %10s   %s\n' family pair "exec/s" "runs (exec/s)"
$BIN/mmdiff list | awk 'NF>=3 && $3!="-" {print $1, $3 "," $2} NF>=3 && $3=="-" {print $1, $2 "," $2}' |
while read -r fam pair; do
	[ -x $BIN/mmdiff-libfuzzer-$fam ] || continue
	runs=()
	for i in $(seq "$REPEAT"); do
		rm -rf "$TMP/c" && mkdir -p "$TMP/c"
		# known signatures are not crashes: a buggy pair keeps running
		MMDIFF_VARIANTS=$pair MMDIFF_KNOWN_SIGS="$TMP/known" \
			$BIN/mmdiff-libfuzzer-$fam -seed="$i" -max_total_time="$SECS" \
			-print_final_stats=1 "$TMP/c" >"$TMP/log" 2>&1 || true
		if grep -q MMDIFF-VIOLATION "$TMP/log"; then
			grep -m1 -o 'MMDIFF-VIOLATION: .*' "$TMP/log" | cut -d' ' -f2 >>"$TMP/known"
			rm -rf "$TMP/c" && mkdir -p "$TMP/c"
			MMDIFF_VARIANTS=$pair MMDIFF_KNOWN_SIGS="$TMP/known" \
				$BIN/mmdiff-libfuzzer-$fam -seed="$i" -max_total_time="$SECS" \
				-print_final_stats=1 "$TMP/c" >"$TMP/log" 2>&1 || true
		fi
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/log" | tail -1)
		runs+=("$(( ${n:-0} / SECS ))")
	done
	printf '%-10s %-24s %10s   %s\n' "$fam" "$pair" \
		"$(printf '%s\n' "${runs[@]}" | median)" "${runs[*]}"
done
