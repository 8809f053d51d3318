/*
 * fs.c - small file helpers (see fs.h).
 *
 * Everything that removes, renames, creates or writes works relative to
 * a directory descriptor with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW: a name
 * that is (or becomes) a symlink is handled as the link itself. The
 * names of temporaries are predictable (the daemon's pid is public), so
 * whatever is found at one is removed first and the new one is created
 * with O_EXCL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "rustify/buf.h"

static char *read_fd(int fd, size_t *len)
{
	struct buf b = BUF_INIT;
	char block[65536];
	ssize_t n;

	while ((n = read(fd, block, sizeof(block))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			buf_release(&b);
			close(fd);
			errno = e;
			return NULL;
		}
		buf_add(&b, block, (size_t)n);
	}
	close(fd);
	return buf_detach(&b, len);
}

char *fs_read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (len)
		*len = 0;
	if (fd < 0)
		return NULL;
	return read_fd(fd, len);
}

char *fs_read_all_at(int dirfd, const char *name, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (len)
		*len = 0;
	if (fd < 0)
		return NULL;
	return read_fd(fd, len);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The directory part of path and its last component (both malloc'd). */
static void split_path(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*dir = xstrdup(".");
		*base = xstrdup(path);
	} else if (slash == path) {
		*dir = xstrdup("/");
		*base = xstrdup(slash + 1);
	} else {
		*dir = xstrndup(path, (size_t)(slash - path));
		*base = xstrdup(slash + 1);
	}
}

int fs_write_file_at(int dirfd, const char *name, const char *data,
		     size_t len, mode_t mode, struct err *err)
{
	char *tmp = xasprintf("%s.tmp", name);
	int fd = -1, rc = 0;

	if (unlinkat(dirfd, tmp, 0) < 0 && errno == EISDIR)
		fs_remove_tree_at(dirfd, tmp);
	fd = openat(dirfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) < 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* rename replaces a symlink at name, it does not follow it */
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", name,
			     strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlinkat(dirfd, tmp, 0);
	free(tmp);
	return rc;
}

int fs_write_file(const char *path, const char *data, size_t len,
		  struct err *err)
{
	char *dir, *base;
	int dfd, rc;

	split_path(path, &dir, &base);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = fs_write_file_at(dfd, base, data, len, 0666, err);
	if (rc)
		err_prefix(err, "%s", dir);
	close(dfd);
out:
	free(dir);
	free(base);
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

int fs_remove_tree_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		/* a symlink (ELOOP) or a file (ENOTDIR): the name goes */
		if (errno == ELOOP || errno == ENOTDIR)
			return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT
				   ? -1
				   : 0;
		return -1;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			if (fs_remove_tree_at(fd, e->d_name) < 0)
				rc = -1;
		} else if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT) {
			rc = -1;
		}
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

void fs_remove_tree(const char *path)
{
	char *dir, *base;
	int dfd;

	split_path(path, &dir, &base);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0 && base[0] && strcmp(base, ".") && strcmp(base, "..")) {
		fs_remove_tree_at(dfd, base);
	}
	if (dfd >= 0)
		close(dfd);
	free(dir);
	free(base);
}

int fs_open_dir_at(int dirfd, const char *name, bool is_create, mode_t mode,
		   struct err *err)
{
	struct stat st;
	int fd;

	if (is_create && mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
		return err_set(err, RUSTIFY_EIO, "mkdir %s: %s", name,
			       strerror(errno));
	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	/* O_NOFOLLOW with O_DIRECTORY says ENOTDIR for a symlink */
	if (errno == ELOOP ||
	    (errno == ENOTDIR && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	     S_ISLNK(st.st_mode)))
		return err_set(err, RUSTIFY_EIO,
			       "%s is a symlink: refusing to write through it "
			       "(remove it, or choose another output folder)",
			       name);
	return err_set(err, RUSTIFY_EIO, "%s: %s", name, strerror(errno));
}

static int copy_file_fd(const char *from, int dirfd, const char *name,
			mode_t mode, struct err *err)
{
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1;
	char block[65536];
	int rc = 0;
	ssize_t n;

	if (in < 0)
		return err_set(err, RUSTIFY_EIO, "%s: %s", from,
			       strerror(errno));
	out = openat(dirfd, name,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     mode & 0777);
	if (out < 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", name, strerror(errno));
		goto out;
	}
	while ((n = read(in, block, sizeof(block))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(err, RUSTIFY_EIO, "%s: %s", from,
				     strerror(errno));
			goto out;
		}
		if (write_all(out, block, (size_t)n) < 0) {
			rc = err_set(err, RUSTIFY_EIO, "%s: %s", name,
				     strerror(errno));
			goto out;
		}
	}
	if (close(out) < 0) {
		out = -1;
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", name, strerror(errno));
		goto out;
	}
	out = -1;
out:
	if (out >= 0)
		close(out);
	close(in);
	return rc;
}

/* Fills the (new, empty) directory tofd with the tree at from. */
static int copy_into(const char *from, int tofd, struct err *err)
{
	DIR *d = opendir(from);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return err_set(err, RUSTIFY_EIO, "%s: %s", from,
			       strerror(errno));
	while (!rc && (e = readdir(d))) {
		struct stat st;
		char *a;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "__pycache__") ||
		    !strcmp(e->d_name, "target"))
			continue;
		a = xasprintf("%s/%s", from, e->d_name);
		if (lstat(a, &st) == 0 && S_ISDIR(st.st_mode))
			rc = fs_copy_tree_at(a, tofd, e->d_name, err);
		else if (S_ISREG(st.st_mode))
			rc = copy_file_fd(a, tofd, e->d_name, st.st_mode, err);
		free(a);
	}
	closedir(d);
	return rc;
}

int fs_copy_tree_at(const char *from, int dirfd, const char *name,
		    struct err *err)
{
	int fd, rc;

	if (mkdirat(dirfd, name, 0755) < 0)
		return err_set(err, RUSTIFY_EIO, "mkdir %s: %s", name,
			       strerror(errno));
	fd = fs_open_dir_at(dirfd, name, false, 0, err);
	if (fd < 0)
		return fd;
	rc = copy_into(from, fd, err);
	close(fd);
	return rc;
}

int fs_copy_tree(const char *from, const char *to, struct err *err)
{
	char *dir, *base;
	int dfd, rc;

	split_path(to, &dir, &base);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = fs_copy_tree_at(from, dfd, base, err);
	close(dfd);
out:
	free(dir);
	free(base);
	return rc;
}

int fs_place_tree_at(const char *from, int dirfd, const char *name,
		     struct err *err)
{
	char *tmp = xasprintf("%s.tmp-%d", name, (int)getpid());
	char *old = xasprintf("%s.old-%d", name, (int)getpid());
	int rc;

	if (fs_remove_tree_at(dirfd, tmp) < 0 ||
	    fs_remove_tree_at(dirfd, old) < 0) {
		rc = err_set(err, RUSTIFY_EIO, "cannot clear %s: %s", tmp,
			     strerror(errno));
		goto out;
	}
	rc = fs_copy_tree_at(from, dirfd, tmp, err);
	if (rc)
		goto out;
	/* rename moves a symlink at name, never what it points to */
	if (renameat(dirfd, name, dirfd, old) < 0 && errno != ENOENT) {
		rc = err_set(err, RUSTIFY_EIO, "rename %s: %s", name,
			     strerror(errno));
		goto out;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		rc = err_set(err, RUSTIFY_EIO, "rename %s: %s", tmp,
			     strerror(errno));
		goto out;
	}
	fs_remove_tree_at(dirfd, old);
out:
	if (rc)
		fs_remove_tree_at(dirfd, tmp);
	free(tmp);
	free(old);
	return rc;
}

int fs_copy_file_at(const char *from, int dirfd, const char *name,
		    mode_t mode, struct err *err)
{
	char *tmp = xasprintf("%s.tmp", name);
	int rc;

	if (fs_remove_tree_at(dirfd, tmp) < 0) {
		rc = err_set(err, RUSTIFY_EIO, "cannot clear %s: %s", tmp,
			     strerror(errno));
		goto out;
	}
	rc = copy_file_fd(from, dirfd, tmp, mode, err);
	if (rc)
		goto out;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		rc = err_set(err, RUSTIFY_EIO, "rename %s: %s", name,
			     strerror(errno));
out:
	if (rc)
		unlinkat(dirfd, tmp, 0);
	free(tmp);
	return rc;
}
