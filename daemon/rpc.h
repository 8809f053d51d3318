/*
 * rpc.h - the JSON-RPC method table. Each method family lives in its own
 * file (rpc-daemon.c, rpc-job.c, rpc-cache.c, ...) and exports a table;
 * rpc.c only looks names up.
 */
#ifndef RUSTIFY_RPC_H
#define RUSTIFY_RPC_H

#include <jansson.h>

#include "daemon.h"

struct rpc_method;

struct rpc_ctx {
	struct conn *conn;
	struct daemon *d;
	/* Messages to send after the reply (e.g. a subscription's replay). */
	json_t *after;
	/* Every family's table, NULL-terminated (initialize lists them). */
	const struct rpc_method *const *families;
	json_t *id;	/* the request's id (NULL: a notification) */
	bool can_defer; /* not inside a batch: the method may answer later */
};

/*
 * A method whose work does not belong on the loop thread (reading and
 * indexing a big file, walking the cargo target dir) takes a struct
 * rpc_later, returns RPC_LATER, and answers from the worker pool's
 * after-callback; the connection may have closed by then (the answer is
 * dropped). Replies to later requests may overtake it: clients match
 * replies by id.
 */
#define RPC_LATER 1
struct rpc_later;
struct rpc_later *rpc_later_new(struct rpc_ctx *ctx);
/* The id to put in a reply built elsewhere (borrowed, NULL for a
 * notification). */
json_t *rpc_later_id(struct rpc_later *l);
/* Sends the reply (result stolen, or err when result is NULL) and frees
 * l. Loop thread. */
void rpc_later_reply(struct rpc_later *l, json_t *result,
		     const struct err *err);
/* Sends a reply framed already (data malloc'd, taken) and frees l. */
void rpc_later_reply_raw(struct rpc_later *l, char *data, size_t len);

/*
 * A method fills *result (a new reference) and returns 0, or returns a
 * negative RUSTIFY_E* code with err set; the code picks the JSON-RPC error.
 */
typedef int (*rpc_fn)(struct rpc_ctx *ctx, json_t *params, json_t **result,
		      struct err *err);

struct rpc_method {
	const char *name;
	rpc_fn fn;
};

extern const struct rpc_method rpc_daemon_methods[];
extern const struct rpc_method rpc_job_methods[];
extern const struct rpc_method rpc_cache_methods[];
extern const struct rpc_method rpc_source_methods[];
extern const struct rpc_method rpc_watch_methods[];

/* The job options of job/submit (functions, threshold, all, output,
 * python, entry, entry_cmd, iterations, list_targets, dry_run, module,
 * install), checked as job/submit checks them; no key whitelist. */
int rpc_options_check(json_t *p, struct err *err);
/* RUSTIFY_EPARAM naming the first key of p that is neither an option of
 * rustify/options.h (of a watch, when is_watch) nor in extra. */
int rpc_options_keys(json_t *p, bool is_watch, const char *const *extra,
		     struct err *err);


#endif
