/* command.c - the command table: every command's name, usage, operands,
 * options and help, once; the one parser of every command line, the
 * usage printed from the table, `help --dump`, and the dispatch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "date.h"
#include "report.h"
#include "suggest.h"
#include "text.h"

static const struct command commands[] = {
	{ .name = "new",
	  .run = cmd_new,
	  .usage = "smp-intake new [--client ID] [--answers FILE]",
	  .summary = "take a consultation intake, save it and print the advice sheet",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "client", 0, "ID",
		  "a returning client: their names and birth date are taken\n"
		  "from the record (not asked), their contact details offered" },
		{ "answers", 0, "FILE",
		  "take the answers from a JSON object {\"answers\": {...}}\n"
		  "(FILE - is standard input) instead of asking" },
	  },
	  .help = "\n"
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
	{ .name = "edit",
	  .run = cmd_edit,
	  .usage = "smp-intake edit ID",
	  .summary = "change the answers of an intake; the new advice is kept beside the old",
	  .operands = {
		{ "ID", "the intake number" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .help = "\n"
		  "Every question is asked again with the stored answer in brackets: Enter\n"
		  "keeps it, - clears an optional one. Through a pipe, one line per question\n"
		  "as for `new`. Names, birth date and contact details belong to the client:\n"
		  "changing them changes them for all the client's intakes. If someone else\n"
		  "changes the intake meanwhile, nothing is overwritten: the edit is kept as\n"
		  "a draft for `resume`. The new advice sheet needs the client's\n"
		  "acknowledgement again (asked at the end, or the line after the answers);\n"
		  "a changed screening answer raises its flag again.\n" },
	{ .name = "acknowledge",
	  .run = cmd_acknowledge,
	  .usage = "smp-intake acknowledge ID [--name NAME]",
	  .summary = "record that the client read the intake's advice sheet, by their full name",
	  .operands = {
		{ "ID", "the intake number" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .options = {
		{ "name", 0, "NAME",
		  "the name as the client typed it; without it, at a terminal\n"
		  "the sheet is shown and the client types it, through a pipe\n"
		  "it is the first line. It must be the client's first and last\n"
		  "name (case, accents and spacing aside)." },
	  },
	  .help = "" },
	{ .name = "clear-flag",
	  .run = cmd_clear_flag,
	  .usage = "smp-intake clear-flag ID FLAG --reason TEXT",
	  .summary = "clear a screening flag of an intake once the artist has looked into it",
	  .operands = {
		{ "ID", "the intake number" },
		{ "FLAG", "flag-scalp-condition, flag-keloid, flag-blood-thinners,\n"
		  "flag-allergy or flag-pregnancy (see `show ID`)" },
	  },
	  .operands_min = 2,
	  .operands_max = 2,
	  .options = {
		{ "reason", 0, "TEXT",
		  "why it can be cleared (one line); kept with the clearance\n"
		  "and in the audit. An edit that changes the answer behind\n"
		  "the flag raises it again." },
	  },
	  .help = "" },
	{ .name = "history",
	  .run = cmd_history,
	  .usage = "smp-intake history ID",
	  .summary = "every change to an intake: when, by whom, the values before and after",
	  .operands = {
		{ "ID", "the intake number" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .help = "" },
	{ .name = "access-log",
	  .run = cmd_access_log,
	  .usage = "smp-intake access-log [--client ID] [--since DATE]",
	  .summary = "who read, exported or erased whose records, and when",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "client", 0, "ID",
		  "only the rows that reached client ID (also once erased)" },
		{ "since", 0, "DATE",
		  "only rows written on or after DATE (YYYY-MM-DD, UTC)" },
	  },
	  .help = "\n"
		  "One line a row, oldest first: its number, when (UTC), the staff member,\n"
		  "the command and the client numbers it reached, as ranges (3,7-9). The log\n"
		  "holds client numbers only, never a name or an answer; it is kept when a\n"
		  "client is erased, and its rows cannot be changed or removed.\n"
		  "Every command that prints a client's data writes its row before the\n"
		  "first byte of it: show, advice, export, erase, contact, history,\n"
		  "signoff, edit, acknowledge and resume.\n" },
	{ .name = "verify",
	  .run = cmd_verify,
	  .usage = "smp-intake verify",
	  .summary = "check that the record is whole: nothing changed, removed or reordered",
	  .operands_min = 0,
	  .operands_max = 0,
	  .help = "Checks the file (SQLite's integrity and foreign key checks), that the\n"
		  "triggers which keep the audit and the access log fixed are all there and\n"
		  "unchanged, that the audit chain is unbroken (each row's hash covers its\n"
		  "values, its changes and the row before), and that the access log's rows\n"
		  "are all there, in time order. Prints one line per problem and exits 1,\n"
		  "or one line starting \"ok:\" with the chain's last hash (keep it\n"
		  "elsewhere: see docs/record.md).\n" },
	{ .name = "drafts",
	  .run = cmd_drafts,
	  .usage = "smp-intake drafts [--discard DRAFT]",
	  .summary = "list the unfinished intakes, edits and sessions, or remove one",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "discard", 0, "DRAFT",
		  "remove draft DRAFT and the answers it holds" },
	  },
	  .help = "" },
	{ .name = "resume",
	  .run = cmd_resume,
	  .usage = "smp-intake resume [DRAFT]",
	  .summary = "continue an unfinished intake, edit or session where it stopped",
	  .operands = {
		{ "DRAFT", "the draft number (see `drafts`); without it, your latest draft" },
	  },
	  .operands_min = 0,
	  .operands_max = 1,
	  .help = "" },
	{ .name = "show",
	  .run = cmd_show,
	  .usage = "smp-intake show ID",
	  .summary = "print an intake: client, versions, flags, answers, advice, sessions",
	  .operands = {
		{ "ID", "the intake number printed when it was saved (see `find`)" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .help = "\n"
		  "After the advice come the intake's sessions (`session new`), oldest first,\n"
		  "and the course plan: the sessions done and those planned (config\n"
		  "course_sessions, course_interval_days), the pause of topical products\n"
		  "around each planned one, and the touch-up once the course is complete.\n" },
	{ .name = "advice",
	  .run = cmd_advice,
	  .usage = "smp-intake advice ID [--for client|artist] [--format text|markdown|html]",
	  .summary = "print the advice sheet given at an intake again, or a handout for the client",
	  .operands = {
		{ "ID", "the intake number" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .options = {
		{ "for", 0, "READER",
		  "client (plain words, the default) or artist (with rule\n"
		  "ids, readiness, GP warning, flags; text format only)" },
		{ "format", 0, "FORMAT",
		  "text (the sheet as on screen, the default), markdown, or\n"
		  "html (a self-contained page that prints on A4 and Letter)" },
	  },
	  .help = "" },
	{ .name = "signoff",
	  .run = cmd_signoff,
	  .usage = "smp-intake signoff ID --status obtained|pending|declined [--gp NAME] [--date DATE] [--ref TEXT]",
	  .summary = "record the GP's answer for an intake and print the updated advice sheet",
	  .operands = {
		{ "ID", "the intake number" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .options = {
		{ "status", 0, "STATUS",
		  "obtained, pending or declined" },
		{ "gp", 0, "NAME",
		  "the GP's name (needed with obtained)" },
		{ "date", 0, "DATE",
		  "the date on the GP's letter, YYYY-MM-DD (or as\n"
		  "date_input allows; with obtained, today when not\n"
		  "given; not in the future)" },
		{ "ref", 0, "TEXT",
		  "the letter's reference, if any" },
	  },
	  .help = "" },
	{ .name = "session",
	  .run = cmd_session,
	  .usage = "smp-intake session new INTAKE [--answers FILE] [--override REASON]\n"
		   "                   | result SESSION --reaction none|mild|marked [--note TEXT]\n"
		   "                   | list [--client ID] [--intake ID] [--format text|tsv|json]",
	  .summary = "record a session of the client's course, a patch test's result, or list them",
	  .operands = {
		{ "ACTION", "new, result or list" },
		{ "ID", "new: the intake the session follows; result: the session" },
	  },
	  .operands_min = 1,
	  .operands_max = 2,
	  .options = {
		{ "answers", 0, "FILE",
		  "new: take the answers from a JSON object of the session's\n"
		  "ids (FILE - is standard input) instead of asking" },
		{ "override", 0, "REASON",
		  "new: go ahead while the intake is not ready (GP part,\n"
		  "open flags, acknowledgement); the reason is stored, audited\n"
		  "and printed on the session sheet" },
		{ "reaction", 0, "REACTION",
		  "result: the patch test's reaction: none, mild or marked" },
		{ "note", 0, "TEXT",
		  "result: a note on the reaction" },
		{ "client", 0, "ID",
		  "list: only client ID's sessions" },
		{ "intake", 0, "ID",
		  "list: only the sessions of intake ID" },
		{ "format", 0, "FORMAT",
		  "list: text (the table, the default), tsv (a header row,\n"
		  "then tab-separated rows) or json (an array of the export's\n"
		  "session objects with id, intake_id and client_id), for\n"
		  "scripts" },
	  },
	  .help = "\n"
		  "new: the client is re-screened first: \"Has anything changed since DATE?\"\n"
		  "(hair-growth treatments, medication and blood thinners, scalp conditions,\n"
		  "allergies, pregnancy). A change asks those questions again and saves them as\n"
		  "an edit of the intake (a new revision and advice sheet); a changed treatment\n"
		  "needs the GP's part again. A session is refused while the intake is not\n"
		  "ready, unless --override. Then: date (default today), session number (default\n"
		  "the next), artist, areas (frontal, hairline, mid-scalp, crown, sides, back,\n"
		  "scar; several, with commas), pigment brand, shade, lot, lot expiry\n"
		  "(YYYY-MM-DD or YYYY-MM; an expired lot is refused), needle, dilution, notes,\n"
		  "patch test (yes/no), the kind of ID seen to check the client's age\n"
		  "(passport, driving licence, national ID, other; never its number) and the\n"
		  "artist's countersignature (their name again). A session sooner after the\n"
		  "last than course_interval_days is questioned at a terminal and recorded\n"
		  "with a warning through a pipe or a file. The session sheet follows\n"
		  "(the course plan with the pause of topical products around each session,\n"
		  "the studio's aftercare text if set), and the client types their full name\n"
		  "(Enter: not acknowledged). At a terminal every answer is kept in a draft\n"
		  "(`drafts`); `session new INTAKE` or `resume DRAFT` continues it.\n"
		  "Through a pipe: one line per answer in that order\n"
		  "(the re-screening's yes/no first; after yes, one line per question asked\n"
		  "again, empty keeps it, then the client's name for the new advice); an empty\n"
		  "line takes the default; the last line is the client's name on the sheet.\n"
		  "In --answers, the keys are performed_on, session_number, artist, areas,\n"
		  "pigment_brand, shade, lot, lot_expiry, needle, dilution, notes, patch_test,\n"
		  "id_checked, countersigned, client_ack, override_reason and rescreen:\n"
		  "{\"changed\": false} or {\"changed\": true, \"answers\": {...},\n"
		  "\"acknowledged_by\": NAME} (see docs/usage.md).\n"
		  "result: records a patch test's reaction (refused for any other session).\n"
		  "list: id, date, intake, client, number, areas, lot and patch test result.\n" },
	{ .name = "export",
	  .run = cmd_export,
	  .usage = "smp-intake export [--format FORMAT] [--since DATE] [--until DATE] [--client ID]\n"
		   "                  [--pending-signoff] [--excel] [--sessions] [-o FILE] [--force]",
	  .summary = "the intakes as JSON, NDJSON, CSV or FHIR, or all of one client's records",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "format", 0, "FORMAT",
		  "json (default: one array), ndjson (one intake a line),\n"
		  "csv (one row an intake, a header row; RFC 4180) or\n"
		  "fhir (an HL7 FHIR R4 Bundle of QuestionnaireResponses,\n"
		  "each with its sessions, photo metadata and consents)" },
		{ "since", 0, "DATE",
		  "only intakes taken on or after DATE (YYYY-MM-DD, UTC)" },
		{ "until", 0, "DATE",
		  "only intakes taken on or before DATE" },
		{ "client", 0, "ID",
		  "only client ID's intakes; alone (no --format, no other\n"
		  "filter): everything stored about the client, as one\n"
		  "JSON object, the answer to a subject access request" },
		{ "pending-signoff", 0, NULL,
		  "the call list: each client's latest intake, when its\n"
		  "GP sign-off is pending (as list --pending-signoff)" },
		{ "excel", 0, NULL,
		  "with --format csv: for a spreadsheet, a UTF-8 byte order\n"
		  "mark first and phone numbers kept as text without the\n"
		  "formula guard's apostrophe (see docs/export.md)" },
		{ "sessions", 0, NULL,
		  "with --format csv and -o FILE: the intakes' course too,\n"
		  "as three files beside FILE: sessions, photo metadata\n"
		  "and consents, one row each (intakes.csv gives\n"
		  "intakes.sessions.csv, intakes.photos.csv and\n"
		  "intakes.consents.csv)" },
		{ "output", 'o', "FILE",
		  "write to FILE (created 0600, atomically) instead of\n"
		  "standard output; - is standard output" },
		{ "force", 0, NULL,
		  "replace FILE if it exists and is a regular file (not\n"
		  "a folder, device or pipe)" },
	  },
	  .help = "\n"
		  "The filters combine.  An export that takes more than a second shows its\n"
		  "progress on standard error when that is a terminal.  The access log row\n"
		  "is written first; a reader that stops early (export | head) ends the run\n"
		  "with exit 1.  Ctrl-C, SIGTERM or SIGHUP remove the temporary file.\n" },
	{ .name = "import",
	  .run = cmd_import,
	  .usage = "smp-intake import FILE [--update] [--dry-run]",
	  .summary = "read an export back in: every record checked, then all written or none",
	  .operands = {
		{ "FILE", "an export: a JSON array of intakes, or one intake object per\n"
		  "line; - is standard input" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .options = {
		{ "update", 0, NULL,
		  "replace a stored intake whose uuid comes with other answers,\n"
		  "client details or advice (a new advice sheet beside the old);\n"
		  "without it that is a conflict and nothing is imported" },
		{ "dry-run", 0, NULL,
		  "check everything and report what would change; write nothing" },
	  },
	  .help = "\n"
		  "Records are matched by uuid, so importing a file twice adds nothing the\n"
		  "second time. An intake and its client keep their numbers when those are\n"
		  "free. Every problem is reported by record and field. The advice must be\n"
		  "what the rules of its version give for the answers, the acknowledgement\n"
		  "must name the client. A new database is made only by an import that\n"
		  "succeeds. See docs/import.md.\n" },
	{ .name = "migrate",
	  .run = cmd_migrate,
	  .usage = "smp-intake migrate --to LOCATION | --from LOCATION",
	  .summary = "move the whole record between an SQLite file and a PostgreSQL server",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "to", 0, "LOCATION",
		  "copy the studio's database to LOCATION (a file, or a server's\n"
		  "postgresql:// address), which must hold no records yet" },
		{ "from", 0, "LOCATION",
		  "copy LOCATION's records into the studio's database, made when\n"
		  "missing, which must hold no records yet" },
	  },
	  .help = "Moves a studio's whole record, every table with its numbers: the\n"
		  "intakes, their course and photos, the audit trail and its chain, the\n"
		  "access log, the drafts, the settings. The source is verified first (as\n"
		  "smp-intake verify); the copy is one transaction of the target's, each\n"
		  "table's rows counted on both sides; the target is verified after and\n"
		  "must end with the same audit chain. Nothing is migrated when any of it\n"
		  "fails. The source is left as it was. See docs/server.md.\n" },
	{ .name = "erase",
	  .run = cmd_erase,
	  .usage = "smp-intake erase CLIENT_ID [--yes] [--reason TEXT]",
	  .summary = "erase a client and everything stored about them (the right to erasure)",
	  .operands = {
		{ "CLIENT_ID", "the client number (see `find`)" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .options = {
		{ "yes", 0, NULL,
		  "erase without asking; needed when not at a terminal" },
		{ "reason", 0, "TEXT",
		  "why the client may be erased although seen inside the\n"
		  "studio's retention period (config retention_years);\n"
		  "needed then when not at a terminal, and kept in the audit" },
	  },
	  .help = "\n"
		  "The client's record, intakes, answers, advice sheets, sign-offs and drafts\n"
		  "(also a new intake stopped before a client was chosen, with the same\n"
		  "names) are removed for good, from the database file, its search index and\n"
		  "its write-ahead log, in one transaction: a kill or a full disk leaves the\n"
		  "client all there or all erased, and the next command to open the file (or\n"
		  "erase of the same client again) finishes the clearing. The audit keeps only\n"
		  "that the client and each intake were erased, when and by whom; import\n"
		  "refuses the erased intakes (by uuid) from then on. A temporary export file\n"
		  "left beside the database (.smp-intake-XXXXXX) is named in a warning. At a\n"
		  "terminal the client is shown first and you type yes.\n"
		  "A client whose last intake or session is inside the studio's retention\n"
		  "period may still have to be erased (the right to erasure has exceptions\n"
		  "where a record must be kept, and the studio decides whether one applies):\n"
		  "at a terminal the reason is asked for, through a pipe --reason is needed.\n"
		  "The reason is kept with the erasure and shown by history and access-log.\n"
		  "When the studio has not set a retention period, erase says so at a\n"
		  "terminal and works as without one.\n" },
	{ .name = "purge",
	  .run = cmd_purge,
	  .usage = "smp-intake purge --older-than DURATION [--yes] [--override REASON]",
	  .summary = "erase the clients not seen for longer than DURATION (retention)",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "older-than", 0, "DURATION",
		  "how long records are kept after a client's last\n"
		  "intake or session: 7y (years), 18m (months) or 90d\n"
		  "(days), at most 100 years" },
		{ "yes", 0, NULL,
		  "erase them, each as `erase` would; without it, only\n"
		  "list who would be erased (a dry run)" },
		{ "override", 0, "REASON",
		  "erase also the clients seen inside the studio's\n"
		  "retention period, recording REASON with each erasure" },
	  },
	  .help = "A client whose last intake or session is inside the studio's retention\n"
		  "period (config retention_years: today less that many years) is kept, and\n"
		  "counted, unless --override gives the reason to erase it (kept in the audit,\n"
		  "shown by history and access-log). When the studio has not set a retention\n"
		  "period, the dry run says so and purge erases by DURATION alone.\n"
		  "Drafts untouched for longer than the studio's draft_max_age (config; 30d\n"
		  "by default) are removed too, or counted in a dry run.\n" },
	{ .name = "list",
	  .run = cmd_list,
	  .usage = "smp-intake list [--pending-signoff | --ready] [--since DATE] [--until DATE] [--limit N]\n"
		   "                [--format text|tsv|json]\n"
		   "       smp-intake list --sessions-due | --touch-up-due [--within DURATION]\n"
		   "                [--format text|tsv|json]",
	  .summary = "list recent intakes, newest first, with GP sign-off and readiness",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "pending-signoff", 0, NULL,
		  "the call list: each client whose latest intake still\n"
		  "waits for the GP's sign-off, once, with their phone; a\n"
		  "later intake or a sign-off settles the earlier ones" },
		{ "ready", 0, NULL,
		  "only clients ready for a session: the GP's sign-off\n"
		  "obtained (or no hair-growth treatment), no open\n"
		  "screening flag, and the advice acknowledged" },
		{ "since", 0, "DATE",
		  "taken on or after DATE (YYYY-MM-DD, UTC)" },
		{ "until", 0, "DATE",
		  "taken on or before DATE" },
		{ "limit", 0, "N",
		  "at most N rows (default 20; 0 for all)" },
		{ "format", 0, "FORMAT",
		  "text (the table, the default), tsv (a header row, then\n"
		  "tab-separated rows) or json (an array), for scripts" },
		{ "sessions-due", 0, NULL,
		  "the clients whose next planned session of the course\n"
		  "falls within --within (overdue ones too), with phones" },
		{ "touch-up-due", 0, NULL,
		  "the clients whose course is complete and whose touch-up\n"
		  "(config touch_up_years after the last session) falls\n"
		  "within --within, or has passed" },
		{ "within", 0, "DURATION",
		  "with the two above: days or weeks from today (14d, 2w;\n"
		  "default 14d)" },
	  },
	  .help = "\n"
		  "--sessions-due and --touch-up-due look at each client's latest course (the\n"
		  "sessions of their latest intake that has any, patch tests left out); a\n"
		  "client with no session yet is not listed.\n"
		  "At a terminal the table fits its width: long names are cut with \"...\",\n"
		  "and narrow terminals lose the date, then the treatments, then the flags\n"
		  "columns. Through a pipe every value is whole. In tsv a tab in a value is\n"
		  "written as a space and a line break as \\n.\n" },
	{ .name = "find",
	  .run = cmd_find,
	  .usage = "smp-intake find TEXT [--format text|tsv|json]\n"
		   "       smp-intake find --lot LOT [--format text|tsv|json]",
	  .summary = "find clients by the start of their name, email or phone number",
	  .operands = {
		{ "TEXT", "words that each start a word of the name or the email\n"
		  "address (zoe dub, ana.silva@ex), in any order; case and\n"
		  "accents are ignored, so zoe finds Zoë.  A phone number\n"
		  "(digits and + - . ( ) / only, at least 4 digits) finds the\n"
		  "numbers it starts, with or without the country code or the\n"
		  "leading 0.  Newest intake first, at most 200." },
	  },
	  .operands_min = 0,
	  .operands_max = -1,
	  .options = {
		{ "format", 0, "FORMAT",
		  "text (the table, the default), tsv or json, as for list" },
		{ "lot", 0, "LOT",
		  "a recall: every session done with pigment lot LOT (case\n"
		  "ignored), with the client's phone and email; written in\n"
		  "the access log" },
	  },
	  .free_text = true,
	  .help = "\n"
		  "At a terminal a long name is cut to the width; through a pipe it is whole.\n" },
	{ .name = "contact",
	  .run = cmd_contact,
	  .usage = "smp-intake contact CLIENT [--phone PHONE] [--email EMAIL]",
	  .summary = "change a client's phone number or email address (no new advice sheet)",
	  .operands = {
		{ "CLIENT", "the client number (see `find`)" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .options = {
		{ "phone", 0, "PHONE",
		  "the new phone number, checked as the questions check it;\n"
		  "- (or an empty value) clears it" },
		{ "email", 0, "EMAIL",
		  "the new email address, checked likewise; - clears it" },
	  },
	  .help = "\n"
		  "Only the client record changes: no new intake, advice sheet or\n"
		  "acknowledgement, and the client's readiness stays as it was. Each changed\n"
		  "field goes into the audit (shown by `history` with each of the client's\n"
		  "intakes) and the command into the access log. Without options, at a\n"
		  "terminal the details on file are shown and the new ones asked for (Enter\n"
		  "keeps one, - clears it); through a pipe an option is needed.\n" },
	{ .name = "consent",
	  .run = cmd_consent,
	  .usage = "smp-intake consent CLIENT [--photos yes|no] [--marketing yes|no]",
	  .summary = "show, withdraw or give again a client's photo consents",
	  .operands = {
		{ "CLIENT", "the client number (see `find`)" },
	  },
	  .operands_min = 1,
	  .operands_max = 1,
	  .options = {
		{ "photos", 0, "YES|NO",
		  "whether photos of the client's scalp may be kept in their record;\n"
		  "no withdraws marketing use too" },
		{ "marketing", 0, "YES|NO",
		  "whether the studio may use those photos for its marketing (yes\n"
		  "needs the photos consent)" },
	  },
	  .help = "\n"
		  "The two consents are asked at the assessment (questionnaire 2026.4), apart\n"
		  "from the consent to storage; the client may withdraw either, or give it\n"
		  "again, at any time. Each change is recorded with when and by whom, into\n"
		  "the audit (shown by `history`). Without an option the client's consents\n"
		  "are printed: as they stand, and every change, with the intake it was given\n"
		  "at or `consent`. Photos already stored stay until removed (`photo rm`).\n" },
	{ .name = "config",
	  .run = cmd_config,
	  .usage = "smp-intake config list | get KEY | set KEY VALUE",
	  .summary = "show or change the studio's settings",
	  .operands = {
		{ "ACTION", NULL },
		{ "KEY", NULL },
		{ "VALUE", NULL },
	  },
	  .operands_min = 1,
	  .operands_max = 3,
	  .free_text = true, /* a value may start with - (-1 is refused as a value) */
	  .help = "  list           every setting, its value and what it is for\n"
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
		  "intakes, edits and sessions) untouched for longer; days or weeks, 1d\n"
		  "to 3650d: 30d, 4w.\n"
		  "course_sessions (1-10, default 3) and course_interval_days (1-365,\n"
		  "default 14): the course plan; touch_up_years (1-20, default 3): when a\n"
		  "touch-up is due after a course's last session.\n"
		  "retention_years (1-100; not set until the studio sets it from its licence:\n"
		  "docs/record.md; '' sets it back to not set): purge keeps, and erase asks a\n"
		  "reason for, a client seen (last intake or session) inside that many years.\n"
		  "photo_max_mb (1-100, default 10): the largest photo `photo add` takes.\n"
		  "allow_insecure_server (yes or no, default no): yes lets a PostgreSQL\n"
		  "server reached over the network without TLS be used (docs/server.md).\n"
		  "aftercare_text FILE: the studio's own aftercare text, printed on session\n"
		  "sheets: a UTF-8 text file (- for standard input) of at most 8192 bytes,\n"
		  "without control characters but line breaks; each set is a new version\n"
		  "(get shows the current one with its version and date); '' removes it.\n"
		  "`set` creates the database when it is not there; list and get refuse.\n" },
	{ .name = "questionnaire",
	  .run = cmd_questionnaire,
	  .usage = "smp-intake questionnaire [--format text|fhir] [--version VERSION]",
	  .summary = "list the questions: ids, types, choices, when each is asked",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "format", 0, "FORMAT",
		  "text (for people, the default) or fhir (an HL7 FHIR R4\n"
		  "Questionnaire resource in JSON, for other systems; see\n"
		  "docs/export.md)" },
		{ "version", 0, "VERSION",
		  "the questions as an earlier version asked them\n"
		  "(2026.1, 2026.2; default: the current one), the\n"
		  "version an older intake's FHIR response names" },
	  },
	  .help = "" },
	{ .name = "ids",
	  .run = cmd_ids,
	  .usage = "smp-intake ids [--clients]",
	  .summary = "list intake ids (or client ids), one per line, for scripts and completion",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "clients", 0, NULL,
		  "list client ids instead of intake ids" },
	  },
	  .help = "" },
	{ .name = "photo",
	  .run = cmd_photo,
	  .usage = "smp-intake photo add INTAKE FILE --view VIEW | add --session SESSION FILE --view VIEW\n"
		   "                 | list [--client ID] [--intake ID] [--session ID] [--marketing]\n"
		   "                 | export PHOTO -o FILE [--force] | rm PHOTO [--yes]",
	  .summary = "keep a client's photos (with their consent), list, export or remove them",
	  .operands = {
		{ "ACTION", "add, list, export or rm" },
		{ "ID", "add: the intake the photo is taken at (or FILE with\n"
			"--session); export, rm: the photo number" },
		{ "FILE", "add: the image, JPEG or PNG" },
	  },
	  .operands_min = 1,
	  .operands_max = 3,
	  .options = {
		{ "view", 0, "VIEW",
		  "add: front, top, crown, left, right, back or scar" },
		{ "session", 0, "ID",
		  "add: taken at session ID (then no INTAKE); list: only\n"
		  "that session's photos" },
		{ "client", 0, "ID",
		  "list: only client ID's photos" },
		{ "intake", 0, "ID",
		  "list: only the photos of intake ID (its sessions' too)" },
		{ "marketing", 0, NULL,
		  "list: only the photos of clients whose marketing consent\n"
		  "is yes now (what the studio may use)" },
		{ "output", 'o', "FILE",
		  "export: write the image to FILE (made 0600, whole or not\n"
		  "at all)" },
		{ "force", 0, NULL,
		  "export: replace FILE if it exists" },
		{ "yes", 0, NULL,
		  "rm: remove without asking; needed when not at a terminal" },
	  },
	  .help = "\n"
		  "add stores the image in the database: JPEG or PNG only, judged by the\n"
		  "file's content (its start and its end), never by its name; at most\n"
		  "photo_max_mb megabytes (config set photo_max_mb; default 10), a larger file\n"
		  "refused by its size before it is read. Its SHA-256 is kept and shown. It is\n"
		  "refused unless the client's consent to photos in their record is yes (see\n"
		  "consent); a consent withdrawn later keeps new photos out. Images are never\n"
		  "decoded or shown: they are stored and handed back byte for byte.\n"
		  "list prints id, client, intake or session, view, type, size, day added and\n"
		  "the start of the SHA-256 (no image is read). export writes the bytes\n"
		  "exactly, after checking them against the SHA-256, and records it in the\n"
		  "access log first. rm deletes the photo and its bytes (audited); at a\n"
		  "terminal it is shown first and you type yes. `export --client ID` writes the\n"
		  "client's photos beside its JSON (see docs/export.md); erase removes them.\n" },
	{ .name = "demo",
	  .run = cmd_demo,
	  .usage = "smp-intake demo [--create PATH]",
	  .summary = "try every command on a throwaway database of sample clients",
	  .operands_min = 0,
	  .operands_max = 0,
	  .options = {
		{ "create", 0, "PATH",
		  "write the sample database to PATH (which must not exist)\n"
		  "instead of opening the menu on a temporary one" },
	  },
	  .help = "" },
	{ .name = "shell",
	  .run = cmd_shell,
	  .usage = "smp-intake shell",
	  .summary = "the menu (also what `smp-intake` alone opens at a terminal)",
	  .operands_min = 0,
	  .operands_max = 0,
	  .help = "Commands in the menu: those of smp-intake --help but shell, demo and ids,\n"
		  "with the same arguments as on the command line; help [COMMAND], clear\n"
		  "(the screen) and quit. Tab completes commands and their options.\n"
		  "\n"
		  "The banner names the database (or says it is not there yet: `new`\n"
		  "creates it). Unless --staff or SMP_INTAKE_STAFF names the staff member,\n"
		  "the menu asks who is at the desk (Tab: the names on file; Enter: the\n"
		  "login name) and records that name for the whole session.\n" },
	{ .name = "help",
	  .run = cmd_help,
	  .usage = "smp-intake help [COMMAND | --dump]",
	  .summary = "show help for the program or a command",
	  .operands = {
		{ "COMMAND", NULL },
	  },
	  .operands_min = 0,
	  .operands_max = 1,
	  .options = {
		{ "dump", 0, NULL,
		  "print every command, its options and operands as JSON\n"
		  "(for the bash completion and the docs checks)" },
	  },
	  .help = "" },
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

/* The global options, as `smp-intake --help` lists them (main.c parses
 * them) and `help --dump` names them. */
static const struct command_option global_options[] = {
	{ "db", 0, "PATH",
	  "the database (default $SMP_INTAKE_DB, else\n"
	  "$XDG_DATA_HOME/smp-intake/intake.db, else\n"
	  "~/.local/share/smp-intake/intake.db); only new, import\n"
	  "and config set create it when it is not there; it\n"
	  "must be your own file, mode 600, in a folder only you\n"
	  "can write to (or a sticky one, as /tmp); or a\n"
	  "PostgreSQL server's postgresql:// URI (docs/server.md)" },
	{ "staff", 0, "NAME",
	  "who takes the intake (default $SMP_INTAKE_STAFF, else who\n"
	  "the menu was told is at the desk, else the login name\n"
	  "unless config staff_required is yes)" },
	{ "help", 'h', NULL, "this help; `smp-intake COMMAND --help` for a command" },
	{ "version", 0, NULL, "print the version" },
	{ NULL, 0, NULL, NULL },
};

const struct command_option command_help_option = { "help", 'h', NULL, "show this help" };

/* The head of an option's line in --help: "-o, --output FILE". */
static void option_head(const struct command_option *o, char *out, size_t n)
{
	if (!o->short_name)
		snprintf(out, n, "--%s%s%s", o->long_name, o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(out, n, "-%c, --%s%s%s", o->short_name, o->long_name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
}

/* One line of --help per head, its help beside it at column col and the
 * help's further lines under it. */
static void print_item(FILE *f, const char *head, const char *help, int col)
{
	const char *p = help;

	fprintf(f, "  %-*s", col - 2, head);
	for (bool first = true; *p || first; first = false) {
		size_t len = strcspn(p, "\n");
		if (!first)
			fprintf(f, "%*s", col, "");
		fprintf(f, "%.*s\n", (int)len, p);
		p += len;
		if (*p)
			p++;
	}
}

/* The operand and option lines of a table, aligned two blanks after the
 * longest head (as git's parse-options prints them). */
static void print_items(FILE *f, const struct command_operand *operands,
			const struct command_option *options)
{
	char head[64];
	int col = 0;

	for (size_t i = 0; operands && operands[i].name; i++)
		if (operands[i].help && (int)strlen(operands[i].name) > col)
			col = (int)strlen(operands[i].name);
	for (size_t i = 0; options[i].long_name; i++) {
		option_head(&options[i], head, sizeof head);
		if ((int)strlen(head) > col)
			col = (int)strlen(head);
	}
	col += 4;
	for (size_t i = 0; operands && operands[i].name; i++)
		if (operands[i].help)
			print_item(f, operands[i].name, operands[i].help, col);
	for (size_t i = 0; options[i].long_name; i++) {
		option_head(&options[i], head, sizeof head);
		print_item(f, head, options[i].help, col);
	}
}

static bool has_items(const struct command *c)
{
	for (size_t i = 0; c->operands[i].name; i++)
		if (c->operands[i].help)
			return true;
	return c->options[0].long_name != NULL;
}

void command_usage(FILE *f, const char *name)
{
	const struct command *c = name ? command_find(name) : NULL;

	if (c) {
		fprintf(f, "usage: %s\n%s.\n", c->usage, c->summary);
		if (has_items(c) || c->help[0])
			fputc('\n', f);
		print_items(f, c->operands, c->options);
		fputs(c->help, f);
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
	fputs("\nOptions:\n", f);
	print_items(f, NULL, global_options);
	fputs("\n"
	      "With no command at a terminal, a menu opens. Exit status: 0 success,\n"
	      "1 failure (also when the reader of the output goes away), 2 usage\n"
	      "error. No core dump is ever written. See smp-intake(1).\n",
	      f);
}

/* The commands that work on a server so far; each has its tests on both
 * backends (tests/e2e/test_pg_*.py). */
static const char *const on_server[] = {
	"config",
	"export",
	"import",
	"new",
	"erase",
	"purge",
	"access-log",
	"verify",
	"migrate",
	"show",
	"list",
	"advice",
	"edit",
	"signoff",
	"acknowledge",
	"clear-flag",
	"contact",
	"history",
	"drafts",
	"resume",
	"find",
	"ids",
	"questionnaire",
	"shell",
	"demo",
	"session",
	"photo",
	"consent",
};

bool command_on_server(const char *name)
{
	for (size_t i = 0; i < sizeof on_server / sizeof on_server[0]; i++)
		if (strcmp(name, on_server[i]) == 0)
			return true;
	return false;
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

int command_bad_option(const char *name, const char *word)
{
	report("%s: unknown option, or an option without its value: '%.40s' "
	       "(see smp-intake %s --help)",
	       name, word, name);
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
	struct command_args a;

	(void)ctx;
	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (command_arg(&a, "dump")) {
		if (a.operands) {
			command_usage(stderr, "help");
			return EXIT_USAGE;
		}
		return command_dump(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if (a.operands == 1 && !command_find(argv[1])) {
		report_unknown_command(argv[1]);
		return EXIT_USAGE;
	}
	command_usage(stdout, a.operands == 1 ? argv[1] : NULL);
	return EXIT_OK;
}

/* ---- the parser ---- */

/* The long option of c that word (after "--", up to any "=") names: the
 * one it is, else the only one it starts.  NULL, with *ambiguous set when
 * it starts more than one. */
static const struct command_option *long_option(const struct command *c, const char *word,
						size_t len, bool *ambiguous)
{
	const struct command_option *found = NULL;
	size_t starts = 0;

	*ambiguous = false;
	if (len == strlen("help") && strncmp(word, "help", len) == 0)
		return &command_help_option;
	for (size_t i = 0; c->options[i].long_name; i++) {
		const char *name = c->options[i].long_name;
		if (strncmp(name, word, len) != 0)
			continue;
		if (strlen(name) == len)
			return &c->options[i];
		found = &c->options[i];
		starts++;
	}
	*ambiguous = starts > 1;
	return starts == 1 ? found : NULL;
}

static const struct command_option *short_option(const struct command *c, char letter)
{
	if (letter == 'h')
		return &command_help_option;
	for (size_t i = 0; c->options[i].long_name; i++)
		if (c->options[i].short_name && c->options[i].short_name == letter)
			return &c->options[i];
	return NULL;
}

/* True when word is one of c's options by its whole name (--format or
 * --format=...), the only options of a command of free text. */
static bool free_text_option(const struct command *c, const char *word)
{
	size_t len = strcspn(word + 2, "=");
	bool ambiguous;
	const struct command_option *o;

	if (word[1] != '-' || !(o = long_option(c, word + 2, len, &ambiguous)))
		return false;
	return o != &command_help_option && strlen(o->long_name) == len;
}

enum command_parse_result command_parse_each(const struct command *c, int argc, char **argv,
					     command_parse_fn *fn, void *data, int *bad)
{
	bool options = true;

	for (int i = 1; i < argc; i++) {
		const char *word = argv[i], *value = NULL;
		const struct command_option *o;
		int at = i;

		/* -- ends the options, of a command of free text too. */
		if (options && strcmp(word, "--") == 0) {
			options = false;
			continue;
		}
		if (!options || word[0] != '-' || word[1] == '\0' ||
		    (c->free_text && !free_text_option(c, word))) {
			if (fn(NULL, word, data) != 0)
				goto stopped;
			continue;
		}
		if (word[1] == '-') {
			size_t len = strcspn(word + 2, "=");
			bool ambiguous;
			if (!(o = long_option(c, word + 2, len, &ambiguous))) {
				if (bad)
					*bad = at;
				return ambiguous ? COMMAND_PARSE_AMBIGUOUS : COMMAND_PARSE_UNKNOWN;
			}
			if (word[2 + len] == '=') {
				if (!o->arg) {
					if (bad)
						*bad = at;
					return COMMAND_PARSE_UNKNOWN;
				}
				value = word + 3 + len;
			}
		} else {
			if (!(o = short_option(c, word[1])) || (!o->arg && word[2])) {
				if (bad)
					*bad = at;
				return COMMAND_PARSE_UNKNOWN;
			}
			if (word[2])
				value = word + 2;
		}
		if (o->arg && !value) {
			if (i + 1 == argc) {
				if (bad)
					*bad = at;
				return COMMAND_PARSE_NO_VALUE;
			}
			value = argv[++i];
		}
		if (fn(o, value, data) != 0)
			goto stopped;
	}
	return COMMAND_PARSE_OK;
stopped:
	if (bad)
		*bad = argc;
	return COMMAND_PARSE_STOPPED;
}

/* command_parse()'s callback: the values by the option's place, the
 * operands moved down to argv[1..]. */
struct collect {
	struct command_args *args;
	char **argv;
};

static int collect(const struct command_option *o, const char *value, void *data)
{
	struct collect *c = data;
	const struct command *cmd = c->args->command;

	if (!o) {
		c->argv[++c->args->operands] = (char *)value;
		return 0;
	}
	if (o >= cmd->options && o < cmd->options + COMMAND_OPTIONS_MAX)
		c->args->value[o - cmd->options] = value ? value : "";
	return 0;
}

int command_parse(int argc, char **argv, struct command_args *args)
{
	const struct command *c = command_find(argv[0]);
	struct collect data = { args, argv };
	int bad = 0;

	memset(args, 0, sizeof *args);
	if (!(args->command = c)) {
		report_unknown_command(argv[0]);
		return -1;
	}
	switch (command_parse_each(c, argc, argv, collect, &data, &bad)) {
	case COMMAND_PARSE_OK:
		break;
	case COMMAND_PARSE_AMBIGUOUS:
		report("%s: ambiguous option '%.40s': the start of more than one "
		       "(see smp-intake %s --help)",
		       c->name, argv[bad], c->name);
		return -1;
	default:
		command_bad_option(c->name, argv[bad]);
		return -1;
	}
	argv[args->operands + 1] = NULL;
	if (c->operands_max == 0 && args->operands > 0 && c->options[0].long_name) {
		report("%s takes no arguments besides its options", c->name);
		return -1;
	}
	if (args->operands < c->operands_min ||
	    (c->operands_max >= 0 && args->operands > c->operands_max)) {
		command_usage(stderr, c->name);
		return -1;
	}
	return 0;
}

const char *command_arg(const struct command_args *args, const char *long_name)
{
	for (size_t i = 0; args->command->options[i].long_name; i++)
		if (strcmp(args->command->options[i].long_name, long_name) == 0)
			return args->value[i];
	return NULL;
}

/* ---- help --dump ---- */

/* s as a JSON string (NULL as null). */
static void dump_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void dump_options(FILE *f, const struct command_option *o)
{
	fputs("[", f);
	for (size_t i = 0; o[i].long_name; i++) {
		char s[2] = { o[i].short_name, '\0' };
		fputs(i ? ",\n      {" : "\n      {", f);
		fputs("\"long\": ", f);
		dump_string(f, o[i].long_name);
		fputs(", \"short\": ", f);
		dump_string(f, o[i].short_name ? s : NULL);
		fputs(", \"argument\": ", f);
		dump_string(f, o[i].arg);
		fputs(", \"help\": ", f);
		dump_string(f, o[i].help);
		fputs("}", f);
	}
	fputs("]", f);
}

int command_dump(FILE *f)
{
	fputs("{\"program\": \"smp-intake\", \"version\": ", f);
	dump_string(f, SMP_VERSION);
	fputs(",\n  \"options\": ", f);
	dump_options(f, global_options);
	fputs(",\n  \"commands\": [", f);
	for (size_t i = 0; i < command_count; i++) {
		const struct command *c = &commands[i];
		fputs(i ? ",\n    {" : "\n    {", f);
		fputs("\"name\": ", f);
		dump_string(f, c->name);
		fputs(", \"usage\": ", f);
		dump_string(f, c->usage);
		fputs(", \"summary\": ", f);
		dump_string(f, c->summary);
		fprintf(f, ",\n     \"operands_min\": %d, \"operands_max\": ", c->operands_min);
		if (c->operands_max < 0)
			fputs("null", f);
		else
			fprintf(f, "%d", c->operands_max);
		fputs(", \"operands\": [", f);
		for (size_t j = 0; c->operands[j].name; j++) {
			fputs(j ? ", {\"name\": " : "{\"name\": ", f);
			dump_string(f, c->operands[j].name);
			fputs(", \"help\": ", f);
			dump_string(f, c->operands[j].help);
			fputs("}", f);
		}
		fputs("],\n     \"options\": ", f);
		dump_options(f, c->options);
		fputs(",\n     \"help\": ", f);
		dump_string(f, c->help);
		fputs("}", f);
	}
	fputs("\n  ]}\n", f);
	return ferror(f) ? -1 : 0;
}
