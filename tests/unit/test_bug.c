/*
 * test_bug.c - BUG() and BUG_ON() stop the process with file:line and
 * the broken invariant, whatever NDEBUG says.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rustify/buf.h"
#include "rustify/bug.h"
#include "test.h"

/* Runs fn in a child; its stderr and how it ended. */
static char *run_child(void (*fn)(int), int arg, int *status)
{
	struct buf out = BUF_INIT;
	int fds[2];
	char chunk[512];
	ssize_t n;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
		buf_add(&out, chunk, (size_t)n);
	close(fds[0]);
	CHECK(waitpid(pid, status, 0) == pid);
	return buf_detach(&out, NULL);
}

static void call_bug(int n)
{
	BUG("the queue holds %d jobs", n);
}

static void call_bug_on(int n)
{
	BUG_ON(n + 1 == 2);
}

TEST(bug_aborts_with_file_line_and_message)
{
	int status;
	char *err = run_child(call_bug, 3, &status);

	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(err, "BUG: tests/unit/test_bug.c:"));
	CHECK(strstr(err, ": the queue holds 3 jobs\n"));
	free(err);
}

TEST(bug_on_names_the_condition_and_passes_when_false)
{
	int status;
	char *err = run_child(call_bug_on, 1, &status);

	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(err, "BUG_ON(n + 1 == 2)"));
	free(err);
	err = run_child(call_bug_on, 5, &status);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_STR(err, "");
	free(err);
}
