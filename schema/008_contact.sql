-- 007: contact details change without a new intake (`smp-intake contact`).
-- The audit may now say 'contact' (a row about the client, intake_id NULL,
-- one change per field: phone, email), and the access log may name the
-- command 'contact'.  As in 005 and 006: SQLite cannot change a CHECK in
-- place, so the tables are made again with the same rows, and their
-- indexes and triggers with them (DROP TABLE drops a table's triggers
-- before it empties it, so the guards below do not fire).
CREATE TABLE audit_new (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff     TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('create', 'edit', 'signoff', 'erase', 'import',
                                          'acknowledge', 'clear-flag', 'contact')),
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

CREATE TABLE access_log_new (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,             -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff   TEXT NOT NULL,
    command TEXT NOT NULL CHECK (command IN ('show', 'advice', 'export', 'erase', 'contact')),
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
