/*
 * index.h - the source index: what a Python file defines, from its syntax
 * tree (tree-sitter-python), without running it.
 *
 * index_source() is safe to call from several threads at once (each call
 * has its own parser); it blocks for the parse, so the daemon runs it on the
 * worker pool. The document it builds is described in index.c.
 */
#ifndef RUSTIFY_INDEX_H
#define RUSTIFY_INDEX_H

#include <stddef.h>

#include <jansson.h>

#include "rustify/error.h"

/* At most this many syntax errors are listed; "errors_truncated" says so. */
#define INDEX_MAX_ERRORS 1000

/*
 * Indexes len bytes of UTF-8 Python source (NUL bytes and invalid UTF-8 are
 * tolerated). Syntax errors are not a failure: they are listed in the
 * document, which covers whatever could be parsed. Returns 0 and a new
 * reference in *index, or a negative RUSTIFY_E* code with *index NULL:
 * RUSTIFY_ELIMIT when the source is over 4 GiB, RUSTIFY_ETIMEOUT when the
 * parse runs over its time limit (2 s + 2 ms per KiB), RUSTIFY_EINTERNAL
 * when the grammar cannot be loaded.
 */
int index_source(const char *src, size_t len, json_t **index, struct err *err);

/* The index cache key of a source's text: its SHA-256 and the grammar
 * (malloc'd hex). */
char *index_cache_key(const char *source_sha256);

/* "tree-sitter-python 0.23.6/abi14": part of every index cache key. */
const char *index_grammar_version(void);

#endif
