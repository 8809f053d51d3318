/*
 * conn.c - one client connection: reads bytes into the framing decoder,
 * hands each message to d->on_message (rpc_handle), and queues replies and
 * notifications
 * with a cap on outgoing bytes (a client that never reads is dropped, so it
 * cannot grow the daemon's memory). A conn is freed only in its close
 * callback.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "rustify/bug.h"

struct write_req {
	uv_write_t req;
	struct conn *c;
	size_t len;
	char *data;
};

static void conn_free_cb(uv_handle_t *h)
{
	struct conn *c = h->data;

	frame_decoder_release(&c->dec);
	free(c);
}

void conn_close(struct conn *c)
{
	struct daemon *d = c->d;

	if (c->is_closing)
		return;
	c->is_closing = true;
	if (d->on_conn_close)
		d->on_conn_close(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	BUG_ON(!d->nconns);
	d->nconns--;
	log_debug("conn %llu: closed", (unsigned long long)c->id);
	uv_close((uv_handle_t *)&c->pipe, conn_free_cb);
}

static void write_cb(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;

	BUG_ON(w->c->out_queued < w->len);
	w->c->out_queued -= w->len;
	if (w->c->is_draining && !w->c->out_queued)
		conn_close(w->c);
	else if (status == 0 && !w->c->is_closing &&
		 uv_stream_get_write_queue_size((uv_stream_t *)&w->c->pipe) <=
		     w->c->d->cfg.max_outbuf / 8)
		/* A replay page reloads its job's events from the store: only
		 * once the client has read most of the last page, not on
		 * every write, or a slow reader makes it quadratic. */
		w->c->d->on_writable(w->c);
	else if (status < 0 && status != UV_ECANCELED && !w->c->is_closing) {
		log_debug("conn %llu: write failed: %s",
			  (unsigned long long)w->c->id, uv_strerror(status));
		conn_close(w->c);
	}
	free(w->data);
	free(w);
}

void conn_send_raw(struct conn *c, char *data, size_t len)
{
	struct write_req *w;
	uv_buf_t ub;
	int rc;

	if (c->is_closing || c->is_draining) {
		free(data);
		return;
	}
	/* What counts is what the client has not read: bytes libuv could
	 * not hand to the kernel yet. One message alone always goes. */
	size_t unread = uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe);
	if (unread && unread + len > c->d->cfg.max_outbuf) {
		log_warn("conn %llu: dropped: %zu bytes queued and not read "
			 "(limit %zu, --max-outbuf)",
			 (unsigned long long)c->id, unread,
			 c->d->cfg.max_outbuf);
		free(data);
		conn_close(c);
		return;
	}
	/* Most replies fit the socket at once: no request, no callback. */
	if (!unread && !c->out_queued) {
		ub = uv_buf_init(data, (unsigned int)len);
		rc = uv_try_write((uv_stream_t *)&c->pipe, &ub, 1);
		if (rc == (int)len) {
			free(data);
			return;
		}
		if (rc > 0) {
			memmove(data, data + rc, len - (size_t)rc);
			len -= (size_t)rc;
		}
	}
	w = xcalloc(1, sizeof(*w));
	w->c = c;
	w->data = data;
	w->len = len;
	ub = uv_buf_init(w->data, (unsigned int)w->len);
	c->out_queued += w->len;
	rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &ub, 1, write_cb);
	if (rc < 0) {
		c->out_queued -= w->len;
		free(w->data);
		free(w);
		conn_close(c);
	}
}

void conn_send(struct conn *c, json_t *msg)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *data;

	if (c->is_closing || c->is_draining || !msg)
		return;
	if (jsonrpc_write(&b, msg) < 0) {
		log_error("conn %llu: could not serialise a message",
			  (unsigned long long)c->id);
		buf_release(&b);
		return;
	}
	data = buf_detach(&b, &len);
	conn_send_raw(c, data, len);
}

/* The open connection with this id, or NULL (it closed meanwhile). */
struct conn *conn_find(struct daemon *d, uint64_t id)
{
	for (struct conn *c = d->conns; c; c = c->next)
		if (c->id == id && !c->is_closing)
			return c;
	return NULL;
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
	static char slab[65536];

	/* The loop thread reads one stream at a time: one static slab is
	 * enough, and read_cb copies what arrived into the decoder. */
	(void)h;
	(void)suggested;
	*out = uv_buf_init(slab, sizeof(slab));
}

void conn_drain(struct conn *c);

/* Sends a last error reply, stops reading and closes once it is written. */
static void conn_fail(struct conn *c, const struct err *err)
{
	json_t *reply = jsonrpc_error_from_err(NULL, err);

	conn_send(c, reply);
	json_decref(reply);
	conn_drain(c);
}

void conn_drain(struct conn *c)
{
	if (c->is_closing || c->is_draining)
		return;
	uv_read_stop((uv_stream_t *)&c->pipe);
	if (c->d->on_conn_close)
		c->d->on_conn_close(c);
	c->is_draining = true;
	if (!c->out_queued)
		conn_close(c);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *ub)
{
	struct conn *c = s->data;
	struct err err = ERR_INIT;
	const char *body;
	size_t len;
	int rc;

	if (n < 0) {
		conn_close(c);
		return;
	}
	if (n == 0)
		return;
	frame_decoder_feed(&c->dec, ub->base, (size_t)n);
	while (!c->is_closing && !c->is_draining &&
	       (rc = frame_decoder_next(&c->dec, &body, &len, &err)) != 0) {
		if (rc < 0) {
			/* The stream cannot be resynchronised: say why, then
			 * stop reading and close once the reply is out. */
			log_warn("conn %llu: %s", (unsigned long long)c->id,
				 err_msg(&err));
			conn_fail(c, &err);
			break;
		}
		c->d->on_message(c, body, len);
	}
	err_release(&err);
}

static int peer_is_ours(struct conn *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	if (cred.uid != getuid()) {
		log_warn("conn %llu: refused: peer uid %u is not the daemon's "
			 "uid %u (pid %d)",
			 (unsigned long long)c->id, (unsigned)cred.uid,
			 (unsigned)getuid(), (int)cred.pid);
		return 0;
	}
	return 1;
}

void conn_accept(struct daemon *d)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	struct err err = ERR_INIT;

	c->d = d;
	c->id = ++d->next_conn_id;
	frame_decoder_init(&c->dec, d->cfg.max_message);
	uv_pipe_init(d->loop, &c->pipe, 0);
	c->pipe.data = c;
	c->next = d->conns;
	if (d->conns)
		d->conns->prev = c;
	d->conns = c;
	d->nconns++;
	if (uv_accept((uv_stream_t *)&d->listener, (uv_stream_t *)&c->pipe)) {
		conn_close(c);
		return;
	}
	if (!peer_is_ours(c)) {
		conn_close(c);
		return;
	}
	if (d->nconns > d->cfg.max_connections) {
		err_set(&err, RUSTIFY_EBUSY,
			"too many connections (limit %zu, --max-connections)",
			d->cfg.max_connections);
		log_warn("conn %llu: %s", (unsigned long long)c->id, err.msg);
		conn_fail(c, &err);
		err_release(&err);
		return;
	}
	log_debug("conn %llu: accepted", (unsigned long long)c->id);
	uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb);
}
