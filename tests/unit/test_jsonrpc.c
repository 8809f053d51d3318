/*
 * test_jsonrpc.c - JSON-RPC 2.0 helpers: parsing, request checks (batches,
 * notifications, ids), builders, framed writing, and the params getters'
 * error messages.
 */
#include <stdlib.h>
#include <string.h>

#include "rustify/proto.h"
#include "test.h"

static json_t *jr_load(const char *s)
{
	struct err err = ERR_INIT;
	json_t *v = jsonrpc_parse(s, strlen(s), &err);

	if (!v)
		test_fail(__FILE__, __LINE__, "cannot parse %s: %s", s,
			  err_msg(&err));
	return v;
}

/* Compact serialisation, for comparing builders' output. */
static char *jr_dump(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	CHECK(s != NULL);
	return s;
}

/* Runs jsonrpc_request_check on s; returns the code, fills msg_out. */
static int jr_check(const char *s, struct err *err, json_t **msg_out,
		    struct jsonrpc_request *req)
{
	*msg_out = jr_load(s);
	return jsonrpc_request_check(*msg_out, req, err);
}

#define CHECK_CONTAINS(hay, needle)                                            \
	do {                                                                   \
		if (!strstr((hay), (needle)))                                  \
			test_fail(__FILE__, __LINE__,                          \
				  "\"%s\" does not contain \"%s\"", (hay),     \
				  (needle));                                   \
	} while (0)

TEST(jsonrpc_parse_values)
{
	struct err err = ERR_INIT;
	json_t *v;

	v = jr_load("{\"a\":1}");
	CHECK(json_is_object(v));
	json_decref(v);
	v = jr_load("[1,2]");
	CHECK(json_is_array(v));
	json_decref(v);
	/* Scalars are returned: the dispatcher calls them invalid requests. */
	v = jr_load("42");
	CHECK(json_is_integer(v));
	json_decref(v);
	v = jsonrpc_parse("{\"a\":1}garbage", 7, &err);
	CHECK(json_is_object(v));
	json_decref(v);
}

TEST(jsonrpc_parse_errors)
{
	struct err err = ERR_INIT;
	const char *bad = "{\"a\":\n  tru}";

	CHECK(jsonrpc_parse(bad, strlen(bad), &err) == NULL);
	CHECK_INT(err.code, RUSTIFY_EPARSE);
	CHECK_CONTAINS(err.msg, "line 2, column ");
	CHECK_CONTAINS(err.msg, "invalid token");
	err_release(&err);

	/* Content-Length 0 gives an empty body: a parse error. */
	CHECK(jsonrpc_parse("", 0, &err) == NULL);
	CHECK_INT(err.code, RUSTIFY_EPARSE);
	err_release(&err);

	CHECK(jsonrpc_parse("{\"a\":1} {}", 10, &err) == NULL);
	CHECK_INT(err.code, RUSTIFY_EPARSE);
	CHECK_CONTAINS(err.msg, "end of file expected");
	err_release(&err);

	CHECK(jsonrpc_parse("{\"m\":1,\"m\":2}", 13, &err) == NULL);
	CHECK_INT(err.code, RUSTIFY_EPARSE);
	CHECK_CONTAINS(err.msg, "duplicate");
	err_release(&err);

	CHECK(jsonrpc_parse("\"\xff\"", 3, &err) == NULL);
	CHECK_INT(err.code, RUSTIFY_EPARSE);
	err_release(&err);

	CHECK(jsonrpc_parse("\"a\\u0000b\"", 10, &err) == NULL);
	CHECK_INT(err.code, RUSTIFY_EPARSE);
	err_release(&err);
}

TEST(jsonrpc_check_requests)
{
	struct err err = ERR_INIT;
	struct jsonrpc_request req;
	json_t *m;

	CHECK_INT(
	    jr_check("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"job/submit\","
		     "\"params\":{\"file\":\"a.py\"}}",
		     &err, &m, &req),
	    0);
	CHECK_STR(req.method, "job/submit");
	CHECK(json_is_integer(req.id) && json_integer_value(req.id) == 7);
	CHECK(json_is_object(req.params));
	json_decref(m);

	CHECK_INT(
	    jr_check("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"x\","
		     "\"params\":[1]}",
		     &err, &m, &req),
	    0);
	CHECK_STR(json_string_value(req.id), "abc");
	CHECK(json_is_array(req.params));
	json_decref(m);

	/* A null id is a request that gets a reply, not a notification. */
	CHECK_INT(jr_check("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"x\"}",
			   &err, &m, &req),
		  0);
	CHECK(req.id != NULL && json_is_null(req.id));
	CHECK(req.params == NULL);
	json_decref(m);

	/* Absent id: a notification. */
	CHECK_INT(jr_check("{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}", &err,
			   &m, &req),
		  0);
	CHECK(req.id == NULL);
	CHECK_STR(req.method, "exit");
	json_decref(m);

	/* "params": null is the same as no params; extra members ignored. */
	CHECK_INT(jr_check("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\","
			   "\"params\":null,\"extra\":true}",
			   &err, &m, &req),
		  0);
	CHECK(req.params == NULL);
	json_decref(m);
	CHECK_INT(err.code, 0);
}

/* Expects RUSTIFY_EREQUEST with part in the message, and req.id set or not. */
static void jr_expect_bad(const char *s, const char *part, bool has_id)
{
	struct err err = ERR_INIT;
	struct jsonrpc_request req;
	json_t *m;

	CHECK_INT(jr_check(s, &err, &m, &req), RUSTIFY_EREQUEST);
	CHECK_INT(err.code, RUSTIFY_EREQUEST);
	CHECK_CONTAINS(err.msg, part);
	if (has_id != (req.id != NULL))
		test_fail(__FILE__, __LINE__, "%s: req.id %s", s,
			  req.id ? "set" : "not set");
	CHECK(req.method == NULL);
	json_decref(m);
	err_release(&err);
}

TEST(jsonrpc_check_invalid)
{
	jr_expect_bad("[]", "must be a JSON object", false);
	jr_expect_bad("\"x\"", "must be a JSON object", false);
	jr_expect_bad("{\"id\":1,\"method\":\"x\"}", "\"jsonrpc\" is required",
		      true);
	jr_expect_bad("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"x\"}",
		      "\"jsonrpc\" must be \"2.0\"", true);
	jr_expect_bad("{\"jsonrpc\":2.0,\"id\":\"a\",\"method\":\"x\"}",
		      "\"jsonrpc\" must be \"2.0\"", true);
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":1}",
		      "\"method\" is required", true);
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":5}",
		      "\"method\" must be a string", true);
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\","
		      "\"params\":\"a\"}",
		      "\"params\" must be an object or an array", true);
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\","
		      "\"params\":3}",
		      "\"params\"", true);
	/* Bad ids are never carried into the reply. */
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}",
		      "\"id\" must be a string, an integer or null", false);
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"x\"}",
		      "\"id\"", false);
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"x\"}",
		      "\"id\"", false);
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"x\"}",
		      "\"id\"", false);
	jr_expect_bad("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"x\"}",
		      "\"id\"", false);
}

TEST(jsonrpc_batch)
{
	struct err err = ERR_INIT;
	struct jsonrpc_request req;
	json_t *batch =
	    jr_load("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"note\"},"
		    "1,"
		    "{\"jsonrpc\":\"2.0\",\"id\":\"z\",\"method\":[]}]");
	json_t *item;
	size_t i;
	int codes[4], has_id[4];

	CHECK(json_is_array(batch));
	json_array_foreach(batch, i, item) {
		codes[i] = jsonrpc_request_check(item, &req, &err);
		has_id[i] = req.id != NULL;
		err_release(&err);
	}
	CHECK_INT(i, 4);
	CHECK_INT(codes[0], 0);
	CHECK_INT(has_id[0], 1);
	CHECK_INT(codes[1], 0);
	CHECK_INT(has_id[1], 0);
	CHECK_INT(codes[2], RUSTIFY_EREQUEST);
	CHECK_INT(has_id[2], 0);
	CHECK_INT(codes[3], RUSTIFY_EREQUEST);
	CHECK_INT(has_id[3], 1);
	json_decref(batch);
}

TEST(jsonrpc_builders)
{
	json_t *m, *id;
	char *s;

	m = jsonrpc_request_new(3, "job/submit",
				json_pack("{s:s}", "file", "a"));
	s = jr_dump(m);
	CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"job/submit\","
		     "\"params\":{\"file\":\"a\"}}");
	free(s);
	json_decref(m);

	m = jsonrpc_request_new(4, "ping", NULL);
	s = jr_dump(m);
	CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}");
	free(s);
	json_decref(m);

	m = jsonrpc_notification_new("job/progress",
				     json_pack("{s:i}", "pct", 5));
	s = jr_dump(m);
	CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"method\":\"job/progress\","
		     "\"params\":{\"pct\":5}}");
	free(s);
	json_decref(m);

	id = json_string("req-1");
	m = jsonrpc_result_new(id, json_pack("{s:b}", "ok", 1));
	s = jr_dump(m);
	CHECK_STR(
	    s,
	    "{\"jsonrpc\":\"2.0\",\"id\":\"req-1\",\"result\":{\"ok\":true}}");
	free(s);
	json_decref(m);
	/* id was borrowed: still ours. */
	CHECK_INT(id->refcount, 1);

	m = jsonrpc_error_new(id, RPC_METHOD_NOT_FOUND, "unknown method: x",
			      NULL);
	s = jr_dump(m);
	CHECK_STR(
	    s,
	    "{\"jsonrpc\":\"2.0\",\"id\":\"req-1\",\"error\":{\"code\":-32601,"
	    "\"message\":\"unknown method: x\"}}");
	free(s);
	json_decref(m);
	json_decref(id);

	m = jsonrpc_error_new(NULL, RPC_PARSE_ERROR, "bad",
			      json_pack("{s:i}", "line", 2));
	s = jr_dump(m);
	CHECK_STR(s,
		  "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
		  "\"message\":\"bad\",\"data\":{\"line\":2}}}");
	free(s);
	json_decref(m);

	/* Invalid UTF-8 in a message (quoted outside bytes) is masked. */
	m = jsonrpc_error_new(NULL, RPC_PARSE_ERROR, "near '\xc3'", NULL);
	CHECK_STR(json_string_value(
		      json_object_get(json_object_get(m, "error"), "message")),
		  "near '?'");
	json_decref(m);

	m = jsonrpc_result_new(NULL, NULL);
	s = jr_dump(m);
	CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":null}");
	free(s);
	json_decref(m);
}

TEST(jsonrpc_error_from_err_maps_codes)
{
	struct err err = ERR_INIT;
	json_t *id = json_integer(9), *m;
	char *s;

	err_set(&err, RUSTIFY_ENOJOB, "unknown job 12");
	m = jsonrpc_error_from_err(id, &err);
	s = jr_dump(m);
	CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":-32001,"
		     "\"message\":\"unknown job 12\","
		     "\"data\":{\"name\":\"RUSTIFY_ENOJOB\"}}}");
	free(s);
	json_decref(m);
	err_release(&err);

	/* No message: the code's default message. */
	err.code = RUSTIFY_EPARAM;
	m = jsonrpc_error_from_err(NULL, &err);
	CHECK_INT(json_integer_value(
		      json_object_get(json_object_get(m, "error"), "code")),
		  RPC_INVALID_PARAMS);
	CHECK_STR(json_string_value(
		      json_object_get(json_object_get(m, "error"), "message")),
		  "invalid params");
	json_decref(m);

	/* A struct err without an error still yields a valid error reply. */
	err.code = 0;
	m = jsonrpc_error_from_err(NULL, &err);
	CHECK_INT(json_integer_value(
		      json_object_get(json_object_get(m, "error"), "code")),
		  RPC_INTERNAL_ERROR);
	json_decref(m);
	json_decref(id);
}

TEST(jsonrpc_write_frames)
{
	struct buf out = BUF_INIT;
	struct frame_decoder d;
	struct err err = ERR_INIT;
	const char *body;
	size_t len;
	json_t *m = jsonrpc_result_new(
	    NULL, json_pack("{s:s,s:f}", "s", "caf\xc3\xa9 \"q\"\n", "x", 0.5));
	json_t *back;

	CHECK_INT(jsonrpc_write(&out, m), 0);
	CHECK_STR(out.data, "Content-Length: 66\r\n\r\n"
			    "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":"
			    "{\"s\":\"caf\xc3\xa9 \\\"q\\\"\\n\",\"x\":0.5}}");
	/* Round trip through the decoder. */
	frame_decoder_init(&d, 1000);
	frame_decoder_feed(&d, out.data, out.len);
	CHECK_INT(frame_decoder_next(&d, &body, &len, &err), 1);
	back = jsonrpc_parse(body, len, &err);
	CHECK(back && json_equal(back, m));
	json_decref(back);
	json_decref(m);
	frame_decoder_release(&d);
	CHECK_INT(jsonrpc_write(&out, NULL), RUSTIFY_EINTERNAL);
	buf_release(&out);
}

/* Expects a params getter's error message exactly. */
#define CHECK_PARAM_ERR(call, want)                                            \
	do {                                                                   \
		struct err e_ = ERR_INIT;                                      \
		int r_ = (call);                                               \
		CHECK_INT(r_, RUSTIFY_EPARAM);                                 \
		CHECK_INT(e_.code, RUSTIFY_EPARAM);                            \
		CHECK_STR(e_.msg, want);                                       \
		err_release(&e_);                                              \
	} while (0)

#define CHECK_PARAM_OK(call)                                                   \
	do {                                                                   \
		struct err e_ = ERR_INIT;                                      \
		CHECK_INT((call), 0);                                          \
		CHECK_INT(e_.code, 0);                                         \
	} while (0)

TEST(params_keys)
{
	static const char *const allowed[] = {"file", "threshold", NULL};
	json_t *p = jr_load("{\"file\":\"a\",\"threshold\":1}");
	json_t *q = jr_load("{\"file\":\"a\",\"thresold\":1}");
	json_t *arr = jr_load("[1]");

	CHECK_PARAM_OK(params_check_keys(p, allowed, &e_));
	CHECK_PARAM_OK(params_check_keys(NULL, allowed, &e_));
	CHECK_PARAM_ERR(params_check_keys(q, allowed, &e_),
			"params.thresold: unknown parameter");
	CHECK_PARAM_ERR(params_check_keys(arr, allowed, &e_),
			"params: expected an object");
	json_decref(p);
	json_decref(q);
	json_decref(arr);
}

TEST(params_string)
{
	json_t *p = jr_load("{\"file\":\"a.py\",\"n\":1,\"z\":null}");
	const char *s = "default";

	CHECK_PARAM_OK(params_get_string(p, "file", true, &s, &e_));
	CHECK_STR(s, "a.py");
	s = "default";
	CHECK_PARAM_OK(params_get_string(p, "missing", false, &s, &e_));
	CHECK_STR(s, "default");
	/* null for an optional key counts as absent. */
	CHECK_PARAM_OK(params_get_string(p, "z", false, &s, &e_));
	CHECK_STR(s, "default");
	CHECK_PARAM_OK(params_get_string(NULL, "file", false, &s, &e_));
	CHECK_STR(s, "default");
	CHECK_PARAM_ERR(params_get_string(p, "z", true, &s, &e_),
			"params.z: required");
	CHECK_PARAM_ERR(params_get_string(p, "missing", true, &s, &e_),
			"params.missing: required");
	CHECK_PARAM_ERR(params_get_string(NULL, "file", true, &s, &e_),
			"params.file: required");
	CHECK_PARAM_ERR(params_get_string(p, "n", false, &s, &e_),
			"params.n: expected a string");
	CHECK_STR(s, "default");
	json_decref(p);
}

TEST(params_int)
{
	json_t *p = jr_load("{\"n\":5,\"big\":9223372036854775807,\"r\":5.0,"
			    "\"b\":true,\"s\":\"5\",\"neg\":-3}");
	json_int_t v = 42;

	CHECK_PARAM_OK(params_get_int(p, "n", true, 0, 10, &v, &e_));
	CHECK_INT(v, 5);
	CHECK_PARAM_OK(params_get_int(p, "big", true, 0, INT64_MAX, &v, &e_));
	CHECK(v == INT64_MAX);
	v = 42;
	CHECK_PARAM_OK(params_get_int(p, "absent", false, 0, 10, &v, &e_));
	CHECK_INT(v, 42);
	CHECK_PARAM_ERR(params_get_int(p, "r", true, 0, 10, &v, &e_),
			"params.r: expected an integer");
	CHECK_PARAM_ERR(params_get_int(p, "b", true, 0, 10, &v, &e_),
			"params.b: expected an integer");
	CHECK_PARAM_ERR(params_get_int(p, "s", true, 0, 10, &v, &e_),
			"params.s: expected an integer");
	CHECK_PARAM_ERR(params_get_int(p, "n", true, 6, 10, &v, &e_),
			"params.n: must be between 6 and 10");
	CHECK_PARAM_ERR(params_get_int(p, "neg", true, 0, 100, &v, &e_),
			"params.neg: must be between 0 and 100");
	CHECK_PARAM_ERR(params_get_int(p, "absent", true, 0, 10, &v, &e_),
			"params.absent: required");
	CHECK_INT(v, 42);
	json_decref(p);
}

TEST(params_number)
{
	json_t *p = jr_load("{\"t\":0.25,\"i\":2,\"b\":false,\"hi\":1.5}");
	double v = -1;

	CHECK_PARAM_OK(params_get_number(p, "t", true, 0, 1, &v, &e_));
	CHECK(v == 0.25);
	CHECK_PARAM_OK(params_get_number(p, "i", true, 0, 10, &v, &e_));
	CHECK(v == 2.0);
	v = -1;
	CHECK_PARAM_OK(params_get_number(p, "absent", false, 0, 1, &v, &e_));
	CHECK(v == -1);
	CHECK_PARAM_ERR(params_get_number(p, "b", true, 0, 1, &v, &e_),
			"params.b: expected a number");
	CHECK_PARAM_ERR(params_get_number(p, "hi", true, 0, 1, &v, &e_),
			"params.hi: must be between 0 and 1");
	CHECK_PARAM_ERR(params_get_number(p, "i", true, 0.5, 1.5, &v, &e_),
			"params.i: must be between 0.5 and 1.5");
	CHECK(v == -1);
	json_decref(p);
}

TEST(params_bool)
{
	json_t *p = jr_load("{\"t\":true,\"f\":false,\"i\":1}");
	bool v = false;

	CHECK_PARAM_OK(params_get_bool(p, "t", true, &v, &e_));
	CHECK(v);
	CHECK_PARAM_OK(params_get_bool(p, "f", true, &v, &e_));
	CHECK(!v);
	v = true;
	CHECK_PARAM_OK(params_get_bool(p, "absent", false, &v, &e_));
	CHECK(v);
	CHECK_PARAM_ERR(params_get_bool(p, "i", true, &v, &e_),
			"params.i: expected a boolean");
	CHECK_PARAM_ERR(params_get_bool(p, "absent", true, &v, &e_),
			"params.absent: required");
	json_decref(p);
}

TEST(params_string_list)
{
	json_t *p =
	    jr_load("{\"functions\":[\"a\",\"b\",3],\"ok\":[\"x\",\"y\"],"
		    "\"empty\":[],\"s\":\"a\"}");
	json_t *v = (json_t *)1;

	CHECK_PARAM_OK(params_get_string_list(p, "ok", true, &v, &e_));
	CHECK(json_is_array(v) && json_array_size(v) == 2);
	CHECK_PARAM_OK(params_get_string_list(p, "empty", true, &v, &e_));
	CHECK(json_is_array(v) && json_array_size(v) == 0);
	CHECK_PARAM_OK(params_get_string_list(p, "absent", false, &v, &e_));
	CHECK(v == NULL);
	CHECK_PARAM_ERR(params_get_string_list(p, "functions", true, &v, &e_),
			"params.functions[2]: expected a string");
	CHECK_PARAM_ERR(params_get_string_list(p, "s", true, &v, &e_),
			"params.s: expected an array of strings");
	CHECK_PARAM_ERR(params_get_string_list(p, "absent", true, &v, &e_),
			"params.absent: required");
	json_decref(p);
}

TEST(params_object)
{
	json_t *p = jr_load("{\"o\":{\"a\":1},\"a\":[]}");
	json_t *v = NULL;

	CHECK_PARAM_OK(params_get_object(p, "o", true, &v, &e_));
	CHECK(json_is_object(v));
	v = NULL;
	CHECK_PARAM_OK(params_get_object(p, "absent", false, &v, &e_));
	CHECK(v == NULL);
	CHECK_PARAM_ERR(params_get_object(p, "a", true, &v, &e_),
			"params.a: expected an object");
	CHECK_PARAM_ERR(params_get_object(p, "absent", true, &v, &e_),
			"params.absent: required");
	json_decref(p);
}

TEST(params_non_object)
{
	json_t *arr = jr_load("[\"a.py\"]");
	const char *s = NULL;

	CHECK_PARAM_ERR(params_get_string(arr, "file", false, &s, &e_),
			"params: expected an object");
	CHECK(s == NULL);
	json_decref(arr);
}

/* One list of codes (rustify/error.h): a client maps every JSON-RPC
 * code the daemon sends back to a code that the daemon maps to it. */
TEST(rpc_codes_round_trip_through_one_list)
{
	for (int code = 0; code >= RUSTIFY_EEXIST; code--) {
		int rpc = rustify_rpc_code(code);
		if (!code)
			continue;
		CHECK_INT(rustify_rpc_code(rustify_code_from_rpc(rpc)), rpc);
	}
	CHECK_INT(rustify_code_from_rpc(RPC_BAD_SOURCE), RUSTIFY_ESOURCE);
	CHECK_INT(rustify_code_from_rpc(RPC_BUSY), RUSTIFY_EBUSY);
	CHECK_INT(rustify_code_from_rpc(-31999), RUSTIFY_EINTERNAL);
}
