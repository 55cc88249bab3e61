#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# --json on list, run, fuzz, check and corpus stats: every document parses
# and carries the members docs/json-schema.md promises (checked by a small
# python3 script; the test is skipped where python3 is missing).  Families,
# variants and pairs come from `mmdiff list --json` itself.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null; then
	echo "skip: no python3"
	exit 0
fi
# check FILE KIND: parse, and the members of KIND (docs/json-schema.md)
cat >"$TMP/check.py" <<'PY'
import json, sys
path, kind = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
def need(o, keys, where):
    for k in keys:
        if k not in o:
            sys.exit("%s: no member '%s' in %s" % (path, k, where))
VERDICT = ["verdict", "signature", "notes"]
VIOL = ["op_index", "op", "variant", "invariant", "where", "details", "state"]
def verdict(v, where):
    need(v, VERDICT, where)
    assert v["verdict"] in ("ok", "violation"), where
    if v["verdict"] == "violation":
        need(v, VIOL, where)
        assert isinstance(v["op_index"], int)
        assert v["signature"].count("/") >= 2, v["signature"]
def campaign(c):
    need(c, ["family", "variants", "engine", "time", "jobs", "seed", "stats", "corpus", "findings"], "campaign")
    need(c["stats"], ["elapsed", "total_execs", "execs_per_sec", "cov", "ft", "cov_start", "ft_start", "seeds", "harness_crashes"], "stats")
    for f in c["findings"]:
        need(f, ["signature", "expect", "file", "after", "execs", "orig_ops", "final_ops", "verdict"], "finding")
        verdict(f["verdict"], "finding verdict")
need(doc, ["schema", "command"], "document")
assert doc["schema"] == "mmdiff-json/1", doc["schema"]
if kind == "list":
    need(doc, ["families"], "list")
    for fam in doc["families"]:
        need(fam, ["name", "help", "variants", "pairs"], "family")
        for v in fam["variants"]:
            need(v, ["name", "reference", "expect", "clean", "models"], "variant")
elif kind == "list-ops":
    for fam in doc["families"]:
        need(fam, ["config", "ops", "observables"], "family")
elif kind == "list-inv":
    for fam in doc["families"]:
        need(fam, ["invariants", "machine_invariants"], "family")
elif kind == "run":
    need(doc, ["inputs", "summary", "exit"], "run")
    need(doc["summary"], ["inputs", "violated", "ok", "bad"], "summary")
    for i in doc["inputs"]:
        need(i, ["file", "verdict"], "input")
        if i["verdict"] is None:
            need(i, ["error"], "bad input")
        else:
            verdict(i["verdict"], i["file"])
elif kind == "fuzz":
    need(doc, ["exit", "campaign"], "fuzz")
    campaign(doc["campaign"])
elif kind == "check":
    need(doc, ["family", "revision", "expect", "reference", "base", "columns", "rows", "metrics", "campaign", "result", "exit"], "check")
    assert len(doc["columns"]) == 2
    for r in doc["rows"]:
        need(r, ["invariant", "counts", "signatures"], "row")
        assert len(r["counts"]) == 2
    for m in doc["metrics"]:
        need(m, ["name", "medians", "change_pct"], "metric")
    if doc["campaign"] is not None:
        campaign(doc["campaign"])
elif kind == "bisect":
    need(doc, ["file", "signature", "revisions", "first", "changes", "exit"], "bisect")
    for r in doc["revisions"]:
        need(r, ["variant", "shows", "verdict"], "revision")
elif kind == "corpus":
    need(doc, ["family", "dir", "inputs", "pending", "bytes", "ops_median", "ops_max", "cov", "ft"], "corpus")
print("%s: %s document ok" % (path, kind))
PY
json_ok() {	# json_ok KIND WHAT: $TMP/out is a document of KIND
	if python3 "$TMP/check.py" "$TMP/out" "$1" >"$TMP/py" 2>&1; then
		ok "$2: JSON parses and has the $1 members"
	else
		fail "$2: $(tail -2 "$TMP/py")"
		head -c 300 "$TMP/out" | sed 's/^/    /'
	fi
}
json_rc() {	# json_rc KIND WHAT CMD...: any exit 0/1, then json_ok
	local kind=$1 what=$2 rc
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" -le 1 ] || { fail "$what: exit $rc: $(tail -1 "$TMP/err")"; return; }
	[ "$(wc -l <"$TMP/out")" = 1 ] || fail "$what: stdout is not one line (human text must go to stderr)"
	json_ok "$kind" "$what"
}

json_rc list "list" "$MMDIFF" list --json
cp "$TMP/out" "$TMP/list.json"
fams=$(python3 -c 'import json,sys; print(" ".join(f["name"] for f in json.load(open(sys.argv[1]))["families"]))' "$TMP/list.json")
[ -n "$fams" ] || fail "list --json names no family"
for fam in $fams; do
	json_rc list-ops "list --ops $fam" "$MMDIFF" list --json --ops "$fam"
	json_rc list-inv "list --invariants $fam" "$MMDIFF" list --json --invariants "$fam"
	json_rc run "run corpus/$fam" "$MMDIFF" run --json "$ROOT/corpus/$fam"
done
json_rc run "run corpus/regress" "$MMDIFF" run --json "$ROOT/corpus/regress"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not all(i["verdict"]["signature"] == i["header_signature"] for i in d["inputs"]))' "$TMP/out" &&
	ok "run --json: every regress verdict is its header's signature" || fail "run --json: a regress verdict differs from its header"
grep -q '"op_index":' "$TMP/out" && ok "run --json: op index present" || fail "run --json: no op_index"
# a bad input among good ones: an error member, exit 2, still one document
printf 'family nosuch\n' >"$TMP/bad.ops"
"$MMDIFF" run --json "$TMP/bad.ops" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 2 ] && ok "run --json on a bad input: exit 2" || fail "run --json on a bad input: exit $rc"
json_ok run "run --json on a bad input"
grep -q '"error":"' "$TMP/out" && ok "the bad input's error is in the document" || fail "no error member: $(cat "$TMP/out")"

for repro in "$ROOT"/corpus/regress/*.ops; do
	vars=$(sed -n 's/^# variants: *//p' "$repro" | head -1)
	[ -n "$vars" ] && json_rc bisect "bisect $(basename "$repro")" "$MMDIFF" bisect --json "$repro" --variants "$vars"
done

# the first pair of the first family that has a pair; and its revision
read -r fam pair < <(python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["families"]:
    if f["pairs"]:
        print(f["name"], f["pairs"][0]); break' "$TMP/list.json")
rev=${pair#*,}
json_rc check "check --variant $rev --time 0" "$MMDIFF" check --json --variant "$rev" --time 0
if [ -x "$BIN/mmdiff-libfuzzer-$fam" ]; then
	json_rc fuzz "fuzz $pair" nice -n 10 "$MMDIFF" fuzz --json --variants "$pair" --time 3 \
		--findings "$TMP/f" --corpus "$TMP/c"
	json_rc corpus "corpus stats" "$MMDIFF" corpus stats --json "$TMP/c" --variants "$pair"
	json_rc check "check --variant $rev --time 2" nice -n 10 "$MMDIFF" check --json --variant "$rev" \
		--time 2 --findings "$TMP/f2"
else
	echo "skip: fuzz/corpus JSON (no $BIN/mmdiff-libfuzzer-$fam)"
fi
finish
