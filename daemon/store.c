/*
 * store.c - rustifyd's persistent state in two SQLite files (see store.h):
 * jobs.db (jobs, events, live children, watches) and cache.db (stage
 * results with LRU bookkeeping and hit/miss counters).
 *
 * This module owns the schema, its migrations, opening with corruption
 * recovery, and every SQL statement the daemon runs. It does not own job
 * state rules (jobs.c decides which transitions are legal) nor logging
 * (store_open hands notes back to the caller).
 *
 * Durability: WAL with synchronous=NORMAL. A commit is appended to the -wal
 * file before the call returns, so a daemon killed at any point (SIGKILL
 * included) loses nothing that was committed; only an operating system
 * crash or power loss can drop the last few commits, and even then the
 * database stays consistent. FULL would add an fsync per event for no
 * benefit against the failure we care about (the daemon dying).
 *
 * Statements are prepared per call: struct store is fixed by the header and
 * has no room for a statement cache, and preparing costs microseconds.
 * Cache table names come only from the cache_tables whitelist; caller
 * strings are never put into SQL text, only bound as parameters.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rustify/buf.h"
#include "store.h"

#define STORE_BUSY_MS 5000
#define RECOVER_ERROR "daemon stopped while the job was running"

/* An entry brings a database from version - 1 to version. */
struct migration {
	int version;
	const char *sql;
};

static const struct migration jobs_migrations[] = {
    {1, "CREATE TABLE jobs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" state TEXT NOT NULL,"
	" request TEXT NOT NULL,"
	" stage TEXT,"
	" percent INTEGER NOT NULL DEFAULT 0,"
	" error TEXT,"
	" retry_of INTEGER REFERENCES jobs(id) ON DELETE SET NULL,"
	" result TEXT,"
	" created_at REAL NOT NULL,"
	" started_at REAL,"
	" finished_at REAL,"
	" last_seq INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX jobs_by_state ON jobs(state, id);"
	"CREATE TABLE events ("
	" job INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" params TEXT NOT NULL,"
	" created_at REAL NOT NULL,"
	" PRIMARY KEY (job, seq)) WITHOUT ROWID;"
	"CREATE TABLE children ("
	" pid INTEGER PRIMARY KEY,"
	" job INTEGER REFERENCES jobs(id) ON DELETE SET NULL,"
	" start_time INTEGER NOT NULL,"
	" cmd TEXT NOT NULL,"
	" created_at REAL NOT NULL);"
	"CREATE TABLE watches ("
	" path TEXT PRIMARY KEY,"
	" options TEXT NOT NULL,"
	" created_at REAL NOT NULL);"},
};

#define CACHE_TABLE_V1(name)                                                   \
	"CREATE TABLE " name " ("                                              \
	" key TEXT PRIMARY KEY,"                                               \
	" value TEXT NOT NULL,"                                                \
	" blob BLOB,"                                                          \
	" size INTEGER NOT NULL,"                                              \
	" created_at REAL NOT NULL,"                                           \
	" last_used REAL NOT NULL);"                                           \
	"CREATE INDEX " name "_lru ON " name "(last_used);"

static const struct migration cache_migrations[] = {
    {1, CACHE_TABLE_V1("source_index") CACHE_TABLE_V1("profile") CACHE_TABLE_V1(
	    "artifact") "CREATE TABLE stats ("
			" table_name TEXT PRIMARY KEY,"
			" hits INTEGER NOT NULL DEFAULT 0,"
			" misses INTEGER NOT NULL DEFAULT 0);"
			"INSERT INTO stats(table_name) VALUES"
			" ('source_index'), ('profile'), ('artifact');"},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The only table names ever interpolated into cache SQL. */
static const char *const cache_tables[] = {"source_index", "profile",
					   "artifact"};

static const char *const job_states[] = {JOB_QUEUED,	JOB_RUNNING,
					 JOB_DONE,	JOB_FAILED,
					 JOB_CANCELLED, JOB_INTERRUPTED};

struct db_spec {
	const char *file;
	const struct migration *migrations;
	size_t n_migrations;
	bool is_disposable; /* moved aside for any unreadability, not just
			       corruption */
};

static const struct db_spec jobs_spec = {"jobs.db", jobs_migrations,
					 ARRAY_SIZE(jobs_migrations), false};
static const struct db_spec cache_spec = {"cache.db", cache_migrations,
					  ARRAY_SIZE(cache_migrations), true};

/* db_try_open() found the file unusable: move it aside and retry. */
#define DB_MOVE_ASIDE 1

static double store_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- small SQLite helpers ------------------------------------------------ */

static const char *db_path(sqlite3 *db)
{
	const char *p = sqlite3_db_filename(db, "main");

	return p && *p ? p : "database";
}

/*
 * The SQLite code behind the last error db_error() reported, so that open
 * can tell corruption from other failures even after a ROLLBACK has reset
 * sqlite3_errcode(). Only the loop thread calls into the store.
 */
static _Thread_local int db_last_code;

static int db_error(sqlite3 *db, struct err *err, const char *what)
{
	int sys = sqlite3_system_errno(db);

	db_last_code = sqlite3_extended_errcode(db);
	/* "database or disk is full" alone does not say which: a full disk
	 * is the usual cause, and the one the user can act on. */
	if ((db_last_code & 0xff) == SQLITE_FULL || sys == ENOSPC)
		return err_set(err, RUSTIFY_EDB,
			       "%s: %s: no space left on device (%s); free "
			       "some space",
			       db_path(db), what, sqlite3_errmsg(db));
	if (sys && (db_last_code & 0xff) == SQLITE_IOERR)
		return err_set(err, RUSTIFY_EDB, "%s: %s: %s (%s)",
			       db_path(db), what, sqlite3_errmsg(db),
			       strerror(sys));
	return err_set(err, RUSTIFY_EDB, "%s: %s: %s", db_path(db), what,
		       sqlite3_errmsg(db));
}

static int db_exec(sqlite3 *db, const char *sql, struct err *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(db, err, sql);
	return 0;
}

static int db_begin(sqlite3 *db, bool is_write, struct err *err)
{
	return db_exec(db, is_write ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

static int db_commit(sqlite3 *db, struct err *err)
{
	return db_exec(db, "COMMIT", err);
}

/* Safe to call whether or not a transaction is open. */
static void db_rollback(sqlite3 *db)
{
	if (db && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * Binds parameters 1..n from fmt: 'i' int64_t, 'I' const int64_t * (NULL
 * binds NULL), 'd' double, 't' const char *
 * (NULL binds NULL), 'b' const void *, size_t (NULL or 0 binds NULL),
 * 'j' json_t * (stored as compact JSON text, NULL binds NULL).
 */
static int db_bindv(sqlite3_stmt *st, struct err *err, const char *fmt,
		    va_list ap)
{
	int rc = SQLITE_OK;

	for (int i = 1; *fmt && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'I': {
			const int64_t *v = va_arg(ap, const int64_t *);

			rc = v ? sqlite3_bind_int64(st, i, *v)
			       : sqlite3_bind_null(st, i);
			break;
		}
		case 'd':
			rc = sqlite3_bind_double(st, i, va_arg(ap, double));
			break;
		case 't': {
			const char *s = va_arg(ap, const char *);

			rc = s ? sqlite3_bind_text(st, i, s, -1,
						   SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, i);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			rc = p && n ? sqlite3_bind_blob64(st, i, p, n,
							  SQLITE_TRANSIENT)
				    : sqlite3_bind_null(st, i);
			break;
		}
		case 'j': {
			json_t *j = va_arg(ap, json_t *);
			char *s =
			    j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY)
			      : NULL;

			if (j && !s)
				return err_set(
				    err, RUSTIFY_EINTERNAL,
				    "cannot encode JSON parameter %d", i);
			rc = s ? sqlite3_bind_text(st, i, s, -1,
						   SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, i);
			free(s);
			break;
		}
		default:
			return err_set(err, RUSTIFY_EINTERNAL,
				       "db_bindv: bad format '%c'", *fmt);
		}
	}
	if (rc != SQLITE_OK)
		return db_error(sqlite3_db_handle(st), err, "bind");
	return 0;
}

/* Prepares sql and binds its parameters (see db_bindv for fmt). */
static int db_query(sqlite3 *db, sqlite3_stmt **st, struct err *err,
		    const char *sql, const char *fmt, ...)
{
	va_list ap;
	int ret;

	*st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		ret = db_error(db, err, sql);
		goto out;
	}
	va_start(ap, fmt);
	ret = db_bindv(*st, err, fmt, ap);
	va_end(ap);
out:
	if (ret < 0) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return ret;
}

/* 1 for a row, 0 when done, or a negative error. */
static int db_step(sqlite3_stmt *st, struct err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(sqlite3_db_handle(st), err, sqlite3_sql(st));
}

/* Runs a statement that returns no rows. */
static int db_run(sqlite3 *db, struct err *err, const char *sql,
		  const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int ret;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(db, err, sql);
		goto out;
	}
	va_start(ap, fmt);
	ret = db_bindv(st, err, fmt, ap);
	va_end(ap);
	if (ret < 0)
		goto out;
	while ((ret = db_step(st, err)) > 0)
		;
out:
	sqlite3_finalize(st);
	return ret;
}

/* A single integer from the first row (0 when no row). */
static int db_int(sqlite3 *db, int64_t *v, struct err *err, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int ret;

	*v = 0;
	ret = db_query(db, &st, err, sql, "");
	if (ret < 0)
		goto out;
	ret = db_step(st, err);
	if (ret > 0) {
		*v = sqlite3_column_int64(st, 0);
		ret = 0;
	}
out:
	sqlite3_finalize(st);
	return ret;
}

/* ---- column -> JSON --------------------------------------------------------
 */

/* A JSON string even for bytes that are not UTF-8 (those become '?'). */
static json_t *json_string_lossy(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	char *copy;

	if (j)
		return j;
	copy = xstrndup(s, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)copy[i] >= 0x80 || !copy[i])
			copy[i] = '?';
	j = json_stringn(copy, n);
	free(copy);
	return j;
}

static json_t *col_string(sqlite3_stmt *st, int i)
{
	const char *s;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	s = (const char *)sqlite3_column_text(st, i);
	return json_string_lossy(s ? s : "",
				 (size_t)sqlite3_column_bytes(st, i));
}

static json_t *col_real(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_real(sqlite3_column_double(st, i));
}

static json_t *col_id(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_sprintf("%lld", (long long)sqlite3_column_int64(st, i));
}

/* Parses a JSON text column; *out is NULL for SQL NULL. */
static int col_json(sqlite3_stmt *st, int i, json_t **out, struct err *err)
{
	json_error_t jerr;
	const char *s;

	*out = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	s = (const char *)sqlite3_column_text(st, i);
	*out = json_loadb(s ? s : "", (size_t)sqlite3_column_bytes(st, i),
			  JSON_DECODE_ANY, &jerr);
	if (!*out)
		return err_set(err, RUSTIFY_EDB,
			       "%s: stored JSON in column %s is unreadable: %s",
			       db_path(sqlite3_db_handle(st)),
			       sqlite3_column_name(st, i), jerr.text);
	return 0;
}

/* ---- ids and names ----------------------------------------------------------
 */

/* Job ids are canonical positive decimals ("7", never "07" or "+7"). */
static bool job_id_parse(const char *id, int64_t *out)
{
	int64_t v = 0;
	size_t n;

	if (!id || id[0] < '1' || id[0] > '9')
		return false;
	n = strlen(id);
	if (n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (id[i] < '0' || id[i] > '9')
			return false;
		v = v * 10 + (id[i] - '0');
	}
	*out = v;
	return true;
}

static int err_nojob(struct err *err, const char *id)
{
	return err_set(err, RUSTIFY_ENOJOB, "unknown job \"%s\"",
		       id ? id : "(null)");
}

static int job_id_lookup(const char *id, int64_t *out, struct err *err)
{
	if (!job_id_parse(id, out))
		return err_nojob(err, id);
	return 0;
}

static int job_exists(struct store *s, const char *id, int64_t rowid,
		      struct err *err)
{
	sqlite3_stmt *st = NULL;
	int ret;

	ret = db_query(s->jobs, &st, err, "SELECT 1 FROM jobs WHERE id = ?1",
		       "i", rowid);
	if (ret < 0)
		goto out;
	ret = db_step(st, err);
	if (ret == 0)
		ret = err_nojob(err, id);
	else if (ret > 0)
		ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static bool job_state_is_known(const char *state)
{
	for (size_t i = 0; state && i < ARRAY_SIZE(job_states); i++)
		if (!strcmp(state, job_states[i]))
			return true;
	return false;
}

static int err_state(struct err *err, const char *state)
{
	return err_set(err, RUSTIFY_EPARAM,
		       "state \"%s\": expected one of queued, running, done, "
		       "failed, cancelled, interrupted",
		       state ? state : "(null)");
}

static int cache_table_lookup(const char *table, const char **name,
			      struct err *err)
{
	for (size_t i = 0; table && i < ARRAY_SIZE(cache_tables); i++) {
		if (!strcmp(table, cache_tables[i])) {
			*name = cache_tables[i];
			return 0;
		}
	}
	return err_set(err, RUSTIFY_EINTERNAL,
		       "unknown cache table \"%s\" (expected source_index, "
		       "profile or artifact)",
		       table ? table : "(null)");
}

/* ---- open, migrate, recover from corruption -------------------------------
 */

static bool sqlite_code_is_corrupt(int code)
{
	code &= 0xff;
	return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

/* Runs the migrations newer than the file's user_version, in one transaction.
 */
static int db_migrate(sqlite3 *db, const struct db_spec *spec, char **why,
		      struct err *err)
{
	int latest = spec->migrations[spec->n_migrations - 1].version;
	int64_t version;
	char *sql = NULL;
	int ret;

	ret = db_begin(db, true, err);
	if (ret < 0)
		goto out;
	ret = db_int(db, &version, err, "PRAGMA user_version");
	if (ret < 0)
		goto out;
	if (version > latest) {
		if (spec->is_disposable) {
			*why = xasprintf("schema version %lld is newer than "
					 "this rustifyd knows (%d)",
					 (long long)version, latest);
			ret = DB_MOVE_ASIDE;
		} else {
			ret = err_set(err, RUSTIFY_EDB,
				      "%s: schema version %lld is newer than "
				      "this rustifyd knows (%d): run a newer "
				      "rustifyd or move the file aside",
				      db_path(db), (long long)version, latest);
		}
		goto out;
	}
	for (size_t i = 0; i < spec->n_migrations; i++) {
		const struct migration *m = &spec->migrations[i];

		if (m->version <= version)
			continue;
		ret = db_exec(db, m->sql, err);
		if (ret < 0) {
			err_prefix(err, "migration to schema version %d",
				   m->version);
			goto out;
		}
		free(sql);
		sql = xasprintf("PRAGMA user_version = %d", m->version);
		ret = db_exec(db, sql, err);
		if (ret < 0)
			goto out;
	}
	ret = db_commit(db, err);
out:
	if (ret != 0)
		db_rollback(db);
	free(sql);
	return ret;
}

/* 0 when quick_check says "ok", DB_MOVE_ASIDE with *why, or an error. */
static int db_quick_check(sqlite3 *db, char **why, struct err *err)
{
	struct buf msg = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rows = 0, ret;

	ret = db_query(db, &st, err, "PRAGMA quick_check(5)", "");
	if (ret < 0)
		goto out;
	while ((ret = db_step(st, err)) > 0) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		if (rows++)
			buf_adds(&msg, "; ");
		buf_adds(&msg, line ? line : "");
	}
	if (ret < 0)
		goto out;
	if (rows != 1 || strcmp(msg.data, "ok")) {
		*why = xasprintf("quick_check failed: %s", msg.data);
		ret = DB_MOVE_ASIDE;
	}
out:
	sqlite3_finalize(st);
	buf_release(&msg);
	return ret;
}

static void notes_add(json_t *notes, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void notes_add(json_t *notes, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	json_array_append_new(notes, json_string_lossy(b.data, b.len));
	buf_release(&b);
}

static bool path_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/*
 * Submitted sources are in these files: only we may read them. SQLite
 * creates the -wal and -shm files with the mode of the database file, so
 * the database is made 0600 before SQLite opens it, whatever the umask
 * (which stays the user's: output folders and wheels keep normal modes).
 * Files left 0644 by an older rustifyd are tightened too.
 */
static void db_file_private(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		fchmod(fd, 0600);
		close(fd);
	}
	for (size_t i = 1; i < ARRAY_SIZE(suffixes); i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);

		fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			fchmod(fd, 0600);
			close(fd);
		}
		free(p);
	}
}

/*
 * Opens and configures one database. Returns 0 with *out set,
 * DB_MOVE_ASIDE with a reason in *why when the file must be moved aside,
 * or a negative error.
 */
static int db_try_open(const char *path, const struct db_spec *spec,
		       sqlite3 **out, json_t *notes, char **why,
		       struct err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	bool existed = path_exists(path);
	int rc, ret;

	*out = NULL;
	db_last_code = SQLITE_OK;
	db_file_private(path);
	rc = sqlite3_open_v2(path, &db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		db_last_code = rc;
		ret = err_set(err, RUSTIFY_EDB, "%s: cannot open: %s", path,
			      db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	/* Only takes effect while the file has no tables yet. */
	if (spec->is_disposable) {
		ret = db_exec(db, "PRAGMA auto_vacuum = INCREMENTAL", err);
		if (ret < 0)
			goto fail;
	}
	ret = db_query(db, &st, err, "PRAGMA journal_mode = WAL", "");
	if (ret < 0)
		goto fail;
	ret = db_step(st, err);
	if (ret < 0)
		goto fail;
	if (ret > 0) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);

		if (mode && strcmp(mode, "wal"))
			notes_add(notes,
				  "%s: WAL is not available here, using "
				  "journal mode %s",
				  spec->file, mode);
	}
	sqlite3_finalize(st);
	st = NULL;
	ret = db_exec(db,
		      "PRAGMA synchronous = NORMAL;"
		      "PRAGMA foreign_keys = ON",
		      err);
	if (ret < 0)
		goto fail;
	ret = db_quick_check(db, why, err);
	if (ret != 0)
		goto fail;
	ret = db_migrate(db, spec, why, err);
	if (ret != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	sqlite3_finalize(st);
	if (ret < 0) {
		int code = db_last_code;

		/*
		 * Corruption reported by any statement at open is the same
		 * verdict as a failed quick_check. A cache that cannot be
		 * opened at all is also disposable (the state dir itself was
		 * checked for writability, so moving it aside can succeed).
		 */
		if (sqlite_code_is_corrupt(code) ||
		    (spec->is_disposable && existed &&
		     ((code & 0xff) == SQLITE_CANTOPEN ||
		      (code & 0xff) == SQLITE_IOERR))) {
			const char *m = err_msg(err);
			size_t n = strlen(path);

			/* The note names the file already. */
			if (!strncmp(m, path, n) && !strncmp(m + n, ": ", 2))
				m += n + 2;
			*why = xstrdup(m);
			ret = DB_MOVE_ASIDE;
		}
	}
	sqlite3_close_v2(db);
	return ret;
}

/*
 * Renames path (and its -wal and -journal, which belong to it) to
 * path.corrupt-<unix time>; the -shm index is rebuilt by SQLite, so it is
 * removed.
 */
static int db_move_aside(const char *path, char **moved_to, struct err *err)
{
	const char *const companions[] = {"-wal", "-journal"};
	char *target = NULL, *from = NULL, *to = NULL;
	long long now = (long long)time(NULL);
	int ret = 0;

	target = xasprintf("%s.corrupt-%lld", path, now);
	for (int n = 1; path_exists(target); n++) {
		free(target);
		target = xasprintf("%s.corrupt-%lld.%d", path, now, n);
	}
	if (rename(path, target) < 0 && errno != ENOENT) {
		ret = err_set(err, RUSTIFY_EIO,
			      "cannot move unusable %s aside to %s: %s", path,
			      target, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(companions); i++) {
		free(from);
		free(to);
		from = xasprintf("%s%s", path, companions[i]);
		to = xasprintf("%s%s", target, companions[i]);
		if (rename(from, to) < 0 && errno != ENOENT) {
			ret = err_set(err, RUSTIFY_EIO,
				      "cannot move %s to %s: %s", from, to,
				      strerror(errno));
			goto out;
		}
	}
	free(from);
	from = xasprintf("%s-shm", path);
	if (unlink(from) < 0 && errno != ENOENT) {
		ret = err_set(err, RUSTIFY_EIO, "cannot remove %s: %s", from,
			      strerror(errno));
		goto out;
	}
	*moved_to = target;
	target = NULL;
out:
	free(target);
	free(from);
	free(to);
	return ret;
}

/* Opens spec's file in dir, moving an unusable one aside at most once. */
static int db_open(const char *dir, const struct db_spec *spec, sqlite3 **out,
		   json_t *notes, struct err *err)
{
	char *path = xasprintf("%s/%s", dir, spec->file);
	char *why = NULL, *moved_to = NULL;
	int ret;

	ret = db_try_open(path, spec, out, notes, &why, err);
	if (ret != DB_MOVE_ASIDE)
		goto out;
	ret = db_move_aside(path, &moved_to, err);
	if (ret < 0)
		goto out;
	if (spec->is_disposable)
		notes_add(notes,
			  "%s: unusable (%s); moved it to %s and created an "
			  "empty cache",
			  spec->file, why, moved_to);
	else
		notes_add(notes,
			  "%s: corrupt (%s); moved it to %s and created an "
			  "empty one: earlier jobs are only in the moved file",
			  spec->file, why, moved_to);
	free(why);
	why = NULL;
	ret = db_try_open(path, spec, out, notes, &why, err);
	if (ret == DB_MOVE_ASIDE)
		ret = err_set(err, RUSTIFY_EDB,
			      "%s: still unusable after moving the old file "
			      "aside: %s",
			      path, why);
out:
	free(path);
	free(why);
	free(moved_to);
	return ret;
}

static int store_check_dir(const char *dir, struct err *err)
{
	struct stat sb;

	if (!dir || !*dir)
		return err_set(err, RUSTIFY_EIO, "state dir: empty path");
	if (stat(dir, &sb) < 0)
		return err_set(err, RUSTIFY_EIO, "state dir %s: %s", dir,
			       strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return err_set(err, RUSTIFY_EIO,
			       "state dir %s: not a directory", dir);
	if (access(dir, W_OK | X_OK) < 0)
		return err_set(err, RUSTIFY_EIO,
			       "state dir %s is not writable: %s", dir,
			       strerror(errno));
	return 0;
}

/*
 * Job ids are never reused, not even when jobs.db is moved aside or
 * deleted: a reused id points a manifest, a work folder or a retry at
 * another job's request. The highest id ever issued is kept beside the
 * database (jobs.last-id, written at each insert), and the ids found in
 * moved-aside copies that can still be read count too.
 */
#define STORE_LAST_ID "jobs.last-id"

static int64_t id_from_db(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct buf uri = BUF_INIT;
	int64_t v = 0;

	/* immutable: no lock, no -wal or -shm made beside a moved file */
	buf_adds(&uri, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			buf_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			buf_addch(&uri, *p);
	}
	buf_adds(&uri, "?immutable=1");
	if (sqlite3_open_v2(uri.data, &db,
			    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
			    NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db,
			       "SELECT max(coalesce((SELECT max(seq) FROM "
			       "sqlite_sequence WHERE name = 'jobs'), 0),"
			       " coalesce((SELECT max(id) FROM jobs), 0))",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close_v2(db);
	buf_release(&uri);
	return v;
}

static int64_t id_floor(const char *dir)
{
	char *path = xasprintf("%s/" STORE_LAST_ID, dir);
	size_t len = 0;
	char *text = NULL;
	int64_t floor = 0, v;
	DIR *d;
	struct dirent *e;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		char b[32];
		ssize_t n = read(fd, b, sizeof(b) - 1);
		if (n > 0) {
			b[n] = '\0';
			floor = strtoll(b, NULL, 10);
			if (floor >= (int64_t)1e15)
				floor = 0;
		}
		close(fd);
	}
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "jobs.db.corrupt-", 16) ||
		    (n > 4 && !strcmp(e->d_name + n - 4, "-wal")) ||
		    (n > 8 && !strcmp(e->d_name + n - 8, "-journal")) ||
		    (n > 4 && !strcmp(e->d_name + n - 4, "-shm")))
			continue;
		free(text);
		text = xasprintf("%s/%s", dir, e->d_name);
		v = id_from_db(text);
		/* a damaged page may say anything: keep ids parseable */
		if (v > floor && v < (int64_t)1e15)
			floor = v;
	}
	if (d)
		closedir(d);
	(void)len;
	free(text);
	free(path);
	return floor < 0 ? 0 : floor;
}

/* Raises the jobs table's AUTOINCREMENT counter to at least floor. */
static int ids_raise(struct store *s, int64_t floor, struct err *err)
{
	int ret;

	ret = db_begin(s->jobs, true, err);
	if (ret < 0)
		goto out;
	ret = db_run(s->jobs, err,
		     "INSERT INTO sqlite_sequence(name, seq) SELECT 'jobs', 0"
		     " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence"
		     " WHERE name = 'jobs')",
		     "");
	if (ret < 0)
		goto out;
	ret = db_run(s->jobs, err,
		     "UPDATE sqlite_sequence SET seq = ?1"
		     " WHERE name = 'jobs' AND seq < ?1",
		     "i", floor);
	if (ret < 0)
		goto out;
	ret = db_commit(s->jobs, err);
out:
	if (ret < 0)
		db_rollback(s->jobs);
	return ret;
}

/* Best effort: the database itself is the first record of the ids. */
static void ids_note(struct store *s, const char *id)
{
	char b[32];
	int n;

	if (s->id_fd < 0)
		return;
	n = snprintf(b, sizeof(b), "%s\n", id);
	if (pwrite(s->id_fd, b, (size_t)n, 0) == n)
		(void)!ftruncate(s->id_fd, n);
}

int store_open(struct store *s, const char *dir, json_t **notes,
	       struct err *err)
{
	json_t *moved = json_array();
	int ret;

	s->jobs = NULL;
	s->cache = NULL;
	s->dir = NULL;
	s->id_fd = -1;
	s->bg = NULL;
	s->bg_lock = xmalloc(sizeof(*s->bg_lock));
	pthread_mutex_init(s->bg_lock, NULL);
	ret = store_check_dir(dir, err);
	if (ret < 0)
		goto out;
	s->dir = xstrdup(dir);
	ret = db_open(dir, &jobs_spec, &s->jobs, moved, err);
	if (ret < 0)
		goto out;
	ret = ids_raise(s, id_floor(dir), err);
	if (ret < 0)
		goto out;
	{
		char *p = xasprintf("%s/" STORE_LAST_ID, dir);
		s->id_fd = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
				0600);
		free(p);
	}
	ret = db_open(dir, &cache_spec, &s->cache, moved, err);
out:
	if (ret < 0) {
		/* Whatever was moved aside before the failure still matters. */
		for (size_t i = 0; i < json_array_size(moved); i++)
			err_prefix(err, "%s",
				   json_string_value(json_array_get(moved, i)));
		store_close(s);
		json_decref(moved);
		moved = NULL;
	}
	if (notes)
		*notes = moved;
	else
		json_decref(moved);
	return ret;
}

/* A connection for the pool: the schema is there already (store_open). */
static int bg_open(const char *dir, const char *file, sqlite3 **out,
		   struct err *err)
{
	char *path = xasprintf("%s/%s", dir, file);
	int rc = sqlite3_open_v2(path, out, SQLITE_OPEN_READWRITE, NULL);
	int ret = 0;

	if (rc != SQLITE_OK) {
		ret = err_set(err, RUSTIFY_EDB, "%s: cannot open: %s", path,
			      *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
		sqlite3_close_v2(*out);
		*out = NULL;
		goto out;
	}
	sqlite3_extended_result_codes(*out, 1);
	sqlite3_busy_timeout(*out, STORE_BUSY_MS);
	/* big rows pass through once: a small page cache will do */
	ret = db_exec(*out,
		      "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
		      "PRAGMA cache_size = -512",
		      err);
out:
	free(path);
	return ret;
}

struct store *store_bg_acquire(struct store *s, struct err *err)
{
	pthread_mutex_lock(s->bg_lock);
	if (!s->bg) {
		struct store *bg = xcalloc(1, sizeof(*bg));

		bg->id_fd = -1;
		bg->dir = xstrdup(s->dir);
		if (bg_open(s->dir, jobs_spec.file, &bg->jobs, err) < 0 ||
		    bg_open(s->dir, cache_spec.file, &bg->cache, err) < 0) {
			store_close(bg);
			free(bg);
			pthread_mutex_unlock(s->bg_lock);
			return NULL;
		}
		s->bg = bg;
	}
	return s->bg;
}

void store_bg_release(struct store *s)
{
	pthread_mutex_unlock(s->bg_lock);
}

void store_close(struct store *s)
{
	if (s->bg) {
		store_close(s->bg);
		free(s->bg);
		s->bg = NULL;
	}
	if (s->bg_lock) {
		pthread_mutex_destroy(s->bg_lock);
		free(s->bg_lock);
		s->bg_lock = NULL;
	}
	sqlite3_close_v2(s->jobs);
	sqlite3_close_v2(s->cache);
	if (s->id_fd >= 0)
		close(s->id_fd);
	s->id_fd = -1;
	free(s->dir);
	s->jobs = NULL;
	s->cache = NULL;
	s->dir = NULL;
}

static int db_integrity_check(sqlite3 *db, struct err *err)
{
	struct buf msg = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rows = 0, ret;

	ret = db_query(db, &st, err, "PRAGMA integrity_check(20)", "");
	if (ret < 0)
		goto out;
	while ((ret = db_step(st, err)) > 0) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		if (rows++)
			buf_adds(&msg, "; ");
		buf_adds(&msg, line ? line : "");
	}
	if (ret < 0)
		goto out;
	if (rows != 1 || strcmp(msg.data, "ok"))
		ret = err_set(err, RUSTIFY_EDB, "%s: integrity_check: %s",
			      db_path(db), msg.data);
out:
	sqlite3_finalize(st);
	buf_release(&msg);
	return ret;
}

int store_integrity_check(struct store *s, struct err *err)
{
	int ret;

	ret = db_integrity_check(s->jobs, err);
	if (ret < 0)
		goto out;
	ret = db_integrity_check(s->cache, err);
out:
	return ret;
}

/* ---- jobs -------------------------------------------------------------- */

#define JOB_COLUMNS                                                            \
	"id, state, request, stage, percent, error, retry_of, created_at, "    \
	"started_at, finished_at, last_seq"

static int job_from_row(sqlite3_stmt *st, json_t **job, struct err *err)
{
	json_t *request = NULL;
	int ret;

	*job = NULL;
	ret = col_json(st, 2, &request, err);
	if (ret < 0)
		goto out;
	*job = json_object();
	json_object_set_new(*job, "id", col_id(st, 0));
	json_object_set_new(*job, "state", col_string(st, 1));
	json_object_set_new(*job, "request", request ? request : json_null());
	json_object_set_new(*job, "stage", col_string(st, 3));
	json_object_set_new(*job, "percent",
			    json_integer(sqlite3_column_int64(st, 4)));
	json_object_set_new(*job, "error", col_string(st, 5));
	json_object_set_new(*job, "retry_of", col_id(st, 6));
	json_object_set_new(*job, "created_at", col_real(st, 7));
	json_object_set_new(*job, "started_at", col_real(st, 8));
	json_object_set_new(*job, "finished_at", col_real(st, 9));
	json_object_set_new(*job, "last_seq",
			    json_integer(sqlite3_column_int64(st, 10)));
out:
	return ret;
}

int store_job_insert(struct store *s, json_t *request, const char *retry_of,
		     char **id, struct err *err)
{
	int64_t retry_rowid = 0;
	int ret;

	*id = NULL;
	if (!request) {
		ret = err_set(err, RUSTIFY_EINTERNAL,
			      "store_job_insert: no request");
		goto out;
	}
	if (retry_of) {
		ret = job_id_lookup(retry_of, &retry_rowid, err);
		if (ret < 0)
			goto out;
	}
	ret = db_begin(s->jobs, true, err);
	if (ret < 0)
		goto out;
	if (retry_of) {
		ret = job_exists(s, retry_of, retry_rowid, err);
		if (ret < 0)
			goto out;
	}
	ret = db_run(s->jobs, err,
		     "INSERT INTO jobs(state, request, retry_of, created_at)"
		     " VALUES (?1, ?2, ?3, ?4)",
		     "tjId", JOB_QUEUED, request,
		     retry_of ? &retry_rowid : NULL, store_now());
	if (ret < 0)
		goto out;
	*id = xasprintf("%lld", (long long)sqlite3_last_insert_rowid(s->jobs));
	ret = db_commit(s->jobs, err);
	if (ret == 0)
		ids_note(s, *id);
out:
	if (ret < 0) {
		db_rollback(s->jobs);
		free(*id);
		*id = NULL;
	}
	return ret;
}

int store_job_get(struct store *s, const char *id, json_t **job,
		  struct err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t rowid;
	int ret;

	*job = NULL;
	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	ret = db_query(s->jobs, &st, err,
		       "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?1", "i",
		       rowid);
	if (ret < 0)
		goto out;
	ret = db_step(st, err);
	if (ret == 0)
		ret = err_nojob(err, id);
	if (ret < 0)
		goto out;
	ret = job_from_row(st, job, err);
out:
	sqlite3_finalize(st);
	return ret;
}

int store_job_list(struct store *s, int limit, const char *state, json_t **jobs,
		   struct err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int ret;

	*jobs = NULL;
	if (state && !job_state_is_known(state)) {
		ret = err_state(err, state);
		goto out;
	}
	ret = db_query(s->jobs, &st, err,
		       "SELECT " JOB_COLUMNS " FROM jobs"
		       " WHERE ?1 IS NULL OR state = ?1"
		       " ORDER BY id DESC LIMIT ?2",
		       "ti", state, (int64_t)(limit > 0 ? limit : -1));
	if (ret < 0)
		goto out;
	while ((ret = db_step(st, err)) > 0) {
		json_t *job;

		ret = job_from_row(st, &job, err);
		if (ret < 0)
			goto out;
		json_array_append_new(list, job);
	}
	if (ret < 0)
		goto out;
	*jobs = list;
	list = NULL;
out:
	sqlite3_finalize(st);
	json_decref(list);
	return ret;
}

/* Runs an UPDATE of one job row; ENOJOB when no row matched. */
static int job_update(struct store *s, const char *id, struct err *err,
		      const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int ret;

	if (sqlite3_prepare_v2(s->jobs, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(s->jobs, err, sql);
		goto out;
	}
	va_start(ap, fmt);
	ret = db_bindv(st, err, fmt, ap);
	va_end(ap);
	if (ret < 0)
		goto out;
	ret = db_step(st, err);
	if (ret < 0)
		goto out;
	if (sqlite3_changes(s->jobs) == 0)
		ret = err_nojob(err, id);
out:
	sqlite3_finalize(st);
	return ret;
}

int store_job_set_state(struct store *s, const char *id, const char *state,
			const char *error, struct err *err)
{
	const char *sql;
	int64_t rowid;
	int ret;

	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	if (!job_state_is_known(state)) {
		ret = err_state(err, state);
		goto out;
	}
	if (!strcmp(state, JOB_RUNNING))
		sql = "UPDATE jobs SET state = ?2, error = ?3, started_at = ?4,"
		      " finished_at = NULL WHERE id = ?1";
	else if (!strcmp(state, JOB_QUEUED))
		sql = "UPDATE jobs SET state = ?2, error = ?3,"
		      " started_at = NULL, finished_at = NULL WHERE id = ?1";
	else
		sql = "UPDATE jobs SET state = ?2, error = ?3, finished_at = ?4"
		      " WHERE id = ?1";
	ret = job_update(s, id, err, sql, "ittd", rowid, state, error,
			 store_now());
out:
	return ret;
}

int store_job_set_stage(struct store *s, const char *id, const char *stage,
			int percent, struct err *err)
{
	int64_t rowid;
	int ret;

	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	if (percent < 0)
		percent = 0;
	if (percent > 100)
		percent = 100;
	ret =
	    job_update(s, id, err,
		       "UPDATE jobs SET stage = ?2, percent = ?3 WHERE id = ?1",
		       "iti", rowid, stage, (int64_t)percent);
out:
	return ret;
}

int store_job_set_result(struct store *s, const char *id, json_t *result,
			 struct err *err)
{
	int64_t rowid;
	int ret;

	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	ret =
	    job_update(s, id, err, "UPDATE jobs SET result = ?2 WHERE id = ?1",
		       "ij", rowid, result);
out:
	return ret;
}

/* One JSON column of a job row; *out NULL when the column is NULL. */
static int job_get_json(struct store *s, const char *id, const char *sql,
			json_t **out, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t rowid;
	int ret;

	*out = NULL;
	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	ret = db_query(s->jobs, &st, err, sql, "i", rowid);
	if (ret < 0)
		goto out;
	ret = db_step(st, err);
	if (ret == 0)
		ret = err_nojob(err, id);
	if (ret < 0)
		goto out;
	ret = col_json(st, 0, out, err);
out:
	sqlite3_finalize(st);
	return ret;
}

int store_job_get_result(struct store *s, const char *id, json_t **result,
			 struct err *err)
{
	return job_get_json(s, id, "SELECT result FROM jobs WHERE id = ?1",
			    result, err);
}

int store_job_get_request(struct store *s, const char *id, json_t **request,
			  struct err *err)
{
	return job_get_json(s, id, "SELECT request FROM jobs WHERE id = ?1",
			    request, err);
}

/* JSON array of the ids a query returns in its first column. */
static int db_ids(sqlite3 *db, const char *sql, const char *state, json_t **ids,
		  struct err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int ret;

	*ids = NULL;
	ret = db_query(db, &st, err, sql, "t", state);
	if (ret < 0)
		goto out;
	while ((ret = db_step(st, err)) > 0)
		json_array_append_new(list, col_id(st, 0));
	if (ret < 0)
		goto out;
	*ids = list;
	list = NULL;
out:
	sqlite3_finalize(st);
	json_decref(list);
	return ret;
}

int store_jobs_queued(struct store *s, json_t **ids, struct err *err)
{
	return db_ids(s->jobs,
		      "SELECT id FROM jobs WHERE state = ?1 ORDER BY id",
		      JOB_QUEUED, ids, err);
}

/* ---- events ------------------------------------------------------------- */

/* The append itself; the caller holds a write transaction. */
static int event_append_locked(struct store *s, const char *id, int64_t rowid,
			       const char *kind, json_t *params, json_t **out,
			       struct err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *full = NULL;
	int64_t seq;
	int ret;

	if (!kind || (params && !json_is_object(params))) {
		ret = err_set(err, RUSTIFY_EINTERNAL,
			      "store_event_append: job %s: %s", id,
			      kind ? "params is not an object" : "no kind");
		goto out;
	}
	ret = db_query(s->jobs, &st, err,
		       "UPDATE jobs SET last_seq = last_seq + 1 WHERE id = ?1"
		       " RETURNING last_seq",
		       "i", rowid);
	if (ret < 0)
		goto out;
	ret = db_step(st, err);
	if (ret == 0)
		ret = err_nojob(err, id);
	if (ret < 0)
		goto out;
	seq = sqlite3_column_int64(st, 0);
	/* RETURNING rows are all computed before the first one is returned. */
	ret = db_step(st, err);
	if (ret < 0)
		goto out;
	full = json_object();
	json_object_set_new(full, "job", json_string(id));
	json_object_set_new(full, "seq", json_integer(seq));
	if (params) {
		json_t *copy = json_deep_copy(params);

		json_object_update(full, copy);
		json_decref(copy);
		/* The caller's keys never override the store's numbering. */
		json_object_set_new(full, "job", json_string(id));
		json_object_set_new(full, "seq", json_integer(seq));
	}
	ret = db_run(s->jobs, err,
		     "INSERT INTO events(job, seq, kind, params, created_at)"
		     " VALUES (?1, ?2, ?3, ?4, ?5)",
		     "iitjd", rowid, seq, kind, full, store_now());
	if (ret < 0)
		goto out;
	if (out) {
		*out = full;
		full = NULL;
	}
out:
	sqlite3_finalize(st);
	json_decref(full);
	return ret;
}

int store_event_append(struct store *s, const char *id, const char *kind,
		       json_t *params, json_t **out, struct err *err)
{
	int64_t rowid;
	int ret;

	if (out)
		*out = NULL;
	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	ret = db_begin(s->jobs, true, err);
	if (ret < 0)
		goto out;
	ret = event_append_locked(s, id, rowid, kind, params, out, err);
	if (ret < 0)
		goto out;
	ret = db_commit(s->jobs, err);
out:
	if (ret < 0) {
		db_rollback(s->jobs);
		if (out) {
			json_decref(*out);
			*out = NULL;
		}
	}
	return ret;
}

int store_job_finish(struct store *s, const char *id, const char *state,
		     const char *error, json_t *result, json_t **done,
		     struct err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *params = NULL;
	int64_t rowid;
	bool is_running = false;
	int ret;

	*done = NULL;
	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	if (!job_state_is_known(state)) {
		ret = err_state(err, state);
		goto out;
	}
	ret = db_begin(s->jobs, true, err);
	if (ret < 0)
		goto out;
	if (result) {
		ret = job_update(s, id, err,
				 "UPDATE jobs SET result = ?2 WHERE id = ?1",
				 "ij", rowid, result);
		if (ret < 0)
			goto out;
	}
	ret = db_query(s->jobs, &st, err,
		       "SELECT state = ?2 FROM jobs WHERE id = ?1", "it", rowid,
		       JOB_RUNNING);
	if (ret < 0)
		goto out;
	ret = db_step(st, err);
	if (ret == 0)
		ret = err_nojob(err, id);
	if (ret < 0)
		goto out;
	is_running = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	st = NULL;
	if (is_running) {
		ret = job_update(s, id, err,
				 "UPDATE jobs SET state = ?2, error = ?3,"
				 " finished_at = ?4 WHERE id = ?1",
				 "ittd", rowid, state, error, store_now());
		if (ret < 0)
			goto out;
		params = json_pack("{s:s}", "state", state);
		if (error)
			json_object_set_new(params, "error",
					    json_string(error));
		ret = event_append_locked(s, id, rowid, "job/done", params,
					  done, err);
		if (ret < 0)
			goto out;
	}
	ret = db_commit(s->jobs, err);
out:
	sqlite3_finalize(st);
	json_decref(params);
	if (ret < 0) {
		db_rollback(s->jobs);
		json_decref(*done);
		*done = NULL;
	}
	return ret;
}

int store_events_since(struct store *s, const char *id, int64_t since_seq,
		       json_t **events, struct err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int64_t rowid;
	int ret;

	*events = NULL;
	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	ret = db_begin(s->jobs, false, err);
	if (ret < 0)
		goto out;
	ret = job_exists(s, id, rowid, err);
	if (ret < 0)
		goto out;
	ret = db_query(s->jobs, &st, err,
		       "SELECT kind, params FROM events"
		       " WHERE job = ?1 AND seq > ?2 ORDER BY seq",
		       "ii", rowid, since_seq);
	if (ret < 0)
		goto out;
	while ((ret = db_step(st, err)) > 0) {
		json_t *params;

		ret = col_json(st, 1, &params, err);
		if (ret < 0)
			goto out;
		json_array_append_new(
		    list, json_pack("{s:o, s:o}", "method", col_string(st, 0),
				    "params", params ? params : json_null()));
	}
	if (ret < 0)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	ret = db_commit(s->jobs, err);
	if (ret < 0)
		goto out;
	*events = list;
	list = NULL;
out:
	sqlite3_finalize(st);
	if (ret < 0)
		db_rollback(s->jobs);
	json_decref(list);
	return ret;
}

int store_events_page(struct store *s, const char *id, int64_t since_seq,
		      size_t max_bytes, struct buf *out,
		      struct store_page *page, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t rowid;
	int ret;

	memset(page, 0, sizeof(*page));
	page->last_seq = since_seq;
	ret = job_id_lookup(id, &rowid, err);
	if (ret < 0)
		goto out;
	ret = db_query(s->jobs, &st, err,
		       "SELECT seq, kind, params FROM events"
		       " WHERE job = ?1 AND seq > ?2 ORDER BY seq",
		       "ii", rowid, since_seq);
	if (ret < 0)
		goto out;
	/* at least one event, then as many as fit */
	while ((page->count == 0 || out->len < max_bytes) &&
	       (ret = db_step(st, err)) > 0) {
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *params = (const char *)sqlite3_column_text(st, 2);
		size_t body;

		if (!kind || !params)
			continue;
		/* The stored params are our own compact JSON and kind one
		 * of our method names: the notification is put together as
		 * text, never parsed and printed again. */
		body = strlen("{\"jsonrpc\":\"2.0\",\"method\":\"\","
			      "\"params\":}") +
		       strlen(kind) + (size_t)sqlite3_column_bytes(st, 2);
		buf_addf(out, "Content-Length: %zu\r\n\r\n", body);
		buf_addf(out, "{\"jsonrpc\":\"2.0\",\"method\":\"%s\","
			      "\"params\":",
			 kind);
		buf_add(out, params, (size_t)sqlite3_column_bytes(st, 2));
		buf_addch(out, '}');
		page->last_seq = sqlite3_column_int64(st, 0);
		page->count++;
		if (!strcmp(kind, "job/done"))
			page->has_done = true;
	}
	if (ret < 0)
		goto out;
	page->is_full = ret > 0; /* stopped at max_bytes: there may be more */
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int store_events_gc(struct store *s, double finished_before, int64_t *n,
		    struct err *err)
{
	int ret;

	*n = 0;
	ret = db_run(s->jobs, err,
		     "DELETE FROM events WHERE job IN (SELECT id FROM jobs"
		     " WHERE finished_at IS NOT NULL AND finished_at < ?1)",
		     "d", finished_before);
	if (ret < 0)
		goto out;
	*n = sqlite3_changes64(s->jobs);
out:
	return ret;
}

int store_jobs_recover(struct store *s, json_t **ids, struct err *err)
{
	json_t *list = NULL, *params = NULL;
	size_t i;
	json_t *v;
	int ret;

	*ids = NULL;
	ret = db_begin(s->jobs, true, err);
	if (ret < 0)
		goto out;
	ret =
	    db_ids(s->jobs, "SELECT id FROM jobs WHERE state = ?1 ORDER BY id",
		   JOB_RUNNING, &list, err);
	if (ret < 0)
		goto out;
	params = json_pack("{s:s, s:s}", "state", JOB_INTERRUPTED, "error",
			   RECOVER_ERROR);
	json_array_foreach(list, i, v) {
		const char *id = json_string_value(v);
		int64_t rowid;

		ret = job_id_lookup(id, &rowid, err);
		if (ret < 0)
			goto out;
		ret = job_update(s, id, err,
				 "UPDATE jobs SET state = ?2, error = ?3,"
				 " finished_at = ?4 WHERE id = ?1",
				 "ittd", rowid, JOB_INTERRUPTED, RECOVER_ERROR,
				 store_now());
		if (ret < 0)
			goto out;
		ret = event_append_locked(s, id, rowid, "job/done", params,
					  NULL, err);
		if (ret < 0)
			goto out;
	}
	ret = db_commit(s->jobs, err);
	if (ret < 0)
		goto out;
	*ids = list;
	list = NULL;
out:
	if (ret < 0)
		db_rollback(s->jobs);
	json_decref(list);
	json_decref(params);
	return ret;
}

/* ---- live child processes ----------------------------------------------- */

int store_child_add(struct store *s, const char *job_id, pid_t pid,
		    uint64_t start_time, const char *cmd, struct err *err)
{
	int64_t rowid = 0;
	int ret;

	if (job_id) {
		ret = job_id_lookup(job_id, &rowid, err);
		if (ret < 0)
			goto out;
	}
	ret = db_begin(s->jobs, true, err);
	if (ret < 0)
		goto out;
	if (job_id) {
		ret = job_exists(s, job_id, rowid, err);
		if (ret < 0)
			goto out;
	}
	/* A pid seen again was reused by the kernel: the old row is stale. */
	ret =
	    db_run(s->jobs, err,
		   "INSERT OR REPLACE INTO children(pid, job, start_time, cmd,"
		   " created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
		   "iIitd", (int64_t)pid, job_id ? &rowid : NULL,
		   (int64_t)start_time, cmd ? cmd : "", store_now());
	if (ret < 0)
		goto out;
	ret = db_commit(s->jobs, err);
out:
	if (ret < 0)
		db_rollback(s->jobs);
	return ret;
}

int store_child_remove(struct store *s, pid_t pid, struct err *err)
{
	return db_run(s->jobs, err, "DELETE FROM children WHERE pid = ?1", "i",
		      (int64_t)pid);
}

int store_children_list(struct store *s, json_t **children, struct err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int ret;

	*children = NULL;
	ret = db_query(s->jobs, &st, err,
		       "SELECT job, pid, start_time, cmd FROM children"
		       " ORDER BY created_at, pid",
		       "");
	if (ret < 0)
		goto out;
	while ((ret = db_step(st, err)) > 0)
		json_array_append_new(
		    list,
		    json_pack("{s:o, s:I, s:I, s:o}", "job", col_id(st, 0),
			      "pid", (json_int_t)sqlite3_column_int64(st, 1),
			      "start_time",
			      (json_int_t)sqlite3_column_int64(st, 2), "cmd",
			      col_string(st, 3)));
	if (ret < 0)
		goto out;
	*children = list;
	list = NULL;
out:
	sqlite3_finalize(st);
	json_decref(list);
	return ret;
}

/* ---- watches ------------------------------------------------------------- */

int store_watch_put(struct store *s, const char *path, json_t *options,
		    struct err *err)
{
	json_t *empty = NULL;
	int ret;

	if (!path) {
		ret =
		    err_set(err, RUSTIFY_EINTERNAL, "store_watch_put: no path");
		goto out;
	}
	if (!options)
		options = empty = json_object();
	/* Re-watching keeps the original created_at. */
	ret = db_run(s->jobs, err,
		     "INSERT INTO watches(path, options, created_at)"
		     " VALUES (?1, ?2, ?3) ON CONFLICT(path)"
		     " DO UPDATE SET options = excluded.options",
		     "tjd", path, options, store_now());
out:
	json_decref(empty);
	return ret;
}

/* Removing a path that is not watched is not an error. */
int store_watch_delete(struct store *s, const char *path, struct err *err)
{
	return db_run(s->jobs, err, "DELETE FROM watches WHERE path = ?1", "t",
		      path);
}

int store_watch_list(struct store *s, json_t **watches, struct err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int ret;

	*watches = NULL;
	ret = db_query(s->jobs, &st, err,
		       "SELECT path, options, created_at FROM watches"
		       " ORDER BY path",
		       "");
	if (ret < 0)
		goto out;
	while ((ret = db_step(st, err)) > 0) {
		json_t *options;

		ret = col_json(st, 1, &options, err);
		if (ret < 0)
			goto out;
		json_array_append_new(list,
				      json_pack("{s:o, s:o, s:o}", "path",
						col_string(st, 0), "options",
						options ? options : json_null(),
						"created_at", col_real(st, 2)));
	}
	if (ret < 0)
		goto out;
	*watches = list;
	list = NULL;
out:
	sqlite3_finalize(st);
	json_decref(list);
	return ret;
}

/* ---- cache --------------------------------------------------------------- */

int store_cache_get(struct store *s, const char *table, const char *key,
		    json_t **value, void **blob, size_t *blob_len,
		    struct err *err)
{
	sqlite3_stmt *st = NULL;
	const char *name;
	char *sql = NULL;
	bool is_hit = false;
	int ret;

	*value = NULL;
	if (blob)
		*blob = NULL;
	if (blob_len)
		*blob_len = 0;
	ret = cache_table_lookup(table, &name, err);
	if (ret < 0)
		goto out;
	if (!key) {
		ret =
		    err_set(err, RUSTIFY_EINTERNAL, "store_cache_get: no key");
		goto out;
	}
	ret = db_begin(s->cache, true, err);
	if (ret < 0)
		goto out;
	/* Wheels can be large: read the blob only when the caller wants it. */
	sql = xasprintf("SELECT value, %s FROM %s WHERE key = ?1",
			blob ? "blob" : "NULL", name);
	ret = db_query(s->cache, &st, err, sql, "t", key);
	if (ret < 0)
		goto out;
	ret = db_step(st, err);
	if (ret < 0)
		goto out;
	if (ret > 0) {
		is_hit = true;
		ret = col_json(st, 0, value, err);
		if (ret < 0)
			goto out;
		if (blob && sqlite3_column_type(st, 1) != SQLITE_NULL) {
			const void *p = sqlite3_column_blob(st, 1);
			size_t n = (size_t)sqlite3_column_bytes(st, 1);

			if (p && n) {
				*blob = xmalloc(n);
				memcpy(*blob, p, n);
				if (blob_len)
					*blob_len = n;
			}
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (is_hit) {
		free(sql);
		sql = xasprintf("UPDATE %s SET last_used = ?2 WHERE key = ?1",
				name);
		ret = db_run(s->cache, err, sql, "td", key, store_now());
		if (ret < 0)
			goto out;
	}
	ret = db_run(s->cache, err,
		     "INSERT INTO stats(table_name, hits, misses)"
		     " VALUES (?1, ?2, ?3) ON CONFLICT(table_name) DO UPDATE"
		     " SET hits = hits + excluded.hits,"
		     " misses = misses + excluded.misses",
		     "tii", name, (int64_t)is_hit, (int64_t)!is_hit);
	if (ret < 0)
		goto out;
	ret = db_commit(s->cache, err);
out:
	sqlite3_finalize(st);
	free(sql);
	if (ret < 0) {
		db_rollback(s->cache);
		json_decref(*value);
		*value = NULL;
		if (blob) {
			free(*blob);
			*blob = NULL;
		}
		if (blob_len)
			*blob_len = 0;
	}
	return ret;
}

int store_cache_put(struct store *s, const char *table, const char *key,
		    json_t *value, const void *blob, size_t blob_len,
		    struct err *err)
{
	const char *name;
	char *sql = NULL, *text = NULL;
	double now = store_now();
	int ret;

	ret = cache_table_lookup(table, &name, err);
	if (ret < 0)
		goto out;
	if (!key || !value) {
		ret = err_set(err, RUSTIFY_EINTERNAL,
			      "store_cache_put: %s: no %s", name,
			      key ? "value" : "key");
		goto out;
	}
	text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text) {
		ret = err_set(err, RUSTIFY_EINTERNAL,
			      "store_cache_put: %s: cannot encode value", name);
		goto out;
	}
	if (!blob)
		blob_len = 0;
	sql =
	    xasprintf("INSERT OR REPLACE INTO %s(key, value, blob, size,"
		      " created_at, last_used) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		      name);
	ret = db_run(s->cache, err, sql, "ttbidd", key, text, blob, blob_len,
		     (int64_t)(strlen(text) + blob_len), now, now);
out:
	free(sql);
	free(text);
	return ret;
}

static int64_t file_size(const char *dir, const char *file, const char *suffix)
{
	char *path = xasprintf("%s/%s%s", dir, file, suffix);
	struct stat sb;
	int64_t n = 0;

	if (stat(path, &sb) == 0)
		n = (int64_t)sb.st_size;
	free(path);
	return n;
}

int store_cache_stats(struct store *s, json_t **stats, struct err *err)
{
	json_t *tables = json_object(), *out = NULL;
	sqlite3_stmt *st = NULL;
	int64_t njobs = 0, nevents = 0;
	char *sql = NULL;
	int ret;

	*stats = NULL;
	ret = db_begin(s->cache, false, err);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(cache_tables); i++) {
		free(sql);
		sql = xasprintf("SELECT (SELECT count(*) FROM %s),"
				" (SELECT coalesce(sum(size), 0) FROM %s),"
				" coalesce((SELECT hits FROM stats"
				"  WHERE table_name = ?1), 0),"
				" coalesce((SELECT misses FROM stats"
				"  WHERE table_name = ?1), 0)",
				cache_tables[i], cache_tables[i]);
		ret = db_query(s->cache, &st, err, sql, "t", cache_tables[i]);
		if (ret < 0)
			goto out;
		ret = db_step(st, err);
		if (ret < 0)
			goto out;
		json_object_set_new(
		    tables, cache_tables[i],
		    json_pack("{s:I, s:I, s:I, s:I}", "entries",
			      (json_int_t)sqlite3_column_int64(st, 0), "bytes",
			      (json_int_t)sqlite3_column_int64(st, 1), "hits",
			      (json_int_t)sqlite3_column_int64(st, 2), "misses",
			      (json_int_t)sqlite3_column_int64(st, 3)));
		sqlite3_finalize(st);
		st = NULL;
	}
	ret = db_commit(s->cache, err);
	if (ret < 0)
		goto out;
	ret = db_begin(s->jobs, false, err);
	if (ret < 0)
		goto out;
	ret = db_int(s->jobs, &njobs, err, "SELECT count(*) FROM jobs");
	if (ret < 0)
		goto out;
	ret = db_int(s->jobs, &nevents, err, "SELECT count(*) FROM events");
	if (ret < 0)
		goto out;
	ret = db_commit(s->jobs, err);
	if (ret < 0)
		goto out;
	out = json_pack("{s:o, s:{s:I, s:I}, s:{s:I, s:I}}", "tables", tables,
			"jobs", "entries", (json_int_t)njobs, "events",
			(json_int_t)nevents, "db_bytes", "jobs",
			(json_int_t)(file_size(s->dir, "jobs.db", "") +
				     file_size(s->dir, "jobs.db", "-wal")),
			"cache",
			(json_int_t)(file_size(s->dir, "cache.db", "") +
				     file_size(s->dir, "cache.db", "-wal")));
	tables = NULL; /* "o" stole it */
	*stats = out;
out:
	sqlite3_finalize(st);
	free(sql);
	if (ret < 0) {
		db_rollback(s->cache);
		db_rollback(s->jobs);
	}
	json_decref(tables);
	return ret;
}

struct gc_victim {
	int table;
	int64_t rowid;
};

int store_cache_gc(struct store *s, int64_t limit_bytes, json_t **report,
		   struct err *err)
{
	struct gc_victim *victims = NULL;
	size_t n_victims = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	struct buf sql = BUF_INIT;
	int64_t total = 0, removed_bytes = 0;
	char *del = NULL;
	int ret;

	*report = NULL;
	if (limit_bytes < 0)
		limit_bytes = 0;
	ret = db_begin(s->cache, true, err);
	if (ret < 0)
		goto out;
	/* One LRU order across all tables; table index as a literal column. */
	buf_adds(&sql, "SELECT t, id, size FROM (");
	for (size_t i = 0; i < ARRAY_SIZE(cache_tables); i++)
		buf_addf(&sql,
			 "%sSELECT %zu AS t, rowid AS id, size, last_used,"
			 " created_at FROM %s",
			 i ? " UNION ALL " : "", i, cache_tables[i]);
	buf_adds(&sql, ") ORDER BY last_used, created_at");
	ret = db_query(s->cache, &st, err, sql.data, "");
	if (ret < 0)
		goto out;
	/* First pass: the total; second: pick victims oldest first. */
	while ((ret = db_step(st, err)) > 0)
		total += sqlite3_column_int64(st, 2);
	if (ret < 0)
		goto out;
	sqlite3_reset(st);
	while (total - removed_bytes > limit_bytes &&
	       (ret = db_step(st, err)) > 0) {
		if (n_victims == cap) {
			cap = cap ? cap * 2 : 64;
			victims = xrealloc(victims, cap * sizeof(*victims));
		}
		victims[n_victims].table = sqlite3_column_int(st, 0);
		victims[n_victims].rowid = sqlite3_column_int64(st, 1);
		n_victims++;
		removed_bytes += sqlite3_column_int64(st, 2);
	}
	if (ret < 0)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; i < n_victims; i++) {
		int t = victims[i].table;

		if (t < 0 || (size_t)t >= ARRAY_SIZE(cache_tables)) {
			ret = err_set(err, RUSTIFY_EINTERNAL,
				      "cache gc: bad table index %d", t);
			goto out;
		}
		free(del);
		del = xasprintf("DELETE FROM %s WHERE rowid = ?1",
				cache_tables[t]);
		ret = db_run(s->cache, err, del, "i", victims[i].rowid);
		if (ret < 0)
			goto out;
	}
	ret = db_commit(s->cache, err);
	if (ret < 0)
		goto out;
	/*
	 * Give the freed pages back to the file system. Best effort: a
	 * reader holding the WAL open only delays this to the next gc.
	 */
	if (n_victims) {
		sqlite3_exec(s->cache, "PRAGMA incremental_vacuum", NULL, NULL,
			     NULL);
		sqlite3_exec(s->cache, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
			     NULL, NULL);
	}
	*report = json_pack("{s:I, s:I, s:I}", "removed_entries",
			    (json_int_t)n_victims, "removed_bytes",
			    (json_int_t)removed_bytes, "remaining_bytes",
			    (json_int_t)(total - removed_bytes));
out:
	sqlite3_finalize(st);
	if (ret < 0)
		db_rollback(s->cache);
	buf_release(&sql);
	free(del);
	free(victims);
	return ret;
}
