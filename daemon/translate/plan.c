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
 *   - assignment shapes that reuse a buffer (SHAPE_STR_APPEND, ...);
 *   - what stays in Python, and why: a statement that changes a
 *     container and reads it elsewhere (Python's evaluation order), and
 *     every construct the printer has no Rust for (plan_check_fn walks
 *     the IR in the order emit.c prints it, so the reason given is the
 *     first one the printer would meet).
 *
 * Owns no memory: everything it records lives in the module arena. Knows
 * nothing of Rust text beyond type names in reasons; emit.c reads these
 * fields and only prints.
 */
#include <stdarg.h>
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

/* Which reads of a parameter a plan allows. at(x) answers for x as a
 * whole (1 allowed, 0 not) or leaves it to its parts (-1); iter(it)
 * answers for the iterable of a for loop or a comprehension. */
struct uses {
	int (*at)(const struct ex *x, int var, const struct uses *u);
	bool (*iter)(const struct ex *it, int var, const struct uses *u);
};

static bool uses_ex_ok(const struct ex *x, int var, const struct uses *u)
{
	int r;

	if (!x)
		return true;
	if ((r = u->at(x, var, u)) >= 0)
		return r;
	for (size_t i = 0; i < x->n; i++)
		if (!uses_ex_ok(x->a[i], var, u))
			return false;
	for (size_t i = 0; i < x->ncomp; i++) {
		const struct ir_comp *c = x->comp[i];
		if (!u->iter(c->iter, var, u) || !uses_ex_ok(c->target, var, u))
			return false;
		for (size_t k = 0; k < c->nconds; k++)
			if (!uses_ex_ok(c->conds[k], var, u))
				return false;
	}
	return true;
}

static bool uses_block_ok(const struct block *blk, int var,
			  const struct uses *u)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		for (size_t k = 0; k < s->ntargets; k++)
			if (!uses_ex_ok(s->targets[k], var, u))
				return false;
		if (!uses_ex_ok(s->value, var, u) ||
		    !uses_ex_ok(s->cond, var, u) ||
		    !uses_ex_ok(s->target, var, u))
			return false;
		if (s->kind == ST_FOR ? !u->iter(s->iter, var, u)
				      : !uses_ex_ok(s->iter, var, u))
			return false;
		if (!uses_block_ok(&s->body, var, u) ||
		    !uses_block_ok(&s->orelse, var, u))
			return false;
	}
	return true;
}

static bool view_iter_ok(const struct ex *it, int var, const struct uses *u)
{
	if (ex_is_var(it, var))
		return true;
	if (ex_is_call(it, "enumerate") && it->n >= 1 &&
	    ex_is_var(it->a[0], var))
		return it->n < 2 || uses_ex_ok(it->a[1], var, u);
	if (ex_is_call(it, "zip")) {
		for (size_t i = 0; i < it->n; i++)
			if (!ex_is_var(it->a[i], var) &&
			    !uses_ex_ok(it->a[i], var, u))
				return false;
		return true;
	}
	return uses_ex_ok(it, var, u);
}

static int view_at(const struct ex *x, int var, const struct uses *u)
{
	if (ex_is_var(x, var))
		return 0;
	if (ex_is_call(x, "len") && x->n == 1 && ex_is_var(x->a[0], var))
		return 1;
	if (x->kind == EX_INDEX && ex_is_var(x->a[0], var))
		return uses_ex_ok(x->a[1], var, u);
	return -1;
}

static const struct uses view_uses = {view_at, view_iter_ok};

static bool view_block_ok(const struct block *blk, int var)
{
	return uses_block_ok(blk, var, &view_uses);
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
		d = max_depth(
		    d, ex_use_depth(x->a[i], var, depth + (x->ncomp ? 1 : 0)));
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
			d = max_depth(d,
				      ex_use_depth(s->targets[t], var, depth));
		d = max_depth(d, ex_use_depth(s->value, var, depth));
		d = max_depth(d, ex_use_depth(s->cond, var, in));
		d = max_depth(d, ex_use_depth(s->target, var, depth));
		d = max_depth(d, ex_use_depth(s->iter, var, in));
		d = max_depth(d, block_use_depth(&s->body, var, in));
		d = max_depth(d, block_use_depth(&s->orelse, var, depth));
	}
	return d;
}

/* Whether the function changes an argument in place (then write-back
 * needs every argument a native copy: none is read in place). */
static bool args_changed(const struct ir_fn *fn)
{
	for (size_t i = 0; i < fn->nparams; i++) {
		const struct var *v = &fn->vars[fn->params[i].var];
		if (v->is_mutated && !v->is_rebound)
			return true;
	}
	return false;
}

/* Marks the parameters read in place. None when an argument is changed
 * in place (write-back needs every argument a native copy). */
static void plan_views(struct ir_fn *fn)
{
	bool any_mut = args_changed(fn);

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

/* ---- dicts read in place ----
 * A dict parameter with str keys and values that are not all immutable
 * (lists: no rt::DictCache for them) that the function only looks up
 * (k in d, k not in d, d[k], d.get(k[, v]), len(d)) is read where it is
 * (rt::DictView): never converted, each value converted when read. The
 * native function is generic over rt::DictRead, so calls between
 * translated functions still pass native maps. */

static int dview_at(const struct ex *x, int var, const struct uses *u)
{
	if (ex_is_var(x, var))
		return 0;
	if (x->kind == EX_CMP && x->n == 2 && ex_is_var(x->a[1], var) &&
	    (x->cmp[0] == CMP_IN || x->cmp[0] == CMP_NOTIN))
		return x->a[0]->ty->kind == TY_STR &&
		       uses_ex_ok(x->a[0], var, u);
	if (ex_is_call(x, "len") && x->n == 1 && ex_is_var(x->a[0], var))
		return 1;
	if ((x->kind == EX_INDEX ||
	     (ex_is_method(x, "get") && (x->n == 2 || x->n == 3))) &&
	    ex_is_var(x->a[0], var)) {
		for (size_t i = 1; i < x->n; i++)
			if (!uses_ex_ok(x->a[i], var, u))
				return 0;
		return x->a[1]->ty->kind == TY_STR;
	}
	return -1;
}

static const struct uses dview_uses = {dview_at, uses_ex_ok};

static void plan_dictviews(struct ir_fn *fn)
{
	bool any_mut = args_changed(fn);

	for (size_t i = 0; i < fn->nparams; i++) {
		struct param *p = &fn->params[i];
		struct var *v = &fn->vars[p->var];
		v->is_dictview = !any_mut && !p->def && !v->is_mutated &&
				 !v->is_rebound && v->ty->kind == TY_DICT &&
				 v->ty->sub[0]->kind == TY_STR &&
				 !ty_is_value(v->ty->sub[1]) &&
				 uses_block_ok(&fn->body, p->var, &dview_uses);
	}
}

/* ---- str index views ----
 * str indexing is by code point: a str parameter that is indexed (or
 * measured) gets an rt::StrIx that knows once whether it is ASCII (then
 * bytes are code points). */

static bool is_index_of(const struct ex *x, const void *var)
{
	return (x->kind == EX_INDEX || x->kind == EX_SLICE ||
		ex_is_call(x, "len")) &&
	       x->n >= 1 &&
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

/* Whether x reads var other than as s[i], s[i:j], len(s) or
 * s.find(...)/s.index(...): the uses an rt::StrIx answers alone. */
static bool ex_other_use(const struct ex *x, int var)
{
	size_t from = 0;

	if (!x)
		return false;
	if (ex_is_var(x, var))
		return true;
	if (x->n >= 1 && ex_is_var(x->a[0], var) &&
	    (x->kind == EX_INDEX || x->kind == EX_SLICE ||
	     ex_is_call(x, "len") ||
	     (x->kind == EX_METHOD &&
	      (!strcmp(x->sval, "find") || !strcmp(x->sval, "index")))))
		from = 1;
	for (size_t i = from; i < x->n; i++)
		if (ex_other_use(x->a[i], var))
			return true;
	for (size_t i = 0; i < x->ncomp; i++) {
		const struct ir_comp *c = x->comp[i];
		if (ex_other_use(c->target, var) || ex_other_use(c->iter, var))
			return true;
		for (size_t k = 0; k < c->nconds; k++)
			if (ex_other_use(c->conds[k], var))
				return true;
	}
	return false;
}

/* for c in s / for i, c in enumerate(s): s iterated by a loop. */
static bool iterates(const struct st *s, int var)
{
	const struct ex *it = s->iter;

	if (s->kind != ST_FOR)
		return false;
	if (ex_is_call(it, "enumerate") && it->n >= 1)
		it = it->a[0];
	return ex_is_var(it, var);
}

static bool block_iterates(const struct block *blk, int var)
{
	for (size_t i = 0; i < blk->n; i++)
		if (iterates(blk->v[i], var) ||
		    block_iterates(&blk->v[i]->body, var) ||
		    block_iterates(&blk->v[i]->orelse, var))
			return true;
	return false;
}

static bool block_other_use(const struct block *blk, int var)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		if (iterates(s, var)) {
			const struct ex *it = s->iter;
			for (size_t k = 1; k < it->n; k++)
				if (ex_other_use(it->a[k], var))
					return true;
		} else if (ex_other_use(s->iter, var)) {
			return true;
		}
		for (size_t k = 0; k < s->ntargets; k++)
			if (ex_other_use(s->targets[k], var))
				return true;
		if (ex_other_use(s->value, var) || ex_other_use(s->cond, var) ||
		    ex_other_use(s->target, var) ||
		    block_other_use(&s->body, var) ||
		    block_other_use(&s->orelse, var))
			return true;
	}
	return false;
}

static void plan_strix(struct ir_fn *fn)
{
	for (size_t i = 0; i < fn->nparams; i++) {
		int var = fn->params[i].var;
		struct var *v = &fn->vars[var];
		/* only read through a StrIx (indexed, sliced, measured,
		 * searched, iterated): the argument is read in its own
		 * storage, never copied to UTF-8 */
		bool only = v->ty->kind == TY_STR && !v->is_rebound &&
			    !fn->params[i].def &&
			    !block_other_use(&fn->body, var);
		v->is_strix = v->ty->kind == TY_STR && !v->is_rebound &&
			      (block_indexes(&fn->body, var) ||
			       (only && block_iterates(&fn->body, var)));
		v->is_inplace = v->is_strix && only;
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

/* An item an rt::PyOut can hold: a float, int or bool converted when
 * appended, or a str or tuple of such items made into its Python object
 * when appended (an rt::Obj). */
static bool is_out_item(const struct ty *t)
{
	switch (t->kind) {
	case TY_FLOAT:
	case TY_INT:
	case TY_BOOL:
	case TY_STR:
		return true;
	case TY_TUPLE:
		if (t->n < 1 || t->n > 3)
			return false;
		for (size_t i = 0; i < t->n; i++)
			if (!is_out_item(t->sub[i]))
				return false;
		return true;
	default:
		return false;
	}
}

/* The variable built as an rt::PyOut, or -1. Not for a function another
 * translated function calls: those calls want the native Vec. */
static int plan_out_var(const struct ir_module *m, const struct ir_fn *fn)
{
	if (fn->ret->kind != TY_LIST || fn->is_recursive ||
	    !is_out_item(fn->ret->sub[0]))
		return -1;
	for (size_t i = 0; i < m->nfns && !fn->py_form; i++)
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
		if (fn->vars[fn->params[i].var].is_view ||
		    fn->vars[fn->params[i].var].is_dictview)
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
	       ex_is_method((*app)->value, "append") && (*app)->value->n == 2 &&
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

/* Parameters of non-Copy types arrive by reference unless rebound. */
static bool var_is_ref(const struct var *v)
{
	return v->is_param && !ty_is_copy(v->ty) && !v->is_rebound;
}

/* w = s[i:j] (any step) of a str with an rt::StrIx into a str variable:
 * cut into w's buffer (the bounds evaluated first). */
static bool str_slice_into_ok(const struct ir_fn *fn, const struct ex *target,
			      const struct ex *v)
{
	if (target->kind != EX_NAME ||
	    fn->vars[target->var].ty->kind != TY_STR ||
	    var_is_ref(&fn->vars[target->var]) || v->kind != EX_SLICE ||
	    v->a[0]->kind != EX_NAME || v->a[0]->var == target->var ||
	    !fn->vars[v->a[0]->var].is_strix)
		return false;
	for (int i = 1; i < 4; i++)
		if (v->a[i] && (ex_has_comp(v->a[i]) ||
				ex_mentions(v->a[i], target->var)))
			return false;
	return true;
}

/* t = s.lower() / s.upper() on str variables: reuse t's buffer. */
static bool str_case_into_ok(const struct ir_fn *fn, const struct ex *target,
			     const struct ex *v)
{
	return target->kind == EX_NAME &&
	       fn->vars[target->var].ty->kind == TY_STR &&
	       !var_is_ref(&fn->vars[target->var]) && v->kind == EX_METHOD &&
	       v->n == 1 && v->a[0]->ty->kind == TY_STR &&
	       (!strcmp(v->sval, "lower") || !strcmp(v->sval, "upper")) &&
	       !ex_mentions(v, target->var) && !ex_has_comp(v);
}

/* A str item that can be borrowed where it lives (a name, or an item of
 * a list, dict or tuple held natively, or of a list read in place: its
 * str's own UTF-8, rt::StrView). */
static bool str_place(const struct ir_fn *fn, const struct ex *x)
{
	if (x->ty->kind != TY_STR)
		return false;
	if (x->kind == EX_NAME)
		return !fn->vars[x->var].is_view;
	if (x->kind != EX_INDEX)
		return false;
	return x->a[0]->ty->kind == TY_LIST || x->a[0]->ty->kind == TY_DICT ||
	       x->a[0]->ty->kind == TY_TUPLE;
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
	if (str_slice_into_ok(fn, t, v))
		return SHAPE_STR_SLICE_INTO;
	if (str_case_into_ok(fn, t, v))
		return SHAPE_STR_CASE_INTO;
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

/* `if k in d:` (or `if k not in d: ... else:`) whose branch where k is
 * present starts with `d[k] op= v` or `x = d[k]`: that d[k] uses the
 * index the test's lookup found instead of hashing k a second time.
 * Nothing runs between the test and it that could change d (v is
 * evaluated first and does not mention d). The d[k], or NULL. */
static struct ex *key_use(const struct ir_fn *fn, const struct st *s)
{
	const struct ex *c = s->cond, *k, *d;
	const struct block *present;
	const struct st *first;
	struct ex *use;

	if (c->kind != EX_CMP || c->n != 2 ||
	    (c->cmp[0] != CMP_IN && c->cmp[0] != CMP_NOTIN))
		return NULL;
	k = c->a[0];
	d = c->a[1];
	if (k->kind != EX_NAME || d->kind != EX_NAME || k->var == d->var ||
	    d->ty->kind != TY_DICT || !ty_equal(k->ty, d->ty->sub[0]) ||
	    k->unwrap || d->unwrap || fn->vars[d->var].is_dictview)
		return NULL;
	present = c->cmp[0] == CMP_IN ? &s->body : &s->orelse;
	if (!present->n)
		return NULL;
	first = present->v[0];
	if (first->kind == ST_AUG)
		use = first->target;
	else if (first->kind == ST_ASSIGN && first->ntargets == 1 &&
		 first->targets[0]->kind == EX_NAME)
		use = first->value;
	else
		return NULL;
	if (use->kind != EX_INDEX || !ex_is_var(use->a[0], d->var) ||
	    !ex_is_var(use->a[1], k->var))
		return NULL;
	/* v may read k (the typed IR has no walrus: nothing rebinds it) */
	if (first->kind == ST_AUG &&
	    (ex_mentions(first->value, d->var) || ex_has_comp(first->value)))
		return NULL;
	if (first->kind == ST_ASSIGN &&
	    (first->targets[0]->var == d->var ||
	     first->targets[0]->var == k->var))
		return NULL;
	(void)fn;
	return use;
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
		s->key_use = NULL;
		plan_exs(s);
		switch (s->kind) {
		case ST_IF:
			s->key_use = key_use(fn, s);
			break;
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

/* ---- what emit.c cannot print ----
 * A function whose typed IR emit.c has no Rust for stays in Python with
 * the reason. The walk visits the IR in the order emit.c prints it, so
 * that the reason is the first thing the printer would have met: a
 * statement's comprehensions first (they run before it), then its parts.
 * Reading a value, borrowing it or taking it as i64 / f64 / &str check the
 * same (chk_own); a condition (chk_cond), a value of a wanted type
 * (chk_as), a place changed in place (chk_mut), an iterable for a builtin
 * (chk_slice) and a loop (chk_for) have rules of their own. */

struct pchk {
	struct ir_module *m;
	struct ir_fn *fn;
	int nloops;
	bool failed;
	struct ex **hoisted; /* comprehensions run before their statement
			      * (emit.c's hoist) */
	size_t nhoisted, caphoisted;
};

static int pfail(struct pchk *p, const struct ex *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int pfail(struct pchk *p, const struct ex *at, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (p->failed)
		return -1;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	ir_fn_fail(p->fn, at ? at->line : p->fn->line,
		   at ? at->col : p->fn->col, "%s", b.data);
	buf_release(&b);
	p->failed = true;
	return -1;
}

static const char *rty(const struct ty *t)
{
	return ty_rust_name(t);
}

static bool is_intlike(const struct ty *t)
{
	return t->kind == TY_INT || t->kind == TY_BOOL;
}

static bool is_numeric(const struct ty *t)
{
	return is_intlike(t) || t->kind == TY_FLOAT || t->kind == TY_NUM;
}

static void chk_own(struct pchk *p, struct ex *x);
static void chk_cond(struct pchk *p, struct ex *x);
static void chk_hoist(struct pchk *p, struct ex *x);
static void chk_block(struct pchk *p, struct block *blk);
static void chk_stmt(struct pchk *p, struct st *s);

/* A value of type want (emit.c's ex_own_as). */
static void chk_as(struct pchk *p, struct ex *x, const struct ty *want)
{
	if (want && want->kind == TY_NUM && x->ty->kind != TY_NUM) {
		if (x->ty->kind == TY_INT || x->ty->kind == TY_FLOAT)
			chk_own(p, x);
		else
			pfail(p, x, "%s where int | float is expected",
			      rty(x->ty));
		return;
	}
	if (want && want->kind == TY_OPT && x->ty->kind != TY_OPT) {
		if (x->ty->kind != TY_NONE)
			chk_as(p, x, want->sub[0]);
		return;
	}
	if (want && ex_is_empty_display(x)) {
		if (want->kind != TY_LIST && want->kind != TY_DICT &&
		    want->kind != TY_SET)
			pfail(p, x, "empty display where %s is expected",
			      rty(want));
		return;
	}
	if (want && !ty_equal(x->ty, want)) {
		pfail(p, x, "value of type %s where %s is expected", rty(x->ty),
		      rty(want));
		return;
	}
	chk_own(p, x);
}

/* A place changed in place (emit.c's ex_mut). */
static void chk_mut(struct pchk *p, struct ex *x)
{
	if (p->failed || x->kind == EX_NAME)
		return;
	if (x->kind == EX_INDEX && x->a[0]->ty->kind == TY_LIST) {
		chk_own(p, x->a[1]);
		chk_mut(p, x->a[0]);
		return;
	}
	if (x->kind == EX_INDEX && x->a[0]->ty->kind == TY_DICT &&
	    x->a[1]->kind == EX_NAME &&
	    ty_equal(x->a[1]->ty, x->a[0]->ty->sub[0]) &&
	    !ex_mentions(x->a[0], x->a[1]->var)) {
		chk_mut(p, x->a[0]);
		return;
	}
	if (x->kind == EX_INDEX && x->a[0]->ty->kind == TY_DICT) {
		chk_as(p, x->a[1], x->a[0]->ty->sub[0]);
		chk_mut(p, x->a[0]);
		return;
	}
	pfail(p, x, "this expression cannot be changed in place");
}

/* An iterable a builtin reads as a slice (emit.c's ex_slice). */
static void chk_slice(struct pchk *p, struct ex *x)
{
	if (ex_is_call(x, "range")) {
		for (size_t i = 0; i < x->n; i++)
			chk_own(p, x->a[i]);
		return;
	}
	if (ex_is_method(x, "keys") || ex_is_method(x, "values") ||
	    ex_is_method(x, "items")) {
		chk_own(p, x->a[0]);
		return;
	}
	if (ex_is_call(x, "reversed") && x->n == 1 &&
	    x->a[0]->ty->kind == TY_LIST) {
		chk_own(p, x->a[0]);
		return;
	}
	if (ex_is_call(x, "enumerate") || ex_is_call(x, "zip") ||
	    ex_is_call(x, "reversed")) {
		pfail(p, x, "%s() outside a for loop", x->sval);
		return;
	}
	switch (x->ty->kind) {
	case TY_LIST:
	case TY_STR:
	case TY_DICT:
	case TY_TUPLE:
		chk_own(p, x);
		return;
	default:
		pfail(p, x, "iterating %s here", rty(x->ty));
	}
}

static void chk_binop_num(struct pchk *p, int op, struct ex *x, struct ex *y)
{
	if (x->ty->kind != TY_FLOAT && y->ty->kind != TY_FLOAT) {
		chk_own(p, x);
		chk_own(p, y);
		return;
	}
	switch (op) {
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
	case OP_DIV:
	case OP_FLOORDIV:
	case OP_MOD:
	case OP_POW:
		chk_own(p, x);
		chk_own(p, y);
		return;
	default:
		pfail(p, x, "operator %s on float", binop_str(op));
	}
}

/* x op y giving res (emit.c's emit_binop). */
static void chk_binop(struct pchk *p, int op, struct ex *x, struct ex *y,
		      const struct ty *res)
{
	const struct ty *tx = x->ty, *ty = y->ty;
	bool num = tx->kind == TY_NUM || ty->kind == TY_NUM;

	if (num && op == OP_DIV && tx->kind != TY_FLOAT &&
	    ty->kind != TY_FLOAT) {
		chk_as(p, x, ty_basic(TY_NUM));
		chk_as(p, y, ty_basic(TY_NUM));
	} else if (num && res->kind == TY_NUM) {
		if (op != OP_ADD && op != OP_SUB && op != OP_MUL) {
			pfail(p, x, "operator %s on int | float",
			      binop_str(op));
			return;
		}
		chk_as(p, x, ty_basic(TY_NUM));
		chk_as(p, y, ty_basic(TY_NUM));
	} else if (is_numeric(tx) && is_numeric(ty)) {
		chk_binop_num(p, op, x, y);
	} else if (op == OP_ADD && tx->kind == TY_LIST && !ty_equal(tx, ty)) {
		pfail(p, x, "list + list of different types");
	} else if ((op == OP_ADD &&
		    (tx->kind == TY_STR || tx->kind == TY_LIST ||
		     (tx->kind == TY_TUPLE && ty->kind == TY_TUPLE))) ||
		   (op == OP_MUL &&
		    (tx->kind == TY_STR || tx->kind == TY_LIST))) {
		chk_own(p, x);
		chk_own(p, y);
	} else {
		pfail(p, x, "operator %s between %s and %s", binop_str(op),
		      rty(tx), rty(ty));
	}
}

/* x in y / x not in y (emit.c's emit_cmp_pair). */
static void chk_in(struct pchk *p, const struct ex *x, const struct ex *y)
{
	const struct ty *tx = x->ty, *ty = y->ty;

	switch (ty->kind) {
	case TY_LIST:
		if (!ty_equal(tx, ty->sub[0]) &&
		    !(is_intlike(tx) && ty->sub[0]->kind == TY_FLOAT) &&
		    ty->sub[0]->kind != TY_NEVER)
			pfail(p, x, "'in' between %s and %s", rty(tx), rty(ty));
		return;
	case TY_DICT:
	case TY_SET:
		if (!ty_equal(tx, ty->sub[0]) && ty->sub[0]->kind != TY_NEVER)
			pfail(p, x, "'in' between %s and %s", rty(tx), rty(ty));
		return;
	case TY_STR:
		return;
	case TY_TUPLE:
		for (size_t i = 0; i < ty->n; i++)
			if (!ty_equal(tx, ty->sub[i])) {
				pfail(p, x, "'in' a tuple of other types");
				return;
			}
		return;
	default:
		pfail(p, x, "'in' on %s", rty(ty));
	}
}

/* One comparison of a chain, its operands already checked. */
static void chk_cmp_pair(struct pchk *p, int op, const struct ex *x,
			 const struct ex *y)
{
	const struct ty *tx = x->ty, *ty = y->ty;

	if (op == CMP_IS || op == CMP_ISNOT)
		return;
	if (op == CMP_IN || op == CMP_NOTIN) {
		chk_in(p, x, y);
		return;
	}
	if (tx->kind == TY_NUM || ty->kind == TY_NUM ||
	    ((is_intlike(tx) || tx->kind == TY_FLOAT) &&
	     (is_intlike(ty) || ty->kind == TY_FLOAT)) ||
	    (tx->kind == TY_STR && ty->kind == TY_STR) ||
	    (tx->kind == TY_NONE && ty->kind == TY_NONE))
		return;
	if (!ty_equal(tx, ty))
		pfail(p, x, "comparison between %s and %s", rty(tx), rty(ty));
}

static void chk_cmp(struct pchk *p, struct ex *e)
{
	if (e->n == 2) {
		/* emit_cmp passes both operands' text as arguments of one
		 * call, which this compiler evaluates right to left */
		chk_own(p, e->a[1]);
		chk_own(p, e->a[0]);
		chk_cmp_pair(p, e->cmp[0], e->a[0], e->a[1]);
		return;
	}
	for (size_t i = 0; i < e->n; i++) {
		chk_own(p, e->a[i]);
		if (i)
			chk_cmp_pair(p, e->cmp[i - 1], e->a[i - 1], e->a[i]);
	}
}

static bool name_in(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return true;
	return false;
}

#define NAME_IN(s, names) name_in(s, names, sizeof(names) / sizeof(*names))

static void chk_math(struct pchk *p, struct ex *e)
{
	static const char *const known[] = {
	    "sqrt",  "exp",   "log2",  "log10",	   "sin",      "cos",	"tan",
	    "asin",  "acos",  "atan",  "sinh",	   "cosh",     "tanh",	"expm1",
	    "log1p", "log",   "fabs",  "degrees",  "radians",  "floor", "ceil",
	    "trunc", "isnan", "isinf", "isfinite", "copysign", "fmod",	"atan2",
	};

	if (!NAME_IN(e->sval + 5, known)) {
		pfail(p, e, "math.%s", e->sval + 5);
		return;
	}
	for (size_t i = 0; i < e->n && i < 2; i++)
		chk_own(p, e->a[i]);
}

static void chk_sum(struct pchk *p, struct ex *e)
{
	const struct ty *el = ex_elem_ty(e->a[0]);

	if (el->kind == TY_FLOAT ||
	    (e->n == 2 && e->a[1]->ty->kind == TY_FLOAT)) {
		if (el->kind != TY_FLOAT) {
			pfail(p, e, "sum() of %s from a float start", rty(el));
			return;
		}
		chk_slice(p, e->a[0]);
	} else if (el->kind == TY_BOOL || el->kind == TY_INT) {
		chk_slice(p, e->a[0]);
	}
	if (e->n == 2)
		chk_own(p, e->a[1]);
}

static void chk_builtin(struct pchk *p, struct ex *e)
{
	static const char *const own1[] = {"abs", "int",   "float",
					   "str", "round", "divmod"};
	static const char *const slice1[] = {"list", "set", "any", "all"};
	const char *fn = e->sval;
	struct ex *a0 = e->n > 0 ? e->a[0] : NULL;

	if (!strncmp(fn, "math.", 5)) {
		chk_math(p, e);
	} else if (!strcmp(fn, "len")) {
		if (a0->ty->kind == TY_NONE)
			pfail(p, a0, "len() of None");
		else
			chk_own(p, a0);
	} else if (!strcmp(fn, "min") || !strcmp(fn, "max")) {
		if (e->n == 1)
			chk_slice(p, a0);
		for (size_t i = 0; e->n > 1 && i < e->n; i++)
			chk_own(p, e->a[i]);
	} else if (!strcmp(fn, "sum")) {
		chk_sum(p, e);
	} else if (NAME_IN(fn, own1)) {
		for (size_t i = 0; i < e->n && i < 2; i++)
			chk_own(p, e->a[i]);
	} else if (!strcmp(fn, "bool")) {
		if (a0)
			chk_cond(p, a0);
	} else if (!strcmp(fn, "sorted")) {
		if (a0->ty->kind == TY_SET)
			chk_own(p, a0);
		else
			chk_slice(p, a0);
	} else if (NAME_IN(fn, slice1)) {
		if (a0)
			chk_slice(p, a0);
	} else if (strcmp(fn, "dict")) {
		pfail(p, e, "builtin %s()", fn);
	}
}

static bool is_changing_method(const char *m)
{
	static const char *const mut[] = {
	    "append", "insert", "extend",     "pop", "reverse",
	    "clear",  "sort",	"setdefault", "add", "discard",
	};
	return NAME_IN(m, mut);
}

static void chk_method(struct pchk *p, struct ex *e)
{
	struct ex *r = e->a[0];
	const char *m = e->sval;
	const struct ty *rt = r->ty;

	if ((rt->kind == TY_LIST || rt->kind == TY_DICT ||
	     rt->kind == TY_SET) &&
	    is_changing_method(m)) {
		/* arguments first, then the receiver borrowed mutably */
		if (e->n > 1 && !strcmp(m, "extend"))
			chk_slice(p, e->a[1]);
		else if (e->n > 1 && rt->kind == TY_LIST &&
			 (!strcmp(m, "insert") || !strcmp(m, "pop")))
			chk_own(p, e->a[1]);
		else if (e->n > 1)
			chk_as(p, e->a[1], rt->sub[0]);
		if (e->n > 2)
			chk_as(p, e->a[2],
			       rt->kind == TY_DICT ? rt->sub[1] : rt->sub[0]);
		chk_mut(p, r);
	} else if ((rt->kind == TY_LIST || rt->kind == TY_DICT ||
		    rt->kind == TY_SET) &&
		   (!strcmp(m, "index") || !strcmp(m, "count") ||
		    !strcmp(m, "get"))) {
		chk_own(p, r);
		chk_as(p, e->a[1], rt->sub[0]);
		if (!strcmp(m, "get"))
			chk_as(p, e->a[2], rt->sub[1]);
	} else if ((rt->kind == TY_LIST || rt->kind == TY_DICT ||
		    rt->kind == TY_SET) &&
		   !strcmp(m, "copy")) {
		chk_own(p, r);
	} else if (rt->kind == TY_STR && !strcmp(m, "join")) {
		chk_own(p, r);
		chk_slice(p, e->a[1]);
	} else if (rt->kind == TY_STR) {
		for (size_t i = 0; i < e->n; i++)
			chk_own(p, e->a[i]);
	} else {
		pfail(p, e, "method .%s() on %s", m, rty(rt));
	}
}

static void chk_call_fn(struct pchk *p, struct ex *e)
{
	struct ir_fn *g = e->fn;

	for (size_t i = 0; i < g->nparams; i++) {
		struct var *pv = &g->vars[g->params[i].var];
		struct ex *a = i < e->n ? e->a[i] : g->params[i].def;
		if (ty_is_copy(pv->ty))
			chk_as(p, a, pv->ty);
		else if (pv->is_mutated && !pv->is_rebound)
			chk_mut(p, a);
		else if (ex_is_empty_display(a))
			chk_as(p, a, pv->ty);
		else if (!ty_equal(a->ty, pv->ty))
			pfail(p, a, "argument type %s for %s", rty(a->ty),
			      rty(pv->ty));
		else
			chk_own(p, a);
	}
}

/* str() or repr() of a value of type t (emit.c's add_str_of). */
static void chk_str_of(struct pchk *p, const struct ex *at, const struct ty *t)
{
	if (t->kind != TY_INT && t->kind != TY_FLOAT && t->kind != TY_BOOL &&
	    t->kind != TY_STR)
		pfail(p, at, "formatting %s", rty(t));
}

static void chk_fmt_field(struct pchk *p, struct ex *x)
{
	struct ex *v = x->a[0];
	const struct ty *t = v->ty;
	struct fmt_spec sp;

	if (x->slen && fmt_spec_parse(x->sval, x->slen, &sp)) {
		pfail(p, x, "format spec");
		return;
	}
	chk_own(p, v);
	if (t->kind == TY_STR && x->op != 'r' && !x->slen)
		return;
	if (!x->slen || x->op || t->kind == TY_STR)
		if (!(t->kind == TY_STR && x->op != 'r'))
			chk_str_of(p, v, t);
}

static void chk_pct(struct pchk *p, struct ex *x)
{
	struct ex *fmt = x->a[0], *r = x->a[1];
	bool is_tuple = r->kind == EX_TUPLE || r->ty->kind == TY_TUPLE;
	struct buf lit = BUF_INIT;
	struct pct_dir d;
	const char *err = NULL;
	size_t pos = 0, k = 0;

	chk_own(p, r);
	while (pct_next(fmt->sval, fmt->slen, &pos, &lit, &d, &err) > 0) {
		const struct ty *at = is_tuple ? r->ty->sub[k] : r->ty;
		k++;
		if (d.conv == 's' || d.conv == 'r')
			chk_str_of(p, x, at);
	}
	buf_release(&lit);
}

/* Whether comprehension x was run before its statement. */
static bool is_hoisted(const struct pchk *p, const struct ex *x)
{
	for (size_t i = 0; i < p->nhoisted; i++)
		if (p->hoisted[i] == x)
			return true;
	return false;
}

static void chk_comp(struct pchk *p, struct ex *x);

static void chk_index(struct pchk *p, struct ex *x)
{
	const struct ty *ot = x->a[0]->ty;

	if (ot->kind == TY_NONE) {
		pfail(p, x, "indexing None");
		return;
	}
	chk_own(p, x->a[0]);
	if (x->kind == EX_SLICE) {
		for (int i = 1; i < 4; i++)
			if (x->a[i])
				chk_own(p, x->a[i]);
	} else if (ot->kind == TY_DICT) {
		if (!(x->a[1]->kind == EX_NAME &&
		      ty_equal(x->a[1]->ty, ot->sub[0])))
			chk_as(p, x->a[1], ot->sub[0]);
	} else if (ot->kind != TY_TUPLE) {
		chk_own(p, x->a[1]);
	}
}

static void chk_and_or(struct pchk *p, struct ex *x)
{
	if (x->op == 1) {
		pfail(p, x,
		      "'%s' of %s and %s used as a value returns one "
		      "operand or the other",
		      x->kind == EX_AND ? "and" : "or", rty(x->a[0]->ty),
		      rty(x->a[1]->ty));
		return;
	}
	chk_own(p, x->a[0]);
	chk_own(p, x->a[1]);
}

/* A value read, borrowed, or taken as i64, f64 or &str (emit.c's ex_own,
 * ex_ref, ex_i64, ex_f64, ex_str, ex_recv check alike). */
static void chk_own(struct pchk *p, struct ex *x)
{
	if (p->failed)
		return;
	switch (x->kind) {
	case EX_BINOP:
		chk_binop(p, x->op, x->a[0], x->a[1], x->ty);
		return;
	case EX_UNOP:
		chk_own(p, x->a[0]);
		return;
	case EX_NOT:
		chk_cond(p, x->a[0]);
		return;
	case EX_AND:
	case EX_OR:
		chk_and_or(p, x);
		return;
	case EX_CMP:
		chk_cmp(p, x);
		return;
	case EX_IFEXP:
		chk_cond(p, x->a[1]);
		chk_as(p, x->a[0], x->ty);
		chk_as(p, x->a[2], x->ty);
		return;
	case EX_CALL:
		if (x->fn)
			chk_call_fn(p, x);
		else
			chk_builtin(p, x);
		return;
	case EX_METHOD:
		chk_method(p, x);
		return;
	case EX_INDEX:
	case EX_SLICE:
		chk_index(p, x);
		return;
	case EX_LIST:
	case EX_SET:
		for (size_t i = 0; i < x->n; i++)
			chk_as(p, x->a[i], x->ty->sub[0]);
		return;
	case EX_TUPLE:
		for (size_t i = 0; i < x->n; i++)
			chk_own(p, x->a[i]);
		return;
	case EX_DICT:
		for (size_t i = 0; i + 1 < x->n; i += 2) {
			chk_as(p, x->a[i], x->ty->sub[0]);
			chk_as(p, x->a[i + 1], x->ty->sub[1]);
		}
		return;
	case EX_FSTR:
		for (size_t i = 0; i < x->n; i++)
			if (x->a[i]->kind == EX_FMT)
				chk_fmt_field(p, x->a[i]);
		return;
	case EX_FMT:
		pfail(p, x, "a format field outside an f-string");
		return;
	case EX_PCT:
		chk_pct(p, x);
		return;
	case EX_LISTCOMP:
		/* in place when not run before the statement */
		if (!is_hoisted(p, x))
			chk_comp(p, x);
		return;
	default: /* literals and names */
		return;
	}
}

/* A condition (emit.c's ex_cond): and/or/not of conditions need no
 * common type. */
static void chk_cond(struct pchk *p, struct ex *x)
{
	if (x->kind == EX_AND || x->kind == EX_OR) {
		chk_cond(p, x->a[0]);
		chk_cond(p, x->a[1]);
	} else if (x->kind == EX_NOT) {
		chk_cond(p, x->a[0]);
	} else if (x->ty->kind != TY_NONE) {
		chk_own(p, x);
	}
}

/* Binding a value of type vt to target t (emit.c's emit_bind). */
static void chk_bind(struct pchk *p, struct ex *t, const struct ty *vt)
{
	const struct ty *ot;

	if (p->failed)
		return;
	if (t->kind == EX_NAME) {
		struct var *v = &p->fn->vars[t->var];
		if (!ty_equal(v->ty, vt))
			pfail(p, t, "binding %s to '%s' of type %s", rty(vt),
			      v->name, rty(v->ty));
		return;
	}
	if (t->kind == EX_TUPLE) {
		if (vt->kind != TY_TUPLE && vt->kind != TY_LIST)
			pfail(p, t, "unpacking %s", rty(vt));
		for (size_t i = 0; i < t->n && !p->failed; i++)
			chk_bind(p, t->a[i],
				 vt->sub[vt->kind == TY_TUPLE ? i : 0]);
		return;
	}
	if (t->kind != EX_INDEX) {
		pfail(p, t, "assignment target");
		return;
	}
	ot = t->a[0]->ty;
	if ((ot->kind == TY_LIST && !ty_equal(ot->sub[0], vt)) ||
	    (ot->kind == TY_DICT && !ty_equal(ot->sub[1], vt))) {
		pfail(p, t, "storing %s into %s", rty(vt), rty(ot));
	} else if (ot->kind == TY_LIST) {
		chk_mut(p, t);
	} else if (ot->kind == TY_DICT) {
		chk_as(p, t->a[1], ot->sub[0]);
		chk_mut(p, t->a[0]);
	} else {
		pfail(p, t, "item assignment on %s", rty(ot));
	}
}

typedef void (*chk_body_fn)(struct pchk *p, void *ctx);

/* A loop source read live through its name each iteration. */
static bool live_name(const struct ex *src, const struct block *body)
{
	return src->kind == EX_NAME &&
	       (!body || !block_assigns(body, src->var));
}

/* The sources of the loop over iter (emit.c's emit_for). */
static void chk_loop_source(struct pchk *p, struct ex *iter,
			    const struct block *body)
{
	struct ex *src = ex_is_call(iter, "enumerate") ? iter->a[0] : iter;

	if (src != iter && iter->n == 2)
		chk_own(p, iter->a[1]);
	if (ex_is_call(src, "range") ||
	    (ex_is_call(src, "reversed") && ex_is_call(src->a[0], "range"))) {
		struct ex *r = ex_is_call(src, "range") ? src : src->a[0];
		for (size_t i = 0; i < r->n; i++)
			chk_own(p, r->a[i]);
	} else if (ex_is_call(src, "zip")) {
		for (size_t k = 0; k < src->n && !p->failed; k++) {
			struct ex *s = src->a[k];
			if (s->ty->kind == TY_LIST && live_name(s, body))
				continue;
			if (s->ty->kind == TY_LIST || s->ty->kind == TY_STR)
				chk_own(p, s);
			else
				pfail(p, s, "zip() over %s", rty(s->ty));
		}
	} else if (ex_is_method(src, "keys") || ex_is_method(src, "values") ||
		   ex_is_method(src, "items") || src->ty->kind == TY_DICT) {
		struct ex *d = src->kind == EX_METHOD ? src->a[0] : src;
		if (!live_name(d, body))
			chk_own(p, d);
	} else if (src->ty->kind == TY_LIST ||
		   (ex_is_call(src, "reversed") &&
		    src->a[0]->ty->kind == TY_LIST)) {
		struct ex *l = src->ty->kind == TY_LIST ? src : src->a[0];
		int root = -1;
		const struct ex *r = l;
		if (live_name(l, body))
			return;
		while (r->kind == EX_INDEX)
			r = r->a[0];
		if (r->kind == EX_NAME)
			root = r->var;
		if (root >= 0 && p->fn->vars[root].is_mutated && body &&
		    l->kind == EX_INDEX)
			pfail(p, l,
			      "loop over an item of '%s', which is changed in "
			      "place",
			      p->fn->vars[root].name);
		chk_own(p, l);
	} else if (src->ty->kind == TY_STR || src->ty->kind == TY_TUPLE) {
		chk_own(p, src);
	} else {
		pfail(p, src, "for loop over %s", rty(src->ty));
	}
}

/* The loop statement loop (NULL in a comprehension) over iter binding
 * target, its body checked by inner. */
static void chk_for(struct pchk *p, struct ex *target, struct ex *iter,
		    const struct st *loop, chk_body_fn inner, void *ctx)
{
	chk_loop_source(p, iter, loop ? &loop->body : NULL);
	if (p->failed)
		return;
	chk_bind(p, target, ex_loop_ty(&p->m->arena, iter));
	inner(p, ctx);
}

struct comp_level {
	struct ex *x;
	size_t level;
};

static void chk_comp_body(struct pchk *p, void *vctx)
{
	struct comp_level *c = vctx;
	struct ir_comp *cl = c->x->comp[c->level];

	for (size_t k = 0; k < cl->nconds; k++) {
		chk_hoist(p, cl->conds[k]);
		chk_cond(p, cl->conds[k]);
	}
	if (c->level + 1 < c->x->ncomp) {
		struct comp_level next = {c->x, c->level + 1};
		struct ir_comp *nc = c->x->comp[c->level + 1];
		chk_hoist(p, nc->iter);
		chk_for(p, nc->target, nc->iter, NULL, chk_comp_body, &next);
	} else {
		chk_hoist(p, c->x->a[0]);
		chk_as(p, c->x->a[0], c->x->ty->sub[0]);
	}
}

/* A comprehension's loops (emit.c's hoist of an EX_LISTCOMP). */
static void chk_comp(struct pchk *p, struct ex *x)
{
	struct comp_level c = {x, 0};

	chk_hoist(p, x->comp[0]->iter);
	chk_for(p, x->comp[0]->target, x->comp[0]->iter, NULL, chk_comp_body,
		&c);
}

/* The comprehensions that run before the statement holding x, in the
 * order emit.c's hoist runs them. */
static void chk_hoist(struct pchk *p, struct ex *x)
{
	if (!x || p->failed)
		return;
	if (x->kind == EX_LISTCOMP) {
		arena_push(&p->m->arena, (void ***)&p->hoisted, &p->nhoisted,
			   &p->caphoisted, x);
		chk_comp(p, x);
	} else if (x->kind == EX_AND || x->kind == EX_OR) {
		chk_hoist(p, x->a[0]);
	} else if (x->kind == EX_IFEXP) {
		chk_hoist(p, x->a[1]);
	} else {
		for (size_t i = 0; i < x->n; i++) {
			if (x->kind == EX_CMP && i >= 2)
				break;
			chk_hoist(p, x->a[i]);
		}
	}
}

/* ---- one statement that changes a container and reads it elsewhere ----
 * Python evaluates left to right and reads a list after a call changed
 * it (xs[len(xs) - 1 - xs.pop()], s[-1] + s.pop()); the Rust borrows
 * would keep the first read alive across the change (a compile error) or
 * take it before. Such a statement keeps its function in Python. Reads
 * inside the changing call's own arguments are fine (they run first), as
 * are several changing calls in a row (xs.pop() - xs.pop()). */
static const char *const mut_methods[] = {
    "append",  "extend", "insert",  "pop",	  "remove", "clear",  "sort",
    "reverse", "add",	 "discard", "setdefault", "update", "popitem"};

static int ex_root(const struct ex *x)
{
	while (x && x->kind == EX_INDEX)
		x = x->a[0];
	return x && x->kind == EX_NAME ? x->var : -1;
}

/* The variable a call changes (its receiver, or an argument the callee
 * changes), or -1. */
static int ex_changes(const struct ex *x)
{
	if (x->kind == EX_METHOD && x->n >= 1 && x->a[0]->ty &&
	    (x->a[0]->ty->kind == TY_LIST || x->a[0]->ty->kind == TY_DICT ||
	     x->a[0]->ty->kind == TY_SET) &&
	    NAME_IN(x->sval, mut_methods))
		return ex_root(x->a[0]);
	if (x->kind == EX_CALL && x->fn)
		for (size_t i = 0; i < x->n && i < x->fn->nparams; i++)
			if (x->fn->vars[x->fn->params[i].var].is_mutated &&
			    ex_root(x->a[i]) >= 0)
				return ex_root(x->a[i]);
	return -1;
}

static bool is_node(const struct ex *x, const void *node)
{
	return x == node;
}

/* Whether x reads var v outside the subtree `skip` (receivers of other
 * changing calls do not count). */
static bool reads_outside(const struct ex *x, int v, const struct ex *skip)
{
	if (!x || x == skip)
		return false;
	if (x->kind == EX_NAME)
		return x->var == v;
	/* and/or and conditional expressions run their parts one after the
	 * other, each to a value (a guard like `xs.pop() if xs else 0` or
	 * `len(xs) > 0 and xs.pop() > y`): only the part holding the change
	 * matters */
	if (x->kind == EX_AND || x->kind == EX_OR || x->kind == EX_IFEXP) {
		for (size_t i = 0; i < x->n; i++)
			if (ex_any(x->a[i], is_node, skip))
				return reads_outside(x->a[i], v, skip);
	}
	if (x->kind == EX_METHOD && ex_changes(x) == v) {
		for (size_t i = 1; i < x->n; i++)
			if (reads_outside(x->a[i], v, skip))
				return true;
		return false;
	}
	for (size_t i = 0; i < x->n; i++)
		if (reads_outside(x->a[i], v, skip))
			return true;
	for (size_t i = 0; i < x->ncomp; i++) {
		const struct ir_comp *c = x->comp[i];
		if (reads_outside(c->target, v, skip) ||
		    reads_outside(c->iter, v, skip))
			return true;
		for (size_t k = 0; k < c->nconds; k++)
			if (reads_outside(c->conds[k], v, skip))
				return true;
	}
	return false;
}

/* Finds a changing call in x whose variable the statement's parts
 * (parts[0..n)) read elsewhere. */
static const struct ex *changed_and_read(const struct ex *x,
					 struct ex *const *parts, size_t n)
{
	int v;

	if (!x)
		return NULL;
	v = ex_changes(x);
	if (v >= 0)
		for (size_t i = 0; i < n; i++)
			if (reads_outside(parts[i], v, x))
				return x;
	for (size_t i = 0; i < x->n; i++) {
		const struct ex *r = changed_and_read(x->a[i], parts, n);
		if (r)
			return r;
	}
	for (size_t i = 0; i < x->ncomp; i++) {
		const struct ex *r =
		    changed_and_read(x->comp[i]->iter, parts, n);
		if (r)
			return r;
	}
	return NULL;
}

static void chk_change_order(struct pchk *p, struct st *s)
{
	struct ex *parts[8];
	size_t n = 0;

	switch (s->kind) {
	case ST_ASSIGN:
		for (size_t i = 0; i < s->ntargets && n < 7; i++)
			parts[n++] = s->targets[i];
		parts[n++] = s->value;
		break;
	case ST_AUG:
		parts[n++] = s->target;
		parts[n++] = s->value;
		break;
	case ST_EXPR:
	case ST_RETURN:
		parts[n++] = s->value;
		break;
	case ST_IF:
	case ST_WHILE:
	case ST_ASSERT:
		parts[n++] = s->cond;
		break;
	case ST_FOR:
		parts[n++] = s->iter;
		break;
	default:
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ex *x = changed_and_read(parts[i], parts, n);
		if (x) {
			pfail(p, x,
			      "'%s' is changed here and read elsewhere in the "
			      "same statement (Python's evaluation order "
			      "cannot be kept)",
			      p->fn->vars[ex_changes(x)].name);
			return;
		}
	}
}

/* ---- statements, in emit.c's order ---- */

static void chk_assign(struct pchk *p, struct st *s)
{
	struct ex *t = s->targets[0], *v = s->value;
	const struct ty *want;

	chk_hoist(p, v);
	switch (s->shape) {
	case SHAPE_STR_APPEND:
		chk_own(p, v->a[1]);
		return;
	case SHAPE_STR_INDEX_INTO:
		chk_own(p, v->a[1]);
		return;
	case SHAPE_STR_SLICE_INTO:
		for (int i = 1; i < 4; i++)
			if (v->a[i])
				chk_own(p, v->a[i]);
		return;
	case SHAPE_STR_CASE_INTO:
		chk_own(p, v->a[0]);
		return;
	case SHAPE_TUPLE_INTO:
		chk_own(p, v);
		return;
	default:
		break;
	}
	if (s->ntargets == 1 && t->kind == EX_NAME) {
		chk_as(p, v, p->fn->vars[t->var].ty);
	} else if (s->ntargets == 1 && t->kind == EX_TUPLE &&
		   v->kind == EX_TUPLE && v->n == t->n) {
		/* a, b = b, a: evaluate all, then bind */
		chk_own(p, v);
		for (size_t i = 0; i < v->n; i++)
			chk_bind(p, t->a[i], v->a[i]->ty);
	} else {
		want = t->kind == EX_NAME ? p->fn->vars[t->var].ty : v->ty;
		chk_as(p, v, want);
		for (size_t i = 0; i < s->ntargets; i++)
			chk_bind(p, s->targets[i], want);
	}
}

/* target op= value on an item (emit.c's emit_aug, last branch). */
static void chk_aug_item(struct pchk *p, struct st *s)
{
	const struct ty *t = s->target->ty, *vt = s->value->ty;
	bool fl = t->kind == TY_FLOAT || vt->kind == TY_FLOAT;
	int op = s->op;

	chk_own(p, s->value);
	chk_mut(p, s->target);
	if ((t->kind == TY_STR && op == OP_ADD) || fl)
		return;
	if (t->kind != TY_INT)
		pfail(p, s->target, "augmented assignment on %s", rty(t));
	else if (!(op == OP_BITAND || op == OP_BITOR || op == OP_BITXOR ||
		   (op >= OP_ADD && op <= OP_RSHIFT && op != OP_DIV)))
		pfail(p, s->target, "augmented %s on an item", binop_str(op));
}

static void chk_aug(struct pchk *p, struct st *s)
{
	struct ex left = *s->target;
	struct var *v =
	    s->target->kind == EX_NAME ? &p->fn->vars[s->target->var] : NULL;

	chk_hoist(p, s->value);
	if (s->shape == SHAPE_STR_APPEND) {
		chk_own(p, s->value);
	} else if (v && v->ty->kind == TY_NUM) {
		left.ty = v->ty;
		chk_binop(p, s->op, &left, s->value,
			  ty_basic(s->value->ty->kind == TY_FLOAT ? TY_FLOAT
								  : TY_NUM));
	} else if (v) {
		if (v->ty->kind == TY_FLOAT &&
		    (s->op == OP_ADD || s->op == OP_SUB || s->op == OP_MUL))
			chk_own(p, s->value);
		else
			chk_binop(p, s->op, &left, s->value, v->ty);
	} else {
		chk_aug_item(p, s);
	}
}

/* Two rows side by side print the accumulation and the append of each
 * row first, then the loop as written for the rows left over. */
static void chk_jam(struct pchk *p, struct st *s)
{
	struct st *inner = s->body.v[1];

	chk_stmt(p, inner->body.v[0]);
	chk_stmt(p, s->body.v[2]);
	chk_block(p, &s->body);
}

static void chk_block_body(struct pchk *p, void *blk)
{
	chk_block(p, blk);
}

static void chk_loop(struct pchk *p, struct st *s)
{
	if (s->kind == ST_WHILE) {
		p->nloops++;
		if (!(s->cond->kind == EX_BOOL && s->cond->ival)) {
			if (ex_has_comp(s->cond))
				chk_hoist(p, s->cond);
			chk_cond(p, s->cond);
		}
		chk_block(p, &s->body);
	} else {
		if (s->shape == SHAPE_JAM) {
			chk_jam(p, s);
			return;
		}
		chk_hoist(p, s->iter);
		if (p->nloops >= 127) {
			pfail(p, s->iter, "loops nested too deeply");
			return;
		}
		p->nloops++;
		chk_for(p, s->target, s->iter, s, chk_block_body, &s->body);
	}
	p->nloops--;
	chk_block(p, &s->orelse);
}

static void chk_del(struct pchk *p, struct ex *t)
{
	if (t->a[0]->ty->kind == TY_DICT)
		chk_as(p, t->a[1], t->a[0]->ty->sub[0]);
	else
		chk_own(p, t->a[1]);
	chk_mut(p, t->a[0]);
}

static void chk_stmt(struct pchk *p, struct st *s)
{
	if (p->failed)
		return;
	chk_change_order(p, s);
	switch (s->kind) {
	case ST_EXPR:
		chk_hoist(p, s->value);
		chk_own(p, s->value);
		break;
	case ST_ASSIGN:
		if (s->shape != SHAPE_OUT_NEW)
			chk_assign(p, s);
		break;
	case ST_AUG:
		chk_aug(p, s);
		break;
	case ST_IF:
		chk_hoist(p, s->cond);
		chk_cond(p, s->cond);
		chk_block(p, &s->body);
		chk_block(p, &s->orelse);
		break;
	case ST_WHILE:
	case ST_FOR:
		chk_loop(p, s);
		break;
	case ST_RETURN:
		if (!s->value)
			break;
		chk_hoist(p, s->value);
		if (!(s->value->kind == EX_NAME &&
		      !var_is_ref(&p->fn->vars[s->value->var]) &&
		      ty_equal(s->value->ty, p->fn->ret)))
			chk_as(p, s->value, p->fn->ret);
		break;
	case ST_ASSERT:
		chk_hoist(p, s->cond);
		chk_cond(p, s->cond);
		break;
	case ST_DEL:
		chk_del(p, s->target);
		break;
	default: /* break, continue, pass, raise */
		break;
	}
}

static void chk_block(struct pchk *p, struct block *blk)
{
	for (size_t i = 0; i < blk->n && !p->failed; i++)
		chk_stmt(p, blk->v[i]);
}

/* ---- types the printer has no Rust for ---- */

static bool ty_has_none(const struct ty *t)
{
	if (t->kind == TY_NONE || t->kind == TY_OPT)
		return true;
	for (size_t i = 0; i < t->n; i++)
		if (ty_has_none(t->sub[i]))
			return true;
	return false;
}

static bool ty_has_nested_none(const struct ty *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (ty_has_none(t->sub[i]))
			return true;
	return false;
}

static bool ty_has_nested_num(const struct ty *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->sub[i]->kind == TY_NUM || ty_has_nested_num(t->sub[i]))
			return true;
	return false;
}

/* Whether a local of type t has a value to start as (emit.c declares
 * every local up front, as Python scopes them). */
static bool has_default(const struct ty *t)
{
	switch (t->kind) {
	case TY_INT:
	case TY_FLOAT:
	case TY_BOOL:
	case TY_NONE:
	case TY_STR:
	case TY_LIST:
	case TY_DICT:
	case TY_SET:
	case TY_OPT:
	case TY_NUM:
		return true;
	case TY_TUPLE:
		for (size_t i = 0; i < t->n; i++)
			if (!has_default(t->sub[i]))
				return false;
		return true;
	default:
		return false;
	}
}

static void chk_vars(struct pchk *p)
{
	struct ir_fn *fn = p->fn;

	for (size_t i = 0; i < fn->nvars && !p->failed; i++) {
		struct var *v = &fn->vars[i];
		if (v->is_param &&
		    (v->ty->kind == TY_OPT || v->ty->kind == TY_NUM))
			pfail(p, NULL, "parameter '%s' of type %s", v->name,
			      rty(v->ty));
		else if (ty_has_nested_num(v->ty) || ty_has_nested_num(fn->ret))
			pfail(p, NULL,
			      "int | float inside a container or tuple is not "
			      "supported");
		else if (ty_has_nested_none(v->ty) ||
			 ty_has_nested_none(fn->ret))
			pfail(p, NULL,
			      "None inside a container or tuple is not "
			      "supported");
	}
	for (size_t i = 0; i < fn->nvars && !p->failed; i++) {
		struct var *v = &fn->vars[i];
		if (!v->is_param && (int)i != fn->out_var &&
		    !has_default(v->ty))
			pfail(p, NULL, "variable '%s' of type %s", v->name,
			      rty(v->ty));
	}
}

/* 0, or -1 with the reason set: emit.c has no Rust for part of fn. */
static int plan_check_fn(struct ir_module *m, struct ir_fn *fn)
{
	struct pchk p = {0};

	p.m = m;
	p.fn = fn;
	chk_vars(&p);
	chk_block(&p, &fn->body);
	return p.failed ? -1 : 0;
}

/* Every decision for one function; out_var reads which other functions
 * are translated (their calls want a native Vec). */
/* ---- str locals cut from a StrIx ----
 * c = s[i] and w = s[i:j] of a str with an rt::StrIx make a str each
 * time; a local that is only ever bound so and only read by tests (c ==
 * "x", c.isdigit(), w in ("if", "else"), len(w)) or as an item of the
 * result list is kept as the code point (a Rust char) or the span (start
 * and length in the StrIx), and its str is made only when it escapes
 * into the result. */

static bool is_char_test(const char *m)
{
	static const char *const tests[] = {"isdigit", "isalpha", "isalnum",
					    "isspace", "isupper", "islower"};
	for (size_t i = 0; i < sizeof(tests) / sizeof(*tests); i++)
		if (!strcmp(m, tests[i]))
			return true;
	return false;
}

static bool plain_lits(const struct ex *x)
{
	if (x->kind != EX_TUPLE && x->kind != EX_LIST && x->kind != EX_SET)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (x->a[i]->kind != EX_STR || ex_has_surrogate(x->a[i]))
			return false;
	return true;
}

/* A str-keyed dict held natively (d[t], t in d, d.get(t)). */
static bool str_dict(const struct ir_fn *fn, const struct ex *d)
{
	return d->kind == EX_NAME && !d->unwrap && d->ty->kind == TY_DICT &&
	       d->ty->sub[0]->kind == TY_STR && !fn->vars[d->var].is_view;
}

/* A comparison of var (how 'c': a char, 's': a span, 'r': a list item
 * kept where it is) the local answers. */
static bool local_test_ok(const struct ir_fn *fn, const struct ex *x, int var,
			  char how)
{
	const struct ex *l = x->a[0], *r = x->a[1];
	int op = x->cmp[0];

	if (op == CMP_EQ || op == CMP_NE) {
		if (ex_is_var(r, var)) {
			r = l;
			l = x->a[1];
		}
		if (!ex_is_var(l, var) || r->kind != EX_STR ||
		    ex_has_surrogate(r))
			return false;
		return how != 'c' || ex_one_char(r) >= 0;
	}
	if ((op == CMP_IN || op == CMP_NOTIN) && ex_is_var(l, var))
		return how == 'c'
			   ? r->kind == EX_STR && r->slen &&
				 !ex_has_surrogate(r)
			   : plain_lits(r) || (how == 'r' && str_dict(fn, r));
	return false;
}

/* Whether every read of var in x is one the local answers; item: x is
 * (part of) an item appended to the function's result list of objects. */
static bool local_uses_ok(const struct ir_fn *fn, const struct ex *x, int var,
			  char how, bool item)
{
	if (!x)
		return true;
	if (ex_is_var(x, var))
		return item;
	if (item && x->kind == EX_TUPLE) {
		for (size_t i = 0; i < x->n; i++)
			if (!local_uses_ok(fn, x->a[i], var, how, true))
				return false;
		return true;
	}
	if (item && x->kind == EX_IFEXP)
		return local_uses_ok(fn, x->a[0], var, how, true) &&
		       local_uses_ok(fn, x->a[1], var, how, false) &&
		       local_uses_ok(fn, x->a[2], var, how, true);
	if (fn->out_var >= 0 && is_append_of(x, fn->out_var) &&
	    (fn->vars[fn->out_var].ty->sub[0]->kind == TY_STR ||
	     fn->vars[fn->out_var].ty->sub[0]->kind == TY_TUPLE))
		return local_uses_ok(fn, x->a[1], var, how, true);
	if (x->kind == EX_CMP && x->n == 2 &&
	    (ex_is_var(x->a[0], var) || ex_is_var(x->a[1], var)))
		return local_test_ok(fn, x, var, how);
	if (how == 'c' && x->kind == EX_METHOD && x->n == 1 &&
	    ex_is_var(x->a[0], var))
		return is_char_test(x->sval);
	if (how != 'c' && ex_is_call(x, "len") && x->n == 1 &&
	    ex_is_var(x->a[0], var))
		return true;
	if (how == 'r' && x->kind == EX_BINOP && x->op == OP_ADD &&
	    x->ty->kind == TY_STR) {
		/* u + t: read as a &str (ex_str) */
		for (int i = 0; i < 2; i++)
			if (!ex_is_var(x->a[i], var) &&
			    !local_uses_ok(fn, x->a[i], var, how, false))
				return false;
		return true;
	}
	if (how == 'r' && x->n >= 2 && ex_is_var(x->a[1], var) &&
	    str_dict(fn, x->a[0]) &&
	    (x->kind == EX_INDEX ||
	     (x->kind == EX_METHOD && !strcmp(x->sval, "get") && x->n <= 3)))
		/* d[t], d.get(t[, default]) */
		return local_uses_ok(fn, x->n == 3 ? x->a[2] : NULL, var, how,
				     false);
	for (size_t i = 0; i < x->n; i++)
		if (!local_uses_ok(fn, x->a[i], var, how, false))
			return false;
	for (size_t i = 0; i < x->ncomp; i++) {
		const struct ir_comp *c = x->comp[i];
		if (ex_mentions(c->target, var) ||
		    !local_uses_ok(fn, c->iter, var, how, false))
			return false;
		for (size_t k = 0; k < c->nconds; k++)
			if (!local_uses_ok(fn, c->conds[k], var, how, false))
				return false;
	}
	return true;
}

/* A binding `var = s[i]` ('c') or `var = s[lo:hi]` ('s') of a str with
 * an rt::StrIx, printed by its SHAPE_STR_*_INTO; *src gets s. */
static bool local_bind_ok(const struct ir_fn *fn, const struct st *s, int var,
			  char how, int *src)
{
	const struct ex *v = s->value;

	if (how == 'r') /* bound by its loop only */
		return false;
	if (s->kind != ST_ASSIGN || s->ntargets != 1 ||
	    !ex_is_var(s->targets[0], var) ||
	    s->shape !=
		(how == 'c' ? SHAPE_STR_INDEX_INTO : SHAPE_STR_SLICE_INTO) ||
	    v->kind != (how == 'c' ? EX_INDEX : EX_SLICE) ||
	    (how == 's' && v->a[3]) || v->a[0]->kind != EX_NAME ||
	    !fn->vars[v->a[0]->var].is_strix)
		return false;
	if (*src >= 0 && *src != v->a[0]->var)
		return false;
	*src = v->a[0]->var;
	return true;
}

static bool local_block_ok(const struct ir_fn *fn, const struct block *blk,
			   int var, char how, int *src)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		if (how == 'r' && s->kind == ST_FOR &&
		    ex_is_var(s->target, var)) {
			/* for t in words: a list[str] argument read in place;
			 * for t in d[k]: a list of strs of a dict argument
			 * read in place (rt::StrItems) */
			const struct ex *it = s->iter;
			if (it->kind == EX_INDEX && it->a[0]->kind == EX_NAME &&
			    fn->vars[it->a[0]->var].is_dictview &&
			    it->ty->kind == TY_LIST &&
			    it->ty->sub[0]->kind == TY_STR &&
			    !ex_mentions(it->a[1], var)) {
				*src = it->a[0]->var;
			} else if (it->kind != EX_NAME || it->unwrap ||
				   !fn->vars[it->var].is_view ||
				   it->ty->sub[0]->kind != TY_STR) {
				return false;
			} else {
				*src = it->var;
			}
		} else if (how == 'c' && s->kind == ST_FOR &&
			   ex_is_var(s->target, var) &&
			   s->iter->ty->kind == TY_STR) {
			/* for c in s: one code point each time round */
			if (*src < 0)
				*src =
				    s->iter->kind == EX_NAME ? s->iter->var : 0;
			if (!local_uses_ok(fn, s->iter, var, how, false))
				return false;
		} else if (s->kind == ST_ASSIGN && s->ntargets >= 1 &&
			   ex_mentions(s->targets[0], var)) {
			if (!local_bind_ok(fn, s, var, how, src))
				return false;
			/* the binding's index or bounds */
			for (size_t k = 1; k < s->value->n; k++)
				if (!local_uses_ok(fn, s->value->a[k], var, how,
						   false))
					return false;
		} else {
			const struct ex *v = s->value;
			/* t = c.lower() into t's buffer, w += c.upper() onto
			 * w: the char as a str of its own (emit.c: ex_str) */
			bool cased = how == 'c' &&
				     (s->shape == SHAPE_STR_CASE_INTO ||
				      s->shape == SHAPE_STR_APPEND) &&
				     v && v->kind == EX_METHOD && v->n == 1 &&
				     ex_is_var(v->a[0], var) &&
				     (!strcmp(v->sval, "lower") ||
				      !strcmp(v->sval, "upper"));
			for (size_t k = 0; k < s->ntargets; k++)
				if (ex_mentions(s->targets[k], var))
					return false;
			if (ex_mentions(s->target, var) ||
			    (!cased &&
			     !local_uses_ok(fn, s->value, var, how, false)))
				return false;
		}
		if (!local_uses_ok(fn, s->cond, var, how, false) ||
		    !local_uses_ok(fn, s->iter, var, how, false) ||
		    !local_block_ok(fn, &s->body, var, how, src) ||
		    !local_block_ok(fn, &s->orelse, var, how, src))
			return false;
	}
	return true;
}

static void plan_str_locals(struct ir_fn *fn)
{
	for (size_t i = 0; i < fn->nvars; i++) {
		struct var *v = &fn->vars[i];
		int src = -1;
		if (v->is_param || v->is_comp || v->ty->kind != TY_STR ||
		    (int)i == fn->out_var)
			continue;
		if (local_block_ok(fn, &fn->body, (int)i, 'c', &src) &&
		    src >= 0) {
			v->is_char = true;
			continue;
		}
		src = -1;
		if (local_block_ok(fn, &fn->body, (int)i, 's', &src) &&
		    src >= 0) {
			v->is_span = true;
			v->span_src = src;
			continue;
		}
		src = -1;
		if (local_block_ok(fn, &fn->body, (int)i, 'r', &src) &&
		    src >= 0)
			v->is_sref = true;
	}
}

static void plan_fn(struct ir_module *m, struct ir_fn *fn)
{
	fn->out_var = plan_out_var(m, fn);
	plan_views(fn);
	plan_dictviews(fn);
	plan_strix(fn);
	fn->has_ticks = block_loops(&fn->body);
	fn->detach = plan_detach(fn);
	plan_block(fn, &fn->body, 0);
	plan_str_locals(fn);
}

/* A function kept in Python makes its callers stay too (types.c's
 * types_check_calls); a function's own refusals do not depend on the
 * others, so this settles in a round or two. The plans are made again at
 * the end: a result list is only for functions no translated function
 * calls, which is known only then. */
void plan_module(struct ir_module *m)
{
	for (int round = 0; round < 64; round++) {
		bool changed = false;
		for (size_t i = 0; i < m->nfns; i++) {
			struct ir_fn *fn = m->fns[i];
			if (!fn->is_ok || fn->reason)
				continue;
			plan_fn(m, fn);
			if (plan_check_fn(m, fn) < 0) {
				fn->is_ok = false;
				changed = true;
			}
		}
		if (!changed)
			break;
		types_check_calls(m);
	}
	for (size_t i = 0; i < m->nfns; i++)
		if (m->fns[i]->is_ok)
			plan_fn(m, m->fns[i]);
}

bool plan_py_form(struct ir_module *m, struct ir_fn *fn)
{
	bool called = false;

	if (!fn->is_ok || fn->py_form)
		return false;
	for (size_t i = 0; i < m->nfns && !called; i++)
		called =
		    m->fns[i]->is_ok && block_calls_fn(&m->fns[i]->body, fn);
	if (!called)
		return false; /* its one plan is already this one */
	fn->py_form = true;
	plan_fn(m, fn);
	if (fn->out_var >= 0 && plan_check_fn(m, fn) == 0)
		return true;
	/* the same as before, or not printable: the first form serves */
	free(fn->reason);
	fn->reason = NULL;
	fn->is_ok = true;
	fn->py_form = false;
	plan_fn(m, fn);
	return false;
}
