/*
 * index.c - the source index: parses Python source with the pinned
 * tree-sitter-python grammar and describes its functions, classes, imports
 * and syntax errors as one JSON document. It owns nothing beyond one call:
 * every call makes its own TSParser, so calls may run on several worker
 * threads at once. It does not read files, cache, or decide what to
 * translate.
 *
 * The document:
 *   grammar          index_grammar_version()
 *   source_sha256    hex SHA-256 of the source bytes
 *   lines            number of '\n'-terminated lines, plus one for an
 *                    unterminated last line ("" has 0); only '\n' counts
 *   functions[]      every def / async def, in source order:
 *     name, qualname   qualname as CPython's __qualname__ ("C.m",
 *                      "f.<locals>.g", "f.<locals>.C.m"; a name declared
 *                      `global` in the enclosing scope is just its name)
 *     kind             "function" (module level, also inside if/try/with),
 *                      "method" (directly in a class body), "nested"
 *     is_async, class  class: qualname of the class whose body defines it
 *                      directly, else null
 *     params[]         {name, kind, default, annotation}; kind is one of
 *                      positional_only, positional_or_keyword,
 *                      var_positional, keyword_only, var_keyword; default
 *                      and annotation are source text or null
 *     returns          return annotation source text or null
 *     type_params[]    PEP 695 type parameters as source text ("T: int")
 *     decorators[]     decorator expressions as source text, without '@'
 *     docstring        value of a leading plain/u/r string literal or null:
 *                      quotes and prefix stripped, newlines normalised to
 *                      \n, escapes decoded except \N{...} (kept as written)
 *     first_line       line of the first decorator, else of def/async
 *     def_line         line of def/async (ast's lineno)
 *     last_line        line of the last token of the body (comments after
 *                      it are not part of the function)
 *     start, end       {line, column} of the span below; end is exclusive
 *                      (just past the last byte, so end.column - 1 is
 *                      ast's end_col_offset)
 *     byte_start, byte_end, hash
 *                      the span from the first decorator's '@' (or from
 *                      def/async) to the end of the body's last token, and
 *                      hex SHA-256 of those source bytes
 *     has_yield        a yield / yield from in its own scope
 *     has_nested       its body contains a def or class statement
 *   classes[]        {name, qualname, first_line, line}
 *   imports[]        {kind: "import"|"from", module, alias, level, names,
 *                    line, column}; `import a.b as c, d` gives one entry per
 *                    module; `from ..a import b as c, *` gives one entry
 *                    with module "a", level 2, names [{name, alias}...];
 *                    module is null for `from . import x`
 *   uses             {numpy, torch, sklearn, pandas}: imported anywhere
 *   errors[]         {line, column, message} for every ERROR and MISSING
 *                    node, at most INDEX_MAX_ERRORS; errors_truncated
 *
 * Lines and columns are 1-based; columns count UTF-8 bytes from the start
 * of the line (as tree-sitter and Python's ast col_offset + 1 do). Text
 * taken from the source that is not valid UTF-8 has the bad bytes replaced
 * by U+FFFD, so the document is always valid JSON.
 *
 * The tree is walked with a TSTreeCursor and explicit heap stacks, never by
 * recursion, so deeply nested input cannot exhaust the thread's stack. The
 * parse has a time limit (RUSTIFY_ETIMEOUT), and a tree that Debian's
 * tree-sitter 0.20.7 runtime has corrupted is detected, reported as one
 * error and not walked (see index_source()).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <tree_sitter/api.h>

#include "index.h"
#include "rustify/buf.h"
#include "sha256.h"

const TSLanguage *tree_sitter_python(void);

#define INDEX_GRAMMAR "tree-sitter-python 0.23.6/abi14"
/* Scope stack marker for a lambda body: yields there are the lambda's. */
#define INDEX_SCOPE_LAMBDA (-2)
/*
 * Parse time limit: 2 s plus 2 ms per KiB. Ordinary code parses at several
 * MB/s; the grammar's scanner is quadratic in runs of comment lines inside
 * indented blocks, and this bounds what such input can cost a worker.
 */
#define INDEX_PARSE_MICROS	   2000000ULL
#define INDEX_PARSE_MICROS_PER_KIB 2000ULL
/* Longest excerpt of source quoted in a syntax error message. */
#define INDEX_ERROR_EXCERPT 32

/* A def or class statement. */
struct index_def {
	TSNode node;  /* function_definition or class_definition */
	TSNode outer; /* its decorated_definition, else node */
	int parent;   /* enclosing def/class, -1 at module level */
	bool is_class;
	bool has_yield;
	bool has_nested;
	/* Names declared `global` directly in this scope: byte ranges. */
	uint32_t *globals;
	size_t nglobals, cap_globals;
	struct buf qualname;
};

/* One level of the cursor's path from the root. */
struct index_level {
	TSNode node;
	int def;       /* index into defs when node is a def/class, else -1 */
	bool is_scope; /* entering it pushed the scope stack */
};

struct index_walk {
	const char *src;
	size_t len;
	struct index_def *defs;
	size_t ndefs, cap_defs;
	int *scopes; /* def indexes or INDEX_SCOPE_LAMBDA, innermost last */
	size_t nscopes, cap_scopes;
	struct index_level *path;
	size_t cap_path;
	json_t *imports;
	json_t *errors;
	size_t nerrors;
	bool errors_truncated;
};

static const char *const index_libraries[] = {"numpy", "torch", "sklearn",
					      "pandas"};

const char *index_grammar_version(void)
{
	return INDEX_GRAMMAR;
}

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7), or 0. */
static size_t index_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

/* A JSON string of n bytes of s, invalid UTF-8 replaced by U+FFFD. */
static json_t *index_json_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf clean = BUF_INIT;
	json_t *j;
	size_t i = 0, k;

	while (i < n) {
		k = index_utf8_seq(p + i, n - i);
		if (!k)
			break;
		i += k;
	}
	if (i == n) {
		j = json_stringn(s, n);
		goto out;
	}
	buf_add(&clean, s, i);
	while (i < n) {
		k = index_utf8_seq(p + i, n - i);
		if (k) {
			buf_add(&clean, s + i, k);
			i += k;
		} else {
			buf_adds(&clean, "\xef\xbf\xbd");
			i++;
		}
	}
	j = json_stringn(clean.data, clean.len);
out:
	buf_release(&clean);
	/* Cannot happen with clean UTF-8; never hand jansson a NULL value. */
	return j ? j : json_string("");
}

static bool index_is(TSNode node, const char *type)
{
	return !ts_node_is_null(node) && !strcmp(ts_node_type(node), type);
}

/* The node's bytes, clamped to the source (the tree never exceeds it). */
static const char *index_node_bytes(const struct index_walk *w, TSNode node,
				    size_t *n)
{
	size_t start = ts_node_start_byte(node);
	size_t end = ts_node_end_byte(node);

	if (start > w->len)
		start = w->len;
	if (end < start)
		end = start;
	if (end > w->len)
		end = w->len;
	*n = end - start;
	return w->src + start;
}

static TSNode index_field(TSNode node, const char *name)
{
	return ts_node_child_by_field_name(node, name, (uint32_t)strlen(name));
}

static json_t *index_node_text(const struct index_walk *w, TSNode node)
{
	const char *s;
	size_t n;

	if (ts_node_is_null(node))
		return json_null();
	s = index_node_bytes(w, node, &n);
	return index_json_text(s, n);
}

static json_t *index_json_point(TSPoint p)
{
	return json_pack("{s:I,s:I}", "line", (json_int_t)p.row + 1, "column",
			 (json_int_t)p.column + 1);
}

static struct index_def *index_scope_def(struct index_walk *w, int *index)
{
	size_t i = w->nscopes;

	/* A def can only sit inside a lambda in broken code: look past it. */
	while (i > 0) {
		int s = w->scopes[--i];

		if (s >= 0) {
			if (index)
				*index = s;
			return &w->defs[s];
		}
	}
	if (index)
		*index = -1;
	return NULL;
}

static void index_scope_push(struct index_walk *w, int scope)
{
	if (w->nscopes == w->cap_scopes) {
		w->cap_scopes = w->cap_scopes ? 2 * w->cap_scopes : 32;
		w->scopes =
		    xrealloc(w->scopes, w->cap_scopes * sizeof(*w->scopes));
	}
	w->scopes[w->nscopes++] = scope;
}

static void index_error_add(struct index_walk *w, TSNode node)
{
	struct buf msg = BUF_INIT;
	TSPoint at = ts_node_start_point(node);
	const char *s;
	size_t n, i;

	if (w->nerrors == INDEX_MAX_ERRORS) {
		w->errors_truncated = true;
		return;
	}
	w->nerrors++;
	if (ts_node_is_missing(node)) {
		if (ts_node_is_named(node))
			buf_addf(&msg, "syntax error: missing %s",
				 ts_node_type(node));
		else
			buf_addf(&msg, "syntax error: missing '%s'",
				 ts_node_type(node));
	} else {
		s = index_node_bytes(w, node, &n);
		for (i = 0; i < n && i < INDEX_ERROR_EXCERPT; i++)
			if (s[i] == '\n' || s[i] == '\r' || s[i] == '\0')
				break;
		if (i) {
			buf_adds(&msg, "syntax error: unexpected '");
			buf_add(&msg, s, i);
			buf_adds(&msg, i == INDEX_ERROR_EXCERPT && i < n
					   ? "...'"
					   : "'");
		} else {
			buf_adds(&msg, "syntax error");
		}
	}
	json_array_append_new(w->errors,
			      json_pack("{s:I,s:I,s:o}", "line",
					(json_int_t)at.row + 1, "column",
					(json_int_t)at.column + 1, "message",
					index_json_text(msg.data, msg.len)));
	buf_release(&msg);
}

static void index_def_add(struct index_walk *w, TSNode node, size_t depth)
{
	struct index_def *d;
	struct index_def *parent;
	int parent_index;

	parent = index_scope_def(w, &parent_index);
	if (parent)
		parent->has_nested = true;
	if (w->ndefs == w->cap_defs) {
		w->cap_defs = w->cap_defs ? 2 * w->cap_defs : 32;
		w->defs = xrealloc(w->defs, w->cap_defs * sizeof(*w->defs));
	}
	d = &w->defs[w->ndefs];
	memset(d, 0, sizeof(*d));
	d->node = node;
	d->outer = node;
	if (depth > 0 &&
	    index_is(w->path[depth - 1].node, "decorated_definition"))
		d->outer = w->path[depth - 1].node;
	d->parent = parent_index;
	d->is_class = index_is(node, "class_definition");
	buf_init(&d->qualname);
	w->path[depth].def = (int)w->ndefs;
	w->ndefs++;
}

static void index_global_add(struct index_walk *w, TSNode node)
{
	struct index_def *d = NULL;
	uint32_t i, count = ts_node_named_child_count(node);

	if (w->nscopes && w->scopes[w->nscopes - 1] >= 0)
		d = &w->defs[w->scopes[w->nscopes - 1]];
	if (!d)
		return; /* module level: no effect on names */
	for (i = 0; i < count; i++) {
		TSNode id = ts_node_named_child(node, i);

		if (!index_is(id, "identifier"))
			continue;
		if (d->nglobals == d->cap_globals) {
			d->cap_globals =
			    d->cap_globals ? 2 * d->cap_globals : 4;
			d->globals =
			    xrealloc(d->globals,
				     d->cap_globals * 2 * sizeof(*d->globals));
		}
		d->globals[2 * d->nglobals] = ts_node_start_byte(id);
		d->globals[2 * d->nglobals + 1] = ts_node_end_byte(id);
		d->nglobals++;
	}
}

/* "a.b.c" from a dotted_name, ignoring any whitespace or comments in it. */
static void index_dotted_name(struct index_walk *w, TSNode node,
			      struct buf *out)
{
	uint32_t i, count = ts_node_named_child_count(node);
	const char *s;
	size_t n;

	if (ts_node_is_null(node))
		return;
	if (!index_is(node, "dotted_name")) {
		s = index_node_bytes(w, node, &n);
		buf_add(out, s, n);
		return;
	}
	for (i = 0; i < count; i++) {
		TSNode id = ts_node_named_child(node, i);

		if (!index_is(id, "identifier"))
			continue;
		if (out->len)
			buf_addch(out, '.');
		s = index_node_bytes(w, id, &n);
		buf_add(out, s, n);
	}
}

static void index_uses_note(json_t *uses, const char *module, size_t level)
{
	size_t i, n;

	if (level || !module)
		return;
	n = strcspn(module, ".");
	for (i = 0; i < sizeof(index_libraries) / sizeof(index_libraries[0]);
	     i++)
		if (strlen(index_libraries[i]) == n &&
		    !memcmp(module, index_libraries[i], n))
			json_object_set_new(uses, index_libraries[i],
					    json_true());
}

static json_t *index_import_new(const char *kind, TSNode stmt)
{
	TSPoint at = ts_node_start_point(stmt);

	return json_pack("{s:s,s:n,s:n,s:i,s:[],s:I,s:I}", "kind", kind,
			 "module", "alias", "level", 0, "names", "line",
			 (json_int_t)at.row + 1, "column",
			 (json_int_t)at.column + 1);
}

/* name / alias of a dotted_name or aliased_import into a {name, alias} pair. */
static void index_import_name(struct index_walk *w, TSNode node,
			      struct buf *name, json_t **alias)
{
	TSNode alias_node;

	buf_reset(name);
	*alias = json_null();
	if (index_is(node, "aliased_import")) {
		alias_node = index_field(node, "alias");
		index_dotted_name(w, index_field(node, "name"), name);
		if (!ts_node_is_null(alias_node)) {
			json_decref(*alias);
			*alias = index_node_text(w, alias_node);
		}
	} else {
		index_dotted_name(w, node, name);
	}
}

/* `..a.b` of `from ..a.b import c`: level 2, module "a.b"; false if no module.
 */
static bool index_relative_import(struct index_walk *w, TSNode node,
				  struct buf *module, size_t *level)
{
	uint32_t i, count = ts_node_named_child_count(node);
	bool has_module = false;
	const char *s;
	size_t n;

	for (i = 0; i < count; i++) {
		TSNode part = ts_node_named_child(node, i);

		if (index_is(part, "import_prefix")) {
			s = index_node_bytes(w, part, &n);
			while (n--)
				*level += s[n] == '.';
		} else if (index_is(part, "dotted_name")) {
			index_dotted_name(w, part, module);
			has_module = true;
		}
	}
	return has_module;
}

static void index_import_add(struct index_walk *w, TSNode stmt, json_t *uses)
{
	struct buf name = BUF_INIT;
	struct buf module = BUF_INIT;
	bool is_from = !index_is(stmt, "import_statement");
	bool has_module = false;
	size_t level = 0;
	json_t *imp = NULL, *alias;
	TSTreeCursor c = ts_tree_cursor_new(stmt);

	if (index_is(stmt, "future_import_statement")) {
		buf_adds(&module, "__future__");
		has_module = true;
	}
	if (is_from)
		imp = index_import_new("from", stmt);
	if (!ts_tree_cursor_goto_first_child(&c))
		goto out;
	do {
		TSNode child = ts_tree_cursor_current_node(&c);
		const char *field = ts_tree_cursor_current_field_name(&c);

		if (field && !strcmp(field, "module_name")) {
			if (index_is(child, "relative_import")) {
				has_module = index_relative_import(
				    w, child, &module, &level);
			} else {
				index_dotted_name(w, child, &module);
				has_module = true;
			}
		} else if (field && !strcmp(field, "name")) {
			index_import_name(w, child, &name, &alias);
			if (is_from) {
				json_array_append_new(
				    json_object_get(imp, "names"),
				    json_pack(
					"{s:o,s:o}", "name",
					index_json_text(name.data, name.len),
					"alias", alias));
				continue;
			}
			imp = index_import_new("import", stmt);
			json_object_set_new(
			    imp, "module",
			    index_json_text(name.data, name.len));
			json_object_set_new(imp, "alias", alias);
			index_uses_note(uses, name.data, 0);
			json_array_append_new(w->imports, imp);
			imp = NULL;
		} else if (index_is(child, "wildcard_import")) {
			json_array_append_new(
			    json_object_get(imp, "names"),
			    json_pack("{s:s,s:n}", "name", "*", "alias"));
		}
	} while (ts_tree_cursor_goto_next_sibling(&c));
	if (is_from) {
		if (has_module) {
			json_object_set_new(
			    imp, "module",
			    index_json_text(module.data, module.len));
			index_uses_note(uses, module.data, level);
		}
		json_object_set_new(imp, "level",
				    json_integer((json_int_t)level));
	}
out:
	if (imp)
		json_array_append_new(w->imports, imp);
	ts_tree_cursor_delete(&c);
	buf_release(&module);
	buf_release(&name);
}

static void index_walk_enter(struct index_walk *w, TSTreeCursor *c,
			     size_t depth, json_t *uses)
{
	TSNode node = ts_tree_cursor_current_node(c);
	const char *type = ts_node_type(node);
	const char *field;
	struct index_def *d;

	if (depth >= w->cap_path) {
		w->cap_path = w->cap_path ? 2 * w->cap_path : 64;
		w->path = xrealloc(w->path, w->cap_path * sizeof(*w->path));
	}
	w->path[depth].node = node;
	w->path[depth].def = -1;
	w->path[depth].is_scope = false;

	if (ts_node_is_missing(node) || !strcmp(type, "ERROR")) {
		index_error_add(w, node);
		return;
	}
	if (!ts_node_is_named(node))
		return;

	/*
	 * A def's scope starts at its body: decorators, defaults and
	 * annotations belong to the enclosing scope, as in CPython.
	 */
	field = ts_tree_cursor_current_field_name(c);
	if (depth > 0 && field && !strcmp(field, "body")) {
		const struct index_level *up = &w->path[depth - 1];

		if (up->def >= 0) {
			index_scope_push(w, up->def);
			w->path[depth].is_scope = true;
		} else if (index_is(up->node, "lambda")) {
			index_scope_push(w, INDEX_SCOPE_LAMBDA);
			w->path[depth].is_scope = true;
		}
	}

	if (!strcmp(type, "function_definition") ||
	    !strcmp(type, "class_definition")) {
		index_def_add(w, node, depth);
	} else if (!strcmp(type, "yield")) {
		if (w->nscopes && w->scopes[w->nscopes - 1] >= 0) {
			d = &w->defs[w->scopes[w->nscopes - 1]];
			if (!d->is_class)
				d->has_yield = true;
		}
	} else if (!strcmp(type, "global_statement")) {
		index_global_add(w, node);
	} else if (!strcmp(type, "import_statement") ||
		   !strcmp(type, "import_from_statement") ||
		   !strcmp(type, "future_import_statement")) {
		index_import_add(w, node, uses);
	}
}

static void index_walk_leave(struct index_walk *w, size_t depth)
{
	if (w->path[depth].is_scope)
		w->nscopes--;
}

static void index_walk_tree(struct index_walk *w, TSNode root, json_t *uses)
{
	TSTreeCursor c = ts_tree_cursor_new(root);
	size_t depth = 0;

	index_walk_enter(w, &c, depth, uses);
	for (;;) {
		if (ts_tree_cursor_goto_first_child(&c)) {
			index_walk_enter(w, &c, ++depth, uses);
			continue;
		}
		for (;;) {
			index_walk_leave(w, depth);
			if (ts_tree_cursor_goto_next_sibling(&c)) {
				index_walk_enter(w, &c, depth, uses);
				break;
			}
			if (!ts_tree_cursor_goto_parent(&c))
				goto out;
			depth--;
		}
	}
out:
	ts_tree_cursor_delete(&c);
}

static bool index_def_is_global(const struct index_walk *w,
				const struct index_def *scope, const char *name,
				size_t n)
{
	size_t i;

	for (i = 0; i < scope->nglobals; i++) {
		uint32_t start = scope->globals[2 * i];
		uint32_t end = scope->globals[2 * i + 1];

		if (end - start == n && end <= w->len &&
		    !memcmp(w->src + start, name, n))
			return true;
	}
	return false;
}

/* CPython's compiler_set_qualname(), over the defs in source order. */
static void index_qualnames_set(struct index_walk *w)
{
	size_t i, n;
	const char *name;

	for (i = 0; i < w->ndefs; i++) {
		struct index_def *d = &w->defs[i];
		const struct index_def *p;
		TSNode id = index_field(d->node, "name");

		name = "";
		n = 0;
		if (!ts_node_is_null(id))
			name = index_node_bytes(w, id, &n);
		p = d->parent >= 0 ? &w->defs[d->parent] : NULL;
		if (p && !index_def_is_global(w, p, name, n)) {
			buf_add(&d->qualname, p->qualname.data,
				p->qualname.len);
			buf_adds(&d->qualname,
				 p->is_class ? "." : ".<locals>.");
		}
		buf_add(&d->qualname, name, n);
	}
}

/* The last token of node that is not a comment (node itself if a leaf). */
static TSNode index_last_token(TSNode node)
{
	TSTreeCursor c = ts_tree_cursor_new(node);
	TSNode last;

	while (ts_tree_cursor_goto_first_child(&c)) {
		last = node;
		do {
			TSNode child = ts_tree_cursor_current_node(&c);

			if (!index_is(child, "comment"))
				last = child;
		} while (ts_tree_cursor_goto_next_sibling(&c));
		if (ts_node_eq(last, node))
			break;
		node = last;
		ts_tree_cursor_reset(&c, node);
	}
	ts_tree_cursor_delete(&c);
	return node;
}

static void index_unescape_codepoint(struct buf *out, uint32_t cp)
{
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd; /* a lone surrogate has no UTF-8 form */
	if (cp < 0x80) {
		buf_addch(out, (char)cp);
	} else if (cp < 0x800) {
		buf_addch(out, (char)(0xc0 | cp >> 6));
		buf_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addch(out, (char)(0xe0 | cp >> 12));
		buf_addch(out, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addch(out, (char)(0xf0 | cp >> 18));
		buf_addch(out, (char)(0x80 | (cp >> 12 & 0x3f)));
		buf_addch(out, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_addch(out, (char)(0x80 | (cp & 0x3f)));
	}
}

static int index_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The value of a str literal's body, as CPython's tokenizer and parser
 * give it: newlines normalised, then (unless raw) escapes decoded.
 */
static void index_unescape(const char *s, size_t n, bool is_raw,
			   struct buf *out)
{
	size_t i = 0, k, digits;
	uint32_t cp;

	while (i < n) {
		char c = s[i];

		if (c == '\r') {
			buf_addch(out, '\n');
			i += i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
			continue;
		}
		if (c != '\\' || is_raw || i + 1 == n) {
			buf_addch(out, c);
			i++;
			continue;
		}
		c = s[i + 1];
		i += 2;
		switch (c) {
		case '\n':
			break;
		case '\r':
			if (i < n && s[i] == '\n')
				i++;
			break;
		case '\\':
		case '\'':
		case '"':
			buf_addch(out, c);
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
		case 'n':
			buf_addch(out, '\n');
			break;
		case 'r':
			buf_addch(out, '\r');
			break;
		case 't':
			buf_addch(out, '\t');
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
		case '7':
			cp = (uint32_t)(c - '0');
			for (k = 0;
			     k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; k++)
				cp = cp * 8 + (uint32_t)(s[i++] - '0');
			index_unescape_codepoint(out, cp);
			break;
		case 'x':
		case 'u':
		case 'U':
			digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			cp = 0;
			for (k = 0; k < digits && i + k < n &&
				    index_hex_digit(s[i + k]) >= 0;
			     k++)
				cp = cp * 16 +
				     (uint32_t)index_hex_digit(s[i + k]);
			if (k < digits || cp > 0x10ffff) {
				/* CPython rejects it: keep what was written */
				buf_addch(out, '\\');
				buf_addch(out, c);
				break;
			}
			i += digits;
			index_unescape_codepoint(out, cp);
			break;
		default:
			/* unknown escapes (and \N{...}) stay as written */
			buf_addch(out, '\\');
			buf_addch(out, c);
			break;
		}
	}
}

/* Adds one string node's value; false when it is not a plain/u/r str. */
static bool index_string_value(struct index_walk *w, TSNode str,
			       struct buf *out)
{
	TSNode open = ts_node_named_child(str, 0);
	TSNode close =
	    ts_node_named_child(str, ts_node_named_child_count(str) - 1);
	bool is_raw = false;
	const char *s;
	size_t n, i, start, end;

	if (ts_node_is_null(open) || !index_is(open, "string_start") ||
	    !index_is(close, "string_end"))
		return false;
	s = index_node_bytes(w, open, &n);
	for (i = 0; i < n && s[i] != '"' && s[i] != '\''; i++) {
		if (s[i] == 'r' || s[i] == 'R')
			is_raw = true;
		else if (s[i] != 'u' && s[i] != 'U')
			return false; /* b, f, t: not a docstring */
	}
	start = ts_node_end_byte(open);
	end = ts_node_start_byte(close);
	if (start > end || end > w->len)
		return false;
	index_unescape(w->src + start, end - start, is_raw, out);
	return true;
}

/* The docstring of a def or class body, or JSON null. */
static json_t *index_docstring(struct index_walk *w, TSNode body)
{
	struct buf doc = BUF_INIT;
	TSNode first = {0}, expr = {0};
	json_t *result = NULL;
	uint32_t i, count;

	if (ts_node_is_null(body))
		goto out;
	count = ts_node_named_child_count(body);
	for (i = 0; i < count; i++) {
		first = ts_node_named_child(body, i);
		if (!index_is(first, "comment"))
			break;
	}
	if (i == count || !index_is(first, "expression_statement"))
		goto out;
	count = ts_node_named_child_count(first);
	for (i = 0; i < count; i++) {
		TSNode child = ts_node_named_child(first, i);

		if (index_is(child, "comment"))
			continue;
		if (!ts_node_is_null(expr))
			goto out; /* a tuple or several expressions */
		expr = child;
	}
	while (!ts_node_is_null(expr) &&
	       index_is(expr, "parenthesized_expression"))
		expr = ts_node_named_child(expr, 0);
	if (ts_node_is_null(expr))
		goto out;
	if (index_is(expr, "string")) {
		if (!index_string_value(w, expr, &doc))
			goto out;
	} else if (index_is(expr, "concatenated_string")) {
		count = ts_node_named_child_count(expr);
		for (i = 0; i < count; i++) {
			TSNode part = ts_node_named_child(expr, i);

			if (index_is(part, "comment"))
				continue;
			if (!index_is(part, "string") ||
			    !index_string_value(w, part, &doc))
				goto out;
		}
	} else {
		goto out;
	}
	result = index_json_text(doc.data, doc.len);
out:
	buf_release(&doc);
	return result ? result : json_null();
}

static json_t *index_param_new(json_t *name, const char *kind, json_t *def,
			       json_t *annotation)
{
	return json_pack("{s:o,s:s,s:o,s:o}", "name", name, "kind", kind,
			 "default", def, "annotation", annotation);
}

/* The parameter list of a def, with CPython's parameter kinds. */
static json_t *index_params(struct index_walk *w, TSNode params)
{
	json_t *list = json_array();
	bool after_star = false;
	uint32_t i, count;

	if (ts_node_is_null(params))
		return list;
	count = ts_node_named_child_count(params);
	for (i = 0; i < count; i++) {
		TSNode p = ts_node_named_child(params, i);
		const char *type = ts_node_is_null(p) ? "" : ts_node_type(p);
		const char *plain =
		    after_star ? "keyword_only" : "positional_or_keyword";
		TSNode name = p, ann = {0}, def = {0};
		const char *kind = plain;

		if (!strcmp(type, "positional_separator")) {
			size_t k;
			json_t *q;

			json_array_foreach(list, k, q)
				if (!strcmp(json_string_value(
						json_object_get(q, "kind")),
					    "positional_or_keyword"))
					json_object_set_new(
					    q, "kind",
					    json_string("positional_only"));
			continue;
		}
		if (!strcmp(type, "keyword_separator")) {
			after_star = true;
			continue;
		}
		if (!strcmp(type, "typed_parameter")) {
			ann = index_field(p, "type");
			name = ts_node_named_child(p, 0);
			if (ts_node_is_null(name))
				continue;
			type = ts_node_type(name);
		} else if (!strcmp(type, "default_parameter") ||
			   !strcmp(type, "typed_default_parameter")) {
			name = index_field(p, "name");
			ann = index_field(p, "type");
			def = index_field(p, "value");
			type = "identifier";
		} else if (strcmp(type, "identifier") &&
			   strcmp(type, "list_splat_pattern") &&
			   strcmp(type, "dictionary_splat_pattern") &&
			   strcmp(type, "tuple_pattern")) {
			continue; /* comments, ERROR nodes */
		}
		if (!strcmp(type, "list_splat_pattern")) {
			kind = "var_positional";
			name = ts_node_named_child(name, 0);
			after_star = true;
		} else if (!strcmp(type, "dictionary_splat_pattern")) {
			kind = "var_keyword";
			name = ts_node_named_child(name, 0);
		}
		json_array_append_new(
		    list, index_param_new(index_node_text(w, name), kind,
					  index_node_text(w, def),
					  index_node_text(w, ann)));
	}
	return list;
}

static json_t *index_decorators(struct index_walk *w, TSNode outer)
{
	json_t *list = json_array();
	uint32_t i, k, count, nexpr;

	if (!index_is(outer, "decorated_definition"))
		return list;
	count = ts_node_named_child_count(outer);
	for (i = 0; i < count; i++) {
		TSNode dec = ts_node_named_child(outer, i);

		if (!index_is(dec, "decorator"))
			continue;
		nexpr = ts_node_named_child_count(dec);
		for (k = 0; k < nexpr; k++) {
			TSNode expr = ts_node_named_child(dec, k);

			if (index_is(expr, "comment"))
				continue;
			json_array_append_new(list, index_node_text(w, expr));
			break;
		}
	}
	return list;
}

static json_t *index_type_params(struct index_walk *w, TSNode def)
{
	TSNode tp = index_field(def, "type_parameters");
	json_t *list = json_array();
	uint32_t i, count;

	if (ts_node_is_null(tp))
		return list;
	count = ts_node_named_child_count(tp);
	for (i = 0; i < count; i++) {
		TSNode t = ts_node_named_child(tp, i);

		if (index_is(t, "type"))
			json_array_append_new(list, index_node_text(w, t));
	}
	return list;
}

static json_t *index_function_json(struct index_walk *w,
				   const struct index_def *d)
{
	const struct index_def *p = d->parent >= 0 ? &w->defs[d->parent] : NULL;
	TSNode node = d->node;
	TSNode last = index_last_token(node);
	TSPoint start = ts_node_start_point(d->outer);
	TSPoint end = ts_node_end_point(last);
	size_t byte_start = ts_node_start_byte(d->outer);
	size_t byte_end = ts_node_end_byte(last);
	const char *kind = "function";
	json_t *f = json_object();
	char hash[65];

	if (byte_start > w->len)
		byte_start = w->len;
	if (byte_end > w->len)
		byte_end = w->len;
	if (byte_end < byte_start)
		byte_end = byte_start;
	sha256_hex(w->src + byte_start, byte_end - byte_start, hash);
	if (p)
		kind = p->is_class ? "method" : "nested";

	json_object_set_new(f, "name",
			    index_node_text(w, index_field(node, "name")));
	json_object_set_new(f, "qualname",
			    index_json_text(d->qualname.data, d->qualname.len));
	json_object_set_new(f, "kind", json_string(kind));
	json_object_set_new(
	    f, "is_async",
	    json_boolean(index_is(ts_node_child(node, 0), "async")));
	json_object_set_new(f, "class",
			    p && p->is_class ? index_json_text(p->qualname.data,
							       p->qualname.len)
					     : json_null());
	json_object_set_new(f, "params",
			    index_params(w, index_field(node, "parameters")));
	json_object_set_new(
	    f, "returns", index_node_text(w, index_field(node, "return_type")));
	json_object_set_new(f, "type_params", index_type_params(w, node));
	json_object_set_new(f, "decorators", index_decorators(w, d->outer));
	json_object_set_new(f, "docstring",
			    index_docstring(w, index_field(node, "body")));
	json_object_set_new(f, "first_line", json_integer(start.row + 1));
	json_object_set_new(f, "def_line",
			    json_integer(ts_node_start_point(node).row + 1));
	json_object_set_new(f, "last_line", json_integer(end.row + 1));
	json_object_set_new(f, "start", index_json_point(start));
	json_object_set_new(f, "end", index_json_point(end));
	json_object_set_new(f, "byte_start",
			    json_integer((json_int_t)byte_start));
	json_object_set_new(f, "byte_end", json_integer((json_int_t)byte_end));
	json_object_set_new(f, "hash", json_string(hash));
	json_object_set_new(f, "has_yield", json_boolean(d->has_yield));
	json_object_set_new(f, "has_nested", json_boolean(d->has_nested));
	return f;
}

static json_t *index_class_json(struct index_walk *w, const struct index_def *d)
{
	return json_pack(
	    "{s:o,s:o,s:I,s:I}", "name",
	    index_node_text(w, index_field(d->node, "name")), "qualname",
	    index_json_text(d->qualname.data, d->qualname.len), "first_line",
	    (json_int_t)ts_node_start_point(d->outer).row + 1, "line",
	    (json_int_t)ts_node_start_point(d->node).row + 1);
}

static json_int_t index_count_lines(const char *src, size_t len)
{
	json_int_t lines = 0;
	const char *p = src, *end = src + len, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		lines++;
		p = nl + 1;
	}
	return lines + (p < end);
}

/*
 * End of the source once trailing bytes the lexer skips (whitespace, the
 * zero-width characters the grammar treats as space, line continuations,
 * NULs) are dropped: a whole tree's root reaches at least this far.
 */
static size_t index_source_end(const char *src, size_t len)
{
	static const char *const wide[] = {"\xe2\x80\x8b", "\xe2\x81\xa0",
					   "\xef\xbb\xbf"};
	size_t i;

	while (len) {
		char c = src[len - 1];

		if (c == ' ' || (c >= '\t' && c <= '\r') || c == '\\' ||
		    c == '\0') {
			len--;
			continue;
		}
		for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
			if (len >= 3 && !memcmp(src + len - 3, wide[i], 3))
				break;
		if (i == sizeof(wide) / sizeof(wide[0]))
			break;
		len -= 3;
	}
	return len;
}

char *index_cache_key(const char *source_sha256)
{
	struct sha256 c;
	char hex[65];

	sha256_init(&c);
	sha256_update(&c, "index\0", 6);
	sha256_update(&c, index_grammar_version(),
		      strlen(index_grammar_version()) + 1);
	sha256_update(&c, source_sha256, 64);
	sha256_final_hex(&c, hex);
	return xstrdup(hex);
}

int index_source(const char *src, size_t len, json_t **index, struct err *err)
{
	struct index_walk w;
	TSParser *parser = NULL;
	TSTree *tree = NULL;
	TSNode root;
	json_t *doc = NULL, *functions, *classes, *uses;
	char hash[65];
	size_t i;
	int ret = 0;

	memset(&w, 0, sizeof(w));
	*index = NULL;
	if (len > UINT32_MAX) {
		ret = err_set(err, RUSTIFY_ELIMIT,
			      "source is %zu bytes; the index reads at most %u",
			      len, (unsigned)UINT32_MAX);
		goto out;
	}
	parser = ts_parser_new();
	if (!ts_parser_set_language(parser, tree_sitter_python())) {
		ret = err_set(
		    err, RUSTIFY_EINTERNAL,
		    "%s: grammar ABI %u does not suit the tree-sitter runtime",
		    INDEX_GRAMMAR, ts_language_version(tree_sitter_python()));
		goto out;
	}
	ts_parser_set_timeout_micros(parser, INDEX_PARSE_MICROS +
						 INDEX_PARSE_MICROS_PER_KIB *
						     (uint64_t)(len / 1024));
	tree =
	    ts_parser_parse_string(parser, NULL, len ? src : "", (uint32_t)len);
	if (!tree) {
		ret = err_set(
		    err, RUSTIFY_ETIMEOUT,
		    "parsing %zu bytes took over %llu ms: the source is "
		    "too complex for the parser (long runs of comment "
		    "lines inside indented code are the usual cause)",
		    len,
		    (unsigned long long)ts_parser_timeout_micros(parser) /
			1000);
		/* The parser's stack may hold trees it cannot free (below). */
		parser = NULL;
		goto out;
	}

	w.src = len ? src : "";
	w.len = len;
	w.imports = json_array();
	w.errors = json_array();
	uses = json_object();
	for (i = 0; i < sizeof(index_libraries) / sizeof(index_libraries[0]);
	     i++)
		json_object_set_new(uses, index_libraries[i], json_false());
	root = ts_tree_root_node(tree);
	if (ts_node_end_byte(root) < index_source_end(w.src, len)) {
		/*
		 * libtree-sitter 0.20.7 corrupts any node given more than 65535
		 * direct children (e.g. 65536 comment lines or line
		 * continuations in a row, or that many unclosed brackets at the
		 * end): it keeps the count modulo 65536, so sizes shrink and
		 * the root stops short of the source's end, and deleting such a
		 * tree frees a pointer inside a block. Leak it instead, and
		 * index nothing from positions that are known to be wrong.
		 */
		json_array_append_new(
		    w.errors,
		    json_pack("{s:i,s:i,s:s}", "line", 1, "column", 1,
			      "message",
			      "parser limit: over 65535 comments, line "
			      "continuations or nested brackets in a row; "
			      "nothing in this file was indexed"));
		tree = NULL;
	} else {
		index_walk_tree(&w, root, uses);
		index_qualnames_set(&w);
	}

	functions = json_array();
	classes = json_array();
	for (i = 0; i < w.ndefs; i++) {
		if (w.defs[i].is_class)
			json_array_append_new(classes,
					      index_class_json(&w, &w.defs[i]));
		else
			json_array_append_new(
			    functions, index_function_json(&w, &w.defs[i]));
	}
	sha256_hex(w.src, len, hash);
	doc = json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:b}", "grammar",
			INDEX_GRAMMAR, "source_sha256", hash, "lines",
			index_count_lines(w.src, len), "functions", functions,
			"classes", classes, "imports", w.imports, "uses", uses,
			"errors", w.errors, "errors_truncated",
			w.errors_truncated);
	w.imports = w.errors =
	    NULL; /* json_pack's "o" took them, even on failure */
	if (!doc) {
		ret = err_set(err, RUSTIFY_EINTERNAL,
			      "cannot build the index document");
		goto out;
	}
	*index = doc;
out:
	for (i = 0; i < w.ndefs; i++) {
		free(w.defs[i].globals);
		buf_release(&w.defs[i].qualname);
	}
	free(w.defs);
	free(w.scopes);
	free(w.path);
	json_decref(w.imports);
	json_decref(w.errors);
	if (tree)
		ts_tree_delete(tree);
	if (parser)
		ts_parser_delete(parser);
	return ret;
}
