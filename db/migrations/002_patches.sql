-- Patches, their trailers and series, and what the stable process said about each fix.
-- One patch_msgs row per stored copy that is a patch, a cover letter, a reply carrying
-- trailers or a stable-process mail; series and fix links are rebuilt at the end of
-- every ingest (they depend on messages that may arrive in any order).

CREATE TABLE patch_msgs (
  msg_row INTEGER PRIMARY KEY REFERENCES messages(id),
  message_id TEXT NOT NULL,
  -- 'patch' | 'cover' | 'reply' | 'other'
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  title TEXT NOT NULL,
  title_key TEXT NOT NULL,
  version TEXT,
  version_major INTEGER NOT NULL,
  idx INTEGER,
  total INTEGER,
  rfc INTEGER NOT NULL,
  resend INTEGER NOT NULL,
  tree TEXT,
  stable_branch TEXT,
  autosel INTEGER NOT NULL,
  sender_name TEXT,
  sender_email TEXT,
  date INTEGER,
  in_reply_to TEXT,
  refs TEXT NOT NULL DEFAULT '[]',
  patch_id TEXT,
  change_id TEXT,
  upstream_commit TEXT,
  -- in-body "From:" of a backport or stable mail: the fix's author
  author_name TEXT,
  author_email TEXT,
  files TEXT NOT NULL DEFAULT '[]',
  added INTEGER NOT NULL DEFAULT 0,
  removed INTEGER NOT NULL DEFAULT 0,
  -- stable branch / AUTOSEL lane: backports to different branches are not versions of each other
  lane TEXT NOT NULL DEFAULT '',
  -- The message's trailers and stable events, written with the message (one row per
  -- message keeps ingest cheap) and copied into the trailers and stable_events tables by
  -- the end-of-ingest pass, which then sets materialized.
  trailers_json TEXT NOT NULL DEFAULT '[]',
  events_json TEXT NOT NULL DEFAULT '[]',
  materialized INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX patch_msgs_pending ON patch_msgs(msg_row) WHERE materialized = 0;
CREATE INDEX patch_msgs_message_id ON patch_msgs(message_id);
CREATE INDEX patch_msgs_title_key ON patch_msgs(title_key);
CREATE INDEX patch_msgs_patch_id ON patch_msgs(patch_id);
-- The newest original patch with a title (fix links): read from the index instead of
-- sorting every patch with that title per fix. Equal dates come out oldest row first,
-- as the sort did.
CREATE INDEX patch_msgs_newest_patch ON patch_msgs(title_key, date DESC) WHERE kind = 'patch' AND lane = '';

-- A trailer, with the message that gave it (provenance). Follow-up trailers (sent in a
-- reply) get their target resolved at the end of ingest: the patch or cover answered.
CREATE TABLE trailers (
  id INTEGER PRIMARY KEY,
  msg_row INTEGER NOT NULL REFERENCES messages(id),
  message_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  person_name TEXT,
  person_email TEXT,
  commit_sha TEXT,
  commit_subject TEXT,
  url TEXT,
  stable_extinfo TEXT,
  followup INTEGER NOT NULL,
  target_message_id TEXT
);
CREATE INDEX trailers_msg ON trailers(message_id);
CREATE INDEX trailers_target ON trailers(target_message_id);
-- The follow-up pass sets a reply's targets by its row: without this, one scan per reply.
CREATE INDEX trailers_row ON trailers(msg_row);

-- Rebuilt by the patches analyzer's finish(): one row per version of a series.
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  family INTEGER NOT NULL,
  version TEXT NOT NULL,
  version_major INTEGER NOT NULL,
  title TEXT NOT NULL,
  sender_email TEXT,
  cover_message_id TEXT,
  total INTEGER,
  date INTEGER,
  change_id TEXT,
  superseded INTEGER NOT NULL,
  -- for a partial re-roll (v5.1 of one patch): the series version it amends
  amends INTEGER
);
CREATE INDEX series_family ON series(family);

CREATE TABLE series_patches (
  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  -- the same patch in the previous version, and how it was matched ('patch-id' | 'subject')
  previous_message_id TEXT,
  match TEXT,
  PRIMARY KEY (series_id, idx, message_id)
) WITHOUT ROWID;
CREATE INDEX series_patches_msg ON series_patches(message_id);

-- What one mail says about one fix on one branch. status is one of
-- ingest/patch/stable-status.ts STATUSES. branch is "6.6", or "*" / "6.6+" for a Cc:
-- stable wish that names no or an open range of branches.
CREATE TABLE stable_events (
  id INTEGER PRIMARY KEY,
  msg_row INTEGER NOT NULL REFERENCES messages(id),
  message_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT,
  branch TEXT NOT NULL,
  upstream_commit TEXT,
  title TEXT NOT NULL,
  title_key TEXT NOT NULL,
  rc TEXT,
  version TEXT,
  base TEXT,
  date INTEGER,
  in_reply_to TEXT,
  -- resolved at the end of ingest: the upstream commit, or 'msg:<message-id>' of the patch mail
  fix_key TEXT
);
CREATE INDEX stable_events_fix ON stable_events(fix_key);
CREATE INDEX stable_events_branch ON stable_events(branch);
CREATE INDEX stable_events_msg ON stable_events(message_id);
CREATE INDEX stable_events_title ON stable_events(title_key);
CREATE INDEX stable_events_parent ON stable_events(in_reply_to);

-- Rebuilt at the end of ingest: each upstream fix and the patch mail it came from.
CREATE TABLE fixes (
  fix_key TEXT PRIMARY KEY,
  upstream_commit TEXT,
  title TEXT NOT NULL,
  author_name TEXT,
  author_email TEXT,
  patch_message_id TEXT,
  -- how the patch mail was found: 'patch-id' | 'subject+author' | 'subject' | 'self'
  patch_match TEXT
) WITHOUT ROWID;
