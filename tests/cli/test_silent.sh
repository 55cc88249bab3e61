#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# corpus/silent/: inputs that once drew a false report from the harness (a
# relation or invariant the kernel does not promise).  Each must stay
# silent on the variants its "# variants:" header names.
. "$(dirname "$0")/lib.sh"

n=0
for f in "$ROOT"/corpus/silent/*.ops; do
	[ -e "$f" ] || continue
	vars=$(sed -n 's/^# variants: *//p' "$f" | head -1)
	got=$("$MMDIFF" run --variants "$vars" "$f" 2>&1 | tail -1)
	[ "$got" = "MMDIFF-VERDICT: OK" ] && ok "$(basename "$f"): silent on $vars" ||
		fail "$(basename "$f") on $vars: $got"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "corpus/silent/ is empty"
finish
