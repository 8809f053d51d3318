/*
 * cmd-rebuild.c - `rustifyctl rebuild DIR`: asks the daemon to rebuild a
 * generated crate in DIR (crate/rebuild), e.g. after the Rust was edited
 * by hand, and follows the resulting job like submit does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client.h"

static int cmd_rebuild_exec(const struct cmd_entry *self, struct client *cl,
			    int argc, char **argv)
{
	struct submit_view view = {0};
	struct err err = ERR_INIT;
	json_t *params = NULL;
	const char *dir = NULL;
	char *abs = NULL;
	int rc = 0;

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
		m = cmd_common_option(cl, argc, argv, &i);
		if (!m)
			m = submit_view_parse(&view, argc, argv, &i);
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
	if (path_existing_dir(dir, "rebuild", &abs, &err)) {
		rc = client_fail(&err);
		goto out;
	}
	params = json_pack("{s:s}", "dir", abs);
	rc = submit_run(cl, "crate/rebuild", params, &view);
out:
	json_decref(params);
	free(abs);
	err_release(&err);
	return rc;
}

const struct cmd_entry cmd_rebuild_entry = {
    .name = "rebuild",
    .args = "DIR [--no-wait] [--json] [-v | -q]",
    .summary = "rebuild and verify the generated crate in DIR",
    .exec = cmd_rebuild_exec,
};
