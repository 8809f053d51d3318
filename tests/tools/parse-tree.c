/*
 * tool-parse-tree - prints the tree-sitter-python syntax tree of one file
 * as an S-expression (with field names), for writing and debugging the
 * lowering passes.
 *
 *   build/tool-parse-tree FILE
 */
#include <stdio.h>
#include <stdlib.h>

#include <tree_sitter/api.h>

#include "rustify/buf.h"

const TSLanguage *tree_sitter_python(void);

int main(int argc, char **argv)
{
	struct buf src = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *fp;
	TSParser *p;
	TSTree *t;
	char *s;

	if (argc != 2) {
		fprintf(stderr, "usage: tool-parse-tree FILE\n");
		return 2;
	}
	fp = fopen(argv[1], "rb");
	if (!fp) {
		perror(argv[1]);
		return 1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&src, chunk, n);
	fclose(fp);
	p = ts_parser_new();
	ts_parser_set_language(p, tree_sitter_python());
	t = ts_parser_parse_string(p, NULL, src.data, (uint32_t)src.len);
	s = ts_node_string(ts_tree_root_node(t));
	puts(s);
	free(s);
	ts_tree_delete(t);
	ts_parser_delete(p);
	buf_release(&src);
	return 0;
}
