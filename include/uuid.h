/* uuid.h - random (version 4) UUIDs for intakes. */
#ifndef SMP_UUID_H
#define SMP_UUID_H

/* Writes a lower-case RFC 4122 version 4 UUID and a NUL into out.
 * Returns 0, or -1 when the system gives no randomness. */
int uuid_v4(char out[37]);

#endif
