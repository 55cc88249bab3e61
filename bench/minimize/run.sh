#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Minimization benchmark (not a test): for each family, pseudo-random inputs
# from fixed seeds; every violating one is minimized and its size before and
# after, the runs the minimizer made and the wall time are printed.
#   bench/minimize/run.sh [BIN_DIR] [INPUTS_PER_FAMILY] [BYTES]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/build/bin}
N=${2:-60}
LEN=${3:-1500}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf '%-10s %-6s %-55s %6s %6s %7s %7s\n' family seed signature ops min runs seconds
for fam in $("$BIN/mmdiff" list | awk 'NR > 1 {print $1}' | uniq); do
	for seed in $(seq 1 "$N"); do
		LC_ALL=C awk -v n="$LEN" -v s="$seed" 'BEGIN { x = s; for (i = 0; i < n; i++) {
			x = (x * 1103515245 + 12345) % 2147483648; printf "%c", int(x / 65536) % 256 } }' >"$TMP/in"
		line=$("$BIN/mmdiff" minimize --family "$fam" "$TMP/in" -o "$TMP/out.ops" | grep '^minimized ')
		[ -n "$line" ] || continue
		# "minimized SIG from N ops to M ops in R runs (T s..."
		echo "$line" | awk -v f="$fam" -v s="$seed" '{ t = $12; gsub(/[(s,)]/, "", t);
			printf "%-10s %-6s %-55s %6s %6s %7s %7s\n", f, s, $2, $4, $7, $10, t }'
	done
done
