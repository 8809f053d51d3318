/*
 * cmd-index.c - `rustifyctl index FILE`: asks the daemon to index a
 * Python file (source/index) and lists its functions (qualified name,
 * lines, parameters, content hash) and parse errors.
 *
 * The printout reads the index document leniently (first_line /
 * last_line or start / end positions, params as names or objects) so that
 * it survives the index growing fields; --json gives the document
 * unchanged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client.h"

static void index_add_lines(struct buf *b, json_t *fn)
{
	json_t *lines = json_object_get(fn, "lines");
	double start, end;

	start = json_get_num(fn, "first_line",
			     json_get_num(json_object_get(fn, "start"), "line",
					  json_get_num(fn, "line", -1)));
	end =
	    json_get_num(fn, "last_line",
			 json_get_num(json_object_get(fn, "end"), "line", -1));
	if (json_is_array(lines) && json_array_size(lines) == 2) {
		start = json_number_value(json_array_get(lines, 0));
		end = json_number_value(json_array_get(lines, 1));
	}
	if (start < 0)
		buf_adds(b, "-");
	else if (end < 0 || end == start)
		buf_addf(b, "%.0f", start);
	else
		buf_addf(b, "%.0f-%.0f", start, end);
}

static void index_add_params(struct buf *b, json_t *fn)
{
	json_t *params = json_object_get(fn, "params");
	json_t *p;
	size_t i;

	json_array_foreach(params, i, p) {
		const char *ann, *kind;

		if (i)
			buf_adds(b, ", ");
		if (json_is_string(p)) {
			buf_adds(b, json_string_value(p));
			continue;
		}
		kind = json_get_str(p, "kind", "");
		if (!strcmp(kind, "var_positional"))
			buf_addch(b, '*');
		else if (!strcmp(kind, "var_keyword"))
			buf_adds(b, "**");
		buf_adds(b, json_get_str(p, "name", "?"));
		ann = json_get_str(p, "annotation", NULL);
		if (ann)
			buf_addf(b, ": %s", ann);
		if (json_get_str(p, "default", NULL))
			buf_adds(b, ann ? " = ..." : "=...");
	}
}

/* Functions per source/index page (each well under the message limit). */
#define INDEX_PAGE 20000

static void index_print(json_t *doc)
{
	static const char *const headers[] = {"function", "kind", "lines",
					      "params", "hash"};
	json_t *functions = json_object_get(doc, "functions");
	json_t *errors = json_object_get(doc, "errors");
	const char *file = json_get_str(doc, "file", NULL);
	json_t *fn, *e;
	struct table t;
	size_t i;

	if (!json_array_size(functions)) {
		printf("no functions\n");
	} else {
		table_init(&t, 5, headers);
		json_array_foreach(functions, i, fn) {
			struct buf lines = BUF_INIT, params = BUF_INIT;
			const char *hash = json_get_str(fn, "hash", "");
			char *short_hash = xstrndup(hash, strnlen(hash, 12));
			const char *row[5];

			index_add_lines(&lines, fn);
			index_add_params(&params, fn);
			row[0] = json_get_str(fn, "qualname",
					      json_get_str(fn, "name", "?"));
			row[1] = json_get_str(fn, "kind", "");
			row[2] = lines.data;
			row[3] = params.data;
			row[4] = short_hash;
			table_add_row(&t, row);
			buf_release(&lines);
			buf_release(&params);
			free(short_hash);
		}
		table_print(&t, stdout);
		table_release(&t);
	}
	if (!json_array_size(errors))
		return;
	printf("\nerrors:\n");
	if (json_is_true(json_object_get(doc, "errors_truncated")))
		printf("  (only the first %zu are listed)\n",
		       json_array_size(errors));
	json_array_foreach(errors, i, e) {
		if (json_is_string(e)) {
			printf("  %s\n", json_string_value(e));
			continue;
		}
		printf("  %s%s%.0f:%.0f: %s\n", file ? file : "",
		       file ? ":" : "", json_get_num(e, "line", 0),
		       json_get_num(e, "col", json_get_num(e, "column", 0)),
		       json_get_str(e, "message", "?"));
	}
}

static int cmd_index_exec(const struct cmd_entry *self, struct client *cl,
			  int argc, char **argv)
{
	const char *pos[1] = {"FILE"};
	struct err err = ERR_INIT;
	struct buf text = BUF_INIT;
	json_t *params = NULL, *res = NULL;
	bool is_json = false;
	char *abs = NULL;
	json_int_t limit = INDEX_PAGE;
	struct stat st;
	int rc;

	rc = cmd_parse_args(self, cl, argc, argv, pos, 1, &is_json);
	if (rc >= 0)
		return rc;
	if (!strcmp(pos[0], "-")) {
		rc = read_stream(stdin, &text, &err);
		if (rc) {
			rc = client_fail(&err);
			goto out;
		}
		params = json_pack("{s:s%, s:s}", "text", text.data, text.len,
				   "name", "stdin");
		if (!params) {
			err_set(&err, RUSTIFY_ESOURCE,
				"standard input is not UTF-8 text");
			rc = client_fail(&err);
			goto out;
		}
	} else {
		abs = realpath(pos[0], NULL);
		if (!abs || stat(abs, &st) < 0 || S_ISDIR(st.st_mode)) {
			err_set(&err, RUSTIFY_ESOURCE, "cannot read %s: %s",
				pos[0],
				abs ? "is a directory" : strerror(errno));
			rc = client_fail(&err);
			goto out;
		}
		params = json_pack("{s:s}", "file", abs);
	}
	/* A big file's index is more than one message: pages of its
	 * functions, put back together here. */
	json_object_set_new(params, "limit", json_integer(limit));
	for (;;) {
		json_t *page = NULL, *next;

		rc = conn_call_once(cl, CONN_AUTOSTART | CONN_VERSION_CHECK,
				    "source/index", json_incref(params), &page,
				    &err);
		if (rc == RUSTIFY_EBUSY && limit > 1) {
			/* a page too big for one message: smaller pages */
			limit /= 2;
			json_object_set_new(params, "limit",
					    json_integer(limit));
			err_release(&err);
			continue;
		}
		if (rc) {
			rc = client_fail(&err);
			goto out;
		}
		if (!res)
			res = json_incref(page);
		else
			json_array_extend(json_object_get(res, "functions"),
					  json_object_get(page, "functions"));
		next = json_object_get(page, "next_offset");
		if (!json_is_integer(next)) {
			json_decref(page);
			break;
		}
		json_object_set(params, "offset", next);
		json_decref(page);
	}
	json_object_del(res, "next_offset");
	if (is_json)
		display_json(res);
	else
		index_print(res);
out:
	json_decref(params);
	json_decref(res);
	buf_release(&text);
	free(abs);
	err_release(&err);
	return rc;
}

const struct cmd_entry cmd_index_entry = {
    .name = "index",
    .args = "FILE [--json]",
    .summary = "list the functions the daemon finds in FILE (- reads "
	       "standard input)",
    .exec = cmd_index_exec,
};
