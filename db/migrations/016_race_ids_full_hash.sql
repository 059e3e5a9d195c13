-- Race ids keep the whole 52-bit hash of the race's first Message-ID (domain/knowledge/race-id.ts),
-- where they were cut to 8 base-36 digits, which collide at lore's scale. A database from
-- before holds the cut ids: its next thread pass covers every stored row again, as 014 did,
-- and stores each race under its full id. That pass replaces every stored race whose threads
-- it assembles (db/knowledge.ts replaceRaces: the races touching a batch's roots), so each
-- family keeps one race, under its new id, in all six race tables; a cut id still finds
-- it, as a prefix of the new one. Until then the old ids are what is stored, and resolve as they are.
UPDATE meta SET value = '0' WHERE key = 'knowledge_done_upto';
