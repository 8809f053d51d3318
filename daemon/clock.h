/*
 * clock.h - the time every module stamps things with (any thread).
 */
#ifndef RUSTIFY_CLOCK_H
#define RUSTIFY_CLOCK_H

/* Unix time in seconds, with sub-second precision. */
double now_seconds(void);

#endif
