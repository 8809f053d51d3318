/*
 * store.h - rustifyd's persistent state in SQLite, two database files in
 * the state dir:
 *
 *   jobs.db   jobs, their events (progress/log/done, with per-job sequence
 *             numbers), live child process groups, watches. Precious: when
 *             it is corrupt it is moved aside (jobs.db.corrupt-<unix time>)
 *             with a loud log line, never deleted.
 *   cache.db  content-addressed stage results (source index, profiles,
 *             artifacts/wheels) with size and last use, plus hit/miss
 *             counters. Disposable: when corrupt or unreadable it is moved
 *             aside and a fresh one created.
 *
 * Both use WAL, a busy timeout, foreign keys, and PRAGMA user_version as the
 * schema version with ordered migrations. Calls on the store itself are
 * made from the loop thread; the worker pool has connections of its own
 * (store_bg_acquire), for work that moves big rows (wheels, samples,
 * indexes) or scans tables. Each public call is one transaction.
 * Times are Unix seconds as doubles (sub-second precision).
 */
#ifndef RUSTIFY_STORE_H
#define RUSTIFY_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <sqlite3.h>

#include "rustify/buf.h"
#include "rustify/error.h"
#include "rustify/job.h"

struct store {
	sqlite3 *jobs;
	sqlite3 *cache;
	char *dir;
	int id_fd; /* jobs.last-id: the highest job id ever issued */
	struct store *bg; /* the worker pool's connections (store_bg_*) */
	pthread_mutex_t *bg_lock;
};

/* Job states (strings stored in the jobs table): rustify/job.h. */

/*
 * Opens (creating if needed) both databases in dir (which must exist).
 * Runs PRAGMA quick_check on each at open; a corrupt or unreadable cache is
 * moved aside and recreated, a corrupt jobs db is moved aside and recreated
 * with an error-level log line. *notes receives a JSON array of strings
 * describing what was moved aside (may be empty); caller logs them.
 */
int store_open(struct store *s, const char *dir, json_t **notes,
	       struct err *err);
void store_close(struct store *s);
/*
 * The worker pool's connections to the same databases, for one thread at
 * a time (the others wait): pass the returned store to the usual
 * functions, then store_bg_release(). Opened on first use; NULL with err
 * when they cannot be. Never from the loop thread.
 */
struct store *store_bg_acquire(struct store *s, struct err *err);
void store_bg_release(struct store *s);
/* PRAGMA integrity_check on both; 0 when both say "ok". */
int store_integrity_check(struct store *s, struct err *err);

/* ---- jobs -------------------------------------------------------------- */

/*
 * Inserts a queued job with the given request (params of job/submit, kept
 * verbatim) and optional retry_of. Returns the new id (malloc'd) in *id.
 * Ids are decimal strings of a monotonically increasing integer that is
 * never reused, even after deletes.
 */
int store_job_insert(struct store *s, json_t *request, const char *retry_of,
		     char **id, struct err *err);
/*
 * The job object as sent on the wire:
 * {"id","state","request","stage","percent","error","retry_of",
 *  "created_at","started_at","finished_at","last_seq"}
 * (stage/error/retry_of/started_at/finished_at null when unset; percent
 * 0..100). RUSTIFY_ENOJOB when absent (message names the id).
 */
int store_job_get(struct store *s, const char *id, json_t **job,
		  struct err *err);
/* Newest first, at most limit (<= 0: all); optional state filter (NULL: any).
 */
int store_job_list(struct store *s, int limit, const char *state, json_t **jobs,
		   struct err *err);
/*
 * Moves a job to a new state and sets started_at (running) or finished_at
 * (done/failed/cancelled/interrupted). error may be NULL.
 */
int store_job_set_state(struct store *s, const char *id, const char *state,
			const char *error, struct err *err);
int store_job_set_stage(struct store *s, const char *id, const char *stage,
			int percent, struct err *err);
/* Result document of a finished job (job/result). */
int store_job_set_result(struct store *s, const char *id, json_t *result,
			 struct err *err);
/*
 * Ends a job in one transaction: stores its result (unless NULL) and,
 * when the row is still running (a cancel writes its own state), the
 * final state and error and a job/done event, whose full params go to
 * *done (NULL when the row was not running).
 */
int store_job_finish(struct store *s, const char *id, const char *state,
		     const char *error, json_t *result, json_t **done,
		     struct err *err);
/* *result is NULL (not an error) when the job has none yet. */
int store_job_get_result(struct store *s, const char *id, json_t **result,
			 struct err *err);
/* The stored request (params of job/submit). */
int store_job_get_request(struct store *s, const char *id, json_t **request,
			  struct err *err);
/* Ids (JSON array of strings) of queued jobs, oldest first. */
int store_jobs_queued(struct store *s, json_t **ids, struct err *err);
/*
 * Crash recovery at start: every job in state running becomes interrupted
 * (error "daemon stopped while the job was running"), and a job/done event
 * is appended for each. *ids lists them.
 */
int store_jobs_recover(struct store *s, json_t **ids, struct err *err);

/* ---- events ------------------------------------------------------------- */

/*
 * Appends an event to a job; seq is 1 + the job's previous last seq. kind is
 * the notification method ("job/progress", "job/log", "job/done"); params is
 * the notification's params without "job" and "seq", which this function
 * adds (the stored and returned object is the full params). *out (optional)
 * receives the full params object (new reference).
 */
int store_event_append(struct store *s, const char *id, const char *kind,
		       json_t *params, json_t **out, struct err *err);
/*
 * Events of a job with seq > since_seq, in order, as a JSON array of
 * {"method": kind, "params": {...}}.
 */
int store_events_since(struct store *s, const char *id, int64_t since_seq,
		       json_t **events, struct err *err);
/*
 * One page of a replay: the events of a job with seq > since_seq, in
 * order, framed as job notifications onto out, until out holds max_bytes
 * (at least one event). No JSON is parsed: a page costs its bytes.
 */
struct store_page {
	int64_t last_seq; /* of the last event in the page (since_seq: none) */
	size_t count;
	bool has_done; /* the page ends with the job's job/done */
	bool is_full;  /* it stopped at max_bytes: more may follow */
};
int store_events_page(struct store *s, const char *id, int64_t since_seq,
		      size_t max_bytes, struct buf *out,
		      struct store_page *page, struct err *err);
/* Deletes events of jobs finished before the given time; *n = rows deleted. */
int store_events_gc(struct store *s, double finished_before, int64_t *n,
		    struct err *err);

/* ---- live child processes ----------------------------------------------- */

/*
 * start_time is field 22 of /proc/<pid>/stat (clock ticks since boot), so
 * that recovery kills a group only when its leader is still the process we
 * started (pids are reused).
 */
int store_child_add(struct store *s, const char *job_id, pid_t pid,
		    uint64_t start_time, const char *cmd, struct err *err);
int store_child_remove(struct store *s, pid_t pid, struct err *err);
/* JSON array of {"job","pid","start_time","cmd"}. */
int store_children_list(struct store *s, json_t **children, struct err *err);

/* ---- watches (used by the watch module) --------------------------------- */

int store_watch_put(struct store *s, const char *path, json_t *options,
		    struct err *err);
int store_watch_delete(struct store *s, const char *path, struct err *err);
/* JSON array of {"path","options","created_at"}. */
int store_watch_list(struct store *s, json_t **watches, struct err *err);

/* ---- cache --------------------------------------------------------------- */

/*
 * Tables: "source_index", "profile", "artifact". Keys are hex SHA-256
 * strings computed by the caller. value is a JSON document; blob (may be
 * NULL/0) carries binary payloads such as wheels. A get updates last_used
 * and counts a hit or a miss for the table. *value NULL means miss.
 */
int store_cache_get(struct store *s, const char *table, const char *key,
		    json_t **value, void **blob, size_t *blob_len,
		    struct err *err);
int store_cache_put(struct store *s, const char *table, const char *key,
		    json_t *value, const void *blob, size_t blob_len,
		    struct err *err);
/*
 * {"tables": {"source_index": {"entries","bytes","hits","misses"}, ...},
 *  "jobs": {"entries","events"}, "db_bytes": {"jobs","cache"}}
 */
int store_cache_stats(struct store *s, json_t **stats, struct err *err);
/*
 * Deletes least recently used cache entries until the total payload size
 * (value + blob bytes across tables) is at most limit_bytes.
 * *report: {"removed_entries","removed_bytes","remaining_bytes"}.
 */
int store_cache_gc(struct store *s, int64_t limit_bytes, json_t **report,
		   struct err *err);

#endif
