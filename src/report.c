/* report.c - the single place diagnostics are written. */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>

void report(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("smp-intake: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
