/*
 * pipeline.h - the job pipeline's stage table: source, index, profile,
 * select, translate, crate, build, verify, deliver. Each stage's start
 * function begins its work and later calls job_stage_done().
 */
#ifndef RUSTIFY_PIPELINE_H
#define RUSTIFY_PIPELINE_H

#include <jansson.h>

#include "fs.h"
#include "jobs.h"
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
	char *module;		   /* the accelerated package's import name */
	char *out_dir;		   /* work/<id>/out: crate/ and <module>/ */
	char *output;		   /* the user's output dir (deliver) */
	json_t *translate;	   /* the translator's report */
	json_t *translate_request; /* what it was asked (a rebuild reuses it) */
	json_t *excluded;	   /* name: why, kept in Python by the build */
	char *job_key;		   /* everything that determines the delivery */
};

struct pipeline_state *ps_get(struct job_run *r);
/* The entry of result.functions for a qualname, or NULL. */
json_t *pipeline_result_fn(struct job_run *r, const char *qualname);

struct stage {
	const char *name;
	void (*start)(struct job_run *r); /* NULL: not implemented yet */
};

/*
 * The build found that the Rust of function `name` does not compile (a
 * translator bug): translate again with it kept in Python (reason `why`),
 * then build again. False when that cannot help (no translation to
 * repeat, the function already excluded, or three retries done); the
 * build then fails as it would have.
 */
bool pipeline_retry_without(struct job_run *r, const char *name,
			    const char *why);

/* After a successful delivery: remember it under ps->job_key. */
void pipeline_remember(struct job_run *r);

/* Cache key of a source's index: its text's hash and the grammar. */
char *pipeline_index_key(const char *source_sha256);
/* A JSON file; NULL with err saying where it is malformed. */
json_t *load_json_file(const char *path, struct err *err);

/* Stages that live in their own files. */
void stage_build(struct job_run *r);
void stage_verify(struct job_run *r);
void stage_deliver(struct job_run *r);

extern const struct stage pipeline_stages[];
extern const size_t pipeline_nstages;

/* Releases whatever stage data a run holds (called when it ends). */
void pipeline_release(struct job_run *r);
/* Fills the result's stage-independent keys at the end of a job. */
void pipeline_finish_result(struct job_run *r);

#endif
