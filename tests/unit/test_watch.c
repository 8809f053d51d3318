/*
 * test_watch.c - the pure parts of the watch module: .gitignore rules,
 * skipped directory and Python file names, debounce bookkeeping (a burst
 * of saves is one due file; a file saved without pause is still due by
 * the cap; busy files wait), function maps and their diff, and the
 * message naming the kernel's inotify limits.
 */
#include <string.h>

#include <uv.h>

#include "../../daemon/watch.h"
#include "rustify/buf.h"
#include "test.h"

static bool ignored(const char *gitignore, const char *rel, bool is_dir)
{
	struct watch_ignore ig;
	bool is_ignored;

	watch_ignore_init(&ig);
	watch_ignore_parse(&ig, gitignore, strlen(gitignore));
	is_ignored = watch_ignore_match(&ig, rel, is_dir);
	watch_ignore_release(&ig);
	return is_ignored;
}

TEST(watch_ignore_names_anywhere)
{
	const char *gi = "# comment\n\nscratch\n";

	CHECK(ignored(gi, "scratch", true));
	CHECK(ignored(gi, "scratch", false));
	CHECK(ignored(gi, "a/b/scratch", true));
	CHECK(!ignored(gi, "scratchpad", true));
	CHECK(!ignored(gi, "# comment", false));
	CHECK(!ignored("", "x.py", false));
}

TEST(watch_ignore_dir_only)
{
	const char *gi = "out/\r\n";

	CHECK(ignored(gi, "out", true));
	CHECK(ignored(gi, "pkg/out", true));
	CHECK(!ignored(gi, "out", false));
}

TEST(watch_ignore_globs)
{
	const char *gi = "*.gen.py\ntmp_*\n";

	CHECK(ignored(gi, "a.gen.py", false));
	CHECK(ignored(gi, "pkg/b.gen.py", false));
	CHECK(!ignored(gi, "a.py", false));
	CHECK(ignored(gi, "tmp_data", true));
	CHECK(ignored(gi, "x/tmp_1.py", false));
}

TEST(watch_ignore_anchored)
{
	const char *gi = "/docs\nsrc/gen/\na/*.py\n**/cache\n";

	CHECK(ignored(gi, "docs", true));
	CHECK(!ignored(gi, "pkg/docs", true));
	CHECK(ignored(gi, "src/gen", true));
	CHECK(!ignored(gi, "other/src/gen", true));
	CHECK(ignored(gi, "a/x.py", false));
	/* '*' does not cross '/' in a path pattern */
	CHECK(!ignored(gi, "a/b/x.py", false));
	CHECK(ignored(gi, "deep/down/cache", true));
}

TEST(watch_ignore_negation_last_wins)
{
	const char *gi = "*.py\n!keep.py\n";

	CHECK(ignored(gi, "x.py", false));
	CHECK(!ignored(gi, "keep.py", false));
	CHECK(!ignored(gi, "d/keep.py", false));
	CHECK(ignored("!keep.py\n*.py\n", "keep.py", false));
	CHECK(ignored("\\#hash\n", "#hash", false));
}

TEST(watch_ignore_trailing_space_and_empty_rules)
{
	CHECK(ignored("name   \n", "name", false));
	CHECK(!ignored("/\n!\n", "x", true));
}

TEST(watch_skipped_dir_names)
{
	static const char *const skipped[] = {
	    ".git",	    ".venv", "__pycache__", "rustify-out",
	    "node_modules", "build", "target",	    ".tox"};
	static const char *const kept[] = {"src",     "pkg",   "builds",
					   "targets", "tests", "venv"};

	for (size_t i = 0; i < sizeof(skipped) / sizeof(*skipped); i++)
		CHECK(watch_is_skipped_dir_name(skipped[i]));
	for (size_t i = 0; i < sizeof(kept) / sizeof(*kept); i++)
		CHECK(!watch_is_skipped_dir_name(kept[i]));
}

TEST(watch_python_names)
{
	CHECK(watch_is_python_name("mod.py"));
	CHECK(watch_is_python_name("a.b.py"));
	CHECK(!watch_is_python_name(".py"));
	CHECK(!watch_is_python_name(".#mod.py"));
	CHECK(!watch_is_python_name(".mod.py.swp"));
	CHECK(!watch_is_python_name("mod.py~"));
	CHECK(!watch_is_python_name("mod.pyc"));
	CHECK(!watch_is_python_name("4913"));
}

TEST(watch_debounce_burst_is_one)
{
	json_t *pending = json_object(), *due = json_array();
	int64_t next;

	/* write, rename, chmod of one save; ten saves in a second */
	for (uint64_t t = 0; t < 1000; t += 100)
		watch_pending_touch(pending, "/r/a.py", t, 300);
	next = watch_pending_take(pending, NULL, 1000, 32, due);
	CHECK_INT(json_array_size(due), 0);
	CHECK_INT(next, 200); /* due 300 ms after the last touch (900) */
	next = watch_pending_take(pending, NULL, 1200, 32, due);
	CHECK_INT(json_array_size(due), 1);
	CHECK_STR(json_string_value(json_array_get(due, 0)), "/r/a.py");
	CHECK_INT(next, -1);
	CHECK_INT(json_object_size(pending), 0);
	json_decref(pending);
	json_decref(due);
}

TEST(watch_debounce_cap)
{
	json_t *pending = json_object(), *due = json_array();
	uint64_t t;

	/* saved every 100 ms forever: due at first + 10 * delay */
	for (t = 0; t <= 3000; t += 100)
		watch_pending_touch(pending, "/r/a.py", t, 300);
	watch_pending_take(pending, NULL, 3000, 32, due);
	CHECK_INT(json_array_size(due), 1);
	json_decref(pending);
	json_decref(due);
}

TEST(watch_debounce_busy_and_max)
{
	json_t *pending = json_object(), *due = json_array();
	json_t *busy = json_object();
	int64_t next;

	watch_pending_touch(pending, "/r/a.py", 0, 100);
	watch_pending_touch(pending, "/r/b.py", 0, 100);
	watch_pending_touch(pending, "/r/c.py", 50, 100);
	json_object_set_new(busy, "/r/a.py", json_true());
	next = watch_pending_take(pending, busy, 100, 32, due);
	/* a waits for its work item; b is taken; c is due in 50 ms */
	CHECK_INT(json_array_size(due), 1);
	CHECK_STR(json_string_value(json_array_get(due, 0)), "/r/b.py");
	CHECK_INT(next, 50);
	json_array_clear(due);
	next = watch_pending_take(pending, NULL, 200, 1, due);
	CHECK_INT(json_array_size(due), 1);
	CHECK_INT(next, 0); /* one more is due: max was reached */
	next = watch_pending_take(pending, NULL, 200, 1, due);
	CHECK_INT(json_array_size(due), 2);
	CHECK_INT(next, -1);
	json_decref(pending);
	json_decref(due);
	json_decref(busy);
}

TEST(watch_debounce_zero_delay)
{
	json_t *pending = json_object(), *due = json_array();

	watch_pending_touch(pending, "/r/a.py", 5, 0);
	watch_pending_touch(pending, "/r/a.py", 6, 0);
	CHECK_INT(watch_pending_take(pending, NULL, 6, 32, due), -1);
	CHECK_INT(json_array_size(due), 1);
	json_decref(pending);
	json_decref(due);
}

TEST(watch_functions_map_and_diff)
{
	json_t *a = json_loads(
	    "{\"functions\": [{\"qualname\": \"f\", \"hash\": \"1\"},"
	    " {\"qualname\": \"C.m\", \"hash\": \"2\"},"
	    " {\"qualname\": \"gone\", \"hash\": \"3\"}]}",
	    0, NULL);
	json_t *b = json_loads(
	    "{\"functions\": [{\"qualname\": \"f\", \"hash\": \"1\"},"
	    " {\"qualname\": \"C.m\", \"hash\": \"9\"},"
	    " {\"qualname\": \"new\", \"hash\": \"4\"},"
	    " {\"qualname\": \"new\", \"hash\": \"5\"}]}",
	    0, NULL);
	json_t *ma = watch_functions_map(a), *mb = watch_functions_map(b);
	json_t *changed = watch_functions_diff(ma, mb), *none;
	char *text = json_dumps(changed, JSON_COMPACT);

	CHECK_STR(json_string_value(json_object_get(mb, "new")), "4+5");
	CHECK_STR(text, "[\"C.m\",\"new\",\"gone\"]");
	none = watch_functions_diff(ma, ma);
	CHECK_INT(json_array_size(none), 0);
	free(text);
	json_decref(none);
	json_decref(changed);
	changed = watch_functions_diff(NULL, ma);
	CHECK_INT(json_array_size(changed), 3);
	json_decref(changed);
	json_decref(ma);
	json_decref(mb);
	json_decref(a);
	json_decref(b);
}

TEST(watch_limit_messages)
{
	char *m = watch_limit_message(UV_ENOSPC, "/r/pkg");

	CHECK(strstr(m, "/r/pkg") != NULL);
	CHECK(strstr(m, "fs.inotify.max_user_watches = ") != NULL);
	CHECK(strstr(m, "max_user_instances") != NULL);
	free(m);
	m = watch_limit_message(UV_EMFILE, "/r");
	CHECK(strstr(m, "fs.inotify.max_user_instances = ") != NULL);
	free(m);
	m = watch_limit_message(UV_EACCES, "/r");
	CHECK(strstr(m, uv_strerror(UV_EACCES)) != NULL);
	free(m);
}
