/* schema.h - the numbered migrations of schema/, embedded at build time. */
#ifndef SMP_SCHEMA_H
#define SMP_SCHEMA_H

/* schema_migrations[i] brings a database from user_version i to i + 1. */
extern const char *const schema_migrations[];
extern const int schema_migration_count;

#endif
