/*
 * jsonrpc.c - JSON-RPC 2.0 helpers over jansson: parsing a message body,
 * checking one request object, building requests, notifications and
 * replies, writing a framed message, and reading typed params.
 *
 * Decisions made here:
 *   - jsonrpc_parse() returns whatever JSON value the body holds (object,
 *     array, scalar); the dispatcher decides what a batch or an invalid
 *     request is. Duplicate object keys are a parse error (they would make
 *     {"method":"a","method":"b"} ambiguous), and so is "\u0000" in a
 *     string (strings are handed to C code as NUL-terminated).
 *   - jsonrpc_request_check(): "id" may be a string, an integer or null. A
 *     null id is a request (it gets a reply with "id": null); only an
 *     absent id makes a notification. Real-valued ids are rejected, as are
 *     booleans, arrays and objects. "params": null is treated like an absent
 *     "params" (some clients send it for parameterless methods). Members
 *     the specification does not define are ignored.
 *   - Params helpers: a JSON null for a key counts as absent, so an
 *     optional key set to null keeps the caller's default and a required
 *     key set to null is reported as "required".
 *   - jsonrpc_error_from_err() adds "data": {"name": "RUSTIFY_E..."} so a
 *     client can tell apart errors that share a JSON-RPC code.
 *
 * Nothing here does I/O: jsonrpc_write() appends a framed message to a
 * struct buf.
 */
#include <stdlib.h>
#include <string.h>

#include "rustify/proto.h"

json_t *jsonrpc_parse(const char *body, size_t len, struct err *err)
{
	json_error_t jerr;
	json_t *msg;

	msg = json_loadb(body ? body : "", body ? len : 0,
			 JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!msg && err)
		err_set(err, RUSTIFY_EPARSE,
			"parse error: invalid JSON at line %d, column %d: %s",
			jerr.line, jerr.column, jerr.text);
	return msg;
}

/* Is v a valid request id: a string, an integer or null? */
static bool jsonrpc_is_valid_id(json_t *v)
{
	return json_is_string(v) || json_is_integer(v) || json_is_null(v);
}

int jsonrpc_request_check(json_t *msg, struct jsonrpc_request *req,
			  struct err *err)
{
	json_t *version, *method, *params, *id;
	int ret = 0;

	req->method = NULL;
	req->params = NULL;
	req->id = NULL;
	if (!json_is_object(msg)) {
		ret =
		    err_set(err, RUSTIFY_EREQUEST,
			    "invalid request: a request must be a JSON object");
		goto out;
	}
	id = json_object_get(msg, "id");
	if (id && !jsonrpc_is_valid_id(id)) {
		ret = err_set(err, RUSTIFY_EREQUEST,
			      "invalid request: \"id\" must be a string, an "
			      "integer or null");
		goto out;
	}
	req->id = id;
	version = json_object_get(msg, "jsonrpc");
	if (!version) {
		ret = err_set(err, RUSTIFY_EREQUEST,
			      "invalid request: \"jsonrpc\" is required and "
			      "must be \"2.0\"");
		goto out;
	}
	if (!json_is_string(version) ||
	    strcmp(json_string_value(version), "2.0") != 0) {
		ret = err_set(err, RUSTIFY_EREQUEST,
			      "invalid request: \"jsonrpc\" must be \"2.0\"");
		goto out;
	}
	method = json_object_get(msg, "method");
	if (!method) {
		ret = err_set(err, RUSTIFY_EREQUEST,
			      "invalid request: \"method\" is required");
		goto out;
	}
	if (!json_is_string(method)) {
		ret = err_set(err, RUSTIFY_EREQUEST,
			      "invalid request: \"method\" must be a string");
		goto out;
	}
	params = json_object_get(msg, "params");
	if (params && !json_is_null(params) && !json_is_object(params) &&
	    !json_is_array(params)) {
		ret = err_set(err, RUSTIFY_EREQUEST,
			      "invalid request: \"params\" must be an object "
			      "or an array");
		goto out;
	}
	req->method = json_string_value(method);
	req->params = json_is_null(params) ? NULL : params;
out:
	return ret;
}

/* {"jsonrpc": "2.0"}, the start of every message. */
static json_t *jsonrpc_message_new(void)
{
	json_t *msg = json_object();

	if (!msg)
		abort();
	json_object_set_new(msg, "jsonrpc", json_string("2.0"));
	return msg;
}

/* Sets msg[key] to a new reference to v, or to null when v is NULL. */
static void jsonrpc_set_or_null(json_t *msg, const char *key, json_t *v)
{
	json_object_set(msg, key, v ? v : json_null());
}

json_t *jsonrpc_request_new(json_int_t id, const char *method, json_t *params)
{
	json_t *msg = jsonrpc_message_new();

	json_object_set_new(msg, "id", json_integer(id));
	json_object_set_new(msg, "method", json_string(method));
	if (params)
		json_object_set_new(msg, "params", params);
	return msg;
}

json_t *jsonrpc_notification_new(const char *method, json_t *params)
{
	json_t *msg = jsonrpc_message_new();

	json_object_set_new(msg, "method", json_string(method));
	if (params)
		json_object_set_new(msg, "params", params);
	return msg;
}

json_t *jsonrpc_result_new(json_t *id, json_t *result)
{
	json_t *msg = jsonrpc_message_new();

	jsonrpc_set_or_null(msg, "id", id);
	if (result)
		json_object_set_new(msg, "result", result);
	else
		json_object_set_new(msg, "result", json_null());
	return msg;
}

/*
 * A JSON string of s with every non-ASCII byte replaced by '?'. Error
 * messages may quote outside bytes (jansson quotes the offending token)
 * that are not valid UTF-8, which json_string() refuses; the error must
 * still reach the peer.
 */
static json_t *jsonrpc_string_ascii(const char *s)
{
	char *copy = xstrdup(s);
	json_t *v;

	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

json_t *jsonrpc_error_new(json_t *id, int rpc_code, const char *message,
			  json_t *data)
{
	json_t *msg = jsonrpc_message_new();
	json_t *error = json_object();
	json_t *text;

	if (!error)
		abort();
	jsonrpc_set_or_null(msg, "id", id);
	json_object_set_new(error, "code", json_integer(rpc_code));
	text = json_string(message ? message : "");
	if (!text)
		text = jsonrpc_string_ascii(message);
	json_object_set_new(error, "message", text);
	if (data)
		json_object_set_new(error, "data", data);
	json_object_set_new(msg, "error", error);
	return msg;
}

json_t *jsonrpc_error_from_err(json_t *id, const struct err *err)
{
	int code = err && err->code < 0 ? err->code : RUSTIFY_EINTERNAL;
	const char *message =
	    err && err->code < 0 ? err_msg(err) : rustify_strerror(code);
	json_t *data = json_object();

	if (!data)
		abort();
	json_object_set_new(data, "name", json_string(rustify_errname(code)));
	return jsonrpc_error_new(id, rustify_rpc_code(code), message, data);
}

int jsonrpc_write(struct buf *out, json_t *msg)
{
	char *text = NULL;
	int ret = 0;

	if (!msg) {
		ret = RUSTIFY_EINTERNAL;
		goto out;
	}
	text = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text) {
		ret = RUSTIFY_EINTERNAL;
		goto out;
	}
	frame_encode(out, text, strlen(text));
out:
	free(text);
	return ret;
}

/* ---- params helpers ---------------------------------------------------- */

int params_check_keys(json_t *params, const char *const *allowed,
		      struct err *err)
{
	const char *key;
	json_t *value;
	int ret = 0;

	if (!params)
		goto out;
	if (!json_is_object(params)) {
		ret =
		    err_set(err, RUSTIFY_EPARAM, "params: expected an object");
		goto out;
	}
	json_object_foreach(params, key, value) {
		size_t i = 0;

		while (allowed && allowed[i] && strcmp(allowed[i], key) != 0)
			i++;
		if (!allowed || !allowed[i]) {
			ret = err_set(err, RUSTIFY_EPARAM,
				      "params.%s: unknown parameter", key);
			goto out;
		}
	}
out:
	return ret;
}

/*
 * Looks key up. *v is NULL when the key is absent or null (and that is
 * fine only when !required).
 */
static int params_lookup(json_t *params, const char *key, bool required,
			 json_t **v, struct err *err)
{
	int ret = 0;

	*v = NULL;
	if (params && !json_is_object(params)) {
		ret =
		    err_set(err, RUSTIFY_EPARAM, "params: expected an object");
		goto out;
	}
	if (params)
		*v = json_object_get(params, key);
	if (json_is_null(*v))
		*v = NULL;
	if (!*v && required)
		ret = err_set(err, RUSTIFY_EPARAM, "params.%s: required", key);
out:
	return ret;
}

int params_get_string(json_t *params, const char *key, bool required,
		      const char **out, struct err *err)
{
	json_t *v;
	int ret = params_lookup(params, key, required, &v, err);

	if (ret || !v)
		goto out;
	if (!json_is_string(v)) {
		ret = err_set(err, RUSTIFY_EPARAM,
			      "params.%s: expected a string", key);
		goto out;
	}
	*out = json_string_value(v);
out:
	return ret;
}

int params_get_int(json_t *params, const char *key, bool required,
		   json_int_t min, json_int_t max, json_int_t *out,
		   struct err *err)
{
	json_t *v;
	json_int_t n;
	int ret = params_lookup(params, key, required, &v, err);

	if (ret || !v)
		goto out;
	if (!json_is_integer(v)) {
		ret = err_set(err, RUSTIFY_EPARAM,
			      "params.%s: expected an integer", key);
		goto out;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		ret = err_set(err, RUSTIFY_EPARAM,
			      "params.%s: must be between %" JSON_INTEGER_FORMAT
			      " and %" JSON_INTEGER_FORMAT,
			      key, min, max);
		goto out;
	}
	*out = n;
out:
	return ret;
}

int params_get_number(json_t *params, const char *key, bool required,
		      double min, double max, double *out, struct err *err)
{
	json_t *v;
	double n;
	int ret = params_lookup(params, key, required, &v, err);

	if (ret || !v)
		goto out;
	if (!json_is_number(v)) {
		ret = err_set(err, RUSTIFY_EPARAM,
			      "params.%s: expected a number", key);
		goto out;
	}
	n = json_number_value(v);
	if (!(n >= min && n <= max)) {
		ret = err_set(err, RUSTIFY_EPARAM,
			      "params.%s: must be between %g and %g", key, min,
			      max);
		goto out;
	}
	*out = n;
out:
	return ret;
}

int params_get_bool(json_t *params, const char *key, bool required, bool *out,
		    struct err *err)
{
	json_t *v;
	int ret = params_lookup(params, key, required, &v, err);

	if (ret || !v)
		goto out;
	if (!json_is_boolean(v)) {
		ret = err_set(err, RUSTIFY_EPARAM,
			      "params.%s: expected a boolean", key);
		goto out;
	}
	*out = json_is_true(v);
out:
	return ret;
}

int params_get_string_list(json_t *params, const char *key, bool required,
			   json_t **out, struct err *err)
{
	json_t *v, *item;
	size_t i;
	int ret = params_lookup(params, key, required, &v, err);

	if (ret)
		goto out;
	if (!v) {
		*out = NULL;
		goto out;
	}
	if (!json_is_array(v)) {
		ret = err_set(err, RUSTIFY_EPARAM,
			      "params.%s: expected an array of strings", key);
		goto out;
	}
	json_array_foreach(v, i, item) {
		if (!json_is_string(item)) {
			ret = err_set(err, RUSTIFY_EPARAM,
				      "params.%s[%zu]: expected a string", key,
				      i);
			goto out;
		}
	}
	*out = v;
out:
	return ret;
}

int params_get_object(json_t *params, const char *key, bool required,
		      json_t **out, struct err *err)
{
	json_t *v;
	int ret = params_lookup(params, key, required, &v, err);

	if (ret || !v)
		goto out;
	if (!json_is_object(v)) {
		ret = err_set(err, RUSTIFY_EPARAM,
			      "params.%s: expected an object", key);
		goto out;
	}
	*out = v;
out:
	return ret;
}
