/* intake.c - freeing the records of the data model (intake.h). */
#include "intake.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void intake_clear(struct intake *in)
{
	if (!in)
		return;
	free(in->taken_at);
	free(in->staff);
	in->taken_at = in->staff = NULL;
	answers_clear(&in->answers);
	advice_sheet_clear(&in->advice);
	advice_sheet_clear(&in->ack_advice);
	free(in->ack.typed_name);
	free(in->ack.at);
	free(in->ack.staff);
	memset(&in->ack, 0, sizeof in->ack);
	for (size_t i = 0; i < in->clearances; i++) {
		free(in->cleared[i].flag_id);
		free(in->cleared[i].reason);
		free(in->cleared[i].at);
		free(in->cleared[i].staff);
	}
	in->clearances = 0;
}

/* A copy of s (NULL for NULL) into *out; false when out of memory. */
static bool copy_text(char **out, const char *s)
{
	*out = s ? strdup(s) : NULL;
	return !s || *out;
}

int intake_copy(struct intake *dst, const struct intake *src)
{
	*dst = *src;
	dst->taken_at = dst->staff = NULL;
	memset(&dst->answers, 0, sizeof dst->answers);
	memset(&dst->advice, 0, sizeof dst->advice);
	memset(&dst->ack_advice, 0, sizeof dst->ack_advice);
	dst->ack.typed_name = dst->ack.at = dst->ack.staff = NULL;
	dst->clearances = 0;
	if (!copy_text(&dst->taken_at, src->taken_at) || !copy_text(&dst->staff, src->staff) ||
	    answers_copy(&dst->answers, &src->answers) < 0 ||
	    !copy_text(&dst->ack.typed_name, src->ack.typed_name) ||
	    !copy_text(&dst->ack.at, src->ack.at) || !copy_text(&dst->ack.staff, src->ack.staff))
		goto fail;
	for (size_t i = 0; i < src->advice.count; i++)
		if (advice_sheet_add(&dst->advice, src->advice.item[i].id, src->advice.item[i].text) < 0)
			goto fail;
	for (size_t i = 0; i < src->ack_advice.count; i++)
		if (advice_sheet_add(&dst->ack_advice, src->ack_advice.item[i].id,
				     src->ack_advice.item[i].text) < 0)
			goto fail;
	for (size_t i = 0; i < src->clearances; i++) {
		const struct clearance *c = &src->cleared[i];
		struct clearance *d = &dst->cleared[dst->clearances++];
		*d = (struct clearance){ NULL, NULL, NULL, NULL };
		if (!copy_text(&d->flag_id, c->flag_id) || !copy_text(&d->reason, c->reason) ||
		    !copy_text(&d->at, c->at) || !copy_text(&d->staff, c->staff))
			goto fail;
	}
	return 0;
fail:
	intake_clear(dst);
	memset(dst, 0, sizeof *dst);
	return -1;
}

const struct question *client_field_question(size_t k)
{
	for (size_t i = 0; i < questionnaire_count; i++)
		if (questionnaire[i].client_field && k-- == 0)
			return &questionnaire[i];
	return NULL;
}

void draft_clear(struct draft *d)
{
	if (!d)
		return;
	free(d->next_question);
	free(d->started_at);
	free(d->updated_at);
	free(d->staff);
	answers_clear(&d->answers);
	for (size_t i = 0; i < d->value_count; i++) {
		free(d->values[i].id);
		free(d->values[i].value);
	}
	free(d->values);
	memset(d, 0, sizeof *d);
}

void *held_add(struct held *h, void *p)
{
	if (!p)
		return NULL;
	if ((h->count & (h->count - 1)) == 0) { /* 0, 1, 2, 4, ...: full */
		void **more = realloc(h->block, (h->count ? 2 * h->count : 1) * sizeof *more);
		if (!more) {
			free(p);
			return NULL;
		}
		h->block = more;
	}
	h->block[h->count++] = p;
	return p;
}

const char *held_text(struct held *h, const char *text)
{
	return text ? held_add(h, strdup(text)) : NULL;
}

void held_clear(struct held *h)
{
	for (size_t i = 0; i < h->count; i++)
		free(h->block[i]);
	free(h->block);
	h->block = NULL;
	h->count = 0;
}

void subject_clear(struct subject *s)
{
	if (!s)
		return;
	free(s->created_at);
	answers_clear(&s->client);
	for (size_t i = 0; i < s->intakes; i++) {
		struct subject_intake *it = &s->intake[i];
		intake_clear(&it->in);
		for (size_t k = 0; k < it->sheets; k++)
			advice_sheet_clear(&it->sheet[k].advice);
		free(it->sheet);
		free(it->signoff);
	}
	free(s->intake);
	for (size_t i = 0; i < s->drafts; i++)
		draft_clear(&s->draft[i]);
	free(s->draft);
	free(s->audit);
	held_clear(&s->held);
	memset(s, 0, sizeof *s);
}

/* The strings of a session, for clearing and copying them all. */
static const size_t session_strings[] = {
	offsetof(struct session, performed_on),	 offsetof(struct session, artist),
	offsetof(struct session, areas),	 offsetof(struct session, pigment_brand),
	offsetof(struct session, shade),	 offsetof(struct session, lot),
	offsetof(struct session, lot_expiry),	 offsetof(struct session, needle),
	offsetof(struct session, dilution),	 offsetof(struct session, notes),
	offsetof(struct session, reaction),	 offsetof(struct session, reaction_note),
	offsetof(struct session, reaction_at),	 offsetof(struct session, rescreen),
	offsetof(struct session, id_checked),	 offsetof(struct session, countersigned),
	offsetof(struct session, client_ack),	 offsetof(struct session, override_reason),
	offsetof(struct session, recorded_at),	 offsetof(struct session, staff),
};
#define SESSION_STRINGS (sizeof session_strings / sizeof session_strings[0])

static char **session_string(struct session *s, size_t k)
{
	return (char **)((char *)s + session_strings[k]);
}

void session_clear(struct session *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < SESSION_STRINGS; k++)
		free(*session_string(s, k));
	memset(s, 0, sizeof *s);
}

int session_copy(struct session *dst, const struct session *src)
{
	*dst = *src;
	for (size_t k = 0; k < SESSION_STRINGS; k++)
		*session_string(dst, k) = NULL;
	for (size_t k = 0; k < SESSION_STRINGS; k++) {
		const char *from = *(char *const *)((const char *)src + session_strings[k]);
		if (from && !(*session_string(dst, k) = strdup(from))) {
			session_clear(dst);
			return -1;
		}
	}
	return 0;
}

void photo_clear(struct photo *p)
{
	if (!p)
		return;
	free(p->view);
	free(p->media_type);
	free(p->added_at);
	free(p->staff);
	memset(p, 0, sizeof *p);
}
