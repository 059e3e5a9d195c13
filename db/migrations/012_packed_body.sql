-- A body that is not a run of its raw bytes (011: quoted-printable, base64, multipart,
-- flowed, CRLF mail) is stored compressed: body_codec 'brotli' = `body` holds its UTF-8
-- as brotli (a BLOB), read by db/messages.ts storedText and bodySql; NULL = `body` is the
-- text, as every row before this migration, which reads as it did.
ALTER TABLE messages ADD COLUMN body_codec TEXT;
