/* fuzz_json.c - the --answers JSON parser (json_read_answers): no crash
 * and no leak on any input; what it accepts names known questions once
 * each; what it refuses comes with a reason.  (The reason may quote a key
 * of the file, newlines and escapes included: report() makes the line
 * safe when it is printed, see src/report.c.) */
#include <stdbool.h>

#include "fuzz.h"
#include "json.h"
#include "questionnaire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_answers a;
	char why[256] = "";

	if (json_read_answers((const char *)data, size, &a, why, sizeof why) == 0) {
		FUZZ_ASSERT(a.count <= questionnaire_count);
		for (size_t i = 0; i < a.count; i++) {
			FUZZ_ASSERT(questionnaire_index(a.item[i].id) >= 0);
			for (size_t j = 0; j < i; j++)
				FUZZ_ASSERT(strcmp(a.item[i].id, a.item[j].id) != 0);
		}
		json_answers_free(&a);
	} else {
		FUZZ_ASSERT(why[0] != '\0');
		FUZZ_ASSERT(a.item == NULL && a.count == 0);
	}
	return 0;
}
