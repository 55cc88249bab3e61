#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Drain latency under contention, reference against the kthread variants:
# ticks drain_all_pages(NULL) from CPU 0 waits for its flush when CPU 1 has
# pages on its pcp list and WORK ticks of other mm_percpu_wq work queued
# ahead of the drain, with HOGS normal-priority tasks competing for CPU 1.
# Prints a markdown table (docs/drain.md).  Usage: latency.sh [BIN_DIR]
set -euo pipefail
BIN=${1:-build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| other work ahead (ticks) | competing tasks | v5.17 | rfc | rfc-fix |"
echo "|---|---|---|---|---|"
for work in 0 5 40 200; do
	for hogs in 0 3 7; do
		f=$tmp/s.ops
		{
			echo "family drain"
			echo "config nr_cpus=2 dma32_pages=16 normal_pages=32 wmark_min=0 pcp_batch=4 pcp_high_mult=6 boot=late"
			echo "alloc cpu=1 zone=Normal mt=movable gfp=GFP_KERNEL n=8"
			echo "free cpu=1 k=0 n=4"
			echo "cpu_load cpu=1 nr=$hogs"
			left=$work
			while [ "$left" -gt 0 ]; do
				c=$((left > 100 ? 100 : left))
				echo "inject_work cpu=1 kind=vmstat_update cost=$c pages=0"
				left=$((left - c))
			done
			echo "drain_all_pages cpu=0 zone=NULL force_all_cpus=0"
		} >"$f"
		row="| $work | $hogs |"
		for v in v5.17 rfc rfc-fix; do
			t=$("$BIN/mmdiff" run -v --variants "$v" "$f" | sed -n 's/.*drained, waited \([0-9]*\) ticks.*/\1/p' | tail -1)
			row+=" ${t:-?} |"
		done
		echo "$row"
	done
done
