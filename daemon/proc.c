/*
 * proc.c - spawning and supervising child process groups with libuv.
 *
 * A struct proc owns four handles (process, stdout pipe, stderr pipe,
 * timer); it is freed when the last of them is closed, after on_exit ran.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "rustify/bug.h"
#include "supervise.h"

struct proc_stream {
	uv_pipe_t pipe;
	struct buf line;
	bool is_eof;
	bool is_dropping; /* inside an over-long line */
	int n;		  /* 1 stdout, 2 stderr */
	struct proc *p;
};

struct proc {
	struct daemon *d;
	uv_process_t process;
	struct proc_stream out, err;
	uv_timer_t timer;
	pid_t pid;
	char *job_id;
	proc_line_cb on_line;
	proc_exit_cb on_exit;
	void *data;
	int64_t exit_status;
	int term_signal;
	bool has_exited;
	bool is_supervised;
	bool is_stopping;
	bool is_timed_out;
	bool is_finished;
	int open_handles;
};

pid_t proc_pid(const struct proc *p)
{
	return p->pid;
}

uint64_t proc_start_time(pid_t pid)
{
	char path[64], data[1024];
	unsigned long long start = 0;
	FILE *f;
	size_t n;
	char *rp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(data, 1, sizeof(data) - 1, f);
	fclose(f);
	data[n] = '\0';
	/* The command name may hold spaces and parens: skip past the last
	 * ')' and count fields from field 3 (state). */
	rp = strrchr(data, ')');
	if (!rp)
		return 0;
	rp++;
	for (int field = 3; field < 22 && rp; field++) {
		rp = strchr(rp + 1, ' ');
	}
	if (rp && sscanf(rp, " %llu", &start) != 1)
		return 0;
	return start;
}

static void proc_handle_closed(uv_handle_t *h)
{
	struct proc *p = h->data;

	BUG_ON(p->open_handles <= 0);
	if (--p->open_handles)
		return;
	buf_release(&p->out.line);
	buf_release(&p->err.line);
	free(p->job_id);
	free(p);
}

static void proc_close_handles(struct proc *p)
{
	/* Pipes carry their stream while reading; at close every handle
	 * points at the proc, which proc_handle_closed counts down. */
	p->out.pipe.data = p;
	p->err.pipe.data = p;
	uv_close((uv_handle_t *)&p->process, proc_handle_closed);
	uv_close((uv_handle_t *)&p->out.pipe, proc_handle_closed);
	uv_close((uv_handle_t *)&p->err.pipe, proc_handle_closed);
	uv_close((uv_handle_t *)&p->timer, proc_handle_closed);
}

static void proc_maybe_finish(struct proc *p)
{
	struct err err = ERR_INIT;

	if (p->is_finished || !p->has_exited || !p->out.is_eof ||
	    !p->err.is_eof)
		return;
	p->is_finished = true;
	if (store_child_remove(&p->d->store, p->pid, &err) < 0)
		log_warn("child %d: %s", (int)p->pid, err_msg(&err));
	err_release(&err);
	uv_timer_stop(&p->timer);
	if (p->on_exit)
		p->on_exit(p, p->exit_status, p->term_signal, p->is_timed_out,
			   p->data);
	proc_close_handles(p);
}

/* The supervisor did not finish in time: kill its group the hard way. */
static void proc_stop_cb(uv_timer_t *t)
{
	struct proc *p = t->data;

	log_warn("child %d: its supervisor did not stop; killing its group",
		 (int)p->pid);
	if (kill(-p->pid, SIGKILL) < 0 && errno != ESRCH)
		log_warn("kill -%d: %s", (int)p->pid, strerror(errno));
}

#define PROC_STOP_MS 5000

void proc_kill(struct proc *p)
{
	if (p->is_finished || p->pid <= 0)
		return;
	if (p->is_supervised) {
		if (p->is_stopping || p->has_exited)
			return;
		p->is_stopping = true;
		/* It kills the program's group, its cgroup and every
		 * descendant, then exits. */
		if (kill(p->pid, SIGTERM) < 0 && errno != ESRCH)
			log_warn("kill %d: %s", (int)p->pid, strerror(errno));
		uv_timer_start(&p->timer, proc_stop_cb, PROC_STOP_MS, 0);
		return;
	}
	/* The group, not just the leader: cargo and python spawn helpers. */
	if (kill(-p->pid, SIGKILL) < 0 && errno != ESRCH)
		log_warn("kill -%d: %s", (int)p->pid, strerror(errno));
}

static void stream_flush_line(struct proc_stream *s)
{
	if (s->p->on_line && (s->line.len || !s->is_dropping))
		s->p->on_line(s->p, s->n, s->line.data, s->line.len,
			      s->p->data);
	buf_reset(&s->line);
}

static void stream_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
	static char slab[65536];

	(void)h;
	(void)suggested;
	*out = uv_buf_init(slab, sizeof(slab));
}

static void stream_read(uv_stream_t *st, ssize_t n, const uv_buf_t *ub)
{
	struct proc_stream *s = st->data;
	struct proc *p = s->p;

	if (n < 0) {
		if (s->line.len)
			stream_flush_line(s);
		s->is_eof = true;
		uv_read_stop(st);
		proc_maybe_finish(p);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		char ch = ub->base[i];
		if (ch == '\n') {
			if (s->is_dropping)
				s->is_dropping = false;
			else
				stream_flush_line(s);
			continue;
		}
		if (s->is_dropping)
			continue;
		buf_addch(&s->line, ch);
		if (s->line.len >= PROC_MAX_LINE) {
			buf_adds(&s->line, " [line cut]");
			stream_flush_line(s);
			s->is_dropping = true;
		}
	}
}

/* A grandchild may keep the pipes open: give them a moment after the
 * leader exited, then stop waiting. */
static void proc_linger_cb(uv_timer_t *t)
{
	struct proc *p = t->data;

	if (kill(-p->pid, SIGKILL) < 0 && errno != ESRCH)
		log_warn("kill -%d: %s", (int)p->pid, strerror(errno));
	if (!p->out.is_eof) {
		uv_read_stop((uv_stream_t *)&p->out.pipe);
		p->out.is_eof = true;
	}
	if (!p->err.is_eof) {
		uv_read_stop((uv_stream_t *)&p->err.pipe);
		p->err.is_eof = true;
	}
	proc_maybe_finish(p);
}

static void proc_timeout_cb(uv_timer_t *t)
{
	struct proc *p = t->data;

	p->is_timed_out = true;
	log_info("child %d: timed out, killing its process group", (int)p->pid);
	proc_kill(p);
}

static void proc_exit_cb_uv(uv_process_t *h, int64_t status, int sig)
{
	struct proc *p = h->data;

	p->has_exited = true;
	p->exit_status = sig ? -1 : status;
	p->term_signal = sig;
	/* Leave no orphans behind in the group. */
	if (kill(-p->pid, SIGKILL) < 0 && errno != ESRCH)
		log_debug("kill -%d: %s", (int)p->pid, strerror(errno));
	uv_timer_stop(&p->timer);
	uv_timer_start(&p->timer, proc_linger_cb, 2000, 0);
	proc_maybe_finish(p);
}

int proc_spawn(struct daemon *d, const struct proc_opts *o, struct proc **out,
	       struct err *err)
{
	struct proc *p = xcalloc(1, sizeof(*p));
	uv_process_options_t po;
	uv_stdio_container_t stdio[3];
	struct buf cmd = BUF_INIT;
	char **sup_args = NULL;
	int rc;

	*out = NULL;
	p->d = d;
	p->on_line = o->on_line;
	p->on_exit = o->on_exit;
	p->data = o->data;
	p->job_id = o->job_id ? xstrdup(o->job_id) : NULL;
	p->out.p = p->err.p = p;
	p->out.n = 1;
	p->err.n = 2;
	buf_init(&p->out.line);
	buf_init(&p->err.line);
	uv_pipe_init(d->loop, &p->out.pipe, 0);
	uv_pipe_init(d->loop, &p->err.pipe, 0);
	uv_timer_init(d->loop, &p->timer);
	p->out.pipe.data = &p->out;
	p->err.pipe.data = &p->err;
	p->timer.data = p;
	p->process.data = p;
	p->open_handles = 3;

	memset(&po, 0, sizeof(po));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&p->out.pipe;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&p->err.pipe;
	if (o->is_supervised) {
		size_t n = 0;
		while (o->args && o->args[n])
			n++;
		sup_args = xcalloc(n + 4, sizeof(*sup_args));
		sup_args[0] = "rustifyd";
		sup_args[1] = SUPERVISE_ARG;
		sup_args[2] = "--";
		sup_args[3] = (char *)o->file;
		for (size_t k = 1; k < n; k++)
			sup_args[3 + k] = o->args[k];
		/* this very binary, even if the file was replaced since */
		po.file = "/proc/self/exe";
		po.args = sup_args;
		p->is_supervised = true;
	} else {
		po.file = o->file;
		po.args = o->args;
	}
	po.env = o->env;
	po.cwd = o->cwd;
	po.flags = UV_PROCESS_DETACHED;
	po.stdio_count = 3;
	po.stdio = stdio;
	po.exit_cb = proc_exit_cb_uv;

	rc = uv_spawn(d->loop, &p->process, &po);
	if (rc < 0) {
		err_set(err, RUSTIFY_ECHILD, "could not start %s: %s", o->file,
			uv_strerror(rc));
		/* The process handle is initialised even when spawn fails. */
		p->open_handles = 4;
		p->is_finished = true;
		proc_close_handles(p);
		rc = err->code;
		goto out;
	}
	p->open_handles = 4;
	p->pid = p->process.pid;
	for (char **a = o->args; a && *a; a++)
		buf_addf(&cmd, "%s%s", a == o->args ? "" : " ", *a);
	if (p->job_id) {
		struct err serr = ERR_INIT;
		if (store_child_add(&d->store, p->job_id, p->pid,
				    proc_start_time(p->pid), cmd.data,
				    &serr) < 0)
			log_warn("child %d: %s", (int)p->pid, err_msg(&serr));
		err_release(&serr);
	}
	log_debug("child %d: started: %s", (int)p->pid, cmd.data);
	uv_read_start((uv_stream_t *)&p->out.pipe, stream_alloc, stream_read);
	uv_read_start((uv_stream_t *)&p->err.pipe, stream_alloc, stream_read);
	if (o->timeout > 0)
		uv_timer_start(&p->timer, proc_timeout_cb,
			       (uint64_t)(o->timeout * 1000.0), 0);
	*out = p;
	rc = 0;
out:
	free(sup_args);
	buf_release(&cmd);
	return rc;
}

void proc_reap_recorded(struct daemon *d)
{
	struct err err = ERR_INIT;
	json_t *children = NULL, *c;
	size_t i;

	if (store_children_list(&d->store, &children, &err) < 0) {
		log_error("recovery: %s", err_msg(&err));
		goto out;
	}
	json_array_foreach(children, i, c) {
		pid_t pid =
		    (pid_t)json_integer_value(json_object_get(c, "pid"));
		uint64_t st = (uint64_t)json_integer_value(
		    json_object_get(c, "start_time"));
		uint64_t now = proc_start_time(pid);

		if (pid > 0 && now && now == st) {
			log_warn("recovery: killing process group %d left by "
				 "job %s (%s)",
				 (int)pid,
				 json_string_value(json_object_get(c, "job")),
				 json_string_value(json_object_get(c, "cmd")));
			/* A supervisor still there kills what is below it
			 * (it normally did when the daemon died). */
			kill(pid, SIGTERM);
			for (int k = 0; k < 150 && proc_start_time(pid) == st;
			     k++)
				usleep(20000);
			kill(-pid, SIGKILL);
		}
		store_child_remove(&d->store, pid, &err);
	}
out:
	json_decref(children);
	err_release(&err);
}
