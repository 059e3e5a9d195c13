-- Stable status as a timeline (issue #12): each event keeps the words that made it and,
-- for a Cc: stable wish, the range as written; an announcement's shortlog line keeps its
-- author for the join. Which mails make up one fix, and how each was joined, are kept
-- in fix_links. Releases read from a local stable git tree (`loregraph stable-sync`) go
-- to stable_releases, and how far each branch was read to stable_synced.
ALTER TABLE stable_events ADD COLUMN sentence TEXT;
ALTER TABLE stable_events ADD COLUMN raw_range TEXT;
ALTER TABLE stable_events ADD COLUMN author TEXT;

-- Rebuilt with fixes at the end of ingest. role: 'patch' (a version of the patch mail),
-- 'stable' (a stable mail about it); how: 'commit' | 'patch-id' | 'subject+author' |
-- 'subject' | 'series' | 'self' | 'reply'.
CREATE TABLE fix_links (
  fix_key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  role TEXT NOT NULL,
  how TEXT NOT NULL,
  PRIMARY KEY (fix_key, message_id, role)
) WITHOUT ROWID;
CREATE INDEX fix_links_msg ON fix_links(message_id);

CREATE TABLE stable_releases (
  upstream_commit TEXT NOT NULL,
  branch TEXT NOT NULL,
  -- the first release of the branch that carries the fix, "6.1.50"
  version TEXT NOT NULL,
  stable_commit TEXT,
  tag_date INTEGER,
  PRIMARY KEY (upstream_commit, branch)
) WITHOUT ROWID;

CREATE TABLE stable_synced (
  branch TEXT PRIMARY KEY,
  -- the newest release read, "6.1.120"
  newest TEXT NOT NULL,
  git_dir TEXT NOT NULL,
  synced_at INTEGER NOT NULL
) WITHOUT ROWID;
