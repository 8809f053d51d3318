/*
 * test_build.c - the build stage's error report: the first rustc error of
 * a maturin log, mapped back to the Python line through the emitter's
 * "// line N" comments.
 */
#include <stdlib.h>

#include "../../daemon/build.h"
#include "test.h"

static const char lib_rs[] = "use pyo3::prelude::*;\n"	/* 1 */
			     "fn f(x: f64) -> f64 {\n"	/* 2 */
			     "    // line 3\n"		/* 3 */
			     "    let y = x * 2.0;\n"	/* 4 */
			     "    // line 4\n"		/* 5 */
			     "    y + undefined_name\n" /* 6 */
			     "}\n";			/* 7 */

TEST(build_first_error_maps_to_python_line)
{
	const char *log =
	    "   Compiling pyo3 v0.30.1\n"
	    "warning: unused variable: `z`\n"
	    "error[E0425]: cannot find value `undefined_name` in this scope\n"
	    " --> src/lib.rs:6:9\n"
	    "  |\n"
	    "error: could not compile `m_rs` (lib) due to 1 previous error\n";
	char *e = build_first_error(log, lib_rs);

	CHECK(e != NULL);
	CHECK(strstr(e, "error[E0425]: cannot find value") == e);
	CHECK(strstr(e, "generated src/lib.rs:6") != NULL);
	CHECK(strstr(e, "Python line 4") != NULL);
	free(e);
}

TEST(build_first_error_without_location_or_error)
{
	char *e = build_first_error("error: linker `cc` not found\n", NULL);

	CHECK_STR(e, "error: linker `cc` not found");
	free(e);
	CHECK(build_first_error("   Compiling x\nFinished\n", lib_rs) == NULL);
}
