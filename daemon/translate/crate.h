/*
 * crate.h - writing the generated crate and Python package (crate.c).
 */
#ifndef RUSTIFY_TRANSLATE_CRATE_H
#define RUSTIFY_TRANSLATE_CRATE_H

#include <stddef.h>

#include "rustify/buf.h"
#include "rustify/error.h"

struct ir_fn;

struct crate_spec {
	const char *out_dir;
	const char *module;
	const char *source_name;
	const char *pyo3_version;
	const char *src;
	size_t srclen;
	/* the typed tier's selected functions (for the .pyi stub) */
	struct ir_fn **fns;
	size_t nfns;
	/* every requested qualname: its tier ("typed", "object") or NULL
	 * and the reason it stays in Python */
	struct crate_item {
		const char *qualname;
		const char *tier;
		const char *reason;
	} *items;
	size_t nitems;
};

int crate_write(struct crate_spec *cs, const struct buf *lib_rs,
		struct err *err);
/* Rewrites DIR/<module>/_disabled.py: the functions the shim keeps in
 * Python ({qualname: why}), e.g. those that failed verification. */
struct json_t;
int crate_write_disabled(const char *pkg_dir, struct json_t *disabled,
			 struct err *err);
/* "(list[float], list[float]) -> float" */
void crate_signature(struct buf *b, const struct ir_fn *fn);

/* The __init__.py of a package with nothing accelerated (deliver.c): the
 * source's names lent from its copy _original, as the shim does. */
void crate_python_only_init(struct buf *b);

#endif
