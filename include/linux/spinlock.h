/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spinlock_t and raw_spinlock_t on the simulated machine's lock checker.
 * Taking or dropping a lock is a scheduling point, as in the kernel where
 * another CPU may run in between.
 */
#ifndef MM_SHIM_LINUX_SPINLOCK_H
#define MM_SHIM_LINUX_SPINLOCK_H
#include <mm/machine.h>

/* distinct types, so a lock initialised or taken as the wrong class fails to build */
typedef struct { struct mm_lock dep; } spinlock_t;
typedef struct { struct mm_lock dep; } raw_spinlock_t;

#define __MM_STR2(x) #x
#define __MM_STR(x) __MM_STR2(x)
#define __MM_SITE __FILE__ ":" __MM_STR(__LINE__)

#define spin_lock_init(l)	mm_lock_init(&((spinlock_t *)(l))->dep, #l, MM_SPINLOCK)
#define raw_spin_lock_init(l)	mm_lock_init(&((raw_spinlock_t *)(l))->dep, #l, MM_RAW_SPINLOCK)

#define spin_lock(l)		mm_lock_acquire(&(l)->dep, __func__)
#define spin_unlock(l)		mm_lock_release(&(l)->dep, __func__)
#define spin_trylock(l)		mm_lock_tryacquire(&(l)->dep, __func__)
/*
 * Interrupt state is a flag, as on the CPU: _irq variants and
 * local_irq_enable() switch it unconditionally, _irqsave/_irqrestore save
 * and restore it.  On PREEMPT_RT the _irq variants of spinlock_t leave
 * interrupts alone.
 */
#define spin_lock_irq(l)	mm_lock_acquire_irq(&(l)->dep, __func__, NULL)
#define spin_unlock_irq(l)	mm_lock_release_irq(&(l)->dep, __func__, -1)
#define spin_lock_irqsave(l, flags) \
	do { int __f; mm_lock_acquire_irq(&(l)->dep, __func__, &__f); (flags) = __f; } while (0)
#define spin_unlock_irqrestore(l, flags) \
	mm_lock_release_irq(&(l)->dep, __func__, (int)(flags))

#define raw_spin_lock(l)		spin_lock(l)
#define raw_spin_unlock(l)		spin_unlock(l)
#define raw_spin_lock_irqsave(l, f)	spin_lock_irqsave(l, f)
#define raw_spin_unlock_irqrestore(l, f) spin_unlock_irqrestore(l, f)

/* any lock type: spinlock_t, raw_spinlock_t, struct mutex */
#define lockdep_assert_held(l) \
	do { if (!mm_lock_held(&(l)->dep)) \
		mm_lock_report(MM_LR_LOCK_MISUSE, __func__, &(l)->dep, "%s not held", (l)->dep.name); } while (0)

#define local_irq_save(flags)	do { (flags) = mm_irq_save(); } while (0)
#define local_irq_restore(flags) mm_irq_restore((int)(flags))
#define local_irq_disable()	mm_irq_disable()
#define local_irq_enable()	mm_irq_enable()
#define preempt_disable()	mm_preempt_disable()
#define preempt_enable()	mm_preempt_enable()
#define smp_processor_id()	mm_cpu_id()
#endif
