/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * work_struct on explicit queues: schedule_work on a pending item is a
 * no-op, as in the kernel; items run only when an op runs the queue.
 */
#ifndef MM_SHIM_LINUX_WORKQUEUE_H
#define MM_SHIM_LINUX_WORKQUEUE_H
#include <mm/machine.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
	const char *name;
	bool pending;
	struct work_struct *next;
};

#define INIT_WORK(w, f) \
	do { (w)->func = (f); (w)->name = #f; (w)->pending = false; (w)->next = NULL; } while (0)

static inline bool queue_work(struct mm_workqueue *wq, struct work_struct *w)
{
	if (w->pending)
		return false;
	mm_queue_work(wq, w);
	return true;
}

#define schedule_work(w)	queue_work(&mm_cur->system_wq, w)
#define work_pending(w)		mm_work_pending(w)
#endif
