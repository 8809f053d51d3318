/*
 * pipeline.h - the job pipeline: source, index, profile, select,
 * translate, crate, build, verify, measure, deliver, in that order, handed to
 * jobs.c as a table of operations (daemon_wire puts it in d->pipeline).
 * Each stage's start function begins its work and later calls
 * job_stage_done(). The first six live in pipeline.c, the others in
 * their own files; what they share is stage.h.
 */
#ifndef RUSTIFY_PIPELINE_H
#define RUSTIFY_PIPELINE_H

#include "jobs.h"
#include "stage.h"

/* Stages that live in their own files. */
void stage_build(struct job_run *r);
void stage_verify(struct job_run *r);
void stage_measure(struct job_run *r);
/* The shim's disabled set (translate/crate.c): every translated function
 * that is not verified, or that a check turned off ("enabled": false). */
json_t *verify_disabled_set(struct job_run *r);
void stage_deliver(struct job_run *r);

extern const struct job_pipeline pipeline_ops;

#endif
