/*
 * source.c - the "sources" stage: reads Python source from a file, from
 * client text or from a git repository, and decodes it to UTF-8.
 *
 * Owns: CPython's rules for source encodings (PEP 263 declarations, the
 * UTF-8 BOM, strict decoding), the checks on files (absolute, regular,
 * size limit), and the git mirror cache under cache_dir/git/ (one bare
 * mirror per URL, flock'ed while it is cloned or fetched, checked out into
 * a per-job folder). Does not own: what is done with the text (index,
 * profile) or where cache_dir and checkout folders live (the job code).
 *
 * Everything here runs on worker threads: no global state beyond the
 * libgit2 initialisation, every descriptor is opened O_CLOEXEC so children
 * spawned meanwhile by other threads do not inherit (and hold) our locks.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <ftw.h>
#include <iconv.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "rustify/buf.h"
#include "rustify/error.h"
#include "sha256.h"
#include "source.h"

/* Symlinks followed while resolving a path in a checkout, as Linux's own. */
#define SOURCE_MAX_SYMLINKS 40

void source_init(struct source *s)
{
	memset(s, 0, sizeof(*s));
}

void source_release(struct source *s)
{
	free(s->name);
	free(s->path);
	free(s->dir);
	free(s->text);
	free(s->encoding);
	free(s->git_commit);
	source_init(s);
}

/* Moves a finished source into the caller's struct. */
static void source_move(struct source *dst, struct source *src)
{
	source_release(dst);
	*dst = *src;
	source_init(src);
}

/* ---- decoding ---------------------------------------------------------- */

enum codec {
	CODEC_UTF8,
	CODEC_LATIN1,
	CODEC_ASCII,
	CODEC_CP1252,
	CODEC_ICONV,
};

/* Python's encoding aliases for the codecs decoded here without iconv,
 * keyed as encodings.normalize_encoding() leaves them (lowercased). */
static const struct {
	const char *key;
	enum codec codec;
} codec_aliases[] = {
    {"utf_8", CODEC_UTF8},
    {"utf8", CODEC_UTF8},
    {"u8", CODEC_UTF8},
    {"utf", CODEC_UTF8},
    {"cp65001", CODEC_UTF8},
    {"utf8_ucs2", CODEC_UTF8},
    {"utf8_ucs4", CODEC_UTF8},
    {"latin_1", CODEC_LATIN1},
    {"latin1", CODEC_LATIN1},
    {"latin", CODEC_LATIN1},
    {"l1", CODEC_LATIN1},
    {"iso8859_1", CODEC_LATIN1},
    {"iso_8859_1", CODEC_LATIN1},
    {"iso_8859_1_1987", CODEC_LATIN1},
    {"iso_ir_100", CODEC_LATIN1},
    {"csisolatin1", CODEC_LATIN1},
    {"8859", CODEC_LATIN1},
    {"cp819", CODEC_LATIN1},
    {"ibm819", CODEC_LATIN1},
    {"ascii", CODEC_ASCII},
    {"646", CODEC_ASCII},
    {"us_ascii", CODEC_ASCII},
    {"us", CODEC_ASCII},
    {"ansi_x3.4_1968", CODEC_ASCII},
    {"ansi_x3_4_1968", CODEC_ASCII},
    {"ansi_x3.4_1986", CODEC_ASCII},
    {"cp367", CODEC_ASCII},
    {"csascii", CODEC_ASCII},
    {"ibm367", CODEC_ASCII},
    {"iso646_us", CODEC_ASCII},
    {"iso_646.irv_1991", CODEC_ASCII},
    {"iso_ir_6", CODEC_ASCII},
    {"cp1252", CODEC_CP1252},
    {"windows_1252", CODEC_CP1252},
    {"1252", CODEC_CP1252},
};

static const char *const codec_names[] = {
    [CODEC_UTF8] = "utf-8",
    [CODEC_LATIN1] = "iso-8859-1",
    [CODEC_ASCII] = "ascii",
    [CODEC_CP1252] = "cp1252",
};

/* cp1252 bytes 0x80..0x9f; 0 marks the five bytes Python refuses. */
static const uint16_t cp1252_high[32] = {
    0x20ac, 0,	    0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,	    0x017d, 0,
    0,	    0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,	    0x017e, 0x0178,
};

static int is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static int is_blank_byte(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

/*
 * Matches CPython's cookie regex ^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)
 * against one line; on a match stores the name in *name.
 */
static int coding_match_line(const char *s, size_t n, struct buf *name)
{
	size_t i = 0;

	while (i < n && is_blank_byte(s[i]))
		i++;
	if (i >= n || s[i] != '#')
		return 0;
	for (size_t j = i + 1; j + 7 <= n; j++) {
		size_t k, start;

		if (memcmp(s + j, "coding", 6) ||
		    (s[j + 6] != ':' && s[j + 6] != '='))
			continue;
		k = j + 7;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		start = k;
		while (k < n &&
		       (is_word_byte(s[k]) || s[k] == '-' || s[k] == '.'))
			k++;
		if (k > start) {
			buf_reset(name);
			buf_add(name, s + start, k - start);
			return 1;
		}
	}
	return 0;
}

/* A line that lets line 2 carry the declaration: ^[ \t\f]*(?:[#\r\n]|$) */
static int line_is_blank_or_comment(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_blank_byte(s[i]))
		i++;
	return i == n || s[i] == '#' || s[i] == '\r' || s[i] == '\n';
}

/* Finds a declaration on line 1 or 2; returns its line number or 0. */
static int coding_find(const char *s, size_t n, struct buf *name)
{
	const char *nl = memchr(s, '\n', n);
	size_t len1 = nl ? (size_t)(nl - s) : n;

	if (coding_match_line(s, len1, name))
		return 1;
	if (!nl || !line_is_blank_or_comment(s, len1))
		return 0;
	s += len1 + 1;
	n -= len1 + 1;
	nl = memchr(s, '\n', n);
	if (coding_match_line(s, nl ? (size_t)(nl - s) : n, name))
		return 2;
	return 0;
}

/* encodings.normalize_encoding() followed by lower(): runs of characters
 * other than alphanumerics and '.' become one '_'. */
static void codec_key(const char *name, struct buf *key)
{
	int punct = 0;

	buf_reset(key);
	for (const char *p = name; *p; p++) {
		unsigned char c = *p;

		if (isalnum(c) || c == '.') {
			if (punct && key->len)
				buf_addch(key, '_');
			buf_addch(key, (char)tolower(c));
			punct = 0;
		} else {
			punct = 1;
		}
	}
}

/*
 * Maps a declared name to a codec the way CPython's tokenizer does:
 * get_normal_name() first (which folds "utf-8-*" and "latin-1-*" spellings),
 * then the codec registry's aliases. Anything else goes to iconv.
 */
static enum codec codec_lookup(const char *declared)
{
	struct buf low = BUF_INIT, key = BUF_INIT;
	enum codec codec = CODEC_ICONV;

	for (size_t i = 0; i < 12 && declared[i]; i++) {
		unsigned char c = (unsigned char)declared[i];

		buf_addch(&low, c == '_' ? '-' : (char)tolower(c));
	}
	if (!strcmp(low.data, "utf-8") || !strncmp(low.data, "utf-8-", 6)) {
		codec = CODEC_UTF8;
		goto out;
	}
	if (!strcmp(low.data, "latin-1") || !strcmp(low.data, "iso-8859-1") ||
	    !strcmp(low.data, "iso-latin-1") ||
	    !strncmp(low.data, "latin-1-", 8) ||
	    !strncmp(low.data, "iso-8859-1-", 11) ||
	    !strncmp(low.data, "iso-latin-1-", 12)) {
		codec = CODEC_LATIN1;
		goto out;
	}
	codec_key(declared, &key);
	for (size_t i = 0; i < sizeof(codec_aliases) / sizeof(codec_aliases[0]);
	     i++) {
		if (!strcmp(key.data, codec_aliases[i].key)) {
			codec = codec_aliases[i].codec;
			break;
		}
	}
out:
	buf_release(&low);
	buf_release(&key);
	return codec;
}

static void utf8_add(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_addch(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addch(b, (char)(0xc0 | (cp >> 6)));
		buf_addch(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addch(b, (char)(0xe0 | (cp >> 12)));
		buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addch(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * Length of the valid UTF-8 sequence at s, or 0 when it is invalid by
 * Python's strict rules: no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequence.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need + 1;
}

/* Returns the offset (within s) of the first invalid byte, or n. */
static size_t decode_simple(enum codec codec, const unsigned char *s, size_t n,
			    struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];

		if (codec == CODEC_UTF8) {
			size_t k = utf8_seq_len(s + i, n - i);

			if (!k)
				return i;
			buf_add(out, s + i, k);
			i += k;
			continue;
		}
		if (c < 0x80) {
			buf_addch(out, (char)c);
		} else if (codec == CODEC_ASCII) {
			return i;
		} else if (codec == CODEC_CP1252 && c < 0xa0) {
			if (!cp1252_high[c - 0x80])
				return i;
			utf8_add(out, cp1252_high[c - 0x80]);
		} else {
			utf8_add(out, c);
		}
		i++;
	}
	return n;
}

/* Opens an iconv decoder for a name Python spells its own way ("koi8_r",
 * "iso8859_15"): tries the name, then '-' for '_', then the bare key. */
static iconv_t codec_iconv_open(const char *declared)
{
	struct buf name = BUF_INIT;
	iconv_t cd = iconv_open("UTF-8", declared);

	if (cd != (iconv_t)-1)
		goto out;
	buf_adds(&name, declared);
	for (size_t i = 0; i < name.len; i++)
		if (name.data[i] == '_')
			name.data[i] = '-';
	cd = iconv_open("UTF-8", name.data);
	if (cd != (iconv_t)-1)
		goto out;
	codec_key(declared, &name);
	for (size_t i = 0, j = 0; i <= name.len; i++)
		if (name.data[i] != '_')
			name.data[j++] = name.data[i];
	cd = iconv_open("UTF-8", name.data);
out:
	buf_release(&name);
	return cd;
}

/*
 * Runs iconv over all of s. Returns 0, or -1 with *bad at the offset of the
 * first byte that does not decode (EILSEQ, or a truncated tail).
 */
static int decode_iconv(iconv_t cd, const char *s, size_t n, struct buf *out,
			size_t *bad)
{
	char *in = (char *)s;
	size_t inleft = n;
	int flushing = 0;

	iconv(cd, NULL, NULL, NULL, NULL);
	for (;;) {
		size_t room, r;
		char *o;

		buf_grow(out, inleft * 4 + 16);
		room = out->cap - out->len - 1;
		o = out->data + out->len;
		if (flushing)
			r = iconv(cd, NULL, NULL, &o, &room);
		else
			r = iconv(cd, &in, &inleft, &o, &room);
		out->len = (size_t)(o - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1) {
			if (flushing)
				return 0;
			flushing = 1;
			continue;
		}
		if (errno == E2BIG)
			continue;
		*bad = (size_t)(in - s);
		return -1;
	}
}

/* An encoding Python could not even have read the declaration in. */
static int iconv_is_ascii_compatible(iconv_t cd)
{
	static const char probe[] = "# -*- coding: x -*-\n";
	struct buf out = BUF_INIT;
	size_t bad;
	int ok;

	ok = !decode_iconv(cd, probe, sizeof(probe) - 1, &out, &bad) &&
	     out.len == sizeof(probe) - 1 && !memcmp(out.data, probe, out.len);
	buf_release(&out);
	return ok;
}

int source_decode(const char *bytes, size_t len, const char *origin,
		  struct source *out, struct err *err)
{
	struct buf declared = BUF_INIT, text = BUF_INIT;
	const char *body = bytes;
	size_t body_len = len, skip = 0, bad;
	const char *nul;
	enum codec codec = CODEC_UTF8;
	iconv_t cd = (iconv_t)-1;
	int line, rc = 0;

	if (!origin)
		origin = "<source>";
	nul = len ? memchr(bytes, '\0', len) : NULL;
	if (nul) {
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "%s: binary file (NUL byte at offset %zu)", origin,
			     (size_t)(nul - bytes));
		goto out;
	}
	if (len >= 3 && !memcmp(bytes, "\xef\xbb\xbf", 3)) {
		skip = 3;
		body += 3;
		body_len -= 3;
	}
	line = coding_find(body, body_len, &declared);
	if (line) {
		codec = codec_lookup(declared.data);
		if (codec == CODEC_ICONV) {
			cd = codec_iconv_open(declared.data);
			if (cd == (iconv_t)-1) {
				rc = err_set(err, RUSTIFY_ESOURCE,
					     "%s: unknown encoding '%s' "
					     "declared on line %d",
					     origin, declared.data, line);
				goto out;
			}
			if (!iconv_is_ascii_compatible(cd)) {
				rc = err_set(err, RUSTIFY_ESOURCE,
					     "%s: encoding '%s' declared on "
					     "line %d cannot be "
					     "used for Python source (it is "
					     "not ASCII-compatible)",
					     origin, declared.data, line);
				goto out;
			}
		}
		/* CPython: "encoding problem: utf-8" for a BOM plus another
		 * codec. */
		if (skip && codec != CODEC_UTF8) {
			rc = err_set(err, RUSTIFY_ESOURCE,
				     "%s: the file starts with a UTF-8 BOM but "
				     "line %d declares "
				     "encoding '%s'",
				     origin, line, declared.data);
			goto out;
		}
	}
	buf_grow(&text, body_len);
	if (codec == CODEC_ICONV) {
		if (decode_iconv(cd, body, body_len, &text, &bad) < 0) {
			rc = err_set(err, RUSTIFY_ESOURCE,
				     "%s: invalid %s at byte offset %zu",
				     origin, declared.data, skip + bad);
			goto out;
		}
		/* Stateful codecs can spell U+0000 without a NUL byte. */
		if (memchr(text.data, '\0', text.len)) {
			rc = err_set(err, RUSTIFY_ESOURCE,
				     "%s: binary file (NUL character after "
				     "decoding from %s)",
				     origin, declared.data);
			goto out;
		}
	} else {
		bad = decode_simple(codec, (const unsigned char *)body,
				    body_len, &text);
		if (bad < body_len) {
			rc = err_set(err, RUSTIFY_ESOURCE,
				     "%s: invalid %s at byte offset %zu",
				     origin, codec_names[codec], skip + bad);
			goto out;
		}
	}

	free(out->text);
	free(out->encoding);
	sha256_hex(text.data, text.len, out->sha256);
	out->text = buf_detach(&text, &out->len);
	out->encoding =
	    xstrdup(codec == CODEC_ICONV ? declared.data : codec_names[codec]);
out:
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	buf_release(&declared);
	buf_release(&text);
	return rc;
}

/* ---- files and text ---------------------------------------------------- */

static int is_identifier(const char *s)
{
	if (!*s || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (; *s; s++)
		if (!is_word_byte(*s))
			return 0;
	return 1;
}

/* pathlib's stem: the last component without its last suffix. */
static char *path_stem(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return xstrdup(base);
	return xstrndup(base, (size_t)(dot - base));
}

static char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Reads the whole regular file at fd, at most max bytes. */
static int read_all(int fd, const char *path, size_t max, struct buf *data,
		    struct err *err)
{
	struct stat st;

	for (;;) {
		ssize_t n;

		buf_grow(data, 65536);
		n = read(fd, data->data + data->len, data->cap - data->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, RUSTIFY_EIO, "%s: %s", path,
				       strerror(errno));
		if (n == 0)
			break;
		data->len += (size_t)n;
		data->data[data->len] = '\0';
		if (data->len > max) {
			/* It grew after we looked at its size. */
			size_t size = data->len;

			if (!fstat(fd, &st) && (size_t)st.st_size > size)
				size = (size_t)st.st_size;
			return err_set(
			    err, RUSTIFY_ESOURCE,
			    "%s: file is %zu bytes, the limit is %zu", path,
			    size, max);
		}
	}
	return 0;
}

int source_load_file(const char *path, size_t max_bytes, struct source *out,
		     struct err *err)
{
	struct source s;
	struct buf data = BUF_INIT;
	struct stat st;
	char *real = NULL;
	int fd = -1, rc = 0;

	source_init(&s);
	if (!max_bytes)
		max_bytes = SOURCE_MAX_BYTES_DEFAULT;
	if (!path || path[0] != '/') {
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "%s: the path must be absolute",
			     path ? path : "(null)");
		goto out;
	}
	real = realpath(path, NULL);
	if (!real) {
		rc = err_set(err, RUSTIFY_ESOURCE, "%s: %s", path,
			     strerror(errno));
		goto out;
	}
	/* stat before open: opening a fifo or a device can block or act. */
	if (stat(real, &st) < 0) {
		rc = err_set(err, RUSTIFY_ESOURCE, "%s: %s", path,
			     strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(err, RUSTIFY_ESOURCE, "%s: not a regular file",
			     path);
		goto out;
	}
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = err_set(err, RUSTIFY_ESOURCE, "%s: %s", path,
			     strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(err, RUSTIFY_ESOURCE, "%s: not a regular file",
			     path);
		goto out;
	}
	if ((uintmax_t)st.st_size > max_bytes) {
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "%s: file is %jd bytes, the limit is %zu", path,
			     (intmax_t)st.st_size, max_bytes);
		goto out;
	}
	rc = read_all(fd, path, max_bytes, &data, err);
	if (rc)
		goto out;
	rc = source_decode(data.data, data.len, path, &s, err);
	if (rc)
		goto out;
	s.name = path_stem(real);
	s.dir = path_dirname(real);
	s.path = real;
	real = NULL;
	source_move(out, &s);
out:
	if (fd >= 0)
		close(fd);
	free(real);
	buf_release(&data);
	source_release(&s);
	return rc;
}

int source_load_text(const char *text, size_t len, const char *name,
		     struct source *out, struct err *err)
{
	struct source s;
	int rc = 0;

	source_init(&s);
	if (!name || !*name)
		name = "stdin";
	if (!is_identifier(name)) {
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "name: '%s' is not a valid module name (letters, "
			     "digits and '_', "
			     "not starting with a digit)",
			     name);
		goto out;
	}
	if (!text) {
		rc = err_set(err, RUSTIFY_EPARAM, "text: missing");
		goto out;
	}
	rc = source_decode(text, len, name, &s, err);
	if (rc)
		goto out;
	s.name = xstrdup(name);
	source_move(out, &s);
out:
	source_release(&s);
	return rc;
}

/* ---- git --------------------------------------------------------------- */

static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static int git_init_result;

static bool git_is_initialised;

static void git_init_once(void)
{
	git_init_result = git_libgit2_init();
	git_is_initialised = git_init_result >= 0;
}

void source_git_shutdown(void)
{
	if (git_is_initialised)
		git_libgit2_shutdown();
	git_is_initialised = false;
}

/* Sets err to "what: <libgit2's last message>". */
__attribute__((format(printf, 3, 4))) static int
git_fail(struct err *err, int code, const char *fmt, ...)
{
	const git_error *ge = git_error_last();
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_addf(&b, ": %s",
		 ge && ge->message ? ge->message : "unknown libgit2 error");
	err_set(err, code, "%s", b.data);
	buf_release(&b);
	return code;
}

static const char url_not_allowed[] =
    "url: scheme not allowed (allowed: https, ssh, file, local path)";

/* scp-like ssh: user@host:path, as git reads it (no '/' before the ':'). */
static int url_is_scp_like(const char *url)
{
	const char *at = strchr(url, '@'), *colon, *p;

	if (!at || at == url || url[0] == '-')
		return 0;
	for (p = url; p < at; p++)
		if (!is_word_byte(*p) && *p != '.' && *p != '-')
			return 0;
	colon = strchr(at + 1, ':');
	if (!colon || colon == at + 1 || at[1] == '-' || !colon[1])
		return 0;
	for (p = at + 1; p < colon; p++)
		if (!is_word_byte(*p) && *p != '.' && *p != '-')
			return 0;
	return 1;
}

static int url_check(const char *url, struct err *err)
{
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(err, RUSTIFY_ESOURCE, "%s",
				       url_not_allowed);
	if ((!strncmp(url, "https://", 8) && url[8]) ||
	    (!strncmp(url, "ssh://", 6) && url[6]) ||
	    (!strncmp(url, "file://", 7) && url[7]) || url[0] == '/' ||
	    url_is_scp_like(url))
		return 0;
	return err_set(err, RUSTIFY_ESOURCE, "%s", url_not_allowed);
}

/* Normalises a repository-relative path; "" when it would leave the tree. */
static void repo_path_normalise(const char *path, struct buf *out)
{
	const char *p = path;

	buf_reset(out);
	if (!path || path[0] == '/')
		return;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !memcmp(p, "..", 2)) {
			buf_reset(out);
			return;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (out->len)
				buf_addch(out, '/');
			buf_add(out, p, n);
		}
		p += n;
		while (*p == '/')
			p++;
	}
}

static int mkdir_p(const char *path, struct err *err)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	buf_adds(&b, path);
	for (size_t i = 1; i <= b.len; i++) {
		if (i < b.len && b.data[i] != '/')
			continue;
		b.data[i] = '\0';
		if (mkdir(b.data, 0777) < 0 && errno != EEXIST) {
			rc = err_set(err, RUSTIFY_EIO, "%s: %s", b.data,
				     strerror(errno));
			goto out;
		}
		if (i < b.len)
			b.data[i] = '/';
	}
out:
	buf_release(&b);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int rm_rf(const char *path, struct err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return err_set(err, RUSTIFY_EIO, "%s: cannot remove: %s", path,
			       strerror(errno));
	return 0;
}

struct git_auth {
	int tries;
};

/* Offers the ssh agent once; https credentials are not ours to hold. */
static int git_credentials_cb(git_credential **out, const char *url,
			      const char *user, unsigned int allowed,
			      void *payload)
{
	struct git_auth *auth = payload;

	if (auth->tries++ > 0)
		return GIT_PASSTHROUGH;
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(out,
							 user ? user : "git");
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user ? user : "git");
	return GIT_PASSTHROUGH;
}

/*
 * A remote for url (anonymous when name is NULL) with the mirror refspec.
 * url.*.insteadOf is not applied: configuration must not turn an allowed
 * URL into one url_check() refused. (That rewrite is also where libgit2 1.5
 * runs a regex over every config entry, and it leaks ~20 KiB of pcre2 match
 * data per entry that does not match; fixed upstream by libgit2 PR #6382.)
 */
static int remote_create(git_remote **out, git_repository *repo,
			 const char *name, const char *url)
{
	git_remote_create_options opts;

	git_remote_create_options_init(&opts,
				       GIT_REMOTE_CREATE_OPTIONS_VERSION);
	opts.repository = repo;
	opts.name = name;
	opts.fetchspec = "+refs/heads/*:refs/heads/*";
	opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	return git_remote_create_with_opts(out, url, &opts);
}

/*
 * Fetches every branch and tag of origin into the same names (a mirror)
 * and points HEAD at the remote's default branch.
 */
static int mirror_fetch(git_repository *repo, const char *url, struct err *err)
{
	static char spec_heads[] = "+refs/heads/*:refs/heads/*";
	static char spec_tags[] = "+refs/tags/*:refs/tags/*";
	char *specs[] = {spec_heads, spec_tags};
	git_strarray refspecs = {specs, 2};
	git_fetch_options opts;
	struct git_auth auth = {0};
	git_remote *remote = NULL;
	git_reference *head = NULL;
	git_buf branch = {0};
	int rc = 0;

	/* The _init functions, not the _INIT macros: those trip -Wextra. */
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	/* Anonymous, not git_remote_lookup(): see remote_create(). */
	if (remote_create(&remote, repo, NULL, url) < 0) {
		rc = git_fail(err, RUSTIFY_ESOURCE, "url: '%s'", url);
		goto out;
	}
	opts.callbacks.credentials = git_credentials_cb;
	opts.callbacks.payload = &auth;
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	opts.prune = GIT_FETCH_PRUNE;
	if (git_remote_fetch(remote, &refspecs, &opts, "rustify: fetch") < 0) {
		rc = git_fail(err, RUSTIFY_ESOURCE, "url: cannot fetch '%s'",
			      url);
		goto out;
	}
	/* An empty remote has no default branch: HEAD stays unborn. */
	if (git_remote_default_branch(&branch, remote) == 0 &&
	    git_reference_symbolic_create(&head, repo, "HEAD", branch.ptr, 1,
					  "rustify: remote HEAD") < 0) {
		rc =
		    git_fail(err, RUSTIFY_EIO,
			     "git: cannot set HEAD of the mirror of '%s'", url);
		goto out;
	}
out:
	git_buf_dispose(&branch);
	git_reference_free(head);
	git_remote_free(remote);
	return rc;
}

/* Opens the mirror at dir if it is a bare repository whose origin is url. */
static int mirror_open(git_repository **repo, const char *dir, const char *url)
{
	git_config *config = NULL;
	const char *origin = NULL;
	int ok;

	if (git_repository_open_ext(repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) < 0)
		return -1;
	ok = git_repository_is_bare(*repo) &&
	     !git_repository_config_snapshot(&config, *repo) &&
	     !git_config_get_string(&origin, config, "remote.origin.url") &&
	     !strcmp(origin, url);
	git_config_free(config);
	if (!ok) {
		git_repository_free(*repo);
		*repo = NULL;
		return -1;
	}
	return 0;
}

/*
 * Clones url as a bare mirror into dir. The clone is made in dir.tmp and
 * renamed into place, so a crash never leaves a half-written mirror at dir.
 * (git_clone is not used: with a mirror refspec, libgit2 1.5 leaves HEAD at
 * refs/heads/master and adds refs/remotes/origin/HEAD.)
 */
static int mirror_clone(const char *dir, const char *url, struct err *err)
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	char *tmp = xasprintf("%s.tmp", dir);
	int rc;

	rc = rm_rf(tmp, err);
	if (rc)
		goto out;
	if (git_repository_init(&repo, tmp, 1) < 0) {
		rc = git_fail(err, RUSTIFY_EIO, "git: cannot create %s", tmp);
		goto out;
	}
	if (remote_create(&remote, repo, "origin", url) < 0) {
		rc = git_fail(err, RUSTIFY_ESOURCE, "url: '%s'", url);
		goto out;
	}
	rc = mirror_fetch(repo, url, err);
	if (rc)
		goto out;
	git_remote_free(remote);
	remote = NULL;
	git_repository_free(repo);
	repo = NULL;
	rc = rm_rf(dir, err);
	if (rc)
		goto out;
	if (rename(tmp, dir) < 0)
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", dir, strerror(errno));
out:
	git_remote_free(remote);
	git_repository_free(repo);
	if (rc) {
		struct err ignored = ERR_INIT;

		rm_rf(tmp, &ignored);
		err_release(&ignored);
	}
	free(tmp);
	return rc;
}

static int is_full_hex(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return 0;
	return n == GIT_OID_HEXSZ;
}

/* A commit given by its full id needs no fetch once the mirror has it. */
static int mirror_has_commit(git_repository *repo, const char *ref)
{
	git_oid oid;
	git_commit *commit = NULL;
	int has;

	if (!ref || !is_full_hex(ref) || git_oid_fromstr(&oid, ref) < 0)
		return 0;
	has = git_commit_lookup(&commit, repo, &oid) == 0;
	git_commit_free(commit);
	return has;
}

/*
 * Opens the mirror of url under cache_dir/git/ (cloning or fetching it
 * under its flock) and resolves ref there to a commit.
 */
static int mirror_resolve(const char *cache_dir, const char *url,
			  const char *ref, git_repository **repo_out,
			  git_commit **commit_out, struct err *err)
{
	struct buf base = BUF_INIT;
	git_repository *repo = NULL;
	git_object *obj = NULL, *peeled = NULL;
	char *dir = NULL, *lock = NULL;
	char hash[65];
	int fd = -1, rc;

	buf_addf(&base, "%s/git", cache_dir);
	rc = mkdir_p(base.data, err);
	if (rc)
		goto out;
	sha256_hex(url, strlen(url), hash);
	hash[16] = '\0';
	dir = xasprintf("%s/%s", base.data, hash);
	lock = xasprintf("%s/%s.lock", base.data, hash);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", lock, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			rc = err_set(err, RUSTIFY_EIO, "%s: flock: %s", lock,
				     strerror(errno));
			goto out;
		}
	}
	if (mirror_open(&repo, dir, url) == 0) {
		if (!mirror_has_commit(repo, ref)) {
			rc = mirror_fetch(repo, url, err);
			if (rc)
				goto out;
		}
	} else {
		rc = mirror_clone(dir, url, err);
		if (rc)
			goto out;
		if (mirror_open(&repo, dir, url) < 0) {
			rc =
			    git_fail(err, RUSTIFY_EIO,
				     "git: cannot open the new mirror %s", dir);
			goto out;
		}
	}
	if (git_revparse_single(&obj, repo, ref ? ref : "HEAD") < 0) {
		if (ref)
			rc = err_set(err, RUSTIFY_ESOURCE,
				     "ref: '%s' not found", ref);
		else
			rc = err_set(err, RUSTIFY_ESOURCE,
				     "ref: the remote has no default branch "
				     "(is it empty?)");
		goto out;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "ref: '%s' does not name a commit",
			     ref ? ref : "HEAD");
		goto out;
	}
	*repo_out = repo;
	*commit_out = (git_commit *)peeled;
	repo = NULL;
	peeled = NULL;
out:
	git_object_free(peeled);
	git_object_free(obj);
	git_repository_free(repo);
	if (fd >= 0)
		close(fd); /* releases the flock */
	free(lock);
	free(dir);
	buf_release(&base);
	return rc;
}

/*
 * Is path (normalised) in the tree, or possibly reached through a symlink
 * on the way (a symlinked directory)? Then the disk has the final word.
 */
static int tree_may_have(git_tree *tree, const char *path)
{
	struct buf prefix = BUF_INIT;
	git_tree_entry *entry = NULL;
	const char *p = path;
	int found = 0;

	if (!git_tree_entry_bypath(&entry, tree, path)) {
		found = 1;
		goto out;
	}
	while ((p = strchr(p, '/'))) {
		buf_reset(&prefix);
		buf_add(&prefix, path, (size_t)(p - path));
		p++;
		if (git_tree_entry_bypath(&entry, tree, prefix.data))
			break;
		found = git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK;
		git_tree_entry_free(entry);
		entry = NULL;
		if (found)
			break;
	}
out:
	git_tree_entry_free(entry);
	buf_release(&prefix);
	return found;
}

static int read_link(const char *path, struct buf *out)
{
	size_t size = 256;

	for (;;) {
		ssize_t n;

		buf_reset(out);
		buf_grow(out, size);
		n = readlink(path, out->data, size);
		if (n < 0)
			return -errno;
		if ((size_t)n < size) {
			out->len = (size_t)n;
			out->data[n] = '\0';
			return 0;
		}
		size *= 2;
	}
}

/*
 * Resolves rel below root (a real path) the way the kernel would, one
 * component at a time, following symlinks but never above root: -EXDEV
 * when the path leaves root (a "..", an absolute link), -ENOENT when a
 * component is missing, -ELOOP on too many links. On 0, out is the path.
 */
static int resolve_beneath(const char *root, const char *rel, struct buf *out)
{
	struct buf rest = BUF_INIT, cur = BUF_INIT, full = BUF_INIT,
		   link = BUF_INIT;
	int links = 0, rc = 0;

	buf_adds(&rest, rel);
	for (;;) {
		struct stat st;
		size_t skip = 0, n;

		while (skip < rest.len && rest.data[skip] == '/')
			skip++;
		buf_consume(&rest, skip);
		if (!rest.len)
			break;
		n = strcspn(rest.data, "/");
		if (n == 1 && rest.data[0] == '.') {
			buf_consume(&rest, 1);
			continue;
		}
		if (n == 2 && !memcmp(rest.data, "..", 2)) {
			char *slash = strrchr(cur.data, '/');

			if (!cur.len) {
				rc = -EXDEV;
				goto out;
			}
			buf_truncate(&cur,
				     slash ? (size_t)(slash - cur.data) : 0);
			buf_consume(&rest, 2);
			continue;
		}
		buf_reset(&full);
		buf_addf(&full, "%s/%s%s", root, cur.data, cur.len ? "/" : "");
		buf_add(&full, rest.data, n);
		if (lstat(full.data, &st) < 0) {
			rc = errno == ENOTDIR ? -ENOENT : -errno;
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > SOURCE_MAX_SYMLINKS) {
				rc = -ELOOP;
				goto out;
			}
			rc = read_link(full.data, &link);
			if (rc)
				goto out;
			if (link.data[0] == '/') {
				rc = -EXDEV;
				goto out;
			}
			buf_consume(&rest, n);
			buf_addch(&link, '/');
			buf_add(&link, rest.data, rest.len);
			buf_reset(&rest);
			buf_add(&rest, link.data, link.len);
			continue;
		}
		if (cur.len)
			buf_addch(&cur, '/');
		buf_add(&cur, rest.data, n);
		buf_consume(&rest, n);
	}
	buf_reset(out);
	buf_addf(out, "%s%s%s", root, cur.len ? "/" : "", cur.data);
out:
	buf_release(&rest);
	buf_release(&cur);
	buf_release(&full);
	buf_release(&link);
	return rc;
}

static int path_is_inside(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return !strncmp(path, root, n) && path[n] == '/';
}

struct unlink_walk {
	const char *root;
	struct buf path;
	int error;
};

static int unlink_symlink_cb(const char *dir, const git_tree_entry *entry,
			     void *payload)
{
	struct unlink_walk *w = payload;
	struct stat st;

	buf_reset(&w->path);
	buf_addf(&w->path, "%s/%s%s", w->root, dir, git_tree_entry_name(entry));
	if (lstat(w->path.data, &st) == 0 && S_ISLNK(st.st_mode) &&
	    unlink(w->path.data) < 0) {
		w->error = errno;
		return -1;
	}
	return 0;
}

/*
 * A checkout folder that is not fresh (a retried job) may hold symlinks
 * where the tree has directories or files, and libgit2 1.5 writes through
 * them, outside the folder. Removes every symlink found at a path the tree
 * is about to fill; the tree's own symlinks are then made by the checkout.
 */
static int checkout_unlink_symlinks(git_tree *tree, const char *root,
				    struct err *err)
{
	struct unlink_walk w = {root, BUF_INIT, 0};
	int rc = 0;

	if (git_tree_walk(tree, GIT_TREEWALK_PRE, unlink_symlink_cb, &w) < 0) {
		if (w.error)
			rc = err_set(err, RUSTIFY_EIO, "%s: %s", w.path.data,
				     strerror(w.error));
		else
			rc =
			    git_fail(err, RUSTIFY_EIO, "git: walking the tree");
	}
	buf_release(&w.path);
	return rc;
}

/* Writes the commit's whole tree into dir (no index, nothing in the mirror). */
static int checkout_commit(git_repository *repo, git_commit *commit,
			   const char *dir, struct err *err)
{
	git_checkout_options opts;
	git_index *empty = NULL;
	int rc = 0;

	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	if (git_index_new(&empty) < 0) {
		rc = git_fail(err, RUSTIFY_EIO, "git: index");
		goto out;
	}
	/* An empty baseline: whatever dir holds is overwritten by the tree. */
	opts.baseline_index = empty;
	opts.target_directory = dir;
	opts.checkout_strategy = GIT_CHECKOUT_FORCE |
				 GIT_CHECKOUT_DONT_UPDATE_INDEX |
				 GIT_CHECKOUT_NO_REFRESH;
	if (git_checkout_tree(repo, (const git_object *)commit, &opts) < 0)
		rc = git_fail(err, RUSTIFY_EIO, "git: checkout into %s failed",
			      dir);
out:
	git_index_free(empty);
	return rc;
}

static const char path_outside[] = "path: must stay inside the repository";

int source_load_git(const char *cache_dir, const char *url, const char *path,
		    const char *ref, const char *checkout_dir, size_t max_bytes,
		    struct source *out, struct err *err)
{
	struct source s;
	struct buf rel = BUF_INIT, file = BUF_INIT;
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	char *root = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc, resolved;

	source_init(&s);
	if (!cache_dir || !checkout_dir) {
		rc = err_set(err, RUSTIFY_EINTERNAL,
			     "source_load_git: no cache or checkout dir");
		goto out;
	}
	if (!url || !*url) {
		rc = err_set(err, RUSTIFY_EPARAM, "url: missing");
		goto out;
	}
	rc = url_check(url, err);
	if (rc)
		goto out;
	if (!path) {
		rc = err_set(err, RUSTIFY_EPARAM, "path: missing");
		goto out;
	}
	repo_path_normalise(path, &rel);
	if (!rel.len) {
		rc = err_set(err, RUSTIFY_ESOURCE, "%s", path_outside);
		goto out;
	}
	if (ref && !*ref)
		ref = NULL;
	pthread_once(&git_once, git_init_once);
	if (git_init_result < 0) {
		rc = git_fail(err, RUSTIFY_EINTERNAL,
			      "git: libgit2 did not initialise");
		goto out;
	}

	rc = mirror_resolve(cache_dir, url, ref, &repo, &commit, err);
	if (rc)
		goto out;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	if (git_commit_tree(&tree, commit) < 0) {
		rc = git_fail(err, RUSTIFY_EIO, "git: tree of %s", hex);
		goto out;
	}
	if (!tree_may_have(tree, rel.data)) {
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "path: '%s' not found at %s (%.7s)", path,
			     ref ? ref : "HEAD", hex);
		goto out;
	}

	rc = mkdir_p(checkout_dir, err);
	if (rc)
		goto out;
	root = realpath(checkout_dir, NULL);
	if (!root) {
		rc = err_set(err, RUSTIFY_EIO, "%s: %s", checkout_dir,
			     strerror(errno));
		goto out;
	}
	rc = checkout_unlink_symlinks(tree, root, err);
	if (rc)
		goto out;
	rc = checkout_commit(repo, commit, root, err);
	if (rc)
		goto out;
	resolved = resolve_beneath(root, rel.data, &file);
	switch (resolved) {
	case 0:
		break;
	case -EXDEV:
		rc = err_set(err, RUSTIFY_ESOURCE, "%s", path_outside);
		goto out;
	case -ENOENT:
		rc = err_set(err, RUSTIFY_ESOURCE,
			     "path: '%s' not found at %s (%.7s)", path,
			     ref ? ref : "HEAD", hex);
		goto out;
	default:
		rc = err_set(err, RUSTIFY_ESOURCE, "path: '%s': %s", path,
			     strerror(-resolved));
		goto out;
	}
	rc = source_load_file(file.data, max_bytes, &s, err);
	if (rc)
		goto out;
	/* resolve_beneath already refused escapes; this guards its logic. */
	if (!path_is_inside(root, s.path)) {
		rc = err_set(err, RUSTIFY_ESOURCE, "%s", path_outside);
		goto out;
	}
	s.git_commit = xstrdup(hex);
	source_move(out, &s);
out:
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(repo);
	free(root);
	buf_release(&rel);
	buf_release(&file);
	source_release(&s);
	return rc;
}
