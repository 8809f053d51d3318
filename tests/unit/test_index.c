/*
 * test_index.c - the source index: qualified names as CPython builds them,
 * parameter kinds, docstrings, spans and hashes, imports, Python 3.12
 * syntax, broken and hostile input, and concurrent use. Expected qualnames
 * were checked against co_qualname from CPython 3.11.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#include <tree_sitter/api.h>

#include "../../daemon/index.h"
#include "../../daemon/sha256.h"
#include "rustify/buf.h"
#include "rustify/error.h"
#include "test.h"

const TSLanguage *tree_sitter_python(void);

static json_t *index_test_run(const char *src, size_t len)
{
	struct err err = ERR_INIT;
	json_t *doc = NULL;
	int ret = index_source(src, len, &doc, &err);

	if (ret)
		test_fail(__FILE__, __LINE__, "index_source: %s",
			  err_msg(&err));
	CHECK(doc != NULL);
	err_release(&err);
	return doc;
}

static json_t *index_test_text(const char *src)
{
	return index_test_run(src, strlen(src));
}

static json_t *index_test_func(json_t *doc, const char *qualname)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(doc, "functions"), i, f)
		if (!strcmp(json_string_value(json_object_get(f, "qualname")),
			    qualname))
			return f;
	test_fail(__FILE__, __LINE__, "no function %s", qualname);
}

static const char *jstr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static long long jint(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static bool jnull(json_t *obj, const char *key)
{
	return json_is_null(json_object_get(obj, key));
}

static json_t *jat(json_t *obj, const char *key, size_t i)
{
	return json_array_get(json_object_get(obj, key), i);
}

static const char index_test_scopes[] = "import os\n"
					"\n"
					"def top(a):\n"
					"    def inner():\n"
					"        def deepest():\n"
					"            pass\n"
					"        return deepest\n"
					"    class Local:\n"
					"        def method(self):\n"
					"            def helper():\n"
					"                pass\n"
					"    return inner\n"
					"\n"
					"class Outer:\n"
					"    class Inner:\n"
					"        def method(self):\n"
					"            pass\n"
					"    async def run(self):\n"
					"        pass\n"
					"    @staticmethod\n"
					"    def make():\n"
					"        pass\n"
					"\n"
					"if os.name == \"nt\":\n"
					"    def on_windows():\n"
					"        pass\n"
					"else:\n"
					"    try:\n"
					"        def guarded():\n"
					"            pass\n"
					"    finally:\n"
					"        pass\n"
					"\n"
					"def uses_global():\n"
					"    global later\n"
					"    def later():\n"
					"        pass\n";

TEST(index_qualnames_follow_cpython)
{
	static const struct {
		const char *qualname, *kind, *cls;
		int line;
	} want[] = {
	    {"top", "function", NULL, 3},
	    {"top.<locals>.inner", "nested", NULL, 4},
	    {"top.<locals>.inner.<locals>.deepest", "nested", NULL, 5},
	    {"top.<locals>.Local.method", "method", "top.<locals>.Local", 9},
	    {"top.<locals>.Local.method.<locals>.helper", "nested", NULL, 10},
	    {"Outer.Inner.method", "method", "Outer.Inner", 16},
	    {"Outer.run", "method", "Outer", 18},
	    {"Outer.make", "method", "Outer", 20},
	    {"on_windows", "function", NULL, 25},
	    {"guarded", "function", NULL, 29},
	    {"uses_global", "function", NULL, 34},
	    /* `global later` in the enclosing scope: no "<locals>" */
	    {"later", "nested", NULL, 36},
	};
	json_t *doc = index_test_text(index_test_scopes);
	json_t *funcs = json_object_get(doc, "functions");
	size_t i;

	CHECK_INT(json_array_size(funcs), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_t *f = json_array_get(funcs, i);

		CHECK_STR(jstr(f, "qualname"), want[i].qualname);
		CHECK_STR(jstr(f, "kind"), want[i].kind);
		CHECK_INT(jint(f, "first_line"), want[i].line);
		if (want[i].cls)
			CHECK_STR(jstr(f, "class"), want[i].cls);
		else
			CHECK(jnull(f, "class"));
	}
	CHECK_STR(jstr(json_array_get(funcs, 2), "name"), "deepest");
	CHECK(json_is_true(
	    json_object_get(index_test_func(doc, "Outer.run"), "is_async")));
	CHECK(json_is_false(
	    json_object_get(index_test_func(doc, "Outer.make"), "is_async")));
	CHECK(json_is_true(
	    json_object_get(index_test_func(doc, "top"), "has_nested")));
	CHECK(json_is_false(
	    json_object_get(index_test_func(doc, "Outer.make"), "has_nested")));
	CHECK_STR(json_string_value(
		      jat(index_test_func(doc, "Outer.make"), "decorators", 0)),
		  "staticmethod");

	CHECK_INT(json_array_size(json_object_get(doc, "classes")), 3);
	CHECK_STR(jstr(jat(doc, "classes", 0), "qualname"),
		  "top.<locals>.Local");
	CHECK_STR(jstr(jat(doc, "classes", 1), "qualname"), "Outer");
	CHECK_STR(jstr(jat(doc, "classes", 2), "qualname"), "Outer.Inner");
	CHECK_INT(jint(jat(doc, "classes", 2), "line"), 15);
	CHECK_INT(json_array_size(json_object_get(doc, "errors")), 0);
	json_decref(doc);
}

TEST(index_params_every_kind)
{
	static const struct {
		const char *name, *kind, *def, *ann;
	} want[] = {
	    {"a", "positional_only", NULL, NULL},
	    {"b", "positional_only", NULL, "int"},
	    {"c", "positional_or_keyword", NULL, NULL},
	    {"d", "positional_or_keyword", "1", NULL},
	    {"args", "var_positional", NULL, "str"},
	    {"e", "keyword_only", NULL, NULL},
	    {"f", "keyword_only", "None", "\"x\""},
	    {"kw", "var_keyword", NULL, "dict[str, int]"},
	};
	json_t *doc = index_test_text(
	    "def f(a, b: int, /, c, d=1, *args: str, e,\n"
	    "      f: \"x\" = None, **kw: dict[str, int]) -> list[int]:\n"
	    "    pass\n"
	    "def g(*, key=lambda x: x): pass\n"
	    "def h(self, /): pass\n"
	    "def k(): pass\n");
	json_t *f = index_test_func(doc, "f");
	json_t *params = json_object_get(f, "params");
	size_t i;

	CHECK_INT(json_array_size(params), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_t *p = json_array_get(params, i);

		CHECK_STR(jstr(p, "name"), want[i].name);
		CHECK_STR(jstr(p, "kind"), want[i].kind);
		if (want[i].def)
			CHECK_STR(jstr(p, "default"), want[i].def);
		else
			CHECK(jnull(p, "default"));
		if (want[i].ann)
			CHECK_STR(jstr(p, "annotation"), want[i].ann);
		else
			CHECK(jnull(p, "annotation"));
	}
	CHECK_STR(jstr(f, "returns"), "list[int]");

	params = json_object_get(index_test_func(doc, "g"), "params");
	CHECK_INT(json_array_size(params), 1);
	CHECK_STR(jstr(json_array_get(params, 0), "kind"), "keyword_only");
	CHECK_STR(jstr(json_array_get(params, 0), "default"), "lambda x: x");
	/* the lambda is not a function of its own */
	CHECK_INT(json_array_size(json_object_get(doc, "functions")), 4);

	params = json_object_get(index_test_func(doc, "h"), "params");
	CHECK_STR(jstr(json_array_get(params, 0), "kind"), "positional_only");
	CHECK_INT(json_array_size(
		      json_object_get(index_test_func(doc, "k"), "params")),
		  0);
	CHECK(jnull(index_test_func(doc, "k"), "returns"));
	json_decref(doc);
}

TEST(index_docstrings)
{
	json_t *doc =
	    index_test_text("def plain():\n"
			    "    \"\"\"Sum of squares.\n"
			    "\n"
			    "    Tab:\\t quote:\\\" end\"\"\"\n"
			    "def raw():\n"
			    "    r'''Raw \\n stays'''\n"
			    "def escapes():\n"
			    "    \"caf\\xe9 \\u00e9 \\N{BULLET} \\101\\\n"
			    "!\"\n"
			    "def concatenated():\n"
			    "    \"one \" 'two'\n"
			    "def crlf():\r\n"
			    "    '''a\r\n"
			    "b'''\r\n"
			    "def not_first():\n"
			    "    x = 1\n"
			    "    \"not a docstring\"\n"
			    "def bytes_doc():\n"
			    "    b\"bytes are not docstrings\"\n"
			    "def fstring_doc():\n"
			    "    f\"not {1} a docstring\"\n"
			    "def comment_first():\n"
			    "    # a comment\n"
			    "    \"\"\"Still the docstring.\"\"\"\n"
			    "def one_line(): 'inline'\n");

	CHECK_STR(jstr(index_test_func(doc, "plain"), "docstring"),
		  "Sum of squares.\n\n    Tab:\t quote:\" end");
	CHECK_STR(jstr(index_test_func(doc, "raw"), "docstring"),
		  "Raw \\n stays");
	/* \N{...} needs the Unicode name table: kept as written */
	CHECK_STR(jstr(index_test_func(doc, "escapes"), "docstring"),
		  "caf\xc3\xa9 \xc3\xa9 \\N{BULLET} A!");
	CHECK_STR(jstr(index_test_func(doc, "concatenated"), "docstring"),
		  "one two");
	CHECK_STR(jstr(index_test_func(doc, "crlf"), "docstring"), "a\nb");
	CHECK(jnull(index_test_func(doc, "not_first"), "docstring"));
	CHECK(jnull(index_test_func(doc, "bytes_doc"), "docstring"));
	CHECK(jnull(index_test_func(doc, "fstring_doc"), "docstring"));
	CHECK_STR(jstr(index_test_func(doc, "comment_first"), "docstring"),
		  "Still the docstring.");
	CHECK_STR(jstr(index_test_func(doc, "one_line"), "docstring"),
		  "inline");
	json_decref(doc);
}

TEST(index_span_and_hash_of_decorated_function)
{
	const char *src = "x = 1\n"
			  "\n"
			  "@decorator(arg)\n"
			  "@other\n"
			  "def f(a):\n"
			  "    return a  # trailing\n"
			  "    # comment after the body\n"
			  "\n"
			  "class K:\n"
			  "    @property\n"
			  "    def p(self): return 'caf\xc3\xa9'\n";
	size_t start = (size_t)(strstr(src, "@decorator") - src);
	size_t end =
	    (size_t)(strstr(src, "return a") - src) + strlen("return a");
	json_t *doc = index_test_text(src);
	json_t *f = index_test_func(doc, "f");
	json_t *p = index_test_func(doc, "K.p");
	char want[65];

	CHECK_INT(jint(f, "byte_start"), start);
	CHECK_INT(jint(f, "byte_end"), end);
	sha256_hex(src + start, end - start, want);
	CHECK_STR(jstr(f, "hash"), want);
	CHECK_INT(jint(f, "first_line"), 3);
	CHECK_INT(jint(f, "def_line"), 5);
	CHECK_INT(jint(f, "last_line"), 6);
	CHECK_INT(jint(json_object_get(f, "start"), "line"), 3);
	CHECK_INT(jint(json_object_get(f, "start"), "column"), 1);
	CHECK_INT(jint(json_object_get(f, "end"), "line"), 6);
	/* exclusive end: one past "return a", 1-based */
	CHECK_INT(jint(json_object_get(f, "end"), "column"), 13);
	CHECK_INT(json_array_size(json_object_get(f, "decorators")), 2);
	CHECK_STR(json_string_value(jat(f, "decorators", 0)), "decorator(arg)");
	CHECK_STR(json_string_value(jat(f, "decorators", 1)), "other");

	/* columns count UTF-8 bytes: "    def p(self): return 'café'" */
	CHECK_INT(jint(json_object_get(p, "start"), "line"), 10);
	CHECK_INT(jint(json_object_get(p, "start"), "column"), 5);
	CHECK_INT(jint(json_object_get(p, "end"), "column"), 32);
	start = (size_t)(strstr(src, "    @property") - src) + 4;
	CHECK_INT(jint(p, "byte_start"), start);
	CHECK_INT(jint(p, "byte_end"), strlen(src) - 1);
	sha256_hex(src + start, strlen(src) - 1 - start, want);
	CHECK_STR(jstr(p, "hash"), want);

	/* the hash covers the function's bytes only, not their position */
	json_decref(doc);
	doc = index_test_text("\n\n\n@decorator(arg)\n@other\ndef f(a):\n"
			      "    return a\n");
	start = (size_t)(strstr(src, "@decorator") - src);
	sha256_hex(src + start, end - start, want);
	CHECK_STR(jstr(index_test_func(doc, "f"), "hash"), want);
	json_decref(doc);
}

TEST(index_imports_and_uses)
{
	json_t *doc = index_test_text(
	    "import numpy as np\n"
	    "import os.path, sys\n"
	    "from collections import OrderedDict as OD, deque\n"
	    "from . import sibling\n"
	    "from ..pkg.mod import *\n"
	    "from __future__ import annotations\n"
	    "def f():\n"
	    "    import torch.nn as nn\n"
	    "from sklearn.linear_model import LinearRegression\n"
	    "from .pandas import fake\n");
	json_t *imports = json_object_get(doc, "imports");
	json_t *uses = json_object_get(doc, "uses");
	json_t *imp;

	CHECK_INT(json_array_size(imports), 10);
	imp = json_array_get(imports, 0);
	CHECK_STR(jstr(imp, "kind"), "import");
	CHECK_STR(jstr(imp, "module"), "numpy");
	CHECK_STR(jstr(imp, "alias"), "np");
	CHECK_INT(jint(imp, "line"), 1);
	CHECK_STR(jstr(json_array_get(imports, 1), "module"), "os.path");
	CHECK(jnull(json_array_get(imports, 1), "alias"));
	CHECK_STR(jstr(json_array_get(imports, 2), "module"), "sys");
	CHECK_INT(jint(json_array_get(imports, 2), "line"), 2);

	imp = json_array_get(imports, 3);
	CHECK_STR(jstr(imp, "kind"), "from");
	CHECK_STR(jstr(imp, "module"), "collections");
	CHECK_INT(jint(imp, "level"), 0);
	CHECK_INT(json_array_size(json_object_get(imp, "names")), 2);
	CHECK_STR(jstr(jat(imp, "names", 0), "name"), "OrderedDict");
	CHECK_STR(jstr(jat(imp, "names", 0), "alias"), "OD");
	CHECK_STR(jstr(jat(imp, "names", 1), "name"), "deque");
	CHECK(jnull(jat(imp, "names", 1), "alias"));

	imp = json_array_get(imports, 4);
	CHECK(jnull(imp, "module"));
	CHECK_INT(jint(imp, "level"), 1);
	CHECK_STR(jstr(jat(imp, "names", 0), "name"), "sibling");

	imp = json_array_get(imports, 5);
	CHECK_STR(jstr(imp, "module"), "pkg.mod");
	CHECK_INT(jint(imp, "level"), 2);
	CHECK_STR(jstr(jat(imp, "names", 0), "name"), "*");

	imp = json_array_get(imports, 6);
	CHECK_STR(jstr(imp, "module"), "__future__");
	CHECK_STR(jstr(jat(imp, "names", 0), "name"), "annotations");

	imp = json_array_get(imports, 7);
	CHECK_STR(jstr(imp, "module"), "torch.nn");
	CHECK_INT(jint(imp, "line"), 8);
	CHECK_INT(jint(imp, "column"), 5);

	CHECK(json_is_true(json_object_get(uses, "numpy")));
	CHECK(json_is_true(json_object_get(uses, "torch")));
	CHECK(json_is_true(json_object_get(uses, "sklearn")));
	/* `from .pandas import` is a sibling module, not the library */
	CHECK(json_is_false(json_object_get(uses, "pandas")));
	json_decref(doc);

	doc = index_test_text("import numpyx\nfrom pandas.core import frame\n");
	uses = json_object_get(doc, "uses");
	CHECK(json_is_false(json_object_get(uses, "numpy")));
	CHECK(json_is_true(json_object_get(uses, "pandas")));
	json_decref(doc);
}

TEST(index_yield_and_nested_flags)
{
	json_t *doc = index_test_text("def gen():\n"
				      "    yield 1\n"
				      "def not_gen():\n"
				      "    def inner():\n"
				      "        yield 2\n"
				      "    return lambda: (yield)\n"
				      "def gen_from():\n"
				      "    x = yield from range(3)\n"
				      "def with_class():\n"
				      "    class C: pass\n");

	CHECK(json_is_true(
	    json_object_get(index_test_func(doc, "gen"), "has_yield")));
	CHECK(json_is_false(
	    json_object_get(index_test_func(doc, "not_gen"), "has_yield")));
	CHECK(json_is_true(
	    json_object_get(index_test_func(doc, "not_gen"), "has_nested")));
	CHECK(json_is_true(json_object_get(
	    index_test_func(doc, "not_gen.<locals>.inner"), "has_yield")));
	CHECK(json_is_true(
	    json_object_get(index_test_func(doc, "gen_from"), "has_yield")));
	CHECK(json_is_false(
	    json_object_get(index_test_func(doc, "gen"), "has_nested")));
	CHECK(json_is_true(
	    json_object_get(index_test_func(doc, "with_class"), "has_nested")));
	json_decref(doc);
}

TEST(index_python312_syntax)
{
	json_t *doc =
	    index_test_text("type Point = tuple[float, float]\n"
			    "type ListOrSet[T] = list[T] | set[T]\n"
			    "def first[T](xs: list[T]) -> T:\n"
			    "    return xs[0]\n"
			    "class Box[T: (int, str), *Ts, **P]:\n"
			    "    def get[U](self, default: U) -> T | U:\n"
			    "        match self.value:\n"
			    "            case [x, *rest] if x > 0:\n"
			    "                return x\n"
			    "            case {\"k\": v, **kw}:\n"
			    "                return v\n"
			    "            case Point(x=0) | None:\n"
			    "                pass\n"
			    "            case _:\n"
			    "                return default\n"
			    "def fstr(x):\n"
			    "    return f\"{x[\"key\"]!r:>{10}}\"\n");
	json_t *f;

	CHECK_INT(json_array_size(json_object_get(doc, "errors")), 0);
	CHECK_INT(json_array_size(json_object_get(doc, "functions")), 3);
	f = index_test_func(doc, "first");
	CHECK_STR(json_string_value(jat(f, "type_params", 0)), "T");
	CHECK_STR(jstr(jat(f, "params", 0), "annotation"), "list[T]");
	CHECK_STR(jstr(f, "returns"), "T");
	f = index_test_func(doc, "Box.get");
	CHECK_STR(jstr(f, "kind"), "method");
	CHECK_STR(jstr(f, "class"), "Box");
	CHECK_STR(json_string_value(jat(f, "type_params", 0)), "U");
	CHECK_INT(jint(f, "last_line"), 15);
	CHECK_INT(jint(index_test_func(doc, "fstr"), "last_line"), 17);
	CHECK_STR(jstr(jat(doc, "classes", 0), "qualname"), "Box");
	json_decref(doc);
}

TEST(index_broken_source_keeps_what_parses)
{
	json_t *doc = index_test_text("def good(a):\n"
				      "    return a\n"
				      "\n"
				      "def broken(:\n"
				      "    pass\n");
	json_t *errors = json_object_get(doc, "errors");
	json_t *e;

	CHECK(json_array_size(errors) >= 1);
	e = json_array_get(errors, 0);
	CHECK_INT(jint(e, "line"), 4);
	CHECK_INT(jint(e, "column"), 12);
	CHECK_STR(jstr(e, "message"), "syntax error: missing ')'");
	CHECK_INT(jint(index_test_func(doc, "good"), "last_line"), 2);
	CHECK_INT(jint(index_test_func(doc, "broken"), "first_line"), 4);
	json_decref(doc);

	doc = index_test_text("def good(a):\n"
			      "    return a\n"
			      "\n"
			      "x = = 1\n"
			      "\n"
			      "def after(b):\n"
			      "    return b\n");
	e = jat(doc, "errors", 0);
	CHECK_INT(jint(e, "line"), 4);
	CHECK_INT(jint(e, "column"), 5);
	CHECK_STR(jstr(e, "message"), "syntax error: unexpected '='");
	CHECK_INT(jint(index_test_func(doc, "after"), "first_line"), 6);
	CHECK_STR(jstr(jat(index_test_func(doc, "after"), "params", 0), "name"),
		  "b");
	json_decref(doc);
}

TEST(index_empty_source_and_line_counts)
{
	json_t *doc = index_test_run(NULL, 0);

	CHECK_STR(jstr(doc, "grammar"), "tree-sitter-python 0.23.6/abi14");
	CHECK_STR(
	    jstr(doc, "source_sha256"),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_INT(jint(doc, "lines"), 0);
	CHECK_INT(json_array_size(json_object_get(doc, "functions")), 0);
	CHECK_INT(json_array_size(json_object_get(doc, "errors")), 0);
	json_decref(doc);

	doc = index_test_text("a\nb");
	CHECK_INT(jint(doc, "lines"), 2);
	json_decref(doc);
	doc = index_test_text("a\n");
	CHECK_INT(jint(doc, "lines"), 1);
	CHECK_STR(
	    jstr(doc, "source_sha256"),
	    "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7");
	json_decref(doc);
}

TEST(index_grammar_version_matches_language)
{
	CHECK_STR(index_grammar_version(), "tree-sitter-python 0.23.6/abi14");
	CHECK_INT(ts_language_version(tree_sitter_python()), 14);
}

/* Every document must serialise: all text is valid UTF-8 whatever the input. */
static void index_test_hostile(const char *src, size_t len)
{
	json_t *doc = index_test_run(src, len);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_error_t jerr;
	json_t *back;

	CHECK(text != NULL);
	back = json_loads(text, 0, &jerr);
	CHECK(back != NULL);
	json_decref(back);
	free(text);
	json_decref(doc);
}

TEST(index_hostile_bytes_do_not_crash)
{
	static const char invalid[] = "def f\xff(x):\n"
				      "    '\xff\xfe\xc0\xaf\xed\xa0\x80'\n"
				      "    return x\0\n"
				      "@d\xe9\ndef g(a=b'\xff'): pass\n";
	static const char alphabet[] = "()[]{}:\n \t'\"#@\\=,.defx";
	char all[256 * 3];
	char *blob;
	uint32_t seed = 12345;
	size_t i, n, round;
	json_t *doc;

	/* Under valgrind (make valgrind) parsing is ~20x slower and
	 * the parse time limit, a product rule, rightly cuts it short. */
	if (getenv("VALGRIND"))
		return;
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)(i % 256);
	index_test_hostile(all, sizeof(all));
	index_test_hostile(invalid, sizeof(invalid) - 1);

	doc = index_test_run(invalid, sizeof(invalid) - 1);
	/* U+FFFD for each bad byte, so a name is still reported */
	CHECK(jat(doc, "functions", 0) != NULL);
	CHECK(strstr(jstr(jat(doc, "functions", 0), "docstring"),
		     "\xef\xbf\xbd") != NULL);
	json_decref(doc);

	blob = xmalloc(65536);
	for (round = 0; round < 40; round++) {
		n = round * 1637 % 65536;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			/* mostly Python punctuation, sometimes any byte */
			if ((seed >> 24) % 4)
				blob[i] = alphabet[(seed >> 16) %
						   (sizeof(alphabet) - 1)];
			else
				blob[i] = (char)(seed >> 16);
		}
		index_test_hostile(blob, n);
	}
	free(blob);
}

TEST(index_deep_nesting_is_bounded)
{
	struct buf src = BUF_INIT;
	json_t *doc;
	size_t i;

	/* Under valgrind (make valgrind) parsing is ~20x slower and
	 * the parse time limit, a product rule, rightly cuts it short. */
	if (getenv("VALGRIND"))
		return;
	/* balanced: a valid tree 100000 levels deep, walked without recursion
	 */
	buf_adds(&src, "x = ");
	for (i = 0; i < 100000; i++)
		buf_addch(&src, '(');
	buf_addch(&src, '1');
	for (i = 0; i < 100000; i++)
		buf_addch(&src, ')');
	buf_addch(&src, '\n');
	doc = index_test_run(src.data, src.len);
	CHECK_INT(json_array_size(json_object_get(doc, "errors")), 0);
	json_decref(doc);

	/* unclosed: the runtime would corrupt a node of 70000 children */
	buf_reset(&src);
	buf_adds(&src, "def f():\n    pass\nx = ");
	for (i = 0; i < 70000; i++)
		buf_addch(&src, '[');
	doc = index_test_run(src.data, src.len);
	CHECK_INT(json_array_size(json_object_get(doc, "functions")), 0);
	CHECK(strstr(jstr(jat(doc, "errors", 0), "message"), "parser limit"));
	json_decref(doc);

	/*
	 * 100 nested defs: qualname chains stay exact. (The grammar's scanner
	 * keeps indentation in one byte: deeper than 255 columns breaks.)
	 */
	buf_reset(&src);
	for (i = 0; i < 100; i++)
		buf_addf(&src, "%*sdef f%zu():\n", (int)i, "", i);
	buf_addf(&src, "%*spass\n", 100, "");
	doc = index_test_run(src.data, src.len);
	CHECK_INT(json_array_size(json_object_get(doc, "functions")), 100);
	CHECK(strstr(jstr(jat(doc, "functions", 99), "qualname"),
		     "f0.<locals>.f1.<locals>.f2.<locals>") ==
	      jstr(jat(doc, "functions", 99), "qualname"));
	CHECK_INT(strlen(jstr(jat(doc, "functions", 99), "qualname")),
		  strlen("f0") + 9 * (strlen(".<locals>.f1")) +
		      90 * strlen(".<locals>.f10"));
	json_decref(doc);
	buf_release(&src);
}

TEST(index_pathological_comments_time_out)
{
	struct buf src = BUF_INIT;
	struct err err = ERR_INIT;
	json_t *doc = NULL;
	size_t i;
	int ret;

	/* the grammar's scanner is quadratic here; the parse time is capped */
	buf_adds(&src, "def f():\n");
	for (i = 0; i < 40000; i++)
		buf_adds(&src, "    # comment\n");
	buf_adds(&src, "    pass\n");
	ret = index_source(src.data, src.len, &doc, &err);
	CHECK_INT(ret, RUSTIFY_ETIMEOUT);
	CHECK(doc == NULL);
	CHECK(strstr(err_msg(&err), "too complex") != NULL);
	err_release(&err);
	buf_release(&src);
}

struct index_test_thread {
	const char *src;
	char *first;
	bool is_same;
};

static void *index_test_thread_main(void *arg)
{
	struct index_test_thread *t = arg;
	int i;

	t->is_same = true;
	for (i = 0; i < 20; i++) {
		struct err err = ERR_INIT;
		json_t *doc = NULL;
		char *text;

		if (index_source(t->src, strlen(t->src), &doc, &err)) {
			t->is_same = false;
			err_release(&err);
			break;
		}
		text = json_dumps(doc, JSON_COMPACT);
		if (!t->first)
			t->first = text;
		else if (strcmp(text, t->first))
			t->is_same = false;
		if (text != t->first)
			free(text);
		json_decref(doc);
	}
	return NULL;
}

TEST(index_concurrent_calls_agree)
{
	struct index_test_thread t[4];
	pthread_t tid[4];
	int i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < 4; i++) {
		t[i].src = index_test_scopes;
		CHECK_INT(pthread_create(&tid[i], NULL, index_test_thread_main,
					 &t[i]),
			  0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < 4; i++) {
		CHECK(t[i].is_same);
		CHECK(t[i].first != NULL);
		CHECK_STR(t[i].first, t[0].first);
		CHECK(strstr(t[i].first, "\"top.<locals>.Local.method\"") !=
		      NULL);
	}
	for (i = 0; i < 4; i++)
		free(t[i].first);
}
