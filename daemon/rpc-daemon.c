/*
 * rpc-daemon.c - methods about the daemon itself: initialize, ping,
 * shutdown.
 */
#include <unistd.h>

#include "jobs.h"
#include "rpc.h"

static const char *const no_keys[] = {NULL};

/* Every method name, from the families rpc.c hands over in the ctx (a
 * symbol of rpc.c here would make a cycle: rpc.c lists this table). */
static json_t *method_names(const struct rpc_ctx *ctx)
{
	json_t *names = json_array();

	for (size_t i = 0; ctx->families[i]; i++)
		for (const struct rpc_method *m = ctx->families[i]; m->name;
		     m++)
			json_array_append_new(names, json_string(m->name));
	return names;
}

static int rpc_initialize(struct rpc_ctx *ctx, json_t *params, json_t **result,
			  struct err *err)
{
	static const char *const keys[] = {"client_name", "client_version",
					   "protocol_version", NULL};
	const struct daemon_config *cfg = &ctx->d->cfg;
	const char *s;
	json_int_t v;
	json_t *stages;
	int rc;

	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = params_get_string(params, "client_name", false, &s, err)) <
		0 ||
	    (rc = params_get_string(params, "client_version", false, &s, err)) <
		0 ||
	    (rc = params_get_int(params, "protocol_version", false, 0, 1 << 30,
				 &v, err)) < 0)
		return rc;
	stages = json_array();
	for (size_t i = 0; i < ctx->d->pipeline->nstages; i++)
		json_array_append_new(
		    stages,
		    json_pack("{s:s, s:b}", "name",
			      ctx->d->pipeline->stages[i].name, "implemented",
			      ctx->d->pipeline->stages[i].start != NULL));
	*result = json_pack(
	    "{s:i, s:s, s:i, s:s, s:s, s:f,"
	    " s:{s:o, s:[s,s,s,s], s:o},"
	    " s:{s:I, s:I, s:I, s:I, s:i, s:I}}",
	    "protocol_version", RUSTIFY_PROTOCOL_VERSION, "daemon_version",
	    RUSTIFY_VERSION, "pid", (int)getpid(), "socket", cfg->socket_path,
	    "state_dir", cfg->state_dir, "started_at", ctx->d->started_at,
	    "capabilities", "methods", method_names(ctx), "notifications",
	    "job/progress", "job/log", "job/done", "watch/event", "stages",
	    stages, "limits", "max_message_bytes", (json_int_t)cfg->max_message,
	    "max_connections", (json_int_t)cfg->max_connections, "max_queue",
	    (json_int_t)cfg->max_queue, "max_outbuf_bytes",
	    (json_int_t)cfg->max_outbuf, "jobs", (int)cfg->jobs,
	    "max_watch_dirs", (json_int_t)cfg->max_watch_dirs);
	json_object_set_new(*result, "warnings",
			    ctx->d->warnings ? json_deep_copy(ctx->d->warnings)
					     : json_array());
	return 0;
}

static int rpc_ping(struct rpc_ctx *ctx, json_t *params, json_t **result,
		    struct err *err)
{
	int rc = params_check_keys(params, no_keys, err);

	if (rc < 0)
		return rc;
	*result = json_pack("{s:b, s:f}", "pong", 1, "time", now_seconds());
	return 0;
}

static int rpc_shutdown(struct rpc_ctx *ctx, json_t *params, json_t **result,
			struct err *err)
{
	int rc = params_check_keys(params, no_keys, err);

	if (rc < 0)
		return rc;
	*result = json_pack("{s:b}", "ok", 1);
	/* The reply is queued before the listener closes; connections are
	 * drained, not cut, when the daemon stops. */
	daemon_shutdown(ctx->d, "shutdown requested");
	return 0;
}

const struct rpc_method rpc_daemon_methods[] = {
    {"initialize", rpc_initialize},
    {"ping", rpc_ping},
    {"shutdown", rpc_shutdown},
    {NULL, NULL},
};
