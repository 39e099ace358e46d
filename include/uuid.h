/* uuid.h - random (version 4) UUIDs for intakes, and name-based (version 5)
 * ones for what has no UUID of its own. */
#ifndef SMP_UUID_H
#define SMP_UUID_H

/* Writes a lower-case RFC 4122 version 4 UUID and a NUL into out.
 * Returns 0, or -1 when the system gives no randomness. */
int uuid_v4(char out[37]);

/* Writes the version 5 UUID (RFC 4122: SHA-1) of name in the URL namespace
 * (6ba7b811-9dad-11d1-80b4-00c04fd430c8), lower case, and a NUL into out:
 * the same name always gives the same UUID (Python's
 * uuid.uuid5(uuid.NAMESPACE_URL, name)). */
void uuid_v5_url(const char *name, char out[37]);

#endif
