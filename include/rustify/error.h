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

/* X(name, value, message, jsonrpc_code) */
#define RUSTIFY_ERRORS(X)                                                      \
	X(OK, 0, "success", 0)                                                 \
	X(EPARSE, -1, "parse error: the message is not valid JSON", -32700)    \
	X(EREQUEST, -2, "invalid request", -32600)                             \
	X(EMETHOD, -3, "unknown method", -32601)                               \
	X(EPARAM, -4, "invalid params", -32602)                                \
	X(EINTERNAL, -5, "internal error", -32603)                             \
	X(ENOJOB, -6, "unknown job", -32001)                                   \
	X(EBUSY, -7, "daemon busy: the job queue is full", -32002)             \
	X(ESHUTDOWN, -8, "daemon is shutting down", -32003)                    \
	X(ESTATE, -9, "job is not in a state that allows this", -32004)        \
	X(ETOOBIG, -10, "message too large", -32600)                           \
	X(EFRAME, -11, "bad message framing", -32600)                          \
	X(EIO, -12, "input/output error", -32603)                              \
	X(EDB, -13, "database error", -32603)                                  \
	X(ESOURCE, -14, "bad source", -32005)                                  \
	X(ECHILD, -15, "child process failed", -32603)                         \
	X(ETIMEOUT, -16, "timed out", -32603)                                  \
	X(ECANCELLED, -17, "cancelled", -32603)                                \
	X(EUNSUPPORTED, -18, "not supported", -32603)                          \
	X(ECONNECT, -19, "daemon unreachable", -32603)                         \
	X(ELIMIT, -20, "limit reached", -32002)                                \
	X(EEXIST, -21, "already exists", -32602)

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

#endif
