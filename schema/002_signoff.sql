-- 002: GP sign-offs recorded after the intake, advice sheets kept per
-- issue (the sheet printed at the intake stays beside later ones), and the
-- studio's name for handouts.

CREATE TABLE advice_sheet (
    intake_id INTEGER NOT NULL REFERENCES intake (id) ON DELETE CASCADE,
    sheet     INTEGER NOT NULL,       -- 1 = printed at the intake, then 2, 3...
    position  INTEGER NOT NULL,
    advice_id TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (intake_id, sheet, position)
) WITHOUT ROWID;
INSERT INTO advice_sheet (intake_id, sheet, position, advice_id, text)
    SELECT intake_id, 1, position, advice_id, text FROM advice_given;
DROP TABLE advice_given;

-- Each GP answer as it arrived; the intake's answers hold the latest.
CREATE TABLE signoff (
    id          INTEGER PRIMARY KEY,
    intake_id   INTEGER NOT NULL REFERENCES intake (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('obtained', 'pending', 'declined')),
    gp_name     TEXT,
    signed_on   TEXT,                  -- the date on the GP's letter
    reference   TEXT,                  -- the letter's reference, if any
    recorded_at TEXT NOT NULL,         -- UTC
    staff       TEXT NOT NULL
);
CREATE INDEX signoff_by_intake ON signoff (intake_id);

INSERT INTO setting (key, value) VALUES ('studio_name', '');
