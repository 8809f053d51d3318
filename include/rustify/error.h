/*
 * error.h - the one list of rustify error codes, and struct err, which
 * carries a code plus a human message outward.
 *
 * Functions return 0 or a negative RUSTIFY_E* code and describe the problem
 * in a caller-provided struct err. The X-macro gives each code its name, a
 * default message and the JSON-RPC error code it maps to on the wire.
 */
#ifndef RUSTIFY_ERROR_H
#define RUSTIFY_ERROR_H

/* JSON-RPC error codes on the wire: the spec's, then rustify's own. */
#define RPC_PARSE_ERROR	     -32700
#define RPC_INVALID_REQUEST  -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS   -32602
#define RPC_INTERNAL_ERROR   -32603
#define RPC_UNKNOWN_JOB	     -32001
#define RPC_BUSY	     -32002
#define RPC_SHUTTING_DOWN    -32003
#define RPC_BAD_STATE	     -32004
#define RPC_BAD_SOURCE	     -32005

/*
 * X(name, value, message, jsonrpc_code). Where several codes share a
 * JSON-RPC code, the first one listed is what a client maps it back to
 * (rustify_code_from_rpc).
 */
#define RUSTIFY_ERRORS(X)                                                      \
	X(OK, 0, "success", 0)                                                 \
	X(EPARSE, -1, "parse error: the message is not valid JSON",            \
	  RPC_PARSE_ERROR)                                                     \
	X(EREQUEST, -2, "invalid request", RPC_INVALID_REQUEST)                \
	X(EMETHOD, -3, "unknown method", RPC_METHOD_NOT_FOUND)                 \
	X(EPARAM, -4, "invalid params", RPC_INVALID_PARAMS)                    \
	X(EINTERNAL, -5, "internal error", RPC_INTERNAL_ERROR)                 \
	X(ENOJOB, -6, "unknown job", RPC_UNKNOWN_JOB)                          \
	X(EBUSY, -7, "daemon busy: the job queue is full", RPC_BUSY)           \
	X(ESHUTDOWN, -8, "daemon is shutting down", RPC_SHUTTING_DOWN)         \
	X(ESTATE, -9, "job is not in a state that allows this", RPC_BAD_STATE) \
	X(ETOOBIG, -10, "message too large", RPC_INVALID_REQUEST)              \
	X(EFRAME, -11, "bad message framing", RPC_INVALID_REQUEST)             \
	X(EIO, -12, "input/output error", RPC_INTERNAL_ERROR)                  \
	X(EDB, -13, "database error", RPC_INTERNAL_ERROR)                      \
	X(ESOURCE, -14, "bad source", RPC_BAD_SOURCE)                          \
	X(ECHILD, -15, "child process failed", RPC_INTERNAL_ERROR)             \
	X(ETIMEOUT, -16, "timed out", RPC_INTERNAL_ERROR)                      \
	X(ECANCELLED, -17, "cancelled", RPC_INTERNAL_ERROR)                    \
	X(EUNSUPPORTED, -18, "not supported", RPC_INTERNAL_ERROR)              \
	X(ECONNECT, -19, "daemon unreachable", RPC_INTERNAL_ERROR)             \
	X(ELIMIT, -20, "limit reached", RPC_BUSY)                              \
	X(EEXIST, -21, "already exists", RPC_INVALID_PARAMS)

enum rustify_error {
#define RUSTIFY_ERR_ENUM(name, value, msg, rpc) RUSTIFY_##name = value,
	RUSTIFY_ERRORS(RUSTIFY_ERR_ENUM)
#undef RUSTIFY_ERR_ENUM
};

struct err {
	int code;  /* 0 or a RUSTIFY_E* value */
	char *msg; /* malloc'd, NULL when code == 0 */
};

#define ERR_INIT                                                               \
	{                                                                      \
		0, NULL                                                        \
	}

void err_init(struct err *e);
void err_release(struct err *e);
/* Sets code and a formatted message, replacing any previous one. Returns code.
 */
int err_set(struct err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message: "prefix: old message". */
void err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The message, or the code's default message when none was set. */
const char *err_msg(const struct err *e);
const char *rustify_strerror(int code);
const char *rustify_errname(int code);
int rustify_rpc_code(int code);
/* The RUSTIFY_E* code a JSON-RPC error code stands for (the first listed
 * with it; RUSTIFY_EINTERNAL for codes not in the list). */
int rustify_code_from_rpc(int rpc_code);

#endif
