/*
 * fs.h - small file helpers shared by the stages (any thread): read a
 * whole file, write one atomically, mkdir -p, rm -r.
 */
#ifndef RUSTIFY_FS_H
#define RUSTIFY_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "rustify/error.h"

/* The file's bytes (malloc'd, NUL-terminated) and length; NULL (errno
 * set) when it cannot be read. */
char *fs_read_all(const char *path, size_t *len);
/* Writes path through path.tmp and a rename. */
int fs_write_file(const char *path, const char *data, size_t len,
		  struct err *err);
/* mkdir -p; created components get mode. */
int fs_mkdirs(const char *path, mode_t mode, struct err *err);
/* rm -r, without following symlinks; missing is fine. */
void fs_remove_tree(const char *path);

#endif
