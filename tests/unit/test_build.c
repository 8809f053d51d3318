/*
 * test_build.c - the build stage's error report: the first rustc error of
 * a maturin log, mapped back to the Python line through the emitter's
 * "// line N" comments.
 */
#include <stdlib.h>

#include "../../daemon/build.h"
#include <jansson.h>

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

TEST(build_error_function_finds_the_function)
{
	const char *lib = "pub mod rt {\n"			     /* 1 */
			  "}\n"					     /* 2 */
			  "// line 3: def first\n"		     /* 3 */
			  "fn first(x: i64) -> rt::R<i64> {\n"	     /* 4 */
			  "    Ok(x)\n"				     /* 5 */
			  "}\n"					     /* 6 */
			  "// line 9: def second_fn\n"		     /* 7 */
			  "fn second_fn(x: i64) -> rt::R<i64> {\n"   /* 8 */
			  "    compile_error!(\"x\");\n"	     /* 9 */
			  "}\n"					     /* 10 */
			  "#[pyfunction]\n"			     /* 11 */
			  "#[pyo3(name = \"first\", pass_module)]\n" /* 12 */
			  "fn py_0(m: &Bound<'_, PyModule>) {\n"     /* 13 */
			  "    bad\n"				     /* 14 */
			  "}\n";				     /* 15 */
	char *f;

	f = build_error_function("   Compiling m\n"
				 "warning: unused\n --> src/lib.rs:5:1\n"
				 "error: x\n --> src/lib.rs:9:5\n",
				 lib);
	CHECK_STR(f, "second_fn");
	free(f);
	f = build_error_function("error[E0425]: cannot find value `bad`\n"
				 "  --> src/lib.rs:14:5\n",
				 lib);
	CHECK_STR(f, "first");
	free(f);
	/* before any function, no location, no error, no lib.rs */
	CHECK(build_error_function("error: x\n --> src/lib.rs:1:1\n", lib) ==
	      NULL);
	CHECK(build_error_function("error: linker `cc` not found\n", lib) ==
	      NULL);
	CHECK(build_error_function("warning: w\n --> src/lib.rs:5:1\n", lib) ==
	      NULL);
	CHECK(build_error_function("error: x\n --> src/lib.rs:9:5\n", NULL) ==
	      NULL);
}

TEST(build_error_functions_finds_every_function)
{
	const char *lib = "pub mod rt {\n"			   /* 1 */
			  "}\n"					   /* 2 */
			  "// line 3: def first\n"		   /* 3 */
			  "fn first() {\n"			   /* 4 */
			  "    bad_one\n"				   /* 5 */
			  "}\n"					   /* 6 */
			  "// line 9: def Cls.method\n"		   /* 7 */
			  "unsafe fn of_3() {\n"		   /* 8 */
			  "    bad_two; bad_three\n"		   /* 9 */
			  "}\n";				   /* 10 */
	json_t *out = json_object();
	const char *k;
	json_t *v;
	int n = 0;

	/* three errors in two functions, then cargo's summary */
	build_error_functions("error[E0425]: cannot find value `bad_one`\n"
			      "  --> src/lib.rs:5:5\n"
			      "error[E0425]: cannot find value `bad_two`\n"
			      "  --> src/lib.rs:9:5\n"
			      "error[E0425]: cannot find value `bad_three`\n"
			      "  --> src/lib.rs:9:15\n"
			      "error: could not compile `m` (lib) due to 3 "
			      "previous errors\n",
			      lib, out);
	json_object_foreach(out, k, v) {
		if (n == 0) {
			CHECK_STR(k, "first");
			CHECK_STR(json_string_value(v),
				  "error[E0425]: cannot find value `bad_one`");
		} else {
			CHECK_STR(k, "Cls.method");
			CHECK_STR(json_string_value(v),
				  "error[E0425]: cannot find value `bad_two`");
		}
		n++;
	}
	CHECK_INT(n, 2);
	json_decref(out);
}

TEST(build_log_disk_full_is_not_a_translator_bug)
{
	CHECK(build_log_is_disk_full(
	    "   Compiling libc v0.2.170\n"
	    "error: failed to write /t/release/deps/liblibc.rlib: No space "
	    "left on device (os error 28)\n"));
	CHECK(build_log_is_disk_full(
	    "error: could not write output to x.o: (os error 28)\n"));
	CHECK(!build_log_is_disk_full(
	    "error[E0425]: cannot find value `x` in this scope\n"));
	CHECK(!build_log_is_disk_full(NULL));
}
