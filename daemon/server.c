/*
 * server.c - the listening socket and the daemon's lifecycle: socket and
 * state-dir lock files (one daemon per socket and per state dir), stale
 * socket cleanup, systemd socket activation, signals, graceful shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "jobs.h"
#include "log.h"
#include "watch.h"

static void listener_cb(uv_stream_t *s, int status)
{
	struct daemon *d = s->data;

	if (status < 0) {
		log_warn("accept: %s", uv_strerror(status));
		return;
	}
	conn_accept(d);
}

/* systemd socket activation without libsystemd: LISTEN_PID must be us,
 * and LISTEN_FDS >= 1 means fd 3 is our listening socket. */
static int server_activated_fd(void)
{
	const char *pid = getenv("LISTEN_PID");
	const char *fds = getenv("LISTEN_FDS");

	if (!pid || !fds || atol(pid) != (long)getpid() || atoi(fds) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	fcntl(3, F_SETFD, FD_CLOEXEC);
	return 3;
}

/*
 * The folder that holds the socket and its lock file must not let anyone
 * else plant names in it: another user who owns it, or may write to it,
 * could put a symlink where the lock file goes (issue 15). The default
 * folder is ours alone (0700); a folder given with --socket or
 * $RUSTIFY_SOCKET must be ours and not writable by group or others.
 * Neither may be a symlink.
 */
int server_check_socket_dir(const char *dir, bool is_default,
			    struct err *err)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return err_set(err, RUSTIFY_EIO, "socket folder %s: %s", dir,
			       strerror(errno));
	if (S_ISLNK(st.st_mode))
		return err_set(err, RUSTIFY_EIO,
			       "socket folder %s is a symlink: refusing to use "
			       "it; give a real folder with --socket",
			       dir);
	if (!S_ISDIR(st.st_mode))
		return err_set(err, RUSTIFY_EIO,
			       "socket folder %s is not a directory", dir);
	if (st.st_uid != getuid())
		return err_set(err, RUSTIFY_EIO,
			       "socket folder %s belongs to uid %u, not to us "
			       "(uid %u): refusing to use it; remove it or give "
			       "another --socket",
			       dir, (unsigned)st.st_uid, (unsigned)getuid());
	if (is_default && (st.st_mode & 0777) != 0700)
		return err_set(err, RUSTIFY_EIO,
			       "socket folder %s has mode %04o, not 0700: "
			       "refusing to use it; chmod 700 %s",
			       dir, (unsigned)(st.st_mode & 07777), dir);
	if (!is_default && (st.st_mode & 022))
		return err_set(err, RUSTIFY_EIO,
			       "socket folder %s is writable by %s (mode %04o): "
			       "refusing to use it; chmod go-w %s, or give a "
			       "folder of your own with --socket",
			       dir,
			       (st.st_mode & 002) ? "others" : "its group",
			       (unsigned)(st.st_mode & 07777), dir);
	return 0;
}

static int lock_file(const char *path, int *fd_out, struct err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	char pidbuf[32] = "";
	ssize_t n;

	*fd_out = -1;
	if (fd < 0 && errno == ELOOP)
		return err_set(err, RUSTIFY_EIO,
			       "%s is a symlink: refusing to open it; remove it",
			       path);
	if (fd < 0)
		return err_set(err, RUSTIFY_EIO, "%s: %s", path,
			       strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = pread(fd, pidbuf, sizeof(pidbuf) - 1, 0);
		pidbuf[n > 0 ? n : 0] = '\0';
		close(fd);
		return err_set(err, RUSTIFY_EEXIST,
			       "another rustifyd (pid %s) holds %s; stop it "
			       "first (rustifyctl daemon stop)",
			       pidbuf[0] ? strtok(pidbuf, "\n") : "?", path);
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(pidbuf, sizeof(pidbuf), "%d\n", (int)getpid());
		if (pwrite(fd, pidbuf, (size_t)n, 0) < 0)
			log_warn("%s: %s", path, strerror(errno));
	}
	*fd_out = fd;
	return 0;
}

static void signal_cb(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;

	log_info("received %s", signum == SIGTERM ? "SIGTERM" : "SIGINT");
	daemon_shutdown(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

int server_start(struct daemon *d, struct err *err)
{
	struct sockaddr_un sa;
	const char *path = d->cfg.socket_path;
	struct stat st;
	int fd, rc;
	mode_t old;

	uv_pipe_init(d->loop, &d->listener, 0);
	d->listener.data = d;
	d->has_listener = true;
	fd = server_activated_fd();
	if (fd >= 0) {
		rc = uv_pipe_open(&d->listener, fd);
		if (rc < 0) {
			rc = err_set(err, RUSTIFY_EIO,
				     "socket activation: fd 3: %s",
				     uv_strerror(rc));
			goto out;
		}
		d->is_socket_activated = true;
		log_info("listening on the socket systemd passed (fd 3)");
	} else {
		if (strlen(path) >= sizeof(sa.sun_path)) {
			rc = err_set(err, RUSTIFY_EPARAM,
				     "socket path is %zu bytes, longer than a "
				     "Unix socket address holds (%zu): %s; "
				     "choose a shorter --socket",
				     strlen(path), sizeof(sa.sun_path) - 1,
				     path);
			goto out;
		}
		/* We hold the socket's lock: a socket file there now is a
		 * dead daemon's. Anything else there is not ours to remove. */
		if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			rc = err_set(err, RUSTIFY_EEXIST,
				     "%s exists and is not a socket: not "
				     "removing it; move it away or choose "
				     "another --socket",
				     path);
			goto out;
		}
		if (lstat(path, &st) == 0 && unlink(path) == 0)
			log_info("removed stale socket %s", path);
		old = umask(0177);
		rc = uv_pipe_bind(&d->listener, path);
		umask(old);
		if (rc < 0) {
			rc = err_set(err, RUSTIFY_EIO, "bind %s: %s", path,
				     uv_strerror(rc));
			goto out;
		}
		chmod(path, 0600);
	}
	rc = uv_listen((uv_stream_t *)&d->listener, 511, listener_cb);
	if (rc < 0) {
		rc = err_set(err, RUSTIFY_EIO, "listen %s: %s", path,
			     uv_strerror(rc));
		goto out;
	}
	uv_signal_init(d->loop, &d->sig_term);
	uv_signal_init(d->loop, &d->sig_int);
	d->sig_term.data = d->sig_int.data = d;
	uv_signal_start(&d->sig_term, signal_cb, SIGTERM);
	uv_signal_start(&d->sig_int, signal_cb, SIGINT);
	uv_timer_init(d->loop, &d->grace_timer);
	d->grace_timer.data = d;
	rc = 0;
out:
	return rc;
}

int server_lock(struct daemon *d, int *socket_lock, struct err *err)
{
	char *p = xasprintf("%s.lock", d->cfg.socket_path);
	int rc = lock_file(p, socket_lock, err);

	free(p);
	if (rc < 0)
		return rc;
	p = xasprintf("%s/rustifyd.lock", d->cfg.state_dir);
	rc = lock_file(p, &d->lock_fd, err);
	free(p);
	return rc;
}

static void handle_closed(uv_handle_t *h)
{
	(void)h;
}

static void final_timer_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;

	for (struct conn *c = d->conns, *next; c; c = next) {
		next = c->next;
		conn_close(c);
	}
	uv_close((uv_handle_t *)t, handle_closed);
}

/* Every job has ended: flush replies to clients, close every handle, and
 * let uv_run return. */
void server_jobs_drained(struct daemon *d)
{
	static uv_timer_t final_timer;

	if (d->is_stopped)
		return;
	d->is_stopped = true;
	log_info("stopping");
	watch_stop(d);
	for (struct conn *c = d->conns, *next; c; c = next) {
		next = c->next;
		conn_drain(c);
	}
	if (!uv_is_closing((uv_handle_t *)&d->sig_term)) {
		uv_close((uv_handle_t *)&d->sig_term, handle_closed);
		uv_close((uv_handle_t *)&d->sig_int, handle_closed);
		uv_close((uv_handle_t *)&d->grace_timer, handle_closed);
		uv_close((uv_handle_t *)&d->queue_idle, handle_closed);
		uv_close((uv_handle_t *)&d->backlog_timer, handle_closed);
	}
	uv_timer_init(d->loop, &final_timer);
	final_timer.data = d;
	uv_timer_start(&final_timer, final_timer_cb, 1000, 0);
	uv_unref((uv_handle_t *)&final_timer);
	if (!d->conns)
		final_timer_cb(&final_timer);
}

static void grace_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;

	if (jobs_any_running(d))
		log_info("grace period over: interrupting running jobs");
	jobs_stop_all(d, "daemon shut down before the job finished");
	jobs_kick(d); /* the sweep stops the daemon once every run is freed */
}

void daemon_shutdown(struct daemon *d, const char *why)
{
	if (d->is_shutting_down)
		return;
	d->is_shutting_down = true;
	log_info("shutting down (%s)", why);
	if (d->has_listener) {
		uv_close((uv_handle_t *)&d->listener, handle_closed);
		d->has_listener = false;
	}
	if (!jobs_any_running(d)) {
		/* Next loop turn: a shutdown reply queued now still goes out.
		 */
		uv_timer_start(&d->grace_timer, grace_cb, 0, 0);
		return;
	}
	log_info("waiting up to %.1f s for running jobs", d->cfg.grace);
	uv_timer_start(&d->grace_timer, grace_cb,
		       (uint64_t)(d->cfg.grace * 1000.0), 0);
}
