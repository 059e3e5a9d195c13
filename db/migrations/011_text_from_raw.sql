-- A smaller file (issue #17): most of a message's decoded body is a run of its raw bytes,
-- and its kept headers are its raw header lines, so a row stores them only in the
-- compressed raw bytes and reads them back from there (db/messages.ts storedText,
-- domain/stored-text.ts). The body was 40-55% of the messages table, the headers JSON 12%.
-- body_start/body_end: the body is raw[body_start, body_end) as UTF-8, and `body` is '';
-- NULL: `body` holds it (quoted-printable, base64, multipart, other charsets...).
-- headers_from_raw: 1 = `headers` is '' and db/messages.ts headersJsonFromRaw gives it;
-- 0 = `headers` holds the JSON. Rows written before keep both stored (0 and NULL), and
-- read as they did.
ALTER TABLE messages ADD COLUMN body_start INTEGER;
ALTER TABLE messages ADD COLUMN body_end INTEGER;
ALTER TABLE messages ADD COLUMN headers_from_raw INTEGER NOT NULL DEFAULT 0;
