/*
 * clock.c - wall-clock time as Unix seconds (see clock.h). A module of
 * its own so that everything can use it without depending on the server.
 */
#include <time.h>

#include "clock.h"

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
