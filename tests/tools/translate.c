/*
 * tool-translate - runs the translator on one Python file and prints the
 * report JSON (or the typed IR with --dump-ir).
 *
 *   build/tool-translate --source FILE --module NAME --out DIR
 *       [--function QUALNAME]... [--signatures FILE.json]
 *       [--python-version 3.11.7] [--dump-ir]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rustify/buf.h"
#include "rustify/error.h"
#include "../../daemon/translate/translate.h"

static int read_file(const char *path, struct buf *out)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!fp)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	fclose(fp);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tool-translate --source FILE --module NAME "
		"--out DIR [--function NAME]... [--signatures FILE.json] "
		"[--python-version 3.11.7] [--dump-ir]\n");
}

int main(int argc, char **argv)
{
	const char *source = NULL, *module = NULL, *out = NULL, *sigfile = NULL;
	const char *pyver = "3.11.7";
	bool dump = false;
	json_t *req = json_object(), *fns = json_array(), *report = NULL;
	struct buf src = BUF_INIT;
	struct err err = ERR_INIT;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--dump-ir")) {
			dump = true;
			continue;
		}
		if (!v) {
			usage();
			goto out;
		}
		i++;
		if (!strcmp(a, "--source"))
			source = v;
		else if (!strcmp(a, "--module"))
			module = v;
		else if (!strcmp(a, "--out"))
			out = v;
		else if (!strcmp(a, "--function"))
			json_array_append_new(fns, json_string(v));
		else if (!strcmp(a, "--signatures"))
			sigfile = v;
		else if (!strcmp(a, "--python-version"))
			pyver = v;
		else {
			usage();
			goto out;
		}
	}
	if (!source || (!dump && (!module || !out))) {
		usage();
		goto out;
	}
	if (read_file(source, &src) < 0) {
		fprintf(stderr, "tool-translate: cannot read %s\n", source);
		goto out;
	}
	if (module)
		json_object_set_new(req, "module", json_string(module));
	json_object_set_new(req, "source_name", json_string(source));
	json_object_set_new(req, "source_path", json_string(source));
	json_object_set_new(req, "python_version", json_string(pyver));
	json_object_set_new(req, "pyo3_version", json_string("0.30.1"));
	if (json_array_size(fns))
		json_object_set(req, "functions", fns);
	if (sigfile) {
		json_error_t jerr;
		json_t *sigs = json_load_file(sigfile, 0, &jerr);
		if (!sigs) {
			fprintf(stderr, "tool-translate: %s:%d: %s\n", sigfile,
				jerr.line, jerr.text);
			goto out;
		}
		json_object_set_new(req, "signatures", sigs);
	}
	if (dump) {
		struct buf ir = BUF_INIT;
		rc = translate_dump_ir(src.data, src.len, req, &ir) < 0;
		fputs(ir.data, stdout);
		buf_release(&ir);
		goto out;
	}
	if (translate_module(src.data, src.len, req, out, &report, &err) < 0) {
		fprintf(stderr, "tool-translate: %s\n", err_msg(&err));
		goto out;
	}
	json_dumpf(report, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	rc = 0;
out:
	json_decref(report);
	json_decref(req);
	json_decref(fns);
	buf_release(&src);
	err_release(&err);
	return rc;
}
