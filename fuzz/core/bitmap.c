// SPDX-License-Identifier: GPL-2.0-only
/* Bitmap helpers of the shim (lib/find_bit.c, lib/bitmap.c semantics). */
#include <linux/bitmap.h>

static unsigned long find_next(const unsigned long *addr, unsigned long size,
			       unsigned long start, unsigned long invert)
{
	unsigned long tmp;

	if (start >= size)
		return size;
	tmp = addr[start / BITS_PER_LONG] ^ invert;
	tmp &= ~0UL << (start % BITS_PER_LONG);
	start -= start % BITS_PER_LONG;
	while (!tmp) {
		start += BITS_PER_LONG;
		if (start >= size)
			return size;
		tmp = addr[start / BITS_PER_LONG] ^ invert;
	}
	start += __ffs(tmp);
	return start < size ? start : size;
}

unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
			    unsigned long offset)
{
	return find_next(addr, size, offset, 0UL);
}

unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
				 unsigned long offset)
{
	return find_next(addr, size, offset, ~0UL);
}

unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
	unsigned long i = size;

	while (i--)
		if (test_bit(i, addr))
			return i;
	return size;
}

/* bits [start, start + nr) of @map set (@set) or cleared, a word at a time (__bitmap_set) */
static void bitmap_fill_range(unsigned long *map, unsigned int start, unsigned int nr, bool set)
{
	unsigned long *p = map + start / BITS_PER_LONG;
	unsigned int end = start + nr;
	unsigned long mask = ~0UL << (start % BITS_PER_LONG);

	if (!nr)
		return;
	while (start / BITS_PER_LONG < (end - 1) / BITS_PER_LONG) {
		*p = set ? *p | mask : *p & ~mask;
		p++;
		start = (start / BITS_PER_LONG + 1) * BITS_PER_LONG;
		mask = ~0UL;
	}
	if (end % BITS_PER_LONG)
		mask &= ~0UL >> (BITS_PER_LONG - end % BITS_PER_LONG);
	*p = set ? *p | mask : *p & ~mask;
}

void bitmap_set(unsigned long *map, unsigned int start, unsigned int nr)
{
	bitmap_fill_range(map, start, nr, true);
}

void bitmap_clear(unsigned long *map, unsigned int start, unsigned int nr)
{
	bitmap_fill_range(map, start, nr, false);
}

int bitmap_weight(const unsigned long *map, unsigned int nbits)
{
	int w = 0;
	unsigned int i;

	for (i = 0; i + BITS_PER_LONG <= nbits; i += BITS_PER_LONG)
		w += hweight_long(map[i / BITS_PER_LONG]);
	if (i < nbits)
		w += hweight_long(map[i / BITS_PER_LONG] &
				  (~0UL >> (BITS_PER_LONG - (nbits - i))));
	return w;
}

void bitmap_zero(unsigned long *map, unsigned int nbits)
{
	for (unsigned int i = 0; i < BITS_TO_LONGS(nbits); i++)
		map[i] = 0;
}

void bitmap_fill(unsigned long *map, unsigned int nbits)
{
	bitmap_zero(map, nbits);
	bitmap_set(map, 0, nbits);
}

unsigned long bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
					 unsigned long start, unsigned int nr,
					 unsigned long align_mask)
{
	unsigned long index, end, i;
again:
	index = find_next_zero_bit(map, size, start);
	index = (index + align_mask) & ~align_mask;
	end = index + nr;
	if (end > size)
		return end;
	i = find_next_bit(map, end, index);
	if (i < end) {
		start = i + 1;
		goto again;
	}
	return index;
}
