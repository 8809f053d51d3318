/*
 * fuzz_source.c - libFuzzer target for the source decoder: bytes a user
 * submits, as CPython would read them (PEP 263 coding declarations on
 * line 1 or 2, a UTF-8 BOM, the codecs the daemon knows, iconv for the
 * others).
 *
 * Checks, beyond the sanitizers: a decoded text is valid UTF-8 (one
 * leading BOM is dropped; a second one is a character of the text),
 * NUL-terminated at its length, and its SHA-256 is the hash of
 * exactly those bytes; decoding a UTF-8 text again gives the same text
 * (unless it starts with a second BOM, which goes then); a failure has a
 * message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rustify/buf.h"
#include "sha256.h"
#include "source.h"

static int is_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
			   : (c >> 3) == 30			 ? 4
								 : 0;
		if (!k || i + k > n)
			return 0;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
		i += k;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source src, again;
	struct err err = ERR_INIT;
	char hex[65];

	source_init(&src);
	source_init(&again);
	if (source_decode((const char *)data, size, "fuzz", &src, &err) < 0) {
		if (!err.code || !err_msg(&err)[0])
			abort();
		goto out;
	}
	if (!src.text || src.text[src.len] != '\0' ||
	    !is_utf8((const unsigned char *)src.text, src.len))
		abort();
	sha256_hex(src.text, src.len, hex);
	if (strcmp(hex, src.sha256))
		abort();
	if (!src.encoding)
		abort();
	/* valid UTF-8 text is read as itself when it declares nothing
	 * else: only check texts that do not start with a declaration */
	if (!strcmp(src.encoding, "utf-8") &&
	    !(src.len >= 3 && !memcmp(src.text, "\xef\xbb\xbf", 3)) &&
	    source_decode(src.text, src.len, "again", &again, &err) == 0 &&
	    (again.len != src.len || memcmp(again.text, src.text, src.len)))
		abort();
out:
	source_release(&src);
	source_release(&again);
	err_release(&err);
	return 0;
}
