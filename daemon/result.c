/*
 * result.c - a function's result entry (see result.h): its lifecycle,
 * the rule of what is accelerated, and its JSON, written here only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "rustify/buf.h"

void result_fn_init(struct fn_result *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name ? name : "");
	f->speedup = NAN;
	f->speedup_low = NAN;
	f->speedup_high = NAN;
	f->time_original_ns = -1;
	f->time_accelerated_ns = -1;
	f->captured_calls = -1;
}

void result_fn_release(struct fn_result *f)
{
	free(f->name);
	free(f->signature);
	free(f->pulled_in_by);
	free(f->reason);
	free(f->tier);
	free(f->typed_reason);
	free(f->verified_within);
	free(f->tentative_reason);
	json_decref(f->timed_signatures);
	json_decref(f->verify_failure);
	memset(f, 0, sizeof(*f));
}

bool result_fn_is_accelerated(const struct fn_result *f)
{
	return f->is_translated && f->is_verified && !f->is_disabled;
}

void result_fn_set(char **field, const char *s)
{
	char *copy = s ? xstrdup(s) : NULL;

	free(*field);
	*field = copy;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *ns_or_null(json_int_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

json_t *result_fn_to_json(const struct fn_result *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(f->name));
	json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "time_share", json_real(f->time_share));
	json_object_set_new(o, "self_share", json_real(f->self_share));
	json_object_set_new(o, "calls", json_integer(f->calls));
	json_object_set_new(o, "signature", str_or_null(f->signature));
	json_object_set_new(o, "selected", json_boolean(f->is_selected));
	if (f->pulled_in_by)
		json_object_set_new(o, "pulled_in_by",
				    json_string(f->pulled_in_by));
	json_object_set_new(o, "reason", str_or_null(f->reason));
	json_object_set_new(o, "translated", json_boolean(f->is_translated));
	json_object_set_new(o, "tier", str_or_null(f->tier));
	json_object_set_new(o, "typed_reason", str_or_null(f->typed_reason));
	json_object_set_new(o, "verified", json_boolean(f->is_verified));
	if (f->verified_within)
		json_object_set_new(o, "verified_within",
				    json_string(f->verified_within));
	json_object_set_new(o, "checked_inputs",
			    json_integer(f->checked_inputs));
	if (f->captured_calls >= 0)
		json_object_set_new(o, "captured_calls",
				    json_integer(f->captured_calls));
	json_object_set_new(o, "speedup", num_or_null(f->speedup));
	if (f->has_timing) {
		json_object_set_new(
		    o, "speedup_range",
		    isfinite(f->speedup_low) && isfinite(f->speedup_high)
			? json_pack("[f, f]", f->speedup_low, f->speedup_high)
			: json_null());
		json_object_set_new(o, "timed_inputs",
				    json_integer(f->timed_inputs));
		json_object_set_new(o, "timed_signatures",
				    f->timed_signatures
					? json_incref(f->timed_signatures)
					: json_array());
		json_object_set_new(o, "time_original_ns",
				    ns_or_null(f->time_original_ns));
		json_object_set_new(o, "time_accelerated_ns",
				    ns_or_null(f->time_accelerated_ns));
	}
	if (f->is_disabled)
		json_object_set_new(o, "enabled", json_false());
	if (f->verify_failure)
		json_object_set(o, "verify_failure", f->verify_failure);
	json_object_set_new(o, "native_calls", json_integer(f->native_calls));
	json_object_set_new(o, "fallback_calls",
			    json_integer(f->fallback_calls));
	return o;
}

static double num_of(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

void result_fn_take_timing(struct fn_result *f, json_t *e)
{
	json_t *range = json_object_get(e, "speedup_range"), *v;

	f->speedup = num_of(json_object_get(e, "speedup"));
	f->speedup_low = num_of(json_array_get(range, 0));
	f->speedup_high = num_of(json_array_get(range, 1));
	f->timed_inputs =
	    json_integer_value(json_object_get(e, "timed_inputs"));
	json_decref(f->timed_signatures);
	f->timed_signatures =
	    json_incref(json_object_get(e, "timed_signatures"));
	v = json_object_get(e, "time_original_ns");
	f->time_original_ns = json_is_integer(v) ? json_integer_value(v) : -1;
	v = json_object_get(e, "time_accelerated_ns");
	f->time_accelerated_ns =
	    json_is_integer(v) ? json_integer_value(v) : -1;
}

void result_fn_take_outcome(struct fn_result *f, json_t *e)
{

	f->is_translated = json_is_true(json_object_get(e, "translated"));
	f->is_verified = json_is_true(json_object_get(e, "verified"));
	f->is_disabled = json_is_false(json_object_get(e, "enabled"));
	result_fn_set(&f->reason,
		      json_string_value(json_object_get(e, "reason")));
	result_fn_set(&f->tier, json_string_value(json_object_get(e, "tier")));
	result_fn_set(&f->typed_reason,
		      json_string_value(json_object_get(e, "typed_reason")));
	result_fn_set(&f->verified_within,
		      json_string_value(json_object_get(e, "verified_within")));
	if (json_is_string(json_object_get(e, "signature")))
		result_fn_set(&f->signature, json_string_value(json_object_get(
						 e, "signature")));
	f->checked_inputs =
	    json_integer_value(json_object_get(e, "checked_inputs"));
	f->captured_calls =
	    json_is_integer(json_object_get(e, "captured_calls"))
		? json_integer_value(json_object_get(e, "captured_calls"))
		: -1;
	f->has_timing = json_object_get(e, "timed_inputs") != NULL;
	result_fn_take_timing(f, e);
	json_decref(f->verify_failure);
	f->verify_failure = json_incref(json_object_get(e, "verify_failure"));
	f->native_calls =
	    json_integer_value(json_object_get(e, "native_calls"));
	f->fallback_calls =
	    json_integer_value(json_object_get(e, "fallback_calls"));
}
