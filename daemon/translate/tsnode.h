/*
 * tsnode.h - small helpers over tree-sitter nodes shared by the lowering
 * passes (lower.c for the typed tier, olower.c for the object tier):
 * type tests, fields, named children without comments, positions.
 */
#ifndef RUSTIFY_TRANSLATE_TSNODE_H
#define RUSTIFY_TRANSLATE_TSNODE_H

#include <stdbool.h>
#include <string.h>

#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_python(void);

#define TS_LINE(n) ((int)ts_node_start_point(n).row + 1)
#define TS_COL(n)  ((int)ts_node_start_point(n).column + 1)

static inline bool ts_is(TSNode n, const char *type)
{
	return !ts_node_is_null(n) && !strcmp(ts_node_type(n), type);
}

static inline TSNode ts_field(TSNode n, const char *name)
{
	return ts_node_child_by_field_name(n, name, (uint32_t)strlen(name));
}

static inline TSNode ts_null_node(TSNode n)
{
	return ts_node_named_child(n, 1u << 30);
}

/* Comments and backslash continuations: not part of the syntax. */
static inline bool ts_is_extra(TSNode n)
{
	return ts_is(n, "comment") || ts_is(n, "line_continuation");
}

/* Named children, comments left out. */
static inline uint32_t ts_nnamed(TSNode n)
{
	uint32_t c = 0;

	if (ts_node_is_null(n))
		return 0;
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
		if (!ts_is_extra(ts_node_named_child(n, i)))
			c++;
	return c;
}

static inline TSNode ts_named(TSNode n, uint32_t k)
{
	uint32_t c = 0;

	if (ts_node_is_null(n))
		return n;
	for (uint32_t i = 0; i < ts_node_named_child_count(n); i++) {
		TSNode ch = ts_node_named_child(n, i);
		if (ts_is_extra(ch))
			continue;
		if (c++ == k)
			return ch;
	}
	return ts_null_node(n);
}

/* The children of n under field name (all of them, in order), through a
 * cursor: ts_node_field_name_for_child misses repeated fields in the
 * tree-sitter 0.20 runtime. Returns how many (at most max stored). */
static inline uint32_t ts_field_all(TSNode n, const char *name, TSNode *out,
				    uint32_t max)
{
	TSTreeCursor c = ts_tree_cursor_new(n);
	uint32_t k = 0;

	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			const char *f = ts_tree_cursor_current_field_name(&c);
			if (f && !strcmp(f, name)) {
				if (k < max)
					out[k] = ts_tree_cursor_current_node(&c);
				k++;
			}
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	return k;
}

/* Skips redundant parentheses: (x) is x. */
static inline TSNode ts_unparen(TSNode n)
{
	while (ts_is(n, "parenthesized_expression") && ts_nnamed(n) == 1 &&
	       !ts_is(ts_named(n, 0), "yield") &&
	       !ts_is(ts_named(n, 0), "list_splat"))
		n = ts_named(n, 0);
	return n;
}

#endif
