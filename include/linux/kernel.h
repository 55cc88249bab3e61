/* SPDX-License-Identifier: GPL-2.0-only */
/* min/max/clamp, alignment, fls and friends, with kernel semantics. */
#ifndef MM_SHIM_LINUX_KERNEL_H
#define MM_SHIM_LINUX_KERNEL_H
#include <linux/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define BITS_PER_LONG	64
#define BITS_PER_BYTE	8

/* each argument evaluated once, as the kernel's */
#define min(a, b)	({ __auto_type __a = (a); __auto_type __b = (b); __a < __b ? __a : __b; })
#define max(a, b)	({ __auto_type __a = (a); __auto_type __b = (b); __a > __b ? __a : __b; })
#define min_t(t, a, b)	({ t __a = (a); t __b = (b); __a < __b ? __a : __b; })
#define max_t(t, a, b)	({ t __a = (a); t __b = (b); __a > __b ? __a : __b; })
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ALIGN(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define PFN_UP(x)	(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)	((x) >> PAGE_SHIFT)
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define swap(a, b) do { __typeof__(a) __t = (a); (a) = (b); (b) = __t; } while (0)

/* fls(0) = 0, fls(1) = 1, fls(0x80000000) = 32 */
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int __ffs(unsigned long x)
{
	return __builtin_ctzl(x);
}

/* order_base_2(n): ceil(log2(n)), order_base_2(1) = 0 */
static inline int order_base_2(unsigned long n)
{
	return n > 1 ? 64 - __builtin_clzl(n - 1) : 0;
}
#endif
