#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mmdiff's exit codes (0 ok, 1 violation, 2 misuse/bad input) and its
# one-line "mmdiff: <file>:<line>: <what>" errors on malformed text and bad
# options.  The inputs are derived from the first listed family: a fixed
# binary input converted to text, then broken one way at a time.
. "$(dirname "$0")/lib.sh"

fam=$(first_family)
[ -n "$fam" ] || { fail "mmdiff list shows no family"; finish; }

# usage
expect_rc 2 "no arguments" "$MMDIFF" && ok "no arguments: exit 2"
expect_rc 0 "help" "$MMDIFF" help && grep -q "usage: mmdiff" "$TMP/out" && ok "help: usage, exit 0"
expect_rc 2 "unknown command" "$MMDIFF" frobnicate && grep -q "unknown command 'frobnicate'" "$TMP/err" && ok "unknown command: exit 2"
expect_rc 0 "list" "$MMDIFF" list && ok "list: exit 0"
expect_rc 2 "list with an argument" "$MMDIFF" list extra && one_err_line "^mmdiff: " "list with an argument"

# bad options
expect_rc 2 "unknown option" "$MMDIFF" run --bogus x.ops && one_err_line "^mmdiff: unknown option --bogus" "unknown option"
expect_rc 2 "option of another command" "$MMDIFF" run -o out x.ops && one_err_line "^mmdiff: unknown option -o" "option of another command"
expect_rc 2 "missing option value" "$MMDIFF" run --variants && one_err_line "^mmdiff: option --variants needs a value" "missing option value"
expect_rc 2 "run without input" "$MMDIFF" run && one_err_line "^mmdiff: run: no input" "run without input"
expect_rc 2 "missing file" "$MMDIFF" run "$TMP/nope.ops" && one_err_line "^mmdiff: $TMP/nope.ops: No such file" "missing file"
expect_rc 2 "unknown family" "$MMDIFF" run --family nosuchfam "$TMP" && one_err_line "^mmdiff: unknown family 'nosuchfam'" "unknown family"
expect_rc 2 "unknown variant" "$MMDIFF" run --variants nosuchvariant "$TMP" && one_err_line "^mmdiff: unknown variant 'nosuchvariant'" "unknown variant"
expect_rc 2 "minimize without -o" "$MMDIFF" minimize x.ops && one_err_line "^mmdiff: minimize: usage" "minimize without -o"
expect_rc 2 "convert without -o" "$MMDIFF" convert x.ops && one_err_line "^mmdiff: convert: usage" "convert without -o"
expect_rc 2 "fuzz without family" "$MMDIFF" fuzz --time 1 && one_err_line "^mmdiff: fuzz: give --family" "fuzz without family"
expect_rc 2 "fuzz --jobs 0" "$MMDIFF" fuzz --family "$fam" --jobs 0 && one_err_line "^mmdiff: option --jobs: bad number '0'" "fuzz --jobs 0"
expect_rc 2 "fuzz --time x" "$MMDIFF" fuzz --family "$fam" --time x && one_err_line "^mmdiff: option --time: bad number 'x'" "fuzz --time x"
expect_rc 2 "fuzz --engine" "$MMDIFF" fuzz --family "$fam" --engine nope --time 1 --findings "$TMP/f" && one_err_line "^mmdiff: unknown engine 'nope'" "fuzz unknown engine"
expect_rc 2 "check without variant" "$MMDIFF" check && one_err_line "^mmdiff: check: usage" "check without variant"
expect_rc 2 "check unknown variant" "$MMDIFF" check --variant nosuchvariant --time 0 && one_err_line "^mmdiff: unknown variant" "check unknown variant"
ref=$("$MMDIFF" list | awk -v f="$fam" '$1 == f && $3 == "-" && !r {r = $2} END {print r}')
expect_rc 2 "check a reference" "$MMDIFF" check --variant "$ref" --time 0 && one_err_line "^mmdiff: check: $ref is a reference" "check a reference"

# a valid text input: 64 fixed bytes decoded in the family
printf '\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020%.0s' 1 2 3 4 >"$TMP/in.bin"
expect_rc 2 "binary without family" "$MMDIFF" run "$TMP/in.bin" && one_err_line "^mmdiff: $TMP/in.bin: binary input: give --family" "binary without family"
expect_rc 0 "convert to text" "$MMDIFF" convert --family "$fam" "$TMP/in.bin" -o "$TMP/good.ops" || finish
grep -v '^#' "$TMP/good.ops" >"$TMP/g.ops"
cfgline=$(grep -n '^config' "$TMP/g.ops" | cut -d: -f1)
[ "$(count_ops "$TMP/g.ops")" -gt 0 ] || { fail "the fixed input decodes to no op"; finish; }
expect_rc_any() { "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
expect_rc_any "$MMDIFF" run "$TMP/g.ops"
{ [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && ok "valid text runs (exit $rc)" || fail "valid text: exit $rc: $(cat "$TMP/err")"

# one mistake at a time; each: exit 2 and one line naming file and line
opline=$((cfgline + 1))
sed "${opline}s/^[a-z_0-9]*/no_such_op/" "$TMP/g.ops" >"$TMP/bad_op.ops"
expect_rc 2 "bad op name" "$MMDIFF" run "$TMP/bad_op.ops" &&
	one_err_line "^mmdiff: $TMP/bad_op.ops:$opline: .*no_such_op" "bad op name"
sed "${cfgline}s/=[^ ]*/=zz9/" "$TMP/g.ops" >"$TMP/bad_num.ops"
expect_rc 2 "bad number" "$MMDIFF" run "$TMP/bad_num.ops" &&
	one_err_line "^mmdiff: $TMP/bad_num.ops:$cfgline: .*'zz9' is not" "bad number"
sed "${cfgline}s/=[^ ]*/=4294967295/" "$TMP/g.ops" >"$TMP/bad_range.ops"
expect_rc 2 "out-of-range value" "$MMDIFF" run "$TMP/bad_range.ops" &&
	one_err_line "^mmdiff: $TMP/bad_range.ops:$cfgline: .*out of range" "out-of-range value"
sed "${opline}s/\$/ nosucharg=1/" "$TMP/g.ops" >"$TMP/bad_arg.ops"
expect_rc 2 "unknown argument" "$MMDIFF" run "$TMP/bad_arg.ops" &&
	one_err_line "^mmdiff: $TMP/bad_arg.ops:$opline: .*nosucharg" "unknown argument"
sed "${cfgline}d" "$TMP/g.ops" >"$TMP/no_cfg.ops"
expect_rc 2 "missing config line" "$MMDIFF" run "$TMP/no_cfg.ops" &&
	one_err_line "^mmdiff: $TMP/no_cfg.ops:[0-9]+: .*config" "missing config line"
sed "s/^family .*/family nosuchfam/" "$TMP/g.ops" >"$TMP/bad_fam.ops"
expect_rc 2 "unknown family line" "$MMDIFF" run "$TMP/bad_fam.ops" &&
	one_err_line "^mmdiff: $TMP/bad_fam.ops:1: .*nosuchfam" "unknown family line"
{ echo "# variants: nosuchvariant"; cat "$TMP/g.ops"; } >"$TMP/bad_hdr.ops"
expect_rc 2 "bad variants header" "$MMDIFF" run "$TMP/bad_hdr.ops" &&
	one_err_line "^mmdiff: $TMP/bad_hdr.ops: '# variants: nosuchvariant'" "bad variants header"
# the same errors from minimize and convert
expect_rc 2 "minimize of bad text" "$MMDIFF" minimize "$TMP/bad_op.ops" -o "$TMP/m.ops" &&
	one_err_line "^mmdiff: $TMP/bad_op.ops:$opline: " "minimize of bad text"
[ -e "$TMP/m.ops" ] && fail "minimize of bad text wrote its output"
expect_rc 2 "convert of bad text" "$MMDIFF" convert "$TMP/bad_num.ops" -o "$TMP/c.bin" &&
	one_err_line "^mmdiff: $TMP/bad_num.ops:$cfgline: " "convert of bad text"
# a bad input among good ones: the others still run, exit 2
cp "$TMP/g.ops" "$TMP/a_good.ops"
expect_rc 2 "bad input in a list" "$MMDIFF" run "$TMP/a_good.ops" "$TMP/bad_op.ops" &&
	[ "$(grep -c '^MMDIFF-VERDICT: ' "$TMP/out")" = 1 ] && ok "bad input in a list: the good one still ran"
finish
