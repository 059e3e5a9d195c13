-- The core store: sources, one row per stored copy of a message, addresses, ancestry
-- chains, thread nodes (real and ghost), and what could not be ingested.

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- An archive given to `ingest`. done_index/done_hash remember the last message of the
-- last committed batch so a rerun after a kill skips what is stored without parsing it.
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  done_index INTEGER NOT NULL DEFAULT -1,
  done_offset INTEGER NOT NULL DEFAULT -1,
  done_hash TEXT,
  completed INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);

-- One row per stored copy: two different messages with the same Message-ID are two rows
-- (as public-inbox keeps them); the same bytes twice are one row (content_hash).
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  message_id_synthesized INTEGER NOT NULL DEFAULT 0,
  content_hash TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL,
  base_subject TEXT NOT NULL,
  is_reply INTEGER NOT NULL,
  from_name TEXT,
  from_address TEXT,
  date INTEGER,
  date_source TEXT NOT NULL,
  in_reply_to TEXT,
  -- the parent this copy's own headers declare (last of its ancestry chain)
  thread_parent TEXT,
  list_id TEXT,
  body TEXT NOT NULL,
  attachments TEXT NOT NULL DEFAULT '[]',
  -- headers later stages may want that no column holds (db/messages.ts storedHeaders)
  headers TEXT NOT NULL DEFAULT '{}',
  lenient TEXT,
  notes TEXT NOT NULL DEFAULT '[]',
  raw BLOB NOT NULL,
  raw_codec TEXT NOT NULL,
  raw_size INTEGER NOT NULL,
  envelope TEXT,
  source_id INTEGER REFERENCES sources(id),
  source_offset INTEGER,
  source_index INTEGER,
  source_commit TEXT,
  source_file TEXT
);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_date ON messages(date);
CREATE INDEX messages_base_subject ON messages(base_subject, is_reply);
CREATE INDEX messages_from ON messages(from_address);

CREATE TABLE message_addresses (
  message_row INTEGER NOT NULL REFERENCES messages(id),
  kind TEXT NOT NULL CHECK (kind IN ('to', 'cc')),
  pos INTEGER NOT NULL,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  PRIMARY KEY (message_row, kind, pos)
) WITHOUT ROWID;
CREATE INDEX message_addresses_address ON message_addresses(address);

-- The ancestry chain each copy declares: References oldest first, then In-Reply-To when
-- it was not among them (ingest/thread.ts ancestryChain).
CREATE TABLE message_refs (
  message_row INTEGER NOT NULL REFERENCES messages(id),
  pos INTEGER NOT NULL,
  ref_id TEXT NOT NULL,
  PRIMARY KEY (message_row, pos)
) WITHOUT ROWID;
CREATE INDEX message_refs_ref ON message_refs(ref_id);

-- One node per Message-ID, real or ghost (referenced but not in the archive). root is the
-- thread identity: the topmost ancestor id, ghosts included.
CREATE TABLE thread_nodes (
  message_id TEXT PRIMARY KEY,
  parent TEXT,
  root TEXT NOT NULL,
  ghost INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX thread_nodes_parent ON thread_nodes(parent);
CREATE INDEX thread_nodes_root ON thread_nodes(root);

CREATE VIEW ghosts AS SELECT message_id, parent, root FROM thread_nodes WHERE ghost = 1;
CREATE VIEW threads AS SELECT root AS thread_id, COUNT(*) AS nodes, SUM(ghost = 0) AS messages FROM thread_nodes GROUP BY root;

-- Messages that could not be ingested, with enough to find and retry them.
CREATE TABLE ingest_errors (
  id INTEGER PRIMARY KEY,
  source_id INTEGER REFERENCES sources(id),
  source_offset INTEGER,
  source_index INTEGER,
  position TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw BLOB,
  raw_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
