-- 007: clients by date of birth.  A returning client is recognised by
-- the birth date and the names compared folded (case, accents, spaces:
-- src/fold.c), which no SQLite collation does; the birth date narrows
-- the clients to compare to a handful.  No folded copy of a name is
-- stored: erasure has nothing more to remove.
CREATE INDEX client_by_birth ON client (date_of_birth);
