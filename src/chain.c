/* chain.c - the canonical form of an audit row and its hash: the only file
 * that uses nettle.  Changing the form breaks every stored chain; the unit
 * test (tests/unit/test_chain.c) pins it. */
#include "chain.h"

#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* What the bytes hashed start with: the form's name and version. */
static const char form[] = "smp-intake audit chain 1";

static void put_tag(struct sha256_ctx *h, char tag)
{
	sha256_update(h, 1, (const uint8_t *)&tag);
}

/* A text as 't', its length in 8 bytes (big-endian), its bytes; NULL as 'n'. */
static void put_text(struct sha256_ctx *h, const char *s)
{
	uint8_t len[8];
	size_t n;

	if (!s) {
		put_tag(h, 'n');
		return;
	}
	n = strlen(s);
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	put_tag(h, 't');
	sha256_update(h, sizeof len, len);
	sha256_update(h, n, (const uint8_t *)s);
}

/* A number as the text of its decimal digits. */
static void put_int(struct sha256_ctx *h, long long v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%lld", v);
	put_text(h, buf);
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digit[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digit[b[i] >> 4];
		out[2 * i + 1] = digit[b[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

void chain_hash(const struct audit_entry *e, const char *prev, const char *salt,
		const struct chain_link *link, size_t links, char out[CHAIN_HEX_SIZE])
{
	struct sha256_ctx h;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&h);
	put_text(&h, form);
	put_text(&h, prev);
	put_text(&h, salt);
	put_int(&h, e->id);
	put_text(&h, e->at);
	put_text(&h, e->staff);
	put_text(&h, e->action);
	put_int(&h, e->client_id);
	put_int(&h, e->intake_id);
	put_int(&h, (long long)e->count);
	for (size_t i = 0; i < e->count; i++) {
		put_text(&h, e->change[i].field);
		put_text(&h, e->change[i].old_value);
		put_text(&h, e->change[i].new_value);
	}
	put_int(&h, (long long)links);
	for (size_t i = 0; i < links; i++) {
		put_text(&h, link[i].prev_hash);
		put_text(&h, link[i].hash);
	}
	sha256_digest(&h, sizeof digest, digest);
	to_hex(digest, sizeof digest, out);
}

int chain_salt(char out[CHAIN_SALT_SIZE])
{
	uint8_t b[(CHAIN_SALT_SIZE - 1) / 2];

	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		return -1;
	to_hex(b, sizeof b, out);
	return 0;
}
