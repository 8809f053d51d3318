/*
 * daemon.c - puts the daemon's modules together. The modules call only
 * the ones below them (client -> proto; rpc-* -> jobs -> stages ->
 * store, fs, proc); where a lower one must reach a higher one (a message
 * arrived, the last job ended, a stage starts), it goes through a
 * function pointer set here. tests/e2e/test_structure.py checks that the
 * modules form no cycle.
 */
#include "daemon.h"
#include "jobs.h"
#include "pipeline.h"

void daemon_wire(struct daemon *d)
{
	d->pipeline = &pipeline_ops;
	d->on_message = rpc_handle;
	d->on_writable = sub_pump;
	d->on_conn_close = sub_conn_closed;
	d->on_jobs_drained = server_jobs_drained;
}
