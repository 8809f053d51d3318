/*
 * pipeline.h - the job pipeline's stage table: source, index, profile,
 * select, translate, crate, build, verify, deliver. Each stage's start
 * function begins its work and later calls job_stage_done().
 */
#ifndef RUSTIFY_PIPELINE_H
#define RUSTIFY_PIPELINE_H

#include "jobs.h"

struct stage {
	const char *name;
	void (*start)(struct job_run *r); /* NULL: not implemented yet */
};

extern const struct stage pipeline_stages[];
extern const size_t pipeline_nstages;

/* Releases whatever stage data a run holds (called when it ends). */
void pipeline_release(struct job_run *r);
/* Fills the result's stage-independent keys at the end of a job. */
void pipeline_finish_result(struct job_run *r);

#endif
