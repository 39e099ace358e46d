/* db_pg.c - the PostgreSQL side of the statement layer (db_private.h):
 * the connection to a server named by a libpq URI, and statements
 * prepared, bound, stepped and finalized as SQLite's are, with SQLite's
 * result codes.  The only file that includes libpq-fe.h.
 *
 * What differs from SQLite, and how it is bridged here:
 * - `?N` and `?` become `$N` (outside quotes and comments), and SQLite's
 *   max() and min() of several arguments PostgreSQL's greatest() and
 *   least() (which skip NULLs: every such use here has none, or coalesces
 *   them); max() and min() of one argument are the aggregates on both.
 *   `x IS ?N` (SQLite's IS of any two values) is `IS NOT DISTINCT FROM`;
 *   `temp.` (SQLite's schema of temporary tables) is `pg_temp.`; the
 *   planner hint `NOT INDEXED` is dropped (the server plans for itself).
 * - An INSERT into a table with an identity column (id, or aftercare's
 *   version, audit_change's seq: read from the server at connect), or one
 *   that gives a column id itself (a temporary table), gets `RETURNING`
 *   that column, which db_last_insert_id() then gives, as
 *   sqlite3_last_insert_rowid() does (the row it returns is not a row of
 *   the statement's).  `INSERT OR IGNORE` is `INSERT ... ON CONFLICT DO
 *   NOTHING`.
 * - Values travel as text (integers printed, NULL as NULL); a blob is sent
 *   in binary and read back from bytea's hex form.
 * - "BEGIN IMMEDIATE" (SQLite's one writer) is a transaction that first
 *   takes the studio's write lock (pg_advisory_xact_lock): writers follow
 *   one another as on SQLite, and what one reads after the lock is what the
 *   last one committed; one waits for the lock as long as SQLite's busy
 *   timeout, then is busy.  "BEGIN" (a read) is REPEATABLE READ: one snapshot
 *   for the whole read, as SQLite's read transaction.
 * - A SELECT inside a transaction runs through a cursor, fetched a batch at
 *   a time: an export's memory does not grow with the records, and several
 *   statements can be walked side by side (libpq allows one query at a time
 *   on a connection; cursors are how one interleaves them).  Outside a
 *   transaction the result is read whole (one-row lookups).
 * - Inside a transaction, what needs no answer at once is pipelined (libpq's
 *   pipeline mode): a cursor's CLOSE, a DECLARE with its first FETCH, the
 *   writes an import marks with db_defer() and the lookups it starts with
 *   db_prefetch() travel together with the next statement that waits, one
 *   round trip for all (an import: one per record, not some thirty).  The
 *   deferred and prefetched statements are prepared once under a name
 *   (smp_sN), since they run once per record.
 * - The server's errors (SQLSTATE) map onto SQLite's codes: integrity
 *   (class 23) and the guards' exceptions are SQLITE_CONSTRAINT, a full
 *   disk SQLITE_FULL, a serialization failure or deadlock SQLITE_BUSY, a
 *   refused privilege SQLITE_AUTH, a lost connection SQLITE_IOERR. */
#include <dlfcn.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "db_private.h"
#include "report.h"
#include "schema.h"

/* libpq is loaded when a server is first named (dlopen), not linked: a
 * studio on an SQLite file, every workstation's start and every export,
 * carries none of it (libpq brings some twenty libraries: TLS, Kerberos,
 * LDAP).  Its header gives the types; each function is called through
 * pq, filled by dlsym, under its own name (the defines below). */
#define LIBPQ "libpq.so.5"
#define PQ_FUNCTIONS(X) \
	X(PQconnectdbParams) \
	X(PQstatus) \
	X(PQerrorMessage) \
	X(PQfinish) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQresultStatus) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQclear) \
	X(PQntuples) \
	X(PQnfields) \
	X(PQgetvalue) \
	X(PQgetisnull) \
	X(PQgetlength) \
	X(PQftype) \
	X(PQcmdTuples) \
	X(PQtransactionStatus) \
	X(PQunescapeBytea) \
	X(PQfreemem) \
	X(PQcmdStatus) \
	X(PQconninfo) \
	X(PQconninfoFree) \
	X(PQconninfoParse) \
	X(PQhost) \
	X(PQport) \
	X(PQuser) \
	X(PQdb) \
	X(PQsetNoticeProcessor) \
	X(PQconnectionNeedsPassword) \
	X(PQconnectionUsedPassword) \
	X(PQsslInUse) \
	X(PQbackendPID) \
	X(PQserverVersion) \
	X(PQparameterStatus) \
	X(PQsocket) \
	X(PQsetSingleRowMode) \
	X(PQsendQueryParams) \
	X(PQgetResult) \
	X(PQconsumeInput) \
	X(PQisBusy) \
	X(PQputCopyData) \
	X(PQputCopyEnd) \
	X(PQgetCopyData) \
	X(PQescapeIdentifier) \
	X(PQescapeLiteral) \
	X(PQenterPipelineMode) \
	X(PQexitPipelineMode) \
	X(PQpipelineSync) \
	X(PQpipelineStatus) \
	X(PQsendPrepare) \
	X(PQsendQueryPrepared) \
	X(PQsendFlushRequest) \
	X(PQflush)

static struct {
	void *handle;
#define X(f) __typeof__(f) *f;
	PQ_FUNCTIONS(X)
#undef X
} pq;


/* Loads libpq once; 0, or -1 (reported). */
static int load_libpq(void)
{
	if (pq.handle)
		return 0;
	if (!(pq.handle = dlopen(LIBPQ, RTLD_NOW | RTLD_LOCAL))) {
		report("cannot reach a PostgreSQL server: %s is missing (Debian's libpq5)", LIBPQ);
		return -1;
	}
#define X(f)                                                                          \
	if (!(*(void **)&pq.f = dlsym(pq.handle, #f))) {                               \
		report("cannot reach a PostgreSQL server: %s has no %s (too old)", LIBPQ, #f); \
		dlclose(pq.handle);                                                    \
		pq.handle = NULL;                                                      \
		return -1;                                                             \
	}
	PQ_FUNCTIONS(X)
#undef X
	return 0;
}

/* From here on, each libpq function is called through pq. */
#define PQconnectdbParams (*pq.PQconnectdbParams)
#define PQstatus (*pq.PQstatus)
#define PQerrorMessage (*pq.PQerrorMessage)
#define PQfinish (*pq.PQfinish)
#define PQexec (*pq.PQexec)
#define PQexecParams (*pq.PQexecParams)
#define PQresultStatus (*pq.PQresultStatus)
#define PQresultErrorField (*pq.PQresultErrorField)
#define PQresultErrorMessage (*pq.PQresultErrorMessage)
#define PQclear (*pq.PQclear)
#define PQntuples (*pq.PQntuples)
#define PQnfields (*pq.PQnfields)
#define PQgetvalue (*pq.PQgetvalue)
#define PQgetisnull (*pq.PQgetisnull)
#define PQgetlength (*pq.PQgetlength)
#define PQftype (*pq.PQftype)
#define PQcmdTuples (*pq.PQcmdTuples)
#define PQtransactionStatus (*pq.PQtransactionStatus)
#define PQunescapeBytea (*pq.PQunescapeBytea)
#define PQfreemem (*pq.PQfreemem)
#define PQcmdStatus (*pq.PQcmdStatus)
#define PQconninfo (*pq.PQconninfo)
#define PQconninfoFree (*pq.PQconninfoFree)
#define PQconninfoParse (*pq.PQconninfoParse)
#define PQhost (*pq.PQhost)
#define PQport (*pq.PQport)
#define PQuser (*pq.PQuser)
#define PQdb (*pq.PQdb)
#define PQsetNoticeProcessor (*pq.PQsetNoticeProcessor)
#define PQconnectionNeedsPassword (*pq.PQconnectionNeedsPassword)
#define PQconnectionUsedPassword (*pq.PQconnectionUsedPassword)
#define PQsslInUse (*pq.PQsslInUse)
#define PQbackendPID (*pq.PQbackendPID)
#define PQserverVersion (*pq.PQserverVersion)
#define PQparameterStatus (*pq.PQparameterStatus)
#define PQsocket (*pq.PQsocket)
#define PQsetSingleRowMode (*pq.PQsetSingleRowMode)
#define PQsendQueryParams (*pq.PQsendQueryParams)
#define PQgetResult (*pq.PQgetResult)
#define PQconsumeInput (*pq.PQconsumeInput)
#define PQisBusy (*pq.PQisBusy)
#define PQputCopyData (*pq.PQputCopyData)
#define PQputCopyEnd (*pq.PQputCopyEnd)
#define PQgetCopyData (*pq.PQgetCopyData)
#define PQescapeIdentifier (*pq.PQescapeIdentifier)
#define PQescapeLiteral (*pq.PQescapeLiteral)
#define PQenterPipelineMode (*pq.PQenterPipelineMode)
#define PQexitPipelineMode (*pq.PQexitPipelineMode)
#define PQpipelineSync (*pq.PQpipelineSync)
#define PQpipelineStatus (*pq.PQpipelineStatus)
#define PQsendPrepare (*pq.PQsendPrepare)
#define PQsendQueryPrepared (*pq.PQsendQueryPrepared)
#define PQsendFlushRequest (*pq.PQsendFlushRequest)
#define PQflush (*pq.PQflush)

/* The key of the studio's write lock (pg_advisory_xact_lock): "SMPI". */
#define WRITE_LOCK "1397575753"
/* How long a writer waits for it: SQLite's busy timeout, in ms. */
#define TEXT_OF(n) #n
#define TEXT(n) TEXT_OF(n)
#define BUSY_MS TEXT(DB_BUSY_TIMEOUT_MS)
/* Statements sent at most before their answers are read (pipelining). */
#define QUEUE_MAX 256
/* Rows fetched from a cursor at a time. */
#ifndef FETCH_ROWS
#define FETCH_ROWS 512
#endif
#define BYTEAOID 17
#define BOOLOID 16
#define INT8OID 20
#define INT2OID 21
#define INT4OID 23

struct pg_conn {
	PGconn *c;
	char **identity;    /* table name, its identity column, ... (NULL-ended) */
	long long last_id;  /* the identity the last INSERT returned */
	int errcode;        /* the last error, as SQLite's code */
	char *errmsg;       /* its words (allocated), or NULL */
	long long changes;  /* rows the last INSERT/UPDATE/DELETE changed */
	unsigned cursors;   /* cursors named so far */
	unsigned xact;      /* transactions begun so far (a cursor lives in one) */
	int queued;         /* statements sent in pipeline mode, answers not read */
	struct pg_stmt *owner[QUEUE_MAX]; /* per statement queued: the read it is, or NULL */
	unsigned prepared;  /* statements named on the server so far */
	unsigned errors;    /* errors so far (a name given in a failed pipeline may not exist) */
};

struct pg_stmt {
	struct db *db;
	char *sql;          /* with $N */
	bool select;        /* whether it returns rows (SELECT, WITH, VALUES) */
	bool returning_id;  /* an INSERT whose RETURNING gives db_last_insert_id() */
	bool deferred;      /* sent without waiting for its answer (db_pg_defer()) */
	size_t returning_at; /* where insert_for_server() added RETURNING */
	int nparams;
	char **values;      /* per parameter: its text, or NULL */
	int *lengths, *formats;
	char **owned;       /* copies made for the parameter, freed on rebind */
	char (*ints)[24];   /* integer parameters' text */
	PGresult *res;      /* the rows at hand */
	int row, rows;      /* the row at hand in res, and how many it has */
	bool started, done;
	bool pending;       /* its rows are on their way (db_pg_prefetch()) */
	char name[24];      /* its name on the server once prepared there, else "" */
	unsigned named_at;  /* pg_conn's errors when it was named */
	int failed;         /* the error that came instead of them, or 0 */
	char cursor[24];    /* the cursor's name when one is open, else "" */
	unsigned xact;      /* the transaction it was declared in (pg_conn's xact) */
	unsigned char *blob; /* the decoded bytea of blob_col at the row at hand */
	size_t blob_len;
	int blob_col;
	bool ahead;         /* its cursor's next FETCH is on its way (read_ahead()) */
	PGresult *next;     /* the batch after res, once come */
};

/* Sets the connection's last error from a result (or the connection). */
static int fail(struct db *db, const PGresult *res)
{
	struct pg_conn *pc = db->pg;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	int code = SQLITE_ERROR;
	char *probed = NULL;

	pc->errors++;
	if (!msg)
		msg = PQerrorMessage(pc->c);
	/* libpq's own error (no SQLSTATE) on a connection it still calls good:
	 * a server gone while we were idle shows only when its socket is read
	 * (which may rewrite libpq's message: its words are kept first). */
	if (!state && PQstatus(pc->c) == CONNECTION_OK) {
		probed = strdup(msg);
		PQconsumeInput(pc->c);
		msg = probed ? probed : "";
	}
	if (PQstatus(pc->c) == CONNECTION_BAD || (state && strncmp(state, "08", 2) == 0) ||
	    (state && strncmp(state, "57P", 3) == 0))
		code = SQLITE_IOERR;
	else if (!state)
		code = SQLITE_ERROR;
	else if (strncmp(state, "23", 2) == 0 || strcmp(state, "P0001") == 0)
		code = SQLITE_CONSTRAINT;
	else if (strcmp(state, "53100") == 0)
		code = SQLITE_FULL;
	else if (strcmp(state, "53200") == 0)
		code = SQLITE_NOMEM;
	else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		 strcmp(state, "55P03") == 0)
		code = SQLITE_BUSY;
	else if (strcmp(state, "42501") == 0)
		code = SQLITE_AUTH;
	else if (strcmp(state, "25006") == 0)
		code = SQLITE_READONLY;
	pc->errcode = code;
	free(pc->errmsg);
	pc->errmsg = strdup(msg);
	free(probed);
	if (pc->errmsg && code == SQLITE_IOERR) {
		/* A lost connection's words run over lines (the server's FATAL,
		 * its CONTEXT, libpq's guess at the cause): the first says it. */
		static const char *const severity[] = { "FATAL:  ", "ERROR:  ", "PANIC:  " };
		char *nl = strchr(pc->errmsg, '\n');
		if (nl && nl[1])
			*nl = '\0';
		for (size_t i = 0; i < sizeof severity / sizeof *severity; i++)
			if (strncmp(pc->errmsg, severity[i], strlen(severity[i])) == 0)
				memmove(pc->errmsg, pc->errmsg + strlen(severity[i]),
					strlen(pc->errmsg + strlen(severity[i])) + 1);
	}
	if (pc->errmsg) {
		/* libpq's messages end in a newline; ours are one line. */
		size_t n = strlen(pc->errmsg);
		while (n && (pc->errmsg[n - 1] == '\n' || pc->errmsg[n - 1] == ' '))
			pc->errmsg[--n] = '\0';
		for (char *p = pc->errmsg; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
	}
	return code;
}

/* Pipelining (libpq's pipeline mode): inside a transaction, a statement
 * whose answer can wait (a cursor's CLOSE, a write marked with
 * db_pg_defer(), a read started early with db_pg_prefetch()) is sent
 * without waiting, and travels with the next statement that does wait:
 * one round trip for them all.  Their answers are read then, in order: a
 * read's rows go to its statement, and the first error among them is the
 * error of the statement that waited (the transaction is then aborted on
 * the server, as any error leaves it).  At most QUEUE_MAX wait at once,
 * so that neither side's socket fills with answers nobody reads. */

/* Whether a transaction is open (statements queued are inside one). */
static bool in_transaction(const struct pg_conn *pc)
{
	return pc->queued > 0 || PQtransactionStatus(pc->c) == PQTRANS_INTRANS;
}

static int settle(struct db *db, PGresult **last);

/* Sends one statement without waiting for its answer; owner, if any, is
 * the statement its rows (or its error) go to. */
static int queue(struct db *db, struct pg_stmt *owner, const char *sql, int n,
		 const char *const *values, const int *lengths, const int *formats)
{
	struct pg_conn *pc = db->pg;

	if (pc->queued >= QUEUE_MAX) {
		int rc = settle(db, NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	if ((PQpipelineStatus(pc->c) == PQ_PIPELINE_OFF && !PQenterPipelineMode(pc->c)) ||
	    !PQsendQueryParams(pc->c, sql, n, NULL, values, lengths, formats, 0))
		return fail(db, NULL);
	pc->owner[pc->queued++] = owner;
	return SQLITE_OK;
}

/* Ends the pipeline: its sync sent, every answer read (a read's rows given
 * to its statement), pipeline mode left.  With last, the last statement's
 * result (rows or a command's) is kept in *last for the caller to clear.
 * Returns the first error, or SQLITE_OK. */
static int settle(struct db *db, PGresult **last)
{
	struct pg_conn *pc = db->pg;
	int rc = SQLITE_OK, n = pc->queued, i = 0, nulls = 0;
	bool synced = false;

	if (last)
		*last = NULL;
	if (PQpipelineStatus(pc->c) == PQ_PIPELINE_OFF)
		return SQLITE_OK;
	pc->queued = 0;
	if (!PQpipelineSync(pc->c)) {
		rc = fail(db, NULL);
		nulls = 2;
	}
	/* Each statement's results end with a NULL; then comes the sync's.
	 * Two NULLs running mean nothing more will come (the connection is
	 * gone). */
	while (!synced && nulls < 2) {
		PGresult *res = PQgetResult(pc->c);
		struct pg_stmt *owner = i < n ? pc->owner[i] : NULL;
		ExecStatusType status;

		if (!res) {
			i++;
			if (++nulls < 2 && PQstatus(pc->c) == CONNECTION_BAD)
				nulls = 2;
			continue;
		}
		nulls = 0;
		status = PQresultStatus(res);
		if (status == PGRES_PIPELINE_SYNC) {
			synced = true;
		} else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
			/* After an error the rest are PIPELINE_ABORTED: the error
			 * itself is what counts. */
			if (rc == SQLITE_OK && status != PGRES_PIPELINE_ABORTED)
				rc = fail(db, res);
		} else if (owner && status == PGRES_TUPLES_OK && owner->ahead) {
			PQclear(owner->next);
			owner->next = res;
			owner->ahead = false;
			continue;
		} else if (owner && status == PGRES_TUPLES_OK) {
			PQclear(owner->res);
			owner->res = res;
			owner->rows = PQntuples(res);
			owner->row = -1;
			continue;
		} else if (last && i == n - 1 && rc == SQLITE_OK) {
			PQclear(*last);
			*last = res;
			continue;
		}
		PQclear(res);
	}
	/* The statements whose reads travelled: theirs now, or the error. */
	for (int k = 0; k < n; k++)
		if (pc->owner[k]) {
			pc->owner[k]->pending = pc->owner[k]->ahead = false;
			if (rc != SQLITE_OK)
				pc->owner[k]->failed = rc;
			pc->owner[k] = NULL;
		}
	/* Left after an error too: what comes next (a ROLLBACK) is sent as
	 * usual. */
	if ((synced ? !PQexitPipelineMode(pc->c) : true) && rc == SQLITE_OK)
		rc = fail(db, NULL);
	if (rc != SQLITE_OK && last) {
		PQclear(*last);
		*last = NULL;
	}
	return rc;
}

/* One statement whose answer is needed now, sent with those queued before
 * it: SQLITE_OK with its result in *out (rows or a command's; the caller
 * clears it), or the error (its own or a queued statement's) with *out
 * NULL. */
static int round_trip(struct db *db, PGresult **out, const char *sql, int n,
		      const char *const *values, const int *lengths, const int *formats)
{
	ExecStatusType status;
	int rc;

	if (db->pg->queued > 0 || PQpipelineStatus(db->pg->c) != PQ_PIPELINE_OFF) {
		if ((rc = queue(db, NULL, sql, n, values, lengths, formats)) != SQLITE_OK)
			*out = NULL;
		else
			rc = settle(db, out);
		return rc;
	}
	*out = PQexecParams(db->pg->c, sql, n, NULL, values, lengths, formats, 0);
	status = PQresultStatus(*out);
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return SQLITE_OK;
	rc = fail(db, *out);
	PQclear(*out);
	*out = NULL;
	return rc;
}

/* Queues statement p (a write deferred, or a read prefetched, owned by
 * owner) under its name on the server: such statements run once per
 * record of an import, so the server parses and plans each once (sql is
 * p's text as sent: a deferred INSERT's without its RETURNING). */
static int queue_named(struct pg_stmt *p, struct pg_stmt *owner, const char *sql)
{
	struct pg_conn *pc = p->db->pg;
	int rc;

	if (!p->name[0] || p->named_at != pc->errors) {
		snprintf(p->name, sizeof p->name, "smp_s%u", ++pc->prepared);
		p->named_at = pc->errors;
		if (pc->queued >= QUEUE_MAX - 1 && (rc = settle(p->db, NULL)) != SQLITE_OK)
			return rc;
		if ((PQpipelineStatus(pc->c) == PQ_PIPELINE_OFF && !PQenterPipelineMode(pc->c)) ||
		    !PQsendPrepare(pc->c, p->name, sql, p->nparams, NULL)) {
			p->name[0] = '\0';
			return fail(p->db, NULL);
		}
		pc->owner[pc->queued++] = NULL;
	}
	if (pc->queued >= QUEUE_MAX && (rc = settle(p->db, NULL)) != SQLITE_OK)
		return rc;
	if ((PQpipelineStatus(pc->c) == PQ_PIPELINE_OFF && !PQenterPipelineMode(pc->c)) ||
	    !PQsendQueryPrepared(pc->c, p->name, p->nparams, (const char *const *)p->values,
				 p->lengths, p->formats, 0))
		return fail(p->db, NULL);
	pc->owner[pc->queued++] = owner;
	return SQLITE_OK;
}

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Whether the parentheses that open at p hold a comma of their own (not
 * one inside nested parentheses or quotes): a call of several arguments. */
static bool several_arguments(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			while (*p && *p != q)
				p++;
			if (!*p)
				return false;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (--depth == 0)
				return false;
		} else if (*p == ',' && depth == 1) {
			return true;
		}
	}
	return false;
}

/* Translates SQLite's SQL into the server's (the file's head says what; no
 * change makes a piece more than four times longer):
 * `?N` is `$N`, `?` the next after the highest so far; quotes and comments
 * are copied as they are.  Returns the new text (allocated) with
 * *nparams, or NULL. */
static char *translate(const char *sql, int *nparams)
{
	size_t n = strlen(sql);
	char *out = malloc(n * 5 + 16), *o = out;
	int high = 0;

	if (!out)
		return NULL;
	for (const char *p = sql; *p;) {
		if ((strncasecmp(p, "max", 3) == 0 || strncasecmp(p, "min", 3) == 0) &&
		    (p == sql || !word_char(p[-1])) && p[3] == '(' && several_arguments(p + 3)) {
			bool max = p[1] == 'a' || p[1] == 'A';
			o += sprintf(o, "%s", max ? "greatest" : "least");
			p += 3;
		} else if (strncmp(p, " IS ?", 5) == 0) {
			/* SQLite's IS of any two values. */
			o += sprintf(o, " IS NOT DISTINCT FROM ");
			p += 4;
		} else if (strncasecmp(p, " NOT INDEXED", 12) == 0 && !word_char(p[12])) {
			p += 12;
		} else if (strncasecmp(p, "temp.", 5) == 0 && (p == sql || !word_char(p[-1]))) {
			o += sprintf(o, "pg_temp.");
			p += 5;
		} else if (*p == '\'' || *p == '"') {
			char q = *p;
			*o++ = *p++;
			while (*p && *p != q)
				*o++ = *p++;
			if (*p)
				*o++ = *p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				*o++ = *p++;
		} else if (*p == '?') {
			int k = 0;
			p++;
			if (*p >= '0' && *p <= '9') {
				while (*p >= '0' && *p <= '9')
					k = k * 10 + (*p++ - '0');
			} else {
				k = high + 1;
			}
			if (k > high)
				high = k;
			o += sprintf(o, "$%d", k);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	*nparams = high;
	return out;
}

static bool starts_with_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '(')
		s++;
	return strncasecmp(s, word, n) == 0 && !((s[n] >= 'a' && s[n] <= 'z') ||
						 (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '_');
}

/* Skips blanks, then word (any case) when it is there; returns where it
 * stopped, or NULL when word is not there. */
static const char *skip_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	if (strncasecmp(s, word, n) != 0 || word_char(s[n]))
		return NULL;
	return s + n;
}

/* An INSERT made the server's (the file's head): OR IGNORE, and RETURNING
 * the table's identity column.  Returns 0, or -1 when out of memory. */
static int insert_for_server(struct pg_conn *pc, struct pg_stmt *p)
{
	const char *s = skip_word(p->sql, "INSERT"), *or_ignore = NULL, *name, *end;
	const char *column = NULL;
	char *out;
	size_t len;

	if (!s)
		return 0;
	if (skip_word(s, "OR") && skip_word(skip_word(s, "OR"), "IGNORE")) {
		or_ignore = s;
		s = skip_word(skip_word(s, "OR"), "IGNORE");
	}
	if (!(s = skip_word(s, "INTO")))
		return 0;
	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	name = s;
	while (word_char(*s) || *s == '.')
		s++;
	end = s;
	for (char **t = pc->identity; t && t[0]; t += 2)
		if (strlen(t[0]) == (size_t)(end - name) && strncmp(t[0], name, (size_t)(end - name)) == 0)
			column = t[1];
	/* A table without an identity (a temporary one) whose id the INSERT
	 * gives: that id, as SQLite's rowid would be. */
	if (!column && *(s = end) == ' ' && s[1] == '(') {
		for (s += 2; *s && *s != ')'; s++)
			if (strncasecmp(s, "id", 2) == 0 && (s[-1] == '(' || s[-1] == ' ') &&
			    (s[2] == ',' || s[2] == ')'))
				column = "id";
		s = end;
	}
	if (column && strstr(p->sql, "RETURNING"))
		column = NULL;
	if (!or_ignore && !column)
		return 0;
	len = strlen(p->sql) + 64 + (column ? strlen(column) : 0);
	if (!(out = malloc(len)))
		return -1;
	if (or_ignore)
		snprintf(out, len, "INSERT%s ON CONFLICT DO NOTHING",
			 skip_word(skip_word(or_ignore, "OR"), "IGNORE"));
	else
		snprintf(out, len, "%s", p->sql);
	if (column) {
		size_t n = strlen(out);
		snprintf(out + n, len - n, " RETURNING %s", column);
		p->returning_id = true;
		p->returning_at = n;
	}
	free(p->sql);
	p->sql = out;
	return 0;
}

int db_pg_prepare(struct db *db, const char *sql, struct pg_stmt **out)
{
	struct pg_stmt *p = calloc(1, sizeof *p);

	*out = NULL;
	if (!p || !(p->sql = translate(sql, &p->nparams)) || insert_for_server(db->pg, p) < 0)
		goto nomem;
	p->db = db;
	p->blob_col = -1;
	p->select = starts_with_word(sql, "SELECT") || starts_with_word(sql, "WITH") ||
		    starts_with_word(sql, "VALUES");
	if (p->nparams > 0 &&
	    (!(p->values = calloc((size_t)p->nparams, sizeof *p->values)) ||
	     !(p->lengths = calloc((size_t)p->nparams, sizeof *p->lengths)) ||
	     !(p->formats = calloc((size_t)p->nparams, sizeof *p->formats)) ||
	     !(p->owned = calloc((size_t)p->nparams, sizeof *p->owned)) ||
	     !(p->ints = calloc((size_t)p->nparams, sizeof *p->ints))))
		goto nomem;
	*out = p;
	return SQLITE_OK;
nomem:
	db_pg_finalize(p);
	db->pg->errcode = SQLITE_NOMEM;
	return SQLITE_NOMEM;
}

static void drop_blob(struct pg_stmt *p)
{
	PQfreemem(p->blob);
	p->blob = NULL;
	p->blob_col = -1;
}

/* Ends what the statement is running: its rows and its cursor. */
static void stop(struct pg_stmt *p)
{
	struct pg_conn *pc = p->db->pg;

	/* Rows on their way that nobody will read: dropped when they come. */
	for (int k = 0; k < pc->queued; k++)
		if (pc->owner[k] == p)
			pc->owner[k] = NULL;
	drop_blob(p);
	PQclear(p->res);
	PQclear(p->next);
	p->res = p->next = NULL;
	p->ahead = false;
	p->row = p->rows = 0;
	/* A cursor ends with its transaction: closed only in the one that
	 * declared it (a CLOSE of a cursor gone would abort a later one).
	 * Sent with the next statement: its answer can wait. */
	if (p->cursor[0] && p->xact == pc->xact && in_transaction(pc)) {
		char sql[40];
		snprintf(sql, sizeof sql, "CLOSE %s", p->cursor);
		queue(p->db, NULL, sql, 0, NULL, NULL, NULL);
	}
	p->cursor[0] = '\0';
	p->started = p->done = p->pending = false;
	p->failed = 0;
}

int db_pg_reset(struct pg_stmt *p)
{
	stop(p);
	return SQLITE_OK;
}

int db_pg_clear_bindings(struct pg_stmt *p)
{
	for (int i = 0; i < p->nparams; i++) {
		free(p->owned[i]);
		p->owned[i] = NULL;
		p->values[i] = NULL;
		p->lengths[i] = p->formats[i] = 0;
	}
	return SQLITE_OK;
}

void db_pg_finalize(struct pg_stmt *p)
{
	if (!p)
		return;
	if (p->db)
		stop(p);
	/* Its name on the server goes with the next statement of the same
	 * transaction (outside one, with the connection). */
	if (p->db && p->name[0] && p->named_at == p->db->pg->errors && in_transaction(p->db->pg)) {
		char sql[48];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", p->name);
		queue(p->db, NULL, sql, 0, NULL, NULL, NULL);
	}
	if (p->owned)
		db_pg_clear_bindings(p);
	free(p->values);
	free(p->lengths);
	free(p->formats);
	free(p->owned);
	free(p->ints);
	free(p->sql);
	free(p);
}

/* The parameter slot for i (1-based), its previous copy freed; NULL when
 * there is no such parameter. */
static int slot(struct pg_stmt *p, int i)
{
	if (i < 1 || i > p->nparams)
		return -1;
	free(p->owned[i - 1]);
	p->owned[i - 1] = NULL;
	p->lengths[i - 1] = p->formats[i - 1] = 0;
	return i - 1;
}

int db_pg_bind_text(struct pg_stmt *p, int i, const char *s, bool copy)
{
	int k = slot(p, i);

	if (k < 0)
		return SQLITE_RANGE;
	if (s && copy) {
		if (!(p->owned[k] = strdup(s)))
			return SQLITE_NOMEM;
		s = p->owned[k];
	}
	p->values[k] = (char *)s;
	return SQLITE_OK;
}

int db_pg_bind_int64(struct pg_stmt *p, int i, long long v)
{
	int k = slot(p, i);

	if (k < 0)
		return SQLITE_RANGE;
	snprintf(p->ints[k], sizeof p->ints[k], "%lld", v);
	p->values[k] = p->ints[k];
	return SQLITE_OK;
}

int db_pg_bind_null(struct pg_stmt *p, int i)
{
	return db_pg_bind_text(p, i, NULL, false);
}

int db_pg_bind_blob(struct pg_stmt *p, int i, const void *data, size_t n)
{
	int k = slot(p, i);

	if (k < 0)
		return SQLITE_RANGE;
	if (n > (size_t)0x7fffffff)
		return SQLITE_TOOBIG;
	p->values[k] = (char *)(data ? data : "");
	p->lengths[k] = (int)n;
	p->formats[k] = 1;
	return SQLITE_OK;
}

/* The batch in p->res is the cursor's last when short of FETCH_ROWS: the
 * cursor's CLOSE goes with the next statement. */
static int batch_taken(struct pg_stmt *p)
{
	char sql[40];

	if (!p->cursor[0] || p->rows >= FETCH_ROWS)
		return SQLITE_OK;
	snprintf(sql, sizeof sql, "CLOSE %s", p->cursor);
	p->cursor[0] = '\0';
	return queue(p->db, NULL, sql, 0, NULL, NULL, NULL);
}

/* Asks for the cursor's next batch now, while the caller reads this one:
 * the server makes it meanwhile (the request is sent at once, with a flush
 * request so that its rows come back without waiting for a sync).  An
 * export's time is then about the longer of the server's and ours, not
 * their sum. */
static int read_ahead(struct pg_stmt *p)
{
	struct pg_conn *pc = p->db->pg;
	char sql[64];
	int rc;

	snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", FETCH_ROWS, p->cursor);
	if ((rc = queue(p->db, p, sql, 0, NULL, NULL, NULL)) != SQLITE_OK)
		return rc;
	p->ahead = true;
	if (!PQsendFlushRequest(pc->c) || PQflush(pc->c) != 0)
		return fail(p->db, NULL);
	return SQLITE_OK;
}

/* Fetches the cursor's next batch into p->res: the one read ahead, else
 * now. */
static int fetch(struct pg_stmt *p)
{
	char sql[64];
	int rc;

	PQclear(p->res);
	p->res = NULL;
	if (p->ahead && (rc = settle(p->db, NULL)) != SQLITE_OK)
		return rc;
	if (p->failed)
		return p->failed;
	if (p->next) {
		p->res = p->next;
		p->next = NULL;
	} else {
		snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", FETCH_ROWS, p->cursor);
		if ((rc = round_trip(p->db, &p->res, sql, 0, NULL, NULL, NULL)) != SQLITE_OK)
			return rc;
	}
	p->rows = PQntuples(p->res);
	p->row = -1;
	if ((rc = batch_taken(p)) != SQLITE_OK)
		return rc;
	return p->cursor[0] && p->rows == FETCH_ROWS ? read_ahead(p) : SQLITE_OK;
}

/* Declares the cursor of a SELECT inside a transaction and queues its
 * first FETCH, owned by p (its rows come with the next round trip). */
static int declare(struct pg_stmt *p)
{
	struct pg_conn *pc = p->db->pg;
	char *declared = malloc(strlen(p->sql) + 64), sql[64];
	int rc;

	if (!declared)
		return pc->errcode = SQLITE_NOMEM;
	snprintf(p->cursor, sizeof p->cursor, "smp_c%u", ++pc->cursors);
	p->xact = pc->xact;
	sprintf(declared, "DECLARE %s NO SCROLL CURSOR FOR %s", p->cursor, p->sql);
	rc = queue(p->db, p, declared, p->nparams, (const char *const *)p->values, p->lengths,
		   p->formats);
	free(declared);
	snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", FETCH_ROWS, p->cursor);
	if (rc == SQLITE_OK)
		rc = queue(p->db, p, sql, 0, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		for (int k = 0; k < pc->queued; k++)
			if (pc->owner[k] == p)
				pc->owner[k] = NULL;
		p->cursor[0] = '\0';
		return rc;
	}
	p->pending = true;
	return SQLITE_OK;
}

/* Runs the statement: a SELECT inside a transaction through a cursor (its
 * DECLARE sent with its first FETCH), a write marked deferred sent without
 * waiting, else the whole result. */
static int start(struct pg_stmt *p)
{
	struct db *db = p->db;
	struct pg_conn *pc = db->pg;
	const char *const *values = (const char *const *)p->values;
	ExecStatusType status;
	int rc;

	p->started = true;
	p->row = -1;
	p->rows = 0;
	if (p->select && in_transaction(pc))
		return declare(p);
	if (p->deferred && !p->select && in_transaction(pc)) {
		/* Its caller reads no id: without the RETURNING added for one. */
		char cut = '\0';
		if (p->returning_id) {
			cut = p->sql[p->returning_at];
			p->sql[p->returning_at] = '\0';
		}
		pc->changes = 0;
		rc = queue_named(p, NULL, p->sql);
		if (p->returning_id)
			p->sql[p->returning_at] = cut;
		return rc;
	}
	if ((rc = round_trip(db, &p->res, p->sql, p->nparams, values, p->lengths, p->formats)) !=
	    SQLITE_OK)
		return rc;
	status = PQresultStatus(p->res);
	if (p->returning_id) {
		/* The identity RETURNING gave: not a row of the statement's. */
		pc->changes = PQntuples(p->res);
		if (pc->changes > 0)
			pc->last_id = strtoll(PQgetvalue(p->res, 0, 0), NULL, 10);
		return SQLITE_OK;
	}
	if (status == PGRES_COMMAND_OK) {
		const char *n = PQcmdTuples(p->res);
		pc->changes = *n ? atoll(n) : 0;
	}
	p->rows = status == PGRES_TUPLES_OK ? PQntuples(p->res) : 0;
	return SQLITE_OK;
}

int db_pg_prefetch(struct pg_stmt *p)
{
	int rc;

	if (p->started || !p->select || !in_transaction(p->db->pg))
		return SQLITE_OK;
	p->started = true;
	p->row = -1;
	p->rows = 0;
	/* A lookup of a row or a few: read whole, no cursor to declare. */
	if ((rc = queue_named(p, p, p->sql)) != SQLITE_OK) {
		for (int k = 0; k < p->db->pg->queued; k++)
			if (p->db->pg->owner[k] == p)
				p->db->pg->owner[k] = NULL;
		return rc;
	}
	p->pending = true;
	return SQLITE_OK;
}

int db_pg_step(struct pg_stmt *p)
{
	int rc;

	if (p->done)
		return SQLITE_DONE;
	drop_blob(p);
	if (!p->started && (rc = start(p)) != SQLITE_OK) {
		p->done = true;
		return rc;
	}
	/* A read's first rows come with the next round trip: this one. */
	if (p->pending && (rc = settle(p->db, NULL)) != SQLITE_OK) {
		p->done = true;
		return rc;
	}
	if (p->failed) {
		p->done = true;
		return p->failed;
	}
	/* A cursor's first batch: the next asked for while this is read. */
	if (p->row == -1 && ((rc = batch_taken(p)) != SQLITE_OK ||
			     (p->cursor[0] && p->rows == FETCH_ROWS && !p->ahead && !p->next &&
			      (rc = read_ahead(p)) != SQLITE_OK))) {
		p->done = true;
		return rc;
	}
	if (++p->row < p->rows)
		return SQLITE_ROW;
	if (p->cursor[0] && p->rows == FETCH_ROWS) {
		if ((rc = fetch(p)) != SQLITE_OK) {
			p->done = true;
			return rc;
		}
		if (++p->row < p->rows)
			return SQLITE_ROW;
	}
	p->done = true;
	return SQLITE_DONE;
}

static bool has(const struct pg_stmt *p, int col)
{
	return p->res && p->row >= 0 && p->row < p->rows && col >= 0 && col < PQnfields(p->res);
}

bool db_pg_column_null(struct pg_stmt *p, int col)
{
	return !has(p, col) || PQgetisnull(p->res, p->row, col);
}

const char *db_pg_column_text(struct pg_stmt *p, int col)
{
	return db_pg_column_null(p, col) ? NULL : PQgetvalue(p->res, p->row, col);
}

long long db_pg_column_int64(struct pg_stmt *p, int col)
{
	const char *v = db_pg_column_text(p, col);

	if (!v)
		return 0;
	if (PQftype(p->res, col) == BOOLOID)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

int db_pg_column_type(struct pg_stmt *p, int col)
{
	if (db_pg_column_null(p, col))
		return SQLITE_NULL;
	switch (PQftype(p->res, col)) {
	case INT8OID:
	case INT2OID:
	case INT4OID:
	case BOOLOID:
		return SQLITE_INTEGER;
	case BYTEAOID:
		return SQLITE_BLOB;
	default:
		return SQLITE_TEXT;
	}
}

const void *db_pg_column_blob(struct pg_stmt *p, int col)
{
	const char *v = db_pg_column_text(p, col);

	if (!v)
		return NULL;
	if (PQftype(p->res, col) != BYTEAOID)
		return v;
	if (p->blob_col != col) {
		drop_blob(p);
		if (!(p->blob = PQunescapeBytea((const unsigned char *)v, &p->blob_len)))
			return NULL;
		p->blob_col = col;
	}
	return p->blob;
}

size_t db_pg_column_bytes(struct pg_stmt *p, int col)
{
	if (db_pg_column_null(p, col))
		return 0;
	if (PQftype(p->res, col) == BYTEAOID)
		return db_pg_column_blob(p, col) ? p->blob_len : 0;
	return (size_t)PQgetlength(p->res, p->row, col);
}

int db_pg_exec(struct db *db, const char *sql)
{
	struct pg_conn *pc = db->pg;
	char *text;
	int nparams;
	PGresult *res;
	ExecStatusType status;
	int rc;

	/* What was queued is answered first: a COMMIT after a deferred write
	 * that failed is that write's error (a ROLLBACK needs no answer). */
	if ((rc = settle(db, NULL)) != SQLITE_OK && strcmp(sql, "ROLLBACK") != 0)
		return rc;
	/* SQLite's transactions, as the header says. */
	if (strcmp(sql, "BEGIN IMMEDIATE") == 0)
		/* Waited for as long as SQLite's busy timeout, then SQLITE_BUSY
		 * (lock_timeout's 55P03): a save held up forever is no answer. */
		sql = "BEGIN; SET LOCAL lock_timeout = " BUSY_MS "; SELECT pg_advisory_xact_lock("
		      WRITE_LOCK "); SET LOCAL lock_timeout TO DEFAULT";
	else if (strcmp(sql, "BEGIN") == 0)
		sql = "BEGIN ISOLATION LEVEL REPEATABLE READ";
	if (strncmp(sql, "BEGIN", 5) == 0)
		pc->xact++;
	/* The same translation as a prepared statement's (no parameters). */
	if (!(text = translate(sql, &nparams))) {
		pc->errcode = SQLITE_NOMEM;
		return SQLITE_NOMEM;
	}
	res = PQexec(pc->c, text);
	free(text);
	status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		rc = fail(db, res);
		PQclear(res);
		return rc;
	}
	/* A COMMIT of a transaction that failed is the server's ROLLBACK,
	 * without an error: nothing was saved, and it must say so. */
	if (strncmp(sql, "COMMIT", 6) == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		PQclear(res);
		pc->errcode = SQLITE_ABORT;
		free(pc->errmsg);
		pc->errmsg = strdup("the server rolled the transaction back after an earlier error");
		return SQLITE_ABORT;
	}
	if (status == PGRES_COMMAND_OK) {
		const char *n = PQcmdTuples(res);
		pc->changes = *n ? atoll(n) : 0;
	}
	PQclear(res);
	return SQLITE_OK;
}

long long db_pg_last_insert_id(struct db *db)
{
	return db->pg->last_id;
}

long long db_pg_changes(struct db *db)
{
	return db->pg->changes;
}

bool db_pg_autocommit(struct db *db)
{
	return db->pg->queued == 0 && PQtransactionStatus(db->pg->c) == PQTRANS_IDLE;
}

void db_pg_defer(struct pg_stmt *p, bool on)
{
	p->deferred = on;
}

int db_pg_errcode(struct db *db)
{
	return db->pg->errcode;
}

const char *db_pg_errmsg(struct db *db)
{
	return db->pg->errmsg ? db->pg->errmsg : "unknown error";
}

int db_pg_settle_identities(struct db *db)
{
	struct pg_conn *pc = db->pg;

	for (char **t = pc->identity; t && t[0]; t += 2) {
		/* The names come from the server's own catalogue, quoted. */
		char *table = PQescapeIdentifier(pc->c, t[0], strlen(t[0]));
		char *column = PQescapeIdentifier(pc->c, t[1], strlen(t[1]));
		char *table_lit = PQescapeLiteral(pc->c, t[0], strlen(t[0]));
		char *column_lit = PQescapeLiteral(pc->c, t[1], strlen(t[1]));
		char *sql = NULL;
		int rc = SQLITE_NOMEM;
		size_t n;

		if (table && column && table_lit && column_lit) {
			n = 2 * (strlen(table) + strlen(column)) + strlen(table_lit) +
			    strlen(column_lit) + 160;
			if ((sql = malloc(n))) {
				snprintf(sql, n, "SELECT setval(pg_get_serial_sequence(%s, %s), "
						 "coalesce((SELECT max(%s) FROM %s), 0) + 1, false)",
					 table_lit, column_lit, column, table);
				rc = db_pg_exec(db, sql);
			}
		}
		free(sql);
		PQfreemem(table);
		PQfreemem(column);
		PQfreemem(table_lit);
		PQfreemem(column_lit);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* The connection. */

void db_pg_close(struct db *db)
{
	if (!db->pg)
		return;
	PQfinish(db->pg->c);
	for (char **t = db->pg->identity; t && *t; t++)
		free(*t);
	free(db->pg->identity);
	free(db->pg->errmsg);
	free(db->pg);
	db->pg = NULL;
}

/* Whether host (libpq's, after the URI, the environment and a service
 * file are read) is this machine: a Unix socket's folder, or loopback. */
static bool host_is_local(const char *host)
{
	return !host || !*host || host[0] == '/' || host[0] == '@' ||
	       strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	       strcmp(host, "::1") == 0;
}

/* The connection option key as libpq settled it, or NULL. */
static char *conn_option(PGconn *c, const char *key)
{
	PQconninfoOption *opts = PQconninfo(c);
	char *out = NULL;

	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, key) == 0 && o->val)
			out = strdup(o->val);
	PQconninfoFree(opts);
	return out;
}

/* One line for a connection that failed, from libpq's words. */
static void report_connect(PGconn *c, const char *uri)
{
	const char *msg = PQerrorMessage(c);
	char *db = conn_option(c, "dbname"), *user = conn_option(c, "user");
	const char *host = PQhost(c);
	char line[512];
	size_t n;

	snprintf(line, sizeof line, "%s", msg ? msg : "");
	/* libpq's message may run over lines ("connection to server ... failed: ..."). */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	n = strlen(line);
	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	if (strstr(msg, "does not exist") && strstr(msg, "database"))
		report("the server has no database '%s' (an administrator makes it: docs/server.md)",
		       db ? db : "?");
	else if (strstr(msg, "password authentication failed") || strstr(msg, "no pg_hba.conf entry") ||
		 strstr(msg, "authentication failed") || (strstr(msg, "role") && strstr(msg, "does not exist")) ||
		 strstr(msg, "no password supplied"))
		report("the server refused the login of '%s' (check ~/.pgpass, PGPASSWORD or the "
		       "server's pg_hba.conf: docs/server.md)",
		       user ? user : "?");
	else if (strstr(msg, "timeout expired"))
		report("the server%s%s did not answer in time: it is busy, or the network is down (%s)",
		       host && *host ? " " : "", host && *host ? host : "", uri);
	else if (strstr(msg, "Connection refused") || strstr(msg, "No such file or directory") ||
		 strstr(msg, "could not translate host name") || strstr(msg, "No route to host"))
		report("cannot reach the server%s%s: it is not running, or not at that address (%s)",
		       host && *host ? " " : "", host && *host ? host : "", uri);
	else
		report("cannot connect to the server: %s", line);
	free(db);
	free(user);
}

/* The one row of a query as an integer; -1 when there is none. */
static int query_ll(struct db *db, const char *sql, long long *out, bool *null)
{
	PGresult *res = PQexec(db->pg->c, sql);
	int rc = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		*null = PQgetisnull(res, 0, 0);
		*out = *null ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		rc = 0;
	} else {
		fail(db, res);
	}
	PQclear(res);
	return rc;
}

/* Checks the server's schema: ours, and the version this program knows. */
static int check_schema(struct db *db, long long *version)
{
	long long have = 0;
	bool none = true;

	if (query_ll(db, "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN NULL ELSE 1 END",
		     &have, &none) < 0) {
		report("cannot read the server's database: %s", db_pg_errmsg(db));
		return -1;
	}
	if (none) {
		report("the server's database has no smp-intake schema (an administrator applies "
		       "schema/postgresql/*.sql: docs/server.md)");
		return -1;
	}
	if (query_ll(db, "SELECT max(version) FROM schema_version", version, &none) < 0) {
		report("cannot read the server's schema version: %s", db_pg_errmsg(db));
		return -1;
	}
	if (*version > schema_migration_count) {
		report("the server's database was made for a newer smp-intake (schema %lld; this one "
		       "knows %d): upgrade smp-intake",
		       *version, schema_migration_count);
		return -1;
	}
	if (none || *version < schema_migration_count) {
		report("the server's database is at schema %lld and this smp-intake needs %d: an "
		       "administrator applies schema/postgresql/%03lld_*.sql and the later files "
		       "(docs/server.md)",
		       none ? 0 : *version, schema_migration_count, none ? 1 : *version + 1);
		return -1;
	}
	return 0;
}

/* A server reached over the network without TLS is used only when the
 * studio said so (config set allow_insecure_server yes), read on that
 * connection before anything else: the setting records the studio's
 * choice; it is no defence against an attacker on the network, which
 * sslmode=verify-full is. */
static int check_tls(struct db *db, const char *uri)
{
	PGconn *c = db->pg->c;
	const char *host = PQhost(c);
	char *mode;
	bool weak;
	PGresult *res;
	bool allowed = false;

	if (host_is_local(host))
		return 0;
	mode = conn_option(c, "sslmode");
	weak = !mode || strcmp(mode, "disable") == 0 || strcmp(mode, "allow") == 0 ||
	       strcmp(mode, "prefer") == 0;
	if (!weak) {
		free(mode);
		return 0;
	}
	res = PQexec(c, "SELECT value FROM setting WHERE key = 'allow_insecure_server'");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		allowed = strcmp(PQgetvalue(res, 0, 0), "yes") == 0;
	PQclear(res);
	if (!allowed)
		report("the server %s is reached over the network with sslmode=%s: use sslmode=require "
		       "or verify-full in '%s', or have the studio allow it (config set "
		       "allow_insecure_server yes, from a connection that is allowed: docs/server.md)",
		       host, mode ? mode : "prefer", uri);
	free(mode);
	return allowed ? 0 : -1;
}

/* The tables' identity columns, for the INSERTs' RETURNING. */
static int load_identity(struct db *db)
{
	struct pg_conn *pc = db->pg;
	/* From the catalogue itself: information_schema's view of it costs
	 * some 20 ms, on every command. */
	PGresult *res = PQexec(pc->c, "SELECT c.relname, a.attname FROM pg_catalog.pg_attribute a "
				      "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
				      "WHERE a.attidentity <> '' AND NOT a.attisdropped "
				      "AND c.relkind = 'r' AND c.relnamespace = "
				      "(SELECT oid FROM pg_catalog.pg_namespace "
				      "WHERE nspname = current_schema())");
	int n;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail(db, res);
		PQclear(res);
		report("cannot read the server's schema: %s", db_pg_errmsg(db));
		return -1;
	}
	n = PQntuples(res);
	if (!(pc->identity = calloc((size_t)n * 2 + 1, sizeof *pc->identity))) {
		PQclear(res);
		report("out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (!(pc->identity[2 * i] = strdup(PQgetvalue(res, i, 0))) ||
		    !(pc->identity[2 * i + 1] = strdup(PQgetvalue(res, i, 1)))) {
			PQclear(res);
			report("out of memory");
			return -1;
		}
	PQclear(res);
	return 0;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The password file libpq would read (PGPASSFILE, else ~/.pgpass) when
 * others may read it, else NULL.  libpq ignores such a file, with a
 * warning of its own on standard error; we keep it from being read at all
 * (passfile of nowhere) and say in our one line why the login failed. */
static const char *loose_passfile(char *buf, size_t n)
{
	const char *f = getenv("PGPASSFILE"), *home = getenv("HOME");
	struct stat st;

	if (!f || !*f) {
		if (!home || !*home)
			return NULL;
		snprintf(buf, n, "%s/.pgpass", home);
		f = buf;
	}
	if (stat(f, &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & (S_IRWXG | S_IRWXO)))
		return NULL;
	return f;
}

int db_pg_open(struct db *db, const char *uri, long long *version)
{
	PGresult *res;
	char *lower = NULL, passfile_buf[4096];
	const char *passfile;

	if (load_libpq() < 0)
		return -1;
	if (!(db->pg = calloc(1, sizeof *db->pg)) || !(lower = strdup(uri))) {
		report("out of memory");
		return -1;
	}
	/* libpq knows the scheme in lower case only; we take any case. */
	for (char *p = lower; *p && *p != ':'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	/* A server that does not answer is not waited for forever: at most
	 * 10 s to connect, and the connection is given up when the network
	 * stops carrying it (TCP keepalives after 30 s idle, then 3 probes 10 s
	 * apart; sent data unacknowledged for 60 s).  The studio's own values
	 * win: in the URI (later keywords override), or PGCONNECT_TIMEOUT. */
	passfile = loose_passfile(passfile_buf, sizeof passfile_buf);
	const char *keys[] = { "connect_timeout", "keepalives", "keepalives_idle",
			       "keepalives_interval", "keepalives_count", "tcp_user_timeout",
			       "passfile", "dbname", NULL };
	const char *values[] = { getenv("PGCONNECT_TIMEOUT") ? NULL : "10", "1", "30", "10", "3",
				 "60000", passfile ? "/dev/null/none" : NULL, lower, NULL };
	db->pg->c = PQconnectdbParams(keys, values, 1);
	free(lower);
	if (!db->pg->c) {
		report("out of memory");
		return -1;
	}
	if (PQstatus(db->pg->c) != CONNECTION_OK && passfile &&
	    PQconnectionNeedsPassword(db->pg->c)) {
		report("the server asks for a password, and %s is not used while others can read "
		       "it: chmod 600 %s", passfile, passfile);
		return -1;
	}
	if (PQstatus(db->pg->c) != CONNECTION_OK) {
		report_connect(db->pg->c, uri);
		return -1;
	}
	/* Our text is UTF-8, our times UTC; notices (a trigger's NOTICE) are
	 * not printed between our lines. */
	PQsetNoticeProcessor(db->pg->c, quiet, NULL);
	res = PQexec(db->pg->c, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
				"SET client_min_messages = warning");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail(db, res);
		PQclear(res);
		report("cannot set up the server's connection: %s", db_pg_errmsg(db));
		return -1;
	}
	PQclear(res);
	if (check_tls(db, uri) < 0 || check_schema(db, version) < 0 || load_identity(db) < 0)
		return -1;
	return 0;
}
