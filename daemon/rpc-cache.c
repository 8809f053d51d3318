/*
 * rpc-cache.c - cache/stats and cache/gc.
 *
 * Both walk the cargo target dir (gigabytes, many thousands of files) and
 * scan or delete cache rows: that is done on the worker pool with the
 * store's pool connections, and the reply follows (rpc_later). What must
 * see the loop's state (which jobs run, whether a build holds the target
 * dir) is decided on the loop thread.
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

/* nftw has no argument for its callback: one sum per thread. */
static _Thread_local int64_t tree_bytes;

static int tree_add(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F)
		tree_bytes += (int64_t)st->st_blocks * 512;
	return 0;
}

/* Bytes on disk under dir (0 when it does not exist). */
static int64_t dir_bytes(const char *dir)
{
	tree_bytes = 0;
	nftw(dir, tree_add, 16, FTW_PHYS);
	return tree_bytes;
}

/* What one cache/stats or cache/gc does on the pool. */
struct cache_work {
	uv_work_t req;
	struct daemon *d;
	struct rpc_later *later;
	bool is_gc;
	int64_t max_bytes;
	double events_before;
	char *cargo_target; /* measured */
	char *work_root;    /* measured (stats) */
	json_t *result;
	int64_t cargo_bytes;
	struct err err;
	int rc;
};

static void cache_work_cb(uv_work_t *req)
{
	struct cache_work *w = req->data;
	struct store *bg = store_bg_acquire(&w->d->store, &w->err);
	int64_t events = 0;

	if (!bg) {
		w->rc = w->err.code;
		goto sizes;
	}
	if (!w->is_gc) {
		w->rc = store_cache_stats(bg, &w->result, &w->err);
	} else {
		w->rc = store_cache_gc(bg, w->max_bytes, &w->result, &w->err);
		if (w->rc == 0)
			w->rc = store_events_gc(bg, w->events_before, &events,
						&w->err);
		if (w->rc == 0)
			json_object_set_new(w->result, "removed_events",
					    json_integer(events));
	}
	store_bg_release(&w->d->store);
sizes:
	if (w->rc < 0)
		return;
	w->cargo_bytes = dir_bytes(w->cargo_target);
	if (!w->is_gc) {
		json_object_set_new(w->result, "cargo_target_bytes",
				    json_integer(w->cargo_bytes));
		json_object_set_new(w->result, "work_bytes",
				    json_integer(dir_bytes(w->work_root)));
	}
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

static void trash_empty(struct daemon *d, json_t *paths)
{
	struct trash *t = xcalloc(1, sizeof(*t));

	t->paths = json_incref(paths);
	t->req.data = t;
	if (!json_array_size(t->paths) ||
	    uv_queue_work(d->loop, &t->req, trash_work, trash_after) < 0) {
		json_decref(t->paths);
		free(t);
	}
}

/* Work folders of jobs that are not running (on the loop: which jobs run
 * is the loop's to know, and a rename is quick). */
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

static void cache_after_cb(uv_work_t *req, int status)
{
	struct cache_work *w = req->data;
	struct daemon *d = w->d;
	json_t *paths = json_array();

	if (status < 0 && w->rc >= 0)
		w->rc = err_set(&w->err, RUSTIFY_ECANCELLED,
				"the daemon stopped first");
	if (w->rc < 0) {
		rpc_later_reply(w->later, NULL, &w->err);
		goto out;
	}
	if (w->is_gc) {
		json_int_t target = 0;

		json_object_set_new(w->result, "removed_work_dirs",
				    json_integer(gc_work_dirs(d, paths)));
		/* The shared cargo target dir has half the budget. Only the
		 * daemon's own: one given with --cargo-target-dir is shared
		 * with others. Never while a build runs in it (asked now,
		 * on the loop, not when the pool measured it). */
		if (!d->cfg.cargo_target && !build_is_running() &&
		    w->cargo_bytes > w->max_bytes / 2 &&
		    trash_add(paths, d->cargo_target))
			target = w->cargo_bytes;
		json_object_set_new(w->result, "removed_cargo_target_bytes",
				    json_integer(target));
		trash_empty(d, paths);
	}
	rpc_later_reply(w->later, w->result, NULL);
	w->result = NULL;
out:
	json_decref(paths);
	json_decref(w->result);
	free(w->cargo_target);
	free(w->work_root);
	err_release(&w->err);
	free(w);
}

static int cache_start(struct rpc_ctx *ctx, struct cache_work *w,
		       json_t **result, struct err *err)
{
	int rc;

	w->req.data = w;
	w->d = ctx->d;
	w->cargo_target = xstrdup(ctx->d->cargo_target);
	w->work_root = xstrdup(ctx->d->work_root);
	if (ctx->can_defer && ctx->id &&
	    uv_queue_work(ctx->d->loop, &w->req, cache_work_cb,
			  cache_after_cb) == 0) {
		w->later = rpc_later_new(ctx);
		return RPC_LATER;
	}
	/* in a batch: here and now */
	w->later = NULL;
	cache_work_cb(&w->req);
	rc = w->rc;
	if (rc < 0) {
		err_set(err, w->err.code, "%s", err_msg(&w->err));
		json_decref(w->result);
	} else {
		*result = w->result;
	}
	free(w->cargo_target);
	free(w->work_root);
	err_release(&w->err);
	free(w);
	return rc;
}

static int rpc_cache_stats(struct rpc_ctx *ctx, json_t *params, json_t **result,
			   struct err *err)
{
	static const char *const keys[] = {NULL};
	int rc = params_check_keys(params, keys, err);

	if (rc < 0)
		return rc;
	return cache_start(ctx, xcalloc(1, sizeof(struct cache_work)), result,
			   err);
}

static int rpc_cache_gc(struct rpc_ctx *ctx, json_t *params, json_t **result,
			struct err *err)
{
	static const char *const keys[] = {"max_bytes", "events_days", NULL};
	json_int_t max_bytes = (json_int_t)2 << 30, days = 30;
	struct cache_work *w;
	int rc;

	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = params_get_int(params, "max_bytes", false, 0, INT64_MAX,
				 &max_bytes, err)) < 0 ||
	    (rc = params_get_int(params, "events_days", false, 0, 36500, &days,
				 err)) < 0)
		return rc;
	w = xcalloc(1, sizeof(*w));
	w->is_gc = true;
	w->max_bytes = max_bytes;
	w->events_before = now_seconds() - (double)days * 86400.0;
	rc = cache_start(ctx, w, result, err);
	if (rc == 0) {
		/* a batch's gc: the loop's part too */
		json_t *paths = json_array();
		json_int_t target = 0;
		int64_t bytes;

		json_object_set_new(*result, "removed_work_dirs",
				    json_integer(gc_work_dirs(ctx->d, paths)));
		bytes = dir_bytes(ctx->d->cargo_target);
		if (!ctx->d->cfg.cargo_target && !build_is_running() &&
		    bytes > max_bytes / 2 &&
		    trash_add(paths, ctx->d->cargo_target))
			target = bytes;
		json_object_set_new(*result, "removed_cargo_target_bytes",
				    json_integer(target));
		trash_empty(ctx->d, paths);
		json_decref(paths);
	}
	return rc;
}

const struct rpc_method rpc_cache_methods[] = {
    {"cache/stats", rpc_cache_stats},
    {"cache/gc", rpc_cache_gc},
    {NULL, NULL},
};
