/*
 * test_source.c - the sources stage: decoding (BOM, PEP 263 declarations,
 * invalid bytes, NUL bytes), file checks (absolute, regular, size limit),
 * text names, and git sources against throwaway repositories made with the
 * git command under test_tmpdir() (file:// and plain-path "remotes").
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../daemon/sha256.h"
#include "../../daemon/source.h"
#include "rustify/buf.h"
#include "rustify/error.h"
#include "test.h"

static const char url_msg[] =
    "url: scheme not allowed (allowed: https, ssh, file, local path)";
static const char outside_msg[] = "path: must stay inside the repository";

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", test_tmpdir(), name);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	CHECK(fwrite(data, 1, len, f) == len);
	CHECK(fclose(f) == 0);
}

/* Decodes a string literal (which may hold NULs) as "t.py". */
#define DECODE(s, src, e) source_decode((s), sizeof(s) - 1, "t.py", (src), (e))

static void check_decoded(const char *bytes, size_t len, const char *want,
			  const char *encoding)
{
	struct source s;
	struct err e = ERR_INIT;
	char hex[65];

	source_init(&s);
	if (source_decode(bytes, len, "t.py", &s, &e))
		test_fail(__FILE__, __LINE__, "decode failed: %s", err_msg(&e));
	CHECK_INT(s.len, strlen(want));
	CHECK_STR(s.text, want);
	CHECK_STR(s.encoding, encoding);
	sha256_hex(want, strlen(want), hex);
	CHECK_STR(s.sha256, hex);
	source_release(&s);
}

static void check_decode_error(const char *bytes, size_t len, const char *msg)
{
	struct source s;
	struct err e = ERR_INIT;

	source_init(&s);
	CHECK_INT(source_decode(bytes, len, "t.py", &s, &e), RUSTIFY_ESOURCE);
	CHECK_INT(e.code, RUSTIFY_ESOURCE);
	CHECK_STR(e.msg, msg);
	CHECK(s.text == NULL);
	err_release(&e);
}

#define OK_DECODE(lit, want, enc)                                              \
	check_decoded((lit), sizeof(lit) - 1, (want), (enc))
#define BAD_DECODE(lit, msg) check_decode_error((lit), sizeof(lit) - 1, (msg))

TEST(source_decode_utf8_plain)
{
	OK_DECODE("x = 'caf\xc3\xa9'\n", "x = 'caf\xc3\xa9'\n", "utf-8");
	OK_DECODE("# coding: utf-8\nx = '\xe2\x82\xac'\n",
		  "# coding: utf-8\nx = '\xe2\x82\xac'\n", "utf-8");
	/* Four-byte sequences are fine. */
	OK_DECODE("s = '\xf0\x9f\x90\x8d'\n", "s = '\xf0\x9f\x90\x8d'\n",
		  "utf-8");
}

TEST(source_decode_empty)
{
	struct source s;
	struct err e = ERR_INIT;

	source_init(&s);
	CHECK_INT(source_decode("", 0, "t.py", &s, &e), 0);
	CHECK_INT(s.len, 0);
	CHECK_STR(s.text, "");
	CHECK_STR(
	    s.sha256,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	source_release(&s);
}

TEST(source_decode_bom)
{
	OK_DECODE("\xef\xbb\xbfx = 1\n", "x = 1\n", "utf-8");
	OK_DECODE("\xef\xbb\xbf", "", "utf-8");
	OK_DECODE("\xef\xbb\xbf# -*- coding: utf-8 -*-\n",
		  "# -*- coding: utf-8 -*-\n", "utf-8");
	BAD_DECODE("\xef\xbb\xbf# coding: latin-1\nx = 1\n",
		   "t.py: the file starts with a UTF-8 BOM but line 1 declares "
		   "encoding 'latin-1'");
}

TEST(source_decode_latin1)
{
	OK_DECODE("# -*- coding: latin-1 -*-\ns = '\xe9'\n",
		  "# -*- coding: latin-1 -*-\ns = '\xc3\xa9'\n", "iso-8859-1");
	/* Line 2 counts when line 1 is a comment (a shebang). */
	OK_DECODE("#!/usr/bin/env python\n# vim: set fileencoding=iso_8859_1 "
		  ":\ns = '\xff'\n",
		  "#!/usr/bin/env python\n# vim: set fileencoding=iso_8859_1 "
		  ":\ns = '\xc3\xbf'\n",
		  "iso-8859-1");
	OK_DECODE("\n#coding=LATIN1\n\xe9", "\n#coding=LATIN1\n\xc3\xa9",
		  "iso-8859-1");
}

TEST(source_decode_declaration_rules)
{
	/* Line 2 does not count after a line of code: this is UTF-8. */
	BAD_DECODE("x = 1\n# coding: latin-1\ns = '\xe9'\n",
		   "t.py: invalid utf-8 at byte offset 29");
	/* Line 3 never counts. */
	BAD_DECODE("#\n#\n# coding: latin-1\n\xe9",
		   "t.py: invalid utf-8 at byte offset 22");
	/* Not a comment: no declaration. */
	OK_DECODE("s = 'coding: latin-1'\n", "s = 'coding: latin-1'\n",
		  "utf-8");
	/* The first "coding" without [:=] is skipped, as the regex backtracks.
	 */
	OK_DECODE("# coding is fun, coding=latin-1\n\xe9",
		  "# coding is fun, coding=latin-1\n\xc3\xa9", "iso-8859-1");
	/* Python's spellings of the same codecs. */
	OK_DECODE("# coding: UTF_8\n", "# coding: UTF_8\n", "utf-8");
	OK_DECODE("# coding: utf8\n", "# coding: utf8\n", "utf-8");
	OK_DECODE("# coding: utf-8-unix\n", "# coding: utf-8-unix\n", "utf-8");
	OK_DECODE("# coding: US-ASCII\n", "# coding: US-ASCII\n", "ascii");
	OK_DECODE("# coding: windows-1252\n\x80",
		  "# coding: windows-1252\n\xe2\x82\xac", "cp1252");
}

TEST(source_decode_cp1252)
{
	OK_DECODE("# coding: cp1252\ns = '\x93\x80\x85\xe9'\n",
		  "# coding: cp1252\ns = "
		  "'\xe2\x80\x9c\xe2\x82\xac\xe2\x80\xa6\xc3\xa9'\n",
		  "cp1252");
	/* 0x81 is undefined in cp1252: Python refuses it. */
	BAD_DECODE("# coding: cp1252\ns = '\x81'\n",
		   "t.py: invalid cp1252 at byte offset 22");
}

TEST(source_decode_ascii)
{
	BAD_DECODE("# coding: ascii\nx = '\xe9'\n",
		   "t.py: invalid ascii at byte offset 21");
}

TEST(source_decode_iconv_codecs)
{
	/* Python's codec names reach glibc's iconv: 0xc1 is Cyrillic a. */
	OK_DECODE("# coding: koi8_r\ns = '\xc1'\n",
		  "# coding: koi8_r\ns = '\xd0\xb0'\n", "koi8_r");
	OK_DECODE("# coding: iso8859_15\ns = '\xa4'\n",
		  "# coding: iso8859_15\ns = '\xe2\x82\xac'\n", "iso8859_15");
	/* Shift-JIS: 0x82 0xa0 is hiragana a; a lone lead byte is invalid. */
	OK_DECODE("# coding: shift_jis\ns = '\x82\xa0'\n",
		  "# coding: shift_jis\ns = '\xe3\x81\x82'\n", "shift_jis");
	BAD_DECODE("# coding: shift_jis\ns = '\x82",
		   "t.py: invalid shift_jis at byte offset 25");
	BAD_DECODE("# coding: utf-16\nx = 1\n",
		   "t.py: encoding 'utf-16' declared on line 1 cannot be used "
		   "for Python source "
		   "(it is not ASCII-compatible)");
}

TEST(source_decode_invalid_utf8)
{
	BAD_DECODE("abc\xff"
		   "def",
		   "t.py: invalid utf-8 at byte offset 3");
	/* The offset counts the BOM: it is an offset into the original bytes.
	 */
	BAD_DECODE("\xef\xbb\xbf"
		   "ab\xc3(",
		   "t.py: invalid utf-8 at byte offset 5");
	/* Overlong, surrogate, above U+10FFFF, truncated at the end. */
	BAD_DECODE("x\xc0\xaf", "t.py: invalid utf-8 at byte offset 1");
	BAD_DECODE("xy\xed\xa0\x80", "t.py: invalid utf-8 at byte offset 2");
	BAD_DECODE("\xf4\x90\x80\x80", "t.py: invalid utf-8 at byte offset 0");
	BAD_DECODE("ok\n\xe2\x82", "t.py: invalid utf-8 at byte offset 3");
}

TEST(source_decode_nul_byte)
{
	BAD_DECODE("x = 1\n\0y", "t.py: binary file (NUL byte at offset 6)");
	/* Binary wins over a bad declaration or bad UTF-8 later on. */
	BAD_DECODE("\x89PNG\r\n\x1a\n\0\0",
		   "t.py: binary file (NUL byte at offset 8)");
	BAD_DECODE("# coding: latin-1\n\0",
		   "t.py: binary file (NUL byte at offset 18)");
}

TEST(source_decode_unknown_encoding)
{
	BAD_DECODE("# coding: klingon\nx = 1\n",
		   "t.py: unknown encoding 'klingon' declared on line 1");
	BAD_DECODE("#!/usr/bin/python\n# -*- coding: no-such.codec -*-\n",
		   "t.py: unknown encoding 'no-such.codec' declared on line 2");
}

TEST(source_load_file_ok)
{
	struct source s;
	struct err e = ERR_INIT;
	char *path = tmp_path("euclidean.py");
	char *root = realpath(test_tmpdir(), NULL);
	char *want_path = xasprintf("%s/euclidean.py", root);
	char hex[65];

	write_bytes(path, "# coding: latin-1\nn = '\xe9'\n", 26);
	source_init(&s);
	CHECK_INT(source_load_file(path, SOURCE_MAX_BYTES_DEFAULT, &s, &e), 0);
	CHECK_STR(s.name, "euclidean");
	CHECK_STR(s.path, want_path);
	CHECK_STR(s.dir, root);
	CHECK_STR(s.encoding, "iso-8859-1");
	CHECK_STR(s.text, "# coding: latin-1\nn = '\xc3\xa9'\n");
	sha256_hex(s.text, s.len, hex);
	CHECK_STR(s.sha256, hex);
	CHECK(s.git_commit == NULL);

	/* A stem that is no identifier is kept as it is. */
	free(path);
	path = tmp_path("my-module.v2.py");
	write_bytes(path, "x = 1\n", 6);
	CHECK_INT(source_load_file(path, 0, &s, &e), 0);
	CHECK_STR(s.name, "my-module.v2");
	source_release(&s);
	free(want_path);
	free(root);
	free(path);
}

TEST(source_load_file_rejects)
{
	struct source s;
	struct err e = ERR_INIT;
	char *dir = tmp_path("pkg");
	char *fifo = tmp_path("pipe.py");
	char *big = tmp_path("big.py");
	char *bin = tmp_path("bin.py");
	char *missing = tmp_path("missing.py");
	char *want;
	char data[100];

	source_init(&s);
	CHECK_INT(source_load_file("rel/a.py", 0, &s, &e), RUSTIFY_ESOURCE);
	CHECK_STR(e.msg, "rel/a.py: the path must be absolute");

	CHECK(mkdir(dir, 0700) == 0);
	CHECK_INT(source_load_file(dir, 0, &s, &e), RUSTIFY_ESOURCE);
	want = xasprintf("%s: not a regular file", dir);
	CHECK_STR(e.msg, want);
	free(want);

	/* A fifo must be refused without blocking on open. */
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK_INT(source_load_file(fifo, 0, &s, &e), RUSTIFY_ESOURCE);
	want = xasprintf("%s: not a regular file", fifo);
	CHECK_STR(e.msg, want);
	free(want);

	CHECK_INT(source_load_file("/dev/null", 0, &s, &e), RUSTIFY_ESOURCE);
	CHECK_STR(e.msg, "/dev/null: not a regular file");

	memset(data, 'x', sizeof(data));
	write_bytes(big, data, sizeof(data));
	CHECK_INT(source_load_file(big, 10, &s, &e), RUSTIFY_ESOURCE);
	want = xasprintf("%s: file is 100 bytes, the limit is 10", big);
	CHECK_STR(e.msg, want);
	free(want);
	CHECK_INT(source_load_file(big, 100, &s, &e), 0);
	CHECK_INT(s.len, 100);

	write_bytes(bin, "ab\0c", 4);
	CHECK_INT(source_load_file(bin, 0, &s, &e), RUSTIFY_ESOURCE);
	want = xasprintf("%s: binary file (NUL byte at offset 2)", bin);
	CHECK_STR(e.msg, want);
	free(want);

	CHECK_INT(source_load_file(missing, 0, &s, &e), RUSTIFY_ESOURCE);
	want = xasprintf("%s: No such file or directory", missing);
	CHECK_STR(e.msg, want);
	free(want);

	/* A failed load leaves the earlier source untouched. */
	CHECK_INT(s.len, 100);
	CHECK(strstr(s.name, "big") != NULL);
	source_release(&s);
	err_release(&e);
	free(dir);
	free(fifo);
	free(big);
	free(bin);
	free(missing);
}

TEST(source_load_text_names)
{
	struct source s;
	struct err e = ERR_INIT;

	source_init(&s);
	CHECK_INT(source_load_text("x = 1\n", 6, NULL, &s, &e), 0);
	CHECK_STR(s.name, "stdin");
	CHECK(s.path == NULL && s.dir == NULL);
	CHECK_STR(s.text, "x = 1\n");
	CHECK_INT(source_load_text("x = 1\n", 6, "", &s, &e), 0);
	CHECK_STR(s.name, "stdin");
	CHECK_INT(
	    source_load_text("\xef\xbb\xbfy = 2\n", 9, "_metrics2", &s, &e), 0);
	CHECK_STR(s.name, "_metrics2");
	CHECK_STR(s.text, "y = 2\n");

	CHECK_INT(source_load_text("x = 1\n", 6, "2fast", &s, &e),
		  RUSTIFY_ESOURCE);
	CHECK_STR(e.msg, "name: '2fast' is not a valid module name (letters, "
			 "digits and '_', "
			 "not starting with a digit)");
	CHECK_INT(source_load_text("x = 1\n", 6, "my-mod", &s, &e),
		  RUSTIFY_ESOURCE);
	CHECK_INT(source_load_text("x = 1\n", 6, "a.b", &s, &e),
		  RUSTIFY_ESOURCE);
	CHECK_INT(source_load_text("x = 1\n", 6, "../x", &s, &e),
		  RUSTIFY_ESOURCE);
	CHECK_INT(source_load_text("x\0 = 1\n", 7, "m", &s, &e),
		  RUSTIFY_ESOURCE);
	CHECK_STR(e.msg, "m: binary file (NUL byte at offset 1)");
	CHECK_INT(source_load_text("x = '\xff'\n", 7, "m", &s, &e),
		  RUSTIFY_ESOURCE);
	CHECK_STR(e.msg, "m: invalid utf-8 at byte offset 5");
	CHECK_INT(source_load_text(NULL, 0, "m", &s, &e), RUSTIFY_EPARAM);
	CHECK_STR(e.msg, "text: missing");
	/* Still the BOM-stripped text from before. */
	CHECK_STR(s.text, "y = 2\n");
	source_release(&s);
	err_release(&e);
}

/* ---- git --------------------------------------------------------------- */

#define GIT                                                                    \
	"git -c init.defaultBranch=main -c user.name=T -c "                    \
	"user.email=t@example.com "                                            \
	"-c commit.gpgsign=false -c tag.gpgsign=false -c "                     \
	"advice.detachedHead=false"

__attribute__((format(printf, 1, 2))) static void sh(const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	if (system(cmd.data) != 0)
		test_fail(__FILE__, __LINE__, "command failed: %s", cmd.data);
	buf_release(&cmd);
}

static char *git_rev(const char *repo, const char *rev)
{
	char *cmd = xasprintf(GIT " -C '%s' rev-parse '%s'", repo, rev);
	char line[128] = "";
	FILE *p = popen(cmd, "r");

	CHECK(p != NULL);
	CHECK(fgets(line, sizeof(line), p) != NULL);
	CHECK(pclose(p) == 0);
	line[strcspn(line, "\n")] = '\0';
	CHECK_INT(strlen(line), 40);
	free(cmd);
	return xstrdup(line);
}

struct fixture {
	char *work;   /* non-bare repository where commits are made */
	char *remote; /* bare clone acting as the remote */
	char *file_url;
	char *cache;
	char *c1, *c2; /* v1 (tagged v1) and v2 (main) */
};

static const char a_v1[] = "def f():\n    return 1\n";
static const char a_v2[] = "from helper import g\n\ndef f():\n    return g()\n";

/*
 * work: a.py (two versions), helper.py, sub/b.py, alias.py -> a.py,
 * linkdir -> sub, evil.py -> ../../etc/passwd, up -> ../../..;
 * remote.git is a bare clone of it.
 */
static void fixture_init(struct fixture *f)
{
	const char *t = test_tmpdir();

	/* Keep the user's git configuration out of both git and libgit2. */
	setenv("HOME", t, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	f->work = xasprintf("%s/work", t);
	f->remote = xasprintf("%s/remote.git", t);
	f->file_url = xasprintf("file://%s", f->remote);
	f->cache = xasprintf("%s/cache", t);
	sh(GIT " init -q '%s'", f->work);
	sh("mkdir -p '%s/sub' && printf '%%s' '%s' > '%s/a.py' && "
	   "printf 'def g():\\n    return 2\\n' > '%s/helper.py' && "
	   "printf 'B = 1\\n' > '%s/sub/b.py' && cd '%s' && ln -s a.py "
	   "alias.py && "
	   "ln -s sub linkdir && ln -s ../../etc/passwd evil.py && ln -s "
	   "../../.. up",
	   f->work, a_v1, f->work, f->work, f->work, f->work);
	sh("cd '%s' && " GIT " add -A && " GIT " commit -qm v1 && " GIT
	   " tag -a v1 -m v1",
	   f->work);
	sh("printf '%%s' '%s' > '%s/a.py' && cd '%s' && " GIT " commit -qam v2",
	   a_v2, f->work, f->work);
	sh(GIT " clone -q --bare '%s' '%s'", f->work, f->remote);
	f->c1 = git_rev(f->work, "v1^{commit}");
	f->c2 = git_rev(f->work, "main");
}

static void fixture_release(struct fixture *f)
{
	free(f->work);
	free(f->remote);
	free(f->file_url);
	free(f->cache);
	free(f->c1);
	free(f->c2);
}

static char *mirror_dir(const struct fixture *f, const char *url)
{
	char hex[65];

	sha256_hex(url, strlen(url), hex);
	hex[16] = '\0';
	return xasprintf("%s/git/%s", f->cache, hex);
}

static int exists(const char *fmt, const char *a, const char *b)
{
	struct stat st;
	char *p = xasprintf(fmt, a, b);
	int r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static void load_ok(const struct fixture *f, const char *url, const char *path,
		    const char *ref, const char *co, struct source *s)
{
	struct err e = ERR_INIT;

	if (source_load_git(f->cache, url, path, ref, co, 0, s, &e))
		test_fail(__FILE__, __LINE__, "load %s %s@%s: %s", url, path,
			  ref ? ref : "(default)", err_msg(&e));
	err_release(&e);
}

static void load_err(const struct fixture *f, const char *url, const char *path,
		     const char *ref, const char *want)
{
	struct source s;
	struct err e = ERR_INIT;
	char *co = tmp_path("co-err");

	source_init(&s);
	CHECK_INT(source_load_git(f->cache, url, path, ref, co, 0, &s, &e),
		  RUSTIFY_ESOURCE);
	CHECK_STR(e.msg, want);
	CHECK(s.text == NULL);
	err_release(&e);
	free(co);
}

TEST(source_git_default_branch)
{
	struct fixture f;
	struct source s;
	char *co = tmp_path("co1"), *root, *want, *mirror;

	fixture_init(&f);
	source_init(&s);
	load_ok(&f, f.file_url, "a.py", NULL, co, &s);
	CHECK_STR(s.text, a_v2);
	CHECK_STR(s.name, "a");
	CHECK_STR(s.encoding, "utf-8");
	CHECK_STR(s.git_commit, f.c2);
	root = realpath(co, NULL);
	CHECK(root != NULL);
	want = xasprintf("%s/a.py", root);
	CHECK_STR(s.path, want);
	CHECK_STR(s.dir, root);
	/* The whole tree is there, so sibling modules import. */
	CHECK(exists("%s/%s", root, "helper.py"));
	CHECK(exists("%s/%s", root, "sub/b.py"));
	/* A bare mirror, with no index written into it by the checkout. */
	mirror = mirror_dir(&f, f.file_url);
	CHECK(exists("%s/%s", mirror, "config"));
	CHECK(!exists("%s/%s", mirror, "index"));
	CHECK(!exists("%s/%s", mirror, ".git"));
	source_release(&s);
	free(mirror);
	free(want);
	free(root);
	free(co);
	fixture_release(&f);
}

TEST(source_git_refs)
{
	struct fixture f;
	struct source s;
	char *co = tmp_path("co");

	fixture_init(&f);
	source_init(&s);
	load_ok(&f, f.file_url, "a.py", "v1", co, &s);
	CHECK_STR(s.text, a_v1);
	CHECK_STR(s.git_commit, f.c1);
	load_ok(&f, f.file_url, "a.py", f.c1, co, &s);
	CHECK_STR(s.text, a_v1);
	CHECK_STR(s.git_commit, f.c1);
	/* Checking a newer commit out over an older one replaces the file. */
	load_ok(&f, f.file_url, "a.py", "main", co, &s);
	CHECK_STR(s.text, a_v2);
	CHECK_STR(s.git_commit, f.c2);
	load_ok(&f, f.file_url, "./a.py", "HEAD~1", co, &s);
	CHECK_STR(s.text, a_v1);
	load_ok(&f, f.file_url, "a.py", "", co, &s);
	CHECK_STR(s.git_commit, f.c2);
	source_release(&s);
	free(co);
	fixture_release(&f);
}

TEST(source_git_local_paths)
{
	struct fixture f;
	struct source s;
	char *co1 = tmp_path("co-bare"), *co2 = tmp_path("co-work");
	char *stale;

	fixture_init(&f);
	source_init(&s);
	/* A plain path to the bare remote, and to a non-bare repository. */
	load_ok(&f, f.remote, "sub/b.py", NULL, co1, &s);
	CHECK_STR(s.text, "B = 1\n");
	CHECK_STR(s.name, "b");
	CHECK_STR(s.git_commit, f.c2);
	/* A checkout folder that already exists, holding a stale file. */
	CHECK(mkdir(co2, 0700) == 0);
	stale = xasprintf("%s/a.py", co2);
	write_bytes(stale, "stale = True\n", 13);
	load_ok(&f, f.work, "a.py", "v1", co2, &s);
	CHECK_STR(s.text, a_v1);
	source_release(&s);
	free(stale);
	free(co1);
	free(co2);
	fixture_release(&f);
}

TEST(source_git_fetch_reuses_mirror)
{
	struct fixture f;
	struct source s;
	struct stat st1, st2;
	char *co1 = tmp_path("co1"), *co2 = tmp_path("co2");
	char *mirror, *marker, *c3;
	static const char a_v3[] = "def f():\n    return 3\n";

	fixture_init(&f);
	source_init(&s);
	mirror = mirror_dir(&f, f.file_url);
	load_ok(&f, f.file_url, "a.py", NULL, co1, &s);
	CHECK_STR(s.git_commit, f.c2);
	CHECK(stat(mirror, &st1) == 0);
	marker = xasprintf("%s/rustify-test-marker", mirror);
	write_bytes(marker, "x", 1);

	/* A new commit reaches the remote; the next job must see it. */
	sh("printf '%%s' '%s' > '%s/a.py' && cd '%s' && " GIT
	   " commit -qam v3 && " GIT " push -q '%s' main",
	   a_v3, f.work, f.work, f.remote);
	c3 = git_rev(f.work, "main");
	load_ok(&f, f.file_url, "a.py", NULL, co2, &s);
	CHECK_STR(s.text, a_v3);
	CHECK_STR(s.git_commit, c3);
	/* The same mirror, fetched into, not cloned again. */
	CHECK(stat(mirror, &st2) == 0);
	CHECK_INT(st1.st_ino, st2.st_ino);
	CHECK(exists("%s%s", marker, ""));
	/* An old commit by id is still there. */
	load_ok(&f, f.file_url, "a.py", f.c1, co2, &s);
	CHECK_STR(s.text, a_v1);
	source_release(&s);
	free(c3);
	free(marker);
	free(mirror);
	free(co1);
	free(co2);
	fixture_release(&f);
}

TEST(source_git_half_written_mirror)
{
	struct fixture f;
	struct source s;
	char *mirror, *junk, *tmpdir_left, *co = tmp_path("co");

	fixture_init(&f);
	source_init(&s);
	/* What a crash in the middle of a clone could leave behind. */
	mirror = mirror_dir(&f, f.file_url);
	sh("mkdir -p '%s/objects' '%s.tmp/objects'", mirror, mirror);
	junk = xasprintf("%s/HEAD", mirror);
	write_bytes(junk, "garbage", 7);
	load_ok(&f, f.file_url, "a.py", NULL, co, &s);
	CHECK_STR(s.text, a_v2);
	CHECK(exists("%s/%s", mirror, "config"));
	tmpdir_left = xasprintf("%s.tmp", mirror);
	CHECK(!exists("%s%s", tmpdir_left, ""));
	source_release(&s);
	free(tmpdir_left);
	free(junk);
	free(mirror);
	free(co);
	fixture_release(&f);
}

TEST(source_git_symlinks)
{
	struct fixture f;
	struct source s;
	char *co = tmp_path("co");

	fixture_init(&f);
	source_init(&s);
	/* Links that stay inside the checkout are fine. */
	load_ok(&f, f.file_url, "alias.py", NULL, co, &s);
	CHECK_STR(s.text, a_v2);
	load_ok(&f, f.file_url, "linkdir/b.py", NULL, co, &s);
	CHECK_STR(s.text, "B = 1\n");
	/* Links that leave it are not, even when the target is missing. */
	load_err(&f, f.file_url, "evil.py", NULL, outside_msg);
	load_err(&f, f.file_url, "up/etc/passwd", NULL, outside_msg);
	source_release(&s);
	free(co);
	fixture_release(&f);
}

TEST(source_git_stale_symlink_in_checkout)
{
	struct fixture f;
	struct source s;
	struct stat st;
	char *co = tmp_path("co"), *victim = tmp_path("victim"), *link,
	     *planted;

	fixture_init(&f);
	source_init(&s);
	/* A reused checkout folder where "sub" leads somewhere else. */
	CHECK(mkdir(co, 0700) == 0);
	CHECK(mkdir(victim, 0700) == 0);
	link = xasprintf("%s/sub", co);
	CHECK(symlink(victim, link) == 0);
	load_ok(&f, f.file_url, "sub/b.py", NULL, co, &s);
	CHECK_STR(s.text, "B = 1\n");
	/* Nothing was written through the link; sub is a real directory now. */
	planted = xasprintf("%s/b.py", victim);
	CHECK(lstat(planted, &st) < 0 && errno == ENOENT);
	CHECK(lstat(link, &st) == 0 && S_ISDIR(st.st_mode));
	source_release(&s);
	free(planted);
	free(link);
	free(victim);
	free(co);
	fixture_release(&f);
}

TEST(source_git_bad_paths_and_refs)
{
	struct fixture f;
	char *want;

	fixture_init(&f);
	load_err(&f, f.file_url, "../a.py", NULL, outside_msg);
	load_err(&f, f.file_url, "sub/../../a.py", NULL, outside_msg);
	load_err(&f, f.file_url, "sub/../a.py", NULL, outside_msg);
	load_err(&f, f.file_url, "/etc/passwd", NULL, outside_msg);
	load_err(&f, f.file_url, "", NULL, outside_msg);
	load_err(&f, f.file_url, "./", NULL, outside_msg);
	want = xasprintf("path: 'missing.py' not found at HEAD (%.7s)", f.c2);
	load_err(&f, f.file_url, "missing.py", NULL, want);
	free(want);
	want = xasprintf("path: 'sub/nope.py' not found at v1 (%.7s)", f.c1);
	load_err(&f, f.file_url, "sub/nope.py", "v1", want);
	free(want);
	load_err(&f, f.file_url, "a.py", "nope", "ref: 'nope' not found");
	load_err(&f, f.file_url, "a.py", "v1:a.py",
		 "ref: 'v1:a.py' does not name a commit");
	load_err(&f, f.file_url, "a.py",
		 "0123456789012345678901234567890123456789",
		 "ref: '0123456789012345678901234567890123456789' not found");
	fixture_release(&f);
}

TEST(source_git_disallowed_urls)
{
	static const char *const bad[] = {
	    "http://example.com/r.git",
	    "ftp://example.com/r.git",
	    "git://example.com/r.git",
	    "ext::sh -c touch% /tmp/pwned",
	    "fd::3",
	    "-uhack",
	    "relative/repo",
	    "./repo",
	    "repo.git",
	    "https://",
	    "file://",
	    "user@-oProxyCommand=x:repo",
	    "https://example.com/r\n.git",
	};
	struct fixture f;
	struct stat st;
	char *git_cache;

	fixture_init(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		load_err(&f, bad[i], "a.py", NULL, url_msg);
	/* Refused before anything touched the cache. */
	git_cache = xasprintf("%s/git", f.cache);
	CHECK(stat(git_cache, &st) < 0 && errno == ENOENT);
	free(git_cache);
	fixture_release(&f);
}

TEST(source_git_unreachable_repo)
{
	struct fixture f;
	struct source s;
	struct err e = ERR_INIT;
	char *url, *co = tmp_path("co"), *mirror, *prefix;

	fixture_init(&f);
	source_init(&s);
	url = xasprintf("file://%s/no-such-repo.git", test_tmpdir());
	CHECK_INT(source_load_git(f.cache, url, "a.py", NULL, co, 0, &s, &e),
		  RUSTIFY_ESOURCE);
	/* libgit2's own explanation follows ours. */
	prefix = xasprintf("url: cannot fetch '%s': ", url);
	CHECK(!strncmp(e.msg, prefix, strlen(prefix)));
	CHECK(strlen(e.msg) > strlen(prefix) + 5);
	/* Neither a mirror nor a half-made clone is left behind. */
	mirror = mirror_dir(&f, url);
	CHECK(!exists("%s%s", mirror, ""));
	CHECK(!exists("%s%s", mirror, ".tmp"));
	source_release(&s);
	err_release(&e);
	free(prefix);
	free(mirror);
	free(co);
	free(url);
	fixture_release(&f);
}

struct racer {
	const struct fixture *f;
	char *co;
	int rc;
	char *commit;
};

static void *race_load(void *arg)
{
	struct racer *r = arg;
	struct source s;
	struct err e = ERR_INIT;

	source_init(&s);
	r->rc = source_load_git(r->f->cache, r->f->file_url, "a.py", NULL,
				r->co, 0, &s, &e);
	if (!r->rc)
		r->commit = xstrdup(s.git_commit);
	source_release(&s);
	err_release(&e);
	return NULL;
}

TEST(source_git_concurrent_jobs)
{
	struct fixture f;
	struct racer r[4];
	pthread_t th[4];

	fixture_init(&f);
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "co%d", i);
		r[i] = (struct racer){&f, tmp_path(name), -1, NULL};
		CHECK(pthread_create(&th[i], NULL, race_load, &r[i]) == 0);
	}
	for (int i = 0; i < 4; i++)
		CHECK(pthread_join(th[i], NULL) == 0);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(r[i].rc, 0);
		CHECK_STR(r[i].commit, f.c2);
		free(r[i].co);
		free(r[i].commit);
	}
	fixture_release(&f);
}
