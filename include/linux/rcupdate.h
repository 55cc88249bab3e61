/* SPDX-License-Identifier: GPL-2.0-only */
/* call_rcu() on an explicit callback queue, ended by a grace-period op. */
#ifndef MM_SHIM_LINUX_RCUPDATE_H
#define MM_SHIM_LINUX_RCUPDATE_H
#include <mm/machine.h>

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
	unsigned long gp_seq_queued;	/* grace periods completed at call time */
};

#define call_rcu(h, f)		mm_call_rcu(h, f)
#define rcu_read_lock()		do { } while (0)
#define rcu_read_unlock()	do { } while (0)
#define rcu_dereference(p)	(p)
/* waits for a full grace period: may sleep */
#define synchronize_rcu()	do { mm_might_sleep(__func__); mm_rcu_gp(); } while (0)
#endif
