/*
 * jobs.c - jobs on the loop thread: the queue, running jobs and their
 * stage walk, cancel, events and subscriptions, recovery and shutdown.
 *
 * The store is the truth: a job is a row before anyone hears of it, every
 * state change is written before it is announced, and every event is
 * stored (with its sequence number) before it is sent, so a subscriber
 * that reconnects can replay exactly what it missed.
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "jobs.h"
#include "log.h"
#include "rustify/bug.h"
#include "proc.h"

struct job_work {
	uv_work_t req;
	struct job_run *r;
	job_work_fn fn;
	job_after_fn after;
	void (*cleanup)(void *arg);
	void *arg;
};

static void job_advance(struct job_run *r);
static void subs_sweep(struct daemon *d);
static void job_finish(struct job_run *r, const char *state, const char *error);

/* ---- subscriptions ------------------------------------------------------ */

static struct sub *sub_find(struct daemon *d, struct conn *c,
			    const char *job_id)
{
	for (struct sub *s = d->subs; s; s = s->next)
		if (s->conn == c && !strcmp(s->job_id, job_id))
			return s;
	return NULL;
}

void sub_add(struct daemon *d, struct conn *c, const char *job_id)
{
	struct sub *s = sub_find(d, c, job_id);

	if (s)
		return;
	subs_sweep(d);
	s = xcalloc(1, sizeof(*s));
	s->conn = c;
	s->job_id = xstrdup(job_id);
	s->next = d->subs;
	d->subs = s;
}

void sub_add_replay(struct daemon *d, struct conn *c, const char *job_id,
		    int64_t since_seq)
{
	struct sub *s;

	sub_add(d, c, job_id);
	s = sub_find(d, c, job_id);
	s->sent_seq = since_seq;
	s->is_replaying = true;
}

/*
 * A replay goes page by page: a page (at most REPLAY_PAGE bytes, a
 * quarter of the client's cap when that is smaller) is read and framed on
 * the worker pool, sent on the loop, and the next one is asked for only
 * while the client's unread bytes plus the pages being read stay under
 * half its cap. So twenty clients replaying a long job cost twenty pages
 * of memory, not twenty logs, and the loop never parses stored events.
 */
#define REPLAY_PAGE (256u * 1024u)

struct replay_work {
	uv_work_t req;
	struct daemon *d;
	struct sub *s;
	char *job_id;
	int64_t since;
	size_t max_bytes;
	struct buf out;
	struct store_page page;
	struct err err;
	int rc;
};

static size_t replay_page_bytes(struct daemon *d)
{
	size_t quarter = d->cfg.max_outbuf / 4;

	return quarter < REPLAY_PAGE ? (quarter ? quarter : 1) : REPLAY_PAGE;
}

static void replay_work_cb(uv_work_t *req)
{
	struct replay_work *w = req->data;
	struct store *bg = store_bg_acquire(&w->d->store, &w->err);

	if (!bg) {
		w->rc = w->err.code;
		return;
	}
	w->rc = store_events_page(bg, w->job_id, w->since, w->max_bytes,
				  &w->out, &w->page, &w->err);
	store_bg_release(&w->d->store);
}

static void replay_after_cb(uv_work_t *req, int status)
{
	struct replay_work *w = req->data;
	struct sub *s = w->s;
	struct conn *c = s->conn;
	struct daemon *d = w->d;

	s->is_loading = false;
	if (c) {
		BUG_ON(c->replay_pending < w->max_bytes);
		c->replay_pending -= w->max_bytes;
	}
	if (status < 0 || w->rc < 0) {
		log_warn("replay of job %s: %s", w->job_id,
			 status < 0 ? uv_strerror(status) : err_msg(&w->err));
		s->conn = NULL; /* the client resubscribes */
		goto out;
	}
	if (!c || !s->is_replaying)
		goto out;
	if (w->page.count) {
		size_t len;
		char *data = buf_detach(&w->out, &len);

		conn_send_raw(c, data, len);
		s->sent_seq = w->page.last_seq;
	}
	if (w->page.has_done) {
		s->conn = NULL; /* nothing follows job/done */
	} else if (!w->page.is_full) {
		/* Caught up with what was stored when the page was read.
		 * Events are stored on this thread only: whatever came in
		 * since is the next page, else the replay is over. */
		json_t *job = NULL;
		struct err err = ERR_INIT;

		if (store_job_get(&d->store, s->job_id, &job, &err) == 0 &&
		    json_integer_value(json_object_get(job, "last_seq")) <=
			s->sent_seq)
			s->is_replaying = false;
		json_decref(job);
		err_release(&err);
	}
	if (s->conn && !s->conn->is_closing)
		sub_pump(s->conn);
out:
	buf_release(&w->out);
	err_release(&w->err);
	free(w->job_id);
	free(w);
	subs_sweep(d);
}

/* Asks for s's next page when the client has room for it. */
static void sub_replay(struct daemon *d, struct sub *s)
{
	struct conn *c = s->conn;
	size_t unread = uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe);
	struct replay_work *w;

	if (s->is_loading ||
	    unread + c->replay_pending + replay_page_bytes(d) >
		d->cfg.max_outbuf / 2 + 1)
		return;
	w = xcalloc(1, sizeof(*w));
	w->req.data = w;
	w->d = d;
	w->s = s;
	w->job_id = xstrdup(s->job_id);
	w->since = s->sent_seq;
	w->max_bytes = replay_page_bytes(d);
	buf_init(&w->out);
	if (uv_queue_work(d->loop, &w->req, replay_work_cb, replay_after_cb) <
	    0) {
		free(w->job_id);
		free(w);
		return;
	}
	s->is_loading = true;
	c->replay_pending += w->max_bytes;
}

void sub_pump(struct conn *c)
{
	struct daemon *d = c->d;

	subs_sweep(d);
	for (struct sub *s = d->subs; s; s = s->next) {
		if (s->conn != c || !s->is_replaying || c->is_closing ||
		    c->is_draining)
			continue;
		sub_replay(d, s);
	}
}

/*
 * Removing only marks (conn = NULL): a send may drop a connection in the
 * middle of a walk over the list. subs_sweep() frees marked entries at the
 * start of each walk.
 */
static void subs_sweep(struct daemon *d)
{
	struct sub **pp = &d->subs;

	while (*pp) {
		struct sub *s = *pp;
		/* a page being read still points here */
		if (!s->conn && !s->is_loading) {
			*pp = s->next;
			free(s->job_id);
			free(s);
		} else {
			pp = &s->next;
		}
	}
}

void sub_remove(struct daemon *d, struct conn *c, const char *job_id)
{
	for (struct sub *s = d->subs; s; s = s->next)
		if (s->conn == c && !strcmp(s->job_id, job_id))
			s->conn = NULL;
}

void sub_remove_conn(struct daemon *d, struct conn *c)
{
	for (struct sub *s = d->subs; s; s = s->next)
		if (s->conn == c) {
			if (s->is_loading)
				c->replay_pending -= replay_page_bytes(d);
			s->conn = NULL;
		}
}

void sub_conn_closed(struct conn *c)
{
	sub_remove_conn(c->d, c);
}

void subs_release(struct daemon *d)
{
	for (struct sub *s = d->subs; s; s = s->next)
		s->conn = NULL;
	subs_sweep(d);
}

/* ---- events ---------------------------------------------------------------
 */

/* Sends a stored (or, when the store failed, remembered) event to the
 * job's live subscribers; is_all also reaches replaying ones, which would
 * otherwise wait for the store to have it. */
static void job_notify(struct daemon *d, const char *id, const char *kind,
		       json_t *full, bool is_all)
{
	int64_t seq = json_integer_value(json_object_get(full, "seq"));

	for (struct sub *s = d->subs; s; s = s->next) {
		/* A replaying subscriber gets this event from the store, in
		 * order, when its replay reaches it. */
		if (!s->conn || strcmp(s->job_id, id) ||
		    (s->is_replaying && !is_all))
			continue;
		json_t *n = jsonrpc_notification_new(kind, json_incref(full));
		conn_send(s->conn, n);
		json_decref(n);
		s->sent_seq = seq;
		if (s->is_replaying)
			s->conn = NULL; /* nothing follows job/done */
	}
}

/* The run of a job, finished or not, while it is in memory. */
static struct job_run *job_run_get(struct daemon *d, const char *id)
{
	for (struct job_run *r = d->runs; r; r = r->next)
		if (!strcmp(r->id, id))
			return r;
	return NULL;
}

/*
 * A write for a running job failed (a full disk, say): the job cannot go
 * on without its record, so it fails, from the idle callback (not inside
 * the stage that is writing), while the daemon keeps running.
 */
static void job_store_failed(struct job_run *r, const struct err *err)
{
	if (!r || r->is_finished || r->fail_reason)
		return;
	r->fail_reason = xasprintf("the job's state could not be stored: %s",
				   err_msg(err));
	jobs_kick(r->d);
}

/* The params of an event the store could not take, numbered from memory. */
static json_t *job_event_remembered(struct daemon *d, struct job_run *r,
				    const char *id, json_t *params)
{
	json_t *full = params ? json_deep_copy(params) : json_object();
	json_t *job = NULL;
	struct err err = ERR_INIT;
	int64_t seq = 0;

	if (r) {
		seq = ++r->last_seq;
	} else if (store_job_get(&d->store, id, &job, &err) == 0) {
		seq = json_integer_value(json_object_get(job, "last_seq")) + 1;
	}
	json_object_set_new(full, "job", json_string(id));
	json_object_set_new(full, "seq", json_integer(seq));
	json_decref(job);
	err_release(&err);
	return full;
}

void job_event(struct daemon *d, const char *id, const char *kind,
	       json_t *params)
{
	struct err err = ERR_INIT;
	struct job_run *r = job_run_get(d, id);
	json_t *full = NULL;
	bool is_remembered = false;

	subs_sweep(d);
	if (store_event_append(&d->store, id, kind, params, &full, &err) < 0) {
		log_error("job %s: could not store %s event: %s", id, kind,
			  err_msg(&err));
		job_store_failed(r, &err);
		full = job_event_remembered(d, r, id, params);
		is_remembered = true;
	} else if (r) {
		r->last_seq = json_integer_value(json_object_get(full, "seq"));
	}
	job_notify(d, id, kind, full,
		   is_remembered && !strcmp(kind, "job/done"));
	json_decref(params);
	json_decref(full);
	err_release(&err);
}

/* ---- what the store could not take yet ---------------------------------- */

/*
 * Ends of jobs the store refused (a full disk): subscribers already heard
 * job/done from memory; the rows catch up once writes work again. Until
 * then job/status shows the job as running.
 */
static void backlog_timer_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	json_t *e;
	size_t i = 0;

	while ((e = json_array_get(d->store_backlog, i))) {
		struct err err = ERR_INIT;
		json_t *done = NULL;
		const char *id = json_string_value(json_object_get(e, "job"));

		if (store_job_finish(
			&d->store, id,
			json_string_value(json_object_get(e, "state")),
			json_string_value(json_object_get(e, "error")),
			json_object_get(e, "result"), &done, &err) < 0) {
			err_release(&err);
			break; /* still failing: try again later, in order */
		}
		log_info("job %s: its end is stored now", id);
		json_decref(done);
		json_array_remove(d->store_backlog, i);
	}
	if (!json_array_size(d->store_backlog))
		uv_timer_stop(t);
}

static void backlog_add(struct daemon *d, struct job_run *r,
			const char *state, const char *error)
{
	if (!d->store_backlog)
		d->store_backlog = json_array();
	json_array_append_new(d->store_backlog,
			      json_pack("{s:s, s:s, s:s?, s:O}", "job", r->id,
					"state", state, "error", error,
					"result", r->result));
	if (!uv_is_active((uv_handle_t *)&d->backlog_timer))
		uv_timer_start(&d->backlog_timer, backlog_timer_cb, 1000,
			       1000);
}

void job_progress(struct job_run *r, int percent, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	struct err err = ERR_INIT;
	const struct job_pipeline *pl = r->d->pipeline;
	const char *stage = r->stage >= 0 && (size_t)r->stage < pl->nstages
				? pl->stages[r->stage].name
				: "job";
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (percent < 0)
		percent = 0;
	if (percent > 100)
		percent = 100;
	if (store_job_set_stage(&r->d->store, r->id, stage, percent, &err) <
	    0) {
		log_warn("job %s: %s", r->id, err_msg(&err));
		job_store_failed(r, &err);
	}
	job_event(r->d, r->id, "job/progress",
		  json_pack("{s:s, s:i, s:s}", "stage", stage, "percent",
			    percent, "message", msg.data));
	buf_release(&msg);
	err_release(&err);
}

void job_log(struct job_run *r, const char *stream, const char *line,
	     size_t len)
{
	if (r->log_lines >= r->d->cfg.max_log_lines) {
		r->log_dropped++;
		return;
	}
	r->log_lines++;
	/* Output of a user's program need not be UTF-8: keep what JSON can
	 * carry. */
	json_t *l = json_stringn(line, len);
	if (!l) {
		struct buf clean = BUF_INIT;
		for (size_t i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)line[i];
			buf_addch(&clean, ch < 0x80 ? (char)ch : '?');
		}
		l = json_stringn(clean.data, clean.len);
		buf_release(&clean);
	}
	job_event(r->d, r->id, "job/log",
		  json_pack("{s:s, s:o}", "stream", stream, "line", l));
}

/* ---- runs ------------------------------------------------------------------
 */

static struct job_run *job_run_find(struct daemon *d, const char *id)
{
	for (struct job_run *r = d->runs; r; r = r->next)
		if (!strcmp(r->id, id) && !r->is_finished)
			return r;
	return NULL;
}

bool jobs_any_running(struct daemon *d)
{
	return d->runs != NULL;
}

static void job_run_free(struct job_run *r)
{
	r->d->pipeline->release(r);
	json_decref(r->request);
	json_decref(r->result);
	json_decref(r->data);
	free(r->fail_reason);
	free(r->work_dir);
	free(r->id);
	free(r);
}

/* Frees finished runs that nothing refers to any more. Runs are never
 * freed inside a callback chain that may still hold them: only here, from
 * the idle callback. */
/*
 * glibc keeps freed memory in its arenas (one per worker thread that
 * allocated it): after a job over a big source, hundreds of MB stay
 * mapped. malloc_trim gives them back; on the pool, as walking the arenas
 * takes a while when there is much to give.
 */
static uv_work_t trim_req;
static uv_timer_t trim_timer;
static bool is_trimming, has_trim_timer;

static void trim_work(uv_work_t *req)
{
	(void)req;
	malloc_trim(0);
}

static void trim_after(uv_work_t *req, int status)
{
	(void)req;
	(void)status;
	is_trimming = false;
}

static void jobs_trim(struct daemon *d)
{
	if (is_trimming || d->is_stopped)
		return;
	if (uv_queue_work(d->loop, &trim_req, trim_work, trim_after) == 0)
		is_trimming = true;
}

static void trim_timer_cb(uv_timer_t *t)
{
	jobs_trim(t->data);
}

void jobs_trim_soon(struct daemon *d)
{
	if (d->is_stopped)
		return;
	if (!has_trim_timer) {
		uv_timer_init(d->loop, &trim_timer);
		uv_unref((uv_handle_t *)&trim_timer);
		trim_timer.data = d;
		has_trim_timer = true;
	}
	if (!uv_is_active((uv_handle_t *)&trim_timer))
		uv_timer_start(&trim_timer, trim_timer_cb, 2000, 0);
}

static void jobs_sweep(struct daemon *d)
{
	struct job_run **pp = &d->runs;
	bool has_freed = false;

	while (*pp) {
		struct job_run *r = *pp;
		if (r->is_finished && !r->has_work && !r->proc) {
			*pp = r->next;
			job_run_free(r);
			has_freed = true;
		} else {
			pp = &r->next;
		}
	}
	if (has_freed && !d->is_stopped)
		jobs_trim(d);
	if (d->is_shutting_down && !d->runs && d->on_jobs_drained)
		d->on_jobs_drained(d);
}

void jobs_run_maybe_free(struct job_run *r)
{
	jobs_kick(r->d);
}

static void job_finish(struct job_run *r, const char *state, const char *error)
{
	struct daemon *d = r->d;
	struct err err = ERR_INIT;
	json_t *done = NULL;

	if (r->is_finished)
		return;
	r->is_finished = true;
	BUG_ON(!d->nrunning);
	d->nrunning--;
	if (r->proc)
		proc_kill(r->proc);
	if (r->log_dropped) {
		struct buf b = BUF_INIT;
		buf_addf(&b,
			 "%zu more output lines were not kept (limit %zu "
			 "lines per job)",
			 r->log_dropped, d->cfg.max_log_lines);
		r->log_lines = 0;
		job_log(r, "daemon", b.data, b.len);
		buf_release(&b);
	}
	json_object_set_new(r->result, "state", json_string(state));
	json_object_set_new(r->result, "error",
			    error ? json_string(error) : json_null());
	d->pipeline->finish(r);
	/* A cancel already wrote its state and announced it. */
	if (store_job_finish(&d->store, r->id, state, error, r->result, &done,
			     &err) < 0) {
		log_error("job %s: %s; its end is kept in memory until the "
			  "store takes it",
			  r->id, err_msg(&err));
		backlog_add(d, r, state, error);
		if (!r->is_cancelled) {
			json_t *ev = json_pack("{s:s}", "state", state);
			if (error)
				json_object_set_new(ev, "error",
						    json_string(error));
			done = job_event_remembered(d, r, r->id, ev);
			json_decref(ev);
			job_notify(d, r->id, "job/done", done, true);
		}
	} else if (done) {
		r->last_seq = json_integer_value(json_object_get(done, "seq"));
		job_notify(d, r->id, "job/done", done, false);
	}
	log_info("job %s: %s%s%s", r->id, state, error ? ": " : "",
		 error ? error : "");
	json_decref(done);
	err_release(&err);
	jobs_run_maybe_free(r);
	jobs_kick(d);
}

static void job_record_stage(struct job_run *r, const char *status,
			     const char *message)
{
	const char *name;

	BUG_ON(r->stage < 0 || (size_t)r->stage >= r->d->pipeline->nstages);
	name = r->d->pipeline->stages[r->stage].name;
	double secs = now_seconds() - r->stage_started;

	json_array_append_new(json_object_get(r->result, "stages"),
			      json_pack("{s:s, s:s, s:f, s:s?}", "name", name,
					"status", status, "seconds", secs,
					"message", message));
	json_object_set_new(json_object_get(r->result, "timings"), name,
			    json_real(secs));
}

void job_stage_done(struct job_run *r, const char *status, const char *message)
{
	if (r->is_finished)
		return;
	job_record_stage(r, status, message);
	if (!strcmp(status, STAGE_FAILED)) {
		job_progress(r, 100, "failed: %s", message ? message : "");
		job_finish(r, JOB_FAILED, message);
		return;
	}
	job_progress(r, 100, "%s%s%s", status, message ? ": " : "",
		     message ? message : "");
	job_advance(r);
}

void job_stage_again(struct job_run *r, const char *stage,
		     const char *message)
{
	const struct job_pipeline *pl = r->d->pipeline;
	size_t i;

	if (r->is_finished)
		return;
	for (i = 0; i < pl->nstages && strcmp(pl->stages[i].name, stage); i++)
		;
	BUG_ON(i >= pl->nstages || (int)i > r->stage);
	job_record_stage(r, "again", message);
	job_progress(r, 100, "again: %s", message ? message : "");
	r->stage = (int)i - 1;
	job_advance(r);
}

static void job_advance(struct job_run *r)
{
	const struct job_pipeline *pl = r->d->pipeline;

	while (!r->is_finished) {
		if (r->is_done_early) {
			job_finish(r, JOB_DONE, NULL);
			return;
		}
		r->stage++;
		if ((size_t)r->stage >= pl->nstages) {
			job_finish(r, JOB_DONE, NULL);
			return;
		}
		r->stage_started = now_seconds();
		if (pl->stages[r->stage].start) {
			job_progress(r, 0, "started");
			pl->stages[r->stage].start(r);
			return;
		}
		job_record_stage(r, STAGE_SKIPPED, "not implemented yet");
		job_progress(r, 100, "skipped: not implemented yet");
	}
}

/* ---- children ------------------------------------------------------------ */

static void job_child_line(struct proc *p, int stream, const char *line,
			   size_t len, void *data)
{
	struct job_run *r = data;

	if (r->child_line)
		r->child_line(r, stream, line, len);
	else
		job_log(r, stream == 1 ? "stdout" : "stderr", line, len);
}

static void job_child_exit(struct proc *p, int64_t status, int sig,
			   bool timed_out, void *data)
{
	struct job_run *r = data;
	job_child_done done = r->child_done;

	r->proc = NULL;
	r->child_done = NULL;
	r->child_line = NULL;
	if (!r->is_finished && done)
		done(r, status, sig, timed_out);
	jobs_run_maybe_free(r);
}

int job_spawn(struct job_run *r, const struct job_child *c)
{
	struct err err = ERR_INIT;
	struct proc_opts o = {
	    .file = c->args[0],
	    .args = (char **)c->args,
	    .env = c->env,
	    .cwd = c->cwd,
	    .timeout = c->timeout,
	    .job_id = r->id,
	    .is_supervised = true,
	    .on_line = job_child_line,
	    .on_exit = job_child_exit,
	    .data = r,
	};
	int rc;

	BUG_ON(r->proc);
	r->child_done = c->done;
	r->child_line = c->on_line;
	rc = proc_spawn(r->d, &o, &r->proc, &err);
	if (rc < 0) {
		r->child_done = NULL;
		r->child_line = NULL;
		job_stage_done(r, STAGE_FAILED, err_msg(&err));
	}
	err_release(&err);
	return rc;
}

/* Stages may end the job early with success (e.g. --list-targets): they
 * call job_stage_done and then set the stage index to the end. */

static void job_work_cb(uv_work_t *req)
{
	struct job_work *w = req->data;

	w->fn(w->arg);
}

static void job_after_work_cb(uv_work_t *req, int status)
{
	struct job_work *w = req->data;
	struct job_run *r = w->r;

	BUG_ON(!r->has_work);
	r->has_work = false;
	if (status == 0 && !r->is_finished)
		w->after(r, w->arg);
	if (w->cleanup)
		w->cleanup(w->arg);
	free(w);
	jobs_run_maybe_free(r);
}

void job_queue_work(struct job_run *r, job_work_fn fn, job_after_fn after,
		    void (*cleanup)(void *arg), void *arg)
{
	struct job_work *w = xcalloc(1, sizeof(*w));
	int rc;

	w->r = r;
	w->fn = fn;
	w->after = after;
	w->cleanup = cleanup;
	w->arg = arg;
	w->req.data = w;
	/* one work item at a time: has_work is a flag, not a count */
	BUG_ON(r->has_work);
	r->has_work = true;
	rc = uv_queue_work(r->d->loop, &w->req, job_work_cb, job_after_work_cb);
	if (rc < 0) {
		r->has_work = false;
		if (cleanup)
			cleanup(arg);
		free(w);
		job_stage_done(r, STAGE_FAILED, uv_strerror(rc));
	}
}

static int job_run_start(struct daemon *d, const char *id, struct err *err)
{
	struct job_run *r = NULL;
	json_t *request = NULL;
	int rc;

	rc = store_job_get_request(&d->store, id, &request, err);
	if (rc < 0)
		goto out;
	rc = store_job_set_state(&d->store, id, JOB_RUNNING, NULL, err);
	if (rc < 0)
		goto out;
	r = xcalloc(1, sizeof(*r));
	r->d = d;
	r->id = xstrdup(id);
	r->request = request;
	request = NULL;
	r->data = json_object();
	r->result = json_pack(
	    "{s:s, s:s, s:n, s:n, s:n, s:n, s:b, s:i, s:{}, s:[], s:[]}", "job",
	    id, "state", JOB_RUNNING, "error", "module", "output", "wheel",
	    "cache_hit", 0, "fallbacks", 0, "timings", "stages", "functions");
	r->stage = -1;
	r->started_at = now_seconds();
	r->work_dir = xasprintf("%s/%s", d->work_root, id);
	/* Whatever a folder of this name holds is not this job's. */
	fs_remove_tree(r->work_dir);
	if (mkdir(r->work_dir, 0700) < 0) {
		r->fail_reason =
		    xasprintf("the work folder could not be created: %s: %s",
			      r->work_dir, strerror(errno));
		jobs_kick(d);
	}
	r->next = d->runs;
	d->runs = r;
	d->nrunning++;
	log_info("job %s: running", id);
	if (!r->fail_reason)
		job_advance(r);
out:
	json_decref(request);
	return rc;
}

static void jobs_idle_cb(uv_idle_t *h)
{
	struct daemon *d = h->data;
	struct err err = ERR_INIT;
	json_t *ids = NULL, *idv;
	size_t i;

	uv_idle_stop(h);
	for (struct job_run *r = d->runs; r; r = r->next)
		if (!r->is_finished && r->fail_reason)
			job_finish(r, JOB_FAILED, r->fail_reason);
	jobs_sweep(d);
	if (d->is_shutting_down || d->nrunning >= d->cfg.jobs)
		goto out;
	if (store_jobs_queued(&d->store, &ids, &err) < 0) {
		log_error("queue: %s", err_msg(&err));
		goto out;
	}
	json_array_foreach(ids, i, idv) {
		if (d->nrunning >= d->cfg.jobs)
			break;
		if (job_run_start(d, json_string_value(idv), &err) < 0) {
			log_error("job %s: could not start: %s",
				  json_string_value(idv), err_msg(&err));
			store_job_set_state(&d->store, json_string_value(idv),
					    JOB_FAILED, err_msg(&err), &err);
		}
	}
out:
	json_decref(ids);
	err_release(&err);
}

void jobs_kick(struct daemon *d)
{
	if (d->is_stopped)
		return;
	uv_idle_start(&d->queue_idle, jobs_idle_cb);
}

int jobs_submit(struct daemon *d, json_t *request, const char *retry_of,
		char **id, struct err *err)
{
	json_t *queued = NULL;
	int rc;

	rc = store_jobs_queued(&d->store, &queued, err);
	if (rc < 0)
		goto out;
	if (json_array_size(queued) >= d->cfg.max_queue) {
		rc = err_set(err, RUSTIFY_EBUSY,
			     "daemon busy: %zu jobs are queued (limit %zu, "
			     "--max-queue); try again later",
			     json_array_size(queued), d->cfg.max_queue);
		goto out;
	}
	rc = store_job_insert(&d->store, request, retry_of, id, err);
	if (rc < 0)
		goto out;
	log_info("job %s: queued%s%s", *id, retry_of ? " as a retry of " : "",
		 retry_of ? retry_of : "");
	jobs_kick(d);
out:
	json_decref(queued);
	return rc;
}

int jobs_cancel(struct daemon *d, const char *id, struct err *err)
{
	json_t *job = NULL;
	struct job_run *r;
	const char *state;
	int rc;

	rc = store_job_get(&d->store, id, &job, err);
	if (rc < 0)
		goto out;
	state = json_string_value(json_object_get(job, "state"));
	if (strcmp(state, JOB_QUEUED) && strcmp(state, JOB_RUNNING)) {
		rc = err_set(err, RUSTIFY_ESTATE,
			     "job %s is %s: only queued or running jobs can be "
			     "cancelled",
			     id, state);
		goto out;
	}
	rc = store_job_set_state(&d->store, id, JOB_CANCELLED,
				 "cancelled by request", err);
	if (rc < 0)
		goto out;
	job_event(d, id, "job/done",
		  json_pack("{s:s, s:s}", "state", JOB_CANCELLED, "error",
			    "cancelled by request"));
	r = job_run_find(d, id);
	if (r) {
		r->is_cancelled = true;
		if (r->stage >= 0 && (size_t)r->stage < d->pipeline->nstages)
			job_record_stage(r, "cancelled",
					 "cancelled by request");
		job_finish(r, JOB_CANCELLED, "cancelled by request");
	}
	log_info("job %s: cancelled", id);
out:
	json_decref(job);
	return rc;
}

bool jobs_stop_all(struct daemon *d, const char *why)
{
	struct err err = ERR_INIT;
	struct job_run *r, *next;

	for (r = d->runs; r; r = next) {
		next = r->next;
		if (r->is_finished)
			continue;
		r->is_cancelled = true;
		if (store_job_set_state(&d->store, r->id, JOB_INTERRUPTED, why,
					&err) < 0)
			log_error("job %s: %s", r->id, err_msg(&err));
		job_event(d, r->id, "job/done",
			  json_pack("{s:s, s:s}", "state", JOB_INTERRUPTED,
				    "error", why));
		job_finish(r, JOB_INTERRUPTED, why);
	}
	err_release(&err);
	return d->runs == NULL;
}

int jobs_start(struct daemon *d, struct err *err)
{
	json_t *ids = NULL, *idv;
	size_t i;
	int rc;

	rc = store_jobs_recover(&d->store, &ids, err);
	if (rc < 0)
		goto out;
	json_array_foreach(ids, i, idv)
		log_warn(
		    "job %s: interrupted (the daemon stopped while it ran); "
		    "job/retry runs it again",
		    json_string_value(idv));
	proc_reap_recorded(d);
	uv_idle_init(d->loop, &d->queue_idle);
	d->queue_idle.data = d;
	uv_timer_init(d->loop, &d->backlog_timer);
	d->backlog_timer.data = d;
	jobs_kick(d);
out:
	json_decref(ids);
	return rc;
}
