/* unit.h - helpers the cmocka tests share: answers from "id=value" lists
 * and private temporary folders.  Include after <cmocka.h>. */
#ifndef SMP_UNIT_H
#define SMP_UNIT_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "questionnaire.h"

/* Fills a from "id=value" strings, ending with NULL. */
static inline void fill(struct answers *a, const char *const *pairs)
{
	memset(a, 0, sizeof *a);
	for (size_t i = 0; pairs && pairs[i]; i++) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s", pairs[i]);
		char *eq = strchr(buf, '=');
		assert_non_null(eq);
		*eq = '\0';
		assert_int_equal(answers_set(a, buf, eq + 1), 0);
	}
}

/* Number of entries in the folder, . and .. aside. */
static inline int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Removes a folder made by a test and the files in it. */
static inline void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* A private temporary folder for one test, and a file name in it. */
struct fixture {
	char dir[64];
	char path[128];
};

/* A cmocka setup's work: makes base/smp-PREFIX-XXXXXX (base NULL: $TMPDIR
 * when it is short, else /tmp) and names file in it.  Returns 0, or -1. */
static inline int fixture_make(void **state, const char *base, const char *prefix,
			       const char *file)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *tmp = getenv("TMPDIR");

	if (!base)
		base = tmp && strlen(tmp) < 40 ? tmp : "/tmp";
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "%s/smp-%s-XXXXXX", base, prefix);
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/%s", f->dir, file);
	*state = f;
	return 0;
}

/* A cmocka teardown: removes the folder and all in it. */
static inline int fixture_remove(void **state)
{
	struct fixture *f = *state;

	remove_dir(f->dir);
	free(f);
	return 0;
}

/* got has want's uuid, taken_at, staff, answers and advice sheet. */
static inline void assert_same_intake(const struct intake *got, const struct intake *want)
{
	assert_string_equal(got->uuid, want->uuid);
	assert_string_equal(got->taken_at, want->taken_at);
	assert_string_equal(got->staff, want->staff);
	for (size_t i = 0; i < questionnaire_count; i++) {
		if (!want->answers.value[i])
			assert_null(got->answers.value[i]);
		else
			assert_string_equal(got->answers.value[i], want->answers.value[i]);
	}
	assert_int_equal(got->advice.count, want->advice.count);
	for (size_t i = 0; i < want->advice.count; i++) {
		assert_string_equal(got->advice.item[i].id, want->advice.item[i].id);
		assert_string_equal(got->advice.item[i].text, want->advice.item[i].text);
	}
}

/* Also the record of issue 7: versions, the sheet number, the
 * acknowledgement that counts, the flags cleared. */
static inline void assert_same_record(const struct intake *got, const struct intake *want)
{
	assert_same_intake(got, want);
	assert_string_equal(got->questionnaire_version, want->questionnaire_version);
	assert_string_equal(got->advice_version, want->advice_version);
	assert_int_equal(got->sheet, want->sheet);
	assert_int_equal(got->ack.sheet, want->ack.sheet);
	if (want->ack.sheet) {
		assert_string_equal(got->ack.typed_name, want->ack.typed_name);
		assert_string_equal(got->ack.at, want->ack.at);
		assert_string_equal(got->ack.staff, want->ack.staff);
	}
	assert_int_equal(got->clearances, want->clearances);
	for (size_t i = 0; i < want->clearances; i++) {
		assert_string_equal(got->cleared[i].flag_id, want->cleared[i].flag_id);
		assert_string_equal(got->cleared[i].reason, want->cleared[i].reason);
		assert_string_equal(got->cleared[i].at, want->cleared[i].at);
		assert_string_equal(got->cleared[i].staff, want->cleared[i].staff);
	}
}

#endif
