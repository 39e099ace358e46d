-- 006: the consultation record as a legal record.  Which version of the
-- questions and of the advice an intake was given under, the client's
-- acknowledgement of each advice sheet, the artist's clearing of
-- screening flags, and a log of who read or exported whose record.
--
-- Intakes saved before this migration were asked questionnaire 2026.1
-- and given advice 2026.1: the only versions there were.

ALTER TABLE intake ADD COLUMN questionnaire_version TEXT NOT NULL DEFAULT '2026.1';
ALTER TABLE intake ADD COLUMN advice_version TEXT NOT NULL DEFAULT '2026.1';

-- The client read and understood advice sheet `sheet` (advice_sheet) and
-- typed their name to say so.  intake.acknowledged_sheet names the one
-- that counts: an edit makes a new sheet and sets it to NULL until the
-- client acknowledges again; a GP sign-off recorded later keeps it.
ALTER TABLE intake ADD COLUMN acknowledged_sheet INTEGER;
CREATE TABLE acknowledgement (
    intake_id  INTEGER NOT NULL REFERENCES intake (id) ON DELETE CASCADE,
    sheet      INTEGER NOT NULL,
    typed_name TEXT NOT NULL,          -- as the client typed it
    at         TEXT NOT NULL,          -- UTC
    staff      TEXT NOT NULL,          -- who was with the client
    PRIMARY KEY (intake_id, sheet)
) WITHOUT ROWID;

-- A screening flag (src/flags.c) the artist has looked at and cleared,
-- with why.  An edit that changes the answers behind a flag removes its
-- clearance, so the flag is raised again; the audit keeps both.
CREATE TABLE flag_clearance (
    intake_id INTEGER NOT NULL REFERENCES intake (id) ON DELETE CASCADE,
    flag_id   TEXT NOT NULL,
    reason    TEXT NOT NULL,
    at        TEXT NOT NULL,           -- UTC
    staff     TEXT NOT NULL,
    PRIMARY KEY (intake_id, flag_id)
) WITHOUT ROWID;

-- Who read or took out whose record: one row per show, advice, export or
-- erase.  It holds client ids only, never a name or an answer, so it
-- stays when a client is erased.  clients: the ids as ascending ranges,
-- "3,7-9"; empty when the command found nobody.
CREATE TABLE access_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,             -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff   TEXT NOT NULL,
    command TEXT NOT NULL CHECK (command IN ('show', 'advice', 'export', 'erase')),
    clients TEXT NOT NULL
);
CREATE TRIGGER access_log_is_fixed BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access log rows cannot be changed');
END;
CREATE TRIGGER access_log_kept BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access log rows cannot be removed');
END;

-- The audit may now say 'acknowledge' and 'clear-flag'.  As in 005:
-- SQLite cannot change a CHECK in place, so audit and audit_change are
-- made again with the same rows, and their indexes and triggers with them.
CREATE TABLE audit_new (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff     TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('create', 'edit', 'signoff', 'erase', 'import',
                                          'acknowledge', 'clear-flag')),
    client_id INTEGER,
    intake_id INTEGER
);
INSERT INTO audit_new (id, at, staff, action, client_id, intake_id)
    SELECT id, at, staff, action, client_id, intake_id FROM audit;

CREATE TABLE audit_change_new (
    audit_id  INTEGER NOT NULL REFERENCES audit_new (id),
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    PRIMARY KEY (audit_id, field)
);
INSERT INTO audit_change_new (rowid, audit_id, field, old_value, new_value)
    SELECT rowid, audit_id, field, old_value, new_value FROM audit_change;

DROP TABLE audit_change;
DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;
ALTER TABLE audit_change_new RENAME TO audit_change;

CREATE INDEX audit_by_intake ON audit (intake_id);
CREATE INDEX audit_by_client ON audit (client_id);

CREATE TRIGGER audit_is_fixed BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;
CREATE TRIGGER audit_change_is_fixed BEFORE UPDATE ON audit_change
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;
CREATE TRIGGER audit_kept BEFORE DELETE ON audit
WHEN OLD.action = 'erase' OR OLD.client_id IS NULL
     OR EXISTS (SELECT 1 FROM client WHERE id = OLD.client_id)
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be removed');
END;
CREATE TRIGGER audit_change_kept BEFORE DELETE ON audit_change
WHEN NOT EXISTS (SELECT 1 FROM audit a WHERE a.id = OLD.audit_id AND a.action <> 'erase'
                 AND a.client_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM client WHERE id = a.client_id))
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be removed');
END;
