#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The lasting corpus of `mmdiff fuzz --corpus DIR`: a campaign killed with
# SIGKILL leaves its finding (written the moment it is confirmed) and what
# it learned (DIR/.pending) on disk, and no engine behind it; the next
# campaign starts from the grown corpus, with more coverage at its start,
# and merges it; `mmdiff corpus stats|prune|merge`.  The pair is that of the
# percpu rfc3 reproducer (a variant with one known bug, so the campaign's
# first finding is that one), derived from its header, and the reproducer
# is put into the lasting corpus so that the finding is confirmed at once.
. "$(dirname "$0")/lib.sh"

repro=$(grep -l '^# variants:' "$ROOT"/corpus/regress/percpu-rfc3-*.ops | head -1)
[ -n "$repro" ] || { fail "no regress reproducer with a '# variants:' header"; finish; }
vars=$(sed -n 's/^# variants: *//p' "$repro" | head -1)
sig=$(sed -n 's/^# signature: *//p' "$repro" | head -1)
fam=$(awk '$1 == "family" {print $2; exit}' "$repro")
need_fuzzer "$fam"
L=$TMP/lasting F=$TMP/findings
mkdir -p "$L"
"$MMDIFF" convert "$repro" -o "$L/regress.bin" >/dev/null || fail "convert $repro"

# campaign 1, killed with SIGKILL once it confirmed the finding and synced
nice -n 10 "$MMDIFF" fuzz --variants "$vars" --time 90 --seed 3 --corpus "$L" \
	--findings "$F" >"$TMP/c1.out" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
	if grep -q '^MMDIFF-CONFIRMED ' "$TMP/c1.out" && grep -q 'started from cov' "$TMP/c1.out" &&
		[ "$(ls "$L/.pending" 2>/dev/null | wc -l)" -gt 20 ]; then
		break
	fi
	sleep 0.5
done
kill -9 "$pid"
wait "$pid" 2>/dev/null
grep -q '^MMDIFF-CONFIRMED ' "$TMP/c1.out" && ok "campaign 1 confirmed: $(grep -m1 '^MMDIFF-CONFIRMED' "$TMP/c1.out")" ||
	fail "campaign 1 confirmed no finding before the kill: $(tail -3 "$TMP/c1.out")"
sleep 1
if pgrep -f "$F/.work" >/dev/null; then
	fail "engines outlived the killed campaign: $(pgrep -af "$F/.work" | head -2)"
else
	ok "no engine outlived the killed campaign"
fi
found=$(ls "$F"/*.ops 2>/dev/null | head -1)
if [ -n "$found" ]; then
	"$MMDIFF" run "$found" >"$TMP/out" 2>&1
	got=$(tail -1 "$TMP/out" | sed -n 's/^MMDIFF-VERDICT: //p')
	want=$(sed -n 's/^# signature: *//p' "$found" | head -1)
	[ -n "$got" ] && [ "$got" = "$want" ] && ok "the finding on disk replays as $got ($(grep -c . "$found") lines)" ||
		fail "the finding on disk replays as '$got', its header says '$want'"
	case "$got" in "$sig"|"${sig%%@*}"@*) ok "the finding is the reproducer's ($sig)" ;;
	*) fail "the finding is $got, the reproducer's is $sig" ;; esac
else
	fail "no finding on disk after the kill"
fi
npend=$(ls "$L/.pending" 2>/dev/null | wc -l)
[ "$npend" -gt 0 ] && ok "the killed campaign left $npend inputs in the lasting corpus" ||
	fail "the killed campaign left nothing in $L/.pending"
start1=$(sed -n 's/.*started from cov \([0-9]*\) ft \([0-9]*\).*/\1 \2/p' "$TMP/c1.out" | head -1)

# stats: JSON parses, and counts the pending inputs
"$MMDIFF" corpus stats "$L" --variants "$vars" --json >"$TMP/stats1.json" 2>"$TMP/err" &&
	python3 -m json.tool "$TMP/stats1.json" >/dev/null && ok "corpus stats --json parses" ||
	fail "corpus stats --json: $(cat "$TMP/err" "$TMP/stats1.json" | head -3)"
grep -q "\"pending\":$npend" "$TMP/stats1.json" && ok "stats count the $npend pending inputs" ||
	fail "stats: $(cat "$TMP/stats1.json")"

# campaign 2 resumes: reads the pending inputs, starts with more coverage, merges
nice -n 10 "$MMDIFF" fuzz --variants "$vars" --time 5 --seed 4 --corpus "$L" \
	--findings "$F" >"$TMP/c2.out" 2>&1
rc=$?
[ "$rc" -le 1 ] && ok "campaign 2: exit $rc" || fail "campaign 2: exit $rc: $(tail -5 "$TMP/c2.out")"
start2=$(sed -n 's/.*started from cov \([0-9]*\) ft \([0-9]*\).*/\1 \2/p' "$TMP/c2.out" | head -1)
read -r c1 f1 <<<"$start1"
read -r c2 f2 <<<"$start2"
if [ -n "$c1" ] && [ -n "$c2" ] && [ "$f2" -gt "$f1" ] && [ "$c2" -ge "$c1" ]; then
	ok "campaign 2 starts from the grown corpus: cov $c1 ft $f1 -> cov $c2 ft $f2"
else
	fail "start coverage: campaign 1 '$start1', campaign 2 '$start2'"
fi
grep -q "lasting corpus $L: [1-9][0-9]* inputs" "$TMP/c2.out" && ok "campaign 2 read the lasting corpus" ||
	fail "campaign 2 did not read $L: $(grep 'seed corpus' "$TMP/c2.out")"
[ ! -d "$L/.pending" ] && ok "campaign 2 merged the pending inputs" || fail "$L/.pending left after campaign 2"
n2=$(ls "$L" | wc -l)
[ "$n2" -gt 1 ] && ok "the lasting corpus holds $n2 inputs" || fail "the lasting corpus holds $n2 inputs"

# prune: a minimal set with the same coverage
"$MMDIFF" corpus stats "$L" --variants "$vars" --json >"$TMP/s2.json"
"$MMDIFF" corpus prune "$L" --variants "$vars" >"$TMP/out" 2>&1 || fail "prune: $(cat "$TMP/out")"
"$MMDIFF" corpus stats "$L" --variants "$vars" --json >"$TMP/s3.json"
cov() { sed -n 's/.*"cov":\([0-9]*\).*/\1/p' "$1"; }
inputs() { sed -n 's/.*"inputs":\([0-9]*\).*/\1/p' "$1"; }
[ "$(cov "$TMP/s2.json")" = "$(cov "$TMP/s3.json")" ] && [ "$(inputs "$TMP/s3.json")" -le "$(inputs "$TMP/s2.json")" ] &&
	ok "prune: $(inputs "$TMP/s2.json") -> $(inputs "$TMP/s3.json") inputs, cov $(cov "$TMP/s3.json") kept" ||
	fail "prune: $(cat "$TMP/s2.json") -> $(cat "$TMP/s3.json")"
# merge from another directory adds only what adds coverage
mkdir -p "$TMP/other"
cp "$L"/* "$TMP/other/"
"$MMDIFF" corpus merge "$L" "$TMP/other" --variants "$vars" >"$TMP/out" 2>&1 &&
	grep -q "(0 added)" "$TMP/out" && ok "merge of a copy adds nothing" ||
	fail "merge of a copy: $(cat "$TMP/out")"
expect_rc 2 "corpus without family" "$MMDIFF" corpus stats "$L" && one_err_line "^mmdiff: corpus: give --family" "corpus without family"
expect_rc 2 "corpus bad subcommand" "$MMDIFF" corpus frob "$L" --family "$fam" && one_err_line "^mmdiff: corpus: usage" "corpus bad subcommand"
finish
