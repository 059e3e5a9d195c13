-- The knowledge graph (issue #11): what each message says (its reply structure and the
-- race/fix/stance signals in it, computed on the parse worker and written with the
-- message), and the races a per-thread pass assembles from them, with their proposed
-- fixes and the stances taken on each. The race tables are replaced thread family by
-- thread family as new mail touches them (db/knowledge.ts replaceRaces).

-- One row per stored copy. blocks: the reply structure's blocks without their text, as
-- compact JSON arrays [kind, depth, start, end, author, answers] (db/knowledge-codec.ts);
-- the lines are re-derived from the body. knowledge: MessageKnowledge as JSON, NULL when
-- the message says nothing the knowledge layer keeps (most mail).
CREATE TABLE message_knowledge (
  msg_row INTEGER PRIMARY KEY REFERENCES messages(id),
  blocks TEXT NOT NULL,
  restored INTEGER NOT NULL,
  knowledge TEXT
);
-- The thread pass asks "does this thread hold any knowledge?" of thousands of threads.
CREATE INDEX message_knowledge_some ON message_knowledge(msg_row) WHERE knowledge IS NOT NULL;

-- Link:/Closes: targets a message names (lore URLs read back to Message-IDs): how a fix
-- posted in its own thread finds the report it closes, in both directions.
CREATE TABLE message_links (
  msg_row INTEGER NOT NULL REFERENCES messages(id),
  target TEXT NOT NULL,
  PRIMARY KEY (msg_row, target)
) WITHOUT ROWID;
CREATE INDEX message_links_target ON message_links(target);

-- The thread pass finds the series family of a cover letter by its Message-ID.
CREATE INDEX IF NOT EXISTS series_cover ON series(cover_message_id);

-- One row per race record; record is the whole RaceRecord as JSON (domain/knowledge/types.ts),
-- the other columns what listings filter and sort on without parsing it.
CREATE TABLE races (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  outcome TEXT NOT NULL,
  confidence REAL NOT NULL,
  status TEXT NOT NULL,
  first_date INTEGER,
  last_date INTEGER,
  -- the evidence Message-IDs, JSON array: what `loregraph races` prints
  evidence TEXT NOT NULL,
  fixes INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX races_last_date ON races(last_date);

-- The thread roots of a race's family, first the one that reported it.
CREATE TABLE race_threads (
  race_id TEXT NOT NULL,
  root TEXT NOT NULL,
  pos INTEGER NOT NULL,
  PRIMARY KEY (race_id, root)
) WITHOUT ROWID;
CREATE INDEX race_threads_root ON race_threads(root);

-- Every stored copy in a race's threads (is:race, the race of a message); evidence = 1 for
-- the messages whose reasons made it a race.
CREATE TABLE race_messages (
  msg_row INTEGER NOT NULL,
  race_id TEXT NOT NULL,
  evidence INTEGER NOT NULL,
  PRIMARY KEY (msg_row, race_id)
) WITHOUT ROWID;
CREATE INDEX race_messages_race ON race_messages(race_id);

-- Functions (without "()"), files (path and base name) and locks a race names, lower case:
-- race:collapse_file, race:khugepaged.c, race:i_mmap_rwsem.
CREATE TABLE race_terms (
  term TEXT NOT NULL,
  race_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('function', 'file', 'lock')),
  PRIMARY KEY (term, race_id, kind)
) WITHOUT ROWID;
CREATE INDEX race_terms_race ON race_terms(race_id);

-- Proposed fixes (formal patches and informal ones) of a race. Named race_fixes: `fixes`
-- holds the upstream commits the stable process tracks (002_patches.sql).
CREATE TABLE race_fixes (
  id TEXT NOT NULL,
  race_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  lifecycle TEXT NOT NULL,
  fix TEXT NOT NULL,
  PRIMARY KEY (id, race_id)
) WITHOUT ROWID;
CREATE INDEX race_fixes_race ON race_fixes(race_id);
CREATE INDEX race_fixes_message ON race_fixes(message_id);

-- Stances taken on a fix, in the order the record gives them.
CREATE TABLE race_stances (
  race_id TEXT NOT NULL,
  fix_id TEXT NOT NULL,
  pos INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  stance TEXT NOT NULL,
  author TEXT,
  PRIMARY KEY (race_id, fix_id, pos)
) WITHOUT ROWID;
CREATE INDEX race_stances_message ON race_stances(message_id);

-- Messages stored before this migration have no knowledge yet: the next ingest (or
-- `loregraph knowledge --rebuild`) analyses every row up to this mark, then clears it.
INSERT OR REPLACE INTO meta (key, value) SELECT 'knowledge_backfill_upto', CAST(MAX(id) AS TEXT) FROM messages WHERE id IS NOT NULL HAVING COUNT(*) > 0;
