/* test_chain.c - unit tests for chain.c: the canonical form of an audit row
 * is pinned (the hashes below were computed apart, with Python's hashlib,
 * from the form docs/record.md describes: a stored chain must verify with
 * every later release), and every part of a row, its order, NULL against
 * "" and where one text ends and the next begins all change the hash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "chain.h"

#define SALT "00112233445566778899aabbccddeeff"
#define AT "2026-01-02T03:04:05Z"

static const struct audit_change changes[] = { { "first_name", NULL, "Zo\xc3\xab" },
					       { "notes", "", "a\nb" } };

static struct audit_entry create_row(void)
{
	return (struct audit_entry){ 1, 1, 1, AT, "Dana Staff", "create", changes, 2 };
}

static void hash_of(const struct audit_entry *e, const char *prev, const char *salt,
		    const struct chain_link *link, size_t links, char out[CHAIN_HEX_SIZE])
{
	chain_hash(e, prev, salt, link, links, out);
	assert_int_equal(strlen(out), CHAIN_HEX_SIZE - 1);
	assert_int_equal(strspn(out, "0123456789abcdef"), CHAIN_HEX_SIZE - 1);
}

static void test_chain_form_is_pinned(void **state)
{
	struct audit_entry e = create_row();
	char a[64 + 1] = "abababababababababababababababababababababababababababababababab";
	char c[64 + 1] = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
	char f[64 + 1] = "efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef";
	struct chain_link link[] = { { NULL, c }, { c, f } };
	struct audit_entry erase = { 7, 3, 0, AT, "Dana Staff", "erase", NULL, 0 };
	char out[CHAIN_HEX_SIZE];

	(void)state;
	hash_of(&e, NULL, SALT, NULL, 0, out);
	assert_string_equal(out, "8a6e7394e1b15da7385f7d4d3a72b1f655e3174e855c52bd7ee4f642d7749eb4");
	hash_of(&erase, a, SALT, link, 2, out);
	assert_string_equal(out, "a9f8af806d48b39bb71e433ea02cf4ba2db22a820f59373831e9acc756662e86");
}

/* Each variant differs from the base row in one thing: its hash differs
 * from the base's and from every other variant's. */
static void test_chain_every_part_counts(void **state)
{
	static const struct audit_change swapped[] = { { "notes", "", "a\nb" },
						       { "first_name", NULL, "Zo\xc3\xab" } };
	static const struct audit_change null_for_empty[] = { { "first_name", NULL, "Zo\xc3\xab" },
							      { "notes", NULL, "a\nb" } };
	static const struct audit_change moved_boundary[] = { { "first_name", NULL, "Zo\xc3\xab" },
							      { "notesa", "", "\nb" } };
	char prev[] = "abababababababababababababababababababababababababababababababab";
	struct chain_link link = { NULL, prev };
	struct audit_entry base = create_row(), v[12];
	const char *prevs[12] = { NULL }, *salts[12];
	size_t links[12] = { 0 };
	char hash[13][CHAIN_HEX_SIZE];

	(void)state;
	for (size_t i = 0; i < 12; i++) {
		v[i] = base;
		salts[i] = SALT;
	}
	v[0].id = 2;
	v[1].at = "2026-01-02T03:04:06Z";
	v[2].staff = "Dana Stafg";
	v[3].action = "edit";
	v[4].client_id = 2;
	v[5].intake_id = 0;
	v[6].change = swapped;
	v[7].change = null_for_empty;
	v[8].change = moved_boundary;
	v[9].count = 1;
	prevs[10] = prev;
	salts[11] = "00112233445566778899aabbccddeefe";
	for (size_t i = 0; i < 12; i++)
		hash_of(&v[i], prevs[i], salts[i], &link, links[i], hash[i]);
	hash_of(&base, NULL, SALT, NULL, 0, hash[12]);
	for (size_t i = 0; i < 13; i++)
		for (size_t k = i + 1; k < 13; k++)
			if (strcmp(hash[i], hash[k]) == 0)
				fail_msg("variants %zu and %zu hash the same", i, k);
	/* The links an erasure took in count too. */
	hash_of(&base, NULL, SALT, &link, 1, hash[0]);
	assert_string_not_equal(hash[0], hash[12]);
}

static void test_chain_salt_is_random_hex(void **state)
{
	char a[CHAIN_SALT_SIZE], b[CHAIN_SALT_SIZE];

	(void)state;
	assert_int_equal(chain_salt(a), 0);
	assert_int_equal(chain_salt(b), 0);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_form_is_pinned),
		cmocka_unit_test(test_chain_every_part_counts),
		cmocka_unit_test(test_chain_salt_is_random_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
