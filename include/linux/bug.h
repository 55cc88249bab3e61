/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BUG_ON/WARN_ON: a port's own assertion failing is a violation of the
 * variant (the kernel would oops or warn), reported as KERNEL_BUG/WARN.
 */
#ifndef MM_SHIM_LINUX_BUG_H
#define MM_SHIM_LINUX_BUG_H
#include <linux/types.h>
#include <mm/machine.h>

#define BUG_ON(c) \
	do { if (unlikely(c)) mm_violation("KERNEL_BUG", __func__, "BUG_ON(%s)", #c); } while (0)
#define BUG() mm_violation("KERNEL_BUG", __func__, "BUG()")
#define WARN_ON(c) ({ bool __w = !!(c);					\
	if (unlikely(__w)) {							\
		mm_violation("KERNEL_WARN", __func__, "WARN_ON(%s)", #c);	\
	}									\
	__w; })
#define WARN_ON_ONCE(c) WARN_ON(c)
#endif
