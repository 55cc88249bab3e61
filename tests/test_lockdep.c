// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's lockdep interrupt and preemption assertions
 * (include/linux/lockdep.h): each WARNs (KERNEL_WARN) in the state it
 * rules out and is silent in the one it asserts, read from the simulated
 * CPU -- interrupt flag, preempt_count raised by preempt_disable(), a
 * raw_spinlock_t, or a spinlock_t outside PREEMPT_RT.
 */
#include <string.h>

#include <linux/lockdep.h>
#include <linux/spinlock.h>
#include "machine_run.h"
#include "test.h"

static struct mm_machine m;

static const char *run(void (*fn)(void), bool rt)
{
	return machine_run(&m, fn, rt, false);
}

static spinlock_t lock;

static void irqs_on_assert_off(void) { lockdep_assert_irqs_disabled(); }
static void irqs_on_assert_on(void) { lockdep_assert_irqs_enabled(); }
static void irqs_off_assert_off(void)
{
	unsigned long flags;

	local_irq_save(flags);
	lockdep_assert_irqs_disabled();
	local_irq_restore(flags);
}
static void irqs_off_assert_on(void)
{
	local_irq_disable();
	lockdep_assert_irqs_enabled();
}
static void preemptible_assert_off(void) { lockdep_assert_preemption_disabled(); }
static void preemptible_assert_on(void) { lockdep_assert_preemption_enabled(); }
static void preempt_off_assert_off(void)
{
	preempt_disable();
	lockdep_assert_preemption_disabled();
	preempt_enable();
}
static void preempt_off_assert_on(void)
{
	preempt_disable();
	lockdep_assert_preemption_enabled();
}
static void irqs_off_is_preempt_off(void)
{
	local_irq_disable();
	lockdep_assert_preemption_disabled();
	local_irq_enable();
}
static void spinlock_assert_preempt_off(void)
{
	spin_lock_init(&lock);
	spin_lock(&lock);
	lockdep_assert_preemption_disabled();
	spin_unlock(&lock);
}

int main(void)
{
	CHECK(!strcmp(run(irqs_on_assert_off, false), "KERNEL_WARN"));
	CHECK(strstr(m.detail, "lockdep_assert_irqs_disabled") != NULL);
	CHECK(!strcmp(run(irqs_on_assert_on, false), ""));
	CHECK(!strcmp(run(irqs_off_assert_off, false), ""));
	CHECK(!strcmp(run(irqs_off_assert_on, false), "KERNEL_WARN"));
	CHECK(!strcmp(run(preemptible_assert_off, false), "KERNEL_WARN"));
	CHECK(!strcmp(run(preemptible_assert_on, false), ""));
	CHECK(!strcmp(run(preempt_off_assert_off, false), ""));
	CHECK(!strcmp(run(preempt_off_assert_on, false), "KERNEL_WARN"));
	CHECK(!strcmp(run(irqs_off_is_preempt_off, false), ""));
	/* a spinlock_t disables preemption, except on PREEMPT_RT */
	CHECK(!strcmp(run(spinlock_assert_preempt_off, false), ""));
	CHECK(!strcmp(run(spinlock_assert_preempt_off, true), "KERNEL_WARN"));
	return test_done("test_lockdep");
}
