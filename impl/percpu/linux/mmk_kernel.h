/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What one compiled copy of the kernel's mm/percpu.c (one version, one
 * backend) offers the glue: its entry points and where its state lives.
 * Shared by kernel.c (compiled with kshim.h, -nostdinc) and glue.c (normal
 * C), so it uses nothing but basic types.
 */
#ifndef MMK_KERNEL_H
#define MMK_KERNEL_H

typedef struct { unsigned long pgprot; } pgprot_t;

/* struct vm_struct, as far as mm/percpu-vm.c uses it */
struct vm_struct {
	void *addr;
	unsigned long size;
};

/* the kernel's struct page, as far as mm/percpu*.c uses it */
struct page {
	unsigned long index;		/* pcpu_set_page_chunk(): the chunk */
	unsigned long mmk_slot;		/* the page's slot in the instance's page file */
};

/* spinlock_t and struct mutex: the machine's lock, set up at first use */
struct mmk_lock {
	void *dep[6];			/* struct mm_lock */
	const char *name;
	int cls;			/* 1 spinlock_t, 0 mutex */
};

/*
 * The kernel's struct work_struct (kshim.h renames the tag): an identity
 * and a function; the glue queues a machine work item for it.
 */
struct mmk_kwork {
	void *mmk;
	void (*func)(struct mmk_kwork *work);
};

struct mmk_chunk_info {
	int nr_pages, nr_populated, nr_empty_pop_pages, free_bytes, contig_bytes;
	int slot;			/* the list it is on, -1 none */
	int kind;			/* 0 the first chunk, -1 the reserved one, 1 created */
	_Bool immutable, isolated;
	void *base_addr;
};

struct mmk_kernel {
	const char *version;		/* "6.1.192" as the tree's Makefile says */
	const char *source;		/* the files it was built from */
	_Bool km;			/* mm/percpu-km.c (else mm/percpu-vm.c) */
	/* the file's state: every global and static, saved and restored per instance */
	char *data_start, *data_end, *bss_start, *bss_end;

	/* boot: pcpu_setup_first_chunk() of a one-group layout at @base */
	void (*setup)(unsigned long static_size, unsigned long reserved_size,
		      unsigned long dyn_size, unsigned long unit_size, int nr_units,
		      void *base);
	const unsigned long *(*unit_offsets)(void);
	void *(*base_addr)(void);
	void *(*alloc)(unsigned long size, unsigned long align, _Bool reserved,
		       unsigned int gfp);
	void (*free)(void *ptr);
	/*
	 * pcpu_chunk_addr_search() for @ptr: 0 the first chunk, -1 the
	 * reserved one, 1 a created one at *@base; *@off the area's offset
	 * in the chunk; *@populated whether byte @byte's page is populated
	 */
	int (*chunk_of)(void *ptr, void **base, long *off, _Bool *populated, long byte);
	struct mmk_kwork *(*balance_work)(void);
	long (*nr_populated)(void);
	int (*nr_empty_pop_pages)(void);
	_Bool (*async_enabled)(void);
	void (*enable_async)(void);
	unsigned int gfp_kernel, gfp_nowait, gfp_account;
	/* the chunks on the slot lists, the reserved one first; returns the count */
	int (*chunks)(struct mmk_chunk_info *out, int max);
	/*
	 * the file's own bookkeeping, recounted; @boot_populated is
	 * pcpu_nr_populated right after setup (violations: mmk_check_fail)
	 */
	void (*check)(long boot_populated);
};
#endif
