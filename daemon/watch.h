/*
 * watch.h - watched directories: saved Python files under a directory are
 * re-indexed and, when a function changed, accelerated again as a job.
 *
 * The loop-thread API (watch_start ... watch_unsubscribe) is used by
 * main.c, server.c and rpc-watch.c. The pure helpers below it (ignore
 * rules, names, debounce bookkeeping, function maps) hold no libuv state
 * and are what the unit tests exercise.
 */
#ifndef RUSTIFY_WATCH_H
#define RUSTIFY_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon.h"

#define WATCH_MAX_DIRS_DEFAULT	  4096
#define WATCH_DEBOUNCE_MS_DEFAULT 300
#define WATCH_DEBOUNCE_MS_MAX	  60000

/* ---- on the loop thread ---------------------------------------------------
 */

/* After jobs_start: re-arms the watches stored in jobs.db. A stored watch
 * whose directory is gone is ended (and forgotten) with a log line. */
int watch_start(struct daemon *d, struct err *err);
/* Shutdown: closes every handle (idempotent); pool work still finishes. */
void watch_stop(struct daemon *d);
/* After the loop has run out: frees what is left. */
void watch_free(struct daemon *d);

/*
 * Watches path (absolute, a directory) with options (submit options plus
 * debounce_ms; validated by the caller). Arms one watcher per directory,
 * stores the watch, and indexes the Python files found on the worker pool
 * to know their functions. Watching a path again replaces its options.
 * *result: {"path", "options", "dirs", "files"}.
 */
int watch_add(struct daemon *d, const char *path, json_t *options,
	      json_t **result, struct err *err);
/* Ends a watch (a watch/event says so); RUSTIFY_EPARAM when not watched. */
int watch_remove(struct daemon *d, const char *path, struct err *err);
/* *result: {"watches": [{"path", "options", "created_at", "dirs", "files",
 * "armed", "error"}]}. */
int watch_list(struct daemon *d, json_t **result, struct err *err);
/* watch/event notifications go to subscribed connections. */
void watch_subscribe(struct daemon *d, struct conn *c);
void watch_unsubscribe(struct daemon *d, struct conn *c);

/* ---- pure helpers (unit-tested) ------------------------------------------ */

/*
 * A .gitignore's simple patterns: names ("build"), directories ("out/"),
 * globs ("*.gen.py", "tmp_*"), paths from the root ("/docs", "a/b/x_*.py"),
 * a leading "**" + "/", negation ("!keep.py": the last matching rule
 * wins), comments and blank lines. A directory that is ignored is not
 * entered, so nothing under it can be re-included (as in git).
 */
struct watch_ignore_rule {
	char *pattern;
	bool is_dir_only; /* "name/" */
	bool is_anchored; /* had a '/' before its end: matches the path */
	bool is_negated;  /* "!pattern" */
};

struct watch_ignore {
	struct watch_ignore_rule *rules;
	size_t nrules;
};

void watch_ignore_init(struct watch_ignore *ig);
void watch_ignore_release(struct watch_ignore *ig);
/* Adds the rules of a .gitignore's text. */
void watch_ignore_parse(struct watch_ignore *ig, const char *text, size_t len);
/* rel: a path relative to the root, without a leading '/'. */
bool watch_ignore_match(const struct watch_ignore *ig, const char *rel,
			bool is_dir);

/* Directory names never watched: .git and other hidden folders,
 * __pycache__, rustify-out, node_modules, build, target. */
bool watch_is_skipped_dir_name(const char *name);
/* "mod.py", not ".#mod.py", ".mod.py" or "mod.py~". */
bool watch_is_python_name(const char *name);

/*
 * Debounce: pending maps a file to [first, due] (milliseconds on any
 * monotonic clock). A touch sets due = now + delay, but never later than
 * first + 10 * delay, so a file saved without pause is still processed.
 */
void watch_pending_touch(json_t *pending, const char *file, uint64_t now,
			 uint64_t delay);
/*
 * Moves up to max files that are due at now and not in busy (an object
 * keyed by file, may be NULL) from pending to the array due. Returns the
 * milliseconds until the next file not in busy is due (0: one is due now
 * but max was reached), or -1 when none waits.
 */
int64_t watch_pending_take(json_t *pending, json_t *busy, uint64_t now,
			   size_t max, json_t *due);

/* {qualname: hash} of an index document's functions (a qualname defined
 * twice maps to its hashes joined by '+'). */
json_t *watch_functions_map(json_t *index);
/* Qualnames whose hash differs between the maps (added and removed ones
 * too): new's order, then those only in old. */
json_t *watch_functions_diff(json_t *old_map, json_t *new_map);

/* The message for a failed uv_fs_event_start (a negative uv error) on
 * path, naming the kernel's inotify limits when they are the cause. */
char *watch_limit_message(int uv_error, const char *path);

#endif
