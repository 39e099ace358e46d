/* report.c - the single place diagnostics are written.  What a message
 * quotes (a file name, a command typed) may hold escape sequences, so the
 * whole line is made safe for the terminal first. */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "text.h"

void report(const char *fmt, ...)
{
	char msg[1024], *safe;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	safe = text_safe(msg, false);
	fflush(stdout);
	fprintf(stderr, "smp-intake: %s\n", safe ? safe : msg);
	free(safe);
}
