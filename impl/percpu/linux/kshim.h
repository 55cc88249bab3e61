/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The header tree standing in for the kernel's when mm/percpu.c (with
 * mm/percpu-internal.h and mm/percpu-vm.c or mm/percpu-km.c) is compiled
 * unchanged, in the spirit of the kernel's tools/testing/vma: every
 * <linux/...>, <asm/...> and <trace/...> header the file includes is a stub
 * including this one.  Compiled with -nostdinc: nothing here comes from the
 * C library.  What needs the machine (pages, locks, work, memcg charges,
 * the vmalloc area) is an extern mmk_* function of glue.c, which forwards
 * to the simulated machine exactly as the hand ports' shim does.
 *
 * Configuration: CONFIG_SMP, CONFIG_MEMCG_KMEM and
 * CONFIG_HAVE_SETUP_PER_CPU_AREA (the caller builds a pcpu_alloc_info and
 * calls pcpu_setup_first_chunk()); CONFIG_NEED_PER_CPU_KM selects
 * mm/percpu-km.c.
 */
#ifndef MMK_SHIM_H
#define MMK_SHIM_H

/* -- types ----------------------------------------------------------------- */
typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ssize_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef unsigned long phys_addr_t;
typedef unsigned int gfp_t;
#define offsetof(t, m) __builtin_offsetof(t, m)
#define ULONG_MAX (~0UL)
#define INT_MAX ((int)(~0U >> 1))
#define UINT_MAX (~0U)
#define BITS_PER_LONG 64
#define BITS_PER_BYTE 8

#include <mmk_kernel.h>	/* struct page, the locks' and work items' storage */

/* -- compiler -------------------------------------------------------------- */
#define __init
#define __initdata
#define __ro_after_init
#define __read_mostly
#define __percpu
#define __user
#define __rcu
#define __force
#define __initconst
#define __refdata
#define __ref
#define __must_check
#define __always_inline inline __attribute__((always_inline))
#define noinline __attribute__((noinline))
#define __maybe_unused __attribute__((unused))
#define __weak __attribute__((weak))
#define __aligned(x) __attribute__((aligned(x)))
#define ____cacheline_aligned_in_smp __attribute__((aligned(64)))
#define ____cacheline_aligned ____cacheline_aligned_in_smp
#define __counted_by(m)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __asm__ __volatile__("" ::: "memory")
#ifdef MM_THREADS
#include <mm/once.h>
#define READ_ONCE(x) MM_READ_ONCE(x)
#define WRITE_ONCE(x, v) MM_WRITE_ONCE(x, v)
#define data_race(x) MM_DATA_RACE(x)
#else
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define data_race(x) (x)
#endif
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define IS_ENABLED(c) 0
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(p, t, m) ((t *)((char *)(p) - offsetof(t, m)))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define memset __builtin_memset
#define memcpy __builtin_memcpy
#define memmove __builtin_memmove

/* errno */
#define ENOMEM 12
#define EINVAL 22
#define ENOSPC 28
#define EBUSY 16

/* initcalls: percpu_enable_async() is the one the harness calls */
#define early_param(str, fn)
#define __setup(str, fn)
#define early_initcall(fn)
#define subsys_initcall(fn) int (*const mmk_subsys_initcall)(void) = fn
#define late_initcall(fn)

/* -- arithmetic ------------------------------------------------------------ */
#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) min((t)(a), (t)(b))
#define max_t(t, a, b) max((t)(a), (t)(b))
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define swap(a, b) do { __typeof__(a) _t = (a); (a) = (b); (b) = _t; } while (0)
#define __ALIGN_MASK(x, mask) (((x) + (mask)) & ~(mask))
#define ALIGN(x, a) __ALIGN_MASK(x, (__typeof__(x))(a) - 1)
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y) ((x) - ((x) % (y)))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define BIT(n) (1UL << (n))
#define BITS_TO_LONGS(n) DIV_ROUND_UP(n, BITS_PER_LONG)
#define BITMAP_FIRST_WORD_MASK(start) (~0UL << ((start) & (BITS_PER_LONG - 1)))
#define SZ_1K 0x400
#define SZ_4K 0x1000
#define SZ_1M 0x100000
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline unsigned long __ffs(unsigned long x) { return __builtin_ctzl(x); }
static inline unsigned long __fls(unsigned long x) { return 63 - __builtin_clzl(x); }
static inline bool is_power_of_2(unsigned long n) { return n && !(n & (n - 1)); }
static inline unsigned long rounddown_pow_of_two(unsigned long n) { return 1UL << __fls(n); }
static inline unsigned long roundup_pow_of_two(unsigned long n) { return n > 1 ? 1UL << (__fls(n - 1) + 1) : 1; }
#define ilog2(n) ((int)__fls((unsigned long)(n)))
#define order_base_2(n) ((n) > 1 ? ilog2((n) - 1) + 1 : 0)
static inline unsigned long gcd(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long t = a % b;

		a = b;
		b = t;
	}
	return a;
}
static inline unsigned long lcm(unsigned long a, unsigned long b)
{
	return a && b ? a / gcd(a, b) * b : 0;
}
static inline unsigned long lcm_not_zero(unsigned long a, unsigned long b)
{
	unsigned long l = lcm(a, b);

	return l ? l : (b ? b : a);
}

/* -- pages ----------------------------------------------------------------- */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PFN_ALIGN(x) (((unsigned long)(x) + (PAGE_SIZE - 1)) & PAGE_MASK)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PAGE_KERNEL ((pgprot_t){ 0 })


/* -- gfp ------------------------------------------------------------------- */
#define __GFP_HIGHMEM		0x02u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_ZERO		0x100u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_NOWARN		0x2000u
#define __GFP_NOFAIL		0x8000u
#define __GFP_NORETRY		0x10000u
#define __GFP_ACCOUNT		0x400000u
#define __GFP_HIGH		0x20u
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define gfpflags_allow_blocking(g) (!!((g) & __GFP_DIRECT_RECLAIM))

/* -- messages and assertions ----------------------------------------------- */
void mmk_bug(const char *func, const char *what) __attribute__((noreturn));
void mmk_warn(const char *func, const char *what);
#define KERN_EMERG ""
#define KERN_ERR ""
#define KERN_WARNING ""
#define KERN_INFO ""
#define KERN_DEBUG ""
#define KERN_CONT ""
#define printk(...) ((void)0)
#define pr_info(...) ((void)0)
#define pr_cont(...) ((void)0)
#define pr_warn(...) ((void)0)
#define pr_err(...) ((void)0)
#define pr_crit(...) ((void)0)
#define pr_emerg(...) ((void)0)
#define pr_warn_once(...) ((void)0)
#define dump_stack() ((void)0)
#define panic(...) mmk_bug(__func__, "panic")
#define BUG() mmk_bug(__func__, "BUG()")
#define BUG_ON(c) do { if (unlikely(c)) mmk_bug(__func__, "BUG_ON(" #c ")"); } while (0)
#define WARN_ON(c) ({ int __c = !!(c); if (unlikely(__c)) mmk_warn(__func__, "WARN_ON(" #c ")"); unlikely(__c); })
#define WARN_ON_ONCE(c) WARN_ON(c)
#define WARN(c, ...) ({ int __c = !!(c); if (unlikely(__c)) mmk_warn(__func__, "WARN(" #c ")"); unlikely(__c); })
#define WARN_ONCE(c, ...) WARN(c, __VA_ARGS__)

/* -- lists ------------------------------------------------------------------ */
struct list_head {
	struct list_head *next, *prev;
};
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l; l->prev = l; }
static inline void __list_add(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *h) { __list_add(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h) { __list_add(n, h->prev, h); }
static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	prev->next = next;
}
static inline void list_del(struct list_head *e)
{
	__list_del(e->prev, e->next);
	e->next = (struct list_head *)0x100;
	e->prev = (struct list_head *)0x122;
}
static inline void list_del_init(struct list_head *e) { __list_del(e->prev, e->next); INIT_LIST_HEAD(e); }
static inline void list_move(struct list_head *e, struct list_head *h) { __list_del(e->prev, e->next); list_add(e, h); }
static inline void list_move_tail(struct list_head *e, struct list_head *h) { __list_del(e->prev, e->next); list_add_tail(e, h); }
#ifdef MM_THREADS	/* the kernel's list_empty() reads with READ_ONCE() */
static inline int list_empty(const struct list_head *h) { return READ_ONCE(h->next) == h; }
#else
static inline int list_empty(const struct list_head *h) { return h->next == h; }
#endif
#define list_entry(p, t, m) container_of(p, t, m)
#define list_first_entry(h, t, m) list_entry((h)->next, t, m)
#define list_last_entry(h, t, m) list_entry((h)->prev, t, m)
#define list_first_entry_or_null(h, t, m) (list_empty(h) ? NULL : list_first_entry(h, t, m))
#define list_next_entry(p, m) list_entry((p)->m.next, __typeof__(*(p)), m)
#define list_for_each_entry(p, h, m) \
	for (p = list_first_entry(h, __typeof__(*p), m); &p->m != (h); p = list_next_entry(p, m))
#define list_for_each_entry_safe(p, n, h, m) \
	for (p = list_first_entry(h, __typeof__(*p), m), n = list_next_entry(p, m); \
	     &p->m != (h); p = n, n = list_next_entry(n, m))

/* -- bitmaps (fuzz/core/bitmap.c) ------------------------------------------ */
unsigned long find_next_bit(const unsigned long *addr, unsigned long size, unsigned long offset);
unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
				 unsigned long offset);
unsigned long find_last_bit(const unsigned long *addr, unsigned long size);
#define find_first_bit(addr, size) find_next_bit(addr, size, 0)
#define find_first_zero_bit(addr, size) find_next_zero_bit(addr, size, 0)
void bitmap_set(unsigned long *map, unsigned int start, unsigned int nr);
void bitmap_clear(unsigned long *map, unsigned int start, unsigned int nr);
int bitmap_weight(const unsigned long *map, unsigned int nbits);
void bitmap_zero(unsigned long *map, unsigned int nbits);
void bitmap_fill(unsigned long *map, unsigned int nbits);
static inline int test_bit(long nr, const volatile unsigned long *addr)
{
	return 1UL & (addr[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG));
}
static inline void __set_bit(long nr, volatile unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}
static inline void __clear_bit(long nr, volatile unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}
#define set_bit __set_bit
#define clear_bit __clear_bit
/* include/linux/find.h 6.1: the regions of set / clear bits */
#define for_each_set_bitrange(b, e, addr, size)					\
	for ((b) = 0;								\
	     (b) = find_next_bit((addr), (size), b), (e) = find_next_zero_bit((addr), (size), (b) + 1), (b) < (size); \
	     (b) = (e) + 1)
#define for_each_set_bitrange_from(b, e, addr, size)				\
	for (;									\
	     (b) = find_next_bit((addr), (size), (b)), (e) = find_next_zero_bit((addr), (size), (b) + 1), (b) < (size); \
	     (b) = (e) + 1)
#define for_each_clear_bitrange(b, e, addr, size)				\
	for ((b) = 0;								\
	     (b) = find_next_zero_bit((addr), (size), (b)), (e) = find_next_bit((addr), (size), (b) + 1), (b) < (size); \
	     (b) = (e) + 1)
#define for_each_clear_bitrange_from(b, e, addr, size)				\
	for (;									\
	     (b) = find_next_zero_bit((addr), (size), (b)), (e) = find_next_bit((addr), (size), (b) + 1), (b) < (size); \
	     (b) = (e) + 1)
/* older names of the same loops (5.x) */
#define bitmap_for_each_set_region(addr, rs, re, start, end) \
	for ((rs) = (start); (rs) = find_next_bit((addr), (end), (rs)), (re) = find_next_zero_bit((addr), (end), (rs) + 1), (rs) < (end); (rs) = (re) + 1)
#define bitmap_for_each_clear_region(addr, rs, re, start, end) \
	for ((rs) = (start); (rs) = find_next_zero_bit((addr), (end), (rs)), (re) = find_next_bit((addr), (end), (rs) + 1), (rs) < (end); (rs) = (re) + 1)

/* -- CPUs -------------------------------------------------------------------- */
#define NR_CPUS 8
extern unsigned int nr_cpu_ids;
unsigned int mmk_nr_cpus(void);
#define num_possible_cpus() mmk_nr_cpus()
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < (int)mmk_nr_cpus(); (cpu)++)
#define for_each_online_cpu(cpu) for_each_possible_cpu(cpu)
#define cpu_to_node(cpu) 0
#define NUMA_NO_NODE (-1)
int mmk_cpu(void);
#define smp_processor_id() mmk_cpu()
#define raw_smp_processor_id() mmk_cpu()
#define get_boot_cpu_id() 0
#define cpu_possible(cpu) ((unsigned int)(cpu) < mmk_nr_cpus())
struct cpumask { unsigned long bits[1]; };
typedef struct cpumask cpumask_var_t[1];
extern unsigned long __per_cpu_offset[NR_CPUS];
#define per_cpu_offset(cpu) (__per_cpu_offset[cpu])

/* the static percpu section of the kernel image: a fixed fake address */
#define __per_cpu_start ((char *)0x100000UL)
#define __per_cpu_end ((char *)0x100000UL)
#define __per_cpu_load __per_cpu_start

/* -- locks, scheduling ------------------------------------------------------- */
typedef struct { struct mmk_lock l; } spinlock_t;
struct mutex { struct mmk_lock l; };
#define __SPIN_LOCK_UNLOCKED(n) { { { 0 }, #n, 1 } }
#define DEFINE_SPINLOCK(n) spinlock_t n = __SPIN_LOCK_UNLOCKED(n)
#define DEFINE_MUTEX(n) struct mutex n = { { { 0 }, #n, 0 } }
#define spin_lock_init(l) (*(l) = (spinlock_t)__SPIN_LOCK_UNLOCKED(l))
void mmk_lock(struct mmk_lock *l, const char *site);
void mmk_unlock(struct mmk_lock *l, const char *site);
void mmk_lock_irq(struct mmk_lock *l, const char *site, unsigned long *flags);
void mmk_unlock_irq(struct mmk_lock *l, const char *site, long flags);
void mmk_assert_held(struct mmk_lock *l, const char *site);
#define spin_lock(s) mmk_lock(&(s)->l, __func__)
#define spin_unlock(s) mmk_unlock(&(s)->l, __func__)
#define spin_lock_irq(s) mmk_lock_irq(&(s)->l, __func__, NULL)
#define spin_unlock_irq(s) mmk_unlock_irq(&(s)->l, __func__, -1)
#define spin_lock_irqsave(s, f) mmk_lock_irq(&(s)->l, __func__, &(f))
#define spin_unlock_irqrestore(s, f) mmk_unlock_irq(&(s)->l, __func__, (long)(f))
#define mutex_lock(m) mmk_lock(&(m)->l, __func__)
#define mutex_lock_killable(m) (mmk_lock(&(m)->l, __func__), 0)
#define mutex_unlock(m) mmk_unlock(&(m)->l, __func__)
#define lockdep_assert_held(lk) mmk_assert_held(&(lk)->l, __func__)
void mmk_cond_resched(const char *site);
void mmk_might_sleep(const char *site);
#define cond_resched() mmk_cond_resched(__func__)
#define might_sleep() mmk_might_sleep(__func__)
#define might_sleep_if(c) do { if (c) might_sleep(); } while (0)
#define current_gfp_context(gfp) (gfp)
unsigned int memalloc_noio_save(void);
void memalloc_noio_restore(unsigned int flags);
unsigned int memalloc_nofs_save(void);
void memalloc_nofs_restore(unsigned int flags);
#define rcu_read_lock() ((void)0)
#define rcu_read_unlock() ((void)0)

/* -- work ---------------------------------------------------------------------- */
#define work_struct mmk_kwork
typedef void (*work_func_t)(struct work_struct *);
#define DECLARE_WORK(n, f) struct work_struct n = { NULL, f }
bool mmk_schedule_work(struct work_struct *w);
bool mmk_work_pending(struct work_struct *w);
#define schedule_work(w) mmk_schedule_work(w)
#define work_pending(w) mmk_work_pending(w)

/* -- memory ------------------------------------------------------------------------ */
void *mmk_kzalloc(size_t size, gfp_t gfp, const char *site);
void mmk_kfree(const void *p);
void *mmk_memblock_alloc(size_t size, size_t align);
#define kzalloc(size, gfp) mmk_kzalloc(size, gfp, __func__)
#define kmalloc(size, gfp) mmk_kzalloc(size, gfp, __func__)
#define kcalloc(n, size, gfp) mmk_kzalloc((n) * (size), gfp, __func__)
#define kmalloc_array(n, size, gfp) mmk_kzalloc((n) * (size), gfp, __func__)
#define kfree(p) mmk_kfree(p)
#define vzalloc(size) mmk_kzalloc(size, GFP_KERNEL, __func__)
#define __vmalloc(size, gfp) mmk_kzalloc(size, gfp, __func__)
#define vfree(p) mmk_kfree(p)
#define kvfree(p) mmk_kfree(p)
#define memblock_alloc(size, align) mmk_memblock_alloc(size, align)
#define memblock_alloc_from(size, align, from) mmk_memblock_alloc(size, align)
#define memblock_free(p, size) ((void)(p))
#define memblock_free_late(p, size) ((void)(p))
#define SMP_CACHE_BYTES 64
#define struct_size(p, m, n) (sizeof(*(p)) + sizeof((p)->m[0]) * (n))
#define kmemleak_alloc(...) ((void)0)
#define kmemleak_free(...) ((void)0)
#define kmemleak_alloc_percpu(...) ((void)0)
#define kmemleak_free_percpu(...) ((void)0)
#define kmemleak_ignore_phys(...) ((void)0)

struct page *mmk_alloc_pages(gfp_t gfp, unsigned int order, const char *site);
void mmk_free_pages(struct page *page, unsigned int order);
void *mmk_page_address(const struct page *page);
struct page *mmk_virt_to_page(const void *addr);
#define alloc_pages_node(nid, gfp, order) mmk_alloc_pages(gfp, order, __func__)
#define alloc_pages(gfp, order) mmk_alloc_pages(gfp, order, __func__)
#define __free_page(p) mmk_free_pages(p, 0)
#define __free_pages(p, order) mmk_free_pages(p, order)
#define page_address(p) mmk_page_address(p)
#define nth_page(p, n) ((p) + (n))	/* the machine's struct pages are one array */
#define slab_is_available() true
#define virt_to_page(a) mmk_virt_to_page(a)
#define __pa(a) ((unsigned long)(a))
#define page_to_phys(p) ((phys_addr_t)mmk_page_address(p))
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)

/* vmalloc area (mm/percpu-vm.c) */
struct vm_struct **pcpu_get_vm_areas(const unsigned long *offsets, const size_t *sizes,
				     int nr_vms, size_t align);
void pcpu_free_vm_areas(struct vm_struct **vms, int nr_vms);
int vmap_pages_range_noflush(unsigned long addr, unsigned long end, pgprot_t prot,
			     struct page **pages, unsigned int page_shift);
void vunmap_range_noflush(unsigned long start, unsigned long end);
struct page *vmalloc_to_page(const void *addr);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
#define flush_cache_vmap(s, e) ((void)0)
#define flush_cache_vunmap(s, e) ((void)0)
#define is_vmalloc_addr(a) 0

/* -- memcg (CONFIG_MEMCG_KMEM) --------------------------------------------------- */
struct obj_cgroup;
struct mem_cgroup;
enum memcg_stat_item { MEMCG_PERCPU_B };
bool mmk_memcg_kmem_enabled(void);
struct obj_cgroup *mmk_get_obj_cgroup_from_current(void);
int mmk_obj_cgroup_charge(struct obj_cgroup *objcg, gfp_t gfp, size_t size);
void mmk_obj_cgroup_uncharge(struct obj_cgroup *objcg, size_t size);
void mmk_obj_cgroup_put(struct obj_cgroup *objcg);
#define memcg_kmem_enabled() mmk_memcg_kmem_enabled()
#define mem_cgroup_kmem_disabled() (!mmk_memcg_kmem_enabled())
#define get_obj_cgroup_from_current() mmk_get_obj_cgroup_from_current()
#define obj_cgroup_charge(o, g, s) mmk_obj_cgroup_charge(o, g, s)
#define obj_cgroup_uncharge(o, s) mmk_obj_cgroup_uncharge(o, s)
#define obj_cgroup_put(o) mmk_obj_cgroup_put(o)
#define obj_cgroup_memcg(o) ((struct mem_cgroup *)(o))
#define mod_memcg_state(m, i, v) ((void)(m), (void)(v))

/* -- include/linux/percpu.h (values of 6.1 and 6.12 alike) ---------------------- */
#define PERCPU_MODULE_RESERVE		(8 << 10)
#define PCPU_MIN_UNIT_SIZE		PFN_ALIGN(32 << 10)
#define PCPU_MIN_ALLOC_SHIFT		2
#define PCPU_MIN_ALLOC_SIZE		(1 << PCPU_MIN_ALLOC_SHIFT)
#define PCPU_BITMAP_BLOCK_SIZE		PAGE_SIZE
#define PCPU_BITMAP_BLOCK_BITS		(PCPU_BITMAP_BLOCK_SIZE >> PCPU_MIN_ALLOC_SHIFT)
#define PERCPU_DYNAMIC_EARLY_SLOTS	128
#define PERCPU_DYNAMIC_EARLY_SIZE	(12 << 10)
#define PERCPU_DYNAMIC_RESERVE		(28 << 10)
#define __alloc_size(...)
extern void *pcpu_base_addr;
extern const unsigned long *pcpu_unit_offsets;
struct pcpu_group_info {
	int nr_units;
	unsigned long base_offset;
	unsigned int *cpu_map;
};
struct pcpu_alloc_info {
	size_t static_size;
	size_t reserved_size;
	size_t dyn_size;
	size_t unit_size;
	size_t atom_size;
	size_t alloc_size;
	size_t __ai_size;
	int nr_groups;
	struct pcpu_group_info groups[];
};
enum pcpu_fc { PCPU_FC_AUTO, PCPU_FC_EMBED, PCPU_FC_PAGE, PCPU_FC_NR };
extern const char * const pcpu_fc_names[PCPU_FC_NR];
extern enum pcpu_fc pcpu_chosen_fc;
typedef int (pcpu_fc_cpu_to_node_fn_t)(int cpu);
typedef int (pcpu_fc_cpu_distance_fn_t)(unsigned int from, unsigned int to);
struct pcpu_alloc_info *pcpu_alloc_alloc_info(int nr_groups, int nr_units);
void pcpu_free_alloc_info(struct pcpu_alloc_info *ai);
void pcpu_setup_first_chunk(const struct pcpu_alloc_info *ai, void *base_addr);
/*
 * The allocation entry points: functions up to 6.9, macros over
 * pcpu_alloc_noprof() since the memory allocation profiling hooks (6.10).
 * Weak, so that kernel.c calls whichever the file defines.
 */
void __percpu *__alloc_reserved_percpu(size_t size, size_t align) __attribute__((weak));
void __percpu *pcpu_alloc_noprof(size_t size, size_t align, bool reserved, gfp_t gfp)
	__attribute__((weak));
bool __is_kernel_percpu_address(unsigned long addr, unsigned long *can_addr);
bool is_kernel_percpu_address(unsigned long addr);
void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp) __attribute__((weak));
void __percpu *__alloc_percpu(size_t size, size_t align) __attribute__((weak));
void free_percpu(void __percpu *__pdata);
phys_addr_t per_cpu_ptr_to_phys(void *addr);
unsigned long pcpu_nr_pages(void);
#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))((char *)(ptr) + per_cpu_offset(cpu)))
#define this_cpu_ptr(ptr) per_cpu_ptr(ptr, smp_processor_id())

/* -- tracepoints ---------------------------------------------------------------- */
#define trace_percpu_alloc_percpu(...) ((void)0)
#define trace_percpu_free_percpu(...) ((void)0)
#define trace_percpu_alloc_percpu_fail(...) ((void)0)
/* chunk identities for the harness: ids in creation order, like the ports' */
void mmk_trace_create_chunk(void *base_addr);
void mmk_trace_destroy_chunk(void *base_addr);
#define trace_percpu_create_chunk(base) mmk_trace_create_chunk(base)
#define trace_percpu_destroy_chunk(base) mmk_trace_destroy_chunk(base)
#endif /* MMK_SHIM_H */
