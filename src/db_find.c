/* db_find.c - finding clients by name or contact details, for `find`
 * and for recognising a returning client. */
#include <stdlib.h>
#include <string.h>

#include "db_private.h"
#include "report.h"

int db_find_clients(struct db *db, const char *text,
		    int (*fn)(const struct client_match *m, void *arg), void *arg)
{
	sqlite3_stmt *st;
	int rc, result = 0;

	if (db_prepare(db, "SELECT c.id, max(i.id), c.first_name, c.last_name, c.date_of_birth, "
			"max(i.taken_at) FROM client c JOIN intake i ON i.client_id = c.id "
			"WHERE c.first_name LIKE ?1 || '%' ESCAPE '\\' "
			"OR c.last_name LIKE ?1 || '%' ESCAPE '\\' "
			"OR (c.first_name || ' ' || c.last_name) LIKE ?1 || '%' ESCAPE '\\' "
			"GROUP BY c.id ORDER BY max(i.id) DESC LIMIT 200", &st) < 0) {
		db_report(db, "cannot search the clients");
		return -1;
	}
	/* LIKE wildcards typed by the user are matched literally. */
	size_t n = strlen(text);
	char *pattern = malloc(2 * n + 1), *p = pattern;
	if (!pattern) {
		sqlite3_finalize(st);
		report("out of memory");
		return -1;
	}
	for (const char *s = text; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	db_bind_text(st, 1, pattern);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct client_match m = {
			sqlite3_column_int64(st, 0),
			sqlite3_column_int64(st, 1),
			(const char *)sqlite3_column_text(st, 2),
			(const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4),
			(const char *)sqlite3_column_text(st, 5),
		};
		if ((result = fn(&m, arg)) != 0)
			break;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, "cannot search the clients");
		result = -1;
	}
	sqlite3_finalize(st);
	free(pattern);
	return result;
}
