/*
 * proto.h - the wire protocol helpers shared by rustifyd, rustifyctl and
 * the tests: LSP-style framing ("Content-Length: N\r\n\r\n" + JSON body)
 * with an incremental decoder, and JSON-RPC 2.0 message helpers.
 *
 * Nothing here does I/O: callers feed bytes in and write bytes out.
 * See proto/PROTOCOL.md for the methods.
 */
#ifndef RUSTIFY_PROTO_H
#define RUSTIFY_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rustify/buf.h"
#include "rustify/error.h"

#define RUSTIFY_PROTOCOL_VERSION 1
#define RUSTIFY_VERSION		 "0.1.0"
/* The pyo3 release generated crates pin (newest on the crate registry). */
#define RUSTIFY_PYO3_VERSION	    "0.30.1"
#define RUSTIFY_DEFAULT_MAX_MESSAGE (16u * 1024u * 1024u)
/* Longest header section accepted before the blank line. */
#define RUSTIFY_MAX_HEADER 8192u

/* JSON-RPC error codes on the wire: RPC_* in rustify/error.h. */

/* ---- paths -------------------------------------------------------------- */

/*
 * The socket rustifyd listens on and rustifyctl connects to when no
 * --socket is given: $RUSTIFY_SOCKET (made absolute), else
 * $XDG_RUNTIME_DIR/rustify/rustifyd.sock when that variable holds an
 * absolute path, else /tmp/rustify-$UID/rustifyd.sock. *is_default (may be
 * NULL) is false when $RUSTIFY_SOCKET chose it. Malloc'd.
 */
char *rustify_socket_default(bool *is_default);

/* ---- framing ---------------------------------------------------------- */

struct frame_decoder {
	struct buf in;	   /* bytes received and not yet consumed */
	size_t max_body;   /* largest Content-Length accepted */
	size_t body_len;   /* valid when has_header */
	size_t header_len; /* bytes of header incl. the blank line */
	bool has_header;
	bool failed; /* a framing error happened: stream is unusable */
	size_t pending_consume; /* body handed out by the last _next() */
};

void frame_decoder_init(struct frame_decoder *d, size_t max_body);
void frame_decoder_release(struct frame_decoder *d);
/* Appends received bytes. Never fails (the buffer is bounded by _next). */
void frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len);
/*
 * Extracts the next complete message. Returns 1 and sets *body / *len (the
 * body is valid until the next call to any decoder function), 0 when more
 * bytes are needed, or a negative code: RUSTIFY_ETOOBIG when Content-Length
 * exceeds max_body (detected as soon as the header is complete, before the
 * body arrives), RUSTIFY_EFRAME for malformed headers (no/invalid/duplicate
 * Content-Length, header section longer than RUSTIFY_MAX_HEADER, non-ASCII
 * header bytes). After an error every later call returns the same error.
 * Header names are case-insensitive; Content-Type is accepted and ignored;
 * other headers are ignored.
 */
int frame_decoder_next(struct frame_decoder *d, const char **body, size_t *len,
		       struct err *err);
/* Appends "Content-Length: len\r\n\r\n" + body to out. */
void frame_encode(struct buf *out, const char *body, size_t len);

/* ---- JSON-RPC ----------------------------------------------------------- */

/* Parses a message body. NULL + RUSTIFY_EPARSE (with jansson's line:column
 * in the message) when it is not JSON. */
json_t *jsonrpc_parse(const char *body, size_t len, struct err *err);

struct jsonrpc_request {
	const char *method; /* borrowed from the message */
	json_t *params;	    /* borrowed; NULL when absent */
	json_t *id;	    /* borrowed; NULL for a notification */
};

/*
 * Checks one request object (not a batch): "jsonrpc" == "2.0", "method" a
 * string, "params" absent or an object or array, "id" absent, a string, an
 * integer or null. Returns 0, or RUSTIFY_EREQUEST with a message naming the
 * bad member. On error req->id is still set when the id itself was valid,
 * so the error reply can carry it.
 */
int jsonrpc_request_check(json_t *msg, struct jsonrpc_request *req,
			  struct err *err);

/* Builders. Arguments documented as "stolen" are owned by the result. */
json_t *jsonrpc_request_new(json_int_t id, const char *method,
			    json_t *params /* stolen, may be NULL */);
json_t *jsonrpc_notification_new(const char *method,
				 json_t *params /* stolen */);
json_t *jsonrpc_result_new(json_t *id /* borrowed */,
			   json_t *result /* stolen */);
json_t *jsonrpc_error_new(json_t *id /* borrowed, NULL -> null */, int rpc_code,
			  const char *message,
			  json_t *data /* stolen, may be NULL */);
/* Error reply from a struct err (code mapped with rustify_rpc_code). */
json_t *jsonrpc_error_from_err(json_t *id, const struct err *err);
/* Serialises compactly (UTF-8, no NaN) and frames it onto out. */
int jsonrpc_write(struct buf *out, json_t *msg);

/* ---- params helpers (the error message names the field: "params.x: ...") */

/* Fails with RUSTIFY_EPARAM naming the first key of params not in allowed
 * (NULL-terminated). params NULL is fine. Non-object params is an error. */
int params_check_keys(json_t *params, const char *const *allowed,
		      struct err *err);
/* Each getter: missing key -> 0 with the default untouched when !required,
 * RUSTIFY_EPARAM when required; wrong type -> RUSTIFY_EPARAM. */
int params_get_string(json_t *params, const char *key, bool required,
		      const char **out, struct err *err);
int params_get_int(json_t *params, const char *key, bool required,
		   json_int_t min, json_int_t max, json_int_t *out,
		   struct err *err);
int params_get_number(json_t *params, const char *key, bool required,
		      double min, double max, double *out, struct err *err);
int params_get_bool(json_t *params, const char *key, bool required, bool *out,
		    struct err *err);
/* A list of strings; *out borrowed (NULL when absent). */
int params_get_string_list(json_t *params, const char *key, bool required,
			   json_t **out, struct err *err);
int params_get_object(json_t *params, const char *key, bool required,
		      json_t **out, struct err *err);

#endif
