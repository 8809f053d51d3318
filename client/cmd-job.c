/*
 * cmd-job.c - the commands about existing jobs: `status`, `jobs`,
 * `cancel`, `retry` and `result`. Each is one job/ method call and a
 * printout (human text, or the daemon's JSON with --json).
 *
 * Following a job live is submit's business (cmd-submit.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define JOB_FLAGS (CONN_AUTOSTART | CONN_VERSION_CHECK)

/*
 * Runs method {"job": id}; print shows the result unless --json and
 * returns the exit status (NULL stream: only the status).
 */
static int job_simple(const struct cmd_entry *self, struct client *cl, int argc,
		      char **argv, const char *method,
		      int (*print)(json_t *res, const char *job, FILE *f))
{
	const char *pos[1] = {"JOB"};
	struct err err = ERR_INIT;
	json_t *res = NULL;
	bool is_json = false;
	int rc;

	rc = cmd_parse_args(self, cl, argc, argv, pos, 1, &is_json);
	if (rc >= 0)
		return rc;
	rc = conn_call_once(cl, JOB_FLAGS, method,
			    json_pack("{s:s}", "job", pos[0]), &res, &err);
	if (rc) {
		rc = client_fail(&err);
		goto out;
	}
	rc = print(res, pos[0], is_json ? NULL : stdout);
	if (is_json)
		display_json(res);
out:
	json_decref(res);
	err_release(&err);
	return rc;
}

static int job_print_status(json_t *res, const char *job, FILE *f)
{
	(void)job;
	if (f)
		display_job(res, f);
	return CLIENT_EXIT_OK;
}

static int job_print_cancel(json_t *res, const char *job, FILE *f)
{
	if (f)
		fprintf(f, "cancelled job %s (%s)\n", job,
			json_get_str(res, "state", JOB_CANCELLED));
	return CLIENT_EXIT_OK;
}

/* Like submit, the exit status tells whether the job succeeded. */
static int job_print_result(json_t *res, const char *job, FILE *f)
{
	(void)job;
	if (f)
		display_result(res, f);
	return strcmp(json_get_str(res, "state", JOB_DONE), JOB_DONE)
		   ? CLIENT_EXIT_FAIL
		   : CLIENT_EXIT_OK;
}

static int cmd_status_exec(const struct cmd_entry *self, struct client *cl,
			   int argc, char **argv)
{
	return job_simple(self, cl, argc, argv, "job/status", job_print_status);
}

static int cmd_cancel_exec(const struct cmd_entry *self, struct client *cl,
			   int argc, char **argv)
{
	return job_simple(self, cl, argc, argv, "job/cancel", job_print_cancel);
}

/* Like submit: follows the new job to its end and prints its result. */
static int cmd_retry_exec(const struct cmd_entry *self, struct client *cl,
			  int argc, char **argv)
{
	struct submit_view view = {0};
	const char *job = NULL;
	json_t *params;
	int rc;

	for (int i = 1; i < argc; i++) {
		int m;

		if (cmd_is_help(argv[i]))
			return cmd_print_help(self);
		if (argv[i][0] != '-' || !argv[i][1]) {
			if (job)
				return cmd_usage_error(
				    self, "unexpected argument '%s'", argv[i]);
			job = argv[i];
			continue;
		}
		m = cmd_common_option(cl, argc, argv, &i);
		if (!m)
			m = submit_view_parse(&view, argc, argv, &i);
		if (m < 0)
			return CLIENT_EXIT_USAGE;
		if (!m)
			return cmd_usage_error(self, "unknown option '%s'",
					       argv[i]);
	}
	if (!job)
		return cmd_usage_error(self, "missing JOB");
	if (view.is_verbose && view.is_quiet)
		return cmd_usage_error(self, "-v and -q exclude each other");
	params = json_pack("{s:s}", "job", job);
	rc = submit_run(cl, "job/retry", params, &view);
	json_decref(params);
	return rc;
}

static int cmd_result_exec(const struct cmd_entry *self, struct client *cl,
			   int argc, char **argv)
{
	return job_simple(self, cl, argc, argv, "job/result", job_print_result);
}

static int cmd_jobs_exec(const struct cmd_entry *self, struct client *cl,
			 int argc, char **argv)
{
	static const char *const headers[] = {"job", "state", "stage",
					      "created", "source"};
	struct err err = ERR_INIT;
	json_t *params = json_object(), *res = NULL, *jobs, *job;
	bool is_json = false;
	struct table t;
	size_t k;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *val = NULL;
		int m;

		if (cmd_is_help(argv[i])) {
			rc = cmd_print_help(self);
			goto out;
		}
		m = cmd_common_option(cl, argc, argv, &i);
		if (!m && (m = opt_match(argc, argv, &i, "--json", NULL)) > 0)
			is_json = true;
		if (!m && (m = opt_match(argc, argv, &i, "--state", &val)) > 0)
			json_object_set_new(params, "state", json_string(val));
		if (!m &&
		    (m = opt_match(argc, argv, &i, "--limit", &val)) > 0) {
			char *end;
			long long n;

			errno = 0;
			n = strtoll(val, &end, 10);
			if (end == val || *end || errno || n < 1) {
				rc =
				    cmd_usage_error(self, "--limit: expected a "
							  "positive integer");
				goto out;
			}
			json_object_set_new(params, "limit",
					    json_integer((json_int_t)n));
		}
		if (m < 0) {
			rc = CLIENT_EXIT_USAGE;
			goto out;
		}
		if (!m) {
			rc = cmd_usage_error(self, "unexpected argument '%s'",
					     argv[i]);
			goto out;
		}
	}
	rc = conn_call_once(cl, JOB_FLAGS, "job/list", json_incref(params),
			    &res, &err);
	if (rc) {
		rc = client_fail(&err);
		goto out;
	}
	if (is_json) {
		display_json(res);
		goto out;
	}
	jobs = json_object_get(res, "jobs");
	if (!json_array_size(jobs)) {
		printf("no jobs\n");
		goto out;
	}
	table_init(&t, 5, headers);
	table_align_right(&t, 0);
	json_array_foreach(jobs, k, job)
		display_job_row(&t, job);
	table_print(&t, stdout);
	table_release(&t);
out:
	json_decref(params);
	json_decref(res);
	err_release(&err);
	return rc;
}

const struct cmd_entry cmd_status_entry = {
    .name = "status",
    .args = "JOB [--json]",
    .summary = "show one job: state, stage, times, error",
    .exec = cmd_status_exec,
};

const struct cmd_entry cmd_jobs_entry = {
    .name = "jobs",
    .args = "[--state STATE] [--limit N] [--json]",
    .summary = "list jobs, newest first",
    .exec = cmd_jobs_exec,
};

const struct cmd_entry cmd_cancel_entry = {
    .name = "cancel",
    .args = "JOB [--json]",
    .summary = "cancel a queued or running job",
    .exec = cmd_cancel_exec,
};

const struct cmd_entry cmd_retry_entry = {
    .name = "retry",
    .args = "JOB [--json] [--no-wait] [-v|-q]",
    .summary = "run a finished job again as a new job, and follow it like "
	       "submit",
    .exec = cmd_retry_exec,
};

const struct cmd_entry cmd_result_entry = {
    .name = "result",
    .args = "JOB [--json]",
    .summary = "print a finished job's result table",
    .exec = cmd_result_exec,
};
