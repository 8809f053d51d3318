/*
 * cmd-daemon.c - the commands about the daemon itself: `daemon start`,
 * `daemon stop`, `daemon status`, `ping` and `shutdown`.
 *
 * Only `daemon start` and `ping` may start a daemon; stop, status and
 * shutdown talk to whatever answers (and never replace a daemon of
 * another version: they are how one looks at it or gets rid of it).
 */
#include <stdlib.h>
#include <string.h>

#include "client.h"

static void daemon_print_info(json_t *init, struct client *cl)
{
	json_t *caps = json_object_get(init, "capabilities");
	json_t *stages = json_object_get(caps, "stages");
	json_t *limits = json_object_get(init, "limits");
	json_t *st;
	size_t i;

	printf("rustifyd:      %s (protocol %.0f)\n",
	       json_get_str(init, "daemon_version", "?"),
	       json_get_num(init, "protocol_version", 0));
	printf("rustifyctl:    %s (protocol %d)\n", RUSTIFY_VERSION,
	       RUSTIFY_PROTOCOL_VERSION);
	printf("pid:           %.0f\n", json_get_num(init, "pid", 0));
	printf("socket:        %s\n",
	       json_get_str(init, "socket", cl->socket_path));
	printf("state dir:     %s\n", json_get_str(init, "state_dir", "?"));
	if (json_is_object(limits))
		printf(
		    "limits:        %.0f jobs, queue %.0f, %.0f connections\n",
		    json_get_num(limits, "jobs", 0),
		    json_get_num(limits, "max_queue", 0),
		    json_get_num(limits, "max_connections", 0));
	if (json_array_size(stages)) {
		printf("stages:       ");
		json_array_foreach(stages, i, st)
			printf(" %s%s", json_get_str(st, "name", "?"),
			       json_get_bool(st, "implemented") ? ""
								: "(todo)");
		printf("\n");
	}
	/* A database moved aside at start: the user must hear of it. */
	json_array_foreach(json_object_get(init, "warnings"), i, st)
		printf("warning:       %s\n", json_string_value(st));
}

/* Prints doc (stolen; NULL prints {}). */
static void daemon_print_json(json_t *doc)
{
	if (!doc)
		doc = json_object();
	display_json(doc);
	json_decref(doc);
}

/* Connects without starting anything; 1 when a daemon answered. */
static int daemon_probe(struct conn *c, struct err *err)
{
	int rc = conn_open(c, 0, err);

	if (!rc)
		return 1;
	return rc == RUSTIFY_ECONNECT ? 0 : rc;
}

static int daemon_start(struct client *cl, bool is_json)
{
	struct err err = ERR_INIT;
	struct conn c;
	bool was_running;
	int rc;

	conn_init(&c, cl);
	rc = daemon_probe(&c, &err);
	if (rc < 0)
		goto fail;
	was_running = rc == 1;
	if (!was_running) {
		err_release(&err);
		rc = conn_daemon_start(cl, &err);
		if (rc)
			goto fail;
		rc = conn_open(&c, 0, &err);
		if (rc)
			goto fail;
	}
	if (is_json)
		daemon_print_json(json_incref(c.init));
	else
		printf("rustifyd %s %s (pid %.0f, socket %s)\n",
		       json_get_str(c.init, "daemon_version", "?"),
		       was_running ? "is already running" : "started",
		       json_get_num(c.init, "pid", 0), cl->socket_path);
	rc = CLIENT_EXIT_OK;
	goto out;
fail:
	rc = client_fail(&err);
out:
	conn_release(&c);
	err_release(&err);
	return rc;
}

/* shutdown; with wait, also until the process and its socket are gone. */
static int daemon_stop(struct client *cl, bool is_json, bool wait)
{
	struct err err = ERR_INIT;
	json_t *res = NULL;
	struct conn c;
	long pid;
	int rc;

	conn_init(&c, cl);
	rc = daemon_probe(&c, &err);
	if (rc == 0 && wait) {
		/* stopping what is stopped is fine */
		printf("rustifyd is not running (socket %s)\n",
		       cl->socket_path);
		rc = CLIENT_EXIT_OK;
		goto out;
	}
	if (rc == 0) {
		rc = client_fail(&err);
		goto out;
	}
	if (rc < 0)
		goto fail;
	pid = (long)json_get_num(c.init, "pid", 0);
	rc = conn_call(&c, "shutdown", NULL, &res, &err);
	if (rc && rc != RUSTIFY_ESHUTDOWN)
		goto fail;
	err_release(&err);
	conn_close(&c);
	if (wait) {
		rc = conn_daemon_wait_gone(cl, pid, CLIENT_START_TIMEOUT_MS,
					   &err);
		if (rc)
			goto fail;
	}
	if (is_json)
		daemon_print_json(json_incref(res));
	else if (wait)
		printf("rustifyd stopped (pid %ld)\n", pid);
	else
		printf("rustifyd is shutting down (pid %ld)\n", pid);
	rc = CLIENT_EXIT_OK;
	goto out;
fail:
	rc = client_fail(&err);
out:
	json_decref(res);
	conn_release(&c);
	err_release(&err);
	return rc;
}

static int daemon_status(struct client *cl, bool is_json)
{
	struct err err = ERR_INIT;
	struct conn c;
	int rc;

	conn_init(&c, cl);
	rc = daemon_probe(&c, &err);
	if (rc == 0) {
		if (is_json)
			daemon_print_json(json_pack("{s:b, s:s}", "running", 0,
						    "socket", cl->socket_path));
		else
			printf("rustifyd is not running (socket %s)\n",
			       cl->socket_path);
		rc = CLIENT_EXIT_UNREACHABLE;
		goto out;
	}
	if (rc < 0) {
		rc = client_fail(&err);
		goto out;
	}
	if (is_json)
		daemon_print_json(json_incref(c.init));
	else if (c.init)
		daemon_print_info(c.init, cl);
	else
		printf("rustifyd is running (socket %s) but does not answer "
		       "initialize\n",
		       cl->socket_path);
	rc = CLIENT_EXIT_OK;
out:
	conn_release(&c);
	err_release(&err);
	return rc;
}

static int cmd_daemon_exec(const struct cmd_entry *self, struct client *cl,
			   int argc, char **argv)
{
	const char *pos[1] = {"start, stop or status"};
	bool is_json = false;
	int rc;

	rc = cmd_parse_args(self, cl, argc, argv, pos, 1, &is_json);
	if (rc >= 0)
		return rc;
	if (!strcmp(pos[0], "start"))
		return daemon_start(cl, is_json);
	if (!strcmp(pos[0], "stop"))
		return daemon_stop(cl, is_json, true);
	if (!strcmp(pos[0], "status"))
		return daemon_status(cl, is_json);
	return cmd_usage_error(self, "unknown daemon command '%s'", pos[0]);
}

static int cmd_shutdown_exec(const struct cmd_entry *self, struct client *cl,
			     int argc, char **argv)
{
	bool is_json = false;
	int rc = cmd_parse_args(self, cl, argc, argv, NULL, 0, &is_json);

	if (rc >= 0)
		return rc;
	return daemon_stop(cl, is_json, false);
}

static int cmd_ping_exec(const struct cmd_entry *self, struct client *cl,
			 int argc, char **argv)
{
	struct err err = ERR_INIT;
	json_t *res = NULL;
	bool is_json = false;
	struct conn c;
	double t0;
	int rc;

	rc = cmd_parse_args(self, cl, argc, argv, NULL, 0, &is_json);
	if (rc >= 0)
		return rc;
	conn_init(&c, cl);
	rc = conn_open(&c, CONN_AUTOSTART | CONN_VERSION_CHECK, &err);
	if (rc)
		goto fail;
	t0 = time_monotonic();
	rc = conn_call(&c, "ping", NULL, &res, &err);
	if (rc)
		goto fail;
	if (is_json)
		display_json(res);
	else
		printf("pong from rustifyd %s (pid %.0f) in %.2f ms\n",
		       json_get_str(c.init, "daemon_version", "?"),
		       json_get_num(c.init, "pid", 0),
		       (time_monotonic() - t0) * 1000.0);
	rc = CLIENT_EXIT_OK;
	goto out;
fail:
	rc = client_fail(&err);
out:
	json_decref(res);
	conn_release(&c);
	err_release(&err);
	return rc;
}

const struct cmd_entry cmd_daemon_entry = {
    .name = "daemon",
    .args = "start|stop|status [--json]",
    .summary = "start rustifyd in the background, stop it and wait until "
	       "it is gone, or show its versions, pid, socket and state "
	       "dir (exit 3 when not running)",
    .exec = cmd_daemon_exec,
};

const struct cmd_entry cmd_ping_entry = {
    .name = "ping",
    .args = "[--json]",
    .summary = "check that rustifyd answers",
    .exec = cmd_ping_exec,
};

const struct cmd_entry cmd_shutdown_entry = {
    .name = "shutdown",
    .args = "[--json]",
    .summary = "ask rustifyd to exit (running jobs are cancelled after a "
	       "grace period)",
    .exec = cmd_shutdown_exec,
};
