// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real-source percpu variants: the kernel's own mm/percpu.c (built by
 * kernel.c, one copy per version and backend) run as a percpu port on the
 * simulated machine.
 *
 * The kernel side's needs are met here, on the machine: its locks are the
 * machine's lock classes, its pages are charged to the budget (with the
 * same fault injection as the ports: populate for the vm backend's pages,
 * create_chunk for a km chunk's pages and a vm chunk's area, kmalloc for
 * metadata), its work goes to system_wq.  Pages live in a page file (a
 * memfd) per instance: page_address() is its direct mapping, and the vm
 * backend's vmap really maps those pages into a PROT_NONE area, so a touch
 * of a depopulated page faults.  The file's globals are saved and restored
 * around every call, so any number of instances of one copy run side by
 * side (self-differential runs) and nothing leaks from one input to the
 * next.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/bitmap.h>
#include <linux/kernel.h>
#include <linux/workqueue.h>
#include <mm/harness.h>
#include "mmk_kernel.h"
#include "percpu_port.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define MMK_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define MMK_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#endif
#endif
#ifndef MMK_POISON
#define MMK_POISON(p, n) ((void)(p), (void)(n))
#define MMK_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define MMK_PAGE		4096UL
#define MMK_SLOTS		(40960UL)	/* page file: budget 16384 + boot, with room */
#define MMK_PER_CPU_START	0x100000UL	/* kshim.h's __per_cpu_start */
#define MMK_MAX_AREAS		256
#define MMK_MAX_CHUNKS		256

_Static_assert(sizeof(struct mm_lock) <= sizeof(((struct mmk_lock *)0)->dep),
	       "struct mmk_lock must hold a struct mm_lock");

/* the kernel side's view of the CPUs (kshim.h) */
unsigned int nr_cpu_ids;
unsigned long __per_cpu_offset[8];

struct mmk_area {
	char *addr;
	unsigned long size;
	struct page **map;		/* the page mapped at each page of the area */
	void *vm;			/* the struct vm_struct handed out */
};

struct mmk_inst {
	const struct mmk_kernel *k;
	char *saved;			/* the kernel file's data and bss */
	size_t data_len, bss_len;
	struct work_struct mwork;	/* the machine's item for pcpu_balance_work */
	long boot_populated;
	long first_chunk_pages;
	long unmapped_pages;
	bool memcg;
	int nr_units;
	/* the page file */
	int memfd;
	char *directmap;
	unsigned long *slot_used;
	unsigned long slot_hwm;		/* slots ever handed out: the poisoned part */
	struct page *pages;
	/* the vmalloc areas */
	struct mmk_area areas[MMK_MAX_AREAS];
	/* created chunks by base address, ids in creation order */
	struct { void *base; int id; } ids[MMK_MAX_CHUNKS];
	int nr_ids, next_id;
	int balance_creations;		/* chunks created by the running balance work, -1 outside it */
	int balance_task;		/* the task running it */
};

/* the instance whose kernel state is loaded now */
static struct mmk_inst *mmk_cur;

/* the instance whose state each kernel file's sections hold */
static struct {
	const struct mmk_kernel *k;
	struct mmk_inst *in;
} mmk_loaded[4];

static struct mmk_inst **mmk_occupant(const struct mmk_kernel *k)
{
	int i;

	for (i = 0; i < 4 && mmk_loaded[i].k; i++)
		if (mmk_loaded[i].k == k)
			return &mmk_loaded[i].in;
	if (i == 4)
		mm_violation("HARNESS", __func__, "more than 4 kernel trees");
	mmk_loaded[i].k = k;
	return &mmk_loaded[i].in;
}

/* -- state of the kernel file -------------------------------------------- */

static void mmk_leave(struct mmk_inst *in);

/*
 * Make @in's state the file's.  Loaded only when another instance holds
 * the sections, whose state is saved first: an instance with a task
 * stopped half-way through the file keeps its live state.
 */
static void mmk_enter(struct mmk_inst *in)
{
	const struct mmk_kernel *k = in->k;
	struct mmk_inst **occ = mmk_occupant(k);

	if (*occ != in) {
		if (*occ)
			mmk_leave(*occ);
		memcpy(k->data_start, in->saved, in->data_len);
		memcpy(k->bss_start, in->saved + in->data_len, in->bss_len);
		*occ = in;
	}
	mmk_cur = in;
	nr_cpu_ids = mm_cur->nr_cpus;
	if (k->base_addr()) {
		const unsigned long *uo = k->unit_offsets();

		for (int cpu = 0; cpu < in->nr_units; cpu++)
			__per_cpu_offset[cpu] = (unsigned long)k->base_addr() -
						MMK_PER_CPU_START + uo[cpu];
	}
}

static void mmk_leave(struct mmk_inst *in)
{
	const struct mmk_kernel *k = in->k;

	memcpy(in->saved, k->data_start, in->data_len);
	memcpy(in->saved + in->data_len, k->bss_start, in->bss_len);
}

/* -- what kshim.h declares ------------------------------------------------- */

unsigned int mmk_nr_cpus(void)
{
	return (unsigned int)mm_cur->nr_cpus;
}

int mmk_cpu(void)
{
	return mm_cpu_id();
}

void mmk_bug(const char *func, const char *what)
{
	mm_violation("KERNEL_BUG", func, "%s", what);
}

void mmk_warn(const char *func, const char *what)
{
	mm_violation("KERNEL_WARN", func, "%s", what);
}

void mmk_check_fail(const char *id, const char *where, const char *fmt, ...)
{
	char buf[MM_DETAIL_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mm_violation(id, where, "%s", buf);
}

static struct mm_lock *mmk_dep(struct mmk_lock *l)
{
	struct mm_lock *d = (struct mm_lock *)l->dep;

	if (!d->name)
		mm_lock_init(d, l->name, l->cls ? MM_SPINLOCK : MM_MUTEX);
	return d;
}

void mmk_lock(struct mmk_lock *l, const char *site)
{
	struct mm_lock *d = mmk_dep(l);

	if (d->cls == MM_MUTEX)
		mm_might_sleep(site);
	mm_lock_acquire(d, site);
}

void mmk_unlock(struct mmk_lock *l, const char *site)
{
	mm_lock_release(mmk_dep(l), site);
}

void mmk_lock_irq(struct mmk_lock *l, const char *site, unsigned long *flags)
{
	int saved;

	mm_lock_acquire_irq(mmk_dep(l), site, flags ? &saved : NULL);
	if (flags)
		*flags = (unsigned long)saved;
}

void mmk_unlock_irq(struct mmk_lock *l, const char *site, long flags)
{
	mm_lock_release_irq(mmk_dep(l), site, flags < 0 ? -1 : (int)flags);
}

void mmk_assert_held(struct mmk_lock *l, const char *site)
{
	struct mm_lock *d = mmk_dep(l);

	if (!mm_lock_held(d))
		mm_lock_report(MM_LR_LOCK_MISUSE, site, d, "%s not held", d->name);
}

void mmk_cond_resched(const char *site)
{
	mm_might_sleep(site);
	mm_sched_point(site);
}

void mmk_might_sleep(const char *site)
{
	mm_might_sleep(site);
}

unsigned int memalloc_noio_save(void)
{
	return 0;
}

void memalloc_noio_restore(unsigned int flags)
{
	(void)flags;
}

unsigned int memalloc_nofs_save(void)
{
	return 0;
}

void memalloc_nofs_restore(unsigned int flags)
{
	(void)flags;
}

/* the balance work: the machine runs the instance's item, which calls the kernel's */
static void mmk_work_fn(struct work_struct *mw)
{
	struct mmk_inst *in = container_of(mw, struct mmk_inst, mwork);
	struct mmk_kwork *kw = in->k->balance_work();

	mmk_enter(in);
	in->balance_creations = 0;
	in->balance_task = mm_task_id();
	kw->func(kw);
	in->balance_creations = -1;
	mmk_leave(in);
}

bool mmk_schedule_work(struct mmk_kwork *w)
{
	(void)w;	/* percpu.c has one work item: pcpu_balance_work */
	if (mm_work_pending(&mmk_cur->mwork))
		return false;
	mm_queue_work(&mm_cur->system_wq, &mmk_cur->mwork);
	return true;
}

bool mmk_work_pending(struct mmk_kwork *w)
{
	(void)w;
	return mm_work_pending(&mmk_cur->mwork);
}

/*
 * Slab objects and memblock memory are cache-line aligned (struct
 * pcpu_chunk asks for it since 6.7): the machine's allocation, aligned up,
 * with the machine's pointer kept in front.
 */
#define MMK_ALIGN 64UL

static void *mmk_aligned(size_t size, enum mm_fail_kind kind)
{
	char *raw = mm_kzalloc(size + MMK_ALIGN + sizeof(void *), kind), *p;

	if (!raw)
		return NULL;
	p = (char *)(((unsigned long)raw + sizeof(void *) + MMK_ALIGN - 1) & ~(MMK_ALIGN - 1));
	((void **)p)[-1] = raw;
	return p;
}

void *mmk_kzalloc(size_t size, unsigned int gfp, const char *site)
{
	(void)gfp;
	(void)site;
	return mmk_aligned(size, MM_FAIL_KMALLOC);
}

void mmk_kfree(const void *p)
{
	if (p)
		mm_kfree(((void **)p)[-1]);
}

void *mmk_memblock_alloc(size_t size, size_t align)
{
	(void)align;
	return mmk_aligned(size, MM_FAIL_NR);	/* boot memory, not the runtime supply */
}

/* pages: contiguous slots of the page file */
static long mmk_find_slots(struct mmk_inst *in, unsigned long nr)
{
	unsigned long run = 0;

	for (unsigned long s = 0; s < MMK_SLOTS; s++) {
		run = test_bit(s, in->slot_used) ? 0 : run + 1;
		if (run == nr)
			return (long)(s + 1 - nr);
	}
	return -1;
}

struct page *mmk_alloc_pages(unsigned int gfp, unsigned int order, const char *site)
{
	struct mmk_inst *in = mmk_cur;
	unsigned long nr = 1UL << order;
	/* the request's kind: a vm page when populating, a km chunk's pages */
	enum mm_fail_kind kind = !strcmp(site, "pcpu_create_chunk") ? MM_FAIL_CREATE_CHUNK :
				 MM_FAIL_POPULATE;
	long s;

	(void)gfp;
	if (!mm_pages_charge(nr, kind))
		return NULL;
	s = mmk_find_slots(in, nr);
	if (s < 0)
		mm_violation("HARNESS", __func__, "the page file is full");
	bitmap_set(in->slot_used, (unsigned int)s, (unsigned int)nr);
	MMK_UNPOISON(in->directmap + s * MMK_PAGE, nr * MMK_PAGE);
	in->slot_hwm = max(in->slot_hwm, (unsigned long)s + nr);
	for (unsigned long i = 0; i < nr; i++) {
		in->pages[s + i].index = 0;
		in->pages[s + i].mmk_slot = s + i;
	}
	return &in->pages[s];
}

void mmk_free_pages(struct page *page, unsigned int order)
{
	struct mmk_inst *in = mmk_cur;
	unsigned long nr = 1UL << order, s = page->mmk_slot;

	for (unsigned long i = 0; i < nr; i++)
		if (!test_bit(s + i, in->slot_used))
			mm_violation("KERNEL_BUG", "__free_pages", "page %lu freed twice", s + i);
	bitmap_clear(in->slot_used, (unsigned int)s, (unsigned int)nr);
	MMK_POISON(in->directmap + s * MMK_PAGE, nr * MMK_PAGE);
	mm_pages_uncharge(nr);
}

void *mmk_page_address(const struct page *page)
{
	return mmk_cur->directmap + page->mmk_slot * MMK_PAGE;
}

struct page *mmk_virt_to_page(const void *addr)
{
	struct mmk_inst *in = mmk_cur;
	unsigned long off = (unsigned long)((const char *)addr - in->directmap);

	if ((const char *)addr < in->directmap || off >= MMK_SLOTS * MMK_PAGE)
		mm_violation("KERNEL_BUG", "virt_to_page", "%p is not a direct-mapped address", addr);
	return &in->pages[off / MMK_PAGE];
}

/* the vmalloc area of mm/percpu-vm.c */
struct vm_struct **pcpu_get_vm_areas(const unsigned long *offsets, const size_t *sizes,
				     int nr_vms, size_t align)
{
	struct mmk_inst *in = mmk_cur;
	struct vm_struct **vms;
	unsigned long span = 0;
	char *base;
	int a;

	(void)align;
	if (mm_should_fail(MM_FAIL_CREATE_CHUNK))
		return NULL;
	for (int i = 0; i < nr_vms; i++)
		span = max(span, offsets[i] + sizes[i]);
	for (a = 0; a < MMK_MAX_AREAS && in->areas[a].addr; a++)
		;
	if (a == MMK_MAX_AREAS)
		mm_violation("HARNESS", __func__, "more than %d vm areas", MMK_MAX_AREAS);
	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		mm_violation("HARNESS", __func__, "mmap of %lu bytes failed", span);
	vms = mm_kzalloc(sizeof(*vms) * nr_vms + sizeof(**vms) * nr_vms, MM_FAIL_NR);
	for (int i = 0; i < nr_vms; i++) {
		vms[i] = (struct vm_struct *)(vms + nr_vms) + i;
		vms[i]->addr = base + offsets[i];
		vms[i]->size = sizes[i];
	}
	in->areas[a].addr = base;
	in->areas[a].size = span;
	in->areas[a].map = mm_kzalloc(sizeof(struct page *) * (span / MMK_PAGE), MM_FAIL_NR);
	in->areas[a].vm = vms;
	return vms;
}

static struct mmk_area *mmk_area_of(unsigned long addr)
{
	struct mmk_inst *in = mmk_cur;

	for (int a = 0; a < MMK_MAX_AREAS; a++)
		if (in->areas[a].addr && addr >= (unsigned long)in->areas[a].addr &&
		    addr < (unsigned long)in->areas[a].addr + in->areas[a].size)
			return &in->areas[a];
	return NULL;
}

void pcpu_free_vm_areas(struct vm_struct **vms, int nr_vms)
{
	struct mmk_area *ar = mmk_area_of((unsigned long)vms[0]->addr);

	(void)nr_vms;
	if (!ar || ar->vm != vms)
		mm_violation("KERNEL_BUG", __func__, "not an area pcpu_get_vm_areas() made");
	for (unsigned long p = 0; p < ar->size / MMK_PAGE; p++)
		if (ar->map[p])
			mm_violation("DESTROY_POPULATED", __func__,
				     "a vm area freed with page %lu still mapped", p);
	munmap(ar->addr, ar->size);
	mm_kfree(ar->map);
	mm_kfree(vms);
	memset(ar, 0, sizeof(*ar));
}

int vmap_pages_range_noflush(unsigned long addr, unsigned long end, pgprot_t prot,
			     struct page **pages, unsigned int page_shift)
{
	struct mmk_area *ar = mmk_area_of(addr);

	(void)prot;
	(void)page_shift;
	if (!ar || end > (unsigned long)ar->addr + ar->size)
		mm_violation("KERNEL_BUG", __func__, "mapping outside a vm area");
	for (unsigned long i = 0; addr + i * MMK_PAGE < end; i++) {
		unsigned long p = (addr - (unsigned long)ar->addr) / MMK_PAGE + i;

		if (ar->map[p])
			mm_violation("DOUBLE_POPULATE", __func__, "page %lu of a vm area is mapped", p);
		if (mmap(ar->addr + p * MMK_PAGE, MMK_PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, mmk_cur->memfd,
			 (off_t)(pages[i]->mmk_slot * MMK_PAGE)) == MAP_FAILED)
			mm_violation("HARNESS", __func__, "mmap of a page failed");
		ar->map[p] = pages[i];
	}
	return 0;
}

void vunmap_range_noflush(unsigned long start, unsigned long end)
{
	struct mmk_area *ar = mmk_area_of(start);

	if (!ar)
		mm_violation("KERNEL_BUG", __func__, "unmapping outside a vm area");
	for (unsigned long a = start; a < end; a += MMK_PAGE) {
		unsigned long p = (a - (unsigned long)ar->addr) / MMK_PAGE;

		if (ar->map[p])
			mmk_cur->unmapped_pages++;
		ar->map[p] = NULL;
	}
	/* unmapped for real: a later touch faults */
	if (mmap((void *)start, end - start, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
		mm_violation("HARNESS", __func__, "mmap PROT_NONE failed");
}

struct page *vmalloc_to_page(const void *addr)
{
	struct mmk_area *ar = mmk_area_of((unsigned long)addr);

	if (!ar)
		return NULL;
	return ar->map[((unsigned long)addr - (unsigned long)ar->addr) / MMK_PAGE];
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
}

/* memcg: the current task is in a non-root cgroup when the config says memcg=on */
static char mmk_objcg;

bool mmk_memcg_kmem_enabled(void)
{
	return mmk_cur->memcg;
}

struct obj_cgroup *mmk_get_obj_cgroup_from_current(void)
{
	return mmk_cur->memcg ? (struct obj_cgroup *)&mmk_objcg : NULL;
}

int mmk_obj_cgroup_charge(struct obj_cgroup *objcg, unsigned int gfp, size_t size)
{
	(void)objcg;
	(void)gfp;
	(void)size;
	return mm_should_fail(MM_FAIL_CHARGE) ? -12 : 0;
}

void mmk_obj_cgroup_uncharge(struct obj_cgroup *objcg, size_t size)
{
	(void)objcg;
	(void)size;
}

void mmk_obj_cgroup_put(struct obj_cgroup *objcg)
{
	(void)objcg;
}

void mmk_trace_create_chunk(void *base_addr)
{
	struct mmk_inst *in = mmk_cur;

	if (in->nr_ids == MMK_MAX_CHUNKS)
		mm_violation("HARNESS", __func__, "more than %d chunks", MMK_MAX_CHUNKS);
	in->ids[in->nr_ids].base = base_addr;
	in->ids[in->nr_ids++].id = in->next_id++;
	/*
	 * One balance run creates at most PCPU_CREATE_PER_BALANCE_BOUND
	 * chunks: a new chunk brings nr_pages >= HIGH pages to populate, or
	 * is born populated (km), so pcpu_balance_populated() needs one.
	 */
	if (in->balance_creations >= 0 && in->balance_task == mm_task_id() &&
	    ++in->balance_creations > PCPU_CREATE_PER_BALANCE_BOUND && mm_op_alone())
		mm_violation("UNBOUNDED_CHUNK_CREATION", "pcpu_balance_workfn",
			     "one balance run created %d chunks (bound %d); %d chunks alive",
			     in->balance_creations, PCPU_CREATE_PER_BALANCE_BOUND, in->nr_ids);
}

void mmk_trace_destroy_chunk(void *base_addr)
{
	struct mmk_inst *in = mmk_cur;

	for (int i = 0; i < in->nr_ids; i++)
		if (in->ids[i].base == base_addr) {
			in->ids[i] = in->ids[--in->nr_ids];
			return;
		}
}

static int mmk_chunk_id(struct mmk_inst *in, int kind, void *base)
{
	if (kind <= 0)
		return kind;
	for (int i = 0; i < in->nr_ids; i++)
		if (in->ids[i].base == base)
			return in->ids[i].id;
	mm_violation("HARNESS", __func__, "a chunk the create tracepoint never saw");
}

/* -- the port (percpu_port.h) --------------------------------------------- */

static void mmk_cleanup(void *arg)
{
	struct mmk_inst *in = arg;

	for (int a = 0; a < MMK_MAX_AREAS; a++)
		if (in->areas[a].addr)
			munmap(in->areas[a].addr, in->areas[a].size);
	if (in->directmap) {
		MMK_UNPOISON(in->directmap, in->slot_hwm * MMK_PAGE);
		munmap(in->directmap, MMK_SLOTS * MMK_PAGE);
	}
	if (in->memfd >= 0)
		close(in->memfd);
	if (mmk_cur == in)
		mmk_cur = NULL;
	for (int i = 0; i < 4; i++)
		if (mmk_loaded[i].in == in)
			mmk_loaded[i].in = NULL;
}

/* a task of @arg's machine resumes inside the kernel file */
static void mmk_resume(void *arg)
{
	mmk_enter(arg);
}

/*
 * Boot as the architecture would: the first chunk's layout from the config
 * (static, reserved and dynamic regions; the dynamic region at least
 * PERCPU_DYNAMIC_EARLY_SIZE, the sum page aligned within the unit), its
 * units from the page file (memblock: charged, and the budget grows by as
 * much), then pcpu_setup_first_chunk().
 */
static void *mmk_create(const struct mmk_kernel *k, const struct mm_config *cfg,
			long *boot_pages)
{
	struct mmk_inst *in = mm_kzalloc(sizeof(*in), MM_FAIL_NR);
	unsigned long unit = (unsigned long)cfg->v[PCPU_CFG_unit_pages] * MMK_PAGE;
	unsigned long st = (unsigned long)cfg->v[PCPU_CFG_static_kb] << 10;
	unsigned long rs = (unsigned long)cfg->v[PCPU_CFG_reserved_kb] << 10;
	unsigned long dyn = (unsigned long)cfg->v[PCPU_CFG_dyn_kb] << 10;
	unsigned long early = 12 << 10, sum;

	in->k = k;
	in->memfd = -1;
	mm_on_destroy(mmk_cleanup, in);
	mm_on_resume(mmk_resume, in);
	in->nr_units = mm_cur->nr_cpus;
	in->memcg = cfg->v[PCPU_CFG_memcg];
	in->data_len = (size_t)(k->data_end - k->data_start);
	in->bss_len = (size_t)(k->bss_end - k->bss_start);
	in->saved = mm_kzalloc(in->data_len + in->bss_len, MM_FAIL_NR);
	/* the file as it was built: initialized data, zero bss */
	memcpy(in->saved, k->data_start, in->data_len);
	in->slot_used = mm_kzalloc(MMK_SLOTS / 8, MM_FAIL_NR);
	in->pages = mm_kzalloc(sizeof(struct page) * MMK_SLOTS, MM_FAIL_NR);
	in->memfd = memfd_create("mmdiff-pages", MFD_CLOEXEC);
	if (in->memfd < 0 || ftruncate(in->memfd, (off_t)(MMK_SLOTS * MMK_PAGE)))
		mm_violation("HARNESS", __func__, "no page file");
	in->directmap = mmap(NULL, MMK_SLOTS * MMK_PAGE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_NORESERVE, in->memfd, 0);
	if (in->directmap == MAP_FAILED)
		mm_violation("HARNESS", __func__, "no direct map");
	/*
	 * Pages are poisoned when freed (a touch of a freed page is caught),
	 * not before their first use: poisoning the whole file per instance
	 * would cost more than the input.
	 */
	in->next_id = 1;
	in->balance_creations = -1;

	if (st + rs + early > unit)
		rs = unit > st + early ? unit - st - early : 0;
	dyn = max(dyn, early);
	sum = min((st + rs + dyn + MMK_PAGE - 1) & ~(MMK_PAGE - 1), unit);
	dyn = sum - st - rs;
	in->first_chunk_pages = (long)(sum / MMK_PAGE);
	*boot_pages = in->first_chunk_pages * in->nr_units;
	mm_cur->budget_pages += *boot_pages;

	INIT_WORK(&in->mwork, mmk_work_fn);
	mmk_enter(in);
	{
		/* the units back to back, from contiguous slots of the page file */
		unsigned long nr = (unit / MMK_PAGE) * in->nr_units;
		long s;

		mm_pages_charge(*boot_pages, MM_FAIL_NR);
		s = mmk_find_slots(in, nr);
		bitmap_set(in->slot_used, (unsigned int)s, (unsigned int)nr);
		in->slot_hwm = (unsigned long)s + nr;
		k->setup(st, rs, dyn, unit, in->nr_units, in->directmap + s * MMK_PAGE);
	}
	in->boot_populated = k->nr_populated();
	/* percpu_enable_async() is a subsys_initcall: ran or not yet */
	if (cfg->v[PCPU_CFG_async])
		k->enable_async();
	mmk_leave(in);
	mmk_enter(in);		/* __per_cpu_offset of the booted state */
	mmk_leave(in);
	return in;
}

static void *mmk_port_alloc(void *inst, size_t size, size_t align, bool reserved, gfp_t gfp)
{
	struct mmk_inst *in = inst;
	unsigned int kgfp = (gfp & __GFP_DIRECT_RECLAIM) ? in->k->gfp_kernel : in->k->gfp_nowait;
	void *p;

	if (gfp & __GFP_ACCOUNT)
		kgfp |= in->k->gfp_account;
	mmk_enter(in);
	p = in->k->alloc(size, align, reserved, kgfp);
	mmk_leave(in);
	return p;
}

static void mmk_port_free(void *inst, void *ptr)
{
	struct mmk_inst *in = inst;

	mmk_enter(in);
	in->k->free(ptr);
	mmk_leave(in);
}

static void mmk_port_locate(void *inst, void *ptr, int *chunk_id, long *unit_off)
{
	struct mmk_inst *in = inst;
	void *base;
	long off;
	bool pop;
	int kind;

	mmk_enter(in);
	kind = in->k->chunk_of(ptr, &base, &off, &pop, 0);
	*chunk_id = mmk_chunk_id(in, kind, base);
	/* first and reserved chunk: the offset in the unit, as the ports report it */
	*unit_off = kind <= 0 ? (long)((char *)base - (char *)in->k->base_addr()) + off : off;
	mmk_leave(in);
}

static char *mmk_port_unit_addr(void *inst, void *ptr, int cpu, long off, long *len)
{
	struct mmk_inst *in = inst;
	char *addr;
	void *base;
	long choff;
	bool pop;

	mmk_enter(in);
	in->k->chunk_of(ptr, &base, &choff, &pop, off);
	mmk_leave(in);
	/* per_cpu_ptr(ptr, cpu) + off */
	addr = (char *)((unsigned long)ptr + __per_cpu_offset[cpu] + (unsigned long)off);
	*len = (long)(MMK_PAGE - ((unsigned long)addr & (MMK_PAGE - 1)));
	return pop ? addr : NULL;
}

static struct work_struct *mmk_port_balance_work(void *inst)
{
	return &((struct mmk_inst *)inst)->mwork;
}

static long mmk_port_nr_populated(void *inst)
{
	struct mmk_inst *in = inst;
	long n;

	mmk_enter(in);
	n = in->k->nr_populated();
	mmk_leave(in);
	return n;
}

static int mmk_port_nr_empty_pop_pages(void *inst)
{
	struct mmk_inst *in = inst;
	int n;

	mmk_enter(in);
	n = in->k->nr_empty_pop_pages();
	mmk_leave(in);
	return n;
}

static bool mmk_port_async_enabled(void *inst)
{
	struct mmk_inst *in = inst;
	bool on;

	mmk_enter(in);
	on = in->k->async_enabled();
	mmk_leave(in);
	return on;
}

static void mmk_port_enable_async(void *inst)
{
	struct mmk_inst *in = inst;

	mmk_enter(in);
	in->k->enable_async();
	mmk_leave(in);
}

static void mmk_port_check(void *inst)
{
	struct mmk_inst *in = inst;

	mmk_enter(in);
	in->k->check(in->boot_populated);
	mmk_leave(in);
}

static void mmk_port_observe(void *inst, struct pcpu_obs *o)
{
	struct mmk_inst *in = inst;
	struct mmk_chunk_info ci[MMK_MAX_CHUNKS];
	int n;

	mmk_enter(in);
	n = in->k->chunks(ci, MMK_MAX_CHUNKS);
	mmk_leave(in);
	for (int i = 0; i < n; i++) {
		o->nr_chunks += !ci[i].immutable;
		o->nr_isolated += ci[i].isolated;
		o->nr_free_chunks += ci[i].kind == 1 &&
				     ci[i].free_bytes == ci[i].nr_pages * (int)MM_PAGE_SIZE;
	}
	o->nr_depopulated = in->unmapped_pages / (in->nr_units ? in->nr_units : 1);
	o->pop_slack = PCPU_EMPTY_POP_PAGES_HIGH;	/* one chunk type, as v5.14 */
	o->nr_chunk_types = 1;
	o->first_chunk_pages = in->first_chunk_pages;
}

static void mmk_port_dump(void *inst, char *buf, size_t len)
{
	struct mmk_inst *in = inst;
	struct mmk_chunk_info ci[MMK_MAX_CHUNKS];
	size_t w = 0;
	int n;

	mmk_enter(in);
	n = in->k->chunks(ci, MMK_MAX_CHUNKS);
	w += (size_t)snprintf(buf, len, "Linux %s (%s): empty_pop=%d populated=%ld async=%d\n"
			      "chunk slot free contig nr_pop empty flags\n",
			      in->k->version, in->k->km ? "km" : "vm",
			      in->k->nr_empty_pop_pages(), in->k->nr_populated(),
			      in->k->async_enabled());
	for (int i = 0; i < n && w < len; i++) {
		int id = mmk_chunk_id(in, ci[i].kind, ci[i].base_addr);

		w += (size_t)snprintf(buf + w, len - w, "%5d %4d %6d %6d %6d %5d %s%s\n", id,
				      ci[i].slot, ci[i].free_bytes, ci[i].contig_bytes,
				      ci[i].nr_populated, ci[i].nr_empty_pop_pages,
				      ci[i].immutable ? "I" : "-", ci[i].isolated ? "X" : "");
	}
	mmk_leave(in);
}

void *mmk_port_create(const struct mmk_kernel *vm, const struct mmk_kernel *km,
		      const struct mm_config *cfg, const struct pcpu_live *live, long *boot)
{
	(void)live;
	return mmk_create(cfg->v[PCPU_CFG_backend] == PCPU_BACKEND_KM ? km : vm, cfg, boot);
}

const struct pcpu_port mmk_port_template = {
	.alloc = mmk_port_alloc,
	.free = mmk_port_free,
	.locate = mmk_port_locate,
	.unit_addr = mmk_port_unit_addr,
	.balance_work = mmk_port_balance_work,
	.nr_populated = mmk_port_nr_populated,
	.nr_empty_pop_pages = mmk_port_nr_empty_pop_pages,
	.async_enabled = mmk_port_async_enabled,
	.enable_async = mmk_port_enable_async,
	.check = mmk_port_check,
	.observe = mmk_port_observe,
	.dump = mmk_port_dump,
	.schedules_balance = true,
};
