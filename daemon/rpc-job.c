/*
 * rpc-job.c - the job methods: submit (validates every parameter and
 * names the bad one), status, list, cancel, retry, result, subscribe,
 * unsubscribe.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "jobs.h"
#include "manifest.h"
#include "rpc.h"
#include "rustify/options.h"

/* Python's keywords (soft ones like match and type are fine names). */
static bool is_keyword(const char *s)
{
	static const char *const kw[] = {
	    "False",  "None",	  "True",    "and",	 "as",	   "assert",
	    "async",  "await",	  "break",   "class",	 "continue", "def",
	    "del",    "elif",	  "else",    "except",	 "finally", "for",
	    "from",   "global",	  "if",	     "import",	 "in",	   "is",
	    "lambda", "nonlocal", "not",     "or",	 "pass",   "raise",
	    "return", "try",	  "while",   "with",	 "yield",  NULL};

	for (const char *const *k = kw; *k; k++)
		if (!strcmp(s, *k))
			return true;
	return false;
}

static bool is_identifier(const char *s)
{
	if (!s || !(*s == '_' || isalpha((unsigned char)*s)))
		return false;
	for (s++; *s; s++)
		if (!(*s == '_' || isalnum((unsigned char)*s)))
			return false;
	return true;
}

static int check_abs_path(json_t *params, const char *key, struct err *err)
{
	const char *s = NULL;
	int rc = params_get_string(params, key, false, &s, err);

	if (rc < 0 || !s)
		return rc;
	if (s[0] != '/')
		return err_set(err, RUSTIFY_EPARAM,
			       "params.%s: must be an absolute path, got '%s'",
			       key, s);
	if (strlen(s) > 4096)
		return err_set(err, RUSTIFY_EPARAM,
			       "params.%s: path longer than 4096 bytes", key);
	return 0;
}

int rpc_options_keys(json_t *p, bool is_watch, const char *const *extra,
		     struct err *err)
{
	const char *key;
	json_t *v;

	if (p && !json_is_object(p))
		return err_set(err, RUSTIFY_EPARAM,
			       "params: expected an object");
	json_object_foreach(p, key, v) {
		bool ok = false;

		for (const struct rustify_option *o = rustify_submit_options;
		     !ok && o->key; o++)
			ok = !strcmp(o->key, key) &&
			     !(is_watch && o->affects == OPTION_NOWATCH);
		for (size_t i = 0; !ok && extra && extra[i]; i++)
			ok = !strcmp(extra[i], key);
		if (!ok)
			return err_set(err, RUSTIFY_EPARAM,
				       "params.%s: unknown parameter", key);
	}
	return 0;
}

int rpc_options_check(json_t *p, struct err *err)
{
	json_t *list = NULL, *v;
	const char *s = NULL;
	double num;
	json_int_t n;
	bool b;
	size_t i;
	int rc;

	/* each option's type and range, from the one list */
	for (const struct rustify_option *o = rustify_submit_options; o->key;
	     o++) {
		switch (o->kind) {
		case OPTION_FLAG:
			rc = params_get_bool(p, o->key, false, &b, err);
			break;
		case OPTION_NUMBER:
			rc = params_get_number(p, o->key, false, o->min,
					       o->max, &num, err);
			break;
		case OPTION_INT:
			rc = params_get_int(p, o->key, false,
					    (json_int_t)o->min,
					    (json_int_t)o->max, &n, err);
			break;
		case OPTION_STRING:
			rc = params_get_string(p, o->key, false, &s, err);
			break;
		case OPTION_PATH:
			rc = check_abs_path(p, o->key, err);
			break;
		case OPTION_LIST:
			rc = params_get_string_list(p, o->key, false, &list,
						    err);
			break;
		default:
			rc = 0;
		}
		if (rc < 0)
			return rc;
	}
	/* what each one means, beyond its type */
	list = json_object_get(p, "functions");
	json_array_foreach(list, i, v) {
		if (!json_string_length(v))
			return err_set(err, RUSTIFY_EPARAM,
				       "params.functions[%zu]: empty name", i);
	}
	s = json_string_value(json_object_get(p, "entry"));
	if (s) {
		const char *colon = strchr(s, ':');
		if (!colon || colon == s || !colon[1])
			return err_set(
			    err, RUSTIFY_EPARAM,
			    "params.entry: expected MODULE:FUNCTION, "
			    "got '%s'",
			    s);
	}
	list = json_object_get(p, "entry_cmd");
	if (list && !json_array_size(list))
		return err_set(
		    err, RUSTIFY_EPARAM,
		    "params.entry_cmd: expected at least the script");
	if (list && s)
		return err_set(err, RUSTIFY_EPARAM,
			       "params.entry_cmd: not allowed together with "
			       "params.entry");
	s = json_string_value(json_object_get(p, "module"));
	if (s && !is_identifier(s))
		return err_set(err, RUSTIFY_EPARAM,
			       "params.module: '%s' is not a valid Python "
			       "module name",
			       s);
	if (s && is_keyword(s))
		return err_set(err, RUSTIFY_EPARAM,
			       "params.module: '%s' is a Python keyword: it "
			       "cannot be imported; choose another name",
			       s);
	return 0;
}

/* Every check of job/submit's params; the message names the field. */
static int submit_validate(json_t *p, size_t max_source, struct err *err)
{
#define SOURCE_KEY(key) key,
	static const char *const sources[] = {
	    RUSTIFY_SUBMIT_SOURCES(SOURCE_KEY) NULL};
	static const char *const keys[] = {
	    RUSTIFY_SUBMIT_SOURCES(SOURCE_KEY) "name", NULL};
#undef SOURCE_KEY
	static const char *const git_keys[] = {"url", "path", "ref", NULL};
	json_t *git = NULL;
	const char *s = NULL;
	int rc, nsrc;

	if (!p)
		return err_set(err, RUSTIFY_EPARAM,
			       "params: expected an object with one source: "
			       "file, text or git");
	if ((rc = rpc_options_keys(p, false, keys, err)) < 0)
		return rc;
	for (const char *const *k = sources; *k; k++)
		if (json_is_null(json_object_get(p, *k)))
			return err_set(err, RUSTIFY_EPARAM,
				       "params.%s: expected %s, got null", *k,
				       strcmp(*k, "git") ? "a string"
							 : "an object");
	nsrc = !!json_object_get(p, "file") + !!json_object_get(p, "text") +
	       !!json_object_get(p, "git");
	if (nsrc != 1)
		return err_set(err, RUSTIFY_EPARAM,
			       "params: expected exactly one source (file, "
			       "text or git), got %d",
			       nsrc);
	if ((rc = check_abs_path(p, "file", err)) < 0)
		return rc;
	if ((rc = params_get_string(p, "text", false, &s, err)) < 0)
		return rc;
	if (s && json_string_length(json_object_get(p, "text")) > max_source)
		return err_set(err, RUSTIFY_ESOURCE,
			       "params.text: %zu bytes, more than the %zu the "
			       "daemon accepts (--max-source)",
			       json_string_length(json_object_get(p, "text")),
			       max_source);
	s = NULL;
	if ((rc = params_get_string(p, "name", false, &s, err)) < 0)
		return rc;
	if (s && !json_object_get(p, "text"))
		return err_set(err, RUSTIFY_EPARAM,
			       "params.name: only allowed with params.text");
	if (s && (!is_identifier(s) || is_keyword(s)))
		return err_set(err, RUSTIFY_EPARAM,
			       "params.name: '%s' is not a valid module name%s",
			       s, is_keyword(s) ? " (a Python keyword)" : "");
	if ((rc = params_get_object(p, "git", false, &git, err)) < 0)
		return rc;
	if (git) {
		if ((rc = params_check_keys(git, git_keys, err)) < 0 ||
		    (rc = params_get_string(git, "url", true, &s, err)) < 0 ||
		    (rc = params_get_string(git, "path", true, &s, err)) < 0 ||
		    (rc = params_get_string(git, "ref", false, &s, err)) < 0) {
			err_prefix(err, "params.git");
			return rc;
		}
	}
	return rpc_options_check(p, err);
}

static int get_job_id(json_t *params, const char *const *keys, const char **id,
		      struct err *err)
{
	int rc = params_check_keys(params, keys, err);

	if (rc < 0)
		return rc;
	return params_get_string(params, "job", true, id, err);
}

static const char *const job_only[] = {"job", NULL};

static int rpc_job_submit(struct rpc_ctx *ctx, json_t *params, json_t **result,
			  struct err *err)
{
	char *id = NULL;
	int rc;

	rc = submit_validate(params, ctx->d->cfg.max_source, err);
	if (rc < 0)
		goto out;
	rc = jobs_submit(ctx->d, params, NULL, &id, err);
	if (rc < 0)
		goto out;
	sub_add(ctx->d, ctx->conn, id);
	*result = json_pack("{s:s}", "job", id);
out:
	free(id);
	return rc;
}

static int rpc_job_status(struct rpc_ctx *ctx, json_t *params, json_t **result,
			  struct err *err)
{
	const char *id;
	int rc = get_job_id(params, job_only, &id, err);

	if (rc < 0)
		return rc;
	return store_job_get(&ctx->d->store, id, result, err);
}

static int rpc_job_list(struct rpc_ctx *ctx, json_t *params, json_t **result,
			struct err *err)
{
	static const char *const keys[] = {"state", "limit", NULL};
	static const char *const states[] = {JOB_QUEUED,    JOB_RUNNING,
					     JOB_DONE,	    JOB_FAILED,
					     JOB_CANCELLED, JOB_INTERRUPTED};
	const char *state = NULL;
	json_int_t limit = 100;
	json_t *jobs = NULL;
	bool is_known = false;
	int rc;

	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = params_get_string(params, "state", false, &state, err)) < 0 ||
	    (rc = params_get_int(params, "limit", false, 1, 100000, &limit,
				 err)) < 0)
		return rc;
	for (size_t i = 0; state && i < 6; i++)
		is_known |= !strcmp(state, states[i]);
	if (state && !is_known)
		return err_set(err, RUSTIFY_EPARAM,
			       "params.state: unknown state '%s' (queued, "
			       "running, done, failed, cancelled, interrupted)",
			       state);
	rc = store_job_list(&ctx->d->store, (int)limit, state, &jobs, err);
	if (rc < 0)
		return rc;
	*result = json_pack("{s:o}", "jobs", jobs);
	return 0;
}

static int rpc_job_cancel(struct rpc_ctx *ctx, json_t *params, json_t **result,
			  struct err *err)
{
	const char *id;
	int rc = get_job_id(params, job_only, &id, err);

	if (rc < 0 || (rc = jobs_cancel(ctx->d, id, err)) < 0)
		return rc;
	return store_job_get(&ctx->d->store, id, result, err);
}

static int rpc_job_retry(struct rpc_ctx *ctx, json_t *params, json_t **result,
			 struct err *err)
{
	json_t *job = NULL, *request = NULL;
	const char *id, *state;
	char *new_id = NULL;
	int rc = get_job_id(params, job_only, &id, err);

	if (rc < 0)
		goto out;
	if ((rc = store_job_get(&ctx->d->store, id, &job, err)) < 0)
		goto out;
	state = json_string_value(json_object_get(job, "state"));
	if (!job_state_is_final(state)) {
		rc = err_set(err, RUSTIFY_ESTATE,
			     "job %s is %s: only a finished job can be retried",
			     id, state);
		goto out;
	}
	if ((rc = store_job_get_request(&ctx->d->store, id, &request, err)) < 0)
		goto out;
	if ((rc = jobs_submit(ctx->d, request, id, &new_id, err)) < 0)
		goto out;
	sub_add(ctx->d, ctx->conn, new_id);
	*result = json_pack("{s:s, s:s}", "job", new_id, "retry_of", id);
out:
	free(new_id);
	json_decref(job);
	json_decref(request);
	return rc;
}

static int rpc_job_result(struct rpc_ctx *ctx, json_t *params, json_t **result,
			  struct err *err)
{
	json_t *job = NULL, *res = NULL;
	const char *id, *state;
	int rc = get_job_id(params, job_only, &id, err);

	if (rc < 0)
		goto out;
	if ((rc = store_job_get(&ctx->d->store, id, &job, err)) < 0)
		goto out;
	state = json_string_value(json_object_get(job, "state"));
	if (!job_state_is_final(state)) {
		rc = err_set(err, RUSTIFY_ESTATE,
			     "job %s is %s: its result is not there yet; "
			     "job/subscribe waits for it",
			     id, state);
		goto out;
	}
	if ((rc = store_job_get_result(&ctx->d->store, id, &res, err)) < 0)
		goto out;
	if (!res)
		res = json_pack("{s:s, s:[], s:[], s:{}, s:b, s:i}", "job", id,
				"stages", "functions", "timings", "cache_hit",
				0, "fallbacks", 0);
	/* The job row is the truth about state (a cancel or a crash may
	 * have ended it after the result was written). */
	json_object_set(res, "state", json_object_get(job, "state"));
	json_object_set(res, "error", json_object_get(job, "error"));
	*result = res;
	res = NULL;
out:
	json_decref(job);
	json_decref(res);
	return rc;
}

static int rpc_job_subscribe(struct rpc_ctx *ctx, json_t *params,
			     json_t **result, struct err *err)
{
	static const char *const keys[] = {"job", "since_seq", NULL};
	json_t *job = NULL;
	json_int_t since = 0;
	const char *id;
	int rc = get_job_id(params, keys, &id, err);

	if (rc < 0)
		goto out;
	if ((rc = params_get_int(params, "since_seq", false, 0, INT64_MAX,
				 &since, err)) < 0)
		goto out;
	if ((rc = store_job_get(&ctx->d->store, id, &job, err)) < 0)
		goto out;
	/* The replay goes out after the reply, in pages as the client reads
	 * (rpc_handle pumps it), then live events follow. */
	if (!job_state_is_final(
		json_string_value(json_object_get(job, "state"))) ||
	    since < json_integer_value(json_object_get(job, "last_seq")))
		sub_add_replay(ctx->d, ctx->conn, id, since);
	*result = json_pack("{s:s, s:O, s:O}", "job", id, "state",
			    json_object_get(job, "state"), "last_seq",
			    json_object_get(job, "last_seq"));
out:
	json_decref(job);
	return rc;
}

static int rpc_job_unsubscribe(struct rpc_ctx *ctx, json_t *params,
			       json_t **result, struct err *err)
{
	const char *id;
	int rc = get_job_id(params, job_only, &id, err);

	if (rc < 0)
		return rc;
	sub_remove(ctx->d, ctx->conn, id);
	*result = json_pack("{s:b}", "ok", 1);
	return 0;
}

/* Whether the job a manifest entry names made it: same source hash. */
static bool rebuild_job_matches(struct daemon *d, json_t *entry)
{
	const char *job = json_string_value(json_object_get(entry, "job"));
	const char *want =
	    json_string_value(json_object_get(entry, "source_sha256"));
	struct err err = ERR_INIT;
	json_t *res = NULL;
	const char *got;
	bool ok;

	if (!job || !want ||
	    store_job_get_result(&d->store, job, &res, &err) < 0) {
		err_release(&err);
		return false;
	}
	got = json_string_value(
	    json_object_get(json_object_get(res, "source"), "sha256"));
	ok = got && !strcmp(got, want);
	json_decref(res);
	return ok;
}

/*
 * crate/rebuild {dir}: rebuild a delivered crate the user edited by hand,
 * without regenerating it, then verify and deliver it like any build.
 * dir is an output dir holding one module, or DIR/crate/<module>.
 */
static int rpc_crate_rebuild(struct rpc_ctx *ctx, json_t *params,
			     json_t **result, struct err *err)
{
	static const char *const keys[] = {"dir", NULL};
	const char *dir = NULL, *module = NULL;
	char *out = NULL, *mpath = NULL, *id = NULL, *slash;
	json_t *man = NULL, *entry = NULL, *req = NULL;
	struct err merr = ERR_INIT;
	struct stat st;
	int rc;

	if ((rc = params_check_keys(params, keys, err)) < 0 ||
	    (rc = params_get_string(params, "dir", true, &dir, err)) < 0)
		goto out;
	if (dir[0] != '/') {
		rc = err_set(err, RUSTIFY_EPARAM,
			     "params.dir: must be an absolute path");
		goto out;
	}
	out = xstrdup(dir);
	while (strlen(out) > 1 && out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
	/* DIR/crate/<module>: the output dir is two levels up. */
	mpath = xasprintf("%s/Cargo.toml", out);
	if (stat(mpath, &st) == 0 && (slash = strrchr(out, '/')) &&
	    slash > out) {
		module = NULL;
		*slash = '\0';
		char *mod = xstrdup(slash + 1);
		slash = strrchr(out, '/');
		if (slash && !strcmp(slash + 1, "crate"))
			*slash = '\0';
		free(mpath);
		mpath = xasprintf("%s/rustify.json", out);
		man = manifest_load(mpath, &merr);
		entry = manifest_module(man, mod);
		free(mod);
	} else {
		free(mpath);
		mpath = xasprintf("%s/rustify.json", out);
		man = manifest_load(mpath, &merr);
		if (json_array_size(json_object_get(man, "modules")) == 1)
			entry =
			    json_array_get(json_object_get(man, "modules"), 0);
		else if (json_array_size(json_object_get(man, "modules")) > 1) {
			rc = err_set(err, RUSTIFY_EPARAM,
				     "params.dir: %s holds several modules; "
				     "pass DIR/crate/<module>",
				     out);
			goto out;
		}
	}
	if (!man) {
		rc = err_set(err, RUSTIFY_EPARAM,
			     "params.dir: %s; pass an output dir of rustify "
			     "or DIR/crate/<module>",
			     err_msg(&merr));
		goto out;
	}
	if (!entry) {
		rc = err_set(err, RUSTIFY_EPARAM,
			     "params.dir: %s lists no such module", mpath);
		goto out;
	}
	module = json_string_value(json_object_get(entry, "module"));
	/* The original job's request, else the source file alone. The job
	 * must be the one that made this module (its source's hash is the
	 * manifest's): an id of a jobs.db moved aside may name another. */
	if (!rebuild_job_matches(ctx->d, entry) ||
	    store_job_get_request(
		&ctx->d->store,
		json_string_value(json_object_get(entry, "job")), &req,
		err) < 0) {
		err_release(err);
		json_decref(req);
		req = NULL;
		if (!json_is_string(json_object_get(entry, "source"))) {
			rc = err_set(err, RUSTIFY_EPARAM,
				     "params.dir: the manifest names no source "
				     "file for %s",
				     module);
			goto out;
		}
		req = json_pack("{s:O}", "file",
				json_object_get(entry, "source"));
	}
	json_object_del(req, "install");
	json_object_del(req, "dry_run");
	json_object_set_new(req, "output", json_string(out));
	json_object_set_new(req, "module", json_string(module));
	json_object_set_new(req, "rebuild", json_true());
	if ((rc = jobs_submit(ctx->d, req, NULL, &id, err)) < 0)
		goto out;
	sub_add(ctx->d, ctx->conn, id);
	*result = json_pack("{s:s}", "job", id);
out:
	json_decref(man);
	err_release(&merr);
	json_decref(req);
	free(out);
	free(mpath);
	free(id);
	return rc;
}

const struct rpc_method rpc_job_methods[] = {
    {"crate/rebuild", rpc_crate_rebuild},
    {"job/submit", rpc_job_submit},
    {"job/status", rpc_job_status},
    {"job/list", rpc_job_list},
    {"job/cancel", rpc_job_cancel},
    {"job/retry", rpc_job_retry},
    {"job/result", rpc_job_result},
    {"job/subscribe", rpc_job_subscribe},
    {"job/unsubscribe", rpc_job_unsubscribe},
    {NULL, NULL},
};
