/* test_outfile.c - unit tests for outfile.c: private, atomic output files
 * that never replace anything unasked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

static int setup(void **state)
{
	return fixture_make(state, "/tmp", "out", "export.json");
}

static int teardown(void **state)
{
	return fixture_remove(state);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static void expect_contents(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_string_equal(buf, want);
}

static void test_commit_creates_private_file(void **state)
{
	struct fixture *f = *state;
	struct outfile out;
	struct stat st;
	mode_t old = umask(0);

	assert_int_equal(outfile_open(&out, f->path, false), 0);
	umask(old);
	assert_non_null(out.f);
	/* Nothing under the final name until committed. */
	assert_int_equal(access(f->path, F_OK), -1);
	assert_true(fputs("[1,2,3]\n", out.f) >= 0);
	assert_int_equal(outfile_commit(&out), 0);
	expect_contents(f->path, "[1,2,3]\n");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(entries(f->dir), 1); /* no temporary file left */
}

static void test_refuses_existing_without_force(void **state)
{
	struct fixture *f = *state;
	struct outfile out;

	write_file(f->path, "precious");
	assert_int_equal(outfile_open(&out, f->path, false), -1);
	expect_contents(f->path, "precious");
	assert_int_equal(entries(f->dir), 1);

	/* With force it is replaced. */
	assert_int_equal(outfile_open(&out, f->path, true), 0);
	assert_true(fputs("new", out.f) >= 0);
	assert_int_equal(outfile_commit(&out), 0);
	expect_contents(f->path, "new");
	assert_int_equal(entries(f->dir), 1);
}

static void test_never_replaces_what_appeared_meanwhile(void **state)
{
	struct fixture *f = *state;
	struct outfile out;

	assert_int_equal(outfile_open(&out, f->path, false), 0);
	assert_true(fputs("export", out.f) >= 0);
	write_file(f->path, "someone else's");
	assert_int_equal(outfile_commit(&out), -1);
	expect_contents(f->path, "someone else's");
	assert_int_equal(entries(f->dir), 1);
}

static void test_refuses_symlink(void **state)
{
	struct fixture *f = *state;
	struct outfile out;
	char target[160];

	snprintf(target, sizeof target, "%s/target", f->dir);
	write_file(target, "target");
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(outfile_open(&out, f->path, false), -1);
	expect_contents(target, "target");

	/* A dangling link too. */
	unlink(f->path);
	assert_int_equal(symlink("/nonexistent/smp-intake-target", f->path), 0);
	assert_int_equal(outfile_open(&out, f->path, false), -1);
	assert_int_equal(entries(f->dir), 2);
}

static void test_abort_removes_temporary(void **state)
{
	struct fixture *f = *state;
	struct outfile out;

	assert_int_equal(outfile_open(&out, f->path, false), 0);
	assert_true(fputs("half an export", out.f) >= 0);
	assert_int_equal(entries(f->dir), 1); /* the temporary file */
	outfile_abort(&out);
	assert_int_equal(entries(f->dir), 0);
	outfile_abort(&out); /* twice is fine */
}

static void test_missing_folder_fails(void **state)
{
	struct fixture *f = *state;
	struct outfile out;
	char path[200];

	snprintf(path, sizeof path, "%s/no/such/export.json", f->dir);
	assert_int_equal(outfile_open(&out, path, false), -1);
	assert_null(out.path);
	assert_null(out.tmp);
}

static void test_stdout(void **state)
{
	(void)state;
	struct outfile out;

	assert_int_equal(outfile_open(&out, NULL, false), 0);
	assert_ptr_equal(out.f, stdout);
	assert_null(out.path);
	assert_int_equal(outfile_commit(&out), 0);
	assert_int_equal(outfile_open(&out, "-", false), 0);
	assert_ptr_equal(out.f, stdout);
	assert_int_equal(outfile_commit(&out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_creates_private_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_existing_without_force, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_replaces_what_appeared_meanwhile, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_removes_temporary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_folder_fails, setup, teardown),
		cmocka_unit_test(test_stdout),
	};
	return cmocka_run_group_tests_name("outfile", tests, NULL, NULL);
}
