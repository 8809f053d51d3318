/*
 * olower.c - tree-sitter-python syntax tree -> object-tier IR (oir.h).
 *
 * Owns two things: the scope analysis (CPython's symtable rules: which
 * names are locals, cells shared with nested functions, free variables
 * such as __class__, or globals; comprehensions as scopes of their own;
 * walrus targets in the enclosing function; private name mangling), and
 * the mapping of every statement and expression of a function body to
 * IR nodes. Functions and methods of the module (and of classes nested in
 * classes) are lowered; nested functions, lambdas and generator
 * expressions are not: the native function creates them at run time from
 * the original's code objects, with the cells it shares with them.
 * What the object tier cannot run (generators, async, class statements
 * inside functions, match) leaves the function in Python with a reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oir.h"
#include "tsnode.h"

/* ---- string sets (small: linear search) ---- */

struct strset {
	char **v;
	size_t n, cap;
};

static bool set_has(const struct strset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return true;
	return false;
}

static void set_add(struct arena *a, struct strset *s, const char *name)
{
	if (!set_has(s, name))
		arena_push(a, (void ***)&s->v, &s->n, &s->cap,
			   arena_strdup(a, name));
}

/* ---- scopes ---- */

enum sc_kind { SC_FN, SC_COMP, SC_NESTED, SC_CLASS };

struct scope {
	enum sc_kind kind;
	struct scope *parent;
	uint32_t start, end; /* the node's bytes: finds the scope again */
	struct strset bound, globals, nonlocals, used;
	struct scope **kids;
	size_t nkids, capkids;
	bool is_inline; /* the native function or a comprehension in it */
	bool is_gen;	/* a generator expression (inline when consumed) */
	struct strset free;
	struct strset cells;
	int *vars; /* per bound name: ofn var index (inline scopes) */
};

struct olower {
	struct omod *m;
	struct arena *a;
	const char *src;
	size_t len;
	struct ofn *fn;
	int gen_parent; /* nested code the code being lowered is in: an
			 * inlined generator expression's, or -1 */
	int dead;	/* > 0: lowering statements that follow one that
			 * always leaves their block */
	struct scope *top; /* the function's scope */
	struct scope **all;
	size_t nall, capall;
	const char *classname; /* for private name mangling, or NULL */
	TSNode unsplat; /* a list_splat lowered as its operand (quirk) */
	bool failed;
	bool future_annotations;
	TSNode def; /* the function's def */
	/* lowering a def of another function (its native version): the
	 * names it takes from the enclosing function (its co_freevars) */
	const struct strset *nested_free;
};

static int ofail(struct olower *L, TSNode n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ofail(struct olower *L, TSNode n, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!L->failed) {
		va_start(ap, fmt);
		buf_vaddf(&b, fmt, ap);
		va_end(ap);
		L->fn->reason = xasprintf("line %d:%d %s", TS_LINE(n),
					  TS_COL(n), b.data);
		buf_release(&b);
	}
	L->failed = true;
	L->fn->is_ok = false;
	return -1;
}

static char *text_of(struct olower *L, TSNode n)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

	if (e > L->len)
		e = (uint32_t)L->len;
	if (s > e)
		s = e;
	return arena_strndup(L->a, L->src + s, e - s);
}

/* CPython's _Py_Mangle: __x inside class C is _C__x. */
static char *mangle(struct olower *L, const char *name)
{
	const char *c = L->classname;
	size_t n = strlen(name);

	if (!c || n < 3 || name[0] != '_' || name[1] != '_' ||
	    (name[n - 1] == '_' && name[n - 2] == '_') || strchr(name, '.'))
		return arena_strdup(L->a, name);
	while (*c == '_')
		c++;
	if (!*c)
		return arena_strdup(L->a, name);
	{
		struct buf b = BUF_INIT;
		char *r;
		buf_addf(&b, "_%s%s", c, name);
		r = arena_strdup(L->a, b.data);
		buf_release(&b);
		return r;
	}
}

static char *ident(struct olower *L, TSNode n)
{
	return mangle(L, text_of(L, n));
}

static struct scope *scope_new(struct olower *L, enum sc_kind kind,
			       struct scope *parent, TSNode n)
{
	struct scope *s = arena_alloc(L->a, sizeof(*s));

	s->kind = kind;
	s->parent = parent;
	s->start = ts_node_start_byte(n);
	s->end = ts_node_end_byte(n);
	s->is_inline =
	    kind == SC_FN || (kind == SC_COMP && parent && parent->is_inline);
	if (parent)
		arena_push(L->a, (void ***)&parent->kids, &parent->nkids,
			   &parent->capkids, s);
	arena_push(L->a, (void ***)&L->all, &L->nall, &L->capall, s);
	return s;
}

static struct scope *scope_of(struct olower *L, TSNode n)
{
	for (size_t i = 0; i < L->nall; i++)
		if (L->all[i]->start == ts_node_start_byte(n) &&
		    L->all[i]->end == ts_node_end_byte(n) &&
		    L->all[i] != L->top)
			return L->all[i];
	return NULL;
}

/* The scope a walrus binds in: the nearest that is not a comprehension
 * (generator expressions are comprehensions too). */
static struct scope *walrus_scope(struct scope *s)
{
	while ((s->kind == SC_COMP || s->is_gen) && s->parent)
		s = s->parent;
	return s;
}

static void scan(struct olower *L, struct scope *s, TSNode n);

static void bind(struct olower *L, struct scope *s, TSNode id)
{
	set_add(L->a, &s->bound, ident(L, id));
}

/* Names bound by an assignment target (store context). */
static void scan_target(struct olower *L, struct scope *s, TSNode n)
{
	const char *t;

	n = ts_unparen(n);
	if (ts_node_is_null(n))
		return;
	t = ts_node_type(n);
	if (!strcmp(t, "identifier")) {
		bind(L, s, n);
	} else if (!strcmp(t, "attribute")) {
		scan(L, s, ts_field(n, "object"));
	} else if (!strcmp(t, "subscript")) {
		scan(L, s, n); /* value and index are loads */
	} else if (!strcmp(t, "pattern_list") || !strcmp(t, "tuple_pattern") ||
		   !strcmp(t, "list_pattern") || !strcmp(t, "tuple") ||
		   !strcmp(t, "list") || !strcmp(t, "expression_list") ||
		   !strcmp(t, "list_splat_pattern") ||
		   !strcmp(t, "list_splat") ||
		   !strcmp(t, "parenthesized_expression")) {
		for (uint32_t i = 0; i < ts_nnamed(n); i++)
			scan_target(L, s, ts_named(n, i));
	} else {
		scan(L, s, n);
	}
}

static void scan_children(struct olower *L, struct scope *s, TSNode n)
{
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
		scan(L, s, ts_node_named_child(n, i));
}

/* Parameters of a def or lambda: defaults and annotations are evaluated
 * in the enclosing scope s, names are bound in the new scope k. */
static void scan_params(struct olower *L, struct scope *s, struct scope *k,
			TSNode params, bool annotations)
{
	for (uint32_t i = 0; i < ts_nnamed(params); i++) {
		TSNode p = ts_named(params, i);
		const char *t = ts_node_type(p);
		if (!strcmp(t, "identifier")) {
			bind(L, k, p);
		} else if (!strcmp(t, "default_parameter") ||
			   !strcmp(t, "typed_default_parameter")) {
			bind(L, k, ts_field(p, "name"));
			scan(L, s, ts_field(p, "value"));
			if (annotations && !L->future_annotations)
				scan(L, s, ts_field(p, "type"));
		} else if (!strcmp(t, "typed_parameter")) {
			TSNode inner = ts_named(p, 0);
			if (ts_is(inner, "identifier"))
				bind(L, k, inner);
			else
				scan_target(L, k, ts_named(inner, 0));
			if (annotations && !L->future_annotations)
				scan(L, s, ts_field(p, "type"));
		} else if (!strcmp(t, "list_splat_pattern") ||
			   !strcmp(t, "dictionary_splat_pattern")) {
			scan_target(L, k, ts_named(p, 0));
		}
	}
}

/* The names whose call consumes a generator expression passed alone
 * (oemit.c's consumer table has the same order). */
const char *const ogen_consumers[] = {"sum",	"any",	 "all", "min",
				      "max",	"sorted", "list", "tuple",
				      "set",	NULL};

/* f(x for x in xs) with f a consumer's name, or s.join(x for ...). */
static bool genexp_consumed(struct olower *L, TSNode n)
{
	TSNode call = ts_node_parent(n), f;
	char *name;

	if (ts_node_is_null(call) || !ts_is(call, "call"))
		return false;
	if (ts_node_start_byte(ts_field(call, "arguments")) !=
	    ts_node_start_byte(n))
		return false;
	f = ts_field(call, "function");
	if (ts_is(f, "attribute"))
		return !strcmp(text_of(L, ts_field(f, "attribute")), "join");
	if (!ts_is(f, "identifier"))
		return false;
	name = text_of(L, f);
	for (size_t i = 0; ogen_consumers[i]; i++)
		if (!strcmp(name, ogen_consumers[i]))
			return true;
	return false;
}

static void scan_comp(struct olower *L, struct scope *s, TSNode n,
		      enum sc_kind kind)
{
	struct scope *k = scope_new(L, kind, s, n);
	bool first = true;

	if (ts_is(n, "generator_expression")) {
		/* Consumed where it is made (sum(x for x in xs)): run inline
		 * while the consumer is still the builtin. Its scope stays a
		 * function's for the cells (the generator made when the
		 * name is rebound reads them), its own names are locals. */
		k->is_gen = true;
		k->is_inline = s->is_inline && genexp_consumed(L, n);
	}

	for (uint32_t i = 0; i < ts_nnamed(n); i++) {
		TSNode c = ts_named(n, i);
		if (ts_is(c, "for_in_clause")) {
			/* The first iterable is evaluated outside. */
			scan(L, first ? s : k, ts_field(c, "right"));
			scan_target(L, k, ts_field(c, "left"));
			first = false;
		} else if (ts_is(c, "if_clause")) {
			scan_children(L, k, c);
		}
	}
	scan(L, k, ts_field(n, "body"));
}

static void scan_def(struct olower *L, struct scope *s, TSNode n)
{
	struct scope *k;

	bind(L, s, ts_field(n, "name"));
	k = scope_new(L, SC_NESTED, s, n);
	scan_params(L, s, k, ts_field(n, "parameters"), true);
	if (!L->future_annotations)
		scan(L, s, ts_field(n, "return_type"));
	scan(L, k, ts_field(n, "body"));
}

static void scan(struct olower *L, struct scope *s, TSNode n)
{
	const char *t;

	if (ts_node_is_null(n))
		return;
	t = ts_node_type(n);
	if (!strcmp(t, "identifier")) {
		char *name = ident(L, n);
		set_add(L->a, &s->used, name);
		/* super() reads the __class__ cell (CPython's symtable). */
		if (!strcmp(name, "super") && s->kind != SC_CLASS)
			set_add(L->a, &s->used, "__class__");
	} else if (!strcmp(t, "assignment")) {
		scan_target(L, s, ts_field(n, "left"));
		scan(L, s, ts_field(n, "right"));
	} else if (!strcmp(t, "augmented_assignment")) {
		scan(L, s, ts_field(n, "left"));
		scan_target(L, s, ts_field(n, "left"));
		scan(L, s, ts_field(n, "right"));
	} else if (!strcmp(t, "for_statement")) {
		scan_target(L, s, ts_field(n, "left"));
		scan(L, s, ts_field(n, "right"));
		scan(L, s, ts_field(n, "body"));
		scan(L, s, ts_field(n, "alternative"));
	} else if (!strcmp(t, "named_expression") &&
		   ts_is(ts_node_parent(n), "interpolation")) {
		/* f"{x:=5}": x and a format spec, not a walrus */
		scan(L, s, ts_field(n, "name"));
	} else if (!strcmp(t, "named_expression")) {
		struct scope *w = walrus_scope(s);
		char *name = ident(L, ts_field(n, "name"));
		bind(L, w, ts_field(n, "name"));
		/* the comprehensions in between take it from outside */
		for (struct scope *p = s; p != w; p = p->parent)
			set_add(L->a, &p->nonlocals, name);
		scan(L, s, ts_field(n, "value"));
	} else if (!strcmp(t, "function_definition")) {
		scan_def(L, s, n);
	} else if (!strcmp(t, "decorated_definition")) {
		for (uint32_t i = 0; i < ts_nnamed(n); i++)
			if (ts_is(ts_named(n, i), "decorator"))
				scan(L, s, ts_named(n, i));
		scan(L, s, ts_field(n, "definition"));
	} else if (!strcmp(t, "class_definition")) {
		struct scope *k;
		bind(L, s, ts_field(n, "name"));
		scan(L, s, ts_field(n, "superclasses"));
		k = scope_new(L, SC_CLASS, s, n);
		scan(L, k, ts_field(n, "body"));
	} else if (!strcmp(t, "lambda")) {
		struct scope *k = scope_new(L, SC_NESTED, s, n);
		scan_params(L, s, k, ts_field(n, "parameters"), false);
		scan(L, k, ts_field(n, "body"));
	} else if (!strcmp(t, "list_comprehension") ||
		   !strcmp(t, "set_comprehension") ||
		   !strcmp(t, "dictionary_comprehension")) {
		scan_comp(L, s, n, SC_COMP);
	} else if (!strcmp(t, "generator_expression")) {
		scan_comp(L, s, n, SC_NESTED);
	} else if (!strcmp(t, "attribute")) {
		scan(L, s, ts_field(n, "object"));
	} else if (!strcmp(t, "keyword_argument")) {
		scan(L, s, ts_field(n, "value"));
	} else if (!strcmp(t, "global_statement") ||
		   !strcmp(t, "nonlocal_statement")) {
		bool g = !strcmp(t, "global_statement");
		for (uint32_t i = 0; i < ts_nnamed(n); i++)
			set_add(L->a, g ? &s->globals : &s->nonlocals,
				ident(L, ts_named(n, i)));
	} else if (!strcmp(t, "import_statement") ||
		   !strcmp(t, "import_from_statement")) {
		bool from = !strcmp(t, "import_from_statement");
		TSNode names[256];
		uint32_t nn = ts_field_all(n, "name", names, 256);
		for (uint32_t i = 0; i < nn && i < 256; i++) {
			TSNode c = names[i];
			if (ts_is(c, "aliased_import"))
				bind(L, s, ts_field(c, "alias"));
			else if (from)
				bind(L, s, ts_named(c, ts_nnamed(c) - 1));
			else
				bind(L, s, ts_named(c, 0));
		}
	} else if (!strcmp(t, "except_clause")) {
		TSNode v = ts_field(n, "value");
		if (ts_is(v, "as_pattern")) {
			scan(L, s, ts_named(v, 0));
			scan_target(L, s, ts_named(ts_field(v, "alias"), 0));
		} else {
			scan(L, s, v);
			scan_target(L, s, ts_field(n, "alias"));
		}
		for (uint32_t i = 0; i < ts_nnamed(n); i++)
			if (ts_is(ts_named(n, i), "block"))
				scan(L, s, ts_named(n, i));
	} else if (!strcmp(t, "with_item")) {
		TSNode v = ts_field(n, "value");
		if (ts_is(v, "as_pattern")) {
			scan(L, s, ts_named(v, 0));
			scan_target(L, s, ts_named(ts_field(v, "alias"), 0));
		} else {
			scan(L, s, v);
		}
	} else if (!strcmp(t, "delete_statement")) {
		for (uint32_t i = 0; i < ts_nnamed(n); i++)
			scan_target(L, s, ts_named(n, i));
	} else if (!strcmp(t, "typed_parameter") || !strcmp(t, "type")) {
		/* annotations of locals are not evaluated in functions */
	} else if (!strcmp(t, "dotted_name") || ts_is_extra(n)) {
	} else {
		scan_children(L, s, n);
	}
	(void)0;
}

static bool is_local(const struct scope *s, const char *name)
{
	return set_has(&s->bound, name) && !set_has(&s->globals, name) &&
	       !set_has(&s->nonlocals, name);
}

/* Does a scope above s (classes skipped) bind name as a local? The
 * method's implicit __class__ counts: the function takes it from its
 * closure. */
static bool bound_above(struct olower *L, struct scope *s, const char *name)
{
	for (struct scope *p = s->parent; p; p = p->parent) {
		if (p->kind == SC_CLASS) {
			/* the class provides its methods' __class__ cell */
			if (!strcmp(name, "__class__"))
				return true;
			continue;
		}
		if (set_has(&p->globals, name))
			return false;
		if (is_local(p, name))
			return true;
		if (p == L->top)
			return (!strcmp(name, "__class__") &&
				L->fn->is_method) ||
			       (L->nested_free &&
				set_has(L->nested_free, name));
	}
	return false;
}

/* Bottom-up: the free names of each scope, and the cells of each scope
 * (its locals that a scope below takes as free). */
static void resolve(struct olower *L, struct scope *s)
{
	struct strset cand = {0};

	for (size_t i = 0; i < s->nkids; i++)
		resolve(L, s->kids[i]);
	for (size_t i = 0; i < s->used.n; i++)
		set_add(L->a, &cand, s->used.v[i]);
	for (size_t i = 0; i < s->nonlocals.n; i++)
		set_add(L->a, &cand, s->nonlocals.v[i]);
	for (size_t i = 0; i < s->nkids; i++) {
		struct scope *k = s->kids[i];
		for (size_t j = 0; j < k->free.n; j++) {
			const char *name = k->free.v[j];
			if (s->kind == SC_CLASS) {
				/* A class body passes on what its methods
				 * take from outside, whatever it binds
				 * itself; __class__ is its own. */
				if (strcmp(name, "__class__") &&
				    bound_above(L, s, name))
					set_add(L->a, &s->free, name);
				continue;
			}
			if (is_local(s, name))
				set_add(L->a, &s->cells, name);
			set_add(L->a, &cand, name);
		}
	}
	if (s == L->top) {
		/* The function itself takes only __class__ from outside; a
		 * nested def what its enclosing function gives it. */
		if (L->fn->is_method && set_has(&cand, "__class__") &&
		    !is_local(s, "__class__"))
			set_add(L->a, &s->free, "__class__");
		for (size_t i = 0; L->nested_free && i < cand.n; i++)
			if (set_has(L->nested_free, cand.v[i]) &&
			    !is_local(s, cand.v[i]) &&
			    !set_has(&s->globals, cand.v[i]))
				set_add(L->a, &s->free, cand.v[i]);
		return;
	}
	for (size_t i = 0; i < cand.n; i++) {
		const char *name = cand.v[i];
		if (s->kind != SC_CLASS &&
		    (is_local(s, name) || set_has(&s->globals, name)))
			continue;
		if (s->kind == SC_CLASS &&
		    ((set_has(&s->bound, name) &&
		      !set_has(&s->nonlocals, name)) ||
		     set_has(&s->globals, name)))
			continue;
		if (bound_above(L, s, name))
			set_add(L->a, &s->free, name);
	}
}

/* ---- symbols of the native scopes ---- */

static int fn_add_var(struct olower *L, const char *name, bool is_comp)
{
	struct ofn *fn = L->fn;
	struct ovar *v;
	struct buf b = BUF_INIT;

	if (fn->nvars == fn->capvars) {
		size_t cap = fn->capvars ? fn->capvars * 2 : 16;
		struct ovar *nv = arena_alloc(L->a, cap * sizeof(*nv));
		if (fn->nvars)
			memcpy(nv, fn->vars, fn->nvars * sizeof(*nv));
		fn->vars = nv;
		fn->capvars = cap;
	}
	v = &fn->vars[fn->nvars];
	memset(v, 0, sizeof(*v));
	v->name = arena_strdup(L->a, name);
	v->pname = omod_name(L->m, name);
	v->is_comp = is_comp;
	buf_addf(&b, "%s%zu_", is_comp ? "c" : "v", fn->nvars);
	for (const char *p = name; *p; p++)
		buf_addch(&b, ((*p >= 'a' && *p <= 'z') ||
			       (*p >= 'A' && *p <= 'Z') ||
			       (*p >= '0' && *p <= '9') || *p == '_')
				  ? *p
				  : 'u');
	v->rname = arena_strdup(L->a, b.data);
	buf_release(&b);
	return (int)fn->nvars++;
}

/* Gives every local of the native scopes a variable. */
static void assign_vars(struct olower *L)
{
	for (size_t i = 0; i < L->nall; i++) {
		struct scope *s = L->all[i];
		if (!s->is_inline)
			continue;
		s->vars = arena_alloc(L->a, (s->bound.n + 1) * sizeof(int));
		for (size_t k = 0; k < s->bound.n; k++) {
			s->vars[k] = -1;
			if (!is_local(s, s->bound.v[k]))
				continue;
			s->vars[k] =
			    fn_add_var(L, s->bound.v[k], s->kind != SC_FN);
			L->fn->vars[s->vars[k]].is_cell =
			    set_has(&s->cells, s->bound.v[k]);
		}
	}
}

static int scope_var(const struct scope *s, const char *name)
{
	for (size_t k = 0; k < s->bound.n; k++)
		if (!strcmp(s->bound.v[k], name))
			return s->vars ? s->vars[k] : -1;
	return -1;
}

/* Where a name read or written in native scope s lives. */
static struct osym lookup(struct olower *L, struct scope *s, const char *name)
{
	struct osym y = {0};

	y.name = omod_name(L->m, name);
	for (struct scope *p = s; p && p->is_inline; p = p->parent) {
		if (set_has(&p->globals, name)) {
			y.kind = SYM_GLOBAL;
			return y;
		}
		if (is_local(p, name)) {
			y.var = scope_var(p, name);
			y.kind = L->fn->vars[y.var].is_cell ? SYM_CELL
							    : SYM_LOCAL;
			y.in_comp = p != s;
			return y;
		}
	}
	for (size_t i = 0; i < L->fn->nfree; i++)
		if (!strcmp(L->fn->freevars[i], name)) {
			y.kind = SYM_FREE;
			y.free = (int)i;
			return y;
		}
	y.kind = SYM_GLOBAL;
	return y;
}

/* ---- expressions ---- */

static struct onode *lower_expr(struct olower *L, struct scope *s, TSNode n);
static struct onode *lower_target(struct olower *L, struct scope *s,
				  TSNode n);
static int lower_block(struct olower *L, struct scope *s, TSNode n,
		       struct oblock *out);

static struct opos pos_of(TSNode n)
{
	struct opos p;
	TSPoint a = ts_node_start_point(n), b = ts_node_end_point(n);

	p.line = (int)a.row + 1;
	p.col = (int)a.column;
	p.eline = (int)b.row + 1;
	p.ecol = (int)b.column;
	return p;
}

static struct onode *onew(struct olower *L, enum on_kind kind, TSNode at)
{
	struct onode *o = arena_alloc(L->a, sizeof(*o));

	o->kind = kind;
	o->line = TS_LINE(at);
	o->col = TS_COL(at);
	o->pos = pos_of(at);
	return o;
}

static void opush(struct olower *L, struct onode *o, struct onode *child,
		  size_t *cap)
{
	arena_push(L->a, (void ***)&o->a, &o->n, cap, child);
}

static struct onode *const_node(struct olower *L, TSNode at,
				enum oconst_kind kind, const char *text,
				size_t len)
{
	struct onode *o = onew(L, ON_CONST, at);

	o->k = omod_const(L->m, kind, text, len);
	return o;
}

static struct onode *name_node(struct olower *L, struct scope *s, TSNode n,
			       const char *name)
{
	struct onode *o = onew(L, ON_NAME, n);

	o->sym = lookup(L, s, name);
	return o;
}

static int op_of(const char *t)
{
	static const struct {
		const char *s;
		int op;
	} ops[] = {
	    {"+", OP_ADD},	 {"-", OP_SUB},	      {"*", OP_MUL},
	    {"/", OP_DIV},	 {"//", OP_FLOORDIV}, {"%", OP_MOD},
	    {"**", OP_POW},	 {"<<", OP_LSHIFT},   {">>", OP_RSHIFT},
	    {"&", OP_BITAND},	 {"|", OP_BITOR},     {"^", OP_BITXOR},
	    {"@", OP_MATMUL},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(t, ops[i].s))
			return ops[i].op;
	return 0;
}

static bool string_has_f(struct olower *L, TSNode n)
{
	if (ts_is(n, "concatenated_string")) {
		for (uint32_t i = 0; i < ts_nnamed(n); i++)
			if (string_has_f(L, ts_named(n, i)))
				return true;
		return false;
	}
	for (const char *p = L->src + ts_node_start_byte(n);
	     *p != '\'' && *p != '"'; p++)
		if (*p == 'f' || *p == 'F')
			return true;
	return false;
}

/* The prefix (without f) and quote of one literal: "r'''", "\"". */
static char *literal_opening(struct olower *L, TSNode str)
{
	const char *s = L->src + ts_node_start_byte(str);
	struct buf b = BUF_INIT;
	size_t i = 0;
	char *r;

	for (; s[i] != '\'' && s[i] != '"'; i++)
		if (s[i] != 'f' && s[i] != 'F')
			buf_addch(&b, s[i]);
	buf_addch(&b, s[i]);
	if (s[i + 1] == s[i] && s[i + 2] == s[i])
		buf_addch(&b, s[i]), buf_addch(&b, s[i]);
	r = arena_strdup(L->a, b.data);
	buf_release(&b);
	return r;
}

/* Literal text inside an f-string, as a constant Python decodes: the
 * text between quotes with {{ }} undone, in the literal's own quotes. */
static struct onode *fstr_text(struct olower *L, TSNode at,
			       const char *opening, const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	struct onode *o;
	bool raw = strpbrk(opening, "rR") != NULL;
	const char *q = opening + strspn(opening, "rRuUbB");

	buf_adds(&b, opening);
	for (size_t i = 0; i < n; i++) {
		if ((s[i] == '{' || s[i] == '}') && i + 1 < n &&
		    s[i + 1] == s[i])
			i++;
		if (!raw && s[i] == '\\' && i + 1 < n && s[i + 1] == 'N') {
			buf_release(&b);
			ofail(L, at,
			      "\\N{...} escapes in f-strings are not supported");
			return NULL;
		}
		buf_addch(&b, s[i]);
	}
	/* A trailing backslash would escape the closing quote. */
	if (raw && n && s[n - 1] == '\\') {
		buf_release(&b);
		ofail(L, at, "a raw f-string text ending in \\");
		return NULL;
	}
	buf_adds(&b, q);
	o = const_node(L, at, OK_EVAL, b.data, b.len);
	buf_release(&b);
	return o;
}

static struct onode *lower_fstring(struct olower *L, struct scope *s,
				   TSNode n);

/* One {expr!conv:spec} field. */
static struct onode *lower_interp(struct olower *L, struct scope *s,
				  TSNode ch, const char *opening,
				  struct onode *fs, size_t *cap)
{
	TSNode x = ts_field(ch, "expression");
	TSNode conv = ts_field(ch, "type_conversion");
	TSNode spec = ts_field(ch, "format_specifier");
	struct onode *fe = onew(L, ON_FMT, ch);
	size_t fcap = 0;
	bool selfdoc = false;

	for (uint32_t k = 0; k < ts_node_child_count(ch); k++)
		if (ts_is(ts_node_child(ch, k), "="))
			selfdoc = true;
	if (selfdoc) {
		/* f"{x = }": the text up to and including '=', then repr
		 * unless a conversion or spec says otherwise. */
		uint32_t st = ts_node_start_byte(ch) + 1, en = st;
		for (uint32_t k = 0; k < ts_node_child_count(ch); k++)
			if (ts_is(ts_node_child(ch, k), "="))
				en = ts_node_end_byte(ts_node_child(ch, k));
		struct onode *t =
		    fstr_text(L, ch, opening, L->src + st, en - st);
		if (!t)
			return NULL;
		opush(L, fs, t, cap);
		if (ts_node_is_null(conv) && ts_node_is_null(spec))
			fe->conv = 'r';
	}
	if (!ts_node_is_null(conv)) {
		char *ct = text_of(L, conv);
		fe->conv = ct[1];
	}
	if (ts_is(x, "named_expression")) {
		/* f"{x:=+8}": the parser takes it for a walrus, Python for x
		 * with the spec "=+8" (a walrus needs parentheses here) */
		TSNode nm = ts_field(x, "name");
		uint32_t st = ts_node_end_byte(nm) + 1;
		uint32_t en = ts_node_end_byte(ch) - 1;
		struct onode *v = name_node(L, s, nm, ident(L, nm));
		struct onode *sp = onew(L, ON_FSTR, x);
		struct onode *t;
		size_t scap = 0;
		if (en < st || L->src[en] != '}') {
			ofail(L, ch, "malformed f-string field");
			return NULL;
		}
		t = fstr_text(L, ch, opening, L->src + st, en - st);
		if (!t)
			return NULL;
		opush(L, sp, t, &scap);
		opush(L, fe, v, &fcap);
		opush(L, fe, sp, &fcap);
		opush(L, fs, fe, cap);
		return fe;
	}
	if (ts_is(x, "expression_list") || ts_is(x, "pattern_list")) {
		struct onode *tu = onew(L, ON_TUPLE, x);
		size_t tcap = 0;
		for (uint32_t i = 0; i < ts_nnamed(x); i++) {
			struct onode *e = lower_expr(L, s, ts_named(x, i));
			if (!e)
				return NULL;
			opush(L, tu, e, &tcap);
		}
		opush(L, fe, tu, &fcap);
	} else {
		struct onode *v = lower_expr(L, s, x);
		if (!v)
			return NULL;
		opush(L, fe, v, &fcap);
	}
	if (!ts_node_is_null(spec)) {
		/* The spec is itself an f-string: text and nested fields. */
		struct onode *sp = onew(L, ON_FSTR, spec);
		size_t scap = 0;
		uint32_t pos = ts_node_start_byte(spec) + 1; /* after ':' */
		for (uint32_t i = 0; i < ts_node_named_child_count(spec);
		     i++) {
			TSNode f = ts_node_named_child(spec, i);
			if (ts_node_start_byte(f) > pos) {
				struct onode *t = fstr_text(
				    L, spec, opening, L->src + pos,
				    ts_node_start_byte(f) - pos);
				if (!t)
					return NULL;
				opush(L, sp, t, &scap);
			}
			if (!lower_interp(L, s, f, opening, sp, &scap))
				return NULL;
			pos = ts_node_end_byte(f);
		}
		if (ts_node_end_byte(spec) > pos) {
			struct onode *t =
			    fstr_text(L, spec, opening, L->src + pos,
				      ts_node_end_byte(spec) - pos);
			if (!t)
				return NULL;
			opush(L, sp, t, &scap);
		}
		opush(L, fe, sp, &fcap);
	} else {
		opush(L, fe, NULL, &fcap);
	}
	opush(L, fs, fe, cap);
	return fe;
}

static struct onode *lower_fstring(struct olower *L, struct scope *s,
				   TSNode n)
{
	struct onode *fs = onew(L, ON_FSTR, n);
	size_t cap = 0;
	uint32_t cnt = ts_is(n, "string") ? 1 : ts_nnamed(n);

	for (uint32_t i = 0; i < cnt; i++) {
		TSNode part = ts_is(n, "string") ? n : ts_named(n, i);
		char *opening = literal_opening(L, part);
		if (!string_has_f(L, part)) {
			char *t = text_of(L, part);
			opush(L, fs,
			      const_node(L, part, OK_EVAL, t, strlen(t)),
			      &cap);
			continue;
		}
		for (uint32_t k = 0; k < ts_node_named_child_count(part);
		     k++) {
			TSNode ch = ts_node_named_child(part, k);
			if (ts_is(ch, "string_content") ||
			    ts_is(ch, "escape_sequence")) {
				uint32_t st = ts_node_start_byte(ch);
				struct onode *t = fstr_text(
				    L, ch, opening, L->src + st,
				    ts_node_end_byte(ch) - st);
				if (!t)
					return NULL;
				opush(L, fs, t, &cap);
			} else if (ts_is(ch, "interpolation")) {
				if (!lower_interp(L, s, ch, opening, fs,
						  &cap))
					return NULL;
			}
		}
	}
	return fs;
}

/* tree-sitter-python 0.23 parses *f(x) as (*f)(x), *xs[1:] as (*xs)[1:]
 * and *a.b as (*a).b: the star is at the bottom of the call, subscript
 * or attribute chain. The starred node there, or a null node. */
static TSNode leading_splat(TSNode n)
{
	while (!ts_node_is_null(n)) {
		if (ts_is(n, "list_splat"))
			return n;
		if (ts_is(n, "call"))
			n = ts_field(n, "function");
		else if (ts_is(n, "subscript"))
			n = ts_field(n, "value");
		else if (ts_is(n, "attribute"))
			n = ts_field(n, "object");
		else
			break;
	}
	return ts_null_node(n);
}

/* *expr where the parser put the star inside expr (leading_splat): expr
 * lowered with that star taken off. */
static struct onode *lower_starred(struct olower *L, struct scope *s,
				   TSNode n, TSNode star)
{
	TSNode saved = L->unsplat;
	struct onode *v;

	if (ts_node_eq(n, star)) {
		v = lower_expr(L, s, ts_named(n, 0));
	} else {
		L->unsplat = star;
		v = lower_expr(L, s, n);
		L->unsplat = saved;
	}
	return v;
}

static int lower_args(struct olower *L, struct scope *s, TSNode args,
		      struct onode *call)
{
	size_t cap = 0;

	if (ts_is(args, "generator_expression")) {
		struct onode *g = lower_expr(L, s, args);
		call->args = arena_alloc(L->a, sizeof(struct oarg));
		call->args[0].kind = OARG_POS;
		call->args[0].v = g;
		call->nargs = 1;
		return g ? 0 : -1;
	}
	cap = ts_nnamed(args);
	call->args = arena_alloc(L->a, (cap + 1) * sizeof(struct oarg));
	for (uint32_t i = 0; i < ts_nnamed(args); i++) {
		TSNode c = ts_named(args, i);
		struct oarg *g = &call->args[call->nargs];
		TSNode star = leading_splat(c);
		if (!ts_node_is_null(star)) {
			g->kind = OARG_STAR;
			g->v = lower_starred(L, s, c, star);
		} else if (ts_is(c, "dictionary_splat")) {
			g->kind = OARG_DSTAR;
			g->v = lower_expr(L, s, ts_named(c, 0));
		} else if (ts_is(c, "keyword_argument")) {
			g->kind = OARG_KW;
			g->name = omod_name(L->m,
					    text_of(L, ts_field(c, "name")));
			g->v = lower_expr(L, s, ts_field(c, "value"));
		} else {
			g->kind = OARG_POS;
			g->v = lower_expr(L, s, c);
		}
		if (!g->v)
			return -1;
		call->nargs++;
	}
	return 0;
}

/* x[a], x[a, b], x[a:b:c] */
static struct onode *lower_subscript_index(struct olower *L, struct scope *s,
					   TSNode n)
{
	struct onode *items[64];
	TSNode subs[64];
	uint32_t nsubs = ts_field_all(n, "subscript", subs, 64);
	size_t k = 0;

	if (nsubs > 64) {
		ofail(L, n, "more than 64 subscripts");
		return NULL;
	}
	for (uint32_t i = 0; i < nsubs; i++) {
		TSNode c = subs[i];
		if (ts_is(c, "slice")) {
			struct onode *sl = onew(L, ON_SLICE, c);
			struct onode *parts[3] = {NULL, NULL, NULL};
			int part = 0;
			size_t scap = 0;
			for (uint32_t j = 0; j < ts_node_child_count(c); j++) {
				TSNode p = ts_node_child(c, j);
				if (!ts_node_is_named(p)) {
					if (ts_is(p, ":"))
						part++;
					continue;
				}
				if (ts_is_extra(p) || part > 2)
					continue;
				parts[part] = lower_expr(L, s, p);
				if (!parts[part])
					return NULL;
			}
			for (int j = 0; j < 3; j++)
				opush(L, sl, parts[j], &scap);
			items[k++] = sl;
		} else {
			items[k] = lower_expr(L, s, c);
			if (!items[k++])
				return NULL;
		}
	}
	if (k == 1)
		return items[0];
	{
		struct onode *t = onew(L, ON_TUPLE, n);
		size_t cap = 0;
		for (size_t i = 0; i < k; i++)
			opush(L, t, items[i], &cap);
		return t;
	}
}

static struct onode *lower_cmp(struct olower *L, struct scope *s, TSNode n)
{
	struct onode *o = onew(L, ON_CMP, n);
	size_t cap = 0, ncmp = 0;
	bool pending_not = false, pending_is = false;

	o->cmp = arena_alloc(L->a, ts_node_child_count(n) * sizeof(int));
	for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
		TSNode c = ts_node_child(n, i);
		const char *t = ts_node_type(c);
		int op = 0;
		if (ts_node_is_named(c)) {
			struct onode *x;
			if (ts_is_extra(c))
				continue;
			x = lower_expr(L, s, c);
			if (!x)
				return NULL;
			opush(L, o, x, &cap);
			continue;
		}
		if (!strcmp(t, "not")) {
			if (pending_is) {
				o->cmp[ncmp - 1] = CMP_ISNOT;
				pending_is = false;
			} else {
				pending_not = true;
			}
			continue;
		}
		if (!strcmp(t, "<"))
			op = CMP_LT;
		else if (!strcmp(t, "<="))
			op = CMP_LE;
		else if (!strcmp(t, ">"))
			op = CMP_GT;
		else if (!strcmp(t, ">="))
			op = CMP_GE;
		else if (!strcmp(t, "==") || !strcmp(t, "<>"))
			op = CMP_EQ;
		else if (!strcmp(t, "!="))
			op = CMP_NE;
		else if (!strcmp(t, "in"))
			op = pending_not ? CMP_NOTIN : CMP_IN;
		else if (!strcmp(t, "is"))
			op = CMP_IS;
		else if (!strcmp(t, "is not"))
			op = CMP_ISNOT;
		else if (!strcmp(t, "not in"))
			op = CMP_NOTIN;
		else
			continue;
		pending_not = false;
		pending_is = op == CMP_IS;
		o->cmp[ncmp++] = op;
	}
	if (ncmp + 1 != o->n) {
		ofail(L, n, "malformed comparison");
		return NULL;
	}
	return o;
}

static struct onode *lower_display(struct olower *L, struct scope *s,
				   TSNode n, enum on_kind kind)
{
	struct onode *o = onew(L, kind, n);
	size_t cap = 0;

	for (uint32_t i = 0; i < ts_nnamed(n); i++) {
		TSNode c = ts_named(n, i);
		TSNode star = leading_splat(c);
		struct onode *x;
		if (!ts_node_is_null(star)) {
			x = onew(L, ON_STAR, c);
			size_t scap = 0;
			struct onode *v = lower_starred(L, s, c, star);
			if (!v)
				return NULL;
			opush(L, x, v, &scap);
		} else {
			x = lower_expr(L, s, c);
		}
		if (!x)
			return NULL;
		opush(L, o, x, &cap);
	}
	return o;
}

static struct onode *lower_dict(struct olower *L, struct scope *s, TSNode n)
{
	struct onode *o = onew(L, ON_DICT, n);
	size_t cap = 0;

	for (uint32_t i = 0; i < ts_nnamed(n); i++) {
		TSNode c = ts_named(n, i);
		struct onode *k = NULL, *v;
		if (ts_is(c, "pair")) {
			k = lower_expr(L, s, ts_field(c, "key"));
			if (!k)
				return NULL;
			v = lower_expr(L, s, ts_field(c, "value"));
		} else {
			v = lower_expr(L, s, ts_named(c, 0));
		}
		if (!v)
			return NULL;
		opush(L, o, k, &cap);
		opush(L, o, v, &cap);
	}
	return o;
}

static int nested_add(struct olower *L, struct scope *s, TSNode n,
		      const char *co_name, int line);
static int nested_add_tb(struct olower *L, TSNode n, const char *co_name,
			 int line);

static struct onode *lower_comp(struct olower *L, struct scope *s, TSNode n,
				enum comp_kind kind)
{
	struct onode *o = onew(L, ON_COMP, n);
	struct ocomp *c = arena_alloc(L->a, sizeof(*c));
	struct scope *k = scope_of(L, n);
	uint32_t nclauses = 0;
	bool first = true;
	int outer_parent;

	o->comp = c;
	c->kind = kind;
	c->nested = -1;
	if (!k) {
		ofail(L, n, "internal: comprehension scope not found");
		return NULL;
	}
	for (uint32_t i = 0; i < ts_nnamed(n); i++)
		nclauses += ts_is(ts_named(n, i), "for_in_clause");
	c->clauses = arena_alloc(L->a, (nclauses + 1) * sizeof(*c->clauses));
	if (kind == COMP_GEN && k->is_inline) {
		/* Consumed here: lowered like the others, and also a
		 * generator object of the original's code for when the
		 * consumer is not the builtin. */
		c->nested = nested_add(L, k, n, "<genexpr>", TS_LINE(n));
		if (c->nested < 0)
			return NULL;
		c->is_inline = true;
	} else if (kind == COMP_GEN) {
		/* A generator object of the original's code: only the first
		 * iterable is evaluated here. */
		for (uint32_t i = 0; i < ts_nnamed(n); i++) {
			TSNode f = ts_named(n, i);
			if (!ts_is(f, "for_in_clause"))
				continue;
			c->clauses[0].iter = lower_expr(L, s, ts_field(f, "right"));
			if (!c->clauses[0].iter)
				return NULL;
			c->nclauses = 1;
			break;
		}
		c->nested = nested_add(L, k, n, "<genexpr>", TS_LINE(n));
		return c->nested < 0 ? NULL : o;
	}
	/* CPython runs it as a function of its own: its code object gives
	 * the traceback entry of an error inside it. */
	if (kind != COMP_GEN)
		c->nested = nested_add_tb(L, n,
				  kind == COMP_LIST  ? "<listcomp>"
				  : kind == COMP_SET ? "<setcomp>"
						     : "<dictcomp>",
				  TS_LINE(n));
	outer_parent = L->gen_parent;
	if (c->is_inline)
		L->gen_parent = c->nested;
	for (uint32_t i = 0; i < ts_nnamed(n); i++) {
		TSNode f = ts_named(n, i);
		if (ts_is(f, "for_in_clause")) {
			struct oclause *cl = &c->clauses[c->nclauses++];
			/* the first iterable: evaluated outside */
			int p = L->gen_parent;
			if (first)
				L->gen_parent = outer_parent;
			cl->iter = lower_expr(L, first ? s : k,
					      ts_field(f, "right"));
			L->gen_parent = p;
			if (!cl->iter)
				return NULL;
			cl->target = lower_target(L, k, ts_field(f, "left"));
			if (!cl->target)
				return NULL;
			first = false;
		} else if (ts_is(f, "if_clause")) {
			struct oclause *cl = &c->clauses[c->nclauses - 1];
			struct onode *cond =
			    lower_expr(L, k, ts_named(f, 0));
			size_t ccap = cl->nconds;
			if (!cond)
				return NULL;
			arena_push(L->a, (void ***)&cl->conds, &cl->nconds,
				   &ccap, cond);
		}
	}
	if (kind == COMP_DICT) {
		TSNode pair = ts_field(n, "body");
		c->elt = lower_expr(L, k, ts_field(pair, "key"));
		if (!c->elt)
			return NULL;
		c->val = lower_expr(L, k, ts_field(pair, "value"));
		if (!c->val)
			return NULL;
	} else {
		c->elt = lower_expr(L, k, ts_field(n, "body"));
		if (!c->elt)
			return NULL;
	}
	L->gen_parent = outer_parent;
	return o;
}

/* A new entry of the function's nested code table: found at run time
 * among the code objects of its parent (the function's own, through its
 * comprehensions, or an inlined generator expression's) by name, first
 * line and ordinal among those of the same name there. */
static struct onested *nested_new(struct olower *L, TSNode n,
				  const char *co_name, int line)
{
	struct ofn *fn = L->fn;
	struct onested *d;
	int ordinal = 0;

	for (size_t i = 0; i < fn->nnested; i++)
		if (fn->nested[i].parent == L->gen_parent &&
		    !strcmp(fn->nested[i].co_name, co_name) &&
		    fn->nested[i].line <= line &&
		    fn->nested[i].end_line >= line)
			ordinal++;
	if (fn->nnested == fn->capnested) {
		size_t cap = fn->capnested ? fn->capnested * 2 : 4;
		struct onested *nv = arena_alloc(L->a, cap * sizeof(*nv));
		if (fn->nnested)
			memcpy(nv, fn->nested, fn->nnested * sizeof(*nv));
		fn->nested = nv;
		fn->capnested = cap;
	}
	d = &fn->nested[fn->nnested];
	memset(d, 0, sizeof(*d));
	d->co_name = arena_strdup(L->a, co_name);
	d->line = line;
	d->end_line = (int)ts_node_end_point(n).row + 1;
	d->ordinal = ordinal;
	d->parent = L->gen_parent;
	d->maybe_dead = L->dead > 0;
	return d;
}

/* Records a code object the function creates at run time, with where
 * each of its free variables comes from. Returns its index. */
static int nested_add(struct olower *L, struct scope *k, TSNode n,
		      const char *co_name, int line)
{
	struct ofn *fn = L->fn;
	struct onested *d = nested_new(L, n, co_name, line);
	char **names;

	/* co_freevars are sorted by name (CPython's compiler). */
	names = arena_alloc(L->a, (k->free.n + 1) * sizeof(char *));
	if (k->free.n)
		memcpy(names, k->free.v, k->free.n * sizeof(char *));
	for (size_t i = 1; i < k->free.n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0;
		     j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	d->freevars = names;
	d->nfree = k->free.n;
	d->cells = arena_alloc(L->a, (k->free.n + 1) * sizeof(struct osym));
	for (size_t i = 0; i < k->free.n; i++) {
		d->cells[i] = lookup(L, k->parent, names[i]);
		if (d->cells[i].kind != SYM_CELL &&
		    d->cells[i].kind != SYM_FREE)
			return ofail(L, n,
				     "internal: free variable '%s' has no "
				     "cell",
				     names[i]);
	}
	return (int)fn->nnested++;
}

/* A code object used only for traceback entries (an inlined
 * comprehension's): found like the others, its free variables not
 * checked. */
static int nested_add_tb(struct olower *L, TSNode n, const char *co_name,
			 int line)
{
	nested_new(L, n, co_name, line)->tb_only = true;
	return (int)L->fn->nnested++;
}

/* Defaults of a nested def or lambda, evaluated where it is defined. */
static int lower_fn_defaults(struct olower *L, struct scope *s, TSNode params,
			     struct onode *o)
{
	bool kwonly = false;
	size_t dcap = 0;

	for (uint32_t i = 0; i < ts_nnamed(params); i++) {
		TSNode p = ts_named(params, i);
		const char *t = ts_node_type(p);
		if (!strcmp(t, "keyword_separator") ||
		    !strcmp(t, "list_splat_pattern")) {
			kwonly = true;
			continue;
		}
		if (strcmp(t, "default_parameter") &&
		    strcmp(t, "typed_default_parameter"))
			continue;
		{
			struct onode *v = lower_expr(L, s, ts_field(p, "value"));
			if (!v)
				return -1;
			if (!kwonly) {
				arena_push(L->a, (void ***)&o->defaults,
					   &o->ndefaults, &dcap, v);
			} else {
				struct oarg *nk = arena_alloc(
				    L->a, (o->nkwdefaults + 1) * sizeof(*nk));
				if (o->nkwdefaults)
					memcpy(nk, o->kwdefaults,
					       o->nkwdefaults * sizeof(*nk));
				nk[o->nkwdefaults].kind = OARG_KW;
				nk[o->nkwdefaults].name = omod_name(
				    L->m, ident(L, ts_field(p, "name")));
				nk[o->nkwdefaults].v = v;
				o->kwdefaults = nk;
				o->nkwdefaults++;
			}
		}
	}
	return 0;
}

static bool params_annotated(TSNode params)
{
	for (uint32_t i = 0; i < ts_nnamed(params); i++) {
		TSNode p = ts_named(params, i);
		if (ts_is(p, "typed_parameter") ||
		    ts_is(p, "typed_default_parameter"))
			return true;
	}
	return false;
}

static struct onode *lower_lambda(struct olower *L, struct scope *s,
				  TSNode n)
{
	struct onode *o = onew(L, ON_FUNC, n);
	struct scope *k = scope_of(L, n);

	if (!k) {
		ofail(L, n, "internal: lambda scope not found");
		return NULL;
	}
	if (lower_fn_defaults(L, s, ts_field(n, "parameters"), o) < 0)
		return NULL;
	o->nested = nested_add(L, k, n, "<lambda>", TS_LINE(n));
	return o->nested < 0 ? NULL : o;
}

typedef struct onode *(*lower_ex_fn)(struct olower *L, struct scope *s,
				     TSNode n);

static struct onode *lx_name(struct olower *L, struct scope *s, TSNode n)
{
	return name_node(L, s, n, ident(L, n));
}

static struct onode *lx_literal(struct olower *L, struct scope *s, TSNode n)
{
	char *tx = text_of(L, n);

	(void)s;
	return const_node(L, n, OK_EVAL, tx, strlen(tx));
}

static struct onode *lx_string(struct olower *L, struct scope *s, TSNode n)
{
	if (string_has_f(L, n))
		return lower_fstring(L, s, n);
	return lx_literal(L, s, n);
}

static struct onode *lx_attribute(struct olower *L, struct scope *s,
				  TSNode n)
{
	static const char *frame_attrs[] = {
	    "_getframe", "currentframe", "f_back",	  "f_locals",
	    "f_globals", "f_lineno",	 "settrace",	  "setprofile",
	    "stack",	 "getouterframes", "_getframemodulename"};
	const char *an = text_of(L, ts_field(n, "attribute"));
	struct onode *obj, *o;
	size_t cap = 0;

	for (size_t i = 0; i < sizeof(frame_attrs) / sizeof(frame_attrs[0]);
	     i++)
		if (!strcmp(an, frame_attrs[i])) {
			ofail(L, n,
			      ".%s: a function that inspects the interpreter's "
			      "frames stays in Python",
			      an);
			return NULL;
		}
	obj = lower_expr(L, s, ts_field(n, "object"));
	if (!obj)
		return NULL;
	o = onew(L, ON_ATTR, n);
	o->name = omod_name(L->m, ident(L, ts_field(n, "attribute")));
	opush(L, o, obj, &cap);
	return o;
}

static struct onode *lx_subscript(struct olower *L, struct scope *s,
				  TSNode n)
{
	struct onode *obj = lower_expr(L, s, ts_field(n, "value"));
	struct onode *ix, *o;
	size_t cap = 0;

	if (!obj)
		return NULL;
	ix = lower_subscript_index(L, s, n);
	if (!ix)
		return NULL;
	o = onew(L, ON_SUBSCR, n);
	opush(L, o, obj, &cap);
	opush(L, o, ix, &cap);
	return o;
}

static struct onode *lx_call(struct olower *L, struct scope *s, TSNode n)
{
	struct onode *f = lower_expr(L, s, ts_field(n, "function"));
	struct onode *o;
	size_t cap = 0;

	if (!f)
		return NULL;
	o = onew(L, ON_CALL, n);
	opush(L, o, f, &cap);
	if (lower_args(L, s, ts_field(n, "arguments"), o) < 0)
		return NULL;
	return o;
}

static struct onode *lx_pair(struct olower *L, struct scope *s, TSNode n,
			     enum on_kind kind, int op)
{
	struct onode *o = onew(L, kind, n), *l, *r;
	size_t cap = 0;

	o->op = op;
	l = lower_expr(L, s, ts_field(n, "left"));
	if (!l)
		return NULL;
	r = lower_expr(L, s, ts_field(n, "right"));
	if (!r)
		return NULL;
	opush(L, o, l, &cap);
	opush(L, o, r, &cap);
	return o;
}

static struct onode *lx_binop(struct olower *L, struct scope *s, TSNode n)
{
	return lx_pair(L, s, n, ON_BINOP,
		       op_of(ts_node_type(ts_field(n, "operator"))));
}

static struct onode *lx_boolop(struct olower *L, struct scope *s, TSNode n)
{
	return lx_pair(L, s, n, ON_BOOL,
		       *ts_node_type(ts_field(n, "operator")) == 'a' ? 'a'
								     : 'o');
}

static struct onode *lx_unop(struct olower *L, struct scope *s, TSNode n)
{
	TSNode arg = ts_unparen(ts_field(n, "argument"));
	const char *op = ts_node_type(ts_field(n, "operator"));
	struct onode *x, *o;
	size_t cap = 0;

	/* -1 is one constant, as CPython folds it. */
	if (*op == '-' && (ts_is(arg, "integer") || ts_is(arg, "float"))) {
		struct buf b = BUF_INIT;
		buf_addf(&b, "-%s", text_of(L, arg));
		o = const_node(L, n, OK_EVAL, b.data, b.len);
		buf_release(&b);
		return o;
	}
	x = lower_expr(L, s, arg);
	if (!x)
		return NULL;
	o = onew(L, ON_UNOP, n);
	o->op = *op;
	opush(L, o, x, &cap);
	return o;
}

static struct onode *lx_not(struct olower *L, struct scope *s, TSNode n)
{
	struct onode *x = lower_expr(L, s, ts_field(n, "argument")), *o;
	size_t cap = 0;

	if (!x)
		return NULL;
	o = onew(L, ON_NOT, n);
	opush(L, o, x, &cap);
	return o;
}

static struct onode *lx_ifexp(struct olower *L, struct scope *s, TSNode n)
{
	struct onode *o = onew(L, ON_IFEXP, n);
	size_t cap = 0;

	for (uint32_t i = 0; i < 3; i++) {
		struct onode *x = lower_expr(L, s, ts_named(n, i));
		if (!x)
			return NULL;
		opush(L, o, x, &cap);
	}
	return o;
}

static struct onode *lx_tuple(struct olower *L, struct scope *s, TSNode n)
{
	return lower_display(L, s, n, ON_TUPLE);
}

static struct onode *lx_list(struct olower *L, struct scope *s, TSNode n)
{
	return lower_display(L, s, n, ON_LIST);
}

static struct onode *lx_set(struct olower *L, struct scope *s, TSNode n)
{
	return lower_display(L, s, n, ON_SET);
}

static struct onode *lx_listcomp(struct olower *L, struct scope *s, TSNode n)
{
	return lower_comp(L, s, n, COMP_LIST);
}

static struct onode *lx_setcomp(struct olower *L, struct scope *s, TSNode n)
{
	return lower_comp(L, s, n, COMP_SET);
}

static struct onode *lx_dictcomp(struct olower *L, struct scope *s, TSNode n)
{
	return lower_comp(L, s, n, COMP_DICT);
}

static struct onode *lx_genexp(struct olower *L, struct scope *s, TSNode n)
{
	return lower_comp(L, s, n, COMP_GEN);
}

static struct onode *lx_walrus(struct olower *L, struct scope *s, TSNode n)
{
	struct onode *v = lower_expr(L, s, ts_field(n, "value")), *o;
	size_t cap = 0;

	if (!v)
		return NULL;
	o = onew(L, ON_WALRUS, n);
	o->sym = lookup(L, walrus_scope(s), ident(L, ts_field(n, "name")));
	opush(L, o, v, &cap);
	return o;
}

static struct onode *lx_generator(struct olower *L, struct scope *s,
				  TSNode n)
{
	(void)s;
	ofail(L, n, "%s: generator and async functions stay in Python",
	      ts_node_type(n));
	return NULL;
}

static const struct {
	const char *type;
	lower_ex_fn fn;
} lower_ex_table[] = {
    {"identifier", lx_name},
    {"integer", lx_literal},
    {"float", lx_literal},
    {"true", lx_literal},
    {"false", lx_literal},
    {"none", lx_literal},
    {"ellipsis", lx_literal},
    {"string", lx_string},
    {"concatenated_string", lx_string},
    {"attribute", lx_attribute},
    {"subscript", lx_subscript},
    {"call", lx_call},
    {"binary_operator", lx_binop},
    {"unary_operator", lx_unop},
    {"not_operator", lx_not},
    {"boolean_operator", lx_boolop},
    {"comparison_operator", lower_cmp},
    {"conditional_expression", lx_ifexp},
    {"tuple", lx_tuple},
    {"expression_list", lx_tuple},
    {"pattern_list", lx_tuple},
    {"parenthesized_expression", lx_tuple},
    {"list", lx_list},
    {"set", lx_set},
    {"dictionary", lower_dict},
    {"list_comprehension", lx_listcomp},
    {"set_comprehension", lx_setcomp},
    {"dictionary_comprehension", lx_dictcomp},
    {"generator_expression", lx_genexp},
    {"lambda", lower_lambda},
    {"named_expression", lx_walrus},
    {"yield", lx_generator},
    {"await", lx_generator},
};

static struct onode *lower_expr(struct olower *L, struct scope *s, TSNode n)
{
	const char *t;

	if (L->failed)
		return NULL;
	n = ts_unparen(n);
	if (ts_node_is_null(n)) {
		ofail(L, n, "missing expression");
		return NULL;
	}
	if (!ts_node_is_null(L->unsplat) && ts_node_eq(n, L->unsplat))
		return lower_expr(L, s, ts_named(n, 0));
	t = ts_node_type(n);
	for (size_t i = 0; i < sizeof(lower_ex_table) / sizeof(lower_ex_table[0]);
	     i++)
		if (!strcmp(t, lower_ex_table[i].type))
			return lower_ex_table[i].fn(L, s, n);
	ofail(L, n, "%s is not supported", t);
	return NULL;
}

/* Store targets: names, attributes, subscripts, unpacking with one
 * starred item. */
static struct onode *lower_target(struct olower *L, struct scope *s, TSNode n)
{
	const char *t;
	struct onode *o;
	size_t cap = 0;

	if (L->failed)
		return NULL;
	n = ts_unparen(n);
	t = ts_node_type(n);
	if (!strcmp(t, "identifier"))
		return name_node(L, s, n, ident(L, n));
	if (!strcmp(t, "attribute") || !strcmp(t, "subscript"))
		return lower_expr(L, s, n);
	if (!strcmp(t, "pattern_list") || !strcmp(t, "tuple_pattern") ||
	    !strcmp(t, "list_pattern") || !strcmp(t, "tuple") ||
	    !strcmp(t, "list") || !strcmp(t, "expression_list") ||
	    !strcmp(t, "parenthesized_expression")) {
		int nstar = 0;
		o = onew(L, ON_TUPLE, n);
		for (uint32_t i = 0; i < ts_nnamed(n); i++) {
			TSNode c = ts_named(n, i);
			struct onode *x;
			if (ts_is(c, "list_splat_pattern") ||
			    ts_is(c, "list_splat")) {
				size_t scap = 0;
				struct onode *in =
				    lower_target(L, s, ts_named(c, 0));
				if (!in)
					return NULL;
				x = onew(L, ON_STAR, c);
				opush(L, x, in, &scap);
				nstar++;
			} else {
				x = lower_target(L, s, c);
			}
			if (!x)
				return NULL;
			opush(L, o, x, &cap);
		}
		if (nstar > 1) {
			ofail(L, n, "multiple starred expressions in "
				    "assignment");
			return NULL;
		}
		return o;
	}
	ofail(L, n, "cannot assign to %s", t);
	return NULL;
}

/* ---- statements ---- */

static struct ostmt *snew(struct olower *L, enum os_kind kind, TSNode at)
{
	struct ostmt *st = arena_alloc(L->a, sizeof(*st));

	st->kind = kind;
	st->line = TS_LINE(at);
	st->col = TS_COL(at);
	st->pos = pos_of(at);
	return st;
}

static void bpush(struct olower *L, struct oblock *b, struct ostmt *st)
{
	arena_push(L->a, (void ***)&b->v, &b->n, &b->cap, st);
}

static void tpush(struct olower *L, struct ostmt *st, struct onode *t,
		  size_t *cap)
{
	arena_push(L->a, (void ***)&st->targets, &st->ntargets, cap, t);
}

static int lower_assignment(struct olower *L, struct scope *s, TSNode n,
			    struct oblock *out)
{
	struct ostmt *st = snew(L, OS_ASSIGN, n);
	size_t cap = 0;
	TSNode cur = n;

	/* a = b = v: targets left to right, the value last. */
	while (ts_is(cur, "assignment")) {
		TSNode right = ts_field(cur, "right");
		struct onode *t;
		if (ts_node_is_null(right)) {
			/* x: int (annotation only): nothing runs. */
			return 0;
		}
		t = lower_target(L, s, ts_field(cur, "left"));
		if (!t)
			return -1;
		tpush(L, st, t, &cap);
		cur = right;
	}
	if (ts_is(cur, "augmented_assignment")) {
		return ofail(L, cur, "an augmented assignment as a value");
	}
	st->value = lower_expr(L, s, cur);
	if (!st->value)
		return -1;
	bpush(L, out, st);
	return 0;
}

static int lower_aug(struct olower *L, struct scope *s, TSNode n,
		     struct oblock *out)
{
	struct ostmt *st = snew(L, OS_AUG, n);
	char *op = text_of(L, ts_field(n, "operator"));

	op[strlen(op) - 1] = '\0';
	st->op = op_of(op);
	st->target = lower_target(L, s, ts_field(n, "left"));
	if (!st->target)
		return -1;
	if (st->target->kind == ON_TUPLE)
		return ofail(L, n, "illegal expression for augmented "
				   "assignment");
	st->value = lower_expr(L, s, ts_field(n, "right"));
	if (!st->value)
		return -1;
	bpush(L, out, st);
	return 0;
}

/* The truth of a condition CPython's compiler knows (a literal, or
 * __debug__): 1, 0, or -1 when it is computed. The compiler emits no code
 * for the branch it never takes, so the nested code objects a dead
 * branch would make are not in the original's code either. */
static int const_truth(struct olower *L, TSNode n)
{
	const char *t;
	char *tx;

	n = ts_unparen(n);
	if (ts_node_is_null(n))
		return -1;
	t = ts_node_type(n);
	if (!strcmp(t, "true"))
		return 1;
	if (!strcmp(t, "false") || !strcmp(t, "none"))
		return 0;
	if (!strcmp(t, "identifier"))
		return strcmp(text_of(L, n), "__debug__") ? -1 : 1;
	if (!strcmp(t, "integer") || !strcmp(t, "float")) {
		tx = text_of(L, n);
		for (const char *p = tx; *p; p++)
			if (*p >= '1' && *p <= '9')
				return 1;
		return strpbrk(tx, "xXoObB") ? -1 : 0;
	}
	if (!strcmp(t, "string") && !string_has_f(L, n)) {
		/* '' or "" (any prefix, any quotes): false */
		tx = text_of(L, n);
		tx += strspn(tx, "rRuUbB");
		return (strlen(tx) == 2 || strlen(tx) == 6) &&
				   strspn(tx, "'\"") == strlen(tx)
			   ? 0
			   : 1;
	}
	return -1;
}

static int lower_if(struct olower *L, struct scope *s, TSNode cond,
		    TSNode body, TSNode n, uint32_t from, struct oblock *out)
{
	struct ostmt *st = snew(L, OS_IF, cond);
	int truth = const_truth(L, cond);

	st->value = lower_expr(L, s, cond);
	if (!st->value ||
	    (truth != 0 && lower_block(L, s, body, &st->body) < 0))
		return -1;
	for (uint32_t i = from; truth != 1 && i < ts_nnamed(n); i++) {
		TSNode alt = ts_named(n, i);
		if (ts_is(alt, "elif_clause")) {
			if (lower_if(L, s, ts_field(alt, "condition"),
				     ts_field(alt, "consequence"), n, i + 1,
				     &st->orelse) < 0)
				return -1;
			break;
		}
		if (ts_is(alt, "else_clause")) {
			if (lower_block(L, s, ts_field(alt, "body"),
					&st->orelse) < 0)
				return -1;
			break;
		}
	}
	bpush(L, out, st);
	return 0;
}

static int lower_else_of(struct olower *L, struct scope *s, TSNode n,
			 struct oblock *out)
{
	TSNode alt = ts_field(n, "alternative");

	if (ts_node_is_null(alt))
		return 0;
	return lower_block(L, s, ts_field(alt, "body"), out);
}

static bool starts_with_keyword(struct olower *L, TSNode n, const char *kw)
{
	size_t k = strlen(kw);
	uint32_t st = ts_node_start_byte(n);

	return st + k <= L->len && !strncmp(L->src + st, kw, k);
}

static int lower_try(struct olower *L, struct scope *s, TSNode n,
		     struct oblock *out)
{
	struct ostmt *st = snew(L, OS_TRY, n);
	size_t nh = 0;

	if (lower_block(L, s, ts_field(n, "body"), &st->body) < 0)
		return -1;
	for (uint32_t i = 0; i < ts_nnamed(n); i++)
		nh += ts_is(ts_named(n, i), "except_clause");
	st->handlers = arena_alloc(L->a, (nh + 1) * sizeof(*st->handlers));
	for (uint32_t i = 0; i < ts_nnamed(n); i++) {
		TSNode c = ts_named(n, i);
		if (ts_is(c, "except_group_clause"))
			return ofail(L, c, "except* is not supported");
		if (ts_is(c, "except_clause")) {
			struct ohandler *h = &st->handlers[st->nhandlers++];
			TSNode v = ts_field(c, "value");
			TSNode alias = ts_field(c, "alias");
			h->line = TS_LINE(c);
			h->col = TS_COL(c);
			if (ts_is(v, "as_pattern")) {
				alias = ts_named(ts_field(v, "alias"), 0);
				v = ts_named(v, 0);
			}
			if (!ts_node_is_null(v)) {
				h->type = lower_expr(L, s, v);
				if (!h->type)
					return -1;
			}
			if (!ts_node_is_null(alias)) {
				h->as = lower_target(L, s, alias);
				if (!h->as)
					return -1;
			}
			for (uint32_t k = 0; k < ts_nnamed(c); k++)
				if (ts_is(ts_named(c, k), "block") &&
				    lower_block(L, s, ts_named(c, k),
						&h->body) < 0)
					return -1;
		} else if (ts_is(c, "else_clause")) {
			if (lower_block(L, s, ts_field(c, "body"),
					&st->orelse) < 0)
				return -1;
		} else if (ts_is(c, "finally_clause")) {
			st->has_final = true;
			for (uint32_t k = 0; k < ts_nnamed(c); k++)
				if (ts_is(ts_named(c, k), "block") &&
				    lower_block(L, s, ts_named(c, k),
						&st->final) < 0)
					return -1;
		}
	}
	bpush(L, out, st);
	return 0;
}

static int lower_with(struct olower *L, struct scope *s, TSNode n,
		      struct oblock *out)
{
	struct ostmt *st = snew(L, OS_WITH, n);
	TSNode clause = ts_null_node(n);

	if (starts_with_keyword(L, n, "async"))
		return ofail(L, n, "async with: async functions stay in "
				   "Python");
	for (uint32_t i = 0; i < ts_nnamed(n); i++)
		if (ts_is(ts_named(n, i), "with_clause"))
			clause = ts_named(n, i);
	st->items = arena_alloc(L->a,
				(ts_nnamed(clause) + 1) * sizeof(*st->items));
	for (uint32_t i = 0; i < ts_nnamed(clause); i++) {
		TSNode it = ts_named(clause, i);
		TSNode v = ts_field(it, "value");
		struct owith *w = &st->items[st->nitems++];
		if (ts_is(v, "as_pattern")) {
			w->as = lower_target(
			    L, s, ts_named(ts_field(v, "alias"), 0));
			if (!w->as)
				return -1;
			v = ts_named(v, 0);
		}
		w->ctx = lower_expr(L, s, v);
		if (!w->ctx)
			return -1;
	}
	if (lower_block(L, s, ts_field(n, "body"), &st->body) < 0)
		return -1;
	bpush(L, out, st);
	return 0;
}

static int lower_import(struct olower *L, struct scope *s, TSNode n,
			struct oblock *out)
{
	bool from = ts_is(n, "import_from_statement");
	struct buf mod = BUF_INIT, fl = BUF_INIT;
	TSNode names[256];
	uint32_t nnames;
	int level = 0;
	int ret = 0;

	if (from) {
		TSNode mn = ts_field(n, "module_name");
		struct ostmt *st = snew(L, OS_IMPORT, n);
		struct oimport *im = arena_alloc(L->a, sizeof(*im));
		size_t k = 0;
		st->imp = im;
		im->is_from = true;
		if (ts_is(mn, "relative_import")) {
			for (uint32_t i = 0; i < ts_node_named_child_count(mn);
			     i++) {
				TSNode c = ts_node_named_child(mn, i);
				if (ts_is(c, "import_prefix"))
					level = (int)(ts_node_end_byte(c) -
						      ts_node_start_byte(c));
				else if (ts_is(c, "dotted_name"))
					buf_adds(&mod, text_of(L, c));
			}
		} else {
			buf_adds(&mod, text_of(L, mn));
		}
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
			if (ts_is(ts_node_named_child(n, i), "wildcard_import"))
				return ofail(L, n, "import * only allowed at "
						   "module level");
		nnames = ts_field_all(n, "name", names, 256);
		if (nnames > 256)
			return ofail(L, n, "more than 256 names imported");
		im->targets = arena_alloc(L->a, (nnames + 1) * sizeof(void *));
		im->names = arena_alloc(L->a, (nnames + 1) * sizeof(int));
		buf_adds(&fl, "(");
		for (uint32_t i = 0; i < nnames; i++) {
			TSNode c = names[i], nm, as;
			nm = ts_is(c, "aliased_import") ? ts_field(c, "name") : c;
			as = ts_is(c, "aliased_import") ? ts_field(c, "alias")
							: ts_named(nm, 0);
			buf_addf(&fl, "'%s', ", text_of(L, nm));
			im->names[k] = omod_name(L->m, text_of(L, nm));
			im->targets[k] = name_node(L, s, as, ident(L, as));
			k++;
		}
		buf_adds(&fl, ")");
		im->n = k;
		im->level = level;
		{
			struct buf q = BUF_INIT;
			buf_addf(&q, "'%s'", mod.data);
			im->module = omod_const(L->m, OK_EVAL, q.data, q.len);
			buf_release(&q);
		}
		im->fromlist = omod_const(L->m, OK_EVAL, fl.data, fl.len);
		bpush(L, out, st);
		goto out;
	}
	nnames = ts_field_all(n, "name", names, 256);
	if (nnames > 256)
		return ofail(L, n, "more than 256 names imported");
	for (uint32_t i = 0; i < nnames; i++) {
		TSNode c = names[i], nm;
		struct ostmt *st;
		struct oimport *im;
		struct buf q = BUF_INIT;
		st = snew(L, OS_IMPORT, c);
		im = arena_alloc(L->a, sizeof(*im));
		st->imp = im;
		nm = ts_is(c, "aliased_import") ? ts_field(c, "name") : c;
		buf_addf(&q, "'%s'", text_of(L, nm));
		im->module = omod_const(L->m, OK_EVAL, q.data, q.len);
		buf_release(&q);
		im->fromlist = -1;
		im->targets = arena_alloc(L->a, sizeof(void *));
		if (ts_is(c, "aliased_import")) {
			/* import a.b.c as x: x = a.b.c (getattr chain). */
			TSNode as = ts_field(c, "alias");
			im->has_as = true;
			im->targets[0] = name_node(L, s, as, ident(L, as));
			im->names = arena_alloc(L->a,
						(ts_nnamed(nm) + 1) * sizeof(int));
			for (uint32_t k = 1; k < ts_nnamed(nm); k++)
				im->names[im->n++] = omod_name(
				    L->m, text_of(L, ts_named(nm, k)));
		} else {
			TSNode first = ts_named(nm, 0);
			im->targets[0] =
			    name_node(L, s, first, ident(L, first));
		}
		bpush(L, out, st);
	}
out:
	buf_release(&mod);
	buf_release(&fl);
	return ret;
}

/* Remembers outer.<locals>.name (for the report of a function the
 * workload selected but that runs as Python). */
static void record_nested_def(struct olower *L, TSNode n, const char *name)
{
	struct omod *m = L->m;
	struct buf q = BUF_INIT;

	if (m->nnested_defs == m->capnested_defs) {
		size_t cap = m->capnested_defs ? m->capnested_defs * 2 : 8;
		struct onested_def *nv = arena_alloc(L->a, cap * sizeof(*nv));
		if (m->nnested_defs)
			memcpy(nv, m->nested_defs,
			       m->nnested_defs * sizeof(*nv));
		m->nested_defs = nv;
		m->capnested_defs = cap;
	}
	buf_addf(&q, "%s.<locals>.%s", L->fn->qualname, name);
	m->nested_defs[m->nnested_defs].qualname = arena_strdup(L->a, q.data);
	m->nested_defs[m->nnested_defs].line = TS_LINE(n);
	m->nested_defs[m->nnested_defs].col = TS_COL(n);
	m->nested_defs[m->nnested_defs].why =
	    "its name is used other than in calls of it (returned, stored, "
	    "passed on, or the frame read): it stays the Python function the "
	    "def makes, and its calls from the translated function are calls "
	    "of it";
	m->nnested_defs++;
	buf_release(&q);
}

/* Does n run once per iteration of a loop of the function? */
static bool in_loop(struct olower *L, TSNode n)
{
	for (TSNode p = ts_node_parent(n); !ts_node_is_null(p);
	     p = ts_node_parent(p)) {
		if (ts_node_start_byte(p) == ts_node_start_byte(L->def) &&
		    ts_node_end_byte(p) == ts_node_end_byte(L->def))
			return false;
		if (ts_is(p, "for_statement") || ts_is(p, "while_statement"))
			return true;
	}
	return false;
}

/* Is every use of name in the function (its def aside) a call of it
 * (name(...)), and does nothing read the function's frame? Then the
 * function object the def makes is seen by no one: it may be a native
 * function. */
static bool only_called(struct olower *L, TSNode n, TSNode def,
			const char *name)
{
	if (ts_is(n, "identifier")) {
		const char *t = text_of(L, n);
		TSNode p = ts_node_parent(n);
		static const char *const frame[] = {"locals", "vars", "dir",
						    "eval",   "exec", NULL};
		for (size_t i = 0; frame[i]; i++)
			if (!strcmp(t, frame[i]))
				return false;
		if (strcmp(t, name))
			return true;
		if (ts_is(p, "function_definition") &&
		    ts_node_start_byte(p) == ts_node_start_byte(def) &&
		    ts_node_start_byte(ts_field(p, "name")) ==
			ts_node_start_byte(n))
			return true;
		return ts_is(p, "call") &&
		       ts_node_start_byte(ts_field(p, "function")) ==
			   ts_node_start_byte(n) &&
		       ts_node_end_byte(ts_field(p, "function")) ==
			   ts_node_end_byte(n);
	}
	for (uint32_t i = 0; i < ts_node_child_count(n); i++)
		if (!only_called(L, ts_node_child(n, i), def, name))
			return false;
	return true;
}

/* The native translation of a def inside the function (k its scope),
 * lowered as a function of its own that takes k's free names from its
 * closure. When it does not translate, its reason says why and the def
 * makes the Python function. */
static void lower_function(struct olower *L, TSNode def, TSNode decorated);

static struct ofn *lower_native_def(struct olower *L, struct scope *k,
				    TSNode n)
{
	struct omod *m = L->m;
	struct ofn *fn = arena_alloc(L->a, sizeof(*fn));
	struct olower L2 = {0};
	struct buf q = BUF_INIT;
	char *name = text_of(L, ts_field(n, "name"));

	buf_addf(&q, "%s.<locals>.%s", L->fn->qualname, name);
	fn->qualname = arena_strdup(L->a, q.data);
	buf_release(&q);
	fn->name = name;
	fn->line = fn->first_line = TS_LINE(n);
	fn->col = TS_COL(n);
	fn->within = L->fn->qualname;
	fn->index = (int)m->nfns;
	arena_push(L->a, (void ***)&m->fns, &m->nfns, &m->capfns, fn);
	L2.m = m;
	L2.a = L->a;
	L2.src = L->src;
	L2.len = L->len;
	L2.future_annotations = L->future_annotations;
	L2.classname = L->classname;
	L2.nested_free = &k->free;
	L2.fn = fn;
	L2.gen_parent = -1;
	lower_function(&L2, n, ts_null_node(n));
	return fn;
}

/* class inside the function: __build_class__(body function, name,
 * *bases, **keywords), the body a function of the original's code. */
static int lower_nested_class(struct olower *L, struct scope *s, TSNode n,
			      TSNode decorated, struct oblock *out)
{
	struct onode *o = onew(L, ON_CLASS, n);
	struct scope *k = scope_of(L, n);
	struct ostmt *st = snew(L, OS_ASSIGN, ts_node_is_null(decorated)
						     ? n
						     : decorated);
	size_t tcap = 0, dcap = 0;
	int line = TS_LINE(ts_node_is_null(decorated) ? n : decorated);
	TSNode sup = ts_field(n, "superclasses");
	char *name = text_of(L, ts_field(n, "name"));

	if (!k)
		return ofail(L, n, "internal: class scope not found");
	if (!ts_node_is_null(ts_field(n, "type_parameters")))
		return ofail(L, n, "generic classes are not supported");
	if (!ts_node_is_null(decorated))
		for (uint32_t i = 0; i < ts_nnamed(decorated); i++) {
			TSNode d = ts_named(decorated, i);
			struct onode *x;
			if (!ts_is(d, "decorator"))
				continue;
			x = lower_expr(L, s, ts_named(d, 0));
			if (!x)
				return -1;
			arena_push(L->a, (void ***)&o->decorators,
				   &o->ndecorators, &dcap, x);
		}
	o->name = omod_name(L->m, name);
	if (!ts_node_is_null(sup) && lower_args(L, s, sup, o) < 0)
		return -1;
	o->nested = nested_add(L, k, n, name, line);
	if (o->nested < 0)
		return -1;
	tpush(L, st, name_node(L, s, ts_field(n, "name"),
			       ident(L, ts_field(n, "name"))),
	      &tcap);
	st->value = o;
	bpush(L, out, st);
	return 0;
}

/* def inside the function: a function object of the original's code,
 * made where the def runs (defaults, annotations, decorators first). */
static int lower_nested_def(struct olower *L, struct scope *s, TSNode n,
			    TSNode decorated, struct oblock *out)
{
	struct onode *o = onew(L, ON_FUNC, n);
	struct scope *k = scope_of(L, n);
	struct ostmt *st = snew(L, OS_ASSIGN, ts_node_is_null(decorated)
						     ? n
						     : decorated);
	size_t tcap = 0, dcap = 0;
	int line = TS_LINE(ts_node_is_null(decorated) ? n : decorated);

	if (starts_with_keyword(L, n, "async"))
		return ofail(L, n, "async def inside a function");
	if (!k)
		return ofail(L, n, "internal: nested scope not found");
	if (params_annotated(ts_field(n, "parameters")) ||
	    !ts_node_is_null(ts_field(n, "return_type")))
		return ofail(L, n,
			     "annotations of a nested function are not "
			     "supported");
	if (!ts_node_is_null(decorated))
		for (uint32_t i = 0; i < ts_nnamed(decorated); i++) {
			TSNode d = ts_named(decorated, i);
			struct onode *x;
			if (!ts_is(d, "decorator"))
				continue;
			x = lower_expr(L, s, ts_named(d, 0));
			if (!x)
				return -1;
			arena_push(L->a, (void ***)&o->decorators,
				   &o->ndecorators, &dcap, x);
		}
	if (lower_fn_defaults(L, s, ts_field(n, "parameters"), o) < 0)
		return -1;
	o->nested = nested_add(L, k, n, text_of(L, ts_field(n, "name")), line);
	if (o->nested < 0)
		return -1;
	record_nested_def(L, n, text_of(L, ts_field(n, "name")));
	if (!ts_node_is_null(decorated))
		L->m->nested_defs[L->m->nnested_defs - 1].why =
		    "decorated: it stays the function its decorators make";
	else if (in_loop(L, n))
		L->m->nested_defs[L->m->nnested_defs - 1].why =
		    "defined in a loop: made at every iteration, it stays the "
		    "Python function (a native one costs more to make than "
		    "it saves)";
	else if (s == L->top &&
		 only_called(L, L->def, n, text_of(L, ts_field(n, "name"))))
		o->native = lower_native_def(L, k, n);
	tpush(L, st, name_node(L, s, ts_field(n, "name"),
			       ident(L, ts_field(n, "name"))),
	      &tcap);
	st->value = o;
	bpush(L, out, st);
	return 0;
}

static bool is_constant_expr(TSNode n)
{
	n = ts_unparen(n);
	return ts_is(n, "integer") || ts_is(n, "float") || ts_is(n, "true") ||
	       ts_is(n, "false") || ts_is(n, "none") || ts_is(n, "ellipsis");
}

typedef int (*lower_st_fn)(struct olower *L, struct scope *s, TSNode n,
			   struct oblock *out);

static int ls_nothing(struct olower *L, struct scope *s, TSNode n,
		      struct oblock *out)
{
	(void)L, (void)s, (void)n, (void)out;
	return 0;
}

static int ls_expression(struct olower *L, struct scope *s, TSNode n,
			 struct oblock *out)
{
	TSNode e = ts_named(n, 0);
	struct ostmt *st;

	if (ts_nnamed(n) == 1 && ts_is(e, "assignment"))
		return lower_assignment(L, s, e, out);
	if (ts_nnamed(n) == 1 && ts_is(e, "augmented_assignment"))
		return lower_aug(L, s, e, out);
	/* Constant expression statements (docstrings) compile to nothing. */
	if (ts_nnamed(n) == 1 &&
	    (is_constant_expr(e) ||
	     ((ts_is(e, "string") || ts_is(e, "concatenated_string")) &&
	      !string_has_f(L, e))))
		return 0;
	st = snew(L, OS_EXPR, n);
	if (ts_nnamed(n) == 1)
		st->value = lower_expr(L, s, e);
	else
		st->value = lower_display(L, s, n, ON_TUPLE);
	if (!st->value)
		return -1;
	bpush(L, out, st);
	return 0;
}

static int ls_return(struct olower *L, struct scope *s, TSNode n,
		     struct oblock *out)
{
	struct ostmt *st = snew(L, OS_RETURN, n);

	if (ts_nnamed(n) == 1) {
		st->value = lower_expr(L, s, ts_named(n, 0));
		if (!st->value)
			return -1;
	} else if (ts_nnamed(n) > 1) {
		return ofail(L, n, "malformed return");
	}
	bpush(L, out, st);
	return 0;
}

static int ls_jump(struct olower *L, struct scope *s, TSNode n,
		   struct oblock *out)
{
	(void)s;
	bpush(L, out,
	      snew(L, *ts_node_type(n) == 'b' ? OS_BREAK : OS_CONTINUE, n));
	return 0;
}

static int ls_if(struct olower *L, struct scope *s, TSNode n,
		 struct oblock *out)
{
	return lower_if(L, s, ts_field(n, "condition"),
			ts_field(n, "consequence"), n, 0, out);
}

static int ls_while(struct olower *L, struct scope *s, TSNode n,
		    struct oblock *out)
{
	struct ostmt *st = snew(L, OS_WHILE, n);
	int truth = const_truth(L, ts_field(n, "condition"));

	st->value = lower_expr(L, s, ts_field(n, "condition"));
	if (!st->value ||
	    (truth != 0 &&
	     lower_block(L, s, ts_field(n, "body"), &st->body) < 0) ||
	    lower_else_of(L, s, n, &st->orelse) < 0)
		return -1;
	bpush(L, out, st);
	return 0;
}

static int ls_for(struct olower *L, struct scope *s, TSNode n,
		  struct oblock *out)
{
	struct ostmt *st;

	if (starts_with_keyword(L, n, "async"))
		return ofail(L, n, "async for: async functions stay in Python");
	st = snew(L, OS_FOR, n);
	st->value = lower_expr(L, s, ts_field(n, "right"));
	if (!st->value)
		return -1;
	st->target = lower_target(L, s, ts_field(n, "left"));
	if (!st->target ||
	    lower_block(L, s, ts_field(n, "body"), &st->body) < 0 ||
	    lower_else_of(L, s, n, &st->orelse) < 0)
		return -1;
	bpush(L, out, st);
	return 0;
}

static int ls_raise(struct olower *L, struct scope *s, TSNode n,
		    struct oblock *out)
{
	TSNode cause = ts_field(n, "cause");
	struct ostmt *st = snew(L, OS_RAISE, n);

	for (uint32_t i = 0; i < ts_nnamed(n); i++) {
		TSNode c = ts_named(n, i);
		if (!ts_node_is_null(cause) &&
		    ts_node_start_byte(c) == ts_node_start_byte(cause))
			continue;
		st->value = lower_expr(L, s, c);
		if (!st->value)
			return -1;
		break;
	}
	if (!ts_node_is_null(cause)) {
		st->cause = lower_expr(L, s, cause);
		if (!st->cause)
			return -1;
	}
	bpush(L, out, st);
	return 0;
}

static int ls_assert(struct olower *L, struct scope *s, TSNode n,
		     struct oblock *out)
{
	struct ostmt *st = snew(L, OS_ASSERT, n);

	st->value = lower_expr(L, s, ts_named(n, 0));
	if (!st->value)
		return -1;
	if (ts_nnamed(n) > 1) {
		st->cause = lower_expr(L, s, ts_named(n, 1));
		if (!st->cause)
			return -1;
	}
	bpush(L, out, st);
	return 0;
}

static int ls_delete(struct olower *L, struct scope *s, TSNode n,
		     struct oblock *out)
{
	size_t cap = 0;
	TSNode list = ts_named(n, 0);
	struct ostmt *st = snew(L, OS_DEL, n);
	uint32_t cnt = ts_is(list, "expression_list") ? ts_nnamed(list) : 1;

	for (uint32_t i = 0; i < cnt; i++) {
		struct onode *x = lower_target(
		    L, s, ts_is(list, "expression_list") ? ts_named(list, i)
							 : list);
		if (!x)
			return -1;
		tpush(L, st, x, &cap);
	}
	bpush(L, out, st);
	return 0;
}

static int ls_def(struct olower *L, struct scope *s, TSNode n,
		  struct oblock *out)
{
	return lower_nested_def(L, s, n, ts_null_node(n), out);
}

static int ls_decorated(struct olower *L, struct scope *s, TSNode n,
			struct oblock *out)
{
	TSNode d = ts_field(n, "definition");

	if (ts_is(d, "class_definition"))
		return lower_nested_class(L, s, d, n, out);
	return lower_nested_def(L, s, d, n, out);
}

static int ls_class(struct olower *L, struct scope *s, TSNode n,
		    struct oblock *out)
{
	return lower_nested_class(L, s, n, ts_null_node(n), out);
}

static int ls_refused(struct olower *L, struct scope *s, TSNode n,
		      struct oblock *out)
{
	const char *t = ts_node_type(n);

	(void)s, (void)out;
	if (!strcmp(t, "future_import_statement"))
		return ofail(L, n, "from __future__ inside a function");
	if (!strcmp(t, "match_statement"))
		return ofail(L, n, "match statements are not supported");
	if (!strcmp(t, "ERROR"))
		return ofail(L, n, "syntax error");
	return ofail(L, n, "%s is not supported", t);
}

static const struct {
	const char *type;
	lower_st_fn fn;
} lower_st_table[] = {
    {"comment", ls_nothing},
    {"line_continuation", ls_nothing},
    {"pass_statement", ls_nothing},
    {"global_statement", ls_nothing},
    {"nonlocal_statement", ls_nothing},
    {"expression_statement", ls_expression},
    {"return_statement", ls_return},
    {"break_statement", ls_jump},
    {"continue_statement", ls_jump},
    {"if_statement", ls_if},
    {"while_statement", ls_while},
    {"for_statement", ls_for},
    {"try_statement", lower_try},
    {"with_statement", lower_with},
    {"raise_statement", ls_raise},
    {"assert_statement", ls_assert},
    {"delete_statement", ls_delete},
    {"import_statement", lower_import},
    {"import_from_statement", lower_import},
    {"function_definition", ls_def},
    {"decorated_definition", ls_decorated},
    {"class_definition", ls_class},
};

static int lower_stmt(struct olower *L, struct scope *s, TSNode n,
		      struct oblock *out)
{
	const char *t = ts_node_type(n);

	for (size_t i = 0; i < sizeof(lower_st_table) / sizeof(lower_st_table[0]);
	     i++)
		if (!strcmp(t, lower_st_table[i].type))
			return lower_st_table[i].fn(L, s, n, out);
	return ls_refused(L, s, n, out);
}

/* Does statement (or block) n never end normally: it returns, raises,
 * breaks or continues on every path (try: its body and every handler;
 * if: every branch, with an else)? */
static bool always_leaves(struct olower *L, TSNode n)
{
	if (ts_node_is_null(n))
		return false;
	if (ts_is(n, "block")) {
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
			if (always_leaves(L, ts_node_named_child(n, i)))
				return true;
		return false;
	}
	if (ts_is(n, "return_statement") || ts_is(n, "raise_statement") ||
	    ts_is(n, "break_statement") || ts_is(n, "continue_statement"))
		return true;
	if (ts_is(n, "assert_statement"))
		return const_truth(L, ts_named(n, 0)) == 0;
	if (ts_is(n, "try_statement")) {
		if (!always_leaves(L, ts_field(n, "body")))
			return false;
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
			TSNode c = ts_node_named_child(n, i);
			if (ts_is(c, "except_clause") &&
			    !always_leaves(L, ts_named(c, ts_nnamed(c) - 1)))
				return false;
		}
		return true;
	}
	if (ts_is(n, "if_statement")) {
		bool has_else = false;
		if (!always_leaves(L, ts_field(n, "consequence")))
			return false;
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
			TSNode c = ts_node_named_child(n, i);
			bool elif = ts_is(c, "elif_clause");
			if (!elif && !ts_is(c, "else_clause"))
				continue;
			has_else |= !elif;
			if (!always_leaves(L, ts_field(c, elif ? "consequence"
							       : "body")))
				return false;
		}
		return has_else;
	}
	return false;
}

static int lower_block(struct olower *L, struct scope *s, TSNode n,
		       struct oblock *out)
{
	int dead = L->dead, ret = 0;

	if (ts_node_is_null(n))
		return 0;
	if (!ts_is(n, "block"))
		return lower_stmt(L, s, n, out);
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
		TSNode c = ts_node_named_child(n, i);
		if (lower_stmt(L, s, c, out) < 0) {
			ret = -1;
			break;
		}
		/* what follows never runs: CPython may drop its code */
		if (always_leaves(L, c))
			L->dead++;
	}
	L->dead = dead;
	return ret;
}

/* ---- functions ---- */

static bool has_yield(TSNode n)
{
	const char *t = ts_node_type(n);

	if (!strcmp(t, "yield"))
		return true;
	if (!strcmp(t, "function_definition") || !strcmp(t, "lambda") ||
	    !strcmp(t, "class_definition") ||
	    !strcmp(t, "generator_expression"))
		return false;
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
		if (has_yield(ts_node_named_child(n, i)))
			return true;
	return false;
}

static int lower_params(struct olower *L, TSNode params)
{
	struct ofn *fn = L->fn;
	size_t cnt = ts_nnamed(params), k = 0;
	int *pos = arena_alloc(L->a, (cnt + 1) * sizeof(int));
	int *kwo = arena_alloc(L->a, (cnt + 1) * sizeof(int));
	int vararg = -1, varkw = -1;
	size_t npos = 0, nkw = 0;
	bool kwonly = false;

	for (uint32_t i = 0; i < cnt; i++) {
		TSNode p = ts_named(params, i);
		const char *t = ts_node_type(p);
		TSNode id = ts_null_node(p);
		if (!strcmp(t, "positional_separator")) {
			fn->nposonly = npos;
			continue;
		}
		if (!strcmp(t, "keyword_separator")) {
			kwonly = true;
			continue;
		}
		if (!strcmp(t, "identifier"))
			id = p;
		else if (!strcmp(t, "default_parameter") ||
			 !strcmp(t, "typed_default_parameter"))
			id = ts_field(p, "name");
		else if (!strcmp(t, "typed_parameter"))
			id = ts_named(p, 0);
		if (!strcmp(t, "list_splat_pattern") ||
		    !strcmp(t, "dictionary_splat_pattern") ||
		    (!strcmp(t, "typed_parameter") &&
		     (ts_is(id, "list_splat_pattern") ||
		      ts_is(id, "dictionary_splat_pattern")))) {
			TSNode sp = !strcmp(t, "typed_parameter") ? id : p;
			int v = lookup(L, L->top, ident(L, ts_named(sp, 0))).var;
			if (ts_is(sp, "list_splat_pattern")) {
				vararg = v;
				kwonly = true;
			} else {
				varkw = v;
			}
			continue;
		}
		if (!ts_is(id, "identifier"))
			return ofail(L, p, "parameter form %s is not supported",
				     t);
		{
			struct osym y = lookup(L, L->top, ident(L, id));
			if (kwonly)
				kwo[nkw++] = y.var;
			else
				pos[npos++] = y.var;
		}
	}
	fn->params = arena_alloc(L->a, (cnt + 1) * sizeof(int));
	for (size_t i = 0; i < npos; i++)
		fn->params[k++] = pos[i];
	for (size_t i = 0; i < nkw; i++)
		fn->params[k++] = kwo[i];
	if (vararg >= 0)
		fn->params[k++] = vararg;
	if (varkw >= 0)
		fn->params[k++] = varkw;
	fn->nparams = k;
	fn->npos = npos;
	fn->nkwonly = nkw;
	fn->has_varargs = vararg >= 0;
	fn->has_varkw = varkw >= 0;
	for (size_t i = 0; i < k; i++)
		fn->vars[fn->params[i]].is_param = true;
	return 0;
}

/* Decorators a method may carry and still be patched on its class. */
static int check_decorators(struct olower *L, TSNode decorated)
{
	struct ofn *fn = L->fn;

	for (uint32_t i = 0; i < ts_nnamed(decorated); i++) {
		TSNode d = ts_named(decorated, i);
		char *tx;
		const char *dot;
		if (!ts_is(d, "decorator"))
			continue;
		if (!fn->is_method)
			return ofail(L, d,
				     "decorated functions stay in Python (the "
				     "decorator's result is not swapped in)");
		if (ts_nnamed(decorated) > 2)
			return ofail(L, d, "more than one decorator");
		tx = text_of(L, ts_named(d, 0));
		dot = strrchr(tx, '.');
		if (!strcmp(tx, "staticmethod"))
			fn->decor = DECOR_STATIC;
		else if (!strcmp(tx, "classmethod"))
			fn->decor = DECOR_CLASS;
		else if (!strcmp(tx, "property") ||
			 (dot && (!strcmp(dot, ".setter") ||
				  !strcmp(dot, ".getter") ||
				  !strcmp(dot, ".deleter"))))
			fn->decor = DECOR_PROPERTY;
		else
			return ofail(L, d,
				     "decorator @%s: only staticmethod, "
				     "classmethod and property methods are "
				     "swapped in",
				     tx);
	}
	return 0;
}

static void lower_function(struct olower *L, TSNode def, TSNode decorated)
{
	struct ofn *fn = L->fn;
	struct scope *top;

	L->nall = 0;
	L->failed = false;
	fn->is_ok = true;
	if (starts_with_keyword(L, def, "async")) {
		ofail(L, def, "async functions stay in Python");
		return;
	}
	if (!ts_node_is_null(decorated) && check_decorators(L, decorated) < 0)
		return;
	if (has_yield(ts_field(def, "body"))) {
		ofail(L, def, "generator functions (yield) stay in Python");
		return;
	}
	top = scope_new(L, SC_FN, NULL, def);
	L->top = top;
	L->def = def;
	scan_params(L, top, top, ts_field(def, "parameters"), false);
	scan(L, top, ts_field(def, "body"));
	for (size_t i = 0; i < top->nonlocals.n; i++)
		if (!L->nested_free ||
		    !set_has(L->nested_free, top->nonlocals.v[i])) {
			ofail(L, def, "nonlocal at the top level of a function");
			return;
		}
	resolve(L, top);
	/* co_freevars are sorted by name (CPython's compiler) */
	for (size_t i = 1; i < top->free.n; i++)
		for (size_t j = i;
		     j > 0 && strcmp(top->free.v[j - 1], top->free.v[j]) > 0;
		     j--) {
			char *t = top->free.v[j];
			top->free.v[j] = top->free.v[j - 1];
			top->free.v[j - 1] = t;
		}
	fn->freevars = top->free.v;
	fn->nfree = top->free.n;
	assign_vars(L);
	if (lower_params(L, ts_field(def, "parameters")) < 0)
		return;
	lower_block(L, top, ts_field(def, "body"), &fn->body);
}

static void add_fn(struct olower *L, TSNode def, TSNode decorated,
		   const char *prefix)
{
	struct omod *m = L->m;
	struct ofn *fn = arena_alloc(L->a, sizeof(*fn));
	struct buf q = BUF_INIT;
	char *name = text_of(L, ts_field(def, "name"));

	buf_addf(&q, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", name);
	fn->qualname = arena_strdup(L->a, q.data);
	fn->name = name;
	fn->line = TS_LINE(def);
	fn->col = TS_COL(def);
	fn->first_line = TS_LINE(ts_node_is_null(decorated) ? def : decorated);
	fn->is_method = prefix != NULL;
	fn->index = (int)m->nfns;
	arena_push(L->a, (void ***)&m->fns, &m->nfns, &m->capfns, fn);
	buf_release(&q);
	L->fn = fn;
	L->gen_parent = -1;
	lower_function(L, def, decorated);
}

static void walk_body(struct olower *L, TSNode body, const char *prefix,
		      const char *classname);

static void walk_stmt(struct olower *L, TSNode c, const char *prefix,
		      const char *classname)
{
	TSNode d = c;

	if (ts_is(c, "decorated_definition"))
		d = ts_field(c, "definition");
	if (ts_is(d, "function_definition")) {
		L->classname = classname;
		add_fn(L, d, ts_is(c, "decorated_definition") ? c
							      : ts_null_node(c),
		       prefix);
	} else if (ts_is(d, "class_definition")) {
		struct buf q = BUF_INIT;
		char *name = text_of(L, ts_field(d, "name"));
		buf_addf(&q, "%s%s%s", prefix ? prefix : "", prefix ? "." : "",
			 name);
		walk_body(L, ts_field(d, "body"), arena_strdup(L->a, q.data),
			  name);
		buf_release(&q);
	}
}

static void walk_body(struct olower *L, TSNode body, const char *prefix,
		      const char *classname)
{
	for (uint32_t i = 0; i < ts_node_named_child_count(body); i++)
		walk_stmt(L, ts_node_named_child(body, i), prefix, classname);
}

static bool has_future_annotations(struct olower *L, TSNode root)
{
	for (uint32_t i = 0; i < ts_node_named_child_count(root); i++) {
		TSNode c = ts_node_named_child(root, i);
		if (ts_is(c, "future_import_statement") &&
		    strstr(text_of(L, c), "annotations"))
			return true;
	}
	return false;
}

int olower_module(struct omod *m, const char *src, size_t len,
		  struct buf *errmsg)
{
	TSParser *p = ts_parser_new();
	TSTree *tree = NULL;
	struct olower L = {0};
	int ret = 0;

	if (!ts_parser_set_language(p, tree_sitter_python())) {
		buf_adds(errmsg, "tree-sitter-python grammar version mismatch");
		ret = -1;
		goto out;
	}
	if (len > UINT32_MAX) {
		buf_adds(errmsg, "source too large");
		ret = -1;
		goto out;
	}
	tree = ts_parser_parse_string(p, NULL, src, (uint32_t)len);
	if (!tree) {
		buf_adds(errmsg, "parser failed");
		ret = -1;
		goto out;
	}
	L.m = m;
	L.a = m->arena;
	L.src = src;
	L.len = len;
	L.future_annotations =
	    has_future_annotations(&L, ts_tree_root_node(tree));
	walk_body(&L, ts_tree_root_node(tree), NULL, NULL);
	/* A function whose text holds a syntax error stays in Python. */
	for (size_t i = 0; i < m->nfns; i++)
		(void)0;
out:
	if (tree)
		ts_tree_delete(tree);
	ts_parser_delete(p);
	return ret;
}

struct ofn *omod_find(struct omod *m, const char *qualname, int nth)
{
	for (size_t i = 0; i < m->nfns; i++)
		if (!strcmp(m->fns[i]->qualname, qualname) && nth-- == 0)
			return m->fns[i];
	return NULL;
}

/* ---- module tables ---- */

void omod_init(struct omod *m, struct arena *a)
{
	memset(m, 0, sizeof(*m));
	m->arena = a;
}

void omod_release(struct omod *m)
{
	for (size_t i = 0; i < m->nfns; i++)
		free(m->fns[i]->reason);
	memset(m, 0, sizeof(*m));
}

int omod_const(struct omod *m, enum oconst_kind kind, const char *text,
	       size_t len)
{
	for (size_t i = 0; i < m->nconsts; i++)
		if (m->consts[i].kind == kind && m->consts[i].len == len &&
		    !memcmp(m->consts[i].text, text, len))
			return (int)i;
	if (m->nconsts == m->capconsts) {
		size_t cap = m->capconsts ? m->capconsts * 2 : 64;
		struct oconst *nv = arena_alloc(m->arena, cap * sizeof(*nv));
		if (m->nconsts)
			memcpy(nv, m->consts, m->nconsts * sizeof(*nv));
		m->consts = nv;
		m->capconsts = cap;
	}
	m->consts[m->nconsts].kind = kind;
	m->consts[m->nconsts].text = arena_strndup(m->arena, text, len);
	m->consts[m->nconsts].len = len;
	return (int)m->nconsts++;
}

int omod_name(struct omod *m, const char *name)
{
	return omod_const(m, OK_NAME, name, strlen(name));
}
