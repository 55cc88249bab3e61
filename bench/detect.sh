#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Time to the first finding of a buggy pair from an empty corpus, per seed,
# with the median.  Usage: bench/detect.sh [ENGINE] [PAIR] [TIME] [SEEDS]
#   e.g. bench/detect.sh libfuzzer v5.12,rfc3 60 "1 2 3 4 5"
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${1:-libfuzzer}
PAIR=${2:-v5.12,rfc3}
TIME=${3:-60}
SEEDS=${4:-1 2 3 4 5}
FAMILY=${FAMILY:-percpu}
TMP=$(mktemp -d)
mkdir -p "$TMP/empty"
trap 'rm -rf "$TMP"' EXIT
found=0 times=()
for s in $SEEDS; do
	# no seeds either: the family's corpus/<family>/ would start it with them
	# a lasting corpus of its own per seed (mmdiff refuses the seed directory)
	mkdir -p "$TMP/c$s"
	out=$(MMDIFF_SEEDS="$TMP/empty" build/bin/mmdiff fuzz --family "$FAMILY" --variants "$PAIR" --engine "$ENGINE" \
		--time "$TIME" --seed "$s" --findings "$TMP/f$s" --corpus "$TMP/c$s" 2>&1 || true)
	if ! printf '%s\n' "$out" | grep -q 'mmdiff-fuzz:'; then
		echo "seed $s: the campaign did not run: $(printf '%s\n' "$out" | tail -1)" >&2
		exit 1
	fi
	line=$(printf '%s\n' "$out" | grep -m1 '^MMDIFF-FOUND' || true)
	if [ -n "$line" ]; then
		t=$(printf '%s\n' "$line" | sed -n 's/.* after \([0-9.]*\)s.*/\1/p')
		found=$((found + 1))
		times+=("$t")
		echo "seed $s: $line"
		# every signature the campaign found, with its time (the per-signature table below)
		printf '%s\n' "$out" | sed -n 's/^MMDIFF-FOUND \([^ ]*\) after \([0-9.]*\)s \([0-9]*\) execs.*/\1 \2 \3/p' |
			while read -r sig at ex; do
				echo "    $sig after ${at}s, $ex execs"
				echo "$sig $at" >>"$TMP/all"
			done
		for f in "$TMP/f$s"/*.ops; do echo "    minimized: $(grep -vc '^#' "$f") lines ($(basename "$f"))"; done
	else
		echo "seed $s: nothing in ${TIME}s"
	fi
done
med=$(printf '%s\n' "${times[@]:-}" | grep . | sort -g | awk '{a[NR]=$1} END {if (NR) print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "engine $ENGINE, pair $PAIR: found with $found of $(echo $SEEDS | wc -w) seeds; median time to first finding ${med:-n/a}s"
# per signature: the seeds that found it and the median time
if [ -s "$TMP/all" ]; then
	sort -k1,1 -k2,2g "$TMP/all" | awk -v n="$(echo $SEEDS | wc -w)" '
		function flush() { if (k) printf "  %s: %d of %d seeds, median %ss\n", sig, k, n, (k % 2) ? t[(k + 1) / 2] : (t[k / 2] + t[k / 2 + 1]) / 2 }
		$1 != sig { flush(); sig = $1; k = 0 }
		{ t[++k] = $2 }
		END { flush() }'
fi
