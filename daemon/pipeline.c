/*
 * pipeline.c - the stages a job walks through, in order. A stage's start
 * function runs on the loop thread and hands slow work to the worker pool
 * (job_queue_work) or to a child process (proc_spawn); it ends with
 * job_stage_done(). Stages that do not exist yet are listed with a NULL
 * start and reported as skipped, never faked.
 *
 * Results are cached in the store keyed by a hash of everything that
 * determines them: the index by source text and grammar version; the
 * profile by source text, imported sibling modules, interpreter, workload
 * and iterations.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "fs.h"
#include "harness.h"
#include "jobcache.h"
#include "index.h"
#include "log.h"
#include "pipeline.h"
#include "proc.h"
#include "rebuild.h"
#include "rustify/options.h"
#include "sha256.h"
#include "source.h"
#include "translate/translate.h"

static void stage_translate(struct job_run *r);
static void stage_crate(struct job_run *r);

/* ---- source ---------------------------------------------------------------
 */

struct source_work {
	json_t *request;
	char *cache_dir;
	char *checkout_dir;
	size_t max_bytes;
	struct source src;
	struct err err;
	int rc;
};

static void source_work(void *arg)
{
	struct source_work *w = arg;
	json_t *git = json_object_get(w->request, "git");
	const char *file =
	    json_string_value(json_object_get(w->request, "file"));

	if (file) {
		w->rc = source_load_file(file, w->max_bytes, &w->src, &w->err);
	} else if (git) {
		w->rc = source_load_git(
		    w->cache_dir,
		    json_string_value(json_object_get(git, "url")),
		    json_string_value(json_object_get(git, "path")),
		    json_string_value(json_object_get(git, "ref")),
		    w->checkout_dir, w->max_bytes, &w->src, &w->err);
	} else {
		json_t *text = json_object_get(w->request, "text");
		if (json_string_length(text) > w->max_bytes) {
			/* a retry of a job sent before a lower limit */
			w->rc = err_set(&w->err, RUSTIFY_ESOURCE,
					"the text is %zu bytes, more than the "
					"%zu the daemon accepts (--max-source)",
					json_string_length(text), w->max_bytes);
			return;
		}
		w->rc = source_load_text(
		    json_string_value(text), json_string_length(text),
		    json_string_value(json_object_get(w->request, "name")),
		    &w->src, &w->err);
	}
}

static void source_cleanup(void *arg)
{
	struct source_work *w = arg;

	json_decref(w->request);
	free(w->cache_dir);
	free(w->checkout_dir);
	source_release(&w->src);
	err_release(&w->err);
	free(w);
}

static void source_after(struct job_run *r, void *arg)
{
	struct source_work *w = arg;
	struct pipeline_state *ps = stage_state(r);
	struct err err = ERR_INIT;
	struct buf msg = BUF_INIT;

	if (w->rc < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&w->err));
		goto out;
	}
	ps->src = w->src;
	source_init(&w->src);
	if (ps->src.path) {
		ps->src_path = xstrdup(ps->src.path);
		ps->src_dir = xstrdup(ps->src.dir);
	} else {
		/* Text has no file: the workload runs a copy in the job's
		 * own folder. */
		ps->src_path = xasprintf("%s/%s.py", r->work_dir, ps->src.name);
		ps->src_dir = xstrdup(r->work_dir);
		if (fs_write_file(ps->src_path, ps->src.text, ps->src.len,
				  &err) < 0) {
			job_stage_done(r, STAGE_FAILED, err_msg(&err));
			goto out;
		}
	}
	json_object_set_new(r->result, "source",
			    json_pack("{s:s, s:s?, s:s, s:I, s:s?}", "name",
				      ps->src.name, "path", ps->src.path,
				      "sha256", ps->src.sha256, "bytes",
				      (json_int_t)ps->src.len, "git_commit",
				      ps->src.git_commit));
	buf_addf(&msg, "%s (%zu bytes, %s)", ps->src_path, ps->src.len,
		 ps->src.encoding ? ps->src.encoding : "utf-8");
	job_stage_done(r, STAGE_DONE, msg.data);
out:
	buf_release(&msg);
	err_release(&err);
}

static void stage_source(struct job_run *r)
{
	struct source_work *w = xcalloc(1, sizeof(*w));

	w->request = json_incref(r->request);
	w->cache_dir = xstrdup(r->d->cfg.state_dir);
	w->checkout_dir = xasprintf("%s/checkout", r->work_dir);
	w->max_bytes = r->d->cfg.max_source;
	source_init(&w->src);
	job_queue_work(r, source_work, source_after, source_cleanup, w);
}

/* ---- index -----------------------------------------------------------------
 */

/*
 * On the pool: the cached index, or a new one (then cached); either way
 * the run keeps a slim copy with what the later stages read, so a big
 * source's index (hundreds of MB of JSON objects) is not held for the
 * whole job. The source text is the run's own, which outlives the work.
 */
struct index_work {
	struct store *store;
	const char *text;
	size_t len;
	char sha256[65];
	json_t *index;
	bool is_hit;
	struct err err;
	int rc;
};

/* What select, profile, translate and deliver read of an index. */
static json_t *index_slim(json_t *full)
{
	json_t *fns = json_array(), *imps = json_array(), *f, *p, *imp;
	size_t i, j;

	json_array_foreach(json_object_get(full, "functions"), i, f) {
		json_t *params = json_array();
		json_array_foreach(json_object_get(f, "params"), j, p)
			json_array_append_new(
			    params, json_pack("{s:O?}", "annotation",
					      json_object_get(p, "annotation")));
		json_array_append_new(
		    fns, json_pack("{s:O, s:O, s:O, s:o}", "qualname",
				   json_object_get(f, "qualname"), "first_line",
				   json_object_get(f, "first_line"), "hash",
				   json_object_get(f, "hash"), "params",
				   params));
	}
	json_array_foreach(json_object_get(full, "imports"), i, imp)
		json_array_append_new(imps,
				      json_pack("{s:O?}", "module",
						json_object_get(imp, "module")));
	return json_pack("{s:o, s:o, s:O}", "functions", fns, "imports", imps,
			 "errors", json_object_get(full, "errors"));
}

static void index_work(void *arg)
{
	struct index_work *w = arg;
	char *key = index_cache_key(w->sha256);
	json_t *full = NULL;
	struct store *bg = store_bg_acquire(w->store, &w->err);

	if (bg && store_cache_get(bg, "source_index", key, &full, NULL, NULL,
				  &w->err) < 0)
		log_warn("index cache: %s", err_msg(&w->err));
	if (bg)
		store_bg_release(w->store);
	err_release(&w->err);
	w->is_hit = full != NULL;
	if (!full) {
		w->rc = index_source(w->text, w->len, &full, &w->err);
		if (w->rc < 0)
			goto out;
		bg = store_bg_acquire(w->store, &w->err);
		if (bg && store_cache_put(bg, "source_index", key, full, NULL,
					  0, &w->err) < 0)
			log_warn("index cache: %s", err_msg(&w->err));
		if (bg)
			store_bg_release(w->store);
		err_release(&w->err);
	}
	w->index = index_slim(full);
out:
	json_decref(full);
	free(key);
}

static void index_cleanup(void *arg)
{
	struct index_work *w = arg;

	json_decref(w->index);
	err_release(&w->err);
	free(w);
}

static void index_done(struct job_run *r, bool is_hit)
{
	struct pipeline_state *ps = r->ps;
	json_t *errors = json_object_get(ps->index, "errors");
	struct buf msg = BUF_INIT;

	buf_addf(&msg, "%zu functions%s",
		 json_array_size(json_object_get(ps->index, "functions")),
		 is_hit ? " (cached)" : "");
	if (json_array_size(errors)) {
		json_t *e = json_array_get(errors, 0);
		buf_addf(
		    &msg, "; %zu syntax errors, the first at %s:%lld:%lld",
		    json_array_size(errors), ps->src.name,
		    (long long)json_integer_value(json_object_get(e, "line")),
		    (long long)json_integer_value(
			json_object_get(e, "column")));
	}
	job_stage_done(r, STAGE_DONE, msg.data);
	buf_release(&msg);
}

static void index_after(struct job_run *r, void *arg)
{
	struct index_work *w = arg;

	if (w->rc < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&w->err));
		return;
	}
	r->ps->index = w->index;
	w->index = NULL;
	index_done(r, w->is_hit);
}

static void stage_index(struct job_run *r)
{
	struct pipeline_state *ps = stage_state(r);
	struct index_work *w = xcalloc(1, sizeof(*w));

	w->store = &r->d->store;
	w->text = ps->src.text;
	w->len = ps->src.len;
	memcpy(w->sha256, ps->src.sha256, sizeof(w->sha256));
	job_queue_work(r, index_work, index_after, index_cleanup, w);
}

/* ---- profile ---------------------------------------------------------------
 */

/*
 * Before the workload: whether there is one, and the profile's cache key
 * (which reads the sibling modules the source imports) and cache entry,
 * all on the pool. The work reads the run's source, index and request,
 * which do not change while it runs.
 */
struct profile_prep {
	struct store *store;
	const struct pipeline_state *ps;
	json_t *request;
	bool has_workload;
	char *key;
	json_t *hit;
};

/* A profile whose workload ran (the harness says "none" when the file
 * had nothing to run). */
static bool workload_ran(const struct pipeline_state *ps)
{
	json_t *wl = json_object_get(ps->profile, "workload");
	const char *kind = json_string_value(json_object_get(wl, "kind"));

	return ps->profile && !(kind && !strcmp(kind, "none"));
}

/* Hash of everything that determines a profile. Sibling modules that the
 * source imports are part of it: their code runs in the workload. */
static char *profile_cache_key(const struct pipeline_state *ps,
			       json_t *request)
{
	json_t *imports = json_object_get(ps->index, "imports");
	struct sha256 c;
	struct stat st;
	char hex[65], *s;
	json_t *imp;
	size_t i;

	sha256_init(&c);
	sha256_update(&c, "profile-v1\0", 11);
	sha256_update(&c, ps->src.sha256, 64);
	/* A changed harness makes every old profile stale. */
	{
		size_t hlen = 0;
		const char *h = harness_get("profile.py", &hlen);
		if (h)
			sha256_update(&c, h, hlen);
	}
	/* The request minus the options that do not change the profile. */
	json_t *req = json_deep_copy(request);
	for (const struct rustify_option *o = rustify_submit_options; o->key;
	     o++)
		if (o->affects != OPTION_PROFILE)
			json_object_del(req, o->key);
	json_object_del(req, "rebuild");
	s = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	sha256_update(&c, s, strlen(s) + 1);
	free(s);
	json_decref(req);
	sha256_update(&c, ps->python, strlen(ps->python) + 1);
	if (ps->python[0] == '/' && stat(ps->python, &st) == 0)
		sha256_update(&c, &st.st_mtime, sizeof(st.st_mtime));
	json_array_foreach(imports, i, imp) {
		const char *mod =
		    json_string_value(json_object_get(imp, "module"));
		if (!mod || !ps->src_dir)
			continue;
		char *top = xstrndup(mod, strcspn(mod, "."));
		char *path = xasprintf("%s/%s.py", ps->src_dir, top);
		FILE *f = top[0] ? fopen(path, "rb") : NULL;
		if (f) {
			char block[65536];
			size_t n;
			sha256_update(&c, path, strlen(path) + 1);
			while ((n = fread(block, 1, sizeof(block), f)) > 0)
				sha256_update(&c, block, n);
			fclose(f);
		}
		free(path);
		free(top);
	}
	sha256_final_hex(&c, hex);
	return xstrdup(hex);
}

static void profile_prep_work(void *arg)
{
	struct profile_prep *w = arg;
	struct err err = ERR_INIT;
	struct store *bg;

	/* The profile harness decides with Python's own parser whether
	 * the file has a workload (a main block, or top-level statements
	 * beyond definitions, imports and constant assignments). */
	w->has_workload = true;
	if (!w->has_workload)
		return;
	w->key = profile_cache_key(w->ps, w->request);
	/* The samples stay in the cache until verify needs them. */
	bg = store_bg_acquire(w->store, &err);
	if (bg && store_cache_get(bg, "profile", w->key, &w->hit, NULL, NULL,
				  &err) < 0)
		log_warn("profile cache: %s", err_msg(&err));
	if (bg)
		store_bg_release(w->store);
	err_release(&err);
}

static void profile_prep_cleanup(void *arg)
{
	struct profile_prep *w = arg;

	json_decref(w->request);
	free(w->key);
	json_decref(w->hit);
	free(w);
}

/* " at FILE:LINE" of the workload's exception, when it says where. */
static void profile_add_place(struct buf *msg, json_t *exc)
{
	const char *file = json_string_value(json_object_get(exc, "file"));
	json_t *line = json_object_get(exc, "line");

	if (file && json_is_integer(line))
		buf_addf(msg, " at %s:%lld", file,
			 (long long)json_integer_value(line));
}

static void profile_finish(struct job_run *r, bool is_hit)
{
	struct pipeline_state *ps = r->ps;
	json_t *wl = json_object_get(ps->profile, "workload");
	const char *kind = json_string_value(json_object_get(wl, "kind"));
	json_t *exc = json_object_get(wl, "exception");
	struct buf msg = BUF_INIT;

	json_object_set(r->result, "python",
			json_object_get(ps->profile, "python"));
	if (json_is_object(exc))
		json_object_set_new(
		    r->result, "workload_error",
		    json_pack("{s:O?, s:O?, s:O?, s:O?}", "type",
			      json_object_get(exc, "type"), "message",
			      json_object_get(exc, "message"), "file",
			      json_object_get(exc, "file"), "line",
			      json_object_get(exc, "line")));
	if (kind && !strcmp(kind, "error")) {
		/* the program does not compile: nothing ran, nothing to
		 * select from */
		buf_addf(&msg, "the program does not compile: %s: %s",
			 json_string_value(json_object_get(exc, "type")),
			 json_string_value(json_object_get(exc, "message")));
		profile_add_place(&msg, exc);
		job_stage_done(r, STAGE_FAILED, msg.data);
		goto out;
	}
	if (kind && !strcmp(kind, "none")) {
		buf_addf(&msg, "%s",
			 json_string_value(json_object_get(wl, "message")));
		job_stage_done(r, STAGE_SKIPPED, msg.data);
		goto out;
	}
	buf_addf(&msg, "%zu functions profiled over %.3f s%s",
		 json_array_size(json_object_get(ps->profile, "functions")),
		 json_number_value(json_object_get(wl, "wall_time")),
		 is_hit ? " (cached)" : "");
	if (json_is_object(exc)) {
		buf_addf(&msg, "; the workload raised %s: %s",
			 json_string_value(json_object_get(exc, "type")),
			 json_string_value(json_object_get(exc, "message")));
		profile_add_place(&msg, exc);
	}
	job_stage_done(r, STAGE_DONE, msg.data);
out:
	buf_release(&msg);
}

/*
 * After the workload, on the pool: its profile.json read, and stored in
 * the cache with the captured arguments (samples.pkl, up to 16 MB), which
 * a later job that hits this entry verifies with.
 */
struct profile_done {
	struct store *store;
	char *work_dir;
	char *key;
	json_t *profile;
	struct err err;
	int rc;
};

static void profile_done_work(void *arg)
{
	struct profile_done *w = arg;
	char *out = xasprintf("%s/profile.json", w->work_dir);
	char *samples_path = xasprintf("%s/samples.pkl", w->work_dir);
	size_t samples_len = 0;
	char *samples = NULL;
	struct err err = ERR_INIT;
	struct store *bg;

	w->profile = stage_load_json(out, &w->err);
	if (!w->profile) {
		w->rc = w->err.code;
		goto out;
	}
	samples = fs_read_all(samples_path, &samples_len);
	bg = store_bg_acquire(w->store, &err);
	if (bg && store_cache_put(bg, "profile", w->key, w->profile, samples,
				  samples_len, &err) < 0)
		log_warn("profile cache: %s", err_msg(&err));
	if (bg)
		store_bg_release(w->store);
out:
	err_release(&err);
	free(out);
	free(samples_path);
	free(samples);
}

static void profile_done_cleanup(void *arg)
{
	struct profile_done *w = arg;

	free(w->work_dir);
	free(w->key);
	json_decref(w->profile);
	err_release(&w->err);
	free(w);
}

static void profile_done_after(struct job_run *r, void *arg)
{
	struct profile_done *w = arg;

	if (w->rc < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&w->err));
		return;
	}
	r->ps->profile = w->profile;
	w->profile = NULL;
	profile_finish(r, false);
}

static void profile_exit(struct job_run *r, int64_t status, int sig,
			 bool timed_out)
{
	struct profile_done *w;
	struct err err = ERR_INIT;

	if (timed_out) {
		err_set(&err, RUSTIFY_ETIMEOUT,
			"the workload ran longer than %.0f s and was killed; "
			"give a shorter workload (--entry, --entry-cmd) or "
			"fewer --iterations",
			r->d->cfg.profile_timeout);
		goto fail;
	}
	if (sig || status != 0) {
		if (sig)
			err_set(&err, RUSTIFY_ECHILD,
				"the profiler was killed by signal %d", sig);
		else
			err_set(&err, RUSTIFY_ECHILD,
				"the profiler exited with status %lld (see "
				"the job log)",
				(long long)status);
		goto fail;
	}
	w = xcalloc(1, sizeof(*w));
	w->store = &r->d->store;
	w->work_dir = xstrdup(r->work_dir);
	w->key = xstrdup(r->ps->profile_key);
	job_queue_work(r, profile_done_work, profile_done_after,
		       profile_done_cleanup, w);
	goto out;
fail:
	job_stage_done(r, STAGE_FAILED, err_msg(&err));
out:
	err_release(&err);
}

static bool is_fully_annotated(struct pipeline_state *ps, const char *q);

/* --function naming only fully annotated functions needs no types from a
 * run: the annotations are the evidence. */
static bool names_only_annotated(struct job_run *r)
{
	json_t *names = json_object_get(r->request, "functions"), *v;
	size_t i;

	if (!json_array_size(names))
		return false;
	json_array_foreach(names, i, v) {
		if (!is_fully_annotated(r->ps, json_string_value(v)))
			return false;
	}
	return true;
}

static void profile_run(struct job_run *r);

static void profile_prep_after(struct job_run *r, void *arg)
{
	struct profile_prep *w = arg;
	struct pipeline_state *ps = r->ps;

	if (!w->has_workload) {
		job_stage_done(
		    r, STAGE_SKIPPED,
		    "no workload: the file has no if __name__ == "
		    "\"__main__\": block; add one, or pass --entry "
		    "MODULE:FUNCTION or --entry-cmd \"SCRIPT ARGS\"");
		return;
	}
	ps->profile_key = w->key;
	w->key = NULL;
	if (w->hit) {
		ps->profile = w->hit;
		w->hit = NULL;
		ps->has_profile_cache_hit = true;
		profile_finish(r, true);
		return;
	}
	profile_run(r);
}

static void stage_profile(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	struct profile_prep *w;

	ps->python = stage_python(r);
	if (names_only_annotated(r)) {
		job_stage_done(r, STAGE_SKIPPED,
			       "every function named by --function is fully "
			       "annotated: types come from the annotations");
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->store = &r->d->store;
	w->ps = ps;
	w->request = json_deep_copy(r->request);
	job_queue_work(r, profile_prep_work, profile_prep_after,
		       profile_prep_cleanup, w);
}

/* Runs the workload under the profile harness. */
static void profile_run(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	struct err err = ERR_INIT;
	char *harness = NULL, *out = NULL, *samples = NULL, *iters = NULL;
	char *entry_json = NULL;
	const char *args[24];
	int n = 0;

	if (harness_write("profile.py", r->work_dir, &harness, &err) < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
		goto out;
	}

	out = xasprintf("%s/profile.json", r->work_dir);
	samples = xasprintf("%s/samples.pkl", r->work_dir);
	args[n++] = ps->python;
	args[n++] = harness;
	args[n++] = "--source";
	args[n++] = ps->src_path;
	args[n++] = "--name";
	args[n++] = ps->src.name;
	args[n++] = "--out";
	args[n++] = out;
	args[n++] = "--samples";
	args[n++] = samples;
	/* One call's arguments of a real workload (two lists of 100k floats)
	 * pickle to a few MB: keep a few of them for verification. */
	args[n++] = "--max-sample-bytes";
	args[n++] = "16777216";
	if (json_object_get(r->request, "entry")) {
		args[n++] = "--entry";
		args[n++] =
		    json_string_value(json_object_get(r->request, "entry"));
	}
	if (json_object_get(r->request, "entry_cmd")) {
		entry_json = json_dumps(
		    json_object_get(r->request, "entry_cmd"), JSON_COMPACT);
		args[n++] = "--entry-cmd-json";
		args[n++] = entry_json;
	}
	if (json_object_get(r->request, "iterations")) {
		iters = xasprintf(
		    "%lld", (long long)json_integer_value(
				json_object_get(r->request, "iterations")));
		args[n++] = "--iterations";
		args[n++] = iters;
	}
	args[n] = NULL;
	struct job_child child = {
	    .args = args,
	    .cwd = ps->src_dir,
	    .timeout = r->d->cfg.profile_timeout,
	    .done = profile_exit,
	};
	job_progress(r, 10, "running the workload under cProfile (%s)",
		     ps->python);
	job_spawn(r, &child);
out:
	free(harness);
	free(out);
	free(samples);
	free(iters);
	free(entry_json);
	err_release(&err);
}

/* ---- select ----------------------------------------------------------------
 */


static char *signature_text(json_t *prof)
{
	json_t *sig = json_array_get(json_object_get(prof, "signatures"), 0);
	json_t *args = json_object_get(sig, "args"), *t;
	struct buf b = BUF_INIT;
	const char *k;
	bool first = true;

	if (!sig)
		return NULL;
	buf_addch(&b, '(');
	json_object_foreach(args, k, t) {
		buf_addf(&b, "%s%s", first ? "" : ", ", json_string_value(t));
		first = false;
	}
	buf_addf(&b, ") -> %s",
		 json_is_string(json_object_get(sig, "return"))
		     ? json_string_value(json_object_get(sig, "return"))
		     : "?");
	return buf_detach(&b, NULL);
}

static bool params_all_annotated(json_t *fn)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(fn, "params"), i, p) {
		if (!json_is_string(json_object_get(p, "annotation")))
			return false;
	}
	return true;
}

static bool is_fully_annotated(struct pipeline_state *ps, const char *q)
{
	json_t *fn;
	size_t i;

	json_array_foreach(json_object_get(ps->index, "functions"), i, fn) {
		if (!strcmp(json_string_value(json_object_get(fn, "qualname")),
			    q))
			return params_all_annotated(fn);
	}
	return false;
}

static bool name_listed(json_t *names, const char *qualname)
{
	json_t *v;
	size_t i;

	json_array_foreach(names, i, v) {
		if (!strcmp(json_string_value(v), qualname))
			return true;
	}
	return false;
}

/* What a function costs with everything that becomes native with it
 * (profile.py's time_share); a profile from before it has only its own
 * time (share). */
static double profile_time_share(json_t *prof)
{
	json_t *v = json_object_get(prof, "time_share");

	return json_is_number(v) ? json_number_value(v)
				 : json_number_value(json_object_get(prof,
								     "share"));
}

/*
 * Call trees: the module functions and methods a selected function calls
 * (profile.py's callees, from cProfile's callers data) are selected with
 * it, transitively, so that a translated caller calls its callees
 * natively and is never held back by a helper too small to be chosen on
 * its own. Returns how many were pulled in.
 */
static size_t select_callees(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	json_t *queue = json_array(), *c;
	size_t i, j, n = 0;

	for (i = 0; i < ps->nfns; i++)
		if (ps->fns[i].is_selected)
			json_array_append_new(queue,
					      json_string(ps->fns[i].name));
	for (i = 0; i < json_array_size(queue); i++) {
		const char *q = json_string_value(json_array_get(queue, i));
		json_t *prof = stage_profile_entry(ps, q);

		json_array_foreach(json_object_get(prof, "callees"), j, c) {
			const char *cq =
			    json_string_value(json_object_get(c, "qualname"));
			struct fn_result *f = stage_fn(r, cq);
			if (!f || f->is_selected || f->calls == 0)
				continue;
			f->is_selected = true;
			result_fn_set(&f->reason, NULL);
			result_fn_set(&f->pulled_in_by, q);
			json_array_append_new(queue, json_string(cq));
			n++;
		}
	}
	json_decref(queue);
	return n;
}

/* Hottest first, as the table shows them; stable (an insertion sort:
 * a module has hundreds of functions, not millions). */
static void select_sort(struct pipeline_state *ps)
{
	for (size_t i = 1; i < ps->nfns; i++) {
		struct fn_result key = ps->fns[i];
		size_t j = i;
		while (j > 0 && ps->fns[j - 1].time_share < key.time_share) {
			ps->fns[j] = ps->fns[j - 1];
			j--;
		}
		ps->fns[j] = key;
	}
}

static void stage_select(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	json_t *names = json_object_get(r->request, "functions");
	json_t *fns = json_object_get(ps->index, "functions"), *fn, *v;
	double threshold = 10.0;
	bool is_all = json_is_true(json_object_get(r->request, "all"));
	size_t i, nselected = 0;
	struct buf msg = BUF_INIT;

	for (i = 0; i < ps->nfns; i++)
		result_fn_release(&ps->fns[i]);
	ps->nfns = 0;
	if (json_is_number(json_object_get(r->request, "threshold")))
		threshold =
		    json_number_value(json_object_get(r->request, "threshold"));
	json_array_foreach(names, i, v) {
		bool found = false;
		size_t j;
		json_array_foreach(fns, j, fn) {
			found |= !strcmp(
			    json_string_value(v),
			    json_string_value(json_object_get(fn, "qualname")));
		}
		if (!found) {
			buf_addf(&msg, "--function %s: no such function in %s",
				 json_string_value(v), ps->src.name);
			job_stage_done(r, STAGE_FAILED, msg.data);
			goto out;
		}
	}
	json_array_foreach(fns, i, fn) {
		const char *q =
		    json_string_value(json_object_get(fn, "qualname"));
		json_t *prof = ps->profile ? stage_profile_entry(ps, q) : NULL;
		double share = prof ? profile_time_share(prof) : 0.0;
		double self_share =
		    prof ? json_number_value(json_object_get(prof, "share"))
			 : 0.0;
		json_int_t calls =
		    prof ? json_integer_value(json_object_get(prof, "ncalls"))
			 : 0;
		char *sig = prof ? signature_text(prof) : NULL;
		const char *reason = NULL;
		bool is_selected;

		if (names)
			is_selected = name_listed(names, q);
		else if (is_all)
			is_selected = true;
		else
			is_selected = share * 100.0 >= threshold;
		if (!is_selected)
			reason = names ? "not named by --function"
				       : "below the time threshold";
		if (is_selected && !ps->profile && !params_all_annotated(fn)) {
			is_selected = false;
			reason = "no workload ran and not every parameter is "
				 "annotated, so its types are unknown";
		}
		if (is_selected && prof && calls == 0 &&
		    !params_all_annotated(fn)) {
			is_selected = false;
			reason = "never called by the workload, and not every "
				 "parameter is annotated";
		}
		nselected += is_selected;
		{
			struct fn_result *f = stage_fn_add(r, q);
			f->line = json_integer_value(
			    json_object_get(fn, "first_line"));
			f->time_share = share;
			f->self_share = self_share;
			f->calls = calls;
			f->samples = prof ? json_integer_value(json_object_get(
						prof, "samples"))
					  : 0;
			f->oversized = prof ? json_integer_value(json_object_get(
						  prof, "oversized"))
					    : 0;
			f->unpicklable =
			    prof ? json_integer_value(
				       json_object_get(prof, "unpicklable"))
				 : 0;
			result_fn_set(&f->signature, sig);
			f->is_selected = is_selected;
			result_fn_set(&f->reason, reason);
		}
		free(sig);
	}
	if (!names && !is_all)
		nselected += select_callees(r);
	select_sort(ps);
	buf_addf(&msg, "%zu of %zu functions selected", nselected,
		 json_array_size(fns));
	if (json_is_true(json_object_get(r->request, "list_targets"))) {
		buf_adds(&msg, " (--list-targets: stopping here)");
		/* The remaining stages are not run at all. */
		r->is_done_early = true;
		job_stage_done(r, STAGE_DONE, msg.data);
		goto out;
	}
	if (!nselected && !workload_ran(ps)) {
		job_stage_done(r, STAGE_FAILED,
			       "nothing to accelerate: no workload ran, and no "
			       "function has every parameter annotated; add an "
			       "if __name__ == \"__main__\": block, or pass "
			       "--entry MODULE:FUNCTION or --entry-cmd "
			       "\"SCRIPT ARGS\"");
		goto out;
	}
	job_stage_done(r, STAGE_DONE, msg.data);
out:
	buf_release(&msg);
}

/* ---- translate -------------------------------------------------------------
 */

struct translate_work {
	char *text;
	size_t len;
	json_t *request;
	char *out_dir;
	json_t *report;
	struct err err;
	int rc;
};

static void translate_work(void *arg)
{
	struct translate_work *w = arg;

	w->rc = translate_module(w->text, w->len, w->request, w->out_dir,
				 &w->report, &w->err);
}

static void translate_cleanup(void *arg)
{
	struct translate_work *w = arg;

	free(w->text);
	json_decref(w->request);
	free(w->out_dir);
	json_decref(w->report);
	err_release(&w->err);
	free(w);
}

/* One function of the translator's report into a result entry. */
static void apply_report_fn(struct fn_result *rf, json_t *f, bool ok)
{
	rf->is_translated = ok;
	result_fn_set(&rf->reason,
		      json_string_value(json_object_get(f, "reason")));
	/* typed, object (or null): and why not typed, when object */
	result_fn_set(&rf->tier, json_string_value(json_object_get(f, "tier")));
	result_fn_set(&rf->typed_reason,
		      json_string_value(json_object_get(f, "typed_reason")));
	if (json_is_string(json_object_get(f, "signature")) && !rf->signature)
		result_fn_set(&rf->signature,
			      json_string_value(json_object_get(f, "signature")));
}

/* Takes the translator's report into the result's functions; counts. */
static void apply_report(struct job_run *r, json_t *report, size_t *ntranslated,
			 size_t *nfns)
{
	struct pipeline_state *ps = r->ps;
	json_t *f;
	size_t i, k;

	*ntranslated = *nfns = 0;
	json_decref(ps->translate);
	ps->translate = json_incref(report);
	json_array_foreach(json_object_get(report, "functions"), i, f) {
		const char *name =
		    json_string_value(json_object_get(f, "name"));
		bool ok = json_is_true(json_object_get(f, "translated"));

		(*nfns)++;
		*ntranslated += ok;
		if (!name)
			continue;
		/* every entry of that name: a property's getter and setter
		 * are one qualname, translated together */
		for (k = 0; k < ps->nfns; k++)
			if (!strcmp(ps->fns[k].name, name))
				apply_report_fn(&ps->fns[k], f, ok);
	}
}

static void translate_after(struct job_run *r, void *arg)
{
	struct translate_work *w = arg;
	struct pipeline_state *ps = r->ps;
	size_t ntranslated, nfns;
	struct buf msg = BUF_INIT;

	if (w->rc < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&w->err));
		goto out;
	}
	apply_report(r, w->report, &ntranslated, &nfns);
	json_object_set_new(r->result, "module", json_string(ps->module));
	buf_addf(&msg, "%zu of %zu selected functions translated", ntranslated,
		 nfns);
	if (!ntranslated) {
		buf_adds(&msg, "; " STAGE_NOTHING_TO_BUILD);
		ps->is_python_only = true;
	}
	job_stage_done(r, STAGE_DONE, msg.data);
out:
	buf_release(&msg);
}

/* The most frequent observed signature of each selected function. */
static json_t *observed_signatures(struct pipeline_state *ps, json_t *names)
{
	json_t *out = json_object(), *v;
	size_t i;

	json_array_foreach(names, i, v) {
		const char *q = json_string_value(v);
		json_t *prof = ps->profile ? stage_profile_entry(ps, q) : NULL;
		json_t *sig =
		    json_array_get(json_object_get(prof, "signatures"), 0);
		if (sig)
			json_object_set_new(
			    out, json_string_value(v),
			    json_pack("{s:O, s:O}", "args",
				      json_object_get(sig, "args"), "return",
				      json_object_get(sig, "return")));
	}
	return out;
}

/* After the build found functions whose Rust does not compile: the
 * translator's request again, with them kept in Python. */
static void translate_again_after(struct job_run *r, void *arg)
{
	struct translate_work *w = arg;
	size_t ntranslated, nfns;
	struct buf msg = BUF_INIT;

	if (w->rc < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&w->err));
		return;
	}
	apply_report(r, w->report, &ntranslated, &nfns);
	if (!ntranslated) {
		r->ps->is_python_only = true;
		job_stage_done(r, STAGE_DONE,
			       "no translated function's Rust compiled; "
			       STAGE_NOTHING_TO_BUILD);
		return;
	}
	buf_addf(&msg,
		 "%zu of %zu functions translated, without %zu whose Rust "
		 "did not compile",
		 ntranslated, nfns, json_object_size(r->ps->excluded));
	job_stage_done(r, STAGE_DONE, msg.data);
	buf_release(&msg);
}

static void stage_translate_again(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	struct translate_work *w = xcalloc(1, sizeof(*w));

	w->text = xstrndup(ps->src.text, ps->src.len);
	w->len = ps->src.len;
	w->out_dir = xstrdup(ps->out_dir);
	w->request = json_deep_copy(ps->translate_request);
	json_object_set(w->request, "exclude", ps->excluded);
	job_queue_work(r, translate_work, translate_again_after,
		       translate_cleanup, w);
}

static void stage_translate(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	struct translate_work *w;
	json_t *names;
	const char *module =
	    json_string_value(json_object_get(r->request, "module"));
	const char *pyver = json_string_value(
	    json_object_get(json_object_get(ps->profile, "python"), "version"));
	size_t i;

	/* the build sent the job back here (job_stage_again) */
	if (json_object_size(ps->excluded) && ps->translate_request) {
		stage_translate_again(r);
		return;
	}
	names = json_array();
	for (i = 0; i < ps->nfns; i++)
		if (ps->fns[i].is_selected)
			json_array_append_new(names,
					      json_string(ps->fns[i].name));
	if (!json_array_size(names) &&
	    json_is_true(json_object_get(r->request, "rebuild"))) {
		json_decref(names);
		r->is_done_early = true;
		job_stage_done(r, STAGE_SKIPPED, "no function was selected");
		return;
	}
	if (!ps->python)
		ps->python = stage_python(r);
	/* A job with nothing selected delivers too (the package with every
	 * function in Python), so it has a key and may be a hit. */
	ps->job_key = jobcache_key(r, names);
	if (json_is_true(json_object_get(r->request, "rebuild"))) {
		json_decref(names);
		rebuild_translate(r);
		return;
	}
	/* --install wants a pip install, which a hit would skip. */
	if (!json_is_true(json_object_get(r->request, "install")) &&
	    jobcache_hit(r)) {
		struct buf msg = BUF_INIT;
		buf_addf(&msg,
			 "cache hit: the delivery of job %s is current; "
			 "nothing to rebuild",
			 json_string_value(
			     json_object_get(r->result, "cached_from")));
		json_decref(names);
		r->is_done_early = true;
		job_stage_done(r, STAGE_DONE, msg.data);
		buf_release(&msg);
		return;
	}
	ps->module =
	    module ? xstrdup(module) : xasprintf("%s_rs", ps->src.name);
	ps->output = stage_output_dir(r);
	if (!json_array_size(names)) {
		json_decref(names);
		ps->is_python_only = true;
		json_object_set_new(r->result, "module",
				    json_string(ps->module));
		job_stage_done(r, STAGE_SKIPPED,
			       "no function was selected; "
			       STAGE_NOTHING_TO_BUILD);
		return;
	}
	ps->out_dir = xasprintf("%s/out", r->work_dir);
	w = xcalloc(1, sizeof(*w));
	w->text = xstrndup(ps->src.text, ps->src.len);
	w->len = ps->src.len;
	w->out_dir = xstrdup(ps->out_dir);
	/* Without a profile the interpreter's version is unknown: sum() of
	 * floats is then translated for Python < 3.12 only if it is safe. */
	w->request = json_pack("{s:s, s:s, s:s?, s:o, s:o, s:s, s:s}", "module",
			       ps->module, "source_name", ps->src.name,
			       "source_path", ps->src.path, "functions", names,
			       "signatures", observed_signatures(ps, names),
			       "python_version", pyver ? pyver : "3.11.0",
			       "pyo3_version", RUSTIFY_PYO3_VERSION);
	json_decref(ps->translate_request);
	ps->translate_request = json_incref(w->request);
	job_queue_work(r, translate_work, translate_after, translate_cleanup,
		       w);
}

/* ---- crate --------------------------------------------------------------- */

static void crate_fmt_done(struct job_run *r, int64_t status, int sig,
			   bool timed_out)
{
	bool is_dry = json_is_true(json_object_get(r->request, "dry_run"));
	struct buf msg = BUF_INIT;

	buf_addf(&msg, "%s/crate%s", r->ps->out_dir,
		 status == 0 ? " (rustfmt)" : " (rustfmt failed; unformatted)");
	if (is_dry) {
		buf_adds(&msg, "; --dry-run: not building");
		/* deliver still copies the crate to the output dir */
		r->is_dry_run = true;
	}
	job_stage_done(r, STAGE_DONE, msg.data);
	buf_release(&msg);
}

static void crate_fmt(struct job_run *r)
{
	char *lib = xasprintf("%s/crate/src/lib.rs", r->ps->out_dir);
	const char *args[] = {"rustfmt", "--edition", "2021", lib, NULL};

	const struct job_child child = {
	    .args = args, .cwd = r->ps->out_dir, .timeout = 60,
	    .done = crate_fmt_done};

	job_spawn(r, &child);
	free(lib);
}

static void stage_crate(struct job_run *r)
{
	if (!r->ps->is_python_only) {
		crate_fmt(r);
		return;
	}
	/* what --dry-run means for a crate: deliver writes, no job key */
	r->is_dry_run = json_is_true(json_object_get(r->request, "dry_run"));
	job_stage_done(r, STAGE_SKIPPED, STAGE_NOTHING_TO_BUILD);
}

/* build and verify have nothing to do when nothing was translated (or
 * nothing compiled): the job still goes on to deliver. */
static void stage_build_or_skip(struct job_run *r)
{
	if (r->ps->is_python_only)
		job_stage_done(r, STAGE_SKIPPED, STAGE_NOTHING_TO_BUILD);
	else
		stage_build(r);
}

static void stage_verify_or_skip(struct job_run *r)
{
	if (r->ps->is_python_only)
		job_stage_done(r, STAGE_SKIPPED, STAGE_NOTHING_TO_BUILD);
	else
		stage_verify(r);
}

static const struct job_stage stages[] = {
    {"source", stage_source},	    {"index", stage_index},
    {"profile", stage_profile},	    {"select", stage_select},
    {"translate", stage_translate}, {"crate", stage_crate},
    {"build", stage_build_or_skip}, {"verify", stage_verify_or_skip},
    {"measure", stage_measure},	    {"deliver", stage_deliver},
};
/* A run's stage data goes with it: the build's lock and state, then
 * what the stages handed each other. */
static void pipeline_release(struct job_run *r)
{
	build_release(r);
	stage_state_release(r);
}

const struct job_pipeline pipeline_ops = {
    .stages = stages,
    .nstages = sizeof(stages) / sizeof(stages[0]),
    .finish = stage_result_finish,
    .release = pipeline_release,
};
