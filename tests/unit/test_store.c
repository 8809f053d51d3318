/*
 * test_store.c - the SQLite store against a real state dir per test: jobs
 * and their state/time bookkeeping, event numbering, crash recovery,
 * children and watches, the cache (hits, misses, LRU gc), and opening
 * damaged, newer or unwritable state (corrupt files are moved aside, never
 * deleted).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../daemon/store.h"
#include "rustify/buf.h"
#include "rustify/proto.h"
#include "test.h"

static void store_open_ok(struct store *s, const char *dir)
{
	struct err err = ERR_INIT;
	json_t *notes = NULL;
	int ret = store_open(s, dir, &notes, &err);

	if (ret < 0)
		fprintf(stderr, "    store_open: %s\n", err_msg(&err));
	CHECK_INT(ret, 0);
	CHECK(json_is_array(notes));
	CHECK_INT(json_array_size(notes), 0);
	json_decref(notes);
	err_release(&err);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *insert_job(struct store *s, const char *request_json)
{
	struct err err = ERR_INIT;
	json_t *req = json_loads(request_json, 0, NULL);
	char *id = NULL;

	CHECK(req);
	CHECK_INT(store_job_insert(s, req, NULL, &id, &err), 0);
	CHECK(id);
	json_decref(req);
	return id;
}

static int64_t pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *pragma_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *v;

	CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_step(st), SQLITE_ROW);
	v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* Number of entries in dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	CHECK(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static void write_garbage(const char *path, off_t offset, size_t len)
{
	char *junk = xmalloc(len);
	int fd = open(path, O_WRONLY);

	CHECK(fd >= 0);
	for (size_t i = 0; i < len; i++)
		junk[i] = (char)(0xA5 ^ (i * 31));
	CHECK_INT(pwrite(fd, junk, len, offset), (long long)len);
	close(fd);
	free(junk);
}

static bool exists(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	struct stat sb;
	bool ok = stat(path, &sb) == 0;

	free(path);
	return ok;
}

TEST(store_open_configures_both_databases)
{
	struct store s;
	char *mode;

	store_open_ok(&s, test_tmpdir());
	CHECK(exists(test_tmpdir(), "jobs.db"));
	CHECK(exists(test_tmpdir(), "cache.db"));
	CHECK_INT(pragma_int(s.jobs, "PRAGMA user_version"), 1);
	CHECK_INT(pragma_int(s.cache, "PRAGMA user_version"), 1);
	CHECK_INT(pragma_int(s.jobs, "PRAGMA foreign_keys"), 1);
	CHECK_INT(pragma_int(s.jobs, "PRAGMA synchronous"), 1); /* NORMAL */
	CHECK_INT(pragma_int(s.cache, "PRAGMA auto_vacuum"),
		  2); /* incremental */
	mode = pragma_text(s.jobs, "PRAGMA journal_mode");
	CHECK_STR(mode, "wal");
	free(mode);
	mode = pragma_text(s.cache, "PRAGMA journal_mode");
	CHECK_STR(mode, "wal");
	free(mode);
	CHECK_STR(s.dir, test_tmpdir());
	store_close(&s);
	CHECK(!s.jobs && !s.cache && !s.dir);
	store_close(&s); /* twice is harmless */
}

TEST(store_job_insert_get_fields)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *job = NULL, *req = NULL;
	double before = now_s(), created;
	char *id, *text;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{\"zeta\":1,\"alpha\":[1,2,{\"y\":2,\"x\":1}]}");
	CHECK_STR(id, "1");
	CHECK_INT(store_job_get(&s, id, &job, &err), 0);
	CHECK_INT(json_object_size(job), 11);
	CHECK_STR(json_string_value(json_object_get(job, "id")), "1");
	CHECK_STR(json_string_value(json_object_get(job, "state")), JOB_QUEUED);
	CHECK(json_is_null(json_object_get(job, "stage")));
	CHECK(json_is_null(json_object_get(job, "error")));
	CHECK(json_is_null(json_object_get(job, "retry_of")));
	CHECK(json_is_null(json_object_get(job, "started_at")));
	CHECK(json_is_null(json_object_get(job, "finished_at")));
	CHECK_INT(json_integer_value(json_object_get(job, "percent")), 0);
	CHECK(json_is_integer(json_object_get(job, "last_seq")));
	CHECK_INT(json_integer_value(json_object_get(job, "last_seq")), 0);
	CHECK(json_is_real(json_object_get(job, "created_at")));
	created = json_real_value(json_object_get(job, "created_at"));
	CHECK(created >= before - 0.001 && created <= now_s() + 0.001);
	/* The request comes back verbatim, key order included. */
	text = json_dumps(json_object_get(job, "request"), JSON_COMPACT);
	CHECK_STR(text, "{\"zeta\":1,\"alpha\":[1,2,{\"y\":2,\"x\":1}]}");
	free(text);
	CHECK_INT(store_job_get_request(&s, id, &req, &err), 0);
	text = json_dumps(req, JSON_COMPACT);
	CHECK_STR(text, "{\"zeta\":1,\"alpha\":[1,2,{\"y\":2,\"x\":1}]}");
	free(text);
	json_decref(req);
	json_decref(job);
	free(id);
	store_close(&s);
	err_release(&err);
}

TEST(store_job_state_transitions_set_times)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *job = NULL;
	double created, started, finished;
	char *id;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	CHECK_INT(store_job_set_state(&s, id, JOB_RUNNING, NULL, &err), 0);
	CHECK_INT(store_job_set_stage(&s, id, "profile", 150, &err), 0);
	CHECK_INT(store_job_get(&s, id, &job, &err), 0);
	CHECK_STR(json_string_value(json_object_get(job, "state")),
		  JOB_RUNNING);
	CHECK_STR(json_string_value(json_object_get(job, "stage")), "profile");
	CHECK_INT(json_integer_value(json_object_get(job, "percent")), 100);
	CHECK(json_is_real(json_object_get(job, "started_at")));
	CHECK(json_is_null(json_object_get(job, "finished_at")));
	created = json_real_value(json_object_get(job, "created_at"));
	started = json_real_value(json_object_get(job, "started_at"));
	CHECK(started >= created);
	json_decref(job);

	CHECK_INT(store_job_set_stage(&s, id, "build", -5, &err), 0);
	CHECK_INT(
	    store_job_set_state(&s, id, JOB_FAILED, "maturin exited 1", &err),
	    0);
	CHECK_INT(store_job_get(&s, id, &job, &err), 0);
	CHECK_STR(json_string_value(json_object_get(job, "state")), JOB_FAILED);
	CHECK_STR(json_string_value(json_object_get(job, "error")),
		  "maturin exited 1");
	CHECK_STR(json_string_value(json_object_get(job, "stage")), "build");
	CHECK_INT(json_integer_value(json_object_get(job, "percent")), 0);
	finished = json_real_value(json_object_get(job, "finished_at"));
	CHECK(json_is_real(json_object_get(job, "finished_at")));
	CHECK(finished >= started);
	CHECK(json_real_value(json_object_get(job, "started_at")) == started);
	json_decref(job);

	CHECK_INT(store_job_set_state(&s, id, "exploded", NULL, &err),
		  RUSTIFY_EPARAM);
	CHECK(strstr(err_msg(&err), "exploded"));
	free(id);
	store_close(&s);
	err_release(&err);
}

TEST(store_job_list_and_queue_order)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *list = NULL;
	char *ids[4];

	store_open_ok(&s, test_tmpdir());
	for (int i = 0; i < 4; i++)
		ids[i] = insert_job(&s, "{\"n\":1}");
	CHECK_INT(store_job_set_state(&s, ids[1], JOB_RUNNING, NULL, &err), 0);
	CHECK_INT(store_job_set_state(&s, ids[3], JOB_DONE, NULL, &err), 0);

	CHECK_INT(store_job_list(&s, 0, NULL, &list, &err), 0);
	CHECK_INT(json_array_size(list), 4);
	CHECK_STR(
	    json_string_value(json_object_get(json_array_get(list, 0), "id")),
	    "4");
	CHECK_STR(
	    json_string_value(json_object_get(json_array_get(list, 3), "id")),
	    "1");
	json_decref(list);

	CHECK_INT(store_job_list(&s, 2, NULL, &list, &err), 0);
	CHECK_INT(json_array_size(list), 2);
	CHECK_STR(
	    json_string_value(json_object_get(json_array_get(list, 1), "id")),
	    "3");
	json_decref(list);

	CHECK_INT(store_job_list(&s, 0, JOB_QUEUED, &list, &err), 0);
	CHECK_INT(json_array_size(list), 2);
	CHECK_STR(
	    json_string_value(json_object_get(json_array_get(list, 0), "id")),
	    "3");
	json_decref(list);

	CHECK_INT(store_job_list(&s, 0, "nope", &list, &err), RUSTIFY_EPARAM);
	CHECK(!list);

	CHECK_INT(store_jobs_queued(&s, &list, &err), 0);
	CHECK_INT(json_array_size(list), 2);
	CHECK_STR(json_string_value(json_array_get(list, 0)), "1");
	CHECK_STR(json_string_value(json_array_get(list, 1)), "3");
	json_decref(list);
	for (int i = 0; i < 4; i++)
		free(ids[i]);
	store_close(&s);
	err_release(&err);
}

TEST(store_job_result_and_retry_of)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *result = NULL, *req = json_object(), *job = NULL;
	char *id, *retry = NULL;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	CHECK_INT(store_job_get_result(&s, id, &result, &err), 0);
	CHECK(!result);
	result = json_pack("{s:[{s:s}]}", "functions", "name", "euclidean");
	CHECK_INT(store_job_set_result(&s, id, result, &err), 0);
	json_decref(result);
	result = NULL;
	CHECK_INT(store_job_get_result(&s, id, &result, &err), 0);
	CHECK_STR(json_string_value(json_object_get(
		      json_array_get(json_object_get(result, "functions"), 0),
		      "name")),
		  "euclidean");
	json_decref(result);

	CHECK_INT(store_job_insert(&s, req, id, &retry, &err), 0);
	CHECK_STR(retry, "2");
	CHECK_INT(store_job_get(&s, retry, &job, &err), 0);
	CHECK_STR(json_string_value(json_object_get(job, "retry_of")), "1");
	json_decref(job);
	free(retry);
	retry = NULL;
	CHECK_INT(store_job_insert(&s, req, "77", &retry, &err),
		  RUSTIFY_ENOJOB);
	CHECK(!retry);
	CHECK(strstr(err_msg(&err), "77"));
	json_decref(req);
	free(id);
	store_close(&s);
	err_release(&err);
}

TEST(store_unknown_job_errors)
{
	const char *bad[] = {
	    "999", "abc", "01", "", "-1", "1x", "99999999999999999999999"};
	struct err err = ERR_INIT;
	struct store s;
	json_t *j = NULL;
	char *id;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(store_job_get(&s, bad[i], &j, &err), RUSTIFY_ENOJOB);
		CHECK(!j);
		CHECK(strstr(err_msg(&err), bad[i]));
		CHECK_INT(store_job_set_state(&s, bad[i], JOB_DONE, NULL, &err),
			  RUSTIFY_ENOJOB);
		CHECK_INT(store_job_set_stage(&s, bad[i], "x", 1, &err),
			  RUSTIFY_ENOJOB);
		CHECK_INT(store_job_set_result(&s, bad[i], NULL, &err),
			  RUSTIFY_ENOJOB);
		CHECK_INT(store_job_get_result(&s, bad[i], &j, &err),
			  RUSTIFY_ENOJOB);
		CHECK_INT(store_job_get_request(&s, bad[i], &j, &err),
			  RUSTIFY_ENOJOB);
		CHECK_INT(
		    store_event_append(&s, bad[i], "job/log", NULL, &j, &err),
		    RUSTIFY_ENOJOB);
		CHECK(!j);
		CHECK_INT(store_events_since(&s, bad[i], 0, &j, &err),
			  RUSTIFY_ENOJOB);
		CHECK_INT(store_child_add(&s, bad[i], 1234, 1, "x", &err),
			  RUSTIFY_ENOJOB);
	}
	CHECK_INT(store_job_get(&s, NULL, &j, &err), RUSTIFY_ENOJOB);
	/* The failed calls left nothing behind. */
	CHECK_INT(store_children_list(&s, &j, &err), 0);
	CHECK_INT(json_array_size(j), 0);
	json_decref(j);
	free(id);
	store_close(&s);
	err_release(&err);
}

TEST(store_events_numbered_per_job)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *params, *out = NULL, *events = NULL, *job = NULL, *ev;
	char *a, *b, *text;

	store_open_ok(&s, test_tmpdir());
	a = insert_job(&s, "{}");
	b = insert_job(&s, "{}");
	for (int i = 0; i < 3; i++) {
		params = json_pack("{s:s, s:i}", "stage", "profile", "percent",
				   10 * i);
		CHECK_INT(store_event_append(&s, a, "job/progress", params,
					     &out, &err),
			  0);
		CHECK_STR(json_string_value(json_object_get(out, "job")), a);
		CHECK_INT(json_integer_value(json_object_get(out, "seq")),
			  i + 1);
		CHECK_INT(json_integer_value(json_object_get(out, "percent")),
			  10 * i);
		/* The caller's object is not modified. */
		CHECK(!json_object_get(params, "seq"));
		json_decref(params);
		json_decref(out);
	}
	/* Another job counts from 1; a caller's "seq" cannot override. */
	params = json_pack("{s:i, s:s}", "seq", 42, "line", "hello");
	CHECK_INT(store_event_append(&s, b, "job/log", params, &out, &err), 0);
	CHECK_INT(json_integer_value(json_object_get(out, "seq")), 1);
	json_decref(params);
	json_decref(out);
	CHECK_INT(store_event_append(&s, b, "job/log", NULL, NULL, &err), 0);

	CHECK_INT(store_job_get(&s, a, &job, &err), 0);
	CHECK_INT(json_integer_value(json_object_get(job, "last_seq")), 3);
	json_decref(job);

	CHECK_INT(store_events_since(&s, a, 1, &events, &err), 0);
	CHECK_INT(json_array_size(events), 2);
	ev = json_array_get(events, 0);
	CHECK_STR(json_string_value(json_object_get(ev, "method")),
		  "job/progress");
	text = json_dumps(json_object_get(ev, "params"), JSON_COMPACT);
	CHECK_STR(text, "{\"job\":\"1\",\"seq\":2,\"stage\":\"profile\","
			"\"percent\":10}");
	free(text);
	CHECK_INT(
	    json_integer_value(json_object_get(
		json_object_get(json_array_get(events, 1), "params"), "seq")),
	    3);
	json_decref(events);
	CHECK_INT(store_events_since(&s, a, 3, &events, &err), 0);
	CHECK_INT(json_array_size(events), 0);
	json_decref(events);
	CHECK_INT(store_events_since(&s, b, 0, &events, &err), 0);
	CHECK_INT(json_array_size(events), 2);
	json_decref(events);

	/* Wrong params type is a programming error. */
	params = json_array();
	CHECK_INT(store_event_append(&s, a, "job/log", params, NULL, &err),
		  RUSTIFY_EINTERNAL);
	json_decref(params);
	free(a);
	free(b);
	store_close(&s);
	err_release(&err);
}

TEST(store_events_gc_keeps_numbering)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *events = NULL, *out = NULL;
	int64_t n = -1;
	char *done, *running;

	store_open_ok(&s, test_tmpdir());
	done = insert_job(&s, "{}");
	running = insert_job(&s, "{}");
	for (int i = 0; i < 3; i++) {
		CHECK_INT(
		    store_event_append(&s, done, "job/log", NULL, NULL, &err),
		    0);
		CHECK_INT(store_event_append(&s, running, "job/log", NULL, NULL,
					     &err),
			  0);
	}
	CHECK_INT(store_job_set_state(&s, done, JOB_DONE, NULL, &err), 0);
	CHECK_INT(store_job_set_state(&s, running, JOB_RUNNING, NULL, &err), 0);
	/* Nothing finished before an hour ago. */
	CHECK_INT(store_events_gc(&s, now_s() - 3600, &n, &err), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_events_gc(&s, now_s() + 1, &n, &err), 0);
	CHECK_INT(n, 3);
	CHECK_INT(store_events_since(&s, done, 0, &events, &err), 0);
	CHECK_INT(json_array_size(events), 0);
	json_decref(events);
	CHECK_INT(store_events_since(&s, running, 0, &events, &err), 0);
	CHECK_INT(json_array_size(events), 3);
	json_decref(events);
	/* Sequence numbers are never reused after gc. */
	CHECK_INT(store_event_append(&s, done, "job/log", NULL, &out, &err), 0);
	CHECK_INT(json_integer_value(json_object_get(out, "seq")), 4);
	json_decref(out);
	free(done);
	free(running);
	store_close(&s);
	err_release(&err);
}

TEST(store_recover_interrupts_running_jobs)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *ids = NULL, *job = NULL, *events = NULL, *params;
	char *a, *b, *c;
	double before;

	store_open_ok(&s, test_tmpdir());
	a = insert_job(&s, "{}");
	b = insert_job(&s, "{}");
	c = insert_job(&s, "{}");
	CHECK_INT(store_job_set_state(&s, a, JOB_RUNNING, NULL, &err), 0);
	CHECK_INT(store_event_append(&s, a, "job/progress", NULL, NULL, &err),
		  0);
	CHECK_INT(store_job_set_state(&s, c, JOB_RUNNING, NULL, &err), 0);
	CHECK_INT(store_job_set_state(&s, c, JOB_DONE, NULL, &err), 0);
	store_close(&s);

	store_open_ok(&s, test_tmpdir());
	before = now_s();
	CHECK_INT(store_jobs_recover(&s, &ids, &err), 0);
	CHECK_INT(json_array_size(ids), 1);
	CHECK_STR(json_string_value(json_array_get(ids, 0)), a);
	json_decref(ids);

	CHECK_INT(store_job_get(&s, a, &job, &err), 0);
	CHECK_STR(json_string_value(json_object_get(job, "state")),
		  JOB_INTERRUPTED);
	CHECK_STR(json_string_value(json_object_get(job, "error")),
		  "daemon stopped while the job was running");
	CHECK(json_real_value(json_object_get(job, "finished_at")) >=
	      before - 0.001);
	CHECK_INT(json_integer_value(json_object_get(job, "last_seq")), 2);
	json_decref(job);
	CHECK_INT(store_events_since(&s, a, 1, &events, &err), 0);
	CHECK_INT(json_array_size(events), 1);
	CHECK_STR(json_string_value(
		      json_object_get(json_array_get(events, 0), "method")),
		  "job/done");
	params = json_object_get(json_array_get(events, 0), "params");
	CHECK_STR(json_string_value(json_object_get(params, "state")),
		  "interrupted");
	CHECK_STR(json_string_value(json_object_get(params, "error")),
		  "daemon stopped while the job was running");
	CHECK_STR(json_string_value(json_object_get(params, "job")), a);
	CHECK_INT(json_integer_value(json_object_get(params, "seq")), 2);
	json_decref(events);

	CHECK_INT(store_job_get(&s, b, &job, &err), 0);
	CHECK_STR(json_string_value(json_object_get(job, "state")), JOB_QUEUED);
	json_decref(job);
	CHECK_INT(store_job_get(&s, c, &job, &err), 0);
	CHECK_STR(json_string_value(json_object_get(job, "state")), JOB_DONE);
	CHECK_INT(json_integer_value(json_object_get(job, "last_seq")), 0);
	json_decref(job);

	/* A second recovery finds nothing to do. */
	CHECK_INT(store_jobs_recover(&s, &ids, &err), 0);
	CHECK_INT(json_array_size(ids), 0);
	json_decref(ids);
	free(a);
	free(b);
	free(c);
	store_close(&s);
	err_release(&err);
}

TEST(store_children_add_remove_list)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *list = NULL, *c;
	char *id;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	CHECK_INT(store_child_add(&s, id, 4242, 987654321012ULL,
				  "python3 -m cProfile x.py", &err),
		  0);
	CHECK_INT(store_child_add(&s, NULL, 4343, 7, "cargo", &err), 0);
	CHECK_INT(store_children_list(&s, &list, &err), 0);
	CHECK_INT(json_array_size(list), 2);
	c = json_array_get(list, 0);
	CHECK_STR(json_string_value(json_object_get(c, "job")), id);
	CHECK_INT(json_integer_value(json_object_get(c, "pid")), 4242);
	CHECK_INT(json_integer_value(json_object_get(c, "start_time")),
		  987654321012LL);
	CHECK_STR(json_string_value(json_object_get(c, "cmd")),
		  "python3 -m cProfile x.py");
	CHECK(json_is_null(json_object_get(json_array_get(list, 1), "job")));
	json_decref(list);

	/* A reused pid replaces the stale row. */
	CHECK_INT(store_child_add(&s, id, 4343, 99, "maturin", &err), 0);
	CHECK_INT(store_child_remove(&s, 4242, &err), 0);
	CHECK_INT(store_child_remove(&s, 4242, &err), 0);
	CHECK_INT(store_children_list(&s, &list, &err), 0);
	CHECK_INT(json_array_size(list), 1);
	c = json_array_get(list, 0);
	CHECK_INT(json_integer_value(json_object_get(c, "pid")), 4343);
	CHECK_INT(json_integer_value(json_object_get(c, "start_time")), 99);
	CHECK_STR(json_string_value(json_object_get(c, "cmd")), "maturin");
	CHECK_STR(json_string_value(json_object_get(c, "job")), id);
	json_decref(list);
	free(id);
	store_close(&s);
	err_release(&err);
}

TEST(store_watches_put_list_delete)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *list = NULL, *opt, *w;
	double created;

	store_open_ok(&s, test_tmpdir());
	opt = json_pack("{s:i}", "debounce_ms", 300);
	CHECK_INT(store_watch_put(&s, "/src/b", opt, &err), 0);
	CHECK_INT(store_watch_put(&s, "/src/a", NULL, &err), 0);
	json_decref(opt);
	CHECK_INT(store_watch_list(&s, &list, &err), 0);
	CHECK_INT(json_array_size(list), 2);
	w = json_array_get(list, 1);
	CHECK_STR(json_string_value(json_object_get(w, "path")), "/src/b");
	CHECK_INT(json_integer_value(json_object_get(
		      json_object_get(w, "options"), "debounce_ms")),
		  300);
	CHECK(json_is_real(json_object_get(w, "created_at")));
	created = json_real_value(json_object_get(w, "created_at"));
	CHECK(json_is_object(
	    json_object_get(json_array_get(list, 0), "options")));
	json_decref(list);

	/* Re-putting updates the options and keeps created_at. */
	opt = json_pack("{s:i}", "debounce_ms", 50);
	CHECK_INT(store_watch_put(&s, "/src/b", opt, &err), 0);
	json_decref(opt);
	CHECK_INT(store_watch_delete(&s, "/src/a", &err), 0);
	CHECK_INT(store_watch_delete(&s, "/not/watched", &err), 0);
	CHECK_INT(store_watch_list(&s, &list, &err), 0);
	CHECK_INT(json_array_size(list), 1);
	w = json_array_get(list, 0);
	CHECK_INT(json_integer_value(json_object_get(
		      json_object_get(w, "options"), "debounce_ms")),
		  50);
	CHECK(json_real_value(json_object_get(w, "created_at")) == created);
	json_decref(list);
	store_close(&s);
	err_release(&err);
}

static json_t *table_stats(struct store *s, const char *table)
{
	struct err err = ERR_INIT;
	json_t *stats = NULL, *t;

	CHECK_INT(store_cache_stats(s, &stats, &err), 0);
	t = json_object_get(json_object_get(stats, "tables"), table);
	CHECK(t);
	json_incref(t);
	json_decref(stats);
	return t;
}

TEST(store_cache_put_get_counts)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *v, *got = NULL, *t;
	void *blob = NULL;
	size_t blob_len = 99;
	const char wheel[] = "PK\x03\x04\0\0binary\0wheel";

	store_open_ok(&s, test_tmpdir());
	v = json_pack("{s:s}", "wheel", "x-1.0-cp311.whl");
	CHECK_INT(store_cache_put(&s, "artifact", "k1", v, wheel, sizeof(wheel),
				  &err),
		  0);
	CHECK_INT(
	    store_cache_get(&s, "artifact", "k1", &got, &blob, &blob_len, &err),
	    0);
	CHECK(json_equal(got, v));
	CHECK_INT(blob_len, sizeof(wheel));
	CHECK(blob && !memcmp(blob, wheel, sizeof(wheel)));
	free(blob);
	json_decref(got);
	got = NULL;
	/* Without a blob pointer only the value is read. */
	CHECK_INT(store_cache_get(&s, "artifact", "k1", &got, NULL, NULL, &err),
		  0);
	CHECK(json_equal(got, v));
	json_decref(got);
	CHECK_INT(store_cache_get(&s, "artifact", "nope", &got, &blob,
				  &blob_len, &err),
		  0);
	CHECK(!got);
	CHECK(!blob);
	CHECK_INT(blob_len, 0);
	CHECK_INT(
	    store_cache_get(&s, "profile", "nope", &got, NULL, NULL, &err), 0);
	CHECK(!got);

	t = table_stats(&s, "artifact");
	CHECK_INT(json_integer_value(json_object_get(t, "entries")), 1);
	CHECK_INT(json_integer_value(json_object_get(t, "bytes")),
		  strlen("{\"wheel\":\"x-1.0-cp311.whl\"}") + sizeof(wheel));
	CHECK_INT(json_integer_value(json_object_get(t, "hits")), 2);
	CHECK_INT(json_integer_value(json_object_get(t, "misses")), 1);
	json_decref(t);
	t = table_stats(&s, "profile");
	CHECK_INT(json_integer_value(json_object_get(t, "hits")), 0);
	CHECK_INT(json_integer_value(json_object_get(t, "misses")), 1);
	CHECK_INT(json_integer_value(json_object_get(t, "entries")), 0);
	json_decref(t);

	/* Put replaces; a value-only entry has no blob. */
	CHECK_INT(store_cache_put(&s, "artifact", "k1", v, NULL, 0, &err), 0);
	CHECK_INT(
	    store_cache_get(&s, "artifact", "k1", &got, &blob, &blob_len, &err),
	    0);
	CHECK(got && !blob && blob_len == 0);
	json_decref(got);
	t = table_stats(&s, "artifact");
	CHECK_INT(json_integer_value(json_object_get(t, "entries")), 1);
	CHECK_INT(json_integer_value(json_object_get(t, "bytes")),
		  strlen("{\"wheel\":\"x-1.0-cp311.whl\"}"));
	json_decref(t);

	/* Table names are a whitelist. */
	CHECK_INT(store_cache_put(&s, "stats", "k", v, NULL, 0, &err),
		  RUSTIFY_EINTERNAL);
	CHECK_INT(store_cache_get(&s, "artifact; DROP TABLE artifact", "k",
				  &got, NULL, NULL, &err),
		  RUSTIFY_EINTERNAL);
	CHECK(strstr(err_msg(&err), "DROP TABLE"));
	json_decref(v);
	store_close(&s);
	err_release(&err);
}

TEST(store_cache_stats_shape)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *stats = NULL, *db;
	char *id;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	CHECK_INT(store_event_append(&s, id, "job/log", NULL, NULL, &err), 0);
	CHECK_INT(store_event_append(&s, id, "job/log", NULL, NULL, &err), 0);
	CHECK_INT(store_cache_stats(&s, &stats, &err), 0);
	CHECK_INT(json_object_size(json_object_get(stats, "tables")), 3);
	CHECK(
	    json_object_get(json_object_get(stats, "tables"), "source_index"));
	CHECK_INT(json_integer_value(json_object_get(
		      json_object_get(stats, "jobs"), "entries")),
		  1);
	CHECK_INT(json_integer_value(json_object_get(
		      json_object_get(stats, "jobs"), "events")),
		  2);
	db = json_object_get(stats, "db_bytes");
	CHECK(json_integer_value(json_object_get(db, "jobs")) > 0);
	CHECK(json_integer_value(json_object_get(db, "cache")) > 0);
	json_decref(stats);
	free(id);
	store_close(&s);
	err_release(&err);
}

static void cache_put_sized(struct store *s, const char *table, const char *key,
			    size_t blob_len)
{
	struct err err = ERR_INIT;
	json_t *v = json_object(); /* "{}": 2 bytes */
	char *blob = xcalloc(1, blob_len);

	CHECK_INT(store_cache_put(s, table, key, v, blob, blob_len, &err), 0);
	json_decref(v);
	free(blob);
}

static bool cache_has(struct store *s, const char *table, const char *key)
{
	struct err err = ERR_INIT;
	json_t *v = NULL;

	CHECK_INT(store_cache_get(s, table, key, &v, NULL, NULL, &err), 0);
	json_decref(v);
	return v != NULL;
}

TEST(store_cache_gc_lru_across_tables)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *report = NULL;

	store_open_ok(&s, test_tmpdir());
	/* Sizes: 2 bytes of "{}" + blob. Insertion order a, b, c, d. */
	cache_put_sized(&s, "source_index", "a", 98); /* 100 */
	cache_put_sized(&s, "profile", "b", 198);     /* 200 */
	cache_put_sized(&s, "artifact", "c", 298);    /* 300 */
	cache_put_sized(&s, "artifact", "d", 398);    /* 400 */
	/* Touch the oldest so it becomes the most recently used. */
	CHECK(cache_has(&s, "source_index", "a"));

	/* Under the limit: nothing happens. */
	CHECK_INT(store_cache_gc(&s, 1000, &report, &err), 0);
	CHECK_INT(
	    json_integer_value(json_object_get(report, "removed_entries")), 0);
	CHECK_INT(
	    json_integer_value(json_object_get(report, "remaining_bytes")),
	    1000);
	json_decref(report);

	/* 1000 -> <= 600: b (200) then c (300) go, a survives its touch. */
	CHECK_INT(store_cache_gc(&s, 600, &report, &err), 0);
	CHECK_INT(
	    json_integer_value(json_object_get(report, "removed_entries")), 2);
	CHECK_INT(json_integer_value(json_object_get(report, "removed_bytes")),
		  500);
	CHECK_INT(
	    json_integer_value(json_object_get(report, "remaining_bytes")),
	    500);
	json_decref(report);
	CHECK(!cache_has(&s, "profile", "b"));
	CHECK(!cache_has(&s, "artifact", "c"));
	CHECK(cache_has(&s, "artifact", "d"));
	CHECK(cache_has(&s, "source_index", "a"));

	/* d was touched before a above, so d goes first now. */
	CHECK_INT(store_cache_gc(&s, 150, &report, &err), 0);
	CHECK_INT(
	    json_integer_value(json_object_get(report, "removed_entries")), 1);
	CHECK_INT(
	    json_integer_value(json_object_get(report, "remaining_bytes")),
	    100);
	json_decref(report);
	CHECK(cache_has(&s, "source_index", "a"));

	CHECK_INT(store_cache_gc(&s, 0, &report, &err), 0);
	CHECK_INT(
	    json_integer_value(json_object_get(report, "remaining_bytes")), 0);
	json_decref(report);
	CHECK(!cache_has(&s, "source_index", "a"));
	CHECK_INT(store_integrity_check(&s, &err), 0);
	store_close(&s);
	err_release(&err);
}

TEST(store_integrity_and_reopen_preserve_data)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *job = NULL, *v = json_pack("{s:i}", "n", 7), *got = NULL;
	char *id;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{\"file\":\"app.py\"}");
	CHECK_INT(store_job_set_state(&s, id, JOB_RUNNING, NULL, &err), 0);
	CHECK_INT(store_event_append(&s, id, "job/log", NULL, NULL, &err), 0);
	CHECK_INT(store_cache_put(&s, "profile", "abc", v, NULL, 0, &err), 0);
	CHECK_INT(store_integrity_check(&s, &err), 0);
	store_close(&s);

	store_open_ok(&s, test_tmpdir());
	CHECK_INT(store_integrity_check(&s, &err), 0);
	CHECK_INT(store_job_get(&s, id, &job, &err), 0);
	CHECK_STR(json_string_value(json_object_get(job, "state")),
		  JOB_RUNNING);
	CHECK_INT(json_integer_value(json_object_get(job, "last_seq")), 1);
	CHECK_STR(json_string_value(
		      json_object_get(json_object_get(job, "request"), "file")),
		  "app.py");
	json_decref(job);
	CHECK_INT(store_cache_get(&s, "profile", "abc", &got, NULL, NULL, &err),
		  0);
	CHECK(json_equal(got, v));
	json_decref(got);
	json_decref(v);
	free(id);
	store_close(&s);
	err_release(&err);
}

TEST(store_job_ids_never_reused)
{
	struct store s;
	char *id;

	store_open_ok(&s, test_tmpdir());
	for (int i = 0; i < 3; i++)
		free(insert_job(&s, "{}"));
	/* A plain rowid table would hand out 3 again after this. */
	CHECK_INT(sqlite3_exec(s.jobs, "DELETE FROM jobs WHERE id = 3", NULL,
			       NULL, NULL),
		  SQLITE_OK);
	store_close(&s);
	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	CHECK_STR(id, "4");
	free(id);
	store_close(&s);
}

TEST(store_survives_process_kill)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *job = NULL;
	pid_t pid;
	const char *dir = test_tmpdir(); /* created before the fork: shared */
	int status, fds[2];
	char ready;

	CHECK_INT(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct store c;
		char *id;

		close(fds[0]);
		store_open_ok(&c, dir);
		id = insert_job(&c, "{}");
		CHECK_INT(store_job_set_state(&c, id, JOB_RUNNING, NULL, &err),
			  0);
		CHECK_INT(store_event_append(&c, id, "job/progress", NULL, NULL,
					     &err),
			  0);
		/* Committed: now wait, store open, for the parent's SIGKILL. */
		CHECK_INT(write(fds[1], "k", 1), 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	CHECK_INT(read(fds[0], &ready, 1), 1);
	close(fds[0]);
	CHECK_INT(kill(pid, SIGKILL), 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(exists(dir, "jobs.db-wal"));

	store_open_ok(&s, dir);
	CHECK_INT(store_integrity_check(&s, &err), 0);
	CHECK_INT(store_job_get(&s, "1", &job, &err), 0);
	CHECK_STR(json_string_value(json_object_get(job, "state")),
		  JOB_RUNNING);
	CHECK_INT(json_integer_value(json_object_get(job, "last_seq")), 1);
	json_decref(job);
	store_close(&s);
	err_release(&err);
}

TEST(store_corrupt_cache_moved_aside)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *notes = NULL, *v = json_object(), *got = NULL, *job = NULL;
	char *path = xasprintf("%s/cache.db", test_tmpdir());
	char *id;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	CHECK_INT(store_cache_put(&s, "artifact", "k", v, NULL, 0, &err), 0);
	store_close(&s);
	write_garbage(path, 0, 8192);

	CHECK_INT(store_open(&s, test_tmpdir(), &notes, &err), 0);
	CHECK_INT(json_array_size(notes), 1);
	CHECK(!strncmp(json_string_value(json_array_get(notes, 0)),
		       "cache.db:", 9));
	CHECK(strstr(json_string_value(json_array_get(notes, 0)),
		     "cache.db.corrupt-"));
	json_decref(notes);
	CHECK_INT(count_prefixed(test_tmpdir(), "cache.db.corrupt-"), 1);
	CHECK_INT(store_cache_get(&s, "artifact", "k", &got, NULL, NULL, &err),
		  0);
	CHECK(!got);
	CHECK_INT(store_cache_put(&s, "artifact", "k", v, NULL, 0, &err), 0);
	/* Jobs were not touched. */
	CHECK_INT(store_job_get(&s, id, &job, &err), 0);
	json_decref(job);
	CHECK_INT(store_integrity_check(&s, &err), 0);
	store_close(&s);
	store_open_ok(&s, test_tmpdir());
	store_close(&s);
	json_decref(v);
	free(id);
	free(path);
	err_release(&err);
}

TEST(store_unreadable_cache_moved_aside)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *notes = NULL;
	char *path = xasprintf("%s/cache.db", test_tmpdir());

	/* Something that is not a file at all where cache.db should be. */
	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(store_open(&s, test_tmpdir(), &notes, &err), 0);
	CHECK_INT(json_array_size(notes), 1);
	CHECK_INT(count_prefixed(test_tmpdir(), "cache.db.corrupt-"), 1);
	json_decref(notes);
	CHECK_INT(store_integrity_check(&s, &err), 0);
	store_close(&s);
	free(path);
	err_release(&err);
}

TEST(store_corrupt_jobs_moved_aside_with_note)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *notes = NULL, *list = NULL;
	char *path = xasprintf("%s/jobs.db", test_tmpdir());
	char *id;
	const char *note;

	store_open_ok(&s, test_tmpdir());
	free(insert_job(&s, "{}"));
	store_close(&s);
	write_garbage(path, 0, 100);

	CHECK_INT(store_open(&s, test_tmpdir(), &notes, &err), 0);
	CHECK_INT(json_array_size(notes), 1);
	note = json_string_value(json_array_get(notes, 0));
	CHECK(!strncmp(note, "jobs.db: corrupt", 16));
	CHECK(strstr(note, "jobs.db.corrupt-"));
	json_decref(notes);
	CHECK_INT(count_prefixed(test_tmpdir(), "jobs.db.corrupt-"), 1);
	CHECK_INT(count_prefixed(test_tmpdir(), "cache.db.corrupt-"), 0);
	CHECK_INT(store_job_list(&s, 0, NULL, &list, &err), 0);
	CHECK_INT(json_array_size(list), 0);
	json_decref(list);
	/* never an id the moved-aside database used (issue 15) */
	id = insert_job(&s, "{}");
	CHECK_STR(id, "2");
	free(id);
	CHECK_INT(store_integrity_check(&s, &err), 0);
	store_close(&s);
	free(path);
	err_release(&err);
}

TEST(store_job_ids_not_reused_when_jobs_db_is_gone)
{
	struct err err = ERR_INIT;
	struct store s;
	char *id = NULL;
	const char *const names[] = {"jobs.db", "jobs.db-wal", "jobs.db-shm"};

	store_open_ok(&s, test_tmpdir());
	for (int i = 0; i < 3; i++) {
		free(id);
		id = insert_job(&s, "{}");
	}
	CHECK_STR(id, "3");
	free(id);
	store_close(&s);
	for (size_t i = 0; i < 3; i++) {
		char *p = xasprintf("%s/%s", test_tmpdir(), names[i]);
		unlink(p);
		free(p);
	}
	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	CHECK_STR(id, "4");
	free(id);
	store_close(&s);
	err_release(&err);
}

TEST(store_damaged_page_fails_quick_check)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *notes = NULL, *params;
	char *path = xasprintf("%s/jobs.db", test_tmpdir());
	char *id;
	struct stat sb;

	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	params = json_pack("{s:s}", "line",
			   "a log line long enough to fill several pages ....");
	for (int i = 0; i < 400; i++)
		CHECK_INT(
		    store_event_append(&s, id, "job/log", params, NULL, &err),
		    0);
	json_decref(params);
	store_close(&s);
	/* The header stays valid; b-tree pages in the middle do not. */
	CHECK_INT(stat(path, &sb), 0);
	CHECK(sb.st_size > 8 * 4096);
	write_garbage(path, 4096, (size_t)sb.st_size - 2 * 4096);

	CHECK_INT(store_open(&s, test_tmpdir(), &notes, &err), 0);
	CHECK_INT(json_array_size(notes), 1);
	CHECK(!strncmp(json_string_value(json_array_get(notes, 0)),
		       "jobs.db: corrupt", 16));
	json_decref(notes);
	CHECK_INT(count_prefixed(test_tmpdir(), "jobs.db.corrupt-"), 1);
	CHECK_INT(store_integrity_check(&s, &err), 0);
	store_close(&s);
	free(id);
	free(path);
	err_release(&err);
}

TEST(store_newer_schema)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *notes = NULL;

	store_open_ok(&s, test_tmpdir());
	CHECK_INT(
	    sqlite3_exec(s.cache, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	store_close(&s);
	/* A newer cache is disposable. */
	CHECK_INT(store_open(&s, test_tmpdir(), &notes, &err), 0);
	CHECK_INT(json_array_size(notes), 1);
	CHECK(strstr(json_string_value(json_array_get(notes, 0)), "newer"));
	json_decref(notes);
	CHECK_INT(pragma_int(s.cache, "PRAGMA user_version"), 1);
	CHECK_INT(
	    sqlite3_exec(s.jobs, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	store_close(&s);
	/* A newer jobs.db is refused, and left where it is. */
	notes = json_null();
	CHECK_INT(store_open(&s, test_tmpdir(), &notes, &err), RUSTIFY_EDB);
	CHECK(!notes);
	CHECK(strstr(err_msg(&err), "jobs.db"));
	CHECK(strstr(err_msg(&err), "newer"));
	CHECK(!s.jobs && !s.cache && !s.dir);
	CHECK_INT(count_prefixed(test_tmpdir(), "jobs.db.corrupt-"), 0);
	err_release(&err);
}

TEST(store_unusable_dir_is_clear_error)
{
	struct err err = ERR_INIT;
	struct store s;
	json_t *notes = NULL;
	char *file = xasprintf("%s/afile", test_tmpdir());
	char *dir = xasprintf("%s/sub", file);
	int fd;

	fd = open(file, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK_INT(store_open(&s, dir, &notes, &err), RUSTIFY_EIO);
	CHECK(strstr(err_msg(&err), dir));
	CHECK(!notes);
	CHECK(!s.jobs && !s.cache && !s.dir);
	/* A regular file as the dir itself. */
	CHECK_INT(store_open(&s, file, &notes, &err), RUSTIFY_EIO);
	CHECK(strstr(err_msg(&err), "not a directory"));
	free(dir);
	free(file);
	err_release(&err);
}

/* A replay page is bounded in bytes, holds whole framed notifications in
 * order, and never parses what it reads (issue 15: replays of long logs
 * held whole logs in memory on the loop thread). */
TEST(store_events_page_is_bounded_and_in_order)
{
	struct err err = ERR_INIT;
	struct store s;
	struct store_page page;
	struct buf out = BUF_INIT;
	json_t *params;
	char *id, *line = xmalloc(2001);
	int64_t since = 0;
	size_t pages = 0, total = 0;

	memset(line, 'w', 2000);
	line[2000] = '\0';
	store_open_ok(&s, test_tmpdir());
	id = insert_job(&s, "{}");
	params = json_pack("{s:s, s:s}", "stream", "stdout", "line", line);
	for (int i = 0; i < 200; i++)
		CHECK_INT(
		    store_event_append(&s, id, "job/log", params, NULL, &err),
		    0);
	json_decref(params);
	params = json_pack("{s:s}", "state", "done");
	CHECK_INT(store_event_append(&s, id, "job/done", params, NULL, &err),
		  0);
	json_decref(params);
	for (;;) {
		struct frame_decoder dec;
		const char *body;
		size_t len;

		buf_reset(&out);
		CHECK_INT(store_events_page(&s, id, since, 16384, &out, &page,
					    &err),
			  0);
		if (!page.count)
			break;
		pages++;
		/* one event may pass the bound, never two */
		CHECK(out.len < 16384 + 2200);
		frame_decoder_init(&dec, 1 << 20);
		frame_decoder_feed(&dec, out.data, out.len);
		for (size_t k = 0; k < page.count; k++) {
			json_t *msg;
			CHECK_INT(frame_decoder_next(&dec, &body, &len, &err),
				  1);
			msg = jsonrpc_parse(body, len, &err);
			CHECK(msg);
			CHECK_INT(json_integer_value(json_object_get(
				      json_object_get(msg, "params"), "seq")),
				  since + 1 + (int64_t)k);
			json_decref(msg);
		}
		CHECK_INT(frame_decoder_next(&dec, &body, &len, &err), 0);
		frame_decoder_release(&dec);
		total += page.count;
		since = page.last_seq;
		if (page.has_done)
			break;
	}
	CHECK_INT(total, 201);
	CHECK(page.has_done);
	CHECK(pages >= 20);
	buf_release(&out);
	free(line);
	free(id);
	store_close(&s);
	err_release(&err);
}
