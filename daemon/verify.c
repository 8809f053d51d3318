/*
 * verify.c - the verify stage: unpack the built wheel into the job's work
 * folder, run the verify harness (daemon/harness/verify.py) in a child of
 * the job's interpreter to call the original and the accelerated version
 * of every translated function on the captured arguments and generated
 * edge cases, then record per function whether it verified, on how many
 * inputs, the first difference, and the speed-up. A function that fails
 * is switched back to the original in the shim before delivery.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "fs.h"
#include "translate/crate.h"
#include "log.h"
#include "pipeline.h"

static const char *str_or(json_t *o, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : dflt;
}

/* Why a translated function that did not verify stays in Python. */
static char *failure_reason(json_t *f, const struct fn_result *rf,
			    size_t capture_max)
{
	json_t *ff = json_object_get(f, "first_failure");

	if (!json_integer_value(json_object_get(f, "checked_inputs")) &&
	    !rf->calls)
		return xstrdup("not called by the workload: translated, but "
			       "it stays in Python until verified (annotate "
			       "every parameter to have it checked on "
			       "generated inputs)");
	const char *missed = str_or(f, "capture_missed", "");
	if (!json_is_object(ff) && !rf->samples && rf->oversized &&
	    !strcmp(missed, "unpicklable"))
		return xstrdup(
		    "no call was captured to check it on: the arguments of "
		    "every sampled call were larger than the profile's "
		    "per-function sample budget (16 MB pickled), and those "
		    "of its first call, captured in the verify stage, could "
		    "not be pickled (open files, sockets, generators, locks, "
		    "...); it stays in Python");
	if (!json_is_object(ff) && !rf->samples && rf->oversized &&
	    !strcmp(missed, "not called"))
		return xstrdup(
		    "no call was captured to check it on: the arguments of "
		    "every sampled call were larger than the profile's "
		    "per-function sample budget (16 MB pickled), and the "
		    "verify stage's run of the workload ended without "
		    "calling it; it stays in Python");
	if (!json_is_object(ff) && !rf->samples && rf->oversized &&
	    !rf->unpicklable)
		return xasprintf(
		    "no call was captured to check it on: the arguments of "
		    "every sampled call were larger than the profile's "
		    "per-function sample budget (16 MB pickled), and those "
		    "of its first call larger than the verify stage's "
		    "capture budget (%zu bytes, rustifyd "
		    "--capture-max-bytes)%s; it stays in Python",
		    capture_max,
		    json_integer_value(json_object_get(f, "captured")) < 0
			? " or the capture run failed (see the job log)"
			: "");
	if (!json_is_object(ff) &&
	    json_integer_value(json_object_get(f, "skipped_inputs")) > 0 &&
	    !json_integer_value(json_object_get(f, "unloadable_samples")))
		return xstrdup(
		    "not checked: every captured call ran past the "
		    "verifier's call timeout in Python itself (a whole "
		    "program's main?); it stays in Python");
	if (!json_is_object(ff))
		return xstrdup(
		    "no captured call could be replayed (its arguments could "
		    "not be pickled or loaded again: open files, sockets, "
		    "generators, locks, ...): it stays in Python");
	if (!strcmp(str_or(ff, "kind", ""), "timeout"))
		return xasprintf("verification failed (timeout): input %s: "
				 "%s; it stays in Python",
				 str_or(ff, "input", "?"),
				 str_or(ff, "detail", "?"));
	return xasprintf("verification failed (%s): input %s: Python gave "
			 "%s, Rust gave %s; a translator bug, the function "
			 "stays in Python",
			 str_or(ff, "kind", "?"), str_or(ff, "input", "?"),
			 str_or(ff, "expected", "?"), str_or(ff, "got", "?"));
}

/*
 * A verified function stays native only when it is clearly faster: the
 * low end of its speedup's interval (over the timing rounds, every
 * captured input in each) above 1 + VERIFY_MARGIN. One measured near 1
 * stays in Python however the rounds fell, so that identical submits
 * decide alike (README "Known limits"); the whole-workload check
 * (measure.c) then judges what is left together.
 */
#define VERIFY_MARGIN 0.02

/* Why a verified function is kept in Python for its speed, or NULL.
 * *unclear: its range holds both a loss and a gain, so that its own
 * timing (from Python, on fresh copies of the arguments, where a small
 * method's call is most of its cost) cannot decide; the whole-workload
 * check can (measure.c). */
static char *slow_reason(json_t *f, bool *unclear)
{
	json_t *spv = json_object_get(f, "speedup");
	json_t *range = json_object_get(f, "speedup_range");
	double sp = json_number_value(spv);
	double lo = json_number_value(json_array_get(range, 0));
	double hi = json_number_value(json_array_get(range, 1));

	*unclear = false;
	if (!json_is_number(spv))
		return NULL;
	if (json_array_size(range) != 2) {
		if (sp > 1.0 + VERIFY_MARGIN)
			return NULL;
		return xasprintf("translated and verified, but not faster "
				 "than Python (%.2fx): kept in Python",
				 sp);
	}
	if (lo > 1.0 + VERIFY_MARGIN)
		return NULL;
	if (hi < 1.0)
		return xasprintf("translated and verified, but slower than "
				 "Python (%.2fx, %.2fx to %.2fx): kept in "
				 "Python",
				 sp, lo, hi);
	*unclear = true;
	return xasprintf("translated and verified, but not clearly faster "
			 "than Python (%.2fx, %.2fx to %.2fx; it needs more "
			 "than %.2fx): kept in Python",
			 sp, lo, hi, 1.0 + VERIFY_MARGIN);
}

/* The harness's verdict on one function, into a result entry. */
static void apply_verdict(struct fn_result *rf, json_t *f,
			  size_t capture_max)
{
	bool ok = json_is_true(json_object_get(f, "verified"));
	char *why;

	rf->is_verified = ok;
	rf->checked_inputs =
	    json_integer_value(json_object_get(f, "checked_inputs"));
	if (json_is_integer(json_object_get(f, "captured"))) {
		json_int_t n =
		    json_integer_value(json_object_get(f, "captured"));
		rf->captured_calls = n > 0 ? n : 0;
	}
	rf->has_timing = true;
	result_fn_take_timing(rf, f);
	if (ok) {
		/* Exact but slower than CPython: no reason to swap it in.
		 * Not clearly either: native while the whole-workload check
		 * decides (measure.c keeps it, or turns it off with this
		 * reason, also when the check does not run). */
		bool unclear;
		why = slow_reason(f, &unclear);
		if (why && unclear) {
			rf->is_tentative = true;
			result_fn_set(&rf->tentative_reason, why);
		} else if (why) {
			rf->is_disabled = true;
			result_fn_set(&rf->reason, why);
		}
		free(why);
		return;
	}
	why = failure_reason(f, rf, capture_max);
	result_fn_set(&rf->reason, why);
	free(why);
	if (json_is_object(json_object_get(f, "first_failure"))) {
		json_decref(rf->verify_failure);
		rf->verify_failure =
		    json_incref(json_object_get(f, "first_failure"));
	}
}

/* A translated function defined in a function (outer.<locals>.name) is
 * native only inside its enclosing function's translation, which calls
 * it: checked with it, it takes its verdict. NULL for other names. */
static char *enclosing_of(const char *q)
{
	const char *tag = ".<locals>.", *last = NULL;

	for (const char *p = strstr(q, tag); p; p = strstr(p + 1, tag))
		last = p;
	return last ? xstrndup(q, (size_t)(last - q)) : NULL;
}

/* The enclosing functions' verdicts on the defs they call natively,
 * outermost first (a def in a def in a function). */
static void apply_enclosing_verdicts(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	size_t i, pass;

	for (pass = 0; pass < 8; pass++)
		for (i = 0; i < ps->nfns; i++) {
			struct fn_result *f = &ps->fns[i];
			char *in =
			    f->is_translated ? enclosing_of(f->name) : NULL;
			struct fn_result *e = in ? stage_fn(r, in) : NULL;
			bool ok = e && e->is_verified && !e->is_disabled;
			char *why;

			if (!in)
				continue;
			f->is_verified = ok;
			result_fn_set(&f->verified_within, in);
			f->is_disabled = false;
			why = ok ? NULL
				 : xasprintf("native only inside %s, which "
					     "stays in Python: so does it",
					     in);
			result_fn_set(&f->reason, why);
			free(why);
			free(in);
		}
}

/* Only what verified stays native: every other function (a failure, or
 * one the harness did not check) is in the shim's set of disabled
 * functions (translate/crate.c), and stays Python. A name several defs
 * share (a property's getter and setter) stays native when any of its
 * entries verified and none failed. */
json_t *verify_disabled_set(struct job_run *r)
{
	json_t *disabled = json_object();

	for (size_t i = 0; i < r->ps->nfns; i++) {
		const struct fn_result *f = &r->ps->fns[i];
		if (!f->is_translated || result_fn_is_accelerated(f))
			continue;
		json_object_set_new(disabled, f->name,
				    json_string(f->is_disabled
						    ? "not faster"
						    : "not verified"));
	}
	return disabled;
}

/* The harness did not finish: nothing is known to be exact, everything
 * stays in Python, and the job goes on to deliver that. */
static void apply_verdicts(struct job_run *r, json_t *doc, size_t *nall,
			   size_t *nok);

static void verify_gave_up(struct job_run *r, const char *pkg_dir,
			   json_t *partial, const char *why)
{
	size_t i, nall = 0, nok = 0;
	struct err err = ERR_INIT;
	json_t *disabled;
	char *reason = xasprintf("%s: it stays in Python", why);

	for (i = 0; i < r->ps->nfns; i++) {
		struct fn_result *f = &r->ps->fns[i];
		if (!f->is_translated)
			continue;
		f->is_verified = false;
		result_fn_set(&f->reason, reason);
	}
	free(reason);
	if (partial)
		apply_verdicts(r, partial, &nall, &nok);
	apply_enclosing_verdicts(r);
	disabled = verify_disabled_set(r);
	if (crate_write_disabled(pkg_dir, disabled, &err) < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
	} else {
		char *msg = xasprintf("%s; %zu of %zu checked functions "
				      "verified before it stopped",
				      why, nok, nall);
		job_stage_done(r, STAGE_DONE, msg);
		free(msg);
	}
	json_decref(disabled);
	err_release(&err);
}

/* The harness's verdicts into the result: every entry of a qualname
 * (getter and setter). */
static void apply_verdicts(struct job_run *r, json_t *doc, size_t *nall,
			   size_t *nok)
{
	json_t *f;
	size_t i, k;

	json_array_foreach(json_object_get(doc, "functions"), i, f) {
		const char *q =
		    json_string_value(json_object_get(f, "qualname"));
		if (!q)
			continue;
		(*nall)++;
		*nok += json_is_true(json_object_get(f, "verified"));
		for (k = 0; k < r->ps->nfns; k++)
			if (!strcmp(r->ps->fns[k].name, q))
				apply_verdict(&r->ps->fns[k], f,
					      r->d->cfg.capture_max_bytes);
	}
}

static void verify_done(struct job_run *r, int64_t status, int sig,
			bool timed_out)
{
	struct pipeline_state *ps = r->ps;
	struct err err = ERR_INIT;
	char *path = xasprintf("%s/verify.json", r->work_dir);
	char *pkg_dir = xasprintf("%s/site/%s", r->work_dir, ps->module);
	json_t *doc = NULL, *disabled = NULL;
	size_t i, nok = 0, nall = 0, nslow = 0, nunclear = 0;
	struct buf msg = BUF_INIT;

	if (timed_out || sig || status != 0) {
		/* what the harness verified before it stopped counts (it
		 * writes its results after each function); the rest stays
		 * in Python */
		doc = timed_out ? stage_load_json(path, &err) : NULL;
		err_release(&err);
		verify_gave_up(r, pkg_dir, doc,
			       timed_out
				   ? "verification ran out of time before "
				     "checking it (see the job log)"
				   : "the verify harness failed (see the job "
				     "log)");
		goto out;
	}
	doc = stage_load_json(path, &err);
	if (!doc) {
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
		goto out;
	}
	apply_verdicts(r, doc, &nall, &nok);
	apply_enclosing_verdicts(r);
	disabled = verify_disabled_set(r);
	if (crate_write_disabled(pkg_dir, disabled, &err) < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
		goto out;
	}
	buf_addf(&msg, "%zu of %zu translated functions verified", nok, nall);
	for (i = 0; i < ps->nfns; i++) {
		nslow += ps->fns[i].is_disabled;
		nunclear += ps->fns[i].is_tentative &&
			    result_fn_is_accelerated(&ps->fns[i]);
	}
	if (nslow)
		buf_addf(&msg, "; %zu kept in Python as not faster", nslow);
	if (nunclear)
		buf_addf(&msg,
			 "; %zu not clearly faster alone, left to the "
			 "whole-workload check",
			 nunclear);
	job_stage_done(r, STAGE_DONE, msg.data);
out:
	json_decref(doc);
	json_decref(disabled);
	free(path);
	free(pkg_dir);
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
/* The harness spends up to about --check-budget (3 s) comparing and
 * --repeat-budget (1 s) timing each function: the profile's time limit,
 * or more when there are many functions, plus what long calls take
 * (call_secs: each function's two checked and ten timed calls of its
 * profiled length, at most a minute each). */
static double verify_timeout(struct job_run *r, size_t nfns, double call_secs)
{
	double t = 30.0 + 8.0 * (double)nfns + call_secs;

	return t > r->d->cfg.profile_timeout ? t : r->d->cfg.profile_timeout;
}

/* Seconds one call of the function took in the profiled workload, on
 * average (0 when unknown): the harness gives a call that long enough
 * time (a program's whole construction, timed out at 2 s on a loaded
 * machine, was reported as "every captured call ran past the
 * verifier's call timeout"). */
static double profiled_call_time(struct job_run *r, const char *q)
{
	json_t *p = r->ps->profile ? stage_profile_entry(r->ps, q) : NULL;
	double cum = json_number_value(json_object_get(p, "cumtime"));
	json_int_t n = json_integer_value(json_object_get(p, "ncalls"));

	return n > 0 && cum > 0 && isfinite(cum) ? cum / (double)n : 0.0;
}

/* Wall seconds of the profiled workload's run (0 when unknown). */
static double profiled_wall_time(struct job_run *r)
{
	double t = json_number_value(json_object_get(
	    json_object_get(r->ps->profile, "workload"), "wall_time"));

	return isfinite(t) && t > 0 ? t : 0.0;
}

/*
 * A function whose every profiled call was too big to keep as a sample
 * (a method of an object that holds the whole program's million objects)
 * gets samples in the verify stage: the harness runs the workload once
 * more, probed for those functions only (profile.py --capture-json),
 * keeps the arguments of their first calls up to rustifyd
 * --capture-max-bytes (128 MB) pickled each, and stops the workload once
 * it has them. The profile stage cannot afford it (its time stays within
 * a few times the program's own): this costs a run of the workload up to
 * those calls and a pickle of each.
 *
 * The capture run's workload options, as the profile stage gave them
 * (profile.py's --entry / --entry-cmd-json), as a JSON list.
 */
static char *capture_workload_args(struct job_run *r)
{
	json_t *a = json_array();
	json_t *entry = json_object_get(r->request, "entry");
	json_t *cmd = json_object_get(r->request, "entry_cmd");
	char *out;

	if (json_is_string(entry)) {
		json_array_append_new(a, json_string("--entry"));
		json_array_append(a, entry);
	} else if (cmd) {
		char *text = json_dumps(cmd, JSON_COMPACT);
		json_array_append_new(a, json_string("--entry-cmd-json"));
		json_array_append_new(a, json_string(text));
		free(text);
	}
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return out;
}

static void verify_run(struct job_run *r, void *arg)
{
	struct pipeline_state *ps = r->ps;
	struct err err = ERR_INIT;
	char *harness = NULL, *site = NULL, *samples = NULL, *out = NULL;
	char *fns = NULL, *capture_harness = NULL, *capture_args = NULL;
	json_t *list = json_array();
	double call_secs = 0.0, capture_secs = 0.0;
	size_t i, ncapture = 0;

	(void)arg;
	if (harness_write("verify.py", r->work_dir, &harness, &err) < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
		goto done;
	}
	for (i = 0; i < ps->nfns; i++) {
		const struct fn_result *f = &ps->fns[i];
		char *in = enclosing_of(f->name);
		bool skip = in != NULL;
		free(in);
		/* a def native inside its enclosing function: checked there */
		if (!f->is_translated || skip)
			continue;
		double call_time = profiled_call_time(r, f->name);
		call_secs += fmin(60.0, 12.0 * call_time);
		/* every profiled call too big to keep: capture one */
		bool capture = r->ps->profile && !f->samples && f->calls &&
			       f->oversized;
		ncapture += capture;
		json_array_append_new(
		    list, json_pack("{s:s, s:n, s:f, s:b}", "qualname",
				    f->name, "signature", "call_time",
				    call_time, "capture", capture));
	}
	if (ncapture) {
		if (harness_write("profile.py", r->work_dir, &capture_harness,
				  &err) < 0) {
			job_stage_done(r, STAGE_FAILED, err_msg(&err));
			goto done;
		}
		capture_args = capture_workload_args(r);
		/* the workload up to the calls (stopped past that), and each
		 * capture pickled and checked on both sides */
		capture_secs = 60.0 + 3.0 * profiled_wall_time(r);
		call_secs += capture_secs + 20.0 * (double)ncapture;
	}
	fns = json_dumps(list, JSON_COMPACT);
	site = xasprintf("%s/site", r->work_dir);
	samples = xasprintf("%s/samples.pkl", r->work_dir);
	out = xasprintf("%s/verify.json", r->work_dir);
	{
		char capture_bytes[24], capture_timeout[32];
		snprintf(capture_bytes, sizeof(capture_bytes), "%zu",
			 r->d->cfg.capture_max_bytes);
		snprintf(capture_timeout, sizeof(capture_timeout), "%.0f",
			 capture_secs);
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
				      capture_harness ? "--capture-harness"
						      : NULL,
				      capture_harness,
				      "--capture-args-json",
				      capture_args,
				      "--capture-bytes",
				      capture_bytes,
				      "--capture-timeout",
				      capture_timeout,
				      NULL};
		if (ncapture)
			job_progress(r, 30,
				     "capturing the first calls of %zu "
				     "function%s whose arguments were too "
				     "big for the profile's samples, then "
				     "comparing Python and Rust",
				     ncapture, ncapture == 1 ? "" : "s");
		else
			job_progress(r, 30,
				     "comparing Python and Rust on the "
				     "captured and generated inputs");
		const struct job_child child = {
		    .args = args,
		    .cwd = ps->src_dir,
		    .timeout = verify_timeout(r, json_array_size(list),
					      call_secs),
		    .done = verify_done};
		job_spawn(r, &child);
	}
done:
	json_decref(list);
	free(fns);
	free(capture_harness);
	free(capture_args);
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
