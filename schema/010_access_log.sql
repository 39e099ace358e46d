-- 010: the access log names every command that prints a client's data
-- (issue 14): besides show, advice, export, erase and contact, also
-- signoff, edit and acknowledge (which print the advice sheet), resume
-- (a draft's answers) and history (every answer before and after).  As in
-- 008: SQLite cannot change a CHECK in place, so the table is made again
-- with the same rows, and its triggers with it (DROP TABLE drops a
-- table's triggers before it empties it, so the guards do not fire).
CREATE TABLE access_log_new (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,             -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff   TEXT NOT NULL,
    command TEXT NOT NULL CHECK (command IN ('show', 'advice', 'export', 'erase', 'contact',
                                             'signoff', 'edit', 'acknowledge', 'resume',
                                             'history')),
    clients TEXT NOT NULL
);
INSERT INTO access_log_new (id, at, staff, command, clients)
    SELECT id, at, staff, command, clients FROM access_log;
DROP TABLE access_log;
ALTER TABLE access_log_new RENAME TO access_log;
CREATE TRIGGER access_log_is_fixed BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access log rows cannot be changed');
END;
CREATE TRIGGER access_log_kept BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access log rows cannot be removed');
END;
