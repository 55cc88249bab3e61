/* SPDX-License-Identifier: GPL-2.0-only */
/* Bitmap search and range operations (lib/bitmap.c, lib/find_bit.c). */
#ifndef MM_SHIM_LINUX_BITMAP_H
#define MM_SHIM_LINUX_BITMAP_H
#include <linux/bitops.h>

unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
			    unsigned long offset);
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
/* next zero area of @nr bits at or after @start aligned by @align_mask */
unsigned long bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
					 unsigned long start, unsigned int nr,
					 unsigned long align_mask);

static inline void bitmap_next_clear_region(const unsigned long *bitmap,
					    unsigned int *rs, unsigned int *re,
					    unsigned int end)
{
	*rs = find_next_zero_bit(bitmap, end, *rs);
	*re = find_next_bit(bitmap, end, *rs + 1);
}

static inline void bitmap_next_set_region(const unsigned long *bitmap,
					  unsigned int *rs, unsigned int *re,
					  unsigned int end)
{
	*rs = find_next_bit(bitmap, end, *rs);
	*re = find_next_zero_bit(bitmap, end, *rs + 1);
}

#define bitmap_for_each_clear_region(bitmap, rs, re, start, end)	\
	for ((rs) = (start),						\
	     bitmap_next_clear_region((bitmap), &(rs), &(re), (end));	\
	     (rs) < (re);						\
	     (rs) = (re) + 1,						\
	     bitmap_next_clear_region((bitmap), &(rs), &(re), (end)))

#define bitmap_for_each_set_region(bitmap, rs, re, start, end)		\
	for ((rs) = (start),						\
	     bitmap_next_set_region((bitmap), &(rs), &(re), (end));	\
	     (rs) < (re);						\
	     (rs) = (re) + 1,						\
	     bitmap_next_set_region((bitmap), &(rs), &(re), (end)))
#endif
