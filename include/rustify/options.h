/*
 * options.h - the options of job/submit, listed once: their wire key,
 * rustifyctl's option, what they are, and what they change. The daemon
 * builds its checks and cache keys from this list, the client its flags;
 * a new option is one line here (and its meaning where it is used).
 *
 * X(key, cli, kind, affects, min, max)
 *   kind:    FLAG (bool), NUMBER, INT, STRING, PATH (absolute), LIST
 *            (strings)
 *   affects: PROFILE  the profile (and so everything after it)
 *            RESULT   what is delivered, not the profile
 *            PLACE    only where or how the delivery goes (not part of
 *                     the whole-job cache key)
 *            NOWATCH  like RESULT, but not an option of a watch (each
 *                     watched file gets its own module name)
 */
#ifndef RUSTIFY_OPTIONS_H
#define RUSTIFY_OPTIONS_H

#define RUSTIFY_SUBMIT_OPTIONS(X)                                              \
	X("functions", "--function", LIST, RESULT, 0, 0)                       \
	X("threshold", "--threshold", NUMBER, RESULT, 0, 100)                  \
	X("all", "--all", FLAG, RESULT, 0, 0)                                  \
	X("output", "--output", PATH, PLACE, 0, 0)                             \
	X("python", "--python", PATH, PROFILE, 0, 0)                           \
	X("entry", "--entry", STRING, PROFILE, 0, 0)                           \
	X("entry_cmd", "--entry-cmd", LIST, PROFILE, 0, 0)                     \
	X("iterations", "--iterations", INT, PROFILE, 1, 1000000)              \
	X("list_targets", "--list-targets", FLAG, RESULT, 0, 0)                \
	X("dry_run", "--dry-run", FLAG, RESULT, 0, 0)                          \
	X("module", "--module", STRING, NOWATCH, 0, 0)                         \
	X("install", "--install", FLAG, PLACE, 0, 0)                           \
	X("measure_budget", "--measure-budget", NUMBER, RESULT, 0, 3600)

/* The sources of job/submit: exactly one is given. */
#define RUSTIFY_SUBMIT_SOURCES(X)                                              \
	X("file")                                                              \
	X("text")                                                              \
	X("git")

enum rustify_option_kind {
	OPTION_FLAG,
	OPTION_NUMBER,
	OPTION_INT,
	OPTION_STRING,
	OPTION_PATH,
	OPTION_LIST
};
enum rustify_option_affects {
	OPTION_PROFILE,
	OPTION_RESULT,
	OPTION_PLACE,
	OPTION_NOWATCH
};

struct rustify_option {
	const char *key; /* on the wire: "list_targets" */
	const char *cli; /* rustifyctl: "--list-targets" */
	enum rustify_option_kind kind;
	enum rustify_option_affects affects;
	double min, max; /* NUMBER, INT */
};

/* The table, ended by an entry whose key is NULL. */
static const struct rustify_option rustify_submit_options[] = {
#define RUSTIFY_OPTION_ENTRY(key, cli, kind, affects, min, max)                \
	{key, cli, OPTION_##kind, OPTION_##affects, min, max},
    RUSTIFY_SUBMIT_OPTIONS(RUSTIFY_OPTION_ENTRY)
#undef RUSTIFY_OPTION_ENTRY
	{0, 0, 0, 0, 0, 0},
};

#endif
