/* chain.h - the audit trail as a hash chain: the canonical form of an audit
 * row and its SHA-256 (nettle).  Each row's hash covers the hash of the row
 * before it, so changing, removing or reordering a row shows. */
#ifndef SMP_CHAIN_H
#define SMP_CHAIN_H

#include <stddef.h>

#include "intake.h"

/* A hash as lower-case hex digits and a NUL. */
#define CHAIN_HEX_SIZE 65
/* A row's salt: 16 random bytes as hex digits and a NUL. */
#define CHAIN_SALT_SIZE 33

/* The link of an audit row that an erasure removed: the hash it followed
 * (NULL for the first row) and its own.  The erasure's row covers them. */
struct chain_link {
	const char *prev_hash, *hash;
};

/* Writes into out the hash of audit row e (its id, at, staff, action,
 * client and intake ids, and its changes in order) following prev (NULL:
 * the first row), with its salt and, for an erasure's row, the links of
 * the rows it removed.  Every value is length-prefixed, and NULL differs
 * from "", so no two different rows have the same bytes hashed. */
void chain_hash(const struct audit_entry *e, const char *prev, const char *salt,
		const struct chain_link *link, size_t links, char out[CHAIN_HEX_SIZE]);

/* Writes a new random salt into out.  Returns 0, or -1 when the system
 * gives no randomness. */
int chain_salt(char out[CHAIN_SALT_SIZE]);

#endif
