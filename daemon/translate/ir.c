/*
 * ir.c - the IR's arena, type values, node constructors and dumps.
 *
 * Owns memory management of the IR (one arena per module) and the two
 * spellings of a type (Python's and Rust's). Knows nothing about
 * tree-sitter or about how Rust is emitted beyond type names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_BLOCK 65536

void arena_init(struct arena *a)
{
	a->head = NULL;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;

	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_push(struct arena *a, void ***v, size_t *n, size_t *cap, void *p)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		void **nv = arena_alloc(a, ncap * sizeof(*nv));
		if (*n)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = p;
}

/* Types without parameters are shared singletons. */
static struct ty basic_types[] = {
    [TY_UNKNOWN] = {TY_UNKNOWN, 0, NULL}, [TY_NEVER] = {TY_NEVER, 0, NULL},
    [TY_NONE] = {TY_NONE, 0, NULL},	  [TY_BOOL] = {TY_BOOL, 0, NULL},
    [TY_INT] = {TY_INT, 0, NULL},	  [TY_FLOAT] = {TY_FLOAT, 0, NULL},
    [TY_STR] = {TY_STR, 0, NULL},	  [TY_LIST] = {TY_BAD, 0, NULL},
    [TY_TUPLE] = {TY_BAD, 0, NULL},	  [TY_DICT] = {TY_BAD, 0, NULL},
    [TY_SET] = {TY_BAD, 0, NULL},	  [TY_OPT] = {TY_BAD, 0, NULL},
    [TY_NUM] = {TY_NUM, 0, NULL},	  [TY_BAD] = {TY_BAD, 0, NULL},
};

struct ty *ty_basic(enum ty_kind kind)
{
	return &basic_types[kind];
}

struct ty *ty_new(struct arena *a, enum ty_kind kind, size_t n)
{
	struct ty *t = arena_alloc(a, sizeof(*t));

	t->kind = kind;
	t->n = n;
	t->sub = n ? arena_alloc(a, n * sizeof(*t->sub)) : NULL;
	for (size_t i = 0; i < n; i++)
		t->sub[i] = ty_basic(TY_UNKNOWN);
	return t;
}

struct ty *ty_list(struct arena *a, struct ty *elem)
{
	struct ty *t = ty_new(a, TY_LIST, 1);

	t->sub[0] = elem;
	return t;
}

struct ty *ty_dict(struct arena *a, struct ty *k, struct ty *v)
{
	struct ty *t = ty_new(a, TY_DICT, 2);

	t->sub[0] = k;
	t->sub[1] = v;
	return t;
}

bool ty_equal(const struct ty *x, const struct ty *y)
{
	if (x == y)
		return true;
	if (x->kind != y->kind || x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (!ty_equal(x->sub[i], y->sub[i]))
			return false;
	return true;
}

bool ty_is_complete(const struct ty *t)
{
	if (t->kind == TY_UNKNOWN || t->kind == TY_BAD)
		return false;
	for (size_t i = 0; i < t->n; i++)
		if (!ty_is_complete(t->sub[i]))
			return false;
	return true;
}

bool ty_is_container(const struct ty *t)
{
	return t->kind == TY_LIST || t->kind == TY_DICT || t->kind == TY_SET;
}

/* Immutable values: what a dict's version tag covers (rt::DictCache;
 * other dicts are read in place, plan_dictviews). */
bool ty_is_value(const struct ty *t)
{
	if (t->kind == TY_STR)
		return true;
	if (t->kind == TY_TUPLE || t->kind == TY_OPT) {
		for (size_t i = 0; i < t->n; i++)
			if (!ty_is_value(t->sub[i]))
				return false;
		return true;
	}
	return ty_is_copy(t);
}

bool ty_is_copy(const struct ty *t)
{
	switch (t->kind) {
	case TY_NONE:
	case TY_BOOL:
	case TY_INT:
	case TY_FLOAT:
	case TY_NUM:
	case TY_NEVER:
		return true;
	case TY_TUPLE:
	case TY_OPT:
		for (size_t i = 0; i < t->n; i++)
			if (!ty_is_copy(t->sub[i]))
				return false;
		return true;
	default:
		return false;
	}
}

/* Floats are left out: f64 is not Eq/Hash in Rust, and Python's
 * -0.0 == 0.0 / NaN keys would need care. */
bool ty_is_hashable(const struct ty *t)
{
	switch (t->kind) {
	case TY_BOOL:
	case TY_INT:
	case TY_STR:
		return true;
	case TY_TUPLE:
		for (size_t i = 0; i < t->n; i++)
			if (!ty_is_hashable(t->sub[i]))
				return false;
		return t->n > 0;
	default:
		return false;
	}
}

void ty_format(struct buf *b, const struct ty *t)
{
	static const char *names[] = {
	    [TY_UNKNOWN] = "?",	      [TY_NEVER] = "Never",
	    [TY_NONE] = "None",	      [TY_BOOL] = "bool",
	    [TY_INT] = "int",	      [TY_FLOAT] = "float",
	    [TY_STR] = "str",	      [TY_LIST] = "list",
	    [TY_TUPLE] = "tuple",     [TY_DICT] = "dict",
	    [TY_SET] = "set",	      [TY_OPT] = "optional",
	    [TY_NUM] = "int | float", [TY_BAD] = "object",
	};

	if (t->kind == TY_OPT) {
		ty_format(b, t->sub[0]);
		buf_adds(b, " | None");
		return;
	}
	buf_adds(b, names[t->kind]);
	if (t->kind == TY_TUPLE && t->n == 0) {
		buf_adds(b, "[()]");
		return;
	}
	if (!t->n)
		return;
	buf_addch(b, '[');
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			buf_adds(b, ", ");
		ty_format(b, t->sub[i]);
	}
	buf_addch(b, ']');
}

void ty_format_rust(struct buf *b, const struct ty *t)
{
	switch (t->kind) {
	case TY_NONE:
		buf_adds(b, "()");
		break;
	case TY_NEVER:
		buf_adds(b, "rt::Never");
		break;
	case TY_BOOL:
		buf_adds(b, "bool");
		break;
	case TY_INT:
		buf_adds(b, "i64");
		break;
	case TY_FLOAT:
		buf_adds(b, "f64");
		break;
	case TY_STR:
		buf_adds(b, "String");
		break;
	case TY_LIST:
		buf_adds(b, "Vec<");
		ty_format_rust(b, t->sub[0]);
		buf_addch(b, '>');
		break;
	case TY_SET:
		buf_adds(b, "IndexSet<");
		ty_format_rust(b, t->sub[0]);
		buf_addch(b, '>');
		break;
	case TY_DICT:
		buf_adds(b, "IndexMap<");
		ty_format_rust(b, t->sub[0]);
		buf_adds(b, ", ");
		ty_format_rust(b, t->sub[1]);
		buf_addch(b, '>');
		break;
	case TY_NUM:
		buf_adds(b, "rt::Num");
		break;
	case TY_OPT:
		buf_adds(b, "Option<");
		ty_format_rust(b, t->sub[0]);
		buf_addch(b, '>');
		break;
	case TY_TUPLE:
		buf_addch(b, '(');
		for (size_t i = 0; i < t->n; i++) {
			if (i)
				buf_adds(b, ", ");
			ty_format_rust(b, t->sub[i]);
		}
		if (t->n == 1)
			buf_addch(b, ',');
		buf_addch(b, ')');
		break;
	default:
		buf_adds(b, "()");
		break;
	}
}

/* A tiny recursive-descent parser over type strings. */
struct typarse {
	struct arena *a;
	const char *s;
	bool bad_syntax;
};

static void typarse_ws(struct typarse *p)
{
	while (*p->s == ' ' || *p->s == '\t')
		p->s++;
}

static struct ty *typarse_union(struct typarse *p);

static struct ty *typarse_one(struct typarse *p)
{
	static const struct {
		const char *name;
		enum ty_kind kind;
		int nargs; /* -1: any count (tuple) */
	} names[] = {
	    {"int", TY_INT, 0},	     {"float", TY_FLOAT, 0},
	    {"bool", TY_BOOL, 0},    {"str", TY_STR, 0},
	    {"None", TY_NONE, 0},    {"NoneType", TY_NONE, 0},
	    {"Never", TY_NEVER, 0},  {"list", TY_LIST, 1},
	    {"List", TY_LIST, 1},    {"tuple", TY_TUPLE, -1},
	    {"Tuple", TY_TUPLE, -1}, {"dict", TY_DICT, 2},
	    {"Dict", TY_DICT, 2},    {"set", TY_SET, 1},
	    {"Set", TY_SET, 1},
	};
	const char *start;
	size_t len, i;
	struct ty *t, *args[16];
	size_t nargs = 0;
	bool bad = false;

	typarse_ws(p);
	start = p->s;
	while ((*p->s >= 'a' && *p->s <= 'z') ||
	       (*p->s >= 'A' && *p->s <= 'Z') ||
	       (*p->s >= '0' && *p->s <= '9') || *p->s == '_' || *p->s == '.')
		p->s++;
	len = (size_t)(p->s - start);
	if (!len) {
		if (*p->s == '(' && p->s[1] == ')') {
			p->s += 2;
			return ty_new(p->a, TY_TUPLE, 0);
		}
		p->bad_syntax = true;
		return ty_basic(TY_BAD);
	}
	typarse_ws(p);
	if (*p->s == '[') {
		p->s++;
		for (;;) {
			struct ty *sub;
			typarse_ws(p);
			if (*p->s == ']' && nargs == 0)
				break;
			if (!strncmp(p->s, "...", 3)) {
				p->s += 3;
				bad = true;
				sub = ty_basic(TY_BAD);
			} else {
				sub = typarse_union(p);
			}
			if (p->bad_syntax)
				return ty_basic(TY_BAD);
			if (nargs < 16)
				args[nargs++] = sub;
			else
				bad = true;
			typarse_ws(p);
			if (*p->s == ',') {
				p->s++;
				continue;
			}
			break;
		}
		if (*p->s != ']') {
			p->bad_syntax = true;
			return ty_basic(TY_BAD);
		}
		p->s++;
	}
	if (bad)
		return ty_basic(TY_BAD);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) != len ||
		    strncmp(names[i].name, start, len))
			continue;
		if (names[i].nargs == 0) {
			if (nargs)
				return ty_basic(TY_BAD);
			return ty_basic(names[i].kind);
		}
		if (names[i].nargs > 0 && (size_t)names[i].nargs != nargs)
			return ty_basic(TY_BAD);
		if (names[i].nargs < 0 && nargs == 1 &&
		    args[0]->kind == TY_TUPLE && args[0]->n == 0)
			nargs = 0; /* tuple[()] */
		t = ty_new(p->a, names[i].kind, nargs);
		for (size_t k = 0; k < nargs; k++)
			t->sub[k] = args[k];
		return t;
	}
	return ty_basic(TY_BAD);
}

static struct ty *typarse_union(struct typarse *p)
{
	struct ty *t = typarse_one(p);

	typarse_ws(p);
	while (*p->s == '|') {
		struct ty *u;
		p->s++;
		u = typarse_one(p);
		if (p->bad_syntax)
			return ty_basic(TY_BAD);
		if (!ty_equal(t, u))
			t = ty_basic(TY_BAD);
		typarse_ws(p);
	}
	return t;
}

struct ty *ty_parse(struct arena *a, const char *s)
{
	struct typarse p = {a, s, false};
	struct ty *t = typarse_union(&p);

	typarse_ws(&p);
	if (p.bad_syntax || *p.s)
		return NULL;
	return t;
}

void ir_module_init(struct ir_module *m)
{
	memset(m, 0, sizeof(*m));
	arena_init(&m->arena);
	m->py_minor = 11;
}

void ir_module_release(struct ir_module *m)
{
	for (size_t i = 0; i < m->nfns; i++) {
		free(m->fns[i]->reason);
		free(m->fns[i]->rname);
		free(m->fns[i]->rname_py);
	}
	arena_release(&m->arena);
	memset(m, 0, sizeof(*m));
}

struct ir_fn *ir_module_find(struct ir_module *m, const char *name)
{
	for (size_t i = 0; i < m->nfns; i++)
		if (!strcmp(m->fns[i]->name, name))
			return m->fns[i];
	return NULL;
}

int ir_fn_fail(struct ir_fn *fn, int line, int col, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (fn->reason)
		return -1;
	buf_addf(&b, "line %d:%d ", line, col);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	fn->reason = buf_detach(&b, NULL);
	fn->is_ok = false;
	return -1;
}

struct ex *ex_new(struct arena *a, enum ex_kind kind, int line, int col)
{
	struct ex *e = arena_alloc(a, sizeof(*e));

	e->kind = kind;
	e->line = line;
	e->col = col;
	e->ty = ty_basic(TY_UNKNOWN);
	e->var = -1;
	return e;
}

void ex_push(struct arena *a, struct ex *e, struct ex *child, size_t *cap)
{
	arena_push(a, (void ***)&e->a, &e->n, cap, child);
}

struct st *st_new(struct arena *a, enum st_kind kind, int line, int col)
{
	struct st *s = arena_alloc(a, sizeof(*s));

	s->kind = kind;
	s->line = line;
	s->col = col;
	return s;
}

void block_push(struct arena *a, struct block *b, struct st *s)
{
	arena_push(a, (void ***)&b->v, &b->n, &b->cap, s);
}

static bool is_rust_keyword(const char *s)
{
	static const char *kw[] = {
	    "as",	"async",    "await",   "box",	 "crate",
	    "do",	"dyn",	    "enum",    "extern", "fn",
	    "impl",	"let",	    "loop",    "macro",	 "match",
	    "mod",	"move",	    "mut",     "priv",	 "pub",
	    "ref",	"self",	    "Self",    "static", "struct",
	    "super",	"trait",    "true",    "false",	 "type",
	    "typeof",	"unsafe",   "unsized", "use",	 "virtual",
	    "where",	"abstract", "become",  "final",	 "override",
	    "yield",	"try",	    "gen",     "union",	 "m",
	    "py",	"args",	    "kwargs",  "r",	 "p",
	    "rt",	"Ok",	    "Err",     "Some",	 "None",
	    "Vec",	"String",   "R",       "Self",	 "IndexMap",
	    "IndexSet", "PyResult",
	};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (!strcmp(s, kw[i]))
			return true;
	return false;
}

int ir_fn_add_var(struct arena *a, struct ir_fn *fn, const char *name, int line,
		  int col)
{
	struct var *v;

	if (fn->nvars == fn->capvars) {
		size_t ncap = fn->capvars ? fn->capvars * 2 : 8;
		struct var *nv = arena_alloc(a, ncap * sizeof(*nv));
		if (fn->nvars)
			memcpy(nv, fn->vars, fn->nvars * sizeof(*nv));
		fn->vars = nv;
		fn->capvars = ncap;
	}
	v = &fn->vars[fn->nvars];
	v->name = arena_strdup(a, name);
	/* Leading underscores are reserved for generated temporaries. */
	bool ascii = true;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	if (!ascii) {
		char *r = xasprintf("v_%zu", fn->nvars);
		v->rname = arena_strdup(a, r);
		free(r);
	} else if (name[0] == '_' || is_rust_keyword(name)) {
		char *r = xasprintf("v%s_%zu", name, fn->nvars);
		v->rname = arena_strdup(a, r);
		free(r);
	} else {
		v->rname = v->name;
	}
	v->ty = ty_basic(TY_UNKNOWN);
	v->line = line;
	v->col = col;
	return (int)fn->nvars++;
}

int ir_fn_find_var(const struct ir_fn *fn, const char *name)
{
	for (size_t i = 0; i < fn->nvars; i++)
		if (!fn->vars[i].is_comp && !strcmp(fn->vars[i].name, name))
			return (int)i;
	return -1;
}

const char *binop_str(int op)
{
	static const char *s[] = {"?",	"+",  "-",  "*", "/", "//", "%",
				  "**", "<<", ">>", "&", "|", "^"};
	return op > 0 && op <= OP_BITXOR ? s[op] : "?";
}

const char *cmpop_str(int op)
{
	static const char *s[] = {"?",	"<",  "<=",	">",  ">",     "==",
				  "!=", "in", "not in", "is", "is not"};
	if (op == CMP_GE)
		return ">=";
	return op > 0 && op <= CMP_ISNOT ? s[op] : "?";
}

/* ---- queries shared by the passes ---- */

const char *ty_rust_name(const struct ty *t)
{
	static _Thread_local char slots[8][256];
	static _Thread_local int k;
	struct buf b = BUF_INIT;
	char *s = slots[k++ & 7];

	ty_format_rust(&b, t);
	snprintf(s, 256, "%s", b.data);
	buf_release(&b);
	return s;
}

bool ex_is_call(const struct ex *e, const char *name)
{
	return e->kind == EX_CALL && !e->fn && !strcmp(e->sval, name);
}

bool ex_is_method(const struct ex *e, const char *name)
{
	return e->kind == EX_METHOD && !strcmp(e->sval, name);
}

bool ex_is_var(const struct ex *x, int var)
{
	return x && x->kind == EX_NAME && x->var == var;
}

bool ex_any(const struct ex *x, bool (*pred)(const struct ex *, const void *),
	    const void *ctx)
{
	if (!x)
		return false;
	if (pred(x, ctx))
		return true;
	for (size_t i = 0; i < x->n; i++)
		if (ex_any(x->a[i], pred, ctx))
			return true;
	for (size_t i = 0; i < x->ncomp; i++) {
		const struct ir_comp *c = x->comp[i];
		if (ex_any(c->target, pred, ctx) || ex_any(c->iter, pred, ctx))
			return true;
		for (size_t k = 0; k < c->nconds; k++)
			if (ex_any(c->conds[k], pred, ctx))
				return true;
	}
	return false;
}

/* The code point of a str literal of exactly one, or -1. */
long ex_one_char(const struct ex *x)
{
	const unsigned char *s = (const unsigned char *)x->sval;
	static const unsigned char lead_mask[] = {0x7F, 0x1F, 0x0F, 0x07};
	size_t len;
	long cp;

	if (x->kind != EX_STR || x->slen == 0 || x->slen > 4)
		return -1;
	len = s[0] < 0x80 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (len != x->slen)
		return -1;
	cp = s[0] & lead_mask[len - 1];
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	return cp;
}

/* A str literal holding a code point no Rust char can (a lone
 * surrogate, ED A0..BF in the decoded text). */
bool ex_has_surrogate(const struct ex *lit)
{
	const unsigned char *s = (const unsigned char *)lit->sval;

	for (size_t i = 0; i + 1 < lit->slen; i++)
		if (s[i] == 0xED && s[i + 1] >= 0xA0)
			return true;
	return false;
}

static bool is_name_of(const struct ex *x, const void *v)
{
	return x->kind == EX_NAME && x->var == *(const int *)v;
}

bool ex_mentions(const struct ex *x, int var)
{
	return ex_any(x, is_name_of, &var);
}

bool ex_is_empty_display(const struct ex *x)
{
	return ((x->kind == EX_LIST || x->kind == EX_DICT ||
		 x->kind == EX_SET) &&
		x->n == 0) ||
	       ((ex_is_call(x, "list") || ex_is_call(x, "dict") ||
		 ex_is_call(x, "set")) &&
		x->n == 0);
}

const struct ty *ex_elem_ty(const struct ex *x)
{
	if (ex_is_call(x, "range"))
		return ty_basic(TY_INT);
	if (ex_is_method(x, "keys"))
		return x->a[0]->ty->sub[0];
	if (ex_is_method(x, "values"))
		return x->a[0]->ty->sub[1];
	if (ex_is_call(x, "reversed"))
		return x->a[0]->ty->kind == TY_LIST ? x->a[0]->ty->sub[0]
						    : ty_basic(TY_INT);
	if (x->ty->kind == TY_LIST)
		return x->ty->sub[0];
	if (x->ty->kind == TY_STR)
		return ty_basic(TY_STR);
	if (x->ty->kind == TY_DICT)
		return x->ty->sub[0];
	if (x->ty->kind == TY_TUPLE && x->ty->n)
		return x->ty->sub[0];
	return ty_basic(TY_BAD);
}

static struct ty *pair_ty(struct arena *a, struct ty *x, struct ty *y)
{
	struct ty *t = ty_new(a, TY_TUPLE, 2);

	t->sub[0] = x;
	t->sub[1] = y;
	return t;
}

struct ty *ex_loop_ty(struct arena *a, const struct ex *iter)
{
	const struct ex *src = iter;
	struct ty *t;

	if (ex_is_call(iter, "enumerate")) {
		t = ex_loop_ty(a, iter->a[0]);
		return t ? pair_ty(a, ty_basic(TY_INT), t) : NULL;
	}
	if (ex_is_call(src, "range") ||
	    (ex_is_call(src, "reversed") && ex_is_call(src->a[0], "range")))
		return ty_basic(TY_INT);
	if (ex_is_call(src, "zip")) {
		t = ty_new(a, TY_TUPLE, src->n);
		for (size_t k = 0; k < src->n; k++)
			t->sub[k] = (struct ty *)ex_elem_ty(src->a[k]);
		return t;
	}
	if (ex_is_method(src, "keys") || ex_is_method(src, "values") ||
	    ex_is_method(src, "items") || src->ty->kind == TY_DICT) {
		const struct ty *dt =
		    src->kind == EX_METHOD ? src->a[0]->ty : src->ty;
		if (ex_is_method(src, "values"))
			return dt->sub[1];
		if (ex_is_method(src, "items"))
			return pair_ty(a, dt->sub[0], dt->sub[1]);
		return dt->sub[0];
	}
	if (src->ty->kind == TY_STR)
		return ty_basic(TY_STR);
	if (src->ty->kind == TY_LIST)
		return src->ty->sub[0];
	if (ex_is_call(src, "reversed") && src->a[0]->ty->kind == TY_LIST)
		return src->a[0]->ty->sub[0];
	if (src->ty->kind == TY_TUPLE)
		return src->ty->sub[0];
	return NULL;
}

static bool ex_assigns(const struct ex *t, int var)
{
	if (t->kind == EX_NAME)
		return t->var == var;
	if (t->kind == EX_TUPLE)
		for (size_t i = 0; i < t->n; i++)
			if (ex_assigns(t->a[i], var))
				return true;
	return false;
}

bool block_assigns(const struct block *blk, int var)
{
	for (size_t i = 0; i < blk->n; i++) {
		const struct st *s = blk->v[i];
		for (size_t k = 0; k < s->ntargets; k++)
			if (ex_assigns(s->targets[k], var))
				return true;
		if ((s->kind == ST_AUG || s->kind == ST_FOR) &&
		    ex_assigns(s->target, var))
			return true;
		if (block_assigns(&s->body, var) ||
		    block_assigns(&s->orelse, var))
			return true;
	}
	return false;
}

bool ex_has_comp(const struct ex *x)
{
	if (!x)
		return false;
	if (x->kind == EX_LISTCOMP)
		return true;
	for (size_t i = 0; i < x->n; i++)
		if (ex_has_comp(x->a[i]))
			return true;
	return false;
}

bool block_loops(const struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct st *s = b->v[i];
		if (s->kind == ST_FOR || s->kind == ST_WHILE ||
		    ex_has_comp(s->value) || ex_has_comp(s->cond) ||
		    ex_has_comp(s->iter) || ex_has_comp(s->target) ||
		    block_loops(&s->body) || block_loops(&s->orelse))
			return true;
		for (size_t k = 0; k < s->ntargets; k++)
			if (ex_has_comp(s->targets[k]))
				return true;
	}
	return false;
}

static void dump_ty_suffix(struct buf *b, const struct ex *e)
{
	if (e->ty->kind == TY_UNKNOWN)
		return;
	buf_addch(b, ':');
	ty_format(b, e->ty);
}

void ir_dump_ex(struct buf *b, const struct ir_fn *fn, const struct ex *e)
{
	size_t i;

	if (!e) {
		buf_adds(b, "_");
		return;
	}
	switch (e->kind) {
	case EX_INT:
		buf_addf(b, "%lld", (long long)e->ival);
		break;
	case EX_FLOAT:
		buf_addf(b, "%.17g", e->fval);
		break;
	case EX_BOOL:
		buf_adds(b, e->ival ? "True" : "False");
		break;
	case EX_NONE:
		buf_adds(b, "None");
		break;
	case EX_STR:
		buf_addf(b, "'%s'", e->sval);
		break;
	case EX_NAME:
		buf_adds(b, fn->vars[e->var].name);
		break;
	case EX_BINOP:
		buf_addf(b, "(%s ", binop_str(e->op));
		ir_dump_ex(b, fn, e->a[0]);
		buf_addch(b, ' ');
		ir_dump_ex(b, fn, e->a[1]);
		buf_addch(b, ')');
		break;
	case EX_UNOP:
		buf_addf(b, "(%c ", e->op);
		ir_dump_ex(b, fn, e->a[0]);
		buf_addch(b, ')');
		break;
	case EX_NOT:
	case EX_AND:
	case EX_OR:
	case EX_IFEXP:
	case EX_LIST:
	case EX_TUPLE:
	case EX_DICT:
	case EX_SET:
	case EX_INDEX:
	case EX_SLICE: {
		static const char *names[] = {
		    [EX_NOT] = "not",	  [EX_AND] = "and",
		    [EX_OR] = "or",	  [EX_IFEXP] = "ifexp",
		    [EX_LIST] = "list",	  [EX_TUPLE] = "tuple",
		    [EX_DICT] = "dict",	  [EX_SET] = "set",
		    [EX_INDEX] = "index", [EX_SLICE] = "slice",
		};
		buf_addf(b, "(%s", names[e->kind]);
		for (i = 0; i < e->n; i++) {
			buf_addch(b, ' ');
			ir_dump_ex(b, fn, e->a[i]);
		}
		buf_addch(b, ')');
		break;
	}
	case EX_CMP:
		buf_adds(b, "(cmp ");
		ir_dump_ex(b, fn, e->a[0]);
		for (i = 1; i < e->n; i++) {
			buf_addf(b, " %s ", cmpop_str(e->cmp[i - 1]));
			ir_dump_ex(b, fn, e->a[i]);
		}
		buf_addch(b, ')');
		break;
	case EX_CALL:
	case EX_METHOD:
		buf_addf(b, "(%s %s", e->kind == EX_CALL ? "call" : "method",
			 e->sval);
		for (i = 0; i < e->n; i++) {
			buf_addch(b, ' ');
			ir_dump_ex(b, fn, e->a[i]);
		}
		if (e->kwname)
			buf_addf(b, " %s=", e->kwname);
		buf_addch(b, ')');
		break;
	case EX_LISTCOMP:
		buf_adds(b, "(listcomp ");
		ir_dump_ex(b, fn, e->a[0]);
		for (i = 0; i < e->ncomp; i++) {
			buf_adds(b, " for ");
			ir_dump_ex(b, fn, e->comp[i]->target);
			buf_adds(b, " in ");
			ir_dump_ex(b, fn, e->comp[i]->iter);
			for (size_t k = 0; k < e->comp[i]->nconds; k++) {
				buf_adds(b, " if ");
				ir_dump_ex(b, fn, e->comp[i]->conds[k]);
			}
		}
		buf_addch(b, ')');
		break;
	case EX_FSTR:
	case EX_PCT:
		buf_adds(b, e->kind == EX_FSTR ? "(fstr" : "(pct");
		for (i = 0; i < e->n; i++) {
			buf_addch(b, ' ');
			ir_dump_ex(b, fn, e->a[i]);
		}
		buf_addch(b, ')');
		break;
	case EX_FMT:
		buf_adds(b, "(fmt ");
		ir_dump_ex(b, fn, e->a[0]);
		if (e->op)
			buf_addf(b, " !%c", e->op);
		if (e->slen)
			buf_addf(b, " :%.*s", (int)e->slen, e->sval);
		buf_addch(b, ')');
		break;
	}
	dump_ty_suffix(b, e);
}

static void dump_block(struct buf *b, const struct ir_fn *fn,
		       const struct block *blk, int depth);

/* A translated function's plan (plan.c) for one statement, if any. */
static void dump_st_plan(struct buf *b, const struct st *s)
{
	static const char *const shapes[] = {
	    [SHAPE_OUT_NEW] = " out_new",
	    [SHAPE_STR_APPEND] = " str_append",
	    [SHAPE_STR_INDEX_INTO] = " str_index_into",
	    [SHAPE_STR_SLICE_INTO] = " str_slice_into",
	    [SHAPE_STR_CASE_INTO] = " str_case_into",
	    [SHAPE_TUPLE_INTO] = " tuple_into",
	    [SHAPE_JAM] = " jam",
	};
	size_t at = b->len;

	buf_adds(b, "  [plan:");
	if (s->shape != SHAPE_PLAIN)
		buf_adds(b, shapes[s->shape]);
	if (s->room)
		buf_adds(b, " room");
	if (s->is_short)
		buf_adds(b, " short");
	if (b->len == at + strlen("  [plan:"))
		buf_truncate(b, at);
	else
		buf_addch(b, ']');
}

static bool is_view(const struct var *v)
{
	return v->is_view;
}
static bool is_dictview(const struct var *v)
{
	return v->is_dictview;
}
static bool is_strix(const struct var *v)
{
	return v->is_strix;
}

/* " label=a,b": the parameters pred holds for, or nothing. */
static void dump_params(struct buf *b, const struct ir_fn *fn,
			const char *label, bool (*pred)(const struct var *))
{
	const char *sep = label;

	for (size_t i = 0; i < fn->nparams; i++) {
		const struct var *v = &fn->vars[fn->params[i].var];
		if (pred(v)) {
			buf_addf(b, "%s%s", sep, v->name);
			sep = ",";
		}
	}
}

/* A translated function's plan (plan.c) for the whole function. */
static void dump_fn_plan(struct buf *b, const struct ir_fn *fn)
{
	buf_adds(b, "  plan:");
	if (fn->out_var >= 0)
		buf_addf(b, " out=%s", fn->vars[fn->out_var].name);
	dump_params(b, fn, " view=", is_view);
	dump_params(b, fn, " dictview=", is_dictview);
	dump_params(b, fn, " strix=", is_strix);
	if (fn->detach)
		buf_adds(b, " detach");
	if (fn->has_ticks)
		buf_adds(b, " ticks");
	buf_addch(b, '\n');
}

static void dump_st(struct buf *b, const struct ir_fn *fn, const struct st *s,
		    int depth)
{
	static const char *names[] = {
	    [ST_EXPR] = "expr",	    [ST_ASSIGN] = "assign",
	    [ST_AUG] = "aug",	    [ST_IF] = "if",
	    [ST_WHILE] = "while",   [ST_FOR] = "for",
	    [ST_BREAK] = "break",   [ST_CONTINUE] = "continue",
	    [ST_RETURN] = "return", [ST_PASS] = "pass",
	    [ST_ASSERT] = "assert", [ST_RAISE] = "raise",
	    [ST_DEL] = "del",
	};

	buf_addf(b, "%*s%d: %s", depth * 2, "", s->line, names[s->kind]);
	for (size_t i = 0; i < s->ntargets; i++) {
		buf_addch(b, ' ');
		ir_dump_ex(b, fn, s->targets[i]);
	}
	if (s->target) {
		buf_addch(b, ' ');
		ir_dump_ex(b, fn, s->target);
	}
	if (s->kind == ST_AUG)
		buf_addf(b, " %s=", binop_str(s->op));
	if (s->iter) {
		buf_adds(b, " in ");
		ir_dump_ex(b, fn, s->iter);
	}
	if (s->cond) {
		buf_addch(b, ' ');
		ir_dump_ex(b, fn, s->cond);
	}
	if (s->value) {
		buf_addch(b, ' ');
		ir_dump_ex(b, fn, s->value);
	}
	if (fn->is_ok)
		dump_st_plan(b, s);
	buf_addch(b, '\n');
	dump_block(b, fn, &s->body, depth + 1);
	if (s->orelse.n) {
		buf_addf(b, "%*selse\n", depth * 2, "");
		dump_block(b, fn, &s->orelse, depth + 1);
	}
}

static void dump_block(struct buf *b, const struct ir_fn *fn,
		       const struct block *blk, int depth)
{
	for (size_t i = 0; i < blk->n; i++)
		dump_st(b, fn, blk->v[i], depth);
}

void ir_dump_fn(struct buf *b, const struct ir_fn *fn)
{
	buf_addf(b, "def %s(", fn->name);
	for (size_t i = 0; i < fn->nparams; i++) {
		const struct var *v = &fn->vars[fn->params[i].var];
		if (i)
			buf_adds(b, ", ");
		buf_addf(b, "%s: ", v->name);
		ty_format(b, v->ty);
	}
	buf_adds(b, ") -> ");
	ty_format(b, fn->ret ? fn->ret : ty_basic(TY_UNKNOWN));
	buf_addch(b, '\n');
	for (size_t i = 0; i < fn->nvars; i++) {
		if (fn->vars[i].is_param)
			continue;
		buf_addf(b, "  var %s: ", fn->vars[i].name);
		ty_format(b, fn->vars[i].ty);
		buf_addch(b, '\n');
	}
	if (fn->is_ok)
		dump_fn_plan(b, fn);
	dump_block(b, fn, &fn->body, 1);
}

/* ---- format specs (f-strings, %-formatting) ---- */

static bool is_align(char c)
{
	return c == '<' || c == '>' || c == '^' || c == '=';
}

static const char *read_num(const char *s, size_t n, size_t *i, long *out)
{
	long v = 0;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		if (v > 1000)
			return "a width or precision above 1000";
		(*i)++;
	}
	*out = v;
	return NULL;
}

const char *fmt_spec_parse(const char *s, size_t n, struct fmt_spec *sp)
{
	size_t i = 0;
	const char *err;

	memset(sp, 0, sizeof(*sp));
	sp->fill = ' ';
	sp->prec = -1;
	if (n >= 2 && is_align(s[1])) {
		if ((unsigned char)s[0] >= 0x80)
			return "a non-ASCII fill character";
		sp->fill = (unsigned char)s[0];
		sp->has_fill = true;
		sp->align = s[1];
		i = 2;
	} else if (n >= 1 && is_align(s[0])) {
		sp->align = s[0];
		i = 1;
	} else if (n >= 1 && (unsigned char)s[0] >= 0x80) {
		return "a non-ASCII fill character";
	}
	if (i < n && (s[i] == '+' || s[i] == '-' || s[i] == ' '))
		sp->sign = s[i++];
	if (i < n && (s[i] == 'z' || s[i] == '#'))
		return "the 'z' and '#' options";
	if (i < n && s[i] == '0') {
		sp->zero = true;
		i++;
	}
	if ((err = read_num(s, n, &i, &sp->width)))
		return err;
	if (i < n && (s[i] == ',' || s[i] == '_'))
		sp->group = s[i++];
	if (i < n && (s[i] == ',' || s[i] == '_'))
		return "two grouping options";
	if (i < n && s[i] == '.') {
		size_t at = ++i;
		if ((err = read_num(s, n, &i, &sp->prec)))
			return err;
		if (i == at)
			return "a precision without digits";
	}
	if (i < n)
		sp->type = s[i++];
	if (i < n)
		return "an unknown format spec";
	return NULL;
}

int pct_next(const char *s, size_t n, size_t *pos, struct buf *lit,
	     struct pct_dir *d, const char **err)
{
	size_t i = *pos;

	memset(d, 0, sizeof(*d));
	d->spec.fill = ' ';
	d->spec.prec = -1;
	for (;;) {
		if (i >= n) {
			*pos = i;
			return 0;
		}
		if (s[i] != '%') {
			buf_addch(lit, s[i++]);
			continue;
		}
		if (i + 1 < n && s[i + 1] == '%') {
			buf_addch(lit, '%');
			i += 2;
			continue;
		}
		break;
	}
	i++;
	if (i < n && s[i] == '(') {
		*err = "%(name) mapping keys";
		return -1;
	}
	for (; i < n; i++) {
		if (s[i] == '-')
			d->minus = true;
		else if (s[i] == '+')
			d->plus = true;
		else if (s[i] == ' ')
			d->space = true;
		else if (s[i] == '0')
			d->zero = true;
		else if (s[i] == '#') {
			*err = "the '#' flag";
			return -1;
		} else
			break;
	}
	if (i < n && s[i] == '*') {
		*err = "a '*' width or precision";
		return -1;
	}
	if ((*err = read_num(s, n, &i, &d->spec.width)))
		return -1;
	if (i < n && s[i] == '.') {
		i++;
		if (i < n && s[i] == '*') {
			*err = "a '*' width or precision";
			return -1;
		}
		if ((*err = read_num(s, n, &i, &d->spec.prec)))
			return -1;
	}
	if (i < n && (s[i] == 'l' || s[i] == 'h' || s[i] == 'L'))
		i++;
	if (i >= n) {
		*err = "an incomplete format (ValueError)";
		return -1;
	}
	d->conv = s[i++];
	/* printf flags as a spec: '-' left-aligns (and wins over '0'), '0'
	 * pads numbers after their sign, '+' beats ' '. */
	d->spec.align = d->minus ? '<' : d->zero ? '=' : '>';
	d->spec.fill = d->zero && !d->minus ? '0' : ' ';
	d->spec.has_fill = true;
	d->spec.sign = d->plus ? '+' : d->space ? ' ' : 0;
	*pos = i;
	return 1;
}

void ir_fn_add_dep(struct arena *a, struct ir_fn *fn, enum gdep_kind kind,
		   const char *name, const char *module, const char *attr,
		   const struct ex *lit, int line)
{
	struct gdep *d;

	for (size_t i = 0; i < fn->ndeps; i++)
		if (fn->deps[i].kind == kind && !strcmp(fn->deps[i].name, name) &&
		    (!attr || (fn->deps[i].attr &&
			       !strcmp(fn->deps[i].attr, attr))))
			return;
	if (fn->ndeps == fn->capdeps) {
		size_t cap = fn->capdeps ? fn->capdeps * 2 : 8;
		struct gdep *nv = arena_alloc(a, cap * sizeof(*nv));
		if (fn->ndeps)
			memcpy(nv, fn->deps, fn->ndeps * sizeof(*nv));
		fn->deps = nv;
		fn->capdeps = cap;
	}
	d = &fn->deps[fn->ndeps++];
	d->kind = kind;
	d->name = arena_strdup(a, name);
	d->module = module ? arena_strdup(a, module) : NULL;
	d->attr = attr ? arena_strdup(a, attr) : NULL;
	d->lit = lit;
	d->line = line;
}
