/*
 * identity.c - the typed tier's limit on object identity.
 *
 * The typed tier unboxes values: a float or a list it reads from an
 * argument comes back as a new object. Where Python would hand back the
 * very object (a row kept by a filter, a float picked from a list), the
 * difference shows: `r is rows[1]`, a change through the returned row,
 * and NaN (`nan in result`, `[nan] == [nan]` hold only for the same
 * object). This pass, run after inference, finds values of such types
 * (floats and containers) taken from the arguments that reach the
 * result (returned, stored into a container, appended, put in a
 * display) and gives the function up to the object tier, which keeps
 * every object as Python does. Fresh values (computed, converted,
 * built) are fine.
 */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

struct idc {
	struct ir_fn *fn;
	bool *borrowed; /* per var: holds an object taken from an argument */
	bool *fresh;	/* per parameter: a new object from the first line */
	bool changed;
	bool floats_through; /* a float argument can reach the result */
};

/* Containers: objects whose identity Python code observes (a change
 * through the result shows in the argument). Floats are apart: only a
 * NaN's identity shows (it equals only itself); a function that passes
 * argument floats through runs the original when an argument holds a
 * NaN (nan_guard) instead of giving up the typed tier. */
static bool ty_identity(const struct ty *t);
static bool ty_identity(const struct ty *t)
{
	if (!t)
		return false;
	switch (t->kind) {
	case TY_LIST:
	case TY_DICT:
	case TY_SET:
		return true;
	case TY_TUPLE:
	case TY_OPT:
		for (size_t i = 0; i < t->n; i++)
			if (ty_identity(t->sub[i]))
				return true;
		return false;
	default:
		return false;
	}
}

static bool var_from_args(struct idc *c, int v)
{
	return v >= 0 && ((c->fn->vars[v].is_param && !c->fresh[v]) ||
			  c->borrowed[v]);
}

static bool mentions_var(const struct ex *x, int v)
{
	if (!x)
		return false;
	if (x->kind == EX_NAME && x->var == v)
		return true;
	for (size_t i = 0; i < x->n; i++)
		if (mentions_var(x->a[i], v))
			return true;
	for (size_t i = 0; i < x->ncomp; i++)
		if (mentions_var(x->comp[i]->iter, v))
			return true;
	return false;
}

/* The first statement gives parameter v a new object (xs = list(xs), or
 * a value not made from xs): the name never holds the caller's object
 * after it. list(xs) shares xs's items: it counts as new only when they
 * are not containers (floats, counted by the caller, go through). */
static bool param_fresh(struct idc *c, int v)
{
	const struct st *s;
	const struct ex *x;

	if (!c->fn->body.n)
		return false;
	s = c->fn->body.v[0];
	if (s->kind != ST_ASSIGN || s->ntargets != 1 ||
	    s->targets[0]->kind != EX_NAME || s->targets[0]->var != v)
		return false;
	x = s->value;
	if (!mentions_var(x, v))
		return true;
	return x->kind == EX_CALL && x->sval && !strcmp(x->sval, "list") &&
	       x->n == 1 && x->a[0]->kind == EX_NAME && x->a[0]->var == v &&
	       x->ty && x->ty->kind == TY_LIST && !ty_identity(x->ty->sub[0]);
}

/* The variable a place reads from: xs, xs[i], xs[i][j], xs[a:b]. */
static int root_var(const struct ex *x)
{
	while (x && (x->kind == EX_INDEX || x->kind == EX_SLICE))
		x = x->a[0];
	return x && x->kind == EX_NAME ? x->var : -1;
}

/* Does the value of x (not a computation on it) come from an argument? */
static bool value_from_args(struct idc *c, const struct ex *x)
{
	if (!x)
		return false;
	if (x->kind == EX_IFEXP)
		return value_from_args(c, x->a[0]) ||
		       value_from_args(c, x->a[2]);
	if (x->kind == EX_NAME || x->kind == EX_INDEX)
		return var_from_args(c, root_var(x));
	return false;
}

static bool mentions_args(struct idc *c, const struct ex *x)
{
	if (!x)
		return false;
	if (x->kind == EX_NAME && var_from_args(c, x->var))
		return true;
	for (size_t i = 0; i < x->n; i++)
		if (mentions_args(c, x->a[i]))
			return true;
	for (size_t i = 0; i < x->ncomp; i++)
		if (mentions_args(c, x->comp[i]->iter))
			return true;
	return false;
}

static bool ty_has_float(const struct ty *t);

static bool ty_tracked(const struct ty *t)
{
	return ty_identity(t) || ty_has_float(t);
}

static void borrow_target(struct idc *c, const struct ex *t)
{
	if (!t)
		return;
	if (t->kind == EX_NAME) {
		if (!c->borrowed[t->var] && ty_tracked(c->fn->vars[t->var].ty)) {
			c->borrowed[t->var] = true;
			c->changed = true;
		}
		return;
	}
	for (size_t i = 0; i < t->n; i++)
		borrow_target(c, t->a[i]);
}

static void borrow_ex(struct idc *c, const struct ex *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		borrow_ex(c, x->a[i]);
	for (size_t i = 0; i < x->ncomp; i++) {
		borrow_ex(c, x->comp[i]->iter);
		if (mentions_args(c, x->comp[i]->iter))
			borrow_target(c, x->comp[i]->target);
	}
}

static void borrow_block(struct idc *c, const struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct st *s = b->v[i];
		borrow_ex(c, s->value);
		borrow_ex(c, s->cond);
		borrow_ex(c, s->iter);
		if (s->kind == ST_FOR && mentions_args(c, s->iter))
			borrow_target(c, s->target);
		if (s->kind == ST_ASSIGN && value_from_args(c, s->value))
			for (size_t k = 0; k < s->ntargets; k++)
				borrow_target(c, s->targets[k]);
		borrow_block(c, &s->body);
		borrow_block(c, &s->orelse);
	}
}

/* A value that ends up in the result: fails when it is an argument's
 * float or container (an element of a slice of one included). */
static int sink(struct idc *c, const struct ex *x)
{
	int r;

	if (!x)
		return 0;
	if (x->kind == EX_TUPLE || x->kind == EX_LIST || x->kind == EX_SET) {
		for (size_t i = 0; i < x->n; i++)
			if (sink(c, x->a[i]) < 0)
				return -1;
		return 0;
	}
	if (x->kind == EX_DICT) {
		for (size_t i = 1; i < x->n; i += 2)
			if (sink(c, x->a[i]) < 0)
				return -1;
		return 0;
	}
	if (x->kind == EX_LISTCOMP)
		return x->n ? sink(c, x->a[0]) : 0;
	if (x->kind == EX_IFEXP)
		return sink(c, x->a[0]) < 0 ? -1 : sink(c, x->a[2]);
	r = root_var(x);
	if (x->kind == EX_SLICE && var_from_args(c, r) && x->ty &&
	    x->ty->kind == TY_LIST && ty_identity(x->ty->sub[0]))
		goto fail;
	if (ty_identity(x->ty) && value_from_args(c, x))
		goto fail;
	if (ty_has_float(x->ty) && (value_from_args(c, x) ||
				    (x->kind == EX_SLICE &&
				     var_from_args(c, r))))
		c->floats_through = true;
	return 0;
fail:
	return ir_fn_fail(c->fn, x->line, x->col,
			  "the result would hold a copy of '%s', an object "
			  "taken from the arguments (Python shares it: "
			  "identity, NaN); the object tier keeps it",
			  r >= 0 ? c->fn->vars[r].name : "?");
}

static int check_ex(struct idc *c, const struct ex *x)
{
	if (!x)
		return 0;
	if (x->kind == EX_METHOD && x->sval && x->n >= 2 &&
	    (!strcmp(x->sval, "append") || !strcmp(x->sval, "insert") ||
	     !strcmp(x->sval, "add")) &&
	    sink(c, x->a[x->n - 1]) < 0)
		return -1;
	if (x->kind == EX_METHOD && x->sval && x->n == 2 &&
	    !strcmp(x->sval, "extend")) {
		const struct ex *a = x->a[1];
		int r = root_var(a);
		if (var_from_args(c, r) && a->ty && a->ty->kind == TY_LIST &&
		    ty_has_float(a->ty->sub[0]))
			c->floats_through = true;
		if (var_from_args(c, r) && a->ty && a->ty->kind == TY_LIST &&
		    ty_identity(a->ty->sub[0]))
			return ir_fn_fail(c->fn, a->line, a->col,
					  "extends a list with the objects of "
					  "argument '%s' (Python shares them); "
					  "the object tier keeps them",
					  c->fn->vars[r].name);
	}
	for (size_t i = 0; i < x->n; i++)
		if (check_ex(c, x->a[i]) < 0)
			return -1;
	for (size_t i = 0; i < x->ncomp; i++) {
		if (check_ex(c, x->comp[i]->iter) < 0)
			return -1;
		for (size_t k = 0; k < x->comp[i]->nconds; k++)
			if (check_ex(c, x->comp[i]->conds[k]) < 0)
				return -1;
	}
	return 0;
}

static int check_block(struct idc *c, const struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct st *s = b->v[i];
		if (s->kind == ST_RETURN && sink(c, s->value) < 0)
			return -1;
		if (s->kind == ST_ASSIGN)
			for (size_t k = 0; k < s->ntargets; k++)
				if (s->targets[k]->kind == EX_INDEX &&
				    sink(c, s->value) < 0)
					return -1;
		if (check_ex(c, s->value) < 0 || check_ex(c, s->cond) < 0 ||
		    check_ex(c, s->iter) < 0 ||
		    check_block(c, &s->body) < 0 ||
		    check_block(c, &s->orelse) < 0)
			return -1;
	}
	return 0;
}

int identity_check_fn(struct ir_fn *fn)
{
	struct idc c = {0};
	int ret;

	if (!fn->is_ok || fn->reason)
		return 0;
	c.fn = fn;
	c.borrowed = xcalloc(fn->nvars + 1, sizeof(bool));
	c.fresh = xcalloc(fn->nvars + 1, sizeof(bool));
	for (size_t i = 0; i < fn->nparams; i++)
		c.fresh[fn->params[i].var] = param_fresh(&c, fn->params[i].var);
	do {
		c.changed = false;
		borrow_block(&c, &fn->body);
	} while (c.changed);
	ret = check_block(&c, &fn->body);
	if (ret < 0)
		fn->is_ok = false;
	fn->floats_through = c.floats_through;
	free(c.borrowed);
	free(c.fresh);
	return ret;
}

static bool ty_has_float(const struct ty *t)
{
	if (!t)
		return false;
	if (t->kind == TY_FLOAT || t->kind == TY_NUM)
		return true;
	for (size_t i = 0; i < t->n; i++)
		if (ty_has_float(t->sub[i]))
			return true;
	return false;
}

bool identity_nan_guard(const struct ir_fn *fn)
{
	if (fn->floats_through)
		return true;
	for (size_t i = 0; i < fn->nparams; i++) {
		const struct var *v = &fn->vars[fn->params[i].var];
		if (v->is_mutated && ty_is_container(v->ty) &&
		    ty_has_float(v->ty))
			return true;
	}
	return false;
}
