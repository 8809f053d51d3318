/*
 * rpc-watch.c - the watch methods: add (checks the directory and the
 * submit options the watch's jobs will get, naming the bad one), remove,
 * list, subscribe, unsubscribe. Watching itself is watch.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rpc.h"
#include "rustify/options.h"
#include "watch.h"

/* Helpers name keys "params.x"; inside options they are
 * "params.options.x". */
static int options_fail(struct err *err, int rc)
{
	const char *m = err_msg(err);

	if (!strncmp(m, "params.", 7) && strncmp(m, "params.options.", 15)) {
		char *s = xasprintf("params.options.%s", m + 7);

		err_set(err, rc, "%s", s);
		free(s);
	}
	return rc;
}

/* The submit options of job/submit that make sense for many files, plus
 * debounce_ms; checked by job/submit's own checks. */
static int options_check(json_t *o, struct err *err)
{
	static const char *const keys[] = {"debounce_ms", NULL};
#define SOURCE_KEY(key) key,
	static const char *const sources[] = {
	    RUSTIFY_SUBMIT_SOURCES(SOURCE_KEY) "name", NULL};
#undef SOURCE_KEY
	json_int_t n;
	size_t i;
	int rc;

	for (i = 0; sources[i]; i++)
		if (json_object_get(o, sources[i]))
			return err_set(err, RUSTIFY_EPARAM,
				       "params.options.%s: not allowed: a "
				       "watch submits each saved file itself",
				       sources[i]);
	if (json_object_get(o, "module"))
		return err_set(err, RUSTIFY_EPARAM,
			       "params.options.module: not allowed: a watch "
			       "covers many files, each gets its own module "
			       "(<stem>_rs)");
	if ((rc = rpc_options_keys(o, true, keys, err)) < 0 ||
	    (rc = params_get_int(o, "debounce_ms", false, 0,
				 WATCH_DEBOUNCE_MS_MAX, &n, err)) < 0)
		return rc;
	return rpc_options_check(o, err);
}

/* params.path, absolute; with must_exist resolved to a real directory. */
static int path_param(json_t *params, bool must_exist, char **out,
		      struct err *err)
{
	const char *p = NULL;
	struct stat st;
	char *real;
	size_t n;
	int rc = params_get_string(params, "path", true, &p, err);

	if (rc < 0)
		return rc;
	if (p[0] != '/')
		return err_set(
		    err, RUSTIFY_EPARAM,
		    "params.path: must be an absolute path, got '%s'", p);
	if (strlen(p) > 4096)
		return err_set(err, RUSTIFY_EPARAM,
			       "params.path: path longer than 4096 bytes");
	real = realpath(p, NULL);
	if (must_exist &&
	    (!real || stat(real, &st) < 0 || !S_ISDIR(st.st_mode))) {
		rc = err_set(err, RUSTIFY_ESOURCE, "cannot watch %s: %s", p,
			     real ? "not a directory" : strerror(errno));
		free(real);
		return rc;
	}
	if (!real) {
		/* Gone already (watch/remove): the path as given. */
		n = strlen(p);
		while (n > 1 && p[n - 1] == '/')
			n--;
		real = xstrndup(p, n);
	}
	*out = real;
	return 0;
}

static int rpc_watch_add(struct rpc_ctx *ctx, json_t *params, json_t **result,
			 struct err *err)
{
	static const char *const keys[] = {"path", "options", NULL};
	json_t *options = NULL;
	char *path = NULL;
	int rc;

	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = params_get_object(params, "options", false, &options, err)) <
		0)
		goto out;
	if (options && (rc = options_check(options, err)) < 0) {
		options_fail(err, rc);
		goto out;
	}
	if ((rc = path_param(params, true, &path, err)) < 0)
		goto out;
	rc = watch_add(ctx->d, path, options, result, err);
out:
	free(path);
	return rc;
}

static int rpc_watch_remove(struct rpc_ctx *ctx, json_t *params,
			    json_t **result, struct err *err)
{
	static const char *const keys[] = {"path", NULL};
	char *path = NULL;
	int rc;

	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = path_param(params, false, &path, err)) < 0)
		goto out;
	rc = watch_remove(ctx->d, path, err);
	if (rc == 0)
		*result = json_pack("{s:b, s:s}", "ok", 1, "path", path);
out:
	free(path);
	return rc;
}

static int rpc_watch_list(struct rpc_ctx *ctx, json_t *params, json_t **result,
			  struct err *err)
{
	static const char *const keys[] = {NULL};
	int rc = params_check_keys(params, keys, err);

	if (rc < 0)
		return rc;
	return watch_list(ctx->d, result, err);
}

static int rpc_watch_subscribe(struct rpc_ctx *ctx, json_t *params,
			       json_t **result, struct err *err)
{
	static const char *const keys[] = {NULL};
	int rc = params_check_keys(params, keys, err);

	if (rc < 0)
		return rc;
	watch_subscribe(ctx->d, ctx->conn);
	*result = json_pack("{s:b}", "ok", 1);
	return 0;
}

static int rpc_watch_unsubscribe(struct rpc_ctx *ctx, json_t *params,
				 json_t **result, struct err *err)
{
	static const char *const keys[] = {NULL};
	int rc = params_check_keys(params, keys, err);

	if (rc < 0)
		return rc;
	watch_unsubscribe(ctx->d, ctx->conn);
	*result = json_pack("{s:b}", "ok", 1);
	return 0;
}

const struct rpc_method rpc_watch_methods[] = {
    {"watch/add", rpc_watch_add},
    {"watch/remove", rpc_watch_remove},
    {"watch/list", rpc_watch_list},
    {"watch/subscribe", rpc_watch_subscribe},
    {"watch/unsubscribe", rpc_watch_unsubscribe},
    {NULL, NULL},
};
