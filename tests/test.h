/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal test support: CHECK() records a failure with its location and
 * goes on; a test program returns test_done(), non-zero if anything failed.
 * Each tests/test_*.c is its own program, run by ctest from ./build.sh test.
 */
#ifndef MM_TEST_H
#define MM_TEST_H
#include <stdio.h>

static int test_failures;
static int test_checks;

#define CHECK(cond) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		test_failures++;					\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	test_checks++;							\
	if (__a != __b) {						\
		test_failures++;					\
		fprintf(stderr, "%s:%d: CHECK_EQ(%s, %s): %lld != %lld\n", \
			__FILE__, __LINE__, #a, #b, __a, __b);		\
	}								\
} while (0)

static inline int test_done(const char *name)
{
	fprintf(stderr, "%s: %d checks, %d failed\n", name, test_checks,
		test_failures);
	return test_failures ? 1 : 0;
}
#endif
