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
};

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
