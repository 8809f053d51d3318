/*
 * emit.c - the printer: planned IR -> Rust source, through a small
 * emitter on struct buf that knows the indent level.
 *
 * Owns the shape of the generated code: one native function per
 * translated Python function (working on native values, returning
 * rt::R<T> where Err(Deopt) means "let Python answer"), and one #[pyfunction]
 * entry point per selected function that checks exact argument types,
 * copies arguments out, releases the GIL around loops and falls back to
 * the original Python function on any mismatch. The Python rules
 * themselves live in the rt runtime (prelude.rs); this file only picks
 * the helper each IR node needs. It decides nothing else and cannot
 * refuse: plan.c settled views, result lists, loop and assignment shapes
 * (the "plan:" fields) and kept in Python whatever has no Rust here.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

void emit_init(struct emitter *e, struct buf *out)
{
	e->out = out;
	e->indent = 0;
}

static void emit_vline(struct emitter *e, const char *fmt, va_list ap)
{
	for (int i = 0; i < e->indent; i++)
		buf_adds(e->out, "    ");
	buf_vaddf(e->out, fmt, ap);
	buf_addch(e->out, '\n');
}

void emit_line(struct emitter *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_vline(e, fmt, ap);
	va_end(ap);
}

void emit_open(struct emitter *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_vline(e, fmt, ap);
	va_end(ap);
	e->indent++;
}

void emit_close(struct emitter *e, const char *tail)
{
	if (e->indent > 0)
		e->indent--;
	emit_line(e, "}%s", tail ? tail : "");
}

struct loopctx {
	char *broke; /* flag set before break when the loop has an else */
};

struct fe {
	struct emitter *e;
	struct ir_module *m;
	struct ir_fn *fn;
	int ntmp;
	struct loopctx loops[128];
	int nloops;
	char **sx; /* per variable: its rt::StrIx (var.is_strix), or NULL */
	const struct ex **lits; /* str literals made Python objects (lit_cell) */
	size_t nlits;
};

static void hoist(struct fe *f, struct ex *x);

/* Prints an expression (an ex_printers entry, a builtin). */
typedef void (*ex_printer)(struct fe *f, struct buf *b, struct ex *x);

/* What plan.c keeps in Python (with the reason `what`) never reaches the
 * printer: a branch that would need it is a bug in plan.c. */
#define unplanned(what) assert(!"plan.c lets through: " what)

static char *tmpname(struct fe *f, const char *stem)
{
	char *s = xasprintf("__%s%d", stem, ++f->ntmp);
	char *r = arena_strdup(&f->m->arena, s);

	free(s);
	return r;
}

static bool is_intlike(const struct ty *t)
{
	return t->kind == TY_INT || t->kind == TY_BOOL;
}

static struct var *var_of(struct fe *f, const struct ex *e)
{
	return &f->fn->vars[e->var];
}

/* Parameters of non-Copy types arrive by reference unless rebound. */
static bool var_is_ref(const struct var *v)
{
	return v->is_param && !ty_is_copy(v->ty) && !v->is_rebound;
}

static const char *rty(const struct ty *t)
{
	return ty_rust_name(t);
}

/* The rt::StrIx of a str parameter x (plan.c: var.is_strix), or NULL. */
static const char *strix(struct fe *f, const struct ex *x)
{
	return x->kind == EX_NAME && f->sx ? f->sx[x->var] : NULL;
}

static void ex_i64(struct fe *f, struct buf *b, struct ex *x);

/* The variable of x when x names a str local kept as a char or a span
 * (plan_str_locals), else NULL. */
static struct var *str_local(struct fe *f, const struct ex *x, bool span)
{
	struct var *v;

	if (x->kind != EX_NAME || x->unwrap)
		return NULL;
	v = &f->fn->vars[x->var];
	return (span ? v->is_span : v->is_char) ? v : NULL;
}

/* The variable of x when x names a str local kept as a list item where
 * it is (plan_str_locals: an rt::SRef), else NULL. */
static struct var *str_sref(struct fe *f, const struct ex *x)
{
	if (x->kind != EX_NAME || x->unwrap || !f->fn->vars[x->var].is_sref)
		return NULL;
	return &f->fn->vars[x->var];
}

/* An optional int operand as Rust's Option<i64>: None when absent. */
static void opt_i64(struct fe *f, struct buf *b, struct ex *x)
{
	if (!x) {
		buf_adds(b, "None");
		return;
	}
	buf_adds(b, "Some(");
	ex_i64(f, b, x);
	buf_addch(b, ')');
}

/* The bounds of a slice x (a[1..3]) as three Option<i64>, a comma before
 * each when `after` (they follow another argument). */
static void slice_bounds(struct fe *f, struct buf *b, struct ex *x, bool after)
{
	for (int i = 1; i < 4; i++) {
		if (after || i > 1)
			buf_adds(b, ", ");
		opt_i64(f, b, x->a[i]);
	}
}

/* s[i] of a str with an rt::StrIx (an EX_INDEX): the Rust char. */
static void strix_char(struct fe *f, struct buf *b, struct ex *x)
{
	buf_addf(b, "%s.at(", strix(f, x->a[0]));
	ex_i64(f, b, x->a[1]);
	buf_adds(b, ")?");
}

/* The distinct code points of a str literal as a match pattern:
 * 'a' | 'b'. */
static void add_char_alts(struct buf *b, const struct ex *lit)
{
	long *seen = xcalloc(lit->slen + 1, sizeof(*seen));
	size_t n = 0;

	for (size_t i = 0; i < lit->slen;) {
		const unsigned char *p = (const unsigned char *)lit->sval + i;
		size_t len = p[0] < 0x80   ? 1
			     : p[0] < 0xE0 ? 2
			     : p[0] < 0xF0 ? 3
					   : 4;
		struct ex one = {
		    .kind = EX_STR, .sval = (char *)p, .slen = len};
		long cp = ex_one_char(&one);
		size_t k = 0;

		while (k < n && seen[k] != cp)
			k++;
		if (k == n) {
			buf_addf(b, "%s'\\u{%lx}'", n ? " | " : "", cp);
			seen[n++] = cp;
		}
		i += len;
	}
	free(seen);
}

/* s[i] == "c" (either way round), s[i] with an rt::StrIx: compares
 * chars. */
static bool emit_char_cmp(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *x = e->a[0], *y = e->a[1];
	int op = e->cmp[0];

	if (e->n == 2 && (op == CMP_IN || op == CMP_NOTIN) &&
	    x->kind == EX_INDEX && x->a[0]->ty->kind == TY_STR &&
	    strix(f, x->a[0]) && y->kind == EX_STR && y->slen &&
	    !ex_has_surrogate(y)) {
		/* s[i] in "+-": one code point among the literal's */
		buf_addf(b, "%smatches!(", op == CMP_NOTIN ? "!" : "");
		strix_char(f, b, x);
		buf_adds(b, ", ");
		add_char_alts(b, y);
		buf_addch(b, ')');
		return true;
	}
	if (e->n != 2 || (op != CMP_EQ && op != CMP_NE))
		return false;
	if (ex_one_char(x) >= 0) {
		struct ex *t = x;
		x = y;
		y = t;
	}
	if (ex_one_char(y) < 0 || x->kind != EX_INDEX ||
	    x->a[0]->ty->kind != TY_STR || !strix(f, x->a[0]))
		return false;
	buf_addch(b, '(');
	strix_char(f, b, x);
	buf_addf(b, " %s '\\u{%lx}')",
		 op == CMP_EQ ? "==" : "!=", ex_one_char(y));
	return true;
}

/* A list parameter read in place (plan.c: rt::ListView). */
static bool is_view(struct fe *f, const struct ex *x)
{
	return x->kind == EX_NAME && var_of(f, x)->is_view;
}

/* A list of strs of a dict read in place, d[k]: read where it is
 * (rt::StrItems). */
static bool dview_items(struct fe *f, const struct ex *l)
{
	return l->kind == EX_INDEX && l->a[0]->kind == EX_NAME &&
	       var_of(f, l->a[0])->is_dictview && l->ty->kind == TY_LIST &&
	       l->ty->sub[0]->kind == TY_STR;
}

/* A dict parameter read in place (plan_dictviews, rt::DictView). */
static bool is_dview(struct fe *f, const struct ex *x)
{
	return x->kind == EX_NAME && var_of(f, x)->is_dictview;
}

static void ex_ref(struct fe *f, struct buf *b, struct ex *x);

/* `rt::DictRead::<m>(d, key` of a dict read in place: an rt::SRef key
 * as itself (its str object is the key), any other str by reference. */
static void dview_call(struct fe *f, struct buf *b, const char *m, struct ex *d,
		       struct ex *k)
{
	struct var *v = str_sref(f, k);

	buf_addf(b, "rt::%s::%s(%s, ",
		 strcmp(m, "d_items") ? "DictRead" : "DictStrLists", m,
		 var_of(f, d)->rname);
	if (v)
		buf_addf(b, "&%s", v->rname);
	else
		ex_ref(f, b, k);
}

static void ex_mut(struct fe *f, struct buf *b, struct ex *x);

/* The loop's trip count as "lo, hi" for rt::room (plan.c knows it is
 * known up front: range() with one or two pure bounds, or a list name). */
static void add_trip_count(struct fe *f, struct buf *b, struct ex *iter)
{
	if (ex_is_call(iter, "range")) {
		if (iter->n == 1)
			buf_adds(b, "0");
		else
			ex_i64(f, b, iter->a[0]);
		buf_adds(b, ", ");
		ex_i64(f, b, iter->a[iter->n - 1]);
		return;
	}
	buf_addf(b, "0, %s.len() as i64", var_of(f, iter)->rname);
}

/* Room for every item the loop s appends (plan.c: st.room). */
static void emit_room(struct fe *f, const struct st *s)
{
	struct buf cnt = BUF_INIT, r = BUF_INIT;

	if (!s->room)
		return;
	add_trip_count(f, &cnt, s->iter);
	ex_mut(f, &r, s->room->a[0]);
	emit_line(f->e, "rt::room(%s, %s)?;", r.data, cnt.data);
	buf_release(&cnt);
	buf_release(&r);
}

/* The Rust name of a translated function's native code. */
const char *emit_fn_rname(const struct ir_fn *fn)
{
	static const char *bad[] = {
	    "as",	"async",  "await",   "box",	 "break", "const",
	    "continue", "crate",  "do",	     "dyn",	 "else",  "enum",
	    "extern",	"false",  "fn",	     "for",	 "gen",	  "if",
	    "impl",	"in",	  "let",     "loop",	 "macro", "match",
	    "mod",	"move",	  "mut",     "priv",	 "pub",	  "ref",
	    "return",	"self",	  "static",  "struct",	 "super", "trait",
	    "true",	"try",	  "type",    "typeof",	 "union", "unsafe",
	    "unsized",	"use",	  "virtual", "where",	 "while", "yield",
	    "rt",	"main",	  "Ok",	     "Err",	 "Some",  "None",
	    "abstract", "become", "final",   "override", "Vec",	  "String",
	};
	bool rename = !strncmp(fn->name, "py_", 3) ||
		      !strncmp(fn->name, "f_", 2) || fn->name[0] == '_';
	for (const char *p = fn->name; *p; p++)
		if ((unsigned char)*p >= 0x80)
			rename = true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (!strcmp(fn->name, bad[i]))
			rename = true;
	if (!rename)
		return fn->name;
	if (!fn->rname) {
		char *s = xasprintf("f_%d", fn->index);
		((struct ir_fn *)fn)->rname = s;
	}
	return fn->rname;
}

/* The name fn is printed under: its Rust name, or for its second,
 * Python-facing form (plan_py_form) that name + "_py". */
static const char *def_rname(const struct ir_fn *fn)
{
	if (!fn->py_form)
		return emit_fn_rname(fn);
	if (!fn->rname_py)
		((struct ir_fn *)fn)->rname_py =
		    xasprintf("%s_py", emit_fn_rname(fn));
	return fn->rname_py;
}

static void ex_own(struct fe *f, struct buf *b, struct ex *x);
static void ex_ref(struct fe *f, struct buf *b, struct ex *x);
static void ex_mut(struct fe *f, struct buf *b, struct ex *x);
static void ex_cond(struct fe *f, struct buf *b, struct ex *x);
static void ex_recv(struct fe *f, struct buf *b, struct ex *x);
static void ex_recv_mut(struct fe *f, struct buf *b, struct ex *x);
static void ex_slice(struct fe *f, struct buf *b, struct ex *x);
static void ex_str(struct fe *f, struct buf *b, struct ex *x);

static void add_float(struct buf *b, double v)
{
	char tmp[64];

	if (isnan(v)) {
		buf_adds(b, "f64::NAN");
		return;
	}
	if (isinf(v)) {
		buf_adds(b, v > 0 ? "f64::INFINITY" : "f64::NEG_INFINITY");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	buf_adds(b, tmp);
	if (!strpbrk(tmp, ".en"))
		buf_adds(b, ".0");
	else if (strchr(tmp, 'e') && !strchr(tmp, '.')) {
		/* 1e+20 is not a Rust float literal without a dot */
		struct buf t = BUF_INIT;
		char *e = strchr(tmp, 'e');
		buf_add(&t, tmp, (size_t)(e - tmp));
		buf_adds(&t, ".0");
		buf_adds(&t, e);
		buf_truncate(b, b->len - strlen(tmp));
		buf_adds(b, t.data);
		buf_release(&t);
	}
	if (v == 0 && signbit(v) && !strchr(tmp, '-'))
		buf_adds(b, "");
}

/* A Rust string literal ("..."), a &'static str. */
static void add_str_lit(struct buf *b, const char *s, size_t n)
{
	buf_addch(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_addf(b, "\\u{%x}", c);
			else
				buf_addch(b, (char)c);
		}
	}
	buf_addch(b, '"');
}

static void add_rust_str(struct buf *b, const char *s, size_t n)
{
	buf_adds(b, "String::from(");
	add_str_lit(b, s, n);
	buf_addch(b, ')');
}

/* An owned value of type t that a default-initialised local starts as. */
static void add_default(struct buf *b, const struct ty *t)
{
	switch (t->kind) {
	case TY_INT:
		buf_adds(b, "0");
		return;
	case TY_FLOAT:
		buf_adds(b, "0.0");
		return;
	case TY_BOOL:
		buf_adds(b, "false");
		return;
	case TY_NONE:
		buf_adds(b, "()");
		return;
	case TY_STR:
		buf_adds(b, "String::new()");
		return;
	case TY_LIST:
		buf_adds(b, "Vec::new()");
		return;
	case TY_DICT:
		buf_adds(b, "IndexMap::default()");
		return;
	case TY_SET:
		buf_adds(b, "IndexSet::new()");
		return;
	case TY_OPT:
		buf_adds(b, "None");
		return;
	case TY_NUM:
		buf_adds(b, "rt::Num::I(0)");
		return;
	case TY_TUPLE:
		buf_addch(b, '(');
		for (size_t i = 0; i < t->n; i++) {
			add_default(b, t->sub[i]);
			buf_adds(b, t->n == 1 ? "," : i + 1 < t->n ? ", " : "");
		}
		buf_addch(b, ')');
		return;
	default:
		unplanned("variable '%s' of type %s");
	}
}

static void ex_i64(struct fe *f, struct buf *b, struct ex *x);

static void ex_own_as(struct fe *f, struct buf *b, struct ex *x,
		      const struct ty *want)
{
	if (want && want->kind == TY_NUM && x->ty->kind != TY_NUM) {
		if (x->ty->kind == TY_INT) {
			buf_adds(b, "rt::Num::I(");
			ex_i64(f, b, x);
		} else if (x->ty->kind == TY_FLOAT) {
			buf_adds(b, "rt::Num::F(");
			ex_own(f, b, x);
		} else {
			unplanned("%s where int | float is expected");
			return;
		}
		buf_addch(b, ')');
		return;
	}
	if (want && want->kind == TY_OPT && x->ty->kind != TY_OPT) {
		if (x->ty->kind == TY_NONE) {
			buf_adds(b, "None");
			return;
		}
		buf_adds(b, "Some(");
		ex_own_as(f, b, x, want->sub[0]);
		buf_addch(b, ')');
		return;
	}
	if (want && ex_is_empty_display(x)) {
		if (want->kind == TY_LIST)
			buf_addf(b, "Vec::<%s>::new()", rty(want->sub[0]));
		else if (want->kind == TY_DICT)
			buf_addf(b, "IndexMap::<%s, %s>::default()",
				 rty(want->sub[0]), rty(want->sub[1]));
		else if (want->kind == TY_SET)
			buf_addf(b, "IndexSet::<%s>::new()", rty(want->sub[0]));
		else
			unplanned("empty display where %s is expected");
		return;
	}
	if (want && !ty_equal(x->ty, want)) {
		unplanned("value of type %s where %s is expected");
		return;
	}
	ex_own(f, b, x);
}

/* A numeric operand as f64 (Python converts int to float rounding to
 * nearest, as Rust's `as` does). */
static void ex_f64(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->kind == EX_INT) {
		add_float(b, (double)x->ival);
		return;
	}
	if (x->ty->kind == TY_FLOAT) {
		ex_own(f, b, x);
		return;
	}
	if (x->ty->kind == TY_NUM) {
		/* Python's int -> float for int op float: correctly rounded,
		 * as Rust's i64 as f64 */
		buf_addch(b, '(');
		ex_own(f, b, x);
		buf_adds(b, ").f()");
		return;
	}
	buf_addch(b, '(');
	ex_own(f, b, x);
	buf_adds(b, x->ty->kind == TY_BOOL ? " as i64 as f64)" : " as f64)");
}

static void ex_i64(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->ty->kind == TY_BOOL) {
		buf_addch(b, '(');
		ex_own(f, b, x);
		buf_adds(b, " as i64)");
		return;
	}
	ex_own(f, b, x);
}

static void emit_binop_num(struct fe *f, struct buf *b, int op, struct ex *x,
			   struct ex *y, const struct ty *res)
{
	static const char *int_fn[] = {
	    [OP_ADD] = "add_i",	    [OP_SUB] = "sub_i",
	    [OP_MUL] = "mul_i",	    [OP_FLOORDIV] = "floordiv_i",
	    [OP_MOD] = "mod_i",	    [OP_POW] = "pow_i",
	    [OP_LSHIFT] = "shl_i",  [OP_RSHIFT] = "shr_i",
	    [OP_DIV] = "truediv_i",
	};
	bool is_f = x->ty->kind == TY_FLOAT || y->ty->kind == TY_FLOAT;

	if (!is_f && res->kind == TY_BOOL) {
		const char *o = op == OP_BITAND	 ? "&"
				: op == OP_BITOR ? "|"
						 : "^";
		buf_addch(b, '(');
		ex_own(f, b, x);
		buf_addf(b, " %s ", o);
		ex_own(f, b, y);
		buf_addch(b, ')');
		return;
	}
	if (!is_f && op == OP_POW && res->kind == TY_FLOAT) {
		buf_adds(b, "rt::pow_f(");
		ex_f64(f, b, x);
		buf_adds(b, ", ");
		ex_f64(f, b, y);
		buf_adds(b, ")?");
		return;
	}
	if (!is_f) {
		if (op == OP_BITAND || op == OP_BITOR || op == OP_BITXOR) {
			const char *o = op == OP_BITAND	 ? "&"
					: op == OP_BITOR ? "|"
							 : "^";
			buf_addch(b, '(');
			ex_i64(f, b, x);
			buf_addf(b, " %s ", o);
			ex_i64(f, b, y);
			buf_addch(b, ')');
			return;
		}
		buf_addf(b, "rt::%s(", int_fn[op]);
		ex_i64(f, b, x);
		buf_adds(b, ", ");
		ex_i64(f, b, y);
		buf_adds(b, ")?");
		return;
	}
	switch (op) {
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
		buf_addch(b, '(');
		ex_f64(f, b, x);
		buf_addf(b, " %s ", binop_str(op));
		ex_f64(f, b, y);
		buf_addch(b, ')');
		return;
	case OP_DIV:
	case OP_FLOORDIV:
	case OP_MOD:
	case OP_POW:
		buf_addf(b, "rt::%s(",
			 op == OP_DIV	     ? "div_f"
			 : op == OP_FLOORDIV ? "floordiv_f"
			 : op == OP_MOD	     ? "mod_f"
					     : "pow_f");
		ex_f64(f, b, x);
		buf_adds(b, ", ");
		ex_f64(f, b, y);
		buf_adds(b, ")?");
		return;
	default:
		unplanned("operator %s on float");
	}
}

static void emit_binop(struct fe *f, struct buf *b, int op, struct ex *x,
		       struct ex *y, const struct ty *res)
{
	const struct ty *tx = x->ty, *ty = y->ty;

	if ((tx->kind == TY_NUM || ty->kind == TY_NUM) && op == OP_DIV &&
	    tx->kind != TY_FLOAT && ty->kind != TY_FLOAT) {
		/* int / int is correctly rounded, float / int converts */
		buf_adds(b, "rt::num_div(");
		ex_own_as(f, b, x, ty_basic(TY_NUM));
		buf_adds(b, ", ");
		ex_own_as(f, b, y, ty_basic(TY_NUM));
		buf_adds(b, ")?");
		return;
	}
	if ((tx->kind == TY_NUM || ty->kind == TY_NUM) && res->kind == TY_NUM) {
		/* int | float op int: int arithmetic while both are ints */
		if (op != OP_ADD && op != OP_SUB && op != OP_MUL) {
			unplanned("operator %s on int | float");
			return;
		}
		buf_addf(b, "rt::num_%s(",
			 op == OP_ADD	? "add"
			 : op == OP_SUB ? "sub"
					: "mul");
		ex_own_as(f, b, x, ty_basic(TY_NUM));
		buf_adds(b, ", ");
		ex_own_as(f, b, y, ty_basic(TY_NUM));
		buf_adds(b, ")?");
		return;
	}
	if ((is_intlike(tx) || tx->kind == TY_FLOAT || tx->kind == TY_NUM) &&
	    (is_intlike(ty) || ty->kind == TY_FLOAT || ty->kind == TY_NUM)) {
		emit_binop_num(f, b, op, x, y, res);
		return;
	}
	if (op == OP_ADD && tx->kind == TY_STR) {
		buf_adds(b, "rt::cat(");
		ex_str(f, b, x);
		buf_adds(b, ", ");
		ex_str(f, b, y);
		buf_addch(b, ')');
		return;
	}
	if (op == OP_ADD && tx->kind == TY_LIST) {
		if (!ty_equal(tx, ty)) {
			unplanned("list + list of different types");
			return;
		}
		buf_adds(b, "rt::lcat(");
		ex_ref(f, b, x);
		buf_adds(b, ", ");
		ex_ref(f, b, y);
		buf_addch(b, ')');
		return;
	}
	if (op == OP_MUL && (tx->kind == TY_STR || tx->kind == TY_LIST)) {
		buf_addf(b, "rt::%s(",
			 tx->kind == TY_STR ? "srepeat" : "repeat");
		ex_ref(f, b, x);
		buf_adds(b, ", ");
		ex_i64(f, b, y);
		buf_adds(b, ")?");
		return;
	}
	if (op == OP_ADD && tx->kind == TY_TUPLE && ty->kind == TY_TUPLE) {
		char *t1 = tmpname(f, "t"), *t2 = tmpname(f, "t");
		buf_addf(b, "{ let %s = ", t1);
		ex_own(f, b, x);
		buf_addf(b, "; let %s = ", t2);
		ex_own(f, b, y);
		buf_adds(b, "; (");
		for (size_t i = 0; i < tx->n; i++)
			buf_addf(b, "%s.%zu, ", t1, i);
		for (size_t i = 0; i < ty->n; i++)
			buf_addf(b, "%s.%zu, ", t2, i);
		buf_adds(b, ") }");
		return;
	}
	unplanned("operator %s between %s and %s");
}

/* A numeric operand (Rust text own of type t) as an rt::Num. */
static void add_num(struct buf *b, const char *own, const struct ty *t)
{
	if (t->kind == TY_NUM)
		buf_adds(b, own);
	else if (t->kind == TY_FLOAT)
		buf_addf(b, "rt::Num::F(%s)", own);
	else
		buf_addf(b, "rt::Num::I(%s%s)", own,
			 t->kind == TY_BOOL ? " as i64" : "");
}

/* One operand of a comparison, printed once: its owned and its borrowed
 * Rust text. */
struct side {
	const struct ex *x;
	const char *own, *ref;
};

static const char *const cmp_ops[] = {
    [CMP_LT] = "<",  [CMP_LE] = "<=", [CMP_GT] = ">",
    [CMP_GE] = ">=", [CMP_EQ] = "==", [CMP_NE] = "!=",
};

/* x is None / x is not None: only optionals can be None here. */
static void cmp_is(struct buf *b, int op, const struct side *l,
		   const struct side *r)
{
	const char *opt = l->x->ty->kind == TY_OPT   ? l->ref
			  : r->x->ty->kind == TY_OPT ? r->ref
						     : NULL;

	if (opt)
		buf_addf(b, "(%s).is_%s()", opt,
			 op == CMP_IS ? "none" : "some");
	else
		buf_adds(b, op == CMP_IS ? "true" : "false");
}

static void cmp_in_list(struct buf *b, int op, const struct side *l,
			const struct side *r)
{
	const struct ty *tx = l->x->ty, *el = r->x->ty->sub[0];
	const char *neg = op == CMP_NOTIN ? "!" : "";

	if (ty_equal(tx, el))
		buf_addf(b, "%srt::contains(%s, %s)?", neg, r->ref, l->ref);
	else if (is_intlike(tx) && el->kind == TY_FLOAT)
		buf_addf(b, "%srt::contains(%s, &rt::exact_f(%s%s)?)?", neg,
			 r->ref, l->own, tx->kind == TY_BOOL ? " as i64" : "");
	else if (el->kind == TY_NEVER)
		buf_addf(b, "%s(%s).is_empty()", op == CMP_IN ? "!" : "",
			 r->ref);
	else
		unplanned("'in' between %s and %s");
}

static void add_str_side(struct buf *b, const struct side *s);

/* A set display of str literals tested with a str, or of int literals
 * (past i64::MIN, which a pattern cannot spell) with an int. */
static bool literal_items(const struct ex *set, const struct ty *tx)
{
	int want = tx->kind == TY_STR ? EX_STR
		   : tx->kind == TY_INT ? EX_INT
					: -1;

	for (size_t i = 0; i < set->n; i++)
		if ((int)set->a[i]->kind != want ||
		    (want == EX_INT && set->a[i]->ival == INT64_MIN))
			return false;
	return set->n > 0;
}

/* x in {"a", "b"} or ("a", "b"), literal_items: a match!, no set or
 * tuple built per test. */
static void lit_match(struct buf *b, const char *neg, const struct side *l,
		      const struct ex *items)
{
	buf_addf(b, "%smatches!(", neg);
	if (l->x->ty->kind == TY_STR)
		add_str_side(b, l);
	else
		buf_adds(b, l->own);
	for (size_t i = 0; i < items->n; i++) {
		const struct ex *k = items->a[i];
		buf_adds(b, i ? " | " : ", ");
		if (k->kind == EX_STR)
			add_str_lit(b, k->sval, k->slen);
		else
			buf_addf(b, "%lld", (long long)k->ival);
	}
	buf_addch(b, ')');
}

/* x in "literal": a one-character x is a match! on the literal's code
 * points (a substring search per test was most of a character-count
 * loop); any other x (empty, or several characters) searches. */
static void str_in_lit(struct buf *b, const char *neg, const struct side *l,
		       const struct ex *lit)
{
	const unsigned char *s = (const unsigned char *)lit->sval;
	long seen[512];
	size_t nseen = 0;

	/* a match on the needle keeps a temporary (x.upper()) alive */
	buf_addf(b, "%s(match ", neg);
	add_str_side(b, l);
	buf_adds(b, " { __n => { let mut __i = __n.chars(); match (__i.next(), "
		    "__i.next()) { (Some(__c), None) => matches!(__c");
	for (size_t i = 0; i < lit->slen;) {
		size_t len = s[i] < 0x80 ? 1 : s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : 4;
		struct ex one = {.kind = EX_STR,
				 .sval = (char *)s + i,
				 .slen = len};
		long cp = ex_one_char(&one);
		bool dup = false;
		i += len;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = seen[k] == cp;
		if (cp < 0 || dup)
			continue;
		seen[nseen++] = cp;
		buf_addf(b, "%s'\\u{%lx}'", nseen == 1 ? ", " : " | ", cp);
	}
	buf_adds(b, "), _ => ");
	add_str_lit(b, lit->sval, lit->slen);
	buf_adds(b, ".contains(__n) } } })");
}

/* x in y, x not in y. */
static void cmp_in(struct buf *b, int op, const struct side *l,
		   const struct side *r)
{
	const struct ty *tx = l->x->ty, *ty = r->x->ty;
	const char *neg = op == CMP_NOTIN ? "!" : "";

	switch (ty->kind) {
	case TY_LIST:
		cmp_in_list(b, op, l, r);
		return;
	case TY_DICT:
	case TY_SET:
		if (r->x->kind == EX_SET && literal_items(r->x, tx)) {
			/* a display of literals (or a set constant) */
			lit_match(b, neg, l, r->x);
		} else if (ty->sub[0]->kind == TY_NEVER &&
			   !ty_equal(tx, ty->sub[0]))
			buf_adds(b, op == CMP_IN ? "false" : "true");
		else if (!ty_equal(tx, ty->sub[0]))
			unplanned("'in' between %s and %s");
		else
			buf_addf(b, "%s(%s).%s(%s)", neg, r->ref,
				 ty->kind == TY_DICT ? "contains_key"
						     : "contains",
				 l->ref);
		return;
	case TY_STR:
		if (r->x->kind == EX_STR && l->x->kind != EX_STR &&
		    r->x->slen > 1 && r->x->slen <= 512 &&
		    !ex_has_surrogate(r->x)) {
			str_in_lit(b, neg, l, r->x);
			return;
		}
		/* literals stay literals (no String made per test) */
		buf_addf(b, "%s", neg);
		add_str_side(b, r);
		buf_adds(b, ".contains(");
		add_str_side(b, l);
		buf_addch(b, ')');
		return;
	case TY_TUPLE:
		if (r->x->kind == EX_TUPLE && literal_items(r->x, tx)) {
			/* x in ("==", "!=") */
			lit_match(b, neg, l, r->x);
			return;
		}
		buf_addf(b, "%s(false", neg);
		for (size_t i = 0; i < ty->n; i++) {
			if (!ty_equal(tx, ty->sub[i]))
				unplanned("'in' a tuple of other types");
			buf_addf(b, " || rt::peq(%s, &(%s).%zu)?", l->ref,
				 r->ref, i);
		}
		buf_addch(b, ')');
		return;
	default:
		unplanned("'in' on %s");
	}
}

/* int against float (or int | float): exact, never through a rounded
 * float (2**53 + 1 == 2.0**53 is False). */
static void cmp_mixed(struct buf *b, int op, const struct side *l,
		      const struct side *r)
{
	static const char *fns[] = {
	    [CMP_LT] = "lt", [CMP_LE] = "le", [CMP_GT] = "gt",
	    [CMP_GE] = "ge", [CMP_EQ] = "eq", [CMP_NE] = "ne",
	};
	const struct ex *x = l->x, *y = r->x;

	/* a float against an int literal that is an exact double: a plain
	 * float comparison */
	if (x->ty->kind == TY_FLOAT && y->kind == EX_INT &&
	    llabs(y->ival) <= (1LL << 53)) {
		buf_addf(b, "(%s %s ", l->own, cmp_ops[op]);
		add_float(b, (double)y->ival);
		buf_addch(b, ')');
		return;
	}
	if (y->ty->kind == TY_FLOAT && x->kind == EX_INT &&
	    llabs(x->ival) <= (1LL << 53)) {
		buf_addch(b, '(');
		add_float(b, (double)x->ival);
		buf_addf(b, " %s %s)", cmp_ops[op], r->own);
		return;
	}
	buf_addf(b, "rt::n_%s(", fns[op]);
	add_num(b, l->own, x->ty);
	buf_adds(b, ", ");
	add_num(b, r->own, y->ty);
	buf_addch(b, ')');
}

/* One side of an int / float / bool comparison: an int against a float
 * only when it is one exactly (rt::exact_f). */
static void add_num_side(struct buf *b, const struct side *s,
			 const struct ty *other)
{
	const char *as_i = s->x->ty->kind == TY_BOOL ? " as i64" : "";

	if (s->x->ty->kind == TY_FLOAT || other->kind != TY_FLOAT)
		buf_addf(b, "%s%s", s->own, as_i);
	else
		buf_addf(b, "rt::exact_f(%s%s)?", s->own, as_i);
}

static void cmp_numeric(struct buf *b, int op, const struct side *l,
			const struct side *r)
{
	if (l->x->ty->kind == TY_BOOL && r->x->ty->kind == TY_BOOL) {
		buf_addf(b, "(%s %s %s)", l->own, cmp_ops[op], r->own);
		return;
	}
	buf_addch(b, '(');
	add_num_side(b, l, r->x->ty);
	buf_addf(b, " %s ", cmp_ops[op]);
	add_num_side(b, r, l->x->ty);
	buf_addch(b, ')');
}

/* A str side as &str: a literal needs no String. */
static void add_str_side(struct buf *b, const struct side *s)
{
	if (s->x->kind == EX_STR)
		add_str_lit(b, s->x->sval, s->x->slen);
	else
		buf_addf(b, "(%s).as_str()", s->ref);
}

/* Values of one type: rt::peq / rt::plt / rt::ple (Python's order of
 * containers and tuples). */
static void cmp_values(struct buf *b, int op, const struct side *l,
		       const struct side *r)
{
	static const struct {
		const char *fn;
		bool neg, swap;
	} how[] = {
	    [CMP_EQ] = {"peq", false, false}, [CMP_NE] = {"peq", true, false},
	    [CMP_LT] = {"plt", false, false}, [CMP_LE] = {"ple", false, false},
	    [CMP_GT] = {"plt", false, true},  [CMP_GE] = {"ple", false, true},
	};

	buf_addf(b, "%srt::%s(%s, %s)?", how[op].neg ? "!" : "", how[op].fn,
		 how[op].swap ? r->ref : l->ref,
		 how[op].swap ? l->ref : r->ref);
}

static bool is_num_ty(const struct ty *t)
{
	return is_intlike(t) || t->kind == TY_FLOAT;
}

/* l op r, both operands already printed. */
static void emit_cmp_pair(struct buf *b, int op, const struct side *l,
			  const struct side *r)
{
	const struct ty *tx = l->x->ty, *ty = r->x->ty;

	if (op == CMP_IS || op == CMP_ISNOT) {
		cmp_is(b, op, l, r);
	} else if (op == CMP_IN || op == CMP_NOTIN) {
		cmp_in(b, op, l, r);
	} else if (tx->kind == TY_NUM || ty->kind == TY_NUM ||
		   (tx->kind == TY_FLOAT && is_intlike(ty)) ||
		   (ty->kind == TY_FLOAT && is_intlike(tx))) {
		cmp_mixed(b, op, l, r);
	} else if (is_num_ty(tx) && is_num_ty(ty)) {
		cmp_numeric(b, op, l, r);
	} else if (tx->kind == TY_STR && ty->kind == TY_STR) {
		buf_addch(b, '(');
		add_str_side(b, l);
		buf_addf(b, " %s ", cmp_ops[op]);
		add_str_side(b, r);
		buf_addch(b, ')');
	} else if (tx->kind == TY_NONE && ty->kind == TY_NONE) {
		buf_adds(b, op == CMP_EQ || op == CMP_LE || op == CMP_GE
				? "true"
				: "false");
	} else if (!ty_equal(tx, ty)) {
		unplanned("comparison between %s and %s");
	} else {
		cmp_values(b, op, l, r);
	}
}

static char *str_of(struct fe *f, struct ex *x, bool ref)
{
	struct buf b = BUF_INIT;
	char *s;

	if (ref)
		ex_ref(f, &b, x);
	else
		ex_own(f, &b, x);
	s = arena_strdup(&f->m->arena, b.data);
	buf_release(&b);
	return s;
}

/* The str literals of a display (x in ("a", "b")), sep between them. */
static void add_str_lits(struct buf *b, const struct ex *items, const char *sep)
{
	for (size_t i = 0; i < items->n; i++) {
		if (i)
			buf_adds(b, sep);
		add_str_lit(b, items->a[i]->sval, items->a[i]->slen);
	}
}

/* A str literal a slice can be compared with by code points. */
static bool plain_str_lit(const struct ex *x)
{
	return x->kind == EX_STR && !ex_has_surrogate(x);
}

/* s[i:j] == "lit" (either way round), s[i:j] in ("==", "!=") of a str
 * with an rt::StrIx: compares code points where they are, no str made
 * for the slice. */
static bool emit_slice_cmp(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *x = e->a[0], *y = e->a[1];
	int op = e->cmp[0];
	bool in = op == CMP_IN || op == CMP_NOTIN;

	if (e->n != 2 || !(in || op == CMP_EQ || op == CMP_NE))
		return false;
	if (!in && plain_str_lit(x)) {
		struct ex *t = x;
		x = y;
		y = t;
	}
	if (x->kind != EX_SLICE || x->a[3] || x->a[0]->ty->kind != TY_STR ||
	    !strix(f, x->a[0]))
		return false;
	if (in) {
		if (y->kind != EX_TUPLE && y->kind != EX_LIST &&
		    y->kind != EX_SET)
			return false;
		for (size_t i = 0; i < y->n; i++)
			if (!plain_str_lit(y->a[i]))
				return false;
	} else if (!plain_str_lit(y)) {
		return false;
	}
	buf_addf(b, "%s%s.slice_%s(",
		 op == CMP_NE || op == CMP_NOTIN ? "!" : "", strix(f, x->a[0]),
		 in ? "in" : "eq");
	opt_i64(f, b, x->a[1]);
	buf_adds(b, ", ");
	opt_i64(f, b, x->a[2]);
	if (in) {
		buf_adds(b, ", &[");
		add_str_lits(b, y, ", ");
		buf_adds(b, "])?");
	} else {
		buf_adds(b, ", ");
		add_str_lit(b, y->sval, y->slen);
		buf_adds(b, ")?");
	}
	return true;
}

/* A test of a str local kept as a char or a span (plan_str_locals:
 * local_test_ok): c == "x", c in "+-", w == "if", w in ("if", "fn"). */
static bool emit_local_cmp(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *x = e->a[0], *y = e->a[1];
	int op = e->cmp[0];
	bool neg = op == CMP_NE || op == CMP_NOTIN;
	struct var *v;

	if (e->n != 2)
		return false;
	if ((op == CMP_EQ || op == CMP_NE) && !str_local(f, x, false) &&
	    !str_local(f, x, true) && !str_sref(f, x)) {
		x = e->a[1];
		y = e->a[0];
	}
	if ((v = str_sref(f, x))) {
		if (op == CMP_EQ || op == CMP_NE) {
			buf_addf(b, "(%s.as_str() %s ", v->rname,
				 neg ? "!=" : "==");
			add_str_lit(b, y->sval, y->slen);
			buf_addch(b, ')');
			return true;
		}
		if (y->kind == EX_NAME)
			return false; /* t in d: contains_key(t.as_str()) */
		buf_addf(b, "%smatches!(%s.as_str(), ", neg ? "!" : "",
			 v->rname);
		add_str_lits(b, y, " | ");
		buf_addch(b, ')');
		return true;
	}
	if ((v = str_local(f, x, false))) {
		buf_addf(b, "%smatches!(%s, ", neg ? "!" : "", v->rname);
		add_char_alts(b, y);
		buf_addch(b, ')');
		return true;
	}
	if (!(v = str_local(f, x, true)))
		return false;
	if (op == CMP_EQ || op == CMP_NE) {
		buf_addf(b, "%s%s.span_eq(%s, ", neg ? "!" : "",
			 f->sx[v->span_src], v->rname);
		add_str_lit(b, y->sval, y->slen);
	} else {
		buf_addf(b, "%s%s.span_in(%s, &[", neg ? "!" : "",
			 f->sx[v->span_src], v->rname);
		add_str_lits(b, y, ", ");
		buf_addch(b, ']');
	}
	buf_addch(b, ')');
	return true;
}

/* A comparison chain. Chains evaluate each middle operand once, and an
 * operand only when every comparison before it held, as Python does
 * (a < b < f() does not call f when a < b is false):
 * { let c0 = a; let c1 = b; c0 < c1 && { let c2 = f(); c1 < c2 } } */
static void emit_cmp(struct fe *f, struct buf *b, struct ex *e)
{
	struct side prev = {0};

	if (e->n == 2 && (e->cmp[0] == CMP_IN || e->cmp[0] == CMP_NOTIN) &&
	    is_dview(f, e->a[1])) {
		buf_adds(b, e->cmp[0] == CMP_NOTIN ? "!" : "");
		dview_call(f, b, "d_has", e->a[1], e->a[0]);
		buf_adds(b, ")?");
		return;
	}
	if (emit_local_cmp(f, b, e) || emit_char_cmp(f, b, e) ||
	    emit_slice_cmp(f, b, e))
		return;
	if (e->n == 2) {
		/* the right operand's text first, borrowed then owned (the
		 * numbering of temporaries follows this order) */
		struct side r = {e->a[1], NULL, str_of(f, e->a[1], true)};
		struct side l;
		r.own = str_of(f, e->a[1], false);
		l.x = e->a[0];
		l.ref = str_of(f, e->a[0], true);
		l.own = str_of(f, e->a[0], false);
		emit_cmp_pair(b, e->cmp[0], &l, &r);
		return;
	}
	for (size_t i = 0; i < e->n; i++) {
		struct side cur = {e->a[i], tmpname(f, "c"), NULL};
		char *ref = xasprintf("&%s", cur.own);
		cur.ref = arena_strdup(&f->m->arena, ref);
		free(ref);
		buf_addf(b, "{ let %s = ", cur.own);
		ex_own(f, b, e->a[i]);
		buf_adds(b, "; ");
		if (i)
			emit_cmp_pair(b, e->cmp[i - 1], &prev, &cur);
		if (i && i + 1 < e->n)
			buf_adds(b, " && ");
		prev = cur;
	}
	for (size_t i = 0; i < e->n; i++)
		buf_adds(b, " }");
}

static void emit_math(struct fe *f, struct buf *b, struct ex *e)
{
	const char *fn = e->sval + 5;
	static const char *checked[] = {"sqrt", "exp", "log2", "log10"};
	static const char *math1[] = {"sin",  "cos",   "tan",  "asin",
				      "acos", "atan",  "sinh", "cosh",
				      "tanh", "expm1", "log1p"};

	for (size_t i = 0; i < sizeof(checked) / sizeof(*checked); i++) {
		if (strcmp(fn, checked[i]))
			continue;
		buf_addf(b, "rt::%s(", fn);
		ex_f64(f, b, e->a[0]);
		buf_adds(b, ")?");
		return;
	}
	for (size_t i = 0; i < sizeof(math1) / sizeof(*math1); i++) {
		char *t;
		if (strcmp(fn, math1[i]))
			continue;
		t = tmpname(f, "x");
		buf_addf(b, "{ let %s = ", t);
		ex_f64(f, b, e->a[0]);
		buf_addf(b, "; rt::math1(%s, f64::%s(%s))? }", t,
			 !strcmp(fn, "expm1")	? "exp_m1"
			 : !strcmp(fn, "log1p") ? "ln_1p"
						: fn,
			 t);
		return;
	}
	if (!strcmp(fn, "log")) {
		buf_adds(b, e->n == 2 ? "rt::log_base(" : "rt::log(");
		ex_f64(f, b, e->a[0]);
		if (e->n == 2) {
			buf_adds(b, ", ");
			ex_f64(f, b, e->a[1]);
		}
		buf_adds(b, ")?");
		return;
	}
	if (!strcmp(fn, "fabs")) {
		buf_adds(b, "f64::abs(");
		ex_f64(f, b, e->a[0]);
		buf_addch(b, ')');
		return;
	}
	if (!strcmp(fn, "degrees") || !strcmp(fn, "radians")) {
		buf_addch(b, '(');
		ex_f64(f, b, e->a[0]);
		buf_adds(b, fn[0] == 'd'
				? " * (180.0 / std::f64::consts::PI))"
				: " * (std::f64::consts::PI / 180.0))");
		return;
	}
	if (!strcmp(fn, "floor") || !strcmp(fn, "ceil") ||
	    !strcmp(fn, "trunc")) {
		if (is_intlike(e->a[0]->ty)) {
			ex_i64(f, b, e->a[0]);
			return;
		}
		buf_addf(b, "rt::%s(", fn);
		ex_own(f, b, e->a[0]);
		buf_adds(b, ")?");
		return;
	}
	if (!strcmp(fn, "isnan") || !strcmp(fn, "isinf") ||
	    !strcmp(fn, "isfinite")) {
		buf_addf(b, "f64::%s(",
			 !strcmp(fn, "isnan")	? "is_nan"
			 : !strcmp(fn, "isinf") ? "is_infinite"
						: "is_finite");
		ex_f64(f, b, e->a[0]);
		buf_addch(b, ')');
		return;
	}
	if (!strcmp(fn, "copysign") || !strcmp(fn, "fmod") ||
	    !strcmp(fn, "atan2")) {
		buf_addf(b, "%s(",
			 !strcmp(fn, "copysign") ? "f64::copysign"
			 : !strcmp(fn, "fmod")	 ? "rt::fmod"
						 : "rt::atan2");
		ex_f64(f, b, e->a[0]);
		buf_adds(b, ", ");
		ex_f64(f, b, e->a[1]);
		buf_adds(b, !strcmp(fn, "fmod") ? ")?" : ")");
		return;
	}
	unplanned("math.%s");
}

/* An expression usable as &[T] / &Vec<T> for builtins over iterables. */
static void ex_slice(struct fe *f, struct buf *b, struct ex *x)
{
	if (ex_is_call(x, "range")) {
		buf_adds(b, "&rt::range_vec(");
		if (x->n == 1)
			buf_adds(b, "0, ");
		for (size_t i = 0; i < x->n; i++) {
			if (i)
				buf_adds(b, ", ");
			ex_i64(f, b, x->a[i]);
		}
		buf_adds(b, x->n == 3 ? ")?" : ", 1)?");
		return;
	}
	if (ex_is_method(x, "keys") || ex_is_method(x, "values") ||
	    ex_is_method(x, "items")) {
		buf_addf(b, "&rt::d%s(", x->sval);
		ex_ref(f, b, x->a[0]);
		buf_addch(b, ')');
		return;
	}
	if (ex_is_call(x, "reversed") && x->n == 1 &&
	    x->a[0]->ty->kind == TY_LIST) {
		char *t = tmpname(f, "r");
		buf_addf(b, "&{ let mut %s = ", t);
		ex_own(f, b, x->a[0]);
		buf_addf(b, "; %s.reverse(); %s }", t, t);
		return;
	}
	if (x->kind == EX_CALL && !x->fn &&
	    (ex_is_call(x, "enumerate") || ex_is_call(x, "zip") ||
	     ex_is_call(x, "reversed"))) {
		unplanned("%s() outside a for loop");
		return;
	}
	switch (x->ty->kind) {
	case TY_LIST:
		ex_ref(f, b, x);
		return;
	case TY_STR:
		buf_adds(b, "&rt::chars(");
		ex_ref(f, b, x);
		buf_addch(b, ')');
		return;
	case TY_DICT:
		buf_adds(b, "&rt::dkeys(");
		ex_ref(f, b, x);
		buf_addch(b, ')');
		return;
	case TY_TUPLE: {
		char *t = tmpname(f, "t");
		buf_addf(b, "&{ let %s = ", t);
		ex_own(f, b, x);
		buf_adds(b, "; vec![");
		for (size_t i = 0; i < x->ty->n; i++)
			buf_addf(b, "%s%s.%zu", i ? ", " : "", t, i);
		buf_adds(b, "] }");
		return;
	}
	default:
		unplanned("iterating %s here");
	}
}

/* ---- builtins: one printer each, found by name ---- */

static void print_len(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *a0 = e->a[0];

	if (is_dview(f, a0)) {
		buf_addf(b, "(rt::DictRead::d_len(%s) as i64)",
			 var_of(f, a0)->rname);
	} else if (dview_items(f, a0)) {
		/* len(d[k]): the list's size, its items not read */
		buf_addch(b, '(');
		dview_call(f, b, "d_items", a0->a[0], a0->a[1]);
		buf_adds(b, ")?.len() as i64)");
	} else if (str_sref(f, a0)) {
		buf_addf(b, "rt::slen(%s.as_str())", str_sref(f, a0)->rname);
	} else if (str_local(f, a0, true)) {
		buf_addf(b, "%s.len()", str_local(f, a0, true)->rname);
	} else if (a0->ty->kind == TY_STR && strix(f, a0)) {
		buf_addf(b, "%s.len()", strix(f, a0));
	} else if (a0->ty->kind == TY_STR) {
		buf_adds(b, "rt::slen(");
		ex_ref(f, b, a0);
		buf_addch(b, ')');
	} else if (a0->ty->kind == TY_TUPLE && a0->kind == EX_NAME &&
		   !a0->unwrap) {
		buf_addf(b, "%zu", a0->ty->n);
	} else if (a0->ty->kind == TY_TUPLE) {
		/* still evaluated: it may raise (None, xs[i]) */
		buf_adds(b, "{ let _ = ");
		ex_ref(f, b, a0);
		buf_addf(b, "; %zu }", a0->ty->n);
	} else if (a0->ty->kind == TY_NONE) {
		unplanned("len() of None");
	} else {
		buf_addch(b, '(');
		ex_recv(f, b, a0);
		buf_adds(b, ".len() as i64)");
	}
}

static void print_abs(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *a0 = e->a[0];

	if (a0->ty->kind == TY_FLOAT) {
		buf_adds(b, "f64::abs(");
		ex_own(f, b, a0);
		buf_addch(b, ')');
	} else if (a0->ty->kind == TY_BOOL) {
		ex_i64(f, b, a0);
	} else {
		buf_adds(b, "rt::abs_i(");
		ex_own(f, b, a0);
		buf_adds(b, ")?");
	}
}

/* min(xs) / max(a, b, ...) */
static void print_min_max(struct fe *f, struct buf *b, struct ex *e)
{
	if (e->n == 1) {
		buf_addf(b, "rt::%s_of(", e->sval);
		ex_slice(f, b, e->a[0]);
		buf_adds(b, ")?");
		return;
	}
	for (size_t i = 1; i < e->n; i++)
		buf_addf(b, "rt::%s2(", e->sval);
	ex_own(f, b, e->a[0]);
	for (size_t i = 1; i < e->n; i++) {
		buf_adds(b, ", ");
		ex_own(f, b, e->a[i]);
		buf_addch(b, ')');
	}
}

/* sum() of floats adds as the interpreter does (3.12 compensates). */
static void print_sum_float(struct fe *f, struct buf *b, struct ex *e)
{
	const char *v12 = f->m->py_minor >= 12 ? "12" : "";

	if (e->n == 2) {
		buf_addf(b, "rt::sum_fs%s(", v12);
		ex_slice(f, b, e->a[0]);
		buf_adds(b, ", ");
		ex_own(f, b, e->a[1]);
		buf_addch(b, ')');
	} else {
		buf_addf(b, "rt::sum_f%s(", v12);
		ex_slice(f, b, e->a[0]);
		buf_adds(b, ")?");
	}
}

static void print_sum(struct fe *f, struct buf *b, struct ex *e)
{
	const struct ty *el = ex_elem_ty(e->a[0]);

	if (el->kind == TY_FLOAT ||
	    (e->n == 2 && e->a[1]->ty->kind == TY_FLOAT)) {
		if (el->kind != TY_FLOAT)
			unplanned("sum() of %s from a float start");
		else
			print_sum_float(f, b, e);
		return;
	}
	if (e->n == 2)
		buf_adds(b, "rt::add_i(");
	if (el->kind == TY_BOOL) {
		buf_adds(b, "rt::sum_b(");
		ex_slice(f, b, e->a[0]);
		buf_addch(b, ')');
	} else if (el->kind == TY_INT) {
		buf_adds(b, "rt::sum_i(");
		ex_slice(f, b, e->a[0]);
		buf_adds(b, ")?");
	} else {
		buf_adds(b, "0");
	}
	if (e->n == 2) {
		buf_adds(b, ", ");
		ex_i64(f, b, e->a[1]);
		buf_adds(b, ")?");
	}
}

/* rt::NAME(x)? of an owned x, or of a borrowed one. */
static void add_call1(struct fe *f, struct buf *b, const char *name,
		      struct ex *x, bool ref)
{
	buf_addf(b, "rt::%s(", name);
	if (ref)
		ex_ref(f, b, x);
	else
		ex_own(f, b, x);
	buf_adds(b, ")?");
}

static void print_int_of(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *a0 = e->n ? e->a[0] : NULL;

	if (!a0)
		buf_adds(b, "0");
	else if (a0->ty->kind == TY_FLOAT)
		add_call1(f, b, "trunc", a0, false);
	else if (a0->ty->kind == TY_STR)
		add_call1(f, b, "int_s", a0, true);
	else
		ex_i64(f, b, a0);
}

static void print_float_of(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *a0 = e->n ? e->a[0] : NULL;

	if (!a0)
		buf_adds(b, "0.0");
	else if (a0->ty->kind == TY_STR)
		add_call1(f, b, "float_s", a0, true);
	else
		ex_f64(f, b, a0);
}

static void print_bool_of(struct fe *f, struct buf *b, struct ex *e)
{
	if (!e->n)
		buf_adds(b, "false");
	else
		ex_cond(f, b, e->a[0]);
}

static void print_str_of(struct fe *f, struct buf *b, struct ex *e)
{
	static const char *wrap[] = {
	    [TY_FLOAT] = "rt::repr_f(",
	    [TY_BOOL] = "rt::repr_b(",
	    [TY_INT] = "i64::to_string(&",
	};
	struct ex *a0 = e->n ? e->a[0] : NULL;
	enum ty_kind k = a0 ? a0->ty->kind : TY_UNKNOWN;

	if (!a0) {
		buf_adds(b, "String::new()");
	} else if (k == TY_FLOAT || k == TY_BOOL || k == TY_INT) {
		buf_adds(b, wrap[k]);
		ex_own(f, b, a0);
		buf_addch(b, ')');
	} else {
		ex_own(f, b, a0);
	}
}

static void print_round(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *a0 = e->a[0];
	bool fl = a0->ty->kind == TY_FLOAT;

	if (e->n == 2) {
		/* round(x, n): CPython's correctly rounded decimal */
		buf_adds(b, fl ? "rt::round_fn(" : "rt::round_in(");
		if (fl)
			ex_own(f, b, a0);
		else
			ex_i64(f, b, a0);
		buf_adds(b, ", ");
		ex_i64(f, b, e->a[1]);
		buf_adds(b, ")?");
	} else if (fl) {
		add_call1(f, b, "round_f", a0, false);
	} else {
		ex_i64(f, b, a0);
	}
}

static void print_sorted(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *a0 = e->a[0];

	if (a0->ty->kind == TY_SET) {
		buf_adds(b, "rt::sorted_set(");
		ex_ref(f, b, a0);
	} else {
		buf_adds(b, "rt::sorted(");
		ex_slice(f, b, a0);
	}
	buf_addf(b, ", %s)?", e->n == 2 && e->a[1]->ival ? "true" : "false");
}

static void print_list_of(struct fe *f, struct buf *b, struct ex *e)
{
	if (!e->n) {
		buf_addf(b, "Vec::<%s>::new()", rty(e->ty->sub[0]));
		return;
	}
	buf_addch(b, '(');
	ex_slice(f, b, e->a[0]);
	buf_adds(b, ").to_vec()");
}

static void print_set_of(struct fe *f, struct buf *b, struct ex *e)
{
	if (!e->n) {
		buf_addf(b, "IndexSet::<%s>::new()", rty(e->ty->sub[0]));
		return;
	}
	buf_adds(b, "rt::set_from((");
	ex_slice(f, b, e->a[0]);
	buf_adds(b, ").to_vec())");
}

static void print_dict_of(struct fe *f, struct buf *b, struct ex *e)
{
	buf_addf(b, "IndexMap::<%s, %s>::default()", rty(e->ty->sub[0]),
		 rty(e->ty->sub[1]));
}

static void print_any_all(struct fe *f, struct buf *b, struct ex *e)
{
	buf_addf(b, "rt::%s(", e->sval);
	ex_slice(f, b, e->a[0]);
	buf_addch(b, ')');
}

static void print_divmod(struct fe *f, struct buf *b, struct ex *e)
{
	char *x = tmpname(f, "a"), *y = tmpname(f, "b");
	bool fl = e->ty->sub[0]->kind == TY_FLOAT;
	const char *k = fl ? "f" : "i";

	buf_addf(b, "{ let %s = ", x);
	if (fl)
		ex_f64(f, b, e->a[0]);
	else
		ex_i64(f, b, e->a[0]);
	buf_addf(b, "; let %s = ", y);
	if (fl)
		ex_f64(f, b, e->a[1]);
	else
		ex_i64(f, b, e->a[1]);
	buf_addf(b, "; (rt::floordiv_%s(%s, %s)?, rt::mod_%s(%s, %s)?) }", k, x,
		 y, k, x, y);
}

static const struct {
	const char *name;
	ex_printer print;
} builtins[] = {
    {"len", print_len},	       {"abs", print_abs},
    {"min", print_min_max},    {"max", print_min_max},
    {"sum", print_sum},	       {"int", print_int_of},
    {"float", print_float_of}, {"bool", print_bool_of},
    {"str", print_str_of},     {"round", print_round},
    {"sorted", print_sorted},  {"list", print_list_of},
    {"set", print_set_of},     {"dict", print_dict_of},
    {"any", print_any_all},    {"all", print_any_all},
    {"divmod", print_divmod},
};

static void emit_builtin(struct fe *f, struct buf *b, struct ex *e)
{
	if (!strncmp(e->sval, "math.", 5)) {
		emit_math(f, b, e);
		return;
	}
	for (size_t i = 0; i < sizeof(builtins) / sizeof(*builtins); i++)
		if (!strcmp(e->sval, builtins[i].name)) {
			builtins[i].print(f, b, e);
			return;
		}
	unplanned("builtin %s()");
}

/* ---- methods ---- */

static bool name_in(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return true;
	return false;
}

#define NAME_IN(s, names) name_in(s, names, sizeof(names) / sizeof(*names))

/* list.append(x), list.pop(i), ... on the receiver r, whose arguments
 * are already in a1 and a2. */
static void change_list(struct fe *f, struct buf *b, struct ex *e,
			const char *a1, const char *a2)
{
	struct ex *r = e->a[0];
	const char *m = e->sval;

	if (!strcmp(m, "append") && ex_is_var(r, f->fn->out_var)) {
		ex_recv_mut(f, b, r);
		buf_addf(b, ".push(%s)?", a1);
	} else if (!strcmp(m, "append")) {
		buf_adds(b, "rt::push(");
		ex_mut(f, b, r);
		buf_addf(b, ", %s)?", a1);
	} else if (!strcmp(m, "insert")) {
		buf_adds(b, "rt::insert(");
		ex_mut(f, b, r);
		buf_addf(b, ", %s, %s)", a1, a2);
	} else if (!strcmp(m, "extend")) {
		ex_recv_mut(f, b, r);
		buf_addf(b, ".extend(%s)", a1);
	} else if (!strcmp(m, "pop")) {
		buf_adds(b, a1 ? "rt::pop_at(" : "rt::pop(");
		ex_mut(f, b, r);
		if (a1)
			buf_addf(b, ", %s", a1);
		buf_adds(b, ")?");
	} else if (!strcmp(m, "sort")) {
		buf_adds(b, "rt::sort(");
		ex_mut(f, b, r);
		buf_adds(b, ", false)?");
	} else {
		ex_recv_mut(f, b, r);
		buf_addf(b, ".%s()", m);
	}
}

static void change_dict(struct fe *f, struct buf *b, struct ex *e,
			const char *a1, const char *a2)
{
	struct ex *r = e->a[0];
	const char *m = e->sval;

	if (!strcmp(m, "setdefault")) {
		buf_adds(b, "rt::setdefault(");
		ex_mut(f, b, r);
		buf_addf(b, ", %s, %s)", a1, a2);
	} else if (!strcmp(m, "pop")) {
		buf_adds(b, a2 ? "rt::dpop_or(" : "rt::dpop(");
		ex_mut(f, b, r);
		buf_addf(b, ", &%s", a1);
		if (a2)
			buf_addf(b, ", %s)", a2);
		else
			buf_adds(b, ")?");
	} else {
		ex_recv_mut(f, b, r);
		buf_addf(b, ".%s()", m);
	}
}

static void change_set(struct fe *f, struct buf *b, struct ex *e,
		       const char *a1)
{
	ex_recv_mut(f, b, e->a[0]);
	if (!strcmp(e->sval, "add"))
		buf_addf(b, ".insert(%s);", a1);
	else
		buf_addf(b, ".shift_remove(&%s);", a1);
}

/* ---- items of an rt::PyOut of strs or tuples (plan.c: is_out_item) */

/* The Rust type of the rt::PyOut's items. */
static const char *out_item_rty(const struct ty *t)
{
	return t->kind == TY_STR || t->kind == TY_TUPLE ? "rt::Obj" : rty(t);
}

/* The function's rt::LitStr of the str literal x: one per distinct
 * text, as CPython keeps one constant per code object. */
static size_t lit_cell(struct fe *f, const struct ex *x)
{
	for (size_t i = 0; i < f->nlits; i++)
		if (f->lits[i]->slen == x->slen &&
		    !memcmp(f->lits[i]->sval, x->sval, x->slen))
			return i;
	f->lits = xrealloc(f->lits, (f->nlits + 1) * sizeof(*f->lits));
	f->lits[f->nlits] = x;
	return f->nlits++;
}

static void print_slice_as(struct fe *f, struct buf *b, struct ex *x,
			   const char *meth);

/* x as a new Python object (an rt::Obj): a str literal is the function's
 * constant object, a tuple display is built from its items left to
 * right, each branch of a conditional made only when it is taken. */
static void ex_py_item(struct fe *f, struct buf *b, struct ex *x)
{
	switch (x->kind) {
	case EX_STR:
		buf_addf(b, "rt::lit(&__L%zu, ", lit_cell(f, x));
		add_str_lit(b, x->sval, x->slen);
		buf_adds(b, ")?");
		return;
	case EX_TUPLE:
		buf_adds(b, "rt::tuple_of([");
		for (size_t i = 0; i < x->n; i++) {
			ex_py_item(f, b, x->a[i]);
			buf_adds(b, ", ");
		}
		buf_adds(b, "])?");
		return;
	case EX_IFEXP:
		buf_adds(b, "(if ");
		ex_cond(f, b, x->a[1]);
		buf_adds(b, " { ");
		ex_py_item(f, b, x->a[0]);
		buf_adds(b, " } else { ");
		ex_py_item(f, b, x->a[2]);
		buf_adds(b, " })");
		return;
	case EX_SLICE:
		if (x->a[0]->ty->kind == TY_STR && strix(f, x->a[0])) {
			print_slice_as(f, b, x, "slice_obj");
			return;
		}
		break;
	case EX_INDEX:
		if (x->a[0]->ty->kind == TY_STR && strix(f, x->a[0])) {
			/* s[i]: CPython's own str of a Latin-1 code point */
			buf_adds(b, "rt::obj_char(");
			strix_char(f, b, x);
			buf_addch(b, ')');
			buf_adds(b, "?");
			return;
		}
		break;
	case EX_NAME:
		if (str_local(f, x, false)) {
			/* CPython's own str of a Latin-1 code point, as s[i] */
			buf_addf(b, "rt::obj_char(%s)?",
				 str_local(f, x, false)->rname);
			return;
		}
		if (str_local(f, x, true)) {
			struct var *v = str_local(f, x, true);
			buf_addf(b, "%s.span_obj(%s)?", f->sx[v->span_src],
				 v->rname);
			return;
		}
		if (str_sref(f, x)) {
			/* the list's own item, as Python appends it */
			buf_addf(b, "%s.obj()?", str_sref(f, x)->rname);
			return;
		}
		break;
	default:
		break;
	}
	if (x->ty->kind == TY_STR) {
		buf_adds(b, "rt::obj_str(");
		ex_str(f, b, x);
	} else {
		buf_adds(b, "rt::obj_of(");
		ex_own(f, b, x);
	}
	buf_adds(b, ")?");
}

/* The rt::LitStr cells lit_cell handed out (items of the function's
 * block: visible in all of it wherever they stand). */
static void emit_lit_cells(struct fe *f)
{
	for (size_t i = 0; i < f->nlits; i++)
		emit_line(f->e, "static __L%zu: rt::LitStr = rt::LitStr::new();",
			  i);
}

/* A method that changes its list, dict or set: the arguments are
 * evaluated first, then the receiver borrowed mutably (Rust would
 * otherwise see two borrows). */
static void emit_change(struct fe *f, struct buf *b, struct ex *e)
{
	const struct ty *rt = e->a[0]->ty;
	const char *m = e->sval;
	char *a1 = NULL, *a2 = NULL;

	buf_adds(b, "{ ");
	if (e->n > 1) {
		a1 = tmpname(f, "a");
		buf_addf(b, "let %s = ", a1);
		if (!strcmp(m, "extend")) {
			buf_addch(b, '(');
			ex_slice(f, b, e->a[1]);
			buf_adds(b, ").to_vec()");
		} else if (rt->kind == TY_LIST &&
			   (!strcmp(m, "insert") || !strcmp(m, "pop"))) {
			ex_i64(f, b, e->a[1]);
		} else if (ex_is_var(e->a[0], f->fn->out_var) &&
			   !strcmp(out_item_rty(rt->sub[0]), "rt::Obj")) {
			ex_py_item(f, b, e->a[1]);
		} else {
			ex_own_as(f, b, e->a[1], rt->sub[0]);
		}
		buf_adds(b, "; ");
	}
	if (e->n > 2) {
		a2 = tmpname(f, "a");
		buf_addf(b, "let %s = ", a2);
		ex_own_as(f, b, e->a[2],
			  rt->kind == TY_DICT ? rt->sub[1] : rt->sub[0]);
		buf_adds(b, "; ");
	}
	if (rt->kind == TY_LIST)
		change_list(f, b, e, a1, a2);
	else if (rt->kind == TY_DICT)
		change_dict(f, b, e, a1, a2);
	else
		change_set(f, b, e, a1);
	buf_adds(b, " }");
}

/* xs.index(x), xs.count(x), d.get(k, v), c.copy() */
static void emit_query(struct fe *f, struct buf *b, struct ex *e)
{
	struct ex *r = e->a[0];
	const char *m = e->sval;
	const struct ty *rt = r->ty;

	if (!strcmp(m, "copy")) {
		ex_recv(f, b, r);
		buf_adds(b, ".clone()");
		return;
	}
	if (!strcmp(m, "get") && is_dview(f, r)) {
		dview_call(f, b, "d_get_or", r, e->a[1]);
		buf_adds(b, ", ");
		ex_own_as(f, b, e->a[2], rt->sub[1]);
		buf_adds(b, ")?");
		return;
	}
	if (!strcmp(m, "get"))
		buf_adds(b, "rt::dget_or(");
	else
		buf_addf(b, "rt::%s_of(", m);
	ex_ref(f, b, r);
	buf_adds(b, ", ");
	if (e->a[1]->kind == EX_NAME && ty_equal(e->a[1]->ty, rt->sub[0])) {
		ex_ref(f, b, e->a[1]);
	} else {
		buf_addch(b, '&');
		ex_own_as(f, b, e->a[1], rt->sub[0]);
	}
	if (!strcmp(m, "get")) {
		buf_adds(b, ", ");
		ex_own_as(f, b, e->a[2], rt->sub[1]);
		buf_addch(b, ')');
	} else {
		buf_adds(b, ")?");
	}
}

static void emit_str_method(struct fe *f, struct buf *b, struct ex *e)
{
	static const char *const fallible[] = {
	    "split",   "lower",	     "upper",	  "replace",   "isdigit",
	    "isalpha", "isalnum",    "isspace",	  "count",     "isupper",
	    "islower", "capitalize", "partition", "rpartition"};
	static const char *const strips[] = {"strip", "lstrip", "rstrip"};
	struct ex *r = e->a[0];
	const char *m = e->sval;
	bool q = NAME_IN(m, fallible);

	if (e->n == 1 && str_local(f, r, false)) {
		/* c.isalpha() of a char local (plan_str_locals) */
		buf_addf(b, "rt::c_%s(%s)", m, str_local(f, r, false)->rname);
		return;
	}
	if (e->n == 1 && !strncmp(m, "is", 2) && NAME_IN(m, fallible) &&
	    r->kind == EX_INDEX && strix(f, r->a[0])) {
		/* s[i].isalpha(): one code point, no str made */
		buf_addf(b, "rt::c_%s(", m);
		strix_char(f, b, r);
		buf_addch(b, ')');
		return;
	}
	if (!strcmp(m, "startswith") || !strcmp(m, "endswith")) {
		ex_recv(f, b, r);
		buf_addf(b, ".%s(", m[0] == 's' ? "starts_with" : "ends_with");
		ex_recv(f, b, e->a[1]);
		buf_adds(b, ".as_str())");
		return;
	}
	if (!strcmp(m, "ljust") || !strcmp(m, "rjust") ||
	    !strcmp(m, "center")) {
		/* s.ljust(width[, fillchar]); a fillchar that is not one
		 * character re-runs Python (TypeError) */
		buf_adds(b, "rt::pad(");
		ex_str(f, b, r);
		buf_adds(b, ", ");
		ex_i64(f, b, e->a[1]);
		buf_adds(b, ", ");
		if (e->n > 2)
			ex_str(f, b, e->a[2]);
		else
			buf_adds(b, "\" \"");
		buf_addf(b, ", b'%c')?", m[0]);
		return;
	}
	if (!strcmp(m, "find") || !strcmp(m, "index")) {
		/* s.find(sub[, start[, end]]); index re-runs Python (which
		 * raises ValueError) when sub is not there */
		const char *sx = strix(f, r);
		if (sx) {
			buf_addf(b, "%s.find(", sx);
		} else {
			buf_adds(b, "rt::find_in(");
			ex_str(f, b, r);
			buf_adds(b, ", ");
		}
		ex_str(f, b, e->a[1]);
		for (size_t i = 2; i < 4; i++) {
			buf_adds(b, ", ");
			opt_i64(f, b, i < e->n ? e->a[i] : NULL);
		}
		buf_adds(b, m[0] == 'i' ? ", true)?" : ", false)?");
		return;
	}
	if (!strcmp(m, "join")) {
		buf_adds(b, "rt::join(");
		ex_ref(f, b, r);
		buf_adds(b, ", ");
		ex_slice(f, b, e->a[1]);
		buf_addch(b, ')');
		return;
	}
	if (NAME_IN(m, strips) && e->n == 2) {
		buf_addf(b, "rt::%s_chars(", m);
	} else if (NAME_IN(m, strips)) {
		buf_addf(b, "rt::%s(", m);
		q = true;
	} else if (!strcmp(m, "split") && e->n == 1) {
		buf_adds(b, "rt::split_ws(");
	} else if (!strcmp(m, "count")) {
		buf_adds(b, "rt::scount(");
	} else {
		buf_addf(b, "rt::%s(", m);
	}
	ex_ref(f, b, r);
	for (size_t i = 1; i < e->n; i++) {
		buf_adds(b, ", ");
		ex_ref(f, b, e->a[i]);
	}
	buf_adds(b, q ? ")?" : ")");
}

static void emit_method(struct fe *f, struct buf *b, struct ex *e)
{
	static const char *const changing[] = {
	    "append", "insert", "extend",     "pop", "reverse",
	    "clear",  "sort",	"setdefault", "add", "discard",
	};
	static const char *const queries[] = {"index", "count", "copy", "get"};
	enum ty_kind k = e->a[0]->ty->kind;
	bool container = k == TY_LIST || k == TY_DICT || k == TY_SET;

	if (container && NAME_IN(e->sval, changing))
		emit_change(f, b, e);
	else if (container && NAME_IN(e->sval, queries))
		emit_query(f, b, e);
	else if (k == TY_STR)
		emit_str_method(f, b, e);
	else
		unplanned("method .%s() on %s");
}

static void emit_call_fn(struct fe *f, struct buf *b, struct ex *e)
{
	struct ir_fn *g = e->fn;
	size_t i;

	buf_addf(b, "%s(", emit_fn_rname(g));
	for (i = 0; i < g->nparams; i++) {
		struct var *pv = &g->vars[g->params[i].var];
		struct ex *a = i < e->n ? e->a[i] : g->params[i].def;
		if (i)
			buf_adds(b, ", ");
		if (ty_is_copy(pv->ty)) {
			ex_own_as(f, b, a, pv->ty);
		} else if (pv->is_inplace) {
			buf_adds(b, "&rt::StrIx::new(");
			ex_str(f, b, a);
			buf_addch(b, ')');
		} else if (pv->is_mutated && !pv->is_rebound) {
			ex_mut(f, b, a);
		} else if (ex_is_empty_display(a)) {
			buf_addch(b, '&');
			ex_own_as(f, b, a, pv->ty);
		} else {
			if (!ty_equal(a->ty, pv->ty))
				unplanned("argument type %s for %s");
			ex_ref(f, b, a);
		}
	}
	buf_adds(b, ")?");
}

/* ---- formatting (f-strings, str %) ---- */

/* &rt::Spec for a parsed spec; fill and align settled as CPython's
 * parse_internal_render_format_spec does ('0' pads with zeros, after
 * the sign for numbers). */
static void add_spec(struct buf *b, const struct fmt_spec *sp, bool is_str,
		     char type)
{
	unsigned fill = sp->has_fill ? sp->fill : sp->zero ? '0' : ' ';
	char align = sp->align				    ? sp->align
		     : sp->zero && !sp->has_fill && !is_str ? '='
							    : 0;

	buf_addf(b, "&rt::Spec { fill: '\\u{%x}', align: ", fill);
	if (align)
		buf_addf(b, "b'%c'", align);
	else
		buf_addch(b, '0');
	buf_adds(b, ", sign: ");
	if (sp->sign)
		buf_addf(b, "b'%c'", sp->sign);
	else
		buf_addch(b, '0');
	buf_addf(b, ", width: %ld, group: ", sp->width);
	if (sp->group)
		buf_addf(b, "b'%c'", sp->group);
	else
		buf_addch(b, '0');
	buf_addf(b, ", prec: %ld, ty: ", sp->prec);
	if (type)
		buf_addf(b, "b'%c'", type);
	else
		buf_addch(b, '0');
	buf_adds(b, " }");
}

/* str(v) (conv 's') or repr(v) (conv 'r') of v (Rust text own, type t)
 * as a &str expression. */
static void add_str_of(struct fe *f, struct buf *b, struct ex *x,
		       const char *own, const struct ty *t, int conv)
{
	switch (t->kind) {
	case TY_INT:
		buf_addf(b, "&i64::to_string(&%s)", own);
		break;
	case TY_FLOAT:
		buf_addf(b, "&rt::repr_f(%s)", own);
		break;
	case TY_BOOL:
		buf_addf(b, "(if %s { \"True\" } else { \"False\" })", own);
		break;
	case TY_STR:
		if (conv == 'r')
			buf_addf(b, "&rt::repr_s(&%s)?", own);
		else
			buf_addf(b, "(%s).as_str()", own);
		break;
	default:
		unplanned("formatting %s");
	}
}

/* Appends one formatted field to the String named s. */
static void emit_fmt_field(struct fe *f, struct buf *b, const char *s,
			   struct ex *x)
{
	struct ex *v = x->a[0];
	const struct ty *t = v->ty;
	struct fmt_spec sp;
	struct buf own = BUF_INIT;

	if (x->slen && fmt_spec_parse(x->sval, x->slen, &sp)) {
		unplanned("format spec");
		return;
	}
	if (t->kind == TY_STR && !(x->op == 'r') && !x->slen) {
		buf_addf(b, "%s.push_str(", s);
		ex_str(f, b, v);
		buf_adds(b, "); ");
		return;
	}
	ex_own(f, &own, v);
	if (!x->slen) {
		buf_addf(b, "%s.push_str(", s);
		add_str_of(f, b, v, own.data, t, x->op);
		buf_adds(b, "); ");
	} else if (x->op || t->kind == TY_STR) {
		buf_addf(b, "rt::fmt_s(&mut %s, ", s);
		if (t->kind == TY_STR && x->op != 'r')
			ex_str(f, b, v);
		else
			add_str_of(f, b, v, own.data, t, x->op);
		buf_adds(b, ", ");
		add_spec(b, &sp, true, sp.type);
		buf_adds(b, "); ");
	} else {
		buf_addf(b, "rt::fmt_%c(&mut %s, %s%s, ",
			 t->kind == TY_FLOAT ? 'f' : 'i', s, own.data,
			 t->kind == TY_BOOL ? " as i64" : "");
		add_spec(b, &sp, false, sp.type);
		buf_adds(b, "); ");
	}
	buf_release(&own);
}

static void emit_fstr(struct fe *f, struct buf *b, struct ex *x)
{
	char *s = tmpname(f, "s");

	buf_addf(b, "{ let mut %s = String::new(); ", s);
	for (size_t i = 0; i < x->n; i++) {
		struct ex *p = x->a[i];
		if (p->kind == EX_STR) {
			if (!p->slen)
				continue;
			buf_addf(b, "%s.push_str(", s);
			add_str_lit(b, p->sval, p->slen);
			buf_adds(b, "); ");
		} else {
			emit_fmt_field(f, b, s, p);
		}
	}
	buf_addf(b, "%s }", s);
}

/* "fmt" % args: PyUnicode_Format's directives, each through the same
 * runtime as format(). */
static void emit_pct(struct fe *f, struct buf *b, struct ex *x)
{
	struct ex *fmt = x->a[0], *r = x->a[1];
	char *t = tmpname(f, "t"), *s = tmpname(f, "s");
	bool is_tuple = r->kind == EX_TUPLE || r->ty->kind == TY_TUPLE;
	struct buf lit = BUF_INIT, arg = BUF_INIT;
	struct pct_dir d;
	const char *err = NULL;
	size_t pos = 0, k = 0;

	buf_addf(b, "{ let %s = ", t);
	ex_own(f, b, r);
	buf_addf(b, "; let mut %s = String::new(); ", s);
	while (pct_next(fmt->sval, fmt->slen, &pos, &lit, &d, &err) > 0) {
		const struct ty *at = is_tuple ? r->ty->sub[k] : r->ty;
		if (lit.len) {
			buf_addf(b, "%s.push_str(", s);
			add_str_lit(b, lit.data, lit.len);
			buf_adds(b, "); ");
			buf_reset(&lit);
		}
		buf_reset(&arg);
		if (is_tuple)
			buf_addf(&arg, "%s.%zu", t, k);
		else
			buf_adds(&arg, t);
		k++;
		if (d.conv == 's' || d.conv == 'r') {
			buf_addf(b, "rt::fmt_s(&mut %s, ", s);
			add_str_of(f, b, x, arg.data, at, d.conv);
			buf_adds(b, ", ");
			add_spec(b, &d.spec, true, 0);
		} else if (strchr("eEfFgG", d.conv)) {
			buf_addf(b, "rt::fmt_f(&mut %s, %s%s, ", s, arg.data,
				 at->kind == TY_FLOAT  ? ""
				 : at->kind == TY_BOOL ? " as i64 as f64"
						       : " as f64");
			add_spec(b, &d.spec, false, d.conv);
		} else {
			char ty = strchr("diu", d.conv) ? 'd' : d.conv;
			if (at->kind == TY_FLOAT)
				buf_addf(
				    b, "rt::fmt_i(&mut %s, rt::pct_int(%s)?, ",
				    s, arg.data);
			else
				buf_addf(b, "rt::fmt_i(&mut %s, %s%s, ", s,
					 arg.data,
					 at->kind == TY_BOOL ? " as i64" : "");
			add_spec(b, &d.spec, false, ty);
		}
		buf_adds(b, "); ");
	}
	if (lit.len) {
		buf_addf(b, "%s.push_str(", s);
		add_str_lit(b, lit.data, lit.len);
		buf_adds(b, "); ");
	}
	buf_addf(b, "%s }", s);
	buf_release(&lit);
	buf_release(&arg);
}

/* ---- one printer per expression kind ---- */

static void print_int(struct fe *f, struct buf *b, struct ex *x)
{
	/* parenthesise negative literals; one beyond i32 says it is an
	 * i64 (alone, as in a chain of literal comparisons, rustc would
	 * take it for an i32) */
	bool wide = x->ival > INT32_MAX || x->ival < INT32_MIN;

	buf_addf(b, x->ival < 0 ? "(%lld%s)" : "%lld%s", (long long)x->ival,
		 wide ? "i64" : "");
}

static void print_float(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->fval < 0 || (x->fval == 0 && signbit(x->fval))) {
		buf_addch(b, '(');
		if (x->fval == 0)
			buf_adds(b, "-0.0");
		else
			add_float(b, x->fval);
		buf_addch(b, ')');
	} else {
		add_float(b, x->fval);
	}
}

static void print_bool(struct fe *f, struct buf *b, struct ex *x)
{
	buf_adds(b, x->ival ? "true" : "false");
}

static void print_none(struct fe *f, struct buf *b, struct ex *x)
{
	buf_adds(b, "()");
}

static void print_str(struct fe *f, struct buf *b, struct ex *x)
{
	add_rust_str(b, x->sval, x->slen);
}

static void print_name(struct fe *f, struct buf *b, struct ex *x)
{
	struct var *v = var_of(f, x);

	if (x->unwrap)
		buf_addf(b, "%s%s.ok_or(rt::Deopt)?", v->rname,
			 ty_is_copy(v->ty) ? "" : ".clone()");
	else if (x->is_move && !var_is_ref(v) && !ty_is_copy(v->ty))
		buf_addf(b, "std::mem::take(&mut %s)", v->rname);
	else
		buf_addf(b, "%s%s", v->rname,
			 ty_is_copy(v->ty) ? "" : ".clone()");
}

static void print_binop(struct fe *f, struct buf *b, struct ex *x)
{
	emit_binop(f, b, x->op, x->a[0], x->a[1], x->ty);
}

static void print_unop(struct fe *f, struct buf *b, struct ex *x)
{
	struct ex *a = x->a[0];

	if (x->op == '+' && a->ty->kind == TY_FLOAT) {
		ex_own(f, b, a);
	} else if (x->op == '+') {
		ex_i64(f, b, a);
	} else if (x->op == '-' && a->ty->kind == TY_FLOAT) {
		buf_adds(b, "(-");
		ex_own(f, b, a);
		buf_addch(b, ')');
	} else if (x->op == '-' && a->ty->kind == TY_BOOL) {
		buf_adds(b, "(-");
		ex_i64(f, b, a);
		buf_addch(b, ')');
	} else if (x->op == '-') {
		buf_adds(b, "rt::neg_i(");
		ex_own(f, b, a);
		buf_adds(b, ")?");
	} else {
		buf_adds(b, "(!");
		ex_i64(f, b, a);
		buf_addch(b, ')');
	}
}

static void print_not(struct fe *f, struct buf *b, struct ex *x)
{
	buf_adds(b, "!");
	ex_cond(f, b, x->a[0]);
}

/* a and b / a or b as a value: Python's operand, not a bool. */
static void print_and_or(struct fe *f, struct buf *b, struct ex *x)
{
	bool is_and = x->kind == EX_AND;
	char *t;

	if (x->op == 1) {
		unplanned("'and' / 'or' as a value of two types");
		return;
	}
	if (x->ty->kind == TY_BOOL) {
		buf_addch(b, '(');
		ex_own(f, b, x->a[0]);
		buf_adds(b, is_and ? " && " : " || ");
		ex_own(f, b, x->a[1]);
		buf_addch(b, ')');
		return;
	}
	t = tmpname(f, "v");
	buf_addf(b, "{ let %s = ", t);
	ex_own(f, b, x->a[0]);
	buf_addf(b, "; if rt::Truthy::truthy(&%s) { ", t);
	if (is_and)
		ex_own(f, b, x->a[1]);
	else
		buf_adds(b, t);
	buf_adds(b, " } else { ");
	if (is_and)
		buf_adds(b, t);
	else
		ex_own(f, b, x->a[1]);
	buf_adds(b, " } }");
}

static void print_ifexp(struct fe *f, struct buf *b, struct ex *x)
{
	buf_adds(b, "(if ");
	ex_cond(f, b, x->a[1]);
	buf_adds(b, " { ");
	ex_own_as(f, b, x->a[0], x->ty);
	buf_adds(b, " } else { ");
	ex_own_as(f, b, x->a[2], x->ty);
	buf_adds(b, " })");
}

static void print_call(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->fn)
		emit_call_fn(f, b, x);
	else
		emit_builtin(f, b, x);
}

/* A slice; of a str with an rt::StrIx, its method meth ("slice" for a
 * String, "slice_obj" for a Python str). */
static void print_slice_as(struct fe *f, struct buf *b, struct ex *x,
			   const char *meth)
{
	const char *sx = x->a[0]->ty->kind == TY_STR ? strix(f, x->a[0]) : NULL;

	if (sx) {
		buf_addf(b, "%s.%s(", sx, meth);
	} else {
		buf_adds(b, x->a[0]->ty->kind == TY_STR ? "rt::sslice("
							  : "rt::slice(");
		ex_ref(f, b, x->a[0]);
	}
	slice_bounds(f, b, x, !sx);
	buf_adds(b, ")?");
}

static void print_slice(struct fe *f, struct buf *b, struct ex *x)
{
	print_slice_as(f, b, x, "slice");
}

/* xs[i], d[k], t[0], s[i] (a str index through its rt::StrIx if any) and
 * slices. */
static void print_index(struct fe *f, struct buf *b, struct ex *x)
{
	const struct ty *ot = x->a[0]->ty;

	if (ot->kind == TY_NONE) {
		unplanned("indexing None");
	} else if (x->kind == EX_SLICE) {
		print_slice(f, b, x);
	} else if (ot->kind == TY_STR && strix(f, x->a[0])) {
		buf_addf(b, "%s.get(", strix(f, x->a[0]));
		ex_i64(f, b, x->a[1]);
		buf_adds(b, ")?");
	} else if (ot->kind == TY_STR) {
		buf_adds(b, "rt::sget(");
		ex_ref(f, b, x->a[0]);
		buf_adds(b, ", ");
		ex_i64(f, b, x->a[1]);
		buf_adds(b, ")?");
	} else if (is_view(f, x->a[0])) {
		buf_addf(b, "%s.at(", var_of(f, x->a[0])->rname);
		ex_i64(f, b, x->a[1]);
		buf_adds(b, ")?");
	} else if (ty_is_copy(x->ty)) {
		buf_addch(b, '*');
		ex_ref(f, b, x);
	} else {
		buf_addch(b, '(');
		ex_ref(f, b, x);
		buf_adds(b, ").clone()");
	}
}

/* The items of a list or set display, each of the element type. */
static void add_items(struct fe *f, struct buf *b, struct ex *x)
{
	for (size_t i = 0; i < x->n; i++) {
		if (i)
			buf_adds(b, ", ");
		ex_own_as(f, b, x->a[i], x->ty->sub[0]);
	}
}

static void print_list(struct fe *f, struct buf *b, struct ex *x)
{
	if (!x->n) {
		buf_addf(b, "Vec::<%s>::new()", rty(x->ty->sub[0]));
		return;
	}
	buf_adds(b, "vec![");
	add_items(f, b, x);
	buf_addch(b, ']');
}

static void print_set(struct fe *f, struct buf *b, struct ex *x)
{
	buf_addf(b, "rt::set_from::<%s>(vec![", rty(x->ty->sub[0]));
	add_items(f, b, x);
	buf_adds(b, "])");
}

static void print_tuple(struct fe *f, struct buf *b, struct ex *x)
{
	buf_addch(b, '(');
	for (size_t i = 0; i < x->n; i++) {
		if (i)
			buf_adds(b, ", ");
		ex_own(f, b, x->a[i]);
	}
	buf_adds(b, x->n == 1 ? ",)" : ")");
}

static void print_dict(struct fe *f, struct buf *b, struct ex *x)
{
	if (!x->n) {
		buf_addf(b, "IndexMap::<%s, %s>::default()", rty(x->ty->sub[0]),
			 rty(x->ty->sub[1]));
		return;
	}
	buf_adds(b, "rt::dict_from(vec![");
	for (size_t i = 0; i + 1 < x->n; i += 2) {
		if (i)
			buf_adds(b, ", ");
		buf_addch(b, '(');
		ex_own_as(f, b, x->a[i], x->ty->sub[0]);
		buf_adds(b, ", ");
		ex_own_as(f, b, x->a[i + 1], x->ty->sub[1]);
		buf_addch(b, ')');
	}
	buf_adds(b, "])");
}

static void print_fmt(struct fe *f, struct buf *b, struct ex *x)
{
	unplanned("a format field outside an f-string");
}

/* A comprehension: its temporary when it ran before the statement
 * (hoist), else its loop in a block right here: it runs only when its
 * part of the expression does. */
static void print_comp(struct fe *f, struct buf *b, struct ex *x)
{
	struct buf *saved = f->e->out, text = BUF_INIT;
	int indent = f->e->indent;

	if (x->tmp) {
		buf_adds(b, x->tmp);
		return;
	}
	f->e->out = &text;
	f->e->indent = 0;
	hoist(f, x);
	f->e->out = saved;
	f->e->indent = indent;
	buf_addf(b, "{ %s%s }", text.data, x->tmp);
	x->tmp = NULL;
	buf_release(&text);
}

static const ex_printer ex_printers[] = {
    [EX_INT] = print_int,      [EX_FLOAT] = print_float,
    [EX_BOOL] = print_bool,    [EX_NONE] = print_none,
    [EX_STR] = print_str,      [EX_NAME] = print_name,
    [EX_BINOP] = print_binop,  [EX_UNOP] = print_unop,
    [EX_NOT] = print_not,      [EX_AND] = print_and_or,
    [EX_OR] = print_and_or,    [EX_CMP] = emit_cmp,
    [EX_IFEXP] = print_ifexp,  [EX_CALL] = print_call,
    [EX_METHOD] = emit_method, [EX_INDEX] = print_index,
    [EX_SLICE] = print_index,  [EX_LIST] = print_list,
    [EX_TUPLE] = print_tuple,  [EX_DICT] = print_dict,
    [EX_SET] = print_set,      [EX_LISTCOMP] = print_comp,
    [EX_FSTR] = emit_fstr,     [EX_FMT] = print_fmt,
    [EX_PCT] = emit_pct,
};

/* An owned value of x (a copy, a clone, or a move of a dead local). */
static void ex_own(struct fe *f, struct buf *b, struct ex *x)
{
	ex_printers[x->kind](f, b, x);
}

static void ex_ref(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->kind == EX_NAME) {
		struct var *v = var_of(f, x);
		if (v->is_sref && !x->unwrap) {
			/* d[t], t in d, d.get(t): looked up by its &str */
			buf_addf(b, "%s.as_str()", v->rname);
			return;
		}
		if (x->unwrap)
			buf_addf(b, "%s.as_ref().ok_or(rt::Deopt)?", v->rname);
		else if (var_is_ref(v))
			buf_addf(b, "&*%s", v->rname);
		else
			buf_addf(b, "&%s", v->rname);
		return;
	}
	if (x->kind == EX_LISTCOMP && x->tmp) {
		buf_addf(b, "&%s", x->tmp);
		return;
	}
	if (x->kind == EX_INDEX) {
		const struct ty *ot = x->a[0]->ty;
		if (is_view(f, x->a[0])) {
			buf_adds(b, "&");
			ex_own(f, b, x);
			return;
		}
		if (ot->kind == TY_LIST) {
			buf_adds(b, "rt::get(");
			ex_ref(f, b, x->a[0]);
			buf_adds(b, ", ");
			ex_i64(f, b, x->a[1]);
			buf_adds(b, ")?");
			return;
		}
		if (is_dview(f, x->a[0])) {
			dview_call(f, b, "d_get", x->a[0], x->a[1]);
			buf_adds(b, ")?");
			return;
		}
		if (ot->kind == TY_DICT && x->ix) {
			buf_adds(b, "rt::ix_ref(");
			ex_ref(f, b, x->a[0]);
			buf_addf(b, ", %s)", x->ix);
			return;
		}
		if (ot->kind == TY_DICT) {
			buf_adds(b, "rt::dget(");
			ex_ref(f, b, x->a[0]);
			buf_adds(b, ", ");
			if (x->a[1]->kind == EX_NAME &&
			    ty_equal(x->a[1]->ty, ot->sub[0])) {
				ex_ref(f, b, x->a[1]);
			} else {
				buf_addch(b, '&');
				ex_own_as(f, b, x->a[1], ot->sub[0]);
			}
			buf_adds(b, ")?");
			return;
		}
		if (ot->kind == TY_TUPLE) {
			int64_t k = x->a[1]->ival;
			if (k < 0)
				k += (int64_t)ot->n;
			buf_adds(b, "&(");
			ex_ref(f, b, x->a[0]);
			buf_addf(b, ").%lld", (long long)k);
			return;
		}
	}
	buf_adds(b, "&");
	ex_own(f, b, x);
}

static void ex_mut(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->kind == EX_NAME) {
		struct var *v = var_of(f, x);
		if (var_is_ref(v))
			buf_addf(b, "&mut *%s", v->rname);
		else
			buf_addf(b, "&mut %s", v->rname);
		return;
	}
	if (x->kind == EX_INDEX && x->a[0]->ty->kind == TY_LIST) {
		char *t = tmpname(f, "i");
		buf_addf(b, "{ let %s = ", t);
		ex_i64(f, b, x->a[1]);
		buf_adds(b, "; rt::get_mut(");
		ex_mut(f, b, x->a[0]);
		buf_addf(b, ", %s)? }", t);
		return;
	}
	if (x->kind == EX_INDEX && x->ix) {
		/* the index an enclosing `k in d` found (print_if) */
		buf_adds(b, "rt::ix_mut(");
		ex_mut(f, b, x->a[0]);
		buf_addf(b, ", %s)", x->ix);
		return;
	}
	if (x->kind == EX_INDEX && x->a[0]->ty->kind == TY_DICT &&
	    x->a[1]->kind == EX_NAME &&
	    ty_equal(x->a[1]->ty, x->a[0]->ty->sub[0]) &&
	    !ex_mentions(x->a[0], x->a[1]->var)) {
		/* a key held in another variable: look it up by reference */
		buf_adds(b, "rt::dget_mut(");
		ex_mut(f, b, x->a[0]);
		buf_adds(b, ", ");
		ex_ref(f, b, x->a[1]);
		buf_adds(b, ")?");
		return;
	}
	if (x->kind == EX_INDEX && x->a[0]->ty->kind == TY_DICT) {
		char *t = tmpname(f, "k");
		buf_addf(b, "{ let %s = ", t);
		ex_own_as(f, b, x->a[1], x->a[0]->ty->sub[0]);
		buf_adds(b, "; rt::dget_mut(");
		ex_mut(f, b, x->a[0]);
		buf_addf(b, ", &%s)? }", t);
		return;
	}
	unplanned("this expression cannot be changed in place");
}

/* Receiver of a method call: names auto-deref, anything else in parens. */
static void ex_recv(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->kind == EX_NAME && !x->unwrap) {
		buf_adds(b, var_of(f, x)->rname);
		return;
	}
	buf_addch(b, '(');
	ex_ref(f, b, x);
	buf_addch(b, ')');
}

static void ex_recv_mut(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->kind == EX_NAME) {
		buf_adds(b, var_of(f, x)->rname);
		return;
	}
	buf_addch(b, '(');
	ex_mut(f, b, x);
	buf_addch(b, ')');
}

static void ex_cond(struct fe *f, struct buf *b, struct ex *x)
{
	if (x->kind == EX_AND || x->kind == EX_OR) {
		buf_addch(b, '(');
		ex_cond(f, b, x->a[0]);
		buf_adds(b, x->kind == EX_AND ? " && " : " || ");
		ex_cond(f, b, x->a[1]);
		buf_addch(b, ')');
		return;
	}
	if (x->kind == EX_NOT) {
		buf_addch(b, '!');
		ex_cond(f, b, x->a[0]);
		return;
	}
	switch (x->ty->kind) {
	case TY_BOOL:
		ex_own(f, b, x);
		return;
	case TY_INT:
		buf_addch(b, '(');
		ex_own(f, b, x);
		buf_adds(b, " != 0)");
		return;
	case TY_FLOAT:
		buf_addch(b, '(');
		ex_own(f, b, x);
		buf_adds(b, " != 0.0)");
		return;
	case TY_NONE:
		buf_adds(b, "false");
		return;
	default:
		buf_adds(b, "rt::Truthy::truthy(");
		ex_ref(f, b, x);
		buf_addch(b, ')');
		return;
	}
}

/* A str operand as &str: literals stay literals (no String made). */
static void ex_str(struct fe *f, struct buf *b, struct ex *x)
{
	if (str_local(f, x, false)) {
		/* a char local as a str (plan_str_locals lets only
		 * c.lower() / c.upper() into t or onto w need it) */
		buf_addf(b, "(&*%s.encode_utf8(&mut [0u8; 4]))",
			 str_local(f, x, false)->rname);
		return;
	}
	if (x->kind == EX_STR) {
		add_str_lit(b, x->sval, x->slen);
		return;
	}
	if (str_sref(f, x)) {
		buf_addf(b, "%s.as_str()", str_sref(f, x)->rname);
		return;
	}
	buf_addch(b, '(');
	ex_ref(f, b, x);
	buf_adds(b, ").as_str()");
}

/* s = s + t and s += t on a str variable: Python builds a new string (in
 * place when it can); appending to the String is the same value without
 * copying s each time. */
static bool is_case_call(const struct ex *t)
{
	return t->kind == EX_METHOD && t->n == 1 &&
	       t->a[0]->ty->kind == TY_STR &&
	       (!strcmp(t->sval, "lower") || !strcmp(t->sval, "upper"));
}

static void emit_str_append(struct fe *f, struct ex *target, struct ex *t)
{
	struct buf b = BUF_INIT;

	if (is_case_call(t)) {
		/* s += c.lower(): mapped straight onto s */
		ex_str(f, &b, t->a[0]);
		emit_line(f->e, "rt::push_case(&mut %s, %s, %s)?;",
			  var_of(f, target)->rname, b.data,
			  strcmp(t->sval, "lower") ? "false" : "true");
		buf_release(&b);
		return;
	}
	ex_str(f, &b, t);
	emit_line(f->e, "%s.push_str(%s);", var_of(f, target)->rname, b.data);
	buf_release(&b);
}

/* t = s.lower() / s.upper(): into t's buffer. */
static void emit_str_case_into(struct fe *f, struct ex *target, struct ex *v)
{
	struct buf b = BUF_INIT;

	ex_str(f, &b, v->a[0]);
	emit_line(f->e, "rt::case_into(&mut %s, %s, %s)?;",
		  var_of(f, target)->rname, b.data,
		  strcmp(v->sval, "lower") ? "false" : "true");
	buf_release(&b);
}

/* c = s[i] on str variables: reuse c's buffer. */
static void emit_str_index_into(struct fe *f, struct ex *target, struct ex *v)
{
	struct buf b = BUF_INIT;
	struct var *tv = var_of(f, target);
	char *k = tmpname(f, "k");

	ex_i64(f, &b, v->a[1]);
	emit_line(f->e, "let %s = %s;", k, b.data);
	buf_reset(&b);
	if (tv->is_char) {
		emit_line(f->e, "%s = %s.at(%s)?;", tv->rname,
			  strix(f, v->a[0]), k);
	} else if (strix(f, v->a[0])) {
		emit_line(f->e, "%s.get_into(&mut %s, %s)?;", strix(f, v->a[0]),
			  tv->rname, k);
	} else {
		ex_ref(f, &b, v->a[0]);
		emit_line(f->e, "rt::sget_into(&mut %s, %s, %s)?;", tv->rname,
			  b.data, k);
	}
	buf_release(&b);
}

/* t = (a[i], b[j]) on a tuple variable of strs: copy into t's own
 * Strings (clone_from keeps their buffers; plan.c marks the items it
 * borrows) instead of making new ones. */
static void emit_tuple_into(struct fe *f, struct ex *target, struct ex *v)
{
	struct buf b = BUF_INIT;
	struct var *tv = var_of(f, target);

	/* evaluate every item first (Python builds the tuple, then binds) */
	for (size_t i = 0; i < v->n; i++) {
		struct ex *x = v->a[i];
		buf_reset(&b);
		if (x->borrow && x->kind == EX_INDEX && is_view(f, x->a[0])) {
			/* the list's str, read where CPython keeps its UTF-8 */
			buf_addf(&b, "rt::StrView::at_str(%s, ",
				 var_of(f, x->a[0])->rname);
			ex_i64(f, &b, x->a[1]);
			emit_line(f->e, "let __t%zu: &str = %s)?;", i, b.data);
		} else if (x->borrow) {
			ex_ref(f, &b, x);
			emit_line(f->e, "let __t%zu: &str = %s;", i, b.data);
		} else {
			ex_own(f, &b, x);
			emit_line(f->e, "let __t%zu = %s;", i, b.data);
		}
	}
	for (size_t i = 0; i < v->n; i++) {
		if (v->a[i]->borrow)
			emit_line(f->e, "rt::set_str(&mut %s.%zu, __t%zu);",
				  tv->rname, i, i);
		else
			emit_line(f->e, "%s.%zu = __t%zu;", tv->rname, i, i);
	}
	buf_release(&b);
}

/* ---- statements ---- */

static void emit_block(struct fe *f, struct block *blk);
static void hoist(struct fe *f, struct ex *x);
static void emit_bind(struct fe *f, struct ex *t, const char *val,
		      const struct ty *vt);

typedef void (*body_fn)(struct fe *f, void *ctx);

/* A loop source that can be read live through its name each iteration
 * (Python's list iterator re-checks the length every step). */
static bool live_name(struct fe *f, const struct ex *src,
		      const struct block *body)
{
	return src->kind == EX_NAME &&
	       (!body || !block_assigns(body, src->var));
}

/*
 * An innermost loop over a range lo..hi, emitted from `loop` on (the `for`
 * line) with its tick line at `tick`, becomes two copies of itself:
 *
 *     if __ticks.bulk(lo, hi)? { for ... { body } } else { for ... { tick; body
 * } }
 *
 * bulk() counts a loop of at most 2**14 iterations at once (checking
 * signals first when the count crosses a check point), and that copy runs
 * without ticks; a longer loop ticks per iteration. Why: the signal check
 * inside a loop is a call the compiler must assume may write any memory,
 * so it reloads everything the loop reads through pointers on every
 * iteration (a row of a list of lists, its length); out of the loop those
 * loads are hoisted. matmul 60x60: 0.37 -> 0.30 ms per call.
 */
static void emit_short_loop(struct emitter *e, size_t loop, size_t tick)
{
	struct buf *o = e->out;
	size_t end = o->len, nl;
	char *text;

	nl = (size_t)((char *)memchr(o->data + tick, '\n', end - tick) -
		      o->data) +
	     1;
	text = xstrndup(o->data + loop, end - loop);
	buf_truncate(o, tick);
	buf_add(o, text + (nl - loop), end - nl);
	e->indent--;
	emit_open(e, "} else {");
	buf_add(o, text, end - loop);
	emit_close(e, NULL);
	free(text);
}

/* A loop's head as its printers share it: the loop statement (NULL in
 * a comprehension), the Rust name each item is bound to, and where the
 * text of a short loop starts (emit_short_loop). */
struct loop_head {
	const struct st *loop;
	const struct block *body;
	char *v;
	size_t short_at;
	const char *into; /* a str loop's target, its buffer reused: bound */
	bool into_char;	  /* into is a char local (plan_str_locals) */
	bool sref;	  /* the target is an rt::SRef (plan_str_locals) */
};

/* for v in lo..hi, a short innermost one counted at once, or rt::range. */
static void head_range(struct fe *f, struct loop_head *h, struct ex *src)
{
	struct emitter *e = f->e;
	struct ex *r = ex_is_call(src, "range") ? src : src->a[0];
	bool rev = src != r;
	struct buf b = BUF_INIT;

	if (h->loop && h->loop->is_short) {
		/* An innermost loop over lo..hi: see emit_short_loop */
		char *lo = tmpname(f, "lo"), *hi = tmpname(f, "hi");
		if (r->n == 1)
			buf_adds(&b, "0");
		else
			ex_i64(f, &b, r->a[0]);
		emit_line(e, "let %s: i64 = %s;", lo, b.data);
		buf_reset(&b);
		ex_i64(f, &b, r->a[r->n - 1]);
		emit_line(e, "let %s: i64 = %s;", hi, b.data);
		emit_open(e, "if __ticks.bulk(%s, %s)? {", lo, hi);
		h->short_at = e->out->len;
		buf_reset(&b);
		buf_addf(&b, "%s..%s", lo, hi);
	} else if (r->n <= 2 && !rev) {
		if (r->n == 1)
			buf_adds(&b, "0");
		else
			ex_i64(f, &b, r->a[0]);
		buf_adds(&b, "..");
		ex_i64(f, &b, r->a[r->n - 1]);
	} else {
		buf_addf(&b, "rt::range%s(", rev ? "_rev" : "");
		if (r->n == 1)
			buf_adds(&b, "0, ");
		for (size_t i = 0; i < r->n; i++) {
			if (i)
				buf_adds(&b, ", ");
			ex_i64(f, &b, r->a[i]);
		}
		buf_adds(&b, r->n == 3 ? ")?" : ", 1)?");
	}
	emit_open(e, "for %s in %s {", h->v, b.data);
	buf_release(&b);
}

/* zip(xs, ys, s): index all at once while every one has an item. */
static void head_zip(struct fe *f, struct loop_head *h, struct ex *src)
{
	struct emitter *e = f->e;
	char *i = tmpname(f, "i");
	struct buf b = BUF_INIT, cond = BUF_INIT, tup = BUF_INIT;

	for (size_t k = 0; k < src->n; k++) {
		struct ex *s = src->a[k];
		const char *name;
		if (s->ty->kind == TY_LIST && live_name(f, s, h->body)) {
			name = var_of(f, s)->rname;
		} else {
			name = tmpname(f, "z");
			buf_reset(&b);
			if (s->ty->kind == TY_STR) {
				buf_adds(&b, "rt::chars(");
				ex_ref(f, &b, s);
				buf_addch(&b, ')');
			} else if (s->ty->kind == TY_LIST) {
				ex_own(f, &b, s);
			} else {
				unplanned("zip() over %s");
			}
			emit_line(e, "let %s = %s;", name, b.data);
		}
		buf_addf(&cond, "%s%s < %s.len()", k ? " && " : "", i, name);
		if (is_view(f, s))
			buf_addf(&tup, "%s%s.at_k(%s)?", k ? ", " : "", name,
				 i);
		else
			buf_addf(&tup, "%s%s[%s].clone()", k ? ", " : "", name,
				 i);
	}
	emit_line(e, "let mut %s = 0usize;", i);
	emit_open(e, "while %s {", cond.data);
	emit_line(e, "let %s = (%s);", h->v, tup.data);
	emit_line(e, "%s += 1;", i);
	buf_release(&b);
	buf_release(&cond);
	buf_release(&tup);
}

/* A dict, its keys(), values() or items(): by index, and a dict that
 * changes size meanwhile lets Python raise. */
static void head_dict(struct fe *f, struct loop_head *h, struct ex *src)
{
	static const char *const get[] = {
	    "map(|(k, _)| k.clone())",
	    "map(|(_, v)| v.clone())",
	    "map(|(k, v)| (k.clone(), v.clone()))",
	};
	struct emitter *e = f->e;
	struct ex *d = src->kind == EX_METHOD ? src->a[0] : src;
	char *n = tmpname(f, "n"), *i = tmpname(f, "i"), *dn;
	int which = ex_is_method(src, "values")	 ? 1
		    : ex_is_method(src, "items") ? 2
						 : 0;
	struct buf b = BUF_INIT;

	if (live_name(f, d, h->body)) {
		dn = var_of(f, d)->rname;
	} else {
		dn = tmpname(f, "d");
		ex_own(f, &b, d);
		emit_line(e, "let %s = %s;", dn, b.data);
	}
	emit_line(e, "let %s = %s.len();", n, dn);
	emit_line(e, "let mut %s = 0usize;", i);
	emit_open(e, "loop {");
	emit_line(e, "if %s.len() != %s { return Err(rt::Deopt); }", dn, n);
	emit_line(e, "if %s >= %s { break; }", i, n);
	emit_line(e, "let %s = %s.get_index(%s).%s.ok_or(rt::Deopt)?;", h->v,
		  dn, i, get[which]);
	emit_line(e, "%s += 1;", i);
	buf_release(&b);
}

/* for c in s: a str name the body does not rebind is read in place (a
 * str does not change), anything else copied first; the character goes
 * into the target's own buffer when the target is a str variable
 * (h->into), else into a new String. */
static void head_str(struct fe *f, struct loop_head *h, struct ex *src)
{
	char *s = tmpname(f, "s"), *c = tmpname(f, "c");
	struct buf b = BUF_INIT;

	if (strix(f, src)) {
		/* the code points where they are (a str does not change) */
		char *k = tmpname(f, "k");
		emit_open(f->e, "for %s in 0..%s.count() {", k, strix(f, src));
		emit_line(f->e, "let %s = %s.nth(%s)?;", c, strix(f, src), k);
	} else if (live_name(f, src, h->body)) {
		ex_ref(f, &b, src);
		emit_line(f->e, "let %s: &str = (%s).as_str();", s, b.data);
	} else {
		ex_own(f, &b, src);
		emit_line(f->e, "let %s = %s;", s, b.data);
	}
	if (!strix(f, src))
		emit_open(f->e, "for %s in %s.chars() {", c, s);
	if (h->into_char)
		emit_line(f->e, "%s = %s;", h->into, c);
	else if (h->into)
		emit_line(f->e, "rt::set_char(&mut %s, %s);", h->into, c);
	else
		emit_line(f->e, "let %s = %s.to_string();", h->v, c);
	buf_release(&b);
}

/* The list a loop reads: by its name, live (Python's list iterator
 * re-checks the length every step), or a copy. */
/* xs[i][j] / d[k] of a parameter held by reference: not changed in
 * place (plan) and not rebound. */
static bool index_root_is_arg(struct fe *f, const struct ex *l)
{
	while (l->kind == EX_INDEX)
		l = l->a[0];
	return l->kind == EX_NAME && !l->unwrap && var_is_ref(var_of(f, l)) &&
	       !var_of(f, l)->is_mutated && !var_of(f, l)->is_view;
}

static char *list_source(struct fe *f, struct loop_head *h, struct ex *l)
{
	struct buf b = BUF_INIT;
	char *ln;

	if (live_name(f, l, h->body))
		return var_of(f, l)->rname;
	if (l->kind == EX_INDEX && h->body) {
		const struct ex *p = l;
		while (p->kind == EX_INDEX)
			p = p->a[0];
		if (p->kind == EX_NAME && f->fn->vars[p->var].is_mutated)
			unplanned("loop over an item changed in place");
	}
	ln = tmpname(f, "l");
	if (l->kind != EX_INDEX) {
		ex_own(f, &b, l);
		emit_line(f->e, "let %s = %s;", ln, b.data);
	} else if (index_root_is_arg(f, l)) {
		/* an item of an argument the function neither changes nor
		 * rebinds: read where it is (macros[t] not copied each time) */
		ex_ref(f, &b, l);
		emit_line(f->e, "let %s = %s;", ln, b.data);
	} else {
		ex_ref(f, &b, l);
		emit_line(f->e, "let %s = (%s).clone();", ln, b.data);
	}
	buf_release(&b);
	return ln;
}

/* A list, or reversed() of one, by index. */
static void head_list(struct fe *f, struct loop_head *h, struct ex *src)
{
	struct emitter *e = f->e;
	bool rev = ex_is_call(src, "reversed");
	struct ex *l = rev ? src->a[0] : src;
	char *i = tmpname(f, "i"), *ln;
	const char *clone = ty_is_copy(l->ty->sub[0]) ? "" : ".clone()";
	bool items = !rev && dview_items(f, l);

	if (items) {
		struct buf b = BUF_INIT;
		ln = tmpname(f, "l");
		dview_call(f, &b, "d_items", l->a[0], l->a[1]);
		emit_line(e, "let %s = %s)?;", ln, b.data);
		buf_release(&b);
	} else {
		ln = list_source(f, h, l);
	}

	if (rev) {
		emit_line(e, "let mut %s = %s.len();", i, ln);
		emit_open(e, "while %s > 0 {", i);
		emit_line(e, "%s -= 1;", i);
		emit_line(e, "if %s >= %s.len() { break; }", i, ln);
		emit_line(e, "let %s = %s[%s]%s;", h->v, ln, i, clone);
		return;
	}
	emit_line(e, "let mut %s = 0usize;", i);
	emit_open(e, "while %s < %s.len() {", i, ln);
	if ((items || is_view(f, l)) && h->sref)
		emit_line(e, "let %s = %s.at_sref_k(%s)?;", h->v, ln, i);
	else if (items || is_view(f, l))
		emit_line(e, "let %s = %s.at_k(%s)?;", h->v, ln, i);
	else
		emit_line(e, "let %s = %s[%s]%s;", h->v, ln, i, clone);
	emit_line(e, "%s += 1;", i);
}

static void head_tuple(struct fe *f, struct loop_head *h, struct ex *src)
{
	char *t = tmpname(f, "t");
	struct buf b = BUF_INIT, arr = BUF_INIT;

	ex_own(f, &b, src);
	emit_line(f->e, "let %s = %s;", t, b.data);
	for (size_t k = 0; k < src->ty->n; k++)
		buf_addf(&arr, "%s%s.%zu", k ? ", " : "", t, k);
	emit_open(f->e, "for %s in [%s] {", h->v, arr.data);
	buf_release(&arr);
	buf_release(&b);
}

/* Opens the loop over src, its item bound to h->v. */
static void emit_loop_head(struct fe *f, struct loop_head *h, struct ex *src)
{
	if (ex_is_call(src, "range") ||
	    (ex_is_call(src, "reversed") && ex_is_call(src->a[0], "range")))
		head_range(f, h, src);
	else if (ex_is_call(src, "zip"))
		head_zip(f, h, src);
	else if (ex_is_method(src, "keys") || ex_is_method(src, "values") ||
		 ex_is_method(src, "items") || src->ty->kind == TY_DICT)
		head_dict(f, h, src);
	else if (src->ty->kind == TY_STR)
		head_str(f, h, src);
	else if (src->ty->kind == TY_LIST || (ex_is_call(src, "reversed") &&
					      src->a[0]->ty->kind == TY_LIST))
		head_list(f, h, src);
	else if (src->ty->kind == TY_TUPLE)
		head_tuple(f, h, src);
	else
		unplanned("for loop over %s");
}

/* The loop statement loop (NULL in a comprehension) over iter, binding
 * target, its body printed by inner. */
static void emit_for(struct fe *f, struct ex *target, struct ex *iter,
		     const struct st *loop, body_fn inner, void *ctx)
{
	struct emitter *e = f->e;
	struct loop_head h = {loop,
			      loop ? &loop->body : NULL,
			      tmpname(f, "v"),
			      SIZE_MAX,
			      NULL,
			      false,
			      false};
	struct buf b = BUF_INIT;
	char *enum_n = NULL;
	size_t tick;

	if (ex_is_call(iter, "enumerate")) {
		enum_n = tmpname(f, "n");
		if (iter->n == 2)
			ex_i64(f, &b, iter->a[1]);
		else
			buf_adds(&b, "0");
		emit_line(e, "let mut %s: i64 = %s;", enum_n, b.data);
	}
	if (!enum_n && iter->ty->kind == TY_STR && target->kind == EX_NAME &&
	    var_of(f, target)->ty->kind == TY_STR &&
	    !var_is_ref(var_of(f, target)) && !ex_mentions(iter, target->var)) {
		h.into = var_of(f, target)->rname;
		h.into_char = var_of(f, target)->is_char;
	}
	h.sref = !enum_n && str_sref(f, target);
	emit_loop_head(f, &h, enum_n ? iter->a[0] : iter);
	if (enum_n) {
		char *w = tmpname(f, "v");
		emit_line(e, "let %s = (%s, %s);", w, enum_n, h.v);
		emit_line(e, "%s += 1;", enum_n);
		h.v = w;
	}
	tick = e->out->len;
	emit_line(e, "__ticks.tick()?;");
	if (!h.into)
		emit_bind(f, target, h.v, ex_loop_ty(&f->m->arena, iter));
	inner(f, ctx);
	emit_close(e, NULL);
	if (h.short_at != SIZE_MAX)
		emit_short_loop(e, h.short_at, tick);
	buf_release(&b);
}

/* Binds a value (a Rust expression that may be moved) to a target. */
static void emit_bind(struct fe *f, struct ex *t, const char *val,
		      const struct ty *vt)
{
	struct emitter *e = f->e;
	struct buf b = BUF_INIT;

	if (t->kind == EX_NAME) {
		struct var *v = var_of(f, t);
		if (!ty_equal(v->ty, vt))
			unplanned("binding %s to '%s' of type %s");
		else
			emit_line(e, "%s = %s;", v->rname, val);
	} else if (t->kind == EX_TUPLE) {
		char *u = tmpname(f, "u");
		emit_line(e, "let %s = %s;", u, val);
		if (vt->kind == TY_TUPLE) {
			for (size_t i = 0; i < t->n; i++) {
				char *s = xasprintf("%s.%zu", u, i);
				emit_bind(f, t->a[i], s, vt->sub[i]);
				free(s);
			}
		} else if (vt->kind == TY_LIST) {
			emit_line(
			    e, "if %s.len() != %zu { return Err(rt::Deopt); }",
			    u, t->n);
			for (size_t i = 0; i < t->n; i++) {
				char *s = xasprintf(
				    "%s[%zu]%s", u, i,
				    ty_is_copy(vt->sub[0]) ? "" : ".clone()");
				emit_bind(f, t->a[i], s, vt->sub[0]);
				free(s);
			}
		} else {
			unplanned("unpacking %s");
		}
	} else if (t->kind == EX_INDEX) {
		const struct ty *ot = t->a[0]->ty;
		char *v = tmpname(f, "w");
		emit_line(e, "let %s = %s;", v, val);
		if (ot->kind == TY_LIST) {
			if (!ty_equal(ot->sub[0], vt)) {
				unplanned("storing %s into %s");
				goto out;
			}
			buf_adds(&b, "*");
			ex_mut(f, &b, t);
			emit_line(e, "%s = %s;", b.data, v);
		} else if (ot->kind == TY_DICT) {
			char *k = tmpname(f, "k");
			if (!ty_equal(ot->sub[1], vt)) {
				unplanned("storing %s into %s");
				goto out;
			}
			if (t->a[1]->kind == EX_NAME &&
			    ty_equal(t->a[1]->ty, ot->sub[0]) &&
			    !ex_mentions(t->a[0], t->a[1]->var)) {
				/* d[k] = v with k a name: copied only when
				 * new (Python keeps the first key object) */
				ex_ref(f, &b, t->a[1]);
				emit_line(e, "let %s = %s;", k, b.data);
				buf_reset(&b);
				ex_mut(f, &b, t->a[0]);
				emit_line(e, "rt::dset(%s, %s, %s);", b.data,
					  k, v);
				goto out;
			}
			ex_own_as(f, &b, t->a[1], ot->sub[0]);
			emit_line(e, "let %s = %s;", k, b.data);
			buf_reset(&b);
			ex_mut(f, &b, t->a[0]);
			emit_line(e, "(%s).insert(%s, %s);", b.data, k, v);
		} else {
			unplanned("item assignment on %s");
		}
	} else {
		unplanned("assignment target");
	}
out:
	buf_release(&b);
}

/* Comprehensions become loops filling a temporary before the statement
 * that uses them (their element and conditions are hoisted inside). */
struct comp_ctx {
	struct ex *x;
	size_t level;
};

static void comp_body(struct fe *f, void *vctx)
{
	struct comp_ctx *c = vctx;
	struct ir_comp *cl = c->x->comp[c->level];
	struct buf b = BUF_INIT;

	for (size_t k = 0; k < cl->nconds; k++) {
		hoist(f, cl->conds[k]);
		ex_cond(f, &b, cl->conds[k]);
		emit_line(f->e, "if !%s { continue; }", b.data);
		buf_reset(&b);
	}
	if (c->level + 1 < c->x->ncomp) {
		struct comp_ctx next = {c->x, c->level + 1};
		struct ir_comp *nc = c->x->comp[c->level + 1];
		hoist(f, nc->iter);
		emit_for(f, nc->target, nc->iter, NULL, comp_body, &next);
	} else {
		hoist(f, c->x->a[0]);
		ex_own_as(f, &b, c->x->a[0], c->x->ty->sub[0]);
		emit_line(f->e, "rt::push(&mut %s, %s)?;", c->x->tmp, b.data);
	}
	buf_release(&b);
}

static void hoist(struct fe *f, struct ex *x)
{
	if (!x)
		return;
	if (x->kind == EX_LISTCOMP) {
		struct comp_ctx c = {x, 0};
		char *t = tmpname(f, "lc");
		hoist(f, x->comp[0]->iter);
		emit_line(f->e, "let mut %s: %s = Vec::new();", t, rty(x->ty));
		x->tmp = t;
		if (x->has_room) {
			struct buf cnt = BUF_INIT;
			add_trip_count(f, &cnt, x->comp[0]->iter);
			emit_line(f->e, "rt::room(&mut %s, %s)?;", t, cnt.data);
			buf_release(&cnt);
		}
		emit_for(f, x->comp[0]->target, x->comp[0]->iter, NULL,
			 comp_body, &c);
		return;
	}
	/* Only what always runs: the right side of and/or, the branches of
	 * a conditional expression and the operands of a comparison chain
	 * after the first comparison run only when Python gets to them, and
	 * a comprehension there is emitted in place (EX_LISTCOMP in ex). */
	if (x->kind == EX_AND || x->kind == EX_OR) {
		hoist(f, x->a[0]);
		return;
	}
	if (x->kind == EX_IFEXP) {
		hoist(f, x->a[1]);
		return;
	}
	for (size_t i = 0; i < x->n; i++) {
		if (x->kind == EX_CMP && i >= 2)
			break;
		hoist(f, x->a[i]);
	}
}

static void stmt_line(struct fe *f, const struct st *s)
{
	emit_line(f->e, "// line %d", s->line);
}

static void block_body(struct fe *f, void *blk)
{
	emit_block(f, blk);
}

static void emit_assign(struct fe *f, struct st *s)
{
	struct buf b = BUF_INIT;

	hoist(f, s->value);
	if (s->shape == SHAPE_STR_APPEND) {
		emit_str_append(f, s->targets[0], s->value->a[1]);
	} else if (s->shape == SHAPE_STR_CASE_INTO) {
		emit_str_case_into(f, s->targets[0], s->value);
	} else if (s->shape == SHAPE_STR_INDEX_INTO) {
		emit_str_index_into(f, s->targets[0], s->value);
	} else if (s->shape == SHAPE_STR_SLICE_INTO &&
		   var_of(f, s->targets[0])->is_span) {
		/* only its span: the str is made where it escapes */
		buf_addf(&b, "%s = %s.span(", var_of(f, s->targets[0])->rname,
			 strix(f, s->value->a[0]));
		opt_i64(f, &b, s->value->a[1]);
		buf_adds(&b, ", ");
		opt_i64(f, &b, s->value->a[2]);
		emit_line(f->e, "%s)?;", b.data);
	} else if (s->shape == SHAPE_STR_SLICE_INTO) {
		buf_addf(&b, "%s.slice_into(&mut %s", strix(f, s->value->a[0]),
			 var_of(f, s->targets[0])->rname);
		slice_bounds(f, &b, s->value, true);
		emit_line(f->e, "%s)?;", b.data);
	} else if (s->shape == SHAPE_TUPLE_INTO) {
		emit_tuple_into(f, s->targets[0], s->value);
	} else if (s->ntargets == 1 && s->targets[0]->kind == EX_NAME &&
		   s->value->kind == EX_STR &&
		   var_of(f, s->targets[0])->ty->kind == TY_STR) {
		/* word = "": into word's buffer (no allocation when the str
		 * grows again) */
		buf_adds(&b, "rt::set_str(&mut ");
		buf_adds(&b, var_of(f, s->targets[0])->rname);
		buf_adds(&b, ", ");
		add_str_lit(&b, s->value->sval, s->value->slen);
		emit_line(f->e, "%s);", b.data);
	} else if (s->ntargets == 1 && s->targets[0]->kind == EX_NAME) {
		struct var *v = var_of(f, s->targets[0]);
		ex_own_as(f, &b, s->value, v->ty);
		emit_line(f->e, "%s = %s;", v->rname, b.data);
	} else if (s->ntargets == 1 && s->targets[0]->kind == EX_TUPLE &&
		   s->value->kind == EX_TUPLE &&
		   s->value->n == s->targets[0]->n) {
		/* a, b = b, a: evaluate all, then bind */
		char **t =
		    arena_alloc(&f->m->arena, s->value->n * sizeof(char *));
		for (size_t i = 0; i < s->value->n; i++) {
			t[i] = tmpname(f, "e");
			buf_reset(&b);
			ex_own(f, &b, s->value->a[i]);
			emit_line(f->e, "let %s = %s;", t[i], b.data);
		}
		for (size_t i = 0; i < s->value->n; i++)
			emit_bind(f, s->targets[0]->a[i], t[i],
				  s->value->a[i]->ty);
	} else {
		char *t = tmpname(f, "e");
		const struct ty *want = s->targets[0]->kind == EX_NAME
					    ? var_of(f, s->targets[0])->ty
					    : s->value->ty;
		ex_own_as(f, &b, s->value, want);
		emit_line(f->e, "let %s = %s;", t, b.data);
		for (size_t i = 0; i < s->ntargets; i++) {
			char *val =
			    xasprintf("%s%s", t,
				      i + 1 < s->ntargets && !ty_is_copy(want)
					  ? ".clone()"
					  : "");
			emit_bind(f, s->targets[i], val, want);
			free(val);
		}
	}
	buf_release(&b);
}

/* x op= v on an int | float, float or int variable. */
static void emit_aug_name(struct fe *f, struct st *s)
{
	struct var *v = var_of(f, s->target);
	struct ex left = *s->target;
	struct buf b = BUF_INIT;
	bool in_place = s->op == OP_ADD || s->op == OP_SUB || s->op == OP_MUL;

	if (v->ty->kind == TY_NUM && s->value->ty->kind == TY_FLOAT) {
		left.ty = v->ty;
		emit_binop(f, &b, s->op, &left, s->value, ty_basic(TY_FLOAT));
		emit_line(f->e, "%s = rt::Num::F(%s);", v->rname, b.data);
	} else if (v->ty->kind == TY_NUM) {
		left.ty = v->ty;
		emit_binop(f, &b, s->op, &left, s->value, ty_basic(TY_NUM));
		emit_line(f->e, "%s = %s;", v->rname, b.data);
	} else if (v->ty->kind == TY_FLOAT && in_place) {
		ex_f64(f, &b, s->value);
		emit_line(f->e, "%s %s= %s;", v->rname, binop_str(s->op),
			  b.data);
	} else {
		emit_binop(f, &b, s->op, &left, s->value, v->ty);
		emit_line(f->e, "%s = %s;", v->rname, b.data);
	}
	buf_release(&b);
}

/* *p op= val on an int item (val the Rust name of the value). */
static void emit_aug_int_item(struct fe *f, int op, const char *p,
			      const char *val, const struct ty *vt)
{
	static const char *int_fn[] = {
	    [OP_ADD] = "add_i",	   [OP_SUB] = "sub_i",
	    [OP_MUL] = "mul_i",	   [OP_FLOORDIV] = "floordiv_i",
	    [OP_MOD] = "mod_i",	   [OP_POW] = "pow_i",
	    [OP_LSHIFT] = "shl_i", [OP_RSHIFT] = "shr_i",
	};
	const char *cast = vt->kind == TY_BOOL ? " as i64" : "";

	if (op == OP_BITAND || op == OP_BITOR || op == OP_BITXOR)
		emit_line(f->e, "*%s %s= %s%s;", p, binop_str(op), val, cast);
	else if (op <= OP_RSHIFT && int_fn[op])
		emit_line(f->e, "*%s = rt::%s(*%s, %s%s)?;", p, int_fn[op], p,
			  val, cast);
	else
		unplanned("augmented %s on an item");
}

/* xs[i] op= v, d[k] op= v: the value first, then the item borrowed
 * mutably. */
static void emit_aug_item(struct fe *f, struct st *s)
{
	static const char *float_fn[] = {
	    [OP_DIV] = "div_f",
	    [OP_FLOORDIV] = "floordiv_f",
	    [OP_MOD] = "mod_f",
	};
	const struct ty *t = s->target->ty, *vt = s->value->ty;
	bool fl = t->kind == TY_FLOAT || vt->kind == TY_FLOAT;
	const char *as_f = vt->kind == TY_FLOAT	 ? ""
			   : vt->kind == TY_BOOL ? " as i64 as f64"
						 : " as f64";
	char *val = tmpname(f, "w"), *p = tmpname(f, "p");
	struct buf b = BUF_INIT;
	int op = s->op;

	ex_own(f, &b, s->value);
	emit_line(f->e, "let %s = %s;", val, b.data);
	buf_reset(&b);
	ex_mut(f, &b, s->target);
	emit_line(f->e, "let %s = %s;", p, b.data);
	buf_release(&b);
	if (t->kind == TY_STR && op == OP_ADD)
		emit_line(f->e, "*%s = rt::cat(&*%s, &%s);", p, p, val);
	else if (fl && (op == OP_ADD || op == OP_SUB || op == OP_MUL))
		emit_line(f->e, "*%s %s= %s%s;", p, binop_str(op), val, as_f);
	else if (fl)
		emit_line(f->e, "*%s = rt::%s(*%s, %s%s)?;", p,
			  op <= OP_MOD && float_fn[op] ? float_fn[op] : "pow_f",
			  p, val, as_f);
	else if (t->kind == TY_INT)
		emit_aug_int_item(f, op, p, val, vt);
	else
		unplanned("augmented assignment on %s");
}

static void emit_aug(struct fe *f, struct st *s)
{
	hoist(f, s->value);
	if (s->shape == SHAPE_STR_APPEND)
		emit_str_append(f, s->target, s->value);
	else if (s->target->kind == EX_NAME)
		emit_aug_name(f, s);
	else
		emit_aug_item(f, s);
}

static void emit_loop_else(struct fe *f, struct st *s, char *broke)
{
	if (!s->orelse.n)
		return;
	emit_open(f->e, "if !%s {", broke);
	emit_block(f, &s->orelse);
	emit_close(f->e, NULL);
}

static void emit_stmt(struct fe *f, struct st *s);

/* ---- two rows at once (plan.c: SHAPE_JAM says when, and why) ---- */

struct jam_names {
	char *v, *w, *acc;
};

static void jam_rename(struct fe *f, const struct st *s,
		       const struct jam_names *n)
{
	const struct st *inner = s->body.v[1];
	f->fn->vars[s->target->var].rname = n->v;
	f->fn->vars[inner->target->var].rname = n->w;
	f->fn->vars[s->body.v[0]->targets[0]->var].rname = n->acc;
}

/* Rows run side by side. Four measured slower than two on matmul
 * (0.28 against 0.23 ms per call: more live values than registers) and
 * the same on convolve1d. */
#define JAM_ROWS 2

static void emit_jam(struct fe *f, struct st *s)
{
	struct emitter *e = f->e;
	struct st *inner = s->body.v[1], *aug = inner->body.v[0];
	struct st *app = s->body.v[2];
	struct var *acc = &f->fn->vars[s->body.v[0]->targets[0]->var];
	struct jam_names orig = {f->fn->vars[s->target->var].rname,
				 f->fn->vars[inner->target->var].rname,
				 acc->rname};
	struct jam_names rows[JAM_ROWS];
	char *lo = tmpname(f, "lo"), *hi = tmpname(f, "hi"),
	     *p = tmpname(f, "p"), *t = tmpname(f, "t"), *x = tmpname(f, "x");
	char *ilo[JAM_ROWS], *ihi[JAM_ROWS];
	struct buf b = BUF_INIT, init = BUF_INIT;

	for (int r = 0; r < JAM_ROWS; r++) {
		rows[r].v = tmpname(f, "row");
		rows[r].w = tmpname(f, "col");
		rows[r].acc = tmpname(f, "acc");
		ilo[r] = tmpname(f, "ilo");
		ihi[r] = tmpname(f, "ihi");
	}
	stmt_line(f, s);
	if (s->iter->n == 1)
		buf_adds(&b, "0");
	else
		ex_i64(f, &b, s->iter->a[0]);
	emit_line(e, "let %s: i64 = %s;", lo, b.data);
	buf_reset(&b);
	ex_i64(f, &b, s->iter->a[s->iter->n - 1]);
	emit_line(e, "let %s: i64 = %s;", hi, b.data);
	emit_room(f, s);
	ex_own(f, &init, s->body.v[0]->value);
	emit_line(e, "let mut %s: i64 = %s;", p, lo);
	emit_line(e, "// rows %s to %s + %d side by side (see emit_jam)", p, p,
		  JAM_ROWS - 1);
	emit_open(e, "while %s < %s && (%s as i128) - (%s as i128) >= %d {", p,
		  hi, hi, p, JAM_ROWS);
	for (int r = 0; r < JAM_ROWS; r++)
		emit_line(e, "__ticks.tick()?;");
	for (int r = 0; r < JAM_ROWS; r++) {
		emit_line(e, "let %s: i64 = %s + %d;", rows[r].v, p, r);
		emit_line(e, "let mut %s: %s = %s;", rows[r].acc, rty(acc->ty),
			  init.data);
		emit_line(e, "let mut %s: i64 = 0;", rows[r].w);
		jam_rename(f, s, &rows[r]);
		buf_reset(&b);
		if (inner->iter->n == 1)
			buf_adds(&b, "0");
		else
			ex_i64(f, &b, inner->iter->a[0]);
		emit_line(e, "let %s: i64 = %s;", ilo[r], b.data);
		buf_reset(&b);
		ex_i64(f, &b, inner->iter->a[inner->iter->n - 1]);
		emit_line(e, "let %s: i64 = %s;", ihi[r], b.data);
	}
	buf_reset(&b);
	buf_adds(&b, "if ");
	for (int r = 1; r < JAM_ROWS; r++)
		buf_addf(&b,
			 "(%s as i128) - (%s as i128) == (%s as i128) - (%s as "
			 "i128) && ",
			 ihi[0], ilo[0], ihi[r], ilo[r]);
	for (int r = 0; r < JAM_ROWS; r++)
		buf_addf(&b, "__ticks.bulk(%s, %s)?%s", ilo[r], ihi[r],
			 r + 1 < JAM_ROWS ? " && " : " {");
	emit_open(e, "%s", b.data);
	emit_open(e, "for %s in 0..(if %s > %s { %s - %s } else { 0 }) {", t,
		  ihi[0], ilo[0], ihi[0], ilo[0]);
	for (int r = 0; r < JAM_ROWS; r++) {
		jam_rename(f, s, &rows[r]);
		emit_line(e, "%s = %s + %s;", rows[r].w, ilo[r], t);
		emit_stmt(f, aug);
	}
	emit_close(e, NULL);
	e->indent--;
	emit_open(e, "} else {");
	for (int r = 0; r < JAM_ROWS; r++) {
		jam_rename(f, s, &rows[r]);
		emit_open(e, "for %s in %s..%s {", x, ilo[r], ihi[r]);
		emit_line(e, "__ticks.tick()?;");
		emit_line(e, "%s = %s;", rows[r].w, x);
		emit_stmt(f, aug);
		emit_close(e, NULL);
	}
	emit_close(e, NULL);
	for (int r = 0; r < JAM_ROWS; r++) {
		jam_rename(f, s, &rows[r]);
		emit_stmt(f, app);
	}
	emit_line(e, "%s += %d;", p, JAM_ROWS);
	emit_close(e, NULL);
	jam_rename(f, s, &orig);
	/* the rows left over: the loop body as written */
	emit_open(e, "while %s < %s {", p, hi);
	emit_line(e, "__ticks.tick()?;");
	emit_line(e, "%s = %s;", orig.v, p);
	emit_block(f, &s->body);
	emit_line(e, "%s += 1;", p);
	emit_close(e, NULL);
	buf_release(&b);
	buf_release(&init);
}

/* ---- one printer per statement kind ---- */

static void print_expr_st(struct fe *f, struct st *s)
{
	struct buf b = BUF_INIT;

	stmt_line(f, s);
	hoist(f, s->value);
	ex_own(f, &b, s->value);
	if (s->value->ty->kind == TY_NONE)
		emit_line(f->e, "%s;", b.data);
	else
		emit_line(f->e, "let _ = %s;", b.data);
	buf_release(&b);
}

static void print_assign(struct fe *f, struct st *s)
{
	stmt_line(f, s);
	if (s->shape == SHAPE_OUT_NEW)
		emit_line(f->e, "%s = rt::PyOut::new();",
			  var_of(f, s->targets[0])->rname);
	else
		emit_assign(f, s);
}

static void print_aug(struct fe *f, struct st *s)
{
	stmt_line(f, s);
	emit_aug(f, s);
}

static void print_if(struct fe *f, struct st *s)
{
	struct emitter *e = f->e;
	struct buf b = BUF_INIT;

	stmt_line(f, s);
	hoist(f, s->cond);
	if (s->key_use) {
		/* plan.c key_use: one lookup for the test and the d[k] */
		char *ix = tmpname(f, "ix");
		buf_adds(&b, "(");
		ex_ref(f, &b, s->cond->a[1]);
		buf_adds(&b, ").get_index_of(");
		ex_ref(f, &b, s->cond->a[0]);
		emit_line(e, "let %s: Option<usize> = %s);", ix, b.data);
		buf_reset(&b);
		buf_addf(&b, "%s.%s()", ix,
			 s->cond->cmp[0] == CMP_IN ? "is_some" : "is_none");
		s->key_use->ix = ix;
	} else {
		ex_cond(f, &b, s->cond);
	}
	emit_open(e, "if %s {", b.data);
	emit_block(f, &s->body);
	if (s->orelse.n) {
		e->indent--;
		emit_open(e, "} else {");
		emit_block(f, &s->orelse);
	}
	emit_close(e, NULL);
	buf_release(&b);
}

/* A condition that needs comprehensions run first is tested inside the
 * loop. */
static void print_while(struct fe *f, struct st *s)
{
	struct emitter *e = f->e;
	char *broke = s->orelse.n ? tmpname(f, "broke") : NULL;
	struct buf b = BUF_INIT;

	stmt_line(f, s);
	if (broke)
		emit_line(e, "let mut %s = false;", broke);
	f->loops[f->nloops++].broke = broke;
	if (s->cond->kind == EX_BOOL && s->cond->ival) {
		emit_open(e, "loop {");
	} else if (ex_has_comp(s->cond)) {
		emit_open(e, "loop {");
		hoist(f, s->cond);
		ex_cond(f, &b, s->cond);
		emit_line(e, "if !%s { break; }", b.data);
	} else {
		ex_cond(f, &b, s->cond);
		emit_open(e, "while %s {", b.data);
	}
	emit_line(e, "__ticks.tick()?;");
	emit_block(f, &s->body);
	emit_close(e, NULL);
	f->nloops--;
	if (broke)
		emit_loop_else(f, s, broke);
	buf_release(&b);
}

static void print_for(struct fe *f, struct st *s)
{
	struct emitter *e = f->e;
	char *broke = s->orelse.n ? tmpname(f, "broke") : NULL;

	if (s->shape == SHAPE_JAM) {
		emit_jam(f, s);
		return;
	}
	stmt_line(f, s);
	if (broke)
		emit_line(e, "let mut %s = false;", broke);
	hoist(f, s->iter);
	if (f->nloops >= 127) {
		unplanned("loops nested too deeply");
		return;
	}
	f->loops[f->nloops++].broke = broke;
	emit_room(f, s);
	emit_for(f, s->target, s->iter, s, block_body, &s->body);
	f->nloops--;
	if (broke)
		emit_loop_else(f, s, broke);
}

static void print_break(struct fe *f, struct st *s)
{
	if (f->nloops && f->loops[f->nloops - 1].broke)
		emit_line(f->e, "%s = true;", f->loops[f->nloops - 1].broke);
	emit_line(f->e, "break;");
}

static void print_continue(struct fe *f, struct st *s)
{
	emit_line(f->e, "continue;");
}

static void print_return(struct fe *f, struct st *s)
{
	struct buf b = BUF_INIT;

	stmt_line(f, s);
	if (!s->value) {
		emit_line(f->e, "return Ok(());");
		return;
	}
	hoist(f, s->value);
	if (s->value->kind == EX_NAME && !var_is_ref(var_of(f, s->value)) &&
	    ty_equal(s->value->ty, f->fn->ret))
		buf_adds(&b, var_of(f, s->value)->rname);
	else
		ex_own_as(f, &b, s->value, f->fn->ret);
	emit_line(f->e, "return Ok(%s);", b.data);
	buf_release(&b);
}

static void print_pass(struct fe *f, struct st *s)
{
}

static void print_assert(struct fe *f, struct st *s)
{
	struct buf b = BUF_INIT;

	stmt_line(f, s);
	hoist(f, s->cond);
	ex_cond(f, &b, s->cond);
	emit_line(f->e, "if !%s { return Err(rt::Deopt); }", b.data);
	buf_release(&b);
}

static void print_raise(struct fe *f, struct st *s)
{
	stmt_line(f, s);
	emit_line(f->e, "return Err(rt::Deopt); // raise: Python raises it");
}

/* del d[k], del xs[i] */
static void print_del(struct fe *f, struct st *s)
{
	struct ex *t = s->target;
	bool dict = t->a[0]->ty->kind == TY_DICT;
	char *k = tmpname(f, "k");
	struct buf b = BUF_INIT;

	stmt_line(f, s);
	if (dict)
		ex_own_as(f, &b, t->a[1], t->a[0]->ty->sub[0]);
	else
		ex_i64(f, &b, t->a[1]);
	emit_line(f->e, "let %s = %s;", k, b.data);
	buf_reset(&b);
	ex_mut(f, &b, t->a[0]);
	if (dict)
		emit_line(f->e, "rt::dpop(%s, &%s)?;", b.data, k);
	else
		emit_line(f->e, "rt::del_at(%s, %s)?;", b.data, k);
	buf_release(&b);
}

static void (*const st_printers[])(struct fe *f, struct st *s) = {
    [ST_EXPR] = print_expr_st,	[ST_ASSIGN] = print_assign,
    [ST_AUG] = print_aug,	[ST_IF] = print_if,
    [ST_WHILE] = print_while,	[ST_FOR] = print_for,
    [ST_BREAK] = print_break,	[ST_CONTINUE] = print_continue,
    [ST_RETURN] = print_return, [ST_PASS] = print_pass,
    [ST_ASSERT] = print_assert, [ST_RAISE] = print_raise,
    [ST_DEL] = print_del,
};

static void emit_stmt(struct fe *f, struct st *s)
{
	st_printers[s->kind](f, s);
}

static void emit_block(struct fe *f, struct block *blk)
{
	for (size_t i = 0; i < blk->n; i++)
		emit_stmt(f, blk->v[i]);
}

/* The native function's generics ("<V0: rt::View<f64>>", views only) and
 * parameters. */
static void add_params(struct fe *f, struct buf *sig, struct buf *gen)
{
	struct ir_fn *fn = f->fn;

	for (size_t i = 0; i < fn->nparams; i++) {
		struct var *v = &fn->vars[fn->params[i].var];
		if (i)
			buf_adds(sig, ", ");
		if (v->is_inplace) {
			buf_addf(sig, "%s: &rt::StrIx<'_>", v->rname);
		} else if (v->is_dictview) {
			const struct ty *vt = v->ty->sub[1];
			buf_addf(sig, "%s: &D%zu", v->rname, i);
			buf_addf(gen, "%sD%zu: rt::DictRead<%s>%s",
				 gen->len ? ", " : "<", i, rty(vt),
				 vt->kind == TY_LIST &&
					 vt->sub[0]->kind == TY_STR
				     ? " + rt::DictStrLists"
				     : "");
		} else if (v->is_view) {
			buf_addf(sig, "%s: &V%zu", v->rname, i);
			buf_addf(gen, "%sV%zu: rt::View<%s>%s",
				 gen->len ? ", " : "<", i, rty(v->ty->sub[0]),
				 v->ty->sub[0]->kind == TY_STR
				     ? " + rt::StrView"
				     : "");
		} else if (ty_is_copy(v->ty))
			buf_addf(sig, "%s%s: %s", v->is_rebound ? "mut " : "",
				 v->rname, rty(v->ty));
		else
			buf_addf(sig, "%s: &%s%s", v->rname,
				 v->is_mutated && !v->is_rebound ? "mut " : "",
				 rty(v->ty));
	}
	if (gen->len)
		buf_addch(gen, '>');
}

/* RUSTIFY_TEST_MISCOMPILE=f,g: names (qualnames) of functions to break
 * (a comma-separated list). */
bool test_miscompile(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, name, n))
			return true;
		p += k;
		if (*p == ',')
			p++;
	}
	return false;
}

/* What runs before the body: the recursion guard, the tick counter,
 * copies of rebound parameters, str index views. */
static void emit_prologue(struct fe *f)
{
	struct emitter *e = f->e;
	struct ir_fn *fn = f->fn;
	const char *broken = getenv("RUSTIFY_TEST_MISCOMPILE");

	if (fn->is_recursive)
		emit_line(e, "let _depth = rt::Depth::enter()?;");
	/* Test hook: the crate must build, and when it does not, the build
	 * stage leaves the function that failed in Python and builds the
	 * others (tests/e2e). Never set outside tests. */
	if (test_miscompile(broken, fn->name))
		emit_line(e, "compile_error!(\"RUSTIFY_TEST_MISCOMPILE "
			     "(a test's deliberately broken function)\");");
	/* signal checks count loop iterations in a register (rt::Ticks) */
	if (fn->has_ticks)
		emit_line(e, "let mut __ticks = rt::Ticks::new();");
	for (size_t i = 0; i < fn->nparams; i++) {
		struct var *v = &fn->vars[fn->params[i].var];
		if (!ty_is_copy(v->ty) && v->is_rebound)
			emit_line(e, "let mut %s: %s = %s.clone();", v->rname,
				  rty(v->ty), v->rname);
	}
	for (size_t i = 0; i < fn->nparams; i++) {
		struct var *v = &fn->vars[fn->params[i].var];
		char *sx;
		if (!v->is_strix)
			continue;
		if (v->is_inplace) {
			/* the argument's own StrIx (emit_entry) */
			f->sx[fn->params[i].var] = v->rname;
			continue;
		}
		/* str indexing is by code point: know once whether the
		 * parameter is ASCII (bytes are code points) */
		sx = f->sx[fn->params[i].var] = tmpname(f, "sx");
		emit_line(e, "let %s = rt::StrIx::new(%s.as_str());", sx,
			  v->rname);
	}
}

/* Every local, declared up front as Python scopes them. */
static void emit_locals(struct fe *f)
{
	struct ir_fn *fn = f->fn;
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < fn->nvars; i++) {
		struct var *v = &fn->vars[i];
		if (v->is_param)
			continue;
		if ((int)i == fn->out_var) {
			emit_line(f->e, "let mut %s = rt::PyOut::<%s>::new();",
				  v->rname, out_item_rty(v->ty->sub[0]));
			continue;
		}
		if (v->is_char) {
			emit_line(f->e, "let mut %s: char = '\\0';", v->rname);
			continue;
		}
		if (v->is_span) {
			emit_line(f->e, "let mut %s = rt::Span::default();",
				  v->rname);
			continue;
		}
		if (v->is_sref) {
			emit_line(f->e, "let mut %s = rt::SRef::EMPTY;",
				  v->rname);
			continue;
		}
		buf_reset(&b);
		add_default(&b, v->ty);
		emit_line(f->e, "let mut %s: %s = %s;", v->rname, rty(v->ty),
			  b.data);
	}
	buf_release(&b);
}

void emit_fn(struct emitter *e, struct ir_module *m, struct ir_fn *fn)
{
	struct fe f = {0};
	struct buf sig = BUF_INIT, gen = BUF_INIT;

	f.e = e;
	f.m = m;
	f.fn = fn;
	f.sx = xcalloc(fn->nvars + 1, sizeof(*f.sx));
	add_params(&f, &sig, &gen);
	emit_line(e, "// line %d: def %s", fn->line, fn->name);
	if (fn->out_var >= 0)
		emit_open(e, "fn %s%s(%s) -> rt::R<rt::PyOut<%s>> {",
			  def_rname(fn), gen.data, sig.data,
			  out_item_rty(fn->ret->sub[0]));
	else
		emit_open(e, "fn %s%s(%s) -> rt::R<%s> {", def_rname(fn),
			  gen.data, sig.data, rty(fn->ret));
	emit_prologue(&f);
	emit_locals(&f);
	emit_block(&f, &fn->body);
	emit_lit_cells(&f);
	if (fn->may_fall_off_end && fn->ret->kind == TY_NONE)
		emit_line(e, "Ok(())");
	else
		emit_line(
		    e, "Err(rt::Deopt) // not reached: Python returns above");
	emit_close(e, NULL);
	free(f.sx);
	free(f.lits);
	buf_release(&sig);
	buf_release(&gen);
}

/* Whether rt::ToPy converts t: lists (of lists) of float, int, bool. */
static bool ty_to_py(const struct ty *t)
{
	while (t->kind == TY_LIST && t->sub[0]->kind == TY_LIST)
		t = t->sub[0];
	return t->kind == TY_LIST &&
	       (t->sub[0]->kind == TY_FLOAT || t->sub[0]->kind == TY_INT ||
		t->sub[0]->kind == TY_BOOL);
}

/* A dict parameter converted once per state of the argument
 * (rt::DictCache): immutable keys and values, read only. */
static bool dict_cached(const struct var *v, const struct param *p)
{
	return v->ty->kind == TY_DICT && !v->is_mutated && !p->def &&
	       ty_is_value(v->ty->sub[0]) && ty_is_value(v->ty->sub[1]);
}

void emit_entry(struct emitter *e, struct ir_module *m, struct ir_fn *fn)
{
	struct buf names = BUF_INIT, pat = BUF_INIT, vals = BUF_INIT,
		   call = BUF_INIT, b = BUF_INIT, slots = BUF_INIT;
	bool any_mut = false;

	for (size_t i = 0; i < fn->nparams; i++) {
		struct param *p = &fn->params[i];
		struct var *v = &fn->vars[p->var];
		buf_addf(&names, "%s\"%s\"", i ? ", " : "", v->name);
		buf_addf(&pat, "%sSome(%s%s)", i ? ", " : "",
			 v->is_mutated && !v->is_rebound ? "mut " : "",
			 v->rname);
		if (v->is_inplace) {
			/* read in its own storage: no default (plan_strix) */
			buf_addf(&vals, "%srt::StrIx::arg(&p[%zu])",
				 i ? ", " : "", i);
		} else if (v->is_dictview) {
			/* read in place: no default (plan_dictviews) */
			buf_addf(&vals, "%srt::DictView::<%s>::new(&p[%zu])",
				 i ? ", " : "", rty(v->ty->sub[1]), i);
		} else if (dict_cached(v, p)) {
			buf_addf(&vals, "%s__DC%zu.arg(&p[%zu])", i ? ", " : "",
				 i, i);
		} else if (v->is_view) {
			/* read in place: no default (plan_views) */
			buf_addf(&vals, "%srt::ListView::<%s>::new(&p[%zu])",
				 i ? ", " : "", rty(v->ty->sub[0]), i);
		} else if (p->def) {
			struct fe f = {0};
			buf_addf(&vals, "%srt::arg::<%s>(&p[%zu], ",
				 i ? ", " : "", rty(v->ty), i);
			f.e = e;
			f.m = m;
			f.fn = fn;
			buf_reset(&b);
			ex_own(&f, &b, p->def);
			buf_addf(&vals, "Some(%s))", b.data);
		} else {
			buf_addf(&vals, "%srt::arg::<%s>(&p[%zu], None)",
				 i ? ", " : "", rty(v->ty), i);
		}
		if (ty_is_copy(v->ty))
			buf_addf(&call, "%s%s", i ? ", " : "", v->rname);
		else
			buf_addf(&call, "%s&%s%s", i ? ", " : "",
				 v->is_mutated && !v->is_rebound ? "mut " : "",
				 v->rname);
		if (!ty_is_copy(v->ty))
			buf_addf(&slots, "%s&p[%zu]", slots.len ? ", " : "", i);
		if (v->is_mutated && !v->is_rebound)
			any_mut = true;
	}
	emit_line(e, "#[pyfunction]");
	emit_line(e,
		  "#[pyo3(name = \"%s\", pass_module, signature = (*args, "
		  "**kwargs))]",
		  fn->name);
	emit_open(
	    e,
	    "fn py_%d(m: &Bound<'_, PyModule>, args: &Bound<'_, PyTuple>, "
	    "kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Py<PyAny>> {",
	    fn->index);
	emit_line(e, "let py = m.py();");
	for (size_t i = 0; i < fn->nparams; i++) {
		struct var *v = &fn->vars[fn->params[i].var];
		if (dict_cached(v, &fn->params[i]))
			emit_line(e,
				  "static __DC%zu: rt::DictCache<%s, %s> = "
				  "rt::DictCache::new();",
				  i, rty(v->ty->sub[0]), rty(v->ty->sub[1]));
	}
	emit_open(e, "if let Some(p) = rt::bind(args, kwargs, [%s]) {",
		  names.data);
	if (fn->nparams)
		emit_open(e, "if let (%s,) = (%s,) {", pat.data, vals.data);
	if (any_mut)
		emit_open(e, "if rt::distinct(&[%s]) {", slots.data);
	/* an rt::PyOut holds Python objects: the GIL stays held */
	if (fn->detach)
		emit_line(e, "let r = py.detach(|| %s(%s));", def_rname(fn),
			  call.data);
	else
		emit_line(e, "let r = %s(%s);", def_rname(fn), call.data);
	emit_open(e, "if let Ok(v) = r {");
	for (size_t i = 0; i < fn->nparams; i++) {
		struct var *v = &fn->vars[fn->params[i].var];
		if (v->is_mutated && !v->is_rebound)
			emit_line(e,
				  "if let Some(o) = &p[%zu] { "
				  "rt::WriteBack::write_back(&%s, o)?; }",
				  i, v->rname);
	}
	if (fn->ret->kind == TY_NONE)
		emit_line(e, "let () = v;\n%*sreturn Ok(py.None());",
			  e->indent * 4, "");
	else if (fn->ret->kind == TY_SET)
		emit_line(e, "return rt::set_out(py, v);");
	else if (fn->out_var >= 0 || ty_to_py(fn->ret))
		emit_line(e, "return rt::out(py, v);");
	else
		emit_line(e, "return v.into_py_any(py);");
	emit_close(e, NULL);
	if (any_mut)
		emit_close(e, NULL);
	if (fn->nparams)
		emit_close(e, NULL);
	emit_close(e, NULL);
	/* a signal handler raised (KeyboardInterrupt): that, not a re-run */
	emit_line(e,
		  "if let Some(err) = rt::take_raised() { return Err(err); }");
	emit_line(e, "rt::call_original(m, \"%s\", args, kwargs)", fn->name);
	emit_close(e, NULL);
	buf_release(&names);
	buf_release(&pat);
	buf_release(&vals);
	buf_release(&call);
	buf_release(&b);
	buf_release(&slots);
}
