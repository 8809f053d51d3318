/*
 * lower.c - tree-sitter-python syntax tree -> IR (ir.h).
 *
 * Owns the mapping from Python syntax to IR nodes and the scoping rules
 * (locals are the names bound anywhere in a function; comprehension
 * variables have their own scope; module globals are inlined only when
 * bound once to a literal). Anything outside the supported subset stops
 * the function with a reason carrying the line:column of the construct.
 * Types are not looked at here (types.c).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tree_sitter/api.h>

#include "ir.h"

const TSLanguage *tree_sitter_python(void);

struct scope_ent {
	const char *name;
	int var;
};

struct lower {
	struct ir_module *m;
	struct arena *a;
	const char *src;
	size_t len;
	struct ir_fn *fn;
	/* Names bound anywhere in the current function. */
	char **locals;
	size_t nlocals, caplocals;
	struct scope_ent *scope; /* comprehension variables, innermost last */
	size_t nscope, capscope;
	int ncomp;
	int loop_depth;
	/* a set constant may be read here: the right side of in/not in */
	bool set_ok;
	int set_reads; /* set constants read so far */
};

#define NODE_LINE(n) ((int)ts_node_start_point(n).row + 1)
#define NODE_COL(n)  ((int)ts_node_start_point(n).column + 1)

static int lower_fail(struct lower *L, TSNode n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int lower_fail(struct lower *L, TSNode n, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	ir_fn_fail(L->fn, NODE_LINE(n), NODE_COL(n), "%s", b.data);
	buf_release(&b);
	return -1;
}

static const char *node_type(TSNode n)
{
	return ts_node_type(n);
}

static bool node_is(TSNode n, const char *type)
{
	return !ts_node_is_null(n) && !strcmp(ts_node_type(n), type);
}

static char *node_text(struct lower *L, TSNode n)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

	if (e > L->len)
		e = (uint32_t)L->len;
	if (s > e)
		s = e;
	return arena_strndup(L->a, L->src + s, e - s);
}

static TSNode field(TSNode n, const char *name)
{
	return ts_node_child_by_field_name(n, name, (uint32_t)strlen(name));
}

/* Named children without comments. */
static uint32_t named_count(TSNode n)
{
	uint32_t c = 0;

	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
		if (!node_is(ts_node_named_child(n, i), "comment"))
			c++;
	return c;
}

static TSNode named_at(TSNode n, uint32_t k)
{
	uint32_t c = 0;

	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
		TSNode ch = ts_node_named_child(n, i);
		if (node_is(ch, "comment"))
			continue;
		if (c++ == k)
			return ch;
	}
	return ts_node_named_child(n, 1u << 30); /* null node */
}

/* ---- module-level names ---- */

static bool name_in(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void add_name(struct arena *a, char ***v, size_t *n, size_t *cap,
		     const char *s)
{
	if (!name_in(*v, *n, s))
		arena_push(a, (void ***)v, n, cap, arena_strdup(a, s));
}

static bool is_literal_node(TSNode n)
{
	const char *t = node_type(n);

	if (!strcmp(t, "unary_operator")) {
		TSNode arg = field(n, "argument");
		return node_is(arg, "integer") || node_is(arg, "float");
	}
	return !strcmp(t, "integer") || !strcmp(t, "float") ||
	       !strcmp(t, "true") || !strcmp(t, "false") ||
	       !strcmp(t, "none") || !strcmp(t, "string");
}

/* {"if", "else"} or {1, 2}: a set display of str literals or of int
 * literals, which a module constant may be (read only by in/not in,
 * guarded on its content at each call: sets are mutable). */
static bool is_set_literal_node(TSNode n)
{
	uint32_t nk = ts_node_named_child_count(n);
	bool strs = false, ints = false;

	if (!node_is(n, "set") || nk == 0)
		return false;
	for (uint32_t i = 0; i < nk; i++) {
		TSNode k = ts_node_named_child(n, i);
		if (node_is(k, "string"))
			strs = true;
		else if (node_is(k, "integer") ||
			 (node_is(k, "unary_operator") &&
			  node_is(field(k, "argument"), "integer")))
			ints = true;
		else if (!node_is(k, "comment"))
			return false;
	}
	return strs != ints;
}

/* A lowered set display whose items are all str literals or all int
 * literals (not a negation left unfolded, not an f-string). */
static bool set_of_literals(const struct ex *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->a[i]->kind != v->a[0]->kind ||
		    (v->a[i]->kind != EX_STR && v->a[i]->kind != EX_INT))
			return false;
	return v->n > 0;
}

/* Collects identifiers bound by a pattern (a, (b, c), d[i] binds nothing). */
static void pattern_names(struct lower *L, TSNode n, char ***v, size_t *cnt,
			  size_t *cap)
{
	const char *t = node_type(n);

	if (!strcmp(t, "identifier")) {
		add_name(L->a, v, cnt, cap, node_text(L, n));
		return;
	}
	if (!strcmp(t, "pattern_list") || !strcmp(t, "tuple_pattern") ||
	    !strcmp(t, "list_pattern") || !strcmp(t, "tuple") ||
	    !strcmp(t, "list") || !strcmp(t, "parenthesized_expression") ||
	    !strcmp(t, "list_splat_pattern")) {
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
			pattern_names(L, ts_node_named_child(n, i), v, cnt,
				      cap);
	}
}

struct binding_count {
	char **names;
	size_t n, cap;
	int *counts;
	size_t ncounts;
};

static void count_binding(struct lower *L, struct binding_count *bc,
			  const char *name)
{
	for (size_t i = 0; i < bc->n; i++) {
		if (!strcmp(bc->names[i], name)) {
			bc->counts[i]++;
			return;
		}
	}
	arena_push(L->a, (void ***)&bc->names, &bc->n, &bc->cap,
		   arena_strdup(L->a, name));
	if (bc->n > bc->ncounts) {
		size_t nc = bc->cap;
		int *c = arena_alloc(L->a, nc * sizeof(int));
		if (bc->ncounts)
			memcpy(c, bc->counts, bc->ncounts * sizeof(int));
		bc->counts = c;
		bc->ncounts = nc;
	}
	bc->counts[bc->n - 1] = 1;
}

/* Walks module-level code (not function or class bodies) counting every
 * binding of every name. */
static void module_bindings(struct lower *L, TSNode n, struct binding_count *bc)
{
	const char *t = node_type(n);
	char **names = NULL;
	size_t nn = 0, cap = 0;

	if (!strcmp(t, "function_definition") ||
	    !strcmp(t, "class_definition")) {
		TSNode nm = field(n, "name");
		if (!ts_node_is_null(nm))
			count_binding(L, bc, node_text(L, nm));
		return;
	}
	if (!strcmp(t, "assignment") || !strcmp(t, "augmented_assignment") ||
	    !strcmp(t, "for_statement")) {
		pattern_names(L, field(n, "left"), &names, &nn, &cap);
		for (size_t i = 0; i < nn; i++)
			count_binding(L, bc, names[i]);
		if (!strcmp(t, "augmented_assignment"))
			for (size_t i = 0; i < nn; i++)
				count_binding(L, bc, names[i]);
	}
	if (!strcmp(t, "global_statement")) {
		/* Rebound from inside a function: never a constant. */
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
			TSNode id = ts_node_named_child(n, i);
			count_binding(L, bc, node_text(L, id));
			count_binding(L, bc, node_text(L, id));
		}
	}
	if (!strcmp(t, "lambda") || !strcmp(t, "list_comprehension") ||
	    !strcmp(t, "generator_expression"))
		return;
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
		module_bindings(L, ts_node_named_child(n, i), bc);
	}
}

/* global statements inside functions also rebind module names. */
static void global_statements(struct lower *L, TSNode n,
			      struct binding_count *bc)
{
	if (node_is(n, "global_statement")) {
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
			TSNode id = ts_node_named_child(n, i);
			count_binding(L, bc, node_text(L, id));
			count_binding(L, bc, node_text(L, id));
		}
		return;
	}
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
		global_statements(L, ts_node_named_child(n, i), bc);
}

/* ---- literals ---- */

static int parse_int_text(const char *text, int64_t *out)
{
	char clean[128];
	size_t k = 0;
	int base = 10;
	const char *p = text;
	unsigned long long v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	for (; *p; p++) {
		if (*p == '_')
			continue;
		if (k + 1 >= sizeof(clean))
			return -1;
		clean[k++] = *p;
	}
	clean[k] = '\0';
	if (!k)
		return -1;
	for (size_t i = 0; i < k; i++) {
		int d;
		char c = clean[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (9223372036854775807ULL - (unsigned)d) / (unsigned)base)
			return -2;
		v = v * (unsigned)base + (unsigned)d;
	}
	*out = (int64_t)v;
	return 0;
}

static void utf8_put(struct buf *b, unsigned long cp)
{
	if (cp < 0x80) {
		buf_addch(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addch(b, (char)(0xC0 | (cp >> 6)));
		buf_addch(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_addch(b, (char)(0xE0 | (cp >> 12)));
		buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addch(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_addch(b, (char)(0xF0 | (cp >> 18)));
		buf_addch(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addch(b, (char)(0x80 | (cp & 0x3F)));
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the text of a literal between its quotes (escapes unless raw;
 * in f-string text also {{ and }}) into UTF-8. */
static int decode_body(struct lower *L, TSNode n, const char *s, size_t end,
		       bool raw, bool fbraces, struct buf *out)
{
	size_t i = 0;

	while (i < end) {
		char c = s[i];
		if (fbraces && (c == '{' || c == '}') && i + 1 < end &&
		    s[i + 1] == c) {
			buf_addch(out, c);
			i += 2;
			continue;
		}
		if (c != '\\' || raw) {
			buf_addch(out, c);
			i++;
			continue;
		}
		if (i + 1 >= end)
			return lower_fail(L, n, "malformed escape");
		c = s[i + 1];
		i += 2;
		switch (c) {
		case '\n':
			break;
		case '\\':
		case '\'':
		case '"':
			buf_addch(out, c);
			break;
		case 'n':
			buf_addch(out, '\n');
			break;
		case 't':
			buf_addch(out, '\t');
			break;
		case 'r':
			buf_addch(out, '\r');
			break;
		case 'a':
			buf_addch(out, '\a');
			break;
		case 'b':
			buf_addch(out, '\b');
			break;
		case 'f':
			buf_addch(out, '\f');
			break;
		case 'v':
			buf_addch(out, '\v');
			break;
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7': {
			unsigned long v = (unsigned long)(c - '0');
			for (int k = 0;
			     k < 2 && i < end && s[i] >= '0' && s[i] <= '7';
			     k++)
				v = v * 8 + (unsigned long)(s[i++] - '0');
			utf8_put(out, v);
			break;
		}
		case 'x':
		case 'u':
		case 'U': {
			int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			unsigned long v = 0;
			if (i + (size_t)digits > end)
				return lower_fail(L, n, "malformed escape");
			for (int k = 0; k < digits; k++) {
				int h = hexval(s[i++]);
				if (h < 0)
					return lower_fail(L, n,
							  "malformed escape");
				v = v * 16 + (unsigned long)h;
			}
			if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
				return lower_fail(
				    L, n, "surrogate or out-of-range escape");
			utf8_put(out, v);
			break;
		}
		default:
			/* \N{...} and unknown escapes */
			if (c == 'N')
				return lower_fail(
				    L, n, "\\N{} escapes are not supported");
			buf_addch(out, '\\');
			buf_addch(out, c);
			break;
		}
	}
	return 0;
}

/* Decodes one string literal (no f/b prefixes) into UTF-8. */
static int decode_string(struct lower *L, TSNode n, struct buf *out)
{
	const char *s = L->src + ts_node_start_byte(n);
	size_t len = ts_node_end_byte(n) - ts_node_start_byte(n);
	size_t i = 0, q, end;
	bool raw = false;
	char quote;

	if (ts_node_end_byte(n) > L->len)
		return lower_fail(L, n, "truncated string literal");
	while (i < len && s[i] != '\'' && s[i] != '"') {
		char c = s[i];
		if (c == 'r' || c == 'R')
			raw = true;
		else if (c == 'f' || c == 'F')
			return lower_fail(L, n, "f-strings are not supported");
		else if (c == 'b' || c == 'B')
			return lower_fail(L, n,
					  "bytes literals are not supported");
		else if (c != 'u' && c != 'U')
			return lower_fail(L, n, "unknown string prefix");
		i++;
	}
	if (i >= len)
		return lower_fail(L, n, "malformed string literal");
	quote = s[i];
	q = (i + 2 < len && s[i + 1] == quote && s[i + 2] == quote) ? 3 : 1;
	i += q;
	if (len < i + q)
		return lower_fail(L, n, "malformed string literal");
	end = len - q;
	return decode_body(L, n, s + i, end - i, raw, false, out);
}

/* ---- expressions ---- */

static struct ex *lower_ex(struct lower *L, TSNode n);

static struct ex *lit_copy(struct lower *L, const struct ex *src, TSNode at)
{
	struct ex *e = ex_new(L->a, src->kind, NODE_LINE(at), NODE_COL(at));

	e->ival = src->ival;
	e->fval = src->fval;
	e->sval = src->sval;
	e->slen = src->slen;
	if (src->kind == EX_SET) {
		e->a = arena_alloc(L->a, src->n * sizeof(*e->a));
		for (size_t i = 0; i < src->n; i++)
			e->a[i] = lit_copy(L, src->a[i], at);
		e->n = src->n;
	}
	return e;
}

static int scope_find(struct lower *L, const char *name)
{
	for (size_t i = L->nscope; i-- > 0;)
		if (!strcmp(L->scope[i].name, name))
			return L->scope[i].var;
	return -1;
}

static bool is_local(struct lower *L, const char *name)
{
	return name_in(L->locals, L->nlocals, name);
}

static const char *math_alias(struct lower *L, const char *local)
{
	for (size_t i = 0; i < L->m->nmathf; i++)
		if (!strcmp(L->m->math_locals[i], local))
			return L->m->math_funcs[i];
	return NULL;
}

static struct ex *math_constant(struct lower *L, const char *name, TSNode at)
{
	struct ex *e = ex_new(L->a, EX_FLOAT, NODE_LINE(at), NODE_COL(at));

	if (!strcmp(name, "pi"))
		e->fval = 3.141592653589793;
	else if (!strcmp(name, "e"))
		e->fval = 2.718281828459045;
	else if (!strcmp(name, "tau"))
		e->fval = 6.283185307179586;
	else if (!strcmp(name, "inf"))
		e->fval = INFINITY;
	else if (!strcmp(name, "nan"))
		e->fval = NAN;
	else
		return NULL;
	return e;
}

static struct ex *lower_name(struct lower *L, TSNode n)
{
	char *name = node_text(L, n);
	struct ex *e;
	int v = scope_find(L, name);
	const char *mf;

	if (v < 0 && is_local(L, name)) {
		v = ir_fn_find_var(L->fn, name);
		if (v < 0)
			v = ir_fn_add_var(L->a, L->fn, name, NODE_LINE(n),
					  NODE_COL(n));
	}
	if (v >= 0) {
		e = ex_new(L->a, EX_NAME, NODE_LINE(n), NODE_COL(n));
		e->var = v;
		return e;
	}
	for (size_t i = 0; i < L->m->nconsts; i++)
		if (!strcmp(L->m->consts[i].name, name)) {
			const struct ex *cv = L->m->consts[i].value;
			if (cv->kind == EX_SET && !L->set_ok) {
				lower_fail(L, n,
					   "reads module global set '%s' other "
					   "than as the right side of 'in'",
					   name);
				return NULL;
			}
			if (cv->kind == EX_SET)
				L->set_reads++;
			ir_fn_add_dep(L->a, L->fn,
				      cv->kind == EX_SET ? GDEP_SETCONST
							 : GDEP_CONST,
				      name, NULL, NULL, cv, 0);
			return lit_copy(L, L->m->consts[i].value, n);
		}
	mf = math_alias(L, name);
	if (mf) {
		e = math_constant(L, mf, n);
		if (e) {
			ir_fn_add_dep(L->a, L->fn, GDEP_ALIAS, name, "math",
				      mf, NULL, 0);
			return e;
		}
	}
	if (ir_module_find(L->m, name)) {
		lower_fail(L, n, "function '%s' used as a value", name);
		return NULL;
	}
	if (name_in(L->m->globals_bad, L->m->nbad, name) ||
	    name_in(L->m->math_names, L->m->nmath, name)) {
		lower_fail(L, n,
			   "reads module global '%s', which is not a "
			   "constant bound once to a literal",
			   name);
		return NULL;
	}
	lower_fail(L, n, "name '%s' is not supported here", name);
	return NULL;
}

static int op_from_text(const char *t)
{
	static const struct {
		const char *s;
		int op;
	} ops[] = {
	    {"+", OP_ADD},    {"-", OP_SUB},	   {"*", OP_MUL},
	    {"/", OP_DIV},    {"//", OP_FLOORDIV}, {"%", OP_MOD},
	    {"**", OP_POW},   {"<<", OP_LSHIFT},   {">>", OP_RSHIFT},
	    {"&", OP_BITAND}, {"|", OP_BITOR},	   {"^", OP_BITXOR},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].s, t))
			return ops[i].op;
	return 0;
}

static int cmp_from_text(const char *t)
{
	static const struct {
		const char *s;
		int op;
	} ops[] = {
	    {"<", CMP_LT},	   {"<=", CMP_LE},	  {">", CMP_GT},
	    {">=", CMP_GE},	   {"==", CMP_EQ},	  {"!=", CMP_NE},
	    {"in", CMP_IN},	   {"not in", CMP_NOTIN}, {"is", CMP_IS},
	    {"is not", CMP_ISNOT},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].s, t))
			return ops[i].op;
	return 0;
}

static struct ex *lower_children(struct lower *L, TSNode n, enum ex_kind kind)
{
	struct ex *e = ex_new(L->a, kind, NODE_LINE(n), NODE_COL(n));
	size_t cap = 0;

	for (uint32_t i = 0; i < named_count(n); i++) {
		TSNode ch = named_at(n, i);
		struct ex *c;
		if (node_is(ch, "list_splat") ||
		    node_is(ch, "dictionary_splat")) {
			lower_fail(L, ch,
				   "unpacking in displays is not supported");
			return NULL;
		}
		c = lower_ex(L, ch);
		if (!c)
			return NULL;
		ex_push(L->a, e, c, &cap);
	}
	return e;
}

static struct ex *lower_target(struct lower *L, TSNode n);

/* "for target in iter if cond" clauses of a comprehension. The targets get
 * fresh variables visible only inside it, as in Python 3. */
static struct ex *lower_comprehension(struct lower *L, TSNode n)
{
	struct ex *e = ex_new(L->a, EX_LISTCOMP, NODE_LINE(n), NODE_COL(n));
	size_t saved = L->nscope, cap = 0, capc = 0;
	struct ir_comp *cur = NULL;
	struct ex *body;
	TSNode body_node = field(n, "body");

	for (uint32_t i = 0; i < named_count(n); i++) {
		TSNode ch = named_at(n, i);
		if (node_is(ch, "for_in_clause")) {
			TSNode left = field(ch, "left"),
			       right = field(ch, "right");
			char **names = NULL;
			size_t nn = 0, capn = 0;
			cur = arena_alloc(L->a, sizeof(*cur));
			if (ts_node_child_count(ch) > 0 &&
			    node_is(ts_node_child(ch, 0), "async")) {
				lower_fail(
				    L, ch,
				    "async comprehensions are not supported");
				goto fail;
			}
			/* The first iterable is evaluated in the enclosing
			 * scope, later ones see earlier targets: both hold here
			 * since we lower in order. */
			cur->iter = lower_ex(L, right);
			if (!cur->iter)
				goto fail;
			pattern_names(L, left, &names, &nn, &capn);
			for (size_t k = 0; k < nn; k++) {
				struct scope_ent se;
				char *rn;
				se.name = names[k];
				se.var = ir_fn_add_var(L->a, L->fn, names[k],
						       NODE_LINE(left),
						       NODE_COL(left));
				L->fn->vars[se.var].is_comp = true;
				rn = xasprintf("%s_c%d", names[k], L->ncomp);
				L->fn->vars[se.var].rname =
				    arena_strdup(L->a, rn);
				free(rn);
				if (L->nscope == L->capscope) {
					size_t nc =
					    L->capscope ? L->capscope * 2 : 8;
					struct scope_ent *ns =
					    arena_alloc(L->a, nc * sizeof(*ns));
					if (L->nscope)
						memcpy(ns, L->scope,
						       L->nscope * sizeof(*ns));
					L->scope = ns;
					L->capscope = nc;
				}
				L->scope[L->nscope++] = se;
			}
			L->ncomp++;
			cur->target = lower_target(L, left);
			if (!cur->target)
				goto fail;
			arena_push(L->a, (void ***)&e->comp, &e->ncomp, &capc,
				   cur);
		} else if (node_is(ch, "if_clause")) {
			struct ex *c;
			size_t capk = cur ? cur->nconds : 0;
			if (!cur) {
				lower_fail(L, ch, "malformed comprehension");
				goto fail;
			}
			c = lower_ex(L, named_at(ch, 0));
			if (!c)
				goto fail;
			capk = cur->nconds;
			{
				struct ex **nv = arena_alloc(
				    L->a, (cur->nconds + 1) * sizeof(*nv));
				if (cur->nconds)
					memcpy(nv, cur->conds,
					       cur->nconds * sizeof(*nv));
				nv[capk] = c;
				cur->conds = nv;
				cur->nconds++;
			}
		}
	}
	if (!e->ncomp) {
		lower_fail(L, n, "malformed comprehension");
		goto fail;
	}
	body = lower_ex(L, body_node);
	if (!body)
		goto fail;
	ex_push(L->a, e, body, &cap);
	L->nscope = saved;
	return e;
fail:
	L->nscope = saved;
	return NULL;
}

static const char *builtin_names[] = {
    "len",   "abs",   "min",  "max", "sum",   "range",	"enumerate",  "zip",
    "int",   "float", "bool", "str", "round", "sorted", "reversed",   "list",
    "tuple", "dict",  "set",  "any", "all",   "divmod", "isinstance",
};

static bool is_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin_names) / sizeof(*builtin_names);
	     i++)
		if (!strcmp(builtin_names[i], name))
			return true;
	return false;
}

static struct ex *lower_call(struct lower *L, TSNode n)
{
	TSNode fnode = field(n, "function");
	TSNode args = field(n, "arguments");
	struct ex *e = ex_new(L->a, EX_CALL, NODE_LINE(n), NODE_COL(n));
	size_t cap = 0;

	if (node_is(fnode, "identifier")) {
		char *name = node_text(L, fnode);
		const char *mf = math_alias(L, name);
		struct ir_fn *callee;
		if (scope_find(L, name) >= 0 || is_local(L, name)) {
			lower_fail(L, fnode, "call of local variable '%s'",
				   name);
			return NULL;
		}
		callee = ir_module_find(L->m, name);
		if (mf) {
			char *s = xasprintf("math.%s", mf);
			e->sval = arena_strdup(L->a, s);
			free(s);
			ir_fn_add_dep(L->a, L->fn, GDEP_ALIAS, name, "math", mf,
				      NULL, 0);
		} else if (callee &&
			   !name_in(L->m->globals_bad, L->m->nbad, name)) {
			e->fn = callee;
			e->sval = name;
			ir_fn_add_dep(L->a, L->fn, GDEP_FN, name, NULL, NULL,
				      NULL, callee->line);
		} else if (is_builtin(name) &&
			   !name_in(L->m->globals_bad, L->m->nbad, name)) {
			e->sval = name;
			ir_fn_add_dep(L->a, L->fn, GDEP_BUILTIN, name, NULL,
				      NULL, NULL, 0);
		} else {
			lower_fail(L, fnode,
				   "call to '%s', which is neither a "
				   "translated function of this module nor a "
				   "supported builtin",
				   name);
			return NULL;
		}
	} else if (node_is(fnode, "attribute")) {
		TSNode obj = field(fnode, "object");
		char *attr = node_text(L, field(fnode, "attribute"));
		if (node_is(obj, "identifier") &&
		    name_in(L->m->math_names, L->m->nmath, node_text(L, obj)) &&
		    !is_local(L, node_text(L, obj)) &&
		    scope_find(L, node_text(L, obj)) < 0) {
			char *s = xasprintf("math.%s", attr);
			e->sval = arena_strdup(L->a, s);
			free(s);
			ir_fn_add_dep(L->a, L->fn, GDEP_MODATTR,
				      node_text(L, obj), "math", attr, NULL, 0);
		} else {
			struct ex *recv = lower_ex(L, obj);
			if (!recv)
				return NULL;
			e->kind = EX_METHOD;
			e->sval = attr;
			ex_push(L->a, e, recv, &cap);
		}
	} else {
		lower_fail(L, fnode,
			   "call of a computed callee is not supported");
		return NULL;
	}
	if (node_is(args, "generator_expression")) {
		struct ex *g = lower_comprehension(L, args);
		if (!g)
			return NULL;
		ex_push(L->a, e, g, &cap);
		return e;
	}
	for (uint32_t i = 0; i < named_count(args); i++) {
		TSNode ch = named_at(args, i);
		struct ex *c;
		if (node_is(ch, "list_splat") ||
		    node_is(ch, "dictionary_splat")) {
			lower_fail(L, ch,
				   "*args/**kwargs in calls are not supported");
			return NULL;
		}
		if (node_is(ch, "keyword_argument")) {
			char *kw = node_text(L, field(ch, "name"));
			if (e->kwname || !(e->fn || !strcmp(e->sval, "sum") ||
					   !strcmp(e->sval, "sorted") ||
					   !strcmp(e->sval, "enumerate"))) {
				lower_fail(L, ch,
					   "keyword argument '%s' is not "
					   "supported here",
					   kw);
				return NULL;
			}
			if (e->fn) {
				lower_fail(L, ch,
					   "keyword arguments in calls "
					   "between translated functions are "
					   "not supported");
				return NULL;
			}
			e->kwname = kw;
			c = lower_ex(L, field(ch, "value"));
		} else {
			if (e->kwname) {
				lower_fail(L, ch,
					   "positional argument after keyword");
				return NULL;
			}
			c = lower_ex(L, ch);
		}
		if (!c)
			return NULL;
		ex_push(L->a, e, c, &cap);
	}
	return e;
}

static struct ex *lower_slice(struct lower *L, TSNode obj_node, TSNode sl,
			      TSNode at)
{
	struct ex *e = ex_new(L->a, EX_SLICE, NODE_LINE(at), NODE_COL(at));
	struct ex *parts[3] = {NULL, NULL, NULL};
	struct ex *obj = lower_ex(L, obj_node);
	int k = 0;

	if (!obj)
		return NULL;
	for (uint32_t i = 0; i < ts_node_child_count(sl); i++) {
		TSNode ch = ts_node_child(sl, i);
		if (!ts_node_is_named(ch)) {
			if (!strcmp(node_type(ch), ":"))
				k++;
			continue;
		}
		if (node_is(ch, "comment"))
			continue;
		if (k > 2) {
			lower_fail(L, ch, "malformed slice");
			return NULL;
		}
		parts[k] = lower_ex(L, ch);
		if (!parts[k])
			return NULL;
	}
	e->a = arena_alloc(L->a, 4 * sizeof(*e->a));
	e->n = 4;
	e->a[0] = obj;
	e->a[1] = parts[0];
	e->a[2] = parts[1];
	e->a[3] = parts[2];
	return e;
}

static bool string_is_f(struct lower *L, TSNode n)
{
	const char *s = L->src + ts_node_start_byte(n);
	size_t len = ts_node_end_byte(n) - ts_node_start_byte(n);

	for (size_t i = 0; i < len && s[i] != '\'' && s[i] != '"'; i++)
		if (s[i] == 'f' || s[i] == 'F')
			return true;
	return false;
}

/* The parts of one f-string literal, appended to fs (an EX_FSTR): its
 * text as EX_STR, each {expr!conv:spec} as an EX_FMT. */
static int lower_fparts(struct lower *L, TSNode n, struct ex *fs, size_t *cap)
{
	const char *s = L->src + ts_node_start_byte(n);
	bool raw = false;

	for (size_t i = 0; s[i] != '\'' && s[i] != '"'; i++) {
		if (s[i] == 'r' || s[i] == 'R')
			raw = true;
		else if (s[i] == 'b' || s[i] == 'B')
			return lower_fail(L, n,
					  "bytes literals are not supported");
	}
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
		TSNode ch = ts_node_named_child(n, i);
		const char *t = node_type(ch);
		if (!strcmp(t, "string_content")) {
			struct buf b = BUF_INIT;
			struct ex *lit;
			uint32_t st = ts_node_start_byte(ch);
			if (decode_body(L, ch, L->src + st,
					ts_node_end_byte(ch) - st, raw, true,
					&b) < 0) {
				buf_release(&b);
				return -1;
			}
			if (memchr(b.data, '\0', b.len)) {
				buf_release(&b);
				return lower_fail(L, ch,
						  "NUL characters in strings "
						  "are not supported");
			}
			lit = ex_new(L->a, EX_STR, NODE_LINE(ch), NODE_COL(ch));
			lit->sval = arena_strndup(L->a, b.data, b.len);
			lit->slen = b.len;
			buf_release(&b);
			ex_push(L->a, fs, lit, cap);
		} else if (!strcmp(t, "interpolation")) {
			TSNode x = field(ch, "expression");
			TSNode conv = field(ch, "type_conversion");
			TSNode spec = field(ch, "format_specifier");
			struct ex *fe =
			    ex_new(L->a, EX_FMT, NODE_LINE(ch), NODE_COL(ch));
			struct ex *v;
			size_t vcap = 0;
			for (uint32_t k = 0; k < ts_node_child_count(ch); k++)
				if (node_is(ts_node_child(ch, k), "="))
					return lower_fail(L, ch,
							  "self-documenting "
							  "f-string fields "
							  "({x=}) are not "
							  "supported");
			if (!ts_node_is_null(conv)) {
				char *ct = node_text(L, conv);
				if (strcmp(ct, "!r") && strcmp(ct, "!s"))
					return lower_fail(L, conv,
							  "f-string conversion "
							  "%s is not supported",
							  ct);
				fe->op = ct[1];
			}
			if (!ts_node_is_null(spec)) {
				char *sp = node_text(L, spec);
				if (ts_node_named_child_count(spec) ||
				    strpbrk(sp, "{}\\"))
					return lower_fail(L, spec,
							  "nested or escaped "
							  "format specs are "
							  "not supported");
				if (*sp == ':')
					sp++;
				fe->sval = sp;
				fe->slen = strlen(sp);
			}
			if (node_is(x, "expression_list") ||
			    node_is(x, "pattern_list") || node_is(x, "yield"))
				return lower_fail(L, x,
						  "%s in an f-string is not "
						  "supported",
						  node_type(x));
			v = lower_ex(L, x);
			if (!v)
				return -1;
			ex_push(L->a, fe, v, &vcap);
			ex_push(L->a, fs, fe, cap);
		}
	}
	return 0;
}

/* A string literal or implicit concatenation of literals holding at least
 * one f-string: one EX_FSTR of all their parts. */
static struct ex *lower_fstring(struct lower *L, TSNode n)
{
	struct ex *fs = ex_new(L->a, EX_FSTR, NODE_LINE(n), NODE_COL(n));
	size_t cap = 0;
	uint32_t cnt = node_is(n, "string") ? 1 : named_count(n);

	for (uint32_t i = 0; i < cnt; i++) {
		TSNode part = node_is(n, "string") ? n : named_at(n, i);
		if (string_is_f(L, part)) {
			if (lower_fparts(L, part, fs, &cap) < 0)
				return NULL;
		} else {
			struct buf b = BUF_INIT;
			struct ex *lit;
			if (decode_string(L, part, &b) < 0) {
				buf_release(&b);
				return NULL;
			}
			lit = ex_new(L->a, EX_STR, NODE_LINE(part),
				     NODE_COL(part));
			lit->sval = arena_strndup(L->a, b.data, b.len);
			lit->slen = b.len;
			buf_release(&b);
			ex_push(L->a, fs, lit, &cap);
		}
	}
	return fs;
}

/* a < b < c, x in S: a module set constant only as the last right side
 * of in / not in (L->set_ok while it is lowered). */
static struct ex *lower_cmp(struct lower *L, TSNode n)
{
	struct ex *e = ex_new(L->a, EX_CMP, NODE_LINE(n), NODE_COL(n));
	size_t cap = 0, ncmp = 0;
	ptrdiff_t set_at = -1;

	e->cmp = arena_alloc(L->a, ts_node_child_count(n) * sizeof(int));
	for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
		TSNode ch = ts_node_child(n, i);
		if (node_is(ch, "comment"))
			continue;
		if (ts_node_is_named(ch)) {
			int reads = L->set_reads;
			bool was = L->set_ok;
			struct ex *c;
			L->set_ok = ncmp > 0 &&
				    (e->cmp[ncmp - 1] == CMP_IN ||
				     e->cmp[ncmp - 1] == CMP_NOTIN);
			c = lower_ex(L, ch);
			L->set_ok = was;
			if (!c)
				return NULL;
			if (L->set_reads != reads)
				set_at = e->n;
			ex_push(L->a, e, c, &cap);
		} else {
			int op = cmp_from_text(node_type(ch));
			if (!op) {
				lower_fail(L, ch,
					   "comparison '%s' is not "
					   "supported",
					   node_type(ch));
				return NULL;
			}
			e->cmp[ncmp++] = op;
		}
	}
	if (e->n < 2 || ncmp != e->n - 1) {
		lower_fail(L, n, "malformed comparison");
		return NULL;
	}
	if (set_at >= 0 && (size_t)set_at != e->n - 1) {
		lower_fail(L, n,
			   "a module global set compared further in a "
			   "chain");
		return NULL;
	}
	return e;
}

/* An int literal (64 bits at most). */
static struct ex *lower_int(struct lower *L, TSNode n)
{
	struct ex *e;
	char *text = node_text(L, n);
	int rc;
	e = ex_new(L->a, EX_INT, NODE_LINE(n), NODE_COL(n));
	if (strpbrk(text, "jJ")) {
		lower_fail(L, n, "complex numbers are not supported");
		return NULL;
	}
	rc = parse_int_text(text, &e->ival);
	if (rc == -2) {
		lower_fail(L, n,
			   "integer literal %s does not fit in 64 bits",
			   text);
		return NULL;
	}
	if (rc < 0) {
		lower_fail(L, n, "malformed integer literal");
		return NULL;
	}
	return e;
}

/* A float literal. */
static struct ex *lower_float(struct lower *L, TSNode n)
{
	struct ex *e;
	char *text = node_text(L, n), *end;
	struct buf clean = BUF_INIT;
	e = ex_new(L->a, EX_FLOAT, NODE_LINE(n), NODE_COL(n));
	if (strpbrk(text, "jJ")) {
		lower_fail(L, n, "complex numbers are not supported");
		return NULL;
	}
	for (const char *p = text; *p; p++)
		if (*p != '_')
			buf_addch(&clean, *p);
	errno = 0;
	e->fval = strtod(clean.data, &end);
	if (*end) {
		buf_release(&clean);
		lower_fail(L, n, "malformed float literal");
		return NULL;
	}
	buf_release(&clean);
	return e;
}

/* True, False. */
static struct ex *lower_bool(struct lower *L, TSNode n)
{
	const char *t = node_type(n);
	struct ex *e;

	e = ex_new(L->a, EX_BOOL, NODE_LINE(n), NODE_COL(n));
	e->ival = !strcmp(t, "true");
	return e;
}

/* A str literal, adjacent ones joined, or an f-string. */
static struct ex *lower_string(struct lower *L, TSNode n)
{
	const char *t = node_type(n);
	struct ex *e;
	struct buf b = BUF_INIT;
	bool has_f = string_is_f(L, n);
	for (uint32_t i = 0;
	     !has_f && !strcmp(t, "concatenated_string") &&
	     i < named_count(n);
	     i++)
		has_f = string_is_f(L, named_at(n, i));
	if (has_f)
		return lower_fstring(L, n);
	e = ex_new(L->a, EX_STR, NODE_LINE(n), NODE_COL(n));
	if (!strcmp(t, "string")) {
		if (decode_string(L, n, &b) < 0)
			goto str_fail;
	} else {
		for (uint32_t i = 0; i < named_count(n); i++)
			if (decode_string(L, named_at(n, i), &b) < 0)
				goto str_fail;
	}
	if (memchr(b.data, '\0', b.len)) {
		lower_fail(
		    L, n,
		    "NUL characters in strings are not supported");
		goto str_fail;
	}
	e->sval = arena_strndup(L->a, b.data, b.len);
	e->slen = b.len;
	buf_release(&b);
	return e;
str_fail:
	buf_release(&b);
	return NULL;
}

/* (x). */
static struct ex *lower_paren(struct lower *L, TSNode n)
{
	if (named_count(n) != 1) {
		lower_fail(L, n, "malformed parenthesized expression");
		return NULL;
	}
	if (node_is(named_at(n, 0), "yield")) {
		lower_fail(L, n,
			   "generators (yield) are not supported");
		return NULL;
	}
	return lower_ex(L, named_at(n, 0));
}

/* a op b; str % x is formatting (EX_PCT). */
static struct ex *lower_binop(struct lower *L, TSNode n)
{
	struct ex *e;
	size_t cap = 0;
	TSNode opn = field(n, "operator");
	int op = op_from_text(node_type(opn));
	struct ex *a, *b;
	if (!op) {
		lower_fail(L, opn, "operator '%s' is not supported",
			   node_type(opn));
		return NULL;
	}
	a = lower_ex(L, field(n, "left"));
	if (!a)
		return NULL;
	b = lower_ex(L, field(n, "right"));
	if (!b)
		return NULL;
	if (op == OP_MOD && a->kind == EX_STR) {
		/* printf-style formatting: checked against the
		 * operand's types in types.c */
		e = ex_new(L->a, EX_PCT, NODE_LINE(opn), NODE_COL(opn));
		ex_push(L->a, e, a, &cap);
		ex_push(L->a, e, b, &cap);
		return e;
	}
	e = ex_new(L->a, EX_BINOP, NODE_LINE(opn), NODE_COL(opn));
	e->op = op;
	ex_push(L->a, e, a, &cap);
	ex_push(L->a, e, b, &cap);
	return e;
}

/* -x, +x, ~x; -5 and -2.5 fold into literals. */
static struct ex *lower_unop(struct lower *L, TSNode n)
{
	struct ex *e;
	size_t cap = 0;
	TSNode opn = field(n, "operator");
	struct ex *a = lower_ex(L, field(n, "argument"));
	if (!a)
		return NULL;
	/* Fold "-5" and "-2.5" into literals (also -9223372036854775808
	 * is not reachable this way; it falls back as too large). */
	if (!strcmp(node_type(opn), "-") && a->kind == EX_INT) {
		a->ival = -a->ival;
		a->line = NODE_LINE(n);
		a->col = NODE_COL(n);
		return a;
	}
	if (!strcmp(node_type(opn), "-") && a->kind == EX_FLOAT) {
		a->fval = -a->fval;
		a->line = NODE_LINE(n);
		a->col = NODE_COL(n);
		return a;
	}
	e = ex_new(L->a, EX_UNOP, NODE_LINE(n), NODE_COL(n));
	e->op = node_type(opn)[0];
	ex_push(L->a, e, a, &cap);
	return e;
}

/* not x. */
static struct ex *lower_not(struct lower *L, TSNode n)
{
	struct ex *e;
	size_t cap = 0;
	struct ex *a = lower_ex(L, field(n, "argument"));
	if (!a)
		return NULL;
	e = ex_new(L->a, EX_NOT, NODE_LINE(n), NODE_COL(n));
	ex_push(L->a, e, a, &cap);
	return e;
}

/* a and b, a or b. */
static struct ex *lower_boolop(struct lower *L, TSNode n)
{
	struct ex *e;
	size_t cap = 0;
	TSNode opn = field(n, "operator");
	struct ex *a = lower_ex(L, field(n, "left")), *b;
	if (!a)
		return NULL;
	b = lower_ex(L, field(n, "right"));
	if (!b)
		return NULL;
	e = ex_new(L->a,
		   !strcmp(node_type(opn), "and") ? EX_AND : EX_OR,
		   NODE_LINE(n), NODE_COL(n));
	ex_push(L->a, e, a, &cap);
	ex_push(L->a, e, b, &cap);
	return e;
}

/* a if c else b. */
static struct ex *lower_ifexp(struct lower *L, TSNode n)
{
	if (named_count(n) != 3) {
		lower_fail(L, n, "malformed conditional expression");
		return NULL;
	}
	return lower_children(L, n, EX_IFEXP);
}

/* math.pi and the like; other attributes are not in this tier. */
static struct ex *lower_attr(struct lower *L, TSNode n)
{
	struct ex *e;
	TSNode obj = field(n, "object");
	char *attr = node_text(L, field(n, "attribute"));
	if (node_is(obj, "identifier") &&
	    name_in(L->m->math_names, L->m->nmath, node_text(L, obj)) &&
	    !is_local(L, node_text(L, obj))) {
		e = math_constant(L, attr, n);
		if (e) {
			ir_fn_add_dep(L->a, L->fn, GDEP_MODATTR,
				      node_text(L, obj), "math", attr,
				      NULL, 0);
			return e;
		}
	}
	lower_fail(L, n, "attribute access '.%s' is not supported",
		   attr);
	return NULL;
}

/* o[i], o[a:b]. */
static struct ex *lower_subscript(struct lower *L, TSNode n)
{
	struct ex *e;
	size_t cap = 0;
	TSNode sub = field(n, "subscript");
	struct ex *obj, *idx;
	if (ts_node_named_child_count(n) > 2) {
		lower_fail(
		    L, n,
		    "multi-dimensional subscripts are not supported");
		return NULL;
	}
	if (node_is(sub, "slice"))
		return lower_slice(L, field(n, "value"), sub, n);
	obj = lower_ex(L, field(n, "value"));
	if (!obj)
		return NULL;
	idx = lower_ex(L, sub);
	if (!idx)
		return NULL;
	e = ex_new(L->a, EX_INDEX, NODE_LINE(n), NODE_COL(n));
	ex_push(L->a, e, obj, &cap);
	ex_push(L->a, e, idx, &cap);
	return e;
}

/* {k: v, ...}. */
static struct ex *lower_dict(struct lower *L, TSNode n)
{
	struct ex *e;
	size_t cap = 0;

	e = ex_new(L->a, EX_DICT, NODE_LINE(n), NODE_COL(n));
	for (uint32_t i = 0; i < named_count(n); i++) {
		TSNode p = named_at(n, i);
		struct ex *k, *v;
		if (!node_is(p, "pair")) {
			lower_fail(L, p,
				   "dict unpacking is not supported");
			return NULL;
		}
		k = lower_ex(L, field(p, "key"));
		if (!k)
			return NULL;
		v = lower_ex(L, field(p, "value"));
		if (!v)
			return NULL;
		ex_push(L->a, e, k, &cap);
		ex_push(L->a, e, v, &cap);
	}
	return e;
}

static struct ex *lower_none(struct lower *L, TSNode n)
{
	return ex_new(L->a, EX_NONE, NODE_LINE(n), NODE_COL(n));
}

static struct ex *lower_list(struct lower *L, TSNode n)
{
	return lower_children(L, n, EX_LIST);
}

static struct ex *lower_tuple(struct lower *L, TSNode n)
{
	return lower_children(L, n, EX_TUPLE);
}

static struct ex *lower_set(struct lower *L, TSNode n)
{
	return lower_children(L, n, EX_SET);
}

/* What each tree-sitter-python expression node lowers with, and the
 * nodes this tier refuses, with why. */
static const struct {
	const char *type;
	struct ex *(*lower)(struct lower *L, TSNode n);
} lowerers[] = {
    {"identifier", lower_name},
    {"integer", lower_int},
    {"float", lower_float},
    {"true", lower_bool},
    {"false", lower_bool},
    {"none", lower_none},
    {"string", lower_string},
    {"concatenated_string", lower_string},
    {"parenthesized_expression", lower_paren},
    {"binary_operator", lower_binop},
    {"unary_operator", lower_unop},
    {"not_operator", lower_not},
    {"boolean_operator", lower_boolop},
    {"comparison_operator", lower_cmp},
    {"conditional_expression", lower_ifexp},
    {"call", lower_call},
    {"attribute", lower_attr},
    {"subscript", lower_subscript},
    {"list", lower_list},
    {"tuple", lower_tuple},
    {"expression_list", lower_tuple},
    {"set", lower_set},
    {"dictionary", lower_dict},
    {"list_comprehension", lower_comprehension},
    {"generator_expression", lower_comprehension},
};

static const struct {
	const char *type, *why;
} refused[] = {
    {"lambda", "lambda is not supported"},
    {"await", "async code is not supported"},
    {"yield", "generators (yield) are not supported"},
    {"named_expression", "assignment expressions (:=) are not supported"},
};

static struct ex *lower_ex(struct lower *L, TSNode n)
{
	const char *t;

	if (ts_node_is_null(n)) {
		struct ir_fn *fn = L->fn;
		ir_fn_fail(fn, fn->line, fn->col, "malformed expression");
		return NULL;
	}
	t = node_type(n);
	if (ts_node_is_missing(n) || ts_node_has_error(n)) {
		lower_fail(L, n, "syntax error");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(lowerers) / sizeof(lowerers[0]); i++)
		if (!strcmp(t, lowerers[i].type))
			return lowerers[i].lower(L, n);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (!strcmp(t, refused[i].type)) {
			lower_fail(L, n, "%s", refused[i].why);
			return NULL;
		}
	lower_fail(L, n, "%s is not supported", t);
	return NULL;
}

/* Assignment targets: names, subscripts, tuples of targets. */
static struct ex *lower_target(struct lower *L, TSNode n)
{
	const char *t = node_type(n);

	if (!strcmp(t, "identifier")) {
		struct ex *e = lower_name(L, n);
		if (e && e->kind != EX_NAME) {
			lower_fail(L, n, "assignment to a global");
			return NULL;
		}
		return e;
	}
	if (!strcmp(t, "subscript")) {
		struct ex *e = lower_ex(L, n);
		if (e && e->kind == EX_SLICE) {
			lower_fail(L, n, "slice assignment is not supported");
			return NULL;
		}
		return e;
	}
	if (!strcmp(t, "pattern_list") || !strcmp(t, "tuple_pattern") ||
	    !strcmp(t, "tuple") || !strcmp(t, "expression_list")) {
		struct ex *e =
		    ex_new(L->a, EX_TUPLE, NODE_LINE(n), NODE_COL(n));
		size_t cap = 0;
		for (uint32_t i = 0; i < named_count(n); i++) {
			struct ex *c = lower_target(L, named_at(n, i));
			if (!c)
				return NULL;
			ex_push(L->a, e, c, &cap);
		}
		if (!e->n) {
			lower_fail(L, n, "empty target");
			return NULL;
		}
		return e;
	}
	if (!strcmp(t, "parenthesized_expression") && named_count(n) == 1)
		return lower_target(L, named_at(n, 0));
	lower_fail(L, n, "assignment to %s is not supported", t);
	return NULL;
}

/* ---- statements ---- */

static int lower_block(struct lower *L, TSNode n, struct block *out);

static int lower_else(struct lower *L, TSNode n, struct block *out)
{
	TSNode alt = field(n, "alternative");

	if (ts_node_is_null(alt))
		return 0;
	return lower_block(L, field(alt, "body"), out);
}

static int lower_if(struct lower *L, TSNode n, uint32_t from, struct block *out,
		    TSNode cond_node, TSNode body_node)
{
	struct st *s =
	    st_new(L->a, ST_IF, NODE_LINE(cond_node), NODE_COL(cond_node));

	s->cond = lower_ex(L, cond_node);
	if (!s->cond)
		return -1;
	if (lower_block(L, body_node, &s->body) < 0)
		return -1;
	block_push(L->a, out, s);
	/* The alternatives (elif..., else) follow as children of the if. */
	for (uint32_t i = from; i < ts_node_named_child_count(n); i++) {
		TSNode ch = ts_node_named_child(n, i);
		if (node_is(ch, "elif_clause"))
			return lower_if(L, n, i + 1, &s->orelse,
					field(ch, "condition"),
					field(ch, "consequence"));
		if (node_is(ch, "else_clause"))
			return lower_block(L, field(ch, "body"), &s->orelse);
	}
	return 0;
}

static int lower_assign(struct lower *L, TSNode n, struct block *out)
{
	struct st *s = st_new(L->a, ST_ASSIGN, NODE_LINE(n), NODE_COL(n));
	TSNode cur = n;
	TSNode right;

	if (ts_node_is_null(field(n, "right")))
		return 0; /* "x: int" declares nothing at run time */
	for (;;) {
		struct ex *t = lower_target(L, field(cur, "left"));
		size_t cap = s->ntargets;
		if (!t)
			return -1;
		/* targets are few; grow one by one */
		{
			struct ex **nv =
			    arena_alloc(L->a, (cap + 1) * sizeof(*nv));
			if (cap)
				memcpy(nv, s->targets, cap * sizeof(*nv));
			nv[cap] = t;
			s->targets = nv;
			s->ntargets++;
		}
		right = field(cur, "right");
		if (node_is(right, "assignment")) {
			cur = right;
			continue;
		}
		break;
	}
	if (node_is(right, "augmented_assignment") || node_is(right, "yield"))
		return lower_fail(L, right,
				  "%s on the right of = is not supported",
				  node_type(right));
	s->value = lower_ex(L, right);
	if (!s->value)
		return -1;
	block_push(L->a, out, s);
	return 0;
}

/* x op= v. */
static int lower_aug(struct lower *L, TSNode ch, struct block *out)
{
	TSNode opn = field(ch, "operator");
	char *op = node_text(L, opn);
	struct st *s = st_new(L->a, ST_AUG, NODE_LINE(ch), NODE_COL(ch));

	op[strlen(op) - 1] = '\0';
	s->op = op_from_text(op);
	if (!s->op)
		return lower_fail(L, opn, "operator '%s=' is not supported",
				  op);
	s->value = lower_ex(L, field(ch, "right"));
	if (!s->value)
		return -1;
	s->target = lower_target(L, field(ch, "left"));
	if (!s->target)
		return -1;
	if (s->target->kind == EX_TUPLE)
		return lower_fail(L, ch, "malformed augmented assignment");
	block_push(L->a, out, s);
	return 0;
}

/* An expression statement: an assignment, a call, a docstring. */
static int lower_expr_stmt(struct lower *L, TSNode n, struct block *out)
{
	TSNode ch = named_at(n, 0);
	struct st *s;

	if (named_count(n) != 1)
		return lower_fail(L, n,
				  "tuple expression statement is not "
				  "supported");
	if (node_is(ch, "assignment"))
		return lower_assign(L, ch, out);
	if (node_is(ch, "augmented_assignment"))
		return lower_aug(L, ch, out);
	if (node_is(ch, "string"))
		return 0; /* docstring or bare string: no effect */
	if (node_is(ch, "yield"))
		return lower_fail(L, ch, "generators (yield) are not supported");
	s = st_new(L->a, ST_EXPR, NODE_LINE(n), NODE_COL(n));
	s->value = lower_ex(L, ch);
	if (!s->value)
		return -1;
	block_push(L->a, out, s);
	return 0;
}

static int lower_return(struct lower *L, TSNode n, struct block *out)
{
	struct st *s = st_new(L->a, ST_RETURN, NODE_LINE(n), NODE_COL(n));

	if (named_count(n) > 0) {
		s->value = lower_ex(L, named_at(n, 0));
		if (!s->value)
			return -1;
	}
	block_push(L->a, out, s);
	return 0;
}

static int lower_if_stmt(struct lower *L, TSNode n, struct block *out)
{
	return lower_if(L, n, 0, out, field(n, "condition"),
			field(n, "consequence"));
}

/* A loop's body and else block, into s (ST_FOR or ST_WHILE). */
static int lower_loop_body(struct lower *L, TSNode n, struct st *s,
			   struct block *out)
{
	L->loop_depth++;
	if (lower_block(L, field(n, "body"), &s->body) < 0)
		return -1;
	L->loop_depth--;
	if (lower_else(L, n, &s->orelse) < 0)
		return -1;
	L->fn->has_loop = true;
	block_push(L->a, out, s);
	return 0;
}

static int lower_for(struct lower *L, TSNode n, struct block *out)
{
	struct st *s;

	if (ts_node_child_count(n) && node_is(ts_node_child(n, 0), "async"))
		return lower_fail(L, n, "async for is not supported");
	s = st_new(L->a, ST_FOR, NODE_LINE(n), NODE_COL(n));
	s->iter = lower_ex(L, field(n, "right"));
	if (!s->iter)
		return -1;
	s->target = lower_target(L, field(n, "left"));
	if (!s->target)
		return -1;
	return lower_loop_body(L, n, s, out);
}

static int lower_while(struct lower *L, TSNode n, struct block *out)
{
	struct st *s = st_new(L->a, ST_WHILE, NODE_LINE(n), NODE_COL(n));

	s->cond = lower_ex(L, field(n, "condition"));
	if (!s->cond)
		return -1;
	return lower_loop_body(L, n, s, out);
}

/* break, continue, pass. */
static int lower_jump(struct lower *L, TSNode n, struct block *out)
{
	const char *t = node_type(n);
	enum st_kind k = t[0] == 'b'   ? ST_BREAK
			 : t[0] == 'c' ? ST_CONTINUE
				       : ST_PASS;

	block_push(L->a, out, st_new(L->a, k, NODE_LINE(n), NODE_COL(n)));
	return 0;
}

static int lower_assert(struct lower *L, TSNode n, struct block *out)
{
	struct st *s = st_new(L->a, ST_ASSERT, NODE_LINE(n), NODE_COL(n));

	s->cond = lower_ex(L, named_at(n, 0));
	if (!s->cond)
		return -1;
	block_push(L->a, out, s);
	return 0;
}

/* Any raise re-runs the original, which raises the very same exception;
 * the expression itself is not evaluated here. */
static int lower_raise(struct lower *L, TSNode n, struct block *out)
{
	block_push(L->a, out,
		   st_new(L->a, ST_RAISE, NODE_LINE(n), NODE_COL(n)));
	return 0;
}

static int lower_del(struct lower *L, TSNode n, struct block *out)
{
	TSNode tgt = named_at(n, 0);
	struct st *s = st_new(L->a, ST_DEL, NODE_LINE(n), NODE_COL(n));

	if (!node_is(tgt, "subscript"))
		return lower_fail(L, n, "del of %s is not supported",
				  node_type(tgt));
	s->target = lower_target(L, tgt);
	if (!s->target)
		return -1;
	block_push(L->a, out, s);
	return 0;
}

/* What each statement node lowers with, and the statements this tier
 * refuses, with why. */
static const struct {
	const char *type;
	int (*lower)(struct lower *L, TSNode n, struct block *out);
} stmt_lowerers[] = {
    {"expression_statement", lower_expr_stmt},
    {"return_statement", lower_return},
    {"if_statement", lower_if_stmt},
    {"for_statement", lower_for},
    {"while_statement", lower_while},
    {"break_statement", lower_jump},
    {"continue_statement", lower_jump},
    {"pass_statement", lower_jump},
    {"assert_statement", lower_assert},
    {"raise_statement", lower_raise},
    {"delete_statement", lower_del},
};

static const struct {
	const char *type, *why;
} stmt_refused[] = {
    {"try_statement", "try/except is not supported"},
    {"with_statement", "with is not supported"},
    {"global_statement", "global is not supported"},
    {"nonlocal_statement", "nonlocal is not supported"},
    {"function_definition", "nested functions are not supported"},
    {"decorated_definition", "nested functions are not supported"},
    {"class_definition", "classes are not supported"},
    {"import_statement", "imports inside functions are not supported"},
    {"import_from_statement", "imports inside functions are not supported"},
    {"match_statement", "match is not supported"},
};

static int lower_stmt(struct lower *L, TSNode n, struct block *out)
{
	const char *t = node_type(n);

	if (!strcmp(t, "comment"))
		return 0;
	if (ts_node_has_error(n) || ts_node_is_missing(n))
		return lower_fail(L, n, "syntax error");
	for (size_t i = 0; i < sizeof(stmt_lowerers) / sizeof(stmt_lowerers[0]);
	     i++)
		if (!strcmp(t, stmt_lowerers[i].type))
			return stmt_lowerers[i].lower(L, n, out);
	for (size_t i = 0; i < sizeof(stmt_refused) / sizeof(stmt_refused[0]);
	     i++)
		if (!strcmp(t, stmt_refused[i].type))
			return lower_fail(L, n, "%s", stmt_refused[i].why);
	return lower_fail(L, n, "%s is not supported", t);
}

static int lower_block(struct lower *L, TSNode n, struct block *out)
{
	if (ts_node_is_null(n))
		return 0;
	if (!node_is(n, "block"))
		return lower_stmt(L, n, out);
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
		if (lower_stmt(L, ts_node_named_child(n, i), out) < 0)
			return -1;
	return 0;
}

/* Names bound anywhere in a function body (its locals), not looking into
 * comprehensions, lambdas or nested definitions. */
static void collect_locals(struct lower *L, TSNode n)
{
	const char *t = node_type(n);

	if (!strcmp(t, "assignment") || !strcmp(t, "augmented_assignment") ||
	    !strcmp(t, "for_statement")) {
		pattern_names(L, field(n, "left"), &L->locals, &L->nlocals,
			      &L->caplocals);
	} else if (!strcmp(t, "named_expression")) {
		pattern_names(L, field(n, "name"), &L->locals, &L->nlocals,
			      &L->caplocals);
	} else if (!strcmp(t, "function_definition") ||
		   !strcmp(t, "class_definition")) {
		TSNode nm = field(n, "name");
		if (!ts_node_is_null(nm))
			add_name(L->a, &L->locals, &L->nlocals, &L->caplocals,
				 node_text(L, nm));
		return;
	} else if (!strcmp(t, "list_comprehension") ||
		   !strcmp(t, "generator_expression") ||
		   !strcmp(t, "set_comprehension") ||
		   !strcmp(t, "dictionary_comprehension") ||
		   !strcmp(t, "lambda")) {
		return;
	} else if (!strcmp(t, "import_statement") ||
		   !strcmp(t, "import_from_statement")) {
		return;
	}
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
		collect_locals(L, ts_node_named_child(n, i));
}

static struct ex *lower_default(struct lower *L, TSNode v)
{
	struct ex *e;

	if (!is_literal_node(v)) {
		lower_fail(L, v, "default value that is not a literal");
		return NULL;
	}
	e = lower_ex(L, v);
	if (e && (e->kind == EX_UNOP || e->kind == EX_FSTR)) {
		lower_fail(L, v, "default value that is not a literal");
		return NULL;
	}
	return e;
}

static int lower_params(struct lower *L, TSNode params)
{
	struct ir_fn *fn = L->fn;
	uint32_t n = named_count(params);

	fn->params = arena_alloc(L->a, (n ? n : 1) * sizeof(*fn->params));
	for (uint32_t i = 0; i < n; i++) {
		TSNode p = named_at(params, i);
		const char *t = node_type(p);
		TSNode name = p, type = {0}, def = {0};
		struct param *pp = &fn->params[fn->nparams];
		char *pname;

		if (!strcmp(t, "identifier")) {
			name = p;
		} else if (!strcmp(t, "typed_parameter")) {
			name = named_at(p, 0);
			type = field(p, "type");
			if (!node_is(name, "identifier"))
				return lower_fail(L, p,
						  "*args/**kwargs parameters "
						  "are not supported");
		} else if (!strcmp(t, "default_parameter") ||
			   !strcmp(t, "typed_default_parameter")) {
			name = field(p, "name");
			def = field(p, "value");
			type = field(p, "type");
			if (!node_is(name, "identifier"))
				return lower_fail(L, p,
						  "tuple parameters are "
						  "not supported");
		} else if (!strcmp(t, "list_splat_pattern") ||
			   !strcmp(t, "dictionary_splat_pattern")) {
			return lower_fail(L, p,
					  "*args/**kwargs parameters are "
					  "not supported");
		} else if (!strcmp(t, "keyword_separator") ||
			   !strcmp(t, "positional_separator")) {
			return lower_fail(L, p,
					  "keyword-only or positional-only "
					  "parameters are not supported");
		} else {
			return lower_fail(L, p,
					  "parameter kind %s is not "
					  "supported",
					  t);
		}
		pname = node_text(L, name);
		if (ir_fn_find_var(fn, pname) >= 0)
			return lower_fail(L, p, "duplicate parameter");
		pp->var = ir_fn_add_var(L->a, fn, pname, NODE_LINE(name),
					NODE_COL(name));
		fn->vars[pp->var].is_param = true;
		if (!ts_node_is_null(type)) {
			char *text = node_text(L, type);
			struct ty *ty = ty_parse(L->a, text);
			if (ty && ty_is_complete(ty))
				pp->ann = ty;
		}
		if (!ts_node_is_null(def)) {
			pp->def = lower_default(L, def);
			if (!pp->def)
				return -1;
		} else if (fn->nparams > 0 && fn->params[fn->nparams - 1].def) {
			return lower_fail(L, p, "malformed parameters");
		}
		fn->nparams++;
	}
	return 0;
}

static int lower_fn(struct lower *L, struct ir_fn *fn, TSNode n)
{
	TSNode rt = field(n, "return_type");

	L->fn = fn;
	L->nlocals = 0;
	L->nscope = 0;
	L->ncomp = 0;
	L->loop_depth = 0;
	fn->is_ok = true;
	if (ts_node_child_count(n) && node_is(ts_node_child(n, 0), "async"))
		return lower_fail(L, n, "async functions are not supported");
	if (!ts_node_is_null(field(n, "type_parameters")))
		return lower_fail(L, n, "type parameters are not supported");
	if (lower_params(L, field(n, "parameters")) < 0)
		return -1;
	if (!ts_node_is_null(rt)) {
		struct ty *ty = ty_parse(L->a, node_text(L, rt));
		if (ty && ty_is_complete(ty))
			fn->ret_ann = ty;
	}
	collect_locals(L, field(n, "body"));
	for (size_t i = 0; i < fn->nparams; i++)
		add_name(L->a, &L->locals, &L->nlocals, &L->caplocals,
			 fn->vars[fn->params[i].var].name);
	return lower_block(L, field(n, "body"), &fn->body);
}

static void lower_imports(struct lower *L, TSNode n)
{
	const char *t = node_type(n);

	if (!strcmp(t, "import_statement")) {
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
			TSNode ch = ts_node_named_child(n, i);
			char *mod, *bound;
			if (node_is(ch, "aliased_import")) {
				mod = node_text(L, field(ch, "name"));
				bound = node_text(L, field(ch, "alias"));
			} else {
				mod = node_text(L, ch);
				bound = mod;
				if (strchr(bound, '.'))
					bound = arena_strndup(
					    L->a, bound,
					    (size_t)(strchr(bound, '.') -
						     bound));
			}
			if (!strcmp(mod, "math"))
				add_name(L->a, &L->m->math_names, &L->m->nmath,
					 &L->m->capmath, bound);
			else
				add_name(L->a, &L->m->globals_bad, &L->m->nbad,
					 &L->m->capbad, bound);
		}
	} else if (!strcmp(t, "import_from_statement")) {
		TSNode modn = field(n, "module_name");
		bool is_math = node_is(modn, "dotted_name") &&
			       !strcmp(node_text(L, modn), "math");
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
			TSNode ch = ts_node_named_child(n, i);
			char *name, *bound;
			if (ts_node_eq(ch, modn))
				continue;
			if (node_is(ch, "aliased_import")) {
				name = node_text(L, field(ch, "name"));
				bound = node_text(L, field(ch, "alias"));
			} else if (node_is(ch, "dotted_name")) {
				name = bound = node_text(L, ch);
			} else {
				continue;
			}
			if (is_math) {
				size_t nl = L->m->nmathf, capl = L->m->capmathl;
				arena_push(L->a, (void ***)&L->m->math_locals,
					   &nl, &capl, bound);
				L->m->capmathl = capl;
				arena_push(L->a, (void ***)&L->m->math_funcs,
					   &L->m->nmathf, &L->m->capmathf,
					   name);
			} else {
				add_name(L->a, &L->m->globals_bad, &L->m->nbad,
					 &L->m->capbad, bound);
			}
		}
	}
}

/* Module names bound once to a literal (or a set of literals) become
 * constants; other module-level assignments make names that are not. */
static void collect_consts(struct lower *L, TSNode root, struct ir_fn *dummy)
{
	struct ir_module *m = L->m;

	for (uint32_t i = 0; i < ts_node_named_child_count(root); i++) {
		TSNode ch = ts_node_named_child(root, i), asg, left, right;
		struct ex *v;
		char *name;
		if (!node_is(ch, "expression_statement"))
			continue;
		asg = named_at(ch, 0);
		if (!node_is(asg, "assignment"))
			continue;
		left = field(asg, "left");
		right = field(asg, "right");
		if (!node_is(left, "identifier") || ts_node_is_null(right))
			continue;
		name = node_text(L, left);
		if (name_in(m->globals_bad, m->nbad, name))
			continue;
		if (!is_literal_node(right) && !is_set_literal_node(right)) {
			add_name(L->a, &m->globals_bad, &m->nbad, &m->capbad,
				 name);
			continue;
		}
		dummy->reason = NULL;
		v = lower_ex(L, right);
		free(dummy->reason);
		dummy->reason = NULL;
		if (!v || v->kind == EX_UNOP || v->kind == EX_FSTR ||
		    (v->kind == EX_SET && !set_of_literals(v))) {
			add_name(L->a, &m->globals_bad, &m->nbad, &m->capbad,
				 name);
			continue;
		}
		if (m->nconsts == m->capconsts) {
			size_t nc = m->capconsts ? m->capconsts * 2 : 8;
			struct ir_const *c = arena_alloc(L->a, nc * sizeof(*c));
			if (m->nconsts)
				memcpy(c, m->consts, m->nconsts * sizeof(*c));
			m->consts = c;
			m->capconsts = nc;
		}
		m->consts[m->nconsts].name = name;
		m->consts[m->nconsts].value = v;
		m->nconsts++;
	}
}

int lower_module(struct ir_module *m, const char *src, size_t len,
		 struct buf *errmsg)
{
	TSParser *parser = ts_parser_new();
	TSTree *tree = NULL;
	TSNode root;
	struct lower L;
	struct binding_count bc = {0};
	struct ir_fn dummy = {0};
	int ret = 0;

	memset(&L, 0, sizeof(L));
	L.m = m;
	L.a = &m->arena;
	L.src = src;
	L.len = len;
	L.fn = &dummy;
	if (len > UINT32_MAX ||
	    !ts_parser_set_language(parser, tree_sitter_python())) {
		buf_adds(errmsg, "cannot set up the Python parser");
		ret = -1;
		goto out;
	}
	tree = ts_parser_parse_string(parser, NULL, src, (uint32_t)len);
	if (!tree) {
		buf_adds(errmsg, "parse failed");
		ret = -1;
		goto out;
	}
	root = ts_tree_root_node(tree);

	/* Pass 1: module names, constants, imports, functions. */
	module_bindings(&L, root, &bc);
	global_statements(&L, root, &bc);
	for (uint32_t i = 0; i < ts_node_named_child_count(root); i++) {
		TSNode ch = ts_node_named_child(root, i);
		TSNode def = ch;
		if (node_is(ch, "import_statement") ||
		    node_is(ch, "import_from_statement")) {
			lower_imports(&L, ch);
			continue;
		}
		if (node_is(ch, "decorated_definition"))
			def = field(ch, "definition");
		if (node_is(def, "function_definition")) {
			struct ir_fn *fn = arena_alloc(L.a, sizeof(*fn));
			TSNode nm = field(def, "name");
			if (ts_node_is_null(nm))
				continue;
			fn->name = node_text(&L, nm);
			fn->line = NODE_LINE(def);
			fn->col = NODE_COL(def);
			fn->index = (int)m->nfns;
			fn->is_ok = true;
			if (node_is(ch, "decorated_definition"))
				ir_fn_fail(
				    fn, NODE_LINE(ch), NODE_COL(ch),
				    "decorated functions are not supported");
			else if (ts_node_has_error(def))
				ir_fn_fail(fn, fn->line, fn->col,
					   "syntax error in this function");
			arena_push(L.a, (void ***)&m->fns, &m->nfns, &m->capfns,
				   fn);
		}
	}
	for (size_t i = 0; i < bc.n; i++) {
		if (bc.counts[i] > 1)
			add_name(L.a, &m->globals_bad, &m->nbad, &m->capbad,
				 bc.names[i]);
	}
	/* Functions bound twice: the later one wins in Python; keep it simple
	 * and never translate either. */
	for (size_t i = 0; i < m->nfns; i++)
		if (name_in(m->globals_bad, m->nbad, m->fns[i]->name))
			ir_fn_fail(
			    m->fns[i], m->fns[i]->line, m->fns[i]->col,
			    "the name '%s' is bound more than once in the "
			    "module",
			    m->fns[i]->name);
	collect_consts(&L, root, &dummy);
	/* Names bound once but not by a literal assignment are not constants
	 * either (for loops, with, class, ...). */
	for (size_t i = 0; i < bc.n; i++) {
		bool is_const = false;
		for (size_t k = 0; k < m->nconsts; k++)
			if (!strcmp(m->consts[k].name, bc.names[i]))
				is_const = true;
		if (!is_const && !ir_module_find(m, bc.names[i]))
			add_name(L.a, &m->globals_bad, &m->nbad, &m->capbad,
				 bc.names[i]);
	}

	/* Pass 2: lower function bodies. */
	{
		size_t k = 0;
		for (uint32_t i = 0; i < ts_node_named_child_count(root); i++) {
			TSNode ch = ts_node_named_child(root, i);
			if (node_is(ch, "decorated_definition"))
				ch = field(ch, "definition");
			if (!node_is(ch, "function_definition") ||
			    ts_node_is_null(field(ch, "name")))
				continue;
			if (k >= m->nfns)
				break;
			if (!m->fns[k]->reason)
				lower_fn(&L, m->fns[k], ch);
			k++;
		}
	}
out:
	if (tree)
		ts_tree_delete(tree);
	ts_parser_delete(parser);
	return ret;
}
