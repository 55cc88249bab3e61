// SPDX-License-Identifier: GPL-2.0-only
/*
 * MEMORY_SAFETY: a variant touching a page it gave back is caught by ASan
 * and the death report names the family and variant that was running, and
 * the port function that made the access (the harness's own frames skipped).
 * The touch happens in a child process; the parent reads its report.
 */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"
#include "test.h"

/* stands for a port function touching a page it depopulated */
__attribute__((noinline)) static void pcpu_touch_depopulated(volatile char *p)
{
	p[100] = 1;
}

static void child(int fd)
{
	static struct mm_machine m;
	FILE *out = fdopen(fd, "w");
	volatile char *p;

	mm_machine_init(&m, 1, 16);
	m.family_name = "percpu";
	m.variant_name = "v-test";
	mm_machine_enter(&m);
	mm_report_sanitizer_deaths(out, "MMDIFF-VERDICT: ", false);
	p = mm_pages_alloc(1, MM_FAIL_NR);
	mm_pages_free((void *)p, 1);
	pcpu_touch_depopulated(p);
	fprintf(out, "not caught\n");
	fflush(out);
	_exit(0);
}

int main(void)
{
	int fds[2];
	char buf[256] = "";
	ssize_t n;
	pid_t pid;

#if !defined(__SANITIZE_ADDRESS__) && !(defined(__has_feature) && __has_feature(address_sanitizer))
	fprintf(stderr, "test_memory_safety: needs ASan (plain flavor)\n");
	CHECK(!"built without ASan");
	return test_done("test_memory_safety");
#endif
	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(fds[1]);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	waitpid(pid, NULL, 0);
#define WANT "MMDIFF-VERDICT: percpu/v-test/MEMORY_SAFETY@pcpu_touch_depopulated\n"
	CHECK(!strcmp(buf, WANT));
	if (strcmp(buf, WANT))
		fprintf(stderr, "child said: '%s'\n", buf);
	return test_done("test_memory_safety");
}
