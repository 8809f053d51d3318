/*
 * rpc-cache.c - cache/stats and cache/gc.
 */
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "fs.h"
#include "jobs.h"
#include "log.h"
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

static int rpc_cache_stats(struct rpc_ctx *ctx, json_t *params, json_t **result,
			   struct err *err)
{
	static const char *const keys[] = {NULL};
	int rc = params_check_keys(params, keys, err);

	if (rc < 0 || (rc = store_cache_stats(&ctx->d->store, result, err)) < 0)
		return rc;
	json_object_set_new(*result, "cargo_target_bytes",
			    json_integer(dir_bytes(ctx->d->cargo_target)));
	json_object_set_new(*result, "work_bytes",
			    json_integer(dir_bytes(ctx->d->work_root)));
	return 0;
}

/* Trees moved aside on the loop thread (a rename) and deleted on the pool. */
struct trash {
	uv_work_t req;
	json_t *paths;
};

static void trash_work(uv_work_t *req)
{
	struct trash *t = req->data;
	json_t *p;
	size_t i;

	json_array_foreach(t->paths, i, p)
		fs_remove_tree(json_string_value(p));
}

static void trash_after(uv_work_t *req, int status)
{
	struct trash *t = req->data;

	json_decref(t->paths);
	free(t);
}

static bool trash_add(json_t *paths, const char *path)
{
	char *to = xasprintf("%s.trash-%.0f", path, now_seconds() * 1e6);
	bool ok = rename(path, to) == 0;

	if (ok)
		json_array_append_new(paths, json_string(to));
	else
		log_warn("cache gc: could not move %s aside", path);
	free(to);
	return ok;
}

/* Work folders of jobs that are not running. */
static json_int_t gc_work_dirs(struct daemon *d, json_t *paths)
{
	DIR *dir = opendir(d->work_root);
	struct dirent *e;
	json_int_t n = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir))) {
		bool is_live = false;
		if (e->d_name[0] == '.' || strstr(e->d_name, ".trash-"))
			continue;
		for (struct job_run *r = d->runs; r; r = r->next)
			is_live |= !strcmp(r->id, e->d_name);
		if (is_live)
			continue;
		char *path = xasprintf("%s/%s", d->work_root, e->d_name);
		n += trash_add(paths, path);
		free(path);
	}
	closedir(dir);
	return n;
}

static int rpc_cache_gc(struct rpc_ctx *ctx, json_t *params, json_t **result,
			struct err *err)
{
	static const char *const keys[] = {"max_bytes", "events_days", NULL};
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
	{
		struct daemon *d = ctx->d;
		struct trash *t = xcalloc(1, sizeof(*t));
		int64_t target = 0;

		t->paths = json_array();
		json_object_set_new(*result, "removed_work_dirs",
				    json_integer(gc_work_dirs(d, t->paths)));
		/* The shared cargo target dir has half the budget. Only the
		 * daemon's own: one given with --cargo-target-dir is shared
		 * with others. Never while a build runs in it. */
		if (!d->cfg.cargo_target && !build_is_running() &&
		    (target = dir_bytes(d->cargo_target)) > max_bytes / 2 &&
		    trash_add(t->paths, d->cargo_target))
			json_object_set_new(*result,
					    "removed_cargo_target_bytes",
					    json_integer(target));
		else
			json_object_set_new(*result,
					    "removed_cargo_target_bytes",
					    json_integer(0));
		t->req.data = t;
		if (!json_array_size(t->paths) ||
		    uv_queue_work(d->loop, &t->req, trash_work, trash_after) <
			0) {
			json_decref(t->paths);
			free(t);
		}
	}
	return 0;
}

const struct rpc_method rpc_cache_methods[] = {
    {"cache/stats", rpc_cache_stats},
    {"cache/gc", rpc_cache_gc},
    {NULL, NULL},
};
