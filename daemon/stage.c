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
	free(ps);
	r->ps = NULL;
}

json_t *stage_result_fn(struct job_run *r, const char *qualname)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(r->result, "functions"), i, f) {
		if (!strcmp(json_string_value(json_object_get(f, "name")),
			    qualname))
			return f;
	}
	return NULL;
}

void stage_result_finish(struct job_run *r)
{
	json_t *fns = json_object_get(r->result, "functions");
	json_t *f;
	size_t i;
	int fallbacks = 0;

	json_array_foreach(fns, i, f) {
		if (!json_is_true(json_object_get(f, "selected")) ||
		    (json_is_true(json_object_get(f, "translated")) &&
		     json_is_true(json_object_get(f, "verified")) &&
		     !json_is_false(json_object_get(f, "enabled"))))
			continue;
		fallbacks++;
		if (json_is_null(json_object_get(f, "reason")) ||
		    !json_object_get(f, "reason"))
			json_object_set_new(
			    f, "reason",
			    json_string(
				json_is_true(json_object_get(f, "translated"))
				    ? "translated, not verified"
				    : "not translated"));
	}
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

