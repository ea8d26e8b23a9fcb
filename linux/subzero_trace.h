/* SPDX-License-Identifier: GPL-2.0 */
/*
 * subzero's tracepoints, so perf, trace-cmd and bpftrace see what the hypervisor saw:
 *
 *   subzero:subzero_watch   one watched or protected access (core/watch.h's event)
 *   subzero:subzero_log     one line the hypervisor logged (core/log.h's ring)
 *
 * Emitted by the drain, in normal context, never in VMX root (root code may not be
 * traced): events carry the TSC at which root recorded them, and reach the trace
 * buffer at most one drain period later (or when the tool reads them).  Reading them
 * through a tracepoint does not consume them: `subzero watch events` and `subzero log`
 * still get every one.
 *
 *   echo 1 > /sys/kernel/tracing/events/subzero/enable; cat /sys/kernel/tracing/trace_pipe
 *   perf record -e 'subzero:*' -a;  bpftrace -e 'tracepoint:subzero:subzero_watch { ... }'
 *
 * An out-of-tree module's trace header: CREATE_TRACE_POINTS is defined in one file
 * (linux/trace.c), and <trace/define_trace.h> finds this file again through
 * TRACE_INCLUDE_PATH, which Kbuild resolves with -I$(src)/linux.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM subzero

#if !defined(SUBZERO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SUBZERO_TRACE_H

#include <linux/tracepoint.h>

#include "../core/log.h"
#include "../core/watch.h"

TRACE_EVENT(subzero_watch,
	TP_PROTO(const struct watch_event *ev),
	TP_ARGS(ev),

	TP_STRUCT__entry(
		__field(u64, tsc)
		__field(u64, gpa)
		__field(u64, gla)
		__field(u64, rip)
		__field(u32, cpu)
		__field(u32, access)
		__field(u32, kind)
		__field(u32, flags)
	),

	TP_fast_assign(
		__entry->tsc = ev->tsc;
		__entry->gpa = ev->gpa;
		__entry->gla = ev->gla;
		__entry->rip = ev->rip;
		__entry->cpu = ev->cpu;
		__entry->access = ev->access;
		__entry->kind = ev->kind;
		__entry->flags = ev->flags;
	),

	TP_printk("cpu=%u %s %c%c%c gpa=0x%llx gla=%s0x%llx rip=0x%llx tsc=%llu%s",
		  __entry->cpu,
		  __entry->kind == WATCH_KIND_PROTECT ? "protect" : "watch",
		  __entry->access & WATCH_R ? 'r' : '-',
		  __entry->access & WATCH_W ? 'w' : '-',
		  __entry->access & WATCH_X ? 'x' : '-',
		  __entry->gpa, __entry->flags & WATCH_EV_GLA ? "" : "(invalid)",
		  __entry->gla, __entry->rip, __entry->tsc,
		  __entry->flags & WATCH_EV_DISCARDED ? " discarded" : "")
);

TRACE_EVENT(subzero_log,
	TP_PROTO(u32 cpu, u64 tsc, int level, const char *text),
	TP_ARGS(cpu, tsc, level, text),

	TP_STRUCT__entry(
		__field(u64, tsc)
		__field(u32, cpu)
		__field(int, level)
		__array(char, text, LOG_LINE)
	),

	TP_fast_assign(
		__entry->tsc = tsc;
		__entry->cpu = cpu;
		__entry->level = level;
		strscpy(__entry->text, text, LOG_LINE);
	),

	TP_printk("cpu=%u level=%d tsc=%llu %s", __entry->cpu, __entry->level,
		  __entry->tsc, __entry->text)
);

#endif /* SUBZERO_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE subzero_trace
#include <trace/define_trace.h>
