/*
 * harness.h - the Python harness files (the .py files in daemon/harness)
 * rustifyd at build time, and writing them out for a child interpreter.
 */
#ifndef RUSTIFY_HARNESS_H
#define RUSTIFY_HARNESS_H

#include <stddef.h>

#include "rustify/error.h"

/* The embedded file's bytes, or NULL when there is no such harness. */
const char *harness_get(const char *name, size_t *len);
/* Writes the named harness to dir/name (mode 0600); *path is malloc'd. */
int harness_write(const char *name, const char *dir, char **path,
		  struct err *err);

#endif
