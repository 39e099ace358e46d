/* db_find.c - finding clients by name, email or phone for `find`, through
 * the full-text index client_search (schema/004_search.sql), and purging
 * that index of what erased clients leave in it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_private.h"
#include "fold.h"
#include "report.h"
#include "text.h"

/* Fewer digits than this would find most numbers, and are more likely the
 * start of an email address or a name. */
#define PHONE_MIN_DIGITS 4

/* The tokenizer client_search was made with, less its name: a search is cut
 * into words exactly as the names were.  (Not const: xCreate takes a plain
 * const char **.) */
static const char *tokenizer_args[] = { "remove_diacritics", "2" };

/* The table's own tokenizer, to tell which words of a search hold anything
 * to look for: FTS5 would take a quoted string of punctuation alone ("-")
 * as a phrase of no words that no row matches, and with AND that would
 * hide every client. */
struct tokenizer {
	fts5_tokenizer api;
	Fts5Tokenizer *tok;
};

static int tokenizer_open(sqlite3 *h, struct tokenizer *t)
{
	fts5_api *fts = NULL;
	sqlite3_stmt *st = NULL;
	void *ctx = NULL;

	t->tok = NULL;
	/* The documented way to reach FTS5's C interface from a connection. */
	if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_pointer(st, 1, (void *)&fts, "fts5_api_ptr", NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		fts = NULL;
	sqlite3_finalize(st);
	if (!fts || fts->iVersion < 2 ||
	    fts->xFindTokenizer(fts, "unicode61", &ctx, &t->api) != SQLITE_OK ||
	    t->api.xCreate(ctx, tokenizer_args, 2, &t->tok) != SQLITE_OK)
		return -1;
	return 0;
}

static void tokenizer_close(struct tokenizer *t)
{
	if (t->tok)
		t->api.xDelete(t->tok);
}

static int count_token(void *arg, int flags, const char *token, int n, int start, int end)
{
	(void)flags, (void)token, (void)n, (void)start, (void)end;
	(*(int *)arg)++;
	return SQLITE_OK;
}

/* How many words the index would see in s[0..n), or -1. */
static int tokenizer_count(struct tokenizer *t, const char *s, size_t n)
{
	int count = 0;
	int rc = t->api.xTokenize(t->tok, &count, FTS5_TOKENIZE_QUERY, s, (int)n, count_token);

	return rc == SQLITE_OK ? count : -1;
}

/* Appends s (query syntax of ours, never the user's). */
static char *put(char *out, const char *s)
{
	size_t n = strlen(s);

	memcpy(out, s, n);
	return out + n;
}

/* Appends s[0..n) as an FTS5 string matching by prefix: inside double
 * quotes every character is text, never query syntax, once each " is
 * doubled. */
static char *put_prefix_string(char *out, const char *s, size_t n)
{
	*out++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*out++ = '"';
		*out++ = s[i];
	}
	*out++ = '"';
	*out++ = '*';
	return out;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Only what people type in a phone number, and enough digits. */
static bool is_phone(const char *text)
{
	int digits = 0;

	for (const char *p = text; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!is_blank(*p) && !strchr("+-.()/", *p))
			return false;
	}
	return digits >= PHONE_MIN_DIGITS;
}

/* Length of the E.164 country code d starts with: 1, 2 or 3 digits, and no
 * code is the start of another.  The same list as client_search_source in
 * schema/004_search.sql. */
static size_t country_code_length(const char *d)
{
	static const char two[][3] = {
		"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
		"47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
		"64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
	};

	if (d[0] == '1' || d[0] == '7')
		return 1;
	for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
		if (d[0] == two[i][0] && d[1] == two[i][1])
			return 2;
	return 3;
}

/* The digits typed (into digits[256]), and the national number they hold
 * by the index's rule (after the country code of a "+" or "00" number,
 * less one leading 0), which the index holds for every number too: a
 * pointer into digits, digits itself when it is the same. */
static const char *phone_parts(const char *text, char *digits)
{
	const char *national = digits;
	size_t n = 0;

	for (const char *p = text; *p && n < 255; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	while (is_blank(*text))
		text++;
	if (*text == '+' || (digits[0] == '0' && digits[1] == '0')) {
		const char *intl = *text == '+' ? digits : digits + 2;
		size_t code = country_code_length(intl);
		national = strlen(intl) > code ? intl + code : "";
	}
	if (*national == '0')
		national++;
	return national;
}

/* phone : ("DIGITS"* OR "NATIONAL"*) */
static void phone_match(const char *text, char *out)
{
	char digits[256];
	const char *national = phone_parts(text, digits);

	out = put(out, "phone : (");
	out = put_prefix_string(out, digits, strlen(digits));
	if (*national && national != digits) {
		out = put(out, " OR ");
		out = put_prefix_string(out, national, strlen(national));
	}
	strcpy(out, ")");
}

/* {name email} : ("WORD"* AND ...): every blank-separated word of text
 * that holds something to search for, each a prefix of a phrase in the name
 * or the email ("o'bri" is the words o and bri* in a row).  Returns the
 * number of words put, or -1 (reported). */
static int words_match(sqlite3 *h, const char *text, char *out)
{
	struct tokenizer t;
	int words = 0;

	if (tokenizer_open(h, &t) < 0) {
		tokenizer_close(&t);
		report("cannot search the clients: SQLite's FTS5 tokenizer is not available");
		return -1;
	}
	out = put(out, "{name email} : (");
	for (const char *p = text; *p;) {
		size_t n;
		int count;

		while (is_blank(*p))
			p++;
		for (n = 0; p[n] && !is_blank(p[n]); n++)
			;
		if (n == 0)
			break;
		if ((count = tokenizer_count(&t, p, n)) < 0) {
			report("cannot search the clients: the search text cannot be read");
			words = -1;
			break;
		}
		if (count > 0) {
			if (words++ > 0)
				out = put(out, " AND ");
			out = put_prefix_string(out, p, n);
		}
		p += n;
	}
	strcpy(out, ")");
	tokenizer_close(&t);
	return words;
}

/* Each client found is listed once, with its latest intake, newest first,
 * at most 200.  A client without an intake has nothing to show: the join
 * leaves it out.  Two plans give that list: */
#define FIND_COLUMNS "SELECT c.id, i.id, c.first_name, c.last_name, c.date_of_birth, i.taken_at "
#define FIND_LATEST                                                     \
	"i.id = (SELECT max(id) FROM intake WHERE client_id = c.id) " \
	"ORDER BY i.id DESC LIMIT 200"
/* For a few matches, given as a JSON array of client ids: from each client
 * to its latest intake, then sorted.  The cost grows with the matches (some
 * µs each). */
static const char find_few[] =
	FIND_COLUMNS "FROM json_each(?1) f JOIN client c ON c.id = f.value "
		     "JOIN intake i ON i.client_id = c.id WHERE " FIND_LATEST;
/* For many (the start of a common name, a single letter), given the MATCH
 * expression: down the intakes from the newest, keeping those of a client
 * found, until 200; the more clients match, the sooner that is (at worst
 * every intake is passed, a fraction of a µs each).  The unary + keeps
 * SQLite from driving this one from the index. */
static const char find_many[] =
	FIND_COLUMNS "FROM intake i JOIN client c ON c.id = i.client_id "
		     "WHERE +i.client_id IN (SELECT rowid FROM client_search WHERE client_search MATCH ?1) "
		     "AND " FIND_LATEST;
/* Where one plan overtakes the other, measured on 1,000,000 clients
 * (tests/bench): 1,000 matches take about 10 ms the first way and 20 ms the
 * second, 22,000 take 35 ms and 5 ms. */
#define FIND_FEW 2000

/* Reads the index once: the ids of the clients match finds, as a JSON array
 * for find_few (allocated, in *ids), or NULL in *ids when there are more
 * than FIND_FEW.  Returns 0, or -1. */
static int matching_ids(struct db *db, const char *match, char **ids)
{
	struct db_stmt *st;
	char *p = *ids = malloc((FIND_FEW + 1) * 21 + 3);
	int rc, n = 0;

	if (!p || db_prepare(db, "SELECT rowid FROM client_search WHERE client_search MATCH ?1",
			     &st) < 0) {
		free(p);
		*ids = NULL;
		return -1;
	}
	db_bind_text(st, 1, match);
	*p++ = '[';
	while ((rc = db_step(st)) == SQLITE_ROW && n++ < FIND_FEW)
		p += sprintf(p, "%s%lld", n > 1 ? "," : "", (long long)db_column_int64(st, 0));
	strcpy(p, "]");
	db_finalize(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		if (rc == SQLITE_ROW) { /* more than FIND_FEW */
			free(*ids);
			*ids = NULL;
		}
		return 0;
	}
	free(*ids);
	*ids = NULL;
	return -1;
}

/* On a server (docs/server.md): no FTS5 there.  The server narrows the
 * clients with its trigram indexes (schema/postgresql/001_schema.sql:
 * smp_fold() of the name and the e-mail, smp_phone_search() of the phone,
 * each word's every token somewhere in one of them), then the very same
 * MATCH as on a file picks among those, in an FTS5 table of the same
 * tokenizer in memory; so the clients found, and their order, are a
 * file's.  What a client holds is never kept past the search. */
#define MEMORY_INDEX                                                                  \
	"CREATE VIRTUAL TABLE client_search USING fts5(name, email, phone, content = '', " \
	"columnsize = 0, tokenize = 'unicode61 remove_diacritics 2')"
#define SERVER_CANDIDATES                                                                  \
	"SELECT id, first_name || ' ' || last_name, email, smp_phone_search(phone) FROM client " \
	"WHERE "
#define SERVER_PHONE                                                   \
	"(smp_phone_search(phone) LIKE '%' || ?1::text || '%' " \
	"OR smp_phone_search(phone) LIKE '%' || ?2::text || '%')"
#define SERVER_TOKEN                                                                     \
	"(smp_fold(first_name || ' ' || last_name) LIKE '%%' || smp_fold(?%d::text) || '%%' " \
	"OR smp_fold(email) LIKE '%%' || smp_fold(?%d::text) || '%%')"

struct terms {
	const char *text;
	size_t count, cap;
	struct { int start, end; } *at;
};

static int keep_term(void *arg, int flags, const char *token, int n, int start, int end)
{
	struct terms *t = arg;

	(void)flags, (void)token, (void)n;
	if (t->count == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		void *at = realloc(t->at, cap * sizeof *t->at);
		if (!at)
			return SQLITE_NOMEM;
		t->at = at;
		t->cap = cap;
	}
	t->at[t->count].start = start;
	t->at[t->count].end = end;
	t->count++;
	return SQLITE_OK;
}

/* The server's statement that narrows the clients to those the words of
 * text (or its phone number) may match, bound; or NULL (reported). */
static struct db_stmt *server_candidates(struct db *db, sqlite3 *mem, const char *text,
					 bool phone)
{
	struct db_stmt *st = NULL;
	struct terms terms = { text, 0, 0, NULL };
	struct tokenizer t;
	char *sql = NULL, *p;

	if (phone) {
		char digits[256];
		const char *national = phone_parts(text, digits);

		if (db_prepare(db, SERVER_CANDIDATES SERVER_PHONE, &st) < 0)
			return NULL;
		/* Copies: digits goes with this frame, the statement steps later. */
		if (db_bind_text_copy(st, 1, digits) != SQLITE_OK ||
		    db_bind_text_copy(st, 2, *national && national != digits ? national : digits) !=
			    SQLITE_OK) {
			db_finalize(st);
			report("out of memory");
			return NULL;
		}
		return st;
	}
	if (tokenizer_open(mem, &t) < 0 ||
	    t.api.xTokenize(t.tok, &terms, FTS5_TOKENIZE_QUERY, text, (int)strlen(text),
			    keep_term) != SQLITE_OK) {
		tokenizer_close(&t);
		free(terms.at);
		report("cannot search the clients: the search text cannot be read");
		return NULL;
	}
	tokenizer_close(&t);
	if (!(sql = p = malloc(sizeof SERVER_CANDIDATES + terms.count * (sizeof SERVER_TOKEN + 32)))) {
		free(terms.at);
		report("out of memory");
		return NULL;
	}
	p = put(p, SERVER_CANDIDATES);
	for (size_t i = 0; i < terms.count; i++) {
		if (i > 0)
			p = put(p, " AND ");
		p += sprintf(p, SERVER_TOKEN, (int)i + 1, (int)i + 1);
	}
	if (terms.count == 0)
		put(p, "false");
	if (db_prepare(db, sql, &st) == 0) {
		for (size_t i = 0; i < terms.count; i++) {
			char *term = strndup(text + terms.at[i].start,
					     (size_t)(terms.at[i].end - terms.at[i].start));
			if (!term || db_bind_text_copy(st, (int)i + 1, term) != SQLITE_OK) {
				free(term);
				db_finalize(st);
				st = NULL;
				report("out of memory");
				break;
			}
			free(term);
		}
	} else {
		db_report(db, "cannot search the clients");
	}
	free(sql);
	free(terms.at);
	return st;
}

/* Appends s to the growing text *buf (of *len bytes, *cap allocated). */
static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		size_t c = 2 * (*len + n + 1);
		char *b = realloc(*buf, c);
		if (!b)
			return -1;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/* The ids of the clients the server's candidates give that match finds,
 * as the server's array text ("{1,2}"), allocated; or NULL (reported). */
static char *server_matching_ids(struct db *db, sqlite3 *mem, struct db_stmt *cand,
				 const char *match)
{
	sqlite3_stmt *ins = NULL, *sel = NULL;
	char *ids = NULL;
	size_t len = 0, cap = 0;
	int rc = SQLITE_DONE;
	bool ok = sqlite3_exec(mem, MEMORY_INDEX, NULL, NULL, NULL) == SQLITE_OK &&
		  sqlite3_exec(mem, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
		  sqlite3_prepare_v2(mem, "INSERT INTO client_search (rowid, name, email, phone) "
					  "VALUES (?1, ?2, ?3, ?4)", -1, &ins, NULL) == SQLITE_OK;

	while (ok && (rc = db_step(cand)) == SQLITE_ROW) {
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, db_column_int64(cand, 0));
		for (int i = 1; i < 4; i++)
			sqlite3_bind_text(ins, i + 1, db_column_text(cand, i), -1, SQLITE_TRANSIENT);
		ok = sqlite3_step(ins) == SQLITE_DONE;
	}
	if (ok && rc != SQLITE_DONE) {
		db_report(db, "cannot search the clients");
		goto out;
	}
	ok = ok && sqlite3_exec(mem, "COMMIT", NULL, NULL, NULL) == SQLITE_OK &&
	     sqlite3_prepare_v2(mem, "SELECT rowid FROM client_search WHERE client_search MATCH ?1",
				-1, &sel, NULL) == SQLITE_OK &&
	     sqlite3_bind_text(sel, 1, match, -1, SQLITE_STATIC) == SQLITE_OK &&
	     append(&ids, &len, &cap, "{") == 0;
	while (ok && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
		char id[24];
		snprintf(id, sizeof id, "%s%lld", len > 1 ? "," : "",
			 (long long)sqlite3_column_int64(sel, 0));
		ok = append(&ids, &len, &cap, id) == 0;
	}
	ok = ok && rc == SQLITE_DONE && append(&ids, &len, &cap, "}") == 0;
	if (!ok)
		report("cannot search the clients: the search in memory failed");
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	if (!ok) {
		free(ids);
		return NULL;
	}
	return ids;
}

static const char find_server[] =
	FIND_COLUMNS "FROM unnest(?1::bigint[]) f(id) JOIN client c ON c.id = f.id "
		     "JOIN intake i ON i.client_id = c.id WHERE " FIND_LATEST;

static int find_on_server(struct db *db, const char *text,
			  int (*fn)(const struct client_match *m, void *arg), void *arg)
{
	struct db_stmt *cand = NULL, *st = NULL;
	sqlite3 *mem = NULL;
	char *match = malloc(6 * strlen(text) + 64), *ids = NULL;
	bool phone = is_phone(text);
	int rc, result = -1;

	if (!match) {
		report("out of memory");
		return -1;
	}
	if (sqlite3_open(":memory:", &mem) != SQLITE_OK) {
		report("cannot search the clients: no memory for the search");
		goto out;
	}
	if (phone) {
		phone_match(text, match);
	} else if ((rc = words_match(mem, text, match)) <= 0) {
		result = rc == 0 ? DB_FIND_NOTHING : -1;
		goto out;
	}
	if (!(cand = server_candidates(db, mem, text, phone)))
		goto out;
	ids = server_matching_ids(db, mem, cand, match);
	db_finalize(cand);
	if (!ids)
		goto out;
	if (db_prepare(db, find_server, &st) < 0) {
		db_report(db, "cannot search the clients");
		goto out;
	}
	db_bind_text(st, 1, ids);
	result = db_each_match(db, st, "cannot search the clients", fn, arg);
out:
	sqlite3_close(mem);
	free(match);
	free(ids);
	return result;
}

int db_find_clients(struct db *db, const char *text,
		    int (*fn)(const struct client_match *m, void *arg), void *arg)
{
	struct db_stmt *st = NULL;
	/* The longest expression: every byte a " doubled, a word every other
	 * byte with its quotes, star and AND. */
	char *match, *ids = NULL;
	int rc, result;

	if (db_is_server(db))
		return find_on_server(db, text, fn, arg);
	if (!(match = malloc(6 * strlen(text) + 64))) {
		report("out of memory");
		return -1;
	}
	if (is_phone(text)) {
		phone_match(text, match);
	} else if ((rc = words_match(db->h, text, match)) <= 0) {
		free(match);
		return rc == 0 ? DB_FIND_NOTHING : -1;
	}
	if (matching_ids(db, match, &ids) < 0 ||
	    db_prepare(db, ids ? find_few : find_many, &st) < 0) {
		db_report(db, "cannot search the clients");
		free(match);
		free(ids);
		return -1;
	}
	db_bind_text(st, 1, ids ? ids : match);
	result = db_each_match(db, st, "cannot search the clients", fn, arg);
	free(match);
	free(ids);
	return result;
}

int db_search_purge(struct db *db)
{
	/* 'optimize' merges every segment of the index into one, dropping the
	 * entries of deleted rows; the pages of the old segments are freed, and
	 * secure_delete (db_open) zeroes them. */
	bool own = db_autocommit(db);

	/* A server has no such index: the trigram indexes' entries of a
	 * deleted row go with the table's VACUUM. */
	if (db_is_server(db))
		return 0;
	if (own && db_begin_write(db) < 0)
		return -1;
	if (db_exec(db, "INSERT INTO client_search (client_search) VALUES ('optimize')",
		    "cannot purge the search index") < 0) {
		if (own)
			db_rollback(db);
		return -1;
	}
	return own ? db_commit(db) : 0;
}

/* The client_match of st's row (client id, last intake id, first and
 * last name, birth date, last taken): strings borrowed from st. */
static struct client_match match_row(struct db_stmt *st, bool near)
{
	return (struct client_match){
		db_column_int64(st, 0),
		db_column_int64(st, 1),
		db_column_text(st, 2),
		db_column_text(st, 3),
		db_column_text(st, 4),
		db_column_text(st, 5),
		near,
	};
}

int db_each_match(struct db *db, struct db_stmt *st, const char *what,
		  int (*fn)(const struct client_match *m, void *arg), void *arg)
{
	int rc, result = 0;

	while ((rc = db_step(st)) == SQLITE_ROW) {
		struct client_match m = match_row(st, false);
		if ((result = fn(&m, arg)) != 0)
			break;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, what);
		result = -1;
	}
	db_finalize(st);
	return result;
}

long long db_client_last_intake(struct db *db, long long client_id)
{
	struct db_stmt *st;
	long long id = -1;
	int rc;

	if (db_prepare(db, "SELECT coalesce(max(id), 0) FROM intake WHERE client_id = ?1", &st) < 0) {
		db_report(db, "cannot read the client's last intake");
		return -1;
	}
	db_bind_int64(st, 1, client_id);
	if ((rc = db_step(st)) == SQLITE_ROW)
		id = db_column_int64(st, 0);
	else
		db_report(db, "cannot read the client's last intake");
	db_finalize(st);
	return id;
}

/* The offer of a returning client (see db.h): the clients born that day
 * with an intake, newest first, read twice (the same names first, then
 * the near ones); names are compared in C, folded (fold.h). */
int db_same_clients(struct db *db, const struct answers *a,
		    int (*fn)(const struct client_match *m, void *arg), void *arg)
{
	const char *first = answers_get(a, "first_name"), *last = answers_get(a, "last_name");
	char *typed = text_join(first ? first : "", " ", last ? last : "");
	struct db_stmt *st = NULL;
	int rc = SQLITE_DONE, result = 0;

	if (!typed) {
		report("out of memory");
		return -1;
	}
	if (db_prepare(db, "SELECT c.id, max(i.id), c.first_name, c.last_name, c.date_of_birth, "
			   "max(i.taken_at) FROM client c JOIN intake i ON i.client_id = c.id "
			   "WHERE c.date_of_birth = ?1 GROUP BY c.id ORDER BY max(i.id) DESC",
		       &st) < 0) {
		db_report(db, "cannot look for the client");
		free(typed);
		return -1;
	}
	db_bind_text(st, 1, answers_get(a, "date_of_birth"));
	for (int pass = 0; pass < 2 && result == 0; pass++) {
		db_reset(st);
		while (result == 0 && (rc = db_step(st)) == SQLITE_ROW) {
			struct client_match m = match_row(st, pass == 1);
			bool same = fold_equal(m.first_name, first) && fold_equal(m.last_name, last);
			if (pass == 0 && !same)
				continue;
			if (pass == 1) {
				char *name = text_join(m.first_name ? m.first_name : "", " ",
						       m.last_name ? m.last_name : "");
				if (!name) {
					report("out of memory");
					result = -1;
					break;
				}
				bool near = !same && fold_distance(name, typed, NAME_NEAR_EDITS) <=
							     NAME_NEAR_EDITS;
				free(name);
				if (!near)
					continue;
			}
			result = fn(&m, arg);
		}
		if (result == 0 && rc != SQLITE_DONE) {
			db_report(db, "cannot look for the client");
			result = -1;
		}
	}
	db_finalize(st);
	free(typed);
	return result;
}
