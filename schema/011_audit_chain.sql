-- 011: the audit as a hash chain (src/chain.c, docs/record.md).  Each row
-- keeps a random salt, the hash of the row before it (prev_hash; NULL for
-- the first) and its own hash, over its values, its changes and that
-- prev_hash: a row changed, removed or moved by another program no longer
-- matches, and `smp-intake verify` says so.
--
-- The rows saved before this migration are chained by the program in the
-- same transaction, right after it (src/db_chain.c): SQL has no SHA-256.
-- So audit_is_fixed lets a row without a hash be given one, once, and
-- nothing else; a row still without one is a fault `verify` reports.
-- (A later migration that makes audit again must carry these columns.)
ALTER TABLE audit ADD COLUMN salt TEXT;
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;

DROP TRIGGER IF EXISTS audit_is_fixed;  -- a file another program changed still opens
CREATE TRIGGER audit_is_fixed BEFORE UPDATE ON audit
WHEN OLD.hash IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
     OR NEW.staff IS NOT OLD.staff OR NEW.action IS NOT OLD.action
     OR NEW.client_id IS NOT OLD.client_id OR NEW.intake_id IS NOT OLD.intake_id
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;

-- An erasure removes the audit rows of the client (audit_kept allows it
-- once the client is gone).  Their links stay here: the trigger keeps
-- each removed row's prev_hash and hash, and the erasure's first audit row
-- takes them in (erase_id), its hash covering them.  So the chain still
-- verifies across the gap, and a row removed without an erasure shows: its
-- link is never taken in, and the gap it leaves is not covered.  No
-- personal value is kept: the hashes cover each row's random salt too.
CREATE TABLE audit_removed (
    id        INTEGER PRIMARY KEY,
    prev_hash TEXT,
    hash      TEXT,
    erase_id  INTEGER                 -- the erasure's audit row, once taken in
);
CREATE TRIGGER audit_removed_link AFTER DELETE ON audit
BEGIN
    INSERT INTO audit_removed (prev_hash, hash) VALUES (OLD.prev_hash, OLD.hash);
END;
CREATE TRIGGER audit_removed_is_fixed BEFORE UPDATE ON audit_removed
WHEN OLD.erase_id IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.prev_hash IS NOT OLD.prev_hash
     OR NEW.hash IS NOT OLD.hash
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;
CREATE TRIGGER audit_removed_kept BEFORE DELETE ON audit_removed
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be removed');
END;
