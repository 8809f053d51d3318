/*
 * oemit.c - object-tier IR -> Rust: a printer over the runtime in obj.rs.
 *
 * Every expression becomes a chain of owned temporaries (t1, t2, ...)
 * evaluated in Python's order, each operation the C-API call the
 * interpreter makes, its operands moved into it (so a value is released
 * when CPython's value stack would release it). Errors: q!(cx, 'label,
 * line, op) adds the traceback entry of the line and breaks to the
 * innermost error label: the function's exit, an except dispatch, a
 * finally or with exit path. Control leaving a try/finally, a with or an
 * except handler (return, break, continue) goes through a stack of
 * contexts that run their cleanup on the way out, as CPython's exception
 * table does. Nothing here refuses: olower.c decided what runs natively.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oir.h"

enum cx_kind { CX_LOOP, CX_FIN, CX_HANDLER, CX_FINEXC };

struct cx_exit {
	int code;
	int loop; /* loop id, or -1 for return */
	bool is_continue;
};

struct octx {
	enum cx_kind kind;
	int id;
	/* CX_FIN (try/finally and with): exits routed through fl<id> */
	struct cx_exit *exits;
	size_t nexits, capexits;
	int next_code;
	/* CX_HANDLER: the as-target to unbind, or NULL */
	struct onode *as;
};

struct oem {
	struct emitter *e;
	struct omod *m;
	struct ofn *fn;
	int ntmp;
	int nlab;
	struct octx *ctx;
	size_t nctx, capctx;
	int *errs; /* error label stack: 'x<id> */
	size_t nerrs, caperrs;
	bool *always_bound; /* per var: a parameter never unbound */
	bool *num; /* per var: an unboxed local (Option<o::V>, mark_nums) */
	struct hoist *hoist; /* the loop body being emitted with registers */
	/* inlined comprehensions around the code being emitted, outermost
	 * first: their traceback entries come with an error inside them */
	struct ocomp_at {
		int nested;
		const struct opos *pos; /* the comprehension expression */
		bool gen; /* an inlined generator expression: its entry is
			   * the last one its body's errors get here */
	} *comps;
	size_t ncomps, capcomps;
	struct buf tbring[4];
	unsigned tbnext;
};

static int tmp(struct oem *em)
{
	return ++em->ntmp;
}

static int lab(struct oem *em)
{
	return ++em->nlab;
}

static int err_top(struct oem *em)
{
	return em->errs[em->nerrs - 1];
}

static void err_push(struct oem *em, int id)
{
	if (em->nerrs == em->caperrs) {
		em->caperrs = em->caperrs ? em->caperrs * 2 : 8;
		em->errs = xrealloc(em->errs, em->caperrs * sizeof(int));
	}
	em->errs[em->nerrs++] = id;
}

static void err_pop(struct oem *em)
{
	em->nerrs--;
}

static struct octx *ctx_push(struct oem *em, enum cx_kind kind, int id)
{
	struct octx *c;

	if (em->nctx == em->capctx) {
		em->capctx = em->capctx ? em->capctx * 2 : 8;
		em->ctx = xrealloc(em->ctx, em->capctx * sizeof(*em->ctx));
	}
	c = &em->ctx[em->nctx++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->id = id;
	c->next_code = 3;
	return c;
}

static void ctx_pop(struct oem *em)
{
	struct octx *c = &em->ctx[--em->nctx];

	free(c->exits);
}

/* let t<N> = q!(cx, 'x<err>, line, <op>); */
#define POS(p) (p)->line, (p)->col, (p)->eline, (p)->ecol
#define POSF "(%d, %d, %d, %d)"

/* The traceback argument of an error at position at: the position, or
 * inside comprehensions a chain (innermost comprehension frame first)
 * and the function's own position (its outermost comprehension). */
static void tb_arg(struct oem *em, struct buf *b, const struct opos *at);

/* tb_arg as a string that lives until the fourth next call. */
static const char *tbs(struct oem *em, const struct opos *at)
{
	struct buf *b = &em->tbring[em->tbnext++ % 4];

	buf_reset(b);
	tb_arg(em, b, at);
	return b->data;
}

static void tb_arg(struct oem *em, struct buf *b, const struct opos *at)
{
	if (!em->ncomps) {
		buf_addf(b, POSF, POS(at));
		return;
	}
	buf_adds(b, "o::Tb::Comp(&[");
	for (size_t i = em->ncomps; i-- > 0;) {
		const struct opos *p =
		    i + 1 == em->ncomps ? at : em->comps[i + 1].pos;
		buf_addf(b, "(%d, " POSF "), ", em->comps[i].nested, POS(p));
		if (em->comps[i].gen) {
			/* the generator's consumer adds what is outside */
			buf_adds(b, "], None)");
			return;
		}
	}
	buf_addf(b, "], Some(" POSF "))", POS(em->comps[0].pos));
}

static int emit_q(struct oem *em, const struct opos *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int emit_q(struct oem *em, const struct opos *at, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int t = tmp(em);

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	{
		struct buf tb = BUF_INIT;
		tb_arg(em, &tb, at);
		emit_line(em->e, "let t%d = q!(cx, 'x%d, %s, %s);", t,
			  err_top(em), tb.data, b.data);
		buf_release(&tb);
	}
	buf_release(&b);
	return t;
}

/* q!(...) as a statement (the value, if any, is dropped). */
static void emit_qs(struct oem *em, const struct opos *at, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void emit_qs(struct oem *em, const struct opos *at, const char *fmt,
		    ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	{
		struct buf tb = BUF_INIT;
		tb_arg(em, &tb, at);
		emit_line(em->e, "q!(cx, 'x%d, %s, %s);", err_top(em), tb.data,
			  b.data);
		buf_release(&tb);
	}
	buf_release(&b);
}

static const char *binop_fn(int op, bool inplace)
{
	static const struct {
		int op;
		const char *f, *fi;
	} t[] = {
	    {OP_ADD, "add", "iadd"},
	    {OP_SUB, "sub", "isub"},
	    {OP_MUL, "mul", "imul"},
	    {OP_DIV, "truediv", "itruediv"},
	    {OP_FLOORDIV, "floordiv", "ifloordiv"},
	    {OP_MOD, "modulo", "imodulo"},
	    {OP_POW, "pow", "ipow"},
	    {OP_LSHIFT, "lshift", "ilshift"},
	    {OP_RSHIFT, "rshift", "irshift"},
	    {OP_BITAND, "and_", "iand"},
	    {OP_BITOR, "or_", "ior"},
	    {OP_BITXOR, "xor", "ixor"},
	    {OP_MATMUL, "matmul", "imatmul"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].op == op)
			return inplace ? t[i].fi : t[i].f;
	return "add";
}

static int ex(struct oem *em, struct onode *n);
static int ex_v(struct oem *em, struct onode *n);
static int ex_call_plain(struct oem *em, struct onode *n);
static int consumer_of(const struct oem *em, const struct onode *n);
static int ex_consume(struct oem *em, struct onode *n, int which);
static int ex_method_call(struct oem *em, struct onode *n, int obj);
static int ex_method_call_b(struct oem *em, struct onode *n, int obj,
			    bool bo);
static bool borrowable(struct oem *em, const struct onode *n);
static bool is_simple(const struct onode *n);
static int load_b(struct oem *em, struct onode *n);
static int cond(struct oem *em, struct onode *n);
static void store(struct oem *em, struct onode *target, int val);
static void block(struct oem *em, struct oblock *b);

static const char *var_r(struct oem *em, int var)
{
	return em->fn->vars[var].rname;
}

/* A loop run with float attributes of one local object in registers
 * (hoist_plan; obj.rs "float attributes held in registers"). */
struct hoist {
	int id;	    /* h<id>_<k>: the registers, d<id>_<k>: stored */
	int recv;   /* the object's variable */
	int *names; /* the attributes (name constants), k = index */
	size_t n;
	int *sqrts; /* M of the M.sqrt(x) calls (name constants) */
	size_t nsqrts;
	int sqrt_k; /* the name constant "sqrt" */
	/* per var: read by the body before it assigns it (guarded when the
	 * loop starts), and whether it holds a float there */
	bool *guard, *isfloat;
};

/* The register of n (recv.name) in the body being emitted, or -1. */
static int hoist_reg(const struct oem *em, const struct onode *n)
{
	const struct hoist *h = em->hoist;

	if (!h || n->kind != ON_ATTR || n->a[0]->kind != ON_NAME ||
	    n->a[0]->sym.kind != SYM_LOCAL || n->a[0]->sym.var != h->recv)
		return -1;
	for (size_t k = 0; k < h->n; k++)
		if (h->names[k] == n->name)
			return (int)k;
	return -1;
}

/* n is M.sqrt(x) of a global M (math's, checked when a loop holding
 * registers starts): the node of x, else NULL. */
static struct onode *sqrt_arg(const struct omod *m, const struct onode *n)
{
	const struct onode *c = n->kind == ON_CALL ? n->a[0] : NULL;
	const struct oconst *k;

	if (!c || c->kind != ON_ATTR || c->a[0]->kind != ON_NAME ||
	    c->a[0]->sym.kind != SYM_GLOBAL || n->nargs != 1 ||
	    n->args[0].kind != OARG_POS)
		return NULL;
	k = &m->consts[c->name];
	if (k->kind != OK_NAME || k->len != 4 || memcmp(k->text, "sqrt", 4))
		return NULL;
	return n->args[0].v;
}

/* n is sqrt(x) of a global named sqrt (from math import sqrt): the node
 * of x, else NULL. Which function the name holds is checked when the
 * call runs (o::fsqrt). */
static struct onode *sqrt_name_arg(const struct omod *m, const struct onode *n)
{
	const struct onode *c = n->kind == ON_CALL ? n->a[0] : NULL;
	const struct oconst *k;

	if (!c || c->kind != ON_NAME || c->sym.kind != SYM_GLOBAL ||
	    n->nargs != 1 || n->args[0].kind != OARG_POS)
		return NULL;
	k = &m->consts[c->sym.name];
	if (k->kind != OK_NAME || k->len != 4 || memcmp(k->text, "sqrt", 4))
		return NULL;
	return n->args[0].v;
}

/* A plain local held unboxed (o::V). */
static bool is_num(const struct oem *em, const struct osym *y)
{
	return y->kind == SYM_LOCAL && em->num && em->num[y->var];
}

static int load_name(struct oem *em, struct onode *n)
{
	struct osym *y = &n->sym;

	switch (y->kind) {
	case SYM_LOCAL:
		if (is_num(em, y))
			return emit_q(em, &n->pos, "o::ldv(&mut %s, K[%d], %s)",
				      var_r(em, y->var), y->name,
				      y->in_comp ? "true" : "false");
		return emit_q(em, &n->pos, "o::%s(&%s, K[%d])",
			      y->in_comp ? "ld_outer" : "ld",
			      var_r(em, y->var), y->name);
	case SYM_CELL:
		return emit_q(em, &n->pos, "o::ld_cell(&%s, K[%d], %s)",
			      var_r(em, y->var), y->name,
			      y->in_comp ? "true" : "false");
	case SYM_FREE:
		return emit_q(em, &n->pos, "o::ld_free(cx, %d, K[%d])", y->free,
			      y->name);
	default:
		emit_open(em->e, "let t%d = {", em->ntmp + 1);
		emit_line(em->e, "static mut GC: o::GC = o::GC::NEW;");
		emit_line(em->e,
			  "q!(cx, 'x%d, %s, o::ld_global_c(cx, K[%d], "
			  "std::ptr::addr_of_mut!(GC)))",
			  err_top(em), tbs(em, &n->pos), y->name);
		emit_close(em->e, ";");
		return tmp(em);
	}
}

/* Whether every argument of n from i on is simple (cannot rebind a
 * local). */
static bool args_simple_from(const struct onode *n, size_t i)
{
	for (; i < n->nargs; i++)
		if (!is_simple(n->args[i].v))
			return false;
	return true;
}

/* The arguments of a call without stars, left to right, into ts; bor[i]
 * when argument i is borrowed (a constant, or a plain local no later
 * argument can rebind: the callee cannot). Whether any is. */
static bool call_args(struct oem *em, struct onode *n, int *ts, bool *bor)
{
	bool any = false;

	for (size_t i = 0; i < n->nargs; i++) {
		struct onode *v = n->args[i].v;
		bor[i] = v->kind == ON_CONST ||
			 (borrowable(em, v) && args_simple_from(n, i + 1));
		ts[i] = bor[i] ? load_b(em, v) : ex(em, v);
		any |= bor[i];
	}
	return any;
}

/* The owned and borrowed argument arrays of call_x / call_method_x after
 * `free` free slots. */
static void arg_arrays(struct buf *own, struct buf *bb, const int *ts,
		       const bool *bor, size_t n, int free)
{
	buf_adds(own, "[");
	buf_adds(bb, "[");
	for (int i = 0; i < free; i++) {
		buf_adds(own, i ? ", None" : "None");
		buf_adds(bb, i ? ", o::NP" : "o::NP");
	}
	for (size_t i = 0; i < n; i++) {
		if (bor[i]) {
			buf_adds(own, ", None");
			buf_addf(bb, ", t%d", ts[i]);
		} else {
			buf_addf(own, ", Some(t%d)", ts[i]);
			buf_adds(bb, ", o::NP");
		}
	}
	buf_adds(own, "]");
	buf_adds(bb, "]");
}

/* [None, Some(t1), ...] for vectorcall (slot 0 free). */
static void arg_array(struct buf *b, const int *ts, size_t n)
{
	buf_adds(b, "[None");
	for (size_t i = 0; i < n; i++)
		buf_addf(b, ", Some(t%d)", ts[i]);
	buf_adds(b, "]");
}

static int ex_super0(struct oem *em, struct onode *n)
{
	struct ofn *fn = em->fn;
	int f = ex(em, n->a[0]);
	int first = tmp(em);
	int cls = -1;

	if (fn->npos > 0) {
		struct ovar *v = &fn->vars[fn->params[0]];
		if (v->is_cell)
			emit_line(em->e,
				  "let t%d: Option<o::O> = o::ld_cell(&%s, "
				  "K[%d], false).ok();",
				  first, v->rname, v->pname);
		else
			emit_line(em->e, "let t%d: Option<o::O> = %s.clone();",
				  first, v->rname);
		emit_line(em->e, "if t%d.is_none() { unsafe { pyo3::ffi::PyErr_Clear(); } }", first);
	} else {
		emit_line(em->e, "let t%d: Option<o::O> = None;", first);
	}
	for (size_t i = 0; i < fn->nfree; i++)
		if (!strcmp(fn->freevars[i], "__class__"))
			cls = (int)i;
	if (cls >= 0)
		return emit_q(em, &n->pos, "o::super0(cx, t%d, t%d, Some(%d))",
			      f, first, cls);
	return emit_q(em, &n->pos, "o::super0(cx, t%d, t%d, None)", f, first);
}

/* locals() of the native function: a snapshot dict, in CPython's order
 * (parameters, then the other locals by name, cells, free variables). */
static int locals_dict(struct oem *em, struct onode *n)
{
	struct ofn *fn = em->fn;
	int d = emit_q(em, &n->pos, "o::dict_new()");
	int *order = xcalloc(fn->nvars + 1, sizeof(int));
	size_t k = 0;

	for (size_t i = 0; i < fn->nparams; i++)
		order[k++] = fn->params[i];
	for (int pass = 0; pass < 2; pass++) {
		size_t from = k;
		for (size_t i = 0; i < fn->nvars; i++) {
			struct ovar *v = &fn->vars[i];
			if (v->is_param || v->is_comp || v->is_cell != (pass == 1))
				continue;
			order[k++] = (int)i;
		}
		for (size_t a = from + 1; a < k; a++)
			for (size_t b = a; b > from &&
					   strcmp(fn->vars[order[b - 1]].name,
						  fn->vars[order[b]].name) > 0;
			     b--) {
				int t = order[b];
				order[b] = order[b - 1];
				order[b - 1] = t;
			}
	}
	for (size_t i = 0; i < k; i++) {
		struct ovar *v = &fn->vars[order[i]];
		emit_qs(em, &n->pos, "o::locals_add%s(&t%d, K[%d], &%s%s)",
			v->is_cell		  ? "_cell"
			: em->num[order[i]] ? "v"
					    : "",
			d, v->pname, em->num[order[i]] ? "mut " : "", v->rname);
	}
	for (size_t i = 0; i < fn->nfree; i++)
		emit_qs(em, &n->pos, "o::locals_add_free(cx, &t%d, K[%d], %zu)",
			d, omod_name(em->m, fn->freevars[i]), i);
	free(order);
	return d;
}

/* globals(), locals(), vars(), dir(), eval(s), exec(s): when the name is
 * still the builtin, answered for this function's own frame. */
static int frame_builtin(const struct oem *em, const struct onode *n)
{
	static const char *names[] = {"globals", "locals", "vars",
				      "dir",	 "eval",   "exec"};
	const char *name;

	if (n->a[0]->kind != ON_NAME || n->a[0]->sym.kind != SYM_GLOBAL)
		return -1;
	name = em->m->consts[n->a[0]->sym.name].text;
	for (int i = 0; i < 6; i++) {
		if (strcmp(name, names[i]))
			continue;
		if (i < 4 && n->nargs == 0)
			return i;
		if (i >= 4 && n->nargs == 1 && n->args[0].kind == OARG_POS)
			return i;
	}
	return -1;
}

static int ex_frame_call(struct oem *em, struct onode *n, int which)
{
	int f = ex(em, n->a[0]);
	int arg = n->nargs ? ex(em, n->args[0].v) : -1;
	int r = tmp(em);

	emit_line(em->e, "let t%d: o::O;", r);
	emit_open(em->e, "if o::is_frame_builtin(&t%d, %d) {", f, which);
	if (which == 0) {
		emit_line(em->e, "t%d = o::globals_of(cx);", r);
	} else if (which < 3) {
		emit_line(em->e, "t%d = t%d;", r, locals_dict(em, n));
	} else if (which == 3) {
		int d = locals_dict(em, n);
		emit_line(em->e, "t%d = t%d;", r,
			  emit_q(em, &n->pos, "o::sorted_keys(t%d)", d));
	} else {
		int d = locals_dict(em, n);
		int g = tmp(em);
		emit_line(em->e, "let t%d = o::globals_of(cx);", g);
		emit_line(em->e, "t%d = t%d;", r,
			  emit_q(em, &n->pos,
				 "o::call(t%d, [None, Some(t%d), Some(t%d), "
				 "Some(t%d)])",
				 f, arg, g, d));
	}
	emit_close(em->e, NULL);
	emit_open(em->e, "else {");
	if (arg >= 0)
		emit_line(em->e, "t%d = t%d;", r,
			  emit_q(em, &n->pos, "o::call(t%d, [None, Some(t%d)])",
				 f, arg));
	else
		emit_line(em->e, "t%d = t%d;", r,
			  emit_q(em, &n->pos, "o::call(t%d, [None])", f));
	emit_close(em->e, NULL);
	return r;
}

static int ex_call(struct oem *em, struct onode *n)
{
	int which = frame_builtin(em, n);

	if (which >= 0)
		return ex_frame_call(em, n, which);
	return ex_call_plain(em, n);
}

/* The kwnames tuple constant of a call's keyword arguments (one per set
 * of names). */
static int kwnames_const(struct oem *em, struct onode *n, size_t nkw)
{
	struct buf key = BUF_INIT;
	struct oconst *c;
	int kw;

	for (size_t i = 0; i < n->nargs; i++)
		if (n->args[i].kind == OARG_KW)
			buf_addf(&key, "%d,", n->args[i].name);
	kw = omod_const(em->m, OK_KWNAMES, key.data, key.len);
	c = &em->m->consts[kw];
	if (!c->nnames) {
		c->names = arena_alloc(em->m->arena, nkw * sizeof(int));
		for (size_t i = 0; i < n->nargs; i++)
			if (n->args[i].kind == OARG_KW)
				c->names[c->nnames++] = n->args[i].name;
	}
	buf_release(&key);
	return kw;
}

static int ex_call_plain(struct oem *em, struct onode *n)
{
	struct onode *callee = n->a[0];
	bool simple = true;
	size_t nkw = 0;
	int *ts, r;
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n->nargs; i++) {
		enum oarg_kind k = n->args[i].kind;
		if (k == OARG_STAR || k == OARG_DSTAR)
			simple = false;
		if (k == OARG_KW)
			nkw++;
	}
	if (callee->kind == ON_NAME && callee->sym.kind == SYM_GLOBAL &&
	    n->nargs == 0 &&
	    !strcmp(em->m->consts[callee->sym.name].text, "super"))
		return ex_super0(em, n);
	{
		int which = consumer_of(em, n);
		if (which >= 0)
			return ex_consume(em, n, which);
	}
	if (simple && callee->kind == ON_ATTR) {
		bool bo = borrowable(em, callee->a[0]) &&
			  args_simple_from(n, 0);
		return ex_method_call_b(em, n,
					bo ? load_b(em, callee->a[0])
					   : ex(em, callee->a[0]),
					bo);
	}
	ts = xcalloc(n->nargs + 2, sizeof(int));
	{
		int f = ex(em, callee);
		if (simple) {
			bool *bor = xcalloc(n->nargs + 1, sizeof(bool));
			if (call_args(em, n, ts, bor)) {
				struct buf bb = BUF_INIT;
				arg_arrays(&b, &bb, ts, bor, n->nargs, 1);
				if (nkw)
					r = emit_q(em, &n->pos,
						   "o::call_x(t%d, %s, %s, "
						   "K[%d])",
						   f, b.data, bb.data,
						   kwnames_const(em, n, nkw));
				else
					r = emit_q(em, &n->pos,
						   "o::call_x(t%d, %s, %s, "
						   "o::NP)",
						   f, b.data, bb.data);
				buf_release(&bb);
				free(bor);
				goto out;
			}
			free(bor);
			arg_array(&b, ts, n->nargs);
			if (!nkw) {
				r = emit_q(em, &n->pos, "o::call(t%d, %s)", f,
					   b.data);
			} else {
				int kw = kwnames_const(em, n, nkw);
				r = emit_q(em, &n->pos, "o::callk(t%d, %s, K[%d])",
					   f, b.data, kw);
			}
			goto out;
		}
		{
			bool has_kw = false;
			int l, d = -1;
			size_t npos = 0; /* positional parts, starred or not */
			for (size_t i = 0; i < n->nargs; i++) {
				if (n->args[i].kind == OARG_KW ||
				    n->args[i].kind == OARG_DSTAR)
					has_kw = true;
				else
					npos++;
			}
			l = emit_q(em, &n->pos, "o::args_new()");
			if (has_kw)
				d = emit_q(em, &n->pos, "o::kwargs_new()");
			for (size_t i = 0; i < n->nargs; i++) {
				struct oarg *g = &n->args[i];
				int v = ex(em, g->v);
				switch (g->kind) {
				case OARG_POS:
					emit_qs(em, &n->pos,
						"o::args_push(&t%d, t%d)", l, v);
					break;
				case OARG_STAR:
					emit_qs(em, &n->pos,
						"o::args_star(&t%d, &t%d, t%d, "
						"%s)",
						f, l, v,
						npos == 1 ? "true" : "false");
					break;
				case OARG_KW:
					emit_qs(em, &n->pos,
						"o::kwargs_set(&t%d, &t%d, "
						"K[%d], t%d)",
						f, d, g->name, v);
					break;
				case OARG_DSTAR:
					emit_qs(em, &n->pos,
						"o::kwargs_merge(&t%d, &t%d, "
						"t%d)",
						f, d, v);
					break;
				}
			}
			if (has_kw)
				r = emit_q(em, &n->pos,
					   "o::call_ex(t%d, t%d, Some(t%d))", f,
					   l, d);
			else
				r = emit_q(em, &n->pos,
					   "o::call_ex(t%d, t%d, None)", f, l);
		}
	}
out:
	free(ts);
	buf_release(&b);
	return r;
}

/* obj.m(args) without stars: LOAD_METHOD (the method looked up before
 * the arguments run, no bound method made), then the call. */
static int ex_method_call(struct oem *em, struct onode *n, int obj)
{
	return ex_method_call_b(em, n, obj, false);
}

/* The same with obj borrowed (bo: an o::P of a plain local; the caller
 * checked that no argument can rebind it), and arguments borrowed where
 * they can be (call_args). */
static int ex_method_call_b(struct oem *em, struct onode *n, int obj,
			    bool bo)
{
	struct onode *callee = n->a[0];
	struct buf b = BUF_INIT;
	size_t nkw = 0;
	int *ts = xcalloc(n->nargs + 1, sizeof(int));
	bool *bor = xcalloc(n->nargs + 1, sizeof(bool));
	int m = tmp(em), r;
	bool any;

	emit_open(em->e, "let t%d = {", m);
	emit_line(em->e, "static mut MC: o::MC = o::MC::NEW;");
	emit_line(em->e,
		  "q!(cx, 'x%d, %s, o::method_c%s(t%d, K[%d], "
		  "std::ptr::addr_of_mut!(MC)))",
		  err_top(em), tbs(em, &callee->pos), bo ? "x" : "", obj,
		  callee->name);
	emit_close(em->e, ";");
	any = call_args(em, n, ts, bor);
	for (size_t i = 0; i < n->nargs; i++)
		nkw += n->args[i].kind == OARG_KW;
	if (bo || any) {
		struct buf bb = BUF_INIT;
		char kw[32] = "o::NP";
		if (nkw)
			snprintf(kw, sizeof(kw), "K[%d]",
				 kwnames_const(em, n, nkw));
		arg_arrays(&b, &bb, ts, bor, n->nargs, 2);
		r = emit_q(em, &n->pos, "o::call_method_x(t%d, %s, %s, %s)", m,
			   b.data, bb.data, kw);
		buf_release(&bb);
		free(ts);
		free(bor);
		buf_release(&b);
		return r;
	}
	free(bor);
	buf_adds(&b, "[None, None");
	for (size_t i = 0; i < n->nargs; i++)
		buf_addf(&b, ", Some(t%d)", ts[i]);
	buf_adds(&b, "]");
	if (nkw)
		r = emit_q(em, &n->pos, "o::call_method(t%d, %s, K[%d])", m,
			   b.data, kwnames_const(em, n, nkw));
	else
		r = emit_q(em, &n->pos,
			   "o::call_method(t%d, %s, std::ptr::null_mut())", m,
			   b.data);
	free(ts);
	buf_release(&b);
	return r;
}

static bool has_star(struct onode *n)
{
	for (size_t i = 0; i < n->n; i++)
		if (n->a[i] && n->a[i]->kind == ON_STAR)
			return true;
	return false;
}

static void temps_list(struct buf *b, const int *ts, size_t n)
{
	buf_addch(b, '[');
	for (size_t i = 0; i < n; i++)
		buf_addf(b, "%st%d", i ? ", " : "", ts[i]);
	buf_addch(b, ']');
}

static int ex_display(struct oem *em, struct onode *n)
{
	struct buf b = BUF_INIT;
	int *ts = xcalloc(n->n + 1, sizeof(int));
	int r;

	if (n->kind != ON_SET && !has_star(n)) {
		for (size_t i = 0; i < n->n; i++)
			ts[i] = ex(em, n->a[i]);
		temps_list(&b, ts, n->n);
		r = emit_q(em, &n->pos, "o::%s(%s)",
			   n->kind == ON_LIST ? "list_of" : "tuple_of", b.data);
		goto out;
	}
	if (n->kind == ON_SET) {
		/* BUILD_SET evaluates a run of items, then adds them. */
		r = emit_q(em, &n->pos, "o::set_new()");
		for (size_t i = 0; i < n->n;) {
			size_t j = i, k = 0;
			if (n->a[i]->kind == ON_STAR) {
				int v = ex(em, n->a[i]->a[0]);
				emit_qs(em, &n->pos, "o::set_update(&t%d, t%d)",
					r, v);
				i++;
				continue;
			}
			while (j < n->n && n->a[j]->kind != ON_STAR)
				ts[k++] = ex(em, n->a[j++]);
			for (size_t q = 0; q < k; q++)
				emit_qs(em, &n->pos, "o::set_add(&t%d, t%d)", r,
					ts[q]);
			i = j;
		}
		goto out;
	}
	r = emit_q(em, &n->pos, "o::list_of([])");
	for (size_t i = 0; i < n->n; i++) {
		if (n->a[i]->kind == ON_STAR) {
			int v = ex(em, n->a[i]->a[0]);
			emit_qs(em, &n->pos, "o::list_extend(&t%d, t%d)", r, v);
		} else {
			int v = ex(em, n->a[i]);
			emit_qs(em, &n->pos, "o::list_append(&t%d, t%d)", r, v);
		}
	}
	if (n->kind == ON_TUPLE)
		r = emit_q(em, &n->pos, "o::list_to_tuple(t%d)", r);
out:
	free(ts);
	buf_release(&b);
	return r;
}

static int ex_dict(struct oem *em, struct onode *n)
{
	int r = emit_q(em, &n->pos, "o::dict_new()");
	int *ts = xcalloc(n->n + 1, sizeof(int));

	for (size_t i = 0; i < n->n;) {
		size_t j = i, k = 0;
		if (!n->a[i]) {
			int v = ex(em, n->a[i + 1]);
			emit_qs(em, &n->pos, "o::dict_update(&t%d, t%d)", r, v);
			i += 2;
			continue;
		}
		/* BUILD_MAP: a run of pairs is evaluated, then inserted. */
		while (j < n->n && n->a[j]) {
			ts[k++] = ex(em, n->a[j]);
			ts[k++] = ex(em, n->a[j + 1]);
			j += 2;
		}
		for (size_t q = 0; q < k; q += 2)
			emit_qs(em, &n->pos, "o::dict_set(&t%d, t%d, t%d)", r,
				ts[q], ts[q + 1]);
		i = j;
	}
	free(ts);
	return r;
}

static int ex_bool(struct oem *em, struct onode *n)
{
	int r = tmp(em);
	int a = ex(em, n->a[0]);
	int b = tmp(em);

	emit_line(em->e, "let t%d: o::O;", r);
	emit_line(em->e, "let t%d = q!(cx, 'x%d, %s, o::truth_ref(&t%d));", b,
		  err_top(em), tbs(em, &n->pos), a);
	emit_open(em->e, "if %st%d {", n->op == 'o' ? "" : "!", b);
	emit_line(em->e, "t%d = t%d;", r, a);
	emit_close(em->e, NULL);
	emit_open(em->e, "else {");
	emit_line(em->e, "drop(t%d);", a);
	{
		int c = ex(em, n->a[1]);
		emit_line(em->e, "t%d = t%d;", r, c);
	}
	emit_close(em->e, NULL);
	return r;
}

/* (a, b) < (c, d): two tuple displays of one length compared by < <= >
 * >= == != */
static bool tuple_cmp(const struct onode *n)
{
	const struct onode *l, *r;

	if (n->kind != ON_CMP || n->n != 2 || n->cmp[0] < 1 || n->cmp[0] > 6)
		return false;
	l = n->a[0];
	r = n->a[1];
	return l->kind == ON_TUPLE && r->kind == ON_TUPLE && l->n == r->n &&
	       l->n > 0 && !has_star((struct onode *)l) &&
	       !has_star((struct onode *)r);
}

/* Every item evaluated left to right as the displays would be, then
 * compared as tuplerichcompare does, without making the tuples: the
 * first pair not identical nor equal decides (== and != by that alone),
 * equal all along decides by length. A bool b<id> for a condition, else
 * a t<id>. b: the condition's bool, or -1 for a value. */
static int ex_tuple_cmp(struct oem *em, struct onode *n, int b)
{
	size_t k = n->a[0]->n;
	int *ts = xcalloc(2 * k + 1, sizeof(int));
	struct buf l = BUF_INIT, r = BUF_INIT;
	int v;

	for (size_t i = 0; i < 2 * k; i++)
		ts[i] = ex(em, n->a[i / k]->a[i % k]);
	temps_list(&l, ts, k);
	temps_list(&r, ts + k, k);
	if (b >= 0) {
		v = b;
		emit_line(em->e,
			  "let b%d = q!(cx, 'x%d, %s, o::cmp_tuples_bool(%s, "
			  "%s, %d));",
			  v, err_top(em), tbs(em, &n->pos), l.data, r.data,
			  n->cmp[0]);
	} else {
		v = emit_q(em, &n->pos, "o::cmp_tuples(%s, %s, %d)", l.data,
			   r.data, n->cmp[0]);
	}
	buf_release(&l);
	buf_release(&r);
	free(ts);
	return v;
}

/* a < b < c as a value: the first false comparison's result. */
static int ex_cmp_from(struct oem *em, struct onode *n, size_t i, int left)
{
	int right = ex(em, n->a[i + 1]);
	int c, r, t;

	if (i + 2 == n->n)
		return emit_q(em, &n->pos, "o::cmp(t%d, t%d, %d)", left, right,
			      n->cmp[i]);
	c = emit_q(em, &n->pos, "o::cmp(t%d, t%d.clone(), %d)", left, right,
		   n->cmp[i]);
	r = tmp(em);
	t = tmp(em);
	emit_line(em->e, "let t%d: o::O;", r);
	emit_line(em->e, "let t%d = q!(cx, 'x%d, %s, o::truth_ref(&t%d));", t,
		  err_top(em), tbs(em, &n->pos), c);
	emit_open(em->e, "if !t%d {", t);
	emit_line(em->e, "t%d = t%d;", r, c);
	emit_close(em->e, NULL);
	emit_open(em->e, "else {");
	emit_line(em->e, "drop(t%d);", c);
	emit_line(em->e, "t%d = t%d;", r, ex_cmp_from(em, n, i + 1, right));
	emit_close(em->e, NULL);
	return r;
}

static int ex_ifexp(struct oem *em, struct onode *n)
{
	int r = tmp(em);
	int c;

	emit_line(em->e, "let t%d: o::O;", r);
	c = cond(em, n->a[1]);
	emit_open(em->e, "if b%d {", c);
	{
		int v = ex(em, n->a[0]);
		emit_line(em->e, "t%d = t%d;", r, v);
	}
	emit_close(em->e, NULL);
	emit_open(em->e, "else {");
	{
		int v = ex(em, n->a[2]);
		emit_line(em->e, "t%d = t%d;", r, v);
	}
	emit_close(em->e, NULL);
	return r;
}

/* The closure tuple of nested code k, or "None". */
static void closure_arg(struct oem *em, struct buf *b, int k,
			const struct opos *at)
{
	struct onested *d = &em->fn->nested[k];
	int *ts;

	if (!d->nfree) {
		buf_adds(b, "None");
		return;
	}
	ts = xcalloc(d->nfree, sizeof(int));
	for (size_t i = 0; i < d->nfree; i++) {
		ts[i] = tmp(em);
		if (d->cells[i].kind == SYM_CELL)
			emit_line(em->e, "let t%d = %s.clone();", ts[i],
				  var_r(em, d->cells[i].var));
		else
			emit_line(em->e, "let t%d = o::free_cell(cx, %d);",
				  ts[i], d->cells[i].free);
	}
	{
		struct buf l = BUF_INIT;
		int t;
		temps_list(&l, ts, d->nfree);
		t = emit_q(em, at, "o::tuple_of(%s)", l.data);
		buf_addf(b, "Some(t%d)", t);
		buf_release(&l);
	}
	free(ts);
}

static int ex_func(struct oem *em, struct onode *n)
{
	int *decs = xcalloc(n->ndecorators + 1, sizeof(int));
	struct buf b = BUF_INIT, defs = BUF_INIT, kwd = BUF_INIT;
	int f;

	for (size_t i = 0; i < n->ndecorators; i++)
		decs[i] = ex(em, n->decorators[i]);
	if (n->ndefaults) {
		int *ts = xcalloc(n->ndefaults, sizeof(int));
		struct buf l = BUF_INIT;
		int t;
		for (size_t i = 0; i < n->ndefaults; i++)
			ts[i] = ex(em, n->defaults[i]);
		temps_list(&l, ts, n->ndefaults);
		t = emit_q(em, &n->pos, "o::tuple_of(%s)", l.data);
		buf_addf(&defs, "Some(t%d)", t);
		buf_release(&l);
		free(ts);
	} else {
		buf_adds(&defs, "None");
	}
	if (n->nkwdefaults) {
		int d = emit_q(em, &n->pos, "o::dict_new()");
		for (size_t i = 0; i < n->nkwdefaults; i++) {
			int v = ex(em, n->kwdefaults[i].v);
			int k = tmp(em);
			emit_line(em->e, "let t%d = o::k(K[%d]);", k,
				  n->kwdefaults[i].name);
			emit_qs(em, &n->pos, "o::dict_set(&t%d, t%d, t%d)", d,
				k, v);
		}
		buf_addf(&kwd, "Some(t%d)", d);
	} else {
		buf_adds(&kwd, "None");
	}
	closure_arg(em, &b, n->nested, &n->pos);
	f = emit_q(em, &n->pos, "o::make_fn(cx, %d, %s, %s, %s)", n->nested,
		   defs.data, kwd.data, b.data);
	for (size_t i = n->ndecorators; i-- > 0;)
		f = emit_q(em, &n->pos, "o::call(t%d, [None, Some(t%d)])",
			   decs[i], f);
	if (n->native && n->native->is_ok) {
		/* only ever called here: the function made, then its native
		 * version (the function itself when it does not bind) */
		int t = tmp(em);
		n->native->is_emitted = true;
		emit_open(em->e, "let t%d = {", t);
		emit_line(em->e, "static mut NC: o::NC = o::NC::NEW;");
		emit_line(em->e,
			  "q!(cx, 'x%d, %s, o::native_def(&S_%d, t%d, "
			  "std::ptr::addr_of_mut!(NC)))",
			  err_top(em), tbs(em, &n->pos), n->native->index, f);
		emit_close(em->e, ";");
		f = t;
	}
	free(decs);
	buf_release(&b);
	buf_release(&defs);
	buf_release(&kwd);
	return f;
}


/* LOAD_BUILD_CLASS, then __build_class__(body, name, *bases, **kw). */
static int ex_class(struct oem *em, struct onode *n)
{
	int *decs = xcalloc(n->ndecorators + 1, sizeof(int));
	struct buf b = BUF_INIT;
	int bc, body, name, l, d = -1, cls;
	bool has_kw = false;

	for (size_t i = 0; i < n->ndecorators; i++)
		decs[i] = ex(em, n->decorators[i]);
	bc = emit_q(em, &n->pos, "o::build_class(cx)");
	closure_arg(em, &b, n->nested, &n->pos);
	body = emit_q(em, &n->pos, "o::make_fn(cx, %d, None, None, %s)",
		      n->nested, b.data);
	name = tmp(em);
	emit_line(em->e, "let t%d = o::k(K[%d]);", name, n->name);
	l = emit_q(em, &n->pos, "o::args_new()");
	emit_qs(em, &n->pos, "o::args_push(&t%d, t%d)", l, body);
	emit_qs(em, &n->pos, "o::args_push(&t%d, t%d)", l, name);
	for (size_t i = 0; i < n->nargs; i++)
		if (n->args[i].kind == OARG_KW || n->args[i].kind == OARG_DSTAR)
			has_kw = true;
	if (has_kw)
		d = emit_q(em, &n->pos, "o::kwargs_new()");
	for (size_t i = 0; i < n->nargs; i++) {
		struct oarg *g = &n->args[i];
		int v = ex(em, g->v);
		switch (g->kind) {
		case OARG_POS:
			emit_qs(em, &n->pos, "o::args_push(&t%d, t%d)", l, v);
			break;
		case OARG_STAR:
			/* (a class's bases come after the body and name:
			 * never alone) */
			emit_qs(em, &n->pos,
				"o::args_star(&t%d, &t%d, t%d, false)", bc, l, v);
			break;
		case OARG_KW:
			emit_qs(em, &n->pos,
				"o::kwargs_set(&t%d, &t%d, K[%d], t%d)", bc, d,
				g->name, v);
			break;
		case OARG_DSTAR:
			emit_qs(em, &n->pos, "o::kwargs_merge(&t%d, &t%d, t%d)",
				bc, d, v);
			break;
		}
	}
	if (has_kw)
		cls = emit_q(em, &n->pos, "o::call_ex(t%d, t%d, Some(t%d))", bc,
			     l, d);
	else
		cls = emit_q(em, &n->pos, "o::call_ex(t%d, t%d, None)", bc, l);
	for (size_t i = n->ndecorators; i-- > 0;)
		cls = emit_q(em, &n->pos, "o::call(t%d, [None, Some(t%d)])",
			     decs[i], cls);
	free(decs);
	buf_release(&b);
	return cls;
}

/* What a comprehension's loop does with each element: the
 * comprehension's own LIST_APPEND / SET_ADD / MAP_ADD, or, for a
 * generator expression run inline, its consumer's step. */
enum sink_kind {
	SINK_LIST,
	SINK_SET,
	SINK_DICT,
	SINK_SUM,
	SINK_ANY,
	SINK_ALL,
	SINK_MIN,
	SINK_MAX,
};

struct sink {
	enum sink_kind kind;
	int acc;	       /* t<acc> (a Rust bool b<acc> for any/all) */
	int glab;	       /* 'g<glab>: the consumer stops early */
	bool gen;	       /* an inlined generator expression */
	const struct opos *at; /* the consumer's call */
	size_t outer_ncomps;   /* the consumer's context */
	int outer_err;
};

static void comp_clause(struct oem *em, struct ocomp *c, size_t i, int it0,
			struct sink *sk, const struct opos *at);

static int ex_comp(struct oem *em, struct onode *n)
{
	struct ocomp *c = n->comp;
	struct sink sk = {0};

	if (c->kind == COMP_GEN) {
		struct buf b = BUF_INIT;
		int it = ex(em, c->clauses[0].iter);
		int i = emit_q(em, &n->pos, "o::iter(t%d)", it);
		int g;
		closure_arg(em, &b, c->nested, &n->pos);
		g = emit_q(em, &n->pos, "o::make_fn(cx, %d, None, None, %s)",
			   c->nested, b.data);
		buf_release(&b);
		return emit_q(em, &n->pos, "o::call(t%d, [None, Some(t%d)])", g,
			      i);
	}
	sk.kind = c->kind == COMP_LIST	 ? SINK_LIST
		  : c->kind == COMP_SET ? SINK_SET
					 : SINK_DICT;
	sk.acc = emit_q(em, &n->pos, "%s",
			c->kind == COMP_LIST  ? "o::list_of([])"
			: c->kind == COMP_SET ? "o::set_new()"
					      : "o::dict_new()");
	comp_clause(em, c, 0, -1, &sk, &n->pos);
	return sk.acc;
}

/* The consumer's step with element x, in the consumer's context: its
 * errors are the caller's (no generator entry, no StopIteration
 * conversion). */
static void sink_step(struct oem *em, struct sink *sk, int x)
{
	size_t ncomps = em->ncomps;

	em->ncomps = sk->outer_ncomps;
	err_push(em, sk->outer_err);
	switch (sk->kind) {
	case SINK_LIST:
		emit_qs(em, sk->at, "o::list_append(&t%d, t%d)", sk->acc, x);
		break;
	case SINK_SET:
		emit_qs(em, sk->at, "o::set_add(&t%d, t%d)", sk->acc, x);
		break;
	case SINK_SUM:
		emit_line(em->e, "t%d = q!(cx, 'x%d, %s, o::add(t%d, t%d));",
			  sk->acc, err_top(em), tbs(em, sk->at), sk->acc, x);
		break;
	case SINK_ANY:
	case SINK_ALL: {
		int b = emit_q(em, sk->at, "o::truth(t%d)", x);
		emit_line(em->e, "if %st%d { b%d = %s; break 'g%d; }",
			  sk->kind == SINK_ANY ? "" : "!", b, sk->acc,
			  sk->kind == SINK_ANY ? "true" : "false", sk->glab);
		break;
	}
	case SINK_MIN:
	case SINK_MAX:
		emit_qs(em, sk->at, "o::minmax_step(&mut t%d, t%d, %d)",
			sk->acc, x, sk->kind == SINK_MIN ? 0 : 4);
		break;
	case SINK_DICT:
		break;
	}
	err_pop(em);
	em->ncomps = ncomps;
}

static void comp_vars_reset(struct oem *em, struct onode *t, bool fresh);

/* Clause i of a comprehension; it0: the first clause's iterator when
 * the caller made it. */
static void comp_clause(struct oem *em, struct ocomp *c, size_t i, int it0,
			struct sink *sk, const struct opos *at)
{
	struct oclause *cl = &c->clauses[i];
	int it, l = lab(em), v;

	emit_open(em->e, "{");
	if (it0 >= 0) {
		it = it0;
	} else {
		int src = ex(em, cl->iter);
		it = emit_q(em, &cl->iter->pos, "o::iter_l(t%d)", src);
	}
	if (i == 0 && c->nested >= 0) {
		/* from here on, CPython is inside the comprehension's frame */
		if (em->ncomps == em->capcomps) {
			em->capcomps = em->capcomps ? em->capcomps * 2 : 4;
			em->comps = xrealloc(em->comps,
					     em->capcomps * sizeof(*em->comps));
		}
		em->comps[em->ncomps].nested = c->nested;
		em->comps[em->ncomps].pos = at;
		em->comps[em->ncomps].gen = sk->gen;
		em->ncomps++;
	}
	comp_vars_reset(em, cl->target, true);
	emit_open(em->e, "'c%d: loop {", l);
	emit_qs(em, at, "o::tick()");
	v = tmp(em);
	emit_line(em->e,
		  "let t%d = match o::next_l(&t%d) { Ok(Some(v)) => v, "
		  "Ok(None) => break 'c%d, Err(_) => { o::tb(cx, %s); "
		  "break 'x%d; } };",
		  v, it, l, tbs(em, &cl->iter->pos), err_top(em));
	store(em, cl->target, v);
	for (size_t k = 0; k < cl->nconds; k++) {
		int b = cond(em, cl->conds[k]);
		emit_line(em->e, "if !b%d { continue 'c%d; }", b, l);
	}
	if (i + 1 < c->nclauses) {
		comp_clause(em, c, i + 1, -1, sk, at);
	} else if (sk->kind == SINK_DICT) {
		int k = ex(em, c->elt), x = ex(em, c->val);
		emit_qs(em, at, "o::dict_set(&t%d, t%d, t%d)", sk->acc, k, x);
	} else if (!sk->gen) {
		int x = ex(em, c->elt);
		emit_qs(em, at, "o::%s(&t%d, t%d)",
			sk->kind == SINK_LIST ? "list_append" : "set_add",
			sk->acc, x);
	} else {
		sink_step(em, sk, ex(em, c->elt));
	}
	emit_close(em->e, NULL);
	if (i == 0 && c->nested >= 0)
		em->ncomps--;
	comp_vars_reset(em, cl->target, false);
	emit_close(em->e, NULL);
}

/* ---- generator expressions consumed where they are made ----
 *
 * sum(x for x in xs), any(...), all(...), min(...), max(...),
 * sorted(...), list(...), tuple(...), set(...) and s.join(...): while the
 * name is still the builtin (s an exact str), the generator's body runs
 * here as a loop and each element goes through the consumer's step;
 * otherwise the generator object is made and the call is made as
 * Python makes it. The order: the consumer (or s.join) first, then the
 * first iterable and its iterator, as CPython evaluates them. */

enum { CONS_SUM, CONS_ANY, CONS_ALL, CONS_MIN, CONS_MAX, CONS_SORTED,
       CONS_LIST, CONS_TUPLE, CONS_SET, CONS_JOIN };

extern const char *const ogen_consumers[];

static int consumer_of(const struct oem *em, const struct onode *n)
{
	struct onode *callee = n->a[0];
	struct onode *g;

	if (n->nargs != 1 || n->args[0].kind != OARG_POS)
		return -1;
	g = n->args[0].v;
	if (g->kind != ON_COMP || g->comp->kind != COMP_GEN ||
	    !g->comp->is_inline)
		return -1;
	if (callee->kind == ON_ATTR)
		return strcmp(em->m->consts[callee->name].text, "join")
			   ? -1
			   : CONS_JOIN;
	if (callee->kind != ON_NAME || callee->sym.kind != SYM_GLOBAL)
		return -1;
	for (int i = 0; ogen_consumers[i]; i++)
		if (!strcmp(em->m->consts[callee->sym.name].text,
			    ogen_consumers[i]))
			return i;
	return -1;
}

/* The inline run: the consumer's result in a new temporary. */
static int gen_inline(struct oem *em, struct onode *call, int which,
		      int sep)
{
	struct onode *gn = call->args[0].v;
	struct ocomp *c = gn->comp;
	struct sink sk = {0};
	int it, r;

	sk.gen = true;
	sk.at = &call->pos;
	sk.outer_ncomps = em->ncomps;
	sk.outer_err = err_top(em);
	sk.glab = lab(em);
	switch (which) {
	case CONS_SUM:
		sk.kind = SINK_SUM;
		sk.acc = tmp(em);
		emit_line(em->e, "let mut t%d = q!(cx, 'x%d, %s, o::zero());",
			  sk.acc, err_top(em), tbs(em, &call->pos));
		break;
	case CONS_ANY:
	case CONS_ALL:
		sk.kind = which == CONS_ANY ? SINK_ANY : SINK_ALL;
		sk.acc = tmp(em);
		emit_line(em->e, "let mut b%d = %s;", sk.acc,
			  which == CONS_ANY ? "false" : "true");
		break;
	case CONS_MIN:
	case CONS_MAX:
		sk.kind = which == CONS_MIN ? SINK_MIN : SINK_MAX;
		sk.acc = tmp(em);
		emit_line(em->e, "let mut t%d: Option<o::O> = None;", sk.acc);
		break;
	case CONS_SET:
		sk.kind = SINK_SET;
		sk.acc = emit_q(em, &call->pos, "o::set_new()");
		break;
	default:
		sk.kind = SINK_LIST;
		sk.acc = emit_q(em, &call->pos, "o::list_of([])");
		break;
	}
	/* the first iterable and its iterator: the caller's */
	{
		int src = ex(em, c->clauses[0].iter);
		it = emit_q(em, &c->clauses[0].iter->pos, "o::iter_l(t%d)",
			    src);
	}
	emit_open(em->e, "'g%d: {", sk.glab);
	emit_open(em->e, "'x%d: {", sk.glab);
	err_push(em, sk.glab);
	comp_clause(em, c, 0, it, &sk, &call->pos);
	err_pop(em);
	emit_line(em->e, "break 'g%d;", sk.glab);
	emit_close(em->e, NULL);
	/* the body raised: as the generator hands it on */
	emit_line(em->e, "o::gen_error();");
	emit_line(em->e, "o::tb(cx, %s);", tbs(em, &call->pos));
	emit_line(em->e, "break 'x%d;", err_top(em));
	emit_close(em->e, NULL);
	switch (which) {
	case CONS_SUM:
		return sk.acc;
	case CONS_ANY:
	case CONS_ALL:
		r = tmp(em);
		emit_line(em->e, "let t%d = o::boolean(b%d);", r, sk.acc);
		return r;
	case CONS_MIN:
	case CONS_MAX:
		return emit_q(em, &call->pos, "o::minmax_end(t%d, %s)", sk.acc,
			      which == CONS_MIN ? "true" : "false");
	case CONS_SORTED:
		emit_qs(em, &call->pos, "o::list_sort(&t%d)", sk.acc);
		return sk.acc;
	case CONS_TUPLE:
		return emit_q(em, &call->pos, "o::list_to_tuple(t%d)", sk.acc);
	case CONS_JOIN:
		return emit_q(em, &call->pos, "o::str_join(&t%d, t%d)", sep,
			      sk.acc);
	default:
		return sk.acc;
	}
}

static int ex_consume(struct oem *em, struct onode *n, int which)
{
	struct onode *callee = n->a[0];
	int r = tmp(em), f;

	emit_line(em->e, "let t%d: o::O;", r);
	if (which == CONS_JOIN) {
		f = ex(em, callee->a[0]);
		emit_open(em->e, "if o::is_str_exact(&t%d) {", f);
		emit_line(em->e, "t%d = t%d;", r, gen_inline(em, n, which, f));
		emit_close(em->e, NULL);
		emit_open(em->e, "else {");
		emit_line(em->e, "t%d = t%d;", r, ex_method_call(em, n, f));
		emit_close(em->e, NULL);
		return r;
	}
	f = ex(em, callee);
	emit_open(em->e, "if o::is_consumer(&t%d, %d) {", f, which);
	emit_line(em->e, "t%d = t%d;", r, gen_inline(em, n, which, -1));
	emit_close(em->e, NULL);
	emit_open(em->e, "else {");
	{
		int g = ex(em, n->args[0].v);
		emit_line(em->e, "t%d = t%d;", r,
			  emit_q(em, &n->pos, "o::call(t%d, [None, Some(t%d)])",
				 f, g));
	}
	emit_close(em->e, NULL);
	return r;
}

/* Comprehension variables: unbound again when the comprehension ends (its
 * frame would be gone); cells made fresh when it starts. */
static void comp_vars_reset(struct oem *em, struct onode *t, bool fresh)
{
	if (!t)
		return;
	if (t->kind == ON_NAME && (t->sym.kind == SYM_LOCAL ||
				   t->sym.kind == SYM_CELL)) {
		struct ovar *v = &em->fn->vars[t->sym.var];
		if (!v->is_comp)
			return;
		if (v->is_cell)
			emit_line(em->e, "%s = o::new_cell(None);", v->rname);
		else if (!fresh)
			emit_line(em->e, "%s = None;", v->rname);
		return;
	}
	for (size_t i = 0; i < t->n; i++)
		comp_vars_reset(em, t->a[i], fresh);
}

static int ex_fmt(struct oem *em, struct onode *n);

static int ex_fstr(struct oem *em, struct onode *n)
{
	int *ts = xcalloc(n->n + 1, sizeof(int));
	struct buf b = BUF_INIT;
	int r;

	for (size_t i = 0; i < n->n; i++)
		ts[i] = n->a[i]->kind == ON_FMT ? ex_fmt(em, n->a[i])
						: ex(em, n->a[i]);
	if (n->n == 1) {
		r = ts[0];
	} else if (n->n == 0) {
		r = emit_q(em, &n->pos, "o::join([])");
	} else {
		temps_list(&b, ts, n->n);
		r = emit_q(em, &n->pos, "o::join(%s)", b.data);
	}
	free(ts);
	buf_release(&b);
	return r;
}

static int ex_fmt(struct oem *em, struct onode *n)
{
	int v = ex(em, n->a[0]);
	int spec = n->a[1] ? ex_fstr(em, n->a[1]) : -1;
	char conv[8] = "0";

	if (n->conv)
		snprintf(conv, sizeof(conv), "b'%c'", n->conv);
	if (spec >= 0)
		return emit_q(em, &n->pos, "o::fmt(t%d, %s, Some(t%d))", v,
			      conv, spec);
	return emit_q(em, &n->pos, "o::fmt(t%d, %s, None)", v, conv);
}

/* + - * / : the operations whose intermediate results stay unboxed
 * (o::V) inside one expression. */
static bool arith_op(int op)
{
	return op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV ||
	       op == OP_MOD || op == OP_FLOORDIV;
}

static bool num_op(const struct onode *n)
{
	return n->kind == ON_BINOP && arith_op(n->op);
}

static const char *vop_fn(int op, bool inplace)
{
	switch (op) {
	case OP_ADD:
		return inplace ? "viadd" : "vadd";
	case OP_SUB:
		return inplace ? "visub" : "vsub";
	case OP_MUL:
		return inplace ? "vimul" : "vmul";
	case OP_MOD:
		return inplace ? "vimod" : "vmod";
	case OP_FLOORDIV:
		return inplace ? "vifloordiv" : "vfloordiv";
	default:
		return inplace ? "vitruediv" : "vtruediv";
	}
}

/* A value the o::V path computes without boxing: + - * / of anything, or
 * an unboxed local. */
static bool is_vexpr(const struct oem *em, const struct onode *n)
{
	return num_op(n) || (n->kind == ON_NAME && is_num(em, &n->sym));
}

/* M.sqrt(x) outside a loop holding registers, as an o::V: M and its
 * sqrt looked up as any method call's (in CPython's order: M, M.sqrt,
 * then x), then math's own sqrt of a float computed here (o::msqrt), any
 * other callable called. */
static int ex_sqrt_v(struct oem *em, struct onode *n)
{
	struct onode *callee = n->a[0];
	int obj = ex(em, callee->a[0]), m = tmp(em), a;

	emit_open(em->e, "let t%d = {", m);
	emit_line(em->e, "static mut MC: o::MC = o::MC::NEW;");
	emit_line(em->e,
		  "q!(cx, 'x%d, %s, o::method_c(t%d, K[%d], "
		  "std::ptr::addr_of_mut!(MC)))",
		  err_top(em), tbs(em, &callee->pos), obj, callee->name);
	emit_close(em->e, ";");
	a = ex_v(em, sqrt_arg(em->m, n));
	return emit_q(em, &n->pos, "o::msqrt(t%d, t%d)", m, a);
}

/* An operand of + - * / as an o::V temporary: nested + - * / compute
 * unboxed, in CPython's order (left operand, right operand, operation);
 * anything else is evaluated as usual and wrapped. */
static int ex_v(struct oem *em, struct onode *n)
{
	int a, b, t, v, k = hoist_reg(em, n);

	if (k >= 0) {
		v = tmp(em);
		emit_line(em->e, "let t%d = o::V::F(h%d_%d);", v, em->hoist->id,
			  k);
		return v;
	}
	if (em->hoist && sqrt_arg(em->m, n)) {
		a = ex_v(em, sqrt_arg(em->m, n));
		return emit_q(em, &n->pos, "o::vsqrt(t%d)", a);
	}
	if (sqrt_arg(em->m, n))
		return ex_sqrt_v(em, n);
	if (sqrt_name_arg(em->m, n)) {
		/* CPython's order: the name, then x, then the call */
		int f = load_name(em, n->a[0]);
		a = ex_v(em, sqrt_name_arg(em->m, n));
		return emit_q(em, &n->pos, "o::fsqrt(t%d, t%d)", f, a);
	}
	if (num_op(n)) {
		a = ex_v(em, n->a[0]);
		b = ex_v(em, n->a[1]);
		return emit_q(em, &n->pos, "o::%s(t%d, t%d)",
			      vop_fn(n->op, false), a, b);
	}
	if (n->kind == ON_NAME && is_num(em, &n->sym))
		return emit_q(em, &n->pos, "o::ldvv(&%s, K[%d], %s)",
			      var_r(em, n->sym.var), n->sym.name,
			      n->sym.in_comp ? "true" : "false");
	t = ex(em, n);
	v = tmp(em);
	emit_line(em->e, "let t%d = o::V::O(t%d);", v, t);
	return v;
}

/* cur op= value as a V (o::V, unboxed) when value is itself an
 * arithmetic expression, else -1 and nothing emitted. */
static int aug_v(struct oem *em, struct ostmt *st, int cur)
{
	int v;

	if (!num_op(st->value) || !arith_op(st->op))
		return -1;
	v = ex_v(em, st->value);
	return emit_q(em, &st->pos, "o::%s(o::V::O(t%d), t%d)",
		      vop_fn(st->op, true), cur, v);
}

/* cur op= value, evaluated after cur: unboxed when value is itself an
 * arithmetic expression. */
static int aug_apply(struct oem *em, struct ostmt *st, int cur)
{
	int v = aug_v(em, st, cur);

	if (v >= 0)
		return emit_q(em, &st->pos, "o::vbox(t%d)", v);
	v = ex(em, st->value);
	return emit_q(em, &st->pos, "o::%s(t%d, t%d)", binop_fn(st->op, true),
		      cur, v);
}

/* A local an operation may borrow (o::Opnd: no reference taken): a plain
 * local of this function, boxed; only this function's own code could
 * rebind it, and none runs between the load and the operation when the
 * operands after it are simple (below). */
static bool borrowable(struct oem *em, const struct onode *n)
{
	return n->kind == ON_NAME && n->sym.kind == SYM_LOCAL &&
	       !is_num(em, &n->sym);
}

/* Evaluating n cannot rebind a local of this function: no walrus, no
 * call of a nested function (a walrus or an assignment is this
 * function's code; other code reaches only cells). */
static bool is_simple(const struct onode *n)
{
	switch (n->kind) {
	case ON_CONST:
	case ON_NAME:
		return true;
	case ON_ATTR:
	case ON_UNOP:
		return is_simple(n->a[0]);
	case ON_SUBSCR:
	case ON_BINOP:
		return is_simple(n->a[0]) && is_simple(n->a[1]);
	default:
		return false;
	}
}

/* A borrowable local's object (or a constant's) as an o::P temporary. */
static int load_b(struct oem *em, struct onode *n)
{
	if (n->kind == ON_CONST) {
		int t = tmp(em);
		emit_line(em->e, "let t%d: o::P = K[%d];", t, n->k);
		return t;
	}
	return emit_q(em, &n->pos, "o::%s(&%s, K[%d])",
		      n->sym.in_comp ? "ldp_outer" : "ldp",
		      var_r(em, n->sym.var), n->sym.name);
}

/* The operands of a two-operand operation, each borrowed where it can be
 * (*bx, *by), evaluated left to right. */
static void operands_b(struct oem *em, struct onode *x, struct onode *y,
		       int *tx, int *ty, bool *bx, bool *by)
{
	*bx = borrowable(em, x) && is_simple(y);
	*by = borrowable(em, y) || y->kind == ON_CONST;
	*tx = *bx ? load_b(em, x) : ex(em, x);
	*ty = *by ? load_b(em, y) : ex(em, y);
}

/* o[k]: o[lo:hi] without a slice object, an unboxed index, and the
 * container and index borrowed where they can be. */
static int ex_subscr(struct oem *em, struct onode *n)
{
	struct onode *sl = n->a[1];
	int o, k;
	bool bo, bk;

	if (sl->kind == ON_SLICE && !sl->a[2]) {
		/* o[lo:hi]: no slice object for a str, list or tuple */
		char los[24] = "None", his[24] = "None";
		int lo, hi;
		o = ex(em, n->a[0]);
		lo = sl->a[0] ? ex(em, sl->a[0]) : -1;
		hi = sl->a[1] ? ex(em, sl->a[1]) : -1;
		if (lo >= 0)
			snprintf(los, sizeof(los), "Some(t%d)", lo);
		if (hi >= 0)
			snprintf(his, sizeof(his), "Some(t%d)", hi);
		return emit_q(em, &n->pos, "o::getslice(t%d, %s, %s)", o, los,
			      his);
	}
	if (is_vexpr(em, sl)) {
		bo = borrowable(em, n->a[0]) && is_simple(sl);
		o = bo ? load_b(em, n->a[0]) : ex(em, n->a[0]);
		return emit_q(em, &n->pos, "o::getitem_v%s(t%d, t%d)",
			      bo ? "x" : "", o, ex_v(em, sl));
	}
	operands_b(em, n->a[0], sl, &o, &k, &bo, &bk);
	return emit_q(em, &n->pos, "o::getitem%s(t%d, t%d)",
		      bo || bk ? "_x" : "", o, k);
}

static int ex(struct oem *em, struct onode *n)
{
	switch (n->kind) {
	case ON_CONST: {
		int t = tmp(em);
		emit_line(em->e, "let t%d = o::k(K[%d]);", t, n->k);
		return t;
	}
	case ON_NAME:
		return load_name(em, n);
	case ON_ATTR: {
		/* a local's attribute: the object borrowed from the variable */
		bool local = borrowable(em, n->a[0]);
		int k = hoist_reg(em, n);

		if (k >= 0)
			return emit_q(em, &n->pos, "o::vbox(o::V::F(h%d_%d))",
				      em->hoist->id, k);
		int o = local ? load_b(em, n->a[0]) : ex(em, n->a[0]);
		int t = tmp(em);
		emit_open(em->e, "let t%d = {", t);
		emit_line(em->e, "static mut AC: o::AC = o::AC::NEW;");
		emit_line(em->e,
			  "q!(cx, 'x%d, %s, o::getattr_c%s(t%d, K[%d], "
			  "std::ptr::addr_of_mut!(AC)))",
			  err_top(em), tbs(em, &n->pos), local ? "b" : "", o,
			  n->name);
		emit_close(em->e, ";");
		return t;
	}
	case ON_SUBSCR:
		return ex_subscr(em, n);
	case ON_SLICE: {
		struct buf b = BUF_INIT;
		int r;
		for (int i = 0; i < 3; i++) {
			if (n->a[i])
				buf_addf(&b, "%sSome(t%d)", i ? ", " : "",
					 ex(em, n->a[i]));
			else
				buf_addf(&b, "%sNone", i ? ", " : "");
		}
		r = emit_q(em, &n->pos, "o::slice(%s)", b.data);
		buf_release(&b);
		return r;
	}
	case ON_BINOP: {
		int a, b;
		if (num_op(n) && (num_op(n->a[0]) || num_op(n->a[1])))
			return emit_q(em, &n->pos, "o::vbox(t%d)", ex_v(em, n));
		a = ex(em, n->a[0]);
		b = ex(em, n->a[1]);
		return emit_q(em, &n->pos, "o::%s(t%d, t%d)",
			      binop_fn(n->op, false), a, b);
	}
	case ON_UNOP: {
		int a = ex(em, n->a[0]);
		return emit_q(em, &n->pos, "o::%s(t%d)",
			      n->op == '-'   ? "neg"
			      : n->op == '+' ? "pos"
					     : "inv",
			      a);
	}
	case ON_NOT: {
		int c = cond(em, n->a[0]);
		int t = tmp(em);
		emit_line(em->e, "let t%d = o::boolean(!b%d);", t, c);
		return t;
	}
	case ON_BOOL:
		return ex_bool(em, n);
	case ON_CMP:
		if (tuple_cmp(n))
			return ex_tuple_cmp(em, n, -1);
		return ex_cmp_from(em, n, 0, ex(em, n->a[0]));
	case ON_IFEXP:
		return ex_ifexp(em, n);
	case ON_CALL:
		if (sqrt_arg(em->m, n) || sqrt_name_arg(em->m, n))
			return emit_q(em, &n->pos, "o::vbox(t%d)", ex_v(em, n));
		return ex_call(em, n);
	case ON_TUPLE:
	case ON_LIST:
	case ON_SET:
		return ex_display(em, n);
	case ON_DICT:
		return ex_dict(em, n);
	case ON_COMP:
		return ex_comp(em, n);
	case ON_FUNC:
		return ex_func(em, n);
	case ON_FSTR:
		return ex_fstr(em, n);
	case ON_FMT:
		return ex_fmt(em, n);
	case ON_WALRUS: {
		int v = ex(em, n->a[0]);
		int c = tmp(em);
		struct onode target = *n;
		target.kind = ON_NAME;
		emit_line(em->e, "let t%d = t%d.clone();", c, v);
		store(em, &target, c);
		return v;
	}
	case ON_CLASS:
		return ex_class(em, n);
	case ON_STAR:
		break;
	}
	{
		int t = emit_q(em, &n->pos,
			       "Err::<o::O, o::X>(o::raise_str(unsafe { "
			       "pyo3::ffi::PyExc_SyntaxError }, \"can't use "
			       "starred expression here\"))");
		return t;
	}
}

/* A condition: b<N> holds a Rust bool. */
static int cond(struct oem *em, struct onode *n)
{
	int b = tmp(em);

	if (n->kind == ON_NOT) {
		int c = cond(em, n->a[0]);
		emit_line(em->e, "let b%d = !b%d;", b, c);
		return b;
	}
	if (n->kind == ON_BOOL) {
		int a = cond(em, n->a[0]);
		emit_line(em->e, "let b%d: bool;", b);
		emit_open(em->e, "if %sb%d {", n->op == 'o' ? "" : "!", a);
		emit_line(em->e, "b%d = %s;", b, n->op == 'o' ? "true" : "false");
		emit_close(em->e, NULL);
		emit_open(em->e, "else {");
		{
			int c = cond(em, n->a[1]);
			emit_line(em->e, "b%d = b%d;", b, c);
		}
		emit_close(em->e, NULL);
		return b;
	}
	if (tuple_cmp(n))
		return ex_tuple_cmp(em, n, b);
	if (n->kind == ON_CMP && n->n == 2) {
		/* i < n with i an unboxed local: no int made to compare */
		bool v = n->cmp[0] >= 1 && n->cmp[0] <= 6 &&
			 (is_vexpr(em, n->a[0]) || is_vexpr(em, n->a[1]));
		int x, y;
		bool bx = false, by = false;
		if (v) {
			x = ex_v(em, n->a[0]);
			y = ex_v(em, n->a[1]);
		} else {
			operands_b(em, n->a[0], n->a[1], &x, &y, &bx, &by);
		}
		emit_line(em->e,
			  "let b%d = q!(cx, 'x%d, %s, o::%s(t%d, t%d, %d));", b,
			  err_top(em), tbs(em, &n->pos),
			  v ? "vcmp_bool" : bx || by ? "cmp_bool_x" : "cmp_bool",
			  x, y, n->cmp[0]);
		return b;
	}
	{
		int v = ex(em, n);
		emit_line(em->e,
			  "let b%d = q!(cx, 'x%d, %s, o::truth(t%d));", b,
			  err_top(em), tbs(em, &n->pos), v);
	}
	return b;
}

/* ---- stores ---- */

static void store_name(struct oem *em, struct onode *t, int val)
{
	struct osym *y = &t->sym;

	switch (y->kind) {
	case SYM_LOCAL:
		emit_line(em->e, is_num(em, y) ? "%s = Some(o::V::O(t%d));"
					       : "%s = Some(t%d);",
			  var_r(em, y->var), val);
		break;
	case SYM_CELL:
		emit_line(em->e, "o::st_cell(&%s, t%d);", var_r(em, y->var),
			  val);
		break;
	case SYM_GLOBAL:
		emit_qs(em, &t->pos, "o::st_global(cx, K[%d], t%d)", y->name,
			val);
		break;
	case SYM_FREE:
		emit_line(em->e, "o::st_cell(&o::free_cell(cx, %d), t%d);",
			  y->free, val);
		break;
	}
}

/* t.name = val by fn (setattr_c: val an object; setattr_v: an o::V) */
static void store_attr(struct oem *em, struct onode *t, int val, const char *fn)
{
	/* the value is made: nothing runs before the store */
	int o = borrowable(em, t->a[0]) ? load_b(em, t->a[0]) : ex(em, t->a[0]);

	emit_open(em->e, "{");
	emit_line(em->e, "static mut AC: o::AC = o::AC::NEW;");
	emit_qs(em, &t->pos,
		"o::%s(t%d, K[%d], t%d, std::ptr::addr_of_mut!(AC))", fn, o,
		t->name, val);
	emit_close(em->e, NULL);
}

static void store(struct oem *em, struct onode *t, int val)
{
	switch (t->kind) {
	case ON_NAME:
		store_name(em, t, val);
		return;
	case ON_ATTR:
		store_attr(em, t, val, "setattr_c");
		return;
	case ON_SUBSCR: {
		int o = ex(em, t->a[0]);
		int k = ex(em, t->a[1]);
		emit_qs(em, &t->pos, "o::setitem(t%d, t%d, t%d)", o, k, val);
		return;
	}
	case ON_TUPLE:
	case ON_LIST: {
		size_t star = t->n;
		int arr = tmp(em);
		for (size_t i = 0; i < t->n; i++)
			if (t->a[i]->kind == ON_STAR)
				star = i;
		if (star == t->n) {
			struct buf b = BUF_INIT;
			int *ts = xcalloc(t->n + 1, sizeof(int));
			for (size_t i = 0; i < t->n; i++)
				ts[i] = tmp(em);
			temps_list(&b, ts, t->n);
			emit_line(em->e,
				  "let %s = q!(cx, 'x%d, %s, "
				  "o::unpack::<%zu>(t%d));",
				  b.data, err_top(em), tbs(em, &t->pos), t->n,
				  val);
			for (size_t i = 0; i < t->n; i++)
				store(em, t->a[i], ts[i]);
			free(ts);
			buf_release(&b);
			return;
		}
		emit_line(em->e,
			  "let mut t%d = q!(cx, 'x%d, %s, o::unpack_ex(t%d, "
			  "%zu, %zu)).into_iter();",
			  arr, err_top(em), tbs(em, &t->pos), val, star,
			  t->n - star - 1);
		for (size_t i = 0; i < t->n; i++) {
			int u = tmp(em);
			emit_line(em->e, "let t%d = t%d.next().unwrap();", u,
				  arr);
			store(em,
			      t->a[i]->kind == ON_STAR ? t->a[i]->a[0]
						       : t->a[i],
			      u);
		}
		return;
	}
	default:
		emit_line(em->e, "drop(t%d);", val);
		return;
	}
}

static void del_target(struct oem *em, struct onode *t)
{
	switch (t->kind) {
	case ON_NAME:
		switch (t->sym.kind) {
		case SYM_LOCAL:
			emit_qs(em, &t->pos, "o::del_local(&mut %s, K[%d])",
				var_r(em, t->sym.var), t->sym.name);
			break;
		case SYM_CELL:
			emit_qs(em, &t->pos, "o::del_cell(&%s, K[%d])",
				var_r(em, t->sym.var), t->sym.name);
			break;
		case SYM_GLOBAL:
			emit_qs(em, &t->pos, "o::del_global(cx, K[%d])",
				t->sym.name);
			break;
		case SYM_FREE:
			emit_qs(em, &t->pos,
				"o::del_cell(&o::free_cell(cx, %d), K[%d])",
				t->sym.free, t->sym.name);
			break;
		}
		return;
	case ON_ATTR: {
		int o = ex(em, t->a[0]);
		emit_qs(em, &t->pos, "o::delattr(t%d, K[%d])", o, t->name);
		return;
	}
	case ON_SUBSCR: {
		int o = ex(em, t->a[0]);
		int k = ex(em, t->a[1]);
		emit_qs(em, &t->pos, "o::delitem(t%d, t%d)", o, k);
		return;
	}
	default:
		for (size_t i = 0; i < t->n; i++)
			del_target(em, t->a[i]);
	}
}

/* ---- control flow through contexts ---- */

static void handler_cleanup(struct oem *em, struct octx *c)
{
	if (c->as && c->as->kind == ON_NAME) {
		struct osym *y = &c->as->sym;
		if (y->kind == SYM_LOCAL)
			emit_line(em->e, "%s = None;", var_r(em, y->var));
		else if (y->kind == SYM_CELL)
			emit_line(em->e,
				  "unsafe { pyo3::ffi::PyCell_Set(%s.p(), "
				  "std::ptr::null_mut()); }",
				  var_r(em, y->var));
		else if (y->kind == SYM_GLOBAL)
			emit_line(em->e,
				  "{ let _ = o::st_global(cx, K[%d], "
				  "o::none()); let _ = o::del_global(cx, "
				  "K[%d]); }",
				  y->name, y->name);
	}
	emit_line(em->e, "o::pop_handled(&h%d);", c->id);
}

static int fin_code(struct octx *c, int loop, bool is_continue)
{
	for (size_t i = 0; i < c->nexits; i++)
		if (c->exits[i].loop == loop &&
		    c->exits[i].is_continue == is_continue)
			return c->exits[i].code;
	if (c->nexits == c->capexits) {
		c->capexits = c->capexits ? c->capexits * 2 : 4;
		c->exits = xrealloc(c->exits, c->capexits * sizeof(*c->exits));
	}
	c->exits[c->nexits].loop = loop;
	c->exits[c->nexits].is_continue = is_continue;
	c->exits[c->nexits].code = loop < 0 ? 2 : c->next_code++;
	return c->exits[c->nexits++].code;
}

/* return t<val> from the current position. */
static void emit_return(struct oem *em, int val)
{
	for (size_t i = em->nctx; i-- > 0;) {
		struct octx *c = &em->ctx[i];
		switch (c->kind) {
		case CX_HANDLER:
		case CX_FINEXC:
			handler_cleanup(em, c);
			break;
		case CX_FIN:
			fin_code(c, -1, false);
			emit_line(em->e, "rv%d = Some(t%d);", c->id, val);
			emit_line(em->e, "fl%d = 2;", c->id);
			emit_line(em->e, "break 'f%d;", c->id);
			return;
		case CX_LOOP:
			break;
		}
	}
	emit_line(em->e, "rv = Some(t%d);", val);
	emit_line(em->e, "break 'r;");
}

static void emit_jump(struct oem *em, bool is_continue)
{
	for (size_t i = em->nctx; i-- > 0;) {
		struct octx *c = &em->ctx[i];
		switch (c->kind) {
		case CX_HANDLER:
		case CX_FINEXC:
			handler_cleanup(em, c);
			break;
		case CX_FIN: {
			/* the loop this jump targets */
			int loop = -1;
			for (size_t k = i; k-- > 0;)
				if (em->ctx[k].kind == CX_LOOP) {
					loop = em->ctx[k].id;
					break;
				}
			emit_line(em->e, "fl%d = %d;", c->id,
				  fin_code(c, loop, is_continue));
			emit_line(em->e, "break 'f%d;", c->id);
			return;
		}
		case CX_LOOP:
			if (is_continue)
				emit_line(em->e, "continue 'l%d;", c->id);
			else
				emit_line(em->e, "break 'b%d;", c->id);
			return;
		}
	}
	emit_line(em->e, "unreachable!();");
}

/* After a finally (or with) has run on a non-exception exit: resume the
 * return, break or continue that left its body. */
static void fin_dispatch(struct oem *em, int id, struct cx_exit *exits,
			 size_t nexits)
{
	for (size_t i = 0; i < nexits; i++) {
		emit_open(em->e, "if fl%d == %d {", id, exits[i].code);
		if (exits[i].loop < 0) {
			int t = tmp(em);
			emit_line(em->e, "let t%d = rv%d.take().unwrap();", t,
				  id);
			emit_return(em, t);
		} else {
			emit_jump(em, exits[i].is_continue);
		}
		emit_close(em->e, NULL);
	}
}

/* Runs body (a callback) protected by a finally-like context: fills
 * exits and returns the context id. The exception path lands after the
 * block with fl<id> == 1. */
struct fin_state {
	int id;
	struct cx_exit *exits;
	size_t nexits;
};

static void fin_open(struct oem *em, struct fin_state *fs)
{
	fs->id = lab(em);
	emit_line(em->e, "let mut fl%d: u32 = 0;", fs->id);
	emit_line(em->e, "let mut rv%d: Option<o::O> = None;", fs->id);
	emit_open(em->e, "'f%d: {", fs->id);
	emit_open(em->e, "'x%d: {", fs->id);
	ctx_push(em, CX_FIN, fs->id);
	err_push(em, fs->id);
}

static void fin_close_body(struct oem *em, struct fin_state *fs)
{
	struct octx *c = &em->ctx[em->nctx - 1];

	emit_line(em->e, "break 'f%d;", fs->id);
	emit_close(em->e, NULL);
	emit_line(em->e, "fl%d = 1;", fs->id);
	emit_close(em->e, NULL);
	err_pop(em);
	fs->exits = c->exits;
	fs->nexits = c->nexits;
	c->exits = NULL;
	ctx_pop(em);
}

static void st_try_except(struct oem *em, struct ostmt *st)
{
	int id = lab(em);
	int outer = err_top(em);

	emit_open(em->e, "'e%d: {", id);
	emit_open(em->e, "'t%d: {", id);
	emit_open(em->e, "'x%d: {", id);
	err_push(em, id);
	block(em, &st->body);
	err_pop(em);
	emit_line(em->e, "break 't%d;", id);
	emit_close(em->e, NULL);
	/* An exception: the handlers, in order, with it handled. */
	emit_line(em->e, "let ex%d = o::fetch();", id);
	emit_line(em->e, "let h%d = o::push_handled(&ex%d);", id, id);
	emit_line(em->e, "let mut hs%d: u32 = 0;", id);
	{
		int hx = lab(em);
		emit_open(em->e, "'x%d: {", hx);
		err_push(em, hx);
		for (size_t i = 0; i < st->nhandlers; i++) {
			struct ohandler *h = &st->handlers[i];
			struct octx *c;
			if (h->type) {
				int t = ex(em, h->type);
				emit_line(em->e,
					  "let m%d = q!(cx, 'x%d, %s, "
					  "o::exc_match(&ex%d, t%d));",
					  t, hx, tbs(em, &h->type->pos), id, t);
				emit_open(em->e, "if m%d {", t);
			} else {
				emit_open(em->e, "{");
			}
			emit_line(em->e, "hs%d = %zu;", id, i + 1);
			if (h->as) {
				int v = tmp(em);
				emit_line(em->e, "let t%d = ex%d.clone();", v,
					  id);
				store(em, h->as, v);
			}
			c = ctx_push(em, CX_HANDLER, id);
			c->as = h->as;
			block(em, &h->body);
			handler_cleanup(em, c);
			ctx_pop(em);
			emit_line(em->e, "break 'e%d;", id);
			emit_close(em->e, NULL);
		}
		/* No handler matched: the exception goes on. */
		emit_line(em->e, "o::pop_handled(&h%d);", id);
		emit_line(em->e, "o::restore(ex%d);", id);
		emit_line(em->e, "break 'x%d;", outer);
		err_pop(em);
		emit_close(em->e, NULL);
		/* A handler raised: its cleanup, then outward. */
		for (size_t i = 0; i < st->nhandlers; i++) {
			struct octx tmpc = {0};
			if (!st->handlers[i].as)
				continue;
			tmpc.kind = CX_HANDLER;
			tmpc.id = id;
			tmpc.as = st->handlers[i].as;
			emit_open(em->e, "if hs%d == %zu {", id, i + 1);
			handler_cleanup(em, &tmpc);
			emit_line(em->e, "break 'x%d;", outer);
			emit_close(em->e, NULL);
		}
		emit_line(em->e, "o::pop_handled(&h%d);", id);
		emit_line(em->e, "break 'x%d;", outer);
	}
	emit_close(em->e, NULL);
	block(em, &st->orelse);
	emit_close(em->e, NULL);
}

static void st_try(struct oem *em, struct ostmt *st)
{
	struct fin_state fs;
	int outer;

	if (!st->has_final) {
		st_try_except(em, st);
		return;
	}
	emit_open(em->e, "{");
	fin_open(em, &fs);
	if (st->nhandlers) {
		struct ostmt inner = *st;
		inner.has_final = false;
		st_try_except(em, &inner);
	} else {
		block(em, &st->body);
		block(em, &st->orelse);
	}
	fin_close_body(em, &fs);
	outer = err_top(em);
	/* The exception path: finally with the exception handled, then
	 * raised again. */
	emit_open(em->e, "if fl%d == 1 {", fs.id);
	emit_line(em->e, "let ex%d = o::fetch();", fs.id);
	emit_line(em->e, "let h%d = o::push_handled(&ex%d);", fs.id, fs.id);
	{
		int y = lab(em);
		emit_open(em->e, "'x%d: {", y);
		err_push(em, y);
		ctx_push(em, CX_FINEXC, fs.id);
		block(em, &st->final);
		ctx_pop(em);
		err_pop(em);
		emit_line(em->e, "o::pop_handled(&h%d);", fs.id);
		emit_line(em->e, "o::restore(ex%d);", fs.id);
		emit_line(em->e, "break 'x%d;", outer);
		emit_close(em->e, NULL);
		emit_line(em->e, "o::pop_handled(&h%d);", fs.id);
		emit_line(em->e, "break 'x%d;", outer);
	}
	emit_close(em->e, NULL);
	block(em, &st->final);
	fin_dispatch(em, fs.id, fs.exits, fs.nexits);
	free(fs.exits);
	emit_close(em->e, NULL);
}

static void st_with_items(struct oem *em, struct ostmt *st, size_t i)
{
	struct owith *w = &st->items[i];
	struct fin_state fs;
	int mgr, pair, ex_, en, outer;

	emit_open(em->e, "{");
	mgr = ex(em, w->ctx);
	pair = emit_q(em, &w->ctx->pos, "o::with_enter(t%d)", mgr);
	ex_ = tmp(em);
	en = tmp(em);
	emit_line(em->e, "let (t%d, t%d) = t%d;", ex_, en, pair);
	if (w->as)
		store(em, w->as, en);
	else
		emit_line(em->e, "drop(t%d);", en);
	fin_open(em, &fs);
	if (i + 1 < st->nitems)
		st_with_items(em, st, i + 1);
	else
		block(em, &st->body);
	fin_close_body(em, &fs);
	outer = err_top(em);
	emit_open(em->e, "if fl%d == 1 {", fs.id);
	emit_line(em->e, "let ex%d = o::fetch();", fs.id);
	emit_line(em->e, "let h%d = o::push_handled(&ex%d);", fs.id, fs.id);
	emit_line(em->e, "let s%d = o::with_exit_exc(t%d, &ex%d);", fs.id, ex_,
		  fs.id);
	emit_line(em->e, "o::pop_handled(&h%d);", fs.id);
	emit_line(em->e,
		  "match s%d { Err(_) => { o::tb(cx, %s); break 'x%d; } "
		  "Ok(false) => { o::restore(ex%d); break 'x%d; } Ok(true) => "
		  "{} }",
		  fs.id, tbs(em, &st->pos), outer, fs.id, outer);
	emit_close(em->e, NULL);
	emit_open(em->e, "else {");
	emit_qs(em, &st->pos, "o::with_exit_ok(t%d)", ex_);
	fin_dispatch(em, fs.id, fs.exits, fs.nexits);
	emit_close(em->e, NULL);
	free(fs.exits);
	emit_close(em->e, NULL);
}

static void st_loop_body(struct oem *em, int id, struct oblock *body)
{
	ctx_push(em, CX_LOOP, id);
	block(em, body);
	ctx_pop(em);
}

/* ---- float attributes in registers across a loop ---- */

/* A literal's kind: 1 an int, 2 a float, 0 anything else (a str, a
 * complex, True, None). */
static int lit_kind(const struct oconst *c)
{
	const char *t = c->text;
	bool frac = false;

	if (c->kind != OK_EVAL || !t || !*t || strpbrk(t, "jJ"))
		return 0;
	if (t[0] == '0' && t[1] && strchr("xXoObB", t[1]))
		return 1;
	if (!isdigit((unsigned char)t[0]) && t[0] != '.')
		return 0;
	for (; *t; t++) {
		if (*t == '.' || *t == 'e' || *t == 'E' ||
		    ((*t == '+' || *t == '-') &&
		     (t[-1] == 'e' || t[-1] == 'E')))
			frac = true;
		else if (!isdigit((unsigned char)*t) && *t != '_')
			return 0;
	}
	return frac ? 2 : 1;
}

/* A fast local of this function (no cell, not a comprehension's). */
static bool plain_local(const struct oem *em, const struct onode *n)
{
	return n->kind == ON_NAME && n->sym.kind == SYM_LOCAL &&
	       !n->sym.in_comp && !em->fn->vars[n->sym.var].is_cell &&
	       !em->fn->vars[n->sym.var].is_comp;
}

struct hscan {
	const struct oem *em;
	struct hoist *h;
	bool *assigned; /* per var: assigned earlier in the body */
	bool *inbody;	/* per var: assigned somewhere in the body */
	bool ok, stores;
};

/* n is recv.name for the loop's one object: the register's index. */
static int hs_attr(struct hscan *sc, const struct onode *n)
{
	struct hoist *h = sc->h;
	size_t k;

	if (!plain_local(sc->em, n->a[0]) ||
	    (h->recv >= 0 && n->a[0]->sym.var != h->recv)) {
		sc->ok = false;
		return -1;
	}
	h->recv = n->a[0]->sym.var;
	for (k = 0; k < h->n; k++)
		if (h->names[k] == n->name)
			return (int)k;
	h->names = xrealloc(h->names, (h->n + 1) * sizeof(int));
	h->names[h->n] = n->name;
	return (int)h->n++;
}

/* M of an M.sqrt(x) in the loop, once. */
static void hs_sqrt(struct hoist *h, int m)
{
	for (size_t i = 0; i < h->nsqrts; i++)
		if (h->sqrts[i] == m)
			return;
	h->sqrts = xrealloc(h->sqrts, (h->nsqrts + 1) * sizeof(int));
	h->sqrts[h->nsqrts++] = m;
}

/* e is arithmetic (+ - * / % //, unary + -, math.sqrt) of numeric
 * literals, locals and the object's attributes; an attribute only as an
 * operand (a plain copy would share its object). */
static void hs_expr(struct hscan *sc, const struct onode *e, bool operand)
{
	switch (e->kind) {
	case ON_CONST:
		if (!lit_kind(&sc->em->m->consts[e->k]))
			sc->ok = false;
		return;
	case ON_NAME:
		if (!plain_local(sc->em, e) || e->sym.var == sc->h->recv)
			sc->ok = false;
		else if (!sc->assigned[e->sym.var])
			sc->h->guard[e->sym.var] = true;
		return;
	case ON_ATTR:
		if (!operand)
			sc->ok = false;
		else
			hs_attr(sc, e);
		return;
	case ON_BINOP:
		if (!arith_op(e->op)) {
			sc->ok = false;
			return;
		}
		hs_expr(sc, e->a[0], true);
		hs_expr(sc, e->a[1], true);
		return;
	case ON_UNOP:
		if (e->op != '-' && e->op != '+')
			sc->ok = false;
		else
			hs_expr(sc, e->a[0], true);
		return;
	case ON_CALL:
		if (!sqrt_arg(sc->em->m, e)) {
			sc->ok = false;
			return;
		}
		hs_sqrt(sc->h, e->a[0]->a[0]->sym.name);
		sc->h->sqrt_k = e->a[0]->name;
		hs_expr(sc, sqrt_arg(sc->em->m, e), true);
		return;
	default:
		sc->ok = false;
	}
}

/* A while loop's test: one comparison (< <= > >= == !=) of operands as
 * hs_expr allows them (numbers compared run no Python code). */
static void hs_test(struct hscan *sc, const struct onode *c)
{
	if (c->kind != ON_CMP || c->n != 2 || c->cmp[0] < 1 || c->cmp[0] > 6) {
		sc->ok = false;
		return;
	}
	hs_expr(sc, c->a[0], true);
	hs_expr(sc, c->a[1], true);
}

/* e is a float whenever the loop's guards hold. */
static bool hs_float(const struct hscan *sc, const struct onode *e)
{
	switch (e->kind) {
	case ON_CONST:
		return lit_kind(&sc->em->m->consts[e->k]) == 2;
	case ON_NAME:
		return sc->inbody[e->sym.var] && sc->h->isfloat[e->sym.var];
	case ON_ATTR:
		return true;
	case ON_BINOP:
		return e->op == OP_DIV || hs_float(sc, e->a[0]) ||
		       hs_float(sc, e->a[1]);
	case ON_UNOP:
		return hs_float(sc, e->a[0]);
	case ON_CALL:
		return true; /* math.sqrt */
	default:
		return false;
	}
}

static void hoist_release(struct hoist *h)
{
	free(h->names);
	free(h->sqrts);
	free(h->guard);
	free(h->isfloat);
}

/* Whether st (for x in ..., or while a < b) may run with the float
 * attributes of one local object in registers: its body only assigns
 * locals and that object's attributes with arithmetic of numbers (so no
 * Python code can run in it once its operands are exact ints and
 * floats: the guards), and stores at least one attribute, always a
 * float. No break, continue, return, call (but math.sqrt), subscript or
 * other object: anything that could see the attribute or stop the loop
 * half way keeps it as written. The typing of locals (isfloat) is a
 * fixpoint over their assignments. */
static bool hoist_plan(struct oem *em, struct ostmt *st, struct hoist *h)
{
	size_t nv = em->fn->nvars + 1;
	struct hscan sc = {
	    em,	  h,	xcalloc(nv, sizeof(bool)), xcalloc(nv, sizeof(bool)),
	    true, false};
	struct oblock *b = &st->body;
	bool changed = true;

	memset(h, 0, sizeof(*h));
	h->recv = -1;
	h->guard = xcalloc(nv, sizeof(bool));
	h->isfloat = xcalloc(nv, sizeof(bool));
	if (st->orelse.n)
		sc.ok = false;
	else if (st->kind == OS_WHILE)
		/* while a < b: a comparison of numbers, evaluated first */
		hs_test(&sc, st->value);
	else if (!plain_local(em, st->target))
		sc.ok = false;
	else
		sc.assigned[st->target->sym.var] =
		    sc.inbody[st->target->sym.var] = true;
	for (size_t i = 0; sc.ok && i < b->n; i++) {
		struct ostmt *s = b->v[i];
		struct onode *t = s->kind == OS_ASSIGN && s->ntargets == 1
				      ? s->targets[0]
				  : s->kind == OS_AUG ? s->target
						      : NULL;
		if (s->kind == OS_PASS)
			continue;
		if (!t || (s->kind == OS_AUG && !arith_op(s->op))) {
			sc.ok = false;
		} else if (t->kind == ON_ATTR) {
			/* stored as a number: an arithmetic value */
			if (s->kind == OS_ASSIGN && !num_op(s->value))
				sc.ok = false;
			hs_attr(&sc, t);
			hs_expr(&sc, s->value, s->kind == OS_AUG);
			sc.stores = true;
		} else if (plain_local(em, t)) {
			if (s->kind == OS_AUG && !sc.assigned[t->sym.var])
				h->guard[t->sym.var] = true;
			hs_expr(&sc, s->value, s->kind == OS_AUG);
			sc.assigned[t->sym.var] = sc.inbody[t->sym.var] = true;
		} else {
			sc.ok = false;
		}
	}
	if (sc.ok && (h->recv < 0 || sc.inbody[h->recv] || em->num[h->recv] ||
		      !sc.stores))
		sc.ok = false;
	/* the locals' typing: float until an assignment says otherwise */
	for (size_t v = 0; sc.ok && v < nv; v++)
		h->isfloat[v] = sc.inbody[v] && (st->kind == OS_WHILE ||
						 (int)v != st->target->sym.var);
	while (sc.ok && changed) {
		changed = false;
		for (size_t i = 0; i < b->n; i++) {
			struct ostmt *s = b->v[i];
			struct onode *t = s->kind == OS_PASS  ? NULL
					  : s->kind == OS_AUG ? s->target
							      : s->targets[0];
			bool f;
			if (!t || t->kind != ON_NAME)
				continue;
			f = hs_float(&sc, s->value) ||
			    (s->kind == OS_AUG &&
			     (s->op == OP_DIV || h->isfloat[t->sym.var]));
			if (!f && h->isfloat[t->sym.var]) {
				h->isfloat[t->sym.var] = false;
				changed = true;
			}
		}
	}
	/* every attribute stored is a float */
	for (size_t i = 0; sc.ok && i < b->n; i++) {
		struct ostmt *s = b->v[i];
		if (s->kind == OS_ASSIGN && s->targets[0]->kind == ON_ATTR &&
		    !hs_float(&sc, s->value))
			sc.ok = false;
	}
	free(sc.assigned);
	free(sc.inbody);
	if (!sc.ok)
		hoist_release(h);
	else
		h->id = lab(em);
	return sc.ok;
}

/* The loop of st with h's registers, before the loop as written (which
 * takes over from the same iterator, ended or not): while the guards hold
 * the registers are read and stored instead of the attributes, and
 * written back where the loop ends, raises or stops for the signals (then
 * the guards are checked again). */
static void hoist_loop(struct oem *em, struct ostmt *st, struct hoist *h,
		       int it)
{
	int id = h->id, outer = err_top(em), e = lab(em), v;

	emit_open(em->e, "{");
	for (size_t k = 0; k < h->n; k++)
		emit_line(em->e, "static mut H%zu: o::AC = o::AC::NEW;", k);
	emit_open(em->e, "'h%d: loop {", id);
	if (it >= 0)
		emit_line(em->e, "if !o::it_counts(&t%d) { break 'h%d; }", it,
			  id);
	emit_line(em->e,
		  "let Some(r%d) = %s.as_ref().map(|o| o.p()) else "
		  "{ break 'h%d; };",
		  id, var_r(em, h->recv), id);
	for (size_t k = 0; k < h->n; k++)
		emit_line(em->e,
			  "let Some(s%d_%zu) = o::hoist_slot(r%d, K[%d], "
			  "std::ptr::addr_of_mut!(H%zu)) else { break 'h%d; };",
			  id, k, id, h->names[k], k, id);
	for (size_t i = 0; i < h->nsqrts; i++)
		emit_line(em->e,
			  "if !o::hoist_math_sqrt(cx, K[%d], K[%d]) "
			  "{ break 'h%d; }",
			  h->sqrts[i], h->sqrt_k, id);
	for (size_t i = 0; i < em->fn->nvars; i++)
		if (h->guard[i])
			emit_line(em->e,
				  "if !o::hg_%s(&%s, %s) { break 'h%d; }",
				  em->num[i] ? "v" : "o", var_r(em, (int)i),
				  h->isfloat[i] ? "true" : "false", id);
	for (size_t k = 0; k < h->n; k++)
		emit_line(em->e,
			  "let mut h%d_%zu = o::slot_f(s%d_%zu); "
			  "let mut d%d_%zu = false;",
			  id, k, id, k, id, k);
	emit_line(em->e, "let mut due%d = false;", id);
	emit_open(em->e, "'x%d: {", e);
	err_push(em, e);
	emit_open(em->e, "'f%d: loop {", id);
	emit_line(em->e, "if o::tick_due() { due%d = true; break 'f%d; }", id,
		  id);
	em->hoist = h;
	if (it < 0) {
		/* while: the test (numbers: the loop as written, evaluating
		 * it once more after this one ends, finds it false too) */
		v = cond(em, st->value);
		emit_line(em->e, "if !b%d { break 'f%d; }", v, id);
	} else {
		v = tmp(em);
		emit_line(em->e,
			  "let t%d = match o::next_l(&t%d) { Ok(Some(v)) => v, "
			  "Ok(None) => break 'f%d, Err(_) => { o::tb(cx, %s); "
			  "break 'x%d; } };",
			  v, it, id, tbs(em, &st->value->pos), e);
		store(em, st->target, v);
	}
	block(em, &st->body);
	em->hoist = NULL;
	emit_close(em->e, NULL);
	err_pop(em);
	for (size_t k = 0; k < h->n; k++) {
		emit_open(em->e, "if d%d_%zu {", id, k);
		emit_qs(em, &st->pos, "o::hoist_put(s%d_%zu, h%d_%zu)", id, k,
			id, k);
		emit_close(em->e, NULL);
	}
	emit_open(em->e, "if due%d {", id);
	emit_qs(em, &st->pos, "o::tick_check()");
	emit_line(em->e, "continue 'h%d;", id);
	emit_close(em->e, NULL);
	emit_line(em->e, "break 'h%d;", id);
	emit_close(em->e, NULL);
	/* raised in the body: the registers stored, the exception kept */
	emit_line(em->e, "let ex%d = o::fetch();", id);
	for (size_t k = 0; k < h->n; k++)
		emit_line(
		    em->e,
		    "if d%d_%zu { let _ = o::hoist_put(s%d_%zu, h%d_%zu); }",
		    id, k, id, k, id, k);
	emit_line(em->e, "o::restore(ex%d);", id);
	emit_line(em->e, "break 'x%d;", outer);
	emit_close(em->e, NULL);
	emit_close(em->e, NULL);
}

static void st_for(struct oem *em, struct ostmt *st)
{
	int id = lab(em), it, v;
	struct hoist h;

	emit_open(em->e, "{");
	{
		int src = ex(em, st->value);
		it = emit_q(em, &st->value->pos, "o::iter_l(t%d)", src);
	}
	if (!em->hoist && hoist_plan(em, st, &h)) {
		hoist_loop(em, st, &h, it);
		hoist_release(&h);
	}
	emit_open(em->e, "'b%d: {", id);
	emit_open(em->e, "'l%d: loop {", id);
	emit_qs(em, &st->pos, "o::tick()");
	v = tmp(em);
	emit_line(em->e,
		  "let t%d = match o::next_l(&t%d) { Ok(Some(v)) => v, "
		  "Ok(None) => break 'l%d, Err(_) => { o::tb(cx, %s); "
		  "break 'x%d; } };",
		  v, it, id, tbs(em, &st->value->pos), err_top(em));
	store(em, st->target, v);
	st_loop_body(em, id, &st->body);
	emit_close(em->e, NULL);
	emit_line(em->e, "drop(t%d);", it);
	block(em, &st->orelse);
	emit_close(em->e, NULL);
	emit_close(em->e, NULL);
}

static void st_while(struct oem *em, struct ostmt *st)
{
	int id = lab(em);
	struct hoist h;

	if (!em->hoist && hoist_plan(em, st, &h)) {
		hoist_loop(em, st, &h, -1);
		hoist_release(&h);
	}
	emit_open(em->e, "'b%d: {", id);
	emit_open(em->e, "'l%d: loop {", id);
	emit_qs(em, &st->pos, "o::tick()");
	emit_open(em->e, "{");
	{
		int c = cond(em, st->value);
		emit_line(em->e, "if !b%d { break 'l%d; }", c, id);
	}
	emit_close(em->e, NULL);
	st_loop_body(em, id, &st->body);
	emit_close(em->e, NULL);
	block(em, &st->orelse);
	emit_close(em->e, NULL);
}

static void st_import(struct oem *em, struct ostmt *st)
{
	struct oimport *im = st->imp;
	int m;

	if (!im->is_from) {
		m = emit_q(em, &st->pos,
			   "o::import(cx, K[%d], std::ptr::null_mut(), 0)",
			   im->module);
		for (size_t i = 0; i < im->n; i++)
			m = emit_q(em, &st->pos, "o::import_from(&t%d, K[%d])",
				   m, im->names[i]);
		store(em, im->targets[0], m);
		return;
	}
	m = emit_q(em, &st->pos, "o::import(cx, K[%d], K[%d], %d)", im->module,
		   im->fromlist, im->level);
	for (size_t i = 0; i < im->n; i++) {
		int v = emit_q(em, &st->pos, "o::import_from(&t%d, K[%d])", m,
			       im->names[i]);
		store(em, im->targets[i], v);
	}
}

static void st_expr(struct oem *em, struct ostmt *st)
{
	emit_open(em->e, "{");
	emit_line(em->e, "let _ = t%d;", ex(em, st->value));
	emit_close(em->e, NULL);
}

static void st_assign(struct oem *em, struct ostmt *st)
{
	struct onode *t = st->targets[0], *val = st->value;
	int v, k;

	emit_open(em->e, "{");
	if (st->ntargets == 1 && (k = hoist_reg(em, t)) >= 0) {
		/* a register of the loop (hoist_loop): a float by its plan */
		v = ex_v(em, val);
		emit_line(em->e, "h%d_%d = o::vf(t%d); d%d_%d = true;",
			  em->hoist->id, k, v, em->hoist->id, k);
		emit_close(em->e, NULL);
		return;
	}
	if (st->ntargets == 1 && (t->kind == ON_TUPLE || t->kind == ON_LIST) &&
	    val->kind == ON_TUPLE && val->n == t->n && !has_star(t) &&
	    !has_star(val)) {
		/* a, b = x, y: the values left to right, then the targets
		 * left to right; the tuple is never seen (CPython swaps on
		 * its stack) */
		int *ts = xcalloc(val->n + 1, sizeof(int));
		for (size_t i = 0; i < val->n; i++)
			ts[i] = ex(em, val->a[i]);
		for (size_t i = 0; i < t->n; i++)
			store(em, t->a[i], ts[i]);
		free(ts);
		emit_close(em->e, NULL);
		return;
	}
	if (st->ntargets == 1 && t->kind == ON_NAME && is_num(em, &t->sym) &&
	    num_op(val)) {
		v = ex_v(em, val);
		emit_line(em->e, "%s = Some(t%d);", var_r(em, t->sym.var), v);
		emit_close(em->e, NULL);
		return;
	}
	if (st->ntargets == 1 && t->kind == ON_ATTR && num_op(val)) {
		/* o.name = arithmetic: stored unboxed (setattr_v) */
		v = ex_v(em, val);
		store_attr(em, t, v, "setattr_v");
		emit_close(em->e, NULL);
		return;
	}
	v = ex(em, st->value);
	for (size_t i = 0; i < st->ntargets; i++) {
		int u = v;
		if (i + 1 < st->ntargets) {
			u = tmp(em);
			emit_line(em->e, "let t%d = t%d.clone();", u, v);
		}
		store(em, st->targets[i], u);
	}
	emit_close(em->e, NULL);
}

/* x op= v: the target's parts evaluated once, read, the in-place op,
 * stored back (CPython's order). */
static void st_aug(struct oem *em, struct ostmt *st)
{
	struct onode *t = st->target;
	int hk = hoist_reg(em, t);

	emit_open(em->e, "{");
	if (hk >= 0) {
		/* a register of the loop (hoist_loop) */
		int v = ex_v(em, st->value);
		int r = emit_q(em, &st->pos, "o::%s(o::V::F(h%d_%d), t%d)",
			       vop_fn(st->op, true), em->hoist->id, hk, v);
		emit_line(em->e, "h%d_%d = o::vf(t%d); d%d_%d = true;",
			  em->hoist->id, hk, r, em->hoist->id, hk);
	} else if (t->kind == ON_ATTR) {
		/* obj borrowed when the value cannot rebind it */
		bool b = borrowable(em, t->a[0]) && is_simple(st->value);
		int o = b ? load_b(em, t->a[0]) : ex(em, t->a[0]);
		const char *fn = "setattr_v";
		int cur, r;

		emit_line(em->e, "static mut AG: o::AC = o::AC::NEW;");
		emit_line(em->e, "static mut AS: o::AC = o::AC::NEW;");
		cur = emit_q(em, &t->pos,
			     b ? "o::getattr_cb(t%d, K[%d], "
				 "std::ptr::addr_of_mut!(AG))"
			       : "o::getattr_c(t%d.clone(), K[%d], "
				 "std::ptr::addr_of_mut!(AG))",
			     o, t->name);
		/* an unboxed result is stored by setattr_v (a float may
		 * overwrite the one it replaces) */
		r = aug_v(em, st, cur);
		if (r < 0) {
			r = aug_apply(em, st, cur);
			fn = "setattr_c";
		}
		emit_qs(em, &t->pos,
			"o::%s(t%d, K[%d], t%d, std::ptr::addr_of_mut!(AS))",
			fn, o, t->name, r);
	} else if (t->kind == ON_SUBSCR) {
		int o = ex(em, t->a[0]);
		int k = ex(em, t->a[1]);
		int cur = emit_q(em, &t->pos,
				 "o::getitem(t%d.clone(), t%d.clone())", o, k);
		int r = aug_apply(em, st, cur);
		emit_qs(em, &t->pos, "o::setitem(t%d, t%d, t%d)", o, k, r);
	} else if (t->kind == ON_NAME && is_num(em, &t->sym) &&
		   arith_op(st->op)) {
		/* an unboxed local: read, the operation and the store stay
		 * unboxed */
		int cur = ex_v(em, t);
		int v = ex_v(em, st->value);
		int r = emit_q(em, &st->pos, "o::%s(t%d, t%d)",
			       vop_fn(st->op, true), cur, v);
		emit_line(em->e, "%s = Some(t%d);", var_r(em, t->sym.var), r);
	} else {
		int cur = ex(em, t);
		int r = aug_apply(em, st, cur);
		store(em, t, r);
	}
	emit_close(em->e, NULL);
}

static void st_if(struct oem *em, struct ostmt *st)
{
	int c;

	emit_open(em->e, "{");
	c = cond(em, st->value);
	emit_open(em->e, "if b%d {", c);
	block(em, &st->body);
	emit_close(em->e, NULL);
	if (st->orelse.n) {
		emit_open(em->e, "else {");
		block(em, &st->orelse);
		emit_close(em->e, NULL);
	}
	emit_close(em->e, NULL);
}

static void st_return(struct oem *em, struct ostmt *st)
{
	int v;

	emit_open(em->e, "{");
	if (st->value) {
		v = ex(em, st->value);
	} else {
		v = tmp(em);
		emit_line(em->e, "let t%d = o::none();", v);
	}
	emit_return(em, v);
	emit_close(em->e, NULL);
}

static void st_raise(struct oem *em, struct ostmt *st)
{
	emit_open(em->e, "{");
	if (!st->value) {
		emit_line(em->e, "if o::reraise() { o::tb(cx, %s); }",
			  tbs(em, &st->pos));
		emit_line(em->e, "break 'x%d;", err_top(em));
	} else {
		int v = ex(em, st->value);
		if (st->cause) {
			int c = ex(em, st->cause);
			emit_qs(em, &st->pos, "o::raise(t%d, Some(t%d))", v, c);
		} else {
			emit_qs(em, &st->pos, "o::raise(t%d, None)", v);
		}
	}
	emit_close(em->e, NULL);
}

static void st_assert(struct oem *em, struct ostmt *st)
{
	int c;

	emit_open(em->e, "if unsafe { o::ASSERTS } {");
	c = cond(em, st->value);
	emit_open(em->e, "if !b%d {", c);
	if (st->cause) {
		int m = ex(em, st->cause);
		emit_qs(em, &st->pos, "o::assert_fail(Some(t%d))", m);
	} else {
		emit_qs(em, &st->pos, "o::assert_fail(None)");
	}
	emit_close(em->e, NULL);
	emit_close(em->e, NULL);
}

static void st_del(struct oem *em, struct ostmt *st)
{
	emit_open(em->e, "{");
	for (size_t i = 0; i < st->ntargets; i++)
		del_target(em, st->targets[i]);
	emit_close(em->e, NULL);
}

static void st_jump(struct oem *em, struct ostmt *st)
{
	emit_jump(em, st->kind == OS_CONTINUE);
}

static void st_pass(struct oem *em, struct ostmt *st)
{
	(void)em, (void)st;
}

static void st_with(struct oem *em, struct ostmt *st)
{
	st_with_items(em, st, 0);
}

static void st_imports(struct oem *em, struct ostmt *st)
{
	emit_open(em->e, "{");
	st_import(em, st);
	emit_close(em->e, NULL);
}

/* One printer per statement kind, indexed by enum os_kind. */
static void (*const stmt_printers[])(struct oem *, struct ostmt *) = {
    [OS_EXPR] = st_expr,     [OS_ASSIGN] = st_assign, [OS_AUG] = st_aug,
    [OS_IF] = st_if,	     [OS_WHILE] = st_while,   [OS_FOR] = st_for,
    [OS_BREAK] = st_jump,    [OS_CONTINUE] = st_jump, [OS_RETURN] = st_return,
    [OS_PASS] = st_pass,     [OS_RAISE] = st_raise,   [OS_ASSERT] = st_assert,
    [OS_DEL] = st_del,	     [OS_TRY] = st_try,	      [OS_WITH] = st_with,
    [OS_IMPORT] = st_imports,
};

static void stmt(struct oem *em, struct ostmt *st)
{
	emit_line(em->e, "// line %d", st->line);
	stmt_printers[st->kind](em, st);
}

static void block(struct oem *em, struct oblock *b)
{
	for (size_t i = 0; i < b->n; i++)
		stmt(em, b->v[i]);
}

/* Parameters that are bound for the whole call (never deleted, never an
 * except target): reading them cannot fail or run code. */
static void mark_unbinds(bool *bound, struct oblock *b);

static void mark_target_unbind(bool *bound, struct onode *t)
{
	if (!t)
		return;
	if (t->kind == ON_NAME && t->sym.kind == SYM_LOCAL)
		bound[t->sym.var] = false;
	for (size_t i = 0; i < t->n; i++)
		if (t->a[i])
			mark_target_unbind(bound, t->a[i]);
}

static void mark_unbinds(bool *bound, struct oblock *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct ostmt *st = b->v[i];
		if (st->kind == OS_DEL)
			for (size_t k = 0; k < st->ntargets; k++)
				mark_target_unbind(bound, st->targets[k]);
		for (size_t k = 0; k < st->nhandlers; k++) {
			mark_target_unbind(bound, st->handlers[k].as);
			mark_unbinds(bound, &st->handlers[k].body);
		}
		mark_unbinds(bound, &st->body);
		mark_unbinds(bound, &st->orelse);
		mark_unbinds(bound, &st->final);
	}
}

/* Locals that arithmetic assigns (x = a * b, x += d): held as o::V, so
 * that a float or int result stays unboxed while only + - * / read it. */
static void mark_nums(const struct ofn *fn, bool *num, struct oblock *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct ostmt *st = b->v[i];
		struct onode *t = st->kind == OS_ASSIGN && st->ntargets == 1
				      ? st->targets[0]
				  : st->kind == OS_AUG ? st->target
						       : NULL;
		bool arith = st->kind == OS_ASSIGN
				 ? st->value && num_op(st->value)
				 : arith_op(st->op);
		if (t && t->kind == ON_NAME && t->sym.kind == SYM_LOCAL &&
		    arith) {
			const struct ovar *v = &fn->vars[t->sym.var];
			if (!v->is_param && !v->is_cell && !v->is_comp)
				num[t->sym.var] = true;
		}
		for (size_t k = 0; k < st->nhandlers; k++)
			mark_nums(fn, num, &st->handlers[k].body);
		mark_nums(fn, num, &st->body);
		mark_nums(fn, num, &st->orelse);
		mark_nums(fn, num, &st->final);
	}
}

void oemit_fn(struct emitter *e, struct omod *m, struct ofn *fn)
{
	struct oem em = {0};

	em.e = e;
	em.m = m;
	em.fn = fn;
	em.always_bound = xcalloc(fn->nvars + 1, sizeof(bool));
	for (int i = 0; i < 4; i++)
		buf_init(&em.tbring[i]);
	for (size_t i = 0; i < fn->nparams; i++)
		em.always_bound[fn->params[i]] =
		    !fn->vars[fn->params[i]].is_cell;
	mark_unbinds(em.always_bound, &fn->body);
	em.num = xcalloc(fn->nvars + 1, sizeof(bool));
	mark_nums(fn, em.num, &fn->body);
	err_push(&em, 0);

	emit_line(e, "// line %d: def %s", fn->line,
		  fn->qualname);
	emit_open(e,
		  "unsafe fn of_%d(cx: &o::NFn, a: *const o::P) -> o::P {",
		  fn->index);
	for (size_t i = 0; i < fn->nvars; i++) {
		struct ovar *v = &fn->vars[i];
		int p = -1;
		for (size_t k = 0; k < fn->nparams; k++)
			if (fn->params[k] == (int)i)
				p = (int)k;
		if (v->is_cell && p >= 0)
			emit_line(e,
				  "let mut %s: o::O = "
				  "o::new_cell(Some(o::arg(a, %d)));",
				  v->rname, p);
		else if (v->is_cell)
			emit_line(e, "let mut %s: o::O = o::new_cell(None);",
				  v->rname);
		else if (p >= 0)
			emit_line(e,
				  "let mut %s: Option<o::O> = "
				  "Some(o::arg(a, %d));",
				  v->rname, p);
		else
			emit_line(e, "let mut %s: Option<o::%s> = None;",
				  v->rname, em.num[i] ? "V" : "O");
	}
	emit_line(e, "let mut rv: Option<o::O> = None;");
	/* test hook, as the typed tier's (emit.c) */
	if (test_miscompile(getenv("RUSTIFY_TEST_MISCOMPILE"), fn->qualname))
		emit_line(e, "compile_error!(\"RUSTIFY_TEST_MISCOMPILE "
			     "(a test's deliberately broken function)\");");
	emit_open(e, "'r: {");
	emit_open(e, "'x0: {");
	block(&em, &fn->body);
	emit_line(e, "rv = Some(o::none());");
	emit_line(e, "break 'r;");
	emit_close(e, NULL);
	emit_close(e, NULL);
	emit_line(e, "match rv { Some(v) => v.into_raw(), None => "
		     "std::ptr::null_mut() }");
	emit_close(e, NULL);
	free(em.always_bound);
	free(em.num);
	free(em.ctx);
	free(em.errs);
	free(em.comps);
	for (int i = 0; i < 4; i++)
		buf_release(&em.tbring[i]);
}

/* ---- module tables ---- */

/* A Rust string literal for any bytes (UTF-8 text expected). */
static void rust_str(struct buf *b, const char *s, size_t n)
{
	buf_addch(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			buf_addf(b, "\\%c", c);
		else if (c == '\n')
			buf_adds(b, "\\n");
		else if (c == '\r')
			buf_adds(b, "\\r");
		else if (c == '\t')
			buf_adds(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\u{%x}", c);
		else
			buf_addch(b, (char)c);
	}
	buf_addch(b, '"');
}

void oemit_consts(struct emitter *e, struct omod *m)
{
	struct buf src = BUF_INIT, ix = BUF_INIT, names = BUF_INIT,
		   kw = BUF_INIT, lit = BUF_INIT;
	size_t n = m->nconsts ? m->nconsts : 1;

	for (size_t i = 0; i < m->nconsts; i++) {
		struct oconst *c = &m->consts[i];
		switch (c->kind) {
		case OK_EVAL:
			/* one literal per line, in parentheses: comments and
			 * implicit concatenation in its text stay its own */
			buf_adds(&src, "(\n");
			buf_add(&src, c->text, c->len);
			buf_adds(&src, "\n),\n");
			buf_addf(&ix, "%zu, ", i);
			break;
		case OK_NAME:
		case OK_UTF8:
			buf_addf(&names, "(%zu, ", i);
			rust_str(&names, c->text, c->len);
			buf_adds(&names, "), ");
			break;
		case OK_KWNAMES:
			buf_addf(&kw, "(%zu, &[", i);
			for (size_t k = 0; k < c->nnames; k++)
				buf_addf(&kw, "%d, ", c->names[k]);
			buf_adds(&kw, "]), ");
			break;
		}
	}
	rust_str(&lit, src.data, src.len);
	emit_line(e, "static mut K: [o::P; %zu] = [std::ptr::null_mut(); %zu];",
		  n, n);
	emit_open(e, "unsafe fn init_k() -> o::R<()> {");
	emit_line(e, "const SRC: &str = %s;", lit.data);
	emit_line(e, "o::init_consts(std::ptr::addr_of_mut!(K) as *mut o::P, "
		     "%zu, SRC, &[%s], &[%s], &[%s])",
		  m->nconsts, ix.data, names.data, kw.data);
	emit_close(e, NULL);
	buf_release(&src);
	buf_release(&ix);
	buf_release(&names);
	buf_release(&kw);
	buf_release(&lit);
}

static void str_list(struct buf *b, char **v, size_t n)
{
	buf_adds(b, "&[");
	for (size_t i = 0; i < n; i++) {
		rust_str(b, v[i], strlen(v[i]));
		buf_adds(b, ", ");
	}
	buf_adds(b, "]");
}

/* A Python literal for a constant the typed tier inlined. */
static void py_literal_text(struct buf *b, const struct ex *x)
{
	switch (x->kind) {
	case EX_INT:
		buf_addf(b, "%lld", (long long)x->ival);
		break;
	case EX_FLOAT:
		if (x->fval != x->fval)
			buf_adds(b, "float('nan')");
		else if (x->fval == 1.0 / 0.0)
			buf_adds(b, "float('inf')");
		else if (x->fval == -1.0 / 0.0)
			buf_adds(b, "-float('inf')");
		else {
			char t[64];
			snprintf(t, sizeof(t), "%.17g", x->fval);
			buf_adds(b, t);
			if (!strpbrk(t, ".en"))
				buf_adds(b, ".0");
		}
		break;
	case EX_BOOL:
		buf_adds(b, x->ival ? "True" : "False");
		break;
	case EX_SET:
		buf_addch(b, '{');
		for (size_t i = 0; i < x->n; i++) {
			py_literal_text(b, x->a[i]);
			buf_adds(b, ", ");
		}
		buf_addch(b, '}');
		break;
	case EX_STR:
		buf_addch(b, '\'');
		for (size_t i = 0; i < x->slen; i++) {
			unsigned char c = (unsigned char)x->sval[i];
			if (c == '\\' || c == '\'')
				buf_addf(b, "\\%c", c);
			else if (c < 0x20 || c == 0x7f)
				buf_addf(b, "\\x%02x", c);
			else
				buf_addch(b, (char)c);
		}
		buf_addch(b, '\'');
		break;
	default:
		buf_adds(b, "None");
		break;
	}
}

static bool dep_seen(const struct gdep **v, size_t n, const struct gdep *d)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->kind == d->kind && !strcmp(v[i]->name, d->name) &&
		    (!d->attr || (v[i]->attr && !strcmp(v[i]->attr, d->attr))))
			return true;
	return false;
}

/* The dependencies of tfn and of every typed function it calls natively
 * (their own checks are bypassed by a native call). */
static void collect_deps(struct ir_module *tm, const struct ir_fn *fn,
			 const struct gdep ***v, size_t *n, size_t *cap,
			 const struct ir_fn ***seen, size_t *nseen)
{
	for (size_t i = 0; i < *nseen; i++)
		if ((*seen)[i] == fn)
			return;
	*seen = xrealloc(*seen, (*nseen + 1) * sizeof(**seen));
	(*seen)[(*nseen)++] = fn;
	for (size_t i = 0; i < fn->ndeps; i++) {
		const struct gdep *d = &fn->deps[i];
		if (!dep_seen(*v, *n, d)) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 8;
				*v = xrealloc(*v, *cap * sizeof(**v));
			}
			(*v)[(*n)++] = d;
		}
		if (d->kind == GDEP_FN) {
			struct ir_fn *callee = ir_module_find(tm, d->name);
			if (callee)
				collect_deps(tm, callee, v, n, cap, seen,
					     nseen);
		}
	}
}

static void guards_list(struct buf *b, struct ir_module *tm,
			const struct ir_fn *tfn)
{
	const struct gdep **v = NULL;
	const struct ir_fn **seen = NULL;
	size_t n = 0, cap = 0, nseen = 0;

	collect_deps(tm, tfn, &v, &n, &cap, &seen, &nseen);
	buf_adds(b, "&[");
	for (size_t i = 0; i < n; i++) {
		struct buf lit = BUF_INIT;
		const char *attr = v[i]->attr ? v[i]->attr : "";
		if (v[i]->kind == GDEP_CONST || v[i]->kind == GDEP_SETCONST) {
			py_literal_text(&lit, v[i]->lit);
			attr = lit.data;
		}
		buf_addf(b, "(b'%c', ", (char)v[i]->kind);
		rust_str(b, v[i]->name, strlen(v[i]->name));
		buf_adds(b, ", ");
		rust_str(b, v[i]->module ? v[i]->module : "",
			 v[i]->module ? strlen(v[i]->module) : 0);
		buf_adds(b, ", ");
		rust_str(b, attr, strlen(attr));
		buf_addf(b, ", %d), ", v[i]->line);
		buf_release(&lit);
	}
	buf_adds(b, "]");
	free(v);
	free(seen);
}

void oemit_spec(struct emitter *e, struct omod *m, struct ofn *fn,
		struct ir_module *tm, const struct ir_fn *tfn, bool has_body)
{
	const char *typed_name = tfn ? tfn->name : NULL;
	struct buf b = BUF_INIT;
	char **params = xcalloc(fn->nparams + 1, sizeof(char *));

	for (size_t i = 0; i < fn->nparams; i++)
		params[i] = fn->vars[fn->params[i]].name;
	buf_addf(&b,
		 "static C_%d: o::Counts = o::Counts::NEW;\n"
		 "static S_%d: o::Spec = o::Spec { qualname: ",
		 fn->index, fn->index);
	rust_str(&b, fn->qualname, strlen(fn->qualname));
	buf_addf(&b, ", line: %d, params: ", fn->first_line);
	str_list(&b, params, fn->nparams);
	buf_addf(&b,
		 ", nposonly: %zu, npos: %zu, nkwonly: %zu, varargs: %s, "
		 "varkw: %s, freevars: ",
		 fn->nposonly, fn->npos, fn->nkwonly,
		 fn->has_varargs ? "true" : "false",
		 fn->has_varkw ? "true" : "false");
	str_list(&b, fn->freevars, fn->nfree);
	buf_adds(&b, ", nested: &[");
	for (size_t i = 0; i < fn->nnested; i++) {
		struct onested *d = &fn->nested[i];
		buf_adds(&b, "(");
		rust_str(&b, d->co_name, strlen(d->co_name));
		buf_addf(&b, ", %d, %d, %d, ", d->line, d->end_line,
			 d->ordinal);
		if (d->tb_only)
			buf_adds(&b, "&[\"*\"]");
		else
			str_list(&b, d->freevars, d->nfree);
		buf_addf(&b, ", %d, %s), ", d->parent,
			 d->maybe_dead ? "true" : "false");
	}
	buf_adds(&b, "], ");
	if (typed_name) {
		if (has_body)
			buf_addf(&b, "f: Some(of_%d), typed: Some(", fn->index);
		else
			buf_adds(&b, "f: None, typed: Some(");
		rust_str(&b, typed_name, strlen(typed_name));
		buf_adds(&b, "), guards: ");
		guards_list(&b, tm, tfn);
		buf_addf(&b, ", nan_guard: %s, counts: &C_%d };",
			 identity_nan_guard(tfn) ? "true" : "false",
			 fn->index);
	} else {
		buf_addf(&b,
			 "f: Some(of_%d), typed: None, guards: &[], "
			 "nan_guard: false, counts: &C_%d };",
			 fn->index, fn->index);
	}
	emit_line(e, "%s", b.data);
	buf_release(&b);
	free(params);
	(void)m;
}
