/*
 * test_translate_passes.c - unit tests of the translator's passes:
 * Python snippet -> IR dump (lower.c + types.c) -> Rust text (emit.c),
 * plus reasons with line:column for what is not translated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rustify/buf.h"
#include "test.h"
#include "../../daemon/translate/ir.h"
#include "../../daemon/translate/translate.h"

/* Runs the passes on src; returns the IR dump (caller releases). */
static void dump(const char *src, struct buf *out)
{
	CHECK(translate_dump_ir(src, strlen(src), NULL, out) == 0);
}

/* Runs the passes on src and emits the native function named name: 0, or
 * -1 when it stays in Python (*reason says why). */
static int rust_of(const char *src, const char *name, struct buf *out,
		   char **reason)
{
	struct ir_module m;
	struct buf msg = BUF_INIT;
	struct emitter e;
	struct ir_fn *fn;
	int ret = -1;

	ir_module_init(&m);
	CHECK(translate_passes(&m, src, strlen(src), NULL, NULL, &msg) == 0);
	fn = ir_module_find(&m, name);
	CHECK(fn != NULL);
	emit_init(&e, out);
	if (fn->is_ok && !fn->reason) {
		emit_fn(&e, &m, fn);
		ret = 0;
	}
	*reason = fn->reason ? xstrdup(fn->reason) : NULL;
	buf_release(&msg);
	ir_module_release(&m);
	return ret;
}

TEST(translate_lower_dump_types)
{
	struct buf b = BUF_INIT;

	dump("def f(xs: list[float]) -> float:\n"
	     "    s = 0.0\n"
	     "    for x in xs:\n"
	     "        s += x * 2\n"
	     "    return s\n",
	     &b);
	CHECK(strstr(b.data, "def f(xs: list[float]) -> float") != NULL);
	CHECK(strstr(b.data, "var s: float") != NULL);
	CHECK(strstr(b.data, "var x: float") != NULL);
	CHECK(strstr(b.data, "for x:float in xs:list[float]") != NULL);
	buf_release(&b);
}

TEST(translate_int_then_float_reason)
{
	struct buf b = BUF_INIT;

	/* An int accumulator that becomes a float is translated (its type
	 * is int | float, exactly as Python's value is); comparing it is
	 * exact too (rt::n_lt), and a use still missing says where. */
	dump("def f(xs: list[float]):\n"
	     "    t = 0\n"
	     "    for x in xs:\n"
	     "        t += x\n"
	     "    return t\n"
	     "def g(xs: list[float]):\n"
	     "    t = 0\n"
	     "    for x in xs:\n"
	     "        t += x\n"
	     "    return t < 1.5\n"
	     "def h(xs: list[float]):\n"
	     "    t = 0\n"
	     "    for x in xs:\n"
	     "        t += x\n"
	     "    return t // 2\n",
	     &b);
	CHECK(strstr(b.data, "def f(xs: list[float]) -> int | float") != NULL);
	CHECK(strstr(b.data, "def g(xs: list[float]) -> bool") != NULL);
	CHECK(strstr(b.data, "not translated: line 15:14 operator // between "
			     "int | float and int is not supported") != NULL);
	buf_release(&b);
}

TEST(translate_reasons_have_positions)
{
	struct buf b = BUF_INIT;

	dump("def g(x: int) -> int:\n"
	     "    try:\n"
	     "        return x\n"
	     "    except Exception:\n"
	     "        return 0\n"
	     "def h(n):\n"
	     "    yield n\n",
	     &b);
	CHECK(strstr(b.data, "line 2:5 try/except is not supported") != NULL);
	CHECK(strstr(b.data, "line 7:5 generators") != NULL);
	buf_release(&b);
}

TEST(translate_emit_checked_int)
{
	struct buf b = BUF_INIT;
	char *reason = NULL;

	CHECK(rust_of("def f(a: int, b: int) -> int:\n"
		      "    return a * b // 3 - a % b\n",
		      "f", &b, &reason) == 0);
	CHECK(reason == NULL);
	CHECK(strstr(b.data, "fn f(a: i64, b: i64) -> rt::R<i64> {") != NULL);
	CHECK(strstr(b.data, "rt::sub_i(rt::floordiv_i(rt::mul_i(a, b)?, 3)?, "
			     "rt::mod_i(a, b)?)?") != NULL);
	CHECK(strstr(b.data, "// line 2") != NULL);
	buf_release(&b);
}

TEST(translate_emit_float_division)
{
	struct buf b = BUF_INIT;
	char *reason = NULL;

	CHECK(rust_of("def f(a: float, n: int) -> float:\n"
		      "    return a / n + a // 2.0 + a ** 2\n",
		      "f", &b, &reason) == 0);
	CHECK(strstr(b.data, "rt::div_f(a, (n as f64))?") != NULL);
	CHECK(strstr(b.data, "rt::floordiv_f(a, 2.0)?") != NULL);
	CHECK(strstr(b.data, "rt::pow_f(a, 2.0)?") != NULL);
	buf_release(&b);
}

TEST(translate_emit_move_of_dead_row)
{
	struct buf b = BUF_INIT;
	char *reason = NULL;

	CHECK(rust_of("def f(n: int) -> list[list[int]]:\n"
		      "    out = []\n"
		      "    for i in range(n):\n"
		      "        row = []\n"
		      "        row.append(i)\n"
		      "        out.append(row)\n"
		      "    return out\n",
		      "f", &b, &reason) == 0);
	CHECK(strstr(b.data, "std::mem::take(&mut row)") != NULL);
	buf_release(&b);
}

TEST(translate_alias_refused)
{
	struct buf b = BUF_INIT;
	char *reason = NULL;

	CHECK(rust_of("def f(n: int) -> list[list[int]]:\n"
		      "    row = [0]\n"
		      "    out = [row, row]\n"
		      "    row.append(n)\n"
		      "    return out\n",
		      "f", &b, &reason) < 0);
	CHECK(reason != NULL);
	CHECK(strstr(reason, "line 3:") == reason);
	CHECK(strstr(reason, "share") != NULL);
	free(reason);
	buf_release(&b);
}

/* plan.c alone: its decisions show in the dump, and what the printer has
 * no Rust for stays in Python with the reason, its caller too. */
TEST(translate_plan_dump)
{
	struct buf b = BUF_INIT;
	char *reason = NULL;

	dump("def conv(xs: list[float], k: list[float]) -> list[float]:\n"
	     "    out = []\n"
	     "    for i in range(len(xs) - len(k) + 1):\n"
	     "        acc = 0.0\n"
	     "        for j in range(len(k)):\n"
	     "            acc += xs[i + j] * k[j]\n"
	     "        out.append(acc)\n"
	     "    return out\n"
	     "def g(s: str, xs: list[int], i: int) -> int:\n"
	     "    return len(s[i]) + len(xs)\n",
	     &b);
	CHECK(strstr(b.data, "  plan: out=out ticks\n") != NULL);
	CHECK(strstr(b.data, "[plan: out_new]") != NULL);
	CHECK(strstr(b.data, "[plan: jam room]") != NULL);
	CHECK(strstr(b.data, "[plan: short]") != NULL);
	CHECK(strstr(b.data, "  plan: view=xs strix=s\n") != NULL);
	buf_release(&b);
	CHECK(rust_of("import math\n"
		      "def h(x: float) -> float:\n"
		      "    return math.asinh(x)\n"
		      "def k(x: float) -> float:\n"
		      "    return h(x) + 1.0\n",
		      "k", &b, &reason) < 0);
	CHECK(reason && strstr(reason, "calls h(), which is not translated"));
	free(reason);
	reason = NULL;
	buf_reset(&b);
	CHECK(rust_of("import math\n"
		      "def h(x: float) -> float:\n"
		      "    return math.asinh(x)\n",
		      "h", &b, &reason) < 0);
	CHECK(reason && !strcmp(reason, "line 3:12 math.asinh"));
	free(reason);
	buf_release(&b);
}

TEST(translate_fstring_lowered)
{
	struct buf b = BUF_INIT;

	dump("def f(x: float, n: int) -> str:\n"
	     "    return f\"a{{{x:>8.2f}}}{n!r}\" + '%5d|%s' % (n, x)\n",
	     &b);
	CHECK(strstr(b.data, "(fstr 'a{':str (fmt x:float :>8.2f):str "
			     "'}':str (fmt n:int !r):str):str") != NULL);
	CHECK(strstr(b.data, "(pct '%5d|%s':str") != NULL);
	buf_release(&b);
}

TEST(translate_format_spec_refused)
{
	struct buf b = BUF_INIT;
	char *reason = NULL;

	CHECK(rust_of("def f(n: int) -> str:\n"
		      "    return f\"{n:#x}\"\n",
		      "f", &b, &reason) < 0);
	CHECK(reason != NULL);
	CHECK(strstr(reason, "line 2:14 f-string field of int") == reason);
	free(reason);
	buf_release(&b);
}

TEST(translate_emit_format_and_round)
{
	struct buf b = BUF_INIT;
	char *reason = NULL;

	CHECK(rust_of("def f(x: float, n: int) -> str:\n"
		      "    return f\"{round(x, 2):+.3e}\" + \"%d\" % n\n",
		      "f", &b, &reason) == 0);
	CHECK(reason == NULL);
	CHECK(strstr(b.data, "rt::fmt_f(&mut __s") != NULL);
	CHECK(strstr(b.data, "rt::round_fn(x, 2)?") != NULL);
	CHECK(strstr(b.data, "sign: b'+', width: 0, group: 0, prec: 3, "
			     "ty: b'e'") != NULL);
	buf_release(&b);
}

TEST(translate_mixed_compare_exact)
{
	struct buf b = BUF_INIT;
	char *reason = NULL;

	/* never (a as f64) < x: 2**53 + 1 < 2.0**53 + 2 needs the int */
	CHECK(rust_of("def f(a: int, x: float) -> bool:\n"
		      "    return a < x\n",
		      "f", &b, &reason) == 0);
	CHECK(strstr(b.data, "rt::n_lt(rt::Num::I(a), rt::Num::F(x))") != NULL);
	CHECK(strstr(b.data, "as f64") == NULL);
	buf_release(&b);
}

TEST(translate_garbage_does_not_crash)
{
	static const char *srcs[] = {
	    "def (:\n",
	    "def f(x: int) -> int:\n    return x +\n",
	    "\xff\xfe"
	    "def",
	    "def f(a=[]):\n    return a\n",
	    "class C:\n    def m(self):\n        return 1\n",
	    "def f(x: int) -> int:\n    return 99999999999999999999999\n",
	    "def f(s: str) -> str:\n    return f'{s}'\n",
	    "",
	};
	for (size_t i = 0; i < sizeof(srcs) / sizeof(*srcs); i++) {
		struct buf b = BUF_INIT;
		translate_dump_ir(srcs[i], strlen(srcs[i]), NULL, &b);
		buf_release(&b);
	}
}

TEST(translate_type_parse)
{
	struct arena a;
	struct buf b = BUF_INIT;
	struct ty *t;

	arena_init(&a);
	t = ty_parse(&a, "dict[tuple[str, str], int]");
	CHECK(t && t->kind == TY_DICT);
	ty_format_rust(&b, t);
	CHECK_STR(b.data, "IndexMap<(String, String), i64>");
	t = ty_parse(&a, "int | float");
	CHECK(t && t->kind == TY_BAD);
	t = ty_parse(&a, "list[Never]");
	CHECK(t && t->kind == TY_LIST && t->sub[0]->kind == TY_NEVER);
	CHECK(ty_parse(&a, "list[") == NULL);
	buf_release(&b);
	arena_release(&a);
}

/* translate_module's "exclude": the named function stays in Python with
 * the given reason, a caller of it too; anything but an object is a bad
 * request. */
TEST(translate_exclude_request)
{
	const char *src = "def leaf(x: int) -> int:\n"
			  "    return x + 1\n"
			  "\n"
			  "def caller(x: int) -> int:\n"
			  "    return leaf(x) * 2\n"
			  "\n"
			  "def other(x: int) -> int:\n"
			  "    return x - 1\n";
	char dir[] = "/tmp/rustify-unit-XXXXXX";
	json_t *req, *rep = NULL, *f;
	struct err err = ERR_INIT;
	size_t i;
	int seen = 0;

	CHECK(mkdtemp(dir) != NULL);
	req = json_pack("{s:s, s:{s:s}}", "module", "m_rs", "exclude", "leaf",
			"its Rust did not compile");
	CHECK_INT(translate_module(src, strlen(src), req, dir, &rep, &err), 0);
	json_array_foreach(json_object_get(rep, "functions"), i, f) {
		const char *name =
		    json_string_value(json_object_get(f, "name"));
		const char *why =
		    json_string_value(json_object_get(f, "reason"));
		bool ok = json_is_true(json_object_get(f, "translated"));
		if (!strcmp(name, "leaf")) {
			CHECK(!ok);
			CHECK_STR(why, "line 1:1 its Rust did not compile");
			seen++;
		} else if (!strcmp(name, "caller")) {
			/* the typed tier gives it up (it calls leaf), the
			 * object tier runs it, calling leaf through Python */
			const char *tw = json_string_value(
			    json_object_get(f, "typed_reason"));
			CHECK(ok);
			CHECK_STR(json_string_value(json_object_get(f, "tier")),
				  "object");
			CHECK(tw && strstr(tw, "leaf"));
			seen++;
		} else if (!strcmp(name, "other")) {
			CHECK(ok);
			seen++;
		}
	}
	CHECK_INT(seen, 3);
	json_decref(rep);
	json_decref(req);
	rep = NULL;
	req = json_pack("{s:s, s:[s]}", "module", "m_rs", "exclude", "leaf");
	CHECK_INT(translate_module(src, strlen(src), req, dir, &rep, &err),
		  RUSTIFY_EPARAM);
	CHECK(strstr(err_msg(&err), "request.exclude") != NULL);
	CHECK(rep == NULL);
	err_release(&err);
	json_decref(req);
	{
		char cmd[80];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK_INT(system(cmd), 0);
	}
}
