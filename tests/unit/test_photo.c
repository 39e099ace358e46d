/* test_photo.c - unit tests for photo.c: JPEG and PNG told by content
 * (truncated or other files refused), SHA-256 against a known digest, and
 * the size limit checked before reading. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "photo.h"

static const unsigned char jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 'J', 'F', 'I', 'F', 0xff, 0xd9 };

static void test_types_by_content(void **state)
{
	/* A PNG: signature, IHDR (13 bytes), IEND, CRCs not checked. */
	unsigned char png[8 + 25 + 12] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
					   0, 0, 0, 13, 'I', 'H', 'D', 'R' };
	unsigned char padded[sizeof jpeg + 4] = { 0 };

	(void)state;
	memcpy(png + 8 + 25 + 4, "IEND", 4);
	assert_string_equal(photo_media_type(png, sizeof png), "image/png");
	assert_null(photo_media_type(png, sizeof png - 1));
	assert_string_equal(photo_media_type(jpeg, sizeof jpeg), "image/jpeg");
	memcpy(padded, jpeg, sizeof jpeg); /* zero padding after the end marker */
	assert_string_equal(photo_media_type(padded, sizeof padded), "image/jpeg");
	assert_null(photo_media_type(jpeg, sizeof jpeg - 1));
	assert_null(photo_media_type((const unsigned char *)"GIF89a....", 10));
	assert_null(photo_media_type(jpeg, 0));
}

static void test_sha256(void **state)
{
	char hex[65];

	(void)state;
	photo_sha256((const unsigned char *)"abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_read_file_limit(void **state)
{
	char path[] = "/tmp/smp-photo-XXXXXX", why[160];
	unsigned char *data = NULL;
	size_t n = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, jpeg, sizeof jpeg), (ssize_t)sizeof jpeg);
	close(fd);
	assert_int_equal(photo_read_file(path, sizeof jpeg, &data, &n, why, sizeof why), 0);
	assert_int_equal(n, sizeof jpeg);
	assert_memory_equal(data, jpeg, n);
	free(data);
	assert_int_equal(photo_read_file(path, sizeof jpeg - 1, &data, &n, why, sizeof why), -1);
	assert_null(data);
	assert_non_null(strstr(why, "larger than"));
	unlink(path);
	assert_int_equal(photo_read_file(path, 100, &data, &n, why, sizeof why), -1);
	assert_non_null(strstr(why, "cannot open"));
	assert_int_equal(photo_read_file("/tmp", 100, &data, &n, why, sizeof why), -1);
	assert_non_null(strstr(why, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_by_content),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_read_file_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
