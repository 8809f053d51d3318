/*
 * rebuild.c - the crate/rebuild job's translate stage (see rebuild.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "manifest.h"
#include "rebuild.h"
#include "stage.h"

struct rebuild_work {
	char *from;
	char *to;
	struct err err;
	int rc;
};

static void rebuild_work(void *arg)
{
	struct rebuild_work *w = arg;
	char *crate = xasprintf("%s/crate", w->to);

	fs_remove_tree(w->to);
	if ((w->rc = fs_mkdirs(w->to, 0700, &w->err)) < 0 ||
	    (w->rc = fs_copy_tree(w->from, crate, &w->err)) < 0)
		err_prefix(&w->err, "could not copy the crate %s", w->from);
	free(crate);
}

static void rebuild_cleanup(void *arg)
{
	struct rebuild_work *w = arg;

	free(w->from);
	free(w->to);
	err_release(&w->err);
	free(w);
}

static void rebuild_after(struct job_run *r, void *arg)
{
	struct rebuild_work *w = arg;
	struct pipeline_state *ps = r->ps;
	char *man_path = xasprintf("%s/rustify.json", ps->output);
	struct err merr = ERR_INIT;
	json_t *man = manifest_load(man_path, &merr), *m, *f;
	size_t j;

	if (w->rc < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&w->err));
		goto out;
	}
	/* Which functions the crate exports: what the manifest says was
	 * translated when it was generated. */
	if ((m = manifest_module(man, ps->module))) {
		json_array_foreach(json_object_get(m, "functions"), j, f) {
			struct fn_result *rf = stage_fn(
			    r,
			    json_string_value(json_object_get(f, "qualname")));
			if (!rf)
				continue;
			json_t *t = json_object_get(f, "translated");
			rf->is_translated = json_is_true(
			    t ? t : json_object_get(f, "accelerated"));
			result_fn_set(&rf->reason, json_string_value(
						       json_object_get(f, "reason")));
		}
	}
	json_object_set_new(r->result, "module", json_string(ps->module));
	job_stage_done(r, STAGE_DONE,
		       "rebuild: the crate is kept as edited, not regenerated");
out:
	json_decref(man);
	err_release(&merr);
	free(man_path);
}

void rebuild_translate(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	struct rebuild_work *w = xcalloc(1, sizeof(*w));

	ps->module =
	    xstrdup(json_string_value(json_object_get(r->request, "module")));
	ps->out_dir = xasprintf("%s/out", r->work_dir);
	ps->output = stage_output_dir(r);
	w->from = xasprintf("%s/crate/%s", ps->output, ps->module);
	w->to = xstrdup(ps->out_dir);
	job_queue_work(r, rebuild_work, rebuild_after, rebuild_cleanup, w);
}

