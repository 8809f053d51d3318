/*
 * rpc.c - JSON-RPC dispatch: parse a message body, handle a single request
 * or a batch, look the method up in the family tables, and send the reply
 * (none for notifications). Replies to a batch go out as one array.
 */
#include <string.h>

#include "jobs.h"
#include "log.h"
#include "rpc.h"

static const struct rpc_method *const families[] = {
    rpc_daemon_methods, rpc_job_methods,   rpc_cache_methods,
    rpc_source_methods, rpc_watch_methods, NULL,
};

static rpc_fn rpc_lookup(const char *name)
{
	for (size_t i = 0; families[i]; i++)
		for (const struct rpc_method *m = families[i]; m->name; m++)
			if (!strcmp(m->name, name))
				return m->fn;
	return NULL;
}

/* Handles one request object; returns the reply (NULL for notifications). */
static json_t *rpc_handle_one(struct rpc_ctx *ctx, json_t *msg)
{
	struct jsonrpc_request req = {0};
	struct err err = ERR_INIT;
	json_t *result = NULL, *reply = NULL;
	rpc_fn fn;
	int rc;

	rc = jsonrpc_request_check(msg, &req, &err);
	if (rc < 0) {
		reply = jsonrpc_error_from_err(req.id, &err);
		goto out;
	}
	fn = rpc_lookup(req.method);
	if (!fn) {
		err_set(&err, RUSTIFY_EMETHOD, "unknown method '%s'",
			req.method);
		rc = err.code;
	} else if (ctx->d->is_shutting_down && strcmp(req.method, "ping") &&
		   strcmp(req.method, "initialize") &&
		   strcmp(req.method, "shutdown")) {
		rc = err_set(&err, RUSTIFY_ESHUTDOWN,
			     "daemon is shutting down; '%s' refused",
			     req.method);
	} else {
		if (req.params && !json_is_object(req.params)) {
			rc = err_set(&err, RUSTIFY_EPARAM,
				     "params: expected an object");
		} else {
			ctx->id = req.id;
			rc = fn(ctx, req.params, &result, &err);
			ctx->id = NULL;
			if (rc == RPC_LATER)
				goto out; /* the method answers later */
			if (rc < 0 && !err.code)
				err_set(&err, rc, "%s", rustify_strerror(rc));
		}
	}
	if (!req.id) {
		/* A notification: no reply, whatever happened. */
		if (rc < 0)
			log_debug("notification %s failed: %s", req.method,
				  err_msg(&err));
		goto out;
	}
	if (rc < 0)
		reply = jsonrpc_error_from_err(req.id, &err);
	else
		reply =
		    jsonrpc_result_new(req.id, result ? result : json_null());
	result = NULL;
out:
	json_decref(result);
	err_release(&err);
	return reply;
}

void rpc_handle(struct conn *c, const char *body, size_t len)
{
	struct rpc_ctx ctx = {c, c->d, json_array(), families, NULL, true};
	struct err err = ERR_INIT;
	json_t *msg, *reply = NULL;
	size_t i;
	json_t *item;

	msg = jsonrpc_parse(body, len, &err);
	if (!msg) {
		reply = jsonrpc_error_from_err(NULL, &err);
		goto send;
	}
	if (json_is_array(msg)) {
		if (!json_array_size(msg)) {
			err_set(&err, RUSTIFY_EREQUEST,
				"empty batch: expected at least one request");
			reply = jsonrpc_error_from_err(NULL, &err);
			goto send;
		}
		reply = json_array();
		ctx.can_defer = false; /* a batch is answered as one */
		json_array_foreach(msg, i, item) {
			json_t *r = rpc_handle_one(&ctx, item);
			if (r)
				json_array_append_new(reply, r);
		}
		if (!json_array_size(reply)) {
			json_decref(reply);
			reply = NULL;
		}
	} else {
		reply = rpc_handle_one(&ctx, msg);
	}
send:
	if (reply)
		conn_send(c, reply);
	json_array_foreach(ctx.after, i, item)
		conn_send(c, item);
	sub_pump(c);
	jobs_trim_soon(c->d);
	json_decref(reply);
	json_decref(ctx.after);
	json_decref(msg);
	err_release(&err);
}
