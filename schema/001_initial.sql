-- 001: clients, their intakes, the answers given and the advice printed.
-- Every answer is kept as text under its stable question id; the client's
-- identity (names, birth date, contact) lives once, in client.

CREATE TABLE client (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    phone         TEXT,
    email         TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX client_by_name ON client (last_name COLLATE NOCASE, first_name COLLATE NOCASE);

CREATE TABLE intake (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    client_id INTEGER NOT NULL REFERENCES client (id),
    taken_at  TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff     TEXT NOT NULL
);
CREATE INDEX intake_by_client ON intake (client_id);

CREATE TABLE answer (
    intake_id   INTEGER NOT NULL REFERENCES intake (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (intake_id, question_id)
) WITHOUT ROWID;

-- The advice exactly as printed for the client, in order.
CREATE TABLE advice_given (
    intake_id INTEGER NOT NULL REFERENCES intake (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    advice_id TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (intake_id, position)
) WITHOUT ROWID;

-- Studio policy, not medical fact: see docs/advice.md.
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO setting (key, value) VALUES
    ('pause_days_before', '7'),
    ('pause_days_after', '7'),
    ('minimum_age', '18');
