#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The revision check a patch author runs, on the kernel's own mm/percpu.c:
# `mmdiff check --kernel-src DIR --patch P`.  A behaviour-preserving patch
# stays silent (exit 0); a one-line move of `retry_pop:` that brings back
# the stale nr_to_pop of the 2021 RFC is found (exit 1) with a minimized
# reproducer; a patch touching a file mmdiff does not build, or one that
# does not apply, gets one line and exit 2.  Without an extracted Linux
# tree (build/kernel/linux-6.1) there is nothing to check.
. "$(dirname "$0")/../cli/lib.sh"

K=$ROOT/build/kernel/linux-6.1
if [ ! -f "$K/mm/percpu.c" ]; then
	echo "skip: no build/kernel/linux-6.1 (./build.sh extracts it from linux-source-6.1)"
	exit 0
fi
P=$ROOT/tests/patchcheck

# a patch outside the percpu files, and one that does not apply
sed 's|mm/percpu.c|mm/slab.c|g' "$P/0001-percpu-compute-nr_to_pop-with-max.patch" >"$TMP/slab.patch"
expect_rc 2 "a patch to mm/slab.c" "$MMDIFF" check --kernel-src "$K" --patch "$TMP/slab.patch" &&
	grep -q 'touches mm/slab.c' "$TMP/err" && ok "a patch to mm/slab.c is refused: $(cat "$TMP/err")" ||
	fail "mm/slab.c: $(cat "$TMP/err")"
sed 's|pcpu_nr_empty_pop_pages,$|pcpu_nr_empty_pages_nowhere,|' "$P/0001-percpu-compute-nr_to_pop-with-max.patch" >"$TMP/stale.patch"
expect_rc 2 "a patch that does not apply" "$MMDIFF" check --kernel-src "$K" --patch "$TMP/stale.patch" &&
	grep -q 'does not apply' "$TMP/err" && ok "a patch that does not apply: $(cat "$TMP/err")" ||
	fail "not applying: $(cat "$TMP/err")"

# the clean patch: silent
start=$SECONDS
if expect_rc 0 "the behaviour-preserving patch" "$MMDIFF" check --kernel-src "$K" --time 15 \
	--patch "$P/0001-percpu-compute-nr_to_pop-with-max.patch"; then
	grep -q 'MMDIFF-CHECK: OK' "$TMP/out" && ok "the clean patch is silent ($((SECONDS - start)) s)" ||
		fail "clean patch: $(cat "$TMP/out")"
fi

# the stale nr_to_pop: found, with a reproducer that replays
start=$SECONDS
expect_rc 1 "the stale nr_to_pop patch" "$MMDIFF" check --kernel-src "$K" --time 30 \
	--patch "$P/0001-percpu-retry-population-with-a-stale-nr_to_pop.patch"
if grep -q 'linux-6.1-r1/UNBOUNDED_CHUNK_CREATION@pcpu_balance_workfn' "$TMP/out"; then
	ok "the stale nr_to_pop is found ($((SECONDS - start)) s)"
	repro=$ROOT/$(sed -n 's/.*reproducer: //p' "$TMP/out" | head -1)
	"$ROOT/build/patchcheck/bin/mmdiff" run "$repro" >"$TMP/replay" 2>&1
	tail -1 "$TMP/replay" | grep -q 'UNBOUNDED_CHUNK_CREATION' &&
		ok "its reproducer replays: $(grep -c . "$repro") lines" || fail "reproducer: $(tail -3 "$TMP/replay")"
else
	fail "stale nr_to_pop not found: $(cat "$TMP/out")"
fi
finish
