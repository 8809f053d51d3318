/*
 * deliver.c - the deliver stage: put what the job made into the output dir
 * (request "output", else rustify-out/ beside a source file, else the
 * job's own folder), then pip-install the wheel when asked.
 *
 * Layout of DIR (README "Output"):
 *   DIR/<module>/          the importable package: shim, extension, copy of
 *                          the original, .pyi
 *   DIR/crate/<module>/    the generated crate (rustifyctl rebuild)
 *   DIR/NAME.whl             the wheel
 *   DIR/rustify.json       the manifest, shared by every module in DIR
 *   DIR/rustify_run.py     the drop-in runner (python -m rustify_run), and
 *   DIR/rustify_run_swap.py  its swaps, imported when something applies
 * Each directory is built beside its final place and renamed into it, so
 * a reader never sees half of a package. Then the job's interpreter
 * compiles DIR's and the package's Python files (__pycache__): every run
 * of the runner imported its swaps and the shim from source where
 * bytecode is not written (PYTHONDONTWRITEBYTECODE, a read-only DIR),
 * 5 ms of a 0.3 s program. Then rustify_run_swap.py --write-cache
 * writes the runner's cache of the merged manifest (the manifest parsed,
 * each source compiled with its swaps: DIR/__pycache__/
 * rustify.json.<tag>.swaps), another 4 ms and more of every run. A
 * failure of either only goes to the log: the runner then does that
 * work itself.
 *
 * A job with nothing to build (nothing selected, translated or compiled)
 * still delivers: DIR/<module>/ is then the source alone (_original.py and
 * an __init__.py that lends its names), the manifest lists every function
 * as not accelerated, the runner comes with it, and a crate an earlier
 * job left at DIR/crate/<module> goes, so that nothing rebuilds it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "jobcache.h"
#include "fs.h"
#include "log.h"
#include "manifest.h"
#include "pipeline.h"
#include "translate/crate.h"

/* The drop-in runner's files, from the embedded harnesses; the swaps
 * first, so that a new rustify_run.py never finds an old one. */
enum { NRUNNER_FILES = 2 };
static const char *const runner_files[NRUNNER_FILES] = {"rustify_run_swap.py",
							"rustify_run.py"};

struct deliver_work {
	char *output;
	char *module;
	char *package_from; /* built package (site/) or the dry run's */
	char *crate_from;
	char *wheel_from;	      /* NULL for a dry run */
	char *runners[NRUNNER_FILES]; /* runner_files to copy, or NULL */
	char *source; /* python-only: the source text, else NULL */
	size_t source_len;
	char *python_dir; /* python-only: where the package is made */
	json_t *entry;	  /* this module's manifest entry */
	char *wheel_to;
	struct err err;
	int rc;
};

/* Writes the python-only package into w->python_dir/<module>. */
static int python_only_write(struct deliver_work *w)
{
	char *pkg = xasprintf("%s/%s", w->python_dir, w->module);
	char *init = xasprintf("%s/__init__.py", pkg);
	char *orig = xasprintf("%s/_original.py", pkg);
	struct buf text = BUF_INIT;
	int rc;

	/* the source's names, from _original on first use, as the shim of a
	 * built package lends them (translate/crate.c owns both) */
	crate_python_only_init(&text);
	fs_remove_tree(w->python_dir);
	if ((rc = fs_mkdirs(pkg, 0755, &w->err)) < 0)
		goto out;
	if ((rc = fs_write_file(init, text.data, text.len, &w->err)) < 0)
		goto out;
	rc = fs_write_file(orig, w->source, w->source_len, &w->err);
out:
	buf_release(&text);
	free(orig);
	free(init);
	free(pkg);
	return rc;
}

/* A crate an earlier job delivered for this module: it no longer
 * matches the package. A symlink at DIR/crate is left alone: nothing is
 * written through it. */
static void python_only_drop_crate(int outfd, const char *module)
{
	struct stat st;
	int cratefd;

	if (fstatat(outfd, "crate", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode))
		return;
	cratefd = openat(outfd, "crate",
			 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cratefd < 0)
		return;
	if (fs_remove_tree_at(cratefd, module) < 0 && errno != ENOENT)
		log_warn("crate/%s: %s", module, strerror(errno));
	close(cratefd);
}

/*
 * Everything below the output folder is reached through directory
 * descriptors opened without following symlinks: a symlink named like
 * the module, its temporaries, or crate/ is never followed (README
 * "Output"). The output folder itself may be a symlink: the user chose it.
 */
static void deliver_work(void *arg)
{
	struct deliver_work *w = arg;
	int outfd = -1, cratefd = -1;
	const char *base;

	if ((w->rc = fs_mkdirs(w->output, 0755, &w->err)) < 0)
		goto out;
	/* the user's own folder may be a symlink: that one is followed */
	outfd = open(w->output, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (outfd < 0) {
		w->rc = err_set(&w->err, RUSTIFY_EIO, "%s: %s", w->output,
				strerror(errno));
		goto out;
	}
	if (w->source) {
		if ((w->rc = python_only_write(w)) < 0)
			goto fail;
		if ((w->rc = fs_place_tree_at(w->package_from, outfd, w->module,
					      &w->err)) < 0)
			goto fail;
		python_only_drop_crate(outfd, w->module);
		fs_remove_tree(w->python_dir);
		goto runner;
	}
	if ((w->rc = fs_place_tree_at(w->package_from, outfd, w->module,
				      &w->err)) < 0)
		goto fail;
	cratefd = fs_open_dir_at(outfd, "crate", true, 0755, &w->err);
	if (cratefd < 0) {
		w->rc = cratefd;
		goto fail;
	}
	if ((w->rc = fs_place_tree_at(w->crate_from, cratefd, w->module,
				      &w->err)) < 0) {
		err_prefix(&w->err, "crate");
		goto fail;
	}
	if (w->wheel_from) {
		base = strrchr(w->wheel_from, '/');
		base = base ? base + 1 : w->wheel_from;
		w->wheel_to = xasprintf("%s/%s", w->output, base);
		if ((w->rc = fs_copy_file_at(w->wheel_from, outfd, base, 0644,
					     &w->err)) < 0)
			goto fail;
	}
runner:
	for (size_t i = 0; i < NRUNNER_FILES; i++) {
		if (w->runners[i] && (w->rc = fs_copy_file_at(
					  w->runners[i], outfd, runner_files[i],
					  0644, &w->err)) < 0)
			goto fail;
	}
	w->rc = manifest_merge_at(outfd, w->entry, &w->err);
fail:
	if (w->rc < 0)
		err_prefix(&w->err, "%s", w->output);
out:
	if (cratefd >= 0)
		close(cratefd);
	if (outfd >= 0)
		close(outfd);
}

static void deliver_cleanup(void *arg)
{
	struct deliver_work *w = arg;

	free(w->output);
	free(w->module);
	free(w->package_from);
	free(w->crate_from);
	free(w->wheel_from);
	for (size_t i = 0; i < NRUNNER_FILES; i++)
		free(w->runners[i]);
	free(w->source);
	free(w->python_dir);
	free(w->wheel_to);
	json_decref(w->entry);
	err_release(&w->err);
	free(w);
}

static void install_done(struct job_run *r, int64_t status, int sig,
			 bool timed_out)
{
	if (timed_out || sig || status != 0) {
		job_stage_done(r, STAGE_FAILED,
			       "pip install of the wheel failed (see the job "
			       "log)");
		return;
	}
	json_object_set_new(r->result, "installed", json_true());
	jobcache_remember(r);
	job_stage_done(r, STAGE_DONE, "delivered and pip-installed");
}

/* After the bytecode: pip install when asked, else the stage is done. */
static void deliver_finish(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	const char *output =
	    json_string_value(json_object_get(r->result, "output"));
	const char *wheel =
	    json_string_value(json_object_get(r->result, "wheel"));
	struct buf msg = BUF_INIT;

	if (wheel && json_is_true(json_object_get(r->request, "install"))) {
		const char *args[] = {
		    ps->python,		 "-m", "pip", "install", "--no-deps",
		    "--force-reinstall", "-q", wheel, NULL};
		job_progress(r, 60, "pip install %s", wheel);
		const struct job_child child = {.args = args,
						.cwd = r->work_dir,
						.timeout = 300,
						.done = install_done};
		job_spawn(r, &child);
		return;
	}
	if (ps->is_python_only)
		buf_addf(&msg,
			 "%s: every function stays in Python (the package "
			 "is the source alone); PYTHONPATH=%s python -m "
			 "rustify_run %s.py",
			 output, output, ps->src.name);
	else
		buf_addf(&msg, "%s: PYTHONPATH=%s python -c \"import %s\"",
			 output, output, ps->module);
	jobcache_remember(r);
	job_stage_done(r, STAGE_DONE, msg.data);
	buf_release(&msg);
}

/* A delivery child that failed: one line in the job's log (what failed,
 * and what that costs), the delivery goes on. */
static void log_child_failure(struct job_run *r, const char *what,
			      const char *cost, int64_t status, int sig,
			      bool timed_out)
{
	char *line = xasprintf("%s failed (status %lld, signal %d%s): %s", what,
			       (long long)status, sig,
			       timed_out ? ", timed out" : "", cost);

	job_log(r, "daemon", line, strlen(line));
	free(line);
}

static void swaps_done(struct job_run *r, int64_t status, int sig,
		       bool timed_out)
{
	if (timed_out || sig || status != 0)
		log_child_failure(r,
				  "writing the runner's cache of the "
				  "manifest",
				  "runs parse the script", status, sig,
				  timed_out);
	deliver_finish(r);
}

static void compiled_done(struct job_run *r, int64_t status, int sig,
			  bool timed_out)
{
	const char *out =
	    json_string_value(json_object_get(r->result, "output"));

	if (timed_out || sig || status != 0)
		log_child_failure(r, "compileall of the delivered Python files",
				  "they compile on import", status, sig,
				  timed_out);
	{
		/* the runner's cache of DIR/rustify.json (the manifest as
		 * merged, with the sources compiled with their swaps) */
		char *swap = xasprintf("%s/rustify_run_swap.py", out);
		char *man = xasprintf("%s/rustify.json", out);
		const char *args[] = {r->ps->python, swap, "--write-cache", man,
				      NULL};
		const struct job_child child = {.args = args,
						.cwd = r->work_dir,
						.timeout = 120,
						.done = swaps_done};
		job_progress(r, 55, "compiling the runner's swaps");
		job_spawn(r, &child);
		free(swap);
		free(man);
	}
}

static void deliver_after(struct job_run *r, void *arg)
{
	struct deliver_work *w = arg;
	struct pipeline_state *ps = r->ps;

	if (w->rc < 0) {
		job_stage_done(r, STAGE_FAILED, err_msg(&w->err));
		return;
	}
	json_object_set_new(r->result, "output", json_string(w->output));
	json_object_set_new(r->result, "wheel",
			    w->wheel_to ? json_string(w->wheel_to)
					: json_null());
	if (!ps->python)
		ps->python = stage_python(r);
	{
		/* DIR's own files (-l: not crate/), and the package's */
		char *pkg = xasprintf("%s/%s", w->output, w->module);
		const char *args[] = {ps->python, "-m", "compileall",
				      "-q",	  "-l", w->output,
				      pkg,	  NULL};
		const struct job_child child = {.args = args,
						.cwd = r->work_dir,
						.timeout = 120,
						.done = compiled_done};
		job_progress(r, 50, "compiling the delivered Python files");
		job_spawn(r, &child);
		free(pkg);
	}
}

void stage_deliver(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	const char *wheel =
	    json_string_value(json_object_get(r->result, "wheel"));
	struct deliver_work *w;
	struct err err = ERR_INIT;

	if (!ps->out_dir && !ps->is_python_only) {
		job_stage_done(r, STAGE_SKIPPED, "nothing was generated");
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->output = xstrdup(ps->output);
	w->module = xstrdup(ps->module);
	if (ps->is_python_only) {
		w->source = xmalloc(ps->src.len + 1);
		memcpy(w->source, ps->src.text, ps->src.len);
		w->source_len = ps->src.len;
		w->python_dir = xasprintf("%s/python", r->work_dir);
		w->package_from = xasprintf("%s/%s", w->python_dir, ps->module);
	} else {
		w->package_from =
		    r->is_dry_run || !wheel
			? xasprintf("%s/%s", ps->out_dir, ps->module)
			: xasprintf("%s/site/%s", r->work_dir, ps->module);
		w->crate_from = xasprintf("%s/crate", ps->out_dir);
	}
	w->wheel_from = wheel && !r->is_dry_run ? xstrdup(wheel) : NULL;
	for (size_t i = 0; i < NRUNNER_FILES; i++) {
		if (harness_write(runner_files[i], r->work_dir, &w->runners[i],
				  &err) < 0) {
			log_warn("job %s: %s", r->id, err_msg(&err));
			w->runners[i] = NULL;
			err_release(&err);
		}
	}
	w->entry = manifest_entry(r, NULL);
	err_release(&err);
	job_queue_work(r, deliver_work, deliver_after, deliver_cleanup, w);
}
