/*
 * result.h - one function's entry of a job's result (result.functions[],
 * PROTOCOL.md "The job result"): a struct the stages fill (select makes
 * it, translate, verify and measure add to it), serialized to JSON in one
 * place, with the one rule of what runs natively (result_fn_is_accelerated).
 */
#ifndef RUSTIFY_RESULT_H
#define RUSTIFY_RESULT_H

#include <stdbool.h>

#include <jansson.h>

struct fn_result {
	char *name; /* qualified name; several entries may share one (a
		     * property's getter and setter) */
	json_int_t line;
	double time_share; /* with what becomes native with it */
	double self_share; /* its own frames alone */
	json_int_t calls;
	char *signature;
	bool is_selected;
	char *pulled_in_by; /* selected as a callee of that function */
	char *reason;	    /* why it is not selected/translated/native */
	bool is_translated;
	char *tier;	    /* "typed", "object", or NULL */
	char *typed_reason; /* why not typed, for the object tier */
	bool is_verified;
	char *verified_within; /* a nested def checked with its enclosing */
	json_int_t checked_inputs;
	/* calls verify captured itself (every profiled call was over the
	 * sample budget); -1: it did not try */
	json_int_t captured_calls;
	bool has_timing; /* verify timed it: the fields below are set */
	double speedup;	 /* NAN: not measured */
	double speedup_low, speedup_high; /* NAN: no interval */
	json_int_t timed_inputs;
	json_t *timed_signatures;
	json_int_t time_original_ns, time_accelerated_ns; /* -1: none */
	bool is_disabled;     /* verified but kept in Python ("enabled":
			       * false): not faster, or the whole-workload
			       * check */
	/* verified, but its own timing could not tell it from Python's
	 * (a small method, where the call is most of the cost): native
	 * while the whole-workload check decides, then kept or turned off
	 * with tentative_reason (not serialized) */
	bool is_tentative;
	char *tentative_reason;
	json_t *verify_failure; /* the first difference, or NULL */
	json_int_t native_calls, fallback_calls;
	/* the profile's captured calls (not serialized): samples kept, and
	 * calls whose arguments were too big or could not be pickled */
	json_int_t samples, oversized, unpicklable;
};

void result_fn_init(struct fn_result *f, const char *name);
void result_fn_release(struct fn_result *f);
/* Translated, verified and not turned off: what the shim runs natively. */
bool result_fn_is_accelerated(const struct fn_result *f);
/* Sets *field to a copy of s (NULL allowed), freeing the old value. */
void result_fn_set(char **field, const char *s);
/* speedup, speedup_range, timed_inputs, timed_signatures and the two
 * times from e (a verify.json entry or a stored result entry). */
void result_fn_take_timing(struct fn_result *f, json_t *e);
/* Its JSON entry (new reference). */
json_t *result_fn_to_json(const struct fn_result *f);
/* What a delivery decided (translate, verify, measure) from an entry
 * result_fn_to_json made: a whole-job cache hit's. */
void result_fn_take_outcome(struct fn_result *f, json_t *entry);

#endif
