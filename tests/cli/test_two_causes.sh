#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Two causes of one invariant in one variant are two findings of a single
# campaign: nolocks-flag takes a lock on its lockless path in
# kernel_map_pages() (DEBUG_PAGEALLOC, powerpc hash MMU) and in
# __wake_up_common_lock() (waking kswapd on a boosted zone).  Both
# reproducers start the campaign's lasting corpus; the campaign must report
# both signatures, the second not taken for the first.
. "$(dirname "$0")/lib.sh"

need_fuzzer "pagealloc"
L=$TMP/lasting F=$TMP/findings
mkdir -p "$L"
n=0
for f in "$ROOT"/corpus/regress/pagealloc-nolocks-flag-*.ops; do
	"$MMDIFF" convert "$f" -o "$L/$(basename "$f" .ops).bin" >/dev/null || fail "convert $f"
	n=$((n + 1))
done
[ "$n" -ge 2 ] || { fail "want two nolocks-flag reproducers in corpus/regress, found $n"; finish; }
nice -n 5 "$MMDIFF" fuzz --family pagealloc --variants v5.9,nolocks-flag --time 20 --seed 1 \
	--corpus "$L" --findings "$F" >"$TMP/out" 2>&1
sigs=$(sed -n 's/^MMDIFF-FOUND \([^ ]*\) .*/\1/p' "$TMP/out" | sort -u)
for want in 'pagealloc/nolocks-flag/LOCK_IN_LOCKLESS_PATH@kernel_map_pages:linear_map_hash_lock' \
	    'pagealloc/nolocks-flag/LOCK_IN_LOCKLESS_PATH@__wake_up_common_lock:kswapd_wait.lock'; do
	grep -qx "$want" <<<"$sigs" && ok "reported: $want" || fail "not reported: $want (got: $sigs)"
done
[ "$(ls "$F"/*.ops 2>/dev/null | wc -l)" -ge 2 ] && ok "one reproducer per cause in the findings" ||
	fail "findings: $(ls "$F" 2>/dev/null)"
finish
