/* db_setting.c - the studio settings (table setting): reading them all,
 * each checked as `config set` checks it, and storing one. */
#include "db_private.h"
#include "report.h"

int db_settings(struct db *db, struct settings *out)
{
	struct db_stmt *st;
	struct settings def = SETTINGS_DEFAULT;
	char why[160];
	int rc;

	*out = def;
	if (db_prepare(db, "SELECT key, value FROM setting", &st) < 0) {
		db_report(db, "cannot read the settings");
		return -1;
	}
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *key = db_column_text(st, 0);
		const char *value = db_column_text(st, 1);

		/* A key from a later release is left alone; a bad value is not
		 * worked with, as it is studio policy. */
		if (key && value && settings_set(out, key, value, why, sizeof why) == SETTING_BAD_VALUE) {
			report("'%s': a studio setting is out of range: %s (mend it with smp-intake "
			       "config set)",
			       db->path, why);
			db_finalize(st);
			return -1;
		}
	}
	db_finalize(st);
	if (rc != SQLITE_DONE) {
		db_report(db, "cannot read the settings");
		return -1;
	}
	return 0;
}

int db_setting_store(struct db *db, const char *key, const char *value)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "INSERT INTO setting (key, value) VALUES (?1, ?2) "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st) < 0) {
		db_report(db, "cannot change the setting");
		return -1;
	}
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, value);
	rc = db_step_done(st);
	if (rc < 0)
		db_report(db, "cannot change the setting");
	db_finalize(st);
	return rc;
}
