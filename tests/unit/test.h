/*
 * test.h - the unit test runner's registration and check macros.
 *
 * TEST(name) { ... } defines a test that the runner (tests/unit/main.c)
 * executes in a forked child, so a crash or abort is one failure, not the
 * end of the run. CHECK* macros print file:line and end the test on
 * failure.
 */
#ifndef RUSTIFY_TEST_H
#define RUSTIFY_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn, const char *file);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/* A fresh temporary directory for this test (removed by the runner). */
const char *test_tmpdir(void);

#define TEST(name)                                                             \
	static void name(void);                                                \
	__attribute__((constructor)) static void test_reg_##name(void)         \
	{                                                                      \
		test_register(#name, name, __FILE__);                          \
	}                                                                      \
	static void name(void)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);     \
	} while (0)

#define CHECK_INT(a, b)                                                        \
	do {                                                                   \
		long long check_a_ = (long long)(a);                           \
		long long check_b_ = (long long)(b);                           \
		if (check_a_ != check_b_)                                      \
			test_fail(__FILE__, __LINE__, "%s == %lld, want %lld", \
				  #a, check_a_, check_b_);                     \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *check_a_ = (a);                                    \
		const char *check_b_ = (b);                                    \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_))      \
			test_fail(__FILE__, __LINE__,                          \
				  "%s == \"%s\", want \"%s\"", #a,             \
				  check_a_ ? check_a_ : "(null)",              \
				  check_b_ ? check_b_ : "(null)");             \
	} while (0)

#endif
