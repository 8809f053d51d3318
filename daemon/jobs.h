/*
 * jobs.h - the job system on the loop thread: submit (a committed row
 * before the reply), a queue bounded by --max-queue, at most --jobs running
 * at once, cancel, retry, events (stored with sequence numbers, then fanned
 * out to subscribed connections), recovery after a crash, shutdown.
 *
 * A running job is a struct job_run that walks the pipeline's stages
 * (pipeline.c) one at a time.
 */
#ifndef RUSTIFY_JOBS_H
#define RUSTIFY_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "daemon.h"

struct proc;
struct pipeline_state;
struct build_state;
struct job_run;

/* One stage of the pipeline: its name and the function that starts it. */
struct job_stage {
	const char *name;
	void (*start)(struct job_run *r); /* NULL: not implemented yet */
};

/*
 * What jobs.c needs of the pipeline, handed over as a table of operations
 * (pipeline.c defines it, daemon_wire() puts it in d->pipeline), so that
 * jobs.c depends on no stage.
 */
struct job_pipeline {
	const struct job_stage *stages;
	size_t nstages;
	void (*finish)(struct job_run *r);  /* the result's last keys */
	void (*release)(struct job_run *r); /* the stages' data of a run */
};

struct job_run;
typedef void (*job_child_done)(struct job_run *r, int64_t status, int sig,
			       bool timed_out);
/* stream: 1 stdout, 2 stderr; the line has no newline. */
typedef void (*job_line_fn)(struct job_run *r, int stream, const char *line,
			    size_t len);

struct job_run {
	struct daemon *d;
	char *id;
	json_t *request;	    /* params of job/submit */
	json_t *result;		    /* the result document being built */
	json_t *data;		    /* stage outputs kept between stages */
	struct pipeline_state *ps;  /* owned by pipeline.c */
	struct build_state *bs;	    /* owned by build.c */
	struct job_run *build_next; /* in the daemon's build queue */
	int stage;		    /* index into the pipeline's stage table */
	double stage_started;
	double started_at;
	char *work_dir;	   /* state_dir/work/<id> */
	struct proc *proc; /* the running child, if any */
	bool has_work;	   /* a uv_queue_work item is in flight */
	bool is_cancelled;
	bool is_finished;
	bool is_done_early; /* a stage ended the job with success */
	bool is_dry_run;    /* build and verify are skipped, deliver runs */
	job_child_done child_done; /* job_spawn's callbacks */
	job_line_fn child_line;
	size_t log_lines;
	size_t log_dropped;
	int64_t last_seq;  /* of the job's last event, stored or remembered */
	char *fail_reason; /* the job fails (a write failed, no work folder) */
	struct job_run *next;
};

/* At start: recover interrupted jobs, kill leftover children, start
 * queued jobs. */
int jobs_start(struct daemon *d, struct err *err);
/* Validated job/submit params -> a committed queued job. */
int jobs_submit(struct daemon *d, json_t *request, const char *retry_of,
		char **id, struct err *err);
int jobs_cancel(struct daemon *d, const char *id, struct err *err);
/* Starts queued jobs while slots are free (deferred to an idle callback). */
void jobs_kick(struct daemon *d);
/* Shutdown: interrupts running jobs; returns true when none remain. */
bool jobs_stop_all(struct daemon *d, const char *why);
bool jobs_any_running(struct daemon *d);

/* Appends an event to the job's log in the store and sends it to every
 * subscriber. params gets "job" and "seq" added. */
void job_event(struct daemon *d, const char *id, const char *kind,
	       json_t *params /* stolen */);

/* Gives freed memory back to the system in a moment (malloc_trim on the
 * pool, 2 s after the first call): after a request or a job. */
void jobs_trim_soon(struct daemon *d);

/* Frees a finished run once no work item or child refers to it. */
void jobs_run_maybe_free(struct job_run *r);

/* Used by stages. */
void job_progress(struct job_run *r, int percent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void job_log(struct job_run *r, const char *stream, const char *line,
	     size_t len);
/* stage statuses */
#define STAGE_DONE    "done"
#define STAGE_SKIPPED "skipped"
#define STAGE_FAILED  "failed"
/* Ends the current stage and moves on (or ends the job when failed). */
void job_stage_done(struct job_run *r, const char *status, const char *message);
/*
 * Ends the current stage (status "again") and goes back to the earlier
 * stage named stage, which runs again with what the run holds now (a
 * build that found one function's Rust broken has the translation
 * repeated without it).
 */
void job_stage_again(struct job_run *r, const char *stage,
		     const char *message);

/*
 * A child process of a job: the one way a stage runs a program. It runs
 * under the supervisor (supervise.c) in a process group of its own, with
 * a time limit; r->proc is it while it lives (cancel and shutdown kill it
 * and everything below it); each output line goes to on_line (NULL: the
 * job log); done() runs once it exited and its pipes closed, unless the
 * job ended meanwhile.
 */
struct job_child {
	const char *const *args; /* args[0]: the program, searched in PATH */
	char **env;		 /* NULL: the daemon's environment */
	const char *cwd;
	double timeout; /* seconds */
	job_line_fn on_line;
	job_child_done done;
};
/* 0, or a negative code after failing the stage with the reason. */
int job_spawn(struct job_run *r, const struct job_child *c);

/* Runs fn(arg) on the worker pool, then after(r, arg) on the loop thread,
 * unless the job was cancelled meanwhile (then cleanup(arg) only). */
typedef void (*job_work_fn)(void *arg);
typedef void (*job_after_fn)(struct job_run *r, void *arg);
void job_queue_work(struct job_run *r, job_work_fn fn, job_after_fn after,
		    void (*cleanup)(void *arg), void *arg);

#endif
