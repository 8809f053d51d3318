/*
 * util.c - small helpers rustifyctl needs around the protocol: absolute
 * paths that keep symlinks (a virtualenv's bin/python must stay the
 * venv's), finding programs on $PATH, POSIX-shell-like word splitting for
 * --entry-cmd (never through a shell), reading a whole stream, clocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static char *util_getcwd(void)
{
	size_t size = 256;
	char *p = xmalloc(size);

	while (!getcwd(p, size)) {
		if (errno != ERANGE) {
			free(p);
			return xstrdup(".");
		}
		size *= 2;
		p = xrealloc(p, size);
	}
	return p;
}

/* Drops "." components and doubled slashes; ".." is kept on purpose:
 * folding it lexically is wrong when the left side is a symlink. */
static char *path_clean(const char *path)
{
	struct buf b = BUF_INIT;
	const char *p = path;

	while (*p) {
		const char *s;
		size_t n;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (!n || (n == 1 && s[0] == '.'))
			continue;
		buf_addch(&b, '/');
		buf_add(&b, s, n);
	}
	if (!b.len)
		buf_addch(&b, '/');
	return buf_detach(&b, NULL);
}

char *path_absolute(const char *path)
{
	char *cwd, *joined, *res;

	if (path[0] == '/')
		return path_clean(path);
	cwd = util_getcwd();
	joined = xasprintf("%s/%s", cwd, path);
	res = path_clean(joined);
	free(joined);
	free(cwd);
	return res;
}

int path_existing_dir(const char *dir, const char *verb, char **abs,
		      struct err *err)
{
	struct stat st;

	*abs = realpath(dir, NULL);
	if (*abs && stat(*abs, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	err_set(err, RUSTIFY_ESOURCE, "cannot %s %s: %s", verb, dir,
		*abs ? "not a directory" : strerror(errno));
	free(*abs);
	*abs = NULL;
	return err->code;
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

bool path_is_executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

char *path_find_program(const char *name)
{
	const char *env = getenv("PATH");
	const char *p;
	char *res = NULL;

	if (strchr(name, '/'))
		return path_is_executable(name) ? path_absolute(name) : NULL;
	if (!env || !*env)
		env = "/usr/local/bin:/usr/bin:/bin";
	p = env;
	while (!res) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *dir = n ? xstrndup(p, n) : xstrdup(".");
		char *cand = xasprintf("%s/%s", dir, name);

		if (path_is_executable(cand))
			res = path_absolute(cand);
		free(cand);
		free(dir);
		if (!end)
			break;
		p = end + 1;
	}
	return res;
}

int shell_split(const char *line, json_t *list, struct err *err)
{
	struct buf word = BUF_INIT;
	const char *p = line;
	bool has_word = false;
	int rc = 0;

	for (;;) {
		char c = *p;

		if (!c || c == ' ' || c == '\t' || c == '\n') {
			if (has_word)
				json_array_append_new(list,
						      json_string(word.data));
			buf_reset(&word);
			has_word = false;
			if (!c)
				break;
			p++;
			continue;
		}
		has_word = true;
		if (c == '\\') {
			if (p[1] == '\n') {
				p += 2;
			} else if (p[1]) {
				buf_addch(&word, p[1]);
				p += 2;
			} else {
				rc = err_set(err, RUSTIFY_EPARAM,
					     "--entry-cmd: trailing backslash");
				goto out;
			}
		} else if (c == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (!end) {
				rc = err_set(
				    err, RUSTIFY_EPARAM,
				    "--entry-cmd: unterminated ' quote");
				goto out;
			}
			buf_add(&word, p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else if (c == '"') {
			p++;
			while (*p && *p != '"') {
				/* inside "", a backslash only escapes these */
				if (*p == '\\' && p[1] &&
				    strchr("\"\\$`\n", p[1])) {
					if (p[1] != '\n')
						buf_addch(&word, p[1]);
					p += 2;
					continue;
				}
				buf_addch(&word, *p++);
			}
			if (!*p) {
				rc = err_set(
				    err, RUSTIFY_EPARAM,
				    "--entry-cmd: unterminated \" quote");
				goto out;
			}
			p++;
		} else {
			buf_addch(&word, c);
			p++;
		}
	}
out:
	buf_release(&word);
	return rc;
}

int read_stream(FILE *f, struct buf *out, struct err *err)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	if (ferror(f))
		return err_set(err, RUSTIFY_EIO, "reading standard input: %s",
			       strerror(errno));
	return 0;
}

double time_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double time_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
