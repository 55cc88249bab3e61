// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AFL++ custom mutator library (build/bin/mmdiff-afl-mutator.so, built
 * by the afl flavor) as afl-fuzz loads it: its interface resolves, it takes
 * the family from MMDIFF_FAMILY, and its outputs decode with the real
 * family tables (it carries a generated copy) to named, in-range ops with
 * no byte left undecoded, within max_size, deterministic given the seed.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "mutator.h"
#include "test.h"

typedef void *(*init_fn)(void *afl, unsigned int seed);
typedef size_t (*fuzz_fn)(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
			  uint8_t *add_buf, size_t add_buf_size, size_t max_size);
typedef void (*deinit_fn)(void *data);

static bool valid(const struct mm_family *f, const uint8_t *d, size_t n)
{
	static struct mm_input in;

	mm_decode(f, d, n, &in);
	if (mm_encoded_size(f, &in) != n)
		return false;
	for (int i = 0; i < f->nr_cfg; i++)
		if (in.cfg.v[i] < f->cfg[i].lo || in.cfg.v[i] > f->cfg[i].hi)
			return false;
	for (int k = 0; k < in.nr_ops; k++) {
		const struct mm_opdesc *d = &f->ops[in.ops[k].id];

		if (!d->name)
			return false;
		for (int a = 0; a < d->nr_args; a++)
			if (in.ops[k].arg[a] < d->args[a].lo || in.ops[k].arg[a] > d->args[a].hi)
				return false;
	}
	return true;
}

int main(void)
{
	const char *path = MM_BIN_DIR "/mmdiff-afl-mutator.so";
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const struct mm_family *f;
	init_fn init;
	fuzz_fn fuzz;
	deinit_fn deinit;

	if (!h) {
		fprintf(stderr, "%s (build the afl flavor: ./build.sh build afl)\n", dlerror());
		CHECK(h);
		return test_done("test_afl_mutator");
	}
	init = (init_fn)dlsym(h, "afl_custom_init");
	fuzz = (fuzz_fn)dlsym(h, "afl_custom_fuzz");
	deinit = (deinit_fn)dlsym(h, "afl_custom_deinit");
	CHECK(init && fuzz && deinit);
	/* only the interface is exported */
	CHECK(!dlsym(h, "mm_mutate"));
	if (!init || !fuzz || !deinit)
		return test_done("test_afl_mutator");
	for (int fi = 0; (f = mm_family_at(fi)); fi++) {
		static uint8_t buf[2048], add[512];
		struct mm_rng r = { 99 + fi };
		size_t n = 0;
		int bad = 0, ops = 0;
		void *m, *m2;

		setenv("MMDIFF_FAMILY", f->name, 1);
		m = init(NULL, 1234);
		m2 = init(NULL, 1234);
		CHECK(m && m2);
		for (int it = 0; it < 3000; it++) {
			uint8_t *out = NULL, *out2 = NULL;
			size_t addn = mm_rng_below(&r, sizeof(add)), max, got, got2;
			static struct mm_input in;

			for (size_t i = 0; i < addn; i++)
				add[i] = (uint8_t)mm_rng_next(&r);
			if (it % 100 == 0) {	/* now and then random bytes */
				n = mm_rng_below(&r, sizeof(buf));
				for (size_t i = 0; i < n; i++)
					buf[i] = (uint8_t)mm_rng_next(&r);
			}
			max = it % 7 ? 1 << 20 : 40 + mm_rng_below(&r, 200);
			got = fuzz(m, buf, n, &out, it % 2 ? add : NULL, addn, max);
			got2 = fuzz(m2, buf, n, &out2, it % 2 ? add : NULL, addn, max);
			CHECK(out && out2);
			if (!out || !out2)
				break;
			bad += got > max || !valid(f, out, got);
			bad += got != got2 || memcmp(out, out2, got);
			mm_decode(f, out, got, &in);
			ops += in.nr_ops;
			n = got < sizeof(buf) ? got : sizeof(buf);
			memcpy(buf, out, n);
			if (in.nr_ops > 60)
				n = 0;
		}
		fprintf(stderr, "  %s: 3000 outputs, %d invalid, %.1f ops on average\n",
			f->name, bad, ops / 3000.0);
		CHECK_EQ(bad, 0);
		CHECK(ops > 3000);
		deinit(m);
		deinit(m2);
	}
	dlclose(h);
	return test_done("test_afl_mutator");
}
