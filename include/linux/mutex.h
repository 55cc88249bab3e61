/* SPDX-License-Identifier: GPL-2.0-only */
/* struct mutex on the lock checker: taking one may sleep. */
#ifndef MM_SHIM_LINUX_MUTEX_H
#define MM_SHIM_LINUX_MUTEX_H
#include <linux/spinlock.h>

struct mutex {
	struct mm_lock dep;
};

#define mutex_init(m)		mm_lock_init(&(m)->dep, #m, MM_MUTEX)
#define mutex_lock(m)		mm_lock_acquire(&(m)->dep, __func__)
#define mutex_trylock(m)	mm_lock_tryacquire(&(m)->dep, __func__)
#define mutex_unlock(m)		mm_lock_release(&(m)->dep, __func__)
#define mutex_is_locked(m)	((m)->dep.owner != 0)
#define lockdep_assert_held_mutex(m) lockdep_assert_held(m)
#endif
