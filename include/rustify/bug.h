/*
 * bug.h - assertions that document invariants (after git's BUG() and
 * SQLite's assert()): a broken invariant is a bug in rustify, never a
 * user error, so it stops the process with file:line at once instead of
 * carrying wrong state on. Always compiled in: they are cheap, and a
 * daemon that aborts is restarted, one that goes on corrupts jobs.
 */
#ifndef RUSTIFY_BUG_H
#define RUSTIFY_BUG_H

/* Prints "BUG: FILE:LINE: message" to stderr and aborts. */
void rustify_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn, cold));

#define BUG(...) rustify_bug(__FILE__, __LINE__, __VA_ARGS__)
/* BUG_ON(cond): cond must never hold. */
#define BUG_ON(cond)                                                           \
	do {                                                                   \
		if (__builtin_expect(!!(cond), 0))                             \
			rustify_bug(__FILE__, __LINE__, "BUG_ON(%s)", #cond);  \
	} while (0)

#endif
