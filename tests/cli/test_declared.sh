#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Declared once: every invariant id a port, a family or the machine reports
# is declared in its family's table (or the machine's), and each family's
# generated docs/<family>-language.md still equals `mmdiff list --ops` and
# `--invariants`, so the docs cannot drift from the tables.
set -euo pipefail
BIN=${1:?usage: test_declared.sh BIN_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
# the id of every report: mm_violation("ID", ...) and macros around it (*_FAIL("ID", ...))
ids_in() { grep -rhoE '(mm_violation|[A-Z_]*FAIL)\(\s*"[A-Z0-9_]+"' "$@" 2>/dev/null | sed -E 's/.*"([A-Z0-9_]+)"/\1/' | sort -u; }
machine=$(ids_in "$ROOT/fuzz/core" "$ROOT/include")
for fam in $(sed -n 's/^MM_FAMILY(\([a-z0-9_]*\)).*/\1/p' "$ROOT/fuzz/families.def"); do
	declared=$("$BIN/mmdiff" list --invariants "$fam" | awk 'NF && $1 ~ /^[A-Z][A-Z0-9_]+$/ {print $1}' | sort -u)
	used=$(ids_in "$ROOT/ref/$fam" "$ROOT/impl/$fam" "$ROOT/fuzz/families/$fam")
	for id in $used $machine; do
		grep -qx "$id" <<<"$declared" || { echo "FAIL: $fam: '$id' is reported but not declared"; fail=1; }
	done
	# the generated language page must equal what the tables say now
	page="$ROOT/docs/$fam-language.md"
	if [ ! -f "$page" ]; then
		echo "FAIL: $fam: docs/$fam-language.md missing (./build.sh docs)"; fail=1
	elif ! diff <(sed -n '/^```$/,/^```$/p' "$page" | sed '1d;$d') \
		<({ "$BIN/mmdiff" list --ops "$fam"; echo; "$BIN/mmdiff" list --invariants "$fam"; }) >/dev/null; then
		echo "FAIL: docs/$fam-language.md drifted from the family's tables (./build.sh docs)"; fail=1
	fi
done
[ "$fail" = 0 ] && echo "ok: every reported id declared; the language pages match the tables"
exit "$fail"
