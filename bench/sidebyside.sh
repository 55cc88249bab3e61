#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Two builds of mmdiff fuzzing one pair at the same time, from an empty
# corpus, for the same wall time: what each ran (execs, exec/s, inputs kept
# and their mean size) and how much of the ports' code its corpus reaches.
#
# Usage: bench/sidebyside.sh TREE_A TREE_B FAMILY PAIR [SECS] [SEED]
#   TREE_x: a checkout with build/bin (the plain and fuzz flavors; for the
#   coverage columns also the cov flavor, build/bin/mmdiff-cov).
#   COV_FILES="ref/percpu/v5.12/percpu.c ..." restricts the coverage figure
#   to those sources (paths in each tree), so that builds whose ports moved
#   or grew compare the same kernel code; default: the family's ref/ and impl/.
#   NICE=N runs both under nice -n N; KEEP=DIR keeps each build's lasting corpus
#   in DIR/A and DIR/B (for a profile of the end of the campaign).
# Both campaigns run at once, so a shared machine's load falls on both alike.
# Each tree's binaries are copied into a scratch tree whose corpus/<family>/
# is empty, so neither starts from seeds (older builds have no MMDIFF_SEEDS).
set -euo pipefail
A=${1:?usage: sidebyside.sh TREE_A TREE_B FAMILY PAIR [SECS] [SEED]}
B=${2:?}
FAM=${3:?}
PAIR=${4:?}
SECS=${5:-600}
SEED=${6:-1}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=detect_leaks=0

for x in A B; do
	tree=${!x}
	mkdir -p "$TMP/$x/build" "$TMP/$x/corpus/$FAM" "$TMP/$x/lasting"
	cp -r "$tree/build/bin" "$TMP/$x/build/bin"
	git -C "$tree" log -1 --format='%h %s' 2>/dev/null | cut -c1-40 >"$TMP/$x/commit" || true
	(cd "$TMP/$x" && nice -n "${NICE:-0}" build/bin/mmdiff fuzz --family "$FAM" --variants "$PAIR" \
		--time "$SECS" --seed "$SEED" --findings "$TMP/$x/findings" --corpus "$TMP/$x/lasting" \
		>"$TMP/$x/log" 2>&1 || true) &
done
wait

# port lines reached by @x's lasting corpus, replayed by its own cov build
coverage() {
	local x=$1 tree=${!1} pd cov srcs=()
	[ -x "$tree/build/bin/mmdiff-cov" ] || { echo "-"; return; }
	pd=$(command -v llvm-profdata-14 || command -v llvm-profdata)
	cov=$(command -v llvm-cov-14 || command -v llvm-cov)
	LLVM_PROFILE_FILE="$TMP/$x/cov-%m.profraw" "$tree/build/bin/mmdiff-cov" run \
		--variants "$PAIR" "$TMP/$x/lasting" >/dev/null 2>&1 || true
	"$pd" merge -sparse "$TMP/$x"/cov-*.profraw -o "$TMP/$x/cov.profdata"
	if [ -n "${COV_FILES:-}" ]; then
		for f in $COV_FILES; do srcs+=("$tree/$f"); done
	else
		for d in "$tree/ref/$FAM" "$tree/impl/$FAM"; do [ -d "$d" ] && srcs+=("$d"); done
	fi
	"$cov" report "$tree/build/bin/mmdiff-cov" -instr-profile="$TMP/$x/cov.profdata" "${srcs[@]}" |
		awk '/^TOTAL/ {print "lines " $10 " (" $8 - $9 " of " $8 "), regions " $4 ", functions " $7}'
}

printf '%-4s %-40s %10s %8s %8s %10s  %s\n' tree commit execs exec/s inputs mean_bytes "port coverage of its corpus"
for x in A B; do
	tree=${!x}
	log="$TMP/$x/log"
	execs=$(sed -n 's/^total execs: \([0-9]*\).*/\1/p' "$log" | tail -1)
	n=$(find "$TMP/$x/lasting" -type f | wc -l)
	bytes=$(find "$TMP/$x/lasting" -type f -printf '%s\n' | awk '{s += $1} END {print NR ? int(s / NR) : 0}')
	commit=$(cat "$TMP/$x/commit")	# at the start: the binaries are copied then
	printf '%-4s %-40s %10s %8s %8s %10s  %s\n' "$x" "$commit" "${execs:-?}" \
		"$(( ${execs:-0} / SECS ))" "$n" "$bytes" "$(coverage "$x")"
	grep '^MMDIFF-FOUND' "$log" | sed "s/^/     $x: /" || true
	grep -q '^total execs' "$log" || { echo "     $x: the campaign did not end normally:"; tail -3 "$log"; }
	if [ -n "${KEEP:-}" ]; then
		mkdir -p "$KEEP" && rm -rf "${KEEP:?}/$x" && cp -r "$TMP/$x/lasting" "$KEEP/$x"
	fi
done
