/*
 * fs.c - small file helpers (see fs.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "rustify/buf.h"

char *fs_read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char block[65536];
	size_t n;

	if (len)
		*len = 0;
	if (!f)
		return NULL;
	while ((n = fread(block, 1, sizeof(block), f)) > 0)
		buf_add(&b, block, n);
	fclose(f);
	return buf_detach(&b, len);
}

int fs_write_file(const char *path, const char *data, size_t len,
		  struct err *err)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	int rc = 0;

	if (!f) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fwrite(data, 1, len, f) != len) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", tmp, strerror(errno));
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) < 0)
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", path, strerror(errno));
out:
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int fs_mkdirs(const char *path, mode_t mode, struct err *err)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			rc = err_set(err, RUSTIFY_EIO, "mkdir %s: %s", p,
				     strerror(errno));
		*s = '/';
		if (rc)
			goto out;
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		rc = err_set(err, RUSTIFY_EIO, "mkdir %s: %s", p,
			     strerror(errno));
out:
	free(p);
	return rc;
}

void fs_remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", path, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			fs_remove_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(path);
}
