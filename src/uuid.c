/* uuid.c - version 4 UUIDs from the kernel's random source; version 5
 * UUIDs of a name (nettle's SHA-1). */
#include "uuid.h"

#include <nettle/sha1.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static void format(const unsigned char b[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

int uuid_v4(char out[37])
{
	unsigned char b[16];

	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	format(b, out);
	return 0;
}

void uuid_v5_url(const char *name, char out[37])
{
	/* RFC 4122 appendix C: the name space ID for URLs, in network order. */
	static const unsigned char url_ns[16] = { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
						  0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	struct sha1_ctx ctx;
	unsigned char digest[SHA1_DIGEST_SIZE];

	sha1_init(&ctx);
	sha1_update(&ctx, sizeof url_ns, url_ns);
	sha1_update(&ctx, strlen(name), (const unsigned char *)name);
	sha1_digest(&ctx, sizeof digest, digest);
	digest[6] = (unsigned char)((digest[6] & 0x0f) | 0x50);
	digest[8] = (unsigned char)((digest[8] & 0x3f) | 0x80);
	format(digest, out);
}
