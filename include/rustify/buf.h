/*
 * buf.h - the one growable byte buffer used everywhere (after git's strbuf).
 *
 * A struct buf is never NULL-data after buf_init(): b->data always points at
 * a NUL-terminated string (possibly the shared empty one), so it can be
 * passed to printf-like code without checks. Allocation failure aborts.
 */
#ifndef RUSTIFY_BUF_H
#define RUSTIFY_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                               \
	{                                                                      \
		buf_empty, 0, 0                                                \
	}
extern char buf_empty[];

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Drops the first n bytes. */
void buf_consume(struct buf *b, size_t n);
void buf_truncate(struct buf *b, size_t len);
/* Hands the malloc'd string to the caller and re-inits the buffer. */
char *buf_detach(struct buf *b, size_t *len);

/* Allocation wrappers: out of memory is not an error we handle. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
