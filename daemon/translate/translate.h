/*
 * translate.h - the translator's one entry point: Python source in, a
 * PyO3 crate plus Python shim package out, and a report saying for every
 * selected function whether it was translated and, if not, why (with
 * line:column). Synchronous and thread-safe: called from a worker thread.
 */
#ifndef RUSTIFY_TRANSLATE_H
#define RUSTIFY_TRANSLATE_H

#include <stddef.h>

#include <jansson.h>

#include "rustify/error.h"

/*
 * request: {"module": "euclidean_rs", "source_name": "euclidean",
 *   "source_path": "/abs/euclidean.py" | null, "functions": ["euclidean"],
 *   "signatures": {"euclidean": {"args": {"a": "list[float]"},
 *                                "return": "float"}},
 *   "python_version": "3.11.7", "pyo3_version": "0.30.1",
 *   "exclude": {"name": "why it stays in Python"}}   (optional)
 * Writes out_dir/crate/{Cargo.toml, pyproject.toml, src/lib.rs,
 * python/<module>/...} and out_dir/<module>/{__init__.py, _original.py,
 * __init__.pyi}. *report (new reference) is
 * {"functions": [{"name", "line", "translated", "reason", "signature",
 *   "rust_name"}], "pyo3_version", "crate_dir", "package_dir"}.
 * Returns 0 or a negative RUSTIFY_E* code (bad request, I/O error).
 * A source that does not parse is not an error: its functions are
 * reported untranslated with reasons.
 */
int translate_module(const char *src, size_t len, json_t *request,
		     const char *out_dir, json_t **report, struct err *err);

struct buf;
struct ir_module;
/*
 * The passes in their one order, on a module the caller initialised
 * (ir_module_init, py_minor set): lower src, keep the functions named in
 * exclude ({"name": "why"}, may be NULL) in Python, take signatures
 * ({"name": {"args": {...}, "return": "..."}}, may be NULL) as evidence,
 * infer types, check them, and plan. Afterwards every function is either
 * is_ok (emit_fn prints it) or has a reason. translate_module, --dump-ir
 * and the unit tests all run this. -1 (errmsg set) only when the parser
 * cannot be set up.
 */
int translate_passes(struct ir_module *m, const char *src, size_t len,
		     json_t *signatures, json_t *exclude, struct buf *errmsg);

/* Debugging aid (tool-translate --dump-ir): the typed IR of every
 * function after translate_passes, with reasons for those that are not
 * translated. request as for translate_module (only python_version,
 * signatures and exclude are read; NULL: none). */
int translate_dump_ir(const char *src, size_t len, json_t *request,
		      struct buf *out);

#endif
