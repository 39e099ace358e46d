/* main.c - the global options and the command table; each command lives
 * in its own src/cmd_*.c. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "process.h"
#include "prompt.h"
#include "report.h"
#include "suggest.h"

static const struct command commands[] = {
	{ "new", cmd_new, "smp-intake new [--client ID] [--answers FILE]",
	  "take a consultation intake, save it and print the advice sheet",
	  "  --client ID     a returning client: their names and birth date are taken\n"
	  "                  from the record (not asked), their contact details offered\n"
	  "  --answers FILE  take the answers from a JSON object {\"answers\": {...}}\n"
	  "                  (FILE - is standard input) instead of asking\n"
	  "\n"
	  "At a terminal the questions are asked one by one (? for help, < goes\n"
	  "back one question; at the summary a number changes that answer) and every\n"
	  "answer is kept in a draft as it is given: Ctrl-C or Ctrl-D stops, and\n"
	  "`resume` continues. A pasted text of several lines is one answer in a\n"
	  "notes field and refused in a one-line one. Dates: YYYY-MM-DD, the\n"
	  "studio's form (config set date_input), today, +10d, +3w or +2m.\n"
	  "A client on file with the same names (case and\n"
	  "accents aside) and birth date is offered before the contact details, then\n"
	  "a possible match one or two letters away; a returning client starts from\n"
	  "their last intake (Enter keeps the treatments; the GP and health questions\n"
	  "are answered again). Through a pipe, one answer per line in question order\n"
	  "(see docs/questions.md); an empty line takes the default; the same names\n"
	  "and birth date join the client on file.\n"
	  "\n"
	  "After the advice sheet the client types their full name to acknowledge\n"
	  "it (at a terminal, Enter leaves the intake unacknowledged). Through a\n"
	  "pipe, the line after the last answer is that name (none or empty: not\n"
	  "acknowledged); in --answers, the key acknowledged_by. A name that is not\n"
	  "the client's first and last name is refused and nothing is saved.\n" },
	{ "edit", cmd_edit, "smp-intake edit ID",
	  "change the answers of an intake; the new advice is kept beside the old",
	  "  ID  the intake number\n"
	  "\n"
	  "Every question is asked again with the stored answer in brackets: Enter\n"
	  "keeps it, - clears an optional one. Through a pipe, one line per question\n"
	  "as for `new`. Names, birth date and contact details belong to the client:\n"
	  "changing them changes them for all the client's intakes. If someone else\n"
	  "changes the intake meanwhile, nothing is overwritten: the edit is kept as\n"
	  "a draft for `resume`. The new advice sheet needs the client's\n"
	  "acknowledgement again (asked at the end, or the line after the answers);\n"
	  "a changed screening answer raises its flag again.\n" },
	{ "acknowledge", cmd_acknowledge, "smp-intake acknowledge ID [--name NAME]",
	  "record that the client read the intake's advice sheet, by their full name",
	  "  ID           the intake number\n"
	  "  --name NAME  the name as the client typed it; without it, at a terminal\n"
	  "               the sheet is shown and the client types it, through a pipe\n"
	  "               it is the first line. It must be the client's first and last\n"
	  "               name (case, accents and spacing aside).\n" },
	{ "clear-flag", cmd_clear_flag, "smp-intake clear-flag ID FLAG --reason TEXT",
	  "clear a screening flag of an intake once the artist has looked into it",
	  "  ID             the intake number\n"
	  "  FLAG           flag-scalp-condition, flag-keloid, flag-blood-thinners,\n"
	  "                 flag-allergy or flag-pregnancy (see `show ID`)\n"
	  "  --reason TEXT  why it can be cleared (one line); kept with the clearance\n"
	  "                 and in the audit. An edit that changes the answer behind\n"
	  "                 the flag raises it again.\n" },
	{ "history", cmd_history, "smp-intake history ID",
	  "every change to an intake: when, by whom, the values before and after",
	  "  ID  the intake number\n" },
	{ "access-log", cmd_access_log, "smp-intake access-log [--client ID] [--since DATE]",
	  "who read, exported or erased whose records, and when",
	  "  --client ID   only the rows that reached client ID (also once erased)\n"
	  "  --since DATE  only rows written on or after DATE (YYYY-MM-DD, UTC)\n"
	  "\n"
	  "One line a row, oldest first: its number, when (UTC), the staff member,\n"
	  "the command and the client numbers it reached, as ranges (3,7-9). The log\n"
	  "holds client numbers only, never a name or an answer; it is kept when a\n"
	  "client is erased, and its rows cannot be changed or removed.\n"
	  "Every command that prints a client's data writes its row before the\n"
	  "first byte of it: show, advice, export, erase, contact, history,\n"
	  "signoff, edit, acknowledge and resume.\n" },
	{ "verify", cmd_verify, "smp-intake verify",
	  "check that the record is whole: nothing changed, removed or reordered",
	  "Checks the file (SQLite's integrity and foreign key checks), that the\n"
	  "triggers which keep the audit and the access log fixed are all there and\n"
	  "unchanged, that the audit chain is unbroken (each row's hash covers its\n"
	  "values, its changes and the row before), and that the access log's rows\n"
	  "are all there, in time order. Prints one line per problem and exits 1,\n"
	  "or one line starting \"ok:\" with the chain's last hash (keep it\n"
	  "elsewhere: see docs/record.md).\n" },
	{ "drafts", cmd_drafts, "smp-intake drafts [--discard DRAFT]",
	  "list the intakes and edits left unfinished, or remove one",
	  "  --discard DRAFT  remove draft DRAFT and the answers it holds\n" },
	{ "resume", cmd_resume, "smp-intake resume [DRAFT]",
	  "continue an unfinished intake or edit where it stopped",
	  "  DRAFT  the draft number (see `drafts`); without it, your latest draft\n" },
	{ "show", cmd_show, "smp-intake show ID",
	  "print an intake: client, versions, screening flags, answers, advice",
	  "  ID  the intake number printed when it was saved (see `find`)\n" },
	{ "advice", cmd_advice,
	  "smp-intake advice ID [--for client|artist] [--format text|markdown|html]",
	  "print the advice sheet given at an intake again, or a handout for the client",
	  "  ID                the intake number\n"
	  "  --for READER      client (plain words, the default) or artist (with rule\n"
	  "                    ids, readiness, GP warning, flags; text format only)\n"
	  "  --format FORMAT   text (the sheet as on screen, the default), markdown, or\n"
	  "                    html (a self-contained page that prints on A4 and Letter)\n" },
	{ "signoff", cmd_signoff,
	  "smp-intake signoff ID --status obtained|pending|declined [--gp NAME] [--date DATE] "
	  "[--ref TEXT]",
	  "record the GP's answer for an intake and print the updated advice sheet",
	  "  ID                the intake number\n"
	  "  --status STATUS   obtained, pending or declined\n"
	  "  --gp NAME         the GP's name (needed with obtained)\n"
	  "  --date DATE       the date on the GP's letter, YYYY-MM-DD (or as\n"
	  "                    date_input allows; with obtained, today when not\n"
	  "                    given; not in the future)\n"
	  "  --ref TEXT        the letter's reference, if any\n" },
	{ "export", cmd_export,
	  "smp-intake export [--format FORMAT] [--since DATE] [--until DATE] [--client ID]\n"
	  "                  [--pending-signoff] [--excel] [-o FILE] [--force]",
	  "the intakes as JSON, NDJSON, CSV or FHIR, or all of one client's records",
	  "  --format FORMAT    json (default: one array), ndjson (one intake a line),\n"
	  "                     csv (one row an intake, a header row; RFC 4180) or\n"
	  "                     fhir (an HL7 FHIR R4 Bundle of QuestionnaireResponses)\n"
	  "  --since DATE       only intakes taken on or after DATE (YYYY-MM-DD, UTC)\n"
	  "  --until DATE       only intakes taken on or before DATE\n"
	  "  --client ID        only client ID's intakes; alone (no --format, no other\n"
	  "                     filter): everything stored about the client, as one\n"
	  "                     JSON object, the answer to a subject access request\n"
	  "  --pending-signoff  the call list: each client's latest intake, when its\n"
	  "                     GP sign-off is pending (as list --pending-signoff)\n"
	  "  --excel            with --format csv: for a spreadsheet, a UTF-8 byte order\n"
	  "                     mark first and phone numbers kept as text without the\n"
	  "                     formula guard's apostrophe (see docs/export.md)\n"
	  "  -o, --output FILE  write to FILE (created 0600, atomically) instead of\n"
	  "                     standard output; - is standard output\n"
	  "  --force            replace FILE if it exists and is a regular file (not\n"
	  "                     a folder, device or pipe)\n"
	  "\n"
	  "The filters combine.  An export that takes more than a second shows its\n"
	  "progress on standard error when that is a terminal.  The access log row\n"
	  "is written first; a reader that stops early (export | head) ends the run\n"
	  "with exit 1.  Ctrl-C, SIGTERM or SIGHUP remove the temporary file.\n" },
	{ "import", cmd_import, "smp-intake import FILE [--update] [--dry-run]",
	  "read an export back in: every record checked, then all written or none",
	  "  FILE       an export: a JSON array of intakes, or one intake object per\n"
	  "             line; - is standard input\n"
	  "  --update   replace a stored intake whose uuid comes with other answers,\n"
	  "             client details or advice (a new advice sheet beside the old);\n"
	  "             without it that is a conflict and nothing is imported\n"
	  "  --dry-run  check everything and report what would change; write nothing\n"
	  "\n"
	  "Records are matched by uuid, so importing a file twice adds nothing the\n"
	  "second time. An intake and its client keep their numbers when those are\n"
	  "free. Every problem is reported by record and field. The advice must be\n"
	  "what the rules of its version give for the answers, the acknowledgement\n"
	  "must name the client. A new database is made only by an import that\n"
	  "succeeds. See docs/import.md.\n" },
	{ "erase", cmd_erase, "smp-intake erase CLIENT_ID [--yes]",
	  "erase a client and everything stored about them (the right to erasure)",
	  "  CLIENT_ID  the client number (see `find`)\n"
	  "  --yes      erase without asking; needed when not at a terminal\n"
	  "\n"
	  "The client's record, intakes, answers, advice sheets, sign-offs and drafts\n"
	  "(also a new intake stopped before a client was chosen, with the same\n"
	  "names) are removed for good, from the database file, its search index and\n"
	  "its write-ahead log, in one transaction: a kill or a full disk leaves the\n"
	  "client all there or all erased, and the next command to open the file (or\n"
	  "erase of the same client again) finishes the clearing. The audit keeps only\n"
	  "that the client and each intake were erased, when and by whom; import\n"
	  "refuses the erased intakes (by uuid) from then on. A temporary export file\n"
	  "left beside the database (.smp-intake-XXXXXX) is named in a warning. At a\n"
	  "terminal the client is shown first and you type yes.\n" },
	{ "purge", cmd_purge, "smp-intake purge --older-than DURATION [--yes]",
	  "erase the clients whose last intake is older than DURATION (retention)",
	  "  --older-than DURATION  how long records are kept after a client's last\n"
	  "                         intake: 7y (years), 18m (months) or 90d (days), at\n"
	  "                         most 100 years\n"
	  "  --yes                  erase them, each as `erase` would; without it, only\n"
	  "                         list who would be erased (a dry run)\n"
	  "Drafts untouched for longer than the studio's draft_max_age (config; 30d\n"
	  "by default) are removed too, or counted in a dry run.\n" },
	{ "list", cmd_list,
	  "smp-intake list [--pending-signoff | --ready] [--since DATE] [--until DATE] [--limit N]\n"
	  "                [--format text|tsv|json]",
	  "list recent intakes, newest first, with GP sign-off and readiness",
	  "  --pending-signoff  the call list: each client whose latest intake still\n"
	  "                     waits for the GP's sign-off, once, with their phone; a\n"
	  "                     later intake or a sign-off settles the earlier ones\n"
	  "  --ready            only clients ready for a session: the GP's sign-off\n"
	  "                     obtained (or no hair-growth treatment), no open\n"
	  "                     screening flag, and the advice acknowledged\n"
	  "  --since DATE       taken on or after DATE (YYYY-MM-DD, UTC)\n"
	  "  --until DATE       taken on or before DATE\n"
	  "  --limit N          at most N rows (default 20; 0 for all)\n"
	  "  --format FORMAT    text (the table, the default), tsv (a header row, then\n"
	  "                     tab-separated rows) or json (an array), for scripts\n"
	  "\n"
	  "At a terminal the table fits its width: long names are cut with \"...\",\n"
	  "and narrow terminals lose the date, then the treatments, then the flags\n"
	  "columns. Through a pipe every value is whole. In tsv a tab in a value is\n"
	  "written as a space and a line break as \\n.\n" },
	{ "find", cmd_find, "smp-intake find TEXT [--format text|tsv|json]",
	  "find clients by the start of their name, email or phone number",
	  "  TEXT  words that each start a word of the name or the email address (zoe\n"
	  "        dub, ana.silva@ex), in any order; case and accents are ignored, so\n"
	  "        zoe finds Zoë.  A phone number (digits and + - . ( ) / only, at\n"
	  "        least 4 digits) finds the numbers it starts, with or without the\n"
	  "        country code or the leading 0.  Newest intake first, at most 200.\n"
	  "  --format FORMAT  text (the table, the default), tsv or json, as for list\n"
	  "\n"
	  "At a terminal a long name is cut to the width; through a pipe it is whole.\n" },
	{ "contact", cmd_contact, "smp-intake contact CLIENT [--phone PHONE] [--email EMAIL]",
	  "change a client's phone number or email address (no new advice sheet)",
	  "  CLIENT         the client number (see `find`)\n"
	  "  --phone PHONE  the new phone number, checked as the questions check it;\n"
	  "                 - (or an empty value) clears it\n"
	  "  --email EMAIL  the new email address, checked likewise; - clears it\n"
	  "\n"
	  "Only the client record changes: no new intake, advice sheet or\n"
	  "acknowledgement, and the client's readiness stays as it was. Each changed\n"
	  "field goes into the audit (shown by `history` with each of the client's\n"
	  "intakes) and the command into the access log. Without options, at a\n"
	  "terminal the details on file are shown and the new ones asked for (Enter\n"
	  "keeps one, - clears it); through a pipe an option is needed.\n" },
	{ "config", cmd_config, "smp-intake config list | get KEY | set KEY VALUE",
	  "show or change the studio's settings",
	  "  list           every setting, its value and what it is for\n"
	  "  get KEY        the value of one setting\n"
	  "  set KEY VALUE  change a setting (checked first; unknown keys refused)\n"
	  "Keys: studio_name (printed on handouts), pause_days_before and\n"
	  "pause_days_after (0-60: the studio's pause of topical products around a\n"
	  "session), minimum_age (18-100).\n"
	  "date_input: iso (the default: only YYYY-MM-DD), dmy (also 23/07/1985,\n"
	  "23.07.1985, 23-07-1985) or mdy (also 07/23/1985), how dates are typed.\n"
	  "staff_required (yes or no, default no): yes makes the commands that\n"
	  "record who did it refuse to run without --staff or SMP_INTAKE_STAFF\n"
	  "(exit 1) instead of taking the login name.\n"
	  "draft_max_age (default 30d): purge removes the drafts (unfinished\n"
	  "intakes and edits) untouched for longer; days or weeks, 1d to 3650d:\n"
	  "30d, 4w.\n"
	  "`set` creates the database when it is not there; list and get refuse.\n" },
	{ "questionnaire", cmd_questionnaire,
	  "smp-intake questionnaire [--format text|fhir] [--version VERSION]",
	  "list the questions: ids, types, choices, when each is asked",
	  "  --format FORMAT    text (for people, the default) or fhir (an HL7 FHIR R4\n"
	  "                     Questionnaire resource in JSON, for other systems; see\n"
	  "                     docs/export.md)\n"
	  "  --version VERSION  the questions as an earlier version asked them\n"
	  "                     (2026.1, 2026.2; default: the current one), the\n"
	  "                     version an older intake's FHIR response names\n" },
	{ "ids", cmd_ids, "smp-intake ids [--clients]",
	  "list intake ids (or client ids), one per line, for scripts and completion",
	  "  --clients  list client ids instead of intake ids\n" },
	{ "demo", cmd_demo, "smp-intake demo [--create PATH]",
	  "try every command on a throwaway database of sample clients",
	  "  --create PATH  write the sample database to PATH (which must not exist)\n"
	  "                 instead of opening the menu on a temporary one\n" },
	{ "shell", cmd_shell, "smp-intake shell",
	  "the menu (also what `smp-intake` alone opens at a terminal)",
	  "Commands in the menu: those of smp-intake --help but shell, demo and ids,\n"
	  "with the same arguments as on the command line; help [COMMAND], clear\n"
	  "(the screen) and quit. Tab completes commands and their options.\n"
	  "\n"
	  "The banner names the database (or says it is not there yet: `new`\n"
	  "creates it). Unless --staff or SMP_INTAKE_STAFF names the staff member,\n"
	  "the menu asks who is at the desk (Tab: the names on file; Enter: the\n"
	  "login name) and records that name for the whole session.\n" },
	{ "help", cmd_help, "smp-intake help [COMMAND]", "show help for the program or a command",
	  "" },
};
static const size_t command_count = sizeof commands / sizeof commands[0];

/* The commands that may create a missing database; every other one refuses
 * it (`config set` and `demo` decide for themselves). */
static const char *const creating_commands[] = { "new", "import", NULL };

static bool command_creates(const char *name)
{
	for (size_t i = 0; creating_commands[i]; i++)
		if (strcmp(creating_commands[i], name) == 0)
			return true;
	return false;
}

/* The commands that may run on a database that cannot be written (read-only
 * media), and those that only read but record the access; every other one
 * writes.  docs/security.md lists them. */
static const char *const reading_commands[] = { "access-log", "drafts", "list", "find",
						"config", "questionnaire", "ids", "verify",
						"shell", "purge", "help", NULL };
static const char *const logging_commands[] = { "show", "advice", "export", "history", NULL };

static bool command_in(const char *const *list, const char *name)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static enum db_need command_db_need(const char *name)
{
	if (command_in(reading_commands, name))
		return DB_READS;
	return command_in(logging_commands, name) ? DB_LOGS_ACCESS : DB_WRITES;
}

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < command_count; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

const struct command *command_lookup(const char *name)
{
	return command_find(name);
}

const struct command *command_at(size_t i)
{
	return i < command_count ? &commands[i] : NULL;
}

const char *command_nearest(const char *word)
{
	const char *names[sizeof commands / sizeof commands[0] + 1];

	for (size_t i = 0; i < command_count; i++)
		names[i] = commands[i].name;
	names[command_count] = NULL;
	return suggest_nearest(word, names);
}

/* Adds a copy of the n bytes at name to the NULL-ended list opts (room
 * for max) unless it is there.  Returns 0, or -1 when out of memory. */
static int add_option(char **opts, size_t max, const char *name, size_t n)
{
	size_t i;

	for (i = 0; opts[i]; i++)
		if (strlen(opts[i]) == n && strncmp(opts[i], name, n) == 0)
			return 0;
	if (i == max)
		return 0;
	return (opts[i] = strndup(name, n)) ? 0 : -1;
}

char **command_options(const char *name)
{
	enum { MAX = 32 };
	const struct command *c = command_find(name);
	char **opts = calloc(MAX + 1, sizeof *opts);
	const char *p;

	if (!opts)
		return NULL;
	/* The option lines of the help: those that start, after blanks, with
	 * "-"; every -x or --word on them (as tests/e2e/test_completion.py
	 * reads them for the bash completion). */
	for (p = c ? c->help : ""; *p;) {
		const char *end = strchr(p, '\n'), *q = p;
		if (!end)
			end = p + strlen(p);
		while (q < end && *q == ' ')
			q++;
		for (bool option_line = q > p && *q == '-'; option_line && q < end; q++) {
			size_t n = 0;
			if (*q != '-' || (q > p && (q[-1] == '-' || q[-1] == '_' || isalnum((unsigned char)q[-1]))))
				continue;
			n = q[1] == '-' ? 2 : 1;
			if (!islower((unsigned char)q[n]))
				continue;
			while (q + n < end && (islower((unsigned char)q[n]) || q[n] == '-'))
				n++;
			if (add_option(opts, MAX, q, n) < 0)
				goto fail;
			q += n - 1;
		}
		p = *end ? end + 1 : end;
	}
	if (add_option(opts, MAX, "--help", 6) < 0)
		goto fail;
	return opts;
fail:
	command_options_free(opts);
	return NULL;
}

void command_options_free(char **opts)
{
	if (!opts)
		return;
	for (size_t i = 0; opts[i]; i++)
		free(opts[i]);
	free(opts);
}

void command_usage(FILE *f, const char *name)
{
	const struct command *c = name ? command_find(name) : NULL;

	if (c) {
		fprintf(f, "usage: %s\n%s.\n", c->usage, c->summary);
		if (c->help[0])
			fprintf(f, "\n%s", c->help);
		return;
	}
	fputs("usage: smp-intake [--db PATH] [--staff NAME] COMMAND [ARGS]\n"
	      "       smp-intake --help | --version\n"
	      "\n"
	      "Consultation intake for scalp micropigmentation (SMP) studios.\n"
	      "\n"
	      "Commands:\n",
	      f);
	int width = 0;
	for (size_t i = 0; i < command_count; i++)
		if ((int)strlen(commands[i].name) > width)
			width = (int)strlen(commands[i].name);
	for (size_t i = 0; i < command_count; i++)
		fprintf(f, "  %-*s %s\n", width, commands[i].name, commands[i].summary);
	fputs("\n"
	      "Options:\n"
	      "  --db PATH     the database (default $SMP_INTAKE_DB, else\n"
	      "                $XDG_DATA_HOME/smp-intake/intake.db, else\n"
	      "                ~/.local/share/smp-intake/intake.db); only new, import\n"
	      "                and config set create it when it is not there; it\n"
	      "                must be your own file, mode 600, in a folder only you\n"
	      "                can write to (or a sticky one, as /tmp)\n"
	      "  --staff NAME  who takes the intake (default $SMP_INTAKE_STAFF, else who\n"
	      "                the menu was told is at the desk, else the login name\n"
	      "                unless config staff_required is yes)\n"
	      "  -h, --help    this help; `smp-intake COMMAND --help` for a command\n"
	      "  --version     print the version\n"
	      "\n"
	      "With no command at a terminal, a menu opens. Exit status: 0 success,\n"
	      "1 failure (also when the reader of the output goes away), 2 usage\n"
	      "error. No core dump is ever written. See smp-intake(1).\n",
	      f);
}

bool command_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

long long command_parse_id(const char *text, const char *what)
{
	char *end;
	long long id;

	errno = 0;
	id = strtoll(text, &end, 10);
	if (errno || end == text || *end || id <= 0 || text[0] == '+' || text[0] == ' ') {
		report("%s must be a positive whole number", what);
		return 0;
	}
	return id;
}

int command_parse_date(const char *name, const char *option, const char *value)
{
	struct date d;

	if (date_parse(value, &d) != DATE_OK) {
		report("%s: %s: give a real date as YYYY-MM-DD", name, option);
		return -1;
	}
	return 0;
}

int command_bad_option(const char *name, int argc, char **argv)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	report("%s: unknown option, or an option without its value: '%.40s' "
	       "(see smp-intake %s --help)",
	       name, arg, name);
	return EXIT_USAGE;
}

/* "unknown command", with the nearest one when name is a slip away. */
static void report_unknown_command(const char *name)
{
	const char *near = command_nearest(name);

	if (near)
		report("unknown command '%.40s' (did you mean `%s`? see smp-intake --help)", name,
		       near);
	else
		report("unknown command '%.40s' (see smp-intake --help)", name);
}

int command_dispatch(struct ctx *ctx, int argc, char **argv)
{
	const struct command *c = command_find(argv[0]);

	if (!c) {
		report_unknown_command(argv[0]);
		return EXIT_USAGE;
	}
	if (command_wants_help(argc, argv)) {
		command_usage(stdout, c->name);
		return EXIT_OK;
	}
	ctx->may_create = command_creates(c->name);
	ctx->command = c->name;
	ctx->db_need = command_db_need(c->name);
	return c->run(ctx, argc, argv);
}

int cmd_help(struct ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc > 2) {
		command_usage(stderr, "help");
		return EXIT_USAGE;
	}
	if (argc == 2 && !command_find(argv[1])) {
		report_unknown_command(argv[1]);
		return EXIT_USAGE;
	}
	command_usage(stdout, argc == 2 ? argv[1] : NULL);
	return EXIT_OK;
}

/* Takes --db and --staff (as "--db PATH" or "--db=PATH"); returns the
 * index of the command, or -1 after reporting a usage error. */
static int parse_global(int argc, char **argv, struct ctx *ctx)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char **slot = NULL;
		const char *arg = argv[i];
		size_t n = 0;

		if (strncmp(arg, "--db", 4) == 0 && (arg[4] == '\0' || arg[4] == '=')) {
			slot = &ctx->db_option;
			n = 4;
		} else if (strncmp(arg, "--staff", 7) == 0 && (arg[7] == '\0' || arg[7] == '=')) {
			slot = &ctx->staff_option;
			n = 7;
		} else {
			return i; /* --help, --version and unknown options are judged later */
		}
		if (arg[n] == '=') {
			*slot = arg + n + 1;
		} else if (i + 1 < argc) {
			*slot = argv[++i];
		} else {
			report("%s needs a value", arg);
			return -1;
		}
		if (!**slot) {
			report("%.8s needs a value", arg);
			return -1;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	int first, rc;

	/* Every file we create (database, WAL, exports) is private. */
	umask(077);
	setlocale(LC_ALL, "");
	/* No core dump of answers; a closed pipe is a quiet exit 1. */
	if (process_harden() < 0)
		return EXIT_FAIL;

	if ((first = parse_global(argc, argv, &ctx)) < 0)
		return EXIT_USAGE;
	if (first < argc && argv[first][0] == '-') {
		if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
			command_usage(stdout, NULL);
			return EXIT_OK;
		}
		if (strcmp(argv[first], "--version") == 0) {
			printf("smp-intake %s\n", SMP_VERSION);
			return EXIT_OK;
		}
		report("unknown option '%.40s' (see smp-intake --help)", argv[first]);
		return EXIT_USAGE;
	}
	if (first == argc) {
		if (!prompt_interactive() || !isatty(STDOUT_FILENO)) {
			command_usage(stderr, NULL);
			return EXIT_USAGE;
		}
		ctx.command = "shell";
		ctx.db_need = command_db_need("shell");
		rc = cmd_shell(&ctx, 1, (char *[]){ "shell", NULL });
	} else {
		rc = command_dispatch(&ctx, argc - first, argv + first);
	}
	prompt_finish();
	ctx_close(&ctx);
	/* A command that failed has said why (a write error included):
	 * one line, not a second one about the same output. */
	errno = 0;
	if ((fflush(stdout) == EOF || ferror(stdout)) && rc == EXIT_OK) {
		if (errno)
			report("cannot write the output: %s", strerror(errno));
		else
			report("cannot write the output");
		return EXIT_FAIL;
	}
	return rc;
}
