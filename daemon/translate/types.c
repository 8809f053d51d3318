/*
 * types.c - type inference and the exactness checks on the IR.
 *
 * Evidence, strongest first: annotations, types observed while profiling,
 * then literals and operators, iterated to a fixpoint over the locals. A
 * variable that would hold two Python types (int then float, say) makes
 * its function fall back, since one Rust type cannot give back both.
 *
 * After inference, the final pass checks what emit.c relies on: every
 * type known, containers never aliased where Python would share them,
 * mutated arguments simple enough to write back, variables assigned
 * before use, and calls only to translated functions. Owns no memory:
 * types live in the module arena.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

struct tctx {
	struct ir_module *m;
	struct arena *a;
	struct ir_fn *fn;
	bool final;
	bool changed;
	bool failed;
	struct ty *ret;
};

static int tfail(struct tctx *c, const struct ex *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int tfail(struct tctx *c, const struct ex *at, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	ir_fn_fail(c->fn, at ? at->line : c->fn->line,
		   at ? at->col : c->fn->col, "%s", b.data);
	buf_release(&b);
	c->failed = true;
	return -1;
}

static char *tyname(const struct ty *t)
{
	static _Thread_local char slots[4][128];
	static _Thread_local int k;
	struct buf b = BUF_INIT;
	char *s = slots[k++ & 3];

	ty_format(&b, t);
	snprintf(s, 128, "%s", b.data);
	buf_release(&b);
	return s;
}

/* Least upper bound in the "same Python type" order: unknown and Never
 * fit anything, otherwise kinds must agree. NULL on conflict. */
static struct ty *ty_unify(struct arena *a, struct ty *x, struct ty *y)
{
	struct ty *t;

	if (x->kind == TY_UNKNOWN)
		return y;
	if (y->kind == TY_UNKNOWN)
		return x;
	if (x->kind == TY_NEVER)
		return y;
	if (y->kind == TY_NEVER)
		return x;
	if (x->kind == TY_BAD || y->kind == TY_BAD)
		return NULL;
	if (x->kind != y->kind || x->n != y->n)
		return NULL;
	if (!x->n)
		return x;
	t = ty_new(a, x->kind, x->n);
	for (size_t i = 0; i < x->n; i++) {
		t->sub[i] = ty_unify(a, x->sub[i], y->sub[i]);
		if (!t->sub[i])
			return NULL;
	}
	if (ty_equal(t, x))
		return x;
	return t;
}

static bool is_num(const struct ty *t)
{
	return t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_BOOL;
}

static bool is_intlike(const struct ty *t)
{
	return t->kind == TY_INT || t->kind == TY_BOOL;
}

/* What an optional variable may hold besides None: values that cannot
 * change in place (so no aliasing question arises); unknown parts are
 * settled later and checked again. */
static bool opt_inner_ok(const struct ty *t)
{
	switch (t->kind) {
	case TY_UNKNOWN:
	case TY_BOOL:
	case TY_INT:
	case TY_FLOAT:
	case TY_STR:
		return true;
	case TY_TUPLE:
		for (size_t i = 0; i < t->n; i++)
			if (!opt_inner_ok(t->sub[i]))
				return false;
		return true;
	default:
		return false;
	}
}

/* A local variable holding None and one other type (best = None ...
 * best = pair) is T | None: Option<T>. NULL when not of that form. */
static struct ty *opt_unify(struct arena *a, struct ty *x, struct ty *y)
{
	struct ty *inner, *t;

	if (x->kind == TY_OPT || y->kind == TY_OPT) {
		struct ty *o = x->kind == TY_OPT ? x : y;
		struct ty *other = o == x ? y : x;
		if (other->kind == TY_NONE)
			return o;
		inner = ty_unify(a, o->sub[0],
				 other->kind == TY_OPT ? other->sub[0] : other);
	} else if (x->kind == TY_NONE && y->kind != TY_NONE) {
		inner = y;
	} else if (y->kind == TY_NONE && x->kind != TY_NONE) {
		inner = x;
	} else {
		return NULL;
	}
	if (!inner || inner->kind == TY_NEVER || !opt_inner_ok(inner))
		return NULL;
	if (x->kind == TY_OPT && ty_equal(x->sub[0], inner))
		return x;
	t = ty_new(a, TY_OPT, 1);
	t->sub[0] = inner;
	return t;
}

/* An operand where None raises TypeError in Python (None[i], len(None)):
 * an optional variable gives its value there, or Deopt (then Python
 * raises). A local seen holding only None so far may still become
 * optional: unknown for now. Returns the operand's type as used. */
static struct ty *opt_operand(struct tctx *c, struct ex *x)
{
	struct var *v;

	if (x->kind != EX_NAME)
		return x->ty;
	v = &c->fn->vars[x->var];
	if (x->ty->kind == TY_OPT) {
		x->unwrap = true;
		x->ty = x->ty->sub[0];
	} else if (x->ty->kind == TY_NONE && !v->is_param && !v->is_comp) {
		return ty_basic(TY_UNKNOWN);
	}
	return x->ty;
}

/* A local holding an int and later a float (total = 0 ... total += x):
 * Python's int until the first float is stored, then a float. */
static struct ty *num_unify(struct ty *x, struct ty *y)
{
	bool xn = x->kind == TY_INT || x->kind == TY_FLOAT || x->kind == TY_NUM;
	bool yn = y->kind == TY_INT || y->kind == TY_FLOAT || y->kind == TY_NUM;

	return xn && yn ? ty_basic(TY_NUM) : NULL;
}

static int unify_var(struct tctx *c, int v, struct ty *t, const struct ex *at)
{
	struct var *var = &c->fn->vars[v];
	struct ty *u = ty_unify(c->a, var->ty, t);

	if (!u && !var->is_param && !var->is_comp)
		u = opt_unify(c->a, var->ty, t);
	if (!u && !var->is_param && !var->is_comp)
		u = num_unify(var->ty, t);
	if (!u)
		return tfail(c, at,
			     "variable '%s' would hold both %s and %s; "
			     "Python keeps both types, one Rust type cannot",
			     var->name, tyname(var->ty), tyname(t));
	if (!ty_equal(u, var->ty)) {
		var->ty = u;
		c->changed = true;
	}
	return 0;
}

static struct ty *tx(struct tctx *c, struct ex *e);

/* The variable a place expression (x, x[i], x[i][j]) is rooted in. */
static int place_root(const struct ex *e)
{
	while (e && e->kind == EX_INDEX)
		e = e->a[0];
	return e && e->kind == EX_NAME ? e->var : -1;
}

static void mark_mutated(struct tctx *c, const struct ex *place)
{
	int v = place_root(place);

	if (v >= 0)
		c->fn->vars[v].is_mutated = true;
}

/* Makes the type of a place at least t (x.append(1.0) makes x list[float]). */
static int refine_place(struct tctx *c, struct ex *place, struct ty *t)
{
	if (place->kind == EX_NAME)
		return unify_var(c, place->var, t, place);
	if (place->kind == EX_INDEX) {
		struct ty *ot = place->a[0]->ty;
		if (ot->kind == TY_LIST)
			return refine_place(c, place->a[0], ty_list(c->a, t));
		if (ot->kind == TY_DICT)
			return refine_place(c, place->a[0],
					    ty_dict(c->a, place->a[1]->ty, t));
		return 0;
	}
	if (!ty_unify(c->a, place->ty, t))
		return tfail(c, place, "%s where %s is expected", tyname(t),
			     tyname(place->ty));
	return 0;
}

static bool is_call(const struct ex *e, const char *name)
{
	return e->kind == EX_CALL && !e->fn && !strcmp(e->sval, name);
}

static bool is_method(const struct ex *e, const char *name)
{
	return e->kind == EX_METHOD && !strcmp(e->sval, name);
}

static struct ty *iter_elem(struct tctx *c, struct ex *e);

/* A lazy iterable is typed NONE as a value: only its items exist. */
static struct ty *lazy(struct ex *e, struct ty *item)
{
	e->ty = ty_basic(TY_NONE);
	return item;
}

static struct ty *iter_range(struct tctx *c, struct ex *e)
{
	if (e->n < 1 || e->n > 3 || e->kwname)
		return tfail(c, e, "range() takes 1 to 3 arguments"), NULL;
	for (size_t i = 0; i < e->n; i++) {
		struct ty *t = tx(c, e->a[i]);
		if (!t)
			return NULL;
		if (t->kind != TY_UNKNOWN && !is_intlike(t))
			return tfail(c, e->a[i], "range() of %s", tyname(t)),
			       NULL;
	}
	return lazy(e, ty_basic(TY_INT));
}

static struct ty *iter_enumerate(struct tctx *c, struct ex *e)
{
	struct ty *el, *t;

	if (e->n < 1 || e->n > 2)
		return tfail(c, e, "enumerate() takes 1 or 2 arguments"), NULL;
	if (e->kwname && strcmp(e->kwname, "start"))
		return tfail(c, e, "enumerate(%s=) is not supported",
			     e->kwname),
		       NULL;
	el = iter_elem(c, e->a[0]);
	if (!el)
		return NULL;
	if (e->n == 2) {
		t = tx(c, e->a[1]);
		if (!t)
			return NULL;
		if (t->kind != TY_UNKNOWN && !is_intlike(t))
			return tfail(c, e->a[1], "enumerate start of %s",
				     tyname(t)),
			       NULL;
	}
	t = ty_new(c->a, TY_TUPLE, 2);
	t->sub[0] = ty_basic(TY_INT);
	t->sub[1] = el;
	return lazy(e, t);
}

static struct ty *iter_zip(struct tctx *c, struct ex *e)
{
	struct ty *t;

	if (e->n < 1)
		return tfail(c, e, "zip() needs arguments"), NULL;
	t = ty_new(c->a, TY_TUPLE, e->n);
	for (size_t i = 0; i < e->n; i++) {
		struct ex *a = e->a[i];
		t->sub[i] = iter_elem(c, a);
		if (!t->sub[i])
			return NULL;
		if (is_call(a, "range") || is_call(a, "enumerate") ||
		    is_call(a, "zip") || is_call(a, "reversed") ||
		    a->kind == EX_METHOD)
			return tfail(c, a,
				     "zip() over this iterable is not "
				     "supported"),
			       NULL;
	}
	return lazy(e, t);
}

static struct ty *iter_reversed(struct tctx *c, struct ex *e)
{
	struct ty *t;

	if (e->n != 1)
		return tfail(c, e, "reversed() takes one argument"), NULL;
	if (is_call(e->a[0], "range")) {
		t = iter_elem(c, e->a[0]);
		e->ty = ty_basic(TY_NONE);
		return t;
	}
	t = tx(c, e->a[0]);
	if (!t || t->kind == TY_UNKNOWN)
		return t;
	if (t->kind != TY_LIST)
		return tfail(c, e, "reversed() of %s is not supported",
			     tyname(t)),
		       NULL;
	return lazy(e, t->sub[0]);
}

/* d.keys(), d.values(), d.items() */
static struct ty *iter_dict_view(struct tctx *c, struct ex *e)
{
	struct ty *t = tx(c, e->a[0]), *tt;

	if (!t || t->kind == TY_UNKNOWN)
		return t;
	if (t->kind != TY_DICT || e->n != 1)
		return tfail(c, e, ".%s() of %s is not supported", e->sval,
			     tyname(t)),
		       NULL;
	e->ty = ty_basic(TY_NONE);
	if (is_method(e, "keys"))
		return t->sub[0];
	if (is_method(e, "values"))
		return t->sub[1];
	tt = ty_new(c->a, TY_TUPLE, 2);
	tt->sub[0] = t->sub[0];
	tt->sub[1] = t->sub[1];
	return tt;
}

/* The items of a value: a list, str, dict (its keys) or tuple of one
 * type. */
static struct ty *iter_value(struct tctx *c, struct ex *e)
{
	struct ty *t = tx(c, e);

	if (!t)
		return NULL;
	switch (t->kind) {
	case TY_UNKNOWN:
		return t;
	case TY_LIST:
	case TY_DICT:
		return t->sub[0];
	case TY_STR:
		return ty_basic(TY_STR);
	case TY_TUPLE:
		for (size_t i = 1; i < t->n; i++)
			if (!ty_equal(t->sub[i], t->sub[0]))
				return tfail(c, e,
					     "iteration over a tuple of "
					     "mixed types"),
				       NULL;
		if (!t->n)
			return tfail(c, e, "iteration over an empty tuple"),
			       NULL;
		return t->sub[0];
	case TY_SET:
		return tfail(c, e,
			     "iteration over a set: its order cannot be "
			     "matched"),
		       NULL;
	default:
		return tfail(c, e, "iteration over %s", tyname(t)), NULL;
	}
}

/* Element type of iterating e (for loops, comprehensions, builtins that
 * take iterables). Handles the lazy forms range/enumerate/zip/reversed
 * and dict views, which are not values of their own here. */
static struct ty *iter_elem(struct tctx *c, struct ex *e)
{
	if (is_call(e, "range"))
		return iter_range(c, e);
	if (is_call(e, "enumerate"))
		return iter_enumerate(c, e);
	if (is_call(e, "zip"))
		return iter_zip(c, e);
	if (is_call(e, "reversed"))
		return iter_reversed(c, e);
	if (e->kind == EX_METHOD &&
	    (is_method(e, "items") || is_method(e, "keys") ||
	     is_method(e, "values")))
		return iter_dict_view(c, e);
	return iter_value(c, e);
}

static bool is_lazy_iter(const struct ex *e)
{
	return is_call(e, "range") || is_call(e, "enumerate") ||
	       is_call(e, "zip") || is_call(e, "reversed") ||
	       is_method(e, "items") || is_method(e, "keys") ||
	       is_method(e, "values");
}

/* Binds an assignment or loop target to a value type. */
static int bind_target(struct tctx *c, struct ex *t, struct ty *vt)
{
	if (t->kind == EX_NAME) {
		struct var *v = &c->fn->vars[t->var];
		if (unify_var(c, t->var, vt, t) < 0)
			return -1;
		if (v->is_param)
			v->is_rebound = true;
		t->ty = v->ty;
		return 0;
	}
	if (t->kind == EX_TUPLE) {
		if (vt->kind == TY_UNKNOWN) {
			for (size_t i = 0; i < t->n; i++)
				if (bind_target(c, t->a[i], vt) < 0)
					return -1;
			return 0;
		}
		if (vt->kind == TY_TUPLE) {
			if (vt->n != t->n)
				return tfail(c, t,
					     "unpacking %zu values into %zu "
					     "targets",
					     vt->n, t->n);
			for (size_t i = 0; i < t->n; i++)
				if (bind_target(c, t->a[i], vt->sub[i]) < 0)
					return -1;
			t->ty = vt;
			return 0;
		}
		if (vt->kind == TY_LIST) {
			for (size_t i = 0; i < t->n; i++)
				if (bind_target(c, t->a[i], vt->sub[0]) < 0)
					return -1;
			t->ty = vt;
			return 0;
		}
		return tfail(c, t, "unpacking %s is not supported", tyname(vt));
	}
	if (t->kind == EX_INDEX) {
		struct ty *ot = tx(c, t->a[0]), *it;
		if (!ot)
			return -1;
		it = tx(c, t->a[1]);
		if (!it)
			return -1;
		mark_mutated(c, t);
		if (ot->kind == TY_LIST) {
			if (it->kind != TY_UNKNOWN && !is_intlike(it))
				return tfail(c, t->a[1], "list index of %s",
					     tyname(it));
			if (refine_place(c, t->a[0], ty_list(c->a, vt)) < 0)
				return -1;
		} else if (ot->kind == TY_DICT) {
			if (refine_place(c, t->a[0], ty_dict(c->a, it, vt)) < 0)
				return -1;
		} else if (ot->kind != TY_UNKNOWN) {
			return tfail(c, t, "item assignment on %s", tyname(ot));
		}
		/* the slot's type is the container's item type as refined (d[k]
		 * = [] takes list[int] from a later d[k].append(1)) */
		ot = tx(c, t->a[0]);
		if (!ot)
			return -1;
		if (ot->kind == TY_LIST && ty_is_complete(ot->sub[0]))
			t->ty = ot->sub[0];
		else if (ot->kind == TY_DICT && ty_is_complete(ot->sub[1]))
			t->ty = ot->sub[1];
		else
			t->ty = vt;
		return 0;
	}
	return tfail(c, t, "unsupported assignment target");
}

static struct ty *tx_binop(struct tctx *c, struct ex *e)
{
	struct ty *x = tx(c, e->a[0]), *y;
	int op = e->op;

	if (!x)
		return NULL;
	y = tx(c, e->a[1]);
	if (!y)
		return NULL;
	/* None op v raises TypeError for every operand type here */
	x = opt_operand(c, e->a[0]);
	y = opt_operand(c, e->a[1]);
	if (x->kind == TY_UNKNOWN || y->kind == TY_UNKNOWN)
		return ty_basic(TY_UNKNOWN);
	if ((x->kind == TY_NUM &&
	     (y->kind == TY_INT || y->kind == TY_FLOAT || y->kind == TY_NUM)) ||
	    (y->kind == TY_NUM && (x->kind == TY_INT || x->kind == TY_FLOAT))) {
		/* int | float with a float: float; with an int: either */
		bool fl = x->kind == TY_FLOAT || y->kind == TY_FLOAT;
		if (op == OP_ADD || op == OP_SUB || op == OP_MUL)
			return ty_basic(fl ? TY_FLOAT : TY_NUM);
		if (op == OP_DIV)
			return ty_basic(TY_FLOAT);
		tfail(c, e, "operator %s between %s and %s is not supported",
		      binop_str(op), tyname(x), tyname(y));
		return NULL;
	}
	if (is_num(x) && is_num(y)) {
		bool f = x->kind == TY_FLOAT || y->kind == TY_FLOAT;
		switch (op) {
		case OP_ADD:
		case OP_SUB:
		case OP_MUL:
		case OP_FLOORDIV:
		case OP_MOD:
			return ty_basic(f ? TY_FLOAT : TY_INT);
		case OP_DIV:
			return ty_basic(TY_FLOAT);
		case OP_POW:
			if (f)
				return ty_basic(TY_FLOAT);
			if (e->a[1]->kind == EX_INT || e->a[1]->kind == EX_BOOL)
				return ty_basic(e->a[1]->ival >= 0 ? TY_INT
								   : TY_FLOAT);
			tfail(
			    c, e,
			    "int ** int with a non-constant exponent: "
			    "the result is int or float depending on its sign");
			return NULL;
		default:
			if (f) {
				tfail(c, e, "operator %s on float",
				      binop_str(op));
				return NULL;
			}
			if ((op == OP_BITAND || op == OP_BITOR ||
			     op == OP_BITXOR) &&
			    x->kind == TY_BOOL && y->kind == TY_BOOL)
				return ty_basic(TY_BOOL);
			return ty_basic(TY_INT);
		}
	}
	if (op == OP_ADD && x->kind == y->kind &&
	    (x->kind == TY_STR || x->kind == TY_LIST)) {
		struct ty *u = ty_unify(c->a, x, y);
		if (!u) {
			tfail(c, e, "%s + %s", tyname(x), tyname(y));
			return NULL;
		}
		return u;
	}
	if (op == OP_ADD && x->kind == TY_TUPLE && y->kind == TY_TUPLE) {
		struct ty *t = ty_new(c->a, TY_TUPLE, x->n + y->n);
		for (size_t i = 0; i < x->n; i++)
			t->sub[i] = x->sub[i];
		for (size_t i = 0; i < y->n; i++)
			t->sub[x->n + i] = y->sub[i];
		return t;
	}
	if (op == OP_MUL && (x->kind == TY_STR || x->kind == TY_LIST) &&
	    is_intlike(y)) {
		if (x->kind == TY_LIST && ty_is_container(x->sub[0])) {
			tfail(c, e,
			      "[list] * n makes the rows one shared "
			      "object; not supported");
			return NULL;
		}
		return x;
	}
	if (op == OP_MUL && (y->kind == TY_STR || y->kind == TY_LIST) &&
	    is_intlike(x)) {
		tfail(c, e,
		      "n * sequence is not supported (write sequence * n)");
		return NULL;
	}
	tfail(c, e, "operator %s between %s and %s is not supported",
	      binop_str(op), tyname(x), tyname(y));
	return NULL;
}

static bool comparable(const struct ty *x, const struct ty *y, bool order)
{
	if (is_num(x) && is_num(y))
		return true;
	if (x->kind != y->kind)
		return false;
	if (x->kind == TY_STR)
		return true;
	if (x->kind == TY_TUPLE || x->kind == TY_LIST) {
		if (x->kind == TY_TUPLE && x->n != y->n)
			return !order;
		for (size_t i = 0; i < x->n; i++) {
			/* Element comparisons must not mix int and float
			 * in tuples/lists: keep it simple. */
			if (!ty_equal(x->sub[i], y->sub[i]) &&
			    x->sub[i]->kind != TY_NEVER &&
			    y->sub[i]->kind != TY_NEVER)
				return false;
			if (!comparable(x->sub[i], x->sub[i], order) &&
			    x->sub[i]->kind != TY_NEVER)
				return false;
		}
		return true;
	}
	if (!order &&
	    (x->kind == TY_DICT || x->kind == TY_NONE || x->kind == TY_BOOL))
		return x->kind != TY_DICT || ty_equal(x, y);
	return false;
}

/* An int | float operand against int, float or int | float: compared
 * exactly at run time (rt::cmp_n), as Python compares int with float. */
static bool num_pair(const struct ty *x, const struct ty *y)
{
	bool xn = x->kind == TY_INT || x->kind == TY_FLOAT;
	bool yn = y->kind == TY_INT || y->kind == TY_FLOAT;

	return (x->kind == TY_NUM && (yn || y->kind == TY_NUM)) ||
	       (y->kind == TY_NUM && xn);
}

static struct ty *tx_cmp(struct tctx *c, struct ex *e)
{
	bool unknown = false;

	for (size_t i = 0; i < e->n; i++) {
		struct ty *t = tx(c, e->a[i]);
		if (!t)
			return NULL;
		if (!ty_is_complete(t) && t->kind != TY_LIST &&
		    t->kind != TY_DICT)
			unknown = true;
	}
	if (unknown)
		return ty_basic(TY_BOOL);
	for (size_t i = 0; i + 1 < e->n; i++) {
		struct ty *x = e->a[i]->ty, *y = e->a[i + 1]->ty;
		int op = e->cmp[i];
		if (x->kind == TY_UNKNOWN || y->kind == TY_UNKNOWN)
			continue;
		switch (op) {
		case CMP_IN:
		case CMP_NOTIN:
			if (y->kind == TY_LIST || y->kind == TY_SET) {
				if (y->sub[0]->kind == TY_UNKNOWN ||
				    y->sub[0]->kind == TY_NEVER)
					break;
				if (!comparable(x, y->sub[0], false) ||
				    (ty_is_container(x) &&
				     !ty_equal(x, y->sub[0])))
					goto bad;
			} else if (y->kind == TY_DICT) {
				if (!ty_equal(x, y->sub[0]) &&
				    y->sub[0]->kind != TY_UNKNOWN &&
				    y->sub[0]->kind != TY_NEVER)
					goto bad;
			} else if (y->kind == TY_STR) {
				if (x->kind != TY_STR)
					goto bad;
			} else if (y->kind == TY_TUPLE) {
				for (size_t k = 0; k < y->n; k++)
					if (!comparable(x, y->sub[k], false))
						goto bad;
			} else {
				goto bad;
			}
			break;
		case CMP_IS:
		case CMP_ISNOT:
			if ((x->kind == TY_OPT && y->kind == TY_NONE) ||
			    (x->kind == TY_NONE && y->kind == TY_OPT)) {
				if (e->n != 2) {
					tfail(c, e,
					      "chained 'is' with an "
					      "optional value");
					return NULL;
				}
				break;
			}
			if (x->kind != TY_NONE || y->kind != TY_NONE) {
				tfail(c, e,
				      "'is' is only supported between None "
				      "values");
				return NULL;
			}
			break;
		case CMP_EQ:
		case CMP_NE:
			if (num_pair(x, y))
				break;
			if (!comparable(x, y, false))
				goto bad;
			break;
		default:
			if (num_pair(x, y))
				break;
			if (!comparable(x, y, true) || x->kind == TY_BOOL ||
			    y->kind == TY_BOOL)
				goto bad;
			break;
		}
		continue;
	bad:
		tfail(c, e->a[i + 1],
		      "comparison %s between %s and %s is not "
		      "supported",
		      cmpop_str(op), tyname(x), tyname(y));
		return NULL;
	}
	return ty_basic(TY_BOOL);
}

static int want_args(struct tctx *c, struct ex *e, size_t lo, size_t hi)
{
	size_t n = e->n - (e->kind == EX_METHOD ? 1 : 0);

	if (n < lo || n > hi) {
		tfail(c, e, "%s() with %zu arguments is not supported", e->sval,
		      n);
		return -1;
	}
	if (e->kwname && !is_call(e, "sum") && !is_call(e, "sorted")) {
		tfail(c, e, "keyword argument %s= is not supported", e->kwname);
		return -1;
	}
	return 0;
}

static const char *math1_float[] = {
    "sqrt",    "exp",	  "log2",  "log10", "sin",   "cos",   "tan",
    "asin",    "acos",	  "atan",  "sinh",  "cosh",  "tanh",  "fabs",
    "degrees", "radians", "expm1", "log1p", "asinh", "acosh", "atanh",
};

static struct ty *tx_math(struct tctx *c, struct ex *e)
{
	const char *f = e->sval + 5;
	struct ty *ts[2] = {NULL, NULL};

	for (size_t i = 0; i < e->n && i < 2; i++) {
		ts[i] = tx(c, e->a[i]);
		if (!ts[i])
			return NULL;
		if (ts[i]->kind == TY_UNKNOWN)
			return ts[i];
		if (!is_num(ts[i])) {
			tfail(c, e->a[i], "math.%s of %s", f, tyname(ts[i]));
			return NULL;
		}
	}
	if (e->kwname) {
		tfail(c, e, "keyword arguments to math.%s", f);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(math1_float) / sizeof(*math1_float); i++)
		if (!strcmp(f, math1_float[i]))
			return want_args(c, e, 1, 1) < 0 ? NULL
							 : ty_basic(TY_FLOAT);
	if (!strcmp(f, "log"))
		return want_args(c, e, 1, 2) < 0 ? NULL : ty_basic(TY_FLOAT);
	if (!strcmp(f, "floor") || !strcmp(f, "ceil") || !strcmp(f, "trunc"))
		return want_args(c, e, 1, 1) < 0 ? NULL : ty_basic(TY_INT);
	if (!strcmp(f, "isnan") || !strcmp(f, "isinf") ||
	    !strcmp(f, "isfinite"))
		return want_args(c, e, 1, 1) < 0 ? NULL : ty_basic(TY_BOOL);
	if (!strcmp(f, "copysign") || !strcmp(f, "fmod") || !strcmp(f, "atan2"))
		return want_args(c, e, 2, 2) < 0 ? NULL : ty_basic(TY_FLOAT);
	tfail(c, e, "math.%s is not supported", f);
	return NULL;
}

/* ---- builtins: one rule each, found by name ---- */

static struct ty *tx_len(struct tctx *c, struct ex *e)
{
	struct ty *t;

	if (want_args(c, e, 1, 1) < 0 || !(t = tx(c, e->a[0])))
		return NULL;
	t = opt_operand(c, e->a[0]);
	if (t->kind == TY_UNKNOWN || t->kind == TY_LIST || t->kind == TY_STR ||
	    t->kind == TY_DICT || t->kind == TY_SET || t->kind == TY_TUPLE)
		return ty_basic(TY_INT);
	tfail(c, e, "len() of %s", tyname(t));
	return NULL;
}

static struct ty *tx_abs(struct tctx *c, struct ex *e)
{
	struct ty *t;

	if (want_args(c, e, 1, 1) < 0 || !(t = tx(c, e->a[0])))
		return NULL;
	if (t->kind == TY_UNKNOWN || t->kind == TY_FLOAT)
		return t;
	if (is_intlike(t))
		return ty_basic(TY_INT);
	tfail(c, e, "abs() of %s", tyname(t));
	return NULL;
}

/* min(a, b, ...) of one type. */
static struct ty *tx_min_max_args(struct tctx *c, struct ex *e)
{
	struct ty *t = ty_basic(TY_UNKNOWN);

	for (size_t i = 0; i < e->n; i++) {
		struct ty *u = tx(c, e->a[i]);
		if (!u)
			return NULL;
		if (u->kind == TY_UNKNOWN)
			return u;
		if (t->kind != TY_UNKNOWN && !ty_equal(t, u)) {
			tfail(c, e->a[i],
			      "%s() of %s and %s returns either type", e->sval,
			      tyname(t), tyname(u));
			return NULL;
		}
		t = u;
	}
	return t;
}

static struct ty *tx_min_max(struct tctx *c, struct ex *e)
{
	struct ty *t;

	if (want_args(c, e, 1, 64) < 0)
		return NULL;
	t = e->n == 1 ? iter_elem(c, e->a[0]) : tx_min_max_args(c, e);
	if (!t)
		return NULL;
	if (t->kind == TY_UNKNOWN || t->kind == TY_INT || t->kind == TY_FLOAT ||
	    t->kind == TY_STR)
		return t;
	tfail(c, e, "%s() of %s is not supported", e->sval, tyname(t));
	return NULL;
}

/* sum(xs, start) */
static struct ty *tx_sum_start(struct tctx *c, struct ex *e, struct ty *el)
{
	struct ty *t = tx(c, e->a[1]);

	if (!t)
		return NULL;
	if (t->kind == TY_UNKNOWN || el->kind == TY_UNKNOWN)
		return ty_basic(TY_UNKNOWN);
	if (t->kind == TY_FLOAT && is_num(el))
		return t;
	if (is_intlike(t) && is_intlike(el))
		return ty_basic(TY_INT);
	tfail(c, e, "sum() of %s starting from %s", tyname(el), tyname(t));
	return NULL;
}

static struct ty *tx_sum(struct tctx *c, struct ex *e)
{
	struct ty *el;

	if (want_args(c, e, 1, 2) < 0)
		return NULL;
	if (e->kwname && strcmp(e->kwname, "start")) {
		tfail(c, e, "sum(%s=) is not supported", e->kwname);
		return NULL;
	}
	el = iter_elem(c, e->a[0]);
	if (!el)
		return NULL;
	if (e->n == 2)
		return tx_sum_start(c, e, el);
	if (el->kind == TY_UNKNOWN)
		return el;
	if (el->kind == TY_NEVER || is_intlike(el))
		return ty_basic(TY_INT);
	if (el->kind == TY_FLOAT)
		return el;
	tfail(c, e, "sum() of %s", tyname(el));
	return NULL;
}

/* int(x), float(x), bool(x), str(x) */
static struct ty *tx_conv(struct tctx *c, struct ex *e)
{
	const char *f = e->sval;
	enum ty_kind k = f[0] == 'i'   ? TY_INT
			 : f[0] == 'f' ? TY_FLOAT
			 : f[0] == 'b' ? TY_BOOL
				       : TY_STR;
	struct ty *t;

	if (want_args(c, e, 0, 1) < 0)
		return NULL;
	if (e->n == 0)
		return ty_basic(k);
	t = tx(c, e->a[0]);
	if (!t)
		return NULL;
	if (t->kind == TY_UNKNOWN || k == TY_BOOL)
		return ty_basic(k);
	if (is_num(t) || t->kind == TY_STR)
		return ty_basic(k);
	tfail(c, e, "%s() of %s is not supported", f, tyname(t));
	return NULL;
}

/* round(x, n): a float stays a float, an int (or bool) an int; n must be
 * an int (None: fall back). */
static struct ty *tx_round_digits(struct tctx *c, struct ex *e, struct ty *t)
{
	struct ty *nt = tx(c, e->a[1]);

	if (!nt)
		return NULL;
	if (t->kind == TY_UNKNOWN || nt->kind == TY_UNKNOWN)
		return ty_basic(TY_UNKNOWN);
	if (!is_intlike(nt)) {
		tfail(c, e->a[1], "round() with ndigits of %s", tyname(nt));
		return NULL;
	}
	if (is_num(t))
		return ty_basic(t->kind == TY_FLOAT ? TY_FLOAT : TY_INT);
	tfail(c, e, "round() of %s", tyname(t));
	return NULL;
}

static struct ty *tx_round(struct tctx *c, struct ex *e)
{
	struct ty *t;

	if (want_args(c, e, 1, 2) < 0 || !(t = tx(c, e->a[0])))
		return NULL;
	if (e->n == 2)
		return tx_round_digits(c, e, t);
	if (t->kind == TY_UNKNOWN)
		return t;
	if (is_num(t))
		return ty_basic(TY_INT);
	tfail(c, e, "round() of %s", tyname(t));
	return NULL;
}

/* sorted(xs[, reverse=<bool literal>]) and list(xs). */
static struct ty *tx_sorted_list(struct tctx *c, struct ex *e)
{
	const char *f = e->sval;
	struct ty *t, *el;

	if (want_args(c, e, f[0] == 'l' ? 0 : 1,
		      f[0] == 's' && e->kwname ? 2 : 1) < 0)
		return NULL;
	if (e->kwname && (f[0] == 'l' || strcmp(e->kwname, "reverse"))) {
		tfail(c, e, "%s(%s=) is not supported", f, e->kwname);
		return NULL;
	}
	if (e->n == 0)
		return ty_list(c->a, ty_basic(TY_UNKNOWN));
	if (f[0] == 's' && e->kwname) {
		if (e->n != 2 || e->a[1]->kind != EX_BOOL) {
			tfail(c, e, "sorted(reverse=) needs a literal");
			return NULL;
		}
		if (!tx(c, e->a[1]))
			return NULL;
	}
	/* sorted() of a set: the one use of its items whose result cannot
	 * depend on the set's order (distinct items, a total order; NaN
	 * re-runs Python) */
	t = f[0] == 's' && !is_lazy_iter(e->a[0]) ? tx(c, e->a[0]) : NULL;
	if (t && t->kind == TY_SET && t->n == 1)
		el = t->sub[0];
	else
		el = iter_elem(c, e->a[0]);
	if (!el)
		return NULL;
	if (f[0] == 's' && el->kind != TY_UNKNOWN && el->kind != TY_NEVER &&
	    !comparable(el, el, true)) {
		tfail(c, e, "sorted() of %s", tyname(el));
		return NULL;
	}
	return ty_list(c->a, el);
}

/* set(), set(xs), dict() */
static struct ty *tx_set_dict(struct tctx *c, struct ex *e)
{
	struct ty *t, *el;

	if (want_args(c, e, 0, e->sval[0] == 's' ? 1 : 0) < 0)
		return NULL;
	if (e->sval[0] == 'd')
		return ty_dict(c->a, ty_basic(TY_UNKNOWN),
			       ty_basic(TY_UNKNOWN));
	if (e->n == 0)
		return ty_new(c->a, TY_SET, 1);
	el = iter_elem(c, e->a[0]);
	if (!el)
		return NULL;
	t = ty_new(c->a, TY_SET, 1);
	t->sub[0] = el;
	return t;
}

static struct ty *tx_any_all(struct tctx *c, struct ex *e)
{
	if (want_args(c, e, 1, 1) < 0 || !iter_elem(c, e->a[0]))
		return NULL;
	return ty_basic(TY_BOOL);
}

static struct ty *tx_divmod(struct tctx *c, struct ex *e)
{
	struct ty *x, *y, *t;

	if (want_args(c, e, 2, 2) < 0 || !(x = tx(c, e->a[0])) ||
	    !(y = tx(c, e->a[1])))
		return NULL;
	if (x->kind == TY_UNKNOWN || y->kind == TY_UNKNOWN)
		return ty_basic(TY_UNKNOWN);
	if (!is_num(x) || !is_num(y)) {
		tfail(c, e, "divmod() of %s and %s", tyname(x), tyname(y));
		return NULL;
	}
	t = ty_new(c->a, TY_TUPLE, 2);
	t->sub[0] = t->sub[1] = ty_basic(
	    x->kind == TY_FLOAT || y->kind == TY_FLOAT ? TY_FLOAT : TY_INT);
	return t;
}

static const struct {
	const char *name;
	struct ty *(*rule)(struct tctx *c, struct ex *e);
} builtins[] = {
    {"len", tx_len},
    {"abs", tx_abs},
    {"min", tx_min_max},
    {"max", tx_min_max},
    {"sum", tx_sum},
    {"int", tx_conv},
    {"float", tx_conv},
    {"bool", tx_conv},
    {"str", tx_conv},
    {"round", tx_round},
    {"sorted", tx_sorted_list},
    {"list", tx_sorted_list},
    {"set", tx_set_dict},
    {"dict", tx_set_dict},
    {"any", tx_any_all},
    {"all", tx_any_all},
    {"divmod", tx_divmod},
};

static struct ty *tx_builtin(struct tctx *c, struct ex *e)
{
	const char *f = e->sval;

	if (!strncmp(f, "math.", 5))
		return tx_math(c, e);
	for (size_t i = 0; i < sizeof(builtins) / sizeof(*builtins); i++)
		if (!strcmp(f, builtins[i].name))
			return builtins[i].rule(c, e);
	if (is_lazy_iter(e)) {
		tfail(c, e, "%s() as a value is not supported (only in loops)",
		      f);
		return NULL;
	}
	tfail(c, e, "builtin %s() is not supported", f);
	return NULL;
}

/* ---- methods, by receiver type ----
 * Each rule returns the method's type, NULL after a failure, or
 * UNSUPPORTED when it does not know the method. */

static struct ty unsupported_ty;
#define UNSUPPORTED (&unsupported_ty)

/* A method that changes its receiver in place: the receiver must be a
 * place (x, x[i]) to change; marks it changed. */
static bool changes_place(struct tctx *c, struct ex *e)
{
	if (place_root(e->a[0]) < 0) {
		tfail(c, e, ".%s() on a temporary value is not supported",
		      e->sval);
		return false;
	}
	mark_mutated(c, e->a[0]);
	return true;
}

static struct ty *list_insert(struct tctx *c, struct ex *e)
{
	if (!changes_place(c, e))
		return NULL;
	if (!is_intlike(e->a[1]->ty) && e->a[1]->ty->kind != TY_UNKNOWN) {
		tfail(c, e->a[1], "insert() index of %s", tyname(e->a[1]->ty));
		return NULL;
	}
	if (refine_place(c, e->a[0], ty_list(c->a, e->a[2]->ty)) < 0)
		return NULL;
	return ty_basic(TY_NONE);
}

static struct ty *list_extend(struct tctx *c, struct ex *e)
{
	struct ty *it;

	if (!changes_place(c, e))
		return NULL;
	it = iter_elem(c, e->a[1]);
	if (!it)
		return NULL;
	if (is_lazy_iter(e->a[1])) {
		tfail(c, e->a[1],
		      "extend() from a lazy iterable is not supported");
		return NULL;
	}
	if (refine_place(c, e->a[0], ty_list(c->a, it)) < 0)
		return NULL;
	return ty_basic(TY_NONE);
}

static struct ty *tx_list_method(struct tctx *c, struct ex *e, struct ty *rt)
{
	struct ty *el = rt->sub[0];
	const char *f = e->sval;
	size_t nargs = e->n - 1;

	if (!strcmp(f, "append") && nargs == 1) {
		if (!changes_place(c, e) ||
		    refine_place(c, e->a[0], ty_list(c->a, e->a[1]->ty)) < 0)
			return NULL;
		return ty_basic(TY_NONE);
	}
	if (!strcmp(f, "insert") && nargs == 2)
		return list_insert(c, e);
	if (!strcmp(f, "extend") && nargs == 1)
		return list_extend(c, e);
	if (!strcmp(f, "pop") && nargs <= 1)
		return changes_place(c, e) ? el : NULL;
	if ((!strcmp(f, "reverse") || !strcmp(f, "clear") ||
	     !strcmp(f, "sort")) &&
	    nargs == 0) {
		if (!changes_place(c, e))
			return NULL;
		if (f[0] == 's' && el->kind != TY_UNKNOWN &&
		    el->kind != TY_NEVER && !comparable(el, el, true)) {
			tfail(c, e, "sort() of %s", tyname(rt));
			return NULL;
		}
		return ty_basic(TY_NONE);
	}
	if ((!strcmp(f, "index") || !strcmp(f, "count")) && nargs == 1) {
		if (!comparable(e->a[1]->ty, el, false) &&
		    el->kind != TY_UNKNOWN && el->kind != TY_NEVER) {
			tfail(c, e, ".%s() of %s in %s", f, tyname(e->a[1]->ty),
			      tyname(rt));
			return NULL;
		}
		return ty_basic(TY_INT);
	}
	if (!strcmp(f, "copy") && nargs == 0)
		return rt;
	return UNSUPPORTED;
}

/* d.get(k, default) */
static struct ty *dict_get(struct tctx *c, struct ex *e, struct ty *v)
{
	struct ty *t = ty_unify(c->a, v, e->a[2]->ty);

	if (!t) {
		tfail(c, e, "get() default of %s for values of %s",
		      tyname(e->a[2]->ty), tyname(v));
		return NULL;
	}
	if (ty_is_container(t)) {
		tfail(c, e, "get() of a container value");
		return NULL;
	}
	if (place_root(e->a[0]) >= 0 &&
	    refine_place(c, e->a[0], ty_dict(c->a, e->a[1]->ty, t)) < 0)
		return NULL;
	return t;
}

static struct ty *tx_dict_method(struct tctx *c, struct ex *e, struct ty *rt)
{
	struct ty *v = rt->sub[1];
	const char *f = e->sval;
	size_t nargs = e->n - 1;

	if (!strcmp(f, "get") && nargs == 2)
		return dict_get(c, e, v);
	if (!strcmp(f, "get") && nargs == 1) {
		tfail(c, e, "dict.get() without a default may return None");
		return NULL;
	}
	if (!strcmp(f, "setdefault") && nargs == 2) {
		if (!changes_place(c, e) ||
		    refine_place(c, e->a[0],
				 ty_dict(c->a, e->a[1]->ty, e->a[2]->ty)) < 0)
			return NULL;
		return e->a[0]->ty->sub[1];
	}
	if (!strcmp(f, "pop") && (nargs == 1 || nargs == 2)) {
		if (!changes_place(c, e))
			return NULL;
		if (nargs == 2 && !ty_unify(c->a, v, e->a[2]->ty)) {
			tfail(c, e, "pop() default of another type");
			return NULL;
		}
		return v;
	}
	if (!strcmp(f, "clear") && nargs == 0)
		return changes_place(c, e) ? ty_basic(TY_NONE) : NULL;
	if (!strcmp(f, "copy") && nargs == 0)
		return rt;
	if (is_lazy_iter(e)) {
		tfail(c, e,
		      ".%s() as a value is not supported (only in loops, "
		      "list() and sorted())",
		      f);
		return NULL;
	}
	return UNSUPPORTED;
}

/* strip(), lstrip(), rstrip() (with chars or none), lower(), upper() */
static bool str_to_str(const struct ex *e)
{
	static const char *to_str[] = {"strip", "lstrip", "rstrip",
				       "lower", "upper",  "capitalize"};
	size_t nargs = e->n - 1;

	for (size_t i = 0; i < sizeof(to_str) / sizeof(*to_str); i++)
		if (!strcmp(e->sval, to_str[i]))
			return nargs <= (i < 3 ? 1u : 0u) &&
			       (nargs == 0 || e->a[1]->ty->kind == TY_STR);
	return false;
}

static struct ty *str_join(struct tctx *c, struct ex *e)
{
	struct ty *el = iter_elem(c, e->a[1]);

	if (!el)
		return NULL;
	if ((el->kind != TY_STR && el->kind != TY_UNKNOWN &&
	     el->kind != TY_NEVER) ||
	    is_lazy_iter(e->a[1]))
		return UNSUPPORTED;
	return ty_basic(TY_STR);
}

static struct ty *tx_str_method(struct tctx *c, struct ex *e)
{
	const char *f = e->sval;
	size_t nargs = e->n - 1;
	bool str1 = nargs >= 1 && e->a[1]->ty->kind == TY_STR;

	if (str_to_str(e))
		return ty_basic(TY_STR);
	if (!strcmp(f, "split") && nargs <= 1)
		return nargs == 1 && !str1 ? UNSUPPORTED
					   : ty_list(c->a, ty_basic(TY_STR));
	if ((!strcmp(f, "startswith") || !strcmp(f, "endswith")) &&
	    nargs == 1 && str1)
		return ty_basic(TY_BOOL);
	if ((!strcmp(f, "partition") || !strcmp(f, "rpartition")) &&
	    nargs == 1 && str1) {
		struct ty *t = ty_new(c->a, TY_TUPLE, 3);
		for (size_t i = 0; i < 3; i++)
			t->sub[i] = ty_basic(TY_STR);
		return t;
	}
	if (!strcmp(f, "count") && nargs == 1 && str1)
		return ty_basic(TY_INT);
	if ((!strcmp(f, "ljust") || !strcmp(f, "rjust") ||
	     !strcmp(f, "center")) &&
	    nargs >= 1 && nargs <= 2 && e->a[1]->ty->kind == TY_INT &&
	    (nargs < 2 || e->a[2]->ty->kind == TY_STR))
		return ty_basic(TY_STR);
	if ((!strcmp(f, "find") || !strcmp(f, "index")) && nargs >= 1 &&
	    nargs <= 3 && str1 &&
	    (nargs < 2 || e->a[2]->ty->kind == TY_INT) &&
	    (nargs < 3 || e->a[3]->ty->kind == TY_INT))
		return ty_basic(TY_INT);
	if (!strcmp(f, "replace") && nargs == 2 && str1 &&
	    e->a[2]->ty->kind == TY_STR)
		return ty_basic(TY_STR);
	if ((!strcmp(f, "isdigit") || !strcmp(f, "isalpha") ||
	     !strcmp(f, "isspace") || !strcmp(f, "isalnum") ||
	     !strcmp(f, "isupper") || !strcmp(f, "islower")) &&
	    nargs == 0)
		return ty_basic(TY_BOOL);
	if (!strcmp(f, "join") && nargs == 1)
		return str_join(c, e);
	return UNSUPPORTED;
}

static struct ty *tx_set_method(struct tctx *c, struct ex *e)
{
	struct ty *t;

	if ((strcmp(e->sval, "add") && strcmp(e->sval, "discard")) || e->n != 2)
		return UNSUPPORTED;
	if (!changes_place(c, e))
		return NULL;
	t = ty_new(c->a, TY_SET, 1);
	t->sub[0] = e->a[1]->ty;
	if (refine_place(c, e->a[0], t) < 0)
		return NULL;
	return ty_basic(TY_NONE);
}

static struct ty *tx_method(struct tctx *c, struct ex *e)
{
	struct ty *rt = tx(c, e->a[0]), *t = UNSUPPORTED;

	if (!rt)
		return NULL;
	if (e->kwname) {
		tfail(c, e, "keyword arguments to .%s()", e->sval);
		return NULL;
	}
	for (size_t i = 1; i < e->n; i++)
		if (!tx(c, e->a[i]))
			return NULL;
	if (rt->kind == TY_UNKNOWN)
		return rt;
	if (rt->kind == TY_LIST)
		t = tx_list_method(c, e, rt);
	else if (rt->kind == TY_DICT)
		t = tx_dict_method(c, e, rt);
	else if (rt->kind == TY_STR)
		t = tx_str_method(c, e);
	else if (rt->kind == TY_SET)
		t = tx_set_method(c, e);
	if (t != UNSUPPORTED)
		return t;
	tfail(c, e, "method .%s() on %s is not supported", e->sval, tyname(rt));
	return NULL;
}

static struct ty *tx_call_fn(struct tctx *c, struct ex *e)
{
	struct ir_fn *g = e->fn;
	size_t need = 0;

	for (size_t i = 0; i < g->nparams; i++)
		if (!g->params[i].def)
			need++;
	for (size_t i = 0; i < e->n; i++)
		if (!tx(c, e->a[i]))
			return NULL;
	if (e->n < need || e->n > g->nparams) {
		tfail(c, e, "call to %s() with %zu arguments", g->name, e->n);
		return NULL;
	}
	if (!c->final)
		return g->ret ? g->ret : ty_basic(TY_UNKNOWN);
	if (!g->is_ok) {
		tfail(c, e, "calls %s(), which is not translated", g->name);
		return NULL;
	}
	for (size_t i = 0; i < e->n; i++) {
		struct ty *pt = g->vars[g->params[i].var].ty;
		struct ty *at = e->a[i]->ty;
		if (!ty_equal(pt, at) &&
		    !(at->kind == TY_LIST && at->sub[0]->kind == TY_NEVER &&
		      pt->kind == TY_LIST)) {
			tfail(c, e->a[i], "passes %s where %s() takes %s",
			      tyname(at), g->name, tyname(pt));
			return NULL;
		}
		if (g->vars[g->params[i].var].is_mutated) {
			if (place_root(e->a[i]) < 0) {
				tfail(c, e->a[i],
				      "%s() changes this argument: "
				      "pass a variable",
				      g->name);
				return NULL;
			}
			mark_mutated(c, e->a[i]);
		}
	}
	return g->ret ? g->ret : ty_basic(TY_UNKNOWN);
}

/* What a value of type t formatted with conversion conv and spec (n
 * bytes) needs that the runtime does not do exactly as Python; NULL when
 * all is supported. */
static const char *fmt_check(const struct ty *t, int conv, const char *spec,
			     size_t n)
{
	struct fmt_spec sp;
	const char *err;
	enum ty_kind k = t->kind;
	bool ft;
	char align;

	if (k != TY_INT && k != TY_FLOAT && k != TY_BOOL && k != TY_STR)
		return "formatting a value of this type";
	if (!n)
		return NULL;
	if ((err = fmt_spec_parse(spec, n, &sp)))
		return err;
	if (conv)
		k = TY_STR;
	if (k == TY_BOOL)
		k = TY_INT; /* bool.__format__ with a spec formats 0 or 1 */
	align = sp.align				 ? sp.align
		: sp.zero && !sp.has_fill && k != TY_STR ? '='
							 : 0;
	if (k == TY_STR) {
		if (sp.type && sp.type != 's')
			return "this presentation type for a str (ValueError)";
		if (sp.sign || align == '=' || sp.group)
			return "a sign, '=' alignment or grouping for a str "
			       "(ValueError)";
		return NULL;
	}
	ft = sp.type && strchr("eEfFgG%", sp.type);
	if (k == TY_INT) {
		if (sp.type && !ft && !strchr("dxXob", sp.type))
			return "this presentation type for an int";
		if (!ft && sp.prec >= 0)
			return "a precision for an int (ValueError)";
		if (sp.group == ',' && sp.type && strchr("xXob", sp.type))
			return "',' with x, o or b (ValueError)";
	} else if (sp.type && !ft) {
		return "this presentation type for a float";
	}
	if (sp.group && align == '=')
		return "zero padding with grouping";
	return NULL;
}

/* The types a %-format's right operand supplies, one per directive. */
static size_t pct_args(struct ex *e, struct ty ***out)
{
	struct ex *r = e->a[1];

	if (r->kind == EX_TUPLE) {
		static _Thread_local struct ty *buf[64];
		size_t n = r->n < 64 ? r->n : 64;
		for (size_t i = 0; i < n; i++)
			buf[i] = r->a[i]->ty;
		*out = buf;
		return r->n;
	}
	if (r->ty->kind == TY_TUPLE) {
		*out = r->ty->sub;
		return r->ty->n;
	}
	*out = &r->ty;
	return 1;
}

static struct ty *tx_pct(struct tctx *c, struct ex *e)
{
	struct ex *fmt = e->a[0];
	struct ty **args;
	size_t nargs, k = 0, pos = 0;
	struct buf lit = BUF_INIT;
	struct pct_dir d;
	const char *err = NULL;
	int rc;

	if (!tx(c, e->a[0]) || !tx(c, e->a[1]))
		return NULL;
	nargs = pct_args(e, &args);
	for (size_t i = 0; i < nargs; i++)
		if (!ty_is_complete(args[i]))
			return ty_basic(TY_STR);
	if (nargs > 64)
		err = "more than 64 arguments";
	while (!err && (rc = pct_next(fmt->sval, fmt->slen, &pos, &lit, &d,
				      &err)) > 0) {
		enum ty_kind ak;
		if (k >= nargs) {
			err = "fewer arguments than directives (TypeError)";
			break;
		}
		ak = args[k++]->kind;
		if (d.conv == 's' || d.conv == 'r') {
			if (ak != TY_INT && ak != TY_FLOAT && ak != TY_BOOL &&
			    ak != TY_STR)
				err = "%s or %r of this type";
			else if (d.zero || d.plus || d.space)
				err = "flags 0, + or space with %s or %r";
		} else if (strchr("diu", d.conv)) {
			if (ak != TY_INT && ak != TY_FLOAT && ak != TY_BOOL)
				err = "%d of a value that is not a number "
				      "(TypeError)";
			else if (d.spec.prec >= 0)
				err = "a precision with %d";
		} else if (strchr("xXo", d.conv)) {
			if (ak != TY_INT && ak != TY_BOOL)
				err = "%x or %o of a value that is not an int";
		} else if (strchr("eEfFgG", d.conv)) {
			if (ak != TY_INT && ak != TY_FLOAT && ak != TY_BOOL)
				err = "%f of a value that is not a number "
				      "(TypeError)";
		} else {
			err = "this conversion";
		}
	}
	buf_release(&lit);
	if (!err && k != nargs)
		err = "arguments left over (TypeError: not all arguments "
		      "converted)";
	if (err) {
		tfail(c, e, "%%-formatting with %s is not supported", err);
		return NULL;
	}
	return ty_basic(TY_STR);
}

/* ---- one rule per expression kind ---- */

static struct ty *tx_literal(struct tctx *c, struct ex *e)
{
	static const enum ty_kind kinds[] = {
	    [EX_INT] = TY_INT,	 [EX_FLOAT] = TY_FLOAT, [EX_BOOL] = TY_BOOL,
	    [EX_NONE] = TY_NONE, [EX_STR] = TY_STR,
	};
	return ty_basic(kinds[e->kind]);
}

static struct ty *tx_name(struct tctx *c, struct ex *e)
{
	return c->fn->vars[e->var].ty;
}

static struct ty *tx_unop(struct tctx *c, struct ex *e)
{
	struct ty *t = tx(c, e->a[0]);

	if (!t || t->kind == TY_UNKNOWN)
		return t;
	if (t->kind == TY_FLOAT && e->op != '~')
		return t;
	if (is_intlike(t))
		return ty_basic(TY_INT);
	tfail(c, e, "unary %c on %s", e->op, tyname(t));
	return NULL;
}

static struct ty *tx_not(struct tctx *c, struct ex *e)
{
	return tx(c, e->a[0]) ? ty_basic(TY_BOOL) : NULL;
}

static struct ty *tx_and_or(struct tctx *c, struct ex *e)
{
	struct ty *t = tx(c, e->a[0]), *u;

	if (!t)
		return NULL;
	u = tx(c, e->a[1]);
	if (!u)
		return NULL;
	if (t->kind == TY_UNKNOWN || u->kind == TY_UNKNOWN)
		return ty_basic(TY_UNKNOWN);
	if (!ty_equal(t, u) || ty_is_container(t) || t->kind == TY_OPT ||
	    t->kind == TY_NUM) {
		/* Fine as a condition (only truthiness is used);
		 * plan.c refuses it as a value. */
		e->op = 1;
		return ty_basic(TY_BOOL);
	}
	e->op = 0;
	return t;
}

static struct ty *tx_ifexp(struct tctx *c, struct ex *e)
{
	struct ty *t, *u;

	if (!tx(c, e->a[1]))
		return NULL;
	t = tx(c, e->a[0]);
	if (!t)
		return NULL;
	u = tx(c, e->a[2]);
	if (!u)
		return NULL;
	t = ty_unify(c->a, t, u);
	if (!t) {
		tfail(c, e, "conditional expression of %s or %s",
		      tyname(e->a[0]->ty), tyname(e->a[2]->ty));
		return NULL;
	}
	return t;
}

static struct ty *tx_call(struct tctx *c, struct ex *e)
{
	return e->fn ? tx_call_fn(c, e) : tx_builtin(c, e);
}

/* t[u] of a tuple: a literal index in range. */
static struct ty *tx_tuple_index(struct tctx *c, struct ex *e, struct ty *t)
{
	int64_t k;

	if (e->a[1]->kind != EX_INT) {
		tfail(c, e->a[1], "tuple index that is not a literal");
		return NULL;
	}
	k = e->a[1]->ival;
	if (k < 0)
		k += (int64_t)t->n;
	if (k < 0 || k >= (int64_t)t->n) {
		tfail(c, e->a[1], "tuple index out of range");
		return NULL;
	}
	return t->sub[k];
}

static struct ty *tx_index(struct tctx *c, struct ex *e)
{
	struct ty *t = tx(c, e->a[0]), *u;

	if (!t)
		return NULL;
	t = opt_operand(c, e->a[0]);
	u = tx(c, e->a[1]);
	if (!u)
		return NULL;
	if (t->kind == TY_UNKNOWN || u->kind == TY_UNKNOWN)
		return ty_basic(TY_UNKNOWN);
	if (t->kind == TY_LIST || t->kind == TY_STR) {
		if (!is_intlike(u)) {
			tfail(c, e->a[1], "index of %s", tyname(u));
			return NULL;
		}
		return t->kind == TY_LIST ? t->sub[0] : t;
	}
	if (t->kind == TY_DICT) {
		if (!ty_unify(c->a, t->sub[0], u)) {
			tfail(c, e->a[1], "key of %s for %s", tyname(u),
			      tyname(t));
			return NULL;
		}
		return t->sub[1];
	}
	if (t->kind == TY_TUPLE)
		return tx_tuple_index(c, e, t);
	tfail(c, e, "indexing %s", tyname(t));
	return NULL;
}

static struct ty *tx_slice(struct tctx *c, struct ex *e)
{
	struct ty *t = tx(c, e->a[0]), *u;

	if (!t)
		return NULL;
	for (size_t i = 1; i < 4; i++) {
		if (!e->a[i])
			continue;
		u = tx(c, e->a[i]);
		if (!u)
			return NULL;
		if (u->kind != TY_UNKNOWN && !is_intlike(u)) {
			tfail(c, e->a[i], "slice bound of %s", tyname(u));
			return NULL;
		}
	}
	if (t->kind == TY_UNKNOWN || t->kind == TY_LIST || t->kind == TY_STR)
		return t;
	tfail(c, e, "slicing %s", tyname(t));
	return NULL;
}

/* [a, b] and {a, b}: one item type. */
static struct ty *tx_display(struct tctx *c, struct ex *e)
{
	struct ty *t = ty_basic(TY_UNKNOWN), *u;

	for (size_t i = 0; i < e->n; i++) {
		u = tx(c, e->a[i]);
		if (!u)
			return NULL;
		t = ty_unify(c->a, t, u);
		if (!t) {
			tfail(c, e->a[i], "%s display mixing types",
			      e->kind == EX_LIST ? "list" : "set");
			return NULL;
		}
	}
	u = ty_new(c->a, e->kind == EX_LIST ? TY_LIST : TY_SET, 1);
	u->sub[0] = t;
	/* Keep what the context settled (settle_ex) if it is more. */
	if (e->ty && e->ty->kind == u->kind) {
		struct ty *w = ty_unify(c->a, e->ty, u);
		if (w)
			return w;
	}
	return u;
}

static struct ty *tx_tuple(struct tctx *c, struct ex *e)
{
	struct ty *t = ty_new(c->a, TY_TUPLE, e->n);

	for (size_t i = 0; i < e->n; i++) {
		t->sub[i] = tx(c, e->a[i]);
		if (!t->sub[i])
			return NULL;
	}
	return t;
}

static struct ty *tx_dict(struct tctx *c, struct ex *e)
{
	struct ty *k = ty_basic(TY_UNKNOWN), *v = ty_basic(TY_UNKNOWN), *t;

	for (size_t i = 0; i + 1 < e->n; i += 2) {
		struct ty *kt = tx(c, e->a[i]), *vt;
		if (!kt)
			return NULL;
		vt = tx(c, e->a[i + 1]);
		if (!vt)
			return NULL;
		k = ty_unify(c->a, k, kt);
		v = ty_unify(c->a, v, vt);
		if (!k || !v) {
			tfail(c, e->a[i], "dict display mixing types");
			return NULL;
		}
	}
	t = ty_dict(c->a, k, v);
	if (e->ty && e->ty->kind == TY_DICT) {
		struct ty *w = ty_unify(c->a, e->ty, t);
		if (w)
			return w;
	}
	return t;
}

static struct ty *tx_fstr(struct tctx *c, struct ex *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (!tx(c, e->a[i]))
			return NULL;
	return ty_basic(TY_STR);
}

static struct ty *tx_fmt(struct tctx *c, struct ex *e)
{
	struct ty *t = tx(c, e->a[0]);
	const char *why;

	if (!t || t->kind == TY_UNKNOWN)
		return t ? ty_basic(TY_STR) : NULL;
	why = fmt_check(t, e->op, e->sval, e->slen);
	if (why) {
		tfail(c, e, "f-string field of %s with %s is not supported",
		      tyname(t), why);
		return NULL;
	}
	return ty_basic(TY_STR);
}

static struct ty *tx_comp(struct tctx *c, struct ex *e)
{
	struct ty *t;

	for (size_t i = 0; i < e->ncomp; i++) {
		struct ir_comp *cl = e->comp[i];
		struct ty *el = iter_elem(c, cl->iter);
		if (!el)
			return NULL;
		if (bind_target(c, cl->target, el) < 0)
			return NULL;
		for (size_t k = 0; k < cl->nconds; k++)
			if (!tx(c, cl->conds[k]))
				return NULL;
	}
	t = tx(c, e->a[0]);
	if (!t)
		return NULL;
	return ty_list(c->a, t);
}

static struct ty *(*const tx_kinds[])(struct tctx *c, struct ex *e) = {
    [EX_INT] = tx_literal,   [EX_FLOAT] = tx_literal, [EX_BOOL] = tx_literal,
    [EX_NONE] = tx_literal,  [EX_STR] = tx_literal,   [EX_NAME] = tx_name,
    [EX_BINOP] = tx_binop,   [EX_UNOP] = tx_unop,     [EX_NOT] = tx_not,
    [EX_AND] = tx_and_or,    [EX_OR] = tx_and_or,     [EX_CMP] = tx_cmp,
    [EX_IFEXP] = tx_ifexp,   [EX_CALL] = tx_call,     [EX_METHOD] = tx_method,
    [EX_INDEX] = tx_index,   [EX_SLICE] = tx_slice,   [EX_LIST] = tx_display,
    [EX_TUPLE] = tx_tuple,   [EX_DICT] = tx_dict,     [EX_SET] = tx_display,
    [EX_LISTCOMP] = tx_comp, [EX_FSTR] = tx_fstr,     [EX_FMT] = tx_fmt,
    [EX_PCT] = tx_pct,
};

static struct ty *tx(struct tctx *c, struct ex *e)
{
	struct ty *t;

	if (c->failed)
		return NULL;
	t = tx_kinds[e->kind](c, e);
	if (!t) {
		if (!c->failed)
			tfail(c, e, "unsupported expression");
		return NULL;
	}
	e->ty = t;
	return t;
}

/* Pushes an expected type into empty displays ([] / {} / list()). */
static void settle_ex(struct tctx *c, struct ex *e, struct ty *want)
{
	struct ty *u;

	if (!want || ty_is_complete(e->ty))
		return;
	u = ty_unify(c->a, e->ty, want);
	if (u)
		e->ty = u;
	if (e->kind == EX_TUPLE && want->kind == TY_TUPLE && want->n == e->n)
		for (size_t i = 0; i < e->n; i++)
			settle_ex(c, e->a[i], want->sub[i]);
	if ((e->kind == EX_LIST || e->kind == EX_SET) && e->ty->n == 1)
		for (size_t i = 0; i < e->n; i++)
			settle_ex(c, e->a[i], e->ty->sub[0]);
	if (e->kind == EX_IFEXP) {
		settle_ex(c, e->a[0], e->ty);
		settle_ex(c, e->a[2], e->ty);
	}
}

static void settle_target(struct tctx *c, struct ex *t, struct ex *v)
{
	if (t->kind == EX_NAME)
		settle_ex(c, v, c->fn->vars[t->var].ty);
	else if (t->kind == EX_INDEX)
		settle_ex(c, v, t->ty);
	else if (t->kind == EX_TUPLE && v->kind == EX_TUPLE && t->n == v->n)
		for (size_t i = 0; i < t->n; i++)
			settle_target(c, t->a[i], v->a[i]);
}

static int tblock(struct tctx *c, struct block *b);

/* x op= v types as x = x op v (no in-place list ops on names: "+=" on a
 * list extends it in place). */
static int tstmt_aug(struct tctx *c, struct st *s)
{
	struct ex tmp;
	struct ex *pair[2];
	struct ty *tt = tx(c, s->target), *vt, *t;

	if (!tt)
		return -1;
	vt = tx(c, s->value);
	if (!vt)
		return -1;
	if (tt->kind == TY_LIST || tt->kind == TY_DICT || tt->kind == TY_SET ||
	    tt->kind == TY_OPT ||
	    (tt->kind == TY_NUM && s->target->kind != EX_NAME) ||
	    tt->kind == TY_NONE)
		return tfail(c, s->target, "augmented assignment on %s",
			     tyname(tt));
	memset(&tmp, 0, sizeof(tmp));
	tmp.kind = EX_BINOP;
	tmp.op = s->op;
	tmp.line = s->line;
	tmp.col = s->col;
	pair[0] = s->target;
	pair[1] = s->value;
	tmp.a = pair;
	tmp.n = 2;
	tmp.ty = ty_basic(TY_UNKNOWN);
	t = tx(c, &tmp);
	if (!t)
		return -1;
	if (s->target->kind == EX_NAME)
		return bind_target(c, s->target, t);
	if (s->target->kind != EX_INDEX)
		return tfail(c, s->target,
			     "unsupported augmented assignment target");
	mark_mutated(c, s->target);
	if (tt->kind != TY_UNKNOWN && t->kind != TY_UNKNOWN && !ty_equal(tt, t))
		return tfail(c, s->target,
			     "augmented assignment turns an item of %s into "
			     "%s",
			     tyname(tt), tyname(t));
	return 0;
}

static int tstmt_return(struct tctx *c, struct st *s)
{
	struct ty *t = s->value ? tx(c, s->value) : ty_basic(TY_NONE), *u;

	if (!t)
		return -1;
	u = ty_unify(c->a, c->ret, t);
	if (!u && (c->ret->kind == TY_NUM || t->kind == TY_NUM))
		u = num_unify(c->ret, t);
	if (!u)
		return tfail(c, s->value, "returns %s here and %s elsewhere",
			     tyname(t), tyname(c->ret));
	if (!ty_equal(u, c->ret))
		c->changed = true;
	c->ret = u;
	if (s->value)
		settle_ex(c, s->value, c->ret);
	return 0;
}

/* del d[k], del xs[i] */
static int tstmt_del(struct tctx *c, struct st *s)
{
	struct ex *tg = s->target;

	if (!tx(c, tg))
		return -1;
	if (tg->a[0]->ty->kind == TY_UNKNOWN)
		return 0;
	if (tg->a[0]->ty->kind != TY_DICT && tg->a[0]->ty->kind != TY_LIST)
		return tfail(c, tg, "del on %s", tyname(tg->a[0]->ty));
	if (place_root(tg->a[0]) < 0)
		return tfail(c, tg, "del on a temporary");
	mark_mutated(c, tg);
	return 0;
}

static int tstmt_assign(struct tctx *c, struct st *s)
{
	struct ty *t = tx(c, s->value);

	if (!t)
		return -1;
	for (size_t i = 0; i < s->ntargets; i++) {
		if (bind_target(c, s->targets[i], t) < 0)
			return -1;
		settle_target(c, s->targets[i], s->value);
	}
	return 0;
}

static int tstmt(struct tctx *c, struct st *s)
{
	struct ty *t;

	switch (s->kind) {
	case ST_EXPR:
		return tx(c, s->value) ? 0 : -1;
	case ST_ASSIGN:
		return tstmt_assign(c, s);
	case ST_AUG:
		return tstmt_aug(c, s);
	case ST_IF:
	case ST_WHILE:
		if (!tx(c, s->cond))
			return -1;
		return tblock(c, &s->body) < 0 || tblock(c, &s->orelse) < 0 ? -1
									    : 0;
	case ST_FOR:
		t = iter_elem(c, s->iter);
		if (!t || bind_target(c, s->target, t) < 0)
			return -1;
		return tblock(c, &s->body) < 0 || tblock(c, &s->orelse) < 0 ? -1
									    : 0;
	case ST_RETURN:
		return tstmt_return(c, s);
	case ST_ASSERT:
		return tx(c, s->cond) ? 0 : -1;
	case ST_DEL:
		return tstmt_del(c, s);
	case ST_BREAK:
	case ST_CONTINUE:
	case ST_PASS:
	case ST_RAISE:
		return 0;
	}
	return 0;
}

static int tblock(struct tctx *c, struct block *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (tstmt(c, b->v[i]) < 0)
			return -1;
	return 0;
}

/* ---- checks after inference ---- */

/* Can control reach the end of this block? (conservative: yes) */
static bool block_falls_through(const struct block *b);

static bool loop_has_break(const struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct st *s = b->v[i];
		if (s->kind == ST_BREAK)
			return true;
		if (s->kind == ST_IF &&
		    (loop_has_break(&s->body) || loop_has_break(&s->orelse)))
			return true;
	}
	return false;
}

static bool st_falls_through(const struct st *s)
{
	switch (s->kind) {
	case ST_RETURN:
	case ST_RAISE:
	case ST_BREAK:
	case ST_CONTINUE:
		return false;
	case ST_IF:
		return block_falls_through(&s->body) ||
		       block_falls_through(&s->orelse);
	case ST_WHILE:
		/* while True without break never falls through */
		if (s->cond->kind == EX_BOOL && s->cond->ival &&
		    !loop_has_break(&s->body))
			return false;
		return true;
	case ST_ASSERT:
		return !(s->cond->kind == EX_BOOL && !s->cond->ival);
	default:
		return true;
	}
}

static bool block_falls_through(const struct block *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (!st_falls_through(b->v[i]))
			return false;
	return true;
}

/* Walks every expression of a function. */
typedef int (*ex_visit)(struct tctx *c, struct ex *e, struct st *s);

static int walk_ex(struct tctx *c, struct ex *e, struct st *s, ex_visit f)
{
	if (!e)
		return 0;
	if (f(c, e, s) < 0)
		return -1;
	for (size_t i = 0; i < e->n; i++)
		if (walk_ex(c, e->a[i], s, f) < 0)
			return -1;
	for (size_t i = 0; i < e->ncomp; i++) {
		if (walk_ex(c, e->comp[i]->iter, s, f) < 0 ||
		    walk_ex(c, e->comp[i]->target, s, f) < 0)
			return -1;
		for (size_t k = 0; k < e->comp[i]->nconds; k++)
			if (walk_ex(c, e->comp[i]->conds[k], s, f) < 0)
				return -1;
	}
	return 0;
}

static int walk_block(struct tctx *c, struct block *b, ex_visit f)
{
	for (size_t i = 0; i < b->n; i++) {
		struct st *s = b->v[i];
		for (size_t k = 0; k < s->ntargets; k++)
			if (walk_ex(c, s->targets[k], s, f) < 0)
				return -1;
		if (walk_ex(c, s->value, s, f) < 0 ||
		    walk_ex(c, s->cond, s, f) < 0 ||
		    walk_ex(c, s->target, s, f) < 0 ||
		    walk_ex(c, s->iter, s, f) < 0 ||
		    walk_block(c, &s->body, f) < 0 ||
		    walk_block(c, &s->orelse, f) < 0)
			return -1;
	}
	return 0;
}

static int check_complete(struct tctx *c, struct ex *e, struct st *s)
{
	if (e->kind == EX_CALL && !e->fn && e->ty->kind == TY_NONE &&
	    is_lazy_iter(e))
		return 0;
	if (e->kind == EX_METHOD && is_lazy_iter(e))
		return 0;
	if (!ty_is_complete(e->ty)) {
		if (e->ty->kind == TY_LIST || e->ty->kind == TY_DICT ||
		    e->ty->kind == TY_SET) {
			/* An empty display whose element type nothing
			 * decides: Never works as long as it stays empty;
			 * be safe and refuse. */
			return tfail(c, e,
				     "cannot infer the element type of "
				     "this %s",
				     tyname(e->ty));
		}
		return tfail(c, e, "cannot infer the type of this expression");
	}
	if ((e->ty->kind == TY_DICT || e->ty->kind == TY_SET) &&
	    e->ty->sub[0]->kind != TY_NEVER && !ty_is_hashable(e->ty->sub[0]))
		return tfail(c, e,
			     "%s keys are not supported (only int, str, "
			     "bool and tuples of them)",
			     tyname(e->ty->sub[0]));
	if (e->kind == EX_CALL && e->fn && e->fn == c->fn)
		c->fn->is_recursive = true;
	return 0;
}

/* Container places copied into a second name/slot share one object in
 * Python. Allowed only when neither side is changed in place, or when the
 * source is a local that is dead afterwards (a move). */
struct alias_site {
	struct ex *src;
	int dest; /* var receiving it, -1 for a container slot */
	struct st *st;
};

struct alias_ctx {
	struct alias_site *v;
	size_t n, cap;
};

static void alias_add(struct tctx *c, struct alias_ctx *ac, struct ex *src,
		      int dest, struct st *s)
{
	if (!ty_is_container(src->ty) &&
	    !(src->ty->kind == TY_TUPLE && !ty_is_copy(src->ty) &&
	      src->ty->kind != TY_STR))
		return;
	if (src->kind == EX_IFEXP) {
		alias_add(c, ac, src->a[0], dest, s);
		alias_add(c, ac, src->a[2], dest, s);
		return;
	}
	if (src->kind == EX_TUPLE || src->kind == EX_LIST) {
		for (size_t i = 0; i < src->n; i++)
			alias_add(c, ac, src->a[i], -1, s);
		return;
	}
	if (place_root(src) < 0 &&
	    !(src->kind == EX_METHOD &&
	      (is_method(src, "pop") || is_method(src, "setdefault") ||
	       is_method(src, "get"))))
		return;
	if (ac->n == ac->cap) {
		ac->cap = ac->cap ? ac->cap * 2 : 8;
		ac->v = xrealloc(ac->v, ac->cap * sizeof(*ac->v));
	}
	ac->v[ac->n].src = src;
	ac->v[ac->n].dest = dest;
	ac->v[ac->n].st = s;
	ac->n++;
}

static void alias_target(struct tctx *c, struct alias_ctx *ac, struct ex *t,
			 struct ex *v, struct st *s)
{
	if (t->kind == EX_TUPLE && v->kind == EX_TUPLE && t->n == v->n) {
		for (size_t i = 0; i < t->n; i++)
			alias_target(c, ac, t->a[i], v->a[i], s);
		return;
	}
	alias_add(c, ac, v, t->kind == EX_NAME ? t->var : -1, s);
}

static _Thread_local struct alias_ctx *cur_alias;

static int alias_visit(struct tctx *c, struct ex *e, struct st *s)
{
	struct alias_ctx *ac = cur_alias;

	if (e->kind == EX_METHOD) {
		if (is_method(e, "append") || is_method(e, "insert") ||
		    is_method(e, "setdefault") || is_method(e, "add"))
			alias_add(c, ac, e->a[e->n - 1], -1, s);
		if (is_method(e, "extend") && e->n == 2 &&
		    e->a[1]->ty->kind == TY_LIST &&
		    ty_is_container(e->a[1]->ty->sub[0]) &&
		    place_root(e->a[1]) >= 0)
			return tfail(c, e,
				     "extend() with lists of containers "
				     "shares them");
	}
	if (e->kind == EX_LIST || e->kind == EX_TUPLE || e->kind == EX_SET ||
	    e->kind == EX_DICT) {
		for (size_t i = 0; i < e->n; i++)
			alias_add(c, ac, e->a[i], -1, s);
	}
	if (e->kind == EX_LISTCOMP)
		alias_add(c, ac, e->a[0], -1, s);
	if (e->kind == EX_CALL && e->fn)
		for (size_t i = 0; i < e->n; i++)
			alias_add(c, ac, e->a[i], -2, s);
	return 0;
}

/* ---- liveness (for moves) ---- */

struct bits {
	uint64_t *w;
	size_t n;
};

static void bits_init(struct bits *b, size_t nvars)
{
	b->n = (nvars + 63) / 64 + 1;
	b->w = xcalloc(b->n, sizeof(uint64_t));
}

static void bits_copy(struct bits *d, const struct bits *s)
{
	memcpy(d->w, s->w, s->n * sizeof(uint64_t));
}

static bool bits_or(struct bits *d, const struct bits *s)
{
	bool ch = false;

	for (size_t i = 0; i < d->n; i++) {
		uint64_t o = d->w[i];
		d->w[i] |= s->w[i];
		ch |= o != d->w[i];
	}
	return ch;
}

static void bits_set(struct bits *b, int v, bool on)
{
	if (on)
		b->w[v / 64] |= 1ULL << (v % 64);
	else
		b->w[v / 64] &= ~(1ULL << (v % 64));
}

static bool bits_has(const struct bits *b, int v)
{
	return b->w[v / 64] >> (v % 64) & 1;
}

static void uses_ex(const struct ex *e, struct bits *live)
{
	if (!e)
		return;
	if (e->kind == EX_NAME)
		bits_set(live, e->var, true);
	for (size_t i = 0; i < e->n; i++)
		uses_ex(e->a[i], live);
	for (size_t i = 0; i < e->ncomp; i++) {
		uses_ex(e->comp[i]->iter, live);
		for (size_t k = 0; k < e->comp[i]->nconds; k++)
			uses_ex(e->comp[i]->conds[k], live);
	}
}

/* Target subexpressions that are read (x[i] = v reads x and i). */
static void uses_target(const struct ex *t, struct bits *live)
{
	if (t->kind == EX_TUPLE) {
		for (size_t i = 0; i < t->n; i++)
			uses_target(t->a[i], live);
	} else if (t->kind != EX_NAME) {
		uses_ex(t, live);
	}
}

static void defs_target(const struct ex *t, struct bits *live)
{
	if (t->kind == EX_NAME)
		bits_set(live, t->var, false);
	else if (t->kind == EX_TUPLE)
		for (size_t i = 0; i < t->n; i++)
			defs_target(t->a[i], live);
}

struct live_ctx {
	struct alias_ctx *ac;
	bool *dead_after; /* per alias site */
	size_t nvars;
	struct bits *brk, *cont; /* live at loop exit / loop head */
};

static void live_block(struct live_ctx *lc, struct block *b, struct bits *live);

static void live_record(struct live_ctx *lc, struct st *s,
			const struct bits *after)
{
	for (size_t i = 0; i < lc->ac->n; i++) {
		struct alias_site *as = &lc->ac->v[i];
		if (as->st != s || as->src->kind != EX_NAME)
			continue;
		lc->dead_after[i] = !bits_has(after, as->src->var);
	}
}

static void live_loop(struct live_ctx *lc, struct st *s, struct bits *live)
{
	struct bits exit, head, body, *sb = lc->brk, *sc = lc->cont;

	bits_init(&exit, lc->nvars);
	bits_init(&head, lc->nvars);
	bits_init(&body, lc->nvars);
	/* exit: what is live after the loop, or after its else */
	bits_copy(&exit, live);
	{
		struct bits els;
		bits_init(&els, lc->nvars);
		bits_copy(&els, live);
		live_block(lc, &s->orelse, &els);
		bits_copy(&head, &els);
		free(els.w);
	}
	if (s->kind == ST_WHILE)
		uses_ex(s->cond, &head);
	for (int iter = 0; iter < 64; iter++) {
		bool ch;
		lc->brk = &exit;
		lc->cont = &head;
		bits_copy(&body, &head);
		live_block(lc, &s->body, &body);
		if (s->kind == ST_FOR)
			defs_target(s->target, &body);
		ch = bits_or(&head, &body);
		if (!ch)
			break;
	}
	lc->brk = sb;
	lc->cont = sc;
	bits_copy(live, &head);
	if (s->kind == ST_FOR)
		uses_ex(s->iter, live);
	free(exit.w);
	free(head.w);
	free(body.w);
}

static void live_stmt(struct live_ctx *lc, struct st *s, struct bits *live)
{
	live_record(lc, s, live);
	switch (s->kind) {
	case ST_ASSIGN:
		for (size_t i = 0; i < s->ntargets; i++)
			defs_target(s->targets[i], live);
		for (size_t i = 0; i < s->ntargets; i++)
			uses_target(s->targets[i], live);
		uses_ex(s->value, live);
		break;
	case ST_AUG:
		uses_ex(s->target, live);
		uses_ex(s->value, live);
		break;
	case ST_EXPR:
	case ST_ASSERT:
		uses_ex(s->value, live);
		uses_ex(s->cond, live);
		break;
	case ST_DEL:
		uses_ex(s->target, live);
		break;
	case ST_RETURN:
		memset(live->w, 0, live->n * sizeof(uint64_t));
		uses_ex(s->value, live);
		break;
	case ST_RAISE:
		memset(live->w, 0, live->n * sizeof(uint64_t));
		break;
	case ST_BREAK:
		if (lc->brk)
			bits_copy(live, lc->brk);
		break;
	case ST_CONTINUE:
		if (lc->cont)
			bits_copy(live, lc->cont);
		break;
	case ST_IF: {
		struct bits other;
		bits_init(&other, lc->nvars);
		bits_copy(&other, live);
		live_block(lc, &s->body, live);
		live_block(lc, &s->orelse, &other);
		bits_or(live, &other);
		uses_ex(s->cond, live);
		free(other.w);
		break;
	}
	case ST_WHILE:
	case ST_FOR:
		live_loop(lc, s, live);
		break;
	case ST_PASS:
		break;
	}
}

static void live_block(struct live_ctx *lc, struct block *b, struct bits *live)
{
	for (size_t i = b->n; i-- > 0;)
		live_stmt(lc, b->v[i], live);
}

static bool ex_mentions_var(const struct ex *e, int var)
{
	if (!e)
		return false;
	if (e->kind == EX_NAME && e->var == var)
		return true;
	for (size_t i = 0; i < e->n; i++)
		if (ex_mentions_var(e->a[i], var))
			return true;
	for (size_t i = 0; i < e->ncomp; i++) {
		const struct ir_comp *k = e->comp[i];
		if (ex_mentions_var(k->iter, var) ||
		    ex_mentions_var(k->target, var))
			return true;
		for (size_t j = 0; j < k->nconds; j++)
			if (ex_mentions_var(k->conds[j], var))
				return true;
	}
	return false;
}

static bool ty_immutable(const struct ty *t)
{
	if (ty_is_container(t) || t->kind == TY_UNKNOWN || t->kind == TY_BAD)
		return false;
	for (size_t i = 0; i < t->n; i++)
		if (!ty_immutable(t->sub[i]))
			return false;
	return true;
}

/* The function's first statement gives parameter var a new object
 * (xs = list(xs) with immutable items, or a value not made from xs):
 * from then on the name never holds the caller's object, so returning
 * it returns no part of the argument. */
static bool param_fresh_at_entry(const struct ir_fn *fn, int var)
{
	const struct st *s;

	if (!fn->body.n)
		return false;
	s = fn->body.v[0];
	if (s->kind != ST_ASSIGN || s->ntargets != 1 ||
	    s->targets[0]->kind != EX_NAME || s->targets[0]->var != var)
		return false;
	if (!ex_mentions_var(s->value, var))
		return true;
	return is_call(s->value, "list") && s->value->n == 1 &&
	       s->value->a[0]->kind == EX_NAME && s->value->a[0]->var == var &&
	       s->value->ty->kind == TY_LIST &&
	       ty_immutable(s->value->ty->sub[0]);
}

static int alias_collect_stmts(struct tctx *c, struct alias_ctx *ac,
			       struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct st *s = b->v[i];
		if (s->kind == ST_ASSIGN)
			for (size_t k = 0; k < s->ntargets; k++)
				alias_target(c, ac, s->targets[k], s->value, s);
		if (s->kind == ST_FOR && place_root(s->iter) >= 0 &&
		    s->iter->ty->kind == TY_LIST &&
		    (ty_is_container(s->iter->ty->sub[0]) ||
		     (s->iter->ty->sub[0]->kind == TY_TUPLE &&
		      !ty_is_copy(s->iter->ty->sub[0])))) {
			/* for row in rows: row shares rows' items */
			int root = place_root(s->iter);
			bool changed = c->fn->vars[root].is_mutated;
			if (s->target->kind == EX_NAME &&
			    c->fn->vars[s->target->var].is_mutated)
				changed = true;
			if (s->target->kind == EX_TUPLE)
				for (size_t k = 0; k < s->target->n; k++)
					if (s->target->a[k]->kind == EX_NAME &&
					    c->fn->vars[s->target->a[k]->var]
						.is_mutated)
						changed = true;
			if (changed)
				return tfail(c, s->target,
					     "loop variable shares "
					     "items of '%s', which are changed "
					     "in place",
					     c->fn->vars[root].name);
		}
		if (s->kind == ST_RETURN && s->value) {
			int root = place_root(s->value);
			if (root >= 0 && c->fn->vars[root].is_param &&
			    (ty_is_container(s->value->ty) ||
			     !ty_is_copy(s->value->ty)) &&
			    s->value->ty->kind != TY_STR &&
			    !(s->value->kind == EX_NAME &&
			      param_fresh_at_entry(c->fn, root)))
				return tfail(c, s->value,
					     "returns (part of) "
					     "argument '%s' itself; the caller "
					     "would get a copy",
					     c->fn->vars[root].name);
			if (s->value->kind == EX_TUPLE)
				for (size_t k = 0; k < s->value->n; k++) {
					int r = place_root(s->value->a[k]);
					if (r >= 0 && c->fn->vars[r].is_param &&
					    ty_is_container(s->value->a[k]->ty))
						return tfail(
						    c, s->value->a[k],
						    "returns argument "
						    "'%s' itself",
						    c->fn->vars[r].name);
				}
		}
		if (alias_collect_stmts(c, ac, &s->body) < 0 ||
		    alias_collect_stmts(c, ac, &s->orelse) < 0)
			return -1;
	}
	return 0;
}

static size_t count_var(const struct ex *e, int var)
{
	size_t n = 0;

	if (!e)
		return 0;
	if (e->kind == EX_NAME && e->var == var)
		n++;
	for (size_t i = 0; i < e->n; i++)
		n += count_var(e->a[i], var);
	for (size_t i = 0; i < e->ncomp; i++) {
		n += count_var(e->comp[i]->iter, var);
		for (size_t k = 0; k < e->comp[i]->nconds; k++)
			n += count_var(e->comp[i]->conds[k], var);
	}
	return n;
}

static size_t count_var_st(const struct st *s, int var)
{
	size_t n = count_var(s->value, var) + count_var(s->cond, var) +
		   count_var(s->target, var) + count_var(s->iter, var);

	for (size_t i = 0; i < s->ntargets; i++)
		n += count_var(s->targets[i], var);
	return n;
}

static int check_aliasing(struct tctx *c)
{
	struct alias_ctx ac = {0};
	struct live_ctx lc = {0};
	struct bits live;
	int ret = 0;

	cur_alias = &ac;
	if (alias_collect_stmts(c, &ac, &c->fn->body) < 0 ||
	    walk_block(c, &c->fn->body, alias_visit) < 0) {
		ret = -1;
		goto out;
	}
	lc.ac = &ac;
	lc.nvars = c->fn->nvars;
	lc.dead_after = xcalloc(ac.n + 1, sizeof(bool));
	bits_init(&live, c->fn->nvars);
	live_block(&lc, &c->fn->body, &live);
	free(live.w);
	for (size_t i = 0; i < ac.n; i++) {
		struct alias_site *as = &ac.v[i];
		int root = place_root(as->src);
		bool src_mut, dest_mut;
		if (as->dest == -2) {
			/* argument to a translated function: passed by
			 * reference, no copy */
			continue;
		}
		if (root < 0) {
			/* pop()/get() results: fresh values moved out */
			continue;
		}
		src_mut = c->fn->vars[root].is_mutated;
		dest_mut =
		    as->dest >= 0 ? c->fn->vars[as->dest].is_mutated : true;
		if (as->src->kind == EX_NAME && !c->fn->vars[root].is_param &&
		    lc.dead_after[i] && count_var_st(as->st, root) == 1 &&
		    as->st->kind != ST_FOR && as->st->kind != ST_WHILE &&
		    as->st->kind != ST_IF) {
			as->src->is_move = true;
			continue;
		}
		if (as->dest < 0) {
			/* Stored into a container: the container may be
			 * changed later through another path. Fine as long
			 * as the source object is never changed in place
			 * and nothing reaches into the container's items. */
			dest_mut = false;
			if (c->fn->vars[root].is_param && !src_mut)
				continue;
		}
		if (!src_mut && !dest_mut)
			continue;
		ret = tfail(c, as->src,
			    "'%s' would share one %s with another "
			    "name that is changed in place",
			    c->fn->vars[root].name, tyname(as->src->ty));
		goto out;
	}
out:
	free(lc.dead_after);
	free(ac.v);
	cur_alias = NULL;
	return ret;
}

/* Nested items reached through a container slot and then changed
 * (rows[i].append(x) after rows.append(row)) are caught by requiring that
 * the item of a mutated container is not itself mutated via a path that
 * another name also reaches. The simple rule used: mutation through a
 * nested place (x[i].append, x[i][j] = v) is allowed only when x is never
 * given items that are places of other names; alias sites cover that. */

/* ---- definite assignment ---- */

static int da_ex(struct tctx *c, struct ex *e, const struct bits *as)
{
	if (!e)
		return 0;
	if (e->kind == EX_NAME && !c->fn->vars[e->var].is_comp &&
	    !bits_has(as, e->var))
		return tfail(c, e, "'%s' may be used before it is assigned",
			     c->fn->vars[e->var].name);
	if (e->kind == EX_LISTCOMP) {
		for (size_t i = 0; i < e->ncomp; i++) {
			if (da_ex(c, e->comp[i]->iter, as) < 0)
				return -1;
			for (size_t k = 0; k < e->comp[i]->nconds; k++)
				if (da_ex(c, e->comp[i]->conds[k], as) < 0)
					return -1;
		}
	}
	for (size_t i = 0; i < e->n; i++)
		if (da_ex(c, e->a[i], as) < 0)
			return -1;
	return 0;
}

static void da_def(struct ex *t, struct bits *as)
{
	if (t->kind == EX_NAME)
		bits_set(as, t->var, true);
	else if (t->kind == EX_TUPLE)
		for (size_t i = 0; i < t->n; i++)
			da_def(t->a[i], as);
}

static int da_target_uses(struct tctx *c, struct ex *t, struct bits *as)
{
	if (t->kind == EX_TUPLE) {
		for (size_t i = 0; i < t->n; i++)
			if (da_target_uses(c, t->a[i], as) < 0)
				return -1;
		return 0;
	}
	if (t->kind == EX_NAME)
		return 0;
	return da_ex(c, t, as);
}

/* Assigned-sets at the breaks of the innermost loop being checked. */
struct da_breaks {
	struct bits acc;
	bool any;
};

static _Thread_local struct da_breaks *da_brk;

static int da_block(struct tctx *c, struct block *b, struct bits *as,
		    bool *falls);

/* if: assigned after it when assigned on every branch that falls
 * through. */
static int da_if(struct tctx *c, struct st *s, struct bits *as, bool *falls)
{
	struct bits b2;
	bool f1, f2;

	if (da_ex(c, s->cond, as) < 0)
		return -1;
	bits_init(&b2, c->fn->nvars);
	bits_copy(&b2, as);
	if (da_block(c, &s->body, as, &f1) < 0 ||
	    da_block(c, &s->orelse, &b2, &f2) < 0) {
		free(b2.w);
		return -1;
	}
	if (!f1)
		bits_copy(as, &b2);
	else if (f2)
		for (size_t k = 0; k < as->n; k++)
			as->w[k] &= b2.w[k];
	free(b2.w);
	if (!f1 && !f2)
		*falls = false;
	return 0;
}

/* A loop: after it, what its else (or a normal end) and every break
 * leave assigned. */
static int da_loop(struct tctx *c, struct st *s, struct bits *as, bool *falls)
{
	struct bits body, els;
	struct da_breaks brk, *saved = da_brk;
	bool f, f2 = true;
	int rc;

	if (da_ex(c, s->kind == ST_WHILE ? s->cond : s->iter, as) < 0)
		return -1;
	bits_init(&body, c->fn->nvars);
	bits_init(&els, c->fn->nvars);
	bits_init(&brk.acc, c->fn->nvars);
	brk.any = false;
	bits_copy(&body, as);
	bits_copy(&els, as);
	if (s->kind == ST_FOR)
		da_def(s->target, &body);
	da_brk = &brk;
	rc = da_block(c, &s->body, &body, &f);
	da_brk = saved;
	if (!rc)
		rc = da_block(c, &s->orelse, &els, &f2);
	if (!rc) {
		/* after the loop: through else, or a break */
		if (!f2)
			memset(els.w, 0xff, els.n * sizeof(uint64_t));
		if (brk.any)
			for (size_t k = 0; k < els.n; k++)
				els.w[k] &= brk.acc.w[k];
		bits_copy(as, &els);
	}
	free(body.w);
	free(els.w);
	free(brk.acc.w);
	if (rc < 0)
		return -1;
	if (!st_falls_through(s))
		*falls = false;
	return 0;
}

/* A break: what is assigned here is assigned after the loop only if
 * every break has it. */
static void da_break(struct bits *as)
{
	if (!da_brk)
		return;
	if (!da_brk->any)
		bits_copy(&da_brk->acc, as);
	else
		for (size_t k = 0; k < as->n; k++)
			da_brk->acc.w[k] &= as->w[k];
	da_brk->any = true;
}

/* Whether the block can fall through (*falls); *as is updated. */
static int da_block(struct tctx *c, struct block *b, struct bits *as,
		    bool *falls)
{
	*falls = true;
	for (size_t i = 0; i < b->n; i++) {
		struct st *s = b->v[i];
		int rc = 0;
		switch (s->kind) {
		case ST_ASSIGN:
			rc = da_ex(c, s->value, as);
			for (size_t k = 0; !rc && k < s->ntargets; k++) {
				rc = da_target_uses(c, s->targets[k], as);
				da_def(s->targets[k], as);
			}
			break;
		case ST_AUG:
			rc = da_ex(c, s->target, as) < 0
				 ? -1
				 : da_ex(c, s->value, as);
			break;
		case ST_EXPR:
		case ST_RETURN:
			rc = da_ex(c, s->value, as);
			break;
		case ST_ASSERT:
			rc = da_ex(c, s->cond, as);
			break;
		case ST_DEL:
			rc = da_ex(c, s->target, as);
			break;
		case ST_IF:
			rc = da_if(c, s, as, falls);
			break;
		case ST_WHILE:
		case ST_FOR:
			rc = da_loop(c, s, as, falls);
			break;
		case ST_BREAK:
			da_break(as);
			break;
		case ST_CONTINUE:
		case ST_RAISE:
		case ST_PASS:
			break;
		}
		if (rc < 0)
			return -1;
		if (s->kind == ST_RETURN || s->kind == ST_BREAK ||
		    s->kind == ST_CONTINUE || s->kind == ST_RAISE) {
			/* everything after is unreachable: treat as
			 * assigned */
			*falls = false;
			memset(as->w, 0xff, as->n * sizeof(uint64_t));
			return 0;
		}
	}
	return 0;
}

static int check_defs(struct tctx *c)
{
	struct bits as;
	bool falls;
	int ret;

	bits_init(&as, c->fn->nvars);
	for (size_t i = 0; i < c->fn->nparams; i++)
		bits_set(&as, c->fn->params[i].var, true);
	ret = da_block(c, &c->fn->body, &as, &falls);
	free(as.w);
	return ret;
}

static int check_params(struct tctx *c)
{
	for (size_t i = 0; i < c->fn->nparams; i++) {
		struct var *v = &c->fn->vars[c->fn->params[i].var];
		if (!v->is_mutated)
			continue;
		if (v->is_rebound &&
		    param_fresh_at_entry(c->fn, c->fn->params[i].var))
			continue; /* changes a fresh copy, not the argument */
		if (v->is_rebound)
			return tfail(c, NULL,
				     "argument '%s' is both changed in "
				     "place and rebound",
				     v->name);
		if (v->ty->kind == TY_LIST || v->ty->kind == TY_DICT) {
			for (size_t k = 0; k < v->ty->n; k++)
				if (!ty_is_copy(v->ty->sub[k]) &&
				    v->ty->sub[k]->kind != TY_STR)
					return tfail(c, NULL,
						     "argument '%s' (%s) "
						     "is changed in place and "
						     "holds containers",
						     v->name, tyname(v->ty));
		} else {
			return tfail(c, NULL,
				     "argument '%s' (%s) is changed "
				     "in place",
				     v->name, tyname(v->ty));
		}
	}
	return 0;
}

static void reset_flags(struct ir_fn *fn)
{
	for (size_t i = 0; i < fn->nvars; i++) {
		fn->vars[i].is_mutated = false;
		fn->vars[i].is_rebound = false;
	}
}

static int infer_pass(struct tctx *c)
{
	c->changed = false;
	reset_flags(c->fn);
	c->ret = c->fn->ret_ann	  ? c->fn->ret_ann
		 : c->fn->ret_obs ? c->fn->ret_obs
				  : ty_basic(TY_UNKNOWN);
	if (c->fn->ret && !c->fn->ret_ann && !c->fn->ret_obs)
		c->ret = c->fn->ret;
	if (tblock(c, &c->fn->body) < 0)
		return -1;
	if (block_falls_through(&c->fn->body)) {
		struct ty *u = ty_unify(c->a, c->ret, ty_basic(TY_NONE));
		c->fn->may_fall_off_end = true;
		if (!u)
			return tfail(c, NULL,
				     "returns %s but may also reach the "
				     "end of the function (None)",
				     tyname(c->ret));
		c->ret = u;
	}
	if (!c->fn->ret || !ty_equal(c->fn->ret, c->ret))
		c->changed = true;
	c->fn->ret = c->ret;
	return 0;
}

static int infer_params(struct tctx *c)
{
	for (size_t i = 0; i < c->fn->nparams; i++) {
		struct param *p = &c->fn->params[i];
		struct var *v = &c->fn->vars[p->var];
		struct ty *t = p->ann ? p->ann : p->obs;
		if (!t && p->def)
			t = tx(c, p->def);
		if (!t)
			return tfail(c, NULL,
				     "no type for parameter '%s' "
				     "(neither annotated nor observed)",
				     v->name);
		if (!ty_is_complete(t) || t->kind == TY_NEVER)
			return tfail(c, NULL,
				     "parameter '%s' has type %s, "
				     "which is not supported",
				     v->name, tyname(t));
		if (p->def) {
			struct ty *dt = tx(c, p->def);
			if (!dt || !ty_equal(dt, t))
				return tfail(c, p->def,
					     "default of parameter "
					     "'%s' is not a %s",
					     v->name, tyname(t));
		}
		v->ty = t;
	}
	return 0;
}

int types_infer_fn(struct ir_module *m, struct ir_fn *fn)
{
	struct tctx c = {0};

	c.m = m;
	c.a = &m->arena;
	c.fn = fn;
	if (!fn->is_ok || fn->reason)
		return -1;
	if (infer_params(&c) < 0)
		return -1;
	for (int round = 0; round < 30; round++) {
		if (infer_pass(&c) < 0)
			return -1;
		if (!c.changed)
			break;
	}
	return 0;
}

/* ---- returned sets ----
 * A returned set is rebuilt as a new Python set by adding its elements in
 * the order they were first added. That gives CPython's very layout (and
 * so its iteration order) only when CPython built it the same way: by
 * set(), set(list or str), a display of at most two constants (more are
 * folded into a frozenset and merged, a presized table) and .add(); a
 * removal leaves a dummy slot, and set(set or dict) presizes. */

static bool is_const_ex(const struct ex *e)
{
	if (e->kind == EX_TUPLE) {
		for (size_t i = 0; i < e->n; i++)
			if (!is_const_ex(e->a[i]))
				return false;
		return true;
	}
	return e->kind == EX_INT || e->kind == EX_FLOAT || e->kind == EX_STR ||
	       e->kind == EX_BOOL || e->kind == EX_NONE;
}

/* NULL when v builds a set the way CPython does (see above). */
static const char *set_builder_bad(const struct ex *v)
{
	if (v->kind == EX_SET) {
		bool all_const = true;
		for (size_t i = 0; i < v->n; i++)
			if (!is_const_ex(v->a[i]))
				all_const = false;
		return v->n > 2 && all_const
			   ? "a display of more than two constants"
			   : NULL;
	}
	if (is_call(v, "set")) {
		if (v->n == 0 || v->a[0]->ty->kind == TY_LIST ||
		    v->a[0]->ty->kind == TY_STR)
			return NULL;
		return "set() of a set, dict or other iterable";
	}
	return "a value that is not built here";
}

struct setret_ctx {
	int var;
	const char *why;
	const struct ex *at;
};

static void setret_ex(struct setret_ctx *sc, const struct ex *e)
{
	if (!e || sc->why)
		return;
	if (e->kind == EX_METHOD && e->a[0]->kind == EX_NAME &&
	    e->a[0]->var == sc->var && strcmp(e->sval, "add")) {
		sc->why = "a removal";
		sc->at = e;
		return;
	}
	for (size_t i = 0; i < e->n; i++)
		setret_ex(sc, e->a[i]);
	for (size_t i = 0; i < e->ncomp; i++) {
		setret_ex(sc, e->comp[i]->iter);
		for (size_t k = 0; k < e->comp[i]->nconds; k++)
			setret_ex(sc, e->comp[i]->conds[k]);
	}
}

static void setret_block(struct setret_ctx *sc, const struct block *b)
{
	for (size_t i = 0; i < b->n && !sc->why; i++) {
		const struct st *st = b->v[i];
		for (size_t k = 0; k < st->ntargets; k++)
			if (st->targets[k]->kind == EX_NAME &&
			    st->targets[k]->var == sc->var &&
			    (sc->why = set_builder_bad(st->value)))
				sc->at = st->value;
		if ((st->kind == ST_FOR && st->target->kind == EX_NAME &&
		     st->target->var == sc->var) ||
		    (st->kind == ST_DEL && st->target->a[0]->kind == EX_NAME &&
		     st->target->a[0]->var == sc->var)) {
			sc->why = "a loop or del";
			sc->at = st->target;
		}
		setret_ex(sc, st->value);
		setret_ex(sc, st->cond);
		setret_ex(sc, st->iter);
		setret_ex(sc, st->target);
		for (size_t k = 0; k < st->ntargets; k++)
			setret_ex(sc, st->targets[k]);
		setret_block(sc, &st->body);
		setret_block(sc, &st->orelse);
	}
}

static bool ty_has_set(const struct ty *t)
{
	if (t->kind == TY_SET)
		return true;
	for (size_t i = 0; i < t->n; i++)
		if (ty_has_set(t->sub[i]))
			return true;
	return false;
}

static int check_ret_sets_block(struct tctx *c, const struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct st *st = b->v[i];
		const char *why = NULL;
		const struct ex *at = st->value;
		if (st->kind == ST_RETURN && st->value) {
			const struct ex *v = st->value;
			if (v->kind == EX_NAME &&
			    c->fn->vars[v->var].is_param) {
				why = "an argument (a copy of it would not be "
				      "the same object, nor keep its layout)";
			} else if (v->kind == EX_NAME) {
				struct setret_ctx sc = {v->var, NULL, NULL};
				setret_block(&sc, &c->fn->body);
				why = sc.why;
				if (sc.at)
					at = sc.at;
			} else {
				why = set_builder_bad(v);
			}
		}
		if (why)
			return tfail(c, at,
				     "returns a set built with %s: CPython's "
				     "set layout, hence its iteration order, "
				     "cannot be rebuilt",
				     why);
		if (check_ret_sets_block(c, &st->body) < 0 ||
		    check_ret_sets_block(c, &st->orelse) < 0)
			return -1;
	}
	return 0;
}

static int check_ret_sets(struct tctx *c)
{
	const struct ty *r = c->fn->ret;

	if (!ty_has_set(r))
		return 0;
	if (r->kind != TY_SET || ty_has_set(r->sub[0]))
		return tfail(c, NULL,
			     "returns %s: a set inside a returned value is "
			     "not supported",
			     tyname(r));
	return check_ret_sets_block(c, &c->fn->body);
}

/* Final pass: every type known, then the exactness checks. */
static int types_final_fn(struct ir_module *m, struct ir_fn *fn)
{
	struct tctx c = {0};

	c.m = m;
	c.a = &m->arena;
	c.fn = fn;
	c.final = true;
	if (!fn->is_ok || fn->reason)
		return -1;
	if (infer_pass(&c) < 0)
		return -1;
	if (!ty_is_complete(fn->ret))
		return tfail(&c, NULL, "cannot infer the return type");
	for (size_t i = 0; i < fn->nvars; i++) {
		struct var *v = &fn->vars[i];
		if (!ty_is_complete(v->ty)) {
			struct ex at = {0};
			at.line = v->line;
			at.col = v->col;
			return tfail(&c, &at, "cannot infer the type of '%s'",
				     v->name);
		}
	}
	if (walk_block(&c, &fn->body, check_complete) < 0)
		return -1;
	if (check_params(&c) < 0 || check_defs(&c) < 0 ||
	    check_aliasing(&c) < 0 || check_ret_sets(&c) < 0)
		return -1;
	return 0;
}

void types_check_calls(struct ir_module *m)
{
	/* Fixpoint: a function calling one that failed fails too. */
	for (int round = 0; round < 64; round++) {
		bool changed = false;
		for (size_t i = 0; i < m->nfns; i++) {
			struct ir_fn *fn = m->fns[i];
			if (!fn->is_ok || fn->reason)
				continue;
			if (types_final_fn(m, fn) < 0)
				changed = true;
		}
		if (!changed)
			break;
	}
	for (size_t i = 0; i < m->nfns; i++)
		if (m->fns[i]->reason)
			m->fns[i]->is_ok = false;
}
