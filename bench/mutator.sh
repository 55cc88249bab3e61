#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Op-aware mutation against byte mutation (bench/mutator.md): `mmdiff fuzz`
# campaigns of one pair from an EMPTY corpus (the family's seeds left out:
# the binaries are copied into a scratch tree whose corpus/<family>/ is
# empty), one at a time under nice, per arm and seed:
#   bytes   MMDIFF_MUTATOR=bytes MMDIFF_DICT=0  libFuzzer's byte mutation alone
#                                               (what mmdiff did before)
#   dict    MMDIFF_MUTATOR=bytes                byte mutation and the dictionary
#   long    as dict, with -len_control=0        ... and inputs as long as the
#                                               op-aware arm lets them grow
#   ops     (the default)                       op-aware mutation, 1 in 8 byte
#                                               mutation, and the dictionary
# (libFuzzer turns its length control off when the target has mutation
# hooks; mmdiff fuzz turns it back on, -len_control=100, with
# MMDIFF_MUTATOR=bytes.  The long arm adds -len_control=0 through a wrapper
# of the libFuzzer binary in the scratch tree.)
# Prints per run the time and execs to the first finding (or "-"), libFuzzer's
# cov and ft at the end, total execs; then the medians per arm.
# Usage: bench/mutator.sh [TIME] [SEEDS] [ARMS]
#   e.g. bench/mutator.sh 120 "1 2 3" "bytes dict long ops"
# Environment: FAMILY (percpu), PAIR (v5.12,rfc3), ENGINE (libfuzzer),
# WANT (a substring of the awaited signature; default the pair's second variant).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TIME=${1:-120}
SEEDS=${2:-1 2 3}
ARMS=${3:-bytes dict long ops}
FAMILY=${FAMILY:-percpu}
PAIR=${PAIR:-v5.12,rfc3}
ENGINE=${ENGINE:-libfuzzer}
WANT=${WANT:-/${PAIR#*,}}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# a scratch tree: bin/../../corpus/<family> is where mmdiff fuzz takes seeds
mkdir -p "$TMP/tree/build/bin" "$TMP/tree/corpus/$FAMILY"
cp build/bin/mmdiff "$TMP/tree/build/bin/"
if [ "$ENGINE" = afl ]; then
	cp "build/bin/mmdiff-afl-$FAMILY" build/bin/mmdiff-afl-mutator.so "$TMP/tree/build/bin/"
else
	cp "build/bin/mmdiff-libfuzzer-$FAMILY" "$TMP/tree/build/bin/mmdiff-libfuzzer-$FAMILY.real"
	# later flags win in libFuzzer: BENCH_LF_FLAGS override mmdiff's
	printf '#!/bin/sh\n# shellcheck disable=SC2086\nexec "$0.real" "$@" $BENCH_LF_FLAGS\n' \
		>"$TMP/tree/build/bin/mmdiff-libfuzzer-$FAMILY"
	chmod +x "$TMP/tree/build/bin/mmdiff-libfuzzer-$FAMILY"
fi
MMDIFF="$TMP/tree/build/bin/mmdiff"

median() { sort -g | awk '{a[NR] = $1} END {if (!NR) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

printf '# %s %s %s, %ss per run, seeds %s, empty corpus, nice -n 10, %s\n' \
	"$ENGINE" "$FAMILY" "$PAIR" "$TIME" "$SEEDS" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-6s %-5s %10s %12s %7s %7s %11s %8s\n' arm seed found_s found_execs cov ft execs exec/s
for arm in $ARMS; do
	case $arm in
	bytes) envs=(MMDIFF_MUTATOR=bytes MMDIFF_DICT=0 BENCH_LF_FLAGS=) ;;
	dict) envs=(MMDIFF_MUTATOR=bytes MMDIFF_DICT=1 BENCH_LF_FLAGS=) ;;
	long) envs=(MMDIFF_MUTATOR=bytes MMDIFF_DICT=1 BENCH_LF_FLAGS=-len_control=0) ;;
	ops) envs=(MMDIFF_MUTATOR=ops MMDIFF_DICT=1 BENCH_LF_FLAGS=) ;;
	*) echo "bench/mutator.sh: unknown arm '$arm' (bytes, dict, long, ops)" >&2; exit 2 ;;
	esac
	: >"$TMP/$arm.rows"
	for s in $SEEDS; do
		rm -rf "$TMP/f"
		# afl-fuzz refuses an ASAN_OPTIONS without abort_on_error=1
		if [ "$ENGINE" = afl ]; then asan=(-u ASAN_OPTIONS); else asan=(ASAN_OPTIONS=detect_leaks=0); fi
		env "${asan[@]}" "${envs[@]}" nice -n 10 "$MMDIFF" fuzz \
			--family "$FAMILY" --variants "$PAIR" --engine "$ENGINE" --time "$TIME" \
			--seed "$s" --findings "$TMP/f" >"$TMP/log" 2>&1 || true
		cp "$TMP/log" "$TMP/$arm-$s.log"
		# "  <sig> after 12.3s 4567 execs: <file>"
		line=$(grep -E "^  [^ ]*${WANT//./\\.}[^ ]* after " "$TMP/log" | head -1 || true)
		ft_s=$(echo "$line" | sed -n 's/.* after \([0-9.]*\)s \([0-9]*\) execs.*/\1/p')
		ft_e=$(echo "$line" | sed -n 's/.* after \([0-9.]*\)s \([0-9]*\) execs.*/\2/p')
		cov=$(sed -n 's/^coverage: cov \([0-9]*\) ft \([0-9]*\).*/\1/p; s/^coverage: edges \([0-9]*\).*/\1/p' "$TMP/log" | tail -1)
		ft=$(sed -n 's/^coverage: cov \([0-9]*\) ft \([0-9]*\).*/\2/p' "$TMP/log" | tail -1)
		execs=$(sed -n 's/^total execs: \([0-9]*\) (\([0-9.]*\)\/s.*/\1/p' "$TMP/log")
		rate=$(sed -n 's/^total execs: \([0-9]*\) (\([0-9.]*\)\/s.*/\2/p' "$TMP/log")
		printf '%-6s %-5s %10s %12s %7s %7s %11s %8s\n' "$arm" "$s" "${ft_s:--}" "${ft_e:--}" \
			"${cov:--}" "${ft:--}" "${execs:--}" "${rate:--}"
		printf '%s %s %s %s %s %s\n' "${ft_s:--}" "${ft_e:--}" "${cov:--}" "${ft:--}" \
			"${execs:--}" "${rate:--}" >>"$TMP/$arm.rows"
	done
done
echo
echo "# medians (time to finding: over the runs that found it)"
printf '%-6s %6s %10s %12s %7s %7s %11s %8s\n' arm found found_s found_execs cov ft execs exec/s
for arm in $ARMS; do
	n=$(awk '$1 != "-"' "$TMP/$arm.rows" | wc -l)
	printf '%-6s %6s' "$arm" "$n/$(wc -l <"$TMP/$arm.rows")"
	w=(0 10 12 7 7 11 8)
	for col in 1 2 3 4 5 6; do
		printf ' %*s' "${w[col]}" "$(awk -v c=$col '$c != "-" {print $c}' "$TMP/$arm.rows" | median)"
	done
	echo
done
