/* SPDX-License-Identifier: GPL-2.0-only */
/* Non-atomic bit operations on unsigned long arrays (kernel semantics). */
#ifndef MM_SHIM_LINUX_BITOPS_H
#define MM_SHIM_LINUX_BITOPS_H
#include <linux/kernel.h>

#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BITS_TO_LONGS(nr)	DIV_ROUND_UP(nr, BITS_PER_LONG)

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

#define set_bit __set_bit
#define clear_bit __clear_bit

static inline int test_bit(unsigned long nr, const unsigned long *addr)
{
	return (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1;
}

static inline int hweight_long(unsigned long w)
{
	return __builtin_popcountl(w);
}
#endif
