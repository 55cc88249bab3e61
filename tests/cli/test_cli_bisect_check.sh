#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mmdiff bisect names the first revision of a list that shows a
# reproducer's signature; mmdiff check prints the kernel test robot's tables
# (base against revision).  For every regress reproducer, from its headers
# and the registry: its revision V, V's reference R and R's clean revisions.
. "$(dirname "$0")/lib.sh"

n=0
for repro in "$ROOT"/corpus/regress/*.ops; do
	sig=$(sed -n 's/^# signature: *//p' "$repro" | head -1)
	[ -n "$sig" ] || continue
	fam=${sig%%/*}
	v=$(echo "$sig" | cut -d/ -f2 | cut -d~ -f1)
	ref=$("$MMDIFF" list | awk -v f="$fam" -v v="$v" '$1 == f && $2 == v {print $3}')
	[ -n "$ref" ] && [ "$ref" != "-" ] || continue
	clean=$("$MMDIFF" list | awk -v f="$fam" -v r="$ref" '$1 == f && $3 == r && $4 == "clean" {print $2}' | paste -sd,)
	name=$(basename "$repro")
	n=$((n + 1))
	expect_rc 1 "$name: bisect $ref,$v" "$MMDIFF" bisect "$repro" --variants "$ref,$v" &&
		grep -q "^first revision showing it: $v\$" "$TMP/out" && ok "$name: bisect $ref,$v names $v" ||
		fail "$name: bisect $ref,$v: $(tail -2 "$TMP/out")"
	list="$ref${clean:+,$clean},$v"
	expect_rc 1 "$name: bisect $list" "$MMDIFF" bisect "$repro" --variants "$list" &&
		grep -q "^first revision showing it: $v\$" "$TMP/out" && ok "$name: bisect $list names $v" ||
		fail "$name: bisect $list: $(tail -2 "$TMP/out")"
	expect_rc 0 "$name: bisect over clean revisions" "$MMDIFF" bisect "$repro" --variants "$ref${clean:+,$clean}" &&
		grep -q "^no revision shows it" "$TMP/out" && ok "$name: no clean revision ($ref${clean:+,$clean}) shows it" ||
		fail "$name: bisect $ref,$clean: $(tail -2 "$TMP/out")"
	if [ -n "$clean" ]; then
		c1=${clean%%,*}
		expect_rc 1 "$name: bisect $v,$c1" "$MMDIFF" bisect "$repro" --variants "$v,$c1" &&
			grep -q "^first revision after it without it: $c1" "$TMP/out" && ok "$name: $c1 after $v does not show it" ||
			fail "$name: bisect $v,$c1: $(tail -2 "$TMP/out")"
	fi
	# check: the robot's tables, base R against V, and base V against a clean one
	expect_rc 1 "$name: check $v" "$MMDIFF" check --variant "$v" --time 0 || continue
	key=${sig#*/*/}
	row=$(grep "^| $key " "$TMP/out")
	if [ -n "$row" ] && [ "$(echo "$row" | awk -F'|' '{gsub(/ /, "", $3); print $3}')" = 0 ] &&
		[ "$(echo "$row" | awk -F'|' '{gsub(/ /, "", $4); print $4}')" -ge 1 ]; then
		ok "$name: check $v: row '$key' is 0 for $ref, $(echo "$row" | awk -F'|' '{gsub(/ /, "", $4); print $4}') for $v"
	else
		fail "$name: check $v: no row '$key' 0 | >=1: $(grep '^|' "$TMP/out" | head -8)"
	fi
	head=$(grep -m1 '^| *|' "$TMP/out" | tr -s ' ')
	[ "$head" = "| | $ref | $v |" ] && ok "$name: columns $ref, $v" || fail "$name: header '$head'"
	grep -q '%change' "$TMP/out" && grep -qE 'replay.us_per_op' "$TMP/out" && ok "$name: metrics table with %change" ||
		fail "$name: no metrics table"
	grep -q "^MMDIFF-CHECK: $v VIOLATES" "$TMP/out" && ok "$name: check says $v VIOLATES" || fail "$name: $(tail -1 "$TMP/out")"
	if [ -n "$clean" ]; then
		expect_rc 0 "$name: check $c1 --base $v" "$MMDIFF" check --variant "$c1" --base "$v" --time 0 &&
			row=$(grep "^| $key " "$TMP/out") &&
			[ "$(echo "$row" | awk -F'|' '{gsub(/ /, "", $3); print $3}')" -ge 1 ] &&
			[ "$(echo "$row" | awk -F'|' '{gsub(/ /, "", $4); print $4}')" = 0 ] &&
			ok "$name: check $c1 --base $v: '$key' goes from >=1 to 0" ||
			fail "$name: check $c1 --base $v: $(grep '^|' "$TMP/out" | head -8)"
	fi
done
[ "$n" -gt 0 ] && ok "$n reproducers bisected and checked" || fail "no regress reproducer to bisect"
expect_rc 2 "bisect without variants" "$MMDIFF" bisect x.ops && one_err_line "^mmdiff: bisect: usage" "bisect without variants"
expect_rc 2 "check bad base" "$MMDIFF" check --variant "$v" --base nosuch --time 0 && one_err_line "^mmdiff: check: --base nosuch" "check bad base"
finish
