/*
 * fuzz_index.c - libFuzzer target for the source index: tree-sitter-python
 * over arbitrary bytes, then the walk that turns its tree into the index
 * document (functions, classes, imports, docstrings and their escapes,
 * parameters, decorators, syntax errors).
 *
 * Checks, beyond the sanitizers: the document always comes back (syntax
 * errors are listed, never a failure) with the keys the daemon reads; its
 * line and byte positions lie inside the source; it serialises to JSON;
 * indexing the same bytes twice gives the same document.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"

static void check_positions(json_t *doc, size_t len)
{
	json_int_t lines = json_integer_value(json_object_get(doc, "lines"));
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(doc, "functions"), i, f) {
		json_int_t b0 =
		    json_integer_value(json_object_get(f, "byte_start"));
		json_int_t b1 =
		    json_integer_value(json_object_get(f, "byte_end"));
		json_int_t l0 =
		    json_integer_value(json_object_get(f, "first_line"));
		json_int_t l1 =
		    json_integer_value(json_object_get(f, "last_line"));

		if (b0 < 0 || b1 < b0 || (size_t)b1 > len)
			abort();
		if (l0 < 1 || l1 < l0 || l1 > lines + 1)
			abort();
		if (!json_is_string(json_object_get(f, "qualname")) ||
		    strlen(json_string_value(json_object_get(f, "hash"))) != 64)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err err = ERR_INIT;
	json_t *doc = NULL, *doc2 = NULL;
	char *text;

	/* keep each run short: the parser's time limit grows with size */
	if (size > 65536)
		return 0;
	if (index_source((const char *)data, size, &doc, &err) < 0) {
		/* only the parser's time limit may refuse */
		if (err.code != RUSTIFY_ETIMEOUT)
			abort();
		goto out;
	}
	if (!json_is_array(json_object_get(doc, "functions")) ||
	    !json_is_array(json_object_get(doc, "imports")) ||
	    !json_is_array(json_object_get(doc, "errors")))
		abort();
	check_positions(doc, size);
	text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		abort();
	free(text);
	if (index_source((const char *)data, size, &doc2, &err) < 0 ||
	    !json_equal(doc, doc2))
		abort();
out:
	json_decref(doc);
	json_decref(doc2);
	err_release(&err);
	return 0;
}
