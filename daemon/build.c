/*
 * build.c - the build stage (see build.h).
 *
 * Work on the pool: preflight (python, maturin, cargo, rustc present, their
 * versions) and the artifact key (SHA-256 over the crate's files, the pyo3
 * version in Cargo.toml, `rustc -vV`, the interpreter's SOABI). Then on the
 * loop thread: a cached wheel is written out, or the job takes the build
 * lock (or queues behind it) and runs maturin as a child process group.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "pipeline.h"
#include "fs.h"
#include "log.h"
#include "proc.h"
#include "sha256.h"

extern char **environ;

#define BUILD_LOG_KEEP (256u * 1024u)

struct build_state {
	char *crate_dir;
	char *wheel_dir;
	char *python;
	char *key;
	char *toolchain; /* rustc -vV, maturin and cargo versions */
	struct buf log;	 /* the build's output, bounded, for errors */
	int ncompiled;
	double started;
	bool is_waiting;
	size_t prep_step;   /* which version is being asked (prep_steps) */
	struct buf versions; /* their output: rustc, cargo, maturin, SOABI */
	size_t tools_len;    /* of versions, before the SOABI */
};

/* ---- work on the pool ---------------------------------------------------- */

struct build_prep {
	struct store *store;
	char *crate_dir;
	char *wheel_dir;
	char *versions;
	char *key;
	char *wheel; /* a cached wheel written into wheel_dir */
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hashes every regular file under dir (names sorted, path and bytes). */
static void hash_tree(struct sha256 *c, const char *dir, const char *rel)
{
	char *path = rel[0] ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		goto out;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "target") ||
		    !strcmp(e->d_name, "__pycache__"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *sub = rel[0] ? xasprintf("%s/%s", rel, names[i])
				   : xstrdup(names[i]);
		char *full = xasprintf("%s/%s", dir, sub);
		struct stat st;
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			hash_tree(c, dir, sub);
		} else if (S_ISREG(st.st_mode)) {
			FILE *f = fopen(full, "rb");
			char block[65536];
			size_t got;
			sha256_update(c, sub, strlen(sub) + 1);
			while (f && (got = fread(block, 1, sizeof(block), f)))
				sha256_update(c, block, got);
			if (f)
				fclose(f);
		}
		free(full);
		free(sub);
		free(names[i]);
	}
	free(names);
out:
	free(path);
}

/* A wheel the artifact cache holds for w->key, written out (the blob is
 * megabytes: this is the pool's work). */
static void build_cached_wheel(struct build_prep *w)
{
	struct err err = ERR_INIT;
	struct store *bg = store_bg_acquire(w->store, &err);
	json_t *hit = NULL;
	void *blob = NULL;
	size_t len = 0;

	if (bg) {
		if (store_cache_get(bg, "artifact", w->key, &hit, &blob, &len,
				    &err) < 0)
			log_warn("artifact cache: %s", err_msg(&err));
		store_bg_release(w->store);
	}
	if (hit && blob) {
		const char *name =
		    json_string_value(json_object_get(hit, "wheel_name"));
		char *path = xasprintf("%s/%s", w->wheel_dir,
				       name ? name : "module.whl");

		mkdir(w->wheel_dir, 0700);
		err_release(&err);
		if (fs_write_file(path, blob, len, &err) == 0) {
			w->wheel = path;
			path = NULL;
		} else {
			log_warn("could not write cached wheel: %s",
				 err_msg(&err));
		}
		free(path);
	}
	json_decref(hit);
	free(blob);
	err_release(&err);
}

/* The artifact key: the toolchain's versions and the crate's files. */
static void build_prep_work(void *arg)
{
	struct build_prep *w = arg;
	struct sha256 c;
	char hex[65];

	sha256_init(&c);
	sha256_update(&c, "artifact-v1\0", 12);
	sha256_update(&c, w->versions, strlen(w->versions));
	hash_tree(&c, w->crate_dir, "");
	sha256_final_hex(&c, hex);
	w->key = xstrdup(hex);
	build_cached_wheel(w);
}

/* ---- the toolchain's versions, for whole-job cache hits ---------------- */

/* What a build asks before it starts, in order; the first three are
 * the toolchain (d->toolchain), the last the interpreter's SOABI. */
static const char *const probe_tools[][3] = {
    {"rustc", "-vV", NULL},
    {"cargo", "--version", NULL},
    {"maturin", "--version", NULL},
};
#define NPROBE_TOOLS	     (sizeof(probe_tools) / sizeof(probe_tools[0]))
#define PROBE_TIMEOUT	     60
#define PROBE_MAX_OUTPUT     4096

struct toolchain_probe {
	struct daemon *d;
	size_t step;
	struct buf v;
};

static void probe_next(struct toolchain_probe *p);

static void probe_line(struct proc *proc, int stream, const char *line,
		       size_t len, void *data)
{
	struct toolchain_probe *p = data;

	if (stream == 1 && p->v.len < PROBE_MAX_OUTPUT) {
		buf_add(&p->v, line, len);
		buf_addch(&p->v, '\n');
	}
}

static void probe_end(struct toolchain_probe *p, bool ok)
{
	struct daemon *d = p->d;

	d->is_probing_toolchain = false;
	free(d->toolchain);
	d->toolchain = ok ? buf_detach(&p->v, NULL) : NULL;
	d->toolchain_at = now_seconds();
	if (d->toolchain) {
		const char *first = d->toolchain;
		const char *last = strstr(first, "maturin ");
		log_info("toolchain: %.*s, %.*s", (int)strcspn(first, "\n"),
			 first, last ? (int)strcspn(last, "\n") : 0,
			 last ? last : "");
	} else {
		log_info("toolchain: rustc, cargo or maturin is missing");
	}
	buf_release(&p->v);
	free(p);
}

static void probe_exit(struct proc *proc, int64_t status, int sig,
		       bool timed_out, void *data)
{
	struct toolchain_probe *p = data;

	if (status != 0 || sig || timed_out) {
		probe_end(p, false);
		return;
	}
	p->step++;
	probe_next(p);
}

static void probe_next(struct toolchain_probe *p)
{
	struct err err = ERR_INIT;
	struct proc *proc;
	struct proc_opts o = {
	    .timeout = PROBE_TIMEOUT,
	    .is_supervised = true,
	    .on_line = probe_line,
	    .on_exit = probe_exit,
	    .data = p,
	};

	if (p->step == NPROBE_TOOLS || p->d->is_shutting_down) {
		probe_end(p, p->step == NPROBE_TOOLS);
		return;
	}
	o.file = probe_tools[p->step][0];
	o.args = (char **)probe_tools[p->step];
	if (proc_spawn(p->d, &o, &proc, &err) < 0)
		probe_end(p, false);
	err_release(&err);
}

void build_probe_toolchain(struct daemon *d)
{
	struct toolchain_probe *p;

	if (d->is_probing_toolchain)
		return;
	p = xcalloc(1, sizeof(*p));
	p->d = d;
	buf_init(&p->v);
	d->is_probing_toolchain = true;
	probe_next(p);
}

static void build_prep_cleanup(void *arg)
{
	struct build_prep *w = arg;

	free(w->crate_dir);
	free(w->wheel_dir);
	free(w->versions);
	free(w->key);
	free(w->wheel);
	free(w);
}

/* ---- the build itself -------------------------------------------------------
 */

static void build_spawn(struct job_run *r);

/*
 * The build lock: one cargo at a time in the shared target dir; the jobs
 * that want it wait in order. One daemon per process, one lock (it was a
 * part of struct daemon that only this file touched).
 */
static struct {
	struct job_run *owner;	 /* the job whose cargo runs now */
	struct job_run *waiters; /* queued behind it, in order */
} build_lock;

bool build_is_running(void)
{
	return build_lock.owner != NULL;
}

static void build_lock_next(struct daemon *d)
{
	struct job_run *next;

	build_lock.owner = NULL;
	while ((next = build_lock.waiters)) {
		build_lock.waiters = next->build_next;
		next->build_next = NULL;
		if (next->is_finished || !next->bs)
			continue;
		next->bs->is_waiting = false;
		build_lock.owner = next;
		build_spawn(next);
		return;
	}
}

void build_release(struct job_run *r)
{
	struct daemon *d = r->d;
	struct job_run **pp;

	for (pp = &build_lock.waiters; *pp; pp = &(*pp)->build_next) {
		if (*pp == r) {
			*pp = r->build_next;
			break;
		}
	}
	if (build_lock.owner == r && !r->proc)
		build_lock_next(d);
	if (r->bs) {
		free(r->bs->crate_dir);
		free(r->bs->wheel_dir);
		free(r->bs->python);
		free(r->bs->key);
		free(r->bs->toolchain);
		buf_release(&r->bs->log);
		buf_release(&r->bs->versions);
		free(r->bs);
		r->bs = NULL;
	}
}

char *build_first_error(const char *log, const char *lib_rs)
{
	const char *e = strstr(log, "error[");
	const char *plain = strstr(log, "error: ");
	struct buf b = BUF_INIT;
	const char *arrow;
	long gen_line = 0, py_line = 0;

	if (!e ||
	    (plain && plain < e && strncmp(plain, "error: could not", 16)))
		e = plain ? plain : e;
	if (!e)
		return NULL;
	buf_add(&b, e, strcspn(e, "\n"));
	arrow = strstr(e, "--> src/lib.rs:");
	if (arrow)
		gen_line = strtol(arrow + 15, NULL, 10);
	if (gen_line > 0 && lib_rs) {
		/* Walk back from the generated line to the nearest
		 * "// line N" comment the emitter wrote. */
		const char *p = lib_rs;
		for (long ln = 1; *p && ln <= gen_line; ln++) {
			const char *c = strstr(p, "// line ");
			const char *eol = strchr(p, '\n');
			if (c && (!eol || c < eol))
				py_line = strtol(c + 8, NULL, 10);
			if (!eol)
				break;
			p = eol + 1;
		}
		buf_addf(&b, " (generated src/lib.rs:%ld", gen_line);
		if (py_line > 0)
			buf_addf(&b, ", Python line %ld", py_line);
		buf_addch(&b, ')');
	}
	return buf_detach(&b, NULL);
}

bool build_log_is_disk_full(const char *log)
{
	/* rustc, cargo and the linker all end with the OS's words: "No
	 * space left on device (os error 28)", "ld: final link failed: No
	 * space left on device". */
	return log && (strstr(log, "No space left on device") ||
		       strstr(log, "(os error 28)"));
}

/* The function whose text holds generated line gen_line: the nearest
 * header at or above it, "// line N: def f" (native functions) or
 * #[pyo3(name = "f", ...)] (entry points). */
static char *function_at(const char *lib_rs, long gen_line)
{
	const char *p = lib_rs;
	char *name = NULL;

	for (long ln = 1; *p && ln <= gen_line; ln++) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *d = memmem(p, n, ": def ", 6);
		const char *q = memmem(p, n, "#[pyo3(name = \"", 15);
		if (d && !strncmp(p, "// line ", 8)) {
			free(name);
			name = xstrndup(d + 6, n - (size_t)(d + 6 - p));
		} else if (q) {
			const char *end =
			    memchr(q + 15, '"', n - (size_t)(q + 15 - p));
			if (end) {
				free(name);
				name = xstrndup(q + 15, (size_t)(end - q - 15));
			}
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return name;
}

/* The next error line ("error[" or "error:", not cargo's summary) from
 * *pos on; NULL when none. */
static const char *next_error(const char **pos)
{
	const char *e = *pos;

	while (e && *e) {
		if (!strncmp(e, "error", 5) && (e[5] == '[' || e[5] == ':') &&
		    strncmp(e, "error: could not compile", 24) &&
		    strncmp(e, "error: aborting", 15)) {
			const char *nl = strchr(e, '\n');
			*pos = nl ? nl + 1 : e + strlen(e);
			return e;
		}
		e = strchr(e, '\n');
		if (e)
			e++;
	}
	*pos = NULL;
	return NULL;
}

void build_error_functions(const char *log, const char *lib_rs, json_t *out)
{
	const char *pos = log;
	const char *e;

	if (!log || !lib_rs)
		return;
	while ((e = next_error(&pos))) {
		/* its location in the generated file: the arrow before the
		 * next error */
		const char *arrow = strstr(e, "--> src/lib.rs:");
		const char *after = pos;
		const char *next;
		char *name;
		if (!arrow)
			break;
		next = next_error(&after);
		if (next && arrow > next)
			continue;
		name = function_at(lib_rs, strtol(arrow + 15, NULL, 10));
		if (name && !json_object_get(out, name))
			json_object_set_new(
			    out, name,
			    json_stringn(e, strcspn(e, "\n")));
		free(name);
	}
}

char *build_error_function(const char *log, const char *lib_rs)
{
	json_t *all = json_object();
	const char *k = NULL;
	char *name = NULL;
	void *it;

	build_error_functions(log, lib_rs, all);
	/* the first error's function: the object keeps insertion order */
	it = json_object_iter(all);
	if (it)
		k = json_object_iter_key(it);
	if (k)
		name = xstrdup(k);
	json_decref(all);
	return name;
}

static void build_line(struct job_run *r, int stream, const char *line,
		       size_t len)
{
	struct build_state *bs = r->bs;
	const char *s = line;

	job_log(r, stream == 1 ? "stdout" : "stderr", line, len);
	if (!bs)
		return;
	if (bs->log.len < BUILD_LOG_KEEP) {
		buf_add(&bs->log, line, len);
		buf_addch(&bs->log, '\n');
	}
	while (*s == ' ')
		s++;
	if (!strncmp(s, "Compiling ", 10)) {
		bs->ncompiled++;
		int pct = 5 + bs->ncompiled * 3;
		job_progress(r, pct > 90 ? 90 : pct, "%.*s (%d crates)",
			     (int)(len - (size_t)(s - line)), s, bs->ncompiled);
	}
}

/* The one .whl maturin wrote into dir (malloc'd name), or NULL. */
static char *find_wheel(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *name = NULL;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".whl")) {
			free(name);
			name = xstrdup(e->d_name);
		}
	}
	closedir(d);
	return name;
}

/* A built wheel goes into the artifact cache, on the pool (megabytes). */
struct wheel_put {
	struct store *store;
	char *path;
	char *key;
	json_t *meta;
};

static void wheel_put_work(void *arg)
{
	struct wheel_put *w = arg;
	struct err err = ERR_INIT;
	size_t len = 0;
	char *blob = w->key ? fs_read_all(w->path, &len) : NULL;
	struct store *bg = blob ? store_bg_acquire(w->store, &err) : NULL;

	json_object_set_new(w->meta, "size", json_integer((json_int_t)len));
	if (bg) {
		if (store_cache_put(bg, "artifact", w->key, w->meta, blob, len,
				    &err) < 0)
			log_warn("artifact cache: %s", err_msg(&err));
		store_bg_release(w->store);
	}
	err_release(&err);
	free(blob);
}

static void wheel_put_after(struct job_run *r, void *arg)
{
	struct wheel_put *w = arg;
	struct buf msg = BUF_INIT;

	buf_addf(&msg, "built %s in %.1f s",
		 json_string_value(json_object_get(w->meta, "wheel_name")),
		 json_number_value(json_object_get(w->meta, "build_seconds")));
	job_stage_done(r, STAGE_DONE, msg.data);
	buf_release(&msg);
}

static void wheel_put_cleanup(void *arg)
{
	struct wheel_put *w = arg;

	free(w->path);
	free(w->key);
	json_decref(w->meta);
	free(w);
}

/*
 * Keeps every function whose Rust did not compile in Python for the next
 * translation (reason: its first compiler error). False when that cannot
 * help: nothing to translate again, or no function not kept out already
 * (each round keeps at least one more out, so the rounds end); the build
 * then fails as it would have.
 */
static bool build_exclude(struct pipeline_state *ps, json_t *fns)
{
	const char *fn;
	json_t *why;
	bool added = false;

	if (!ps->translate_request || !ps->src.text)
		return false;
	json_object_foreach(fns, fn, why) {
		if (ps->excluded && json_object_get(ps->excluded, fn))
			continue;
		if (!ps->excluded)
			ps->excluded = json_object();
		json_object_set_new(
		    ps->excluded, fn,
		    json_sprintf("its generated Rust did not compile (a "
				 "translator bug; the job log has the "
				 "compiler's output): %s",
				 json_string_value(why)));
		added = true;
	}
	return added;
}

static void build_exit(struct job_run *r, int64_t status, int sig,
		       bool timed_out)
{
	struct build_state *bs = r->bs;
	struct daemon *d = r->d;
	struct err err = ERR_INIT;
	char *wheel = NULL, *path = NULL, *lib = NULL;
	char *first = NULL, *lib_path = NULL;

	if (build_lock.owner == r)
		build_lock_next(d);
	if (!bs)
		goto out;
	if (timed_out) {
		err_set(&err, RUSTIFY_ETIMEOUT,
			"the build ran longer than %.0f s and was killed "
			"(--build-timeout)",
			d->cfg.build_timeout);
		goto fail;
	}
	if (!sig && status != 0 && build_log_is_disk_full(bs->log.data)) {
		/* Not the translator's fault, and building again without a
		 * function would fail the same way. */
		err_set(&err, RUSTIFY_EIO,
			"the build failed: no space left on device (in the "
			"cargo target dir %s or the work folder); free some "
			"space, then run the job again (rustifyctl retry %s)",
			d->cargo_target, r->id);
		goto fail;
	}
	if (sig || status != 0) {
		lib_path = xasprintf("%s/src/lib.rs", bs->crate_dir);
		lib = fs_read_all(lib_path, NULL);
		first = build_first_error(bs->log.data, lib);
		if (!first && bs->log.len) {
			/* No rustc error: maturin's own last words say why. */
			const char *end = bs->log.data + bs->log.len;
			while (end > bs->log.data && end[-1] == '\n')
				end--;
			const char *start = end;
			while (start > bs->log.data && start[-1] != '\n')
				start--;
			first = xstrndup(start, (size_t)(end - start));
		}
		if (!sig && first && r->ps) {
			/* Functions whose Rust did not compile (any number):
			 * they stay in Python, and the job goes back to
			 * translate the others and build them again. */
			json_t *fns = json_object();
			bool again;
			build_error_functions(bs->log.data, lib, fns);
			again = build_exclude(r->ps, fns);
			if (again) {
				struct buf msg = BUF_INIT;
				const char *fn;
				json_t *v;
				buf_adds(&msg, "the Rust of");
				json_object_foreach(fns, fn, v)
					buf_addf(&msg, " %s()", fn);
				buf_adds(&msg, " did not compile; translating "
					       "again with that kept in Python");
				build_release(r);
				job_stage_again(r, "translate", msg.data);
				buf_release(&msg);
			}
			json_decref(fns);
			if (again)
				goto out;
		}
		err_set(&err, RUSTIFY_ECHILD,
			"the build failed: %s. This is a translator bug: the "
			"generated crate must always build; the full log is in "
			"the job log",
			first ? first
			: sig ? "maturin was killed"
			      : "maturin exited with an error");
		goto fail;
	}
	wheel = find_wheel(bs->wheel_dir);
	if (!wheel) {
		err_set(&err, RUSTIFY_ECHILD, "maturin wrote no wheel into %s",
			bs->wheel_dir);
		goto fail;
	}
	path = xasprintf("%s/%s", bs->wheel_dir, wheel);
	json_object_set_new(r->result, "wheel", json_string(path));
	{
		struct wheel_put *wp = xcalloc(1, sizeof(*wp));

		wp->store = &d->store;
		wp->path = xstrdup(path);
		wp->key = bs->key ? xstrdup(bs->key) : NULL;
		wp->meta = json_pack(
		    "{s:s, s:f, s:s}", "wheel_name", wheel, "build_seconds",
		    now_seconds() - bs->started, "toolchain",
		    bs->toolchain ? bs->toolchain : "");
		job_queue_work(r, wheel_put_work, wheel_put_after,
			       wheel_put_cleanup, wp);
	}
	goto out;
fail:
	job_stage_done(r, STAGE_FAILED, err_msg(&err));
out:
	free(wheel);
	free(path);
	free(lib);
	free(lib_path);
	free(first);
	err_release(&err);
}

static void build_spawn(struct job_run *r)
{
	struct build_state *bs = r->bs;
	struct err err = ERR_INIT;
	char *manifest = xasprintf("%s/Cargo.toml", bs->crate_dir);
	char *target = xasprintf("CARGO_TARGET_DIR=%s", r->d->cargo_target);
	const char *args[] = {
	    "maturin", "build",	      "--release",	 "-i",	   bs->python,
	    "--out",   bs->wheel_dir, "--manifest-path", manifest, NULL};
	size_t n = 0;
	char **env;

	for (char **e = environ; *e; e++)
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "CARGO_TARGET_DIR=", 17))
			env[n++] = *e;
	env[n++] = target;
	env[n] = NULL;
	mkdir(bs->wheel_dir, 0700);
	bs->started = now_seconds();
	struct job_child child = {
	    .args = args,
	    .env = env,
	    .cwd = bs->crate_dir,
	    .timeout = r->d->cfg.build_timeout,
	    .on_line = build_line,
	    .done = build_exit,
	};
	job_progress(r, 5, "maturin build --release (shared target dir %s)",
		     r->d->cargo_target);
	if (job_spawn(r, &child) < 0) {
		build_lock.owner = NULL;
		build_lock_next(r->d);
	}
	free(env);
	free(manifest);
	free(target);
	err_release(&err);
}

static void build_prep_after(struct job_run *r, void *arg)
{
	struct build_prep *w = arg;
	struct build_state *bs = r->bs;
	struct daemon *d = r->d;

	bs->key = w->key;
	w->key = NULL;
	bs->toolchain = xstrdup(bs->versions.data);
	json_object_set_new(r->result, "toolchain", json_string(bs->toolchain));
	free(d->toolchain);
	d->toolchain = xstrndup(bs->versions.data, bs->tools_len);
	d->toolchain_at = now_seconds();
	if (w->wheel) {
		json_object_set_new(r->result, "wheel", json_string(w->wheel));
		json_object_set_new(r->result, "build_cache_hit", json_true());
		job_stage_done(r, STAGE_DONE, "wheel from the artifact cache");
		return;
	}
	if (build_lock.owner && build_lock.owner != r) {
		struct job_run **pp = &build_lock.waiters;
		while (*pp)
			pp = &(*pp)->build_next;
		*pp = r;
		bs->is_waiting = true;
		job_progress(r, 2,
			     "waiting for the build lock (job %s is "
			     "building)",
			     build_lock.owner->id);
		return;
	}
	build_lock.owner = r;
	build_spawn(r);
}

/* ---- before the build: the toolchain, as children of the job ---------- */

static void prep_next(struct job_run *r);

static void prep_line(struct job_run *r, int stream, const char *line,
		      size_t len)
{
	struct build_state *bs = r->bs;

	if (bs && stream == 1 && bs->versions.len < PROBE_MAX_OUTPUT) {
		buf_add(&bs->versions, line, len);
		buf_addch(&bs->versions, '\n');
	}
}

static void prep_exit(struct job_run *r, int64_t status, int sig,
		      bool timed_out)
{
	struct build_state *bs = r->bs;

	if (status == 0 && !sig && !timed_out) {
		if (++bs->prep_step == NPROBE_TOOLS)
			bs->tools_len = bs->versions.len;
		prep_next(r);
		return;
	}
	if (bs->prep_step < 2)
		job_stage_done(r, STAGE_FAILED,
			       "cargo and rustc are needed to build: install "
			       "the Rust toolchain (https://rustup.rs), then "
			       "resubmit");
	else if (bs->prep_step == 2)
		job_stage_done(r, STAGE_FAILED,
			       "maturin is needed to build: pip install "
			       "maturin==1.16.0 (or scripts/bootstrap), then "
			       "resubmit");
	else {
		struct buf msg = BUF_INIT;
		buf_addf(&msg,
			 "the interpreter %s could not be run; pass --python "
			 "with a working python3",
			 bs->python);
		job_stage_done(r, STAGE_FAILED, msg.data);
		buf_release(&msg);
	}
}

static void prep_next(struct job_run *r)
{
	struct build_state *bs = r->bs;
	const char *soabi[] = {
	    bs->python, "-c",
	    "import sysconfig; print(sysconfig.get_config_var(\"SOABI\"))",
	    NULL};
	struct job_child child = {
	    .timeout = PROBE_TIMEOUT, .on_line = prep_line, .done = prep_exit};
	struct build_prep *w;

	if (bs->prep_step < NPROBE_TOOLS) {
		child.args = probe_tools[bs->prep_step];
		job_spawn(r, &child);
		return;
	}
	if (bs->prep_step == NPROBE_TOOLS) {
		child.args = soabi;
		job_spawn(r, &child);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->store = &r->d->store;
	w->crate_dir = xstrdup(bs->crate_dir);
	w->wheel_dir = xstrdup(bs->wheel_dir);
	w->versions = xstrdup(bs->versions.data);
	job_queue_work(r, build_prep_work, build_prep_after, build_prep_cleanup,
		       w);
}

void build_start(struct job_run *r, const char *crate_dir,
		 const char *wheel_dir, const char *python,
		 const char *python_soabi)
{
	(void)python_soabi;
	r->bs = xcalloc(1, sizeof(*r->bs));
	r->bs->crate_dir = xstrdup(crate_dir);
	r->bs->wheel_dir = xstrdup(wheel_dir);
	r->bs->python = xstrdup(python);
	buf_init(&r->bs->log);
	buf_init(&r->bs->versions);
	job_progress(r, 1, "checking the toolchain");
	prep_next(r);
}

void stage_build(struct job_run *r)
{
	struct pipeline_state *ps = r->ps;
	char *crate = NULL, *wheels = NULL;

	if (r->is_dry_run) {
		job_stage_done(r, STAGE_SKIPPED, "--dry-run");
		return;
	}
	crate = xasprintf("%s/crate", ps->out_dir);
	wheels = xasprintf("%s/wheels", r->work_dir);
	build_start(r, crate, wheels, ps->python ? ps->python : "python3",
		    NULL);
	free(crate);
	free(wheels);
}
