-- 004: a search index over the clients, so that `find` stays instant on a
-- large file: names, email and phone, case- and accent-blind, by prefix.
--
-- client_search is contentless (content = ''): it holds the index only, not
-- a second copy of the names, and client stays the one place they live.
-- unicode61 with remove_diacritics 2 folds case and accents both in what is
-- indexed and in what is searched for, so "zoe" finds "Zoë" and "ZOË" finds
-- "Zoe".  Ranking is never used, hence columnsize = 0.
CREATE VIRTUAL TABLE client_search USING fts5(
    name, email, phone,
    content = '',
    columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- What is indexed for each client, defined once: every trigger below and
-- the filling at the end read it, so the values given to FTS5's 'delete'
-- are always exactly those inserted (a contentless table cannot look them
-- up, and wrong ones would corrupt the index silently).  A later migration
-- that changes this view must empty client_search ('delete-all') and fill
-- it again from the new view.
--
-- name is "first last".  phone is the digits of the number as stored, then
-- the national number: the digits after the country code of a "+44 ..."
-- or "0044 ..." number (E.164 country codes are 1, 2 or 3 digits, and no
-- code is the start of another), or all the digits of any other number,
-- either way less one leading 0 (the trunk 0 of "07700 ...", or the "(0)"
-- of "+44 (0)20 ...").  So "+44 7700 900123" is indexed as 447700900123
-- 7700900123, and "07700 900123" as 07700900123 7700900123: each form of
-- the number finds the other.  src/db_find.c cuts the number searched for
-- by the same rule.
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

-- Kept in step with client.  The old values are read through the view
-- BEFORE the row changes, the new ones AFTER, so both come from the one
-- definition above.  (No statement of ours replaces a client row with
-- INSERT OR REPLACE, which would skip the delete trigger.)
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

-- The clients saved before this migration.
INSERT INTO client_search (rowid, name, email, phone)
    SELECT id, name, email, phone FROM client_search_source;
