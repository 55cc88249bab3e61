#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mmdiff plot draws every family's inputs: the SVG is well-formed XML (python3
# when present), has one row per moving observable with a line per variant,
# and for each regress reproducer the violating op is marked (red, in the
# column of the variant it fired in) under the reproducer's signature.
# Rendered to PNG with rsvg-convert when installed (Debian librsvg2-bin).
. "$(dirname "$0")/lib.sh"

wellformed() {
	if command -v python3 >/dev/null; then
		python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(not r.tag.endswith("svg"))' "$1"
	else
		head -2 "$1" | grep -q '<svg' && tail -1 "$1" | grep -q '</svg>'
	fi
}
for fam in $("$MMDIFF" list | awk 'NR > 1 {print $1}' | uniq); do
	for f in "$ROOT/corpus/$fam"/*; do
		[ -f "$f" ] || continue
		out="$TMP/$fam-$(basename "$f").svg"
		expect_rc 0 "plot $fam/$(basename "$f")" "$MMDIFF" plot "$f" -o "$out" || continue
		nvar=$(sed -n 's/.*, \([0-9]*\) variants,.*/\1/p' "$TMP/out")
		rows=$(sed -n 's/^wrote [^:]*: \([0-9]*\) rows.*/\1/p' "$TMP/out")
		nl=$(grep -c '<polyline' "$out")
		if wellformed "$out" && [ "${rows:-0}" -gt 0 ] && [ "$nl" -ge $((rows * nvar)) ]; then
			ok "plot $fam/$(basename "$f"): $rows rows x $nvar variants, $nl lines"
		else
			fail "plot $fam/$(basename "$f"): rows '$rows', variants '$nvar', $nl lines, well-formed: $(wellformed "$out" && echo yes || echo no)"
		fi
	done
done
for f in "$ROOT"/corpus/regress/*.ops; do
	sig=$(sed -n 's/^# signature: *//p' "$f" | head -1)
	[ -n "$sig" ] || continue
	out="$TMP/regress-$(basename "$f").svg"
	case "$sig" in
	*/MEMORY_SAFETY@*)
		# the sanitizer ends the run: plot says so in one line
		expect_rc 2 "plot $(basename "$f")" "$MMDIFF" plot "$f" -o "$out" &&
			one_err_line "^mmdiff: plot: .*dies of a sanitizer report" "plot $(basename "$f")"
		continue ;;
	esac
	expect_rc 0 "plot $(basename "$f")" "$MMDIFF" plot "$f" -o "$out" || continue
	wellformed "$out" || fail "$(basename "$f"): not well-formed"
	grep -q ">$sig at op #" "$out" && ok "$(basename "$f"): titled with its signature" ||
		fail "$(basename "$f"): no title '$sig at op #'"
	n=$(grep -c 'stroke="#d00000" stroke-width="2"' "$out")
	rows=$(sed -n 's/^wrote [^:]*: \([0-9]*\) rows.*/\1/p' "$TMP/out")
	[ "$n" = "$rows" ] && ok "$(basename "$f"): the violating op marked in each of its $rows rows" ||
		fail "$(basename "$f"): $n red marks, $rows rows"
	if command -v rsvg-convert >/dev/null; then
		rsvg-convert "$out" -o "$TMP/r.png" 2>"$TMP/err" && [ -s "$TMP/r.png" ] &&
			ok "$(basename "$f"): rsvg-convert renders it" || fail "rsvg-convert: $(cat "$TMP/err")"
	fi
done
expect_rc 2 "plot without file" "$MMDIFF" plot && one_err_line "^mmdiff: plot: usage" "plot without file"
finish
