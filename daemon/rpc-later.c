/*
 * rpc-later.c - replies that come after the method returned (see
 * rpc_later_new in rpc.h): the work went to the worker pool, and its
 * after-callback answers on the connection, if it is still open. Apart
 * from rpc.c, which lists the method families that use it.
 */
#include <stdlib.h>

#include "rpc.h"

struct rpc_later {
	struct daemon *d;
	uint64_t conn_id;
	json_t *id;
};

struct rpc_later *rpc_later_new(struct rpc_ctx *ctx)
{
	struct rpc_later *l = xcalloc(1, sizeof(*l));

	l->d = ctx->d;
	l->conn_id = ctx->conn->id;
	l->id = ctx->id ? json_deep_copy(ctx->id) : NULL;
	return l;
}

json_t *rpc_later_id(struct rpc_later *l)
{
	return l->id;
}

static void rpc_later_free(struct rpc_later *l)
{
	json_decref(l->id);
	free(l);
}

void rpc_later_reply(struct rpc_later *l, json_t *result,
		     const struct err *err)
{
	struct conn *c = conn_find(l->d, l->conn_id);
	json_t *reply = NULL;

	if (c && l->id)
		reply = result ? jsonrpc_result_new(l->id, result)
			       : jsonrpc_error_from_err(l->id, err);
	else
		json_decref(result);
	if (reply)
		conn_send(c, reply);
	json_decref(reply);
	rpc_later_free(l);
}

void rpc_later_reply_raw(struct rpc_later *l, char *data, size_t len)
{
	struct conn *c = conn_find(l->d, l->conn_id);

	if (c && l->id)
		conn_send_raw(c, data, len);
	else
		free(data);
	rpc_later_free(l);
}

