// SPDX-License-Identifier: GPL-2.0-only
/*
 * One real-source percpu variant: the kernel's mm/percpu.c of one tree,
 * both backends (glue.c runs them).  Compiled once per tree build.sh
 * extracted, with MMK_VSYM (percpu_linux_6_1), MMK_VNAME ("linux-6.1"),
 * MMK_VM and MMK_KM (the two copies' mmk_kernel symbols), MMK_MODELS and
 * MMK_REF (the oldest tree's variant, or nothing for it: a reference).
 */
#include "mmk_kernel.h"
#include "percpu_port.h"

#ifndef MMK_REF
#define MMK_REF NULL
#endif

extern const struct mmk_kernel MMK_VM, MMK_KM;
extern const struct pcpu_port mmk_port_template;
void *mmk_port_create(const struct mmk_kernel *vm, const struct mmk_kernel *km,
		      const struct mm_config *cfg, const struct pcpu_live *live, long *boot);

static struct pcpu_port port;

static void *create(const struct mm_config *cfg, const struct pcpu_live *live, long *boot)
{
	return mmk_port_create(&MMK_VM, &MMK_KM, cfg, live, boot);
}

static void *variant_create(const struct mm_config *cfg)
{
	if (!port.create) {
		port = mmk_port_template;
		port.create = create;
	}
	return pcpu_exec_create(&port, cfg);
}

const struct mm_variant MMK_VSYM = {
	.name = MMK_VNAME,
	.family = "percpu",
	.reference = MMK_REF,
	.models = MMK_MODELS,
	.expect = "clean",
	.create = variant_create,
	.exec = pcpu_exec_op,
	.check = pcpu_exec_check,
	.observe = pcpu_exec_observe,
	.dump = pcpu_exec_dump,
};
