/* export.h - writing the intakes a query selects in one of the export
 * formats (docs/export.md), streamed one intake at a time. */
#ifndef SMP_EXPORT_H
#define SMP_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "db.h"
#include "idset.h"

/* The course of the intakes chosen as CSV, which export --format csv
 * --sessions writes as three files beside the intakes' (docs/export.md):
 * EXPORT_CSV_SESSIONS one row a session, EXPORT_CSV_PHOTOS one row a
 * photo's metadata, EXPORT_CSV_CONSENTS one row a consent row. */
enum export_format {
	EXPORT_JSON,
	EXPORT_NDJSON,
	EXPORT_CSV,
	EXPORT_FHIR,
	EXPORT_CSV_SESSIONS,
	EXPORT_CSV_PHOTOS,
	EXPORT_CSV_CONSENTS
};

/* The format called name ("json", "ndjson", "csv", "fhir").  Returns 0, or
 * -1 for an unknown name (not reported). */
int export_format_parse(const char *name, enum export_format *out);

/* Which intakes go out: q's dates and client, and with pending_signoff
 * only clients' latest intakes whose GP sign-off is pending (the call
 * list: a later intake, of any status, settles the earlier ones). */
struct export_query {
	struct intake_query q;
	bool pending_signoff;
	/* CSV for spreadsheets (--excel): a UTF-8 byte order mark first, and
	 * phone-shaped cells (+44 7700 900123) guarded by a leading space
	 * instead of the apostrophe (docs/export.md) */
	bool excel;
	/* When set, only the intakes of these clients are written: those the
	 * access log row, written before the export began, names (a client
	 * saved in between is left out).  Sorted by idset_format(). */
	const struct idset *logged;
};

/* Writes the intakes eq selects to f in format fmt, oldest first, from one
 * consistent snapshot.  When f is a terminal (terminal), stored text is
 * made safe for it: the JSON formats escape what JSON leaves raw and a
 * terminal would act on (DEL, C1 and bidirectional controls, invalid
 * bytes) as \u escapes, still valid JSON; CSV cells go through
 * text_safe().  With progress, a progress line on stderr once the export
 * has taken a second (only meant for a terminal).  exported_at (UTC)
 * stamps the formats that carry one (fhir).  Returns the number of intakes
 * written, or -1 (reported: a database error, out of memory, or a write
 * error with errno's reason).  With clients set, the client of each intake
 * written is added to it (for the access log), also after a failure: the
 * clients of what went out, the intake a write error cut short included. */
long long export_write(struct db *db, const struct export_query *eq, enum export_format fmt,
		       FILE *f, bool terminal, bool progress, const char *exported_at,
		       struct idset *clients);

/* Adds to clients the client of every intake export_write() would write
 * for eq now: the access log row written before an export begins.
 * Returns 0, or -1 (reported). */
int export_clients(struct db *db, const struct export_query *eq, struct idset *clients);

/* One CSV cell as export_write() writes it: a cell a spreadsheet would run
 * as a formula (starting with = + - @, a tab or a carriage return) gets a
 * leading apostrophe; a cell holding a comma, a double quote or a line
 * break is quoted, with its quotes doubled (RFC 4180).  NULL is an empty
 * cell.  Returns 0, or EOF on a write error. */
int export_csv_cell(FILE *f, const char *text);

/* Adds the course of intake intake_id (its sessions, photo metadata and
 * consents, as format 3 writes them) to c, read through r.  Returns 0, a
 * positive number when out of memory, or a negative one when reading
 * failed (reported). */
struct json_course;
int export_course_json(struct db_course_reader *r, long long intake_id, struct json_course *c);

#endif
