/* table.c - `list` and `find` rows for scripts: tab-separated values or
 * one JSON array of objects, every value whole. */
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "text.h"

int table_format_parse(const char *name, enum table_format *out)
{
	static const char *const names[] = { "text", "tsv", "json" };

	for (int i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum table_format)i;
			return 0;
		}
	return -1;
}

static int tsv_line(const struct json_field *field, size_t n, bool keys)
{
	for (size_t i = 0; i < n; i++) {
		char number[24], *safe;
		const char *v = keys ? field[i].key : field[i].text;

		if (!v) {
			snprintf(number, sizeof number, "%lld", field[i].number);
			v = number;
		}
		if (!(safe = text_safe(v, false))) {
			report("out of memory");
			return -1;
		}
		if ((i && fputc('\t', stdout) == EOF) || fputs(safe, stdout) == EOF) {
			free(safe);
			return -1;
		}
		free(safe);
	}
	return fputc('\n', stdout) == EOF ? -1 : 0;
}

int table_json_row(const char *json, long long row)
{
	int rc = 0;

	if (fputs(row ? ",\n" : "[\n", stdout) == EOF)
		rc = -1;
	else if (isatty(STDOUT_FILENO))
		text_json_terminal(stdout, json, strlen(json), true);
	else if (text_json_write(stdout, json, strlen(json)) < 0)
		rc = -1;
	if (rc < 0)
		report("cannot write the output: %s", strerror(errno));
	return rc;
}

int table_row(enum table_format fmt, const struct json_field *field, size_t n, long long row)
{
	char *json;
	int rc;

	if (fmt == TABLE_TSV) {
		if ((row == 0 && tsv_line(field, n, true) < 0) || tsv_line(field, n, false) < 0) {
			if (errno != ENOMEM)
				report("cannot write the output: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!(json = json_row(field, n))) {
		report("out of memory");
		return -1;
	}
	rc = table_json_row(json, row);
	free(json);
	return rc;
}

int table_end(enum table_format fmt, long long rows)
{
	if (fmt == TABLE_JSON && fputs(rows ? "\n]\n" : "[]\n", stdout) == EOF) {
		report("cannot write the output: %s", strerror(errno));
		return -1;
	}
	return 0;
}
