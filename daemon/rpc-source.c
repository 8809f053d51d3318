/*
 * rpc-source.c - source/index: the index of a file or of sent text, from
 * the cache when the same bytes were indexed before.
 *
 * Reading, decoding, indexing, the cache's rows and the reply's JSON text
 * are all made on the worker pool (an 8 MB file is seconds of parsing and
 * tens of MB of JSON): the loop thread only sends the framed bytes. A
 * reply larger than the largest message is refused with a message that
 * says how to page it (params.offset / params.limit over the functions).
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "rpc.h"
#include "source.h"

/* Past this many source bytes, memory goes back to the system after. */
#define INDEX_TRIM_BYTES (1u << 20)

struct index_req {
	uv_work_t req;
	struct daemon *d;
	struct rpc_later *later;
	json_t *id;
	char *file;
	char *text;
	size_t text_len;
	char *name;
	size_t max_source;
	size_t max_message;
	json_int_t offset, limit; /* limit < 0: every function */
	char *reply; /* framed, on success */
	size_t reply_len;
	struct err err;
	int rc;
};

/* Keeps functions [offset, offset + limit) and says where the rest is. */
static void index_page(json_t *doc, json_int_t offset, json_int_t limit)
{
	json_t *fns = json_object_get(doc, "functions");
	json_t *page = json_array();
	size_t total = json_array_size(fns);

	for (size_t i = (size_t)offset;
	     i < total && (json_int_t)(i - (size_t)offset) < limit; i++)
		json_array_append(page, json_array_get(fns, i));
	json_object_set_new(doc, "functions_total", json_integer(total));
	if ((size_t)(offset + limit) < total)
		json_object_set_new(doc, "next_offset",
				    json_integer(offset + limit));
	json_object_set_new(doc, "functions", page);
}

static void index_req_work(uv_work_t *req)
{
	struct index_req *w = req->data;
	struct source src;
	struct store *bg = NULL;
	json_t *doc = NULL, *msg = NULL;
	struct buf out = BUF_INIT;
	char *key = NULL;
	size_t len = 0;

	source_init(&src);
	if (w->file)
		w->rc = source_load_file(w->file, w->max_source, &src, &w->err);
	else
		w->rc = source_load_text(w->text, w->text_len, w->name, &src,
					 &w->err);
	if (w->rc < 0)
		goto out;
	len = src.len;
	key = index_cache_key(src.sha256);
	bg = store_bg_acquire(&w->d->store, &w->err);
	if (bg && store_cache_get(bg, "source_index", key, &doc, NULL, NULL,
				  &w->err) < 0)
		err_release(&w->err);
	if (bg)
		store_bg_release(&w->d->store);
	err_release(&w->err);
	if (!doc) {
		w->rc = index_source(src.text, src.len, &doc, &w->err);
		if (w->rc < 0)
			goto out;
		bg = store_bg_acquire(&w->d->store, &w->err);
		if (bg && store_cache_put(bg, "source_index", key, doc, NULL,
					  0, &w->err) < 0)
			err_release(&w->err);
		if (bg)
			store_bg_release(&w->d->store);
		err_release(&w->err);
	}
	source_release(&src);
	if (w->limit >= 0 || w->offset > 0)
		index_page(doc, w->offset, w->limit >= 0 ? w->limit : INT64_MAX);
	msg = jsonrpc_result_new(w->id, doc);
	doc = NULL;
	if (jsonrpc_write(&out, msg) < 0) {
		w->rc = err_set(&w->err, RUSTIFY_EINTERNAL,
				"the index could not be written as JSON");
		goto out;
	}
	if (out.len > w->max_message + 64) {
		w->rc = err_set(
		    &w->err, RUSTIFY_ELIMIT,
		    "the index is %.1f MB of JSON, more than the largest "
		    "message (%zu bytes, --max-message): ask for its "
		    "functions in pages with params.offset and params.limit "
		    "(rustifyctl index does)",
		    (double)out.len / 1e6, w->max_message);
		goto out;
	}
	w->reply = buf_detach(&out, &w->reply_len);
out:
	json_decref(doc);
	json_decref(msg);
	buf_release(&out);
	source_release(&src);
	free(key);
	/* the parse and its JSON were tens of MB for a big file */
	if (len >= INDEX_TRIM_BYTES || w->text_len >= INDEX_TRIM_BYTES)
		malloc_trim(0);
}

static void index_req_free(struct index_req *w)
{
	json_decref(w->id);
	free(w->file);
	free(w->text);
	free(w->name);
	free(w->reply);
	err_release(&w->err);
	free(w);
}

static void index_req_after(uv_work_t *req, int status)
{
	struct index_req *w = req->data;

	if (status < 0 && w->rc >= 0)
		w->rc = err_set(&w->err, RUSTIFY_ECANCELLED,
				"the daemon stopped first");
	if (w->rc < 0) {
		rpc_later_reply(w->later, NULL, &w->err);
	} else {
		rpc_later_reply_raw(w->later, w->reply, w->reply_len);
		w->reply = NULL;
	}
	index_req_free(w);
}

static int rpc_source_index(struct rpc_ctx *ctx, json_t *params,
			    json_t **result, struct err *err)
{
	static const char *const keys[] = {"file", "text", "name", "offset",
					   "limit", NULL};
	const char *file = NULL, *text = NULL, *name = NULL;
	json_int_t offset = 0, limit = -1;
	struct index_req *w;
	json_t *doc;
	int rc;

	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = params_get_string(params, "file", false, &file, err)) < 0 ||
	    (rc = params_get_string(params, "text", false, &text, err)) < 0 ||
	    (rc = params_get_string(params, "name", false, &name, err)) < 0 ||
	    (rc = params_get_int(params, "offset", false, 0, INT64_MAX,
				 &offset, err)) < 0 ||
	    (rc = params_get_int(params, "limit", false, 1, INT64_MAX, &limit,
				 err)) < 0)
		return rc;
	if (!file == !text)
		return err_set(err, RUSTIFY_EPARAM,
			       "params: expected exactly one of file and text");
	if (file && file[0] != '/')
		return err_set(err, RUSTIFY_EPARAM,
			       "params.file: must be an absolute path");
	if (text && json_string_length(json_object_get(params, "text")) >
			ctx->d->cfg.max_source)
		return err_set(
		    err, RUSTIFY_ESOURCE,
		    "params.text: %zu bytes, more than the %zu the daemon "
		    "accepts (--max-source)",
		    json_string_length(json_object_get(params, "text")),
		    ctx->d->cfg.max_source);
	w = xcalloc(1, sizeof(*w));
	w->req.data = w;
	w->d = ctx->d;
	w->id = ctx->id ? json_deep_copy(ctx->id) : json_null();
	w->file = file ? xstrdup(file) : NULL;
	if (text) {
		w->text_len =
		    json_string_length(json_object_get(params, "text"));
		w->text = xmalloc(w->text_len + 1);
		memcpy(w->text, text, w->text_len + 1);
	}
	w->name = name ? xstrdup(name) : NULL;
	w->max_source = ctx->d->cfg.max_source;
	w->max_message = ctx->d->cfg.max_message;
	w->offset = offset;
	w->limit = limit;
	/* (the after-callback runs on this thread, after we return) */
	if (ctx->can_defer && ctx->id &&
	    uv_queue_work(ctx->d->loop, &w->req, index_req_work,
			  index_req_after) == 0) {
		w->later = rpc_later_new(ctx);
		return RPC_LATER;
	}
	/* in a batch: here and now, as the batch is answered as one */
	index_req_work(&w->req);
	rc = w->rc;
	if (rc < 0) {
		err_set(err, w->err.code, "%s", err_msg(&w->err));
	} else {
		/* the framed reply holds the result: take it back out */
		const char *body = strstr(w->reply, "\r\n\r\n");
		json_t *msg = body ? jsonrpc_parse(body + 4,
						   w->reply_len -
						       (size_t)(body + 4 -
								w->reply),
						   err)
				   : NULL;
		doc = json_incref(json_object_get(msg, "result"));
		json_decref(msg);
		*result = doc;
		rc = doc ? 0 : err_set(err, RUSTIFY_EINTERNAL, "index lost");
	}
	index_req_free(w);
	return rc;
}

const struct rpc_method rpc_source_methods[] = {
    {"source/index", rpc_source_index},
    {NULL, NULL},
};
