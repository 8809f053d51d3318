/*
 * rpc-source.c - source/index: the index of a file or of sent text, from
 * the cache when the same bytes were indexed before.
 */
#include <string.h>

#include <stdlib.h>

#include "index.h"
#include "rpc.h"
#include "sha256.h"
#include "source.h"

static int rpc_source_index(struct rpc_ctx *ctx, json_t *params,
			    json_t **result, struct err *err)
{
	static const char *const keys[] = {"file", "text", "name", NULL};
	const char *file = NULL, *text = NULL, *name = NULL;
	struct source src;
	json_t *hit = NULL;
	char *key = NULL;
	int rc;

	source_init(&src);
	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = params_get_string(params, "file", false, &file, err)) < 0 ||
	    (rc = params_get_string(params, "text", false, &text, err)) < 0 ||
	    (rc = params_get_string(params, "name", false, &name, err)) < 0)
		goto out;
	if (!file == !text) {
		rc = err_set(err, RUSTIFY_EPARAM,
			     "params: expected exactly one of file and text");
		goto out;
	}
	if (text && json_string_length(json_object_get(params, "text")) >
			ctx->d->cfg.max_source) {
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "params.text: %zu bytes, more than the %zu the "
			     "daemon accepts (--max-source)",
			     json_string_length(json_object_get(params, "text")),
			     ctx->d->cfg.max_source);
		goto out;
	}
	if (file && file[0] != '/') {
		rc = err_set(err, RUSTIFY_EPARAM,
			     "params.file: must be an absolute path");
		goto out;
	}
	/* Reading and indexing a file of up to the source limit takes a few
	 * milliseconds; the job pipeline does the same on the worker pool. */
	if (file)
		rc = source_load_file(file, ctx->d->cfg.max_source, &src, err);
	else
		rc = source_load_text(
		    text, json_string_length(json_object_get(params, "text")),
		    name, &src, err);
	if (rc < 0)
		goto out;
	key = index_cache_key(src.sha256);
	if (store_cache_get(&ctx->d->store, "source_index", key, &hit, NULL,
			    NULL, err) == 0 &&
	    hit) {
		*result = hit;
		goto out;
	}
	rc = index_source(src.text, src.len, result, err);
	if (rc < 0)
		goto out;
	store_cache_put(&ctx->d->store, "source_index", key, *result, NULL, 0,
			err);
	err_release(err);
	rc = 0;
out:
	free(key);
	source_release(&src);
	return rc;
}

const struct rpc_method rpc_source_methods[] = {
    {"source/index", rpc_source_index},
    {NULL, NULL},
};
