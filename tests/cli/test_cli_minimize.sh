#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mmdiff minimize keeps the signature, writes the header comments, shrinks,
# is deterministic and reaches a fixpoint; it exits 0 and writes nothing for
# an input without a violation.  Violating inputs are looked for among
# pseudo-random inputs of every family (fixed seeds) and the corpora; the
# algorithm itself is tested on a toy family by test_minimize_algo.c.
. "$(dirname "$0")/lib.sh"

bytes() {
	awk -v n="$1" -v s="$2" 'BEGIN {
		x = s; for (i = 0; i < n; i++) { x = (x * 1103515245 + 12345) % 2147483648;
		printf "%c", int(x / 65536) % 256 } }'
}
verdict() { grep '^MMDIFF-VERDICT: ' "$1" | tail -1 | sed 's/^MMDIFF-VERDICT: //'; }
noheader() { grep -v '^# minimized from' "$1"; }

tried=0
for fam in $("$MMDIFF" list | awk 'NR > 1 {print $1}' | uniq); do
	d="$TMP/$fam"
	mkdir -p "$d/in"
	for seed in $(seq 1 40); do
		LC_ALL=C bytes $((40 + seed * 23)) "$seed" >"$d/s$seed.bin"
		"$MMDIFF" convert --family "$fam" "$d/s$seed.bin" -o "$d/in/r$(printf %03d "$seed").ops" >/dev/null 2>&1
	done
	for c in "$ROOT/corpus/$fam" "$ROOT/corpus/regress"; do
		[ -d "$c" ] && for f in "$c"/*.ops; do
			[ -e "$f" ] && grep -q "^family $fam\$" "$f" && cp "$f" "$d/in/c-$(basename "$f")"
		done
	done
	"$MMDIFF" run "$d/in" >"$d/run.out" 2>&1
	# violating inputs, largest first; two per family
	picks=$(awk '/^== \// {f = $2} /^MMDIFF-VERDICT: / && $2 != "OK" {print f}' "$d/run.out" |
		while read -r f; do echo "$(count_ops "$f") $f"; done | sort -rn | head -2 | cut -d' ' -f2)
	okin=$(awk '/^== \// {f = $2} /^MMDIFF-VERDICT: OK$/ {print f; exit}' "$d/run.out")
	if [ -n "$okin" ]; then
		expect_rc 0 "$fam: minimize of a clean input" "$MMDIFF" minimize "$okin" -o "$d/none.ops" &&
			grep -q "nothing to minimize" "$TMP/out" && [ ! -e "$d/none.ops" ] &&
			ok "$fam: clean input: exit 0, nothing written"
	fi
	for f in $picks; do
		tried=$((tried + 1))
		n=$(count_ops "$f")
		"$MMDIFF" run "$f" >"$d/v.out" 2>&1
		sig=$(verdict "$d/v.out")
		o="$d/min-$(basename "$f")"
		expect_rc 1 "$fam: minimize $(basename "$f")" "$MMDIFF" minimize "$f" -o "$o" || continue
		[ "$(verdict "$TMP/out")" = "$sig" ] || fail "$fam: minimize printed '$(verdict "$TMP/out")', want $sig"
		m=$(count_ops "$o")
		grep -qx "# signature: $sig" "$o" || fail "$fam: no '# signature: $sig' header in $o"
		grep -q "^# variants: [^ ]" "$o" || fail "$fam: no '# variants:' header in $o"
		grep -qx "# minimized from $n ops to $m ops" "$o" ||
			fail "$fam: header '$(grep '^# minimized' "$o")', want 'from $n ops to $m ops'"
		# the minimized file replays by itself (its header picks the variants)
		"$MMDIFF" run "$o" >"$d/m.out" 2>&1; r=$?
		[ "$r" = 1 ] && [ "$(verdict "$d/m.out")" = "$sig" ] &&
			ok "$fam: $(basename "$f"): $sig kept, $n -> $m ops" ||
			fail "$fam: minimized $(basename "$f") replays as '$(verdict "$d/m.out")' (exit $r), want $sig"
		[ "$m" -le "$n" ] || fail "$fam: minimized to more ops ($m > $n)"
		[ "$n" -lt 20 ] || [ "$m" -lt "$n" ] || fail "$fam: $n ops not reduced"
		# deterministic, and a fixpoint
		"$MMDIFF" minimize "$f" -o "$o.again" >/dev/null 2>&1
		cmp -s "$o" "$o.again" && ok "$fam: deterministic" || fail "$fam: two minimizations differ"
		"$MMDIFF" minimize "$o" -o "$o.fix" >/dev/null 2>&1
		if diff <(noheader "$o") <(noheader "$o.fix") >/dev/null; then
			ok "$fam: minimizing the result changes nothing"
		else
			fail "$fam: the result is not a fixpoint"
		fi
		# the binary form minimizes to the same result
		"$MMDIFF" convert "$f" -o "$d/b.bin" >/dev/null 2>&1
		hv=$(sed -n 's/^# variants: *//p' "$f" | head -1)
		if expect_rc 1 "$fam: minimize binary" "$MMDIFF" minimize --family "$fam" \
			${hv:+--variants "$hv"} "$d/b.bin" -o "$d/b.ops"; then
			diff <(noheader "$o") <(noheader "$d/b.ops") >/dev/null &&
				ok "$fam: binary input minimizes alike" ||
				fail "$fam: binary and text inputs minimize differently"
		fi
	done
done
[ "$tried" -gt 0 ] || echo "note: no violating input found in any family: only the clean-input checks ran"
finish
