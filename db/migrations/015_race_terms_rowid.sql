-- race_terms becomes a rowid table with its lookup by term in an index: as a WITHOUT ROWID
-- table keyed (term, race_id, kind) every race the knowledge pass stored was some 25 inserts
-- at random places of a B-tree that outgrows the page cache (at a million generated
-- messages, 46 s of the pass's 227). Appended to, with the term index held back on a first
-- load and built once after the pass (db/bulk-load.ts PASS_WRITTEN), they cost what the
-- other race tables cost. A race's terms are distinct (db/knowledge.ts insertRace), so no
-- uniqueness is lost.
CREATE TABLE race_terms_015 (
  term TEXT NOT NULL,
  race_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('function', 'file', 'lock'))
);
INSERT INTO race_terms_015 (term, race_id, kind) SELECT term, race_id, kind FROM race_terms ORDER BY race_id;
DROP TABLE race_terms;
ALTER TABLE race_terms_015 RENAME TO race_terms;
-- covering: the race filters and the search's race: operator read only these columns
CREATE INDEX race_terms_term ON race_terms(term, kind, race_id);
CREATE INDEX race_terms_race ON race_terms(race_id);
