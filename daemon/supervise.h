/*
 * supervise.h - `rustifyd --supervise -- PROGRAM ARGS...`: the subreaper
 * every child of a job runs under (see supervise.c).
 */
#ifndef RUSTIFY_SUPERVISE_H
#define RUSTIFY_SUPERVISE_H

#include <stdbool.h>

/* The first argument that selects the supervisor. */
#define SUPERVISE_ARG "--supervise"

/* Runs the program in argv after "--supervise --"; its exit status. */
int supervise_main(int argc, char **argv);

#endif
