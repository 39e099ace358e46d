/* fuzz_answers.c - the answer checks (question_check over every question):
 * the first byte picks the question and whether a date of birth is already
 * known, the rest is the answer as typed.  An accepted answer must be
 * valid UTF-8, and checking it again must accept it unchanged (what is
 * stored is what a later edit offers back as the default). */
#include <stdbool.h>

#include "fuzz.h"
#include "questionnaire.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rules rules = {{2026, 11, 29}, 18, DATES_STORED};
	const struct question *q;
	struct answers so_far;
	char *input, *value = NULL, *again = NULL;
	char why[256];

	if (size < 1)
		return 0;
	q = &questionnaire[data[0] % questionnaire_count];
	memset(&so_far, 0, sizeof so_far);
	if (data[0] & 0x80)
		answers_set(&so_far, "date_of_birth", "1985-07-23");
	if (!(input = fuzz_string(data + 1, size - 1)))
		goto out;
	if (question_check(q, input, &so_far, &rules, &value, why, sizeof why) == 0) {
		if (value) {
			FUZZ_ASSERT(text_is_utf8(value, strlen(value)));
			FUZZ_ASSERT(question_check(q, value, &so_far, &rules, &again, why,
						   sizeof why) == 0);
			FUZZ_ASSERT(again && strcmp(again, value) == 0);
		} else {
			FUZZ_ASSERT(!q->required);
		}
	} else {
		/* A reason is given, and it is one line. */
		FUZZ_ASSERT(why[0] != '\0' && !strchr(why, '\n'));
		FUZZ_ASSERT(value == NULL);
	}
out:
	free(value);
	free(again);
	free(input);
	answers_clear(&so_far);
	return 0;
}
