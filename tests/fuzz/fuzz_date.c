/* fuzz_date.c - the date parser (src/date.c): no crash on any input, and a
 * date it accepts prints back exactly as given and survives arithmetic;
 * date_read() (dates as people type them) only ever gives real dates. */
#include "date.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct date d, back;
	char buf[11];

	if (!s)
		return 0;
	if (date_parse(s, &d) == DATE_OK) {
		FUZZ_ASSERT(d.year >= 1900 && d.year <= 9999);
		FUZZ_ASSERT(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);
		date_format(d, buf);
		FUZZ_ASSERT(strcmp(buf, s) == 0);
		/* Two years either way, as the session and age rules use. */
		for (int days = -800; days <= 800; days += 397) {
			back = date_add_days(date_add_days(d, days), -days);
			FUZZ_ASSERT(date_cmp(back, d) == 0);
		}
		FUZZ_ASSERT(date_age(d, d) == 0);
		FUZZ_ASSERT(date_cmp(d, date_add_days(d, 1)) < 0);
	}
	/* Dates as typed: whatever date_read() takes is a real date in range. */
	for (int form = DATE_FORM_ISO; form <= DATE_FORM_MDY; form++) {
		enum date_kind kind;
		const struct date today = { 2026, 12, 4 };
		if (date_read(s, (enum date_form)form, form != DATE_FORM_MDY, today, &d, &kind) !=
		    DATE_OK)
			continue;
		FUZZ_ASSERT(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);
		if (kind == DATE_KIND_RELATIVE) {
			FUZZ_ASSERT(date_cmp(d, today) >= 0);
			continue;
		}
		FUZZ_ASSERT(d.year >= 1900 && d.year <= 9999);
		date_format(d, buf);
		FUZZ_ASSERT(date_parse(buf, &back) == DATE_OK && date_cmp(back, d) == 0);
		if (kind == DATE_KIND_DAY && date_parse(s, &back) == DATE_OK)
			FUZZ_ASSERT(date_cmp(back, d) == 0);
	}
	free(s);
	return 0;
}
