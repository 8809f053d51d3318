/*
 * test_fs.c - file helpers never follow a symlink where they remove,
 * rename or write (issue 15: a symlink named like the module emptied the
 * folder it pointed to).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "rustify/buf.h"
#include "test.h"

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", test_tmpdir(), name);
}

static void write_text(const char *path, const char *text)
{
	struct err err = ERR_INIT;

	CHECK_INT(fs_write_file(path, text, strlen(text), &err), 0);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* A victim folder with one file in it. */
static char *victim(const char *name)
{
	char *dir = path_in(name), *file;
	struct err err = ERR_INIT;

	CHECK_INT(fs_mkdirs(dir, 0700, &err), 0);
	file = xasprintf("%s/precious", dir);
	write_text(file, "keep me");
	free(file);
	return dir;
}

TEST(fs_remove_tree_unlinks_a_symlink_not_its_target)
{
	char *v = victim("victim"), *link = path_in("link");
	char *precious = xasprintf("%s/precious", v);

	CHECK_INT(symlink(v, link), 0);
	fs_remove_tree(link);
	CHECK(!exists(link));
	CHECK(exists(precious));
	free(v);
	free(link);
	free(precious);
}

TEST(fs_remove_tree_inside_does_not_follow)
{
	char *v = victim("victim"), *top = path_in("top");
	char *inner = xasprintf("%s/sub/link", top);
	char *sub = xasprintf("%s/sub", top);
	char *precious = xasprintf("%s/precious", v);
	struct err err = ERR_INIT;

	CHECK_INT(fs_mkdirs(sub, 0700, &err), 0);
	CHECK_INT(symlink(v, inner), 0);
	fs_remove_tree(top);
	CHECK(!exists(top));
	CHECK(exists(precious));
	free(v);
	free(top);
	free(inner);
	free(sub);
	free(precious);
}

TEST(fs_write_file_replaces_a_symlinked_tmp_and_target)
{
	char *target = path_in("target"), *out = path_in("out.json");
	char *tmp = path_in("out.json.tmp");
	size_t len;
	char *text;

	write_text(target, "victim");
	CHECK_INT(symlink(target, tmp), 0);
	write_text(out, "new");
	text = fs_read_all(target, &len);
	CHECK_STR(text, "victim");
	free(text);
	text = fs_read_all(out, &len);
	CHECK_STR(text, "new");
	free(text);
	/* a symlink at the name itself is replaced, not written through */
	unlink(out);
	CHECK_INT(symlink(target, out), 0);
	write_text(out, "newer");
	text = fs_read_all(target, &len);
	CHECK_STR(text, "victim");
	free(text);
	free(target);
	free(out);
	free(tmp);
}

TEST(fs_place_tree_never_follows_names_in_the_folder)
{
	char *v = victim("victim"), *from = path_in("from");
	char *outdir = path_in("out"), *precious = xasprintf("%s/precious", v);
	char *f = xasprintf("%s/a.py", from);
	struct err err = ERR_INIT;
	const char *names[] = {"mod", "mod.tmp-%d", "mod.old-%d"};
	int dfd;

	CHECK_INT(fs_mkdirs(from, 0700, &err), 0);
	write_text(f, "x = 1\n");
	CHECK_INT(fs_mkdirs(outdir, 0700, &err), 0);
	dfd = open(outdir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	for (size_t i = 0; i < 3; i++) {
		char *name = xasprintf(names[i], (int)getpid());
		char *link = xasprintf("%s/%s", outdir, name);
		char *placed = xasprintf("%s/mod/a.py", outdir);

		CHECK_INT(symlink(v, link), 0);
		CHECK_INT(fs_place_tree_at(from, dfd, "mod", &err), 0);
		CHECK(exists(precious));
		CHECK(exists(placed));
		fs_remove_tree(link);
		free(name);
		free(link);
		free(placed);
	}
	close(dfd);
	free(v);
	free(from);
	free(outdir);
	free(precious);
	free(f);
}

TEST(fs_open_dir_refuses_a_symlink)
{
	char *v = victim("victim"), *link = path_in("crate");
	struct err err = ERR_INIT;
	int fd;

	CHECK_INT(symlink(v, link), 0);
	fd = fs_open_dir_at(AT_FDCWD, link, true, 0755, &err);
	CHECK(fd < 0);
	CHECK(strstr(err_msg(&err), "symlink"));
	err_release(&err);
	free(v);
	free(link);
}

TEST(fs_copy_tree_skips_symlinks_and_caches)
{
	char *from = path_in("from"), *to = path_in("to");
	char *pyc = xasprintf("%s/__pycache__", from);
	char *f = xasprintf("%s/a.py", from), *l = xasprintf("%s/l", from);
	char *copied = xasprintf("%s/a.py", to);
	char *lc = xasprintf("%s/l", to), *pc = xasprintf("%s/__pycache__", to);
	struct err err = ERR_INIT;

	CHECK_INT(fs_mkdirs(pyc, 0700, &err), 0);
	write_text(f, "x = 1\n");
	CHECK_INT(symlink("/etc/passwd", l), 0);
	CHECK_INT(fs_copy_tree(from, to, &err), 0);
	CHECK(exists(copied));
	CHECK(!exists(lc));
	CHECK(!exists(pc));
	/* the destination must be new */
	CHECK(fs_copy_tree(from, to, &err) < 0);
	err_release(&err);
	free(from);
	free(to);
	free(pyc);
	free(f);
	free(l);
	free(copied);
	free(lc);
	free(pc);
}
