/*
 * cmd-submit.c - `rustifyctl submit`: turns a file, standard input or a
 * git path plus options into job/submit, then follows the job's
 * notifications to job/done with a progress display, and prints the
 * result table (or one JSON document).
 *
 * Also owns the submit options (submit_args_*), which `watch` reuses:
 * the client resolves what only it can know (absolute paths from its
 * working directory, the user's python from $VIRTUAL_ENV / .venv /
 * $PATH), because the daemon may run with another cwd and PATH.
 *
 * A dropped connection (daemon restart) is followed by a reconnect and
 * job/subscribe with since_seq = the last seq seen, so no event is lost
 * or shown twice. Ctrl-C cancels the job.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "rustify/options.h"

/* ---- submit options ---------------------------------------------------- */

void submit_args_init(struct submit_args *a)
{
	memset(a, 0, sizeof(*a));
	a->options = json_object();
}

void submit_args_release(struct submit_args *a)
{
	json_decref(a->options);
	memset(a, 0, sizeof(*a));
}

static int submit_add_functions(struct submit_args *a, const char *names)
{
	json_t *list = json_object_get(a->options, "functions");
	const char *p = names;

	if (!list) {
		list = json_array();
		json_object_set_new(a->options, "functions", list);
	}
	/* Python names never hold commas: "a,b" is two names */
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n) {
			char *name = xstrndup(p, n);

			json_array_append_new(list, json_string(name));
			free(name);
		}
		if (!end)
			break;
		p = end + 1;
	}
	return json_array_size(list) ? 0 : -1;
}

static int submit_parse_threshold(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno)
		return -1;
	if (*end == '%')
		end++;
	if (*end || !(v >= 0.0 && v <= 100.0))
		return -1;
	*out = v;
	return 0;
}

static int submit_parse_count(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < 1)
		return -1;
	*out = v;
	return 0;
}

int submit_args_parse(const struct cmd_entry *e, struct submit_args *a,
		      int argc, char **argv, int *i)
{
	const char *val = NULL;
	int rc;

	/* the flags: --all, --list-targets, --install, --dry-run... */
	for (const struct rustify_option *o = rustify_submit_options; o->key;
	     o++) {
		if (o->kind != OPTION_FLAG)
			continue;
		rc = opt_match(argc, argv, i, o->cli, NULL);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			json_object_set_new(a->options, o->key, json_true());
			return 1;
		}
	}
	if ((rc = opt_match(argc, argv, i, "--function", &val))) {
		if (rc > 0 && submit_add_functions(a, val) < 0) {
			cmd_usage_error(e, "--function: empty name");
			return -1;
		}
		return rc;
	}
	if ((rc = opt_match(argc, argv, i, "--threshold", &val))) {
		double pct;

		if (rc > 0 && submit_parse_threshold(val, &pct) < 0) {
			cmd_usage_error(e,
					"--threshold: expected a percentage "
					"0..100, got '%s'",
					val);
			return -1;
		}
		if (rc > 0)
			json_object_set_new(a->options, "threshold",
					    json_real(pct));
		return rc;
	}
	if ((rc = opt_match(argc, argv, i, "--measure-budget", &val))) {
		char *end = NULL;
		double secs = 0;

		if (rc > 0) {
			errno = 0;
			secs = strtod(val, &end);
		}
		if (rc > 0 && (end == val || *end || errno || !(secs >= 0) ||
			       secs > 3600)) {
			cmd_usage_error(e,
					"--measure-budget: expected seconds "
					"0..3600 (0 skips the whole-workload "
					"check), got '%s'",
					val);
			return -1;
		}
		if (rc > 0)
			json_object_set_new(a->options, "measure_budget",
					    json_real(secs));
		return rc;
	}
	if ((rc = opt_match(argc, argv, i, "--iterations", &val))) {
		long long n;

		if (rc > 0 && submit_parse_count(val, &n) < 0) {
			cmd_usage_error(e,
					"--iterations: expected an integer "
					">= 1, got '%s'",
					val);
			return -1;
		}
		if (rc > 0)
			json_object_set_new(a->options, "iterations",
					    json_integer((json_int_t)n));
		return rc;
	}
	if ((rc = opt_match(argc, argv, i, "--entry", &val))) {
		if (rc > 0 && a->entry_cmd) {
			cmd_usage_error(e, "--entry and --entry-cmd exclude "
					   "each other");
			return -1;
		}
		if (rc > 0 && !*val) {
			cmd_usage_error(e, "--entry: expected MODULE:FUNCTION");
			return -1;
		}
		if (rc > 0)
			a->entry = val;
		return rc;
	}
	if ((rc = opt_match(argc, argv, i, "--entry-cmd", &val))) {
		if (rc > 0 && a->entry) {
			cmd_usage_error(e, "--entry and --entry-cmd exclude "
					   "each other");
			return -1;
		}
		if (rc > 0)
			a->entry_cmd = val;
		return rc;
	}
	if ((rc = opt_match(argc, argv, i, "--module", &val))) {
		if (rc > 0)
			json_object_set_new(a->options, "module",
					    json_string(val));
		return rc;
	}
	if ((rc = opt_match(argc, argv, i, "--output", &val))) {
		if (rc > 0)
			a->output = val;
		return rc;
	}
	if ((rc = opt_match(argc, argv, i, "--python", &val))) {
		if (rc > 0)
			a->python = val;
		return rc;
	}
	return 0;
}

/*
 * A python3 on PATH may be a script (a pyenv shim) that only works with
 * the user's environment: ask it for the real interpreter. Returns NULL
 * when it cannot tell within a few seconds.
 */
static char *submit_python_real(const char *python)
{
	char head[2] = {0, 0};
	struct buf out = BUF_INIT;
	double deadline = time_monotonic() + 5.0;
	int pipefd[2] = {-1, -1};
	char *res = NULL;
	FILE *f = fopen(python, "rb");
	pid_t pid;

	if (!f)
		goto out;
	if (fread(head, 1, 2, f) != 2 || head[0] != '#' || head[1] != '!') {
		fclose(f);
		goto out; /* a binary: it is the interpreter */
	}
	fclose(f);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		dup2(pipefd[1], 1);
		execl(python, python, "-c", "import sys; print(sys.executable)",
		      (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (;;) {
		struct pollfd pfd = {pipefd[0], POLLIN, 0};
		char chunk[512];
		ssize_t n;
		int left = (int)((deadline - time_monotonic()) * 1000.0);

		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(pipefd[0], chunk, sizeof(chunk));
		if (n <= 0)
			break;
		buf_add(&out, chunk, (size_t)n);
	}
	waitpid(pid, NULL, 0);
	while (out.len &&
	       (out.data[out.len - 1] == '\n' || out.data[out.len - 1] == '\r'))
		buf_truncate(&out, out.len - 1);
	if (out.data[0] == '/' && path_is_executable(out.data))
		res = xstrdup(out.data);
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	buf_release(&out);
	return res;
}

/* $VIRTUAL_ENV, else a .venv in anchor or a parent, else python3 on PATH. */
static char *submit_find_python(const char *anchor)
{
	const char *venv = getenv("VIRTUAL_ENV");
	char *dir, *cand;

	if (venv && *venv) {
		char *root = path_absolute(venv);

		cand = xasprintf("%s/bin/python", root);
		free(root);
		if (path_is_executable(cand))
			return cand;
		free(cand);
	}
	dir = path_absolute(anchor);
	for (;;) {
		char *parent;

		cand = xasprintf("%s%s.venv/bin/python", dir,
				 strcmp(dir, "/") ? "/" : "");
		if (path_is_executable(cand)) {
			free(dir);
			return cand;
		}
		free(cand);
		if (!strcmp(dir, "/"))
			break;
		parent = path_dirname(dir);
		free(dir);
		dir = parent;
	}
	free(dir);
	cand = path_find_program("python3");
	if (cand) {
		char *real = submit_python_real(cand);

		if (real) {
			free(cand);
			cand = real;
		}
	}
	return cand;
}

int submit_args_finish(const struct cmd_entry *e, struct submit_args *a,
		       const char *anchor, const char *default_output,
		       struct err *err)
{
	char *python = NULL, *output = NULL;
	json_t *words = NULL;
	int rc = 0;

	(void)e;
	if (a->entry_cmd) {
		words = json_array();
		rc = shell_split(a->entry_cmd, words, err);
		if (!rc && !json_array_size(words))
			rc = err_set(err, RUSTIFY_EPARAM,
				     "--entry-cmd: empty command");
		if (rc)
			goto out;
		json_object_set(a->options, "entry_cmd", words);
	}
	if (a->entry)
		json_object_set_new(a->options, "entry", json_string(a->entry));
	if (a->python && !strchr(a->python, '/')) {
		/* a bare name, as a shell would find it */
		python = path_find_program(a->python);
		if (!python) {
			rc =
			    err_set(err, RUSTIFY_EPARAM,
				    "--python: '%s' is not on PATH", a->python);
			goto out;
		}
	} else if (a->python) {
		python = path_absolute(a->python);
	} else
		python = submit_find_python(anchor);
	if (python)
		json_object_set_new(a->options, "python", json_string(python));
	if (a->output)
		output = path_absolute(a->output);
	else if (default_output)
		output = xstrdup(default_output);
	if (output)
		json_object_set_new(a->options, "output", json_string(output));
out:
	json_decref(words);
	free(python);
	free(output);
	return rc;
}

/* ---- following a job ---------------------------------------------------- */

struct submit_run {
	struct conn conn;
	struct progress progress;
	char *job;	     /* id, NULL until job/submit answered */
	json_int_t last_seq; /* highest seq shown */
	bool is_done;
	char *state;   /* from job/done */
	json_t *early; /* notifications that beat the job/submit reply */
};

static volatile sig_atomic_t submit_is_interrupted;

static void submit_on_sigint(int sig)
{
	(void)sig;
	submit_is_interrupted = 1;
}

static void submit_on_notify(void *arg, const char *method, json_t *params)
{
	struct submit_run *r = arg;
	char *job = json_get_id(params, "job");
	json_t *seqv = json_object_get(params, "seq");
	json_int_t seq =
	    json_is_number(seqv) ? (json_int_t)json_number_value(seqv) : 0;

	if (!job)
		goto out;
	if (!r->job) {
		json_array_append_new(r->early,
				      json_pack("{s:s, s:O}", "method", method,
						"params", params));
		goto out;
	}
	if (strcmp(job, r->job) || r->is_done)
		goto out;
	if (seq > 0) {
		if (seq <= r->last_seq)
			goto out; /* replayed after a reconnect: seen */
		r->last_seq = seq;
	}
	if (!strcmp(method, "job/progress")) {
		progress_update(&r->progress,
				json_get_str(params, "stage", "?"),
				json_get_num(params, "percent", 0),
				json_get_str(params, "message", ""));
	} else if (!strcmp(method, "job/log")) {
		progress_log(&r->progress,
			     json_get_str(params, "stream", "log"),
			     json_get_str(params, "line", ""));
	} else if (!strcmp(method, "job/done")) {
		r->is_done = true;
		free(r->state);
		r->state = xstrdup(json_get_str(params, "state", JOB_FAILED));
	}
out:
	free(job);
}

static void submit_replay_early(struct submit_run *r)
{
	json_t *early = r->early;
	json_t *n;
	size_t i;

	r->early = json_array();
	json_array_foreach(early, i, n)
		submit_on_notify(r, json_get_str(n, "method", ""),
				 json_object_get(n, "params"));
	json_decref(early);
}

static int submit_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	return nanosleep(&ts, NULL);
}

/*
 * After a drop: connect again (autostart rules apply; a restarting daemon
 * gets up to 10 s) and subscribe from the last seq seen.
 */
static int submit_reconnect(struct submit_run *r, struct err *err)
{
	double deadline = time_monotonic() + CLIENT_START_TIMEOUT_MS / 1000.0;
	json_t *res = NULL, *params;
	const char *state;
	json_int_t stored;
	int rc;

	progress_finish(&r->progress);
	if (r->progress.is_verbose)
		fprintf(stderr, "rustifyctl: %s; reconnecting\n", err_msg(err));
	for (;;) {
		rc = conn_open(&r->conn, CONN_AUTOSTART | CONN_VERSION_CHECK,
			       err);
		if (!rc || submit_is_interrupted)
			break;
		if (rc != RUSTIFY_ECONNECT && rc != RUSTIFY_ESHUTDOWN &&
		    rc != RUSTIFY_EIO)
			break;
		if (time_monotonic() > deadline)
			break;
		submit_sleep_ms(200);
	}
	if (rc)
		goto out;
	params = json_pack("{s:s, s:I}", "job", r->job, "since_seq",
			   (json_int_t)r->last_seq);
	rc = conn_call(&r->conn, "job/subscribe", params, &res, err);
	if (rc) {
		err_prefix(err, "job/subscribe %s", r->job);
		goto out;
	}
	state = json_get_str(res, "state", NULL);
	if (!job_state_is_final(state) || r->is_done)
		goto out;
	/* finished while we were away: the stored events follow the reply;
	 * should the daemon have stored no job/done, the reply's state is
	 * the answer */
	stored = (json_int_t)json_get_num(res, "last_seq", 0);
	deadline = time_monotonic() + 2.0;
	while (!r->is_done && r->last_seq < stored &&
	       time_monotonic() < deadline) {
		rc = conn_poll(&r->conn, 100, err);
		if (rc)
			goto out;
	}
	if (!r->is_done)
		rc = conn_poll(&r->conn, 100, err);
	if (!r->is_done) {
		r->is_done = true;
		free(r->state);
		r->state = xstrdup(state);
	}
out:
	json_decref(res);
	return rc;
}

static int submit_cancel(struct submit_run *r, bool is_json)
{
	struct err err = ERR_INIT;
	json_t *res = NULL;
	int rc;

	progress_finish(&r->progress);
	rc = conn_call(&r->conn, "job/cancel",
		       json_pack("{s:s}", "job", r->job), &res, &err);
	if (rc == RUSTIFY_ESTATE) {
		fprintf(stderr, "rustifyctl: job %s had already finished: %s\n",
			r->job, err_msg(&err));
	} else if (rc) {
		fprintf(stderr, "rustifyctl: cancelling job %s: %s\n", r->job,
			err_msg(&err));
	} else {
		if (is_json)
			display_json(res);
		fprintf(stderr, "rustifyctl: cancelled job %s\n", r->job);
	}
	json_decref(res);
	err_release(&err);
	return CLIENT_EXIT_FAIL;
}

static int submit_follow(struct submit_run *r, bool is_json, struct err *err)
{
	int tick = r->progress.is_tty ? 200 : 1000;
	json_int_t drop_seq = -1;
	int rc = 0, nstuck = 0;

	while (!r->is_done) {
		if (submit_is_interrupted)
			return submit_cancel(r, is_json);
		rc = conn_poll(&r->conn, tick, err);
		/* a connection that keeps breaking at the same event (a
		 * message we cannot read) is not worth a fourth try */
		if (rc == RUSTIFY_EIO && r->last_seq == drop_seq &&
		    ++nstuck >= 3)
			return client_fail(err);
		if (rc == RUSTIFY_EIO && r->last_seq != drop_seq) {
			drop_seq = r->last_seq;
			nstuck = 0;
		}
		if (rc == RUSTIFY_EIO)
			rc = submit_reconnect(r, err);
		if (rc)
			return client_fail(err);
		progress_tick(&r->progress);
	}
	return CLIENT_EXIT_OK;
}

/* Prints the finished job: the result table, or job + result as JSON. */
static int submit_report(struct submit_run *r, bool is_json)
{
	struct err err = ERR_INIT;
	json_t *job = NULL, *result = NULL;
	int rc;

	progress_finish(&r->progress);
	rc = conn_call(&r->conn, "job/status",
		       json_pack("{s:s}", "job", r->job), &job, &err);
	if (rc || !json_is_object(job)) {
		json_decref(job);
		job = json_pack("{s:s, s:s}", "id", r->job, "state", r->state);
	}
	err_release(&err);
	rc = conn_call(&r->conn, "job/result",
		       json_pack("{s:s}", "job", r->job), &result, &err);
	if (rc || !json_is_object(result)) {
		json_decref(result);
		result = NULL;
	}
	if (is_json) {
		if (result)
			json_object_update(job, result);
		display_json(job);
	} else if (result) {
		display_result(result, stdout);
	} else {
		if (rc)
			fprintf(stderr, "rustifyctl: job/result %s: %s\n",
				r->job, err_msg(&err));
		display_job(job, stdout);
	}
	json_decref(job);
	json_decref(result);
	err_release(&err);
	return !strcmp(r->state, JOB_DONE) ? CLIENT_EXIT_OK : CLIENT_EXIT_FAIL;
}

int submit_run(struct client *cl, const char *method, json_t *params,
	       const struct submit_view *v)
{
	bool is_json = v->is_json, is_no_wait = v->is_no_wait;
	struct submit_run r;
	struct err err = ERR_INIT;
	struct sigaction sa;
	const char *term = getenv("TERM");
	json_t *res = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	conn_init(&r.conn, cl);
	r.conn.on_notify = submit_on_notify;
	r.conn.notify_arg = &r;
	r.early = json_array();
	progress_init(&r.progress,
		      isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb")),
		      v->is_quiet, v->is_verbose);
	rc = conn_open(&r.conn, CONN_AUTOSTART | CONN_VERSION_CHECK, &err);
	if (rc) {
		rc = client_fail(&err);
		goto out;
	}
	/* From here Ctrl-C cancels the job (once its id is known) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = submit_on_sigint;
	sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C ends us at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	rc = conn_call(&r.conn, method, json_incref(params), &res, &err);
	if (rc == RUSTIFY_EMETHOD)
		err_prefix(&err, "%s (rustifyd %s does not support it yet)",
			   method,
			   json_get_str(r.conn.init, "daemon_version", "?"));
	if (rc) {
		rc = client_fail(&err);
		goto out;
	}
	r.job = json_get_id(res, "job");
	if (!r.job) {
		/* nothing to follow: the answer is the whole story */
		display_json(res);
		rc = CLIENT_EXIT_OK;
		goto out;
	}
	if (submit_is_interrupted) {
		rc = submit_cancel(&r, is_json);
		goto out;
	}
	if (is_no_wait) {
		if (is_json)
			display_json(res);
		else
			printf("%s\n", r.job);
		rc = CLIENT_EXIT_OK;
		goto out;
	}
	if (!v->is_quiet && !is_json && !r.progress.is_tty)
		fprintf(stderr, "rustifyctl: job %s submitted\n", r.job);
	submit_replay_early(&r);
	rc = submit_follow(&r, is_json, &err);
	if (rc || !r.is_done)
		goto out;
	rc = submit_report(&r, is_json);
out:
	signal(SIGINT, SIG_DFL);
	progress_finish(&r.progress);
	json_decref(res);
	json_decref(r.early);
	progress_release(&r.progress);
	conn_release(&r.conn);
	free(r.job);
	free(r.state);
	err_release(&err);
	return rc;
}

/* ---- the command -------------------------------------------------------- */

int submit_view_parse(struct submit_view *v, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	int m;

	if ((m = opt_match(argc, argv, i, "--json", NULL)))
		v->is_json = m > 0;
	else if ((m = opt_match(argc, argv, i, "--no-wait", NULL)))
		v->is_no_wait = m > 0;
	else if ((m = !strcmp(arg, "-v") || !strcmp(arg, "--verbose")))
		v->is_verbose = true;
	else if ((m = !strcmp(arg, "-q") || !strcmp(arg, "--quiet")))
		v->is_quiet = true;
	return m;
}

static char *submit_cwd_output(void)
{
	return path_absolute("rustify-out");
}

/* What is submitted: one of a file, standard input or a git source. */
struct submit_source {
	const char *file, *git_url, *git_path, *git_ref;
	bool is_stdin;
};

/* Exactly one source, --path/--ref only with --git, -v or -q. */
static int submit_source_check(const struct cmd_entry *self,
			       const struct submit_source *s,
			       const struct submit_view *view)
{
	int nsources = !!s->file + s->is_stdin + !!s->git_url;

	if (nsources != 1)
		return cmd_usage_error(
		    self, nsources ? "give only one of FILE, - and --git"
				   : "nothing to submit: give FILE, - "
				     "or --git URL --path P");
	if ((s->git_path || s->git_ref) && !s->git_url)
		return cmd_usage_error(self, "--path and --ref go with --git");
	if (s->git_url && !s->git_path)
		return cmd_usage_error(self, "--git needs --path (the file in "
					     "the repository)");
	if (view->is_verbose && view->is_quiet)
		return cmd_usage_error(self, "-v and -q exclude each other");
	return 0;
}

/* The file: its absolute path in params; *anchor its folder. */
static int submit_file_params(const char *file, json_t *params, char **anchor,
			      struct err *err)
{
	char *abs = realpath(file, NULL);
	struct stat st;

	if (!abs || stat(abs, &st) < 0) {
		err_set(err, RUSTIFY_ESOURCE, "cannot read %s: %s", file,
			strerror(errno));
		free(abs);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set(err, RUSTIFY_ESOURCE,
			"%s is a directory: submit one Python file "
			"(or `rustifyctl watch DIR`)",
			file);
		free(abs);
		return -1;
	}
	json_object_set_new(params, "file", json_string(abs));
	*anchor = path_dirname(abs);
	free(abs);
	return 0;
}

/* The source into params; *anchor is where relative options resolve,
 * *default_output the output folder when none is given (NULL: the
 * daemon's default beside the file). */
static int submit_source_params(const struct submit_source *s,
				json_t *params, char **anchor,
				char **default_output, struct err *err)
{
	if (s->file)
		return submit_file_params(s->file, params, anchor, err);
	if (s->is_stdin) {
		struct buf text = BUF_INIT;
		int rc = read_stream(stdin, &text, err);

		if (!rc) {
			json_object_set_new(params, "text",
					    json_stringn(text.data, text.len));
			if (!json_object_get(params, "text")) {
				err_set(err, RUSTIFY_ESOURCE,
					"standard input is not UTF-8 text");
				rc = -1;
			}
		}
		buf_release(&text);
		if (rc)
			return rc;
		json_object_set_new(params, "name", json_string("stdin"));
	} else {
		json_t *git = json_pack("{s:s, s:s}", "url", s->git_url,
					"path", s->git_path);

		if (!git) {
			err_set(err, RUSTIFY_EPARAM,
				"--git / --path must be UTF-8");
			return -1;
		}
		if (s->git_ref)
			json_object_set_new(git, "ref",
					    json_string(s->git_ref));
		json_object_set_new(params, "git", git);
	}
	*anchor = path_absolute(".");
	*default_output = submit_cwd_output();
	return 0;
}

static int cmd_submit_exec(const struct cmd_entry *self, struct client *cl,
			   int argc, char **argv)
{
	struct submit_args a;
	struct err err = ERR_INIT;
	struct submit_source src = {0};
	struct submit_view view = {0};
	bool is_dashdash = false;
	char *anchor = NULL, *default_output = NULL;
	json_t *params = json_object();
	int i, m, rc = 0;

	submit_args_init(&a);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;

		if (is_dashdash || arg[0] != '-' || !strcmp(arg, "-")) {
			if (src.file || src.is_stdin) {
				rc = cmd_usage_error(self,
						     "only one FILE can be "
						     "submitted ('%s')",
						     arg);
				goto out;
			}
			if (!strcmp(arg, "-") && !is_dashdash)
				src.is_stdin = true;
			else
				src.file = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			is_dashdash = true;
			continue;
		}
		if (cmd_is_help(arg)) {
			rc = cmd_print_help(self);
			goto out;
		}
		m = submit_args_parse(self, &a, argc, argv, &i);
		if (!m)
			m = cmd_common_option(cl, argc, argv, &i);
		if (!m)
			m = submit_view_parse(&view, argc, argv, &i);
		if (!m && (m = opt_match(argc, argv, &i, "--git", &val)) > 0)
			src.git_url = val;
		if (!m && (m = opt_match(argc, argv, &i, "--path", &val)) > 0)
			src.git_path = val;
		if (!m && (m = opt_match(argc, argv, &i, "--ref", &val)) > 0)
			src.git_ref = val;
		if (m < 0) {
			rc = CLIENT_EXIT_USAGE;
			goto out;
		}
		if (!m) {
			rc = cmd_usage_error(self, "unknown option '%s'", arg);
			goto out;
		}
	}
	rc = submit_source_check(self, &src, &view);
	if (rc)
		goto out;
	if (submit_source_params(&src, params, &anchor, &default_output,
				 &err)) {
		rc = client_fail(&err);
		goto out;
	}
	if (submit_args_finish(self, &a, anchor, default_output, &err)) {
		rc = cmd_usage_error(self, "%s", err_msg(&err));
		goto out;
	}
	json_object_update(params, a.options);
	rc = submit_run(cl, "job/submit", params, &view);
out:
	json_decref(params);
	submit_args_release(&a);
	free(anchor);
	free(default_output);
	err_release(&err);
	return rc;
}

const struct cmd_entry cmd_submit_entry = {
    .name = "submit",
    .args = "(FILE | - | --git URL --path P [--ref R]) [submit options]",
    .summary = "profile a Python file, translate its hot functions to "
	       "Rust, build and verify them",
    .exec = cmd_submit_exec,
};
