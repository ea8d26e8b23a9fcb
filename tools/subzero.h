/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the `subzero` tool share: exit codes, the parsed options, the
 * device, time, and the output layer (output.c).  main.c lists the commands.
 */
#ifndef SUBZERO_TOOL_H
#define SUBZERO_TOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "output.h"	/* text or JSON */
#include "uapi/subzero.h"
#include "types.h"

/* The tool's version; the module's is MODULE_VERSION in linux/main.c (--version shows both). */
#define SUBZERO_TOOL_VERSION	"0.2"

/* Exit codes (documented in the usage text and docs/subzero.8). */
enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_NOMODULE, EXIT_PERM };

extern const char *prog;

/* Say what is wrong on stderr ("subzero: ..."), return @code. */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- options (main.c) ---- */

enum {
	OPT_JSON = 1 << 0,		/* --json */
	OPT_CPU = 1 << 1,		/* --cpu N */
	OPT_INTERVAL = 1 << 2,		/* --interval S [--count K] */
	OPT_FOLLOW = 1 << 3,		/* -f [--timeout S] */
	OPT_ACCESS = 1 << 4,		/* --access rwx */
	OPT_CHECK = 1 << 5,		/* --check (vmcs) */
};

struct opts {
	bool one, follow, check;	/* --json goes to the output layer (output.h) */
	unsigned int cpu;		/* with one: the CPU asked for */
	double interval;		/* seconds; 0: no interval mode */
	unsigned long count;		/* reports in interval mode; 0: until interrupted */
	double timeout;			/* seconds to follow; 0: until interrupted */
	u32 access;			/* --access: SUBZERO_ACCESS_*; 0 if not given */
	char **args;			/* the positional arguments */
	int nargs;
	unsigned int first, end;	/* the CPUs to show, once the device said how many */
	int rc;				/* exit code when parse_opts() says stop */
};

/*
 * Parse @argv (argv[0] names the command, e.g. "watch add") with getopt_long: the
 * options in @allowed and at most @max_args positional arguments.  Returns 0, or 1
 * when the command must stop with exit code o->rc: after --help (0) or a usage error
 * (2, said on stderr with the command's usage line).
 */
int parse_opts(const char *cmd, int argc, char **argv, unsigned int allowed, int max_args,
	       struct opts *o);

/* A usage error in @cmd: the message, the command's usage line; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int parse_addr(const char *s, unsigned long long *addr);

/* ---- the device and time (device.c) ---- */

/* Open /dev/subzero, or say plainly why not.  Returns the fd or -(exit code). */
int open_device(void);
int get_info(int fd, struct subzero_info *info);

/*
 * Parse the options, open the device and check the CPU number against it.  Returns
 * the open fd, or -1 to stop with exit code o->rc (0 after --help; else it has said
 * what is wrong).
 */
int cmd_start(const char *cmd, int argc, char **argv, unsigned int allowed, int max_args,
	      struct opts *o, struct subzero_info *info);

/* cmd_start() after the options: open the device, check --cpu against it. */
int device_start(const char *cmd, struct opts *o, struct subzero_info *info);

/* Follow and interval modes stop cleanly on Ctrl-C (the JSON stays well-formed). */
extern volatile sig_atomic_t stop;
void catch_signals(void);
double now_s(void);

/* -f: catch Ctrl-C, return the --timeout deadline (0: none; also without -f). */
double follow_start(const struct opts *o);

/* Stop following: not -f, interrupted, or past @deadline. */
bool follow_over(const struct opts *o, double deadline);
void sleep_s(double s);
struct vmx_caps;
/* The capabilities the module read on @cpu (caps.c): 0, 1 if none (offline), -errno. */
int get_caps(int fd, unsigned int cpu, struct vmx_caps *c);

double tsc_seconds(unsigned long long cycles, const struct subzero_info *info);

/* The loaded module's version (/sys/module/subzero/version), or NULL. */
const char *module_version(char *buf, size_t n);

/* ---- the commands, one group per file; argv[0] is the command's name ---- */

int cmd_status(int argc, char **argv);		/* status.c */
int cmd_lock(int argc, char **argv);		/* lock.c */
/* This CPU's lock state (SUBZERO_IOC_LOCK, query); -errno (ENOTTY: an older module). */
int get_lock(int fd, unsigned int cpu, struct subzero_lock *l);
int cmd_events(int argc, char **argv);		/* watch.c */
int cmd_stats(int argc, char **argv);		/* stats.c */
/* One CPU's stats (SUBZERO_IOC_CPU_STATS; without histograms from an older module). */
int get_stats(int fd, unsigned int cpu, struct subzero_cpu_stats *st);
unsigned long long total_exits(const struct subzero_cpu_stats *st);
int cmd_vmcs(int argc, char **argv);		/* vmcs.c */
int cmd_log(int argc, char **argv);		/* log.c */
int cmd_detach_attach(int argc, char **argv);
int cmd_caps(int argc, char **argv);		/* caps.c */
int cmd_check(int argc, char **argv);		/* check.c */
int cmd_watch(int argc, char **argv);		/* watch.c */
int cmd_protect(int argc, char **argv);
int cmd_ept(int argc, char **argv);

#endif
