/*
 * manifest.c - rustify.json: the only place that builds, merges, writes
 * and reads it (see manifest.h). What a module entry holds is README
 * "Output"; the runner (harness/rustify_run_swap.py) swaps in exactly
 * the functions it marks "accelerated": true whose source hash matches.
 * It does not decide what is accelerated: the stages do, in the result.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "manifest.h"
#include "stage.h"
#include "translate/translate.h"

/* Whether select picked any function. */
static bool any_selected(struct job_run *r)
{
	for (size_t i = 0; i < r->ps->nfns; i++)
		if (r->ps->fns[i].is_selected)
			return true;
	return false;
}

/* The selected functions, or every function when none was selected
 * (each then says why it stays in Python). */
json_t *manifest_entry(struct job_run *r, const char *source)
{
	struct pipeline_state *ps = r->ps;
	json_t *fns = json_array(), *f;
	bool is_all = !any_selected(r);
	size_t i;

	json_array_foreach(json_object_get(ps->index, "functions"), i, f) {
		const char *q =
		    json_string_value(json_object_get(f, "qualname"));
		struct fn_result *rf = stage_fn(r, q);
		if (!rf || (!is_all && !rf->is_selected))
			continue;
		json_array_append_new(
		    fns,
		    json_pack("{s:s, s:O, s:O, s:b, s:b, s:s?, s:o, s:I, s:I}",
			      "qualname", q, "line",
			      json_object_get(f, "first_line"), "hash",
			      json_object_get(f, "hash"), "translated",
			      rf->is_translated, "accelerated",
			      result_fn_is_accelerated(rf), "reason", rf->reason,
			      "speedup",
			      isfinite(rf->speedup) ? json_real(rf->speedup)
						    : json_null(),
			      "native_calls", rf->native_calls,
			      "fallback_calls", rf->fallback_calls));
	}
	return json_pack(
	    "{s:s, s:s?, s:s, s:s, s:s, s:s?, s:o, s:O?, s:O?,"
	    " s:{s:O?, s:s, s:O?}}",
	    "module", ps->module, "source", source ? source : ps->src.path,
	    "source_name", ps->src.name, "source_sha256", ps->src.sha256,
	    "job", r->id, "job_key",
	    r->is_dry_run ||
		    json_is_true(json_object_get(r->request, "rebuild"))
		? NULL
		: ps->job_key,
	    "functions", fns, "workload_speedup",
	    json_object_get(r->result, "workload_speedup"),
	    "workload_speedup_range",
	    json_object_get(r->result, "workload_speedup_range"), "versions",
	    "python",
	    json_object_get(json_object_get(ps->profile, "python"), "version"),
	    "pyo3", RUSTIFY_PYO3_VERSION, "toolchain",
	    json_object_get(r->result, "toolchain"));
}

static json_t *manifest_parse(const char *text, size_t len)
{
	json_error_t je;
	json_t *doc = text ? json_loadb(text, len, 0, &je) : NULL;

	if (!json_is_object(doc) ||
	    !json_is_array(json_object_get(doc, "modules"))) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

json_t *manifest_module(json_t *manifest, const char *module)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(manifest, "modules"), i, m) {
		const char *name =
		    json_string_value(json_object_get(m, "module"));
		if (name && !strcmp(name, module))
			return m;
	}
	return NULL;
}

/* doc with entry in place of its module's old entry. */
static void manifest_put(json_t *doc, json_t *entry)
{
	json_t *mods = json_object_get(doc, "modules"), *m;
	const char *module =
	    json_string_value(json_object_get(entry, "module"));
	size_t i;

	json_array_foreach(mods, i, m) {
		const char *name =
		    json_string_value(json_object_get(m, "module"));
		if (name && module && !strcmp(name, module)) {
			json_array_remove(mods, i);
			break;
		}
	}
	json_array_append(mods, entry);
}

int manifest_merge_at(int outfd, json_t *entry, struct err *err)
{
	size_t len = 0;
	char *old = fs_read_all_at(outfd, "rustify.json", &len);
	json_t *doc = manifest_parse(old, len);
	char *text;
	int rc;

	if (!doc)
		doc = json_pack("{s:i, s:[]}", "version", 1, "modules");
	manifest_put(doc, entry);
	text = json_dumps(doc, JSON_INDENT(2));
	rc = fs_write_file_at(outfd, "rustify.json", text, strlen(text), 0666,
			      err);
	free(text);
	free(old);
	json_decref(doc);
	return rc;
}

int manifest_write(const char *path, json_t *entry, struct err *err)
{
	json_t *doc = json_pack("{s:i, s:[O]}", "version", 1, "modules", entry);
	char *text = json_dumps(doc, JSON_INDENT(2));
	int rc = fs_write_file(path, text, strlen(text), err);

	free(text);
	json_decref(doc);
	return rc;
}

json_t *manifest_load(const char *path, struct err *err)
{
	size_t len = 0;
	char *text = fs_read_all(path, &len);
	json_t *doc = manifest_parse(text, len);

	if (!doc)
		err_set(err, RUSTIFY_EPARAM, "%s: %s", path,
			text ? "not a rustify manifest (no \"modules\" list)"
			     : "cannot be read");
	free(text);
	return doc;
}
