/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State coverage for libFuzzer: after every op the driver observes (before
 * the first task), the reference's observables and the machine's deferred
 * work, each in a logarithmic bucket, become features, alone and in pairs
 * ("a chunk's work is queued" with "two chunks are fully free"), in
 * libFuzzer's extra counters; so does, after every op, where each stopped
 * task stands: alone, with the op that ran, with the number of tasks.  Edges alone do not tell such states apart:
 * the same kernel code reaches them.  Feedback only: verdicts are the same
 * with it or without it (MMDIFF_STATECOV=0 turns it off).  Observables
 * named *_digest are hashes, not quantities, and are left out.
 */
#ifndef MM_STATECOV_H
#define MM_STATECOV_H

#include "driver.h"

/* set mm_state_feedback to the state-coverage hook (libFuzzer targets); @tasks: the sites too */
void mm_statecov_enable(bool tasks);
/* tests: clear the counters (libFuzzer does before each input); count the set ones */
void mm_statecov_reset(void);
unsigned int mm_statecov_hits(void);

#endif
