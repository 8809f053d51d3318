/*
 * fs.h - small file helpers shared by the stages (any thread): read a
 * whole file, write one atomically, mkdir -p, rm -r, copy a tree, and
 * put a tree in place.
 *
 * Nothing here follows a symlink at the name it removes, renames, creates
 * or writes: a symlink is removed as a link, never through. Functions
 * ending in _at work relative to a directory descriptor, so that a
 * directory swapped for a symlink after it was opened is not followed
 * either. Only the directory a caller names by path (the user's output
 * folder, say) may itself be a symlink: that is the caller's choice.
 */
#ifndef RUSTIFY_FS_H
#define RUSTIFY_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rustify/error.h"

/* The file's bytes (malloc'd, NUL-terminated) and length; NULL (errno
 * set) when it cannot be read. */
char *fs_read_all(const char *path, size_t *len);
/* fs_read_all of name in dirfd, refusing a symlink (errno ELOOP). */
char *fs_read_all_at(int dirfd, const char *name, size_t *len);
/* Writes path through a fresh path.tmp (never a symlink) and a rename. */
int fs_write_file(const char *path, const char *data, size_t len,
		  struct err *err);
/* The same relative to dirfd; the file gets mode (before the umask). */
int fs_write_file_at(int dirfd, const char *name, const char *data,
		     size_t len, mode_t mode, struct err *err);
/* mkdir -p; created components get mode. */
int fs_mkdirs(const char *path, mode_t mode, struct err *err);
/* rm -r, without following symlinks (one at path itself is unlinked);
 * missing is fine. */
void fs_remove_tree(const char *path);
/* rm -r of name in dirfd; 0, or -1 with errno set. */
int fs_remove_tree_at(int dirfd, const char *name);
/*
 * Opens name in dirfd (AT_FDCWD: a path) as a directory, creating it with
 * mode when is_create and it is missing; a symlink there is an error that
 * says so. Returns the descriptor or a negative code with err set.
 */
int fs_open_dir_at(int dirfd, const char *name, bool is_create, mode_t mode,
		   struct err *err);
/*
 * Copies the regular files and directories under from into the new
 * directory to (which must not exist), skipping symlinks, __pycache__
 * and target/. Files keep their permission bits (before the umask).
 */
int fs_copy_tree(const char *from, const char *to, struct err *err);
int fs_copy_tree_at(const char *from, int dirfd, const char *name,
		    struct err *err);
/*
 * Copies the tree from to name in dirfd through a sibling temporary
 * (name.tmp-PID), then swaps it in, so that a reader never sees half of
 * it. Whatever was at name (a symlink included) is removed, never
 * followed.
 */
int fs_place_tree_at(const char *from, int dirfd, const char *name,
		     struct err *err);
/* Copies the file from to name in dirfd (tmp + rename) with mode. */
int fs_copy_file_at(const char *from, int dirfd, const char *name,
		    mode_t mode, struct err *err);

#endif
