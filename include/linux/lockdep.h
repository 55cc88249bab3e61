/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockdep's interrupt and preemption assertions (include/linux/lockdep.h,
 * Linux 6.1; lockdep_assert_preemption_*() since v5.11), read from the
 * simulated CPU's state.  The kernel WARNs once when one fails
 * (WARN_ON_ONCE under lockdep): here a KERNEL_WARN of the function that
 * asserted.  Preemption is disabled when preempt_count is raised (a
 * spinlock_t outside PREEMPT_RT, a raw_spinlock_t, preempt_disable()) or
 * interrupts are off, as the kernel's test `preempt_count() == 0 &&
 * hardirqs_enabled` says.
 */
#ifndef MM_SHIM_LINUX_LOCKDEP_H
#define MM_SHIM_LINUX_LOCKDEP_H
#include <mm/machine.h>

static inline bool mm_lockdep_preemptible(void)
{
	const struct mm_cpu *c = mm_this_cpu();

	return c->preempt_count == 0 && !c->irqs_disabled;
}

#define lockdep_assert_irqs_enabled() \
	do { if (mm_this_cpu()->irqs_disabled) \
		mm_violation("KERNEL_WARN", __func__, "lockdep_assert_irqs_enabled(): interrupts disabled"); } while (0)
#define lockdep_assert_irqs_disabled() \
	do { if (!mm_this_cpu()->irqs_disabled) \
		mm_violation("KERNEL_WARN", __func__, "lockdep_assert_irqs_disabled(): interrupts enabled"); } while (0)
#define lockdep_assert_preemption_enabled() \
	do { if (!mm_lockdep_preemptible()) \
		mm_violation("KERNEL_WARN", __func__, "lockdep_assert_preemption_enabled(): preemption disabled"); } while (0)
#define lockdep_assert_preemption_disabled() \
	do { if (mm_lockdep_preemptible()) \
		mm_violation("KERNEL_WARN", __func__, "lockdep_assert_preemption_disabled(): preemptible"); } while (0)
#endif
