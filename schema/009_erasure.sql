-- 009: what an erasure keeps, and what it has still to finish.
--
-- erased_intake is the tombstone of each erased intake: its uuid and when
-- it was erased, nothing else (no name, no answer).  Import refuses a
-- record with such a uuid, so an export taken before an erasure cannot
-- bring the client back.
CREATE TABLE erased_intake (
    uuid TEXT PRIMARY KEY NOT NULL,
    erased_at TEXT NOT NULL
) WITHOUT ROWID;

-- A tombstone is kept for good, as the audit is: a program that removes
-- one (to bring an erased record back by import) must drop these first,
-- which every open notices and `smp-intake verify` reports.
CREATE TRIGGER erased_intake_is_fixed BEFORE UPDATE ON erased_intake
BEGIN
    SELECT RAISE(ABORT, 'the record of an erasure cannot be changed');
END;
CREATE TRIGGER erased_intake_kept BEFORE DELETE ON erased_intake
BEGIN
    SELECT RAISE(ABORT, 'the record of an erasure cannot be removed');
END;

-- An erasure is committed in one transaction; what must follow it (the
-- search index merged, when it was not merged inside that transaction,
-- and the write-ahead log checked into the file and cut to nothing) is
-- owed until this row is gone.  The row is written by the erasure itself,
-- so a kill or a full disk after the commit leaves it, and the next open
-- of the file (or `erase` of the same client again) finishes the work.
-- search_merged: 1 when the erasure's own transaction merged the index.
CREATE TABLE erase_pending (
    client_id INTEGER PRIMARY KEY,
    erased_at TEXT NOT NULL,
    search_merged INTEGER NOT NULL DEFAULT 0
);

-- Before this migration an erasure's words could stay in the index (a
-- kill or a full disk between the erasure and its merge): merge it now.
INSERT INTO client_search (client_search) VALUES ('optimize');
