/*
 * measure.c - the measure stage, after verify: the whole workload (the
 * command the profile stage ran) with the accelerated package swapped in
 * through the drop-in runner and without it, interleaved, by the measure
 * harness (daemon/harness/measure.py, which owns the statistics and the
 * rounds). Only what makes the whole workload faster stays native: the
 * functions the harness dropped or could not decide on are turned off
 * in the shim (translate/crate.c's disabled set), with the reason. Sets
 * the result's workload_speedup, workload_speedup_range and each
 * function's native_calls and fallback_calls.
 *
 * It does not decide what verifies (verify.c) or write the delivery
 * (deliver.c): the package it measures is the one verify left in
 * work/<id>/site, which deliver then copies.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "manifest.h"
#include "pipeline.h"
#include "translate/crate.h"

/* What the whole-workload check needs of the function: native and
 * checked (a def native inside its enclosing function goes with it). */
static bool is_measured(const struct fn_result *f)
{
	return !strstr(f->name, ".<locals>.") && result_fn_is_accelerated(f);
}

/* The functions verify left to this check (not clearly faster alone):
 * kept native when keep, else turned off with verify's reason. Returns
 * how many were turned off. */
static size_t settle_tentative(struct job_run *r, bool keep)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ps->nfns; i++) {
		struct fn_result *f = &r->ps->fns[i];
		if (!f->is_tentative)
			continue;
		f->is_tentative = false;
		if (keep || !result_fn_is_accelerated(f))
			continue;
		f->is_disabled = true;
		result_fn_set(&f->reason, f->tentative_reason);
		n++;
	}
	return n;
}

/* The check does not run: what verify could not show faster on its own
 * stays in Python (the shim's disabled set written again). */
static void measure_skip(struct job_run *r, const char *why)
{
	if (settle_tentative(r, false)) {
		char *pkg_dir = xasprintf("%s/site/%s", r->work_dir,
					  r->ps->module);
		json_t *disabled = verify_disabled_set(r);
		struct err err = ERR_INIT;

		if (crate_write_disabled(pkg_dir, disabled, &err) < 0) {
			json_decref(disabled);
			free(pkg_dir);
			job_stage_done(r, STAGE_FAILED, err_msg(&err));
			err_release(&err);
			return;
		}
		json_decref(disabled);
		free(pkg_dir);
	}
	json_object_set_new(r->result, "workload_speedup", json_null());
	json_object_set_new(r->result, "workload_speedup_range", json_null());
	job_stage_done(r, STAGE_SKIPPED, why);
}

/* A function the check keeps in Python: off in the shim, with why. */
static void measure_turn_off(struct job_run *r, const char *q,
			     const char *why)
{
	char *reason = xasprintf("translated and verified, but kept in "
				 "Python by the whole-workload check: %s",
				 why);

	for (size_t i = 0; i < r->ps->nfns; i++) {
		struct fn_result *f = &r->ps->fns[i];
		if (strcmp(f->name, q))
			continue;
		f->is_disabled = true;
		result_fn_set(&f->reason, reason);
	}
	free(reason);
}

static void measure_apply(struct job_run *r, json_t *doc)
{
	json_t *counts = json_object_get(doc, "counts"), *v;
	const char *k, *why = json_string_value(json_object_get(doc, "message"));
	size_t i;

	json_object_foreach(counts, k, v) {
		for (i = 0; i < r->ps->nfns; i++) {
			struct fn_result *f = &r->ps->fns[i];
			if (strcmp(f->name, k))
				continue;
			f->native_calls =
			    json_integer_value(json_array_get(v, 0));
			f->fallback_calls =
			    json_integer_value(json_array_get(v, 1));
		}
	}
	json_object_foreach(json_object_get(doc, "dropped"), k, v)
		measure_turn_off(r, k, json_string_value(v) ?: "?");
	json_array_foreach(json_object_get(doc, "undecided"), i, v)
		measure_turn_off(r, json_string_value(v),
				 why && *why ? why : "undecided");
	json_object_set(r->result, "workload_speedup",
			json_object_get(doc, "workload_speedup"));
	json_object_set(r->result, "workload_speedup_range",
			json_object_get(doc, "workload_speedup_range"));
	if (!json_object_get(r->result, "workload_speedup"))
		json_object_set_new(r->result, "workload_speedup", json_null());
	if (!json_object_get(r->result, "workload_speedup_range"))
		json_object_set_new(r->result, "workload_speedup_range",
				    json_null());
}

static void measure_message(struct buf *msg, json_t *doc)
{
	json_t *sp = json_object_get(doc, "workload_speedup");
	json_t *range = json_object_get(doc, "workload_speedup_range");
	json_t *rounds = json_object_get(doc, "rounds");
	json_t *last = json_array_get(rounds, json_array_size(rounds) - 1);
	size_t ndropped = json_object_size(json_object_get(doc, "dropped"));
	size_t nundecided = json_array_size(json_object_get(doc, "undecided"));
	size_t nkept = json_array_size(json_object_get(doc, "kept"));

	if (json_is_number(sp))
		buf_addf(msg,
			 "the whole workload runs %.2fx as fast (%.2fx to "
			 "%.2fx, CPU time, %lld runs each way) with %zu "
			 "function%s native",
			 json_number_value(sp),
			 json_number_value(json_array_get(range, 0)),
			 json_number_value(json_array_get(range, 1)),
			 (long long)json_integer_value(
			     json_object_get(last, "pairs")),
			 nkept, nkept == 1 ? "" : "s");
	else
		buf_adds(msg, "nothing made the whole workload faster");
	if (ndropped)
		buf_addf(msg, "; %zu kept in Python as not faster", ndropped);
	if (nundecided)
		buf_addf(msg, "; %zu kept in Python, undecided: %s", nundecided,
			 json_string_value(json_object_get(doc, "message")));
	buf_addf(msg, " (%.1f s of a %.1f s budget)",
		 json_number_value(json_object_get(doc, "spent")),
		 json_number_value(json_object_get(doc, "budget")));
}

static void measure_done(struct job_run *r, int64_t status, int sig,
			 bool timed_out)
{
	struct pipeline_state *ps = r->ps;
	struct err err = ERR_INIT;
	char *path = xasprintf("%s/measure.json", r->work_dir);
	char *pkg_dir = xasprintf("%s/site/%s", r->work_dir, ps->module);
	json_t *doc = NULL, *disabled = NULL;
	struct buf msg = BUF_INIT;
	size_t i;

	if (timed_out || sig || status != 0) {
		/* never slower: what was not shown faster stays Python */
		const char *why = timed_out
				      ? "it ran out of time (see the job log)"
				      : "its harness failed (see the job log)";
		for (i = 0; i < ps->nfns; i++)
			if (is_measured(&ps->fns[i]))
				measure_turn_off(r, ps->fns[i].name, why);
		json_object_set_new(r->result, "workload_speedup", json_null());
		json_object_set_new(r->result, "workload_speedup_range",
				    json_null());
		buf_addf(&msg, "the whole-workload check stopped: %s; every "
			       "function stays in Python", why);
	} else {
		doc = stage_load_json(path, &err);
		if (!doc) {
			job_stage_done(r, STAGE_FAILED, err_msg(&err));
			goto out;
		}
		measure_apply(r, doc);
		measure_message(&msg, doc);
	}
	/* what the check did not turn off, it kept */
	settle_tentative(r, true);
	disabled = verify_disabled_set(r);
	if (crate_write_disabled(pkg_dir, disabled, &err) < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
		goto out;
	}
	job_stage_done(r, STAGE_DONE, msg.data);
out:
	json_decref(doc);
	json_decref(disabled);
	free(path);
	free(pkg_dir);
	buf_release(&msg);
	err_release(&err);
}

/* Whether the profile stage ran a workload (not "none", not skipped). */
static bool has_workload(struct pipeline_state *ps)
{
	json_t *wl = json_object_get(ps->profile, "workload");
	const char *kind = json_string_value(json_object_get(wl, "kind"));

	return ps->profile && kind && strcmp(kind, "none");
}

void stage_measure(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	json_t *budget_v = json_object_get(r->request, "measure_budget");
	double budget = json_is_number(budget_v) ? json_number_value(budget_v)
						 : -1.0;
	double wall = json_number_value(json_object_get(
	    json_object_get(ps->profile, "workload"), "wall_time"));
	json_t *list = json_array(), *entry = NULL;
	struct err err = ERR_INIT;
	char *harness = NULL, *site = NULL, *man = NULL, *out = NULL;
	char *fns = NULL, *budget_s = NULL, *entry_cmd = NULL, *tmp = NULL;
	const char *args[32];
	size_t i;
	int n = 0;

	if (ps->is_python_only || r->is_dry_run ||
	    !json_is_string(json_object_get(r->result, "wheel"))) {
		measure_skip(r, ps->is_python_only ? STAGE_NOTHING_TO_BUILD
				: r->is_dry_run	   ? "--dry-run"
						   : "nothing built");
		goto out;
	}
	for (i = 0; i < ps->nfns; i++) {
		const struct fn_result *f = &ps->fns[i];
		if (is_measured(f))
			json_array_append_new(
			    list, json_pack("{s:s, s:o}", "qualname", f->name,
					    "speedup",
					    isfinite(f->speedup)
						? json_real(f->speedup)
						: json_null()));
	}
	if (!json_array_size(list)) {
		measure_skip(r, "nothing accelerated: no function to measure");
		goto out;
	}
	if (!has_workload(ps)) {
		measure_skip(r, "no workload ran: the whole-workload check "
				"needs one");
		goto out;
	}
	if (budget == 0.0) {
		measure_skip(r, "measure_budget 0: the whole-workload check "
				"was skipped");
		goto out;
	}
	site = xasprintf("%s/site", r->work_dir);
	if (harness_write("measure.py", r->work_dir, &harness, &err) < 0 ||
	    harness_write("rustify_run.py", site, &tmp, &err) < 0)
		goto fail;
	free(tmp);
	tmp = NULL;
	if (harness_write("rustify_run_swap.py", site, &tmp, &err) < 0)
		goto fail;
	man = xasprintf("%s/measure-manifest.json", r->work_dir);
	entry = manifest_entry(r, ps->src_path);
	if (manifest_write(man, entry, &err) < 0)
		goto fail;
	out = xasprintf("%s/measure.json", r->work_dir);
	fns = json_dumps(list, JSON_COMPACT);
	args[n++] = ps->python;
	args[n++] = harness;
	args[n++] = "--site";
	args[n++] = site;
	args[n++] = "--manifest";
	args[n++] = man;
	args[n++] = "--module";
	args[n++] = ps->module;
	args[n++] = "--source";
	args[n++] = ps->src_path;
	args[n++] = "--functions-json";
	args[n++] = fns;
	args[n++] = "--out";
	args[n++] = out;
	if (budget > 0) {
		budget_s = xasprintf("%.17g", budget);
		args[n++] = "--budget";
		args[n++] = budget_s;
	}
	if (json_is_string(json_object_get(r->request, "entry"))) {
		args[n++] = "--entry";
		args[n++] =
		    json_string_value(json_object_get(r->request, "entry"));
	} else if (json_object_get(r->request, "entry_cmd")) {
		entry_cmd = json_dumps(
		    json_object_get(r->request, "entry_cmd"), JSON_COMPACT);
		args[n++] = "--entry-cmd-json";
		args[n++] = entry_cmd;
	}
	args[n] = NULL;
	{
		/* the harness stops starting runs at the budget; the runs
		 * under way, and the first plain one, may take longer */
		double b = budget > 0 ? budget : 90.0;
		const struct job_child child = {
		    .args = args,
		    .cwd = ps->src_dir,
		    .timeout = 2.0 * b + 10.0 * (isfinite(wall) ? wall : 0) +
			       60.0,
		    .done = measure_done};
		job_progress(r, 10,
			     "running the whole workload with and without "
			     "the %zu accelerated functions",
			     json_array_size(list));
		job_spawn(r, &child);
	}
	goto out;
fail:
	job_stage_done(r, STAGE_FAILED, err_msg(&err));
out:
	json_decref(list);
	json_decref(entry);
	free(harness);
	free(site);
	free(man);
	free(out);
	free(fns);
	free(budget_s);
	free(entry_cmd);
	free(tmp);
	err_release(&err);
}
