# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the tests/cli/test_*.sh scripts (sourced; not a test itself).
# Each script gets the directory of the built binaries as $1.
set -uo pipefail
BIN=${1:?usage: $0 BIN_DIR}
MMDIFF="$BIN/mmdiff"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# expect_rc WANT DESCRIPTION CMD...: run CMD, stdout/stderr in $TMP/out, $TMP/err
expect_rc() {
	local want=$1 what=$2 rc
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$what: exit $rc, want $want ($*)"
		sed 's/^/    /' "$TMP/err" | head -5
		return 1
	fi
	return 0
}

# exactly one line on stderr, matching the regex $1
one_err_line() {
	local re=$1 what=$2 n
	n=$(wc -l <"$TMP/err")
	if [ "$n" != 1 ]; then
		fail "$what: $n lines on stderr, want 1"
		sed 's/^/    /' "$TMP/err" | head -5
		return 1
	fi
	if ! grep -Eq "$re" "$TMP/err"; then
		fail "$what: stderr '$(cat "$TMP/err")' does not match /$re/"
		return 1
	fi
	ok "$what: $(cat "$TMP/err")"
}

# ops in a text input (lines that are not comments, blank, family, config)
count_ops() {
	sed 's/#.*//' "$1" | awk 'NF && $1 != "family" && $1 != "config"' | wc -l
}

# skip the script (exit 0) when the libFuzzer target of family $1 is not built
need_fuzzer() {
	[ -x "$BIN/mmdiff-libfuzzer-$1" ] && return 0
	echo "skip: no $BIN/mmdiff-libfuzzer-$1 (./build.sh build fuzz)"
	exit 0
}

# the first family `mmdiff list` shows, and its first reference
first_family() { "$MMDIFF" list | awk 'NR > 1 && !r {r = $1} END {print r}'; }

finish() {
	if [ "$fails" != 0 ]; then
		echo "$fails failure(s)"
		exit 1
	fi
	echo "all passed"
	exit 0
}
