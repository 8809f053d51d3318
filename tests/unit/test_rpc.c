/*
 * test_rpc.c - JSON-RPC dispatch and the job state machine, driven through
 * a real connection: a socketpair whose one end is a libuv pipe owned by a
 * struct conn, a real store in a temporary dir, a real loop, and real
 * Python children for jobs.
 */
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../daemon/jobs.h"
#include "../../daemon/log.h"
#include "../../daemon/proc.h"
#include "../../daemon/rpc.h"
#include "test.h"

struct fx {
	struct daemon d;
	struct conn *c;
	int peer;
	struct frame_decoder dec;
	json_t *pending; /* messages read but not yet consumed */
};

static void fx_init(struct fx *f)
{
	struct err err = ERR_INIT;
	int sv[2];

	memset(f, 0, sizeof(*f));
	daemon_wire(&f->d);
	log_set_level(LOG_ERROR);
	f->d.cfg.state_dir = xstrdup(test_tmpdir());
	f->d.cfg.socket_path = xasprintf("%s/s.sock", test_tmpdir());
	f->d.cfg.max_message = 1 << 20;
	f->d.cfg.max_connections = 8;
	f->d.cfg.max_outbuf = 1 << 20;
	f->d.cfg.max_queue = 3;
	f->d.cfg.jobs = 1;
	f->d.cfg.grace = 1;
	f->d.cfg.profile_timeout = 30;
	f->d.cfg.max_source = 1 << 20;
	f->d.cfg.max_log_lines = 100;
	f->d.work_root = xasprintf("%s/work", test_tmpdir());
	f->d.cargo_target = xasprintf("%s/cargo", test_tmpdir());
	mkdir(f->d.work_root, 0700);
	CHECK(store_open(&f->d.store, test_tmpdir(), NULL, &err) == 0);
	f->d.loop = xmalloc(sizeof(uv_loop_t));
	uv_loop_init(f->d.loop);
	CHECK(jobs_start(&f->d, &err) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	f->c = xcalloc(1, sizeof(*f->c));
	f->c->d = &f->d;
	frame_decoder_init(&f->c->dec, f->d.cfg.max_message);
	uv_pipe_init(f->d.loop, &f->c->pipe, 0);
	CHECK(uv_pipe_open(&f->c->pipe, sv[0]) == 0);
	f->c->pipe.data = f->c;
	f->d.conns = f->c;
	f->d.nconns = 1;
	f->peer = sv[1];
	frame_decoder_init(&f->dec, 1 << 24);
	f->pending = json_array();
}

static void fx_close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Frees what fx_init made (so valgrind sees no leak). */
static void fx_release(struct fx *f)
{
	/* End running jobs; the idle sweep frees them once their children
	 * and work items are gone. */
	jobs_stop_all(&f->d, "test over");
	for (int i = 0; i < 2000 && f->d.runs; i++) {
		uv_run(f->d.loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	f->d.is_stopped = true; /* no more idle kicks */
	conn_close(f->c);
	uv_walk(f->d.loop, fx_close_walk, NULL);
	while (uv_run(f->d.loop, UV_RUN_NOWAIT))
		;
	uv_loop_close(f->d.loop);
	free(f->d.loop);
	subs_release(&f->d);
	store_close(&f->d.store);
	close(f->peer);
	frame_decoder_release(&f->dec);
	json_decref(f->pending);
	free(f->d.cfg.state_dir);
	free(f->d.cfg.socket_path);
	free(f->d.work_root);
	free(f->d.cargo_target);
}

/* Runs the loop until a message is readable (or timeout), returns it. */
static json_t *fx_read(struct fx *f, double timeout)
{
	double end = now_seconds() + timeout;
	struct err err = ERR_INIT;
	const char *body;
	size_t len;
	char buf[65536];

	for (;;) {
		int rc = frame_decoder_next(&f->dec, &body, &len, &err);
		CHECK(rc >= 0);
		if (rc == 1)
			return jsonrpc_parse(body, len, &err);
		if (now_seconds() > end)
			return NULL;
		uv_run(f->d.loop, UV_RUN_NOWAIT);
		struct pollfd p = {f->peer, POLLIN, 0};
		if (poll(&p, 1, 10) == 1) {
			ssize_t n = read(f->peer, buf, sizeof(buf));
			CHECK(n > 0);
			frame_decoder_feed(&f->dec, buf, (size_t)n);
		}
	}
}

/* Sends a body through the dispatcher and returns the reply with that id,
 * keeping notifications that arrive first in f->pending. */
static json_t *fx_call_raw(struct fx *f, const char *body, json_int_t id)
{
	rpc_handle(f->c, body, strlen(body));
	for (;;) {
		json_t *m = fx_read(f, 10);
		if (!m)
			return NULL;
		if (json_is_array(m))
			return m;
		json_t *mid = json_object_get(m, "id");
		if (json_object_get(m, "method")) {
			json_array_append_new(f->pending, m);
			continue;
		}
		if (id < 0 ||
		    (json_is_integer(mid) && json_integer_value(mid) == id))
			return m;
		json_decref(m);
	}
}

static json_t *fx_call(struct fx *f, const char *method, json_t *params)
{
	static json_int_t next = 100;
	json_t *req = jsonrpc_request_new(++next, method, params);
	char *s = json_dumps(req, JSON_COMPACT);
	json_t *r = fx_call_raw(f, s, next);

	free(s);
	json_decref(req);
	return r;
}

static int error_code(json_t *reply)
{
	return (int)json_integer_value(
	    json_object_get(json_object_get(reply, "error"), "code"));
}

/* Waits for the job's job/done notification; returns its state. */
static const char *fx_wait_done(struct fx *f, const char *job, double timeout)
{
	static char state[32];
	double end = now_seconds() + timeout;
	json_t *m;
	size_t i;

	for (;;) {
		json_array_foreach(f->pending, i, m) {
			json_t *p = json_object_get(m, "params");
			if (!strcmp(
				json_string_value(json_object_get(m, "method")),
				"job/done") &&
			    !strcmp(
				json_string_value(json_object_get(p, "job")),
				job)) {
				snprintf(state, sizeof(state), "%s",
					 json_string_value(
					     json_object_get(p, "state")));
				return state;
			}
		}
		if (now_seconds() > end)
			return NULL;
		m = fx_read(f, 0.2);
		if (m)
			json_array_append_new(f->pending, m);
	}
}

TEST(rpc_ping_and_unknown_method)
{
	struct fx f;
	json_t *r;

	fx_init(&f);
	r = fx_call(&f, "ping", NULL);
	CHECK(json_is_true(
	    json_object_get(json_object_get(r, "result"), "pong")));
	json_decref(r);
	r = fx_call(&f, "no/such", NULL);
	CHECK_INT(error_code(r), -32601);
	json_decref(r);
	r = fx_call(&f, "ping", json_pack("{s:i}", "x", 1));
	CHECK_INT(error_code(r), -32602);
	json_decref(r);
	fx_release(&f);
}

TEST(rpc_parse_error_keeps_connection)
{
	struct fx f;
	json_t *r;

	fx_init(&f);
	r = fx_call_raw(&f, "{\"jsonrpc\": \"2.0\", ", -1);
	CHECK_INT(error_code(r), -32700);
	CHECK(json_is_null(json_object_get(r, "id")));
	json_decref(r);
	r = fx_call(&f, "ping", NULL);
	CHECK(json_object_get(r, "result") != NULL);
	json_decref(r);
	fx_release(&f);
}

TEST(rpc_batch_and_notifications)
{
	struct fx f;
	json_t *r;

	fx_init(&f);
	r = fx_call_raw(&f,
			"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
			"{\"jsonrpc\":\"2.0\",\"method\":\"ping\"},"
			"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
			"{\"id\":3,\"method\":\"ping\"}]",
			-1);
	CHECK(json_is_array(r));
	CHECK_INT(json_array_size(r), 3);
	CHECK(json_object_get(json_array_get(r, 0), "result") != NULL);
	CHECK_INT(error_code(json_array_get(r, 1)), -32601);
	CHECK_INT(error_code(json_array_get(r, 2)), -32600);
	json_decref(r);
	r = fx_call_raw(&f, "[]", -1);
	CHECK_INT(error_code(r), -32600);
	json_decref(r);
	/* A notification alone gets no reply at all: the next reply read is
	 * the ping's. */
	rpc_handle(f.c, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}", 34);
	r = fx_call(&f, "ping", NULL);
	CHECK(json_integer_value(json_object_get(r, "id")) > 100);
	json_decref(r);
	fx_release(&f);
}

TEST(rpc_submit_params_named)
{
	struct fx f;
	json_t *r;
	const char *msg;

	fx_init(&f);
	r = fx_call(&f, "job/submit",
		    json_pack("{s:s, s:i}", "file", "/x.py", "bogus", 1));
	CHECK_INT(error_code(r), -32602);
	msg = json_string_value(
	    json_object_get(json_object_get(r, "error"), "message"));
	CHECK(strstr(msg, "bogus") != NULL);
	json_decref(r);
	r = fx_call(&f, "job/submit",
		    json_pack("{s:s, s:s}", "file", "/x.py", "threshold", "5"));
	CHECK_INT(error_code(r), -32602);
	CHECK(strstr(json_string_value(json_object_get(
			 json_object_get(r, "error"), "message")),
		     "threshold"));
	json_decref(r);
	r = fx_call(&f, "job/submit", json_pack("{s:s}", "file", "rel.py"));
	CHECK_INT(error_code(r), -32602);
	json_decref(r);
	r = fx_call(&f, "job/submit",
		    json_pack("{s:s, s:s}", "file", "/a.py", "text", "x"));
	CHECK_INT(error_code(r), -32602);
	json_decref(r);
	r = fx_call(&f, "job/status", json_pack("{s:s}", "job", "999"));
	CHECK_INT(error_code(r), -32001);
	json_decref(r);
	fx_release(&f);
}

TEST(jobs_run_to_done_and_replay)
{
	struct fx f;
	json_t *r, *ev;
	char *id;

	fx_init(&f);
	/* --function: sq is selected however small its share of the time
	 * (under a sanitizer the harness's own time weighs more) */
	r = fx_call(&f, "job/submit",
		    json_pack("{s:s, s:s, s:b, s:[s]}", "text",
			      "def sq(x):\n    return x * x\n\n"
			      "if __name__ == '__main__':\n"
			      "    for i in range(1000):\n        sq(i)\n",
			      "name", "sq", "dry_run", 1, "functions", "sq"));
	id = xstrdup(json_string_value(
	    json_object_get(json_object_get(r, "result"), "job")));
	json_decref(r);
	CHECK_STR(fx_wait_done(&f, id, 60), "done");
	r = fx_call(&f, "job/result", json_pack("{s:s}", "job", id));
	json_t *res = json_object_get(r, "result");
	CHECK_STR(json_string_value(json_object_get(res, "state")), "done");
	json_t *stages = json_object_get(res, "stages");
	CHECK_INT(json_array_size(stages), 10); /* verify, measure, deliver */
	CHECK_STR(json_string_value(
		      json_object_get(json_array_get(stages, 2), "name")),
		  "profile");
	CHECK_STR(json_string_value(
		      json_object_get(json_array_get(stages, 2), "status")),
		  "done");
	/* --dry-run: translated and the crate written, nothing built. */
	CHECK_STR(json_string_value(
		      json_object_get(json_array_get(stages, 4), "status")),
		  "done");
	CHECK_STR(json_string_value(
		      json_object_get(json_array_get(stages, 6), "status")),
		  "skipped");
	CHECK_STR(json_string_value(
		      json_object_get(json_array_get(stages, 8), "name")),
		  "measure");
	CHECK_STR(json_string_value(
		      json_object_get(json_array_get(stages, 8), "status")),
		  "skipped");
	json_t *fn = json_array_get(json_object_get(res, "functions"), 0);
	CHECK_STR(json_string_value(json_object_get(fn, "name")), "sq");
	CHECK_INT(json_integer_value(json_object_get(fn, "calls")), 1000);
	json_decref(r);
	/* Replay from seq 2: every stored event after it, in order. */
	json_array_clear(f.pending);
	r = fx_call(&f, "job/subscribe",
		    json_pack("{s:s, s:i}", "job", id, "since_seq", 2));
	json_int_t last = json_integer_value(
	    json_object_get(json_object_get(r, "result"), "last_seq"));
	json_decref(r);
	while ((json_int_t)json_array_size(f.pending) < last - 2) {
		json_t *m = fx_read(&f, 5);
		CHECK(m != NULL);
		json_array_append_new(f.pending, m);
	}
	size_t i;
	json_array_foreach(f.pending, i, ev) {
		CHECK_INT(json_integer_value(json_object_get(
			      json_object_get(ev, "params"), "seq")),
			  (json_int_t)i + 3);
	}
	/* Finished jobs can be retried, not cancelled. */
	r = fx_call(&f, "job/cancel", json_pack("{s:s}", "job", id));
	CHECK_INT(error_code(r), -32004);
	json_decref(r);
	r = fx_call(&f, "job/retry", json_pack("{s:s}", "job", id));
	CHECK_STR(json_string_value(json_object_get(
		      json_object_get(r, "result"), "retry_of")),
		  id);
	json_decref(r);
	free(id);
	fx_release(&f);
}

TEST(jobs_cancel_kills_child_and_queue_limit)
{
	struct fx f;
	struct err err = ERR_INIT;
	json_t *r, *children;
	char *id;
	pid_t pid = 0;

	fx_init(&f);
	r = fx_call(&f, "job/submit",
		    json_pack("{s:s, s:s}", "text",
			      "import time\nif __name__ == '__main__':\n"
			      "    time.sleep(60)\n",
			      "name", "sleeper"));
	id = xstrdup(json_string_value(
	    json_object_get(json_object_get(r, "result"), "job")));
	json_decref(r);
	/* Wait until the profile child is recorded. */
	for (int i = 0; i < 500 && !pid; i++) {
		json_t *m = fx_read(&f, 0.05);
		json_decref(m);
		CHECK(store_children_list(&f.d.store, &children, &err) == 0);
		if (json_array_size(children))
			pid = (pid_t)json_integer_value(json_object_get(
			    json_array_get(children, 0), "pid"));
		json_decref(children);
	}
	CHECK(pid > 0);
	CHECK(kill(pid, 0) == 0);
	/* --jobs 1 and --max-queue 3: three more queue, the fourth is busy. */
	for (int i = 0; i < 3; i++) {
		r = fx_call(&f, "job/submit",
			    json_pack("{s:s}", "text", "x = 1\n"));
		CHECK(json_object_get(r, "result") != NULL);
		json_decref(r);
	}
	r = fx_call(&f, "job/submit", json_pack("{s:s}", "text", "x = 1\n"));
	CHECK_INT(error_code(r), -32002);
	json_decref(r);
	r = fx_call(&f, "job/cancel", json_pack("{s:s}", "job", id));
	CHECK_STR(json_string_value(
		      json_object_get(json_object_get(r, "result"), "state")),
		  "cancelled");
	json_decref(r);
	/* The group is killed; the loop reaps it. */
	for (int i = 0; i < 200 && kill(pid, 0) == 0; i++) {
		json_t *m = fx_read(&f, 0.05);
		json_decref(m);
	}
	CHECK(kill(pid, 0) != 0);
	/* Reaped; the record goes once its pipes are closed too. */
	for (int i = 0; i < 200; i++) {
		CHECK(store_children_list(&f.d.store, &children, &err) == 0);
		size_t n = json_array_size(children);
		json_decref(children);
		if (!n)
			break;
		json_decref(fx_read(&f, 0.05));
	}
	CHECK(store_children_list(&f.d.store, &children, &err) == 0);
	CHECK_INT(json_array_size(children), 0);
	json_decref(children);
	r = fx_call(&f, "job/result", json_pack("{s:s}", "job", id));
	CHECK_STR(json_string_value(
		      json_object_get(json_object_get(r, "result"), "state")),
		  "cancelled");
	json_decref(r);
	free(id);
	fx_release(&f);
}

TEST(jobs_bad_source_fails_clearly)
{
	struct fx f;
	json_t *r;
	char *id;

	fx_init(&f);
	r = fx_call(&f, "job/submit",
		    json_pack("{s:s}", "file", "/nonexistent/zz.py"));
	id = xstrdup(json_string_value(
	    json_object_get(json_object_get(r, "result"), "job")));
	json_decref(r);
	CHECK_STR(fx_wait_done(&f, id, 30), "failed");
	r = fx_call(&f, "job/status", json_pack("{s:s}", "job", id));
	const char *e = json_string_value(
	    json_object_get(json_object_get(r, "result"), "error"));
	CHECK(e && strstr(e, "/nonexistent/zz.py"));
	json_decref(r);
	free(id);
	fx_release(&f);
}
