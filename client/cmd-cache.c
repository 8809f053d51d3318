/*
 * cmd-cache.c - `rustifyctl cache stats` and `rustifyctl cache gc`: the
 * daemon's cache tables (cache/stats) and trimming them (cache/gc).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"

/* "500", "64M", "1.5GiB", "2g": binary units, bytes by default. */
static int cache_parse_bytes(const char *s, json_int_t *out)
{
	static const char units[] = "KMGT";
	char *end;
	double v, mult = 1;
	const char *u;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !(v >= 0))
		return -1;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -1;
		mult = pow(1024.0, (double)(u - units + 1));
		end++;
		if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -1;
	}
	v *= mult;
	if (v > 9.0e18)
		return -1;
	*out = (json_int_t)v;
	return 0;
}

static void cache_add_bytes(struct buf *b, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_number(v))
		display_bytes(b, json_number_value(v));
	else
		buf_adds(b, "-");
}

static void cache_add_count(struct buf *b, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_number(v))
		buf_addf(b, "%.0f", json_number_value(v));
	else
		buf_adds(b, "-");
}

static void cache_print_stats(json_t *res)
{
	static const char *const headers[] = {"cache", "entries", "size",
					      "hits", "misses"};
	json_t *tables = json_object_get(res, "tables");
	json_t *jobs = json_object_get(res, "jobs");
	json_t *db = json_object_get(res, "db_bytes");
	struct buf a = BUF_INIT, b = BUF_INIT;
	const char *name;
	json_t *tab;
	struct table t;

	table_init(&t, 5, headers);
	for (size_t c = 1; c < 5; c++)
		table_align_right(&t, c);
	json_object_foreach(tables, name, tab) {
		struct buf cells[4];
		const char *row[5];

		for (size_t i = 0; i < 4; i++)
			buf_init(&cells[i]);
		cache_add_count(&cells[0], tab, "entries");
		cache_add_bytes(&cells[1], tab, "bytes");
		cache_add_count(&cells[2], tab, "hits");
		cache_add_count(&cells[3], tab, "misses");
		row[0] = name;
		for (size_t i = 0; i < 4; i++)
			row[i + 1] = cells[i].data;
		table_add_row(&t, row);
		for (size_t i = 0; i < 4; i++)
			buf_release(&cells[i]);
	}
	table_print(&t, stdout);
	table_release(&t);
	cache_add_count(&a, jobs, "entries");
	cache_add_count(&b, jobs, "events");
	printf("\njobs:          %s (%s events)\n", a.data, b.data);
	buf_reset(&a);
	buf_reset(&b);
	cache_add_bytes(&a, db, "jobs");
	cache_add_bytes(&b, db, "cache");
	printf("databases:     jobs %s, cache %s\n", a.data, b.data);
	buf_reset(&a);
	cache_add_bytes(&a, res, "cargo_target_bytes");
	printf("cargo target:  %s\n", a.data);
	buf_release(&a);
	buf_release(&b);
}

static void cache_print_gc(json_t *res)
{
	struct buf removed = BUF_INIT, remaining = BUF_INIT;

	cache_add_bytes(&removed, res, "removed_bytes");
	cache_add_bytes(&remaining, res, "remaining_bytes");
	printf("removed %.0f entries (%s), %s remaining\n",
	       json_get_num(res, "removed_entries", 0), removed.data,
	       remaining.data);
	buf_release(&removed);
	buf_release(&remaining);
}

static int cmd_cache_exec(const struct cmd_entry *self, struct client *cl,
			  int argc, char **argv)
{
	struct err err = ERR_INIT;
	json_t *params = json_object(), *res = NULL;
	const char *sub = NULL;
	bool is_json = false;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *val = NULL;
		int m;

		if (cmd_is_help(argv[i])) {
			rc = cmd_print_help(self);
			goto out;
		}
		if (argv[i][0] != '-') {
			if (sub) {
				rc = cmd_usage_error(
				    self, "unexpected argument '%s'", argv[i]);
				goto out;
			}
			sub = argv[i];
			continue;
		}
		m = cmd_common_option(cl, argc, argv, &i);
		if (!m && (m = opt_match(argc, argv, &i, "--json", NULL)) > 0)
			is_json = true;
		if (!m &&
		    (m = opt_match(argc, argv, &i, "--max-bytes", &val)) > 0) {
			json_int_t n;

			if (cache_parse_bytes(val, &n) < 0) {
				rc = cmd_usage_error(self,
						     "--max-bytes: expected a "
						     "size like 500M, got '%s'",
						     val);
				goto out;
			}
			json_object_set_new(params, "max_bytes",
					    json_integer(n));
		}
		if (m < 0) {
			rc = CLIENT_EXIT_USAGE;
			goto out;
		}
		if (!m) {
			rc = cmd_usage_error(self, "unknown option '%s'",
					     argv[i]);
			goto out;
		}
	}
	if (!sub || (strcmp(sub, "stats") && strcmp(sub, "gc"))) {
		rc = cmd_usage_error(self,
				     sub ? "unknown cache command '%s'"
					 : "cache needs stats or gc%s",
				     sub ? sub : "");
		goto out;
	}
	if (!strcmp(sub, "stats") && json_object_size(params)) {
		rc = cmd_usage_error(self, "--max-bytes goes with cache gc");
		goto out;
	}
	rc = conn_call_once(cl, CONN_AUTOSTART | CONN_VERSION_CHECK,
			    !strcmp(sub, "gc") ? "cache/gc" : "cache/stats",
			    json_incref(params), &res, &err);
	if (rc) {
		rc = client_fail(&err);
		goto out;
	}
	if (is_json)
		display_json(res);
	else if (!strcmp(sub, "gc"))
		cache_print_gc(res);
	else
		cache_print_stats(res);
out:
	json_decref(params);
	json_decref(res);
	err_release(&err);
	return rc;
}

const struct cmd_entry cmd_cache_entry = {
    .name = "cache",
    .args = "stats|gc [--max-bytes N] [--json]",
    .summary = "show the cache sizes and hit rates, or trim the cache "
	       "(to N bytes with --max-bytes, K/M/G suffixes)",
    .exec = cmd_cache_exec,
};
