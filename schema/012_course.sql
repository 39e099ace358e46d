-- 012: the whole course (issue 16): the sessions that follow the
-- consultation, their pigment lots, the client's photos under their own
-- consent, the studio's own aftercare text.  docs/data-model.md says what
-- each column holds.

-- One session of a client's course, recorded by `session new`.  The
-- session belongs to an intake (the consultation it follows) and, through
-- it, to the client; client_id is kept here too so a recall by lot, the
-- course plan and retention read one table.
CREATE TABLE session (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    intake_id       INTEGER NOT NULL REFERENCES intake (id),
    client_id       INTEGER NOT NULL REFERENCES client (id),
    number          INTEGER NOT NULL CHECK (number >= 1),  -- in the course: 1, 2, 3 ...
    performed_on    TEXT NOT NULL,        -- YYYY-MM-DD (the studio's day)
    artist          TEXT NOT NULL,        -- typed, not the login
    areas           TEXT NOT NULL,        -- codes, comma-separated (src/session.c)
    pigment_brand   TEXT,
    shade           TEXT,
    lot             TEXT,                 -- the pigment's batch/lot as printed on it
    lot_expiry      TEXT,                 -- YYYY-MM-DD or YYYY-MM
    needle          TEXT,
    dilution        TEXT,
    notes           TEXT,
    patch_test      INTEGER NOT NULL DEFAULT 0 CHECK (patch_test IN (0, 1)),
    reaction        TEXT CHECK (reaction IN ('none', 'mild', 'marked')),  -- a patch test's result
    reaction_note   TEXT,
    reaction_at     TEXT,                 -- UTC, when the result was recorded
    rescreen        TEXT NOT NULL CHECK (rescreen IN ('unchanged', 'changed')),
    intake_revision INTEGER NOT NULL,     -- the intake's revision the session went ahead on
    id_checked      TEXT NOT NULL,        -- the kind of ID the artist saw (never its number)
    countersigned   TEXT NOT NULL,        -- the artist's typed name
    client_ack      TEXT,                 -- the client's typed name on the session sheet
    aftercare_version INTEGER REFERENCES aftercare (version),  -- the studio text printed, if any
    override_reason TEXT,                 -- why it went ahead while the intake was not ready
    recorded_at     TEXT NOT NULL,        -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff           TEXT NOT NULL
);
CREATE INDEX session_by_intake ON session (intake_id, number);
CREATE INDEX session_by_client ON session (client_id, performed_on);
CREATE INDEX session_by_lot ON session (lot COLLATE NOCASE) WHERE lot IS NOT NULL;

-- A photo of the client: its metadata here, its bytes in photo_data (a
-- list never reads the images).  Taken at an intake or at a session.
CREATE TABLE photo (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    client_id   INTEGER NOT NULL REFERENCES client (id),
    intake_id   INTEGER REFERENCES intake (id),
    session_id  INTEGER REFERENCES session (id),
    view        TEXT NOT NULL CHECK (view IN ('front', 'top', 'crown', 'left', 'right', 'back',
                                              'scar')),
    media_type  TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png')),
    size        INTEGER NOT NULL,      -- bytes
    sha256      TEXT NOT NULL,         -- lower-case hex of the bytes
    added_at    TEXT NOT NULL,         -- UTC
    staff       TEXT NOT NULL,
    CHECK (intake_id IS NOT NULL OR session_id IS NOT NULL)
);
CREATE INDEX photo_by_client ON photo (client_id);
CREATE INDEX photo_by_session ON photo (session_id) WHERE session_id IS NOT NULL;
CREATE TABLE photo_data (
    photo_id INTEGER PRIMARY KEY REFERENCES photo (id) ON DELETE CASCADE,
    data     BLOB NOT NULL
);

-- The client's photo consents, as given and as changed: the latest row of
-- a kind is the one that counts.  photos: the photos may be kept in the
-- client's record; marketing: the studio may use them for its marketing.
-- intake_id: given at that intake's assessment; NULL: `consent` changed it.
CREATE TABLE consent (
    id        INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES client (id),
    kind      TEXT NOT NULL CHECK (kind IN ('photos', 'marketing')),
    value     TEXT NOT NULL CHECK (value IN ('yes', 'no')),
    intake_id INTEGER REFERENCES intake (id),
    at        TEXT NOT NULL,          -- UTC
    staff     TEXT NOT NULL
);
CREATE INDEX consent_by_client ON consent (client_id, kind, id);

-- The studio's own aftercare text (`config set aftercare_text FILE`), every
-- version kept: a session's sheet names the version it printed.  Never the
-- source article's words: see docs/advice.md.
CREATE TABLE aftercare (
    version INTEGER PRIMARY KEY,
    text    TEXT NOT NULL,
    set_at  TEXT NOT NULL,            -- UTC
    staff   TEXT NOT NULL
);

-- A session in progress is a draft too: session_intake_id names the intake
-- it is for (intake_id stays for an edit's draft).
ALTER TABLE draft ADD COLUMN session_intake_id INTEGER REFERENCES intake (id) ON DELETE CASCADE;

-- The audit may now say what the course adds, and the access log name its
-- commands (session, photo, find for a recall by lot, and consent).  As in 008 and 010: SQLite cannot change a CHECK in place, so
-- the tables are made again with the same rows (011's chain columns kept),
-- and their indexes and triggers with them (DROP TABLE drops a table's
-- triggers before it empties it, so the guards below do not fire).
CREATE TABLE audit_new (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff     TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('create', 'edit', 'signoff', 'erase', 'import',
                                          'acknowledge', 'clear-flag', 'contact', 'session',
                                          'session-result', 'consent', 'photo-add',
                                          'photo-rm')),
    client_id INTEGER,
    intake_id INTEGER,
    salt      TEXT,
    prev_hash TEXT,
    hash      TEXT
);
INSERT INTO audit_new (id, at, staff, action, client_id, intake_id, salt, prev_hash, hash)
    SELECT id, at, staff, action, client_id, intake_id, salt, prev_hash, hash FROM audit;

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
WHEN OLD.hash IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
     OR NEW.staff IS NOT OLD.staff OR NEW.action IS NOT OLD.action
     OR NEW.client_id IS NOT OLD.client_id OR NEW.intake_id IS NOT OLD.intake_id
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
CREATE TRIGGER audit_removed_link AFTER DELETE ON audit
BEGIN
    INSERT INTO audit_removed (prev_hash, hash) VALUES (OLD.prev_hash, OLD.hash);
END;

CREATE TABLE access_log_new (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,             -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff   TEXT NOT NULL,
    command TEXT NOT NULL CHECK (command IN ('show', 'advice', 'export', 'erase', 'contact',
                                             'signoff', 'edit', 'acknowledge', 'resume',
                                             'history', 'session', 'photo', 'find',
                                             'consent')),
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
