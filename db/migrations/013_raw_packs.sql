-- A smaller file (issue #17): raw mail compressed a message at a time came out 2.2x smaller,
-- consecutive messages compressed together 4-4.6x (what one mail says of its headers, its
-- list and its quoted thread the next one says again). raw_packs holds runs of consecutive
-- stored messages' raw bytes, concatenated and compressed as one (db/raw-packs.ts). A row
-- with raw_pack set has raw_codec 'pack' and an empty `raw`: its bytes are the pack's
-- decoded bytes [raw_pack_offset, raw_pack_offset + raw_size). Rows with raw_pack NULL keep
-- their own compressed `raw`, as every row before this migration, and read as they did.
-- No foreign key: the writer inserts a pack's rows before the pack itself, in one
-- transaction, and SQLite's foreign keys are checked per statement.
CREATE TABLE raw_packs (
  id INTEGER PRIMARY KEY,
  codec TEXT NOT NULL,
  -- decoded bytes
  size INTEGER NOT NULL,
  data BLOB NOT NULL
);
ALTER TABLE messages ADD COLUMN raw_pack INTEGER;
ALTER TABLE messages ADD COLUMN raw_pack_offset INTEGER;
