/*
 * proc.h - child processes (python, maturin, cargo) run by jobs.
 *
 * Each child is spawned detached (setsid), so it leads its own process
 * group; the group is recorded in the store while it lives, killed as a
 * whole on timeout, cancel and shutdown, and killed again after the leader
 * exits. A supervised child (what jobs run) is a supervisor (supervise.c)
 * that runs the program below it as a subreaper: stopping it (SIGTERM)
 * kills every descendant, even those that left the group, and the group
 * is killed a few seconds later should it not be done by then. Output
 * arrives line by line.
 */
#ifndef RUSTIFY_PROC_H
#define RUSTIFY_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon.h"

#define PROC_MAX_LINE 4096

struct proc;

/* stream: 1 stdout, 2 stderr. The line has no newline; it is cut at
 * PROC_MAX_LINE bytes. */
typedef void (*proc_line_cb)(struct proc *p, int stream, const char *line,
			     size_t len, void *data);
/* Called once, after the process exited and its pipes closed; the proc is
 * freed right after. exit_status is -1 when killed by term_signal. */
typedef void (*proc_exit_cb)(struct proc *p, int64_t exit_status,
			     int term_signal, bool timed_out, void *data);

struct proc_opts {
	const char *file; /* program; searched in PATH when no slash */
	char **args;	  /* argv, NULL-terminated, args[0] is the name */
	char **env;	  /* NULL: inherit */
	const char *cwd;
	double timeout;	    /* seconds; <= 0: none */
	const char *job_id; /* for the children table */
	bool is_supervised; /* run under `rustifyd --supervise` */
	proc_line_cb on_line;
	proc_exit_cb on_exit;
	void *data;
};

int proc_spawn(struct daemon *d, const struct proc_opts *o, struct proc **out,
	       struct err *err);
/* Kills the whole process group (SIGKILL), or has the supervisor kill
 * every descendant. Idempotent. */
void proc_kill(struct proc *p);
pid_t proc_pid(const struct proc *p);
/* Field 22 of /proc/PID/stat: start time in clock ticks since boot;
 * 0 when the process is gone. */
uint64_t proc_start_time(pid_t pid);
/* Recovery: kill the groups the store says were live, when the leader is
 * still the process that was started; clears the table. */
void proc_reap_recorded(struct daemon *d);

#endif
