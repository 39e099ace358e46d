/* take.c - taking a new consultation intake (`new`, and `resume` of a
 * draft of one).  At a terminal every answer is kept in a draft as it is
 * given and a returning client is recognised; through a pipe or from a
 * JSON file nothing is stored before the final save. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acknowledgement.h"
#include "advice.h"
#include "json.h"
#include "prompt.h"
#include "questionnaire.h"
#include "report.h"
#include "sheet.h"
#include "take.h"
#include "text.h"
#include "uuid.h"
#include "walk.h"

#define ANSWERS_FILE_MAX (16 * 1024 * 1024)

char *take_read_answers_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f) {
		report("cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (*len + 65536 + 1 > cap) {
			char *grown = realloc(buf, cap = *len + 65536 + 1);
			if (!grown) {
				report("out of memory");
				goto fail;
			}
			buf = grown;
		}
		n = fread(buf + *len, 1, cap - *len - 1, f);
		*len += n;
		if (*len > ANSWERS_FILE_MAX) {
			report("'%s' is larger than 16 MiB; not an answers file", path);
			goto fail;
		}
	} while (n > 0);
	if (ferror(f)) {
		report("cannot read '%s': %s", path, strerror(errno));
		goto fail;
	}
	buf[*len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
fail:
	free(buf);
	if (f != stdin)
		fclose(f);
	return NULL;
}

/* At the terminal: show what will be stored, numbered (a number changes
 * that answer), and ask before saving. */
static enum walk_answer confirm(struct walk *w)
{
	return walk_review(w, "\nSave this intake? [yes/no]: ");
}

/* What the walk of a new intake carries beside the answers. */
struct taking {
	struct ctx *ctx;
	struct intake *in;
	struct answers contact; /* the returning client's, kept on an empty answer */
	int dob;                /* index of date_of_birth */
	struct answers again;   /* last intake's screening answers, shown, asked again */
};

#define OFFERS_MAX 10

struct offers {
	size_t count;
	struct client_match m[OFFERS_MAX];
	char *name[OFFERS_MAX], *born[OFFERS_MAX], *last[OFFERS_MAX];
};

static int collect_offer(const struct client_match *m, void *arg)
{
	struct offers *o = arg;
	size_t i = o->count;
	char *name = NULL, day[64];

	if (i == OFFERS_MAX)
		return 1;
	if (!(name = text_join(m->first_name, " ", m->last_name))) {
		report("out of memory");
		return -1;
	}
	o->m[i] = *m;
	o->name[i] = text_safe(name, false);
	o->born[i] = text_safe(m->date_of_birth ? m->date_of_birth : "", false);
	o->last[i] = strdup(text_stamp_part(day, sizeof day, m->last_taken_at, 0, 10));
	free(name);
	o->count++;
	if (!o->name[i] || !o->born[i] || !o->last[i]) {
		report("out of memory");
		return -1;
	}
	return 0;
}

static void offers_clear(struct offers *o)
{
	for (size_t i = 0; i < o->count; i++) {
		free(o->name[i]);
		free(o->born[i]);
		free(o->last[i]);
	}
	o->count = 0;
}

/* Links the intake to client id: its details become the answers' (names
 * and birth date as on file) and the defaults of the contact questions. */
static int choose_client(struct taking *t, long long id)
{
	answers_clear(&t->contact);
	switch (db_load_client(t->ctx->db, id, &t->contact)) {
	case DB_OK:
		break;
	case DB_MISSING:
		ctx_report_missing(t->ctx, true, id);
		/* fall through */
	default:
		return -1;
	}
	if (answers_set(&t->in->answers, "first_name", answers_get(&t->contact, "first_name")) < 0 ||
	    answers_set(&t->in->answers, "last_name", answers_get(&t->contact, "last_name")) < 0 ||
	    answers_set(&t->in->answers, "date_of_birth",
			answers_get(&t->contact, "date_of_birth")) < 0) {
		report("out of memory");
		return -1;
	}
	t->in->client_id = id;
	return 0;
}

/* A returning client's treatments, from their last intake: Enter keeps
 * them ("still using minoxidil foam?"). */
static const char *const carried_over[] = { "uses_rogaine",	    "rogaine_form",
					    "rogaine_since",	    "uses_propecia",
					    "propecia_form",	    "uses_other_topical",
					    "other_topical_products", "uses_other_medical",
					    "other_medical_products", NULL };

/* What must be answered afresh, shown with last time's answer: the GP's
 * sign-off (it was for the treatments of that day, and a studio asks
 * again rather than carry a doctor's word over) and the health
 * screening (it is about today). */
static const char *const asked_again[] = { "gp_discussed",
					   "gp_signoff",
					   "gp_name",
					   "gp_signoff_date",
					   "scalp_conditions",
					   "scalp_conditions_detail",
					   "keloid_history",
					   "blood_thinners",
					   "blood_thinners_detail",
					   "allergies",
					   "allergies_detail",
					   "pregnant_or_breastfeeding",
					   "other_medication",
					   NULL };

/* At the terminal, once the intake joins client t->in->client_id: the
 * walk starts from their last intake, as carried_over and asked_again
 * say.  A stored answer the questions of today would refuse (a choice
 * since renamed) is not offered.  Returns 0, or -1 (reported). */
static int start_from_last(struct taking *t, struct walk *w)
{
	struct intake last;
	long long id = db_client_last_intake(t->ctx->db, t->in->client_id);
	char why[256], day[64];
	int rc = 0;

	w->returning = true;
	if (id <= 0)
		return id < 0 ? -1 : 0;
	switch (db_load_intake(t->ctx->db, id, &last)) {
	case DB_OK:
		break;
	case DB_MISSING: /* erased meanwhile: nothing to start from */
		return 0;
	default:
		return -1;
	}
	for (size_t i = 0; carried_over[i] && rc == 0; i++) {
		int qi = questionnaire_index(carried_over[i]);
		char *value = NULL;
		if (qi < 0 || !last.answers.value[qi] ||
		    question_check(&questionnaire[qi], last.answers.value[qi], &last.answers, &w->rules,
				   &value, why, sizeof why) < 0)
			continue;
		if (value && answers_set(&t->contact, carried_over[i], value) < 0)
			rc = -1;
		free(value);
	}
	for (size_t i = 0; asked_again[i] && rc == 0; i++)
		if (questionnaire_index(asked_again[i]) >= 0 &&
		    answers_set(&t->again, asked_again[i], answers_get(&last.answers, asked_again[i])) < 0)
			rc = -1;
	if (rc < 0)
		report("out of memory");
	else
		printf("Starting from intake %lld of %s: Enter keeps its treatment answers; the GP\n"
		       "and health questions show last time's answer and are answered again.\n\n",
		       id, text_stamp_part(day, sizeof day, last.taken_at, 0, 10));
	w->last = &t->again;
	intake_clear(&last);
	return rc;
}

/* At the terminal, once the names and birth date are known: a client on
 * file with the same ones is offered before the contact details are
 * asked, so a returning client keeps one record.  Declining them all
 * makes a new record even with the same details (two people can share a
 * name and a birthday). */
static enum walk_result offer_returning(struct walk *w, size_t qi, void *arg)
{
	struct taking *t = arg;
	struct offers o = { 0 };
	enum walk_result r = WALK_DONE;

	if ((int)qi != t->dob || t->in->client_id > 0)
		return WALK_DONE;
	if (db_same_clients(t->ctx->db, w->a, collect_offer, &o) < 0) {
		offers_clear(&o);
		return WALK_FAILED;
	}
	for (size_t i = 0; i < o.count && r == WALK_DONE; i++) {
		printf("\n%s: client %lld, %s, born %s, last intake %lld on %s.\n",
		       o.m[i].near ? "A possible match on file (the name is spelt differently)"
				   : "On file",
		       o.m[i].client_id, o.name[i], o.born[i], o.m[i].last_intake_id, o.last[i]);
		switch (walk_ask_yes("Is this the same person? [yes/no]: ")) {
		case WALK_YES:
			if (choose_client(t, o.m[i].client_id) < 0) {
				r = WALK_FAILED;
				break;
			}
			w->keep = &t->contact;
			if (w->draft) {
				w->draft->client_id = o.m[i].client_id;
				if (db_draft_step(w->db, w->draft, NULL, NULL, questionnaire[qi + 1].id) < 0)
					w->draft = NULL;
			}
			printf("This intake joins client %lld. Enter keeps the contact details on file.\n\n",
			       o.m[i].client_id);
			offers_clear(&o);
			return start_from_last(t, w) < 0 ? WALK_FAILED : WALK_DONE;
		case WALK_NO:
			break;
		case WALK_STOPPED:
			r = WALK_CANCELLED;
			break;
		case WALK_ERROR:
			r = WALK_FAILED;
			break;
		}
	}
	if (r == WALK_DONE && o.count) {
		t->in->client_id = -1;
		printf("A new client record will be made.\n\n");
	}
	offers_clear(&o);
	return r;
}

struct draft_count {
	long long all, new_intakes;
};

static int count_draft(const struct draft *d, void *arg)
{
	struct draft_count *n = arg;

	n->all++;
	if (!d->intake_id && !d->session_intake_id)
		n->new_intakes++;
	return 0;
}

/* `new` at a terminal mentions the drafts left unfinished: new intakes,
 * or edits and sessions too. */
static void mention_drafts(struct db *db)
{
	struct draft_count n = { 0, 0 };

	if (db_each_draft(db, count_draft, &n) < 0 || n.all == 0)
		return;
	if (n.all == n.new_intakes)
		printf("%lld unfinished intake%s kept as draft%s: smp-intake drafts lists them, "
		       "smp-intake resume continues one.\n",
		       n.all, n.all == 1 ? " is" : "s are", n.all == 1 ? "" : "s");
	else
		printf("%lld draft%s kept (unfinished intakes, edits or sessions): smp-intake "
		       "drafts lists them, smp-intake resume continues one.\n",
		       n.all, n.all == 1 ? " is" : "s are");
}

static int stamp(struct intake *in, const char *staff)
{
	char when[21];

	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return -1;
	}
	if (uuid_v4(in->uuid) < 0) {
		report("cannot make a unique id: %s", strerror(errno));
		return -1;
	}
	if (!(in->taken_at = strdup(when)) || !(in->staff = strdup(staff))) {
		report("out of memory");
		return -1;
	}
	return 0;
}


/* Reads and parses an --answers file into json. */
static int load_answers_file(const char *path, struct json_answers *json)
{
	char why[256], *text;
	size_t len;
	int rc;

	if (!(text = take_read_answers_file(path, &len)))
		return -1;
	rc = json_read_answers(text, len, json, why, sizeof why);
	free(text);
	if (rc < 0)
		report("%s: %s; nothing saved", strcmp(path, "-") ? path : "stdin", why);
	return rc;
}

/* Starts the answers from draft d: its answers, and the questions before
 * the one it stopped at are not asked again.  Those after it that the
 * draft answered (before going back with <) are asked with that answer as
 * what Enter keeps. */
static int start_from_draft(struct walk *w, const struct draft *d)
{
	int stop = d->next_question ? questionnaire_index(d->next_question) : -1;

	w->start = stop < 0 ? questionnaire_count : (size_t)stop;
	for (size_t i = 0; i < questionnaire_count; i++) {
		if (d->has[i] && answers_set(w->a, questionnaire[i].id, d->answers.value[i]) < 0) {
			report("out of memory");
			return -1;
		}
		w->again[i] = d->has[i] && i >= w->start;
	}
	return 0;
}

/* What the walk starts from: the answers file's, a draft's answers, the
 * client named (--client or the draft's), and the rules of the studio.
 * Returns 0, or -1 (reported). */
static int start_walk(struct taking *t, struct walk *w, struct json_answers *json,
		      const char *answers_path, const struct draft *resume, long long client_id)
{
	struct ctx *ctx = t->ctx;

	if (answers_path) {
		if (load_answers_file(answers_path, json) < 0)
			return -1;
		w->kind = FROM_JSON;
		w->json = json;
	}
	w->rules.today = date_today();
	w->rules.minimum_age = ctx->settings.minimum_age;
	/* An answers file holds data: dates as stored; people type them. */
	w->rules.dates =
		w->kind == FROM_JSON ? DATES_STORED : rules_dates_typed(ctx->settings.date_input);
	w->a = &t->in->answers;
	if (resume && start_from_draft(w, resume) < 0)
		return -1;
	if (!client_id && resume)
		client_id = resume->client_id;
	if (client_id) {
		if (choose_client(t, client_id) < 0)
			return -1;
		w->keep = &t->contact;
		w->skip[questionnaire_index("first_name")] = true;
		w->skip[questionnaire_index("last_name")] = true;
		w->skip[t->dob] = true;
	}
	return 0;
}

/* At the terminal: every answer kept in draft as it is given (a new draft
 * is staff's), the returning client offered once the birth date is known,
 * and the words before the first question.  Returns 0, or -1 (reported). */
static int start_at_terminal(struct taking *t, struct walk *w, struct draft *draft, bool resumed,
			     const char *staff)
{
	if (!resumed) {
		mention_drafts(t->ctx->db);
		if (!(draft->staff = strdup(staff))) {
			report("out of memory");
			return -1;
		}
	}
	draft->client_id = t->in->client_id;
	w->db = t->ctx->db;
	w->draft = draft;
	w->after = offer_returning;
	w->after_arg = t;
	text_wrap(stdout,
		  resumed ? "Resuming an intake. Type ? for help on a question, < to go back "
			    "one; Ctrl-C stops and keeps a draft."
			  : "New consultation intake. Type ? for help on a question, < to go "
			    "back one; Ctrl-C stops and keeps a draft.",
		  text_terminal_width(), 0);
	printf("\n\n");
	/* A returning client named outright (--client, or a draft's).
	 * Through a pipe or a file every answer is as given: a script
	 * cannot see what Enter would keep. */
	return t->in->client_id > 0 ? start_from_last(t, w) : 0;
}

/* Through a pipe the acknowledgement is the line after the answers; from
 * a file, acknowledged_by.  It is saved with the intake.  Returns 0, or
 * -1 (reported). */
static int acknowledgement_with_answers(const struct walk *w, const struct json_answers *json,
					struct intake *in, const char *staff)
{
	char *line = NULL;
	int ok = w->kind == FROM_JSON ? 0 : acknowledgement_read_line(&line);
	const char *typed =
		w->kind == FROM_JSON ? json_answers_get(json, JSON_ACKNOWLEDGED_BY) : line;

	if (ok == 0)
		ok = acknowledgement_given(typed, &in->answers, staff, &in->ack, "; nothing saved");
	free(line);
	return ok;
}

/* Once in is saved: one line for the artist, then the client's sheet to
 * read before typing their name (through the pager when longer than the
 * screen), asked for at the terminal.  Returns an exit code. */
static int show_saved(struct ctx *ctx, struct intake *in, enum walk_source kind)
{
	printf("Saved intake %lld for client %lld.\n", in->id, in->client_id);
	sheet_print_readiness(stdout, in);
	sheet_show_advice(in, SHEET_FOR_CLIENT);
	if (kind == FROM_TERMINAL && acknowledgement_ask(ctx, in) < 0) {
		report("intake %lld is saved, but not the client's acknowledgement", in->id);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int intake_take(struct ctx *ctx, long long client_id, struct draft *resume,
		const char *answers_path)
{
	struct json_answers json = { NULL, 0 };
	struct intake in = { 0 };
	struct draft fresh = { 0 }, *draft = resume ? resume : &fresh;
	struct taking t = { ctx, &in, { { NULL } }, questionnaire_index("date_of_birth"), { { NULL } } };
	struct walk w = { .kind = prompt_interactive() ? FROM_TERMINAL : FROM_PIPE };
	const char *staff;
	enum walk_result r;
	bool declined = false;
	int rc = EXIT_FAIL;

	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	/* Before anything is asked: a file that cannot be saved to says so now. */
	if (!db_writable(ctx->db, "cannot take an intake"))
		return EXIT_FAIL;
	if (start_walk(&t, &w, &json, answers_path, resume, client_id) < 0)
		goto out;
	if (w.kind == FROM_TERMINAL) {
		if (start_at_terminal(&t, &w, draft, resume != NULL, staff) < 0)
			goto out;
		/* A draft that stopped after the birth date was given is offered
		 * the returning client again. */
		if (resume && (size_t)t.dob < w.start && in.client_id == 0 &&
		    (r = offer_returning(&w, (size_t)t.dob, &t)) != WALK_DONE)
			goto stopped;
	}
	r = walk_run(&w);
	if (r == WALK_DONE && w.kind == FROM_TERMINAL) {
		switch (confirm(&w)) {
		case WALK_YES:
			break;
		case WALK_NO:
			declined = true;
			break;
		case WALK_STOPPED:
			r = WALK_CANCELLED;
			break;
		case WALK_ERROR:
			r = WALK_FAILED;
			break;
		}
	}
stopped:
	if (declined) {
		report("intake cancelled; nothing saved");
		goto discard;
	}
	switch (r) {
	case WALK_DONE:
		break;
	case WALK_NO_CONSENT:
		report("the client did not consent to storage; nothing saved");
		goto discard;
	case WALK_CANCELLED:
		if (draft->id) {
			report("intake stopped; the answers so far are kept as draft %lld "
			       "(smp-intake resume %lld)",
			       draft->id, draft->id);
			goto out;
		}
		report("intake cancelled; nothing saved");
		goto out;
	case WALK_FAILED:
		goto out;
	}
	in.draft_id = draft->id;
	if (stamp(&in, staff) < 0)
		goto kept;
	if (w.kind != FROM_TERMINAL && acknowledgement_with_answers(&w, &json, &in, staff) < 0)
		goto out;
	if (advice_for_answers(&in.answers, &ctx->settings, &in.advice) < 0) {
		report("out of memory; nothing saved");
		goto kept;
	}
	if (db_save_intake(ctx->db, &in) < 0)
		goto kept;
	rc = show_saved(ctx, &in, w.kind);
	goto out;
kept:
	if (in.draft_id)
		report("the answers are kept as draft %lld (smp-intake resume %lld)", draft->id,
		       draft->id);
	goto out;
discard:
	if (draft->id && db_draft_discard(ctx->db, draft->id) < 0)
		report("draft %lld could not be removed: smp-intake drafts --discard %lld", draft->id,
		       draft->id);
out:
	json_answers_free(&json);
	answers_clear(&t.contact);
	answers_clear(&t.again);
	intake_clear(&in);
	draft_clear(&fresh);
	return rc;
}
