/*
 * error.c - struct err and the code tables generated from RUSTIFY_ERRORS.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "rustify/buf.h"
#include "rustify/bug.h"
#include "rustify/error.h"

void err_init(struct err *e)
{
	e->code = 0;
	e->msg = NULL;
}

void err_release(struct err *e)
{
	free(e->msg);
	err_init(e);
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(e->msg);
	e->code = code;
	e->msg = buf_detach(&b, NULL);
	return code;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_addf(&b, ": %s", err_msg(e));
	free(e->msg);
	e->msg = buf_detach(&b, NULL);
}

const char *err_msg(const struct err *e)
{
	if (e->msg && e->msg[0])
		return e->msg;
	return rustify_strerror(e->code);
}

const char *rustify_strerror(int code)
{
	switch (code) {
#define X(name, value, msg, rpc)                                               \
	case value:                                                            \
		return msg;
		RUSTIFY_ERRORS(X)
#undef X
	}
	return "unknown error";
}

const char *rustify_errname(int code)
{
	switch (code) {
#define X(name, value, msg, rpc)                                               \
	case value:                                                            \
		return "RUSTIFY_" #name;
		RUSTIFY_ERRORS(X)
#undef X
	}
	return "RUSTIFY_E?";
}

int rustify_rpc_code(int code)
{
	switch (code) {
#define X(name, value, msg, rpc)                                               \
	case value:                                                            \
		return rpc;
		RUSTIFY_ERRORS(X)
#undef X
	}
	return RPC_INTERNAL_ERROR;
}

int rustify_code_from_rpc(int rpc_code)
{
#define X(name, value, msg, rpc)                                               \
	if (value && rpc == rpc_code)                                          \
		return value;
	RUSTIFY_ERRORS(X)
#undef X
	return RUSTIFY_EINTERNAL;
}

void rustify_bug(const char *file, int line, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_addf(&b, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_addch(&b, '\n');
	fwrite(b.data, 1, b.len, stderr);
	fflush(stderr);
	abort();
}
