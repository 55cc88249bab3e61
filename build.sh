#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mmdiff's build entry point.
#   ./build.sh                 check/install dependencies, build every flavor
#   ./build.sh build FLAVOR... build some flavors (plain fuzz afl tsan cov)
#   ./build.sh test            build plain, fuzz and afl; run every test
#   ./build.sh fuzz [SECONDS]  the campaign: every family's pairs on this
#                              machine's cores, SECONDS per pair (default 60)
#   ./build.sh tsan-campaign [SECONDS]  the threaded ThreadSanitizer campaign:
#                              every family's variants, SECONDS per family
#   ./build.sh cov             coverage of the ports per family (llvm-cov HTML in
#                              build/cov/html/<family>/, unreached port functions),
#                              from the seeds, regress and lasting corpora ($MMDIFF_CORPUS)
#   ./build.sh docs            regenerate docs/<family>-language.md from the tables
# OSS-Fuzz: with $LIB_FUZZING_ENGINE and $OUT set, builds the fuzzers into $OUT.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)
# the family list lives in fuzz/families.def only
FAMILIES=$(sed -n 's/^MM_FAMILY(\([a-z0-9_]*\)).*/\1/p' fuzz/families.def | tr '\n' ' ')

say() { printf '%s\n' "$*" >&2; }

# -- dependencies ------------------------------------------------------------
# clang 14 with its sanitizer and libFuzzer runtimes, llvm tools, AFL++, cmake.
PKGS="clang-14 libclang-rt-14-dev llvm-14 llvm cmake afl++ make"
missing_deps() {
	local miss=()
	command -v clang-14 >/dev/null || miss+=(clang-14)
	local rt
	rt=$(ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null | head -1 || true)
	[ -n "$rt" ] || miss+=(libclang-rt-14-dev)
	command -v llvm-cov-14 >/dev/null || command -v llvm-cov >/dev/null || miss+=(llvm-14)
	# ASan names the function of a MEMORY_SAFETY finding with llvm-symbolizer
	command -v llvm-symbolizer >/dev/null || miss+=(llvm)
	command -v llvm-profdata-14 >/dev/null || command -v llvm-profdata >/dev/null || miss+=(llvm-14)
	command -v cmake >/dev/null || miss+=(cmake)
	command -v make >/dev/null || miss+=(make)
	command -v afl-clang-fast >/dev/null && command -v afl-fuzz >/dev/null || miss+=(afl++)
	printf '%s\n' "${miss[@]}" | sort -u | tr '\n' ' '
}

ensure_deps() {
	local miss
	miss=$(missing_deps)
	[ -z "${miss// /}" ] && return 0
	if [ "$(id -u)" = 0 ]; then
		say "build.sh: installing $miss"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null 2>&1 || true
		# shellcheck disable=SC2086
		apt-get install -y -qq $miss >/dev/null
		miss=$(missing_deps)
		[ -z "${miss// /}" ] && return 0
		say "build.sh: still missing after apt-get: $miss"
		exit 1
	fi
	say "build.sh: missing $miss; run: sudo apt-get install -y $miss"
	exit 1
}

# -- kernel sources for the real-source variants ------------------------------
# build/kernel/linux-X.Y/ holds mm/percpu.c, mm/percpu-internal.h,
# mm/percpu-vm.c, mm/percpu-km.c and VERSION, copied from a tree or tarball:
# MMDIFF_KERNEL_SRC (paths separated by spaces or colons: kernel trees or
# linux-source tarballs), else Debian's linux-source-6.1 and -6.12.  A tree
# the shim cannot build is left out with one line; mmdiff builds without it.
KFILES="mm/percpu.c mm/percpu-internal.h mm/percpu-vm.c mm/percpu-km.c"

kernel_version() { # Makefile -> X.Y.Z
	awk -F' *= *' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2} $1=="SUBLEVEL"{s=$2}
		END {if (v != "") print v "." p "." s}' "$1"
}

# one tree or tarball into build/kernel/; quiet when already taken (a stamp
# of the source's path, size and time; an unsupported one says so again)
kernel_take() {
	local src=$1 tmp ver dst f stamp key
	stamp="$ROOT/build/kernel/.stamp-$(echo "$src" | tr '/' '_')"
	key=$(stat -c '%n %s %Y' "$src" "$src/mm/percpu.c" 2>/dev/null | tr '\n' ' ' || true)
	if [ -f "$stamp" ] && [ "$(head -1 "$stamp")" = "$key" ]; then
		sed -n '2p' "$stamp" | grep . >&2 || true
		return 0
	fi
	tmp=$(mktemp -d)
	if [ -d "$src" ]; then
		[ -f "$src/Makefile" ] && [ -f "$src/mm/percpu.c" ] ||
			{ say "build.sh: $src: not a kernel tree (no Makefile or mm/percpu.c); skipped"; rm -rf "$tmp"; return 0; }
		mkdir -p "$tmp/t/mm" && cp "$src/Makefile" "$tmp/t/"
		for f in $KFILES; do [ -f "$src/$f" ] && cp "$src/$f" "$tmp/t/$f"; done
	elif [ -f "$src" ]; then
		local top
		top=$(tar -tf "$src" 2>/dev/null | head -1 | cut -d/ -f1 || true)
		[ -n "$top" ] || { say "build.sh: $src: not a tarball; skipped"; rm -rf "$tmp"; return 0; }
		# shellcheck disable=SC2046
		tar -xf "$src" -C "$tmp" "$top/Makefile" $(printf "$top/%s " $KFILES) 2>/dev/null || true
		mv "$tmp/$top" "$tmp/t" 2>/dev/null || true
	else
		say "build.sh: $src: no such tree or tarball; skipped"; rm -rf "$tmp"; return 0
	fi
	ver=$(kernel_version "$tmp/t/Makefile" 2>/dev/null || true)
	for f in $KFILES; do
		[ -f "$tmp/t/$f" ] || { say "build.sh: $src: $f missing; skipped"; rm -rf "$tmp"; return 0; }
	done
	[ -n "$ver" ] || { say "build.sh: $src: no version in its Makefile; skipped"; rm -rf "$tmp"; return 0; }
	dst="$ROOT/build/kernel/linux-${ver%.*}"
	# can the shim build it?  One line if not; the rest of mmdiff goes on
	local err
	if ! err=$(clang-14 -nostdinc -I impl/percpu/linux/shim -I impl/percpu/linux \
		-DCONFIG_SMP -DCONFIG_MEMCG_KMEM -DCONFIG_HAVE_SETUP_PER_CPU_AREA \
		-DMMK_TAG=ktry -DMMK_SRC="\"$tmp/t/mm/percpu.c\"" -DMMK_VERSION="\"$ver\"" -w \
		-fsyntax-only impl/percpu/linux/kernel.c 2>&1); then
		local msg
		msg="build.sh: Linux $ver ($src): unsupported by the shim: $(echo "$err" | grep -m1 error)"
		say "$msg"
		printf '%s\n%s\n' "$key" "$msg" >"$stamp"
		rm -rf "$tmp" "$dst"; return 0
	fi
	rm -rf "$dst" && mkdir -p "$dst/mm"
	for f in $KFILES; do cp "$tmp/t/$f" "$dst/$f"; done
	echo "$ver" >"$dst/VERSION"
	say "build.sh: Linux $ver from $src -> build/kernel/linux-${ver%.*}"
	echo "$key" >"$stamp"
	rm -rf "$tmp"
}

kernel_sources() {
	local s
	mkdir -p "$ROOT/build/kernel"
	if [ -n "${MMDIFF_KERNEL_SRC:-}" ]; then
		for s in ${MMDIFF_KERNEL_SRC//:/ }; do kernel_take "$s"; done
		return 0
	fi
	for s in 6.1 6.12; do
		if [ ! -f "/usr/src/linux-source-$s.tar.xz" ]; then
			if [ "$(id -u)" = 0 ]; then
				# the package lists may be missing on a fresh machine: update once
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "linux-source-$s" \
					>/dev/null 2>&1 ||
				{ apt-get update -qq >/dev/null 2>&1 &&
				  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "linux-source-$s" \
					>/dev/null 2>&1; } || true
			fi
		fi
		if [ -f "/usr/src/linux-source-$s.tar.xz" ]; then
			kernel_take "/usr/src/linux-source-$s.tar.xz"
		elif [ ! -f "$ROOT/build/kernel/linux-$s/VERSION" ]; then
			say "build.sh: no linux-source-$s (apt-get install linux-source-$s, or set MMDIFF_KERNEL_SRC); the linux-$s variant is not built"
		fi
	done
}

# -- building ----------------------------------------------------------------
cc_for() {
	case "$1" in
	afl) echo afl-clang-fast ;;
	*) command -v clang-14 || command -v clang ;;
	esac
}

build_flavor() {
	local flavor=$1 dir="$ROOT/build/$1"
	mkdir -p "$dir" "$ROOT/build/bin"
	# the kernel trees found make the real-source variants: configure again
	# when they changed since this flavor was configured
	local trees
	trees=$(cat "$ROOT"/build/kernel/*/VERSION 2>/dev/null | tr '\n' ' ')
	if [ -f "$dir/CMakeCache.txt" ] && [ "$(cat "$dir/.kernel-trees" 2>/dev/null)" != "$trees" ]; then
		cmake "$dir" >/dev/null
	fi
	if [ ! -f "$dir/CMakeCache.txt" ]; then
		if [ "$flavor" = afl ]; then
			# afl-clang-fast wraps clang 14; quiet its banner
			AFL_QUIET=1 AFL_CC=$(cc_for plain) CC=afl-clang-fast \
				cmake -S "$ROOT" -B "$dir" -DMMDIFF_FLAVOR=afl >/dev/null
		else
			CC=$(cc_for "$flavor") cmake -S "$ROOT" -B "$dir" \
				-DMMDIFF_FLAVOR="$flavor" >/dev/null
		fi
	fi
	echo "$trees" >"$dir/.kernel-trees"
	AFL_QUIET=1 cmake --build "$dir" -j "$JOBS" >"$dir/build.log" 2>&1 || {
		tail -40 "$dir/build.log" >&2
		say "build.sh: the $flavor build failed (log: build/$flavor/build.log)"
		exit 1
	}
}

oss_fuzz() {
	# OSS-Fuzz / ClusterFuzzLite contract: with $CC $CXX $CFLAGS $CXXFLAGS
	# $LIB_FUZZING_ENGINE and $OUT set, one fuzzer per (reference,
	# implementation) pair, mmdiff_<family>_<implementation>, with
	#   <fuzzer>_seed_corpus.zip  the family's seeds in binary form
	#   <fuzzer>.dict             one entry per op (mmdiff list --dict)
	#   <fuzzer>.options          max_len and the dictionary
	# and mmdiff_known_sigs.txt: the signatures of corpus/regress/, which the
	# fuzzers do not report again (known bugs of variants expected buggy).
	local dir="$ROOT/build/ossfuzz" host="$ROOT/build/ossfuzz-host"
	mkdir -p "$dir" "$host" "$OUT"
	# the host mmdiff (pairs, dictionaries, seeds in binary form), compiled
	# with the same compiler but without the fuzzing flags
	local srcs inc="-I include -I fuzz -I fuzz/core" d
	for d in fuzz/families/*/; do inc+=" -I $d"; done
	# (the real-source variants stay out: the contract build has no kernel tree)
	srcs=$(find replay fuzz/core fuzz/families ref impl -path impl/percpu/linux -prune -o \
		-name '*.c' ! -name target.c ! -name afl_main.c -print | sort)
	mkdir -p "$host/obj"
	# shellcheck disable=SC2086
	printf '%s\n' $srcs | xargs -P "$JOBS" -I{} sh -c \
		'o="$1/obj/$(echo "$2" | tr / _).o"; '"${CC:-clang}"' -std=gnu11 -O1 -g0 -w '"$inc"' -c "$2" -o "$o"' \
		sh "$host" {} || { say "build.sh: the host mmdiff build failed"; exit 1; }
	"${CC:-clang}" "$host"/obj/*.o -lm -o "$host/mmdiff"
	local mmdiff="$host/mmdiff"
	CFLAGS="${CFLAGS:-}" cmake -S "$ROOT" -B "$dir" -DMMDIFF_FLAVOR=afl \
		-DMMDIFF_KERNEL_VARIANTS=OFF -DCMAKE_C_COMPILER="${CC:-clang}" >/dev/null
	cmake --build "$dir" --target mmcore -j "$JOBS"
	# the variant pair of each fuzzer, set before the target reads it
	cat >"$dir/pair.c" <<'PAIR_C'
// SPDX-License-Identifier: GPL-2.0-only
/* generated by build.sh: the variant pair and known signatures of one fuzzer */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void mmdiff_pair(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 40);

	setenv("MMDIFF_VARIANTS", MM_PAIR, 0);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			strcpy(slash + 1, "mmdiff_known_sigs.txt");
			setenv("MMDIFF_KNOWN_SIGS", exe, 0);
		}
	}
}
PAIR_C
	sed -n 's/^# signature: *//p' corpus/regress/*.ops 2>/dev/null | sort -u >"$OUT/mmdiff_known_sigs.txt"
	local fam ref name f
	for fam in $FAMILIES; do
		# shellcheck disable=SC2086
		${CC:-clang} ${CFLAGS:-} -DMM_FAMILY="\"$fam\"" -I include -I fuzz -I fuzz/core \
			-c fuzz/core/target.c -o "$dir/target-$fam.o"
		local seeds="$dir/seeds-$fam"
		rm -rf "$seeds" && mkdir -p "$seeds"
		for f in corpus/"$fam"/*; do
			[ -f "$f" ] || continue
			"$mmdiff" convert --family "$fam" "$f" -o "$seeds/$(basename "$f" .ops).bin" >/dev/null
		done
		"$mmdiff" list --dict "$fam" >"$dir/$fam.dict"
		while read -r f name ref _; do
			[ "$f" = "$fam" ] && [ "$ref" != "-" ] || continue
			local fz="mmdiff_${fam}_$(echo "$name" | tr -c 'A-Za-z0-9_\n' '_')"
			# shellcheck disable=SC2086
			${CC:-clang} ${CFLAGS:-} -DMM_PAIR="\"$ref,$name\"" -c "$dir/pair.c" -o "$dir/pair-$fz.o"
			# shellcheck disable=SC2086
			${CXX:-clang++} ${CXXFLAGS:-} "$dir/target-$fam.o" "$dir/pair-$fz.o" \
				$(find "$dir/CMakeFiles/mmcore.dir" -name '*.o' | sort) \
				$LIB_FUZZING_ENGINE -o "$OUT/$fz"
			rm -f "$OUT/${fz}_seed_corpus.zip"
			(cd "$seeds" && zip -q -r "$OUT/${fz}_seed_corpus.zip" .)
			cp "$dir/$fam.dict" "$OUT/$fz.dict"
			printf '[libfuzzer]\nmax_len = 4096\ndict = %s.dict\n' "$fz" >"$OUT/$fz.options"
		done < <("$mmdiff" list | awk 'NR > 1 && NF >= 3')
	done
}

# -- commands ----------------------------------------------------------------
cmd_test() {
	ensure_deps
	kernel_sources
	build_flavor plain
	build_flavor fuzz
	build_flavor afl
	# the threaded ThreadSanitizer mode: tests/cli/test_threads.sh runs it
	build_flavor tsan
	say "build.sh: running tests"
	(cd build/plain && ctest --output-on-failure -j "$JOBS" --timeout 1200)
}

# The threaded ThreadSanitizer campaign (docs/threads.md): every family's
# variants threaded, inputs grown from corpus/<family>/ for SECONDS per
# family (default 60), under nice; reproducers in findings/threads/.
cmd_tsan_campaign() {
	local secs=${1:-60} fam vars rc=0 r
	ensure_deps
	kernel_sources
	build_flavor tsan
	for fam in ${MMDIFF_TSAN_FAMILIES:-$FAMILIES}; do
		vars=$(build/bin/mmdiff-tsan list | awk -v f="$fam" '$1 == f {print $2}' | paste -sd, -)
		[ -n "$vars" ] || continue
		say "build.sh: threaded campaign: $fam ($vars), ${secs}s"
		r=0
		nice -n 10 build/bin/mmdiff-tsan run --threads --family "$fam" --variants "$vars" \
			--time "$secs" --seed 1 --findings findings/threads || r=$?
		[ "$r" -le 1 ] || rc=2
		[ "$r" = 1 ] && [ "$rc" = 0 ] && rc=1
	done
	exit "$rc"
}

# docs/<family>-language.md: the declared tables, as `mmdiff list` prints them
cmd_docs() {
	ensure_deps
	kernel_sources
	build_flavor plain
	for fam in $FAMILIES; do
		{
			printf '# The %s family: operation language and invariants\n\n' "$fam"
			printf 'Generated by `./build.sh docs` from the family'"'"'s declared tables (`mmdiff list --ops %s`,\n' "$fam"
			printf '`mmdiff list --invariants %s`); a test fails when this page drifts from them.\n\n' "$fam"
			printf '```\n'
			build/bin/mmdiff list --ops "$fam"
			printf '\n'
			build/bin/mmdiff list --invariants "$fam"
			printf '```\n'
		} >"docs/$fam-language.md"
		say "build.sh: wrote docs/$fam-language.md"
	done
}

# The revision check a patch author runs: a `git format-patch` series applied
# in order to the percpu files of a kernel tree, base and every revision
# built as variants (linux-X.Y, linux-X.Y-r1, ...), each revision fuzzed
# against the base and against the revision before it; one table; exit 1
# when a revision breaks something the base got right, 2 on bad input.
cmd_patchcheck() {
	local src="" secs=60 patches=() a
	while [ $# -gt 0 ]; do
		case "$1" in
		--kernel-src) src=${2:?}; shift 2 ;;
		--kernel-src=*) src=${1#*=}; shift ;;
		--time) secs=${2:?}; shift 2 ;;
		--time=*) secs=${1#*=}; shift ;;
		--patch) patches+=("${2:?}"); shift 2 ;;
		--patch=*) patches+=("${1#*=}"); shift ;;
		*) patches+=("$1"); shift ;;
		esac
	done
	[ -n "$src" ] || { say "mmdiff check: --kernel-src DIR is needed with --patch"; exit 2; }
	[ ${#patches[@]} -gt 0 ] || { say "mmdiff check: no patch given"; exit 2; }
	for a in "${patches[@]}"; do
		[ -f "$a" ] || { say "mmdiff check: $a: no such patch"; exit 2; }
	done
	ensure_deps
	local work="$ROOT/build/patchcheck" t0=$SECONDS
	rm -rf "$work/kernel" "$work/findings" && mkdir -p "$work/kernel"
	# the base: the tree's percpu files, as kernel_take takes them
	local tmp ver base f n=0 prev
	tmp=$(mktemp -d)
	if [ -d "$src" ]; then
		mkdir -p "$tmp/t/mm" && cp "$src/Makefile" "$tmp/t/" 2>/dev/null || true
		for f in $KFILES; do cp "$src/$f" "$tmp/t/$f" 2>/dev/null || true; done
	else
		say "mmdiff check: $src: not a kernel tree"; exit 2
	fi
	for f in $KFILES; do
		[ -f "$tmp/t/$f" ] || { say "mmdiff check: $src: no $f"; rm -rf "$tmp"; exit 2; }
	done
	# a kernel tree's Makefile, or the VERSION of a tree build.sh extracted
	if [ -f "$tmp/t/Makefile" ]; then
		ver=$(kernel_version "$tmp/t/Makefile")
	else
		ver=$(head -1 "$src/VERSION" 2>/dev/null | cut -d' ' -f1 || true)
	fi
	[ -n "$ver" ] || { say "mmdiff check: $src: no version (no Makefile nor VERSION)"; exit 2; }
	base="linux-${ver%.*}"
	mkdir -p "$work/kernel/$base/mm"
	for f in $KFILES; do cp "$tmp/t/$f" "$work/kernel/$base/$f"; done
	echo "$ver" >"$work/kernel/$base/VERSION"
	rm -rf "$tmp"
	prev=$base
	local names=("$base") touched
	for a in "${patches[@]}"; do
		n=$((n + 1))
		touched=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p; s|^--- a/\([^[:space:]]*\).*|\1|p' "$a" | sort -u)
		[ -n "$touched" ] || { say "mmdiff check: $a: not a patch (no ---/+++ lines)"; exit 2; }
		for f in $touched; do
			case " $KFILES " in *" $f "*) ;;
			*) say "mmdiff check: $a touches $f, which mmdiff does not build (only $KFILES)"; exit 2 ;;
			esac
		done
		local rev="$base-r$n"
		cp -r "$work/kernel/$prev" "$work/kernel/$rev"
		if ! patch -p1 -s -f --dry-run -d "$work/kernel/$rev" <"$a" >/dev/null 2>&1 ||
			! patch -p1 -s -f -d "$work/kernel/$rev" <"$a" >/dev/null 2>&1; then
			say "mmdiff check: $a does not apply to $(basename "$prev") (Linux $ver)"; exit 2
		fi
		echo "$ver with $(basename "$a")" >"$work/kernel/$rev/VERSION"
		names+=("$rev")
		prev=$rev
	done
	# one build of the command and the libFuzzer target with these trees
	local fl
	for fl in plain fuzz; do
		mkdir -p "$work/$fl"
		CC=$(cc_for "$fl") cmake -S "$ROOT" -B "$work/$fl" -DMMDIFF_FLAVOR="$fl" \
			-DMMDIFF_KERNEL_DIR="$work/kernel" -DMMDIFF_BIN_DIR="$work/bin" >/dev/null
		cmake --build "$work/$fl" -j "$JOBS" --target \
			"$([ $fl = plain ] && echo mmdiff || echo mmdiff-libfuzzer-percpu)" \
			>"$work/$fl/build.log" 2>&1 || {
			tail -20 "$work/$fl/build.log" >&2
			say "mmdiff check: a revision does not build (log: build/patchcheck/$fl/build.log)"; exit 2; }
	done
	say "mmdiff check: built ${names[*]} in $((SECONDS - t0)) s; fuzzing each revision ${secs}s against the base and the revision before"
	local i rc=0 ref out sig file against rows=()
	for ((i = 1; i < ${#names[@]}; i++)); do
		against=("$base")
		[ "$i" -gt 1 ] && against+=("${names[i-1]}")
		for ref in "${against[@]}"; do
			out=$("$work/bin/mmdiff" fuzz --family percpu --variants "$ref,${names[i]}" \
				--time "$secs" --seed 1 --findings "$work/findings" 2>&1 || true)
			sig=$(echo "$out" | sed -n 's/^MMDIFF-FOUND \([^ ]*\) .*/\1/p' | head -1 || true)
			if [ -z "$sig" ]; then
				rows+=("$(printf '%-22s %-22s OK' "${names[i]}" "$ref")")
				continue
			fi
			file=$(grep -l "^# signature: $sig\$" "$work/findings"/*.ops 2>/dev/null | head -1 || true)
			rows+=("$(printf '%-22s %-22s %s\n%45s reproducer: %s' "${names[i]}" "$ref" "$sig" "" "${file#"$ROOT"/}")")
			[ "$ref" = "$base" ] && rc=1
		done
	done
	printf '%-22s %-22s %s\n' revision against verdict
	printf '%s\n' "${rows[@]}"
	say "mmdiff check: $((SECONDS - t0)) s from the patches to the verdict"
	[ "$rc" = 0 ] && echo "MMDIFF-CHECK: OK" || echo "MMDIFF-CHECK: a revision breaks what Linux $ver got right"
	exit "$rc"
}

cmd_fuzz() {
	local secs=${1:-60} out="$ROOT/findings" log="$ROOT/build/fuzz-logs"
	ensure_deps
	kernel_sources
	build_flavor plain
	build_flavor fuzz
	build_flavor afl
	mkdir -p "$out" "$log"
	local pairs=() fam
	for fam in $FAMILIES; do
		while read -r f name ref _; do
			[ "$f" = "$fam" ] || continue
			[ "$ref" = "-" ] && continue
			pairs+=("$fam $ref,$name")
		done < <(build/bin/mmdiff list 2>/dev/null | awk 'NF>=3 && $1!~/^#/')
	done
	if [ ${#pairs[@]} -eq 0 ]; then
		say "build.sh: no pairs to fuzz (mmdiff list printed none)"
		exit 1
	fi
	say "build.sh: fuzzing ${#pairs[@]} pairs, ${secs}s each, $JOBS at a time; findings in $out/"
	local start=$SECONDS i=0 p pids=() next=0 done_n=0 last=0 failed=()
	# one progress line every 10 s: each running pair's latest status
	while [ "$done_n" -lt ${#pairs[@]} ]; do
		while [ "$next" -lt ${#pairs[@]} ] && [ ${#pids[@]} -lt "$JOBS" ]; do
			p=${pairs[$next]}
			next=$((next + 1))
			set -- $p
			build/bin/mmdiff fuzz --family "$1" --variants "$2" --time "$secs" \
				--seed "$next" --findings "$out" >"$log/pair-$next.log" 2>&1 &
			pids+=("$!:$next")
		done
		sleep 1
		local still=()
		for p in "${pids[@]}"; do
			if kill -0 "${p%%:*}" 2>/dev/null; then
				still+=("$p")
			else
				local rc=0
				wait "${p%%:*}" || rc=$?
				# 0 clean, 1 findings; anything else is a failed campaign
				[ "$rc" -le 1 ] || failed+=("${pairs[$((${p#*:} - 1))]} (exit $rc)")
				done_n=$((done_n + 1))
			fi
		done
		pids=("${still[@]}")
		if [ $((SECONDS - last)) -ge 10 ] || [ "$done_n" -eq ${#pairs[@]} ]; then
			last=$SECONDS
			local line="[$((SECONDS - start))s] $done_n/${#pairs[@]} pairs done"
			for p in "${pids[@]}"; do
				i=${p#*:}
				set -- ${pairs[$((i - 1))]}
				line+=" | $2: $({ grep '^mmdiff-fuzz:' "$log/pair-$i.log" 2>/dev/null || true; } |
					tail -1 | sed 's/^mmdiff-fuzz: *//; s/ cov .*findings/, findings/')"
			done
			say "  $line"
		fi
	done
	say ""
	say "== mmdiff campaign summary ($((SECONDS - start))s) =="
	i=0
	local total_execs=0
	for p in "${pairs[@]}"; do
		i=$((i + 1))
		set -- $p
		local execs cov found
		execs=$(sed -n 's/^total execs: \([0-9]*\).*/\1/p' "$log/pair-$i.log" | tail -1)
		cov=$(grep -o 'coverage: [^,]*' "$log/pair-$i.log" | tail -1 | cut -d' ' -f2-)
		found=$(grep -c '^MMDIFF-FOUND' "$log/pair-$i.log" || true)
		total_execs=$((total_execs + ${execs:-0}))
		printf '  %-9s %-22s execs %-10s coverage %-12s findings %s\n' \
			"$1" "$2" "${execs:-?}" "${cov:-?}" "$found" >&2
		grep '^MMDIFF-FOUND' "$log/pair-$i.log" | sed 's/^/      /' >&2 || true
	done
	say "  pairs ${#pairs[@]}, total execs $total_execs"
	say "  minimized findings: $(ls "$out"/*.ops 2>/dev/null | wc -l) in $out/ (logs: $log/)"
	if [ ${#failed[@]} -gt 0 ]; then
		say "  FAILED campaigns: ${failed[*]}"
		exit 2
	fi
	# findings in a variant expected clean are news: exit 1.  In a variant
	# expected buggy, each signature (rule and place) is one cause: say
	# whether corpus/regress/ already keeps it or it is a new cause.
	local sig v unexpected=0 kept
	for sig in $(grep -h '^MMDIFF-FOUND' "$log"/pair-*.log | awk '{print $2}' | sort -u); do
		v=$(echo "$sig" | cut -d/ -f2 | cut -d~ -f1)
		if build/bin/mmdiff list | awk -v f="${sig%%/*}" -v v="$v" \
			'$1 == f && $2 == v && $4 == "clean" {found = 1} END {exit !found}'; then
			say "  UNEXPECTED: $sig ($v is expected clean)"
			unexpected=1
		else
			kept=$(grep -lx "# signature: $sig" corpus/regress/*.ops 2>/dev/null | head -1 || true)
			say "  expected ($v is buggy): $sig ${kept:+(kept in $kept)}${kept:-(a new cause: keep its reproducer in corpus/regress/)}"
		fi
	done
	[ "$unexpected" = 0 ] || exit 1
}

# coverage of the ports, per family: every input (the family's seeds, the
# regress reproducers, the lasting corpora of `mmdiff fuzz --corpus` under
# $MMDIFF_CORPUS, default ci-fuzz/corpus/<ref>_<impl>/ as the CI names them)
# against every pair; an HTML report per family in build/cov/html/<family>/
# and the port functions no input reached.
cmd_cov() {
	ensure_deps
	kernel_sources
	build_flavor cov
	local prof="$ROOT/build/cov/profiles" html="$ROOT/build/cov/html"
	local lasting=${MMDIFF_CORPUS:-$ROOT/ci-fuzz/corpus}
	rm -rf "$prof" "$html"
	mkdir -p "$prof" "$html"
	local pd cov
	pd=$(command -v llvm-profdata-14 || command -v llvm-profdata)
	cov=$(command -v llvm-cov-14 || command -v llvm-cov)
	local f name ref dir n
	while read -r f name ref _; do
		[ "$ref" = "-" ] && ref=$name
		for dir in "corpus/$f" "$lasting/${ref}_$name"; do
			[ -d "$dir" ] || continue
			LLVM_PROFILE_FILE="$prof/$f-$name-%m.profraw" build/bin/mmdiff-cov run \
				--variants "$ref,$name" "$dir" >/dev/null 2>&1 || true
		done
	done < <(build/bin/mmdiff-cov list | awk 'NR > 1 && NF >= 3')
	for f in corpus/regress/*.ops; do
		[ -f "$f" ] || continue
		name=$(awk '$1 == "family" {print $2; exit}' "$f")
		LLVM_PROFILE_FILE="$prof/$name-regress-%m.profraw" build/bin/mmdiff-cov run "$f" \
			>/dev/null 2>&1 || true
	done
	say "build.sh: coverage per family (inputs: corpus/<family>, corpus/regress, $lasting/<pair>)"
	for f in $FAMILIES; do
		ls "$prof/$f"-*.profraw >/dev/null 2>&1 || { say "  $f: no profile"; continue; }
		"$pd" merge -sparse "$prof/$f"-*.profraw -o "$prof/$f.profdata"
		local srcs=()
		for dir in "ref/$f" "impl/$f"; do [ -d "$dir" ] && srcs+=("$dir"); done
		"$cov" show build/bin/mmdiff-cov -instr-profile="$prof/$f.profdata" \
			-format=html -output-dir="$html/$f" -show-line-counts-or-regions \
			-project-title="mmdiff $f ports" "${srcs[@]}" >/dev/null
		"$cov" report build/bin/mmdiff-cov -instr-profile="$prof/$f.profdata" \
			"${srcs[@]}" >"$html/$f/summary.txt"
		# functions of the ports with no region executed; a static function
		# of a header counts as reached when one of its copies is
		"$cov" report -show-functions build/bin/mmdiff-cov \
			-instr-profile="$prof/$f.profdata" "${srcs[@]}" |
			awk '/^File / {file = $2; gsub(/\047/, "", file); sub(/.*\/(ref|impl)\//, "", file); sub(/:$/, "", file); next}
			     NF >= 4 && $4 ~ /%$/ && $1 != "Name" && $1 != "TOTAL" {
				fn = $1; sub(/^[^:]*:/, "", fn); key = file ": " fn
				if (!(key in seen)) { seen[key] = 1; order[++n] = key }
				if ($4 != "0.00%") hit[key] = 1 }
			     END {for (i = 1; i <= n; i++) if (!(order[i] in hit)) print order[i]}' \
			>"$html/$f/unreached.txt"
		n=$(wc -l <"$html/$f/unreached.txt")
		say "  $f: $(awk '/^TOTAL/ {print "regions " $4 ", functions " $7 ", lines " $10}' "$html/$f/summary.txt"); report $html/$f/index.html"
		say "    port functions never reached: $n (build/cov/html/$f/unreached.txt)"
		sed 's/^/      /' "$html/$f/unreached.txt" | head -40 >&2
		[ "$n" -le 40 ] || say "      ... and $((n - 40)) more"
	done
}

if [ -n "${LIB_FUZZING_ENGINE:-}" ] && [ -n "${OUT:-}" ]; then
	oss_fuzz
	exit 0
fi

case "${1:-all}" in
all)
	ensure_deps
	kernel_sources
	for f in plain fuzz afl tsan cov; do build_flavor "$f"; done
	say "build.sh: built plain fuzz afl tsan cov into build/bin/"
	;;
build)
	shift
	ensure_deps
	kernel_sources
	for f in "${@:-plain}"; do build_flavor "$f"; done
	;;
test) cmd_test ;;
fuzz) shift; cmd_fuzz "$@" ;;
cov) cmd_cov ;;
docs) cmd_docs ;;
patchcheck) shift; cmd_patchcheck "$@" ;;
tsan-campaign) shift; cmd_tsan_campaign "$@" ;;
deps) ensure_deps ;;
*)
	say "usage: ./build.sh [all | build FLAVOR... | test | fuzz [SECONDS] | tsan-campaign [SECONDS] | cov | docs | deps]"
	exit 2
	;;
esac
