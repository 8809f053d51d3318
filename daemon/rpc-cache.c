/*
 * rpc-cache.c - cache/stats and cache/gc.
 */
#include <ftw.h>
#include <stdint.h>

#include "rpc.h"

static int64_t tree_bytes;

static int tree_add(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F)
		tree_bytes += (int64_t)st->st_blocks * 512;
	return 0;
}

/* Bytes on disk under dir (0 when it does not exist). Loop thread only. */
static int64_t dir_bytes(const char *dir)
{
	tree_bytes = 0;
	nftw(dir, tree_add, 16, FTW_PHYS);
	return tree_bytes;
}

static int rpc_cache_stats(struct rpc_ctx *ctx, json_t *params,
			   json_t **result, struct err *err)
{
	static const char *const keys[] = { NULL };
	int rc = params_check_keys(params, keys, err);

	if (rc < 0 || (rc = store_cache_stats(&ctx->d->store, result, err)) < 0)
		return rc;
	json_object_set_new(*result, "cargo_target_bytes",
			    json_integer(dir_bytes(ctx->d->cargo_target)));
	json_object_set_new(*result, "work_bytes",
			    json_integer(dir_bytes(ctx->d->work_root)));
	return 0;
}

static int rpc_cache_gc(struct rpc_ctx *ctx, json_t *params, json_t **result,
			struct err *err)
{
	static const char *const keys[] = { "max_bytes", "events_days", NULL };
	json_int_t max_bytes = (json_int_t)2 << 30, days = 30;
	int64_t events = 0;
	int rc;

	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = params_get_int(params, "max_bytes", false, 0, INT64_MAX,
				 &max_bytes, err)) < 0 ||
	    (rc = params_get_int(params, "events_days", false, 0, 36500, &days,
				 err)) < 0)
		return rc;
	if ((rc = store_cache_gc(&ctx->d->store, max_bytes, result, err)) < 0)
		return rc;
	rc = store_events_gc(&ctx->d->store,
			     now_seconds() - (double)days * 86400.0, &events,
			     err);
	if (rc < 0)
		return rc;
	json_object_set_new(*result, "removed_events", json_integer(events));
	return 0;
}

const struct rpc_method rpc_cache_methods[] = {
	{ "cache/stats", rpc_cache_stats },
	{ "cache/gc", rpc_cache_gc },
	{ NULL, NULL },
};
