-- Saved searches that update (lei's `up`): a name, lore's query, and how far the last
-- `loregraph watch up` got. Messages rows only grow (ingest appends), so "new since the
-- last run" is every match above the highest messages.id that run saw.
CREATE TABLE watches (
  name TEXT PRIMARY KEY,
  query TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- messages.id the last run had read up to (all stored rows at that time); 0 before the first
  seen_row INTEGER NOT NULL DEFAULT 0,
  last_run_at INTEGER
);
