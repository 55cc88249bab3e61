#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A campaign outlives an AddressSanitizer report in its own replays: a seed
# whose port touches a destroyed chunk (CVE-2016-4794's synchronous half in
# v3.18) is replayed, minimized and reported by `mmdiff fuzz`, which then
# fuzzes on and prints its summary.  Its replays once ran in-process, and the
# report ended the campaign (found by a 10-minute v3.17,v3.18 campaign).
. "$(dirname "$0")/lib.sh"

need_fuzzer "percpu"
S=$TMP/seeds F=$TMP/findings
mkdir -p "$S"
cp "$ROOT/corpus/regress/percpu-v3.18-cve-2016-4794-sync-extend.ops" "$S/"
MMDIFF_SEEDS=$S nice -n 5 "$MMDIFF" fuzz --family percpu --variants v3.18 --time 20 --seed 1 \
	--findings "$F" >"$TMP/out" 2>&1
rc=$?
want='percpu/v3.18/MEMORY_SAFETY@pcpu_extend_area_map'
grep -q "^MMDIFF-FOUND $want " "$TMP/out" && ok "reported: $want" ||
	fail "not reported: $want ($(grep MMDIFF- "$TMP/out" | head -3))"
grep -q '^== mmdiff fuzz summary' "$TMP/out" && ok "the campaign ran to its summary" ||
	fail "no summary (exit $rc): $(tail -2 "$TMP/out")"
[ "$rc" -le 1 ] && ok "exit $rc" || fail "exit $rc"
[ -f "$F/percpu_v3.18_MEMORY_SAFETY_pcpu_extend_area_map.ops" ] && ok "reproducer saved" ||
	fail "findings: $(ls "$F")"
finish
