/*
 * rebuild.h - the translate stage of a crate/rebuild job: the crate the
 * user edited in DIR/crate/<module> replaces translation; it is copied
 * into the job's work folder (never through a symlink) and built,
 * verified and delivered like a generated one.
 */
#ifndef RUSTIFY_REBUILD_H
#define RUSTIFY_REBUILD_H

#include "jobs.h"

/* Starts the copy; ends the stage with job_stage_done(). */
void rebuild_translate(struct job_run *r);

#endif
