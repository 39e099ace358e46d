/* report.h - one-line diagnostics on stderr, prefixed "smp-intake: ". */
#ifndef SMP_REPORT_H
#define SMP_REPORT_H

/* Prints "smp-intake: " and the formatted message and a newline on stderr.
 * Messages name fields and files, never a client's answers. */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
