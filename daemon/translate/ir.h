/*
 * ir.h - the typed intermediate representation between the tree-sitter
 * syntax tree and the emitted Rust.
 *
 * lower.c builds it (one struct ir_fn per Python function, every node
 * carrying its line:column), types.c fills in the types and checks what
 * the Rust side can keep exact, plan.c decides how each function is
 * emitted (the "plan:" fields) or that it stays in Python, and emit.c
 * prints it as Rust text. Everything is allocated from one arena per
 * module, so nothing is freed piecemeal. This header owns no code beyond
 * the arena, the queries the passes share and the dumps (ir.c).
 */
#ifndef RUSTIFY_TRANSLATE_IR_H
#define RUSTIFY_TRANSLATE_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rustify/buf.h"

struct arena_block;
struct arena {
	struct arena_block *head;
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* Zeroed memory that lives as long as the arena. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Appends p to a growable arena-backed pointer array. */
void arena_push(struct arena *a, void ***v, size_t *n, size_t *cap, void *p);

enum ty_kind {
	TY_UNKNOWN, /* not inferred yet */
	TY_NEVER,   /* element of an empty container: fits anything */
	TY_NONE,
	TY_BOOL,
	TY_INT,
	TY_FLOAT,
	TY_STR,
	TY_LIST,  /* sub[0] */
	TY_TUPLE, /* sub[0..n) */
	TY_DICT,  /* sub[0] key, sub[1] value */
	TY_SET,	  /* sub[0] */
	TY_OPT,	  /* sub[0] or None (a variable only; sub[0] immutable) */
	TY_NUM,	  /* int until a float is stored (a variable only): rt::Num */
	TY_BAD,	  /* not representable (union, object, ...) */
};

struct ty {
	enum ty_kind kind;
	size_t n;
	struct ty **sub;
};

struct ty *ty_new(struct arena *a, enum ty_kind kind, size_t n);
struct ty *ty_basic(enum ty_kind kind);
struct ty *ty_list(struct arena *a, struct ty *elem);
struct ty *ty_dict(struct arena *a, struct ty *k, struct ty *v);
bool ty_equal(const struct ty *x, const struct ty *y);
/* Fully known: no TY_UNKNOWN or TY_BAD inside (TY_NEVER counts as known). */
bool ty_is_complete(const struct ty *t);
bool ty_is_container(const struct ty *t);
bool ty_is_copy(const struct ty *t);
bool ty_is_value(const struct ty *t);
bool ty_is_hashable(const struct ty *t);
/* Python spelling: list[float], tuple[int, str], dict[str, int]. */
void ty_format(struct buf *b, const struct ty *t);
/* Rust spelling: Vec<f64>, (i64, String), IndexMap<String, i64>. */
void ty_format_rust(struct buf *b, const struct ty *t);
/* Parses a type string ("list[float]", "int | float", ...). TY_BAD on
 * anything outside the supported set; NULL on a syntax error. */
struct ty *ty_parse(struct arena *a, const char *s);

enum ex_kind {
	EX_INT,
	EX_FLOAT,
	EX_BOOL,
	EX_NONE,
	EX_STR,
	EX_NAME,     /* var */
	EX_BINOP,    /* op, a[0] a[1] */
	EX_UNOP,     /* op: '-' '+' '~', a[0] */
	EX_NOT,	     /* a[0] */
	EX_AND,	     /* a[0] a[1] */
	EX_OR,	     /* a[0] a[1] */
	EX_CMP,	     /* cmp[0..n-1] between a[0..n) (chained) */
	EX_IFEXP,    /* a[0] if a[1] else a[2] */
	EX_CALL,     /* name: builtin "len", "math.sqrt" or fn (callee) */
	EX_METHOD,   /* a[0].name(a[1..]) */
	EX_INDEX,    /* a[0][a[1]] */
	EX_SLICE,    /* a[0][a[1]:a[2]:a[3]], missing parts NULL */
	EX_LIST,     /* [a...] */
	EX_TUPLE,    /* (a...) */
	EX_DICT,     /* {a[0]: a[1], a[2]: a[3], ...} */
	EX_SET,	     /* {a...} */
	EX_LISTCOMP, /* a[0] = element, comp clauses */
	EX_FSTR,     /* f-string: a[] parts, each EX_STR or EX_FMT */
	EX_FMT,	     /* {a[0]!op:sval}: op 0, 'r' or 's'; sval the spec */
	EX_PCT,	     /* a[0] (an EX_STR format) % a[1] */
};

enum binop {
	OP_ADD = 1,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_FLOORDIV,
	OP_MOD,
	OP_POW,
	OP_LSHIFT,
	OP_RSHIFT,
	OP_BITAND,
	OP_BITOR,
	OP_BITXOR,
};

enum cmpop {
	CMP_LT = 1,
	CMP_LE,
	CMP_GT,
	CMP_GE,
	CMP_EQ,
	CMP_NE,
	CMP_IN,
	CMP_NOTIN,
	CMP_IS,
	CMP_ISNOT,
};

struct ir_fn;
struct ir_comp;

struct ex {
	enum ex_kind kind;
	int line, col;
	struct ty *ty;
	int op;
	int64_t ival;
	double fval;
	char *sval; /* EX_STR text (decoded UTF-8), EX_CALL/EX_METHOD name */
	size_t slen;
	int var;	  /* EX_NAME */
	struct ir_fn *fn; /* EX_CALL of a translated function */
	int *cmp;	  /* EX_CMP operators, n - 1 of them */
	struct ex **a;
	size_t n;
	struct ir_comp **comp; /* EX_LISTCOMP clauses */
	size_t ncomp;
	char *kwname; /* single supported keyword argument (sum start) */
	char *tmp;    /* emit.c: Rust temporary holding a hoisted value */
	bool is_move; /* types.c: last use of a local container: move it */
	bool unwrap;  /* types.c: EX_NAME of an optional variable used where
		       * None raises in Python (xs[0]): its value or Deopt */
	/* plan: (plan.c; emit.c reads them) */
	bool has_room; /* EX_LISTCOMP: one clause, no condition, a trip count
			* known up front: rt::room for every item first */
	bool borrow;   /* item of a SHAPE_TUPLE_INTO tuple: a str borrowed
			* where it lives, copied with clone_from */
	const char *ix; /* emit.c: d[k] of an st.key_use: the Rust
			 * Option<usize> the test's lookup found */
};

/* One "for target in iter if c1 if c2" clause of a comprehension. */
struct ir_comp {
	struct ex *target;
	struct ex *iter;
	struct ex **conds;
	size_t nconds;
};

enum st_kind {
	ST_EXPR,
	ST_ASSIGN, /* targets[0..n) = value (chained a = b = v) */
	ST_AUG,	   /* target op= value */
	ST_IF,	   /* cond, body, orelse */
	ST_WHILE,  /* cond, body, orelse */
	ST_FOR,	   /* target in iter, body, orelse */
	ST_BREAK,
	ST_CONTINUE,
	ST_RETURN, /* value or NULL */
	ST_PASS,
	ST_ASSERT, /* cond */
	ST_RAISE, /* value: the exception (ignored: any raise re-runs Python) */
	ST_DEL,	  /* target: d[k] or xs[i] */
};

/* plan: how a statement is printed (plan.c). */
enum st_shape {
	SHAPE_PLAIN,
	SHAPE_OUT_NEW,	      /* out = [] of the function's rt::PyOut */
	SHAPE_STR_APPEND,     /* s = s + t, s += t on a str: push_str */
	SHAPE_STR_INDEX_INTO, /* c = s[i] on strs: into c's buffer */
	SHAPE_STR_SLICE_INTO, /* w = s[i:j] of a str with an rt::StrIx */
	SHAPE_STR_CASE_INTO,  /* t = s.lower() / s.upper(): into t's buffer */
	SHAPE_TUPLE_INTO,     /* t = (a[i], b[j]) of strs: clone_from */
	SHAPE_JAM,	      /* for: two rows side by side (emit_jam) */
};

struct st;
struct block {
	struct st **v;
	size_t n, cap;
};

struct st {
	enum st_kind kind;
	int line, col;
	int op;
	struct ex **targets;
	size_t ntargets;
	struct ex *value;
	struct ex *cond;
	struct ex *target;
	struct ex *iter;
	struct block body, orelse;
	/* plan: (plan.c; emit.c reads them) */
	enum st_shape shape;
	struct ex *room; /* ST_FOR: the append whose list gets rt::room for
			  * the loop's trip count before the loop, or NULL */
	bool is_short;	 /* ST_FOR: an innermost loop over lo..hi, counted
			  * at once when short (emit_short_loop) */
	struct ex *key_use; /* ST_IF on `k in d` / `k not in d`: the d[k] of
			     * the first statement where k is present, read
			     * through the test's lookup (its index), or NULL */
};

struct var {
	char *name;  /* Python name */
	char *rname; /* Rust name */
	struct ty *ty;
	int line, col; /* first binding */
	bool is_param;
	bool is_mutated; /* container changed in place */
	bool is_rebound; /* assigned after entry (params) */
	bool is_comp;	 /* comprehension variable */
	/* plan: (plan.c; emit.c reads them) */
	bool is_view;	  /* list parameter read in place (rt::ListView) */
	bool is_dictview; /* dict parameter with str keys read in place
			   * (rt::DictView, plan_dictviews) */
	bool is_strix;	  /* str parameter indexed through an rt::StrIx */
	bool is_inplace; /* is_strix and read only through it: the typed
			  * function takes the StrIx of the argument's
			  * own storage (rt::StrIx::from_obj) */
	bool is_char;	 /* str local only ever s[i] of a StrIx's str, read only
			  * as one code point: a Rust char (plan_str_locals) */
	bool is_span;	 /* str local only ever s[i:j] of one StrIx's str (var
			  * span_src), read only by comparisons with literals,
			  * len() and as a result item: an rt::Span into it */
	int span_src;
	bool is_sref; /* str local only ever `for t in words` of a list[str]
		       * read in place, read only by tests, dict look-ups,
		       * len() and as a result item: an rt::SRef (the item
		       * itself and its UTF-8) */
};

struct param {
	int var;
	struct ex *def; /* literal default or NULL */
	struct ty *ann; /* annotation, NULL when absent */
	struct ty *obs; /* observed while profiling, NULL when absent */
};

/* A module global the typed code depends on being what it was when the
 * function was translated: checked before each native call (obj.rs). */
enum gdep_kind {
	GDEP_CONST = 'c',   /* name bound to a literal, inlined (lit) */
	GDEP_FN = 'f',	    /* a translated function called natively */
	GDEP_BUILTIN = 'b', /* a builtin, not shadowed by a global */
	GDEP_MODATTR = 'm', /* name bound to a module, .attr of it */
	GDEP_ALIAS = 'a',   /* name bound to module.attr (from m import a) */
	GDEP_SETCONST = 's', /* name bound to a set literal (lit), read by
			      * in/not in: its content checked at each call */
};

struct gdep {
	enum gdep_kind kind;
	char *name;
	char *module; /* GDEP_MODATTR, GDEP_ALIAS: "math" */
	char *attr;   /* GDEP_MODATTR, GDEP_ALIAS */
	const struct ex *lit; /* GDEP_CONST */
	int line;	      /* GDEP_FN: the callee's def line */
};

struct ir_fn {
	char *name;
	int line, col;
	int index;
	struct param *params;
	size_t nparams;
	struct ty *ret_ann;
	struct ty *ret_obs;
	struct ty *ret;
	struct var *vars;
	size_t nvars, capvars;
	struct block body;
	bool is_selected;
	bool is_ok;	       /* translated */
	bool has_loop;	       /* releases the GIL around its call */
	bool may_fall_off_end; /* implicit return None */
	bool is_recursive;
	char *reason; /* "line L:C why" when !is_ok */
	char *rname;  /* emit.c: malloc'd Rust name when renamed */
	int ntemps;   /* fresh Rust temporaries */
	struct gdep *deps; /* lower.c: globals the typed code assumes */
	size_t ndeps, capdeps;
	bool floats_through; /* identity.c: argument floats reach the result */
	/* plan: (plan.c; emit.c reads them) */
	int out_var;	/* the local built as an rt::PyOut result, or -1 */
	bool has_ticks; /* loops: counts signal-check ticks (rt::Ticks) */
	bool detach;	/* the entry point releases the GIL around the call */
	/* planned and printed a second time for its entry point (<name>_py,
	 * plan_py_form): its result built as Python objects, where the
	 * first form returns what its typed callers use natively */
	bool py_form;
	char *rname_py; /* emit.c: malloc'd "<rust name>_py" */
};

/* Records a dependency once (lower.c). */
void ir_fn_add_dep(struct arena *a, struct ir_fn *fn, enum gdep_kind kind,
		   const char *name, const char *module, const char *attr,
		   const struct ex *lit, int line);

struct ir_const {
	char *name;
	struct ex *value; /* a literal */
};

struct ir_module {
	struct arena arena;
	struct ir_fn **fns;
	size_t nfns, capfns;
	struct ir_const *consts;
	size_t nconsts, capconsts;
	char **math_names; /* names bound to the math module */
	size_t nmath, capmath;
	char **math_funcs; /* from math import sqrt: local -> "sqrt" */
	char **math_locals;
	size_t nmathf, capmathf, capmathl;
	char **globals_bad; /* module names that are not constants */
	size_t nbad, capbad;
	int py_minor; /* 11 for 3.11.7 */
};

void ir_module_init(struct ir_module *m);
void ir_module_release(struct ir_module *m);
struct ir_fn *ir_module_find(struct ir_module *m, const char *name);

/* Records the first reason a function cannot be translated. Returns -1. */
int ir_fn_fail(struct ir_fn *fn, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

struct ex *ex_new(struct arena *a, enum ex_kind kind, int line, int col);
void ex_push(struct arena *a, struct ex *e, struct ex *child, size_t *cap);
struct st *st_new(struct arena *a, enum st_kind kind, int line, int col);
void block_push(struct arena *a, struct block *b, struct st *s);
int ir_fn_add_var(struct arena *a, struct ir_fn *fn, const char *name, int line,
		  int col);
int ir_fn_find_var(const struct ir_fn *fn, const char *name);

/* A format spec, [[fill]align][sign][0][width][,|_][.precision][type],
 * as str.format and f-strings read it (and %-directives, mapped). */
struct fmt_spec {
	unsigned fill; /* code point, ' ' by default */
	char align;    /* '<' '>' '^' '=' or 0 (the type's default) */
	char sign;     /* '+' '-' ' ' or 0 */
	bool zero;     /* the '0' flag */
	bool has_fill;
	long width; /* 0 when absent */
	char group; /* ',' '_' or 0 */
	long prec;  /* -1 when absent */
	char type;  /* presentation type or 0 */
};
/* Parses a format spec. NULL, or what is not supported in it. */
const char *fmt_spec_parse(const char *s, size_t n, struct fmt_spec *sp);

/* One %-directive of a printf-style format ("%-5.2f"): flags as a spec,
 * conv the conversion character. */
struct pct_dir {
	struct fmt_spec spec;
	char conv;
	bool minus, plus, space, zero;
};
/* Reads the literal text from *pos up to the next directive into lit
 * (%% as %), then the directive. 1: a directive was read, 0: the end,
 * -1: *err says what is not supported. */
int pct_next(const char *s, size_t n, size_t *pos, struct buf *lit,
	     struct pct_dir *d, const char **err);

const char *binop_str(int op);
const char *cmpop_str(int op);

/* Queries on the IR the passes share. */
/* Rust spelling of t in a static slot (8 in turn), for messages and text. */
const char *ty_rust_name(const struct ty *t);
bool ex_is_call(const struct ex *e, const char *name); /* builtin call */
bool ex_is_method(const struct ex *e, const char *name);
bool ex_is_var(const struct ex *x, int var);
/* Whether pred holds for x or any expression inside it (arguments and
 * comprehension clauses). */
bool ex_any(const struct ex *x, bool (*pred)(const struct ex *, const void *),
	    const void *ctx);
bool ex_mentions(const struct ex *x, int var);
/* The code point of a str literal of exactly one, or -1. */
long ex_one_char(const struct ex *x);
/* A str literal holding a lone surrogate (no Rust char or &str can). */
bool ex_has_surrogate(const struct ex *lit);
/* A comprehension among x's operands (not inside another one's clauses). */
bool ex_has_comp(const struct ex *x);
/* [], {}, list(), dict(), set(): they take the type their context wants. */
bool ex_is_empty_display(const struct ex *x);
/* The element type of iterating x where a builtin takes an iterable
 * (range, dict views, reversed, a list, str, dict or tuple). */
const struct ty *ex_elem_ty(const struct ex *x);
/* The type a for loop or comprehension over iter binds (enumerate and zip
 * give tuples); NULL when emit.c has no loop for it. */
struct ty *ex_loop_ty(struct arena *a, const struct ex *iter);
/* Whether blk binds var (assignment, augmented assignment, for target). */
bool block_assigns(const struct block *blk, int var);
/* Whether blk loops (statements or comprehensions). */
bool block_loops(const struct block *b);

/* Human-readable dumps used by tests and --dump-ir; a translated
 * function's dump shows its plan ("plan:" lines and "[plan: ...]"). */
void ir_dump_ex(struct buf *b, const struct ir_fn *fn, const struct ex *e);
void ir_dump_fn(struct buf *b, const struct ir_fn *fn);

/* lower.c: parse src and lower every top-level function. Functions that
 * cannot be lowered are kept with is_ok false and a reason. */
int lower_module(struct ir_module *m, const char *src, size_t len,
		 struct buf *errmsg);

/* types.c: infer and check the types of one function. selected fns with
 * observed signatures get those as evidence. Returns 0 or -1 (reason set). */
struct json_t;
int types_infer_fn(struct ir_module *m, struct ir_fn *fn);
/* identity.c: gives a function up (to the object tier) when its result
 * would hold a copy of a float or container taken from an argument.
 * Returns 0 or -1 (reason set). */
int identity_check_fn(struct ir_fn *fn);
/* A typed function that changes a float container argument in place
 * writes new float objects into it: its calls must not see NaNs (they
 * run the original when an argument holds one). */
bool identity_nan_guard(const struct ir_fn *fn);
/* Propagates failures to callers (a call to a function that is not
 * translated makes the caller fail) until nothing changes. */
void types_check_calls(struct ir_module *m);

/* plan.c: settles every translatable function's plan (the "plan:"
 * fields) and keeps in Python, with a reason, what emit.c cannot print;
 * a caller of a function that stays in Python stays too (fixpoint with
 * types_check_calls). Afterwards emit_fn prints every is_ok function. */
void plan_module(struct ir_module *m);

/* plan.c: fn, called natively by other translated functions (which want
 * its native result), planned again as if none did, for its entry
 * point: true when that plan differs (an rt::PyOut result) and emit.c
 * prints it (emit_fn again, as <name>_py, and emit_entry calls it); else
 * false, the plan as it was. Called after every function was printed. */
bool plan_py_form(struct ir_module *m, struct ir_fn *fn);

/* emit.c: a printer of planned functions (it cannot refuse). */
struct emitter {
	struct buf *out;
	int indent;
};
void emit_init(struct emitter *e, struct buf *out);
void emit_line(struct emitter *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void emit_open(struct emitter *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void emit_close(struct emitter *e, const char *tail);
/* Rust for the native function and its Python entry point. */
void emit_fn(struct emitter *e, struct ir_module *m, struct ir_fn *fn);
void emit_entry(struct emitter *e, struct ir_module *m, struct ir_fn *fn);
const char *emit_fn_rname(const struct ir_fn *fn);

/* Test hook (tests/e2e): is name in the comma-separated list of
 * functions RUSTIFY_TEST_MISCOMPILE asks to break? */
bool test_miscompile(const char *list, const char *name);

/* prelude.c: the rt runtime module emitted into every crate. */
extern const char translate_prelude_rs[];
/* prelude.c: the object tier's runtime (obj.rs), emitted after it. */
extern const char translate_obj_rs[];

#endif
