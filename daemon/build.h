/*
 * build.h - the build stage: `maturin build --release` of a job's generated
 * crate, for the job's interpreter, with one cargo target dir shared by all
 * builds in the state dir, behind a build lock (one cargo at a time; other
 * jobs wait and say so), and a wheel cache in cache.db keyed by SHA-256 of
 * the crate's files and the toolchain.
 */
#ifndef RUSTIFY_BUILD_H
#define RUSTIFY_BUILD_H

#include <stdbool.h>

#include "jobs.h"

/*
 * Builds r's crate (crate_dir) into wheel_dir. On success the result gets
 * "wheel" (path) and the stage message says whether it was a cache hit.
 * When done, calls job_stage_done().
 */
void build_start(struct job_run *r, const char *crate_dir,
		 const char *wheel_dir, const char *python,
		 const char *python_soabi);
/* Whether a job holds the build lock (its cargo runs). */
bool build_is_running(void);
/* The job ended (done, failed, cancelled): let the next waiter build. */
void build_release(struct job_run *r);
/* First rustc error of a build log, mapped to the Python line through the
 * generated "// line N" comments of lib.rs. Exposed for tests. */
char *build_first_error(const char *log, const char *lib_rs);
/* Whether a failed build's output says the disk was full. Exposed for
 * tests. */
bool build_log_is_disk_full(const char *log);
/* The Python function whose generated Rust holds the first rustc error of
 * a build log (its "// line N: def f" header or its entry point's
 * #[pyo3(name = "f")]), or NULL. Exposed for tests. */
char *build_error_function(const char *log, const char *lib_rs);
/* Every function with an error in the build log, name: its first error
 * line, into out (an object; in the order of the errors). */
struct json_t;
void build_error_functions(const char *log, const char *lib_rs,
			   struct json_t *out);
/*
 * Finds the versions of rustc, cargo and maturin on the pool and keeps them
 * in d->toolchain (NULL until known, or when a tool is missing). Every
 * build's preflight refreshes them too. A whole-job cache hit needs them
 * known and equal to those of the build it reuses.
 */
void build_probe_toolchain(struct daemon *d);

#endif
