/*
 * conn.c - rustifyctl's connection to rustifyd: connect to the Unix
 * socket, start a daemon in the background when none answers, send
 * initialize and restart a daemon of another version (once), and make
 * blocking JSON-RPC calls whose responses are matched by id while the
 * notifications that arrive in between go to a callback.
 *
 * Plain blocking sockets and poll(): the client has one conversation at a
 * time and needs no event loop. Framing and JSON-RPC building come from
 * proto.h. What to do with notifications is the commands' business.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define CONN_INIT_TIMEOUT_MS 10000
/* Replies come from our own user's daemon; a job result can be big. */
#define CONN_MAX_INCOMING     (256u * 1024u * 1024u)
#define CONN_SPAWN_TIMEOUT_MS 15000

void conn_init(struct conn *c, struct client *cl)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->cl = cl;
	frame_decoder_init(&c->dec, CONN_MAX_INCOMING);
}

void conn_close(struct conn *c)
{
	size_t max = c->dec.max_body;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	json_decref(c->init);
	c->init = NULL;
	frame_decoder_release(&c->dec);
	frame_decoder_init(&c->dec, max);
}

void conn_release(struct conn *c)
{
	conn_close(c);
	frame_decoder_release(&c->dec);
}

static int conn_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	return nanosleep(&ts, NULL);
}

/* The uid serving the socket we connected to, when it is not ours. */
static unsigned conn_foreign_uid;
#define CONN_EFOREIGN (-1000) /* *errnum: another user's socket */

/*
 * Returns a connected fd, or -1 with *errnum set (CONN_EFOREIGN when
 * another user listens there: the job text would go to them, so nothing
 * is sent and the socket is closed at once).
 */
static int conn_socket_open(const char *path, int *errnum)
{
	struct sockaddr_un sa;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		*errnum = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*errnum = errno;
		return -1;
	}
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		*errnum = errno;
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		*errnum = errno;
		close(fd);
		return -1;
	}
	if (cred.uid != getuid()) {
		conn_foreign_uid = (unsigned)cred.uid;
		*errnum = CONN_EFOREIGN;
		close(fd);
		return -1;
	}
	return fd;
}

static int conn_err_foreign(const char *path, struct err *err)
{
	return err_set(err, RUSTIFY_ECONNECT,
		       "refusing to use %s: the process listening there runs "
		       "as uid %u, not as you (uid %u), and would receive your "
		       "source; nothing was sent (check --socket and "
		       "$RUSTIFY_SOCKET)",
		       path, conn_foreign_uid, (unsigned)getuid());
}

static bool conn_errno_means_absent(int errnum)
{
	return errnum == ENOENT || errnum == ECONNREFUSED;
}

int conn_connect(struct conn *c, struct err *err)
{
	int errnum = 0;

	conn_close(c);
	c->fd = conn_socket_open(c->cl->socket_path, &errnum);
	if (c->fd >= 0)
		return 0;
	if (errnum == CONN_EFOREIGN)
		return conn_err_foreign(c->cl->socket_path, err);
	if (conn_errno_means_absent(errnum))
		return err_set(err, RUSTIFY_ECONNECT,
			       "rustifyd is not running (socket %s)",
			       c->cl->socket_path);
	return err_set(err, RUSTIFY_ECONNECT, "cannot connect to %s: %s",
		       c->cl->socket_path, strerror(errnum));
}

static int conn_send(struct conn *c, json_t *msg, struct err *err)
{
	struct buf out = BUF_INIT;
	size_t off = 0;
	int rc;

	rc = jsonrpc_write(&out, msg);
	if (rc) {
		rc = err_set(err, RUSTIFY_EINTERNAL,
			     "cannot serialise the request");
		goto out;
	}
	while (off < out.len) {
		ssize_t n =
		    send(c->fd, out.data + off, out.len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = err_set(err, RUSTIFY_EIO,
				     "lost the connection to rustifyd: %s",
				     strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
out:
	buf_release(&out);
	return rc;
}

/*
 * Reads the next message: 1 with *msg set, 0 when timeout_ms passed or a
 * signal arrived, RUSTIFY_EIO when the stream ended or broke.
 */
static int conn_read(struct conn *c, int timeout_ms, json_t **msg,
		     struct err *err)
{
	double deadline = time_monotonic() + timeout_ms / 1000.0;
	char chunk[65536];

	for (;;) {
		const char *body;
		size_t len;
		struct pollfd pfd = {c->fd, POLLIN, 0};
		int wait_ms = timeout_ms;
		ssize_t n;
		int rc;

		rc = frame_decoder_next(&c->dec, &body, &len, err);
		if (rc < 0) {
			err_prefix(err, "bad message from rustifyd");
			return err_set(err, RUSTIFY_EIO, "%s", err_msg(err));
		}
		if (rc == 1) {
			*msg = jsonrpc_parse(body, len, err);
			if (!*msg) {
				err_prefix(err, "rustifyd sent invalid JSON");
				return err_set(err, RUSTIFY_EIO, "%s",
					       err_msg(err));
			}
			return 1;
		}
		if (c->fd < 0)
			return err_set(err, RUSTIFY_EIO,
				       "not connected to rustifyd");
		if (timeout_ms > 0) {
			double left = deadline - time_monotonic();

			wait_ms = left > 0 ? (int)(left * 1000.0) + 1 : 0;
		}
		rc = poll(&pfd, 1, wait_ms);
		if (rc < 0 && errno == EINTR)
			return 0;
		if (rc < 0)
			return err_set(err, RUSTIFY_EIO, "poll: %s",
				       strerror(errno));
		if (rc == 0)
			return 0;
		n = read(c->fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return err_set(err, RUSTIFY_EIO,
				       "lost the connection to rustifyd: %s",
				       strerror(errno));
		if (n == 0)
			return err_set(err, RUSTIFY_EIO,
				       "rustifyd closed the connection");
		frame_decoder_feed(&c->dec, chunk, (size_t)n);
	}
}

/*
 * Handles one incoming message (or batch). Notifications go to the
 * callback; the response to want_id (or an error with a null id, which
 * the daemon sends before closing on a framing problem) ends the call:
 * *is_answered is set and the result or the error is returned.
 */
static int conn_dispatch(struct conn *c, json_t *msg, json_int_t want_id,
			 json_t **result, bool *is_answered, struct err *err)
{
	json_t *id, *error;
	int rc = 0;

	if (json_is_array(msg)) {
		size_t i;
		json_t *item;

		json_array_foreach(msg, i, item) {
			int r = conn_dispatch(c, item, want_id, result,
					      is_answered, err);
			if (r && !rc)
				rc = r;
		}
		return rc;
	}
	if (!json_is_object(msg))
		return 0;
	if (json_is_string(json_object_get(msg, "method"))) {
		/* requests from the daemon (with an id) are not part of
		 * protocol 1: treat them as notifications */
		if (c->on_notify)
			c->on_notify(
			    c->notify_arg,
			    json_string_value(json_object_get(msg, "method")),
			    json_object_get(msg, "params"));
		return 0;
	}
	if (want_id <= 0 || *is_answered)
		return 0;
	id = json_object_get(msg, "id");
	error = json_object_get(msg, "error");
	if (!(json_is_integer(id) && json_integer_value(id) == want_id) &&
	    !(json_is_null(id) && error))
		return 0;
	*is_answered = true;
	if (error) {
		int code =
		    (int)json_integer_value(json_object_get(error, "code"));
		const char *text =
		    json_string_value(json_object_get(error, "message"));

		c->rpc_code = code;
		return err_set(err, rustify_code_from_rpc(code), "%s",
			       text ? text
				    : rustify_strerror(rustify_code_from_rpc(code)));
	}
	if (result)
		*result = json_incref(json_object_get(msg, "result"));
	return 0;
}

int conn_call(struct conn *c, const char *method, json_t *params,
	      json_t **result, struct err *err)
{
	json_int_t id = ++c->next_id;
	json_t *req =
	    jsonrpc_request_new(id, method, params ? params : json_object());
	double deadline = time_monotonic() + c->timeout_ms / 1000.0;
	bool is_answered = false;
	json_t *res = NULL;
	int rc;

	c->rpc_code = 0;
	if (result)
		*result = NULL;
	if (c->fd < 0) {
		rc = err_set(err, RUSTIFY_EIO, "not connected to rustifyd");
		goto out;
	}
	rc = conn_send(c, req, err);
	if (rc == RUSTIFY_EIO) {
		/* The daemon may have said why before it hung up (too many
		 * connections): that beats "Broken pipe". */
		json_t *msg = NULL;
		struct err why = ERR_INIT;

		if (conn_read(c, 1000, &msg, &why) == 1 &&
		    conn_dispatch(c, msg, id, &res, &is_answered, &why) &&
		    is_answered) {
			rc = err_set(err, why.code, "%s", err_msg(&why));
		}
		json_decref(msg);
		err_release(&why);
	}
	if (rc)
		goto out;
	while (!is_answered) {
		json_t *msg = NULL;
		int wait_ms = -1;

		if (c->timeout_ms > 0) {
			double left = deadline - time_monotonic();

			if (left <= 0) {
				rc = err_set(err, RUSTIFY_ETIMEOUT,
					     "rustifyd did not answer %s "
					     "within %d s",
					     method, c->timeout_ms / 1000);
				goto out;
			}
			wait_ms = (int)(left * 1000.0) + 1;
		}
		rc = conn_read(c, wait_ms, &msg, err);
		if (rc < 0)
			goto out;
		if (rc == 0)
			continue;
		rc = conn_dispatch(c, msg, id, &res, &is_answered, err);
		json_decref(msg);
	}
	if (!rc && result) {
		*result = res;
		res = NULL;
	}
out:
	json_decref(res);
	json_decref(req);
	return rc;
}

int conn_poll(struct conn *c, int timeout_ms, struct err *err)
{
	bool is_answered = false;
	json_t *msg = NULL;
	int rc;

	rc = conn_read(c, timeout_ms, &msg, err);
	while (rc == 1) {
		conn_dispatch(c, msg, 0, NULL, &is_answered, err);
		json_decref(msg);
		msg = NULL;
		rc = conn_read(c, 0, &msg, err);
	}
	return rc;
}

/* The rustifyd installed beside this rustifyctl, else the one on $PATH. */
static char *conn_daemon_path(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *dir, *cand;

		self[n] = '\0';
		dir = path_dirname(self);
		cand = xasprintf("%s/rustifyd", dir);
		free(dir);
		if (path_is_executable(cand))
			return cand;
		free(cand);
	}
	return path_find_program("rustifyd");
}

/*
 * Runs "rustifyd --background --socket S" and waits for that first
 * process to exit (it does once the socket listens). Its output is
 * captured, not inherited: a detached daemon that kept our stderr open
 * would hold up whoever reads it.
 */
static int conn_daemon_spawn(struct client *cl, struct buf *output, int *status,
			     struct err *err)
{
	char *path = conn_daemon_path();
	double deadline = time_monotonic() + CONN_SPAWN_TIMEOUT_MS / 1000.0;
	int pipefd[2] = {-1, -1};
	bool is_eof = false;
	pid_t pid;
	int rc = 0;

	*status = -1;
	if (!path) {
		rc = err_set(err, RUSTIFY_ECONNECT,
			     "rustifyd is not running and was not found next "
			     "to rustifyctl or on PATH");
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc =
		    err_set(err, RUSTIFY_ECONNECT, "pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc =
		    err_set(err, RUSTIFY_ECONNECT, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		char *args[] = {path, "--background", "--socket",
				cl->socket_path, NULL};
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execv(path, args);
		dprintf(2, "cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (;;) {
		struct pollfd pfd = {pipefd[0], POLLIN, 0};
		int wstatus;
		pid_t w;

		if (!is_eof && poll(&pfd, 1, 50) > 0) {
			char chunk[4096];
			ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

			if (n > 0)
				buf_add(output, chunk, (size_t)n);
			else if (n == 0)
				is_eof = true;
		} else if (is_eof) {
			conn_sleep_ms(50);
		}
		w = waitpid(pid, &wstatus, WNOHANG);
		if (w == pid) {
			*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
						     : 128 + WTERMSIG(wstatus);
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		if (time_monotonic() > deadline)
			break;
	}
	/* what the exited parent wrote is already in the pipe */
	if (!is_eof && fcntl(pipefd[0], F_SETFL, O_NONBLOCK) == 0) {
		char chunk[4096];
		ssize_t n;

		while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0)
			buf_add(output, chunk, (size_t)n);
	}
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	free(path);
	return rc;
}

int conn_daemon_start(struct client *cl, struct err *err)
{
	struct buf output = BUF_INIT;
	double deadline;
	int status = -1, errnum = 0, fd = -1, rc;

	rc = conn_daemon_spawn(cl, &output, &status, err);
	if (rc)
		goto out;
	/* A failed start may have lost a race with another client's: give
	 * the winner a moment, but do not wait 10 s for nothing. */
	deadline =
	    time_monotonic() +
	    (status == 0 || status == -1 ? CLIENT_START_TIMEOUT_MS : 1000) /
		1000.0;
	for (;;) {
		fd = conn_socket_open(cl->socket_path, &errnum);
		if (fd >= 0 || errnum == CONN_EFOREIGN ||
		    time_monotonic() > deadline)
			break;
		conn_sleep_ms(50);
	}
	if (fd >= 0) {
		close(fd);
		goto out;
	}
	if (errnum == CONN_EFOREIGN) {
		rc = conn_err_foreign(cl->socket_path, err);
		goto out;
	}
	if (output.len) {
		fputs(output.data, stderr);
		if (output.data[output.len - 1] != '\n')
			fputc('\n', stderr);
	}
	if (status > 0)
		rc = err_set(err, RUSTIFY_ECONNECT,
			     "rustifyd failed to start (exit status %d)",
			     status);
	else
		rc = err_set(err, RUSTIFY_ECONNECT,
			     "rustifyd did not listen on %s within %d s: %s",
			     cl->socket_path, CLIENT_START_TIMEOUT_MS / 1000,
			     strerror(errnum));
out:
	buf_release(&output);
	return rc;
}

/* A zombie still answers kill(pid, 0) but is as gone as can be. */
static bool conn_pid_alive(long pid)
{
	char *path, *p;
	struct buf stat = BUF_INIT;
	FILE *f;
	bool is_alive;

	if (pid <= 0)
		return false;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return false;
	is_alive = true;
	path = xasprintf("/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f) {
		struct err ignored = ERR_INIT;

		read_stream(f, &stat, &ignored);
		err_release(&ignored);
		fclose(f);
		p = strrchr(stat.data, ')');
		if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
			is_alive = false;
	}
	buf_release(&stat);
	free(path);
	return is_alive;
}

int conn_daemon_wait_gone(struct client *cl, long pid, int timeout_ms,
			  struct err *err)
{
	double deadline = time_monotonic() + timeout_ms / 1000.0;

	for (;;) {
		int errnum = 0;
		int fd = conn_socket_open(cl->socket_path, &errnum);
		bool is_answering = fd >= 0;

		if (fd >= 0)
			close(fd);
		if (!is_answering && !conn_pid_alive(pid))
			return 0;
		if (time_monotonic() > deadline)
			break;
		conn_sleep_ms(50);
	}
	if (pid > 0)
		return err_set(err, RUSTIFY_ETIMEOUT,
			       "rustifyd (pid %ld) is still running after %d s",
			       pid, timeout_ms / 1000);
	return err_set(err, RUSTIFY_ETIMEOUT,
		       "rustifyd at %s still answers after %d s",
		       cl->socket_path, timeout_ms / 1000);
}

static int conn_initialize(struct conn *c, struct err *err)
{
	json_t *params, *res = NULL, *limits;
	double max;
	int rc;

	params = json_pack("{s:s, s:s, s:i}", "client_name", "rustifyctl",
			   "client_version", RUSTIFY_VERSION,
			   "protocol_version", RUSTIFY_PROTOCOL_VERSION);
	c->timeout_ms = CONN_INIT_TIMEOUT_MS;
	rc = conn_call(c, "initialize", params, &res, err);
	c->timeout_ms = 0;
	if (rc == RUSTIFY_EMETHOD) {
		/* initialize is optional in the protocol */
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (!json_is_object(res)) {
		rc = err_set(err, RUSTIFY_EIO,
			     "rustifyd sent a malformed initialize result");
		goto out;
	}
	limits = json_object_get(res, "limits");
	max = json_get_num(limits, "max_message_bytes", 0);
	if (max > (double)c->dec.max_body && max < (double)SIZE_MAX)
		c->dec.max_body = (size_t)max;
	json_decref(c->init);
	c->init = res;
	res = NULL;
out:
	json_decref(res);
	return rc;
}

/* The daemon is another version than this client: replace it, once. */
static int conn_version_check(struct conn *c, struct err *err)
{
	const char *ver = json_get_str(c->init, "daemon_version", NULL);
	json_t *res = NULL;
	char *old = NULL;
	long pid;
	int rc = 0;

	if (!ver || !strcmp(ver, RUSTIFY_VERSION) || c->has_restarted)
		goto out;
	if (c->cl->no_autostart) {
		fprintf(stderr,
			"rustifyctl: warning: rustifyd is version %s, "
			"rustifyctl %s (not restarted: --no-autostart)\n",
			ver, RUSTIFY_VERSION);
		goto out;
	}
	c->has_restarted = true;
	old = xstrdup(ver);
	pid = (long)json_get_num(c->init, "pid", 0);
	rc = conn_call(c, "shutdown", NULL, &res, err);
	if (rc && rc != RUSTIFY_ESHUTDOWN && rc != RUSTIFY_EIO)
		goto out;
	conn_close(c);
	rc = conn_daemon_wait_gone(c->cl, pid, CLIENT_START_TIMEOUT_MS, err);
	if (rc)
		goto out;
	rc = conn_daemon_start(c->cl, err);
	if (rc)
		goto out;
	rc = conn_connect(c, err);
	if (rc)
		goto out;
	rc = conn_initialize(c, err);
	if (rc)
		goto out;
	fprintf(stderr, "rustifyctl: restarted rustifyd %s -> %s\n", old,
		json_get_str(c->init, "daemon_version", "?"));
out:
	free(old);
	json_decref(res);
	return rc;
}

int conn_open(struct conn *c, unsigned flags, struct err *err)
{
	int errnum = 0;
	int rc;

	conn_close(c);
	c->fd = conn_socket_open(c->cl->socket_path, &errnum);
	if (c->fd < 0) {
		if (errnum == CONN_EFOREIGN) {
			rc = conn_err_foreign(c->cl->socket_path, err);
			goto out;
		}
		if (!conn_errno_means_absent(errnum)) {
			rc = err_set(err, RUSTIFY_ECONNECT,
				     "cannot connect to rustifyd at %s: %s",
				     c->cl->socket_path, strerror(errnum));
			goto out;
		}
		if (!(flags & CONN_AUTOSTART) || c->cl->no_autostart) {
			rc = err_set(err, RUSTIFY_ECONNECT,
				     "rustifyd is not running (socket %s)%s",
				     c->cl->socket_path,
				     (flags & CONN_AUTOSTART)
					 ? "; --no-autostart was given"
					 : "");
			goto out;
		}
		rc = conn_daemon_start(c->cl, err);
		if (rc)
			goto out;
		rc = conn_connect(c, err);
		if (rc)
			goto out;
	}
	rc = conn_initialize(c, err);
	if (rc)
		goto out;
	if (flags & CONN_VERSION_CHECK)
		rc = conn_version_check(c, err);
out:
	if (rc) {
		if (rc == RUSTIFY_ETIMEOUT || rc == RUSTIFY_EIO)
			err_prefix(err, "rustifyd at %s is unreachable",
				   c->cl->socket_path);
		conn_close(c);
	}
	return rc;
}

int conn_call_once(struct client *cl, unsigned flags, const char *method,
		   json_t *params, json_t **result, struct err *err)
{
	struct conn c;
	int rc;

	conn_init(&c, cl);
	rc = conn_open(&c, flags, err);
	if (rc) {
		json_decref(params);
		goto out;
	}
	rc = conn_call(&c, method, params, result, err);
	if (rc == RUSTIFY_EMETHOD)
		err_prefix(err, "%s (rustifyd %s does not support it yet)",
			   method, json_get_str(c.init, "daemon_version", "?"));
out:
	conn_release(&c);
	return rc;
}
