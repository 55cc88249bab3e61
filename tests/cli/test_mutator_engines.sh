#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The op-aware mutator in the engines:
# - `mmdiff list --dict F` holds the opcode bytes and lowest encodings;
# - the libFuzzer target uses its custom mutator and crossover hooks (and
#   libFuzzer's own mutations through LLVMFuzzerMutate), takes the
#   dictionary, and MMDIFF_MUTATOR=bytes turns the hooks into plain byte
#   mutation; a bad MMDIFF_MUTATOR is one line and exit 2 in the target and
#   in `mmdiff fuzz`;
# - afl-fuzz loads the custom mutator library and the dictionary, and
#   queue entries come from the library; `mmdiff fuzz --engine afl` says it
#   mutates op-aware and runs without harness crashes.
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS=detect_leaks=0
LF="$BIN/mmdiff-libfuzzer-percpu"
AFL="$BIN/mmdiff-afl-percpu"
SO="$BIN/mmdiff-afl-mutator.so"

"$MMDIFF" list --dict percpu >"$TMP/dict"
if grep -qx 'opcode_alloc="\\x00"' "$TMP/dict" && grep -qx 'op_balance="\\x04"' "$TMP/dict"; then
	ok "list --dict: opcode bytes and whole ops ($(grep -vc '^#' "$TMP/dict") entries)"
else
	fail "list --dict: no opcode_alloc / op_balance entry"
fi

# -- libFuzzer -----------------------------------------------------------------
if [ -x "$LF" ]; then
	mkdir -p "$TMP/c1" "$TMP/c2"
	MMDIFF_VARIANTS=v5.12,v5.14 "$LF" -seed=1 -runs=3000 -dict="$TMP/dict" "$TMP/c1" >"$TMP/lf.log" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && grep -q 'found LLVMFuzzerCustomMutator' "$TMP/lf.log" &&
		grep -q 'MS: .*CustomCrossOver-' "$TMP/lf.log" &&
		grep -q 'MS: .*Custom-' "$TMP/lf.log" && grep -q '^Dictionary: [1-9]' "$TMP/lf.log"; then
		ok "libFuzzer: custom mutator and crossover, $(grep -m1 '^Dictionary' "$TMP/lf.log"), corpus $(ls "$TMP/c1" | wc -l)"
	else
		fail "libFuzzer with the op-aware mutator (exit $rc)"
		grep -E 'INFO|Dictionary|MMDIFF' "$TMP/lf.log" | head -5 | sed 's/^/    /'
	fi
	MMDIFF_MUTATOR=bytes MMDIFF_VARIANTS=v5.12,v5.14 "$LF" -seed=1 -runs=3000 "$TMP/c2" >"$TMP/lfb.log" 2>&1
	rc=$?
	[ "$rc" = 0 ] && grep -q 'MS: ' "$TMP/lfb.log" && ok "libFuzzer with MMDIFF_MUTATOR=bytes: corpus $(ls "$TMP/c2" | wc -l)" ||
		fail "libFuzzer with MMDIFF_MUTATOR=bytes (exit $rc)"
	expect_rc 2 "target: bad MMDIFF_MUTATOR" env MMDIFF_MUTATOR=nope "$LF" -runs=10 "$TMP/c2" &&
		grep -q '^mmdiff: MMDIFF_MUTATOR=nope: ops or bytes$' "$TMP/out" "$TMP/err" &&
		ok "target: bad MMDIFF_MUTATOR: its message, exit 2" || fail "target: bad MMDIFF_MUTATOR message"
else
	fail "missing $LF (./build.sh build fuzz)"
fi
expect_rc 2 "fuzz: bad MMDIFF_MUTATOR" env MMDIFF_MUTATOR=nope "$MMDIFF" fuzz --family percpu --time 1 \
	--findings "$TMP/f0" && one_err_line "^mmdiff: MMDIFF_MUTATOR=nope: ops or bytes$" "fuzz: bad MMDIFF_MUTATOR"
expect_rc 2 "fuzz: bad MMDIFF_DICT" env MMDIFF_DICT=yes "$MMDIFF" fuzz --family percpu --time 1 \
	--findings "$TMP/f0" && one_err_line "^mmdiff: MMDIFF_DICT=yes: 0 or 1$" "fuzz: bad MMDIFF_DICT"
[ -z "$(ls -A "$TMP/f0" 2>/dev/null)" ] && ok "fuzz: nothing left behind by a bad setting" ||
	fail "fuzz: a bad setting left $(ls -A "$TMP/f0")"

# -- AFL++ ---------------------------------------------------------------------
if [ -x "$AFL" ] && [ -f "$SO" ] && command -v afl-fuzz >/dev/null; then
	mkdir -p "$TMP/in"
	"$MMDIFF" convert "$ROOT/corpus/percpu/bitmap-vm-atomic.ops" -o "$TMP/in/seed" >/dev/null
	env -u ASAN_OPTIONS AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
		AFL_CUSTOM_MUTATOR_LIBRARY="$SO" MMDIFF_FAMILY=percpu MMDIFF_VARIANTS=v5.12,v5.14 \
		timeout 60 afl-fuzz -i "$TMP/in" -o "$TMP/afl" -V 8 -s 1 -x "$TMP/dict" -- "$AFL" \
		>"$TMP/afl.log" 2>&1
	rc=$?
	n=$(ls "$TMP/afl/default/queue" 2>/dev/null | grep -c 'op:mmdiff-afl-mutator' || true)
	if [ "$rc" = 0 ] && [ "$n" -gt 0 ] && grep -q "Loaded [0-9]* extra tokens" "$TMP/afl.log"; then
		ok "afl-fuzz: $n queue entries from the custom mutator, $(grep -o 'Loaded [0-9]* extra tokens' "$TMP/afl.log" | head -1)"
	else
		fail "afl-fuzz with the custom mutator (exit $rc, $n entries from it)"
		grep -E 'PROGRAM ABORT|Location|custom|extra' "$TMP/afl.log" | head -5 | sed 's/^/    /'
	fi
	env -u ASAN_OPTIONS "$MMDIFF" fuzz --family percpu --variants v5.12,v5.14 --engine afl --time 6 --seed 1 \
		--findings "$TMP/fa" >"$TMP/fa.log" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && grep -q '^mmdiff: mutation: op-aware and the engine.s own, with the family.s dictionary$' "$TMP/fa.log" &&
		grep -q '^harness crashes: 0$' "$TMP/fa.log"; then
		ok "mmdiff fuzz --engine afl: op-aware with the dictionary, $(grep '^total execs' "$TMP/fa.log")"
	else
		fail "mmdiff fuzz --engine afl (exit $rc)"
		tail -5 "$TMP/fa.log" | sed 's/^/    /'
	fi
else
	fail "missing $AFL, $SO or afl-fuzz (./build.sh build afl)"
fi
finish
