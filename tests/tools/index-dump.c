/*
 * index-dump.c - `tool-index-dump FILE...`: runs index_source() over each
 * file and prints one compact JSON document per line, in argument order,
 * for the Python corpus tests. The tool adds "path" to each document. A
 * file that cannot be read or indexed gives {"path": ..., "error": ...}
 * instead, and the exit status is 1; otherwise 0.
 *
 * With no arguments it reads file names from stdin, one per line, so a
 * test can feed thousands of files to one process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../daemon/index.h"
#include "rustify/buf.h"
#include "rustify/error.h"

static int dump_read_file(const char *path, struct buf *out, struct err *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int ret = 0;

	buf_reset(out);
	if (!f)
		return err_set(err, RUSTIFY_EIO, "%s: %s", path,
			       strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	if (ferror(f))
		ret = err_set(err, RUSTIFY_EIO, "%s: read error", path);
	fclose(f);
	return ret;
}

static json_t *dump_path_json(const char *path)
{
	json_t *j = json_string(path);

	return j ? j : json_string("(path is not UTF-8)");
}

/* Prints the line for one file; returns 0 or a negative RUSTIFY_E* code. */
static int dump_file(const char *path, struct buf *src)
{
	struct err err = ERR_INIT;
	json_t *doc = NULL;
	char *line = NULL;
	int ret;

	ret = dump_read_file(path, src, &err);
	if (!ret)
		ret = index_source(src->data, src->len, &doc, &err);
	if (ret)
		doc = json_pack("{s:s}", "error", err_msg(&err));
	json_object_set_new(doc, "path", dump_path_json(path));
	line = json_dumps(doc, JSON_COMPACT);
	if (line)
		puts(line);
	else
		ret =
		    err_set(&err, RUSTIFY_EINTERNAL, "%s: cannot print", path);
	free(line);
	json_decref(doc);
	err_release(&err);
	return ret;
}

int main(int argc, char **argv)
{
	struct buf src = BUF_INIT;
	struct buf name = BUF_INIT;
	int status = 0, c, i;

	for (i = 1; i < argc; i++)
		if (dump_file(argv[i], &src))
			status = 1;
	if (argc < 2) {
		while ((c = getchar()) != EOF) {
			if (c != '\n') {
				buf_addch(&name, (char)c);
				continue;
			}
			if (name.len && dump_file(name.data, &src))
				status = 1;
			buf_reset(&name);
			fflush(stdout);
		}
		if (name.len && dump_file(name.data, &src))
			status = 1;
	}
	buf_release(&name);
	buf_release(&src);
	return status;
}
