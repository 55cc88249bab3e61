// SPDX-License-Identifier: GPL-2.0-only
/*
 * One compiled copy of the kernel's own mm/percpu.c, unchanged: this file
 * includes it (MMK_SRC, from the tree build.sh extracted) with kshim.h as
 * its header tree and exports one struct mmk_kernel, mmk_kernel_<MMK_TAG>.
 * Everything else the file defines is made local by the build (objcopy
 * --keep-global-symbol), so several versions and both backends link into
 * one program.  The file's globals and statics are placed in two sections
 * of their own, so the glue can save and restore them per instance.
 *
 * Build defines: MMK_TAG (k61vm ...), MMK_SRC ("/path/mm/percpu.c"),
 * MMK_VERSION ("6.1.192"), CONFIG_NEED_PER_CPU_KM for the km backend.
 */
#include <kshim.h>
#include "mmk_kernel.h"

#define MMK_CAT2(a, b)		a##b
#define MMK_CAT(a, b)		MMK_CAT2(a, b)
#define MMK_STR2(x)		#x
#define MMK_STR(x)		MMK_STR2(x)
#define MMK_DO_PRAGMA(x)	_Pragma(#x)
#define MMK_PRAGMA(x)		MMK_DO_PRAGMA(x)
#define MMK_DATA		MMK_CAT(mmk_data_, MMK_TAG)
#define MMK_BSS			MMK_CAT(mmk_bss_, MMK_TAG)

MMK_PRAGMA(clang section data = MMK_STR(MMK_DATA) bss = MMK_STR(MMK_BSS))
#include MMK_SRC
#pragma clang section data = "" bss = ""

/* the linker's bounds of the two sections */
extern char MMK_CAT(__start_, MMK_DATA)[], MMK_CAT(__stop_, MMK_DATA)[];
extern char MMK_CAT(__start_, MMK_BSS)[], MMK_CAT(__stop_, MMK_BSS)[];

void mmk_check_fail(const char *id, const char *where, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

/*
 * What the architecture's setup_per_cpu_areas() does with
 * CONFIG_HAVE_SETUP_PER_CPU_AREA: one group of units, unit i for CPU i,
 * at @base (memory the glue allocated as memblock would).
 */
static void mmk_setup(unsigned long static_size, unsigned long reserved_size,
		      unsigned long dyn_size, unsigned long unit_size, int nr_units,
		      void *base)
{
	struct pcpu_alloc_info *ai = pcpu_alloc_alloc_info(1, nr_units);
	int i;

	ai->static_size = static_size;
	ai->reserved_size = reserved_size;
	ai->dyn_size = dyn_size;
	ai->unit_size = unit_size;
	ai->atom_size = PAGE_SIZE;
	ai->alloc_size = unit_size;
	ai->groups[0].nr_units = nr_units;
	ai->groups[0].base_offset = 0;
	for (i = 0; i < nr_units; i++)
		ai->groups[0].cpu_map[i] = i;
	pcpu_setup_first_chunk(ai, base);
	pcpu_free_alloc_info(ai);
}

static const unsigned long *mmk_unit_offsets(void)
{
	return pcpu_unit_offsets;
}

static void *mmk_base_addr(void)
{
	return pcpu_base_addr;
}

static void *mmk_alloc(unsigned long size, unsigned long align, bool reserved,
		       unsigned int gfp)
{
	if (pcpu_alloc_noprof)	/* 6.10 on */
		return pcpu_alloc_noprof(size, align, reserved, gfp);
	return reserved ? __alloc_reserved_percpu(size, align) :
			  __alloc_percpu_gfp(size, align, gfp);
}

static void mmk_free(void *ptr)
{
	free_percpu(ptr);
}

static int mmk_chunk_of(void *ptr, void **base, long *off, bool *populated, long byte)
{
	void *addr = __pcpu_ptr_to_addr(ptr);
	struct pcpu_chunk *chunk = pcpu_chunk_addr_search(addr);

	*base = chunk->base_addr;
	*off = (char *)addr - (char *)chunk->base_addr;
	*populated = test_bit((*off + byte) >> PAGE_SHIFT, chunk->populated);
	return chunk == pcpu_first_chunk ? 0 : chunk == pcpu_reserved_chunk ? -1 : 1;
}

static struct mmk_kwork *mmk_balance_work(void)
{
	return &pcpu_balance_work;
}

static long mmk_nr_populated(void)
{
	return pcpu_nr_populated;
}

static int mmk_nr_empty_pop_pages(void)
{
	return pcpu_nr_empty_pop_pages;
}

static bool mmk_async_enabled(void)
{
	return pcpu_async_enabled;
}

static void mmk_enable_async(void)
{
	mmk_subsys_initcall();		/* percpu_enable_async() */
}

static int mmk_chunk_slot_of(struct pcpu_chunk *chunk)
{
	for (int slot = 0; slot < pcpu_nr_slots; slot++) {
		struct pcpu_chunk *pos;

		list_for_each_entry(pos, &pcpu_chunk_lists[slot], list)
			if (pos == chunk)
				return slot;
	}
	return -1;
}

static void mmk_chunk_info(struct pcpu_chunk *chunk, struct mmk_chunk_info *ci)
{
	ci->nr_pages = chunk->nr_pages;
	ci->nr_populated = chunk->nr_populated;
	ci->nr_empty_pop_pages = chunk->nr_empty_pop_pages;
	ci->free_bytes = chunk->free_bytes;
	ci->contig_bytes = chunk->chunk_md.contig_hint * PCPU_MIN_ALLOC_SIZE;
	ci->slot = mmk_chunk_slot_of(chunk);
	ci->immutable = chunk->immutable;
	ci->isolated = chunk->isolated;
	ci->base_addr = chunk->base_addr;
	ci->kind = chunk == pcpu_first_chunk ? 0 : chunk == pcpu_reserved_chunk ? -1 : 1;
}

static int mmk_chunks(struct mmk_chunk_info *out, int max)
{
	struct pcpu_chunk *chunk;
	int n = 0;

	if (pcpu_reserved_chunk && n < max)
		mmk_chunk_info(pcpu_reserved_chunk, &out[n++]);
	for (int slot = 0; slot < pcpu_nr_slots; slot++)
		list_for_each_entry(chunk, &pcpu_chunk_lists[slot], list)
			if (n < max)
				mmk_chunk_info(chunk, &out[n++]);
	return n;
}

/*
 * The file's own bookkeeping, recounted after every op: the global count
 * of empty populated pages over the chunks that are not isolated,
 * nr_populated against the populated bitmaps and the count at boot
 * (@boot_populated) plus the created chunks, and every chunk on the slot
 * list pcpu_chunk_slot() names unless isolated (mm/percpu.c 6.1 keeps
 * them so: pcpu_update_empty_pages(), pcpu_chunk_[de]populated(),
 * pcpu_chunk_relocate(), pcpu_isolate_chunk()).
 */
static void mmk_check(long boot_populated)
{
	struct pcpu_chunk *chunk;
	long empty = 0, populated = 0;

	for (int slot = 0; slot < pcpu_nr_slots; slot++) {
		long guard = 0;

		list_for_each_entry(chunk, &pcpu_chunk_lists[slot], list) {
			int want = pcpu_chunk_slot(chunk);

			if (++guard > 100000)
				mmk_check_fail("CHUNK_SLOT", "pcpu_chunk_relocate",
					       "slot list %d is corrupt", slot);
			if (bitmap_weight(chunk->populated, chunk->nr_pages) != chunk->nr_populated)
				mmk_check_fail("POPULATED_COUNT", "pcpu_chunk_populated",
					       "a chunk's nr_populated %d, populated bitmap %d",
					       chunk->nr_populated,
					       bitmap_weight(chunk->populated, chunk->nr_pages));
			/* a failed fit demotes a chunk of a low slot to slot 0 */
			if (chunk->isolated ? slot < pcpu_sidelined_slot :
			    slot != want && !(slot == 0 && want < PCPU_SLOT_FAIL_THRESHOLD))
				mmk_check_fail("CHUNK_SLOT", "pcpu_chunk_relocate",
					       "a chunk on slot %d, pcpu_chunk_slot() says %d (isolated %d)",
					       slot, want, chunk->isolated);
			if (!chunk->isolated)
				empty += chunk->nr_empty_pop_pages;
			if (!chunk->immutable)
				populated += chunk->nr_populated;
		}
	}
	if (empty != pcpu_nr_empty_pop_pages)
		mmk_check_fail("EMPTY_POP_PAGES_COUNT", "pcpu_update_empty_pages",
			       "pcpu_nr_empty_pop_pages %d, recount %ld",
			       pcpu_nr_empty_pop_pages, empty);
	/* the first chunk's pages were counted once, at boot */
	if (populated + boot_populated != (long)pcpu_nr_populated)
		mmk_check_fail("POPULATED_COUNT", "pcpu_chunk_populated",
			       "pcpu_nr_populated %lu, boot %ld + created chunks %ld",
			       pcpu_nr_populated, boot_populated, populated);
}

const struct mmk_kernel MMK_CAT(mmk_kernel_, MMK_TAG) = {
	.version = MMK_VERSION,
#ifdef CONFIG_NEED_PER_CPU_KM
	.source = "mm/percpu.c, mm/percpu-internal.h, mm/percpu-km.c",
	.km = true,
#else
	.source = "mm/percpu.c, mm/percpu-internal.h, mm/percpu-vm.c",
	.km = false,
#endif
	.data_start = MMK_CAT(__start_, MMK_DATA),
	.data_end = MMK_CAT(__stop_, MMK_DATA),
	.bss_start = MMK_CAT(__start_, MMK_BSS),
	.bss_end = MMK_CAT(__stop_, MMK_BSS),
	.setup = mmk_setup,
	.unit_offsets = mmk_unit_offsets,
	.base_addr = mmk_base_addr,
	.alloc = mmk_alloc,
	.free = mmk_free,
	.chunk_of = mmk_chunk_of,
	.balance_work = mmk_balance_work,
	.nr_populated = mmk_nr_populated,
	.nr_empty_pop_pages = mmk_nr_empty_pop_pages,
	.async_enabled = mmk_async_enabled,
	.enable_async = mmk_enable_async,
	.gfp_kernel = GFP_KERNEL,
	.gfp_nowait = GFP_NOWAIT,
	.gfp_account = __GFP_ACCOUNT,
	.chunks = mmk_chunks,
	.check = mmk_check,
};
