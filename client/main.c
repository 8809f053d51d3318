/*
 * main.c - rustifyctl's entry point: global options (--socket,
 * --no-autostart, --help, --version), the command table and its lookup,
 * usage text, option matching shared by the commands, and the mapping of
 * errors to exit statuses.
 *
 * Each command lives in its own client/cmd-*.c file and exports one
 * struct cmd_entry; adding a command is one new file plus one line in
 * cmd_table below. Talking to the daemon is conn.c's job.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

static const struct cmd_entry *const cmd_table[] = {
    &cmd_submit_entry,
    &cmd_index_entry,
    &cmd_status_entry,
    &cmd_jobs_entry,
    &cmd_cancel_entry,
    &cmd_retry_entry,
    &cmd_result_entry,
    &cmd_cache_entry,
    &cmd_rebuild_entry,
    &cmd_watch_entry,
    &cmd_unwatch_entry,
    &cmd_watches_entry,
    &cmd_ping_entry,
    &cmd_shutdown_entry,
    &cmd_daemon_entry,
    &cmd_help_entry,
    NULL,
};

static const char submit_options_help[] =
    "submit options:\n"
    "  --function NAME      translate this function (repeatable)\n"
    "  --threshold PCT      select functions above PCT% of the time\n"
    "  --all                select every function\n"
    "  --iterations N       run the entry point N times while profiling\n"
    "  --entry MOD:FUNC     profile by calling this function\n"
    "  --entry-cmd \"S A..\"  profile by running this script\n"
    "  --list-targets       only list the candidate functions\n"
    "  --output DIR         where the extension goes\n"
    "  --module NAME        name of the generated extension module\n"
    "  --python PATH        interpreter to profile and verify with\n"
    "  --install            pip install the wheel into that interpreter\n"
    "  --dry-run            stop before building\n"
    "  --measure-budget S   seconds for the whole-workload check (default\n"
    "                       10x the workload, at most 90; 0 skips it)\n"
    "  --no-wait            print the job id and return at once\n"
    "  --json               print the final job as one JSON document\n"
    "  -v, -q               also print job logs / print only the result\n";

const struct cmd_entry *cmd_find(const char *name)
{
	for (size_t i = 0; cmd_table[i]; i++)
		if (!strcmp(cmd_table[i]->name, name))
			return cmd_table[i];
	return NULL;
}

void cmd_print_usage(FILE *f)
{
	fprintf(f, "usage: rustifyctl [--no-autostart] [--socket PATH] "
		   "COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; cmd_table[i]; i++) {
		const struct cmd_entry *e = cmd_table[i];

		fprintf(f, "  %s %s\n      %s\n", e->name, e->args, e->summary);
	}
	fprintf(f, "\n%s", submit_options_help);
	fprintf(
	    f,
	    "\nglobal options:\n"
	    "  --socket PATH        daemon socket (default $RUSTIFY_SOCKET,\n"
	    "                       $XDG_RUNTIME_DIR/rustify/rustifyd.sock,\n"
	    "                       /tmp/rustify-$UID/rustifyd.sock)\n"
	    "  --no-autostart       never start rustifyd\n"
	    "  --version            print the client version\n"
	    "\nexit status: 0 done, 1 job failed or daemon error, 2 usage, "
	    "3 daemon unreachable\n");
}

int cmd_print_help(const struct cmd_entry *e)
{
	printf("usage: rustifyctl %s %s\n  %s\n", e->name, e->args, e->summary);
	if (e == &cmd_submit_entry || e == &cmd_watch_entry)
		printf("\n%s", submit_options_help);
	return CLIENT_EXIT_OK;
}

bool cmd_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...)
{
	va_list ap;

	fputs("rustifyctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (e)
		fprintf(stderr, "usage: rustifyctl %s %s\n", e->name, e->args);
	else
		cmd_print_usage(stderr);
	return CLIENT_EXIT_USAGE;
}

int opt_match(int argc, char **argv, int *i, const char *name, const char **val)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);

	if (strncmp(arg, name, n))
		return 0;
	if (arg[n] == '=') {
		if (!val) {
			fprintf(stderr, "rustifyctl: %s takes no value\n",
				name);
			return -1;
		}
		*val = arg + n + 1;
		return 1;
	}
	if (arg[n])
		return 0;
	if (!val)
		return 1;
	if (*i + 1 >= argc) {
		fprintf(stderr, "rustifyctl: %s needs a value\n", name);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

static void client_set_socket(struct client *cl, const char *path)
{
	free(cl->socket_path);
	cl->socket_path = path_absolute(path);
	cl->has_socket_option = true;
}

int cmd_common_option(struct client *cl, int argc, char **argv, int *i)
{
	const char *val = NULL;
	int rc;

	rc = opt_match(argc, argv, i, "--no-autostart", NULL);
	if (rc) {
		if (rc > 0)
			cl->no_autostart = true;
		return rc;
	}
	rc = opt_match(argc, argv, i, "--socket", &val);
	if (rc > 0)
		client_set_socket(cl, val);
	return rc;
}

int cmd_parse_args(const struct cmd_entry *e, struct client *cl, int argc,
		   char **argv, const char **pos, size_t npos, bool *is_json)
{
	size_t got = 0;
	bool is_dashdash = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int m;

		if (is_dashdash || arg[0] != '-' || !arg[1]) {
			if (got == npos)
				return cmd_usage_error(e,
						       "unexpected argument "
						       "'%s'",
						       arg);
			pos[got++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			is_dashdash = true;
			continue;
		}
		if (cmd_is_help(arg))
			return cmd_print_help(e);
		m = cmd_common_option(cl, argc, argv, &i);
		if (!m && is_json &&
		    (m = opt_match(argc, argv, &i, "--json", NULL)) > 0)
			*is_json = true;
		if (m < 0)
			return CLIENT_EXIT_USAGE;
		if (!m)
			return cmd_usage_error(e, "unknown option '%s'", arg);
	}
	if (got < npos)
		return cmd_usage_error(e, "missing %s", pos[got]);
	return -1;
}

int client_exit_status(const struct err *err)
{
	switch (err->code) {
	case RUSTIFY_ECONNECT:
	case RUSTIFY_EIO:
	case RUSTIFY_ETIMEOUT:
		return CLIENT_EXIT_UNREACHABLE;
	case RUSTIFY_OK:
		return CLIENT_EXIT_OK;
	default:
		return CLIENT_EXIT_FAIL;
	}
}

int client_fail(const struct err *err)
{
	fprintf(stderr, "rustifyctl: %s\n", err_msg(err));
	return client_exit_status(err);
}

static int cmd_help_exec(const struct cmd_entry *self, struct client *cl,
			 int argc, char **argv)
{
	const struct cmd_entry *e;

	(void)self;
	(void)cl;
	if (argc < 2) {
		cmd_print_usage(stdout);
		return CLIENT_EXIT_OK;
	}
	e = cmd_find(argv[1]);
	if (!e)
		return cmd_usage_error(NULL, "unknown command '%s'", argv[1]);
	return cmd_print_help(e);
}

const struct cmd_entry cmd_help_entry = {
    .name = "help",
    .args = "[COMMAND]",
    .summary = "print this help, or one command's",
    .exec = cmd_help_exec,
};

int main(int argc, char **argv)
{
	struct client cl = {0};
	const struct cmd_entry *e;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (cmd_is_help(argv[i])) {
			cmd_print_usage(stdout);
			rc = CLIENT_EXIT_OK;
			goto out;
		}
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("rustifyctl %s (protocol %d)\n", RUSTIFY_VERSION,
			       RUSTIFY_PROTOCOL_VERSION);
			rc = CLIENT_EXIT_OK;
			goto out;
		}
		rc = cmd_common_option(&cl, argc, argv, &i);
		if (rc < 0) {
			rc = cmd_usage_error(NULL, "bad global option");
			goto out;
		}
		if (!rc) {
			rc = cmd_usage_error(NULL, "unknown option '%s'",
					     argv[i]);
			goto out;
		}
	}
	if (i >= argc) {
		rc = cmd_usage_error(NULL, "no command given");
		goto out;
	}
	e = cmd_find(argv[i]);
	if (!e) {
		rc = cmd_usage_error(NULL, "unknown command '%s'", argv[i]);
		goto out;
	}
	if (!cl.socket_path)
		cl.socket_path = rustify_socket_default(NULL);
	rc = e->exec(e, &cl, argc - i, argv + i);
out:
	fflush(stdout);
	free(cl.socket_path);
	return rc;
}
