/* access.h - the access log's record: every command that prints a client's
 * data writes one row before the first byte of it (src/access.c). */
#ifndef SMP_ACCESS_H
#define SMP_ACCESS_H

#include "context.h"

/* Writes the access log row of command (every command that prints a
 * client's data calls it before the first byte of that data: show, advice,
 * export, contact, history, signoff, edit, acknowledge, resume; erase
 * writes its own in its transaction) for clients (ranges as idset_format()
 * writes them; "" for nobody), by the staff member, now.  Inside a
 * caller's write transaction it stands or falls with it.  Returns EXIT_OK,
 * or EXIT_FAIL (reported in one line: "cannot record this in the access
 * log: ...", a read-only database included). */
int access_record(struct ctx *ctx, const char *command, const char *clients);

/* As access_record(), for one client. */
int access_record_client(struct ctx *ctx, const char *command, long long client_id);

#endif
