/*
 * display.c - everything rustifyctl prints for people: the live progress
 * line on a terminal (or plain "[stage] N% message" lines when stderr is
 * not one), aligned tables, byte and time formats, and the summaries of a
 * job object and of a job result.
 *
 * Progress and logs go to stderr; results go to the FILE the caller
 * passes (stdout), so --json output stays a single document.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

/* ---- JSON access ------------------------------------------------------ */

const char *json_get_str(json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : dflt;
}

double json_get_num(json_t *obj, const char *key, double dflt)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

bool json_get_bool(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return json_is_true(v);
}

char *json_get_id(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
	return NULL;
}

void display_json(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	fflush(stdout);
}

void display_bytes(struct buf *out, double bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;

	while (bytes >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024.0;
		u++;
	}
	if (u == 0)
		buf_addf(out, "%.0f B", bytes);
	else
		buf_addf(out, "%.1f %s", bytes, units[u]);
}

void display_time(struct buf *out, json_t *unix_seconds)
{
	struct tm tm;
	time_t t;
	char text[64];

	if (!json_is_number(unix_seconds)) {
		buf_adds(out, "-");
		return;
	}
	t = (time_t)json_number_value(unix_seconds);
	if (!localtime_r(&t, &tm) ||
	    !strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &tm)) {
		buf_adds(out, "-");
		return;
	}
	buf_adds(out, text);
}

/* ---- progress --------------------------------------------------------- */

void progress_init(struct progress *p, bool is_tty, bool is_quiet,
		   bool is_verbose)
{
	memset(p, 0, sizeof(*p));
	p->is_tty = is_tty;
	p->is_quiet = is_quiet;
	p->is_verbose = is_verbose && !is_quiet;
}

void progress_release(struct progress *p)
{
	free(p->stage);
	free(p->message);
	p->stage = NULL;
	p->message = NULL;
}

static size_t progress_columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* Cuts s to at most max columns, counting UTF-8 code points. */
static void progress_add_clipped(struct buf *out, const char *s, size_t max)
{
	size_t cols = 0;

	for (; *s && cols < max; cols++) {
		size_t n = 1;

		while (((unsigned char)s[n] & 0xC0) == 0x80)
			n++;
		if (*s == '\n' || *s == '\r' || *s == '\t')
			buf_addch(out, ' ');
		else
			buf_add(out, s, n);
		s += n;
	}
}

static void progress_draw(struct progress *p)
{
	struct buf line = BUF_INIT;
	double elapsed = time_monotonic() - p->stage_start;
	int pct = (int)lround(p->percent < 0	 ? 0
			      : p->percent > 100 ? 100
						 : p->percent);
	int filled = pct / 5;
	size_t cols = progress_columns();

	buf_addf(&line, "\r\033[K%-9s [", p->stage);
	for (int i = 0; i < 20; i++)
		buf_addch(&line, i < filled ? '#' : '-');
	buf_addf(&line, "] %3d%% %6.1fs", pct, elapsed);
	if (p->message && *p->message && line.len + 2 < cols + 4) {
		buf_adds(&line, "  ");
		/* line.len counts the 4 escape bytes, which take no column */
		progress_add_clipped(&line, p->message,
				     cols + 4 - line.len - 1);
	}
	fputs(line.data, stderr);
	fflush(stderr);
	p->is_line_open = true;
	p->last_draw = time_monotonic();
	buf_release(&line);
}

void progress_finish(struct progress *p)
{
	if (p->is_line_open) {
		fputc('\n', stderr);
		fflush(stderr);
	}
	p->is_line_open = false;
}

void progress_update(struct progress *p, const char *stage, double percent,
		     const char *message)
{
	bool is_new_stage = !p->stage || strcmp(p->stage, stage);

	if (p->is_quiet)
		return;
	if (is_new_stage) {
		if (p->is_tty && p->is_line_open)
			progress_draw(p);
		progress_finish(p);
		free(p->stage);
		p->stage = xstrdup(stage);
		p->stage_start = time_monotonic();
	}
	free(p->message);
	p->message = xstrdup(message ? message : "");
	p->percent = percent;
	if (p->is_tty) {
		progress_draw(p);
		return;
	}
	fprintf(stderr, "[%s] %d%%%s%s\n", stage, (int)lround(percent),
		*p->message ? " " : "", p->message);
	fflush(stderr);
}

void progress_log(struct progress *p, const char *stream, const char *line)
{
	if (!p->is_verbose)
		return;
	if (p->is_tty && p->is_line_open)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s: %s\n", stream, line);
	if (p->is_tty && p->is_line_open)
		progress_draw(p);
	fflush(stderr);
}

void progress_tick(struct progress *p)
{
	if (p->is_tty && p->is_line_open && !p->is_quiet &&
	    time_monotonic() - p->last_draw >= 0.2)
		progress_draw(p);
}

/* ---- tables ----------------------------------------------------------- */

void table_init(struct table *t, size_t ncols, const char *const *headers)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = xcalloc(ncols, sizeof(char *));
	t->is_right = xcalloc(ncols, sizeof(bool));
	t->overflow_at = xcalloc(ncols, sizeof(size_t));
	for (size_t i = 0; i < ncols; i++)
		t->cells[i] = xstrdup(headers[i]);
}

void table_release(struct table *t)
{
	for (size_t i = 0; i < (t->nrows + 1) * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->is_right);
	free(t->overflow_at);
	memset(t, 0, sizeof(*t));
}

void table_align_right(struct table *t, size_t col)
{
	t->is_right[col] = true;
}

void table_set_overflow(struct table *t, size_t col, size_t width)
{
	t->overflow_at[col] = width;
}

void table_add_row(struct table *t, const char *const *cells)
{
	size_t base = (t->nrows + 1) * t->ncols;

	t->cells =
	    xrealloc(t->cells, (t->nrows + 2) * t->ncols * sizeof(char *));
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[base + i] = xstrdup(cells[i] ? cells[i] : "");
	t->nrows++;
}

static size_t table_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

void table_print(const struct table *t, FILE *f)
{
	size_t *widths = xcalloc(t->ncols, sizeof(size_t));
	struct buf line = BUF_INIT;

	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = table_width(t->cells[r * t->ncols + c]);

			if (t->overflow_at[c] && w > t->overflow_at[c] && r)
				continue;
			if (w > widths[c])
				widths[c] = w;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		buf_reset(&line);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			size_t w = table_width(cell);
			size_t pad = w < widths[c] ? widths[c] - w : 0;

			if (c)
				buf_adds(&line, "  ");
			if (t->is_right[c])
				for (size_t i = 0; i < pad; i++)
					buf_addch(&line, ' ');
			buf_adds(&line, cell);
			if (!t->is_right[c])
				for (size_t i = 0; i < pad; i++)
					buf_addch(&line, ' ');
		}
		while (line.len && line.data[line.len - 1] == ' ')
			buf_truncate(&line, line.len - 1);
		fprintf(f, "%s\n", line.data);
	}
	buf_release(&line);
	free(widths);
}

/* ---- job and result summaries ----------------------------------------- */

static void display_add_seconds(struct buf *out, json_t *v)
{
	if (!json_is_number(v)) {
		buf_adds(out, "-");
		return;
	}
	buf_addf(out, "%.2fs", json_number_value(v));
}

/* "n/m": verified may be a count of matching inputs or a bool. */
static void display_add_verified(struct buf *out, json_t *fn)
{
	json_t *v = json_object_get(fn, "verified");
	json_t *checked = json_object_get(fn, "checked_inputs");
	double m = json_is_number(checked) ? json_number_value(checked) : -1;

	if (json_is_number(v)) {
		if (m >= 0)
			buf_addf(out, "%.0f/%.0f", json_number_value(v), m);
		else
			buf_addf(out, "%.0f", json_number_value(v));
	} else if (json_is_boolean(v)) {
		if (m >= 0)
			buf_addf(out, "%.0f/%.0f", json_is_true(v) ? m : 0.0,
				 m);
		else
			buf_adds(out, json_is_true(v) ? "yes" : "no");
	} else {
		buf_adds(out, "-");
	}
}

static void display_functions(json_t *functions, FILE *f)
{
	static const char *const headers[] = {
	    "function",	  "line",     "time%",	"self%",
	    "translated", "verified", "speedup"};
	struct table t;
	size_t i;
	json_t *fn;

	table_init(&t, 7, headers);
	table_align_right(&t, 1);
	table_align_right(&t, 2);
	table_align_right(&t, 3);
	table_set_overflow(&t, 4, 12);
	json_array_foreach(functions, i, fn) {
		struct buf line = BUF_INIT, share = BUF_INIT, own = BUF_INIT,
			   tr = BUF_INIT, ver = BUF_INIT, speed = BUF_INIT;
		json_t *v;
		bool is_translated = json_get_bool(fn, "translated");
		const char *reason = json_get_str(fn, "reason", NULL);
		const char *cells[7];

		v = json_object_get(fn, "line");
		if (json_is_number(v))
			buf_addf(&line, "%.0f", json_number_value(v));
		v = json_object_get(fn, "time_share");
		if (json_is_number(v))
			buf_addf(&share, "%.1f%%",
				 json_number_value(v) * 100.0);
		else
			buf_adds(&share, "-");
		/* time% counts what becomes native with the function (its
		 * comprehensions, lambdas, nested defs, the builtins it
		 * calls); self% its own frames alone */
		v = json_object_get(fn, "self_share");
		if (json_is_number(v))
			buf_addf(&own, "%.1f%%", json_number_value(v) * 100.0);
		else
			buf_adds(&own, "-");
		if (is_translated) {
			buf_adds(&tr, "yes");
			display_add_verified(&ver, fn);
			v = json_object_get(fn, "speedup");
			if (json_is_number(v))
				buf_addf(&speed, "%.1fx", json_number_value(v));
			else
				buf_adds(&speed, "-");
		} else if (reason && *reason) {
			buf_addf(&tr, "no: %s", reason);
		} else if (json_object_get(fn, "selected") &&
			   !json_get_bool(fn, "selected")) {
			buf_adds(&tr, "no: not selected");
		} else {
			buf_adds(&tr, "no");
		}
		cells[0] = json_get_str(fn, "name", "?");
		cells[1] = line.data;
		cells[2] = share.data;
		cells[3] = own.data;
		cells[4] = tr.data;
		cells[5] = ver.data;
		cells[6] = speed.data;
		table_add_row(&t, cells);
		buf_release(&line);
		buf_release(&share);
		buf_release(&own);
		buf_release(&tr);
		buf_release(&ver);
		buf_release(&speed);
	}
	table_print(&t, f);
	table_release(&t);
	/* A translated function that still runs as Python (it failed
	 * verification, or was slower) says why under the table; a callee
	 * selected with its caller says by whom. */
	json_array_foreach(functions, i, fn) {
		const char *reason = json_get_str(fn, "reason", NULL);
		const char *by = json_get_str(fn, "pulled_in_by", NULL);
		if (by && *by)
			fprintf(f, "  %s: selected with its caller %s\n",
				json_get_str(fn, "name", "?"), by);
		if (json_get_bool(fn, "translated") && reason && *reason)
			fprintf(f, "  %s: %s\n", json_get_str(fn, "name", "?"),
				reason);
	}
}

static void display_stages(json_t *stages, FILE *f)
{
	static const char *const headers[] = {"stage", "status", "seconds",
					      "message"};
	struct table t;
	size_t i;
	json_t *st;

	table_init(&t, 4, headers);
	table_align_right(&t, 2);
	json_array_foreach(stages, i, st) {
		struct buf secs = BUF_INIT;
		const char *cells[4];

		if (strcmp(json_get_str(st, "status", ""), "skipped"))
			display_add_seconds(&secs,
					    json_object_get(st, "seconds"));
		else
			buf_adds(&secs, "-");
		cells[0] = json_get_str(st, "name", "?");
		cells[1] = json_get_str(st, "status", "-");
		cells[2] = secs.data;
		cells[3] = json_get_str(st, "message", "");
		table_add_row(&t, cells);
		buf_release(&secs);
	}
	table_print(&t, f);
	table_release(&t);
}

/* The table's footer: what the whole-workload check measured. */
static void display_workload(json_t *result, FILE *f)
{
	json_t *sp = json_object_get(result, "workload_speedup");
	json_t *range = json_object_get(result, "workload_speedup_range");

	if (!json_is_number(sp))
		return;
	fprintf(f, "whole workload: %.2fx faster", json_number_value(sp));
	if (json_array_size(range) == 2)
		fprintf(f, " (%.2fx to %.2fx, CPU time)",
			json_number_value(json_array_get(range, 0)),
			json_number_value(json_array_get(range, 1)));
	fputc('\n', f);
}

void display_result(json_t *result, FILE *f)
{
	json_t *functions = json_object_get(result, "functions");
	json_t *stages = json_object_get(result, "stages");
	const char *state = json_get_str(result, "state", "?");
	const char *error = json_get_str(result, "error", NULL);
	const char *s;
	char *id = json_get_id(result, "job");
	double fallbacks = json_get_num(result, "fallbacks", 0);

	if (json_array_size(functions)) {
		display_functions(functions, f);
		display_workload(result, f);
		fputc('\n', f);
	}
	if (json_array_size(stages)) {
		display_stages(stages, f);
		fputc('\n', f);
	}
	s = json_get_str(result, "module", NULL);
	if (s && *s)
		fprintf(f, "module: %s\n", s);
	s = json_get_str(result, "output", NULL);
	if (s && *s)
		fprintf(f, "output: %s\n", s);
	s = json_get_str(result, "wheel", NULL);
	if (s && *s)
		fprintf(f, "wheel:  %s\n", s);
	fprintf(f, "job %s: %s", id ? id : "?", state);
	if (json_get_bool(result, "cache_hit"))
		fputs(" (from cache)", f);
	if (fallbacks > 0)
		fprintf(f, ", fallbacks: %.0f", fallbacks);
	if (error && *error)
		fprintf(f, ": %s", error);
	fputc('\n', f);
	free(id);
}

/* The request's source in a few words: the file, stdin name or git URL. */
static void display_source(struct buf *out, json_t *request)
{
	json_t *git = json_object_get(request, "git");
	const char *s = json_get_str(request, "file", NULL);

	if (s) {
		buf_adds(out, s);
	} else if (json_is_object(git)) {
		buf_addf(out, "%s %s", json_get_str(git, "url", "?"),
			 json_get_str(git, "path", "?"));
		s = json_get_str(git, "ref", NULL);
		if (s)
			buf_addf(out, "@%s", s);
	} else if (json_object_get(request, "text")) {
		buf_addf(out, "<text %s>", json_get_str(request, "name", "?"));
	} else {
		buf_adds(out, "-");
	}
}

void display_job(json_t *job, FILE *f)
{
	struct buf b = BUF_INIT;
	char *id = json_get_id(job, "id");
	char *retry_of = json_get_id(job, "retry_of");
	const char *stage = json_get_str(job, "stage", NULL);
	const char *error = json_get_str(job, "error", NULL);
	json_t *request = json_object_get(job, "request");

	fprintf(f, "job:       %s\n", id ? id : "?");
	fprintf(f, "state:     %s\n", json_get_str(job, "state", "?"));
	if (stage)
		fprintf(f, "stage:     %s (%.0f%%)\n", stage,
			json_get_num(job, "percent", 0));
	if (error && *error)
		fprintf(f, "error:     %s\n", error);
	if (retry_of)
		fprintf(f, "retry of:  %s\n", retry_of);
	display_source(&b, request);
	fprintf(f, "source:    %s\n", b.data);
	buf_reset(&b);
	display_time(&b, json_object_get(job, "created_at"));
	fprintf(f, "created:   %s\n", b.data);
	buf_reset(&b);
	display_time(&b, json_object_get(job, "started_at"));
	fprintf(f, "started:   %s\n", b.data);
	buf_reset(&b);
	display_time(&b, json_object_get(job, "finished_at"));
	fprintf(f, "finished:  %s\n", b.data);
	buf_release(&b);
	free(retry_of);
	free(id);
}

void display_job_row(struct table *t, json_t *job)
{
	struct buf created = BUF_INIT, src = BUF_INIT, stage = BUF_INIT;
	char *id = json_get_id(job, "id");
	const char *cells[5];
	const char *s = json_get_str(job, "stage", NULL);

	if (s)
		buf_addf(&stage, "%s %.0f%%", s,
			 json_get_num(job, "percent", 0));
	else
		buf_adds(&stage, "-");
	display_time(&created, json_object_get(job, "created_at"));
	display_source(&src, json_object_get(job, "request"));
	cells[0] = id ? id : "?";
	cells[1] = json_get_str(job, "state", "?");
	cells[2] = stage.data;
	cells[3] = created.data;
	cells[4] = src.data;
	table_add_row(t, cells);
	buf_release(&created);
	buf_release(&src);
	buf_release(&stage);
	free(id);
}
