#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The threaded ThreadSanitizer mode (docs/threads.md), as CI runs it:
#  - without the tsan flavor, `mmdiff run --threads` says so in one line, exit 2;
#  - tests/test_threads.c built by the tsan flavor (a racy test port fires
#    DATA_RACE, its spinlock and READ_ONCE forms stay silent);
#  - every variant expected clean of percpu, pagealloc, drain and kmemcg
#    stays silent threaded over its family's seeds, regress reproducers and
#    corpus/silent inputs (races the kernel has on purpose are on
#    fuzz/core/tsan-tolerated.txt); and percpu v3.18 shows its real race
#    (pcpu_nr_empty_pop_pages updated without pcpu_lock);
#  - a short threaded campaign (20 s): its findings are printed, not
#    gating (a campaign's schedules are the OS's); only a harness failure
#    (exit 2, a HARNESS signature) fails the test.
. "$(dirname "$0")/lib.sh"
TSAN="$BIN/mmdiff-tsan"

expect_rc 2 "run --threads without the tsan flavor" "$MMDIFF" run --threads --variants v5.12 \
	"$ROOT/corpus/percpu" && one_err_line "tsan flavor" "run --threads without the tsan flavor"

if [ ! -x "$TSAN" ] || [ ! -x "$ROOT/build/tsan/test_threads" ]; then
	echo "skip: no tsan flavor built (./build.sh build tsan; ./build.sh test builds it)"
	finish
fi

if (cd "$ROOT" && timeout 600 build/tsan/test_threads) >"$TMP/t" 2>&1; then
	ok "test_threads (tsan): $(tail -1 "$TMP/t")"
else
	fail "test_threads (tsan)"; tail -20 "$TMP/t"
fi

expect_rc 2 "run --threads with no input" "$TSAN" run --threads --variants v5.12

# Gating: the clean variants of every family with a threaded mode.
for fam in percpu pagealloc drain kmemcg; do
	inputs=$(grep -l "^family $fam\$" "$ROOT"/corpus/regress/*.ops "$ROOT"/corpus/silent/*.ops \
		2>/dev/null | tr '\n' ' ')
	for v in $("$TSAN" list | awk -v f="$fam" '$1 == f && $4 == "clean" {print $2}'); do
		# shellcheck disable=SC2086
		"$TSAN" run --threads --family "$fam" --variants "$v" "$ROOT/corpus/$fam" $inputs \
			>"$TMP/out" 2>&1
		rc=$?
		n=$(grep -c '^MMDIFF-VERDICT: OK' "$TMP/out")
		if [ "$rc" = 0 ] && [ "$n" -gt 0 ] && ! grep -q '^VIOLATION' "$TMP/out"; then
			ok "$fam $v threaded: $n inputs silent"
		else
			fail "$fam $v threaded (exit $rc)"; grep -A3 '^VIOLATION' "$TMP/out" | head -12
		fi
	done
done

"$TSAN" run --threads --variants v3.18 "$ROOT/corpus/percpu" >"$TMP/out" 2>&1
if grep -q '^MMDIFF-VERDICT: percpu/v3.18/DATA_RACE:pcpu_alloc$' "$TMP/out" &&
	grep -q 'in pcpu_alloc (impl/percpu/v3.18/percpu.c:[0-9]*), no lock held' "$TMP/out"; then
	ok "v3.18 threaded: DATA_RACE:pcpu_alloc (pcpu_nr_empty_pop_pages without pcpu_lock)"
else
	fail "v3.18 threaded: no DATA_RACE:pcpu_alloc"; grep -A3 '^VIOLATION' "$TMP/out" | head -8
fi

# a campaign's finding is minimized: a smaller input that still shows the race
nice -n 10 "$TSAN" run --threads --family percpu --variants v3.18 --time 5 --seed 1 \
	--findings "$TMP/race" >"$TMP/out" 2>&1
f="$TMP/race/percpu_v3.18_DATA_RACE_pcpu_alloc.ops"
line=$(grep -o 'minimized from [0-9]* ops to [0-9]* ops' "$f" 2>/dev/null | head -1)
set -- $line
if [ -n "$line" ] && [ "$6" -le "$3" ] && [ "$(count_ops "$f")" = "$6" ]; then
	shown=0
	for _ in 1 2 3 4 5 6 7 8; do
		"$TSAN" run --threads "$f" >"$TMP/replay" 2>&1
		grep -q '^MMDIFF-VERDICT: percpu/v3.18/DATA_RACE:pcpu_alloc$' "$TMP/replay" &&
			{ shown=1; break; }
	done
	[ "$shown" = 1 ] && ok "v3.18 threaded campaign: the finding $line, and replays" ||
		fail "the minimized finding does not show the race in 8 runs: $(cat "$f")"
else
	fail "v3.18 threaded campaign: no minimized finding ($line): $(grep MMDIFF- "$TMP/out" | head -3)"
fi

vars=$("$TSAN" list | awk '$1 == "percpu" && $4 == "clean" {print $2}' | paste -sd, -)
nice -n 10 "$TSAN" run --threads --family percpu --variants "$vars" --time 20 --seed 1 \
	--findings "$TMP/findings" >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -le 1 ] && ! grep -q '/HARNESS@' "$TMP/out"; then
	ok "threaded campaign, 20 s: $(grep '^== .*threaded runs' "$TMP/out")"
	grep '^MMDIFF-FOUND' "$TMP/out" | sed 's/^/    (not gating) /'
else
	fail "threaded campaign (exit $rc)"; tail -8 "$TMP/out"
fi
finish
