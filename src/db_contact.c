/* db_contact.c - a client's phone and email changed on their own (`smp-intake
 * contact`): the client record only, no new intake or advice sheet, with
 * an audit row of what changed. */
#include <stdlib.h>
#include <string.h>

#include "db_private.h"
#include "report.h"

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

enum db_result db_save_contact(struct db *db, long long id, const struct contact_change *c,
		    const char *staff, const char *at, int *changed)
{
	struct db_stmt *st = NULL;
	char *old[2] = { NULL, NULL };
	struct audit_change change[2];
	size_t n = 0;
	int rc = -1;

	*changed = 0;
	if (db_exec(db, "BEGIN IMMEDIATE", "cannot save the contact details") < 0)
		return -1;
	if (db_prepare(db, "SELECT phone, email FROM client WHERE id = ?1", &st) < 0)
		goto fail;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_DONE) {
		rc = DB_MISSING;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto fail;
	for (int i = 0; i < 2; i++)
		if (!db_column_null(st, i) && !(old[i] = db_column_dup(st, i)))
			goto fail;
	db_finalize(st);
	st = NULL;
	if (c->set_phone && !same(old[0], c->phone))
		change[n++] = (struct audit_change){ "phone", old[0], c->phone };
	if (c->set_email && !same(old[1], c->email))
		change[n++] = (struct audit_change){ "email", old[1], c->email };
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (db_prepare(db, "UPDATE client SET phone = ?2, email = ?3 WHERE id = ?1", &st) < 0)
		goto fail;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, c->set_phone ? c->phone : old[0]);
	db_bind_text(st, 3, c->set_email ? c->email : old[1]);
	if (db_step_done(st) < 0)
		goto fail;
	db_finalize(st);
	st = NULL;
	/* About the client, not one intake: `history` shows it with each of
	 * the client's intakes. */
	struct audit_entry e = { 0, id, 0, at, staff, "contact", change, n };
	if (db_audit_add(db, &e) < 0)
		goto undo;
	if (db_exec(db, "COMMIT", "cannot save the contact details") < 0)
		goto undo;
	*changed = (int)n;
	free(old[0]);
	free(old[1]);
	return 0;
fail:
	db_report(db, "cannot save the contact details");
undo:
	rc = -1;
out:
	db_finalize(st);
	db_exec_rc(db, "ROLLBACK");
	free(old[0]);
	free(old[1]);
	return rc;
}
