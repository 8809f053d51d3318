/*
 * verify.c - the verify stage: unpack the built wheel into the job's work
 * folder, run the verify harness (daemon/harness/verify.py) in a child of
 * the job's interpreter to call the original and the accelerated version
 * of every translated function on the captured arguments and generated
 * edge cases, then record per function whether it verified, on how many
 * inputs, the first difference, and the speed-up. A function that fails
 * is switched back to the original in the shim before delivery.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "fs.h"
#include "log.h"
#include "pipeline.h"

/* Rewrites the shim so that qualname is the original function. The shim
 * (translate/crate.c) binds every translated name on one line:
 *   NAME = _native.NAME if _native is not None else _original.NAME */
static int shim_disable(const char *init_py, const char *name, const char *why,
			struct err *err)
{
	size_t len;
	char *text = fs_read_all(init_py, &len);
	struct buf want = BUF_INIT, out = BUF_INIT;
	const char *at;
	int rc = 0;

	if (!text)
		return err_set(err, RUSTIFY_EIO, "%s: cannot read", init_py);
	buf_addf(&want,
		 "%s = _native.%s if _native is not None else "
		 "_original.%s\n",
		 name, name, name);
	at = strstr(text, want.data);
	if (!at) {
		/* Not bound to the extension: nothing to disable. */
		rc = err_set(err, RUSTIFY_ENOJOB, "%s: no binding line for %s",
			     init_py, name);
		goto out;
	}
	buf_add(&out, text, (size_t)(at - text));
	buf_addf(&out, "%s = _original.%s  # disabled: %s\n", name, name, why);
	buf_adds(&out, at + want.len);
	rc = fs_write_file(init_py, out.data, out.len, err);
out:
	free(text);
	buf_release(&want);
	buf_release(&out);
	return rc;
}

static void verify_done(struct job_run *r, int64_t status, int sig,
			bool timed_out)
{
	struct pipeline_state *ps = r->ps;
	struct err err = ERR_INIT;
	char *path = xasprintf("%s/verify.json", r->work_dir);
	char *init_py =
	    xasprintf("%s/site/%s/__init__.py", r->work_dir, ps->module);
	json_t *doc = NULL, *f;
	size_t i, nok = 0, nall = 0;
	struct buf msg = BUF_INIT;

	if (timed_out || sig || status != 0) {
		job_stage_done(r, STAGE_FAILED,
			       timed_out ? "verification timed out"
					 : "the verify harness failed (see the "
					   "job log)");
		goto out;
	}
	doc = stage_load_json(path, &err);
	if (!doc) {
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
		goto out;
	}
	json_array_foreach(json_object_get(doc, "functions"), i, f) {
		const char *q =
		    json_string_value(json_object_get(f, "qualname"));
		json_t *rf = q ? stage_result_fn(r, q) : NULL;
		bool ok = json_is_true(json_object_get(f, "verified"));

		if (!rf)
			continue;
		nall++;
		nok += ok;
		json_object_set_new(rf, "verified", json_boolean(ok));
		json_object_set(rf, "checked_inputs",
				json_object_get(f, "checked_inputs"));
		json_object_set(rf, "speedup", json_object_get(f, "speedup"));
		json_object_set(rf, "time_original_ns",
				json_object_get(f, "time_original_ns"));
		json_object_set(rf, "time_accelerated_ns",
				json_object_get(f, "time_accelerated_ns"));
		if (ok) {
			double sp =
			    json_number_value(json_object_get(f, "speedup"));
			/* Exact but slower than CPython (string code where
			 * CPython's C already does the work): no reason to
			 * swap it in. */
			if (json_is_number(json_object_get(f, "speedup")) &&
			    sp < 1.0) {
				struct buf why = BUF_INIT;
				buf_addf(&why,
					 "translated and verified, but "
					 "slower than Python (%.2fx): kept in "
					 "Python",
					 sp);
				json_object_set_new(rf, "enabled",
						    json_false());
				json_object_set_new(rf, "reason",
						    json_string(why.data));
				buf_release(&why);
			}
			continue;
		}
		json_t *ff = json_object_get(f, "first_failure");
		struct buf why = BUF_INIT;
		buf_addf(&why,
			 "verification failed (%s): input %s: Python "
			 "gave %s, Rust gave %s; a translator bug, the "
			 "function stays in Python",
			 json_string_value(json_object_get(ff, "kind")),
			 json_string_value(json_object_get(ff, "input")),
			 json_string_value(json_object_get(ff, "expected")),
			 json_string_value(json_object_get(ff, "got")));
		json_object_set_new(rf, "reason", json_string(why.data));
		json_object_set(rf, "verify_failure", ff);
		buf_release(&why);
	}
	/* Only what verified stays native: every other binding in the shim
	 * (a failure, or a function the harness did not check) goes back to
	 * the original. */
	json_array_foreach(json_object_get(r->result, "functions"), i, f) {
		const char *q = json_string_value(json_object_get(f, "name"));
		bool is_off = json_is_false(json_object_get(f, "enabled"));
		if (json_is_true(json_object_get(f, "verified")) && !is_off)
			continue;
		if (shim_disable(init_py, q,
				 is_off ? "slower than Python" : "not verified",
				 &err) < 0 &&
		    err.code != RUSTIFY_ENOJOB)
			log_warn("job %s: %s", r->id, err_msg(&err));
		err_release(&err);
	}
	buf_addf(&msg, "%zu of %zu translated functions verified", nok, nall);
	{
		size_t nslow = 0;
		json_array_foreach(json_object_get(r->result, "functions"), i,
				   f)
			nslow += json_is_false(json_object_get(f, "enabled"));
		if (nslow)
			buf_addf(&msg, "; %zu kept in Python as slower", nslow);
	}
	job_stage_done(r, STAGE_DONE, msg.data);
out:
	json_decref(doc);
	free(path);
	free(init_py);
	buf_release(&msg);
	err_release(&err);
}

/*
 * The captured arguments verification calls with: the workload wrote
 * them into the work folder, or a cached profile keeps them in cache.db
 * (up to 16 MB, read and written on the pool).
 */
struct samples_work {
	struct store *store;
	char *key; /* the profile's, NULL when no workload ran */
	char *path;
};

static void samples_work(void *arg)
{
	struct samples_work *w = arg;
	struct err err = ERR_INIT;
	void *blob = NULL;
	size_t len = 0;
	json_t *hit = NULL;
	struct store *bg;

	if (access(w->path, R_OK) == 0)
		return;
	bg = w->key ? store_bg_acquire(w->store, &err) : NULL;
	if (bg) {
		store_cache_get(bg, "profile", w->key, &hit, &blob, &len, &err);
		store_bg_release(w->store);
	}
	err_release(&err);
	if (blob)
		fs_write_file(w->path, blob, len, &err);
	else /* no workload ran: an empty pickled dict */
		fs_write_file(w->path, "\x80\x04}\x94.", 5, &err);
	err_release(&err);
	free(blob);
	json_decref(hit);
}

static void samples_cleanup(void *arg)
{
	struct samples_work *w = arg;

	free(w->key);
	free(w->path);
	free(w);
}

static void verify_run(struct job_run *r, void *arg);

static void verify_unpacked(struct job_run *r, int64_t status, int sig,
			    bool timed_out)
{
	struct samples_work *w;

	if (timed_out || sig || status != 0) {
		job_stage_done(r, STAGE_FAILED, "could not unpack the wheel");
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->store = &r->d->store;
	w->key = r->ps->profile_key ? xstrdup(r->ps->profile_key) : NULL;
	w->path = xasprintf("%s/samples.pkl", r->work_dir);
	job_queue_work(r, samples_work, verify_run, samples_cleanup, w);
}

/* Runs the verify harness once the samples are in the work folder. */
static void verify_run(struct job_run *r, void *arg)
{
	struct pipeline_state *ps = r->ps;
	struct err err = ERR_INIT;
	char *harness = NULL, *site = NULL, *samples = NULL, *out = NULL;
	char *fns = NULL;
	json_t *list = json_array(), *f;
	size_t i;

	(void)arg;
	if (harness_write("verify.py", r->work_dir, &harness, &err) < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
		goto done;
	}
	json_array_foreach(json_object_get(r->result, "functions"), i, f) {
		if (!json_is_true(json_object_get(f, "translated")))
			continue;
		json_array_append_new(
		    list, json_pack("{s:O, s:n}", "qualname",
				    json_object_get(f, "name"), "signature"));
	}
	fns = json_dumps(list, JSON_COMPACT);
	site = xasprintf("%s/site", r->work_dir);
	samples = xasprintf("%s/samples.pkl", r->work_dir);
	out = xasprintf("%s/verify.json", r->work_dir);
	{
		const char *args[] = {ps->python,
				      harness,
				      "--source",
				      ps->src_path,
				      "--package-dir",
				      site,
				      "--module",
				      ps->module,
				      "--samples",
				      samples,
				      "--functions-json",
				      fns,
				      "--out",
				      out,
				      NULL};
		job_progress(r, 30,
			     "comparing Python and Rust on the captured "
			     "and generated inputs");
		const struct job_child child = {
		    .args = args,
		    .cwd = ps->src_dir,
		    .timeout = r->d->cfg.profile_timeout,
		    .done = verify_done};
		job_spawn(r, &child);
	}
done:
	json_decref(list);
	free(fns);
	free(harness);
	free(site);
	free(samples);
	free(out);
	err_release(&err);
}

void stage_verify(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	const char *wheel =
	    json_string_value(json_object_get(r->result, "wheel"));
	char *site;

	if (r->is_dry_run || !wheel) {
		job_stage_done(r, STAGE_SKIPPED,
			       r->is_dry_run ? "--dry-run" : "nothing built");
		return;
	}
	site = xasprintf("%s/site", r->work_dir);
	{
		const char *args[] = {ps->python, "-m", "zipfile", "-e",
				      wheel,	  site, NULL};
		const struct job_child child = {.args = args,
						.cwd = r->work_dir,
						.timeout = 120,
						.done = verify_unpacked};
		job_spawn(r, &child);
	}
	free(site);
}
