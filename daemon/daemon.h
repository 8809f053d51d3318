/*
 * daemon.h - the daemon's one top-level structure and the pieces of it
 * that several modules touch: configuration, connections, subscriptions.
 *
 * Everything here lives on the loop thread. Worker-pool code never sees a
 * struct daemon; it gets copies of what it needs.
 */
#ifndef RUSTIFY_DAEMON_H
#define RUSTIFY_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "rustify/buf.h"
#include "rustify/error.h"
#include "clock.h"
#include "rustify/proto.h"
#include "store.h"

struct daemon_config {
	char *socket_path;
	char *state_dir;
	char *cargo_target; /* NULL: state_dir/cargo-target */
	size_t max_message; /* bytes of one message body */
	size_t max_connections;
	size_t max_outbuf; /* queued outgoing bytes per connection */
	size_t max_queue;  /* queued jobs */
	unsigned jobs;	   /* jobs running at once */
	double grace; /* seconds before running jobs are killed at shutdown */
	double profile_timeout; /* seconds */
	double build_timeout;	/* seconds */
	size_t max_source;	/* bytes of a source file */
	size_t max_log_lines; /* per job, beyond which lines are counted only */
	size_t max_watch_dirs; /* watched directories over all watches */
	/* bytes one call verify captures may pickle to (verify.c) */
	size_t capture_max_bytes;
	bool is_background;
	bool is_default_socket; /* neither --socket nor $RUSTIFY_SOCKET */
	int log_level;
};

struct conn {
	struct daemon *d;
	uv_pipe_t pipe;
	struct frame_decoder dec;
	uint64_t id;
	size_t out_queued; /* bytes handed to uv_write, not yet written */
	size_t replay_pending; /* bytes of replay pages being read for it */
	bool is_closing;
	bool is_draining; /* a last reply is going out, then close */
	struct conn *prev, *next;
};

/*
 * A connection's interest in a job's events. A new subscriber first
 * replays stored events (seq > sent_seq) in pages read on the worker
 * pool, as fast as the client reads them; live events are not sent to it
 * meanwhile (they are in the store, and the replay picks them up), so
 * order is kept. Then it is live.
 */
struct sub {
	char *job_id;
	struct conn *conn;
	int64_t sent_seq;
	bool is_replaying;
	bool is_loading; /* a page of its replay is being read (jobs.c) */
	struct sub *next;
};

struct job_run;
struct job_pipeline;
struct watch_set;

struct daemon {
	uv_loop_t *loop;
	struct daemon_config cfg;
	struct store store;
	uv_pipe_t listener;
	bool has_listener;
	bool is_socket_activated; /* systemd owns the socket file */
	uv_signal_t sig_term, sig_int, sig_pipe;
	uv_timer_t grace_timer;
	uv_idle_t queue_idle; /* starts queued jobs outside callbacks */
	uv_timer_t backlog_timer; /* retries what the store refused */
	json_t *store_backlog;	  /* ends of jobs not stored yet (jobs.c) */
	json_t *warnings; /* what went wrong at start (a database moved
			     aside), for initialize */
	struct conn *conns;
	size_t nconns;
	uint64_t next_conn_id;
	struct sub *subs;
	struct job_run *runs;	       /* running jobs */
	size_t nrunning;
	bool is_shutting_down;
	bool is_stopped;
	int lock_fd;
	double started_at;
	char *work_root;	   /* state_dir/work */
	char *cargo_target;	   /* state_dir/cargo-target */
	struct watch_set *watches; /* watch.c */
	/*
	 * How the modules reach the ones above them, wired by daemon_wire()
	 * (daemon.c): conn.c knows neither RPC nor jobs, jobs.c knows neither
	 * the pipeline's stages nor the server. Imports then run one way.
	 */
	const struct job_pipeline *pipeline; /* the stages a job walks */
	void (*on_message)(struct conn *c, const char *body, size_t len);
	void (*on_writable)(struct conn *c); /* its queue drained mostly */
	void (*on_conn_close)(struct conn *c);
	void (*on_jobs_drained)(struct daemon *d); /* shutdown may go on */
	char build_id[65];	   /* SHA-256 of this rustifyd executable */
	char *toolchain;	   /* rustc/cargo/maturin versions (build.c) */
	double toolchain_at;	   /* when they were last found */
	bool is_probing_toolchain;
};


/* conn.c */
void conn_accept(struct daemon *d);
/* Queues a message; drops the connection when its outgoing cap is passed. */
void conn_send(struct conn *c, json_t *msg);
/* The same for a message framed already (data malloc'd, taken). */
void conn_send_raw(struct conn *c, char *data, size_t len);
/* The open connection with this id, or NULL (it closed meanwhile). */
struct conn *conn_find(struct daemon *d, uint64_t id);
void conn_close(struct conn *c);
/* Stops reading and closes once queued replies are written. */
void conn_drain(struct conn *c);

/* daemon.c: wires the modules (see the callbacks above) and the
 * defaults of the configuration. */
void daemon_wire(struct daemon *d);

/* rpc.c: handles one decoded message body, replying on c. */
void rpc_handle(struct conn *c, const char *body, size_t len);

/* subscriptions (jobs.c) */
void sub_add(struct daemon *d, struct conn *c, const char *job_id);
/* Subscribes c and replays events with seq > since_seq before live ones. */
void sub_add_replay(struct daemon *d, struct conn *c, const char *job_id,
		    int64_t since_seq);
/* Sends more of c's pending replays, while its write queue is short. */
void sub_pump(struct conn *c);
void sub_remove(struct daemon *d, struct conn *c, const char *job_id);
void sub_remove_conn(struct daemon *d, struct conn *c);
/* c is closing: its subscriptions end. */
void sub_conn_closed(struct conn *c);
/* Frees every subscription (at exit). */
void subs_release(struct daemon *d);

/* server.c */
int server_check_socket_dir(const char *dir, bool is_default,
			    struct err *err);
int server_lock(struct daemon *d, int *socket_lock, struct err *err);
int server_start(struct daemon *d, struct err *err);
void server_jobs_drained(struct daemon *d);
void daemon_shutdown(struct daemon *d, const char *why);

#endif
