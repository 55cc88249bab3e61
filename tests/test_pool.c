// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine's memory pool (fuzz/core/pool.c): memory given back is
 * poisoned and never handed out again in the same run; the next machine
 * gets the block again zeroed, with exactly its payload addressable and
 * ASan's redzone after it; giving a block back twice is a finding; the
 * contents fill and check still report a port's pointer into memory it
 * gave back as MEMORY_SAFETY naming the port's function.
 */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"
#include "pool.h"
#include "test.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#endif
#ifdef HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define POISONED(p) __asan_address_is_poisoned(p)
#else
#define POISONED(p) 0
#endif

static struct mm_machine m;
static jmp_buf jb;

static void begin(void)
{
	mm_machine_init(&m, 1, 1 << 20);
	mm_machine_enter(&m);
	m.unwind = &jb;
}

static void end(void)
{
	m.unwind = NULL;
	mm_machine_destroy(&m);
}

static void reuse(void)
{
	char *a, *b, *c;
	unsigned char *k;
	int zero = 1;

	begin();
	a = mm_pages_alloc(1, MM_FAIL_NR);
	memset(a, 0x5a, MM_PAGE_SIZE);
	mm_pages_free(a, 1);
#ifdef HAVE_ASAN
	CHECK(POISONED(a));
	CHECK(POISONED(a + 100));
	CHECK(POISONED(a + MM_PAGE_SIZE - 1));
#endif
	/* nothing given back is reused within the run */
	b = mm_pages_alloc(1, MM_FAIL_NR);
	CHECK(b != a);
	k = mm_kzalloc(13, MM_FAIL_NR);
	memset(k, 0x77, 13);
	end();

	/* the next machine: the same blocks again, zeroed, exactly addressable */
	begin();
	c = mm_pages_alloc(1, MM_FAIL_NR);
	CHECK(c == a || c == b);
	for (unsigned long i = 0; i < MM_PAGE_SIZE; i++)
		zero &= !c[i];
	CHECK(zero);
#ifdef HAVE_ASAN
	CHECK(!POISONED(c));
	CHECK(!POISONED(c + MM_PAGE_SIZE - 1));
	CHECK(POISONED(c + MM_PAGE_SIZE));		/* the redzone */
	CHECK(POISONED(c + MM_PAGE_SIZE + 127));
#endif
	k = mm_kzalloc(13, MM_FAIL_NR);
	for (int i = 0; i < 13; i++)
		CHECK_EQ(k[i], 0);
#ifdef HAVE_ASAN
	CHECK(!POISONED(k + 12));
	CHECK(POISONED(k + 13));			/* the partial granule */
	CHECK(POISONED(k + 16));
#endif
	end();
}

/* large payloads are zeroed lazily (MADV_DONTNEED): still all zero on reuse */
static void lazy_zero(void)
{
	size_t n = 300;		/* pages: past the lazy threshold, odd edges */
	unsigned char *p, *q;
	int zero = 1;

	begin();
	p = mm_pages_alloc(n, MM_FAIL_NR);
	memset(p, 0xff, n * MM_PAGE_SIZE);
	end();
	begin();
	q = mm_pages_alloc(n, MM_FAIL_NR);
	CHECK(q == p);
	for (size_t i = 0; i < n * MM_PAGE_SIZE; i++)
		zero &= !q[i];
	CHECK(zero);
	end();
}

static void double_free(void)
{
	void *p;

	begin();
	p = mm_pages_alloc(2, MM_FAIL_NR);
	if (!setjmp(jb)) {
		mm_pages_free(p, 2);
		mm_pages_free(p, 2);
		CHECK(!"second give-back not caught");
	} else {
		CHECK(!strcmp(m.inv, "PAGES_FREE_MISMATCH"));
		CHECK(!strcmp(m.where, "mm_pages_free"));
	}
	end();
}

static volatile long sink;

/* stands for a port's contents pass over a page it gave back (no tail calls) */
__attribute__((noinline)) static void pcpu_fill_depopulated(char *p)
{
	mm_fill(p + 64, 200, 7, 0);
	sink++;
}

__attribute__((noinline)) static void pcpu_check_depopulated(char *p)
{
	sink = mm_check(p + 64, 200, 7, 0);
	sink++;
}

/* the verdict line of a child that runs @fn on a page it gave back */
static void contents_child(int fd, void (*fn)(char *))
{
	FILE *out = fdopen(fd, "w");
	char *p;

	begin();
	m.family_name = "percpu";
	m.variant_name = "v-test";
	mm_report_sanitizer_deaths(out, "MMDIFF-VERDICT: ", false);
	p = mm_pages_alloc(1, MM_FAIL_NR);
	mm_fill(p + 64, 200, 7, 0);
	mm_pages_free(p, 1);
	fn(p);
	fprintf(out, "not caught\n");
	fflush(out);
	_exit(0);
}

static void contents_caught(void (*fn)(char *), const char *want)
{
	char buf[256] = "";
	int fds[2];
	ssize_t n;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		contents_child(fds[1], fn);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, NULL, 0);
	CHECK(!strcmp(buf, want));
	if (strcmp(buf, want))
		fprintf(stderr, "child said: '%s', want '%s'\n", buf, want);
}

int main(void)
{
	reuse();
	lazy_zero();
	double_free();
#ifdef HAVE_ASAN
	contents_caught(pcpu_fill_depopulated,
			"MMDIFF-VERDICT: percpu/v-test/MEMORY_SAFETY@pcpu_fill_depopulated\n");
	contents_caught(pcpu_check_depopulated,
			"MMDIFF-VERDICT: percpu/v-test/MEMORY_SAFETY@pcpu_check_depopulated\n");
#endif
	return test_done("test_pool");
}
