-- Keys the knowledge thread pass joins threads by where no series, title or Link: does
-- (domain/knowledge/family-keys.ts): the title key of a reply whose parent the archive does
-- not hold ('re:<title key>': a review of a patch whose own mail was lost belongs to that
-- patch's family), and the bug a bot's per-bug address names ('bot:syzbot+<extid>': the
-- report sent from it and the fixes whose Reported-by: names it). The family closure
-- (db/knowledge-threads.ts threadFamilies) looks them up both ways, so a join does not depend
-- on which batch or which run brought its two threads. Filled by the thread pass for the rows
-- it covers (db/knowledge-threads.ts fillKnowledgeKeys), where the thread tree is known.
CREATE TABLE knowledge_keys (
  key TEXT NOT NULL,
  msg_row INTEGER NOT NULL,
  PRIMARY KEY (key, msg_row)
) WITHOUT ROWID;
CREATE INDEX knowledge_keys_row ON knowledge_keys(msg_row);

-- A database from before this migration has no keys: its next thread pass covers every
-- stored row again (fills the keys, re-assembles every family with the new joins), as
-- `loregraph knowledge --rebuild` would but without analysing the messages again.
UPDATE meta SET value = '0' WHERE key = 'knowledge_done_upto';
