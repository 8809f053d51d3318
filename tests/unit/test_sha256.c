/*
 * test_sha256.c - SHA-256 against the FIPS 180-4 example vectors (as
 * published with the standard), the padding boundaries around 55/56/64
 * bytes, and incremental updates split at every offset.
 */
#include <string.h>

#include "../../daemon/sha256.h"
#include "rustify/buf.h"
#include "test.h"

static void sha256_check_hex(const char *msg, const char *want)
{
	char hex[65];

	sha256_hex(msg, strlen(msg), hex);
	CHECK_STR(hex, want);
}

TEST(sha256_fips_empty)
{
	sha256_check_hex("", "e3b0c44298fc1c149afbf4c8996fb924"
			     "27ae41e4649b934ca495991b7852b855");
}

TEST(sha256_fips_abc)
{
	sha256_check_hex("abc", "ba7816bf8f01cfea414140de5dae2223"
				"b00361a396177a9cb410ff61f20015ad");
}

TEST(sha256_fips_448_bits)
{
	sha256_check_hex(
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha256_fips_896_bits)
{
	sha256_check_hex(
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	    "cf5b16a778af8380036ce59e7b049237"
	    "0b249b11e8f07a51afac45037afee9d1");
}

TEST(sha256_fips_million_a)
{
	struct sha256 c;
	char chunk[1000], hex[65];
	char *all;
	int i;

	/* Streamed in 1000-byte pieces and in one piece: same digest. */
	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, chunk, sizeof(chunk));
	sha256_final_hex(&c, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
		       "f1809a48a497200e046d39ccc7112cd0");

	all = xmalloc(1000000);
	memset(all, 'a', 1000000);
	sha256_hex(all, 1000000, hex);
	free(all);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
		       "f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths where the padding needs one or two extra blocks (values from Python's
 * hashlib). */
TEST(sha256_padding_boundaries)
{
	static const struct {
		size_t len;
		const char *hex;
	} cases[] = {
	    {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734"
		 "318"},
	    {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec67"
		 "38a"},
	    {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe"
		 "8c6"},
	    {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2"
		 "f34"},
	    {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df15466"
		 "8eb"},
	    {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0"
		 "ae0"},
	    {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584"
		  "dcfb"},
	    {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904"
		  "c21c"},
	};
	char msg[128], hex[65];
	size_t i;

	memset(msg, 'a', sizeof(msg));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sha256_hex(msg, cases[i].len, hex);
		CHECK_STR(hex, cases[i].hex);
	}
}

TEST(sha256_incremental_every_split)
{
	unsigned char msg[300];
	char whole[65], hex[65];
	size_t i, split, second;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	sha256_hex(msg, sizeof(msg), whole);
	CHECK_STR(whole, "7728ae2f2c36e2aaafbe79ca14c87ae2"
			 "f89e7c88c4390ecbbf82dce88706958d");

	for (split = 0; split <= sizeof(msg); split++) {
		struct sha256 c;

		sha256_init(&c);
		sha256_update(&c, msg, split);
		sha256_update(&c, msg + split, sizeof(msg) - split);
		sha256_final_hex(&c, hex);
		if (strcmp(hex, whole))
			test_fail(__FILE__, __LINE__, "split at %zu: %s", split,
				  hex);

		/* Three pieces, the middle one crossing block boundaries. */
		for (second = split; second <= sizeof(msg); second += 37) {
			sha256_init(&c);
			sha256_update(&c, msg, split);
			sha256_update(&c, msg + split, second - split);
			sha256_update(&c, msg + second, sizeof(msg) - second);
			sha256_final_hex(&c, hex);
			if (strcmp(hex, whole))
				test_fail(__FILE__, __LINE__,
					  "split at %zu and %zu: %s", split,
					  second, hex);
		}
	}
}

TEST(sha256_byte_at_a_time)
{
	const char *msg =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct sha256 c;
	char hex[65];
	size_t i;

	sha256_init(&c);
	for (i = 0; msg[i]; i++)
		sha256_update(&c, msg + i, 1);
	sha256_final_hex(&c, hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039"
		       "a33ce45964ff2167f6ecedd419db06c1");
}
