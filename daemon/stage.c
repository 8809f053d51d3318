/*
 * stage.c - what the stages of a job share (see stage.h).
 */
#include <stdlib.h>
#include <string.h>

#include "stage.h"

struct pipeline_state *stage_state(struct job_run *r)
{
	if (!r->ps) {
		r->ps = xcalloc(1, sizeof(*r->ps));
		source_init(&r->ps->src);
	}
	return r->ps;
}

void stage_state_release(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;

	if (!ps)
		return;
	source_release(&ps->src);
	free(ps->src_path);
	free(ps->src_dir);
	json_decref(ps->index);
	json_decref(ps->profile);
	free(ps->python);
	free(ps->profile_key);
	free(ps->job_key);
	free(ps->module);
	free(ps->out_dir);
	free(ps->output);
	json_decref(ps->translate);
	json_decref(ps->translate_request);
	json_decref(ps->excluded);
	for (size_t i = 0; i < ps->nfns; i++)
		result_fn_release(&ps->fns[i]);
	free(ps->fns);
	free(ps);
	r->ps = NULL;
}

json_t *stage_profile_entry(struct pipeline_state *ps, const char *qualname)
{
	json_t *fns = json_object_get(ps->profile, "functions"), *f;
	size_t i;

	json_array_foreach(fns, i, f) {
		if (!strcmp(json_string_value(json_object_get(f, "qualname")),
			    qualname))
			return f;
	}
	return NULL;
}

struct fn_result *stage_fn(struct job_run *r, const char *qualname)
{
	struct pipeline_state *ps = r->ps;

	for (size_t i = 0; ps && qualname && i < ps->nfns; i++)
		if (!strcmp(ps->fns[i].name, qualname))
			return &ps->fns[i];
	return NULL;
}

struct fn_result *stage_fn_add(struct job_run *r, const char *name)
{
	struct pipeline_state *ps = stage_state(r);

	ps->fns = xrealloc(ps->fns, (ps->nfns + 1) * sizeof(*ps->fns));
	result_fn_init(&ps->fns[ps->nfns], name);
	return &ps->fns[ps->nfns++];
}

void stage_fns_write(struct job_run *r)
{
	json_t *out = json_array();

	for (size_t i = 0; r->ps && i < r->ps->nfns; i++)
		json_array_append_new(out, result_fn_to_json(&r->ps->fns[i]));
	json_object_set_new(r->result, "functions", out);
}

void stage_result_finish(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	int fallbacks = 0;

	for (size_t i = 0; ps && i < ps->nfns; i++) {
		struct fn_result *f = &ps->fns[i];
		if (!f->is_selected || result_fn_is_accelerated(f))
			continue;
		fallbacks++;
		if (!f->reason)
			result_fn_set(&f->reason, f->is_translated
						      ? "translated, not verified"
						      : "not translated");
	}
	if (ps && ps->nfns)
		stage_fns_write(r);
	json_object_set_new(r->result, "fallbacks", json_integer(fallbacks));
	json_object_set_new(r->result, "seconds",
			    json_real(now_seconds() - r->started_at));
}

char *stage_output_dir(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	const char *output =
	    json_string_value(json_object_get(r->request, "output"));

	if (output)
		return xstrdup(output);
	if (ps->src.path && !ps->src.git_commit)
		return xasprintf("%s/rustify-out", ps->src_dir);
	return xasprintf("%s/rustify-out", r->work_dir);
}


/* The interpreter: the request's (the client resolved it in the user's
 * environment), else python3 on the daemon's PATH. */
char *stage_python(struct job_run *r)
{
	const char *p =
	    json_string_value(json_object_get(r->request, "python"));

	return xstrdup(p ? p : "python3");
}

json_t *stage_load_json(const char *path, struct err *err)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (!j)
		err_set(err, RUSTIFY_ECHILD, "%s:%d: %s", path, je.line,
			je.text);
	return j;
}

