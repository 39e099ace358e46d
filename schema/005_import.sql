-- 005: the audit may say 'import': an intake added from an export file,
-- or a stored one replaced by a file's record (`import --update`).
--
-- SQLite cannot change a CHECK constraint in place, so audit and
-- audit_change are made again under new names, filled with the same rows
-- (rowids kept: audit_change's rowid is the order the fields were written
-- in), the old tables dropped and the new ones renamed.  foreign_keys is
-- on during migrations, so audit_change goes first (nothing refers to
-- it), then audit; renaming audit_new makes audit_change_new refer to
-- audit.  The indexes and triggers of 003 go with the old tables and are
-- made again here, unchanged.

CREATE TABLE audit_new (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff     TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('create', 'edit', 'signoff', 'erase', 'import')),
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
