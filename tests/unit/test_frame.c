/*
 * test_frame.c - the Content-Length framing decoder and encoder: splits at
 * every byte, many messages per feed, limits, and every kind of bad header.
 */
#include <stdlib.h>
#include <string.h>

#include "rustify/proto.h"
#include "test.h"

/* Decodes everything available; appends "<body>|" per message to out. */
static int frame_drain(struct frame_decoder *d, struct buf *out,
		       struct err *err)
{
	const char *body;
	size_t len;
	int ret;

	while ((ret = frame_decoder_next(d, &body, &len, err)) == 1) {
		buf_add(out, body, len);
		buf_addch(out, '|');
	}
	return ret;
}

/* Feeds s whole and expects error code with msg_part in the message. */
static void frame_expect_error(const char *s, size_t max_body, int code,
			       const char *msg_part)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf out = BUF_INIT;

	frame_decoder_init(&d, max_body);
	frame_decoder_feed(&d, s, strlen(s));
	CHECK_INT(frame_drain(&d, &out, &err), code);
	CHECK_INT(err.code, code);
	if (!strstr(err_msg(&err), msg_part))
		test_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"",
			  err_msg(&err), msg_part);
	CHECK(d.failed);
	buf_release(&out);
	err_release(&err);
	frame_decoder_release(&d);
}

TEST(frame_single_message)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	const char *body = NULL;
	size_t len = 0;
	const char *s = "Content-Length: 5\r\n\r\nhello";

	frame_decoder_init(&d, 100);
	frame_decoder_feed(&d, s, strlen(s));
	CHECK_INT(frame_decoder_next(&d, &body, &len, &err), 1);
	CHECK_INT(len, 5);
	CHECK(memcmp(body, "hello", 5) == 0);
	CHECK_INT(frame_decoder_next(&d, &body, &len, &err), 0);
	CHECK_INT(err.code, 0);
	CHECK_INT(d.in.len, 0);
	frame_decoder_release(&d);
}

TEST(frame_split_at_every_offset)
{
	const char *s = "Content-Length: 13\r\nContent-Type: application/"
			"vscode-jsonrpc; charset=utf-8\r\n\r\n{\"a\":\"first\"}"
			"content-length:2\r\n\r\n[]";
	size_t n = strlen(s);

	for (size_t i = 0; i <= n; i++) {
		for (size_t j = i; j <= n; j++) {
			struct frame_decoder d;
			struct err err = ERR_INIT;
			struct buf out = BUF_INIT;

			frame_decoder_init(&d, 64);
			frame_decoder_feed(&d, s, i);
			CHECK_INT(frame_drain(&d, &out, &err), 0);
			frame_decoder_feed(&d, s + i, j - i);
			CHECK_INT(frame_drain(&d, &out, &err), 0);
			frame_decoder_feed(&d, s + j, n - j);
			CHECK_INT(frame_drain(&d, &out, &err), 0);
			CHECK_STR(out.data, "{\"a\":\"first\"}|[]|");
			CHECK_INT(d.in.len, 0);
			buf_release(&out);
			frame_decoder_release(&d);
		}
	}
}

TEST(frame_byte_at_a_time)
{
	const char *s = "Content-Length: 3\r\n\r\nabcContent-Length: 0\r\n\r\n"
			"Content-Length: 1\r\n\r\nz";
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf out = BUF_INIT;

	frame_decoder_init(&d, 10);
	for (size_t i = 0; s[i]; i++) {
		frame_decoder_feed(&d, s + i, 1);
		CHECK_INT(frame_drain(&d, &out, &err), 0);
	}
	CHECK_STR(out.data, "abc||z|");
	buf_release(&out);
	frame_decoder_release(&d);
}

TEST(frame_many_messages_one_feed)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf in = BUF_INIT;
	const char *body;
	size_t len, count = 0;
	int ret;

	for (int i = 0; i < 20000; i++) {
		char b[32];
		int n = snprintf(b, sizeof(b), "{\"i\":%d}", i);

		frame_encode(&in, b, (size_t)n);
	}
	frame_decoder_init(&d, 100);
	frame_decoder_feed(&d, in.data, in.len);
	while ((ret = frame_decoder_next(&d, &body, &len, &err)) == 1) {
		char want[32];
		int n = snprintf(want, sizeof(want), "{\"i\":%zu}", count);

		CHECK_INT(len, n);
		CHECK(memcmp(body, want, len) == 0);
		count++;
	}
	CHECK_INT(ret, 0);
	CHECK_INT(count, 20000);
	/* Everything was delivered: the big buffer was given back. */
	CHECK_INT(d.in.len, 0);
	CHECK_INT(d.in.cap, 0);
	CHECK_INT(d.pending_consume, 0);
	buf_release(&in);
	frame_decoder_release(&d);
}

/* Feeding forever in small chunks must not grow the buffer without bound. */
TEST(frame_buffer_stays_bounded)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t max_cap = 0, pos = 0, messages = 0;

	for (int i = 0; i < 50; i++)
		frame_encode(&in, "{\"method\":\"x\"}", 14);
	frame_decoder_init(&d, 100);
	for (int round = 0; round < 2000; round++) {
		/* 37-byte chunks straddle message boundaries. */
		size_t n = in.len - pos < 37 ? in.len - pos : 37;

		frame_decoder_feed(&d, in.data + pos, n);
		pos = (pos + n) % in.len;
		buf_reset(&out);
		CHECK_INT(frame_drain(&d, &out, &err), 0);
		messages += out.len / 15;
		if (d.in.cap > max_cap)
			max_cap = d.in.cap;
	}
	CHECK(messages > 1000);
	CHECK(max_cap <= 256);
	buf_release(&in);
	buf_release(&out);
	frame_decoder_release(&d);
}

TEST(frame_lowercase_and_other_headers)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf out = BUF_INIT;
	const char *s = "content-length: 2\r\n\r\nab"
			"CONTENT-LENGTH:2\r\n\r\ncd"
			"X-Whatever: 99\r\ncOnTeNt-TyPe: text/x\r\n"
			"Content-Length: \t 2 \t\r\nContent-Typo: 5\r\n\r\nef"
			"Content-Length: 0002\r\n\r\ngh";

	frame_decoder_init(&d, 2);
	frame_decoder_feed(&d, s, strlen(s));
	CHECK_INT(frame_drain(&d, &out, &err), 0);
	CHECK_STR(out.data, "ab|cd|ef|gh|");
	buf_release(&out);
	frame_decoder_release(&d);
}

TEST(frame_empty_body)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	const char *body = NULL;
	size_t len = 99;
	const char *s = "Content-Length: 0\r\n\r\n";

	frame_decoder_init(&d, 0);
	frame_decoder_feed(&d, s, strlen(s));
	CHECK_INT(frame_decoder_next(&d, &body, &len, &err), 1);
	CHECK_INT(len, 0);
	CHECK(body != NULL);
	CHECK_INT(frame_decoder_next(&d, &body, &len, &err), 0);
	frame_decoder_release(&d);
}

TEST(frame_too_big_before_body)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	const char *body;
	size_t len;
	const char *s = "Content-Length: 1001\r\n\r\n";
	size_t cap;

	frame_decoder_init(&d, 1000);
	/* Header not complete yet: no verdict. */
	frame_decoder_feed(&d, s, strlen(s) - 1);
	CHECK_INT(frame_decoder_next(&d, &body, &len, &err), 0);
	/* Blank line complete, no body byte sent: refused now. */
	frame_decoder_feed(&d, s + strlen(s) - 1, 1);
	CHECK_INT(frame_decoder_next(&d, &body, &len, &err), RUSTIFY_ETOOBIG);
	CHECK_INT(err.code, RUSTIFY_ETOOBIG);
	CHECK(strstr(err.msg, "1001") != NULL);
	CHECK(strstr(err.msg, "limit of 1000 bytes") != NULL);
	/* Sticky: same error, same message; later bytes are dropped. */
	err_release(&err);
	cap = d.in.cap;
	for (int i = 0; i < 100; i++)
		frame_decoder_feed(
		    &d, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 40);
	CHECK_INT(d.in.cap, cap);
	CHECK_INT(frame_decoder_next(&d, &body, &len, &err), RUSTIFY_ETOOBIG);
	CHECK(strstr(err.msg, "limit of 1000 bytes") != NULL);
	err_release(&err);
	frame_decoder_release(&d);
}

TEST(frame_limit_is_inclusive)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf out = BUF_INIT;
	const char *s = "Content-Length: 4\r\n\r\nabcd";

	frame_decoder_init(&d, 4);
	frame_decoder_feed(&d, s, strlen(s));
	CHECK_INT(frame_drain(&d, &out, &err), 0);
	CHECK_STR(out.data, "abcd|");
	buf_release(&out);
	frame_decoder_release(&d);
	frame_expect_error(s, 3, RUSTIFY_ETOOBIG, "Content-Length 4 exceeds");
}

TEST(frame_bad_content_length)
{
	frame_expect_error("Content-Type: x\r\n\r\n{}", 100, RUSTIFY_EFRAME,
			   "no Content-Length");
	frame_expect_error("\r\n{}", 100, RUSTIFY_EFRAME, "no Content-Length");
	frame_expect_error("Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
			   100, RUSTIFY_EFRAME, "duplicate Content-Length");
	frame_expect_error("Content-Length: 2\r\ncontent-length: 3\r\n\r\n{}",
			   100, RUSTIFY_EFRAME, "duplicate Content-Length");
	frame_expect_error("Content-Length: abc\r\n\r\n", 100, RUSTIFY_EFRAME,
			   "non-negative decimal integer, got \"abc\"");
	frame_expect_error("Content-Length: -1\r\n\r\n", 100, RUSTIFY_EFRAME,
			   "got \"-1\"");
	frame_expect_error("Content-Length: +1\r\n\r\n", 100, RUSTIFY_EFRAME,
			   "got \"+1\"");
	frame_expect_error("Content-Length: x5\r\n\r\n", 100, RUSTIFY_EFRAME,
			   "got \"x5\"");
	frame_expect_error("Content-Length: 5x\r\n\r\n", 100, RUSTIFY_EFRAME,
			   "got \"5x\"");
	frame_expect_error("Content-Length: 1 2\r\n\r\n", 100, RUSTIFY_EFRAME,
			   "got \"1 2\"");
	frame_expect_error("Content-Length: 0x10\r\n\r\n", 100, RUSTIFY_EFRAME,
			   "got \"0x10\"");
	frame_expect_error("Content-Length: \r\n\r\n", 100, RUSTIFY_EFRAME,
			   "Content-Length is empty");
	frame_expect_error("Content-Length: 99999999999999999999999\r\n\r\n",
			   100, RUSTIFY_EFRAME, "is too large");
	/* SIZE_MAX itself parses and is then simply too big. */
	frame_expect_error("Content-Length: 18446744073709551615\r\n\r\n", 100,
			   RUSTIFY_ETOOBIG, "18446744073709551615 exceeds");
	frame_expect_error("Content-Length: 18446744073709551616\r\n\r\n", 100,
			   RUSTIFY_EFRAME, "is too large");
}

TEST(frame_bad_header_lines)
{
	struct buf big = BUF_INIT;

	frame_expect_error("Content-Length: 2\n\n{}", 100, RUSTIFY_EFRAME,
			   "bare \\n");
	frame_expect_error("Content-Length: 2\r\n\n{}", 100, RUSTIFY_EFRAME,
			   "bare \\n");
	frame_expect_error("Content-Length: 2\rX\r\n\r\n{}", 100,
			   RUSTIFY_EFRAME, "carriage return without line feed");
	frame_expect_error("garbage\r\nContent-Length: 2\r\n\r\n{}", 100,
			   RUSTIFY_EFRAME, "line 1 is not \"Name: value\"");
	frame_expect_error("Content-Length : 2\r\n\r\n{}", 100, RUSTIFY_EFRAME,
			   "line 1 is not \"Name: value\"");
	frame_expect_error(": 2\r\n\r\n{}", 100, RUSTIFY_EFRAME,
			   "is not \"Name: value\"");
	frame_expect_error("Content-Length: 2\r\nX-Caf\xc3\xa9: 1\r\n\r\n{}",
			   100, RUSTIFY_EFRAME, "byte 0xc3");
	frame_expect_error("Content-Length: 2\r\nX: \x01\r\n\r\n{}", 100,
			   RUSTIFY_EFRAME, "byte 0x01");
	/* No blank line within RUSTIFY_MAX_HEADER bytes. */
	buf_adds(&big, "Content-Length: 2\r\nX-Junk: ");
	while (big.len < RUSTIFY_MAX_HEADER + 10)
		buf_addch(&big, 'a');
	frame_expect_error(big.data, 100, RUSTIFY_EFRAME,
			   "no blank line within the first 8192 bytes");
	buf_release(&big);
}

TEST(frame_header_size_boundary)
{
	struct buf s = BUF_INIT;
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf out = BUF_INIT;

	/* A header of exactly RUSTIFY_MAX_HEADER bytes is accepted. */
	buf_adds(&s, "Content-Length: 1\r\nX: ");
	while (s.len < RUSTIFY_MAX_HEADER - 4)
		buf_addch(&s, 'a');
	buf_adds(&s, "\r\n\r\nz");
	frame_decoder_init(&d, 10);
	frame_decoder_feed(&d, s.data, s.len);
	CHECK_INT(frame_drain(&d, &out, &err), 0);
	CHECK_STR(out.data, "z|");
	frame_decoder_release(&d);

	/* One byte more is not. */
	buf_reset(&s);
	buf_adds(&s, "Content-Length: 1\r\nX: ");
	while (s.len < RUSTIFY_MAX_HEADER - 3)
		buf_addch(&s, 'a');
	buf_adds(&s, "\r\n\r\nz");
	frame_expect_error(s.data, 10, RUSTIFY_EFRAME, "no blank line");
	buf_release(&s);
	buf_release(&out);
}

TEST(frame_error_is_sticky)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf out = BUF_INIT;
	const char *s =
	    "Content-Length: 2\r\n\r\n{}Content-Length: nope\r\n\r\n"
	    "Content-Length: 2\r\n\r\n{}";

	frame_decoder_init(&d, 100);
	frame_decoder_feed(&d, s, strlen(s));
	/* The good message before the bad header is still delivered. */
	CHECK_INT(frame_drain(&d, &out, &err), RUSTIFY_EFRAME);
	CHECK_STR(out.data, "{}|");
	CHECK(strstr(err.msg, "\"nope\"") != NULL);
	err_release(&err);
	frame_decoder_feed(&d, "Content-Length: 2\r\n\r\n{}", 23);
	CHECK_INT(frame_drain(&d, &out, &err), RUSTIFY_EFRAME);
	CHECK(strstr(err.msg, "\"nope\"") != NULL);
	CHECK_STR(out.data, "{}|");
	/* A NULL err is allowed. */
	CHECK_INT(frame_drain(&d, &out, NULL), RUSTIFY_EFRAME);
	err_release(&err);
	buf_release(&out);
	frame_decoder_release(&d);
}

TEST(frame_large_body_in_pieces)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	struct buf in = BUF_INIT, body = BUF_INIT, out = BUF_INIT;

	for (size_t i = 0; i < 300000; i++)
		buf_addch(&body, (char)('a' + i % 26));
	frame_encode(&in, body.data, body.len);
	frame_encode(&in, "x", 1);
	frame_decoder_init(&d, RUSTIFY_DEFAULT_MAX_MESSAGE);
	for (size_t pos = 0; pos < in.len; pos += 4093) {
		size_t n = in.len - pos < 4093 ? in.len - pos : 4093;

		frame_decoder_feed(&d, in.data + pos, n);
		CHECK_INT(frame_drain(&d, &out, &err), 0);
	}
	buf_addch(&body, '|');
	buf_adds(&body, "x|");
	CHECK_INT(out.len, body.len);
	CHECK(memcmp(out.data, body.data, body.len) == 0);
	buf_release(&in);
	buf_release(&body);
	buf_release(&out);
	frame_decoder_release(&d);
}

TEST(frame_encode_format)
{
	struct buf out = BUF_INIT;

	frame_encode(&out, "{\"a\":1}", 7);
	frame_encode(&out, NULL, 0);
	CHECK_STR(
	    out.data,
	    "Content-Length: 7\r\n\r\n{\"a\":1}Content-Length: 0\r\n\r\n");
	buf_release(&out);
}
