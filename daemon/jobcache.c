/*
 * jobcache.c - the whole-job cache (see jobcache.h): an "artifact" entry
 * of cache.db per delivery, checked against the output folder's manifest.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "jobcache.h"
#include "log.h"
#include "manifest.h"
#include "rustify/options.h"
#include "sha256.h"
#include "stage.h"

/* Key of a whole delivery: the daemon build, the source, the request
 * (minus where it goes), the profile and the selection. */
char *jobcache_key(struct job_run *r, json_t *names)
{
	struct pipeline_state *ps = r->ps;
	json_t *req = json_deep_copy(r->request);
	struct sha256 c;
	char hex[65], *s;

	for (const struct rustify_option *o = rustify_submit_options; o->key;
	     o++)
		if (o->affects == OPTION_PLACE)
			json_object_del(req, o->key);
	sha256_init(&c);
	sha256_update(&c, "job-v1\0", 7);
	sha256_update(&c, r->d->build_id, 64);
	sha256_update(&c, ps->src.sha256, 64);
	if (ps->profile_key)
		sha256_update(&c, ps->profile_key, strlen(ps->profile_key));
	s = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	sha256_update(&c, s, strlen(s) + 1);
	free(s);
	s = json_dumps(names, JSON_COMPACT);
	sha256_update(&c, s, strlen(s) + 1);
	free(s);
	sha256_update(&c, ps->python, strlen(ps->python) + 1);
	sha256_final_hex(&c, hex);
	json_decref(req);
	return xstrdup(hex);
}

/*
 * A whole-job cache hit: the same delivery is already in the output dir
 * (its manifest names this job key, and the package, the runner and the
 * wheel, if it has one, are there). A delivery with every function in
 * Python (no wheel) is a hit the same way.
 * Nothing is profiled, built, verified or copied again.
 */
bool jobcache_hit(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	struct err err = ERR_INIT;
	json_t *hit = NULL, *man = NULL, *m, *f;
	char *out = stage_output_dir(r), *path = NULL, *pkg = NULL, *wheel = NULL;
	const char *tools;
	struct err merr = ERR_INIT;
	bool ok = false;
	size_t i;
	struct stat st;

	if (store_cache_get(&r->d->store, "artifact", ps->job_key, &hit, NULL,
			    NULL, &err) < 0 ||
	    !hit)
		goto out;
	/* built by the toolchain installed now (known, and checked again
	 * in the background once a minute while hits are served); a
	 * delivery that never ran it (everything in Python, nothing tried
	 * to compile) does not depend on it */
	if (now_seconds() - r->d->toolchain_at > 60)
		build_probe_toolchain(r->d);
	tools = json_string_value(json_object_get(hit, "toolchain"));
	if (!(json_is_true(json_object_get(hit, "python_only")) && !tools) &&
	    (!r->d->toolchain || !tools || strcmp(tools, r->d->toolchain)))
		goto out;
	path = xasprintf("%s/rustify.json", out);
	man = manifest_load(path, &merr);
	err_release(&merr);
	json_array_foreach(json_object_get(man, "modules"), i, m) {
		const char *k =
		    json_string_value(json_object_get(m, "job_key"));
		if (k && !strcmp(k, ps->job_key))
			ok = true;
	}
	if (!ok)
		goto out;
	pkg = xasprintf("%s/%s", out,
			json_string_value(json_object_get(hit, "module")));
	ok = stat(pkg, &st) == 0 && S_ISDIR(st.st_mode);
	/* every delivery has its runner */
	free(path);
	path = xasprintf("%s/rustify_run.py", out);
	ok = ok && stat(path, &st) == 0;
	free(path);
	path = xasprintf("%s/rustify_run_swap.py", out);
	ok = ok && stat(path, &st) == 0;
	if (ok && json_is_string(json_object_get(hit, "wheel"))) {
		wheel =
		    xasprintf("%s/%s", out,
			      json_string_value(json_object_get(hit, "wheel")));
		ok = stat(wheel, &st) == 0;
	}
	if (!ok)
		goto out;
	json_array_foreach(json_object_get(hit, "functions"), i, f) {
		struct fn_result *rf = stage_fn(
		    r, json_string_value(json_object_get(f, "name")));
		if (rf)
			result_fn_take_outcome(rf, f);
	}
	ps->module = xstrdup(json_string_value(json_object_get(hit, "module")));
	json_object_set(r->result, "module", json_object_get(hit, "module"));
	json_object_set_new(r->result, "output", json_string(out));
	json_object_set_new(r->result, "wheel",
			    wheel ? json_string(wheel) : json_null());
	json_object_set(r->result, "cached_from", json_object_get(hit, "job"));
	json_object_set_new(
	    r->result, "workload_speedup",
	    json_incref(json_object_get(hit, "workload_speedup")) ?: json_null());
	json_object_set_new(r->result, "workload_speedup_range",
			    json_incref(json_object_get(
				hit, "workload_speedup_range")) ?: json_null());
	json_object_set_new(r->result, "cache_hit", json_true());
out:
	json_decref(hit);
	json_decref(man);
	free(out);
	free(path);
	free(pkg);
	free(wheel);
	err_release(&err);
	return ok;
}

void jobcache_remember(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	struct err err = ERR_INIT;
	const char *wheel =
	    json_string_value(json_object_get(r->result, "wheel"));
	const char *base = wheel ? strrchr(wheel, '/') : NULL;
	json_t *fns;
	size_t i;

	if (!ps || !ps->job_key || r->is_dry_run ||
	    json_is_true(json_object_get(r->request, "rebuild")))
		return;
	/* what translate, verify and measure decided: a hit takes it on
	 * top of its own select (result_fn_take_outcome) */
	fns = json_array();
	for (i = 0; i < ps->nfns; i++)
		json_array_append_new(fns, result_fn_to_json(&ps->fns[i]));
	/* the toolchain matters only where something was compiled: a
	 * python-only delivery whose Rust did not compile names it */
	bool is_untried =
	    ps->is_python_only && !json_object_size(ps->excluded);
	json_t *val = json_pack(
	    "{s:s, s:s?, s:o, s:s, s:s?, s:b, s:O?, s:O?}", "module",
	    ps->module, "wheel", base ? base + 1 : NULL, "functions", fns,
	    "job", r->id, "toolchain", is_untried ? NULL : r->d->toolchain,
	    "python_only", ps->is_python_only, "workload_speedup",
	    json_object_get(r->result, "workload_speedup"),
	    "workload_speedup_range",
	    json_object_get(r->result, "workload_speedup_range"));
	if (store_cache_put(&r->d->store, "artifact", ps->job_key, val, NULL, 0,
			    &err) < 0)
		log_warn("job %s: %s", r->id, err_msg(&err));
	json_decref(val);
	err_release(&err);
}

