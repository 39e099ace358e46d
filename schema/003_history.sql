-- 003: the record over time.  An audit trail that the program can add to
-- but never change, drafts that keep every answer the moment it is given,
-- and a revision number on each intake so that two staff members editing
-- the same intake cannot silently overwrite each other.

ALTER TABLE intake ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;

-- One row per change: create, edit, signoff, erase.  client_id and
-- intake_id are plain numbers, not foreign keys: the erase row outlives
-- the client it names.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff     TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('create', 'edit', 'signoff', 'erase')),
    client_id INTEGER,
    intake_id INTEGER
);
CREATE INDEX audit_by_intake ON audit (intake_id);
CREATE INDEX audit_by_client ON audit (client_id);

-- The fields a change touched, with the values before and after (NULL:
-- unanswered).  Personal values live here, never in audit itself, so an
-- erasure can remove them and keep only that it happened.
CREATE TABLE audit_change (
    audit_id  INTEGER NOT NULL REFERENCES audit (id),
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    PRIMARY KEY (audit_id, field)
);                                    -- rowid: the order the fields were written in

-- Audit rows are never rewritten.  They are removed only with the client
-- they describe (an erasure, which deletes the client first); the erasure's
-- own row stays for good.
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

-- An intake (or an edit of one) in progress: every answer is stored as
-- soon as it is given.  Drafts are never intakes: lists and exports do
-- not see them.
CREATE TABLE draft (
    id            INTEGER PRIMARY KEY,
    intake_id     INTEGER REFERENCES intake (id) ON DELETE CASCADE, -- edit of this intake
    base_revision INTEGER,                                         -- edit: the revision it started from
    client_id     INTEGER REFERENCES client (id) ON DELETE CASCADE, -- a returning client, once known
    next_question TEXT,                   -- where the walk stopped; NULL: at the summary
    started_at    TEXT NOT NULL,          -- UTC
    updated_at    TEXT NOT NULL,          -- UTC
    staff         TEXT NOT NULL
);
CREATE TABLE draft_answer (
    draft_id    INTEGER NOT NULL REFERENCES draft (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    value       TEXT,                     -- NULL: left unanswered
    PRIMARY KEY (draft_id, question_id)
) WITHOUT ROWID;
