/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness code that a port's translation unit includes (its invariant
 * checker, its entry points): bracket it with MM_NOCOV_BEGIN / MM_NOCOV_END
 * to keep libFuzzer's coverage and compare tracing off it, as the build
 * does for whole harness files (CMakeLists.txt, fuzz flavor).  The fuzzer's
 * feedback is then the ports' kernel code only.
 *
 * MM_NOCOV marks one function: a port's address lookup that the harness
 * calls for every page of every live allocation after every op.  Compare
 * tracing there records pointer values, which no input can reach, and the
 * hit counters grow with the number of live allocations, not with what the
 * kernel code did: noise in the feedback, and most of the cost of a check.
 */
#ifndef MM_NOCOV_H
#define MM_NOCOV_H

#if defined(__clang__)
/* one function */
#define MM_NOCOV __attribute__((no_sanitize("coverage")))
#define MM_NOCOV_BEGIN \
	_Pragma("clang attribute push (__attribute__((no_sanitize(\"coverage\"))), apply_to = function)")
#define MM_NOCOV_END _Pragma("clang attribute pop")
#else
#define MM_NOCOV
#define MM_NOCOV_BEGIN
#define MM_NOCOV_END
#endif
#endif
