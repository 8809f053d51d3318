/*
 * oir.h - the object tier's intermediate representation: all of Python's
 * function-body syntax, with names resolved to their scope (local, cell,
 * free, global), between the tree-sitter tree and the object tier's Rust.
 *
 * olower.c builds it (one struct ofn per function or method of the module,
 * nested scopes analysed for the cells they share), oemit.c prints it as
 * Rust that calls the C-API entry points CPython's own bytecode calls
 * (the runtime in obj.rs). Module-wide tables (constants evaluated at
 * import, interned names, nested code objects) live in struct omod.
 * Memory comes from the arena of ir.h; nothing is freed piecemeal.
 */
#ifndef RUSTIFY_TRANSLATE_OIR_H
#define RUSTIFY_TRANSLATE_OIR_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

enum on_kind {
	ON_CONST,  /* k: module constant (a literal, evaluated at import) */
	ON_NAME,   /* sym */
	ON_ATTR,   /* a[0].name */
	ON_SUBSCR, /* a[0][a[1]] */
	ON_SLICE,  /* a[0]:a[1]:a[2], absent parts NULL */
	ON_BINOP,  /* op (enum binop, OP_MATMUL), a[0] a[1] */
	ON_UNOP,   /* op '-' '+' '~', a[0] */
	ON_NOT,	   /* a[0] */
	ON_BOOL,   /* op 'a' (and) or 'o' (or), a[0..n) */
	ON_CMP,	   /* cmp[0..n-1) between a[0..n) */
	ON_IFEXP,  /* a[0] if a[1] else a[2] */
	ON_CALL,   /* a[0](args) */
	ON_TUPLE,  /* a[] (ON_STAR items allowed) */
	ON_LIST,
	ON_SET,
	ON_DICT, /* a[2i]: a[2i+1]; a[2i] NULL: **a[2i+1] */
	ON_STAR, /* *a[0] inside a display or a target */
	ON_COMP, /* comp: a list/set/dict comprehension or generator */
	ON_FUNC, /* lambda or nested def: nested[k], defaults */
	ON_FSTR, /* a[]: ON_CONST strings and ON_FMT fields */
	ON_FMT,	 /* a[0] value, conv 0/'r'/'s'/'a', a[1] spec (ON_FSTR)|NULL */
	ON_WALRUS, /* sym := a[0] */
	ON_CLASS,  /* class name(args): nested[k] body, decorators */
};

enum { OP_MATMUL = 100 };

/* A source span as CPython's co_positions gives it: lines from 1, byte
 * columns from 0. Tracebacks of native frames point at it. */
struct opos {
	int line, col, eline, ecol;
};

enum oarg_kind { OARG_POS, OARG_STAR, OARG_KW, OARG_DSTAR };

struct oarg {
	enum oarg_kind kind;
	int name; /* OARG_KW: interned name */
	struct onode *v;
};

enum sym_kind {
	SYM_LOCAL,  /* fast local of the function (or an inlined comp) */
	SYM_CELL,   /* local shared with a nested function: a PyCell */
	SYM_FREE,   /* from the function's closure (__class__, ...) */
	SYM_GLOBAL, /* module global, then builtins (LOAD_GLOBAL) */
};

struct osym {
	enum sym_kind kind;
	int var;   /* SYM_LOCAL / SYM_CELL: ofn.vars index */
	int free;  /* SYM_FREE: index in the closure tuple */
	int name;  /* interned name (messages, globals) */
	bool in_comp; /* read from inside an inlined comprehension */
};

enum comp_kind { COMP_LIST, COMP_SET, COMP_DICT, COMP_GEN };

struct oclause {
	struct onode *target;
	struct onode *iter;
	struct onode **conds;
	size_t nconds;
};

struct ocomp {
	enum comp_kind kind;
	struct onode *elt, *val; /* val: dict comprehensions */
	struct oclause *clauses;
	size_t nclauses;
	int nested; /* COMP_GEN: nested code index (when made an object) */
	bool is_inline; /* COMP_GEN consumed where it is made: also lowered */
};

struct onode {
	enum on_kind kind;
	int line, col;
	struct opos pos;
	int op;
	int k;	  /* ON_CONST */
	int name; /* ON_ATTR */
	int conv; /* ON_FMT */
	struct osym sym;
	struct onode **a;
	size_t n;
	int *cmp;
	struct oarg *args;
	size_t nargs;
	struct ocomp *comp;
	int nested;		/* ON_FUNC */
	struct ofn *native;	/* ON_FUNC: its native translation */
	struct onode **defaults;	/* ON_FUNC positional defaults */
	size_t ndefaults;
	struct oarg *kwdefaults; /* ON_FUNC: OARG_KW name = value */
	size_t nkwdefaults;
	struct onode **decorators; /* ON_FUNC from a def */
	size_t ndecorators;
};

enum os_kind {
	OS_EXPR,   /* value */
	OS_ASSIGN, /* targets[0..n) = value */
	OS_AUG,	   /* target op= value */
	OS_IF,	   /* value, body, orelse */
	OS_WHILE,  /* value, body, orelse */
	OS_FOR,	   /* target in value, body, orelse */
	OS_BREAK,
	OS_CONTINUE,
	OS_RETURN, /* value or NULL */
	OS_PASS,
	OS_RAISE,  /* value (NULL: bare re-raise), cause */
	OS_ASSERT, /* value, msg */
	OS_DEL,	   /* targets */
	OS_TRY,	   /* body, handlers, orelse, final (has_final) */
	OS_WITH,   /* items, body */
	OS_IMPORT, /* imports */
};

struct oblock {
	struct ostmt **v;
	size_t n, cap;
};

struct ohandler {
	int line, col;
	struct onode *type; /* NULL: bare except */
	struct onode *as;   /* ON_NAME target or NULL */
	struct oblock body;
};

struct owith {
	struct onode *ctx;
	struct onode *as; /* target or NULL */
};

/* import a.b.c [as x] / from [.]m import n [as x] */
struct oimport {
	int module;    /* constant: the dotted module name (str) */
	int level;     /* leading dots */
	int fromlist;  /* constant: tuple of names, or -1 for import */
	struct onode **targets; /* per name (from) or one (import) */
	int *names;	/* interned attribute names (from), or the
			 * components after the first for "import a.b as x" */
	size_t n;
	bool is_from;
	bool has_as;
};

struct ostmt {
	enum os_kind kind;
	int line, col;
	struct opos pos;
	int op;
	struct onode **targets;
	size_t ntargets;
	struct onode *target;
	struct onode *value;
	struct onode *cause; /* OS_RAISE; OS_ASSERT message */
	struct oblock body, orelse, final;
	bool has_final;
	struct ohandler *handlers;
	size_t nhandlers;
	struct owith *items;
	size_t nitems;
	struct oimport *imp;
};

struct ovar {
	char *name;  /* Python name */
	char *rname; /* Rust name */
	int pname;   /* interned Python name */
	bool is_param;
	bool is_cell;
	bool is_comp; /* comprehension variable (own scope in Python) */
};

/* A code object the function creates at run time (lambda, nested def,
 * generator expression), found by (co_name, co_firstlineno, ordinal) in
 * the original function's code at bind time. */
struct onested {
	char *co_name;
	int line, end_line; /* co_firstlineno lies in [line, end_line] */
	int ordinal; /* among nested codes of the same name and line */
	/* closure: for each of the code's co_freevars (sorted), where the
	 * enclosing native function takes the cell from */
	char **freevars;
	struct osym *cells;
	size_t nfree;
	bool tb_only; /* an inlined comprehension: for tracebacks only */
	int parent;   /* the inlined generator expression's nested code it
		       * is in, or -1: the function's own */
	bool maybe_dead; /* after a return, raise, break, continue or a
			  * false constant's assert in its block: CPython
			  * may have dropped it as unreachable */
};

enum fn_decor { DECOR_NONE, DECOR_STATIC, DECOR_CLASS, DECOR_PROPERTY };

struct ofn {
	char *qualname;
	char *name;
	int line, col;	/* of the def keyword */
	int first_line; /* co_firstlineno: the first decorator's line */
	int index;
	struct ovar *vars;
	size_t nvars, capvars;
	/* parameters, in co_varnames order: positional (posonly first),
	 * keyword-only, then *args, then **kwargs */
	int *params;
	size_t nparams;
	size_t nposonly, npos, nkwonly;
	bool has_varargs, has_varkw;
	char **freevars; /* co_freevars the function expects */
	size_t nfree;
	struct onested *nested;
	size_t nnested, capnested;
	struct oblock body;
	bool is_ok;
	bool is_method;
	/* a def inside within that the enclosing function only calls: made
	 * a native function where the def runs (oemit ex_func) */
	const char *within;
	bool is_emitted; /* translate.c: its code is in the crate */
	enum fn_decor decor;
	char *reason; /* "line L:C why" when !is_ok (malloc'd) */
	int ntemps;
	int nlabels;
};

enum oconst_kind { OK_EVAL, OK_UTF8, OK_NAME, OK_KWNAMES };

struct oconst {
	enum oconst_kind kind;
	char *text;  /* OK_EVAL: Python literal text; OK_UTF8/OK_NAME */
	size_t len;
	int *names; /* OK_KWNAMES */
	size_t nnames;
};

/* A function defined inside another (its qualname as CPython gives it:
 * outer.<locals>.inner): it runs as Python code its enclosing function
 * makes. */
struct onested_def {
	char *qualname;
	int line, col;
	const char *why; /* why it stays the Python function */
};

struct omod {
	struct arena *arena;
	struct ofn **fns;
	size_t nfns, capfns;
	struct onested_def *nested_defs;
	size_t nnested_defs, capnested_defs;
	struct oconst *consts;
	size_t nconsts, capconsts;
	int py_minor;
};

void omod_init(struct omod *m, struct arena *a);
void omod_release(struct omod *m);
/* Index of an interned name constant (deduplicated). */
int omod_name(struct omod *m, const char *name);
int omod_const(struct omod *m, enum oconst_kind kind, const char *text,
	       size_t len);

/* olower.c: every function and method of the module (nested functions
 * and functions inside functions are not listed: they run as Python code
 * objects created by their enclosing native function). A function that
 * cannot run on the object tier keeps is_ok false and a reason. */
int olower_module(struct omod *m, const char *src, size_t len,
		  struct buf *errmsg);
struct ofn *omod_find(struct omod *m, const char *qualname, int nth);

/* oemit.c */
void oemit_fn(struct emitter *e, struct omod *m, struct ofn *fn);
void oemit_consts(struct emitter *e, struct omod *m);
/* The Spec table entry of one function: the object tier's, or the
 * typed tier's entry (the pyo3 function typed_name) when not NULL. */
/* has_body: of_N was emitted (a typed function's object body runs where
 * its typed code cannot answer). */
void oemit_spec(struct emitter *e, struct omod *m, struct ofn *fn,
		struct ir_module *tm, const struct ir_fn *tfn, bool has_body);

#endif
