#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mmdiff convert is lossless both ways and mmdiff run gives the same verdict
# on both forms; run prints one MMDIFF-VERDICT line last for each input of a
# directory, in name order, and exits with the worst verdict.  For every
# family, on pseudo-random byte strings made from a fixed seed.
. "$(dirname "$0")/lib.sh"

# N pseudo-random bytes from seed S (deterministic, no /dev/urandom)
bytes() {
	awk -v n="$1" -v s="$2" 'BEGIN {
		x = s; for (i = 0; i < n; i++) { x = (x * 1103515245 + 12345) % 2147483648;
		printf "%c", int(x / 65536) % 256 } }' LC_ALL=C
}

verdict() { tail -1 "$TMP/out" | sed -n 's/^MMDIFF-VERDICT: //p'; }

for fam in $("$MMDIFF" list | awk 'NR > 1 {print $1}' | uniq); do
	mkdir -p "$TMP/$fam"
	for seed in 1 2 3 4 5 6; do
		b="$TMP/$fam/in$seed.bin"
		LC_ALL=C bytes $((seed * 97)) "$seed" >"$b"
		expect_rc 0 "$fam seed $seed: binary -> text" "$MMDIFF" convert --family "$fam" "$b" -o "$TMP/$fam/t$seed.ops" || continue
		expect_rc 0 "$fam seed $seed: text -> binary" "$MMDIFF" convert "$TMP/$fam/t$seed.ops" -o "$TMP/$fam/b$seed.bin" || continue
		expect_rc 0 "$fam seed $seed: binary -> text again" "$MMDIFF" convert --family "$fam" "$TMP/$fam/b$seed.bin" -o "$TMP/$fam/u$seed.ops" || continue
		if diff <(grep -v '^#' "$TMP/$fam/t$seed.ops") <(grep -v '^#' "$TMP/$fam/u$seed.ops") >/dev/null; then
			ok "$fam seed $seed: text survives text -> binary -> text ($(count_ops "$TMP/$fam/t$seed.ops") ops)"
		else
			fail "$fam seed $seed: text differs after a round trip"
		fi
		# binary -> text -> binary is a fixpoint after the first encoding
		expect_rc 0 "$fam seed $seed: text -> binary again" "$MMDIFF" convert "$TMP/$fam/u$seed.ops" -o "$TMP/$fam/c$seed.bin" &&
			{ cmp -s "$TMP/$fam/b$seed.bin" "$TMP/$fam/c$seed.bin" && ok "$fam seed $seed: binary encoding is stable" ||
			  fail "$fam seed $seed: binary differs after a round trip"; }
		"$MMDIFF" run --family "$fam" "$b" >"$TMP/out" 2>"$TMP/err"; rb=$?; vb=$(verdict)
		"$MMDIFF" run "$TMP/$fam/t$seed.ops" >"$TMP/out" 2>"$TMP/err"; rt=$?; vt=$(verdict)
		if [ -z "$vb" ] || [ "$vb" != "$vt" ] || [ "$rb" != "$rt" ]; then
			fail "$fam seed $seed: binary gives '$vb' ($rb), text '$vt' ($rt)"
		elif { [ "$vb" = OK ] && [ "$rb" = 0 ]; } || { [ "$vb" != OK ] && [ "$rb" = 1 ]; }; then
			ok "$fam seed $seed: same verdict on both forms: $vb"
		else
			fail "$fam seed $seed: verdict $vb with exit $rb"
		fi
		case "$vb" in OK|"$fam"/*/*) ;; *) fail "$fam seed $seed: malformed verdict '$vb'" ;; esac
	done
	# a directory: one verdict per input, in name order, last line of each
	mkdir -p "$TMP/$fam/dir"
	cp "$TMP/$fam"/t*.ops "$TMP/$fam/dir/"
	"$MMDIFF" run "$TMP/$fam/dir" >"$TMP/out" 2>"$TMP/err"; rd=$?
	n=$(grep -c '^MMDIFF-VERDICT: ' "$TMP/out")
	order=$(sed -n 's|^== \(/[^ ]*\) .*|\1|p' "$TMP/out" | xargs -n1 basename | tr '\n' ' ')
	want=$(cd "$TMP/$fam/dir" && ls | tr '\n' ' ')
	[ "$n" = 6 ] && ok "$fam dir: 6 verdicts" || fail "$fam dir: $n verdicts, want 6"
	[ "$order" = "$want" ] && ok "$fam dir: name order" || fail "$fam dir: order '$order', want '$want'"
	# each input's block ends with its verdict: the line before each "==" header
	if awk '/^== [^0-9]/ && NR > 1 && prev !~ /^MMDIFF-VERDICT: / {bad = 1} {prev = $0}
		END {exit bad}' "$TMP/out"; then ok "$fam dir: every block ends with its verdict"
	else fail "$fam dir: a block does not end with MMDIFF-VERDICT"; fi
	worst=0
	grep -q '^MMDIFF-VERDICT: [^O]' "$TMP/out" && worst=1
	[ "$rd" = "$worst" ] && ok "$fam dir: exit $rd" || fail "$fam dir: exit $rd, want $worst"
done
finish
