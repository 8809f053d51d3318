/*
 * harness.c - lookup of the Python harnesses embedded by scripts/embed.py.
 * The files are written out next to a job's work folder before a child
 * interpreter runs them, so the daemon never depends on its source tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_embed.h"
#include "rustify/buf.h"

const char *harness_get(const char *name, size_t *len)
{
	for (const struct harness_file *f = harness_files; f->name; f++) {
		if (!strcmp(f->name, name)) {
			if (len)
				*len = f->len;
			return f->data;
		}
	}
	return NULL;
}

int harness_write(const char *name, const char *dir, char **path,
		  struct err *err)
{
	size_t len, off = 0;
	const char *data = harness_get(name, &len);
	char *p = NULL;
	int fd = -1, rc = 0;

	*path = NULL;
	if (!data) {
		rc = err_set(err, RUSTIFY_EINTERNAL, "no embedded harness %s",
			     name);
		goto out;
	}
	p = xasprintf("%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", p, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = err_set(err, RUSTIFY_EIO, "%s: %s", p,
				     strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	*path = p;
	p = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(p);
	return rc;
}
