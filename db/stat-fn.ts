// One counter of `loregraph stats`: kept apart from stats.ts, which gathers them, so the
// modules that define counters do not import the module that imports them.
import type { Db } from './db.ts';

export type StatFn = (db: Db) => number | string | Record<string, unknown>;
