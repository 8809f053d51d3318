/*
 * manifest.h - rustify.json, the manifest of an output dir (README
 * "Output"): one entry per module with its source, each function's hash,
 * whether it is accelerated and why not, the whole-workload check's
 * figures and the tool versions. The drop-in runner
 * (harness/rustify_run_swap.py) reads it; deliver writes it, the measure
 * stage writes one of its own to run the workload with the package.
 */
#ifndef RUSTIFY_MANIFEST_H
#define RUSTIFY_MANIFEST_H

#include <jansson.h>

#include "jobs.h"
#include "rustify/error.h"

/* This job's module entry. source: the path the runner matches (NULL:
 * the source's own path). */
json_t *manifest_entry(struct job_run *r, const char *source);
/* Merges entry into the rustify.json of the folder outfd (a symlink
 * there is replaced, not read or written through). */
int manifest_merge_at(int outfd, json_t *entry, struct err *err);
/* Writes a manifest holding entry alone to path. */
int manifest_write(const char *path, json_t *entry, struct err *err);
/* Reads a manifest (NULL with err when it is missing or malformed). */
json_t *manifest_load(const char *path, struct err *err);
/* The entry of module in a manifest, or NULL. */
json_t *manifest_module(json_t *manifest, const char *module);

#endif
