/*
 * job.h - the states of a job, as the daemon stores them and the wire
 * carries them, for the daemon, its clients and the tests: one list.
 */
#ifndef RUSTIFY_JOB_H
#define RUSTIFY_JOB_H

#include <stdbool.h>
#include <string.h>

#define JOB_QUEUED	"queued"
#define JOB_RUNNING	"running"
#define JOB_DONE	"done"
#define JOB_FAILED	"failed"
#define JOB_CANCELLED	"cancelled"
#define JOB_INTERRUPTED "interrupted"

/* Whether a job in this state has ended for good (job/done was sent). */
static inline bool job_state_is_final(const char *state)
{
	return state && (!strcmp(state, JOB_DONE) ||
			 !strcmp(state, JOB_FAILED) ||
			 !strcmp(state, JOB_CANCELLED) ||
			 !strcmp(state, JOB_INTERRUPTED));
}

#endif
