#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The steps of .github/workflows/mmdiff.yml, runnable anywhere:
#   mmdiff-ci.sh pairs                  the pairs to fuzz, as a JSON array
#                                       (from `mmdiff list --json`)
#   mmdiff-ci.sh fuzz PAIR SECONDS DIR  fuzz PAIR (reference,implementation) for
#                                       SECONDS with the lasting corpus
#                                       DIR/corpus/<pair> and findings in
#                                       DIR/findings/<pair>; result in
#                                       DIR/results/<pair>.json; then verdict
#   mmdiff-ci.sh verdict RESULT.json    exit 1 if the campaign found something
#                                       in a variant expected clean (or
#                                       failed), 0 otherwise
# MMDIFF: the mmdiff binary (default build/bin/mmdiff).
set -uo pipefail
cd "$(dirname "$0")/../.."
MMDIFF=${MMDIFF:-build/bin/mmdiff}

# the one-line JSON document's findings: "signature clean|buggy" lines
# (signatures hold no quotes; an expect is "clean" or "buggy: ...")
findings() {
	grep -o '"signature":"[^"]*","expect":"[a-z]*' "$1" |
		sed 's/"signature":"\([^"]*\)","expect":"\([a-z]*\)/\1 \2/'
}

case "${1:-}" in
pairs)
	"$MMDIFF" list --json | grep -o '"pairs":\[[^]]*\]' | sed 's/"pairs":\[//; s/\]$//' |
		tr ',' '\n' | paste -d, - - | grep . | sed 's/^/  /' |
		{ echo "["; paste -sd, -; echo "]"; } | tr -d '\n'
	echo
	;;
fuzz)
	pair=${2:?pair} secs=${3:?seconds} dir=${4:?dir}
	safe=$(echo "$pair" | tr ',' '_')
	mkdir -p "$dir/corpus/$safe" "$dir/findings/$safe" "$dir/results"
	res="$dir/results/$safe.json"
	"$MMDIFF" fuzz --variants "$pair" --time "$secs" --corpus "$dir/corpus/$safe" \
		--findings "$dir/findings/$safe" --json >"$res" 2>"$dir/results/$safe.log"
	rc=$?
	tail -12 "$dir/results/$safe.log"
	if [ "$rc" -ge 2 ] || [ ! -s "$res" ]; then
		echo "::error::mmdiff fuzz $pair failed (exit $rc); see $dir/results/$safe.log"
		exit 2
	fi
	exec "$0" verdict "$res"
	;;
verdict)
	res=${2:?result}
	bad=0
	while read -r sig expect; do
		[ -n "$sig" ] || continue
		if [ "$expect" = clean ]; then
			echo "::error::new finding in a variant expected clean: $sig"
			bad=1
		else
			echo "known-buggy variant: $sig ($expect)"
		fi
	done < <(findings "$res")
	if grep -q '"harness_crashes":[1-9]' "$res"; then
		echo "::error::harness crashes (see the campaign log)"
		bad=1
	fi
	exit $bad
	;;
*)
	sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
