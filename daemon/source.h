/*
 * source.h - the "sources" stage of the job pipeline: a file on disk, a
 * piece of text sent by a client, or a path inside a git repository becomes
 * a struct source holding decoded UTF-8 Python text and its SHA-256.
 *
 * Every function is synchronous and thread-safe: the daemon calls them from
 * libuv worker threads, never from the loop thread. Each returns 0 or a
 * negative RUSTIFY_E* code with a message in err. On success *out is
 * replaced (whatever it held is released); on failure it is left as it was.
 */
#ifndef RUSTIFY_SOURCE_H
#define RUSTIFY_SOURCE_H

#include <stddef.h>

#include "rustify/error.h"

/* What callers pass as max_bytes unless configured otherwise; 0 means this. */
#define SOURCE_MAX_BYTES_DEFAULT ((size_t)8 << 20)

struct source {
	char *name;	 /* module stem, e.g. "euclidean" */
	char *path;	 /* absolute real path of the .py file; NULL for text */
	char *dir;	 /* directory to run the program from; NULL for text */
	char *text;	 /* decoded UTF-8, NUL-terminated, BOM stripped */
	size_t len;	 /* bytes in text, without the NUL */
	char sha256[65]; /* lowercase hex of the decoded text */
	char *encoding;	 /* declared encoding (normalised) or "utf-8" */
	char *git_commit; /* hex commit id for git sources, else NULL */
};

void source_init(struct source *s);
void source_release(struct source *s);

/*
 * Decodes Python source bytes as CPython does (PEP 263 coding declaration
 * on line 1 or 2, UTF-8 BOM) into out->text, out->len, out->sha256 and
 * out->encoding; other fields are left alone. origin names the bytes in
 * error messages ("ORIGIN: invalid utf-8 at byte offset N").
 */
int source_decode(const char *bytes, size_t len, const char *origin,
		  struct source *out, struct err *err);

/* Loads an absolute path to a regular file of at most max_bytes bytes. */
int source_load_file(const char *path, size_t max_bytes, struct source *out,
		     struct err *err);

/*
 * Loads text sent by a client. name must be a Python identifier; NULL or ""
 * means "stdin". path and dir stay NULL.
 */
int source_load_text(const char *text, size_t len, const char *name,
		     struct source *out, struct err *err);

/*
 * Loads path (relative, inside the repository) from the commit ref (NULL:
 * the remote's default branch) of the repository at url. The repository is
 * mirrored under cache_dir/git/ and fetched again on later calls; the whole
 * tree of the commit is checked out into checkout_dir (created if needed),
 * so sibling modules import. url may be https://, ssh://, user@host:path,
 * file:// or an absolute local path.
 */
int source_load_git(const char *cache_dir, const char *url, const char *path,
		    const char *ref, const char *checkout_dir, size_t max_bytes,
		    struct source *out, struct err *err);

/* At exit: releases libgit2 if a git source started it. */
void source_git_shutdown(void);

#endif
