/*
 * cmd-watch.c - `rustifyctl watch DIR`, `unwatch DIR` and `watches`:
 * registering a directory with the daemon so that saved Python files are
 * resubmitted (watch/add, watch/remove, watch/list), and with --follow
 * printing the daemon's watch/event notifications (watch/subscribe)
 * until Ctrl-C.
 *
 * The submit options of a watch are parsed and resolved by cmd-submit.c,
 * with the watched directory as the anchor for finding a .venv.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client.h"

#define WATCH_FLAGS (CONN_AUTOSTART | CONN_VERSION_CHECK)

static volatile sig_atomic_t watch_is_interrupted;

static void watch_on_sigint(int sig)
{
	(void)sig;
	watch_is_interrupted = 1;
}

static void watch_on_notify(void *arg, const char *method, json_t *params)
{
	bool is_json = *(bool *)arg;
	char *text;

	if (strcmp(method, "watch/event"))
		return;
	text = json_dumps(params, JSON_COMPACT);
	if (is_json) {
		printf("%s\n", text ? text : "null");
	} else {
		const char *path = json_get_str(params, "path", NULL);
		char *job = json_get_id(params, "job");

		printf("%s%s%s%s%s\n",
		       json_get_str(params, "event",
				    json_get_str(params, "kind", "event")),
		       path ? " " : "", path ? path : "", job ? " job " : "",
		       job ? job : "");
		free(job);
	}
	fflush(stdout);
	free(text);
}

/* Follows watch/event notifications until Ctrl-C or the daemon leaves. */
static int watch_follow(struct client *cl, bool is_json)
{
	struct err err = ERR_INIT;
	struct sigaction sa;
	json_t *res = NULL;
	struct conn c;
	int rc;

	conn_init(&c, cl);
	c.on_notify = watch_on_notify;
	c.notify_arg = &is_json;
	rc = conn_open(&c, WATCH_FLAGS, &err);
	if (!rc)
		rc = conn_call(&c, "watch/subscribe", NULL, &res, &err);
	if (rc) {
		if (rc == RUSTIFY_EMETHOD)
			err_prefix(&err, "watch/subscribe");
		rc = client_fail(&err);
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_sigint;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	while (!watch_is_interrupted) {
		rc = conn_poll(&c, 1000, &err);
		if (rc) {
			rc = client_fail(&err);
			goto out;
		}
	}
	rc = CLIENT_EXIT_OK;
out:
	signal(SIGINT, SIG_DFL);
	json_decref(res);
	conn_release(&c);
	err_release(&err);
	return rc;
}

static int cmd_watch_exec(const struct cmd_entry *self, struct client *cl,
			  int argc, char **argv)
{
	struct submit_args a;
	struct err err = ERR_INIT;
	json_t *res = NULL, *params;
	const char *dir = NULL;
	bool is_json = false, is_follow = false;
	char *abs = NULL;
	int rc = 0;

	submit_args_init(&a);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int m;

		if (arg[0] != '-') {
			if (dir) {
				rc = cmd_usage_error(
				    self, "unexpected argument '%s'", arg);
				goto out;
			}
			dir = arg;
			continue;
		}
		if (cmd_is_help(arg)) {
			rc = cmd_print_help(self);
			goto out;
		}
		m = submit_args_parse(self, &a, argc, argv, &i);
		if (!m)
			m = cmd_common_option(cl, argc, argv, &i);
		if (!m && (m = opt_match(argc, argv, &i, "--json", NULL)) > 0)
			is_json = true;
		if (!m && (m = opt_match(argc, argv, &i, "--follow", NULL)) > 0)
			is_follow = true;
		if (m < 0) {
			rc = CLIENT_EXIT_USAGE;
			goto out;
		}
		if (!m) {
			rc = cmd_usage_error(self, "unknown option '%s'", arg);
			goto out;
		}
	}
	if (!dir) {
		rc = cmd_usage_error(self, "missing DIR");
		goto out;
	}
	if (path_existing_dir(dir, "watch", &abs, &err)) {
		rc = client_fail(&err);
		goto out;
	}
	if (submit_args_finish(self, &a, abs, NULL, &err)) {
		rc = cmd_usage_error(self, "%s", err_msg(&err));
		goto out;
	}
	params = json_pack("{s:s, s:O}", "path", abs, "options", a.options);
	rc = conn_call_once(cl, WATCH_FLAGS, "watch/add", params, &res, &err);
	if (rc) {
		rc = client_fail(&err);
		goto out;
	}
	if (is_json)
		display_json(res);
	else
		printf("watching %s\n", abs);
	rc = is_follow ? watch_follow(cl, is_json) : CLIENT_EXIT_OK;
out:
	json_decref(res);
	submit_args_release(&a);
	free(abs);
	err_release(&err);
	return rc;
}

static int cmd_unwatch_exec(const struct cmd_entry *self, struct client *cl,
			    int argc, char **argv)
{
	const char *pos[1] = {"DIR"};
	struct err err = ERR_INIT;
	json_t *res = NULL;
	bool is_json = false;
	char *abs;
	int rc;

	rc = cmd_parse_args(self, cl, argc, argv, pos, 1, &is_json);
	if (rc >= 0)
		return rc;
	/* the directory may be gone already: then its absolute name */
	abs = realpath(pos[0], NULL);
	if (!abs)
		abs = path_absolute(pos[0]);
	rc = conn_call_once(cl, WATCH_FLAGS, "watch/remove",
			    json_pack("{s:s}", "path", abs), &res, &err);
	if (rc) {
		rc = client_fail(&err);
		goto out;
	}
	if (is_json)
		display_json(res);
	else
		printf("stopped watching %s\n", abs);
out:
	json_decref(res);
	free(abs);
	err_release(&err);
	return rc;
}

static int cmd_watches_exec(const struct cmd_entry *self, struct client *cl,
			    int argc, char **argv)
{
	struct err err = ERR_INIT;
	json_t *res = NULL, *list, *w;
	bool is_json = false;
	size_t i;
	int rc;

	rc = cmd_parse_args(self, cl, argc, argv, NULL, 0, &is_json);
	if (rc >= 0)
		return rc;
	rc = conn_call_once(cl, WATCH_FLAGS, "watch/list", NULL, &res, &err);
	if (rc) {
		rc = client_fail(&err);
		goto out;
	}
	if (is_json) {
		display_json(res);
		goto out;
	}
	list = json_is_array(res) ? res : json_object_get(res, "watches");
	if (!json_array_size(list))
		printf("no watched directories\n");
	json_array_foreach(list, i, w) {
		json_t *options = json_object_get(w, "options");
		char *text = json_object_size(options)
				 ? json_dumps(options, JSON_COMPACT)
				 : NULL;

		printf("%s%s%s\n",
		       json_is_string(w) ? json_string_value(w)
					 : json_get_str(w, "path", "?"),
		       text ? "  " : "", text ? text : "");
		free(text);
	}
out:
	json_decref(res);
	err_release(&err);
	return rc;
}

const struct cmd_entry cmd_watch_entry = {
    .name = "watch",
    .args = "DIR [submit options] [--follow] [--json]",
    .summary = "resubmit changed Python files under DIR in the "
	       "background (--follow prints the events)",
    .exec = cmd_watch_exec,
};

const struct cmd_entry cmd_unwatch_entry = {
    .name = "unwatch",
    .args = "DIR [--json]",
    .summary = "stop watching DIR",
    .exec = cmd_unwatch_exec,
};

const struct cmd_entry cmd_watches_entry = {
    .name = "watches",
    .args = "[--json]",
    .summary = "list the watched directories",
    .exec = cmd_watches_exec,
};
