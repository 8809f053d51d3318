/*
 * watch.c - watched directories: one libuv fs-event watcher (inotify) per
 * directory of the tree, saved Python files debounced, re-indexed on the
 * worker pool and, when a function's hash changed, accelerated again as a
 * job with the watch's submit options. Events go out as watch/event
 * notifications; watches are rows of jobs.db and are re-armed at start.
 *
 * What it owns: the watch set (d->watches), each watch's watchers, its
 * debounce timer, and per file the last known source hash, the map
 * qualname -> function hash, and the id of the last job it submitted
 * (a newer save cancels that job while it is queued or running, so one
 * file never has two jobs at once). What it does not own: jobs (jobs.c),
 * the index (index.c), the store (store.c).
 *
 * Costs on the loop thread, bounded: the directory walk when a watch is
 * added or a directory appears (readdir, one access() per directory for
 * pyvenv.cfg, at most --max-watch-dirs directories over all watches), the
 * root .gitignore (at most 1 MiB), one lstat() per event. Reading and
 * indexing files is pool work, at most WATCH_MAX_WORK items per watch.
 *
 * Subscribers are kept in the daemon's subscription list (struct sub)
 * under the key WATCH_SUB_KEY, which no job id can equal: a closing
 * connection drops them with its job subscriptions.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index.h"
#include "jobs.h"
#include "log.h"
#include "sha256.h"
#include "source.h"
#include "watch.h"

#define WATCH_SUB_KEY "watch/*"
/* Pool work items per watch (its first indexing counts as one). */
#define WATCH_MAX_WORK 2
/* Files one work item reads and indexes. */
#define WATCH_BATCH 32
/* Files indexed when a watch starts; beyond, a file's first save counts
 * as new. */
#define WATCH_MAX_BASELINE  20000
#define WATCH_GITIGNORE_MAX ((size_t)1 << 20)

struct watch_dir {
	uv_fs_event_t h;
	struct watch *w;
	char *path;
	dev_t dev;
	ino_t ino;
	bool is_root;
	struct watch_dir *next;
};

struct watch {
	struct watch_set *set;
	char *path;	 /* absolute, real, no trailing '/' */
	json_t *options; /* as stored: submit options + debounce_ms */
	json_t *request; /* job/submit params without "file" */
	uint64_t debounce_ms;
	char *output; /* options.output, not watched */
	struct watch_ignore ignore;
	struct watch_dir *dirs;
	size_t ndirs;
	uv_timer_t timer; /* fires when the next pending file is due */
	json_t *files;	  /* file -> {"sha", "functions", "job"} */
	json_t *pending;  /* file -> [first, due] (uv_now ms) */
	json_t *busy;	  /* file -> true while a work item reads it */
	char *error;	  /* why it is not armed (after a restart) */
	size_t nhandles;  /* open handles: the timer and the watchers */
	size_t nwork;	  /* work items in flight */
	bool is_ended;
	struct watch *next;
};

struct watch_set {
	struct daemon *d;
	struct watch *list;
	size_t ndirs; /* armed watchers over all watches */
	bool is_stopped;
};

struct watch_work {
	uv_work_t req;
	struct watch *w;
	json_t *files;	 /* absolute paths */
	json_t *known;	 /* file -> sha256 known before */
	json_t *results; /* one object per file, see watch_index_file() */
	size_t max_source;
	struct store *store; /* the index of a saved file goes into the cache */
	bool is_baseline;
};

static void watch_pump(struct watch *w);

/* ---- ignore rules ----------------------------------------------------------
 */

void watch_ignore_init(struct watch_ignore *ig)
{
	ig->rules = NULL;
	ig->nrules = 0;
}

void watch_ignore_release(struct watch_ignore *ig)
{
	for (size_t i = 0; i < ig->nrules; i++)
		free(ig->rules[i].pattern);
	free(ig->rules);
	watch_ignore_init(ig);
}

static void watch_ignore_add_line(struct watch_ignore *ig, const char *s,
				  size_t n)
{
	struct watch_ignore_rule r = {0};

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || s[0] == '#')
		return;
	if (s[0] == '!') {
		r.is_negated = true;
		s++;
		n--;
	} else if (s[0] == '\\' && n > 1) {
		s++; /* "\#name", "\!name" */
		n--;
	}
	if (n && s[n - 1] == '/') {
		r.is_dir_only = true;
		n--;
	}
	/* "**" + "/name" matches at any level, as a bare name does. */
	while (n >= 3 && !strncmp(s, "**/", 3)) {
		s += 3;
		n -= 3;
	}
	if (n && s[0] == '/') {
		r.is_anchored = true;
		s++;
		n--;
	}
	if (!n)
		return;
	if (memchr(s, '/', n))
		r.is_anchored = true;
	r.pattern = xstrndup(s, n);
	ig->rules = xrealloc(ig->rules, (ig->nrules + 1) * sizeof(*ig->rules));
	ig->rules[ig->nrules++] = r;
}

void watch_ignore_parse(struct watch_ignore *ig, const char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;

		watch_ignore_add_line(ig, text + i, end - i);
		i = end + 1;
	}
}

bool watch_ignore_match(const struct watch_ignore *ig, const char *rel,
			bool is_dir)
{
	const char *base = strrchr(rel, '/');
	bool is_ignored = false;

	base = base ? base + 1 : rel;
	for (size_t i = 0; i < ig->nrules; i++) {
		const struct watch_ignore_rule *r = &ig->rules[i];
		bool is_match;

		if (r->is_dir_only && !is_dir)
			continue;
		if (r->is_anchored)
			is_match = fnmatch(r->pattern, rel, FNM_PATHNAME) == 0;
		else
			is_match = fnmatch(r->pattern, base, 0) == 0;
		if (is_match)
			is_ignored = !r->is_negated;
	}
	return is_ignored;
}

/* ---- names -----------------------------------------------------------------
 */

bool watch_is_skipped_dir_name(const char *name)
{
	static const char *const skipped[] = {"__pycache__",  "rustify-out",
					      "node_modules", "build",
					      "target",	      NULL};

	if (name[0] == '.')
		return true;
	for (size_t i = 0; skipped[i]; i++)
		if (!strcmp(name, skipped[i]))
			return true;
	return false;
}

bool watch_is_python_name(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && name[0] != '.' && !strcmp(name + n - 3, ".py");
}

/* ---- debounce --------------------------------------------------------------
 */

void watch_pending_touch(json_t *pending, const char *file, uint64_t now,
			 uint64_t delay)
{
	json_t *e = json_object_get(pending, file);
	uint64_t first = now, due = now + delay;

	if (json_is_array(e)) {
		uint64_t cap;

		first = (uint64_t)json_integer_value(json_array_get(e, 0));
		cap = first + 10 * delay;
		if (due > cap)
			due = cap > now ? cap : now;
	}
	json_object_set_new(
	    pending, file,
	    json_pack("[I, I]", (json_int_t)first, (json_int_t)due));
}

int64_t watch_pending_take(json_t *pending, json_t *busy, uint64_t now,
			   size_t max, json_t *due)
{
	const char *file;
	json_t *e;
	void *tmp;
	int64_t next = -1;
	size_t n = 0;

	json_object_foreach_safe(pending, tmp, file, e)
	{
		uint64_t at =
		    (uint64_t)json_integer_value(json_array_get(e, 1));
		int64_t wait;

		if (busy && json_object_get(busy, file))
			continue;
		if (at <= now && n < max) {
			json_array_append_new(due, json_string(file));
			json_object_del(pending, file);
			n++;
			continue;
		}
		wait = at <= now ? 0 : (int64_t)(at - now);
		if (next < 0 || wait < next)
			next = wait;
	}
	return next;
}

/* ---- function maps ---------------------------------------------------------
 */

json_t *watch_functions_map(json_t *index)
{
	json_t *map = json_object(), *f;
	size_t i;

	json_array_foreach(json_object_get(index, "functions"), i, f) {
		const char *q =
		    json_string_value(json_object_get(f, "qualname"));
		const char *h = json_string_value(json_object_get(f, "hash"));
		const char *old;

		if (!q || !h)
			continue;
		old = json_string_value(json_object_get(map, q));
		if (old) {
			char *both = xasprintf("%s+%s", old, h);
			json_object_set_new(map, q, json_string(both));
			free(both);
		} else {
			json_object_set_new(map, q, json_string(h));
		}
	}
	return map;
}

json_t *watch_functions_diff(json_t *old_map, json_t *new_map)
{
	json_t *changed = json_array(), *v;
	const char *q;

	json_object_foreach(new_map, q, v) {
		if (!json_equal(v, json_object_get(old_map, q)))
			json_array_append_new(changed, json_string(q));
	}
	json_object_foreach(old_map, q, v) {
		if (!json_object_get(new_map, q))
			json_array_append_new(changed, json_string(q));
	}
	return changed;
}

/* ---- limits ----------------------------------------------------------------
 */

static char *watch_proc_value(const char *path)
{
	char text[64];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	text[n] = '\0';
	return xstrdup(n ? text : "unknown");
}

char *watch_limit_message(int uv_error, const char *path)
{
	char *watches =
	    watch_proc_value("/proc/sys/fs/inotify/max_user_watches");
	char *instances =
	    watch_proc_value("/proc/sys/fs/inotify/max_user_instances");
	char *msg;

	if (uv_error == UV_ENOSPC)
		msg = xasprintf(
		    "cannot watch %s: the kernel's limit on inotify "
		    "watches is reached (fs.inotify.max_user_watches = %s, "
		    "shared by every program of this user; "
		    "max_user_instances = %s): raise it (sudo sysctl "
		    "fs.inotify.max_user_watches=524288) or watch a "
		    "smaller tree",
		    path, watches, instances);
	else if (uv_error == UV_EMFILE)
		msg = xasprintf(
		    "cannot watch %s: the kernel's limit on inotify "
		    "instances is reached (fs.inotify.max_user_instances "
		    "= %s; max_user_watches = %s) or the daemon is out of "
		    "file descriptors: raise it (sudo sysctl "
		    "fs.inotify.max_user_instances=1024) or stop other "
		    "programs that watch files",
		    path, instances, watches);
	else
		msg = xasprintf("cannot watch %s: %s", path,
				uv_strerror(uv_error));
	free(watches);
	free(instances);
	return msg;
}

/* ---- helpers ---------------------------------------------------------------
 */

static char *watch_path_join(const char *dir, const char *name)
{
	return xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", name);
}

/* path relative to the watch's root ("" for the root). */
static const char *watch_rel(const struct watch *w, const char *path)
{
	size_t n = strlen(w->path);

	if (!strcmp(w->path, "/"))
		return path + 1;
	return path[n] == '/' ? path + n + 1 : path + n;
}

static bool watch_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* JSON strings must be UTF-8: a name that is not cannot be reported. */
static bool watch_is_utf8(const char *s)
{
	json_t *j = json_string(s);
	bool is_utf8 = j != NULL;

	json_decref(j);
	return is_utf8;
}

static struct watch *watch_find(struct watch_set *set, const char *path)
{
	for (struct watch *w = set ? set->list : NULL; w; w = w->next)
		if (!w->is_ended && !strcmp(w->path, path))
			return w;
	return NULL;
}

static struct watch_dir *watch_dir_find(struct watch *w, const char *path)
{
	for (struct watch_dir *wd = w->dirs; wd; wd = wd->next)
		if (!strcmp(wd->path, path))
			return wd;
	return NULL;
}

/* The directory a watcher was armed on is still there (not removed,
 * not replaced by another one of the same name). */
static bool watch_dir_is_same(const struct watch_dir *wd)
{
	struct stat st;

	return lstat(wd->path, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_dev == wd->dev && st.st_ino == wd->ino;
}

static bool watch_dir_is_skipped(struct watch *w, const char *path,
				 const char *name)
{
	char *cfg;
	bool is_venv;

	if (watch_is_skipped_dir_name(name) ||
	    watch_ignore_match(&w->ignore, watch_rel(w, path), true))
		return true;
	if (w->output && !strcmp(path, w->output))
		return true;
	cfg = watch_path_join(path, "pyvenv.cfg");
	is_venv = access(cfg, F_OK) == 0;
	free(cfg);
	return is_venv;
}

static bool watch_file_is_watched(struct watch *w, const char *path,
				  const char *name)
{
	return watch_is_python_name(name) &&
	       !watch_ignore_match(&w->ignore, watch_rel(w, path), false);
}

/* ---- events ----------------------------------------------------------------
 */

/* Sends a watch/event to every subscriber. changed is stolen (NULL: []). */
static void watch_event(struct watch *w, const char *file, json_t *changed,
			const char *job, const char *superseded,
			const char *kind, const char *reason)
{
	struct daemon *d = w->set->d;
	struct buf line = BUF_INIT;
	json_t *params;

	params =
	    json_pack("{s:s, s:s?, s:o, s:s?, s:s, s:s}", "path", w->path,
		      "file", file, "changed", changed ? changed : json_array(),
		      "job", job, "event", kind, "reason", reason);
	if (!params) {
		log_error("watch %s: could not build an event (%s)", w->path,
			  reason);
		return;
	}
	if (superseded)
		json_object_set_new(params, "superseded",
				    json_string(superseded));
	buf_addf(&line, "watch %s: %s%s%s", w->path, file ? file : "",
		 file ? ": " : "", reason);
	if (job)
		buf_addf(&line, " (job %s)", job);
	if (superseded)
		buf_addf(&line, " (cancelled job %s)", superseded);
	log_info("%s", line.data);
	buf_release(&line);
	for (struct sub *s = d->subs; s; s = s->next) {
		json_t *n;

		if (!s->conn || strcmp(s->job_id, WATCH_SUB_KEY))
			continue;
		n = jsonrpc_notification_new("watch/event",
					     json_incref(params));
		conn_send(s->conn, n);
		json_decref(n);
	}
	json_decref(params);
}

void watch_subscribe(struct daemon *d, struct conn *c)
{
	sub_add(d, c, WATCH_SUB_KEY);
}

void watch_unsubscribe(struct daemon *d, struct conn *c)
{
	sub_remove(d, c, WATCH_SUB_KEY);
}

/* ---- lifecycle
 * --------------------------------------------------------------- */

static void watch_free_one(struct watch *w)
{
	free(w->path);
	free(w->output);
	free(w->error);
	json_decref(w->options);
	json_decref(w->request);
	json_decref(w->files);
	json_decref(w->pending);
	json_decref(w->busy);
	watch_ignore_release(&w->ignore);
	free(w);
}

/* Frees an ended watch once its handles are closed and no work refers
 * to it. */
static void watch_maybe_free(struct watch *w)
{
	struct watch **pp;

	if (!w->is_ended || w->nhandles || w->nwork)
		return;
	for (pp = &w->set->list; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	watch_free_one(w);
}

static void watch_dir_closed(uv_handle_t *h)
{
	struct watch_dir *wd = h->data;
	struct watch *w = wd->w;

	free(wd->path);
	free(wd);
	w->nhandles--;
	watch_maybe_free(w);
}

static void watch_timer_closed(uv_handle_t *h)
{
	struct watch *w = h->data;

	w->nhandles--;
	watch_maybe_free(w);
}

/* Stops and closes one watcher (already unlinked from w->dirs). */
static void watch_dir_release(struct watch *w, struct watch_dir *wd)
{
	w->ndirs--;
	w->set->ndirs--;
	uv_fs_event_stop(&wd->h);
	uv_close((uv_handle_t *)&wd->h, watch_dir_closed);
}

static void watch_dirs_release(struct watch *w)
{
	while (w->dirs) {
		struct watch_dir *wd = w->dirs;

		w->dirs = wd->next;
		watch_dir_release(w, wd);
	}
}

/* A directory under the root went away: its watchers and what was known
 * of its files go too. */
static void watch_release_tree(struct watch *w, const char *path)
{
	struct watch_dir **pp = &w->dirs;
	const char *file;
	json_t *v;
	void *tmp;

	while (*pp) {
		struct watch_dir *wd = *pp;

		if (watch_is_under(wd->path, path)) {
			*pp = wd->next;
			watch_dir_release(w, wd);
		} else {
			pp = &wd->next;
		}
	}
	json_object_foreach_safe(w->files, tmp, file, v)
	{
		if (watch_is_under(file, path))
			json_object_del(w->files, file);
	}
	json_object_foreach_safe(w->pending, tmp, file, v)
	{
		if (watch_is_under(file, path))
			json_object_del(w->pending, file);
	}
	log_info("watch %s: %s is gone: no longer watched", w->path, path);
}

/*
 * Ends a watch: closes its handles, forgets it in the store when
 * is_forget, and tells subscribers why (reason NULL: silently, at
 * shutdown). The struct goes once its handles are closed.
 */
static void watch_end(struct watch *w, const char *reason, bool is_forget)
{
	struct err err = ERR_INIT;

	if (w->is_ended)
		return;
	w->is_ended = true;
	watch_dirs_release(w);
	uv_timer_stop(&w->timer);
	uv_close((uv_handle_t *)&w->timer, watch_timer_closed);
	if (is_forget &&
	    store_watch_delete(&w->set->d->store, w->path, &err) < 0)
		log_error("watch %s: %s", w->path, err_msg(&err));
	if (reason)
		watch_event(w, NULL, NULL, NULL, NULL, "ended", reason);
	err_release(&err);
}

static void watch_read_gitignore(struct watch *w)
{
	char *path = watch_path_join(w->path, ".gitignore");
	struct buf text = BUF_INIT;
	char block[8192];
	FILE *f = fopen(path, "rb");
	size_t n;

	while (f && text.len < WATCH_GITIGNORE_MAX &&
	       (n = fread(block, 1, sizeof(block), f)) > 0)
		buf_add(&text, block, n);
	if (f)
		fclose(f);
	watch_ignore_parse(&w->ignore, text.data, text.len);
	buf_release(&text);
	free(path);
}

static struct watch *watch_new(struct watch_set *set, const char *path,
			       json_t *options)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	json_t *v;
	const char *output;

	w->set = set;
	w->path = xstrdup(path);
	w->options = options ? json_deep_copy(options) : json_object();
	w->request = json_deep_copy(w->options);
	json_object_del(w->request, "debounce_ms");
	v = json_object_get(w->options, "debounce_ms");
	w->debounce_ms = json_is_integer(v) && json_integer_value(v) >= 0
			     ? (uint64_t)json_integer_value(v)
			     : WATCH_DEBOUNCE_MS_DEFAULT;
	output = json_string_value(json_object_get(w->options, "output"));
	if (output) {
		size_t n = strlen(output);

		while (n > 1 && output[n - 1] == '/')
			n--;
		w->output = xstrndup(output, n);
	}
	watch_ignore_init(&w->ignore);
	watch_read_gitignore(w);
	w->files = json_object();
	w->pending = json_object();
	w->busy = json_object();
	uv_timer_init(set->d->loop, &w->timer);
	w->timer.data = w;
	w->nhandles = 1;
	w->next = set->list;
	set->list = w;
	return w;
}

/* ---- watchers
 * ---------------------------------------------------------------- */

static void watch_fs_cb(uv_fs_event_t *h, const char *name, int events,
			int status);

/* 0: armed; 1: the directory went away or cannot be read (skipped);
 * < 0: an error (a limit). */
static int watch_dir_arm(struct watch *w, const char *path, struct err *err)
{
	struct watch_set *set = w->set;
	size_t max = set->d->cfg.max_watch_dirs;
	struct watch_dir *wd;
	struct stat st;
	char *msg;
	int rc;

	if (set->ndirs >= max)
		return err_set(
		    err, RUSTIFY_ELIMIT,
		    "cannot watch %s: that would be more than %zu "
		    "watched directories (--max-watch-dirs %zu, over "
		    "all watches; %zu under %s so far): watch a "
		    "smaller tree, list big folders in its "
		    ".gitignore, or raise --max-watch-dirs",
		    path, max, max, w->ndirs, w->path);
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 1;
	wd = xcalloc(1, sizeof(*wd));
	wd->w = w;
	wd->path = xstrdup(path);
	wd->dev = st.st_dev;
	wd->ino = st.st_ino;
	wd->is_root = !strcmp(path, w->path);
	uv_fs_event_init(set->d->loop, &wd->h);
	wd->h.data = wd;
	w->nhandles++;
	rc = uv_fs_event_start(&wd->h, watch_fs_cb, path, 0);
	if (rc < 0) {
		uv_close((uv_handle_t *)&wd->h, watch_dir_closed);
		if (rc == UV_ENOENT || rc == UV_ENOTDIR || rc == UV_EACCES) {
			log_debug("watch %s: %s: %s", w->path, path,
				  uv_strerror(rc));
			return 1;
		}
		msg = watch_limit_message(rc, path);
		rc = err_set(err,
			     rc == UV_ENOSPC || rc == UV_EMFILE ? RUSTIFY_ELIMIT
								: RUSTIFY_EIO,
			     "%s", msg);
		free(msg);
		return rc;
	}
	wd->next = w->dirs;
	w->dirs = wd;
	w->ndirs++;
	set->ndirs++;
	return 0;
}

/*
 * Arms a watcher on top and on every directory under it that is not
 * skipped, without following symbolic links; Python files found are
 * appended to files. Each directory is armed before it is read, so a file
 * created meanwhile is seen (listed, or as an event). On an error the
 * watchers armed so far stay.
 */
static int watch_walk(struct watch *w, const char *top, json_t *files,
		      struct err *err)
{
	char **stack = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	stack = xrealloc(stack, (cap = 16) * sizeof(*stack));
	stack[n++] = xstrdup(top);
	while (n) {
		char *dir = stack[--n];
		struct dirent *e;
		DIR *dp;

		rc = watch_dir_arm(w, dir, err);
		if (rc < 0) {
			free(dir);
			goto out;
		}
		rc = 0;
		dp = opendir(dir);
		if (!dp) {
			log_debug("watch %s: %s: %s", w->path, dir,
				  strerror(errno));
			free(dir);
			continue;
		}
		while ((e = readdir(dp))) {
			unsigned char type = e->d_type;
			char *full;
			struct stat st;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			full = watch_path_join(dir, e->d_name);
			if (type == DT_UNKNOWN && lstat(full, &st) == 0)
				type = S_ISDIR(st.st_mode)   ? DT_DIR
				       : S_ISREG(st.st_mode) ? DT_REG
							     : DT_UNKNOWN;
			if (!watch_is_utf8(full)) {
				free(full);
			} else if (type == DT_DIR &&
				   !watch_dir_is_skipped(w, full, e->d_name) &&
				   !watch_dir_find(w, full)) {
				if (n == cap)
					stack = xrealloc(
					    stack, (cap *= 2) * sizeof(*stack));
				stack[n++] = full;
			} else {
				if (type == DT_REG &&
				    watch_file_is_watched(w, full, e->d_name) &&
				    json_array_size(files) < WATCH_MAX_BASELINE)
					json_array_append_new(
					    files, json_string(full));
				free(full);
			}
		}
		closedir(dp);
		free(dir);
	}
out:
	while (n)
		free(stack[--n]);
	free(stack);
	return rc;
}

/* A directory appeared under the root: watch it; its Python files count
 * as saved (they may have been written before its watcher was armed). */
static void watch_add_subtree(struct watch *w, const char *path)
{
	struct err err = ERR_INIT;
	json_t *files = json_array(), *f;
	size_t before = w->ndirs, i;

	if (watch_walk(w, path, files, &err) < 0) {
		struct buf reason = BUF_INIT;

		buf_addf(&reason, "directory not watched: %s", err_msg(&err));
		watch_event(w, path, NULL, NULL, NULL, "error", reason.data);
		buf_release(&reason);
	}
	if (w->ndirs > before)
		log_info("watch %s: now also watching %s (%zu directories)",
			 w->path, path, w->ndirs - before);
	json_array_foreach(files, i, f)
		watch_pending_touch(w->pending, json_string_value(f),
				    uv_now(w->set->d->loop), w->debounce_ms);
	watch_pump(w);
	json_decref(files);
	err_release(&err);
}

/* Something named name changed in the watched directory dir. */
static void watch_entry_changed(struct watch *w, const char *dir,
				const char *name)
{
	char *full = watch_path_join(dir, name);
	struct watch_dir *sub;
	struct stat st;
	bool is_there = lstat(full, &st) == 0;

	if (!watch_is_utf8(full))
		goto out;
	if (!strcmp(dir, w->path) && !strcmp(name, ".gitignore")) {
		/* New rules apply to what appears from now on. */
		watch_ignore_release(&w->ignore);
		watch_read_gitignore(w);
		goto out;
	}
	if (is_there && S_ISDIR(st.st_mode)) {
		sub = watch_dir_find(w, full);
		if (sub && sub->dev == st.st_dev && sub->ino == st.st_ino)
			goto out;
		if (sub)
			watch_release_tree(w, full);
		if (!watch_dir_is_skipped(w, full, name))
			watch_add_subtree(w, full);
		goto out;
	}
	if (!is_there && watch_dir_find(w, full)) {
		watch_release_tree(w, full);
		goto out;
	}
	if (!watch_file_is_watched(w, full, name) ||
	    (is_there && !S_ISREG(st.st_mode)))
		goto out;
	watch_pending_touch(w->pending, full, uv_now(w->set->d->loop),
			    w->debounce_ms);
	watch_pump(w);
out:
	free(full);
}

static void watch_fs_cb(uv_fs_event_t *h, const char *name, int events,
			int status)
{
	struct watch_dir *wd = h->data;
	struct watch *w = wd->w;

	if (w->is_ended || uv_is_closing((uv_handle_t *)h))
		return;
	if (status < 0)
		log_warn("watch %s: %s: %s", w->path, wd->path,
			 uv_strerror(status));
	/* inotify says "deleted" or "moved" for the directory itself with
	 * its own name: whether it is still there is what matters. */
	if ((status < 0 || (events & UV_RENAME) || !name) &&
	    !watch_dir_is_same(wd)) {
		if (wd->is_root)
			watch_end(w, "watch ended: directory removed", true);
		else
			watch_release_tree(w, wd->path);
		return;
	}
	if (status < 0 || !name || !*name || strchr(name, '/'))
		return;
	watch_entry_changed(w, wd->path, name);
}

/* ---- indexing on the pool
 * ------------------------------------------------------ */

/*
 * On a worker thread: {"file", "state", ...} where state is "missing",
 * "error" (with "error"), "same" (the source hash is the known one) or
 * "indexed" (with "sha", "functions", "syntax_error" line or 0, and the
 * the index stored in the cache when store is not NULL, for the job's
 * index stage).
 */
static json_t *watch_index_file(const char *file, const char *known_sha,
				size_t max_source, struct store *store)
{
	struct source src;
	struct err err = ERR_INIT;
	json_t *index = NULL, *res = NULL, *first_error;
	json_int_t bad_line;
	struct stat st;

	source_init(&src);
	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		res = json_pack("{s:s, s:s}", "file", file, "state", "missing");
		goto out;
	}
	if (source_load_file(file, max_source, &src, &err) < 0)
		goto out;
	if (known_sha && !strcmp(known_sha, src.sha256)) {
		res = json_pack("{s:s, s:s, s:s}", "file", file, "state",
				"same", "sha", src.sha256);
		goto out;
	}
	if (index_source(src.text, src.len, &index, &err) < 0)
		goto out;
	first_error = json_array_get(json_object_get(index, "errors"), 0);
	bad_line =
	    first_error
		? json_integer_value(json_object_get(first_error, "line"))
		: 0;
	res =
	    json_pack("{s:s, s:s, s:s, s:o, s:I}", "file", file, "state",
		      "indexed", "sha", src.sha256, "functions",
		      watch_functions_map(index), "syntax_error",
		      bad_line ? bad_line : (json_int_t)(first_error != NULL));
	if (res && store) {
		char *key = index_cache_key(src.sha256);
		struct store *bg = store_bg_acquire(store, &err);

		if (bg && store_cache_put(bg, "source_index", key, index, NULL,
					  0, &err) < 0)
			log_debug("watch: index cache: %s", err_msg(&err));
		if (bg)
			store_bg_release(store);
		err_release(&err);
		free(key);
	}
out:
	if (!res)
		res = json_pack(
		    "{s:s, s:s, s:s}", "file", file, "state", "error", "error",
		    err.code ? err_msg(&err) : "cannot describe the file");
	json_decref(index);
	source_release(&src);
	err_release(&err);
	return res;
}

static void watch_work_cb(uv_work_t *req)
{
	struct watch_work *k = req->data;
	json_t *f;
	size_t i;

	json_array_foreach(k->files, i, f) {
		const char *file = json_string_value(f);
		const char *sha =
		    json_string_value(json_object_get(k->known, file));

		json_array_append_new(
		    k->results,
		    watch_index_file(file, sha, k->max_source,
				     k->is_baseline ? NULL : k->store));
	}
}

/* Submits a job for file, cancelling the one submitted for it before
 * while that is queued or running. */
static int watch_submit(struct watch *w, const char *file, json_t *rec,
			char **id, char **superseded, struct err *err)
{
	struct daemon *d = w->set->d;
	const char *old = json_string_value(json_object_get(rec, "job"));
	struct err e2 = ERR_INIT;
	json_t *job = NULL, *req = NULL;
	int rc;

	if (d->is_shutting_down) {
		rc = err_set(err, RUSTIFY_ESHUTDOWN, "daemon is shutting down");
		goto out;
	}
	if (old && store_job_get(&d->store, old, &job, &e2) == 0) {
		const char *state =
		    json_string_value(json_object_get(job, "state"));

		if (state && (!strcmp(state, JOB_QUEUED) ||
			      !strcmp(state, JOB_RUNNING))) {
			if (jobs_cancel(d, old, &e2) == 0)
				*superseded = xstrdup(old);
			else
				log_warn("watch %s: job %s: %s", w->path, old,
					 err_msg(&e2));
		}
	}
	req = json_deep_copy(w->request);
	json_object_set_new(req, "file", json_string(file));
	rc = jobs_submit(d, req, NULL, id, err);
	if (rc == 0)
		json_object_set_new(rec, "job", json_string(*id));
out:
	json_decref(job);
	json_decref(req);
	err_release(&e2);
	return rc;
}

/* A saved file was read and indexed (res from watch_index_file). */
static void watch_saved(struct watch *w, json_t *res)
{
	const char *file = json_string_value(json_object_get(res, "file"));
	const char *state = json_string_value(json_object_get(res, "state"));
	json_t *rec = json_object_get(w->files, file), *changed;
	json_int_t bad_line;
	char *id = NULL, *superseded = NULL, *reason = NULL;
	struct err err = ERR_INIT;

	if (!file || !state)
		goto out;
	if (!strcmp(state, "missing")) {
		if (rec) {
			json_object_del(w->files, file);
			watch_event(w, file, NULL, NULL, NULL, "removed",
				    "file removed");
		}
		goto out;
	}
	if (!strcmp(state, "error")) {
		reason =
		    xasprintf("not rebuilt: %s",
			      json_string_value(json_object_get(res, "error")));
		watch_event(w, file, NULL, NULL, NULL, "error", reason);
		goto out;
	}
	if (!strcmp(state, "same")) {
		watch_event(w, file, NULL, NULL, NULL, "unchanged",
			    "no function changed");
		goto out;
	}
	bad_line = json_integer_value(json_object_get(res, "syntax_error"));
	if (bad_line) {
		/* What was known stays: the diff after the fix is against the
		 * last version that parsed. */
		reason = xasprintf("not rebuilt: syntax error at line %lld",
				   (long long)bad_line);
		watch_event(w, file, NULL, NULL, NULL, "error", reason);
		goto out;
	}
	changed = watch_functions_diff(json_object_get(rec, "functions"),
				       json_object_get(res, "functions"));
	if (!rec) {
		rec = json_object();
		json_object_set_new(w->files, file, rec);
	}
	json_object_set(rec, "sha", json_object_get(res, "sha"));
	json_object_set(rec, "functions", json_object_get(res, "functions"));
	if (!json_array_size(changed)) {
		watch_event(w, file, changed, NULL, NULL, "unchanged",
			    "no function changed");
		goto out;
	}
	if (watch_submit(w, file, rec, &id, &superseded, &err) < 0) {
		reason = xasprintf("not rebuilt: %s", err_msg(&err));
		watch_event(w, file, changed, NULL, superseded, "error",
			    reason);
		goto out;
	}
	watch_event(w, file, changed, id, superseded, "changed",
		    "functions changed");
out:
	free(id);
	free(superseded);
	free(reason);
	err_release(&err);
}

/* The first indexing: what each file defines before any save. */
static void watch_baseline_one(struct watch *w, json_t *res)
{
	const char *file = json_string_value(json_object_get(res, "file"));
	const char *state = json_string_value(json_object_get(res, "state"));

	if (!file || !state || strcmp(state, "indexed") ||
	    json_object_get(w->files, file))
		return;
	json_object_set_new(w->files, file,
			    json_pack("{s:O, s:O}", "sha",
				      json_object_get(res, "sha"), "functions",
				      json_object_get(res, "functions")));
}

static void watch_after_work_cb(uv_work_t *req, int status)
{
	struct watch_work *k = req->data;
	struct watch *w = k->w;
	json_t *f, *res;
	size_t i;

	w->nwork--;
	json_array_foreach(k->files, i, f)
		json_object_del(w->busy, json_string_value(f));
	if (status == 0 && !w->is_ended && !w->set->is_stopped) {
		json_array_foreach(k->results, i, res) {
			if (k->is_baseline)
				watch_baseline_one(w, res);
			else
				watch_saved(w, res);
		}
		if (k->is_baseline)
			log_info("watch %s: %zu Python files indexed", w->path,
				 json_array_size(k->files));
	}
	json_decref(k->files);
	json_decref(k->known);
	json_decref(k->results);
	free(k);
	if (!w->is_ended)
		watch_pump(w);
	watch_maybe_free(w);
}

/* Reads and indexes files (an array, stolen) on the pool. */
static void watch_work_start(struct watch *w, json_t *files, bool is_baseline)
{
	struct watch_work *k = xcalloc(1, sizeof(*k));
	json_t *f;
	size_t i;
	int rc;

	k->w = w;
	k->files = files;
	k->known = json_object();
	k->results = json_array();
	k->max_source = w->set->d->cfg.max_source;
	k->store = &w->set->d->store;
	k->is_baseline = is_baseline;
	k->req.data = k;
	json_array_foreach(files, i, f) {
		const char *file = json_string_value(f);
		const char *sha = json_string_value(
		    json_object_get(json_object_get(w->files, file), "sha"));

		json_object_set_new(w->busy, file, json_true());
		if (sha)
			json_object_set_new(k->known, file, json_string(sha));
	}
	w->nwork++;
	rc = uv_queue_work(w->set->d->loop, &k->req, watch_work_cb,
			   watch_after_work_cb);
	if (rc < 0) {
		log_error("watch %s: %s", w->path, uv_strerror(rc));
		w->nwork--;
		json_array_foreach(files, i, f)
			json_object_del(w->busy, json_string_value(f));
		json_decref(k->files);
		json_decref(k->known);
		json_decref(k->results);
		free(k);
	}
}

static void watch_timer_cb(uv_timer_t *t)
{
	watch_pump(t->data);
}

/* Starts work for the files that are due, and sets the timer for the
 * next one. */
static void watch_pump(struct watch *w)
{
	uint64_t now = uv_now(w->set->d->loop);
	int64_t next = -1;

	if (w->is_ended || w->set->is_stopped)
		return;
	for (;;) {
		json_t *due = json_array();

		next = watch_pending_take(
		    w->pending, w->busy, now,
		    w->nwork < WATCH_MAX_WORK ? WATCH_BATCH : 0, due);
		if (!json_array_size(due)) {
			json_decref(due);
			break;
		}
		watch_work_start(w, due, false);
	}
	/* next == 0: files wait for a work slot; the work's end pumps. */
	if (next > 0)
		uv_timer_start(&w->timer, watch_timer_cb, (uint64_t)next, 0);
	else
		uv_timer_stop(&w->timer);
}

/* Indexes the files found when the watch was armed (not those known). */
static void watch_baseline_start(struct watch *w, json_t *files)
{
	json_t *todo = json_array(), *f;
	size_t i;

	json_array_foreach(files, i, f) {
		if (!json_object_get(w->files, json_string_value(f)))
			json_array_append_new(
			    todo, json_string(json_string_value(f)));
	}
	if (json_array_size(todo))
		watch_work_start(w, todo, true);
	else
		json_decref(todo);
}

/* ---- the API
 * ------------------------------------------------------------------ */

/* Arms w's tree; on failure no watcher stays and w->error says why. */
static int watch_arm(struct watch *w, json_t *files, struct err *err)
{
	int rc = watch_walk(w, w->path, files, err);

	if (rc == 0 && !w->ndirs)
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "cannot watch %s: not a readable directory",
			     w->path);
	if (rc < 0) {
		watch_dirs_release(w);
		json_array_clear(files);
		free(w->error);
		w->error = xstrdup(err_msg(err));
	}
	return rc;
}

int watch_add(struct daemon *d, const char *path, json_t *options,
	      json_t **result, struct err *err)
{
	struct watch_set *set = d->watches;
	struct watch *old = watch_find(set, path), *w;
	json_t *files = json_array();
	int rc;

	w = watch_new(set, path, options);
	if (old) {
		/* Re-watching replaces the options; what is known of the
		 * files (and their jobs) carries over. */
		json_decref(w->files);
		w->files = json_incref(old->files);
		watch_end(old, NULL, false);
	}
	rc = watch_arm(w, files, err);
	if (rc == 0)
		rc = store_watch_put(&d->store, path, w->options, err);
	if (rc < 0) {
		struct err e2 = ERR_INIT;

		watch_end(w, NULL, false);
		if (old && store_watch_delete(&d->store, path, &e2) < 0)
			log_error("watch %s: %s", path, err_msg(&e2));
		err_release(&e2);
		goto out;
	}
	log_info("watch %s: watching %zu directories, %zu Python files", path,
		 w->ndirs, json_array_size(files));
	watch_baseline_start(w, files);
	*result = json_pack("{s:s, s:O, s:I, s:I}", "path", path, "options",
			    w->options, "dirs", (json_int_t)w->ndirs, "files",
			    (json_int_t)json_array_size(files));
out:
	json_decref(files);
	return rc;
}

int watch_remove(struct daemon *d, const char *path, struct err *err)
{
	struct watch *w = watch_find(d->watches, path);

	if (!w)
		return err_set(err, RUSTIFY_EPARAM,
			       "params.path: %s is not watched (watch/list "
			       "shows what is)",
			       path);
	watch_end(w, "watch ended: removed by request", true);
	return 0;
}

int watch_list(struct daemon *d, json_t **result, struct err *err)
{
	json_t *stored = NULL, *e, *list = json_array();
	size_t i;
	int rc;

	rc = store_watch_list(&d->store, &stored, err);
	if (rc < 0)
		goto out;
	json_array_foreach(stored, i, e) {
		const char *path =
		    json_string_value(json_object_get(e, "path"));
		struct watch *w = path ? watch_find(d->watches, path) : NULL;
		json_t *item = json_deep_copy(e);

		json_object_set_new(item, "dirs",
				    json_integer(w ? (json_int_t)w->ndirs : 0));
		json_object_set_new(
		    item, "files",
		    json_integer(w ? (json_int_t)json_object_size(w->files)
				   : 0));
		json_object_set_new(item, "armed",
				    json_boolean(w && !w->error));
		json_object_set_new(item, "error",
				    w && w->error ? json_string(w->error)
						  : json_null());
		json_array_append_new(list, item);
	}
	*result = json_pack("{s:O}", "watches", list);
out:
	json_decref(list);
	json_decref(stored);
	return rc;
}

int watch_start(struct daemon *d, struct err *err)
{
	struct watch_set *set = xcalloc(1, sizeof(*set));
	json_t *stored = NULL, *e;
	size_t i;
	int rc;

	set->d = d;
	d->watches = set;
	rc = store_watch_list(&d->store, &stored, err);
	if (rc < 0)
		goto out;
	json_array_foreach(stored, i, e) {
		const char *path =
		    json_string_value(json_object_get(e, "path"));
		json_t *options = json_object_get(e, "options");
		json_t *files = json_array();
		struct err e2 = ERR_INIT;
		struct stat st;
		struct watch *w;

		if (!path)
			goto next;
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			log_warn("watch %s: the directory is gone (%s): the "
				 "watch ends",
				 path,
				 S_ISDIR(st.st_mode) ? strerror(errno)
						     : "not a directory");
			if (store_watch_delete(&d->store, path, &e2) < 0)
				log_error("watch %s: %s", path, err_msg(&e2));
			goto next;
		}
		w = watch_new(set, path,
			      json_is_object(options) ? options : NULL);
		if (watch_arm(w, files, &e2) < 0) {
			log_error("watch %s: not re-armed: %s (watch/add "
				  "again once fixed)",
				  path, err_msg(&e2));
			goto next;
		}
		log_info("watch %s: re-armed: %zu directories, %zu Python "
			 "files",
			 path, w->ndirs, json_array_size(files));
		watch_baseline_start(w, files);
	next:
		json_decref(files);
		err_release(&e2);
	}
out:
	json_decref(stored);
	return rc;
}

void watch_stop(struct daemon *d)
{
	struct watch_set *set = d->watches;

	if (!set || set->is_stopped)
		return;
	set->is_stopped = true;
	for (struct watch *w = set->list, *next; w; w = next) {
		next = w->next;
		watch_end(w, NULL, false);
	}
}

void watch_free(struct daemon *d)
{
	struct watch_set *set = d->watches;

	if (!set)
		return;
	/* Normally every watch freed itself in its close callbacks. */
	while (set->list) {
		struct watch *w = set->list;

		set->list = w->next;
		watch_free_one(w);
	}
	free(set);
	d->watches = NULL;
}
