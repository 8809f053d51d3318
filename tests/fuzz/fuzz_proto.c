/*
 * fuzz_proto.c - libFuzzer target for the wire protocol: framing decoder,
 * JSON-RPC parsing and request checks, params getters, reply encoding.
 *
 * Input layout:
 *   byte 0      max_body selector (low 2 bits) and reply flags
 *   byte 1      n, the number of chunk-size bytes that follow (n % 16)
 *   n bytes     chunk sizes: the stream is fed in chunks of (size + 1)
 *               bytes, cycling through this list (one chunk when n == 0)
 *   the rest    the byte stream a peer would send
 *
 * The stream is decoded twice: in the chunks above, and in one feed. Both
 * must yield the same messages and end with the same result and error
 * message (a differential check of the incremental decoder). Every body is
 * parsed, checked as a request (each element for a batch), run through the
 * params getters, answered, and the framed answer must decode back to an
 * equal JSON value. Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rustify/proto.h"

static const size_t fuzz_max_bodies[4] = {0, 16, 4096,
					  RUSTIFY_DEFAULT_MAX_MESSAGE};

/* Re-decodes a framed reply and compares it with what was written. */
static void fuzz_check_reply(json_t *reply)
{
	struct buf out = BUF_INIT;
	struct frame_decoder d;
	struct err err = ERR_INIT;
	const char *body;
	size_t len;
	json_t *back;

	if (jsonrpc_write(&out, reply) != 0)
		abort();
	frame_decoder_init(&d, out.len);
	frame_decoder_feed(&d, out.data, out.len);
	if (frame_decoder_next(&d, &body, &len, &err) != 1)
		abort();
	back = jsonrpc_parse(body, len, &err);
	if (!back || !json_equal(back, reply))
		abort();
	if (frame_decoder_next(&d, &body, &len, &err) != 0)
		abort();
	json_decref(back);
	frame_decoder_release(&d);
	err_release(&err);
	buf_release(&out);
}

/* Exercises every params getter on whatever params the request carries. */
static json_t *fuzz_params(json_t *params)
{
	static const char *const allowed[] = {"file",	   "n", "t", "b",
					      "functions", "o", NULL};
	struct err err = ERR_INIT;
	const char *s = NULL;
	json_int_t n = 0;
	double t = 0;
	bool b = false;
	json_t *list = NULL, *o = NULL, *result = json_object();

	if (params_check_keys(params, allowed, &err))
		json_object_set_new(result, "keys", json_string(err_msg(&err)));
	if (!params_get_string(params, "file", false, &s, &err) && s)
		json_object_set_new(result, "file", json_string(s));
	if (!params_get_int(params, "n", false, -5, 1000, &n, &err))
		json_object_set_new(result, "n", json_integer(n));
	if (!params_get_number(params, "t", false, 0, 1, &t, &err))
		json_object_set_new(result, "t", json_real(t));
	if (!params_get_bool(params, "b", true, &b, &err))
		json_object_set_new(result, "b", json_boolean(b));
	if (!params_get_string_list(params, "functions", false, &list, &err) &&
	    list)
		json_object_set(result, "functions", list);
	if (!params_get_object(params, "o", false, &o, &err) && o)
		json_object_set(result, "o", o);
	if (err.code)
		json_object_set_new(result, "last_error",
				    json_string(err_msg(&err)));
	err_release(&err);
	return result;
}

/* Handles one request object (or batch element) and checks its reply. */
static void fuzz_request(json_t *msg)
{
	struct jsonrpc_request req;
	struct err err = ERR_INIT;
	json_t *reply;

	if (jsonrpc_request_check(msg, &req, &err)) {
		if (req.method)
			abort();
		reply = jsonrpc_error_from_err(req.id, &err);
	} else {
		if (!req.method)
			abort();
		reply = jsonrpc_result_new(req.id, fuzz_params(req.params));
	}
	fuzz_check_reply(reply);
	json_decref(reply);
	err_release(&err);
}

static void fuzz_body(const char *body, size_t len)
{
	struct err err = ERR_INIT;
	json_t *msg = jsonrpc_parse(body, len, &err), *item;
	size_t i;

	if (!msg) {
		json_t *reply;

		if (err.code != RUSTIFY_EPARSE)
			abort();
		reply = jsonrpc_error_new(NULL, RPC_PARSE_ERROR, err_msg(&err),
					  NULL);
		fuzz_check_reply(reply);
		json_decref(reply);
		goto out;
	}
	if (json_is_array(msg)) {
		json_array_foreach(msg, i, item)
			fuzz_request(item);
	} else {
		fuzz_request(msg);
	}
	json_decref(msg);
out:
	err_release(&err);
}

/*
 * Decodes stream in chunks; appends "<len>:<body>" per message to log and
 * returns the final result (0 or an error code), with its message in log.
 */
static int fuzz_decode(const uint8_t *stream, size_t size, size_t max_body,
		       const uint8_t *sizes, size_t nsizes, bool handle,
		       struct buf *log)
{
	struct frame_decoder d;
	struct err err = ERR_INIT;
	size_t pos = 0, k = 0;
	int ret = 0;

	frame_decoder_init(&d, max_body);
	do {
		size_t n = nsizes ? (size_t)sizes[k++ % nsizes] + 1 : size;
		const char *body;
		size_t len;

		if (n > size - pos)
			n = size - pos;
		frame_decoder_feed(&d, stream + pos, n);
		pos += n;
		while ((ret = frame_decoder_next(&d, &body, &len, &err)) == 1) {
			if (len > max_body)
				abort();
			buf_addf(log, "%zu:", len);
			buf_add(log, body, len);
			if (handle)
				fuzz_body(body, len);
		}
		if (ret < 0) {
			if (err.code != ret || !d.failed)
				abort();
			buf_addf(log, "error %d: %s", ret, err_msg(&err));
			/* The error must be sticky. */
			frame_decoder_feed(&d, "Content-Length: 0\r\n\r\n", 21);
			if (frame_decoder_next(&d, &body, &len, NULL) != ret)
				abort();
			break;
		}
	} while (pos < size);
	frame_decoder_release(&d);
	err_release(&err);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf chunked = BUF_INIT, whole = BUF_INIT;
	size_t max_body, nsizes;
	const uint8_t *sizes;
	int r1, r2;

	if (size < 2)
		return 0;
	max_body = fuzz_max_bodies[data[0] & 3];
	nsizes = data[1] % 16;
	if (size - 2 < nsizes)
		return 0;
	sizes = data + 2;
	data += 2 + nsizes;
	size -= 2 + nsizes;

	r1 = fuzz_decode(data, size, max_body, sizes, nsizes, true, &chunked);
	r2 = fuzz_decode(data, size, max_body, NULL, 0, false, &whole);
	if (r1 != r2 || chunked.len != whole.len ||
	    memcmp(chunked.data, whole.data, whole.len) != 0)
		abort();
	buf_release(&chunked);
	buf_release(&whole);
	return 0;
}
