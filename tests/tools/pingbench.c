/*
 * pingbench.c - `tool-pingbench rustify|redis SOCKET N`: a lean client
 * for make bench. It sends N pre-encoded pings one at a time over a Unix
 * socket (a JSON-RPC ping to rustifyd, a RESP PING to redis-server),
 * waits for each whole reply, and prints the round trip's p50, p99 and
 * mean in microseconds: "p50 p99 mean". No JSON is parsed or printed on
 * the client side, so the figures are the server's and the kernel's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Reads until buf holds one whole reply; its length, or -1. */
static ssize_t read_reply(int fd, char *buf, size_t cap, int is_redis)
{
	size_t got = 0;

	for (;;) {
		ssize_t n = read(fd, buf + got, cap - got - 1);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		buf[got] = '\0';
		if (is_redis) {
			if (got >= 7 && !memcmp(buf + got - 2, "\r\n", 2))
				return (ssize_t)got;
			continue;
		}
		char *end = strstr(buf, "\r\n\r\n");
		if (end) {
			size_t body = strtoul(buf + 15, NULL, 10);
			if (got >= (size_t)(end + 4 - buf) + body)
				return (ssize_t)got;
		}
	}
}

int main(int argc, char **argv)
{
	static const char rustify_ping[] =
	    "Content-Length: 40\r\n\r\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
	static const char redis_ping[] = "*1\r\n$4\r\nPING\r\n";
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[4096];
	double *lat, sum = 0;
	int fd, is_redis, n;
	const char *req;
	size_t req_len;

	if (argc != 4 || (strcmp(argv[1], "rustify") && strcmp(argv[1], "redis"))) {
		fprintf(stderr, "usage: tool-pingbench rustify|redis SOCKET N\n");
		return 2;
	}
	is_redis = !strcmp(argv[1], "redis");
	req = is_redis ? redis_ping : rustify_ping;
	req_len = strlen(req);
	n = atoi(argv[3]);
	if (n < 1 || strlen(argv[2]) >= sizeof(sa.sun_path))
		return 2;
	strcpy(sa.sun_path, argv[2]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(argv[2]);
		return 1;
	}
	lat = calloc((size_t)n, sizeof(*lat));
	/* a warm-up, not counted */
	for (int i = 0; i < n / 10 + 10; i++)
		if (write(fd, req, req_len) != (ssize_t)req_len ||
		    read_reply(fd, buf, sizeof(buf), is_redis) < 0)
			return 1;
	for (int i = 0; i < n; i++) {
		double t = now_us();
		if (write(fd, req, req_len) != (ssize_t)req_len ||
		    read_reply(fd, buf, sizeof(buf), is_redis) < 0) {
			fprintf(stderr, "lost the connection\n");
			return 1;
		}
		lat[i] = now_us() - t;
		sum += lat[i];
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("%.1f %.1f %.1f\n", lat[n / 2], lat[n * 99 / 100], sum / n);
	free(lat);
	close(fd);
	return 0;
}
