/*
 * plan.c - the plan pass: between type inference (types.c) and printing
 * (emit.c), decides how each translatable function becomes Rust and
 * records it in the IR's "plan:" fields:
 *
 *   - list parameters read in place (var.is_view, rt::ListView) and str
 *     parameters indexed by code point through rt::StrIx (var.is_strix);
 *   - the result list built straight into a Python list (ir_fn.out_var,
 *     rt::PyOut), and whether the entry point releases the GIL;
 *   - loop shapes: two rows side by side (SHAPE_JAM), room for a loop's
 *     appends up front (st.room, ex.has_room), short innermost loops
 *     counted at once (st.is_short);
 *   - assignment shapes that reuse a buffer (SHAPE_STR_APPEND, ...).
 *
 * Owns no memory: everything it records lives in the module arena. Knows
 * nothing of Rust text; emit.c reads these fields and only prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

/* ---- list views ----
 * A list[float] / list[int] / list[bool] / list[str] parameter that the
 * function only reads through len(xs), xs[i] and for loops (plain,
 * enumerate, zip) is read in place from the caller's list (rt::ListView)
 * instead of being copied into a Vec first: one pass over the items
 * instead of two and no allocation. The native function is generic over
 * rt::View, so calls between translated functions still pass Vecs. */

static bool view_ex_ok(const struct ex *x, int var);

static bool view_iter_ok(const struct ex *it, int var)
{
	if (ex_is_var(it, var))
		return true;
	if (ex_is_call(it, "enumerate") && it->n >= 1 &&
	    ex_is_var(it->a[0], var))
		return it->n < 2 || view_ex_ok(it->a[1], var);
	if (ex_is_call(it, "zip")) {
		for (size_t i = 0; i < it->n; i++)
			if (!ex_is_var(it->a[i], var) &&
			    !view_ex_ok(it->a[i], var))
				return false;
		return true;
	}
	return view_ex_ok(it, var);
}

static bool view_ex_ok(const struct ex *x, int var)
{
	if (!x)
		return true;
	if (ex_is_var(x, var))
		return false;
	if (ex_is_call(x, "len") && x->n == 1 && ex_is_var(x->a[0], var))
		return true;
	if (x->kind == EX_INDEX && ex_is_var(x->a[0], var))
		return view_ex_ok(x->a[1], var);
	for (size_t i = 0; i < x->n; i++)
		if (!view_ex_ok(x->a[i], var))
			return false;
	for (size_t i = 0; i < x->ncomp; i++) {
		const struct ir_comp *c = x->comp[i];
		if (!view_iter_ok(c->iter, var) || !view_ex_ok(c->target, var))
			return false;
		for (size_t k = 0; k < c->nconds; k++)
			if (!view_ex_ok(c->conds[k], var))
				return false;
	}
	return true;
}

static bool view_block_ok(const struct block *blk, int var)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		for (size_t k = 0; k < s->ntargets; k++)
			if (!view_ex_ok(s->targets[k], var))
				return false;
		if (!view_ex_ok(s->value, var) || !view_ex_ok(s->cond, var) ||
		    !view_ex_ok(s->target, var))
			return false;
		if (s->kind == ST_FOR ? !view_iter_ok(s->iter, var)
				      : !view_ex_ok(s->iter, var))
			return false;
		if (!view_block_ok(&s->body, var) ||
		    !view_block_ok(&s->orelse, var))
			return false;
	}
	return true;
}

static int max_depth(int a, int b)
{
	return a > b ? a : b;
}

/* The deepest loop nesting at which x reads var (a comprehension counts
 * as a loop around its parts). */
static int ex_use_depth(const struct ex *x, int var, int depth)
{
	int d = -1;

	if (!x)
		return -1;
	if (ex_is_var(x, var))
		return depth;
	for (size_t i = 0; i < x->n; i++)
		d = max_depth(d, ex_use_depth(x->a[i], var,
					      depth + (x->ncomp ? 1 : 0)));
	for (size_t i = 0; i < x->ncomp; i++) {
		const struct ir_comp *c = x->comp[i];
		int in = depth + (int)i + 1;
		d = max_depth(d, ex_use_depth(c->iter, var, in));
		for (size_t j = 0; j < c->nconds; j++)
			d = max_depth(d, ex_use_depth(c->conds[j], var, in));
	}
	return d;
}

static int block_use_depth(const struct block *blk, int var, int depth)
{
	int d = -1;

	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		bool loop = s->kind == ST_FOR || s->kind == ST_WHILE;
		int in = depth + (loop ? 1 : 0);
		for (size_t t = 0; t < s->ntargets; t++)
			d = max_depth(d, ex_use_depth(s->targets[t], var, depth));
		d = max_depth(d, ex_use_depth(s->value, var, depth));
		d = max_depth(d, ex_use_depth(s->cond, var, in));
		d = max_depth(d, ex_use_depth(s->target, var, depth));
		d = max_depth(d, ex_use_depth(s->iter, var, in));
		d = max_depth(d, block_use_depth(&s->body, var, in));
		d = max_depth(d, block_use_depth(&s->orelse, var, depth));
	}
	return d;
}

/* Marks the parameters read in place. None when an argument is changed
 * in place (write-back needs every argument a native copy). */
static void plan_views(struct ir_fn *fn)
{
	bool any_mut = false;

	for (size_t i = 0; i < fn->nparams; i++) {
		struct var *v = &fn->vars[fn->params[i].var];
		if (v->is_mutated && !v->is_rebound)
			any_mut = true;
	}
	for (size_t i = 0; i < fn->nparams; i++) {
		struct param *p = &fn->params[i];
		struct var *v = &fn->vars[p->var];
		enum ty_kind k =
		    v->ty->kind == TY_LIST ? v->ty->sub[0]->kind : TY_BAD;
		v->is_view = !any_mut && !p->def && !v->is_mutated &&
			     !v->is_rebound &&
			     (k == TY_FLOAT || k == TY_INT || k == TY_BOOL ||
			      k == TY_STR) &&
			     view_block_ok(&fn->body, p->var) &&
			     /* items read again and again (inside nested
			      * loops) are cheaper from a native copy */
			     block_use_depth(&fn->body, p->var, 0) < 2;
	}
}

/* ---- str index views ----
 * str indexing is by code point: a str parameter that is indexed (or
 * measured) gets an rt::StrIx that knows once whether it is ASCII (then
 * bytes are code points). */

static bool is_index_of(const struct ex *x, const void *var)
{
	return (x->kind == EX_INDEX || ex_is_call(x, "len")) && x->n >= 1 &&
	       ex_is_var(x->a[0], *(const int *)var);
}

static bool block_indexes(const struct block *blk, int var)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		for (size_t k = 0; k < s->ntargets; k++)
			if (ex_any(s->targets[k], is_index_of, &var))
				return true;
		if (ex_any(s->value, is_index_of, &var) ||
		    ex_any(s->cond, is_index_of, &var) ||
		    ex_any(s->target, is_index_of, &var) ||
		    ex_any(s->iter, is_index_of, &var) ||
		    block_indexes(&s->body, var) ||
		    block_indexes(&s->orelse, var))
			return true;
	}
	return false;
}

static void plan_strix(struct ir_fn *fn)
{
	for (size_t i = 0; i < fn->nparams; i++) {
		struct var *v = &fn->vars[fn->params[i].var];
		v->is_strix = v->ty->kind == TY_STR && !v->is_rebound &&
			      block_indexes(&fn->body, fn->params[i].var);
	}
}

/* ---- result lists ----
 * A local list[float] / list[int] / list[bool] that the function only
 * creates empty, appends to and returns becomes an rt::PyOut: its items
 * are created as Python objects as they are appended, into one list
 * sized for the loop's trip count (rt::room), so returning it needs no
 * second pass over a native buffer. */

static bool is_append_of(const struct ex *x, int var)
{
	return x && x->kind == EX_METHOD && !strcmp(x->sval, "append") &&
	       x->n == 2 && ex_is_var(x->a[0], var) &&
	       !ex_mentions(x->a[1], var);
}

/* Every use of var in blk is `var = []`, `var.append(x)` or `return var`,
 * and every return returns var; *nret counts the returns. */
static bool out_block_ok(const struct block *blk, int var, int *nret)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		if (s->kind == ST_RETURN) {
			if (!ex_is_var(s->value, var))
				return false;
			(*nret)++;
			continue;
		}
		if (s->kind == ST_ASSIGN && s->ntargets == 1 &&
		    ex_is_var(s->targets[0], var) &&
		    ex_is_empty_display(s->value))
			continue;
		if (s->kind == ST_EXPR && is_append_of(s->value, var))
			continue;
		for (size_t k = 0; k < s->ntargets; k++)
			if (ex_mentions(s->targets[k], var))
				return false;
		if (ex_mentions(s->value, var) || ex_mentions(s->cond, var) ||
		    ex_mentions(s->target, var) || ex_mentions(s->iter, var))
			return false;
		if (!out_block_ok(&s->body, var, nret) ||
		    !out_block_ok(&s->orelse, var, nret))
			return false;
	}
	return true;
}

static bool is_call_of(const struct ex *x, const void *fn)
{
	return x->kind == EX_CALL && x->fn == fn;
}

static bool block_calls_fn(const struct block *blk, const struct ir_fn *fn)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		for (size_t k = 0; k < s->ntargets; k++)
			if (ex_any(s->targets[k], is_call_of, fn))
				return true;
		if (ex_any(s->value, is_call_of, fn) ||
		    ex_any(s->cond, is_call_of, fn) ||
		    ex_any(s->target, is_call_of, fn) ||
		    ex_any(s->iter, is_call_of, fn) ||
		    block_calls_fn(&s->body, fn) ||
		    block_calls_fn(&s->orelse, fn))
			return true;
	}
	return false;
}

/* The variable built as an rt::PyOut, or -1. Not for a function another
 * translated function calls: those calls want the native Vec. */
static int plan_out_var(const struct ir_module *m, const struct ir_fn *fn)
{
	enum ty_kind k;

	if (fn->ret->kind != TY_LIST || fn->is_recursive)
		return -1;
	k = fn->ret->sub[0]->kind;
	if (k != TY_FLOAT && k != TY_INT && k != TY_BOOL)
		return -1;
	for (size_t i = 0; i < m->nfns; i++)
		if (m->fns[i]->is_ok && block_calls_fn(&m->fns[i]->body, fn))
			return -1;
	for (size_t i = 0; i < fn->nvars; i++) {
		const struct var *v = &fn->vars[i];
		int nret = 0;
		if (v->is_param || v->is_comp || !ty_equal(v->ty, fn->ret))
			continue;
		if (out_block_ok(&fn->body, (int)i, &nret) && nret > 0)
			return (int)i;
	}
	return -1;
}

/* ---- the GIL ----
 * What a call tree does, for the entry point's choice to release the GIL:
 * whether it loops (worth releasing) and whether it recurses (the
 * recursion counters belong to the thread state, so it must not). */
enum reach { REACH_LOOP, REACH_RECURSION };

static bool fn_reaches(const struct ir_fn *fn, enum reach what, int depth);

static bool ex_reaches(const struct ex *x, enum reach what, int depth)
{
	if (!x)
		return false;
	if (x->kind == EX_CALL && x->fn && fn_reaches(x->fn, what, depth + 1))
		return true;
	if (x->kind == EX_LISTCOMP && what == REACH_LOOP)
		return true;
	for (size_t i = 0; i < x->n; i++)
		if (ex_reaches(x->a[i], what, depth))
			return true;
	return false;
}

static bool block_reaches(const struct block *b, enum reach what, int depth)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct st *s = b->v[i];
		if (ex_reaches(s->value, what, depth) ||
		    ex_reaches(s->cond, what, depth) ||
		    ex_reaches(s->iter, what, depth) ||
		    block_reaches(&s->body, what, depth) ||
		    block_reaches(&s->orelse, what, depth))
			return true;
	}
	return false;
}

/* Past 8 levels of calls the answer is the safe one: keep the GIL. */
static bool fn_reaches(const struct ir_fn *fn, enum reach what, int depth)
{
	if (what == REACH_LOOP ? fn->has_loop : fn->is_recursive)
		return true;
	if (depth > 8)
		return what == REACH_RECURSION;
	return block_reaches(&fn->body, what, depth);
}

/* An rt::PyOut or a list view holds Python objects: the GIL stays held. */
static bool plan_detach(const struct ir_fn *fn)
{
	for (size_t i = 0; i < fn->nparams; i++)
		if (fn->vars[fn->params[i].var].is_view)
			return false;
	return fn_reaches(fn, REACH_LOOP, 0) &&
	       !fn_reaches(fn, REACH_RECURSION, 0) && fn->out_var < 0;
}

/* ---- loop shapes ---- */

/* An int expression that can be evaluated twice (once for rt::room, once
 * by the loop) with the same value and no effect. */
static bool is_pure_int(const struct ex *x)
{
	switch (x->kind) {
	case EX_INT:
		return true;
	case EX_NAME:
		return x->ty->kind == TY_INT && !x->unwrap;
	case EX_UNOP:
		return x->op == '-' && is_pure_int(x->a[0]);
	case EX_BINOP:
		return (x->op == OP_ADD || x->op == OP_SUB) &&
		       is_pure_int(x->a[0]) && is_pure_int(x->a[1]);
	case EX_CALL:
		return ex_is_call(x, "len") && x->n == 1 &&
		       x->a[0]->kind == EX_NAME && !x->a[0]->unwrap &&
		       (x->a[0]->ty->kind == TY_LIST ||
			x->a[0]->ty->kind == TY_DICT);
	default:
		return false;
	}
}

/* Whether the loop's trip count is known up front: range() with one or
 * two pure bounds, or a list name (emit.c prints it for rt::room). */
static bool has_trip_count(const struct ex *iter)
{
	if (ex_is_call(iter, "range") && (iter->n == 1 || iter->n == 2)) {
		for (size_t i = 0; i < iter->n; i++)
			if (!is_pure_int(iter->a[i]))
				return false;
		return true;
	}
	return iter->kind == EX_NAME && iter->ty->kind == TY_LIST &&
	       !iter->unwrap;
}

static bool block_leaves(const struct block *blk)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		if (s->kind == ST_BREAK || s->kind == ST_RETURN ||
		    s->kind == ST_RAISE || block_leaves(&s->body) ||
		    block_leaves(&s->orelse))
			return true;
	}
	return false;
}

/* Before a loop that appends to a list once per iteration (an append at
 * the top of its body, no way out of the loop but its end), room for
 * every item at once: one allocation instead of doubling, and for an
 * rt::PyOut no copy of the items. The append, or NULL. */
static struct ex *plan_room(const struct st *s)
{
	if (block_leaves(&s->body))
		return NULL;
	for (size_t i = 0; i < s->body.n; i++) {
		const struct st *b = s->body.v[i];
		struct ex *x = b->value;
		if (b->kind != ST_EXPR || x->kind != EX_METHOD ||
		    strcmp(x->sval, "append") || x->n != 2 ||
		    x->a[0]->kind != EX_NAME || x->a[0]->unwrap ||
		    x->a[0]->ty->kind != TY_LIST ||
		    block_assigns(&s->body, x->a[0]->var))
			continue;
		return has_trip_count(s->iter) ? x : NULL;
	}
	return NULL;
}

/* ---- two rows at once ----
 * A loop that builds one result per iteration from a fresh accumulator,
 *
 *     for i in range(...):
 *         total = 0.0
 *         for j in range(...):       # the same trip count for every i
 *             total += <reads of i, j, total and unchanged values>
 *         out.append(<reads of total, i, ...>)
 *
 * (convolve1d, moving_average, matmul) is latency-bound: each += waits
 * for the one before. Running iterations i and i + 1 side by side gives
 * two independent chains, each adding in Python's order, so every result
 * is bit-identical; the appends keep their order. Anything the inner
 * loop could raise re-runs Python, which raises it itself. */

/* Reads only: names, constants, arithmetic, indexing, len(). */
static bool pure_read(const struct ex *x)
{
	switch (x->kind) {
	case EX_NAME:
		return !x->unwrap;
	case EX_INT:
	case EX_FLOAT:
		return true;
	case EX_BINOP:
		return pure_read(x->a[0]) && pure_read(x->a[1]);
	case EX_UNOP:
		return x->op == '-' && pure_read(x->a[0]);
	case EX_INDEX:
		return x->a[0]->ty && x->a[0]->ty->kind == TY_LIST &&
		       pure_read(x->a[0]) && pure_read(x->a[1]);
	case EX_CALL:
		return ex_is_call(x, "len") && x->n == 1 &&
		       x->a[0]->kind == EX_NAME && !x->a[0]->unwrap;
	default:
		return false;
	}
}

static bool st_reads_var(const struct st *s, int v, const struct st *skip);

/* Whether a block reads v anywhere but inside the statement skip. */
static bool block_reads_var(const struct block *b, int v, const struct st *skip)
{
	for (size_t i = 0; i < b->n; i++)
		if (st_reads_var(b->v[i], v, skip))
			return true;
	return false;
}

static bool st_reads_var(const struct st *s, int v, const struct st *skip)
{
	if (s == skip)
		return false;
	for (size_t i = 0; i < s->ntargets; i++)
		if (ex_mentions(s->targets[i], v))
			return true;
	return ex_mentions(s->value, v) || ex_mentions(s->cond, v) ||
	       ex_mentions(s->target, v) || ex_mentions(s->iter, v) ||
	       block_reads_var(&s->body, v, skip) ||
	       block_reads_var(&s->orelse, v, skip);
}

static bool simple_range(const struct ex *it)
{
	if (!ex_is_call(it, "range") || it->kwname || it->n < 1 || it->n > 2)
		return false;
	for (size_t i = 0; i < it->n; i++)
		if (!is_pure_int(it->a[i]))
			return false;
	return true;
}

/* for i in range(..): acc = <literal>; for j in range(..): one `acc +=`
 * statement; out.append(..): the statements, or false. */
static bool jam_parts(const struct ir_fn *fn, const struct st *s,
		      const struct st **init, const struct st **inner,
		      const struct st **app)
{
	const struct st *aug;

	if (s->kind != ST_FOR || s->orelse.n || s->target->kind != EX_NAME ||
	    !simple_range(s->iter) || s->body.n != 3)
		return false;
	*init = s->body.v[0];
	*inner = s->body.v[1];
	*app = s->body.v[2];
	if ((*init)->kind != ST_ASSIGN || (*init)->ntargets != 1 ||
	    (*init)->targets[0]->kind != EX_NAME ||
	    ((*init)->value->kind != EX_FLOAT &&
	     (*init)->value->kind != EX_INT))
		return false;
	if (!ty_equal(fn->vars[(*init)->targets[0]->var].ty,
		      (*init)->value->ty) ||
	    ((*init)->value->ty->kind != TY_FLOAT &&
	     (*init)->value->ty->kind != TY_INT))
		return false;
	if ((*inner)->kind != ST_FOR || (*inner)->orelse.n ||
	    (*inner)->target->kind != EX_NAME ||
	    !simple_range((*inner)->iter) || (*inner)->body.n != 1)
		return false;
	aug = (*inner)->body.v[0];
	if (aug->kind != ST_AUG || aug->target->kind != EX_NAME ||
	    aug->target->var != (*init)->targets[0]->var ||
	    !pure_read(aug->value))
		return false;
	return (*app)->kind == ST_EXPR &&
	       ex_is_method((*app)->value, "append") &&
	       (*app)->value->n == 2 &&
	       (*app)->value->a[0]->kind == EX_NAME &&
	       !(*app)->value->a[0]->unwrap && pure_read((*app)->value->a[1]);
}

static bool jam_shape(const struct ir_fn *fn, const struct st *s)
{
	const struct st *init, *inner, *app, *aug;
	int v, w, acc, out;

	if (!jam_parts(fn, s, &init, &inner, &app))
		return false;
	aug = inner->body.v[0];
	v = s->target->var;
	w = inner->target->var;
	acc = init->targets[0]->var;
	out = app->value->a[0]->var;
	if (v == w || v == acc || w == acc || out == v || out == w ||
	    out == acc || fn->vars[v].ty->kind != TY_INT ||
	    fn->vars[w].ty->kind != TY_INT)
		return false;
	/* the inner trip count must not depend on the accumulator or j;
	 * nothing the two rows compute may read the list being built */
	for (size_t i = 0; i < inner->iter->n; i++)
		if (ex_mentions(inner->iter->a[i], acc) ||
		    ex_mentions(inner->iter->a[i], w) ||
		    ex_mentions(inner->iter->a[i], out))
			return false;
	if (ex_mentions(aug->value, out) || ex_mentions(app->value->a[1], out))
		return false;
	/* i, j and the accumulator are not read after the loop (their final
	 * values would be the last row's, which the pairs do not leave) */
	return !block_reads_var(&fn->body, v, s) &&
	       !block_reads_var(&fn->body, w, s) &&
	       !block_reads_var(&fn->body, acc, s);
}

/* ---- assignments that reuse a buffer ---- */

/* s = s + t and s += t on a str variable: Python builds a new string (in
 * place when it can); appending to the String is the same value without
 * copying s each time. */
static bool str_append_ok(const struct ir_fn *fn, const struct ex *target,
			  const struct ex *t)
{
	return target->kind == EX_NAME &&
	       fn->vars[target->var].ty->kind == TY_STR &&
	       t->ty->kind == TY_STR && !ex_mentions(t, target->var) &&
	       !ex_has_comp(t);
}

/* c = s[i] on str variables: reuse c's buffer. */
static bool str_index_into_ok(const struct ir_fn *fn, const struct ex *target,
			      const struct ex *v)
{
	return target->kind == EX_NAME &&
	       fn->vars[target->var].ty->kind == TY_STR &&
	       v->kind == EX_INDEX && v->a[0]->ty->kind == TY_STR &&
	       v->a[0]->kind == EX_NAME && v->a[0]->var != target->var &&
	       !ex_has_comp(v->a[1]);
}

/* A str item that can be borrowed where it lives (a name, or an item of
 * a list, dict or tuple held natively). */
static bool str_place(const struct ir_fn *fn, const struct ex *x)
{
	if (x->ty->kind != TY_STR)
		return false;
	if (x->kind == EX_NAME)
		return !fn->vars[x->var].is_view;
	if (x->kind != EX_INDEX ||
	    (x->a[0]->kind == EX_NAME && fn->vars[x->a[0]->var].is_view))
		return false;
	return x->a[0]->ty->kind == TY_LIST || x->a[0]->ty->kind == TY_DICT ||
	       x->a[0]->ty->kind == TY_TUPLE;
}

/* Parameters of non-Copy types arrive by reference unless rebound. */
static bool var_is_ref(const struct var *v)
{
	return v->is_param && !ty_is_copy(v->ty) && !v->is_rebound;
}

/* t = (a[i], b[j]) on a tuple variable of strs: copy into t's own
 * Strings (clone_from keeps their buffers) instead of making new ones.
 * Marks the items borrowed. */
static bool tuple_into(const struct ir_fn *fn, const struct ex *target,
		       struct ex *v)
{
	const struct var *tv;
	bool any = false;

	if (target->kind != EX_NAME || v->kind != EX_TUPLE)
		return false;
	tv = &fn->vars[target->var];
	if (tv->ty->kind != TY_TUPLE || tv->ty->n != v->n ||
	    !ty_equal(tv->ty, v->ty) || var_is_ref(tv) ||
	    ex_mentions(v, target->var) || ex_has_comp(v))
		return false;
	for (size_t i = 0; i < v->n; i++)
		if (str_place(fn, v->a[i]))
			any = true;
	for (size_t i = 0; any && i < v->n; i++)
		v->a[i]->borrow = str_place(fn, v->a[i]);
	return any;
}

static enum st_shape assign_shape(const struct ir_fn *fn, struct st *s)
{
	struct ex *t = s->targets[0], *v = s->value;

	if (fn->out_var >= 0 && ex_is_var(t, fn->out_var))
		return SHAPE_OUT_NEW;
	if (s->ntargets != 1)
		return SHAPE_PLAIN;
	if (t->kind == EX_NAME && v->kind == EX_BINOP && v->op == OP_ADD &&
	    ex_is_var(v->a[0], t->var) && str_append_ok(fn, t, v->a[1]))
		return SHAPE_STR_APPEND;
	if (str_index_into_ok(fn, t, v))
		return SHAPE_STR_INDEX_INTO;
	if (tuple_into(fn, t, v))
		return SHAPE_TUPLE_INTO;
	return SHAPE_PLAIN;
}

/* ---- the walk ---- */

static bool mark_comp_room(const struct ex *x, const void *unused)
{
	(void)unused;
	if (x->kind == EX_LISTCOMP)
		((struct ex *)x)->has_room = x->ncomp == 1 &&
					     !x->comp[0]->nconds &&
					     has_trip_count(x->comp[0]->iter);
	return false;
}

static void plan_exs(struct st *s)
{
	for (size_t k = 0; k < s->ntargets; k++)
		ex_any(s->targets[k], mark_comp_room, NULL);
	ex_any(s->value, mark_comp_room, NULL);
	ex_any(s->cond, mark_comp_room, NULL);
	ex_any(s->target, mark_comp_room, NULL);
	ex_any(s->iter, mark_comp_room, NULL);
}

/* depth: the loops around blk as emit.c counts them (a jammed loop's
 * body is printed at its own depth). */
static void plan_block(struct ir_fn *fn, struct block *blk, int depth)
{
	for (size_t i = 0; i < blk->n; i++) {
		struct st *s = blk->v[i];
		int in = depth;
		s->shape = SHAPE_PLAIN;
		s->room = NULL;
		s->is_short = false;
		plan_exs(s);
		switch (s->kind) {
		case ST_ASSIGN:
			s->shape = assign_shape(fn, s);
			break;
		case ST_AUG:
			if (s->op == OP_ADD &&
			    str_append_ok(fn, s->target, s->value))
				s->shape = SHAPE_STR_APPEND;
			break;
		case ST_WHILE:
			in = depth + 1;
			break;
		case ST_FOR:
			s->room = plan_room(s);
			if (jam_shape(fn, s) && depth < 127) {
				s->shape = SHAPE_JAM;
				break;
			}
			in = depth + 1;
			s->is_short = ex_is_call(s->iter, "range") &&
				      s->iter->n <= 2 && !block_loops(&s->body);
			break;
		default:
			break;
		}
		plan_block(fn, &s->body, in);
		plan_block(fn, &s->orelse, depth);
	}
}

/* Every decision for one function; out_var reads which other functions
 * are translated (their calls want a native Vec). */
static void plan_fn(struct ir_module *m, struct ir_fn *fn)
{
	fn->out_var = plan_out_var(m, fn);
	plan_views(fn);
	plan_strix(fn);
	fn->has_ticks = block_loops(&fn->body);
	fn->detach = plan_detach(fn);
	plan_block(fn, &fn->body, 0);
}

void plan_module(struct ir_module *m)
{
	/* TODO(reshape): the refusals, still found by emitting. */
	for (int round = 0; round < 64; round++) {
		bool changed = false;
		for (size_t i = 0; i < m->nfns; i++) {
			struct ir_fn *fn = m->fns[i];
			struct buf scratch = BUF_INIT;
			struct emitter e;
			if (!fn->is_ok || fn->reason)
				continue;
			plan_fn(m, fn);
			emit_init(&e, &scratch);
			if (emit_fn(&e, m, fn) < 0) {
				fn->is_ok = false;
				changed = true;
			}
			buf_release(&scratch);
		}
		if (!changed)
			break;
		types_check_calls(m);
	}
	for (size_t i = 0; i < m->nfns; i++)
		if (m->fns[i]->is_ok)
			plan_fn(m, m->fns[i]);
}
