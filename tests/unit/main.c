/*
 * main.c - the unit test runner: runs every registered TEST in its own
 * forked child with a time limit, prints one line per test and ends with
 * "N passed, N failed". Arguments are substrings selecting tests by name.
 * TEST_NOFORK=1 runs tests in-process (for a debugger).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rustify/buf.h"
#include "supervise.h"
#include "test.h"

struct test_entry {
	const char *name;
	const char *file;
	test_fn fn;
};

static struct test_entry *tests;
static size_t ntests, cap_tests;
static char *tmpdir;

void test_register(const char *name, test_fn fn, const char *file)
{
	if (ntests == cap_tests) {
		cap_tests = cap_tests ? cap_tests * 2 : 64;
		tests = xrealloc(tests, cap_tests * sizeof(*tests));
	}
	tests[ntests].name = name;
	tests[ntests].file = file;
	tests[ntests].fn = fn;
	ntests++;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

const char *test_tmpdir(void)
{
	if (!tmpdir) {
		char tmpl[] = "/tmp/rustify-unit-XXXXXX";
		if (!mkdtemp(tmpl)) {
			perror("mkdtemp");
			_exit(1);
		}
		tmpdir = xstrdup(tmpl);
	}
	return tmpdir;
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

static int run_one(const struct test_entry *t)
{
	pid_t pid;
	int status;

	if (getenv("TEST_NOFORK")) {
		t->fn();
		return 0;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		alarm(120);
		t->fn();
		if (tmpdir) {
			char *cmd = xasprintf("rm -rf '%s'", tmpdir);
			if (system(cmd) != 0)
				fprintf(stderr, "    could not remove %s\n",
					tmpdir);
			free(cmd);
		}
		fflush(NULL);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "    killed by signal %d%s\n", WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		return 1;
	}
	return WEXITSTATUS(status) != 0;
}

int main(int argc, char **argv)
{
	size_t passed = 0, failed = 0;

	/* Jobs run by the tests start their children under this binary, as
	 * they start them under rustifyd. */
	if (argc > 1 && !strcmp(argv[1], SUPERVISE_ARG))
		return supervise_main(argc, argv);
	setvbuf(stdout, NULL, _IONBF, 0);
	for (size_t i = 0; i < ntests; i++) {
		if (!selected(tests[i].name, argc, argv))
			continue;
		if (run_one(&tests[i])) {
			printf("FAIL %s (%s)\n", tests[i].name, tests[i].file);
			failed++;
		} else {
			printf("ok   %s\n", tests[i].name);
			passed++;
		}
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	free(tests);
	return failed ? 1 : 0;
}
