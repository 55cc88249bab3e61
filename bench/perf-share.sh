#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Where an input's time goes, from a `perf record -g` profile of a libFuzzer
# binary of TREE (fuzz flavor): the share of samples in
#   ports    the ports' kernel code (and its coverage instrumentation),
#            with the kernel library shim (bitmap.c) when a port calls it
#   machine  the machine's services a port calls (pages, locks, work, RCU)
#   harness  decoder, driver, executors, contents fill and check, the
#            invariant checkers and relations, instance create/destroy
#   engine   libFuzzer itself (mutation, feature collection, corpus)
# A sample is placed by its innermost frame that is not a runtime's
# (sanitizers, libc, the kernel): a port function called by a checker or
# the contents code (unit_addr, locate, observe ...) counts as harness.
# Usage: bench/perf-share.sh TREE PERF_DATA   (TOP=N: the N functions
# where each class's samples were placed, with their shares)
set -euo pipefail
TREE=${1:?usage: perf-share.sh TREE PERF_DATA}
DATA=${2:?usage: perf-share.sh TREE PERF_DATA}
OBJ=$TREE/build/fuzz/CMakeFiles/mmcore.dir
[ -d "$OBJ" ] || { echo "perf-share: no fuzz build in $TREE" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

syms() {
	local f
	for f in "$@"; do if [ -f "$f" ]; then nm --defined-only "$f" 2>/dev/null; fi; done |
		awk '$2 ~ /^[tTwW]$/ {print $3}' | sort -u
}
syms "$OBJ"/fuzz/core/machine.c.o "$OBJ"/fuzz/core/pool.c.o >"$TMP/machine"
syms "$OBJ"/fuzz/core/bitmap.c.o >"$TMP/lib"
{
	syms $(find "$OBJ/fuzz" -name '*.o' ! -name machine.c.o ! -name pool.c.o ! -name bitmap.c.o) \
		$(find "$OBJ/ref" "$OBJ/impl" -name '*check*.o' -o -name '*exec*.o' -o -name 'glue.c.o' 2>/dev/null)
	# harness code in headers a port includes: pa_check.h, and what
	# MM_NOCOV_BEGIN .. MM_NOCOV_END brackets elsewhere (the other entry
	# points of pa_harness.h inline kernel code: they count as the port's)
	for h in "$TREE"/ref/pagealloc/pa_check.h; do
		[ -f "$h" ] && sed -n 's/^static [a-z_ ]*[ *]\([a-z_0-9]*\)(.*/\1/p' "$h"
	done
	for h in "$TREE"/ref/*/*/*.h "$TREE"/ref/*/*.h; do
		[ -f "$h" ] && sed -n '/^MM_NOCOV_BEGIN/,/^MM_NOCOV_END/s/^static [a-z_ ]*[ *]\([a-z_0-9]*\)(.*/\1/p' "$h"
	done
	echo LLVMFuzzerTestOneInput
} | sort -u >"$TMP/harness"

perf script -i "$DATA" -F ip,sym,dso 2>/dev/null | awk -v TOP="${TOP:-0}" -v M="$TMP/machine" -v L="$TMP/lib" -v H="$TMP/harness" '
BEGIN {
	while ((getline s < M) > 0) cls[s] = "M"
	while ((getline s < L) > 0) cls[s] = "L"
	while ((getline s < H) > 0) if (!(s in cls)) cls[s] = "H"
	n = 0
}
function classify(   i, f, c, first, j, g, gc) {
	if (!n) return
	first = ""
	for (i = 1; i <= n; i++) {
		f = fr[i]
		if (f ~ /^fuzzer::/) { first = "E"; break }
		if (!(bin[i])) continue
		if (f ~ /^(__asan|__sanitizer|__ubsan|__interceptor|__lsan|__asan_|__sanitizer_cov)/ || f ~ /^(__asan|__sanitizer)::/) continue
		c = (f in cls) ? cls[f] : "P"
		if (c == "L") continue
		if (c == "H") { first = "H"; break }
		if (c == "M") {
			# a machine service: for a port, or for the harness
			first = "H"
			for (j = i + 1; j <= n; j++) {
				g = fr[j]
				if (!bin[j] || g ~ /^(__asan|__sanitizer|__ubsan|__interceptor)/) continue
				gc = (g in cls) ? cls[g] : "P"
				if (gc == "M" || gc == "L") continue
				if (gc == "P") first = "M"
				break
			}
			break
		}
		# a port frame: who called into the port?
		first = "P"
		for (j = i + 1; j <= n; j++) {
			g = fr[j]
			if (g ~ /^fuzzer::/) break
			if (!bin[j]) continue
			gc = (g in cls) ? cls[g] : "P"
			if (gc != "H") continue
			if (g ~ /(check|observe|dump|contents|unit_addr|locate|nr_populated|nr_empty_pop_pages|diff)/)
				first = "H"
			break
		}
		break
	}
	if (first == "") { first = "O"; f = "?" }
	cnt[first]++
	where[first " " f]++
	tot++
	n = 0
}
/^$/ { classify(); next }
{
	# "   ip sym+off (dso)"
	sym = $2; sub(/\+0x[0-9a-f]+$/, "", sym)
	dso = $NF
	n++
	fr[n] = sym
	bin[n] = (dso ~ /mmdiff/) ? 1 : 0
	if (sym ~ /^fuzzer::/) bin[n] = 1
}
END {
	classify()
	if (!tot) { print "no samples"; exit 1 }
	printf "samples %d: ports %.1f%%  machine %.1f%%  harness %.1f%%  engine %.1f%%  other %.1f%%\n", tot,
		100 * cnt["P"] / tot, 100 * cnt["M"] / tot, 100 * cnt["H"] / tot,
		100 * cnt["E"] / tot, 100 * cnt["O"] / tot
	t = cnt["P"] + cnt["M"] + cnt["H"]
	if (t) printf "of the input (ports + machine + harness): ports %.1f%%  machine %.1f%%  harness %.1f%%\n",
		100 * cnt["P"] / t, 100 * cnt["M"] / t, 100 * cnt["H"] / t
	if (TOP > 0)
		for (k in where)
			printf "  %5.1f%% %s\n", 100 * where[k] / tot, k | ("sort -rn | head -" TOP)
}'
