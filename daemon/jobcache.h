/*
 * jobcache.h - the whole-job cache: a submit whose delivery is already in
 * its output folder (same daemon build, source, request, profile,
 * selection and toolchain) is answered without profiling, building,
 * verifying or copying anything again.
 */
#ifndef RUSTIFY_JOBCACHE_H
#define RUSTIFY_JOBCACHE_H

#include <stdbool.h>

#include <jansson.h>

#include "jobs.h"

/* Key of a whole delivery of r selecting names (malloc'd hex). */
char *jobcache_key(struct job_run *r, json_t *names);
/* Fills r's result from the delivery of the same key when it is still
 * in the output folder; true on a hit. */
bool jobcache_hit(struct job_run *r);
/* After a successful delivery: remember it under ps->job_key. */
void jobcache_remember(struct job_run *r);

#endif
