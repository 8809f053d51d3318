/*
 * main.c - rustifyd: command line, paths, background start, and the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "jobs.h"
#include "sha256.h"
#include "source.h"
#include "supervise.h"
#include "fs.h"
#include "log.h"
#include "watch.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: rustifyd [options]\n"
	    "Runs the rustify daemon: accepts JSON-RPC jobs on a Unix socket "
	    "and\naccelerates Python functions with Rust.\n\n"
	    "  --socket PATH         socket (default $RUSTIFY_SOCKET, else\n"
	    "                        $XDG_RUNTIME_DIR/rustify/rustifyd.sock, "
	    "else\n"
	    "                        /tmp/rustify-$UID/rustifyd.sock)\n"
	    "  --state-dir DIR       databases, work folders, log (default\n"
	    "                        $RUSTIFY_HOME, else "
	    "$XDG_CACHE_HOME/rustify,\n"
	    "                        else ~/.cache/rustify)\n"
	    "  --background          detach; log to STATE_DIR/rustifyd.log\n"
	    "  --log-level LEVEL     debug, info, warn, error (default info)\n"
	    "  --jobs N              jobs running at once (default 2)\n"
	    "  --max-message BYTES   largest message accepted (default "
	    "16777216)\n"
	    "  --max-connections N   open connections (default 256)\n"
	    "  --max-outbuf BYTES    unread bytes queued per connection "
	    "before\n"
	    "                        it is dropped (default 8388608)\n"
	    "  --max-queue N         queued jobs (default 1000)\n"
	    "  --grace SECONDS       at shutdown, wait this long for running "
	    "jobs\n"
	    "                        before interrupting them (default 10)\n"
	    "  --profile-timeout S   workload time limit (default 120)\n"
	    "  --build-timeout S     build time limit (default 600)\n"
	    "  --max-source BYTES    largest source file (default 8388608)\n"
	    "  --max-log-lines N     output lines kept per job (default 5000)\n"
	    "  --cargo-target-dir D  cargo target dir shared by all builds\n"
	    "                        (default STATE_DIR/cargo-target)\n"
	    "  --max-watch-dirs N    directories watched at once, over all\n"
	    "                        watches (default 4096)\n"
	    "  --capture-max-bytes N largest pickled call the verify stage\n"
	    "                        captures for a function whose profiled\n"
	    "                        calls were all too big to keep (default\n"
	    "                        134217728)\n"
	    "  --version, --help\n");
}

static char *default_state_dir(void)
{
	const char *e = getenv("RUSTIFY_HOME");

	if (e && *e)
		return xstrdup(e);
	e = getenv("XDG_CACHE_HOME");
	if (e && *e)
		return xasprintf("%s/rustify", e);
	e = getenv("HOME");
	return xasprintf("%s/.cache/rustify", e && *e ? e : "/tmp");
}

static int parse_size(const char *opt, const char *v, size_t min, size_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || n < min) {
		fprintf(stderr,
			"rustifyd: %s: expected an integer >= %zu, got "
			"'%s'\n",
			opt, min, v);
		return -1;
	}
	*out = (size_t)n;
	return 0;
}

static int parse_seconds(const char *opt, const char *v, double *out)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end || !(d >= 0) || d > 1e7) {
		fprintf(stderr, "rustifyd: %s: expected seconds, got '%s'\n",
			opt, v);
		return -1;
	}
	*out = d;
	return 0;
}

/* The options that take a size (parse_size) or seconds (parse_seconds),
 * and where in the configuration each goes. */
struct num_opt {
	const char *name; /* the long option's */
	size_t min;	  /* the least size; 0: seconds, a double */
	size_t offset;	  /* of the field in struct daemon_config */
};

#define CFG_AT(field) offsetof(struct daemon_config, field)
static const struct num_opt num_opts[] = {
    {"max-message", 64, CFG_AT(max_message)},
    {"max-connections", 1, CFG_AT(max_connections)},
    {"max-outbuf", 1024, CFG_AT(max_outbuf)},
    {"max-queue", 1, CFG_AT(max_queue)},
    {"max-source", 1, CFG_AT(max_source)},
    {"max-log-lines", 1, CFG_AT(max_log_lines)},
    {"max-watch-dirs", 1, CFG_AT(max_watch_dirs)},
    {"capture-max-bytes", 1, CFG_AT(capture_max_bytes)},
    {"grace", 0, CFG_AT(grace)},
    {"profile-timeout", 0, CFG_AT(profile_timeout)},
    {"build-timeout", 0, CFG_AT(build_timeout)},
};
#undef CFG_AT

/* A num_opts option's value into cfg; -1 (said on stderr) when bad. */
static int parse_num_opt(const char *name, const char *v,
			 struct daemon_config *cfg)
{
	for (size_t i = 0; i < sizeof(num_opts) / sizeof(num_opts[0]); i++) {
		const struct num_opt *o = &num_opts[i];
		char flag[64];
		char *at = (char *)cfg + o->offset;

		if (strcmp(o->name, name))
			continue;
		snprintf(flag, sizeof(flag), "--%s", o->name);
		if (o->min)
			return parse_size(flag, v, o->min, (size_t *)at);
		return parse_seconds(flag, v, (double *)at);
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct daemon_config *cfg)
{
	enum {
		O_SOCKET = 256,
		O_STATE,
		O_BG,
		O_LOG,
		O_JOBS,
		O_NUM, /* one of num_opts */
		O_TARGET,
		O_VERSION,
		O_HELP
	};
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, O_SOCKET},
	    {"state-dir", required_argument, NULL, O_STATE},
	    {"background", no_argument, NULL, O_BG},
	    {"log-level", required_argument, NULL, O_LOG},
	    {"jobs", required_argument, NULL, O_JOBS},
	    {"max-message", required_argument, NULL, O_NUM},
	    {"max-connections", required_argument, NULL, O_NUM},
	    {"max-outbuf", required_argument, NULL, O_NUM},
	    {"max-queue", required_argument, NULL, O_NUM},
	    {"grace", required_argument, NULL, O_NUM},
	    {"profile-timeout", required_argument, NULL, O_NUM},
	    {"build-timeout", required_argument, NULL, O_NUM},
	    {"max-source", required_argument, NULL, O_NUM},
	    {"max-log-lines", required_argument, NULL, O_NUM},
	    {"cargo-target-dir", required_argument, NULL, O_TARGET},
	    {"max-watch-dirs", required_argument, NULL, O_NUM},
	    {"capture-max-bytes", required_argument, NULL, O_NUM},
	    {"version", no_argument, NULL, O_VERSION},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	size_t n;
	int c, at = 0;

	while ((c = getopt_long(argc, argv, "", opts, &at)) != -1) {
		switch (c) {
		case O_SOCKET:
			free(cfg->socket_path);
			cfg->socket_path = xstrdup(optarg);
			cfg->is_default_socket = false;
			break;
		case O_STATE:
			free(cfg->state_dir);
			cfg->state_dir = xstrdup(optarg);
			break;
		case O_BG:
			cfg->is_background = true;
			break;
		case O_LOG:
			cfg->log_level = log_level_parse(optarg);
			if (cfg->log_level < 0) {
				fprintf(stderr,
					"rustifyd: --log-level: expected "
					"debug, info, warn or error\n");
				return 2;
			}
			break;
		case O_JOBS:
			if (parse_size("--jobs", optarg, 1, &n))
				return 2;
			cfg->jobs = (unsigned)(n > 64 ? 64 : n);
			break;
		case O_NUM:
			if (parse_num_opt(opts[at].name, optarg, cfg))
				return 2;
			break;
		case O_TARGET:
			free(cfg->cargo_target);
			cfg->cargo_target = xstrdup(optarg);
			break;
		case O_VERSION:
			printf("rustifyd %s (protocol %d)\n", RUSTIFY_VERSION,
			       RUSTIFY_PROTOCOL_VERSION);
			return 1;
		case O_HELP:
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rustifyd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	return 0;
}

/*
 * --background: the parent waits on a pipe until the child says it is
 * listening (or why it could not), so `rustifyd --background && ...`
 * can rely on the socket being there.
 */
static int ready_fd = -1;

static int daemonize(const char *log_path)
{
	int fds[2], fd;
	pid_t pid;
	char msg[4096];
	ssize_t n, total = 0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(fds[1]);
		while ((n = read(fds[0], msg + total,
				 sizeof(msg) - 1 - (size_t)total)) > 0)
			total += n;
		msg[total] = '\0';
		if (!strncmp(msg, "ok", 2))
			_exit(0);
		fprintf(stderr, "rustifyd: %s\n",
			total ? msg : "failed to start (see the log)");
		_exit(1);
	}
	close(fds[0]);
	ready_fd = fds[1];
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		close(fd);
	}
	fd = open(log_path,
		  O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	return 0;
}

static void report_ready(const char *msg)
{
	if (ready_fd < 0)
		return;
	if (write(ready_fd, msg, strlen(msg)) < 0)
		log_warn("could not report readiness");
	close(ready_fd);
	ready_fd = -1;
}

static uv_timer_t probe_timer;

static void probe_timer_cb(uv_timer_t *t)
{
	build_probe_toolchain(t->data);
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void config_defaults(struct daemon_config *cfg)
{
	cfg->socket_path = rustify_socket_default(&cfg->is_default_socket);
	cfg->state_dir = default_state_dir();
	cfg->max_message = RUSTIFY_DEFAULT_MAX_MESSAGE;
	cfg->max_connections = 256;
	cfg->max_outbuf = 8u << 20;
	cfg->max_queue = 1000;
	cfg->jobs = 2;
	cfg->grace = 10;
	cfg->profile_timeout = 120;
	cfg->build_timeout = 600;
	cfg->max_source = 8u << 20;
	cfg->max_log_lines = 5000;
	cfg->max_watch_dirs = WATCH_MAX_DIRS_DEFAULT;
	cfg->capture_max_bytes = 128u << 20;
	cfg->log_level = LOG_INFO;
}

/* The socket's folder: made when missing, then checked (owner, mode, not
 * a symlink: server_check_socket_dir). */
static int prepare_socket_dir(const struct daemon_config *cfg,
			      struct err *err)
{
	char *dir = xstrdup(cfg->socket_path);
	char *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		rc = fs_mkdirs(dir, 0700, err);
		if (rc == 0)
			rc = server_check_socket_dir(dir, cfg->is_default_socket,
						     err);
	}
	free(dir);
	return rc < 0 ? -1 : 0;
}

/* Cached deliveries are tied to the daemon that made them: a new
 * translator must not serve an old build. The hash of this binary. */
static void build_id(char *out)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	struct sha256 c;
	char block[65536];
	size_t n;

	sha256_init(&c);
	sha256_update(&c, RUSTIFY_VERSION, strlen(RUSTIFY_VERSION));
	while (f && (n = fread(block, 1, sizeof(block), f)) > 0)
		sha256_update(&c, block, n);
	if (f)
		fclose(f);
	sha256_final_hex(&c, out);
}

int main(int argc, char **argv)
{
	struct daemon d;
	struct err err = ERR_INIT;
	json_t *notes = NULL, *note;
	char *log_path = NULL;
	int socket_lock = -1, rc = 1;
	bool is_store_open = false, has_socket = false;
	size_t i;

	/* A job's child runs under this binary as its supervisor. */
	if (argc > 1 && !strcmp(argv[1], SUPERVISE_ARG))
		return supervise_main(argc, argv);
	/*
	 * glibc raises its mmap and trim thresholds after each big free (up
	 * to 32 and 64 MB), so the buffers of a big job's replies end up in
	 * the heap and stay there. Fixed thresholds: big blocks are mapped
	 * and unmapped, and free() trims the heap past 1 MiB (malloc_trim
	 * after each job does the worker threads' arenas).
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
	memset(&d, 0, sizeof(d));
	daemon_wire(&d);
	d.lock_fd = -1;
	config_defaults(&d.cfg);
	rc = parse_args(argc, argv, &d.cfg);
	if (rc) {
		rc = rc == 1 ? 0 : 2;
		goto out;
	}
	rc = 1;
	log_set_level((enum log_level)d.cfg.log_level);
	signal(SIGPIPE, SIG_IGN);

	if (fs_mkdirs(d.cfg.state_dir, 0700, &err) < 0)
		goto fail;
	if (prepare_socket_dir(&d.cfg, &err) < 0)
		goto fail;
	log_path = xasprintf("%s/rustifyd.log", d.cfg.state_dir);
	if (d.cfg.is_background && daemonize(log_path) < 0) {
		err_set(&err, RUSTIFY_EIO, "could not go to the background: %s",
			strerror(errno));
		goto fail;
	}
	if (server_lock(&d, &socket_lock, &err) < 0)
		goto fail;
	d.work_root = xasprintf("%s/work", d.cfg.state_dir);
	d.cargo_target = d.cfg.cargo_target
			     ? xstrdup(d.cfg.cargo_target)
			     : xasprintf("%s/cargo-target", d.cfg.state_dir);
	if (fs_mkdirs(d.work_root, 0700, &err) < 0)
		goto fail;
	if (store_open(&d.store, d.cfg.state_dir, &notes, &err) < 0)
		goto fail;
	is_store_open = true;
	json_array_foreach(notes, i, note)
		log_error("%s", json_string_value(note));
	d.warnings = json_incref(notes);
	build_id(d.build_id);
	/* libgit2 (and the TLS libraries it loads) starts with the first git
	 * source (source.c): an idle daemon stays small. */
	d.loop = uv_default_loop();
	d.started_at = now_seconds();
	if (jobs_start(&d, &err) < 0)
		goto fail;
	if (watch_start(&d, &err) < 0)
		goto fail;
	if (server_start(&d, &err) < 0)
		goto fail;
	has_socket = !d.is_socket_activated;
	log_info("rustifyd %s listening on %s (state %s, pid %d)",
		 RUSTIFY_VERSION, d.cfg.socket_path, d.cfg.state_dir,
		 (int)getpid());
	report_ready("ok");
	/* The toolchain's versions a little later: a fork of the daemon at
	 * the moment it starts listening would hold the socket open until
	 * its exec, should the daemon be killed right then. */
	uv_timer_init(d.loop, &probe_timer);
	probe_timer.data = &d;
	uv_timer_start(&probe_timer, probe_timer_cb, 1000, 0);
	uv_unref((uv_handle_t *)&probe_timer);
	uv_run(d.loop, UV_RUN_DEFAULT);
	rc = 0;
	goto cleanup;
fail:
	log_error("%s", err_msg(&err));
	report_ready(err_msg(&err));
cleanup:
	if (d.loop) {
		watch_stop(&d);
		uv_walk(d.loop, close_walk_cb, NULL);
		uv_run(d.loop, UV_RUN_DEFAULT);
		uv_loop_close(d.loop);
	}
	watch_free(&d);
	subs_release(&d);
	if (json_array_size(d.store_backlog))
		log_error("%zu finished jobs could not be stored; they will "
			  "show as interrupted",
			  json_array_size(d.store_backlog));
	json_decref(d.store_backlog);
	json_decref(d.warnings);
	if (rc == 0 && has_socket)
		unlink(d.cfg.socket_path);
	if (is_store_open)
		store_close(&d.store);
	if (socket_lock >= 0)
		close(socket_lock);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	if (rc == 0)
		log_info("stopped");
	source_git_shutdown();
out:
	json_decref(notes);
	free(log_path);
	free(d.work_root);
	free(d.cargo_target);
	free(d.toolchain);
	free(d.cfg.socket_path);
	free(d.cfg.state_dir);
	free(d.cfg.cargo_target);
	err_release(&err);
	return rc;
}
