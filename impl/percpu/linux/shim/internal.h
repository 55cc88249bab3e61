/* SPDX-License-Identifier: GPL-2.0-only */
/* mm/internal.h: what mm/percpu-vm.c takes from it is in kshim.h */
#include <kshim.h>
