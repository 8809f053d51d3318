/*
 * client.h - what the rustifyctl modules share: the command table entry,
 * global options, option matching, the daemon connection (conn.c), the
 * progress line and tables (display.c), submit options (cmd-submit.c) and
 * path / text helpers (util.c).
 *
 * Private to client/: the daemon never includes this.
 */
#ifndef RUSTIFY_CLIENT_H
#define RUSTIFY_CLIENT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "rustify/buf.h"
#include "rustify/error.h"
#include "rustify/job.h"
#include "rustify/proto.h"

/* Exit statuses: the contract with scripts. */
#define CLIENT_EXIT_OK		0
#define CLIENT_EXIT_FAIL	1 /* job failed / daemon error reply */
#define CLIENT_EXIT_USAGE	2
#define CLIENT_EXIT_UNREACHABLE 3 /* no daemon answers */

/* The connect-and-wait budget for autostart and restarts. */
#define CLIENT_START_TIMEOUT_MS 10000

/* Global options, shared by every command. */
struct client {
	char *socket_path; /* resolved socket path, malloc'd */
	bool no_autostart;
	bool has_socket_option; /* --socket was given */
};

struct cmd_entry {
	const char *name;
	const char *args;    /* usage after the name */
	const char *summary; /* one line for `rustifyctl help` */
	/* argv[0] is the command name; returns an exit status */
	int (*exec)(const struct cmd_entry *self, struct client *cl, int argc,
		    char **argv);
};

extern const struct cmd_entry cmd_submit_entry;
extern const struct cmd_entry cmd_index_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_jobs_entry;
extern const struct cmd_entry cmd_cancel_entry;
extern const struct cmd_entry cmd_retry_entry;
extern const struct cmd_entry cmd_result_entry;
extern const struct cmd_entry cmd_cache_entry;
extern const struct cmd_entry cmd_rebuild_entry;
extern const struct cmd_entry cmd_watch_entry;
extern const struct cmd_entry cmd_unwatch_entry;
extern const struct cmd_entry cmd_watches_entry;
extern const struct cmd_entry cmd_ping_entry;
extern const struct cmd_entry cmd_shutdown_entry;
extern const struct cmd_entry cmd_daemon_entry;
extern const struct cmd_entry cmd_help_entry;

/* ---- main.c: options and usage ---------------------------------------- */

/*
 * Matches argv[*i] against the long option name ("--threshold"). For an
 * option taking a value (val != NULL) the value is "--name=VALUE"'s or the
 * next argument (then *i advances). Returns 1 on a match, 0 when argv[*i]
 * is another option, -1 when the value is missing or a flag got one (the
 * message is already printed).
 */
int opt_match(int argc, char **argv, int *i, const char *name,
	      const char **val);
/*
 * Options any command accepts after its name: --no-autostart, --socket.
 * Same returns as opt_match().
 */
int cmd_common_option(struct client *cl, int argc, char **argv, int *i);
/* Prints "rustifyctl: MESSAGE" and the command's usage to stderr; returns
 * CLIENT_EXIT_USAGE. */
int cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * The usual command line: options any command takes, --json when is_json
 * is not NULL, and exactly npos positional arguments (pos[k] holds the
 * name for the usage message on entry and the argument on return).
 * Returns -1 to go on, or the exit status to end with (0 after --help).
 */
int cmd_parse_args(const struct cmd_entry *e, struct client *cl, int argc,
		   char **argv, const char **pos, size_t npos, bool *is_json);
/* True for -h / --help: the command prints its usage to stdout. */
bool cmd_is_help(const char *arg);
int cmd_print_help(const struct cmd_entry *e);
/* Lists the command table to f. */
void cmd_print_usage(FILE *f);
const struct cmd_entry *cmd_find(const char *name);
/* Prints "rustifyctl: message" to stderr and returns the exit status that
 * fits the error (3 when the daemon is unreachable, 1 otherwise). */
int client_fail(const struct err *err);
int client_exit_status(const struct err *err);

/* ---- conn.c: one connection to rustifyd ------------------------------- */

typedef void (*conn_notify_fn)(void *arg, const char *method, json_t *params);

struct conn {
	int fd; /* -1 when closed */
	struct client *cl;
	struct frame_decoder dec;
	json_int_t next_id;
	json_t *init;	    /* initialize result; NULL if the daemon lacks it */
	int rpc_code;	    /* JSON-RPC code of the last error reply, else 0 */
	int timeout_ms;	    /* per call, 0 = none */
	bool has_restarted; /* the version check already restarted once */
	conn_notify_fn on_notify;
	void *notify_arg;
};

#define CONN_AUTOSTART	   0x1u /* start rustifyd when none answers */
#define CONN_VERSION_CHECK 0x2u /* restart a daemon of another version */

void conn_init(struct conn *c, struct client *cl);
/* Closes the socket; keeps cl and the notify callback. */
void conn_close(struct conn *c);
void conn_release(struct conn *c);
/*
 * Connects (autostarting when flags ask and --no-autostart is absent),
 * then sends initialize. Fails with RUSTIFY_ECONNECT when no daemon
 * answers.
 */
int conn_open(struct conn *c, unsigned flags, struct err *err);
/* Connects only: 0, or RUSTIFY_ECONNECT (nobody listens) / RUSTIFY_EIO. */
int conn_connect(struct conn *c, struct err *err);
/*
 * Sends a request (params stolen; NULL sends {}) and waits for its
 * response, handing notifications that arrive meanwhile to on_notify.
 * An error reply returns the RUSTIFY_E* code mapped from its JSON-RPC code
 * (c->rpc_code keeps the original) with the daemon's message in err;
 * RUSTIFY_EIO when the connection drops.
 */
int conn_call(struct conn *c, const char *method, json_t *params,
	      json_t **result, struct err *err);
/*
 * Waits up to timeout_ms (-1 forever) for messages and dispatches the
 * notifications. 0 on a timeout, a signal, or after messages; RUSTIFY_EIO
 * when the daemon closed the connection.
 */
int conn_poll(struct conn *c, int timeout_ms, struct err *err);
/* conn_open + conn_call + close, for the one-request commands. */
int conn_call_once(struct client *cl, unsigned flags, const char *method,
		   json_t *params, json_t **result, struct err *err);
/* Runs rustifyd --background and waits for its socket (up to 10 s). */
int conn_daemon_start(struct client *cl, struct err *err);
/* Waits until the daemon at cl's socket stops answering; pid > 0 also
 * waits for that process to go away. */
int conn_daemon_wait_gone(struct client *cl, long pid, int timeout_ms,
			  struct err *err);

/* ---- display.c: progress line, tables, JSON --------------------------- */

struct progress {
	bool is_tty;
	bool is_quiet;
	bool is_verbose;
	bool is_line_open; /* a \r-redrawn line is on screen */
	char *stage;	   /* current stage, NULL before the first */
	double percent;
	char *message;
	double stage_start; /* monotonic seconds */
	double last_draw;
};

void progress_init(struct progress *p, bool is_tty, bool is_quiet,
		   bool is_verbose);
void progress_release(struct progress *p);
void progress_update(struct progress *p, const char *stage, double percent,
		     const char *message);
void progress_log(struct progress *p, const char *stream, const char *line);
/* Redraws the elapsed time on a terminal. */
void progress_tick(struct progress *p);
/* Ends an open line so that other output starts at column 0. */
void progress_finish(struct progress *p);

struct table {
	size_t ncols;
	size_t nrows;
	char **cells;	     /* (nrows + 1) * ncols, row 0 = headers */
	bool *is_right;	     /* per column: right-aligned */
	size_t *overflow_at; /* per column: cells longer do not widen it */
};

void table_init(struct table *t, size_t ncols, const char *const *headers);
void table_release(struct table *t);
void table_align_right(struct table *t, size_t col);
void table_set_overflow(struct table *t, size_t col, size_t width);
/* Adds a row of ncols strings (copied; NULL prints as ""). */
void table_add_row(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *f);

/* JSON helpers that tolerate missing members. */
const char *json_get_str(json_t *obj, const char *key, const char *dflt);
double json_get_num(json_t *obj, const char *key, double dflt);
bool json_get_bool(json_t *obj, const char *key);
/* A job id as a string (ids are strings; integers are accepted). */
char *json_get_id(json_t *obj, const char *key);
void display_json(json_t *doc);
void display_bytes(struct buf *out, double bytes);
void display_time(struct buf *out, json_t *unix_seconds);
/* The summary of a job result: functions, stages, output, state. */
void display_result(json_t *result, FILE *f);
/* One job object as "key  value" lines. */
void display_job(json_t *job, FILE *f);
/* One row of the `jobs` table: id, state, stage, created, source. */
void display_job_row(struct table *t, json_t *job);

/* ---- cmd-submit.c: submit options (shared with watch) ------------------ */

struct submit_args {
	json_t *options; /* the wire options gathered so far */
	const char *python;
	const char *output;
	const char *entry;
	const char *entry_cmd;
};

void submit_args_init(struct submit_args *a);
void submit_args_release(struct submit_args *a);
/* One submit option at argv[*i]: 1 consumed, 0 not one, -1 usage error. */
int submit_args_parse(const struct cmd_entry *e, struct submit_args *a,
		      int argc, char **argv, int *i);
/*
 * Resolves --python / --output / --entry-cmd into a->options. anchor is
 * the directory a .venv is looked for from; default_output (may be NULL)
 * is sent when no --output was given.
 */
int submit_args_finish(const struct cmd_entry *e, struct submit_args *a,
		       const char *anchor, const char *default_output,
		       struct err *err);

/* How a followed job is shown: the flags submit and rebuild share. */
struct submit_view {
	bool is_json;
	bool is_quiet;
	bool is_verbose;
	bool is_no_wait;
};

/* --json, --no-wait, -v/--verbose, -q/--quiet: 1, 0 or -1 as opt_match. */
int submit_view_parse(struct submit_view *v, int argc, char **argv, int *i);
/*
 * Sends method (job/submit, crate/rebuild) with params (borrowed); when
 * the reply names a job, follows it to job/done and prints the result.
 * Returns the exit status.
 */
int submit_run(struct client *cl, const char *method, json_t *params,
	       const struct submit_view *v);

/* ---- util.c: paths and text ------------------------------------------ */

/* Absolute form of path without resolving symlinks (malloc'd). */
char *path_absolute(const char *path);
/* Directory part of an absolute path (malloc'd, "/" for "/x"). */
char *path_dirname(const char *path);
/* dir made absolute (*abs, malloc'd) when it is an existing directory;
 * else RUSTIFY_ESOURCE "cannot VERB DIR: why". */
int path_existing_dir(const char *dir, const char *verb, char **abs,
		      struct err *err);
/* Finds an executable on $PATH; absolute, malloc'd, or NULL. */
char *path_find_program(const char *name);
bool path_is_executable(const char *path);
/* Splits a command line like a POSIX shell would, without running one:
 * quotes, backslashes; appends the words to list. */
int shell_split(const char *line, json_t *list, struct err *err);
int read_stream(FILE *f, struct buf *out, struct err *err);
double time_monotonic(void);
double time_wall(void);

#endif
