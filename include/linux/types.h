/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel integer types and attributes the ports use. */
#ifndef MM_SHIM_LINUX_TYPES_H
#define MM_SHIM_LINUX_TYPES_H
/* the system's uapi types first: libc headers (sys/stat.h) need __u32 & co */
#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned int gfp_t;
typedef uintptr_t phys_addr_t;

#define __percpu
#define __rcu
#define __read_mostly
#define __init
#define __force
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#ifdef MM_THREADS
#include <mm/once.h>
#define READ_ONCE(x)	MM_READ_ONCE(x)
#define WRITE_ONCE(x, v) MM_WRITE_ONCE(x, v)
#define data_race(x)	MM_DATA_RACE(x)
#else
#define READ_ONCE(x)	(x)
#define WRITE_ONCE(x, v) ((x) = (v))
#define data_race(x)	(x)
#endif
#endif
