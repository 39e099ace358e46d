/* table.h - the rows `list` and `find` print for scripts: tab-separated
 * values or a JSON array (--format tsv|json). */
#ifndef SMP_TABLE_H
#define SMP_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "json.h"

enum table_format { TABLE_TEXT, TABLE_TSV, TABLE_JSON };

/* The format called name ("tsv", "json"; "text", the table for people).
 * Returns 0, or -1 for an unknown name (not reported). */
int table_format_parse(const char *name, enum table_format *out);

/* Writes one row of n fields in format fmt (TSV or JSON) to stdout; row
 * is its number, from 0.  TSV: the first row is preceded by a header of
 * the keys; each value is whole, made safe as text_safe() makes it (a tab
 * becomes a space, a line break the two characters \n, other control
 * characters \xNN), so a row is one line and a field never holds a tab.
 * JSON: the array's "[" comes before row 0; values go out whole (escaped
 * for a terminal when stdout is one).  Returns 0, or -1 (reported). */
int table_row(enum table_format fmt, const struct json_field *field, size_t n, long long row);

/* table_row()'s JSON for an object already printed (json, without
 * layout): the array's "[" before row 0, ",\n" before the others.
 * Returns 0, or -1 (reported). */
int table_json_row(const char *json, long long row);

/* Ends what table_row() began after rows rows (JSON: "]", or "[]" for
 * none).  Returns 0, or -1 (reported). */
int table_end(enum table_format fmt, long long rows);

#endif
