/*
 * frame.c - LSP base-protocol framing: "Content-Length: N\r\n\r\n" + body,
 * with an incremental decoder and the encoder.
 *
 * The decoder owns one struct buf of received bytes. Bytes may arrive split
 * at any offset and several messages may arrive in one feed. What this file
 * decides about the header section:
 *
 *   - Every header line must end in "\r\n", as LSP requires. A bare "\n"
 *     (or a "\r" not followed by "\n") is rejected with RUSTIFY_EFRAME at
 *     once, rather than waiting for a blank line that will never come:
 *     a peer using "\n\n" gets a clear error instead of a hang.
 *   - Header bytes must be printable ASCII or tab; anything else is
 *     RUSTIFY_EFRAME.
 *   - Names are matched case-insensitively and must be non-empty HTTP
 *     tokens directly followed by ':' (no space before the colon). Optional
 *     spaces and tabs around the value are ignored.
 *   - Content-Length is exactly one run of decimal digits (leading zeros
 *     allowed). Missing, duplicated (even with the same value), empty,
 *     signed, non-numeric, junk-prefixed or junk-suffixed, or beyond
 *     SIZE_MAX -> RUSTIFY_EFRAME. Larger than max_body -> RUSTIFY_ETOOBIG
 *     as soon as the blank line is seen, before any of the body is needed.
 *   - Content-Type and any other header are accepted and ignored.
 *   - The header section, blank line included, may be at most
 *     RUSTIFY_MAX_HEADER bytes.
 *
 * Memory: consumption is lazy. _next() hands out a pointer into the buffer
 * and only advances pending_consume (the count of leading bytes already
 * delivered); the delivered bytes are dropped in one memmove at the next
 * feed, or for free when everything was delivered. Many small messages in
 * one feed therefore cost O(n), and a byte is moved at most once. An idle
 * decoder gives back a large buffer so one big message does not pin its
 * memory for the life of the connection.
 *
 * While the header is incomplete, header_len is how far the header has been
 * scanned, so a header trickling in byte by byte is scanned once. After an
 * error the received bytes are freed; the buffer then holds the error
 * message and body_len the negated error code, so every later call returns
 * the same error and feeds are discarded.
 *
 * Nothing here does I/O or knows about JSON.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "rustify/proto.h"

/* An idle buffer larger than this is freed rather than kept for reuse. */
#define FRAME_KEEP_CAPACITY (64u * 1024u)
/* How much of an offending header value an error message quotes. */
#define FRAME_QUOTE_MAX 40

void frame_decoder_init(struct frame_decoder *d, size_t max_body)
{
	buf_init(&d->in);
	d->max_body = max_body;
	d->body_len = 0;
	d->header_len = 0;
	d->has_header = false;
	d->failed = false;
	d->pending_consume = 0;
}

void frame_decoder_release(struct frame_decoder *d)
{
	buf_release(&d->in);
	frame_decoder_init(d, d->max_body);
}

/* Drops the bytes already delivered (one memmove of the undelivered tail). */
static void frame_compact(struct frame_decoder *d)
{
	if (!d->pending_consume)
		return;
	if (d->pending_consume >= d->in.len) {
		if (d->in.cap > FRAME_KEEP_CAPACITY)
			buf_release(&d->in);
		else
			buf_reset(&d->in);
	} else {
		buf_consume(&d->in, d->pending_consume);
	}
	d->pending_consume = 0;
}

void frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len)
{
	if (d->failed || !len)
		return;
	frame_compact(d);
	buf_add(&d->in, data, len);
}

/* Puts the decoder into its failed state and reports the error. */
static int frame_fail(struct frame_decoder *d, struct err *err, int code,
		      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int frame_fail(struct frame_decoder *d, struct err *err, int code,
		      const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	/* Format first: the arguments may point into the received bytes. */
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	buf_release(&d->in);
	d->in = msg;
	d->failed = true;
	d->has_header = false;
	d->header_len = 0;
	d->pending_consume = 0;
	d->body_len = (size_t)-code;
	if (err)
		err_set(err, code, "%s", d->in.data);
	return code;
}

static bool frame_is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool frame_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Matches a header name of length n against a lowercase literal. */
static bool frame_name_is(const char *name, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(name, lit, n) == 0;
}

/*
 * Scans for the end of the header section, validating each byte once.
 * Returns 1 when d->header_len is the full header length, 0 when more
 * bytes are needed, or a negative code.
 */
static int frame_scan_header(struct frame_decoder *d, const char *p,
			     size_t avail, struct err *err)
{
	size_t pos = d->header_len;
	int ret = 0;

	while (pos < avail && pos < RUSTIFY_MAX_HEADER) {
		unsigned char c = (unsigned char)p[pos];

		if (pos > 0 && p[pos - 1] == '\r' && c != '\n') {
			ret = frame_fail(d, err, RUSTIFY_EFRAME,
					 "bad header: carriage return without "
					 "line feed at byte %zu",
					 pos - 1);
			goto out;
		}
		if (c == '\n') {
			if (pos == 0 || p[pos - 1] != '\r') {
				ret = frame_fail(
				    d, err, RUSTIFY_EFRAME,
				    "bad header: line ends in a bare \\n at "
				    "byte %zu; "
				    "header lines must end in \\r\\n",
				    pos);
				goto out;
			}
			pos++;
			/* "\r\n" at the start of a line is the blank line. */
			if (pos == 2 || p[pos - 3] == '\n') {
				d->header_len = pos;
				ret = 1;
				goto out;
			}
			continue;
		}
		if (c != '\r' && c != '\t' && (c < 0x20 || c > 0x7e)) {
			ret = frame_fail(d, err, RUSTIFY_EFRAME,
					 "bad header: byte 0x%02x at offset "
					 "%zu is not printable ASCII",
					 c, pos);
			goto out;
		}
		pos++;
	}
	d->header_len = pos;
	if (pos >= RUSTIFY_MAX_HEADER)
		ret = frame_fail(
		    d, err, RUSTIFY_EFRAME,
		    "bad header: no blank line within the first %u bytes",
		    RUSTIFY_MAX_HEADER);
out:
	return ret;
}

/* Parses a Content-Length value (already stripped of spaces). */
static int frame_parse_length(struct frame_decoder *d, const char *v, size_t n,
			      size_t *out, struct err *err)
{
	size_t val = 0;
	int ret = 0;

	if (n == 0) {
		ret = frame_fail(d, err, RUSTIFY_EFRAME,
				 "bad header: Content-Length is empty");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned digit;

		if (v[i] < '0' || v[i] > '9') {
			ret = frame_fail(
			    d, err, RUSTIFY_EFRAME,
			    "bad header: Content-Length must be a non-negative "
			    "decimal integer, got \"%.*s%s\"",
			    (int)(n < FRAME_QUOTE_MAX ? n : FRAME_QUOTE_MAX), v,
			    n > FRAME_QUOTE_MAX ? "..." : "");
			goto out;
		}
		digit = (unsigned)(v[i] - '0');
		if (val > (SIZE_MAX - digit) / 10) {
			ret = frame_fail(
			    d, err, RUSTIFY_EFRAME,
			    "bad header: Content-Length \"%.*s%s\" is too "
			    "large",
			    (int)(n < FRAME_QUOTE_MAX ? n : FRAME_QUOTE_MAX), v,
			    n > FRAME_QUOTE_MAX ? "..." : "");
			goto out;
		}
		val = val * 10 + digit;
	}
	*out = val;
out:
	return ret;
}

/*
 * Parses the complete header section p[0 .. d->header_len) (validated by
 * frame_scan_header: printable ASCII, every line ends in "\r\n").
 */
static int frame_parse_header(struct frame_decoder *d, const char *p,
			      struct err *err)
{
	size_t end = d->header_len - 2; /* the blank line's "\r\n" */
	size_t line = 0, lineno = 0, length = 0;
	bool has_length = false;
	int ret = 0;

	while (line < end) {
		const char *s = p + line;
		const char *eol = memchr(s, '\r', end - line);
		size_t len, name_len = 0, vb, ve;

		lineno++;
		if (!eol) {
			/* Cannot happen after frame_scan_header; stay bounded.
			 */
			ret = frame_fail(
			    d, err, RUSTIFY_EFRAME,
			    "bad header: line %zu is not terminated", lineno);
			goto out;
		}
		len = (size_t)(eol - s);
		while (name_len < len &&
		       frame_is_tchar((unsigned char)s[name_len]))
			name_len++;
		if (name_len == 0 || name_len == len || s[name_len] != ':') {
			ret = frame_fail(d, err, RUSTIFY_EFRAME,
					 "bad header: line %zu is not \"Name: "
					 "value\": \"%.*s%s\"",
					 lineno,
					 (int)(len < FRAME_QUOTE_MAX
						   ? len
						   : FRAME_QUOTE_MAX),
					 s, len > FRAME_QUOTE_MAX ? "..." : "");
			goto out;
		}
		vb = name_len + 1;
		ve = len;
		while (vb < ve && frame_is_ows(s[vb]))
			vb++;
		while (ve > vb && frame_is_ows(s[ve - 1]))
			ve--;
		if (frame_name_is(s, name_len, "content-length")) {
			if (has_length) {
				ret = frame_fail(
				    d, err, RUSTIFY_EFRAME,
				    "bad header: duplicate Content-Length");
				goto out;
			}
			ret = frame_parse_length(d, s + vb, ve - vb, &length,
						 err);
			if (ret)
				goto out;
			has_length = true;
		}
		/* Content-Type and unknown headers are ignored. */
		line += len + 2;
	}
	if (!has_length) {
		ret = frame_fail(d, err, RUSTIFY_EFRAME,
				 "bad header: no Content-Length");
		goto out;
	}
	if (length > d->max_body) {
		ret = frame_fail(d, err, RUSTIFY_ETOOBIG,
				 "message too large: Content-Length %zu "
				 "exceeds the limit of %zu bytes",
				 length, d->max_body);
		goto out;
	}
	d->body_len = length;
	d->has_header = true;
out:
	return ret;
}

int frame_decoder_next(struct frame_decoder *d, const char **body, size_t *len,
		       struct err *err)
{
	const char *p;
	size_t avail;
	int ret = 0;

	if (d->failed) {
		ret = -(int)d->body_len;
		if (err)
			err_set(err, ret, "%s", d->in.data);
		goto out;
	}
	/* The previous body is no longer needed: free it when it was all. */
	if (d->pending_consume >= d->in.len)
		frame_compact(d);
	p = d->in.data + d->pending_consume;
	avail = d->in.len - d->pending_consume;
	if (!d->has_header) {
		ret = frame_scan_header(d, p, avail, err);
		if (ret <= 0)
			goto out;
		ret = frame_parse_header(d, p, err);
		if (ret)
			goto out;
	}
	if (avail - d->header_len < d->body_len) {
		ret = 0;
		goto out;
	}
	*body = p + d->header_len;
	*len = d->body_len;
	d->pending_consume += d->header_len + d->body_len;
	d->has_header = false;
	d->header_len = 0;
	d->body_len = 0;
	ret = 1;
out:
	return ret;
}

void frame_encode(struct buf *out, const char *body, size_t len)
{
	/* Every message goes through here: digits by hand, not printf. */
	char digits[24];
	size_t n = sizeof(digits), k = len;

	do {
		digits[--n] = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	buf_grow(out, 16 + (sizeof(digits) - n) + 4 + len);
	buf_add(out, "Content-Length: ", 16);
	buf_add(out, digits + n, sizeof(digits) - n);
	buf_add(out, "\r\n\r\n", 4);
	buf_add(out, body, len);
}
