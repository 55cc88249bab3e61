/* SPDX-License-Identifier: GPL-2.0-only */
/* cond_resched(), might_sleep(): scheduling points of the machine. */
#ifndef MM_SHIM_LINUX_SCHED_H
#define MM_SHIM_LINUX_SCHED_H
#include <mm/machine.h>

#define might_sleep()	mm_might_sleep(__func__)
#define cond_resched()	do { mm_might_sleep(__func__); mm_sched_point(__func__); } while (0)
#endif
