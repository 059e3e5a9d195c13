-- placeholder until the ingest schema lands; replaced by the ingest work
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
