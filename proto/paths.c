/*
 * paths.c - where rustifyd listens by default, one definition for the
 * daemon and its clients (they disagreed when $XDG_RUNTIME_DIR was not
 * absolute).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rustify/buf.h"
#include "rustify/proto.h"

/* path made absolute against the working directory, without resolving
 * symlinks. */
static char *absolute(const char *path)
{
	char *cwd;
	char *out;

	if (path[0] == '/')
		return xstrdup(path);
	cwd = getcwd(NULL, 0);
	out = xasprintf("%s/%s", cwd ? cwd : ".", path);
	free(cwd);
	return out;
}

char *rustify_socket_default(bool *is_default)
{
	const char *e = getenv("RUSTIFY_SOCKET");

	if (is_default)
		*is_default = !(e && *e);
	if (e && *e)
		return absolute(e);
	/* The XDG base directory spec: a relative value is to be ignored. */
	e = getenv("XDG_RUNTIME_DIR");
	if (e && e[0] == '/')
		return xasprintf("%s/rustify/rustifyd.sock", e);
	return xasprintf("/tmp/rustify-%u/rustifyd.sock", (unsigned)getuid());
}
