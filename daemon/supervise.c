/*
 * supervise.c - the small supervisor every child of a job runs under:
 * `rustifyd --supervise -- PROGRAM ARGS...` (proc.c starts it).
 *
 * A process group is not enough to find a workload's processes: a
 * grandchild that double-forks and calls setsid leaves the group, and a
 * kill of the group misses it. The supervisor is a child subreaper
 * (PR_SET_CHILD_SUBREAPER), so every orphan below it becomes its child,
 * and, where cgroup v2 lets it, it puts the program in a cgroup of its
 * own whose cgroup.kill reaches every descendant at once. When the
 * program exits, or when the daemon asks (SIGTERM) or dies
 * (PR_SET_PDEATHSIG), it kills the program's group, the cgroup, then
 * every descendant it still finds, reaps them all, and exits with the
 * program's status (dying of the same signal when the program did).
 *
 * The supervisor stays out of the program's group and cgroup, so that
 * killing them does not kill it before it is done. The daemon itself is
 * never a subreaper: libuv reaps only the children it spawned.
 *
 * Runs before anything of the daemon starts: no loop, no log, no store.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rustify/buf.h"
#include "supervise.h"

/* Writes text into a (cgroup) file; 0 or -1. */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The cgroup v2 mount point (malloc'd), or NULL. */
static char *cgroup2_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	char *found = NULL;

	while (f && !found && fgets(line, sizeof(line), f)) {
		/* "... MOUNT OPTS [optional fields] - cgroup2 SOURCE OPTS" */
		char *dash = strstr(line, " - cgroup2 ");
		char *p = line;
		if (!dash)
			continue;
		for (int field = 0; field < 4 && p; field++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (p && p < dash)
			found = xstrndup(p, strcspn(p, " "));
	}
	if (f)
		fclose(f);
	return found;
}

/* Our cgroup v2 path ("0::/a/b" -> "/a/b"), malloc'd, or NULL. */
static char *cgroup2_self(void)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[4096];
	char *found = NULL;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3))
			found = xstrndup(line + 3, strcspn(line + 3, "\n"));
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * A fresh cgroup for the program, beside the supervisor's own: its path
 * (malloc'd), or NULL when cgroup v2 is not there or not writable.
 */
static char *cgroup_create(void)
{
	char *mnt = cgroup2_mount(), *self = cgroup2_self(), *dir = NULL;
	char *kill_file = NULL;

	if (!mnt || !self)
		goto out;
	dir = xasprintf("%s%s%srustify-supervise-%d", mnt,
			strcmp(self, "/") ? self : "", "/", (int)getpid());
	kill_file = xasprintf("%s/cgroup.kill", dir);
	if (mkdir(dir, 0700) < 0 || access(kill_file, W_OK) < 0) {
		rmdir(dir);
		free(dir);
		dir = NULL;
	}
out:
	free(mnt);
	free(self);
	free(kill_file);
	return dir;
}

/* pid's parent from /proc/PID/stat, or -1. */
static pid_t parent_of(const char *pid)
{
	char path[300], data[1024], *rp;
	long ppid = -1;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(data, 1, sizeof(data) - 1, f);
	fclose(f);
	data[n] = '\0';
	/* "PID (COMM) STATE PPID ...": COMM may hold spaces and parens */
	rp = strrchr(data, ')');
	if (!rp || sscanf(rp + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* SIGKILLs every child of ours (orphans land here); how many. */
static int kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid();
	int n = 0;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (parent_of(e->d_name) == self) {
			kill((pid_t)atol(e->d_name), SIGKILL);
			n++;
		}
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * Kills the program's group, its cgroup and every descendant found, and
 * reaps them all; *status gets the program's wait status when it is
 * reaped here.
 */
static void kill_all(pid_t child, const char *cgroup, int *status,
		     bool *has_status)
{
	char *kill_file = cgroup ? xasprintf("%s/cgroup.kill", cgroup) : NULL;

	for (;;) {
		int st;
		pid_t w;

		kill(-child, SIGKILL);
		if (kill_file)
			write_file(kill_file, "1");
		kill_children();
		w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break; /* ECHILD: nobody is left below us */
		if (w == child && !*has_status) {
			*status = st;
			*has_status = true;
		}
	}
	free(kill_file);
	/* Dead processes leave their cgroup just after they are reaped. */
	for (int i = 0; cgroup && i < 100 && rmdir(cgroup) < 0 &&
			errno == EBUSY;
	     i++)
		usleep(10000);
}

static void child_exec(char **argv, const char *cgroup,
		       const sigset_t *old)
{
	struct sigaction sa;

	/* its own group: the daemon's recorded group is the supervisor's */
	setpgid(0, 0);
	if (cgroup) {
		char *procs = xasprintf("%s/cgroup.procs", cgroup);
		write_file(procs, "0");
		free(procs);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int supervise_main(int argc, char **argv)
{
	sigset_t set, old;
	pid_t parent = getppid(), child;
	char *cgroup = NULL;
	int status = 0, sig, i = 1;
	bool has_status = false;
	struct rlimit no_core = {0, 0};

	if (i < argc && !strcmp(argv[i], "--supervise"))
		i++;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: rustifyd --supervise -- PROGRAM "
				"[ARGS...]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* The daemon dying is a stop too (it may have been SIGKILLed). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 1;
	cgroup = cgroup_create();
	child = fork();
	if (child < 0) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		free(cgroup);
		return 127;
	}
	if (child == 0)
		child_exec(argv + i, cgroup, &old);
	/* The group exists as soon as either side made it. */
	setpgid(child, child);
	for (;;) {
		siginfo_t info;

		sig = sigwaitinfo(&set, &info);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD)
			break; /* told to stop */
		for (;;) {
			int st;
			pid_t w = waitpid(-1, &st, WNOHANG);
			if (w <= 0)
				break;
			if (w == child) {
				status = st;
				has_status = true;
			}
		}
		if (has_status)
			break;
	}
	kill_all(child, cgroup, &status, &has_status);
	free(cgroup);
	if (!has_status)
		return 128 + SIGKILL;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* Die the program's death, so the daemon sees its signal. */
	sig = WTERMSIG(status);
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	{
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
	}
	raise(sig);
	return 128 + sig;
}
