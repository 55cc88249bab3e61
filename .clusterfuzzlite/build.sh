#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
# ClusterFuzzLite / OSS-Fuzz build step: the image runs this with $CC $CXX
# $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $OUT set; build.sh's contract puts
# the fuzzers, seed corpus zips, dictionaries and options into $OUT.
# Outside the image (tests/cli/test_ci_files.sh) it runs from the checkout.
if [ -n "${SRC:-}" ] && [ -d "$SRC/mmdiff" ]; then
	cd "$SRC/mmdiff"
else
	cd "$(dirname "$0")/.."
fi
: "${LIB_FUZZING_ENGINE:?}" "${OUT:?}"
./build.sh
