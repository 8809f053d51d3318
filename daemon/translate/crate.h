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
	/* selected functions in report order; NULL for names not found */
	struct ir_fn **fns;
	size_t nfns;
};

int crate_write(struct crate_spec *cs, const struct buf *lib_rs,
		struct err *err);
/* "(list[float], list[float]) -> float" */
void crate_signature(struct buf *b, const struct ir_fn *fn);

#endif
