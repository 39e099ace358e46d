-- roles (PostgreSQL): what the program may do on the server
-- (docs/server.md), applied after 001_schema.sql by the administrator who
-- owns the tables.  The program's privileges belong to the group role
-- smp_intake (NOLOGIN); each workstation logs in as its own role made a
-- member of it (createuser --role smp_intake NAME), so the server's log
-- names who connected.
--
-- The audit trail and the access log are kept twice over: the triggers of
-- 001_schema.sql refuse a change or a removal to anyone, the table's owner
-- included, and smp_intake is never granted UPDATE, DELETE or TRUNCATE on
-- them.  An erasure's removal of the erased client's audit rows goes
-- through smp_erase_audit(), which runs as the owner and removes only what
-- the triggers allow.  The tombstones (erased_intake) likewise.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'smp_intake') THEN
        CREATE ROLE smp_intake NOLOGIN;
    END IF;
END;
$$;

BEGIN;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, smp_intake;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, smp_intake;
GRANT USAGE ON SCHEMA public TO smp_intake;

-- The records: read, added to, changed and removed (edit, drafts, erasure).
GRANT SELECT, INSERT, UPDATE, DELETE ON
    client, intake, answer, setting, advice_sheet, signoff, draft, draft_answer,
    acknowledgement, flag_clearance, erase_pending, session, photo, photo_data, consent,
    aftercare
    TO smp_intake;

-- Added to and read, never changed or removed.
GRANT SELECT, INSERT ON audit, audit_change, access_log, erased_intake TO smp_intake;
-- audit_removed is written by a trigger; the erasure's audit row takes its
-- links in by setting erase_id, once (audit_removed_is_fixed).
GRANT SELECT ON audit_removed TO smp_intake;
GRANT UPDATE (erase_id) ON audit_removed TO smp_intake;
GRANT SELECT ON schema_version, client_search_source TO smp_intake;

GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO smp_intake;
GRANT EXECUTE ON FUNCTION smp_erase_audit(bigint) TO smp_intake;
COMMIT;
