/* db.c - opening a database, in order: the connection (db_conn.c, which
 * has db_file.c look at the file first), the migrations, the check of the
 * protective triggers (db_chain.c), and the finish of an erasure a kill
 * left undone (db_erase.c); and closing it.  The top of storage: it calls
 * the files below it and none of them calls it. */
#include <stdio.h>
#include <stdlib.h>

#include "db_private.h"
#include "report.h"
#include "schema.h"

/* Applies the missing migrations in one write transaction; another process
 * may have migrated meanwhile, so the version is read again inside it.  A
 * new migration is a new schema/NNN_*.sql (the Makefile embeds them). */
static int migrate(struct db *db)
{
	long long version;
	char sql[96];

	if (db_exec(db, "BEGIN IMMEDIATE", "cannot update the database schema") < 0)
		return -1;
	if (db_query_int(db, "PRAGMA user_version", &version) < 0) {
		db_report(db, "cannot read the schema version");
		goto fail;
	}
	for (long long v = version; v < schema_migration_count; v++) {
		if (db_exec(db, schema_migrations[v], "cannot update the database schema") < 0)
			goto fail;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld; PRAGMA application_id = %d",
			 v + 1, DB_APPLICATION_ID);
		if (db_exec(db, sql, "cannot update the database schema") < 0)
			goto fail;
	}
	/* The audit rows saved before migration 011 join the chain. */
	if (db_chain_unchained(db) < 0)
		goto fail;
	if (db_exec(db, "COMMIT", "cannot update the database schema") < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

struct db *db_open(const char *path)
{
	return db_open_mode(path, true);
}

struct db *db_open_mode(const char *path, bool may_create)
{
	long long version;
	struct db *db = db_conn_open(path, may_create, &version);

	/* A database that cannot be written here is read as it is; a server
	 * is brought up to date by its administrator (docs/server.md). */
	if (!db || db->read_only || db_is_server(db))
		return db;
	if (version < schema_migration_count && migrate(db) < 0)
		goto fail;
	if (db_guard_check(db) < 0)
		goto fail;
	/* An erasure a kill or a full disk left unfinished. */
	db_erase_resume(db);
	return db;
fail:
	db_close(db);
	return NULL;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	db_chain_close(db);
	db_conn_close(db);
}
