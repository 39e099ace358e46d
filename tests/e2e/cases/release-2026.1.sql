-- A database written by smp-intake 0.1.0 (questionnaire and advice 2026.1, schema 5),
-- kept so tests open a file an earlier release made: sqlite3 .dump plus the two header marks.
PRAGMA application_id = 1397575753;
PRAGMA user_version = 5;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE client (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    phone         TEXT,
    email         TEXT,
    created_at    TEXT NOT NULL
);
INSERT INTO client VALUES(1,'Old','Version','1980-02-03',NULL,NULL,'2026-11-29T12:39:57Z');
INSERT INTO client VALUES(2,'Plain','Client','1975-05-06',NULL,NULL,'2026-11-29T12:39:57Z');
CREATE TABLE intake (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    client_id INTEGER NOT NULL REFERENCES client (id),
    taken_at  TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff     TEXT NOT NULL
, revision INTEGER NOT NULL DEFAULT 1);
INSERT INTO intake VALUES(1,'59063829-cd23-4509-9048-0ec41c18b00f',1,'2026-11-29T12:39:57Z','Rel Staff',1);
INSERT INTO intake VALUES(2,'3e248bb9-6c22-4f3a-9585-c11558191850',2,'2026-11-29T12:39:57Z','Rel Staff',1);
CREATE TABLE answer (
    intake_id   INTEGER NOT NULL REFERENCES intake (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (intake_id, question_id)
) WITHOUT ROWID;
INSERT INTO answer VALUES(1,'consent_storage','yes');
INSERT INTO answer VALUES(1,'gp_discussed','no');
INSERT INTO answer VALUES(1,'other_medical_products','Prescribed lotion X');
INSERT INTO answer VALUES(1,'uses_other_medical','yes');
INSERT INTO answer VALUES(1,'uses_other_topical','no');
INSERT INTO answer VALUES(1,'uses_propecia','no');
INSERT INTO answer VALUES(1,'uses_rogaine','no');
INSERT INTO answer VALUES(1,'wants_root_cause_help','no');
INSERT INTO answer VALUES(2,'consent_storage','yes');
INSERT INTO answer VALUES(2,'uses_other_medical','no');
INSERT INTO answer VALUES(2,'uses_other_topical','no');
INSERT INTO answer VALUES(2,'uses_propecia','no');
INSERT INTO answer VALUES(2,'uses_rogaine','no');
INSERT INTO answer VALUES(2,'wants_root_cause_help','yes');
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO setting VALUES('minimum_age','18');
INSERT INTO setting VALUES('pause_days_after','7');
INSERT INTO setting VALUES('pause_days_before','7');
INSERT INTO setting VALUES('studio_name','');
CREATE TABLE advice_sheet (
    intake_id INTEGER NOT NULL REFERENCES intake (id) ON DELETE CASCADE,
    sheet     INTEGER NOT NULL,       -- 1 = printed at the intake, then 2, 3...
    position  INTEGER NOT NULL,
    advice_id TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (intake_id, sheet, position)
) WITHOUT ROWID;
INSERT INTO advice_sheet VALUES(1,1,1,'smp-cosmetic-only','SMP is a cosmetic treatment: it changes how the scalp looks and nothing else. It does not cause hair loss, does not speed it up and does not cure it. The pigment is placed in the upper dermis, about 0.5 to 1 mm below the surface, while hair follicles sit in the lower dermis, about 4 mm down, so SMP does not reach them.');
INSERT INTO advice_sheet VALUES(1,1,2,'treatments-compatible','You can keep using your hair-growth treatment alongside SMP. The two work at different depths of the skin, and SMP can hide thin areas while the treatment works on regrowth.');
INSERT INTO advice_sheet VALUES(1,1,3,'gp-signoff','Talk SMP and your hair-growth treatment through with your GP, and get their go-ahead before the first session. GP sign-off: pending (not yet discussed with the GP). ARTIST WARNING: do not start the first session until the GP has given the go-ahead.');
INSERT INTO advice_sheet VALUES(1,1,4,'tell-artist','Tell your SMP artist about every hair-growth product you use, including any you start later. For the artist: other medical: Prescribed lotion X.');
INSERT INTO advice_sheet VALUES(2,1,1,'smp-cosmetic-only','SMP is a cosmetic treatment: it changes how the scalp looks and nothing else. It does not cause hair loss, does not speed it up and does not cure it. The pigment is placed in the upper dermis, about 0.5 to 1 mm below the surface, while hair follicles sit in the lower dermis, about 4 mm down, so SMP does not reach them.');
INSERT INTO advice_sheet VALUES(2,1,2,'root-cause','SMP hides the signs of hair loss but does nothing about its cause. To look into why your hair is thinning, see your GP or a trichologist; hair transplants and hair-growth products such as Rogaine are the usual routes they may discuss.');
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
PRAGMA writable_schema=ON;
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','client_search','client_search',0,'CREATE VIRTUAL TABLE client_search USING fts5(
    name, email, phone,
    content = '''',
    columnsize = 0,
    tokenize = ''unicode61 remove_diacritics 2''
)');
CREATE TABLE IF NOT EXISTS 'client_search_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO client_search_data VALUES(1,X'02040000');
INSERT INTO client_search_data VALUES(10,X'000000000102020002010101020101');
INSERT INTO client_search_data VALUES(137438953473,X'0000001804306f6c64010202010776657273696f6e0102030408');
INSERT INTO client_search_data VALUES(274877906945,X'000000190730636c69656e740202030105706c61696e020202040b');
CREATE TABLE IF NOT EXISTS 'client_search_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO client_search_idx VALUES(1,X'',2);
INSERT INTO client_search_idx VALUES(2,X'',2);
CREATE TABLE IF NOT EXISTS 'client_search_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO client_search_config VALUES('version',4);
CREATE TABLE IF NOT EXISTS "audit" (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    staff     TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('create', 'edit', 'signoff', 'erase', 'import')),
    client_id INTEGER,
    intake_id INTEGER
);
INSERT INTO audit VALUES(1,'2026-11-29T12:39:57Z','Rel Staff','create',1,1);
INSERT INTO audit VALUES(2,'2026-11-29T12:39:57Z','Rel Staff','create',2,2);
CREATE TABLE IF NOT EXISTS "audit_change" (
    audit_id  INTEGER NOT NULL REFERENCES "audit" (id),
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    PRIMARY KEY (audit_id, field)
);
INSERT INTO audit_change VALUES(1,'consent_storage',NULL,'yes');
INSERT INTO audit_change VALUES(1,'first_name',NULL,'Old');
INSERT INTO audit_change VALUES(1,'last_name',NULL,'Version');
INSERT INTO audit_change VALUES(1,'date_of_birth',NULL,'1980-02-03');
INSERT INTO audit_change VALUES(1,'uses_rogaine',NULL,'no');
INSERT INTO audit_change VALUES(1,'uses_propecia',NULL,'no');
INSERT INTO audit_change VALUES(1,'uses_other_topical',NULL,'no');
INSERT INTO audit_change VALUES(1,'uses_other_medical',NULL,'yes');
INSERT INTO audit_change VALUES(1,'other_medical_products',NULL,'Prescribed lotion X');
INSERT INTO audit_change VALUES(1,'gp_discussed',NULL,'no');
INSERT INTO audit_change VALUES(1,'wants_root_cause_help',NULL,'no');
INSERT INTO audit_change VALUES(2,'consent_storage',NULL,'yes');
INSERT INTO audit_change VALUES(2,'first_name',NULL,'Plain');
INSERT INTO audit_change VALUES(2,'last_name',NULL,'Client');
INSERT INTO audit_change VALUES(2,'date_of_birth',NULL,'1975-05-06');
INSERT INTO audit_change VALUES(2,'uses_rogaine',NULL,'no');
INSERT INTO audit_change VALUES(2,'uses_propecia',NULL,'no');
INSERT INTO audit_change VALUES(2,'uses_other_topical',NULL,'no');
INSERT INTO audit_change VALUES(2,'uses_other_medical',NULL,'no');
INSERT INTO audit_change VALUES(2,'wants_root_cause_help',NULL,'yes');
CREATE INDEX client_by_name ON client (last_name COLLATE NOCASE, first_name COLLATE NOCASE);
CREATE INDEX intake_by_client ON intake (client_id);
CREATE INDEX signoff_by_intake ON signoff (intake_id);
CREATE VIEW client_search_source (id, name, email, phone) AS
SELECT id, name, email,
       CASE WHEN digits = '' THEN NULL
            ELSE digits || coalesce(' ' || nullif(national, digits), '') END
FROM (SELECT id, name, email, digits,
             CASE WHEN substr(after_code, 1, 1) = '0' THEN substr(after_code, 2)
                  ELSE after_code END AS national
      FROM (SELECT id, name, email, digits,
                   CASE WHEN intl IS NULL THEN digits
                        ELSE substr(intl, 1 +
                            CASE WHEN substr(intl, 1, 1) IN ('1', '7') THEN 1
                                 WHEN substr(intl, 1, 2) IN ('20', '27', '30', '31', '32',
                                      '33', '34', '36', '39', '40', '41', '43', '44', '45',
                                      '46', '47', '48', '49', '51', '52', '53', '54', '55',
                                      '56', '57', '58', '60', '61', '62', '63', '64', '65',
                                      '66', '81', '82', '84', '86', '90', '91', '92', '93',
                                      '94', '95', '98') THEN 2
                                 ELSE 3 END)
                   END AS after_code
            FROM (SELECT id, name, email, digits,
                         CASE WHEN substr(ltrim(phone), 1, 1) = '+' THEN digits
                              WHEN substr(digits, 1, 2) = '00' THEN substr(digits, 3)
                         END AS intl
                  FROM (SELECT id, first_name || ' ' || last_name AS name, email, phone,
                               replace(replace(replace(replace(replace(replace(replace(
                                   coalesce(phone, ''), ' ', ''), '+', ''), '-', ''), '.', ''),
                                   '(', ''), ')', ''), '/', '') AS digits
                        FROM client))));
CREATE TRIGGER client_search_insert AFTER INSERT ON client
BEGIN
    INSERT INTO client_search (rowid, name, email, phone)
        SELECT id, name, email, phone FROM client_search_source WHERE id = NEW.id;
END;
CREATE TRIGGER client_search_update_old BEFORE UPDATE OF id, first_name, last_name, email, phone
ON client
BEGIN
    INSERT INTO client_search (client_search, rowid, name, email, phone)
        SELECT 'delete', id, name, email, phone FROM client_search_source WHERE id = OLD.id;
END;
CREATE TRIGGER client_search_update_new AFTER UPDATE OF id, first_name, last_name, email, phone
ON client
BEGIN
    INSERT INTO client_search (rowid, name, email, phone)
        SELECT id, name, email, phone FROM client_search_source WHERE id = NEW.id;
END;
CREATE TRIGGER client_search_delete BEFORE DELETE ON client
BEGIN
    INSERT INTO client_search (client_search, rowid, name, email, phone)
        SELECT 'delete', id, name, email, phone FROM client_search_source WHERE id = OLD.id;
END;
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
PRAGMA writable_schema=OFF;
COMMIT;
