/*
 * stage.h - what the stages of a job share: the state they hand to each
 * other (struct pipeline_state, one per run), the entries of the job's
 * result, where its output goes, the interpreter, and reading a JSON file
 * a child wrote. Below every stage file and below pipeline.c, which puts
 * the stages in order: a stage file never calls pipeline.c.
 */
#ifndef RUSTIFY_STAGE_H
#define RUSTIFY_STAGE_H

#include <jansson.h>

#include "jobs.h"
#include "result.h"
#include "source.h"

/* What the stages of one job hand to each other (loop thread only). */
struct pipeline_state {
	struct source src;
	char *src_path; /* the file the workload runs (text: written out) */
	char *src_dir;
	json_t *index;
	json_t *profile;
	char *python;
	char *profile_key;
	bool has_profile_cache_hit;
	bool is_list_only;
	/* nothing to build: crate, build and verify are skipped and deliver
	 * writes the package as the source alone (every function in Python) */
	bool is_python_only;
	char *module;		   /* the accelerated package's import name */
	char *out_dir;		   /* work/<id>/out: crate/ and <module>/ */
	char *output;		   /* the user's output dir (deliver) */
	json_t *translate;	   /* the translator's report */
	json_t *translate_request; /* what it was asked (a rebuild reuses it) */
	json_t *excluded;	   /* name: why, kept in Python by the build */
	char *job_key;		   /* everything that determines the delivery */
	/* result.functions[] while the job runs, hottest first (select
	 * makes them); stage_result_finish writes them into the result */
	struct fn_result *fns;
	size_t nfns;
};

/* The message of the stages a job with nothing to build skips. */
#define STAGE_NOTHING_TO_BUILD                                                 \
	"nothing to build: every function stays in Python"

/* r's state, made on first use. */
struct pipeline_state *stage_state(struct job_run *r);
/* Frees r's state (the pipeline's release operation calls it). */
void stage_state_release(struct job_run *r);
/* The (first) result entry of a qualname, or NULL. */
struct fn_result *stage_fn(struct job_run *r, const char *qualname);
/* The profile's entry of a function (borrowed), or NULL. */
json_t *stage_profile_entry(struct pipeline_state *ps, const char *qualname);
/* Appends an entry for name; it is the run's (select only). */
struct fn_result *stage_fn_add(struct job_run *r, const char *name);
/* result.functions from the entries (the one place that writes it). */
void stage_fns_write(struct job_run *r);
/* Fills the result's stage-independent keys at the end of a job. */
void stage_result_finish(struct job_run *r);
/* Where the job delivers (request "output", else rustify-out/ beside a
 * source file, else in its work folder); malloc'd. */
char *stage_output_dir(struct job_run *r);
/* The interpreter: the request's, else python3 on the daemon's PATH. */
char *stage_python(struct job_run *r);
/* A JSON file; NULL with err saying where it is malformed. */
json_t *stage_load_json(const char *path, struct err *err);

#endif
