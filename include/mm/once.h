/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * READ_ONCE(), WRITE_ONCE() and data_race() for the shims.  The kernel
 * marks the races it tolerates on purpose with them (KCSAN leaves marked
 * accesses alone); in the threaded mode (MM_THREADS, include/mm/threads.h)
 * they are accesses ThreadSanitizer ignores, so only unmarked races are
 * reported.  Elsewhere they are the plain accesses they always were.  No
 * libc header: the real-source kernel files include this too (-nostdinc).
 */
#ifndef MM_ONCE_H
#define MM_ONCE_H

#ifdef MM_THREADS
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);

#define MM_READ_ONCE(x) ({						\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	__typeof__(x) __mm_ro = *(const volatile __typeof__(x) *)&(x);	\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
	__mm_ro; })
#define MM_WRITE_ONCE(x, v) ({						\
	__typeof__(x) __mm_wo = (v);					\
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);			\
	*(volatile __typeof__(x) *)&(x) = __mm_wo;			\
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);			\
	__mm_wo; })
#define MM_DATA_RACE(expr) ({						\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);			\
	__typeof__(expr) __mm_dr = (expr);				\
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);			\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
	__mm_dr; })
/* the harness's own bookkeeping inside a port (ids, counts for loop bounds) */
#define MM_HARNESS_ACCESS(stmt) do {					\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);			\
	stmt;								\
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);			\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
} while (0)
/*
 * A counter the kernel updates atomically (atomic_long_add() of vmstat,
 * set_bit()/clear_bit() of zone->flags) that a port keeps plain: an atomic
 * read-modify-write in the threaded mode, the plain one elsewhere.
 */
#define MM_ATOMIC_ADD(x, v)	((void)__atomic_fetch_add(&(x), (v), __ATOMIC_RELAXED))
#define MM_ATOMIC_OR(x, v)	((void)__atomic_fetch_or(&(x), (v), __ATOMIC_RELAXED))
#define MM_ATOMIC_AND(x, v)	((void)__atomic_fetch_and(&(x), (v), __ATOMIC_RELAXED))
#define MM_ATOMIC_ADD_RETURN(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_SEQ_CST)
/*
 * A pointer published for lockless readers: the kernel's smp_wmb() before
 * the store, and READ_ONCE() with the address dependency at the reader
 * (v5.1's memcg_create_kmem_cache() and cache_from_memcg_idx()).
 */
#define MM_PUBLISH(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define MM_SUBSCRIBE(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#else
#define MM_HARNESS_ACCESS(stmt) do { stmt; } while (0)
#define MM_ATOMIC_ADD(x, v)	((void)((x) += (v)))
#define MM_ATOMIC_OR(x, v)	((void)((x) |= (v)))
#define MM_ATOMIC_AND(x, v)	((void)((x) &= (v)))
#define MM_ATOMIC_ADD_RETURN(x, v) ((x) += (v))
#define MM_PUBLISH(x, v)	((void)((x) = (v)))
#define MM_SUBSCRIBE(x)		(x)
#endif
#endif /* MM_ONCE_H */
