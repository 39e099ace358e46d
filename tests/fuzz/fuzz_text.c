/* fuzz_text.c - terminal-safe printing and fitting (src/text.c): whatever
 * was stored, text_safe() gives valid UTF-8 without control characters,
 * and text_fit() never gives more columns than asked for.  The first byte
 * picks the width and whether newlines are kept. */
#include <stdbool.h>

#include "fuzz.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *safe, *fit;
	bool keep_newlines;
	int cols;

	if (size < 1)
		return 0;
	keep_newlines = data[0] & 0x80;
	cols = 1 + (data[0] & 0x7f) % 100;
	if (!(s = fuzz_string(data + 1, size - 1)))
		return 0;
	safe = text_safe(s, keep_newlines);
	if (safe) {
		FUZZ_ASSERT(text_is_utf8(safe, strlen(safe)));
		FUZZ_ASSERT(!text_has_control(safe, keep_newlines));
		fit = text_fit(safe, cols);
		if (fit) {
			FUZZ_ASSERT(text_is_utf8(fit, strlen(fit)));
			FUZZ_ASSERT(text_columns(fit) <= cols);
			FUZZ_ASSERT(strlen(fit) <= strlen(safe) || strcmp(fit, safe) != 0);
			free(fit);
		}
		free(safe);
	}
	free(s);
	return 0;
}
